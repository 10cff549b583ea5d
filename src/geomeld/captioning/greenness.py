"""Statements about the share of green pixels ("at most 10 % of the area looks green", "under half of
the pixels reach NDVI 0.5", "green vegetation (NDVI > 0.5) covers at least 30 %", "hardly any pixel is
actively green"): family ``vegetation``, subject ``green_share``, ``value`` the stated share (% of the
imaged pixels) and ``label`` the NDVI threshold (``"0.5"`` when the text names none).

Checked against the Sentinel-2 NDVI: the share of pixels above 0.5 is measured exactly; another
threshold is bounded by the NDVI deciles (p10/p50/p90: a threshold above p90 has at most 10 % of the
pixels above it, and so on). Without a stated threshold "green" may mean NDVI above 0.4 (moderate to dense green
vegetation) to 0.5, so an upper bound ("at most N % green") is judged with 0.5, the strictest usual
threshold (the smallest share), and a lower bound ("at least N % green") with 0.4, the laxest (the
largest share): the statement is contradicted only when it fails for every usual reading; below 0.4
NDVI is sparse or dormant vegetation, not green.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from geomeld.captioning.claims import Bound, Claim, ClaimEvidence, Family, Polarity, Value, Verdict
from geomeld.captioning.conditions import GENERIC, clauses


class _Tok(Protocol):
    start: int
    end: int
    low: str
    i: int


class _Num(Protocol):
    i: int
    low: float
    high: float
    unit: str
    start: int
    end: int


_GREEN = re.compile(
    r"\b(?:green(?:ness)?|photosynthetic(?:ally)?|vigorous(?:ly)?|actively\s+growing)\b", re.I
)
_NDVI_T = re.compile(
    r"\bndvi\s*(?:values?\s*)?(?:>|≥|>=|above|over|greater\s+than|exceeding|of\s+at\s+least|at\s+or\s+above|of|at)?\s*"
    r"([01]?\.\d+)\b|\breach(?:es|ing)?\s+(?:an\s+)?ndvi\s+(?:of\s+)?([01]?\.\d+)\b",
    re.I,
)
_SHARE_WORDS = re.compile(
    r"\b(?:pixels?|area|tile|scene|image|picture|photo|view|frame|ground|land|surface|covers?|covering|shows?|"
    r"share|fraction|proportion|occupy|occupies)\b",
    re.I,
)
_MEAN_NDVI = re.compile(
    r"\b(?:mean|average|avg|median|typical)\b[\s-]*(?:\w+\s+)?ndvi\b|\bndvi\s+(?:averages|mean)\b", re.I
)
_A_SHARE = re.compile(
    r"%|\bper\s*cent|\bpercent|\bpixels?\b|\bshare\b|\bfraction\b|\bproportion\b|\bhalf\b", re.I
)
_AT_MOST = re.compile(
    r"\b(?:at\s+most|under|below|less\s+than|fewer\s+than|no\s+more\s+than|not\s+more\s+than|up\s+to|max(?:imum)?)\s*$",
    re.I,
)
_AT_LEAST = re.compile(
    r"\b(?:at\s+least|over|above|more\s+than|upwards\s+of|no\s+less\s+than|not\s+less\s+than|in\s+excess\s+of|"
    r"exceeds?|exceeding|minimum\s+of)\s*$",
    re.I,
)
_HARDLY = re.compile(
    r"\b(?:hardly|barely|scarcely|virtually\s+no|almost\s+no|next\s+to\s+no|practically\s+no)\s+(?:any\s+)?(?:pixels?|part|area)\b",
    re.I,
)
_NONGREEN = r"(?:non-?green|bare|brown|dormant|low-ndvi|leafless|senescent)"
_OUTWEIGH = (
    r"(?:outweighs?|outweighing|exceeds?|exceeding|outnumbers?|dominates?|surpass(?:es)?|is\s+more\s+(?:extensive|"
    r"common|widespread)\s+than|covers?\s+more\s+(?:ground\s+|area\s+)?than|prevails?\s+over)"
)
_MORE_NONGREEN = re.compile(
    rf"\bmore\s+{_NONGREEN}\b[^.;]*\bthan\s+green\b|\b{_NONGREEN}\b[^.;]*?\b{_OUTWEIGH}\b[^.;]*?\bgreen\b|"
    rf"\bgreen\b[^.;]*?\b(?:is\s+)?(?:outweighed|exceeded|outnumbered|dominated)\s+by\b[^.;]*?\b{_NONGREEN}\b",
    re.I,
)
_MORE_GREEN = re.compile(
    rf"\bmore\s+green\b[^.;]*\bthan\s+{_NONGREEN}\b|\bgreen\b[^.;]*?\b{_OUTWEIGH}\b[^.;]*?\b{_NONGREEN}\b",
    re.I,
)

_QUIET = GENERIC | {
    "vegetation",
    "vegetated",
    "pixels",
    "pixel",
    "looks",
    "look",
    "reach",
    "reaches",
    "green",
    "ndvi",
    "photosynthetically",
    "active",
    "actively",
    "growing",
    "non-green",
    "non",
    "low",
    "surface",
    "signal",
    "bare",
    "brown",
    "dormant",
    "low-ndvi",
}

_OTHER_CLASS = re.compile(
    r"\b(?:forest|woods?|woodland|trees?|meadows?|grass\w*|crop\w*|farm\w*|fields?|arable|water|lakes?|"
    r"built|urban|settlement|shrub\w*|scrub|marsh\w*|wetland|snow|bare)\b",
    re.I,
)

LAX_GREEN_NDVI = 0.4
STRICT_GREEN_NDVI = 0.5


_NOT_GROWING = re.compile(
    r"\b(?:plants?|vegetation|crops?|trees?|grass(?:es)?|fields?)\b[^.;,]{0,20}?\b(?:are|is|were|was)\s+(?:not|n't)\s+"
    r"(?:actively\s+|really\s+|visibly\s+)?(?:growing|green|in\s+leaf|photosynthesi[sz]ing)\b",
    re.I,
)
_GROWING = re.compile(
    r"\b(?:plants?|vegetation|crops?)\b[^.;,]{0,20}?\b(?:are|is)\s+(?:actively|vigorously|strongly)\s+growing\b|"
    r"\bgrowing\s+(?:strongly|vigorously)\b|\bin\s+full\s+leaf\b",
    re.I,
)


_PART_NOUNS = (
    r"(?:patch(?:es)?|areas?|pockets?|strips?|belts?|bands?|spots?|islands?|parts?|bits|stands?|rows?|lines?)"
)
_GREEN_THINGS = (
    r"(?:conifers?|coniferous|pines?|spruces?|firs?|evergreens?|winter\s+(?:wheat|crops?|cereals?|rape)|"
    r"wheat|rapeseed|lawns?|pastures?|meadows?|hedges?|hedgerows?)"
)
_PARTIAL_GREEN = re.compile(
    rf"\b(?:some|a\s+few|few|(?:{_PART_NOUNS})\s+of)\s+(?:\w+\s+){{0,2}}green\b|"
    rf"\bgreen\s+(?:\w+\s+)?{_PART_NOUNS}\b|"
    rf"\b(?:only|just)\s+(?:the\s+)?(?:\w+\s+){{1,2}}(?:look|looks|are|is|stay|stays|remain|remains|appear|appears)\s+green\b|"
    rf"\b{_GREEN_THINGS}\s+(?:\w+\s+){{0,3}}?(?:look|looks|are|is|stay|stays|remain|remains|appear|appears|keep|keeps)"
    rf"\s+(?:\w+\s+)?green\b|\bgreen\s+(?:\w+\s+)?{_GREEN_THINGS}\b",
    re.I,
)
"""Green said of a part of the tile or of one kind of plant ("green patches", "the pines stay green",
"green winter wheat"): label ``partial`` — a statement about some green pixels, not the tile's vigour."""


def partial_green_claims(text: str, toks: Sequence[_Tok]) -> tuple[list[Claim], set[int]]:
    claims: list[Claim] = []
    masked: set[int] = set()
    for m in _PARTIAL_GREEN.finditer(text):
        head = text[max(0, m.start() - 25) : m.start()]
        neg = bool(re.search(r"\b(?:no|not|without|nor|never)\b[^.;,]*$|n't\b[^.;,]*$", head, re.I))
        claims.append(
            Claim(
                family=Family.VEGETATION.value,
                subject="green",
                start=m.start(),
                end=m.end(),
                text=m.group(0),
                label="partial",
                polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
            )
        )
        masked.update(t.i for t in toks if m.start() <= t.start and t.end <= m.end() and _GREEN.match(t.low))
    return claims, masked


def growth_claims(text: str, toks: Sequence[_Tok]) -> tuple[list[Claim], set[int]]:
    """ "Plants are not actively growing" (vegetation green, negated) and "crops are actively growing"
    (green): the vigour claims of :func:`geomeld.captioning.check.check_vegetation`."""
    claims: list[Claim] = []
    masked: set[int] = set()
    for rx, pol in ((_NOT_GROWING, Polarity.NEGATED.value), (_GROWING, Polarity.AFFIRMED.value)):
        for m in rx.finditer(text):
            if any(c.start < m.end() and m.start() < c.end for c in claims):
                continue
            claims.append(
                Claim(
                    family=Family.VEGETATION.value,
                    subject="green",
                    start=m.start(),
                    end=m.end(),
                    text=m.group(0),
                    polarity=pol,
                )
            )
            masked.update(t.i for t in toks if m.start() <= t.start and t.end <= m.end())
    return claims, masked


def _read(text: str, a: int, b: int, nums: Sequence[_Num]) -> tuple[Claim, list[tuple[int, int]]] | None:
    """One green-share statement in ``text[a:b]`` and the character spans of its own words."""
    seg = text[a:b]
    green = _GREEN.search(seg)
    thr = _NDVI_T.search(seg)
    if green is None and thr is None:
        return None
    t_label = None
    t_span = (-1, -1)
    if thr is not None:
        if _MEAN_NDVI.search(seg) and not _A_SHARE.search(seg):
            return None  # "tile-mean NDVI of 0.05 ± 0.02" is the mean, no threshold (grounding11)
        t_label = thr.group(1) or thr.group(2)
        t_span = (a + thr.start(), a + thr.end())
    value = None
    core = [(a + green.start(), a + green.end())] if green is not None else []
    if thr is not None:
        core.append(t_span)
    words = _MORE_NONGREEN.search(seg) or _MORE_GREEN.search(seg) or (_HARDLY.search(seg) if green else None)
    if words is not None:
        core.append((a + words.start(), a + words.end()))
        bound = Bound.AT_LEAST.value if words.re is _MORE_GREEN else Bound.AT_MOST.value
        x = 5.0 if words.re is _HARDLY else 50.0
        value = Value(low=x, high=x, bound=bound, unit="%")
    elif _SHARE_WORDS.search(seg):
        anchors = [a + m.start() for m in _GREEN.finditer(seg)] + [a + m.end() for m in _GREEN.finditer(seg)]
        if thr is not None:
            anchors += list(t_span)
        cands = []
        for n in nums:
            if not (a <= n.start and n.end <= b) or t_span[0] <= n.start < t_span[1]:
                continue
            if re.search(r"(?:±|\+/-|\+-)\s*$", text[a : n.start]):
                continue  # an uncertainty ("0.30 ± 0.02") is no share
            x = n.low
            if n.unit == "" and 0.0 < x <= 1.0 and "." in text[n.start : n.end]:
                x *= 100.0  # "0.60 of the pixels", "covers less than 0.30"
            elif n.unit != "%":
                continue
            anchor = min(anchors, key=lambda p: abs(p - n.start))
            between = text[min(n.end, anchor) : max(n.start, anchor)]
            if x <= 100.0 and "," not in between and not _OTHER_CLASS.search(between):
                cands.append((abs(n.start - anchor), n, x))  # the nearest number of this statement
        if cands:
            _, n, x = min(cands, key=lambda c: c[0])
            before = text[a : n.start]
            most, least = _AT_MOST.search(before), _AT_LEAST.search(before)
            bound = Bound.AT_MOST.value if most else Bound.AT_LEAST.value if least else Bound.ABOUT.value
            word = most or least
            core.append((a + word.start() if word else n.start, n.end))
            value = Value(low=x, high=x, bound=bound, unit="%")
    if value is None:
        return None
    claim = Claim(
        family=Family.VEGETATION.value,
        subject="green_share",
        start=a,
        end=b,
        text=seg,
        value=value,
        label=t_label,
    )
    return claim, core


def _pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out, last = [], a
    for m in re.finditer(r",\s*", text[a:b]):
        out.append((last, a + m.start()))
        last = a + m.end()
    out.append((last, b))
    return [(x, y) for x, y in out if y > x]


def green_share_claims(text: str, toks: Sequence[_Tok], nums: Sequence[_Num]) -> tuple[list[Claim], set[int]]:
    """Green-share claims of ``text`` (numbers from the extractor's parser) and the tokens they use.
    A clause is read piece by piece between commas when the pieces make statements of their own
    ("green covers under 30 %, green outweighs bare ground"), else as a whole ("green, active
    vegetation covers at least 40 %")."""
    low = text.lower()
    if (
        "green" not in low
        and "ndvi" not in low
        and "photosynth" not in low
        and "grow" not in low
        and "leaf" not in low
    ):
        return [], set()
    claims, masked = growth_claims(text, toks)
    partial, partial_masked = partial_green_claims(text, toks)
    claims += partial
    masked |= partial_masked
    for a, b in clauses(text):
        found = [(x, y, r) for x, y in _pieces(text, a, b) if (r := _read(text, x, y, nums)) is not None]
        if not found:
            whole = _read(text, a, b, nums)
            found = [(a, b, whole)] if whole is not None else []
        for x, y, (claim, core) in found:
            claims.append(claim)
            inside = [t for t in toks if x <= t.start and t.end <= y]
            if all(t.low in _QUIET or not t.low[:1].isalpha() for t in inside):
                masked.update(t.i for t in inside)  # the statement says nothing else
            else:  # keep the rest readable ("cropland 40 %, green under 10 %"): only its own words
                lo, hi = min(p for p, _ in core), max(q for _, q in core)
                masked.update(t.i for t in inside if lo <= t.start and t.end <= hi)
    return claims, masked


def _share_above(sp: Any, t: float) -> tuple[float, float] | None:
    """The % of imaged pixels with NDVI above ``t``: exact at 0.5, bounded by the deciles elsewhere."""
    exact = sp.ndvi_shares.get(f"{t:.1f}") if abs(t * 10 - round(t * 10)) < 1e-9 else None
    if exact is None and abs(t - STRICT_GREEN_NDVI) < 1e-9:
        exact = sp.share_ndvi_above_0_5
    if exact is not None:
        return float(exact), float(exact)
    st = sp.indices.get("NDVI")
    if st is None:
        return None
    if t > st.p90:
        return 0.0, 10.0
    if t > st.p50:
        return 10.0, 50.0
    if t > st.p10:
        return 50.0, 90.0
    return 90.0, 100.0


PARTIAL_GREEN_FROM, PARTIAL_GREEN_NONE = 2.0, 0.1
"""Some green (patches, one kind of plant): supported when at least 2 % of the image is above NDVI 0.4,
contradicted when under 0.1 % is (no green pixel to speak of)."""


def check_partial_green(claim: Claim, g: Any) -> tuple[Verdict, ClaimEvidence]:
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    share = _share_above(sp, LAX_GREEN_NDVI) if sp is not None and "NDVI" in sp.indices else None
    if share is None or origin is None:
        return Verdict.UNVERIFIABLE, ClaimEvidence(note="no evidence Sentinel-2 NDVI", layer="sentinel2")
    lo, hi = share
    v = (
        Verdict.SUPPORTED
        if lo >= PARTIAL_GREEN_FROM
        else Verdict.CONTRADICTED
        if hi < PARTIAL_GREEN_NONE
        else Verdict.UNVERIFIABLE
    )
    if claim.polarity == Polarity.NEGATED.value:
        v = {Verdict.SUPPORTED: Verdict.CONTRADICTED, Verdict.CONTRADICTED: Verdict.SUPPORTED}.get(v, v)
    return v, ClaimEvidence(
        {"pct_of_image_ndvi_above_0.4": [lo, hi]},
        {"some_green_from_pct": PARTIAL_GREEN_FROM, "no_green_below_pct": PARTIAL_GREEN_NONE},
        "sentinel2",
        origin,
    )


def check_green_share(claim: Claim, g: Any) -> tuple[Verdict, ClaimEvidence]:
    from geomeld.captioning.check import interval_verdict

    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or origin is None or claim.value is None or "NDVI" not in sp.indices:
        return Verdict.UNVERIFIABLE, ClaimEvidence(note="no evidence Sentinel-2 NDVI", layer="sentinel2")
    if claim.label is not None:
        t_lo = t_hi = float(claim.label)
    else:
        t_lo, t_hi = LAX_GREEN_NDVI, STRICT_GREEN_NDVI
    strict = _share_above(sp, t_hi)  # fewest pixels
    lax = _share_above(sp, t_lo)  # most pixels
    if strict is None or lax is None:
        return Verdict.UNVERIFIABLE, ClaimEvidence(
            note="no NDVI statistics", layer="sentinel2", origin=origin
        )
    lo, hi = min(strict[0], lax[0]), max(strict[1], lax[1])
    fam = Family.LANDCOVER_SHARE.value  # a share of the image, with the share band
    v, band = interval_verdict(claim.value, lo, hi, fam, claim.hedge != "none")
    if claim.value.bound == Bound.AT_MOST.value and v is Verdict.CONTRADICTED:
        v = interval_verdict(claim.value, strict[0], strict[1], fam, claim.hedge != "none")[0]
    elif claim.value.bound == Bound.AT_LEAST.value and v is Verdict.CONTRADICTED:
        v = interval_verdict(claim.value, lax[0], lax[1], fam, claim.hedge != "none")[0]
    measured = {
        "pct_of_image_ndvi_above": {str(t_lo): list(lax), str(t_hi): list(strict)},
        "ndvi_mean": round(sp.indices["NDVI"].mean, 3),
    }
    return v, ClaimEvidence(measured, {"band": band, "ndvi_thresholds": [t_lo, t_hi]}, "sentinel2", origin)
