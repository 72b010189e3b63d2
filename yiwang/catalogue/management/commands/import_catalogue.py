"""Import a service catalogue from a CSV, XLSX or JSON file.

    manage.py import_catalogue FILE [--dry-run] [--valid-rows] [--sheet NAME]

All or nothing unless --valid-rows; --dry-run checks and counts, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalogue.imports import import_catalogue


class Command(BaseCommand):
    help = "Import service items and implementations (all or nothing unless --valid-rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--valid-rows", action="store_true", help="import the valid rows")
        parser.add_argument("--sheet", default="", help="the XLSX sheet (default: the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"].resolve()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        result = import_catalogue(
            path, valid_rows=options["valid_rows"], dry_run=options["dry_run"],
            sheet=options["sheet"],
        )  # fmt: skip
        for problem in result.errors:
            self.stderr.write(str(problem))
        state = "written" if result.written else "nothing written"
        summary = (
            f"{state}: {result.rows} rows, {result.valid} valid, {result.error_count} errors; "
            f"items {result.items_created} new, {result.items_updated} changed; "
            f"implementations {result.created} new, {result.updated} changed, "
            f"{result.unchanged} unchanged"
        )
        if result.error_count and not result.written:
            raise CommandError(summary)
        self.stdout.write(summary)
