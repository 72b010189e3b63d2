"""A campaign: its intro page, messages written during it, and its figures for the staff."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.accounts.models import User
from yiwang.channels.models import Campaign
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.orgs.models import Region, ServiceHall
from yiwang.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(regions: dict[str, Region], theme: Theme) -> Campaign:
    now = timezone.now()
    running = Campaign.objects.create(
        slug="say-it",
        name_zh="我向总理说句话",
        name_en="A word to the Premier",
        intro_zh="欢迎为政府工作报告建言献策。",
        intro_en="Tell us what the government should do.",
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=10),
    )
    running.themes.add(theme)
    return running


def end(campaign: Campaign) -> None:
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=1)
    )


def write(client: Client, page: Any) -> Any:
    form = page.context["form"]
    return client.post(
        reverse("intake:submit"),
        {
            "token": form["token"].value(),
            "campaign": form["campaign"].value() or "",
            "title": "关于就业的建议",
            "content": "希望加大对高校毕业生就业的扶持力度，多提供实习岗位。",
            "nature": "suggestion",
            "region": "330106",
        },
    )


def test_the_intro_page_shows_the_campaign_in_chinese_with_a_button_to_take_part(
    campaign: Campaign,
) -> None:
    page = Client().get("/campaigns/say-it/")
    text = page.content.decode()
    assert "我向总理说句话" in text
    assert "欢迎为政府工作报告建言献策" in text
    assert "办事少跑腿" in text
    assert reverse("intake:submit") + "?campaign=say-it" in text


def test_the_intro_page_is_in_english_under_en(campaign: Campaign) -> None:
    text = Client().get("/en/campaigns/say-it/").content.decode()
    assert "A word to the Premier" in text
    assert "Tell us what the government should do." in text
    assert "/en/submit/?campaign=say-it" in text


def test_an_unknown_campaign_is_not_found(regions: dict[str, Region]) -> None:
    assert Client().get("/campaigns/no-such-thing/").status_code == 404


def test_a_message_written_during_the_campaign_is_recorded_with_it(campaign: Campaign) -> None:
    client = Client()
    page = client.get(reverse("intake:submit") + "?campaign=say-it")
    assert "我向总理说句话" in page.content.decode()
    assert write(client, page).status_code == 200
    message = Message.objects.get()
    assert (message.campaign, message.channel) == (campaign, "web")


def test_after_the_campaign_the_citizen_still_writes_without_it_and_is_told_so(
    campaign: Campaign,
) -> None:
    end(campaign)
    client = Client()
    intro = client.get("/campaigns/say-it/")
    assert "?campaign=" not in intro.content.decode()
    assert intro.context["has_ended"]
    page = client.get(reverse("intake:submit") + "?campaign=say-it")
    assert page.context["attribution"].notice == "campaign_closed"
    write(client, page)
    assert Message.objects.get().campaign is None


def test_a_campaign_that_ends_while_the_citizen_writes_is_not_recorded(
    campaign: Campaign,
) -> None:
    client = Client()
    page = client.get(reverse("intake:submit") + "?campaign=say-it")
    end(campaign)
    write(client, page)
    assert Message.objects.get().campaign is None


def test_a_made_up_campaign_in_the_form_is_ignored(campaign: Campaign) -> None:
    client = Client()
    page = client.get(reverse("intake:submit") + "?campaign=nothing-here")
    assert page.status_code == 200
    write(client, page)
    assert Message.objects.get().campaign is None


# --- Figures for desk supervisors and leaders -------------------------------------------------


@pytest.fixture
def campaign_messages(
    campaign: Campaign,
    submit: Callable[..., SubmissionResult],
    halls: dict[str, ServiceHall],
    theme: Theme,
) -> list[Message]:
    """Four messages in the campaign: two from a hall's QR code, one with a theme; one not."""
    sent = [
        submit(title=f"建议{n}", content=f"关于就业的第{n}条建议，请认真考虑。", mobile="")
        for n in range(5)
    ]
    day_before = timezone.now() - dt.timedelta(days=1)
    updates: list[dict[str, Any]] = [
        {"hall": halls["xihu"], "channel": "qr", "submitted_at": day_before},
        {"hall": halls["xihu"], "channel": "qr", "theme": theme},
        {"region": halls["binjiang"].region},
        {},
    ]
    for result, changes in zip(sent, updates, strict=False):
        Message.objects.filter(pk=result.message.pk).update(campaign=campaign, **changes)
    return [result.message for result in sent]


def figures_of(client: Client) -> dict[str, list[tuple[str, int]]]:
    """Each breakdown as (key, count): a day, theme code, channel, region code, hall code."""
    page = client.get("/staff/campaigns/say-it/")
    assert page.status_code == 200
    return {b.name: [(row.key, row.count) for row in b.rows] for b in page.context["figures"]}


def test_the_supervisor_sees_the_campaigns_messages_in_five_breakdowns(
    campaign_messages: list[Message], supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    figures = figures_of(signed_in(supervisor))
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    before = [(today - dt.timedelta(days=n)).isoformat() for n in (3, 2)]
    assert figures["day"] == [
        (before[0], 0),
        (before[1], 0),
        (yesterday.isoformat(), 1),
        (today.isoformat(), 3),
    ]
    assert figures["theme"] == [("", 3), ("t01", 1)]  # most first
    assert figures["channel"] == [("qr", 2), ("web", 2)]
    assert figures["region"] == [("330106", 3), ("330108", 1)]
    assert figures["hall"] == [("XH01", 2), ("", 2)]  # a tie: messages without one last


def test_the_figures_page_names_the_regions_and_halls(
    campaign_messages: list[Message], supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    text = signed_in(supervisor).get("/staff/campaigns/say-it/").content.decode()
    assert "西湖区政务服务中心" in text
    assert "滨江区" in text
    assert "办事少跑腿" in text


def test_the_figures_take_the_same_number_of_queries_however_many_messages(
    campaign_messages: list[Message],
    leader: User,
    signed_in: Callable[[User], Client],
    django_assert_num_queries: Any,
    submit: Callable[..., SubmissionResult],
    campaign: Campaign,
    halls: dict[str, ServiceHall],
) -> None:
    client = signed_in(leader)
    client.get("/staff/campaigns/say-it/")  # warm the session
    # Session, user, permissions (2), the campaign, one query per breakdown, unread notices.
    with django_assert_num_queries(11):
        client.get("/staff/campaigns/say-it/")
    more = [
        submit(title=f"又一条{n}", content=f"第{n}条：公交线路调整建议。", mobile="")
        for n in range(3)
    ]
    Message.objects.filter(pk__in=[m.message.pk for m in more]).update(
        campaign=campaign, hall=halls["binjiang"], channel="qr"
    )
    with django_assert_num_queries(11):
        page = client.get("/staff/campaigns/say-it/")
    assert page.context["total"] == 7


def test_the_figures_download_as_a_workbook_with_a_sheet_per_breakdown(
    campaign_messages: list[Message], supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(supervisor).get("/staff/campaigns/say-it/figures.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="campaign-say-it.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 5
    rows = list(book.worksheets[4].iter_rows(values_only=True))
    assert rows[1] == ("XH01", "西湖区政务服务中心", 2)


def test_a_campaign_not_started_yet_has_no_days_to_show(
    campaign: Campaign, supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=9),
    )
    figures = figures_of(signed_in(supervisor))
    assert figures == {"day": [], "theme": [], "channel": [], "region": [], "hall": []}


def test_an_unknown_campaigns_figures_are_not_found(
    regions: dict[str, Region], supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    assert signed_in(supervisor).get("/staff/campaigns/nothing/").status_code == 404


@pytest.mark.parametrize("persona", ["clerk", "dept_head", "dept_officer"])
def test_clerks_and_departments_may_not_see_the_figures(
    campaign: Campaign,
    persona: str,
    request: pytest.FixtureRequest,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get("/staff/campaigns/say-it/").status_code == 403
    assert client.get("/staff/campaigns/say-it/figures.xlsx").status_code == 403


def test_the_campaign_list_links_each_campaigns_figures(
    campaign: Campaign, leader: User, signed_in: Callable[[User], Client]
) -> None:
    text = signed_in(leader).get("/staff/campaigns/").content.decode()
    assert "/staff/campaigns/say-it/" in text


def test_the_supervisor_sets_up_a_campaign_in_the_admin(
    theme: Theme, supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(supervisor)
    response = client.post(
        "/admin/channels/campaign/add/",
        {
            "name_zh": "优化营商环境",
            "name_en": "A better business environment",
            "slug": "business",
            "starts_at_0": "2026-12-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2026-12-31",
            "ends_at_1": "23:59:59",
            "intro_zh": "请提出您的建议。",
            "themes": [theme.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Campaign.objects.get(slug="business").themes.all()) == [theme]


def test_a_campaign_that_ends_before_it_starts_is_refused(
    regions: dict[str, Region],
) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Campaign.objects.create(slug="x", name_zh="倒着的", starts_at=now, ends_at=now)
