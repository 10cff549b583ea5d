"""Coordinates written in a caption: "52°27′46″N 12°31′39″E", "centre at 52.46°N, 12.57°E",
"lat 52.46, lon 12.51", "latitude 52.5", "UTM zone 33N", "EPSG:32633".

Each becomes a ``place`` claim: subject ``latitude`` / ``longitude`` (value in degrees, north and east
positive) or ``utm_zone`` (label such as "33N"), checked against the tile centre by
:func:`coordinate_verdict`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from geomeld.captioning.claims import Bound, Claim, Family, Value

if TYPE_CHECKING:  # pragma: no cover
    from geomeld.captioning.extract import Tok

_DMS = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*°\s*(?:(\d{1,2}(?:\.\d+)?)\s*[′'’]\s*(?:(\d{1,2}(?:\.\d+)?)\s*[″\"”]\s*)?)?([NSEW])(?![-\w])"
)
_NAMED = re.compile(
    r"\b(lat(?:itude)?|lon(?:gitude)?|long)\b\s*[:=]?\s*(?:of\s+)?(?:about\s+|~\s*)?(-?\d{1,3}\.\d+|-?\d{1,3})\b",
    re.I,
)
_UTM = re.compile(r"\bUTM\s+zone\s+(\d{1,2})\s*([NS])?\b|\bEPSG\s*:?\s*(32[67])(\d{2})\b", re.I)

DEG_SUPPORT = 0.02
DEG_CONTRADICT = 0.1
"""A stated latitude or longitude holds within 0.02° of the tile centre (about 2 km, the tile's own
extent plus rounding) and is contradicted beyond 0.1° (about 11 km of latitude)."""


def coordinate_claims(text: str, toks: Sequence[Tok]) -> tuple[list[Claim], set[int]]:
    """Coordinate and UTM-zone claims of ``text`` and the tokens they use."""
    if "°" not in text and not re.search(r"\b(?:lat|lon|utm|epsg)", text, re.I):
        return [], set()
    found: list[tuple[int, int, str, Value | None, str | None]] = []
    for m in _DMS.finditer(text):
        deg = float(m.group(1)) + float(m.group(2) or 0) / 60.0 + float(m.group(3) or 0) / 3600.0
        hemi = m.group(4)
        subject = "latitude" if hemi in "NS" else "longitude"
        signed = -deg if hemi in "SW" else deg
        found.append((m.start(), m.end(), subject, Value(signed, signed, Bound.ABOUT.value, "deg"), None))
    for m in _NAMED.finditer(text):
        subject = "latitude" if m.group(1).lower().startswith("lat") else "longitude"
        deg = float(m.group(2))
        found.append((m.start(), m.end(), subject, Value(deg, deg, Bound.ABOUT.value, "deg"), None))
    for m in _UTM.finditer(text):
        if m.group(1):
            zone = f"{int(m.group(1))}{(m.group(2) or '').upper()}"
        else:
            zone = f"{int(m.group(4))}{'N' if m.group(3) == '326' else 'S'}"
        found.append((m.start(), m.end(), "utm_zone", None, zone))
    out: list[Claim] = []
    used: set[int] = set()
    for a, b, subject, value, label in sorted(found, key=lambda f: (f[0], f[1])):
        if any(c.start <= a < c.end for c in out):
            continue
        out.append(
            Claim(
                family=Family.PLACE.value,
                subject=subject,
                start=a,
                end=b,
                text=text[a:b],
                value=value,
                label=label,
            )
        )
        used.update(t.i for t in toks if a <= t.start < b)
    return out, used


def coordinate_verdict(claim: Claim, lat: float, lon: float) -> tuple[bool | None, dict[str, Any]]:
    """Whether a stated coordinate or UTM zone holds at the tile centre (lat, lon)."""
    if claim.subject == "utm_zone":
        zone = int((lon + 180.0) // 6.0) + 1
        hemi = "N" if lat >= 0 else "S"
        said = claim.label or ""
        digits = int(re.sub(r"\D", "", said) or 0)
        ok = digits == zone and (not said[-1:].isalpha() or said[-1:].upper() == hemi)
        return ok, {"utm_zone": f"{zone}{hemi}"}
    if claim.value is None or claim.value.low is None:
        return None, {}
    actual = lat if claim.subject == "latitude" else lon
    scale = 1.0 if claim.subject == "latitude" else max(0.2, math.cos(math.radians(lat)))
    gap = abs(claim.value.low - actual) * scale
    ev = {claim.subject: round(actual, 4), "gap_deg_of_latitude": round(gap, 4)}
    return (True if gap <= DEG_SUPPORT else False if gap > DEG_CONTRADICT else None), ev
