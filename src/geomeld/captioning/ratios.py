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
