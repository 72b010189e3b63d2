"""The two wire formats of GeoReport v2: XML (required) and JSON (arrays mirroring the XML).

Documents are built as plain data first (dicts, lists, scalars) and only then written out, so
both formats carry exactly the same fields. XML is built with ElementTree, never by joining
strings, and nothing the client sends is ever parsed as XML.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("xml", "json")
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of each item in a nested list (the spec's plural → singular).
CHILD_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

Value = Any  # str | int | float | bool | None | datetime | list | dict


def w3c(value: dt.datetime) -> str:
    """A W3C datetime in the site's time zone, with its offset (2017-01-04T09:12:00+08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _scalar(value: Value) -> Value:
    if isinstance(value, dt.datetime):
        return w3c(value)
    return value


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_scalar(value))


def _to_json(value: Value) -> Value:
    if isinstance(value, Mapping):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    return _scalar(value)


def _fill(parent: ET.Element, fields: Mapping[str, Value]) -> None:
    for name, value in fields.items():
        element = ET.SubElement(parent, name)
        if isinstance(value, Mapping):
            _fill(element, value)
        elif isinstance(value, list):
            _fill_list(element, CHILD_TAGS[name], value)
        else:
            element.text = _text(value)


def _fill_list(parent: ET.Element, tag: str, items: Sequence[Value]) -> None:
    for item in items:
        child = ET.SubElement(parent, tag)
        if isinstance(item, Mapping):
            _fill(child, item)
        else:
            child.text = _text(item)


def _xml_bytes(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _json_bytes(value: Value) -> bytes:
    return json.dumps(_to_json(value), ensure_ascii=False).encode()


def _response(fmt: str, body: bytes, status: int) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def render_list(
    fmt: str, root: str, item: str, items: Sequence[Mapping[str, Value]], status: int = 200
) -> HttpResponse:
    """``<root><item>…</item>…</root>`` in XML; a JSON array of objects."""
    if fmt == "json":
        return _response(fmt, _json_bytes(list(items)), status)
    element = ET.Element(root)
    _fill_list(element, item, items)
    return _response(fmt, _xml_bytes(element), status)


def render_object(
    fmt: str, root: str, fields: Mapping[str, Value], status: int = 200
) -> HttpResponse:
    """``<root>fields</root>`` in XML; a JSON object (discovery, a service definition)."""
    if fmt == "json":
        return _response(fmt, _json_bytes(fields), status)
    element = ET.Element(root)
    _fill(element, fields)
    return _response(fmt, _xml_bytes(element), status)


def render_errors(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """``errors/error{code, description}``: the code is the HTTP status, as in the spec."""
    items = [{"code": status, "description": text} for text in descriptions]
    return render_list(fmt, "errors", "error", items, status=status)
