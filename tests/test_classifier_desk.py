"""The desk sees the machine's suggestions, accepts one with one key, and a supervisor's rule
lets confident suggestions apply themselves (marked, reversible, never over a human)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from yiwang.accounts.models import User
from yiwang.casework.actions import do_triage
from yiwang.casework.machine import IllegalMove
from yiwang.classifier.actions import Ranked, do_record_suggestion, do_set_auto_apply
from yiwang.classifier.models import AutoApplyRule, Suggestion, Target
from yiwang.intake.models import Message
from yiwang.taxonomy.models import Category, TaxonomyVersion

pytestmark = pytest.mark.django_db


def suggest(message: Message, *ranked: tuple[Category, float]) -> Suggestion:
    return do_record_suggestion(
        message.pk,
        Target.CATEGORY,
        [Ranked(c.pk, p, ("电梯", "维修")) for c, p in ranked],
    )


def test_the_message_page_shows_the_top_suggestions_with_their_words(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("housing")
    suggest(message, (taxonomy["repairs"], 0.81), (taxonomy["buses"], 0.12))
    page = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/").content.decode()
    assert "房屋维修 · 81%" in page
    assert "公交 · 12%" in page
    assert 'data-key="1"' in page
    assert "电梯、维修" in page


def test_accepting_a_suggestion_is_the_clerks_triage(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("housing")
    suggest(message, (taxonomy["repairs"], 0.81))
    response = signed_in(clerk).post(
        f"/staff/messages/{message.tracking_number}/move/triage",
        {"category": taxonomy["repairs"].pk, "expected_state": "new"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.category == taxonomy["repairs"]
    assert message.events.get(action="triage").actor == clerk
    page = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/").content.decode()
    assert 'data-key="1"' not in page  # handled: no more suggestions offered


def test_only_categories_of_the_active_taxonomy_are_kept(
    message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    old = TaxonomyVersion.objects.create(name="old", is_active=False)
    retired = Category.objects.create(version=old, code="99", name_zh="旧类", depth=1)
    suggestion = suggest(message_for("housing"), (retired, 0.9), (taxonomy["repairs"], 0.05))
    assert [entry["id"] for entry in suggestion.ranked] == [taxonomy["repairs"].pk]


def test_a_suggestion_naming_only_retired_categories_abstains(
    message_for: Callable[..., Message],
) -> None:
    old = TaxonomyVersion.objects.create(name="old", is_active=False)
    retired = Category.objects.create(version=old, code="99", name_zh="旧类", depth=1)
    assert suggest(message_for("housing"), (retired, 0.9)).abstained


def test_a_confident_suggestion_applies_itself_under_the_supervisors_rule(
    supervisor: User, message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, 0.9)
    message = message_for("housing")
    suggestion = suggest(message, (taxonomy["repairs"], 0.95))
    message.refresh_from_db()
    assert message.state == "triaged"
    assert message.category == taxonomy["repairs"]
    event = message.events.get(action="triage")
    assert event.actor is None
    assert "95%" in event.note
    suggestion.refresh_from_db()
    assert suggestion.auto_applied_at is not None


def test_below_the_threshold_or_without_a_rule_nothing_is_applied(
    supervisor: User, message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, 0.9)
    unsure = message_for("housing", title="一")
    suggest(unsure, (taxonomy["repairs"], 0.89))
    other_major = message_for("housing", title="二")
    suggest(other_major, (taxonomy["buses"], 0.99))  # transport has no rule
    for message in (unsure, other_major):
        message.refresh_from_db()
        assert message.state == "new"


def test_the_machine_never_overwrites_a_clerks_decision(
    clerk: User,
    supervisor: User,
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    do_set_auto_apply(supervisor, taxonomy["transport"].pk, 0.5)
    message = message_for("housing")
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    suggestion = suggest(message, (taxonomy["buses"], 0.99))
    message.refresh_from_db()
    assert message.category == taxonomy["repairs"]
    assert suggestion.auto_applied_at is None


def test_a_machine_applied_category_can_be_changed_by_the_desk(
    clerk: User,
    supervisor: User,
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, 0.6)
    message = message_for("housing")
    suggest(message, (taxonomy["repairs"], 0.7))
    do_triage(clerk, message.pk, taxonomy["taxis"].pk, expected_state="triaged")
    message.refresh_from_db()
    assert message.category == taxonomy["taxis"]


@pytest.mark.parametrize("threshold", [0.49, 1.01, -1.0])
def test_a_threshold_outside_half_to_one_is_refused(
    supervisor: User, taxonomy: dict[str, Category], threshold: float
) -> None:
    with pytest.raises(IllegalMove):
        do_set_auto_apply(supervisor, taxonomy["housing"].pk, threshold)
    assert not AutoApplyRule.objects.exists()


def test_only_a_supervisor_sets_rules_and_only_on_major_categories(
    clerk: User, supervisor: User, taxonomy: dict[str, Category]
) -> None:
    with pytest.raises(PermissionDenied):
        do_set_auto_apply(clerk, taxonomy["housing"].pk, 0.9)
    with pytest.raises(IllegalMove):
        do_set_auto_apply(supervisor, taxonomy["repairs"].pk, 0.9)
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, 0.9)
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, None)
    assert not AutoApplyRule.objects.exists()


def test_the_supervisor_sets_thresholds_on_the_classifier_page(
    supervisor: User, signed_in: Callable[[User], Client], taxonomy: dict[str, Category]
) -> None:
    browser = signed_in(supervisor)
    page = browser.get("/staff/classifier/")
    assert page.status_code == 200
    assert f'name="threshold_{taxonomy["housing"].pk}"' in page.content.decode()
    response = browser.post(
        "/staff/classifier/",
        {
            f"threshold_{taxonomy['housing'].pk}": "0.9",
            f"threshold_{taxonomy['transport'].pk}": "95%",
        },
    )
    assert response.status_code == 302
    rules = dict(AutoApplyRule.objects.values_list("category__code", "threshold"))
    assert rules == {"01": 0.9, "04": 0.95}
    browser.post("/staff/classifier/", {f"threshold_{taxonomy['transport'].pk}": ""})
    assert set(AutoApplyRule.objects.values_list("category__code", flat=True)) == {"01"}


@pytest.mark.parametrize("bad", ["abc", "0.3", "1e9", "-0.9", "nan", "inf"])
def test_a_bad_threshold_is_refused_with_its_category_named(
    supervisor: User, signed_in: Callable[[User], Client], taxonomy: dict[str, Category], bad: str
) -> None:
    response = signed_in(supervisor).post(
        "/staff/classifier/", {f"threshold_{taxonomy['housing'].pk}": bad}, follow=True
    )
    assert "住房" in response.content.decode()
    assert not AutoApplyRule.objects.exists()


def test_the_classifier_page_is_for_supervisors_only(
    clerk: User, dept_officer: User, signed_in: Callable[[User], Client]
) -> None:
    assert signed_in(clerk).get("/staff/classifier/").status_code == 403
    assert signed_in(dept_officer).get("/staff/classifier/").status_code == 403
