"""Shared pytest fixtures. Tests read only what is inside the repository: the package's embedded real
data (``src/geomeld/data``) and the committed fixtures under ``tests/data``."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA
