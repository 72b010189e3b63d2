"""The engine learns from human decisions and imports, never from the machine's own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.casework.actions import do_forward, do_machine_triage, do_triage
from yiwang.classifier.models import Target, TrainingExample
from yiwang.classifier.training import (
    categories_by_path,
    category_examples,
    category_paths,
    department_examples,
)
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_labels_are_paths_of_codes_of_the_active_taxonomy(taxonomy: dict[str, Category]) -> None:
    paths = category_paths()
    assert paths[taxonomy["repairs"].pk] == ("01", "01.01")
    assert paths[taxonomy["housing"].pk] == ("01",)
    assert categories_by_path()[("04", "04.02")] == taxonomy["taxis"].pk


def test_a_clerks_decision_teaches_and_the_machines_does_not(
    clerk: User, message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    by_clerk = message_for("housing", title="电梯坏了")
    by_machine = message_for("housing", title="公交晚点")
    do_triage(clerk, by_clerk.pk, taxonomy["repairs"].pk)
    do_machine_triage(by_machine.pk, taxonomy["buses"].pk, "machine")
    TrainingExample.objects.create(
        target=Target.CATEGORY,
        title="出租车",
        text="司机拒载",
        category=taxonomy["taxis"],
        label="出租车",
        source="history.csv",
        fingerprint="x" * 64,
        imported_at=timezone.now(),
    )
    examples = {(e.title, e.label) for e in category_examples()}
    assert examples == {("出租车", ("04", "04.02")), ("电梯坏了", ("01", "01.01"))}


def test_the_departments_a_person_forwarded_to_teach_routing(
    clerk: User,
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing", title="电梯坏了")
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    do_forward(clerk, message.pk, departments["housing"].pk)
    message_for("transport", title="没有转办")  # routed, never forwarded: not a decision
    assert [(e.title, e.label) for e in department_examples()] == [("电梯坏了", ("杭建",))]
