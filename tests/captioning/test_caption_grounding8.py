"""Mechanisms added against the fourth planted-claim set's failure classes: names of one class written
side by side are one mention, dominance among the mapped classes is a statement about the largest class,
a water body the caption puts in the tile must show in the image, and consistency between water kinds
and between a date and a season. Sentences are written for these tests."""

from __future__ import annotations

from geomeld.captioning.check import check_caption
from geomeld.captioning.claims import Claim
from geomeld.captioning.consistency import consistency_claims
from geomeld.captioning.extract import extract_claims
from geomeld.captioning.ground import Ground
from geomeld.signals.models import LayerOrigin, PlaceSignal, SignalBundle, SpectralSignal
from tests.captioning.test_caption_check import bundle, claim_verdicts


def _claims(text: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(c.family, c.subject, c.label, c.other) for c in extract_claims(text)]


def test_two_names_of_one_class_are_one_side_of_a_comparison() -> None:
    claims = _claims("Woodland outranks reed beds and fen by a wide margin")
    assert ("comparison", "trees", "more", "wetland") in claims
    # the far side of a comparison is not said to be present: "A exceeds B" holds with no B at all
    assert not [c for c in claims if c[0] == "landcover_presence"]
    left = _claims("Meadow and pasture trail the farmland")
    assert [c for c in left if c[0] != "comparison"] == []


def test_a_run_of_one_class_keeps_its_position_reading() -> None:
    claims = _claims("Most of the meadow and pasture sits in the lower-right quarter")
    assert not [c for c in claims if c[0] == "dominance"]
    assert ("position", "grassland", "most", None) in claims


def test_a_run_does_not_swallow_a_statement_of_its_own() -> None:
    shares = [c for c in extract_claims("the map marks 7 % as woods and forest: around 60 %") if c.value]
    assert sorted(c.value.low for c in shares if c.value) == [7.0, 60.0]


def test_dominance_among_the_mapped_classes_is_the_largest_class() -> None:
    for text in (
        "Among the labelled classes, heath dominates.",
        "Heath is the dominant mapped class.",
        "Mostly heath where the land use is mapped.",
    ):
        dom = [c for c in extract_claims(text) if c.family == "dominance"]
        assert [(c.subject, c.label) for c in dom] == [("shrubland", "largest")], text
    assert [c.label for c in extract_claims("Heath dominates the tile.") if c.family == "dominance"] == [
        "most"
    ]
    # the map labels 10 % of the tile, most of it heath: the largest class, not most of the tile
    b = bundle({"Shrubland": 70.0, "Grassland": 30.0}, valid=10.0)
    assert claim_verdicts("Heath is the dominant mapped class.", b)["dominance/shrubland"] == "supported"
    assert claim_verdicts("Grass is the dominant mapped class.", b)["dominance/grassland"] == "contradicted"


def _water_tile(strict: float, bright: float = 0.0, mapped: float = 0.0) -> SignalBundle:
    b = bundle({"Tree cover": 100.0 - mapped, "Permanent water bodies": mapped}, valid=30.0)
    b.spectral = SpectralSignal(
        valid_percentage=100.0,
        water_index_percentage=3.0,
        water_core_percentage=1.2,
        water_strict_percentage=strict,
        bright_percentage=bright,
    )
    b.place = PlaceSignal(lat=52.4, long=12.5, hemisphere="northern", month=2, year=2017, date="2017-02-10")
    b.origins = {"sentinel2": LayerOrigin(origin="real"), "esa_worldcover": LayerOrigin(origin="substitute")}
    return b


def _water_verdict(text: str, b: SignalBundle) -> str:
    return next(
        str(c.verdict) for c in check_caption(text, Ground.from_bundle(b)).claims if c.family == "water"
    )


def test_a_water_body_must_show_in_the_image() -> None:
    dry = _water_tile(strict=0.1)
    for text in ("A lake fills part of the frame.", "A river runs across the frame."):
        assert _water_verdict(text, dry) == "contradicted", text
    assert _water_verdict("Open water can plainly be seen.", dry) == "contradicted"
    # too little clear water for a body; a pond or a ditch may still hide in it
    assert _water_verdict("A small pond sits in one field.", dry) != "contradicted"
    # enough clear water for a narrow river, snow that could hide one, or a mapped water pixel: undecided
    for b in (_water_tile(strict=0.7), _water_tile(strict=0.1, bright=25.0), _water_tile(0.1, mapped=2.0)):
        assert _water_verdict("A river runs across the frame.", b) != "contradicted"


def test_a_tile_said_to_be_completely_dry_has_no_water() -> None:
    water = [c for c in extract_claims("the whole frame is entirely dry") if c.family == "water"]
    assert [(c.subject, c.polarity) for c in water] == [("water", "negated")]
    assert not [c for c in extract_claims("the reeds look completely dry") if c.family == "water"]


def test_near_the_coast_is_not_water_in_the_tile() -> None:
    sea = [c for c in extract_claims("Farmland a short drive from the coast.") if c.subject == "sea"]
    assert [c.label for c in sea] == ["near"]
    assert [
        c.label for c in extract_claims("A shoreline runs along the top edge.") if c.subject == "sea"
    ] == [None]


def test_a_day_of_the_month_is_no_backscatter_value() -> None:
    sar = [c for c in extract_claims("recorded 21 May 2019, VV is stronger than VH") if c.family == "sar"]
    assert [(c.subject, c.value) for c in sar] == [("vv_vs_vh", None)]


def test_an_earlier_negation_does_not_negate_a_year() -> None:
    years = [c for c in extract_claims("no haze at all, from 2015, some farmland") if c.subject == "year"]
    assert [c.polarity for c in years] == ["affirmed"]
    years = [c for c in extract_claims("not from 2015") if c.subject == "year"]
    assert [c.polarity for c in years] == ["negated"]


def _conflicts(text: str) -> list[Claim]:
    return consistency_claims(extract_claims(text))


def test_no_lakes_allows_some_water_but_no_water_excludes_a_lake() -> None:
    assert _conflicts("No ponds or lakes here; a thin sliver of water in the corner.") == []
    assert _conflicts("There is no water at all; a lake fills the west.") != []


def test_a_date_agrees_with_its_season_and_month() -> None:
    assert _conflicts("A winter scene, recorded 03.01.2018.") == []
    assert _conflicts("Recorded 03.01.2018, in the month of January.") == []
    assert _conflicts("Recorded 2018-01-23 in July.") != []


# ---- short human captions and LLM paragraphs (fifth and seventh sets' failure classes) -------------
def test_may_is_a_month_only_in_a_date() -> None:
    def months(text: str) -> list[str | None]:
        return [c.label for c in extract_claims(text) if c.subject == "month"]

    assert months("These shares may change from year to year.") == []
    assert months("I may have misread the colours.") == []
    assert months("Recorded in May 2019.") == ["5"]
    assert months("a may capture over farmland") == ["5"]
    dates = [c.label for c in extract_claims("recorded on 7/23/2019") if c.subject == "date"]
    assert dates == ["2019-07-23"]


def test_a_question_asserts_nothing_until_answered() -> None:
    def pol(text: str) -> list[tuple[str, str]]:
        return [(c.subject, c.polarity) for c in extract_claims(text) if c.subject != "unparsed"]

    assert pol("Any forest? None that I can see.") == [("trees", "negated")]
    assert pol("Heath? No.") == [("shrubland", "negated")]
    assert pol("Heath? Yes.") == [("shrubland", "affirmed")]
    assert pol("Is there a lake? Hardly any water at all.") == [("water", "negated")]


def test_the_far_side_of_an_unpaired_comparison_is_not_present() -> None:
    claims = _claims("Heath is three times larger then the water.")
    assert ("comparison", "shrubland", "ratio", "water") in claims
    assert not [c for c in claims if c[0] in ("water", "landcover_presence")]
    assert ("comparison", "trees", "more", "wetland") in _claims("Woods > marsh")
    ratio = [c for c in extract_claims("Woods ≥ 3× marsh") if c.label == "ratio"]
    assert [(c.subject, c.other, c.value.low if c.value else None) for c in ratio] == [
        ("trees", "wetland", 3.0)
    ]
    share = [c for c in extract_claims("woods > 30 %") if c.family == "landcover_share"]
    assert [c.value.bound for c in share if c.value] == ["at_least"]
    # a comparison word that bounds a number leaves the next class alone
    assert ("landcover_presence", "wetland", None, None) in _claims(
        "water is no more than 3 % and one can see reeds"
    )


def test_an_absence_with_a_bound_is_a_small_share() -> None:
    water = [c for c in extract_claims("Water is virtually absent, well below 4 %.") if c.family == "water"]
    assert [(c.polarity, c.value.bound if c.value else None) for c in water] == [("affirmed", "at_most")]
    assert [c.polarity for c in extract_claims("heath is absent") if c.subject == "shrubland"] == ["negated"]


def test_decimal_fractions_are_shares_of_the_tile() -> None:
    water = [c for c in extract_claims("surface water stays below 0.03") if c.family == "water"]
    assert [(c.value.low, c.value.bound) for c in water if c.value] == [(3.0, "at_most")]
    trees = [c for c in extract_claims("0.4 of the area is woodland") if c.subject == "trees"]
    assert [c.value.low for c in trees if c.value] == [40.0]
    ndvi = [c for c in extract_claims("the mean NDVI stays below 0.3") if c.family == "vegetation"]
    assert [c.value.low for c in ndvi if c.value] == [0.3]


def test_caveats_headings_and_resolution_claim_nothing() -> None:
    claims = _claims("Caveat: a 10 m image cannot resolve individual houses or trees.")
    assert [c for c in claims if c[1] != "unparsed"] == []
    assert not [c for c in _claims("Field notes, site 4: farmland in the west") if c[1] == "fields"]
    assert [c[0] for c in _claims("Most likely, heath can be seen.")] == ["landcover_presence"]
    seen = _claims("Mostly heath. Remarks: a clear day.")
    assert ("dominance", "shrubland", "most", None) in seen


def test_polarisation_difference_and_orbit_direction() -> None:
    from geomeld.signals.models import OrbitSar, SarSignal

    b = SignalBundle(key="t")
    b.sar = SarSignal(
        orbits={
            "asc": OrbitSar(vv_db_mean=-11.0, vh_db_mean=-17.5, vh_minus_vv_db=-6.5, valid_percentage=100.0)
        }
    )
    b.origins = {"sentinel1": LayerOrigin(origin="real")}
    assert claim_verdicts("The co-pol/cross-pol gap is 5 to 8 dB.", b)["sar/vv_minus_vh"] == "supported"
    assert claim_verdicts("The VV–VH difference is about 14 dB.", b)["sar/vv_minus_vh"] == "contradicted"
    assert claim_verdicts("Acquired on an ascending pass.", b)["sar/orbit_asc"] == "supported"
    assert claim_verdicts("A descending-orbit scene.", b)["sar/orbit_desc"] == "contradicted"
    assert not [c for c in extract_claims("captured 9 July 2018; VV exceeds VH") if c.value is not None]


def test_double_negation_and_denial() -> None:
    def pol(text: str) -> list[str]:
        return [c.polarity for c in extract_claims(text) if c.subject == "shrubland"]

    assert pol("Heath is not missing from this frame.") == ["affirmed"]
    assert pol("It is not true that there is no heath.") == ["affirmed"]
    assert pol("It isn't the case that heath appears.") == ["negated"]
    assert pol("Heath is missing.") == ["negated"]


def test_only_in_one_part_and_absent_from_a_part() -> None:
    parts = {"Cropland": {"north": 0.6, "south": 0.4, "south-east": 0.3, "north-west": 0.0}}
    b = bundle({"Cropland": 60.0, "Tree cover": 40.0}, valid=20.0, parts=parts)
    # 60 % in the north: "mostly" holds, "only" does not
    assert (
        claim_verdicts("Farmland is confined to the northern half.", b)["position/cropland"] == "contradicted"
    )
    assert claim_verdicts("Farmland lies mostly in the north.", b)["position/cropland"] == "supported"
    # 30 % of farmland (3.6 % of the tile) in the SE quarter: it is not absent there
    got = claim_verdicts("There is no farmland in the south-east quarter.", b)
    assert got.get("landcover_presence/cropland", got.get("position/cropland")) == "contradicted"
    got = claim_verdicts("No farmland in the north-west quarter.", b)
    assert got.get("landcover_presence/cropland", got.get("position/cropland")) != "contradicted"


def test_proportions_in_words() -> None:
    shares = {
        c.subject: (c.value.low, c.value.bound)
        for c in extract_claims("heath: one pixel in twenty; woods do not reach three out of four pixels")
        if c.value
    }
    assert shares == {"shrubland": (5.0, "about"), "trees": (75.0, "at_most")}
    assert [c.label for c in extract_claims("the middle of winter, farmland") if c.family == "position"] == []
    assert [c.subject for c in extract_claims("in the middle of winter") if c.family == "season"] == [
        "winter"
    ]


# ---- places relative to a named town ---------------------------------------------------------------
def _town(text: str) -> list[tuple[str | None, str | None, float | None, str | None]]:
    return [
        (c.label, c.other, c.value.high if c.value else None, c.value.bound if c.value else None)
        for c in extract_claims(text)
        if c.subject == "town"
    ]


def test_distance_direction_and_closeness_to_a_town() -> None:
    assert _town("roughly 45 km away from Magdeburg") == [("Magdeburg", None, 45.0, "about")]
    assert _town("within 8 km of Potsdam") == [("Potsdam", None, 8.0, "at_most")]
    assert _town("a short drive (under 20 km) from Rostock") == [("Rostock", None, 20.0, "at_most")]
    assert _town("just north-east of Genthin") == [("Genthin", "north-east", 15.0, "at_most")]
    assert _town("on the west side of Linz") == [("Linz", "west", 15.0, "at_most")]
    assert _town("right next to Wels") == [("Wels", None, 15.0, "at_most")]
    assert _town("in the south-east of the Republic of Ireland") == []  # a part of a country
    assert _town("hedges sit right next to the reed beds") == []  # no town at all


def test_town_statements_are_checked_against_the_gazetteer() -> None:
    from geomeld.captioning.check import check_claim

    b = SignalBundle(key="t")
    # a point about 25 km north-west of Magdeburg's centre (52.13 N, 11.63 E)
    b.place = PlaceSignal(lat=52.29, long=11.40, hemisphere="northern", month=2, year=2017, country="Germany")
    g = Ground.from_bundle(b)

    def v(text: str) -> str:
        c = next(c for c in extract_claims(text) if c.subject == "town")
        return str(check_claim(c, g).verdict)

    assert v("about 25 km from Magdeburg") == "supported"
    assert v("some 150 km away from Magdeburg") == "contradicted"
    assert v("within 3 km of Magdeburg") == "contradicted"
    assert v("north-west of Magdeburg") == "supported"
    assert v("just south of Magdeburg") == "contradicted"


def test_exceptions_conditions_and_double_privatives() -> None:
    water = [
        c for c in extract_claims("Except for one small pond, the frame is dry land.") if c.family == "water"
    ]
    assert [c.polarity for c in water if c.subject == "water"] == []  # the exception leaves it open
    assert not [c for c in extract_claims("Trees, where present, stay below 30 m.") if c.subject == "trees"]
    assert not [c for c in extract_claims("no trees taller than 45 m") if c.family == "landcover_presence"]
    heath = [
        c.polarity for c in extract_claims("the frame is not without some heath") if c.subject == "shrubland"
    ]
    assert heath == ["affirmed"]
    trees = [
        c.polarity
        for c in extract_claims("not one pixel of woodland / tree heights stay low")
        if c.subject == "trees"
    ]
    assert trees == ["negated"]


def test_dominance_after_a_mapped_qualifier_and_sar_units() -> None:
    dom = [
        c.label
        for c in extract_claims("Among the mapped pixels, heath dominates.")
        if c.family == "dominance"
    ]
    assert dom == ["largest"]
    assert not [
        c
        for c in extract_claims("slopes mostly under 5 degrees and heath is present")
        if c.family == "dominance"
    ]
    vh = [c.value for c in extract_claims("mean VH is 0.02 in linear power units") if c.subject == "vh"]
    assert vh and vh[0] is not None and round(vh[0].low or 0.0, 1) == -17.0
    assert not [c for c in extract_claims("VV 5th-95th percentile -20 to -8 dB") if c.subject in ("vv", "vh")]


def test_coordinates_and_utm_zones() -> None:
    from geomeld.captioning.check import check_claim

    b = SignalBundle(key="t")
    b.place = PlaceSignal(lat=48.21, long=13.49, hemisphere="northern", month=6, year=2017, country="Austria")
    g = Ground.from_bundle(b)

    def verdicts(text: str) -> dict[str, str]:
        return {
            c.subject: str(check_claim(c, g).verdict)
            for c in extract_claims(text)
            if c.subject in ("latitude", "longitude", "utm_zone")
        }

    assert verdicts("centred at 48°12′36″N 13°29′24″E") == {"latitude": "supported", "longitude": "supported"}
    assert verdicts("centre near 51.3°N, 13.5°E") == {"latitude": "contradicted", "longitude": "supported"}
    assert verdicts("lat 48.21, lon 9.9") == {"latitude": "supported", "longitude": "contradicted"}
    assert verdicts("UTM zone 33N") == {"utm_zone": "supported"}
    assert verdicts("in EPSG:32632") == {"utm_zone": "contradicted"}
    assert verdicts("a 25° west-facing slope") == {}


def test_a_state_the_tile_is_not_in() -> None:
    from geomeld.captioning import gazetteer

    # a point deep inside Brandenburg (its five nearest GeoNames places are all in Brandenburg)
    inside, _ = gazetteer.region_verdict("Brandenburg", 52.47, 12.52) or (None, {})
    other, ev = gazetteer.region_verdict("Saxony-Anhalt", 52.47, 12.52) or (None, {})
    assert inside is True and other is False and ev["tile_in"] == "DE/Brandenburg"


def test_titles_band_names_and_compact_dates() -> None:
    claims = extract_claims("Overhead view of heath and ponds: the woods cover 20 %.")
    assert [c.label for c in claims if c.subject == "unparsed"] == ["title"]
    assert not [c for c in claims if c.subject in ("shrubland", "pond")]
    assert not [
        c
        for c in extract_claims("Green (B3) reflectance is 0.11")
        if c.family == "vegetation" and c.subject == "green"
    ]
    assert [c.label for c in extract_claims("sensing date 20190823.") if c.subject == "date"] == [
        "2019-08-23"
    ]
