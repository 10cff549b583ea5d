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
