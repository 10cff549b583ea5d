"""Stable tile ids: an int64 derived from the anchor coordinates alone, reversible.

Coordinates are quantised to 1e-5° (≈ 1.1 m) — the pool stores the quantised values, so the id computed
from a stored ``lat``/``long`` is the stored id. ``tile_id = lat_q * 36_000_001 + lon_q`` with
``lat_q = round((lat + 90) * 1e5)`` and ``lon_q = round((lon + 180) * 1e5)`` (longitude wrapped to
[-180, 180)). Two anchors get the same id only if they are within ~1 m of each other, far below the
pool's minimum spacing, so ids are unique within a pool and identical across runs and machines.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

SCALE = 100_000
_LON_SPAN = 360 * SCALE + 1


def quantize(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates snapped to the 1e-5° lattice that tile ids encode (longitude wrapped to [-180, 180))."""
    lat_q, lon_q = _integers(lat, lon)
    return (lat_q - 90 * SCALE) / SCALE, (lon_q - 180 * SCALE) / SCALE


def _integers(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    la = np.asarray(lat, dtype=np.float64)
    lo = (np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0
    if not (np.isfinite(la).all() and np.isfinite(lo).all() and (np.abs(la) <= 90).all()):
        raise ValueError("tile ids need finite coordinates with -90 <= lat <= 90")
    lat_q = np.rint((la + 90.0) * SCALE).astype(np.int64)
    lon_q = np.rint((lo + 180.0) * SCALE).astype(np.int64) % (360 * SCALE)
    return lat_q, lon_q


def tile_ids(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.int64]:
    """int64 tile ids of the given anchors (same point → same id, in every run)."""
    lat_q, lon_q = _integers(lat, lon)
    return lat_q * _LON_SPAN + lon_q


def coords_of(tile_id: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The (lat, lon) a tile id encodes (inverse of :func:`tile_ids` on quantised coordinates)."""
    t = np.asarray(tile_id, dtype=np.int64)
    return (t // _LON_SPAN - 90 * SCALE) / SCALE, (t % _LON_SPAN - 180 * SCALE) / SCALE
