"""Online applications (我要办) for an implementation of the catalogue, after GB/T 39046
tables 5–9: the application (办件) with its number, acceptance, steps, completion and the
好差评 rating, whose bad ratings the department follows up (with an appeal). See
``machine.py`` for the moves and decision 0030.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationKind(models.TextChoices):
    """A.6 办件类型."""

    IMMEDIATE = "1", _("Done on the spot")  # 即办件
    PROMISED = "2", _("Done by a promised date")  # 承诺件


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    CORRECTION = "correction", _("Waiting for more materials")
    ACCEPTED = "accepted", _("Accepted, under review")
    DECIDING = "deciding", _("Reviewed, awaiting the decision")
    COMPLETED = "completed", _("Completed")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINISHED_STATES = (
    ApplicationState.COMPLETED,
    ApplicationState.NOT_ACCEPTED,
    ApplicationState.WITHDRAWN,
)


class ApplicantType(models.TextChoices):
    PERSON = "person", _("A person")
    ENTITY = "entity", _("A company or organisation")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=50, unique=True)
    implementation = models.ForeignKey(
        "catalogue.Implementation",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # The implementing body when applied for: whose officers handle it and who is rated.
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(_("kind"), max_length=1, choices=ApplicationKind.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ApplicationState.choices,
        default=ApplicationState.SUBMITTED,
    )
    applicant_type = models.CharField(_("applicant"), max_length=8, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("applicant's name"), max_length=100)
    # The ID number (persons) or unified social credit code (entities), the mobile and the
    # address, encrypted with the site's key ring; hashes find an applicant's applications.
    identifier_encrypted = models.TextField()
    identifier_hash = models.CharField(max_length=64, db_index=True)
    mobile_encrypted = models.TextField()
    address_encrypted = models.TextField(blank=True)
    query_code_digest = models.CharField(max_length=64)
    submission_token_hash = models.CharField(max_length=64, unique=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_number = models.CharField(_("acceptance notice number"), max_length=50, blank=True)
    due_date = models.DateField(_("promised completion date"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    result_text = models.TextField(_("result"), blank=True)
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    corrections = models.PositiveSmallIntegerField(_("corrections asked"), default=0)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["department", "state"], name="applications_dept_state"),
        ]

    def __str__(self) -> str:
        return self.number


class SubmittedMaterial(models.Model):
    """A file the applicant sent for one material of the guide, in one round (1, then one
    more per correction). The material's name is kept: an import may replace the guide's."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalogue.Material", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    material_name = models.CharField(_("material"), max_length=200)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    file = models.FileField(max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["application", "round", "id"]
        verbose_name = _("submitted material")
        verbose_name_plural = _("submitted materials")

    def __str__(self) -> str:
        return f"{self.material_name}: {self.original_name}"


class ApplicationEvent(models.Model):
    """One move of an application (append-only): who, when, what, and the opinion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Application events are append-only.")


class Satisfaction(models.IntegerChoices):
    """A.8 满意度: 1 is the best."""

    VERY_SATISFIED = 1, _("Very satisfied")
    SATISFIED = 2, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 4, _("Dissatisfied")
    VERY_DISSATISFIED = 5, _("Very dissatisfied")


BAD_SCORES = (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    PC = "pc", _("Computer")
    MOBILE = "mobile", _("Phone")
    QR = "qr", _("QR code")
    TABLET = "tablet", _("Hall tablet")
    PHONE = "phone", _("Telephone")
    SMS = "sms", _("Text message")


class Rating(models.Model):
    """好差评: one rating per application (一事一评)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="service_ratings"
    )
    score = models.PositiveSmallIntegerField(
        _("satisfaction"),
        choices=Satisfaction.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"))
    # An upheld appeal leaves the rating visible but out of the department's figures.
    excluded = models.BooleanField(_("excluded from the figures"), default=False)

    class Meta:
        ordering = ["-rated_at"]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="applications_score_a8"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.score}"


class FollowUpState(models.TextChoices):
    OPEN = "open", _("To be followed up")
    RECTIFIED = "rectified", _("Followed up")
    APPEALED = "appealed", _("Appealed by the department")
    UPHELD = "upheld", _("Appeal upheld")


class FollowUp(models.Model):
    """A bad rating's follow-up (差评整改): the department contacts the applicant and puts it
    right within the due date, or appeals once; a supervisor decides the appeal."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up")
    department = models.ForeignKey("orgs.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    due_date = models.DateField(_("to be followed up by"))
    rectification = models.TextField(_("what was done"), blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_reason = models.TextField(_("grounds of appeal"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rating follow-up")
        verbose_name_plural = _("rating follow-ups")

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.state}"


class ApplicationSequence(models.Model):
    """The last application number handed out on a day (local time)."""

    day = models.DateField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"
