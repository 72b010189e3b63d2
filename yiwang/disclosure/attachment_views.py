"""Attachments: served to the public with their published information, added and removed on
the office's page of the information."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yiwang.applications.views import upload_view
from yiwang.disclosure import attachment_actions
from yiwang.disclosure.actions import DisclosureError
from yiwang.disclosure.models import Attachment, InfoState
from yiwang.disclosure.staff_views import _information, _officer, _page

INLINE = ("image/", "video/")  # PDFs are downloads, never shown inline (lib/uploads.py)


@require_GET
def public_file(request: HttpRequest, attachment_id: int, name: str) -> FileResponse:
    """A published information's file; nothing for a draft, filed or withdrawn one."""
    rows = Attachment.objects.filter(information__state=InfoState.PUBLISHED)
    attachment = get_object_or_404(rows, pk=attachment_id)
    try:
        opened = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = attachment.content_type.startswith(INLINE)
    response = FileResponse(
        opened,
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@upload_view
@require_POST
def attach(request: HttpRequest, information_id: int) -> HttpResponse:
    user = _officer(request)
    information = _information(user, information_id)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, user, information, error=_("Choose a file to add."))
    try:
        attachment_actions.do_attach(
            user,
            information.pk,
            upload.name or "",
            upload.read(),
            request.POST.get("caption", ""),
            request.POST.get("caption_en", ""),
        )
    except DisclosureError as exc:
        return _page(request, user, information, error=exc.message)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The file has been added."))
    return redirect("disclosure_staff:information", information_id=information.pk)


@login_required
@require_POST
def detach(request: HttpRequest, information_id: int, attachment_id: int) -> HttpResponse:
    user = _officer(request)
    information = _information(user, information_id)
    try:
        attachment_actions.do_detach(user, attachment_id)
    except DisclosureError as exc:
        return _page(request, user, information, error=exc.message)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("The file has been removed."))
    return redirect("disclosure_staff:information", information_id=information.pk)
