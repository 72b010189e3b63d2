"""Follow-up work after intake: the receipt e-mail, sent once, never with the query code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from yiwang.intake.actions import SubmissionResult, do_send_receipt
from yiwang.intake.models import MessageEvent

pytestmark = pytest.mark.django_db


def test_a_citizen_with_an_email_gets_the_tracking_number_once(
    submit: Callable[..., SubmissionResult], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(email="citizen@example.com")
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["citizen@example.com"]
    assert result.message.tracking_number in receipt.subject
    assert result.query_code is not None
    assert result.query_code not in receipt.body
    assert do_send_receipt(result.message.pk) is False  # a re-run task sends nothing more
    assert len(mail.outbox) == 1
    assert MessageEvent.objects.filter(message=result.message, kind="receipt_sent").count() == 1


def test_no_receipt_goes_out_without_an_email_address(
    submit: Callable[..., SubmissionResult], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    assert mail.outbox == []


def test_the_receipt_speaks_the_language_the_message_was_written_in(
    submit: Callable[..., SubmissionResult], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit(email="visitor@example.com", language="en")
    assert mail.outbox[0].subject.startswith("Your message")
