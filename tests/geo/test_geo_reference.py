"""Offline reference lookups at hand-checked places."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from geomeld.geo import reference as ref

# (lat, lon, land, köppen letter, igbp code, iso_a3, continent)
PLACES = {
    "Sahara (Niger)": (23.0, 12.0, True, "B", 16, "NER", "Africa"),
    "Amazon (Brazil)": (-3.5, -62.0, True, "A", 2, "BRA", "South America"),
    "Iowa farmland": (42.0, -93.5, True, "D", 12, "USA", "North America"),
    "Paris": (48.85, 2.35, True, "C", 13, "FRA", "Europe"),
    "Greenland ice sheet": (72.0, -40.0, True, "E", 15, "GRL", "North America"),
    "Sydney": (-33.87, 151.2, True, "C", 13, "AUS", "Oceania"),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_scalar_lookups_at_known_places(place: str) -> None:
    lat, lon, land, letter, igbp, iso, continent = PLACES[place]
    assert ref.is_land(lat, lon) is land
    k = ref.koppen_at(lat, lon)
    assert k is not None and k.letter == letter and k.name == ref.KOPPEN_GROUPS[k.code][1]
    assert ref.igbp_at(lat, lon) == (igbp, ref.IGBP_CLASSES[igbp])
    c = ref.country_at(lat, lon)
    assert c is not None and (c.iso_a3, c.continent) == (iso, continent)


def test_ocean_is_not_land_and_has_no_climate_or_country() -> None:
    assert ref.is_land(30.0, -40.0) is False
    assert ref.koppen_at(30.0, -40.0) is None
    assert ref.igbp_at(30.0, -40.0) == (0, "water")
    assert ref.country_at(30.0, -40.0) is None


def test_vectorised_lookups_match_scalars() -> None:
    lats = np.array([p[0] for p in PLACES.values()] + [30.0])
    lons = np.array([p[1] for p in PLACES.values()] + [-40.0])
    land = ref.is_land(lats, lons)
    k = ref.koppen_at(lats, lons)
    g = ref.igbp_at(lats, lons)
    c = ref.country_at(lats, lons)
    assert land.tolist() == [True] * len(PLACES) + [False]
    assert k.letter.tolist() == [p[3] for p in PLACES.values()] + [""]
    assert k.code[-1] == 0
    assert g.code.tolist() == [p[4] for p in PLACES.values()] + [0]
    assert c.iso_a3.tolist() == [p[5] for p in PLACES.values()] + [""]
    grid = ref.koppen_at(lats.reshape(7, 1), lons.reshape(7, 1))
    assert grid.code.shape == (7, 1)


def test_longitude_wraps_and_bad_coordinates_raise() -> None:
    assert ref.koppen_at(23.0, 12.0 + 360.0) == ref.koppen_at(23.0, 12.0)
    with pytest.raises(ValueError, match="index 1"):
        ref.is_land(np.array([0.0, 95.0]), np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="same shape"):
        ref.is_land(np.zeros(2), np.zeros(3))


def test_point_just_off_the_coast_snaps_to_nearest_country() -> None:
    import shapely

    lat, lon = 38.66, -9.45  # sea off Lisbon, outside every 1:50m polygon
    _, _, geoms = ref.country_geometries()
    assert not shapely.contains_xy(geoms, lon, lat).any()
    c = ref.country_at(lat, lon)
    assert c is not None and c.iso_a3 == "PRT"
    assert ref.country_at(0.0, -30.0) is None  # mid-Atlantic: nothing within the snap distance


def test_small_countries_resolve() -> None:
    assert ref.country_at(47.14, 9.52).iso_a3 == "LIE"  # Liechtenstein (OSM test area)
    assert ref.country_at(1.35, 103.82).iso_a3 == "SGP"


@pytest.mark.parametrize(
    ("date", "lat", "expected"),
    [
        (dt.date(2020, 7, 15), 48.0, "summer"),
        (dt.date(2020, 7, 15), -35.0, "winter"),
        ("2021-01-10", 50.0, "winter"),
        ("2021-01-10T10:00:00Z", -40.0, "summer"),
        (4, 45.0, "spring"),
        (4, -45.0, "autumn"),
        (8, 15.0, "wet"),
        (8, -15.0, "dry"),
        (1, -15.0, "wet"),
        (3, 2.0, "equatorial"),
    ],
)
def test_season_is_hemisphere_aware(date: dt.date | str | int, lat: float, expected: str) -> None:
    assert ref.season(date, lat) == expected


def test_season_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="month"):
        ref.season(13, 10.0)
    with pytest.raises(ValueError, match="lat"):
        ref.season(1, 123.0)
