"""The built-in grounded captioner: offline, deterministic per seed, composed only from signals.

It writes captions in the style of the paper's examples ("A large solar farm stretches across the
flat land, surrounded by patches of green fields") by choosing, per candidate, a sentence structure,
an order of facts and synonyms from :mod:`geomeld.captioning.lexicon`. It only states what the
signals carry and words each share with a qualifier the verifier accepts for that share (e.g.
"mostly" only for a share ≥ 35 % or the largest concept), so its captions verify by construction;
the tests check that on real samples.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from geomeld.captioning.evidence import Evidence
from geomeld.core.sample import Sample
from geomeld.signals.models import TerrainSignal

SURFACE: dict[str, tuple[str, ...]] = {
    "trees": ("forest", "woodland", "wooded patches", "stands of trees", "trees"),
    "shrubland": ("shrubland", "scrub", "bushes"),
    "grassland": ("grassland", "meadows", "pasture", "grass"),
    "cropland": (
        "cropland",
        "farmland",
        "crop fields",
        "farm fields",
        "cultivated fields",
        "agricultural land",
    ),
    "built": ("built-up areas", "houses", "residential areas", "settlement"),
    "bare": ("bare ground", "bare soil", "exposed rock", "brown earth"),
    "snow": ("snow", "ice"),
    "wetland": ("wetland", "marshland", "reed beds"),
    "moss": ("moss", "lichen"),
    "water": ("water", "open water"),
}
DOMINANT_WORDS = ("mostly", "predominantly", "largely", "mainly", "chiefly", "primarily")
DOMINATED = ("dominated by", "covered by", "covered with", "blanketed in", "carpeted with", "given over to")
MINOR_FOR_MASS = (
    "patches of",
    "pockets of",
    "strips of",
    "some",
    "a scattering of",
    "fringes of",
    "a band of",
    "a belt of",
)
MINOR_FOR_PLURAL = ("scattered", "some", "a few", "clusters of", "a sprinkling of", "isolated")
PLURAL_NOUNS = frozenset(
    (
        "wooded patches",
        "stands of trees",
        "trees",
        "bushes",
        "meadows",
        "crop fields",
        "farm fields",
        "cultivated fields",
        "built-up areas",
        "houses",
        "residential areas",
        "reed beds",
        "tall trees",
    )
)


def is_plural(np_: str) -> bool:
    return np_ in PLURAL_NOUNS


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


LOCATION_TEXT = {
    "north": (
        "in the north",
        "along the northern edge",
        "towards the north",
        "in the upper part of the tile",
    ),
    "south": (
        "in the south",
        "along the southern edge",
        "towards the south",
        "in the lower part of the tile",
    ),
    "east": ("in the east", "along the eastern side", "towards the east", "on the eastern flank"),
    "west": ("in the west", "along the western side", "towards the west", "on the western flank"),
    "north-east": ("in the north-east", "in the north-eastern corner"),
    "north-west": ("in the north-west", "in the north-western corner"),
    "south-east": ("in the south-east", "in the south-eastern corner"),
    "south-west": ("in the south-west", "in the south-western corner"),
    "centre": ("in the centre", "in the middle of the scene"),
    "throughout": ("across the whole scene", "throughout"),
    "scattered": ("scattered across the scene", "dotted around", "here and there", "in several places", ""),
}
RELIEF_TEXT = {
    "flat": ("flat", "level", "flat, low-lying"),
    "gentle": ("gently rolling", "undulating", "gently sloping"),
    "hilly": ("hilly",),
    "steep": ("steep, mountainous", "rugged, mountainous", "steep"),
}
RELIEF_NOUN = {
    "flat": ("flat land", "flat terrain", "plain"),
    "gentle": ("gentle slopes", "rolling terrain", "gentle relief"),
    "hilly": ("hills", "hillsides", "hilly terrain"),
    "steep": ("mountain slopes", "steep mountainsides", "rugged mountains"),
}
LANDSCAPE = (
    "landscape",
    "area",
    "scene",
    "terrain",
    "countryside",
    "stretch of land",
    "patchwork of land",
    "tract",
)
OPENERS = (
    "An aerial view of",
    "A satellite view of",
    "This image shows",
    "Seen from above,",
    "Overhead,",
    "A bird's-eye view of",
    "This tile captures",
    "Pictured from orbit:",
    "The image depicts",
    "Viewed from space,",
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
OBJECT_TEXT: dict[str, tuple[str, ...]] = {
    "solar": ("a solar farm", "rows of solar panels", "a solar park"),
    "pier": ("a pier", "a jetty"),
    "railway": ("a railway line", "railway tracks"),
    "storage_tank": ("storage tanks",),
    "golf": ("a golf course",),
    "sports": ("sports fields", "a sports pitch"),
    "airport": ("an airfield", "a runway"),
    "quarry": ("a quarry",),
    "marina": ("a marina", "a small harbour"),
    "beach": ("a beach", "the shoreline"),
    "bridge": ("a bridge",),
    "power_line": ("power lines", "a power line"),
    "vineyard": ("vineyards",),
    "orchard": ("orchards",),
    "industrial": ("an industrial area", "warehouses"),
    "church": ("a church",),
    "cemetery": ("a cemetery",),
    "parking": ("a parking lot", "a car park"),
    "farmyard": ("a farmyard", "farmsteads"),
    "park": ("a park",),
    "school": ("a school",),
    "playground": ("a playground",),
    "building": ("buildings", "a few buildings", "scattered buildings"),
}
ROAD_TEXT = (
    ({"motorway", "trunk", "primary"}, ("a major road", "a highway")),
    ({"secondary", "tertiary"}, ("a country road", "a road")),
    ({"residential", "living_street"}, ("residential streets", "streets")),
    ({"track"}, ("farm tracks", "dirt roads")),
    ({"service"}, ("service roads",)),
    ({"path", "footway", "cycleway", "bridleway"}, ("footpaths",)),
)
OBJECT_VERBS = (
    "run through",
    "cross",
    "cut across",
    "wind through",
    "pass through",
    "traverse",
    "thread through",
)
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


class _Writer:
    """One candidate: a seeded random walk through the facts."""

    def __init__(self, facts: Facts, rng: random.Random) -> None:
        self.f = facts
        self.r = rng

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[self.r.randrange(len(options))]

    def cover_np(self, concept: str) -> str:
        if concept == "water" and self.f.water and self.f.water != "water":
            return self.f.water
        if concept == "trees" and self.f.dense_forest:
            return self.pick(("dense forest", "dense woodland", "forest"))
        if concept == "trees" and self.f.tall_trees:
            return self.pick(("tall trees", "tall forest", "forest"))
        return self.pick(SURFACE[concept])

    def where(self, location: str) -> str:
        text = self.pick(LOCATION_TEXT.get(location, ("",)))
        return f" {text}" if text else ""

    def primary_clause(self) -> str | None:
        covers = self.f.covers
        if not covers:
            return None
        concept, share, location = covers[0]
        np_ = self.cover_np(concept)
        style = self.r.randrange(4)
        if share >= 35 or style == 3:
            if style == 0:
                return f"{self.pick(DOMINATED)} {np_}"
            if style == 1:
                return f"{self.pick(DOMINANT_WORDS)} {np_}{self.where(location)}"
            if style == 2:
                verb = "cover" if is_plural(np_) else "covers"
                return f"where {np_} {verb} about {5 * round(share / 5):.0f} % of the ground"
            return f"{self.pick(DOMINANT_WORDS)} {np_}"
        return f"a mix of {np_}{self.where(location)}"

    def secondary(self, limit: int) -> list[str]:
        out = []
        for concept, share, location in self.f.covers[1 : 1 + limit]:
            np_ = self.cover_np(concept)
            if share > 60:
                continue
            q = self.pick(MINOR_FOR_PLURAL if is_plural(np_) else MINOR_FOR_MASS)
            if np_.startswith(("a ", "the ")):
                q = self.pick(("a small", ""))
                np_ = np_.split(" ", 1)[1]
            where = "" if "scatter" in q and location == "scattered" else self.where(location)
            out.append(f"{q + ' ' if q else ''}{np_}{where}")
        return out

    def relief_adj(self) -> str | None:
        return self.pick(RELIEF_TEXT[self.f.relief]) if self.f.relief else None

    def objects_phrase(self) -> str | None:
        parts = []
        if self.f.roads:
            parts.append(self.pick(self.f.roads))
        for name in self.f.objects[:2]:
            parts.append(self.pick(OBJECT_TEXT[name]))
        if not parts:
            return None
        self.r.shuffle(parts)
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def extras(self) -> list[str]:
        out = []
        if self.f.lush and (not self.f.covers or self.r.random() < 0.5):
            out.append(self.pick(("lush vegetation", "verdant vegetation", "lush greenery")))
        if self.f.valley and self.r.random() < 0.6:
            out.append(self.pick(("a valley", "a shallow valley")))
        if self.f.ridge and self.r.random() < 0.6:
            out.append(self.pick(("ridges", "a ridge")))
        return out

    def when_where(self) -> str:
        bits = []
        if self.f.country and self.r.random() < 0.5:
            bits.append(f"in {country_name(self.f.country)}")
        if self.f.season and self.r.random() < 0.5:
            bits.append(self.pick((f"in {self.f.season}", f"during {self.f.season}")))
        return (" " + " ".join(bits)) if bits else ""

    def water_phrase(self) -> str | None:
        if not self.f.water or any(c == "water" for c, _, _ in self.f.covers[:3]):
            return None
        w = self.f.water
        if w == "water":
            return self.pick(("some open water", "patches of water", "a small body of water"))
        return self.pick((f"{w}", f"{w} nearby", f"{w} in the scene"))

    def compose(self) -> str:
        adj = self.relief_adj()
        primary = self.primary_clause()
        secondary = self.secondary(self.r.choice((1, 2, 3)))
        objects = self.objects_phrase()
        water = self.water_phrase()
        extra = self.extras()
        landscape = self.pick(LANDSCAPE)
        lead_words = f"{adj + ' ' if adj else ''}{landscape}"
        lead_np = f"{article(lead_words)} {lead_words}"
        if self.f.urban:
            lead_np = self.pick(("a dense urban area", "an urban area", "a densely built town"))
        structure = self.r.randrange(7)
        sentences: list[str] = []
        tail = [*secondary, *([water] if water else []), *extra]
        if structure == 0 or (structure == 3 and not objects):
            head = f"{self.pick(OPENERS)} {lead_np}{self.when_where()}"
            if primary:
                head += f", {primary}"
            if tail:
                head += ", with " + _join(tail, self.r)
            sentences.append(head)
            if objects:
                sentences.append(
                    f"{_cap(objects)} {_agree(objects, OBJECT_VERBS)} the {self.pick(LANDSCAPE)}"
                )
        elif structure == 1:
            first = _cap(lead_np) + (f" {primary}" if primary and not primary.startswith("where") else "")
            if primary and primary.startswith("where"):
                first += f", {primary}"
            sentences.append(first + self.when_where())
            if tail:
                sentences.append(
                    f"{_cap(self.pick((_there(tail), 'it also shows', 'the scene includes')))} "
                    + _join(tail, self.r)
                )
            if objects:
                sentences[-1] += (
                    f", and {objects} {_agree(objects, ('are visible', 'can be seen', 'appear'))}"
                )
        elif structure == 2:
            if self.f.covers:
                c0 = self.f.covers[0]
                np_ = self.cover_np(c0[0])
                plural = is_plural(np_)
                if c0[1] >= 35:
                    verb = self.pick(
                        ("dominate", "cover most of") if plural else ("dominates", "covers most of")
                    )
                else:
                    verb = self.pick(
                        ("spread across", "extend over") if plural else ("spreads across", "extends over")
                    )
                relief_np = (
                    self.pick(RELIEF_NOUN[self.f.relief])
                    if self.f.relief
                    else self.pick(("the scene", "the tile"))
                )
                head = f"{_cap(np_)} {verb} {'the ' if self.f.relief else ''}{relief_np}{self.when_where()}"
            else:
                head = f"{self.pick(OPENERS)} {lead_np}{self.when_where()}"
            if tail:
                head += ", " + self.pick(("interspersed with ", "alongside ", "with ")) + _join(tail, self.r)
            sentences.append(head)
            if objects:
                sentences.append(
                    f"{_cap(objects)} {_agree(objects, ('are also visible', 'complete the picture', 'can be seen'))}"
                )
        elif structure == 3:
            assert objects is not None
            head = f"{_cap(objects)} {_agree(objects, OBJECT_VERBS)} {lead_np}{self.when_where()}"
            if primary and not primary.startswith("where"):
                head += f", {primary}"
            if tail:
                head += ", " + self.pick(("surrounded by ", "with ")) + _join(tail, self.r)
            sentences.append(head)
        elif structure in (5, 6) and self.f.covers:
            concept, share, location = self.f.covers[0]
            np_ = self.cover_np(concept)
            plural = is_plural(np_)
            if structure == 5:
                lead = f"In {self.f.season}" if self.f.season else f"Across this {lead_words}"
                if self.f.season and self.f.relief:
                    lead += f", on {self.pick(RELIEF_NOUN[self.f.relief])}"
                if share >= 35:
                    verb = self.pick(
                        ("dominate", "cover most of the ground")
                        if plural
                        else ("dominates", "covers most of the ground")
                    )
                else:
                    verb = "are the largest cover" if plural else "is the largest cover"
                where = "" if location in ("scattered", "throughout") else self.where(location)
                head = f"{lead}, {np_} {verb}{where}"
            else:
                adj = self.relief_adj()
                ground = f"{adj} ground" if adj else self.pick(("ground", "land"))
                head = f"{_cap(ground)} given over to {np_} (about {5 * round(share / 5):.0f} %)"
                if share < 35:
                    head = f"{_cap(ground)} with {np_} (about {5 * round(share / 5):.0f} %)"
            if tail:
                head += "; " + self.pick(("elsewhere ", "beyond it ", "around it ")) + _join(tail, self.r)
            sentences.append(head)
            if objects:
                sentences.append(
                    f"{_cap(objects)} {_agree(objects, OBJECT_VERBS)} the {self.pick(LANDSCAPE)}"
                )
        else:
            parts = [f"{self.pick(OPENERS)} {lead_np}{self.when_where()}"]
            if primary:
                parts.append(primary)
            sentences.append(", ".join(parts))
            if tail:
                many = len(tail) > 1 or is_plural(tail[0].split(" ", 1)[-1]) or tail[0].startswith("a few")
                verbs = (
                    ("complete the scene", "are also present")
                    if many
                    else ("completes the scene", "is also present")
                )
                sentences.append(_cap(_join(tail, self.r)) + " " + self.pick((*verbs, "can be seen")))
            if objects:
                sentences.append(
                    f"{_cap(objects)} {_agree(objects, OBJECT_VERBS)} the {self.pick(LANDSCAPE)}"
                )
        text = " ".join(_tidy(s) for s in sentences if s.strip())
        if len(text.split()) < 6 and not text.startswith(OPENERS):
            text = f"{self.pick(OPENERS)} {text[0].lower()}{text[1:]}"
        return text


_SINGULAR_VERB = {
    "are": "is",
    "complete": "completes",
    "appear": "appears",
    "run": "runs",
    "cross": "crosses",
    "cut": "cuts",
    "wind": "winds",
    "pass": "passes",
}


def _agree(subject: str, verbs: tuple[str, ...]) -> str:
    """The first verb phrase, made singular for a singular subject ("a road", not "roads and a pier")."""
    verb = verbs[zlib.crc32(subject.encode()) % len(verbs)]
    if " and " in subject or not subject.startswith(("a ", "an ", "the ")):
        return verb
    first, _, rest = verb.partition(" ")
    return " ".join(x for x in (_SINGULAR_VERB.get(first, first), rest) if x)


_THE_COUNTRIES = (
    "United ",
    "Republic",
    "Democratic",
    "Central African",
    "Dominican",
    "Czech",
    "Netherlands",
    "Philippines",
    "Bahamas",
    "Gambia",
    "Solomon",
    "Marshall",
    "Maldives",
    "Falkland",
)


def country_name(name: str) -> str:
    """A country name as it reads after "in" ("the United States of America", "France")."""
    return f"the {name}" if name.startswith(_THE_COUNTRIES) else name


def _there(items: list[str]) -> str:
    """'there are' for several or plural items, 'there is' for one singular or mass item."""
    if len(items) > 1:
        return "there are"
    first = items[0]
    plural = is_plural(first.split(" ", 1)[-1]) or first.startswith(
        ("a few", "scattered", "clusters", "isolated")
    )
    return (
        "there are" if plural or (first.endswith("s") and not first.endswith(("grass", "ss"))) else "there is"
    )


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _tidy(s: str) -> str:
    s = " ".join(s.split()).replace(" ,", ",")
    return _cap(s.rstrip(" ,")) + "."


def _join(items: list[str], rng: random.Random) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    conj = rng.choice((" and ", " as well as "))
    return ", ".join(items[:-1]) + conj + items[-1]


class BuiltinCaptioner:
    """Backend ``builtin``: grounded template captions, no network, deterministic per (key, seed)."""

    name = "builtin"

    def generate(
        self, key: str, evidence: Evidence, n: int, seed: int = 0, sample: Sample | None = None
    ) -> list[str]:
        facts = facts_from(evidence)
        out: list[str] = []
        seen: set[str] = set()
        attempt = 0
        while len(out) < n and attempt < 4 * n:
            rng = random.Random(zlib.crc32(f"{key}|{seed}|{attempt}".encode()))
            text = _Writer(facts, rng).compose()
            attempt += 1
            if text not in seen:
                seen.add(text)
                out.append(text)
        return out
