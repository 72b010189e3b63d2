"""The one state machine of a message: which move is allowed from which state, and by whom.

    new ──triage──► triaged ──forward──► forwarded ──accept──► accepted ──reply──► replied
                                                         ▲                     │ approve_reply
                                                         └──── send_back ──────┤ (supervisor)
     │                │  ▲                  │                    │  ▲               │
     │                │  └──── forward ─ returned ◄──return──────┘  │ extension     close
     │                │                                             │ request/decide ▼
     ├─ not_accept / answer / merge (also from triaged, returned)   │              closed
     └─ reopen (supervisor) from closed, not_accepted, answered, merged ─► new

Every move goes through ``yiwang.casework.actions``, which locks the message row, checks the
move here, applies it and writes the audit event; an illegal move raises ``IllegalMove``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy

from yiwang.accounts.models import User
from yiwang.intake.models import Message, MessageState

S = MessageState


class Action(StrEnum):
    TRIAGE = "triage"
    FORWARD = "forward"
    ACCEPT = "accept"
    RETURN = "return"
    REPLY = "reply"
    APPROVE_REPLY = "approve_reply"
    SEND_BACK = "send_back"
    CLOSE = "close"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    NOT_ACCEPT = "not_accept"
    ANSWER = "answer"
    MERGE = "merge"
    REOPEN = "reopen"
    REHANDLE = "rehandle"


# What the history says of each move (staff page and, for public moves, the citizen's page).
ACTION_LABELS = {
    Action.TRIAGE: gettext_lazy("Classified"),
    Action.FORWARD: gettext_lazy("Forwarded to a department"),
    Action.ACCEPT: gettext_lazy("Signed for by the department"),
    Action.RETURN: gettext_lazy("Returned to the desk"),
    Action.REPLY: gettext_lazy("Reply drafted"),
    Action.APPROVE_REPLY: gettext_lazy("Replied"),
    Action.SEND_BACK: gettext_lazy("Reply sent back for revision"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.REQUEST_EXTENSION: gettext_lazy("Extension requested"),
    Action.DECIDE_EXTENSION: gettext_lazy("Extension decided"),
    Action.NOT_ACCEPT: gettext_lazy("Not accepted"),
    Action.ANSWER: gettext_lazy("Answered by the desk"),
    Action.MERGE: gettext_lazy("Merged into another message"),
    Action.REOPEN: gettext_lazy("Reopened"),
    Action.REHANDLE: gettext_lazy("Handled again by the department"),
}


def event_label(kind_label: str, action: str) -> str:
    """The history line's label: the move's own for case actions, else the event kind's."""
    try:
        return str(ACTION_LABELS[Action(action)])
    except ValueError:
        return kind_label


class Actor(StrEnum):
    DESK = "desk"  # the message desk: clerks and supervisors
    DEPARTMENT = "department"  # staff of the message's lead department
    SUPERVISOR = "supervisor"  # desk supervisors


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the state stays (extension requests and decisions)
    actor: Actor
    public: bool  # shown in the citizen's history


def _move(sources: set[str], target: str | None, actor: Actor, public: bool = True) -> Move:
    return Move(frozenset(sources), target, actor, public)


MOVES: dict[Action, Move] = {
    Action.TRIAGE: _move({S.NEW, S.TRIAGED, S.RETURNED}, S.TRIAGED, Actor.DESK),
    Action.FORWARD: _move({S.TRIAGED, S.RETURNED}, S.FORWARDED, Actor.DESK),
    Action.ACCEPT: _move({S.FORWARDED}, S.ACCEPTED, Actor.DEPARTMENT),
    Action.RETURN: _move({S.FORWARDED, S.ACCEPTED}, S.RETURNED, Actor.DEPARTMENT, public=False),
    Action.REPLY: _move({S.ACCEPTED}, S.REPLIED, Actor.DEPARTMENT, public=False),
    Action.APPROVE_REPLY: _move({S.REPLIED}, None, Actor.SUPERVISOR),
    Action.SEND_BACK: _move({S.REPLIED}, S.ACCEPTED, Actor.SUPERVISOR, public=False),
    Action.CLOSE: _move({S.REPLIED, S.ANSWERED}, S.CLOSED, Actor.DESK),
    Action.REQUEST_EXTENSION: _move({S.ACCEPTED}, None, Actor.DEPARTMENT, public=False),
    Action.DECIDE_EXTENSION: _move({S.ACCEPTED}, None, Actor.SUPERVISOR, public=False),
    Action.NOT_ACCEPT: _move({S.NEW, S.TRIAGED, S.RETURNED}, S.NOT_ACCEPTED, Actor.DESK),
    Action.ANSWER: _move({S.NEW, S.TRIAGED}, S.ANSWERED, Actor.DESK),
    Action.MERGE: _move({S.NEW, S.TRIAGED, S.RETURNED}, S.MERGED, Actor.DESK),
    Action.REOPEN: _move({S.CLOSED, S.NOT_ACCEPTED, S.ANSWERED, S.MERGED}, S.NEW, Actor.SUPERVISOR),
    # Re-handling (重办) by the same department: the citizen's unsatisfied rating (once) or a
    # supervisor upholding an appeal; a supervisor may also order it.
    Action.REHANDLE: _move({S.REPLIED, S.CLOSED}, S.ACCEPTED, Actor.SUPERVISOR),
}


class IllegalMove(Exception):
    """A move the machine does not allow; ``code`` is stable for the API and forms."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_actor(user: User, actor: Actor, message: Message) -> bool:
    """Whether ``user`` plays ``actor`` for ``message`` (permissions from the roles table)."""
    if not user.is_active or not user.has_perm("accounts.act_on_messages"):
        return False
    if actor is Actor.DESK:
        return user.has_perm("accounts.view_all_messages")
    if actor is Actor.SUPERVISOR:
        return user.has_perm("accounts.supervise_messages")
    return (
        user.has_perm("accounts.view_department_messages")
        and user.department_id is not None
        and user.department_id == message.lead_department_id
    )


def allowed_actions(user: User, message: Message) -> list[Action]:
    """The moves ``user`` may make on ``message`` now (for buttons and the API)."""
    return [
        action
        for action, move in MOVES.items()
        if message.state in move.sources and is_actor(user, move.actor, message)
    ]
