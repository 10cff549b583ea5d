"""Content planning for the built-in captioner: the typed claims a sample's signals support.

The planner reads the signals and each layer's origin (:mod:`geomeld.core.origin`) and returns
:class:`Fact` objects — one :class:`~geomeld.captioning.claims.Claim` (family, subject, value,
polarity, label, location; no span yet) with the phrases that say exactly that claim. The realiser
(:mod:`geomeld.captioning.realise`) only strings phrases together, so every statement of a built-in
caption is a planned claim (text claims ⊆ structured claims by construction).

What the planner will and will not say:

* only layers that are evidence about the place: ``real``, ``substitute`` (the product is named
  where its land cover is described) and ``coarse`` layers finer than :data:`COARSE_MAX_M`;
  ``relocated``/``absent`` layers, and coarse ones at the scale of the tile or coarser (e.g. MODIS
  at 0.05°), are never described;
* land-cover shares are shares of the TILE: a product labelling ``V`` % of the tile with share ``s``
  of its labelled pixels bounds the tile share by ``[s·V, s·V + (100 − V)]``; a number is stated
  only when that interval is narrow, "at least" when it is wide, and words like "mostly" only when
  the lower bound clears them;
* every threshold sits inside the verifier's support region (:mod:`geomeld.captioning.check`) with
  a margin, so a planned claim is supported, never borderline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from geomeld.captioning.claims import Bound, Claim, Family, Polarity, Value
from geomeld.captioning.ground import WATER_MAP_COMPLETE_PCT
from geomeld.captioning.lexicon import LANDCOVER_CONCEPTS
from geomeld.core.modalities import MODALITIES
from geomeld.core.origin import Origin, modality_origins
from geomeld.core.sample import Sample
from geomeld.signals.models import SignalBundle

COARSE_MAX_M = 100.0
"""A ``coarse`` layer with a native resolution above this (metres) describes a region, not the
1.28 km tile: nothing is said from it."""

MENTION_MIN = 2.0
"""Smallest tile share (%, lower bound) of a land-cover concept worth a mention."""

IMAGERY = ("sentinel2", "naip", "sentinel1")
"""Modalities that count as imagery: a sample with none of them (as evidence) gets no caption."""

LANDCOVER_PRODUCTS = ("esa_worldcover", "dynamic_world")

PRODUCT_WORDS = {
    "esa_worldcover": "ESA WorldCover",
    "dynamic_world": "Dynamic World",
}

NOUNS: dict[str, tuple[tuple[str, bool], ...]] = {
    "trees": (("forest", False), ("woodland", False), ("trees", True), ("tree cover", False)),
    "shrubland": (("shrubland", False), ("scrub", False), ("bushes", True)),
    "grassland": (("grassland", False), ("meadows", True), ("pasture", False)),
    "cropland": (("cropland", False), ("farmland", False), ("crop fields", True), ("arable land", False)),
    "built": (("built-up land", False), ("built-up areas", True)),
    "bare": (("bare ground", False), ("bare soil", False)),
    "snow": (("snow and ice", False),),
    "wetland": (("wetland", False), ("marshland", False)),
    "moss": (("moss and lichen", False),),
    "mangroves": (("mangroves", True), ("mangrove forest", False)),
    "water": (("open water", False), ("water", False)),
}
"""Surface nouns per land-cover concept: (noun phrase, is plural)."""


@dataclass
class Phrase:
    text: str
    plural: bool = False


@dataclass
class Fact:
    """One planned claim and the phrases that state it (and nothing else)."""

    role: str  # the realiser's slot: cover_main, cover_minor, absent, compare, relief, form, ...
    claims: list[Claim]  # usually one; "dense forest" states two (vegetation + presence)
    phrases: list[Phrase]
    weight: float = 1.0


@dataclass
class Cover:
    concept: str
    lo: float
    hi: float
    location: str | None


@dataclass
class Plan:
    facts: list[Fact] = field(default_factory=list)
    product_note: str | None = None  # "according to OpenStreetMap land use" for a substitute
    skipped: dict[str, str] = field(default_factory=dict)  # layer → why nothing is said from it

    def by_role(self, role: str) -> list[Fact]:
        return [f for f in self.facts if f.role == role]

    @property
    def n_claims(self) -> int:
        return sum(len(f.claims) for f in self.facts)


def _claim(family: Family, subject: str, **kw: Any) -> Claim:
    return Claim(family=family.value, subject=subject, **kw)


def layer_origins(provenance: Mapping[str, Any] | None) -> dict[str, tuple[Origin, Mapping[str, Any]]]:
    """Origin and provenance record per modality (empty when the sample records none: all real)."""
    mods = (provenance or {}).get("modalities") or {}
    origins = modality_origins(provenance)
    return {k: (o, mods.get(k) or {}) for k, o in origins.items()}


class _Origins:
    def __init__(self, provenance: Mapping[str, Any] | None, bundle: SignalBundle | None = None) -> None:
        self.layers = layer_origins(provenance)
        if not self.layers and bundle is not None and bundle.origins:  # recorded with the signals
            self.layers = {
                k: (Origin(o.origin), {"product": o.product, "resolution_m": o.resolution_m})
                for k, o in bundle.origins.items()
            }
        self.skipped: dict[str, str] = {}

    def usable(self, modality: str) -> bool:
        """Whether the planner may describe the place from ``modality``."""
        if not self.layers:  # a sample without recorded origins (older shards): read as real
            return True
        origin, rec = self.layers.get(modality, (Origin.ABSENT, {}))
        if not origin.is_evidence:
            self.skipped[modality] = f"{origin.value}: not evidence about this place"
            return False
        res = rec.get("resolution_m")
        if origin is Origin.COARSE and isinstance(res, int | float) and res > COARSE_MAX_M:
            self.skipped[modality] = f"coarse at {res:g} m: describes a region, not this tile"
            return False
        return True

    def product(self, modality: str) -> str | None:
        origin, rec = self.layers.get(modality, (Origin.REAL, {}))
        if origin is Origin.SUBSTITUTE and rec.get("product"):
            return str(rec["product"])
        return None


def _round_to(x: float, step: float) -> float:
    return step * round(x / step)


def tile_covers(bundle: SignalBundle, product: str) -> list[Cover]:
    """Per concept, the tile-share interval from one product, largest lower bound first."""
    lc = bundle.landcover.get(product)
    if lc is None or not lc.classes:
        return []
    v = lc.valid_percentage / 100.0
    by_name = {c.name: c for c in lc.classes}
    out = []
    for concept in LANDCOVER_CONCEPTS:
        if concept.name == "fields":
            continue
        names = concept.worldcover if product == "esa_worldcover" else concept.dynamic_world
        present = [by_name[n] for n in names if n in by_name]
        if not present:
            continue
        s = sum(c.percentage for c in present)
        where = max(present, key=lambda c: c.percentage).location
        out.append(Cover(concept.name, s * v, min(100.0, s * v + 100.0 - lc.valid_percentage), where))
    return sorted(out, key=lambda c: -c.lo)


def _noun_phrases(concept: str) -> list[Phrase]:
    return [Phrase(t, p) for t, p in NOUNS.get(concept, ((concept, False),))]


def _landcover_facts(covers: list[Cover], labelled: float) -> list[Fact]:
    facts: list[Fact] = []
    if not covers:
        return facts
    others_hi = {c.concept: max((o.hi for o in covers if o is not c), default=0.0) for c in covers}
    top = covers[0]
    nouns = _noun_phrases(top.concept)
    width = top.hi - top.lo
    if top.lo > 55:
        facts.append(
            Fact(
                "cover_main",
                [_claim(Family.DOMINANCE, top.concept)],
                [
                    Phrase(f"{q} {n.text}", n.plural)
                    for q in ("mostly", "predominantly", "largely")
                    for n in nouns
                ],
                3.0,
            )
        )
    elif top.lo > max(others_hi[top.concept], 100.0 - labelled) + 3:
        # the largest cover: above every other concept's upper bound, including what the
        # unlabelled part of the tile could hold
        facts.append(
            Fact(
                "cover_main",
                [_claim(Family.DOMINANCE, top.concept, label="largest")],
                [Phrase(f"{n.text} as the largest cover", n.plural) for n in nouns],
                2.5,
            )
        )
    for c in covers:
        if c.lo < MENTION_MIN:
            continue
        nouns = _noun_phrases(c.concept)
        width = c.hi - c.lo
        if width <= 4.0 and c.lo >= 4:
            x = _round_to((c.lo + c.hi) / 2, 5.0 if c.lo >= 10 else 1.0)
            x = max(x, 1.0)
            facts.append(
                Fact(
                    "share",
                    [_claim(Family.LANDCOVER_SHARE, c.concept, value=Value.about(x, "%"))],
                    [Phrase(f"{n.text} on about {x:.0f} % of the tile", n.plural) for n in nouns]
                    + [Phrase(f"about {x:.0f} % {n.text}", n.plural) for n in nouns[:2]],
                    2.0 if c is top else 1.5,
                )
            )
        elif c.lo >= 10 and width > 4.0:
            x = 5.0 * math.floor(c.lo / 5.0)
            facts.append(
                Fact(
                    "share",
                    [
                        _claim(
                            Family.LANDCOVER_SHARE,
                            c.concept,
                            value=Value(low=x, high=None, bound=Bound.AT_LEAST.value, unit="%"),
                        )
                    ],
                    [Phrase(f"{n.text} on at least {x:.0f} % of the tile", n.plural) for n in nouns]
                    + [
                        Phrase(f"{n.text} covering at least {x:.0f} % of the tile", n.plural)
                        for n in nouns[:2]
                    ]
                    + [Phrase(f"at least {x:.0f} % {n.text}", n.plural) for n in nouns[:1]],
                    1.2,
                )
            )
        if c is not top or not facts:
            if c.hi <= 33.0:
                facts.append(
                    Fact(
                        "cover_minor",
                        [_claim(Family.LANDCOVER_PRESENCE, c.concept, label="minor")],
                        [Phrase(f"{q} {n.text}", n.plural) for q in ("some", "patches of") for n in nouns],
                        1.0 + c.lo / 50,
                    )
                )
            else:
                facts.append(
                    Fact(
                        "cover_minor",
                        [_claim(Family.LANDCOVER_PRESENCE, c.concept)],
                        [Phrase(n.text, n.plural) for n in nouns],
                        1.0 + c.lo / 50,
                    )
                )
        if (
            c.location
            and c.location not in ("scattered", "throughout")
            and c.lo >= 5
            and (c.concept != "water" or labelled >= WATER_MAP_COMPLETE_PCT)  # see check_position
        ):
            facts.append(
                Fact(
                    "position",
                    [
                        _claim(Family.LANDCOVER_PRESENCE, c.concept),
                        _claim(Family.POSITION, c.concept, location=c.location),
                    ],
                    [Phrase(f"{n.text} in the {c.location}", n.plural) for n in nouns],
                    0.8,
                )
            )
    # comparisons between the two largest concepts, when the intervals do not overlap
    if len(covers) >= 2 and covers[1].lo >= MENTION_MIN and covers[0].lo > covers[1].hi + 5:
        a, b = covers[0], covers[1]
        facts.append(
            Fact(
                "compare",
                [_claim(Family.COMPARISON, a.concept, other=b.concept, label="more")],
                [
                    Phrase(f"more {na.text} than {nb.text}", False)
                    for na in _noun_phrases(a.concept)[:2]
                    for nb in _noun_phrases(b.concept)[:2]
                ],
                0.8,
            )
        )
    # notable absences, only from a layer labelling (almost) the whole tile
    if labelled >= 99.5:
        have = {c.concept for c in covers if c.hi >= 0.5}
        for concept in ("water", "built", "trees"):
            if concept not in have:
                noun = _noun_phrases(concept)[0].text
                facts.append(
                    Fact(
                        "absent",
                        [_claim(Family.LANDCOVER_PRESENCE, concept, polarity=Polarity.NEGATED.value)],
                        [Phrase(f"no {noun}")],
                        0.4,
                    )
                )
    return facts


def _terrain_facts(bundle: SignalBundle) -> list[Fact]:
    t = bundle.terrain
    if t is None:
        return []
    s, relief = t.slope_mean, t.relief
    facts: list[Fact] = []
    adjs: tuple[str, ...]
    if s < 2.5:
        word, adjs = "flat", ("flat", "level")
    elif s < 6.5:
        word, adjs = "gentle", ("gently rolling", "gently sloping", "undulating")
    elif s < 16 and relief < 320:
        word, adjs = "hilly", ("hilly",)
    else:
        word, adjs = "steep", ("steep, mountainous", "mountainous", "steep")
    facts.append(Fact("relief", [_claim(Family.TERRAIN, word)], [Phrase(a) for a in adjs], 2.5))
    forms = t.forms
    valley = sum(forms.get(n, 0.0) for n in ("Valley", "Hollow", "Pit", "Footslope"))
    ridge = sum(forms.get(n, 0.0) for n in ("Ridge", "Peak", "Shoulder", "Spur"))
    if word != "flat" and valley >= 12 and forms.get("Valley", 0.0) >= 6:
        facts.append(Fact("form", [_claim(Family.TERRAIN, "valley")], [Phrase("a valley")], 0.8))
    if word != "flat" and ridge >= 12 and forms.get("Ridge", 0.0) >= 6:
        facts.append(Fact("form", [_claim(Family.TERRAIN, "ridge")], [Phrase("ridges", True)], 0.8))
    mean = t.elevation_mean
    x = _round_to(mean, 10.0 if mean >= 100 else 5.0)
    facts.append(
        Fact(
            "elevation",
            [_claim(Family.ELEVATION, "mean", value=Value.about(x, "m"))],
            [Phrase(f"about {x:.0f} m above sea level"), Phrase(f"some {x:.0f} m above sea level")],
            1.0,
        )
    )
    lo, hi = _round_to(t.elevation_min, 10.0), _round_to(t.elevation_max, 10.0)
    if hi - lo >= 20:
        facts.append(
            Fact(
                "elevation_range",
                [
                    _claim(
                        Family.ELEVATION,
                        "range",
                        value=Value(low=lo, high=hi, bound=Bound.BETWEEN.value, unit="m"),
                    )
                ],
                [Phrase(f"between {lo:.0f} and {hi:.0f} m above sea level")],
                0.8,
            )
        )
    if s >= 3:
        deg = float(round(s))
        facts.append(
            Fact(
                "slope",
                [_claim(Family.SLOPE, "mean", value=Value.about(deg, "°"))],
                [
                    Phrase(f"slopes averaging about {deg:.0f}°", True),
                    Phrase(f"a mean slope of about {deg:.0f}°"),
                ],
                0.8,
            )
        )
    return facts


def _canopy_facts(bundle: SignalBundle, trees_lo: float) -> list[Fact]:
    cn = bundle.canopy
    if cn is None or (trees_lo < 10 and cn.share_above_5m < 20):
        return []
    facts = []
    x = float(round((cn.mean_height + cn.p90_height) / 2))
    band = max(3.0, 0.25 * x)
    if x >= 3 and cn.mean_height >= x - band + 0.5 and cn.p90_height <= x + band - 0.5:
        facts.append(
            Fact(
                "canopy",
                [_claim(Family.CANOPY, "height", value=Value.about(x, "m"))],
                [Phrase(f"trees about {x:.0f} m tall", True), Phrase(f"a canopy some {x:.0f} m high")],
                1.0,
            )
        )
    if cn.p90_height >= 17:
        facts.append(Fact("canopy_word", [_claim(Family.CANOPY, "tall")], [Phrase("tall trees", True)], 0.8))
    return facts


def _vegetation_facts(bundle: SignalBundle, trees_lo: float | None, season: str | None) -> list[Fact]:
    facts = []
    if trees_lo is not None and trees_lo >= 55:
        facts.append(
            Fact(
                "dense",
                [_claim(Family.VEGETATION, "dense"), _claim(Family.LANDCOVER_PRESENCE, "trees")],
                [Phrase("dense forest"), Phrase("dense woodland")],
                1.2,
            )
        )
    sp = bundle.spectral
    ndvi = sp.indices.get("NDVI") if sp is not None else None
    if ndvi is None:
        return facts
    if ndvi.mean >= 0.55:
        facts.append(
            Fact(
                "vegetation",
                [_claim(Family.VEGETATION, "green")],
                [Phrase("lush green vegetation"), Phrase("green, vigorous vegetation")],
                1.2,
            )
        )
    elif ndvi.mean < 0.2 and ndvi.p90 < 0.3 and season not in ("winter", None):
        facts.append(
            Fact("vegetation", [_claim(Family.VEGETATION, "sparse")], [Phrase("sparse vegetation")], 1.0)
        )
    return facts


def _sar_facts(bundle: SignalBundle) -> list[Fact]:
    sar = bundle.sar
    if sar is None:
        return []
    vv = [o.vv_db_mean for o in sar.orbits.values() if o.vv_db_mean is not None]
    if not vv:
        return []
    if min(vv) > -8.0:
        return [Fact("sar", [_claim(Family.SAR, "bright")], [Phrase("bright radar backscatter")], 0.5)]
    if max(vv) < -16.5:
        return [Fact("sar", [_claim(Family.SAR, "dark")], [Phrase("dark radar backscatter")], 0.5)]
    return []


OBJECT_PHRASES: dict[str, tuple[tuple[str, bool], ...]] = {
    "solar": (("a solar farm", False), ("rows of solar panels", True)),
    "pier": (("a pier", False), ("a jetty", False)),
    "railway": (("a railway line", False), ("railway tracks", True)),
    "storage_tank": (("storage tanks", True),),
    "golf": (("a golf course", False),),
    "sports": (("sports pitches", True), ("a sports ground", False)),
    "airport": (("an airfield", False),),
    "quarry": (("a quarry", False),),
    "marina": (("a marina", False),),
    "beach": (("a beach", False),),
    "bridge": (("a bridge", False),),
    "power_line": (("a power line", False), ("power lines", True)),
    "vineyard": (("vineyards", True),),
    "orchard": (("orchards", True),),
    "industrial": (("an industrial area", False),),
    "church": (("a church", False),),
    "cemetery": (("a cemetery", False),),
    "parking": (("a car park", False), ("a parking lot", False)),
    "farmyard": (("a farmyard", False), ("farmsteads", True)),
    "park": (("a park", False),),
    "school": (("a school", False),),
    "playground": (("a playground", False),),
    "building": (("buildings", True), ("scattered buildings", True)),
}
"""Phrases per OSM object kind (``OSM_SUBJECTS`` names): (noun phrase, is plural)."""

ROAD_KINDS: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("major_road", frozenset({"motorway", "trunk", "primary", "secondary"}), ("a major road", "a main road")),
    (
        "minor_road",
        frozenset({"tertiary", "unclassified", "residential", "living_street", "service"}),
        ("minor roads", "local roads"),
    ),
    ("track", frozenset({"track"}), ("farm tracks", "dirt tracks")),
    ("path", frozenset({"path", "footway", "cycleway", "bridleway"}), ("footpaths",)),
)


def _osm_facts(bundle: SignalBundle) -> list[Fact]:
    """Objects whose OSM tags lie within the chip radius (the smallest one queried)."""
    from geomeld.captioning.lexicon import OSM_OBJECTS

    if bundle.osm is None:
        return []
    tags = bundle.osm.tags_within()
    if not tags:
        return []
    facts = []
    for obj in OSM_OBJECTS:
        phrases = OBJECT_PHRASES.get(obj.name)
        if not phrases:
            continue
        if any((v == "*" and tags.get(k)) or v in tags.get(k, ()) for k, v in obj.tags):
            facts.append(
                Fact(
                    "object",
                    [_claim(Family.OSM_OBJECT, obj.name)],
                    [Phrase(t, p) for t, p in phrases],
                    1.2,
                )
            )
    highways = set(tags.get("highway", ()))
    for subject, kinds, texts in ROAD_KINDS:
        if highways & kinds:
            facts.append(
                Fact(
                    "object",
                    [_claim(Family.OSM_OBJECT, subject)],
                    [Phrase(t, t.endswith("s")) for t in texts],
                    1.0,
                )
            )
    return facts


def _place_facts(bundle: SignalBundle) -> list[Fact]:
    p = bundle.place
    if p is None:
        return []
    facts = []
    if p.country:
        name = p.country
        shown = (
            f"the {name}"
            if name.startswith(("United ", "Republic", "Netherlands", "Czech", "Philippines"))
            else name
        )
        facts.append(
            Fact("country", [_claim(Family.PLACE, "country", label=name)], [Phrase(f"in {shown}")], 1.5)
        )
    if p.continent and p.continent not in ("Antarctica", "Seven seas (open ocean)"):
        facts.append(
            Fact(
                "continent",
                [_claim(Family.PLACE, "continent", label=p.continent)],
                [Phrase(f"in {p.continent}")],
                0.5,
            )
        )
    if p.season:
        facts.append(
            Fact(
                "season",
                [_claim(Family.SEASON, p.season)],
                [Phrase(f"in {p.season}"), Phrase(f"during {p.season}")],
                1.0,
            )
        )
    return facts


def plan(bundle: SignalBundle, provenance: Mapping[str, Any] | None = None) -> Plan:
    """Every fact the built-in captioner may state about this sample (see the module docstring)."""
    origins = _Origins(provenance, bundle)
    out = Plan()
    product = next(
        (
            p
            for p in LANDCOVER_PRODUCTS
            if p in bundle.landcover and origins.usable(p) and bundle.landcover[p].valid_percentage >= 1.0
        ),
        None,
    )
    covers: list[Cover] = []
    if product is not None:
        covers = tile_covers(bundle, product)
        out.facts += _landcover_facts(covers, bundle.landcover[product].valid_percentage)
        sub = origins.product(product)
        if sub:
            out.product_note = _product_note(sub)
    trees = next((c for c in covers if c.concept == "trees"), None)
    if bundle.terrain is not None and origins.usable("aster"):
        out.facts += _terrain_facts(bundle)
    if origins.usable("canopy_height"):
        out.facts += _canopy_facts(bundle, trees.lo if trees else 0.0)
    season = bundle.place.season if bundle.place else None
    if origins.usable("sentinel2"):
        out.facts += _vegetation_facts(bundle, trees.lo if trees else None, season)
    elif trees is not None:
        out.facts += [f for f in _vegetation_facts(bundle, trees.lo, season) if f.role == "dense"]
    if origins.usable("sentinel1"):
        out.facts += _sar_facts(bundle)
    out.facts += _osm_facts(bundle)
    out.facts += _place_facts(bundle)
    out.skipped = dict(origins.skipped)
    return out


def has_imagery(sample: Sample) -> bool:
    """Whether the sample holds imagery (:data:`IMAGERY`) with a valid pixel that is evidence about
    the place; a sample without it gets no caption."""
    origins = _Origins(sample.metadata.provenance)
    for key in IMAGERY:
        arr = sample.arrays.get(key)
        if arr is None or not origins.usable(key):
            continue
        if MODALITIES[key].valid_mask(arr).any():
            return True
    return False


def _product_note(product: str) -> str:
    low = product.lower()
    if "openstreetmap" in low or "osm" in low:
        return "according to OpenStreetMap land use"
    return f"according to {product}"
