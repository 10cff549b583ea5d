"""OpenStreetMap tags at several radii around the sample anchor → ``osm_tags`` (key → values).

Two sources, both optional and imported lazily:

* :class:`OsmPbfIndex` reads a local ``.osm.pbf`` once (pyosmium, ``pip install 'geomeld[osm]'``) into
  a point index of tagged nodes and way vertices; a way counts within radius R when one of its
  vertices lies within R of the anchor, or when it is a closed way whose polygon contains the anchor
  (a forest around the anchor counts although its boundary is far). Relations (multipolygons) are not
  read: their member ways still count if tagged.
* :class:`OverpassSource` asks an Overpass API endpoint (``nwr(around:R)``, ``out tags center``); ways
  are placed at their centre, a documented approximation.

Default radii (geomeld-paper.md §8.1): 640 m (the circle inscribed in the 1280 m chip) and 1920 m (a 3×
buffer). The released field ``osm_tags`` holds the tags of the smallest radius.
"""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from geomeld.core.errors import GeomeldError
from geomeld.signals.models import OsmSignal, radius_key

DEFAULT_RADII_M = (640.0, 1920.0)
CAPTION_KEYS = (
    "highway",
    "building",
    "landuse",
    "natural",
    "leisure",
    "man_made",
    "amenity",
    "power",
    "waterway",
    "water",
    "railway",
    "aeroway",
    "bridge",
    "surface",
    "service",
    "place",
    "tourism",
    "historic",
    "generator:source",
    "plant:source",
)
"""Tag keys that describe what is visible from above; other keys (names, addresses) are dropped."""

_M_PER_DEG = 111_320.0


class OsmSource(Protocol):
    """Anything that answers "which tags lie within each radius of (lat, lon)"."""

    @property
    def name(self) -> str: ...

    def tags_near(
        self, lat: float, lon: float, radii_m: Sequence[float]
    ) -> dict[str, dict[str, list[str]]]: ...


def _merge(tags_list: Iterable[dict[str, str]], keys: set[str]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for tags in tags_list:
        for k, v in tags.items():
            if k in keys and v:
                out.setdefault(k, set()).add(v)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _point_in_ring(x: float, y: float, ring: np.ndarray) -> bool:
    xs, ys = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(xs, -1), np.roll(ys, -1)
    crosses = ((ys > y) != (y2 > y)) & (x < (x2 - xs) * (y - ys) / np.where(y2 == ys, 1e-300, y2 - ys) + xs)
    return bool(np.count_nonzero(crosses) % 2)


@dataclass
class OsmPbfIndex:
    """Tagged OSM features of one ``.osm.pbf`` file, indexed for radius queries."""

    path: str
    keys: tuple[str, ...] = CAPTION_KEYS
    tags: list[dict[str, str]] = field(default_factory=list)
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rings: dict[int, np.ndarray] = field(default_factory=dict)  # closed ways: (n, 2) lon/lat

    @property
    def name(self) -> str:
        return f"pbf:{Path(self.path).name}"

    @classmethod
    def from_pbf(cls, path: str | Path, keys: Sequence[str] = CAPTION_KEYS) -> OsmPbfIndex:
        try:
            import osmium
        except ImportError as exc:  # pragma: no cover - environment dependent
            raise ImportError("reading .osm.pbf needs pyosmium: pip install 'geomeld[osm]'") from exc
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"OSM extract {p} does not exist (expected a .osm.pbf file)")
        key_set = set(keys)
        tags: list[dict[str, str]] = []
        lats: list[float] = []
        lons: list[float] = []
        fids: list[int] = []
        rings: dict[int, np.ndarray] = {}
        processor = (
            osmium.FileProcessor(str(p), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        obj: Any
        for obj in processor:
            kept = {t.k: t.v for t in obj.tags if t.k in key_set}
            if not kept:
                continue
            if obj.is_node():
                if not obj.location.valid():
                    continue
                coords = [(obj.location.lat, obj.location.lon)]
            else:
                coords = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
                if not coords:
                    continue
            fid = len(tags)
            tags.append(kept)
            for la, lo in coords:
                lats.append(la)
                lons.append(lo)
                fids.append(fid)
            if not obj.is_node() and obj.is_closed() and len(coords) >= 4:
                rings[fid] = np.array([(lo, la) for la, lo in coords], dtype=np.float64)
        order = np.argsort(np.asarray(lats, dtype=np.float64), kind="stable")
        return cls(
            path=str(p),
            keys=tuple(keys),
            tags=tags,
            lat=np.asarray(lats, dtype=np.float64)[order],
            lon=np.asarray(lons, dtype=np.float64)[order],
            fid=np.asarray(fids, dtype=np.int64)[order],
            rings=rings,
        )

    def tags_near(self, lat: float, lon: float, radii_m: Sequence[float]) -> dict[str, dict[str, list[str]]]:
        radii = sorted(float(r) for r in radii_m)
        if not radii or self.lat.size == 0:
            return {radius_key(r): {} for r in radii}
        r_max = radii[-1]
        dlat = r_max / _M_PER_DEG
        lo_i, hi_i = np.searchsorted(self.lat, [lat - dlat, lat + dlat])
        cos_lat = max(math.cos(math.radians(lat)), 1e-6)
        la = self.lat[lo_i:hi_i]
        lo = self.lon[lo_i:hi_i]
        fid = self.fid[lo_i:hi_i]
        dy = (la - lat) * _M_PER_DEG
        dx = (lo - lon) * _M_PER_DEG * cos_lat
        dist = np.hypot(dx, dy)
        near = dist <= r_max
        best: dict[int, float] = {}
        if near.any():
            f_near = fid[near]
            d_near = dist[near]
            order = np.argsort(d_near)
            for f, d in zip(f_near[order], d_near[order], strict=True):
                best.setdefault(int(f), float(d))
        containing = [f for f, ring in self.rings.items() if f not in best and _contains(ring, lon, lat)]
        for f in containing:
            best[f] = 0.0
        key_set = set(self.keys)
        return {
            radius_key(r): _merge((self.tags[f] for f, d in best.items() if d <= r), key_set) for r in radii
        }


def _contains(ring: np.ndarray, lon: float, lat: float) -> bool:
    if not (ring[:, 0].min() <= lon <= ring[:, 0].max() and ring[:, 1].min() <= lat <= ring[:, 1].max()):
        return False
    return _point_in_ring(lon, lat, ring)


class OverpassError(GeomeldError, RuntimeError):
    """The Overpass endpoint failed or answered something that is not Overpass JSON."""


@dataclass
class OverpassSource:
    """Tags from an Overpass API endpoint (one query per sample at the largest radius)."""

    url: str
    timeout_s: float = 30.0
    keys: tuple[str, ...] = CAPTION_KEYS

    @property
    def name(self) -> str:
        return f"overpass:{self.url}"

    def query(self, lat: float, lon: float, radius_m: float) -> str:
        pattern = "|".join(k.replace(":", "\\\\:") for k in self.keys)
        return (
            f"[out:json][timeout:{int(self.timeout_s)}];"
            f'nwr(around:{radius_m:.0f},{lat:.7f},{lon:.7f})[~"^({pattern})$"~"."];'
            "out tags center;"
        )

    def tags_near(self, lat: float, lon: float, radii_m: Sequence[float]) -> dict[str, dict[str, list[str]]]:
        radii = sorted(float(r) for r in radii_m)
        body = urllib.parse.urlencode({"data": self.query(lat, lon, radii[-1])}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                payload: Any = json.loads(resp.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise OverpassError(f"Overpass query to {self.url} failed: {exc}") from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("elements"), list):
            raise OverpassError(f"Overpass endpoint {self.url} did not return an 'elements' list")
        cos_lat = max(math.cos(math.radians(lat)), 1e-6)
        placed: list[tuple[float, dict[str, str]]] = []
        for el in payload["elements"]:
            if not isinstance(el, dict):
                continue
            where: Any = el.get("center") if "center" in el else el
            try:
                la, lo = float(where["lat"]), float(where["lon"])
            except (KeyError, TypeError, ValueError):
                continue
            d = math.hypot((la - lat) * _M_PER_DEG, (lo - lon) * _M_PER_DEG * cos_lat)
            tags = el.get("tags") or {}
            placed.append((d, {str(k): str(v) for k, v in tags.items()}))
        key_set = set(self.keys)
        return {radius_key(r): _merge((t for d, t in placed if d <= r), key_set) for r in radii}


def osm_signal(
    source: OsmSource, lat: float, lon: float, radii_m: Sequence[float] = DEFAULT_RADII_M
) -> OsmSignal:
    radii = sorted(float(r) for r in radii_m)
    return OsmSignal(source=source.name, radii_m=radii, tags_by_radius=source.tags_near(lat, lon, radii))


def osm_signal_from_metadata(
    osm_tags: dict[str, Any], chip_radius_m: float = DEFAULT_RADII_M[0]
) -> OsmSignal:
    """Wrap already-released ``osm_tags`` (value: str, list or null) as a one-radius signal."""
    tags: dict[str, list[str]] = {}
    for k, v in osm_tags.items():
        if v is None:
            continue
        values = [v] if isinstance(v, str) else [str(x) for x in v]
        if values:
            tags[k] = sorted(set(values))
    return OsmSignal(
        source="metadata", radii_m=[chip_radius_m], tags_by_radius={radius_key(chip_radius_m): tags}
    )
