"""Shared helpers for the signal and caption tests: the committed real-data fixture samples."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from geomeld.core.sample import Sample
from geomeld.signals.osm import OsmPbfIndex

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


VADUZ = (47.1410, 9.5215)


@cache
def vaduz_index() -> OsmPbfIndex:
    """Real OSM around central Vaduz (the committed extract), indexed once per test session."""
    return OsmPbfIndex.from_pbf(_DATA.parent / "vaduz.osm.pbf")
