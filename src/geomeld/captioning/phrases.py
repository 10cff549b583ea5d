"""The phrase tables of the free-text extractor (:mod:`geomeld.captioning.extract`).

Each entry maps a surface phrase (matched on whole tokens, case-insensitive, leftmost-longest) to a
category and a value. Categories: ``lc`` (land-cover concept), ``water`` (water kind), ``osm``
(object kind), ``terrain``, ``veg``, ``canopy``, ``sar``, ``season``, ``month``, ``year`` (a date cue),
``climate``; ``neg`` / ``postneg`` (negation before / after what it negates), ``hedge``, ``dom`` /
``largest`` / ``minor`` / ``all`` (quantifiers), ``pos`` (a tile region), ``cmp`` (comparatives),
``nomajority``, ``labelled`` (the mapped fraction), ``skip`` (idioms consumed so that their words
claim nothing: "sea level", "level of detail").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from geomeld.captioning.places import CITIES, DEMONYMS, REGIONS, resolve

TOKEN_RE = re.compile(
    r"(?<![\w])[−–-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w])[+−-]?\d+(?:\.\d+)?|\d+(?:\.\d+)?"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*|[%°²~–—-]|[^\s\w]"
)
"""One tokenizer for captions and phrase tables (a sign belongs to a number only after a non-word)."""


def _toks(phrase: str) -> tuple[str, ...]:
    return tuple(m.group(0).lower().replace("’", "'").replace("−", "-") for m in TOKEN_RE.finditer(phrase))


LC: dict[str, tuple[str, ...]] = {
    "trees": (
        "timberland",
        "timberlands",
        "forest",
        "forests",
        "forest cover",
        "forested",
        "forested land",
        "forest land",
        "woodland",
        "woodlands",
        "wooded land",
        "wooded",
        "woods",
        "wood",
        "trees",
        "tree cover",
        "tree-covered",
        "stands of trees",
        "groves",
        "coniferous forest",
        "deciduous forest",
        "tree canopy cover",
        "timber",
        "woodlots",
        "woodlot",
    ),
    "shrubland": (
        "brushwood",
        "shrubland",
        "shrublands",
        "shrub",
        "shrubs",
        "scrub",
        "scrubland",
        "scrublands",
        "bushland",
        "bushes",
        "bush",
        "brushwood",
        "undergrowth",
        "brush",
        "brushland",
        "thicket",
        "thickets",
        "heath",
        "heathland",
        "shrub cover",
        "scrub cover",
    ),
    "grassland": (
        "rough grassland",
        "rough grass",
        "grazing land",
        "grazing lands",
        "grazing ground",
        "grassland",
        "grasslands",
        "open grassland",
        "grass",
        "grassy ground",
        "grassy",
        "meadow",
        "meadows",
        "pasture",
        "pastures",
        "pastureland",
        "rangeland",
        "prairie",
        "lawns",
        "lawn",
        "grass cover",
        "meadowland",
        "steppe",
        "savanna",
        "savannah",
    ),
    "cropland": (
        "cropland",
        "croplands",
        "crop land",
        "crops",
        "crop",
        "farmland",
        "farmlands",
        "arable land",
        "arable",
        "cultivated land",
        "cultivated fields",
        "cultivation",
        "agricultural land",
        "agriculture",
        "crop fields",
        "farm fields",
        "arable fields",
        "agricultural fields",
        "farmed fields",
        "tilled fields",
        "cropped fields",
        "grain fields",
        "wheat fields",
        "maize fields",
        "corn fields",
        "cornfields",
        "farms",
        "ploughed fields",
        "plowed fields",
        "tilled land",
        "rice paddies",
        "paddies",
        "cereal fields",
        "orchards",
    ),
    "fields": ("fields", "field", "open fields", "green fields"),
    "built": (
        "sealed surfaces",
        "sealed surface",
        "sealed ground",
        "built-up area",
        "built-up areas",
        "built-up land",
        "built-up",
        "built up",
        "built area",
        "building cover",
        "settlement",
        "settlements",
        "urban fabric",
        # the built class named by what it is made of: one class, not two subjects
        "buildings and roads",
        "roads and buildings",
        "houses and roads",
        "roads and houses",
        "buildings and streets",
        "streets and buildings",
        "buildings and paved surfaces",
        "urban area",
        "urban areas",
        "residential area",
        "residential areas",
        "built land",
        "built surfaces",
        "housing",
        "built environment",
        "developed land",
    ),
    "bare": (
        "bare ground",
        "bare soil",
        "bare land",
        "barren land",
        "bare rock",
        "exposed rock",
        "bare earth",
        "exposed soil",
        "sand",
        "sandy ground",
        "bare areas",
        "rock outcrops",
        "dunes",
    ),
    "snow": ("snow", "ice", "snow and ice", "glacier", "glaciers", "snowfields", "snow cover", "snowpack"),
    "wetland": (
        "wetland",
        "wetlands",
        "herbaceous wetland",
        "marsh",
        "marshes",
        "marshland",
        "marshlands",
        "swamp",
        "swamps",
        "bog",
        "bogs",
        "fen",
        "fens",
        "reed beds",
        "reedbeds",
        "reedy marsh",
        "reeds",
        "flooded vegetation",
        "mire",
        "mires",
    ),
    "moss": ("moss", "lichen", "moss and lichen", "tundra"),
    "vegetation": ("vegetation", "greenery", "plant cover", "vegetated land", "vegetation cover"),
    "urban:city": ("city", "cityscape", "urban", "town centre", "townscape"),
}

WATER: dict[str, tuple[str, ...]] = {
    "water": (
        "water",
        "open water",
        "standing water",
        "surface water",
        "body of water",
        "bodies of water",
        "water body",
        "water bodies",
        "waterbody",
        "waterbodies",
        "water surface",
        "water surfaces",
        "lakes, ponds or rivers",
        "inland water",
    ),
    "river": ("river", "rivers", "major river", "riverbed", "river channel"),
    "stream": ("stream", "streams", "brook", "brooks", "creek", "creeks"),
    "canal": ("canal", "canals"),
    "lake": ("lake", "lakes", "lagoon", "lagoons"),
    "pond": ("pond", "ponds", "pool", "pools", "fishponds", "fish ponds"),
    "reservoir": ("reservoir", "reservoirs"),
    "sea": (
        "sea",
        "ocean",
        "coast",
        "coastline",
        "shore",
        "shoreline",
        "sea shore",
        "seashore",
        "beach",
        "beaches",
        "estuary",
        "bay",
        "open sea",
        "the sea",
        "fjord",
        "fjords",
        "fiord",
        "tidal flats",
        "mudflats",
        "sea inlet",
        "seafront",
        "sea front",
    ),
}

OSM: dict[str, tuple[str, ...]] = {
    "road": ("road", "roads", "street", "streets", "lane", "lanes", "country road", "paved road"),
    "motorway": (
        "motorway",
        "motorways",
        "freeway",
        "expressway",
        "autobahn",
        "highway",
        "highways",
        "motorway interchange",
        "interchange",
    ),
    "track": ("dirt road", "dirt roads", "farm track", "farm tracks", "track", "tracks", "gravel road"),
    "path": ("path", "paths", "footpath", "footpaths", "trail", "trails", "cycle path"),
    "railway": (
        "railway",
        "railways",
        "railroad",
        "rail line",
        "railway line",
        "train tracks",
        "railway tracks",
        "rail",
    ),
    "building": (
        "building",
        "buildings",
        "house",
        "houses",
        "homes",
        "rooftops",
        "roofs",
        "structures",
        "barns",
        "sheds",
        "farmhouses",
        "farmsteads",
        "dwellings",
    ),
    "bridge": ("bridge", "bridges"),
    "power_line": ("power line", "power lines", "pylons", "transmission line", "transmission lines"),
    "solar": ("solar panels", "solar panel", "solar farm", "solar park", "photovoltaic", "solar array"),
    "parking": ("parking lot", "parking lots", "car park", "car parks"),
    "airport": ("airport", "airfield", "runway", "airstrip"),
    "pier": ("pier", "piers", "jetty", "jetties", "dock", "docks"),
    "marina": ("marina", "harbour", "harbor", "port"),
    "quarry": ("quarry", "quarries", "gravel pit", "open-pit mine", "mine"),
    "industrial": ("industrial area", "industrial site", "factory", "factories", "warehouse", "warehouses"),
    "golf": ("golf course", "golf courses"),
    "sports": ("sports field", "sports fields", "football pitch", "stadium", "playing fields"),
    "park": ("park", "parks", "garden", "gardens"),
    "cemetery": ("cemetery", "graveyard"),
    "church": ("church", "chapel", "cathedral"),
    "school": ("school", "schools"),
    "ditch": ("ditch", "ditches", "drain", "drains", "drainage ditch", "drainage ditches"),
    "dam": ("dam", "weir"),
    "village": ("village", "villages", "hamlet", "hamlets"),
    "town": ("town", "towns", "small town"),
    "downtown": (
        "downtown",
        "city core",
        "city centre",
        "city center",
        "high-rise towers",
        "high-rise",
        "high-rises",
        "skyscrapers",
        "urban core",
        "compact city core",
        "busy downtown",
        "dense city",
        "metropolis",
    ),
}
OSM_AS_BUILT_DOMINANT = {"downtown"}
"""Object words that claim a densely built tile (checked against the built land cover)."""

TERRAIN: dict[str, tuple[str, ...]] = {
    "flat": (
        "flat",
        "level ground",
        "level terrain",
        "level land",
        "flatland",
        "flatlands",
        "flat land",
        "plain",
        "plains",
        "lowland",
        "lowlands",
        "low-lying",
        "flat terrain",
        "pancake-flat",
        "featureless",
    ),
    "gentle": ("gently rolling", "rolling", "undulating", "gentle slopes", "gently sloping", "gentle relief"),
    "hilly": (
        "hilly",
        "hills",
        "hill",
        "hillside",
        "hillsides",
        "sloping",
        "hilly terrain",
        "pronounced relief",
        "marked relief",
        "strong relief",
        "rugged relief",
        "uplands",
        "upland",
        "high relief",
    ),
    "steep": (
        "steep",
        "mountainous",
        "mountain",
        "mountains",
        "rugged",
        "precipitous",
        "cliffs",
        "cliff",
        "crags",
        "craggy",
        "canyon",
        "canyons",
        "gorge",
        "gorges",
        "high-mountain",
        "volcanic cone",
        "volcano",
        "volcanic",
        "jagged",
        "alpine",
        "escarpment",
        "sea cliffs",
        "mountain valley",
        "scree",
        "scree slopes",
        "sheer",
        "rock walls",
        "rock faces",
        "precipice",
        "talus",
        "steep slopes",
        "steep terrain",
    ),
    "valley": ("valley", "valleys", "hollow", "hollows", "depression", "basin", "ravine", "gully", "trough"),
    "ridge": (
        "ridge",
        "ridges",
        "crest",
        "crests",
        "summit",
        "summits",
        "hilltop",
        "hilltops",
        "spur",
        "peaks",
    ),
    "plateau": ("plateau", "high plateau", "tableland", "mesa"),
}

VEG: dict[str, tuple[str, ...]] = {
    "green": (
        "lush",
        "verdant",
        "green vigour",
        "green vigor",
        "vigorous vegetation",
        "healthy vegetation",
        "thriving vegetation",
        "luxuriant",
        "lush green",
        "vegetation is lush",
        "greenness is high",
        "high ndvi",
        "strongly green",
        "vigorous",
        "vigour",
        "vigor",
        "lush vegetation",
    ),
    "sparse": (
        # a weak or low vigour / green signal is sparse vegetation, not green ("low vegetation vigour")
        *(
            f"{adj} {noun}"
            for adj in ("low", "weak", "poor", "faint", "feeble", "limited", "reduced", "little")
            for noun in (
                "vigour",
                "vigor",
                "vegetation vigour",
                "vegetation vigor",
                "green signal",
                "greenness",
                "greening",
                "photosynthetic activity",
            )
        ),
        "sparse vegetation",
        "sparsely vegetated",
        "little vegetation",
        "barely vegetated",
        "barren",
        "dormant",
        "winter-brown",
        "sparse",
        "withered",
        "parched",
        "weak",
        "greenness signal is low",
        "low ndvi",
        "low greenness",
        "brown",
        "bare",
        "look bare",
        "looks bare",
    ),
    "dense": (
        "dense forest",
        "densely wooded",
        "densely forested",
        "heavily forested",
        "closed canopy",
        "thick forest",
    ),
    "ndvi": (
        "ndvi",
        "greenness",
        "vegetation index",
        "greenness (ndvi)",
        "mean ndvi",
        "ndvi mean",
        "average ndvi",
    ),
}

CANOPY: dict[str, tuple[str, ...]] = {
    "height": (
        "canopy height",
        "canopy heights",
        "canopy",
        "forest canopy",
        "tree height",
        "tree heights",
        "tree canopy",
    ),
    "max_height": (
        "tallest trees",
        "trees reach",
        "trees reach heights of",
        "trees tower",
        "canopy towers",
        "canopy tops out",
        "tallest tree",
        "trees top",
        "towering",
    ),
    "tall": ("tall trees", "tall forest", "mature forest", "high canopy", "tall canopy"),
    "low": ("low trees", "short trees", "young trees", "low canopy", "saplings", "young forest"),
}

SAR: dict[str, tuple[str, ...]] = {
    "vv": (
        "vv",
        "vv backscatter",
        "vv channel",
        "co-polarised vv",
        "co-polarized vv",
        "vv return",
        "radar (vv) backscatter",
        "co-polarised",
        "co-polarized",
    ),
    "vh": (
        "vh",
        "vh backscatter",
        "vh channel",
        "cross-polarised",
        "cross-polarized",
        "vh σ⁰",
        "vh return",
        "cross-polarised (vh) backscatter",
        "cross-polarized (vh) backscatter",
    ),
    "bright": (
        "radar-bright",
        "bright backscatter",
        "strong backscatter",
        "strong radar returns",
        "high backscatter",
    ),
    "dark": ("radar-dark", "dark backscatter", "weak backscatter", "low backscatter", "weak radar returns"),
    **{
        f"orbit_{short}": (
            *(f"{word}{sep}{noun}" for noun in ("orbit", "pass", "track", "geometry") for sep in (" ", "-")),
            word,
        )
        for short, word in (("asc", "ascending"), ("desc", "descending"))
    },
}

SEASONS: dict[str, tuple[str, ...]] = {
    "winter": ("winter", "wintertime", "wintry", "winter imagery", "midwinter", "winter scene"),
    "spring": ("spring", "springtime"),
    "summer": ("summer", "summertime", "midsummer", "summer scene"),
    "autumn": ("autumn", "autumnal", "in the fall", "in fall", "fall season", "late fall", "early fall"),
}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_WORDS = frozenset({*MONTHS, *MONTH_ABBR, "sept"})
YEAR_CUES = (
    "dated",
    "recorded in",
    "acquisition year",
    "acquired in",
    "taken in",
    "captured in",
    "imaged in",
    "shot in",
    "photographed in",
    "date of capture",
    "year",
    "acquired",
    "captured",
    "imaged",
    "recorded",
    "taken",
    "shot",
    "acquisition",
)

FLIP: tuple[str, ...] = (
    tuple(
        f"{lead} {verb} {neg} {what} that"
        for lead in ("it", "that")
        for verb, neg in (("is", "not"), ("isn't", ""), ("'s", "not"), ("was", "not"), ("wasn't", ""))
        for what in ("true", "the case", "so", "correct", "right")
    )
    + tuple(f"it is {w} that" for w in ("false", "untrue", "wrong"))
    + ("not true that", "untrue that", "false that")
)
"""Phrases that deny the statement after them ("it isn't true that there is no X" = there is some X)."""
NEG: tuple[str, ...] = (
    "no",
    "not",
    "never",
    "without",
    "free of",
    "devoid of",
    "bare of",  # "the ground is bare of snow": no snow (not bare ground)
    "clear of",  # "the fields are clear of snow"
    "lacks",
    "lacking",
    "lack of",
    "absence of",
    "not a single",
    "not one",
    "not a",
    "isn't any",
    "isn't",
    "aren't",
    "there isn't any",
    "there is no",
    "there are no",
    "no trace of",
    "not a trace of",
    "no sign of",
    "no signs of",
    "not a drop of",
    "not one pixel of",
    "not a single patch of",
    "won't find any",
    "you won't find any",
    "will not find any",
    "neither",
    "nor",
    "zero",
    "none of",
    "far from",
    "anything but",
    "hardly",
    "by no means",
    "nowhere near",
    "n't",
    "doesn't",
    "don't",
    "does not",
    "do not",
    "cannot",
    "can't",
    "no longer",
    "far from any",
    "is not",
    "are not",
    "hardly any",
    "barely any",
    "barely anything",
    "hardly anything",
    "scarcely anything",
    "scarcely any",
    "next to nothing",
    "almost nothing",
    "virtually nothing",
    "no visible",
    "nothing of",
    "not any",
    "isn't there",
    "not at all",
    "rather than",
    "instead of",
    "little",
    "there is little",
    "no more",
    "zero pixels of",
)
NEG_REACH = 6
NEG_BREAK = {"but", "except", "than", "although", "though", "yet", "while", "whereas", "only"}
POSTNEG: tuple[str, ...] = (
    "is absent",
    "are absent",
    "absent",
    "is missing",
    "are missing",
    "missing",
    "is nowhere to be found",
    "are nowhere to be found",
    "nowhere to be found",
    "nowhere to be seen",
    "is nowhere",
    "are nowhere",
    "does not appear",
    "do not appear",
    "doesn't appear",
    "don't appear",
    "is not present",
    "are not present",
    "not present",
    "is not mapped",
    "are not mapped",
    "isn't mapped",
    "aren't mapped",
    "is entirely absent",
    "are entirely absent",
    "entirely absent",
    "completely missing",
    "is completely missing",
    "are completely missing",
    "both absent",
    "are both absent",
    "none",
    "has none of it",
    "is lacking",
    "are lacking",
    "non-existent",
    "is not visible",
    "are not visible",
    "cannot be seen",
    "can't be seen",
    "is not found",
    "are not found",
    "not mapped",
    "is not seen",
    "are not seen",
    "nowhere",
    "does not occur",
    "do not occur",
    "doesn't exist",
    "does not exist",
    "don't exist",
    "do not exist",
    "is not mapped anywhere",
    "has zero pixels",
    "have zero pixels",
    "zero pixels",
    "is conspicuously missing",
    "conspicuously missing",
    "has no pixels",
    "has none",
    "none at all",
)
POSTNEG_REACH = 4

HEDGES: tuple[str, ...] = (
    "appears",
    "appear",
    "seems",
    "seem",
    "likely",
    "probably",
    "perhaps",
    "possibly",
    "may",
    "might",
    "apparently",
    "roughly",
    "approximately",
    "give or take",
    "i think",
    "looks like",
    "suggests",
    "an estimated",
    "estimated",
    "or so",
    "more or less",
    "most likely",
    "more likely",
    "practically",
    "virtually",
    "most probably",
)

DOMINANT: tuple[str, ...] = (
    "mostly",
    "predominantly",
    "largely",
    "mainly",
    "chiefly",
    "primarily",
    "overwhelmingly",
    "dominated by",
    "dominates",
    "dominate",
    "dominating",
    "dominant",
    "the bulk of",
    "bulk of",
    "the majority of",
    "majority of",
    "the majority",
    "most of",
    "makes up most",
    "make up most",
    "covers most",
    "cover most",
    "covering most",
    "covers much",
    "much of",
    "takes up most",
    "blankets the majority",
    "blanket the majority",
    "blankets",
    "the lion's share",
    "the greater part of",
    "the better part of",
    "covers the majority",
    "cover the majority",
    "nearly all",
    "almost all",
    "prevails",
    "prevailing",
    "more than half",
    "over half",
    "most",
    "is dominant",
    "are dominant",
    "given over to",
    "a sea of",
    "carpeted with",
    "blanketed in",
    "covered in",
    "covered by",
)
LARGEST: tuple[str, ...] = (
    "the largest",
    "largest",
    "the biggest",
    "biggest",
    "biggest single class",
    "the leading",
    "leading",
    "the most extensive",
    "most extensive",
    "the main",
    "main",
    "most common",
    "the most common",
    "covers the most ground",
    "cover the most ground",
    "the biggest slice",
    "biggest slice",
    "the principal",
    "the predominant",
    "the commonest",
    "the largest share",
    "most ground",
)
MINOR: tuple[str, ...] = (
    "a sliver",
    "a tiny fraction",
    "a tiny part",
    "a tiny share",
    "a little",
    "a few",
    "small patches",
    "small patch",
    "patches of",
    "a patch of",
    "pockets of",
    "scattered",
    "a sliver of",
    "a thin strip of",
    "a handful of",
    "bits of",
    "a bit of",
    "a smattering of",
    "a few stretches of",
    "stretches of",
    "a touch of",
    "minor",
    "small amounts of",
    "traces of",
    "a trace of",
    "isolated",
    "sprinkling of",
    "a sprinkling of",
)
POST_QUANT = {
    "dominates",
    "dominate",
    "dominating",
    "makes up most",
    "make up most",
    "covers most",
    "cover most",
    "covering most",
    "covers much",
    "takes up most",
    "blankets the majority",
    "blanket the majority",
    "blankets",
    "covers the majority",
    "cover the majority",
    "prevails",
    "is dominant",
    "are dominant",
    "dominant",
    "mostly",
    "the whole tile",
    "all of the tile",
    "fully covered",
    "completely covered",
}
"""Quantifiers that follow what they quantify ("forest dominates"); the others precede it ("mostly forest")."""
BOTH_QUANT = {"dominant", "mostly"}
"""… and those that go either way ("dominant forest" / "forest is dominant")."""
TILE_NOUNS = ("tile", "scene", "frame", "image", "area", "picture", "square", "patch", "view", "chip")
ALL: tuple[str, ...] = (
    "entirely",
    "completely covered",
    "wholly",
    "fully covered",
    "blanket",
    # the whole tile, whatever it is called: "the whole scene", "the entire frame", "all of the image"
    *(f"{d}{a} {n}" for d in ("the ", "") for a in ("whole", "entire") for n in TILE_NOUNS),
    *(f"all of the {n}" for n in TILE_NOUNS),
    *(f"every part of the {n}" for n in TILE_NOUNS),
)

NOMAJORITY: tuple[str, ...] = (
    "no single class covers more than half",
    "no majority class",
    "no land-cover type reaches a majority",
    "nothing dominates",
    "every class stays below half",
    "no class covers more than half",
    "no class dominates",
    "no dominant class",
    "no single dominant class",
    "without a majority class",
    "no class reaches a majority",
    "no majority",
    "no single class dominates",
)
LABELLED: tuple[str, ...] = (
    "carries a land-cover label",
    "carry a land-cover label",
    "land-cover map labels",
    "map labels",
    "labels",
    "is mapped",
    "are labelled",
    "is labelled",
    "labelled",
    "labeled",
    "carries a label",
    "of the pixels",
    "has a land-cover label",
    "have a land-cover label",
    "mapped fraction",
)

LABELLED_STRONG = {
    "carries a land-cover label",
    "carry a land-cover label",
    "land-cover map labels",
    "map labels",
    "labels",
    "carries a label",
    "has a land-cover label",
    "have a land-cover label",
    "mapped fraction",
    "labelled area",
    "the labelled area",
    "mapped area",
    "the mapped area",
}

CMP: dict[str, tuple[str, ...]] = {
    "verb_more": (
        "outweighs",
        "outweigh",
        "exceeds",
        "exceed",
        "beats",
        "beat",
        "outnumbers",
        "outnumber",
        "surpasses",
        "surpass",
        "dwarfs",
        "outstrips",
        "is more widespread than",
        "more widespread than",
        "is more extensive than",
        "more extensive than",
        "is more common than",
        "more common than",
        "covers more ground than",
        "cover more ground than",
        "takes up more room than",
        "covers more area than",
        "covers more of the tile than",
        "is larger than",
        "larger than",
        "bigger than",
        "greater than",
        "more abundant than",
        "more prevalent than",
        "is ahead of",
        "stronger than",
        "is stronger than",
        "higher than",
        "is higher than",
        "leads",
        "out-covers",
        "heads",
        "head",
        "tops",
        "outranks",
    ),
    "verb_less": (
        "trails behind",
        "trails well behind",
        "trails",
        "trail",
        "is scarcer than",
        "scarcer than",
        "less extensive than",
        "is less extensive than",
        "less widespread than",
        "less common than",
        "smaller than",
        "covers less ground than",
        "cover less ground than",
        "is outweighed by",
        "is exceeded by",
        "lags behind",
        "lags well behind",
        "falls short of",
        "rarer than",
        "lower than",
        "is lower than",
        "weaker than",
        "is weaker than",
        "is outnumbered by",
        "less than",
        "takes up less room than",
    ),
    "more": ("more", "stronger", "higher"),
    "less": ("less", "fewer", "weaker", "lower"),
    "compared_more": ("compared with", "compared to", "relative to"),
    "gives": ("gives",),
    "similar": (
        "in roughly equal measure",
        "in equal measure",
        "in similar amounts",
        "equally",
        "about equally",
        # equality of two classes' extents ("A and B shares are nearly identical", "cover ~the same area")
        "identical",
        "nearly identical",
        "almost identical",
        "evenly matched",
        "evenly split",
        "the same area",
        "the same amount",
        "the same share",
        "the same shares",
        "similar amounts",
        "similar shares",
        "similar share",
        "similar areas",
        "comparable shares",
        "comparable amounts",
        "comparable areas",
        "on a par",
        "on par",
        "neck and neck",
        "about equal",
        "roughly equal",
        "equal shares",
        "equal amounts",
        "equal areas",
        "in equal parts",
    ),
}

_PASSIVE_LESS = (
    "outnumbered by",
    "outweighed by",
    "exceeded by",
    "dwarfed by",
    "surpassed by",
    "outstripped by",
)
CMP["verb_less"] += tuple(p for p in _PASSIVE_LESS if p not in CMP["verb_less"])
for _kind in ("verb_more", "verb_less"):  # "A is / are / was / were outnumbered by B": every number and tense
    CMP[_kind] += tuple(
        f"{aux} {p[3:]}"
        for p in CMP[_kind]
        if p.startswith("is ")
        for aux in ("are", "was", "were")
        if f"{aux} {p[3:]}" not in CMP[_kind]
    )

POS: dict[str, tuple[str, ...]] = {}


def _positions() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    sides: dict[str, tuple[str, ...]] = {
        "north": ("north", "northern", "top", "upper"),
        "south": ("south", "southern", "bottom", "lower"),
        "west": ("west", "western", "left", "left-hand"),
        "east": ("east", "eastern", "right", "right-hand"),
    }
    strip_nouns = ("edge", "margin", "border", "rim", "fringe", "boundary", "strip")
    nouns = (  # a border or rim is a strip along the edge, not a half ("fields hug the western border")
        "side",
        "half",
        "part",
        "end",
        "portion",
        "strip",
        "third",
        "section",
    )
    for sector, words in sides.items():
        acc = out.setdefault(sector, [])
        strip = out.setdefault(f"{sector}-edge", [])
        for w in words:
            for n in nouns:
                acc.append(f"{w} {n}")
            for n in strip_nouns:
                strip.append(f"{w} {n}")
            if w in ("north", "south", "east", "west", "northern", "southern", "eastern", "western"):
                acc.append(w)
        acc += [
            f"up {sector}"
            if sector == "north"
            else f"down in the {sector}"
            if sector == "south"
            else f"in the {sector}"
        ]
        acc += [f"toward the {words[2]}", f"towards the {words[2]}", f"at the {words[2]}", f"the {words[2]}"]
    out["north"] += ["up north", "top of the tile", "top of the frame"]
    out["south"] += ["down south", "bottom of the tile", "bottom of the frame"]
    corners: dict[str, tuple[str, ...]] = {
        "north-west": (
            "north-west",
            "northwest",
            "nw",
            "top-left",
            "top left",
            "upper left",
            "upper-left",
            "north-western",
            "northwestern",
        ),
        "north-east": (
            "north-east",
            "northeast",
            "ne",
            "top-right",
            "top right",
            "upper right",
            "upper-right",
            "north-eastern",
            "northeastern",
        ),
        "south-west": (
            "south-west",
            "southwest",
            "sw",
            "bottom-left",
            "bottom left",
            "lower left",
            "lower-left",
            "south-western",
            "southwestern",
        ),
        "south-east": (
            "south-east",
            "southeast",
            "se",
            "bottom-right",
            "bottom right",
            "lower right",
            "lower-right",
            "south-eastern",
            "southeastern",
        ),
    }
    for sector, words in corners.items():
        acc = out.setdefault(sector, [])
        for w in words:
            acc += [f"{w} corner", f"{w} quadrant", f"{w} quarter", f"{w} part", f"the {w}"]
            if len(w) > 2:
                acc.append(w)
    out["centre"] = [
        "centre",
        "center",
        "central part",
        "central",
        "middle",
        "the middle",
        "middle of the tile",
        "centre of the tile",
        "center of the tile",
        "heart of the tile",
        "around the centre",
        "in the centre",
    ]
    out["centre"] += [
        "heart of tile",
        "the heart",
        "heart of the scene",
        "heart of the frame",
        "heart of the image",
    ]
    out["edge"] = ["edges", "margins", "periphery", "along the edges", "the edges", "the margins", "fringes"]
    for sector in ("north", "south", "west", "east"):  # "the left edge" before "the left" matches
        out[f"{sector}-edge"] += [f"the {p}" for p in out[f"{sector}-edge"]]
        out[sector] += [
            f"the {p}" for p in out[sector] if " " in p and not p.startswith(("the ", "in ", "up ", "down "))
        ]
    out["throughout"] = [
        "throughout",
        "across the whole tile",
        "everywhere",
        "all over the tile",
    ]
    return {k: tuple(v) for k, v in out.items()}


POS = _positions()

BOUND_BEFORE: dict[str, str] = {
    **{
        p: "at_most"
        for p in (
            "less than",
            "under",
            "below",
            "fewer than",
            "no more than",
            "not more than",
            "at most",
            "up to",
            "well under",
            "well below",
            "just under",
            "just below",
            "below about",
            "under about",
            "less than about",
            "at most about",
            "never exceeds",
            "does not exceed",
            "not exceeding",
            "a maximum of",
            "only under",
            "barely",
            "only",
            "no more than about",
            "short of",
            "beneath",
            "does not reach",
            "doesn't reach",
            "did not reach",
            "never reaches",
            "fails to reach",
            "falls short of",
            "stays below",
            "stays under",
            "remains below",
            "remains under",
            "do not reach",
            "don't reach",
            "not reaching",
            "<",
            "≤",
            "< =",
            "=<",
            "<<",
            "not even",
            "hardly",
            "scarcely",
            "a mere",
            "merely",
            "just",
        )
    },
    **{
        p: "at_least"
        for p in (
            "more than",
            "over",
            "above",
            "at least",
            "upwards of",
            "in excess of",
            "no less than",
            "not less than",
            "well over",
            "well above",
            "just over",
            "just above",
            "exceeds",
            "exceeding",
            "a minimum of",
            "steeper than",
            "higher than",
            "taller than",
            "over about",
            "more than about",
            ">",
            "≥",
            "> =",
            ">>",
            "=>",
        )
    },
}
BOUND_AFTER: dict[str, str] = {
    "and more": "at_least",
    "or more": "at_least",
    "and above": "at_least",
    "or above": "at_least",
    "plus": "at_least",
    "and up": "at_least",
    "or less": "at_most",
    "and less": "at_most",
    "or below": "at_most",
    "at most": "at_most",
    "at the most": "at_most",
    "at least": "at_least",
    "if that": "at_most",
    ", if that": "at_most",
    "or so": "about",
    "nothing more": "at_most",
    ", nothing more": "at_most",
}

UNITS: list[tuple[tuple[str, ...], str]] = sorted(
    [
        (_toks(p), u)
        for p, u in (
            ("%", "%"),
            ("percent", "%"),
            ("percents", "%"),
            ("per cent", "%"),
            ("per cents", "%"),
            ("percentage points", "%"),
            ("pct", "%"),
            ("per-cent", "%"),
            ("m a.s.l.", "asl"),
            ("m asl", "asl"),
            ("m above sea level", "asl"),
            ("metres above sea level", "asl"),
            ("meters above sea level", "asl"),
            ("metres a.s.l.", "asl"),
            ("m above the sea", "asl"),
            ("m", "m"),
            ("metres", "m"),
            ("meters", "m"),
            ("metre", "m"),
            ("meter", "m"),
            ("metres high", "m"),
            ("°", "deg"),
            ("degrees", "deg"),
            ("degree", "deg"),
            ("deg", "deg"),
            ("db", "db"),
            ("decibels", "db"),
            ("decibel", "db"),
            ("km²", "km2"),
            ("km2", "km2"),
            ("square kilometres", "km2"),
            ("square kilometers", "km2"),
            ("sq km", "km2"),
            ("km 2", "km2"),
            ("km", "km"),
            ("kilometres", "km"),
            ("kilometers", "km"),
            ("kilometre", "km"),
            ("kilometer", "km"),
            ("hectares", "ha"),
            ("ha", "ha"),
            ("hectare", "ha"),
            ("m²", "m2"),
            ("m2", "m2"),
            ("m 2", "m2"),
            ("sq m", "m2"),
            ("square metres", "m2"),
            ("square meters", "m2"),
            ("pixels", "px"),
            ("pixel", "px"),
            ("px", "px"),
        )
    ],
    key=lambda x: -len(x[0]),
)

UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
FRACTION_DENOMS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "tenth": 10,
    "tenths": 10,
    "eighth": 8,
    "eighths": 8,
    "seventh": 7,
    "ninth": 9,
    "twentieth": 20,
    "twentieths": 20,
    "fiftieth": 50,
    "hundredth": 100,
    "hundredths": 100,
    "thousandth": 1000,
}
FRACTIONS_ONE = {"half": 50.0}
BIG_NUMBER = {"hundred": 100, "thousand": 1000, "dozen": 12}

NUM_TO_SUBJECT = {
    "of",
    "the",
    "tile",
    "tile's",
    "scene",
    "frame",
    "image",
    "area",
    "is",
    "are",
    "covered",
    "by",
    "in",
    "under",
    "as",
    "land",
    "ground",
    "surface",
    "pixels",
    "mapped",
    "given",
    "over",
    "to",
    "with",
    "its",
    "this",
    "patch",
    "whole",
    "it",
    "consists",
    "made",
    "up",
    "-",
    "(",
    ")",
    "labelled",
    "classified",
    "shows",
    "map",
    "cover",
    "covers",
    "area's",
    "total",
    "footprint",
    "occupied",
    "taken",
    "here",
    "chip",
    "land-cover",
}
LARGE_WORDS = {
    "broad",
    "wide",
    "large",
    "big",
    "huge",
    "major",
    "navigable",
    "mighty",
    "vast",
    "great",
    "sizeable",
    "sizable",
    "extensive",
    "expansive",
    "enormous",
}
"""Size words before a water kind ("a broad river", "a large lake"): a body that a 10 m image shows."""

NP_PREPOSITIONS = {"of", "with"}
"""Prepositions that attach a noun to the noun before it ("a centre of apartment blocks")."""

COMPASS_WORDS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western"})
"""The eight compass words, shared by positions, place relations and the gazetteer's non-names."""

DIRECTION_WORDS = COMPASS_WORDS | {
    "left",
    "right",
    "top",
    "bottom",
    "upper",
    "lower",
    "northerly",
    "southerly",
    "easterly",
    "westerly",
}
RARELY_WORDS = {"rarely", "seldom", "hardly", "barely", "scarcely", "never"}
"""Adverbs that turn "climbs above X" into "stays at or below X"."""
NEG_FIRST_BREAK = {"and", "or", "nor", ","}
"""Between a negation cue and the first subject it negates, a conjunction or a comma means the cue
negated something the lexicon does not know ("no cloud cover to speak of, VV around -4 dB"), and the
subject after it belongs to the next conjunct."""

LOW_DEGREE = {
    "low",
    "weak",
    "poor",
    "muted",
    "subdued",
    "limited",
    "minimal",
    "modest",
    "reduced",
    "faint",
    "little",
}
COPULAS = {
    "is",
    "are",
    "looks",
    "look",
    "seems",
    "seem",
    "appears",
    "appear",
    "remains",
    "stays",
    "was",
    "very",
    "rather",
    "quite",
    "fairly",
}
"""A vigour or greenness noun followed through a copula by a low-degree word ("plant vigour is low") or
preceded by one ("weak greenness") reads as sparse vegetation."""

FACTOR_WORDS = {
    "twice": 2.0,
    "double": 2.0,
    "doubled": 2.0,
    "thrice": 3.0,
    "triple": 3.0,
    "half": 0.5,
    "quarter": 0.25,
    "third": 1.0 / 3.0,
}
FACTOR_BARE = {"double", "doubled", "triple", "twice", "thrice"}
"""Factor words that compare without "as … as" ("A is more than double B")."""
TIMES_WORDS = frozenset({"times", "×", "x", "fold"})
"""After a number, a factor: "2 times", "2×", "2x", "3-fold"."""
COMPARATIVE_ADJ = frozenset({"bigger", "larger", "more", "greater", "higher", "wider", "as"})
RATIO_GAP = frozenset({"the", "area", "of", "extent", "amount", "share", "size", "that", "those", "what"})
"""Words between a bare factor and the class it is applied to ("double the area of open water")."""
COMPARISON_CUES = frozenset(
    {"than", "then", ">", "<", "≥", "≤", "×", "times", "double", "twice", "triple", "thrice"}
)
"""Tokens after which a class is the object of a comparison, never said present by it ("more meadow then
water", "cropland ≥ 2× water": both hold on a tile without water)."""
RATIO_AT_LEAST = ("at least", "more than", "over", "upwards of", "well over", "no less than", "≥", ">", ">=")
RATIO_AT_MOST = ("under", "less than", "at most", "no more than", "below", "not even", "≤", "<", "<=")
"""Factors in comparisons ("twice as much A as B", "A is more than double B") and their bounds."""

PLACE_PREPOSITIONS = frozenset(
    {"in", "on", "at", "to", "along", "across", "near", "around", "toward", "towards"}
)
INDEX_WORDS = frozenset(
    {"ndvi", "ndwi", "mndwi", "ndbi", "index", "evi", "savi", "db", "vv", "vh", "reflectance", "albedo"}
    | {"band", "mean", "average", "median", "brightness", "value"}
)
"""A clause naming an index or a radar channel: its bare decimals are values of it, not shares."""
DIFFERENCE_WORDS = frozenset({"difference", "gap", "minus", "contrast", "separation", "offset", "spread"})
"""With both polarisations named, a dB value is their difference ("the VV–VH gap is about 6 dB")."""
RESOLUTION_NOUNS = frozenset(
    {
        "scene",
        "resolution",
        "pixel",
        "pixels",
        "grid",
        "imagery",
        "image",
        "data",
        "band",
        "bands",
        "sensor",
        "gsd",
    }
)
"""After a length: the image's resolution ("a 10 m scene", "10 m pixels"), not a height."""
RESAMPLING_WORDS = frozenset({"resampled", "resolution", "gsd", "sampled", "spacing", "posting"})
"""Before a length: the grid it is on ("bands resampled to 10 m", "a resolution of 20 m")."""
NEAR_WORDS = frozenset(
    {"near", "nearby", "close", "closer", "from", "toward", "towards", "off", "inland", "beyond", "proximity"}
)
"""Words before "the sea / the coast" that place the sea outside the tile ("near the coast", "a few km
from the sea", "inland of the shore"): a statement about the surroundings, not water in the tile."""
MAP_QUALIFIERS = frozenset({"labelled", "labeled", "mapped", "classified", "legend"})
"""Words that restrict a dominance statement to the map's labelled pixels ("dominant among the mapped
classes"): the class then leads the labelled pixels, a statement about the largest class."""
MAP_CUES = {"osm", "openstreetmap", "polygon", "polygons", "mapped", "map's", "layer"}
"""Words by which a clause speaks of the land-cover map itself rather than the ground."""

SIGN_WORDS = {"positive", "negative", "value", "values", "db", "decibel", "decibels", "averages", "average"}

TRACE_MINOR = {
    "a handful of",
    "a mere handful of",
    "a tiny speck of",
    "a speck of",
    "just a speck of",
    "a sliver of",
    "a sliver",
    "sliver",
    "traces of",
    "a trace of",
    "a touch of",
    "a dash of",
    "a hint of",
    "trace amounts of",
    "negligible",
    "marginal",
    "a tiny fraction",
    "a tiny part",
    "a tiny share",
}
"""Small-amount words that say "only a few percent" (not merely "some"): contradicted by a clear share."""
COPULA_TO_AMOUNT = {
    "practically",  # "X is practically negligible", "virtually a trace"
    "virtually",
    "essentially",
    "basically",
    "almost",
    "nearly",
    "is",
    "are",
    "was",
    "makes",
    "make",
    "accounts",
    "account",
    "forms",
    "form",
    "up",
    "for",
    "only",
    "just",
    "merely",
    "takes",
    "take",
    "occupies",
    "occupy",
    "amounts",
    "to",
}

DRY_WORDS = {"dry"}
DRY_INTENSIFIERS = frozenset({"completely", "entirely", "totally", "fully", "bone", "perfectly", "wholly"})
LAND_NOUNS = {"land", "ground", "terrain", "footing", "earth"}
"""'dry' before a word for the ground itself means 'not under water' ("dry land"), not parched vegetation."""

RANK_OBJECTS = {
    "tally",
    "list",
    "ranking",
    "rankings",
    "table",
    "league",
    "pack",
    "field",
    "rest",
    "others",
    "everything",
    "chart",
    "count",
    "breakdown",
    "classes",
    "categories",
    "composition",
    "mix",
    "legend",
    "inventory",
    "leaderboard",
}
"""The object of a comparative verb that makes it a ranking among all classes ("A leads the tally",
"A trails the rest"): nouns for the collection of classes, never a class."""

LIST_GAP = {
    ",",
    "or",
    "nor",
    "and",
    "any",
    "a",
    "an",
    "the",
    "other",
    "either",
    "even",
    "single",
    "of",
    "/",
    "&",
}
CLAUSE_WORDS = {
    "but",
    "while",
    "whereas",
    "although",
    "though",
    "yet",
    "however",
    "meanwhile",
    "additionally",
    "also",
}
CLAUSE_AFTER_COMMA = {
    "and",
    "while",
    "with",
    "which",
    "where",
    "so",
    "plus",
    "then",
    "the",
    "there",
    "it",
    "this",
    "located",
    "shot",
    "taken",
    "captured",
    "acquired",
    "recorded",
    "imaged",
    "dated",
    "geographically",
    "a",
    "an",
    "most",
    "no",
    "not",
    "nothing",
    "some",
    "more",
    "you",
    "settlement",
    "forest",
    "cropland",
    "grassland",
    "scrub",
    "built-up",
    "urban",
    "water",
    "bushland",
    "woodland",
    "meadow",
    "farmland",
    "of",
    "in",
    "on",
    "toward",
    "towards",
    "along",
    "by",
    "approximately",
    "about",
    "roughly",
    "around",
    "nearly",
}

FILLER = {
    "scene",
    "report",
    "summary",
    "tile",
    "image",
    "describing",
    "sure",
    "here",
    "orbit",
    "land",
    "reveals",
    "itself",
    "seen",
    "high",
    "above",
    "satellite",
    "satellite's",
    "gaze",
    "observation",
    "characterisation",
    "characterization",
    "honestly",
    "ok",
    "so",
    "i",
    "think",
    "shows",
    "following",
    "additionally",
    "also",
    "this",
    "is",
    "a",
    "the",
    "of",
    "from",
    "under",
    "and",
    "in",
    "on",
    "s",
    "it",
    "its",
    "there",
    "what",
    "we",
    "see",
    "view",
    "overview",
    "description",
    "caption",
    "picture",
    "photo",
    "shot",
    "snapshot",
    "let",
    "me",
    "describe",
    "you",
    "can",
    "look",
    "looking",
    "at",
    "an",
    "as",
    "for",
    "with",
    "to",
    "that",
    "here's",
    "are",
    "be",
    "been",
    "by",
    "rest",
    "unlabelled",
    "unlabeled",
    "well",
    "hmm",
    "yes",
    "okay",
    "tile:",
    "frame",
    "area",
    "patch",
    "displays",
    "depicts",
    "captures",
    "details",
    "notes",
    "note",
    "quick",
    "brief",
    "short",
    "s2",
    "sentinel",
    "sentinel-2",
    "imagery",
    "data",
    "our",
    "your",
    "my",
    "certainly",
    "absolutely",
    "course",
    "glad",
    "help",
    "like",
    "just",
    "really",
    "pretty",
    "much",
    "anyway",
    "basically",
    "overall",
    "all",
    "sum",
    "conclusion",
    "finally",
    "lastly",
    "first",
    "firstly",
    "second",
    "secondly",
    "then",
    "next",
    "moreover",
    "furthermore",
}

FILLER |= MAP_CUES | {"landuse", "land-use", "use", "appears", "appear", "includes", "include", "shows"}
FILLER |= {"c", "ca", "approx", "appr", "est", "abt", "circa"}  # "c. 85 %", "approx. 11 %": about

STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "and",
    "or",
    "nor",
    "but",
    "with",
    "without",
    "in",
    "on",
    "at",
    "by",
    "to",
    "from",
    "for",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "its",
    "it's",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "which",
    "who",
    "whose",
    "what",
    "where",
    "when",
    "while",
    "than",
    "then",
    "so",
    "such",
    "some",
    "any",
    "each",
    "every",
    "all",
    "both",
    "either",
    "neither",
    "more",
    "most",
    "less",
    "least",
    "few",
    "fewer",
    "many",
    "much",
    "several",
    "other",
    "another",
    "only",
    "just",
    "also",
    "too",
    "very",
    "quite",
    "rather",
    "fairly",
    "pretty",
    "really",
    "well",
    "even",
    "still",
    "yet",
    "again",
    "about",
    "around",
    "approximately",
    "roughly",
    "nearly",
    "almost",
    "close",
    "over",
    "under",
    "above",
    "below",
    "between",
    "into",
    "onto",
    "across",
    "through",
    "throughout",
    "along",
    "among",
    "amid",
    "within",
    "beyond",
    "near",
    "next",
    "beside",
    "besides",
    "behind",
    "ahead",
    "toward",
    "towards",
    "up",
    "down",
    "out",
    "off",
    "one",
    "ones",
    "does",
    "do",
    "did",
    "has",
    "have",
    "had",
    "can",
    "could",
    "will",
    "would",
    "shall",
    "should",
    "may",
    "might",
    "must",
    "not",
    "no",
    "i",
    "we",
    "you",
    "they",
    "our",
    "your",
    "their",
    "my",
    "me",
    "us",
    "them",
    "he",
    "she",
    "his",
    "her",
    "if",
    "because",
    "since",
    "although",
    "though",
    "whereas",
    "however",
    "thus",
    "hence",
    "therefore",
    "like",
    "unlike",
    "per",
    "cent",
    "percent",
    "percents",
    "covers",
    "cover",
    "covering",
    "covered",
    "occupies",
    "occupy",
    "occupied",
    "takes",
    "take",
    "taken",
    "makes",
    "make",
    "made",
    "accounts",
    "account",
    "spans",
    "span",
    "spreads",
    "spread",
    "shows",
    "show",
    "shown",
    "showing",
    "lies",
    "lie",
    "lying",
    "sits",
    "sit",
    "sitting",
    "appears",
    "appear",
    "appearing",
    "found",
    "find",
    "seen",
    "see",
    "visible",
    "present",
    "located",
    "situated",
    "placed",
    "set",
    "mapped",
    "map",
    "maps",
    "labelled",
    "labeled",
    "label",
    "labels",
    "class",
    "classes",
    "type",
    "types",
    "category",
    "land",
    "land-cover",
    "area",
    "areas",
    "tile",
    "tile's",
    "scene",
    "frame",
    "image",
    "picture",
    "view",
    "patch",
    "pixels",
    "pixel",
    "share",
    "fraction",
    "proportion",
    "portion",
    "part",
    "parts",
    "amount",
    "total",
    "whole",
    "entire",
    "rest",
    "remainder",
    "remaining",
    "region",
    "zone",
    "zones",
    "stretch",
    "stretches",
    "block",
    "blocks",
    "mix",
    "mixture",
    "mosaic",
    "patchwork",
    "combination",
    "blend",
    "range",
    "extent",
    "size",
    "ground",
    "surface",
    "landscape",
    "countryside",
    "terrain",
    "clearly",
    "mainly",
    "largely",
    "generally",
    "overall",
    "mostly",
    "somewhat",
    "slightly",
    "little",
    "bit",
    "lot",
    "lots",
    "plenty",
    "number",
    "couple",
    "handful",
    "pockets",
    "pocket",
    "patches",
    "clusters",
    "cluster",
    "clustered",
    "concentrated",
    "distributed",
    "scattered",
    "dotted",
    "spotted",
    "sign",
    "signs",
    "trace",
    "traces",
    "kind",
    "sort",
    "form",
    "forms",
    "way",
    "ways",
    "side",
    "sides",
    "half",
    "quarter",
    "corner",
    "edge",
    "edges",
    "centre",
    "center",
    "middle",
    "further",
    "far",
    "away",
    "nearby",
    "elsewhere",
    "everywhere",
    "anywhere",
    "somewhere",
    "nowhere",
    "entirely",
    "completely",
    "fully",
    "partly",
    "partially",
    "wholly",
    "includes",
    "include",
    "including",
    "contains",
    "contain",
    "containing",
    "features",
    "feature",
    "featuring",
    "holds",
    "hold",
    "gives",
    "give",
    "given",
    "goes",
    "go",
    "gets",
    "get",
    "comes",
    "come",
    "reads",
    "read",
    "stands",
    "stand",
    "averages",
    "average",
    "averaged",
    "mean",
    "median",
    "value",
    "values",
    "measured",
    "measures",
    "estimated",
    "reaches",
    "reach",
    "reaching",
    "exceeds",
    "stays",
    "remains",
    "sees",
    "looks",
    "look",
    "looking",
    "seems",
    "seem",
    "says",
    "say",
    "think",
    "guess",
    "honestly",
    "ok",
    "okay",
    "yes",
    "sure",
    "indeed",
    "actually",
    "basically",
    "essentially",
    "certainly",
    "definitely",
    "likely",
    "probably",
    "perhaps",
    "possibly",
    "apparently",
    "maybe",
    "whatsoever",
    "anything",
    "nothing",
    "something",
    "everything",
    "none",
    "single",
    "s",
    "t",
    "n't",
    "ll",
    "re",
    "ve",
    "d",
    "m",
    "summary",
    "report",
    "description",
    "characterisation",
    "characterization",
    "observation",
    "overview",
    "describing",
    "describe",
    "following",
    "details",
    "note",
    "notes",
    "additionally",
    "moreover",
    "furthermore",
    "firstly",
    "secondly",
    "finally",
    "lastly",
    "first",
    "second",
    "third",
    "now",
    "today",
    "spot",
    "spots",
    "strip",
    "strips",
    "belt",
    "band",
    "bands",
    "line",
    "lines",
    "dominant",
    "dominating",
    "dominated",
    "dominates",
    "prevails",
    "majority",
    "minority",
    "bulk",
    "shares",
    "slice",
    "lion's",
    "greater",
    "better",
    "larger",
    "largest",
    "biggest",
    "smaller",
    "smallest",
    "main",
    "primary",
    "principal",
    "leading",
    "chief",
    "key",
    "notable",
    "noticeable",
    "significant",
    "considerable",
    "substantial",
    "modest",
    "minor",
    "major",
    "large",
    "small",
    "big",
    "tiny",
    "huge",
    "vast",
    "wide",
    "narrow",
    "broad",
    "extensive",
    "limited",
    "sparse",
    "dense",
    "thin",
    "thick",
    "open",
    "closed",
    "mixed",
    "various",
    "varied",
    "different",
    "same",
    "similar",
    "equal",
    "comparable",
    "combined",
    "together",
    "alone",
    "apart",
    "unmapped",
    "unlabelled",
    "unlabeled",
    "no-data",
    "nodata",
    "data",
    "satellite",
    "orbit",
    "overhead",
    "space",
    "high",
    "gaze",
    "reveals",
    "itself",
    "captured",
    "acquired",
    "recorded",
    "imaged",
    "photographed",
    "shot",
    "dated",
    "acquisition",
    "capture",
    "date",
    "day",
    "tile-mean",
    "scene-wide",
    "radar",
    "backscatter",
    "returns",
    "return",
    "hugging",
    "hugs",
    "hug",
    "quadrant",
    "quadrants",
    "hand",
    "room",
    "represented",
    "plants",
    "plant",
    "territory",
    "country",
    "product",
    "dates",
    "top",
    "bottom",
    "amounting",
    "amounts",
    "fills",
    "fill",
    "season",
    "exists",
    "exist",
    "count",
    "counts",
    "square",
    "km",
    "relief",
    "claims",
    "claim",
    "tally",
    "during",
    "taking",
    "speaking",
    "speak",
    "σ⁰",
    "σ",
    "channels",
    "channel",
    "averaging",
    "winds",
    "runs",
    "run",
    "month",
    "year",
    "head",
    "elevation",
    "elevations",
    "altitude",
    "slope",
    "slopes",
    "gradient",
    "gradients",
    "height",
    "heights",
    "metres",
    "meters",
    "degrees",
    "db",
    "signal",
    "index",
    "vegetation",
    "polarisation",
    "polarization",
    "polarised",
    "polarized",
    "sensor",
    "sentinel",
    "winter",
    "summer",
    "spring",
    "autumn",
    "state",
    "province",
    "district",
    "county",
    "municipality",
    "nation",
    "frame's",
    "image's",
    "mapping",
    "coverage",
}
"""Words that carry no checkable content on their own (function words, caption scaffolding, generic
quantity and layout nouns); any other word left over in a clause makes that clause unverifiable."""

STOPWORDS |= {
    "crosses",
    "cross",
    "crossing",
    "crossed",
    "meanders",
    "meander",
    "meandering",
    "flows",
    "flow",
    "flowing",
    "passes",
    "pass",
    "passing",
    "traverses",
    "traverse",
    "bisects",
    "bisect",
    "borders",
    "border",
    "bordering",
    "lines",
    "lined",
    "fringes",
    "fringe",
    "fringed",
    "dot",
    "dots",
    "surrounds",
    "surround",
    "surrounded",
    "frames",
    "framed",
    "skirts",
    "skirt",
    "flanks",
    "flank",
    "flanked",
    "interspersed",
    "punctuated",
    "broken",
    "separated",
    "divided",
    "bounded",
    "adjoining",
    "adjacent",
    "neighbouring",
    "neighboring",
}

FAMILY_CUES = {
    "elevation": "elevation",
    "altitude": "elevation",
    "metres": "elevation",
    "m": "elevation",
    "slope": "slope",
    "slopes": "slope",
    "gradient": "slope",
    "degrees": "slope",
    "terrain": "terrain",
    "relief": "terrain",
    "ground": "terrain",
    "topography": "terrain",
    "canopy": "canopy",
    "trees": "canopy",
    "ndvi": "vegetation",
    "vegetation": "vegetation",
    "green": "vegetation",
    "plants": "vegetation",
    "radar": "sar",
    "backscatter": "sar",
    "vv": "sar",
    "vh": "sar",
    "db": "sar",
    "sar": "sar",
    "winter": "season",
    "summer": "season",
    "year": "season",
    "country": "place",
    "located": "place",
    "lies": "place",
    "region": "place",
    "road": "osm_object",
    "roads": "osm_object",
}
"""A guess of the family of a clause the extractor did not understand (for the unverifiable record)."""

CANOPY_CUES = {
    "tree",
    "trees",
    "canopy",
    "forest",
    "woodland",
    "tall",
    "towers",
    "towering",
    "tallest",
    "height",
    "heights",
}
ALTITUDE_CUES = {
    "altitude",
    "altitudes",
    "elevation",
    "elevations",
    "asl",
    "high",
}
"""Words that make a distance in kilometres a height ("the terrain reaches 2.8 km altitude")."""
RELIEF_CUES = {
    "relief",
    "difference",
    "varies",
    "vary",
    "drop",
    "drops",
    "amplitude",
}
MAX_CUES = {
    "max",
    "maximum",
    "highest",
    "peak",
    "peaks",
    "rises",
    "rise",
    "rising",
    "reach",
    "reaches",
    "reaching",
    "tops",
    "top",
    "up",
    "tallest",
    "steepest",
    "exceed",
    "exceeds",
    "summit",
    "towers",
}
MIN_CUES = {"min", "minimum", "lowest", "bottom", "dips", "falls", "down"}
NUMBER_CUES = (
    CANOPY_CUES | RELIEF_CUES | MAX_CUES | MIN_CUES | {"steeper", "higher", "lower", "taller", "shorter"}
)
"""Words that say what a number measures; not left over when the clause's number was understood."""

_SKIP: tuple[str, ...] = (
    "without doubt",  # an intensifier, not a negation ("without doubt the west holds some crops")
    "without a doubt",
    "no doubt",
    "beyond doubt",
    "sea level",
    # document words, not land cover ("Field report — tile 12", "field notes")
    "field report",
    "field reports",
    "field notes",
    "field note",
    "field log",
    "field survey",
    "field visit",
    "field check",
    "field trip",
    "field of view",
    "lake district",  # a landscape's name ("the Havel lake district"), not a lake in the tile
    "above sea level",
    "level of detail",
    "land-cover map",
    "land cover map",
    "the map",
    "land-cover class",
    "land-cover type",
    "mapped classes",
    "single class",
    "the rest is unlabelled",
    "is unlabelled",
    "rest is unlabelled",
    "the rest",
    "field of view",
    "bank",
    "a mix",
    "mix",
    "land-cover fraction",
    "land cover fraction",
    "fraction",
    "share",
    "the share of",
    "by pixel count",
    "pixel count",
    "on area",
    "in area",
    "on the map",
    "the image",
    "the tile",
    "the scene",
    "the acquisition",
    "the frame",
    "the season",
    "the country",
    "sentinel-1",
    "sentinel-2",
    "sentinel 1",
    "sentinel 2",
    "s1",
    "s2",
)


def _extend(table: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]) -> None:
    for k, v in extra.items():
        table[k] = (*table.get(k, ()), *v)


_extend(
    SAR,
    {
        "sar": (
            "sar",
            "sar signal",
            "sar signals",
            "sar backscatter",
            "sar return",
            "sar returns",
            "sar values",
            "sar intensity",
            "radar signal",
            "radar intensity",
            "radar values",
        )
    },
)
# vocabulary gaps found on fidelity sets: class adjectives and names the lexicon lacked
_extend(
    LC,
    {
        "mangroves": ("mangroves", "mangrove", "mangrove forest", "mangrove forests", "mangrove swamp"),
        "built": ("residential", "residential land", "residential area", "residential areas"),
        "cropland": ("agricultural fields", "agricultural land", "cultivated fields", "crop fields"),
        "shrubland": ("shrubby", "shrubby vegetation", "bushy", "bushy vegetation", "shrubby ground"),
        "wetland": (
            "swampy",
            "swampy ground",
            "marshy",
            "marshy ground",
            "wet meadow",
            "wet meadows",
            "wet meadows and reeds",
        ),
    },
)

_extend(
    VEG,
    {
        "green": (
            "thriving",
            "vivid",
            "in full leaf",
            "very green",
            "green canopy",
            "green",
            "flourishing",
            "leafy",
            "vibrant green",
            "verdant green",
            "healthy green",
            "green and lush",
            "full leaf",
        ),
        "sparse": ("leafless", "bare branches", "dry", "dried-out", "scorched", "brownish", "sere"),
    },
)
_extend(
    CMP,
    {
        "verb_more": (
            "outshines",
            "outshine",
            "is brighter than",
            "brighter than",
            "dominates over",
            "overshadows",
            "is more prominent than",
            "more prominent than",
            "occupies more",
            "covers a larger area than",
            "is more plentiful than",
            "has the edge over",
        ),
        "verb_less": (
            "is dimmer than",
            "dimmer than",
            "is overshadowed by",
            "is less prominent than",
            "less prominent than",
            "is sparser than",
            "sparser than",
            "is smaller in extent than",
        ),
    },
)
_extend(
    CMP,
    {
        "verb_more": (
            ">",
            "≥",
            ">=",
            "bigger then",
            "larger then",
            "greater then",
            "more extensive then",
            "higher then",
            "is bigger then",
            "is larger then",
        ),
        "verb_less": ("<", "≤", "<=", "smaller then", "less extensive then", "is smaller then", "lower then"),
    },
)
LABELLED = (
    *LABELLED,
    "labelled area",
    "the labelled area",
    "mapped area",
    "the mapped area",
    "coverage of the map",
)


COVER_VERBS = {
    "covers",
    "cover",
    "covering",
    "covered",
    "occupies",
    "occupy",
    "occupying",
    "fills",
    "fill",
    "filling",
    "takes",
    "take",
    "taking",
    "makes",
    "make",
    "making",
    "accounts",
    "account",
    "accounting",
    "blankets",
    "blanket",
    "blanketing",
    "spans",
    "span",
    "spreads",
    "spread",
    "constitutes",
    "constitute",
    "comprises",
    "comprise",
    "claims",
    "claim",
    "is",
    "are",
    "forms",
    "form",
    "represents",
    "represent",
    "dominates",
    "extends",
    "stretches",
    "holds",
    "hold",
    "has",
    "have",
    "gets",
    "get",
}
"""Verbs after which "most", "the majority", "the bulk" quantify the class before them."""

_extend(
    OSM,
    {
        "building": (
            "apartment blocks",
            "apartment buildings",
            "tower blocks",
            "office blocks",
            "blocks of flats",
        ),
        "downtown": ("town centre", "city block", "city blocks", "dense urban core", "inner city"),
    },
)
_extend(
    SAR,
    {
        "dark": (
            "backscatter is low",
            "backscatter is weak",
            "returns are weak",
            "returns are low",
            "radar returns are weak",
            "low radar backscatter",
            "backscatter is dark",
            "radar-dark",
        ),
        "bright": (
            "backscatter is high",
            "backscatter is strong",
            "returns are strong",
            "returns are high",
            "radar returns are strong",
            "high radar backscatter",
            "backscatter is bright",
        ),
    },
)
_extend(
    SAR,
    {
        "vv": (
            "co-pol",
            "co-pol backscatter",
            "co-polarisation",
            "co-polarization",
            "co-polarised channel",
            "vv-polarised",
        ),
        "vh": (
            "cross-pol",
            "cross-pol backscatter",
            "cross-polarisation",
            "cross-polarization",
            "cross-polarised channel",
            "vh-polarised",
        ),
    },
)
HEMISPHERES = {
    "hemisphere:northern": ("northern hemisphere", "the northern hemisphere", "north of the equator"),
    "hemisphere:southern": ("southern hemisphere", "the southern hemisphere", "south of the equator"),
}
STOPWORDS |= {w for p in (*BOUND_BEFORE, *BOUND_AFTER) for w in p.split()}
STOPWORDS |= {
    "geographically",
    "remainder",
    "deep",
    "rise",
    "rises",
    "rising",
    "drop",
    "drops",
    "island",
    "islands",
    "there's",
    "it's",
    "here's",
    "that's",
    "what's",
    "cuts",
    "cut",
    "cutting",
    "good",
    "full",
    "solid",
    "whopping",
    "mere",
    "meagre",
    "paltry",
    "tiny",
    "modest",
    "scene's",
    "tile's",
}
_extend(
    VEG,
    {
        "green": (
            "healthy",
            "vigorous growth",
            "in vigorous growth",
            "strongly green",
            "luxuriant green",
            "lush growth",
        )
    },
)
_extend(CANOPY, {"tall": ("giant trees", "huge trees", "towering trees", "giant", "old-growth")})
_extend(LC, {"snow": ("glaciated", "glacial ice", "ice-covered", "snow-covered", "snowy")})
LARGEST = (
    *LARGEST,
    "outranks every other class",
    "outranks all other classes",
    "outranks every other class in area",
    "has the largest footprint",
    "largest footprint",
    "biggest footprint",
    "the largest footprint",
    "ahead of every other class",
    "ahead of all other classes",
    "tops the list",
    "ranks first",
)
_extend(
    CMP,
    {
        "verb_more": ("well ahead of", "ahead of", "far ahead of"),
        "verb_less": ("well behind", "far behind", "behind"),
    },
)
_extend(
    LC,
    {
        "urban:city": ("urbanised", "urbanized", "densely built-up", "built over", "densely built"),
        "cropland": ("agricultural",),
    },
)
_SKIP = (
    *_SKIP,
    # the shore or bank of an inland water body names that body, not the sea ("the shore of a lake")
    *(
        f"{edge} of {det}"
        for edge in ("shore", "shores", "shoreline", "bank", "banks")
        for det in ("a", "an", "the", "this", "that")
    ),
    # source attributions name the product a claim was measured on; they claim nothing themselves
    *(
        f"{cue} {product}"
        for cue in ("according to", "per", "as mapped by", "as mapped in", "from", "in")
        for product in ("openstreetmap land use", "esa worldcover", "dynamic world")
    ),
    "openstreetmap land use",
    # band names: "Green (B3) reflectance ≈ 0.12" says nothing about green vegetation
    *(f"{c} {b}" for c in ("green", "red") for b in ("(b3)", "(b03)", "(b4)", "(b04)", "band", "channel")),
    "green reflectance",
    "green-band",
    "red-band",
    # the middle of a period is no place in the tile ("after the middle of the month")
    *(f"{d}middle of the {p}" for d in ("", "the ") for p in ("month", "year")),
    # "not far from X" places X near; its "not" negates nothing
    "not far from",
    "not too far from",
    "not very far from",
    "not far off",
    # report headings: a field report is no field
    "field report",
    "field log",
    "field notes",
    "field note",
    "field survey",
    "field visit",
    "field check",
    "field sheet",
    "field trip",
    # caveats about resolution: "cannot resolve individual trees or houses" says nothing about the tile
    *(
        f"{adj} {noun}"
        for adj in ("individual", "single")
        for noun in ("trees", "tree", "houses", "house", "buildings", "building", "fields", "field", "plants")
    ),
    *(
        f"individual {a} {conj} {b}"
        for a in ("trees", "houses", "buildings", "fields")
        for b in ("trees", "houses", "buildings", "fields", "roads")
        for conj in ("or", "and")
        if a != b
    ),
    "patch of land",
    "a patch of land",
    "stretch of land",
    "a stretch of land",
    "piece of land",
    "area of land",
    "tract of land",
    "parcel of land",
)
STOPWORDS |= {
    "clearings",
    "clearing",
    "pictured",
    "site",
    "closer",
    "bird's",
    "eye",
    "bird's-eye",
    "overhead",
    "stretch",
}
LABELLED_NOT = (
    "unlabelled",
    "unlabeled",
    "no-data",
    "nodata",
    "no data",
    "unmapped",
    "without a label",
    "carries no label",
    "carry no label",
    "has no label",
    "have no label",
    "is unlabelled",
    "are unlabelled",
    "is no-data",
    "is blank",
    "blank",
    "unclassified",
    "not mapped",
    "not labelled",
    "not labeled",
)
_extend(
    CMP,
    {
        "verb_more": (
            "eclipses",
            "eclipse",
            "overtakes",
            "covers a bigger share than",
            "has a larger share than",
            "has more area than",
            "takes up more space than",
            "occupies more ground than",
            "is more widespread",
            "outweighs by far",
            "outpaces",
            "is ahead of",
        ),
        "verb_less": (
            "loses out to",
            "is outstripped by",
            "is eclipsed by",
            "comes second to",
            "is dwarfed by",
            "has less area than",
            "takes up less space than",
            "occupies less ground than",
            "is rarer than",
            "is less abundant than",
            "less abundant than",
            "trails far behind",
        ),
    },
)
DOMINANT = (
    *DOMINANT,
    "for the most part",
    "in large part",
    "is predominant",
    "predominates",
    "predominate",
    "makes up the majority",
    "make up the majority",
    "covers the bulk",
    "a clear majority",
    "is the majority",
    "the vast majority of",
    "the great majority of",
)
POST_QUANT |= {
    "predominates",
    "predominate",
    "is predominant",
    "makes up the majority",
    "make up the majority",
    "covers the bulk",
    "is the majority",
}
LARGEST = (
    *LARGEST,
    "the most widespread",
    "most widespread class",
    "the most abundant",
    "most abundant",
    "the top class",
    "the largest single",
    "the largest class",
    "largest class",
    "the leading class",
)
MINOR = (
    *MINOR,
    "a handful of",  # "a mere handful of X pixels", "a tiny speck of X": a trace
    "a mere handful of",
    "a tiny speck of",
    "a speck of",
    "just a speck of",
    "parcels of",
    "a few parcels of",
    "plots of",
    "a few plots of",
    "a dash of",
    "a hint of",
    "a sprinkle of",
    "marginal",
    "negligible",
    "trace amounts of",
    "a few patches of",
)
NEG = (
    *NEG,
    "nil",
    "free from",
    "bereft of",
    "void of",
    "not even a",
    "not a hint of",
    "no hint of",
    "no patch of",
    "with no",
    "lacks any",
    "absent any",
)
POSTNEG = (
    *POSTNEG,
    "is not present anywhere",
    "does not feature",
    "doesn't feature",
    "is lacking entirely",
    "is entirely lacking",
    "is not represented",
    "isn't represented",
    "is unrepresented",
    "accounts for nothing",
    "cannot be found",
    "can't be found",
    "is not there",
    "are not there",
    "is nowhere",
    "are nowhere",
    "-free",  # the negating suffix of a compound: "forest-free", "built-up-free", "water-free"
)
_extend(
    VEG,
    {
        "sparse": ("senescent", "leaf-off", "bare-branched", "brown and dry"),
        "green": ("photosynthetically active", "chlorophyll-rich"),
    },
)
_extend(LC, {"wetland": ("waterlogged", "waterlogged ground", "boggy ground", "peatland", "peat bog")})
LABELLED_ALL = (
    "the map covers the entire tile",
    "map covers the entire tile",
    "the map covers the whole tile",
    "the whole tile is mapped",
    "the entire tile is mapped",
    "every pixel is labelled",
    "every pixel carries a label",
    "fully mapped",
    "fully labelled",
    "the whole tile is labelled",
    "the entire tile is labelled",
)


def _entries() -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for concept, ps in LC.items():
        out += [(p, "lc", concept) for p in ps]
    for kind, ps in WATER.items():
        out += [(p, "water", kind) for p in ps]
    for kind, ps in OSM.items():
        out += [(p, "osm", kind) for p in ps]
    for subj, ps in TERRAIN.items():
        out += [(p, "terrain", subj) for p in ps]
    for subj, ps in VEG.items():
        out += [(p, "veg", subj) for p in ps]
    for subj, ps in CANOPY.items():
        out += [(p, "canopy", subj) for p in ps]
    for subj, ps in SAR.items():
        out += [(p, "sar", subj) for p in ps]
    for season, ps in SEASONS.items():
        out += [(p, "season", season) for p in ps]
    out += [(m, "month", str(i + 1)) for i, m in enumerate(MONTHS)]
    out += [(m, "month", str(i + 1)) for i, m in enumerate(MONTH_ABBR) if m not in ("may", "mar")]
    out += [(p, "year", "year") for p in YEAR_CUES]
    out += [(p, "flip", "flip") for p in FLIP]
    out += [(p, "neg", "neg") for p in NEG]
    out += [(p, "postneg", "neg") for p in POSTNEG]
    out += [(p, "hedge", "hedge") for p in HEDGES]
    out += [(p, "dom", p) for p in DOMINANT]
    out += [(p, "largest", "largest") for p in LARGEST]
    out += [(p, "minor", "minor") for p in MINOR]
    out += [(p, "all", "all") for p in ALL]
    out += [(p, "nomajority", "none") for p in NOMAJORITY]
    out += [(p, "labelled", "strong" if p in LABELLED_STRONG else "weak") for p in LABELLED]
    out += [(p, "labelled", "all") for p in LABELLED_ALL]
    out += [(p, "labelled", "unlabelled") for p in LABELLED_NOT]
    out += [(p, "place", v) for v, ps in HEMISPHERES.items() for p in ps]
    for kind, ps in CMP.items():
        out += [(p, "cmp", kind) for p in ps]
    for sector, ps in POS.items():
        out += [(p, "pos", sector) for p in ps]
    out += [(p, "skip", "") for p in _SKIP]
    out += [(p, "climate", c) for c, ps in CLIMATE.items() for p in ps]
    return out


CLIMATE: dict[str, tuple[str, ...]] = {
    "tropical": ("tropical", "tropics", "equatorial", "rainforest"),
    "arid": ("arid", "desert", "semi-arid"),
    "polar": ("polar", "arctic", "antarctic"),
}


def _index(entries: list[tuple[str, str, str]]) -> dict[str, list[tuple[tuple[str, ...], str, str]]]:
    idx: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    seen: set[tuple[str, ...]] = set()
    for phrase, cat, val in entries:
        words = _toks(phrase)
        if not words or words in seen:
            continue
        seen.add(words)
        idx.setdefault(words[0], []).append((words, cat, val))
    for v in idx.values():
        v.sort(key=lambda e: -len(e[0]))
    return idx


NEG = (
    *NEG,
    "nowhere on the map",
    "nowhere in the tile",
    "nowhere in the scene",
    "nowhere in the image",
    "nowhere in the frame",
    "at no point",
)
STOPWORDS |= {
    "minus",
    "negative",
    "positive",
    "decibels",
    "by",
    "returns",
    "key",
    "facts",
    "fact",
    "highlights",
    "margin",  # "by a wide margin": the size of a comparison's lead, said by the comparison
    "observer",
    "linear",
    "units",
    # bare answers and their intensifiers ("Snow? Nope.", "not a flake of snow")
    "nope",
    "yep",
    "yeah",
    "yup",
    "nah",
    "flake",
    # caveats: "a single scene cannot resolve …, so treat the numbers as estimates"
    "resolve",
    "treat",
    "estimates",
    "numbers",
    "figures",
}
INDEX = _index(_entries())


def _index2(idx: dict[str, list[tuple[tuple[str, ...], str, str]]]) -> dict[tuple[str, str], list[Any]]:
    """The same entries keyed by their first two tokens ("" for one-token phrases): a lookup
    touches only the phrases that can match, longest first."""
    out: dict[tuple[str, str], list[Any]] = {}
    for first, entries in idx.items():
        for e in entries:  # already longest first
            out.setdefault((first, e[0][1] if len(e[0]) > 1 else ""), []).append(e)
    return out


INDEX2 = _index2(INDEX)


# ---- places -----------------------------------------------------------------------------------------
_PLACE_PREP = {"in", "near", "of", "on", "at", "from", "across", "around", "outside", "within", "inside"}
HEADING_NOUNS = {
    "observed",
    "seen",
    "note",
    "notes",
    "summary",
    "findings",
    "finding",
    "observation",
    "observations",
    "obs",
    "remark",
    "remarks",
    "caption",
    "description",
    "overview",
    "update",
    "details",
    "fact",
    "facts",
    "tip",
    "comment",
    "comments",
    "highlights",
    "takeaway",
    "takeaways",
    "report",
    "analysis",
    "result",
    "results",
    "log",
    "entry",
    "verdict",
    "recap",
    "snapshot",
    "notice",
    "memo",
}
"""Nouns that end a heading before a colon ("Field note:", "Quick summary:", "Obs.:"): the heading
labels the text, it claims nothing (its other words are never land cover)."""


def headings(toks: Sequence[Any]) -> set[int]:
    """Token indices of headings: up to 4 words at the start of the caption or of a sentence, ending in
    a heading noun (an optional ".") and a colon."""
    out: set[int] = set()
    starts = [0] + [k + 1 for k, t in enumerate(toks) if t.low in (".", "!", "?", "\n")]
    for a in starts:
        for c in range(a + 1, min(a + 6, len(toks))):
            if toks[c].low in ("!", "?", ";", "|") or (
                toks[c].low == "." and not (c + 1 < len(toks) and toks[c + 1].low == ":")
            ):
                break  # "Largely water. Remarks: …": the heading starts after the full stop
            if toks[c].low != ":":
                continue
            b = c - 1 if toks[c - 1].low == "." else c
            if b > a and toks[b - 1].low in HEADING_NOUNS:
                out.update(range(a, c + 1))
            break
    return out


_MONTH_NAMES = MONTH_WORDS
_RELATIONS = {"west": "west", "east": "east", "north": "north", "south": "south", "near": "near"}


def mask_places(toks: Sequence[Any], text: str) -> tuple[set[int], list[Any]]:
    """Place names → (masked token indices, place hits). Known names (countries, regions, continents,
    demonyms, "west of Berlin") become checkable place claims; other capitalised names after a
    preposition become unverifiable place claims, and their words claim nothing else ("Lake District")."""
    from geomeld.captioning.extract import Hit

    masked: set[int] = set()
    hits: list[Hit] = []
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        # relational: "west of Berlin", "near Potsdam"
        if t.low in _RELATIONS and i + 2 < n and toks[i + 1].low == "of" and toks[i + 2].low in CITIES:
            rel = _RELATIONS[t.low]
            hits.append(
                Hit(i, i + 3, "place", f"relation:{rel} of {toks[i + 2].low}", t.start, toks[i + 2].end)
            )
            masked.update(range(i, i + 3))
            i += 3
            continue
        if t.low == "near" and i + 1 < n and toks[i + 1].low in CITIES:
            hits.append(Hit(i, i + 2, "place", f"relation:near {toks[i + 1].low}", t.start, toks[i + 1].end))
            masked.update(range(i, i + 2))
            i += 2
            continue
        near = _near_town(toks, text, i)  # "on the outskirts of Hamburg", "around Dresden" (GeoNames)
        if near is not None:
            j, name = near
            hits.append(Hit(i, j, "place", f"relation:near {name.lower()}", t.start, toks[j - 1].end))
            masked.update(range(i, j))
            i = j
            continue
        # known names, longest first (up to 5 tokens)
        found = None
        for k in (5, 4, 3, 2, 1):
            if i + k > n:
                continue
            words = [x.low for x in toks[i : i + k]]
            if not words[-1][:1].isalnum():
                continue  # a name never ends in punctuation ("the city of Berlin." is "… Berlin")
            name = " ".join(words).replace(" - ", "-").replace(" . ", ". ")
            capitalised = toks[i].cap or (k > 1 and toks[i].low == "the" and toks[i + 1].cap)
            r = resolve(name, gazetteer=capitalised)
            if not capitalised and not (r is not None and r[0] in ("country", "demonym")):
                r = _lower_region(toks, i, k, name, r)
            if r is None:
                continue
            if not capitalised and name in _AMBIGUOUS_NAMES:
                continue  # lower-case: only unambiguous names ("we are in germany", "in hesse")
            found = (k, r)
            break
        if found:
            k, (kind, canon) = found
            subject = {"demonym": "country"}.get(kind, kind)
            if kind == "region" and canon not in REGIONS and i + k < n and toks[i + k].low in LANDFORM_NOUNS:
                subject = "landmark"  # "the Barrow estuary": a river's name, not the admin region
            a = i
            if i > 0 and toks[i - 1].low in _PLACE_DIRECTIONS and (i - 1) not in masked:
                a = i - 1  # "eastern Germany", "southern Spain": part of the place, not a tile position
                if hits and hits[-1].j > a:
                    a = i
            hits.append(Hit(a, i + k, "place", f"{subject}:{canon}", toks[a].start, toks[i + k - 1].end))
            masked.update(range(a, i + k))
            i += k
            continue
        # unknown proper names mid-sentence ("the Havelland area", "Lake Constance")
        if (
            t.cap
            and i > 0
            and toks[i - 1].low not in (".", "!", "?", ":", ";", "—", "–", "-", "(", '"', "*", "•", "·", "#")
            and t.low not in _NOT_NAMES
            and t.low not in _PLACE_PREP  # "* In Austria": a capitalised preposition starts no name
            and t.low.rstrip(".") not in _MONTH_NAMES  # "taken in Apr 2017": a date, not a place
        ):
            j = i
            while j < n and toks[j].cap and toks[j].low not in _NOT_NAMES:
                j += 1
            if j > i:
                prep = i > 0 and toks[i - 1].low in _PLACE_PREP | {"the"}
                if prep or j - i > 1:
                    name = text[toks[i].start : toks[j - 1].end]
                    # only "in X" / "near X" names may be looked up as regions or towns; "the Barrow
                    # estuary", "the Havel river" name landmarks, never decided
                    direct = toks[i - 1].low in _PLACE_PREP and not (j < n and toks[j].low in LANDFORM_NOUNS)
                    kind = "unknown" if direct else "landmark"
                    hits.append(Hit(i, j, "place", f"{kind}:{name}", toks[i].start, toks[j - 1].end))
                    masked.update(range(i, j))
                    i = j
                    continue
        i += 1
    return masked, hits


@cache
def _caption_vocab() -> frozenset[str]:
    return frozenset(set(MONTHS) | set(MONTH_ABBR) | STOPWORDS | FILLER | DIRECTION_WORDS | LANDFORM_NOUNS)


def _lower_region(toks: Sequence[Any], i: int, k: int, name: str, r: tuple[str, str] | None) -> Any:
    """A region named in lower case: a hand-table region or landscape ("the rhine valley") written as
    two or more words or after a place preposition, or a GeoNames state/province after one ("in
    hesse"); never a name made only of caption words ("in spring", "of the forest")."""
    from geomeld.captioning import gazetteer

    a = i + 1 if toks[i].low == "the" else i
    prev = toks[a - 1].low if a > 0 else ""
    prep = (
        prev in _PLACE_PREP
        or prev == "over"
        or (prev == "the" and a > 1 and toks[a - 2].low in _PLACE_PREP | {"over"})
    )
    if r is None and not prep:
        return None
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]  # "the southwest." is no name
    vocab = _caption_vocab()
    if all(w in vocab or w in INDEX or w == "the" for w in words):
        return None
    if r is not None and r[0] == "region":  # the hand tables (resolve read them without the gazetteer)
        return r if (prep or len(words) - (toks[i].low == "the") > 1) else None
    if prep and gazetteer.is_admin1(name.removeprefix("the ")):
        return "region", name.removeprefix("the ")
    return None


_NEAR_CUES = (
    ("not", "far", "from"),
    ("next", "to"),
    ("near",),
    ("around",),
    ("outside",),
    ("outside", "of"),
    ("close", "to"),
    ("outskirts", "of"),
    ("surroundings", "of"),
    ("vicinity", "of"),
    ("environs", "of"),
    ("neighbourhood", "of"),
    ("neighborhood", "of"),
    ("area", "around"),
)
_NEAR_FIRST = {c[0] for c in _NEAR_CUES}
LANDFORM_NOUNS = {
    "estuary",
    "river",
    "valley",
    "lake",
    "lakes",
    "forest",
    "hills",
    "hill",
    "mountains",
    "mountain",
    "bay",
    "plain",
    "plains",
    "heath",
    "marsh",
    "moor",
    "moors",
    "coast",
    "delta",
    "basin",
    "canal",
    "reservoir",
    "island",
    "islands",
    "peninsula",
    "gorge",
    "park",
    "reserve",
    "lowlands",
    "uplands",
    "wetlands",
    "fens",
    "dunes",
    "floodplain",
    "catchment",
    "watershed",
    "creek",
    "stream",
    "brook",
}
"""A proper name followed by one of these names a landmark ("the Barrow estuary"), not a town."""
_NAME_JOINERS = {"an", "der", "am", "im", "upon", "on", "de", "la", "del", "sur", "le"}


def _near_town(toks: Sequence[Any], text: str, i: int) -> tuple[int, str] | None:
    """(end token, name) of "near/around/outskirts of <Town>" when GeoNames knows the town."""
    if toks[i].low not in _NEAR_FIRST:
        return None
    from geomeld.captioning import gazetteer

    for cue in sorted(_NEAR_CUES, key=len, reverse=True):
        k = len(cue)
        if i + k >= len(toks) or tuple(x.low for x in toks[i : i + k]) != cue:
            continue
        a = i + k
        if not toks[a].cap:  # lower case: only the hand table's cities ("outskirts of munich")
            return (a + 1, toks[a].low) if toks[a].low in CITIES else None
        ends = []
        j = a
        while j < len(toks):
            if toks[j].cap:
                j += 1
                ends.append(j)
            else:
                q = j
                while q < len(toks) and q - j < 3 and toks[q].low in _NAME_JOINERS | {"-"}:
                    q += 1
                if q == j or q >= len(toks) or not toks[q].cap:
                    break
                j = q  # "Brandenburg an der Havel", "Stratford-upon-Avon"
        for e in reversed(ends):
            name = text[toks[a].start : toks[e - 1].end]
            r = resolve(name)
            if gazetteer.is_city(name) and (r is None or r[0] == "region"):
                return e, name
        return None
    return None


_AMBIGUOUS_NAMES = {
    "chad",
    "turkey",
    "georgia",
    "jordan",
    "niger",
    "guinea",
    "china",
    "jersey",
    "polish",
    "swiss",
    "french",
    "english",
    "american",
    "indian",
    "us",
    "uk",
    "america",
    "dominica",
    "peru",
    "mali",
    "oman",
    "cuba",
    "malta",
    "man",
    "panama",
    "japan",
    "italian",
    "greek",
    "german",
    "spanish",
    "dutch",
    "irish",
    "welsh",
    "scottish",
}
"""Country names and demonyms that are also common words: recognised only when capitalised."""

_PLACE_DIRECTIONS = COMPASS_WORDS | {
    "central",
    "north-eastern",
    "north-western",
    "south-eastern",
    "south-western",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "upper",
    "lower",
    "mid",
}
_NOT_NAMES = (
    {
        "vv",
        "vh",
        "ndvi",
        "sar",
        "s2",
        "s1",
        "sentinel",
        "sentinel-1",
        "sentinel-2",
        "i",
        "nw",
        "ne",
        "sw",
        "se",
        "dem",
        "osm",
        "jrc",
        "esa",
        "worldcover",
        "dynamic",
        "world",
        "σ⁰",
    }
    | set(MONTHS)
    | set(DEMONYMS)
    | set(REGIONS)
)


CONCENTRATION_WORDS = frozenset(
    {
        "most",
        "mostly",
        "all",
        "entirely",
        "exclusively",
        "mainly",
        "largely",
        "chiefly",
        "primarily",
        "predominantly",
        "principally",
        "majority",
        "bulk",
        "concentrated",
        "concentrates",
        "concentration",
        "clustered",
        "clusters",
        "cluster",
        "clustering",
        "gathered",
        "bunched",
        "focused",
        "dominates",
        "dominated",
        "dominant",
        "mass",
        "centred",
        "centered",
    }
)
"""Words that make a position a statement about where the bulk of a class lies ("most forest is in the
north", "meadow is concentrated in the east"); without one, "X in the SE corner" says some X is there."""

NOT_WORDS = frozenset({"not", "isn't", "aren't", "wasn't", "never", "hardly"})
PRIVATIVE_WORDS = frozenset({"without", "lacking", "devoid", "free", "missing"})
""""not without X", "not lacking X": a negation of a privative word, a presence."""
TITLE_NOUNS = frozenset({"view", "image", "scene", "picture", "photo", "snapshot", "shot", "panorama"})
"""Nouns of a caption title ("Overhead view of farmland and lakes: …")."""
EXCEPTION_WORDS = frozenset({"apart", "except", "besides", "aside", "excepting", "excluding"})
HEIGHT_COMPARATIVES = frozenset({"taller", "higher", "tall", "height", "heights"})
CONDITIONAL_PRESENCE = (
    ", where present",
    "where present",
    ", if any",
    "if any",
    ", where they",
    "where they",
)
"""After a class: a statement about its height or conditional on its presence ("trees, where present,
are under 40 m"; "no trees taller than 60 m"), not about whether it is there."""
ONLY_WORDS = frozenset({"only", "exclusively", "solely", "confined", "restricted", "entirely"})
"""Words that place all of a class in one part ("X lies only in the north", "X is confined to the east"):
a statement that practically none of it lies elsewhere."""
PRESENCE_IN_PART_WORDS = frozenset(
    {
        "some",
        "appears",
        "appear",
        "shows",
        "show",
        "visible",
        "seen",
        "present",
        "there",
        "patch",
        "patches",
        "pockets",
        "pocket",
        "bits",
        "few",
        "little",
        "scattered",
        "occurs",
        "occur",
        "found",
        "includes",
        "contains",
    }
)
"""Words that make "X in the north" a presence in that part (some X lies there), not where most X lies."""

QUARTER_PARTS = frozenset({"north-west", "north-east", "south-west", "south-east"})
"""Corners and quadrants (a quarter of the tile each): "X in the SE corner" says some X is there unless
the sentence says most of it is (:data:`CONCENTRATION_WORDS`). Edge strips ("lines the western border",
"hugs the bottom edge") keep the reading that the class lies along that edge."""

CLAUSE_AFTER_AND = frozenset({"there", "there's", "there’s", "theres", "it", "it's", "this", "that"})
"""After "and", these words start a new statement ("… 22 % and there is more grass than scrub"): a
number before "and" never belongs to a class after it."""

LABEL_HEAD_NOUNS = frozenset({"land", "cover", "area", "areas", "ground", "surfaces", "class"})
"""Head nouns a class label may end with before its colon ("grassy land: 3 %")."""

NEG_DISTRIBUTING = frozenset({"or", "nor"})
"""A negation carries over "or"/"nor" to the next class ("no forest or meadow is present")."""

STATEMENT_COPULAS = frozenset({"is", "are", "was", "were", "has", "have", "sits", "seems"})
"""After a comma, a class followed by one of these starts its own statement ("no water, grassland is …")."""

CLAUSE_DETERMINERS = frozenset({"the", "this", "that", "its", "their", "our"})
"""After "and"/"but", a determined class followed by a copula starts its own statement ("the meadows are
free of snow and the forest is dense": the forest is not negated)."""

OWN_PREDICATE_VERBS = frozenset(
    {
        "appears",
        "appear",
        "outweighs",
        "outweigh",
        "covers",
        "cover",
        "dominates",
        "dominate",
        "occupies",
        "occupy",
        "lies",
        "lie",
        "sits",
        "sit",
        "takes",
        "take",
        "makes",
        "make",
        "exceeds",
        "exceed",
        "accounts",
        "account",
        "shows",
        "stays",
        "stay",
        "remains",
        "remain",
        "leads",
        "lead",
        "extends",
        "extend",
        "spans",
        "span",
        "fills",
        "fill",
        "runs",
        "run",
        "crosses",
        "cross",
        "outnumbers",
        "outnumber",
        "surpasses",
        "surpass",
        "comprises",
        "has",
        "have",
        "holds",
        "hold",
    }
)
"""After "and" or a comma, a class followed by one of these verbs starts its own statement: a negation
before the list does not reach it ("not a single patch of snow and buildings and roads appears …")."""

PART_NOUNS = frozenset(
    {"quadrant", "quarter", "half", "corner", "part", "side", "edge", "section", "area", "portion"}
)
REGION_HOLDS_VERBS = frozenset(
    {"holds", "contains", "has", "hosts", "houses", "carries", "harbours", "harbors"}
)
"""A part of the tile followed by one of these is the subject; the class after it is what lies there."""


PLACEMENT_CUES = frozenset(
    {
        "only",
        "exclusively",
        "solely",
        "confined",
        "restricted",
        "limited",
        "entirely",
        "wholly",
        "except",
        "free",
        "nowhere",
        "edge",
        "edges",
        "border",
        "margin",
        "boundary",
        "rim",
        "third",
        "row",
        "rows",
        "column",
        "columns",
        "cols",
        "central",
        "stays",
        "stay",
        "keeps",
        "within",
        "touches",
        "reaches",
        "pixels",
        "px",
        "half",
        "quadrant",
        "quarter",
        "corner",
        "ratio",
    }
)
"""Words that send a caption through the placement reader (exclusive and edge-distance positions) and
the ratio reader."""


STATS_NOUNS = frozenset(
    {"ndvi", "ndwi", "values", "value", "pixels", "slopes", "elevation", "reflectance", "backscatter"}
)
"""Nouns of a measurement statement: a quantifier after one of them ("NDVI values are mostly …") is not
the quantifier of a class named before the comma."""
