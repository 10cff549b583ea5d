"""Free-text claim extraction: any caption (LLM, human, other datasets) → typed :class:`Claim` objects.

Pure Python over a token list with character offsets (every claim's ``text`` is
``caption[start:end]``); no model weights. Steps:

1. tokens (words, numbers, %, °, hyphens, punctuation) with offsets; a phrase lexicon
   (:mod:`geomeld.captioning.phrases`) matched leftmost-longest on lower-cased tokens, capitalised
   place names masked first ("Lake District", "Black Forest" are places, not land cover);
2. sentences → clauses (``;``, ``:``, dashes, "but", "while", "whereas", "yet", ", and" …);
3. numbers: digits ("2,200", "−16", "0.65"), number words ("seventy", "twenty-one"), fractions
   ("a quarter", "nine-tenths", "half"), ranges ("20–30 %", "between 20 and 30", "5 to 15%"), bounds
   ("less than", "well under", "at least", "and more") and units (%, m, m a.s.l., °, dB, km², ha);
4. per clause, every mention of a land-cover class, water kind, object, relief word, … becomes a claim;
   negation cues before it ("no", "not a single", "isn't any", "without", "far from", "neither … nor")
   scope over a coordinated list ("no A or B"); cues after it ("X is absent", "X is nowhere to be
   found", "both absent") negate the coordinated subjects before them; quantities attach to the class
   they are written next to ("cropland at 20 % beside 65 % forest"); quantifiers ("most", "the bulk
   of", "dominates", "the largest class") make dominance claims; comparatives ("more A than B",
   "A outweighs B", "A trails behind B") make comparison claims; positions attach to the nearest class;
   hedges widen tolerance;
5. a clause with content that made no claim gives an unverifiable claim (so such a caption is never
   "verified" on the strength of the parts that were understood).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from geomeld.captioning import acquisition, structure
from geomeld.captioning import phrases as P
from geomeld.captioning.claims import Bound, Claim, Family, Hedge, Polarity, Value
from geomeld.captioning.conditions import CONDITION_WORD, condition_claims, sun_claims
from geomeld.captioning.coordinates import coordinate_claims
from geomeld.captioning.envelopes import exotic_claims
from geomeld.captioning.greenness import green_share_claims
from geomeld.captioning.placement import placement_claims
from geomeld.captioning.ratios import measure_comparisons, ratio_claims
from geomeld.captioning.reflectance import reflectance_claims
from geomeld.captioning.towns import town_claims

# ---- tokens -------------------------------------------------------------------------------------
_TOKEN_RE = P.TOKEN_RE
_NDVI_FORMULA = re.compile(
    r"\(?\s*B0?8\s*[−–-]\s*B0?4\s*\)?\s*/\s*\(?\s*B0?8\s*\+\s*B0?4\s*\)?", re.IGNORECASE
)


@dataclass
class Tok:
    start: int
    end: int
    low: str
    cap: bool
    i: int = 0


def tokenize(text: str) -> list[Tok]:
    out = []
    formulas = [(m.start(), m.end()) for m in _NDVI_FORMULA.finditer(text)]
    for a, b in formulas:  # "(B8−B4)/(B8+B4)" is one token: NDVI
        text = text[:a] + "n" * (b - a) + text[b:]
    for m in _TOKEN_RE.finditer(text):
        if any(a <= m.start() < b for a, b in formulas):
            if any(a == m.start() for a, _ in formulas):
                end = next(b for a, b in formulas if a == m.start())
                out.append(Tok(m.start(), end, "ndvi", False))
            continue
        t = m.group(0)
        low = t.lower().replace("’", "'").replace("−", "-")
        out.append(Tok(m.start(), m.end(), low, t[:1].isupper()))
    for i, tok in enumerate(out):
        tok.i = i
    return out


@dataclass
class Hit:
    """A lexicon phrase found at tokens ``[i, j)``."""

    i: int
    j: int
    cat: str
    val: str
    start: int
    end: int


@dataclass
class Num:
    i: int
    j: int
    low: float
    high: float
    bound: str
    unit: str  # "%", "m", "deg", "db", "km2", "ha", "" (bare), "asl"
    start: int
    end: int
    used: bool = False


# ---- lexicon matching ----------------------------------------------------------------------------
def match_phrases(toks: Sequence[Tok], masked: set[int]) -> list[Hit]:
    out: list[Hit] = []
    i = 0
    n = len(toks)
    while i < n:
        if i in masked:
            i += 1
            continue
        found = None
        second = toks[i + 1].low if i + 1 < n else None
        cands = [
            *(P.INDEX2.get((toks[i].low, second), ()) if second else ()),
            *P.INDEX2.get((toks[i].low, ""), ()),
        ]
        for words, cat, val in cands:
            k = len(words)
            if (
                i + k <= n
                and all(toks[i + q].low == words[q] for q in range(1, k))
                and not any((i + q) in masked for q in range(k))
            ):
                found = (k, cat, val)
                break
        if found:
            k, cat, val = found
            out.append(Hit(i, i + k, cat, val, toks[i].start, toks[i + k - 1].end))
            i += k
        else:
            i += 1
    return out


# ---- numbers ---------------------------------------------------------------------------------------
def _word_number(toks: Sequence[Tok], i: int) -> tuple[float, int] | None:
    """A number written in words at token ``i``: value and the token index after it."""
    t = toks[i].low
    if t in P.FRACTIONS_ONE:
        return P.FRACTIONS_ONE[t], i + 1
    if t not in P.UNITS_WORDS and t not in P.TENS_WORDS and t not in ("a", "one", "hundred"):
        return None
    value = 0.0
    j = i
    got = False
    while j < len(toks):
        w = toks[j].low
        if w in P.TENS_WORDS:
            value += P.TENS_WORDS[w]
            got = True
            j += 1
            if j + 1 < len(toks) and toks[j].low == "-" and toks[j + 1].low in P.UNITS_WORDS:
                value += P.UNITS_WORDS[toks[j + 1].low]
                j += 2
            elif j < len(toks) and toks[j].low in P.UNITS_WORDS and P.UNITS_WORDS[toks[j].low] < 10:
                value += P.UNITS_WORDS[toks[j].low]
                j += 1
            continue
        if w in P.UNITS_WORDS:
            value += P.UNITS_WORDS[w]
            got = True
            j += 1
            continue
        if w == "hundred" and (got or w):
            value = (value or 1.0) * 100
            got = True
            j += 1
            if j < len(toks) and toks[j].low == "and":
                j += 1
            continue
        if w in ("a",) and j + 1 < len(toks) and toks[j + 1].low == "hundred":
            j += 1
            continue
        break
    if not got:
        return None
    # fractions: "two-thirds", "nine-tenths", "three quarters"
    k = j
    if k < len(toks) and toks[k].low == "-":
        k += 1
    if k < len(toks) and toks[k].low in P.FRACTION_DENOMS and value < 20:
        return 100.0 * value / P.FRACTION_DENOMS[toks[k].low], -(k + 1)  # negative: a fraction (a share)
    return value, j


def _parse_number(toks: Sequence[Tok], i: int) -> tuple[float, int] | None:
    t = toks[i].low
    if t in ("minus", "negative") and i + 1 < len(toks):  # "minus eleven decibels"
        inner = _parse_number(toks, i + 1)
        if inner is not None and inner[1] > 0:
            return -inner[0], inner[1]
        return None
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?|-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):
        return float(t.replace(",", "")), i + 1
    if t in ("a", "an") and i + 1 < len(toks):
        nxt = toks[i + 1].low
        if nxt in P.FRACTION_DENOMS:
            return 100.0 / P.FRACTION_DENOMS[nxt], -(i + 2)
        if nxt in ("half",):
            return 50.0, i + 2
        return None
    return _word_number(toks, i)


_PER_WORDS = {"pixel", "pixels", "px", "cell", "cells"}


def _one_in(toks: Sequence[Tok], i: int, j: int, value: float) -> tuple[float, int] | None:
    """ "one in twenty pixels", "one pixel in fifty", "1 in 100": a proportion, as a share (%) and the
    token index after it; ``j`` is the index after the first number."""
    k = j + 1 if j < len(toks) and toks[j].low in _PER_WORDS else j
    if k + 1 >= len(toks) or toks[k].low not in ("in", "out") or value <= 0:
        return None
    k += 2 if toks[k].low == "out" and toks[k + 1].low == "of" else 1
    if k < len(toks) and toks[k].low in ("a", "an") and k + 1 < len(toks) and toks[k + 1].low in P.BIG_NUMBER:
        denom: float = P.BIG_NUMBER[toks[k + 1].low]
        end = k + 2
    else:
        got = _parse_number(toks, k) if k < len(toks) else None
        if got is None or got[1] < 0:
            return None
        denom, end = got
    if denom <= value:
        return None
    return 100.0 * value / denom, end


def _unit_at(toks: Sequence[Tok], j: int) -> tuple[str, int]:
    for words, unit in P.UNITS:
        k = len(words)
        if j + k <= len(toks) and all(toks[j + q].low == words[q] for q in range(k)):
            return unit, j + k
    return "", j


def find_numbers(toks: Sequence[Tok], masked: set[int]) -> list[Num]:
    out: list[Num] = []
    i = 0
    n = len(toks)
    while i < n:
        if i in masked:
            i += 1
            continue
        parsed = _parse_number(toks, i)
        if parsed is None or _position_half(toks, i) or _day_of_month(toks, i):
            i += 1
            continue
        a, j = parsed
        fraction = j < 0 or toks[i].low in ("a", "an", "half")
        j = abs(j)
        per = None if fraction else _one_in(toks, i, j, a)
        if per is not None:  # "one in twenty pixels": 5 % of the tile
            a, j = per[0], per[1]
            fraction = True
            if j < n and toks[j].low in _PER_WORDS:
                j += 1
        b = a
        start_i = i
        bound = Bound.ABOUT.value
        # ranges: "20–30", "20 to 30", "between 20 and 30", "from 20 to 30"
        if (
            j + 1 < n
            and toks[j].low in ("-", "–", "to", "and")
            and not (toks[j].low == "and" and not _between(toks, i))
        ):
            nxt = _parse_number(toks, j + 1)
            if nxt is not None:
                b, j = nxt[0], abs(nxt[1])
                bound = Bound.BETWEEN.value
        unit, j2 = _unit_at(toks, j)
        if fraction and unit == "":
            unit = "%"
        if unit == "" and j < n and toks[j].low == "-" and j + 1 < n:  # "80-metre"
            unit, j2 = _unit_at(toks, j + 1)
            if unit == "":
                j2 = j
        # "of the pixels / of the tile" after a bare fraction
        low, high = min(a, b), max(a, b)
        if unit == "%" and bound == Bound.ABOUT.value:
            low = high = a
        unit, low, high, j2 = _as_tile_share(toks, i, j2, unit, low, high)
        out.append(
            Num(start_i, j2, low, high, bound, unit, toks[start_i].start, toks[max(j2 - 1, start_i)].end)
        )
        i = max(j2, i + 1)
    return out


TILE_PX = 16384.0
TILE_M2 = 1_638_400.0
"""The 128 × 128 grid at 10 m: pixel counts, m², ha and km² are read as shares of this area."""
_AREA_PER_UNIT = {"km2": 1e6, "ha": 1e4, "m2": 1.0}
_SHARE_WORDS = {"share", "fraction", "proportion", "ratio", "part"}


def _as_tile_share(
    toks: Sequence[Tok], i: int, j: int, unit: str, low: float, high: float
) -> tuple[str, float, float, int]:
    """An area (km², ha, m²), a pixel count ("1,311 pixels (of 16,384)", "82 of 16,384 pixels") or a
    decimal share ("share = 0.020", "0.05 of the area") as a % of the tile; other numbers unchanged."""
    n = len(toks)
    if unit in _AREA_PER_UNIT:
        f = 100.0 * _AREA_PER_UNIT[unit] / TILE_M2
        return "%", low * f, high * f, j
    total = TILE_PX
    if unit == "" and j + 2 < n and toks[j].low in ("of", "/") and toks[j + 2].low in _PER_WORDS:
        got = _parse_number(toks, j + 1)  # "82 of 16,384 pixels"
        if got is not None and got[1] > 0 and got[0] >= high:
            total, unit, j = got[0], "px", j + 3
    if unit == "px":
        if (
            high < 2.0
            or high >= total
            or (i > 0 and toks[i - 1].low in ("×", "x"))
            or (j < n and toks[j].low in ("×", "x"))
        ):
            return unit, low, high, j  # "not one pixel"; the grid itself ("128 × 128 px", "16,384 px")
        paren = j < n and toks[j].low == "("
        k = j + 1 if paren else j
        if k + 1 < n and toks[k].low in ("of", "out"):
            got = _parse_number(toks, k + 1 + (toks[k].low == "out"))
            if got is not None and got[1] > 0 and got[0] > high:  # "1,311 pixels (of 16,384)"
                total, j = got[0], got[1]
                j = j + 1 if j < n and toks[j].low in _PER_WORDS else j
                j = j + 1 if paren and j < n and toks[j].low == ")" else j
        return "%", 100.0 * low / total, 100.0 * high / total, j
    if unit == "" and 0.0 < high <= 1.0 and "." in toks[i].low:
        before = {t.low for t in toks[max(0, i - 4) : i]}
        after = [t.low for t in toks[j : j + 2]]
        if before & _SHARE_WORDS or (after[:1] == ["of"] and after[1:] in (["the"], ["tile"], ["area"])):
            return "%", 100.0 * low, 100.0 * high, j
    return unit, low, high, j


def _decimal_fraction(toks: Sequence[Tok], i: int, j: int) -> bool:
    """A number written as a decimal between 0 and 1 ("0.02", "0.8"), possibly a range of two."""
    vals = [t.low for t in toks[i:j] if t.low[:1].isdigit()]
    return bool(vals) and all("." in v and 0.0 < float(v) < 1.0 for v in vals)


def _day_of_month(toks: Sequence[Tok], i: int) -> bool:
    """ "17 June 2017", "June 17, 2017", "the 3rd of May": a day of a date, not a quantity."""
    t = toks[i].low
    if not (t.isdigit() and 1 <= int(t) <= 31):
        return False
    k = i + 1
    if k < len(toks) and toks[k].low in ("st", "nd", "rd", "th"):
        k += 1
    if k + 1 < len(toks) and toks[k].low == "of":
        k += 1
    after = k < len(toks) and toks[k].low.rstrip(".") in P.MONTH_WORDS
    before = i > 0 and toks[i - 1].low.rstrip(".") in P.MONTH_WORDS
    return after or before


def _position_half(toks: Sequence[Tok], i: int) -> bool:
    """ "the left-hand half", "the northern half", "the top half": a part of the tile, not 50 %."""
    if toks[i].low != "half":
        return False
    k = i - 1
    while k >= 0 and toks[k].low in ("-", "hand"):
        k -= 1
    return k >= 0 and toks[k].low in P.DIRECTION_WORDS


def _between(toks: Sequence[Tok], i: int) -> bool:
    return i > 0 and toks[i - 1].low in ("between", "from")


# ---- clauses -------------------------------------------------------------------------------------
@dataclass
class Clause:
    i: int
    j: int  # token range
    hits: list[Hit] = field(default_factory=list)
    nums: list[Num] = field(default_factory=list)


def clauses(toks: Sequence[Tok], text: str, subject_ends: set[int] | None = None) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    ends = subject_ends or set()
    for k, t in enumerate(toks):
        brk = False
        if k > start and "\n" in text[toks[k - 1].end : t.start]:
            bounds.append((start, k))  # "* forest 3 %\n* some crops": a line break ends a statement
            start = k
        if (t.low in (":", "—", "–", "-") and (k in ends or _label_end(toks, k) in ends)) or (
            t.low == ","
            and any(x.low in ("compared", "relative", "unlike", "versus") for x in toks[start:k])
            and not any(x.low == "," for x in toks[start:k])  # "compared with B, A takes up more room"
        ):
            continue
        if (
            t.low in (";", "!", "?", "…")
            or (t.low == "." and not _decimal(toks, k) and not _abbrev_dot(toks, k))
            or (t.low in (":", "—", "–") and not _range_dash(toks, k))
        ):
            brk = True
        elif (
            t.low in ("|", "/", "•", "·")
            and k > 0
            and toks[k - 1].end < t.start
            and k + 1 < len(toks)
            and toks[k + 1].start > t.end
        ):
            brk = True  # "forest 20 % | no water", "Note — crops / no snow": list separators
        elif _pictograph(t.low):
            brk = True  # "4 % ✨ no water bodies": an emoji separates statements like a full stop
        elif (
            t.low == "-"
            and k > 0
            and toks[k - 1].end < t.start
            and k + 1 < len(toks)
            and toks[k + 1].start > t.end
        ):
            brk = not _range_dash(toks, k)
        elif (
            t.low in P.CLAUSE_WORDS
            or (t.low == "," and k + 1 < len(toks) and toks[k + 1].low in P.CLAUSE_AFTER_COMMA)
            or (t.low == "and" and k + 1 < len(toks) and toks[k + 1].low in P.CLAUSE_AFTER_AND)
            or (t.low == "," and k > 0 and toks[k - 1].low == ")")  # "X in the NE (an aside), Y …"
        ):
            brk = True
        if brk:
            if k > start:
                bounds.append((start, k))
            start = k + 1 if t.low not in P.CLAUSE_WORDS else k
    if start < len(toks):
        bounds.append((start, len(toks)))
    return bounds


def _label_end(toks: Sequence[Tok], k: int) -> int:
    """Where the label before a colon or dash ends, past a bracketed note and a head noun: "forest — 9 %",
    "grassy land (mapped): 3 %" (the class name ends where its label's trailing words begin)."""
    j = k
    if j > 0 and toks[j - 1].low == ")":
        opening = next((i for i in range(j - 2, max(-1, j - 8), -1) if toks[i].low == "("), None)
        if opening is not None:
            j = opening
    if j > 0 and toks[j - 1].low in P.LABEL_HEAD_NOUNS:
        j -= 1
    return j


def _pictograph(tok: str) -> bool:
    """An emoji or pictographic symbol token (Unicode category So, or an emoji modifier/joiner)."""
    import unicodedata

    return (
        bool(tok)
        and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in tok)
        and any(unicodedata.category(c) == "So" for c in tok)
    )


def _decimal(toks: Sequence[Tok], k: int) -> bool:
    return False  # decimals are single tokens


_ABBREV = {
    "c",
    "ca",
    "approx",
    "appr",
    "est",
    "abt",
    "avg",
    "vs",
    "cf",
    "incl",
    "resp",
    "max",
    "min",
}


def _abbrev_dot(toks: Sequence[Tok], k: int) -> bool:
    """The period of an abbreviation ("c. 85 %", "approx. 11 %", "vs. grass"), not a sentence end:
    attached to an abbreviation and followed by a number or a lower-case word."""
    return (
        0 < k < len(toks) - 1
        and toks[k - 1].low in _ABBREV
        and toks[k - 1].end == toks[k].start
        and (toks[k + 1].low[:1].isdigit() or not toks[k + 1].cap)
    )


def _range_dash(toks: Sequence[Tok], k: int) -> bool:
    return (
        k > 0
        and k + 1 < len(toks)
        and bool(re.fullmatch(r"[+-]?[\d.,]+", toks[k - 1].low))
        and bool(re.fullmatch(r"[+-]?[\d.,]+|[a-z]+", toks[k + 1].low))
        and _parse_number(toks, k + 1) is not None
    )


# ---- claim building -------------------------------------------------------------------------------
STRICT_LEFTOVERS = True
"""A clause with content words the extractor did not understand gets an unverifiable claim, so a
caption is never "verified" on the strength of the parts that were understood."""

_SUBJECT_CATS = (
    "lc",
    "water",
    "osm",
    "terrain",
    "veg",
    "canopy",
    "sar",
    "season",
    "month",
    "year",
    "place",
    "climate",
)


@dataclass
class Ctx:
    text: str
    toks: list[Tok]
    claims: list[Claim] = field(default_factory=list)
    idioms: set[int] = field(default_factory=set)  # tokens of idioms that claim nothing ("sea level")
    read_first: set[int] = field(default_factory=set)  # tokens the condition/envelope readers claimed

    def span(self, a: int, b: int) -> tuple[int, int, str]:
        return a, b, self.text[a:b]


def _gap(toks: Sequence[Tok], a: int, b: int) -> list[str]:
    return [t.low for t in toks[a:b]]


_KIND_GROUP = {"lc": "cover", "water": "cover", "osm": "cover", "terrain": "cover"}


def _same_kind(a: Hit, b: Hit) -> bool:
    """Whether two subjects can share one negation through coordination: "no forest, lakes or roads"
    negates all three, but "Brandenburg, marsh and bush are absent" negates only the land cover (a
    place, a date or a measurement is never coordinated with land cover under one negation)."""
    if a.val in _MEASURES or b.val in _MEASURES:  # "no marsh, mean NDVI is 0.7": a measurement
        return a.val == b.val
    return _KIND_GROUP.get(a.cat, a.cat) == _KIND_GROUP.get(b.cat, b.cat)


_MEASURES = {"ndvi", "vv", "vh", "sar", "height", "max_height"}


def _list_gap(words: list[str]) -> bool:
    """Tokens between two coordinated classes ("no A, B or C")."""
    return all(w in P.LIST_GAP for w in words) and len(words) <= 4


_NUMBER_READERS = re.compile(r"green|ndvi|photosynth|\bsun|solar|grow|leaf|peak|maxim|prime", re.I)
"""Statements read with the number parser before the rest (green shares, sun elevation)."""
_STRUCTURE_CUES = ("?", "resolv", "distinguish", "discern", "differentiat", "separat", "tell apart")


def extract_claims(caption: str) -> list[Claim]:
    """The claims of a free-text caption. Questions, their answers and remarks about the sensor are
    resolved first (:mod:`geomeld.captioning.structure`); spans are those of ``caption``."""
    low = caption.lower()
    text = structure.then_than(caption) if " then " in low else caption
    extra: list[Claim] = []
    if "\n" in caption:  # titles and markdown headings claim nothing
        text = structure.blank(text, structure.title_spans(text))
    if any(c in low for c in acquisition.CUES):  # sun elevation, radar orbit, radar–optical gap, VV − VH
        got = acquisition.read(text)
        text, extra = structure.blank(text, got.spans), got.claims
    if "(" in text and _CLASS_CODE_RE.search(text):  # "Cropland (WorldCover 40)": the code names the class
        text = structure.blank(text, [m.span() for m in _CLASS_CODE_RE.finditer(text)])
    if any(c in low for c in _STRUCTURE_CUES):
        toks = tokenize(text)
        masked, place_hits = P.mask_places(toks, text)
        hits = _modal_may(match_phrases(toks, masked) + place_hits, toks)
        prep = structure.prepare(text, toks, hits, _SUBJECT_CATS, _extract)
        found = _extract(prep.text) + prep.claims
    else:
        found = _extract(text)
    if text is caption:
        return _dedupe(found + extra)
    fixed = [
        c if c.text == caption[c.start : c.end] else dataclasses.replace(c, text=caption[c.start : c.end])
        for c in found + extra
    ]
    return _dedupe(fixed)


_CLASS_CODE_RE = re.compile(
    r"\(\s*(?:(?:esa\s+)?world\s?cover|dynamic\s+world)(?:\s+class)?(?:\s+code)?\s*\d{0,3}\s*\)"
    r"|\(\s*(?:class|code|class\s+code)\s*\d{1,3}\s*\)",
    re.I,
)
"""A land-cover product's class code or name in brackets after a class ("Grassland (class 30)", "Trees
(Dynamic World)", "Tree cover (WorldCover class 10)"): it names the class, and claims nothing itself."""


def _modal_may(hits: list[Hit], toks: Sequence[Tok]) -> list[Hit]:
    """ "may" read as the month only in a date context; otherwise it is the modal verb, a hedge."""
    return [
        Hit(h.i, h.j, "hedge", "hedge", h.start, h.end)
        if h.cat == "month"
        and h.j - h.i == 1
        and toks[h.i].low == "may"
        and structure.may_is_modal(toks, h.i)
        else h
        for h in hits
    ]


def _class_names_not_places(toks: Sequence[Tok], masked: set[int], place_hits: list[Hit]) -> list[Hit]:
    """A capitalised land-cover name ("the Cropland", "of Trees") is the class, not an unknown place."""
    keep = []
    for h in place_hits:
        lc = [x for x in match_phrases(toks[h.i : h.j], set()) if x.cat == "lc"]
        unknown = h.val.startswith(("landmark", "unknown"))
        if unknown and lc and lc[0].i == 0 and lc[-1].j == h.j - h.i:
            masked.difference_update(range(h.i, h.j))
            continue
        keep.append(h)
    return keep


def _extract(caption: str) -> list[Claim]:
    text = caption
    toks = tokenize(text)
    masked, place_hits = P.mask_places(toks, text)
    if place_hits:
        place_hits = _class_names_not_places(toks, masked, place_hits)
    masked |= P.headings(toks)
    conditions, cond_masked = condition_claims(text, toks)
    refl, refl_masked = reflectance_claims(text, toks)
    if refl:  # a band statement's colour and cloud words are no other claims
        spans = [(c.start, c.end) for c in refl]
        conditions = [c for c in conditions if not any(a <= c.start and c.end <= b for a, b in spans)]
        conditions += refl
        cond_masked |= refl_masked
    exotic, exotic_masked = exotic_claims(text, toks)
    conditions += exotic
    cond_masked |= exotic_masked
    if _NUMBER_READERS.search(text):
        early = find_numbers(toks, masked | cond_masked)
        for reader in (green_share_claims, sun_claims):
            more, more_masked = reader(text, toks, early)
            conditions += more
            cond_masked |= more_masked
    named = [
        (h.i, h.j)
        for h in place_hits
        if h.val.split(":", 1)[0] in ("country", "region", "continent", "hemisphere")
    ]
    coords, coord_masked = coordinate_claims(text, toks)
    towns, town_masked = town_claims(
        text, toks, find_numbers(toks, masked | cond_masked | coord_masked), named
    )
    conditions += coords + towns
    cond_masked |= town_masked | coord_masked
    masked |= cond_masked
    place_hits = [h for h in place_hits if not cond_masked.intersection(range(h.i, h.j))]
    dated = _dates(text, toks)
    for _, _, i, j in dated:
        masked |= set(range(i, j))
    all_hits = _modal_may(match_phrases(toks, masked) + place_hits, toks)
    placed, placed_spans = _placement(text, toks)
    if placed_spans:
        gone = {t.i for t in toks if any(a <= t.start < b for a, b in placed_spans)}
        masked |= gone
        all_hits = [h for h in all_hits if not gone.intersection(range(h.i, h.j))]
    # words inside names, idioms, positions ("the southern half") and non-land-cover subjects
    # ("Sentinel-1") are not quantities
    no_numbers = {
        t
        for h in all_hits
        if h.cat in ("skip", "pos", "place", "nomajority", "largest")
        or (h.cat in _SUBJECT_CATS and h.cat != "lc")
        or (h.cat == "labelled" and h.val == "all")
        for t in range(h.i, h.j)
    }
    hits = _verbs_not_objects(sorted((h for h in all_hits if h.cat != "skip"), key=lambda h: h.i), toks)
    hits = _merge_runs(hits, toks)
    nums = find_numbers(toks, masked | no_numbers)
    said_by_conditions = {  # "no clouds or snow": the condition word is read, snow stays with the rest
        t.i
        for t in toks
        if CONDITION_WORD.match(t.low) and any(c.start <= t.start < c.end for c in conditions)
    }
    ctx = Ctx(
        text,
        toks,
        idioms={t for h in all_hits if h.cat == "skip" for t in range(h.i, h.j)}
        | masked
        | said_by_conditions,
        read_first=cond_masked | said_by_conditions,
    )
    bounds = clauses(toks, text, {h.j for h in hits if h.cat in _SUBJECT_CATS or h.cat == "labelled"})
    merged: list[tuple[int, int]] = []
    for a, b in bounds:
        if merged and _only_position(hits, *merged[-1]):  # "In the NE corner, there is a block of crop land"
            merged[-1] = (merged[-1][0], b)
        elif merged and _only_negation(hits, a, b) and _has_subject(hits, *merged[-1]):
            merged[-1] = (merged[-1][0], b)  # "Far from any forest, the tile has none of it"
        else:
            merged.append((a, b))
    for a, b in merged:
        cl = Clause(a, b, [h for h in hits if a <= h.i < b], [x for x in nums if a <= x.i < b])
        _clause_claims(ctx, cl)
    for iso, (start, end), _, _ in dated:
        neg = any(
            h.cat == "neg" and h.j <= next(t.i for t in toks if t.start >= start) and start - h.end < 12
            for h in hits
        )
        ctx.claims.append(
            _mk(
                ctx,
                Family.SEASON.value,
                "date",
                start,
                end,
                label=iso,
                polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
            )
        )
    ctx.claims.extend(conditions)
    _title_claims_unverifiable(ctx)
    ctx.claims.extend(placed)
    # a class compared with itself ("trees cover more than 10 % and wooded land …") says nothing
    own = [c for c in ctx.claims if not (c.family == Family.COMPARISON.value and c.other == c.subject)]
    return _dedupe(_one_band_order(_graded_vigour(text, _height_qualified(text, own))))


def _one_band_order(claims: list[Claim]) -> list[Claim]:
    """A red/NIR order read as a spectral-measure comparison (ratios.measure_comparisons) is not also a
    band-order claim (reflectance.py keeps the other band pairs and 'several times')."""
    compared = [(c.start, c.end) for c in claims if c.family == Family.COMPARISON.value]
    return [
        c
        for c in claims
        if not (
            c.subject == "reflectance"
            and ">" in (c.label or "")
            and ">>" not in (c.label or "")
            and any(a < c.end and c.start < b for a, b in compared)
        )
    ]


_VIGOUR_GRADE = (
    (
        "moderate",
        re.compile(r"\b(?:moderate(?:ly)?|medium|intermediate|average|fair|middling)\b(?:\s+\w+)?\s*$", re.I),
    ),
    (
        "sparse",
        re.compile(r"\b(?:low|weak|poor|limited|modest|minimal|reduced|sparse)\b(?:\s+\w+)?\s*$", re.I),
    ),
)


def _graded_vigour(text: str, claims: list[Claim]) -> list[Claim]:
    """ "Moderate vegetation vigour" / "low greenness": a graded vigour word is that grade, not lush
    (grounding11)."""
    out = []
    for c in claims:
        if (
            c.family == Family.VEGETATION.value
            and c.subject == "green"
            and c.value is None
            and not c.label
            and not c.negated  # "little green" is read as a denial already
        ):
            before = text[max(0, c.start - 30) : c.start]
            for grade, rx in _VIGOUR_GRADE:
                m = rx.search(before)
                if m is not None:
                    a = c.start - len(before) + m.start()
                    c = dataclasses.replace(c, subject=grade, start=a, text=text[a : c.end])
                    break
        out.append(c)
    out = [
        # "(almost) no vegetation": a bare tile, judged on the NDVI
        dataclasses.replace(
            c, family=Family.VEGETATION.value, subject="bare", polarity=Polarity.AFFIRMED.value
        )
        if c.family == Family.LANDCOVER_PRESENCE.value and c.subject == "vegetation" and c.negated
        else c
        for c in out
    ]
    graded = [c for c in out if c.family == Family.VEGETATION.value and c.subject in ("moderate", "sparse")]
    return [
        c
        for c in out
        if not (
            c.subject == "unparsed"
            and any(
                c.start <= g.start
                and g.end <= c.end
                and (c.label or "").removeprefix("not understood: ").lower() in g.text.lower().split()
                for g in graded
            )
        )
    ]


_TALLER = re.compile(
    r"\s+(?:(?:that\s+are|which\s+are|are|is|stand(?:ing)?|grow(?:ing)?)\s+)?(?:taller|higher|over|above|exceeding|"
    r"more\s+than|reaching|of\s+more\s+than)\b",
    re.I,
)


def _height_qualified(text: str, claims: list[Claim]) -> list[Claim]:
    """ "No trees taller than 60 m" denies tall trees, not trees: a negated presence inside a canopy-height
    statement in metres is the height statement's own noun (grounding11)."""
    heights = [
        (c.start, c.end)
        for c in claims
        if c.family == Family.CANOPY.value and c.value is not None and c.value.unit == "m"
    ]
    if not heights:
        return claims
    return [
        c
        for c in claims
        if not (
            c.family == Family.LANDCOVER_PRESENCE.value
            and c.negated
            and _TALLER.match(text, c.end)
            and any(a <= c.start and c.end <= b for a, b in heights)
        )
    ]


_MEASURE_CUES = re.compile(r"\b(?:nd[vwb]i|mndwi|b0?[48]|red|nir|near[- ]infra)", re.I)


def _placement(text: str, toks: Sequence[Tok]) -> tuple[list[Claim], list[tuple[int, int]]]:
    """Exclusive, edge-distance, third and row/column positions (:mod:`~geomeld.captioning.placement`)."""
    measured, measured_spans = measure_comparisons(text) if _MEASURE_CUES.search(text) else ([], [])
    if not any(t.low in P.PLACEMENT_CUES for t in toks):
        return measured, measured_spans
    """Also ratios written as ratios ("the A:B ratio is about 3:1", :mod:`~geomeld.captioning.ratios`)."""
    hits = [h for h in match_phrases(toks, set()) if h.cat in ("lc", "water")]

    def subjects(a: int, b: int) -> list[tuple[str, int, int]]:
        return [
            ("built" if h.val.startswith("urban") else h.val, h.start, h.end)
            for h in hits
            if a <= h.start and h.end <= b
        ]

    placed, spans = placement_claims(text, subjects)
    placed, spans = placed + measured, spans + measured_spans
    if "ratio" in text.lower():
        more, more_spans = ratio_claims(text, subjects)
        placed, spans = placed + more, spans + more_spans
    return placed, spans


_DATE_RES = (
    (re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])"), (1, 2, 3)),  # 2017-02-16
    (re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\d])"), (3, 2, 1)),  # 16.02.2017
    (
        re.compile(r"(?<![\d.,])((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d|[.,]\d)"),
        (1, 2, 3),
    ),  # 20170216
)


def _dates(text: str, toks: Sequence[Tok]) -> list[tuple[str, tuple[int, int], int, int]]:
    """Numeric calendar dates ("2017-02-16", "16.02.2017", "16/02/2017": day first unless the day
    is > 12 the other way round is impossible): (ISO date, character span, token span)."""
    import datetime as dt

    out: list[tuple[str, tuple[int, int], int, int]] = []
    for rx, (yi, mi, di) in _DATE_RES:
        for m in rx.finditer(text):
            y, mo, d = int(m.group(yi)), int(m.group(mi)), int(m.group(di))
            if di == 1 and mo > 12 >= d:
                mo, d = d, mo  # "5/16/2017": month first, since there is no 16th month
            try:
                iso = dt.date(y, mo, d).isoformat()
            except ValueError:
                continue
            if di == 1 and mo <= 12 and d <= 12 and mo != d:
                continue  # "03/04/2017": day-month order unknown
            i = next((t.i for t in toks if t.end > m.start()), len(toks))
            j = next((t.i for t in toks if t.start >= m.end()), len(toks))
            if any(a <= m.start() < b for _, (a, b), _, _ in out):
                continue
            out.append((iso, (m.start(), m.end()), i, j))
    return out


_CMP_VERBS = {p: kind for kind in ("verb_more", "verb_less") for p in P.CMP[kind]}


def _verbs_not_objects(hits: list[Hit], toks: Sequence[Tok]) -> list[Hit]:
    """A word that is both an object noun and a comparison verb ("trails": paths, or "falls behind")
    is the verb when a land-cover class stands right before it and another follows ("pasture trails
    farmland")."""
    out = list(hits)
    for k, h in enumerate(out):
        if h.cat != "osm":
            continue
        phrase = " ".join(t.low for t in toks[h.i : h.j])
        kind = _CMP_VERBS.get(phrase)
        if kind is None:
            continue
        before = out[k - 1] if k > 0 else None
        after = out[k + 1] if k + 1 < len(out) else None
        if (
            before is not None
            and after is not None
            and before.cat in ("lc", "water")
            and after.cat in ("lc", "water")
            and h.i - before.j <= 1
            and after.i - h.j <= 2
        ):
            out[k] = Hit(h.i, h.j, "cmp", kind, h.start, h.end)
    return out


_RUN_GAP = {"and", "or", ",", "&", "/"}


def _merge_runs(hits: list[Hit], toks: Sequence[Tok]) -> list[Hit]:
    """Names of one class written side by side ("wet meadows and marsh", "pasture and grass", "woods or
    forest") are one mention of it: one subject for comparisons, positions, quantities and negation
    (else the second name would make a presence claim of its own, e.g. on the far side of "crop fields
    exceed wet meadows and marsh", which holds when there is no marsh at all)."""
    out: list[Hit] = []
    for h in hits:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.cat == h.cat
            and h.cat in ("lc", "water")
            and prev.val == h.val
            and 0 <= h.i - prev.j <= 2
            and all(t.low in _RUN_GAP and t.low != "," for t in toks[prev.j : h.i])
            and not (h.j < len(toks) and toks[h.j].low in (":", "—", "–", "="))  # "A and B: 90 %"
            and not _quantity_before(toks, prev.i)  # "42 ha of built land and built area takes 131 ha"
        ):
            out[-1] = Hit(prev.i, h.j, h.cat, h.val, prev.start, h.end)
            continue
        out.append(h)
    return out


def _title_claims_unverifiable(ctx: Ctx) -> None:
    """A caption's title before its first colon ("Overhead Sentinel-2 view of farmland and lakes: …"),
    a generic description of the kind of scene: what it names is not checked as a statement about this
    tile (its claims become one unverifiable claim, so the caption is never verified on it)."""
    toks = ctx.toks
    colon = next((k for k, t in enumerate(toks[:14]) if t.low == ":"), None)
    if (
        colon is None
        or colon + 1 >= len(toks)
        or not toks[colon + 1].low[:1].isalnum()  # ":)" is a smiley
        or any(t.low in (".", ";", "!", "?", "|") for t in toks[:colon])
    ):
        return
    if not any(
        toks[k].low in P.TITLE_NOUNS and k + 1 < colon and toks[k + 1].low == "of" for k in range(colon)
    ):
        return
    end = toks[colon].start
    inside = [c for c in ctx.claims if c.end <= end]
    if not inside:
        return
    ctx.claims[:] = [c for c in ctx.claims if c.end > end]
    ctx.claims.insert(0, _mk(ctx, Family.LANDCOVER_PRESENCE.value, "unparsed", 0, end, label="title"))


def _after_exception(toks: Sequence[Tok], i: int) -> bool:
    """Whether an exception ("apart from", "except for", "aside from", "besides") opens the sentence
    before token ``i``: what follows holds only for the rest of the tile."""
    k = i - 1
    while k >= 0 and toks[k].low not in (".", ";", "!", "?", "|") and i - k <= 14:
        if toks[k].low in P.EXCEPTION_WORDS:
            return True
        k -= 1
    return False


def _conditional_or_height(toks: Sequence[Tok], cl: Clause, s: Hit) -> bool:
    """ "Trees, where present, are under 40 m", "no trees taller than 60 m": a statement about the
    class's height or conditional on its presence, not that it is there (or not)."""
    after = []  # "Trees, where present, …" may run past a comma, never past a full stop or a list mark
    for t in toks[s.j : s.j + 4]:
        if t.low in (".", ";", "/", "|", ":", "!", "?", "·", "•", "-", "—"):
            break
        after.append(t.low)
    return bool(set(after) & P.HEIGHT_COMPARATIVES) or " ".join(after[:3]).startswith(P.CONDITIONAL_PRESENCE)


def _comparison_object(cl: Clause, s: Hit, toks: Sequence[Tok]) -> bool:
    """Whether class ``s`` stands after a comparison cue of its clause ("… then water", "≥ 2× water",
    "double the area of open water") and nothing quantifies or places it: it is what something else is
    compared with, which the comparison does not say is present."""
    if _attach_num(cl, s, toks, ("%", "km2", "ha")) is not None or _quant(cl, s, toks) is not None:
        return False
    if _position(cl, s, toks) is not None:
        return False
    cues = [k for k in range(cl.i, s.i) if toks[k].low in P.COMPARISON_CUES and not _bound_cue(toks, k + 1)]
    cues += [
        h.i
        for h in cl.hits
        if h.cat == "cmp" and h.val in _PAIR_KINDS and h.j <= s.i and not _bound_cue(toks, h.j)
    ]
    if not cues:
        return False
    k = max(cues)
    # a class between the cue and this one is the object; this one is then a new statement's subject
    return not any(h.cat in ("lc", "water") and k < h.i < s.i for h in cl.hits)


_PAIR_KINDS = {"verb_more", "verb_less"}  # "more"/"less" pair only through a "than", itself a cue


def _bound_cue(toks: Sequence[Tok], k: int) -> bool:
    """Whether a comparison word before token ``k`` bounds a number ("no more than five percent",
    "< 10 %"): a number or a fraction follows it."""
    nxt = [t.low for t in toks[k : k + 2]]
    return bool(nxt) and bool(
        _NUMBER_START.match(nxt[0]) or (nxt[0] in ("a", "an") and nxt[1:] and nxt[1] in _FRACTIONS)
    )


def _placed_by_own_verb(cl: Clause, s: Hit, toks: Sequence[Tok]) -> bool:
    """ "… outnumbered by farmland, and farmland clusters in the NE": the class has a verb of its own that
    places it (a position after a verb), not a position of the whole comparison ("more A than B in the
    north")."""
    p = _position(cl, s, toks)
    return p is not None and p.i > s.j and toks[s.j].low not in P.NP_PREPOSITIONS | P.PLACE_PREPOSITIONS


def _quantity_before(toks: Sequence[Tok], i: int) -> bool:
    """A number among the few tokens before token ``i`` in its statement: the name after it may be the
    object of a statement of its own ("the map labels 9 % as farmland and cropland: 90 %")."""
    for k in range(i - 1, max(-1, i - 9), -1):
        w = toks[k].low
        if w in (".", ",", ";", ":", "|", "!", "?", "—", "–", "·", "•"):
            return False
        if w[:1].isdigit():
            return True
    return False


def _only_position(hits: Sequence[Hit], a: int, b: int) -> bool:
    inside = [h for h in hits if a <= h.i < b]
    return any(h.cat == "pos" for h in inside) and not any(h.cat in _SUBJECT_CATS for h in inside)


def _has_subject(hits: Sequence[Hit], a: int, b: int) -> bool:
    return any(h.cat in _SUBJECT_CATS and a <= h.i < b for h in hits)


def _only_negation(hits: Sequence[Hit], a: int, b: int) -> bool:
    inside = [h for h in hits if a <= h.i < b]
    return any(h.cat == "postneg" for h in inside) and not any(h.cat in _SUBJECT_CATS for h in inside)


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen = set()
    out = []
    for c in claims:
        k = (c.family, c.subject, c.start, c.end, c.polarity, c.label, c.other, c.location)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _mk(ctx: Ctx, family: str, subject: str, a: int, b: int, **kw: object) -> Claim:
    a = max(0, a)
    return Claim(family=family, subject=subject, start=a, end=b, text=ctx.text[a:b], **kw)  # type: ignore[arg-type]


def _clause_claims(ctx: Ctx, cl: Clause) -> None:
    toks = ctx.toks
    hits = cl.hits
    words = [t.low for t in toks[cl.i : cl.j]]
    c_start = toks[cl.i].start if cl.i < len(toks) else 0
    c_end = toks[cl.j - 1].end if cl.j - 1 < len(toks) and cl.j > cl.i else c_start
    hedged = any(h.cat == "hedge" for h in hits)
    hedge = Hedge.HEDGED.value if hedged else Hedge.NONE.value
    subjects = [h for h in hits if h.cat in _SUBJECT_CATS]
    postnegs = [h for h in hits if h.cat == "postneg"]
    # "is not missing", "isn't absent": a negated absence is a presence (neither cue negates)
    denied = [p for p in postnegs if any(h.cat == "neg" and 0 <= p.i - h.j <= 1 for h in hits)]
    postnegs = [p for p in postnegs if p not in denied]
    negs = [h for h in hits if h.cat == "neg" and not any(0 <= p.i - h.j <= 1 for p in denied)]
    # "not without some X": two negations in a row cancel
    pairs = [
        (x, y)
        for x in negs
        for y in negs
        if y.i == x.j and toks[x.j - 1].low in P.NOT_WORDS and toks[y.i].low in P.PRIVATIVE_WORDS
    ]
    doubled = {x.i for x, _ in pairs} | {y.i for _, y in pairs}
    negs = [h for h in negs if h.i not in doubled]
    ctx.idioms.update(k for h in hits if h.cat == "flip" for k in range(h.i, h.j))
    n_before = len(ctx.claims)
    _below_sea_level(ctx, words, c_start, c_end, hedge)

    # -- negation scope --------------------------------------------------------------------------
    negated: set[int] = set()
    for ng in negs:
        following = [s for s in subjects if s.i >= ng.j]
        if not following:
            continue
        first = following[0]
        gap = _gap(toks, ng.j, first.i)
        rest = [toks[k].low for k in range(ng.j, first.i) if k not in ctx.read_first]
        if len(rest) < len(gap) and rest and _list_gap(rest):
            pass  # "no clouds or snow", "no tundra or mangroves": the cue also negates the class after
            # an image condition or an envelope class read before
        elif (
            len(gap) > P.NEG_REACH
            or any(w in P.NEG_BREAK or w in P.NEG_FIRST_BREAK for w in gap)
            or "(" in gap[1:]  # "no cloud to speak of (VV around 0 dB)"; "no (mapped) forest" stays
        ):
            continue  # "no mapped housing here and woods are …": the second conjunct is affirmed
        negated.add(first.i)
        prev = first
        for s in following[1:]:
            gap = _gap(toks, prev.j, s.i)
            verb = toks[s.j].low if s.j < cl.j else ""
            if not (set(gap) & P.NEG_DISTRIBUTING) and (
                verb in P.OWN_PREDICATE_VERBS
                or verb == ":"
                or ("," in gap and verb in P.STATEMENT_COPULAS)
                or (verb in P.STATEMENT_COPULAS and set(gap) & P.CLAUSE_DETERMINERS)
            ):
                break  # "no snow, and arable land appears in the NW": a new subject with its own verb
            if _same_kind(s, first) and _list_gap(gap):
                negated.add(s.i)
                prev = s
            else:
                break
    for pn in postnegs:
        before = [s for s in subjects if s.j <= pn.i]
        if not before:
            continue
        last = before[-1]
        if len(_gap(toks, last.j, pn.i)) > P.POSTNEG_REACH:
            continue
        if last.cat in ("lc", "water") and any(
            x.unit == "%"
            and pn.j <= x.i <= pn.j + 4
            and _bound_before(toks, x, cl) == Bound.AT_MOST.value
            and not any(h.cat in ("lc", "water") and pn.j <= h.i <= x.j + 3 for h in subjects)
            for x in cl.nums
        ):
            continue  # "water is practically absent, well under 5 %": the bound says how absent
        negated.add(last.i)
        nxt = last
        for s in reversed(before[:-1]):
            if any(x.j <= s.i and s.i - x.j <= 3 for x in cl.nums):
                break  # "7 ha of wooded land, snow and ice: none": a quantified class is affirmed
            if any(h.cat == "dom" and 0 <= s.i - h.j <= 1 for h in hits):
                break  # "predominantly A and B: none": a class said to dominate is not absent
            if _same_kind(s, last) and _list_gap(_gap(toks, s.j, nxt.i)):
                negated.add(s.i)
                nxt = s
            else:
                break
    # "it isn't true that there is no X": a denial reverses what follows it in the clause
    for fl in (h for h in hits if h.cat == "flip"):
        for s in subjects:
            if s.i >= fl.j:
                negated ^= {s.i}

    # -- the clause's "no class is a majority" style statements --------------------------------
    for h in hits:
        if h.cat == "nomajority":
            ctx.claims.append(
                _mk(
                    ctx,
                    Family.DOMINANCE.value,
                    "any",
                    c_start,
                    c_end,
                    polarity=Polarity.NEGATED.value,
                    hedge=hedge,
                )
            )
        strong = h.cat == "labelled" and h.val in ("strong", "unlabelled")
        if h.cat == "labelled":
            n = _nearest_num(cl, h, units=("%", ""), reach=8 if not strong else 4)
            own = (
                n is not None
                and (
                    strong
                    or not any(x.cat in ("lc", "water") for x in hits)
                    # "…the woodland, labelled pixels make up 34 %": the number follows the labelled
                    # phrase with no class between them
                    or (
                        n.i >= h.j
                        and not any(x.cat in ("lc", "water") and h.j <= x.i < n.i for x in hits)
                        and not any(
                            x.cat in ("lc", "water")
                            and h.i - 3 <= x.j <= h.i
                            and not {",", ";", ":"} & set(_gap(toks, x.j, h.i))
                            for x in hits
                        )
                        and not ({t.low for t in toks[max(cl.i, h.i - 2) : h.i]} & {"of", "among", "within"})
                    )
                )
            )
            if n is not None and own and _labels_as_class(toks, n, hits):
                own = False  # "the map labels 19 % of the tile as settlement": the class's share
            if n is not None and own:
                n.used = True
                a, b = min(h.start, n.start), max(h.end, n.end)
                value = _value(n, toks, "%")
                if h.val == "unlabelled":  # "no-data covers 60 %" = the map labels 40 %
                    flip = {
                        Bound.AT_LEAST.value: Bound.AT_MOST.value,
                        Bound.AT_MOST.value: Bound.AT_LEAST.value,
                    }
                    lo, hi = value.low, value.high
                    value = Value(
                        100.0 - hi if hi is not None else None,
                        100.0 - lo if lo is not None else None,
                        flip.get(value.bound, value.bound),
                        "%",
                    )
                ctx.claims.append(
                    _mk(ctx, Family.LANDCOVER_SHARE.value, "labelled", a, b, value=value, hedge=hedge)
                )
            elif h.val == "all":  # "the map covers the entire tile", "every pixel is labelled"
                ctx.claims.append(
                    _mk(
                        ctx,
                        Family.LANDCOVER_SHARE.value,
                        "labelled",
                        h.start,
                        h.end,
                        value=Value(95.0, 100.0, Bound.AT_LEAST.value, "%"),
                        hedge=hedge,
                    )
                )

    # -- comparisons -------------------------------------------------------------------------------
    compared: set[int] = _ratio_claims(ctx, cl, subjects, negs, hedge)
    for h in hits:
        if h.cat != "cmp":
            continue
        pair = _comparison_pair(cl, h, subjects, toks)
        if pair is None:
            ranked = _rank_claim(ctx, cl, h, subjects, negs, hedge)
            if ranked is not None:
                compared.add(ranked)
            continue
        left, right, relation = pair
        fam = Family.COMPARISON.value
        if left.cat == "sar" or right.cat == "sar":
            fam = Family.SAR.value
        a, b = min(left.start, right.start, h.start), max(left.end, right.end, h.end)
        neg = any(n.j <= h.i and h.i - n.j <= 2 for n in negs) or left.i in negated
        ctx.claims.append(
            _mk(
                ctx,
                fam,
                left.val if fam == Family.COMPARISON.value else "vv_vs_vh",
                a,
                b,
                other=right.val,
                label=relation,
                polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                hedge=hedge,
            )
        )
        compared.update((left.i, right.i))

    # -- per-subject claims ------------------------------------------------------------------------
    has_veg = any(h.cat == "veg" for h in hits)
    for s in subjects:
        if has_veg and s.cat == "lc" and s.val == "vegetation":
            continue
        if s.cat == "veg" and toks[s.i].low in P.DRY_WORDS and _after_exception(toks, s.i):
            continue  # "apart from a little water, the tile is dry land": no claim about the rest
        if s.cat == "lc" and s.val == "trees" and _conditional_or_height(toks, cl, s):
            continue  # "no trees taller than 60 m": a height statement (read by the unit reader)
        if (
            s.cat in ("lc", "water")
            and s.i not in compared
            and s.i not in negated
            and _comparison_object(cl, s, toks)
        ):
            continue  # "more meadow then water": the far side of a comparison the extractor could not pair
        if s.i in compared and (
            s.cat not in ("lc", "water")
            or (
                _quant(cl, s, toks) is None
                and _attach_num(cl, s, toks, ("%",)) is None
                and not _placed_by_own_verb(cl, s, toks)
            )
        ):
            continue  # a compared class says nothing more unless it is quantified or placed too
        neg = s.i in negated
        pol = Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value
        if (
            s.cat == "veg"
            and s.j - s.i == 1
            and toks[s.i].low in P.DRY_WORDS
            and (
                (
                    s.j < cl.j
                    and toks[s.j].low in P.LAND_NOUNS  # "dry land", "dry ground": not under water
                    and not _after_exception(toks, s.i)  # "apart from a little water, it is dry land"
                )
                or (  # "the tile is completely dry": of the tile, not of its plants
                    s.i > cl.i
                    and toks[s.i - 1].low in P.DRY_INTENSIFIERS
                    and not any(x is not s and x.cat in ("lc", "veg") for x in subjects)
                )
            )
        ):
            ctx.claims.append(
                _mk(
                    ctx,
                    Family.WATER.value,
                    "water",
                    s.start,
                    toks[s.j].end if s.j < cl.j and toks[s.j].low in P.LAND_NOUNS else s.end,
                    polarity=Polarity.AFFIRMED.value if neg else Polarity.NEGATED.value,
                    hedge=hedge,
                )
            )
            continue
        if s.cat in ("lc", "water"):
            _landcover_claim(ctx, cl, s, pol, hedge, c_start, c_end)
        elif s.cat == "osm":
            _osm_claim(ctx, cl, s, pol, hedge)
        elif s.cat in ("terrain", "veg", "season", "month", "year", "place", "climate", "canopy", "sar"):
            _simple_claim(ctx, cl, s, pol, hedge, c_start, c_end)

    # -- numbers with units that name their family (m, °, dB) ---------------------------------------
    for n in cl.nums:
        if n.used:
            continue
        _unit_claim(ctx, cl, n, hedge, c_start, c_end, negated=_negates_number(toks, negs, n))

    # -- fallback: content not understood → an unverifiable claim -----------------------------------
    said = [toks[k].low for k in range(cl.i, cl.j) if k not in ctx.idioms]  # idioms claim nothing
    if len(ctx.claims) == n_before and _has_content(said, hits):
        fam = _guess_family(words)
        ctx.claims.append(_mk(ctx, fam, "unparsed", c_start, c_end, label="not understood"))
    elif STRICT_LEFTOVERS:
        covered = (
            {k for h in hits for k in range(h.i, h.j)}
            | {k for x in cl.nums for k in range(x.i, x.j)}
            | ctx.idioms
        )
        leftover = [
            toks[k].low
            for k in range(cl.i, cl.j)
            if k not in covered
            and toks[k].low[:1].isalpha()
            and toks[k].low not in P.FILLER
            and toks[k].low not in P.STOPWORDS
            and not (
                any(x.used or x.unit in ("m", "asl", "deg", "db") for x in cl.nums)
                and toks[k].low in P.NUMBER_CUES
            )
        ]
        if leftover:
            fam = _guess_family(words)
            ctx.claims.append(
                _mk(ctx, fam, "unparsed", c_start, c_end, label="not understood: " + " ".join(leftover[:6]))
            )


def _negates_number(toks: Sequence[Tok], negs: Sequence[Hit], n: Num) -> bool:
    """Whether a negation cue before a measurement negates it. A bare year is negated only by a cue
    right before it ("not from 2014", "not in 2016"), not by one of an earlier statement ("no snow is
    visible, from 2014"); other measurements by any cue before them ("no tree is taller than 80 m")."""
    before = [g for g in negs if g.j <= n.i]
    if not before:
        return False
    if _is_year(n):
        return any(n.i - g.j <= 2 and "," not in _gap(toks, g.j, n.i) for g in before)
    return True


def _has_content(words: list[str], hits: list[Hit]) -> bool:
    """Whether a clause says something (words beyond the scaffolding of a caption)."""
    content = [w for w in words if w[:1].isalpha() and w not in P.FILLER and w not in P.STOPWORDS]
    return len(content) >= 1


def _guess_family(words: list[str]) -> str:
    for w in words:
        if w in P.FAMILY_CUES:
            return P.FAMILY_CUES[w]
    return Family.LANDCOVER_PRESENCE.value


def _is_year(n: Num) -> bool:
    """A bare whole number 1900-2100 ("from 2017") is a date, never a share or a count."""
    return n.unit == "" and n.low == n.high and n.low.is_integer() and 1900 <= n.low <= 2100


def _nearest_num(cl: Clause, h: Hit, units: tuple[str, ...], reach: int = 8) -> Num | None:
    best = None
    for n in cl.nums:
        if n.used or n.unit not in units or _is_year(n):
            continue
        d = n.i - h.j if n.i >= h.j else h.i - n.j
        if best is None or d < best[0]:
            best = (d, n)
    return best[1] if best and best[0] <= reach else None


def _bound_before(toks: Sequence[Tok], n: Num, cl: Clause) -> str | None:
    """A bound phrase right before a number: 'less than', 'well under', 'at least', 'over' …"""
    for k in (3, 2, 1):
        a = n.i - k
        if a < cl.i:
            continue
        phrase = " ".join(t.low for t in toks[a : n.i])
        if phrase in P.BOUND_BEFORE:
            return P.BOUND_BEFORE[phrase]
    # "approximately", "about" etc. in between are skipped: "less than about 5 %"
    return None


def _bound_after(toks: Sequence[Tok], n: Num) -> str | None:
    for k in (4, 3, 2, 1):
        phrase = " ".join(t.low for t in toks[n.j : n.j + k])
        if phrase in P.BOUND_AFTER:
            return P.BOUND_AFTER[phrase]
    return None


_BELOW_WORDS = {"below", "under", "beneath", "underneath"}
_PART_WORDS = {"part", "parts", "partly", "some", "areas", "patches", "portions", "pockets", "lowest"}


def _below_sea_level(ctx: Ctx, words: list[str], c_start: int, c_end: int, hedge: str) -> None:
    """'the land lies below sea level': the highest ground is under 0 m (an elevation claim, so a
    tile without an elevation layer leaves it unverifiable instead of the phrase claiming nothing;
    "sea level" alone is an idiom). Said of parts of the tile, the lowest ground is under 0 m."""
    for k in range(len(words) - 1):
        w = words[k]
        nxt = words[k + 1] if words[k + 1] != "the" else (words[k + 2] if k + 2 < len(words) else "")
        if w in _BELOW_WORDS and (
            nxt in ("sea-level", "sealevel") or (nxt == "sea" and "level" in words[k:])
        ):
            if any(x in P.NOT_WORDS for x in words[max(0, k - 3) : k]):
                return  # "not below sea level": left as before (it claims nothing checkable here)
            part = any(x in _PART_WORDS for x in words[:k])  # "parts of the polder lie below sea level"
            ctx.claims.append(
                _mk(
                    ctx,
                    Family.ELEVATION.value,
                    "min" if part else "max",
                    c_start,
                    c_end,
                    value=Value(low=0.0, high=0.0, bound=Bound.AT_MOST.value, unit="m"),
                    polarity=Polarity.AFFIRMED.value,
                    hedge=hedge,
                )
            )
            return


def _value(n: Num, toks: Sequence[Tok], unit: str) -> Value:
    bound = n.bound
    if bound == Bound.ABOUT.value:
        bound = _bound_before(toks, n, Clause(0, n.i)) or _bound_after(toks, n) or bound
    if bound in (Bound.AT_LEAST.value, Bound.AT_MOST.value) and any(
        t.low in P.RARELY_WORDS for t in toks[max(0, n.i - 4) : n.i - 1]
    ):  # "rarely climbs above 0.4", "seldom drops below 5 %": the bound is the other way round
        # ("barely 3 %", "hardly a tenth": the word itself is the bound)
        bound = Bound.AT_MOST.value if bound == Bound.AT_LEAST.value else Bound.AT_LEAST.value
    return Value(low=n.low, high=n.high, bound=bound, unit=unit)


def _attach_num(cl: Clause, s: Hit, toks: Sequence[Tok], units: tuple[str, ...]) -> Num | None:
    """The quantity written for subject ``s``: right before it ("65 % forest", "20 % of the tile is
    cropland"), else after it with no other subject between ("cropland at 20 %")."""
    subj = [h for h in cl.hits if h.cat in ("lc", "water", "osm")]
    # before: number then filler words then the subject
    for n in reversed(cl.nums):
        if n.used or n.unit not in units or n.j > s.i or _is_year(n):
            continue
        gap = _gap(toks, n.j, s.i)
        paren = any(t.low in ("(", ")") for t in toks[n.j : s.i])  # "forest: 4 % (water: …)"
        if all(w in P.NUM_TO_SUBJECT for w in gap) and len(gap) <= 7 and not paren:
            return n
        break
    for n in cl.nums:
        if n.used or n.unit not in units or n.i < s.j or _is_year(n):
            continue
        if any(s.j <= h.i < n.i for h in subj if h is not s):
            break  # another class lies between: the number is its
        if "," in _gap(toks, s.j, n.i) and any(n.j <= h.i <= n.j + 10 for h in subj):
            break  # "water in the south, under 10 % of the land falls in the urban class": the later class
        nxt = next((h for h in subj if h.i >= n.j), None)
        if (
            nxt is not None
            and all(w in P.NUM_TO_SUBJECT for w in _gap(toks, n.j, nxt.i))
            and nxt.i - n.j <= 7
        ):
            break  # "bushes and at least 15 % grassland": the number is the next class's
        if n.i - s.j <= 12:
            return n
        break
    for n in reversed(cl.nums):  # "over 30 % of the land surface falls in the building cover class"
        if n.used or n.unit not in units or n.j > s.i or _is_year(n):
            continue
        if (
            not any(n.j <= h.i < s.i for h in subj)
            and s.i - n.j <= 10
            and not any(t.low in ("(", ")") for t in toks[n.j : s.i])  # "forest: 4 % (water: …)"
        ):
            return n
        break
    return None


def _fraction_share(cl: Clause, s: Hit, toks: Sequence[Tok]) -> Num | None:
    """A share written as a bare decimal after the class ("water covers less than 0.02", "open water
    stays under 0.03"): read as a fraction of the tile, unless the clause names an index or a unit
    that the decimal could be a value of (NDVI 0.5, -0.3 dB)."""
    if {t.low for t in toks[cl.i : cl.j]} & P.INDEX_WORDS:
        return None
    n = _attach_num(cl, s, toks, ("",))
    if n is None or n.i < s.j or not _decimal_fraction(toks, n.i, n.j):
        return None
    return dataclasses.replace(n, low=n.low * 100.0, high=n.high * 100.0, unit="%")


def _quant_candidates(cl: Clause, s: Hit, toks: Sequence[Tok]) -> list[tuple[int, Hit]]:
    """(distance, quantifier) pairs that may quantify subject ``s``: a pre-modifier ("mostly", "patches
    of") right before it, or a predicate ("dominates", "covers most") after it; "the largest" either way."""
    subj = [h for h in cl.hits if h.cat in ("lc", "water", "osm", "terrain") and not _modifies(toks, h, s)]
    out = []
    for q in cl.hits:
        if q.cat not in ("dom", "largest", "minor", "all"):
            continue
        after_verb = q.i >= s.j and any(t.low in P.COVER_VERBS for t in toks[s.j : q.i])
        post = q.cat == "largest" or (q.cat in ("dom", "all") and (q.val in P.POST_QUANT or after_verb))
        if q.cat == "minor" and q.i >= s.j and toks[s.j : q.i]:  # "woodland is only a sliver of the tile"
            post = all(t.low in P.COPULA_TO_AMOUNT or t.low in P.COVER_VERBS for t in toks[s.j : q.i])
        pre = q.cat == "largest" or not (
            q.cat in ("dom", "all") and q.val in P.POST_QUANT and q.val not in P.BOTH_QUANT
        )
        if q.j <= s.i and pre:
            if any(q.j <= h.i < s.i for h in subj) or s.i - q.j > 6:
                continue
            if any(q.j <= x.i < s.i for x in cl.nums):
                continue  # "mostly below 10 degrees, and farmland": the quantifier is the number's
            out.append((s.i - q.j, q))
        elif q.i >= s.j and post:
            if any(s.j <= h.i < q.i for h in subj) or q.i - s.j > 8:
                continue
            if "," in _gap(toks, s.j, q.i) and any(t.low in P.STATS_NOUNS for t in toks[s.j : q.i]):
                continue  # "no heath at all, NDVI values are mostly under 0.3": another statement's
            out.append((q.i - s.j, q))
    return out


def _modifies(toks: Sequence[Tok], m: Hit, head: Hit) -> bool:
    """Whether ``m`` is a prepositional modifier of ``head`` ("a town centre OF apartment blocks",
    "a downtown WITH high-rise towers"): the noun phrase's head is ``head``, and a predicate after
    both quantifies the head."""
    if m is head or m.i < head.j:
        return False
    gap = [t.low for t in toks[head.j : m.i]]
    return (
        1 <= len(gap) <= 3
        and gap[0] in P.NP_PREPOSITIONS
        and all(w in P.LIST_GAP or w in P.NP_PREPOSITIONS for w in gap)
    )


def _quant(cl: Clause, s: Hit, toks: Sequence[Tok]) -> Hit | None:
    """The quantifier of ``s``: its nearest candidate, unless another class is nearer to that
    quantifier (one quantifier quantifies one class; "trees are the dominant cover, ahead of grass")."""
    subj = [h for h in cl.hits if h.cat in ("lc", "water", "osm", "terrain")]
    for _, q in sorted(_quant_candidates(cl, s, toks), key=lambda x: x[0]):
        best: tuple[int, int, Hit] | None = None
        for other in subj:
            if _modifies(toks, other, s):
                continue  # "a town centre of apartment blocks fills most": the head noun is quantified
            for d, q2 in _quant_candidates(cl, other, toks):
                if q2 is q:
                    rank = (d, 0 if other.j <= q.i else 1)  # ties go to the class before it
                    if best is None or rank < best[:2]:
                        best = (rank[0], rank[1], other)
        if best is not None and best[2] is s:
            return q
    return None


def _region_holds(cl: Clause, p: Hit, toks: Sequence[Tok]) -> bool:
    """ "the upper-right quadrant holds the bulk of the grass", "the lower half contains most of the
    water": the part is the subject, and the class after it is what it holds."""
    k = p.j
    while k < cl.j and toks[k].low in P.PART_NOUNS:
        k += 1
    return k < cl.j and toks[k].low in P.REGION_HOLDS_VERBS


def _position(cl: Clause, s: Hit, toks: Sequence[Tok]) -> Hit | None:
    """A position phrase belongs to the nearest class before it in the clause ("forest in the north,
    meadow in the south"), or, when none precedes it, to the first class after it ("In the north, …")."""
    subj = [h for h in cl.hits if h.cat in ("lc", "water", "osm")]
    for p in (h for h in cl.hits if h.cat == "pos"):
        before = [h for h in subj if h.j <= p.i]
        after = next((h for h in subj if h.i >= p.j), None)
        owner = after if _region_holds(cl, p, toks) else before[-1] if before else after
        if owner is s:
            return p
    return None


def _landcover_claim(ctx: Ctx, cl: Clause, s: Hit, pol: str, hedge: str, c_start: int, c_end: int) -> None:
    toks = ctx.toks
    concept = "built" if s.val.startswith("urban") else s.val  # "city", "urban": built land
    is_water = s.cat == "water"
    n = _attach_num(cl, s, toks, ("%", "km2", "ha"))
    if n is None:
        n = _fraction_share(cl, s, toks)
    q = _quant(cl, s, toks)
    if q is not None and q.cat == "dom" and "half" not in q.val and _position(cl, s, toks) is not None:
        q = None  # "most of the X is in the south", "X lies mainly in the west": a position, not a share
    if q is not None and q.cat == "all" and _intensifies_negation(cl, q, s):
        q = None  # "entirely free of X", "X is completely absent": an absence, not a 90-100 % share
    a, b = s.start, s.end
    fam_share = Family.WATER.value if is_water else Family.LANDCOVER_SHARE.value
    if n is not None:
        n.used = True
        value = _value(n, toks, "%")
        a, b = min(a, n.start), max(b, n.end)
        ctx.claims.append(_mk(ctx, fam_share, concept, a, b, value=value, polarity=pol, hedge=hedge))
    elif q is not None and q.cat in ("dom", "largest", "all"):
        a, b = min(a, q.start), max(b, q.end)
        if q.cat == "all":
            ctx.claims.append(
                _mk(
                    ctx,
                    fam_share,
                    concept,
                    a,
                    b,
                    value=Value(90.0, 100.0, Bound.AT_LEAST.value, "%"),
                    polarity=pol,
                    hedge=hedge,
                )
            )
        elif is_water:
            ctx.claims.append(
                _mk(ctx, Family.WATER.value, concept, a, b, label="dominant", polarity=pol, hedge=hedge)
            )
        else:
            dom_label = "largest" if q.cat == "largest" or _among_mapped(toks, cl) else "most"
            if "half" in q.val:
                ctx.claims.append(
                    _mk(
                        ctx,
                        fam_share,
                        concept,
                        a,
                        b,
                        value=Value(50.0, 50.0, Bound.AT_LEAST.value, "%"),
                        polarity=pol,
                        hedge=hedge,
                    )
                )
            else:
                ctx.claims.append(
                    _mk(
                        ctx, Family.DOMINANCE.value, concept, a, b, label=dom_label, polarity=pol, hedge=hedge
                    )
                )
    else:
        label: str | None = (
            ("trace" if " ".join(t.low for t in toks[q.i : q.j]) in P.TRACE_MINOR else "minor")
            if q is not None and q.cat == "minor" and pol == Polarity.AFFIRMED.value
            else None
        )
        if (
            is_water and s.val == "sea" and any(t.low in P.NEAR_WORDS for t in toks[max(cl.i, s.i - 4) : s.i])
        ):  # "near the coast", "a few km from the sea": the sea lies beyond the tile
            label = "near"
        if label and q is not None and label != "near":
            a, b = min(a, q.start), max(b, q.end)
        if s.val.startswith("urban") and label is None:
            label = "urban"
        if is_water and label is None and pol == Polarity.AFFIRMED.value:
            big = [k for k in range(max(cl.i, s.i - 3), s.i + 1) if toks[k].low in P.LARGE_WORDS]
            if big:  # "a broad river", "a large navigable lake": a body the image must show
                label = "large"
                a = toks[big[0]].start
                ctx.idioms.update(big)
        if label is None and _map_context(ctx, cl):
            label = "mapped"  # "OSM has a water polygon", "no village appears in the land-use layer"
        fam = Family.WATER.value if is_water else Family.LANDCOVER_PRESENCE.value
        where = _position(cl, s, toks)
        # "no forest in the north": an absence in one part of the tile, not in the tile
        loc = where.val if where is not None and pol == Polarity.NEGATED.value else None
        ctx.claims.append(_mk(ctx, fam, concept, a, b, label=label, polarity=pol, hedge=hedge, location=loc))
    p = _position(cl, s, ctx.toks)
    if p is not None and pol == Polarity.AFFIRMED.value:
        pa, pb = min(s.start, p.start), max(s.end, p.end)
        ctx.claims.append(
            _mk(
                ctx,
                Family.POSITION.value,
                "water" if is_water else concept,
                pa,
                pb,
                location=p.val,
                hedge=hedge,
                label=_position_reading(cl, toks, p.val),
            )
        )


def _among_mapped(toks: Sequence[Tok], cl: Clause) -> bool:
    """ "Dominated by X among the labelled classes", "X is the dominant mapped class", "mostly X where
    land use is mapped": X leads the labelled pixels (the largest class), which says nothing about the
    unlabelled rest of the tile."""
    a = cl.i
    while a > 0 and toks[a - 1].low not in (".", ";", "!", "?", "|", "\n") and cl.i - a < 8:
        a -= 1  # "among the labelled pixels, cropland dominates": the qualifier may open the sentence
    return any(t.low in P.MAP_QUALIFIERS for t in toks[a : cl.j])


def _position_reading(cl: Clause, toks: Sequence[Tok], location: str) -> str | None:
    """ "Most forest lies in the north", "meadow is concentrated in the east": where the bulk of the class
    lies ("most"); "some meadow in the SE corner", "grass appears in the NE quadrant": that some of it lies
    there ("some": any corner or quadrant, or a side or edge with "some", "appears", "patches" …);
    otherwise ``None`` ("forest in the north": most of it in that half)."""
    words = {t.low for t in toks[cl.i : cl.j]}
    if words & P.ONLY_WORDS:
        return "only"  # "X lies only in the north", "X is confined to the east"
    if words & P.CONCENTRATION_WORDS:
        return "most"
    return "some" if words & P.PRESENCE_IN_PART_WORDS or location in P.QUARTER_PARTS else None


def _ratio_claims(ctx: Ctx, cl: Clause, subjects: list[Hit], negs: list[Hit], hedge: str) -> set[int]:
    """Comparisons by a factor: "A covers twice as much area as B", "three times as much A as B",
    "A is more than double B", "A covers under half as much area as B", "twice as much A as B, or
    more". The claim is a comparison whose value is the factor (with its bound). Returns the subject
    indices it used."""
    toks = ctx.toks
    cands = [s for s in subjects if s.cat in ("lc", "water")]
    used: set[int] = set()
    for k in range(cl.i, cl.j):
        factor = P.FACTOR_WORDS.get(toks[k].low)
        k_end = k + 1
        times = False
        if factor is None and k + 1 < cl.j and toks[k + 1].low in P.TIMES_WORDS:
            parsed = _parse_number(toks, k)
            if parsed is not None and parsed[1] == k + 1:
                factor, k_end, times = parsed[0], k + 2, True
        elif factor is None and re.fullmatch(r"\d+(?:\.\d+)?x", toks[k].low):  # "2x" as one token
            factor, times = float(toks[k].low[:-1]), True
        if factor is None:
            continue
        # "twice as much (area) as B" / "double B" / "twice B's"
        j = k_end
        right: Hit | None = None
        if j < cl.j and toks[j].low == "as":
            nxt_as = next((q for q in range(j + 1, min(cl.j, j + 8)) if toks[q].low == "as"), None)
            if nxt_as is None:
                continue
            between = [s for s in cands if j < s.i < nxt_as]
            after = [s for s in cands if s.i > nxt_as and s.i - nxt_as <= 3]
            if between and after:  # "twice as much meadow as cropland": A is between
                left, right = between[0], after[0]
            elif after:
                before = [s for s in cands if s.j <= k]
                if not before:
                    continue
                left, right = before[-1], after[0]
            else:
                continue
        elif toks[k].low in P.FACTOR_BARE or times:
            # "A is more than double B", "twice the B", "A ≥ 2× B", "A covers double the area of B",
            # "A is two times bigger than B"
            start = j
            if j < cl.j and toks[j].low in P.COMPARATIVE_ADJ:
                than = next(
                    (q for q in range(j + 1, min(cl.j, j + 3)) if toks[q].low in ("than", "then")), None
                )
                if than is None:
                    continue
                start = than + 1
            after = [
                s
                for s in cands
                if s.i >= start and s.i - start <= 4 and all(t.low in P.RATIO_GAP for t in toks[start : s.i])
            ]
            before = [s for s in cands if s.j <= k]
            if not after or not before:
                continue
            left, right = before[-1], after[0]
        else:
            continue
        words = [t.low for t in toks[max(cl.i, k - 3) : k]]
        tail = [t.low for t in toks[right.j : min(cl.j, right.j + 4)]]
        phrase = " ".join(words)
        bound = Bound.ABOUT.value
        if any(phrase.endswith(b) for b in P.RATIO_AT_LEAST) or " ".join(tail[:3]).startswith(
            ("or more", ", or more", ", at least", "at least")
        ):
            bound = Bound.AT_LEAST.value
        elif any(phrase.endswith(b) for b in P.RATIO_AT_MOST) or " ".join(tail[:3]).startswith(
            ("or less", ", or less")
        ):
            bound = Bound.AT_MOST.value
        neg = any(n.j <= k and k - n.j <= 3 for n in negs)
        a, b = min(left.start, toks[k].start), max(right.end, toks[k_end - 1].end)
        ctx.claims.append(
            _mk(
                ctx,
                Family.COMPARISON.value,
                "built" if left.val.startswith("urban") else left.val,
                a,
                b,
                other="built" if right.val.startswith("urban") else right.val,
                label="ratio",
                value=Value(factor, factor, bound, "x"),
                polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                hedge=hedge,
            )
        )
        ctx.idioms.update(range(max(cl.i, k - 3), min(cl.j, right.j + 3)))
        for x in cl.nums:
            if k <= x.i < k_end:
                x.used = True  # "half" here is a factor, not 50 % of the tile
        used.update((left.i, right.i))
        break
    return used


def _rank_claim(ctx: Ctx, cl: Clause, h: Hit, subjects: list[Hit], negs: list[Hit], hedge: str) -> int | None:
    """A comparative verb whose object is the collection of classes, not a class ("A leads the
    tally", "A heads the ranking", "A is ahead of everything else", "A trails the other classes"):
    A is (or, for a verb of falling behind, is not) the largest class. Returns the subject's index."""
    if h.val not in ("verb_more", "verb_less"):
        return None
    toks = ctx.toks
    before = [s for s in subjects if s.cat in ("lc", "water") and s.j <= h.i]
    if not before or h.i - before[-1].j > 4:
        return None
    nxt = min((s.i for s in subjects if s.i >= h.j), default=cl.j)
    window = [t.low for t in toks[h.j : min(nxt, h.j + 5, cl.j)]]
    if not any(w in P.RANK_OBJECTS for w in window):
        return None
    left = before[-1]
    ctx.idioms.update(range(h.j, h.j + len(window)))  # "the tally", "everything else": said by the verb
    neg = any(n.j <= h.i and h.i - n.j <= 2 for n in negs)
    less = h.val == "verb_less"
    ctx.claims.append(
        _mk(
            ctx,
            Family.DOMINANCE.value,
            left.val if not left.val.startswith("urban") else "built",
            left.start,
            toks[h.j - 1 + len(window)].end if window else h.end,
            label="largest",
            polarity=Polarity.NEGATED.value if neg != less else Polarity.AFFIRMED.value,
            hedge=hedge,
        )
    )
    return left.i


def _low_reading(toks: Sequence[Tok], cl: Clause, s: Hit) -> int | None:
    """The token of a low-degree word that says a vigour/greenness noun is low, after it through a
    copula ("vigour is low", "greenness looks weak"); None when there is none. (Before the noun,
    "little/low vigour" is read by the negation and lexicon tables.)"""
    for k in range(s.j, min(cl.j, s.j + 3)):
        w = toks[k].low
        if w in P.LOW_DEGREE:
            return k
        if w not in P.COPULAS:
            break
    return None


def _map_context(ctx: Ctx, cl: Clause) -> bool:
    """Whether the clause speaks of the map itself ("OpenStreetMap has a water polygon", "no forest
    polygon is mapped in OSM", "the OSM layer includes a small water body"): its presence and absence
    claims are then about the map's own pixels, which the map knows exactly."""
    words = {t.low for t in ctx.toks[cl.i : cl.j]}
    return bool(words & P.MAP_CUES)


def _intensifies_negation(cl: Clause, q: Hit, s: Hit) -> bool:
    """Whether a whole-tile quantifier ("entirely", "completely", "the whole") only intensifies a
    negation of ``s``: the negation cue stands between it and the class ("entirely free of X",
    "totally without X") or it stands between the class and a negation after it ("X is completely
    absent")."""
    for h in cl.hits:
        if h.cat == "neg" and q.j <= h.i and h.j <= s.i:
            return True
        if h.cat == "postneg" and s.j <= q.i and q.j <= h.i:
            return True
        if h.cat == "postneg" and s.j <= h.i and h.j <= q.i and q.i - h.j <= 2:
            return True  # "X is missing entirely", "X is absent altogether"
    return False


def _osm_claim(ctx: Ctx, cl: Clause, s: Hit, pol: str, hedge: str) -> None:
    kind = s.val
    if kind in P.OSM_AS_BUILT_DOMINANT:
        q = _quant(cl, s, ctx.toks)
        ctx.claims.append(
            _mk(
                ctx,
                Family.DOMINANCE.value
                if q is not None and q.cat in ("dom", "all")
                else Family.LANDCOVER_PRESENCE.value,
                "built",
                s.start,
                s.end if q is None else max(s.end, q.end),
                label="most" if q is not None else "urban",
                polarity=pol,
                hedge=hedge,
            )
        )
        return
    ctx.claims.append(_mk(ctx, Family.OSM_OBJECT.value, kind, s.start, s.end, polarity=pol, hedge=hedge))
    p = _position(cl, s, ctx.toks)
    if p is not None and kind in ("building", "settlement") and pol == Polarity.AFFIRMED.value:
        ctx.claims.append(
            _mk(
                ctx,
                Family.POSITION.value,
                "built",
                min(s.start, p.start),
                max(s.end, p.end),
                location=p.val,
                hedge=hedge,
                label=_position_reading(cl, ctx.toks, p.val),
            )
        )


def _simple_claim(ctx: Ctx, cl: Clause, s: Hit, pol: str, hedge: str, c_start: int, c_end: int) -> None:
    toks = ctx.toks
    fam = {
        "terrain": Family.TERRAIN,
        "veg": Family.VEGETATION,
        "season": Family.SEASON,
        "month": Family.SEASON,
        "year": Family.SEASON,
        "place": Family.PLACE,
        "climate": Family.PLACE,
        "canopy": Family.CANOPY,
        "sar": Family.SAR,
    }[s.cat].value
    subject, label = s.val, None
    value = None
    a, b = s.start, s.end
    if s.cat == "veg" and s.val in ("green", "ndvi"):
        low = _low_reading(toks, cl, s)
        if low is not None and not (s.val == "ndvi" and _attach_num(cl, s, toks, ("",)) is not None):
            ctx.idioms.add(low)  # "plant vigour is low", "greenness is weak": sparse vegetation
            lo_a, lo_b = min(a, toks[low].start), max(b, toks[low].end)
            ctx.claims.append(_mk(ctx, fam, "sparse", lo_a, lo_b, polarity=pol, hedge=hedge))
            return
    if s.cat == "month":
        subject, label = "month", s.val
        y = [
            n
            for n in cl.nums
            if not n.used
            and n.unit == ""
            and (1900 < n.low < 2100 or _short_year(ctx.toks, n))
            and 0 <= n.i - s.j <= 2
        ]
        if y:
            y[0].used = True
            year = int(y[0].low) if y[0].low > 1900 else 2000 + int(y[0].low)  # "Feb '18" is 2018
            ctx.claims.append(
                _mk(
                    ctx,
                    fam,
                    "year",
                    min(a, y[0].start),
                    max(b, y[0].end),
                    label=str(year),
                    polarity=pol,
                    hedge=hedge,
                )
            )
    elif s.cat == "year":
        y = [n for n in cl.nums if not n.used and n.unit == "" and 1900 < n.low < 2100]
        if not y:
            return
        y[0].used = True
        subject, label = "year", str(int(y[0].low))
        a, b = min(a, y[0].start), max(b, y[0].end)
    elif s.cat == "place":
        subject, label = s.val.split(":", 1)
    elif s.cat == "climate":
        subject, label = "climate", s.val
    elif s.cat in ("veg", "sar", "canopy") and s.val in ("ndvi", "vv", "vh", "sar", "height", "max_height"):
        units = {
            "ndvi": ("",),
            "vv": ("db", ""),
            "vh": ("db", ""),
            "sar": ("db",),
            "height": ("m",),
            "max_height": ("m",),
        }[s.val]
        n = _attach_num(cl, s, toks, units)
        if n is not None and s.val in ("vv", "vh") and n.unit == "" and n.j <= s.i:
            n = None  # "17 … co-pol (VV)": a bare number before the channel is not its value
        if (
            n is not None
            and s.val in ("vv", "vh")
            and n.j < len(toks)
            and toks[n.j].low in ("th", "st", "nd", "rd")
        ):
            n = None  # "VH 5th–95th percentile": an ordinal, not a value
        if (
            n is not None
            and s.val in ("vv", "vh")
            and n.unit == ""
            and "linear" in {t.low for t in toks[cl.i : cl.j]}
        ):
            if n.low <= 0 or n.high <= 0:
                return
            n = dataclasses.replace(
                n, low=10.0 * math.log10(n.low), high=10.0 * math.log10(n.high), unit="db"
            )
        if s.val == "ndvi" and (n is None or not (-1.0 <= n.low <= 1.0 and -1.0 <= n.high <= 1.0)):
            # "mean NDVI is about 0.45 (marsh covers more than 4 %)": the index's own value
            near = [x for x in cl.nums if not x.used and x.unit == "" and -1.0 <= x.low <= x.high <= 1.0]
            near = [x for x in near if 0 <= x.i - s.j <= 4]
            n = near[0] if near else n
        words = {t.low for t in toks[cl.i : cl.j]}
        if n is None and s.val in ("ndvi", "vv", "vh", "sar") and words & {"negative", "positive"}:
            # "NDVI is negative", "the SAR signal averages a positive dB value": a sign is a bound at 0
            sign = Value(
                0.0,
                0.0,
                Bound.AT_MOST.value if "negative" in words else Bound.AT_LEAST.value,
                "NDVI" if s.val == "ndvi" else "dB",
            )
            ctx.idioms.update(k for k in range(cl.i, cl.j) if toks[k].low in P.SIGN_WORDS)
            ctx.claims.append(_mk(ctx, fam, s.val, s.start, s.end, value=sign, polarity=pol, hedge=hedge))
            return
        if s.val == "sar" and n is None:
            return
        if n is None and s.val in ("ndvi",):
            return
        if n is None:
            return
        if s.val == "ndvi" and not (-1.0 <= n.low <= 1.0 and -1.0 <= n.high <= 1.0):
            return
        n.used = True
        value = _value(
            n,
            toks,
            {"ndvi": "NDVI", "vv": "dB", "vh": "dB", "sar": "dB", "height": "m", "max_height": "m"}[s.val],
        )
        if s.val == "ndvi" and value.bound == Bound.ABOUT.value:
            # pixel statements: "few pixels exceed NDVI 0.4" bounds the mean from above, "most pixels
            # exceed NDVI 0.6" from below; "NDVI stays below 0.3 almost everywhere" is a bound already
            before = [t.low for t in toks[max(cl.i, min(s.i, n.i) - 4) : n.i]]
            if any(w in _EXCEED for w in before):
                few = any(w in _FEW for w in before)
                value = Value(
                    value.low, value.high, (Bound.AT_MOST if few else Bound.AT_LEAST).value, value.unit
                )
        a, b = min(a, n.start), max(b, n.end)
        subject = {"ndvi": "ndvi"}.get(s.val, s.val)
        if s.val in ("vv", "vh") and _polarisation_difference(toks, cl):
            subject = "vv_minus_vh"  # "the co-pol/cross-pol difference is 4 to 9 dB"
            ctx.idioms.update(k for k in range(cl.i, cl.j) if toks[k].low in P.DIFFERENCE_WORDS)
    ctx.claims.append(_mk(ctx, fam, subject, a, b, value=value, label=label, polarity=pol, hedge=hedge))


_EXCEED = {"exceed", "exceeds", "exceeding", "surpass", "surpasses", "top", "tops"}
_FEW = {"few", "no", "hardly", "barely", "scarcely", "little", "none", "nothing", "rarely", "seldom"}


def _polarisation_difference(toks: Sequence[Tok], cl: Clause) -> bool:
    """Whether the clause states the difference of the two polarisations ("the VV–VH gap", "the
    co-pol/cross-pol difference"): a difference word with both channels named."""
    words = {t.low for t in toks[cl.i : cl.j]}
    both = {"vv", "vh"} <= words or (
        {"co", "cross"} <= words and bool(words & {"pol", "polarised", "polarized"})
    )
    return both and bool(words & P.DIFFERENCE_WORDS)


def _short_year(toks: Sequence[Tok], n: Num) -> bool:
    """A two-digit year after an apostrophe ("Feb '18", "Oct ’20"): 2000–2049."""
    return n.i > 0 and toks[n.i - 1].low == "'" and n.low == n.high and n.low.is_integer() and 0 <= n.low < 50


def _unit_claim(ctx: Ctx, cl: Clause, n: Num, hedge: str, c_start: int, c_end: int, negated: bool) -> None:
    toks = ctx.toks
    words = {t.low for t in toks[cl.i : cl.j]}
    pol = Polarity.NEGATED.value if negated else Polarity.AFFIRMED.value
    if n.unit == "km" and words & P.ALTITUDE_CUES and not words & P.CANOPY_CUES:
        # a height in kilometres ("peaks reach 2.8 km altitude"); other kilometres are distances
        n = dataclasses.replace(n, low=n.low * 1000.0, high=n.high * 1000.0, unit="m")
    if n.unit == "m" and (
        (n.j < cl.j and toks[n.j].low in P.RESOLUTION_NOUNS)
        or (n.i > 0 and toks[n.i - 1].low == "@")
        or any(t.low in P.RESAMPLING_WORDS for t in toks[max(cl.i, n.i - 3) : n.i])
    ):
        return  # "a single 10 m scene", "10 m pixels", "128 px @ 10 m": the resolution, not a height
    if n.unit in ("m", "asl"):
        if words & P.CANOPY_CUES and n.unit != "asl":
            subj = "max_height" if words & P.MAX_CUES else "height"
            ctx.claims.append(
                _mk(
                    ctx,
                    Family.CANOPY.value,
                    subj,
                    c_start,
                    c_end,
                    value=_value(n, toks, "m"),
                    polarity=pol,
                    hedge=hedge,
                )
            )
            return
        if words & P.RELIEF_CUES:
            subj = "relief"
        elif n.bound == Bound.BETWEEN.value:
            subj = "range"
        elif words & P.MAX_CUES:
            subj = "max"
        elif words & P.MIN_CUES:
            subj = "min"
        else:
            subj = "mean"
        value = _value(n, toks, "m")
        if subj == "mean" and value.bound == Bound.AT_LEAST.value:
            subj = "min"
        elif subj == "mean" and value.bound == Bound.AT_MOST.value:
            subj = "max"
        ctx.claims.append(
            _mk(ctx, Family.ELEVATION.value, subj, c_start, c_end, value=value, polarity=pol, hedge=hedge)
        )
    elif n.unit == "deg":
        value = _value(n, toks, "°")
        subj = "max" if (words & P.MAX_CUES or value.bound == Bound.AT_LEAST.value) else "mean"
        if (
            words & {"most", "majority", "dominate", "dominates", "bulk"}
            and value.bound == Bound.AT_LEAST.value
        ):
            subj = "mean"
        ctx.claims.append(
            _mk(ctx, Family.SLOPE.value, subj, c_start, c_end, value=value, polarity=pol, hedge=hedge)
        )
    elif (
        n.unit == "db"
        and n.i > cl.i
        and toks[n.i - 1].low in ("by", "of")
        and any(h.cat == "cmp" for h in cl.hits)
    ):
        return  # "VV is stronger than VH by 7 dB": a difference, checked as the comparison
    elif (
        n.unit == "db"
        and n.i > cl.i + 1
        and toks[n.i - 2].low == "by"
        and any(h.cat == "cmp" for h in cl.hits)
    ):
        return
    elif n.unit == "db" and words & {"percentile", "percentiles"}:
        return  # "the 5th–95th percentile spans -22 to -13 dB": a spread, not the mean
    elif n.unit == "db":
        subj = "vh" if "vh" in words and "vv" not in words else "vv"
        if _polarisation_difference(toks, cl):
            subj = "vv_minus_vh"  # "the co-pol/cross-pol difference is 4 to 9 dB"
        ctx.claims.append(
            _mk(
                ctx,
                Family.SAR.value,
                subj,
                c_start,
                c_end,
                value=_value(n, toks, "dB"),
                polarity=pol,
                hedge=hedge,
            )
        )
    elif n.unit == "" and n.low == n.high and n.low.is_integer() and 1970 <= n.low <= 2035:
        # a bare year ("From 2017", "in 2018") is a date claim
        a = min(n.start, c_start)
        ctx.claims.append(
            _mk(ctx, Family.SEASON.value, "year", a, n.end, label=str(int(n.low)), polarity=pol, hedge=hedge)
        )
    elif n.unit == "%" and not any(h.cat in ("lc", "water") for h in cl.hits):
        # a share with no class named in the clause: cannot be checked, never ignored
        ctx.claims.append(
            _mk(
                ctx,
                Family.LANDCOVER_SHARE.value,
                "unparsed",
                n.start,
                n.end,
                value=_value(n, toks, "%"),
                label="not understood",
            )
        )


_FRACTIONS = {"third", "quarter", "half", "fifth", "tenth", "sixth", "eighth", "fraction", "sliver", "tiny"}
_NUMBER_START = re.compile(
    r"^(?:\d|~|≈|one$|two$|three$|four$|five$|six$|seven$|eight$|nine$|ten$|a\s*(?:third|quarter|half|fifth|tenth)$|half$)"
)


def _labels_as_class(toks: Sequence[Tok], n: Num, hits: Sequence[Hit]) -> bool:
    """Whether "<number> (of the tile) as <class>" follows: the map labels that much *as the class*."""
    for k in range(n.j, min(n.j + 6, len(toks))):
        if toks[k].low in (",", ";", ".", ":"):
            return False
        if toks[k].low == "as":
            return any(x.cat in ("lc", "water") and k < x.i <= k + 3 for x in hits)
    return False


def _comparison_pair(
    cl: Clause, h: Hit, subjects: list[Hit], toks: Sequence[Tok]
) -> tuple[Hit, Hit, str] | None:
    """(left, right, relation) for a comparative phrase; relation is 'more', 'less' or 'similar'."""
    cands = [s for s in subjects if s.cat in ("lc", "water", "sar")]
    kind = (
        h.val
    )  # "more_than" (A more … than B), "verb_more" (A outweighs B), "verb_less", "more_adj", "gives"
    before = [s for s in cands if s.j <= h.i]
    after = [s for s in cands if s.i >= h.j]
    if kind in ("verb_more", "verb_less", "adj_more", "adj_less"):
        if not before or not after:
            return None
        nxt = [t.low for t in toks[h.j : h.j + 2]]
        if nxt and (
            _NUMBER_START.match(nxt[0]) or (nxt[0] in ("a", "an") and nxt[1:] and nxt[1] in _FRACTIONS)
        ):
            return None  # "water covers less than 5 pct": a bound on a number, not a comparison
        rel = "more" if kind.endswith("more") else "less"
        return before[-1], after[0], rel
    if kind in (
        "more",
        "less",
    ):  # "more A than B" / "A … more … than B" / "more room" (after "compared with")
        than = [k for k in range(h.j, cl.j) if toks[k].low in ("than", "then")]  # "then": a common slip
        if not than:
            return None
        right = [s for s in after if s.i > than[0]]
        left = [s for s in after if s.i < than[0]] or before
        if not right or not left:
            return None
        return (left[0] if left is not before else left[-1]), right[0], kind
    if kind in ("compared_more", "compared_less"):  # "compared with B, A takes up more room / less"
        if len(after) >= 2:
            rest = [t.low for t in toks[after[1].j : cl.j]]
            if any(w in ("less", "fewer", "smaller", "lower") for w in rest):
                return after[1], after[0], "less"
            if any(w in ("more", "greater", "larger", "bigger", "higher") for w in rest):
                return after[1], after[0], "more"
        return None
    if kind == "gives":  # "the map gives A more area than B"
        if len(after) >= 2:
            return after[0], after[1], "more"
        return None
    if kind == "similar":  # "A and B are roughly equal": a run of names of one class is one side
        sides = [h for k, h in enumerate(before) if k == 0 or before[k - 1].val != h.val]
        if len(sides) >= 2:
            return sides[-2], sides[-1], "similar"
        return None
    return None
