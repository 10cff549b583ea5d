"""Image-condition statements (cloud, haze, cloud shadow, obscured ground): reading and checking."""

from __future__ import annotations

import pytest

from geomeld.captioning.extract import extract_claims
from geomeld.signals.models import ImageConditions, LayerOrigin, SpectralSignal
from tests.captioning.test_caption_check import PLACE, bundle, claim_verdicts


def _cond(text: str) -> list[tuple[str, str, str | None]]:
    return [(c.subject, c.polarity, c.label) for c in extract_claims(text) if c.family == "image_condition"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Not one cloud anywhere over the fields.", ("cloud", "negated", None)),
        ("The acquisition is free of clouds.", ("cloud", "negated", None)),
        ("A cloudless winter day over farmland.", ("cloud", "negated", None)),
        ("Skies were perfectly clear that morning.", ("cloud", "negated", None)),
        ("Dense cloud hides nearly all of the scene.", ("cloud", "affirmed", "much")),
        ("The view is overcast.", ("cloud", "affirmed", "much")),
        ("A few scattered clouds drift over the east.", ("cloud", "affirmed", "some")),
        ("It is a cloudy scene.", ("cloud", "affirmed", "cloudy")),
        ("Thin cirrus veils the west.", ("cloud", "affirmed", "thin")),
        ("A light haze softens the colours.", ("haze", "affirmed", "thin")),
        ("The scene looks hazy.", ("haze", "affirmed", "some")),
        ("The air has no haze at all.", ("haze", "negated", None)),
        ("Shadows cast by clouds darken the fields.", ("shadow", "affirmed", "some")),
        ("Terrain hardly visible at all.", ("obscured", "affirmed", "much")),
        ("Cloud veils the land only in places.", ("cloud", "affirmed", "some")),
    ],
)
def test_condition_statements_are_read(text: str, expected: tuple[str, str, str | None]) -> None:
    assert expected in _cond(text)


def test_percent_cloud_cover_with_its_bound() -> None:
    (c,) = [
        c for c in extract_claims("Cloud amount below 10 % in this scene.") if c.family == "image_condition"
    ]
    assert c.value is not None and c.value.low == 10.0 and c.value.bound == "at_most"


def test_a_clearing_in_a_forest_is_not_a_sky() -> None:
    assert _cond("A forest clearing with a clearly visible track.") == []


def test_a_condition_sentence_leaves_no_unparsed_claim_and_negation_passes_it() -> None:
    claims = extract_claims("No clouds or snow anywhere, cropland in the west.")
    assert not [c for c in claims if c.subject == "unparsed" and "cloud" in c.text.lower()]
    assert any(c.subject == "snow" and c.polarity == "negated" for c in claims)
    assert any(c.family == "image_condition" and c.polarity == "negated" for c in claims)


def _sky(
    cloud_lo: float, cloud_hi: float, dark: float = 0.02, shadow: float = 0.2, product: str = ""
) -> object:
    sp = SpectralSignal(
        valid_percentage=100.0,
        conditions=ImageConditions(
            cloud_upper=cloud_hi,
            cloud_lower=cloud_lo,
            shadow_upper=shadow,
            snow_lower=0.0,
            snow_upper=0.0,
            dark_blue=dark,
        ),
    )
    b = bundle(spectral=sp, place=PLACE.model_copy(update={"date": "2017-02-16"}))
    if product:
        b.origins = {"sentinel2": LayerOrigin(origin="substitute", product=product)}
    return b


@pytest.mark.parametrize(
    "text, lo, hi, expected",
    [
        ("No clouds at all.", 0.0, 0.3, "supported"),
        ("No clouds at all.", 0.0, 5.0, "unverifiable"),
        ("No clouds at all.", 12.0, 20.0, "contradicted"),
        ("Heavy cloud blankets most of the scene.", 0.0, 8.0, "contradicted"),
        ("Heavy cloud blankets most of the scene.", 70.0, 80.0, "supported"),
        ("Heavy cloud blankets most of the scene.", 10.0, 45.0, "unverifiable"),
        ("Some scattered cloud in the south.", 0.0, 0.4, "contradicted"),
        ("Some scattered cloud in the south.", 3.0, 6.0, "supported"),
        ("Around 40 % cloud cover.", 0.0, 2.0, "contradicted"),
        ("Around 40 % cloud cover.", 38.0, 42.0, "supported"),
    ],
)
def test_cloud_statements_against_the_bounds(text: str, lo: float, hi: float, expected: str) -> None:
    assert claim_verdicts(text, _sky(lo, hi))["image_condition/cloud"] == expected  # type: ignore[arg-type]


def test_haze_on_surface_and_top_of_atmosphere_reflectance() -> None:
    boa = _sky(0.0, 0.0, dark=0.01)
    assert claim_verdicts("The tile looks hazy.", boa)["image_condition/haze"] == "contradicted"  # type: ignore[arg-type]
    # a slight haze may be invisible once the atmosphere is corrected: never contradicted
    assert claim_verdicts("Slight haze over the tile.", boa)["image_condition/haze"] == "unverifiable"  # type: ignore[arg-type]
    assert claim_verdicts("There is no haze.", boa)["image_condition/haze"] == "supported"  # type: ignore[arg-type]
    # L1C in February at 52.5° N: Rayleigh alone gives ~0.09 in blue; a dark object of 0.125 is clear air
    toa = _sky(0.0, 0.0, dark=0.125, product="Sentinel-2 L1C (top-of-atmosphere reflectance)")
    assert claim_verdicts("Slight haze over the tile.", toa)["image_condition/haze"] == "unverifiable"  # type: ignore[arg-type]
    assert claim_verdicts("Thick haze obscures the fields.", toa)["image_condition/haze"] == "contradicted"  # type: ignore[arg-type]
    murky = _sky(0.0, 0.0, dark=0.3, product="Sentinel-2 L1C (top-of-atmosphere reflectance)")
    assert claim_verdicts("There is no haze.", murky)["image_condition/haze"] == "contradicted"  # type: ignore[arg-type]


def test_shadows_need_dark_pixels_and_ground_visibility_needs_cloud() -> None:
    b = _sky(0.0, 0.0, shadow=0.1)
    assert claim_verdicts("Cloud shadows dot the farmland.", b)["image_condition/shadow"] == "contradicted"  # type: ignore[arg-type]
    assert claim_verdicts("Ground scarcely visible.", b)["image_condition/obscured"] == "contradicted"  # type: ignore[arg-type]
    assert (
        claim_verdicts("Ground scarcely visible.", _sky(80.0, 90.0))["image_condition/obscured"]
        == "supported"
    )  # type: ignore[arg-type]


def test_without_a_condition_signal_it_is_unverifiable() -> None:
    assert claim_verdicts("No clouds at all.", bundle())["image_condition/cloud"] == "unverifiable"


# ---- green shares and the sun ----------------------------------------------------------------------
def _green(text: str) -> list[tuple[str | None, float | None, str]]:
    return [
        (c.label, c.value.low if c.value else None, c.value.bound if c.value else "")
        for c in extract_claims(text)
        if c.subject == "green_share"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("No more than a fifth of the picture is green.", (None, 20.0, "at_most")),
        ("Fewer than 0.25 of all pixels exceed an NDVI of 0.4.", ("0.4", 25.0, "at_most")),
        ("Vigorous plants (NDVI above 0.5) occupy at least 70 % of the scene.", ("0.5", 70.0, "at_least")),
        ("Brown, leafless ground outweighs the green patches.", (None, 50.0, "at_most")),
        ("Barely any pixel shows green.", (None, 5.0, "at_most")),
    ],
)
def test_green_share_statements(text: str, expected: tuple[str | None, float, str]) -> None:
    assert _green(text) == [expected]


def test_a_green_share_does_not_take_another_class_number() -> None:
    claims = extract_claims("Pasture covers 40 % of the map, and barely any pixel looks green.")
    assert _green("Pasture covers 40 % of the map, and barely any pixel looks green.") == [
        (None, 5.0, "at_most")
    ]
    assert any(c.subject == "grassland" and c.value is not None and c.value.low == 40.0 for c in claims)


def _winter(shares: dict[str, float]) -> object:
    from geomeld.signals.models import IndexStats

    sp = SpectralSignal(
        valid_percentage=100.0,
        indices={"NDVI": IndexStats(mean=0.22, p10=0.05, p50=0.2, p90=0.42)},
        share_ndvi_above_0_5=shares["0.5"],
        ndvi_shares=shares,
    )
    return bundle(spectral=sp)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("No more than a third of the picture is green.", "supported"),
        ("No more than a tenth of the picture is green.", "unverifiable"),  # 12 % above NDVI 0.4
        ("Green covers at least 60 % of the picture.", "contradicted"),
        ("At most 2 % of the pixels exceed NDVI 0.3.", "contradicted"),
        ("Under 10 % of the pixels exceed NDVI 0.5.", "supported"),
        ("Green areas outweigh bare ones.", "contradicted"),
    ],
)
def test_green_share_checks_use_the_threshold_shares(text: str, expected: str) -> None:
    b = _winter({"0.2": 48.0, "0.3": 25.0, "0.4": 12.0, "0.5": 3.0, "0.6": 1.0, "0.7": 0.0})
    assert claim_verdicts(text, b)["vegetation/green_share"] == expected  # type: ignore[arg-type]


def _sun(elevation: float, source: str = "acquisition time") -> object:
    sp = SpectralSignal(
        valid_percentage=100.0,
        conditions=ImageConditions(
            cloud_upper=0.0,
            cloud_lower=0.0,
            shadow_upper=0.0,
            snow_lower=0.0,
            snow_upper=0.0,
            dark_blue=0.02,
            sun_elevation=elevation,
            sun_elevation_from=source,
        ),
    )
    return bundle(spectral=sp)


@pytest.mark.parametrize(
    "text, elevation, expected",
    [
        ("A low winter sun, under 30° above the horizon.", 22.0, "supported"),
        ("A low winter sun, under 30° above the horizon.", 41.0, "contradicted"),
        ("The solar elevation exceeds 55 degrees.", 22.0, "contradicted"),
        ("The sun stood high overhead.", 64.0, "supported"),
        ("The sun stood high overhead.", 20.0, "contradicted"),
    ],
)
def test_sun_elevation_statements(text: str, elevation: float, expected: str) -> None:
    assert claim_verdicts(text, _sun(elevation))["image_condition/sun"] == expected  # type: ignore[arg-type]


def _snowy(lower: float, upper: float) -> object:
    sp = SpectralSignal(
        valid_percentage=100.0,
        conditions=ImageConditions(
            cloud_upper=0.0,
            cloud_lower=0.0,
            shadow_upper=0.0,
            snow_lower=lower,
            snow_upper=upper,
            dark_blue=0.02,
        ),
    )
    return bundle(spectral=sp)


@pytest.mark.parametrize(
    "text, lower, upper, expected",
    [
        ("Not a single patch of snow.", 0.0, 0.05, "supported"),
        ("Not a single patch of snow.", 60.0, 65.0, "contradicted"),
        ("Snow blankets most of the land.", 0.0, 0.05, "contradicted"),
        ("Snow blankets most of the land.", 80.0, 85.0, "supported"),
    ],
)
def test_snow_is_judged_on_the_image_of_the_day(text: str, lower: float, upper: float, expected: str) -> None:
    verdicts = claim_verdicts(text, _snowy(lower, upper))  # type: ignore[arg-type]
    assert [v for k, v in verdicts.items() if k.endswith("/snow")] == [expected]


def test_growth_statements_are_vigour_claims() -> None:
    claims = extract_claims("The crops are not actively growing.")
    assert [(c.subject, c.polarity) for c in claims if c.family == "vegetation"] == [("green", "negated")]


@pytest.mark.parametrize(
    "text",
    [
        "Barely any cloud over the fields.",
        "The amount of cloud is small.",
        "The photo is free of mist and cloud.",
        "No haze, clouds or shadows anywhere.",
        "Hardly any haze.",
        "Taken on a clear spring morning.",
    ],
)
def test_little_or_no_cloud_is_never_contradicted_on_a_clear_tile(text: str) -> None:
    verdicts = claim_verdicts(text, _sky(0.0, 0.0, dark=0.01, shadow=0.0))  # type: ignore[arg-type]
    conds = [v for k, v in verdicts.items() if k.startswith("image_condition/")]
    assert conds and "contradicted" not in conds


def test_little_cloud_is_contradicted_by_much_opaque_cloud() -> None:
    assert (
        claim_verdicts("Barely any cloud over the fields.", _sky(30.0, 40.0))["image_condition/cloud"]
        == "contradicted"
    )  # type: ignore[arg-type]


def test_green_said_of_a_part_is_not_the_tile_vigour() -> None:
    labels = [c.label for c in extract_claims("Only the spruces appear green.") if c.subject == "green"]
    assert labels == ["partial"]
    winter = _winter({"0.2": 48.0, "0.3": 25.0, "0.4": 12.0, "0.5": 3.0, "0.6": 1.0, "0.7": 0.0})
    assert claim_verdicts("A few green strips along the ditches.", winter)["vegetation/green"] == "supported"  # type: ignore[arg-type]
    bare = _winter({"0.2": 5.0, "0.3": 0.5, "0.4": 0.0, "0.5": 0.0, "0.6": 0.0, "0.7": 0.0})
    assert claim_verdicts("A few green strips along the ditches.", bare)["vegetation/green"] == "contradicted"  # type: ignore[arg-type]


def test_a_likeness_is_not_the_class() -> None:
    assert not [c for c in extract_claims("Savanna-like open heath with pines.") if c.subject == "savanna"]


def test_haze_is_not_read_from_a_snow_covered_scene_or_an_unknown_product() -> None:
    snowy = _sky(0.0, 0.0, dark=0.14)
    snowy.spectral.conditions.snow_upper = 80.0  # type: ignore[attr-defined]
    assert claim_verdicts("There is no haze.", snowy)["image_condition/haze"] == "unverifiable"  # type: ignore[arg-type]
    # a dark object at the Rayleigh level is read as top-of-atmosphere even without a product name
    unknown = _sky(0.0, 0.0, dark=0.12)
    assert claim_verdicts("There is no haze.", unknown)["image_condition/haze"] == "supported"  # type: ignore[arg-type]
