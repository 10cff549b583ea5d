"""Streaming band statistics against numpy on the same pixels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from geomeld.core.modalities import MODALITIES
from geomeld.io.shards import iter_samples
from geomeld.io.stats import HIST_BINS, NormStats, StatsAccumulator, compute_stats, write_stats
from geomeld.io.synthetic import make_sample


@pytest.fixture()
def released(test_data: Path, tmp_path: Path) -> list[Path]:
    out = tmp_path / "released"
    shutil.copytree(test_data / "geomeld_shards", out, ignore=shutil.ignore_patterns("*.py", "*.parquet"))
    return sorted(out.glob("*.tar"))


def test_stats_match_numpy_and_respect_no_data(released: list[Path], tmp_path: Path) -> None:
    result = compute_stats(released)
    assert result["sample_count"] == 5 and result["layouts"] == {"standard": 3, "naip": 2}
    samples = list(iter_samples(released))
    s2 = MODALITIES["sentinel2"]
    for band in ("B1", "B3"):  # B3 only in the 3 standard samples (NAIP S2 has no B2-B4)
        values = np.concatenate(
            [
                s.arrays["sentinel2"][s.band_names("sentinel2").index(band)].ravel()
                for s in samples
                if band in s.band_names("sentinel2")
            ]
        ).astype(np.float64)
        i = s2.band_names.index(band)
        entry = result["modalities"]["sentinel2"]
        assert entry["count"][i] == values.size
        assert entry["mean"][i] == pytest.approx(values.mean(), rel=1e-9)
        assert entry["std"][i] == pytest.approx(values.std(), rel=1e-9)
        assert entry["min"][i] == values.min() and entry["max"][i] == values.max()
        width = 65535 / HIST_BINS
        for q in (1, 50, 99):
            assert abs(entry["percentiles"][str(q)][i] - np.percentile(values, q)) <= 2 * width
    s1 = result["modalities"]["sentinel1"]
    hh = MODALITIES["sentinel1"].band_names.index("HH_asc")
    assert s1["count"][hh] == 0 and s1["mean"][hh] is None and s1["nodata_count"][hh] == 5 * 128 * 128
    canopy = result["modalities"]["canopy_height"]
    assert canopy["nodata_count"][0] == 5 * 64 and canopy["count"][0] == 5 * (128 * 128 - 64)
    esa = result["modalities"]["esa_worldcover"]
    assert sum(esa["counts"]) == 5 * 128 * 128 and abs(sum(esa["frequency"]) - 1) < 1e-9
    path = write_stats(result, tmp_path / "stats.json")
    norm = NormStats.from_json(path)
    assert norm.std["sentinel1"][hh] == 1.0 and norm.mean["sentinel1"][hh] == 0.0
    assert norm.mean["sentinel2"].shape == (12,) and not norm.has("esa_worldcover")
    assert json.loads(path.read_text())["format"] == "geomeld-stats-1"


def test_accumulator_merges_like_one_pass() -> None:
    one = StatsAccumulator(["aster"])
    for k in ("a", "b", "c"):
        one.add(make_sample(k))
    values = np.concatenate([make_sample(k).arrays["aster"][1].ravel() for k in ("a", "b", "c")]).astype(
        np.float64
    )
    r = one.result()["modalities"]["aster"]
    assert r["mean"][1] == pytest.approx(values.mean(), rel=1e-12)
    assert r["std"][1] == pytest.approx(values.std(), rel=1e-9)


def test_wrong_stats_format_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError, match="expected 'geomeld-stats-1'"):
        NormStats.from_json(p)
