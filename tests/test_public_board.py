"""The public board: published messages, masked, in Chinese and English, with RSS and Atom.

Personas: ``citizen`` wrote the message (through ``answered``), ``clerk`` proposes it,
``editor`` publishes it, and ``visitor`` (no account) reads the board.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from yiwang.accounts.models import User
from yiwang.casework.feedback import do_rate
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.publishing import queries
from yiwang.publishing.actions import (
    Draft,
    do_approve,
    do_decline,
    do_propose,
    do_reopen,
    do_save_draft,
    do_unpublish,
)
from yiwang.publishing.models import Publication
from yiwang.search.queries import search
from yiwang.taxonomy.models import Category, Theme

pytestmark = pytest.mark.django_db

BOARD = "/board/"
EN_BOARD = "/en/board/"  # for the notes' English wording
RSS = "/board/feed/rss.xml"
ATOM = "/board/feed/atom.xml"
API = "/api/v1/public/messages"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
CST = dt.timezone(dt.timedelta(hours=8))
PERSONAL = "我叫王小明，电话13912345678，住在阳光小区3栋2单元501室，小区电梯坏了两个月。"
NEVER_SHOWN = ["王小明", "13912345678", "3栋2单元501室", "13800138000", "李大伟", "wxm@example.com"]

Publish = Callable[..., Publication]


@pytest.fixture
def visitor() -> Client:
    """Anyone on the internet, not signed in."""
    return Client()


@pytest.fixture(name="publish")
def publish_fixture(
    answered: Callable[..., SubmissionResult],
    clerk: User,
    editor: User,
    taxonomy: dict[str, Category],
    theme: Theme,
) -> Publish:
    """A citizen's message, replied to, proposed by the clerk and published by the editor."""
    numbers = itertools.count(1)

    def _publish(
        *,
        category: str | None = "repairs",
        department: Department | None = None,
        rating: int | None = None,
        comment: str = "",
        facts: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> Publication:
        n = next(numbers)
        overrides.setdefault("title", f"第{n}件：小区电梯长期故障")
        overrides.setdefault("content", f"我们小区{n}幢的电梯坏了两个月，物业一直不修。")
        overrides.setdefault("theme", theme.code)
        message = answered(consent_publish=True, **overrides).message
        changes: dict[str, Any] = dict(facts or {})
        if category:
            changes["category"] = taxonomy[category]
        if department:
            changes["lead_department"] = department
        Message.objects.filter(pk=message.pk).update(**changes)
        if rating:
            do_rate(message.pk, rating, comment)
        return do_approve(editor, do_propose(clerk, message.pk, "").pk)

    return _publish


# --- helpers ------------------------------------------------------------------------------------


def page_text(response: Any) -> str:
    return str(response.content.decode())


def listed_titles(response: Any) -> list[str]:
    found = re.findall(
        r'<h2 id="entry-\d+"[^>]*><a href="[^"]+">(.*?)</a></h2>', page_text(response)
    )
    return [html.unescape(title) for title in found]


def notes(response: Any) -> list[str]:
    found = re.findall(r'<div class="notice" role="status"><p>(.*?)</p></div>', page_text(response))
    return [html.unescape(note) for note in found]


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def parsed(response: Any) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314 -- our own server's output, in a test


def rss_titles(response: Any) -> list[str]:
    root = parsed(response)
    assert root.tag == "rss"
    return [html.unescape(t.text or "") for t in root.findall("./channel/item/title")]


def atom_titles(response: Any) -> list[str]:
    root = parsed(response)
    assert root.tag == f"{ATOM_NS}feed"
    return [t.text or "" for t in root.findall(f"./{ATOM_NS}entry/{ATOM_NS}title")]


def titles(visitor: Client, **params: str) -> list[str]:
    """The titles the board lists for these query parameters."""
    return listed_titles(visitor.get(BOARD, params))


def everything_a_visitor_can_fetch(visitor: Client, publication: Publication) -> Iterator[bytes]:
    """Every public answer about the publication, as bytes; JSON also with its \\u escapes
    undone, so that Chinese text is compared as text."""
    searched = {"q": "电梯"}
    for path, params in (
        (BOARD, {}),
        (BOARD, searched),
        (f"{BOARD}{publication.pk}/", {}),
        (f"/en{BOARD}{publication.pk}/", {}),
        (RSS, {}),
        (ATOM, {}),
        (API, {}),
        (API, searched),
        (f"{API}/{publication.pk}", {}),
    ):
        response = visitor.get(path, params)
        assert response.status_code == 200, path
        yield response.content
        if response["Content-Type"].startswith("application/json"):
            yield json.dumps(response.json(), ensure_ascii=False).encode()


# --- the list -----------------------------------------------------------------------------------


def test_the_board_lists_published_messages_newest_first(visitor: Client, publish: Publish) -> None:
    first, second = publish(), publish()
    response = visitor.get(BOARD)
    assert response.status_code == 200
    assert listed_titles(response) == [second.title, first.title]


def test_the_public_navigation_links_to_the_board(visitor: Client, db: None) -> None:
    assert f'href="{BOARD}"' in page_text(visitor.get("/"))


def test_a_visitor_filters_by_theme(visitor: Client, publish: Publish) -> None:
    housing = Theme.objects.create(code="t02", name_zh="住有所居", name_en="A home for all")
    about_housing = publish(theme=housing.code)
    publish()
    assert titles(visitor, theme="t02") == [about_housing.title]


def test_a_major_category_includes_its_minor_ones_and_a_minor_one_only_itself(
    visitor: Client, publish: Publish
) -> None:
    buses, taxis, repairs = publish(category="buses"), publish(category="taxis"), publish()
    assert titles(visitor, category="04") == [taxis.title, buses.title]
    assert titles(visitor, category="04.01") == [buses.title]
    assert titles(visitor, category="01") == [repairs.title]


def test_a_city_includes_its_districts_and_a_district_only_itself(
    visitor: Client, publish: Publish
) -> None:
    west_lake, binjiang = publish(region="330106"), publish(region="330108")
    assert titles(visitor, region="330100") == [binjiang.title, west_lake.title]
    assert titles(visitor, region="330000") == [binjiang.title, west_lake.title]
    assert titles(visitor, region="330108") == [binjiang.title]


def test_a_visitor_filters_by_the_answering_department(
    visitor: Client, publish: Publish, departments: dict[str, Department]
) -> None:
    by_transport = publish(department=departments["transport"])
    publish()
    assert titles(visitor, department="杭交") == [by_transport.title]


def test_a_visitor_searches_in_chinese_and_combines_it_with_a_filter(
    visitor: Client, publish: Publish
) -> None:
    lights = publish(
        title="路灯不亮", content="文三路的路灯坏了一周了，晚上很黑。", category="buses"
    )
    publish(title="公交站台破损", content="公交站台的顶棚破了，下雨没处躲。", category="buses")
    publish()
    assert titles(visitor, q="路灯") == [lights.title]
    assert titles(visitor, q="路灯", category="04") == [lights.title]
    assert titles(visitor, q="路灯", category="01") == []
    assert notes(visitor.get(EN_BOARD, {"q": "地铁"})) == [
        "No published message matches your search “地铁”."
    ]


@pytest.mark.parametrize(
    "q",
    [
        '电梯" OR * NEAR(a b) ^ - :',
        "'; DROP TABLE publishing_publication; --",
        "电梯 & | ! <-> 修",
        "电" * 10_000,
        "电梯\x00\x01\x1b[31m\u200b\u202e",
        "%",
        "   ",
    ],
    ids=["fts-syntax", "sql", "tsquery", "10000-chars", "control-characters", "percent", "blank"],
)
def test_hostile_searches_just_work(visitor: Client, publish: Publish, q: str) -> None:
    publish()
    for path in (BOARD, RSS, API):
        assert visitor.get(path, {"q": q, "theme": q, "region": q}).status_code == 200


def test_twenty_messages_a_page_and_odd_page_numbers_show_the_first_or_last_page(
    visitor: Client, publish: Publish
) -> None:
    published = [publish() for _ in range(queries.PAGE_SIZE + 1)]
    newest_first = [p.title for p in reversed(published)]
    assert listed_titles(visitor.get(BOARD)) == newest_first[:20]
    assert titles(visitor, page="2") == newest_first[20:]
    for odd in ("abc", "", "1.5", "9" * 5000, "\x00"):
        assert titles(visitor, page=odd) == newest_first[:20], odd
    for beyond in ("3", "0", "-1", "99999999999999999999999"):
        assert titles(visitor, page=beyond) == newest_first[20:], beyond


def test_the_pages_keep_the_filters_in_their_links(visitor: Client, publish: Publish) -> None:
    for _ in range(queries.PAGE_SIZE + 1):
        publish()
    text = page_text(visitor.get(BOARD, {"theme": "t01", "q": "电梯"}))
    following = re.search(r'href="([^"]+)" rel="next"', text)
    assert following is not None
    assert html.unescape(following.group(1)) == f"{BOARD}?q=%E7%94%B5%E6%A2%AF&theme=t01&page=2"


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("theme=nope", "No published message has the theme “nope”."),
        ("category=99", "No published message is in the category “99”."),
        ("region=999999", "No published message comes from the region “999999”."),
        ("department=不存在", "No published message was answered by the department “不存在”."),
    ],
)
def test_an_unknown_filter_value_gives_an_empty_list_and_says_which(
    visitor: Client, publish: Publish, query: str, note: str
) -> None:
    publish()
    name, value = query.split("=")
    response = visitor.get(EN_BOARD, {name: value})
    assert response.status_code == 200
    assert listed_titles(response) == []
    assert notes(response) == [note]


def test_filters_offer_only_values_that_have_published_messages(
    visitor: Client, publish: Publish, taxonomy: dict[str, Category]
) -> None:
    Theme.objects.create(code="t09", name_zh="无人问津", name_en="Nobody asked")
    publish(category="buses")
    text = page_text(visitor.get(BOARD))
    assert 'value="t01"' in text
    assert 'value="t09"' not in text
    assert 'value="04"' in text  # the major category of a published minor one
    assert 'value="04.01"' in text
    assert 'value="04.02"' not in text
    assert 'value="01.01"' not in text
    assert 'value="330100"' in text  # the city of the district
    assert 'value="330108"' not in text
    assert 'value="杭建"' in text
    assert 'value="杭交"' not in text


def test_an_empty_board_says_so(visitor: Client, db: None) -> None:
    assert notes(visitor.get(EN_BOARD)) == ["No message has been published yet."]
    assert notes(visitor.get(BOARD)) == ["还没有公开的留言。"]


# --- one message --------------------------------------------------------------------------------


def test_a_message_shows_its_public_words_and_facts(visitor: Client, publish: Publish) -> None:
    # Submitted the day before National Day 2026, replied the Friday after: the seven days of
    # holiday do not count, only Thursday 8 and Friday 9 October.
    publication = publish(
        rating=2,
        comment="处理得还行",
        facts={
            "submitted_at": dt.datetime(2026, 9, 30, 10, 0, tzinfo=CST),
            "replied_at": dt.datetime(2026, 10, 9, 16, 0, tzinfo=CST),
        },
    )
    response = visitor.get(f"/en{BOARD}{publication.pk}/")
    assert response.status_code == 200
    text = page_text(response)
    assert f'<h1 lang="zh-Hans">{publication.title}</h1>' in text
    for shown in (publication.text, publication.reply, "2026-09-30", "2026-10-09", "西湖区"):
        assert shown in text
    for shown in ("Fewer trips", "住房 › 房屋维修", "杭州市住房保障和房产管理局"):
        assert shown in text
    assert re.search(r'id="response-time">2 working days<', text)
    assert re.search(r'id="rating">Satisfied<', text)
    assert "处理得还行" not in text


def test_a_reply_the_same_day_took_no_working_day(visitor: Client, publish: Publish) -> None:
    monday = dt.datetime(2026, 11, 16, 9, 0, tzinfo=CST)
    publication = publish(facts={"submitted_at": monday, "replied_at": monday.replace(hour=17)})
    text = page_text(visitor.get(f"/en{BOARD}{publication.pk}/"))
    assert re.search(r'id="response-time">0 working days<', text)
    assert re.search(r'id="rating">Not rated<', text)


def test_a_message_shows_its_departments_averages_over_its_published_messages(
    visitor: Client, publish: Publish, departments: dict[str, Department]
) -> None:
    monday = dt.datetime(2026, 11, 16, 9, 0, tzinfo=CST)
    day = dt.timedelta(days=1)
    publish(rating=1, facts={"submitted_at": monday, "replied_at": monday + day})  # 1 working day
    friday_to_tuesday = {"submitted_at": monday + 4 * day, "replied_at": monday + 8 * day}
    publication = publish(rating=2, facts=friday_to_tuesday)  # 2 working days
    publish(department=departments["transport"], rating=3, facts=friday_to_tuesday)  # not theirs
    text = page_text(visitor.get(f"/en{BOARD}{publication.pk}/"))
    record = re.search(r'<dl class="facts" id="department-record">(.*?)</dl>', text, re.DOTALL)
    assert record is not None
    figures = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", record.group(1))).split())
    assert "Published messages it answered 2" in figures
    assert "1.5 working days" in figures
    assert "Satisfied: 1.5 on the scale from 1 (very satisfied) to 5 (very unsatisfied)" in figures
    assert "from 2 ratings" in figures


def test_an_unknown_message_is_not_found(visitor: Client, db: None) -> None:
    assert visitor.get(f"{BOARD}12345/").status_code == 404
    assert visitor.get(f"{BOARD}99999999999999999999999/").status_code == 404
    assert visitor.get(f"{BOARD}abc/").status_code == 404


# --- what never reaches the public --------------------------------------------------------------


def test_proposed_awaiting_and_declined_publications_appear_nowhere(
    visitor: Client,
    answered: Callable[..., SubmissionResult],
    clerk: User,
    editor: User,
    publish: Publish,
) -> None:
    proposed = do_propose(
        clerk, answered(title="草稿一", content="草稿一：电梯坏了。").message.pk, ""
    )
    awaiting = do_propose(
        clerk, answered(title="草稿二", content="草稿二：电梯坏了。").message.pk, ""
    )
    do_save_draft(editor, awaiting.pk, Draft("电梯故障", "有市民反映电梯坏了。", "已修好"))
    do_approve(editor, awaiting.pk)  # a summary waits for a second editor
    declined = do_propose(
        clerk,
        answered(title="草稿三", content="草稿三：电梯坏了。", consent_publish=True).message.pk,
        "",
    )
    do_decline(editor, declined.pk, "不够典型")
    public = publish()
    for hidden in (proposed, awaiting, declined):
        assert visitor.get(f"{BOARD}{hidden.pk}/").status_code == 404
        assert visitor.get(f"{API}/{hidden.pk}").status_code == 404
    assert search("publication", "电梯").ids == [public.pk]
    for content in everything_a_visitor_can_fetch(visitor, public):
        assert "草稿".encode() not in content


def test_an_unpublished_message_is_gone_at_once_everywhere(
    visitor: Client, publish: Publish, editor: User
) -> None:
    kept, withdrawn = publish(), publish()
    do_unpublish(editor, withdrawn.pk, "当事人要求撤下")
    page = visitor.get(f"{BOARD}{withdrawn.pk}/")
    assert page.status_code == 410
    assert page_text(page).count("<h1>") == 1
    assert withdrawn.title not in page_text(page)
    assert visitor.get(f"{API}/{withdrawn.pk}").status_code == 410
    assert listed_titles(visitor.get(BOARD)) == [kept.title]
    assert titles(visitor, q="电梯") == [kept.title]
    assert rss_titles(visitor.get(RSS)) == [kept.title]
    assert atom_titles(visitor.get(ATOM)) == [kept.title]
    assert search("publication", "电梯").ids == [kept.pk]


def test_an_unpublished_message_back_in_the_editors_queue_is_still_gone(
    visitor: Client, publish: Publish, editor: User
) -> None:
    publication = publish()
    do_unpublish(editor, publication.pk, "当事人要求撤下")
    do_reopen(editor, publication.pk)
    assert visitor.get(f"{BOARD}{publication.pk}/").status_code == 410


def test_the_personal_data_of_the_message_never_reaches_the_public(
    visitor: Client, publish: Publish
) -> None:
    publication = publish(
        content=PERSONAL,
        contact_name="李大伟",
        email="wxm@example.com",
        rating=1,
        comment="李大伟：谢谢你们",
    )
    message = Message.objects.get(publication=publication)
    never = [*NEVER_SHOWN, message.tracking_number, "谢谢你们"]
    for content in everything_a_visitor_can_fetch(visitor, publication):
        for value in never:
            assert value.encode() not in content
    detail = page_text(visitor.get(f"{BOARD}{publication.pk}/"))
    assert "我叫王某某，电话139****5678" in detail


def test_markup_in_a_publication_is_shown_as_text_and_never_run(
    visitor: Client, answered: Callable[..., SubmissionResult], clerk: User, editor: User
) -> None:
    publication = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    hostile = Draft(
        "<script>alert(1)</script>电梯", "<img src=x onerror=alert(2)>电梯", "<b>修</b>"
    )
    do_save_draft(editor, publication.pk, hostile)
    do_approve(editor, publication.pk)
    for path in (BOARD, f"{BOARD}{publication.pk}/"):
        content = visitor.get(path).content
        assert b"<script>alert" not in content
        assert b"<img src=x" not in content
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in content
    for feed in (RSS, ATOM):
        root = parsed(visitor.get(feed))
        summaries = [
            e.text or "" for e in root.iter() if e.tag.endswith(("description", "summary"))
        ]
        assert "&lt;img src=x onerror=alert(2)&gt;" in summaries[-1]
        assert "<img" not in summaries[-1]


# --- feeds ----------------------------------------------------------------------------------------


def test_the_rss_feed_holds_the_newest_published_messages(
    visitor: Client, publish: Publish
) -> None:
    first, second = publish(), publish()
    response = visitor.get(RSS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == [second.title, first.title]
    root = parsed(response)
    links = [link.text for link in root.findall("./channel/item/link")]
    assert links == [f"http://testserver{BOARD}{p.pk}/" for p in (second, first)]
    description = root.findtext("./channel/item/description") or ""
    assert second.reply in description


def test_the_atom_feed_holds_the_newest_published_messages(
    visitor: Client, publish: Publish
) -> None:
    first, second = publish(), publish()
    response = visitor.get(ATOM)
    assert response.status_code == 200
    assert atom_titles(response) == [second.title, first.title]
    root = parsed(response)
    entry = root.find(f"{ATOM_NS}entry")
    assert entry is not None
    link = entry.find(f"{ATOM_NS}link")
    assert link is not None
    assert link.get("href") == f"http://testserver{BOARD}{second.pk}/"
    assert root.find(f"{ATOM_NS}author/{ATOM_NS}name") is not None


def test_feeds_hold_the_newest_fifty_and_follow_the_filters(
    visitor: Client, publish: Publish, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert queries.FEED_SIZE == 50
    monkeypatch.setattr("yiwang.publishing.feeds.FEED_SIZE", 2)
    buses = publish(category="buses")
    newer = [publish(), publish()]
    assert rss_titles(visitor.get(RSS)) == [p.title for p in reversed(newer)]
    assert rss_titles(visitor.get(RSS, {"category": "04"})) == [buses.title]
    assert atom_titles(visitor.get(ATOM, {"category": "04.01"})) == [buses.title]
    assert rss_titles(visitor.get(RSS, {"theme": "nope"})) == []


def test_the_list_page_announces_its_feeds_with_its_filters(
    visitor: Client, publish: Publish
) -> None:
    publish()
    text = page_text(visitor.get(BOARD, {"theme": "t01", "q": "电梯"}))
    alternates = re.findall(r'<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)"', text)
    assert alternates == [
        ("application/rss+xml", f"{RSS}?theme=t01"),
        ("application/atom+xml", f"{ATOM}?theme=t01"),
    ]


# --- cost -----------------------------------------------------------------------------------------


def test_the_list_page_costs_the_same_for_three_or_six_messages(
    visitor: Client, publish: Publish, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        publish()
    filtered = {"q": "电梯", "theme": "t01", "category": "01", "region": "330100"}
    # The count, the page, the calendar and one query for each filter's choices.
    with django_assert_num_queries(7):
        visitor.get(BOARD, filtered)
    for _ in range(3):
        publish()
    with django_assert_num_queries(7):
        response = visitor.get(BOARD, filtered)
    assert len(listed_titles(response)) == 6


def test_a_message_page_costs_three_queries(
    visitor: Client, publish: Publish, django_assert_num_queries: Any
) -> None:
    publication = publish()
    publish()
    with django_assert_num_queries(3):  # the calendar, the message, its department's record
        visitor.get(f"{BOARD}{publication.pk}/")


def test_a_feed_costs_one_query(
    visitor: Client, publish: Publish, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        publish()
    with django_assert_num_queries(1):
        visitor.get(RSS)


# --- languages and accessibility ----------------------------------------------------------------


def test_the_english_board_shows_english_labels_and_names(
    visitor: Client, publish: Publish
) -> None:
    publication = publish()
    listing = visitor.get(f"/en{BOARD}")
    text = page_text(listing)
    assert '<html lang="en">' in text
    assert "<h1>Published messages</h1>" in text
    assert "Fewer trips" in text
    assert 'href="/en/board/' in text
    detail = page_text(visitor.get(f"/en{BOARD}{publication.pk}/"))
    for label in ("Submitted on", "Replied on", "Response time", "The reply"):
        assert label in detail
    feed = parsed(visitor.get(f"/en{RSS}"))
    assert feed.findtext("./channel/language") == "en"


def test_chinese_words_on_an_english_page_are_marked_as_chinese(
    visitor: Client, publish: Publish
) -> None:
    publication = publish()
    text = page_text(visitor.get(f"/en{BOARD}{publication.pk}/"))
    assert f'<h1 lang="zh-Hans">{publication.title}</h1>' in text
    assert '<dd lang="zh-Hans">西湖区</dd>' in text  # no English name: the Chinese one
    assert "<dd>Fewer trips</dd>" in text
    assert '<div lang="zh-Hans"><p>已安排维修，本周内完成。</p></div>' in text
    assert '<option value="330106" lang="zh-Hans">西湖区</option>' in page_text(
        visitor.get(f"/en{BOARD}")
    )


def test_the_chinese_board_is_the_default_and_says_so(visitor: Client, publish: Publish) -> None:
    publish()
    text = page_text(visitor.get(BOARD))
    assert '<html lang="zh-Hans">' in text
    heading = in_language("zh-hans", "Published messages")
    assert f"<h1>{html.escape(heading)}</h1>" in text


class Outline(HTMLParser):
    """Headings in order, form controls and their labels, the page's title."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[str] = []
        self.labels: list[str] = []
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in {"input", "select", "textarea"} and found.get("type") not in {"hidden"}:
            self.controls.append(found.get("id") or "")
        if tag == "label" and found.get("for"):
            self.labels.append(found["for"] or "")
        self.in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def outline_of(response: Any) -> Outline:
    outline = Outline()
    outline.feed(page_text(response))
    return outline


def test_every_board_page_has_a_title_one_h1_ordered_headings_and_labelled_controls(
    visitor: Client, publish: Publish, editor: User
) -> None:
    publication, withdrawn = publish(), publish()
    do_unpublish(editor, withdrawn.pk, "当事人要求撤下")
    for path in (BOARD, f"{BOARD}{publication.pk}/", f"{BOARD}{withdrawn.pk}/", f"/en{BOARD}"):
        outline = outline_of(visitor.get(path))
        assert outline.title.strip(), path
        assert outline.headings.count(1) == 1, path
        assert outline.headings[0] == 1, path
        steps = zip(outline.headings, outline.headings[1:], strict=False)
        assert all(after <= before + 1 for before, after in steps), path
        assert all(c and c in outline.labels for c in outline.controls), path
        assert 'class="skip" href="#main"' in page_text(visitor.get(path))


def test_a_later_page_says_its_number_in_the_title(visitor: Client, publish: Publish) -> None:
    for _ in range(queries.PAGE_SIZE + 1):
        publish()
    assert "page 2" in outline_of(visitor.get(f"/en{BOARD}?page=2")).title
