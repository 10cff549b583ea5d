"""Shares, positions and comparisons as a new writer phrases them: areas in hectares, m², pixel counts
and proportions ("one cell in forty"), bound symbols, and the bounds a partly labelled map allows.
Sentences are written for these tests."""

from __future__ import annotations

import pytest

from geomeld.captioning.extract import extract_claims
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
