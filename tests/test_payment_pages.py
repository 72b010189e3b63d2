"""The payer's pages of the payment platform: choose how to pay, pay at the (simulated)
provider, come back; cancel; a provider that is down or refuses (issue 8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.payments import actions
from yiwang.payments.actions import NewPayment
from yiwang.payments.models import Payment, PaymentState

Commits = Callable[..., AbstractContextManager[Any]]
RETURN = "https://fines.example/17"


def new_payment(amount: int = 20000, language: str = "zh-hans") -> Payment:
    request = NewPayment(amount, "3301060000000017", "违停罚款 浙A12345", RETURN, language=language)
    payment, _created = actions.do_create_payment("fines", request)
    return payment


def page(payment: Payment) -> str:
    return f"/payments/pay/{payment.external_id}/"


def test_the_payer_sees_what_they_pay_and_chooses_how(db: None, client: Client) -> None:
    payment = new_payment()
    response = client.get(page(payment))
    text = response.content.decode()
    assert response.status_code == 200
    assert "¥200.00" in text
    assert "违停罚款 浙A12345" in text
    assert 'name="provider" value="simulator"' in text
    payment.refresh_from_db()
    assert payment.state == PaymentState.STARTED


def test_the_payer_pays_at_the_simulator_and_comes_back_to_the_service(
    db: None, client: Client, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = new_payment()
    client.get(page(payment))
    to_provider = client.post(page(payment), {"provider": "simulator", "action": "pay"})
    assert to_provider.status_code == 302
    simulator_page = to_provider["Location"]
    assert simulator_page == f"/payments/simulator/{payment.external_id}/"
    assert "¥200.00" in client.get(simulator_page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(simulator_page, {"action": "pay"})
    assert back["Location"].endswith(f"/payments/return/{payment.external_id}/")
    onward = client.get(back["Location"])
    assert onward["Location"] == RETURN
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    done = client.get(page(payment)).content.decode()
    assert 'id="state"' in done
    assert 'name="provider"' not in done


def test_the_payer_cancels_on_our_page(db: None, client: Client) -> None:
    payment = new_payment()
    client.get(page(payment))
    response = client.post(page(payment), {"action": "cancel"})
    assert response["Location"] == RETURN
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0030")


def test_the_payer_gives_up_at_the_provider(
    db: None, client: Client, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = new_payment()
    client.get(page(payment))
    client.post(page(payment), {"provider": "simulator", "action": "pay"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/simulator/{payment.external_id}/", {"action": "cancel"})
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0030")


def test_a_provider_that_is_down_gets_a_clear_message_and_nothing_is_charged(
    db: None, client: Client
) -> None:
    payment = new_payment(10004, language="en")
    client.get(page(payment))
    response = client.post(page(payment), {"provider": "simulator", "action": "pay"})
    assert response.status_code == 503
    assert "Nothing has been charged; please try again" in response.content.decode()
    payment.refresh_from_db()
    assert payment.state == PaymentState.STARTED  # the payer may try again
    assert 'name="provider"' in response.content.decode()


def test_a_provider_that_refuses_the_charge_ends_the_payment_with_p0050(
    db: None, client: Client
) -> None:
    payment = new_payment(10003)
    client.get(page(payment))
    response = client.post(page(payment), {"provider": "simulator", "action": "pay"})
    assert response.status_code == 502
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.ERROR, "P0050")


@pytest.mark.parametrize("provider", ["", "alipay", "<script>", "simulator\x00"])
def test_an_unknown_way_to_pay_is_refused_with_the_page_again(
    db: None, client: Client, provider: str
) -> None:
    payment = new_payment()
    response = client.post(page(payment), {"provider": provider, "action": "pay"})
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.STARTED
    assert "<script>" not in response.content.decode()


def test_an_english_payment_speaks_english(db: None, client: Client) -> None:
    payment = new_payment(language="en")
    text = client.get(page(payment)).content.decode()
    assert "How would you like to pay?" in text


def test_an_expired_payment_can_no_longer_be_paid(db: None, client: Client) -> None:
    payment = new_payment()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=91), tick=False):
        text = client.get(page(payment)).content.decode()
        client.post(page(payment), {"provider": "simulator", "action": "pay"})
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0020")
    assert 'name="provider"' not in text


@pytest.mark.parametrize("payment_id", ["nope", "a" * 26, "a" * 300, "%00"])
def test_unknown_payments_and_charges_are_not_found(
    db: None, client: Client, payment_id: str
) -> None:
    assert client.get(f"/payments/pay/{payment_id}/").status_code == 404
    assert client.get(f"/payments/return/{payment_id}/").status_code == 404
    assert client.get(f"/payments/simulator/{payment_id}/").status_code == 404
