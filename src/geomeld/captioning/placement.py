"""Where a land-cover class lies, as statements a general reader misses: exclusivity ("X is confined to
the NW quadrant", "X occurs only in the eastern half", "everything except the south is free of X"),
edge distances ("X stays more than 200 m from the eastern edge", "no X within 200 m of the southern
edge", "the western edge (first 20 px) has no X", "X reaches within 200 m of the northern edge", "X
touches the southern border"), thirds ("some X falls within the easternmost third"), row and column
ranges ("X only in columns 64–127"), the central box ("X occupies part of the central 640 m × 640 m")
and shares of a class's pixels in a region ("about 40 % of the X pixels fall in the NE quadrant").

Each becomes a ``position`` claim: ``location`` a tile part, ``label`` ``only`` (every pixel of the
class lies there), ``some`` (some of it does; negated: none does) or ``share`` (``value``: the % of the
class's pixels there); a strip along one edge carries its depth as ``value`` in metres (a third of the
tile is a 426.7 m strip). The reader runs on one clause at a time and masks what it read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from geomeld.captioning.claims import Claim, Family, Polarity, Value

TILE_M = 1280.0
THIRD_M = TILE_M / 3

_SIDE = {
    "north": "north",
    "northern": "north",
    "northernmost": "north",
    "top": "north",
    "upper": "north",
    "south": "south",
    "southern": "south",
    "southernmost": "south",
    "bottom": "south",
    "lower": "south",
    "west": "west",
    "western": "west",
    "westernmost": "west",
    "left": "west",
    "left-hand": "west",
    "leftmost": "west",
    "east": "east",
    "eastern": "east",
    "easternmost": "east",
    "right": "east",
    "right-hand": "east",
    "rightmost": "east",
}
_SIDE_RE = "|".join(sorted(_SIDE, key=len, reverse=True))
_CORNER = {
    ("north", "west"): "north-west",
    ("north", "east"): "north-east",
    ("south", "west"): "south-west",
    ("south", "east"): "south-east",
}
_NS = r"(north|south|top|bottom|upper|lower)"
_EW = r"(west|east|left|right)"
_CORNER_RE = re.compile(
    rf"\b(?:{_NS}[\s-]?{_EW}(?:ern)?|(nw|ne|sw|se))\b(?:\s+(?:quadrant|quarter|corner|part|section|sector))?",
    re.I,
)
_ABBR = {"nw": "north-west", "ne": "north-east", "sw": "south-west", "se": "south-east"}
_NUM = r"(\d+(?:[.,]\d+)?)"
_DIST_UNIT = r"(m|metres|meters|km|kilometres|kilometers|px|pixels?|cells?)"
_EDGE_NOUN = r"(?:edge|border|margin|boundary|rim|fringe)"
_EDGE_DEPTH = [  # (regex, which group holds the side, which the number, which the unit)
    # "within 200 m of the eastern edge", "more than 200 m from the eastern edge"
    re.compile(
        rf"(?:within|closer than|less than|under|more than|over|at least|beyond|further than|farther than)"
        rf"\s+{_NUM}\s*-?\s*{_DIST_UNIT}\s+(?:away\s+)?(?:of|from)\s+(?:the\s+)?({_SIDE_RE})\s+{_EDGE_NOUN}",
        re.I,
    ),
    # "the western edge (first 20 px)", "the northern 20-pixel margin", "the outer 200 m on the east"
    re.compile(
        rf"\b({_SIDE_RE})\s+{_EDGE_NOUN}\s*\(\s*(?:first|outer|outermost)\s+{_NUM}\s*-?\s*{_DIST_UNIT}", re.I
    ),
    re.compile(rf"\b({_SIDE_RE})(?:most)?\s+{_NUM}\s*-?\s*{_DIST_UNIT}\s+(?:{_EDGE_NOUN}|strip|band)", re.I),
    re.compile(
        rf"\b(?:first|outer(?:most)?)\s+{_NUM}\s*-?\s*{_DIST_UNIT}\s+(?:on|along|at|from)\s+the\s+({_SIDE_RE})",
        re.I,
    ),
]
_TOUCH_RE = re.compile(
    rf"\b(?:touch(?:es|ing)?|reach(?:es|ing)?|abut(?:s|ting)?)\s+the\s+({_SIDE_RE})\s+{_EDGE_NOUN}", re.I
)
_THIRD_RE = re.compile(rf"\b({_SIDE_RE})\s+third\b", re.I)
_HALF_RE = re.compile(rf"\b({_SIDE_RE})\s+half\b", re.I)
_RANGE_RE = re.compile(r"\b(rows?|columns?|cols?)\s+(\d+)\s*(?:[–—-]|to)\s*(\d+)", re.I)
_CENTRE_BOX_RE = re.compile(
    r"\bcent(?:ral|re|er)\s+\d+\s*m\s*[×x]\s*\d+\s*m\b|\bcentral\s+(?:box|square|block|64\s*[×x]\s*64)"
    r"|\bmiddle of the (?:tile|scene|image)|\bcent(?:re|er) of the (?:tile|scene|image)|\baway from the edges",
    re.I,
)
_SIDE_ONLY_RE = re.compile(
    rf"\b(?:in|to|along|on|except|but|than|of)\s+the\s+({_SIDE_RE})\b(?!\s+(?:of|{_EDGE_NOUN}|third|half))",
    re.I,
)

_ONLY_RE = re.compile(
    r"\b(?:only|exclusively|solely|confined|restricted|limited|entirely (?:with)?in|wholly (?:with)?in"
    r"|nowhere (?:but|except|else than)|all of (?:the )?|all (?:the )?)",
    re.I,
)
_NONE_RE = re.compile(
    r"\b(?:no|free of|nowhere|not a single|without|absent|lacks?|devoid of|none)\b"
    r"|\b(?:stays?|keeps?|lies?|remains?|sits?)\s+(?:more than|over|at least|beyond|further than|farther than)\b"
    r"|\bmore than\s+\d+\s*\w*\s+from\b",
    re.I,
)
_EXCEPT_RE = re.compile(
    r"\b(?:everything|everywhere|all)\s+(?:except|but|apart from|other than|save)\b", re.I
)
_SOME_RE = re.compile(
    r"\b(?:part of|some|patches|patch|appears?|occurs?|present|reach(?:es)?|touch(?:es)?|extends?|is found"
    r"|can be found|there is|there are|falls? within|occupies)\b",
    re.I,
)
_SHARE_RE = re.compile(
    r"\b(?:about|around|roughly|some|approximately|approx\.|~|≈)?\s*(\d+(?:\.\d+)?)\s*(?:%|per ?cent|percent)\s+of\s+"
    r"(?:the\s+|all\s+)?(.{2,40}?)\s*(?:pixels|px|cells|area)\s+(?:falls?|lies?|lie|sits?|is|are|are located|is located)\s+"
    r"(?:with)?in\s+the\b",
    re.I,
)
_MOST_RE = re.compile(
    r"\b(?:most|bulk|majority|mainly|mostly|largely|predominantly|chiefly|concentrated|clustered)\b", re.I
)
_NOT_NEGATION_RE = re.compile(
    r"\b(?:without (?:a )?doubt|no doubt|no (?:more|less|fewer) than|not only|not least)\b", re.I
)
_SEP_RE = re.compile(r"[.;!?\n|·•]|\s[/–—-]\s|,\s|\s(?:and|but|while|whereas)\s")


def _to_m(num: str, unit: str) -> float:
    v = float(num.replace(",", ""))
    u = unit.lower()
    if u.startswith("k"):
        return v * 1000.0
    if u.startswith(("p", "c")):
        return v * 10.0
    return v


def _region(seg: str) -> tuple[str, float | None, tuple[int, int]] | None:
    """The tile part a clause names: (location, strip depth in m or None, its character span)."""
    for rx in _EDGE_DEPTH:
        m = rx.search(seg)
        if m:
            g = m.groups()
            side = next(x for x in g if x and x.lower() in _SIDE)
            nums = [x for x in g if x and re.fullmatch(r"\d+(?:[.,]\d+)?", x)]
            unit = next(x for x in g if x and re.fullmatch(_DIST_UNIT, x, re.I))
            return f"{_SIDE[side.lower()]}-edge", _to_m(nums[0], unit), m.span()
    m = _TOUCH_RE.search(seg)
    if m:
        return f"{_SIDE[m.group(1).lower()]}-edge", 40.0, m.span()
    m = _RANGE_RE.search(seg)
    if m:
        a, b = sorted((int(m.group(2)), int(m.group(3))))
        rows = m.group(1).lower().startswith("row")
        if a == 0 and 60 <= b <= 64:
            return ("north" if rows else "west"), None, m.span()
        if 63 <= a <= 64 and b >= 126:
            return ("south" if rows else "east"), None, m.span()
        if a == 0:
            return f"{'north' if rows else 'west'}-edge", (b + 1) * 10.0, m.span()
        if b >= 126:
            return f"{'south' if rows else 'east'}-edge", (128 - a) * 10.0, m.span()
        return None
    m = _THIRD_RE.search(seg)
    if m:
        return f"{_SIDE[m.group(1).lower()]}-edge", THIRD_M, m.span()
    m = _CENTRE_BOX_RE.search(seg)
    if m:
        return "centre", None, m.span()
    m = _CORNER_RE.search(seg)
    if m:
        if m.group(3):
            return _ABBR[m.group(3).lower()], None, m.span()
        return _CORNER[(_SIDE[m.group(1).lower()], _SIDE[m.group(2).lower()])], None, m.span()
    m = _HALF_RE.search(seg)
    if m:
        return _SIDE[m.group(1).lower()], None, m.span()
    m = _SIDE_ONLY_RE.search(seg)
    if m:
        return _SIDE[m.group(1).lower()], None, m.span()
    return None


_OPPOSITE = {"north": "south", "south": "north", "west": "east", "east": "west"}

Subjects = Callable[[int, int], list[tuple[str, int, int]]]
"""(start, end) character span → the land-cover subjects named in it: (concept, start, end)."""


def placement_claims(text: str, subjects: Subjects) -> tuple[list[Claim], list[tuple[int, int]]]:
    """Position claims read from ``text`` and the character spans they used."""
    claims: list[Claim] = []
    used: list[tuple[int, int]] = []
    pos = 0
    for sep in [*_SEP_RE.finditer(text), None]:
        end = sep.start() if sep is not None else len(text)
        a, b = pos, end
        pos = sep.end() if sep is not None else len(text)
        seg = text[a:b]
        if len(seg.strip()) < 6:
            continue
        claim = _one(seg, a, subjects)
        if claim is not None:
            claim.text = text[claim.start : claim.end]
            claims.append(claim)
            used.append((claim.start, claim.end))
    return claims, used


def _one(seg: str, a: int, subjects: Subjects) -> Claim | None:
    low = seg.lower()
    seg = _NOT_NEGATION_RE.sub(lambda m: " " * len(m.group(0)), seg)  # same length: spans hold
    share = _SHARE_RE.search(seg)
    region = _region(seg)
    if region is None:
        return None
    location, depth, (ra, rb) = region
    subs = [s for s in subjects(a, a + len(seg)) if not (a + ra <= s[1] < a + rb)]
    if len({s[0] for s in subs}) != 1:
        return None
    near = min(subs, key=lambda s: min(abs(s[1] - (a + rb)), abs(s[2] - (a + ra))))
    subs = [near]
    concept = near[0]
    value: Value | None = Value(low=depth, high=depth, bound="about", unit="m") if depth else None
    polarity = Polarity.AFFIRMED.value
    except_ = _EXCEPT_RE.search(seg)
    if share is not None:
        label = "share"
        pct = float(share.group(1))
        value = Value(low=pct, high=pct, bound="about", unit="%")
        if depth is not None:
            return None
    elif except_ and _NONE_RE.search(seg[except_.end() :]):
        label = "only"  # "everything except the east is free of X": X only in the east
    elif _NONE_RE.search(seg) and not re.search(r"\bnot only\b", low):
        label, polarity = "some", Polarity.NEGATED.value  # "no X in …", "X stays more than 200 m from …"
    elif _ONLY_RE.search(seg) and not re.search(r"\bnot only\b", low):
        if "away from the edges" in low:
            location = "centre"
        label = "only"
    elif _MOST_RE.search(seg):
        return None  # "most of the X lies in the NE quadrant": the general reader's "most"
    elif depth is not None or (location == "centre" and _SOME_RE.search(seg)):
        label = "some"
    else:
        return None  # "X in the east", "there is X in the NE quarter": the general reader's
    start = min([a + ra, *(s[1] for s in subs)])
    end = max([a + rb, *(s[2] for s in subs)])
    return Claim(
        family=Family.POSITION.value,
        subject=concept,
        start=start,
        end=end,
        text="",
        polarity=polarity,
        value=value,
        label=label,
        location=location,
    )
