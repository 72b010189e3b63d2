"""Every new message gets suggestions on the worker right after intake: from the taxonomy's
keywords on day one, from the trained model as it learns, from an English keyword table for
the English channel; and a lead department, by the department model or by routing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.classifier_data import import_examples
from yiwang.accounts.models import User
from yiwang.classifier.actions import do_set_auto_apply
from yiwang.classifier.learning import do_retrain
from yiwang.classifier.models import Suggestion, Target
from yiwang.classifier.suggest import FROM_ENGLISH_KEYWORDS, do_suggest
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def keywords(taxonomy: dict[str, Category]) -> dict[str, Category]:
    for name, words in {
        "repairs": ["电梯", "漏水", "elevator", "leaking"],
        "buses": ["公交", "站台", "bus stop"],
        "taxis": ["出租车", "拒载", "taxi"],
    }.items():
        taxonomy[name].keywords = words
        taxonomy[name].save(update_fields=["keywords"])
    return taxonomy


def category_of(suggestion: Suggestion, rank: int = 0) -> int:
    return int(suggestion.ranked[rank]["id"])


def test_a_new_message_is_suggested_on_the_worker_right_after_intake(
    keywords: dict[str, Category],
    submit: Callable[..., SubmissionResult],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        message = submit(title="小区电梯坏了", content="电梯坏了两个月没人修。").message
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert category_of(suggestion) == keywords["repairs"].pk
    assert suggestion.reason == "keywords"
    assert suggestion.model_version is None
    assert "电梯" in suggestion.ranked[0]["words"]


def test_suggesting_twice_changes_nothing(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    message = submit(title="小区电梯坏了").message
    assert do_suggest([message.pk]) == 1
    assert do_suggest([message.pk]) == 0
    assert message.suggestions.filter(target=Target.CATEGORY).count() == 1


def test_a_message_no_keyword_matches_gets_no_suggestion_and_says_why(
    keywords: dict[str, Category],
    submit: Callable[..., SubmissionResult],
    clerk: User,
    signed_in: Callable[[User], Client],
) -> None:
    message = submit(title="咨询一件事情", content="请问办理流程是怎样的？").message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert suggestion.abstained
    assert suggestion.reason == "no_match"
    page = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/").content.decode()
    assert "没有任何分类关键词" in page


def test_an_english_message_is_suggested_from_the_english_keyword_table(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    import_examples(keywords, per_kind=40)
    do_retrain(Target.CATEGORY)
    message = submit(
        title="Taxi refused to take me",
        content="The taxi driver at the railway station refused to take my family.",
        language="en",
    ).message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert suggestion.reason == FROM_ENGLISH_KEYWORDS
    assert suggestion.model_version is None  # the Chinese model did not read it
    assert category_of(suggestion) == keywords["taxis"].pk


def test_an_english_message_without_a_known_word_is_left_to_the_desk(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    message = submit(
        title="A question", content="How do I register my company here?", language="en"
    ).message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert suggestion.abstained
    assert suggestion.reason == "not_chinese"


def test_the_trained_model_takes_over_and_says_which_version_spoke(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    import_examples(keywords, per_kind=60)
    version = do_retrain(Target.CATEGORY).version
    # No keyword of the taxonomy occurs here, but the model learnt these words.
    message = submit(title="司机宰客", content="打车时计价器有问题，还绕路。").message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert suggestion.reason == "model"
    assert suggestion.model_version == version
    assert category_of(suggestion) == keywords["taxis"].pk
    assert 0.5 < suggestion.ranked[0]["probability"] <= 1.0
    assert suggestion.ranked[0]["words"]


def test_a_model_of_major_categories_is_narrowed_down_by_the_keywords(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    import_examples(keywords, per_kind=60)
    # A board labelled at the major level: the examples name 交通, not 公交 or 出租车.
    from yiwang.classifier.models import TrainingExample

    TrainingExample.objects.exclude(category=keywords["repairs"]).update(
        category=keywords["transport"]
    )
    do_retrain(Target.CATEGORY)
    message = submit(title="出租车拒载", content="司机拒载还绕路，计价器也不对。").message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.CATEGORY)
    assert category_of(suggestion) == keywords["taxis"].pk
    assert Category.objects.get(pk=category_of(suggestion)).is_leaf


def test_the_lead_department_is_routed_from_the_best_category(
    keywords: dict[str, Category],
    submit: Callable[..., SubmissionResult],
    departments: dict[str, Department],
) -> None:
    message = submit(title="电梯漏水", region="330106").message
    do_suggest([message.pk])
    suggestion = message.suggestions.get(target=Target.DEPARTMENT)
    assert suggestion.reason == "routing"
    # 01 is housing: the nearest housing department up from 西湖区 is 西湖区's own.
    assert category_of(suggestion) == departments["xihu_housing"].pk


def test_a_confident_suggestion_applies_itself_under_a_supervisors_rule(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult], supervisor: User
) -> None:
    import_examples(keywords, per_kind=60)
    do_retrain(Target.CATEGORY)
    do_set_auto_apply(supervisor, keywords["transport"].pk, 0.5)
    message = submit(title="出租车拒载", content="出租车司机拒载，打车太难，计价器不对。").message
    do_suggest([message.pk])
    message.refresh_from_db()
    assert message.category == keywords["taxis"]
    assert message.events.get(action="triage").actor is None
    assert message.suggestions.get(target=Target.CATEGORY).auto_applied_at is not None


def test_suggestions_for_an_import_come_in_one_batch(
    keywords: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    from yiwang.classifier.tasks import suggest_many

    ids = [submit(title=f"电梯坏了{n}").message.pk for n in range(5)]
    suggest_many.call(ids)
    assert Suggestion.objects.filter(target=Target.CATEGORY).count() == 5
    assert set(Message.objects.filter(suggestions__isnull=False).values_list("pk", flat=True)) == {
        *ids
    }


def test_the_message_page_offers_only_leaves_to_accept_with_a_key(
    keywords: dict[str, Category],
    submit: Callable[..., SubmissionResult],
    clerk: User,
    signed_in: Callable[[User], Client],
) -> None:
    from yiwang.classifier.actions import Ranked, do_record_suggestion

    message = submit(title="公交问题").message
    do_record_suggestion(
        message.pk,
        Target.CATEGORY,
        [Ranked(keywords["transport"].pk, 0.7), Ranked(keywords["buses"].pk, 0.2)],
        reason="model",
    )
    page = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/").content.decode()
    assert 'data-key="1"' in page
    assert 'data-key="2"' not in page
    assert "交通 · 70%" in page
    assert "公交 · 20%" in page


def test_the_words_behind_a_suggestion_are_readable_words_only() -> None:
    from yiwang.classifier.suggest import _readable

    words = ["工作,", "在", "", "面试后", "面试后", "bus stop", "公交卡", "_x", " a"]
    assert _readable(words) == ("面试后", "bus stop", "公交卡")


def test_an_importers_messages_are_followed_up_in_one_batch(
    keywords: dict[str, Category],
    regions: object,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from tests.conftest import message_input
    from yiwang.intake.actions import SubmissionContext, do_submit_message, follow_up_batch
    from yiwang.intake.models import Channel
    from yiwang.intake.validation import validate_submission

    ids = []
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        for n in range(3):
            clean = validate_submission(message_input(title=f"电梯坏了{n}"))
            context = SubmissionContext(
                channel=Channel.IMPORT, submission_token=f"import-{n}", suggest_later=True
            )
            ids.append(do_submit_message(clean, context).message.pk)
    assert not Suggestion.objects.exists()  # nothing one by one
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        follow_up_batch(ids)
    assert Suggestion.objects.filter(target=Target.CATEGORY).count() == 3
