"""Tile geometry: an anchor coordinate → a 1280 m square in its UTM zone, with its 10 m and 1 m grids.

A tile is centred on the anchor, expressed in the UTM zone of the anchor (or of the Sentinel-2 scene
chosen for it, see :meth:`TileGrid.in_crs`). The tile's upper-left corner is snapped to a multiple of
10 m so that the 10 m grid coincides with the Sentinel-2 10 m pixel lattice (whose tile corners lie
on multiples of 60 m): native-resolution bands then land on the grid without any interpolation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from affine import Affine
from pyproj import CRS, Transformer

from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import GRID_PIXEL_M, GRID_SIZE_10M, NAIP_PIXEL_M, NAIP_SIZE_1M, TILE_SIZE_M

UTM_MIN_LAT = -80.0
UTM_MAX_LAT = 84.0


@lru_cache(maxsize=512)
def transformer(src_epsg: int, dst_epsg: int) -> Transformer:
    """A cached always-xy transformer between two EPSG codes."""
    return Transformer.from_crs(CRS.from_epsg(src_epsg), CRS.from_epsg(dst_epsg), always_xy=True)


class TileGeometryError(GeomeldError, ValueError):
    """The anchor cannot carry a tile (outside the UTM domain, invalid coordinates)."""


def utm_epsg(lat: float, lon: float) -> int:
    """EPSG code of the WGS 84 / UTM zone holding ``(lat, lon)``, with the Norway and Svalbard exceptions.

    Raises :class:`TileGeometryError` beyond the UTM latitude limits (80° S, 84° N): polar tiles
    would need UPS, which no Sentinel-2 grid uses.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90.0 <= lat <= 90.0):
        raise TileGeometryError(f"invalid anchor coordinate lat={lat}, long={lon}")
    if not (UTM_MIN_LAT <= lat < UTM_MAX_LAT):
        raise TileGeometryError(
            f"anchor lat={lat:.4f} lies outside the UTM domain ({UTM_MIN_LAT}°…{UTM_MAX_LAT}°); polar tiles are not supported"
        )
    lon = ((lon + 180.0) % 360.0) - 180.0
    zone = int((lon + 180.0) // 6.0) + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    elif 72.0 <= lat < 84.0:
        if 0.0 <= lon < 9.0:
            zone = 31
        elif 9.0 <= lon < 21.0:
            zone = 33
        elif 21.0 <= lon < 33.0:
            zone = 35
        elif 33.0 <= lon < 42.0:
            zone = 37
    zone = min(max(zone, 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class GridSpec:
    """A north-up raster grid: CRS, affine transform and size."""

    crs: str  # e.g. "EPSG:32633"
    transform: Affine
    width: int
    height: int

    @property
    def pixel_m(self) -> float:
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the grid CRS."""
        left, top = self.transform.c, self.transform.f
        return (left, top + self.transform.e * self.height, left + self.transform.a * self.width, top)

    def padded(self, pixels: int) -> GridSpec:
        """The same lattice grown by ``pixels`` on every side (for kernels that need neighbours)."""
        t = self.transform
        return GridSpec(
            self.crs,
            Affine(t.a, t.b, t.c - pixels * t.a, t.d, t.e, t.f - pixels * t.e),
            self.width + 2 * pixels,
            self.height + 2 * pixels,
        )

    def refined(self, factor: int) -> GridSpec:
        """The same footprint with pixels ``factor`` times smaller."""
        t = self.transform
        return GridSpec(
            self.crs,
            Affine(t.a / factor, t.b, t.c, t.d, t.e / factor, t.f),
            self.width * factor,
            self.height * factor,
        )

    def to_record(self) -> dict[str, object]:
        return {
            "crs": self.crs,
            "transform": list(self.transform)[:6],
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True)
class TileGrid:
    """One GeoMeld tile: the anchor, its UTM CRS and the snapped 1280 m square footprint."""

    tile_id: str
    lat: float
    long: float
    epsg: int
    left: float
    top: float

    @property
    def crs(self) -> str:
        return f"EPSG:{self.epsg}"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.left, self.top - TILE_SIZE_M, self.left + TILE_SIZE_M, self.top)

    @property
    def grid_10m(self) -> GridSpec:
        """The shared 128 × 128 grid at 10 m."""
        return GridSpec(
            self.crs,
            Affine(GRID_PIXEL_M, 0.0, self.left, 0.0, -GRID_PIXEL_M, self.top),
            GRID_SIZE_10M,
            GRID_SIZE_10M,
        )

    @property
    def grid_1m(self) -> GridSpec:
        """The NAIP 1280 × 1280 grid at 1 m on the same footprint."""
        return GridSpec(
            self.crs,
            Affine(NAIP_PIXEL_M, 0.0, self.left, 0.0, -NAIP_PIXEL_M, self.top),
            NAIP_SIZE_1M,
            NAIP_SIZE_1M,
        )

    def grid_for(self, pixel_m: float, size: int) -> GridSpec:
        """The grid of a modality with ``pixel_m`` metre pixels and ``size`` pixels per side."""
        if abs(pixel_m * size - TILE_SIZE_M) > 1e-6:
            raise ValueError(f"{size} px × {pixel_m} m does not cover the {TILE_SIZE_M} m tile")
        return GridSpec(self.crs, Affine(pixel_m, 0.0, self.left, 0.0, -pixel_m, self.top), size, size)

    def in_crs(self, epsg: int) -> TileGrid:
        """The same anchor's tile expressed in another UTM zone (e.g. the chosen Sentinel-2 scene's)."""
        return tile_for_anchor(self.lat, self.long, self.tile_id, epsg=epsg)

    def footprint_lonlat(self, densify: int = 8) -> list[tuple[float, float]]:
        """The footprint ring in WGS 84 (lon, lat), densified along the edges."""
        left, bottom, right, top = self.bounds
        xs: list[float] = []
        ys: list[float] = []
        for i in range(densify):
            f = i / densify
            xs += [left + f * (right - left), right, right - f * (right - left), left]
            ys += [top, top - f * (top - bottom), bottom, bottom + f * (top - bottom)]
        lon, lat = transformer(self.epsg, 4326).transform(xs, ys)
        ring = list(zip(lon, lat, strict=True))
        ring.append(ring[0])
        return ring

    def bbox_lonlat(self) -> tuple[float, float, float, float]:
        return _bbox_lonlat(self)

    def to_record(self) -> dict[str, object]:
        return {
            "tile_id": self.tile_id,
            "crs": self.crs,
            "bounds": list(self.bounds),
            "grid_10m": self.grid_10m.to_record(),
        }


def tile_for_anchor(lat: float, long: float, tile_id: str | int, epsg: int | None = None) -> TileGrid:
    """The tile centred on an anchor: UTM zone of the anchor unless ``epsg`` names another UTM CRS.

    The upper-left corner is snapped to the 10 m lattice (so the centre moves by at most 5 m).
    """
    zone_epsg = utm_epsg(lat, long)
    epsg = zone_epsg if epsg is None else int(epsg)
    x, y = transformer(4326, epsg).transform(long, lat)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise TileGeometryError(f"anchor lat={lat}, long={long} cannot be projected to EPSG:{epsg}")
    half = TILE_SIZE_M / 2.0
    left = round((x - half) / GRID_PIXEL_M) * GRID_PIXEL_M
    top = round((y + half) / GRID_PIXEL_M) * GRID_PIXEL_M
    return TileGrid(str(tile_id), float(lat), float(long), epsg, float(left), float(top))


def lonlat_of(x: float, y: float, epsg: int) -> tuple[float, float]:
    """(lon, lat) of a projected point."""
    lon, lat = transformer(epsg, 4326).transform(x, y)
    return float(lon), float(lat)


@lru_cache(maxsize=4096)
def _bbox_lonlat(tile: TileGrid) -> tuple[float, float, float, float]:
    """(west, south, east, north); a tile across the antimeridian has west > east (STAC convention)."""
    ring = tile.footprint_lonlat()
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    if max(lons) - min(lons) > 180.0:  # crosses ±180°: the short way round
        west = min(lon for lon in lons if lon >= 0)
        east = max(lon for lon in lons if lon < 0)
        return (west, min(lats), east, max(lats))
    return (min(lons), min(lats), max(lons), max(lats))


def split_bbox(
    bbox: tuple[float, float, float, float],
) -> list[tuple[float, float, float, float]]:
    """One box, or two when ``bbox`` crosses the antimeridian (west > east)."""
    west, south, east, north = bbox
    if west <= east:
        return [bbox]
    return [(west, south, 180.0, north), (-180.0, south, east, north)]
