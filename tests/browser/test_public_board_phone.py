"""The public board on a phone, in Debian's chromium: filter, open a message, focus visible."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.test_citizen_journey import has_visible_focus
from tests.test_public_board import BOARD, Publish, publish_fixture  # noqa: F401 (fixture)
from yiwang.publishing.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.fixture
def on_the_board(publish: Publish) -> Publication:
    """Made before the browser starts: ORM calls made while Playwright's sync API runs go
    through another connection, which PostgreSQL then finds still open at teardown."""
    buses = publish(category="buses", title="公交站台的顶棚破了")
    publish(content="我们小区的电梯坏了两个月，物业一直不修，老人上下楼非常困难。" * 8)
    return buses


def test_a_visitor_on_a_phone_filters_the_board_and_reads_a_message(
    live_server: Any, on_the_board: Publication, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/en{BOARD}")
    assert fits_the_screen(page)
    page.get_by_label("Category", exact=True).focus()
    assert has_visible_focus(page)
    page.get_by_label("Category", exact=True).select_option(value="04")
    page.get_by_role("button", name="Show messages").click()
    page.get_by_role("link", name=on_the_board.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == on_the_board.title
    assert fits_the_screen(page)
