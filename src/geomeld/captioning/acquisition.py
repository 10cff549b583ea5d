"""Statements about how the tile was imaged: sun elevation, radar orbit direction, the radar–optical
date gap and the co-/cross-polarised backscatter difference — read from free text and checked.

Claims (no new family; documented in :mod:`geomeld.captioning.claims`):

* ``season`` / ``sun_elevation``: the sun's elevation at the optical acquisition, with a value in
  degrees ("the sun stood about 25° above the horizon", "solar elevation over 50°") or a ``label``
  (``very_low``, ``low``, ``high``, ``overhead``: "a low winter sun", "a near-overhead sun");
* ``sar`` / ``orbit``: ``label`` ``ascending`` or ``descending`` ("the radar pass was descending");
* ``sar`` / ``sar_optical_gap``: days between the radar and the optical acquisitions ("on the same
  day as the optical image", "weeks apart", "within three days");
* ``sar`` / ``vv_minus_vh``: VV − VH in dB ("the co-pol/cross-pol difference is about 6 dB").

Evidence is :class:`geomeld.signals.models.AcquisitionSignal` (sun elevation recorded by the product
or computed from the acquisition time and tile centre; orbit directions and gaps recorded by the
builder) and the SAR signal's per-orbit VH − VV. Bands (degrees, days, dB) are module constants.
Statements read here are blanked from the text before the general extractor runs, so "below 30
degrees elevation" is never read as a slope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geomeld.captioning.claims import Bound, Claim, ClaimEvidence, Family, Hedge, Polarity, Value, Verdict

S, C, U = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.UNVERIFIABLE

CUES = ("sun", "solar", "ascending", "descending", "radar", "sar", "sentinel-1", "s1", "pol", "vv")
"""Lower-case substrings that a caption must contain for this reader to run at all."""

SUN_LABEL_BANDS: dict[str, tuple[float, float]] = {
    "very_low": (20.0, 28.0),  # supported below 20°, contradicted above 28°
    "low": (35.0, 45.0),  # supported below 35°, contradicted above 45°
    "high": (45.0, 35.0),  # supported above 45°, contradicted below 35°
    "overhead": (55.0, 45.0),  # supported above 55°, contradicted below 45°
}
"""Sun-elevation words: (support threshold, contradiction threshold) in degrees."""
SUN_MARGIN_DEG = (1.0, 3.0)
"""A stated bound on the sun elevation: supported within 1° of it, contradicted 3° beyond it (the
computed elevation is good to well under 1°; the margin absorbs a writer's coarser formula)."""
SUN_ABOUT_DEG = (5.0, 10.0)
""""About X°": supported within ±5°, contradicted beyond ±10°."""
GAP_MARGIN_DAYS = (0.5, 1.5)
"""A stated radar–optical gap bound: supported within half a day, contradicted 1.5 days beyond it."""
DB_MARGIN = (1.0, 3.0)
"""VV − VH in dB: supported within 1 dB of the stated range, contradicted 3 dB outside it."""

_NUM = r"(\d+(?:[.,]\d+)?)"
_BOUND = (
    r"(less than|fewer than|under|below|lower than|at most|no more than|up to|over|above|more than|"
    r"higher than|greater than|at least|exceeding|around|about|roughly|approximately|approx\.?|nearly|"
    r"almost|some|~|≈|<|>|≤|≥)?"
)
_DEG = re.compile(
    _BOUND + r"\s*" + _NUM + r"(?:\s*(?:-|–|to)\s*" + _NUM + r")?\s*(?:°|degrees?\b|deg\b)", re.I
)
_SUN = re.compile(r"\b(sun|solar|sunlight)\b", re.I)
_SUN_CONTEXT = re.compile(r"\b(elevation|angle|altitude|height|horizon|low|high|overhead|zenith)\b", re.I)
_SUN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(very|extremely|really|quite|exceptionally)\s+low\b|\bgrazing\b|\bbarely above\b", re.I
        ),
        "very_low",
    ),
    (re.compile(r"\b(near[- ]?overhead|overhead|near[- ]?vertical|very high)\b", re.I), "overhead"),
    (re.compile(r"\b(low|shallow|low-angle|oblique)\b", re.I), "low"),
    (re.compile(r"\b(high|steep|high-angle)\b", re.I), "high"),
)
_SAR = re.compile(
    r"\b(radar|sar|sentinel-?1|s-?1|backscatter|orbit|pass|overpass|track|acquisition|scene)\b", re.I
)
_ORBIT = re.compile(r"\b(ascending|descending)\b", re.I)
_OPTICAL = re.compile(r"\b(optical|sentinel-?2|s-?2|multispectral|the image|the photo|the picture)\b", re.I)
_RADAR = re.compile(r"\b(radar|sar|sentinel-?1|s-?1)\b", re.I)
_WORDNUM = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "ten": 10.0,
    "a couple of": 2.0,
    "a few": 3.0,
    "several": 4.0,
}
_GAP = re.compile(
    r"(?P<same>\bsame (?:day|date)\b|\bsimultaneous(?:ly)?\b|\bwithin hours\b|\bhours apart\b)"
    r"|(?:(?P<bound>within|less than|under|no more than|at most|more than|over|at least|about|around|roughly)\s+)?"
    r"(?:(?P<n>\d+(?:\.\d+)?|a couple of|a few|several|an|a|one|two|three|four|five|six|seven|ten)\s+)?"
    r"(?P<unit>hours?|days?|weeks?|months?)\b(?:\s+(?P<apart>apart|of each other|from each other))?",
    re.I,
)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}
_DIFF = re.compile(
    r"\b(co-?pol(?:ari[sz]ed)?\s*(?:/|-|–|to|and|vs\.?|versus)\s*cross-?pol(?:ari[sz]ed)?|"
    r"vv\s*(?:/|-|−|–|minus|to|and|vs\.?|versus)\s*vh|cross-?pol(?:ari[sz]ation)? ratio|"
    r"polari[sz]ation (?:ratio|difference|contrast))\b",
    re.I,
)
_DB = re.compile(
    _BOUND + r"\s*([+-]?\d+(?:[.,]\d+)?)(?:\s*(?:-|–|to|…|\.\.\.)\s*([+-]?\d+(?:[.,]\d+)?))?\s*db\b", re.I
)
_NEG = re.compile(r"\b(not|never|isn't|wasn't|no)\s+(?:an?\s+|the\s+|on\s+an?\s+)?$", re.I)
_HEDGE = re.compile(
    r"\b(about|around|roughly|approximately|approx|likely|probably|perhaps|maybe|seems?|appears?)\b", re.I
)


@dataclass
class Read:
    """What this reader found: claims on caption offsets and the character spans to blank."""

    claims: list[Claim]
    spans: list[tuple[int, int]]


def _statements(text: str) -> list[tuple[int, int]]:
    """Character spans of statements: split at . ; ! ? line breaks, bullets, '|' and ' and also '."""
    out: list[tuple[int, int]] = []
    a = 0
    for m in re.finditer(r"(?<!\d)\.(?!\d)|[;!?\n|•·]|\band also\b|\s—\s|\s-\s", text):
        if m.start() > a:
            out.append((a, m.start()))
        a = m.end()
    if a < len(text):
        out.append((a, len(text)))
    return out


def _bound(word: str | None) -> str:
    w = (word or "").lower().rstrip(".")
    if w in (
        "less than",
        "fewer than",
        "under",
        "below",
        "lower than",
        "at most",
        "no more than",
        "up to",
        "<",
        "≤",
    ):
        return Bound.AT_MOST.value
    if w in ("over", "above", "more than", "higher than", "greater than", "at least", "exceeding", ">", "≥"):
        return Bound.AT_LEAST.value
    return Bound.ABOUT.value


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def _claim(caption: str, family: str, subject: str, a: int, b: int, **kw: object) -> Claim:
    while a < b and caption[a] in " ,(":
        a += 1
    while b > a and caption[b - 1] in " ,(":
        b -= 1
    return Claim(family=family, subject=subject, start=a, end=b, text=caption[a:b], **kw)  # type: ignore[arg-type]


def read(caption: str) -> Read:
    """Acquisition statements in ``caption``."""
    claims: list[Claim] = []
    spans: list[tuple[int, int]] = []
    for a, b in _statements(caption):
        part = caption[a:b]
        hedge = Hedge.HEDGED.value if _HEDGE.search(part) else Hedge.NONE.value
        sun = _SUN.search(part)
        if sun and (_SUN_CONTEXT.search(part) or _DEG.search(part)):
            got = _sun(caption, a, part, sun, hedge)
            if got is not None:
                claims.append(got[0])
                spans.append(got[1])
                continue
        if _RADAR.search(part) or _ORBIT.search(part):
            orbits = list(_ORBIT.finditer(part))
            if orbits and _SAR.search(part):
                for k, orbit in enumerate(orbits):
                    neg = bool(_NEG.search(part[: orbit.start()][-24:]))
                    c_lo = a if k == 0 else a + orbits[k - 1].end()
                    c_hi = b if k == len(orbits) - 1 else a + orbit.end()
                    claims.append(
                        _claim(
                            caption,
                            Family.SAR.value,
                            "orbit",
                            c_lo,
                            c_hi,
                            label=orbit.group(1).lower(),
                            polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                        )
                    )
                spans.append((a, b))
                continue
            if _RADAR.search(part) and (_OPTICAL.search(part) or re.search(r"\bdates?\b", part, re.I)):
                gap = _gap(part)
                if gap is not None:
                    claims.append(
                        _claim(caption, Family.SAR.value, "sar_optical_gap", a, b, value=gap, hedge=hedge)
                    )
                    spans.append((a, b))
                    continue
        diff = _DIFF.search(part)
        if diff:
            db = _DB.search(part, diff.end())
            if db:
                lo = _num(db.group(2))
                hi = _num(db.group(3)) if db.group(3) else lo
                lo, hi = min(lo, hi), max(lo, hi)
                bound = Bound.BETWEEN.value if db.group(3) else _bound(db.group(1))
                claims.append(
                    _claim(
                        caption,
                        Family.SAR.value,
                        "vv_minus_vh",
                        a + diff.start(),
                        a + db.end(),
                        value=Value(lo, hi, bound, "dB"),
                        hedge=hedge,
                    )
                )
                spans.append((a + diff.start(), a + db.end()))
    return Read(claims, spans)


def _sun(
    caption: str, a: int, part: str, sun: re.Match[str], hedge: str
) -> tuple[Claim, tuple[int, int]] | None:
    deg = _DEG.search(part)
    if deg is not None and abs(deg.start() - sun.end()) > 60 and abs(sun.start() - deg.end()) > 60:
        deg = None
    if deg is not None:
        lo = _num(deg.group(2))
        hi = _num(deg.group(3)) if deg.group(3) else lo
        if max(lo, hi) > 90:
            return None
        bound = Bound.BETWEEN.value if deg.group(3) else _bound(deg.group(1))
        s, e = min(sun.start(), deg.start()), max(sun.end(), deg.end())
        tail = re.match(
            r"\s*(?:of\s+)?(?:elevation|altitude|above the horizon|sun elevation|solar elevation)",
            part[e:],
            re.I,
        )
        if tail:
            e += tail.end()
        head = re.search(
            r"((?:very|extremely|really|quite)\s+)?\b(low|high|near[- ]?overhead|overhead)\b[\w\s-]{0,20}$",
            part[:s],
            re.I,
        )
        if head:
            s = head.start()
        return _sun_claim(
            caption, a + s, a + e, value=Value(min(lo, hi), max(lo, hi), bound, "°"), hedge=hedge
        )
    window_a, window_b = max(0, sun.start() - 30), min(len(part), sun.end() + 40)
    near = part[window_a:window_b]
    for rx, label in _SUN_WORDS:
        m = rx.search(near)
        if m:
            s = min(sun.start(), window_a + m.start())
            e = max(sun.end(), window_a + m.end())
            tail = re.match(
                r"[\w\s-]{0,12}?\b(?:angle|elevation|altitude|in the sky|above the horizon)\b", part[e:], re.I
            )
            if tail:
                e += tail.end()
            neg = bool(_NEG.search(part[:s][-16:]))
            polarity = Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value
            return _sun_claim(caption, a + s, a + e, label=label, hedge=hedge, polarity=polarity)
    return None


def _sun_claim(caption: str, a: int, b: int, **kw: object) -> tuple[Claim, tuple[int, int]]:
    claim = _claim(caption, Family.SEASON.value, "sun_elevation", a, b, **kw)
    return claim, (a, b)


def _gap(part: str) -> Value | None:
    """The radar–optical gap a statement gives, in days."""
    for m in _GAP.finditer(part):
        if m.group("same"):
            return Value(0.0, 1.0, Bound.AT_MOST.value, "days")
        unit = m.group("unit").lower()
        per = _UNIT_DAYS[unit.rstrip("s")]
        n_text = (m.group("n") or "").lower()
        word = (m.group("bound") or "").lower()
        if not n_text and not word and not m.group("apart"):
            continue  # "the dates differ by days": no amount
        n = _WORDNUM[n_text] if n_text in _WORDNUM else float(n_text) if n_text else 1.0
        days = n * per
        if word in ("within", "less than", "under", "no more than", "at most"):
            return Value(0.0, days, Bound.AT_MOST.value, "days")
        if word in ("more than", "over", "at least") or (not n_text and unit.endswith("s")):
            return Value(days, days, Bound.AT_LEAST.value, "days")  # "weeks apart": a week or more
        if n_text in ("a few", "several", "a couple of"):
            return Value(2.0 * per, 9.0 * per if per > 1 else 9.0, Bound.BETWEEN.value, "days")
        return Value(days, days, Bound.ABOUT.value, "days")
    return None


# ---- checks --------------------------------------------------------------------------------------
def _against(
    value: Value, measured: float, margins: tuple[float, float], about: tuple[float, float]
) -> Verdict:
    lo = value.low if value.low is not None else value.high
    hi = value.high if value.high is not None else value.low
    if lo is None or hi is None:
        return U
    ok, bad = margins
    if value.bound == Bound.AT_MOST.value:
        return S if measured <= hi + ok else C if measured > hi + bad else U
    if value.bound == Bound.AT_LEAST.value:
        return S if measured >= lo - ok else C if measured < lo - bad else U
    if value.bound == Bound.BETWEEN.value:
        return S if lo - ok <= measured <= hi + ok else C if measured < lo - bad or measured > hi + bad else U
    ok, bad = about
    mid = (lo + hi) / 2
    return S if abs(measured - mid) <= ok else C if abs(measured - mid) > bad else U


def _all(verdicts: list[Verdict]) -> Verdict:
    """One verdict from several measurements (two radar passes): all agree, or unverifiable."""
    if verdicts and all(v is S for v in verdicts):
        return S
    if verdicts and all(v is C for v in verdicts):
        return C
    return U


def _flip(v: Verdict, negated: bool) -> Verdict:
    if not negated:
        return v
    return C if v is S else S if v is C else U


def check_sun(claim: Claim, acq: object | None, origin: str | None) -> tuple[Verdict, ClaimEvidence]:
    """A sun-elevation claim against the recorded or computed elevation."""
    elev = getattr(acq, "sun_elevation_deg", None)
    if acq is None or elev is None:
        return U, ClaimEvidence(layer="sentinel2", note="no acquisition time with a sun position")
    source = getattr(acq, "sun_elevation_source", None)
    measured = {"sun_elevation_deg": round(float(elev), 2), "source": source}
    if claim.value is not None:
        widen = 2.0 if claim.hedged else 0.0
        margins = (SUN_MARGIN_DEG[0] + widen, SUN_MARGIN_DEG[1] + widen)
        v = _against(claim.value, float(elev), margins, SUN_ABOUT_DEG)
        tol: object = {"bound_deg": margins, "about_deg": SUN_ABOUT_DEG}
    elif claim.label in SUN_LABEL_BANDS:
        ok, bad = SUN_LABEL_BANDS[claim.label]
        if claim.label in ("very_low", "low"):
            v = S if elev < ok else C if elev > bad else U
            tol = {"supported_below_deg": ok, "contradicted_above_deg": bad}
        else:
            v = S if elev > ok else C if elev < bad else U
            tol = {"supported_above_deg": ok, "contradicted_below_deg": bad}
    else:
        return U, ClaimEvidence(measured, None, "sentinel2", origin, "sun statement without a value")
    return _flip(v, claim.negated), ClaimEvidence(measured, tol, "sentinel2", origin)


def check_orbit(claim: Claim, acq: object | None, origin: str) -> tuple[Verdict, ClaimEvidence]:
    orbits = list(getattr(acq, "sar_orbits", []) or [])
    if not orbits:
        return U, ClaimEvidence(layer="sentinel1", origin=origin, note="no orbit direction recorded")
    inferred = bool(getattr(acq, "sar_orbit_inferred", False))
    v = S if claim.label in orbits else C
    note = "orbit direction inferred by the catalogue from the local time of the pass" if inferred else ""
    return _flip(v, claim.negated), ClaimEvidence({"orbits": orbits}, "exact", "sentinel1", origin, note)


def check_gap(claim: Claim, acq: object | None, origin: str) -> tuple[Verdict, ClaimEvidence]:
    gaps = list(getattr(acq, "sar_days_from_optical", []) or [])
    if not gaps or claim.value is None:
        return U, ClaimEvidence(layer="sentinel1", origin=origin, note="no radar–optical gap recorded")
    v = _all(
        [
            _against(claim.value, g, GAP_MARGIN_DAYS, (max(1.0, 0.3 * (claim.value.low or 0)), 3.0))
            for g in gaps
        ]
    )
    return _flip(v, claim.negated), ClaimEvidence(
        {"days_from_optical": gaps}, {"margin_days": GAP_MARGIN_DAYS}, "sentinel1", origin
    )


def check_vv_minus_vh(
    claim: Claim, diffs_vh_minus_vv: list[float], origin: str
) -> tuple[Verdict, ClaimEvidence]:
    if not diffs_vh_minus_vv or claim.value is None:
        return U, ClaimEvidence(layer="sentinel1", origin=origin, note="no orbit with both VV and VH")
    values = [-d for d in diffs_vh_minus_vv]
    v = _all([_against(claim.value, x, DB_MARGIN, (2.0, 4.0)) for x in values])
    return _flip(v, claim.negated), ClaimEvidence(
        {"vv_minus_vh_db": [round(x, 2) for x in values]}, {"margin_db": DB_MARGIN}, "sentinel1", origin
    )
