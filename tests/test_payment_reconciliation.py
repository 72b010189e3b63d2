"""Daily reconciliation (对账, issue 8): the simulator's statement matched with our payments in
SQL, each kind of mismatch made on purpose and resolved, a provider that is down, a day run
twice, the daily task, and the finance page with its XLSX export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.accounts.models import User
from yiwang.orgs.models import Department
from yiwang.payments import actions
from yiwang.payments.actions import NewPayment
from yiwang.payments.models import (
    EventSource,
    Payment,
    PaymentEvent,
    PaymentState,
    Refund,
    SimulatedCharge,
)
from yiwang.payments.providers import registry, simulator
from yiwang.payments.providers.base import (
    Provider,
    ProviderStatus,
    ProviderUnavailable,
    QueryResult,
    RefundResult,
    StatementRow,
)
from yiwang.payments.reconciliation import resolving
from yiwang.payments.reconciliation.actions import do_reconcile
from yiwang.payments.reconciliation.export import HEADERS
from yiwang.payments.reconciliation.models import (
    LineKind,
    Mismatch,
    MismatchKind,
    Reason,
    ReconciliationRun,
    Resolution,
    RunState,
    StatementLine,
)
from yiwang.payments.reconciliation.tasks import reconcile_yesterday

from .conftest import _staff

Commits = Callable[..., AbstractContextManager[Any]]
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 28)
RUNS = "/staff/finance/reconciliation/"
RERUN = "/staff/finance/reconciliation/run/"


@pytest.fixture(autouse=True)
def _noon_of_the_day() -> Iterator[None]:
    """Everything is paid around noon of DAY (site time), far from midnight."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI), tick=True):
        yield
    registry.clear()


@pytest.fixture
def finance_officer(departments: dict[str, Department]) -> User:
    return _staff("finance_officer", ["finance_officer"], None)


def handed_over(amount: int = 20000) -> Payment:
    request = NewPayment(amount, "3301060000000017", "违停罚款", "https://fines.example/17")
    payment, _created = actions.do_create_payment("fines", request)
    actions.do_open(payment.pk)
    return actions.do_submit(payment.pk, "simulator")


def paid(commits: Commits, amount: int = 20000) -> Payment:
    payment = handed_over(amount)
    with commits(execute=True):
        simulator.pay(payment.external_id)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    return payment


def charge_of(payment: Payment) -> SimulatedCharge:
    return SimulatedCharge.objects.get(trade_no=payment.external_id)


def paid_late_after_expiry() -> Payment:
    """Our payment expired (the charge closed at the provider), then the payer paid anyway."""
    payment = handed_over()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=91), tick=False):
        actions.do_expire_due()
    charge = charge_of(payment)
    charge.status, charge.paid_at = "success", timezone.now()
    charge.save()
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "P0020")
    return payment


def the_mismatch(run: ReconciliationRun) -> Mismatch:
    return Mismatch.objects.get(run=run)


class DownForQueries(simulator.SimulatorProvider):
    def query_many(self, trade_nos: Sequence[str]) -> dict[str, QueryResult]:
        raise ProviderUnavailable("connection refused")


class OneAtATime:
    """A provider asked one trade at a time (Alipay and WeChat Pay have no batch query):
    the simulator's books, without ``query_many``."""

    name = "simulator"

    def __init__(self) -> None:
        self.books = simulator.SimulatorProvider()
        self.asked: list[str] = []

    def query(self, trade_no: str) -> QueryResult:
        self.asked.append(trade_no)
        return self.books.query(trade_no)

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        return self.books.fetch_statement(day)


class DownForStatements(simulator.SimulatorProvider):
    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        raise ProviderUnavailable("statement service down")


class WithRefundLines(simulator.SimulatorProvider):
    def __init__(self, refunds: list[StatementRow]) -> None:
        self.refunds = refunds

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        yield from super().fetch_statement(day)
        yield from self.refunds


# --- Matching ----------------------------------------------------------------------------------


def test_a_day_where_both_sides_agree_is_done_with_every_line_matched(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)
    paid(django_capture_on_commit_callbacks, 35050)
    run = do_reconcile("simulator", DAY)
    assert run.state == RunState.DONE
    assert (run.statement_rows, run.matched) == (2, 2)
    assert (run.ours_only, run.theirs_only, run.amount_differs) == (0, 0, 0)
    assert run.finished_at is not None
    assert not Mismatch.objects.exists()


def test_an_empty_statement_on_a_day_without_payments_is_done_with_nothing_to_match(
    db: None,
) -> None:
    run = do_reconcile("simulator", DAY)
    assert (run.state, run.statement_rows, run.matched) == (RunState.DONE, 0, 0)
    assert not Mismatch.objects.exists()


def test_the_staged_statement_lines_are_gone_once_the_run_is_matched(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)
    do_reconcile("simulator", DAY)
    assert not StatementLine.objects.exists()


def test_payments_of_another_day_are_not_ours_only_today(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)
    run = do_reconcile("simulator", DAY - dt.timedelta(days=1))
    assert (run.statement_rows, run.ours_only) == (0, 0)


def test_a_mixed_day_counts_each_kind_of_mismatch_once(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)  # matched
    missing = paid(django_capture_on_commit_callbacks)
    charge_of(missing).delete()  # ours only
    differs = paid(django_capture_on_commit_callbacks)
    SimulatedCharge.objects.filter(trade_no=differs.external_id).update(amount=19999)
    paid_late_after_expiry()  # theirs only
    run = do_reconcile("simulator", DAY)
    assert (run.statement_rows, run.matched) == (3, 1)
    assert (run.ours_only, run.theirs_only, run.amount_differs) == (1, 1, 1)


# --- Ours only -----------------------------------------------------------------------------------


def test_a_paid_payment_the_statement_carries_on_another_day_is_confirmed_paid_by_a_query(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = paid(django_capture_on_commit_callbacks)
    charge = charge_of(payment)
    charge.paid_at = timezone.now() + dt.timedelta(days=1)  # on tomorrow's statement
    charge.save()
    run = do_reconcile("simulator", DAY)
    mismatch = the_mismatch(run)
    assert (mismatch.kind, mismatch.payment_id, mismatch.our_amount) == (
        "ours_only",
        payment.pk,
        20000,
    )
    assert mismatch.resolution == Resolution.CONFIRMED_PAID
    assert (mismatch.resolved_by, mismatch.resolved_at is not None) == ("system", True)


def test_a_provider_without_a_batch_query_is_asked_about_each_payment_on_its_own(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payments = [paid(django_capture_on_commit_callbacks) for _ in range(3)]
    SimulatedCharge.objects.update(paid_at=timezone.now() + dt.timedelta(days=1))
    provider = OneAtATime()
    registry.install("simulator", cast(Provider, provider))
    run = do_reconcile("simulator", DAY)
    assert sorted(provider.asked) == sorted(p.external_id for p in payments)
    resolved = Mismatch.objects.filter(run=run).values_list("resolution", flat=True)
    assert list(resolved) == [Resolution.CONFIRMED_PAID] * 3


def test_a_payment_we_count_as_paid_that_the_provider_has_not_been_paid_needs_review(
    db: None,
) -> None:
    payment = handed_over()  # the charge is still pending at the provider
    Payment.objects.filter(pk=payment.pk).update(
        state=PaymentState.SUCCESS, finished_at=timezone.now()
    )
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.kind, mismatch.resolution) == ("ours_only", Resolution.NEEDS_REVIEW)
    assert (mismatch.reason, mismatch.note) == (Reason.PROVIDER_DISAGREES, "pending 20000")


# --- Theirs only ---------------------------------------------------------------------------------


def test_a_charge_paid_without_notification_settles_our_unfinished_payment_by_query(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = handed_over(10008)  # paid at the provider, no notification ever comes
    with django_capture_on_commit_callbacks(execute=True):
        simulator.pay(payment.external_id)
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.kind, mismatch.resolution) == ("theirs_only", Resolution.SETTLED_BY_QUERY)
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    last = PaymentEvent.objects.filter(payment=payment).last()
    assert last is not None
    assert last.source == EventSource.STATEMENT


def test_a_charge_paid_after_our_payment_expired_is_refunded_at_the_provider(
    db: None,
) -> None:
    payment = paid_late_after_expiry()
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.kind, mismatch.resolution) == ("theirs_only", Resolution.REFUNDED)
    assert (mismatch.their_amount, len(mismatch.refund_no)) == (20000, 26)
    assert mismatch.note.startswith("SIMR")  # the provider's refund id
    assert charge_of(payment).refunded == 20000
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED  # it stays failed; no Refund row of ours
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_mismatches_are_resolved_each_exactly_once_when_resolved_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside a transaction, PostgreSQL resolves several chunks at once (threads)."""
    monkeypatch.setattr(resolving, "CHUNK", 2)
    late = [paid_late_after_expiry() for _ in range(6)]
    for payment in [handed_over() for _ in range(6)]:
        simulator.pay(payment.external_id)  # committed: its notification arrives at once
        charge = charge_of(payment)
        charge.paid_at = timezone.now() + dt.timedelta(days=1)
        charge.save()
    run = do_reconcile("simulator", DAY)
    resolutions = dict(
        Mismatch.objects.filter(run=run).values_list("resolution").annotate(n=Count("id"))
    )
    assert resolutions == {Resolution.REFUNDED: 6, Resolution.CONFIRMED_PAID: 6}
    assert all(charge_of(payment).refunded == 20000 for payment in late)
    assert (run.state, run.theirs_only, run.ours_only) == (RunState.DONE, 6, 6)


class EveryLineTwice(simulator.SimulatorProvider):
    """A statement that carries each payment twice (a provider's duplicated line)."""

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        for row in super().fetch_statement(day):
            yield row
            yield row


def test_the_same_late_money_on_two_statement_lines_is_refunded_once_under_one_number(
    db: None,
) -> None:
    payment = paid_late_after_expiry()
    registry.install("simulator", EveryLineTwice())
    run = do_reconcile("simulator", DAY)
    twins = list(Mismatch.objects.filter(run=run))
    assert [m.resolution for m in twins] == [Resolution.REFUNDED, Resolution.REFUNDED]
    assert twins[0].refund_no == twins[1].refund_no != ""
    assert charge_of(payment).refunded == 20000


class AnswersFromMemory(simulator.SimulatorProvider):
    """Paid, and refunds accepted, without a database: only our own queries are counted."""

    def query_many(self, trade_nos: Sequence[str]) -> dict[str, QueryResult]:
        now = timezone.now()
        return {t: QueryResult(t, ProviderStatus.SUCCESS, 20000, "SIM1", now) for t in trade_nos}

    def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> RefundResult:
        return RefundResult(True, provider_refund_id="SIMR1")


def pending_pairs(commits: Commits, pairs: int, day: dt.date) -> list[int]:
    """A run of ``day`` with ``pairs`` mismatches of each kind the provider must settle: paid
    here only (a query), paid there after ours expired (a refund)."""
    run = ReconciliationRun.objects.create(
        provider="simulator", day=day, state=RunState.RUNNING, started_at=timezone.now()
    )
    ids = []
    for _ in range(pairs):
        for kind, payment in (
            (MismatchKind.THEIRS_ONLY, paid_late_after_expiry()),
            (MismatchKind.OURS_ONLY, paid(commits)),
        ):
            mismatch = Mismatch.objects.create(
                run=run,
                kind=kind,
                line_kind=LineKind.PAYMENT,
                trade_no=payment.external_id,
                payment=payment,
                our_amount=payment.amount,
                their_amount=payment.amount,
                resolution=Resolution.PENDING,
            )
            ids.append(mismatch.pk)
    return ids


def test_a_chunk_of_mismatches_is_resolved_in_a_fixed_number_of_queries(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    """Reading, numbering and recording a chunk cost as many queries for 2 mismatches as
    for 8: only the provider's own calls grow with the chunk."""
    small = pending_pairs(django_capture_on_commit_callbacks, 1, DAY)
    large = pending_pairs(django_capture_on_commit_callbacks, 4, DAY - dt.timedelta(days=1))
    queries = []
    for ids in (small, large):
        with CaptureQueriesContext(connection) as captured:
            resolving.resolve_chunk(ids, AnswersFromMemory())
        queries.append(len(captured))
    assert queries[0] == queries[1]
    resolved = Mismatch.objects.filter(pk__in=small + large).values_list("resolution", "reason")
    assert sorted(set(resolved)) == [
        (Resolution.CONFIRMED_PAID, Reason.PROVIDER_CONFIRMS),
        (Resolution.REFUNDED, Reason.REFUNDED),
    ]


def test_a_statement_line_with_no_payment_of_ours_needs_review(db: None) -> None:
    SimulatedCharge.objects.create(
        trade_no="zzzzzzzzzzzzzzzzzzzzzzzzzz",
        provider_id="SIMSTRANGER",
        amount=5000,
        status="success",
        notify_url="",
        return_url="",
        created_at=timezone.now(),
        paid_at=timezone.now(),
    )
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.kind, mismatch.payment_id) == ("theirs_only", None)
    assert (mismatch.resolution, mismatch.reason) == (Resolution.NEEDS_REVIEW, Reason.NO_PAYMENT)


def test_a_refund_the_provider_refuses_needs_review_with_its_reason(db: None) -> None:
    payment = paid_late_after_expiry()
    SimulatedCharge.objects.filter(pk=charge_of(payment).pk).update(refunded=20000)
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.resolution, mismatch.reason) == (
        Resolution.NEEDS_REVIEW,
        Reason.REFUND_REFUSED,
    )
    assert mismatch.note == "REFUND_AMOUNT_EXCEEDED"


def test_refund_lines_match_our_refunds_and_an_unknown_one_needs_review(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = paid(django_capture_on_commit_callbacks)
    actions.do_refund(payment.pk, 5000, None)
    lines = [
        StatementRow(payment.external_id, "SIMR1", 5000, kind="refund"),
        StatementRow(payment.external_id, "SIMR2", 700, kind="refund"),
    ]
    registry.install("simulator", WithRefundLines(lines))
    run = do_reconcile("simulator", DAY)
    assert (run.statement_rows, run.matched, run.theirs_only) == (3, 2, 1)
    mismatch = the_mismatch(run)
    assert (mismatch.line_kind, mismatch.their_amount) == ("refund", 700)
    assert (mismatch.resolution, mismatch.reason) == (
        Resolution.NEEDS_REVIEW,
        Reason.UNKNOWN_REFUND,
    )


# --- Amounts differ ------------------------------------------------------------------------------


def test_an_amount_that_differs_needs_review_and_is_never_corrected(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = paid(django_capture_on_commit_callbacks)
    SimulatedCharge.objects.filter(trade_no=payment.external_id).update(amount=19999)
    mismatch = the_mismatch(do_reconcile("simulator", DAY))
    assert (mismatch.kind, mismatch.our_amount, mismatch.their_amount) == (
        "amount_differs",
        20000,
        19999,
    )
    assert (mismatch.resolution, mismatch.reason) == (
        Resolution.NEEDS_REVIEW,
        Reason.AMOUNTS_DIFFER,
    )
    payment.refresh_from_db()
    assert (payment.amount, payment.state) == (20000, PaymentState.SUCCESS)


# --- Faults and running again --------------------------------------------------------------------


def test_a_provider_down_while_resolving_leaves_the_mismatch_for_review_and_the_run_done(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    payment = paid(django_capture_on_commit_callbacks)
    charge_of(payment).delete()
    registry.install("simulator", DownForQueries())
    run = do_reconcile("simulator", DAY)
    assert (run.state, run.ours_only) == (RunState.DONE, 1)
    mismatch = the_mismatch(run)
    assert (mismatch.resolution, mismatch.reason, mismatch.note) == (
        Resolution.NEEDS_REVIEW,
        Reason.PROVIDER_UNAVAILABLE,
        "connection refused",
    )


def test_a_statement_that_cannot_be_fetched_leaves_a_failed_run_and_nothing_staged(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)
    registry.install("simulator", DownForStatements())
    run = do_reconcile("simulator", DAY)
    assert run.state == RunState.FAILED
    assert "statement service down" in run.error
    assert not StatementLine.objects.exists()
    assert not Mismatch.objects.exists()


def test_running_a_day_again_supersedes_the_first_run_and_refunds_only_once(
    db: None,
) -> None:
    payment = paid_late_after_expiry()
    first = do_reconcile("simulator", DAY)
    second = do_reconcile("simulator", DAY)
    first.refresh_from_db()
    assert (first.state, second.state) == (RunState.SUPERSEDED, RunState.DONE)
    again = the_mismatch(second)
    assert again.resolution == Resolution.REFUNDED
    assert (again.refund_no, again.note) == (
        the_mismatch(first).refund_no,
        the_mismatch(first).note,
    )
    assert charge_of(payment).refunded == 20000
    assert ReconciliationRun.objects.filter(state=RunState.DONE).count() == 1


def test_a_refund_whose_answer_was_lost_is_asked_again_with_the_same_refund_number(
    db: None,
) -> None:
    payment = paid_late_after_expiry()

    class DownForRefunds(simulator.SimulatorProvider):
        def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> Any:
            raise ProviderUnavailable("timed out")

    registry.install("simulator", DownForRefunds())
    first = the_mismatch(do_reconcile("simulator", DAY))
    assert (first.resolution, first.reason) == (
        Resolution.NEEDS_REVIEW,
        Reason.PROVIDER_UNAVAILABLE,
    )
    registry.clear()
    second = the_mismatch(do_reconcile("simulator", DAY))
    assert (second.resolution, second.refund_no) == (Resolution.REFUNDED, first.refund_no)
    assert charge_of(payment).refunded == 20000


def test_a_day_being_reconciled_cannot_be_started_twice(db: None) -> None:
    from yiwang.payments.reconciliation.actions import ReconciliationInProgress

    ReconciliationRun.objects.create(
        provider="simulator", day=DAY, state=RunState.RUNNING, started_at=timezone.now()
    )
    with pytest.raises(ReconciliationInProgress):
        do_reconcile("simulator", DAY)


# --- The daily task ------------------------------------------------------------------------------


def test_the_daily_task_reconciles_yesterday_once(
    db: None, django_capture_on_commit_callbacks: Commits
) -> None:
    paid(django_capture_on_commit_callbacks)
    slot = dt.datetime(2026, 11, 29, 10, 30, tzinfo=SHANGHAI).isoformat()
    assert reconcile_yesterday.call(slot) == 1
    assert reconcile_yesterday.call(slot) == 0  # the day is done: skipped
    run = ReconciliationRun.objects.get()
    assert (run.day, run.state, run.matched) == (DAY, RunState.DONE, 1)


# --- The finance page ----------------------------------------------------------------------------


def test_the_finance_page_is_for_finance_officers_only(
    db: None, clerk: User, finance_officer: User, signed_in: Callable[[User], Client]
) -> None:
    run = do_reconcile("simulator", DAY)
    pages = [RUNS, f"{RUNS}{run.pk}/", f"{RUNS}{run.pk}/export.xlsx"]
    for page in pages:
        assert signed_in(clerk).get(page).status_code == 403
        assert signed_in(finance_officer).get(page).status_code == 200
    assert (
        signed_in(clerk).post(RERUN, {"provider": "simulator", "day": "2026-11-27"}).status_code
        == 403
    )
    assert Client().get(RUNS).status_code == 302  # to the login page


def test_the_list_shows_runs_newest_first_in_a_fixed_number_of_queries(
    db: None, finance_officer: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(finance_officer)
    do_reconcile("simulator", DAY - dt.timedelta(days=2))
    with CaptureQueriesContext(connection) as one:
        client.get(RUNS)
    do_reconcile("simulator", DAY - dt.timedelta(days=1))
    do_reconcile("simulator", DAY)
    with CaptureQueriesContext(connection) as three:
        response = client.get(RUNS)
    assert len(three) == len(one)
    text = response.content.decode().split('id="runs"')[1]
    assert text.index("2026-11-28") < text.index("2026-11-27") < text.index("2026-11-26")


def test_a_runs_page_filters_its_mismatches_by_kind_and_resolution(
    db: None,
    django_capture_on_commit_callbacks: Commits,
    finance_officer: User,
    signed_in: Callable[[User], Client],
) -> None:
    gone = paid(django_capture_on_commit_callbacks)
    charge_of(gone).delete()  # ours only, needs review (the provider has no such charge)
    differs = paid(django_capture_on_commit_callbacks)
    SimulatedCharge.objects.filter(trade_no=differs.external_id).update(amount=19999)
    run = do_reconcile("simulator", DAY)
    client = signed_in(finance_officer)
    page = client.get(f"{RUNS}{run.pk}/", {"kind": "amount_differs"}).content.decode()
    assert differs.external_id in page
    assert gone.external_id not in page
    assert "199.99" in page
    assert "200.00" in page
    page = client.get(f"{RUNS}{run.pk}/", {"resolution": "refunded"}).content.decode()
    assert differs.external_id not in page
    assert gone.external_id not in page


def test_the_export_holds_one_row_per_mismatch_with_amounts_in_yuan(
    db: None,
    django_capture_on_commit_callbacks: Commits,
    finance_officer: User,
    signed_in: Callable[[User], Client],
) -> None:
    differs = paid(django_capture_on_commit_callbacks)
    SimulatedCharge.objects.filter(trade_no=differs.external_id).update(amount=19999)
    late = paid_late_after_expiry()
    run = do_reconcile("simulator", DAY)
    response = signed_in(finance_officer).get(f"{RUNS}{run.pk}/export.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="reconciliation-simulator-2026-11-28.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(h) for h in HEADERS]
    by_trade_no = {row[2]: row for row in rows[1:]}
    assert set(by_trade_no) == {differs.external_id, late.external_id}
    assert by_trade_no[differs.external_id][4:6] == (200, 199.99)
    assert sheet.cell(row=2, column=5).number_format == "0.00"


def test_running_a_day_again_from_the_page_starts_it_and_lists_it(
    db: None,
    django_capture_on_commit_callbacks: Commits,
    finance_officer: User,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RERUN, {"provider": "simulator", "day": "2026-11-27"})
    assert (response.status_code, response["Location"]) == (302, RUNS)
    run = ReconciliationRun.objects.get()
    assert (run.day, run.state) == (dt.date(2026, 11, 27), RunState.DONE)


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("2026-11-29", "yesterday or earlier"),  # the future
        ("2026-11-28", "yesterday or earlier"),  # today: its statement does not exist yet
        ("1999-12-31", "2000"),
        ("2026-13-45", "YYYY-MM-DD"),
        ("28/11/2026", "YYYY-MM-DD"),
        ("20261127", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
    ],
)
def test_a_bad_day_on_the_form_is_refused_with_a_clear_message_and_changes_nothing(
    db: None,
    finance_officer: User,
    signed_in: Callable[[User], Client],
    day: str,
    says: str,
) -> None:
    response = signed_in(finance_officer).post("/en" + RERUN, {"provider": "simulator", "day": day})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ReconciliationRun.objects.exists()


def test_an_unknown_provider_on_the_form_is_refused(
    db: None, finance_officer: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(finance_officer).post(RERUN, {"provider": "paypal", "day": "2026-11-27"})
    assert response.status_code == 400
    assert not ReconciliationRun.objects.exists()


def test_the_form_needs_its_csrf_token(db: None, finance_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance_officer)
    response = client.post(RERUN, {"provider": "simulator", "day": "2026-11-27"})
    assert response.status_code == 403
    assert not ReconciliationRun.objects.exists()
