"""The one interface every source implements, and the per-tile context sources share.

A source turns (tile, reference date, catalog) into one :class:`ModalityResult`: an array on the
modality's grid, in the registry's full band order, plus a provenance record. Sources run in order
(``geomeld.builder.sources.SOURCE_ORDER``); Sentinel-2 fixes the acquisition date and the grid's CRS, the
others match it.

Stand-ins: a catalog item may carry ``geomeld:relocatable_centers`` (lat/lon pairs inside its
footprint). When nothing covers the tile and stand-ins are allowed, such an item is read on a proxy
tile centred on one of those points (chosen from the tile id) and the provenance says so
(``stand_in: true``, ``relocated_from``): real data, aligned exactly, from another place.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np

from geomeld.builder.grid import GridSpec, TileGrid, tile_for_anchor
from geomeld.builder.sources.catalog import Catalog, CatalogItem
from geomeld.core.modalities import MODALITIES, Modality


@dataclass
class SourceSettings:
    """Knobs shared by sources (filled from the build config)."""

    collections: dict[str, str] = field(default_factory=dict)
    s2_max_cloud_cover: float = 10.0
    s2_window: str = "month"  # "month": the reference month; "any": no date limit
    s2_allow_unknown_cloud_cover: bool = False
    s2_min_valid_fraction: float = 0.8
    s2_max_cloud_share: float = 0.1
    s2_max_candidates: int = 4
    s1_window_days: int = 15
    dynamic_world_window_days: int = 15
    dynamic_world_mode: str = (
        "catalog_then_substitute"  # "catalog" | "substitute" | "catalog_then_substitute"
    )
    allow_stand_ins: bool = False
    canopy_tileset: dict[str, Any] | None = None  # {"height": template, "stddev": template, "tile_deg": 3}


@dataclass
class TileContext:
    """Everything a source may look at for one tile; sources add to ``results``."""

    tile: TileGrid
    reference_date: date
    catalog: Catalog
    settings: SourceSettings
    acquisition: datetime | None = None  # set by Sentinel-2
    results: dict[str, ModalityResult] = field(default_factory=dict)

    def collection(self, product: str) -> str:
        return self.settings.collections.get(product, product)


@dataclass
class ModalityResult:
    """One source's output for one tile."""

    key: str
    array: np.ndarray | None
    provenance: dict[str, Any]
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return self.array is not None


@dataclass
class Placement:
    """An item chosen for a tile, and the grid to read it on (a proxy grid for relocated stand-ins)."""

    item: CatalogItem
    tile: TileGrid
    relocated_from: tuple[float, float] | None = None

    def provenance(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "item_id": self.item.id,
            "collection": self.item.collection,
            "datetime": self.item.datetime.isoformat() if self.item.datetime else None,
        }
        substitute = self.item.properties.get("geomeld:substitute")
        if substitute:
            rec["substitute"] = substitute
            rec["stand_in"] = True
        if self.relocated_from is not None:
            rec["stand_in"] = True
            rec["relocated_from"] = {"lat": self.relocated_from[0], "long": self.relocated_from[1]}
            rec["grid"] = self.tile.grid_10m.to_record()
        for key in (
            "geomeld:licence",
            "geomeld:source",
            "geomeld:origin",
            "geomeld:product",
            "geomeld:resolution_m",
        ):
            if key in self.item.properties:
                rec[key.split(":", 1)[1]] = self.item.properties[key]
        if self.relocated_from is not None:
            rec["origin"] = "relocated"
        return rec


def stable_choice(tile_id: str, n: int, salt: str) -> int:
    digest = hashlib.sha256(f"{salt}:{tile_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def missing(key: str, reason: str, message: str, **extra: Any) -> ModalityResult:
    return ModalityResult(key, None, {"status": "missing", "reason": reason, "message": message, **extra})


class Source(ABC):
    """One upstream product feeding one registry modality (or a signal such as JRC water)."""

    key: str  # registry modality key, or a signal name
    product: str  # logical collection name, mapped to a catalog's collection id via settings

    @property
    def modality(self) -> Modality:
        return MODALITIES[self.key]

    @abstractmethod
    def fetch(self, ctx: TileContext) -> ModalityResult:
        """Produce this source's layer for ``ctx.tile``; raise a SourceError subclass on failure."""

    # -- helpers shared by the concrete sources -------------------------------------------------
    def covering(
        self,
        ctx: TileContext,
        start: datetime | None = None,
        end: datetime | None = None,
        allow_relocation: bool = True,
        max_cloud_cover: float | None = None,
    ) -> list[Placement]:
        """Items covering the tile (co-located first); else relocatable stand-ins when allowed."""
        collection = ctx.collection(self.product)
        items = ctx.catalog.search(
            collection, ctx.tile.bbox_lonlat(), start, end, max_cloud_cover=max_cloud_cover
        )
        if items:
            return [Placement(it, ctx.tile) for it in items]
        if not (allow_relocation and ctx.settings.allow_stand_ins):
            return []
        out = []
        for it in ctx.catalog.relocatable(collection):
            centers = it.properties["geomeld:relocatable_centers"]
            lat, lon = centers[stable_choice(ctx.tile.tile_id, len(centers), self.key)]
            proxy = tile_for_anchor(float(lat), float(lon), ctx.tile.tile_id)
            out.append(Placement(it, proxy, relocated_from=(float(lat), float(lon))))
        return out


def grid_of(placement: Placement, modality: Modality) -> GridSpec:
    return placement.tile.grid_for(modality.pixel_m, modality.size)


def month_window(ref: date) -> tuple[datetime, datetime]:
    start = datetime(ref.year, ref.month, 1, tzinfo=UTC)
    nxt = datetime(ref.year + (ref.month == 12), ref.month % 12 + 1, 1, tzinfo=UTC)
    return start, nxt - timedelta(microseconds=1)


def days_window(center: datetime, days: int) -> tuple[datetime, datetime]:
    return center - timedelta(days=days), center + timedelta(days=days)


def mosaic_read(
    ctx: TileContext,
    placements: list[Placement],
    asset_names: tuple[str, ...],
    grid_for: Any,
    kind: Any,
    *,
    dst_dtype: str = "float32",
    dst_nodata: float | int | None = float("nan"),
    band: int = 1,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Read one band of several items onto a grid; the first valid value per pixel wins.

    ``grid_for(placement)`` gives the grid; all placements must share it (relocated stand-ins are
    read alone). Returns the (H, W) array and one provenance record per item actually used.
    """
    from geomeld.builder.align import fill_value, read_to_grid
    from geomeld.builder.sources.errors import PermanentSourceError
    from geomeld.builder.sources.reader import with_asset

    out: np.ndarray | None = None
    used: list[dict[str, Any]] = []
    for p in placements:
        asset = p.item.asset_for(*asset_names)
        if asset is None:
            raise PermanentSourceError(
                f"item {p.item.id} has none of the assets {list(asset_names)}", "asset_missing"
            )
        grid = grid_for(p)
        layer = with_asset(
            ctx.catalog,
            asset,
            p.item.collection,
            partial(
                read_to_grid, bands=[band], grid=grid, kind=kind, dst_dtype=dst_dtype, dst_nodata=dst_nodata
            ),
        )
        arr = layer.array[0]
        if np.issubdtype(arr.dtype, np.floating):
            valid = np.isfinite(arr)
        else:
            valid = arr != fill_value(arr.dtype, dst_nodata)
        if not valid.any():
            continue
        rec = p.provenance()
        rec.update(layer.record())
        used.append(rec)
        if out is None:
            out = arr
        else:
            if np.issubdtype(out.dtype, np.floating):
                hole = ~np.isfinite(out)
            else:
                hole = out == fill_value(out.dtype, dst_nodata)
            out[hole] = arr[hole]
        if p.relocated_from is not None:
            break
    if out is None:
        g = grid_for(placements[0]) if placements else None
        shape = (g.height, g.width) if g is not None else (0, 0)
        out = np.full(shape, fill_value(np.dtype(dst_dtype), dst_nodata), dtype=dst_dtype)
    return out, used
