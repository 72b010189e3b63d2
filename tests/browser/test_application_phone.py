"""我要办 on a phone, in Debian's chromium: a citizen opens a service guide, taps the apply
button, fills the form with a photo, sends it and keeps the number and query code; looks the
application up; an officer accepts, reviews and completes it; the citizen rates it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_citizen_journey import fits_the_screen, screenshot, t
from tests.browser.test_whole_loop import signed_in_page
from tests.test_applications import ID_NUMBER, MOBILE, png
from yiwang.accounts.models import User
from yiwang.applications.models import Application, Rating
from yiwang.catalogue.models import Implementation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)


def apply_button() -> str:
    with translation.override("zh-hans"):
        return pgettext("the apply button of a service guide", "Apply online")


@pytest.fixture
def touch_phone(browser: Browser) -> Iterator[BrowserContext]:
    """A phone with a touch screen, so that the citizen taps, and a phone's browser name."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, user_agent=PHONE_UA
    )
    yield context
    context.close()


def citizen_applies(page: Page, service: Implementation) -> tuple[str, str]:
    page.get_by_role("link", name=apply_button()).first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(apply_button())
    assert fits_the_screen(page)
    expect(page.get_by_label(t("A person"), exact=True)).to_be_checked()
    page.get_by_label(t("Name of the person or organisation")).fill("张三")
    page.get_by_label(
        t("Resident ID number, or the organisation's unified social credit code")
    ).fill(ID_NUMBER)
    page.get_by_label(t("Mobile number")).fill("138 0013 8000")
    for material in service.materials.all():
        photo = {"name": "证件.png", "mimeType": "image/png", "buffer": png()}
        page.locator(f"#id_material-{material.pk}").set_input_files(photo)  # type: ignore[arg-type]
    screenshot(page, "application-form-on-a-phone.png")
    page.get_by_role("button", name=t("Send my application")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Your application has been received")
    )
    number = page.locator("#application-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"BJ\d{14}", number)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
    screenshot(page, "application-receipt-on-a-phone.png")
    return number, code


def citizen_looks_up(page: Page, number: str, code: str) -> None:
    page.get_by_role("link", name=t("Follow this application")).tap()
    expect(page.get_by_label(t("Application number"), exact=True)).to_have_value(number)
    page.get_by_label(t("Query code"), exact=True).fill(code)
    page.get_by_role("button", name=t("Look up")).tap()
    expect(page.locator("#status")).to_have_text(t("Submitted, awaiting acceptance"))
    assert fits_the_screen(page)


def officer_completes(page: Page, url: str, number: str) -> None:
    page.goto(f"{url}/staff/applications/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name=t("Accept"), exact=True).click()
    expect(page.locator("#state")).to_have_text(t("Accepted, under review"))
    page.get_by_label(t("Opinion (optional)")).fill("材料齐全，符合条件。")
    page.get_by_role("button", name=t("Pass the review")).click()
    page.get_by_label(t("Approved"), exact=True).check()
    page.get_by_label(t("Result for the applicant")).fill("准予办理，社保卡已寄出。")
    page.get_by_role("button", name=t("Complete with the decision")).click()
    expect(page.locator("#state")).to_have_text(t("Completed"))


def test_a_citizen_applies_on_a_phone_and_rates_the_completed_application(
    live_server: Any,
    browser: Browser,
    touch_phone: BrowserContext,
    make_implementation: Callable[..., Implementation],
    dept_officer: User,
) -> None:
    service = make_implementation(materials=2)
    url = live_server.url
    citizen = touch_phone.new_page()
    citizen.goto(f"{url}/services/{service.code}/")
    number, code = citizen_applies(citizen, service)
    citizen_looks_up(citizen, number, code)
    assert Application.objects.get(number=number).materials.count() == 2
    assert MOBILE not in citizen.content()

    officer_completes(signed_in_page(browser, url, dept_officer), url, number)

    citizen.reload()
    expect(citizen.locator("#status")).to_have_text(t("Completed"))
    expect(citizen.locator("#steps")).to_contain_text("材料齐全，符合条件。")
    expect(citizen.locator("#steps")).not_to_contain_text(dept_officer.username)
    citizen.get_by_label(t("Very satisfied"), exact=True).tap()
    citizen.get_by_label(t("Comment (optional)"), exact=True).fill("手机上就办好了。")
    screenshot(citizen, "application-rating-on-a-phone.png")
    citizen.get_by_role("button", name=t("Send my rating")).tap()
    expect(citizen.get_by_text(t("Thank you for your rating."))).to_be_visible()
    expect(citizen.locator("#rating")).to_contain_text(t("Very satisfied"))
    rating = Rating.objects.get(application__number=number)
    assert (rating.score, rating.channel) == (1, "mobile")
