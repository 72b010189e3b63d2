"""The messaging-gateway webhook: signed deliveries become messages, answers go back."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from yiwang.accounts.models import User
from yiwang.casework.actions import do_accept, do_approve_reply, do_forward, do_reply
from yiwang.channels.gateways import do_create_gateway, gateway_secret, reply_address
from yiwang.channels.models import Gateway, GatewayEvent
from yiwang.intake.models import Channel, Message
from yiwang.intake.personal import unseal
from yiwang.lib.crypto import generate_key_spec
from yiwang.lib.signatures import sign
from yiwang.notify.sms import MemoryGatewayBackend, MemorySmsBackend
from yiwang.orgs.models import Department, Region

pytestmark = pytest.mark.django_db
URL = "/api/v1/gateways/sms-10086/messages"
CONTENT = "文三路的路灯坏了一周了，晚上很黑，请尽快修理。"


@pytest.fixture
def sms_gateway(regions: dict[str, Region]) -> tuple[Gateway, str]:
    return do_create_gateway("sms-10086", default_region="330106", label="移动短信")


def delivery(**overrides: Any) -> dict[str, Any]:
    body = {
        "event_id": "evt-0001",
        "from": "13800138000",
        "text": CONTENT,
        "received_at": "2026-11-29T08:00:00+08:00",
    }
    body.update(overrides)
    return body


@pytest.fixture
def post(client: Client, sms_gateway: tuple[Gateway, str]) -> Callable[..., Any]:
    """POST a body signed with the gateway's secret (or as ``headers`` say)."""
    _gateway, secret = sms_gateway

    def _post(
        body: dict[str, Any] | bytes | None = None,
        *,
        url: str = URL,
        timestamp: int | None = None,
        secret_used: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body or delivery()).encode()
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = {
            "X-Yiwang-Timestamp": stamp,
            "X-Yiwang-Signature": sign(secret_used or secret, stamp, raw),
        }
        return client.post(
            url,
            raw,
            content_type="application/json",
            headers=signed if headers is None else headers,
        )

    return _post


def test_a_validly_signed_delivery_creates_a_gateway_message(post: Callable[..., Any]) -> None:
    response = post()
    assert response.status_code == 201
    message = Message.objects.get(tracking_number=response.json()["tracking_number"])
    assert (message.channel, message.source, message.external_id) == (
        Channel.GATEWAY,
        "sms-10086",
        "evt-0001",
    )
    assert unseal("mobile", message.mobile_encrypted) == "13800138000"
    assert message.region.code == "330106"
    assert response.json()["query_code"]


def test_a_sender_that_is_not_a_phone_number_is_kept_for_the_reply_only(
    post: Callable[..., Any],
) -> None:
    response = post(delivery(**{"from": "oWx3x_openid_123"}))
    message = Message.objects.get(tracking_number=response.json()["tracking_number"])
    assert message.mobile_encrypted == ""
    assert GatewayEvent.objects.get().message == message


def assert_refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Message.objects.exists()


def test_a_wrong_signature_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(secret_used="not-the-secret"), 401, "bad_signature")


def test_a_delivery_without_the_signature_headers_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(headers={}), 401, "missing_signature")


def test_a_timestamp_more_than_five_minutes_old_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(timestamp=int(time.time()) - 301), 401, "stale_timestamp")


def test_a_replayed_event_id_is_refused_with_the_first_messages_number(
    post: Callable[..., Any],
) -> None:
    first = post().json()["tracking_number"]
    again = post(delivery(text="另一段文字，但事件编号相同，仍是重放。"))
    assert again.status_code == 409
    assert again.json() | {"message": ""} == {
        "code": "replayed_event",
        "message": "",
        "tracking_number": first,
    }
    assert Message.objects.count() == 1


def test_malformed_json_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(b"{not json"), 400, "malformed_json")


def test_a_delivery_missing_its_event_id_is_refused_naming_the_field(
    post: Callable[..., Any],
) -> None:
    body = delivery()
    del body["event_id"]
    response = post(body)
    assert_refused(response, 400, "invalid_input")
    assert response.json()["errors"][0]["field"] == "event_id"


def test_a_text_too_short_for_a_message_is_refused_like_any_submission(
    post: Callable[..., Any],
) -> None:
    assert_refused(post(delivery(text="灯")), 400, "invalid_input")


def test_an_oversized_body_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(delivery(text="很" * 40_000)), 413, "body_too_large")


def test_an_unknown_gateway_is_refused(post: Callable[..., Any]) -> None:
    assert_refused(post(url="/api/v1/gateways/nobody/messages"), 404, "unknown_gateway")


def test_an_inactive_gateway_is_refused(
    post: Callable[..., Any], sms_gateway: tuple[Gateway, str]
) -> None:
    Gateway.objects.filter(pk=sms_gateway[0].pk).update(is_active=False)
    assert_refused(post(), 404, "unknown_gateway")


def test_the_secret_is_stored_encrypted_not_in_clear(sms_gateway: tuple[Gateway, str]) -> None:
    gateway, secret = sms_gateway
    assert secret not in gateway.secret_encrypted


def test_the_approved_answer_goes_back_through_the_gateway_instead_of_an_sms(
    post: Callable[..., Any],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    departments: dict[str, Department],
    django_capture_on_commit_callbacks: Any,
) -> None:
    MemoryGatewayBackend.outbox.clear()
    MemorySmsBackend.outbox.clear()
    number = post().json()["tracking_number"]  # from a phone: its mobile is on the message
    message = Message.objects.get(tracking_number=number)
    Message.objects.filter(pk=message.pk).update(state="triaged")
    with django_capture_on_commit_callbacks(execute=True):
        do_forward(clerk, message.pk, departments["housing"].pk)
        do_accept(dept_officer, message.pk)
        do_reply(dept_officer, message.pk, "已安排维修，本周内完成。")
        do_approve_reply(supervisor, message.pk)
    assert len(MemoryGatewayBackend.outbox) == 1
    gateway, to, text = MemoryGatewayBackend.outbox[0]
    assert (gateway, to) == ("sms-10086", "13800138000")
    assert number in text
    assert "已安排维修" in text
    assert MemorySmsBackend.outbox == []  # not twice to the same phone


def test_the_command_registers_a_gateway_and_shows_its_secret_once(
    regions: dict[str, Region],
) -> None:
    out = io.StringIO()
    call_command("create_gateway", "wechat-gov", "--region", "330106", stdout=out)
    secret = out.getvalue().rsplit(" ", 1)[-1].strip()
    gateway = Gateway.objects.get(name="wechat-gov")
    assert secret
    assert secret not in gateway.secret_encrypted


def test_the_same_words_from_the_same_phone_again_are_one_message_and_say_so(
    post: Callable[..., Any],
) -> None:
    first = post().json()
    again = post(delivery(event_id="evt-0002"))
    assert again.status_code == 200
    assert again.json() == {
        "tracking_number": first["tracking_number"],
        "query_code": None,
        "duplicate": True,
    }
    assert Message.objects.count() == 1
    assert post(delivery(event_id="evt-0002")).status_code == 409  # and its replay is refused


def test_key_rotation_re_encrypts_gateway_secrets_and_senders_and_signatures_still_check(
    post: Callable[..., Any], sms_gateway: tuple[Gateway, str], settings: Any
) -> None:
    assert post().status_code == 201
    settings.YIWANG_PII_KEYS = f"{generate_key_spec('new')},{settings.YIWANG_PII_KEYS}"
    out = io.StringIO()
    call_command("rotate_pii_keys", stdout=out)
    assert "1 gateway secrets and 1 gateway senders re-encrypted" in out.getvalue()
    gateway, event = Gateway.objects.get(), GatewayEvent.objects.get()
    assert gateway.secret_encrypted.startswith("v1.new.")
    assert event.sender_encrypted.startswith("v1.new.")
    assert gateway_secret(gateway) == sms_gateway[1]
    assert reply_address(event.message) == ("sms-10086", "13800138000")
    assert post(delivery(event_id="evt-0002", text=CONTENT + "又一周了。")).status_code == 201
    again = io.StringIO()
    call_command("rotate_pii_keys", stdout=again)
    assert "0 gateway secrets and 0 gateway senders" in again.getvalue()
