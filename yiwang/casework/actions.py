"""Every move of a message: lock, check against the machine, apply, write the audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.accounts.models import User
from yiwang.casework.citizen import tell_citizen_of_answer
from yiwang.casework.deadlines import CalendarYearMissing, deadline_after, reply_days
from yiwang.casework.machine import MOVES, Action, IllegalMove, is_actor
from yiwang.casework.models import (
    Assignment,
    CoHandling,
    ExtensionRequest,
    ExtensionStatus,
    Merge,
)
from yiwang.documents import actions as documents
from yiwang.intake.models import EventKind, Message, MessageEvent, MessageState
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category
from yiwang.taxonomy.routing import route_lead_department

TEXT_LIMIT = 10_000
MAX_EXTENSION_DAYS = 30

# Why a message is not accepted, and the channel the citizen is told about (不予受理).
NOT_ACCEPTED_REASONS = {
    "emergency": gettext_lazy(
        "For emergencies call 110 (police), 119 (fire), 120 (ambulance) or 122 (traffic accidents)."
    ),
    "litigation": gettext_lazy("This matter belongs to the courts: please bring it to court."),
    "arbitration": gettext_lazy(
        "This matter is for arbitration: please apply to the competent arbitration commission."
    ),
    "administrative_review": gettext_lazy(
        "Please apply for administrative review to the competent review body."
    ),
    "petition": gettext_lazy("Please raise this through the letters and visits (petition) office."),
    "repeat": gettext_lazy("This repeats an earlier message with nothing new, already answered."),
    "outside_duties": gettext_lazy("This matter lies outside the duties of government."),
}


@dataclass(frozen=True)
class Outcome:
    note: str = ""  # for staff only
    public_note: str = ""  # what the citizen reads in the history


def check_move(
    user: User | None, message: Message, action: Action, expected_state: str | None
) -> None:
    """Raise unless ``user`` may make the move now; None is the citizen (see ``_perform``)."""
    move = MOVES[action]
    if expected_state is not None and message.state != expected_state:
        raise IllegalMove(
            "stale",
            _("Someone else has moved this message meanwhile; it is now: %(state)s.")
            % {"state": message.get_state_display()},
        )
    if message.state not in move.sources:
        raise IllegalMove(
            "illegal_move",
            _("This is not possible while the message is: %(state)s.")
            % {"state": message.get_state_display()},
        )
    if user is not None and not is_actor(user, move.actor, message):
        raise PermissionDenied


def mark_cleared(message: Message, at: dt.datetime, user: User | None) -> None:
    """Record the first time the desk handled the message, for same-day clearance."""
    message.cleared_at = at
    message.cleared_day = timezone.localdate(at)
    message.cleared_by = user


def _invalid(message: str) -> IllegalMove:
    return IllegalMove("invalid", message)


def _deadline(start: dt.datetime | dt.date, days: int) -> dt.date:
    try:
        return deadline_after(start, days)
    except CalendarYearMissing as exc:
        raise IllegalMove(
            "calendar_missing",
            _(
                "The working-day calendar has no data for %(year)d. An administrator must add "
                "that year's holidays and make-up working days first."
            )
            % {"year": exc.year},
        ) from exc


def _perform(
    user: User | None,
    message_id: int,
    action: Action,
    expected_state: str | None,
    change: Callable[[Message], Outcome],
) -> Message:
    """Make one move. ``user`` None is no staff member: the citizen, authorised upstream by the
    query code (their rating re-opens the case, ``casework/feedback.py``), or the machine
    applying a suggestion under a supervisor's rule (``do_machine_triage``)."""
    move = MOVES[action]
    with transaction.atomic():
        # Locked: two people acting on one message at once would otherwise both pass the state
        # check and both apply their move (two clerks forwarding it to two departments).
        message = Message.objects.select_for_update().get(pk=message_id)
        check_move(user, message, action, expected_state)
        before = message.state
        outcome = change(message)
        if move.target is not None:
            message.state = move.target
        if before == MessageState.NEW and message.cleared_at is None:
            mark_cleared(message, timezone.now(), user)  # 日清日结
        message.save()
        MessageEvent.objects.create(
            message=message,
            at=timezone.now(),
            actor=user,
            kind=EventKind.CASE_ACTION,
            action=action,
            from_state=before,
            to_state=message.state,
            note=outcome.note,
            public_note=outcome.public_note,
            is_public=move.public,
        )
    return message


def _text(value: str, what: str) -> str:
    value = value.strip()
    if not value or len(value) > TEXT_LIMIT:
        raise _invalid(
            _("%(what)s must have 1 to %(limit)d characters.") % {"what": what, "limit": TEXT_LIMIT}
        )
    return value


def _leaf_of_active_taxonomy(category_id: int) -> Category:
    category = Category.objects.filter(
        pk=category_id, is_leaf=True, version__is_active=True
    ).first()
    if category is None:
        raise _invalid(_("Choose a category at the lowest level of the active taxonomy."))
    return category


def _filing(category: Category, note: str) -> Callable[[Message], Outcome]:
    """The change that files a message under a category and suggests its lead department."""

    def change(message: Message) -> Outcome:
        message.category = category
        message.category_is_partial = False
        message.lead_department = route_lead_department(category, message.region)
        return Outcome(note=note)

    return change


def do_triage(
    user: User, message_id: int, category_id: int, *, expected_state: str | None = None
) -> Message:
    """File the message under a leaf of the active taxonomy; suggest the lead department."""
    category = _leaf_of_active_taxonomy(category_id)
    change = _filing(category, str(category))
    return _perform(user, message_id, Action.TRIAGE, expected_state, change)


def do_machine_triage(message_id: int, category_id: int, note: str) -> Message:
    """The classifier files a new message under a supervisor's rule (still reversible: the
    desk may classify it again). Only from "new": a human decision is never overwritten."""
    change = _filing(_leaf_of_active_taxonomy(category_id), note)
    return _perform(None, message_id, Action.TRIAGE, MessageState.NEW, change)


def _active_departments(ids: Iterable[int]) -> list[Department]:
    wanted = set(ids)
    found = list(Department.objects.filter(pk__in=wanted, is_active=True))
    if len(found) != len(wanted):
        raise _invalid(_("A chosen department does not exist or is no longer active."))
    return found


def do_forward(
    user: User,
    message_id: int,
    lead_department_id: int,
    co_department_ids: Iterable[int] = (),
    *,
    note: str = "",
    expected_state: str | None = None,
) -> Message:
    """Send the message to one lead department (主办) and optional co-handlers (协办)."""
    lead = _active_departments([lead_department_id])[0]
    co = _active_departments(set(co_department_ids) - {lead.pk})

    def change(message: Message) -> Outcome:
        message.lead_department = lead
        message.deadline = _deadline(timezone.now(), reply_days(message))
        CoHandling.objects.filter(message=message).delete()
        CoHandling.objects.bulk_create(CoHandling(message=message, department=d) for d in co)
        now = timezone.now()
        _current_assignment(message).update(ended_at=now)
        Assignment.objects.create(message=message, department=lead, forwarded_at=now)
        documents.issue_for_forward(user, message, lead, co, note.strip()[:TEXT_LIMIT])  # 转办单
        public = _("Forwarded to %(department)s.") % {"department": lead.name_zh}
        return Outcome(note=note.strip()[:TEXT_LIMIT], public_note=public)

    return _perform(user, message_id, Action.FORWARD, expected_state, change)


def do_accept(user: User, message_id: int, *, expected_state: str | None = None) -> Message:
    """The lead department signs for the message (签收)."""

    def change(message: Message) -> Outcome:
        _current_assignment(message).update(accepted_at=timezone.now())
        return Outcome()

    return _perform(user, message_id, Action.ACCEPT, expected_state, change)


def _current_assignment(message: Message) -> QuerySet[Assignment]:
    return Assignment.objects.filter(message=message, ended_at__isnull=True)


def do_return(
    user: User, message_id: int, reason: str, *, expected_state: str | None = None
) -> Message:
    """The department sends the message back to the desk for re-dispatch (退回)."""
    reason = _text(reason, _("The reason"))

    def change(message: Message) -> Outcome:
        _current_assignment(message).update(ended_at=timezone.now())
        documents.void_for_return(user, message, reason)  # the number stays recorded
        return Outcome(reason)

    return _perform(user, message_id, Action.RETURN, expected_state, change)


def _replying(text: str, *, approved: bool) -> Callable[[Message], Outcome]:
    """The change that puts a reply on the message: a department's draft, or the desk's answer."""

    def change(message: Message) -> Outcome:
        message.reply_text = text
        message.replied_at = timezone.now()
        message.reply_approved_at = message.replied_at if approved else None
        if approved:
            tell_citizen_of_answer(message)
        return Outcome()

    return change


def do_reply(
    user: User, message_id: int, text: str, *, expected_state: str | None = None
) -> Message:
    text = _text(text, _("The reply"))
    return _perform(user, message_id, Action.REPLY, expected_state, _replying(text, approved=False))


def do_approve_reply(user: User, message_id: int, *, expected_state: str | None = None) -> Message:
    """A supervisor lets the department's reply reach the citizen."""

    def change(message: Message) -> Outcome:
        if message.reply_approved_at is not None:
            raise _invalid(_("This reply has already been approved."))
        message.reply_approved_at = timezone.now()
        tell_citizen_of_answer(message)
        return Outcome()

    return _perform(user, message_id, Action.APPROVE_REPLY, expected_state, change)


def do_send_back(
    user: User, message_id: int, reason: str, *, expected_state: str | None = None
) -> Message:
    """A supervisor returns the draft reply to the department for revision."""
    reason = _text(reason, _("The reason"))

    def change(message: Message) -> Outcome:
        if message.reply_approved_at is not None:
            raise _invalid(_("This reply has already been approved."))
        return Outcome(note=reason)

    return _perform(user, message_id, Action.SEND_BACK, expected_state, change)


def do_close(user: User, message_id: int, *, expected_state: str | None = None) -> Message:
    def change(message: Message) -> Outcome:
        if message.state == MessageState.REPLIED and message.reply_approved_at is None:
            raise _invalid(_("The reply must be approved before the message is closed."))
        return Outcome()

    return _perform(user, message_id, Action.CLOSE, expected_state, change)


def do_request_extension(
    user: User, message_id: int, days: int, reason: str, *, expected_state: str | None = None
) -> Message:
    """Ask the supervisor for more working days (延期); one request may wait at a time."""
    reason = _text(reason, _("The reason"))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise _invalid(_("Ask for 1 to %(days)d working days.") % {"days": MAX_EXTENSION_DAYS})

    def change(message: Message) -> Outcome:
        if ExtensionRequest.objects.filter(message=message, status="pending").exists():
            raise _invalid(_("An extension request is already waiting for a decision."))
        ExtensionRequest.objects.create(
            message=message,
            days=days,
            reason=reason,
            requested_by=user,
            requested_at=timezone.now(),
        )
        return Outcome(
            note=_("%(days)d working days: %(reason)s") % {"days": days, "reason": reason}
        )

    return _perform(user, message_id, Action.REQUEST_EXTENSION, expected_state, change)


def do_decide_extension(
    user: User,
    message_id: int,
    approve: bool,
    note: str = "",
    *,
    expected_state: str | None = None,
) -> Message:
    def change(message: Message) -> Outcome:
        request = ExtensionRequest.objects.filter(message=message, status="pending").first()
        if request is None:
            raise _invalid(_("No extension request is waiting for a decision."))
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        if approve:
            start = message.deadline or timezone.localdate()
            message.deadline = _deadline(start, request.days)
        request.decided_by = user
        request.decided_at = timezone.now()
        request.save()
        return Outcome(note=f"{request.get_status_display()} {note.strip()}".strip())

    return _perform(user, message_id, Action.DECIDE_EXTENSION, expected_state, change)


def do_not_accept(
    user: User, message_id: int, reason: str, note: str = "", *, expected_state: str | None = None
) -> Message:
    """Decline the message and tell the citizen the proper channel (不予受理)."""
    if reason not in NOT_ACCEPTED_REASONS:
        raise _invalid(_("Choose why the message is not accepted."))
    channel = str(NOT_ACCEPTED_REASONS[reason])
    outcome = Outcome(note=f"{reason} {note.strip()}".strip(), public_note=channel)
    return _perform(user, message_id, Action.NOT_ACCEPT, expected_state, lambda m: outcome)


def do_answer(
    user: User, message_id: int, text: str, *, expected_state: str | None = None
) -> Message:
    """The desk answers a consultation itself."""
    text = _text(text, _("The answer"))
    return _perform(user, message_id, Action.ANSWER, expected_state, _replying(text, approved=True))


def do_merge(
    user: User, message_id: int, into_tracking_number: str, *, expected_state: str | None = None
) -> Message:
    """Merge the message into another that says the same (并单)."""
    target = Message.objects.filter(tracking_number=into_tracking_number.strip().upper()).first()
    if target is None or target.pk == message_id or target.state == MessageState.MERGED:
        raise _invalid(_("Merge into another message that is not itself merged."))

    def change(message: Message) -> Outcome:
        Merge.objects.create(message=message, into=target, merged_at=timezone.now())
        public = _("Merged with message %(number)s.") % {"number": target.tracking_number}
        return Outcome(note=target.tracking_number, public_note=public)

    return _perform(user, message_id, Action.MERGE, expected_state, change)


def do_reopen(
    user: User, message_id: int, reason: str, *, expected_state: str | None = None
) -> Message:
    """A supervisor reopens a finished message; it goes back to the desk."""
    reason = _text(reason, _("The reason"))

    def change(message: Message) -> Outcome:
        Merge.objects.filter(message=message).delete()  # the event keeps the history
        return Outcome(note=reason)

    return _perform(user, message_id, Action.REOPEN, expected_state, change)
