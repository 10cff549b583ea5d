"""``--fill`` on a global pool spreads points over latitude bands and continents in proportion to land."""

from __future__ import annotations

import numpy as np
import pytest

from geomeld.geo import reference as ref
from geomeld.sampling.fill import _global_land_cells, fill_sparse
from geomeld.sampling.spacing import SpacingIndex
from geomeld.sampling.strata import DEFAULT_LAT_RANGE

N = 600
BANDS = [(-56, -30), (-30, -10), (-10, 10), (10, 30), (30, 50), (50, 70), (70, 84)]


def _land_shares() -> tuple[dict[tuple[int, int], float], dict[str, float]]:
    cells = _global_land_cells(DEFAULT_LAT_RANGE)
    land = np.flatnonzero(cells.area > 0)
    rows = land // cells.n_cols
    lat_c = 90.0 - (rows + 0.5)  # 1° cells
    area = cells.area[land]
    bands = {b: float(area[(lat_c >= b[0]) & (lat_c < b[1])].sum() / area.sum()) for b in BANDS}
    cont = cells.continents(land)
    conts = {str(c): float(area[cont == c].sum() / area.sum()) for c in set(cont.tolist()) if c}
    return bands, conts


def _shares(lat: np.ndarray, lon: np.ndarray) -> tuple[dict[tuple[int, int], float], dict[str, float]]:
    bands = {b: float(((lat >= b[0]) & (lat < b[1])).mean()) for b in BANDS}
    names = ref.country_at(lat, lon).continent
    conts: dict[str, float] = {}
    for c in names:
        conts[str(c)] = conts.get(str(c), 0.0) + 1.0 / lat.size
    return bands, conts


@pytest.mark.parametrize("by", ["cell", "continent"])
def test_fill_on_an_empty_global_pool_follows_land_area(by: str) -> None:
    res = fill_sparse(
        np.zeros(0),
        np.zeros(0),
        N,
        rng=np.random.default_rng(3),
        spacing=SpacingIndex(),
        by=by,  # type: ignore[arg-type]
    )
    assert res.lat.size == N, res.shortfall_reason
    land_bands, land_conts = _land_shares()
    fill_bands, fill_conts = _shares(res.lat, res.lon)
    for b in BANDS:  # every latitude band within 4 points of its land share
        assert abs(fill_bands[b] - land_bands[b]) <= 0.04, (b, fill_bands[b], land_bands[b])
    assert float((np.abs(res.lat) < 6).mean()) < 0.2  # not "500 of 500 within 6° of the equator"
    for name, share in land_conts.items():
        if share >= 0.03:
            assert abs(fill_conts.get(name, 0.0) - share) <= 0.05, (name, fill_conts.get(name), share)
    assert fill_conts.get("South America", 0) > 0.08 and fill_conts.get("Oceania", 0) > 0.03


def test_fill_tops_up_the_regions_a_pool_lacks() -> None:
    # a pool crowded into Europe: the fill goes elsewhere, still spread by land area
    rng = np.random.default_rng(0)
    lat = rng.uniform(44, 54, 400)
    lon = rng.uniform(0, 20, 400)
    sp = SpacingIndex()
    sp.seed(lat, lon)
    res = fill_sparse(lat, lon, 300, rng=np.random.default_rng(1), spacing=sp, by="continent")
    _, conts = _shares(res.lat, res.lon)
    assert conts.get("Europe", 0.0) < 0.02
    assert (
        conts.get("South America", 0) > 0.08
        and conts.get("Oceania", 0) > 0.03
        and conts.get("Africa", 0) > 0.15
    )
