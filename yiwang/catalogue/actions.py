"""Writes of the catalogue import: items, then implementations with their materials, in batches.

Each function compares with what is stored and touches only what differs, so importing the
same file twice writes nothing. With ``write=False`` (a dry run) they only count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count

from yiwang.catalogue.codes import Node
from yiwang.catalogue.models import Implementation, Material, PlaceCount, ServiceItem
from yiwang.catalogue.queries import item_documents
from yiwang.lib.batches import batched
from yiwang.orgs import lookups
from yiwang.orgs.models import Department, Region
from yiwang.search.actions import (
    Source,
    do_index_many,
    do_refresh_statistics,
    do_remove,
    do_remove_missing,
)
from yiwang.search.kinds import SERVICE

if TYPE_CHECKING:
    from yiwang.catalogue.imports import MaterialIn, Parsed

ITEM_COLUMNS = ("name_zh", "name_en", "item_type", "node", "business_kind", "legal_basis")
IMPLEMENTATION_COLUMNS = (
    "item_id", "body_id", "region_id", "body_credit_code", "body_nature", "level",
    "statutory_limit", "statutory_unit", "promised_limit", "promised_unit", "audiences",
    "handling_forms", "scope", "conditions", "procedure", "result_name", "charges",
    "fee_basis", "online", "online_url", "appointment", "online_payment", "express", "place",
    "hours", "phone", "supervision_phone", "conditions_en", "procedure_en",
)  # fmt: skip
MaterialRow = tuple[str, str, str, int, int, bool]


@contextlib.contextmanager
def writing(*, atomic: bool, write: bool) -> Iterator[None]:
    """All or nothing: one transaction around the whole writing pass."""
    if atomic and write:
        with transaction.atomic():
            yield
    else:
        yield


def do_write_items(
    items: dict[str, dict[str, str]], *, write: bool
) -> tuple[dict[str, int], int, int]:
    """Create or update the items (parents first); their pks by basic code, created, updated."""
    wanted = set(items) | {fields["parent_code"] for fields in items.values()} - {""}
    stored = {item.basic_code: item for item in _stored_items(wanted)}
    pks = {code: item.pk for code, item in stored.items()}
    created = updated = 0
    for node in (Node.MAIN, Node.SUB, Node.BUSINESS):
        new, changed = [], []
        for code, fields in items.items():
            if fields["node"] != node:
                continue
            values: dict[str, Any] = {key: fields[key] for key in ITEM_COLUMNS}
            values["parent_id"] = pks.get(fields["parent_code"]) if fields["parent_code"] else None
            item = stored.get(code)
            if item is None:
                new.append(ServiceItem(basic_code=code, **values))
            elif _differs(item, values):
                changed.append(item)
        created, updated = created + len(new), updated + len(changed)
        if write:
            ServiceItem.objects.bulk_create(new, batch_size=500)
            ServiceItem.objects.bulk_update(changed, [*ITEM_COLUMNS, "parent_id"], batch_size=500)
            pks.update({item.basic_code: item.pk for item in new})
    return pks, created, updated


def _stored_items(codes: set[str]) -> Iterator[ServiceItem]:
    for chunk in batched(sorted(codes), 500):
        yield from ServiceItem.objects.filter(basic_code__in=chunk)


def _differs(instance: Any, values: dict[str, Any]) -> bool:
    """Whether any value differs; the instance takes the new values."""
    changed = False
    for key, value in values.items():
        if getattr(instance, key) != value:
            setattr(instance, key, value)
            changed = True
    return changed


def do_write_implementations(
    rows: list[Parsed],
    item_pks: dict[str, int],
    departments: dict[str, Department],
    regions: dict[str, Region],
    *,
    write: bool,
) -> tuple[int, int, int]:
    """Create or update one batch of implementations, replacing changed materials;
    (created, updated, unchanged)."""
    codes = [row.implementation["code"] for row in rows]
    stored = {impl.code: impl for impl in Implementation.objects.filter(code__in=codes)}
    materials = _stored_materials([impl.pk for impl in stored.values()])
    new: list[tuple[Implementation, list[MaterialIn]]] = []
    changed: list[tuple[Implementation, list[MaterialIn]]] = []
    unchanged = 0
    for row in rows:
        values = _implementation_values(row, item_pks, departments, regions)
        implementation = stored.get(row.implementation["code"])
        if implementation is None:
            new.append((Implementation(code=row.implementation["code"], **values), row.materials))
        elif _differs(implementation, values) | (
            materials.get(implementation.pk, []) != _material_rows(row.materials)
        ):
            changed.append((implementation, row.materials))
        else:
            unchanged += 1
    if write:
        with transaction.atomic():
            _save(new, changed)
    return len(new), len(changed), unchanged


def _implementation_values(
    row: Parsed,
    item_pks: dict[str, int],
    departments: dict[str, Department],
    regions: dict[str, Region],
) -> dict[str, Any]:
    values = {key: value for key, value in row.implementation.items() if key != "code"}
    values["item_id"] = item_pks.get(row.item["basic_code"])
    values["body_id"] = departments[row.body].pk
    values["region_id"] = regions[row.region].pk
    return {key: values[key] for key in IMPLEMENTATION_COLUMNS}


def _stored_materials(pks: list[int]) -> dict[int, list[MaterialRow]]:
    found: dict[int, list[MaterialRow]] = {}
    rows = Material.objects.filter(implementation_id__in=pks).order_by(
        "implementation_id", "position"
    )
    for implementation_id, *material in rows.values_list(
        "implementation_id", "name_zh", "name_en", "issuer", "originals", "copies", "required"
    ):
        found.setdefault(implementation_id, []).append(tuple(material))  # type: ignore[arg-type]
    return found


def _material_rows(materials: list[MaterialIn]) -> list[MaterialRow]:
    return [(m.name_zh, m.name_en, m.issuer, m.originals, m.copies, m.required) for m in materials]


def _save(
    new: list[tuple[Implementation, list[MaterialIn]]],
    changed: list[tuple[Implementation, list[MaterialIn]]],
) -> None:
    Implementation.objects.bulk_create([impl for impl, _m in new])
    Implementation.objects.bulk_update(
        [impl for impl, _m in changed], list(IMPLEMENTATION_COLUMNS), batch_size=500
    )
    Material.objects.filter(implementation__in=[impl for impl, _m in changed]).delete()
    Material.objects.bulk_create(
        Material(
            implementation=impl,
            position=position,
            name_zh=m.name_zh,
            name_en=m.name_en,
            issuer=m.issuer,
            originals=m.originals,
            copies=m.copies,
            required=m.required,
        )
        for impl, materials in [*new, *changed]
        for position, m in enumerate(materials, start=1)
    )


COUNT_FIELDS = ("item_id", "region_id", "body_nature", "level", "online", "audiences")


def do_refresh_search(item_ids: Iterable[int] | None = None) -> None:
    """Bring search up to date with the catalogue: the items' documents (with pinyin), their
    implementation counts, the term statistics. ``None``: every item. Call it in the
    transaction that changed the items or their implementations."""
    if item_ids is None:
        do_remove_missing(SERVICE, ServiceItem.objects.all())
        item_ids = ServiceItem.objects.order_by("pk").values_list("pk", flat=True)
    for chunk in batched(sorted(set(item_ids)), 500):
        items = ServiceItem.objects.filter(pk__in=chunk).order_by("pk")
        documents = item_documents(items)
        do_index_many(Source(SERVICE, *document, pinyin=True) for document in documents)
        for gone in set(chunk) - {document[0] for document in documents}:
            do_remove(SERVICE, gone)
        _refresh_counts(chunk)
    do_refresh_statistics(SERVICE)
    lookups.clear()  # this process's item themes (others see them within a minute)


def _refresh_counts(item_ids: list[int]) -> None:
    PlaceCount.objects.filter(item_id__in=item_ids).delete()
    rows = (
        Implementation.objects.filter(item_id__in=item_ids, is_active=True)
        .order_by()
        .values(*COUNT_FIELDS)
        .annotate(n=Count("pk"))
    )
    PlaceCount.objects.bulk_create(
        (
            PlaceCount(**{key: row[key] for key in COUNT_FIELDS}, implementations=row["n"])
            for row in rows
        ),
        batch_size=2000,
    )
