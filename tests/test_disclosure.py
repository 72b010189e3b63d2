"""Government information disclosure (政务公开, issue 9): drafting with an index number,
review by another person, scheduled publication, revisions with history, withdrawal and
repeal; the 20-working-day check; the public catalogue with its filters, search, stable
addresses, JSON, CSV and feeds; the English channel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from yiwang.accounts.models import User
from yiwang.disclosure import actions, queries
from yiwang.disclosure.actions import Content, DisclosureError
from yiwang.disclosure.models import (
    Attribute,
    EventKind,
    Information,
    InfoState,
    Revision,
)
from yiwang.lib.workdays import Calendar
from yiwang.orgs.models import Department
from yiwang.search.models import Document

from .conftest import _staff
from .disclosure_personas import body, head, officer

__all__ = ["body", "head", "officer"]  # fixtures, as pytest sees them

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = Calendar.from_chinesecalendar()
CATALOGUE = "/open/"


@pytest.fixture(autouse=True)
def _a_working_morning() -> Iterator[None]:
    """Tuesday 17 November 2026, 10:00 in Beijing."""
    morning = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(morning, tick=True), translation.override("en"):
        yield


@pytest.fixture
def other_body_head(departments: dict[str, Department]) -> User:
    return _staff("transport_head", ["disclosure_head"], departments["transport"])


def policy(**overrides: object) -> Content:
    fields: dict[str, object] = {
        "kind": "policy",
        "category": "rules",
        "openness": "decision",
        "attribute": Attribute.PROACTIVE,
        "title": "关于进一步规范住房租赁市场的通知",
        "generated_on": dt.date(2026, 11, 10),
        "doc_number": "杭房局〔2026〕12号",
        "summary": "规范住房租赁市场秩序",
        "text": "为规范住房租赁市场，保障租赁当事人合法权益，现就有关事项通知如下。",
    }
    fields.update(overrides)
    return Content(**fields)  # type: ignore[arg-type]


def published(officer: User, head: User, content: Content | None = None) -> Information:
    info = actions.do_draft(officer, officer.department, content or policy())  # type: ignore[arg-type]
    actions.do_submit(officer, info.pk)
    return actions.do_approve(head, info.pk)


# --- Drafting ------------------------------------------------------------------------------------


def test_a_draft_gets_the_next_index_number_of_its_body_and_year(
    db: None, officer: User, body: Department
) -> None:
    first = actions.do_draft(officer, body, policy())
    second = actions.do_draft(officer, body, policy(title="第二份"))
    assert first.index_no == f"{body.region.code}-{body.pk:04d}-2026-00001"
    assert second.index_no.endswith("-2026-00002")
    assert (first.state, first.revision) == (InfoState.DRAFT, 1)
    assert Revision.objects.get(information=first).content["title"] == policy().title


def test_information_registered_elsewhere_keeps_its_index_number(
    db: None, officer: User, body: Department
) -> None:
    info = actions.do_draft(officer, body, policy(), index_no="11330000002482076Q/2021-219870")
    assert info.index_no == "11330000002482076Q/2021-219870"


@pytest.mark.parametrize("bad", ["ab-1", "x" * 40, "<script>", "2026 00001", "２０２６-00001"])
def test_a_malformed_index_number_is_refused(
    db: None, officer: User, body: Department, bad: str
) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, body, policy(), index_no=bad)
    assert refused.value.field == "index_no"
    assert not Information.objects.exists()


def test_an_index_number_that_collides_is_refused_and_nothing_is_saved(
    db: None, officer: User, body: Department
) -> None:
    actions.do_draft(officer, body, policy(), index_no="330100-0001-2026-00007")
    with pytest.raises(DisclosureError, match="already in use"):
        actions.do_draft(officer, body, policy(), index_no="330100-0001-2026-00007")
    assert Information.objects.count() == 1


def test_the_database_refuses_a_second_row_with_the_same_index_number(
    db: None, officer: User, body: Department
) -> None:
    info = actions.do_draft(officer, body, policy())
    info.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        info.save()


def test_information_not_disclosed_needs_its_reason(
    db: None, officer: User, body: Department
) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, body, policy(attribute=Attribute.WITHHELD))
    assert refused.value.field == "withheld_reason"
    withheld = policy(attribute=Attribute.WITHHELD, withheld_reason="涉及国家秘密")
    assert actions.do_draft(officer, body, withheld).withheld_reason == "涉及国家秘密"


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"generated_on": dt.date(2026, 12, 1)}, "generated_on"),
        ({"valid_until": dt.date(2026, 11, 9)}, "valid_until"),
        ({"repealed_on": dt.date(2025, 1, 1)}, "repealed_on"),
    ],
)
def test_dates_out_of_order_are_refused_naming_the_field(
    db: None, officer: User, body: Department, dates: dict[str, dt.date], field: str
) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, body, policy(**dates))
    assert refused.value.field == field


def test_an_interpretation_must_name_a_policy_document(
    db: None, officer: User, head: User, body: Department
) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, body, policy(kind="interpretation", title="解读"))
    assert refused.value.field == "interprets"
    document = published(officer, head)
    reading = policy(kind="interpretation", title="《通知》政策解读", interprets_id=document.pk)
    assert actions.do_draft(officer, body, reading).interprets == document


def test_only_the_bodys_own_disclosure_officers_draft_its_information(
    db: None, body: Department, other_body_head: User, dept_officer: User
) -> None:
    for user in (other_body_head, dept_officer):
        with pytest.raises(PermissionError):
            actions.do_draft(user, body, policy())


# --- Review and publication ----------------------------------------------------------------------


def test_approval_publishes_proactive_information_and_puts_it_in_search(
    db: None, officer: User, head: User
) -> None:
    info = published(officer, head)
    assert info.state == InfoState.PUBLISHED
    assert info.published_at is not None
    assert Document.objects.filter(kind="disclosure", object_id=info.pk).exists()
    kinds = list(info.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.DRAFTED,
        EventKind.SUBMITTED,
        EventKind.APPROVED,
        EventKind.PUBLISHED,
    ]


def test_the_author_cannot_approve_their_own_text(db: None, body: Department, head: User) -> None:
    info = actions.do_draft(head, body, policy())
    actions.do_submit(head, info.pk)
    with pytest.raises(DisclosureError, match="other than its author"):
        actions.do_approve(head, info.pk)


def test_another_bodys_head_cannot_approve(
    db: None, officer: User, body: Department, other_body_head: User
) -> None:
    info = actions.do_draft(officer, body, policy())
    actions.do_submit(officer, info.pk)
    with pytest.raises(PermissionError):
        actions.do_approve(other_body_head, info.pk)


def test_a_returned_draft_goes_back_to_its_drafter_with_the_reason(
    db: None, officer: User, head: User, body: Department
) -> None:
    info = actions.do_draft(officer, body, policy())
    actions.do_submit(officer, info.pk)
    with pytest.raises(DisclosureError):
        actions.do_return(head, info.pk, "  ")
    returned = actions.do_return(head, info.pk, "请补充政策依据")
    assert returned.state == InfoState.DRAFT
    assert returned.events.get(kind=EventKind.RETURNED).note == "请补充政策依据"


def test_information_disclosed_on_request_is_filed_not_published(
    db: None, officer: User, head: User
) -> None:
    info = published(officer, head, policy(attribute=Attribute.ON_REQUEST))
    assert info.state == InfoState.FILED
    assert not queries.published().exists()


def test_scheduled_information_goes_public_at_its_time_and_not_before(
    db: None, officer: User, head: User, body: Department
) -> None:
    info = actions.do_draft(officer, body, policy())
    actions.do_submit(officer, info.pk)
    at = timezone.now() + dt.timedelta(hours=2)
    assert actions.do_approve(head, info.pk, publish_at=at).state == InfoState.SCHEDULED
    assert actions.do_publish_due() == 0
    with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
        assert actions.do_publish_due() == 1
        assert actions.do_publish_due() == 0  # once
    info.refresh_from_db()
    assert (info.state, info.published_at) == (InfoState.PUBLISHED, at + dt.timedelta(seconds=1))


def test_a_step_out_of_order_is_refused(db: None, officer: User, head: User) -> None:
    info = published(officer, head)
    with pytest.raises(DisclosureError):
        actions.do_submit(officer, info.pk)
    with pytest.raises(DisclosureError):
        actions.do_approve(head, info.pk)


# --- Revisions, withdrawal, repeal ---------------------------------------------------------------


def test_a_published_text_is_revised_by_the_head_and_its_history_kept(
    db: None, officer: User, head: User
) -> None:
    info = published(officer, head)
    with pytest.raises(PermissionError):
        actions.do_revise(officer, info.pk, policy(title="改"))
    revised = actions.do_revise(head, info.pk, policy(summary="更正摘要"), "更正摘要错误")
    assert (revised.revision, revised.summary) == (2, "更正摘要")
    history = list(revised.revisions.order_by("number").values_list("number", "note"))
    assert history == [(1, ""), (2, "更正摘要错误")]


def test_published_information_cannot_quietly_become_undisclosed(
    db: None, officer: User, head: User
) -> None:
    info = published(officer, head)
    with pytest.raises(DisclosureError) as refused:
        actions.do_revise(head, info.pk, policy(attribute=Attribute.ON_REQUEST))
    assert refused.value.field == "attribute"


def test_withdrawn_information_leaves_search_and_its_address_says_why(
    db: None, officer: User, head: User, client: Client
) -> None:
    info = published(officer, head)
    with pytest.raises(DisclosureError):
        actions.do_withdraw(head, info.pk, "")
    actions.do_withdraw(head, info.pk, "内容已过时")
    assert not Document.objects.filter(kind="disclosure", object_id=info.pk).exists()
    page = client.get(f"/en{CATALOGUE}info/{info.index_no}/")
    assert page.status_code == 410
    assert "内容已过时" in page.content.decode()


def test_a_repealed_policy_stays_public_marked_repealed(
    db: None, officer: User, head: User, client: Client
) -> None:
    info = published(officer, head)
    actions.do_repeal(head, info.pk, dt.date(2026, 11, 16))
    page = client.get(f"{CATALOGUE}info/{info.index_no}/").content.decode()
    assert "2026-11-16" in page
    assert 'id="repealed"' in page


# --- The 20 working days -------------------------------------------------------------------------


def test_information_waiting_more_than_20_working_days_is_flagged(
    db: None, officer: User, body: Department
) -> None:
    # Changed on Friday 16 October 2026: the 20th working day after it is Friday 13 November.
    late = actions.do_draft(officer, body, policy(title="迟了"))
    Information.objects.filter(pk=late.pk).update(changed_on=dt.date(2026, 10, 16))
    in_time = actions.do_draft(officer, body, policy(title="还来得及"))
    Information.objects.filter(pk=in_time.pk).update(changed_on=dt.date(2026, 10, 20))
    flagged = queries.late_for_publication(CALENDAR, dt.date(2026, 11, 17))
    assert [info.pk for info in flagged] == [late.pk]
    assert queries.publication_due(CALENDAR, flagged[0]) == dt.date(2026, 11, 13)


def test_the_national_day_holiday_does_not_count_among_the_20_working_days(
    db: None, officer: User, body: Department
) -> None:
    # Changed on 30 September 2026, the eve of the National Day holiday (1–7 October).
    info = actions.do_draft(officer, body, policy())
    Information.objects.filter(pk=info.pk).update(changed_on=dt.date(2026, 9, 30))
    info.refresh_from_db()
    due = queries.publication_due(CALENDAR, info)
    assert due > dt.date(2026, 10, 28)  # 28 calendar days would be the naive answer
    assert CALENDAR.workdays_between(dt.date(2026, 9, 30), due) == 20


# --- The public catalogue ------------------------------------------------------------------------


def test_the_catalogue_lists_published_information_only_newest_first(
    db: None, officer: User, head: User, body: Department, client: Client
) -> None:
    first = published(officer, head)
    second = published(officer, head, policy(title="关于公布2026年度保障性住房名单的公告"))
    actions.do_draft(officer, body, policy(title="一份草稿"))
    page = client.get(f"{CATALOGUE}").content.decode()
    assert page.index(second.title) < page.index(first.title)
    assert "一份草稿" not in page


def test_the_catalogue_filters_by_body_category_openness_kind_and_year(
    db: None, officer: User, head: User, client: Client
) -> None:
    rule = published(officer, head)
    stats = published(
        officer,
        head,
        policy(
            title="2025年住房统计",
            category="statistics",
            kind="statistics",
            openness="result",
            generated_on=dt.date(2025, 3, 1),
        ),
    )
    for query, shown in (
        ("category=statistics", stats),
        ("openness=decision", rule),
        ("kind=statistics", stats),
        ("year=2025", stats),
        (f"body={rule.body_id}&year=2026", rule),
    ):
        page = client.get(f"{CATALOGUE}?{query}").content.decode()
        hidden = rule if shown is stats else stats
        assert shown.title in page, query
        assert hidden.title not in page, query


@pytest.mark.parametrize(
    "query",
    [
        "category=nonsense",
        "year=abc",
        "year=99999999999",
        "body=-1",
        "page=0",
        "page=x",
        "q=" + "长" * 1000,
        "q=%00",
        "q=\"'<script>",
        "kind[]=1",
    ],
)
def test_bad_catalogue_parameters_are_ignored_not_an_error(
    db: None, officer: User, head: User, client: Client, query: str
) -> None:
    published(officer, head)
    assert client.get(f"{CATALOGUE}?{query}").status_code == 200


def test_search_finds_published_information_by_its_words(
    db: None, officer: User, head: User, client: Client
) -> None:
    rental = published(officer, head)
    safety = policy(title="关于开展安全生产检查的通知", summary="安全检查", text="安全检查")
    other = published(officer, head, safety)
    page = client.get(CATALOGUE, {"q": "住房租赁"}).content.decode()
    assert rental.title in page
    assert other.title not in page


def test_a_draft_or_filed_information_has_no_public_address(
    db: None, officer: User, head: User, body: Department, client: Client
) -> None:
    draft = actions.do_draft(officer, body, policy())
    filed = published(officer, head, policy(attribute=Attribute.ON_REQUEST))
    for info in (draft, filed):
        assert client.get(f"{CATALOGUE}info/{info.index_no}/").status_code == 404
    assert client.get(f"{CATALOGUE}info/../../etc/passwd/").status_code == 404


def test_an_index_number_with_a_slash_has_a_stable_address(
    db: None, officer: User, head: User, body: Department, client: Client
) -> None:
    info = actions.do_draft(officer, body, policy(), index_no="11330000002482076Q/2021-219870")
    actions.do_submit(officer, info.pk)
    actions.do_approve(head, info.pk)
    page = client.get(f"{CATALOGUE}info/11330000002482076Q/2021-219870/")
    assert page.status_code == 200
    assert info.title in page.content.decode()


def test_the_catalogue_page_costs_a_fixed_number_of_queries(
    db: None, officer: User, head: User, client: Client
) -> None:
    published(officer, head)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{CATALOGUE}")
    for n in range(5):
        published(officer, head, policy(title=f"通知{n}"))
    with CaptureQueriesContext(connection) as many:
        client.get(f"{CATALOGUE}")
    assert len(many) == len(few)


def test_the_machine_readable_catalogue_as_json_and_csv(
    db: None, officer: User, head: User, client: Client
) -> None:
    info = published(officer, head)
    data = json.loads(client.get(f"{CATALOGUE}catalogue.json").content)
    assert data["count"] == 1
    assert data["results"][0]["index_no"] == info.index_no
    assert data["results"][0]["doc_number"] == "杭房局〔2026〕12号"
    response = cast(StreamingHttpResponse, client.get(f"{CATALOGUE}catalogue.csv"))
    text = b"".join(cast(Iterator[bytes], response.streaming_content)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["title"] for row in rows] == [info.title]


def test_each_category_has_rss_and_atom_feeds(
    db: None, officer: User, head: User, client: Client
) -> None:
    info = published(officer, head)
    atom = client.get(f"{CATALOGUE}feeds/rules.atom")
    assert atom.status_code == 200
    assert info.title in atom.content.decode()
    assert info.title not in client.get(f"{CATALOGUE}feeds/statistics.rss").content.decode()
    assert client.get(f"{CATALOGUE}feeds/nonsense.rss").status_code == 404


# --- The English channel -------------------------------------------------------------------------


def test_the_english_channel_lists_only_what_has_an_english_version(
    db: None, officer: User, head: User, client: Client
) -> None:
    english = published(
        officer,
        head,
        policy(
            title_en="Notice on regulating the housing rental market",
            text_en="To regulate the housing rental market, the following is notified.",
        ),
    )
    chinese_only = published(officer, head, policy(title="仅有中文的通知"))
    page = client.get(f"/en{CATALOGUE}").content.decode()
    assert english.title_en in page
    assert chinese_only.title not in page
    detail = client.get(f"/en{CATALOGUE}info/{english.index_no}/").content.decode()
    assert "To regulate the housing rental market" in detail
    assert "Index number" in detail


def test_information_due_in_a_year_the_calendar_lacks_is_not_late_and_hides_nothing(
    db: None, officer: User, body: Department
) -> None:
    late = actions.do_draft(officer, body, policy(title="迟了"))
    Information.objects.filter(pk=late.pk).update(changed_on=dt.date(2026, 10, 16))
    december = actions.do_draft(officer, body, policy(title="十二月修改"))
    Information.objects.filter(pk=december.pk).update(changed_on=dt.date(2026, 12, 10))
    flagged = queries.late_for_publication(CALENDAR, dt.date(2026, 12, 14))
    assert [info.pk for info in flagged] == [late.pk]
