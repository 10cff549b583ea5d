"""``--within``: polygons (GeoJSON, WGS 84) that anchors must fall inside, e.g. a catalog's footprints.

``inset_m`` shrinks every polygon by that many metres first (computed in the polygon's UTM zone), so
that with ``inset_m = 640·√2 ≈ 905`` a whole 1280 m tile around an accepted centre lies inside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Footprints:
    """The (inset) footprint polygons and their union."""

    path: Path
    geoms: list[Any]  # shapely Polygon / MultiPolygon per feature
    union: Any
    names: list[str]  # per feature: its id / item_id / name property, else "feature <i>"

    def contains(self, lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.bool_]:
        import shapely

        return np.asarray(shapely.contains_xy(self.union, lon, lat), dtype=bool)

    def single(self, i: int) -> Footprints:
        """Only feature ``i``."""
        import shapely

        geom = self.geoms[i]
        shapely.prepare(geom)
        return Footprints(self.path, [geom], geom, [self.names[i]])

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        w, s, e, n = self.union.bounds
        return float(w), float(s), float(e), float(n)


def _features(doc: Any, path: Path) -> list[tuple[Any, dict[str, Any]]]:
    """(geometry, properties) of every feature of a GeoJSON document."""
    if not isinstance(doc, dict) or "type" not in doc:
        raise ValueError(f"{path}: not a GeoJSON object (expected a FeatureCollection, Feature or geometry)")
    kind = doc["type"]
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise ValueError(f"{path}: FeatureCollection without a 'features' list")
        return [(f.get("geometry"), f.get("properties") or {}) for f in feats if isinstance(f, dict)]
    if kind == "Feature":
        return [(doc.get("geometry"), doc.get("properties") or {})]
    return [(doc, {})]


def _inset(geom: Any, inset_m: float) -> Any:
    import shapely
    from pyproj import CRS, Transformer

    c = geom.centroid
    zone = int((c.x + 180) // 6) + 1
    epsg = (32600 if c.y >= 0 else 32700) + zone
    fwd = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(epsg), always_xy=True)
    inv = Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True)

    def project(tr: Transformer) -> Any:
        def fn(xy: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = tr.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return fn

    shrunk = shapely.transform(geom, project(fwd)).buffer(-inset_m)
    return shapely.transform(shrunk, project(inv))


def load_footprints(path: str | Path, inset_m: float = 0.0) -> Footprints:
    """Read polygons from a GeoJSON file; a clear error names the file and the offending feature."""
    import shapely

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"--within footprints file {p} does not exist")
    try:
        doc = json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not valid JSON ({exc})") from exc
    geoms, names = [], []
    for i, (g, props) in enumerate(_features(doc, p)):
        if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
            kind = g.get("type") if isinstance(g, dict) else None
            raise ValueError(
                f"{p}: feature {i} has geometry type {kind!r}; --within needs Polygon/MultiPolygon"
            )
        geom = shapely.make_valid(shapely.geometry.shape(g))
        if inset_m > 0:
            geom = _inset(geom, inset_m)
        if not geom.is_empty:
            geoms.append(geom)
            label = next((props[k] for k in ("id", "item_id", "name") if props.get(k)), None)
            names.append(str(label) if label is not None else f"feature {i}")
    if not geoms:
        extra = f" after an inset of {inset_m:g} m" if inset_m > 0 else ""
        raise ValueError(f"{p}: no polygon area left{extra}; nothing to sample within")
    union = shapely.union_all(geoms)
    shapely.prepare(union)
    return Footprints(p, geoms, union, names)
