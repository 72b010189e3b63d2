"""The message page lists forwarding documents and leaders' instructions; downloads keep scope.

Personas: the ``clerk`` forwards to the city housing bureau (``dept_officer``, ``dept_head``);
``other_dept_officer`` of the transport bureau must not learn the documents exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import User
from yiwang.casework.actions import do_forward, do_return
from yiwang.documents.models import ForwardingDocument, LeaderInstruction
from yiwang.intake.models import Message, MessageEvent, MessageState
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db
Persona = Callable[[User], Client]


@pytest.fixture
def forwarded(
    clerk: User, message_for: Callable[..., Message], departments: dict[str, Department]
) -> ForwardingDocument:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state=MessageState.TRIAGED)
    do_forward(clerk, message.pk, departments["housing"].pk, note="请限期维修")
    return ForwardingDocument.objects.select_related("message").get()


def page_of(document: ForwardingDocument) -> str:
    return f"/staff/messages/{document.message.tracking_number}/"


def download(document: ForwardingDocument, fmt: str) -> str:
    return f"/staff/documents/{document.pk}/download.{fmt}"


def instructions_url(message: Message) -> str:
    return f"/staff/documents/messages/{message.tracking_number}/instructions"


def test_the_desk_and_the_lead_department_see_the_document_and_download_both_formats(
    forwarded: ForwardingDocument, clerk: User, dept_officer: User, signed_in: Persona
) -> None:
    for person in (clerk, dept_officer):
        browser = signed_in(person)
        page = browser.get(page_of(forwarded)).content.decode()
        assert forwarded.reference in page
        assert download(forwarded, "docx") in page
        docx = browser.get(download(forwarded, "docx"))
        assert docx.status_code == 200
        assert docx["Content-Type"].endswith("wordprocessingml.document")
        assert "attachment" in docx["Content-Disposition"]
        assert docx["Cache-Control"] == "private, no-store"
        pdf = browser.get(download(forwarded, "pdf"))
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_another_departments_officer_gets_404_for_both_downloads(
    forwarded: ForwardingDocument, other_dept_officer: User, signed_in: Persona
) -> None:
    browser = signed_in(other_dept_officer)
    assert browser.get(download(forwarded, "docx")).status_code == 404
    assert browser.get(download(forwarded, "pdf")).status_code == 404
    assert browser.get(f"/staff/documents/{forwarded.pk + 999}/download.pdf").status_code == 404


def test_an_unknown_format_is_not_found(
    forwarded: ForwardingDocument, clerk: User, signed_in: Persona
) -> None:
    assert signed_in(clerk).get(download(forwarded, "odt")).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(forwarded: ForwardingDocument) -> None:
    response = Client().get(download(forwarded, "pdf"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_shows_a_voided_number_with_its_reason(
    forwarded: ForwardingDocument, dept_officer: User, signed_in: Persona
) -> None:
    do_return(dept_officer, forwarded.message_id, "应由区住建局办理")
    page = signed_in(dept_officer).get(page_of(forwarded)).content.decode()
    assert forwarded.reference in page
    assert "应由区住建局办理" in page


def test_a_clerk_adds_a_leaders_instruction_which_the_department_then_sees(
    forwarded: ForwardingDocument, clerk: User, dept_officer: User, signed_in: Persona
) -> None:
    message = forwarded.message
    response = signed_in(clerk).post(
        instructions_url(message),
        {
            "leader_name": "李明",
            "leader_title": "副省长",
            "text": "请住建部门尽快解决，并报结果。",
            "instructed_on": "2025-06-01",
        },
    )
    assert response.status_code == 302
    instruction = LeaderInstruction.objects.get()
    assert (instruction.entered_by, instruction.instructed_on) == (clerk, dt.date(2025, 6, 1))
    assert MessageEvent.objects.filter(message=message, action="leader_instruction").exists()
    page = signed_in(dept_officer).get(page_of(forwarded))
    assert "请住建部门尽快解决，并报结果。" in page.content.decode()
    assert page.context["instruction_form"] is None


def test_a_department_officer_may_not_add_an_instruction(
    forwarded: ForwardingDocument, dept_head: User, signed_in: Persona
) -> None:
    response = signed_in(dept_head).post(
        instructions_url(forwarded.message),
        {"leader_name": "李明", "text": "同意", "instructed_on": "2025-06-01"},
    )
    assert response.status_code == 403
    assert not LeaderInstruction.objects.exists()


def test_an_instruction_without_text_or_dated_tomorrow_shows_the_field_and_why(
    forwarded: ForwardingDocument, clerk: User, signed_in: Persona
) -> None:
    browser = signed_in(clerk)
    empty = browser.post(
        instructions_url(forwarded.message),
        {"leader_name": "李明", "text": "  ", "instructed_on": "2025-06-01"},
    )
    assert empty.status_code == 400
    assert "text" in empty.context["instruction_form"].errors
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    future = browser.post(
        instructions_url(forwarded.message),
        {"leader_name": "李明", "text": "同意", "instructed_on": tomorrow},
    )
    assert future.status_code == 400
    assert "instructed_on" in future.context["instruction_form"].errors
    assert not LeaderInstruction.objects.exists()


def test_the_message_page_reads_documents_and_instructions_in_a_fixed_number_of_queries(
    forwarded: ForwardingDocument,
    clerk: User,
    dept_officer: User,
    signed_in: Persona,
    departments: dict[str, Department],
) -> None:
    browser = signed_in(clerk)
    browser.get(page_of(forwarded))  # warm the session and per-process look-ups
    with CaptureQueriesContext(connection) as one:
        browser.get(page_of(forwarded))
    for reason in ("第一次退回", "第二次退回"):
        do_return(dept_officer, forwarded.message_id, reason)
        do_forward(clerk, forwarded.message_id, departments["housing"].pk)
    with CaptureQueriesContext(connection) as three:
        browser.get(page_of(forwarded))
    assert ForwardingDocument.objects.filter(message=forwarded.message).count() == 3
    assert len(three.captured_queries) == len(one.captured_queries)
