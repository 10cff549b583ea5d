"""Geomorphons, relief and slope on real DEMs (Slovenia eo-learn patch, Copernicus GLO-30 São Tomé)."""

from __future__ import annotations

import numpy as np
import pytest

from caption_fixtures import load_samples
from geomeld.signals import compute_signals
from geomeld.signals.terrain import GeomorphonCache, geomorphon_forms, terrain_signal

pytest.importorskip("whitebox_workflows", reason="geomorphons need whitebox-workflows (geomeld[terrain])")


@pytest.fixture(scope="module")
def samples():  # type: ignore[no-untyped-def]
    return load_samples()


def test_slovenia_dem_relief_and_forms(samples) -> None:  # type: ignore[no-untyped-def]
    t = compute_signals(samples["slovenia"]).terrain
    assert t is not None
    # the eo-learn README gives 664–801 m for this DEM
    assert (t.elevation_min, t.elevation_max) == (664.0, 801.0)
    assert t.terrain_class == "Slope"  # a hillside: the majority form is Slope
    assert 5 < t.slope_mean < 15 and 100 < t.relief < 140
    assert set(t.forms) <= {
        "Flat",
        "Peak",
        "Ridge",
        "Shoulder",
        "Spur",
        "Slope",
        "Hollow",
        "Footslope",
        "Valley",
        "Pit",
    }
    assert sum(t.forms.values()) == pytest.approx(100.0, abs=0.01)


def test_saotome_mountain_is_steep_and_plain_is_gentle(samples) -> None:  # type: ignore[no-untyped-def]
    m = compute_signals(samples["saotome_mountain"]).terrain
    p = compute_signals(samples["saotome_plain"]).terrain
    assert m is not None and p is not None
    assert m.relief > 500 and m.slope_mean > 25
    assert p.relief < 40 and p.slope_mean < 4
    assert p.forms.get("Flat", 0) > m.forms.get("Flat", 0)


def test_form_codes_follow_jasiewicz_stepinski_order() -> None:
    yy, xx = np.mgrid[0:64, 0:64]
    bump = 50 * np.exp(-((xx - 32) ** 2 + (yy - 32) ** 2) / 60.0)
    assert geomorphon_forms(bump)[32, 32] == 2  # Peak
    assert geomorphon_forms(-bump)[32, 32] == 10  # Pit
    flat = terrain_signal(np.full((64, 64), 100.0))
    assert flat is not None and flat.terrain_class == "Flat" and flat.relief == 0.0


def test_missing_dem_gives_no_terrain_and_a_reason(samples) -> None:  # type: ignore[no-untyped-def]
    b = compute_signals(samples["brandenburg_0"])
    assert b.terrain is None and b.missing["terrain"] == "no DEM: aster all no-data"


def test_geomorphon_cache_hits_and_persists(tmp_path, samples) -> None:  # type: ignore[no-untyped-def]
    dem = samples["slovenia"].arrays["aster"][0]
    cache = GeomorphonCache(tmp_path)
    a = terrain_signal(dem, cache=cache)
    b = terrain_signal(dem, cache=cache)
    assert a == b and (cache.hits, cache.misses) == (1, 1)
    cold = GeomorphonCache(tmp_path)
    assert terrain_signal(dem, cache=cold) == a and cold.hits == 1 and cold.misses == 0
