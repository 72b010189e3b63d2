"""The staff read side: messages in a scope, filtered and searched, with masked contacts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from yiwang.accounts.access import visible_messages
from yiwang.intake.models import Message
from yiwang.intake.personal import unseal
from yiwang.lib.codes import normalize_tracking_number, parse_tracking_number
from yiwang.lib.contact import mask_email, mask_mobile, mask_name
from yiwang.lib.crypto import DecryptionError
from yiwang.search.kinds import MESSAGE
from yiwang.search.queries import matching_object_ids, similar

PAGE_SIZE = 50
COUNT_CAP = 10_000  # messages counted for the list's page total: 200 pages of 50
UNREADABLE = gettext_lazy("(cannot be decrypted)")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageFilter:
    q: str = ""
    state: str = ""
    region: str = ""
    channel: str = ""
    day: dt.date | None = None  # the day the message is due to be handled (its arrival day)
    theme: str = ""
    category: str = ""  # a code: "07" finds 07 and everything under it


def parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def search_messages(scope: Q | None, filters: MessageFilter) -> QuerySet[Message]:
    """Messages in ``scope`` matching ``filters``; the scope is applied before anything else."""
    messages = visible_messages(scope).select_related("region", "lead_department", "category")
    if filters.q.strip():
        text = filters.q.strip()
        if parse_tracking_number(text) is not None:
            # A tracking number finds its message, not texts that happen to hold its digits.
            messages = messages.filter(tracking_number=normalize_tracking_number(text))
        else:
            # One query still: the full-text match is a subquery (yiwang/search/search.md).
            # Not OR-ed with the number: that stopped PostgreSQL from planning a semi-join
            # and cost a scan of the messages at a million of them.
            messages = messages.filter(pk__in=matching_object_ids(MESSAGE, text))
    if filters.state:
        messages = messages.filter(state=filters.state)
    if filters.region:
        messages = messages.filter(
            Q(region__code=filters.region) | Q(region__parent__code=filters.region)
        )
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.day:
        messages = messages.filter(due_day=filters.day)
    if filters.theme:
        messages = messages.filter(theme__code=filters.theme)
    if filters.category:
        code = filters.category.strip()
        messages = messages.filter(
            Q(category__code=code) | Q(category__code__startswith=f"{code}.")
        )
    return messages.order_by("-submitted_at", "-id")


def similar_messages(scope: Q | None, message: Message, count: int = 5) -> list[Message]:
    """Earlier messages like this one, among those the viewer may see, most similar first."""
    visible = visible_messages(scope)
    everything = scope is not None and not scope  # the desk: no need to filter by scope
    ids = similar(MESSAGE, message.pk, count, within=None if everything else visible.values("pk"))
    found = visible.filter(pk__in=ids).only("tracking_number", "title", "submitted_at", "state")
    by_id = {m.pk: m for m in found}
    return [by_id[pk] for pk in ids if pk in by_id]


class CappedPaginator(Paginator[Message]):
    """Counts at most ``COUNT_CAP`` rows, so the list costs the same at 10k and 10M messages.

    An exact ``COUNT(*)`` of an unfiltered list reads every row of the index (75 ms at 1M
    messages, growing with the table); counting a ``LIMIT COUNT_CAP + 1`` subquery stops
    early. Up to the cap the total is exact; past it the list offers the first 200 pages and
    says "200+" (docs/decisions/0016). Deeper pages are reached by filtering (day, state).
    """

    @cached_property
    def counted(self) -> int:
        messages = self.object_list
        assert isinstance(messages, QuerySet)
        if not messages.query.is_sliced:
            messages = messages.order_by()  # any COUNT_CAP + 1 rows will do
        return messages[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, COUNT_CAP)

    @property
    def more_than_counted(self) -> bool:
        return self.counted > COUNT_CAP

    @property
    def pages_shown(self) -> str:
        return f"{self.num_pages}+" if self.more_than_counted else str(self.num_pages)


def masked_contact(message: Message) -> dict[str, str]:
    """Contact data as staff without the personal-data permission see it."""
    contact = unmasked_contact(message)
    masks = {"name": mask_name, "mobile": mask_mobile, "email": mask_email}
    return {
        field: masks[field](value) if value and value != str(UNREADABLE) else value
        for field, value in contact.items()
    }


def unmasked_contact(message: Message) -> dict[str, str]:
    return {
        "name": message.contact_name,
        "mobile": _open(message, "mobile"),
        "email": _open(message, "email"),
    }


def full_contact(message: Message) -> dict[str, str]:
    """Every personal field, decrypted (exports for staff with the personal-data permission)."""
    return {**unmasked_contact(message), "id_number": _open(message, "id_number")}


def _open(message: Message, field: str) -> str:
    """The decrypted value; a damaged token or a retired key must not take the page down."""
    try:
        return unseal(field, getattr(message, f"{field}_encrypted"))
    except DecryptionError:
        log.error("cannot decrypt %s of message %s", field, message.pk)
        return str(UNREADABLE)


def staff_summary(message: Message) -> dict[str, Any]:
    return {
        "tracking_number": message.tracking_number,
        "title": message.title,
        "state": message.state,
        "nature": message.nature,
        "channel": message.channel,
        "region": message.region.code,
        "lead_department": message.lead_department.short_code if message.lead_department else None,
        "category": message.category.code if message.category else None,
        "submitted_at": message.submitted_at,
    }
