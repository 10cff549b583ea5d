"""Acquisition records from provenance: radar–optical gaps and a product's recorded sun elevation."""

from __future__ import annotations

from geomeld.signals.acquisition import acquisition_signal, recorded_sun_elevation


def test_radar_optical_gaps() -> None:
    s1 = {
        "status": "ok",
        "items": [
            {"orbit_state": "descending", "days_from_s2": 2.4},
            {"orbit_state": "ascending", "days_from_s2": -5.0},
        ],
    }
    got = acquisition_signal({"modalities": {"sentinel1": s1}})
    assert got is not None and got.sar_days_from_optical == [2.4, 5.0]


def test_nothing_recorded() -> None:
    assert acquisition_signal({"modalities": {"sentinel1": {"status": "missing"}}}) is None
    assert acquisition_signal({"modalities": {"sentinel1": {"status": "ok", "items": [{}]}}}) is None
    assert acquisition_signal(None) is None


def test_a_recorded_sun_elevation() -> None:
    assert recorded_sun_elevation({"view:sun_elevation": 31.5}) == (31.5, "recorded: view:sun_elevation")
    assert recorded_sun_elevation({"properties": {"s2:mean_solar_zenith": 62.0}}) == (
        28.0,
        "recorded: 90° − s2:mean_solar_zenith",
    )
    assert recorded_sun_elevation({"datetime": "2020-01-01T10:00:00Z"}) is None
    assert recorded_sun_elevation(None) is None
