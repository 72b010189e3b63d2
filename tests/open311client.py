"""A small Open311 GeoReport v2 client written from the specification, for the tests.

It knows the spec's element names (``SPEC``), speaks both formats through Django's test
client, parses XML with ElementTree and JSON with json, and checks that every document has
exactly the root, item and field names the spec gives.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.test import Client

BASE = "/open311/v2"

REQUEST_FIELDS = frozenset(
    {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",  # only once the message is published, in its published form
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
)
# document: (root element, item element or None for a single object, allowed field names)
SPEC: dict[str, tuple[str, str | None, frozenset[str]]] = {
    "discovery": (
        "discovery",
        None,
        frozenset({"changeset", "contact", "key_service", "endpoints"}),
    ),
    "services": (
        "services",
        "service",
        frozenset(
            {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        ),
    ),
    "service_definition": ("service_definition", None, frozenset({"service_code", "attributes"})),
    "posted": (
        "service_requests",
        "request",
        frozenset({"service_request_id", "token", "service_notice", "account_id"}),
    ),
    "requests": ("service_requests", "request", REQUEST_FIELDS),
    "token": ("service_requests", "request", frozenset({"service_request_id", "token"})),
    "updates": (
        "service_request_updates",
        "request_update",
        frozenset(
            {
                "update_id",
                "service_request_id",
                "status",
                "updated_datetime",
                "description",
                "media_url",
            }
        ),
    ),
    "errors": ("errors", "error", frozenset({"code", "description"})),
}
ENDPOINT_FIELDS = frozenset({"specification", "url", "changeset", "type", "formats"})
LISTS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


DESCRIPTION = "文三路与学院路口的路灯坏了一个星期，晚上很黑，行人过马路很危险。"


def request_fields(**overrides: Any) -> dict[str, Any]:
    """A citizen's request as a civic app posts it; None drops a field."""
    fields = {
        "service_code": "04.01",
        "lat": "30.2741",
        "long": "120.1551",
        "description": DESCRIPTION,
        "email": "li.ming@example.com",
        "phone": "13800138000",
        "first_name": "明",
        "last_name": "李",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


@dataclass
class Reply:
    status: int
    body: str
    data: Any  # a list of dicts, or one dict (discovery, a service definition)

    @property
    def items(self) -> list[dict[str, Any]]:
        assert isinstance(self.data, list)
        return self.data

    @property
    def errors(self) -> list[str]:
        return [str(item["description"]) for item in self.items]


def _element(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in children), element.tag
        return [_element(child) for child in children]
    if not children:
        return element.text or ""
    return {child.tag: _element(child) for child in children}


def _parse_xml(body: bytes, document: str) -> Any:
    root_name, item_name, _fields = SPEC[document]
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(body)  # noqa: S314 -- our own server's output, in a test
    assert root.tag == root_name, (root.tag, root_name)
    if item_name is None:
        return {child.tag: _element(child) for child in root}
    assert all(child.tag == item_name for child in root), [c.tag for c in root]
    return [{field.tag: _element(field) for field in child} for child in root]


def _check_names(data: Any, document: str) -> None:
    _root, item_name, fields = SPEC[document]
    for item in data if item_name else [data]:
        assert set(item) <= fields, set(item) - fields
    if document == "discovery":
        for endpoint in data["endpoints"]:
            assert set(endpoint) == ENDPOINT_FIELDS


class Open311Client:
    def __init__(
        self, http: Client, api_key: str = "", fmt: str = "json", language: str = ""
    ) -> None:
        self.http = http
        self.api_key = api_key
        self.fmt = fmt
        self.language = language  # Accept-Language; none: the server's default, Chinese

    def _headers(self, extra: Any = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language} if self.language else {}
        return {**headers, **(extra or {})}

    def _reply(self, response: Any, document: str, fmt: str) -> Reply:
        if response.status_code >= 400:
            document = "errors"
        expected = "text/xml" if fmt == "xml" else "application/json"
        assert response["Content-Type"] == f"{expected}; charset=utf-8"
        body = response.content
        data = _parse_xml(body, document) if fmt == "xml" else json.loads(body)
        _check_names(data, document)
        return Reply(response.status_code, body.decode(), data)

    def get(self, path: str, document: str, fmt: str | None = None, **params: Any) -> Reply:
        fmt = fmt or self.fmt
        if self.api_key and "api_key" not in params:
            params["api_key"] = self.api_key
        response = self.http.get(f"{BASE}/{path}.{fmt}", params, headers=self._headers())
        return self._reply(response, document, fmt)

    def discovery(self, fmt: str | None = None) -> Reply:
        return self.get("discovery", "discovery", fmt)

    def services(self, fmt: str | None = None, **params: Any) -> Reply:
        return self.get("services", "services", fmt, **params)

    def service_definition(self, code: str, fmt: str | None = None) -> Reply:
        return self.get(f"services/{code}", "service_definition", fmt)

    def post_request(self, fmt: str | None = None, headers: Any = None, **fields: Any) -> Reply:
        fmt = fmt or self.fmt
        if self.api_key and "api_key" not in fields:
            fields["api_key"] = self.api_key
        response = self.http.post(
            f"{BASE}/requests.{fmt}",
            urlencode(fields, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=self._headers(headers),
        )
        return self._reply(response, "posted", fmt)

    def requests(self, fmt: str | None = None, **params: Any) -> Reply:
        return self.get("requests", "requests", fmt, **params)

    def request(self, request_id: str, fmt: str | None = None) -> Reply:
        return self.get(f"requests/{request_id}", "requests", fmt)

    def token(self, token: str, fmt: str | None = None) -> Reply:
        return self.get(f"tokens/{token}", "token", fmt)

    def updates(self, fmt: str | None = None, **params: Any) -> Reply:
        return self.get("servicerequestupdates", "updates", fmt, **params)
