"""Files of government information (issue 9): PDFs, pictures and MP4 video checked by their
content when added, wrong types, empty, oversized and repeated files refused with nothing
saved, hostile names made harmless, and files public exactly when their information is."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image

from yiwang.accounts.models import User
from yiwang.disclosure import actions, attachment_actions
from yiwang.disclosure.actions import DisclosureError
from yiwang.disclosure.models import Attachment, Information
from yiwang.orgs.models import Department

from .disclosure_personas import body, head, officer

__all__ = ["body", "head", "officer"]  # fixtures, as pytest sees them
from .test_disclosure import policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _a_working_morning() -> Iterator[None]:
    morning = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(morning, tick=True), translation.override("en"):
        yield


@pytest.fixture
def draft(officer: User, body: Department) -> Information:
    return actions.do_draft(officer, body, policy())


def publish(officer: User, head: User, information: Information) -> None:
    actions.do_submit(officer, information.pk)
    actions.do_approve(head, information.pk)


def test_a_pdf_a_picture_and_a_video_are_published_with_their_information(
    db: None, officer: User, head: User, draft: Information, client: Client
) -> None:
    document = attachment_actions.do_attach(officer, draft.pk, "通知全文.pdf", PDF, "全文")
    picture = attachment_actions.do_attach(
        officer, draft.pk, "现场.png", png(), "现场照片", "On site"
    )
    video = attachment_actions.do_attach(officer, draft.pk, "发布会.mp4", MP4, "发布会")
    assert [a.kind for a in (document, picture, video)] == ["document", "picture", "video"]
    assert client.get(f"/open/files/{picture.pk}/{picture.name}").status_code == 404  # a draft
    publish(officer, head, draft)
    page = client.get(f"/en/open/info/{draft.index_no}/").content.decode()
    assert 'id="attachments"' in page
    assert 'alt="现场照片"' in page  # the English caption waits for an English version
    served = client.get(f"/open/files/{document.pk}/{document.name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")  # never inline
    shown = client.get(f"/open/files/{picture.pk}/{picture.name}")
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "empty.pdf", "is empty"),
        (b"MZ\x90\x00" + bytes(200), "setup.pdf", "is not a PDF, a picture"),
        (b"<html><script>alert(1)</script></html>", "page.pdf", "is not a PDF, a picture"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "big.pdf", "too large"),
        (b"\x89PNG\r\n\x1a\n" + b"broken", "photo.png", "damaged"),
        (b"\x00\x00\x00\x18ftypqt  " + bytes(64), "movie.mov", "is not a PDF, a picture"),
    ],
)
def test_a_wrong_empty_damaged_or_oversized_file_is_refused_and_nothing_saved(
    db: None, officer: User, draft: Information, data: bytes, name: str, words: str
) -> None:
    with pytest.raises(DisclosureError, match=words) as refused:
        attachment_actions.do_attach(officer, draft.pk, name, data)
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()


def test_a_video_over_50_mb_is_refused(db: None, officer: User, draft: Information) -> None:
    big = MP4 + bytes(attachment_actions.MAX_VIDEO_BYTES)
    with pytest.raises(DisclosureError, match="too large"):
        attachment_actions.do_attach(officer, draft.pk, "long.mp4", big)


def test_the_same_file_twice_is_refused(db: None, officer: User, draft: Information) -> None:
    attachment_actions.do_attach(officer, draft.pk, "a.pdf", PDF)
    with pytest.raises(DisclosureError, match="already attached"):
        attachment_actions.do_attach(officer, draft.pk, "copy.pdf", PDF)
    assert Attachment.objects.count() == 1


def test_a_hostile_file_name_is_made_harmless(db: None, officer: User, draft: Information) -> None:
    attached = attachment_actions.do_attach(
        officer, draft.pk, "../../etc/\u202egpj.exe<script>.pdf", PDF
    )
    assert attached.name == "gpj.exescript.pdf"
    assert "/" not in attached.name


def test_once_published_only_the_head_changes_the_files_and_the_page_shows_it_at_once(
    db: None,
    officer: User,
    head: User,
    draft: Information,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    publish(officer, head, draft)
    address = f"/en/open/info/{draft.index_no}/"
    assert 'id="attachments"' not in client.get(address).content.decode()  # now cached
    with pytest.raises(PermissionError):
        attachment_actions.do_attach(officer, draft.pk, "late.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):  # the cached page is forgotten
        attachment_actions.do_attach(head, draft.pk, "补充说明.pdf", PDF)
    assert 'id="attachments"' in client.get(address).content.decode()


def test_a_removed_file_is_no_longer_served(
    db: None, officer: User, head: User, draft: Information, client: Client
) -> None:
    attached = attachment_actions.do_attach(officer, draft.pk, "a.pdf", PDF)
    attachment_actions.do_detach(officer, attached.pk)
    publish(officer, head, draft)
    assert client.get(f"/open/files/{attached.pk}/{attached.name}").status_code == 404
    with pytest.raises(DisclosureError):
        attachment_actions.do_detach(head, attached.pk)


def test_the_office_adds_a_file_through_its_page_and_sees_a_refusal_explained(
    db: None, officer: User, draft: Information, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(officer)
    address = f"/en/staff/disclosure/{draft.pk}/attach"
    good = client.post(address, {"file": SimpleUploadedFile("全文.pdf", PDF), "caption": "全文"})
    assert good.status_code == 302
    bad = client.post(address, {"file": SimpleUploadedFile("x.exe", b"MZ" + bytes(100))})
    assert bad.status_code == 400
    assert "is not a PDF, a picture" in bad.content.decode()
    missing = client.post(address, {})
    assert missing.status_code == 400
    assert Attachment.objects.count() == 1
    page = client.get(f"/en/staff/disclosure/{draft.pk}/").content.decode()
    assert "全文.pdf" in page
