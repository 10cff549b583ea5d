"""Shared helpers for the signal and caption tests: the committed real-data fixture samples."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from geomeld.sample import Sample

_DATA = Path(__file__).parent / "data" / "caption_samples" / "data.py"


@cache
def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("caption_samples_data", _DATA)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_samples() -> dict[str, Sample]:
    """Fresh copies of the real fixture samples (callers may mutate them)."""
    return dict(_module().load_samples())
