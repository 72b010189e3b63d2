"""Every write of message imports: sources and their mappings, runs and their queueing."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.channels.imports.mapping import FIELDS
from yiwang.channels.models import ImportMode, ImportRun, ImportSource, ImportStatus
from yiwang.queue import enqueue_with_transaction

IMPORT_PERMISSION = "channels.add_importrun"


def check_can_import(user: User) -> None:
    if not (user.is_active and user.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied


def do_save_source(
    name: str,
    mapping: dict[str, str],
    *,
    sheet: str = "",
    date_format: str = "",
    default_region: str = "",
    default_nature: str = "",
) -> ImportSource:
    """Create the source or replace its saved mapping (only our known fields are kept)."""
    kept = {field: column for field, column in mapping.items() if field in FIELDS and column}
    source, _created = ImportSource.objects.update_or_create(
        name=name.strip()[:128],
        defaults={
            "mapping": kept,
            "sheet": sheet.strip(),
            "date_format": date_format.strip(),
            "default_region": default_region.strip(),
            "default_nature": default_nature.strip(),
        },
    )
    return source


def do_store_upload(upload: File[bytes], original_name: str) -> str:
    """Keep an uploaded file in private storage under a name of our own; the stored name."""
    suffix = ".xlsx" if original_name.lower().endswith(".xlsx") else ".csv"
    return default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)


def do_create_run(
    source: ImportSource, file_name: str, original_name: str, user: User | None
) -> ImportRun:
    return ImportRun.objects.create(
        source=source,
        file_name=file_name,
        original_name=Path(original_name).name[:200],
        created_by=user,
    )


def do_prepare_run(run: ImportRun, *, mode: str, dry_run: bool) -> ImportRun:
    """Fix a drafted run's options and mark it queued (the command then runs it in-process)."""
    if mode not in ImportMode.values:
        raise ValueError(f"unknown import mode {mode!r}")
    run.mode, run.dry_run, run.status = mode, dry_run, ImportStatus.QUEUED
    run.save(update_fields=["mode", "dry_run", "status"])
    return run


def do_queue_import(run: ImportRun, *, mode: str, dry_run: bool) -> ImportRun:
    """Start a drafted run on the worker; the task exists exactly when the queued run does."""
    from yiwang.channels.tasks import run_import

    with transaction.atomic():
        do_prepare_run(run, mode=mode, dry_run=dry_run)
        enqueue_with_transaction(run_import, run.pk)
    return run
