"""Fidelity figures: Wilson intervals, the goals' denominators, the benchmark and caption-report on a set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from caption_fixtures import load_samples
from geomeld.captioning.fidelity import figures, wilson
from geomeld.cli import app
from geomeld.io.shards import ShardWriter

ROOT = Path(__file__).resolve().parents[2]


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_rate(k: int, n: int) -> None:
    k = min(k, n)
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_wilson_known_value() -> None:
    lo, hi = wilson(0, 401)
    assert hi == pytest.approx(0.0095, abs=2e-4) and lo == 0.0


def test_figures_use_the_right_denominators() -> None:
    rows = [
        {"label": "false", "decidable": True, "false_family": "water"},
        {"label": "false", "decidable": True, "false_family": "water"},
        {"label": "false", "decidable": False, "false_family": "slope"},
        {"label": "true"},
        {"label": "true"},
    ]
    verdicts = ["contradicted", "verified", "unverifiable", "contradicted", "verified"]
    by = {(f["figure"], f.get("family")): f for f in figures(rows, verdicts)}
    assert (by[("false_captions_verified", None)]["k"], by[("false_captions_verified", None)]["n"]) == (1, 3)
    assert (
        by[("decidable_false_contradicted", None)]["k"],
        by[("decidable_false_contradicted", None)]["n"],
    ) == (1, 2)
    assert by[("true_captions_contradicted", None)]["rate"] == 0.5
    assert by[("decidable_false_contradicted", "water")]["n"] == 2
    assert by[("undecidable_false_verified", "slope")]["k"] == 0


@pytest.fixture(scope="module")
def labelled_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fidset")
    with ShardWriter(d, max_samples=5) as w:
        w.write(load_samples()["slovenia"])
    rows = [
        {"tile_id": "1006", "caption": "Taken in July 2017, in Slovenia.", "label": "true"},
        {
            "tile_id": "1006",
            "caption": "Taken in July 2017, in Finland.",
            "label": "false",
            "false_family": "place",
            "decidable": True,
        },
        {
            "tile_id": "1006",
            "caption": "A winter scene.",
            "label": "false",
            "false_family": "season",
            "decidable": True,
        },
    ]
    (d / "labels.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return d


def test_benchmark_prints_one_json_line_per_figure(labelled_set: Path) -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/fidelity.py"), str(labelled_set), "--no-baseline"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
    )
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    by = {(f["figure"], f.get("family")): f for f in lines}
    assert by[("decidable_false_contradicted", None)]["k"] == 2
    assert by[("true_captions_contradicted", None)]["k"] == 0
    assert all("n" in f and "cpu_count" in f for f in lines)


def test_caption_report_shows_fidelity_beside_agreement(labelled_set: Path, tmp_path: Path) -> None:
    log = tmp_path / "x.captions.jsonl"
    log.write_text(json.dumps({"key": "a", "status": "verified", "caption": "Forest.", "report": {}}) + "\n")
    res = CliRunner().invoke(app, ["caption-report", str(log), "--json", "--fidelity-set", str(labelled_set)])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert "generator_verifier_agreement_final" in rep and "claim_precision_final" not in rep
    figs = {f["figure"]: f for f in rep["fidelity"] if "family" not in f}
    assert figs["false_captions_verified"]["n"] == 2
