"""Ratios between two classes written as a ratio: "the A:B ratio is about 3:1", "the mapped A/B ratio
exceeds 2:1", "A to B ratio of roughly 2 to 1". Each becomes a ``comparison`` claim with label
``ratio`` and the factor as value (its bound from the verb: "exceeds" is at least)."""

from __future__ import annotations

import re

from geomeld.captioning.claims import Bound, Claim, Family, Value
from geomeld.captioning.placement import Subjects

_BOUND_WORDS = {
    "exceeds": Bound.AT_LEAST.value,
    "exceeding": Bound.AT_LEAST.value,
    "above": Bound.AT_LEAST.value,
    "over": Bound.AT_LEAST.value,
    "at least": Bound.AT_LEAST.value,
    "more than": Bound.AT_LEAST.value,
    "greater than": Bound.AT_LEAST.value,
    ">": Bound.AT_LEAST.value,
    "≥": Bound.AT_LEAST.value,
    "below": Bound.AT_MOST.value,
    "under": Bound.AT_MOST.value,
    "less than": Bound.AT_MOST.value,
    "at most": Bound.AT_MOST.value,
    "<": Bound.AT_MOST.value,
    "≤": Bound.AT_MOST.value,
}
_RATIO_RE = re.compile(
    r"(?P<pair>[^.;|\n]{2,80}?)\s+ratio\s+(?:is\s+|of\s+|stands at\s+|comes to\s+)?"
    r"(?P<bound>" + "|".join(re.escape(w) for w in sorted(_BOUND_WORDS, key=len, reverse=True)) + r")?"
    r"\s*(?:about|around|roughly|approximately|approx\.|nearly|~|≈)?\s*"
    r"(?P<a>\d+(?:\.\d+)?)\s*(?::|to)\s*(?P<b>\d+(?:\.\d+)?)\b",
    re.I,
)
_SEP_RE = re.compile(r"\s*(?:[:/]|\bto\b|\bversus\b|\bvs\.?)\s*", re.I)


def ratio_claims(text: str, subjects: Subjects) -> tuple[list[Claim], list[tuple[int, int]]]:
    """Comparison claims from "A:B ratio is k:1" phrasings, and the character spans they used."""
    out: list[Claim] = []
    used: list[tuple[int, int]] = []
    for m in _RATIO_RE.finditer(text):
        a0, b0 = float(m.group("a")), float(m.group("b"))
        if b0 <= 0:
            continue
        subs = subjects(m.start("pair"), m.end("pair"))
        if len(subs) < 2:
            continue
        left, right = subs[-2], subs[-1]
        if left[0] == right[0] or not _SEP_RE.fullmatch(_between(text, left, right)):
            continue
        bound = _BOUND_WORDS.get((m.group("bound") or "").lower(), Bound.ABOUT.value)
        k = a0 / b0
        c = Claim(
            family=Family.COMPARISON.value,
            subject=left[0],
            other=right[0],
            start=left[1],
            end=m.end(),
            label="ratio",
            value=Value(low=k, high=k, bound=bound, unit="x"),
        )
        c.text = text[c.start : c.end]
        out.append(c)
        used.append((c.start, c.end))
    return out, used


def _between(text: str, left: tuple[str, int, int], right: tuple[str, int, int]) -> str:
    """The text between two class names, without a bracketed class code ("Cropland (WorldCover 40)")."""
    return re.sub(r"\([^()]*\)", "", text[left[2] : right[1]])


_INDEX = r"(?:mean\s+|average\s+|the\s+)?(ndvi|ndwi|mndwi|ndbi)"
_BAND = r"(?:mean\s+|average\s+|the\s+)?(b0?4|b0?8|red|nir|near[- ]infra-?red)(?:\s*\(b0?[48]\))?(?:\s+(?:band|reflectance))*"
_MORE = r"(?:exceeds?|is\s+(?:higher|greater|larger|brighter|above)\s+(?:than)?|>|outweighs|tops)"
_LESS = r"(?:is\s+(?:lower|smaller|less|darker|below)\s+(?:than)?|<|falls\s+below)"
_MEASURE_RE = re.compile(
    rf"\b(?:{_INDEX}|{_BAND})\s+(?P<op>{_MORE}|{_LESS})\s+(?:that\s+of\s+|the\s+)?(?:{_INDEX}|{_BAND})"
    r"(?:\s+(?:reflectance|on average|overall))*",
    re.I,
)
_CANON = {"b4": "red", "b04": "red", "red": "red", "b8": "nir", "b08": "nir", "nir": "nir"}


def _canon(word: str) -> str:
    w = word.lower().replace(" ", "-")
    return _CANON.get(w, "nir" if w.startswith("near") else w)


def measure_comparisons(text: str) -> tuple[list[Claim], list[tuple[int, int]]]:
    """ "Mean NDWI exceeds mean NDVI", "B4 is brighter than B8 on average", "red reflectance exceeds
    near-infrared reflectance": comparisons of two spectral indices' means or of the red and NIR bands
    (subjects ``ndvi``/``ndwi``/``mndwi``/``ndbi`` or ``red``/``nir``)."""
    out: list[Claim] = []
    used: list[tuple[int, int]] = []
    for m in _MEASURE_RE.finditer(text):
        names = [_canon(g) for g in m.groups()[:2] + m.groups()[3:] if g and g != m.group("op")]
        if len(names) != 2 or names[0] == names[1]:
            continue
        if ({names[0], names[1]} <= {"red", "nir"}) is not (names[0] in ("red", "nir")):
            continue  # a band against an index: not compared
        less = re.match(_LESS, m.group("op"), re.I) is not None
        c = Claim(
            family=Family.COMPARISON.value,
            subject=names[0],
            other=names[1],
            start=m.start(),
            end=m.end(),
            label="less" if less else "more",
        )
        c.text = text[c.start : c.end]
        out.append(c)
        used.append((c.start, c.end))
    return out, used
