"""Acquisition geometry from provenance: solar elevation (NOAA equations) and radar passes."""

from __future__ import annotations

import datetime as dt

import pytest

from geomeld.signals.acquisition import SUN_SOURCE_COMPUTED, acquisition_signal, solar_elevation_deg


@pytest.mark.parametrize("lat", [-30.0, 0.0, 23.0, 48.0, 61.0])
def test_noon_elevation_at_the_june_solstice(lat: float) -> None:
    # at local solar noon the elevation is 90° − |lat − declination|; declination ≈ +23.44° on 21 June
    best = max(
        solar_elevation_deg(lat, 0.0, dt.datetime(2021, 6, 21, 11, 0) + dt.timedelta(minutes=m))
        for m in range(0, 120, 2)
    )
    assert best == pytest.approx(90.0 - abs(lat - 23.44), abs=0.3)


def test_equinox_morning_and_night() -> None:
    # equinox at the equator: the sun rises ~6:00 local solar time and climbs ~15° an hour
    nine = solar_elevation_deg(0.0, 0.0, dt.datetime(2022, 3, 20, 9, 7, tzinfo=dt.UTC))
    assert nine == pytest.approx(45.0, abs=1.0)
    assert solar_elevation_deg(0.0, 0.0, dt.datetime(2022, 3, 20, 0, 7)) < -80.0
    # longitude shifts local time: 90° E at 03:07 UTC is 09:07 local
    assert solar_elevation_deg(0.0, 90.0, dt.datetime(2022, 3, 20, 3, 7)) == pytest.approx(nine, abs=0.5)


def _prov(s2: dict[str, object], s1: dict[str, object] | None = None) -> dict[str, object]:
    mods: dict[str, object] = {"sentinel2": s2}
    if s1 is not None:
        mods["sentinel1"] = s1
    return {"modalities": mods}


def test_computed_recorded_and_composite_sun() -> None:
    when = "2020-12-21T10:30:00+00:00"
    got = acquisition_signal(_prov({"datetime": when}), 50.0, 10.0)
    assert got is not None and got.sun_elevation_source == SUN_SOURCE_COMPUTED
    assert got.sun_elevation_deg == pytest.approx(
        solar_elevation_deg(50.0, 10.0, dt.datetime(2020, 12, 21, 10, 30, tzinfo=dt.UTC)), abs=0.01
    )
    assert 10.0 < got.sun_elevation_deg < 20.0  # a December morning at 50° N
    rec = acquisition_signal(_prov({"datetime": when, "s2:mean_solar_zenith": 70.0}), 50.0, 10.0)
    assert rec is not None and rec.sun_elevation_deg == 20.0 and "recorded" in str(rec.sun_elevation_source)
    two = {"items": [{"datetime": when}, {"datetime": "2020-12-26T10:30:00+00:00"}]}
    comp = acquisition_signal(_prov(two), 50.0, 10.0)
    assert comp is not None and comp.sun_elevation_deg is None and comp.notes
    assert acquisition_signal(_prov({"datetime": "2020-12-21"}), 50.0, 10.0) is None  # no time of day


def test_radar_passes() -> None:
    s1 = {
        "status": "ok",
        "items": [
            {"orbit_state": "descending", "orbit_state_inferred": True, "days_from_s2": 2.4},
            {"orbit_state": "ascending", "days_from_s2": -5.0},
        ],
    }
    got = acquisition_signal(_prov({}, s1), 50.0, 10.0)
    assert got is not None
    assert got.sar_orbits == ["descending", "ascending"] and got.sar_orbit_inferred
    assert got.sar_days_from_optical == [2.4, 5.0]
    assert acquisition_signal(_prov({}, {"status": "missing"}), 50.0, 10.0) is None
