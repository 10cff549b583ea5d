"""Tile ids are stable; the spacing rule keeps every pair of tile centres at least the minimum apart."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geomeld.sampling.ids import coords_of, quantize, tile_ids
from geomeld.sampling.spacing import DEFAULT_MIN_DISTANCE_M, SpacingIndex, geodesic_m, violations


def test_tile_ids_are_stable_reversible_and_insensitive_to_float_noise() -> None:
    lat, lon = np.array([48.85, -3.5, 0.0, -89.0]), np.array([2.35, -62.0, 179.999994, -180.0])
    ids = tile_ids(lat, lon)
    assert ids.dtype == np.int64
    assert ids[0] == 499860032120000  # fixed value: ids never change between runs or versions
    assert (tile_ids(lat + 1e-9, lon - 1e-9) == ids).all()
    assert tile_ids(0.0, 180.0) == tile_ids(0.0, -180.0)  # wrapped longitude
    q_lat, q_lon = quantize(lat, lon)
    back_lat, back_lon = coords_of(ids)
    np.testing.assert_array_equal(back_lat, q_lat)
    np.testing.assert_array_equal(back_lon, q_lon)
    assert (tile_ids(q_lat, q_lon) == ids).all()


def test_default_distance_keeps_rotated_tiles_apart() -> None:
    assert 1280 * np.sqrt(2) <= DEFAULT_MIN_DISTANCE_M


def test_duplicates_and_near_points_are_rejected_with_their_blocker() -> None:
    idx = SpacingIndex(1280.0)
    idx.seed([48.85], [2.35])
    res = idx.add([48.85, 48.86, 48.9, 48.9001], [2.35, 2.35, 2.35, 2.35])
    # 0 m and ~1112 m from the seed: rejected; 48.9 kept; 48.9001 is 11 m from 48.9: rejected
    assert res.keep.tolist() == [False, False, True, False]
    assert res.conflict.tolist() == [0, 0, -1, 1]
    assert res.distance_m[0] == 0.0 and 1100 < res.distance_m[1] < 1120
    assert len(idx) == 2


def test_antimeridian_neighbours_are_detected() -> None:
    idx = SpacingIndex(1280.0)
    res = idx.add([10.0, 10.0], [179.9995, -179.9995])  # ~110 m apart across the dateline
    assert res.keep.tolist() == [True, False]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.floats(min_value=-75.0, max_value=75.0),
    st.floats(min_value=-180.0, max_value=180.0),
    st.sampled_from([1280.0, float(DEFAULT_MIN_DISTANCE_M)]),
)
def test_property_no_kept_pair_is_closer_than_the_minimum(
    seed: int, lat0: float, lon0: float, d: float
) -> None:
    rng = np.random.default_rng(seed)
    n_old, n_new = 30, 150
    # a cluster ~0.1° across, so that many points collide
    lat = lat0 + rng.normal(0, 0.03, n_old + n_new)
    lon = lon0 + rng.normal(0, 0.03, n_old + n_new)
    idx = SpacingIndex(d)
    first = idx.add(lat[:n_old], lon[:n_old])
    second = idx.add(lat[n_old:], lon[n_old:])
    kept_lat, kept_lon = idx.lat, idx.lon
    # brute force over all pairs
    i, j = np.triu_indices(kept_lat.size, k=1)
    if i.size:
        assert geodesic_m(kept_lat[i], kept_lon[i], kept_lat[j], kept_lon[j]).min() >= d
    assert violations(kept_lat, kept_lon, d).shape == (0, 2)
    # greedy is maximal: every rejected point is within d of its recorded blocker
    for res, la, lo in ((first, lat[:n_old], lon[:n_old]), (second, lat[n_old:], lon[n_old:])):
        rej = np.flatnonzero(~res.keep)
        if rej.size:
            b = res.conflict[rej]
            dist = geodesic_m(la[rej], lo[rej], kept_lat[b], kept_lon[b])
            assert (dist < d).all()
            np.testing.assert_allclose(dist, res.distance_m[rej], rtol=1e-9)
