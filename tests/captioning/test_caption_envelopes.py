"""Climate-bound land covers against their envelopes (latitude, climate, coast, regions)."""

from __future__ import annotations

import pytest

from geomeld.captioning.envelopes import BY_KIND, ENVELOPES, outside
from geomeld.captioning.extract import extract_claims
from geomeld.captioning.ground import Ground
from geomeld.signals.models import PlaceSignal
from tests.captioning.test_caption_check import bundle, claim_verdicts


def _at(lat: float, lon: float, koppen: str | None) -> object:
    return bundle(
        place=PlaceSignal(lat=lat, long=lon, hemisphere="northern" if lat >= 0 else "southern", koppen=koppen)
    )


def _kinds(text: str) -> set[tuple[str, str]]:
    return {(c.subject, c.polarity) for c in extract_claims(text) if c.subject in BY_KIND}


def test_every_envelope_names_its_source() -> None:
    assert all(e.source for e in ENVELOPES)
    assert len({e.kind for e in ENVELOPES}) == len(ENVELOPES)


def test_names_are_read_before_the_generic_classes() -> None:
    assert _kinds("A row of date palms borders the oasis.") == {("palm_plantation", "affirmed")}
    assert _kinds("Arctic tundra with moss and lichens.") == {("tundra", "affirmed")}
    assert _kinds("There are no ice fields, reefs of coral or paddy fields.") == {
        ("glacier", "negated"),
        ("coral", "negated"),
        ("rice", "negated"),
    }
    assert not _kinds("Coral-coloured roofs in the village.")
    # a moraine landscape from the ice age is not a glacier
    assert not _kinds("Gentle moraines left by glacial processes.")


@pytest.mark.parametrize(
    "text, lat, lon, koppen, expected",
    [
        ("Oil palm plantations fill the valley.", 61.0, 25.0, "cold", "contradicted"),
        ("Oil palm plantations fill the valley.", 2.0, 102.0, "tropical", "unverifiable"),
        ("Not a single palm grove here.", 61.0, 25.0, "cold", "supported"),
        ("A glacier tongue reaches the fields.", 53.0, 14.0, "temperate", "contradicted"),
        ("A glacier tongue reaches the fields.", 46.5, 8.0, "temperate", "unverifiable"),  # the Alps
        ("Arctic tundra stretches away.", 38.5, -8.0, "temperate", "contradicted"),
        ("Sand dunes ripple across the scene.", 52.0, 13.0, "temperate", "contradicted"),  # inland, humid
        ("Sand dunes ripple across the scene.", 24.0, 12.0, "arid", "unverifiable"),
        ("Savannah with scattered acacias.", 50.0, 10.0, "temperate", "contradicted"),
        ("The inland ice sheet is visible.", 70.0, -40.0, "polar", "unverifiable"),
        ("The inland ice sheet is visible.", 62.0, 25.0, "cold", "contradicted"),
        ("Flooded rice paddies in the north.", 52.0, 13.0, "temperate", "contradicted"),
        ("Flooded rice paddies in the north.", 45.3, 8.4, "temperate", "unverifiable"),  # the Po plain
    ],
)
def test_envelopes(text: str, lat: float, lon: float, koppen: str, expected: str) -> None:
    verdicts = claim_verdicts(text, _at(lat, lon, koppen))  # type: ignore[arg-type]
    got = [v for k, v in verdicts.items() if k.split("/")[1] in BY_KIND]
    assert got == [expected]


def test_a_coast_keeps_dunes_possible() -> None:
    g = Ground.from_bundle(_at(52.0, 13.0, "temperate"))  # type: ignore[arg-type]
    assert outside(BY_KIND["dunes"], g, None) is None  # the sea may be near: undecided
    assert outside(BY_KIND["dunes"], g, 10.0) is not None
