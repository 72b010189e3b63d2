"""The one state machine of a message: which move is allowed from which state, and by whom.

    new ──triage──► triaged ──forward──► forwarded ──accept──► accepted ──reply──► replied
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

from yiwang.accounts.models import User
from yiwang.intake.models import Message, MessageState

S = MessageState


class Action(StrEnum):
    TRIAGE = "triage"
    FORWARD = "forward"
    ACCEPT = "accept"
    RETURN = "return"
    REPLY = "reply"
    CLOSE = "close"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    NOT_ACCEPT = "not_accept"
    ANSWER = "answer"
    MERGE = "merge"
    REOPEN = "reopen"


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
    Action.REPLY: _move({S.ACCEPTED}, S.REPLIED, Actor.DEPARTMENT),
    Action.CLOSE: _move({S.REPLIED, S.ANSWERED}, S.CLOSED, Actor.DESK),
    Action.REQUEST_EXTENSION: _move({S.ACCEPTED}, None, Actor.DEPARTMENT, public=False),
    Action.DECIDE_EXTENSION: _move({S.ACCEPTED}, None, Actor.SUPERVISOR, public=False),
    Action.NOT_ACCEPT: _move({S.NEW, S.TRIAGED, S.RETURNED}, S.NOT_ACCEPTED, Actor.DESK),
    Action.ANSWER: _move({S.NEW, S.TRIAGED}, S.ANSWERED, Actor.DESK),
    Action.MERGE: _move({S.NEW, S.TRIAGED, S.RETURNED}, S.MERGED, Actor.DESK),
    Action.REOPEN: _move({S.CLOSED, S.NOT_ACCEPTED, S.ANSWERED, S.MERGED}, S.NEW, Actor.SUPERVISOR),
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
