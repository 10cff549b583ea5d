"""Per-product source details: canopy tile-set adapter, reference dates, SCL cloud share, DW substitute."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np

from geomeld.builder.align import cloud_share_from_scl
from geomeld.builder.grid import tile_for_anchor
from geomeld.builder.sources.base import SourceSettings, TileContext
from geomeld.builder.sources.canopy import CanopyHeightSource, TileSetIndex
from geomeld.builder.sources.catalog import LocalCatalog
from geomeld.builder.sources.dynamic_world import WORLDCOVER_TO_DYNAMIC_WORLD, worldcover_to_dynamic_world
from geomeld.builder.tile import reference_date
from geomeld.core.data import data_dir as _data_dir
from geomeld.core.data import embedded_catalog_dir
from geomeld.core.modalities import DYNAMIC_WORLD_CLASSES, ESA_WORLDCOVER_CLASSES


def test_tileset_index_names_the_covering_tiles() -> None:
    idx = TileSetIndex("https://x/ETH_{lat}{lon}_Map.tif", "https://x/ETH_{lat}{lon}_Map_SD.tif", 3.0)
    items = idx.items_for((-77.1, 38.7, -77.0, 38.9))
    assert [it.id for it in items] == ["N36W078"]
    assert items[0].assets["height"].href == "https://x/ETH_N36W078_Map.tif"
    assert items[0].assets["stddev"].href == "https://x/ETH_N36W078_Map_SD.tif"
    across = idx.items_for((-0.5, -0.5, 0.5, 0.5))
    assert sorted(it.id for it in across) == ["N00E000", "N00W003", "S03E000", "S03W003"]


def test_canopy_from_a_cog_tileset_on_disk(tmp_path: Path) -> None:
    shutil.copy(_data_dir() / "real/lidar_hag/hag.tif", tmp_path / "N36W078_height.tif")
    catalog = LocalCatalog(embedded_catalog_dir())
    lat, lon = 38.810589, -77.052595  # the centre of the LiDAR patch (Alexandria, VA): a reader fixture
    settings = SourceSettings(
        canopy_tileset={"height": str(tmp_path / "{lat}{lon}_height.tif"), "tile_deg": 3}
    )
    ctx = TileContext(tile_for_anchor(lat, lon, "chm"), date(2020, 6, 15), catalog, settings)
    res = CanopyHeightSource().fetch(ctx)
    assert res.array is not None and res.provenance["status"] == "ok"
    height, std = res.array
    valid = np.isfinite(height)
    assert 0.1 < valid.mean() < 0.5  # the LiDAR patch covers ~570 x 520 m of the 1280 m tile
    assert np.all(std[valid] >= 0) and float(np.nanmax(height)) > 10
    assert "block mean" in res.provenance["items"][0]["method"]
    # a tile of the set that does not exist (ocean): recorded as missing, not a crash
    far = TileContext(tile_for_anchor(30.0, -40.0, "sea"), date(2020, 6, 15), catalog, settings)
    gone = CanopyHeightSource().fetch(far)
    assert gone.array is None and gone.provenance["reason"] == "no_valid_pixels" and gone.provenance["errors"]


def test_reference_month_is_seeded_and_in_range() -> None:
    dates = {reference_date(str(i), 0, (2017, 2022)) for i in range(300)}
    assert all(2017 <= d.year <= 2022 and d.day == 15 for d in dates)
    assert len({d.year for d in dates}) == 6 and len({d.month for d in dates}) == 12
    assert reference_date("abc", 0, (2017, 2022)) == reference_date("abc", 0, (2017, 2022))
    assert any(
        reference_date(str(i), 0, (2017, 2022)) != reference_date(str(i), 1, (2017, 2022)) for i in range(5)
    )


def test_scl_cloud_share() -> None:
    scl = np.array([[0, 4, 4, 8], [9, 10, 3, 5]], dtype=np.uint8)  # 0 = no data
    assert cloud_share_from_scl(scl) == 4 / 7
    assert cloud_share_from_scl(np.zeros((2, 2), np.uint8)) == 1.0


def test_dynamic_world_substitute_covers_every_worldcover_class() -> None:
    codes = np.array((*ESA_WORLDCOVER_CLASSES.codes, ESA_WORLDCOVER_CLASSES.nodata), dtype=np.uint8)
    dw = worldcover_to_dynamic_world(codes)
    assert set(WORLDCOVER_TO_DYNAMIC_WORLD) == set(ESA_WORLDCOVER_CLASSES.codes)
    assert set(dw[:-1]) <= set(DYNAMIC_WORLD_CLASSES.codes) and dw[-1] == DYNAMIC_WORLD_CLASSES.nodata
    assert dw[list(ESA_WORLDCOVER_CLASSES.codes).index(80)] == 0  # permanent water -> water


def test_plain_folder_of_rasters_is_a_catalog(tmp_path: Path) -> None:
    from geomeld.builder.config import embedded_config
    from geomeld.builder.runner import read_anchors
    from geomeld.builder.sources.catalog import FolderCatalog, open_catalog
    from geomeld.builder.tile import build_tile
    from geomeld.core.data import embedded_anchors_path

    ben = _data_dir() / "real/bigearthnet"
    s2_dir = tmp_path / "sentinel-2-l2a" / "S2A_MSIL2A_20170613T101031_87_48"
    s2_dir.mkdir(parents=True)
    for f in (ben / "s2/S2A_MSIL2A_20170613T101031_87_48").glob("*.tif"):
        shutil.copy(f, s2_dir / (f.stem.rsplit("_", 1)[1] + ".tif"))
    s1_dir = tmp_path / "sentinel-1" / "S1A_20170613T165043_ASC"
    s1_dir.mkdir(parents=True)
    for f in (ben / "s1/S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48").glob("*.tif"):
        shutil.copy(f, s1_dir / (f.stem.rsplit("_", 1)[1] + ".tif"))
    catalog = open_catalog(str(tmp_path))
    assert isinstance(catalog, FolderCatalog)
    s1_item = next(it for it in catalog.items if it.collection == "sentinel-1")
    assert s1_item.properties["sat:orbit_state"] == "ascending" and s1_item.datetime is not None
    (anchor,) = [a for a in read_anchors(embedded_anchors_path()) if a.tile_id == "ben-87_48"]
    cfg = embedded_config().model_copy(update={"allow_stand_ins": False})
    folder = build_tile(anchor, cfg, catalog)
    ref = build_tile(anchor, cfg, LocalCatalog(embedded_catalog_dir()))
    assert folder.sample is not None and ref.sample is not None, folder.message
    for key in ("sentinel2", "sentinel1"):
        np.testing.assert_array_equal(folder.sample.arrays[key], ref.sample.arrays[key])


def test_grid_moves_to_the_scene_utm_zone() -> None:
    from geomeld.builder.runner import read_anchors
    from geomeld.builder.sources.sentinel2 import Sentinel2Source
    from geomeld.core.data import embedded_anchors_path

    catalog = LocalCatalog(embedded_catalog_dir())
    (anchor,) = [a for a in read_anchors(embedded_anchors_path()) if a.tile_id == "brandenburg-0"]
    lat, lon = anchor.lat, anchor.long
    settings = SourceSettings(s2_window="any", s2_allow_unknown_cloud_cover=True)
    ctx = TileContext(tile_for_anchor(lat, lon, "z", epsg=32632), date(2017, 2, 1), catalog, settings)
    res = Sentinel2Source().fetch(ctx)
    assert ctx.tile.epsg == 32633 and res.provenance["crs"] == "EPSG:32633"
    assert res.provenance["kernels"]["B2"] == "copy"  # native 10 m bands land on the lattice
    assert np.isfinite(res.array).all()  # type: ignore[arg-type]


def test_uncalibrated_grd_is_not_passed_off_as_db() -> None:
    from datetime import UTC, datetime

    from shapely.geometry import box

    from geomeld.builder.sources.base import Placement
    from geomeld.builder.sources.catalog import CatalogItem
    from geomeld.builder.sources.sentinel1 import to_db, units_of

    tile = tile_for_anchor(48.2, 13.7, "t")
    when = datetime(2020, 1, 1, tzinfo=UTC)
    grd = Placement(CatalogItem("g", "sentinel-1-grd", when, box(0, 0, 1, 1), {}, {}), tile)
    rtc = Placement(CatalogItem("r", "sentinel-1-rtc", when, box(0, 0, 1, 1), {}, {}), tile)
    declared = Placement(
        CatalogItem("d", "sentinel-1-grd", when, box(0, 0, 1, 1), {"geomeld:units": "dB"}, {}), tile
    )
    assert (units_of(grd), units_of(rtc), units_of(declared)) == ("dn", "linear", "dB")
    np.testing.assert_allclose(to_db(np.array([0.1, 1.0, 0.0], np.float32), "linear")[:2], [-10.0, 0.0])
    assert np.isnan(to_db(np.array([0.0], np.float32), "linear")[0])
