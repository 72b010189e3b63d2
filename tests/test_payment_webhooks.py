"""Webhooks out: a service hears of its finished payments and refunds, signed with its secret,
and a receiver that fails is retried after 60 s, 5 min, 1 h, 1 day and 2 days, then given up
(issue 8). The receiver is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from yiwang.accounts.apikeys import do_issue_api_client
from yiwang.accounts.models import ApiClient
from yiwang.payments import actions
from yiwang.payments.actions import NewPayment
from yiwang.payments.models import Payment
from yiwang.payments.providers import simulator
from yiwang.payments.webhooks.actions import (
    RETRY_AFTER,
    BadSubscription,
    do_retry_due,
    do_subscribe,
)
from yiwang.payments.webhooks.models import WebhookMessage, WebhookSubscription

Commits = Callable[..., AbstractContextManager[Any]]


class Receiver:
    """A service's webhook endpoint: records what it gets, answers ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/pay-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def service(db: None) -> ApiClient:
    client, _key = do_issue_api_client("parking fines", ["payments"])
    return client


def paid_payment(client: ApiClient, commits: Commits, amount: int = 20000) -> str:
    request = NewPayment(amount, "F-17", "违停罚款", "https://fines.example/17")
    payment, _created = actions.do_create_payment(f"client:{client.pk}", request)
    actions.do_open(payment.pk)
    actions.do_submit(payment.pk, "simulator")
    with commits(execute=True):
        simulator.pay(payment.external_id)
    return payment.external_id


def test_a_service_hears_its_payment_succeeded_signed_with_its_secret(
    service: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Commits
) -> None:
    _subscription, secret = do_subscribe(service, receiver.url)
    payment_id = paid_payment(service, django_capture_on_commit_callbacks)
    ((headers, body),) = receiver.received
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["Pay-Signature"] == expected
    event = json.loads(body)
    assert (event["event_type"], event["resource_id"]) == ("payment_succeeded", payment_id)
    assert event["resource"]["state"] == {"status": "success", "finished": True}
    message = WebhookMessage.objects.get()
    assert (message.state, message.attempts, message.last_status) == ("delivered", 1, 200)


def test_a_failing_receiver_is_retried_on_the_schedule_then_given_up(
    service: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Commits
) -> None:
    do_subscribe(service, receiver.url)
    receiver.status = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        paid_payment(service, django_capture_on_commit_callbacks)
        message = WebhookMessage.objects.get()
        waited = dt.timedelta(0)
        for delay in RETRY_AFTER:
            message.refresh_from_db()
            assert message.next_attempt_at == start + waited + delay
            clock.shift(delay - dt.timedelta(seconds=1))
            assert do_retry_due() == 0  # not yet due: nothing sent
            clock.shift(dt.timedelta(seconds=1))
            with django_capture_on_commit_callbacks(execute=False):
                do_retry_due()
            waited += delay
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == ("failed", 6, None)
    assert len(receiver.received) == 6
    assert do_retry_due() == 0


def test_a_receiver_that_recovers_gets_the_message_on_the_next_attempt(
    service: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Commits
) -> None:
    do_subscribe(service, receiver.url)
    receiver.status = 503
    paid_payment(service, django_capture_on_commit_callbacks)
    receiver.status = 204
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert do_retry_due() == 1
    message = WebhookMessage.objects.get()
    assert (message.state, message.attempts) == ("delivered", 2)


def test_an_unreachable_receiver_counts_as_a_failed_attempt(
    service: ApiClient, django_capture_on_commit_callbacks: Commits
) -> None:
    closed = Receiver()
    closed.close()
    do_subscribe(service, closed.url)
    paid_payment(service, django_capture_on_commit_callbacks)
    message = WebhookMessage.objects.get()
    assert (message.state, message.attempts, message.last_status) == ("pending", 1, None)
    assert message.last_error


def test_only_the_chosen_events_are_sent_and_refunds_are_announced(
    service: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Commits
) -> None:
    do_subscribe(service, receiver.url, ["refund_succeeded"])
    payment_id = paid_payment(service, django_capture_on_commit_callbacks)
    assert receiver.received == []
    payment = Payment.objects.get(external_id=payment_id)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_refund(payment.pk, 5000, 20000)
    ((_headers, body),) = receiver.received
    event = json.loads(body)
    assert event["event_type"] == "refund_succeeded"
    assert event["resource"]["refund"]["amount"] == 5000


def test_the_apps_own_payments_and_unsubscribed_clients_send_nothing(
    service: ApiClient, receiver: Receiver, django_capture_on_commit_callbacks: Commits
) -> None:
    paid_payment(service, django_capture_on_commit_callbacks)
    assert not WebhookMessage.objects.exists()


@pytest.mark.parametrize(
    ("url", "events"),
    [
        ("ftp://a.cn/x", None),
        ("/relative", None),
        ("https://", None),
        ("https://a.cn/" + "x" * 2000, None),
        ("https://a.cn/x", ["payment_paid"]),
    ],
)
def test_a_bad_subscription_is_refused(
    service: ApiClient, url: str, events: list[str] | None
) -> None:
    with pytest.raises(BadSubscription):
        do_subscribe(service, url, events)
    assert not WebhookSubscription.objects.exists()


def test_the_command_prints_the_secret_once_and_stores_it_encrypted(service: ApiClient) -> None:
    out = io.StringIO()
    call_command("add_payment_webhook", "parking fines", "https://fines.example/hook", stdout=out)
    secret = out.getvalue().rsplit("signing secret (shown once): ", 1)[1].strip()
    assert secret.startswith("whsec_")
    assert secret not in WebhookSubscription.objects.get().secret_encrypted
