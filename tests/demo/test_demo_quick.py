"""`geomeld demo --quick`: the whole line on the embedded real data, as CI's smoke test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.demo
def test_quick_demo_writes_a_report_from_this_run(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "geomeld", "demo", "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "report:" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["build"]["outcome"]["done"] >= 10
    assert metrics["captions"]["samples"] == metrics["build"]["outcome"]["done"]
    assert metrics["pretrain"]["steps"] == 6
    scores = metrics["evaluation"]["scores"]
    assert {"random-init atto", "GeoMeld-FM (demo)", "raw bands + LR"} <= set(scores)
    assert all(0.0 <= v <= 100.0 for per in scores.values() for v in per.values())
    page = (out / "report.html").read_text()
    assert "Evaluation on the real mini-benchmarks" in page and "loss_curves.png" in page
    assert (out / "gallery" / "index.html").is_file() and (
        out / "pretrain" / "encoder" / "encoder.json"
    ).is_file()
