"""Canopy height + standard deviation (metres) on the 10 m grid.

Two ways in, same output:

* a **COG tile set** (no STAC exists for ETH Global Canopy Height 2020): ``canopy_tileset`` gives URL
  templates for the height and SD rasters and the tile size in degrees; :class:`TileSetIndex` names
  the tiles covering a tile (``{lat}``/``{lon}`` of the lower-left corner, e.g. ``N51E006``);
* a catalog collection (``canopy-height``): items with ``height`` (+ optional ``stddev``) assets.

The path is decided from the product, on both pixel axes: an item with a standard-deviation layer
(ETH Global Canopy Height: height + SD at 1/12000°) is a *product* — height and SD are both resampled
to the grid, at every latitude (a geographic pixel is 4.6 m × 9.3 m at 60° N: finer along x only, so
it is not a fine raster). A height raster without SD that is finer than 10 m along *both* axes (LiDAR
height above ground) is turned into the (height, stddev) pair by 10 m block mean and standard
deviation. Anything else: height resampled, SD absent (NaN, ``stddev_available: false``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from shapely.geometry import box

from geomeld.builder.align import (
    DOWNSAMPLING_RATIO,
    block_mean_std,
    read_to_grid,
    source_pixel_xy_in_grid_units,
    valid_fraction,
)
from geomeld.builder.grid import split_bbox
from geomeld.builder.sources.base import ModalityResult, Placement, Source, TileContext, grid_of, missing
from geomeld.builder.sources.catalog import Asset, CatalogItem
from geomeld.builder.sources.errors import SourceError
from geomeld.builder.sources.reader import with_asset
from geomeld.core.modalities import Resampling


@dataclass(frozen=True)
class TileSetIndex:
    """Names the tiles of a regular lon/lat COG tile set covering a bbox."""

    height_template: str  # e.g. ".../ETH_GlobalCanopyHeight_10m_2020_{lat}{lon}_Map.tif"
    stddev_template: str | None = None
    tile_deg: float = 3.0
    collection: str = "canopy-height-tileset"

    @staticmethod
    def label(lat0: int, lon0: int) -> tuple[str, str]:
        lat = f"{'N' if lat0 >= 0 else 'S'}{abs(lat0):02d}"
        lon = f"{'E' if lon0 >= 0 else 'W'}{abs(lon0):03d}"
        return lat, lon

    def items_for(self, bbox: tuple[float, float, float, float]) -> list[CatalogItem]:
        out: list[CatalogItem] = []
        for part in split_bbox(bbox):  # two parts across the antimeridian
            out.extend(self._items_for(part))
        return out

    def _items_for(self, bbox: tuple[float, float, float, float]) -> list[CatalogItem]:
        west, south, east, north = bbox
        step = self.tile_deg
        out = []
        lat0 = math.floor(south / step) * step
        while lat0 < north:
            lon0 = math.floor(west / step) * step
            while lon0 < east:
                lat_s, lon_s = self.label(int(lat0), int(lon0))
                assets = {"height": Asset(self.height_template.format(lat=lat_s, lon=lon_s))}
                if self.stddev_template:
                    assets["stddev"] = Asset(self.stddev_template.format(lat=lat_s, lon=lon_s))
                out.append(
                    CatalogItem(
                        f"{lat_s}{lon_s}",
                        self.collection,
                        datetime(2020, 1, 1, tzinfo=UTC),
                        box(lon0, lat0, lon0 + step, lat0 + step),
                        {},
                        assets,
                    )
                )
                lon0 += step
            lat0 += step
        return out


class CanopyHeightSource(Source):
    key = "canopy_height"
    product = "canopy-height"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        cfg = ctx.settings.canopy_tileset
        if cfg:
            index = TileSetIndex(cfg["height"], cfg.get("stddev"), float(cfg.get("tile_deg", 3.0)))
            placements = [Placement(it, ctx.tile) for it in index.items_for(ctx.tile.bbox_lonlat())]
        else:
            placements = self.covering(ctx)
        if not placements:
            return missing(self.key, "outside_coverage", "no canopy-height raster covers the tile")
        errors: list[str] = []
        for p in placements:
            try:
                arr, rec = self._read(ctx, p)
            except SourceError as exc:
                if exc.reason == "asset_missing":  # tile sets have holes (ocean tiles are not produced)
                    errors.append(str(exc))
                    continue
                raise
            if np.isfinite(arr[0]).any():
                prov = {
                    "status": "ok",
                    "items": [rec],
                    "valid_fraction": round(valid_fraction(self.modality, arr), 4),
                }
                return ModalityResult(self.key, arr, prov)
        return missing(
            self.key,
            "no_valid_pixels",
            "canopy-height rasters hold no valid pixel over the tile",
            errors=errors,
        )

    def _read(self, ctx: TileContext, p: Placement) -> tuple[np.ndarray, dict[str, Any]]:
        grid = grid_of(p, self.modality)
        height_asset = p.item.asset_for("height", "data", "hag")
        if height_asset is None:
            raise SourceError(f"canopy item {p.item.id} has no height asset", "asset_missing")

        def pixel(ds: Any) -> tuple[float, float]:
            return source_pixel_xy_in_grid_units(ds.crs, ds.transform, grid)

        std_asset = p.item.asset_for("stddev", "sd")
        px, py = with_asset(ctx.catalog, height_asset, p.item.collection, pixel, item_id=p.item.id)
        src_px = max(px, py)  # the coarser axis decides: finer along one axis only is not "fine"
        rec = p.provenance()
        rec["source_pixel_m"] = [round(px, 3), round(py, 3)]
        factor = round(grid.pixel_m / src_px)
        if std_asset is None and grid.pixel_m / src_px >= DOWNSAMPLING_RATIO and factor >= 2:
            fine = grid.refined(factor)
            layer = with_asset(
                ctx.catalog,
                height_asset,
                p.item.collection,
                lambda ds: read_to_grid(ds, [1], fine, Resampling.CONTINUOUS),
            )
            height, std = block_mean_std(layer.array[0], factor)
            rec.update({"method": f"{factor}x{factor} block mean and std of a {src_px:.1f} m height raster"})
            return np.stack([height, std]), rec
        layer = with_asset(
            ctx.catalog,
            height_asset,
            p.item.collection,
            lambda ds: read_to_grid(ds, [1], grid, Resampling.CONTINUOUS),
        )
        std = np.full_like(layer.array[0], np.nan)
        if std_asset is not None:
            std = with_asset(
                ctx.catalog,
                std_asset,
                p.item.collection,
                lambda ds: read_to_grid(ds, [1], grid, Resampling.CONTINUOUS),
            ).array[0]
        rec.update(
            {
                "method": f"{layer.kernel} (height and SD layers)" if std_asset else layer.kernel,
                "stddev_available": std_asset is not None,
            }
        )
        return np.stack([layer.array[0], std]), rec
