"""The service search on a phone, in Debian's chromium: a citizen types pinyin initials, picks a
suggestion, chooses their region and opens a guide; by keyboard; and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_citizen_journey import fits_the_screen, has_visible_focus, screenshot, t
from yiwang.catalogue.generator import generate_catalogue
from yiwang.catalogue.search_views import HOME_COOKIE
from yiwang.demo.loader import load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH = "/services/"
WITHDRAWAL = "住房公积金提取"
# Every item in every region of the demo: the housing fund items come 148th to 156th of 310.
IMPLEMENTATIONS = 3000
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
def catalogue(db: None) -> None:
    """Made before the browser starts (see test_public_board_phone.on_the_board)."""
    load_reference_data()
    generate_catalogue(IMPLEMENTATIONS)


@pytest.fixture
def touch_phone(browser: Browser) -> Iterator[BrowserContext]:
    """The phone of conftest with a touch screen, so that the citizen taps."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context
    context.close()


def too_small_to_tap(page: Page) -> list[str]:
    """Visible links, buttons and fields of the page's content under 44 px tall (WCAG 2.5.5)."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '.service-search a, .service-search button, .service-search input,'
              + ' .service-search select, .service-search summary, [role=option]'))
            .filter((e) => e.getClientRects().length && e.type !== 'hidden')
            .filter((e) => e.getBoundingClientRect().height < 44)
            .map((e) => e.outerHTML.slice(0, 80))"""
    )
    return found


def suggestions(page: Page) -> Any:
    return page.get_by_role("listbox").get_by_role("option")


def test_a_citizen_types_pinyin_initials_picks_a_suggestion_and_opens_a_guide(
    live_server: Any, catalogue: None, touch_phone: BrowserContext
) -> None:
    page = touch_phone.new_page()
    page.goto(f"{live_server.url}{SEARCH}")
    assert fits_the_screen(page)
    box = page.get_by_role("combobox", name=t("What do you want to do?"))
    box.tap()
    page.keyboard.type("gjj")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(suggestions(page).first).to_be_visible()
    assert WITHDRAWAL in suggestions(page).all_inner_texts()
    assert too_small_to_tap(page) == []
    suggestions(page).get_by_text(WITHDRAWAL, exact=True).tap()

    page.wait_for_url(re.compile(r"\?q="))
    expect(box).to_have_value(WITHDRAWAL)
    cards = page.locator(".service-card")
    expect(cards.first).to_be_visible()
    assert WITHDRAWAL in cards.first.get_by_role("heading").inner_text()
    assert fits_the_screen(page)

    page.get_by_text(t("Choose your region to see its services first")).tap()
    page.get_by_label(t("Where you live or do business")).select_option("330106")
    page.get_by_role("button", name=t("Use this region")).tap()
    expect(page.locator("#home-now")).to_contain_text("西湖区")
    first = cards.first
    expect(first.locator(".badge.home")).to_have_text(t("In your region"))
    expect(first.locator(".card-region")).to_have_text("西湖区")
    assert {c["name"]: c["value"] for c in touch_phone.cookies()}[HOME_COOKIE] == "330106"
    assert fits_the_screen(page)
    assert too_small_to_tap(page) == []
    screenshot(page, "service-search-phone.png")

    name = first.get_by_role("heading").inner_text()
    first.get_by_role("link", name=name).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert "/services/" in page.url
    assert fits_the_screen(page)


def test_suggestions_are_chosen_with_the_arrow_keys_and_closed_with_escape(
    live_server: Any, catalogue: None, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/en{SEARCH}")
    box = page.get_by_role("combobox", name="What do you want to do?")
    box.focus()
    assert has_visible_focus(page)
    page.keyboard.type("sfz")
    expect(suggestions(page).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.keyboard.type(" ")  # typing again asks again
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = suggestions(page).nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id") or "")
    chosen = second.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    expect(box).to_have_value(chosen)
    expect(page.locator(".service-card").first).to_be_visible()


def test_without_javascript_the_search_and_the_filters_still_work(
    live_server: Any, catalogue: None, phone_without_javascript: BrowserContext
) -> None:
    page = phone_without_javascript.new_page()
    page.set_viewport_size(SMALL_PHONE)  # type: ignore[arg-type]
    page.goto(f"{live_server.url}/en{SEARCH}")
    assert fits_the_screen(page)
    page.get_by_label("What do you want to do?").fill("gjj")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"\?q=gjj"))
    count = page.locator("#result-count").inner_text()
    page.get_by_text("Narrow the results").click()
    page.get_by_role("link", name=re.compile(r"^Online \(\d+\)$")).click()
    expect(page.locator("#result-count")).not_to_have_text(count)
    expect(page.locator("#chosen-filters")).to_contain_text("Online")
    assert fits_the_screen(page)
    assert too_small_to_tap(page) == []
