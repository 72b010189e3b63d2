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
