"""Checks per claim family against hand-made signal bundles, with origins and tolerance bands."""

from __future__ import annotations

from typing import Any

import pytest

from geomeld.captioning.check import check_caption, check_claim, interval_verdict
from geomeld.captioning.claims import Bound, Claim, Value
from geomeld.captioning.ground import Ground
from geomeld.signals.models import (
    CanopySignal,
    ClassShare,
    IndexStats,
    LandCoverSignal,
    LayerOrigin,
    OrbitSar,
    OsmSignal,
    PlaceSignal,
    SarSignal,
    SignalBundle,
    SpectralSignal,
    TerrainSignal,
    WaterSignal,
)


def _lc(
    product: str, valid: float, classes: dict[str, float], parts: dict[str, dict[str, float]] | None = None
) -> LandCoverSignal:
    return LandCoverSignal(
        product=product,
        valid_percentage=valid,
        classes=[
            ClassShare(code=i, name=n, percentage=p, location="scattered", parts=(parts or {}).get(n, {}))
            for i, (n, p) in enumerate(classes.items())
        ],
    )


def bundle(
    wc: dict[str, float] | None = None,
    valid: float = 100.0,
    origins: dict[str, str] | None = None,
    parts: dict[str, dict[str, float]] | None = None,
    **kw: Any,
) -> SignalBundle:
    b = SignalBundle(key="t", **kw)
    if wc is not None:
        b.landcover["esa_worldcover"] = _lc("esa_worldcover", valid, wc, parts)
    if origins:
        b.origins = {k: LayerOrigin(origin=v) for k, v in origins.items()}
    return b


TERRAIN = TerrainSignal(
    terrain_class="Slope",
    forms={"Slope": 80.0, "Flat": 5.0},
    elevation_min=200.0,
    elevation_max=700.0,
    elevation_mean=450.0,
    relief=450.0,
    slope_mean=25.0,
    slope_p90=38.0,
    slope_max=50.0,
    slope_source="band",
)
PLACE = PlaceSignal(
    lat=52.5,
    long=12.6,
    hemisphere="northern",
    month=2,
    year=2017,
    season="winter",
    country="Germany",
    continent="Europe",
)


def verdict(text: str, b: SignalBundle) -> str:
    return check_caption(text, Ground.from_bundle(b)).verdict.value


def claim_verdicts(text: str, b: SignalBundle) -> dict[str, str]:
    return {
        f"{c.family}/{c.subject}": str(c.verdict) for c in check_caption(text, Ground.from_bundle(b)).claims
    }


# ---- land cover -------------------------------------------------------------------------------------
def test_shares_are_of_the_tile_with_the_labelled_fraction() -> None:
    b = bundle({"Shrubland": 100.0}, valid=5.0)  # the map labels 5 % of the tile, all of it shrubland
    assert verdict("Bushes cover 75 % of the ground.", b) == "contradicted"
    assert verdict("Shrubs cover 5 % of the tile.", b) == "unverifiable"  # could be up to 100 %
    full = bundle({"Shrubland": 75.0, "Grassland": 25.0})
    assert verdict("Bushes cover 75 % of the ground.", full) == "verified"


@pytest.mark.parametrize(
    "stated, expected", [(40, "verified"), (45, "verified"), (55, "unverifiable"), (65, "contradicted")]
)
def test_share_tolerance_band(stated: int, expected: str) -> None:
    b = bundle({"Tree cover": 40.0, "Cropland": 60.0})
    assert verdict(f"Forest covers {stated} % of the tile.", b) == expected


def test_bounds_are_not_about() -> None:
    b = bundle({"Tree cover": 20.0, "Cropland": 80.0})
    assert verdict("Forest covers less than 50 % of the tile.", b) == "verified"
    assert verdict("Forest covers about 50 % of the tile.", b) == "contradicted"
    assert verdict("Forest covers more than 50 % of the tile.", b) == "contradicted"


def test_absence_of_built_checks_built_land_cover() -> None:
    b = bundle({"Built-up": 29.0, "Cropland": 71.0})
    assert verdict("There are no buildings.", b) == "contradicted"
    assert verdict("No built-up land at all.", b) == "contradicted"
    assert verdict("There are no buildings.", bundle({"Cropland": 100.0})) == "verified"


def test_dominance_and_comparison() -> None:
    b = bundle({"Tree cover": 30.0, "Shrubland": 10.0, "Cropland": 60.0})
    assert verdict("Mostly farmland.", b) == "verified"
    assert verdict("Forest dominates the tile.", b) == "contradicted"
    assert verdict("There is more shrubland than forest.", b) == "contradicted"
    assert verdict("There is more forest than shrubland.", b) == "verified"
    assert verdict("No single class covers more than half of the tile.", b) == "contradicted"


def test_internal_contradiction_without_evidence() -> None:
    out = check_caption("Some forest; there isn't any forest.", Ground.from_bundle(bundle()))
    assert out.verdict.value == "contradicted"
    assert any(c.family == "consistency" for c in out.claims)


def test_position_uses_the_class_pixels() -> None:
    parts = {"Tree cover": {"north": 0.9, "south": 0.1, "west": 0.5, "east": 0.5}}
    b = bundle({"Tree cover": 30.0, "Cropland": 70.0}, parts=parts)
    assert claim_verdicts("Forest lies in the north.", b)["position/trees"] == "supported"
    assert claim_verdicts("Forest lies in the south.", b)["position/trees"] == "contradicted"


# ---- origins --------------------------------------------------------------------------------------
def test_relocated_layers_are_never_evidence() -> None:
    b = bundle(
        {"Tree cover": 100.0}, origins={"esa_worldcover": "relocated", "aster": "relocated"}, terrain=TERRAIN
    )
    assert verdict("Forest covers the whole tile.", b) == "unverifiable"
    assert verdict("Steep mountainous terrain.", b) == "unverifiable"
    sub = bundle({"Tree cover": 100.0}, origins={"esa_worldcover": "substitute"})
    assert verdict("Forest covers all of the tile.", sub) == "verified"


# ---- terrain, elevation, slope, canopy, vegetation, SAR ----------------------------------------------
def test_terrain_including_negation() -> None:
    b = bundle(terrain=TERRAIN)
    assert verdict("Flat land.", b) == "contradicted"
    assert verdict("The ground is far from flat.", b) == "verified"
    assert verdict("Steep slopes.", b) == "verified"


def test_elevation_slope_canopy_numbers() -> None:
    canopy = CanopySignal(
        valid_percentage=100, mean_height=12.0, p90_height=20.0, max_height=28.0, share_above_5m=80.0
    )
    b = bundle(terrain=TERRAIN, canopy=canopy)
    assert verdict("Elevation is around 450 metres.", b) == "verified"
    assert verdict("The tile sits at roughly 2,200 m above sea level.", b) == "contradicted"
    assert verdict("The land rises to about 700 m.", b) == "verified"
    assert verdict("Slopes average 25 degrees.", b) == "verified"
    assert verdict("Slopes average 5 degrees.", b) == "contradicted"
    assert verdict("Trees reach heights of 60 metres.", b) == "contradicted"
    assert verdict("The tallest trees top 28 m.", b) == "verified"


def test_vegetation_and_sar() -> None:
    spectral = SpectralSignal(indices={"NDVI": IndexStats(mean=0.12, p10=0.0, p50=0.1, p90=0.3)})
    sar = SarSignal(
        orbits={"asc": OrbitSar(vv_db_mean=-8.0, vh_db_mean=-16.0, vh_minus_vv_db=-8.0, valid_percentage=90)}
    )
    b = bundle(spectral=spectral, sar=sar)
    assert verdict("The average NDVI comes out at 0.68.", b) == "contradicted"
    assert verdict("Mean NDVI is roughly 0.1.", b) == "verified"
    assert verdict("Lush vegetation.", b) == "contradicted"
    assert verdict("Vegetation is far from lush.", b) == "verified"
    assert verdict("VV backscatter sits around +8 dB.", b) == "contradicted"
    assert verdict("The VH channel reads roughly −16 dB.", b) == "verified"
    assert verdict("Radar returns are stronger in VV than in VH.", b) == "verified"
    assert verdict("Radar returns are stronger in VH than in VV.", b) == "contradicted"


# ---- water, OSM, season, place ------------------------------------------------------------------------
def test_water_kinds_and_sea_level() -> None:
    dry = bundle({"Cropland": 100.0}, water=WaterSignal(detected=False, percentage=0.0, method="dw-only"))
    assert verdict("A major river meanders across the tile.", dry) == "contradicted"
    assert verdict("No river crosses it.", dry) == "verified"
    assert verdict("The land lies 40 m above sea level.", dry) == "unverifiable"  # no DEM; and no water claim
    wet = bundle({"Cropland": 90.0, "Permanent water bodies": 10.0})
    assert (
        claim_verdicts("A river crosses the tile.", wet)["water/river"] == "unverifiable"
    )  # kind not derivable


def test_osm_kind_must_match() -> None:
    osm = OsmSignal(
        source="metadata",
        radii_m=[640.0],
        tags_by_radius={"640": {"highway": ["path"], "waterway": ["drain"]}},
    )
    b = bundle({"Cropland": 100.0}, osm=osm)
    assert claim_verdicts("A motorway interchange.", b)["osm_object/motorway"] == "contradicted"
    assert claim_verdicts("A footpath crosses the fields.", b)["osm_object/path"] == "supported"
    assert claim_verdicts("A drainage ditch runs along the field.", b)["osm_object/ditch"] == "supported"


def test_season_and_place() -> None:
    b = bundle(place=PLACE)
    assert verdict("Taken in February 2017, a winter scene in Germany.", b) == "verified"
    assert verdict("Taken in August 2017.", b) == "contradicted"
    assert verdict("The acquisition year is 2014.", b) == "contradicted"
    assert verdict("Located in Finland.", b) == "contradicted"
    assert verdict("It lies in Brandenburg, west of Berlin.", b) == "verified"
    assert verdict("It lies in the Black Forest.", b) == "contradicted"
    assert verdict("It lies in Lower Quackshire.", b) == "unverifiable"


# ---- numbers ---------------------------------------------------------------------------------------------
def test_interval_verdict_straddling_is_unverifiable() -> None:
    v, _ = interval_verdict(Value(40, 40, Bound.ABOUT.value), 10.0, 90.0, "landcover_share", False)
    assert v.value == "unverifiable"


def test_unknown_family_subject_never_supported() -> None:
    c = check_claim(Claim(family="terrain", subject="unparsed"), Ground.from_bundle(bundle(terrain=TERRAIN)))
    assert c.verdict == "unverifiable"


def test_water_kind_from_the_body_shape() -> None:
    wet = bundle(
        {"Cropland": 90.0, "Permanent water bodies": 10.0},
        water=WaterSignal(
            detected=True, percentage=10.0, method="dw-only", kind="linear", largest_body_elongation=9.0
        ),
    )
    assert claim_verdicts("A river crosses the tile.", wet)["water/river"] == "supported"
    assert claim_verdicts("A lake lies in the tile.", wet)["water/lake"] == "unverifiable"


def test_hemisphere_and_polarisation_synonyms() -> None:
    sar = SarSignal(
        orbits={
            "desc": OrbitSar(vv_db_mean=-12.0, vh_db_mean=-17.0, vh_minus_vv_db=-5.0, valid_percentage=90)
        }
    )
    b = bundle(place=PLACE, sar=sar)
    assert verdict("Located in the southern hemisphere.", b) == "contradicted"
    assert verdict("Cross-pol backscatter exceeds co-pol backscatter.", b) == "contradicted"
    assert verdict("The co-polarised channel is brighter than the cross-polarised one.", b) == "verified"


def test_absence_in_one_part_is_not_absence() -> None:
    parts = {"Tree cover": {"north": 0.02, "south": 0.98}}  # a sliver of the forest in the north
    b = bundle({"Tree cover": 30.0, "Cropland": 70.0}, parts=parts)
    assert verdict("Some forest; no forest in the north.", b) != "contradicted"
    assert verdict("No forest in the south.", b) == "contradicted"


def test_coarse_layers_decide_nothing_finer_than_their_resolution() -> None:
    b = bundle({"Tree cover": 100.0}, terrain=TERRAIN)
    b.origins = {
        "esa_worldcover": LayerOrigin(origin="coarse", resolution_m=5000.0),
        "aster": LayerOrigin(origin="coarse", resolution_m=90.0),
    }
    assert verdict("Forest covers the whole tile.", b) == "unverifiable"
    assert verdict("Elevation is around 450 metres.", b) == "verified"  # a 90 m DEM decides the mean
    assert verdict("Slopes average 25 degrees.", b) == "unverifiable"  # but not slopes
