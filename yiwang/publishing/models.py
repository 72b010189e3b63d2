"""Exemplary messages chosen for publication, and the personal-information impact records.

A clerk proposes a message; an editor reviews the masked version beside the original, adjusts
it and publishes it with the department's approved reply. Without the author's consent only an
editor-written anonymised summary can be published, after a second editor approves it. Every
publication and unpublication leaves an impact record (PIPL Art. 55), kept at least 3 years.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RETENTION_YEARS = 3

# The masker's kinds (yiwang.lib.pii.KINDS) as editors read them.
PII_KIND_LABELS = {
    "id_number": _("ID number"),
    "bank_card": _("bank card number"),
    "mobile": _("mobile number"),
    "landline": _("landline number"),
    "email": _("e-mail address"),
    "qq": _("QQ number"),
    "wechat": _("WeChat id"),
    "plate": _("licence plate"),
    "address": _("address below the street"),
    "name": _("personal name"),
}


# The message history's words for the publication steps (MessageEvent.action).
PUBLICATION_STEP_LABELS = {
    "propose_publication": _("Proposed for publication"),
    "publish": _("Published on the public board"),
    "unpublish": _("Unpublished"),
    "decline_publication": _("Publication declined"),
}


class PublicationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AWAITING_APPROVAL = "awaiting", _("Awaiting a second approval")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    DECLINED = "declined", _("Declined")


class PublicationForm(models.TextChoices):
    MASKED = "masked", _("The message, masked (the author agreed)")
    SUMMARY = "summary", _("An anonymised summary (no consent)")


class Publication(models.Model):
    """One message on its way to (or on) the public board; the public text is kept here, never
    read from the message, so nothing the editor did not see can reach the public."""

    message = models.OneToOneField(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PublicationState.choices, db_index=True
    )
    form = models.CharField(_("form"), max_length=8, choices=PublicationForm.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    proposal_note = models.TextField(_("why it is exemplary"), blank=True)
    # What the public sees: masked (or written) by the editor, frozen at publication.
    title = models.CharField(_("public title"), max_length=200)
    text = models.TextField(_("public text"))
    reply = models.TextField(_("public reply"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(null=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True)
    closed_reason = models.TextField(blank=True)
    # The board's filters, copied from the message at publication.
    region = models.ForeignKey("orgs.Region", null=True, on_delete=models.PROTECT, related_name="+")
    theme = models.ForeignKey(
        "taxonomy.Theme", null=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "taxonomy.Category", null=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["state", "-published_at"], name="publication_board")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state == PublicationState.PUBLISHED


def search_body(text: str, reply: str) -> str:
    """What the search index holds of a publication besides its title: the public words only."""
    return f"{text}\n{reply}"


class ImpactAction(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


def _retained_until() -> dt.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + RETENTION_YEARS, day=28)


class ImpactRecord(models.Model):
    """A personal-information impact record (个人信息保护影响评估, PIPL Art. 55–56): who assessed
    the publication, what was masked (kinds and counts, never the values), consent, the form,
    the second approver, when. Append-only; cannot be deleted before ``retain_until``."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="impact_records"
    )
    action = models.CharField(_("action"), max_length=16, choices=ImpactAction.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    consent = models.BooleanField(_("the author agreed to publication"))
    form = models.CharField(_("form"), max_length=8, choices=PublicationForm.choices)
    masked = models.JSONField(_("masked"), default=dict)  # {"mobile": 1, "name": 2, ...}
    edited = models.BooleanField(_("adjusted by the editor"), default=False)
    note = models.TextField(_("note"), blank=True)
    retain_until = models.DateField(_("kept until"), default=_retained_until)

    class Meta:
        verbose_name = _("personal-information impact record")
        verbose_name_plural = _("personal-information impact records")
        ordering = ["assessed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.assessed_at:%Y-%m-%d}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if timezone.localdate() < self.retain_until:
            raise RecordRetained(self.retain_until)
        return super().delete(*args, **kwargs)


class RecordRetained(Exception):
    """An impact record is deleted before the end of its retention period."""
