"""The desk's home page (today's clearance, live) and the daily clearance report (XLSX)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from yiwang.accounts.models import User
from yiwang.casework.clearance import daily_figures, today_at_the_desk
from yiwang.casework.department import department_desk
from yiwang.staff.queries import PAGE_SIZE

MAX_REPORT_DAYS = 366


def _desk_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_perm("accounts.view_all_messages"):
        raise PermissionDenied
    return user


@login_required
def desk_home(request: HttpRequest) -> HttpResponse:
    _desk_user(request)
    today = timezone.localdate()
    context = {
        "today": today,
        "desk": today_at_the_desk(today),
        "week": daily_figures(today - dt.timedelta(days=6), today),
    }
    return render(request, "staff/desk_home.html", context)


def _report_range(request: HttpRequest) -> tuple[dt.date, dt.date] | str:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or str(today - dt.timedelta(days=29)))
        end = dt.date.fromisoformat(request.GET.get("to") or str(today))
    except ValueError:
        return _("Give the dates as YYYY-MM-DD.")
    if end < start or (end - start).days >= MAX_REPORT_DAYS:
        return _("The period must run forwards and cover at most 366 days.")
    return start, end


@login_required
def clearance_report(request: HttpRequest) -> HttpResponse:
    _desk_user(request)
    period = _report_range(request)
    if isinstance(period, str):
        return HttpResponse(period, status=400, content_type="text/plain; charset=utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Same-day clearance")
    sheet.append(
        [
            _("Day"),
            _("Received"),
            _("Handled the same day"),
            _("Handled later"),
            _("Carried over"),
            _("Same-day rate"),
        ]
    )
    for row in daily_figures(*period):
        sheet.append(
            [
                row.day,
                row.received,
                row.handled_on_time,
                row.handled_late,
                row.carried_over,
                round(row.rate, 4),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    start, end = period
    response["Content-Disposition"] = f'attachment; filename="clearance-{start}-{end}.xlsx"'
    return response


@login_required
def department_home(request: HttpRequest) -> HttpResponse:
    """The lead department's open cases: due soon, overdue, and who signed for them."""
    user = request.user
    if (
        not isinstance(user, User)
        or user.department_id is None
        or not user.has_perm("accounts.view_department_messages")
    ):
        raise PermissionDenied
    today = timezone.localdate()
    desk = department_desk(user.department_id, today)
    page = Paginator(desk.cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"today": today, "desk": desk, "page": page, "department": user.department}
    return render(request, "staff/department_home.html", context)
