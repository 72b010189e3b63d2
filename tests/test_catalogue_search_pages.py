"""The public service search (一网通办): results, the citizen's own region, filters, pages,
suggestions as you type, both languages, and every kind of bad input answered with a page.

Personas: ``citizen`` (no account, a browser that keeps cookies) searches; the catalogue is the
generator's 1,500 implementations in the demo's 18 regions of Zhejiang, made once for the module
and rolled back after it. Wording is checked on the English pages (the Chinese ones follow the
catalogue of translations).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.test_public_board import in_language, notes, outline_of, page_text
from yiwang.catalogue.generator import generate_catalogue
from yiwang.catalogue.models import Implementation, ServiceTheme
from yiwang.catalogue.search_views import HOME_COOKIE, HOME_COOKIE_AGE
from yiwang.demo.loader import load_reference_data

pytestmark = pytest.mark.django_db

SEARCH = "/services/"
EN_SEARCH = "/en/services/"
SUGGEST = "/services/suggest"
EN_SUGGEST = "/en/services/suggest"
WEST_LAKE = "330106"  # 西湖区, a district of Hangzhou
HANGZHOU = "330100"
CATALOGUE = 1500
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def catalogue(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Made once (it takes seconds); each test runs in a savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        generate_catalogue(CATALOGUE)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def citizen(catalogue: None) -> Client:
    """Anyone on the internet, not signed in, on a browser that keeps cookies."""
    return Client()


# --- helpers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    name: str
    href: str
    region: str
    in_home_region: bool
    online: bool


def cards(response: Any) -> list[Card]:
    found = []
    for block in re.findall(r'<li class="service-card">(.*?)</li>', page_text(response), re.S):
        title = re.search(r'<h3><a href="([^"]+)"[^>]*>(.*?)</a></h3>', block)
        region = re.search(r'<span class="card-region"[^>]*>(.*?)</span>', block)
        assert title, block
        assert region, block
        found.append(
            Card(
                name=html.unescape(title.group(2)),
                href=title.group(1),
                region=html.unescape(region.group(1)),
                in_home_region='class="badge home"' in block,
                online='class="button"' in block,
            )
        )
    return found


def total(response: Any) -> int:
    count = re.search(r'<p id="result-count" role="status">\D*([\d,]+)', page_text(response))
    assert count, "the page says no count"
    return int(count.group(1).replace(",", ""))


def links(response: Any, rel: str) -> list[str]:
    found = re.findall(rf'<a class="chip" href="([^"]+)" rel="{rel}">', page_text(response))
    return [html.unescape(link) for link in found]


def facet(response: Any, key: str) -> dict[str, tuple[str, int]]:
    """A facet's values: label → (link, count)."""
    block = re.search(
        rf'<ul class="chips" aria-labelledby="facet-{key}">(.*?)</ul>', page_text(response), re.S
    )
    assert block, f"no facet {key}"
    chips = re.findall(
        r'<a class="chip[^"]*" href="([^"]+)"[^>]*><span[^>]*>(.*?)</span> '
        r'<span class="count">\((\d+)\)</span>',
        block.group(1),
    )
    return {html.unescape(label): (html.unescape(href), int(n)) for href, label, n in chips}


def searched(citizen: Client, path: str = EN_SEARCH, **params: str) -> Any:
    response = citizen.get(path, params)
    assert response.status_code == 200
    return response


# --- searching ----------------------------------------------------------------------------------


def test_a_citizen_searches_and_each_result_links_to_its_guide(citizen: Client) -> None:
    response = searched(citizen, SEARCH, q="身份证")
    found = cards(response)
    assert len(found) == 10
    assert total(response) == 72  # 4 identity card items in 18 regions
    assert all("身份证" in card.name for card in found)
    first = Implementation.objects.get(code=found[0].href.strip("/").split("/")[-1])
    assert citizen.get(found[0].href).status_code == 200
    text = page_text(searched(citizen, q="身份证"))
    for shown in ("Handled by", "Region", "Promised time limit", "How to apply"):
        assert f"<dt>{shown}</dt>" in text
    assert first.body.name_zh in page_text(response)


def test_an_online_service_says_apply_online_and_the_others_point_to_the_guide(
    citizen: Client,
) -> None:
    found = cards(searched(citizen, q="身份证"))
    online = [card for card in found if card.online]
    assert online
    assert all(Implementation.objects.get(code=c.href.split("/")[-2]).online for c in online)
    text = page_text(searched(citizen, q="身份证", online="0"))
    assert "See the service guide" in text
    assert ">Apply online</a>" not in text


def test_pinyin_initials_find_what_the_chinese_words_find(citizen: Client) -> None:
    assert total(searched(citizen, q="sfz")) == total(searched(citizen, q="身份证"))


def test_no_search_words_browse_the_catalogue_by_theme(citizen: Client) -> None:
    response = searched(citizen)
    assert total(response) == CATALOGUE
    assert '<h2 id="browse-heading">Browse by theme</h2>' in page_text(response)
    tiles = re.findall(r'<li><a href="/en/services/\?theme=([^"]+)">', page_text(response))
    assert tiles
    assert set(tiles) <= set(ServiceTheme.objects.values_list("code", flat=True))
    a_theme = searched(citizen, theme=tiles[0])
    assert 'id="browse-heading"' not in page_text(a_theme)
    assert 0 < total(a_theme) < CATALOGUE


def test_near_matches_are_announced(citizen: Client) -> None:
    response = searched(citizen, q="身份证 结婚")  # no item is both
    assert cards(response)
    assert 'id="near-matches"' in page_text(response)
    assert 'id="near-matches"' not in page_text(searched(citizen, q="身份证"))


def test_nothing_found_says_so_and_offers_example_searches(citizen: Client) -> None:
    response = searched(citizen, q="量子计算机")
    assert cards(response) == []
    text = page_text(response)
    assert "No service matches “量子计算机”." in text
    for example in ("身份证", "公积金提取", "sfz", "落户"):
        assert f">{example}</a>" in text
    assert 'href="/en/services/?q=sfz"' in text


# --- the citizen's own region -------------------------------------------------------------------


def test_choosing_a_region_keeps_it_in_a_cookie_for_a_year(citizen: Client) -> None:
    response = searched(citizen, q="身份证", home=WEST_LAKE)
    cookie = response.cookies[HOME_COOKIE]
    assert cookie.value == WEST_LAKE
    assert cookie["max-age"] == HOME_COOKIE_AGE == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert "Cookie" in response["Vary"]


def test_the_home_regions_services_are_listed_first_and_marked(citizen: Client) -> None:
    before = cards(searched(citizen, q="身份证"))
    assert not any(card.in_home_region for card in before)
    assert before[0].region != "Xihu District"
    searched(citizen, q="身份证", home=WEST_LAKE)
    after = cards(searched(citizen, q="身份证"))  # the cookie alone, on the next visit
    assert [card.region for card in after[:4]] == ["Xihu District"] * 4
    assert [card.in_home_region for card in after] == [True] * 4 + [False] * 6
    assert after[4].region == "Hangzhou City"  # then the regions above it
    assert '<option value="330106" selected>' in page_text(searched(citizen))


def test_the_home_region_is_named_with_a_link_to_forget_it(citizen: Client) -> None:
    citizen.cookies[HOME_COOKIE] = WEST_LAKE
    text = page_text(searched(citizen, q="身份证"))
    assert "<strong>Xihu District</strong>" in text
    forget = re.search(r'<a class="chip" id="forget-home" href="([^"]+)">', text)
    assert forget
    response = citizen.get(html.unescape(forget.group(1)))
    assert response.cookies[HOME_COOKIE].value == ""
    assert response.cookies[HOME_COOKIE]["max-age"] == 0
    assert not any(card.in_home_region for card in cards(response))
    assert total(response) == 72  # the search is kept


def test_only_the_home_regions_services_are_one_tap_away(citizen: Client) -> None:
    citizen.cookies[HOME_COOKIE] = WEST_LAKE
    text = page_text(searched(citizen, q="身份证"))
    only = re.search(r'<a class="chip" href="([^"]+)">Only services of my region</a>', text)
    assert only
    response = citizen.get(html.unescape(only.group(1)))
    assert total(response) == 4
    assert {card.region for card in cards(response)} == {"Xihu District"}


@pytest.mark.parametrize("code", ["999999", "<script>alert(1)</script>", "33010", "\x00330106"])
def test_an_unknown_home_region_changes_nothing_and_says_so(citizen: Client, code: str) -> None:
    citizen.cookies[HOME_COOKIE] = WEST_LAKE
    response = searched(citizen, q="身份证", home=code)
    assert HOME_COOKIE not in response.cookies
    assert cards(response)[0].in_home_region  # still the remembered one
    [note] = notes(response)
    assert note.startswith("There is no region with the code")
    assert "<script>alert" not in page_text(response)


def test_a_cookie_naming_no_region_is_dropped(citizen: Client) -> None:
    citizen.cookies[HOME_COOKIE] = "<b>999999"
    response = searched(citizen, q="身份证")
    assert response.cookies[HOME_COOKIE]["max-age"] == 0
    assert notes(response) == []


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["level", "audience", "theme", "online"])
def test_each_facet_value_narrows_the_total_to_its_count(citizen: Client, key: str) -> None:
    values = facet(searched(citizen), key)
    assert len(values) >= 2
    assert sum(n for _link, n in values.values()) >= CATALOGUE  # each has one or more
    for link, count in values.values():
        narrowed = citizen.get(link)
        assert total(narrowed) == count < CATALOGUE, link


def test_filters_combine_and_a_chosen_one_is_taken_away_with_a_tap(citizen: Client) -> None:
    county = searched(citizen, q="身份证", level="4")
    online_county = searched(citizen, q="身份证", level="4", online="1")
    assert total(searched(citizen, q="身份证")) > total(county) > total(online_county) > 0
    text = page_text(online_county)
    chosen = re.search(r'<ul class="chips" id="chosen-filters"[^>]*>(.*?)</ul>', text, re.S)
    assert chosen
    removals = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', chosen.group(1))]
    assert f"{EN_SEARCH}?q=%E8%BA%AB%E4%BB%BD%E8%AF%81&level=4" in removals  # online removed
    assert f"{EN_SEARCH}?q=%E8%BA%AB%E4%BB%BD%E8%AF%81" in removals  # every filter removed
    assert total(citizen.get(removals[0])) == total(county)


def test_a_region_filter_holds_the_region_and_the_regions_below_it(citizen: Client) -> None:
    city = searched(citizen, q="身份证", region=HANGZHOU)
    district = searched(citizen, q="身份证", region=WEST_LAKE)
    assert total(city) == 4 * 6  # Hangzhou and its five districts
    assert total(district) == 4
    assert "Hangzhou City" in page_text(city)  # named among the chosen filters


def test_a_department_filter_holds_its_services_only(citizen: Client) -> None:
    body = Implementation.objects.filter(region__code=WEST_LAKE, item__name_zh__contains="身份证")
    short_code = body.values_list("body__short_code", flat=True).first()
    assert short_code
    response = searched(citizen, q="身份证", department=short_code)
    assert total(response) == 4
    assert {card.region for card in cards(response)} == {"Xihu District"}


# --- pages --------------------------------------------------------------------------------------


def test_ten_services_a_page_with_links_to_the_next_and_previous_ones(citizen: Client) -> None:
    first = searched(citizen, q="身份证", level="4")
    assert links(first, "prev") == []
    [following] = links(first, "next")
    assert following == f"{EN_SEARCH}?q=%E8%BA%AB%E4%BB%BD%E8%AF%81&level=4&page=2"
    second = citizen.get(following)
    assert {c.href for c in cards(first)}.isdisjoint(c.href for c in cards(second))
    assert links(second, "prev") == [f"{EN_SEARCH}?q=%E8%BA%AB%E4%BB%BD%E8%AF%81&level=4&page=1"]
    assert "Page 2 of 6" in page_text(second)  # 52 county services
    assert "page 2" in outline_of(second).title


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        *[(odd, 1) for odd in ("abc", "-1", "0", "1.5", "", "\x00", "٣")],
        *[(beyond, 8) for beyond in ("99999", "9" * 5000, "8")],
    ],
)
def test_odd_page_numbers_show_the_first_or_the_last_page(
    citizen: Client, page: str, shown: int
) -> None:
    response = searched(citizen, q="身份证", page=page)  # 72 services: 8 pages
    assert f"Page {shown} of 8" in page_text(response)
    assert len(cards(response)) == (10 if shown == 1 else 2)


# --- suggestions --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["sfz", "身份", "shenfen"])
def test_pinyin_initials_and_fragments_suggest_identity_card_items(
    citizen: Client, typed: str
) -> None:
    response = citizen.get(SUGGEST, {"q": typed})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert 1 <= len(suggestions) <= 8
    assert all(set(s) == {"name", "code"} for s in suggestions)
    assert "居民身份证申领" in [s["name"] for s in suggestions]
    assert all("身份证" in s["name"] for s in suggestions)


def test_suggestions_leave_out_items_nobody_implements(citizen: Client) -> None:
    # The first 1,500 generated implementations reach no housing-fund item.
    assert citizen.get(SUGGEST, {"q": "gjj"}).json()["suggestions"] == []


def test_english_suggestions_use_the_english_name_where_there_is_one(citizen: Client) -> None:
    names = [s["name"] for s in citizen.get(EN_SUGGEST, {"q": "sfz"}).json()["suggestions"]]
    assert "Application for a resident identity card" in names
    assert "居民身份证申领" not in names
    assert any(CJK.search(name) for name in names)  # items with no English name


def test_suggestions_may_be_kept_by_caches_for_a_minute(citizen: Client) -> None:
    response = citizen.get(SUGGEST, {"q": "sfz"})
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "typed",
    ["", " ", "!!!", "。，、？", '"', "*", ":", "\x00", "\x00\x01", "公" * 101, "sfz " * 30],
)
def test_nothing_to_look_for_suggests_nothing(citizen: Client, typed: str) -> None:
    response = citizen.get(SUGGEST, {"q": typed})
    assert response.status_code == 200
    assert response.json() == {"suggestions": []}


def test_control_characters_do_not_stop_suggestions(citizen: Client) -> None:
    names = [s["name"] for s in citizen.get(SUGGEST, {"q": "身\x00份"}).json()["suggestions"]]
    assert "居民身份证申领" in names


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "证",
        "a" * 1000,
        "。，！？……",
        '"',
        "*",
        "NEAR",
        ":",
        'sfz身份证abc" OR * NEAR(a b) ^ - :',
        "'; DROP TABLE catalogue_implementation; --",
        "身份\x00证\x01\x1b[31m\u200b\u202e",
        "%",
        "   ",
    ],
    ids=[
        "one-char",
        "1000-chars",
        "punctuation",
        "quote",
        "star",
        "near",
        "colon",
        "mixed",
        "sql",
        "control-characters",
        "percent",
        "blank",
    ],
)
def test_hostile_searches_get_a_page(citizen: Client, q: str) -> None:
    for path in (SEARCH, EN_SEARCH):
        response = citizen.get(path, {"q": q})
        assert response.status_code == 200
        assert "<h1>" in page_text(response)
        assert "\x00" not in page_text(response)


def test_bytes_that_are_not_utf8_get_a_page(citizen: Client) -> None:
    for path in (SEARCH, SUGGEST):
        assert citizen.get(f"{path}?q=%ED%A0%80%FF%C0&level=%FF&page=%FF").status_code == 200


def test_nul_and_control_characters_are_taken_out_before_searching(citizen: Client) -> None:
    response = searched(citizen, q="身份\x00证\x1b\u200b")
    assert total(response) == 72
    assert 'value="身份证"' in page_text(response)


def test_a_long_search_is_cut_to_a_hundred_characters_and_says_so(citizen: Client) -> None:
    response = searched(citizen, q="身份证" + "a" * 997)
    assert notes(response) == ["Only the first 100 characters of your search were used."]
    value = re.search(r'<input id="service-q" name="q" value="([^"]*)"', page_text(response))
    assert value
    assert len(html.unescape(value.group(1))) == 100


@pytest.mark.parametrize("q", ["。，！？", '"', "*", ":", "+-^"])
def test_a_search_with_no_letters_or_digits_browses_and_says_why(citizen: Client, q: str) -> None:
    response = searched(citizen, q=q)
    assert total(response) == CATALOGUE
    [note] = notes(response)
    assert note.endswith("has no letters or digits to look for, so the whole catalogue is shown.")


@pytest.mark.parametrize(
    ("name", "value", "note"),
    [
        ("level", "zz", "There is no level “zz”, so services of every level are shown."),
        ("level", "9", "There is no level “9”, so services of every level are shown."),
        ("audience", "abc", "“abc” is not a kind of applicant we know"),
        ("audience", "3", "“3” is not a kind of applicant we know"),
        ("online", "maybe", "“maybe” is not a way of applying we know"),
        ("theme", "nope", "There is no theme “nope”, so services of every theme are shown."),
        ("region", "999999", "There is no region with the code “999999”"),
        ("region", "<script>", "There is no region with the code “<script>”"),
        ("department", "不存在", "There is no department “不存在”"),
        ("department", "浙\x00公", "There is no department “浙公”"),
        ("department", "x" * 500, "There is no department “xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…”"),
    ],
)
def test_an_unknown_filter_value_is_left_out_and_named(
    citizen: Client, name: str, value: str, note: str
) -> None:
    response = searched(citizen, q="身份证", **{name: value})
    assert total(response) == 72  # as though the filter had not been asked for
    [said] = notes(response)
    assert said.startswith(note)
    assert "<script>" not in page_text(response).split("<main", 1)[1]
    assert 'id="chosen-filters"' not in page_text(response)


def test_every_bad_value_at_once_gets_one_note_each(citizen: Client) -> None:
    response = searched(
        citizen,
        q="*",
        page="abc",
        level="zz",
        audience="abc",
        online="maybe",
        theme="nope",
        region="<script>",
        department="不存在",
        home="<script>",
    )
    assert len(notes(response)) == 8
    assert total(response) == CATALOGUE


# --- languages and accessibility ----------------------------------------------------------------


class ChineseOutsideMarkedText(HTMLParser):
    """Text with Chinese characters outside any element marked ``lang="zh-Hans"``."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[bool] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            inherited = bool(self.marked and self.marked[-1])
            self.marked.append(inherited or dict(attrs).get("lang") == "zh-Hans")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.marked:
            self.marked.pop()

    def handle_data(self, data: str) -> None:
        if CJK.search(data) and not (self.marked and self.marked[-1]):
            self.found.append(data.strip())


def test_the_english_page_is_english_and_marks_the_chinese_names(citizen: Client) -> None:
    for params in ({}, {"q": "身份证", "level": "4"}, {"q": "量子计算机"}, {"theme": "P-HUKOU"}):
        text = page_text(searched(citizen, **params))
        assert '<html lang="en">' in text
        parser = ChineseOutsideMarkedText()
        main = text.split("<main", 1)[1]
        typed = params.get("q", "")  # the citizen's own words are repeated as typed
        parser.feed(main.replace(typed, "") if typed else main)
        assert parser.found == [], params


def test_the_chinese_page_is_the_default(citizen: Client) -> None:
    text = page_text(searched(citizen, SEARCH, q="身份证"))
    assert '<html lang="zh-Hans">' in text
    assert f"<h1>{html.escape(in_language('zh-hans', 'Find a service'))}</h1>" in text
    assert '<option value="330106">　　西湖区</option>' in text
    assert 'href="/services/?q=' in text


@pytest.mark.parametrize(
    "path",
    [SEARCH, EN_SEARCH, f"{EN_SEARCH}?q=身份证", f"{EN_SEARCH}?q=量子计算机", f"{SEARCH}?q=*"],
)
def test_every_search_page_has_a_title_one_h1_ordered_headings_and_labelled_controls(
    citizen: Client, path: str
) -> None:
    outline = outline_of(citizen.get(path))
    assert outline.title.strip()
    assert outline.headings.count(1) == 1
    assert outline.headings[0] == 1
    steps = zip(outline.headings, outline.headings[1:], strict=False)
    assert all(after <= before + 1 for before, after in steps)
    assert all(c and c in outline.labels for c in outline.controls)


def test_the_page_has_no_inline_script_or_style_and_its_files_are_served(citizen: Client) -> None:
    text = page_text(searched(citizen, q="身份证"))
    assert re.findall(r"<script[^>]*>", text) == [
        '<script src="/static/js/service-suggest.js" defer>'
    ]
    assert " style=" not in text
    assert "<style" not in text
    for path in ("/static/js/service-suggest.js", "/static/css/services.css"):
        assert citizen.get(path).status_code == 200


def test_a_search_page_costs_the_same_queries_for_few_or_many_results(
    citizen: Client, django_assert_max_num_queries: Any
) -> None:
    citizen.cookies[HOME_COOKIE] = WEST_LAKE
    searched(citizen, q="身份证")  # the per-process look-ups, once
    for params in ({"q": "身份证"}, {"q": "证", "page": "3"}, {"q": "身份证", "level": "4"}):
        with django_assert_max_num_queries(9):
            searched(citizen, **params)
