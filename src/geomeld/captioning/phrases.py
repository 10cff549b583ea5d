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
from typing import Any

from geomeld.captioning.places import CITIES, DEMONYMS, REGIONS, resolve

_TOKEN_RE = re.compile(
    r"[−–-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+−-]?\d+(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)*|[%°²~–—-]|[^\s\w]"
)


def _toks(phrase: str) -> tuple[str, ...]:
    return tuple(m.group(0).lower().replace("’", "'") for m in _TOKEN_RE.finditer(phrase))


LC: dict[str, tuple[str, ...]] = {
    "trees": (
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
        "mangroves",
        "mangrove",
        "coniferous forest",
        "deciduous forest",
        "tree canopy cover",
        "timber",
        "woodlots",
        "woodlot",
    ),
    "shrubland": (
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
        "relief",
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
        "trees stand",
        "trees are",
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
YEAR_CUES = (
    "dated",
    "from",
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
    "in",
    "acquired",
    "captured",
    "imaged",
    "recorded",
    "taken",
    "shot",
    "acquisition",
)

NEG = (
    "no",
    "not",
    "never",
    "without",
    "free of",
    "devoid of",
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
    "no visible",
    "nothing of",
    "not any",
    "isn't there",
    "not at all",
    "little",
    "there is little",
    "no more",
    "zero pixels of",
)
NEG_REACH = 6
NEG_BREAK = {"but", "except", "than", "although", "though", "yet", "while", "whereas", "only"}
POSTNEG = (
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

HEDGES = (
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
)

DOMINANT = (
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
LARGEST = (
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
MINOR = (
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
ALL = (
    "entirely",
    "completely covered",
    "wholly",
    "the whole tile",
    "all of the tile",
    "fully covered",
    "blanket",
)

NOMAJORITY = (
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
LABELLED = (
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
    ),
}

POS: dict[str, tuple[str, ...]] = {}


def _positions() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    sides: dict[str, tuple[str, ...]] = {
        "north": ("north", "northern", "top", "upper"),
        "south": ("south", "southern", "bottom", "lower"),
        "west": ("west", "western", "left", "left-hand"),
        "east": ("east", "eastern", "right", "right-hand"),
    }
    nouns = (
        "edge",
        "margin",
        "side",
        "half",
        "part",
        "border",
        "rim",
        "end",
        "portion",
        "strip",
        "third",
        "section",
    )
    for sector, words in sides.items():
        acc = out.setdefault(sector, [])
        for w in words:
            for n in nouns:
                acc.append(f"{w} {n}")
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
    out["edge"] = ["edges", "margins", "periphery", "along the edges", "the edges", "the margins", "fringes"]
    out["throughout"] = [
        "throughout",
        "across the whole tile",
        "everywhere",
        "all over the tile",
        "across the tile",
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
}

UNITS: list[tuple[tuple[str, ...], str]] = sorted(
    [
        (_toks(p), u)
        for p, u in (
            ("%", "%"),
            ("percent", "%"),
            ("per cent", "%"),
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
            ("hectares", "ha"),
            ("ha", "ha"),
            ("hectare", "ha"),
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
}
FRACTIONS_ONE = {"half": 50.0}

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
RELIEF_CUES = {
    "relief",
    "difference",
    "varies",
    "vary",
    "drop",
    "drops",
    "span",
    "spans",
    "amplitude",
    "range",
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

_SKIP = (
    "sea level",
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
    out += [(p, "neg", "neg") for p in NEG]
    out += [(p, "postneg", "neg") for p in POSTNEG]
    out += [(p, "hedge", "hedge") for p in HEDGES]
    out += [(p, "dom", p) for p in DOMINANT]
    out += [(p, "largest", "largest") for p in LARGEST]
    out += [(p, "minor", "minor") for p in MINOR]
    out += [(p, "all", "all") for p in ALL]
    out += [(p, "nomajority", "none") for p in NOMAJORITY]
    out += [(p, "labelled", "labelled") for p in LABELLED]
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


INDEX = _index(_entries())


# ---- places -----------------------------------------------------------------------------------------
_PLACE_PREP = {"in", "near", "of", "on", "at", "from", "across", "around", "outside", "within", "inside"}
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
        # known names, longest first (up to 5 tokens)
        found = None
        for k in (5, 4, 3, 2, 1):
            if i + k > n:
                continue
            words = [x.low for x in toks[i : i + k]]
            name = " ".join(words).replace(" - ", "-").replace(" . ", ". ")
            if not (toks[i].cap or (k > 1 and toks[i].low == "the" and toks[i + 1].cap)):
                continue
            r = resolve(name)
            if r is None:
                continue
            found = (k, r)
            break
        if found:
            k, (kind, canon) = found
            subject = {"demonym": "country"}.get(kind, kind)
            hits.append(Hit(i, i + k, "place", f"{subject}:{canon}", toks[i].start, toks[i + k - 1].end))
            masked.update(range(i, i + k))
            i += k
            continue
        # unknown proper names mid-sentence ("the Havelland area", "Lake Constance")
        if (
            t.cap
            and i > 0
            and toks[i - 1].low not in (".", "!", "?", ":", ";", "—", "–", "-", "(", '"')
            and t.low not in _NOT_NAMES
        ):
            j = i
            while j < n and toks[j].cap and toks[j].low not in _NOT_NAMES:
                j += 1
            if j > i:
                prep = i > 0 and toks[i - 1].low in _PLACE_PREP | {"the"}
                if prep or j - i > 1:
                    name = text[toks[i].start : toks[j - 1].end]
                    hits.append(Hit(i, j, "place", f"unknown:{name}", toks[i].start, toks[j - 1].end))
                    masked.update(range(i, j))
                    i = j
                    continue
        i += 1
    return masked, hits


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
