"""Topics (专题, issue 9): a topic's page lists the published information placed in it, newest
first, and each item names its topic; only a topic can gather items; the kept pages follow
every change."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.disclosure import actions, page_cache
from yiwang.disclosure.actions import Content, DisclosureError
from yiwang.disclosure.models import Information, PublishedPage
from yiwang.disclosure.staff_forms import ContentForm
from yiwang.orgs.models import Department

from .conftest import _staff
from .disclosure_personas import body, head, officer
from .test_disclosure_page_cache import clock, info, page, policy, publish

__all__ = ["body", "clock", "head", "info", "officer", "publish"]  # fixtures, as pytest sees them

CaptureOnCommit = Callable[..., AbstractContextManager[Any]]
Publish = Callable[[Content], Information]


@pytest.fixture
def topic(publish: Publish) -> Information:
    return publish(policy(kind="topic", title="优化营商环境专题", title_en="Business environment"))


def kept(information: Information, language: str = "zh-hans") -> str:
    return PublishedPage.objects.get(information=information, language=language).html


def items_of(html: str) -> list[str]:
    section = re.search(r'<section id="topic-items".*?</section>', html, re.S)
    assert section is not None
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', section.group())


def test_a_topics_page_lists_its_published_items_newest_first(
    topic: Information, publish: Publish, officer: User
) -> None:
    publish(policy(title="关于减税降费的通知", topic_id=topic.pk))
    publish(policy(title="关于简化开办企业流程的通知", topic_id=topic.pk))
    actions.do_draft(officer, officer.department, policy(title="草稿", topic_id=topic.pk))  # type: ignore[arg-type]
    assert items_of(kept(topic)) == ["关于简化开办企业流程的通知", "关于减税降费的通知"]
    served = Client().get(page(topic)).content.decode()
    assert items_of(served) == items_of(kept(topic))


def test_a_topics_page_lists_only_its_newest_items_and_others_keep_theirs(
    topic: Information, publish: Publish, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = publish(policy(kind="topic", title="乡村振兴专题"))
    for title in ("第一份通知", "第二份通知", "第三份通知"):
        publish(policy(title=title, topic_id=topic.pk))
    publish(policy(title="乡村通知", topic_id=other.pk))
    monkeypatch.setattr(page_cache, "TOPIC_ITEMS", 2)
    page_cache.do_render_pages([topic.index_no, other.index_no])
    assert items_of(kept(topic)) == ["第三份通知", "第二份通知"]
    assert items_of(kept(other)) == ["乡村通知"]


def test_an_item_names_its_topic_with_a_link(topic: Information, publish: Publish) -> None:
    item = publish(policy(title="关于减税降费的通知", topic_id=topic.pk))
    html = Client().get(page(item)).content.decode()
    assert f'<p id="topic">所属专题： <a href="{page(topic)}">优化营商环境专题</a>' in html


def test_the_english_page_of_a_topic_lists_english_titles(
    topic: Information, publish: Publish
) -> None:
    publish(policy(title="关于减税降费的通知", title_en="Tax cuts", topic_id=topic.pk))
    assert items_of(kept(topic, "en")) == ["Tax cuts"]


def test_moving_an_item_to_another_topic_updates_both_pages(
    topic: Information,
    publish: Publish,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    other = publish(policy(kind="topic", title="乡村振兴专题"))
    item = publish(policy(title="关于减税降费的通知", topic_id=topic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, item.pk, policy(title="关于减税降费的通知", topic_id=other.pk))
    assert 'id="topic-items"' not in kept(topic)
    assert items_of(kept(other)) == ["关于减税降费的通知"]


def test_renaming_a_topic_shows_on_its_items_pages(
    topic: Information,
    publish: Publish,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    item = publish(policy(title="关于减税降费的通知", topic_id=topic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, topic.pk, policy(kind="topic", title="营商环境专题"))
    assert ">营商环境专题</a>" in kept(item)


def test_a_withdrawn_topic_is_no_longer_named_on_its_items(
    topic: Information,
    publish: Publish,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    item = publish(policy(title="关于减税降费的通知", topic_id=topic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_withdraw(head, topic.pk, "专题结束")
    assert 'id="topic"' not in kept(item)
    with pytest.raises(DisclosureError) as refused:
        actions.do_revise(head, item.pk, policy(title="关于减税降费的通知", topic_id=topic.pk))
    assert refused.value.field == "topic"


def test_only_a_topic_can_gather_items(info: Information, officer: User) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, officer.department, policy(topic_id=info.pk))  # type: ignore[arg-type]
    assert refused.value.field == "topic"


def test_a_topic_cannot_belong_to_another_topic(topic: Information, officer: User) -> None:
    nested = policy(kind="topic", title="子专题", topic_id=topic.pk)
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, officer.department, nested)  # type: ignore[arg-type]
    assert refused.value.field == "topic"


def test_a_topic_that_does_not_exist_is_refused(officer: User) -> None:
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, officer.department, policy(topic_id=987_654))  # type: ignore[arg-type]
    assert refused.value.field == "topic"


def test_another_bodys_draft_topic_is_neither_offered_nor_accepted_but_its_published_one_is(
    officer: User,
    publish: Publish,
    departments: dict[str, Department],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    transport_officer = _staff(
        "transport_officer", ["disclosure_officer"], departments["transport"]
    )
    transport_head = _staff("transport_head", ["disclosure_head"], departments["transport"])
    draft = actions.do_draft(
        transport_officer, departments["transport"], policy(kind="topic", title="交通草稿专题")
    )
    offered = ContentForm(body_id=officer.department_id or 0).fields["topic"]
    assert draft.pk not in [choice.pk for choice in offered.queryset]  # type: ignore[attr-defined]
    with pytest.raises(DisclosureError) as refused:
        actions.do_draft(officer, officer.department, policy(topic_id=draft.pk))  # type: ignore[arg-type]
    assert refused.value.field == "topic"
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit(transport_officer, draft.pk)
        actions.do_approve(transport_head, draft.pk)
    joined = actions.do_draft(officer, officer.department, policy(topic_id=draft.pk))  # type: ignore[arg-type]
    assert joined.topic_id == draft.pk


def test_the_staff_form_offers_open_topics_and_keeps_the_choice(
    topic: Information, info: Information, officer: User
) -> None:
    form = ContentForm(body_id=officer.department_id or 0)
    choices = [value for value, _label in form.fields["topic"].choices if value]  # type: ignore[attr-defined]
    assert [str(choice) for choice in choices] == [str(topic.pk)]
    initial = ContentForm.initial_of(Information(topic_id=topic.pk, **_blank()))
    assert initial["topic"] == topic.pk


def _blank() -> dict[str, Any]:
    return {"kind": "policy", "title": "", "category": "rules", "openness": "decision"}
