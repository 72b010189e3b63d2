"""Running one import: check every row, then write in batches (decision 0022).

All or nothing: a first streaming pass validates every row and writes nothing; a file with
any bad row is rejected whole. Then a second pass reads the file again and writes 1,000 rows
per transaction. Valid rows: one pass, bad rows are listed and the rest written. A dry run is
the first pass alone, in either mode. Memory stays flat: one row and one batch at a time,
and at most ``ERRORS_KEPT`` errors (all are counted).

Every row goes through ``validate_submission`` and ``do_submit_message`` like any other
message. A row whose external id this source already has is skipped, so importing a file
again (or resuming a run after a crash) creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.channels.imports.errors import file_error
from yiwang.channels.imports.mapping import ImportRow, RowReader
from yiwang.channels.models import ImportMode, ImportRun, ImportStatus
from yiwang.intake.actions import (
    Submission,
    SubmissionContext,
    SubmissionResult,
    do_submit_many,
    do_submit_message,
    follow_up_batch,
)
from yiwang.intake.models import Channel, Message
from yiwang.intake.numbers import reserved_for
from yiwang.lib.batches import batched
from yiwang.lib.codes import new_submission_token
from yiwang.lib.streamtables import StreamedTable, TableError, TableRow, open_table
from yiwang.lib.tables import RowError

BATCH = 1_000
ERRORS_KEPT = 200
Progress = Callable[[ImportRun], None]


@dataclass
class _Tally:
    rows_read: int = 0
    valid: int = 0
    created: int = 0
    skipped: int = 0
    duplicates: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    def restart(self) -> None:
        """The writing pass counts afresh (the same object: a file error later must see it)."""
        for name, value in vars(_Tally()).items():
            setattr(self, name, value)

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += 1 if errors and errors[0].row else len(errors)
        room = ERRORS_KEPT - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])


def import_file_path(run: ImportRun) -> Path:
    """An uploaded file lives in private storage; the command's file is where it was given."""
    path = Path(run.file_name)
    return path if path.is_absolute() else Path(default_storage.path(run.file_name))


def do_run_import(run_id: int, on_progress: Progress | None = None) -> ImportRun:
    """Run (or resume) one queued import; a finished or draft run is left as it is."""
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    if not run.is_running:
        return run
    run.started_at = run.started_at or timezone.now()
    tally = _Tally()
    try:
        _run(run, tally, on_progress or (lambda _run: None))
    except TableError as exc:
        tally.add_errors([file_error(exc)])
        wrote = tally.created > 0
        _finish(run, tally, ImportStatus.FAILED if wrote else ImportStatus.REJECTED)
    return run


def _run(run: ImportRun, tally: _Tally, on_progress: Progress) -> None:
    checks_first = run.dry_run or run.mode == ImportMode.ALL_OR_NOTHING
    if checks_first:
        _set_status(run, ImportStatus.CHECKING, on_progress)
        _pass(run, tally, on_progress, write=False)
        if run.dry_run:
            return _finish(run, tally, ImportStatus.DONE)
        if tally.error_count:
            return _finish(run, tally, ImportStatus.REJECTED)
        tally.restart()
    _set_status(run, ImportStatus.WRITING, on_progress)
    _pass(run, tally, on_progress, write=True)
    _finish(run, tally, ImportStatus.DONE)


def _pass(run: ImportRun, tally: _Tally, on_progress: Progress, *, write: bool) -> None:
    table = open_table(import_file_path(run), sheet=run.source.sheet)
    reader = RowReader(run.source, table.header)
    missing = reader.missing_columns()
    if missing:
        tally.add_errors(missing)
        tally.error_count = len(missing)
        return
    for batch in batched(_limited(table.rows), BATCH):
        already = _already_imported(run, batch, reader)
        if write:
            _write_batch(run, batch, reader, already, tally)
        else:
            _check_batch(batch, reader, already, tally)
        _save_progress(run, tally, table)
        on_progress(run)


def _limited(rows: Iterator[TableRow]) -> Iterator[TableRow]:
    limit = settings.YIWANG_IMPORT_MAX_ROWS
    for row in rows:
        if row.number - 1 > limit:
            raise TableError("too_many_rows", f"More than {limit} rows.", row.number)
        yield row


def _already_imported(run: ImportRun, batch: list[TableRow], reader: RowReader) -> set[str]:
    """The external ids of this batch that the source has already (one query per batch)."""
    ids = {reader.external_id(row) for row in batch} - {""}
    if not ids:
        return set()
    found = Message.objects.filter(source=run.source.name, external_id__in=ids)
    return set(found.values_list("external_id", flat=True))


def _check_batch(
    batch: list[TableRow], reader: RowReader, already: set[str], tally: _Tally
) -> None:
    for row in batch:
        tally.rows_read += 1
        result = reader.read(row)
        if isinstance(result, list):
            tally.add_errors(result)
        elif result.external_id in already:
            tally.skipped += 1
        else:
            tally.valid += 1  # in a dry run: would be created


def _write_batch(
    run: ImportRun, batch: list[TableRow], reader: RowReader, already: set[str], tally: _Tally
) -> None:
    new_ids: list[int] = []
    to_write: list[ImportRow] = []
    for row in batch:
        tally.rows_read += 1
        result = reader.read(row)
        if isinstance(result, list):
            tally.add_errors(result)
        elif result.external_id and result.external_id in already:
            tally.skipped += 1
        else:
            to_write.append(result)
            already.add(result.external_id)  # the same id twice in one file: once
    with transaction.atomic(), reserved_for(_days(to_write)):
        submissions = [Submission(row.clean, _context(run, row)) for row in to_write]
        results = do_submit_many(submissions)
        for written, submission, outcome in zip(to_write, submissions, results, strict=True):
            _count(reader, written, submission, outcome, tally, new_ids)
        follow_up_batch(new_ids)


def _days(rows: list[ImportRow]) -> Counter[dt.date]:
    """How many tracking numbers each local day of the batch needs."""
    now = timezone.now()
    return Counter(timezone.localdate(row.submitted_at or now) for row in rows)


def _context(run: ImportRun, row: ImportRow) -> SubmissionContext:
    token = f"import:{run.source.name}:{row.external_id}" if row.external_id else ""
    return SubmissionContext(
        channel=Channel.IMPORT,
        submission_token=token or new_submission_token(),
        source=run.source.name,
        external_id=row.external_id,
        submitted_at=row.submitted_at,
        suggest_later=True,
        send_receipt=False,
    )


def _count(
    reader: RowReader,
    row: ImportRow,
    submission: Submission,
    result: SubmissionResult | None,
    tally: _Tally,
    new_ids: list[int],
) -> None:
    """Tally one row; a row the batch writer left alone is submitted on its own here."""
    if result is None:
        try:
            result = do_submit_message(submission.clean, submission.context)
        except IntegrityError:  # the id is taken by a message that came in another way
            message = _("A message with this external id exists already.")
            tally.add_errors([RowError(row.number, reader.column("external_id"), message)])
            return
    tally.valid += 1
    if result.created:
        tally.created += 1
        new_ids.append(result.message.pk)
    else:
        tally.duplicates += 1


def _set_status(run: ImportRun, status: str, on_progress: Progress) -> None:
    """A new pass starts from nothing: its counts and progress are zero (also on a resume)."""
    run.status, run.progress = status, 0.0
    _copy(run, _Tally())
    run.save(update_fields=[*_COUNTS, "errors", "status", "progress", "started_at"])
    on_progress(run)


def _save_progress(run: ImportRun, tally: _Tally, table: StreamedTable) -> None:
    run.progress = table.fraction_read()
    _copy(run, tally)
    run.save(update_fields=[*_COUNTS, "errors", "progress"])


_COUNTS = (
    "rows_read",
    "valid_count",
    "created_count",
    "skipped_count",
    "duplicate_count",
    "error_count",
)


def _copy(run: ImportRun, tally: _Tally) -> None:
    run.rows_read = tally.rows_read
    run.valid_count = tally.valid
    run.created_count = tally.created
    run.skipped_count = tally.skipped
    run.duplicate_count = tally.duplicates
    run.error_count = tally.error_count
    run.errors = [{"row": e.row, "column": e.column, "message": e.message} for e in tally.errors]


def _finish(run: ImportRun, tally: _Tally, status: str) -> None:
    _copy(run, tally)
    run.status = status
    run.progress = 1.0 if status == ImportStatus.DONE else run.progress
    run.finished_at = timezone.now()
    run.save(update_fields=[*_COUNTS, "errors", "status", "progress", "finished_at"])
