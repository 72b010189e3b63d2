"""A realistic provincial catalogue of any size, from the real item names in ``names.py``.

Every item of the basic catalogue (main items, sub-items, business items) is implemented by the
department of its kind in every region (province, cities, counties); past that, items for
persons are also implemented by numbered convenience service centres (便民服务中心, entrusted
organisations) of the counties, as many as the size asks. Implementations are enumerated in a
fixed order and cut at exactly ``count``: the same seed gives the same catalogue. Departments
are created as needed, with unified social credit codes whose check digits are computed.
Writes are ``bulk_create`` batches: the queries grow with batches, never with rows.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from stdnum.cn import uscc

from yiwang.catalogue.actions import do_refresh_search
from yiwang.catalogue.codes import (
    AUDIENCE_CODES,
    TYPE_LETTERS,
    BodyNature,
    BusinessKind,
    ItemType,
    Level,
    Node,
    TimeUnit,
)
from yiwang.catalogue.models import Implementation, Material, ServiceItem, ServiceTheme
from yiwang.catalogue.names import ITEMS, MATERIALS, THEMES
from yiwang.lib.batches import batched
from yiwang.orgs.kinds import DepartmentKind
from yiwang.orgs.models import Department, Region, RegionLevel

BATCH = 2000
BUSINESS_NAMES = {
    BusinessKind.NEW: "新办",
    BusinessKind.CHANGE: "变更",
    BusinessKind.RENEWAL: "延续",
    BusinessKind.CANCELLATION: "注销",
}
BUSINESS_EN = {
    BusinessKind.NEW: "new",
    BusinessKind.CHANGE: "change",
    BusinessKind.RENEWAL: "renewal",
    BusinessKind.CANCELLATION: "cancellation",
}
KIND_NAMES = {
    "public_security": "公安局",
    "market_regulation": "市场监督管理局",
    "health": "卫生健康委员会",
    "civil_affairs": "民政局",
    "human_resources": "人力资源和社会保障局",
    "housing_fund": "住房公积金管理中心",
    "natural_resources": "自然资源和规划局",
    "housing": "住房和城乡建设局",
    "urban_management": "综合行政执法局",
    "transport": "交通运输局",
    "education": "教育局",
    "taxation": "税务局",
    "medical_security": "医疗保障局",
    "ecology_environment": "生态环境局",
    "agriculture_rural": "农业农村局",
    "culture_tourism": "文化广电旅游局",
    "justice": "司法局",
    "veterans": "退役军人事务局",
    "emergency": "应急管理局",
    "disabled_persons": "残疾人联合会",
    "commerce": "商务局",
    "water_resources": "水利局",
    "forestry": "林业局",
    "sports": "体育局",
}
LEVEL_OF_REGION = {
    RegionLevel.PROVINCE: Level.PROVINCIAL,
    RegionLevel.CITY: Level.CITY,
    RegionLevel.COUNTY: Level.COUNTY,
}
AREA_CODES = {"3301": "0571", "3302": "0574", "3303": "0577", "3304": "0573"}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass
class ItemSpec:
    basic_code: str
    name_zh: str
    name_en: str
    item_type: str
    node: str
    kind: str
    theme: str
    statutory: int
    promised: int
    unit: str
    audiences: int
    materials: list[str]
    business_kind: str = ""
    parent_code: str = ""
    pk: int = 0

    @property
    def for_persons(self) -> bool:
        return bool(self.audiences & 1)


@dataclass
class Generated:
    items: int = 0
    implementations: int = 0
    materials: int = 0
    departments: int = 0
    themes: int = 0
    bodies: dict[tuple[int, str, int], Department] = field(default_factory=dict)


def organisation_code(base: str) -> str:
    """An organisation code (GB 11714): 8 digits and the check character."""
    total = sum(int(c) * w for c, w in zip(base, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base + {10: "X", 11: "0"}.get(check, str(check))


def credit_code_for(department: Department, region: Region) -> str:
    """A valid unified social credit code (机关: registration authority 1, category 1)."""
    base = f"{zlib.crc32(department.short_code.encode()) % 10**8:08d}"
    first17 = f"11{region.code}{organisation_code(base)}"
    return first17 + uscc.calc_check_digit(first17)


def item_specs() -> list[ItemSpec]:
    """The items of ``names.py`` with their basic codes, parents before children."""
    specs: list[ItemSpec] = []
    mains: dict[str, int] = {}
    for line in ITEMS.strip().splitlines():
        name, kind_type, kind, name_en, theme, stat, prom, unit, aud, mats, children = line.split(
            "|"
        )
        letters = TYPE_LETTERS[ItemType(kind_type)]
        mains[letters] = mains.get(letters, 0) + 1
        main = ItemSpec(
            basic_code=f"{letters}{mains[letters]:05d}000",
            name_zh=name,
            name_en=name_en,
            item_type=kind_type,
            node=Node.MAIN,
            kind=kind,
            theme=theme,
            statutory=int(stat),
            promised=int(prom),
            unit=unit,
            audiences=sum(AUDIENCE_CODES[code] for code in aud.split(",")),
            materials=mats.split(","),
        )
        specs.append(main)
        specs.extend(_children(main, children))
    return specs


def _children(main: ItemSpec, children: str) -> Iterator[ItemSpec]:
    stem = main.basic_code[:7]
    if children == "biz":
        for number, (kind, word) in enumerate(BUSINESS_NAMES.items(), start=1):
            english = f"{main.name_en} ({BUSINESS_EN[kind]})" if main.name_en else ""
            yield _child(
                main,
                f"{stem}{number:03d}",
                f"{main.name_zh}（{word}）",
                english,
                Node.BUSINESS,
                kind,
            )
    elif children:
        for number, sub in enumerate(children.split("/"), start=1):
            yield _child(main, f"{stem}{number:03d}", f"{main.name_zh}（{sub}）", "", Node.SUB, "")


def _child(
    main: ItemSpec, code: str, name: str, name_en: str, node: str, business_kind: str
) -> ItemSpec:
    return ItemSpec(
        **{
            **vars(main),
            "basic_code": code,
            "name_zh": name,
            "name_en": name_en,
            "node": node,
            "business_kind": business_kind,
            "parent_code": main.basic_code,
            "pk": 0,
        }
    )


class CatalogueNotEmpty(ValueError):
    """The generator writes a whole catalogue; it never mixes one into existing items."""


def generate_catalogue(count: int, seed: int = 2020) -> Generated:
    """Exactly ``count`` implementations (and their items, bodies and materials)."""
    if ServiceItem.objects.exists():
        raise CatalogueNotEmpty("The catalogue already has items; generate into an empty one.")
    regions = list(Region.objects.order_by("code"))
    if not regions:
        raise ValueError("No regions: load the reference data first.")
    specs = item_specs()
    capacity = _capacity(specs, regions)
    if capacity is not None and count > capacity:
        raise ValueError(f"Without county regions at most {capacity} implementations fit.")
    result = Generated()
    rng = random.Random(seed)
    with transaction.atomic():
        result.themes = _themes()
        result.items = _items(specs)
    result.bodies = _existing_bodies(regions)
    for batch in batched(_combinations(specs, regions, count), BATCH):
        with transaction.atomic():
            _write_batch(batch, rng, result)
    with transaction.atomic():
        do_refresh_search()
    return result


def _capacity(specs: list[ItemSpec], regions: list[Region]) -> int | None:
    if any(region.level == RegionLevel.COUNTY for region in regions):
        return None
    return len(specs) * len(regions)


def _themes() -> int:
    existing = set(ServiceTheme.objects.values_list("code", flat=True))
    new = [
        ServiceTheme(code=code, audience=audience, name_zh=name_zh, name_en=name_en)
        for code, audience, name_zh, name_en in THEMES
        if code not in existing
    ]
    ServiceTheme.objects.bulk_create(new)
    return len(new)


def _items(specs: list[ItemSpec]) -> int:
    by_code: dict[str, ItemSpec] = {spec.basic_code: spec for spec in specs}
    for node in (Node.MAIN, Node.SUB, Node.BUSINESS):
        level = [spec for spec in specs if spec.node == node]
        rows = [
            ServiceItem(
                basic_code=spec.basic_code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                item_type=spec.item_type,
                node=spec.node,
                business_kind=spec.business_kind,
                parent_id=by_code[spec.parent_code].pk if spec.parent_code else None,
            )
            for spec in level
        ]
        for spec, row in zip(level, ServiceItem.objects.bulk_create(rows), strict=True):
            spec.pk = row.pk
    themes = dict(ServiceTheme.objects.values_list("code", "pk"))
    through = ServiceItem.themes.through
    through.objects.bulk_create(
        [through(serviceitem_id=spec.pk, servicetheme_id=themes[spec.theme]) for spec in specs]
    )
    return len(specs)


def _existing_bodies(regions: list[Region]) -> dict[tuple[int, str, int], Department]:
    """The first department of each kind in each region is the body of slot 0."""
    bodies: dict[tuple[int, str, int], Department] = {}
    for department in Department.objects.filter(region__in=regions).order_by("short_code"):
        bodies.setdefault((department.region_id, department.kind, 0), department)
    return bodies


def _combinations(
    specs: list[ItemSpec], regions: list[Region], count: int
) -> Iterator[tuple[ItemSpec, Region, int]]:
    produced = 0
    counties = [region for region in regions if region.level == RegionLevel.COUNTY]
    slot = 0
    while produced < count:
        places = regions if slot == 0 else counties
        for spec in specs:
            if slot and not spec.for_persons:
                continue
            for region in places:
                if produced == count:
                    return
                produced += 1
                yield spec, region, slot
        slot += 1


def _write_batch(
    batch: list[tuple[ItemSpec, Region, int]], rng: random.Random, result: Generated
) -> None:
    _create_bodies(batch, result)
    implementations = [
        _implementation(spec, region, slot, rng, result) for spec, region, slot in batch
    ]
    Implementation.objects.bulk_create(implementations)
    materials = [
        material
        for (spec, _region, _slot), implementation in zip(batch, implementations, strict=True)
        for material in _materials(spec, implementation)
    ]
    Material.objects.bulk_create(materials)
    result.implementations += len(implementations)
    result.materials += len(materials)


def _body_key(spec: ItemSpec, region: Region, slot: int) -> tuple[int, str, int]:
    return (region.pk, DepartmentKind.TOWNSHIP if slot else spec.kind, slot)


def _create_bodies(batch: list[tuple[ItemSpec, Region, int]], result: Generated) -> None:
    missing: dict[tuple[int, str, int], Department] = {}
    for spec, region, slot in batch:
        key = _body_key(spec, region, slot)
        if key not in result.bodies and key not in missing:
            missing[key] = _new_body(spec, region, slot)
    Department.objects.bulk_create(list(missing.values()))
    result.bodies.update(missing)
    result.departments += len(missing)


def _new_body(spec: ItemSpec, region: Region, slot: int) -> Department:
    if slot:
        return Department(
            short_code=f"Y{region.code}S{slot:04d}",
            name_zh=f"{region.name_zh}第{slot}便民服务中心",
            name_en=f"{region.name_en} Convenience Service Centre No. {slot}".strip(),
            kind=DepartmentKind.TOWNSHIP,
            region=region,
        )
    index = DepartmentKind.values.index(spec.kind)
    return Department(
        short_code=f"Y{region.code}K{index:02d}",
        name_zh=f"{region.name_zh}{KIND_NAMES.get(spec.kind, '政务服务中心')}",
        kind=spec.kind,
        region=region,
    )


def _implementation(
    spec: ItemSpec, region: Region, slot: int, rng: random.Random, result: Generated
) -> Implementation:
    body = result.bodies[_body_key(spec, region, slot)]
    code = f"{spec.basic_code}{region.code}{slot:04d}"
    online = rng.random() < 0.7
    forms = 1 | (2 if online else 0) | (4 if online and rng.random() < 0.5 else 0)
    forms |= 8 if rng.random() < 0.3 else 0
    promised, promised_unit = _promised(spec, rng)
    return Implementation(
        item_id=spec.pk,
        code=code,
        body=body,
        body_credit_code=credit_code_for(body, region),
        body_nature=BodyNature.ENTRUSTED if slot else BodyNature.STATUTORY,
        region=region,
        level=Level.TOWNSHIP if slot else LEVEL_OF_REGION[RegionLevel(region.level)],
        statutory_limit=spec.statutory,
        statutory_unit=spec.unit,
        promised_limit=promised,
        promised_unit=promised_unit,
        audiences=spec.audiences,
        handling_forms=forms,
        conditions=f"申请人符合{spec.name_zh}的法定条件，提交的材料齐全、符合法定形式。",
        procedure="申请—受理—审查—决定—送达",
        result_name=f"{spec.name_zh}办理结果",
        online=online,
        online_url=f"https://zwfw.example.gov.cn/item/{code}" if online else "",
        appointment=rng.random() < 0.5,
        express=bool(forms & 8),
        place=f"{region.name_zh}政务服务中心{rng.randint(1, 3)}楼{rng.randint(1, 40)}号窗口",
        hours="工作日 9:00-12:00，13:30-17:00",
        phone=f"{AREA_CODES.get(region.code[:4], '0571')}-{rng.randint(10_000_000, 99_999_999)}",
        supervision_phone="12345",
        conditions_en=(
            "The applicant meets the legal conditions and the materials are complete."
            if spec.name_en
            else ""
        ),
        procedure_en="Application, acceptance, review, decision, delivery" if spec.name_en else "",
    )


def _promised(spec: ItemSpec, rng: random.Random) -> tuple[int, str]:
    """Many places promise less than the item's usual promise (还权于民, 减时限)."""
    if spec.promised == 0:
        return 0, TimeUnit.IMMEDIATE
    cut = rng.randint(0, spec.promised // 3)
    return max(1, spec.promised - cut), spec.unit


def _materials(spec: ItemSpec, implementation: Implementation) -> Iterator[Material]:
    for position, key in enumerate([*spec.materials, "agent"], start=1):
        name, issuer, originals, copies, required = MATERIALS[key]
        yield Material(
            implementation=implementation,
            position=position,
            name_zh=name,
            issuer=issuer,
            originals=originals,
            copies=copies,
            required=required,
        )
