"""Caption structure: questions claim nothing, answers carry the question's subject, modal "may" is not
the month, remarks about what the sensor resolves claim nothing. Sentences are written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from tests.captioning.test_caption_check import PLACE, bundle, verdict


def _read(text: str) -> set[tuple[str, str, str]]:
    return {(c.family, c.subject, c.polarity) for c in extract_claims(text) if c.subject != "unparsed"}


def _spans_ok(text: str) -> bool:
    return all(text[c.start : c.end] == c.text for c in extract_claims(text))


def test_a_bare_no_negates_the_questions_subject() -> None:
    for text in ("Forest? Nope.", "Any forest in the picture? No.", "Q: Is there forest? A: Nah."):
        assert _read(text) == {("landcover_presence", "trees", "negated")}, text
        assert _spans_ok(text)


def test_a_bare_yes_affirms_it_and_a_question_alone_claims_nothing() -> None:
    assert _read("Any cropland? Yep.") == {("landcover_presence", "cropland", "affirmed")}
    assert _read("Is there any cropland?") == set()
    # the heading question claims nothing; the answer is read as written
    assert {(f, p) for f, _, p in _read("What does it show? Yes - wheat fields and a pond.")} == {
        ("landcover_presence", "affirmed"),
        ("water", "affirmed"),
    }


def test_an_answer_with_its_own_subject_is_read_as_written() -> None:
    # the question's "water" is not an affirmed presence beside the answer's negation
    assert _read("Is there water anywhere? None, not even a puddle of water.") == {
        ("water", "water", "negated")
    }
    assert _read("Forest? No, there is no forest, only meadows.") >= {
        ("landcover_presence", "trees", "negated")
    }
    assert ("landcover_presence", "trees", "affirmed") not in _read("Forest? No, there is no forest.")


def test_an_elliptical_quantity_takes_the_questions_subject() -> None:
    claims = [c for c in extract_claims("Cropland? Roughly 40 %.") if c.subject != "unparsed"]
    assert len(claims) == 1 and claims[0].subject == "cropland" and claims[0].value is not None
    assert claims[0].value.low == 40.0 and claims[0].text == "Cropland? Roughly 40 %"


def test_a_yes_no_to_a_quantity_question_is_not_guessed() -> None:
    claims = extract_claims("Is it mostly cropland? No.")
    assert claims and all(c.subject == "unparsed" for c in claims)


def test_verdicts_on_a_question_and_answer_caption() -> None:
    b = bundle({"Cropland": 70.0, "Tree cover": 30.0}, place=PLACE)
    assert verdict("Snow? Nope. Forest? Yes.", b) != "contradicted"
    assert verdict("Cropland? No.", b) == "contradicted"
    assert verdict("Trees? Not at all, none.", b) == "contradicted"


def test_may_is_the_month_only_in_a_date_context() -> None:
    def months(text: str) -> list[str | None]:
        return [c.label for c in extract_claims(text) if c.family == "season" and c.subject == "month"]

    assert months("The numbers may change with another acquisition.") == []
    assert months("(This may be off.) Fields in the west.") == []
    assert months("Recorded in may, fields in the west.") == ["5"]
    assert months("A May image of fields.") == ["5"]
    assert months("Shot on 3 May 2019.") == ["5"]
    assert months("A may acquisition with fields.") == ["5"]


def test_remarks_about_sensor_resolution_claim_nothing() -> None:
    assert _read("At 10 m you cannot resolve single trees or roofs.") == set()
    assert _read("It is hard to distinguish the hedges from the fields here.") == set()
    assert _read("No trees here.") == {("landcover_presence", "trees", "negated")}


def test_a_date_written_month_first() -> None:
    labels = [c.label for c in extract_claims("Recorded 4/23/2021.") if c.subject == "date"]
    assert labels == ["2021-04-23"]
    assert not [c for c in extract_claims("Recorded 4/6/2021.") if c.subject == "date"]  # order unknown


def test_a_dominant_class_is_not_negated_by_a_later_none() -> None:
    read = _read("Mostly cropland and glaciers: none.")
    assert ("landcover_presence", "glacier", "negated") in read  # glaciers: an envelope class
    dom = [c for c in extract_claims("Mostly cropland and glaciers: none.") if c.family == "dominance"]
    assert dom and dom[0].polarity == "affirmed"


def test_an_answer_the_extractor_cannot_pair_is_unverifiable_not_dropped() -> None:
    for text in ("Ruggedness? Barely any.", "Leaf canopy? None."):
        claims = extract_claims(text)
        assert claims and all(c.subject == "unparsed" for c in claims), text
    b = bundle({"Cropland": 70.0, "Tree cover": 30.0}, place=PLACE)
    assert verdict("Ruggedness? Barely any. Cropland? Yes.", b) == "unverifiable"


def test_a_no_followed_by_and_still_answers_the_question() -> None:
    assert ("landcover_presence", "snow", "negated") in _read("Snow cover? No and the meadows look brown.")
