"""Mechanisms added after the second sealed split: lower-case states and hand-table places, English
names of states GeoNames files under their native name, named landscapes that only contradict, month
abbreviations that are dates, and equality comparisons. Sentences are written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from geomeld.captioning.places import place_verdict


def places(text: str) -> list[tuple[str, str | None]]:
    return [(c.subject, c.label) for c in extract_claims(text) if c.family == "place"]


def test_lower_case_states_after_a_preposition_are_places() -> None:
    assert ("region", "saxony") in places("a quiet farming patch somewhere in saxony")
    assert ("region", "bavaria") in places("fields in bavaria, mostly")
    # caption words after "in" never become places
    assert places("most of the cover is in forest, taken in spring") == []


def test_lower_case_city_after_a_near_cue() -> None:
    got = places("a suburb on the outskirts of hamburg")
    assert got and got[0][0] == "relation" and "hamburg" in str(got[0][1])


def test_english_state_name_reaches_geonames_native_name() -> None:
    # a Brandenburg tile (near Rathenow) is not in Mecklenburg-Western Pomerania or North Rhine-Westphalia
    got = places("This lies in Mecklenburg-Western Pomerania.")
    assert len(got) == 1 and got[0][0] == "region"
    assert place_verdict("region", str(got[0][1]), "Germany", 52.55, 12.35) is False
    assert place_verdict("region", "rhineland-palatinate", "Germany", 52.55, 12.35) is False
    # inside the state the native and English names agree
    assert place_verdict("region", "mecklenburg western pomerania", "Germany", 53.63, 11.41) is True


def test_landscapes_only_contradict_far_away() -> None:
    got = places("shot over the moselle valley")
    assert ("region", "moselle valley") in got
    assert place_verdict("region", "moselle valley", "Germany", 52.55, 12.35) is False
    # inside or just beside the box it stays open: a valley's box holds much that is not valley
    assert place_verdict("region", "moselle valley", "Germany", 49.9, 7.0) is None
    assert place_verdict("region", "the rhine valley", "Germany", 49.0, 9.5) is None


def test_month_abbreviations_are_dates_not_places() -> None:
    got = extract_claims("Captured in Sep 2019 over farmland.")
    assert not any(c.family == "place" for c in got)
    seasons = {(c.subject, c.label) for c in got if c.family == "season"}
    assert seasons == {("year", "2019"), ("month", "9")}


def test_equality_phrasings_are_similar_comparisons() -> None:
    for text in (
        "cropland and pasture shares are almost identical",
        "heath and woodland are evenly matched",
        "built-up land and water take up about the same area",
    ):
        cmp = [c for c in extract_claims(text) if c.family == "comparison"]
        assert cmp and cmp[0].label == "similar", text


def _verdicts(text: str, **kw: float) -> dict[str, str]:
    """Verdicts on a June tile in Upper Austria whose only evidence is Sentinel-2 (maps relocated)."""
    from geomeld.captioning.check import check_caption
    from geomeld.captioning.ground import Ground
    from geomeld.signals.models import IndexStats, LayerOrigin, PlaceSignal, SignalBundle, SpectralSignal

    b = SignalBundle(key="t")
    b.spectral = SpectralSignal(
        indices={"NDVI": IndexStats(mean=kw["ndvi"], p10=kw["ndvi"], p50=kw["ndvi"], p90=kw["ndvi"])},
        share_ndvi_above_0_5=kw["green"],
        valid_percentage=kw.get("valid", 100.0),
        water_index_percentage=kw["water_idx"],
        water_core_percentage=kw["core"],
        water_strict_percentage=kw["strict"],
    )
    b.place = PlaceSignal(lat=48.2, long=14.0, hemisphere="northern", month=6, year=2018, date="2018-06-14")
    b.origins = {"sentinel2": LayerOrigin(origin="real"), "esa_worldcover": LayerOrigin(origin="relocated")}
    return {c.text: str(c.verdict) for c in check_caption(text, Ground.from_bundle(b)).claims}


def test_water_presence_on_a_tile_without_any_water_pixel() -> None:
    dry = {"water_idx": 0.3, "green": 60.0, "ndvi": 0.6, "core": 0.1, "strict": 0.0}
    assert "contradicted" in _verdicts("You can spot a small pond near the road.", **dry).values()
    assert "supported" in _verdicts("There is no standing water anywhere.", **dry).values()
    # a few clear-water pixels (a pond of ~30 m) or an unimaged part keep it open
    pond = {**dry, "strict": 0.2, "core": 0.3}
    assert "contradicted" not in _verdicts("You can spot a small pond near the road.", **pond).values()
    cloudy = {**dry, "valid": 90.0}
    assert "contradicted" not in _verdicts("You can spot a small pond near the road.", **cloudy).values()


def test_water_amount_above_the_sentinel2_ceiling() -> None:
    low = {"water_idx": 14.0, "green": 10.0, "ndvi": 0.2, "core": 3.0, "strict": 0.0}
    assert "contradicted" in _verdicts("More than 16 % of the frame is water.", **low).values()
    assert "contradicted" in _verdicts("A pond takes up about 25 % of the frame.", **low).values()
    # at the ceiling's edge it stays open: the ceiling itself is the most water there can be
    assert "contradicted" not in _verdicts("More than 14.5 % of the frame is water.", **low).values()
    assert "contradicted" not in _verdicts("Water covers about 18 % of the frame.", **low).values()


def test_plural_percents_is_a_unit() -> None:
    got = [c for c in extract_claims("open water makes up at most seven percents") if c.family == "water"]
    assert got and got[0].value is not None and got[0].value.low == 7.0 and got[0].value.bound == "at_most"


def test_a_border_is_an_edge_strip_not_a_half() -> None:
    got = [c for c in extract_claims("pasture hugs the northern border") if c.family == "position"]
    assert got and got[0].location == "north-edge"
    got = [c for c in extract_claims("meadows take the northern half") if c.family == "position"]
    assert got and got[0].location == "north"


def test_passive_comparisons_in_every_number() -> None:
    for text in (
        "Meadows are outnumbered by woods.",
        "meadows were dwarfed by woods",
        "meadows are exceeded by woods",
    ):
        got = [(c.family, c.subject, c.other, c.label) for c in extract_claims(text)]
        assert got == [("comparison", "grassland", "trees", "less")], text


def test_a_measurement_is_not_coordinated_under_a_class_negation() -> None:
    got = extract_claims("no orchards or of heath, mean NDVI is about 0.6")
    ndvi = [c for c in got if c.subject == "ndvi"]
    assert ndvi and ndvi[0].polarity == "affirmed"
    assert {c.subject for c in got if c.polarity == "negated"} >= {"shrubland"}


def test_less_than_a_number_is_a_bound_not_a_comparison() -> None:
    got = extract_claims("water covers less than 8 pct and the pasture sits in the north")
    assert not any(c.family == "comparison" for c in got)
    got = extract_claims("heath covers less than a quarter of the tile, beside meadows")
    assert not any(c.family == "comparison" for c in got)
    assert [
        c.label for c in extract_claims("heath covers less than pasture") if c.family == "comparison"
    ] == ["less"]


def test_headings_claim_nothing() -> None:
    got = extract_claims("Field notes: no water anywhere.")
    assert [(c.family, c.polarity) for c in got] == [("water", "negated")]
    got = extract_claims("Crop summary: fields fill most of the frame.")
    assert not any(
        c.family == "landcover_presence" and c.subject == "cropland" and c.text == "Crop" for c in got
    )
    # a class before a colon with a number is still a claim
    assert any(c.family == "landcover_share" for c in extract_claims("Forest: 40 % of the tile."))


def test_the_shore_of_an_inland_water_is_not_the_sea() -> None:
    got = [
        (c.subject, c.text)
        for c in extract_claims("the tile takes in the shore of a small pond")
        if c.family == "water"
    ]
    assert got and all(s != "sea" for s, _ in got)
    assert any(c.subject == "sea" for c in extract_claims("a rocky shore faces the open sea"))


def test_barely_anything_negates_what_follows() -> None:
    got = [
        (c.subject, c.polarity)
        for c in extract_claims("hardly anything green is left")
        if c.family == "vegetation"
    ]
    assert ("green", "negated") in got


def test_map_labels_a_share_as_a_class() -> None:
    got = [
        (c.subject, c.value.low if c.value else None)
        for c in extract_claims("the map labels roughly 23 % of the tile as heath")
    ]
    assert got == [("shrubland", 23.0)]
    got = [
        (c.subject, c.value.low if c.value else None)
        for c in extract_claims("the map labels 64 % of the tile")
    ]
    assert got == [("labelled", 64.0)]


def test_few_pixels_above_an_ndvi_value_bound_the_mean_from_above() -> None:
    got = [c.value for c in extract_claims("hardly any pixels exceed NDVI 0.35") if c.subject == "ndvi"]
    assert got and got[0] is not None and (got[0].low, got[0].bound) == (0.35, "at_most")


def test_weak_or_low_vigour_is_sparse_vegetation() -> None:
    for text in ("a feeble green signal overall", "poor vegetation vigor this month"):
        got = [(c.family, c.subject, c.polarity) for c in extract_claims(text)]
        assert got == [("vegetation", "sparse", "affirmed")], text


def test_not_far_from_a_town_is_near_it() -> None:
    got = [
        (c.subject, c.label, c.polarity)
        for c in extract_claims("The site is not far from Potsdam.")
        if c.family == "place"
    ]
    assert got == [("relation", "near potsdam", "affirmed")]


def test_an_upper_bound_on_water_does_not_conflict_with_no_water() -> None:
    from geomeld.captioning.consistency import consistency_claims

    got = extract_claims("No ponds or lakes at all; water takes up under 3 % of the tile.")
    assert consistency_claims(got) == []


def test_abbreviated_about_keeps_the_clause_together() -> None:
    got = [
        (c.family, c.subject, c.value.low if c.value else None) for c in extract_claims("Heath: ca. 35 %.")
    ]
    assert got == [("landcover_share", "shrubland", 35.0)]
    got = [(c.subject, c.value.low if c.value else None) for c in extract_claims("mean NDVI approx. 0.62")]
    assert got == [("ndvi", 0.62)]


def test_two_digit_years_after_an_apostrophe() -> None:
    got = {(c.subject, c.label) for c in extract_claims("captured in Jul '21") if c.family == "season"}
    assert got == {("year", "2021"), ("month", "7")}


def test_ndvi_value_found_past_a_bracketed_share() -> None:
    got = [
        c
        for c in extract_claims("NDVI averages about 0.52 (heath covers over 6 % of the tile)")
        if c.subject == "ndvi"
    ]
    assert got and got[0].value is not None and got[0].value.low == 0.52


def test_numbers_do_not_cross_brackets_or_emoji() -> None:
    got = extract_claims("Pasture (mapped): roughly 9 % (open water: about 30 percent).")
    water = [c for c in got if c.family == "water"]
    assert water and water[0].value is not None and water[0].value.low == 30.0
    got = extract_claims("heath 12 % 🌲 no ponds at all")
    water = [c for c in got if c.family == "water"]
    assert water and water[0].value is None and water[0].polarity == "negated"


def test_buildings_and_roads_name_one_built_class() -> None:
    got = [(c.family, c.subject, c.other) for c in extract_claims("More heath than roads and buildings.")]
    assert got == [("comparison", "shrubland", "built")]
    # a building and a road on their own stay map objects
    assert {c.family for c in extract_claims("there is a building next to a road")} == {"osm_object"}


def test_a_bullet_item_starting_with_a_capitalised_preposition() -> None:
    got = [(c.subject, c.label) for c in extract_claims("* Some heath\n* In Portugal") if c.family == "place"]
    assert got == [("country", "portugal")]
