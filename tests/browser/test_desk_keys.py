"""One key accepts the machine's suggestion, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_whole_loop import signed_in_page
from yiwang.accounts.models import User
from yiwang.classifier.actions import Ranked, do_record_suggestion
from yiwang.classifier.models import Target
from yiwang.intake.models import Message
from yiwang.taxonomy.models import Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pressing_1_files_the_message_under_the_first_suggestion(
    live_server: Any,
    browser: Browser,
    clerk: User,
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("housing")
    do_record_suggestion(
        message.pk,
        Target.CATEGORY,
        [Ranked(taxonomy["repairs"].pk, 0.83, ("电梯",)), Ranked(taxonomy["buses"].pk, 0.1)],
    )
    page = signed_in_page(browser, live_server.url, clerk)
    page.goto(f"{live_server.url}/staff/messages/{message.tracking_number}/")
    expect(page.locator("form[data-key='1']")).to_contain_text("房屋维修")
    page.get_by_label("内部备注").press("1")  # typing in a field files nothing
    page.locator("body").click()
    page.keyboard.press("1")
    expect(page.locator("form[data-key='1']")).to_have_count(0)
    message.refresh_from_db()
    assert message.category == taxonomy["repairs"]
    assert message.events.get(action="triage").actor == clerk
