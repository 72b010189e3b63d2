"""The finance page: reconciliation runs, one run's mismatches, running a day again and the
XLSX export. Only staff with ``accounts.handle_finance`` (the finance officer) see them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.access import signed_in_user
from yiwang.payments.providers.registry import enabled
from yiwang.payments.reconciliation import export, queries
from yiwang.payments.reconciliation.actions import check_day
from yiwang.payments.reconciliation.models import (
    MismatchKind,
    ReconciliationRun,
    Resolution,
    RunState,
)

PAGE_SIZE = 50
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _check_finance(request: HttpRequest) -> None:
    if not signed_in_user(request).has_perm("accounts.handle_finance"):
        raise PermissionDenied


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    _check_finance(request)
    return _runs_page(request)


def _runs_page(
    request: HttpRequest, *, error: str = "", day: str = "", status: int = 200
) -> HttpResponse:
    page = Paginator(queries.runs(), PAGE_SIZE).get_page(request.GET.get("page"))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    context: dict[str, Any] = {
        "page": page,
        "providers": enabled(),
        "day": day or yesterday.isoformat(),
        "latest": yesterday.isoformat(),
        "error": error,
    }
    return render(request, "payments/reconciliation/runs.html", context, status=status)


@login_required
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    _check_finance(request)
    found = get_object_or_404(ReconciliationRun, pk=run_id)
    kind, resolution = request.GET.get("kind", ""), request.GET.get("resolution", "")
    mismatches = queries.mismatches(found, kind, resolution)
    page = Paginator(mismatches, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "run": found,
        "page": page,
        "kind": kind,
        "resolution": resolution,
        "kinds": MismatchKind.choices,
        "resolutions": Resolution.choices,
    }
    return render(request, "payments/reconciliation/run.html", context)


@login_required
def run_export(request: HttpRequest, run_id: int) -> FileResponse:
    _check_finance(request)
    found = get_object_or_404(ReconciliationRun, pk=run_id)
    mismatches = queries.mismatches(
        found, request.GET.get("kind", ""), request.GET.get("resolution", "")
    )
    return FileResponse(
        export.write_workbook(found, mismatches),
        as_attachment=True,
        filename=export.filename(found),
        content_type=export.CONTENT_TYPE,
    )


@login_required
@require_POST
def rerun(request: HttpRequest) -> HttpResponse:
    """Run a provider's day (again), in the background; the list shows it running."""
    _check_finance(request)
    provider, text = request.POST.get("provider", ""), request.POST.get("day", "").strip()
    error, day = _rerun_error(provider, text)
    if error or day is None:
        return _runs_page(request, error=error, day=text[:10], status=400)
    if ReconciliationRun.objects.filter(
        provider=provider, day=day, state=RunState.RUNNING
    ).exists():
        message = _("The reconciliation of %(provider)s for %(day)s is running already.")
        return _runs_page(request, error=message % {"provider": provider, "day": day}, status=409)
    _enqueue(provider, day)
    message = _("The reconciliation of %(provider)s for %(day)s has started.")
    messages.success(request, message % {"provider": provider, "day": day.isoformat()})
    return redirect("reconciliation:runs")


def _rerun_error(provider: str, text: str) -> tuple[str, dt.date | None]:
    if provider not in enabled():
        return _("Choose one of the payment providers."), None
    try:
        # The one spelling the form shows: fromisoformat alone also takes 20261128, 2026-W48.
        if not DAY.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        return _("Give the day as YYYY-MM-DD, for example 2026-11-28."), None
    try:
        check_day(day)
    except ValueError as exc:
        if str(exc) == "too_early":
            return _("Reconciliation starts with the year 2000: choose a later day."), None
        return _(
            "A day's statement exists only from the next day: choose yesterday or earlier."
        ), None
    return "", day


def _enqueue(provider: str, day: dt.date) -> None:
    from yiwang.payments.reconciliation.tasks import reconcile_day

    transaction.on_commit(lambda: reconcile_day.enqueue(provider, day.isoformat()))
