"""Add (or drop) the optional RUM index of each kind of document (PostgreSQL, search.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.search import top_k
from yiwang.search.kinds import KINDS


class Command(BaseCommand):
    help = (
        "Create the extension rum and a RUM index per kind of document where it is missing, "
        "when the PostgreSQL server offers RUM: the newest matches of common words are then "
        "read from the index (docs/decisions/0037). Restart the web processes afterwards: "
        "each looks the indexes up once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=sorted(KINDS), help="only this kind")
        parser.add_argument(
            "--concurrently",
            action="store_true",
            help="build without blocking writes (slower; for a large site in service)",
        )
        parser.add_argument("--drop", action="store_true", help="drop the indexes instead")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [options["kind"]] if options["kind"] else sorted(KINDS)
        if options["drop"]:
            for name in top_k.drop_indexes(kinds):
                self.stdout.write(f"dropped {name}")
            return
        if not top_k.rum_available():
            raise CommandError(
                "This database offers no RUM (PostgreSQL with the package postgresql-NN-rum): "
                "search keeps its GIN index, which is slower at a million documents."
            )
        created = top_k.create_indexes(kinds, concurrently=options["concurrently"])
        if not created and not top_k.indexed_kinds() >= set(kinds):
            raise CommandError("Could not create the extension rum: it needs a superuser.")
        for name in created:
            self.stdout.write(f"created {name}")
        if not created:
            self.stdout.write("every kind has its index already")
