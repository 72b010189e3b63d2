"""Open311 GeoReport v2: discovery, services and submitting a service request.

Personas: ``fixmystreet`` (a civic app holding an api_key with the open311 scope, see
conftest) submits the citizen's requests; ``hotline`` holds a key without that scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from yiwang.accounts.apikeys import do_issue_api_client, do_revoke_api_client
from yiwang.accounts.models import ApiClient, User
from yiwang.intake.models import Channel, Message
from yiwang.open311.models import Open311Request
from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Category

from .open311client import DESCRIPTION, Open311Client, request_fields

pytestmark = pytest.mark.django_db


# --- discovery and services --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_discovery_names_the_georeport_v2_endpoint_in_both_formats(
    public: Open311Client, fmt: str
) -> None:
    reply = public.discovery(fmt)
    assert reply.status == 200
    (endpoint,) = reply.data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{settings.YIWANG_SITE_URL}/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_services_are_the_leaf_categories_grouped_by_their_major_category(
    public: Open311Client, taxonomy: dict[str, Category], fmt: str
) -> None:
    Category.objects.filter(pk=taxonomy["buses"].pk).update(keywords=["公交", "站台"])
    reply = public.services(fmt)
    assert reply.status == 200
    by_code = {item["service_code"]: item for item in reply.items}
    assert list(by_code) == ["01.01", "04.01", "04.02"]
    buses = by_code["04.01"]
    assert (buses["service_name"], buses["group"], buses["keywords"]) == (
        "公交",
        "交通",
        "公交,站台",
    )
    assert str(buses["metadata"]).lower() == "false"
    assert buses["type"] == "realtime"


def test_services_speak_english_when_the_caller_asks_for_it(
    public: Open311Client, taxonomy: dict[str, Category]
) -> None:
    Category.objects.filter(pk=taxonomy["buses"].pk).update(name_en="Buses")
    Category.objects.filter(pk=taxonomy["transport"].pk).update(name_en="Transport")
    by_locale = {item["service_code"]: item for item in public.services(locale="en").items}
    assert (by_locale["04.01"]["service_name"], by_locale["04.01"]["group"]) == (
        "Buses",
        "Transport",
    )
    assert by_locale["04.02"]["service_name"] == "出租车"  # no English name: the Chinese one
    header = public.http.get("/open311/v2/services.json", headers={"Accept-Language": "en"})
    assert header.json()[1]["service_name"] == "Buses"
    assert header["Content-Language"] == "en"


def test_a_service_definition_has_the_code_and_no_attributes(
    public: Open311Client, taxonomy: dict[str, Category]
) -> None:
    reply = public.service_definition("04.01", "xml")
    assert reply.data == {"service_code": "04.01", "attributes": []}


def test_an_unknown_or_major_service_code_is_404(
    public: Open311Client, taxonomy: dict[str, Category]
) -> None:
    for code in ("99.99", "04"):
        reply = public.service_definition(code)
        assert reply.status == 404
        assert reply.items[0]["code"] == 404


def test_the_sites_own_jurisdiction_is_served_and_another_is_404(
    public: Open311Client, taxonomy: dict[str, Category]
) -> None:
    assert public.services(jurisdiction_id="yiwang.local").status == 200
    assert public.services(jurisdiction_id="").status == 200
    reply = public.services("xml", jurisdiction_id="example.gov")
    assert reply.status == 404
    assert reply.items[0]["code"] == "404"


def test_a_wrong_method_is_405_in_the_requests_format(public: Open311Client) -> None:
    response = public.http.post("/open311/v2/services.xml")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert b"<errors><error><code>405</code>" in response.content
    put = public.http.put("/open311/v2/requests.json")
    assert (put.status_code, put["Allow"]) == (405, "GET, POST")
    assert put.json()[0]["code"] == 405


def test_an_unknown_format_is_not_served(public: Open311Client) -> None:
    assert public.http.get("/open311/v2/services.html").status_code == 404


# --- submitting ------------------------------------------------------------------------------


def test_a_request_becomes_a_new_open311_message_for_the_desk(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    reply = open311.post_request(**request_fields(account_id="fms-77"))
    assert reply.status == 201
    (posted,) = reply.items
    message = Message.objects.get(tracking_number=posted["service_request_id"])
    assert (message.channel, message.state, message.source) == (
        Channel.OPEN311,
        "new",
        "fixmystreet",
    )
    assert message.category is None  # the desk files it
    assert message.region == regions["province"]
    assert message.content == DESCRIPTION
    assert message.title == DESCRIPTION[:29] + "…"
    assert message.contact_name == "李明"
    assert posted["account_id"] == "fms-77"
    assert posted["service_notice"]
    stored = Open311Request.objects.get(message=message)
    assert (stored.service_code, stored.lat, stored.long) == ("04.01", 30.2741, 120.1551)
    assert posted["token"] == stored.token


def test_the_desk_finds_the_request_among_new_open311_messages(
    open311: Open311Client,
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    clerk: User,
    signed_in: Callable[[User], Client],
) -> None:
    number = open311.post_request(**request_fields()).items[0]["service_request_id"]
    response = signed_in(clerk).get("/staff/messages/", {"state": "new", "channel": "open311"})
    assert response.status_code == 200
    assert [m.tracking_number for m in response.context["page"]] == [number]


def test_an_xml_post_answers_in_xml(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    reply = open311.post_request("xml", **request_fields())
    assert reply.status == 201
    assert reply.items[0]["service_request_id"].startswith("YW")


def test_an_address_id_naming_a_region_files_the_message_there(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    reply = open311.post_request(**request_fields(lat=None, long=None, address_id="330106"))
    message = Message.objects.get(tracking_number=reply.items[0]["service_request_id"])
    assert message.region == regions["xihu"]


def test_an_address_string_alone_is_a_location(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    reply = open311.post_request(
        **request_fields(lat=None, long=None, address_string="杭州市西湖区文三路 100 号")
    )
    assert reply.status == 201


def test_attributes_and_media_url_are_kept_beside_the_message(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    reply = open311.post_request(
        **request_fields(
            media_url="https://img.example.com/lamp.jpg",
            device_id="device-1",
            **{"attribute[pole]": "A-12", "attribute[sides][]": ["north", "south"]},
        )
    )
    stored = Open311Request.objects.get(
        message__tracking_number=reply.items[0]["service_request_id"]
    )
    assert stored.attributes == {"pole": "A-12", "sides": ["north", "south"]}
    assert (stored.media_url, stored.device_id) == ("https://img.example.com/lamp.jpg", "device-1")


def test_a_retry_with_the_same_idempotency_key_returns_the_same_request(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    headers = {"Idempotency-Key": "fms-report-000000001"}
    first = open311.post_request(headers=headers, **request_fields())
    again = open311.post_request(headers=headers, **request_fields())
    assert (first.status, again.status) == (201, 200)
    assert first.items[0]["service_request_id"] == again.items[0]["service_request_id"]
    assert Message.objects.count() == Open311Request.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "99.99"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"long": None}, 400, "lat and long together"),
        ({"lat": "91"}, 400, "lat"),
        ({"description": "界" * 4001}, 400, "description"),
        ({"description": None}, 400, "description"),
        ({"description": "路灯<script>alert(1)</script>坏了"}, 400, "HTML"),
        ({"description": "路灯坏了 &lt;b&gt; 很久"}, 400, "HTML"),
        ({"phone": "12345"}, 400, "phone"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"address_string": "文三路\x01100号"}, 400, "control characters"),
    ],
)
def test_a_wrong_request_is_refused_with_its_reason_and_stores_nothing(
    open311: Open311Client,
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    overrides: dict[str, Any],
    status: int,
    words: str,
) -> None:
    open311.language = "en"
    reply = open311.post_request(**request_fields(**overrides))
    assert reply.status == status
    assert words in " ".join(reply.errors)
    assert not Message.objects.exists()
    assert not Open311Request.objects.exists()


def test_a_description_of_exactly_4000_characters_is_accepted(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    assert open311.post_request(**request_fields(description="界" * 4000)).status == 201


def test_it_refuses_a_request_without_a_valid_api_key_with_403(
    client: Client,
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    fixmystreet: tuple[ApiClient, str],
) -> None:
    _hotline, hotline_key = do_issue_api_client("12345 hotline", ["messages:submit"])
    revoked, revoked_key = do_issue_api_client("old app", ["open311"])
    do_revoke_api_client(revoked)
    for key in ("", "yw_00000000_wrong", hotline_key, revoked_key, fixmystreet[1] + "x"):
        reply = Open311Client(client, api_key="", fmt="xml").post_request(
            api_key=key, **request_fields()
        )
        assert reply.status == 403, key
        assert reply.items[0]["code"] == "403"
    assert not Message.objects.exists()


def test_a_key_also_works_as_a_bearer_header(
    client: Client,
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    fixmystreet: tuple[ApiClient, str],
) -> None:
    headers = {"Authorization": f"Bearer {fixmystreet[1]}"}
    reply = Open311Client(client).post_request(headers=headers, **request_fields())
    assert reply.status == 201


def test_a_client_over_its_quota_gets_429(
    client: Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> None:
    _slow, key = do_issue_api_client("slow app", ["open311"], rate_limit_per_minute=1)
    open311 = Open311Client(client, api_key=key)
    assert open311.post_request(**request_fields()).status == 201
    assert open311.requests().status == 429


def test_a_request_in_english_is_stored_as_an_english_message(
    client: Client,
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    fixmystreet: tuple[ApiClient, str],
) -> None:
    response = client.post(
        f"/open311/v2/requests.json?locale=en&api_key={fixmystreet[1]}",
        urlencode(request_fields(description="The street lamp at the corner has been out.")),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201
    message = Message.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert message.language == "en"
    assert message.title == "The street lamp at the corner…"


@override_settings(YIWANG_RATE_OPEN_READ_PER_IP="2/m")
def test_the_public_endpoints_are_limited_per_address(
    public: Open311Client, taxonomy: dict[str, Category]
) -> None:
    assert [public.services().status for _n in range(3)] == [200, 200, 429]
    assert public.discovery("xml").status == 429


def test_an_empty_list_is_an_empty_document(
    open311: Open311Client, regions: dict[str, Region]
) -> None:
    assert open311.requests("json").body == "[]"
    assert open311.requests("xml").body.endswith("<service_requests />")
