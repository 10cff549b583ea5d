"""Band reflectance statements: reading, checking against the band means, and the signal's means."""

from __future__ import annotations

import numpy as np
import pytest

from geomeld.captioning.extract import extract_claims
from geomeld.signals.models import LayerOrigin, SignalBundle, SpectralSignal
from geomeld.signals.optical import spectral_signal
from tests.captioning.test_caption_check import bundle, claim_verdicts


def _refl(text: str) -> list[tuple[str | None, float | None, str | None]]:
    return [
        (c.label, c.value.low if c.value else None, c.value.bound if c.value else None)
        for c in extract_claims(text)
        if c.subject == "reflectance"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The near-infrared band averages roughly 0.27 across the scene.", ("B8", 0.27, "about")),
        ("Band B02 has a mean of 0.061.", ("B2", 0.061, "about")),
        ("Mean red reflectance stays below 0.12.", ("B4", 0.12, "at_most")),
        ("SWIR-2 (B12) reflectance over 0.4 on average.", ("B12", 0.4, "at_least")),
        ("Shortwave-infrared-1 mean is 0.22.", ("B11", 0.22, "about")),
        ("An overall visible albedo near 0.09.", ("visible", 0.09, "about")),
    ],
)
def test_band_levels_are_read(text: str, expected: tuple[str, float, str]) -> None:
    assert _refl(text) == [expected]


def test_band_colour_words_are_no_vegetation_or_land_cover() -> None:
    claims = extract_claims("Green-band reflectance ≈ 0.09, and the red (B4) band mean is 0.07.")
    assert {c.family for c in claims} == {"image_condition"}
    assert sorted(c.label or "" for c in claims) == ["B3", "B4"]
    # an index written out of its bands stays an NDVI statement, and green vegetation stays vegetation
    assert _refl("a mean (B8-B4)/(B8+B4) of 0.6") == []
    assert _refl("Green vegetation covers the fields.") == []


def test_band_order_statements() -> None:
    (c,) = [
        c
        for c in extract_claims("Near-infrared is darker than SWIR-2 over the tile.")
        if c.subject == "reflectance"
    ]
    assert c.label == "B12>B8"
    (d,) = [c for c in extract_claims("B8 is about three times B4.") if c.subject == "reflectance"]
    assert d.label == "B8>>B4"


def _bands(means: dict[str, float], product: str = "Sentinel-2 L2A (surface reflectance)") -> SignalBundle:
    b = bundle(spectral=SpectralSignal(valid_percentage=100.0, band_means=means))
    b.origins = {"sentinel2": LayerOrigin(origin="real", product=product)}
    return b


MEANS = {"B2": 0.05, "B3": 0.08, "B4": 0.07, "B8": 0.31, "B11": 0.2, "B12": 0.12}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The near-infrared band averages roughly 0.30.", "supported"),
        ("The near-infrared band averages roughly 0.75.", "contradicted"),
        ("The near-infrared band averages roughly 0.24.", "unverifiable"),
        ("Band B02 has a mean of 0.5.", "contradicted"),
        ("Mean visible reflectance stays under 0.15.", "supported"),
        ("Mean visible reflectance exceeds 0.45, a glaring scene.", "contradicted"),
        ("The SWIR-1 band is brighter than the NIR band.", "contradicted"),
        ("Blue reflectance is higher than green.", "contradicted"),
        ("The NIR band is several times brighter than the red band.", "supported"),
    ],
)
def test_band_statements_against_the_means(text: str, expected: str) -> None:
    assert claim_verdicts(text, _bands(MEANS))["image_condition/reflectance"] == expected


def test_evidence_names_the_product_level_and_no_means_is_unverifiable() -> None:
    from geomeld.captioning.check import check_caption
    from geomeld.captioning.ground import Ground

    res = check_caption("SWIR-1 band mean 0.21.", Ground.from_bundle(_bands(MEANS, "Sentinel-2 L1C")))
    (c,) = res.claims
    assert c.verdict == "supported"
    assert "L1C" in (c.evidence.layer or "") and c.evidence.measured == {"mean_B11": 0.2}
    assert claim_verdicts("SWIR-1 band mean 0.21.", bundle())["image_condition/reflectance"] == "unverifiable"


def test_signal_keeps_band_means_of_digital_numbers_as_reflectance() -> None:
    names = ["B2", "B3", "B4", "B8", "B11", "B12"]
    arr = np.stack([np.full((8, 8), v, dtype=np.float32) for v in (500, 800, 700, 3100, 2000, 1200)])
    arr[3, 0, :] = 4100.0  # one brighter NIR row moves the mean by 1000 / 8
    sp = spectral_signal(arr, names)
    assert sp.band_means["B2"] == pytest.approx(0.05)
    assert sp.band_means["B8"] == pytest.approx(0.3225)
    assert spectral_signal(arr / 10000.0, names).band_means["B12"] == pytest.approx(0.12)


# ---- vegetation statements this change fixed (my own sentences) ------------------------------------
def test_a_height_qualified_denial_is_no_absence_of_the_class() -> None:
    claims = extract_claims("There are no trees over 45 m anywhere in the frame.")
    assert [(c.family, c.polarity) for c in claims] == [("canopy", "negated")]
    # a plain denial beside an unrelated height stays an absence
    more = extract_claims("No woodland at all, and the ground lies below 300 m.")
    assert any(c.family == "landcover_presence" and c.subject == "trees" and c.negated for c in more)


def test_a_mean_ndvi_with_its_uncertainty_is_no_green_share() -> None:
    claims = extract_claims("Scene-mean NDVI of 0.41 ± 0.03.")
    assert [(c.subject, c.value.low if c.value else None) for c in claims] == [("ndvi", 0.41)]


@pytest.mark.parametrize(
    "text, mean, expected",
    [
        ("Medium plant vigour overall.", 0.33, "supported"),
        ("Medium plant vigour overall.", 0.05, "contradicted"),
        ("Weak photosynthetic activity across the tile.", 0.18, "supported"),
        ("Weak photosynthetic activity across the tile.", 0.7, "contradicted"),
    ],
)
def test_graded_vigour_is_judged_as_that_grade(text: str, mean: float, expected: str) -> None:
    from geomeld.signals.models import IndexStats

    stats = IndexStats(mean=mean, p10=mean - 0.1, p50=mean, p90=mean + 0.1)
    b = bundle(spectral=SpectralSignal(valid_percentage=100.0, indices={"NDVI": stats}))
    verdicts = [v for k, v in claim_verdicts(text, b).items() if k.startswith("vegetation/")]
    assert verdicts and set(verdicts) == {expected}


def test_an_index_formula_is_no_band_order() -> None:
    assert _refl("the average of (B8 - B4) / (B8 + B4) stays under 0.35") == []
    assert _refl("the NIR-to-red ratio is high") == []


def test_a_view_unobstructed_by_cloud_is_a_clear_sky() -> None:
    (c,) = [
        c for c in extract_claims("Our view was unimpeded by any clouds.") if c.family == "image_condition"
    ]
    assert c.subject == "cloud" and c.negated
    (d,) = [c for c in extract_claims("Our view was hampered by clouds.") if c.family == "image_condition"]
    assert not d.negated


@pytest.mark.parametrize(
    "text, mean, expected",
    [
        ("The crops look to be at their seasonal peak.", 0.2, "contradicted"),
        ("The crops look to be at their seasonal peak.", 0.7, "supported"),
        ("Foliage is not yet near its annual maximum.", 0.2, "supported"),
    ],
)
def test_vegetation_at_its_peak_is_the_lush_claim(text: str, mean: float, expected: str) -> None:
    from geomeld.signals.models import IndexStats

    stats = IndexStats(mean=mean, p10=mean - 0.1, p50=mean, p90=mean + 0.1)
    b = bundle(
        spectral=SpectralSignal(valid_percentage=100.0, indices={"NDVI": stats}, share_ndvi_above_0_5=10.0)
    )
    assert claim_verdicts(text, b)["vegetation/green"] == expected


def test_a_cloud_share_written_as_a_decimal_is_a_percentage() -> None:
    (c,) = [
        c
        for c in extract_claims("Cloud coverage of about 0.4 over the fields.")
        if c.family == "image_condition"
    ]
    assert c.value is not None and c.value.low == 40.0 and c.value.bound == "about"
    (d,) = [c for c in extract_claims("Cloud share under 0.05.") if c.family == "image_condition"]
    assert d.value is not None and d.value.low == 5.0 and d.value.bound == "at_most"


@pytest.mark.parametrize(
    "mean, expected", [(0.05, "supported"), (0.3, "unverifiable"), (0.6, "contradicted")]
)
def test_hardly_any_vegetation_is_judged_on_the_ndvi(mean: float, expected: str) -> None:
    from geomeld.signals.models import IndexStats

    stats = IndexStats(mean=mean, p10=mean - 0.05, p50=mean, p90=mean + 0.05)
    b = bundle(spectral=SpectralSignal(valid_percentage=100.0, indices={"NDVI": stats}))
    assert claim_verdicts("The ground carries hardly any vegetation.", b)["vegetation/bare"] == expected
