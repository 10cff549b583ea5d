"""The shard verbs: inspect, validate, stats, index."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.io.h5sample import encode_sample, locate_datasets
from geomeld.io.synthetic import make_sample

runner = CliRunner()


@pytest.fixture()
def folder(test_data: Path, tmp_path: Path) -> Path:
    out = tmp_path / "shards"
    shutil.copytree(test_data / "geomeld_shards", out, ignore=shutil.ignore_patterns("*.py", "*.parquet"))
    return out


def test_inspect_json(folder: Path) -> None:
    res = runner.invoke(app, ["inspect", str(folder / "geomeld-00000_n.tar"), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)["shards"][0]
    assert report["samples"] == 2 and report["layouts"] == {"naip": 2}
    assert report["modalities"]["naip"]["shapes"] == [[3, 1280, 1280]]
    assert report["modalities"]["sentinel2"]["shapes"] == [[9, 128, 128]]
    assert report["modalities"]["sentinel1"]["valid_fraction"] == 0.5
    res = runner.invoke(app, ["inspect", str(folder)])
    assert res.exit_code == 0 and "esa_worldcover" in res.output


def test_validate_exit_codes_and_messages(folder: Path) -> None:
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 0, res.output
    assert "5 samples checked, 0 problems" in res.output
    bad = make_sample("77")
    data = bytearray(encode_sample(bad))
    esa = locate_datasets(bytes(data), "x")["esa_worldcover"]
    data[esa.offset + 500] = 15
    with tarfile.open(folder / "geomeld-00001.tar", "w") as tar:
        for name, payload in (("77.h5", bytes(data)), ("78.h5", b"oops")):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    res = runner.invoke(app, ["validate", str(folder), "--json"])
    assert res.exit_code == 1
    out = json.loads(res.output)
    assert out["samples"] == 7
    assert out["problems"] == [
        "geomeld-00001.tar:77: esa_worldcover: class codes [15] are not in the esa_worldcover table "
        "(allowed: [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100] and no-data 0)",
        "geomeld-00001.tar:78: not an HDF5 file (first bytes b'oops', expected the HDF5 signature)",
    ]


def test_stats_and_index_verbs(folder: Path) -> None:
    res = runner.invoke(app, ["stats", str(folder), "--out", str(folder / "stats.json")])
    assert res.exit_code == 0, res.output
    assert json.loads((folder / "stats.json").read_text())["sample_count"] == 5
    res = runner.invoke(app, ["index", str(folder), "--out", str(folder / "all.parquet")])
    assert res.exit_code == 0, res.output
    assert pq.read_table(folder / "all.parquet").num_rows == 5
    assert (folder / "geomeld-00000_n.index.parquet").exists()
    res = runner.invoke(app, ["index", "--help"])
    assert "Example" in res.output


def test_validate_reports_truncated_shard(folder: Path) -> None:
    shard = folder / "geomeld-00000.tar"
    shard.write_bytes(shard.read_bytes()[:70_000])
    res = runner.invoke(app, ["validate", str(shard)])
    assert res.exit_code == 1
    assert "geomeld-00000.tar:1232154455: truncated tar member" in res.output
