"""The learning loop: a candidate is trained on human decisions and imports, evaluated on a
held-out slice none of the versions trains on, and put in use only if it is not worse."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from tests.classifier_data import import_examples
from yiwang.accounts.models import User
from yiwang.classifier.engine import Example, loads
from yiwang.classifier.learning import do_retrain, due_for_retraining, held_out, split
from yiwang.classifier.models import ModelVersion, Target, TrainingExample
from yiwang.classifier.registry import active_version, read_artefact
from yiwang.classifier.tasks import retrain_when_due
from yiwang.classifier.training import category_examples
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_nothing_is_trained_from_too_few_decisions(taxonomy: dict[str, Category]) -> None:
    import_examples(taxonomy, per_kind=3)
    outcome = do_retrain(Target.CATEGORY)
    assert outcome.version is None
    assert "not enough" in outcome.why
    assert not ModelVersion.objects.exists()


def test_the_first_model_is_trained_evaluated_and_put_in_use(
    taxonomy: dict[str, Category],
) -> None:
    import_examples(taxonomy, per_kind=40)
    outcome = do_retrain(Target.CATEGORY)
    assert outcome.activated
    version = active_version(Target.CATEGORY)
    assert version == outcome.version
    assert version is not None
    assert version.metrics["macro_f1"] > 0.8
    assert version.metrics["messages"] == version.training["held_out"] > 0
    assert set(version.training["label_counts"]) == {"01/01.01", "04/04.01", "04/04.02"}
    model = loads(read_artefact(version), sha256=version.sha256)
    assert set(model.labels) == {("01", "01.01"), ("04", "04.01"), ("04", "04.02")}


def test_held_out_examples_never_teach_any_version(taxonomy: dict[str, Category]) -> None:
    import_examples(taxonomy, per_kind=40)
    train, test = split(list(category_examples()))
    assert test
    assert all(held_out(e) for e in test)
    assert not any(held_out(e) for e in train)
    # The slice is a property of the text, so it is the same on every training round.
    assert split(list(category_examples()))[1] == test


def test_a_worse_candidate_is_kept_but_not_put_in_use(taxonomy: dict[str, Category]) -> None:
    import_examples(taxonomy, per_kind=40)
    first = do_retrain(Target.CATEGORY).version
    assert first is not None
    # Mislabel the repairs examples it trains on (not those it is judged on): it learns nonsense.
    repairs = TrainingExample.objects.filter(category=taxonomy["repairs"])
    taught = [e.pk for e in repairs if not held_out(Example(e.title, e.text, ("01", "01.01")))]
    TrainingExample.objects.filter(pk__in=taught).update(category=taxonomy["taxis"])
    outcome = do_retrain(Target.CATEGORY)
    assert outcome.version is not None
    assert not outcome.activated
    assert "below the active model" in outcome.why
    assert active_version(Target.CATEGORY) == first


def test_retraining_is_due_only_after_enough_new_decisions(
    taxonomy: dict[str, Category],
) -> None:
    import_examples(taxonomy, per_kind=40)
    assert due_for_retraining(Target.CATEGORY)
    retrain_when_due.call("2026-11-29T10:10:00+08:00")
    assert ModelVersion.objects.count() == 1
    with override_settings(YIWANG_CLASSIFIER_RETRAIN_AFTER=30):
        assert not due_for_retraining(Target.CATEGORY)
        import_examples(taxonomy, per_kind=10, seed=8)
        assert due_for_retraining(Target.CATEGORY)
        retrain_when_due.call("2026-11-29T11:10:00+08:00")
    assert ModelVersion.objects.count() == 2
    assert not due_for_retraining(Target.DEPARTMENT)


def test_the_train_and_evaluate_commands_print_the_figures(
    taxonomy: dict[str, Category],
) -> None:
    import_examples(taxonomy, per_kind=40)
    out = io.StringIO()
    call_command("classifier", "train", stdout=out)
    assert "category v1" in out.getvalue()
    assert "activated" in out.getvalue()
    out = io.StringIO()
    call_command("classifier", "evaluate", stdout=out)
    assert "macro-F1" in out.getvalue()
    assert "01/01.01: precision" in out.getvalue()


def test_training_with_nothing_to_learn_is_a_clear_command_error(
    taxonomy: dict[str, Category],
) -> None:
    with pytest.raises(CommandError, match="Nothing trained"):
        call_command("classifier", "train")


@pytest.fixture
def exported(taxonomy: dict[str, Category], tmp_path: Path) -> Path:
    """A trained, active version 1, also exported to a file."""
    import_examples(taxonomy, per_kind=40)
    call_command("classifier", "train", stdout=io.StringIO())
    path = tmp_path / "category.model"
    call_command("classifier", "export", str(path), stdout=io.StringIO())
    return path


def test_an_exported_model_imports_as_a_new_version(exported: Path) -> None:
    call_command("classifier", "import", "--model", str(exported), stdout=io.StringIO())
    second = ModelVersion.objects.get(number=2)
    assert not second.is_active
    assert second.sha256 == ModelVersion.objects.get(number=1).sha256
    assert second.training["imported"] is True


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"PK\x03\x04 not really a zip",
        b"",
        b"\x80\x04\x95 a pickle",
    ],
    ids=["png", "broken-zip", "empty", "pickle"],
)
def test_a_foreign_or_corrupt_model_file_is_refused_and_the_active_model_stays(
    exported: Path, tmp_path: Path, content: bytes
) -> None:
    active = active_version(Target.CATEGORY)
    foreign = tmp_path / "foreign.model"
    foreign.write_bytes(content)
    with pytest.raises(CommandError, match=r"foreign\.model"):
        call_command("classifier", "import", "--model", "--activate", str(foreign))
    assert active_version(Target.CATEGORY) == active
    assert ModelVersion.objects.count() == 1


def test_a_model_of_another_sites_categories_is_refused(exported: Path) -> None:
    for number, category in enumerate(Category.objects.all()):  # another taxonomy now
        category.code = f"X{number}"
        category.save(update_fields=["code"])
    with pytest.raises(CommandError, match="none of this site"):
        call_command("classifier", "import", "--model", str(exported))


def test_only_a_supervisor_starts_training_and_only_for_a_known_target(
    taxonomy: dict[str, Category],
    clerk: User,
    supervisor: User,
    signed_in: Callable[[User], Client],
) -> None:
    assert signed_in(clerk).post("/staff/classifier/category/train").status_code == 403
    assert signed_in(supervisor).post("/staff/classifier/nonsense/train").status_code == 404
    assert signed_in(supervisor).get("/staff/classifier/category/train").status_code == 405
