"""`geomeld demo --quick`: the whole line on the embedded real data, as CI's smoke test, checked in Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser_util import dump_dom, screenshot

REPO = Path(__file__).resolve().parents[2]
ORIGINS = {"real", "substitute", "coarse", "absent"}


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
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
    return out


@pytest.mark.demo
def test_quick_demo_metrics_follow_the_contract(demo_out: Path) -> None:
    metrics = json.loads((demo_out / "metrics.json").read_text())
    assert metrics["build"]["outcome"]["done"] >= 10
    assert metrics["captions"]["samples"] == metrics["build"]["outcome"]["done"]
    assert metrics["pretrain"]["steps"] == 6
    probe = metrics["probe"]
    assert probe["n_test"] >= 100 and probe["task"] and probe["metric"]
    assert set(probe["results"]) == {"geomeld-fm", "random-init", "raw-bands"}
    for r in probe["results"].values():
        lo, hi = r["ci95"]
        assert 0.0 <= lo <= r["value"] <= hi <= 100.0
    for key in ("geomeld-fm - random-init", "geomeld-fm - raw-bands"):
        d = probe["paired"][key]
        assert d["ci95"][0] <= d["diff"] <= d["ci95"][1]
    layers = metrics["layers"]
    assert all(set(c) == ORIGINS for c in layers.values())  # no other origin, none relocated
    built = metrics["build"]["outcome"]["done"]
    assert all(sum(c.values()) == built for c in layers.values())
    assert layers["aster"]["absent"] == built and layers["canopy_height"]["absent"] == built
    assert (
        layers["sentinel2"]["substitute"] > 0
        and layers["esa_worldcover"]["coarse"] + layers["esa_worldcover"]["substitute"] > 0
    )


@pytest.mark.demo
def test_quick_demo_pages_in_headless_chromium(demo_out: Path, tmp_path: Path) -> None:
    report = demo_out / "report.html"
    page = report.read_text()
    metrics = json.loads((demo_out / "metrics.json").read_text())
    # the first paragraph is the verdict, with n and the chance level beside the numbers
    first = re.search(r'<p id="verdict"[^>]*>(.*?)</p>', page)
    assert first is not None and page.index('id="verdict"') < page.index("<h2")
    verdict = first.group(1)
    assert f"{metrics['probe']['n_test']} held-out test chips" in verdict and "chance" in verdict.lower()
    assert "Pretraining helped" in verdict or "Pretraining did NOT measurably help" in verdict
    dom, attrs = dump_dom(report.as_uri(), tmp_path / "p1")
    n_img = int(re.search(r'data-images="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
    assert n_img >= 3 and f'data-images-loaded="{n_img}"' in attrs, attrs
    assert "reconstructions.png" in dom and "embedding_map.png" in dom and "loss.png" in dom
    screenshot(report.as_uri(), tmp_path / "p2", tmp_path / "report.png")
    screenshot(report.as_uri(), tmp_path / "p3", tmp_path / "report_narrow.png", width=390, height=1400)

    gallery = demo_out / "gallery" / "index.html"
    text = gallery.read_text()
    dom, attrs = dump_dom(gallery.as_uri(), tmp_path / "p4")
    n_img = int(re.search(r'data-images="(\d+)"', attrs).group(1))  # type: ignore[union-attr]
    assert n_img >= 6 and f'data-images-loaded="{n_img}"' in attrs and "data-errors" not in attrs, attrs
    figures = text.count("<figure>")
    badges = len(re.findall(r'<figcaption><span class="badge (real|substitute|coarse)"', text))
    assert figures > 0 and badges == figures  # every panel carries its origin
    assert 'class="badge relocated"' not in text
    # zoom: a NAIP panel (1 m) opens at its full 1280 px width
    naip = re.search(r'<button class="zoom" id="([^"]+)"[^>]*data-w="1280"', text)
    assert naip is not None, "the NAIP panel is missing from the gallery"
    dom, attrs = dump_dom(gallery.as_uri() + f"#click={naip.group(1)}", tmp_path / "p5")
    assert 'data-zoom-open="1"' in attrs and 'data-zoom-natural-width="1280"' in attrs, attrs
    screenshot(gallery.as_uri(), tmp_path / "p6", tmp_path / "gallery_narrow.png", width=390, height=1400)
