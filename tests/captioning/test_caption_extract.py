"""Free-text extraction, one test per linguistic phenomenon (the issue's failure classes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomeld.captioning.claims import FAMILIES, Claim
from geomeld.captioning.extract import extract_claims


def _find(caption: str, family: str, subject: str | None = None) -> list[Claim]:
    return [
        c for c in extract_claims(caption) if c.family == family and (subject is None or c.subject == subject)
    ]


def _one(caption: str, family: str, subject: str | None = None) -> Claim:
    got = _find(caption, family, subject)
    assert got, f"no {family}/{subject} claim in {caption!r}: {extract_claims(caption)}"
    return got[0]


@pytest.mark.parametrize(
    "caption, subject",
    [
        ("There isn't any tree cover.", "trees"),
        ("Not a single pond can be seen.", "pond"),
        ("Wetland is absent.", "wetland"),
        ("Marshland is nowhere to be found.", "wetland"),
        ("The scene is entirely free of wetland.", "wetland"),
        ("You won't find any farmland here.", "cropland"),
        ("A landscape without forest.", "trees"),
        ("The class reedy marsh has zero pixels.", "wetland"),
    ],
)
def test_negation_cues(caption: str, subject: str) -> None:
    claims = [c for c in extract_claims(caption) if c.subject == subject]
    assert claims and all(c.negated for c in claims), claims


def test_negation_scopes_over_coordination() -> None:
    claims = extract_claims("No forest or grassland anywhere, and the fields are extensive.")
    neg = {c.subject for c in claims if c.negated}
    assert {"trees", "grassland"} <= neg
    claims = extract_claims("Neither wooded land nor open grassland is mapped.")
    assert {c.subject for c in claims if c.negated} >= {"trees", "grassland"}
    claims = extract_claims("Forest and meadow are both absent.")
    assert {c.subject for c in claims if c.negated} >= {"trees", "grassland"}


def test_negation_does_not_leak_past_clause() -> None:
    claims = extract_claims("There is no water, but forest covers most of the tile.")
    assert _one("There is no water, but forest covers most of the tile.", "water").negated
    assert not [c for c in claims if c.subject == "trees" and c.negated]


def test_negated_terrain() -> None:
    assert _one("The ground is far from flat.", "terrain", "flat").negated
    assert _one("It is not flat at all.", "terrain", "flat").negated
    assert not _one("Flat farmland.", "terrain", "flat").negated


@pytest.mark.parametrize(
    "caption, low, bound",
    [
        ("Forest covers seventy percent of the tile.", 70.0, "about"),
        ("Forest covers nine-tenths of the tile.", 90.0, "about"),
        ("A quarter of the tile is forest.", 25.0, "about"),
        ("Forest covers less than 50 % of the tile.", 50.0, "at_most"),
        ("Forest covers about 50 % of the tile.", 50.0, "about"),
        ("Forest covers at least 40 percent of the tile.", 40.0, "at_least"),
        ("Forest covers twenty-one per cent of the tile.", 21.0, "about"),
        ("Forest covers well under 10 % of the image.", 10.0, "at_most"),
    ],
)
def test_quantities_and_bounds(caption: str, low: float, bound: str) -> None:
    c = _one(caption, "landcover_share", "trees")
    assert c.value is not None and c.value.low == pytest.approx(low, abs=0.1) and c.value.bound == bound


def test_ranges() -> None:
    c = _one("Cropland takes up 35 to 45% of the scene.", "landcover_share", "cropland")
    assert c.value is not None and (c.value.low, c.value.high, c.value.bound) == (35.0, 45.0, "between")
    c = _one("Cropland covers 20–30 % of the tile.", "landcover_share", "cropland")
    assert c.value is not None and (c.value.low, c.value.high) == (20.0, 30.0)


def test_numbers_attach_to_the_right_class() -> None:
    claims = extract_claims("Cropland at 20 % beside 65 % forest.")
    by = {c.subject: c.value.low for c in claims if c.family == "landcover_share" and c.value}
    assert by == {"cropland": 20.0, "trees": 65.0}
    claims = extract_claims("40 % forest and 30 % cropland.")
    by = {c.subject: c.value.low for c in claims if c.family == "landcover_share" and c.value}
    assert by == {"trees": 40.0, "cropland": 30.0}


@pytest.mark.parametrize(
    "caption", ["The bulk of the tile is forest.", "Forest makes up most of the tile.", "Mostly forest."]
)
def test_dominance_quantifiers(caption: str) -> None:
    assert _one(caption, "dominance", "trees").label == "most"


def test_mostly_with_a_position_is_a_position() -> None:
    claims = extract_claims("You find the farmland mostly in the south.")
    assert not [c for c in claims if c.family == "dominance"]
    assert _one("You find the farmland mostly in the south.", "position", "cropland").location == "south"


def test_largest_and_no_majority() -> None:
    assert _one("Scrub is the biggest single class on the map.", "dominance", "shrubland").label == "largest"
    c = _one("No single class covers more than half of the tile.", "dominance", "any")
    assert c.negated


@pytest.mark.parametrize(
    "caption, left, right, relation",
    [
        ("There is more shrubland than forest.", "shrubland", "trees", "more"),
        ("Scrub trails well behind forest cover.", "shrubland", "trees", "less"),
        ("Cropland outweighs herbaceous wetland.", "cropland", "wetland", "more"),
        ("Compared with marshland, water takes up more room.", "water", "wetland", "more"),
    ],
)
def test_comparisons(caption: str, left: str, right: str, relation: str) -> None:
    c = _one(caption, "comparison")
    assert (c.subject, c.other, c.label) == (left, right, relation)


def test_units_pick_the_family() -> None:
    assert _one("Elevation is around 580 metres.", "elevation").value.low == 580.0  # type: ignore[union-attr]
    assert _one("The tile sits at roughly 2,200 m above sea level.", "elevation").value.low == 2200.0  # type: ignore[union-attr]
    assert _one("Slopes average 12 degrees.", "slope").value.low == 12.0  # type: ignore[union-attr]
    assert _one("Trees reach heights of 30 metres.", "canopy").subject == "max_height"
    assert _one("The median VV return is −8 dB.", "sar", "vv").value.low == -8.0  # type: ignore[union-attr]
    assert _one("A lake of 0.4 km² lies here.", "water", "lake").value.low == pytest.approx(24.4, abs=0.1)  # type: ignore[union-attr]


def test_sea_level_is_elevation_not_water() -> None:
    claims = extract_claims("The land lies 40 m above sea level.")
    assert not [c for c in claims if c.family == "water"]
    assert _find("The land lies 40 m above sea level.", "elevation")


def test_place_names_with_class_words_are_places() -> None:
    claims = extract_claims("A view near the Black Forest in Germany.")
    assert not [c for c in claims if c.subject == "trees"]
    assert {c.subject for c in claims if c.family == "place"} >= {"region", "country"}


def test_hedges_and_positions() -> None:
    c = _one("Forest probably covers about 40 % of the tile.", "landcover_share", "trees")
    assert c.hedged
    assert _one("Built-up land sits in the SW corner.", "position", "built").location == "south-west"
    assert _one("Meadow hugs the bottom edge.", "position", "grassland").location == "south-edge"


def test_dates() -> None:
    claims = extract_claims("Shot in February 2017, a winter scene.")
    got = {(c.subject, c.label) for c in claims if c.family == "season"}
    assert {("month", "2"), ("year", "2017"), ("winter", None)} <= got


def test_text_not_understood_is_never_silently_dropped() -> None:
    claims = extract_claims("Quaint smugglers' coves dot the scene.")
    assert claims and all(c.subject == "unparsed" for c in claims)


_words = st.sampled_from(
    [
        "forest",
        "no",
        "not",
        "a",
        "single",
        "water",
        "40",
        "%",
        "of",
        "the",
        "tile",
        "more",
        "than",
        "cropland",
        "is",
        "absent",
        "flat",
        ",",
        ";",
        ".",
        "in",
        "the",
        "north",
        "seventy",
        "percent",
        "mostly",
        "less",
        "2,200",
        "m",
        "above",
        "sea",
        "level",
        "VV",
        "−8",
        "dB",
        "February",
        "2017",
        "Germany",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_words, max_size=25))
def test_spans_always_match_the_text(words: list[str]) -> None:
    caption = " ".join(words)
    for c in extract_claims(caption):
        assert caption[c.start : c.end] == c.text
        assert c.family in FAMILIES


def test_leftover_content_makes_the_clause_unverifiable() -> None:
    claims = extract_claims("The fields have a distinctive checkerboard pattern.")
    assert any(c.subject == "unparsed" and "checkerboard" in (c.label or "") for c in claims)
    # scaffolding and route verbs are not content
    assert not [
        c
        for c in extract_claims("Seen from high above, a river crosses the tile.")
        if c.subject == "unparsed"
    ]


def test_post_quantifier_after_a_cover_verb() -> None:
    assert _one("Shrubs blanket most of the tile.", "dominance", "shrubland").label == "most"
    assert _one("Urban areas occupy the majority of the image.", "dominance", "built").label == "most"


def test_labelled_fraction_claims() -> None:
    c = _one("Only under 5% of the tile carries a land-cover label.", "landcover_share", "labelled")
    assert c.value is not None and (c.value.low, c.value.bound) == (5.0, "at_most")
    c = _one("About a fifth of the tile is mapped; the rest is unlabelled.", "landcover_share", "labelled")
    assert c.value is not None and c.value.low == 20.0


def test_sentinel_names_are_not_numbers() -> None:
    c = _one("Sentinel-1 VH comes in at about −16 dB.", "sar", "vh")
    assert c.value is not None and c.value.low == -16.0


def test_direction_before_a_country_is_part_of_the_place() -> None:
    claims = extract_claims("The tile lies in eastern Germany — herbaceous wetland: 7.2 % of the tile.")
    assert not [c for c in claims if c.family == "position"]
    assert (
        _one(
            "The tile lies in eastern Germany — herbaceous wetland: 7.2 % of the tile.",
            "landcover_share",
            "wetland",
        ).value.low
        == 7.2
    )  # type: ignore[union-attr]


def test_negation_clause_joins_its_class() -> None:
    assert _one("Far from any forest, the tile has none of it.", "landcover_presence", "trees").negated


def test_one_quantifier_quantifies_one_class() -> None:
    claims = extract_claims("Trees are the dominant land cover, well ahead of grassland.")
    assert [c.subject for c in claims if c.family == "dominance"] == ["trees"]
    cmp_ = _one("Trees are the dominant land cover, well ahead of grassland.", "comparison")
    assert (cmp_.subject, cmp_.other, cmp_.label) == ("trees", "grassland", "more")


def test_idioms_are_not_leftovers() -> None:
    claims = extract_claims("Elevation is close to sea level, under 50 m.")
    assert not [c for c in claims if c.subject == "unparsed"]


def test_unlabelled_share_is_the_complement() -> None:
    c = _one("About 30 percent of the tile is unlabelled.", "landcover_share", "labelled")
    assert c.value is not None and c.value.low == 70.0
    c = _one("No-data covers less than 60 % of the tile.", "landcover_share", "labelled")
    assert c.value is not None and (c.value.low, c.value.bound) == (40.0, "at_least")


def test_signed_number_words_and_differences() -> None:
    c = _one("Co-polarised backscatter is around minus eleven decibels.", "sar", "vv")
    assert c.value is not None and c.value.low == -11.0
    claims = extract_claims("VV returns are stronger than VH returns by roughly 7 dB.")
    assert [c.subject for c in claims if c.family == "sar"] == ["vv_vs_vh"]
    c = _one("The average NDVI is negative.", "vegetation", "ndvi")
    assert c.value is not None and (c.value.low, c.value.bound) == (0.0, "at_most")


def test_lower_case_country_names_unless_ambiguous() -> None:
    assert _one("ok so we are in germany :)", "place").label == "germany"
    assert not [c for c in extract_claims("a turkey farm") if c.family == "place"]


@pytest.mark.parametrize(
    "attributed",
    [
        "Cropland covers about 30 % of the tile (according to OpenStreetMap land use), with forest in the north.",
        "Cropland covers about 30 % of the tile (as mapped by OpenStreetMap land use), with forest in the north.",
        "Cropland covers about 30 % of the tile (per OpenStreetMap land use), with forest in the north.",
        "According to OpenStreetMap land use, cropland covers about 30 % of the tile, with forest in the north.",
    ],
)
def test_source_attributions_claim_nothing(attributed: str) -> None:
    """The built-in realiser names substitute products; the extractor must read exactly the claims of
    the caption without the attribution (so caption-check and the pipeline agree on substitute layers)."""
    plain = "Cropland covers about 30 % of the tile, with forest in the north."
    got = [(c.family, c.subject, c.polarity) for c in extract_claims(attributed)]
    assert got == [(c.family, c.subject, c.polarity) for c in extract_claims(plain)]
    assert all(c.subject != "unparsed" for c in extract_claims(attributed))
