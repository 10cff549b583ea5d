"""The real mini-benchmarks: leakage rules of the extracts, and a CI run (random init vs baseline)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from geomeld.evaluation.config import EvalConfig
from geomeld.evaluation.runner import run
from geomeld.evaluation.tasks import MINIBENCH_TASKS, load_minibench, load_pixel_task, minibench_dir

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "eval" / "minibench.yaml"
DEMO_SEED_PATCHES = ("87_48", "36_85", "4_55", "56_35", "69_24", "57_38")  # bigearthnet_s1s2_examples


def test_extracts_respect_the_leakage_rules() -> None:
    with h5py.File(minibench_dir() / "brandenburg_east.h5") as f:
        col0 = int(f.attrs["east_col0"])
        keys = [k.decode() for k in f["key"][()]]
        splits = [s.decode() for s in f["split"][()]]
    assert col0 >= 0.6 * 1536  # only the east 40 % (the demo pretraining sample uses the west 60 %)
    cols = {
        s: {int(k.split("_col")[1]) for k, sp in zip(keys, splits, strict=True) if sp == s}
        for s in ("train", "valid", "test")
    }
    assert max(cols["train"]) < min(cols["valid"]) <= max(cols["valid"]) < min(cols["test"])  # spatial split
    chip = 32
    # guard columns: no train chip touches a valid chip, no valid chip touches a test chip
    assert min(cols["valid"]) - max(cols["train"]) > chip and min(cols["test"]) - max(cols["valid"]) > chip
    bb = load_minibench("brandenburg_east")
    assert len(bb.splits["test"]) >= 100 and not bb.pipeline_check  # big enough to headline
    _, lab = bb.splits["test"].batch(np.arange(len(bb.splits["test"])))
    assert ((lab >= 0).mean(axis=(1, 2)) > 0.05).all()  # every test chip > 5 % labelled
    for small in ("benv2", "dynamic_earthnet", "pastis"):
        assert load_minibench(small).pipeline_check  # too small: a pipeline check, never headlined
    ben = load_minibench("benv2")
    all_keys = [k for s in ben.splits.values() for k in s.keys]
    assert not any(k.endswith(p) for k in all_keys for p in DEMO_SEED_PATCHES)
    for name in MINIBENCH_TASKS:
        task = load_minibench(name)
        assert all(len(task.splits[s]) > 0 for s in ("train", "valid", "test")), name
        assert task.processing_level in ("L1C", "L2A") and len(task.fingerprint) == 16
        raw, lab = task.splits["train"].batch([0])
        assert np.isfinite(raw).all() and raw.max() > 100  # DN, not reflectance
        if task.kind == "segmentation":
            assert lab.min() >= -1 and lab.max() < task.num_classes
    px = load_pixel_task("slovenia")
    assert len(px.labels["test"]) > 1000 and px.features["train"].shape[1] == 69


def test_minibench_ci_run(tmp_path: Path) -> None:
    """Random-init ConvNeXt V2-Atto vs the raw-band baseline on every real mini-benchmark (CPU, < 1 min)."""
    cfg = EvalConfig.load(CONFIG)
    tasks = [
        t.model_copy(update={"protocols": ["lp", "ft"] if t.name == "benv2" else ["lp"]}) for t in cfg.tasks
    ]
    cfg = cfg.model_copy(
        update={
            "tasks": tasks,
            "train": cfg.train.model_copy(update={"lp_epochs": 15, "ft_epochs": 1, "lp_lrs": [0.01]}),
            "lp_seeds": [0, 1],
            "robustness": cfg.robustness.model_copy(update={"tasks": ["benv2"]}) if cfg.robustness else None,
            "n_bootstrap": 200,
        }
    )
    res = run(cfg)
    values = {(r["encoder"], r["task"], r["protocol"]): r for r in res["results"]}
    for task in (*MINIBENCH_TASKS, "slovenia"):
        base = values[("raw bands + LR", task, "lp")]
        assert 0 <= base["value"] <= 100 and base["ci95"][0] <= base["value"] <= base["ci95"][1]
        assert base["n_test"] > 0
    assert values[("random-init atto", "slovenia", "lp")]["value"] is None  # no raw S2 bands: n/a, stated
    assert values[("random-init atto", "benv2", "ft")]["n_test"] == 2
    assert values[("random-init atto", "benv2", "ft")]["too_few_to_compare"]
    assert values[("random-init atto", "benv2", "ft")]["pipeline_check"]
    assert "macro_f1" in values[("random-init atto", "benv2", "ft")]
    assert any(p["task"] == "brandenburg_east" and p["versus"] == "raw bands + LR" for p in res["paired"])
    bb = values[("raw bands + LR", "brandenburg_east", "lp")]
    assert bb["n_test"] >= 100 and not bb["too_few_to_compare"] and not bb["pipeline_check"]
    assert len(bb["per_class"]["values"]) == 8
    # patch-level scoring of tiny images: 2 PASTIS test images of 32 px in 8 px blocks = 32 units
    assert values[("raw bands + LR", "pastis", "lp")]["n_test"] == 32
    assert res["tasks"]["brandenburg_east"]["processing_level"] == "L1C"
    assert any(r["condition"] == "landsat8_like" for r in res["robustness"])
