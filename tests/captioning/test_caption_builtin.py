"""The built-in captioner: claims planned from the signals, realised as text that says nothing else.

Property tests (hypothesis) draw signal bundles and layer origins; for every candidate the claim
spans must equal the caption text, the text outside the spans must carry no claim words, each
claim must follow from the drawn signals (shares of the TILE, thresholds with a margin), nothing may
come from a relocated/absent/too-coarse layer, and each caption states at least 3 facts.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caption_fixtures import load_samples
from geomeld.captioning.builtin import BuiltinCaptioner
from geomeld.captioning.claims import CLAIM_SCHEMA_VERSION, Bound, ClaimList
from geomeld.captioning.lexicon import LANDCOVER_CONCEPTS
from geomeld.captioning.pipeline import CaptionPipeline
from geomeld.captioning.plan import NOUNS, plan, tile_covers
from geomeld.captioning.report import distinct_n
from geomeld.core.modalities import MODALITIES
from geomeld.signals import compute_signals
from geomeld.signals.models import (
    CanopySignal,
    ClassShare,
    IndexStats,
    LandCoverSignal,
    OrbitSar,
    OsmSignal,
    PlaceSignal,
    SarSignal,
    SignalBundle,
    SpectralSignal,
    TerrainSignal,
)

WC = MODALITIES["esa_worldcover"].classes
assert WC is not None
SECTORS = ("north", "south", "east", "west", "north-west", "south-east", "centre", "scattered", "throughout")
SEASONS = ("winter", "spring", "summer", "autumn")


@st.composite
def bundles(draw: Any) -> tuple[SignalBundle, dict[str, Any]]:
    """A signal bundle and a provenance with a drawn origin for every layer."""
    b = SignalBundle(key="k")
    origins: dict[str, dict[str, Any]] = {}

    def origin(key: str) -> None:
        o = draw(st.sampled_from(("real", "real", "substitute", "coarse", "relocated", "absent")))
        rec: dict[str, Any] = {"origin": o}
        if o == "substitute":
            rec["product"] = draw(st.sampled_from(("OpenStreetMap land use", "Sentinel-2 L1C")))
        if o == "coarse":
            rec["resolution_m"] = draw(st.sampled_from((30.0, 5550.0)))
        origins[key] = rec

    for key in ("sentinel2", "sentinel1", "aster", "canopy_height", "esa_worldcover"):
        origin(key)
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(WC.names), min_size=1, max_size=5, unique=True))
        weights = [draw(st.floats(0.1, 10.0)) for _ in names]
        total = sum(weights)
        classes = [
            ClassShare(
                code=WC.codes[WC.names.index(n)],
                name=n,
                percentage=min(100.0, 100 * w / total),
                location=draw(st.sampled_from(SECTORS)),
            )
            for n, w in zip(names, weights, strict=True)
        ]
        classes.sort(key=lambda c: -c.percentage)
        b.landcover["esa_worldcover"] = LandCoverSignal(
            product="esa_worldcover",
            valid_percentage=draw(st.sampled_from((100.0, 99.8, 60.0, 7.0))),
            classes=classes,
        )
    if draw(st.booleans()):
        zmin = draw(st.floats(-20, 3000))
        span = draw(st.floats(0, 900))
        slope = draw(st.floats(0, 40))
        b.terrain = TerrainSignal(
            terrain_class="Slope",
            forms={
                "Valley": draw(st.floats(0, 30)),
                "Hollow": draw(st.floats(0, 30)),
                "Ridge": draw(st.floats(0, 30)),
            },
            elevation_min=zmin,
            elevation_max=zmin + span,
            elevation_mean=zmin + span * draw(st.floats(0, 1)),
            relief=span * 0.9,
            slope_mean=slope,
            slope_p90=slope * 1.5,
            slope_max=slope * 2,
            slope_source="computed",
        )
    if draw(st.booleans()):
        mean = draw(st.floats(0, 35))
        p90 = mean + draw(st.floats(0, 15))
        b.canopy = CanopySignal(
            valid_percentage=90,
            mean_height=mean,
            p90_height=p90,
            max_height=p90 + 3,
            share_above_5m=draw(st.floats(0, 100)),
        )
    if draw(st.booleans()):
        m = draw(st.floats(-0.2, 0.9))
        b.spectral = SpectralSignal(
            indices={"NDVI": IndexStats(mean=m, p10=m - 0.1, p50=m, p90=m + draw(st.floats(0, 0.3)))}
        )
    if draw(st.booleans()):
        b.sar = SarSignal(orbits={"asc": OrbitSar(vv_db_mean=draw(st.floats(-25, -3)), valid_percentage=80)})
    if draw(st.booleans()):
        b.osm = OsmSignal(
            source="metadata",
            radii_m=[640.0],
            tags_by_radius={
                "640": {"highway": ["residential", "track"], "railway": ["rail"], "building": ["yes"]}
            },
        )
    b.place = PlaceSignal(
        lat=50.0,
        long=10.0,
        hemisphere="northern",
        month=1,
        season=draw(st.sampled_from((*SEASONS, None))),
        country=draw(st.sampled_from(("Germany", "United States of America", None))),
        continent=draw(st.sampled_from(("Europe", None))),
    )
    return b, {"modalities": origins}


def _usable(prov: dict[str, Any], key: str) -> bool:
    rec = prov["modalities"][key]
    return rec["origin"] in ("real", "substitute") or (
        rec["origin"] == "coarse" and rec["resolution_m"] <= 100
    )


SECTION_OF = {
    "terrain": "aster",
    "elevation": "aster",
    "slope": "aster",
    "canopy": "canopy_height",
    "sar": "sentinel1",
}
CLAIM_WORDS = sorted(
    {w for c in LANDCOVER_CONCEPTS for w in c.words if len(w) > 3}
    | {"flat", "hilly", "steep", "valley", "ridge", "slope", "elevation", "tall", "green", "sparse", "dense"}
    | {"winter", "summer", "spring", "autumn", "germany", "europe", "road", "railway", "buildings", "radar"},
    key=len,
    reverse=True,
)


def _residual(caption: str, spans: list[tuple[int, int]]) -> str:
    chars = list(caption)
    for s, e in spans:
        for i in range(s, e):
            chars[i] = " "
    return "".join(chars).lower()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles(), st.integers(0, 1000))
def test_text_states_exactly_the_planned_claims_and_they_follow_from_the_signals(drawn, seed: int) -> None:  # type: ignore[no-untyped-def]
    bundle, prov = drawn
    cands = BuiltinCaptioner().candidates("k", bundle, 3, seed=seed, provenance=prov)
    p = plan(bundle, prov)
    if p.n_claims < 3:
        assert cands == []
        return
    covers = (
        {c.concept: c for c in tile_covers(bundle, "esa_worldcover")}
        if "esa_worldcover" in bundle.landcover
        else {}
    )
    for r in cands:
        cap = r.caption
        assert len(r.claims) >= 3
        # spans are exact; outside them no claim word and no number
        assert ClaimList(cap, r.claims).check_spans() == []
        rest = _residual(cap, [(c.start, c.end) for c in r.claims])
        rest = re.sub(r"\([^)]*\)|according to [^,]*,", " ", rest)  # the substitute product's name
        assert not re.search(r"\d", rest), (cap, rest)
        for w in CLAIM_WORDS:
            assert not re.search(rf"\b{re.escape(w)}\b", rest), (w, cap, rest)
        # grammar basics
        assert cap[0].isupper() and cap.endswith(".") and "  " not in cap and " ," not in cap
        assert not re.search(r"\ba [aeiou]", cap.lower()) and ".." not in cap
        for sentence in re.split(r"(?<=\.) ", cap):
            assert sentence[0].isupper(), cap
        for c in r.claims:
            layer = SECTION_OF.get(c.family)
            if c.family in ("landcover_share", "landcover_presence", "dominance", "position", "comparison"):
                layer = "esa_worldcover"
            if c.family == "vegetation" and c.subject in ("green", "sparse"):
                layer = "sentinel2"
            if layer is not None:
                assert _usable(prov, layer), (c, prov["modalities"][layer])
            t = bundle.terrain
            if c.family == "terrain" and t is not None:
                s = t.slope_mean
                ok = {
                    "flat": s < 3,
                    "gentle": 2 <= s <= 12,
                    "hilly": s >= 6,
                    "steep": s >= 15 or t.relief >= 300,
                }
                assert ok.get(c.subject, True), (c.subject, s)
            if c.family == "dominance" and c.polarity == "affirmed":
                cv = covers[c.subject]
                assert cv.lo > 50 or (
                    c.label == "largest" and all(cv.lo > o.hi for o in covers.values() if o is not cv)
                )
            if c.family == "landcover_share" and c.value is not None:
                cv = covers[c.subject]
                if c.value.bound == Bound.AT_LEAST:
                    assert c.value.low is not None and cv.lo >= c.value.low
                else:
                    assert (
                        c.value.low is not None
                        and abs(c.value.low - cv.lo) <= 8
                        and abs(c.value.low - cv.hi) <= 8
                    )
            if c.family == "landcover_presence" and c.polarity == "negated":
                assert c.subject not in covers or covers[c.subject].hi < 0.5
            if c.family == "elevation" and c.subject == "mean" and t is not None:
                assert c.value is not None and abs((c.value.low or 0) - t.elevation_mean) <= 10
            if c.family == "season":
                assert bundle.place is not None and c.subject == bundle.place.season


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Any]:
    return {k: (s, compute_signals(s)) for k, s in load_samples().items()}


def test_deterministic_per_seed_and_different_across_seeds(fixtures) -> None:  # type: ignore[no-untyped-def]
    gen = BuiltinCaptioner()
    _s, b = fixtures["slovenia"]
    a = [r.caption for r in gen.candidates("slovenia", b, 5, seed=3)]
    assert a == [r.caption for r in gen.candidates("slovenia", b, 5, seed=3)]
    assert len(set(a)) == 5
    assert a != [r.caption for r in gen.candidates("slovenia", b, 5, seed=4)]


def test_variety_of_frames_and_phrasing(fixtures) -> None:  # type: ignore[no-untyped-def]
    gen = BuiltinCaptioner()
    texts: list[str] = []
    frames: Counter[str] = Counter()
    for k, (s, b) in fixtures.items():
        for seed in range(20):  # 10 samples × 20 = 200 captions
            r = gen.candidates(k, b, 1, seed=seed, provenance=s.metadata.provenance)[0]
            texts.append(r.caption)
            frames.update(set(r.frames))
    top = max(frames.values()) / len(texts)
    d1, d2, d3 = (distinct_n(texts, n) for n in (1, 2, 3))
    print(
        f"\n{len(texts)} captions: {len(frames)} frames, the most used in {top:.1%}; distinct-1/2/3 {d1:.3f} {d2:.3f} {d3:.3f}"
    )
    assert len(texts) == 200 and len(frames) >= 20 and top <= 0.15
    assert d2 >= 0.12 and d3 >= 0.25  # measured 0.152 and 0.299 (10 fixture samples, 20 seeds)


def test_real_samples_describe_what_the_rasters_hold(fixtures) -> None:  # type: ignore[no-untyped-def]
    gen = BuiltinCaptioner()
    s, b = fixtures["slovenia"]  # a forested hillside: DEM + land cover
    caps = gen.candidates("slovenia", b, 8, seed=0, provenance=s.metadata.provenance)
    subjects = {(c.family, c.subject) for r in caps for c in r.claims}
    assert ("terrain", "hilly") in subjects and ("terrain", "flat") not in subjects
    assert any(
        sub == "trees" and f in ("dominance", "landcover_share", "landcover_presence") for f, sub in subjects
    )
    lake_s, lake_b = fixtures["brandenburg_5"]
    lake = gen.candidates("brandenburg_5", lake_b, 8, seed=0, provenance=lake_s.metadata.provenance)
    assert any(c.subject == "water" for r in lake for c in r.claims)


def test_relocated_and_region_scale_layers_are_never_described(fixtures) -> None:  # type: ignore[no-untyped-def]
    _s, b = fixtures["slovenia"]
    prov = {
        "modalities": {
            "aster": {"origin": "relocated"},
            "esa_worldcover": {"origin": "coarse", "resolution_m": 5550.0},
            "dynamic_world": {"origin": "absent"},
            "sentinel2": {"origin": "real"},
        }
    }
    for r in BuiltinCaptioner().candidates("slovenia", b, 6, seed=1, provenance=prov):
        fams = {c.family for c in r.claims}
        assert not fams & {
            "terrain",
            "elevation",
            "slope",
            "landcover_share",
            "dominance",
            "landcover_presence",
        }


def test_pipeline_stores_claims_under_the_schema_version_and_skips_samples_without_imagery(fixtures) -> None:  # type: ignore[no-untyped-def]
    pipe = CaptionPipeline()
    s, _ = fixtures["brandenburg_5"]
    out = pipe.caption_into(s)
    assert out.status == "verified"
    stored = s.metadata.caption_report["claims"]  # type: ignore[index]
    assert stored["version"] == CLAIM_SCHEMA_VERSION
    cl = ClaimList.from_dict(stored)
    assert cl.caption == s.metadata.caption and len(cl.claims) >= 3 and cl.check_spans() == []
    s2, _ = fixtures["slovenia"]  # a DEM and land cover, but no imagery at all
    for key in ("sentinel2", "naip", "sentinel1"):
        if key in s2.arrays:
            s2.arrays[key] = MODALITIES[key].empty()
    out2 = pipe.caption_into(s2)
    assert out2.status == "no_imagery" and s2.metadata.caption is None
    assert "no imagery" in out2.report["reason"]


def test_nouns_cover_every_concept_the_planner_states() -> None:
    assert {c.name for c in LANDCOVER_CONCEPTS if c.name != "fields"} <= set(NOUNS)


def test_caption_check_with_the_claims_agrees_with_the_pipeline(fixtures) -> None:  # type: ignore[no-untyped-def]
    """The pipeline checks planned claims without extraction; caption-check, given the same claims,
    also extracts the text and requires text ⊆ claims: the verdicts must agree."""
    from geomeld.captioning.check import check_caption
    from geomeld.captioning.ground import Ground
    from geomeld.captioning.pipeline import check_planned

    gen = BuiltinCaptioner()
    n = 0
    for k, (s, b) in fixtures.items():
        g = Ground.from_bundle(b)
        for seed in range(5):
            for r in gen.candidates(k, b, 2, seed=seed, provenance=s.metadata.provenance):
                full = check_caption(r.caption, g, r.claims)
                fast = check_planned(r.caption, r.claims, g, max_words=90)
                assert fast.check is not None and full.verdict == fast.check.verdict, (
                    r.caption,
                    full.problems,
                )
                assert full.verdict.value == "verified"
                n += 1
    assert n >= 90
