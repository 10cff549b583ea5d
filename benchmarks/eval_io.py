#!/usr/bin/env python3
"""Evaluation data path: samples/s read per sample from GEO-Bench HDF5 files (today's path) vs the
packed, memory-mapped per-task cache (:mod:`geomeld.evaluation.packed`), same files, same run.

A BigEarthNet-shaped task (12 bands of 120 × 120 int16, dated band names, pickled attributes — the
format geobench's writer produces, from ``tests/data/geobench/data.py``) of ``--samples`` training
samples is written to a temporary folder. Figures, each the median of ``--repeats`` timed passes
over the whole split in shuffled batches of 32 (the fine-tuning access pattern):

(a) ``per_sample_hdf5``: :class:`geomeld.evaluation.tasks.GeoBenchSplit` (one file open + unpickle +
    12 dataset reads per sample) — the baseline (82 samples/s measured on BigEarthNet in issue 12);
(b) ``packed_mmap``: :class:`geomeld.evaluation.packed.PackedSplit` after the one-time packing
    (whose cost is printed too);
(c) ``labels_only``: label-only reads from the HDF5 files (what a segmentation probe needs).

One JSON line per figure with the machine and thread count, then the ratio line (goal ≥ 20×).

    python benchmarks/eval_io.py --samples 256
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _fixture_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "geobench_fixture", ROOT / "tests" / "data" / "geobench" / "data.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _timed(fn, n: int, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up (page cache)
    walls, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return n / statistics.median(walls), n / statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--size", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    import torch

    torch.set_num_threads(a.threads)
    sys.path.insert(0, str(ROOT / "src"))
    from geomeld.evaluation.packed import packed_task
    from geomeld.evaluation.tasks import load_geobench

    fx = _fixture_module()
    base = {"machine": platform.machine(), "cpus": os.cpu_count(), "threads": a.threads, "samples": a.samples,
            "sample_shape": [12, a.size, a.size], "load_avg_1m": os.getloadavg()[0]}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "gb"
        fmt = fx.TaskFormat("classification_v1.0", "m-bigearthnet", tuple(b for b in fx.S2_BANDS if b != "B10"),
                            "multilabel", 43, "int16", 900.0, 300.0, 60.0, size=a.size)  # fmt: skip
        fx._write_task(root, fmt, seed=1, counts={"train": a.samples, "valid": 2, "test": 2})
        task = load_geobench("m-bigearthnet", root=str(root))
        split = task.splits["train"]
        rng = np.random.default_rng(0)

        def epoch(s) -> None:  # type: ignore[no-untyped-def]
            order = rng.permutation(len(s))
            for i in range(0, len(order), 32):
                s.batch(order[i : i + 32])

        def labels(s) -> None:  # type: ignore[no-untyped-def]
            s.labels(np.arange(len(s)))

        t0 = time.perf_counter()
        packed = packed_task(task, Path(tmp) / "cache")
        pack_s = time.perf_counter() - t0
        figures = {
            "per_sample_hdf5": _timed(lambda: epoch(split), a.samples, a.repeats),
            "packed_mmap": _timed(lambda: epoch(packed.splits["train"]), a.samples, a.repeats),
            "labels_only_hdf5": _timed(lambda: labels(split), a.samples, a.repeats),
        }
        for name, (wall, cpu) in figures.items():
            print(
                json.dumps(
                    {
                        "figure": name,
                        "samples_per_s": round(wall, 1),
                        "samples_per_cpu_s": round(cpu, 1),
                        **base,
                    }
                )
            )
        print(
            json.dumps(
                {
                    "figure": "one_time_pack",
                    "seconds": round(pack_s, 2),
                    "samples_per_s": round(a.samples / pack_s, 1),
                    **base,
                }
            )
        )
        ratio = figures["packed_mmap"][0] / figures["per_sample_hdf5"][0]
        print(json.dumps({"figure": "ratio_packed_vs_per_sample", "ratio": round(ratio, 1), "goal": 20.0,
                          "baseline": "per_sample_hdf5 in the same run", **base}))  # fmt: skip


if __name__ == "__main__":
    main()
