"""A message is stored exactly once: under concurrency, across the duplicate window, by number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test.utils import override_settings

from tests.concurrency import run_together
from yiwang.intake import numbers
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import DailySequence, Message, MessageEvent
from yiwang.orgs.models import Region


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_the_same_moment_make_one_message(
    regions: dict[str, Region], submit: Callable[..., SubmissionResult]
) -> None:
    results = run_together(4, lambda i: submit(token="same-token-0123456789abcdef"))
    assert Message.objects.count() == 1
    assert sum(1 for r in results if r.created) == 1
    assert {r.message.tracking_number for r in results} == {Message.objects.get().tracking_number}
    assert {r.query_code for r in results} == {results[0].query_code}


@pytest.mark.django_db(transaction=True)
def test_concurrent_different_messages_get_distinct_tracking_numbers(
    regions: dict[str, Region], submit: Callable[..., SubmissionResult]
) -> None:
    results = run_together(6, lambda i: submit(mobile=f"1370000000{i}"))
    numbers_given = [r.message.tracking_number for r in results]
    assert len(set(numbers_given)) == 6
    assert Message.objects.count() == 6


@pytest.mark.django_db
def test_the_same_words_after_the_window_are_a_new_message(
    regions: dict[str, Region], submit: Callable[..., SubmissionResult]
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), tick=False):
        first = submit()
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 1, tzinfo=dt.UTC), tick=False):
        second = submit()
    assert second.created
    assert second.message.pk != first.message.pk
    first.message.refresh_from_db()
    assert first.message.fingerprint is None  # released to the newer message
    assert second.message.fingerprint


@pytest.mark.django_db
def test_the_same_words_inside_the_window_return_the_first_and_note_it(
    regions: dict[str, Region], submit: Callable[..., SubmissionResult]
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), tick=False):
        first = submit()
    with time_machine.travel(dt.datetime(2026, 11, 2, 8, 59, tzinfo=dt.UTC), tick=False):
        again = submit()
    assert not again.created
    assert again.message.pk == first.message.pk
    assert again.query_code is None
    assert MessageEvent.objects.filter(message=first.message, kind="resubmitted").count() == 1


@pytest.mark.django_db
def test_tracking_numbers_use_the_local_day(
    regions: dict[str, Region], submit: Callable[..., SubmissionResult]
) -> None:
    # 17:30 UTC on 1 November is 01:30 on 2 November in Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 1, 17, 30, tzinfo=dt.UTC), tick=False):
        result = submit()
    assert result.message.tracking_number.startswith("YW20261102")


@pytest.mark.django_db(transaction=True)  # blocks are cached only outside a transaction
@override_settings(YIWANG_TRACKING_BLOCK=5)
def test_a_process_hands_out_a_reserved_block_before_asking_the_database_again() -> None:
    numbers._block = None
    day = dt.date(2026, 11, 28)
    try:
        first = [numbers.next_tracking_number(day) for _ in range(5)]
        assert DailySequence.objects.get(day=day).last_value == 5
        sixth = numbers.next_tracking_number(day)
        assert DailySequence.objects.get(day=day).last_value == 10
    finally:
        numbers._block = None
    assert [n[-6:] for n in first] == ["000001", "000002", "000003", "000004", "000005"]
    assert sixth.endswith("000006")


@pytest.mark.django_db(transaction=True)  # blocks are cached only outside a transaction
@override_settings(YIWANG_TRACKING_BLOCK=5)
def test_two_processes_with_blocks_never_share_a_number() -> None:
    day = dt.date(2026, 11, 28)
    seen: list[str] = []
    try:
        for _process in range(3):
            numbers._block = None  # a new process starts with no block
            seen += [numbers.next_tracking_number(day) for _ in range(2)]
    finally:
        numbers._block = None
    assert len(set(seen)) == 6
    assert DailySequence.objects.get(day=day).last_value == 15  # each left a gap
