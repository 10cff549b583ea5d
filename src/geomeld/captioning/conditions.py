"""Image-condition statements (cloud, haze, cloud shadow, ground obscured): read from free text and
checked against the Sentinel-2 condition signal (:mod:`geomeld.signals.conditions`).

Family ``image_condition``; subjects ``cloud``, ``haze``, ``shadow`` and ``obscured`` ("the ground is
barely visible"). Polarity ``negated`` is an absence ("cloud-free", "clear skies", "no haze"); the
``label`` of a presence is its amount: ``trace`` ("a wisp of cloud"), ``some`` ("partly cloudy",
"scattered clouds"), ``cloudy`` (a plain "cloudy"), ``much`` ("thick clouds cover most of the image",
"overcast") or ``thin`` (thin cloud, cirrus: semi-transparent, not bounded by the spectral tests);
a stated percentage is a ``value`` ("15 % cloud cover"). Snow is a land-cover class (``snow``), not an
image condition: its share is checked with the same signal in :mod:`geomeld.captioning.check`.

Thresholds (shares of the imaged pixels — a statement about "the image" is about what was imaged; the
signal bounds cloud from both sides, see the signal module):

===========  ===========================================  ============================================
statement    supported when                               contradicted when
===========  ===========================================  ============================================
no cloud     cloud upper bound < 1 %, or scene cloud 0 %   opaque cloud ≥ 3 %
trace        opaque cloud ≥ 0.2 %                          cloud upper bound < 0.2 %
some         opaque cloud ≥ 2 %                            cloud upper bound < 1 %
cloudy       opaque cloud ≥ 25 %                           cloud upper bound < 10 %
much         opaque cloud ≥ 50 %                           cloud upper bound < 40 %
N %          the TOLERANCES band of ``image_condition`` against [lower, upper]
obscured     opaque cloud ≥ 50 %                           cloud upper < 40 % and haze excess < 0.05
haze absent  haze excess < 0.04                            haze excess > 0.10
haze         haze excess > 0.10 (much: > 0.15)             excess < 0.015 (L2A: dark object < 0.025);
                                                           much: excess < 0.05; slight: never
shadow       —                                             dark NIR+SWIR pixels < 0.5 % (much: < 10 %)
no shadow    dark NIR+SWIR pixels < 1 %                    —
===========  ===========================================  ============================================

The haze excess is the dark object (2nd percentile of B2) less the Rayleigh path reflectance at the
overpass sun elevation on top-of-atmosphere (L1C) products, and the dark object itself on surface
reflectance (L2A) products (Chavez 1988, dark-object subtraction). Thin cloud is decided only where
neither cloud nor haze could be there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from geomeld.captioning.claims import (
    Bound,
    Claim,
    ClaimEvidence,
    Family,
    Polarity,
    Value,
    Verdict,
)

FAMILY = Family.IMAGE_CONDITION.value


class _Tok(Protocol):
    start: int
    end: int
    low: str


# ---- reading ----------------------------------------------------------------------------------
_SENT = re.compile(r"(?:[^.;!?\n|·•—#()\[\]\u2600-\u27bf\U0001f000-\U0001faff]|\.(?=\d))+")
_SPLIT = re.compile(
    r",|\s+(?:but|while|whereas|although|though|yet|with)\s+|\s+and\s+(?!their\b|its\b)|\s+[-–—/]\s+", re.I
)
_SHADOW = re.compile(
    r"\bcloud[- ]?shadows?\b|\bshadows?\s+(?:of|from|cast\s+by)\s+(?:the\s+|a\s+few\s+|some\s+)?clouds?\b",
    re.I,
)
_CLOUD = re.compile(
    r"\b(?:cloud(?:s|y|iness|ed|[- ]?cover(?:age|ed)?|[- ]?free|less|[- ]?bank|[- ]?deck|bursts?)?|overcast|cumulus|"
    r"stratus|stratocumulus|cumulonimbus|cirrus|cirrostratus|altostratus)\b",
    re.I,
)
_HAZE = re.compile(
    r"\b(?:haz(?:e|y|iness)|haze[- ]free|misty|mist|fog(?:gy)?|smog|smoke|smoky|murky|murk)\b", re.I
)
_CLEAR = re.compile(
    r"\bclear(?:,)?\s+(?:and\s+sunny\s+|blue\s+|open\s+|cloudless\s+|bright\s+|winter\s+|summer\s+|spring\s+|"
    r"autumn\s+|cold\s+|crisp\s+|sunny\s+)?(?:sk(?:y|ies)|day|morning|afternoon|weather|conditions?|views?|atmosphere|air)\b|\bsk(?:y|ies)\s+(?:is\s+|are\s+|was\s+|were\s+|looks?\s+|seems?\s+|appears?\s+)?"
    r"(?:completely\s+|perfectly\s+|totally\s+|entirely\s+|fully\s+)?clear\b|\bcrystal[- ]clear\b|\bunclouded\b|"
    r"\bclear\s+of\s+(?:any\s+)?clouds?\b|\b(?:image|scene|picture|view|acquisition|capture|shot)\s+"
    r"(?:is|was|looks|seems|appears)\s+(?:completely\s+|perfectly\s+|totally\s+|entirely\s+)?clear\b|"
    r"\bclear\s+(?:image|scene|picture|acquisition|capture|shot|imagery)\b|\bun(?:obscured|obstructed|hindered|impeded|blocked|veiled)\b|\bsunny\b",
    re.I,
)
_UN_WORD = re.compile(
    r"\bun(?:obscured|obstructed|hindered|impeded|blocked|veiled|affected|troubled|spoil(?:ed|t)|marred|hampered)\b",
    re.I,
)
_UN_BY = re.compile(_UN_WORD.pattern + r"\s+by\s+(?:any\s+|a\s+single\s+)?$", re.I)
"""'the view is unobstructed by clouds': the cloud word after an un-…-ed by is denied (grounding11)."""
_OBSCURED = re.compile(
    r"\b(?:ground|surface|land|terrain|landscape|scene|image|view|everything|features?|details?)\b[^,.;]{0,25}?"
    r"\b(?:barely|hardly|scarcely|not|only\s+partly|partly|partially|largely\s+not)\s+(?:visible|discernible|seen|"
    r"recognisable|recognizable|distinguishable)\b|\b(?:obscur\w*|hidden|masked|veiled|blocked|shrouded|blanketed)"
    r"\s+(?:\w+\s+){0,2}by\s+(?:thick\s+|dense\s+|heavy\s+)?(?:clouds?|haze|fog|mist|smoke)\b|"
    r"\bpoor\s+visibility\b|\bvisibility\s+is\s+(?:poor|low|limited|reduced)\b",
    re.I,
)
_NEG = re.compile(
    r"\b(?:no|not|none|zero|without|nor|never|nothing|free\s+(?:of|from)|(?:clear|bare)\s+of|absent|lacks?|lacking|devoid\s+of|"
    r"isn't|aren't|wasn't|weren't|doesn't|don't|didn't|nil)\b|n't\b|[- ]free\b|\bcloudless\b|"
    r"\b(?:no|zero|nil)\s+cloud",
    re.I,
)
_POSTNEG = re.compile(
    r"\b(?:absent|none|nil|not\s+present|not\s+visible|nowhere|missing|not\s+an?\s+(?:issue|problem|concern|factor))\b",
    re.I,
)
_MUCH = re.compile(
    r"\b(?:thick|heavy|heavily|dense|densely|overcast|mostly|most|largely|majority|completely|entirely|fully|"
    r"totally|blanket\w*|dominat\w*|solid|extensive|extensively|widespread|bulk|nearly\s+all|almost\s+all|"
    r"whole|entire|much\s+of|covers?\s+the|covering\s+the|shrouded|smothered|obscur\w*)\b",
    re.I,
)
_SOME = re.compile(
    r"\b(?:some|partly|partially|scattered|patchy|patches|patch|broken|few|isolated|occasional|small|minor|"
    r"bits|several|puffy|fair[- ]weather|spots?|pockets?|parts?|areas?|sections?|corner|edge|half)\b",
    re.I,
)
_TRACE = re.compile(r"\b(?:wisps?|wispy|hint|trace|touch|speck|specks|tiny|single|lone|a\s+little)\b", re.I)
_THIN = re.compile(
    r"\b(?:thin|faint|translucent|semi-transparent|cirrus|cirrostratus|high[- ]altitude|veil)\b", re.I
)
_SLIGHT = re.compile(
    r"\b(?:slight|slightly|light|lightly|mild|mildly|minor|faint|thin|a\s+bit|somewhat)\b", re.I
)
_MINIMAL = re.compile(
    r"\b(?:minimal|negligible|insignificant|marginal|hardly\s+any|barely\s+any|scarcely\s+any|very\s+few|"
    r"(?<!a\s)few\s+clouds|almost\s+no|virtually\s+no|nearly\s+no|practically\s+no|next\s+to\s+no|"
    r"almost\s+none|essentially\s+(?:zero|none|nil)|close\s+to\s+(?:zero|none)|near[- ]zero|low\s+cloud\s+cover|"
    r"(?:cover(?:age)?|amount|fraction|share|proportion)(?:\s+of\s+clouds?)?\s+(?:is|was|remains?|stays?)\s+"
    r"(?:very\s+)?(?:low|small|tiny|minimal|negligible))\b",
    re.I,
)
"""Little or no cloud ("minimal cloud cover", "hardly any haze"): label ``minimal``."""
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|has|have|covers?|shows?|appears?|lies|sits|obscures?|hides?)\b", re.I
)


def _SAME_SENTENCE(text: str, end: int, start: int) -> bool:  # noqa: N802
    return end >= 0 and not re.search(r"[.;!?\n|]", text[end:start])


CONDITION_WORD = re.compile(r"^(?:clouds?|cloud-?cover|haze|mist|fog|smoke|smog|(?:cloud-?)?shadows?)$")
"""A token naming an image condition (negation scope passes over it: "no clouds or snow")."""
_DECIMAL_SHARE = re.compile(
    r"\b(?:fraction|cover(?:age)?|share|amount|proportion)\s*(?:of\s+|is\s+|=\s*|≈\s*|:\s*|~\s*|about\s+|around\s+|"
    r"under\s+|below\s+|over\s+|above\s+|less\s+than\s+|more\s+than\s+)*(0?\.\d+|1\.0+)(?![\d.]|\s*(?:%|m\b|km|db|°))",
    re.I,
)
_PCT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_AT_MOST = re.compile(
    r"\b(?:less\s+than|under|below|at\s+most|no\s+more\s+than|up\s+to|max(?:imum)?|<|≤)\s*$", re.I
)
_AT_LEAST = re.compile(r"\b(?:more\s+than|over|above|at\s+least|exceeding|>|≥)\s*$", re.I)
_PART = re.compile(
    r"\b(?:north|south|east|west|northern|southern|eastern|western|north-?west|north-?east|south-?west|"
    r"south-?east|centre|center|corner|edge|half)\b",
    re.I,
)
GENERIC = frozenset(
    [
        "aerial",
        "satellite",
        "orbital",
        "sentinel-2",
        "sentinel2",
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "there",
        "here",
        "of",
        "in",
        "on",
        "at",
        "over",
        "across",
        "to",
        "from",
        "by",
        "for",
        "as",
        "with",
        "and",
        "or",
        "nor",
        "no",
        "not",
        "none",
        "zero",
        "without",
        "any",
        "all",
        "some",
        "much",
        "most",
        "few",
        "little",
        "image",
        "images",
        "scene",
        "scenes",
        "tile",
        "tiles",
        "picture",
        "photo",
        "view",
        "shot",
        "capture",
        "acquisition",
        "imagery",
        "frame",
        "sky",
        "skies",
        "day",
        "weather",
        "conditions",
        "condition",
        "air",
        "atmosphere",
        "visible",
        "visibility",
        "seen",
        "see",
        "ground",
        "surface",
        "land",
        "terrain",
        "landscape",
        "everything",
        "cover",
        "covers",
        "covered",
        "covering",
        "coverage",
        "obscure",
        "obscures",
        "obscured",
        "obscuring",
        "hide",
        "hides",
        "hidden",
        "veil",
        "veils",
        "veiled",
        "blanket",
        "blankets",
        "appear",
        "appears",
        "appeared",
        "seem",
        "seems",
        "seemed",
        "look",
        "looks",
        "looked",
        "show",
        "shows",
        "showed",
        "shown",
        "present",
        "absent",
        "free",
        "clear",
        "clearly",
        "completely",
        "entirely",
        "fully",
        "totally",
        "almost",
        "nearly",
        "mostly",
        "largely",
        "partly",
        "partially",
        "very",
        "quite",
        "rather",
        "really",
        "just",
        "only",
        "also",
        "too",
        "still",
        "even",
        "well",
        "percent",
        "per",
        "cent",
        "cloud",
        "clouds",
        "cloudy",
        "cloudless",
        "overcast",
        "haze",
        "hazy",
        "mist",
        "misty",
        "fog",
        "foggy",
        "smoke",
        "smog",
        "shadow",
        "shadows",
        "thick",
        "thin",
        "heavy",
        "heavily",
        "dense",
        "light",
        "slight",
        "slightly",
        "faint",
        "scattered",
        "patchy",
        "patches",
        "patch",
        "broken",
        "isolated",
        "occasional",
        "small",
        "minor",
        "bits",
        "several",
        "wisps",
        "wispy",
        "barely",
        "hardly",
        "scarcely",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "centre",
        "center",
        "corner",
        "edge",
        "half",
        "part",
        "parts",
        "area",
        "areas",
        "portion",
        "whole",
        "entire",
        "majority",
        "bulk",
        "lot",
        "lots",
        "lies",
        "lie",
        "lying",
        "sits",
        "has",
        "have",
        "had",
        "there's",
        "it's",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "doesn't",
        "don't",
        "didn't",
        "can",
        "cannot",
        "can't",
        "sunny",
        "bright",
        "day's",
        "taken",
        "acquired",
        "captured",
        "recorded",
        "good",
        "excellent",
        "perfect",
        "great",
        "nice",
        "fine",
        "high",
        "low",
        "quality",
        "crisp",
        "sharp",
        "unobscured",
        "unclouded",
        "nothing",
        "nil",
        "hint",
        "trace",
        "touch",
        "speck",
        "tiny",
        "single",
        "lone",
        "about",
        "around",
        "roughly",
        "approximately",
        "nearly",
        "under",
        "less",
        "more",
        "than",
        "least",
        "below",
        "above",
        "up",
        "estimated",
        "estimate",
        "maybe",
        "perhaps",
        "likely",
        "possibly",
        "probably",
        "apparently",
        "virtually",
        "essentially",
        "practically",
        "whatsoever",
        "anywhere",
        "spot",
        "spots",
        "visible",
        "obstructed",
        "unobstructed",
        "interfere",
        "interferes",
        "interfering",
        "plenty",
        "amount",
        "level",
        "levels",
        "fraction",
        "share",
    ]
)
GENERIC = GENERIC | {
    "sight",
    "minimal",
    "negligible",
    "insignificant",
    "marginal",
    "contamination",
    "cloudiness",
}


_CLAUSE = re.compile(r"(?:[^.;!?\n|·•—#\u2600-\u27bf\U0001f000-\U0001faff]|\.(?=\d))+")
_JOIN = re.compile(
    r"\s+(?:but|while|whereas|although|though|yet|and(?!\s+growing))\s+|,\s+(?:also|plus|and\s+also)\s+|\s+[-–/]\s+",
    re.I,
)


def clauses(text: str) -> list[tuple[int, int]]:
    """Sentences and conjoined statements (commas and brackets stay inside: "green (NDVI > 0.5) covers …")."""
    out = []
    for m in _CLAUSE.finditer(text):
        last = m.start()
        cuts = [(m.start() + j.start(), m.start() + j.end()) for j in _JOIN.finditer(m.group(0))]
        for x, y in [*cuts, (m.end(), m.end())]:
            a, b = last, x
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and not (text[b - 1].isalnum() or text[b - 1] in "%)°"):
                b -= 1
            if b > a:
                out.append((a, b))
            last = y
    return out


_PARTIAL = re.compile(
    r"\b(?:partly|partially|in\s+places|locally|patchy|patches|some|a\s+few|scattered|small|parts?\s+of|corner)\b",
    re.I,
)
_STRONG_MUCH = re.compile(
    r"\b(?:thick|heavy|heavily|dense|densely|overcast|mostly|most|largely|majority|completely|entirely|fully|totally|"
    r"nearly\s+all|almost\s+all|whole|entire|much\s+of|bulk)\b",
    re.I,
)


def _amount(seg: str, subject: str) -> str:
    if subject == "obscured":
        return "much"
    if _THIN.search(seg) and not _MUCH.search(seg.replace("cover", "")):
        return "thin"
    if subject == "haze" and (_SLIGHT.search(seg) or _TRACE.search(seg)):
        return "thin"  # a slight haze: never contradicted (invisible after atmospheric correction)
    if _MUCH.search(seg):
        strong = _STRONG_MUCH.search(seg)
        return "some" if _PARTIAL.search(seg) and not strong else "much"
    if _TRACE.search(seg):
        return "trace"
    if re.search(r"\bpartly\s+cloudy|\bpartially\s+cloudy", seg, re.I):
        return "some"
    if _SOME.search(seg):
        return "some"
    if subject == "cloud" and re.search(r"\bcloudy\b|\bclouded\b", seg, re.I):
        return "cloudy"
    return "some"


_FRACTION = re.compile(
    r"(?<!northern\s)(?<!southern\s)(?<!eastern\s)(?<!western\s)(?<!upper\s)(?<!lower\s)"
    r"\b(?:(?:a|one)\s+(?P<third>third)|(?:a|one)\s+(?P<quarter>quarter)|(?:a|one)\s+(?P<fifth>fifth)|"
    r"(?:a|one)\s+(?P<tenth>tenth)|(?P<twothirds>two[- ]thirds)|(?P<threeq>three[- ]quarters)|(?P<half>half))"
    r"(?=\s+(?:of\b|the\b|its\b|it\b))",
    re.I,
)
_FRACTION_PCT = {
    "third": 33.3,
    "quarter": 25.0,
    "fifth": 20.0,
    "tenth": 10.0,
    "twothirds": 66.7,
    "threeq": 75.0,
    "half": 50.0,
}


def _bound_in(head: str, default: str = Bound.ABOUT.value) -> str:
    """The bound the words before a number give it ("under 10 %", "at least a third")."""
    if _AT_MOST.search(head):
        return Bound.AT_MOST.value
    if _AT_LEAST.search(head):
        return Bound.AT_LEAST.value
    return default


def _value(seg: str, at: int) -> Value | None:
    m = _PCT.search(seg)
    if m is None:
        f = _FRACTION.search(seg)
        if f is None:
            d = _DECIMAL_SHARE.search(seg)  # "cloud fraction 0.85": a share written as a decimal
            if d is None:
                return None
            x = round(100.0 * float(d.group(1)), 3)
            return Value(low=x, high=x, bound=_bound_in(seg[: d.start(1)]), unit="%")
        x = _FRACTION_PCT[next(k for k, v in f.groupdict().items() if v)]
        return Value(low=x, high=x, bound=_bound_in(seg[: f.start()]), unit="%")
    x = float(m.group(1).replace(",", "."))
    if x > 100:
        return None
    return Value(low=x, high=x, bound=_bound_in(seg[: m.start()]), unit="%")


def _segments(text: str) -> list[tuple[int, int]]:
    out = []
    for s in _SENT.finditer(text):
        a = s.start()
        pieces = []
        last = a
        for m in _SPLIT.finditer(s.group(0)):
            pieces.append((last, a + m.start()))
            last = a + m.end()
        pieces.append((last, s.end()))
        for x, y in pieces:
            while x < y and not text[x].isalnum():
                x += 1
            while y > x and not text[y - 1].isalnum() and text[y - 1] not in "%":
                y -= 1
            if y > x:
                out.append((x, y))
    return out


class _Num(Protocol):
    low: float
    high: float
    bound: str
    unit: str
    start: int
    end: int


_SUN = re.compile(r"\b(?:sun|solar|sunlight)\b", re.I)
_SUN_ANGLE = re.compile(
    r"\b(?:elevation|angle|altitude|high|low|overhead|horizon|zenith|stands?|stood)\b", re.I
)
_SUN_LOW = re.compile(r"\b(?:low|low-angle|shallow|grazing|long\s+shadows)\b", re.I)
_SUN_HIGH = re.compile(r"\b(?:high|overhead|near-overhead|zenith|steep)\b", re.I)
SUN_QUIET = GENERIC | {
    "near",
    "very",
    "was",
    "sun",
    "solar",
    "sunlight",
    "elevation",
    "angle",
    "altitude",
    "stands",
    "stood",
    "stand",
    "degrees",
    "degree",
    "horizon",
    "overhead",
    "near-overhead",
    "summer",
    "winter",
    "extremely",
    "in",
    "low",
    "high",
}


def sun_claims(text: str, toks: Sequence[_Tok], nums: Sequence[_Num]) -> tuple[list[Claim], set[int]]:
    """Sun-elevation statements ("a low winter sun, under 25° elevation", "high sun angle"):
    subject ``sun`` with a value in degrees or a ``label`` low / high."""
    if not _SUN.search(text):
        return [], set()
    claims: list[Claim] = []
    masked: set[int] = set()
    for a, b in clauses(text):
        seg = text[a:b]
        if not (_SUN.search(seg) and _SUN_ANGLE.search(seg)):
            continue
        value = None
        for n in nums:
            if a <= n.start and n.end <= b and n.unit == "deg":
                before = text[a : n.start]
                if re.search(r"\bunder\s*$", before, re.I):
                    bound = Bound.AT_MOST.value
                else:
                    bound = _bound_in(before, default=n.bound)
                value = Value(low=n.low, high=n.high, bound=bound, unit="deg")
                break
        label = "high" if _SUN_HIGH.search(seg) else "low" if _SUN_LOW.search(seg) else None
        if value is None and label is None:
            continue
        claims.append(Claim(family=FAMILY, subject="sun", start=a, end=b, text=seg, value=value, label=label))
        inside = [t for t in toks if a <= t.start and t.end <= b]
        if all(t.low in SUN_QUIET or not t.low[:1].isalpha() for t in inside):
            masked.update(getattr(t, "i", -1) for t in inside)
    return claims, masked


def condition_claims(text: str, toks: Sequence[_Tok]) -> tuple[list[Claim], set[int]]:
    """Image-condition claims of ``text`` and the token indices the rest of the extractor must skip."""
    low = text.lower()
    if not re.search(
        r"cloud|haz|mist|fog|smok|smog|murk|overcast|clear|sunny|visib|obscur|cirrus|cumul|stratus", low
    ):
        return [], set()
    claims: list[Claim] = []
    masked: set[int] = set()
    carry = False  # the previous piece was a negated condition ("free of haze and cloud")
    prev_end = -1
    for a, b in _segments(text):
        seg = text[a:b]
        inherit = (
            carry and len(seg.split()) <= 5 and not _VERBISH.search(seg) and _SAME_SENTENCE(text, prev_end, a)
        )
        carry = False
        prev_end = b
        found: list[tuple[str, re.Match[str]]] = []
        shadow = _SHADOW.search(seg)
        if shadow:
            found.append(("shadow", shadow))
        for m in _CLOUD.finditer(seg):
            if shadow and shadow.start() <= m.start() < shadow.end():
                continue
            found.append(("cloud", m))
            break
        hz = _HAZE.search(seg)
        if hz:
            found.append(("haze", hz))
        clear = None if any(k == "cloud" for k, _ in found) else _CLEAR.search(seg)
        obsc = _OBSCURED.search(seg)
        if obsc and not found:
            found.append(("obscured", obsc))
        if not found and clear is None:
            continue
        spans: list[tuple[int, int]] = []
        for subject, m in found:
            head = seg[: m.start()]
            word = m.group(0).lower()
            neg = bool(_NEG.search(head)) or word.endswith("free") or word == "cloudless" or inherit
            neg = neg or bool(_POSTNEG.search(seg[m.end() :])) or bool(_UN_BY.search(head))
            minimal = subject != "obscured" and bool(_MINIMAL.search(seg))
            if minimal:
                neg = False
            value = _value(seg, m.start()) if subject in ("cloud", "shadow") else None
            if value is not None and value.low == 0.0 and value.bound == Bound.ABOUT.value:
                value, neg = None, True
            if subject == "obscured" and neg and not re.search(r"\bnot\s+(?:visible|discernible|seen)", word):
                continue  # "nothing is obscured by cloud" is a clear-sky statement, left to the words
            if subject == "obscured":
                neg = False
            label = None if neg or value is not None else "minimal" if minimal else _amount(seg, subject)
            carry = carry or (neg and subject != "obscured")
            claims.append(
                Claim(
                    family=FAMILY,
                    subject=subject,
                    start=a,
                    end=b,
                    text=text[a:b],
                    polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                    value=value,
                    label=label,
                )
            )
            spans.append((a + m.start(), a + m.end()))
        if clear is not None:
            head = seg[: clear.start()]
            neg = bool(re.search(r"\b(?:not|isn't|wasn't|aren't|weren't|never)\b|n't\b", head, re.I))
            claims.append(
                Claim(
                    family=FAMILY,
                    subject="cloud",
                    start=a,
                    end=b,
                    text=text[a:b],
                    polarity=Polarity.AFFIRMED.value if neg else Polarity.NEGATED.value,
                    label="some" if neg else None,
                )
            )
            spans.append((a + clear.start(), a + clear.end()))
        covered = [
            (a + m.start(), a + m.end())
            for rx in (
                _CLOUD,
                _HAZE,
                _SHADOW,
                _CLEAR,
                _OBSCURED,
                _UN_WORD,
                _NEG,
                _MUCH,
                _SOME,
                _TRACE,
                _THIN,
                _SLIGHT,
                _PCT,
            )
            for m in rx.finditer(seg)
        ]
        seg_toks = [t for t in toks if a <= t.start and t.end <= b]
        if all(
            t.low in GENERIC
            or not t.low[:1].isalnum()
            or t.low[:1].isdigit()
            or any(x <= t.start and t.end <= y for x, y in covered)
            for t in seg_toks
        ):  # the segment says nothing but the condition: the rest of the extractor skips it
            masked.update(getattr(t, "i", -1) for t in seg_toks)
    return claims, masked


# ---- checking ---------------------------------------------------------------------------------
C, S, U = Verdict.CONTRADICTED, Verdict.SUPPORTED, Verdict.UNVERIFIABLE

CLOUD_FREE_BELOW = 1.0
CLOUD_PRESENT_LOWER = 3.0
MINIMAL_RULE = (2.0, 10.0)
"""Little or no cloud: supported while at most 2 % can be cloud, contradicted from 10 % opaque cloud."""
AMOUNT_RULES: dict[str, tuple[float, float]] = {
    "trace": (0.2, 0.2),
    "some": (2.0, 1.0),
    "cloudy": (25.0, 10.0),
    "much": (50.0, 40.0),
}
"""Cloud amount label → (supported from this opaque-cloud share, contradicted below this upper bound),
in % of the tile."""
HAZE_CLEAR_BELOW, HAZE_CLEAR_CONTRADICT = 0.04, 0.10
HAZE_SOME_FROM, HAZE_SOME_CONTRADICT_TOA, HAZE_SOME_CONTRADICT_BOA = 0.10, 0.015, 0.025
HAZE_MUCH_FROM, HAZE_MUCH_CONTRADICT = 0.15, 0.05
SHADOW_NONE_BELOW, SHADOW_SOME_CONTRADICT, SHADOW_MUCH_CONTRADICT = 1.0, 0.5, 10.0


DARK_OBJECT_COVER_MAX = 20.0
"""The dark object needs dark land or water: with 20 % or more snow or opaque cloud it says nothing."""


def _haze_excess(g: Any) -> tuple[float | None, str]:
    """Haze above a clear atmosphere, from the dark object in blue. Top-of-atmosphere products (L1C,
    or a substitute Sentinel-2 layer, or any scene whose dark object is at the Rayleigh level — surface
    reflectance of the darkest land and water is a few hundredths) have the Rayleigh path reflectance of
    the overpass removed; surface-reflectance products are read as they are. An unknown product is thus
    read the less decisive way."""
    from geomeld.signals.conditions import rayleigh_blue

    cond = g.bundle.spectral.conditions if g.bundle.spectral is not None else None
    if cond is None:
        return None, "no condition signal"
    if cond.snow_upper >= DARK_OBJECT_COVER_MAX or cond.cloud_lower >= DARK_OBJECT_COVER_MAX:
        return None, "snow or cloud covers the dark surfaces the haze estimate needs"
    lo = g.layer_origin("sentinel2")
    prod = (lo.product or "").lower()
    p = g.bundle.place
    rayleigh = None
    if p is not None and p.date:
        rayleigh = rayleigh_blue(p.lat, date.fromisoformat(p.date).timetuple().tm_yday)
    toa = "l1c" in prod or "top-of-atmosphere" in prod or lo.origin == "substitute"
    toa = toa or (rayleigh is not None and cond.dark_blue >= 0.8 * rayleigh)
    if not toa:
        return cond.dark_blue, "dark object (surface reflectance)"
    if rayleigh is None:
        return None, "top-of-atmosphere product without a date and place for the Rayleigh term"
    return cond.dark_blue - rayleigh, "dark object minus Rayleigh path reflectance (TOA)"


def check_image_condition(claim: Claim, g: Any) -> tuple[Verdict, ClaimEvidence]:
    from geomeld.captioning.check import interval_verdict

    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or sp.conditions is None or origin is None or sp.valid_percentage is None:
        return U, ClaimEvidence(
            note="no Sentinel-2 condition signal that is evidence here", layer="sentinel2"
        )
    cond = sp.conditions
    valid = sp.valid_percentage
    lo, hi = cond.cloud_lower, cond.cloud_upper  # of the imaged pixels: "the image" is what was imaged
    measured: dict[str, Any] = {
        "cloud_pct_of_image": [round(lo, 2), round(hi, 2)],
        "imaged_pct_of_tile": round(valid, 2),
    }
    if cond.scl_cloud_shadow_percentage is not None:
        measured["scl_cloud_shadow_pct"] = cond.scl_cloud_shadow_percentage
    if cond.scene_cloud_cover is not None:
        measured["scene_cloud_cover"] = cond.scene_cloud_cover
    layer = "sentinel2 (cloud/haze/shadow tests)"
    tol: dict[str, Any] = {}
    v = U
    negated = claim.polarity == Polarity.NEGATED.value
    if claim.subject == "cloud":
        if claim.value is not None and not negated:
            v, band = interval_verdict(claim.value, lo, hi, FAMILY, claim.hedge != "none")
            tol = {"band": band}
        elif negated:
            tol = {"supported_below": CLOUD_FREE_BELOW, "contradicted_from_opaque": CLOUD_PRESENT_LOWER}
            clear_scene = cond.scene_cloud_cover is not None and cond.scene_cloud_cover == 0.0
            v = S if hi < CLOUD_FREE_BELOW or clear_scene else C if lo >= CLOUD_PRESENT_LOWER else U
        elif claim.label == "thin":
            excess, how = _haze_excess(g)
            tol = {"contradicted_below": 0.1, "haze_excess_below": HAZE_SOME_CONTRADICT_TOA}
            if excess is not None:
                measured["haze_excess"] = round(excess, 4)
            v = C if hi < 0.1 and excess is not None and excess < HAZE_SOME_CONTRADICT_TOA else U
        elif claim.label == "minimal":
            tol = {
                "label": "minimal",
                "supported_below": MINIMAL_RULE[0],
                "contradicted_from_opaque": MINIMAL_RULE[1],
            }
            v = S if hi < MINIMAL_RULE[0] else C if lo >= MINIMAL_RULE[1] else U
        else:
            sup, con = AMOUNT_RULES.get(str(claim.label), AMOUNT_RULES["some"])
            tol = {"label": claim.label, "supported_from_opaque": sup, "contradicted_below": con}
            v = S if lo >= sup else C if hi < con else U
    elif claim.subject == "obscured":
        excess, how = _haze_excess(g)
        sup, con = AMOUNT_RULES["much"]
        tol = {
            "supported_from_opaque": sup,
            "contradicted_below": con,
            "haze_excess_below": HAZE_MUCH_CONTRADICT,
        }
        if excess is not None:
            measured["haze_excess"] = round(excess, 4)
        v = S if lo >= sup else C if hi < con and excess is not None and excess < HAZE_MUCH_CONTRADICT else U
    elif claim.subject == "haze":
        excess, how = _haze_excess(g)
        if excess is None:
            return U, ClaimEvidence(measured, None, layer, origin, note=how)
        measured["haze_excess"] = round(excess, 4)
        measured["dark_blue"] = cond.dark_blue
        boa = how.startswith("dark object (surface")
        if negated or claim.label == "minimal":
            tol = {"supported_below": HAZE_CLEAR_BELOW, "contradicted_above": HAZE_CLEAR_CONTRADICT}
            v = S if excess < HAZE_CLEAR_BELOW else C if excess > HAZE_CLEAR_CONTRADICT else U
        elif claim.label == "thin":
            tol = {"supported_above": HAZE_SOME_FROM}
            v = S if excess > HAZE_SOME_FROM else U
        elif claim.label == "much":
            tol = {"supported_above": HAZE_MUCH_FROM, "contradicted_below": HAZE_MUCH_CONTRADICT}
            v = S if excess > HAZE_MUCH_FROM else C if excess < HAZE_MUCH_CONTRADICT else U
        else:
            below = HAZE_SOME_CONTRADICT_BOA if boa else HAZE_SOME_CONTRADICT_TOA
            tol = {"supported_above": HAZE_SOME_FROM, "contradicted_below": below}
            v = S if excess > HAZE_SOME_FROM else C if excess < below else U
        return v, ClaimEvidence(measured, tol, layer, origin, note=how)
    elif claim.subject == "sun":
        return _check_sun(claim, cond, origin)
    elif claim.subject == "shadow":
        dark = cond.shadow_upper
        measured["dark_nir_swir_pct_of_image"] = round(dark, 2)
        if negated or claim.label == "minimal":
            tol = {"supported_below": SHADOW_NONE_BELOW}
            v = S if dark < SHADOW_NONE_BELOW else U
        else:
            con = SHADOW_MUCH_CONTRADICT if claim.label == "much" else SHADOW_SOME_CONTRADICT
            tol = {"contradicted_below": con, "upper_bound_only": True}
            v = C if dark < con else U
    return v, ClaimEvidence(measured, tol, layer, origin)


SUN_SUPPORT_DEG, SUN_CONTRADICT_DEG, SUN_DATE_ONLY_DEG = 0.5, 5.0, 3.0
SUN_LOW = (30.0, 45.0)
SUN_HIGH = (50.0, 35.0)
"""Sun elevation: a bound holds with 0.5° to spare and fails from 5° beyond it ("about N°": 3° / 8°);
3° more either way when only the date is known (overpass at 10:30 solar time). "Low sun": supported
under 30°, contradicted over 45°; "high sun": supported over 50°, contradicted under 35°."""


def _check_sun(claim: Claim, cond: Any, origin: str) -> tuple[Verdict, ClaimEvidence]:
    e = cond.sun_elevation
    if e is None:
        return U, ClaimEvidence(note="no acquisition time and place for the sun elevation", layer="sentinel2")
    exact = cond.sun_elevation_from == "acquisition time" or str(cond.sun_elevation_from).startswith(
        "recorded"
    )
    extra = 0.0 if exact else SUN_DATE_ONLY_DEG
    s, c = SUN_SUPPORT_DEG + extra, SUN_CONTRADICT_DEG + extra
    val = claim.value
    tol: dict[str, Any]
    if val is not None and val.low is not None and val.high is not None:
        lo_v, hi_v = val.low, val.high
        if val.bound == Bound.AT_MOST.value:
            v = S if e <= hi_v - s else C if e > hi_v + c else U
        elif val.bound == Bound.AT_LEAST.value:
            v = S if e >= lo_v + s else C if e < lo_v - c else U
        elif val.bound == Bound.BETWEEN.value:
            v = S if lo_v + s <= e <= hi_v - s else C if e < lo_v - c or e > hi_v + c else U
        else:
            v = S if abs(e - lo_v) <= 3.0 + extra else C if abs(e - lo_v) > 8.0 + extra else U
        tol = {"bound": val.bound, "support_deg": s, "contradict_deg": c}
    else:
        sup, con = SUN_HIGH if claim.label == "high" else SUN_LOW
        if claim.label == "high":
            v = S if e > sup + extra else C if e < con - extra else U
        else:
            v = S if e < sup - extra else C if e > con + extra else U
        tol = {"label": claim.label, "supported": sup, "contradicted": con}
    return v, ClaimEvidence(
        {"sun_elevation_deg": e, "from": cond.sun_elevation_from}, tol, "sentinel2 (metadata)", origin
    )
