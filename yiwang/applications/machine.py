"""Every move of an application: the states it starts from, where it leads, who makes it.

The department that implements the service accepts (受理), refuses to accept (不予受理) or
asks once for every missing material at once (一次性告知补正); the applicant sends them
(补正); the review (审查) passes to the decision (决定) or the decision returns it to review
(退回), each with an opinion; the decision completes it (办结) with its outcome. An immediate
service (即办件) may be completed straight after acceptance. The applicant may withdraw until
it is finished. ``actions.py`` performs the moves under a row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from yiwang.applications.models import ApplicationKind, ApplicationState

S = ApplicationState


class Actor(StrEnum):
    DEPARTMENT = "department"
    APPLICANT = "applicant"


@dataclass(frozen=True)
class Move:
    starts: frozenset[str]
    leads_to: str
    actor: Actor
    needs_opinion: bool = False


MOVES: dict[str, Move] = {
    "accept": Move(frozenset({S.SUBMITTED}), S.ACCEPTED, Actor.DEPARTMENT),
    "not_accept": Move(frozenset({S.SUBMITTED}), S.NOT_ACCEPTED, Actor.DEPARTMENT, True),
    "ask_correction": Move(frozenset({S.SUBMITTED}), S.CORRECTION, Actor.DEPARTMENT, True),
    "resubmit": Move(frozenset({S.CORRECTION}), S.SUBMITTED, Actor.APPLICANT),
    "pass_review": Move(frozenset({S.ACCEPTED}), S.DECIDING, Actor.DEPARTMENT),
    "return_to_review": Move(frozenset({S.DECIDING}), S.ACCEPTED, Actor.DEPARTMENT, True),
    "complete": Move(frozenset({S.DECIDING, S.ACCEPTED}), S.COMPLETED, Actor.DEPARTMENT),
    "withdraw": Move(
        frozenset({S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.DECIDING}), S.WITHDRAWN, Actor.APPLICANT
    ),
}
MAX_CORRECTIONS = 1  # 一次性告知: every missing material is named in one request


class IllegalMove(Exception):
    """A move the table does not allow from the application's state (or with bad input)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def allowed(action: str, state: str, kind: str, corrections: int) -> bool:
    """Whether ``action`` may be made now (the table and its two special rules)."""
    move = MOVES.get(action)
    if move is None or state not in move.starts:
        return False
    if action == "complete" and state == S.ACCEPTED:
        return kind == ApplicationKind.IMMEDIATE
    if action == "ask_correction":
        return corrections < MAX_CORRECTIONS
    return True


def available(state: str, kind: str, corrections: int, actor: Actor) -> list[str]:
    """The actions ``actor`` may make now, in the table's order (for the pages' buttons)."""
    return [
        action
        for action, move in MOVES.items()
        if move.actor == actor and allowed(action, state, kind, corrections)
    ]
