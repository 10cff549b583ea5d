"""Radar–optical date gap statements: read and checked. Sentences are written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from geomeld.signals.models import AcquisitionSignal, OrbitSar, SarSignal
from tests.captioning.test_caption_check import PLACE, bundle, claim_verdicts


def _gap(text: str) -> object:
    found = [c for c in extract_claims(text) if c.subject == "sar_optical_gap"]
    assert len(found) == 1, (text, extract_claims(text))
    assert text[found[0].start : found[0].end] == found[0].text
    return found[0]


def test_gap_statements_are_read() -> None:
    gap = _gap("Radar and optical images were taken within two days of each other.")
    assert gap.value.bound == "at_most" and gap.value.high == 2.0  # type: ignore[attr-defined]
    gap = _gap("The SAR data come from a month after the optical scene.")
    assert gap.value.low == 30.0  # type: ignore[attr-defined]
    gap = _gap("The Sentinel-1 and Sentinel-2 scenes are weeks apart.")
    assert gap.value.bound == "at_least"  # type: ignore[attr-defined]


def test_a_gap_statement_leaves_the_rest_of_the_sentence_to_the_extractor() -> None:
    claims = extract_claims("The radar scene is from the same day as the optical one, captured in 2019.")
    assert {c.subject for c in claims} >= {"sar_optical_gap", "year"}


def _sar_bundle(*gaps: float) -> object:
    b = bundle({"Cropland": 100.0}, place=PLACE)
    b.sar = SarSignal(
        orbits={
            "desc": OrbitSar(vv_db_mean=-9.0, vh_db_mean=-15.5, vh_minus_vv_db=-6.5, valid_percentage=100.0)
        }
    )
    b.acquisition = AcquisitionSignal(sar_days_from_optical=list(gaps))
    return b


def test_gap_verdicts() -> None:
    b = _sar_bundle(0.3)
    assert (
        claim_verdicts("Radar and optical were taken the same day.", b)["sar/sar_optical_gap"] == "supported"
    )
    weeks = "The radar scene is weeks apart from the optical one."
    assert claim_verdicts(weeks, b)["sar/sar_optical_gap"] == "contradicted"
    assert claim_verdicts(weeks, _sar_bundle(12.0))["sar/sar_optical_gap"] == "supported"
    # two radar scenes that disagree about the statement: not decided
    assert claim_verdicts(weeks, _sar_bundle(0.3, 12.0))["sar/sar_optical_gap"] == "unverifiable"
    no_record = bundle({"Cropland": 100.0}, place=PLACE)
    no_record.sar = _sar_bundle(1.0).sar  # type: ignore[attr-defined]
    assert claim_verdicts(weeks, no_record)["sar/sar_optical_gap"] == "unverifiable"


def test_then_after_a_comparative_is_than() -> None:
    claims = extract_claims("VH is brighter then VV here.")
    assert [c.subject for c in claims if c.family == "sar"] == ["vv_vs_vh"]


def test_backscatter_in_linear_power_is_read_in_db() -> None:
    vv = [c for c in extract_claims("Mean VV of 0.05 (linear), flat fields.") if c.family == "sar"]
    assert len(vv) == 1 and vv[0].subject == "vv" and vv[0].value is not None
    assert vv[0].value.low == -13.01 and vv[0].value.unit == "dB"
    b = _sar_bundle(0.3)  # VV −9 dB, VH −15.5 dB
    assert claim_verdicts("VH is 0.03 in linear power units.", b)["sar/vh"] == "supported"  # −15.2 dB
    assert claim_verdicts("VH is 0.3 in linear power units.", b)["sar/vh"] == "contradicted"  # −5.2 dB


def test_sigma_nought_is_a_name_not_a_value() -> None:
    sar = [c for c in extract_claims("The VH sigma0 averages -15 dB.") if c.family == "sar"]
    assert [(c.subject, c.value.low if c.value else None) for c in sar] == [("vh", -15.0)]
