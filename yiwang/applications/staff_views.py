"""The department's pages for online applications: its queue, one application with the moves
it may make now, the submitted files, and the follow-ups of bad ratings (with the
supervisor's decisions on appeals). Every write goes through ``actions.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yiwang.accounts.access import signed_in_user
from yiwang.accounts.models import User
from yiwang.applications.actions import (
    Decision,
    check_can_handle,
    do_appeal,
    do_decide_appeal,
    do_move,
    do_rectify,
    do_reveal_applicant,
)
from yiwang.applications.machine import MOVES, Actor, IllegalMove, available
from yiwang.applications.models import Application, FollowUp, Outcome, Rating, SubmittedMaterial
from yiwang.applications.queries import (
    appealed_follow_ups,
    by_number,
    department_queue,
    masked_applicant,
    open_follow_ups,
)
from yiwang.applications.tracking import STEP_LABELS
from yiwang.intake.limits import client_ip

PAGE_SIZE = 50

MOVE_LABELS = {
    "accept": gettext_lazy("Accept"),
    "not_accept": gettext_lazy("Do not accept"),
    "ask_correction": gettext_lazy("Ask for the missing materials, all at once"),
    "pass_review": gettext_lazy("Pass the review"),
    "return_to_review": gettext_lazy("Return for further review"),
    "complete": gettext_lazy("Complete with the decision"),
}


def _text(request: HttpRequest, name: str) -> str:
    # A NUL cannot be stored in PostgreSQL text; nobody types one.
    return request.POST.get(name, "").replace("\x00", "")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user.has_perm("accounts.handle_applications") or user.department_id is None:
        raise PermissionDenied
    page = Paginator(department_queue(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "applications/staff_queue.html", context)


def _application(request: HttpRequest, number: str) -> Application:
    application = by_number(number)
    if application is None:
        raise Http404
    check_can_handle(signed_in_user(request), application)
    return application


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail_page(request, _application(request, number))


def _detail_page(
    request: HttpRequest, application: Application, *, error: str = "", status: int = 200
) -> HttpResponse:
    moves = available(
        application.state, application.kind, application.corrections, Actor.DEPARTMENT
    )
    rating = Rating.objects.filter(application=application).select_related("follow_up").first()
    context: dict[str, Any] = {
        "application": application,
        "applicant": masked_applicant(application),
        "can_reveal": signed_in_user(request).has_perm("accounts.view_applicant_details"),
        "materials": application.materials.all(),
        "events": [
            (event, STEP_LABELS.get(event.action, event.action))
            for event in application.events.select_related("actor")
        ],
        "moves": [(a, MOVE_LABELS[a], MOVES[a].needs_opinion) for a in moves],
        "outcomes": Outcome.choices,
        "rating": rating,
        "today": timezone.localdate(),
        "error": error,
    }
    return render(request, "applications/staff_detail.html", context, status=status)


@login_required
@require_POST
def move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    application = _application(request, number)
    spec = MOVES.get(action)
    if spec is None or spec.actor != Actor.DEPARTMENT:
        raise Http404
    decision = Decision(
        opinion=_text(request, "opinion"),
        outcome=_text(request, "outcome"),
        result_text=_text(request, "result_text"),
        licence_number=_text(request, "licence_number"),
    )
    expected = request.POST.get("expected_state") or None
    try:
        do_move(
            application.pk,
            action,
            by=signed_in_user(request),
            decision=decision,
            expected_state=expected,
        )
    except IllegalMove as exc:
        fresh = by_number(application.number) or application
        status = 400 if exc.code == "invalid" else 409
        return _detail_page(request, fresh, error=exc.message, status=status)
    messages.success(request, _("Done: %(step)s.") % {"step": MOVE_LABELS[action]})
    return redirect("applications_staff:detail", number=application.number)


@login_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant unmasked, for an officer with the right to see applicants' details,
    with a reason; every look is recorded (``PersonalDataAccess``)."""
    application = _application(request, number)
    user = signed_in_user(request)
    if not user.has_perm("accounts.view_applicant_details"):
        raise PermissionDenied
    reason = " ".join(_text(request, "reason").split())[:200]
    if not reason:
        error = _("Please give the reason for viewing the applicant's details.")
        return _detail_page(request, application, error=error, status=400)
    details = do_reveal_applicant(user, application, reason, client_ip(request))
    context = {"application": application, "details": details}
    return render(request, "applications/staff_reveal.html", context)


@login_required
def material(request: HttpRequest, material_id: int) -> FileResponse:
    """A submitted file, as a download, for the department's officers only."""
    row = get_object_or_404(SubmittedMaterial.objects.select_related("application"), pk=material_id)
    check_can_handle(signed_in_user(request), row.application)
    try:
        opened = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = row.file.name.rsplit(".", 1)[-1] if row.file.name else "bin"
    response = FileResponse(
        opened,
        content_type=row.content_type,
        as_attachment=True,
        filename=f"{row.application.number}-{row.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- 差评整改: follow-ups of bad ratings, and appeals ----------------------------------------


@login_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    handles = user.has_perm("accounts.handle_applications") and user.department_id is not None
    supervises = user.has_perm("accounts.supervise_applications")
    if not (handles or supervises):
        raise PermissionDenied
    context = {
        "open": open_follow_ups(user),
        "appealed": appealed_follow_ups(user),
        "can_handle": handles,
        "can_decide": supervises,
        "today": timezone.localdate(),
    }
    return render(request, "applications/staff_follow_ups.html", context)


def _decide(user: User, follow_up: int, request: HttpRequest) -> FollowUp:
    decision = request.POST.get("decision")
    if decision not in ("uphold", "dismiss"):
        raise IllegalMove("invalid", _("Choose whether to uphold or dismiss the appeal."))
    return do_decide_appeal(
        follow_up, user, upheld=decision == "uphold", note=_text(request, "note")
    )


FOLLOW_UP_STEPS: dict[str, tuple[Callable[[User, int, HttpRequest], FollowUp], Any]] = {
    "rectify": (
        lambda u, f, r: do_rectify(f, u, _text(r, "text")),
        gettext_lazy("The follow-up has been recorded."),
    ),
    "appeal": (
        lambda u, f, r: do_appeal(f, u, _text(r, "text")),
        gettext_lazy("Your appeal has been sent to the supervisor."),
    ),
    "decide": (_decide, gettext_lazy("The appeal has been decided.")),
}


@login_required
@require_POST
def follow_up_step(request: HttpRequest, follow_up_id: int, step: str) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=follow_up_id)
    if step not in FOLLOW_UP_STEPS:
        raise Http404
    handler, done = FOLLOW_UP_STEPS[step]
    try:
        handler(signed_in_user(request), follow_up.pk, request)
    except IllegalMove as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("applications_staff:follow_ups")
