"""Near-duplicates (并单): on intake the desk learns of earlier messages about the same matter,
whether the same citizen wrote again or many citizens report one thing; merging links them
and every merged citizen gets the answer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from django.test import Client

from tests.conftest import ANSWER
from yiwang.accounts.models import User
from yiwang.casework.actions import (
    do_accept,
    do_approve_reply,
    do_forward,
    do_merge,
    do_reply,
    do_triage,
)
from yiwang.dedupe.actions import do_find_duplicates, find_earlier
from yiwang.dedupe.models import Duplicate, SketchKey
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.intake.queries import public_view
from yiwang.lib.neardup import canonical, fingerprint, is_duplicate, resemblance
from yiwang.notify.models import OutboxItem
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

ORIGINAL = (
    "我们小区3幢的电梯已经坏了两个月，物业一直不修。楼里住着很多老人，上下楼非常困难。"
    "多次打电话给物业公司，对方总说在等配件。希望有关部门督促物业尽快修好电梯。"
)
UNRELATED = (
    "我家门口的公交站台去年拆除后一直没有恢复，早上上班要多走两公里。"
    "附近居民和学生都很不方便，希望交通部门尽快恢复站台或者调整线路。"
)


def taxonomy_leaf() -> Category:
    return Category.objects.filter(is_leaf=True, version__is_active=True).order_by("pk")[0]


def pieces(text: str) -> np.ndarray:
    return fingerprint("", text).pieces


def test_punctuation_spacing_and_traditional_script_do_not_matter() -> None:
    assert canonical("電梯 壞了！！請儘快修理。") == canonical("电梯坏了，请尽快修理")


@pytest.mark.parametrize(
    "variant",
    [
        ORIGINAL.replace("两个月", "快三个月了").replace("非常", "特别"),  # small edits
        ORIGINAL.split("。")[2] + "。" + ORIGINAL.split("。")[0] + "。" + ORIGINAL.split("。")[1],
        ORIGINAL.replace("，", " ").replace("。", "!!"),  # punctuation
        "我們小區3幢的電梯已經壞了兩個月，物業一直不修。樓裡住著很多老人，上下樓非常困難。",
        ORIGINAL[: int(len(ORIGINAL) * 0.7)],  # a partial copy
    ],
    ids=["edits", "reordered", "punctuation", "traditional", "partial"],
)
def test_a_rewritten_message_is_a_duplicate_of_the_original(variant: str) -> None:
    assert is_duplicate(pieces(ORIGINAL), pieces(variant))


def test_another_matter_of_a_similar_kind_is_not_a_duplicate() -> None:
    assert resemblance(pieces(ORIGINAL), pieces(UNRELATED)) < 0.2
    assert not is_duplicate(pieces(ORIGINAL), pieces(UNRELATED))


def test_texts_too_short_to_tell_are_never_called_duplicates() -> None:
    assert not is_duplicate(pieces("电梯坏了"), pieces("电梯坏了"))


@pytest.mark.django_db
def test_on_intake_the_desk_learns_of_the_earlier_message_about_the_same_matter(
    submit: Callable[..., SubmissionResult],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    first = submit(content=ORIGINAL, mobile="13800138000").message
    submit(content=UNRELATED, mobile="13900139000")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        later = submit(
            title="电梯坏了没人修",
            content=ORIGINAL.replace("两个月", "三个月"),
            mobile="13700137000",
        ).message
    found = Duplicate.objects.get(message=later)
    assert found.earlier == first
    assert not found.same_citizen
    assert found.resemblance > 0.8


@pytest.mark.django_db
def test_the_same_citizen_writing_again_in_other_words_is_recognised(
    submit: Callable[..., SubmissionResult],
) -> None:
    first = submit(content=ORIGINAL, mobile="13800138000").message
    again = submit(
        title="再次反映电梯问题",
        content="上次反映的3幢电梯问题还没解决，电梯已经坏了两个月，物业一直不修，老人上下楼非常困难，请督促。",
        mobile="13800138000",
    ).message
    assert [(pk, same) for pk, _r, same in find_earlier(again)] == [(first.pk, True)]
    # A stranger writing those words is not matched at this looser level.
    stranger = submit(
        title="电梯问题",
        content="上次反映的3幢电梯问题还没解决，电梯已经坏了两个月，物业一直不修，老人上下楼非常困难，请督促。",
        mobile="13600136000",
    ).message
    assert first.pk not in [pk for pk, _r, _s in find_earlier(stranger)]


@pytest.mark.django_db
def test_finding_twice_records_each_duplicate_once(
    submit: Callable[..., SubmissionResult],
) -> None:
    submit(content=ORIGINAL, mobile="13800138000")
    later = submit(content=ORIGINAL + "谢谢。", mobile="13700137000").message
    assert do_find_duplicates(later.pk) == 1
    do_find_duplicates(later.pk)
    assert Duplicate.objects.filter(message=later).count() == 1
    assert SketchKey.objects.filter(message=later).count() == 12
    assert do_find_duplicates(10**9) == 0  # a message that is gone: nothing, no error


@pytest.mark.django_db
def test_the_clerk_sees_the_duplicates_ranked_with_their_state_and_merges_one(
    submit: Callable[..., SubmissionResult],
    clerk: User,
    signed_in: Callable[[User], Client],
) -> None:
    first = submit(content=ORIGINAL, mobile="13800138000").message
    later = submit(content=ORIGINAL + "请尽快。", mobile="13700137000").message
    do_find_duplicates(later.pk)
    page = signed_in(clerk).get(f"/staff/messages/{later.tracking_number}/").content.decode()
    assert "同一事项的早先留言" in page
    assert first.tracking_number in page
    assert "待处理" in page  # the earlier one's state
    response = signed_in(clerk).post(
        f"/staff/messages/{later.tracking_number}/move/merge",
        {"into": first.tracking_number, "expected_state": "new"},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.state == "merged"


@pytest.mark.django_db
def test_a_department_sees_no_duplicates_outside_its_scope(
    submit: Callable[..., SubmissionResult],
    other_dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
) -> None:
    first = submit(content=ORIGINAL, mobile="13800138000").message
    later = message_for("transport", content=ORIGINAL + "请尽快。", mobile="13700137000")
    do_find_duplicates(later.pk)
    client = signed_in(other_dept_officer)
    page = client.get(f"/staff/messages/{later.tracking_number}/").content.decode()
    assert first.tracking_number not in page


@pytest.mark.django_db
def test_every_merged_citizen_is_told_the_answer_and_reads_it(
    taxonomy: dict[str, Category],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    departments: dict[str, Department],
    submit: Callable[..., SubmissionResult],
) -> None:
    lead = submit(content=ORIGINAL, mobile="13800138000").message
    repeat = submit(content=ORIGINAL + "请尽快。", mobile="13700137000").message
    do_merge(clerk, repeat.pk, lead.tracking_number)
    # The lead case carries the work to an approved answer.
    do_triage(clerk, lead.pk, taxonomy_leaf().pk)
    do_forward(clerk, lead.pk, departments["housing"].pk)
    do_accept(dept_officer, lead.pk)
    do_reply(dept_officer, lead.pk, ANSWER)
    do_approve_reply(supervisor, lead.pk)
    assert OutboxItem.objects.filter(to_citizen_of=repeat).exists()
    assert OutboxItem.objects.filter(to_citizen_of=lead).exists()
    assert public_view(Message.objects.get(pk=repeat.pk))["reply"] == ANSWER
