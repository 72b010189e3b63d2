"""Publication in a real browser: the desk proposes a replied message, the editor sees the
personal information marked in the original, adjusts the masked version and publishes it,
and a citizen on a phone finds it on the public board — without the personal information."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_citizen_journey import screenshot, t
from tests.browser.test_whole_loop import signed_in_page
from yiwang.accounts.models import User
from yiwang.intake.actions import SubmissionResult
from yiwang.publishing.models import Publication, PublicationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTENT = "我叫王小明，电话13912345678，住在阳光小区3栋2单元501室，小区电梯坏了两个月没人修。"


def test_proposing_masking_publishing_and_finding_a_message_on_the_board(
    live_server: Any,
    browser: Browser,
    answered: Callable[..., SubmissionResult],
    clerk: User,
    editor: User,
) -> None:
    url = live_server.url
    message = answered(title="小区电梯坏了两个月", content=CONTENT, consent_publish=True).message

    desk = signed_in_page(browser, url, clerk)
    desk.goto(f"{url}/staff/messages/{message.tracking_number}/")
    desk.get_by_label(
        t("Why this message and its reply are exemplary (for the editors)"), exact=True
    ).fill("答复及时具体")
    desk.get_by_role("button", name=t("Propose for publication")).click()
    expect(desk.locator("#publication")).to_contain_text(t("Proposed"))

    editing = signed_in_page(browser, url, editor)
    editing.goto(f"{url}/staff/publishing/")
    editing.get_by_role("link", name="小区电梯坏了两个月").click()
    expect(editing.locator("#original-text mark.pii-mobile")).to_have_text("13912345678")
    expect(editing.locator("#original-text mark.pii-name")).to_have_text("王小明")
    expect(editing.locator("#original-text mark.pii-address")).to_contain_text("501室")
    text = editing.get_by_label(t("Public text"), exact=True)
    expect(text).to_have_value("我叫王某某，电话139****5678，住在***，小区电梯坏了两个月没人修。")
    text.fill("小区电梯坏了两个月没人修，请有关部门尽快处理。")
    editing.get_by_role("button", name=t("Save"), exact=True).click()
    expect(editing.locator("#public-preview")).to_contain_text("请有关部门尽快处理")
    screenshot(editing, "publication-editor.png")
    editing.get_by_role("button", name=t("Publish"), exact=True).click()
    expect(editing.get_by_role("link", name=t("See it on the public board"))).to_be_visible()
    assert Publication.objects.get(message=message).state == PublicationState.PUBLISHED

    citizen = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    citizen.goto(url + "/board/")
    citizen.get_by_label(t("Words to look for"), exact=True).fill("电梯")
    citizen.get_by_role("button", name=t("Show messages")).click()
    citizen.get_by_role("link", name="小区电梯坏了两个月").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("小区电梯坏了两个月")
    expect(citizen.locator("main")).to_contain_text("请有关部门尽快处理")
    expect(citizen.locator("main")).to_contain_text("已安排维修，本周内完成。")
    screenshot(citizen, "public-board-message.png")
    page = citizen.content()
    for secret in ("13912345678", "王小明", "501", message.tracking_number):
        assert secret not in page
