"""The claim schema: families, JSON round trip, span check, caption verdict rule."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomeld.captioning.claims import (
    CLAIM_SCHEMA_VERSION,
    FAMILIES,
    LOCATIONS,
    TOLERANCES,
    Bound,
    CaptionVerdict,
    Claim,
    ClaimEvidence,
    ClaimList,
    Value,
    Verdict,
    caption_verdict,
    span_problems,
)

EXPECTED_FAMILIES = [
    "landcover_share",
    "landcover_presence",
    "dominance",
    "water",
    "elevation",
    "slope",
    "terrain",
    "canopy",
    "vegetation",
    "sar",
    "osm_object",
    "season",
    "place",
    "position",
    "comparison",
    "consistency",
    "image_condition",
]


def test_family_list_is_the_documented_contract() -> None:
    assert list(FAMILIES) == EXPECTED_FAMILIES


_finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
_values = st.builds(
    Value,
    low=st.none() | _finite,
    high=st.none() | _finite,
    bound=st.sampled_from([b.value for b in Bound]),
    unit=st.sampled_from(["", "%", "m", "°", "km²"]),
)
_evidence = st.builds(
    ClaimEvidence,
    measured=st.none() | _finite | st.text(max_size=8),
    tolerance=st.none() | _finite,
    layer=st.none() | st.sampled_from(["esa_worldcover", "aster", "osm"]),
    origin=st.none() | st.sampled_from(["real", "substitute", "coarse"]),
    note=st.text(max_size=20),
)


@st.composite
def claims(draw: st.DrawFn) -> tuple[str, Claim]:
    caption = draw(st.text(min_size=1, max_size=60))
    start = draw(st.integers(0, len(caption)))
    end = draw(st.integers(start, len(caption)))
    verdict = draw(st.none() | st.sampled_from([v.value for v in Verdict]))
    claim = Claim(
        family=draw(st.sampled_from(FAMILIES)),
        subject=draw(st.text(min_size=1, max_size=12)),
        start=start,
        end=end,
        text=caption[start:end],
        polarity=draw(st.sampled_from(["affirmed", "negated"])),
        value=draw(st.none() | _values),
        label=draw(st.none() | st.text(max_size=10)),
        other=draw(st.none() | st.text(max_size=10)),
        location=draw(st.none() | st.sampled_from(LOCATIONS)),
        hedge=draw(st.sampled_from(["none", "hedged"])),
        verdict=verdict,
        evidence=draw(_evidence) if verdict is not None else None,
    )
    return caption, claim


@given(claims())
def test_claim_json_round_trip(pair: tuple[str, Claim]) -> None:
    caption, claim = pair
    back = Claim.from_dict(json.loads(json.dumps(claim.to_dict())))
    if claim.evidence is None and claim.verdict is not None:
        back.evidence = None
    assert back == claim
    assert span_problems(caption, [claim]) == []


@given(st.lists(claims(), max_size=5))
def test_claim_list_round_trip_keeps_version(pairs: list[tuple[str, Claim]]) -> None:
    for caption, claim in pairs:
        cl = ClaimList(caption=caption, claims=[claim])
        back = ClaimList.from_json(cl.to_json())
        assert back.version == CLAIM_SCHEMA_VERSION
        assert back.claims == cl.claims


def test_span_mismatch_reported() -> None:
    c = Claim(family="terrain", subject="flat", start=0, end=4, text="hill")
    assert span_problems("flat land", [c])
    assert (
        span_problems("flat land", [Claim(family="terrain", subject="flat", start=0, end=4, text="flat")])
        == []
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"family": "weather", "subject": "rain"},
        {"family": "terrain"},
        {"family": "terrain", "subject": "flat", "polarity": "maybe"},
        {"family": "terrain", "subject": "flat", "location": "up"},
        {"family": "terrain", "subject": "flat", "verdict": "true"},
        {"family": "landcover_share", "subject": "trees", "value": {"low": "ten", "bound": "about"}},
        {"family": "landcover_share", "subject": "trees", "value": {"low": 1, "bound": "roughly"}},
        {"family": "terrain", "subject": "flat", "start": 5, "end": 2},
    ],
)
def test_bad_claims_rejected_with_the_key(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Claim.from_dict(bad)


def test_wrong_schema_version_rejected() -> None:
    with pytest.raises(ValueError, match="version"):
        ClaimList.from_dict({"version": "geomeld-claims-0", "caption": "x", "claims": []})


def _c(verdict: str) -> Claim:
    return Claim(family="terrain", subject="flat", verdict=verdict)


def test_caption_verdict_rule() -> None:
    assert caption_verdict([]) is CaptionVerdict.UNVERIFIABLE
    assert caption_verdict([_c("supported"), _c("supported")]) is CaptionVerdict.VERIFIED
    assert caption_verdict([_c("supported"), _c("unverifiable")]) is CaptionVerdict.UNVERIFIABLE
    assert (
        caption_verdict([_c("supported"), _c("contradicted"), _c("unverifiable")])
        is CaptionVerdict.CONTRADICTED
    )


@given(st.sampled_from(sorted(TOLERANCES)), st.floats(0, 1000), st.booleans())
def test_tolerance_bands_ordered(family: str, stated: float, hedged: bool) -> None:
    s, c = TOLERANCES[family].widths(stated, hedged)
    assert 0 < s <= c
    s0, c0 = TOLERANCES[family].widths(stated, False)
    assert s >= s0 and c >= c0
