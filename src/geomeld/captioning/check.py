"""Check typed claims against a sample's signals, family by family, with explicit tolerance bands.

Every check returns a :class:`~geomeld.captioning.claims.Verdict` and a
:class:`~geomeld.captioning.claims.ClaimEvidence` (measured value, tolerance, layer, origin). A claim
whose layer is relocated or absent is unverifiable; a measurement whose uncertainty interval straddles
a threshold is unverifiable, never supported or contradicted. A negated claim takes the opposite
verdict of its affirmed form (a claim undecided either way stays unverifiable).

Qualitative thresholds (shares are % of the TILE; ``[lo, hi]`` is the measured interval, see
:mod:`geomeld.captioning.ground`):

====================  =====================================  ========================================
claim                 supported when                         contradicted when
====================  =====================================  ========================================
present               lo ≥ 0.5 %                             hi < 0.1 % (and no OSM tag in the chip)
absent ("no X")       hi < 0.5 % (and no OSM tag)            lo ≥ 1 %, or an OSM tag in the chip
dominant ("mostly")   lo > 50 %                              hi < 35 %, or another class's lo > hi
largest ("the main")  lo > every other class's hi            another class's lo > hi
minor ("a little")    0.5 ≤ lo and hi ≤ 35 %                 hi < 0.1 % or lo > 50 %
number / range        interval within the band of the value  interval beyond the contradiction band
more A than B         lo_A > hi_B                            hi_A < lo_B
flat                  slope mean < 3°                        slope mean > 8°
gentle / rolling      2° ≤ slope mean ≤ 12°                  slope mean < 1° or > 20°
hilly                 slope mean ≥ 6° or relief ≥ 60 m       slope mean < 3° and relief < 30 m
steep / mountainous   slope mean ≥ 15° or relief ≥ 300 m     slope mean < 7° and relief < 120 m
valley / ridge        those geomorphons ≥ 10 %               those geomorphons < 2 %
lush / green          NDVI mean ≥ 0.5                        NDVI mean < 0.3
sparse / barren       NDVI mean < 0.25                       NDVI mean > 0.45
dense (trees)         trees lo ≥ 50 %                        trees hi < 20 %
bright backscatter    VV mean > −9 dB                        VV mean < −14 dB
dark backscatter      VV mean < −15 dB                       VV mean > −10 dB
tall trees            canopy p90 ≥ 15 m                      canopy p90 < 8 m
low trees             canopy p90 < 10 m                      canopy p90 > 18 m
====================  =====================================  ========================================

Numeric bands are :data:`geomeld.captioning.claims.TOLERANCES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from geomeld.captioning import acquisition
from geomeld.captioning.claims import (
    TOLERANCES,
    Bound,
    CaptionVerdict,
    Claim,
    ClaimEvidence,
    Family,
    Value,
    Verdict,
    caption_verdict,
)
from geomeld.captioning.ground import ELEVATION_M, SLOPE_M, WATER_MAP_COMPLETE_PCT, Ground, ShareRange
from geomeld.core.origin import Origin

S, C, U = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.UNVERIFIABLE
Result = tuple[Verdict, ClaimEvidence]


def _flip(v: Verdict) -> Verdict:
    return C if v is S else S if v is C else U


def _grade(ok: bool, bad: bool) -> Verdict:
    return S if ok else C if bad else U


def _unverifiable(note: str, layer: str | None = None, origin: str | None = None) -> Result:
    return U, ClaimEvidence(layer=layer, origin=origin, note=note)


# ---- numbers against intervals ----------------------------------------------------------------
SMALL_SHARE_FACTOR, SMALL_SHARE_MARGIN = 2.0, 1.5
SMALL_ABOUT_FACTOR, SMALL_ABOUT_MARGIN = 2.5, 2.5
"""Small land-cover shares: the absolute band (± 5/10 points) would let "under 2 %" stand for a class the
map labels on 6 % of the tile. An upper bound b is also contradicted when the labelled share exceeds
max(2·b, b + 1.5) points, "about a" when it exceeds max(2.5·a, a + 2.5) (the labelled share is a count
of mapped pixels: it only grows with the unlabelled rest)."""


def interval_verdict(
    value: Value, lo: float, hi: float, family: str, hedged: bool, small_shares: bool = False
) -> tuple[Verdict, Any]:
    """A stated value against a measured interval ``[lo, hi]`` with the family's band."""
    band = TOLERANCES[family]
    a = value.low if value.low is not None else value.high
    b = value.high if value.high is not None else value.low
    if a is None or b is None:
        return U, None
    s, c = band.widths((a + b) / 2, hedged)
    bound = value.bound
    if bound == Bound.AT_LEAST:
        tol = {"bound": bound, "margin": s / 4, "contradict_margin": c / 2}
        return _grade(lo >= a - s / 4, hi < a - c / 2), tol
    if bound == Bound.AT_MOST:
        over = b + c / 2
        if small_shares:  # a small bound: twice it is clearly beyond it
            over = min(over, max(SMALL_SHARE_FACTOR * b, b + SMALL_SHARE_MARGIN))
        tol = {"bound": bound, "margin": s / 4, "contradict_above": round(over, 3)}
        return _grade(hi <= b + s / 4, lo > over), tol
    if bound == Bound.BETWEEN:
        tol = {"bound": bound, "support": s / 2, "contradict": c / 2}
        return _grade(lo >= a - s / 2 and hi <= b + s / 2, hi < a - c / 2 or lo > b + c / 2), tol
    over = b + c
    if small_shares:  # "about 2 %" of a class the map labels on 6 %
        over = min(over, max(SMALL_ABOUT_FACTOR * b, b + SMALL_ABOUT_MARGIN))
    tol = {
        "bound": bound,
        "support": round(s, 3),
        "contradict": round(c, 3),
        "contradict_above": round(over, 3),
    }
    return _grade(lo >= a - s and hi <= b + s, hi < a - c or lo > over), tol


def _combine(verdicts: Sequence[Verdict]) -> Verdict:
    """Several products: supported if one supports and none contradicts (and vice versa)."""
    if S in verdicts and C not in verdicts:
        return S
    if C in verdicts and S not in verdicts:
        return C
    return U


# ---- land cover --------------------------------------------------------------------------------
def _others(g: Ground, concept: str, product: str) -> list[ShareRange]:
    excluded = {"fields": {"cropland", "grassland"}}.get(concept, {concept})
    if concept == "vegetation":
        return [r for c, r in g.concepts_in(product).items() if c in {"built", "bare", "snow", "water"}]
    return [r for c, r in g.concepts_in(product).items() if c not in excluded and c != "fields"]


def _share_kind(claim: Claim) -> str:
    if claim.family == Family.DOMINANCE:
        return "largest" if claim.label == "largest" else "dominant"
    if claim.family == Family.LANDCOVER_SHARE and claim.value is not None:
        return "number"
    if claim.label in ("minor", "trace"):
        return str(claim.label)
    return "present"


CONTRADICT_ON_LABELLED = True
"""Shares: a claim is SUPPORTED only when it holds for every value the unlabelled part of the tile
could take (the whole interval ``[lo, hi]``), and CONTRADICTED when the map as labelled (``lo``, the
labelled pixels of the class over the tile) is beyond the contradiction band. Comparisons between
classes compare the labelled amounts (with a margin); the evidence says so."""

CMP_MARGIN = 1.0
CMP_REL = 0.1


def _two_sided(
    grade: Callable[[float, float], tuple[Verdict, Any]], lo: float, hi: float
) -> tuple[Verdict, Any]:
    sup, tol = grade(lo, hi)
    if sup is S:
        return S, tol
    point, _ = grade(lo, lo) if CONTRADICT_ON_LABELLED else (sup, tol)
    return (C if point is C or sup is C else U), tol


Rule = Callable[[float, float], tuple[Verdict, Any]]


def _number_rule(value: Value, family: str, hedged: bool) -> Rule:
    small = family == Family.LANDCOVER_SHARE.value
    return lambda lo, hi: interval_verdict(value, lo, hi, family, hedged, small_shares=small)


def _present_rule(present_from: float, absent_below: float) -> Rule:
    tol = {"present_from": present_from, "absent_below": absent_below}
    return lambda lo, hi: (_grade(lo >= present_from, hi < absent_below), tol)


def _absent_rule(absent_below: float, present_from: float) -> Rule:
    tol = {"absent_below": absent_below, "present_from": present_from}
    return lambda lo, hi: (_grade(hi < absent_below, lo >= present_from), tol)


def _minor_rule(low: float, high: float) -> Rule:
    tol = {"minor": [low, high]}
    return lambda lo, hi: (_grade(low <= lo and hi <= high, hi < 0.1 or lo > 50.0), tol)


def _dominant_rule(above: float, below: float, top_other: float) -> Rule:
    tol = {"dominant_above": above, "contradict_below": below}
    return lambda lo, hi: (_grade(lo > above, hi < below or top_other > hi), tol)


TRACE_MAX_PCT = 5.0
TRACE_CONTRADICT_PCT = 10.0
"""A trace ("a sliver of", "a hint of", "negligible"): supported within 0.1–5 % of the tile,
contradicted from 10 % (as labelled) — a sliver is not a tenth of the tile."""


def _share_one(claim: Claim, r: ShareRange, g: Ground) -> tuple[Verdict, Any]:
    kind = _share_kind(claim)
    if kind == "number":
        assert claim.value is not None
        return _two_sided(_number_rule(claim.value, Family.LANDCOVER_SHARE.value, claim.hedged), r.lo, r.hi)
    if kind == "present":
        if claim.label == "urban":
            return _two_sided(_present_rule(20.0, 5.0), r.lo, r.hi)
        if claim.negated:  # absence: its own thresholds (not a flip of presence)
            return _two_sided(_absent_rule(0.5, 1.0), r.lo, r.hi)
        return _two_sided(_present_rule(0.5, 0.1), r.lo, r.hi)
    if kind == "minor":
        return _two_sided(_minor_rule(0.5, 35.0), r.lo, r.hi)
    if kind == "trace":  # "a sliver of X": a few percent at most; a clear share contradicts it
        tol = {"trace": [0.1, TRACE_MAX_PCT], "contradict_from": TRACE_CONTRADICT_PCT}
        return _two_sided(
            lambda lo, hi: (_grade(lo >= 0.1 and hi <= TRACE_MAX_PCT, lo >= TRACE_CONTRADICT_PCT), tol),
            r.lo,
            r.hi,
        )
    others = _others(g, claim.subject, r.product)
    top_other = max((o.lo for o in others), default=0.0)
    if kind == "largest":
        m = max(CMP_MARGIN, CMP_REL * max(r.lo, top_other))
        return _grade(r.lo > top_other + m, r.lo < top_other - m), {
            "largest_margin_pct": round(m, 2),
            "as": "labelled",
        }
    return _two_sided(_dominant_rule(50.0, 35.0, top_other), r.lo, r.hi)


def _landcover_osm(g: Ground, concept: str) -> bool:
    from geomeld.captioning.lexicon import CONCEPTS_BY_NAME

    c = CONCEPTS_BY_NAME.get(concept)
    return bool(c and c.osm and g.osm_in_chip(c.osm))


def check_landcover(claim: Claim, g: Ground) -> Result:
    if claim.subject == "unparsed":
        return _unverifiable("a share the extractor could not attach to a class")
    if claim.subject == "labelled":
        return check_labelled(claim, g)
    if claim.subject == "any":
        return check_no_majority(claim, g)
    if claim.negated and claim.location is not None:
        return check_absent_in_part(claim, g)
    if claim.label == "mapped":
        return check_mapped(claim, g, g.share_ranges(claim.subject))
    from geomeld.captioning.envelopes import check_envelope

    enveloped = check_envelope(claim, g, _sea_far)
    if enveloped is not None:
        return enveloped
    ranges = g.share_ranges(claim.subject)
    if claim.subject == "snow":
        seen = _s2_snow_range(g)
        ranges = [seen, *ranges] if seen is not None else ranges
    if not ranges and claim.subject in ("built", "snow"):
        bound = _s2_built_bound(claim, g) if claim.subject == "built" else _s2_snow_bound(claim, g)
        if bound is not None:
            return bound
    if not ranges:
        return _unverifiable(
            f"no evidence land-cover layer for {claim.subject}"
            + _why_skipped(g, "esa_worldcover", "dynamic_world"),
            "esa_worldcover",
        )
    per = []
    measured = []
    tol: Any = None
    for r in ranges:
        v, tol = _share_one(claim, r, g)
        if _share_kind(claim) != "present":
            v = _flip(v) if claim.negated else v
        per.append(v)
        measured.append(r.to_json())
    verdict = _combine(per)
    note = ""
    if _share_kind(claim) == "present" and _landcover_osm(g, claim.subject):
        note = "OSM tag in the chip"
        verdict = C if claim.negated else S
    return verdict, ClaimEvidence(
        measured=measured,
        tolerance=tol,
        layer="+".join(r.product for r in ranges),
        origin="+".join(r.origin for r in ranges),
        note=note,
    )


def check_mapped(claim: Claim, g: Ground, ranges: Sequence[ShareRange]) -> Result:
    """Presence or absence of a class *in the map* ("OSM has a water polygon", "no forest polygon is
    mapped"): the map's labelled pixels decide exactly (any pixel of the class: present)."""
    maps = [r for r in ranges if r.product != "sentinel2_water_index"]
    if not maps:
        return _unverifiable(f"no evidence map of {claim.subject}" + _why_skipped(g, "esa_worldcover"))
    present = any(r.lo > 0.0 for r in maps)
    v = S if present != claim.negated else C
    return v, ClaimEvidence(
        [r.to_json() for r in maps],
        {"mapped_pixels": "any pixel of the class in the map"},
        "+".join(r.product for r in maps),
        "+".join(r.origin for r in maps),
        note="a statement about the map itself",
    )


BUILT_NDVI_BELOW = 0.5
"""Built-up surfaces (roofs, roads, paving) have NDVI well below 0.5 in any season, so the share of the
imaged tile with NDVI > 0.5 cannot be built-up: ``built ≤ 100 − that share`` (the unimaged part left
open). This decides only claims of much built land on green tiles ("a town centre fills most of the
tile" on a June pasture); in winter the bound is loose and decides nothing."""


def _s2_built_bound(claim: Claim, g: Ground) -> Result | None:
    """Built-up claims without a land-cover layer, against the vegetation upper bound from Sentinel-2."""
    sp = g.bundle.spectral
    if sp is None or sp.share_ndvi_above_0_5 is None:
        return None
    return _s2_upper_bound(
        claim,
        g,
        100.0 - sp.share_ndvi_above_0_5,
        {"built_ndvi_below": BUILT_NDVI_BELOW},
        "sentinel2 (NDVI)",
        "an upper bound on built-up land from the share of vigorously vegetated pixels",
    )


SNOW_B2_ABOVE = 0.17
"""Snow is bright in blue (B2 reflectance well above 0.17 even when old or thin): the share of the
imaged tile brighter than that bounds the snow cover from above (cloud and haze count too)."""


def _s2_snow_range(g: Ground) -> ShareRange | None:
    """Snow seen by Sentinel-2 (:mod:`geomeld.signals.conditions`), as a share of the imaged pixels:
    at least the SNOMAP snow pixels, at most the snow-bright pixels plus opaque cloud (which may hide
    snow). Snow is transient: the image of the day decides it, not a land-cover map."""
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or sp.conditions is None or origin is None:
        return None
    c = sp.conditions
    hi = min(100.0, c.snow_upper + c.cloud_lower)
    return ShareRange("sentinel2_snow", origin, min(c.snow_lower, hi), hi, 100.0)


def _s2_snow_bound(claim: Claim, g: Ground) -> Result | None:
    sp = g.bundle.spectral
    if sp is None or sp.bright_percentage is None:
        return None
    return _s2_upper_bound(
        claim,
        g,
        sp.bright_percentage,
        {"snow_b2_above": SNOW_B2_ABOVE},
        "sentinel2 (B2)",
        "an upper bound on snow from the share of bright pixels",
    )


def _s2_upper_bound(
    claim: Claim, g: Ground, pct_of_valid: float, tol: dict[str, Any], layer: str, note: str
) -> Result | None:
    """A class share bounded from above by a Sentinel-2 pixel share (the unimaged part left open):
    decides only claims of more than the bound."""
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or origin is None or sp.valid_percentage is None:
        return None
    valid = sp.valid_percentage
    hi = pct_of_valid * valid / 100.0 + (100.0 - valid)
    kind = _share_kind(claim)
    tol = {**tol, "upper_bound_only": True}
    v = U
    if claim.negated:
        v = U
    elif kind == "number" and claim.value is not None and claim.value.bound != Bound.AT_MOST:
        low = claim.value.low if claim.value.low is not None else claim.value.high
        iv, tol["band"] = interval_verdict(claim.value, hi, hi, Family.LANDCOVER_SHARE.value, claim.hedged)
        v = C if iv is C and low is not None and hi < low else U
    elif kind in ("dominant", "largest"):
        v = C if hi < 35.0 else U
        tol["contradict_below"] = 35.0
    elif kind == "present" and claim.label == "urban":
        v = C if hi < 5.0 else U
        tol["contradict_below"] = 5.0
    elif kind == "present" and claim.subject == "snow" and claim.label not in ("minor", "trace"):
        v = C if hi < 0.1 else U
        tol["contradict_below"] = 0.1
    if v is U:
        return None
    return v, ClaimEvidence({"tile_share_at_most": round(hi, 2)}, tol, layer, origin, note=note)


def check_absent_in_part(claim: Claim, g: Ground) -> Result:
    """ "No forest in the north": the class's labelled pixels in that part decide (see
    :func:`check_placed`)."""
    return check_placed(replace(claim, label="some"), g)


TILE_PX = 16384.0
PLACED_MIN_PX = 40
"""Labelled pixels (0.25 % of the tile, 0.4 ha) of a class in (or outside) a part that make a placement
statement about it checkable: fewer could be a labelling sliver along a polygon edge."""
NONE_IN_PART_FRAC = 0.03
"""'No X in the north' is contradicted when ≥ PLACED_MIN_PX and ≥ 3 % of the class's labelled pixels lie
there (a real patch of it, not a sliver)."""
ONLY_OUTSIDE_FRAC = 0.2
"""'X only in the north' is contradicted when ≥ PLACED_MIN_PX and ≥ 20 % of its labelled pixels lie
outside that part."""
SOME_IN_PART_PX = 20
SHARE_IN_PART_BANDS = (10.0, 20.0)
"""'About 40 % of the X pixels lie in the NE quadrant': supported within 10 points, contradicted beyond
20 (the share of the class's labelled pixels there)."""
LABELS_COMPLETE_PCT = 98.0
"""A map labelling this much of the tile shows where a class is absent (otherwise an absence in a part,
or an 'only', is never supported: the unlabelled pixels could hold the class)."""


def _pixels_in(claim: Claim, g: Ground, r: ShareRange) -> tuple[float, float, float] | None:
    """(class pixels, pixels surely in the claim's part, pixels possibly in it) as labelled."""
    loc = str(claim.location)
    depth = claim.value.low if claim.value is not None and claim.value.unit == "m" else None
    if depth is not None and loc.endswith("-edge") and loc != "edge":
        n, surely, possibly = g.pixels_in_strip(claim.subject, r.product, loc[: -len("-edge")], depth / 10.0)
        return (float(n), float(surely), float(possibly)) if n else None
    share = g.parts(claim.subject, r.product).get(loc)
    if share is None:
        return None
    total = r.lo / 100.0 * TILE_PX
    return total, share * total, share * total


def check_placed(claim: Claim, g: Ground) -> Result:
    """Where a class's labelled pixels lie: ``only`` (all of it in the part), ``some`` (some of it;
    negated: none of it), ``share`` (``value`` % of its pixels there), or most of it (no label) in a
    part or an edge strip of a given depth. A partly labelled map contradicts exclusivity and absence
    (the labelled pixels are there) but supports them only where it labels practically the whole tile."""
    per, measured = [], {}
    label = claim.label
    for r in g.share_ranges(claim.subject):
        got = _pixels_in(claim, g, r)
        if got is None:
            continue
        total, surely, possibly = got
        measured[r.product] = {"class_px": round(total), "in_part_px": [round(surely), round(possibly)]}
        complete = r.labelled >= LABELS_COMPLETE_PCT
        if label == "only":
            out = total - possibly
            v = _grade(complete and out <= 0.0, out >= max(PLACED_MIN_PX, ONLY_OUTSIDE_FRAC * total))
        elif label == "some" and claim.negated:  # "no X in the north": the affirmed "some X there"
            v = _grade(surely >= max(PLACED_MIN_PX, NONE_IN_PART_FRAC * total), complete and possibly <= 0.0)
        elif label == "some":
            v = _grade(surely >= SOME_IN_PART_PX, total >= 100 and possibly < SOME_IN_PART_PX / 2)
        elif label == "share" and claim.value is not None and claim.value.low is not None and total > 0:
            lo_pct, hi_pct = 100.0 * surely / total, 100.0 * possibly / total
            sup, con = SHARE_IN_PART_BANDS
            want = claim.value.low
            v = _grade(
                lo_pct >= want - sup and hi_pct <= want + sup, hi_pct < want - con or lo_pct > want + con
            )
        elif total > 0:
            v = _grade(surely >= 0.55 * total, possibly <= 0.45 * total)
        else:
            v = U
        per.append(_flip(v) if claim.negated else v)
    if not per:
        return _unverifiable(f"no located {claim.subject} pixels in an evidence layer")
    ranges = g.share_ranges(claim.subject)
    return _combine(per), ClaimEvidence(
        measured=measured,
        tolerance={
            "min_px": PLACED_MIN_PX,
            "none_in_part_from": NONE_IN_PART_FRAC,
            "only_outside_from": ONLY_OUTSIDE_FRAC,
            "share_bands": SHARE_IN_PART_BANDS,
            "as": "labelled pixels",
        },
        layer="+".join(r.product for r in ranges),
        origin="+".join(r.origin for r in ranges),
    )


def check_labelled(claim: Claim, g: Ground) -> Result:
    """The share of the tile the land-cover map labels (exact)."""
    per, measured, tol = [], [], None
    for product in g.products:
        lc = g.bundle.landcover[product]
        v = lc.valid_percentage
        if claim.value is None:
            continue
        verdict, tol = interval_verdict(claim.value, v, v, Family.LANDCOVER_SHARE.value, claim.hedged)
        per.append(_flip(verdict) if claim.negated else verdict)
        measured.append({"product": product, "labelled_pct": round(v, 2)})
    if not per:
        return _unverifiable("no evidence land-cover layer")
    return _combine(per), ClaimEvidence(measured, tol, "+".join(g.products), None)


def check_no_majority(claim: Claim, g: Ground) -> Result:
    """ "No class covers more than half of the tile" (negated) / "one class covers most" (affirmed)."""
    per, measured = [], []
    for product in g.products:
        ranges = [r for c, r in g.concepts_in(product).items() if c != "fields"]
        if not ranges:
            continue
        v = _grade(all(r.hi <= 50.0 for r in ranges), any(r.lo > 52.0 for r in ranges))
        per.append(v if claim.negated else _flip(v))
        measured.append({"product": product, "largest_tile_share": round(max(r.lo for r in ranges), 2)})
    if not per:
        return _unverifiable("no evidence land-cover layer")
    return _combine(per), ClaimEvidence(measured, {"majority_above": 50.0}, "+".join(g.products), None)


def _why_skipped(g: Ground, *layers: str) -> str:
    why = [g.skipped[x] for x in layers if x in g.skipped]
    return (": " + "; ".join(why)) if why else ""


RATIO_BANDS = {"at_least": (1.1, 0.8), "at_most": (0.9, 1.25), "about": (0.75, 1.5)}
"""A comparison by a factor k ("A is at least twice B"): with the labelled amounts a and b and the
margin m, "at least k×" is supported when a ≥ 1.1·k·b + m and contradicted when a ≤ 0.8·k·b − m;
"at most k×" supported when a ≤ 0.9·k·b − m, contradicted when a ≥ 1.25·k·b + m; "k×" (about)
supported within [0.75·k·b − m, 1.5·k·b + m], contradicted below half or above 2.5 times that."""


def _ratio_grade(a: float, b: float, k: float, bound: str, m: float) -> Verdict:
    kb = k * b
    if bound == Bound.AT_LEAST:
        return _grade(a >= 1.1 * kb + m, a <= 0.8 * kb - m)
    if bound == Bound.AT_MOST:
        return _grade(a <= 0.9 * kb - m, a >= 1.25 * kb + m)
    return _grade(0.75 * kb - m <= a <= 1.5 * kb + m, a < 0.5 * kb - m or a > 2.5 * kb + m)


WATER_KINDS_AS_WATER = {"water", "lake", "pond", "reservoir", "river", "canal", "stream"}
"""Water named by a kind in a comparison ("the lake area is larger than the cropland") is compared as the
tile's water."""


WATER_CMP_REL, WATER_CMP_PCT = 1.25, 0.25
"""Water in a comparison: the larger of the map's water and Sentinel-2's clear open water, with a band
of ×1.25 + 0.25 point above it (water that is turbid, mixed with its shore or under a thin veil). NDWI > 0
alone is no bound here: on winter top-of-atmosphere scenes it covers wet fields and frost by the half
tile."""


def _water_side(g: Ground) -> dict[str, tuple[float, float, str]]:
    """The tile's water as an interval (lo, hi) for comparisons, per map product: at least what the map
    labels water; at most :data:`WATER_CMP_REL` × the larger of that and Sentinel-2's clear open water
    (+ :data:`WATER_CMP_PCT` and the unimaged part); the map's interval without Sentinel-2, Sentinel-2's
    alone without a map."""
    s2 = _s2_water(g)
    out: dict[str, tuple[float, float, str]] = {}

    def top(lo: float) -> float:
        assert s2 is not None
        return min(100.0, WATER_CMP_REL * max(lo, s2[0].lo) + WATER_CMP_PCT + (100.0 - s2[2]))

    for r in g.share_ranges("water"):
        out[r.product] = (r.lo, r.hi if s2 is None else top(r.lo), r.origin)
    if not out and s2 is not None:
        out["sentinel2_water_index"] = (s2[0].lo, top(0.0), s2[0].origin)
    return out


def _cmp_sides(g: Ground, concept: str) -> dict[str, tuple[float, float, str]]:
    """Per product: the amount compared, as an interval (a land-cover class: its labelled share, a
    point; water: :func:`_water_side`)."""
    if concept in WATER_KINDS_AS_WATER:
        return _water_side(g)
    return {r.product: (r.lo, r.lo, r.origin) for r in g.share_ranges(concept)}


def _cmp_grade(claim: Claim, a: tuple[float, float], b: tuple[float, float]) -> Verdict:
    """Sides as intervals: supported when it holds for every value in them, contradicted when it fails
    for every value (beyond the margin)."""
    (alo, ahi), (blo, bhi) = a, b
    m = max(CMP_MARGIN, CMP_REL * max(alo, blo))
    if claim.label == "ratio" and claim.value is not None and claim.value.low is not None:
        k, bound = claim.value.low, claim.value.bound
        if bound == Bound.AT_LEAST:
            return _grade(alo >= 1.1 * k * bhi + m, ahi <= 0.8 * k * blo - m)
        if bound == Bound.AT_MOST:
            return _grade(ahi <= 0.9 * k * blo - m, alo >= 1.25 * k * bhi + m)
        return _grade(
            alo >= 0.75 * k * bhi - m and ahi <= 1.5 * k * blo + m,
            ahi < 0.5 * k * blo - m or alo > 2.5 * k * bhi + m,
        )
    if claim.label == "similar":
        near = max(abs(ahi - blo), abs(bhi - alo))
        far = max(blo - ahi, alo - bhi, 0.0)
        return _grade(near <= m, far > 3 * m)
    return _grade(alo > bhi + m, ahi < blo - m)


INDEX_CMP_MARGIN = 0.05
"""Two spectral indices' tile means compared ("mean NDWI exceeds mean NDVI"): decided beyond 0.05."""
_BANDS_AS_NDVI = {"red", "nir"}
_INDEX_SUBJECTS = {"ndvi", "ndwi", "mndwi", "ndbi", *_BANDS_AS_NDVI}


def _check_measures(claim: Claim, g: Ground) -> Result:
    """Index means against each other; red against NIR through NDVI = (NIR − red)/(NIR + red): red is
    brighter on average where the tile-mean NDVI is clearly negative."""
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or origin is None:
        return _unverifiable("no evidence Sentinel-2 image", "sentinel2")
    a, b = claim.subject, str(claim.other)
    if a in _BANDS_AS_NDVI:
        ndvi = sp.indices.get("NDVI")
        if ndvi is None:
            return _unverifiable("no NDVI for this tile", "sentinel2", origin)
        av, bv = (-ndvi.mean, 0.0) if a == "red" else (ndvi.mean, 0.0)
        measured: dict[str, float] = {"ndvi_mean": round(ndvi.mean, 3)}
    else:
        ia, ib = sp.indices.get(a.upper()), sp.indices.get(b.upper())
        if ia is None or ib is None:
            return _unverifiable(f"no {a.upper()} or {b.upper()} for this tile", "sentinel2", origin)
        av, bv = ia.mean, ib.mean
        measured = {f"{a}_mean": round(av, 3), f"{b}_mean": round(bv, 3)}
    if claim.label == "less":
        av, bv = bv, av
    v = _grade(av > bv + INDEX_CMP_MARGIN, av < bv - INDEX_CMP_MARGIN)
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        measured, {"margin": INDEX_CMP_MARGIN}, "sentinel2", origin
    )


def check_comparison(claim: Claim, g: Ground) -> Result:
    if claim.subject in _INDEX_SUBJECTS:
        return _check_measures(claim, g)
    a_r = _cmp_sides(g, claim.subject)
    b_r = _cmp_sides(g, claim.other or "")
    water_vs_class = (claim.subject in WATER_KINDS_AS_WATER) != ((claim.other or "") in WATER_KINDS_AS_WATER)
    if water_vs_class and a_r and b_r and not set(a_r) & set(b_r):
        # water from Sentinel-2 alone against a class of a map: compare across the two layers
        a_r = {p: next(iter(a_r.values())) for p in b_r} if len(a_r) == 1 else a_r
        b_r = {p: next(iter(b_r.values())) for p in a_r} if len(b_r) == 1 else b_r
    per = []
    measured = []
    for p in sorted(set(a_r) & set(b_r)):
        a, b = a_r[p][:2], b_r[p][:2]
        if claim.label == "less":
            a, b = b, a
        v = _cmp_grade(claim, a, b)
        per.append(_flip(v) if claim.negated else v)
        measured.append(
            {
                "product": p,
                claim.subject: [round(x, 2) for x in a_r[p][:2]],
                str(claim.other): [round(x, 2) for x in b_r[p][:2]],
            }
        )
    if not per:
        return _unverifiable(f"no layer measures both {claim.subject} and {claim.other}", "esa_worldcover")
    common = sorted(set(a_r) & set(b_r))
    return _combine(per), ClaimEvidence(
        measured=measured,
        tolerance={
            "margin_pct": CMP_MARGIN,
            "margin_rel": CMP_REL,
            "ratio_bands": RATIO_BANDS,
            "as": "labelled pixels over the tile; water: [map or clear water, map or possible water]",
        },
        layer="+".join(common),
        origin="+".join(sorted({a_r[p][2] for p in common})),
    )


_PART_BANDS: dict[str, tuple[float, float]] = {
    "north": (0.55, 0.45),
    "south": (0.55, 0.45),
    "west": (0.55, 0.45),
    "east": (0.55, 0.45),
    "north-west": (0.5, 0.2),
    "north-east": (0.5, 0.2),
    "south-west": (0.5, 0.2),
    "south-east": (0.5, 0.2),
    "centre": (0.5, 0.2),
    "edge": (0.7, 0.3),
    "north-edge": (0.5, 0.2),
    "south-edge": (0.5, 0.2),
    "west-edge": (0.5, 0.2),
    "east-edge": (0.5, 0.2),
}
"""Position bands (share of the class's pixels in the region: supported at ≥ the first value,
contradicted at ≤ the second). A side ("in the north", "along the eastern edge", "the western half")
is read as "most of it lies in that half": ≥ 55 % supports, ≤ 45 % contradicts (the band between is
the measurement's uncertainty). Corners/quadrants and the central box (a quarter of the tile each):
≥ 50 % supports, ≤ 20 % contradicts, and so do the edge strips ("along the eastern edge": the outer
quarter on that side); the edge ring (~44 % of the tile): ≥ 70 % / ≤ 30 %."""


PRESENCE_IN_PART_BANDS = (0.05, 0.01)
"""A presence in a part ("some meadow in the SE corner", "grass appears in the NE quadrant"): supported
when ≥ 5 % of the class's pixels lie there, contradicted only when ≤ 1 % do (practically none)."""


ONLY_IN_PART_BANDS = (0.95, 0.75)
"""All of a class in one part ("X lies only in the north", "X is confined to the SE corner"): supported
when ≥ 95 % of the class's pixels lie there, contradicted when a quarter or more lies elsewhere."""


def _part_bands(claim: Claim) -> tuple[float, float]:
    if claim.label == "some":
        return PRESENCE_IN_PART_BANDS
    if claim.label == "only":
        return ONLY_IN_PART_BANDS
    return _PART_BANDS[str(claim.location)]


def _water_position_s2(claim: Claim, g: Ground) -> Result:
    """Where the water lies, from the clear open-water pixels of Sentinel-2 (when they are ≥ 1 % of the
    tile): the same bands as for a land-cover class."""
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if sp is None or origin is None or not sp.water_strict_parts or claim.location is None:
        return _unverifiable("no located water pixels in an evidence layer")
    if (sp.water_strict_percentage or 0.0) < 1.0 or claim.location not in _PART_BANDS:
        return _unverifiable("too little clear open water to locate it")
    sup, con = _part_bands(claim)
    share = sp.water_strict_parts.get(claim.location, 0.0)
    v = _grade(share >= sup, share <= con)
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        {"share_of_clear_water_pixels_in_region": round(share, 3)},
        {"bands": _part_bands(claim)},
        "sentinel2 (clear open water: NDWI > 0.05, MNDWI > 0.2)",
        origin,
    )


def check_position(claim: Claim, g: Ground) -> Result:
    strip = claim.value is not None and claim.value.unit == "m"
    if claim.subject != "water" and (claim.label in ("only", "share", "some") or claim.negated or strip):
        return check_placed(claim, g)
    ranges = [r for r in g.share_ranges(claim.subject) if r.lo >= 0.05]
    if claim.subject == "water":  # big lakes may be missing from a partial map: its water is not all
        complete = [r for r in ranges if r.labelled >= WATER_MAP_COMPLETE_PCT]
        if not complete:
            v_s2, ev = _water_position_s2(claim, g)
            if ranges and v_s2 is not U:  # the mapped part must not say otherwise
                v_map, _ = _position_on(claim, g, ranges)
                if v_map is not U and v_map is not v_s2:
                    return U, ClaimEvidence(
                        ev.measured, ev.tolerance, ev.layer, ev.origin, "the map disagrees"
                    )
            return v_s2, ev
        ranges = complete
    if not ranges or claim.location is None:
        return _unverifiable(f"no located {claim.subject} pixels in an evidence layer")
    v, measured = _position_on(claim, g, ranges)
    return v, ClaimEvidence(
        measured={"share_of_class_pixels_in_region": measured},
        tolerance={"bands": _part_bands(claim) if claim.location in _PART_BANDS else None},
        layer="+".join(r.product for r in ranges),
        origin="+".join(r.origin for r in ranges),
    )


def _position_on(claim: Claim, g: Ground, ranges: Sequence[ShareRange]) -> tuple[Verdict, dict[str, float]]:
    per, measured = [], {}
    for r in ranges:
        parts = g.parts(claim.subject, r.product)
        if claim.location == "throughout":
            v = _grade(r.lo >= 60.0, r.hi < 25.0)
        elif parts and claim.location in _PART_BANDS:
            sup, con = _part_bands(claim)
            share = parts.get(claim.location, 0.0)
            v = _grade(share >= sup, share <= con)
            measured[r.product] = round(share, 3)
        else:
            v = U
        per.append(v)
    v = _combine(per)
    return (_flip(v) if claim.negated else v), measured


# ---- water ---------------------------------------------------------------------------------------
_WATER_OSM: dict[str, tuple[tuple[str, str], ...]] = {
    "river": (("waterway", "river"),),
    "stream": (("waterway", "stream"), ("waterway", "river")),
    "canal": (("waterway", "canal"),),
    "lake": (("water", "lake"), ("natural", "water")),
    "pond": (("water", "pond"), ("natural", "water")),
    "reservoir": (("water", "reservoir"), ("landuse", "reservoir")),
    "sea": (("natural", "coastline"), ("natural", "bay")),
}


_WATER_SHAPE = {
    "river": "linear",
    "stream": "linear",
    "canal": "linear",
    "lake": "compact",
    "pond": "compact",
    "reservoir": "compact",
}
"""Water kinds a body's shape can support (never contradict: a narrow river may be below 10 m)."""


SEA_KM = 10.0
"""Sea, coast, shore and ocean-beach claims are contradicted when no sea (no land-mask cell) lies within
this distance of the tile centre (the 1 km Köppen–Geiger land mask shipped in ``geomeld/data``; the
tile's half-diagonal is 0.9 km, so 10 km leaves a wide margin for the mask's coastline)."""
LARGE_WATER_VISIBLE_PCT = 0.5
"""A large water body (a broad, navigable or major river; a large lake) inside the imaged part of the
tile has pure water pixels (NDWI > 0): a 20 m river across a 1.28 km tile is ≥ 0.8 % of it. Under this
share of NDWI-positive or bright (cloud-hidden) pixels, such a body is not there."""
S2_MIN_VALID_PCT = 80.0


def _s2_water(g: Ground) -> tuple[ShareRange, float, float] | None:
    """Sentinel-2 water as a tile-share interval [clear open water, may-be water + unimaged part], the %
    of valid pixels where a large body would show, and the % of the tile imaged; None when Sentinel-2
    is not evidence here or the signal predates these statistics."""
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    if (
        sp is None
        or origin is None
        or sp.water_index_percentage is None
        or sp.water_strict_percentage is None
        or sp.water_core_percentage is None
        or sp.valid_percentage is None
    ):
        return None
    valid = sp.valid_percentage
    lo = sp.water_strict_percentage * valid / 100.0
    hi = sp.water_index_percentage * valid / 100.0 + (100.0 - valid)
    return ShareRange("sentinel2_water_index", origin, lo, hi, valid), sp.water_core_percentage, valid


S2_CEILING_MARGIN_PCT = 1.0
"""The Sentinel-2 water interval's upper end already counts every pixel that may be water (NDWI >
−0.05, bright, or not imaged), so a stated amount above it is contradicted with a margin of its own:
"at least / more than a" when the ceiling is below a − 1 point, "about a" when it is below a minus the
family's support width (the band "about a" is read with), never with the wider contradiction band."""


def _s2_water_ceiling(value: Value, hi: float, hedged: bool) -> Verdict:
    a = value.low if value.low is not None else value.high
    if a is None or value.bound in (Bound.AT_MOST, Bound.BETWEEN):
        return U
    if value.bound == Bound.AT_LEAST:
        return C if hi < a - S2_CEILING_MARGIN_PCT else U
    s, _ = TOLERANCES[Family.WATER.value].widths(a, hedged)
    return C if hi < a - max(s, S2_CEILING_MARGIN_PCT) else U


S2_DRY_VALID_PCT = 99.0
S2_DRY_STRICT_PCT = 0.05
S2_DRY_CORE_PCT = 0.5
S2_DRY_INDEX_PCT = 2.0
"""No water at all: the tile is imaged (≥ 99 % valid pixels), clear open water (NDWI > 0.2, not bright)
covers < 0.05 % (≈ 8 pixels of 10 m: less than a 30 m pond), NDWI-positive or bright pixels < 0.5 %,
may-be-water pixels (NDWI > −0.05) < 2 %, and no map or occurrence layer has a water pixel. Then "water
is visible", "a little lake", "includes open water" are contradicted and "no water" supported."""


S2_DRY_KINDS = ("water", "lake", "pond", "reservoir", "wetland", "river", "canal")
"""Bodies of water with an area, and rivers and canals (a river or canal in the tile spans it: on a tile
with no water pixel in any map, OSM or occurrence layer and none in the image, there is none). A stream,
brook or ditch may be narrower than a 10 m pixel and stays exempt."""


def _s2_no_water(s2: tuple[ShareRange, float, float], ranges: Sequence[ShareRange]) -> ClaimEvidence | None:
    r, core, valid = s2
    index_pct = r.hi - (100.0 - valid)
    maps_dry = all(x.lo <= 0.0 for x in ranges if x.product != "sentinel2_water_index")
    if not (
        maps_dry
        and valid >= S2_DRY_VALID_PCT
        and r.lo < S2_DRY_STRICT_PCT
        and core < S2_DRY_CORE_PCT
        and index_pct < S2_DRY_INDEX_PCT
    ):
        return None
    return ClaimEvidence(
        [x.to_json() for x in ranges]
        + [{"product": "sentinel2_water_index", "ndwi_positive_or_bright_pct": round(core, 3)}],
        {
            "valid_from_pct": S2_DRY_VALID_PCT,
            "clear_water_below_pct": S2_DRY_STRICT_PCT,
            "ndwi_positive_or_bright_below_pct": S2_DRY_CORE_PCT,
            "may_be_water_below_pct": S2_DRY_INDEX_PCT,
        },
        "+".join(x.product for x in ranges),
        "+".join(x.origin for x in ranges),
        note="no water pixel in the maps and none in the imaged tile",
    )


S2_BODY_KINDS = ("water", "lake", "reservoir", "river", "canal", "sea")
S2_BODY_CLEAR_PCT = 0.5
S2_BODY_BRIGHT_PCT = 10.0
"""A water body the caption puts in the tile ("a river crosses the scene", "a lake occupies part of it",
"open water is clearly visible", "the coastline runs along the edge") shows in a cloud-free image as
clear open water: a 10 m wide river across the 1.28 km tile is 0.8 % of it (over half of that pure water
pixels), a lake more. When no map or occurrence layer has a single water pixel, at least 80 % of the tile
is imaged, bright pixels (snow, ice, cloud that could hide water) stay under 10 % of it and clear open
water covers under 0.5 %, such a body is not there. A pond, stream or ditch may be smaller than that and stays exempt, as do
"a little / a trace of" water (see S2_DRY_* for those)."""


def _s2_no_body(
    g: Ground, s2: tuple[ShareRange, float, float], ranges: Sequence[ShareRange]
) -> ClaimEvidence | None:
    sp = g.bundle.spectral
    _, _, valid = s2
    maps = [x for x in ranges if x.product != "sentinel2_water_index"]
    if (
        sp is None
        or sp.water_strict_percentage is None
        or sp.bright_percentage is None
        or any(x.lo > 0.0 for x in maps)
        or valid < S2_MIN_VALID_PCT
        or sp.bright_percentage >= S2_BODY_BRIGHT_PCT
        or sp.water_strict_percentage >= S2_BODY_CLEAR_PCT
    ):
        return None
    return ClaimEvidence(
        [x.to_json() for x in maps]
        + [
            {
                "product": "sentinel2_water_index",
                "clear_water_pct_of_imaged": round(sp.water_strict_percentage, 3),
                "bright_pct_of_imaged": round(sp.bright_percentage, 3),
                "imaged_pct": round(valid, 2),
            }
        ],
        {
            "clear_water_below_pct": S2_BODY_CLEAR_PCT,
            "bright_below_pct": S2_BODY_BRIGHT_PCT,
            "imaged_from_pct": S2_MIN_VALID_PCT,
        },
        "+".join([x.product for x in maps] + ["sentinel2_water_index"]),
        "+".join([x.origin for x in maps] + [s2[0].origin]),
        note="no water pixel in any map and too little clear open water in the image for a water body",
    )


def _sea_far(g: Ground) -> float | None:
    """Distance (km) the sea is known to be beyond: SEA_KM when the land mask has no sea cell within
    SEA_KM of the tile centre, else None (the sea may be near)."""
    p = g.bundle.place
    if p is None:
        return None
    import numpy as np

    from geomeld.geo.reference import is_land

    step = 1.0  # km
    r = np.arange(-SEA_KM, SEA_KM + step, step)
    dy, dx = np.meshgrid(r, r, indexing="ij")
    inside = np.hypot(dy, dx) <= SEA_KM
    lat = p.lat + dy[inside] / 111.0
    lon = p.long + dx[inside] / (111.0 * max(0.05, float(np.cos(np.radians(p.lat)))))
    try:
        land = np.asarray(is_land(lat, lon), dtype=bool)
    except (OSError, ValueError):
        return None
    return SEA_KM if bool(land.all()) else None


def _water_maps(g: Ground) -> list[ShareRange]:
    """The map and occurrence layers' water intervals (land-cover water class, JRC occurrence)."""
    ranges = list(g.share_ranges("water"))
    w = g.bundle.water
    jrc = g.origin("jrc_occurrence") if g.bundle.origins else None
    if w is not None and w.jrc_percentage is not None and jrc is not None:
        # real JRC occurrence is complete; a substitute (mapped water polygons) only bounds from below
        jrc_hi = w.jrc_percentage if jrc == Origin.REAL.value else 100.0
        ranges.append(ShareRange("jrc_occurrence", jrc, w.jrc_percentage, jrc_hi, 100.0))
    return ranges


def check_water(claim: Claim, g: Ground) -> Result:
    ranges = _water_maps(g)
    w = g.bundle.water
    kind = claim.subject
    if kind == "sea" and claim.label == "near" and claim.value is None:
        # "near the coast", "a few km from the sea": the sea lies outside the tile
        far = _sea_far(g)
        if far is None:
            return _unverifiable("the sea may lie near this tile (land mask)")
    if kind == "sea":
        far = _sea_far(g)
        if far is not None:
            return (S if claim.negated else C), ClaimEvidence(
                {"sea_within_km": False},
                {"no_sea_within_km": far},
                "land mask (Köppen-Geiger 1 km, geomeld/data)",
                Origin.REAL.value,
                note=f"no sea within {far:g} km of the tile centre",
            )
    s2 = _s2_water(g)
    if s2 is not None:
        ranges.append(s2[0])
        core, valid = s2[1], s2[2]
        if claim.label == "large" and kind not in ("sea", "water") and not claim.negated:
            from geomeld.signals.optical import WATER_CORE_FLOOR

            if valid >= S2_MIN_VALID_PCT and core < LARGE_WATER_VISIBLE_PCT:
                return C, ClaimEvidence(
                    [
                        {
                            "product": "sentinel2_water_index",
                            "ndwi_positive_or_bright_pct_of_valid": round(core, 3),
                        }
                    ],
                    {
                        "large_body_needs_pct_of_valid": LARGE_WATER_VISIBLE_PCT,
                        "ndwi_above": WATER_CORE_FLOOR,
                    },
                    "sentinel2 (NDWI)",
                    s2[0].origin,
                    note=f"a large {kind} would show as open water in the image; none does",
                )
    if not ranges:
        return _unverifiable("no evidence water layer" + _why_skipped(g, "dynamic_world", "esa_worldcover"))
    if claim.label == "mapped" and claim.value is None:
        return check_mapped(claim, g, ranges)
    if (
        claim.value is None
        and claim.label not in ("minor", "trace", "dominant", "large")
        and kind in S2_DRY_KINDS
        and s2 is not None
    ):
        dry = _s2_no_water(s2, ranges)
        if dry is not None:
            return (S if claim.negated else C), dry
    if (
        claim.value is None
        and not claim.negated
        and claim.label in (None, "large")
        and kind in S2_BODY_KINDS
        and s2 is not None
    ):
        no_body = _s2_no_body(g, s2, ranges)
        if no_body is not None:
            return C, no_body
    per = []
    tol: Any = None
    for r in ranges:  # the whole interval decides (see WATER_MAP_COMPLETE_PCT)
        if claim.value is not None:
            v, tol = _number_rule(claim.value, Family.WATER.value, claim.hedged)(r.lo, r.hi)
            if v is U and r.product == "sentinel2_water_index":
                v = _s2_water_ceiling(claim.value, r.hi, claim.hedged)
            per.append(_flip(v) if claim.negated else v)
            continue
        if claim.negated:
            rule = _absent_rule(0.3, 1.0)
        elif claim.label == "dominant":
            rule = _dominant_rule(50.0, 35.0, 0.0)
        elif claim.label in ("minor", "trace"):
            rule = _minor_rule(0.3, 35.0)
        else:
            rule = _present_rule(0.3, 0.1)
        v, tol = rule(r.lo, r.hi)
        per.append(v)
    v = _combine(per)
    note = ""
    if kind != "water" and not claim.negated and v is S:
        # a named kind needs its kind proven: OSM tags, or stay unverifiable
        pairs = _WATER_OSM.get(kind, ())
        shape = (
            w.kind
            if w is not None
            and g.origin("dynamic_world" if w.method != "worldcover-only" else "esa_worldcover")
            else None
        )
        if pairs and g.osm_in_chip(pairs):
            note = f"OSM tags prove a {kind}"
        elif shape is not None and _WATER_SHAPE.get(kind) == shape:
            note = f"the largest water body is {shape} (elongation {w.largest_body_elongation})" if w else ""
        else:
            v, note = U, f"water present, but nothing here tells a {kind} from other water"
    if kind != "water" and claim.negated and v is C:
        pairs = _WATER_OSM.get(kind, ())
        if not (pairs and g.osm_in_chip(pairs)):
            v, note = U, f"water present, but no layer shows it is a {kind}"
    return v, ClaimEvidence(
        measured=[r.to_json() for r in ranges],
        tolerance=tol,
        layer="+".join(r.product for r in ranges),
        origin="+".join(r.origin for r in ranges),
        note=note,
    )


# ---- terrain, elevation, slope -----------------------------------------------------------------
def _no_dem(g: Ground) -> Result:
    return _unverifiable(
        "no evidence DEM" + _why_skipped(g, "aster"), "aster", g.layer_origin("aster").origin
    )


def check_terrain(claim: Claim, g: Ground) -> Result:
    t = g.bundle.terrain
    origin = g.section_origin("terrain", SLOPE_M)
    if t is None or origin is None:
        return _no_dem(g)
    s, relief = t.slope_mean, t.relief
    c = claim.subject
    forms: dict[str, tuple[str, ...]] = {
        "valley": ("Valley", "Hollow", "Pit", "Footslope"),
        "ridge": ("Ridge", "Peak", "Shoulder", "Spur"),
    }
    tol: dict[str, Any]
    if c == "flat":
        v, tol = _grade(s < 3, s > 8), {"flat_below_deg": 3.0, "not_flat_above_deg": 8.0}
    elif c == "gentle":
        v, tol = _grade(2 <= s <= 12, s < 1 or s > 20), {"gentle_deg": (2, 12)}
    elif c == "hilly":
        v, tol = _grade(s >= 6 or relief >= 60, s < 3 and relief < 30), {"hilly_from_deg": 6, "relief_m": 60}
    elif c == "steep":
        v, tol = (
            _grade(s >= 15 or relief >= 300, s < 7 and relief < 120),
            {"steep_from_deg": 15, "relief_m": 300},
        )
    elif c in forms:
        share = sum(t.forms.get(n, 0.0) for n in forms[c])
        v, tol = _grade(share >= 10, share < 2), {"forms_pct": [2, 10]}
    else:
        return _unverifiable(f"unknown terrain word {c!r}")
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        measured={"slope_mean_deg": round(s, 2), "relief_m": round(relief, 1), "class": t.terrain_class},
        tolerance=tol,
        layer="aster",
        origin=origin,
    )


def _numeric(claim: Claim, lo: float, hi: float, layer: str, origin: str, measured: Any) -> Result:
    if claim.value is None:
        return _unverifiable("no stated value", layer, origin)
    v, tol = interval_verdict(claim.value, lo, hi, claim.family, claim.hedged)
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        measured=measured, tolerance=tol, layer=layer, origin=origin
    )


def check_elevation(claim: Claim, g: Ground) -> Result:
    t = g.bundle.terrain
    origin = g.section_origin("terrain", ELEVATION_M)
    if t is None or origin is None:
        return _no_dem(g)
    m = {
        "mean": (t.elevation_mean, t.elevation_mean),
        "min": (t.elevation_min, t.elevation_min),
        "max": (t.elevation_max, t.elevation_max),
        "relief": (t.relief, t.elevation_max - t.elevation_min),
        "range": (t.elevation_min, t.elevation_max),
    }
    if claim.subject == "range" and claim.value is not None and claim.value.bound == Bound.BETWEEN:
        # "from 200 to 400 m": both ends checked
        lo_v = Value.about(claim.value.low or 0.0, "m")
        hi_v = Value.about(claim.value.high or 0.0, "m")
        a, _ = interval_verdict(lo_v, t.elevation_min, t.elevation_min, "elevation", claim.hedged)
        b, tol = interval_verdict(hi_v, t.elevation_max, t.elevation_max, "elevation", claim.hedged)
        v = S if a is S and b is S else C if C in (a, b) else U
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            measured={"min_m": round(t.elevation_min, 1), "max_m": round(t.elevation_max, 1)},
            tolerance=tol,
            layer="aster",
            origin=origin,
        )
    lo, hi = m.get(claim.subject, m["mean"])
    if claim.subject == "range":
        lo, hi = t.elevation_mean, t.elevation_mean
    measured = {claim.subject + "_m": [round(lo, 1), round(hi, 1)]}
    return _numeric(claim, min(lo, hi), max(lo, hi), "aster", origin, measured)


def check_slope(claim: Claim, g: Ground) -> Result:
    t = g.bundle.terrain
    origin = g.section_origin("terrain", SLOPE_M)
    if t is None or origin is None:
        return _no_dem(g)
    lo, hi = (t.slope_p90, t.slope_max) if claim.subject == "max" else (t.slope_mean, t.slope_mean)
    return _numeric(claim, lo, hi, "aster", origin, {claim.subject + "_deg": [round(lo, 2), round(hi, 2)]})


# ---- canopy, vegetation, SAR ---------------------------------------------------------------------
def check_canopy(claim: Claim, g: Ground) -> Result:
    cn = g.bundle.canopy
    origin = g.section_origin("canopy")
    if cn is None or origin is None:
        return _unverifiable(
            "no evidence canopy height" + _why_skipped(g, "canopy_height"),
            "canopy_height",
            g.layer_origin("canopy_height").origin,
        )
    measured = {
        "mean_m": round(cn.mean_height, 2),
        "p90_m": round(cn.p90_height, 2),
        "max_m": round(cn.max_height, 2),
    }
    if claim.subject in ("tall", "low"):
        if claim.subject == "tall":
            v, tol = _grade(cn.p90_height >= 15, cn.p90_height < 8), {"tall_p90_m": [8, 15]}
        else:
            v, tol = _grade(cn.p90_height < 10, cn.p90_height > 18), {"low_p90_m": [10, 18]}
        return (_flip(v) if claim.negated else v), ClaimEvidence(measured, tol, "canopy_height", origin)
    if claim.subject == "max_height":
        return _numeric(claim, cn.max_height, cn.max_height, "canopy_height", origin, measured)
    # typical height: between the mean over all pixels and the p90 (both readings are fair)
    return _numeric(claim, cn.mean_height, cn.p90_height, "canopy_height", origin, measured)


def check_vegetation(claim: Claim, g: Ground) -> Result:
    if claim.subject == "green_share":
        from geomeld.captioning.greenness import check_green_share

        return check_green_share(claim, g)
    if claim.subject == "green" and claim.label == "partial":
        from geomeld.captioning.greenness import check_partial_green

        return check_partial_green(claim, g)
    sp = g.bundle.spectral
    origin = g.section_origin("spectral")
    ndvi = sp.indices.get("NDVI") if sp is not None else None
    if claim.subject == "dense":
        trees = g.share_ranges("trees")
        if not trees:
            return _unverifiable("no evidence tree cover layer")
        v = _combine([_grade(r.lo >= 50, r.hi < 20) for r in trees])
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            [r.to_json() for r in trees],
            {"dense_trees_pct": [20, 50]},
            "+".join(r.product for r in trees),
            None,
        )
    if ndvi is None or origin is None:
        return _unverifiable("no evidence Sentinel-2 NDVI" + _why_skipped(g, "sentinel2"), "sentinel2")
    m = ndvi.mean
    if claim.value is not None:
        return _numeric(claim, m, m, "sentinel2", origin, {"ndvi_mean": round(m, 3)})
    green = sp.share_ndvi_above_0_5 if sp is not None else None
    tol: dict[str, Any]
    if claim.subject == "sparse":
        v, tol = _grade(m < 0.25, m > 0.45), {"sparse_ndvi_below": 0.25, "not_sparse_above": 0.45}
    elif claim.subject == "bare":  # "(almost) no vegetation" (grounding11)
        v, tol = _grade(m < 0.1, m > 0.45), {"bare_ndvi_below": 0.1, "vegetated_above": 0.45}
    elif claim.subject == "moderate":  # "moderate vigour": neither bare nor lush (grounding11)
        v, tol = (
            _grade(0.25 <= m <= 0.6, m < 0.12 or m > 0.75),
            {"moderate_ndvi": [0.25, 0.6], "contradicted_outside": [0.12, 0.75]},
        )
    else:
        # lush / vigorous: the tile mean NDVI ≥ 0.5; not so when the mean is under 0.3, or under 0.4
        # with less than a quarter of the pixels above 0.5 (dormant winter fields, snow, bare soil)
        not_green = m < 0.3 or (m < 0.4 and green is not None and green < 25.0)
        v, tol = (
            _grade(m >= 0.5, not_green),
            {
                "green_ndvi_from": 0.5,
                "not_green_below": 0.3,
                "not_green_below_0_4_when_vigorous_pixels_pct_under": 25.0,
            },
        )
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        {"ndvi_mean": round(m, 3)}, tol, "sentinel2", origin
    )


def check_sar(claim: Claim, g: Ground) -> Result:
    sar = g.bundle.sar
    origin = g.section_origin("sar")
    if sar is None or origin is None:
        return _unverifiable("no evidence Sentinel-1" + _why_skipped(g, "sentinel1"), "sentinel1")
    if claim.subject == "sar_optical_gap":  # "radar and optical taken the same day"
        return acquisition.check_gap(claim, g.bundle.acquisition, origin)
    if claim.subject == "vv_vs_vh":
        diffs = [o.vh_minus_vv_db for o in sar.orbits.values() if o.vh_minus_vv_db is not None]
        if not diffs:
            return _unverifiable("no orbit with both VV and VH", "sentinel1", origin)
        # left/other name the channels; label 'more' means left > other
        vv_minus_vh = -max(diffs) if claim.label == "more" else -min(diffs)
        left_minus_right = vv_minus_vh if (claim.other or "vh") == "vh" else -vv_minus_vh
        if claim.label == "less":
            left_minus_right = -left_minus_right
        v = _grade(left_minus_right > 1.0, left_minus_right < -1.0)
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {"vh_minus_vv_db": [round(x, 2) for x in diffs]}, {"margin_db": 1.0}, "sentinel1", origin
        )
    if claim.subject in ("orbit_asc", "orbit_desc"):  # "imaged on an ascending pass"
        want = claim.subject.removeprefix("orbit_")
        have = sorted(
            k for k, o in sar.orbits.items() if o.valid_percentage is None or o.valid_percentage > 0
        )
        if not have:
            return _unverifiable("no orbit with valid Sentinel-1 data", "sentinel1", origin)
        v = S if want in have else C
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {"orbits": have}, "the orbit direction of the Sentinel-1 scene used", "sentinel1", origin
        )
    if claim.subject == "vv_minus_vh":  # a difference stated as a magnitude ("a 4 to 9 dB gap")
        gaps = [abs(o.vh_minus_vv_db) for o in sar.orbits.values() if o.vh_minus_vv_db is not None]
        if not gaps or claim.value is None:
            return _unverifiable("no orbit with both VV and VH", "sentinel1", origin)
        value = claim.value
        lo_v = abs(value.low) if value.low is not None else None
        hi_v = abs(value.high) if value.high is not None else None
        said = replace(claim, value=replace(value, low=lo_v, high=hi_v))
        return _numeric(said, min(gaps), max(gaps), "sentinel1", origin, {"abs_vv_minus_vh_db": gaps})
    vv = [o.vv_db_mean for o in sar.orbits.values() if o.vv_db_mean is not None]
    vh = [o.vh_db_mean for o in sar.orbits.values() if o.vh_db_mean is not None]
    values = vh if claim.subject == "vh" else vv + vh if claim.subject == "sar" else vv
    if not values:
        return _unverifiable("no valid VV/VH", "sentinel1", origin)
    lo, hi = min(values), max(values)
    measured = {("vh" if claim.subject == "vh" else "vv") + "_db": [round(lo, 2), round(hi, 2)]}
    if claim.value is not None:
        return _numeric(claim, lo, hi, "sentinel1", origin, measured)
    if claim.subject == "bright":
        v, tol = _grade(lo > -9, hi < -14), {"bright_vv_above_db": -9, "not_bright_below_db": -14}
    elif claim.subject == "dark":
        v, tol = _grade(hi < -15, lo > -10), {"dark_vv_below_db": -15, "not_dark_above_db": -10}
    else:
        return _unverifiable(f"SAR statement {claim.subject!r} without a value", "sentinel1", origin)
    return (_flip(v) if claim.negated else v), ClaimEvidence(measured, tol, "sentinel1", origin)


# ---- OSM, season, place ----------------------------------------------------------------------
OSM_KIND_TAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "road": (("highway", "*"),),
    "motorway": (
        ("highway", "motorway"),
        ("highway", "motorway_link"),
        ("highway", "trunk"),
        ("highway", "trunk_link"),
    ),
    "major_road": tuple(
        ("highway", v)
        for v in ("motorway", "trunk", "primary", "secondary", "primary_link", "secondary_link")
    ),
    "minor_road": tuple(
        ("highway", v) for v in ("tertiary", "unclassified", "residential", "service", "living_street")
    ),
    "track": (("highway", "track"),),
    "path": tuple(
        ("highway", v) for v in ("path", "footway", "cycleway", "bridleway", "steps", "track", "pedestrian")
    ),
    "railway": tuple(
        ("railway", v)
        for v in ("rail", "light_rail", "narrow_gauge", "tram", "subway", "disused", "abandoned", "preserved")
    ),
    "building": (("building", "*"),),
    "bridge": (("bridge", "*"), ("man_made", "bridge")),
    "power_line": (("power", "line"), ("power", "minor_line"), ("power", "tower")),
    "solar": (("plant:source", "solar"), ("generator:source", "solar")),
    "parking": (("amenity", "parking"),),
    "airport": (("aeroway", "aerodrome"), ("aeroway", "runway"), ("aeroway", "taxiway")),
    "pier": (("man_made", "pier"),),
    "marina": (("leisure", "marina"), ("leisure", "slipway")),
    "quarry": (("landuse", "quarry"),),
    "industrial": (("landuse", "industrial"), ("building", "industrial"), ("building", "warehouse")),
    "golf": (("leisure", "golf_course"),),
    "sports": (("leisure", "pitch"), ("leisure", "stadium"), ("leisure", "sports_centre")),
    "park": (("leisure", "park"), ("leisure", "garden")),
    "cemetery": (("landuse", "cemetery"), ("amenity", "grave_yard")),
    "church": (("amenity", "place_of_worship"), ("building", "church"), ("building", "chapel")),
    "school": (("amenity", "school"), ("building", "school")),
    "farmyard": (("landuse", "farmyard"),),
    "orchard": (("landuse", "orchard"),),
    "vineyard": (("landuse", "vineyard"),),
    "storage_tank": (("man_made", "storage_tank"), ("man_made", "silo")),
    "beach": (("natural", "beach"),),
    "river": (("waterway", "river"),),
    "stream": (("waterway", "stream"),),
    "canal": (("waterway", "canal"),),
    "ditch": (("waterway", "ditch"), ("waterway", "drain")),
    "lake": (("water", "lake"),),
    "dam": (("waterway", "dam"), ("waterway", "weir")),
    "playground": (("leisure", "playground"),),
    "settlement": (("place", "*"), ("landuse", "residential"), ("building", "*")),
    "town": (("place", "town"), ("place", "city")),
    "village": (("place", "village"), ("place", "hamlet")),
    "city": (("place", "city"),),
}
"""What proves an object kind: its tag must match (a ``highway=path`` is not a motorway; a drain is not
a river). Absence of a tag is evidence of absence only where OSM answered with tags (a mapped area)."""

_BUILT_OBJECTS = {"building", "settlement", "town", "village", "city", "industrial"}


def check_osm(claim: Claim, g: Ground) -> Result:
    pairs = OSM_KIND_TAGS.get(claim.subject)
    if pairs is None:
        return _unverifiable(f"unknown object kind {claim.subject!r}")
    built = g.share_ranges("built")
    in_chip = g.osm_in_chip(pairs)
    anywhere = g.osm_anywhere(pairs)
    measured: dict[str, Any] = {"osm_in_chip": in_chip, "osm_within_outer_radius": anywhere}
    if built and claim.subject in _BUILT_OBJECTS:
        measured["built"] = [r.to_json() for r in built]
    layer = "osm"
    if claim.negated:
        if in_chip:
            return C, ClaimEvidence(measured, "a matching tag within the chip radius", layer, "real")
        if claim.subject in _BUILT_OBJECTS and built:
            # "no buildings" also checks the built land cover
            v = _combine([_two_sided(_absent_rule(0.5, 1.0), r.lo, r.hi)[0] for r in built])
            if v is C or (v is S and g.has_osm):
                return v, ClaimEvidence(
                    measured, {"absent_below": 0.5, "present_from": 1.0}, "osm+landcover", None
                )
            if v is S:
                return v, ClaimEvidence(
                    measured, {"absent_below": 0.5}, "+".join(r.product for r in built), None
                )
        if g.has_osm and not anywhere:
            return S, ClaimEvidence(measured, "no matching tag within the outer radius", layer, "real")
        return U, ClaimEvidence(
            measured, None, layer, "real" if g.has_osm else None, "OSM absent or incomplete"
        )
    if in_chip:
        return S, ClaimEvidence(measured, "a matching tag within the chip radius", layer, "real")
    if claim.subject in _BUILT_OBJECTS and built and claim.subject in ("building", "settlement"):
        v = _combine([_two_sided(_present_rule(0.5, 0.1), r.lo, r.hi)[0] for r in built])
        if v is not U:
            return v, ClaimEvidence(measured, {"present_from": 0.5, "absent_below": 0.1}, "landcover", None)
    if g.has_osm and not anywhere:
        return C, ClaimEvidence(
            measured, "OSM answered, no matching tag within the outer radius", layer, "real"
        )
    return U, ClaimEvidence(measured, None, layer, None, "no OSM evidence for this kind")


def check_season(claim: Claim, g: Ground) -> Result:
    p = g.bundle.place
    if p is None:
        return _unverifiable("no place/date signal")
    if claim.subject == "year":
        if p.year is None or claim.label is None:
            return _unverifiable("no acquisition year")
        v = S if str(p.year) == claim.label else C
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {"year": p.year}, "exact", "metadata", "real"
        )
    if claim.subject == "date":  # a full calendar date: ±1 day is left open (time zones, UTC)
        if p.date is None or claim.label is None:
            return _unverifiable("no acquisition date")
        import datetime as dt

        gap = abs((dt.date.fromisoformat(claim.label) - dt.date.fromisoformat(p.date)).days)
        v = S if gap == 0 else C if gap > 1 else U
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {"date": p.date}, {"days": 1}, "metadata", "real"
        )
    if claim.subject == "month":
        if p.month is None or claim.label is None:
            return _unverifiable("no acquisition month")
        v = S if str(p.month) == claim.label else C
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {"month": p.month}, "exact", "metadata", "real"
        )
    if p.season is None:
        return _unverifiable(
            "no season for this place/date" + (f" ({'; '.join(p.notes)})" if p.notes else "")
        )
    v = S if claim.subject == p.season else C
    return (_flip(v) if claim.negated else v), ClaimEvidence(
        {"season": p.season, "month": p.month}, "exact", "metadata", "real"
    )


def _norm(s: str | None) -> str:
    return " ".join((s or "").lower().replace("the ", "").split())


def check_place(claim: Claim, g: Ground) -> Result:
    from geomeld.captioning.places import place_verdict

    p = g.bundle.place
    if p is None:
        return _unverifiable("no place signal")
    said = _norm(claim.label)
    measured: dict[str, Any] = {
        "country": p.country,
        "continent": p.continent,
        "lat": round(p.lat, 4),
        "long": round(p.long, 4),
    }
    layer = "metadata"
    if claim.subject in ("latitude", "longitude", "utm_zone"):  # "52°27′46″N", "UTM zone 33N"
        from geomeld.captioning.coordinates import DEG_CONTRADICT, DEG_SUPPORT, coordinate_verdict

        ok, ev = coordinate_verdict(claim, p.lat, p.long)
        v = U if ok is None else S if ok else C
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {**measured, **ev},
            {"support_deg": DEG_SUPPORT, "contradict_deg": DEG_CONTRADICT},
            "metadata",
            "real",
        )
    if claim.subject == "town":  # "about 120 km from X", "just south of X", "right next to X"
        from geomeld.captioning.towns import town_verdict

        try:
            ok, ev = town_verdict(claim, p.lat, p.long)
        except (OSError, ValueError):
            return _unverifiable("place tables unavailable")
        v = U if ok is None else S if ok else C
        return (_flip(v) if claim.negated else v), ClaimEvidence(
            {**measured, "geonames": ev},
            "distance: about ±max(5 km, 15 %), contradicted beyond ±max(20 km, 50 %); bounds ± max(15 km, N); "
            "direction: contradicted 2 km the other way",
            "metadata+geonames_places",
            "real",
        )
    if claim.subject in ("country", "region", "relation", "unknown"):
        ok = place_verdict(claim.subject, said, p.country, p.lat, p.long)
        v = U if ok is None else S if ok else C
        gaz = _gazetteer_evidence(claim.subject, said, p.lat, p.long)
        if gaz:
            measured["geonames"] = gaz
            layer = "metadata+geonames_places"
    elif claim.subject == "continent":
        v = U if not p.continent else S if said == _norm(p.continent) else C
    elif claim.subject == "hemisphere":
        v = S if said.startswith(p.hemisphere[:5]) else C
    elif claim.subject == "climate":
        zone = _norm(p.climate_zone)
        v = U if not zone else S if said == zone else C
        measured["climate"] = zone
    else:
        return _unverifiable(f"place {claim.label!r} is not a name we can locate")
    return (_flip(v) if claim.negated else v), ClaimEvidence(measured, "inside the named area", layer, "real")


def _gazetteer_evidence(subject: str, said: str, lat: float, lon: float) -> dict[str, Any] | None:
    """The GeoNames distances behind a region or town decision (see :mod:`geomeld.captioning.gazetteer`)."""
    from geomeld.captioning import gazetteer
    from geomeld.captioning.places import REGIONS

    try:
        if subject == "relation" and said.startswith("near "):
            r = gazetteer.city_verdict(said.removeprefix("near "), lat, lon, "near")
        elif subject in ("region", "unknown") and said not in REGIONS:
            r = gazetteer.region_verdict(said, lat, lon) or gazetteer.city_verdict(said, lat, lon, "in")
        else:
            return None
    except (OSError, ValueError):
        return None
    return None if r is None else r[1]


def check_image_condition(claim: Claim, g: Ground) -> Result:
    from geomeld.captioning.conditions import check_image_condition as check

    if claim.subject == "reflectance":
        from geomeld.captioning.reflectance import check_reflectance

        return check_reflectance(claim, g)
    return check(claim, g)


CHECKS: dict[str, Callable[[Claim, Ground], Result]] = {
    Family.LANDCOVER_SHARE.value: check_landcover,
    Family.LANDCOVER_PRESENCE.value: check_landcover,
    Family.DOMINANCE.value: check_landcover,
    Family.WATER.value: check_water,
    Family.ELEVATION.value: check_elevation,
    Family.SLOPE.value: check_slope,
    Family.TERRAIN.value: check_terrain,
    Family.CANOPY.value: check_canopy,
    Family.VEGETATION.value: check_vegetation,
    Family.SAR.value: check_sar,
    Family.OSM_OBJECT.value: check_osm,
    Family.SEASON.value: check_season,
    Family.PLACE.value: check_place,
    Family.POSITION.value: check_position,
    Family.COMPARISON.value: check_comparison,
    Family.IMAGE_CONDITION.value: check_image_condition,
}


def check_claim(claim: Claim, g: Ground) -> Claim:
    if claim.subject == "unparsed":
        return claim.with_verdict(U, ClaimEvidence(note="the extractor did not understand this text"))
    if claim.family == Family.CONSISTENCY:
        return (
            claim
            if claim.verdict
            else claim.with_verdict(C, ClaimEvidence(note="conflicts with " + str(claim.other)))
        )
    try:
        verdict, ev = CHECKS[claim.family](claim, g)
    except (TypeError, ValueError, KeyError, ZeroDivisionError) as exc:
        verdict, ev = U, ClaimEvidence(note=f"check failed: {type(exc).__name__}: {exc}")
    return claim.with_verdict(verdict, ev)


@dataclass
class CaptionCheck:
    caption: str
    claims: list[Claim] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> CaptionVerdict:
        v = caption_verdict(self.claims)
        if self.problems and v is CaptionVerdict.VERIFIED:
            return CaptionVerdict.UNVERIFIABLE
        return v

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "claims": [
                {
                    k: c.to_dict()[k]
                    for k in ("text", "start", "end", "family", "subject", "polarity", "verdict", "evidence")
                }
                for c in self.claims
            ],
            "problems": list(self.problems),
        }


def check_claims(claims: Sequence[Claim], g: Ground) -> list[Claim]:
    from geomeld.captioning.consistency import consistency_claims

    checked = [check_claim(c, g) for c in claims]
    return checked + consistency_claims(checked)


def check_caption(caption: str, g: Ground, claims: Sequence[Claim] | None = None) -> CaptionCheck:
    """Verify a caption: its structured ``claims`` (when given) are checked, and the text must say
    nothing they do not (text claims ⊆ structured claims); free text alone is extracted first."""
    from geomeld.captioning.extract import extract_claims

    text_claims = extract_claims(caption)
    problems: list[str] = []
    if claims is not None:
        from geomeld.captioning.claims import span_problems

        problems += span_problems(caption, claims)
        have = {c.key() for c in claims}
        extra = [c for c in text_claims if c.key() not in have]
        problems += [f"text says {c.text!r} ({c.family}/{c.subject}) beyond its claim list" for c in extra]
        to_check = list(claims) + extra
    else:
        to_check = text_claims
    return CaptionCheck(caption=caption, claims=check_claims(to_check, g), problems=problems)
