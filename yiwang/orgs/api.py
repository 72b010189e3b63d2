"""Reference data for integrators: regions and themes, with the codes the API takes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Theme

router = Router(tags=["reference data"])


class RegionOut(Schema):
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None


class ThemeOut(Schema):
    code: str
    name_zh: str
    name_en: str


@router.get("/regions", response=list[RegionOut], summary="Regions (GB/T 2260)")
def regions(request: HttpRequest) -> list[dict[str, str | None]]:
    rows = Region.objects.values_list("code", "name_zh", "name_en", "level", "parent__code")
    keys = ("code", "name_zh", "name_en", "level", "parent_code")
    return [dict(zip(keys, row, strict=True)) for row in rows]


@router.get("/themes", response=list[ThemeOut], summary="Open themes")
def themes(request: HttpRequest) -> list[Theme]:
    return list(Theme.objects.filter(is_active=True))
