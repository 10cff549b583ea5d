"""Exact resume after kill -9: a real `geomeld build` subprocess is killed mid-run, twice, then
finished; every anchor ends up in exactly one shard, none twice, none lost."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from geomeld.core.data import embedded_anchors_path
from geomeld.io.shards import iter_samples


def _anchors(path: Path) -> list[str]:
    # the standard-layout anchors (the 1 m NAIP tile is slow to build and not needed here)
    base = [r for r in csv.DictReader(embedded_anchors_path().open()) if r["stratum"] != "naip"][:4]
    rows = []
    for rep in range(2):  # the embedded anchors twice, the second time shifted by ~100 m
        for r in base:
            rows.append(
                {
                    "tile_id": f"{r['tile_id']}-r{rep}",
                    "lat": float(r["lat"]) + rep * 0.0009,
                    "long": float(r["long"]),
                    "stratum": r["stratum"],
                    "source": "resume-test",
                }
            )
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return [r["tile_id"] for r in rows]


def _tile_lines(manifest: Path) -> int:
    if not manifest.exists():
        return 0
    return sum(1 for line in manifest.read_text().splitlines() if '"event": "tile"' in line)


def test_kill9_and_resume_is_exact(tmp_path: Path) -> None:
    anchors_csv = tmp_path / "anchors.csv"
    ids = _anchors(anchors_csv)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "catalog": "embedded",
                "s2_window": "any",
                "s2_allow_unknown_cloud_cover": True,
                "allow_stand_ins": True,
                "shard_max_samples": 3,
                "retries": 0,
            }
        )
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "geomeld.cli", "build", "--anchors", str(anchors_csv), "--config", str(cfg)]
    cmd += ["--out", str(out), "--workers", "0", "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    manifest = out / "manifest.jsonl"
    for kill_after in (2, 5):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 90
        while _tile_lines(manifest) < kill_after and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, (
            "build finished before it could be killed: " + proc.stderr.read().decode()[-2000:]
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]

    shards = sorted(out.glob("geomeld-*.tar"))
    keys = Counter(s.key for s in iter_samples([str(p) for p in shards]))
    assert not [k for k, n in keys.items() if n > 1], "duplicated samples"
    assert set(keys) == set(ids), f"lost: {set(ids) - set(keys)}"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["outcome"] == {"done": len(ids)}
    assert summary["samples_in_shards"] == len(ids)
    assert not list((out / ".spool").rglob("*.h5")), "spool not drained"
    assert not list(out.glob(".*.tmp-*")), "temporary shard left behind"
    # every tile recorded as done exactly once after the last kill (re-runs never rebuild finished tiles)
    lines = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip().startswith("{")]
    tile_lines = Counter(r["tile_id"] for r in lines if r.get("event") == "tile")
    assert set(tile_lines) == set(ids)
