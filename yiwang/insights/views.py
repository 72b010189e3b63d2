"""The leaders' daily briefing page, its XLSX and PDF, and each topic's messages."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.insights.exports import briefing_pdf, briefing_xlsx
from yiwang.insights.models import Topic
from yiwang.insights.queries import briefing
from yiwang.intake.models import Message
from yiwang.staff.queries import parse_day


def _reader(request: HttpRequest) -> User:
    """Leaders (the overview) and desk supervisors read the briefing."""
    user = request.user
    allowed = ("accounts.view_overview", "accounts.supervise_messages")
    if not isinstance(user, User) or not any(user.has_perm(p) for p in allowed):
        raise PermissionDenied
    return user


def _day(request: HttpRequest) -> dt.date:
    return parse_day(request.GET.get("day", "")) or timezone.localdate()


@login_required
def briefing_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    day = _day(request)
    context = {
        "briefing": briefing(day),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
    }
    return render(request, "insights/briefing.html", context)


@login_required
def briefing_download(request: HttpRequest, fmt: str) -> HttpResponse:
    _reader(request)
    day = _day(request)
    if fmt == "pdf":
        content, kind = briefing_pdf(briefing(day)), "application/pdf"
    else:
        content = briefing_xlsx(briefing(day))
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="briefing-{day}.{fmt}"'
    return response


@login_required
def topic_page(request: HttpRequest, topic_id: int) -> HttpResponse:
    _reader(request)
    topic = get_object_or_404(Topic, pk=topic_id)
    messages = (
        Message.objects.filter(pk__in=topic.members.values("message_id"))
        .select_related("region", "lead_department", "public_support")
        .order_by("-submitted_at")[:200]
    )
    return render(request, "insights/topic.html", {"topic": topic, "messages": messages})
