"""Sentinel-2 L2A: the base layer. Picks the scene, fixes the date and the grid CRS, harmonises DN.

* Scene filter: ``eo:cloud_cover`` below the limit (10 % by default).
* Order: closest to the reference date, then least cloudy; up to ``s2_max_candidates`` are tried.
* Grid: the tile is re-expressed in the scene's UTM zone (``proj:epsg``) so native bands need no warp.
* Bands are found by meaning (asset key, band name, common name, centre wavelength:
  :mod:`geomeld.builder.sources.bands`), so PC, Earth Search, CDSE and folder layouts all work; a band that
  cannot be found fails the tile naming the item (``s2_band_missing``).
* Harmonisation, per item: the +1000 DN offset of processing baseline ≥ 04.00 (``BOA_ADD_OFFSET``) is
  removed once, by the rule table of :mod:`geomeld.builder.sources.harmonise` (never from the date); the rule
  and its reason are recorded.
* QC: valid-pixel coverage of *every* band (the worst band counts) and, when an SCL asset exists, the
  cloud/shadow share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from geomeld.builder.align import cloud_share_from_scl, read_to_grid, valid_fraction_per_band
from geomeld.builder.sources.bands import find_band, find_scl
from geomeld.builder.sources.base import (
    ModalityResult,
    Placement,
    Source,
    TileContext,
    grid_of,
    missing,
    month_window,
)
from geomeld.builder.sources.catalog import Asset, CatalogItem
from geomeld.builder.sources.errors import (
    NoSuitableItemError,
    PermanentSourceError,
    QualityRejectedError,
    SourceError,
)
from geomeld.builder.sources.harmonise import BOA_ADD_OFFSET, decide, processing_baseline
from geomeld.builder.sources.reader import with_asset
from geomeld.core.modalities import Resampling

HARMONISATION_OFFSET = BOA_ADD_OFFSET


def harmonise(
    dn: np.ndarray, item: CatalogItem, assets: list[Asset] | None = None
) -> tuple[np.ndarray, float]:
    """Remove the +1000 offset where the rule table says so (NaN stays NaN). Returns (array, offset)."""
    decision = decide(item, assets if assets is not None else [Asset("")] * dn.shape[0], dn)
    return decision.apply(dn), decision.offset_removed


class Sentinel2Source(Source):
    key = "sentinel2"
    product = "sentinel-2-l2a"

    def _candidates(self, ctx: TileContext) -> tuple[list[Placement], list[str]]:
        s = ctx.settings
        start, end = month_window(ctx.reference_date) if s.s2_window == "month" else (None, None)
        # The base layer is relocated (stand-in) only when the tile has co-located real data of its
        # own (NAIP); otherwise a tile without Sentinel-2 (ocean, outside the catalog) is skipped.
        naip = ctx.results.get("naip")
        placements = self.covering(
            ctx,
            start,
            end,
            allow_relocation=naip is not None and naip.present,
            max_cloud_cover=s.s2_max_cloud_cover,
        )
        notes: list[str] = []
        kept = []
        for p in placements:
            cc = p.item.properties.get("eo:cloud_cover")
            if cc is None and not s.s2_allow_unknown_cloud_cover:
                notes.append(f"{p.item.id}: no eo:cloud_cover")
                continue
            if cc is not None and float(cc) >= s.s2_max_cloud_cover:
                notes.append(f"{p.item.id}: cloud {float(cc):.1f} % ≥ {s.s2_max_cloud_cover} %")
                continue
            kept.append(p)
        ref = datetime(ctx.reference_date.year, ctx.reference_date.month, ctx.reference_date.day)

        def order(p: Placement) -> tuple[int, float, float]:
            dt = p.item.datetime.replace(tzinfo=None) if p.item.datetime else ref
            return (
                p.relocated_from is not None,
                abs((dt - ref).total_seconds()),
                float(p.item.properties.get("eo:cloud_cover") or 0.0),
            )

        kept.sort(key=order)
        return kept, notes

    def fetch(self, ctx: TileContext) -> ModalityResult:
        candidates, notes = self._candidates(ctx)
        naip = ctx.results.get("naip")
        if not candidates and naip is not None and naip.present:
            # a NAIP tile keeps its own real imagery; Sentinel-2 is absent (never borrowed from elsewhere)
            return missing(self.key, "no_s2_coverage", "no Sentinel-2 scene covers this NAIP tile")
        if not candidates:
            window = "in the reference month" if ctx.settings.s2_window == "month" else "at any date"
            if not notes:  # the catalog applied the cloud limit: were there cloudier scenes at all?
                start, end = (
                    month_window(ctx.reference_date) if ctx.settings.s2_window == "month" else (None, None)
                )
                cloudy = ctx.catalog.search(
                    ctx.collection(self.product), ctx.tile.bbox_lonlat(), start, end, limit=20
                )
                notes = [f"{it.id}: cloud {it.properties.get('eo:cloud_cover')} %" for it in cloudy]
            detail = f" ({'; '.join(notes[:5])})" if notes else ""
            raise NoSuitableItemError(
                f"no Sentinel-2 scene under {ctx.settings.s2_max_cloud_cover} % cloud covers the tile {window}{detail}",
                reason="no_s2_under_cloud_limit" if notes else "no_s2_coverage",
            )
        rejections: list[str] = []
        for placement in candidates[: ctx.settings.s2_max_candidates]:
            try:
                return self._read(ctx, placement)
            except QualityRejectedError as exc:
                rejections.append(str(exc))
        raise QualityRejectedError("every Sentinel-2 candidate failed QC: " + " | ".join(rejections))

    def _read(self, ctx: TileContext, placement: Placement) -> ModalityResult:
        item = placement.item
        epsg = item.properties.get("proj:epsg") or item.properties.get("proj:code")
        if epsg is None:  # CDSE (STAC 1.1) puts proj:code on the assets only
            first = find_band(item, self.modality.band_names[1])
            epsg = first.asset.extra.get("proj:code") or first.asset.extra.get("proj:epsg") if first else None
        if isinstance(epsg, str) and epsg.upper().startswith("EPSG:"):
            epsg = int(epsg.split(":", 1)[1])
        naip = ctx.results.get("naip")
        # the scene's UTM zone becomes the grid, unless NAIP (read first, in the US) already fixed it
        if (
            placement.relocated_from is None
            and not (naip is not None and naip.present)
            and isinstance(epsg, int)
            and 32601 <= epsg <= 32760
            and epsg != ctx.tile.epsg
        ):
            placement = Placement(item, ctx.tile.in_crs(epsg))
        grid = grid_of(placement, self.modality)
        bands = []
        records: dict[str, Any] = {}
        assets: list[Asset] = []
        band_assets: dict[str, str] = {}
        for name in self.modality.band_names:
            match = find_band(item, name)
            if match is None:
                raise PermanentSourceError(
                    f"Sentinel-2 item {item.id} ({item.collection}): no asset for band {name} "
                    f"(looked for asset key, band name, common name and centre wavelength among "
                    f"{sorted(item.assets)})",
                    "s2_band_missing",
                )
            layer = with_asset(
                ctx.catalog,
                match.asset,
                item.collection,
                lambda ds: read_to_grid(ds, [1], grid, Resampling.CONTINUOUS, src_nodata=0),
                item_id=item.id,
            )
            bands.append(layer.array[0])
            records[name] = layer.kernel
            assets.append(match.asset)
            band_assets[name] = match.key
        dn = np.stack(bands).astype(np.float32)
        decision = decide(item, assets, dn, self.modality.band_names)
        dn = decision.apply(dn)
        offset = decision.offset_removed
        per_band = valid_fraction_per_band(self.modality, dn)
        frac = min(per_band.values()) if per_band else 0.0
        if frac < ctx.settings.s2_min_valid_fraction:
            worst = min(per_band, key=lambda k: per_band[k])
            raise QualityRejectedError(
                f"{item.id}: only {frac:.0%} of the tile has valid Sentinel-2 pixels in band {worst} (< {ctx.settings.s2_min_valid_fraction:.0%})",
                reason="s2_low_coverage",
            )
        cloud = None
        scl_asset = find_scl(item)
        if scl_asset is not None:
            scl = with_asset(
                ctx.catalog,
                scl_asset,
                item.collection,
                lambda ds: read_to_grid(
                    ds, [1], grid, Resampling.CATEGORICAL, dst_dtype="uint8", dst_nodata=0
                ),
                item_id=item.id,
            )
            cloud = cloud_share_from_scl(scl.array[0])
            if cloud > ctx.settings.s2_max_cloud_share:
                raise QualityRejectedError(
                    f"{item.id}: {cloud:.0%} of the tile is cloud/shadow in SCL (> {ctx.settings.s2_max_cloud_share:.0%})",
                    reason="s2_cloudy_tile",
                )
        if placement.relocated_from is None:
            ctx.tile = placement.tile  # the scene's UTM zone becomes the tile's CRS
        ctx.acquisition = item.datetime
        prov = placement.provenance()
        prov.update(
            {
                "status": "ok",
                "processing_baseline": item.properties.get("s2:processing_baseline")
                or item.properties.get("processing:version"),
                "product_type": item.properties.get("s2:product_type"),
                "cloud_cover": item.properties.get("eo:cloud_cover"),
                "harmonisation_offset_removed": offset,
                "harmonisation": decision.record(),
                # recorded, not trusted: the flag is wrong on some Earth Search items (E84 #66, #71)
                "earthsearch_boa_offset_applied": item.properties.get("earthsearch:boa_offset_applied"),
                "band_assets": band_assets,
                "valid_fraction_per_band": {k: round(v, 4) for k, v in per_band.items()},
                "tile_cloud_share": cloud,
                "valid_fraction": round(frac, 4),
                "kernels": records,
                "crs": grid.crs,
                "transform": list(grid.transform)[:6],
            }
        )
        return ModalityResult(self.key, dn, prov)


__all__ = [
    "HARMONISATION_OFFSET",
    "Sentinel2Source",
    "SourceError",
    "harmonise",
    "processing_baseline",
]
