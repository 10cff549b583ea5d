"""Mechanisms added after the first sealed split: absence grammar, ranking verbs, dry land, numbers
that are dates, negation that stays within one kind of subject, and the Sentinel-2 upper bounds on
water and built-up land. Sentences are written for these tests (not taken from any fidelity set)."""

from __future__ import annotations

import numpy as np

from geomeld.captioning.check import check_caption
from geomeld.captioning.extract import extract_claims
from geomeld.captioning.ground import Ground
from geomeld.signals.models import IndexStats, LayerOrigin, PlaceSignal, SignalBundle, SpectralSignal
from geomeld.signals.optical import spectral_signal


def claims(text: str) -> list[tuple[str, str, str, str | None]]:
    return [(c.family, c.subject, c.polarity, c.label) for c in extract_claims(text)]


def test_whole_tile_quantifier_before_a_negation_is_an_absence() -> None:
    got = claims("The plot is completely devoid of pasture.")
    assert ("landcover_presence", "grassland", "negated", None) in got
    assert not any(f == "landcover_share" for f, *_ in got)
    got = claims("Orchards aside, woodland is totally absent.")
    assert ("landcover_presence", "trees", "negated", None) in got
    # without a negation the quantifier is still a share of (nearly) the whole tile
    assert any(f == "landcover_share" for f, *_ in claims("the scene is entirely woodland"))


def test_free_suffix_negates_its_stem() -> None:
    got = claims("a forest-free, water-free stretch of farmland")
    assert ("landcover_presence", "trees", "negated", None) in got
    assert ("water", "water", "negated", None) in got


def test_ranking_verbs_with_a_collection_object_are_dominance() -> None:
    assert ("dominance", "cropland", "affirmed", "largest") in claims("Farmland heads the ranking.")
    assert ("dominance", "built", "affirmed", "largest") in claims("Urban fabric leads the tally of classes.")
    assert ("dominance", "trees", "negated", "largest") in claims("Woodland lags behind the rest.")
    # a comparative verb between two classes stays a comparison
    assert claims("forest leads grassland")[0][0] == "comparison"


def test_dry_land_is_about_water_not_vigour() -> None:
    got = claims("It is dry ground from edge to edge.")
    assert ("water", "water", "negated", None) in got
    assert not any(f == "vegetation" for f, *_ in got)
    assert any(f == "vegetation" for f, *_ in claims("the meadows look dry and brown"))


def test_years_are_not_shares_and_numbers_stay_with_the_labelled_phrase() -> None:
    got = extract_claims("The map labels 25 percent of the pixels, as of 2019")
    shares = [c for c in got if c.family == "landcover_share"]
    assert len(shares) == 1 and shares[0].value is not None and shares[0].value.low == 25.0
    got = extract_claims("Most of the oak wood sits in the west, labelled pixels amount to 41 % of the tile")
    lab = [c for c in got if c.subject == "labelled"]
    assert lab and lab[0].value is not None and lab[0].value.low == 41.0
    assert not any(c.subject == "trees" and c.value is not None for c in got)


def test_negation_does_not_cross_from_places_to_land_cover() -> None:
    got = extract_claims("we are near Potsdam in Brandenburg, marsh and heath both missing")
    places = [c for c in got if c.family == "place"]
    assert places and all(c.polarity == "affirmed" for c in places)
    assert any(c.subject == "wetland" and c.polarity == "negated" for c in got)
    got = extract_claims("there is no heath at all, Chile territory")
    assert [c.polarity for c in got if c.family == "place"] == ["affirmed"]


def test_prepositional_modifier_leaves_the_quantifier_to_its_head() -> None:
    got = claims("a crowded city core of office blocks takes up most of the frame")
    assert ("dominance", "built", "affirmed", "most") in got


def test_large_water_words() -> None:
    got = [c for c in extract_claims("A wide river cuts across the tile") if c.family == "water"]
    assert got and got[0].label == "large" and got[0].text == "wide river"


def _s2_bundle(
    water_idx: float, green: float, ndvi: float, valid: float = 100.0, lat: float = 48.2, lon: float = 14.0
) -> SignalBundle:
    st = IndexStats(mean=ndvi, p10=ndvi, p50=ndvi, p90=ndvi)
    b = SignalBundle(key="t")
    b.spectral = SpectralSignal(
        indices={"NDVI": st},
        share_ndvi_above_0_5=green,
        valid_percentage=valid,
        water_index_percentage=water_idx,
    )
    b.place = PlaceSignal(lat=lat, long=lon, hemisphere="northern", month=6, year=2018)
    b.origins = {
        "sentinel2": LayerOrigin(origin="real"),
        "esa_worldcover": LayerOrigin(origin="relocated"),
        "dynamic_world": LayerOrigin(origin="relocated"),
    }
    return b


def _verdicts(text: str, b: SignalBundle) -> dict[str, str]:
    return {c.text: str(c.verdict) for c in check_caption(text, Ground.from_bundle(b)).claims}


def test_water_share_bounded_by_the_water_index() -> None:
    dry = _s2_bundle(water_idx=0.4, green=85.0, ndvi=0.7)
    v = _verdicts("A reservoir takes up about 30 % of the scene.", dry)
    assert "contradicted" in v.values()
    # a small share under the bound is not contradicted, nor supported (the bound is one-sided)
    assert set(_verdicts("Water covers about 0.3 % of the scene.", dry).values()) == {"unverifiable"}
    # a wet-looking winter scene (snow passes the index) bounds nothing
    snowy = _s2_bundle(water_idx=70.0, green=0.0, ndvi=0.05)
    assert set(_verdicts("A reservoir takes up about 30 % of the scene.", snowy).values()) == {"unverifiable"}
    # the unimaged part of the tile stays open
    half = _s2_bundle(water_idx=0.0, green=85.0, ndvi=0.7, valid=60.0)
    assert set(_verdicts("Water covers about 30 % of the scene.", half).values()) == {"unverifiable"}
    # a large river needs water in the image; a brook may be narrower than a pixel
    assert "contradicted" in _verdicts("a broad river flows past", dry).values()
    assert "contradicted" not in _verdicts("a brook flows past", dry).values()


def test_sea_far_from_the_tile_is_contradicted() -> None:
    inland = _s2_bundle(water_idx=0.4, green=85.0, ndvi=0.7, lat=48.2, lon=14.0)  # Upper Austria
    assert "contradicted" in _verdicts("Waves break on a sandy sea shore.", inland).values()
    assert "supported" in _verdicts("The tile is far from the sea.", inland).values()
    coast = _s2_bundle(water_idx=0.4, green=85.0, ndvi=0.7, lat=38.70, lon=-9.42)  # Cascais, Portugal
    assert "contradicted" not in _verdicts("Waves break on a sandy sea shore.", coast).values()


def test_built_dominance_bounded_by_green_pixels() -> None:
    green = _s2_bundle(water_idx=0.4, green=90.0, ndvi=0.75)
    assert "contradicted" in _verdicts("Dense housing covers most of the tile.", green).values()
    winter = _s2_bundle(water_idx=5.0, green=3.0, ndvi=0.15)
    assert "contradicted" not in _verdicts("Dense housing covers most of the tile.", winter).values()


def test_lush_against_ndvi_with_the_share_of_green_pixels() -> None:
    dormant = _s2_bundle(water_idx=5.0, green=8.0, ndvi=0.36)
    assert "contradicted" in _verdicts("The vegetation is lush.", dormant).values()
    patchy = _s2_bundle(water_idx=5.0, green=45.0, ndvi=0.36)  # half green, half bare: undecided
    assert set(_verdicts("The vegetation is lush.", patchy).values()) == {"unverifiable"}


def test_spectral_signal_water_index_bound() -> None:
    names = ["B3", "B4", "B8", "B11"]
    img = np.zeros((4, 10, 10), dtype=np.float32)
    img[:, :, :] = np.array([500, 400, 3000, 1500], dtype=np.float32)[:, None, None]  # vegetation
    img[:, :2, :] = np.array([600, 400, 200, 100], dtype=np.float32)[:, None, None]  # water rows
    img[:, 9, :] = 0.0  # no-data row
    sp = spectral_signal(img, names)
    assert sp.valid_percentage == 90.0
    assert sp.water_index_percentage is not None and abs(sp.water_index_percentage - 200 / 9) < 1e-6
