"""Statements about how the radar image was taken: orbit direction, the radar–optical date gap and the
co-/cross-polarised backscatter difference — read from free text and checked. (Sun-elevation
statements are read by :mod:`geomeld.captioning.conditions`.)

Claims (family ``sar``; subjects documented in :mod:`geomeld.captioning.claims`):

* ``orbit``: ``label`` ``ascending`` or ``descending`` ("the radar pass was descending");
* ``sar_optical_gap``: days between the radar and the optical acquisitions ("on the same day as the
  optical image", "weeks apart", "within three days");
* ``vv_minus_vh``: VV − VH in dB ("the co-pol/cross-pol difference is about 6 dB").

Evidence is :class:`geomeld.signals.models.AcquisitionSignal` (orbit directions and gaps the builder
recorded in the ``sentinel1`` provenance) and the SAR signal's per-orbit VH − VV. Bands (days, dB) are
module constants. Statements read here are blanked from the text before the general extractor runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geomeld.captioning.claims import Bound, Claim, ClaimEvidence, Family, Hedge, Polarity, Value, Verdict

S, C, U = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.UNVERIFIABLE

CUES = ("ascending", "descending", "radar", "sar", "sentinel-1", "s1", "pol", "vv")
"""Lower-case substrings that a caption must contain for this reader to run at all."""

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
        if _RADAR.search(part) or _ORBIT.search(part):
            orbits = list(_ORBIT.finditer(part))
            if orbits and _SAR.search(part):
                for orbit in orbits:
                    lo, hi = _around(part, orbit.start(), orbit.end(), _SAR)
                    neg = bool(_NEG.search(part[: orbit.start()][-24:]))
                    claims.append(
                        _claim(
                            caption,
                            Family.SAR.value,
                            "orbit",
                            a + lo,
                            a + hi,
                            label=orbit.group(1).lower(),
                            polarity=Polarity.NEGATED.value if neg else Polarity.AFFIRMED.value,
                        )
                    )
                    spans.append((a + lo, a + hi))
                continue
            if _RADAR.search(part) and (_OPTICAL.search(part) or re.search(r"\bdates?\b", part, re.I)):
                found = _gap(part)
                if found is not None:
                    gap, g_lo, g_hi = found
                    lo, hi = _around(part, g_lo, g_hi, _RADAR, _OPTICAL)
                    claims.append(
                        _claim(
                            caption,
                            Family.SAR.value,
                            "sar_optical_gap",
                            a + lo,
                            a + hi,
                            value=gap,
                            hedge=hedge,
                        )
                    )
                    spans.append((a + lo, a + hi))
                    continue
        diff = _DIFF.search(part)
        if diff:
            db = _DB.search(part, diff.end())
            if db:
                x_lo = _num(db.group(2))
                x_hi = _num(db.group(3)) if db.group(3) else x_lo
                x_lo, x_hi = min(x_lo, x_hi), max(x_lo, x_hi)
                bound = Bound.BETWEEN.value if db.group(3) else _bound(db.group(1))
                claims.append(
                    _claim(
                        caption,
                        Family.SAR.value,
                        "vv_minus_vh",
                        a + diff.start(),
                        a + db.end(),
                        value=Value(x_lo, x_hi, bound, "dB"),
                        hedge=hedge,
                    )
                )
                spans.append((a + diff.start(), a + db.end()))
    return Read(claims, spans)


def _around(
    part: str, lo: int, hi: int, before: re.Pattern[str], after: re.Pattern[str] | None = None
) -> tuple[int, int]:
    """The span of a statement's core: from a cue (``before``) shortly before ``lo`` to ``hi``, extended
    over a cue (``after``, else ``before``) shortly after it — never across a comma or a conjunction,
    so "the radar pass was descending, acquired in 2014" leaves the year to the general reader."""
    head = part[max(0, lo - 60) : lo]
    stop = max((m.end() for m in _BREAK_BEFORE.finditer(head)), default=0)
    cue = [m for m in before.finditer(head) if m.start() >= stop]
    if cue:
        lo = max(0, lo - 60) + cue[0].start()
    tail = part[hi : hi + 40]
    cut = next((m.start() for m in _BREAK.finditer(tail)), len(tail))
    more = list((after or before).finditer(tail[:cut]))
    if more:
        hi += more[-1].end()
    return lo, hi


_BREAK_BEFORE = re.compile(r",|\(|\)|\bwhile\b|\bwhereas\b|\bbut\b|\balthough\b")
_BREAK = re.compile(r",|\(|\)|\band\b|\bwhile\b|\bwhereas\b|\bbut\b|\balthough\b")


def _gap(part: str) -> tuple[Value, int, int] | None:
    """The radar–optical gap a statement gives, in days, and where it is said."""
    for m in _GAP.finditer(part):
        if m.group("same"):
            return Value(0.0, 1.0, Bound.AT_MOST.value, "days"), m.start(), m.end()
        unit = m.group("unit").lower()
        per = _UNIT_DAYS[unit.rstrip("s")]
        n_text = (m.group("n") or "").lower()
        word = (m.group("bound") or "").lower()
        if not n_text and not word and not m.group("apart"):
            continue  # "the dates differ by days": no amount
        n = _WORDNUM[n_text] if n_text in _WORDNUM else float(n_text) if n_text else 1.0
        days = n * per
        if word in ("within", "less than", "under", "no more than", "at most"):
            return Value(0.0, days, Bound.AT_MOST.value, "days"), m.start(), m.end()
        if word in ("more than", "over", "at least") or (not n_text and unit.endswith("s")):
            return (
                Value(days, days, Bound.AT_LEAST.value, "days"),
                m.start(),
                m.end(),
            )  # "weeks apart": a week or more
        if n_text in ("a few", "several", "a couple of"):
            return (
                Value(2.0 * per, 9.0 * per if per > 1 else 9.0, Bound.BETWEEN.value, "days"),
                m.start(),
                m.end(),
            )
        return Value(days, days, Bound.ABOUT.value, "days"), m.start(), m.end()
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
