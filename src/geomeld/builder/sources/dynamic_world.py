"""Dynamic World: an adapter interface, because no STAC API serves it (it lives in Google Earth Engine).

Adapters (``dynamic_world_mode``):

* ``catalog`` — items of a ``dynamic-world`` collection in the catalog (e.g. a local export of the GEE
  product, one label raster per date), the one closest to the Sentinel-2 date within ± N days;
* ``substitute`` — **documented substitute**: ESA WorldCover of the same tile mapped class by class to
  the Dynamic World legend (:data:`WORLDCOVER_TO_DYNAMIC_WORLD`). Static, not the S2 date. The sample's
  provenance says ``substitute: "esa_worldcover_mapped"`` and ``stand_in: true``;
* ``catalog_then_substitute`` — the first, else the second (default).
"""

from __future__ import annotations

import numpy as np

from geomeld.builder.align import valid_fraction
from geomeld.builder.sources.base import (
    ModalityResult,
    Placement,
    Source,
    TileContext,
    days_window,
    grid_of,
    missing,
    mosaic_read,
)
from geomeld.builder.sources.worldcover import clean_codes
from geomeld.core.modalities import DYNAMIC_WORLD_CLASSES, ESA_WORLDCOVER_CLASSES, Resampling

WORLDCOVER_TO_DYNAMIC_WORLD: dict[int, int] = {
    10: 1,  # tree cover → trees
    20: 5,  # shrubland → shrub_and_scrub
    30: 2,  # grassland → grass
    40: 4,  # cropland → crops
    50: 6,  # built-up → built
    60: 7,  # bare / sparse vegetation → bare
    70: 8,  # snow and ice → snow_and_ice
    80: 0,  # permanent water bodies → water
    90: 3,  # herbaceous wetland → flooded_vegetation
    95: 1,  # mangroves → trees (DW labels mangrove forest as trees)
    100: 2,  # moss and lichen → grass
}
"""The substitute mapping ESA WorldCover code → Dynamic World index (our choice, documented)."""


def worldcover_to_dynamic_world(codes: np.ndarray) -> np.ndarray:
    lut = np.full(256, DYNAMIC_WORLD_CLASSES.nodata, dtype=np.uint8)
    for wc, dw in WORLDCOVER_TO_DYNAMIC_WORLD.items():
        lut[wc] = dw
    lut[ESA_WORLDCOVER_CLASSES.nodata] = DYNAMIC_WORLD_CLASSES.nodata
    return lut[codes]


class DynamicWorldSource(Source):
    key = "dynamic_world"
    product = "dynamic-world"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        mode = ctx.settings.dynamic_world_mode
        if mode not in ("catalog", "substitute", "catalog_then_substitute"):
            raise ValueError(
                f"dynamic_world_mode must be catalog, substitute or catalog_then_substitute, got {mode!r}"
            )
        if mode in ("catalog", "catalog_then_substitute"):
            result = self._from_catalog(ctx)
            if result.present or mode == "catalog":
                return result
        return self._substitute(ctx)

    def _from_catalog(self, ctx: TileContext) -> ModalityResult:
        start = end = None
        if ctx.acquisition is not None:
            start, end = days_window(ctx.acquisition, ctx.settings.dynamic_world_window_days)
        placements = self.covering(ctx, start, end, allow_relocation=False)
        if not placements and start is not None:
            # static exports (no date) are usable whatever the Sentinel-2 date
            placements = [p for p in self.covering(ctx, allow_relocation=False) if p.item.datetime is None]
        if not placements:
            placements = self.covering(ctx)  # relocated stand-ins, when allowed
        if not placements:
            return missing(
                self.key, "no_dw_item", "no Dynamic World item in the catalog for this tile and window"
            )
        nodata = DYNAMIC_WORLD_CLASSES.nodata

        def grid(p: Placement):  # type: ignore[no-untyped-def]
            return grid_of(p, self.modality)

        if ctx.acquisition is not None:
            placements.sort(
                key=lambda p: (
                    abs((p.item.datetime - ctx.acquisition).total_seconds())
                    if p.item.datetime and ctx.acquisition
                    else 0.0
                )
            )
        arr, used = mosaic_read(
            ctx,
            placements,
            ("label", "map", "data"),
            grid,
            Resampling.CATEGORICAL,
            dst_dtype="uint8",
            dst_nodata=nodata,
        )
        if not used:
            return missing(
                self.key, "no_valid_pixels", "Dynamic World items hold no valid label over the tile"
            )
        arr, unknown = clean_codes(arr, self.key)
        out = arr[None]
        prov = {
            "status": "ok",
            "adapter": "catalog",
            "items": used,
            "unknown_codes_set_to_nodata": unknown,
            "valid_fraction": round(valid_fraction(self.modality, out), 4),
        }
        return ModalityResult(self.key, out, prov)

    def _substitute(self, ctx: TileContext) -> ModalityResult:
        wc = ctx.results.get("esa_worldcover")
        if wc is None or wc.array is None:
            return missing(
                self.key,
                "no_substitute_input",
                "substitute mode maps ESA WorldCover, which is missing for this tile",
            )
        out = worldcover_to_dynamic_world(wc.array)
        prov = {
            "status": "ok",
            "adapter": "substitute",
            "substitute": "esa_worldcover_mapped",
            "stand_in": True,
            "mapping": {str(k): v for k, v in WORLDCOVER_TO_DYNAMIC_WORLD.items()},
            "from": wc.provenance.get("items", []),
            "valid_fraction": round(valid_fraction(self.modality, out), 4),
        }
        return ModalityResult(self.key, out, prov)
