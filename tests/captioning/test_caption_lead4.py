"""Two soundness holes found on the sealed sets of session 4, fixed after scoring: a height said to be
"below sea level" claimed nothing (so the caption was verified on its other clauses), and "bare of" /
"clear of" were not read as negations ("the ground is bare of snow" claimed bare ground and snow).
Sentences are written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from tests.captioning.test_caption_check import TERRAIN, bundle, verdict


def _fam(text: str) -> list[tuple[str, str, str]]:
    return [(c.family, c.subject, c.polarity) for c in extract_claims(text)]


def test_below_sea_level_is_an_elevation_claim() -> None:
    claims = [c for c in extract_claims("The whole polder sits below sea level.") if c.family == "elevation"]
    assert [(c.subject, c.value.bound, c.value.high) for c in claims if c.value] == [("max", "at_most", 0.0)]
    part = [c for c in extract_claims("Some fields lie beneath the sea level.") if c.family == "elevation"]
    assert [c.subject for c in part] == ["min"]
    assert not [c for c in extract_claims("The ridge is not below sea level.") if c.family == "elevation"]
    assert not [c for c in extract_claims("Low ground near sea level.") if c.family == "elevation"]


def test_below_sea_level_is_checked_against_the_elevation_layer() -> None:
    high = bundle(terrain=TERRAIN)  # 200-700 m
    assert verdict("The land lies below sea level.", high) == "contradicted"
    polder = {"elevation_min": -4.0, "elevation_max": -1.0, "elevation_mean": -2.5, "relief": 3.0}
    low = bundle(terrain=TERRAIN.model_copy(update=polder))
    assert verdict("The land lies below sea level.", low) != "contradicted"
    # no elevation layer: the statement cannot be verified, so the caption is not "verified"
    assert verdict("The land lies below sea level.", bundle({"Tree cover": 100.0})) == "unverifiable"


def test_bare_of_and_clear_of_are_negations() -> None:
    assert ("landcover_presence", "snow", "negated") in _fam("The meadows are bare of snow.")
    assert not [c for c in extract_claims("The meadows are bare of snow.") if c.family == "vegetation"]
    assert ("landcover_presence", "snow", "negated") in _fam("Roads look clear of snow.")
    cloud = [c for c in extract_claims("The sky is clear of clouds.") if c.subject == "cloud"]
    assert [c.polarity for c in cloud] == ["negated"]
    # bare ground itself is still bare ground
    assert ("landcover_presence", "bare", "affirmed") in _fam("Bare ground fills the south.")


def test_a_determined_class_with_its_own_copula_is_not_negated_by_the_previous_conjunct() -> None:
    claims = _fam("The lanes are free of snow and the woodland is thick.")
    assert ("landcover_presence", "snow", "negated") in claims
    assert ("landcover_presence", "trees", "affirmed") in claims
    # a plain coordination still distributes the negation
    assert ("landcover_presence", "grassland", "negated") in _fam("There is no woodland or meadow.")
