"""The editors' read side: the queue of proposals and a publication with its spans marked."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from yiwang.accounts.models import User
from yiwang.intake.models import Message
from yiwang.lib import pii
from yiwang.publishing.actions import has_approved_reply, is_editor, may_propose
from yiwang.publishing.models import PII_KIND_LABELS, Publication, PublicationState

QUEUE_STATES = (
    PublicationState.PROPOSED,
    PublicationState.AWAITING_APPROVAL,
    PublicationState.PUBLISHED,
    PublicationState.UNPUBLISHED,
    PublicationState.DECLINED,
)
QUEUE_SIZE = 100


def queue(state: str) -> QuerySet[Publication]:
    """The publications in one state, oldest proposal first (newest publication first once
    public), with what the list shows in the same query."""
    wanted = state if state in QUEUE_STATES else PublicationState.PROPOSED
    publications = Publication.objects.filter(state=wanted).select_related(
        "message", "proposed_by", "first_approved_by"
    )
    order = "-published_at" if wanted == PublicationState.PUBLISHED else "proposed_at"
    return publications.order_by(order, "pk")[:QUEUE_SIZE]


@dataclass(frozen=True)
class Marked:
    """A text with every personal span wrapped in ``<mark>``, and the kinds found."""

    html: SafeString
    kinds: tuple[str, ...]


def marked(text: str) -> Marked:
    """``text`` escaped, each span found by the masker in a ``<mark class="pii pii-KIND">``
    whose title names the kind (so the editor sees what the masker saw, and why)."""
    spans = pii.find(text)
    pieces: list[tuple[str, str, str]] = []
    position = 0
    for span in spans:
        pieces.append(("", text[position : span.start], ""))
        pieces.append((span.kind, text[span.start : span.end], str(PII_KIND_LABELS[span.kind])))
        position = span.end
    pieces.append(("", text[position:], ""))
    html = format_html_join(
        "",
        "{}",
        (
            (format_html('<mark class="pii pii-{}" title="{}">{}</mark>', kind, label, part),)
            if kind
            else (part,)
            for kind, part, label in pieces
        ),
    )
    return Marked(html, tuple(span.kind for span in spans))


def publication_context(user: User, message: Message) -> dict[str, object]:
    """What the desk's message page shows about publication: the state, or the button."""
    publication = Publication.objects.filter(message=message).first()
    return {
        "publication": publication,
        "can_propose": publication is None and may_propose(user) and has_approved_reply(message),
        "is_editor": is_editor(user),
    }


def published_text(message: Message) -> str | None:
    """The message's text as the public board shows it (masked, or the editors' summary), or
    None while it is not published. Reads ``message.publication`` (select_related it)."""
    try:
        publication = message.publication
    except Publication.DoesNotExist:
        return None
    return publication.text if publication.is_public else None
