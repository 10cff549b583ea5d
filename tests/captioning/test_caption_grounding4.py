"""Mechanisms added after the third sealed split: a class placed in a corner or quadrant without a
concentration word is a presence there (some of it lies there), not where most of it lies. Sentences are
written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from tests.captioning.test_caption_check import bundle, claim_verdicts

PARTS = {
    "Tree cover": {"north-west": 0.12, "south-east": 0.0, "north": 0.3, "south": 0.7},
    "Cropland": {"north-west": 0.6, "south-east": 0.1, "north": 0.8, "south": 0.2},
}


def _position_label(text: str) -> str | None:
    return next(c.label for c in extract_claims(text) if c.family == "position")


def test_presence_or_concentration_reading() -> None:
    assert _position_label("A few woods sit in the upper-left corner.") == "some"
    assert _position_label("Woodland turns up in the north-western quadrant.") == "some"
    assert _position_label("The woodland is mostly in the north-western quadrant.") == "most"
    assert _position_label("The bulk of the farmland lies in the south.") == "most"
    assert _position_label("Farmland in the south.") is None


def test_some_of_a_class_in_a_corner() -> None:
    b = bundle({"Tree cover": 10.0, "Cropland": 90.0}, parts=PARTS)
    # 12 % of the trees lie in the north-west quarter: some woodland is there, most is not
    assert claim_verdicts("A few woods sit in the upper-left corner.", b)["position/trees"] == "supported"
    assert (
        claim_verdicts("Woodland turns up in the north-western quadrant.", b)["position/trees"] == "supported"
    )
    assert (
        claim_verdicts("Woodland lies mainly in the north-west corner.", b)["position/trees"]
        == "contradicted"
    )
    # none of the trees in the south-east quarter: even "some" is false
    assert claim_verdicts("Some woodland in the south-east corner.", b)["position/trees"] == "contradicted"
    # a side without a presence word still reads as where most of it lies
    assert claim_verdicts("Woodland in the north.", b)["position/trees"] == "contradicted"


def _claims(text: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.family, c.subject, c.label, c.other) for c in extract_claims(text)]


def test_a_line_break_ends_a_statement() -> None:
    claims = _claims("Overview\n- Meadows (mapped): about 7 %\n- a little farmland in the lower-right corner")
    shares = [c for c in extract_claims("- Meadows (mapped): about 7 %\n- a little farmland") if c.value]
    assert [(c.subject, c.value.low if c.value else None) for c in shares] == [("grassland", 7.0)]
    assert ("position", "cropland", "some", None) in claims


def test_a_number_before_and_there_stays_in_its_statement() -> None:
    shares = [
        c for c in extract_claims("woodland: close to 15 % and there is more heath than farmland") if c.value
    ]
    assert [(c.subject, c.value.low if c.value else None) for c in shares] == [("trees", 15.0)]


def test_similarity_between_multi_word_class_names() -> None:
    claims = _claims("Built-up land and pasture and grass cover about the same area.")
    claims += _claims("cropland and pasture and grass are roughly equal")
    sims = [c for c in claims if c[0] == "comparison"]
    assert sims and all(c[1] != c[3] for c in sims)
    assert ("comparison", "cropland", "similar", "grassland") in sims


def test_a_negation_stops_at_a_class_with_its_own_verb() -> None:
    pol = {
        c.subject: c.polarity
        for c in extract_claims("no heath or moss, and farmland shows in the lower-left quadrant")
        if c.family == "landcover_presence"
    }
    assert pol == {"shrubland": "negated", "moss": "negated", "cropland": "affirmed"}
    comp = [
        c for c in extract_claims("zero snow and woodland outweighs farmland") if c.family == "comparison"
    ]
    assert [(c.subject, c.polarity) for c in comp] == [("trees", "affirmed")]
    both = [c.polarity for c in extract_claims("no forest or heath appears here") if c.family != "place"]
    assert both == ["negated", "negated"]


def test_a_river_or_canal_on_a_dry_tile() -> None:
    from tests.captioning.test_caption_grounding2 import _s2_bundle, _verdicts

    dry = _s2_bundle(water_idx=0.3, green=85.0, ndvi=0.7, core=0.1)
    assert "contradicted" in _verdicts("A canal cuts across the image.", dry).values()
    assert "contradicted" in _verdicts("There is a river winding through it.", dry).values()
    assert "contradicted" not in _verdicts("A ditch cuts across the image.", dry).values()
    wet = _s2_bundle(water_idx=3.0, green=60.0, ndvi=0.6, core=1.5, strict=0.8)
    assert "contradicted" not in _verdicts("A canal cuts across the image.", wet).values()


def test_a_comma_after_an_unknown_negated_noun_ends_the_negation() -> None:
    sar = [c for c in extract_claims("no haze worth noting, cross-pol VH near -18 dB") if c.family == "sar"]
    assert sar and sar[0].polarity == "affirmed" and sar[0].value is not None
    pol = {
        c.subject: c.polarity
        for c in extract_claims("no open water, heathland is spread over the east")
        if c.family in ("water", "landcover_presence")
    }
    assert pol == {"water": "negated", "shrubland": "affirmed"}


def test_and_theres_starts_a_statement() -> None:
    got = _claims("farmland covers over 30 % of it and there's a pond near the road")
    assert not [c for c in got if c[0] == "comparison"]


def test_a_label_colon_or_a_bracket_ends_a_negation() -> None:
    got = [c for c in extract_claims("zero bare rock, open water: roughly 12 %") if c.family == "water"]
    assert [(c.polarity, c.value.low if c.value else None) for c in got] == [("affirmed", 12.0)]
    sar = [c for c in extract_claims("No haze at all (VH near -20 dB)") if c.family == "sar" and c.value]
    assert [c.polarity for c in sar] == ["affirmed"]
    dom = [
        c
        for c in extract_claims("free of snow and farmland has the largest share")
        if c.family == "dominance"
    ]
    assert [c.polarity for c in dom] == ["affirmed"]


def test_edges_and_clusters_keep_the_concentration_reading() -> None:
    assert _position_label("heath runs along the eastern border") is None
    assert _position_label("a little heath along the eastern border") == "some"
    assert _position_label("the ponds cluster in the lower-left corner") == "most"


def test_a_part_that_holds_a_class() -> None:
    got = [
        (c.family, c.subject, c.location)
        for c in extract_claims("heath is rare and the left half contains most of the farmland")
        if c.family in ("position", "dominance")
    ]
    assert got == [("position", "cropland", "west")]


def test_a_class_is_never_compared_with_itself() -> None:
    got = _claims("woodland covers more than 20 % of it and forest takes up about 30 ha")
    assert not [c for c in got if c[0] == "comparison"]


def test_a_comma_after_an_aside_ends_the_statement() -> None:
    got = _claims(
        "Some heath sits in the lower-left corner (NDVI near 0.3), farmland covers more than scrub."
    )
    assert ("position", "shrubland", "some", None) in got
    assert ("comparison", "cropland", "more", "shrubland") in got


def test_heights_in_kilometres_are_elevation_claims_and_distances_are_not() -> None:
    """A height stated in km must not vanish from the claim list (a false caption was stamped verified)."""
    from geomeld.captioning.extract import extract_claims

    claims = extract_claims("snowy summits | the land rises to 1.9 km altitude | shot in March")
    elevation = [c for c in claims if c.family == "elevation"]
    assert len(elevation) == 1 and elevation[0].value is not None
    assert elevation[0].value.low == elevation[0].value.high == 1900.0 and elevation[0].value.unit == "m"
    assert not [
        c for c in extract_claims("a village some 12 km south of the lake") if c.family == "elevation"
    ]


def test_relief_is_a_neutral_noun_and_a_lake_district_is_a_name() -> None:
    from geomeld.captioning.extract import extract_claims

    flat = extract_claims("Across the scene the relief stays flat.")
    assert [c.subject for c in flat if c.family == "terrain"] == ["flat"]
    assert [c.subject for c in extract_claims("rugged relief everywhere") if c.family == "terrain"] == [
        "hilly"
    ]
    named = extract_claims("Somewhere in a northern lake district, in March.")
    assert not [c for c in named if c.family == "water"]
