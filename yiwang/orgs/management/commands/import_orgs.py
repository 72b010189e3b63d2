from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.lib.tables import UnreadableTable, read_table
from yiwang.orgs.imports import IMPORTERS


class Command(BaseCommand):
    help = "Import regions, departments and service halls from CSV/XLSX (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        for what in IMPORTERS:
            parser.add_argument(f"--{what}", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for what, importer in IMPORTERS.items():
            path: Path | None = options[what]
            if path is None:
                continue
            try:
                report = importer(read_table(path.read_bytes(), path.name))
            except (OSError, UnreadableTable) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            for error in report.errors:
                self.stderr.write(f"{path}: {error}")
            failed = failed or not report.ok
            self.stdout.write(f"{what}: {report.created} new, {report.updated} updated")
        if failed:
            raise CommandError("Nothing was saved from the files with errors.")
