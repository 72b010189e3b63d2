from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.lib.tables import UnreadableTable, read_table
from yiwang.taxonomy.imports import import_taxonomy


class Command(BaseCommand):
    help = "Import a new taxonomy version from CSV/XLSX (coded or one column per level)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True)
        parser.add_argument("--activate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = read_table(path.read_bytes(), path.name)
        except (OSError, UnreadableTable) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        version, report = import_taxonomy(
            table, name=options["name"], source=str(path.name), activate=options["activate"]
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if version is None:
            raise CommandError("No version was created.")
        self.stdout.write(f"version {version.name}: {report.created} categories")
