"""Shares, positions and comparisons as a new writer phrases them: areas in hectares, m², pixel counts
and proportions ("one cell in forty"), bound symbols, and the bounds a partly labelled map allows.
Sentences are written for these tests."""

from __future__ import annotations

import numpy as np
import pytest

from geomeld.captioning.check import check_caption
from geomeld.captioning.extract import extract_claims
from geomeld.captioning.ground import Ground
from geomeld.core.modalities import MODALITIES
from geomeld.signals.landcover import land_cover_signal
from geomeld.signals.models import SignalBundle, SpectralSignal
from tests.captioning.test_caption_check import bundle, claim_verdicts


def _share(text: str) -> tuple[str, float, str]:
    got = [c for c in extract_claims(text) if c.family == "landcover_share" and c.subject != "unparsed"]
    assert len(got) == 1, (text, got)
    v = got[0].value
    assert v is not None and v.low is not None
    return got[0].subject, round(v.low, 3), str(v.bound)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Orchards aside, only 8.192 ha of heathland", ("shrubland", 5.0, "at_most")),
        ("pasture spans about 49,152 m²", ("grassland", 3.0, "about")),
        ("at least 4,096 pixels are woodland", ("trees", 25.0, "at_least")),
        ("no more than 328 px (out of 16,384) show tilled fields", ("cropland", 2.002, "at_most")),
        ("woodland fills 1,024 of 16,384 pixels", ("trees", 6.25, "about")),
        ("heath share ≈ 0.125", ("shrubland", 12.5, "about")),
        ("arable land ≥ 40 % of the scene", ("cropland", 40.0, "at_least")),
        ("built-up land < 3 % of the frame", ("built", 3.0, "at_most")),
        ("hardly one cell in forty is heath", ("shrubland", 2.5, "at_most")),
        ("woods: one pixel out of ten", ("trees", 10.0, "about")),
        ("reeds are under a hundredth of the scene", ("wetland", 1.0, "at_most")),
        ("barely a twentieth is pasture, if that", ("grassland", 5.0, "at_most")),
    ],
)
def test_areas_counts_and_proportions_are_tile_shares(text: str, expected: tuple[str, float, str]) -> None:
    assert _share(text) == expected


def test_the_grid_size_is_not_a_share() -> None:
    for text in ("a 128 × 128 px crop over farmland", "16,384 pixels of farmland and woods"):
        assert not [c for c in extract_claims(text) if c.family == "landcover_share"], text


def test_partly_labelled_upper_and_lower_bounds() -> None:
    # the map labels 40 % of the tile; cropland is half of it: 20 % of the tile for sure, up to 80 %
    b = bundle({"Cropland": 50.0, "Grassland": 50.0}, valid=40.0)
    assert (
        claim_verdicts("Tilled fields < 4 % of the scene.", b)["landcover_share/cropland"] == "contradicted"
    )
    assert claim_verdicts("barely 5 ha of tilled fields", b)["landcover_share/cropland"] == "contradicted"
    assert claim_verdicts("at least 1,600 px are tilled fields", b)["landcover_share/cropland"] == "supported"
    assert (
        claim_verdicts("tilled fields < 50 % of the scene", b)["landcover_share/cropland"] == "unverifiable"
    )


# ---- where a class lies: exclusivity, absence in a part, edge strips, thirds -----------------------
def _placed_tile(labelled_all: bool = False) -> SignalBundle:
    """128 × 128 WorldCover labels: heath (20) in the top 30 rows of the western half; crops (40) in
    columns 100-127 of the southern half; the rest unlabelled (0) unless ``labelled_all`` (grass, 30)."""
    lab = np.full((128, 128), 30 if labelled_all else 0, dtype=np.uint8)
    lab[:30, :64] = 20
    lab[64:, 100:] = 40
    b = SignalBundle(key="t")
    b.landcover["esa_worldcover"] = land_cover_signal(lab[None], MODALITIES["esa_worldcover"])
    return b


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("the heath is confined to the NW quadrant", "unverifiable"),  # unlabelled pixels could hold more
        ("tilled fields are found only in the left half", "contradicted"),
        ("heath only in rows 64–127", "contradicted"),
        ("there is no heath in the upper-left quarter", "contradicted"),
        ("the top-left corner is free of heath", "contradicted"),
        ("everything except the west is free of tilled fields", "contradicted"),
        ("tilled fields keep more than 200 m away from the eastern edge", "contradicted"),
        ("no heath within 150 m of the northern border", "contradicted"),
        ("the eastern edge (first 30 px) has no tilled fields", "contradicted"),
        ("no tilled fields within 300 m of the western edge", "unverifiable"),
        ("tilled fields reach within 100 m of the southern edge", "supported"),
        ("some heath lies within the northernmost third", "supported"),
        ("heath occupies part of the central 640 m × 640 m", "contradicted"),  # none of it mapped there
        ("tilled fields occupy part of the lower-right quadrant", "supported"),
        ("tilled fields touch the western border", "contradicted"),
        ("roughly 100 % of the heath pixels lie in the north-west quadrant", "supported"),
        ("about 30 % of the heath pixels lie in the north-west quadrant", "contradicted"),
    ],
)
def test_placement_on_a_partly_labelled_map(text: str, verdict: str) -> None:
    got = [
        c for c in check_caption(text, Ground.from_bundle(_placed_tile())).claims if c.family == "position"
    ]
    assert [c.verdict for c in got] == [verdict], (text, got)


def test_exclusivity_is_supported_only_on_a_fully_labelled_map() -> None:
    g = Ground.from_bundle(_placed_tile(labelled_all=True))
    for text, verdict in (
        ("the heath is confined to the NW quadrant", "supported"),
        ("no tilled fields within 300 m of the western edge", "supported"),
        ("tilled fields stay in the north only", "contradicted"),
    ):
        got = [c.verdict for c in check_caption(text, g).claims if c.family == "position"]
        assert got == [verdict], text


def test_a_class_code_in_brackets_names_the_class() -> None:
    got = [c for c in extract_claims("all of the Cropland (WorldCover 40) lies in the SE quadrant only")]
    assert [(c.family, c.subject, c.location, c.label) for c in got] == [
        ("position", "cropland", "south-east", "only")
    ]


# ---- comparisons: ratios written as ratios, water against a class ---------------------------------
def _cmp(text: str) -> list[tuple[str, str | None, str | None, float | None, str | None]]:
    return [
        (c.subject, c.other, c.label, c.value.low if c.value else None, c.value.bound if c.value else None)
        for c in extract_claims(text)
        if c.family == "comparison"
    ]


def test_ratios_written_as_ratios() -> None:
    assert _cmp("the heath:woodland ratio is roughly 4:1") == [("shrubland", "trees", "ratio", 4.0, "about")]
    assert _cmp("The mapped Grassland (class 30)/built-up ratio exceeds 3:1") == [
        ("grassland", "built", "ratio", 3.0, "at_least")
    ]
    assert _cmp("a pasture to woodland ratio of 1:2") == [("grassland", "trees", "ratio", 0.5, "about")]


def _wet_tile(mapped_water: float, strict: float) -> SignalBundle:
    """The map labels 50 % of the tile: cropland 20 % of it (10 % of the tile) and water; Sentinel-2
    sees ``strict`` % of the tile as clear open water."""
    b = bundle(
        {"Cropland": 20.0, "Permanent water bodies": mapped_water, "Tree cover": 80.0 - mapped_water},
        valid=50.0,
        origins={"esa_worldcover": "substitute", "sentinel2": "real"},
    )
    b.spectral = SpectralSignal(
        valid_percentage=100.0,
        water_index_percentage=60.0,  # winter fields and frost pass NDWI > -0.05: no bound
        water_core_percentage=45.0,
        water_strict_percentage=strict,
        bright_percentage=0.0,
    )
    return b


def test_water_against_a_class_uses_both_water_sources() -> None:
    dry = _wet_tile(mapped_water=2.0, strict=1.0)  # water ~1 % of the tile, cropland 10 %
    got = claim_verdicts("at least twice as much open water as tilled land", dry)
    assert got["comparison/water"] == "contradicted"
    assert claim_verdicts("open water > tilled land", dry)["comparison/water"] == "contradicted"
    assert claim_verdicts("tilled land exceeds the lake area", dry)["comparison/cropland"] == "supported"
    # the map holds 1 % water, but Sentinel-2 sees a lake over 30 % of the tile: not contradicted
    lake = _wet_tile(mapped_water=2.0, strict=30.0)
    assert (
        claim_verdicts("there is more open water than tilled land", lake)["comparison/water"]
        != "contradicted"
    )


def test_small_stated_shares_against_the_labelled_share() -> None:
    # the map labels 30 % of the tile; heath is a fifth of it: 6 % of the tile for sure
    b = bundle({"Shrubland": 20.0, "Cropland": 80.0}, valid=30.0)
    assert (
        claim_verdicts("heath covers under 2.5 % of the scene", b)["landcover_share/shrubland"]
        == "contradicted"
    )
    assert (
        claim_verdicts("heath covers about 2 % of the scene", b)["landcover_share/shrubland"]
        == "contradicted"
    )
    assert (
        claim_verdicts("heath covers under 5 % of the scene", b)["landcover_share/shrubland"]
        == "unverifiable"
    )
    assert (
        claim_verdicts("heath covers about 5 % of the scene", b)["landcover_share/shrubland"]
        == "unverifiable"
    )


def test_index_and_band_comparisons() -> None:
    from geomeld.signals.models import IndexStats

    b = bundle({"Cropland": 100.0}, origins={"sentinel2": "real", "esa_worldcover": "real"})
    b.spectral = SpectralSignal(
        indices={
            "NDVI": IndexStats(mean=0.35, p10=0.1, p50=0.35, p90=0.6),
            "NDWI": IndexStats(mean=-0.3, p10=-0.5, p50=-0.3, p90=-0.1),
        }
    )
    assert claim_verdicts("the average NDWI is higher than the NDVI", b)["comparison/ndwi"] == "contradicted"
    assert claim_verdicts("mean NDVI tops mean NDWI", b)["comparison/ndvi"] == "supported"
    assert claim_verdicts("B04 is darker than B08", b)["comparison/red"] == "supported"
    assert claim_verdicts("red reflectance exceeds NIR reflectance", b)["comparison/red"] == "contradicted"


def test_a_handful_or_a_speck_is_a_trace() -> None:
    b = bundle({"Cropland": 50.0, "Grassland": 50.0}, valid=40.0)  # cropland: 20 % of the tile for sure
    for text in ("only a handful of arable land pixels", "a tiny speck of arable fields, no more"):
        got = [c for c in check_caption(text, Ground.from_bundle(b)).claims if c.subject == "cropland"]
        assert [(c.label, c.verdict) for c in got] == [("trace", "contradicted")], text


def test_a_class_code_in_brackets_is_part_of_the_name() -> None:
    got = [
        (c.family, c.subject, c.label)
        for c in extract_claims("Heath is at least twice the Cropland (class 40) area")
    ]
    assert got == [("comparison", "shrubland", "ratio")]
    got = [
        (c.family, c.subject, c.polarity)
        for c in extract_claims("no sign of Grassland (ESA WorldCover class 30)")
    ]
    assert got == [("landcover_presence", "grassland", "negated")]
    # a quantifier of a measurement after the comma is not the class's
    got = [c.family for c in extract_claims("no Wetland (class 90) at all, NDVI values are mostly under 0.3")]
    assert "dominance" not in got
