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
    water_idx: float,
    green: float,
    ndvi: float,
    valid: float = 100.0,
    lat: float = 48.2,
    lon: float = 14.0,
    core: float | None = None,
    strict: float = 0.0,
) -> SignalBundle:
    st = IndexStats(mean=ndvi, p10=ndvi, p50=ndvi, p90=ndvi)
    b = SignalBundle(key="t")
    b.spectral = SpectralSignal(
        indices={"NDVI": st},
        share_ndvi_above_0_5=green,
        valid_percentage=valid,
        water_index_percentage=water_idx,
        water_core_percentage=water_idx if core is None else core,
        water_strict_percentage=strict,
    )
    b.place = PlaceSignal(lat=lat, long=lon, hemisphere="northern", month=6, year=2018, date="2018-06-14")
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
    assert "contradicted" in _verdicts("A reservoir takes up about 30 % of the scene.", dry).values()
    # a small share under the bound is not contradicted, nor supported (no clear water in the image)
    assert "contradicted" not in _verdicts("Water covers about 0.3 % of the scene.", dry).values()
    # a wet-looking winter scene (haze and snow pass the index) bounds nothing
    snowy = _s2_bundle(water_idx=70.0, green=0.0, ndvi=0.05)
    assert set(_verdicts("A reservoir takes up about 30 % of the scene.", snowy).values()) == {"unverifiable"}
    # the unimaged part of the tile stays open
    half = _s2_bundle(water_idx=0.0, green=85.0, ndvi=0.7, valid=60.0)
    assert set(_verdicts("Water covers about 30 % of the scene.", half).values()) == {"unverifiable"}
    # a large river needs water in the image; a brook may be narrower than a pixel
    assert "contradicted" in _verdicts("a broad river flows past", dry).values()
    assert "contradicted" not in _verdicts("a brook flows past", dry).values()
    cloudy = _s2_bundle(water_idx=5.0, green=40.0, ndvi=0.5, core=30.0)  # thick cloud may hide it
    assert "contradicted" not in _verdicts("a broad river flows past", cloudy).values()


def test_clear_open_water_is_a_lower_bound() -> None:
    lake = _s2_bundle(water_idx=52.0, green=20.0, ndvi=0.3, strict=41.0)
    assert "contradicted" in _verdicts("There is no water in the scene.", lake).values()
    assert "contradicted" in _verdicts("Water covers under 10 % of the tile.", lake).values()
    assert "supported" in _verdicts("The tile holds open water.", lake).values()


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


def test_spectral_signal_water_bounds() -> None:
    names = ["B2", "B3", "B4", "B8", "B11"]
    img = np.zeros((5, 10, 10), dtype=np.float32)
    img[:, :, :] = np.array([400, 500, 400, 3000, 1500], dtype=np.float32)[:, None, None]  # vegetation
    img[:, :2, :] = np.array([500, 600, 400, 200, 100], dtype=np.float32)[:, None, None]  # open water
    img[:, 2, :] = np.array([4000, 4200, 4100, 4300, 3000], dtype=np.float32)[:, None]  # cloud
    img[:, 9, :] = 0.0  # no-data row
    sp = spectral_signal(img, names)
    assert sp.valid_percentage == 90.0
    assert sp.water_strict_percentage is not None and abs(sp.water_strict_percentage - 200 / 9) < 1e-6
    assert sp.water_index_percentage is not None and abs(sp.water_index_percentage - 300 / 9) < 1e-6
    assert sp.water_core_percentage is not None and abs(sp.water_core_percentage - 300 / 9) < 1e-6
    # reflectance-scaled input gives the same figures
    sp2 = spectral_signal(img / 10000.0, names)
    assert sp2.water_strict_percentage == sp.water_strict_percentage


def test_calendar_dates() -> None:
    b = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5)
    assert set(_verdicts("Acquired 2018-06-14.", b).values()) == {"supported"}
    assert "contradicted" in _verdicts("Acquired 2018-09-14.", b).values()
    assert "contradicted" in _verdicts("date 14.07.2018", b).values()
    assert "contradicted" not in _verdicts("on 2018-06-15", b).values()  # a day off: time zones
    # day-month order unknown: only the year is read
    assert [c.subject for c in extract_claims("taken 05/06/2018") if c.family == "season"] == ["year"]


def test_ratio_comparisons() -> None:
    got = [
        c
        for c in extract_claims(
            "Orchards aside, pasture covers at least three times as much ground as woodland"
        )
        if c.family == "comparison"
    ]
    assert got and got[0].subject == "grassland" and got[0].other == "trees"
    assert got[0].value is not None and got[0].value.low == 3.0 and got[0].value.bound == "at_least"
    got = [
        c
        for c in extract_claims("there is twice as much heath as farmland, or more")
        if c.family == "comparison"
    ]
    assert (
        got
        and got[0].subject == "shrubland"
        and got[0].value is not None
        and got[0].value.bound == "at_least"
    )
    got = extract_claims("meadow covers less than half as much area as woodland")
    assert not any(c.family == "landcover_share" for c in got)  # "half" is the factor here
    assert any(c.family == "comparison" and c.value is not None and c.value.low == 0.5 for c in got)


def test_low_vigour_and_bounds_inverted_by_rarely() -> None:
    assert ("vegetation", "sparse", "affirmed", None) in claims("The plants' vigour looks weak.")
    got = [c for c in extract_claims("Greenness seldom rises above 0.3 (NDVI)") if c.value is not None]
    assert got and got[0].value is not None and got[0].value.bound == "at_most"


def test_mangroves_by_latitude_and_absence_phrasing() -> None:
    b = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5, lat=52.0, lon=13.0)
    assert "contradicted" in _verdicts("Mangroves line the shore.", b).values()
    assert set(_verdicts("There are no mangroves.", b).values()) == {"supported"}
    # Mombasa harbour: tropical and on the coast (-3.0, 39.5 lies 40 km inland: no mangroves there)
    tropic = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5, lat=-4.06, lon=39.68)
    assert _verdicts("Mangroves line the shore.", tropic)["Mangroves"] != "contradicted"
    assert ("landcover_presence", "cropland", "negated", None) in claims("Farmland is missing altogether.")


def test_position_halves_and_list_separators() -> None:
    got = extract_claims("Pasture sits mostly in the right-hand half")
    assert not any(c.family == "landcover_share" for c in got)
    assert any(c.family == "position" and c.location == "east" for c in got)
    got = extract_claims("crops about 12 % | no water / snow absent")
    assert {(c.subject, c.polarity) for c in got} >= {
        ("cropland", "affirmed"),
        ("water", "negated"),
        ("snow", "negated"),
    }


def test_gazetteer_regions_and_towns() -> None:
    from geomeld.captioning.gazetteer import city_verdict, fold, region_verdict

    assert fold("Baden-Württemberg") == fold("Baden-Wuerttemberg")
    assert fold("County Galway") == "galway"
    potsdam = (52.39, 13.06)
    inside = region_verdict("Brandenburg", 51.76, 14.33)  # Cottbus
    assert inside is not None and inside[0] is True
    far = region_verdict("North Rhine-Westphalia", *potsdam)
    assert far is not None and far[0] is False and far[1]["distance_km"] > 200
    assert region_verdict("Atlantis Province", *potsdam) is None
    # a neighbouring state near the border: undecided
    border = region_verdict("Saxony-Anhalt", 52.45, 12.35)
    assert border is not None and border[0] is None
    near = city_verdict("Leipzig", 51.40, 12.40, "near")
    assert near is not None and near[0] is True
    gone = city_verdict("Leipzig", *potsdam, "in")
    assert gone is not None and gone[0] is False


def test_region_claims_through_caption_check() -> None:
    b = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5, lat=52.39, lon=13.06)
    b.place.country = "Germany"  # type: ignore[union-attr]
    assert "contradicted" in _verdicts("Somewhere in Lower Saxony.", b).values()
    assert "contradicted" in _verdicts("A view on the outskirts of Munich.", b).values()
    assert set(_verdicts("A view on the outskirts of Berlin.", b).values()) == {"supported"}
    assert "supported" in _verdicts("The tile lies in Brandenburg.", b).values()


def test_map_statements_and_sar_sign_and_verb_nouns() -> None:
    from geomeld.signals.models import ClassShare, LandCoverSignal

    b = _s2_bundle(water_idx=3.0, green=10.0, ndvi=0.2)
    b.origins["esa_worldcover"] = LayerOrigin(origin="substitute")
    b.landcover["esa_worldcover"] = LandCoverSignal(
        product="esa_worldcover",
        valid_percentage=30.0,
        classes=[ClassShare(code=10, name="Tree cover", percentage=100.0, location="north")],
    )
    # the map labels 30 % (all trees): what the map holds is known exactly, the ground is not
    v = _verdicts("OpenStreetMap has no forest polygon here.", b)
    assert "contradicted" in v.values()
    assert set(_verdicts("No meadow polygon is mapped in OSM.", b).values()) == {"supported"}
    assert "contradicted" not in _verdicts("There is no meadow.", b).values()
    got = extract_claims("The radar signal averages a negative dB value")
    assert got and got[0].family == "sar" and got[0].value is not None and got[0].value.bound == "at_most"
    got = claims("heath trails woodland in area")
    assert got[0][0] == "comparison"
    assert ("osm_object", "path", "affirmed", None) in claims("walking trails cross the heath")


def test_water_position_from_clear_water_pixels() -> None:
    b = _s2_bundle(water_idx=50.0, green=10.0, ndvi=0.2, strict=40.0)
    assert b.spectral is not None
    b.spectral.water_strict_parts = {"north": 0.9, "south": 0.1, "west": 0.5, "east": 0.5}
    assert set(_verdicts("The lake lies in the north of the tile.", b).values()) >= {"supported"}
    assert "contradicted" in _verdicts("The open water lies in the southern half.", b).values()


def test_sparse_regions_are_not_called_far_too_early() -> None:
    from geomeld.captioning.gazetteer import region_verdict

    # inside Nunavut its nearest filed place is ~200 km away: sparse, so undecided, never "far"
    r = region_verdict("Nunavut", 64.0, -95.0)
    assert r is not None and r[0] is not False
    # a dense region 230 km away is far
    r = region_verdict("Bavaria", 52.47, 12.5)
    assert r is not None and r[0] is False


def test_snow_bounded_by_bright_pixels_and_whole_tile_phrases() -> None:
    summer = _s2_bundle(water_idx=1.0, green=80.0, ndvi=0.7)
    assert summer.spectral is not None
    summer.spectral.bright_percentage = 0.5
    assert "contradicted" in _verdicts("The entire frame lies under snow.", summer).values()
    winter = _s2_bundle(water_idx=30.0, green=0.0, ndvi=0.05)
    assert winter.spectral is not None
    winter.spectral.bright_percentage = 85.0
    assert "contradicted" not in _verdicts("The entire frame lies under snow.", winter).values()
    got = extract_claims("all of the picture is woodland")
    assert (
        got and got[0].family == "landcover_share" and got[0].value is not None and got[0].value.low == 90.0
    )


def test_boxless_hand_regions_defer_to_the_gazetteer_and_size_inside_the_phrase() -> None:
    from geomeld.captioning.places import place_verdict

    # "Texas" is in the hand table by country only; the tile is in Iowa, same country
    assert place_verdict("region", "texas", "United States of America", 41.9, -93.6) is False
    got = [c for c in extract_claims("A major river crosses the tile") if c.family == "water"]
    assert got and got[0].label == "large"


def test_trace_amounts_and_counties_are_not_towns() -> None:
    from geomeld.captioning.places import place_verdict
    from geomeld.signals.models import ClassShare, LandCoverSignal

    got = extract_claims("Heath is only a sliver of the frame")
    assert got[0].label == "trace"
    b = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5)
    b.origins["esa_worldcover"] = LayerOrigin(origin="real")
    b.landcover["esa_worldcover"] = LandCoverSignal(
        product="esa_worldcover",
        valid_percentage=100.0,
        classes=[
            ClassShare(code=10, name="Tree cover", percentage=30.0, location="north"),
            ClassShare(code=30, name="Grassland", percentage=3.0, location="north"),
            ClassShare(code=40, name="Cropland", percentage=67.0, location="south"),
        ],
    )
    assert Ground.from_bundle(b).share_ranges("trees")
    assert "contradicted" in _verdicts("A sliver of woodland.", b).values()
    assert "supported" in _verdicts("A sliver of meadow.", b).values()
    assert "contradicted" not in _verdicts("Patches of woodland.", b).values()
    # "County Tipperary" is not the town of Tipperary (a county is wider than 60 km around it)
    assert place_verdict("unknown", "county tipperary", "Ireland", 52.65, -7.25) is None


def test_landmarks_and_months_are_not_towns() -> None:
    b = _s2_bundle(water_idx=1.0, green=50.0, ndvi=0.5, lat=52.3, lon=-6.9)
    assert b.place is not None
    b.place.country = "Ireland"
    # a river's name before a landform noun is not a town or an admin region of that name abroad
    assert "contradicted" not in _verdicts("It sits by the Shannon estuary, inland.", b).values()
    got = [c for c in extract_claims("close to the Barrow river") if c.family == "place"]
    assert all(c.subject == "landmark" for c in got)
    # "in Jun 2017" names a month, not the Spanish town of Jun
    assert "contradicted" not in _verdicts("Taken in Jun 2018.", b).values()
