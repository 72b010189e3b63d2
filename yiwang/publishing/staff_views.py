"""Editors' pages: the queue, one publication (original and public version side by side), and
the clerk's "propose" button on the desk's message page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.access import check_can_view
from yiwang.accounts.models import User
from yiwang.intake.models import Message
from yiwang.publishing import actions
from yiwang.publishing.actions import Draft, PublicationError
from yiwang.publishing.editorial import QUEUE_STATES, marked, queue
from yiwang.publishing.models import Publication, PublicationForm, PublicationState
from yiwang.staff.views import render_message_page


def _editor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not actions.is_editor(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def publication_queue(request: HttpRequest) -> HttpResponse:
    _editor(request)
    state = request.GET.get("state", PublicationState.PROPOSED)
    context = {
        "publications": queue(state),
        "state": state,
        "states": [(value, PublicationState(value).label) for value in QUEUE_STATES],
    }
    return render(request, "publishing/staff_queue.html", context)


def _publication(pk: int) -> Publication:
    return get_object_or_404(
        Publication.objects.select_related(
            "message", "proposed_by", "first_approved_by", "edited_by", "published_by"
        ),
        pk=pk,
    )


def render_editor(
    request: HttpRequest,
    publication: Publication,
    *,
    error: str | None = None,
    draft: Draft | None = None,
    status: int = 200,
) -> HttpResponse:
    """The original with every personal span marked, beside the public version (the draft
    being edited when a save failed) with what the masker still finds marked too."""
    user = _editor(request)
    message = publication.message
    shown = draft or Draft(publication.title, publication.text, publication.reply)
    context = {
        "publication": publication,
        "message": message,
        "original": {
            "title": marked(message.title),
            "text": marked(message.content),
            "reply": marked(message.reply_text),
        },
        "public": {
            "title": marked(shown.title),
            "text": marked(shown.text),
            "reply": marked(shown.reply),
        },
        "draft": shown,
        "error": error,
        "is_summary": publication.form == PublicationForm.SUMMARY,
        "editable": publication.state in actions.EDITABLE,
        "waits_for_me": publication.state == PublicationState.AWAITING_APPROVAL
        and publication.first_approved_by_id != user.pk,
        "records": publication.impact_records.select_related("assessed_by", "second_approver"),
    }
    return render(request, "publishing/staff_editor.html", context, status=status)


@login_required
@require_GET
def publication_editor(request: HttpRequest, pk: int) -> HttpResponse:
    return render_editor(request, _publication(pk))


def _draft(request: HttpRequest) -> Draft:
    post = request.POST
    return Draft(post.get("title", ""), post.get("text", ""), post.get("reply", ""))


@login_required
@require_POST
def publication_save(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request)
    try:
        actions.do_save_draft(_editor(request), pk, draft)
    except PublicationError as error:
        return render_editor(request, _publication(pk), error=str(error), draft=draft, status=400)
    return redirect("publishing_staff:editor", pk=pk)


@login_required
@require_POST
def publication_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Approve (publish, or the first of two approvals), decline, unpublish or reopen."""
    user = _editor(request)
    reason = request.POST.get("reason", "")
    steps = {
        "approve": lambda: actions.do_approve(user, pk),
        "decline": lambda: actions.do_decline(user, pk, reason),
        "unpublish": lambda: actions.do_unpublish(user, pk, reason),
        "reopen": lambda: actions.do_reopen(user, pk),
    }
    if step not in steps:
        return HttpResponse(status=404)
    try:
        steps[step]()
    except PublicationError as error:
        return render_editor(request, _publication(pk), error=str(error), status=409)
    return redirect("publishing_staff:editor", pk=pk)


@login_required
@require_POST
def propose(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The desk's "propose as exemplary" button on a message page."""
    user = request.user
    assert isinstance(user, User)
    message = get_object_or_404(Message, tracking_number=tracking_number)
    check_can_view(user, message)
    try:
        publication = actions.do_propose(user, message.pk, request.POST.get("note", ""))
    except PublicationError as error:
        return render_message_page(request, message, error=str(error), status=409)
    if user.has_perm("accounts.edit_publications"):
        return redirect("publishing_staff:editor", pk=publication.pk)
    return redirect("staff:message", tracking_number=tracking_number)
