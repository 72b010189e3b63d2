"""Staff pages of the channels: bulk imports of messages (upload, mapping, progress)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.channels.imports.actions import (
    check_can_import,
    do_create_run,
    do_queue_import,
    do_save_source,
    do_store_upload,
)
from yiwang.channels.imports.errors import file_error
from yiwang.channels.imports.forms import MappingForm, UploadForm
from yiwang.channels.imports.mapping import FIELDS, guess_mapping
from yiwang.channels.imports.runner import import_file_path
from yiwang.channels.models import ImportMode, ImportRun, ImportSource, ImportStatus
from yiwang.lib.streamtables import TableError, open_table

RUNS_SHOWN = 20


def _importer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    check_can_import(user)
    return user


@login_required
def import_home(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = _store(form, user)
        if run is not None:
            return redirect("channel_imports:import_mapping", run_id=run.pk)
    runs = ImportRun.objects.select_related("source")[:RUNS_SHOWN]
    return render(request, "channels/imports.html", {"form": form, "runs": runs})


def _store(form: UploadForm, user: User) -> ImportRun | None:
    upload = form.cleaned_data["file"]
    chosen: ImportSource | None = form.cleaned_data["source"]
    name = chosen.name if chosen else form.cleaned_data["new_source"].strip()
    source = chosen or ImportSource.objects.filter(name=name).first()
    stored = do_store_upload(upload, upload.name)
    header = _header(Path(default_storage.path(stored)), source.sheet if source else "")
    if isinstance(header, str):
        default_storage.delete(stored)
        form.add_error("file", header)
        return None
    if source is None or not source.mapping:  # a new source starts from the usual names
        source = do_save_source(name, guess_mapping(header))
    return do_create_run(source, stored, upload.name, user)


def _header(path: Path, sheet: str) -> list[str] | str:
    """The file's column names, or what is wrong with the file."""
    try:
        return open_table(path, sheet=sheet).header
    except TableError as exc:
        return file_error(exc).message


def _draft(request: HttpRequest, run_id: int) -> ImportRun:
    run = get_object_or_404(ImportRun.objects.select_related("source"), pk=run_id)
    if run.status != ImportStatus.DRAFT:
        raise Http404
    return run


@login_required
def import_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    _importer(request)
    run = _draft(request, run_id)
    sheet = request.POST.get("sheet", run.source.sheet).strip()
    header = _header(import_file_path(run), sheet)
    columns = header if isinstance(header, list) else []
    form = MappingForm(request.POST or None, columns=columns, initial=_initial(run.source))
    if isinstance(header, str):
        form.errors.setdefault("sheet", form.error_class()).append(header)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_save_source(
            run.source.name,
            form.mapping(),
            sheet=data["sheet"],
            date_format=data["date_format"],
            default_region=data["default_region"],
            default_nature=data["default_nature"],
        )
        run.source.refresh_from_db()
        dry_run = request.POST.get("action") != "start"
        do_queue_import(run, mode=data["mode"], dry_run=dry_run)
        return redirect("channel_imports:import_run", run_id=run.pk)
    map_fields = [form[f"map_{f}"] for f in FIELDS]
    context = {"run": run, "form": form, "map_fields": map_fields, "columns": columns}
    return render(request, "channels/import_mapping.html", context)


def _initial(source: ImportSource) -> dict[str, Any]:
    return {
        "sheet": source.sheet,
        "date_format": source.date_format,
        "default_region": source.default_region,
        "default_nature": source.default_nature,
        **{f"map_{field}": column for field, column in source.mapping.items()},
    }


@login_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    _importer(request)
    run = get_object_or_404(ImportRun.objects.select_related("source", "created_by"), pk=run_id)
    context = {"run": run, "percent": round(run.progress * 100), "modes": ImportMode.choices}
    return render(request, "channels/import_run.html", context)


@login_required
@require_POST
def import_again(request: HttpRequest, run_id: int) -> HttpResponse:
    """After a dry run: the same file and mapping, for real, as a new run."""
    user = _importer(request)
    checked = get_object_or_404(ImportRun.objects.select_related("source"), pk=run_id)
    mode = request.POST.get("mode", checked.mode)
    if not checked.dry_run or checked.status != ImportStatus.DONE or mode not in ImportMode.values:
        raise Http404
    run = do_create_run(checked.source, checked.file_name, checked.original_name, user)
    do_queue_import(run, mode=mode, dry_run=False)
    return redirect("channel_imports:import_run", run_id=run.pk)
