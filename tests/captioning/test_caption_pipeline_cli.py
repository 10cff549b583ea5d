"""`geomeld caption` / `caption-report` on shards built from the real fixture samples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from caption_fixtures import load_samples
from geomeld.captioning.pipeline import CaptionPipeline
from geomeld.cli import app
from geomeld.io.shards import ShardWriter, iter_samples


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    samples = load_samples()
    with ShardWriter(tmp_path, max_samples=5) as w:
        for s in samples.values():
            w.write(s)
    return sorted(tmp_path.glob("geomeld-*.tar"))


def test_caption_writes_verified_captions_resumes_and_reports(shards: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["caption", *map(str, shards)])
    assert res.exit_code == 0, res.output
    summary = re.findall(r'\{"status": \{[^}]*\}\}', res.output)
    # the DEM-only fixtures (Slovenia, São Tomé) hold no imagery: no caption, a final status
    assert summary and json.loads(summary[-1]) == {"status": {"verified": 7, "no_imagery": 3}}
    samples = {s.key: s for s in iter_samples(shards)}
    lake = samples["brandenburg_5"].metadata
    assert lake.caption and lake.caption_report and lake.caption_report["status"] == "verified"
    assert lake.water_analysis.detected and lake.water_analysis.percentage == 100 * 3055 / 16384
    assert lake.signals and lake.signals["water"]["method"] == "dw-only"
    assert samples["slovenia"].metadata.terrain_class == "Slope"
    assert samples["brandenburg_0"].metadata.terrain_class is None  # no DEM
    assert "no DEM" in samples["brandenburg_0"].metadata.caption_report["signals_missing"]["terrain"]
    assert np.array_equal(
        samples["slovenia"].arrays["aster"], load_samples()["slovenia"].arrays["aster"], equal_nan=True
    )
    logs = sorted(tmp_path.glob("*.captions.jsonl"))
    assert len(logs) == 2
    lines = [json.loads(x) for x in logs[0].read_text().splitlines()]
    assert lines[-1]["done"] and len(lines) == 6
    assert {r["key"] for r in lines[:-1]} <= set(samples)

    again = runner.invoke(app, ["caption", *map(str, shards)])
    assert again.exit_code == 0 and again.output.count("skipped") == 2

    rep = runner.invoke(app, ["caption-report", str(tmp_path), "--json"])
    assert rep.exit_code == 0, rep.output
    r = json.loads(next(line for line in rep.output.splitlines() if line.startswith("{")))
    assert r["samples"] == 10 and r["verified_share"] == 0.7 and r["failed_samples"] == 0
    assert r["generator_verifier_agreement_final"] == 1.0 and r["contradiction_rate_candidates"] <= 0.05
    assert r["signal_coverage"]["terrain"] == 0.3 and r["signal_coverage"]["place"] == 1.0
    assert 0 < r["distinct"]["distinct_1"] <= r["distinct"]["distinct_2"] <= 1
    assert r["length_words"]["mean"] > 8


def test_caption_bad_inputs_are_clear(shards: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["caption", str(tmp_path / "nope.tar")])
    assert res.exit_code != 0 and "nope.tar: no such shard or folder" in str(res.exception)
    # a folder stands for its shards; a folder without shards is an error
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["caption", str(tmp_path / "empty")])
    assert res.exit_code != 0 and "folder holds no .tar shards" in str(res.exception)
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(shards[0], folder / shards[0].name)
    res = runner.invoke(app, ["caption", str(folder)])
    assert res.exit_code == 0, res.output
    assert f"{folder / shards[0].name}: " in res.output and "samples" in res.output
    bad_cfg = tmp_path / "bad.yaml"
    bad_cfg.write_text("backend: builtin\nn_candidatez: 3\n")
    res = runner.invoke(app, ["caption", str(shards[0]), "--config", str(bad_cfg)])
    assert res.exit_code != 0
    res = runner.invoke(app, ["caption-report", str(tmp_path / "missing.jsonl")])
    assert res.exit_code != 0 and "does not exist" in res.output


def test_all_nodata_sample_gets_a_clear_outcome(tmp_path: Path) -> None:
    from geomeld.captioning.pipeline import CaptionPipeline
    from geomeld.core.modalities import MODALITIES

    s = load_samples()["brandenburg_0"]
    for key in list(s.arrays):
        s.arrays[key] = MODALITIES[key].empty()
    s.metadata.osm_tags = {}
    s.metadata.acquisition_date = "unknown"
    out = CaptionPipeline().caption_into(s)
    assert out.status == "no_imagery" and s.metadata.caption is None
    assert s.metadata.caption_report is not None and "no imagery" in s.metadata.caption_report["reason"]
    assert set(out.report["signals_missing"]) >= {"terrain", "water", "spectral", "osm"}


def test_parallel_workers_give_the_same_captions(shards: list[Path], tmp_path: Path) -> None:
    from geomeld.captioning.pipeline import CaptionConfig
    from geomeld.captioning.run import caption_shards

    one = next(iter(caption_shards(shards[1:], CaptionConfig(), workers=2, log_dir=tmp_path / "logs")))
    assert one.statuses == {"verified": 2, "no_imagery": 3} and not one.errors
    parallel = {s.key: s.metadata.caption for s in iter_samples(shards[1:])}
    serial = {k: CaptionPipeline().caption(s).caption for k, s in load_samples().items() if k in parallel}
    assert parallel == serial
