"""Bad input gives a recorded, explained per-tile outcome — never a crash, never a silent gap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from geomeld.builder.config import embedded_config
from geomeld.builder.runner import read_anchors, run_build
from geomeld.builder.sources.catalog import LocalCatalog, open_catalog
from geomeld.builder.tile import Anchor, build_tile
from geomeld.core.data import data_dir as _data_dir
from geomeld.core.data import embedded_anchors_path

BEN = "ben-87_48"


def _anchor(tile_id: str) -> Anchor:
    (a,) = [a for a in read_anchors(embedded_anchors_path()) if a.tile_id == tile_id]
    return a


def test_ocean_pole_and_uncovered_anchors_are_skipped_with_reasons(tmp_path: Path) -> None:
    anchors = [
        Anchor("atlantic", 30.0, -40.0, "ocean", "bad"),
        Anchor("north-pole", 89.5, 0.0, "polar", "bad"),
        Anchor("sahara", 23.0, 12.0, "desert", "bad"),
        _anchor(BEN),
    ]
    res = run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    assert res.summary["outcome"] == {"skipped": 3, "done": 1}
    recs = {
        r["tile_id"]: r
        for r in map(json.loads, (tmp_path / "manifest.jsonl").read_text().splitlines())
        if r["event"] == "tile"
    }
    assert recs["north-pole"]["reason"] == "outside_utm_domain" and "UTM" in recs["north-pole"]["message"]
    for tid in ("atlantic", "sahara"):  # the embedded catalog says where its data is (embedded_coverage)
        assert recs[tid]["status"] == "skipped" and recs[tid]["reason"] == "outside_catalog_coverage"
        assert "outside the embedded catalog" in recs[tid]["message"]
    assert res.summary["per_stratum"]["ocean"] == {"skipped": 1}
    assert res.summary["reasons"]["skipped:outside_catalog_coverage"] == 2


def test_no_s2_under_the_cloud_limit_is_explained() -> None:
    cfg = embedded_config().model_copy(update={"s2_allow_unknown_cloud_cover": False})
    out = build_tile(_anchor(BEN), cfg, open_catalog("embedded"))
    assert out.status == "skipped" and out.reason == "no_s2_under_cloud_limit"
    assert "no eo:cloud_cover" in (out.message or "")


def test_missing_s1_and_uncovered_layers_are_explained_gaps() -> None:
    cfg = embedded_config().model_copy(update={"allow_stand_ins": False})
    out = build_tile(_anchor("brandenburg-0"), cfg, open_catalog("embedded"))
    assert out.status == "done" and out.sample is not None
    mods = out.sample.metadata.provenance["modalities"]  # type: ignore[index]
    assert mods["sentinel1"]["reason"] == "no_s1_in_window"
    assert mods["aster"]["reason"] == "outside_coverage"  # no DEM here without stand-ins
    assert mods["canopy_height"]["reason"] == "outside_coverage"
    assert mods["esa_worldcover"]["status"] == "ok"  # co-located OSM land use is still there
    assert np.isnan(out.sample.arrays["aster"]).all() and np.isnan(out.sample.arrays["sentinel1"]).all()


def test_corrupt_base_raster_fails_the_tile_with_reason(tmp_path: Path) -> None:
    shutil.copytree(_data_dir() / "embedded", tmp_path / "embedded")
    shutil.copytree(_data_dir() / "real", tmp_path / "real")
    (b04,) = (tmp_path / "real/bigearthnet/s2/S2A_MSIL2A_20170613T101031_87_48").glob("*_B04.tif")
    b04.write_bytes(b04.read_bytes()[:6000])
    out = build_tile(_anchor(BEN), embedded_config(), LocalCatalog(tmp_path / "embedded"))
    assert out.status == "failed" and out.reason == "corrupt_input"
    assert "_B04.tif" in (out.message or "")


def test_harmonisation_follows_the_processing_baseline() -> None:
    from datetime import UTC, datetime

    from shapely.geometry import box

    from geomeld.builder.sources.catalog import CatalogItem
    from geomeld.builder.sources.sentinel2 import harmonise

    dn = np.array([[[500.0, 1500.0, np.nan]]], dtype=np.float32)
    old = CatalogItem(
        "a", "s2", datetime(2021, 1, 1, tzinfo=UTC), box(0, 0, 1, 1), {"s2:processing_baseline": "03.01"}, {}
    )
    new = CatalogItem(
        "b", "s2", datetime(2021, 1, 1, tzinfo=UTC), box(0, 0, 1, 1), {"s2:processing_baseline": "04.00"}, {}
    )
    same, off0 = harmonise(dn, old)
    shifted, off1 = harmonise(dn, new)
    assert off0 == 0.0 and np.array_equal(same, dn, equal_nan=True)
    assert (
        off1 == 1000.0
        and shifted[0, 0, 0] == 0.0
        and shifted[0, 0, 1] == 500.0
        and np.isnan(shifted[0, 0, 2])
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tile_id,lat\n1,2\n", "column 'long'"),
        ("tile_id,lat,long\n1,abc,3\n", "must be numbers"),
        ("tile_id,lat,long\n1,2,3\n1,4,5\n", "duplicate tile_id"),
    ],
)
def test_bad_anchor_files_name_the_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "a.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_anchors(p)


def test_missing_catalog_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"catalog\.json"):
        open_catalog(str(tmp_path / "nope"))


def test_a_dying_task_is_recorded_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geomeld.builder.runner as runner

    real = runner.run_tile

    def flaky(anchor: Anchor, config_json: str):  # type: ignore[no-untyped-def]
        if anchor.tile_id == "boom":
            raise MemoryError("worker ran out of memory")
        return real(anchor, config_json)

    monkeypatch.setattr(runner, "run_tile", flaky)
    anchors = [Anchor("boom", 52.49, 12.55, "x", "bad"), _anchor(BEN)]
    res = run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    assert res.summary["outcome"] == {"failed": 1, "done": 1}
    assert res.summary["reasons"] == {"failed:task_error": 1}


def test_only_cloudy_scenes_is_reported_as_such(tmp_path: Path) -> None:
    shutil.copytree(_data_dir() / "embedded", tmp_path / "embedded")
    shutil.copytree(_data_dir() / "real", tmp_path / "real")
    item = tmp_path / "embedded/sentinel-2-l2a/S2A_MSIL2A_20170613T101031_87_48.json"
    raw = json.loads(item.read_text())
    raw["properties"]["eo:cloud_cover"] = 35.0
    item.write_text(json.dumps(raw))
    out = build_tile(_anchor(BEN), embedded_config(), LocalCatalog(tmp_path / "embedded"))
    assert out.status == "skipped" and out.reason == "no_s2_under_cloud_limit"
    assert "cloud 35.0 %" in (out.message or "")


def test_resuming_with_other_settings_is_refused(tmp_path: Path) -> None:
    from geomeld.builder.runner import ConfigMismatchError

    anchors = [Anchor("north-pole", 89.5, 0.0, "polar", "bad")]
    run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    run_build(
        anchors, tmp_path, embedded_config().model_copy(update={"retries": 5}), workers=0, progress=False
    )
    with pytest.raises(ConfigMismatchError, match="s1_window_days: 15 -> 30"):
        run_build(
            anchors, tmp_path, embedded_config().model_copy(update={"s1_window_days": 30}), progress=False
        )
