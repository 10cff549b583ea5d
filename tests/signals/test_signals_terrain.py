"""Geomorphons, relief and slope on real DEMs (Slovenia eo-learn patch, Copernicus GLO-30 São Tomé).

The numpy geomorphons are compared with whitebox-workflows' on windows of the real Copernicus DEM
shipped in the package (at 10 m, the grid's pixel, and 30 m, the DEM's own), with and without no-data.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from caption_fixtures import load_samples
from geomeld.signals import compute_signals
from geomeld.signals.terrain import (
    GEOMORPHON_FORMS,
    GeomorphonCache,
    geomorphon_forms,
    terrain_signal,
)

COP_DEM = "data/real/copernicus_dem/Copernicus_DSM_COG_10_N00_00_E006_00_DEM_crop.tif"


@pytest.fixture(scope="module")
def cop_dem() -> np.ndarray:
    rasterio = pytest.importorskip("rasterio")
    with resources.as_file(resources.files("geomeld") / COP_DEM) as path, rasterio.open(path) as ds:
        return np.asarray(ds.read(1), dtype=np.float64)


def _windows(dem: np.ndarray, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    size = 128
    corners = rng.integers(0, min(dem.shape) - size, size=(n, 2))
    return [dem[r : r + size, c : c + size].copy() for r, c in corners]


@pytest.mark.parametrize("pixel_m", [10.0, 30.0])
def test_numpy_geomorphons_agree_with_whitebox_on_real_dem(cop_dem, pixel_m) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("whitebox_workflows", reason="the reference needs geomeld[terrain]")
    from geomeld.signals.terrain import whitebox_geomorphon_forms

    windows = _windows(cop_dem, 6, seed=int(pixel_m))
    windows[1][40:52, 60:80] = np.nan  # a no-data hole: skipped along the rays, unclassified itself
    windows[3][:, :5] = np.nan  # a no-data strip at the edge
    agree = total = 0
    for w in windows:
        ours = geomorphon_forms(w, pixel_m)
        ref = whitebox_geomorphon_forms(w, pixel_m)
        agree += int((ours == ref).sum())
        total += ours.size
        assert (ours[np.isnan(w)] == 0).all()
        # the São Tomé windows are mountainous: many forms occur, not a trivial all-Flat map
        assert len(np.unique(ours[ours > 0])) >= 6
    assert agree / total >= 0.99, f"class agreement {agree / total:.4f}"


def test_numpy_geomorphons_agree_with_whitebox_on_gentle_and_flat_ground() -> None:
    pytest.importorskip("whitebox_workflows", reason="the reference needs geomeld[terrain]")
    from geomeld.signals.terrain import whitebox_geomorphon_forms

    yy, xx = np.mgrid[0:96, 0:96]
    for tilt in (0.003, 0.012, 0.05):  # below, near and above the 1° flatness threshold
        z = 100.0 + tilt * 10 * xx + 0.4 * np.sin(yy / 6.0) * np.cos(xx / 9.0)
        assert (geomorphon_forms(z) == whitebox_geomorphon_forms(z)).mean() >= 0.99


def test_geomorphon_edges_and_bad_input() -> None:
    z = np.random.default_rng(0).normal(size=(40, 40)).cumsum(0).cumsum(1)
    forms = geomorphon_forms(z, search_distance=5)
    assert forms.dtype == np.uint8 and forms.shape == z.shape
    assert (forms[0] == 0).all() and (forms[:, -1] == 0).all() and (forms[1:-1, 1:-1] > 0).all()
    assert forms.max() <= len(GEOMORPHON_FORMS)
    with pytest.raises(ValueError, match="2-D"):
        geomorphon_forms(np.zeros(10))
    with pytest.raises(ValueError, match="search distance"):
        geomorphon_forms(np.zeros((8, 8)), search_distance=0)


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
