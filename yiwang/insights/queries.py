"""The leaders' daily briefing: the day's figures, its hot topics and exemplary messages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from yiwang.casework.clearance import DayFigures, daily_figures
from yiwang.casework.models import Rating, Score
from yiwang.insights.actions import window
from yiwang.insights.models import Topic, TopicMember
from yiwang.intake.models import Message

SHOWN = 10
PLACES = 3


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    regions: list[tuple[str, int]] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Briefing:
    day: dt.date
    figures: DayFigures
    week: list[DayFigures]
    topics: list[TopicRow]
    supported: list[Message]  # the most publicly supported messages of the last days
    well_rated: list[Message]  # answers citizens rated very satisfied on the day


def _places(day: dt.date, field_name: str) -> dict[int, list[tuple[str, int]]]:
    """Per topic of ``day``: its most frequent regions (or lead departments) with counts."""
    rows = (
        TopicMember.objects.filter(topic__day=day, **{f"message__{field_name}__isnull": False})
        .values_list("topic_id", f"message__{field_name}__name_zh")
        .annotate(n=Count("id"))
        .order_by("topic_id", "-n")
    )
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for topic_id, name, count in rows:
        if len(found[topic_id]) < PLACES:
            found[topic_id].append((name, count))
    return found


def briefing(day: dt.date) -> Briefing:
    topics = list(Topic.objects.filter(day=day).order_by("rank")[:SHOWN])
    regions, departments = _places(day, "region"), _places(day, "lead_department")
    week = daily_figures(day - dt.timedelta(days=6), day)
    start, end = window(day, 3)
    supported = (
        Message.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .filter(public_support__likes__gt=0)
        .order_by("-public_support__likes", "-pk")
        .select_related("public_support")[:5]
    )
    day_start, day_end = window(day, 1)
    rated = Rating.objects.filter(
        created_at__gte=day_start,
        created_at__lt=day_end,
        score=Score.VERY_SATISFIED,
        excluded=False,
    ).values("message_id")
    well_rated = Message.objects.filter(pk__in=rated).select_related("lead_department")[:5]
    return Briefing(
        day=day,
        figures=week[-1],
        week=week,
        topics=[TopicRow(t, regions.get(t.pk, []), departments.get(t.pk, [])) for t in topics],
        supported=list(supported),
        well_rated=list(well_rated),
    )
