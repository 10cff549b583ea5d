"""Stratified sampling with quotas over Köppen × IGBP strata, on land, at the pool's minimum spacing.

Per round, each stratum that still lacks points draws ~1.5× its remaining quota as area-uniform random
points in its candidate cells (:mod:`geomeld.sampling.cells`). A candidate is accepted when, at the
point itself, the 30″ Köppen group and the IGBP class give the same stratum (cells are listed on the
0.05° grid), it lies inside the latitude range and the ``--within`` footprints, and it keeps the minimum
distance to every point already in the pool. At most the remaining quota is taken per stratum, so
quotas are met exactly; a stratum that yields nothing for three rounds in a row (too small to hold
more non-overlapping tiles) stops with its shortfall and the reason recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from geomeld.geo import reference as ref
from geomeld.sampling.cells import CellSet, footprint_cells, global_cells
from geomeld.sampling.footprints import Footprints
from geomeld.sampling.ids import quantize
from geomeld.sampling.quotas import DEFAULT_MIN_SHARE, QuotaRule, compute_quotas
from geomeld.sampling.spacing import SpacingIndex
from geomeld.sampling.strata import (
    DEFAULT_LAT_RANGE,
    strata_grid,
    stratum_code,
    stratum_from_name,
    stratum_name,
)

log = logging.getLogger(__name__)

MAX_CANDIDATES_PER_ROUND = 400_000
STALL_ROUNDS = 3


@dataclass
class StratumOutcome:
    """What happened to one stratum: its quota, what was drawn and why candidates were turned down."""

    quota: int
    area_km2: float
    accepted: int = 0
    drawn: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    shortfall_reason: str = ""

    def count(self, reason: str, n: int) -> None:
        if n:
            self.rejected[reason] = self.rejected.get(reason, 0) + n


@dataclass
class StratifiedResult:
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    stratum: list[str]
    outcomes: dict[str, StratumOutcome]


def candidate_cells(
    within: Footprints | None, lat_range: tuple[float, float] = DEFAULT_LAT_RANGE
) -> dict[str, CellSet]:
    """Candidate cells per stratum id, globally or inside the footprints."""
    grid = strata_grid()
    cells = footprint_cells(grid, within, lat_range) if within is not None else global_cells(grid, lat_range)
    return {stratum_name(code): cs for code, cs in sorted(cells.items())}


def sample_stratified(
    n: int,
    rule: QuotaRule,
    *,
    rng: np.random.Generator,
    spacing: SpacingIndex,
    within: Footprints | None = None,
    lat_range: tuple[float, float] = DEFAULT_LAT_RANGE,
    custom: dict[str, int] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    max_rounds: int = 40,
) -> StratifiedResult:
    """Draw points until every stratum's quota is met (or it is shown to be saturated)."""
    cells = candidate_cells(within, lat_range)
    areas = {s: cs.total_area_km2 for s, cs in cells.items()}
    quotas = compute_quotas(rule, areas, n, custom, min_share)
    outcomes = {s: StratumOutcome(q, areas.get(s, 0.0)) for s, q in quotas.items()}
    for s, o in outcomes.items():
        if s not in cells:
            where = "inside the --within footprints" if within is not None else "within the latitude range"
            o.shortfall_reason = f"stratum has no area {where}"
    remaining = {s: o.quota for s, o in outcomes.items() if s in cells}
    stall = dict.fromkeys(remaining, 0)
    out_lat: list[NDArray[np.float64]] = []
    out_lon: list[NDArray[np.float64]] = []
    out_stratum: list[str] = []
    for round_no in range(max_rounds):
        active = [s for s, r in remaining.items() if r > 0 and stall[s] < STALL_ROUNDS]
        if not active:
            break
        want = {s: int(remaining[s] * 1.5) + 8 for s in active}
        scale = min(1.0, MAX_CANDIDATES_PER_ROUND / sum(want.values()))
        lats, lons, owners = [], [], []
        for s in active:
            k = max(8, int(want[s] * scale))
            la, lo = cells[s].draw(rng, k)
            lats.append(la)
            lons.append(lo)
            owners.append(np.full(k, stratum_from_name(s), dtype=np.int16))
            outcomes[s].drawn += k
        lat, lon = quantize(np.concatenate(lats), np.concatenate(lons))
        owner = np.concatenate(owners)
        in_range = (lat >= lat_range[0]) & (lat <= lat_range[1])
        k_code = ref.koppen_code(lat, lon)
        at_point = stratum_code(k_code, ref.igbp_code(lat, lon))
        inside = within.contains(lat, lon) if within is not None else np.ones(lat.size, dtype=bool)
        land = k_code > 0
        ok = in_range & land & (at_point == owner) & inside
        chosen: list[NDArray[np.int64]] = []
        for s in active:
            mine = owner == stratum_from_name(s)
            o = outcomes[s]
            o.count("outside latitude range", int((mine & ~in_range).sum()))
            o.count("not land at 30\u2033", int((mine & in_range & ~land).sum()))
            o.count("other stratum at the point", int((mine & in_range & land & (at_point != owner)).sum()))
            o.count("outside footprints", int((mine & in_range & land & (at_point == owner) & ~inside).sum()))
            chosen.append(np.flatnonzero(mine & ok)[: remaining[s]])
        sel = np.concatenate(chosen)
        res = spacing.add(lat[sel], lon[sel])
        bounds = np.cumsum([0, *(c.size for c in chosen)])
        for s, idx, a, b in zip(active, chosen, bounds[:-1], bounds[1:], strict=True):
            n_kept = int(res.keep[a:b].sum())
            outcomes[s].count("too close to a pool point", int(idx.size - n_kept))
            outcomes[s].accepted += n_kept
            remaining[s] -= n_kept
            stall[s] = 0 if n_kept else stall[s] + 1
        kept = sel[res.keep]
        out_lat.append(lat[kept])
        out_lon.append(lon[kept])
        out_stratum += [stratum_name(int(c)) for c in owner[kept]]
        log.info(
            "stratified round %d: %d candidates, %d accepted, %d still to find",
            round_no + 1,
            lat.size,
            kept.size,
            sum(remaining.values()),
        )
    for s, r in remaining.items():
        if r > 0:
            o = outcomes[s]
            o.shortfall_reason = (
                f"saturated: no new non-overlapping point in {STALL_ROUNDS} rounds"
                if stall[s] >= STALL_ROUNDS
                else f"round limit ({max_rounds}) reached"
            )
    return StratifiedResult(
        np.concatenate(out_lat) if out_lat else np.zeros(0),
        np.concatenate(out_lon) if out_lon else np.zeros(0),
        out_stratum,
        outcomes,
    )
