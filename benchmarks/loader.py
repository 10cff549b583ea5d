#!/usr/bin/env python3
"""Loader throughput: the published GeoMeld recipe vs geomeld's loader, same shards, same run.

(a) ``published_recipe``: ``webdataset.WebDataset(shards)`` then per sample
    ``h5py.File(io.BytesIO(sample["h5"]))``, ``f[key][()]`` for every key, ``json.loads(metadata)``
    (decode only: no crop, no normalisation, no masks).
(b) ``geomeld_loader``: :class:`geomeld.io.loader.GeoMeldDataset` producing the full Batch
    contract (index lookup, fast decode, value checks, 112 crop, normalisation, masks) in batches
    of 32 via :func:`geomeld.io.loader.make_loader` (``num_workers=0``).
(c) ``geomeld_loader_h5py``: the same with the fast path disabled (every sample through h5py), to
    show where the gain comes from.

One process, torch/BLAS threads pinned to ``--threads`` (default 1). The per-core figure is samples
per CPU second of this process (``time.process_time``, user + system, so page-cache reads count),
which stays meaningful on a shared machine; wall-clock rates are printed too. Each figure is the
median of ``--repeats`` timed passes (order alternated) after one warm-up pass. Prints one JSON
line per figure, then the ratio line.

    python benchmarks/loader.py --samples 200
    python benchmarks/loader.py --codec-report   # size and encode/decode samples per CPU second per codec
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _set_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)


def machine() -> dict[str, object]:
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def published_recipe(shards: list[Path]) -> int:
    import h5py
    import webdataset as wds

    n = 0
    for sample in wds.WebDataset([str(s) for s in shards], shardshuffle=False):
        with h5py.File(io.BytesIO(sample["h5"]), "r") as f:
            arrays = {k: f[k][()] for k in f if k != "metadata"}
            meta = json.loads(f["metadata"][()])
        assert arrays and meta
        n += 1
    return n


def geomeld_loader(shards: list[Path], stats: object, fast: bool = True) -> int:
    from geomeld.io.loader import make_loader

    loader = make_loader(shards, batch_size=32, stats=stats, shuffle=True, shuffle_buffer=100, seed=0)
    if not fast:
        loader.dataset._loc = ["{}"] * len(loader.dataset._loc)
    return sum(len(batch["key"]) for batch in loader)


def timed(fn: Callable[[], int]) -> tuple[float, float]:
    """(samples per wall second, samples per CPU second of this process)."""
    t, c = time.perf_counter(), time.process_time()
    n = fn()
    return n / (time.perf_counter() - t), n / (time.process_time() - c)


def codec_report(samples: int, threads: int) -> None:
    import h5py

    from geomeld.io.h5sample import decode_located, decode_sample, encode_sample, locate_datasets
    from geomeld.io.synthetic import make_sample

    items = [make_sample(f"{1000 + i}") for i in range(samples)]
    for codec in (None, "gzip"):
        t = time.process_time()
        blobs = [encode_sample(s, codec) for s in items]  # type: ignore[arg-type]
        enc = len(items) / (time.process_time() - t)
        t = time.process_time()
        for b in blobs:
            decode_sample(b, "bench:x")
        dec = len(items) / (time.process_time() - t)
        t = time.process_time()
        for b in blobs:
            with h5py.File(io.BytesIO(b), "r") as f:
                {k: f[k][()] for k in f}
        recipe = len(items) / (time.process_time() - t)
        locs = [locate_datasets(b, "x") for b in blobs]
        t = time.process_time()
        for b, loc in zip(blobs, locs, strict=True):
            for v in loc.values():
                decode_located(b, v)
        fast = len(items) / (time.process_time() - t)
        print(
            json.dumps(
                {
                    "figure": "codec",
                    "codec": codec or "uncompressed",
                    "kb_per_sample": round(sum(map(len, blobs)) / len(blobs) / 1e3, 1),
                    "encode_samples_per_s": round(enc, 1),
                    "decode_sample_samples_per_s": round(dec, 1),
                    "h5py_read_samples_per_s": round(recipe, 1),
                    "fast_decode_samples_per_s": round(fast, 1),
                    "samples": len(items),
                    "threads": threads,
                    **machine(),
                }
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--shard-size", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--codec-report", action="store_true", help="Measure encode/decode per codec instead.")
    args = ap.parse_args()
    _set_threads(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    if args.codec_report:
        codec_report(min(args.samples, 40), args.threads)
        return

    from geomeld.io.shards import ShardWriter
    from geomeld.io.stats import NormStats, compute_stats
    from geomeld.io.synthetic import make_sample

    with tempfile.TemporaryDirectory(prefix="geomeld-bench-") as tmp:
        with ShardWriter(tmp, max_samples=args.shard_size) as w:
            for i in range(args.samples):
                w.write(make_sample(f"{1000 + i}"))
        shards = sorted(Path(tmp).glob("*.tar"))
        stats = NormStats.from_json(compute_stats(shards, max_samples=50))
        runs: dict[str, Callable[[], int]] = {
            "published_recipe": lambda: published_recipe(shards),
            "geomeld_loader": lambda: geomeld_loader(shards, stats),
            "geomeld_loader_h5py": lambda: geomeld_loader(shards, stats, fast=False),
        }
        for fn in runs.values():
            fn()  # warm-up: page cache, imports, index
        wall: dict[str, list[float]] = {k: [] for k in runs}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        for r in range(args.repeats):
            names = list(runs) if r % 2 == 0 else list(reversed(runs))
            for name in names:
                w_rate, c_rate = timed(runs[name])
                wall[name].append(w_rate)
                cpu[name].append(c_rate)
        base = {"samples": args.samples, "threads": args.threads, "repeats": args.repeats, **machine()}
        per_core = {k: statistics.median(v) / args.threads for k, v in cpu.items()}
        for name in runs:
            print(
                json.dumps(
                    {
                        "figure": name,
                        "samples_per_cpu_s_per_core": round(per_core[name], 1),
                        "samples_per_wall_s": round(statistics.median(wall[name]), 1),
                        "cpu_runs": [round(v, 1) for v in cpu[name]],
                        **base,
                    }
                )
            )
        print(
            json.dumps(
                {
                    "figure": "ratio",
                    "geomeld_loader_vs_published_recipe": round(
                        per_core["geomeld_loader"] / per_core["published_recipe"], 2
                    ),
                    "geomeld_loader_h5py_vs_published_recipe": round(
                        per_core["geomeld_loader_h5py"] / per_core["published_recipe"], 2
                    ),
                    "basis": "samples per CPU second of the benchmark process (robust to other load)",
                    "target": 1.5,
                    **base,
                }
            )
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
