"""Citizen messages, their append-only history, attachments and tracking-number counters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Nature(models.TextChoices):
    CONSULT = "consult", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")
    THANKS = "thanks", _("Thanks")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    API = "api", _("API")
    QR = "qr", _("QR code in a service hall")
    HALL = "hall", _("Service hall counter")
    IMPORT = "import", _("Bulk import")
    OPEN311 = "open311", _("Open311")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    GATEWAY = "gateway", _("Messaging gateway (SMS, WeChat)")


class MessageState(models.TextChoices):
    """The states a message can be in; the moves between them belong to the casework module."""

    NEW = "new", _("Received")
    TRIAGED = "triaged", _("Classified")
    FORWARDED = "forwarded", _("Forwarded to a department")
    ACCEPTED = "accepted", _("Being handled by the department")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned to the desk")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ANSWERED = "answered", _("Answered by the desk")
    MERGED = "merged", _("Merged into another message")


class Message(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True)
    query_code_digest = models.CharField(max_length=64)
    # Unique while set: a replayed submission token or an identical message inside the
    # duplicate window finds the first message instead of creating a second (see actions).
    submission_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    fingerprint = models.CharField(max_length=64, null=True, blank=True, unique=True)

    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    is_long = models.BooleanField(_("longer than the web limit"), default=False)
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices)
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="messages"
    )
    theme = models.ForeignKey(
        "taxonomy.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    category_is_partial = models.BooleanField(
        _("labelled above leaf level"),
        default=False,
        help_text=_("Imported history labelled only with a higher-level category."),
    )
    lead_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_messages",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=MessageState.choices, default=MessageState.NEW
    )

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=128, blank=True)
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; one index fewer on every insert
    )
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    # Where it was written: a service hall (by its QR code or counter) and a campaign.
    hall = models.ForeignKey(
        "orgs.ServiceHall",
        verbose_name=_("service hall"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,  # partial index below: most messages have none
    )
    campaign = models.ForeignKey(
        "channels.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,  # partial index below: most messages have none
    )
    # The id the message had in the system it was imported from (with ``source``): a second
    # import of the same row finds it instead of creating it again.
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    mobile_encrypted = models.TextField(blank=True)
    mobile_hash = models.CharField(max_length=64, blank=True)
    email_encrypted = models.TextField(blank=True)
    email_hash = models.CharField(max_length=64, blank=True)
    id_number_encrypted = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True)
    consent_publish = models.BooleanField(_("agrees to publication"), default=False)

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    # Same-day clearance (日清日结): the local day by which the desk must have handled it, and
    # when and by whom it first left "new" (see yiwang/casework/clearance.py).
    due_day = models.DateField(_("to be handled on"))
    cleared_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    deadline = models.DateField(_("reply due by"), null=True, blank=True)
    cleared_day = models.DateField(_("handled on"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # A department's reply reaches the citizen only once a supervisor has approved it.
    reply_approved_at = models.DateTimeField(_("reply approved at"), null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    # When earlier messages about the same matter were looked for (yiwang.dedupe).
    duplicates_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["lead_department", "-submitted_at"], name="msg_dept_recent"),
            models.Index(fields=["state", "-submitted_at"], name="msg_state_recent"),
            models.Index(fields=["due_day", "cleared_day"], name="msg_clearance"),
            models.Index(
                fields=["due_day"],
                condition=models.Q(cleared_at__isnull=True),
                name="msg_not_yet_handled",
            ),
            # Only handled rows: intake inserts (not handled yet) skip this index entirely.
            models.Index(
                fields=["cleared_day", "cleared_by"],
                condition=models.Q(cleared_day__isnull=False),
                name="msg_handled_by",
            ),
            # Most messages have no e-mail or ID number: index only the rows that have one.
            *(
                models.Index(
                    fields=[f"{field}_hash"],
                    name=f"msg_{field}_hash",
                    condition=~models.Q(**{f"{field}_hash": ""}),
                )
                for field in ("mobile", "email", "id_number")
            ),
            *(
                models.Index(
                    fields=[field, "-submitted_at"],
                    name=f"msg_{field}_recent",
                    condition=models.Q(**{f"{field}__isnull": False}),
                )
                for field in ("hall", "campaign")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="msg_external_id_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Message received")
    RESUBMITTED = "resubmitted", _("The same message was sent again")
    RECEIPT_SENT = "receipt_sent", _("Receipt sent")
    STATE_CHANGED = "state_changed", _("State changed")
    CASE_ACTION = "case_action", _("Case action")
    NOTE = "note", _("Internal note")
    ROUTED = "routed", _("Lead department suggested")
    SUPERVISION = "supervision", _("Supervision notice sent")
    FEEDBACK = "feedback", _("Rating and appeals")
    PUBLICATION = "publication", _("Publication")


class MessageEvent(models.Model):
    """One entry of a message's history. Append-only: rows are never changed or deleted."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    from_state = models.CharField(_("from state"), max_length=16, blank=True)
    to_state = models.CharField(_("to state"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=32, blank=True)
    note = models.TextField(_("internal note"), blank=True)
    public_note = models.TextField(_("note for the citizen"), blank=True)
    is_public = models.BooleanField(_("shown to the citizen"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("message event")
        verbose_name_plural = _("message events")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Message events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Message events are append-only.")


def attachment_path_for(sha256: str, extension: str) -> str:
    """Content-addressed: an identical file is stored once, whoever sends it."""
    return f"attachments/{sha256[:2]}/{sha256}.{extension}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return attachment_path_for(instance.sha256, instance.extension)


class Attachment(models.Model):
    """A file a citizen sent with a message. Stored privately; never published."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class DailySequence(models.Model):
    """The last tracking sequence handed out on a day (local time)."""

    day = models.DateField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"
