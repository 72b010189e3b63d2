"""Rebuild the search index of one kind (or all) from the source tables, in batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.search.actions import (
    BATCH_SIZE,
    do_index_many,
    do_refresh_statistics,
    do_remove_missing,
)
from yiwang.search.kinds import KINDS


class Command(BaseCommand):
    help = (
        "Index every document of a kind again, drop documents whose object is gone, and "
        "refresh the term statistics ranking reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=sorted(KINDS), help="only this kind")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        names = [options["kind"]] if options["kind"] else sorted(KINDS)
        for name in names:
            kind = KINDS[name]
            indexed = do_index_many(kind.sources(options["batch_size"]), options["batch_size"])
            gone = do_remove_missing(name, kind.objects())
            counted = do_refresh_statistics(name)
            self.stdout.write(f"{name}: {indexed} indexed, {gone} removed, {counted} counted")
