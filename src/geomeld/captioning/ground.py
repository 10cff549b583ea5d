"""The verifier's view of a sample's signals, with each layer's origin deciding what may count as evidence.

Origins (:mod:`geomeld.core.origin`): ``real``, ``substitute`` and ``coarse`` layers are evidence
(``coarse`` decides nothing finer than its resolution); ``relocated`` and ``absent`` layers never are,
and the claims that need them are unverifiable. A bundle without recorded origins (older shards,
hand-made bundles) is read as real.

Land-cover shares are shares of the TILE: a product that labels a fraction ``V`` of the tile and gives
class ``c`` the share ``s`` of its labelled pixels bounds the tile share by the interval
``[s·V, s·V + (1 − V)·100]`` — a layer labelling 5 % of the tile cannot support "bushes cover 75 %".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geomeld.captioning.lexicon import LANDCOVER_CONCEPTS
from geomeld.core.origin import Origin
from geomeld.signals.models import LayerOrigin, SignalBundle

VEGETATION_MEMBERS = ("trees", "shrubland", "grassland", "cropland", "wetland", "moss")
"""Concepts that together make up "vegetation" in a share claim."""

FINE_M = 100.0
"""Resolution (m) a layer needs to decide tile-level statements (shares, positions, relief words,
canopy, NDVI, backscatter) on a 1.28 km tile; mean elevation tolerates coarser DEMs (ELEVATION_M)."""
ELEVATION_M = 1000.0
SLOPE_M = 30.0
"""Slope in degrees needs a DEM of ≤ 30 m: coarser DEMs flatten slopes."""

WATER_MAP_COMPLETE_PCT = 90.0
"""Water is read from a land-cover map as a whole-tile interval (never "as labelled"): a map of
land-use polygons may leave out a large lake entirely (the OSM extract behind the Brandenburg
substitutes holds polygons of 1–50 ha only), so the mapped water is a lower bound and a water
position needs a map labelling at least this share of the tile."""

SECTION_LAYER = {
    "terrain": "aster",
    "canopy": "canopy_height",
    "spectral": "sentinel2",
    "sar": "sentinel1",
}
"""Signal section → the modality it is computed from (its origin decides whether it is evidence)."""


@dataclass(frozen=True)
class ShareRange:
    """A concept's tile share (%) bounded by one product: ``lo ≤ share ≤ hi``."""

    product: str
    origin: str
    lo: float
    hi: float
    labelled: float  # % of the tile the product labels
    location: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "product": self.product,
            "tile_share": [round(self.lo, 2), round(self.hi, 2)],
            "labelled_pct": round(self.labelled, 2),
        }


@dataclass
class Ground:
    bundle: SignalBundle
    shares: dict[str, list[ShareRange]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # layer → why it is not evidence
    part_shares: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    profiles: dict[tuple[str, str], tuple[list[int], list[int]]] = field(default_factory=dict)

    @classmethod
    def from_bundle(cls, bundle: SignalBundle) -> Ground:
        g = cls(bundle=bundle)
        for product, lc in bundle.landcover.items():
            origin = g.origin(product)
            if origin is None:
                continue
            labelled = lc.valid_percentage
            v = labelled / 100.0
            by_name = {c.name: c for c in lc.classes}
            for concept in LANDCOVER_CONCEPTS:
                names = concept.worldcover if product == "esa_worldcover" else concept.dynamic_world
                if not names:
                    continue
                s = sum(by_name[n].percentage for n in names if n in by_name)
                present = [by_name[n] for n in names if n in by_name]
                loc = max(present, key=lambda c: c.percentage).location if present else None
                total = sum(c.percentage for c in present)
                if present and all(c.rows and c.cols for c in present):
                    g.profiles[(concept.name, product)] = (
                        [sum(x) for x in zip(*(c.rows for c in present), strict=True)],
                        [sum(x) for x in zip(*(c.cols for c in present), strict=True)],
                    )
                if total > 0 and all(c.parts for c in present):
                    g.part_shares[(concept.name, product)] = {
                        k: sum(c.parts.get(k, 0.0) * c.percentage for c in present) / total
                        for k in present[0].parts
                    }
                g.shares.setdefault(concept.name, []).append(
                    ShareRange(product, origin, s * v, s * v + (100.0 - labelled), labelled, loc)
                )
        for product in {r.product for rs in g.shares.values() for r in rs}:
            parts = [g.share_in(m, product) for m in VEGETATION_MEMBERS]
            got = [p for p in parts if p is not None]
            if got:
                lo = min(100.0, sum(p.lo for p in got))
                hi = min(100.0, lo + (100.0 - got[0].labelled))
                g.shares.setdefault("vegetation", []).append(
                    ShareRange(product, got[0].origin, lo, hi, got[0].labelled)
                )
        return g

    # ---- origins ------------------------------------------------------------------------------
    def layer_origin(self, modality: str) -> LayerOrigin:
        if not self.bundle.origins:
            return LayerOrigin(origin=Origin.REAL.value)
        return self.bundle.origins.get(modality) or LayerOrigin(origin=Origin.ABSENT.value)

    def origin(self, modality: str, finest_m: float = FINE_M) -> str | None:
        """The origin of ``modality`` when it is evidence for a claim needing ``finest_m`` resolution,
        else ``None`` (and the reason is kept): relocated/absent never; coarse only when its native
        resolution is at most ``finest_m`` (a coarse layer decides nothing finer than its resolution)."""
        o = self.layer_origin(modality)
        if not Origin(o.origin).is_evidence:
            self.skipped[modality] = f"{modality} is {o.origin}: not evidence about this place"
            return None
        if o.origin == Origin.COARSE.value and o.resolution_m is not None and o.resolution_m > finest_m:
            self.skipped[modality] = (
                f"{modality} is coarse ({o.resolution_m:g} m): decides nothing finer than its resolution "
                f"(this claim needs ≤ {finest_m:g} m)"
            )
            return None
        return o.origin

    def section_origin(self, section: str, finest_m: float = FINE_M) -> str | None:
        return self.origin(SECTION_LAYER[section], finest_m)

    # ---- land cover ---------------------------------------------------------------------------
    def share_ranges(self, concept: str) -> list[ShareRange]:
        if concept == "fields":
            return self._sum_ranges(("cropland", "grassland"))
        return self.shares.get(concept, [])

    def parts(self, concept: str, product: str) -> dict[str, float]:
        """Share (0–1) of the concept's pixels in each tile region (empty when not recorded)."""
        return self.part_shares.get((concept, product), {})

    def pixels_in_strip(self, concept: str, product: str, side: str, depth_px: float) -> tuple[int, int, int]:
        """The concept's labelled pixels (all; surely within ``depth_px`` of the ``side`` edge; possibly
        within it, i.e. in a band that reaches into the strip), from its row/column profile; (0, 0, 0)
        when no profile was recorded."""
        prof = self.profiles.get((concept, product))
        if prof is None:
            return 0, 0, 0
        rows, cols = prof
        bands = rows if side in ("north", "south") else cols
        if side in ("south", "east"):
            bands = bands[::-1]
        size = 128.0 / len(bands)
        full = int(depth_px // size)
        part = full + (1 if depth_px % size > 1e-9 else 0)
        return sum(bands), sum(bands[:full]), sum(bands[:part])

    def share_in(self, concept: str, product: str) -> ShareRange | None:
        for r in self.shares.get(concept, []):
            if r.product == product:
                return r
        return None

    def _sum_ranges(self, concepts: tuple[str, ...]) -> list[ShareRange]:
        out = []
        products = {r.product for c in concepts for r in self.shares.get(c, [])}
        for p in sorted(products):
            got = [r for c in concepts if (r := self.share_in(c, p)) is not None]
            lo = min(100.0, sum(r.lo for r in got))
            out.append(
                ShareRange(p, got[0].origin, lo, min(100.0, lo + 100.0 - got[0].labelled), got[0].labelled)
            )
        return out

    def concepts_in(self, product: str) -> dict[str, ShareRange]:
        return {
            c: r for c, rs in self.shares.items() if c != "vegetation" for r in rs if r.product == product
        }

    @property
    def products(self) -> list[str]:
        return sorted({r.product for rs in self.shares.values() for r in rs})

    # ---- OSM ----------------------------------------------------------------------------------
    def _osm_tags(self, radius: float | None) -> dict[str, list[str]]:
        osm = self.bundle.osm
        if osm is None or not osm.radii_m:
            return {}
        return osm.tags_within(radius)

    @property
    def has_osm(self) -> bool:
        """OSM answered with tags (an empty answer is no evidence of absence: unmapped area)."""
        osm = self.bundle.osm
        return osm is not None and any(osm.tags_by_radius.values())

    @staticmethod
    def _match(tags: dict[str, list[str]], pairs: tuple[tuple[str, str], ...]) -> bool:
        for k, v in pairs:
            values = tags.get(k)
            if values and (v == "*" or v in values):
                return True
        return False

    def osm_in_chip(self, pairs: tuple[tuple[str, str], ...]) -> bool:
        return self._match(self._osm_tags(None), pairs)

    def osm_anywhere(self, pairs: tuple[tuple[str, str], ...]) -> bool:
        osm = self.bundle.osm
        return osm is not None and any(self._match(self._osm_tags(r), pairs) for r in osm.radii_m)
