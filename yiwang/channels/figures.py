"""A campaign's figures: its messages per day, theme, channel, region and service hall.

One aggregate query per breakdown, whatever the number of messages or groups (five in all),
on the partial index of messages by campaign. Days are local days (``TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.channels.models import Campaign
from yiwang.intake.models import Channel, Message


@dataclass(frozen=True)
class Row:
    key: str  # a day, code or value; "" for messages without one
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    name: str  # day, theme, channel, region, hall
    title: str
    rows: list[Row]


def by_named(messages: QuerySet[Message], prefix: str, english: bool, empty: str) -> list[Row]:
    """Counts per theme, region or hall, with its code and name (``empty`` for none)."""
    columns = [f"{prefix}__code", f"{prefix}__name_zh", f"{prefix}__name_en"]
    rows = (
        messages.values(*columns)
        .annotate(n=Count("id"))
        .order_by("-n", F(columns[0]).asc(nulls_last=True))  # "none" last on both databases
    )
    out = []
    for row in rows:
        code, name_zh, name_en = (row[column] for column in columns)
        label = (name_en if english and name_en else name_zh) or empty
        out.append(Row(key=code or "", label=label, count=row["n"]))
    return out


def by_day(messages: QuerySet[Message], campaign: Campaign) -> list[Row]:
    """Every local day of the campaign so far, days without messages included."""
    rows = messages.annotate(day=TruncDate("submitted_at")).values("day").annotate(n=Count("id"))
    counts: dict[dt.date, int] = {row["day"]: row["n"] for row in rows}
    window_end = campaign.ends_at - dt.timedelta(microseconds=1)  # ends_at is not part of it
    first = min([timezone.localdate(campaign.starts_at), *counts])
    last = max([min(timezone.localdate(window_end), timezone.localdate()), *counts])
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [Row(key=d.isoformat(), label=d.isoformat(), count=counts.get(d, 0)) for d in days]


def by_channel(messages: QuerySet[Message]) -> list[Row]:
    rows = messages.values("channel").annotate(n=Count("id")).order_by("-n", "channel")
    labels = dict(Channel.choices)
    return [
        Row(key=r["channel"], label=str(labels.get(r["channel"], r["channel"])), count=r["n"])
        for r in rows
    ]


def campaign_figures(campaign: Campaign, language: str) -> list[Breakdown]:
    """The five breakdowns of the campaign's messages (five queries)."""
    messages = Message.objects.filter(campaign=campaign).order_by()
    english = language == "en"
    return [
        Breakdown("day", _("Messages per day"), by_day(messages, campaign)),
        Breakdown("theme", _("Per theme"), by_named(messages, "theme", english, _("No theme"))),
        Breakdown("channel", _("Per channel"), by_channel(messages)),
        Breakdown("region", _("Per region"), by_named(messages, "region", english, "")),
        Breakdown(
            "hall",
            _("Per service hall"),
            by_named(messages, "hall", english, _("Not from a service hall")),
        ),
    ]


def total(figures: list[Breakdown]) -> int:
    return sum(row.count for row in figures[0].rows)
