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


class SupervisorDecision(models.Model):
    """Who of the desk's supervisors decided a request, and when (none while pending)."""

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
        abstract = True


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the supervisor")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(SupervisorDecision):
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


class Assignment(models.Model):
    """One forwarding of a message to a lead department (交办), for the response rate."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    forwarded_at = models.DateTimeField(_("forwarded at"))
    accepted_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    # Returned by the department, or replaced by a new forwarding after the case was reopened.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["forwarded_at", "department"], name="assignment_month")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.department_id}"


class Score(models.IntegerChoices):
    """The five-level scale of the good-and-bad review system (好差评)."""

    VERY_SATISFIED = 1, _("Very satisfied")
    SATISFIED = 2, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    UNSATISFIED = 4, _("Unsatisfied")
    VERY_UNSATISFIED = 5, _("Very unsatisfied")


class Rating(models.Model):
    """The citizen's rating of an answer (回访): one per round of handling."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("rated department"),
        null=True,
        blank=True,  # none: the desk answered itself
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    round = models.PositiveSmallIntegerField(_("round of handling"))
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"))
    # A supervisor upheld the department's appeal: the rating no longer counts.
    excluded = models.BooleanField(_("excluded after an appeal"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["message", "round"], name="rating_once_per_round"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score"),
        ]
        indexes = [models.Index(fields=["created_at", "department"], name="rating_month")]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.round}: {self.score}"

    @property
    def is_satisfied(self) -> bool:
        return self.score <= Score.FAIRLY_SATISFIED


class Party(models.TextChoices):
    CITIZEN = "citizen", _("The citizen")
    DEPARTMENT = "department", _("The department")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the supervisor")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Appeal(SupervisorDecision):
    """The citizen appeals the handling, or a department a rating it finds mistaken (申诉)."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    party = models.CharField(_("appealed by"), max_length=16, choices=Party.choices)
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("rating appealed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    text = models.TextField(_("grounds"))
    created_at = models.DateTimeField(_("appealed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appealed by (staff)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["message"], condition=Q(party="citizen"), name="appeal_once_by_citizen"
            ),
            models.UniqueConstraint(
                fields=["rating"], condition=Q(party="department"), name="appeal_once_per_rating"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.message_id}"


class Rehandling(models.Model):
    """A case handled again (重办) after an unsatisfied rating or an upheld appeal."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="rehandlings",
    )
    rating = models.OneToOneField(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="rehandling"
    )
    appeal = models.OneToOneField(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="rehandling"
    )
    previous_reply = models.TextField(_("previous reply"), blank=True)
    at = models.DateTimeField(_("reopened at"))

    class Meta:
        verbose_name = _("re-handling")
        verbose_name_plural = _("re-handlings")

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.at:%Y-%m-%d}"
