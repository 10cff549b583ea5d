"""`geomeld build` on the embedded sample: real composite samples, offline, on both executors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from shapely.geometry import Point, shape

from geomeld.builder.config import embedded_config
from geomeld.builder.runner import BuildResult, read_anchors, run_build
from geomeld.builder.sources import default_sources
from geomeld.core.data import data_dir as _data_dir
from geomeld.core.data import embedded_anchors_path, embedded_catalog_dir, embedded_footprints
from geomeld.core.modalities import LAYOUTS, MODALITIES
from geomeld.io.shards import iter_samples
from tools.embedded import BRANDENBURG_WEST_MAX_X


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("embedded")
    return run_build(read_anchors(embedded_anchors_path()), out, embedded_config(), workers=0, progress=False)


def test_every_embedded_anchor_becomes_a_sample(built: BuildResult) -> None:
    s = built.summary
    assert s["outcome"] == {"done": 10}
    assert s["per_stratum"] == {"bigearthnet": {"done": 6}, "brandenburg": {"done": 3}, "naip": {"done": 1}}
    assert sorted(Path(p).name for p in s["shards"]) == ["geomeld-00000.tar", "geomeld-00000_n.tar"]
    assert (built.out_dir / "geomeld-00000.index.parquet").exists()


def test_no_embedded_item_is_relocatable() -> None:
    from geomeld.builder.sources.catalog import LocalCatalog

    catalog = LocalCatalog(embedded_catalog_dir())
    for item in catalog.items:
        assert "geomeld:relocatable_centers" not in item.properties, item.id
        assert item.properties["geomeld:origin"] in ("real", "substitute", "coarse"), item.id


def test_samples_follow_the_registry_and_record_every_origin(built: BuildResult) -> None:
    samples = {s.key: s for s in iter_samples(sorted(str(p) for p in built.out_dir.glob("geomeld-*.tar")))}
    assert len(samples) == 10
    for s in samples.values():
        layout = LAYOUTS["naip"] if s.metadata.file_type_naip else LAYOUTS["standard"]
        assert set(s.arrays) == set(layout.modality_keys)
        for key, arr in s.arrays.items():
            assert arr.shape == layout.shape(key) and arr.dtype == MODALITIES[key].dtype
        prov = s.metadata.provenance
        assert prov is not None
        for key in layout.modality_keys:
            assert "stand_in" in prov["modalities"][key], key  # every key says whether it is a stand-in
            assert prov["modalities"][key]["origin"] in ("real", "substitute", "coarse", "absent"), key
        # nothing co-located offers elevation or canopy height: absent, never borrowed from elsewhere
        assert prov["modalities"]["aster"]["origin"] == "absent" and np.isnan(s.arrays["aster"]).all()
        assert prov["modalities"]["canopy_height"]["origin"] == "absent"
        assert s.metadata.band_names == layout.band_names()
    ben = samples["ben-87_48"]
    p = ben.metadata.provenance
    assert p is not None
    assert p["modalities"]["sentinel2"]["stand_in"] is False  # real co-located L2A
    assert (
        p["modalities"]["sentinel2"]["origin"] == "real" and p["modalities"]["sentinel1"]["origin"] == "real"
    )
    assert p["modalities"]["sentinel1"]["stand_in"] is False
    wc = p["modalities"]["esa_worldcover"]  # MODIS IGBP at 0.05°: coarse, at its own resolution
    assert wc["origin"] == "coarse" and wc["resolution_m"] == 5550.0 and "MCD12C1" in wc["product"]
    assert len(np.unique(ben.arrays["esa_worldcover"])) <= 2  # one 5.5 km cell (two at a cell edge)
    s1 = ben.arrays["sentinel1"]
    names = list(MODALITIES["sentinel1"].band_names)
    assert np.isfinite(s1[names.index("VV_asc")]).any() and np.isnan(s1[names.index("HH_asc")]).all()
    assert np.isnan(s1[names.index("VV_desc")]).all()  # one orbit only: the rest stays NaN
    assert ben.metadata.acquisition_date == "2017-06-13"
    bb = samples["brandenburg-0"]
    pb = bb.metadata.provenance
    assert pb is not None
    assert (
        pb["modalities"]["sentinel2"]["stand_in"] is True
        and "L1C" in pb["modalities"]["sentinel2"]["substitute"]
    )
    assert pb["modalities"]["sentinel1"]["reason"] == "no_s1_in_window"
    assert np.isnan(bb.arrays["sentinel1"]).all()
    assert (
        pb["modalities"]["sentinel2"]["origin"] == "substitute"
        and "L1C" in pb["modalities"]["sentinel2"]["product"]
    )
    assert pb["modalities"]["sentinel1"]["origin"] == "absent"
    assert pb["modalities"]["esa_worldcover"]["origin"] == "substitute"  # co-located OSM land use
    assert pb["modalities"]["jrc_occurrence"]["stand_in"] is True  # OSM water as JRC occurrence
    assert bb.metadata.water_analysis.method == "dw+jrc"  # type: ignore[attr-defined]
    assert bb.extras["datasets"]["jrc_occurrence"].shape == (128, 128)
    naip = samples["naip-nd-0"]
    assert naip.metadata.file_type_naip and naip.arrays["naip"].shape == (3, 1280, 1280)
    assert naip.arrays["sentinel2"].shape[0] == 9
    pn = naip.metadata.provenance
    assert pn is not None and pn["modalities"]["sentinel2"]["origin"] == "absent"  # no co-located S2
    assert pn["modalities"]["naip"]["origin"] == "real" and np.isnan(naip.arrays["sentinel2"]).all()
    assert naip.metadata.acquisition_date == "2019-09-04"
    assert naip.metadata.provenance is not None and naip.metadata.provenance["reference_date_from"] == "naip"


def test_every_registry_modality_has_one_source() -> None:
    keys = [s.key for s in default_sources() if s.key in MODALITIES]
    assert sorted(keys) == sorted(MODALITIES)


def test_embedded_sample_ships_only_the_west_of_brandenburg() -> None:
    for tif in (_data_dir() / "real" / "brandenburg_s2").glob("*.tif"):
        with rasterio.open(tif) as ds:
            assert ds.bounds.right <= BRANDENBURG_WEST_MAX_X, tif.name
    for tif in (_data_dir() / "real" / "brandenburg_landcover").glob("*.tif"):
        with rasterio.open(tif) as ds:
            assert ds.bounds.right <= BRANDENBURG_WEST_MAX_X, tif.name


def test_footprints_hold_the_embedded_anchors() -> None:
    fc = embedded_footprints()
    regions = [shape(f["geometry"]) for f in fc["features"]]
    assert len(regions) == 8
    for a in read_anchors(embedded_anchors_path()):
        assert any(r.buffer(1e-6).contains(Point(a.long, a.lat)) for r in regions), a.tile_id
    assert {f["properties"]["layout"] for f in fc["features"]} == {"standard", "naip"}
    json.dumps(fc)


def test_dask_local_cluster_gives_the_same_samples(tmp_path: Path, built: BuildResult) -> None:
    pytest.importorskip("dask.distributed")
    anchors = [a for a in read_anchors(embedded_anchors_path()) if a.stratum == "bigearthnet"][:3]
    res = run_build(anchors, tmp_path, embedded_config(), workers=2, progress=False)
    assert res.summary["outcome"] == {"done": 3}
    mine = {s.key: s for s in iter_samples(sorted(str(p) for p in tmp_path.glob("geomeld-*.tar")))}
    ref = {s.key: s for s in iter_samples([str(built.out_dir / "geomeld-00000.tar")])}
    for key, s in mine.items():
        for m, arr in s.arrays.items():
            np.testing.assert_array_equal(arr, ref[key].arrays[m])
