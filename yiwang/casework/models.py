"""What casework adds to a message: co-handling departments, extension requests, merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CoHandling(models.Model):
    """A department that helps the lead department with a message (协办)."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="co_handlings",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="co_handlings",
    )

    class Meta:
        verbose_name = _("co-handling department")
        verbose_name_plural = _("co-handling departments")
        constraints = [
            models.UniqueConstraint(fields=["message", "department"], name="cohandling_once")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.department_id}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the supervisor")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """A department asks for more time (延期); a supervisor approves or refuses."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="extension_requests",
    )
    days = models.PositiveSmallIntegerField(_("working days asked for"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(status="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} +{self.days}"


class Merge(models.Model):
    """A message merged into another one that says the same (并单)."""

    message = models.OneToOneField(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="merge",
    )
    into = models.ForeignKey(
        "intake.Message",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_at = models.DateTimeField(_("merged at"))

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.message_id} → {self.into_id}"


class CalendarYear(models.Model):
    """A year of official holidays and make-up working days added by an administrator.

    The platform ships China's calendar for 2004–2026 (chinesecalendar); each later year is
    entered from the State Council's notice as the JSON of ``yiwang/lib/workdays.md``.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    data = models.TextField(
        _("holidays and make-up working days (JSON)"),
        help_text=_("The format is described in yiwang/lib/workdays.md."),
    )
    source = models.CharField(_("source (the notice)"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)
