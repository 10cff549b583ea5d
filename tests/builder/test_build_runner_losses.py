"""Whole-run behaviour of ``geomeld build``: lost layers never go unnoticed, whole-run errors fail fast."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from geomeld.builder.config import BuildConfig, embedded_config
from geomeld.builder.runner import BuildInputError, read_anchors, run_build
from geomeld.builder.tile import Anchor
from geomeld.core.data import data_dir as _data_dir
from geomeld.core.data import embedded_anchors_path

BEN = "ben-87_48"
S1_DIR = "real/bigearthnet/s1/S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48"


def _anchor(tile_id: str) -> Anchor:
    (a,) = [a for a in read_anchors(embedded_anchors_path()) if a.tile_id == tile_id]
    return a


def _catalog_copy(tmp_path: Path) -> Path:
    shutil.copytree(_data_dir() / "embedded", tmp_path / "cat" / "embedded")
    shutil.copytree(_data_dir() / "real", tmp_path / "cat" / "real")
    return tmp_path / "cat"


def _cfg(catalog: Path) -> BuildConfig:
    return embedded_config().model_copy(update={"catalog": str(catalog / "embedded")})


def _tile_lines(out: Path, tile_id: str) -> list[dict[str, object]]:
    recs = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    return [r for r in recs if r.get("event") == "tile" and r["tile_id"] == tile_id]


def test_a_lost_layer_is_counted_held_and_retried_on_resume(tmp_path: Path) -> None:
    cat = _catalog_copy(tmp_path)
    vv = next((cat / S1_DIR).glob("*_VV.tif"))
    good = vv.read_bytes()
    vv.write_bytes(good[:5000])  # a corrupt secondary layer (S1)
    out = tmp_path / "out"
    res = run_build([_anchor(BEN)], out, _cfg(cat), workers=0, progress=False)
    s = res.summary
    assert s["outcome"] == {"done": 1}
    assert s["lost_layers"] == {"sentinel1": {"corrupt_input": 1}}
    assert s["held_incomplete"] == 1 and s["samples_in_shards"] == 0  # held out of the shards
    assert json.loads((out / "summary.json").read_text())["lost_layers"] == s["lost_layers"]
    assert _tile_lines(out, BEN)[-1]["lost_layers"] == {"sentinel1": "corrupt_input"}
    # the input is fixed: resume rebuilds the tile, the layer comes back, the sample is published
    vv.write_bytes(good)
    res2 = run_build([_anchor(BEN)], out, _cfg(cat), workers=0, progress=False)
    assert len(_tile_lines(out, BEN)) == 2
    assert res2.summary["lost_layers"] == {} and res2.summary["held_incomplete"] == 0
    assert res2.summary["samples_in_shards"] == 1


def test_publish_incomplete_publishes_and_still_counts(tmp_path: Path) -> None:
    cat = _catalog_copy(tmp_path)
    vv = next((cat / S1_DIR).glob("*_VV.tif"))
    vv.write_bytes(vv.read_bytes()[:5000])
    cfg = _cfg(cat).model_copy(update={"publish_incomplete": True})
    res = run_build([_anchor(BEN)], tmp_path / "out", cfg, workers=0, progress=False)
    assert res.summary["lost_layers"] == {"sentinel1": {"corrupt_input": 1}}
    assert res.summary["held_incomplete"] == 0 and res.summary["samples_in_shards"] == 1


def test_retry_skipped_rebuilds_skipped_tiles(tmp_path: Path) -> None:
    anchors = [Anchor("sahara", 23.0, 12.0, "desert", "bad")]
    run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    assert len(_tile_lines(tmp_path, "sahara")) == 1  # skipped is final by default
    res = run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False, retry_skipped=True)
    assert len(_tile_lines(tmp_path, "sahara")) == 2 and res.summary["run"]["attempted"] == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("catalog", "message"),
    [
        ("embeded", "not a known catalog name"),
        ("/nonexistent/catalog/folder", "no such folder"),
        ("http://127.0.0.1:{port}/", "not usable"),
    ],
)
def test_whole_run_errors_fail_before_any_tile(tmp_path: Path, catalog: str, message: str) -> None:
    cfg = embedded_config().model_copy(
        update={"catalog": catalog.format(port=_free_port()), "http_timeout_s": 1.0}
    )
    with pytest.raises(BuildInputError, match=message):
        run_build([_anchor(BEN)], tmp_path / "out", cfg, workers=0, progress=False)
    assert not (tmp_path / "out" / "manifest.jsonl").exists()


@pytest.mark.parametrize(
    ("row", "message"), [("a,95.0,10.0", "lat 95.0 is outside"), ("a,10.0,200.0", "long 200.0 is outside")]
)
def test_anchor_coordinates_are_validated_on_import(tmp_path: Path, row: str, message: str) -> None:
    p = tmp_path / "anchors.csv"
    p.write_text(f"tile_id,lat,long\n{row}\n")
    with pytest.raises(ValueError, match=message):
        read_anchors(p)


def test_resume_removes_its_own_debris(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".spool" / "standard").mkdir(parents=True)
    debris = [
        out / ".summary.json.tmp-4242",
        out / ".spool" / "standard" / ".x.h5.tmp-4242",
        out / ".shard-000000.tar.tmp-99",
    ]
    for f in debris:
        f.write_bytes(b"half")
    keep = out / "notes.txt"
    keep.write_text("mine")
    run_build(
        [Anchor("north-pole", 89.5, 0.0, "polar", "bad")], out, embedded_config(), workers=0, progress=False
    )
    assert not any(f.exists() for f in debris) and keep.exists()


def test_cli_exits_nonzero_when_nothing_is_produced(tmp_path: Path) -> None:
    from geomeld.cli import app

    p = tmp_path / "anchors.csv"
    p.write_text("tile_id,lat,long\natlantic,30.0,-40.0\n")
    res = CliRunner().invoke(
        app, ["build", "--anchors", str(p), "--out", str(tmp_path / "o"), "--workers", "0", "--no-progress"]
    )
    assert res.exit_code == 1, res.output
    assert "0 of 1 attempted" in res.output
    bad = CliRunner().invoke(
        app,
        [
            "build",
            "--anchors",
            str(p),
            "--out",
            str(tmp_path / "o2"),
            "--catalog",
            "embeded",
            "--workers",
            "0",
        ],
    )
    assert bad.exit_code == 2 and "not a known catalog name" in bad.output


def test_antimeridian_tile_searches_two_boxes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from geomeld.builder.grid import split_bbox, tile_for_anchor
    from geomeld.builder.sources.catalog import CatalogItem, LocalCatalog

    tile = tile_for_anchor(-16.5, 179.9995, "fiji")
    west, _, east, _ = bbox = tile.bbox_lonlat()
    assert west > 179.9 and east < -179.9  # the short way round, not the whole globe
    parts = split_bbox(bbox)
    assert len(parts) == 2 and all(p[2] - p[0] < 0.1 for p in parts)
    cat = LocalCatalog.__new__(LocalCatalog)
    when = datetime(2020, 1, 1, tzinfo=UTC)
    cat.items = [
        CatalogItem("east", "c", when, box(179.5, -17, 180, -16), {}, {}),
        CatalogItem("west", "c", when, box(-180, -17, -179.5, -16), {}, {}),
        CatalogItem("far", "c", when, box(0, -17, 1, -16), {}, {}),
    ]
    assert {it.id for it in cat.search("c", bbox)} == {"east", "west"}


def test_pool_files_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    import pyarrow as pa

    from geomeld.sampling.pool import write_parquet_atomic

    write_parquet_atomic(pa.table({"a": [1]}), tmp_path / "pool.parquet")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "pool.parquet").stat().st_mode & 0o777 == 0o666 & ~umask


def test_resume_through_a_mirror_is_allowed(tmp_path: Path) -> None:
    anchors = [Anchor("north-pole", 89.5, 0.0, "polar", "bad")]
    run_build(anchors, tmp_path, embedded_config(), workers=0, progress=False)
    mirror = embedded_config().model_copy(
        update={"stac_url": "http://mirror.example/stac", "s3_unsigned": True}
    )
    run_build(anchors, tmp_path, mirror, workers=0, progress=False)  # endpoints only: same dataset
