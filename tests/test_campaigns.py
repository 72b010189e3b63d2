"""A campaign: its intro page, messages written during it, and its figures for the staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yiwang.channels.models import Campaign
from yiwang.intake.models import Message
from yiwang.orgs.models import Region
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
