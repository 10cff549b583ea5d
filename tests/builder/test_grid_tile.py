"""Tile geometry: UTM zone choice, 1280 m footprint, lattice snapping, domain errors."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from geomeld.builder.grid import TileGeometryError, tile_for_anchor, utm_epsg


@pytest.mark.parametrize(
    ("lat", "lon", "epsg"),
    [
        (52.5, 13.4, 32633),  # Berlin
        (-33.9, 18.4, 32734),  # Cape Town (south)
        (60.0, 5.0, 32632),  # Norway exception (would be 31)
        (78.0, 15.0, 32633),  # Svalbard exception
        (0.2, 6.55, 32632),
        (40.0, -179.99, 32601),
        (40.0, 179.99, 32660),
    ],
)
def test_utm_zone(lat: float, lon: float, epsg: int) -> None:
    assert utm_epsg(lat, lon) == epsg


@pytest.mark.parametrize(("lat", "lon"), [(89.0, 0.0), (-85.0, 10.0), (float("nan"), 0.0), (95.0, 0.0)])
def test_poles_and_invalid_anchors_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(TileGeometryError):
        tile_for_anchor(lat, lon, "t")


def test_tile_is_1280m_centred_and_snapped() -> None:
    t = tile_for_anchor(52.4905, 12.55, 7)
    left, bottom, right, top = t.bounds
    assert right - left == pytest.approx(1280.0) and top - bottom == pytest.approx(1280.0)
    assert left % 10 == 0 and top % 10 == 0
    x, y = Transformer.from_crs(4326, t.epsg, always_xy=True).transform(12.55, 52.4905)
    assert abs((left + right) / 2 - x) <= 5.0 and abs((top + bottom) / 2 - y) <= 5.0
    g10, g1 = t.grid_10m, t.grid_1m
    assert (g10.width, g10.height, g10.pixel_m) == (128, 128, 10.0)
    assert (g1.width, g1.height, g1.pixel_m) == (1280, 1280, 1.0)
    assert g10.bounds == g1.bounds == t.bounds
    padded = g10.padded(1)
    assert padded.width == 130 and padded.bounds[0] == left - 10
    lon0, lat0, lon1, lat1 = t.bbox_lonlat()
    assert lon0 < 12.55 < lon1 and lat0 < 52.4905 < lat1
    assert 1280 <= (lat1 - lat0) * 111_320 <= 1280 * 1.06  # grid convergence widens the bbox


def test_tile_in_another_zone_keeps_the_anchor() -> None:
    t = tile_for_anchor(52.0, 12.01, "a")  # zone 33, near the 32/33 boundary
    other = t.in_crs(32632)
    assert other.epsg == 32632 and other.tile_id == "a"
    x, y = Transformer.from_crs(4326, 32632, always_xy=True).transform(12.01, 52.0)
    left, bottom, right, top = other.bounds
    assert left < x < right and bottom < y < top
