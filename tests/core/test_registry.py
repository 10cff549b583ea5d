"""The modality registry matches the released GeoMeld schema and is internally consistent."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geomeld.core.modalities import (
    DYNAMIC_WORLD_CLASSES,
    ESA_WORLDCOVER_CLASSES,
    LAYOUTS,
    MODALITIES,
    Task,
    describe,
    encoder_input,
    get_layout,
    get_modality,
    layout_for_keys,
    pretraining_targets,
)
from geomeld.core.sample import RELEASED_METADATA_FIELDS, SampleFormatError, SampleMetadata

# The released per-sample HDF5 table of the dataset card (key → (NAIP-subset shape, non-NAIP shape, dtype)).
RELEASED = {
    "naip": ((3, 1280, 1280), None, "uint16"),
    "sentinel2": ((9, 128, 128), (12, 128, 128), "float32"),
    "sentinel1": ((8, 128, 128), (8, 128, 128), "float32"),
    "aster": ((2, 128, 128), (2, 128, 128), "float32"),
    "canopy_height": ((2, 128, 128), (2, 128, 128), "float32"),
    "esa_worldcover": ((1, 128, 128), (1, 128, 128), "uint8"),
    "dynamic_world": ((1, 128, 128), (1, 128, 128), "uint8"),
}


def test_keys_shapes_and_dtypes_match_the_release() -> None:
    naip, standard = LAYOUTS["naip"], LAYOUTS["standard"]
    assert set(naip.modality_keys) == set(RELEASED)
    assert set(standard.modality_keys) == {k for k, v in RELEASED.items() if v[1] is not None}
    for key, (naip_shape, std_shape, dtype) in RELEASED.items():
        assert str(MODALITIES[key].dtype) == dtype
        assert naip.shape(key) == naip_shape
        if std_shape is not None:
            assert standard.shape(key) == std_shape


def test_released_band_names() -> None:
    assert MODALITIES["sentinel1"].band_names == (
        "VV_asc",
        "VH_asc",
        "HH_asc",
        "HV_asc",
        "VV_desc",
        "VH_desc",
        "HH_desc",
        "HV_desc",
    )
    assert MODALITIES["aster"].band_names == ("elevation", "slope")
    assert MODALITIES["canopy_height"].band_names == ("height", "stddev")
    assert MODALITIES["esa_worldcover"].band_names == ("esa_label",)
    assert MODALITIES["dynamic_world"].band_names == ("dw_label",)
    assert MODALITIES["naip"].band_names == ("R", "G", "B")
    s2 = MODALITIES["sentinel2"].band_names
    assert len(s2) == 12 and "B10" not in s2 and s2.index("B8") < s2.index("B8A")


def test_naip_layout_sentinel2_is_a_variant_without_rgb() -> None:
    bands = LAYOUTS["naip"].bands("sentinel2")
    assert bands == ("B1", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12")
    assert LAYOUTS["naip"].file_type_naip and not LAYOUTS["standard"].file_type_naip
    assert LAYOUTS["naip"].shard_suffix == "_n.tar"
    assert layout_for_keys(RELEASED) is LAYOUTS["naip"]
    assert layout_for_keys([k for k in RELEASED if k != "naip"]) is LAYOUTS["standard"]


def test_worldcover_official_codes_and_colours() -> None:
    t = ESA_WORLDCOVER_CLASSES
    assert t.codes == (10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)
    assert t.num_classes == 11 and t.nodata == 0
    assert t.name_of(50) == "Built-up" and t.colors[t.codes.index(80)] == "#0064c8"
    lut = t.code_to_index
    assert lut[10] == 0 and lut[100] == 10 and lut[0] == -1 and lut[15] == -1
    assert t.is_allowed(np.array([0, 10, 95, 15, 255])).tolist() == [True, True, True, False, False]


def test_dynamic_world_nine_classes() -> None:
    t = DYNAMIC_WORLD_CLASSES
    assert t.num_classes == 9 and t.names[0] == "water" and t.names[8] == "snow_and_ice"
    assert t.code_to_index[255] == -1 and t.code_to_index[4] == 4


def test_tasks_drive_the_six_decoders() -> None:
    targets = [m.key for m in pretraining_targets()]
    assert targets == ["sentinel2", "sentinel1", "aster", "canopy_height", "esa_worldcover", "dynamic_world"]
    assert encoder_input().key == "sentinel2"
    assert all((m.task is Task.SEGMENTATION) == m.is_categorical for m in MODALITIES.values())


def test_valid_mask_follows_the_nodata_convention() -> None:
    s1 = MODALITIES["sentinel1"]
    arr = np.array([1.0, np.nan, -np.inf, -12.5], dtype=np.float32)
    assert s1.valid_mask(arr).tolist() == [True, False, False, True]
    wc = MODALITIES["esa_worldcover"]
    assert wc.valid_mask(np.array([0, 10, 50], dtype=np.uint8)).tolist() == [False, True, True]
    assert np.isnan(MODALITIES["aster"].empty()).all()
    assert (MODALITIES["dynamic_world"].empty() == 255).all()


def test_unknown_names_give_actionable_errors() -> None:
    with pytest.raises(KeyError, match="known modalities"):
        get_modality("landsat")
    with pytest.raises(KeyError, match="known layouts"):
        get_layout("x")
    with pytest.raises(KeyError, match="has no band 'B10'"):
        MODALITIES["sentinel2"].band_indices(["B2", "B10"])
    assert MODALITIES["sentinel2"].band_indices(["B4", "B3", "B2"]) == [3, 2, 1]


def test_describe_is_json_serialisable() -> None:
    rows = describe()
    text = json.dumps(rows)
    assert "Mangroves" in text and len(rows) == len(MODALITIES)


def test_metadata_round_trip_keeps_released_fields_and_unknown_extras() -> None:
    released = {
        "tile_id": 11622631,
        "lat": 29.662093,
        "long": -84.879064,
        "acquisition_date": "2022-01-23",
        "terrain_class": "Flat",
        "file_type_naip": True,
        "osm_tags": {"highway": ["service", "residential"], "man_made": "pier", "note:post_town": None},
        "water_analysis": {"detected": True, "percentage": 54.38232421875},
        "band_names": LAYOUTS["naip"].band_names(),
        "source_file": "11622631.h5",
        "some_future_field": [1, 2],
    }
    meta = SampleMetadata.from_json(json.dumps(released))
    back = json.loads(meta.to_json())
    for key in RELEASED_METADATA_FIELDS:
        assert back[key] == released[key]
    assert back["some_future_field"] == [1, 2]
    assert meta.water_analysis.percentage * 16384 / 100 == 8910


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'{"tile_id": 1, "lat": 95, "long": 0, "acquisition_date": "2020-01-01"}', "lat"),
        (b'{"lat": 1, "long": 0, "acquisition_date": "2020-01-01"}', "tile_id"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_metadata_names_where_and_what(text: bytes, message: str) -> None:
    with pytest.raises(SampleFormatError, match=message) as err:
        SampleMetadata.from_json(text, where="shard-00001.tar/1234")
    assert "shard-00001.tar/1234" in str(err.value)
