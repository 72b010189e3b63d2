"""Every write of the fines app (``README.md``). Payments go through ``payments.services``.

Locks: a case's row is locked for every change, so two offices, the payer and the payment
platform's news cannot interleave their checks and writes (paying the same decision twice at
once, in particular).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.fines import fees
from yiwang.fines.models import (
    CaseEvent,
    CasePayment,
    CasePhoto,
    CaseState,
    DecisionSequence,
    ParkingCase,
    Suspension,
    SuspensionKind,
)
from yiwang.fines.numbers import format_decision_number, is_plate, normalize_plate
from yiwang.intake.actions import do_store_file
from yiwang.lib.uploads import CleanFile
from yiwang.payments import services
from yiwang.payments.services import PaymentView

OWNER = "fines"
MAX_FINE = 1_000_000  # ¥10,000 in 分: far above any parking fine
MAX_PHOTOS = 6
MAX_PLACE, MAX_BASIS, MAX_FACTS = 200, 2000, 4000


class CaseError(Exception):
    """A refused step, with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_can_enforce(user: User) -> None:
    """An enforcement officer of a bureau: any district's case may be processed at any
    district's office (cross-district), each step recorded with the office."""
    department = user.department
    if not (user.is_active and user.has_perm("accounts.handle_enforcement") and department):
        raise PermissionDenied
    if not department.is_active:
        raise PermissionDenied


def _office(user: User) -> int | None:
    return user.department.region_id if user.department else None


def _event(case: ParkingCase, action: str, user: User | None, **detail: object) -> None:
    office = _office(user) if user is not None else None
    CaseEvent.objects.create(
        case=case, at=timezone.now(), actor=user, office_id=office, action=action, detail=detail
    )


def _locked(case_id: int) -> ParkingCase:
    # Every change of a case reads it under this lock (see the module's docstring).
    return ParkingCase.objects.select_for_update().get(pk=case_id)


# --- Recording, deciding, serving ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseInput:
    plate: str
    place: str
    occurred_at: dt.datetime
    legal_basis: str
    facts: str
    amount: int  # in 分


def check_case(data: CaseInput) -> CaseInput:
    plate = normalize_plate(data.plate)
    if not is_plate(plate):
        raise CaseError(_("This is not a Chinese number plate (for example 浙A12345)."))
    if not 1 <= data.amount <= MAX_FINE:
        raise CaseError(_("The fine must be from ¥0.01 to ¥10,000."))
    if data.occurred_at > timezone.now():
        raise CaseError(_("The violation cannot be in the future."))
    for text in (data.place, data.legal_basis, data.facts):
        if not text.strip() or "\x00" in text:
            raise CaseError(_("Place, facts and legal basis are all required."))
    limits = ((data.place, MAX_PLACE), (data.legal_basis, MAX_BASIS), (data.facts, MAX_FACTS))
    if any(len(text.strip()) > limit for text, limit in limits):
        raise CaseError(_("The place, the legal basis or the facts are too long."))
    return CaseInput(
        plate,
        data.place.strip(),
        data.occurred_at,
        data.legal_basis.strip(),
        data.facts.strip(),
        data.amount,
    )


def do_record_case(user: User, data: CaseInput, photos: list[CleanFile]) -> ParkingCase:
    check_can_enforce(user)
    clean = check_case(data)
    if len(photos) > MAX_PHOTOS:
        raise CaseError(_("At most 6 photos."))
    assert user.department is not None  # check_can_enforce
    with transaction.atomic():
        case = ParkingCase.objects.create(
            bureau=user.department,
            region_id=user.department.region_id,
            **clean.__dict__,
            state=CaseState.RECORDED,
            created_by=user,
            created_at=timezone.now(),
        )
        for photo in photos:
            CasePhoto.objects.create(
                case=case,
                file=do_store_file(photo),
                content_type=photo.content_type,
                size=len(photo.content),
            )
        _event(case, "recorded", user)
    return case


def _next_number(region_id: int, region_code: str, year: int) -> str:
    rows = DecisionSequence.objects.filter(region_id=region_id, year=year)
    if not rows.update(last_value=F("last_value") + 1):
        DecisionSequence.objects.get_or_create(region_id=region_id, year=year)
        rows.update(last_value=F("last_value") + 1)
    sequence = rows.values_list("last_value", flat=True).get()
    return format_decision_number(region_code, year, sequence)


def do_decide(user: User, case_id: int, decided_on: dt.date) -> ParkingCase:
    """Issue the decision: its number, by the bureau that recorded the case."""
    check_can_enforce(user)
    with transaction.atomic():
        case = _locked(case_id)
        if case.bureau_id != user.department_id:
            raise CaseError(_("Only the bureau that recorded the case decides it."))
        if case.state != CaseState.RECORDED:
            raise CaseError(_("This case is decided already."))
        if not timezone.localdate(case.occurred_at) <= decided_on <= timezone.localdate():
            raise CaseError(_("The decision date must be between the violation and today."))
        number = _next_number(case.region_id, case.region.code, decided_on.year)
        case.decision_number, case.decided_on, case.state = number, decided_on, CaseState.DECIDED
        case.save(update_fields=["decision_number", "decided_on", "state"])
        _event(case, "decided", user, number=number)
        return case


def do_serve(user: User, case_id: int, served_on: dt.date) -> ParkingCase:
    """The decision reached the party (at any district's office): the 15 days start."""
    check_can_enforce(user)
    with transaction.atomic():
        case = _locked(case_id)
        if case.state != CaseState.DECIDED:
            raise CaseError(_("Only a decided case that has not been served can be served."))
        assert case.decided_on is not None
        if not case.decided_on <= served_on <= timezone.localdate():
            raise CaseError(_("The service date must be between the decision and today."))
        case.served_on, case.state = served_on, CaseState.SERVED
        case.save(update_fields=["served_on", "state"])
        _event(case, "served", user, on=served_on.isoformat())
        return case


def do_suspend(user: User, case_id: int, kind: str, started_on: dt.date) -> Suspension:
    """A review or lawsuit is pending: no late fee accrues until it ends."""
    check_can_enforce(user)
    if kind not in SuspensionKind.values:
        raise CaseError(_("A suspension is an administrative review or a lawsuit."))
    with transaction.atomic():
        case = _locked(case_id)
        if case.state != CaseState.SERVED:
            raise CaseError(_("Only a served, unpaid case can be suspended."))
        if case.suspensions.filter(ended_on__isnull=True).exists():
            raise CaseError(_("A review or lawsuit is already pending for this case."))
        assert case.served_on is not None
        if not case.served_on <= started_on <= timezone.localdate():
            raise CaseError(_("The start must be between the service date and today."))
        suspension = Suspension.objects.create(case=case, kind=kind, started_on=started_on)
        _event(case, "suspended", user, kind=kind, on=started_on.isoformat())
        return suspension


def do_end_suspension(user: User, case_id: int, ended_on: dt.date) -> Suspension:
    check_can_enforce(user)
    with transaction.atomic():
        case = _locked(case_id)
        pending = case.suspensions.filter(ended_on__isnull=True).first()
        if pending is None:
            raise CaseError(_("No review or lawsuit is pending for this case."))
        if not pending.started_on <= ended_on <= timezone.localdate():
            raise CaseError(_("The end must be between the start and today."))
        pending.ended_on = ended_on
        pending.save(update_fields=["ended_on"])
        _event(case, "resumed", user, kind=pending.kind, on=ended_on.isoformat())
        return pending


# --- What is owed, and paying it ----------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    fine: int
    late_fee: int
    due_date: dt.date | None  # None until served
    days_late: int
    suspended: bool

    @property
    def total(self) -> int:
        return self.fine + self.late_fee


def amount_due(case: ParkingCase, on: dt.date | None = None) -> Due:
    on = on or timezone.localdate()
    if case.served_on is None:
        return Due(case.amount, 0, None, 0, False)
    due = fees.due_date(case.served_on)
    pauses = [(s.started_on, s.ended_on) for s in case.suspensions.all()]
    late = fees.days_late(due, on, pauses)
    suspended = any(end is None for _start, end in pauses)
    return Due(case.amount, fees.late_fee(case.amount, due, on, pauses), due, late, suspended)


class AlreadyPaid(CaseError):
    pass


def do_start_payment(case_id: int) -> str:
    """The payment page for the case's amount today: the open payment if it is for that
    amount, else a new one. Under the case's lock, so two tabs paying the same decision at
    once get the same payment and cannot both be charged."""
    with transaction.atomic():
        case = _locked(case_id)
        if case.state not in (CaseState.DECIDED, CaseState.SERVED, CaseState.PAID):
            raise CaseError(_("This case has no decision yet."))
        next_url = _reuse_open(case) if case.state != CaseState.PAID else None
        if next_url is None and case.state != CaseState.PAID:
            next_url = _new_payment(case, amount_due(case)).next_url
    if case.state == CaseState.PAID or next_url is None:
        raise AlreadyPaid(_("This fine has been paid."))
    return next_url


def _reuse_open(case: ParkingCase) -> str | None:
    """The open payment's page if it is for today's amount. A paid one whose news has not
    arrived yet pays the case now; one for an older amount is replaced (and cancelled)."""
    due = amount_due(case)
    for open_payment in case.payments.filter(outcome="").order_by("pk"):
        view = services.get_payment(OWNER, open_payment.payment_id)
        if view.state == "success":
            _mark_paid(case, open_payment, view)
            open_payment.outcome = "paid"
        elif view.finished:
            open_payment.outcome = view.state
        elif view.amount == due.total:
            return view.next_url
        else:  # a day has passed: the amount grew
            open_payment.outcome = "replaced"
            transaction.on_commit(partial(_cancel, open_payment.payment_id))
        open_payment.save(update_fields=["outcome"])
        if case.state == CaseState.PAID:
            return None
    return None


def _new_payment(case: ParkingCase, due: Due) -> PaymentView:
    attempt = case.payments.count() + 1
    fields = {
        "amount": due.total,
        "reference": case.decision_number,
        "description": _("Parking fine %(number)s, %(plate)s")
        % {"number": case.decision_number, "plate": case.plate},
        "return_url": _site_url(reverse("fines:returned", args=[case.decision_number])),
        "metadata": {"plate": case.plate, "late_fee": due.late_fee, "district": case.region.code},
    }
    view, _created = services.create_payment(OWNER, fields, f"case-{case.pk}-{attempt}")
    CasePayment.objects.create(
        case=case,
        payment_id=view.payment_id,
        amount=due.total,
        late_fee=due.late_fee,
        created_at=timezone.now(),
    )
    _event(case, "payment_started", None, payment=view.payment_id, amount=due.total)
    return view


def _site_url(path: str) -> str:
    return str(settings.YIWANG_SITE_URL) + path


def _cancel(payment_id: str) -> None:
    """Best effort: a replaced payment that is paid anyway is refunded when its news comes."""
    with contextlib.suppress(services.PaymentError):
        services.cancel_payment(OWNER, payment_id)


def do_record_payment(view: PaymentView) -> str:
    """The payment platform's news of a finished payment (at least once): the case is paid,
    or, paid already by another payment, this one is refunded in full."""
    row = CasePayment.objects.filter(payment_id=view.payment_id).first()
    if row is None:
        return "unknown"
    with transaction.atomic():
        case = _locked(row.case_id)
        row = CasePayment.objects.select_for_update().get(pk=row.pk)
        if row.outcome in ("paid", "refunded") or not view.finished:
            return row.outcome or "open"
        if view.state != "success":
            row.outcome = view.state
        elif case.state == CaseState.PAID and case.payment_id != view.payment_id:
            row.outcome = "refunded"
            transaction.on_commit(partial(_refund_double, view))
            _event(case, "double_payment_refunded", None, payment=view.payment_id)
        else:
            _mark_paid(case, row, view)
            row.outcome = "paid"
        row.save(update_fields=["outcome"])
        return row.outcome


def _mark_paid(case: ParkingCase, row: CasePayment, view: PaymentView) -> None:
    case.state, case.paid_at, case.payment_id = CaseState.PAID, timezone.now(), view.payment_id
    case.paid_amount, case.paid_late_fee = view.amount, row.late_fee
    case.save(update_fields=["state", "paid_at", "payment_id", "paid_amount", "paid_late_fee"])
    _event(case, "paid", None, payment=view.payment_id, amount=view.amount)


def _refund_double(view: PaymentView) -> None:
    fresh = services.get_payment(OWNER, view.payment_id)
    if fresh.refund_amount_available:
        services.create_refund(
            OWNER, view.payment_id, fresh.refund_amount_available, fresh.refund_amount_available
        )
