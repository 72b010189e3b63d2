"""The enforcement officers' pages: the bureau's cases, the cross-district look-up, recording a
case with its photos, and the steps of a case (decide, serve, review or lawsuit). Any
district's officer may open and process any case (cross-district); every step is recorded
with the officer's district. Every write goes through ``actions.py``."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.access import signed_in_user
from yiwang.accounts.models import User
from yiwang.applications.views import upload_view
from yiwang.fines import actions, documents
from yiwang.fines.models import CasePhoto, CaseState, ParkingCase
from yiwang.fines.staff_forms import CaseForm, DateForm, FilterForm, FindForm, SuspendForm
from yiwang.staff.steps import Step, take_step

PAGE_SIZE = 50

EVENT_LABELS = {
    "recorded": gettext_lazy("Case recorded"),
    "decided": gettext_lazy("Decision issued"),
    "served": gettext_lazy("Decision served"),
    "suspended": gettext_lazy("Review or lawsuit recorded"),
    "resumed": gettext_lazy("Review or lawsuit ended"),
    "payment_started": gettext_lazy("Payment started"),
    "paid": gettext_lazy("Paid"),
    "double_payment_refunded": gettext_lazy("A second payment was refunded"),
}


def _officer(request: HttpRequest) -> User:
    user = signed_in_user(request)
    actions.check_can_enforce(user)
    return user


# --- The bureau's cases and the cross-district look-up ---------------------------------------


def _list_page(request: HttpRequest, user: User, find: FindForm, status: int = 200) -> HttpResponse:
    filters = FilterForm(request.GET)
    rows = ParkingCase.objects.filter(bureau_id=user.department_id).order_by("-created_at", "-pk")
    if filters.is_valid():
        if filters.cleaned_data["state"]:
            rows = rows.filter(state=filters.cleaned_data["state"])
        if filters.cleaned_data["plate"]:
            rows = rows.filter(plate__contains=filters.cleaned_data["plate"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "find": find}
    return render(request, "fines/staff_cases.html", context, status=status)


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    return _list_page(request, _officer(request), FindForm())


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """A decision number of any district: straight to its case."""
    user = _officer(request)
    form = FindForm(request.GET)
    if not form.is_valid():
        return _list_page(request, user, form, status=400)
    number = form.cleaned_data["number"]
    case_id = (
        ParkingCase.objects.filter(decision_number=number).values_list("pk", flat=True).first()
    )
    if case_id is None:
        form.add_error("number", _("No case has this decision number."))
        return _list_page(request, user, form, status=404)
    return redirect("fines_staff:case", case_id=case_id)


# --- Recording a case ------------------------------------------------------------------------


def _new_page(request: HttpRequest, form: CaseForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "files_again": form.is_bound and bool(request.FILES)}
    return render(request, "fines/staff_new.html", context, status=status)


@login_required
@upload_view
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    if request.method == "GET":
        return _new_page(request, CaseForm())
    form = CaseForm(request.POST, request.FILES)
    if not form.is_valid():
        return _new_page(request, form, status=400)
    try:
        case = actions.do_record_case(user, form.case_input(), form.cleaned_data["photos"])
    except actions.CaseError as exc:
        form.add_error(None, exc.message)
        return _new_page(request, form, status=400)
    messages.success(request, _("The case has been recorded."))
    return redirect("fines_staff:case", case_id=case.pk)


# --- One case and its steps ------------------------------------------------------------------


def _case(case_id: int) -> ParkingCase:
    rows = ParkingCase.objects.select_related("bureau", "region", "created_by")
    return get_object_or_404(rows.prefetch_related("suspensions"), pk=case_id)


def _step_forms(bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
    fresh: dict[str, forms.Form] = {
        "decide": DateForm(prefix="decide"),
        "serve": DateForm(prefix="serve"),
        "suspend": SuspendForm(prefix="suspend"),
        "end": DateForm(prefix="end"),
    }
    return fresh | bound


def _case_page(
    request: HttpRequest,
    user: User,
    case: ParkingCase,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    suspensions = list(case.suspensions.all())
    context: dict[str, Any] = {
        "case": case,
        "due": actions.amount_due(case),
        "photos": case.photos.all(),
        "suspensions": suspensions,
        "pending": any(s.ended_on is None for s in suspensions),
        "payments": case.payments.order_by("created_at", "pk"),
        "events": [
            (event, EVENT_LABELS.get(event.action, event.action))
            for event in case.events.select_related("actor", "office")
        ],
        "our_bureau": case.bureau_id == user.department_id,
        "states": CaseState,
        "forms": _step_forms(bound or {}),
        "invalid": next((form for form in (bound or {}).values() if form.errors), None),
        "error": error,
    }
    status = 400 if bound or error else 200
    return render(request, "fines/staff_case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, _officer(request), _case(case_id))


STEPS = {
    "decide": Step(
        DateForm,
        lambda user, pk, data: actions.do_decide(user, pk, data["on"]),
        gettext_lazy("The decision has been issued."),
    ),
    "serve": Step(
        DateForm,
        lambda user, pk, data: actions.do_serve(user, pk, data["on"]),
        gettext_lazy("The service has been recorded."),
    ),
    "suspend": Step(
        SuspendForm,
        lambda user, pk, data: actions.do_suspend(user, pk, data["kind"], data["on"]),
        gettext_lazy("The review or lawsuit has been recorded: no late fee accrues meanwhile."),
    ),
    "end": Step(
        DateForm,
        lambda user, pk, data: actions.do_end_suspension(user, pk, data["on"]),
        gettext_lazy("The end of the review or lawsuit has been recorded."),
    ),
}


@login_required
@require_POST
def step(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    user = _officer(request)
    case = _case(case_id)
    spec = STEPS.get(name)
    if spec is None:
        raise Http404
    page = partial(_case_page, request, user, case)
    shown = take_step(request, user, case.pk, name, spec, page, actions.CaseError)
    return shown or redirect("fines_staff:case", case_id=case.pk)


# --- Files -----------------------------------------------------------------------------------


@login_required
@require_GET
def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A case's photo, for enforcement officers only, never kept in a shared cache."""
    _officer(request)
    row = get_object_or_404(CasePhoto, pk=photo_id)
    try:
        opened = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(opened, content_type=row.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def decision_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    _officer(request)
    case = _case(case_id)
    if not case.decision_number:
        raise Http404
    response = HttpResponse(documents.decision_pdf(case), content_type="application/pdf")
    name = f"decision-{case.decision_number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
