"""The service catalogue after GB/T 39046-2020: items (基本目录) in the hierarchy 主项 → 子项 →
业务办理项, and their implementations (实施清单) — one item implemented by many bodies in many
regions, each with its own guide (办事指南): time limits, conditions, procedure, materials, fees,
place, hours, phones, FAQ. English may be partial; ``has_english_guide`` says whether it is whole.
See ``shared/reference/service-items-gbt39046.md`` and decision 0028.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.catalogue.codes import (
    BASIC_CODE,
    IMPLEMENTATION_CODE,
    BodyNature,
    BusinessKind,
    ItemType,
    Level,
    Node,
    Scope,
    TimeUnit,
)


class ServiceTheme(models.Model):
    """A theme for persons (生育收养, 户籍办理 …) or for legal entities (设立变更, 准营准办 …)."""

    class For(models.TextChoices):
        PERSONS = "person", _("Persons")
        ENTITIES = "entity", _("Legal entities")

    code = models.CharField(_("code"), max_length=16, unique=True)
    audience = models.CharField(_("for"), max_length=8, choices=For.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)

    class Meta:
        ordering = ["audience", "code"]
        verbose_name = _("service theme")
        verbose_name_plural = _("service themes")

    def __str__(self) -> str:
        return self.name_zh


class ServiceItem(models.Model):
    """An item of the basic catalogue: what can be applied for, whoever implements it."""

    basic_code = models.CharField(
        _("basic code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(BASIC_CODE.pattern)],
        help_text=_("2 letters of the type, 5 digits of the main item, 3 of the sub-item."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    item_type = models.CharField(_("type"), max_length=2, choices=ItemType.choices)
    node = models.CharField(_("place in the hierarchy"), max_length=8, choices=Node.choices)
    business_kind = models.CharField(
        _("business"), max_length=16, choices=BusinessKind.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    themes = models.ManyToManyField(ServiceTheme, verbose_name=_("themes"), blank=True)

    class Meta:
        ordering = ["basic_code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(
                condition=Q(node=Node.MAIN, parent__isnull=True)
                | (~Q(node=Node.MAIN) & Q(parent__isnull=False)),
                name="catalogue_item_parent_by_node",
            ),
            models.CheckConstraint(
                condition=Q(node=Node.BUSINESS) | Q(business_kind=""),
                name="catalogue_item_business_kind_only_on_business_items",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.basic_code})"


class Implementation(models.Model):
    """An item as one body implements it in one region (实施清单), with its guide."""

    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="implementations",
    )
    code = models.CharField(
        _("implementation code"),
        max_length=24,
        unique=True,
        validators=[RegexValidator(IMPLEMENTATION_CODE.pattern)],
    )
    body = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("implementing body"),
        on_delete=models.PROTECT,
        related_name="implementations",
    )
    body_credit_code = models.CharField(_("unified social credit code"), max_length=18)
    body_nature = models.CharField(
        _("nature of the body"),
        max_length=1,
        choices=BodyNature.choices,
        default=BodyNature.STATUTORY,
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=1, choices=Level.choices)
    statutory_limit = models.PositiveIntegerField(_("statutory time limit"))
    statutory_unit = models.CharField(_("unit"), max_length=16, choices=TimeUnit.choices)
    promised_limit = models.PositiveIntegerField(_("promised time limit"))
    promised_unit = models.CharField(_("unit"), max_length=16, choices=TimeUnit.choices)
    audiences = models.PositiveSmallIntegerField(_("serves"), help_text=_("Bits of A.4."))
    handling_forms = models.PositiveSmallIntegerField(_("handled"), help_text=_("Bits of A.5."))
    scope = models.CharField(
        _("can be handled"), max_length=16, choices=Scope.choices, default=Scope.LOCAL
    )
    conditions = models.TextField(_("conditions"), blank=True)
    procedure = models.TextField(_("procedure"), blank=True)
    result_name = models.CharField(_("result"), max_length=200, blank=True)
    charges = models.BooleanField(_("charges a fee"), default=False)
    fee_basis = models.TextField(_("fee and its basis"), blank=True)
    online = models.BooleanField(_("can be applied for online"), default=False)
    online_url = models.URLField(_("online address"), max_length=500, blank=True)
    appointment = models.BooleanField(_("appointments"), default=False)
    online_payment = models.BooleanField(_("online payment"), default=False)
    express = models.BooleanField(_("delivery by post"), default=False)
    place = models.CharField(_("place"), max_length=300, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("enquiries"), max_length=64, blank=True)
    supervision_phone = models.CharField(_("complaints"), max_length=64, blank=True)
    # English guide, where there is one (the page says when it is partial).
    conditions_en = models.TextField(_("conditions (English)"), blank=True)
    procedure_en = models.TextField(_("procedure (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["item__basic_code", "region__code"]
        verbose_name = _("implementation")
        verbose_name_plural = _("implementations")
        indexes = [
            models.Index(fields=["region", "item"], name="catalogue_impl_region_item"),
            # One segment of the search results: an item's implementations in a region by
            # one kind of body, in code order (search.py pages through it).
            models.Index(
                fields=["item", "region", "body_nature", "code"],
                name="catalogue_impl_segment",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "body", "region"], name="catalogue_impl_once_per_body_and_region"
            ),
            models.CheckConstraint(condition=~Q(audiences=0), name="catalogue_impl_serves_someone"),
            models.CheckConstraint(
                condition=~Q(handling_forms=0), name="catalogue_impl_handled_somehow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name_zh} · {self.body}"

    @property
    def has_english_guide(self) -> bool:
        """Whether the guide is whole in English (else the English page says it is partial)."""
        conditions = bool(self.conditions_en) or not self.conditions
        procedure = bool(self.procedure_en) or not self.procedure
        return bool(self.item.name_en) and conditions and procedure


class Material(models.Model):
    """One material an application needs (申请材料)."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["implementation", "position"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.UniqueConstraint(
                fields=["implementation", "position"], name="catalogue_material_position"
            )
        ]

    def __str__(self) -> str:
        return self.name_zh


class Question(models.Model):
    """A frequently asked question of an implementation (常见问题)."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))

    class Meta:
        ordering = ["implementation", "position"]
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")

    def __str__(self) -> str:
        return self.question[:50]


class PlaceCount(models.Model):
    """How many active implementations an item has in one region, per kind of body, level,
    online flag and audiences: what search reads for its counts, facets and result order,
    whatever the size of the catalogue. Rebuilt per item by ``actions.do_refresh_search``."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    body_nature = models.CharField(max_length=1, choices=BodyNature.choices)
    level = models.CharField(max_length=1, choices=Level.choices)
    online = models.BooleanField()
    audiences = models.PositiveSmallIntegerField()
    implementations = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("implementation count")
        verbose_name_plural = _("implementation counts")
        indexes = [models.Index(fields=["item", "region"], name="catalogue_count_item_region")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.region_id}: {self.implementations}"
