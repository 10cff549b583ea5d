"""Band reflectance statements ("NIR (B8) reflectance averages 0.31", "blue-band mean about 0.05",
"mean visible reflectance under 0.2", "red reflectance exceeds near-infrared reflectance"): family
``image_condition``, subject ``reflectance``.

A level statement has ``label`` the band (``B2`` blue, ``B3`` green, ``B4`` red, ``B8`` NIR, ``B11``
SWIR-1, ``B12`` SWIR-2, or ``visible``: the mean of B2, B3 and B4) and ``value`` the stated reflectance
(0-1) with its bound. An order statement has ``label`` ``"B4>B8"`` (the first band brighter on average
than the second; ``"B8>>B4"`` for "several times / twice").

Checked against the tile's mean reflectance per band (:attr:`SpectralSignal.band_means`, digital numbers
÷ 10 000 with no offset). A stated mean is supported within ``max(0.03, 20 %)`` of the measured one and
contradicted beyond ``max(0.08, 50 %)`` (a writer may read surface or top-of-atmosphere reflectance,
median or mean: the two differ by a few hundredths over land); a bound is supported when the mean is
on its side and contradicted when it is beyond it by the contradiction margin. An order is
contradicted when the means are in the other order by more than 10 %. The evidence names the product
level (Level-1C top-of-atmosphere or Level-2A surface reflectance) as the layer's provenance gives it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from geomeld.captioning.claims import Bound, Claim, ClaimEvidence, Family, Value, Verdict

FAMILY = Family.IMAGE_CONDITION.value
S, C, U = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.UNVERIFIABLE

SUPPORT_ABS, SUPPORT_REL = 0.03, 0.20
CONTRADICT_ABS, CONTRADICT_REL = 0.08, 0.50
ORDER_MARGIN = 0.10
MANY_TIMES = 1.5


class _Tok(Protocol):
    start: int
    end: int
    i: int


_CODE = r"b0?(?:2|3|4|8|11|12)\b"
_NAME = (
    r"blue|green|red|near[- ]?infra-?red|nir|short[- ]?wave[- ]infra-?red[- ]?[12]|swir[- ]?[12]|visible|"
    r"brightness|albedo"
)
_BAND = re.compile(
    rf"\b(?:(?P<name>{_NAME})(?:[- ]band)?(?:\s*\(\s*(?P<code1>{_CODE})\s*\))?|(?P<code2>{_CODE}))", re.I
)
_CUE = re.compile(
    r"reflect|albedo|brightness|\bband\b|-band\b|\bmean\b|\baverag|\b(?:b0?(?:2|3|4|8|11|12))\b", re.I
)
_INDEX = re.compile(r"\b(?:nd[vwsb]i|index|indices|ratio|db|backscatter|sigma|vv|vh)\b|/|%|percent", re.I)
_FORMULA = re.compile(r"\b(?:nd[vwsb]i|index|indices|ratio)\b|/", re.I)
_ARITHMETIC = re.compile(rf"\b{_CODE}\s*[−–+*/-]\s*\(?\s*{_CODE}", re.I)
_NUMBER = re.compile(r"(?<![\w.])(\d?\.\d+|[01])(?![\w.]|\s*%)")
_ABOVE = re.compile(
    r"\b(?:above|over|exceed(?:s|ing)?|more\s+than|greater\s+than|higher\s+than|at\s+least|upwards\s+of|"
    r"in\s+excess\s+of|beyond)\s*$|>=?\s*$|≥\s*$",
    re.I,
)
_BELOW = re.compile(
    r"\b(?:under|below|less\s+than|lower\s+than|at\s+most|no\s+more\s+than|not\s+above|up\s+to|within)\s*$|<=?\s*$|≤\s*$",
    re.I,
)
_HIGHER = re.compile(
    r"\b(?:exceeds?|exceeding|brighter\s+than|higher\s+than|greater\s+than|stronger\s+than|more\s+reflective\s+than|"
    r"above|outshines?|tops?)\b",
    re.I,
)
_LOWER = re.compile(r"\b(?:darker\s+than|lower\s+than|less\s+than|weaker\s+than|below|under)\b", re.I)
_TIMES = re.compile(
    r"\b(?:several|many|two|three|four|five)\s+times\b|\btwice\b|\bdouble\b|\bmultiple\s+of\b", re.I
)
_TONE = re.compile(
    r"^\s*(?:an?\s+)?(?:very\s+|quite\s+|rather\s+|fairly\s+)?(?:bright|dark|dim)(?:\s+(?:scene|image|tile|surfaces?))?"
    r"(?:\s*\((?:est\.?|estimated|approx\.?)\))?\s*$",
    re.I,
)
_NEGATED = re.compile(r"\b(?:not|never|no|n't|nowhere)\b|n't\b", re.I)


def _band(m: re.Match[str]) -> str:
    code = m.group("code1") or m.group("code2")
    if code:
        return "B" + str(int(code[1:]))
    name = re.sub(r"[- ]", "", (m.group("name") or "").lower())
    if name.startswith("swir") or name.startswith("shortwave"):
        return "B11" if name.endswith("1") else "B12"
    return {"blue": "B2", "green": "B3", "red": "B4", "nir": "B8"}.get(
        name, "B8" if "infra" in name else "visible"
    )


def _clauses(text: str) -> list[tuple[int, int]]:
    from geomeld.captioning.conditions import clauses

    out: list[tuple[int, int]] = []
    for a, b in clauses(text):  # a line of a list or a comma-joined note is its own statement
        last = a
        for m in re.finditer(r"[,;|\n]|\s+(?:also|and|while|whereas|but)\s+", text[a:b]):
            out.append((last, a + m.start()))
            last = a + m.end()
        out.append((last, b))
    stripped = []
    for x, y in out:
        while x < y and text[x].isspace():
            x += 1
        while y > x and text[y - 1].isspace():
            y -= 1
        if y > x:
            stripped.append((x, y))
    return stripped


def reflectance_claims(text: str, toks: Sequence[_Tok]) -> tuple[list[Claim], set[int]]:
    """Reflectance statements of ``text`` and the token indices they use up (band colour words are no
    vegetation or land-cover words here)."""
    if not _BAND.search(text) or not (_CUE.search(text) or re.search(r"infra|nir|swir", text, re.I)):
        return [], set()
    claims: list[Claim] = []
    pieces = _clauses(text)
    arithmetic = [m.span() for m in _ARITHMETIC.finditer(text)]
    for k, (a, b) in enumerate(pieces):
        seg = text[a:b]
        bands = [m for m in _BAND.finditer(seg)]
        if not bands:
            continue
        names = [_band(m) for m in bands]
        spectral = any(
            n in ("B8", "B11", "B12") or m.group("code1") or m.group("code2")
            for n, m in zip(names, bands, strict=True)
        )
        cue = re.search(r"reflect|albedo|brightness|\bband\b|-band\b", seg, re.I)
        if not (cue or spectral):  # a colour word alone ("green fields average 0.4 ha") is no band
            continue
        distinct = list(dict.fromkeys(n for n in names if n not in ("visible",) or len(set(names)) == 1))
        if _FORMULA.search(seg) or any(x < b and a < y for x, y in arithmetic):
            continue  # an index written out of its bands ("(B8-B4)/(B8+B4) below 0.4") is that index
        if len(distinct) >= 2 and (_HIGHER.search(seg) or _LOWER.search(seg) or _TIMES.search(seg)):
            first, second = distinct[0], distinct[1]
            if _LOWER.search(seg) and not _HIGHER.search(seg):
                first, second = second, first
            label = f"{first}>>{second}" if _TIMES.search(seg) else f"{first}>{second}"
            negated = bool(_NEGATED.search(seg))
            claims.append(
                Claim(
                    family=FAMILY,
                    subject="reflectance",
                    start=a,
                    end=b,
                    text=seg,
                    label=label,
                    polarity="negated" if negated else "affirmed",
                )
            )
            continue
        if len(distinct) != 1 or _INDEX.search(seg):
            continue
        num = None
        for n in _NUMBER.finditer(seg):
            if n.start() >= bands[-1].end():
                num = n
                break
        if num is None:
            continue
        x = float(num.group(1))
        if x > 1.0:
            continue
        before = seg[: num.start()]
        bound = (
            Bound.AT_LEAST.value
            if _ABOVE.search(before)
            else Bound.AT_MOST.value
            if _BELOW.search(before)
            else Bound.ABOUT.value
        )
        # "a dark scene, mean visible reflectance under 0.2", "…above 0.5, very bright": the brightness
        # word beside the number is the same statement
        if k > 0 and _TONE.match(text[pieces[k - 1][0] : pieces[k - 1][1]]):
            a = pieces[k - 1][0]
        if k + 1 < len(pieces) and _TONE.match(text[pieces[k + 1][0] : pieces[k + 1][1]]):
            b = pieces[k + 1][1]
        claims.append(
            Claim(
                family=FAMILY,
                subject="reflectance",
                start=a,
                end=b,
                text=text[a:b],
                label=distinct[0],
                value=Value(low=x, high=x, bound=bound, unit="reflectance"),
            )
        )
    masked = {t.i for t in toks if any(c.start <= t.start and t.end <= c.end for c in claims)}
    return claims, masked


def _product(g: Any) -> str:
    lo = g.layer_origin("sentinel2")
    prod = (lo.product or "").lower()
    if "l1c" in prod or "top-of-atmosphere" in prod:
        return "Sentinel-2 L1C (top-of-atmosphere)"
    if "l2a" in prod or "surface" in prod:
        return "Sentinel-2 L2A (surface reflectance)"
    return f"Sentinel-2 ({lo.product or 'product level not recorded'})"


def check_reflectance(claim: Claim, g: Any) -> tuple[Verdict, ClaimEvidence]:
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or origin is None or not sp.band_means:
        return U, ClaimEvidence(note="no Sentinel-2 band means that are evidence here", layer="sentinel2")
    means = dict(sp.band_means)
    if all(k in means for k in ("B2", "B3", "B4")):
        means["visible"] = round((means["B2"] + means["B3"] + means["B4"]) / 3, 4)
    layer = f"sentinel2 band means, {_product(g)}, DN ÷ 10000"
    label = claim.label or ""
    if ">" in label:
        many = ">>" in label
        first, second = label.replace(">>", ">").split(">")
        if first not in means or second not in means:
            return U, ClaimEvidence(note=f"band {first} or {second} not in this sample", layer=layer)
        hi, lo = means[first], means[second]
        measured = {f"mean_{first}": hi, f"mean_{second}": lo}
        if many:
            v = S if hi >= MANY_TIMES * lo else C if hi < lo * (1 + ORDER_MARGIN) else U
            tol: dict[str, Any] = {
                "supported_ratio_from": MANY_TIMES,
                "contradicted_ratio_below": 1 + ORDER_MARGIN,
            }
        else:
            v = S if hi > lo * (1 + ORDER_MARGIN) else C if hi < lo * (1 - ORDER_MARGIN) else U
            tol = {"order_margin": ORDER_MARGIN}
        if claim.negated and v != U:
            v = C if v == S else S
        return v, ClaimEvidence(measured, tol, layer, origin)
    if label not in means or claim.value is None or claim.value.low is None:
        return U, ClaimEvidence(note=f"band {label or '?'} not in this sample", layer=layer)
    m = means[label]
    x = claim.value.low
    s = max(SUPPORT_ABS, SUPPORT_REL * x)
    c = max(CONTRADICT_ABS, CONTRADICT_REL * x)
    bound = claim.value.bound
    if bound == Bound.AT_LEAST.value:
        v = S if m >= x - s / 4 else C if m < x - c / 2 else U
    elif bound == Bound.AT_MOST.value:
        v = S if m <= x + s / 4 else C if m > x + c / 2 else U
    else:
        v = S if abs(m - x) <= s else C if abs(m - x) > c else U
    tol = {"bound": bound, "support": round(s, 3), "contradict": round(c, 3)}
    return v, ClaimEvidence({f"mean_{label}": m}, tol, layer, origin)
