"""The annual report's pages (``annual_report.py``): the body's reports by year; one year's
three tables with the figures staff enter as a form; making it final; the .xlsx and PDF.
An officer sees only their own body's reports. Every write goes through ``annual_report.py``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.models import User
from yiwang.disclosure import annual_report as ar
from yiwang.disclosure import report_export
from yiwang.disclosure.models import AnnualReport, ReportState
from yiwang.disclosure.staff_views import _officer
from yiwang.documents.fonts import FontMissing
from yiwang.orgs.models import Department

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FiguresForm(forms.Form):
    """Every figure staff enter, named by its key (``annual_report.FIGURE_LABELS``); the rules
    beyond the number's form stay in ``annual_report.py``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in ar.FIGURE_LABELS.items():
            self.fields[key] = _figure_field(key, label)


def _figure_field(key: str, label: str) -> forms.Field:
    attrs = {"class": "figure", "aria-label": label, "size": "6"}
    if key == ar.FEES_KEY:
        return forms.DecimalField(
            label=label,
            min_value=0,
            max_value=ar.MAX_FEES,
            decimal_places=4,
            widget=forms.TextInput(attrs=attrs | {"inputmode": "decimal"}),
        )
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=ar.MAX_COUNT,
        widget=forms.TextInput(attrs=attrs | {"inputmode": "numeric"}),
    )


# --- What the page shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    value: object
    field: forms.BoundField | None = None  # the input, where staff may change the figure


@dataclass(frozen=True)
class ShownRow:
    label: str
    cells: tuple[Shown, ...]  # none: a heading
    level: int = 0


def _cell(value: object, form: forms.Form | None, key: str) -> Shown:
    return Shown(value, form[key] if form is not None and key in form.fields else None)


def _table2_rows(table: ar.Table2, form: forms.Form | None) -> list[ShownRow]:
    return [
        ShownRow(label, (_cell(getattr(table, key), form, f"t2.{key}"),))
        for key, label in ar.TABLE2_ENTERED
    ]


def _table3_rows(table: ar.Table3, form: forms.Form | None) -> list[ShownRow]:
    rows = []
    for line in ar.TABLE3_LINES:
        cells = tuple(
            _cell(table[line.key][column], form, f"t3.{line.key}.{column}")
            for column in (ar.ALL_COLUMNS if line.key else ())
        )
        rows.append(ShownRow(line.label, cells, line.level))
    return rows


def _table4_rows(table: ar.Table4, form: forms.Form | None) -> list[ShownRow]:
    rows = []
    for group, label in ar.GROUPS:
        outcomes = getattr(table, group)
        cells = tuple(
            _cell(getattr(outcomes, key), form, f"t4.{group}.{key}") for key, _l in ar.OUTCOMES
        )
        rows.append(ShownRow(label, (*cells, Shown(outcomes.total))))
    return rows


def _body(user: User) -> Department:
    body = user.department
    if body is None:
        raise PermissionDenied
    return body


def _known_year(year: int) -> None:
    try:
        ar.check_year(year, timezone.localdate())
    except ar.ReportError as exc:
        raise Http404 from exc


def _page(
    request: HttpRequest,
    user: User,
    body: Department,
    year: int,
    *,
    form: forms.Form | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    report = ar.report_of(body, year)
    tables = ar.report_tables(body, year, report)
    final = report is not None and report.state == ReportState.FINAL
    if form is None and not final:
        form = FiguresForm(initial=ar.entered_figures(tables))
    context = _tables_context(tables, None if final else form) | {
        "body": body,
        "year": year,
        "report": report,
        "final": final,
        "form": form,
        "error": error,
        "unbalanced": "" if final or status != 200 else _unbalanced(tables),
        "may_finalise": not final
        and year < timezone.localdate().year
        and user.has_perm("accounts.approve_disclosure"),
        "may_reopen": final and user.has_perm("accounts.approve_disclosure"),
        "reopenings": report.earlier if report is not None else [],
    }
    return render(request, "disclosure/report.html", context, status=status)


def _tables_context(tables: ar.AnnualTables, inputs: forms.Form | None) -> dict[str, Any]:
    return {
        "documents": (tables.table2.regulations, tables.table2.normative),
        "table2": _table2_rows(tables.table2, inputs),
        "table3": _table3_rows(tables.table3, inputs),
        "table4": _table4_rows(tables.table4, inputs),
        "columns": [ar.COLUMN_LABELS[column] for column in ar.ALL_COLUMNS],
        "outcomes": [label for _key, label in ar.OUTCOMES],
    }


def _unbalanced(tables: ar.AnnualTables) -> str:
    """Why the draft as it stands does not balance (requests answered since it was saved)."""
    try:
        ar.check_balance(tables.table3)
    except ar.ReportError as exc:
        return exc.message
    return ""


# --- The pages -----------------------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    body = _body(user)
    reports = list(ar.years_of(body, timezone.localdate()))
    return render(request, "disclosure/report_list.html", {"body": body, "reports": reports})


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    user = _officer(request)
    body = _body(user)
    _known_year(year)
    if request.method == "GET":
        return _page(request, user, body, year)
    form = FiguresForm(request.POST)
    if not form.is_valid():
        return _page(request, user, body, year, form=form, status=400)
    try:
        ar.do_save_report(user, body, year, form.cleaned_data)
    except ar.ReportError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, user, body, year, form=form, status=400)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The annual report has been saved."))
    return redirect("disclosure_staff:report", year=year)


@login_required
@require_POST
def report_finalise(request: HttpRequest, year: int) -> HttpResponse:
    user = _officer(request)
    body = _body(user)
    _known_year(year)
    try:
        ar.do_finalise_report(user, body, year)
    except ar.ReportError as exc:
        return _page(request, user, body, year, error=exc.message, status=400)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The annual report is final."))
    return redirect("disclosure_staff:report", year=year)


@login_required
@require_POST
def report_reopen(request: HttpRequest, year: int) -> HttpResponse:
    user = _officer(request)
    body = _body(user)
    _known_year(year)
    try:
        ar.do_reopen_report(user, body, year, request.POST.get("reason", ""))
    except ar.ReportError as exc:
        return _page(request, user, body, year, error=exc.message, status=400)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The annual report is open again for correction."))
    return redirect("disclosure_staff:report", year=year)


def _export(request: HttpRequest, year: int) -> tuple[ar.AnnualTables, str]:
    body = _body(_officer(request))
    _known_year(year)
    report: AnnualReport | None = ar.report_of(body, year)
    final = report is not None and report.state == ReportState.FINAL
    title = report_export.report_title(body.name_zh, year, final)
    return ar.report_tables(body, year, report), title


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    tables, title = _export(request, year)
    data = report_export.report_xlsx(tables, title)
    return _download(data, XLSX, f"disclosure-annual-report-{year}.xlsx")


@login_required
@require_GET
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    tables, title = _export(request, year)
    try:
        data = report_export.report_pdf(tables, title)
    except FontMissing as exc:
        log.error("%s", exc)
        return HttpResponse(
            _("The fonts for PDF documents are not installed. Please tell the administrator."),
            status=503,
        )
    return _download(data, "application/pdf", f"disclosure-annual-report-{year}.pdf")
