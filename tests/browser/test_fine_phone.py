"""Paying a parking fine on a phone, in Debian's chromium: a citizen finds a fine decided by
another district with its decision number and plate, pays it through the payment platform
and the (simulated) provider's page, and comes back to the paid fine and its receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, expect

from tests.browser.test_citizen_journey import fits_the_screen, screenshot, t
from tests.conftest import _staff
from yiwang.fines import actions
from yiwang.fines.actions import CaseInput
from yiwang.fines.models import CaseState, ParkingCase
from yiwang.orgs.models import Department, Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def binjiang_case(regions: dict[str, Region]) -> ParkingCase:
    bureau = Department.objects.create(
        short_code="滨江城管",
        name_zh="杭州市滨江区城市管理局",
        kind="urban_management",
        region=regions["binjiang"],
    )
    officer = _staff("binjiang_officer", ["enforcement_officer"], bureau)
    occurred = timezone.now() - dt.timedelta(days=3)
    data = CaseInput(
        "浙A12345", "江南大道星光大道地铁站B出口", occurred, "《道路交通安全法》第九十三条",
        "在禁止停放区域停车，驾驶人不在现场。", 20000,
    )  # fmt: skip
    case = actions.do_record_case(officer, data, [])
    actions.do_decide(officer, case.pk, timezone.localdate() - dt.timedelta(days=2))
    return actions.do_serve(officer, case.pk, timezone.localdate() - dt.timedelta(days=1))


def test_a_citizen_pays_another_districts_parking_fine_on_a_phone(
    live_server: Any, phone: BrowserContext, regions: dict[str, Region]
) -> None:
    case = binjiang_case(regions)
    url = live_server.url
    with override_settings(YIWANG_SITE_URL=url):
        page = phone.new_page()
        page.goto(f"{url}/fines/")
        page.get_by_label(t("Decision number")).fill(" ".join(case.decision_number or ""))
        page.get_by_label(t("Number plate")).fill("浙a·12345")
        page.get_by_role("button", name=t("Look up")).click()
        expect(page.locator("#total")).to_have_text("¥200.00")
        expect(page.get_by_text("杭州市滨江区城市管理局")).to_be_visible()
        assert fits_the_screen(page)
        screenshot(page, "fine-on-a-phone.png")
        page.get_by_role("button", name=t("Pay now")).click()
        expect(page.locator("#amount")).to_have_text("¥200.00")
        page.get_by_role("button", name=t("Continue to payment")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Payment simulator"))
        page.get_by_role("button", name=t("Pay"), exact=True).click()
        expect(page.locator("#state")).to_be_visible()
        expect(page.get_by_text(t("Thank you: the fine has been paid."))).to_be_visible()
        assert fits_the_screen(page)
        screenshot(page, "fine-paid-on-a-phone.png")
    case.refresh_from_db()
    assert (case.state, case.paid_amount) == (CaseState.PAID, 20000)
    receipt = page.request.get(f"{url}/fines/{case.decision_number}/slip.pdf")
    assert receipt.body().startswith(b"%PDF")
