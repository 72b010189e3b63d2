"""Forwarding documents (转办单/交办函), their numbering series, and leaders' instructions (批示).

A forward issues one numbered document; a return voids it (the row and its number stay); the
next forward issues a new one. See ``documents.md`` for the numbering guarantees.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuingBody(models.Model):
    """How a body numbers its forwarding documents; without a row the prefix is derived."""

    department = models.OneToOneField(
        "orgs.Department",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="issuing_body",
    )
    prefix = models.CharField(
        _("document number prefix"),
        max_length=16,
        help_text=_("The body's mark in document numbers, e.g. 国办留 for 国办留〔2017〕123号."),
    )

    class Meta:
        verbose_name = _("issuing body")
        verbose_name_plural = _("issuing bodies")

    def __str__(self) -> str:
        return self.prefix


class NumberSeries(models.Model):
    """The last number a body gave out in a year; its row is locked while a number is taken."""

    body = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="number_series",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("document number series")
        verbose_name_plural = _("document number series")
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="documents_series_once")
        ]

    def __str__(self) -> str:
        return f"{self.body_id} {self.year}: {self.last_number}"


class ForwardingDocument(models.Model):
    """The formal document that sends a message to its lead department (转办单)."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="forwarding_documents",
    )
    body = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    reference = models.CharField(_("document number"), max_length=64)
    lead_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="received_documents",
    )
    co_departments = models.ManyToManyField(
        "orgs.Department",
        verbose_name=_("co-handling departments"),
        blank=True,
        related_name="+",
    )
    request_text = models.TextField(_("request to the department"), blank=True)
    deadline = models.DateField(_("reply due by"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.TextField(_("why it was voided"), blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("forwarding document")
        verbose_name_plural = _("forwarding documents")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "number"], name="documents_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def download_name(self) -> str:
        """A file name without the brackets some systems mangle: 浙政办留-2026-7."""
        return f"{self.reference_prefix}-{self.year}-{self.number}"

    @property
    def reference_prefix(self) -> str:
        return self.reference.split("〔", 1)[0]


class LeaderInstruction(models.Model):
    """A leader's written instruction on a message (批示), entered by the desk."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="leader_instructions",
    )
    leader_name = models.CharField(_("leader's name"), max_length=64)
    leader_title = models.CharField(_("leader's position"), max_length=128, blank=True)
    text = models.TextField(_("instruction"))
    instructed_on = models.DateField(_("date of the instruction"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["instructed_on", "entered_at", "pk"]
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")

    def __str__(self) -> str:
        return f"{self.leader_name}: {self.text[:20]}"
