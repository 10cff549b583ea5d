"""The demo's decisive probe: task file, linear probe, paired statistics and the verdict sentence."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from geomeld.demo.probe import (
    ProbeError,
    _chance_miou,
    _standardise,
    default_task_path,
    load_task,
    probe_representation,
    task_band_stats,
    verdict,
)


def test_task_is_large_enough_to_decide_and_spatially_split() -> None:
    task = load_task(default_task_path())
    assert len(task.idx("test")) >= 100
    assert task.image.shape[1:] == (12, 32, 32) and task.label.shape[1:] == (32, 32)
    cols = {
        s: {int(re.search(r"_c(\d+)_", k).group(1)) for k in np.array(task.keys)[task.idx(s)]}  # type: ignore[union-attr]
        for s in ("train", "test")
    }
    assert max(cols["train"]) < min(cols["test"])  # test chips lie east of every training chip


def test_raw_band_probe_beats_chance_and_gives_per_chip_stats() -> None:
    task = load_task(default_task_path())
    mean, std = task_band_stats(task)
    stats, info = probe_representation(
        _standardise(task.image, mean, std).numpy(), task, 0, max_train_pixels=3000, weight_decays=(1e-3,)
    )
    k = len(task.class_names)
    assert stats.shape == (len(task.idx("test")), k * k)
    labelled = int((task.label[task.idx("test")] >= 0).sum())
    assert stats.sum() == labelled  # every labelled test pixel counted once
    from geomeld.evaluation.metrics import miou_from_stats

    counts = np.bincount(np.clip(task.label[task.idx("test")], 0, None).ravel(), minlength=k)
    assert 100 * float(miou_from_stats(stats.sum(0))) > 100 * _chance_miou(counts) + 5
    assert info["train_pixels"] == 3000


def _probe(d_random: tuple[float, float, float], d_raw: tuple[float, float, float]) -> dict:
    return {
        "task": "t",
        "metric": "mIoU (%)",
        "n_test": 123,
        "chance_miou": 8.4,
        "results": {
            "geomeld-fm": {"value": 40.0, "ci95": [35.0, 45.0]},
            "random-init": {"value": 30.0, "ci95": [25.0, 35.0]},
            "raw-bands": {"value": 33.0, "ci95": [28.0, 38.0]},
        },
        "paired": {
            "geomeld-fm - random-init": {"diff": d_random[0], "ci95": [d_random[1], d_random[2]]},
            "geomeld-fm - raw-bands": {"diff": d_raw[0], "ci95": [d_raw[1], d_raw[2]]},
        },
    }


def test_verdict_requires_both_paired_intervals_above_zero() -> None:
    ok, text = verdict(_probe((10.0, 6.0, 14.0), (7.0, 2.0, 11.0)))
    assert (
        ok
        and text.startswith("Pretraining helped")
        and "123 held-out test chips" in text
        and "chance 8.4" in text
    )
    ok, text = verdict(_probe((10.0, 6.0, 14.0), (2.0, -1.0, 5.0)))
    assert not ok and text.startswith("Pretraining did NOT measurably help against the raw bands")
    ok, text = verdict(_probe((1.0, -2.0, 4.0), (-3.0, -6.0, -1.0)))
    assert not ok and text.startswith("Pretraining did NOT measurably help on")


def test_unreadable_task_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.h5"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(ProbeError, match=r"x\.h5: not a readable probe task"):
        load_task(bad)
