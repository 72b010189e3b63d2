"""Trained models are versioned artefacts: one active per target, rolled back, verified, and
picked up by every process within 30 seconds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from yiwang.accounts.models import User
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.registry import (
    ActiveModels,
    ArtefactCorrupt,
    active_version,
    do_activate,
    do_store_version,
    read_artefact,
)

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
