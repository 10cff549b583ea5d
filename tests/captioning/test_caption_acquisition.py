"""Radar orbit, radar–optical gap and VV − VH statements: read and checked. Sentences are
written for these tests."""

from __future__ import annotations

from geomeld.captioning.extract import extract_claims
from geomeld.signals.models import AcquisitionSignal, OrbitSar, SarSignal
from tests.captioning.test_caption_check import PLACE, bundle, claim_verdicts


def _one(text: str, subject: str) -> object:
    found = [c for c in extract_claims(text) if c.subject == subject]
    assert len(found) == 1, (text, extract_claims(text))
    return found[0]


def test_radar_statements_are_read() -> None:
    assert _one("The Sentinel-1 pass was ascending.", "orbit").label == "ascending"  # type: ignore[attr-defined]
    neg = _one("The radar track is not descending.", "orbit")
    assert neg.label == "descending" and neg.polarity == "negated"  # type: ignore[attr-defined]
    gap = _one("Radar and optical images were taken within two days of each other.", "sar_optical_gap")
    assert gap.value.bound == "at_most" and gap.value.high == 2.0  # type: ignore[attr-defined]
    gap = _one("The SAR data come from a month after the optical scene.", "sar_optical_gap")
    assert gap.value.low == 30.0  # type: ignore[attr-defined]
    diff = _one("VV minus VH is roughly 7 dB.", "vv_minus_vh")
    assert diff.value.low == 7.0 and diff.family == "sar"  # type: ignore[attr-defined]


def _sar_bundle() -> object:
    b = bundle({"Cropland": 100.0}, place=PLACE)
    b.sar = SarSignal(
        orbits={
            "desc": OrbitSar(vv_db_mean=-9.0, vh_db_mean=-15.5, vh_minus_vv_db=-6.5, valid_percentage=100.0)
        }
    )
    b.acquisition = AcquisitionSignal(sar_orbits=["descending"], sar_days_from_optical=[0.3])
    return b


def test_radar_verdicts() -> None:
    b = _sar_bundle()
    assert claim_verdicts("The Sentinel-1 pass was descending.", b)["sar/orbit"] == "supported"
    assert claim_verdicts("The Sentinel-1 pass was ascending.", b)["sar/orbit"] == "contradicted"
    assert (
        claim_verdicts("Radar and optical were taken the same day.", b)["sar/sar_optical_gap"] == "supported"
    )
    assert (
        claim_verdicts("The radar scene is weeks apart from the optical one.", b)["sar/sar_optical_gap"]
        == "contradicted"
    )
    assert claim_verdicts("The VV/VH difference is 5 to 8 dB.", b)["sar/vv_minus_vh"] == "supported"
    assert claim_verdicts("The VV/VH difference is about 1 dB.", b)["sar/vv_minus_vh"] == "contradicted"


def test_then_after_a_comparative_is_than() -> None:
    claims = extract_claims("VH is brighter then VV here.")
    assert [c.subject for c in claims if c.family == "sar"] == ["vv_vs_vh"]
