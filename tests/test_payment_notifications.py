"""Providers' notifications and the faults the payment platform must survive (issue 8): the
same notification eight times, out of order, tampered, before our own commit, a process
killed between the provider's success and our commit, a provider that is down or silent,
and expiry."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from yiwang.payments import actions, listeners
from yiwang.payments.actions import NewPayment
from yiwang.payments.models import (
    NotificationOutcome,
    Payment,
    PaymentEvent,
    PaymentState,
    ProviderNotification,
    SimulatedCharge,
)
from yiwang.payments.providers import registry, simulator
from yiwang.payments.providers.base import ProviderUnavailable, QueryResult
from yiwang.payments.services import PaymentView

Commits = Callable[..., AbstractContextManager[Any]]
NOTIFY = "/payments/notify/simulator/"


def new_payment(amount: int = 20000) -> Payment:
    request = NewPayment(amount, "3301060000000017", "违停罚款", "https://fines.example/17")
    payment, _created = actions.do_create_payment("fines", request)
    return payment


def handed_over(amount: int = 20000) -> Payment:
    payment = new_payment(amount)
    actions.do_open(payment.pk)
    return actions.do_submit(payment.pk, "simulator")


def events(payment: Payment) -> list[str]:
    return list(PaymentEvent.objects.filter(payment=payment).values_list("state", flat=True))


@pytest.fixture
def heard() -> Iterator[list[PaymentView]]:
    """What the owning app ("fines") hears of finished payments."""
    views: list[PaymentView] = []
    before = listeners.handler_for("fines")  # the fines app's own handler, put back after
    listeners.listen("fines", views.append)
    yield views
    if before is not None:
        listeners.listen("fines", before)


def test_a_paid_charge_is_confirmed_by_its_signed_notification_and_the_owner_hears_once(
    db: None, django_capture_on_commit_callbacks: Commits, heard: list[PaymentView]
) -> None:
    payment = handed_over()
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert payment.finished_at is not None
    assert events(payment) == ["created", "started", "submitted", "success"]
    assert [(v.payment_id, v.state) for v in heard] == [(payment.external_id, "success")]
    row = ProviderNotification.objects.get()
    assert (row.outcome, row.times_received) == (NotificationOutcome.APPLIED, 1)


def test_the_same_notification_eight_times_is_applied_once(
    db: None, django_capture_on_commit_callbacks: Commits, heard: list[PaymentView]
) -> None:
    payment = handed_over(10005)  # the simulator sends it 8 times
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    assert events(payment).count("success") == 1
    assert ProviderNotification.objects.get().times_received == 8
    assert len(heard) == 1


def test_a_pending_notification_after_the_success_does_not_move_the_payment_back(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = handed_over(10006)  # success, then a late "pending"
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    outcomes = dict(ProviderNotification.objects.values_list("status", "outcome"))
    assert outcomes == {"success": "applied", "pending": "no_change"}


def test_a_tampered_notification_is_refused_and_the_genuine_one_applies(
    db: None, django_capture_on_commit_callbacks: Commits, caplog: pytest.LogCaptureFixture
) -> None:
    payment = handed_over(10007)  # the first copy has a bad signature
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert "bad_signature" in caplog.text
    assert ProviderNotification.objects.get().times_received == 1


def test_a_declined_payment_fails_with_p0010(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = handed_over(10001)
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0010")


def test_a_notification_with_another_amount_is_refused(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = handed_over()
    charge = SimulatedCharge.objects.get(trade_no=payment.external_id)
    charge.status, charge.paid_at, charge.amount = "success", timezone.now(), 1
    charge.save()
    for headers, body in simulator.notifications(charge):
        actions.do_receive_notification("simulator", headers, body)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUBMITTED
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REFUSED


def test_a_notification_for_a_payment_not_yet_handed_over_waits_for_its_resend(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = new_payment()
    actions.do_open(payment.pk)
    charge = SimulatedCharge.objects.create(
        trade_no=payment.external_id,
        provider_id="SIMEARLY",
        amount=payment.amount,
        status="success",
        notify_url="",
        return_url="",
        created_at=timezone.now(),
        paid_at=timezone.now(),
    )
    ((headers, body),) = simulator.notifications(charge)
    early = actions.do_receive_notification("simulator", headers, body)
    assert early.status == 400  # the provider sends it again later
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.UNMATCHED
    actions.do_submit(payment.pk, "simulator")  # our record of handing it over commits
    again = actions.do_receive_notification("simulator", headers, body)
    assert again.status == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    row = ProviderNotification.objects.get()
    assert (row.outcome, row.times_received) == (NotificationOutcome.APPLIED, 2)


@pytest.mark.django_db(transaction=True)
@override_settings(YIWANG_SIMULATOR_AUTOPAY=True)
def test_a_notification_that_overtakes_our_own_commit_still_finishes_the_payment() -> None:
    payment = new_payment()
    actions.do_open(payment.pk)
    # The simulator pays and notifies while creating the charge, before do_submit records
    # that it handed the charge over: the payment goes from started straight to success.
    submitted = actions.do_submit(payment.pk, "simulator")
    assert submitted.state == PaymentState.SUCCESS
    assert events(payment) == ["created", "started", "success"]


def test_a_process_killed_after_the_providers_success_is_settled_by_the_next_query(
    db: None, heard: list[PaymentView]
) -> None:
    payment = handed_over(10008)  # paid at the provider; no notification ever arrives
    simulator.pay(payment.external_id)  # (its on_commit would deliver; none is sent)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUBMITTED
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        assert actions.do_resolve_silent() == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert PaymentEvent.objects.filter(payment=payment).last().source == "query"  # type: ignore[union-attr]
    assert SimulatedCharge.objects.get(trade_no=payment.external_id).amount == payment.amount


def test_the_return_page_asks_the_provider_when_no_notification_came(
    db: None, client: Client
) -> None:
    payment = handed_over(10008)
    simulator.pay(payment.external_id)
    response = client.get(f"/payments/return/{payment.external_id}/")
    assert response.status_code == 302
    assert response["Location"] == "https://fines.example/17"
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS


class DownProvider(simulator.SimulatorProvider):
    def query(self, trade_no: str) -> QueryResult:
        raise ProviderUnavailable("connection refused")

    def cancel(self, trade_no: str) -> None:
        raise ProviderUnavailable("connection refused")


def test_a_provider_that_is_down_leaves_the_payment_for_the_next_sweep(db: None) -> None:
    payment = handed_over()
    registry.install("simulator", DownProvider())
    later = timezone.now() + dt.timedelta(minutes=91)
    with time_machine.travel(later, tick=False):
        assert actions.do_expire_due() == 0
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUBMITTED
    registry.clear()
    with time_machine.travel(later, tick=False):
        assert actions.do_expire_due() == 1
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0020")
    assert SimulatedCharge.objects.get(trade_no=payment.external_id).status == "closed"


def test_a_payment_not_paid_within_90_minutes_expires_and_cannot_be_paid_later(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    waiting = handed_over(10002)  # the payer never pays
    untouched = new_payment()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=89), tick=False):
        assert actions.do_expire_due() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=91), tick=False):
        assert actions.do_expire_due() == 2
    for payment in (waiting, untouched):
        payment.refresh_from_db()
        assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0020")
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(waiting.external_id)  # closed at the provider: nothing happens
    assert SimulatedCharge.objects.get(trade_no=waiting.external_id).status == "closed"


def test_a_success_after_expiry_is_refused_not_applied(db: None) -> None:
    payment = handed_over()
    charge = SimulatedCharge.objects.get(trade_no=payment.external_id)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=91), tick=False):
        registry.install("simulator", DownProvider())
        Payment.objects.filter(pk=payment.pk).update(provider="")  # expire without asking
        actions.do_expire_due()
        registry.clear()
    Payment.objects.filter(pk=payment.pk).update(provider="simulator")
    charge.status, charge.paid_at = "success", timezone.now()
    charge.save()
    for headers, body in simulator.notifications(charge):
        actions.do_receive_notification("simulator", headers, body)
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0020")
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REFUSED


# --- The endpoint over HTTP -----------------------------------------------------------------------


def test_the_endpoint_answers_the_provider_as_it_expects(db: None, client: Client) -> None:
    payment = handed_over()
    simulator.pay(payment.external_id)
    charge = SimulatedCharge.objects.get(trade_no=payment.external_id)
    ((headers, body),) = simulator.notifications(charge)
    response = client.post(NOTIFY, body, content_type="application/json", headers=headers)
    assert (response.status_code, response.content) == (200, b"OK")
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCESS


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        (b"", "x"),
        (b"{}", None),
        (b"not json", None),
        (json.dumps({"id": "1", "trade_no": "x"}).encode(), None),
        (b'{"id": "1"}', "00" * 32),
        (b"\xff\xfe\x00", None),
    ],
)
def test_garbage_and_forged_notifications_are_refused_and_change_nothing(
    db: None, client: Client, body: bytes, signature: str | None
) -> None:
    headers = {simulator.SIGNATURE_HEADER: signature or simulator.sign(body)}
    response = client.post(NOTIFY, body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert not ProviderNotification.objects.exists()


def test_an_oversized_notification_is_refused_before_reading_it(db: None, client: Client) -> None:
    response = client.post(NOTIFY, b"x" * 70_000, content_type="application/json")
    assert response.status_code == 413


def test_a_provider_this_site_does_not_use_is_not_found(db: None, client: Client) -> None:
    form = "application/x-www-form-urlencoded"
    assert client.post("/payments/notify/alipay/", b"a=b", content_type=form).status_code == 404
    assert client.get(NOTIFY).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_eight_copies_at_once_are_applied_exactly_once() -> None:
    payment = handed_over()
    charge = SimulatedCharge.objects.get(trade_no=payment.external_id)
    charge.status, charge.paid_at = "success", timezone.now()
    charge.save()
    ((headers, body),) = simulator.notifications(charge)
    answers: list[int] = []

    def deliver() -> None:
        try:
            answers.append(actions.do_receive_notification("simulator", headers, body).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 8
    assert events(payment).count("success") == 1
    assert ProviderNotification.objects.get().times_received == 8


def test_the_simulators_statement_lists_the_days_paid_charges(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = handed_over()
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    handed_over(10002)  # never paid: not on the statement
    day = timezone.localdate(SimulatedCharge.objects.get(trade_no=payment.external_id).paid_at)
    rows = list(registry.get_provider("simulator").fetch_statement(day))
    assert [(r.trade_no, r.amount, r.kind) for r in rows] == [
        (payment.external_id, 20000, "payment")
    ]
