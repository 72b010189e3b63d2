"""The citizen's rating of an answer (回访, 好差评), re-handling (重办) and appeals (申诉).

After an answer is public the citizen rates it once per round of handling on the five-level
scale. "Unsatisfied" or worse sends a department's case back to the same department, once; a
desk answer goes back to the desk. The citizen may appeal the handling once; a department may
appeal a bad rating it finds mistaken or malicious; a desk supervisor decides both.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.casework.actions import TEXT_LIMIT, Outcome, _deadline, _perform, check_move
from yiwang.casework.deadlines import reply_days
from yiwang.casework.machine import Action, IllegalMove
from yiwang.casework.models import (
    Appeal,
    AppealStatus,
    Party,
    Rating,
    Rehandling,
    Score,
)
from yiwang.intake.models import EventKind, Message, MessageEvent, MessageState

COMMENT_LIMIT = 500
RATEABLE = (MessageState.REPLIED, MessageState.CLOSED, MessageState.ANSWERED)


def _invalid(text: str) -> IllegalMove:
    return IllegalMove("invalid", text)


def current_round(message: Message) -> int:
    return 1 + Rehandling.objects.filter(message=message).count()


def answer_is_public(message: Message) -> bool:
    return message.state in RATEABLE and message.reply_approved_at is not None


def can_rate(message: Message) -> bool:
    rated = Rating.objects.filter(message=message, round=current_round(message)).exists()
    return answer_is_public(message) and not rated


def can_appeal(message: Message) -> bool:
    appealed = Appeal.objects.filter(message=message, party=Party.CITIZEN).exists()
    return answer_is_public(message) and not appealed


def _comment(text: str, limit: int, required: bool, what: str) -> str:
    text = text.strip()
    if len(text) > limit or (required and not text):
        low = 1 if required else 0
        raise _invalid(
            _("%(what)s must have %(low)d to %(limit)d characters.")
            % {"what": what, "low": low, "limit": limit}
        )
    return text


def _locked(message_id: int) -> Message:
    # Locked: a double-clicked rating (or two tabs) would otherwise both find the round unrated
    # and both reopen the case.
    return Message.objects.select_for_update().get(pk=message_id)


def do_rate(message_id: int, score: int, comment: str = "") -> Rating:
    """The citizen (authorised by the query code) rates the public answer."""
    if score not in Score.values:
        raise _invalid(_("Choose one of the five ratings."))
    comment = _comment(comment, COMMENT_LIMIT, False, _("The comment"))
    with transaction.atomic():
        message = _locked(message_id)
        if not can_rate(message):
            raise IllegalMove("not_rateable", _("This answer cannot be rated now."))
        rating = Rating.objects.create(
            message=message,
            department=message.lead_department if message.state != "answered" else None,
            round=current_round(message),
            score=score,
            comment=comment,
            created_at=timezone.now(),
        )
        _event(message, _("Rated: %(score)s") % {"score": rating.get_score_display()})
        rehandled = Rehandling.objects.filter(message=message, rating__isnull=False).exists()
        if not rating.is_satisfied and not rehandled:
            rehandle(None, message, rating=rating)
    return rating


def rehandle(
    user: User | None,
    message: Message,
    *,
    rating: Rating | None = None,
    appeal: Appeal | None = None,
    note: str = "",
) -> Message:
    """Send the case back to whoever answered it: its department, or the desk."""
    by_department = message.state != MessageState.ANSWERED and message.lead_department_id
    action = Action.REHANDLE if by_department else Action.REOPEN
    Rehandling.objects.create(
        message=message,
        rating=rating,
        appeal=appeal,
        previous_reply=message.reply_text,
        at=timezone.now(),
    )

    def change(m: Message) -> Outcome:
        m.reply_text, m.replied_at, m.reply_approved_at = "", None, None
        if action is Action.REHANDLE:
            m.deadline = _deadline(timezone.now(), reply_days(m))
        return Outcome(note=note, public_note=_("The case is being handled again."))

    return _perform(user, message.pk, action, None, change)


def do_order_rehandling(
    user: User, message_id: int, reason: str, *, expected_state: str | None = None
) -> Message:
    """A supervisor sends a replied or closed case back to its department (督办重办)."""
    reason = _comment(reason, TEXT_LIMIT, True, _("The reason"))
    with transaction.atomic():
        message = _locked(message_id)
        check_move(user, message, Action.REHANDLE, expected_state)
        return rehandle(user, message, note=reason)


def _event(message: Message, note: str, public: bool = True) -> None:
    MessageEvent.objects.create(
        message=message,
        at=timezone.now(),
        kind=EventKind.FEEDBACK,
        public_note=note if public else "",
        note="" if public else note,
        is_public=public,
    )


def do_citizen_appeal(message_id: int, text: str) -> Appeal:
    """The citizen appeals the handling of their case, once."""
    text = _comment(text, TEXT_LIMIT, True, _("The grounds of the appeal"))
    with transaction.atomic():
        message = _locked(message_id)
        if not can_appeal(message):
            raise IllegalMove("not_appealable", _("This case cannot be appealed now."))
        appeal = Appeal.objects.create(
            message=message, party=Party.CITIZEN, text=text, created_at=timezone.now()
        )
        _event(message, _("Appeal received; a supervisor will decide on it."))
    return appeal


def do_department_appeal(user: User, rating_id: int, text: str) -> Appeal:
    """The rated department appeals a bad rating it finds mistaken or malicious, once."""
    text = _comment(text, TEXT_LIMIT, True, _("The grounds of the appeal"))
    with transaction.atomic():
        rating = Rating.objects.select_for_update().select_related("message").get(pk=rating_id)
        if not speaks_for(user, rating):
            raise PermissionDenied
        if rating.is_satisfied or Appeal.objects.filter(rating=rating).exists():
            raise IllegalMove("not_appealable", _("This rating cannot be appealed."))
        appeal = Appeal.objects.create(
            message=rating.message,
            party=Party.DEPARTMENT,
            rating=rating,
            text=text,
            created_at=timezone.now(),
            created_by=user,
        )
        _event(rating.message, _("The department appealed the rating."), public=False)
    return appeal


def speaks_for(user: User, rating: Rating) -> bool:
    return (
        user.is_active
        and user.has_perm("accounts.act_on_messages")
        and user.has_perm("accounts.view_department_messages")
        and rating.department_id is not None
        and user.department_id == rating.department_id
    )


def do_decide_appeal(user: User, appeal_id: int, uphold: bool, note: str = "") -> Appeal:
    """A desk supervisor decides an appeal; upholding acts on it at once."""
    if not (user.is_active and user.has_perm("accounts.supervise_messages")):
        raise PermissionDenied
    note = _comment(note, TEXT_LIMIT, False, _("The decision"))
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal_id)
        if appeal.status != AppealStatus.PENDING:
            raise IllegalMove("decided", _("This appeal has already been decided."))
        message = _locked(appeal.message_id)
        appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.DISMISSED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = user, timezone.now(), note
        appeal.save()
        _act_on(user, appeal, message, uphold)
    return appeal


def _act_on(user: User, appeal: Appeal, message: Message, uphold: bool) -> None:
    verdict = appeal.get_status_display()
    if appeal.party == Party.DEPARTMENT:
        if uphold and appeal.rating is not None:
            Rating.objects.filter(pk=appeal.rating.pk).update(excluded=True)
        _event(message, _("Appeal of the rating: %(verdict)s") % {"verdict": verdict}, False)
        return
    _event(message, _("Your appeal: %(verdict)s") % {"verdict": verdict})
    if uphold and answer_is_public(message):
        rehandle(user, message, appeal=appeal)
