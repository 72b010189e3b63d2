"""What the classifier learns from: labelled examples, imported or taken from the desk's
decisions. The machine's own suggestions are kept apart from these (the human decision is the
label)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    CATEGORY = "category", _("Category")
    DEPARTMENT = "department", _("Lead department")


class TrainingExample(models.Model):
    """One labelled historical message, imported from a file (CSV/XLSX)."""

    target = models.CharField(_("what it teaches"), max_length=16, choices=Target.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("label as imported"), max_length=300)
    source = models.CharField(_("source file"), max_length=200)
    # sha256 of target, title, text and label: importing a file twice adds nothing.
    fingerprint = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target="category", category__isnull=False, department__isnull=True)
                    | models.Q(target="department", department__isnull=False, category__isnull=True)
                ),
                name="example_label_matches_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.label}"


class ModelVersion(models.Model):
    """One trained model: an artefact file with its sha256, metrics and what it learnt from."""

    target = models.CharField(_("what it suggests"), max_length=16, choices=Target.choices)
    number = models.PositiveIntegerField(_("version"))
    artefact = models.CharField(_("artefact file"), max_length=200)  # in private storage
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    metrics = models.JSONField(_("metrics"), default=dict)
    training = models.JSONField(_("training data"), default=dict)
    created_at = models.DateTimeField(_("trained at"))
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        ordering = ["target", "-number"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(fields=["target", "number"], name="model_number_once"),
            models.UniqueConstraint(
                fields=["target"], condition=models.Q(is_active=True), name="model_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.number}"


class Suggestion(models.Model):
    """What the machine suggested for a message, kept apart from what the desk decided.

    ``ranked`` holds at most a few entries ``{"id": …, "probability": …, "words": […]}`` naming
    categories (or departments) that were active when the suggestion was made.
    """

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    target = models.CharField(_("what it suggests"), max_length=16, choices=Target.choices)
    model_version = models.ForeignKey(
        ModelVersion,
        verbose_name=_("model version"),
        null=True,
        blank=True,  # none: the taxonomy's keywords (cold start)
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    ranked = models.JSONField(_("ranked suggestions"), default=list)
    abstained = models.BooleanField(_("abstained"), default=False)
    # Why there is no suggestion, or where it came from (see yiwang.classifier.suggest.SOURCES).
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("suggested at"))
    auto_applied_at = models.DateTimeField(_("applied by the machine at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [
            models.Index(fields=["message", "target", "-created_at"], name="suggestion_latest")
        ]

    def __str__(self) -> str:
        return f"{self.target} for {self.message_id}"


class AutoApplyRule(models.Model):
    """Above this confidence, a suggestion in this major category is applied by itself."""

    category = models.OneToOneField(
        "taxonomy.Category",
        verbose_name=_("major category"),
        on_delete=models.CASCADE,
        related_name="auto_apply_rule",
    )
    threshold = models.FloatField(_("confidence threshold"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("automatic application rule")
        verbose_name_plural = _("automatic application rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0.5, threshold__lte=1.0),
                name="auto_apply_threshold_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} ≥ {self.threshold:.2f}"
