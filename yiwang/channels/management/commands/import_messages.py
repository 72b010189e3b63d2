"""Import messages from a CSV/XLSX file in this process, printing progress.

    manage.py import_messages FILE --source NAME [--dry-run] [--valid-rows]
        [--map field=column ...] [--sheet NAME] [--date-format FORMAT]
        [--default-region CODE] [--default-nature NATURE]

The source's saved mapping is used (and changed by --map and the other options); a new source
starts from the columns its header names the usual way (工单号, 标题, 内容, 来电时间 …).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.channels.imports.actions import do_create_run, do_prepare_run, do_save_source
from yiwang.channels.imports.mapping import FIELDS, guess_mapping
from yiwang.channels.imports.runner import do_run_import
from yiwang.channels.models import ImportMode, ImportRun, ImportSource, ImportStatus
from yiwang.lib.streamtables import TableError, open_table

PRINT_EVERY = 10_000


class Command(BaseCommand):
    help = "Import messages from a CSV or XLSX file (all or nothing unless --valid-rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="the system the file comes from")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--valid-rows", action="store_true", help="import the valid rows")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
        parser.add_argument("--sheet", default=None)
        parser.add_argument("--date-format", default=None)
        parser.add_argument("--default-region", default=None)
        parser.add_argument("--default-nature", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"].resolve()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        source = self._source(path, options)
        self.stdout.write(f"mapping of {source.name}: {source.mapping}")
        run = do_create_run(source, str(path), path.name, None)
        mode = ImportMode.VALID_ROWS if options["valid_rows"] else ImportMode.ALL_OR_NOTHING
        self._started = time.monotonic()
        do_prepare_run(run, mode=mode, dry_run=options["dry_run"])
        run = do_run_import(run.pk, on_progress=self._print_progress)
        self._report(run)

    def _source(self, path: Path, options: dict[str, Any]) -> ImportSource:
        existing = ImportSource.objects.filter(name=options["source"]).first()
        mapping = dict(existing.mapping) if existing else self._guess(path, options["sheet"])
        for pair in options["map"]:
            field, separator, column = pair.partition("=")
            if not separator or field not in FIELDS:
                raise CommandError(f"--map {pair}: use FIELD=COLUMN, FIELD one of {list(FIELDS)}")
            mapping[field] = column
        settings = {
            key: options[key] if options[key] is not None else getattr(existing, key, "")
            for key in ("sheet", "date_format", "default_region", "default_nature")
        }
        return do_save_source(options["source"], mapping, **settings)

    def _guess(self, path: Path, sheet: str | None) -> dict[str, str]:
        try:
            return guess_mapping(open_table(path, sheet=sheet or "").header)
        except TableError as exc:
            raise CommandError(str(exc)) from exc

    def _print_progress(self, run: ImportRun) -> None:
        if run.rows_read % PRINT_EVERY:  # a line per 10,000 rows and at each pass's start
            return
        elapsed = time.monotonic() - self._started
        self.stdout.write(
            f"{run.get_status_display()}: {run.progress:.0%} read, {run.rows_read} rows, "
            f"{run.created_count} created, {run.error_count} errors, {elapsed:.0f} s"
        )

    def _report(self, run: ImportRun) -> None:
        for error in run.errors:
            self.stderr.write(f"row {error['row']}, column {error['column']}: {error['message']}")
        summary = (
            f"{run.get_status_display()}: {run.rows_read} rows read, {run.valid_count} valid, "
            f"{run.created_count} created, {run.skipped_count} already imported, "
            f"{run.duplicate_count} duplicates, {run.error_count} with errors"
        )
        if run.status != ImportStatus.DONE:
            raise CommandError(summary)
        self.stdout.write(summary)
