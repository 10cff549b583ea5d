"""Copernicus DEM GLO-30 → the ``aster`` key: elevation (m) and slope (degrees) on the tile grid.

The DEM is mosaicked and bilinearly resampled onto the 10 m grid grown by one pixel, slope is computed
there with Horn's method (so edge pixels have real neighbours) and both are cropped to 128 × 128.
GeoMeld's key is named after ASTER GDEM, which has no STAC source; the provenance records the swap.
"""

from __future__ import annotations

import numpy as np

from geomeld.builder.align import slope_degrees, valid_fraction
from geomeld.builder.sources.base import (
    ModalityResult,
    Placement,
    Source,
    TileContext,
    grid_of,
    missing,
    mosaic_read,
)
from geomeld.core.modalities import Resampling


class CopernicusDemSource(Source):
    key = "aster"
    product = "cop-dem-glo-30"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        placements = self.covering(ctx)
        if not placements:
            return missing(self.key, "outside_coverage", "no Copernicus DEM tile covers the tile")

        def padded(p: Placement):  # type: ignore[no-untyped-def]
            return grid_of(p, self.modality).padded(1)

        elev, used = mosaic_read(ctx, placements, ("data", "elevation", "dem"), padded, Resampling.CONTINUOUS)
        if not used:
            return missing(self.key, "no_valid_dem", "the DEM tiles hold no valid pixel over the tile")
        slope = slope_degrees(elev, self.modality.pixel_m)
        arr = np.stack([elev[1:-1, 1:-1], slope]).astype(np.float32)
        prov = {
            "status": "ok",
            "product": "Copernicus DEM GLO-30 (in the ASTER GDEM slot)",
            "items": used,
            "slope": "Horn 3x3 on the 10 m grid, degrees",
            "valid_fraction": round(valid_fraction(self.modality, arr), 4),
        }
        return ModalityResult(self.key, arr, prov)
