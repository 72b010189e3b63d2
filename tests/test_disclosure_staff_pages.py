"""The disclosure office's pages (issue 9): drafting through the form with bad input refused
and nothing saved, review and scheduling by the head, what other bodies and citizens may not
see, and the list of information late for publication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from yiwang.accounts.models import User
from yiwang.disclosure import actions
from yiwang.disclosure.models import Information, InfoState
from yiwang.orgs.models import Department

from .conftest import _staff
from .disclosure_personas import body, head, officer

__all__ = ["body", "head", "officer"]  # fixtures, as pytest sees them
from .test_disclosure import policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = "/en/staff/disclosure/"


@pytest.fixture(autouse=True)
def _a_working_morning() -> Iterator[None]:
    morning = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(morning, tick=True), translation.override("en"):
        yield


def form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "关于公布住房租赁指导价格的通知",
        "kind": "notice",
        "category": "rules",
        "openness": "result",
        "attribute": "proactive",
        "generated_on": "2026-11-16",
        "summary": "公布指导价格",
        "text": "现将指导价格公布如下。",
        "title_en": "",
        "index_no": "",
    }
    data.update(overrides)
    return data


def test_an_officer_drafts_through_the_form_and_sees_the_draft(
    db: None, officer: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(officer)
    response = client.post(f"{STAFF}new", form())
    info = Information.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/staff/disclosure/{info.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert info.index_no in page
    assert "Submit for review" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"attribute": "withheld"}, "withheld_reason"),
        ({"attribute": "secret"}, "attribute"),
        ({"generated_on": "2026-13-01"}, "generated_on"),
        ({"generated_on": "2027-01-05"}, "generated_on"),
        ({"valid_until": "2026-01-01"}, "valid_until"),
        ({"index_no": "<b>1</b>"}, "index_no"),
        ({"kind": "interpretation"}, "interprets"),
        ({"interprets": "999999"}, "interprets"),
        ({"text": "\x00" * 10}, "text"),
    ],
)
def test_bad_input_on_the_form_names_the_field_and_saves_nothing(
    db: None,
    officer: User,
    signed_in: Callable[[User], Client],
    overrides: dict[str, str],
    field: str,
) -> None:
    response = signed_in(officer).post(f"{STAFF}new", form(**overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Information.objects.exists()


def test_a_colliding_index_number_is_refused_on_the_form(
    db: None, officer: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(officer)
    client.post(f"{STAFF}new", form(index_no="330100-0001-2026-00009"))
    again = client.post(f"{STAFF}new", form(index_no="330100-0001-2026-00009"))
    assert again.status_code == 400
    assert "already in use" in again.content.decode()
    assert Information.objects.count() == 1


def test_the_head_schedules_a_submitted_draft_and_may_not_schedule_in_the_past(
    db: None,
    officer: User,
    head: User,
    body: Department,
    signed_in: Callable[[User], Client],
) -> None:
    info = actions.do_draft(officer, body, policy())
    signed_in(officer).post(f"{STAFF}{info.pk}/submit")
    client = signed_in(head)
    past = client.post(f"{STAFF}{info.pk}/approve", {"approve-publish_at": "2026-11-01T09:00"})
    assert past.status_code == 400
    done = client.post(f"{STAFF}{info.pk}/approve", {"approve-publish_at": "2026-11-18T09:00"})
    assert done.status_code == 302
    info.refresh_from_db()
    assert info.state == InfoState.SCHEDULED
    assert info.publish_at == dt.datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)


def test_an_officer_cannot_approve_and_a_step_out_of_order_says_why(
    db: None,
    officer: User,
    head: User,
    body: Department,
    signed_in: Callable[[User], Client],
) -> None:
    info = actions.do_draft(officer, body, policy())
    assert signed_in(officer).post(f"{STAFF}{info.pk}/approve", {}).status_code == 403
    refused = signed_in(head).post(f"{STAFF}{info.pk}/approve", {})
    assert refused.status_code == 400
    assert 'id="error"' in refused.content.decode()
    assert signed_in(head).post(f"{STAFF}{info.pk}/nonsense", {}).status_code == 404


def test_other_bodies_and_citizens_see_nothing_of_the_drafts(
    db: None,
    officer: User,
    body: Department,
    departments: dict[str, Department],
    signed_in: Callable[[User], Client],
    client: Client,
    dept_officer: User,
) -> None:
    info = actions.do_draft(officer, body, policy())
    stranger = _staff("transport_officer", ["disclosure_officer"], departments["transport"])
    assert signed_in(stranger).get(f"{STAFF}{info.pk}/").status_code == 404
    assert signed_in(stranger).post(f"{STAFF}{info.pk}/submit").status_code == 404
    assert signed_in(dept_officer).get(STAFF).status_code == 403
    assert client.get(STAFF).status_code == 302  # to the sign-in page
    assert info.title not in signed_in(stranger).get(STAFF).content.decode()


def test_the_steps_need_their_csrf_token(db: None, officer: User, body: Department) -> None:
    info = actions.do_draft(officer, body, policy())
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(f"{STAFF}{info.pk}/submit").status_code == 403
    assert Information.objects.get().state == InfoState.DRAFT


def test_the_list_flags_what_is_late_for_publication(
    db: None, officer: User, body: Department, signed_in: Callable[[User], Client]
) -> None:
    late = actions.do_draft(officer, body, policy(title="已超过二十个工作日"))
    Information.objects.filter(pk=late.pk).update(changed_on=dt.date(2026, 10, 9))
    actions.do_draft(officer, body, policy(title="刚起草"))
    page = signed_in(officer).get(STAFF).content.decode()
    section = page[page.index('id="late"') :]
    assert "已超过二十个工作日" in section[: section.index("</section>")]
    assert "刚起草" not in section[: section.index("</section>")]


def test_the_head_revises_published_text_and_the_history_shows_it(
    db: None,
    officer: User,
    head: User,
    body: Department,
    signed_in: Callable[[User], Client],
) -> None:
    info = actions.do_draft(officer, body, policy())
    actions.do_submit(officer, info.pk)
    actions.do_approve(head, info.pk)
    data: dict[str, Any] = {**form(), "title": "更正后的标题", "revision_note": "更正标题"}
    data.pop("index_no")
    response = signed_in(head).post(f"{STAFF}{info.pk}/edit", data)
    assert response.status_code == 302
    page = signed_in(head).get(f"{STAFF}{info.pk}/").content.decode()
    assert "更正后的标题" in page
    assert "Revision 2" in page
    assert "更正标题" in page
