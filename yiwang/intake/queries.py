"""The read side of intake: what a citizen may see of their own message."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from yiwang.casework.machine import event_label
from yiwang.intake.models import Message, MessageState
from yiwang.lib import pii
from yiwang.lib.codes import (
    normalize_query_code,
    normalize_tracking_number,
    parse_tracking_number,
    query_code_matches,
)


def find_for_citizen(tracking_number: str, query_code: str) -> Message | None:
    """The message, when the tracking number and its query code match; else None."""
    parsed = parse_tracking_number(tracking_number)
    if parsed is None:
        return None
    number = normalize_tracking_number(tracking_number)
    message = Message.objects.filter(tracking_number=number).first()
    key = settings.YIWANG_QUERY_CODE_KEY.encode()
    code = normalize_query_code(query_code)
    if message is None or not query_code_matches(key, number, code, message.query_code_digest):
        return None
    return message


def public_state(message: Message) -> str:
    """The state the public sees: a reply under review is still being handled."""
    if message.state == MessageState.REPLIED and message.reply_approved_at is None:
        return MessageState.ACCEPTED
    return message.state


def public_view(message: Message) -> dict[str, Any]:
    """What the citizen sees: status, public history and the reply; nothing internal. Anyone
    holding the tracking number and query code sees it, and a merged message shows another
    citizen's answer, so the title, notes and reply go out masked (yiwang.lib.pii)."""
    events = message.events.filter(is_public=True).order_by("at", "id")
    answered = _answering(message)
    approved = answered.reply_approved_at is not None
    state = public_state(message)
    return {
        "tracking_number": message.tracking_number,
        "title": pii.mask(message.title),
        "state": state,
        "state_label": str(MessageState(state).label),
        "submitted_at": message.submitted_at,
        "history": [
            {
                "at": e.at,
                "kind": e.kind,
                "label": event_label(str(e.get_kind_display()), e.action),
                "note": pii.mask(e.public_note),
            }
            for e in events
        ],
        "reply": (pii.mask(answered.reply_text) or None) if approved else None,
        "replied_at": answered.replied_at if approved else None,
    }


def _answering(message: Message) -> Message:
    """The message whose answer this citizen reads: their own, or, once it was merged into
    another that says the same (并单), the answer of that one."""
    if message.state != MessageState.MERGED:
        return message
    merge = getattr(message, "merge", None)
    return merge.into if merge is not None else message
