"""The whole loop in a real browser: a citizen's message is triaged, forwarded, signed for,
answered and approved; the citizen reads the answer, rates it "unsatisfied", and the case goes
back to the same department."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_citizen_journey import CONTENT, TITLE, read_receipt, screenshot, t
from tests.conftest import PASSWORD
from yiwang.accounts.models import User
from yiwang.casework.models import Rating, Rehandling
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPLY = "路灯线路已于今日修复，感谢您的反映。"


def citizen_sends_a_message(page: Page, url: str) -> tuple[str, str]:
    page.goto(url + "/submit/")
    page.get_by_label(t("Title"), exact=True).fill(TITLE)
    page.get_by_label(t("Your message"), exact=True).fill(CONTENT)
    page.get_by_label(t("Nature"), exact=True).select_option(value="complaint")
    page.get_by_label(t("Region"), exact=True).select_option(label="杭州市 西湖区")
    page.get_by_label(t("Mobile number"), exact=True).fill("13800138000")
    page.get_by_role("button", name=t("Send my message")).click()
    return read_receipt(page)


def signed_in_page(browser: Browser, url: str, user: User) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url + "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    return page


def open_message(page: Page, url: str, number: str) -> None:
    page.goto(f"{url}/staff/messages/{number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_the_whole_loop_from_the_citizen_to_the_department_and_back(
    live_server: Any,
    browser: Browser,
    regions: Any,
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
    clerk: User,
    dept_officer: User,
    supervisor: User,
) -> None:
    url = live_server.url
    citizen = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    number, code = citizen_sends_a_message(citizen, url)

    desk = signed_in_page(browser, url, clerk)
    open_message(desk, url, number)
    desk.get_by_label(t("Category"), exact=True).select_option(label=str(taxonomy["repairs"]))
    desk.get_by_role("button", name=t("Classify")).click()
    desk.get_by_label(t("Lead department"), exact=True).select_option(
        label=departments["housing"].name_zh
    )
    desk.get_by_label(t("Request to the department"), exact=True).fill("请五个工作日内答复。")
    desk.get_by_role("button", name=t("Forward")).click()
    expect(desk.get_by_role("link", name="PDF")).to_be_visible()  # the 转办单 was issued

    officer = signed_in_page(browser, url, dept_officer)
    open_message(officer, url, number)
    officer.get_by_role("button", name=t("Sign for it")).click()
    officer.get_by_label(t("Reply to the citizen"), exact=True).fill(REPLY)
    officer.get_by_role("button", name=t("Send the reply")).click()

    boss = signed_in_page(browser, url, supervisor)
    open_message(boss, url, number)
    expect(boss.get_by_text(REPLY).first).to_be_visible()
    boss.get_by_role("button", name=t("Approve the reply")).click()

    citizen.goto(url + "/track/")
    citizen.get_by_label(t("Tracking number"), exact=True).fill(number)
    citizen.get_by_label(t("Query code"), exact=True).fill(code)
    citizen.get_by_role("button", name=t("Look up")).click()
    expect(citizen.locator("#status")).to_have_text(t("Replied"))
    expect(citizen.locator("#reply")).to_have_text(REPLY)
    citizen.get_by_label(t("Unsatisfied"), exact=True).check()
    citizen.get_by_label(t("Comment (optional)"), exact=True).fill("路灯晚上还是不亮。")
    screenshot(citizen, "rating-on-the-tracking-page.png")
    citizen.get_by_role("button", name=t("Send my rating")).click()

    expect(citizen.get_by_text(t("Thank you for your rating."))).to_be_visible()
    expect(citizen.locator("#status")).to_have_text(t("Being handled by the department"))
    expect(citizen.locator("#ratings")).to_contain_text(t("Unsatisfied"))
    message = Message.objects.get(tracking_number=number)
    assert message.state == "accepted"
    assert message.lead_department == departments["housing"]
    assert Rating.objects.get(message=message).score == 4
    assert Rehandling.objects.get(message=message).previous_reply == REPLY

    open_message(officer, url, number)  # back on the department's desk, to answer again
    expect(officer.get_by_label(t("Reply to the citizen"), exact=True)).to_be_visible()
