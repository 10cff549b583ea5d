"""Offline global reference lookups: land mask, Köppen climate group, MODIS IGBP land cover, country.

Every lookup accepts a scalar ``(lat, lon)`` pair or two equally shaped arrays (degrees, WGS 84).
Scalars give one value (a small named tuple, or ``None`` where the layer has nothing there); arrays give
a named tuple of arrays with the same field names (empty strings and code 0 / 255 where nothing is there).

The layers ship with the package (``geomeld/data/global_reference``; sources and licences in its README):

- **Land mask** and **Köppen–Geiger main groups** (Beck et al. 2018, 30 arc-second ≈ 1 km): a point is
  land when the Köppen map has a climate there (the map leaves oceans at 0; large lakes are mapped as
  land by the climate map, and MODIS says ``water`` there).
- **MODIS MCD12C1 2019 IGBP** majority class at 0.05°.
- **Natural Earth 1:50m countries** (241 polygons). The generalised coastlines miss some coastal points and
  small islets, so a point outside every polygon takes the nearest country within
  :data:`COUNTRY_SNAP_DEG` degrees (nearest as seen on a 0.05° grid); farther points have no country.

``season(date, lat)`` gives a hemisphere-aware season name; see its docstring for the tropics rule.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

KOPPEN_GROUPS: dict[int, tuple[str, str]] = {
    1: ("A", "tropical"),
    2: ("B", "arid"),
    3: ("C", "temperate"),
    4: ("D", "cold"),
    5: ("E", "polar"),
}
"""Köppen–Geiger main groups: raster code → (letter, name). Code 0 is ocean / no data."""

IGBP_CLASSES: dict[int, str] = {
    0: "water",
    1: "evergreen needleleaf forest",
    2: "evergreen broadleaf forest",
    3: "deciduous needleleaf forest",
    4: "deciduous broadleaf forest",
    5: "mixed forest",
    6: "closed shrublands",
    7: "open shrublands",
    8: "woody savannas",
    9: "savannas",
    10: "grasslands",
    11: "permanent wetlands",
    12: "croplands",
    13: "urban and built-up",
    14: "cropland/natural vegetation mosaic",
    15: "snow and ice",
    16: "barren",
}
"""MODIS IGBP (MCD12C1 Land Cover Type 1) classes: code → name. Code 255 is no data."""

IGBP_NODATA = 255
COUNTRY_SNAP_DEG = 0.5
"""A point outside every country polygon takes the nearest country within this many degrees."""

COUNTRY_SNAP = 1000
COUNTRY_BORDER = 2000
COUNTRY_NONE = 65535

TROPIC_LAT = 23.44
EQUATORIAL_LAT = 10.0


class KoppenGroup(NamedTuple):
    code: Any  # int, or uint8 array (0 = none)
    letter: Any  # "A".."E", or str array ("" = none)
    name: Any  # "tropical" ..., or str array


class IgbpClass(NamedTuple):
    code: Any  # int, or uint8 array (255 = none)
    name: Any  # class name, or str array ("" = none)


class Country(NamedTuple):
    name: Any  # country name, or str array ("" = none)
    iso_a3: Any  # ISO 3166-1 alpha-3 code, or str array
    continent: Any  # Natural Earth continent, or str array


def data_dir() -> Path:
    """The folder holding the packaged reference layers."""
    return Path(str(resources.files("geomeld") / "data" / "global_reference"))


def _as_coords(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], bool]:
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    if lat_a.shape != lon_a.shape:
        raise ValueError(f"lat and lon must have the same shape, got {lat_a.shape} and {lon_a.shape}")
    bad = ~np.isfinite(lat_a) | (np.abs(lat_a) > 90) | ~np.isfinite(lon_a)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"invalid coordinate at index {i}: lat={lat_a.ravel()[i]!r}, lon={lon_a.ravel()[i]!r} "
            "(expected finite degrees, -90 <= lat <= 90)"
        )
    lon_a = (lon_a + 180.0) % 360.0 - 180.0
    return lat_a, lon_a, lat_a.ndim == 0


class GlobalRaster:
    """A global lat/lon raster for point lookups (thread-safe).

    A GeoTIFF is read whole on first use (the 0.05° layers: 26–52 MB in memory). A block file
    (``.npz`` written by :func:`tools.build_reference.write_block_raster`) answers a point from
    its coarse grid of uniform cell groups when it can, and otherwise decodes the point's zlib block
    into a small LRU cache, so the 1 km Köppen map (933 MB decoded) never sits in memory whole —
    neither in ours nor in GDAL's block cache.
    """

    def __init__(self, path: Path, max_cached_blocks: int = 256) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._blocks: OrderedDict[int, NDArray[Any]] = OrderedDict()
        self._max = max_cached_blocks
        self._full: NDArray[Any] | None = None
        self._pure: NDArray[np.uint8] | None = None
        self.tile = 0
        if path.suffix == ".npz":
            import zlib

            with np.load(path) as z:
                self.height, self.width, self.tile = (int(v) for v in z["shape_rows_cols_tile"])
                self.west, self.north, self.res_x, self.res_y = (float(v) for v in z["west_north_resx_resy"])
                self.dtype = np.dtype(str(z["dtype"]))
                self._offsets = z["offsets"]
                self._data = z["data"]
                self.pure_factor = int(z["pure_factor"])
                f = self.pure_factor
                self._pure = np.frombuffer(zlib.decompress(z["pure"].tobytes()), dtype=np.uint8).reshape(
                    self.height // f, self.width // f
                )
        else:
            import rasterio

            with rasterio.open(path) as ds:
                self.height, self.width = ds.height, ds.width
                self.dtype = np.dtype(ds.dtypes[0])
                t = ds.transform
                self.west, self.north, self.res_x, self.res_y = t.c, t.f, t.a, -t.e

    @property
    def _tile_cols(self) -> int:
        return -(-self.width // self.tile)

    def _block(self, b: int) -> NDArray[Any]:
        if b in self._blocks:
            self._blocks.move_to_end(b)
            return self._blocks[b]
        import zlib

        r, c = divmod(b, self._tile_cols)
        rows = min(self.tile, self.height - r * self.tile)
        cols = min(self.tile, self.width - c * self.tile)
        raw = zlib.decompress(self._data[self._offsets[b] : self._offsets[b + 1]].tobytes())
        arr = np.frombuffer(raw, dtype=self.dtype).reshape(rows, cols)
        self._blocks[b] = arr
        if len(self._blocks) > self._max:
            self._blocks.popitem(last=False)
        return arr

    def index(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> tuple[NDArray[Any], NDArray[Any]]:
        rows = np.clip(np.floor((self.north - lat) / self.res_y).astype(np.int64), 0, self.height - 1)
        cols = np.floor((lon - self.west) / self.res_x).astype(np.int64) % self.width
        return rows, cols

    def values(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[Any]:
        """Raster values at the points (nearest cell), shaped like ``lat``."""
        rows, cols = self.index(lat.ravel(), lon.ravel())
        if self._pure is None:
            return self.read_all()[rows, cols].reshape(lat.shape)
        f = self.pure_factor
        out = self._pure[
            np.minimum(rows // f, self._pure.shape[0] - 1), np.minimum(cols // f, self._pure.shape[1] - 1)
        ].astype(self.dtype)
        todo = np.flatnonzero(out == 255)
        if todo.size:
            t = self.tile
            blocks = (rows[todo] // t) * self._tile_cols + cols[todo] // t
            order = np.argsort(blocks, kind="stable")
            uniq, starts = np.unique(blocks[order], return_index=True)
            with self._lock:
                for b, s, e in zip(uniq, starts, [*starts[1:], order.size], strict=True):
                    sel = todo[order[s:e]]
                    arr = self._block(int(b))
                    out[sel] = arr[rows[sel] % t, cols[sel] % t]
        return out.reshape(lat.shape)

    def read_all(self) -> NDArray[Any]:
        """The whole raster (kept in memory for GeoTIFFs; decoded afresh for block files)."""
        if self._full is not None:
            return self._full
        if self._pure is not None:
            out = np.empty((self.height, self.width), dtype=self.dtype)
            t = self.tile
            with self._lock:
                for b in range(self._offsets.size - 1):
                    r, c = divmod(b, self._tile_cols)
                    blk = self._block(b)
                    out[r * t : r * t + blk.shape[0], c * t : c * t + blk.shape[1]] = blk
            return out
        import rasterio

        with self._lock, rasterio.open(self.path) as ds:
            self._full = ds.read(1)
        return self._full


@cache
def koppen_raster() -> GlobalRaster:
    """Köppen–Geiger main groups at 30 arc-seconds (codes of :data:`KOPPEN_GROUPS`)."""
    return GlobalRaster(data_dir() / "koppen_geiger_main_groups_30s.npz")


@cache
def koppen_coarse_raster() -> GlobalRaster:
    """Köppen–Geiger main groups aggregated (majority) to the 0.05° MODIS grid."""
    return GlobalRaster(data_dir() / "koppen_main_groups_0p05deg.tif")


@cache
def igbp_raster() -> GlobalRaster:
    """MODIS MCD12C1 2019 IGBP classes at 0.05° (codes of :data:`IGBP_CLASSES`)."""
    return GlobalRaster(data_dir() / "mcd12c1_2019_igbp_0p05deg.tif")


def koppen_code(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.uint8]:
    """Köppen main-group raster codes (0 = ocean / no data, 1..5 = A..E), shaped like the input."""
    la, lo, _ = _as_coords(lat, lon)
    return koppen_raster().values(la, lo)


def igbp_code(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.uint8]:
    """MODIS IGBP class codes (0 = water, 1..16 land classes, 255 = no data), shaped like the input."""
    la, lo, _ = _as_coords(lat, lon)
    return igbp_raster().values(la, lo)


@overload
def is_land(lat: float, lon: float) -> bool: ...
@overload
def is_land(lat: ArrayLike, lon: ArrayLike) -> Any: ...
def is_land(lat: ArrayLike, lon: ArrayLike) -> Any:
    """True where the point is on land (the Köppen–Geiger 1 km map has a climate class there)."""
    la, lo, scalar = _as_coords(lat, lon)
    land = koppen_raster().values(la, lo) > 0
    return bool(land) if scalar else land


_K_LETTERS = np.array(["", *(v[0] for v in KOPPEN_GROUPS.values())], dtype=object)
_K_NAMES = np.array(["", *(v[1] for v in KOPPEN_GROUPS.values())], dtype=object)


def koppen_at(lat: ArrayLike, lon: ArrayLike) -> Any:
    """Köppen–Geiger main climate group: ``KoppenGroup(code, letter, name)``, e.g. ``(2, "B", "arid")``.

    Scalar input over ocean gives ``None``; array input gives arrays (code 0, letter "" over ocean).
    """
    la, lo, scalar = _as_coords(lat, lon)
    codes = koppen_raster().values(la, lo)
    if scalar:
        c = int(codes)
        return KoppenGroup(c, *KOPPEN_GROUPS[c]) if c in KOPPEN_GROUPS else None
    return KoppenGroup(codes, _K_LETTERS[codes], _K_NAMES[codes])


_IGBP_NAMES = np.array([IGBP_CLASSES.get(i, "") for i in range(256)], dtype=object)


def igbp_at(lat: ArrayLike, lon: ArrayLike) -> Any:
    """MODIS IGBP land-cover class: ``IgbpClass(code, name)``, e.g. ``(16, "barren")``; oceans are ``0 water``.

    Scalar input with no data gives ``None``; array input gives arrays (code 255, name "" there).
    """
    la, lo, scalar = _as_coords(lat, lon)
    codes = igbp_raster().values(la, lo)
    if scalar:
        c = int(codes)
        return IgbpClass(c, IGBP_CLASSES[c]) if c in IGBP_CLASSES else None
    return IgbpClass(codes, _IGBP_NAMES[codes])


class _Countries:
    def __init__(self) -> None:
        import pyarrow.parquet as pq
        import shapely

        table = pq.read_table(data_dir() / "naturalearth_50m_countries.parquet")
        self.names = np.array([*table["name"].to_pylist(), ""], dtype=object)
        self.iso = np.array([*table["iso_a3"].to_pylist(), ""], dtype=object)
        self.continents = np.array([*table["continent"].to_pylist(), ""], dtype=object)
        self.geoms = shapely.from_wkb(table["geometry"].to_pylist())
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    def lookup(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index of the country polygon holding each point (len(geoms) where none).

        A 0.05° index raster settles cells that lie wholly inside one country, or outside all (snapped
        to the country of the nearest cell inside one, within the snap distance); only points in cells
        crossed by a border or coastline are tested against the polygons.
        """
        import shapely

        x, y = lon.ravel(), lat.ravel()
        none = len(self.geoms)
        cell = country_index_raster().values(y, x).astype(np.int64)
        idx = np.where(cell < COUNTRY_SNAP, cell, none)
        snap = (cell >= COUNTRY_SNAP) & (cell < COUNTRY_BORDER)
        idx[snap] = cell[snap] - COUNTRY_SNAP
        border = np.flatnonzero((cell >= COUNTRY_BORDER) & (cell < COUNTRY_NONE))
        if border.size:
            idx[border] = cell[border] - COUNTRY_BORDER  # the snap answer unless a polygon holds the point
            p_i, g_i = self.tree.query(shapely.points(x[border], y[border]))  # bounding-box candidates
            order = np.argsort(g_i, kind="stable")
            p_i, g_i = border[p_i[order]], g_i[order]
            uniq, starts = np.unique(g_i, return_index=True)
            for g, a, b in zip(uniq, starts, [*starts[1:], g_i.size], strict=True):
                cand = p_i[a:b]
                idx[cand[shapely.contains_xy(self.geoms[g], x[cand], y[cand])]] = g
        return idx.reshape(lat.shape)


@cache
def country_index_raster() -> GlobalRaster:
    """0.05° country index: see :func:`tools.build_reference.build_country_index`."""
    return GlobalRaster(data_dir() / "naturalearth_50m_country_index_0p05deg.tif")


@cache
def _countries() -> _Countries:
    return _Countries()


def country_at(lat: ArrayLike, lon: ArrayLike) -> Any:
    """Natural Earth country: ``Country(name, iso_a3, continent)``, e.g. ``("Brazil", "BRA", "South America")``.

    Scalar input far from any country gives ``None``; array input gives str arrays ("" there).
    """
    la, lo, scalar = _as_coords(lat, lon)
    c = _countries()
    idx = c.lookup(la, lo)
    if scalar:
        i = int(idx)
        return None if i == len(c.geoms) else Country(c.names[i], c.iso[i], c.continents[i])
    return Country(c.names[idx], c.iso[idx], c.continents[idx])


def country_grid() -> NDArray[np.int16]:
    """Country row (index into :func:`country_geometries`) of every 0.05° cell, -1 where none.

    Cells crossed by a border or coastline take the country chosen for their snap fallback (the one
    holding the nearest cell centre), so this is a 0.05° approximation for area statistics only.
    """
    cell = country_index_raster().read_all()
    rows = (cell % COUNTRY_SNAP).astype(np.int16)
    rows[cell == COUNTRY_NONE] = -1
    return rows


def continent_names() -> list[str]:
    """The continents of the Natural Earth country table, sorted."""
    return sorted({str(x) for x in _countries().continents if x})


def country_geometries() -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """(names, continents, shapely geometries) of the packaged Natural Earth countries."""
    c = _countries()
    return c.names[:-1], c.continents[:-1], c.geoms


SEASONS = ("winter", "spring", "summer", "autumn", "wet", "dry", "equatorial")


def _month_of(date: dt.date | str | int) -> int:
    if isinstance(date, int):
        month = date
    elif isinstance(date, str):
        month = dt.date.fromisoformat(date[:10]).month
    elif isinstance(date, dt.date):
        month = date.month
    else:
        raise TypeError(f"season: date must be a date, an ISO date string or a month number, got {date!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"season: month must be 1..12, got {month}")
    return month


def season(date: dt.date | str | int, lat: float) -> str:
    """Season at ``date`` (a date, an ISO string or a month 1–12) and latitude ``lat``.

    - Outside the tropics (|lat| ≥ 23.44°): meteorological seasons, flipped in the southern hemisphere —
      north: Dec–Feb ``winter``, Mar–May ``spring``, Jun–Aug ``summer``, Sep–Nov ``autumn``.
    - Outer tropics (10° ≤ |lat| < 23.44°): temperature seasons are weak, rainfall follows the ITCZ, so
      ``wet`` / ``dry``: north wet May–Oct, south wet Nov–Apr (monsoon/savanna regime; a generalisation that
      local climates such as the Horn of Africa or coastal deserts do not follow — the climate group says
      whether rain matters at all).
    - Equatorial band (|lat| < 10°): ``equatorial`` — no single wet/dry season applies (often two rainy
      seasons); a caption should not claim a season there.
    """
    month = _month_of(date)
    if not (np.isfinite(lat) and abs(lat) <= 90):
        raise ValueError(f"season: lat must be within [-90, 90], got {lat!r}")
    a = abs(lat)
    if a < EQUATORIAL_LAT:
        return "equatorial"
    north = lat >= 0
    if a < TROPIC_LAT:
        wet_north = 5 <= month <= 10
        return "wet" if wet_north == north else "dry"
    names = ("winter", "spring", "summer", "autumn")
    i = (month % 12) // 3
    return names[i] if north else names[(i + 2) % 4]
