"""Staff side of ratings and appeals: the message page's section, the department's appeal of
a rating, the supervisor's decision, and the supervisor's page of rates per department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.access import check_can_view, signed_in_user
from yiwang.accounts.models import User
from yiwang.casework import feedback
from yiwang.casework.machine import IllegalMove
from yiwang.casework.models import Appeal, AppealStatus, Rating
from yiwang.casework.performance import department_rates
from yiwang.intake.models import Message


def feedback_context(user: User, message: Message) -> dict[str, Any]:
    """Ratings and appeals of a message, with what this person may do about them."""
    ratings = list(message.ratings.select_related("department"))
    appeals = list(message.appeals.select_related("rating", "decided_by"))
    appealed = {a.rating_id for a in appeals if a.rating_id is not None}
    return {
        "ratings": ratings,
        "appeals": appeals,
        "can_decide_appeals": user.has_perm("accounts.supervise_messages"),
        "appealable_ratings": {
            r.pk
            for r in ratings
            if not r.is_satisfied and r.pk not in appealed and feedback.speaks_for(user, r)
        },
    }


def _back_to(message: Message) -> HttpResponse:
    return redirect("staff:message", tracking_number=message.tracking_number)


@login_required
@require_POST
def appeal_rating(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("message"), pk=rating_id)
    check_can_view(signed_in_user(request), rating.message)
    try:
        feedback.do_department_appeal(
            signed_in_user(request), rating.pk, request.POST.get("text", "")
        )
    except IllegalMove as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your appeal has been sent to the desk supervisor."))
    return _back_to(rating.message)


@login_required
@require_POST
def decide_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("message"), pk=appeal_id)
    check_can_view(signed_in_user(request), appeal.message)
    decision = request.POST.get("decision")
    if decision not in ("uphold", "dismiss"):
        messages.error(request, _("Choose whether to uphold or dismiss the appeal."))
        return _back_to(appeal.message)
    try:
        feedback.do_decide_appeal(
            signed_in_user(request), appeal.pk, decision == "uphold", request.POST.get("note", "")
        )
    except IllegalMove as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The appeal has been decided."))
    return _back_to(appeal.message)


def _month(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    """响应率, 解决率 and 满意率 per department for one month, and the appeals to decide."""
    user = signed_in_user(request)
    if not user.has_perm("accounts.supervise_messages"):
        raise PermissionDenied
    asked = request.GET.get("month", "")
    month = _month(asked) if asked else timezone.localdate().replace(day=1)
    if month is None:
        return HttpResponse(
            _("Give the month as YYYY-MM."), status=400, content_type="text/plain; charset=utf-8"
        )
    pending = Appeal.objects.filter(status=AppealStatus.PENDING).select_related("message")
    context = {"month": month, "rows": department_rates(month), "pending": pending[:100]}
    return render(request, "staff/performance.html", context)
