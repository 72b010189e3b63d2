"""办件查询: the applicant's look-up with number and query code, and what may follow.

A successful look-up remembers the application in the session (at most ``REMEMBERED``), as
the message desk does for messages (decision 0015); correcting, withdrawing and rating accept
only remembered applications, so the query code is never put into a page or a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.applications.actions import RATEABLE, do_move, do_rate
from yiwang.applications.forms import CorrectionForm, StatusForm
from yiwang.applications.machine import Actor, IllegalMove, available
from yiwang.applications.models import Application, ApplicationState, Rating, Satisfaction
from yiwang.applications.queries import by_number, find, masked_applicant
from yiwang.applications.validation import InvalidApplication, validate_correction
from yiwang.applications.views import sent_files, show_errors, upload_view
from yiwang.intake.limits import RateLimited, check_track_rate

SESSION_KEY = "tracked_applications"
REMEMBERED = 10
_PHONE_AGENT = re.compile(r"Mobi|Android|iPhone|iPad|HarmonyOS")

STEP_LABELS = {
    "submit": gettext_lazy("Application received"),
    "accept": gettext_lazy("Accepted"),
    "not_accept": gettext_lazy("Not accepted"),
    "ask_correction": gettext_lazy("More materials asked for"),
    "resubmit": gettext_lazy("Materials sent again"),
    "pass_review": gettext_lazy("Review passed"),
    "return_to_review": gettext_lazy("Returned for further review"),
    "complete": gettext_lazy("Completed"),
    "withdraw": gettext_lazy("Withdrawn by the applicant"),
}


def _page(request: HttpRequest, form: StatusForm, status: int = 200) -> HttpResponse:
    return render(request, "applications/status.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(
            request, StatusForm(initial={"tracking_number": request.GET.get("number", "")[:50]})
        )
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        check_track_rate(request, form.cleaned_data["tracking_number"])
    except RateLimited:
        form.add_error(None, _("Too many look-ups. Please wait a while and try again."))
        return _page(request, form, status=429)
    application = find(form.cleaned_data["tracking_number"], form.cleaned_data["query_code"])
    if application is None:  # one message, whether the number or the code is wrong
        form.add_error(None, _("No application matches this number and query code."))
        return _page(request, form, status=404)
    ids = [i for i in request.session.get(SESSION_KEY, []) if i != application.pk]
    request.session[SESSION_KEY] = [*ids, application.pk][-REMEMBERED:]
    return redirect("applications:tracked", number=application.number)


Follow = Callable[[HttpRequest, Application], HttpResponse]


def looked_up(view: Follow) -> Callable[[HttpRequest, str], HttpResponse]:
    """The view gets the application when this browser looked it up; else the look-up form."""

    @wraps(view)
    def checked(request: HttpRequest, number: str) -> HttpResponse:
        application = by_number(number)
        if application is None or application.pk not in request.session.get(SESSION_KEY, []):
            messages.error(request, _("Please look your application up again with its query code."))
            return _page(request, StatusForm(), status=403)
        return view(request, application)

    return checked


def _applicant_moves(application: Application) -> list[str]:
    return available(application.state, application.kind, application.corrections, Actor.APPLICANT)


def _tracked_page(
    request: HttpRequest, application: Application, status: int = 200, **extra: Any
) -> HttpResponse:
    moves = _applicant_moves(application)
    events = list(application.events.all())
    rating = Rating.objects.filter(application=application).first()
    asked = [e.opinion for e in events if e.action == "ask_correction"]
    context = {
        "application": application,
        "applicant": masked_applicant(application),
        "steps": [(event, STEP_LABELS.get(event.action, event.action)) for event in events],
        "submitted": application.materials.all(),
        "can_correct": "resubmit" in moves,
        "asked": asked[-1] if asked else "",
        "can_withdraw": "withdraw" in moves,
        "can_rate": application.state in RATEABLE and rating is None,
        "rating": rating,
        "scores": Satisfaction.choices,
        **extra,
    }
    if context["can_correct"] and "correction_form" not in context:
        materials = list(application.implementation.materials.all())
        context["correction_form"] = CorrectionForm(materials=materials)
    return render(request, "applications/tracked.html", context, status=status)


def _refused(request: HttpRequest, application: Application, exc: IllegalMove) -> HttpResponse:
    fresh = by_number(application.number) or application
    status = 400 if exc.code == "invalid" else 409
    return _tracked_page(request, fresh, status=status, error=exc.message)


def _done(request: HttpRequest, application: Application, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("applications:tracked", number=application.number)


@looked_up
def tracked(request: HttpRequest, application: Application) -> HttpResponse:
    return _tracked_page(request, application)


@upload_view
@require_http_methods(["GET", "POST"])
@looked_up
def correct(request: HttpRequest, application: Application) -> HttpResponse:
    """补正: the files the department asked for; the application goes back for acceptance."""
    if request.method == "GET":
        return redirect("applications:tracked", number=application.number)
    materials = list(application.implementation.materials.all())
    form = CorrectionForm(request.POST, request.FILES, materials=materials)
    try:
        clean = validate_correction(application.implementation, sent_files(request))
        do_move(
            application.pk, "resubmit", correction=clean, expected_state=ApplicationState.CORRECTION
        )
    except InvalidApplication as invalid:
        show_errors(form, invalid)
        return _tracked_page(request, application, status=400, correction_form=form)
    except IllegalMove as exc:
        return _refused(request, application, exc)
    return _done(
        request, application, _("Your materials have been sent. The department will check them.")
    )


@require_http_methods(["GET", "POST"])
@looked_up
def withdraw(request: HttpRequest, application: Application) -> HttpResponse:
    """撤回, after a page that asks to confirm (no script needed)."""
    if request.method == "GET":
        if "withdraw" not in _applicant_moves(application):
            return redirect("applications:tracked", number=application.number)
        return render(request, "applications/withdraw.html", {"application": application})
    expected = request.POST.get("expected_state") or None
    try:
        do_move(application.pk, "withdraw", expected_state=expected)
    except IllegalMove as exc:
        return _refused(request, application, exc)
    return _done(request, application, _("Your application has been withdrawn."))


@require_POST
@looked_up
def rate(request: HttpRequest, application: Application) -> HttpResponse:
    """好差评, once the application is done; the channel is told by the browser."""
    raw = request.POST.get("score", "")
    score = int(raw) if raw in {"1", "2", "3", "4", "5"} else 0  # radio values, nothing else
    channel = "mobile" if _PHONE_AGENT.search(request.headers.get("User-Agent", "")) else "pc"
    comment = request.POST.get("comment", "").replace("\x00", "")  # PostgreSQL refuses a NUL
    try:
        do_rate(application.pk, score, channel, comment)
    except IllegalMove as exc:
        return _refused(request, application, exc)
    return _done(request, application, _("Thank you for your rating."))
