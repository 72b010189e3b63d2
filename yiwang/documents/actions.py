"""Every write of the documents app.

``issue_for_forward`` and ``void_for_return`` run inside the transaction of the casework move
that calls them (``yiwang.casework.actions.do_forward`` / ``do_return``): a move that rolls back
takes its document, and its number, with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.casework.machine import Actor, IllegalMove, is_actor
from yiwang.documents.models import ForwardingDocument, IssuingBody, LeaderInstruction, NumberSeries
from yiwang.intake.models import EventKind, Message, MessageEvent
from yiwang.orgs.models import Department

# Document numbers count years in China's time zone whatever the server's TIME_ZONE says.
NUMBERING_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_PREFIX_SUFFIX = "留"  # 留言: 浙政办 → 浙政办留〔2026〕1号
INSTRUCTION_LIMIT = 2_000
NAME_LIMIT = 64
POSITION_LIMIT = 128


def numbering_year(at: dt.datetime) -> int:
    return at.astimezone(NUMBERING_ZONE).year


def prefix_for(body: Department) -> str:
    configured = IssuingBody.objects.filter(department=body).values_list("prefix", flat=True)
    return configured.first() or f"{body.short_code}{DEFAULT_PREFIX_SUFFIX}"


def format_reference(prefix: str, year: int, number: int) -> str:
    """GB/T 9704: the year in full inside 〔〕, the number without 第 or leading zeros, then 号."""
    return f"{prefix}〔{year}〕{number}号"


def _take_number(body: Department, year: int) -> int:
    series, _created = NumberSeries.objects.get_or_create(body=body, year=year)
    # Locked until the forward commits: two forwards at once would otherwise both read the same
    # last number and issue it twice; holding the lock to the end of the forward's transaction
    # also means a forward that fails gives its number back, so the series has no gaps.
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series.last_number


def _issuing_body(user: User) -> Department:
    if user.department is None:
        raise IllegalMove(
            "no_issuing_body",
            _("Your account belongs to no body, so no forwarding document can be issued."),
        )
    return user.department


def issue_for_forward(
    user: User,
    message: Message,
    lead: Department,
    co: Sequence[Department],
    request_text: str,
) -> ForwardingDocument:
    """Number and record the forwarding document; call inside the forward's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_for_forward must run inside the forward's transaction")
    body = _issuing_body(user)
    now = timezone.now()
    year = numbering_year(now)
    number = _take_number(body, year)
    document = ForwardingDocument.objects.create(
        message=message,
        body=body,
        year=year,
        number=number,
        reference=format_reference(prefix_for(body), year, number),
        lead_department=lead,
        request_text=request_text,
        deadline=message.deadline,
        issued_at=now,
        issued_by=user,
    )
    document.co_departments.set(co)
    return document


def void_for_return(user: User, message: Message, reason: str) -> ForwardingDocument | None:
    """Void the message's current document (kept with its number); None if it has none."""
    current = (
        ForwardingDocument.objects.filter(message=message, voided_at__isnull=True)
        .order_by("-issued_at", "-pk")
        .first()
    )
    if current is None:  # forwarded before documents existed, or by the demo loader
        return None
    current.voided_at = timezone.now()
    current.voided_by = user
    current.void_reason = reason
    current.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return current


class InvalidInstruction(Exception):
    """A field of a leader's instruction is missing or too long; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InstructionInput:
    leader_name: str
    leader_title: str
    text: str
    instructed_on: dt.date


def can_add_instruction(user: User, message: Message) -> bool:
    """Desk staff (clerks and supervisors) enter leaders' instructions."""
    return is_actor(user, Actor.DESK, message)


def _cleaned(data: InstructionInput) -> InstructionInput:
    name, title, text = data.leader_name.strip(), data.leader_title.strip(), data.text.strip()
    if not name or len(name) > NAME_LIMIT:
        raise InvalidInstruction(
            "leader_name",
            _("The leader's name must have 1 to %(limit)d characters.") % {"limit": NAME_LIMIT},
        )
    if len(title) > POSITION_LIMIT:
        raise InvalidInstruction(
            "leader_title",
            _("The position may have at most %(limit)d characters.") % {"limit": POSITION_LIMIT},
        )
    if not text or len(text) > INSTRUCTION_LIMIT:
        raise InvalidInstruction(
            "text",
            _("The instruction must have 1 to %(limit)d characters.")
            % {"limit": INSTRUCTION_LIMIT},
        )
    if data.instructed_on > timezone.localdate():
        raise InvalidInstruction("instructed_on", _("The date cannot be in the future."))
    return InstructionInput(name, title, text, data.instructed_on)


def do_add_leader_instruction(
    user: User, message: Message, data: InstructionInput
) -> LeaderInstruction:
    """Attach a leader's instruction (批示) to the message and record it in the history."""
    if not can_add_instruction(user, message):
        raise PermissionDenied
    clean = _cleaned(data)
    now = timezone.now()
    with transaction.atomic():
        instruction = LeaderInstruction.objects.create(
            message=message,
            leader_name=clean.leader_name,
            leader_title=clean.leader_title,
            text=clean.text,
            instructed_on=clean.instructed_on,
            entered_by=user,
            entered_at=now,
        )
        MessageEvent.objects.create(
            message=message,
            at=now,
            actor=user,
            kind=EventKind.NOTE,
            action="leader_instruction",
            note=_("Leader's instruction from %(leader)s: %(text)s")
            % {"leader": clean.leader_name, "text": clean.text},
        )
    return instruction
