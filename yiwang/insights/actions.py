"""Every write of insights: a day's hot topics (recomputed as a whole) and public support."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.insights.models import PublicSupport, Topic, TopicMember
from yiwang.intake.models import Message
from yiwang.lib.topics import Doc, find_topics

WINDOW_DAYS = 3
KEPT = 20  # topics kept per day
LIMIT = 50_000  # most recent messages looked at (a campaign's busiest days fit)


def window(day: dt.date, window_days: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day - dt.timedelta(days=window_days - 1), dt.time(), zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)


def recent_docs(day: dt.date, window_days: int) -> list[Doc]:
    start, end = window(day, window_days)
    rows = (
        Message.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state="merged")
        .order_by("-submitted_at")
        .values_list(
            "pk", "title", "content", "submitted_at", "public_support__likes",
            "public_support__dislikes",
        )[:LIMIT]
    )  # fmt: skip
    return [
        Doc(pk, title, content, timezone.localtime(at).date(), (likes or 0) - (dislikes or 0))
        for pk, title, content, at, likes, dislikes in rows
    ]


def do_compute_topics(day: dt.date, window_days: int = WINDOW_DAYS) -> list[Topic]:
    """The day's hot topics over the last ``window_days`` days; replaces any computed before."""
    found = find_topics(recent_docs(day, window_days), day)[:KEPT]
    now = timezone.now()
    with transaction.atomic():
        Topic.objects.filter(day=day).delete()
        titles = dict(
            Message.objects.filter(pk__in=[t.representative for t in found]).values_list(
                "pk", "title"
            )
        )
        topics = Topic.objects.bulk_create(
            Topic(
                day=day,
                window_days=window_days,
                rank=rank,
                words=list(t.words),
                title=titles[t.representative],
                representative_id=t.representative,
                volume=t.volume,
                recent=t.recent,
                growth=t.growth,
                support=t.support,
                score=t.score,
                computed_at=now,
            )
            for rank, t in enumerate(found, start=1)
        )
        TopicMember.objects.bulk_create(
            TopicMember(topic=topic, message_id=pk, position=position)
            for topic, t in zip(topics, found, strict=True)
            for position, pk in enumerate(t.ids)
        )
    return topics


def do_record_support(message_id: int, likes: int, dislikes: int) -> None:
    """The votes a message has (as the channel reports them, the latest count wins)."""
    if likes < 0 or dislikes < 0:
        raise ValueError("votes are counts: never negative")
    PublicSupport.objects.update_or_create(
        message_id=message_id, defaults={"likes": likes, "dislikes": dislikes}
    )
