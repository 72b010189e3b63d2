"""Move demo messages along so the desk looks like a working one.

Demo seeding only: real moves go through the casework state machine. Each step writes the
same history a real move would (a public STATE_CHANGED event).
"""

from __future__ import annotations

import datetime as dt
import random

from yiwang.casework.actions import mark_cleared
from yiwang.casework.deadlines import CalendarYearMissing, deadline_after, reply_days
from yiwang.casework.models import Assignment, Rating, Rehandling
from yiwang.demo.generator import DemoMessage
from yiwang.intake.models import EventKind, Message, MessageEvent, MessageState
from yiwang.taxonomy.models import Category, TaxonomyVersion
from yiwang.taxonomy.routing import route_lead_department

_PATH = (
    ("triage", MessageState.TRIAGED),
    ("forward", MessageState.FORWARDED),
    ("accept", MessageState.ACCEPTED),
    ("reply", MessageState.REPLIED),
    ("close", MessageState.CLOSED),
)
REPLY = (
    "您好！您反映的“{title}”问题已收悉。经{department}调查核实，相关情况已责成责任单位整改，"
    "预计近期完成。如仍有问题，欢迎继续反映。感谢您对我们工作的关心和支持！"
)


def _leaf(major_code: str, rng: random.Random) -> Category | None:
    version = TaxonomyVersion.objects.filter(is_active=True).first()
    leaves = list(Category.objects.filter(version=version, parent__code=major_code, is_leaf=True))
    return rng.choice(leaves) if leaves else None


def _deadline_or_none(at: dt.datetime, message: Message) -> dt.date | None:
    """Demo data must load in any year; without calendar data the deadline stays open."""
    try:
        return deadline_after(at, reply_days(message))
    except CalendarYearMissing:
        return None


def advance_demo_state(message: Message, demo: DemoMessage, rng: random.Random) -> None:
    """Older messages are further along; today's are mostly still new."""
    steps = (
        min(len(_PATH), rng.randint(0, demo.days_ago + 1)) if demo.days_ago else rng.randint(0, 1)
    )
    if steps == 0:
        return
    category = _leaf(demo.major_code, rng)
    if category is None:
        return
    message.category = category
    message.lead_department = route_lead_department(category, message.region)
    at = message.submitted_at
    for action, state in _PATH[:steps]:
        at = at + dt.timedelta(hours=rng.randint(1, 20))
        MessageEvent.objects.create(
            message=message,
            at=at,
            kind=EventKind.CASE_ACTION,
            action=action,
            from_state=message.state,
            to_state=state,
            is_public=True,
        )
        if message.cleared_at is None:
            mark_cleared(message, at, None)
        if action == "forward":
            message.deadline = _deadline_or_none(at, message)
        message.state = state
        _record_for_the_rates(message, action, at, rng)
    if steps >= 4:
        department = message.lead_department.name_zh if message.lead_department else "相关部门"
        message.reply_text = REPLY.format(title=message.title, department=department)
        message.replied_at = message.reply_approved_at = at
    message.save()


# Most citizens are content; a few are not (weights for scores 1–5).
SCORE_WEIGHTS = (45, 30, 12, 9, 4)


def _record_for_the_rates(
    message: Message, action: str, at: dt.datetime, rng: random.Random
) -> None:
    """The forwarding and the rating rows behind the supervisor's rates page."""
    if message.lead_department is None:
        return
    if action == "forward":
        Assignment.objects.create(
            message=message, department=message.lead_department, forwarded_at=at
        )
    elif action == "accept":
        Assignment.objects.filter(message=message).update(accepted_at=at)
    elif action == "close" and rng.random() < 0.6:
        _rate(message, at - dt.timedelta(hours=rng.randint(1, 20)), rng)


def _rate(message: Message, at: dt.datetime, rng: random.Random) -> None:
    """A rating before closing; an unsatisfied first one was followed by re-handling."""
    score = rng.choices(range(1, 6), weights=SCORE_WEIGHTS)[0]
    first = Rating.objects.create(
        message=message, department=message.lead_department, round=1, score=score, created_at=at
    )
    if first.is_satisfied:
        return
    Rehandling.objects.create(message=message, rating=first, previous_reply="", at=at)
    Rating.objects.create(
        message=message,
        department=message.lead_department,
        round=2,
        score=rng.choice((1, 2, 3, 4)),
        created_at=at + dt.timedelta(hours=2),
    )
