"""Fill under-represented regions: add points where the pool is sparsest.

Land is counted per 1° cell (km² of the 0.05° land-stratum cells — Köppen climate and an IGBP land
class — inside the latitude range and the ``--within`` footprints). After the fill, an even pool would
hold ``(pool + n) × land area / total land area`` points in each cell; a cell's *deficit* is how far it
falls short of that. The n new points are placed by **systematic sampling proportional to deficit**
over the cells in row-major order (north to south, west to east) with a random start: every cell, every
latitude band and every region receives its share of the deficit to within one point. With an empty
pool that is a share proportional to land area — the tropics get their ~30 % of the land, not all of
it (ranking empty cells by ``(count + 1) / area`` would tie them and send every point to the largest,
equatorial cells).

``by="continent"`` first shares the new points among continents by their deficits (a 1° cell belongs
to the continent of most of its land; largest remainders), then samples within each continent the
same way. A point is drawn area-uniformly in the chosen cell's land sub-cells and must be land at
30″, inside the footprints and at the minimum spacing from the pool; a cell that fails three times is
considered full and left out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from geomeld.geo import reference as ref
from geomeld.sampling.cells import CellSet, GridCellSet, RectCellSet, footprint_cells
from geomeld.sampling.footprints import Footprints
from geomeld.sampling.ids import quantize
from geomeld.sampling.spacing import SpacingIndex
from geomeld.sampling.strata import DEFAULT_LAT_RANGE, StrataGrid, strata_grid

log = logging.getLogger(__name__)

FillBy = Literal["cell", "continent"]
CELL_DEG = 1.0
MAX_FAILURES = 3


@dataclass
class FillResult:
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    requested: int
    occupied_cells_before: int
    occupied_cells_after: int
    land_cells: int
    per_continent: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)  # candidate draws turned down, by reason
    shortfall_reason: str = ""


class LandCells:
    """The 1° cells with land, their land area and a sampler of land points inside each."""

    def __init__(
        self, grid: StrataGrid, lat_range: tuple[float, float], within: Footprints | None = None
    ) -> None:
        self.grid = grid
        self.factor = round(CELL_DEG / grid.res_deg)
        self.n_rows, self.n_cols = grid.shape[0] // self.factor, grid.shape[1] // self.factor
        self._rects: dict[int, RectCellSet] = {}
        self._cache: dict[int, CellSet] = {}
        if within is None:
            south, north = grid.row_lat_bounds(np.arange(grid.shape[0]))
            rows_ok = (north > lat_range[0]) & (south < lat_range[1])
            f = self.factor
            land_per_row = (grid.codes > 0).reshape(grid.shape[0], self.n_cols, f).sum(axis=2, dtype=np.int32)
            area = land_per_row * (grid.row_area_km2 * rows_ok)[:, None]  # (rows, 1° columns)
            self.area = area.reshape(self.n_rows, f, self.n_cols).sum(axis=1).ravel()
            self.within = False
        else:
            self.within = True
            self.area = np.zeros(self.n_rows * self.n_cols)
            parts = list(footprint_cells(grid, within, lat_range).values())
            if parts:
                s = np.concatenate([p.south for p in parts])
                n = np.concatenate([p.north for p in parts])
                w = np.concatenate([p.west for p in parts])
                e = np.concatenate([p.east for p in parts])
                a = np.concatenate([p.area_km2 for p in parts])
                cell = self.cell_index((s + n) / 2, (w + e) / 2)
                np.add.at(self.area, cell, a)
                for c in np.unique(cell):
                    m = cell == c
                    self._rects[int(c)] = RectCellSet(s[m], n[m], w[m], e[m], a[m])

    def cell_index(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
        rows = np.clip(np.floor((90.0 - lat) / CELL_DEG).astype(np.int64), 0, self.n_rows - 1)
        cols = np.floor((lon + 180.0) / CELL_DEG).astype(np.int64) % self.n_cols
        return rows * self.n_cols + cols

    def sampler(self, cell: int) -> CellSet:
        if self.within:
            return self._rects[cell]
        if cell not in self._cache:
            r, c = divmod(cell, self.n_cols)
            f = self.factor
            block = self.grid.codes[r * f : (r + 1) * f, c * f : (c + 1) * f] > 0
            rr, cc = np.nonzero(block)
            self._cache[cell] = GridCellSet(rr + r * f, cc + c * f, self.grid)
        return self._cache[cell]

    def continents(self, cells: NDArray[np.int64]) -> NDArray[np.object_]:
        """Continent of most of each cell's land (0.05° sub-cells; Natural Earth continents)."""
        _, continent_of_country, _ = ref.country_geometries()
        labels = np.array(sorted({str(c) for c in continent_of_country if c}), dtype=object)
        lut = np.append(np.searchsorted(labels, continent_of_country.astype(str)), 255).astype(np.uint8)
        country = ref.country_grid()  # -1 (no country) indexes the 255 appended above
        if self.within:
            rng = np.random.default_rng(0)
            votes = np.zeros((cells.size, labels.size), dtype=np.int64)
            for i, c in enumerate(cells):
                rows, cols = self.grid.cell_of(*self.sampler(int(c)).draw(rng, 16))
                cont = lut[country[rows, cols]]
                votes[i] = np.bincount(cont[cont < labels.size], minlength=labels.size)
        else:
            f = self.factor
            cont = lut[country]
            cont[self.grid.codes == 0] = 255
            blocks = cont.reshape(self.n_rows, f, self.n_cols, f)
            per_cell = np.stack([(blocks == k).sum(axis=(1, 3)).ravel() for k in range(labels.size)], axis=1)
            votes = per_cell[cells]
        best = votes.argmax(axis=1)
        return np.where(votes[np.arange(cells.size), best] > 0, labels[best], "").astype(object)


@lru_cache(maxsize=2)
def _global_land_cells(lat_range: tuple[float, float]) -> LandCells:
    return LandCells(strata_grid(), lat_range)


def _deficit(count: NDArray[np.float64], area: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """How many points each cell lacks for an even density after ``k`` more (area-proportional)."""
    total_area = float(area.sum())
    if total_area <= 0:
        return np.zeros_like(area)
    target = (float(count.sum()) + k) * area / total_area
    deficit = np.maximum(target - count, 0.0)
    return deficit if deficit.sum() > 0 else area.astype(np.float64)


def _systematic(weight: NDArray[np.float64], k: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """``k`` indices (with repeats) drawn proportional to ``weight`` by systematic sampling, in index
    order: each contiguous run of indices gets its share of ``k`` to within one."""
    if k <= 0 or weight.size == 0 or float(weight.sum()) <= 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weight, dtype=np.float64)
    step = cum[-1] / k
    marks = rng.uniform(0.0, step) + step * np.arange(k)
    return np.minimum(np.searchsorted(cum, marks, side="right"), weight.size - 1).astype(np.int64)


def _allocate(
    count: NDArray[np.float64], area: NDArray[np.float64], k: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """Indices (with repeats) of where ``k`` new points go: proportional to each cell's deficit."""
    return _systematic(_deficit(count, area, k), k, rng)


def _largest_remainder(weight: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Integer shares of ``k`` proportional to ``weight`` (Hamilton's method)."""
    if k <= 0 or float(weight.sum()) <= 0:
        return np.zeros(weight.size, dtype=np.int64)
    exact = k * weight / weight.sum()
    share = np.floor(exact).astype(np.int64)
    rest = k - int(share.sum())
    if rest > 0:
        share[np.argsort(-(exact - share), kind="stable")[:rest]] += 1
    return share


def fill_sparse(
    pool_lat: NDArray[np.float64],
    pool_lon: NDArray[np.float64],
    n: int,
    *,
    rng: np.random.Generator,
    spacing: SpacingIndex,
    by: FillBy = "cell",
    within: Footprints | None = None,
    lat_range: tuple[float, float] = DEFAULT_LAT_RANGE,
    max_rounds: int = 30,
) -> FillResult:
    """Add ``n`` points in the sparsest 1° cells (or continents, then cells) of the pool."""
    if by not in ("cell", "continent"):
        raise ValueError(f"fill: 'by' must be 'cell' or 'continent', got {by!r}")
    cells = (
        LandCells(strata_grid(), lat_range, within) if within is not None else _global_land_cells(lat_range)
    )
    land = np.flatnonzero(cells.area > 0)
    count = np.zeros(cells.area.size)
    if pool_lat.size:
        np.add.at(count, cells.cell_index(pool_lat, pool_lon), 1)
    before = int((count[land] > 0).sum())
    failures = np.zeros(cells.area.size, dtype=np.int64)
    continent = cells.continents(land) if by == "continent" else None
    out_lat: list[NDArray[np.float64]] = []
    out_lon: list[NDArray[np.float64]] = []
    remaining = n
    rejected: dict[str, int] = {}
    for round_no in range(max_rounds):
        usable = land[failures[land] < MAX_FAILURES]
        if remaining <= 0 or usable.size == 0:
            break
        if continent is None:
            targets = usable[_allocate(count[usable], cells.area[usable], remaining, rng)]
        else:
            cont_u = continent[failures[land] < MAX_FAILURES]
            names = sorted({str(c) for c in cont_u if c})
            c_count = np.array([count[usable[cont_u == k]].sum() for k in names])
            c_area = np.array([cells.area[usable[cont_u == k]].sum() for k in names])
            share = _largest_remainder(_deficit(c_count, c_area, remaining), remaining)
            parts = []
            for k, m in zip(names, share, strict=True):
                sub = usable[cont_u == k]
                parts.append(sub[_allocate(count[sub], cells.area[sub], int(m), rng)])
            targets = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        lat = np.empty(targets.size)
        lon = np.empty(targets.size)
        for j, c in enumerate(targets):
            la, lo = cells.sampler(int(c)).draw(rng, 1)
            lat[j], lon[j] = la[0], lo[0]
        lat, lon = quantize(lat, lon)
        in_range = (lat >= lat_range[0]) & (lat <= lat_range[1])
        on_land = ref.is_land(lat, lon)
        inside = within.contains(lat, lon) if within is not None else np.ones(lat.size, dtype=bool)
        ok = in_range & on_land & inside
        res = spacing.add(lat[ok], lon[ok])
        for reason, n_bad in (
            ("outside latitude range", int((~in_range).sum())),
            ("not land at 30\u2033", int((in_range & ~on_land).sum())),
            ("outside footprints", int((in_range & on_land & ~inside).sum())),
            ("too close to a pool point", int((~res.keep).sum())),
        ):
            if n_bad:
                rejected[reason] = rejected.get(reason, 0) + n_bad
        accepted = np.zeros(targets.size, dtype=bool)
        accepted[np.flatnonzero(ok)[res.keep]] = True
        np.add.at(count, targets[accepted], 1)
        np.add.at(failures, targets[~accepted], 1)
        out_lat.append(lat[accepted])
        out_lon.append(lon[accepted])
        remaining -= int(accepted.sum())
        log.info(
            "fill round %d: %d tried, %d added, %d to go",
            round_no + 1,
            targets.size,
            accepted.sum(),
            remaining,
        )
    lat_all = np.concatenate(out_lat) if out_lat else np.zeros(0)
    lon_all = np.concatenate(out_lon) if out_lon else np.zeros(0)
    per_cont: dict[str, int] = {}
    if lat_all.size:
        names_new = ref.country_at(lat_all, lon_all).continent
        for k in names_new:
            per_cont[str(k) or "(none)"] = per_cont.get(str(k) or "(none)", 0) + 1
    reason = ""
    if remaining > 0:
        reason = (
            f"only {n - remaining} of {n} placed: every land cell with room failed {MAX_FAILURES} times"
            if land[failures[land] < MAX_FAILURES].size == 0
            else f"only {n - remaining} of {n} placed within {max_rounds} rounds"
        )
    return FillResult(
        lat_all,
        lon_all,
        n,
        before,
        int((count[land] > 0).sum()),
        int(land.size),
        per_cont,
        rejected,
        reason,
    )
