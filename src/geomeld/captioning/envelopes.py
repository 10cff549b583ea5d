"""Where climate-bound land covers can occur at all: one declarative table of envelopes (latitude,
Köppen climate group, sea nearby, regions where they are absent or the only regions where they are).

A presence claim of such a class at a place outside its envelope is contradicted, with the envelope
as evidence; an absence claim there is supported. Inside the envelope no layer of the sample decides
these classes, and the claim stays unverifiable. Each entry names its source.

The reader (:func:`exotic_claims`) finds the names in free text before the rest of the extractor, so
"a glacier" is not read as snow, "tundra moss and lichen" not as moss, "sand dunes" not as bare land.
Claims: family ``landcover_presence``, subject the entry's ``kind``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from geomeld.captioning.claims import Claim, ClaimEvidence, Family, Polarity, Verdict
from geomeld.captioning.conditions import GENERIC, clauses


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box (degrees) with a name."""

    name: str
    lat0: float
    lat1: float
    lon0: float
    lon1: float

    def holds(self, lat: float, lon: float) -> bool:
        return self.lat0 <= lat <= self.lat1 and self.lon0 <= lon <= self.lon1


@dataclass(frozen=True)
class Envelope:
    kind: str
    words: str  # regex naming the class in free text ("" when the main extractor reads it)
    lat: tuple[float, float] | None = None  # latitudes where it occurs
    climates: frozenset[str] | None = None  # Köppen main groups where it occurs
    needs_sea: bool = False  # only on coasts (sea within the land-mask ring of the sea check)
    absent_in: tuple[Box, ...] = ()  # regions without it
    only_in: tuple[Box, ...] = ()  # the only regions with it
    source: str = ""


# Regions without glaciers or alpine/arctic tundra: lowlands and low uplands (highest points ≤ ~1,500 m,
# below any glaciation or alpine belt), from the Randolph Glacier Inventory 6.0 regions (RGI Consortium
# 2017) and relief maps. Boxes are drawn inside the regions' borders.
IRELAND = Box("Ireland", 51.3, 55.4, -10.7, -5.9)
BRITAIN_SOUTH = Box("southern Great Britain", 49.8, 54.5, -5.8, 1.8)
NORTH_EUROPEAN_PLAIN = Box("North European Plain and the southern Baltic", 50.8, 58.5, 2.5, 32.0)
FINLAND_KARELIA = Box("Finland and Karelia south of Lapland", 59.5, 67.0, 21.0, 34.0)
PORTUGAL = Box("Portugal", 36.9, 42.2, -9.6, -6.3)
CENTRAL_UPLANDS = Box("central European uplands north of the Alps", 47.9, 50.3, 2.5, 17.0)
GLACIER_FREE = (IRELAND, BRITAIN_SOUTH, NORTH_EUROPEAN_PLAIN, FINLAND_KARELIA, PORTUGAL, CENTRAL_UPLANDS)
TUNDRA_FREE = (IRELAND, NORTH_EUROPEAN_PLAIN, FINLAND_KARELIA, PORTUGAL, CENTRAL_UPLANDS)
EUROPE_NORTH_OF_RICE = Box("Europe north of 47.5° N", 47.5, 72.0, -25.0, 40.0)
GREENLAND = Box("Greenland", 59.5, 84.0, -74.0, -10.0)
ANTARCTICA = Box("Antarctica", -90.0, -60.0, -180.0, 180.0)

ENVELOPES: tuple[Envelope, ...] = (
    Envelope(
        "mangroves",
        "",
        lat=(-39.0, 33.0),
        needs_sea=True,
        source="Giri et al. 2011, Global Ecol. Biogeogr. 20:154 (38°45' S – 32°20' N; intertidal coasts)",
    ),
    Envelope(
        "palm_plantation",
        r"(?:oil|date|coconut)[- ]palms?(?:\s+(?:plantations?|groves?|estates?|orchards?|stands?|trees?))?|"
        r"palm(?:[- ]oil)?\s+(?:plantations?|groves?|estates?|orchards?)|coconut\s+(?:plantations?|groves?)",
        lat=(-40.0, 40.0),
        source="oil palm within ~20° of the equator (Corley & Tinker 2016, The Oil Palm); date palms to ~39° N "
        "(Elche, Spain); coconut within the tropics",
    ),
    Envelope(
        "palms",
        r"palm\s+trees?|palms\b",
        lat=(-46.0, 47.0),
        source="stands of palms grow outdoors to ~44–46° (Chamaerops humilis, Trachycarpus in the insubric "
        "lakes); none at a 10 m scale further poleward",
    ),
    Envelope(
        "glacier",
        r"glaciers?|glacial\s+ice|ice\s*fields?|ice\s*caps?",
        absent_in=GLACIER_FREE,
        source="Randolph Glacier Inventory 6.0 (no glacier in these lowland/upland regions)",
    ),
    Envelope(
        "tundra",
        r"(?:arctic\s+|alpine\s+|lichen\s+|moss\s+)?tundra(?:\s+(?:moss(?:\s+and\s+lichens?)?|vegetation|heath|"
        r"landscape))?|lichen/moss\s+tundra|moss/lichen\s+tundra",
        lat=None,
        absent_in=TUNDRA_FREE,
        source="arctic tundra lies poleward of the tree line (≥ 67° N in Fennoscandia); alpine tundra needs "
        "mountains above the tree line, which these regions lack (CAVM Team 2003; relief maps)",
    ),
    Envelope(
        "dunes",
        r"(?:sand|desert|coastal)\s+dunes?|dune\s+fields?|sand\s+seas?|barchans?|dunes\b",
        climates=frozenset({"arid", "polar"}),
        needs_sea=True,
        source="active sand dunes need an arid climate or a sandy coast (Pye & Tsoar 2009, Aeolian Sand and "
        "Sand Dunes): not inland in a humid climate",
    ),
    Envelope(
        "desert",
        r"(?:sandy\s+|hot\s+|rocky\s+)?deserts?\b",
        climates=frozenset({"arid", "polar"}),
        source="deserts are the arid (BW) and polar Köppen climates (Köppen–Geiger, Beck et al. 2018)",
    ),
    Envelope(
        "rainforest",
        r"tropical\s+(?:rain\s*)?forests?|jungles?",
        lat=(-30.0, 30.0),
        climates=frozenset({"tropical"}),
        source="tropical rainforest is the Köppen Af/Am climate of the tropics (Beck et al. 2018)",
    ),
    Envelope(
        "savanna",
        r"savann?ahs?",
        lat=(-32.0, 32.0),
        climates=frozenset({"tropical", "arid"}),
        source="savannas are tropical (Köppen Aw) and semi-arid grasslands within ~30° of the equator",
    ),
    Envelope(
        "coral",
        r"coral\s+reefs?|corals?\b|atolls?",
        lat=(-33.0, 33.0),
        needs_sea=True,
        source="reef-building corals live in warm seas within ~30° of the equator (Spalding et al. 2001, "
        "World Atlas of Coral Reefs; Bermuda 32.4° N is the northernmost reef)",
    ),
    Envelope(
        "ice_sheet",
        r"ice\s+sheets?|inland\s+ice",
        only_in=(GREENLAND, ANTARCTICA),
        source="the two ice sheets today are Greenland's and Antarctica's",
    ),
    Envelope(
        "rice",
        r"rice\s+(?:paddies|paddy|fields?|terraces?)|paddy\s+fields?|paddies",
        lat=(-40.0, 53.5),
        absent_in=(EUROPE_NORTH_OF_RICE,),
        source="rice is grown to ~53° N in north-east China and to ~47° N in Europe (Ferrero & Nguyen 2004, "
        "FAO International Rice Commission)",
    ),
)
"""The envelope table (a contract of the verifier: add a class here, with its source)."""

BY_KIND = {e.kind: e for e in ENVELOPES}
_READ = [
    (e, re.compile(rf"\b(?:{e.words})(?![- ](?:like|colou?red|colou?r|pink|red)\b)", re.I))
    for e in ENVELOPES
    if e.words
]
"""Names of the envelope classes; a likeness or a colour ("desert-like", "coral-coloured roofs") names none."""
_NEG = re.compile(
    r"\b(?:no|not|none|zero|without|neither|nor|never|nothing|free\s+of|absent|lacks?|lacking|devoid\s+of|"
    r"isn't|aren't|wasn't|weren't|doesn't|don't|didn't|doesnt|dont|isnt|arent)\b|n't\b",
    re.I,
)
_POSTNEG = re.compile(
    r"^\W*(?:is|are)?\s*(?:absent|none|nowhere|missing|not\s+(?:present|visible|seen))\b", re.I
)
_QUIET = GENERIC | {
    "includes",
    "include",
    "including",
    "contains",
    "contain",
    "patches",
    "patch",
    "any",
    "sign",
    "signs",
}
_CUE = re.compile(
    r"palm|glaci|ice|tundra|dune|sand\s+sea|barchan|desert|rain\s*forest|jungle|savann|coral|atoll|rice|padd",
    re.I,
)


class _Tok(Protocol):
    start: int
    end: int
    low: str
    i: int


_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|has|have|had|contains?|shows?|includes?|appears?|lies|lie|covers?|sits?|"
    r"see|seen|visible|there)\b",
    re.I,
)


def _negated_before(head: str) -> bool:
    """A negation cue in the statement before a name: in its own comma piece, or at the start of a
    list of names it heads ("no glaciers, palms or coral reefs"); a piece with a verb ends the list
    ("no clouds, the tile contains tundra": tundra is affirmed)."""
    pieces = head.split(",")
    for k in range(len(pieces) - 1, -1, -1):
        piece = pieces[k]
        if _NEG.search(piece):
            return True
        if _VERBISH.search(piece) or len(piece.split()) > 4:
            return False
    return False


def exotic_claims(text: str, toks: Sequence[_Tok]) -> tuple[list[Claim], set[int]]:
    """Presence/absence claims of the envelope classes named in ``text``, and the tokens they use.
    A negation before the name in its statement negates it ("no glaciers, palms or coral reefs")."""
    if not _CUE.search(text):
        return [], set()
    parts = clauses(text)
    claims: list[Claim] = []
    masked: set[int] = set()
    taken: list[tuple[int, int]] = []
    for env, rx in _READ:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if any(x < e and s < y for x, y in taken):
                continue  # "oil palm plantations" is one class, not also "palms"
            taken.append((s, e))
            a = max((x for x, _ in parts if x <= s), default=0)
            b = max(e, min((y for _, y in parts if y >= e), default=e))
            after = re.split(r"[,;(]", text[e:b], maxsplit=1)[0][:40]
            neg = _negated_before(text[a:s]) or bool(_POSTNEG.search(after) or _NEG.search(after))
            claims.append(
                Claim(
                    family=Family.LANDCOVER_PRESENCE.value,
                    subject=env.kind,
                    start=a,
                    end=b,
                    text=text[a:b],
                    polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                )
            )
            inside = [t for t in toks if a <= t.start and t.end <= b]
            own = {t.i for t in inside if s <= t.start and t.end <= e}
            if all(t.i in own or t.low in _QUIET or not t.low[:1].isalpha() for t in inside):
                masked.update(t.i for t in inside)
            else:
                masked |= own
    return claims, masked


def outside(env: Envelope, g: Any, sea_far: float | None) -> str | None:
    """Why the tile lies outside the envelope (``None``: inside, or not decidable)."""
    p = g.bundle.place
    if p is None:
        return None
    lat, lon = float(p.lat), float(p.long)
    if env.lat is not None and not env.lat[0] <= lat <= env.lat[1]:
        return f"latitude {lat:.2f} is outside {env.lat[0]:g}..{env.lat[1]:g}"
    for box in env.absent_in:
        if box.holds(lat, lon):
            return f"inside {box.name}, where it does not occur"
    if env.only_in and not any(box.holds(lat, lon) for box in env.only_in):
        return "outside " + " and ".join(box.name for box in env.only_in)
    climate_out = env.climates is not None and p.koppen is not None and p.koppen not in env.climates
    if climate_out and not env.needs_sea:
        return f"Köppen climate {p.koppen!r} is not one of {sorted(env.climates or [])}"
    if env.needs_sea and sea_far is not None and (env.climates is None or climate_out):
        return f"no sea within {sea_far:g} km" + (f" and the climate is {p.koppen!r}" if climate_out else "")
    return None


def check_envelope(claim: Claim, g: Any, sea_far: Any) -> tuple[Verdict, ClaimEvidence] | None:
    """A presence/absence claim of an envelope class; ``None`` when the class has no envelope."""
    env = BY_KIND.get(claim.subject)
    if env is None:
        return None
    far = sea_far(g) if env.needs_sea else None
    why = outside(env, g, far)
    p = g.bundle.place
    measured = None if p is None else {"lat": round(p.lat, 4), "long": round(p.long, 4), "koppen": p.koppen}
    tol = {
        "lat": list(env.lat) if env.lat else None,
        "climates": sorted(env.climates) if env.climates else None,
        "needs_sea": env.needs_sea,
        "absent_in": [b.name for b in env.absent_in],
        "only_in": [b.name for b in env.only_in],
    }
    if why is None:
        return Verdict.UNVERIFIABLE, ClaimEvidence(
            measured, tol, "metadata", "real", note=f"inside the {env.kind} envelope: no layer decides it"
        )
    negated = claim.polarity == Polarity.NEGATED.value
    if claim.value is not None and claim.value.bound == "at_most":
        v = Verdict.SUPPORTED if not negated else Verdict.UNVERIFIABLE
    else:
        v = Verdict.SUPPORTED if negated else Verdict.CONTRADICTED
    return v, ClaimEvidence(
        measured, tol, "metadata", "real", note=f"no {env.kind} here: {why} ({env.source})"
    )
