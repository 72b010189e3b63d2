"""Information requests: the public form (``/open/request/``) and the disclosure office's
pages — the body's requests by deadline, one request with its clock and steps. Every write
goes through ``request_actions.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.models import User
from yiwang.casework.deadlines import site_calendar
from yiwang.disclosure import reply_letter
from yiwang.disclosure import request_actions as ra
from yiwang.disclosure.models import InformationRequest, RequestChannel, RequestState
from yiwang.disclosure.request_forms import (
    AnswerForm,
    CorrectionForm,
    DayForm,
    ExtensionForm,
    PauseForm,
    RequestForm,
)
from yiwang.disclosure.staff_views import _officer
from yiwang.intake.limits import RateLimited, check_ip_rate
from yiwang.lib.workdays import CalendarYearMissing
from yiwang.staff.steps import Step, take_step

# --- The public form ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "disclosure/request_form.html", {"form": RequestForm()})
    form = RequestForm(request.POST)
    try:  # the same limit per network as messages, counted apart
        check_ip_rate(request, "disclosure-request-ip", settings.YIWANG_RATE_SUBMIT_PER_IP)
    except RateLimited:
        form.add_error(None, _("Too many requests from this network. Please try again later."))
        return render(request, "disclosure/request_form.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "disclosure/request_form.html", {"form": form}, status=400)
    language = translation.get_language() or "zh-hans"
    body = form.cleaned_data["body"]
    made = ra.do_submit_request(body, form.request_input(language), RequestChannel.ONLINE)
    context = {"number": made.number, "body": body}
    return render(request, "disclosure/request_sent.html", context, status=201)


EVENT_LABELS = {
    "submitted": gettext_lazy("Submitted"),
    "received": gettext_lazy("Receipt confirmed"),
    "correction_asked": gettext_lazy("Correction asked for"),
    "correction_received": gettext_lazy("Correction received"),
    "lapsed": gettext_lazy("Lapsed"),
    "extended": gettext_lazy("Period extended"),
    "consultation_started": gettext_lazy("Consultation started"),
    "consultation_ended": gettext_lazy("Consultation ended"),
    "answered": gettext_lazy("Answered"),
}


# --- The office's pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    request: InformationRequest
    deadline: Any
    left: int | None
    overdue: bool
    missing_year: int | None = None  # the calendar lacks this year: no deadline yet
    # A third party consulted more than 15 working days ago has not answered: the office may
    # decide without its opinion (Art. 32).
    third_party_late: bool = False

    @property
    def late(self) -> int:
        """Working days past the deadline (0 when not overdue)."""
        return -self.left if self.overdue and self.left is not None else 0


def _row(item: InformationRequest, today: Any) -> Row:
    """The request with its clock; no deadline while the calendar lacks the year it falls in
    (the page says so) — never a guessed one."""
    if item.state != RequestState.RUNNING:
        return Row(item, None, None, False)
    try:
        clock = ra.clock_of(item, site_calendar())
        if clock is None:
            return Row(item, None, None, False)
        deadline = clock.deadline(today)
        left, overdue = clock.working_days_left(today), clock.is_overdue(today)
        return Row(item, deadline, left, overdue, None, bool(clock.third_party_overdue(today)))
    except CalendarYearMissing as exc:
        return Row(item, None, None, False, missing_year=exc.year)


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    today = timezone.localdate()
    open_states = (
        RequestState.AWAITING_RECEIPT,
        RequestState.RUNNING,
        RequestState.AWAITING_CORRECTION,
    )
    rows = InformationRequest.objects.filter(body_id=user.department_id, state__in=open_states)
    listed = [_row(item, today) for item in rows.prefetch_related("pauses").order_by("pk")]
    listed.sort(key=lambda row: (row.deadline is None, row.deadline or today, row.request.pk))
    return render(request, "disclosure/staff_requests.html", {"rows": listed})


def _request(user: User, request_id: int) -> InformationRequest:
    rows = InformationRequest.objects.select_related("body", "extension_approved_by")
    return get_object_or_404(rows, pk=request_id, body_id=user.department_id)


def _forms(bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
    fresh: dict[str, forms.Form] = {
        "receive": DayForm(prefix="receive"),
        "correction": CorrectionForm(prefix="correction"),
        "corrected": DayForm(prefix="corrected"),
        "extend": ExtensionForm(prefix="extend"),
        "pause": PauseForm(prefix="pause"),
        "resume": DayForm(prefix="resume"),
        "answer": AnswerForm(prefix="answer"),
    }
    return fresh | bound


def _page(
    request: HttpRequest,
    user: User,
    item: InformationRequest,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    context: dict[str, Any] = {
        "item": item,
        "row": _row(item, timezone.localdate()),
        "pauses": item.pauses.order_by("started_on", "pk"),
        "events": [
            (event, EVENT_LABELS.get(event.kind, event.kind))
            for event in item.events.select_related("actor").order_by("at", "pk")
        ],
        "states": RequestState,
        "may_extend": user.has_perm("accounts.approve_disclosure"),
        "open_pause": item.pauses.filter(ended_on__isnull=True).exists(),
        "forms": _forms(bound or {}),
        "invalid": next((form for form in (bound or {}).values() if form.errors), None),
        "error": error,
    }
    status = 400 if bound or error else 200
    return render(request, "disclosure/staff_request.html", context, status=status)


@login_required
@require_GET
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _officer(request)
    return _page(request, user, _request(user, request_id))


STEPS = {
    "receive": Step(
        DayForm,
        lambda u, pk, d: ra.do_confirm_receipt(u, pk, d["on"]),
        gettext_lazy("Receipt confirmed: the 20 working days run from this day."),
    ),
    "correction": Step(
        CorrectionForm,
        lambda u, pk, d: ra.do_ask_correction(u, pk, d["on"], d["due"], d["note"]),
        gettext_lazy("The correction has been asked for."),
    ),
    "corrected": Step(
        DayForm,
        lambda u, pk, d: ra.do_receive_correction(u, pk, d["on"]),
        gettext_lazy("The correction has been received: the answer period starts again."),
    ),
    "extend": Step(
        ExtensionForm,
        lambda u, pk, d: ra.do_extend(u, pk, d["days"], d["on"]),
        gettext_lazy("The answer period has been extended."),
    ),
    "pause": Step(
        PauseForm,
        lambda u, pk, d: ra.do_start_pause(u, pk, d["kind"], d["on"]),
        gettext_lazy("The consultation has been recorded: its working days do not count."),
    ),
    "resume": Step(
        DayForm,
        lambda u, pk, d: ra.do_end_pause(u, pk, d["on"]),
        gettext_lazy("The end of the consultation has been recorded."),
    ),
    "answer": Step(
        AnswerForm,
        lambda u, pk, d: ra.do_answer(
            u, pk, d["reply_type"], d["text"], partial=d["partial"], on=d["on"]
        ),
        gettext_lazy("The answer has been recorded."),
    ),
}


@login_required
@require_POST
def request_step(request: HttpRequest, request_id: int, name: str) -> HttpResponse:
    user = _officer(request)
    item = _request(user, request_id)
    spec = STEPS.get(name)
    if spec is None:
        raise Http404
    page = partial(_page, request, user, item)
    shown = take_step(request, user, item.pk, name, spec, page, ra.RequestError)
    return shown or redirect("disclosure_staff:request", request_id=item.pk)


# --- The reply letter -----------------------------------------------------------------------------


def _letter(
    request: HttpRequest,
    request_id: int,
    render: Callable[[InformationRequest], bytes],
    content_type: str,
    suffix: str,
) -> HttpResponse:
    user = _officer(request)
    item = _request(user, request_id)
    try:
        data = render(item)
    except reply_letter.NotAnswered as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="reply-{item.number}.{suffix}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def reply_docx(request: HttpRequest, request_id: int) -> HttpResponse:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _letter(request, request_id, reply_letter.reply_docx, docx, "docx")


@login_required
@require_GET
def reply_pdf(request: HttpRequest, request_id: int) -> HttpResponse:
    return _letter(request, request_id, reply_letter.reply_pdf, "application/pdf", "pdf")
