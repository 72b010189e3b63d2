"""A citizen leaves a message on a phone and follows it, with and without JavaScript."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import BrowserContext, Locator, Page, expect

from yiwang.intake.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "路灯不亮"
CONTENT = "文三路与学院路路口的路灯已经一周不亮了，晚上行人过马路很危险，请尽快修复。"
CONSENT = "I agree that my message and its reply may be published without my personal data"


def t(text: str) -> str:
    """What the Chinese page says for this string (the site's default language)."""
    with translation.override("zh-hans"):
        return gettext(text)


def screenshot(page: Page, name: str) -> None:
    """Refresh docs/screenshots when asked (YIWANG_SCREENSHOTS=1); else only take the shot."""
    if os.environ.get("YIWANG_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    else:
        assert page.screenshot(full_page=True)


def has_visible_focus(page: Page) -> bool:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    return bool(style[0] != "none" and style[1] != "0px")


def is_styled(page: Page) -> bool:
    """The stylesheet loaded: the honeypot is out of sight and the skip link off-screen."""
    return bool(
        page.evaluate(
            "() => getComputedStyle(document.querySelector('.skip')).position === 'absolute'"
        )
    )


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def choose(select: Locator, **option: str) -> None:
    select.focus()
    select.select_option(**option)  # type: ignore[arg-type]


def fill_with_the_keyboard(page: Page) -> None:
    """Title and message typed, choices picked by label, the rest reached with Tab."""
    page.get_by_label(t("Title"), exact=True).focus()
    page.keyboard.type(TITLE)
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Your message"), exact=True)).to_be_focused()
    page.keyboard.type(CONTENT)
    choose(page.get_by_label(t("Nature"), exact=True), value="complaint")
    choose(page.get_by_label(t("Region"), exact=True), label="杭州市 西湖区")
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Theme"), exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Name"), exact=True)).to_be_focused()
    page.keyboard.type("王女士")
    page.keyboard.press("Tab")
    page.keyboard.type("138 0013 8000")
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("E-mail"), exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    consent = page.get_by_label(t(CONSENT), exact=True)
    expect(consent).to_be_focused()
    assert has_visible_focus(page)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Attachments"), exact=True)).to_be_focused()
    page.keyboard.press("Tab")  # the hidden honeypot is skipped: next is the send button
    expect(page.get_by_role("button", name=t("Send my message"))).to_be_focused()
    assert has_visible_focus(page)


def read_receipt(page: Page) -> tuple[str, str]:
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your message has been received"))
    number = page.locator("#tracking-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"YW\d{14}", number)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
    return number, code


def look_up(page: Page, number: str, code: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=t("Track a message")).click()
    page.get_by_label(t("Tracking number"), exact=True).fill(number)
    page.get_by_label(t("Query code"), exact=True).fill(code)
    page.get_by_role("button", name=t("Look up")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#status")).to_have_text(t("Received"))


def test_a_citizen_leaves_a_message_on_a_phone_and_follows_it(
    live_server: Any, regions: Any, theme: Any, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(live_server.url + "/")
    assert is_styled(page)
    assert fits_the_screen(page)
    page.get_by_role("main").get_by_role("link", name=t("Leave a message")).click()
    expect(page).to_have_url(re.compile(r"/submit/$"))
    fill_with_the_keyboard(page)
    expect(page.locator(".hp")).not_to_be_in_viewport()
    assert fits_the_screen(page)
    screenshot(page, "citizen-submit.png")
    page.keyboard.press("Enter")

    number, code = read_receipt(page)
    assert fits_the_screen(page)
    screenshot(page, "citizen-receipt.png")
    message = Message.objects.get()
    assert (message.tracking_number, message.title, message.nature) == (number, TITLE, "complaint")
    assert message.region.code == "330106"
    assert message.consent_publish is True

    look_up(page, number, code.lower().replace("-", " "))
    assert fits_the_screen(page)
    screenshot(page, "citizen-track.png")


def test_the_form_works_without_javascript(
    live_server: Any, regions: Any, phone_without_javascript: BrowserContext
) -> None:
    page = phone_without_javascript.new_page()
    page.goto(live_server.url + "/submit/")
    page.get_by_label(t("Title"), exact=True).fill(TITLE)
    page.get_by_label(t("Your message"), exact=True).fill(CONTENT)
    page.get_by_label(t("Nature"), exact=True).select_option("complaint")
    page.get_by_label(t("Region"), exact=True).select_option("330106")
    page.get_by_role("button", name=t("Send my message")).click()

    number, code = read_receipt(page)
    look_up(page, number, code)
    assert Message.objects.get().tracking_number == number


def test_without_javascript_a_mistake_is_shown_beside_its_field(
    live_server: Any, regions: Any, phone_without_javascript: BrowserContext
) -> None:
    page = phone_without_javascript.new_page()
    page.goto(live_server.url + "/submit/")
    page.get_by_label(t("Title"), exact=True).fill(TITLE)
    page.get_by_label(t("Your message"), exact=True).fill(CONTENT)
    page.get_by_label(t("Region"), exact=True).select_option("330106")
    page.get_by_label(t("Mobile number"), exact=True).fill("12345")
    page.get_by_role("button", name=t("Send my message")).click()

    mobile = page.get_by_label(t("Mobile number"), exact=True)
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_accessible_description(
        re.compile(re.escape(t("Please give an 11-digit mainland mobile number.")))
    )
    expect(page.get_by_label(t("Title"), exact=True)).to_have_value(TITLE)
    assert Message.objects.count() == 0
