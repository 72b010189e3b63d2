"""A staff member's notices: reminders and escalations about the cases they answer for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.notify.actions import do_mark_notices_read
from yiwang.notify.models import Notice

PAGE_SIZE = 50


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.filter(recipient_id=request.user.pk).select_related(
        "message", "message__lead_department"
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/notice_list.html", {"page": page})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    do_mark_notices_read(request.user.pk)
    return redirect("notify:notices")
