"""Trained models as versioned artefacts: stored privately with their sha256, activated one at
a time per target, rolled back, and reloaded by every process within 30 seconds of a change.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.classifier.models import ModelVersion, Target

RECHECK_SECONDS = 30.0
T = TypeVar("T")


class ArtefactCorrupt(Exception):
    """The stored file is not the one that was registered (its sha256 differs) or is gone."""


def do_store_version(
    target: Target, data: bytes, metrics: dict[str, Any], training: dict[str, Any]
) -> ModelVersion:
    """Keep a trained model as the next version of ``target``, not yet active."""
    with transaction.atomic():
        # Trainings run one at a time on the worker; should two ever overlap, the unique
        # (target, number) constraint refuses the second rather than numbering it twice.
        last = ModelVersion.objects.filter(target=target).aggregate(n=Max("number"))["n"]
        number = (last or 0) + 1
        name = default_storage.save(f"classifier/{target}-v{number}.model", ContentFile(data))
        return ModelVersion.objects.create(
            target=target,
            number=number,
            artefact=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            metrics=metrics,
            training=training,
            created_at=timezone.now(),
        )


def read_artefact(version: ModelVersion) -> bytes:
    try:
        with default_storage.open(version.artefact, "rb") as stored:
            data: bytes = stored.read()
    except OSError as exc:
        raise ArtefactCorrupt(f"{version}: the model file cannot be read ({exc})") from exc
    if hashlib.sha256(data).hexdigest() != version.sha256:
        raise ArtefactCorrupt(f"{version}: the model file is not the one registered")
    return data


def do_activate(user: User | None, version: ModelVersion) -> ModelVersion:
    """Make ``version`` the one in use for its target (also how a supervisor rolls back).

    ``user`` None is the retraining task, which activates a candidate that is not worse.
    """
    if user is not None and not user.has_perm("accounts.supervise_messages"):
        raise PermissionDenied
    read_artefact(version)  # a damaged file is refused and the active model stays
    with transaction.atomic():
        # Locked: two activations at once would otherwise leave two active versions (the
        # unique partial index would refuse the second; this makes it wait instead).
        list(ModelVersion.objects.select_for_update().filter(target=version.target))
        ModelVersion.objects.filter(target=version.target, is_active=True).update(is_active=False)
        ModelVersion.objects.filter(pk=version.pk).update(
            is_active=True, activated_at=timezone.now()
        )
    version.refresh_from_db()
    return version


def active_version(target: Target) -> ModelVersion | None:
    return ModelVersion.objects.filter(target=target, is_active=True).first()


class ActiveModels(Generic[T]):
    """Per process: the loaded active model of each target, re-checked at most every 30 s."""

    def __init__(
        self,
        load: Callable[[bytes], T],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._clock = clock
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[ModelVersion | None, T | None, float]] = {}

    def get(self, target: Target) -> tuple[ModelVersion | None, T | None]:
        """The active version and its loaded model (None, None when there is none)."""
        with self._lock:
            now = self._clock()
            version, model, checked = self._loaded.get(target, (None, None, float("-inf")))
            if now - checked < RECHECK_SECONDS:
                return version, model
            current = active_version(target)
            if current is None:
                model = None
            elif version is None or current.pk != version.pk:
                model = self._load(read_artefact(current))
            self._loaded[target] = (current, model, now)
            return current, model

    def forget(self) -> None:
        """Drop what this process has loaded (tests, and after a database is swapped)."""
        with self._lock:
            self._loaded.clear()
