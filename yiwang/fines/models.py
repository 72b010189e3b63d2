"""Parking cases (违停) and their decisions, suspensions and payments (issue 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    DECIDED = "decided", _("Decided")  # the decision is issued, not yet served
    SERVED = "served", _("Served")  # the party has it: the 15 days run
    PAID = "paid", _("Paid")


class ParkingCase(models.Model):
    """One parking violation, decided by a district's enforcement bureau."""

    bureau = models.ForeignKey(
        "orgs.Department", verbose_name=_("enforcement bureau"), on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    plate = models.CharField(_("plate"), max_length=10, db_index=True)
    place = models.CharField(_("place"), max_length=200)
    occurred_at = models.DateTimeField(_("time of the violation"))
    legal_basis = models.TextField(_("legal basis"))
    facts = models.TextField(_("facts"))
    amount = models.PositiveIntegerField(_("fine (fen)"))
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices)
    decision_number = models.CharField(
        _("decision number"), max_length=16, unique=True, null=True, blank=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_amount = models.PositiveIntegerField(_("paid (fen)"), null=True, blank=True)
    paid_late_fee = models.PositiveIntegerField(_("late fee paid (fen)"), null=True, blank=True)
    payment_id = models.CharField(_("payment id"), max_length=26, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("parking case")
        verbose_name_plural = _("parking cases")
        indexes = [models.Index(fields=["bureau", "-created_at"], name="case_bureau_newest")]
        constraints = [
            models.CheckConstraint(name="case_fine_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return self.decision_number or f"#{self.pk}"


class CasePhoto(models.Model):
    case = models.ForeignKey(ParkingCase, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return str(self.file.name)


class DecisionSequence(models.Model):
    """The last decision number a district used in a year."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="decision_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}: {self.last_value}"


class SuspensionKind(models.TextChoices):
    REVIEW = "review", _("Administrative review (复议)")
    LAWSUIT = "lawsuit", _("Administrative lawsuit (诉讼)")


class Suspension(models.Model):
    """A review or lawsuit: while it is pending, no late fee accrues."""

    case = models.ForeignKey(ParkingCase, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("kind"), max_length=16, choices=SuspensionKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_on}–{self.ended_on or ''}"


class CasePayment(models.Model):
    """One attempt to pay the case through the payment platform (its id there)."""

    case = models.ForeignKey(ParkingCase, on_delete=models.PROTECT, related_name="payments")
    payment_id = models.CharField(_("payment id"), max_length=26, unique=True)
    amount = models.PositiveIntegerField(_("amount (fen)"))
    late_fee = models.PositiveIntegerField(_("late fee (fen)"))
    created_at = models.DateTimeField(_("created at"))
    outcome = models.CharField(_("outcome"), max_length=16, blank=True)  # "" while open

    class Meta:
        verbose_name = _("case payment")
        verbose_name_plural = _("case payments")

    def __str__(self) -> str:
        return self.payment_id


class CaseEvent(models.Model):
    """What happened to a case, by whom, at which district's office. Append-only."""

    case = models.ForeignKey(ParkingCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        "orgs.Region",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
