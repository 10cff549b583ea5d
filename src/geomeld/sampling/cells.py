"""Candidate cells of each stratum, and area-uniform random points inside them.

Globally, a stratum's cells are its 0.05° grid cells (weight = cell area). Inside ``--within`` footprints,
they are the grid cells that intersect the footprints, each clipped to the bounding box of its part of
the footprints (weight = the area of that part), so that tiny footprints are not sampled by blind
rejection from a whole cell.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from geomeld.sampling.footprints import Footprints
from geomeld.sampling.strata import EARTH_RADIUS_KM, StrataGrid


def _area_uniform_points(
    rng: np.random.Generator,
    south: NDArray[np.float64],
    north: NDArray[np.float64],
    west: NDArray[np.float64],
    east: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    s, n = np.radians(south), np.radians(north)
    lat = np.degrees(np.arcsin(np.sin(s) + rng.random(s.size) * (np.sin(n) - np.sin(s))))
    lon = west + rng.random(s.size) * (east - west)
    return lat, lon


class CellSet(ABC):
    """Cells of one stratum with their areas (km²); :meth:`draw` picks area-uniform random points."""

    def __init__(self, area_km2: NDArray[np.float64]) -> None:
        self._cum = np.cumsum(area_km2)

    @property
    def total_area_km2(self) -> float:
        return float(self._cum[-1]) if self._cum.size else 0.0

    @property
    def area_km2(self) -> NDArray[np.float64]:
        """Area of each cell (km²)."""
        return np.diff(self._cum, prepend=0.0)

    def _pick(self, rng: np.random.Generator, k: int) -> NDArray[np.int64]:
        u = rng.random(k) * self._cum[-1]
        return np.minimum(np.searchsorted(self._cum, u, side="right"), self._cum.size - 1)

    @abstractmethod
    def rects(self, idx: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
        """(south, north, west, east) of the given cells."""

    def draw(self, rng: np.random.Generator, k: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``k`` random points, area-uniform over the cells."""
        return _area_uniform_points(rng, *self.rects(self._pick(rng, k)))


class GridCellSet(CellSet):
    """Whole cells of the 0.05° strata grid, kept as (row, col) to stay small for global strata."""

    def __init__(self, rows: NDArray[np.int64], cols: NDArray[np.int64], grid: StrataGrid) -> None:
        super().__init__(grid.row_area_km2[rows])
        self.rows, self.cols = rows.astype(np.int32), cols.astype(np.int32)
        self.grid = grid

    def rects(self, idx: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
        south, north = self.grid.row_lat_bounds(self.rows[idx].astype(np.int64))
        west = np.asarray(-180.0 + self.cols[idx] * self.grid.res_deg, dtype=np.float64)
        return south, north, west, west + self.grid.res_deg


class RectCellSet(CellSet):
    """Explicit rectangles (degrees), e.g. grid cells clipped to footprints."""

    def __init__(
        self,
        south: NDArray[np.float64],
        north: NDArray[np.float64],
        west: NDArray[np.float64],
        east: NDArray[np.float64],
        area_km2: NDArray[np.float64],
    ) -> None:
        super().__init__(area_km2)
        self.south, self.north, self.west, self.east = south, north, west, east

    def rects(self, idx: NDArray[np.int64]) -> tuple[NDArray[np.float64], ...]:
        return self.south[idx], self.north[idx], self.west[idx], self.east[idx]


def _rect_area_km2(
    south: NDArray[np.float64], north: NDArray[np.float64], width_deg: NDArray[np.float64]
) -> NDArray[np.float64]:
    return (
        EARTH_RADIUS_KM**2 * np.radians(width_deg) * (np.sin(np.radians(north)) - np.sin(np.radians(south)))
    )


@lru_cache(maxsize=2)
def global_cells(grid: StrataGrid, lat_range: tuple[float, float]) -> dict[int, CellSet]:
    """Every land stratum's 0.05° cells within the latitude range (cached: the sets are read-only)."""
    south_row, north_row = grid.row_lat_bounds(np.arange(grid.shape[0]))
    rows_ok = (north_row > lat_range[0]) & (south_row < lat_range[1])
    codes = grid.codes.copy()
    codes[~rows_ok] = 0
    flat = np.flatnonzero(codes.ravel())
    flat_codes = codes.ravel()[flat]
    order = np.argsort(flat_codes, kind="stable")
    flat, flat_codes = flat[order], flat_codes[order]
    uniq, starts = np.unique(flat_codes, return_index=True)
    ends = [*starts[1:], flat.size]
    out: dict[int, CellSet] = {}
    for code, a, b in zip(uniq, starts, ends, strict=True):
        rows, cols = np.divmod(flat[a:b], grid.shape[1])
        out[int(code)] = GridCellSet(rows, cols, grid)
    return out


def footprint_cells(
    grid: StrataGrid, fp: Footprints, lat_range: tuple[float, float]
) -> dict[int, RectCellSet]:
    """The stratum cells that intersect the footprints, clipped to the footprints' extent in each cell."""
    import shapely

    all_parts, all_codes = [], []
    for poly in shapely.get_parts(fp.union):  # disjoint pieces: no cell area is counted twice
        w, s, e, n = poly.bounds
        s, n = max(s, lat_range[0]), min(n, lat_range[1])
        if s >= n:
            continue
        r0, c0 = grid.cell_of(np.array([n]), np.array([w]))
        r1, c1 = grid.cell_of(np.array([s]), np.array([e]))
        rows = np.arange(int(r0[0]), int(r1[0]) + 1)
        cols = np.arange(int(c0[0]), int(c1[0]) + 1)  # a footprint across the antimeridian is not split
        mesh_r, mesh_c = np.meshgrid(rows, cols, indexing="ij")
        rr, cc = mesh_r.ravel(), mesh_c.ravel()
        codes = grid.codes[rr, cc]
        keep = codes > 0
        rr, cc, codes = rr[keep], cc[keep], codes[keep]
        south, north = grid.row_lat_bounds(rr)
        west = -180.0 + cc * grid.res_deg
        pieces = shapely.intersection(shapely.box(west, south, west + grid.res_deg, north), poly)
        nonempty = ~shapely.is_empty(pieces)
        all_parts.append(pieces[nonempty])
        all_codes.append(codes[nonempty])
    if not all_parts or sum(p.size for p in all_parts) == 0:
        return {}
    parts, codes = np.concatenate(all_parts), np.concatenate(all_codes)
    b = shapely.bounds(parts)  # (minx, miny, maxx, maxy)
    b[:, 1] = np.maximum(b[:, 1], lat_range[0])
    b[:, 3] = np.minimum(b[:, 3], lat_range[1])
    bbox_area = _rect_area_km2(b[:, 1], b[:, 3], b[:, 2] - b[:, 0])
    frac = shapely.area(parts) / np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-18)
    area = np.where(b[:, 3] > b[:, 1], bbox_area * np.clip(frac, 0, 1), 0.0)
    out: dict[int, RectCellSet] = {}
    for code in np.unique(codes):
        m = (codes == code) & (area > 0)
        if m.any():
            out[int(code)] = RectCellSet(b[m, 1], b[m, 3], b[m, 0], b[m, 2], area[m])
    return out
