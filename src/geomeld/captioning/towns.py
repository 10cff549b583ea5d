"""Statements that place the tile relative to a named town: a distance ("about 120 km from Potsdam",
"within 15 km of Hanover", "a short drive (under 15 km) from Wels"), a direction ("just south of
Brandenburg an der Havel", "on the east side of Kilkenny", "a few km north-west of Linz") or closeness
("right next to Potsdam", "on the edge of Genthin", "inside the city of Berlin").

Each becomes one ``place`` claim with subject ``town``: ``label`` the town as written, ``other`` the
compass direction from the town to the tile (or ``None``), ``value`` the distance in km (a bound, a
range or an approximate value; closeness words are read as bounds: "right next to" ≤ 15 km, "not far
from" ≤ 30 km). It is checked against the nearest GeoNames place of that name
(:func:`geomeld.captioning.gazetteer.town_point`) with the tolerances in :func:`town_verdict`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from geomeld.captioning.claims import Bound, Claim, Family, Value

if TYPE_CHECKING:  # pragma: no cover
    from geomeld.captioning.extract import Num, Tok

_COMPASS = {
    "north": (1.0, 0.0),
    "south": (-1.0, 0.0),
    "east": (0.0, 1.0),
    "west": (0.0, -1.0),
}
_ABBR = {"n": "north", "s": "south", "e": "east", "w": "west"}
_KM = {"km", "kms", "kilometres", "kilometers", "kilometre", "kilometer"}
DIRECTION_FAR_KM = 400.0
_CLOSE_KM = 15.0
_NEAR_KM = 30.0
_CLOSE_CUES: dict[tuple[str, ...], float] = {
    ("right", "next", "to"): _CLOSE_KM,
    ("next", "to"): _CLOSE_KM,
    ("on", "the", "edge", "of"): _CLOSE_KM,
    ("at", "the", "edge", "of"): _CLOSE_KM,
    ("a", "stone's", "throw", "from"): _CLOSE_KM,
    ("within", "a", "few", "kilometres", "of"): 15.0,
    ("within", "a", "few", "kilometers", "of"): 15.0,
    ("within", "a", "few", "km", "of"): 15.0,
    ("a", "short", "drive", "from"): _NEAR_KM,
    ("in", "the", "countryside", "around"): _NEAR_KM,
    ("inside", "the", "city", "of"): _CLOSE_KM,
    ("in", "the", "city", "of"): _CLOSE_KM,
    ("within", "the", "city", "of"): _CLOSE_KM,
}
"""Closeness phrases before a town name and the distance (km) they allow at most."""
_JUST = {"just", "immediately", "directly", "right", "slightly"}
_FEW = ("a", "few")
_BOUND_WORDS = {
    "within": Bound.AT_MOST.value,
    "under": Bound.AT_MOST.value,
    "below": Bound.AT_MOST.value,
    "less": Bound.AT_MOST.value,
    "<": Bound.AT_MOST.value,
    "over": Bound.AT_LEAST.value,
    "more": Bound.AT_LEAST.value,
    "beyond": Bound.AT_LEAST.value,
    ">": Bound.AT_LEAST.value,
}


def _direction(words: Sequence[str]) -> tuple[str | None, int]:
    """A compass direction at the start of ``words`` ("south", "south-west", "SW", "north east"):
    (canonical "south-west" form, tokens used)."""
    if not words:
        return None, 0
    w = words[0].rstrip("ern")
    if words[0] in ("ne", "nw", "se", "sw"):
        return f"{_ABBR[words[0][0]]}-{_ABBR[words[0][1]]}", 1
    if words[0] in _COMPASS or w in _COMPASS:
        first = words[0] if words[0] in _COMPASS else w
        k = 1
        if len(words) > 2 and words[1] == "-" and words[2] in ("east", "west"):
            return f"{first}-{words[2]}", 3
        if len(words) > 1 and words[1] in ("east", "west") and first in ("north", "south"):
            return f"{first}-{words[1]}", 2
        return first, k
    return None, 0


def _town_at(toks: Sequence[Tok], text: str, k: int) -> tuple[str, int] | None:
    """A town name starting at token ``k``: capitalised words with joiners ("Brandenburg an der Havel"),
    or a lower-case name GeoNames knows; (name, end token)."""
    from geomeld.captioning import gazetteer
    from geomeld.captioning.phrases import _NAME_JOINERS, INDEX, _caption_vocab, resolve

    if k < len(toks) and toks[k].low in ("the",) and k + 1 < len(toks) and toks[k + 1].cap:
        k += 1
    if k >= len(toks) or not toks[k].low[:1].isalpha():
        return None
    if not toks[k].cap:  # lower case: a name GeoNames knows, up to four words, none a caption word
        vocab = _caption_vocab()
        for e in range(min(len(toks), k + 4), k, -1):
            name = text[toks[k].start : toks[e - 1].end]
            inner = [t.low for t in toks[k:e]]
            if (
                all(w[:1].isalpha() for w in inner)
                and not any(w in vocab or w in INDEX for w in inner if w not in _NAME_JOINERS)
                and inner[-1] not in _NAME_JOINERS
                and resolve(name, gazetteer=False) is None  # "brandenburg": the state, not a town
                and gazetteer.is_city(name)
            ):
                return name, e
        return None
    j = k
    ends = []
    while j < len(toks):
        if toks[j].cap and toks[j].low[:1].isalpha():
            j += 1
            ends.append(j)
            continue
        q = j
        while q < len(toks) and q - j < 3 and toks[q].low in _NAME_JOINERS | {"-"}:
            q += 1
        if q == j or q >= len(toks) or not toks[q].cap:
            break
        j = q
    for e in reversed(ends):
        name = text[toks[k].start : toks[e - 1].end]
        if gazetteer.is_city(name):
            return name, e
    return None


def town_claims(
    text: str, toks: Sequence[Tok], nums: Sequence[Num], names: Sequence[tuple[int, int]]
) -> tuple[list[Claim], set[int]]:
    """Distance, direction and closeness statements about named towns, and the tokens they use;
    ``names`` are token spans of countries and regions: a town inside a longer one is part of it ("the
    south-east of the Republic of Ireland" names no town called Republic)."""
    low = text.lower()
    if not any(c in low for c in (" of ", " from ", " to ", " around ")):
        return [], set()
    out: list[Claim] = []
    used: set[int] = set()
    words = [t.low for t in toks]
    n = len(toks)
    for k in range(n):
        if words[k] not in ("of", "from", "to", "around") or k + 1 >= n:
            continue
        town = _town_at(toks, text, k + 1)
        if town is None or any(a < town[1] and b > town[1] for a, b in names):
            continue
        name, end = town
        start, value, direction = _before(toks, words, nums, k)
        if start is None:
            continue
        out.append(
            Claim(
                family=Family.PLACE.value,
                subject="town",
                start=toks[start].start,
                end=toks[end - 1].end,
                text=text[toks[start].start : toks[end - 1].end],
                label=name,
                other=direction,
                value=value,
            )
        )
        used.update(range(start, end))
    return out, used


def _before(
    toks: Sequence[Tok], words: Sequence[str], nums: Sequence[Num], k: int
) -> tuple[int | None, Value | None, str | None]:
    """What the words before "of/from <Town>" (at token ``k``) say: (first token, distance, direction)."""
    for cue, km in _CLOSE_CUES.items():
        a = k + 1 - len(cue)
        if a >= 0 and tuple(words[a : k + 1]) == cue:
            return a, Value(0.0, km, Bound.AT_MOST.value, "km"), None
    a = k
    direction, dn = None, 0
    if words[k] == "of":  # "[just|a few km|N km] south-west of X", "on the east side of X"
        b = k - 1
        if b >= 1 and words[b] == "side":
            d, used = None, 0
            for size in (3, 2, 1):
                d, used = _direction(words[b - size : b]) if b - size >= 0 else (None, 0)
                if d is not None and used == size:
                    break
            if d is not None and used:
                first = b - used
                if first >= 2 and words[first - 2 : first] == ["on", "the"]:
                    return first - 2, Value(0.0, _CLOSE_KM, Bound.AT_MOST.value, "km"), d
            return None, None, None
        for size in (3, 2, 1):
            d, used = _direction(words[k - size : k]) if k - size >= 0 else (None, 0)
            if d is not None and used == size:
                direction, dn = d, size
                break
        if direction is None:
            return (None, None, None) if words[k - 1 : k] != ["km"] else _distance(toks, words, nums, k, k)
        a = k - dn
        if a >= 1 and words[a - 1] in _JUST:
            return a - 1, Value(0.0, _CLOSE_KM, Bound.AT_MOST.value, "km"), direction
        if (
            a >= 3
            and tuple(words[a - 3 : a - 1]) == _FEW
            and words[a - 1] in {"km", "kilometres", "kilometers", "miles"}
        ):
            return a - 3, Value(0.0, 15.0, Bound.AT_MOST.value, "km"), direction
        got = _distance(toks, words, nums, a, k)
        if got[0] is not None:
            return got[0], got[1], direction
        return a, None, direction
    return _distance(toks, words, nums, a, k)


def _distance(
    toks: Sequence[Tok], words: Sequence[str], nums: Sequence[Num], a: int, k: int
) -> tuple[int | None, Value | None, str | None]:
    """ "[about|within|under] N km [away] from/of": the number ending right before token ``a``."""
    b = a
    if b >= 1 and words[b - 1] == "away":
        b -= 1
    if b >= 1 and words[b - 1] == ")":  # "a short drive (under 15 km) from X"
        opening = next((q for q in range(b - 2, max(-1, b - 8), -1) if words[q] == "("), None)
        if opening is not None:
            inner = _distance(toks, words, nums, b - 1, k)
            if inner[0] is not None:
                return (
                    (
                        opening - 3
                        if opening >= 3 and words[opening - 3 : opening] == ["a", "short", "drive"]
                        else opening
                    ),
                    inner[1],
                    None,
                )
    if b < 1 or words[b - 1] not in _KM:
        return None, None, None
    num = next((x for x in nums if x.j == b - 1 or (x.j == b and x.unit == "km")), None)
    if num is None:
        return None, None, None
    first = num.i
    bound = num.bound
    if first >= 1 and words[first - 1] in _BOUND_WORDS:
        bound = _BOUND_WORDS[words[first - 1]]
        first -= 1
    elif first >= 2 and words[first - 2] in ("less", "more") and words[first - 1] == "than":
        bound = _BOUND_WORDS[words[first - 2]]
        first -= 2
    elif first >= 1 and words[first - 1] in (
        "about",
        "some",
        "roughly",
        "around",
        "approximately",
        "approx",
        "~",
        "c",
        "ca",
        "nearly",
    ):
        first -= 1
    return first, Value(num.low, num.high, bound, "km"), None


def town_verdict(claim: Claim, lat: float, lon: float) -> tuple[bool | None, dict[str, Any]]:
    """Whether the tile at (lat, lon) lies as stated from the town: True, False or None, with the
    distance and bearing used. Distances: "about N" holds within max(5 km, 15 %) and fails beyond
    max(20 km, 50 %); "at most N" fails beyond N + max(15 km, N); "at least N" fails under
    N − max(15 km, N / 2). A direction fails when the tile lies more than 2 km the other way along it
    (so "south of X" fails for a tile north of X)."""
    from geomeld.captioning import gazetteer

    point = gazetteer.town_point(claim.label or "", lat, lon)
    if point is None:
        return None, {"note": f"no place {claim.label!r} in GeoNames"}
    plat, plon, d = point
    d_north = (lat - plat) * 111.0
    d_east = (lon - plon) * 111.0 * math.cos(math.radians(plat))
    ev: dict[str, Any] = {
        "town": claim.label,
        "distance_km": round(d, 1),
        "north_km": round(d_north, 1),
        "east_km": round(d_east, 1),
    }
    verdicts: list[bool | None] = []
    v = claim.value
    if v is not None:
        lo = v.low if v.low is not None else v.high
        hi = v.high if v.high is not None else v.low
        assert lo is not None and hi is not None
        if v.bound == Bound.AT_MOST:
            verdicts.append(True if d <= hi else False if d > hi + max(15.0, hi) else None)
        elif v.bound == Bound.AT_LEAST:
            verdicts.append(True if d >= lo else False if d < lo - max(15.0, lo / 2) else None)
        else:
            ok, bad = max(5.0, 0.15 * hi), max(20.0, 0.5 * hi)
            verdicts.append(
                True if lo - ok <= d <= hi + ok else False if d < lo - bad or d > hi + bad else None
            )
    if claim.other:
        if v is None:  # "west of Berlin" with no distance: a neighbourhood, not a half of the globe
            verdicts += [False] if d > DIRECTION_FAR_KM else []
        parts = claim.other.split("-")
        vec = [sum(_COMPASS[p][i] for p in parts) for i in (0, 1)]
        norm = math.hypot(*vec) or 1.0
        along = (d_north * vec[0] + d_east * vec[1]) / norm
        verdicts.append(True if along > 2.0 else False if along < -2.0 else None)
    if False in verdicts:
        return False, ev
    if verdicts and all(x is True for x in verdicts):
        return True, ev
    return None, ev
