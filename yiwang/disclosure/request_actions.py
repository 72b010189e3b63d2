"""Every write of an information request (依申请公开): receiving it (the date by channel),
a correction asked once, the one extension approved by the office head, consultations that
do not count, and the answer. Each step is checked, done under the request's row lock,
recorded as a ``RequestEvent``, and checked against the statutory clock
(``yiwang.lib.requestclock``) before it is saved: the clock refuses what the regulations do.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.accounts.models import User
from yiwang.casework.deadlines import site_calendar
from yiwang.disclosure.models import (
    ApplicantKind,
    InformationRequest,
    PauseKind,
    ReplyType,
    RequestChannel,
    RequestEvent,
    RequestPause,
    RequestState,
)
from yiwang.intake.personal import lookup_hash, seal_as
from yiwang.lib import requestclock as rc
from yiwang.lib.workdays import Calendar, CalendarYearMissing
from yiwang.orgs.models import Department

MAX_DESCRIPTION = 5000


class RequestError(ValueError):
    """A step that cannot be taken; ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class RequestInput:
    """A request as checked by the form (``request_forms.RequestForm``)."""

    applicant_kind: str
    applicant_name: str
    identifier: str  # a resident ID number or a unified social credit code, checked
    description: str
    delivery: str
    phone: str = ""
    email: str = ""
    address: str = ""
    language: str = "zh-hans"


def _number(request: InformationRequest) -> str:
    year = timezone.localdate(request.submitted_at).year
    return f"YSQ-{request.body.region.code}-{year}-{request.pk:06d}"


def do_submit_request(
    body: Department,
    data: RequestInput,
    channel: str,
    *,
    received_on: dt.date | None = None,
    actor: User | None = None,
) -> InformationRequest:
    """A request as it arrives. Online, it waits until the office confirms receipt (Art. 31:
    the day both sides confirm); in person it is received that day; by post or fax, on the
    day given (signed for, or confirmed)."""
    now = timezone.now()
    if channel == RequestChannel.IN_PERSON:
        received_on = timezone.localdate(now)
    elif channel == RequestChannel.ONLINE:
        received_on = None
    elif received_on is None:
        raise RequestError(
            _("Give the day the request was signed for or confirmed."), "received_on"
        )
    if received_on is not None and received_on > timezone.localdate(now):
        raise RequestError(_("The day of receipt cannot be in the future."), "received_on")
    identifier_hash = lookup_hash("disclosure-identifier", data.identifier)
    repeat = _same_request_just_now(body, identifier_hash, data.description, now)
    if repeat is not None:  # a double click, or the form sent again: the first one stands
        return repeat
    with transaction.atomic():
        request = InformationRequest.objects.create(
            number=f"pending-{secrets.token_hex(8)}",  # the real one needs the row's id
            body=body,
            applicant_kind=data.applicant_kind,
            applicant_name=data.applicant_name,
            identifier_encrypted=seal_as("disclosure.identifier", data.identifier),
            identifier_hash=identifier_hash,
            phone_encrypted=seal_as("disclosure.phone", data.phone) if data.phone else "",
            email_encrypted=seal_as("disclosure.email", data.email) if data.email else "",
            address_encrypted=seal_as("disclosure.address", data.address) if data.address else "",
            description=data.description[:MAX_DESCRIPTION],
            delivery=data.delivery,
            channel=channel,
            language=data.language,
            submitted_at=now,
            received_on=received_on,
            state=RequestState.AWAITING_RECEIPT if received_on is None else RequestState.RUNNING,
        )
        request.number = _number(request)
        request.save(update_fields=["number"])
        _event(request, "submitted", actor, channel, now)
    return request


REPEAT_WINDOW = dt.timedelta(minutes=10)


def _same_request_just_now(
    body: Department, identifier_hash: str, description: str, now: dt.datetime
) -> InformationRequest | None:
    """The same applicant's same request to the same body within ten minutes."""
    return (
        InformationRequest.objects.filter(
            body=body,
            identifier_hash=identifier_hash,
            description=description[:MAX_DESCRIPTION],
            submitted_at__gte=now - REPEAT_WINDOW,
        )
        .order_by("pk")
        .first()
    )


def _event(
    request: InformationRequest, kind: str, actor: User | None, note: str, now: dt.datetime
) -> None:
    RequestEvent.objects.create(request=request, kind=kind, actor=actor, note=note[:500], at=now)


# --- The clock ---------------------------------------------------------------------------------


def clock_of(request: InformationRequest, calendar: Calendar) -> rc.RequestClock | None:
    """The request's statutory clock from its recorded steps; None until it is received."""
    if request.received_on is None:
        return None
    clock = rc.RequestClock(request.received_on, calendar)
    if request.correction_asked_on is not None and request.correction_due is not None:
        clock = clock.with_correction_asked(request.correction_asked_on, request.correction_due)
        if request.correction_received_on is not None:
            clock = clock.with_correction_received(request.correction_received_on)
    for pause in request.pauses.order_by("started_on", "pk"):
        clock = clock.with_pause(rc.PauseKind(pause.kind), pause.started_on, pause.ended_on)
    if request.extension_days and request.extension_approved_on is not None:
        approver = str(request.extension_approved_by_id)
        on = request.extension_approved_on
        clock = clock.with_extension(request.extension_days, approved_by=approver, on=on)
    return clock


CLOCK_MESSAGES = {  # the clock's refusals in the user's language (gettext at request time)
    "correction_already_asked": gettext_lazy("A correction may be asked only once."),
    "correction_too_late": gettext_lazy(
        "A correction must be asked within 7 working days of receipt."
    ),
    "no_correction_asked": gettext_lazy("No correction was asked."),
    "correction_already_received": gettext_lazy("The correction has already been received."),
    "correction_after_lapse": gettext_lazy("The request lapsed before the correction arrived."),
    "extension_already_granted": gettext_lazy("The answer period may be extended only once."),
    "extension_out_of_range": gettext_lazy("An extension is of 1 to 20 working days."),
    "extension_after_deadline": gettext_lazy(
        "An extension must be approved before the deadline passes."
    ),
    "date_out_of_order": gettext_lazy("The dates are out of order."),
    "clock_not_running": gettext_lazy(
        "The clock is not running: the request awaits a correction or lapsed."
    ),
    "no_open_pause": gettext_lazy("No consultation is under way."),
}


def _checked(request: InformationRequest, change: str) -> None:
    """Rebuild the clock with the change applied; the clock's refusal becomes ours."""
    try:
        clock = clock_of(request, site_calendar())
        if clock is not None:
            clock.deadline(max(timezone.localdate(), request.received_on or timezone.localdate()))
    except rc.ClockError as exc:
        message = CLOCK_MESSAGES.get(exc.code) or str(exc)
        raise RequestError(str(message), change) from exc
    except CalendarYearMissing as exc:
        raise RequestError(_calendar_missing(exc.year)) from exc


def _calendar_missing(year: int) -> str:
    return _(
        "The working-day calendar has no data for %(year)s: an administrator must add that "
        "year's holidays before this step can be taken."
    ) % {"year": year}


def _locked(request_id: int) -> InformationRequest:
    # Every step reads the row under this lock: two officers cannot both answer, or ask
    # for a correction twice.
    return InformationRequest.objects.select_for_update().select_related("body").get(pk=request_id)


def check_can_handle(user: User, request: InformationRequest) -> None:
    if not user.has_perm("accounts.handle_disclosure") or user.department_id != request.body_id:
        raise PermissionError(_("Only the body's disclosure office handles its requests."))


# --- Steps -------------------------------------------------------------------------------------


def do_confirm_receipt(user: User, request_id: int, on: dt.date) -> InformationRequest:
    """An online request is received on the day the office confirms it to the applicant."""
    with transaction.atomic():
        request = _locked(request_id)
        check_can_handle(user, request)
        if request.state != RequestState.AWAITING_RECEIPT:
            raise RequestError(_("Receipt has already been confirmed."))
        if on < timezone.localdate(request.submitted_at) or on > timezone.localdate():
            raise RequestError(_("Receipt is confirmed between submission and today."), "on")
        request.received_on, request.state = on, RequestState.RUNNING
        return _save(request, "received", user, on.isoformat())


def do_ask_correction(
    user: User, request_id: int, on: dt.date, due: dt.date, note: str
) -> InformationRequest:
    if not note.strip():
        raise RequestError(_("Say what the applicant should correct."), "note")
    with transaction.atomic():
        request = _running(user, request_id)
        request.correction_asked_on, request.correction_due = on, due
        request.correction_note = note.strip()
        request.state = RequestState.AWAITING_CORRECTION
        _checked(request, "on")
        return _save(request, "correction_asked", user, note)


def do_receive_correction(user: User, request_id: int, on: dt.date) -> InformationRequest:
    """The corrected request: the answer period starts again from this day (Art. 30)."""
    with transaction.atomic():
        request = _locked(request_id)
        check_can_handle(user, request)
        if request.state != RequestState.AWAITING_CORRECTION:
            raise RequestError(_("No correction is awaited."))
        request.correction_received_on, request.state = on, RequestState.RUNNING
        _checked(request, "on")
        return _save(request, "correction_received", user, on.isoformat())


def do_extend(user: User, request_id: int, days: int, on: dt.date) -> InformationRequest:
    """The one extension of at most 20 working days, approved by the office head."""
    with transaction.atomic():
        request = _running(user, request_id)
        if not user.has_perm("accounts.approve_disclosure"):
            raise PermissionError(_("Only the head of the disclosure office extends the period."))
        if request.extension_days:
            raise RequestError(str(CLOCK_MESSAGES["extension_already_granted"]), "days")
        request.extension_days, request.extension_approved_on = days, on
        request.extension_approved_by = user
        _checked(request, "days")
        return _save(request, "extended", user, str(days))


def do_start_pause(user: User, request_id: int, kind: str, on: dt.date) -> InformationRequest:
    """A consultation begins: its working days do not count (Art. 32, 33)."""
    with transaction.atomic():
        request = _running(user, request_id)
        if request.pauses.filter(ended_on__isnull=True).exists():
            raise RequestError(_("A consultation is already under way."))
        RequestPause.objects.create(request=request, kind=PauseKind(kind), started_on=on)
        _checked(request, "on")
        return _save(request, "consultation_started", user, f"{kind} {on.isoformat()}")


def do_end_pause(user: User, request_id: int, on: dt.date) -> InformationRequest:
    with transaction.atomic():
        request = _running(user, request_id)
        pause = request.pauses.filter(ended_on__isnull=True).first()
        if pause is None:
            raise RequestError(str(CLOCK_MESSAGES["no_open_pause"]))
        if on < pause.started_on:
            raise RequestError(str(CLOCK_MESSAGES["date_out_of_order"]), "on")
        pause.ended_on = on
        pause.save(update_fields=["ended_on"])
        _checked(request, "on")
        return _save(request, "consultation_ended", user, on.isoformat())


def do_answer(
    user: User, request_id: int, reply_type: str, text: str, *, partial: bool, on: dt.date
) -> InformationRequest:
    """The answer, one of the seven kinds (Art. 36), in part where only part is disclosed."""
    if reply_type not in ReplyType.values:
        raise RequestError(_("Choose the kind of answer."), "reply_type")
    if not text.strip():
        raise RequestError(_("Write the answer."), "text")
    if partial and reply_type != ReplyType.DISCLOSED:
        raise RequestError(_("Only disclosed information can be disclosed in part."), "partial")
    if on > timezone.localdate():
        raise RequestError(_("The day of the answer cannot be in the future."), "on")
    with transaction.atomic():
        request = _running(user, request_id)
        if request.pauses.filter(ended_on__isnull=True).exists():
            raise RequestError(_("End the consultation before answering."))
        if request.received_on is not None and on < request.received_on:
            raise RequestError(str(CLOCK_MESSAGES["date_out_of_order"]), "on")
        request.reply_type, request.reply_text, request.partial = reply_type, text.strip(), partial
        request.answered_on, request.state = on, RequestState.ANSWERED
        return _save(request, "answered", user, reply_type)


def do_lapse_due(today: dt.date | None = None) -> int:
    """The daily sweep: requests whose correction did not come in time lapse (Art. 30)."""
    today = today or timezone.localdate()
    calendar, lapsed = site_calendar(), 0
    waiting = InformationRequest.objects.filter(state=RequestState.AWAITING_CORRECTION)
    for request_id in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked(request_id)
            try:
                clock = clock_of(request, calendar)
                gone = clock is not None and clock.has_lapsed(today)
            except CalendarYearMissing:
                continue  # the office's page says the year is missing; nothing is guessed
            if request.state != RequestState.AWAITING_CORRECTION:
                continue
            if gone:
                request.state = RequestState.LAPSED
                request.save(update_fields=["state"])
                _event(request, "lapsed", None, today.isoformat(), timezone.now())
                lapsed += 1
    return lapsed


def _running(user: User, request_id: int) -> InformationRequest:
    request = _locked(request_id)
    check_can_handle(user, request)
    if request.state != RequestState.RUNNING:
        raise RequestError(_("This step cannot be taken in the request's present state."))
    try:
        clock = clock_of(request, site_calendar())
        lapsed = clock is not None and clock.has_lapsed(timezone.localdate())
    except CalendarYearMissing as exc:
        raise RequestError(_calendar_missing(exc.year)) from exc
    if lapsed:
        raise RequestError(_("The request lapsed."))
    return request


def _save(request: InformationRequest, kind: str, user: User, note: str) -> InformationRequest:
    request.save()
    _event(request, kind, user, note, timezone.now())
    return request


__all__ = ["ApplicantKind", "RequestError", "RequestInput", "clock_of"]
