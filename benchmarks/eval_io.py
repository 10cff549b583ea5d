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
(c) ``labels_only``: label-only reads from the HDF5 files (what a segmentation probe needs);
(d) ``ft_batches_workers_<w>``: fine-tuning batches (read from the packed cache, band alignment,
    normalisation; the resize to 112 × 112 happens on the training device, inside the step) through
    :func:`geomeld.evaluation.protocols.training_batches` with ``w`` = 0 (in process) and ``--workers``
    DataLoader worker processes;
(e) ``ft_step``: one fine-tuning step (forward, backward, AdamW) of ConvNeXt V2 ``--model`` at batch 32
    on this machine's CPU, and the data share = data time / (data time + step time) per batch when
    batches are prepared in process, and with the workers running beside the step.

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
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default="atto")
    ap.add_argument("--steps", type=int, default=3)
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
        _ft_figures(a, packed, base)
        ratio = figures["packed_mmap"][0] / figures["per_sample_hdf5"][0]
        print(json.dumps({"figure": "ratio_packed_vs_per_sample", "ratio": round(ratio, 1), "goal": 20.0,
                          "baseline": "per_sample_hdf5 in the same run", **base}))  # fmt: skip


def _ft_figures(a, packed, base) -> None:  # type: ignore[no-untyped-def]
    """(d) prepared fine-tuning batches per second, in process and from workers; (e) the step time and
    the data share of a fine-tuning step on this CPU."""
    import torch

    from geomeld.evaluation.protocols import task_loss, training_batches
    from geomeld.evaluation.runner import prepare_input
    from geomeld.models.convnextv2 import ConvNeXtV2

    pre = prepare_input(None, packed, "duplicate", 112).pre
    split = packed.splits["train"]
    order = [np.arange(i, min(i + 32, len(split))) for i in range(0, len(split), 32)]
    rates = {}
    for w in (0, a.workers):
        t0 = time.perf_counter()
        n = sum(len(x) for x, _ in training_batches(packed, split, pre, order, w))
        rates[w] = n / (time.perf_counter() - t0)
        print(json.dumps({"figure": f"ft_batches_workers_{w}", "samples_per_s": round(rates[w], 1),
                          "input": [12, 112, 112], **base}))  # fmt: skip
    model = ConvNeXtV2(a.model, in_chans=12, patch_size=16)
    head = torch.nn.Linear(model.dims[-1], 43)
    opt = torch.optim.AdamW([*model.parameters(), *head.parameters()], lr=1e-4)
    x, y = next(iter(training_batches(packed, split, pre, order[:1], 0)))

    def step() -> None:
        loss = task_loss("multilabel", head(model.forward_pooled(pre.resize(x))), y)  # resize: on the device
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    walls = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        walls.append(time.perf_counter() - t0)
    step_s = statistics.median(walls)
    data_s = len(x) / rates[0]
    t0 = time.perf_counter()
    n_batches = 0
    for xb, yb in training_batches(packed, split, pre, order, a.workers):  # workers beside the step
        x, y = xb, yb
        step()
        n_batches += 1
    overlapped = (time.perf_counter() - t0) / max(1, n_batches)
    print(json.dumps({"figure": "ft_step", "model": a.model, "batch": len(x), "step_s": round(step_s, 3),
                      "data_s_per_batch_in_process": round(data_s, 4),
                      "data_share_in_process": round(data_s / (data_s + step_s), 3),
                      "wall_s_per_batch_with_workers": round(overlapped, 3),
                      "data_share_with_workers": round(max(0.0, overlapped - step_s) / overlapped, 3),
                      "goal": "data time <= 10 % of step time (issue 12, stated for a GPU)", **base}))  # fmt: skip


if __name__ == "__main__":
    main()
