"""The payment platform's HTTP API: creating with idempotency, reading, searching, cancelling
and refunding, and every kind of bad request (issue 8, ``yiwang/payments/README.md``)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from yiwang.accounts.apikeys import do_issue_api_client, do_revoke_api_client
from yiwang.accounts.models import ApiClient
from yiwang.payments import actions
from yiwang.payments.models import Payment, PaymentState, Refund

URL = "/api/v1/payments"
GOOD = {
    "amount": 20000,
    "reference": "3301060000000017",
    "description": "违停罚款 浙A12345",
    "return_url": "https://fines.example.gov.cn/paid/17",
}


class PayApi:
    """A service calling the payments API with its key."""

    def __init__(self, client: Client, key: str) -> None:
        self.client = client
        self.key = key

    def post(self, path: str, body: Any, key: str | None = None) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        headers = {"Authorization": f"Bearer {self.key}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(path, data, content_type="application/json", headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers={"Authorization": f"Bearer {self.key}"})

    def create(self, body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        response = self.post(URL, body or GOOD, key)
        assert response.status_code == 201, response.content
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def service(db: None) -> tuple[ApiClient, str]:
    return do_issue_api_client("parking fines of 西湖区", ["payments"])


@pytest.fixture
def api(client: Client, service: tuple[ApiClient, str]) -> PayApi:
    return PayApi(client, service[1])


@pytest.fixture
def other_api(db: None) -> PayApi:
    _client, key = do_issue_api_client("another service", ["payments"])
    return PayApi(Client(), key)


def paid(payment_id: str, commits: Callable[..., Any]) -> Payment:
    """Pay through the payer's pages with the simulator (notifications delivered)."""
    payment = Payment.objects.get(external_id=payment_id)
    actions.do_open(payment.pk)
    with commits(execute=True):
        actions.do_submit(payment.pk, "simulator")
    from yiwang.payments.providers import simulator

    with commits(execute=True):
        simulator.pay(payment_id)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    return payment


# --- Creating ---------------------------------------------------------------------------------


def test_a_service_creates_a_payment_and_gets_its_id_and_the_payers_page(api: PayApi) -> None:
    created = api.create()
    assert len(created["payment_id"]) == 26
    assert created["amount"] == 20000
    assert created["state"] == {"status": "created", "finished": False}
    assert created["reference"] == GOOD["reference"]
    assert created["_links"]["next_url"]["href"].endswith(f"/payments/pay/{created['payment_id']}/")
    assert created["refund_summary"]["status"] == "pending"
    payment = Payment.objects.get(external_id=created["payment_id"])
    expiry = payment.expires_at - payment.created_at
    assert expiry == dt.timedelta(minutes=90)


def test_the_same_idempotency_key_and_body_give_the_first_payment_back(api: PayApi) -> None:
    first = api.create(key="fine-17-attempt-1")
    again = api.post(URL, GOOD, key="fine-17-attempt-1")
    assert again.status_code == 200
    assert again.json()["payment_id"] == first["payment_id"]
    assert Payment.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api: PayApi) -> None:
    api.create(key="fine-17-attempt-1")
    response = api.post(URL, {**GOOD, "amount": 20001}, key="fine-17-attempt-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Payment.objects.count() == 1


def test_an_idempotency_key_may_be_used_again_after_24_hours(api: PayApi) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        first = api.create(key="daily-run")
    with time_machine.travel(dt.datetime(2026, 11, 3, 9, 1, tzinfo=dt.UTC), tick=False):
        second = api.create({**GOOD, "amount": 30000}, key="daily-run")
    assert first["payment_id"] != second["payment_id"]


def test_two_services_may_use_the_same_idempotency_key(api: PayApi, other_api: PayApi) -> None:
    one = api.create(key="k-1")
    two = other_api.create(key="k-1")
    assert one["payment_id"] != two["payment_id"]


@pytest.mark.parametrize("key", ["", "has space", "下划线", "x" * 256, "a_b"])
def test_a_malformed_idempotency_key_is_refused_with_422(api: PayApi, key: str) -> None:
    response = api.post(URL, GOOD, key=key)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_once_makes_one_payment(
    service: tuple[ApiClient, str],
) -> None:
    results: list[int] = []

    def send() -> None:
        try:
            response = PayApi(Client(), service[1]).post(URL, GOOD, key="once")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 201]
    assert Payment.objects.count() == 1


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("no amount", {k: v for k, v in GOOD.items() if k != "amount"}, "amount"),
    ("amount as text", {**GOOD, "amount": "20000"}, "amount"),
    ("amount with decimals", {**GOOD, "amount": 200.5}, "amount"),
    ("amount true", {**GOOD, "amount": True}, "amount"),
    ("amount zero", {**GOOD, "amount": 0}, "amount"),
    ("amount negative", {**GOOD, "amount": -100}, "amount"),
    ("amount too large", {**GOOD, "amount": 100_000_001}, "amount"),
    ("amount enormous", {**GOOD, "amount": 10**40}, "amount"),
    ("blank reference", {**GOOD, "reference": "  "}, "reference"),
    ("reference too long", {**GOOD, "reference": "x" * 256}, "reference"),
    ("reference with NUL", {**GOOD, "reference": "a\x00b"}, "reference"),
    ("description missing", {k: v for k, v in GOOD.items() if k != "description"}, "description"),
    ("description a number", {**GOOD, "description": 5}, "description"),
    ("javascript return", {**GOOD, "return_url": "javascript:alert(1)"}, "return_url"),
    ("relative return", {**GOOD, "return_url": "/paid"}, "return_url"),
    ("return with spaces", {**GOOD, "return_url": "https://a.cn/x y"}, "return_url"),
    ("return too long", {**GOOD, "return_url": "https://a.cn/" + "x" * 2000}, "return_url"),
    ("16 metadata keys", {**GOOD, "metadata": {f"k{i}": i for i in range(16)}}, "metadata"),
    ("nested metadata", {**GOOD, "metadata": {"a": {"b": 1}}}, "metadata.a"),
    ("metadata a list", {**GOOD, "metadata": ["a"]}, "metadata"),
    ("metadata key too long", {**GOOD, "metadata": {"k" * 31: 1}}, "metadata"),
    ("metadata value too long", {**GOOD, "metadata": {"k": "v" * 101}}, "metadata.k"),
    ("unknown language", {**GOOD, "language": "fr"}, "language"),
    ("unknown field", {**GOOD, "card_number": "4444333322221111"}, "card_number"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_a_bad_field_is_named_and_nothing_is_created(
    api: PayApi, case: str, body: Any, field: str
) -> None:
    response = api.post(URL, body)
    assert response.status_code == 400, case
    answer = response.json()
    assert answer["code"] == "invalid_input"
    assert field in [error["field"] for error in answer["errors"]]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"", 400), (b"{not json", 400), (b"[1, 2]", 400), (b"\xff\xfe", 400), (b" " * 17000, 413)],
)
def test_a_body_that_is_no_json_object_or_too_large_is_refused(
    api: PayApi, body: bytes, status: int
) -> None:
    assert api.post(URL, body).status_code == status
    assert not Payment.objects.exists()


def test_metadata_and_english_are_kept(api: PayApi) -> None:
    body = {**GOOD, "metadata": {"plate": "浙A12345", "district": 330106, "late": False}}
    created = api.create({**body, "language": "en"})
    fetched = api.get(f"{URL}/{created['payment_id']}").json()
    assert fetched["metadata"] == body["metadata"]
    assert fetched["language"] == "en"


# --- Who may call -----------------------------------------------------------------------------


def test_without_a_key_or_with_a_revoked_one_the_api_answers_401(
    client: Client, service: tuple[ApiClient, str], api: PayApi
) -> None:
    assert client.post(URL, GOOD, content_type="application/json").status_code == 401
    do_revoke_api_client(service[0])
    assert api.post(URL, GOOD).status_code == 401
    assert not Payment.objects.exists()


def test_a_key_without_the_payments_scope_gets_403(client: Client, db: None) -> None:
    _c, key = do_issue_api_client("hotline", ["messages:submit"])
    response = PayApi(client, key).post(URL, GOOD)
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_a_service_cannot_see_or_touch_another_services_payment(
    api: PayApi, other_api: PayApi
) -> None:
    created = api.create()
    path = f"{URL}/{created['payment_id']}"
    assert other_api.get(path).status_code == 404
    assert other_api.get(f"{path}/events").status_code == 404
    assert other_api.post(f"{path}/cancel", {}).status_code == 404
    assert other_api.post(f"{path}/refunds", {"amount": 1}).status_code == 404
    assert other_api.get(URL).json()["total"] == 0


@pytest.mark.parametrize("payment_id", ["nope", "x" * 300, "../../admin", "%00", "'; --"])
def test_an_unknown_or_hostile_id_is_not_found(api: PayApi, payment_id: str) -> None:
    response = api.get(f"{URL}/{payment_id}")
    assert response.status_code == 404


# --- Reading, events and search ------------------------------------------------------------------


def test_the_events_tell_the_payments_way_from_created_to_paid(
    api: PayApi, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    created = api.create()
    paid(created["payment_id"], django_capture_on_commit_callbacks)
    payment = api.get(f"{URL}/{created['payment_id']}").json()
    assert payment["state"] == {"status": "success", "finished": True}
    assert payment["payment_provider"] == "simulator"
    assert payment["refund_summary"] == {
        "status": "available",
        "amount_available": 20000,
        "amount_submitted": 0,
    }
    events = api.get(f"{URL}/{created['payment_id']}/events").json()["events"]
    states = [event["state"]["status"] for event in events]
    assert states == ["created", "started", "submitted", "success"]
    assert events[-1]["source"] == "notification"


def test_search_pages_newest_first_and_filters(api: PayApi) -> None:
    made = [api.create({**GOOD, "reference": f"R{i}"})["payment_id"] for i in range(5)]
    first = api.get(URL, display_size=2).json()
    assert (first["total"], first["count"], first["pages"]) == (5, 2, 3)
    assert [r["payment_id"] for r in first["results"]] == made[::-1][:2]
    last = api.get(URL, display_size=2, page=3).json()
    assert [r["payment_id"] for r in last["results"]] == [made[0]]
    assert api.get(URL, reference="R3").json()["results"][0]["payment_id"] == made[3]
    assert api.get(URL, state="success").json()["total"] == 0
    assert api.get(URL, page=9).json()["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "paid"},
        {"display_size": "0"},
        {"display_size": "501"},
        {"page": "-1"},
        {"page": "１"},
        {"page": "abc"},
        {"from_date": "yesterday"},
        {"from_date": "2026-11-02T09:00:00"},
        {"to_date": "2026-13-45T00:00:00Z"},
    ],
)
def test_bad_search_parameters_get_400(api: PayApi, params: dict[str, str]) -> None:
    response = api.get(URL, **params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_search_by_creation_time(api: PayApi) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        early = api.create()
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, tzinfo=dt.UTC), tick=False):
        api.create()
    found = api.get(URL, to_date="2026-11-03T00:00:00+00:00").json()
    assert [r["payment_id"] for r in found["results"]] == [early["payment_id"]]


# --- Cancelling ------------------------------------------------------------------------------


def test_a_service_cancels_an_unfinished_payment(api: PayApi) -> None:
    created = api.create()
    path = f"{URL}/{created['payment_id']}"
    assert api.post(f"{path}/cancel", {}).status_code == 204
    state = api.get(path).json()["state"]
    assert (state["status"], state["finished"], state["code"]) == ("cancelled", True, "P0040")
    assert state["message"]
    again = api.post(f"{path}/cancel", {})
    assert again.status_code == 400
    assert again.json()["code"] == "cancel_failed"


def test_cancelling_a_handed_over_payment_closes_the_charge_at_the_provider(
    api: PayApi, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from yiwang.payments.models import SimulatedCharge

    created = api.create()
    payment = Payment.objects.get(external_id=created["payment_id"])
    actions.do_open(payment.pk)
    actions.do_submit(payment.pk, "simulator")
    assert api.post(f"{URL}/{created['payment_id']}/cancel", {}).status_code == 204
    assert SimulatedCharge.objects.get(trade_no=payment.external_id).status == "closed"


# --- Refunds -------------------------------------------------------------------------------------


@pytest.fixture
def paid_payment(api: PayApi, django_capture_on_commit_callbacks: Callable[..., Any]) -> str:
    created = api.create()
    paid(created["payment_id"], django_capture_on_commit_callbacks)
    return str(created["payment_id"])


def test_a_paid_payment_is_refunded_in_parts_until_nothing_is_left(
    api: PayApi, paid_payment: str
) -> None:
    path = f"{URL}/{paid_payment}/refunds"
    first = api.post(path, {"amount": 5000, "refund_amount_available": 20000})
    assert first.status_code == 202
    assert first.json()["status"] == "success"
    summary = api.get(f"{URL}/{paid_payment}").json()["refund_summary"]
    assert summary == {"status": "available", "amount_available": 15000, "amount_submitted": 5000}
    second = api.post(path, {"amount": 15000, "refund_amount_available": 15000})
    assert second.status_code == 202
    assert api.get(f"{URL}/{paid_payment}").json()["refund_summary"]["status"] == "full"
    refunds = api.get(path).json()["refunds"]
    assert [r["amount"] for r in refunds] == [5000, 15000]
    one = api.get(f"{path}/{refunds[0]['refund_id']}").json()
    assert one["amount"] == 5000
    assert api.get(f"{path}/nope").status_code == 404
    assert api.post(path, {"amount": 1}).json()["code"] == "refund_not_available"


def test_a_stale_refund_amount_available_is_refused_with_412(
    api: PayApi, paid_payment: str
) -> None:
    path = f"{URL}/{paid_payment}/refunds"
    api.post(path, {"amount": 5000, "refund_amount_available": 20000})
    stale = api.post(path, {"amount": 5000, "refund_amount_available": 20000})
    assert stale.status_code == 412
    assert stale.json()["code"] == "refund_amount_available_mismatch"
    assert stale.json()["refund_amount_available"] == 15000
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": 20001}, "refund_amount_too_high"),
        ({"amount": 0}, "invalid_input"),
        ({"amount": "100"}, "invalid_input"),
        ({}, "invalid_input"),
        ({"amount": 100, "refund_amount_available": "all"}, "invalid_input"),
    ],
)
def test_a_bad_refund_is_refused_and_nothing_is_refunded(
    api: PayApi, paid_payment: str, body: dict[str, Any], code: str
) -> None:
    response = api.post(f"{URL}/{paid_payment}/refunds", body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Refund.objects.exists()


def test_an_unpaid_payment_cannot_be_refunded(api: PayApi) -> None:
    created = api.create()
    response = api.post(f"{URL}/{created['payment_id']}/refunds", {"amount": 100})
    assert response.status_code == 400
    assert response.json()["code"] == "refund_not_available"


@pytest.mark.django_db(transaction=True)
def test_two_refunds_of_the_whole_amount_at_once_refund_it_once(
    service: tuple[ApiClient, str],
) -> None:
    created = PayApi(Client(), service[1]).create()
    payment = Payment.objects.get(external_id=created["payment_id"])
    actions.do_open(payment.pk)
    actions.do_submit(payment.pk, "simulator")
    from yiwang.payments.providers import simulator

    simulator.pay(payment.external_id)
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCESS
    statuses: list[int] = []

    def refund() -> None:
        try:
            body = {"amount": 20000, "refund_amount_available": 20000}
            path = f"{URL}/{payment.external_id}/refunds"
            statuses.append(PayApi(Client(), service[1]).post(path, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [202, 412]
    assert Refund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).refunded == 20000
