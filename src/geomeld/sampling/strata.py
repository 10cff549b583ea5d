"""Strata of the coordinate pool: Köppen–Geiger main group × MODIS IGBP class, and point eligibility.

Why this pair: MMEarth stratifies over the 14 RESOLVE 2017 biomes, which are not available offline;
climate (Köppen A–E) × vegetation structure / land use (IGBP) is the closest offline proxy of a biome
and also separates croplands and cities, which GeoMeld wants to keep from dominating.

A stratum id reads ``"<Köppen letter>-<IGBP code:02d>"``, e.g. ``"B-16"`` (arid × barren) or ``"A-02"``
(tropical × evergreen broadleaf forest). The stratified sampler lists candidate cells on the 0.05° grid
(Köppen majority per cell × IGBP) and re-checks every drawn point at the native 30″ Köppen grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from geomeld.geo import reference as ref

EARTH_RADIUS_KM = 6371.0088
DEFAULT_LAT_RANGE = (-56.0, 84.0)
"""Sentinel-2 observes land between 56° S and 84° N; UTM is defined up to 84° N. Poles are excluded."""

LAND_IGBP = tuple(range(1, 17))

REASON_INVALID = "invalid coordinate (not a finite lat in [-90, 90] / lon)"
REASON_NOT_LAND = "not on land (Köppen–Geiger 30\u2033 land mask)"


def reason_lat_range(lat_range: tuple[float, float]) -> str:
    return (
        f"outside the latitude range [{lat_range[0]:g}, {lat_range[1]:g}] "
        "(Sentinel-2 land coverage; poles excluded)"
    )


def stratum_code(koppen: NDArray[np.integer], igbp: NDArray[np.integer]) -> NDArray[np.int16]:
    """Integer stratum code ``koppen * 256 + igbp``."""
    return (koppen.astype(np.int16) << 8) | igbp.astype(np.int16)


def stratum_name(code: int) -> str:
    k, g = int(code) >> 8, int(code) & 0xFF
    letter = ref.KOPPEN_GROUPS.get(k, ("?", ""))[0]
    return f"{letter}-{g:02d}"


def stratum_from_name(name: str) -> int:
    """Inverse of :func:`stratum_name`; raises ``ValueError`` on an unknown id."""
    letters = {v[0]: k for k, v in ref.KOPPEN_GROUPS.items()}
    parts = name.split("-")
    if len(parts) != 2 or parts[0] not in letters or not parts[1].isdigit() or int(parts[1]) not in LAND_IGBP:
        raise ValueError(
            f"unknown stratum {name!r}: expected '<Köppen letter A-E>-<IGBP land class 01-16>', e.g. 'B-16'"
        )
    return (letters[parts[0]] << 8) | int(parts[1])


def describe_stratum(name: str) -> str:
    """Human-readable stratum, e.g. ``"B-16"`` → ``"arid × barren"``."""
    code = stratum_from_name(name)
    return f"{ref.KOPPEN_GROUPS[code >> 8][1]} × {ref.IGBP_CLASSES[code & 0xFF]}"


def strata_names(koppen: NDArray[np.integer], igbp: NDArray[np.integer]) -> list[str]:
    """Stratum id for each (Köppen code, IGBP code) pair; ``""`` where there is no climate class."""
    letters = ["", *(v[0] for v in ref.KOPPEN_GROUPS.values())]
    return [
        f"{letters[a]}-{int(b):02d}" if a > 0 else ""
        for a, b in zip(koppen.ravel(), igbp.ravel(), strict=True)
    ]


def point_strata(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> list[str]:
    """Stratum id of each point (Köppen 30″ × IGBP 0.05°); ``""`` where there is no climate class."""
    return strata_names(ref.koppen_code(lat, lon), ref.igbp_code(lat, lon))


@dataclass(frozen=True, eq=False)
class StrataGrid:
    """The 0.05° grid of stratum codes (0 = not a land stratum) and each cell's area (km²)."""

    codes: NDArray[np.int16]  # (3600, 7200)
    row_area_km2: NDArray[np.float64]  # (3600,) area of one cell in each row
    res_deg: float

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.codes.shape[0]), int(self.codes.shape[1]))

    def row_lat_bounds(self, rows: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(south, north) edges of the given rows."""
        north = np.asarray(90.0 - rows * self.res_deg, dtype=np.float64)
        return north - self.res_deg, north

    def cell_of(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        rows = np.clip(np.floor((90.0 - lat) / self.res_deg).astype(np.int64), 0, self.shape[0] - 1)
        cols = np.floor((lon + 180.0) / self.res_deg).astype(np.int64) % self.shape[1]
        return rows, cols


@cache
def strata_grid() -> StrataGrid:
    """Stratum codes on the 0.05° MODIS grid (Köppen majority per cell × IGBP land class)."""
    k = ref.koppen_coarse_raster().read_all()
    g = ref.igbp_raster().read_all()
    if k.shape != g.shape:
        raise ValueError(f"reference layers disagree: Köppen 0.05° grid {k.shape} vs IGBP grid {g.shape}")
    land = (k > 0) & (g >= LAND_IGBP[0]) & (g <= LAND_IGBP[-1])
    codes = np.where(land, stratum_code(k, g), 0).astype(np.int16)
    res = 180.0 / k.shape[0]
    north = np.radians(90.0 - np.arange(k.shape[0]) * res)
    south = north - np.radians(res)
    row_area = EARTH_RADIUS_KM**2 * np.radians(res) * (np.sin(north) - np.sin(south))
    return StrataGrid(codes, row_area, res)


def eligibility(
    lat: NDArray[np.float64], lon: NDArray[np.float64], lat_range: tuple[float, float] = DEFAULT_LAT_RANGE
) -> list[str]:
    """Why each point cannot be a tile centre (``""`` when it can): invalid, outside latitudes, ocean."""
    reasons = [""] * lat.size
    finite = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90)
    in_range = finite & (lat >= lat_range[0]) & (lat <= lat_range[1])
    land = np.zeros(lat.size, dtype=bool)
    if in_range.any():
        land[in_range] = ref.is_land(lat[in_range], lon[in_range])
    range_reason = reason_lat_range(lat_range)
    for i in np.flatnonzero(~land):
        reasons[i] = REASON_INVALID if not finite[i] else range_reason if not in_range[i] else REASON_NOT_LAND
    return reasons
