"""Writes of the catalogue import: items with their themes, then implementations with their
materials and FAQ, in batches.

Each function compares with what is stored and touches only what differs, so importing the
same file twice writes nothing. With ``write=False`` (a dry run) they only count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Count

from yiwang.catalogue.codes import Node
from yiwang.catalogue.models import (
    Implementation,
    Material,
    PlaceCount,
    Question,
    ServiceItem,
    ServiceTheme,
)
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
    from yiwang.catalogue.imports import Parsed

ITEM_COLUMNS = ("name_zh", "name_en", "item_type", "node", "business_kind", "legal_basis")
IMPLEMENTATION_COLUMNS = (
    "item_id", "body_id", "region_id", "body_credit_code", "body_nature", "level",
    "statutory_limit", "statutory_unit", "promised_limit", "promised_unit", "audiences",
    "handling_forms", "scope", "conditions", "procedure", "result_name", "charges",
    "fee_basis", "online", "online_url", "appointment", "online_payment", "express", "place",
    "hours", "phone", "supervision_phone", "conditions_en", "procedure_en",
)  # fmt: skip
# The fields of MaterialIn and QuestionIn as the models name them: compared, then stored.
MATERIAL_FIELDS = ("name_zh", "name_en", "issuer", "originals", "copies", "required")
QUESTION_FIELDS = ("question", "answer")
_Entry = TypeVar("_Entry", Material, Question)


@contextlib.contextmanager
def writing(*, atomic: bool, write: bool) -> Iterator[None]:
    """All or nothing: one transaction around the whole writing pass."""
    if atomic and write:
        with transaction.atomic():
            yield
    else:
        yield


def do_write_items(
    items: dict[str, dict[str, Any]], *, write: bool
) -> tuple[dict[str, int], int, int]:
    """Create or update the items (parents first) and their themes; their pks by basic code,
    created, updated."""
    wanted = set(items) | {fields["parent_code"] for fields in items.values()} - {""}
    stored = {item.basic_code: item for item in _stored_items(wanted)}
    pks = {code: item.pk for code, item in stored.items()}
    created: set[str] = set()
    updated: set[str] = set()
    for node in (Node.MAIN, Node.SUB, Node.BUSINESS):
        new, changed = _item_changes(items, node, stored, pks)
        created.update(item.basic_code for item in new)
        updated.update(item.basic_code for item in changed)
        if write:
            ServiceItem.objects.bulk_create(new, batch_size=500)
            ServiceItem.objects.bulk_update(changed, [*ITEM_COLUMNS, "parent_id"], batch_size=500)
            pks.update({item.basic_code: item.pk for item in new})
    updated |= _write_themes(items, pks, write=write) - created
    return pks, len(created), len(updated)


def _item_changes(
    items: dict[str, dict[str, Any]], node: str, stored: dict[str, ServiceItem], pks: dict[str, int]
) -> tuple[list[ServiceItem], list[ServiceItem]]:
    """The items of one level to create, and the stored ones that took new values."""
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
    return new, changed


def _write_themes(
    items: dict[str, dict[str, Any]], pks: dict[str, int], *, write: bool
) -> set[str]:
    """Give the stored items the themes their rows name (``None``: the file leaves them as
    they are); the basic codes of those whose themes change."""
    wanted = {
        pks[code]: set(fields["themes"])
        for code, fields in items.items()
        if fields["themes"] is not None and code in pks
    }
    stored = _stored_themes(list(wanted))
    changed = {pk: themes for pk, themes in wanted.items() if themes != stored.get(pk, set())}
    if write and changed:
        theme_pks = dict(ServiceTheme.objects.values_list("code", "pk"))
        through = ServiceItem.themes.through
        with transaction.atomic():  # an item never shows without its themes in between
            for chunk in batched(sorted(changed), 500):
                through.objects.filter(serviceitem_id__in=chunk).delete()
            through.objects.bulk_create(
                (through(serviceitem_id=pk, servicetheme_id=theme_pks[code])
                 for pk, codes in changed.items() for code in sorted(codes)),
                batch_size=500,
            )  # fmt: skip
    return {code for code, pk in pks.items() if pk in changed}


def _stored_themes(item_pks: list[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    through = ServiceItem.themes.through
    for chunk in batched(sorted(item_pks), 500):
        rows = through.objects.filter(serviceitem_id__in=chunk)
        for item_pk, code in rows.values_list("serviceitem_id", "servicetheme__code"):
            found.setdefault(item_pk, set()).add(code)
    return found


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
    """Create or update one batch of implementations, replacing changed materials and FAQ;
    (created, updated, unchanged)."""
    codes = [row.implementation["code"] for row in rows]
    stored = {impl.code: impl for impl in Implementation.objects.filter(code__in=codes)}
    pks = [impl.pk for impl in stored.values()]
    lists = (_stored(Material, pks, MATERIAL_FIELDS), _stored(Question, pks, QUESTION_FIELDS))
    new: list[tuple[Implementation, Parsed]] = []
    changed: list[tuple[Implementation, Parsed]] = []
    unchanged = 0
    for row in rows:
        values = _implementation_values(row, item_pks, departments, regions)
        implementation = stored.get(row.implementation["code"])
        if implementation is None:
            new.append((Implementation(code=row.implementation["code"], **values), row))
        elif _differs(implementation, values) | _lists_differ(implementation.pk, row, *lists):
            changed.append((implementation, row))
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


def _stored(
    model: type[_Entry], pks: list[int], fields: tuple[str, ...]
) -> dict[int, list[tuple[Any, ...]]]:
    """The implementations' materials or questions in order, as tuples of ``fields``."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    rows = model.objects.filter(implementation_id__in=pks).order_by("implementation_id", "position")
    for implementation_id, *values in rows.values_list("implementation_id", *fields):
        found.setdefault(implementation_id, []).append(tuple(values))
    return found


def _as_rows(entries: Sequence[Any], fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(entry, key) for key in fields) for entry in entries]


def _lists_differ(
    pk: int,
    row: Parsed,
    materials: dict[int, list[tuple[Any, ...]]],
    questions: dict[int, list[tuple[Any, ...]]],
) -> bool:
    """Whether the row changes the materials, or the FAQ it gives (None: left as stored)."""
    if materials.get(pk, []) != _as_rows(row.materials, MATERIAL_FIELDS):
        return True
    return row.faq is not None and questions.get(pk, []) != _as_rows(row.faq, QUESTION_FIELDS)


def _save(
    new: list[tuple[Implementation, Parsed]],
    changed: list[tuple[Implementation, Parsed]],
) -> None:
    Implementation.objects.bulk_create([impl for impl, _r in new])
    Implementation.objects.bulk_update(
        [impl for impl, _r in changed], list(IMPLEMENTATION_COLUMNS), batch_size=500
    )
    rows = [*new, *changed]
    _replace(Material, MATERIAL_FIELDS, [(impl, row.materials) for impl, row in rows])
    faq = [(impl, row.faq) for impl, row in rows if row.faq is not None]
    _replace(Question, QUESTION_FIELDS, faq)


def _replace(
    model: type[_Entry],
    fields: tuple[str, ...],
    lists: Sequence[tuple[Implementation, Sequence[Any]]],
) -> None:
    """The implementations' materials or questions become the entries given, in order."""
    model.objects.filter(implementation__in=[impl for impl, _e in lists]).delete()
    model.objects.bulk_create(
        model(
            implementation=impl,
            position=position,
            **{key: getattr(entry, key) for key in fields},
        )
        for impl, entries in lists
        for position, entry in enumerate(entries, start=1)
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
