"""The disclosure office's personas, shared by the disclosure test files: a body (the housing
bureau), its disclosure officer and the head of its disclosure office."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import User
from yiwang.orgs.models import Department

from .conftest import _staff


@pytest.fixture
def body(departments: dict[str, Department]) -> Department:
    return departments["housing"]


@pytest.fixture
def officer(body: Department) -> User:
    return _staff("disclosure_officer", ["disclosure_officer"], body)


@pytest.fixture
def head(body: Department) -> User:
    return _staff("disclosure_head", ["disclosure_head"], body)
