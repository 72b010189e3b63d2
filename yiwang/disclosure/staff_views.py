"""The disclosure office's pages: the body's information with what is late, drafting,
revising, and the steps (submit, return, approve or schedule, withdraw, repeal). An officer
sees only their own body's information. Every write goes through ``actions.py``."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.access import signed_in_user
from yiwang.accounts.models import User
from yiwang.casework.deadlines import site_calendar
from yiwang.disclosure import actions, queries
from yiwang.disclosure.models import Information, InfoState
from yiwang.disclosure.staff_forms import (
    ApproveForm,
    ContentForm,
    NewForm,
    NoteForm,
    ReasonForm,
    RepealForm,
    RevisionNoteForm,
)
from yiwang.lib.workdays import CalendarYearMissing
from yiwang.staff.steps import Step, take_step

PAGE_SIZE = 50


def _officer(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not user.has_perm("accounts.handle_disclosure") or user.department_id is None:
        raise PermissionDenied
    return user


def _information(user: User, information_id: int) -> Information:
    rows = Information.objects.select_related("body", "interprets")
    return get_object_or_404(rows, pk=information_id, body_id=user.department_id)


# --- The body's information ----------------------------------------------------------------------


@login_required
@require_GET
def information_list(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    rows = Information.objects.filter(body_id=user.department_id)
    state = request.GET.get("state", "")
    if state in InfoState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-updated_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    try:
        late = queries.late_for_publication(
            site_calendar(), timezone.localdate(), user.department_id
        )
        calendar_missing = None
    except CalendarYearMissing as exc:
        late, calendar_missing = [], exc.year
    context = {
        "page": page,
        "states": InfoState.choices,
        "state": state,
        "late": late,
        "calendar_missing": calendar_missing,
    }
    return render(request, "disclosure/staff_list.html", context)


# --- Drafting and revising -----------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: forms.Form, information: Information | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "information": information}
    return render(request, "disclosure/staff_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    body_id = int(user.department_id or 0)
    if request.method == "GET":
        return _form_page(request, NewForm(body_id=body_id), None)
    form = NewForm(request.POST, body_id=body_id)
    if not form.is_valid():
        return _form_page(request, form, None, status=400)
    try:
        body = user.department
        assert body is not None
        information = actions.do_draft(user, body, form.content(), form.cleaned_data["index_no"])
    except actions.DisclosureError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _form_page(request, form, None, status=400)
    messages.success(request, _("The draft has been saved."))
    return redirect("disclosure_staff:information", information_id=information.pk)


class EditForm(ContentForm, RevisionNoteForm):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, information_id: int) -> HttpResponse:
    user = _officer(request)
    information = _information(user, information_id)
    if request.method == "GET":
        initial = ContentForm.initial_of(information)
        return _form_page(
            request, EditForm(initial=initial, body_id=information.body_id), information
        )
    form = EditForm(request.POST, body_id=information.body_id)
    if not form.is_valid():
        return _form_page(request, form, information, status=400)
    try:
        actions.do_revise(
            user,
            information.pk,
            form.content(repealed_on=information.repealed_on),
            form.cleaned_data["revision_note"],
        )
    except actions.DisclosureError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _form_page(request, form, information, status=400)
    except PermissionError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, information, status=403)
    messages.success(request, _("The new revision has been saved."))
    return redirect("disclosure_staff:information", information_id=information.pk)


# --- One information and its steps ---------------------------------------------------------------


def _step_forms(bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
    fresh: dict[str, forms.Form] = {
        "return": NoteForm(prefix="return"),
        "approve": ApproveForm(prefix="approve"),
        "withdraw": ReasonForm(prefix="withdraw"),
        "repeal": RepealForm(prefix="repeal"),
    }
    return fresh | bound


def _page(
    request: HttpRequest,
    user: User,
    information: Information,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    calendar_due = None
    if information.attribute == "proactive" and information.state != InfoState.PUBLISHED:
        try:
            calendar_due = queries.publication_due(site_calendar(), information)
        except CalendarYearMissing:
            calendar_due = None
    context: dict[str, Any] = {
        "info": information,
        "events": information.events.select_related("actor").order_by("at", "pk"),
        "revisions": information.revisions.select_related("created_by").order_by("-number"),
        "may_approve": user.has_perm("accounts.approve_disclosure"),
        "states": InfoState,
        "due": calendar_due,
        "forms": _step_forms(bound or {}),
        "invalid": next((form for form in (bound or {}).values() if form.errors), None),
        "error": error,
    }
    status = 400 if bound or error else 200
    return render(request, "disclosure/staff_information.html", context, status=status)


@login_required
@require_GET
def information_page(request: HttpRequest, information_id: int) -> HttpResponse:
    user = _officer(request)
    return _page(request, user, _information(user, information_id))


STEPS = {
    "submit": Step(
        None,
        lambda user, pk, data: actions.do_submit(user, pk),
        gettext_lazy("Submitted for review."),
    ),
    "return": Step(
        NoteForm,
        lambda user, pk, data: actions.do_return(user, pk, data["note"]),
        gettext_lazy("Returned to the drafter."),
    ),
    "approve": Step(
        ApproveForm,
        lambda user, pk, data: actions.do_approve(user, pk, data["publish_at"]),
        gettext_lazy("Approved."),
    ),
    "withdraw": Step(
        ReasonForm,
        lambda user, pk, data: actions.do_withdraw(user, pk, data["reason"]),
        gettext_lazy("Withdrawn: its address now says so."),
    ),
    "repeal": Step(
        RepealForm,
        lambda user, pk, data: actions.do_repeal(user, pk, data["on"]),
        gettext_lazy("Marked as repealed."),
    ),
}


@login_required
@require_POST
def step(request: HttpRequest, information_id: int, name: str) -> HttpResponse:
    user = _officer(request)
    information = _information(user, information_id)
    spec = STEPS.get(name)
    if spec is None:
        raise Http404
    page = partial(_page, request, user, information)
    shown = take_step(request, user, information.pk, name, spec, page, actions.DisclosureError)
    return shown or redirect("disclosure_staff:information", information_id=information.pk)
