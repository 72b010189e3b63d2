"""Forwarding documents are numbered per issuing body and year, without gaps or repeats.

Personas: the ``clerk`` and the ``supervisor`` forward from the provincial general office (浙政办);
``dept_officer`` of the city housing bureau returns what does not belong to it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection

from tests.concurrency import run_together
from yiwang.accounts.models import User
from yiwang.casework.actions import do_forward, do_return
from yiwang.casework.machine import IllegalMove
from yiwang.documents.models import ForwardingDocument, IssuingBody, NumberSeries
from yiwang.intake.models import Message, MessageEvent, MessageState
from yiwang.orgs.models import Department

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MessageFor = Callable[..., Message]
SERIALS = itertools.count(1)


def triaged(message_for: MessageFor) -> Message:
    """A different message each time (the same text twice would be one message)."""
    serial = next(SERIALS)
    message = message_for(
        "housing", content=f"第{serial}号楼的电梯坏了两个月，物业一直不修，老人上下楼困难。"
    )
    Message.objects.filter(pk=message.pk).update(state=MessageState.TRIAGED)
    return message


def forward(clerk: User, message: Message, departments: dict[str, Department]) -> str:
    do_forward(clerk, message.pk, departments["housing"].pk)
    return ForwardingDocument.objects.filter(message=message).latest("pk").reference


@pytest.mark.django_db
def test_each_forward_gets_the_next_number_of_the_body_for_the_year(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=SHANGHAI), tick=False):
        numbers = [forward(clerk, triaged(message_for), departments) for _ in range(3)]
    assert numbers == ["浙政办留〔2025〕1号", "浙政办留〔2025〕2号", "浙政办留〔2025〕3号"]


@pytest.mark.django_db
def test_the_numbering_restarts_at_one_in_a_new_year(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    with time_machine.travel(dt.datetime(2025, 12, 30, 10, tzinfo=SHANGHAI), tick=False):
        forward(clerk, triaged(message_for), departments)
        forward(clerk, triaged(message_for), departments)
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
        assert forward(clerk, triaged(message_for), departments) == "浙政办留〔2026〕1号"
    assert NumberSeries.objects.get(year=2025).last_number == 2


@pytest.mark.django_db
def test_the_year_turns_at_midnight_in_beijing_not_in_utc(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    # 2025-12-31 17:30 UTC is already 2026-01-01 01:30 in Beijing.
    with time_machine.travel(dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC), tick=False):
        assert forward(clerk, triaged(message_for), departments) == "浙政办留〔2026〕1号"


@pytest.mark.django_db
def test_a_body_can_set_its_own_prefix_and_each_body_counts_on_its_own(
    clerk: User, supervisor: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    IssuingBody.objects.create(department=departments["office"], prefix="浙办留")
    supervisor.department = departments["province_transport"]
    supervisor.save(update_fields=["department"])
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=SHANGHAI), tick=False):
        assert forward(clerk, triaged(message_for), departments) == "浙办留〔2025〕1号"
        assert forward(supervisor, triaged(message_for), departments) == "浙交留〔2025〕1号"
        assert forward(clerk, triaged(message_for), departments) == "浙办留〔2025〕2号"


@pytest.mark.django_db
def test_a_return_voids_the_number_which_stays_and_the_redispatch_gets_the_next(
    clerk: User, dept_officer: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    message = triaged(message_for)
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=SHANGHAI), tick=False):
        first = forward(clerk, message, departments)
        other = forward(clerk, triaged(message_for), departments)
        do_return(dept_officer, message.pk, "不属于本单位职责，应由区住建局办理")
        again = forward(clerk, message, departments)
    assert (first, other, again) == (
        "浙政办留〔2025〕1号",
        "浙政办留〔2025〕2号",
        "浙政办留〔2025〕3号",
    )
    voided, current = ForwardingDocument.objects.filter(message=message).order_by("number")
    assert voided.reference == first
    assert voided.voided_by == dept_officer
    assert voided.void_reason == "不属于本单位职责，应由区住建局办理"
    assert voided.voided_at is not None
    assert current.reference == again
    assert current.voided_at is None


@pytest.mark.django_db
def test_a_forward_to_an_inactive_department_consumes_no_number(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    Department.objects.filter(pk=departments["transport"].pk).update(is_active=False)
    message = triaged(message_for)
    with pytest.raises(IllegalMove):
        do_forward(clerk, message.pk, departments["housing"].pk, [departments["transport"].pk])
    assert not ForwardingDocument.objects.exists()
    assert forward(clerk, message, departments).endswith("〕1号")


@pytest.mark.django_db
def test_an_illegal_forward_consumes_no_number(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    message = message_for("housing")  # still new: it must be classified first
    with pytest.raises(IllegalMove):
        do_forward(clerk, message.pk, departments["housing"].pk)
    assert not ForwardingDocument.objects.exists()
    assert not NumberSeries.objects.filter(last_number__gt=0).exists()


@pytest.mark.django_db
def test_a_forward_that_fails_after_taking_a_number_gives_it_back(
    clerk: User,
    message_for: MessageFor,
    departments: dict[str, Department],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The number is taken inside the forward's transaction: a later failure rolls it back."""
    message = triaged(message_for)
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=SHANGHAI), tick=False):
        forward(clerk, triaged(message_for), departments)

        def broken_event(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the audit table is full")

        monkeypatch.setattr(MessageEvent.objects, "create", broken_event)
        with pytest.raises(RuntimeError):
            do_forward(clerk, message.pk, departments["housing"].pk)
        monkeypatch.undo()
        assert forward(clerk, message, departments) == "浙政办留〔2025〕2号"
    assert ForwardingDocument.objects.count() == 2


@pytest.mark.django_db
def test_a_desk_account_without_a_body_cannot_forward(
    clerk: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    clerk.department = None
    clerk.save(update_fields=["department"])
    message = triaged(message_for)
    with pytest.raises(IllegalMove) as refused:
        do_forward(clerk, message.pk, departments["housing"].pk)
    assert refused.value.code == "no_issuing_body"
    message.refresh_from_db()
    assert message.state == MessageState.TRIAGED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises every writer on one database lock; the row lock is PostgreSQL's",
)
def test_clerks_forwarding_different_messages_at_once_get_consecutive_numbers(
    clerk: User, supervisor: User, message_for: MessageFor, departments: dict[str, Department]
) -> None:
    count = 8
    messages = [triaged(message_for) for _ in range(count)]
    people = [clerk, supervisor]
    results = run_together(
        count,
        lambda i: do_forward(people[i % 2], messages[i].pk, departments["housing"].pk),
    )
    assert all(isinstance(r, Message) for r in results)
    numbers = sorted(ForwardingDocument.objects.values_list("number", flat=True))
    assert numbers == list(range(1, count + 1))
    assert NumberSeries.objects.get().last_number == count
    assert len({d.message_id for d in ForwardingDocument.objects.all()}) == count
