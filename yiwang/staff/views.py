"""Staff pages: the message list (with search and export), a message, its attachments."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from yiwang.accounts.access import check_can_export, check_can_view, message_scope
from yiwang.accounts.models import User
from yiwang.classifier.queries import desk_suggestions
from yiwang.dedupe.queries import duplicates_of
from yiwang.documents.forms import LeaderInstructionForm
from yiwang.documents.queries import documents_context
from yiwang.intake.limits import client_ip
from yiwang.intake.models import Attachment, Channel, Message, MessageState
from yiwang.publishing.editorial import publication_context
from yiwang.staff.actions import InvalidNote, do_add_note, do_reveal_contact
from yiwang.staff.export import ExportFormat, export_rows
from yiwang.staff.feedback import feedback_context
from yiwang.staff.moves import bulk_context, move_context
from yiwang.staff.queries import (
    PAGE_SIZE,
    CappedPaginator,
    MessageFilter,
    masked_contact,
    parse_day,
    search_messages,
    similar_messages,
)
from yiwang.taxonomy.models import Theme


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _filters(request: HttpRequest) -> MessageFilter:
    get = request.GET
    return MessageFilter(
        q=get.get("q", ""),
        state=get.get("state", ""),
        region=get.get("region", ""),
        channel=get.get("channel", ""),
        day=parse_day(get.get("day", "")),
        theme=get.get("theme", ""),
        category=get.get("category", ""),
    )


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    scope = message_scope(_user(request))
    if scope is None:
        raise PermissionDenied
    filters = _filters(request)
    messages = search_messages(scope, filters)
    page = CappedPaginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "states": MessageState.choices,
        "channels": Channel.choices,
        "can_export": _user(request).has_perm("accounts.export_messages"),
        "can_reveal": _user(request).has_perm("accounts.view_personal_data"),
        "themes": Theme.objects.all(),
        **bulk_context(_user(request)),
    }
    return render(request, "staff/message_list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export_rows(request: HttpRequest, labels: bool) -> tuple[list[str], Iterator[list[Any]]]:
    user = _user(request)
    scope = check_can_export(user)
    form = ExportFormat(labels=labels, personal=user.has_perm("accounts.view_personal_data"))
    messages = search_messages(scope, _filters(request))
    return form.header(), export_rows(messages, user, form, client_ip(request) or None)


@login_required
def message_export(request: HttpRequest) -> StreamingHttpResponse:
    header, rows = _export_rows(request, labels=False)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # the BOM lets Excel and WPS read UTF-8
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="messages.csv"'
    return response


@login_required
def message_export_xlsx(request: HttpRequest) -> FileResponse:
    header, rows = _export_rows(request, labels=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Messages"))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename="messages.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _message(request: HttpRequest, tracking_number: str) -> Message:
    message = get_object_or_404(
        Message.objects.select_related(
            "region", "lead_department", "theme", "category", "hall", "campaign"
        ),
        tracking_number=tracking_number,
    )
    check_can_view(_user(request), message)
    return message


@login_required
def message_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return render_message_page(request, _message(request, tracking_number))


def render_message_page(
    request: HttpRequest,
    message: Message,
    *,
    error: str | None = None,
    status: int = 200,
    instruction_form: LeaderInstructionForm | None = None,
) -> HttpResponse:
    """The message page, with the moves this person may make now (and why the last failed)."""
    user = _user(request)
    context = {
        "message": message,
        "contact": masked_contact(message),
        "events": message.events.select_related("actor"),
        "attachments": message.attachments.all(),
        "can_reveal": user.has_perm("accounts.view_personal_data"),
        "can_act": user.has_perm("accounts.act_on_messages"),
        "error": error,
        "similar": similar_messages(message_scope(user), message),
        "duplicates": duplicates_of(message, message_scope(user)),
        **move_context(user, message),
        **feedback_context(user, message),
        "suggestions": desk_suggestions(message),
        **documents_context(user, message, instruction_form),
        **publication_context(user, message),
    }
    return render(request, "staff/message_detail.html", context, status=status)


@login_required
@require_POST
def message_reveal(request: HttpRequest, tracking_number: str) -> HttpResponse:
    message = _message(request, tracking_number)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return HttpResponse(
            _("Please give the reason for viewing the contact details."), status=400
        )
    contact = do_reveal_contact(_user(request), message, reason, client_ip(request) or None)
    return render(request, "staff/message_reveal.html", {"message": message, "contact": contact})


@login_required
@require_POST
def message_note(request: HttpRequest, tracking_number: str) -> HttpResponse:
    message = _message(request, tracking_number)
    try:
        do_add_note(_user(request), message, request.POST.get("note", ""))
    except InvalidNote:
        return HttpResponse(_("A note must have 1 to 2,000 characters."), status=400)
    return redirect("staff:message", tracking_number=message.tracking_number)


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=attachment_id)
    check_can_view(_user(request), attachment.message)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=f"{attachment.message.tracking_number}-{attachment.pk}.{attachment.extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
