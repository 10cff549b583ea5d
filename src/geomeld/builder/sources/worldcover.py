"""ESA WorldCover (v200, 2021 by default): class codes on the grid, nearest or mode when downsampling.

Codes outside the registry's class table become no-data and are counted in the provenance.
"""

from __future__ import annotations

import numpy as np

from geomeld.builder.align import valid_fraction
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


def clean_codes(arr: np.ndarray, key: str) -> tuple[np.ndarray, int]:
    """Set codes the registry's class table does not know to no-data; return the count replaced."""
    from geomeld.core.modalities import MODALITIES

    table = MODALITIES[key].classes
    assert table is not None
    bad = ~table.is_allowed(arr)
    out = arr.copy()
    out[bad] = table.nodata
    return out, int(bad.sum())


class WorldCoverSource(Source):
    key = "esa_worldcover"
    product = "esa-worldcover"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        placements = self.covering(ctx)
        if not placements:
            return missing(self.key, "outside_coverage", "no ESA WorldCover tile covers the tile")
        nodata = int(self.modality.nodata or 0)

        def grid(p: Placement):  # type: ignore[no-untyped-def]
            return grid_of(p, self.modality)

        arr, used = mosaic_read(
            ctx,
            placements,
            ("map", "label", "data"),
            grid,
            Resampling.CATEGORICAL,
            dst_dtype="uint8",
            dst_nodata=nodata,
        )
        if not used:
            return missing(self.key, "no_valid_pixels", "WorldCover holds no valid class over the tile")
        arr, unknown = clean_codes(arr, self.key)
        out = arr[None].astype(np.uint8)
        prov = {
            "status": "ok",
            "items": used,
            "unknown_codes_set_to_nodata": unknown,
            "valid_fraction": round(valid_fraction(self.modality, out), 4),
        }
        return ModalityResult(self.key, out, prov)
