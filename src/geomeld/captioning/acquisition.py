"""Radar statements the general extractor does not read, read from free text and checked:

* backscatter in linear power ("VV mean 0.161 (linear)", "VH ≈ 0.026 in linear power units"): a
  ``sar`` ``vv`` / ``vh`` claim in dB (10·log10 of the value), checked like any backscatter in dB;
  "σ0" / "sigma nought" only names the coefficient (its 0 is no value);
* when the radar image was taken relative to the optical one ("the radar and optical images were
  taken on the same day", "weeks apart", "within three days"): ``sar`` / ``sar_optical_gap`` in days,
  against the gap the builder recorded (``days_from_s2`` in the ``sentinel1`` provenance,
  :class:`geomeld.signals.models.AcquisitionSignal`), band :data:`GAP_MARGIN_DAYS`.

Statements read here are blanked from the text before the general extractor runs. (Orbit direction
and the co-/cross-pol difference are read by the general extractor; sun elevation by
:mod:`geomeld.captioning.conditions`.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from geomeld.captioning.claims import Bound, Claim, ClaimEvidence, Family, Hedge, Value, Verdict

S, C, U = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.UNVERIFIABLE

CUES = ("radar", "sar", "sentinel-1", "s1", "s-1", "linear", "σ", "sigma")
"""Lower-case substrings that a caption must contain for this reader to run at all."""

GAP_MARGIN_DAYS = (0.5, 1.5)
"""A stated radar–optical gap bound: supported within half a day, contradicted 1.5 days beyond it."""

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
_SIGMA0 = re.compile(r"(?:σ|sigma)[ _-]?(?:0|⁰|nought|naught)(?![\d.])", re.I)
_LINEAR = re.compile(
    r"\b(vv|vh)\b[^.;,|/\n]{0,25}?(?:≈|~|=|:|\bof\b|\bis\b|\bat\b|\baround\b|\babout\b|\bmean\b|\baverages?\b)?\s*"
    r"(\d*\.\d+|\d+)\s*(?:\(\s*linear[^)]*\)|in linear(?: power)?(?: units)?|linear(?: power)?(?: units)?)",
    re.I,
)
"""A backscatter given in linear power ("VV mean 0.161 (linear)"): read in dB, 10·log10(x)."""
_GAP = re.compile(
    r"(?P<same>\bsame (?:day|date)\b|\bsimultaneous(?:ly)?\b|\bwithin hours\b|\bhours apart\b)"
    r"|(?:(?P<bound>within|less than|under|no more than|at most|more than|over|at least|about|around|roughly)\s+)?"
    r"(?:(?P<n>\d+(?:\.\d+)?|a couple of|a few|several|an|a|one|two|three|four|five|six|seven|ten)\s+)?"
    r"(?P<unit>hours?|days?|weeks?|months?)\b(?:\s+(?P<apart>apart|of each other|from each other))?",
    re.I,
)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0}
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
        if _RADAR.search(part) and (_OPTICAL.search(part) or re.search(r"\bdates?\b", part, re.I)):
            found = _gap(part)
            if found is not None:
                gap, g_lo, g_hi = found
                lo, hi = _around(part, g_lo, g_hi, _RADAR, _OPTICAL)
                claims.append(
                    _claim(
                        caption, Family.SAR.value, "sar_optical_gap", a + lo, a + hi, value=gap, hedge=hedge
                    )
                )
                spans.append((a + lo, a + hi))
    for m in _SIGMA0.finditer(caption):  # "VH mean σ0 of -15.9 dB": the 0 names the coefficient
        spans.append((m.start(), m.end()))
    for m in _LINEAR.finditer(caption):  # "mean VH ≈ 0.0259 in linear power units" = −15.9 dB
        x = float(m.group(2))
        if not 0.0 < x < 10.0:
            continue
        db = round(10.0 * math.log10(x), 2)
        claims.append(
            _claim(
                caption,
                Family.SAR.value,
                m.group(1).lower(),
                m.start(),
                m.end(),
                value=Value(db, db, Bound.ABOUT.value, "dB"),
            )
        )
        spans.append((m.start(), m.end()))
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
