"""The Verifier: claims extracted from a caption, checked against the signals, with repair.

Claims are found with the shared lexicon (:mod:`geomeld.captioning.lexicon`): land-cover words with
their share words ("mostly", "patches of", "no …", "about 40 %"), water, relief words, vegetation
density / tree height, built-up words, OSM-backed objects and the season. Each claim gets a verdict:

* ``supported`` — the signals back it within the tolerance below;
* ``contradicted`` — the signals are clearly against it (beyond a wider tolerance);
* ``unverifiable`` — the needed signal is missing, or the value falls in the grey zone between.

Tolerances (all in one place, see :class:`Tolerances`); land-cover shares are % of a product's valid
pixels and a land-cover claim is supported when ANY available product (WorldCover, Dynamic World, or
for water also ``water_analysis``) supports it, contradicted only when ALL contradict it:

=================  ==========================================  ===========================================
claim              supported when                              contradicted when
=================  ==========================================  ===========================================
present            share ≥ 0.5 %, or an OSM tag in the chip    share < 0.05 % and no OSM tag at any radius
dominant           share ≥ 35 %, or largest concept ≥ 20 %     share < 15 %
minor              0.5 % ≤ share ≤ 60 %                        share < 0.05 % or share > 75 %
absent ("no …")    share < 0.5 % and no OSM tag in the chip    share ≥ 2 %, or an OSM tag in the chip
number N %         |N − share| ≤ max(8, 0.25·share)            |N − share| > max(15, 0.5·share)
flat               Flat ≥ 30 % of forms, or mean slope < 3°    mean slope > 8° and Flat < 10 %
gently rolling     2° ≤ mean slope ≤ 12°                       mean slope < 1° or > 25°
hilly              mean slope ≥ 5° or relief ≥ 50 m            mean slope < 2.5° and relief < 20 m
steep/mountainous  mean slope ≥ 15° or relief ≥ 300 m          mean slope < 6° and relief < 100 m
valley             Valley+Hollow+Pit+Footslope ≥ 10 %          those forms < 2 %
ridge/peak         Ridge+Peak+Shoulder+Spur ≥ 10 %             those forms < 2 %
dense forest       trees ≥ 40 % or canopy > 5 m on ≥ 50 %       trees < 15 % and canopy > 5 m on < 20 %
sparse vegetation  NDVI mean < 0.3 or bare ≥ 20 %              NDVI mean > 0.5 and bare < 5 %
lush / vegetated   NDVI mean ≥ 0.3 or vegetation ≥ 50 %        NDVI mean < 0.1 and vegetation < 20 %
tall trees         canopy mean ≥ 15 m or p90 ≥ 20 m            canopy p90 < 8 m
low trees          canopy p90 < 12 m                           canopy mean > 20 m
urban / city       built ≥ 20 %                                built < 5 % and no building tag in the chip
village / town     built ≥ 0.5 % or building/residential tag   built < 0.05 % and no such tag at any radius
OSM object         a matching tag within the chip radius       OSM answered (≥ 1 tag), none matching at
                                                               any radius (an empty answer: unverifiable)
season             equals the hemisphere-aware season          another season (tropics: unverifiable)
location "in the   the concept lies on that side (or a          it lies on the opposite side only
north" after a     neighbouring one: north ~ north-east), or   (north vs south / south-east …)
land-cover word    throughout the tile
=================  ==========================================  ===========================================

Policy (:func:`repair`): clauses holding a contradicted claim are dropped; a sentence whose main
clause is contradicted is dropped whole; the pipeline regenerates when nothing is left.
Caption-level checks: empty, too long, not English (share of English function words) — such a
caption is never marked verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from geomeld.captioning.check import CaptionCheck, check_caption
from geomeld.captioning.claims import CaptionVerdict
from geomeld.captioning.claims import Claim as TypedClaim
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.ground import Ground
from geomeld.captioning.lexicon import (
    ABSENT_BEFORE_RE,
    CONCEPTS_BY_NAME,
    DOMINANT_AFTER_RE,
    DOMINANT_BEFORE_RE,
    ENGLISH_FUNCTION_WORDS,
    LOCATION_PHRASES,
    LOCATION_RE,
    MINOR_BEFORE_RE,
    OSM_BY_NAME,
    Kind,
    find_terms,
    share_value,
)


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNVERIFIABLE = "unverifiable"


class Qualifier(StrEnum):
    PRESENT = "present"
    DOMINANT = "dominant"
    MINOR = "minor"
    ABSENT = "absent"
    NUMBER = "number"


@dataclass(frozen=True)
class Tolerances:
    present_min: float = 0.5
    present_contradict_below: float = 0.05
    dominant_min: float = 35.0
    dominant_top_min: float = 20.0
    dominant_contradict_below: float = 15.0
    minor_max: float = 60.0
    minor_contradict_above: float = 75.0
    absent_contradict_at: float = 2.0
    number_abs: float = 8.0
    number_rel: float = 0.25
    number_contradict_abs: float = 15.0
    number_contradict_rel: float = 0.5


TOL = Tolerances()


@dataclass
class Claim:
    kind: str
    concept: str
    qualifier: str
    text: str
    start: int
    end: int
    segment: int
    value: float | None = None
    verdict: str = Verdict.UNVERIFIABLE.value
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "concept": self.concept,
            "qualifier": self.qualifier,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "segment": self.segment,
            "value": self.value,
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass
class Segment:
    text: str
    start: int
    sentence: int
    main: bool  # the first clause of its sentence


@dataclass
class Verification:
    caption: str
    claims: list[Claim] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # caption-level: empty, too long, language
    check: CaptionCheck | None = None  # the typed-claim check (the same one as `geomeld caption-check`)

    @property
    def n_supported(self) -> int:
        return sum(c.verdict == Verdict.SUPPORTED for c in self.claims)

    @property
    def n_contradicted(self) -> int:
        return sum(c.verdict == Verdict.CONTRADICTED for c in self.claims)

    @property
    def n_unverifiable(self) -> int:
        return sum(c.verdict == Verdict.UNVERIFIABLE for c in self.claims)

    def is_verified(self, max_unverifiable_share: float = 0.34) -> bool:
        """No problem, no contradiction, at least one supported claim, few unverifiable ones.

        Transitional: the pipeline switches to :attr:`check_verified` (what ``geomeld caption-check``
        calls verified) once the built-in captioner realises planned claims."""
        if self.problems or self.n_contradicted or self.n_supported == 0:
            return False
        return self.n_unverifiable <= max_unverifiable_share * len(self.claims)

    @property
    def check_verified(self) -> bool:
        """Exactly ``geomeld caption-check``'s "verified" (every typed claim supported, text ⊆ claims),
        and no caption-level problem (length, language)."""
        return not self.problems and self.check is not None and self.check.verdict is CaptionVerdict.VERIFIED

    def to_dict(self) -> dict[str, Any]:
        return {
            "caption": self.caption,
            "claims": [c.to_dict() for c in self.claims],
            "problems": list(self.problems),
            "supported": self.n_supported,
            "contradicted": self.n_contradicted,
            "unverifiable": self.n_unverifiable,
        }


# ---- segmentation --------------------------------------------------------------------------
_SENTENCE_RE = re.compile(r"[^.!?;]+[.!?;]*")
_SEPARATOR_RE = re.compile(
    r",\s*|\s+(?:while|whereas|but|and|with|alongside|surrounded by|next to)\s+", re.IGNORECASE
)


def segment(caption: str) -> list[Segment]:
    """Clauses of a caption (split at sentence ends, commas and clause conjunctions)."""
    out: list[Segment] = []
    for s_index, m in enumerate(_SENTENCE_RE.finditer(caption)):
        sentence = m.group(0)
        pos = 0
        first = True
        for sep in [*_SEPARATOR_RE.finditer(sentence), None]:
            end = sep.start() if sep is not None else len(sentence)
            text = sentence[pos:end]
            if text.strip():
                out.append(Segment(text=text, start=m.start() + pos, sentence=s_index, main=first))
                first = False
            if sep is not None:
                pos = sep.end()
    return out


# ---- claim extraction ------------------------------------------------------------------------
def extract_claims(caption: str) -> tuple[list[Claim], list[Segment]]:
    segments = segment(caption)
    claims: list[Claim] = []
    for seg_i, seg in enumerate(segments):
        prev_end = 0
        matches = find_terms(seg.text)
        for j, (m_start, m_end, term) in enumerate(matches):
            before = seg.text[prev_end:m_start]
            next_start = matches[j + 1][0] if j + 1 < len(matches) else len(seg.text)
            after = seg.text[m_end:next_start]
            prev_end = m_end
            qualifier = Qualifier.PRESENT
            value = None
            if term.kind is not Kind.SEASON and ABSENT_BEFORE_RE.search(before):
                qualifier = Qualifier.ABSENT
            if term.kind is Kind.LANDCOVER and qualifier is Qualifier.PRESENT:
                stated = share_value(after)
                if stated is None:
                    stated = share_value(before)
                if stated is not None:
                    qualifier, value = Qualifier.NUMBER, stated
                elif DOMINANT_BEFORE_RE.search(before) or DOMINANT_AFTER_RE.search(after):
                    qualifier = Qualifier.DOMINANT
                elif MINOR_BEFORE_RE.search(before):
                    qualifier = Qualifier.MINOR
            claims.append(
                Claim(
                    kind=term.kind.value,
                    concept=term.concept,
                    qualifier=qualifier.value,
                    text=seg.text[m_start:m_end],
                    start=seg.start + m_start,
                    end=seg.start + m_end,
                    segment=seg_i,
                    value=value,
                )
            )
            if term.kind is Kind.LANDCOVER and qualifier is not Qualifier.ABSENT:
                where = LOCATION_RE.search(after)
                if where is not None:
                    phrase = " ".join(where.group(0).lower().split())
                    claims.append(
                        Claim(
                            kind=Kind.LOCATION.value,
                            concept=term.concept,
                            qualifier=LOCATION_PHRASES[phrase],
                            text=where.group(0),
                            start=seg.start + m_end + where.start(),
                            end=seg.start + m_end + where.end(),
                            segment=seg_i,
                        )
                    )
    return claims, segments


# ---- checks ----------------------------------------------------------------------------------
def _combine(verdicts: Iterable[Verdict]) -> Verdict:
    vs = list(verdicts)
    if not vs:
        return Verdict.UNVERIFIABLE
    if Verdict.SUPPORTED in vs:
        return Verdict.SUPPORTED
    if all(v is Verdict.CONTRADICTED for v in vs):
        return Verdict.CONTRADICTED
    return Verdict.UNVERIFIABLE


def _share_verdict(q: Qualifier, share: float, is_top: bool, value: float | None) -> Verdict:
    t = TOL
    if q is Qualifier.PRESENT:
        if share >= t.present_min:
            return Verdict.SUPPORTED
        return Verdict.CONTRADICTED if share < t.present_contradict_below else Verdict.UNVERIFIABLE
    if q is Qualifier.DOMINANT:
        if share >= t.dominant_min or (is_top and share >= t.dominant_top_min):
            return Verdict.SUPPORTED
        return Verdict.CONTRADICTED if share < t.dominant_contradict_below else Verdict.UNVERIFIABLE
    if q is Qualifier.MINOR:
        if t.present_min <= share <= t.minor_max:
            return Verdict.SUPPORTED
        if share < t.present_contradict_below or share > t.minor_contradict_above:
            return Verdict.CONTRADICTED
        return Verdict.UNVERIFIABLE
    if q is Qualifier.ABSENT:
        if share < t.present_min:
            return Verdict.SUPPORTED
        return Verdict.CONTRADICTED if share >= t.absent_contradict_at else Verdict.UNVERIFIABLE
    assert value is not None
    diff = abs(value - share)
    if diff <= max(t.number_abs, t.number_rel * share):
        return Verdict.SUPPORTED
    if diff > max(t.number_contradict_abs, t.number_contradict_rel * share):
        return Verdict.CONTRADICTED
    return Verdict.UNVERIFIABLE


def _check_landcover(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    concept = CONCEPTS_BY_NAME[claim.concept]
    q = Qualifier(claim.qualifier)
    shares = ev.concept_shares(concept.name)
    per: list[Verdict] = []
    details = []
    for product, share in shares.items():
        ranked = ev.ranked_concepts(product) if product != "water_analysis" else []
        members = {"fields": {"cropland", "grassland"}}.get(concept.name, {concept.name})
        is_top = bool(ranked) and ranked[0][0] in members
        v = _share_verdict(q, share, is_top, claim.value)
        per.append(v)
        details.append(f"{product} {share:.1f}%")
    in_chip = ev.concept_in_osm(concept)
    anywhere = ev.concept_in_osm(concept, any_radius=True)
    if q is Qualifier.PRESENT and in_chip:
        per.append(Verdict.SUPPORTED)
        details.append("OSM tag in chip")
    if q is Qualifier.PRESENT and anywhere and not in_chip:
        # OSM sees it nearby: never call the claim false on land-cover grounds alone
        per = [Verdict.UNVERIFIABLE if v is Verdict.CONTRADICTED else v for v in per]
    if q is Qualifier.ABSENT and in_chip:
        per = [Verdict.CONTRADICTED]
        details.append("OSM tag in chip")
    if not per:
        return Verdict.UNVERIFIABLE, f"no land-cover evidence for {concept.name}"
    return _combine(per), f"{concept.name} {q.value}: " + ", ".join(details)


def _forms(ev: Evidence, names: tuple[str, ...]) -> float:
    t = ev.bundle.terrain
    assert t is not None
    return sum(t.forms.get(n, 0.0) for n in names)


def _check_terrain(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    t = ev.bundle.terrain
    if t is None:
        return Verdict.UNVERIFIABLE, "no terrain signal: " + ev.bundle.missing.get("terrain", "DEM missing")
    s, relief = t.slope_mean, t.relief
    c = claim.concept
    why = f"slope mean {s:.1f}°, relief {relief:.0f} m, class {t.terrain_class}"
    if claim.qualifier == Qualifier.ABSENT:
        return Verdict.UNVERIFIABLE, "negated relief word; " + why
    if c == "flat":
        flat = t.forms.get("Flat", 0.0)
        if flat >= 30 or s < 3:
            return Verdict.SUPPORTED, why
        return (Verdict.CONTRADICTED if s > 8 and flat < 10 else Verdict.UNVERIFIABLE), why
    if c == "gentle":
        if 2 <= s <= 12:
            return Verdict.SUPPORTED, why
        return (Verdict.CONTRADICTED if s < 1 or s > 25 else Verdict.UNVERIFIABLE), why
    if c == "hilly":
        if s >= 5 or relief >= 50:
            return Verdict.SUPPORTED, why
        return (Verdict.CONTRADICTED if s < 2.5 and relief < 20 else Verdict.UNVERIFIABLE), why
    if c == "steep":
        if s >= 15 or relief >= 300:
            return Verdict.SUPPORTED, why
        return (Verdict.CONTRADICTED if s < 6 and relief < 100 else Verdict.UNVERIFIABLE), why
    names = (
        ("Valley", "Hollow", "Pit", "Footslope") if c == "valley" else ("Ridge", "Peak", "Shoulder", "Spur")
    )
    share = _forms(ev, names)
    why = f"{'+'.join(names)} {share:.1f}% of forms"
    if share >= 10:
        return Verdict.SUPPORTED, why
    return (Verdict.CONTRADICTED if share < 2 else Verdict.UNVERIFIABLE), why


_VEGETATION_CONCEPTS = ("trees", "shrubland", "grassland", "cropland", "wetland")


def _check_vegetation(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    b = ev.bundle
    c = claim.concept
    trees = ev.best_share("trees")
    canopy = b.canopy
    if c in ("dense",):
        per = []
        if trees is not None:
            per.append(
                Verdict.SUPPORTED
                if trees >= 40
                else Verdict.CONTRADICTED
                if trees < 15
                else Verdict.UNVERIFIABLE
            )
        if canopy is not None:
            a = canopy.share_above_5m
            per.append(
                Verdict.SUPPORTED if a >= 50 else Verdict.CONTRADICTED if a < 20 else Verdict.UNVERIFIABLE
            )
        return _combine(per), f"trees {trees}, canopy>5m {canopy.share_above_5m if canopy else None}"
    if c in ("tall_trees", "low_trees"):
        if canopy is None:
            return Verdict.UNVERIFIABLE, "no canopy-height signal"
        why = f"canopy mean {canopy.mean_height:.1f} m, p90 {canopy.p90_height:.1f} m"
        if c == "tall_trees":
            if canopy.mean_height >= 15 or canopy.p90_height >= 20:
                return Verdict.SUPPORTED, why
            return (Verdict.CONTRADICTED if canopy.p90_height < 8 else Verdict.UNVERIFIABLE), why
        if canopy.p90_height < 12:
            return Verdict.SUPPORTED, why
        return (Verdict.CONTRADICTED if canopy.mean_height > 20 else Verdict.UNVERIFIABLE), why
    ndvi = b.spectral.indices.get("NDVI") if b.spectral is not None else None
    shares = [ev.best_share(x) for x in _VEGETATION_CONCEPTS]
    veg = sum(x for x in shares if x is not None) if any(x is not None for x in shares) else None
    bare = ev.best_share("bare")
    per = []
    if c == "sparse":
        if ndvi is not None:
            per.append(
                Verdict.SUPPORTED
                if ndvi.mean < 0.3
                else Verdict.CONTRADICTED
                if ndvi.mean > 0.5
                else Verdict.UNVERIFIABLE
            )
        if bare is not None:
            per.append(
                Verdict.SUPPORTED
                if bare >= 20
                else Verdict.CONTRADICTED
                if bare < 5
                else Verdict.UNVERIFIABLE
            )
    else:  # green / lush
        if ndvi is not None:
            per.append(
                Verdict.SUPPORTED
                if ndvi.mean >= 0.3
                else Verdict.CONTRADICTED
                if ndvi.mean < 0.1
                else Verdict.UNVERIFIABLE
            )
        if veg is not None:
            per.append(
                Verdict.SUPPORTED if veg >= 50 else Verdict.CONTRADICTED if veg < 20 else Verdict.UNVERIFIABLE
            )
    if c == "sparse" and len(per) == 2 and Verdict.CONTRADICTED in per and Verdict.SUPPORTED in per:
        return Verdict.UNVERIFIABLE, "NDVI and land cover disagree"
    return _combine(per), f"NDVI mean {ndvi.mean if ndvi else None}, vegetation {veg}, bare {bare}"


_BUILDING_TAGS = (("building", "*"),)
_SETTLEMENT_TAGS = (("building", "*"), ("landuse", "residential"), ("place", "*"))


def _check_built(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    built = ev.best_share("built")
    in_chip = ev.osm_match(_SETTLEMENT_TAGS)
    anywhere = ev.osm_match_any_radius(_SETTLEMENT_TAGS)
    why = f"built {built}, OSM settlement tags in chip {in_chip}"
    if claim.qualifier == Qualifier.ABSENT:
        if built is None:
            return Verdict.UNVERIFIABLE, why
        return (
            Verdict.CONTRADICTED if built >= 2 or ev.osm_match(_BUILDING_TAGS) else Verdict.SUPPORTED
        ), why
    if claim.concept == "urban":
        if built is not None and built >= 20:
            return Verdict.SUPPORTED, why
        if built is not None and built < 5 and not ev.osm_match(_BUILDING_TAGS):
            return Verdict.CONTRADICTED, why
        return Verdict.UNVERIFIABLE, why
    if (built is not None and built >= 0.5) or in_chip:
        return Verdict.SUPPORTED, why
    if built is not None and built < 0.05 and not anywhere:
        return Verdict.CONTRADICTED, why
    return Verdict.UNVERIFIABLE, why


def _check_osm(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    obj = OSM_BY_NAME[claim.concept]
    fallback = ev.best_share(obj.landcover_fallback) if obj.landcover_fallback else None
    if claim.qualifier == Qualifier.ABSENT:
        if ev.osm_match(obj.tags):
            return Verdict.CONTRADICTED, f"OSM has {obj.name} in the chip"
        return (Verdict.SUPPORTED if ev.has_osm else Verdict.UNVERIFIABLE), f"OSM {obj.name} absent"
    if ev.osm_match(obj.tags):
        return Verdict.SUPPORTED, f"OSM tag for {obj.name} within {ev.osm_radii[0]:g} m"
    if fallback is not None and fallback >= TOL.present_min:
        return Verdict.SUPPORTED, f"{obj.landcover_fallback} share {fallback:.1f}%"
    if not ev.has_osm:
        return Verdict.UNVERIFIABLE, "no OSM signal: " + ev.bundle.missing.get("osm", "")
    if ev.osm_match_any_radius(obj.tags):
        return Verdict.UNVERIFIABLE, f"OSM {obj.name} only in the outer buffer"
    return Verdict.CONTRADICTED, f"no OSM tag for {obj.name} within {ev.osm_radii[-1]:g} m"


def _check_season(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    place = ev.bundle.place
    if place is None or place.season is None:
        return Verdict.UNVERIFIABLE, "no season for this place/date"
    if claim.concept == place.season:
        return Verdict.SUPPORTED, f"season {place.season}"
    return Verdict.CONTRADICTED, f"season is {place.season}"


_OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


def _sides(location: str) -> set[str]:
    return set(location.split("-")) & set(_OPPOSITE)


def _check_location(claim: Claim, ev: Evidence) -> tuple[Verdict, str]:
    """Claimed side vs the side where most of the concept's pixels lie (3 × 3 sectors / outer thirds).

    Same or neighbouring side (north vs north-east) → supported; the concept lies 'throughout' →
    supported; the opposite side with no side in common (north vs south-east) → contradicted;
    otherwise (north vs east, centre, scattered) → unverifiable."""
    actual = ev.locations.get(claim.concept)
    share = ev.best_share(claim.concept)
    if actual is None or share is None or share < TOL.present_min:
        return Verdict.UNVERIFIABLE, f"no located {claim.concept} pixels"
    why = f"{claim.concept} lies {actual}"
    said = claim.qualifier
    if actual == "throughout" or actual == said:
        return Verdict.SUPPORTED, why
    a, c = _sides(actual), _sides(said)
    if a & c:
        return Verdict.SUPPORTED, why
    if any(_OPPOSITE[x] in a for x in c):
        return Verdict.CONTRADICTED, why
    return Verdict.UNVERIFIABLE, why


_CHECKS = {
    Kind.LOCATION.value: _check_location,
    Kind.LANDCOVER.value: _check_landcover,
    Kind.TERRAIN.value: _check_terrain,
    Kind.VEGETATION.value: _check_vegetation,
    Kind.BUILT.value: _check_built,
    Kind.OSM.value: _check_osm,
    Kind.SEASON.value: _check_season,
}


def caption_problems(caption: str, max_words: int = 90, min_words: int = 4) -> list[str]:
    """Caption-level reasons to refuse a caption: not English, too short, too long."""
    if not caption.isascii():  # the per-character check only for text that needs it
        letters = [ch for ch in caption if ch.isalpha()]
        if letters and sum(ch.isascii() for ch in letters) / len(letters) < 0.9:
            return ["not English: mostly non-Latin script"]
    words = re.findall(r"[^\W\d_]+", caption)
    if len(words) < min_words:
        return [f"too short: {len(words)} words (minimum {min_words})"]
    problems = []
    if len(words) > max_words:
        problems.append(f"too long: {len(words)} words (maximum {max_words})")
    if sum(w.lower() in ENGLISH_FUNCTION_WORDS for w in words) / len(words) < 0.08:
        problems.append("not English: too few English function words")
    return problems


def ground_of(evidence: Evidence) -> Ground:
    """The typed-claim checker's view of the same bundle (computed once per Evidence)."""
    g = evidence.cache.get("ground")
    if not isinstance(g, Ground):
        g = Ground.from_bundle(evidence.bundle)
        evidence.cache["ground"] = g
    return g


def verify(
    caption: str, evidence: Evidence, *, max_words: int = 90, claims: Sequence[TypedClaim] | None = None
) -> Verification:
    """Lexicon claims (for repair and scoring) plus the typed check that decides "verified";
    ``claims`` are the candidate's structured claims when the captioner planned them."""
    found, segments = extract_claims(caption)
    for claim in found:
        verdict, reason = _CHECKS[claim.kind](claim, evidence)
        claim.verdict = verdict.value
        claim.reason = reason
    return Verification(
        caption=caption,
        claims=found,
        segments=segments,
        problems=caption_problems(caption, max_words),
        check=check_caption(caption, ground_of(evidence), claims),
    )


def repair(v: Verification) -> str:
    """Drop the clauses holding contradicted claims (the whole sentence when its main clause is hit)."""
    bad = {c.segment for c in v.claims if c.verdict == Verdict.CONTRADICTED}
    if not bad:
        return v.caption
    dead_sentences = {v.segments[i].sentence for i in bad if v.segments[i].main}
    sentences: dict[int, str] = {}
    for i, seg in enumerate(v.segments):
        if seg.sentence in dead_sentences or i in bad:
            continue
        text = seg.text.strip().rstrip(".!?;").strip()
        if not text:
            continue
        if seg.sentence in sentences:
            prev = v.segments[i - 1]
            separator = (
                v.caption[prev.start + len(prev.text) : seg.start] if prev.sentence == seg.sentence else ", "
            )
            sentences[seg.sentence] += separator.rstrip(".!?;") + text
        else:
            sentences[seg.sentence] = text
    return " ".join(t[0].upper() + t[1:] + "." for t in sentences.values())
