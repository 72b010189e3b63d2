"""A citizen scans a service hall's QR code on a phone, writes, and the desk sees the hall."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.test_citizen_journey import CONTENT, TITLE, read_receipt, screenshot, t
from tests.browser.test_whole_loop import open_message, signed_in_page
from yiwang.accounts.models import User
from yiwang.channels.references import token_for
from yiwang.intake.models import Message
from yiwang.orgs.models import ServiceHall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scanned_code_fills_in_the_hall_and_the_desk_sees_where_the_message_came_from(
    live_server: Any,
    browser: Browser,
    phone: BrowserContext,
    halls: dict[str, ServiceHall],
    clerk: User,
) -> None:
    url = live_server.url
    citizen = phone.new_page()
    citizen.goto(f"{url}/q/{token_for(halls['binjiang'])}")
    expect(citizen.get_by_role("status").first).to_contain_text("滨江区政务服务中心")
    expect(citizen.get_by_label(t("Region"), exact=True)).to_have_count(0)  # the hall says
    screenshot(citizen, "hall-qr-form.png")
    citizen.get_by_label(t("Title"), exact=True).fill(TITLE)
    citizen.get_by_label(t("Your message"), exact=True).fill(CONTENT)
    citizen.get_by_label(t("Nature"), exact=True).select_option(value="complaint")
    citizen.get_by_role("button", name=t("Send my message")).click()
    number, _code = read_receipt(citizen)
    assert Message.objects.get(tracking_number=number).channel == "qr"

    desk = signed_in_page(browser, url, clerk)
    open_message(desk, url, number)
    expect(desk.locator("#hall")).to_have_text("滨江区政务服务中心 (BJ01)")
    expect(desk.get_by_role("cell", name="滨江区", exact=False).first).to_be_visible()
