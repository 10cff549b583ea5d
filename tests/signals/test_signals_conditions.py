"""Cloud, haze, shadow and snow shares from Sentinel-2 bands (synthetic spectra with known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from geomeld.signals.conditions import image_conditions, rayleigh_blue, solar_zenith_deg

NAMES = ["B2", "B3", "B4", "B8", "B11"]
# reflectances (B2, B3, B4, B8, B11) of typical surfaces
GRASS = (0.03, 0.06, 0.04, 0.35, 0.20)
SOIL = (0.08, 0.11, 0.14, 0.22, 0.30)
WATER = (0.04, 0.05, 0.03, 0.02, 0.01)
CLOUD = (0.55, 0.55, 0.56, 0.60, 0.45)
SNOW = (0.80, 0.78, 0.76, 0.70, 0.08)


def tile(parts: list[tuple[tuple[float, ...], int]], scale: float = 1.0) -> np.ndarray:
    """A 10 × 10 tile whose rows are filled with the given spectra (row counts sum to 10)."""
    rows = [np.array(spec, dtype=np.float32) for spec, n in parts for _ in range(n)]
    assert len(rows) == 10
    arr = np.stack([np.tile(r[:, None], (1, 10)) for r in rows], axis=1)  # (5, 10, 10)
    return arr * scale


def conditions(arr: np.ndarray):  # type: ignore[no-untyped-def]
    out = image_conditions(arr, NAMES, np.ones(arr.shape[1:], dtype=bool))
    assert out is not None
    return out


def test_clear_tile_has_no_cloud_and_no_snow() -> None:
    c = conditions(tile([(GRASS, 6), (SOIL, 3), (WATER, 1)]))
    assert c.cloud_upper == 0.0 and c.cloud_lower == 0.0
    assert c.snow_lower == 0.0 and c.snow_upper == 0.0
    assert c.shadow_upper == pytest.approx(10.0)  # water is dark in NIR and SWIR: an upper bound only


def test_opaque_cloud_is_bounded_from_both_sides() -> None:
    c = conditions(tile([(CLOUD, 3), (GRASS, 7)]))
    assert c.cloud_lower == pytest.approx(30.0) and c.cloud_upper == pytest.approx(30.0)


def test_an_overcast_tile_does_not_raise_its_own_threshold() -> None:
    c = conditions(tile([(CLOUD, 10)]))
    assert c.cloud_lower == pytest.approx(100.0) and c.cloud_upper == pytest.approx(100.0)


def test_snow_is_not_cloud() -> None:
    c = conditions(tile([(SNOW, 4), (GRASS, 6)]))
    assert c.snow_lower == pytest.approx(40.0) and c.snow_upper == pytest.approx(40.0)
    assert c.cloud_lower == 0.0 and c.cloud_upper == 0.0


def test_digital_numbers_are_rescaled() -> None:
    assert conditions(tile([(CLOUD, 5), (GRASS, 5)], scale=10000.0)).cloud_lower == pytest.approx(50.0)


def test_missing_band_gives_none() -> None:
    arr = tile([(GRASS, 10)])
    assert image_conditions(arr[:4], NAMES[:4], np.ones((10, 10), dtype=bool)) is None


def test_rayleigh_path_reflectance_grows_with_a_low_sun() -> None:
    winter = rayleigh_blue(52.5, 47)
    summer = rayleigh_blue(52.5, 170)
    assert solar_zenith_deg(52.5, 47) == pytest.approx(67.0, abs=2.0)
    assert 0.08 < winter < 0.11 and summer < winter


def test_sun_elevation_at_a_known_time() -> None:
    from datetime import UTC, datetime

    from geomeld.signals.conditions import sun_elevation_deg

    # Berlin, summer solstice at local solar noon (~11:07 UTC): 90 − 52.5 + 23.44 ≈ 60.9°
    assert sun_elevation_deg(52.5, 13.4, datetime(2021, 6, 21, 11, 7, tzinfo=UTC)) == pytest.approx(
        60.9, abs=0.7
    )
    # the same place on a February morning is low
    assert sun_elevation_deg(52.5, 13.4, datetime(2017, 2, 16, 10, 20, tzinfo=UTC)) < 26.0
