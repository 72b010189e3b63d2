"""Download a forwarding document (.docx, PDF); add a leader's instruction to a message."""

from __future__ import annotations

import io
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.access import check_can_view
from yiwang.accounts.models import User
from yiwang.documents.actions import InstructionInput, InvalidInstruction, do_add_leader_instruction
from yiwang.documents.content import letter_for
from yiwang.documents.fonts import FontMissing
from yiwang.documents.forms import LeaderInstructionForm
from yiwang.documents.models import ForwardingDocument
from yiwang.documents.render_docx import render_docx
from yiwang.documents.render_pdf import render_pdf
from yiwang.intake.models import Message

log = logging.getLogger(__name__)

FORMATS = {
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (render_pdf, "application/pdf"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _visible_document(request: HttpRequest, document_id: int) -> ForwardingDocument:
    """The document if its message is in the viewer's scope; 404 otherwise (no probing)."""
    document = get_object_or_404(
        ForwardingDocument.objects.select_related("message", "body", "lead_department"),
        pk=document_id,
    )
    try:
        check_can_view(_user(request), document.message)
    except PermissionDenied as exc:
        raise Http404 from exc
    return document


@login_required
def document_download(request: HttpRequest, document_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in FORMATS:
        raise Http404
    document = _visible_document(request, document_id)
    render, content_type = FORMATS[fmt]
    try:
        data = render(letter_for(document))
    except FontMissing as exc:
        log.error("%s", exc)
        return HttpResponse(
            _("The fonts for PDF documents are not installed. Please tell the administrator."),
            status=503,
        )
    response = FileResponse(
        io.BytesIO(data),
        content_type=content_type,
        as_attachment=True,
        filename=f"{document.download_name}.{fmt}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def instruction_add(request: HttpRequest, tracking_number: str) -> HttpResponse:
    from yiwang.staff.views import render_message_page

    message = get_object_or_404(Message, tracking_number=tracking_number)
    check_can_view(_user(request), message)
    form = LeaderInstructionForm(request.POST)
    if form.is_valid():
        data = InstructionInput(**form.cleaned_data)
        try:
            do_add_leader_instruction(_user(request), message, data)
        except InvalidInstruction as exc:
            form.add_error(exc.field, exc.message)
        else:
            return redirect("staff:message", tracking_number=message.tracking_number)
    return render_message_page(request, message, status=400, instruction_form=form)
