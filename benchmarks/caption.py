#!/usr/bin/env python3
"""Captioning throughput: signals + built-in captioner + evaluator + verifier, samples/s per core.

Inputs: the committed real-data caption fixtures (``tests/data/caption_samples``: Brandenburg S2 +
OSM land use, Slovenia DEM + LULC, São Tomé GLO-30 DEM, BigEarthNet S2 + S1), repeated under new keys
to ``--samples``; arrays are in memory ("cached rasters") and geomorphons come from the per-DEM
cache (warmed once), as the issue allows. One process, BLAS threads pinned to 1.

Figures (one JSON line each; the per-core rate is samples per CPU second of this process, which stays
meaningful on a shared machine; wall rates are printed too):

* ``signals`` — the Orchestrator alone;
* ``caption+verify`` — built-in captioner (N candidates), grounding scorer and verifier on given signals;
* ``pipeline`` — the whole per-sample pipeline (signals → N candidates → rank → verify/repair);
* ``pipeline_uncached_geomorphons`` — the same with the geomorphon cache disabled (recomputed each time);
* ``target`` — the issue's baseline of 200 samples/s/core, with the ratio measured / target;
* ``fidelity`` — planted-claim detection and true-claim false-flag rates on the same samples.

    python benchmarks/caption.py --samples 400 --candidates 4
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_CORE = 200.0


def _fixtures() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location(
        "caption_samples_data", ROOT / "tests/data/caption_samples/data.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return dict(mod.load_samples())


def _machine() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "threads": int(os.environ.get("OMP_NUM_THREADS", "1")),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _time(fn: Callable[[], int]) -> dict[str, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    n = fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "samples": n,
        "wall_s": round(wall, 4),
        "cpu_s": round(cpu, 4),
        "samples_per_s_wall": round(n / wall, 1),
        "samples_per_cpu_s": round(n / cpu, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=400)
    ap.add_argument("--candidates", type=int, default=4)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from dataclasses import replace

    from geomeld.captioning.evidence import Evidence
    from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline
    from geomeld.captioning.stress import stress_test
    from geomeld.captioning.verifier import verify
    from geomeld.signals.terrain import GeomorphonCache

    base = list(_fixtures().values())
    samples = [
        replace(base[i % len(base)], key=f"{base[i % len(base)].key}-{i}") for i in range(args.samples)
    ]
    cfg = CaptionConfig(n_candidates=args.candidates)
    pipe = CaptionPipeline(cfg)
    for s in base:  # warm the geomorphon cache and the lazy imports
        pipe.caption(s)
    common = {"benchmark": "caption", **_machine(), "candidates": args.candidates}

    def run_signals() -> int:
        for s in samples:
            pipe.signals(s)
        return len(samples)

    bundles = [pipe.signals(s) for s in samples]

    def run_caption_verify() -> int:
        for s, b in zip(samples, bundles, strict=True):
            ev = Evidence.from_bundle(b)
            texts = pipe.backend.generate(s.key, ev, args.candidates, seed=0)
            vs = [verify(t, ev) for t in texts]
            pipe.scorer.score(ev, texts, vs, s)
        return len(samples)

    statuses: dict[str, int] = {}

    def run_pipeline() -> int:
        for s in samples:
            out = pipe.caption(s)
            statuses[out.status] = statuses.get(out.status, 0) + 1
        return len(samples)

    uncached = CaptionPipeline(cfg, geomorphon_cache=GeomorphonCache(max_items=0))
    few = samples[: max(len(base), args.samples // 8)]

    def run_uncached() -> int:
        for s in few:
            uncached.geomorphon_cache._mem.clear()
            uncached.caption(s)
        return len(few)

    results = {}
    for name, fn in (
        ("signals", run_signals),
        ("caption+verify", run_caption_verify),
        ("pipeline", run_pipeline),
        ("pipeline_uncached_geomorphons", run_uncached),
    ):
        results[name] = _time(fn)
        print(json.dumps({**common, "figure": name, **results[name]}))
    per_core = results["pipeline"]["samples_per_cpu_s"]
    print(
        json.dumps(
            {
                **common,
                "figure": "target",
                "baseline": "issue target 200 samples/s/core",
                "pipeline_samples_per_cpu_s": per_core,
                "ratio_vs_target": round(per_core / TARGET_PER_CORE, 2),
                "ratio_cached_vs_uncached_geomorphons": round(
                    per_core / results["pipeline_uncached_geomorphons"]["samples_per_cpu_s"], 2
                ),
                "statuses": statuses,
            }
        )
    )
    items = []
    for s in base:
        out = pipe.caption(s)
        assert out.bundle is not None
        items.append((s, out.bundle, out.caption or ""))
    r = stress_test(items)
    print(
        json.dumps(
            {
                **common,
                "figure": "fidelity",
                "planted": r["planted"],
                "detection_rate": r["detection_rate"],
                "true_claims": r["true_claims"],
                "false_flag_rate": r["false_flag_rate"],
                "by_category": {k: v["rate"] for k, v in r["by_category"].items()},
            }
        )
    )


if __name__ == "__main__":
    main()
