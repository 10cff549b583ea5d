"""What the offline embedded catalog covers: ``geomeld catalog show embedded`` and the build's skip message.

The embedded catalog (``data/embedded``) holds a few small real rasters: one Sentinel-2 L1C scene of
Brandenburg (DE), six BigEarthNet patches (AT, IE, PT, FI), a NAIP window in North Dakota (US) and
the layers co-located with them. A tile anywhere else has nothing to build from; the builder then
skips it with :data:`OUTSIDE_MESSAGE` and a hint instead of a misleading cloud-cover reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import box

OUTSIDE_REASON = "outside_catalog_coverage"
OUTSIDE_MESSAGE = "outside the embedded catalog's coverage"
HINT = (
    "run `geomeld catalog show embedded` for its footprints and dates, sample inside them with "
    "`geomeld sample --within embedded`, or build from an online catalog (--catalog planetary-computer)"
)


@dataclass(frozen=True)
class CoverageRow:
    collection: str
    item_id: str
    date: str
    origin: str
    product: str
    bbox: tuple[float, float, float, float]  # lon/lat

    @property
    def size_km(self) -> tuple[float, float]:
        from math import cos, radians

        west, south, east, north = self.bbox
        lat = radians((south + north) / 2)
        return (east - west) * 111.32 * cos(lat), (north - south) * 110.57

    def as_dict(self) -> dict[str, Any]:
        w, h = self.size_km
        return {
            "collection": self.collection,
            "item_id": self.item_id,
            "date": self.date,
            "origin": self.origin,
            "product": self.product,
            "bbox": [round(v, 5) for v in self.bbox],
            "size_km": [round(w, 2), round(h, 2)],
        }


def coverage_rows() -> list[CoverageRow]:
    """One row per item of the embedded catalog, sorted by collection then id."""
    from geomeld.builder.sources.catalog import LocalCatalog
    from geomeld.core.data import embedded_catalog_dir

    rows = []
    for it in LocalCatalog(embedded_catalog_dir(), name="embedded").items:
        props = it.properties
        when = it.datetime.date().isoformat() if it.datetime else "undated"
        rows.append(
            CoverageRow(
                it.collection,
                it.id,
                when,
                str(props.get("geomeld:origin", "real")),
                str(props.get("geomeld:product") or ""),
                tuple(float(v) for v in it.geometry.bounds),  # type: ignore[arg-type]
            )
        )
    return sorted(rows, key=lambda r: (r.collection, r.item_id))


def anchor_regions() -> list[dict[str, Any]]:
    """Where tile centres may go (``footprints.geojson``): item, layout and the lon/lat bounds."""
    from shapely.geometry import shape

    from geomeld.core.data import embedded_footprints

    out = []
    for f in embedded_footprints()["features"]:
        p = f["properties"]
        out.append(
            {
                "item_id": p["item_id"],
                "layout": p["layout"],
                "bbox": [round(v, 5) for v in shape(f["geometry"]).bounds],
            }
        )
    return out


def base_covers(bbox: tuple[float, float, float, float]) -> bool:
    """Whether any Sentinel-2 or NAIP item of the embedded catalog intersects a lon/lat box."""
    tile = box(*bbox)
    return any(
        box(*r.bbox).intersects(tile) for r in coverage_rows() if r.collection in ("sentinel-2-l2a", "naip")
    )


def outside_message(lat: float, lon: float) -> str:
    return f"{OUTSIDE_MESSAGE} ({lat:.4f}, {lon:.4f}); {HINT}"


def format_table(rows: list[CoverageRow], regions: list[dict[str, Any]]) -> str:
    lines = [
        "embedded catalog: real rasters shipped with geomeld (offline); nothing is relocated between places",
        "",
        f"{'collection':<16} {'date':<10} {'origin':<10} {'size km':>11}  {'lon/lat bbox':<40} item",
    ]
    for r in rows:
        w, h = r.size_km
        bb = ", ".join(f"{v:.3f}" for v in r.bbox)
        lines.append(
            f"{r.collection:<16} {r.date:<10} {r.origin:<10} {w:5.1f}×{h:<5.1f}  {bb:<40} {r.item_id}"
        )
    lines += [
        "",
        "anchor regions (tile centres that yield a full 1280 m tile; `geomeld sample --within embedded`):",
    ]
    for reg in regions:
        bb = ", ".join(f"{v:.4f}" for v in reg["bbox"])
        lines.append(f"  {reg['layout']:<8} {bb:<44} {reg['item_id']}")
    lines += [
        "",
        "origins: real = the product at the place; substitute = another real product at the place (named);",
        "coarse = real and co-located at a coarser resolution. Elevation and canopy height: absent everywhere.",
    ]
    return "\n".join(lines)
