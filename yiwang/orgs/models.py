"""Regions (GB/T 2260), government bodies and departments, and service halls."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.kinds import DepartmentKind


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("District or county")


class Region(models.Model):
    """An administrative division, identified by its six-digit GB/T 2260 code."""

    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    def ancestors_and_self(self) -> list[Region]:
        """This region and every region above it, nearest first (at most three levels)."""
        chain: list[Region] = []
        node: Region | None = self
        while node is not None and len(chain) < 8:
            chain.append(node)
            node = node.parent
        return chain


class Department(models.Model):
    """A government body or one of its departments; bodies and departments form one tree."""

    short_code = models.CharField(
        _("short code"),
        max_length=16,
        unique=True,
        help_text=_("The abbreviation used in document numbers, e.g. 浙建."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "short_code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        indexes = [models.Index(fields=["kind", "region"], name="orgs_dept_kind_region")]

    def __str__(self) -> str:
        return self.name_zh


class ServiceHall(models.Model):
    """A government service hall (政务服务大厅) where citizens may also leave messages."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="halls"
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=256)
    address_en = models.CharField(_("address (English)"), max_length=256, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")

    def __str__(self) -> str:
        return self.name_zh
