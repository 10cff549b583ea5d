"""A fast, read-only view of a :class:`~geomeld.signals.models.SignalBundle` in caption terms:
land-cover concept shares per product, OSM tags per radius, relief, vegetation and season facts.

The built-in captioner, the verifier and the grounding scorer all read this one view, so what the
generator says and what the verifier checks are computed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geomeld.captioning.lexicon import LANDCOVER_CONCEPTS, OSM_OBJECTS, Concept, OsmObject
from geomeld.signals.models import SignalBundle

MIN_VALID_PERCENTAGE = 5.0
"""A land-cover product with fewer valid pixels than this (% of the grid) is not used as evidence."""


@dataclass
class Evidence:
    bundle: SignalBundle
    shares: dict[str, dict[str, float]] = field(default_factory=dict)  # concept → product → % share
    locations: dict[str, str] = field(default_factory=dict)  # concept → location of its largest class
    osm_radii: list[float] = field(default_factory=list)
    osm_tags: dict[float, dict[str, set[str]]] = field(default_factory=dict)
    landcover_products: list[str] = field(default_factory=list)
    cache: dict[str, object] = field(default_factory=dict)  # derived views (facts), computed once

    @classmethod
    def from_bundle(cls, bundle: SignalBundle) -> Evidence:
        ev = cls(bundle=bundle)
        for product, lc in bundle.landcover.items():
            if lc.valid_percentage < MIN_VALID_PERCENTAGE or not lc.classes:
                continue
            ev.landcover_products.append(product)
            by_name = {c.name: c for c in lc.classes}
            for concept in LANDCOVER_CONCEPTS:
                names = concept.worldcover if product == "esa_worldcover" else concept.dynamic_world
                if not names:
                    continue
                total = sum(by_name[n].percentage for n in names if n in by_name)
                ev.shares.setdefault(concept.name, {})[product] = total
                present = [by_name[n] for n in names if n in by_name]
                if present and concept.name not in ev.locations:
                    ev.locations[concept.name] = max(present, key=lambda c: c.percentage).location
        if bundle.water is not None:
            ev.shares.setdefault("water", {})["water_analysis"] = bundle.water.percentage
        if bundle.osm is not None:
            ev.osm_radii = sorted(bundle.osm.radii_m)
            for r in ev.osm_radii:
                tags = bundle.osm.tags_within(r)
                ev.osm_tags[r] = {k: set(v) for k, v in tags.items()}
        return ev

    # ---- land cover -------------------------------------------------------------------------
    def concept_shares(self, concept: str) -> dict[str, float]:
        return self.shares.get(concept, {})

    def best_share(self, concept: str) -> float | None:
        s = self.concept_shares(concept)
        return max(s.values()) if s else None

    def ranked_concepts(self, product: str) -> list[tuple[str, float]]:
        """Concepts (without the ambiguous 'fields') by share in one product, largest first."""
        key = "ranked:" + product
        cached = self.cache.get(key)
        if isinstance(cached, list):
            return cached
        out = [
            (c.name, self.shares[c.name][product])
            for c in LANDCOVER_CONCEPTS
            if c.name != "fields" and product in self.shares.get(c.name, {})
        ]
        ranked = sorted((x for x in out if x[1] > 0), key=lambda x: -x[1])
        self.cache[key] = ranked
        return ranked

    # ---- OSM ----------------------------------------------------------------------------------
    @property
    def has_osm(self) -> bool:
        """OSM was queried AND returned something: an empty answer (unmapped area, outside the
        extract) is no evidence of absence, so it cannot contradict an OSM claim."""
        return self.bundle.osm is not None and any(self.osm_tags.get(r) for r in self.osm_radii)

    def osm_match(self, pairs: tuple[tuple[str, str], ...], radius: float | None = None) -> bool:
        if not self.osm_radii:
            return False
        r = self.osm_radii[0] if radius is None else radius
        tags = self.osm_tags.get(r, {})
        for k, v in pairs:
            values = tags.get(k)
            if values and (v == "*" or v in values):
                return True
        return False

    def osm_match_any_radius(self, pairs: tuple[tuple[str, str], ...]) -> bool:
        return any(self.osm_match(pairs, r) for r in self.osm_radii)

    def concept_in_osm(self, concept: Concept, any_radius: bool = False) -> bool:
        if not concept.osm:
            return False
        return self.osm_match_any_radius(concept.osm) if any_radius else self.osm_match(concept.osm)

    def objects_in_chip(self) -> list[OsmObject]:
        return [o for o in OSM_OBJECTS if self.osm_match(o.tags)]
