"""Attachments of government information: a PDF, pictures, a video (issue 9). Checked by
their content, never their name (``lib/uploads.py``: pictures re-encoded without metadata,
PDFs checked; an MP4 video recognised by its ``ftyp`` box), stored by content
(``intake.actions.do_store_file``), added or removed by whoever may change the information
(its drafters while it is a draft, the office head once it is published). Public exactly when
the information is."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.disclosure import page_cache
from yiwang.disclosure.actions import (
    DisclosureError,
    _event,
    _locked,
    check_can_approve,
    check_can_draft,
)
from yiwang.disclosure.models import (
    Attachment,
    AttachmentKind,
    EventKind,
    Information,
    InfoState,
)
from yiwang.intake.actions import do_store_file
from yiwang.lib.uploads import CleanFile, RejectedUpload, clean_upload, safe_file_name

# Within the 60 MB an upload request may declare (applications.views.upload_view).
MAX_VIDEO_BYTES = 50 * 1024 * 1024
MAX_PER_INFORMATION = 20
# The ISO base media brands of an MP4 a browser plays (ISO/IEC 14496-12 and -14).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "})


def is_mp4(data: bytes) -> bool:
    return len(data) >= 16 and data[4:8] == b"ftyp" and data[8:12] in MP4_BRANDS


def clean_attachment(data: bytes, name: str) -> CleanFile:
    """The checked file, or ``RejectedUpload`` (``empty_file``, ``too_large``,
    ``unsupported_type``, ``corrupt_image``, ``corrupt_pdf``)."""
    if not is_mp4(data):
        return clean_upload(data, name)  # images and PDFs, at most 10 MB
    if len(data) > MAX_VIDEO_BYTES:
        raise RejectedUpload(code="too_large", message="The video is larger than 50 MB.")
    return CleanFile(
        content=data,
        content_type="video/mp4",
        extension="mp4",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        safe_name=safe_file_name(name, "mp4"),
    )


def upload_message(code: str, name: str) -> str:
    messages = {
        "too_large": _("%(name)s is too large: at most 10 MB, or 50 MB for a video."),
        "unsupported_type": _(
            "%(name)s is not a PDF, a picture (JPEG, PNG, GIF, WebP) or an MP4 video."
        ),
        "corrupt_image": _("%(name)s is damaged or not what its name says."),
        "corrupt_pdf": _("%(name)s is a damaged PDF file."),
        "empty_file": _("%(name)s is empty."),
    }
    return messages.get(code, messages["unsupported_type"]) % {"name": name[:80]}


def _kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return AttachmentKind.PICTURE
    return AttachmentKind.VIDEO if content_type.startswith("video/") else AttachmentKind.DOCUMENT


def _check_can_change(user: User, information: Information) -> None:
    if information.state == InfoState.PUBLISHED:
        check_can_approve(user, information)
    elif information.state == InfoState.DRAFT:
        check_can_draft(user, information.body)
    else:
        raise DisclosureError(_("This information cannot be changed in its present state."))


def do_attach(
    user: User, information_id: int, name: str, data: bytes, caption: str = "", caption_en: str = ""
) -> Attachment:
    try:
        clean = clean_attachment(data, name)
    except RejectedUpload as exc:
        raise DisclosureError(upload_message(exc.code, name), "file") from exc
    with transaction.atomic():
        information = _locked(information_id)
        _check_can_change(user, information)
        attached = information.attachments.all()
        if attached.filter(sha256=clean.sha256).exists():
            raise DisclosureError(_("This file is already attached."), "file")
        if attached.count() >= MAX_PER_INFORMATION:
            message = _("At most %(count)d files.") % {"count": MAX_PER_INFORMATION}
            raise DisclosureError(message, "file")
        now = timezone.now()
        attachment = Attachment.objects.create(
            information=information,
            kind=_kind(clean.content_type),
            file=do_store_file(clean),
            name=clean.safe_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            caption=" ".join(caption.split())[:200],
            caption_en=" ".join(caption_en.split())[:300],
            created_by=user,
            created_at=now,
        )
        _event(information, EventKind.REVISED, user, f"+ {clean.safe_name}", now)
        if information.state == InfoState.PUBLISHED:
            page_cache.renew(information)
    return attachment


def do_detach(user: User, attachment_id: int) -> None:
    """Remove an attachment (the stored file stays: it is stored by content, and may be
    another's too)."""
    information_id = (
        Attachment.objects.filter(pk=attachment_id).values_list("information_id", flat=True).first()
    )
    if information_id is None:
        raise DisclosureError(_("There is no such file."))
    with transaction.atomic():
        information = _locked(information_id)
        _check_can_change(user, information)
        attachment = information.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise DisclosureError(_("There is no such file."))
        attachment.delete()
        _event(information, EventKind.REVISED, user, f"- {attachment.name}", timezone.now())
        if information.state == InfoState.PUBLISHED:
            page_cache.renew(information)
