"""NAIP: 1 m RGB on the 1280 × 1280 grid of the same footprint; contiguous US only.

In the US the NAIP acquisition date becomes the tile's reference date (the builder asks NAIP first).
NAIP's 8-bit values are stored as uint16 (the release's dtype); NIR is not kept (the release has RGB).
"""

from __future__ import annotations

import numpy as np

from geomeld.builder.align import read_to_grid
from geomeld.builder.sources.base import ModalityResult, Source, TileContext, grid_of, missing
from geomeld.builder.sources.reader import with_asset
from geomeld.core.modalities import Resampling

CONUS_BBOX = (-125.0, 24.0, -66.5, 49.5)
"""Contiguous US (lon/lat), where NAIP exists."""


def in_conus(lat: float, lon: float) -> bool:
    west, south, east, north = CONUS_BBOX
    return west <= lon <= east and south <= lat <= north


class NaipSource(Source):
    key = "naip"
    product = "naip"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        if not in_conus(ctx.tile.lat, ctx.tile.long):
            return missing(self.key, "outside_coverage", "NAIP covers the contiguous US only")
        placements = self.covering(ctx, allow_relocation=False)
        if not placements:
            return missing(self.key, "no_naip_item", "no NAIP image covers the tile")
        ref = ctx.reference_date
        placements.sort(key=lambda p: abs((p.item.datetime.date() - ref).days) if p.item.datetime else 10**6)
        p = placements[0]
        grid = grid_of(p, self.modality)
        asset = p.item.asset_for("image", "visual", "data")
        if asset is None:
            return missing(self.key, "asset_missing", f"NAIP item {p.item.id} has no image asset")
        layer = with_asset(
            ctx.catalog,
            asset,
            p.item.collection,
            lambda ds: read_to_grid(
                ds, [1, 2, 3], grid, Resampling.CONTINUOUS, dst_dtype="float32", src_nodata=ds.nodata
            ),
        )
        rgb = layer.array
        valid = np.isfinite(rgb).all(axis=0)
        out = np.where(np.isfinite(rgb), np.clip(np.rint(rgb), 0, 255), 0).astype(np.uint16)
        prov = p.provenance()
        prov.update({"status": "ok", "valid_fraction": round(float(valid.mean()), 4), **layer.record()})
        if "geomeld:native_gsd_m" in p.item.properties:
            prov["native_gsd_m"] = p.item.properties["geomeld:native_gsd_m"]
        return ModalityResult(self.key, out, prov)
