"""The built-in grounded captioner: plan typed claims from the signals, then realise them as text.

:func:`geomeld.captioning.plan.plan` lists what the signals support (origin-aware, shares of the
tile), :func:`geomeld.captioning.realise.realise` strings the planned phrases into a caption and
records each claim's span. Offline and deterministic per (key, seed); each candidate is a
:class:`~geomeld.captioning.realise.Realised` (caption, claims, frames).

:class:`Facts` / :func:`facts_from` are the older coarse view of the same evidence that the
grounding-coverage scorer reads.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geomeld.captioning.evidence import Evidence
from geomeld.captioning.plan import Plan, plan
from geomeld.captioning.realise import Realised, realise
from geomeld.core.sample import Sample
from geomeld.signals.models import SignalBundle, TerrainSignal

OBJECT_SALIENCE = (
    "solar",
    "airport",
    "pier",
    "marina",
    "railway",
    "storage_tank",
    "golf",
    "quarry",
    "industrial",
    "bridge",
    "power_line",
    "vineyard",
    "orchard",
    "beach",
    "sports",
    "church",
    "cemetery",
    "parking",
    "farmyard",
    "park",
    "school",
    "playground",
    "building",
)
ROAD_TEXT = (
    ({"motorway", "trunk", "primary"}, ("a major road", "a highway")),
    ({"secondary", "tertiary"}, ("a country road", "a road")),
    ({"residential", "living_street"}, ("residential streets", "streets")),
    ({"track"}, ("farm tracks", "dirt roads")),
    ({"service"}, ("service roads",)),
    ({"path", "footway", "cycleway", "bridleway"}, ("footpaths",)),
)
WATER_BY_TAG = (
    (("water", "lake"), "a lake"),
    (("water", "pond"), "a pond"),
    (("water", "river"), "a river"),
    (("waterway", "river"), "a river"),
    (("waterway", "canal"), "a canal"),
    (("waterway", "stream"), "a stream"),
    (("water", "reservoir"), "a reservoir"),
    (("natural", "coastline"), "the sea"),
)


@dataclass
class Facts:
    """What the generator may say about one sample, with the share of each land-cover concept."""

    covers: list[tuple[str, float, str]] = field(default_factory=list)  # concept, share %, location
    relief: str | None = None
    valley: bool = False
    ridge: bool = False
    water: str | None = None  # noun phrase for the water body
    water_share: float = 0.0
    dense_forest: bool = False
    tall_trees: bool = False
    lush: bool = False
    urban: bool = False
    objects: list[str] = field(default_factory=list)  # OSM object names in the chip, by salience
    roads: tuple[str, ...] = ()
    season: str | None = None
    country: str | None = None


def relief_of(t: TerrainSignal) -> str:
    s = t.slope_mean
    if s < 2.5 and (t.forms.get("Flat", 0.0) >= 30 or s < 3):
        return "flat"
    if s < 6:
        return "gentle"
    if s < 15:
        return "hilly"
    return "steep"


def facts_from(ev: Evidence) -> Facts:
    """The facts of ``ev`` (computed once per evidence object and cached on it)."""
    cached = ev.cache.get("facts")
    if isinstance(cached, Facts):
        return cached
    f = _facts(ev)
    ev.cache["facts"] = f
    return f


def _facts(ev: Evidence) -> Facts:
    b = ev.bundle
    f = Facts()
    product = next((p for p in ("esa_worldcover", "dynamic_world") if p in ev.landcover_products), None)
    if product is not None:
        for concept, share in ev.ranked_concepts(product):
            if share >= 3.0:
                f.covers.append((concept, share, ev.locations.get(concept, "scattered")))
    if b.terrain is not None:
        f.relief = relief_of(b.terrain)
        forms = b.terrain.forms
        f.valley = sum(forms.get(n, 0.0) for n in ("Valley", "Hollow", "Pit", "Footslope")) >= 15
        f.ridge = sum(forms.get(n, 0.0) for n in ("Ridge", "Peak", "Shoulder", "Spur")) >= 15
    if b.water is not None and b.water.percentage >= 1.0:
        f.water_share = b.water.percentage
        f.water = "water"
        for pair, text in WATER_BY_TAG:
            if ev.osm_match((pair,)):
                f.water = text
                break
    trees = ev.best_share("trees") or 0.0
    f.dense_forest = trees >= 50
    if b.canopy is not None and trees >= 10 and b.canopy.mean_height >= 18:
        f.tall_trees = True
    ndvi = b.spectral.indices.get("NDVI") if b.spectral else None
    veg = sum(ev.best_share(c) or 0.0 for c in ("trees", "shrubland", "grassland", "cropland", "wetland"))
    f.lush = ndvi is not None and ndvi.mean >= 0.4 and (veg >= 60 or not ev.landcover_products)
    f.urban = (ev.best_share("built") or 0.0) >= 30
    in_chip = {o.name for o in ev.objects_in_chip()}
    f.objects = [name for name in OBJECT_SALIENCE if name in in_chip]
    if "road" in in_chip and ev.osm_radii:
        values = ev.osm_tags[ev.osm_radii[0]].get("highway", set())
        for kinds, texts in ROAD_TEXT:
            if values & kinds:
                f.roads = texts
                break
        else:
            f.roads = ("roads", "a road")
    if b.place is not None:
        f.season = b.place.season
        f.country = b.place.country
    return f


class BuiltinCaptioner:
    """Backend ``builtin``: planned claims realised as varied captions; no network, deterministic."""

    name = "builtin"

    def __init__(self, min_claims: int = 3) -> None:
        self.min_claims = min_claims

    def plan(self, bundle: SignalBundle, provenance: Mapping[str, Any] | None) -> Plan:
        return plan(bundle, provenance)

    def candidates(
        self,
        key: str,
        bundle: SignalBundle,
        n: int,
        seed: int = 0,
        provenance: Mapping[str, Any] | None = None,
        the_plan: Plan | None = None,
    ) -> list[Realised]:
        """Up to ``n`` distinct captions with their claims (none when fewer than ``min_claims``
        facts are verifiable)."""
        p = the_plan or self.plan(bundle, provenance)
        out: list[Realised] = []
        seen: set[str] = set()
        for attempt in range(4 * n):
            if len(out) >= n:
                break
            rng = random.Random(zlib.crc32(f"{key}|{seed}|{attempt}".encode()))
            r = realise(p, rng, self.min_claims)
            if r is None:
                break
            if r.caption not in seen:
                seen.add(r.caption)
                out.append(r)
        return out

    def generate(
        self, key: str, evidence: Evidence, n: int, seed: int = 0, sample: Sample | None = None
    ) -> list[str]:
        provenance = sample.metadata.provenance if sample is not None else None
        return [r.caption for r in self.candidates(key, evidence.bundle, n, seed, provenance)]
