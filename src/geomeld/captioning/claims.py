"""Claims as data: the typed claim schema shared by the captioner, the verifier and ``caption-check``.

A caption is a list of :class:`Claim` objects plus the text that realises them. Each claim says one
checkable thing about the tile, in one of the fixed :class:`Family` values below, and carries the
span of the caption text that says it (``caption[start:end] == text``). The verifier fills in
``verdict`` and ``evidence``; claims and verdicts are stored in sample metadata and in caption-check
output as JSON (:meth:`Claim.to_dict` / :meth:`Claim.from_dict`, versioned by
:data:`CLAIM_SCHEMA_VERSION`).

Families (the fixed, documented list — a contract):

==================  ============================================  =========================================
family              subject                                       value / label
==================  ============================================  =========================================
landcover_share     a land-cover concept (:data:`LANDCOVER_SUBJECTS`)   % of the TILE area (low/high + bound)
landcover_presence  a land-cover concept                          — (polarity: present / absent)
dominance           a land-cover concept                          — "covers most of the tile" (> 50 % or
                                                                  the largest class; ``label`` "largest")
water               "water" or a kind: river, lake, sea, pond,    optional % of the tile
                    reservoir, canal, stream, wetland
elevation           "mean", "min", "max", "relief" (max − min)    metres (above sea level)
slope               "mean", "max"                                 degrees
terrain             flat, gentle, hilly, steep, valley, ridge     — (negated: "far from flat")
canopy              "height" (typical), "max_height"; or "tall",  metres
                    "low"
vegetation          "green" (vigorous/lush), "sparse", "dense"    optional NDVI
sar                 "bright", "dark" (backscatter); "vv", "vh"    optional dB
osm_object          an object kind (:data:`OSM_SUBJECTS`)         optional count (``low``)
season              winter, spring, summer, autumn                —
place               "country", "continent", "hemisphere",         ``label``: the name
                    "climate"
position            a land-cover concept or object                ``location``: a tile sector
comparison          concept A                                     ``other``: concept B; ``label``: "more"
                                                                  / "less" / "similar"
consistency         a concept two claims disagree on              ``other``: the claim it conflicts with
image_condition     "cloud", "haze", "shadow" (cloud shadow),     ``label``: amount (trace, some, cloudy,
                    "obscured" (ground barely visible)            much, thin); optional % of the tile;
                                                                  negated: absent ("cloud-free")
==================  ============================================  =========================================

Shares are always of the tile area; a layer that labels only part of the tile bounds the share by an
interval (see :mod:`geomeld.captioning.check`).

Further subjects and labels read from free text (same families, no new family): land-cover subject
``mangroves`` and the other climate-bound classes of :mod:`geomeld.captioning.envelopes` (``palms``,
``palm_plantation``, ``glacier``, ``tundra``, ``dunes``, ``desert``, ``rainforest``, ``savanna``,
``coral``, ``ice_sheet``, ``rice``: presence/absence checked against their envelope); vegetation subject
``green_share`` (% of the image above an NDVI threshold, :mod:`geomeld.captioning.greenness`), ``moderate``
("moderate vigour") and ``bare`` ("almost no vegetation"), judged on the NDVI mean; image-condition subject
``reflectance`` (a band's mean reflectance, ``label`` the band B2 … B12 or ``visible``, value 0-1; or a band
order ``"B11>B8"``, ``"B8>>B4"``: :mod:`geomeld.captioning.reflectance`); presence labels ``minor`` ("patches of"), ``trace`` ("a sliver of": a few percent at
most), ``mapped`` (a statement about the map itself: "OSM has a water polygon"), ``urban`` (a dense
town), water label ``large`` ("a broad river"); comparison label ``ratio`` with the factor as value
("at least twice as much A as B"); dominance label ``largest`` also from ranking verbs ("A leads the
tally"); season subjects ``year``, ``month`` and ``date`` (ISO ``label``); place subjects ``country``,
``continent``, ``region`` (hand table, then GeoNames admin-1/admin-2), ``relation`` ("near X",
"west of X"), ``unknown`` (a proper name after "in"/"near": a GeoNames region or town) and
``landmark`` (a named river or landform: never decided), ``town`` (distance / direction / closeness to
a named town: ``label`` the town, ``other`` the compass direction, ``value`` km; :mod:`towns`),
``latitude`` / ``longitude`` (degrees) and ``utm_zone`` (:mod:`coordinates`); SAR subject ``sar`` (either channel) and
``vv_minus_vh`` (the co-/cross-polarisation difference in dB, as a magnitude), ``orbit_asc`` /
``orbit_desc`` (the orbit direction of the Sentinel-1 scene), ``sar_optical_gap`` (days between the radar
and the optical acquisitions, :mod:`geomeld.captioning.acquisition`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from geomeld.signals.models import LOCATIONS as SECTORS

CLAIM_SCHEMA_VERSION = "geomeld-claims-1"
"""Version of the claim JSON written into sample metadata and caption-check output."""


class Family(StrEnum):
    LANDCOVER_SHARE = "landcover_share"
    LANDCOVER_PRESENCE = "landcover_presence"
    DOMINANCE = "dominance"
    WATER = "water"
    ELEVATION = "elevation"
    SLOPE = "slope"
    TERRAIN = "terrain"
    CANOPY = "canopy"
    VEGETATION = "vegetation"
    SAR = "sar"
    OSM_OBJECT = "osm_object"
    SEASON = "season"
    PLACE = "place"
    POSITION = "position"
    COMPARISON = "comparison"
    CONSISTENCY = "consistency"
    IMAGE_CONDITION = "image_condition"


FAMILIES: tuple[str, ...] = tuple(f.value for f in Family)
"""The fixed list of claim families (a public contract: caption-check output uses these names)."""


class Polarity(StrEnum):
    AFFIRMED = "affirmed"
    NEGATED = "negated"


class Bound(StrEnum):
    """How a stated number constrains the measured one."""

    ABOUT = "about"  # "about 40 %", "40 %": within the family's tolerance of low (= high)
    EXACT = "exact"  # "exactly 40 %": same band as ABOUT (a measurement cannot be more exact)
    AT_LEAST = "at_least"  # "at least / over / more than 40 %": measured ≥ low
    AT_MOST = "at_most"  # "at most / under / less than 40 %": measured ≤ high
    BETWEEN = "between"  # "20–30 %": low ≤ measured ≤ high


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


class CaptionVerdict(StrEnum):
    VERIFIED = "verified"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"
    ERROR = "error"


class Hedge(StrEnum):
    NONE = "none"
    HEDGED = "hedged"  # "appears", "likely", "roughly", "perhaps": wider tolerance, still a claim


_COVER_FAMILIES = {"landcover_share", "landcover_presence", "water"}

LANDCOVER_SUBJECTS: tuple[str, ...] = (
    "trees",
    "shrubland",
    "grassland",
    "cropland",
    "fields",  # crops or grass (ambiguous in English)
    "vegetation",  # any vegetated class
    "built",
    "bare",
    "snow",
    "wetland",
    "moss",
    "mangroves",
    "water",
)
"""Land-cover concepts a share/presence/dominance/position/comparison claim may name."""

WATER_SUBJECTS: tuple[str, ...] = (
    "water",
    "river",
    "stream",
    "canal",
    "lake",
    "pond",
    "reservoir",
    "sea",
)

OSM_SUBJECTS: tuple[str, ...] = (
    "road",
    "motorway",
    "major_road",
    "minor_road",
    "track",
    "path",
    "railway",
    "building",
    "bridge",
    "power_line",
    "solar",
    "parking",
    "airport",
    "pier",
    "marina",
    "quarry",
    "industrial",
    "golf",
    "sports",
    "park",
    "cemetery",
    "church",
    "school",
    "farmyard",
    "orchard",
    "vineyard",
    "storage_tank",
    "beach",
    "river",
    "stream",
    "canal",
    "ditch",
    "lake",
    "dam",
    "playground",
    "settlement",
    "town",
    "village",
    "city",
)
"""Object kinds of osm_object claims; each maps to the OSM tags that prove it (kind must match)."""

LOCATIONS: tuple[str, ...] = (
    *SECTORS,
    "edge",
    "north-edge",
    "south-edge",
    "west-edge",
    "east-edge",
    "throughout",
)
"""Positions a claim may state (north-up tile; 'edge' = the outer ring; 'north-edge' … = the outer quarter
strip on that side, "along the northern edge"; 'throughout' = everywhere)."""


@dataclass(frozen=True)
class Band:
    """A per-family tolerance band in the claim's unit.

    A stated value ``v`` against a measurement ``m`` with uncertainty interval ``[m_lo, m_hi]``:
    supported when the whole interval lies within ``support`` of ``v``; contradicted when the whole
    interval lies beyond ``contradict`` from ``v``; otherwise (the grey zone, or an interval that
    straddles) unverifiable. ``rel`` widens both by a share of the stated value; a hedge ("about",
    "roughly", "appears") adds ``hedge`` to both.
    """

    support: float
    contradict: float
    rel: float = 0.0
    hedge: float = 0.0
    unit: str = ""

    def widths(self, stated: float, hedged: bool) -> tuple[float, float]:
        extra = self.hedge if hedged else 0.0
        s = max(self.support, self.rel * abs(stated)) + extra
        c = max(self.contradict, 2 * self.rel * abs(stated)) + extra
        return s, max(c, s)


TOLERANCES: dict[str, Band] = {
    Family.LANDCOVER_SHARE.value: Band(support=5.0, contradict=10.0, rel=0.15, hedge=2.0, unit="%"),
    Family.WATER.value: Band(support=4.0, contradict=8.0, rel=0.15, hedge=2.0, unit="%"),
    Family.ELEVATION.value: Band(support=30.0, contradict=80.0, rel=0.1, hedge=15.0, unit="m"),
    Family.SLOPE.value: Band(support=3.0, contradict=6.0, rel=0.25, hedge=1.0, unit="°"),
    Family.CANOPY.value: Band(support=3.0, contradict=6.0, rel=0.25, hedge=1.0, unit="m"),
    Family.VEGETATION.value: Band(support=0.1, contradict=0.2, hedge=0.05, unit="NDVI"),
    Family.SAR.value: Band(support=2.0, contradict=4.0, hedge=1.0, unit="dB"),
    Family.IMAGE_CONDITION.value: Band(support=5.0, contradict=10.0, rel=0.15, hedge=2.0, unit="%"),
}
"""Numeric tolerance bands per family (explicit, in one place). Qualitative claims (presence,
dominance, terrain words, …) state their thresholds in :mod:`geomeld.captioning.check`."""


@dataclass
class Value:
    """A stated quantity: ``low``/``high`` in ``unit`` with a :class:`Bound`."""

    low: float | None = None
    high: float | None = None
    bound: str = Bound.ABOUT.value
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "bound": self.bound, "unit": self.unit}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Value:
        bound = str(d.get("bound", Bound.ABOUT.value))
        if bound not in {b.value for b in Bound}:
            raise ValueError(f"claim value bound {bound!r} is not one of {', '.join(b.value for b in Bound)}")
        return cls(
            low=_opt_float(d.get("low"), "value.low"),
            high=_opt_float(d.get("high"), "value.high"),
            bound=bound,
            unit=str(d.get("unit", "")),
        )

    @classmethod
    def about(cls, x: float, unit: str = "") -> Value:
        return cls(low=x, high=x, bound=Bound.ABOUT.value, unit=unit)


@dataclass
class ClaimEvidence:
    """What a verdict rests on: the measured value, the tolerance used, the layer and its origin."""

    measured: Any = None
    tolerance: Any = None
    layer: str | None = None
    origin: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured": self.measured,
            "tolerance": self.tolerance,
            "layer": self.layer,
            "origin": self.origin,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimEvidence:
        return cls(
            measured=d.get("measured"),
            tolerance=d.get("tolerance"),
            layer=d.get("layer"),
            origin=d.get("origin"),
            note=str(d.get("note", "")),
        )


@dataclass
class Claim:
    """One checkable statement about a tile (see the family table in the module docstring)."""

    family: str
    subject: str
    start: int = 0
    end: int = 0
    text: str = ""
    polarity: str = Polarity.AFFIRMED.value
    value: Value | None = None
    label: str | None = None  # categorical value: a country name, "more"/"less", "largest"
    other: str | None = None  # the second concept of a comparison / the conflicting claim
    location: str | None = None  # a LOCATIONS entry when the statement is placed in the tile
    hedge: str = Hedge.NONE.value
    verdict: str | None = None
    evidence: ClaimEvidence | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"claim family {self.family!r} is not one of {', '.join(FAMILIES)}")
        if self.polarity not in {p.value for p in Polarity}:
            raise ValueError(f"claim polarity {self.polarity!r} must be 'affirmed' or 'negated'")
        if self.location is not None and self.location not in LOCATIONS:
            raise ValueError(f"claim location {self.location!r} is not one of {', '.join(LOCATIONS)}")
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"claim span [{self.start}, {self.end}) is not a valid span")

    @property
    def negated(self) -> bool:
        return self.polarity == Polarity.NEGATED.value

    @property
    def hedged(self) -> bool:
        return self.hedge == Hedge.HEDGED.value

    def key(self) -> tuple[str, str, str, str | None, str | None]:
        """What the claim asserts, without its span, value or verdict (for text ⊆ structured checks):
        cover families are one group (a water share may be written as landcover_share or water), and
        labels compare case-insensitively."""
        family = "cover" if self.family in _COVER_FAMILIES else self.family
        label = " ".join(self.label.lower().split()).removeprefix("the ") if self.label else None
        if family == "position" or (family == "cover" and label in ("minor", "urban")):
            label = None  # "some X" / "patches of X" / "X": the same presence statement
        return (family, self.subject, self.polarity, label, self.other)

    def with_verdict(self, verdict: Verdict | str, evidence: ClaimEvidence) -> Claim:
        return replace(self, verdict=str(verdict), evidence=evidence)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "family": self.family,
            "subject": self.subject,
            "polarity": self.polarity,
            "value": self.value.to_dict() if self.value is not None else None,
            "label": self.label,
            "other": self.other,
            "location": self.location,
            "hedge": self.hedge,
        }
        if self.verdict is not None:
            d["verdict"] = self.verdict
            d["evidence"] = self.evidence.to_dict() if self.evidence is not None else {}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Claim:
        if not isinstance(d, Mapping):
            raise ValueError(f"a claim must be a JSON object, got {type(d).__name__}")
        for k in ("family", "subject"):
            if not isinstance(d.get(k), str):
                raise ValueError(f"claim key {k!r} must be a string, got {d.get(k)!r}")
        value = d.get("value")
        evidence = d.get("evidence")
        verdict = d.get("verdict")
        if verdict is not None and verdict not in {v.value for v in Verdict}:
            raise ValueError(f"claim verdict {verdict!r} is not one of supported, contradicted, unverifiable")
        return cls(
            family=str(d["family"]),
            subject=str(d["subject"]),
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
            text=str(d.get("text", "")),
            polarity=str(d.get("polarity", Polarity.AFFIRMED.value)),
            value=Value.from_dict(value) if isinstance(value, Mapping) else None,
            label=_opt_str(d.get("label")),
            other=_opt_str(d.get("other")),
            location=_opt_str(d.get("location")),
            hedge=str(d.get("hedge", Hedge.NONE.value)),
            verdict=verdict,
            evidence=ClaimEvidence.from_dict(evidence) if isinstance(evidence, Mapping) else None,
        )


@dataclass
class ClaimList:
    """A caption with its claims (what is stored in metadata under the schema version)."""

    caption: str
    claims: list[Claim] = field(default_factory=list)
    version: str = CLAIM_SCHEMA_VERSION

    def check_spans(self) -> list[str]:
        """Problems with the claims' spans (``caption[start:end]`` must equal ``text``)."""
        return span_problems(self.caption, self.claims)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "caption": self.caption,
            "claims": [c.to_dict() for c in self.claims],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimList:
        version = d.get("version", CLAIM_SCHEMA_VERSION)
        if version != CLAIM_SCHEMA_VERSION:
            raise ValueError(f"claim schema version {version!r} is not {CLAIM_SCHEMA_VERSION!r}")
        caption = d.get("caption")
        if not isinstance(caption, str):
            raise ValueError("claim list: 'caption' must be a string")
        raw = d.get("claims", [])
        if not isinstance(raw, list):
            raise ValueError("claim list: 'claims' must be a list")
        return cls(caption=caption, claims=[Claim.from_dict(c) for c in raw], version=str(version))

    @classmethod
    def from_json(cls, text: str) -> ClaimList:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"claim list is not valid JSON ({exc.msg} at char {exc.pos})") from None
        if not isinstance(data, dict):
            raise ValueError("claim list JSON must be an object")
        return cls.from_dict(data)


def span_problems(caption: str, claims: Iterable[Claim]) -> list[str]:
    out = []
    for c in claims:
        if c.end > len(caption) or caption[c.start : c.end] != c.text:
            out.append(
                f"claim {c.family}/{c.subject}: text {c.text!r} is not caption[{c.start}:{c.end}]"
                f" ({caption[c.start : c.end]!r})"
            )
    return out


def claims_to_json(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in claims]


def claims_from_json(data: Sequence[Mapping[str, Any]]) -> list[Claim]:
    return [Claim.from_dict(d) for d in data]


def caption_verdict(claims: Sequence[Claim]) -> CaptionVerdict:
    """The caption-level verdict: contradicted if any claim is contradicted, verified if every claim is
    supported (and there is at least one), otherwise unverifiable. The one rule for the pipeline and
    caption-check alike."""
    verdicts = [c.verdict for c in claims]
    if any(v == Verdict.CONTRADICTED for v in verdicts):
        return CaptionVerdict.CONTRADICTED
    if verdicts and all(v == Verdict.SUPPORTED for v in verdicts):
        return CaptionVerdict.VERIFIED
    return CaptionVerdict.UNVERIFIABLE


def _opt_float(x: Any, name: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueError(f"claim {name} must be a number or null, got {x!r}")
    return float(x)


def _opt_str(x: Any) -> str | None:
    return None if x is None else str(x)
