"""A citizen scans a service hall's QR code: the form knows the hall; bad codes are logged."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.channels.actions import (
    REJECTION_ROWS_PER_MINUTE,
    do_prune_rejections,
    do_revoke_hall_codes,
    ip_prefix,
)
from yiwang.channels.models import Campaign, HallCodeRevocation, ReferenceRejection
from yiwang.channels.references import token_for
from yiwang.intake.models import Message
from yiwang.jobs.registry import JOBS, task_for
from yiwang.lib import hallref
from yiwang.orgs.models import ServiceHall

pytestmark = pytest.mark.django_db

CONTENT = "大厅的自助取号机坏了，排队的人很多，希望尽快修好。"


def scan(client: Client, token: str) -> Any:
    return client.get(reverse("channels:scan", args=[token]), REMOTE_ADDR="203.0.113.77")


def post_from(client: Client, page: Any, **fields: str) -> Any:
    """Send the form the page showed, as a phone would: its hidden fields and a message."""
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in ("token", "hall_ref", "campaign", "region")}
    data.update({"title": "取号机故障", "content": CONTENT, "nature": "complaint"} | fields)
    return client.post(reverse("intake:submit"), data, REMOTE_ADDR="203.0.113.77")


@pytest.fixture
def campaign(halls: dict[str, ServiceHall]) -> Campaign:
    now = timezone.now()
    return Campaign.objects.create(
        slug="say-it",
        name_zh="我向总理说句话",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=10),
    )


def test_scanning_a_halls_code_opens_the_form_with_the_hall_and_its_region(
    halls: dict[str, ServiceHall],
) -> None:
    page = scan(Client(), token_for(halls["xihu"]))
    assert page.status_code == 200
    assert "西湖区政务服务中心" in page.content.decode()
    assert page.context["form"]["region"].value() == "330106"
    assert page["Cache-Control"] == "no-store"


def test_a_message_sent_after_scanning_remembers_the_hall_region_and_channel(
    halls: dict[str, ServiceHall],
) -> None:
    client = Client()
    sent = post_from(client, scan(client, token_for(halls["binjiang"])))
    assert sent.status_code == 200, sent.content.decode()[:2000]
    message = Message.objects.get()
    assert message.hall == halls["binjiang"]
    assert (message.region.code, message.channel) == ("330108", "qr")
    assert message.campaign is None


def test_the_citizen_cannot_move_a_scanned_message_to_another_region(
    halls: dict[str, ServiceHall],
) -> None:
    client = Client()
    post_from(client, scan(client, token_for(halls["binjiang"])), region="330106")
    assert Message.objects.get().region.code == "330108"


def test_a_campaign_code_records_the_campaign_while_it_runs(
    halls: dict[str, ServiceHall], campaign: Campaign
) -> None:
    client = Client()
    page = scan(client, token_for(halls["xihu"], campaign))
    assert "我向总理说句话" in page.content.decode()
    post_from(client, page)
    message = Message.objects.get()
    assert (message.hall, message.campaign) == (halls["xihu"], campaign)


def test_a_campaign_code_printed_early_attributes_the_hall_but_not_yet_the_campaign(
    halls: dict[str, ServiceHall], campaign: Campaign
) -> None:
    campaign.starts_at = timezone.now() + dt.timedelta(days=2)
    campaign.save()
    client = Client()
    post_from(client, scan(client, token_for(halls["xihu"], campaign)))
    message = Message.objects.get()
    assert (message.hall, message.campaign) == (halls["xihu"], None)


def refused(token: str) -> tuple[Any, Message]:
    """Scan a bad code, then write anyway: the page and the stored message."""
    client = Client()
    page = scan(client, token)
    assert page.status_code == 200
    post_from(client, page, region="330106")
    return page, Message.objects.get()


def assert_written_without_the_hall(token: str, reason: str) -> None:
    page, message = refused(token)
    assert page.context["attribution"].notice == "code_refused"
    assert (message.hall, message.campaign, message.channel) == (None, None, "web")
    rejection = ReferenceRejection.objects.get()
    assert (rejection.reason, rejection.ip_prefix) == (reason, "203.0.113.0/24")
    assert token not in rejection.token_hash


def test_a_code_with_one_changed_character_is_refused_as_forged(
    halls: dict[str, ServiceHall],
) -> None:
    token = token_for(halls["xihu"])
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_written_without_the_hall(forged, "forged")


def test_a_code_pointing_at_another_hall_is_refused_as_forged(
    halls: dict[str, ServiceHall],
) -> None:
    signature = token_for(halls["xihu"]).split(".")[1]
    other = hallref.sign(b"not-our-key", hallref.Reference(halls["binjiang"].pk, 1))
    assert_written_without_the_hall(other.split(".")[0] + "." + signature, "forged")
    assert ReferenceRejection.objects.get().hall_id == halls["binjiang"].pk


def test_a_code_of_a_revoked_generation_is_refused(
    halls: dict[str, ServiceHall], administrator: User
) -> None:
    old = token_for(halls["xihu"])
    assert do_revoke_hall_codes(administrator, halls["xihu"]) == 2
    assert_written_without_the_hall(old, "revoked")


def test_the_new_code_after_revoking_works(
    halls: dict[str, ServiceHall], administrator: User
) -> None:
    do_revoke_hall_codes(administrator, halls["xihu"])
    client = Client()
    post_from(client, scan(client, token_for(halls["xihu"])))
    assert Message.objects.get().hall == halls["xihu"]


def test_a_campaign_code_is_refused_as_expired_once_the_campaign_has_ended(
    halls: dict[str, ServiceHall], campaign: Campaign
) -> None:
    token = token_for(halls["xihu"], campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    assert_written_without_the_hall(token, "expired")


def test_a_code_of_a_closed_hall_is_refused(halls: dict[str, ServiceHall]) -> None:
    token = token_for(halls["xihu"])
    ServiceHall.objects.filter(pk=halls["xihu"].pk).update(is_active=False)
    assert_written_without_the_hall(token, "unknown_hall")


def test_a_code_of_a_deleted_hall_is_refused(halls: dict[str, ServiceHall]) -> None:
    token = token_for(halls["binjiang"])
    halls["binjiang"].delete()
    assert_written_without_the_hall(token, "unknown_hall")


@pytest.mark.parametrize(
    "garbage",
    ["hello", "1-1.short", "%E4%B8%AD文", "1-1-1-1.AAAAAAAAAAAAAAAA", "-" * 40, "x" * 5000],
)
def test_garbage_and_overlong_codes_are_refused_as_malformed(
    halls: dict[str, ServiceHall], garbage: str
) -> None:
    assert_written_without_the_hall(garbage, "malformed")


def test_a_refused_code_is_logged_without_the_citizens_text(
    halls: dict[str, ServiceHall], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="yiwang.channels"):
        refused("garbage-code")
    assert "hall reference refused: reason=malformed" in caplog.text
    assert CONTENT not in caplog.text
    assert "garbage-code" not in caplog.text


def test_a_hall_reference_tampered_with_in_the_form_is_refused_when_sending(
    halls: dict[str, ServiceHall],
) -> None:
    client = Client()
    page = scan(client, token_for(halls["xihu"]))
    post_from(client, page, hall_ref=token_for(halls["xihu"])[:-2] + "zz")
    assert Message.objects.get().hall is None
    assert ReferenceRejection.objects.get().reason == "forged"


def test_references_are_short_enough_for_a_small_qr_code(halls: dict[str, ServiceHall]) -> None:
    big = hallref.Reference(hall_id=10**9, generation=999, campaign_id=10**6)
    assert len(hallref.sign(b"k" * 32, big)) <= 40
    assert len(token_for(halls["xihu"])) < 25


@pytest.mark.parametrize(
    ("address", "prefix"),
    [("203.0.113.77", "203.0.113.0/24"), ("2001:db8:1:2::5", "2001:db8:1::/48"), ("", "")],
)
def test_only_the_network_of_the_client_is_kept(address: str, prefix: str) -> None:
    assert ip_prefix(address) == prefix


def test_english_scanners_see_the_form_in_english(halls: dict[str, ServiceHall]) -> None:
    page = Client().get("/en" + reverse("channels:scan", args=[token_for(halls["xihu"])]))
    assert page.status_code == 200
    assert 'action="/en/submit/"' in page.content.decode()


# --- The staff's page of a hall's QR code ------------------------------------------------------


def test_an_administrator_sees_the_halls_qr_code_and_its_address(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    page = signed_in(administrator).get("/staff/halls/XH01/qr/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text
    assert "http://127.0.0.1:8000/q/" + token_for(halls["xihu"]) in text


def test_the_halls_list_links_every_hall_and_each_regions_posters(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    text = signed_in(administrator).get("/staff/halls/").content.decode()
    assert "/staff/halls/BJ01/qr/" in text
    assert "/staff/halls/posters/330106.zip" in text
    assert "/staff/halls/posters/330000.zip" in text  # the province: every hall below it


def test_the_qr_code_downloads_as_a_png_and_the_poster_as_a_pdf(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(administrator)
    png = client.get("/staff/halls/XH01/qr.png")
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    pdf = client.get("/staff/halls/XH01/poster.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_campaigns_code_is_shown_for_the_chosen_campaign(
    halls: dict[str, ServiceHall],
    campaign: Campaign,
    administrator: User,
    signed_in: Callable[[User], Client],
) -> None:
    page = signed_in(administrator).get("/staff/halls/XH01/qr/?campaign=say-it")
    assert token_for(halls["xihu"], campaign) in page.content.decode()
    assert signed_in(administrator).get("/staff/halls/XH01/qr/?campaign=nope").status_code == 404


def test_revoking_from_the_page_retires_the_printed_codes(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    old = token_for(halls["xihu"])
    response = signed_in(administrator).post("/staff/halls/XH01/revoke")
    assert response.status_code == 302
    assert token_for(halls["xihu"]) != old
    scan(Client(), old)
    assert ReferenceRejection.objects.get().reason == "revoked"


def test_revoking_needs_a_post(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    assert signed_in(administrator).get("/staff/halls/XH01/revoke").status_code == 405


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "dept_officer"])
def test_only_those_who_manage_organisations_see_the_qr_pages(
    halls: dict[str, ServiceHall],
    persona: str,
    request: pytest.FixtureRequest,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get("/staff/halls/XH01/qr/").status_code == 403
    assert client.post("/staff/halls/XH01/revoke").status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(halls: dict[str, ServiceHall]) -> None:
    response = Client().get("/staff/halls/XH01/qr/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_flood_of_bad_codes_from_one_network_is_logged_but_stored_only_up_to_a_cap(
    halls: dict[str, ServiceHall], caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.WARNING, logger="yiwang.channels"):
        for n in range(REJECTION_ROWS_PER_MINUTE + 5):
            scan(client, f"made-up-{n}")
    assert ReferenceRejection.objects.count() == REJECTION_ROWS_PER_MINUTE
    assert caplog.text.count("hall reference refused") == REJECTION_ROWS_PER_MINUTE + 5


def test_the_halls_list_takes_the_same_number_of_queries_however_many_halls(
    halls: dict[str, ServiceHall],
    regions: dict[str, Any],
    administrator: User,
    signed_in: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    client = signed_in(administrator)
    client.get("/staff/halls/")
    # Session, user, permissions (2), count, halls, regions with halls, unread notices.
    with django_assert_num_queries(8):
        client.get("/staff/halls/")
    for n in range(5):
        ServiceHall.objects.create(
            code=f"XH1{n}", name_zh=f"西湖区第{n}服务站", region=regions["xihu"], address_zh="路"
        )
    with django_assert_num_queries(8):
        page = client.get("/staff/halls/")
    assert "西湖区第4服务站" in page.content.decode()


def test_a_refused_code_is_not_carried_into_the_form_shown_again(
    halls: dict[str, ServiceHall],
) -> None:
    client = Client()
    page = scan(client, token_for(halls["xihu"]))
    forged = token_for(halls["xihu"])[:-2] + "zz"
    again = post_from(client, page, hall_ref=forged, title="")  # a mistake: shown again
    assert again.status_code == 400
    assert again.context["form"]["hall_ref"].value() == ""
    assert ReferenceRejection.objects.count() == 1


def test_a_valid_code_survives_a_mistake_in_the_form(halls: dict[str, ServiceHall]) -> None:
    client = Client()
    token = token_for(halls["xihu"])
    again = post_from(client, scan(client, token), title="")
    assert again.context["form"]["hall_ref"].value() == token
    assert "西湖区政务服务中心" in again.content.decode()


def test_a_made_up_region_in_the_hidden_field_does_not_stop_a_scanned_message(
    halls: dict[str, ServiceHall],
) -> None:
    client = Client()
    sent = post_from(client, scan(client, token_for(halls["xihu"])), region="999999")
    assert sent.status_code == 200
    assert Message.objects.get().region.code == "330106"


def test_each_revocation_is_recorded_with_who_and_why(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(administrator)
    client.post("/staff/halls/XH01/revoke", {"reason": "海报被人复制到别处张贴"})
    client.post("/staff/halls/XH01/revoke")
    history = HallCodeRevocation.objects.filter(hall=halls["xihu"]).order_by("generation")
    assert [(r.generation, r.by, r.reason) for r in history] == [
        (2, administrator, "海报被人复制到别处张贴"),
        (3, administrator, ""),
    ]
    assert "海报被人复制到别处张贴" in client.get("/staff/halls/XH01/qr/").content.decode()


def test_an_overlong_reason_revokes_nothing_and_says_why(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    old = token_for(halls["xihu"])
    response = signed_in(administrator).post(
        "/staff/halls/XH01/revoke", {"reason": "长" * 201}, follow=True
    )
    assert token_for(halls["xihu"]) == old
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.django_db
def test_refused_references_are_forgotten_after_their_retention(settings: Any) -> None:
    settings.YIWANG_KEEP_REFUSED_REFERENCES_DAYS = 180
    now = timezone.now()
    for days in (181, 179):
        ReferenceRejection.objects.create(
            at=now - dt.timedelta(days=days), reason="forged", token_hash="x" * 64
        )
    assert do_prune_rejections(now) == 1
    assert list(ReferenceRejection.objects.values_list("at", flat=True)) == [
        now - dt.timedelta(days=179)
    ]
    job = next(j for j in JOBS if j.name == "prune_refused_hall_references")
    assert task_for(job).func(now.isoformat()) == 0  # the daily job runs the same action
