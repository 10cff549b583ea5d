"""Shared pytest fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"


def shared_data_dir() -> Path:
    """The read-only real-data folder (``GEOMELD_SHARED_DATA``, default ``<repo>/../shared/data``)."""
    return Path(os.environ.get("GEOMELD_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Real rasters for tests that need more than the embedded sample; fails loudly when missing."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(
            f"real test data not found at {path}; set GEOMELD_SHARED_DATA to the shared/data folder",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA
