"""The category tree (versioned, any depth) and the global list of themes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.kinds import DepartmentKind


class TaxonomyVersion(models.Model):
    """One complete category tree. Messages keep pointing at the version they were filed in."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    source = models.CharField(_("source"), max_length=256, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("taxonomy version")
        verbose_name_plural = _("taxonomy versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="taxonomy_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of a taxonomy version: ``07`` is a major category, ``07.03`` a minor one."""

    version = models.ForeignKey(
        TaxonomyVersion,
        verbose_name=_("taxonomy version"),
        on_delete=models.PROTECT,
        related_name="categories",
    )
    code = models.CharField(_("code"), max_length=32)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    depth = models.PositiveSmallIntegerField(_("depth"))
    name_zh = models.CharField(_("Chinese name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=400, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    dept_kind = models.CharField(
        _("responsible department kind"),
        max_length=32,
        choices=DepartmentKind.choices,
        blank=True,
    )
    is_leaf = models.BooleanField(_("leaf"), default=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("working days to reply"),
        null=True,
        blank=True,
        help_text=_("Empty: the site's default (5 working days)."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="category_code_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def responsible_kind(self) -> str:
        """This node's department kind, else the nearest ancestor's ('' when none says)."""
        node: Category | None = self
        while node is not None:
            if node.dept_kind:
                return node.dept_kind
            node = node.parent
        return ""


class Theme(models.Model):
    """A theme (话题) from the global list; a campaign picks its subset."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=400, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name_zh
