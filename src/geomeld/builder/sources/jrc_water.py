"""JRC Global Surface Water occurrence (0–100 % of observations with water) on the 10 m grid.

Not a GeoMeld HDF5 key: the builder uses it for ``water_analysis`` (water where Dynamic World says
water AND occurrence ≥ 50 %) and keeps it in ``Sample.extras["jrc_occurrence"]`` for the captioner.
"""

from __future__ import annotations

import numpy as np

from geomeld.builder.grid import GridSpec
from geomeld.builder.sources.base import ModalityResult, Placement, Source, TileContext, missing, mosaic_read
from geomeld.core.modalities import GRID_PIXEL_M, GRID_SIZE_10M, Resampling

JRC_NODATA = 255


class JrcWaterSource(Source):
    key = "jrc_occurrence"
    product = "jrc-gsw"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        placements = self.covering(ctx, allow_relocation=False)
        if not placements:
            return missing(self.key, "outside_coverage", "no JRC surface-water tile covers the tile")

        def grid(p: Placement) -> GridSpec:
            return p.tile.grid_for(GRID_PIXEL_M, GRID_SIZE_10M)

        arr, used = mosaic_read(ctx, placements, ("occurrence", "data"), grid, Resampling.CONTINUOUS)
        arr = np.where(arr > 100, np.nan, arr).astype(np.float32)
        if not used:
            return missing(self.key, "no_valid_pixels", "JRC occurrence holds no valid pixel over the tile")
        return ModalityResult(self.key, None, {"status": "ok", "items": used}, extras={"jrc_occurrence": arr})
