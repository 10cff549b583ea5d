"""The caption vocabulary shared by the built-in captioner and the verifier (one source of truth).

Every word the built-in generator may write is listed here with the concept it claims, so the
verifier understands all of it; free text from an LLM is parsed with the same tables. Land-cover
concepts merge the ESA WorldCover and Dynamic World classes through the registry's class names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    LANDCOVER = "landcover"  # includes water as a cover concept
    TERRAIN = "terrain"
    VEGETATION = "vegetation"
    BUILT = "built"
    OSM = "osm"
    SEASON = "season"
    LOCATION = "location"  # where a land-cover concept lies in the tile


@dataclass(frozen=True)
class Concept:
    name: str
    kind: Kind
    worldcover: tuple[str, ...] = ()
    dynamic_world: tuple[str, ...] = ()
    osm: tuple[tuple[str, str], ...] = ()  # (key, value) pairs; value "*" = any value
    words: tuple[str, ...] = ()


LANDCOVER_CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "trees",
        Kind.LANDCOVER,
        ("Tree cover", "Mangroves"),
        ("trees",),
        (("landuse", "forest"), ("natural", "wood")),
        (
            "forest",
            "forests",
            "woodland",
            "woodlands",
            "woods",
            "wooded areas",
            "wooded patches",
            "trees",
            "tree cover",
            "forested",
            "forested areas",
            "forested area",
            "wooded",
            "wooded area",
            "wooded areas",
            "tree-covered",
            "forest patches",
            "tree canopy",
            "stands of trees",
            "groves",
        ),
    ),
    Concept(
        "mangroves",
        Kind.LANDCOVER,
        ("Mangroves",),
        (),
        (("wetland", "mangrove"),),
        ("mangroves", "mangrove", "mangrove forest", "mangrove swamp"),
    ),
    Concept(
        "shrubland",
        Kind.LANDCOVER,
        ("Shrubland",),
        ("shrub_and_scrub",),
        (("natural", "scrub"), ("natural", "heath")),
        ("shrubland", "shrublands", "scrub", "scrubland", "shrubs", "bushes", "bushland", "brush"),
    ),
    Concept(
        "grassland",
        Kind.LANDCOVER,
        ("Grassland",),
        ("grass",),
        (("landuse", "meadow"), ("landuse", "grass"), ("natural", "grassland")),
        (
            "grassland",
            "grasslands",
            "meadow",
            "meadows",
            "pasture",
            "pastures",
            "grass",
            "lawns",
            "grassy",
            "grassy areas",
            "meadowland",
            "open grass",
        ),
    ),
    Concept(
        "cropland",
        Kind.LANDCOVER,
        ("Cropland",),
        ("crops",),
        (("landuse", "farmland"), ("landuse", "orchard"), ("landuse", "vineyard")),
        (
            "cropland",
            "croplands",
            "farmland",
            "farmlands",
            "crop fields",
            "farm fields",
            "cultivated land",
            "cultivated fields",
            "agricultural land",
            "arable land",
            "crops",
            "farms",
            "agricultural fields",
            "ploughed fields",
            "plowed fields",
            "fields of crops",
            "rice paddies",
            "paddies",
        ),
    ),
    Concept(
        "fields",  # ambiguous in English: fields may be crops or grass
        Kind.LANDCOVER,
        ("Cropland", "Grassland"),
        ("crops", "grass"),
        (("landuse", "farmland"), ("landuse", "meadow"), ("landuse", "grass")),
        ("fields", "field", "green fields", "open fields"),
    ),
    Concept(
        "built",
        Kind.LANDCOVER,
        ("Built-up",),
        ("built",),
        (("building", "*"), ("landuse", "residential"), ("landuse", "commercial"), ("landuse", "industrial")),
        (
            "built-up land",
            "built-up area",
            "built-up areas",
            "built-up",
            "settlement",
            "settlements",
            "houses",
            "homes",
            "residential area",
            "residential areas",
            "neighbourhood",
            "neighbourhoods",
        ),
    ),
    Concept(
        "bare",
        Kind.LANDCOVER,
        ("Bare / sparse vegetation",),
        ("bare",),
        (("natural", "bare_rock"), ("natural", "scree"), ("natural", "sand")),
        (
            "bare ground",
            "bare soil",
            "bare land",
            "barren land",
            "barren ground",
            "bare rock",
            "exposed rock",
            "sand",
            "brown earth",
        ),
    ),
    Concept(
        "snow",
        Kind.LANDCOVER,
        ("Snow and ice",),
        ("snow_and_ice",),
        (("natural", "glacier"),),
        ("snow", "ice", "glacier", "glaciers", "snowfields"),
    ),
    Concept(
        "wetland",
        Kind.LANDCOVER,
        ("Herbaceous wetland", "Mangroves"),
        ("flooded_vegetation",),
        (("natural", "wetland"),),
        ("wetland", "wetlands", "marsh", "marshes", "marshland", "swamp", "swamps", "bog", "reed beds"),
    ),
    Concept(
        "moss",
        Kind.LANDCOVER,
        ("Moss and lichen",),
        (),
        (),
        ("moss", "lichen", "tundra"),
    ),
    Concept(
        "water",
        Kind.LANDCOVER,
        ("Permanent water bodies",),
        ("water",),
        (
            ("natural", "water"),
            ("natural", "coastline"),
            ("waterway", "*"),
            ("water", "*"),
            ("natural", "bay"),
        ),
        (
            "water",
            "open water",
            "body of water",
            "bodies of water",
            "water body",
            "lake",
            "lakes",
            "pond",
            "ponds",
            "river",
            "rivers",
            "stream",
            "streams",
            "reservoir",
            "canal",
            "lagoon",
            "sea",
            "bay",
            "waterway",
            "oxbow",
            "creek",
            "brook",
            "estuary",
            "waterbody",
            "water bodies",
        ),
    ),
)


class Relief(StrEnum):
    FLAT = "flat"
    GENTLE = "gentle"
    HILLY = "hilly"
    STEEP = "steep"
    VALLEY = "valley"
    RIDGE = "ridge"


TERRAIN_WORDS: dict[Relief, tuple[str, ...]] = {
    Relief.FLAT: ("flat", "level", "flatland", "flat land", "plain", "plains", "low-lying", "flat terrain"),
    Relief.GENTLE: (
        "gently rolling",
        "rolling",
        "undulating",
        "gentle slopes",
        "gently sloping",
        "gentle relief",
    ),
    Relief.HILLY: ("hilly", "hills", "hillside", "hillsides", "sloping", "slopes", "hilly terrain"),
    Relief.STEEP: (
        "mountainous",
        "mountain",
        "mountains",
        "steep",
        "rugged",
        "precipitous",
        "cliffs",
        "crags",
    ),
    Relief.VALLEY: ("valley", "valleys", "hollow", "hollows", "depression", "basin", "ravine", "gully"),
    Relief.RIDGE: ("ridge", "ridges", "crest", "crests", "summit", "hilltop", "hilltops", "spur", "peak"),
}


class Vegetation(StrEnum):
    DENSE = "dense"
    SPARSE = "sparse"
    GREEN = "green"
    TALL = "tall_trees"
    LOW = "low_trees"


VEGETATION_WORDS: dict[Vegetation, tuple[str, ...]] = {
    Vegetation.DENSE: (
        "dense forest",
        "dense woodland",
        "densely wooded",
        "thick forest",
        "dense woods",
        "closed canopy",
        "dense tree cover",
        "densely forested",
        "heavily forested",
        "heavily wooded",
        "dense trees",
    ),
    Vegetation.SPARSE: ("sparse vegetation", "sparsely vegetated", "little vegetation", "barely vegetated"),
    Vegetation.GREEN: ("lush", "verdant", "well-vegetated", "vegetated", "greenery"),
    Vegetation.TALL: ("tall trees", "tall forest", "mature forest", "tall canopy", "high canopy"),
    Vegetation.LOW: ("low trees", "young trees", "short trees", "low canopy", "young forest"),
}


class Built(StrEnum):
    URBAN = "urban"
    SETTLEMENT = "settlement"


BUILT_WORDS: dict[Built, tuple[str, ...]] = {
    Built.URBAN: (
        "urban",
        "city",
        "cityscape",
        "densely built",
        "dense housing",
        "downtown",
        "town centre",
        "urban area",
        "urban fabric",
    ),
    Built.SETTLEMENT: ("village", "villages", "hamlet", "small town", "town", "suburb", "suburban area"),
}


@dataclass(frozen=True)
class OsmObject:
    name: str
    words: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]  # any of these (key, value) pairs within the radius; "*" = any value
    landcover_fallback: str | None = None  # a land-cover concept that also supports the object


OSM_OBJECTS: tuple[OsmObject, ...] = (
    OsmObject(
        "road",
        (
            "road",
            "roads",
            "street",
            "streets",
            "highway",
            "lane",
            "lanes",
            "dirt road",
            "dirt roads",
            "farm track",
            "farm tracks",
            "residential streets",
            "country road",
            "motorway",
            "footpath",
            "footpaths",
            "service road",
            "service roads",
        ),
        (("highway", "*"),),
    ),
    OsmObject(
        "building", ("building", "buildings", "house", "barns", "sheds"), (("building", "*"),), "built"
    ),
    OsmObject(
        "solar",
        (
            "solar panel",
            "solar panels",
            "solar farm",
            "solar park",
            "photovoltaic",
            "solar array",
            "solar arrays",
        ),
        (("plant:source", "solar"), ("generator:source", "solar")),
    ),
    OsmObject(
        "pier", ("pier", "piers", "jetty", "jetties", "dock", "docks", "boardwalk"), (("man_made", "pier"),)
    ),
    OsmObject(
        "railway",
        ("railway", "railways", "railway line", "rail line", "railroad", "train tracks", "railway tracks"),
        (("railway", "*"),),
    ),
    OsmObject(
        "parking",
        ("parking lot", "parking lots", "car park", "car parks", "parking area"),
        (("amenity", "parking"),),
    ),
    OsmObject(
        "storage_tank",
        ("storage tank", "storage tanks", "silo", "silos"),
        (("man_made", "storage_tank"), ("man_made", "silo")),
    ),
    OsmObject("golf", ("golf course", "golf courses"), (("leisure", "golf_course"),)),
    OsmObject(
        "sports",
        (
            "sports field",
            "sports fields",
            "football pitch",
            "football field",
            "stadium",
            "playing fields",
            "pitch",
            "pitches",
        ),
        (("leisure", "pitch"), ("leisure", "stadium")),
    ),
    OsmObject(
        "power_line",
        ("power line", "power lines", "pylons", "transmission line"),
        (("power", "line"), ("power", "tower"), ("power", "minor_line")),
    ),
    OsmObject("vineyard", ("vineyard", "vineyards", "vines"), (("landuse", "vineyard"),)),
    OsmObject("orchard", ("orchard", "orchards"), (("landuse", "orchard"),)),
    OsmObject("quarry", ("quarry", "quarries", "gravel pit"), (("landuse", "quarry"),)),
    OsmObject("airport", ("airport", "airfield", "runway", "airstrip"), (("aeroway", "*"),)),
    OsmObject("bridge", ("bridge", "bridges"), (("bridge", "*"), ("man_made", "bridge"))),
    OsmObject(
        "church",
        ("church", "chapel"),
        (("amenity", "place_of_worship"), ("building", "church"), ("building", "chapel")),
    ),
    OsmObject("cemetery", ("cemetery", "graveyard"), (("landuse", "cemetery"), ("amenity", "grave_yard"))),
    OsmObject(
        "industrial",
        (
            "industrial area",
            "industrial site",
            "factory",
            "factories",
            "warehouse",
            "warehouses",
            "industrial buildings",
        ),
        (("landuse", "industrial"), ("building", "industrial"), ("building", "warehouse")),
    ),
    OsmObject(
        "marina",
        ("marina", "harbour", "harbor", "slipway", "boat ramp"),
        (("leisure", "marina"), ("leisure", "slipway"), ("harbour", "*")),
    ),
    OsmObject(
        "beach",
        ("beach", "beaches", "shoreline", "coastline", "shore"),
        (("natural", "beach"), ("natural", "coastline")),
    ),
    OsmObject("farmyard", ("farmyard", "farmyards", "farmstead", "farmsteads"), (("landuse", "farmyard"),)),
    OsmObject("park", ("park", "parks", "garden", "gardens"), (("leisure", "park"), ("leisure", "garden"))),
    OsmObject("playground", ("playground",), (("leisure", "playground"),)),
    OsmObject("school", ("school", "schools"), (("amenity", "school"), ("building", "school"))),
)

SEASON_WORDS: dict[str, tuple[str, ...]] = {
    "winter": ("winter", "wintry", "wintertime"),
    "spring": ("spring", "springtime"),
    "summer": ("summer", "summertime"),
    "autumn": ("autumn", "fall season", "autumnal"),
}

# Quantifiers before a land-cover word (window back to the previous concept word in the clause).
DOMINANT_BEFORE = (
    "blanketed in",
    "carpeted with",
    "given over to",
    "a sea of",
    "mostly",
    "predominantly",
    "largely",
    "mainly",
    "chiefly",
    "dominated by",
    "covered by",
    "covered in",
    "covered with",
    "blanketed by",
    "a vast expanse of",
    "vast expanses of",
    "an expanse of",
    "expanses of",
    "extensive",
    "a great deal of",
    "majority of",
    "primarily",
    "almost entirely",
    "overwhelmingly",
)
DOMINANT_AFTER = (
    "dominates",
    "dominate",
    "covers most",
    "cover most",
    "prevails",
    "covers much",
    "fills most",
    "occupies most",
    "occupy most",
    "takes up most",
    "take up most",
    "fills most",
    "fill most",
    "covers the majority",
    "cover the majority",
    "covers nearly all",
    "covers almost all",
)
MINOR_BEFORE = (
    "a scattering of",
    "a sprinkling of",
    "dotted with",
    "fringes of",
    "clusters of",
    "a band of",
    "a belt of",
    "patches of",
    "a patch of",
    "a few",
    "small",
    "scattered",
    "some",
    "pockets of",
    "strips of",
    "bits of",
    "a little",
    "isolated",
    "a handful of",
    "a small",
    "a thin strip of",
    "a narrow strip of",
    "minor",
    "occasional",
    "sparse",
)
ABSENT_BEFORE = ("no", "without", "free of", "lacks", "lacking", "absence of", "not any", "devoid of", "nor")

_NUMBER = r"(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)"
NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
FRACTION_WORDS = {
    "half": 50.0,
    "a half": 50.0,
    "one half": 50.0,
    "a third": 33.3,
    "one third": 33.3,
    "two thirds": 66.7,
    "two-thirds": 66.7,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
    "three-quarters": 75.0,
}
"""Share words read as numbers ("half of the tile is forest" = a 50 % claim)."""
FRACTION_RE = re.compile(
    r"(?<![\w-])(?P<frac>"
    + "|".join(sorted(map(re.escape, FRACTION_WORDS), key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def share_value(text: str) -> float | None:
    """A stated share in ``text``: "40 %", "40 percent", "half", "two thirds" … (the first one)."""
    num = NUMBER_RE.search(text)
    if num is not None:
        return float(num.group("num"))
    for frac in FRACTION_RE.finditer(text):
        if _PART_OF_TILE_RE.search(text[: frac.start()]):
            continue  # "the northern half": a place, not a share
        return FRACTION_WORDS[" ".join(frac.group("frac").lower().split())]
    return None


_PART_OF_TILE_RE = re.compile(
    r"(?:north|south|east|west|northern|southern|eastern|western|upper|lower|left|right|top|bottom"
    r"|north-eastern|north-western|south-eastern|south-western)\s*$",
    re.IGNORECASE,
)


ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "with",
        "in",
        "on",
        "at",
        "by",
        "to",
        "from",
        "across",
        "through",
        "over",
        "under",
        "near",
        "along",
        "around",
        "between",
        "its",
        "is",
        "are",
        "was",
        "were",
        "this",
        "that",
        "these",
        "those",
        "which",
        "where",
        "while",
        "as",
        "some",
        "few",
        "many",
        "several",
        "few",
        "large",
        "small",
    ]
)


def phrase_regex(phrases: tuple[str, ...] | list[str]) -> str:
    """An alternation that matches whole words/phrases, longest first."""
    parts = sorted(set(phrases), key=len, reverse=True)
    return r"(?<![\w-])(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + r")(?![\w-])"


@dataclass(frozen=True)
class Term:
    kind: Kind
    concept: str


def build_term_table() -> dict[str, Term]:
    """Surface phrase (lower case) → what it claims. Longer phrases win over their parts."""
    table: dict[str, Term] = {}
    for c in LANDCOVER_CONCEPTS:
        for w in c.words:
            table[w] = Term(Kind.LANDCOVER, c.name)
    for relief, words in TERRAIN_WORDS.items():
        for w in words:
            table[w] = Term(Kind.TERRAIN, relief.value)
    for veg, words in VEGETATION_WORDS.items():
        for w in words:
            table[w] = Term(Kind.VEGETATION, veg.value)
    for built, words in BUILT_WORDS.items():
        for w in words:
            table[w] = Term(Kind.BUILT, built.value)
    for obj in OSM_OBJECTS:
        for w in obj.words:
            table[w] = Term(Kind.OSM, obj.name)
    for season, words in SEASON_WORDS.items():
        for w in words:
            table[w] = Term(Kind.SEASON, season)
    return table


TERMS = build_term_table()
_TOKEN_RE = re.compile(r"[\w'-]+")


def _phrase_index(table: dict[str, Term]) -> dict[str, list[tuple[tuple[str, ...], Term]]]:
    index: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
    for phrase, term in table.items():
        words = tuple(phrase.split())
        index.setdefault(words[0], []).append((words, term))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_PHRASES = _phrase_index(TERMS)


def find_terms(text: str) -> list[tuple[int, int, Term]]:
    """Lexicon phrases in ``text`` as (start, end, term), leftmost-longest, whole words only.

    A token scan with a first-word index (much faster than one big regex alternation)."""
    tokens = [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN_RE.finditer(text)]
    out: list[tuple[int, int, Term]] = []
    i = 0
    n = len(tokens)
    while i < n:
        entries = _PHRASES.get(tokens[i][2])
        matched = False
        if entries:
            for words, term in entries:
                k = len(words)
                if i + k <= n and all(tokens[i + j][2] == words[j] for j in range(1, k)):
                    out.append((tokens[i][0], tokens[i + k - 1][1], term))
                    i += k
                    matched = True
                    break
        if not matched:
            i += 1
    return out


DOMINANT_BEFORE_RE = re.compile(phrase_regex(DOMINANT_BEFORE) + r"[\s\w-]{0,20}$", re.IGNORECASE)
DOMINANT_AFTER_RE = re.compile(r"^[\s,]*(?:\w+\s+){0,2}?" + phrase_regex(DOMINANT_AFTER), re.IGNORECASE)
MINOR_BEFORE_RE = re.compile(phrase_regex(MINOR_BEFORE) + r"[\s\w-]{0,20}$", re.IGNORECASE)
ABSENT_BEFORE_RE = re.compile(phrase_regex(ABSENT_BEFORE) + r"[\s\w-]{0,25}$", re.IGNORECASE)

CONCEPTS_BY_NAME = {c.name: c for c in LANDCOVER_CONCEPTS}
OSM_BY_NAME = {o.name: o for o in OSM_OBJECTS}


def _location_phrases() -> dict[str, str]:
    out: dict[str, str] = {}
    sides = {"north": "northern", "south": "southern", "east": "eastern", "west": "western"}
    for d, adj in sides.items():
        for p in (
            f"in the {d}",
            f"towards the {d}",
            f"to the {d}",
            f"in the {adj} part",
            f"along the {adj} edge",
            f"along the {adj} side",
            f"on the {adj} side",
            f"on the {adj} flank",
            f"in the {adj} half",
        ):
            out[p] = d
    out["in the upper part of the tile"] = "north"
    out["in the lower part of the tile"] = "south"
    for ns in ("north", "south"):
        for ew in ("east", "west"):
            d = f"{ns}-{ew}"
            adj = f"{ns}-{ew}ern"
            for p in (
                f"in the {d}",
                f"towards the {d}",
                f"to the {d}",
                f"in the {adj} corner",
                f"in the {adj} part",
            ):
                out[p] = d
    for p in (
        "in the centre",
        "in the center",
        "in the middle of the scene",
        "in the middle of the tile",
        "in the middle",
    ):
        out[p] = "centre"
    return out


LOCATION_PHRASES = _location_phrases()
"""Location phrase → tile sector name (as in :data:`geomeld.signals.models.LOCATIONS`)."""
LOCATION_RE = re.compile(phrase_regex(list(LOCATION_PHRASES)), re.IGNORECASE)
