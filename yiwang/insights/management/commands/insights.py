"""``manage.py insights topics`` — a day's hot topics, or those of a file of messages.

- ``topics [--day YYYY-MM-DD] [--window 3]``: compute and store the day's topics (what the
  hourly job does), then print them;
- ``topics --file messages.csv``: group the messages of a CSV/XLSX file (columns title, text,
  date, and optionally likes and dislikes; the TipDM board's Chinese headers are understood)
  without storing anything, e.g. ``../shared/data/tipdm2020/messages_with_votes.csv``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.channels.imports.mapping import parse_when
from yiwang.insights.actions import WINDOW_DAYS, do_compute_topics
from yiwang.lib.tables import Row, UnreadableTable, read_table
from yiwang.lib.topics import Doc, Topic, find_topics

ALIASES = {
    "title": ("title", "留言主题"),
    "text": ("text", "留言详情"),
    "date": ("date", "留言时间"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
}


def _value(row: Row, field: str) -> str:
    return next((row.get(c) for c in ALIASES[field] if row.get(c)), "")


def _count(raw: str) -> int:
    return int(raw) if raw.strip().isdigit() else 0


class Command(BaseCommand):
    help = "Hot topics: compute a day's, or group the messages of a file."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        topics = commands.add_parser("topics", help="a day's hot topics, or a file's")
        topics.add_argument("--day", type=dt.date.fromisoformat)
        topics.add_argument("--window", type=int, default=WINDOW_DAYS)
        topics.add_argument("--file", type=Path)
        topics.add_argument("--top", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["window"] < 1:
            raise CommandError("--window must be at least one day.")
        if options["file"]:
            self.from_file(options["file"], options["top"])
            return
        day = options["day"] or timezone.localdate()
        for topic in do_compute_topics(day, options["window"])[: options["top"]]:
            self.stdout.write(
                f"{topic.rank:2}. {topic.title} — {topic.volume} messages, "
                f"{topic.recent} on {day}, support {topic.support}: {'、'.join(topic.words)}"
            )

    def from_file(self, path: Path, top: int) -> None:
        try:
            table = read_table(path.read_bytes(), path.name)
        except (OSError, UnreadableTable) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        docs, titles = [], {}
        for row in table.rows:
            when = parse_when(_value(row, "date"))
            if when is None:
                raise CommandError(f"{path}, row {row.number}: no readable date")
            day = timezone.localtime(when).date()
            support = _count(_value(row, "likes")) - _count(_value(row, "dislikes"))
            docs.append(Doc(row.number, _value(row, "title"), _value(row, "text"), day, support))
            titles[row.number] = _value(row, "title")
        if not docs:
            raise CommandError(f"{path}: no messages")
        last = max(d.day for d in docs)
        for rank, topic in enumerate(find_topics(docs, last)[:top], start=1):
            self.print_topic(rank, topic, titles)

    def print_topic(self, rank: int, topic: Topic, titles: dict[int, str]) -> None:
        self.stdout.write(
            f"{rank:2}. {titles[topic.representative]} — {topic.volume} messages, "
            f"support {topic.support}: {'、'.join(topic.words)}"
        )
