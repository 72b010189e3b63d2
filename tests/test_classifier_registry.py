"""Trained models are versioned artefacts: one active per target, rolled back, verified, and
picked up by every process within 30 seconds."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from yiwang.accounts.models import User
from yiwang.classifier.evaluation import evaluate
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.registry import (
    ActiveModels,
    ArtefactCorrupt,
    active_version,
    do_activate,
    do_store_version,
    read_artefact,
)
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def store(data: bytes, f1: float = 0.9) -> ModelVersion:
    return do_store_version(Target.CATEGORY, data, {"macro_f1": f1}, {"examples": 100})


def test_versions_are_numbered_and_stored_with_their_sha256() -> None:
    first, second = store(b"model one"), store(b"model two")
    assert (first.number, second.number) == (1, 2)
    assert read_artefact(second) == b"model two"
    assert len(second.sha256) == 64
    assert not first.is_active


def test_one_version_is_active_per_target_and_a_supervisor_rolls_back(
    supervisor: User, clerk: User
) -> None:
    first, second = store(b"one"), store(b"two")
    do_activate(None, first)
    do_activate(supervisor, second)
    assert active_version(Target.CATEGORY) == second
    do_activate(supervisor, first)  # roll back
    assert list(ModelVersion.objects.filter(is_active=True)) == [first]
    with pytest.raises(PermissionDenied):
        do_activate(clerk, second)
    assert active_version(Target.DEPARTMENT) is None


def test_a_damaged_artefact_is_refused_and_the_active_model_stays(supervisor: User) -> None:
    good, damaged = store(b"good"), store(b"damaged")
    do_activate(supervisor, good)
    with default_storage.open(damaged.artefact, "wb") as file:
        file.write(b"something else")
    with pytest.raises(ArtefactCorrupt):
        do_activate(supervisor, damaged)
    assert active_version(Target.CATEGORY) == good


def test_each_process_reloads_a_new_active_model_within_thirty_seconds(
    supervisor: User,
) -> None:
    now = [1000.0]
    loads: list[bytes] = []

    def load(data: bytes) -> str:
        loads.append(data)
        return data.decode()

    models = ActiveModels(load, clock=lambda: now[0])
    assert models.get(Target.CATEGORY) == (None, None)
    first = do_activate(supervisor, store(b"one"))
    now[0] += 10
    assert models.get(Target.CATEGORY) == (None, None)  # not re-checked yet
    now[0] += 25
    assert models.get(Target.CATEGORY) == (first, "one")
    now[0] += 31
    assert models.get(Target.CATEGORY) == (first, "one")
    assert loads == [b"one"]  # the same version is not loaded twice
    second = do_activate(supervisor, store(b"two"))
    now[0] += 31
    assert models.get(Target.CATEGORY) == (second, "two")


def test_the_command_activates_and_exports_versions(tmp_path: Path) -> None:
    first, second = store(b"one"), store(b"two")
    call_command("classifier", "activate", "2", stdout=io.StringIO())
    assert active_version(Target.CATEGORY) == second
    out = tmp_path / "active.model"
    call_command("classifier", "export", str(out), stdout=io.StringIO())
    assert out.read_bytes() == b"two"
    call_command("classifier", "export", "--number", "1", str(out), stdout=io.StringIO())
    assert out.read_bytes() == b"one"
    with pytest.raises(CommandError, match="No category model version 9"):
        call_command("classifier", "activate", "9")
    with pytest.raises(CommandError, match="No department model version"):
        call_command("classifier", "export", "--target", "department", str(out))
    assert first.pk


def test_the_classifier_page_shows_the_active_models_evaluation_and_rolls_back(
    supervisor: User, signed_in: Any, taxonomy: dict[str, Category]
) -> None:
    truth = ["01/01.01", "01/01.01", "04/04.01", "04/04.02"]
    predicted = [("01/01.01", 0.9), ("04/04.01", 0.6), ("04/04.01", 0.8), ("04/04.02", 0.7)]
    metrics = evaluate(truth, predicted)
    first = do_store_version(Target.CATEGORY, b"one", metrics, {"examples": 4})
    second = do_store_version(Target.CATEGORY, b"two", metrics, {"examples": 4})
    do_activate(supervisor, second)
    browser = signed_in(supervisor)
    page = browser.get("/staff/classifier/").content.decode()
    assert "<svg" in page
    assert "房屋维修" in page  # labels shown by their names
    assert "0.778" in page  # macro-F1: (2/3 + 2/3 + 1) / 3
    response = browser.post(f"/staff/classifier/versions/{first.pk}/activate")
    assert response.status_code == 302
    assert active_version(Target.CATEGORY) == first
