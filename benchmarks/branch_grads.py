#!/usr/bin/env python3
"""Does ITC dominate the encoder gradient early? Per-branch gradient norms with and without β warm-up.

Runs ``geomeld pretrain``'s engine for a few steps per setting on the same synthetic Batch-contract
batches (fixed random 384-d caption embeddings standing in for MiniLM's, every sample captioned)
with ``run.grad_norms_every = 1``, and prints per setting the encoder gradient norm of each weighted
branch (MP-MAE, α·JEPA, β·ITC), the ITC / MP-MAE ratio over the first steps and the share of
steps clipped at ``optim.clip_grad`` — so the ablation rows can be compared under the same clipping.

Settings (same run, same batches, same seed): ``mp_mae`` (no ITC: the clipping baseline),
``full`` with β = 1 from step 0, ``full`` with a β warm-up over the whole short run (the
configs warm β up over their LR warm-up, ``itc.beta_warmup_steps``), and ``full`` with
gradient balancing (``itc.balance: 1.0``: β capped so that ITC's encoder gradient is at most
MP-MAE's, re-measured every ``run.grad_norms_every`` steps), as the shipped configs do.

    python benchmarks/branch_grads.py --steps 20 --crop 64 --batch 8    # ≈ 3–5 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="atto")
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batches", type=int, default=4, help="distinct synthetic batches cycled")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument(
        "--settings", nargs="+", default=["mp_mae", "full_beta_now", "full_beta_warmup", "full_balanced"]
    )
    ap.add_argument(
        "--beta-warmup", type=int, default=None, help="β warm-up of this short run (default: the whole run)"
    )
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from geomeld.training.batch import synthetic_batch
    from geomeld.training.config import load_config
    from geomeld.training.data import ListSource
    from geomeld.training.engine import pretrain

    g = torch.Generator().manual_seed(0)
    batches = []
    for i in range(args.batches):
        b = synthetic_batch(args.batch, args.crop, seed=i, captions=["c"] * args.batch)
        b["caption_embedding"] = torch.nn.functional.normalize(
            torch.randn(args.batch, 384, generator=g), dim=-1
        )
        b["has_caption"] = torch.ones(args.batch, dtype=torch.bool)
        batches.append(b)

    class Source(ListSource):
        caption_dim = 384

    full_cfg = load_config(REPO / "configs/pretrain/full.yaml")
    settings: dict[str, dict[str, Any]] = {
        "mp_mae": {"config": "mp_mae"},
        "full_beta_now": {"config": "full", "itc.beta_warmup_steps": 0, "itc.balance": None},
        "full_beta_warmup": {"config": "full", "itc.balance": None},
        "full_balanced": {"config": "full", "itc.beta_warmup_steps": 0, "itc.balance": 1.0},
    }
    warm = full_cfg.itc.beta_warmup_steps
    base = {
        "size": args.size,
        "crop": args.crop,
        "batch": args.batch,
        "steps": args.steps,
        "threads": args.threads,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, s in settings.items():
            if name not in args.settings:
                continue
            overrides = {
                "encoder.size": args.size,
                "encoder.input_size": args.crop,
                "optim.steps": args.steps,
                "data.batch_size": args.batch,
                "run.out_dir": str(Path(tmp) / name),
                "run.log_every": 1,
                "run.grad_norms_every": 1,
                "run.progress": False,
                "run.export": False,
                "run.checkpoint_every": 10**9,
                # the configs' schedules span thousands of steps: keep their shape over this short run
                "optim.warmup_steps": max(
                    1, full_cfg.optim.warmup_steps * args.steps // full_cfg.optim.steps
                ),
            }
            if "itc.balance" in s:
                overrides["itc.balance"] = s["itc.balance"]
            if "itc.beta_warmup_steps" in s:
                overrides["itc.beta_warmup_steps"] = s["itc.beta_warmup_steps"]
            elif warm is None or warm:
                overrides["itc.beta_warmup_steps"] = args.beta_warmup or args.steps
            cfg = load_config(REPO / "configs/pretrain" / f"{s['config']}.yaml", overrides)
            hist = pretrain(
                cfg, Source(batches, {"mean": [0.0] * 12, "std": [1.0] * 12}), resume=False
            ).history
            mp = [h["grad_norm/mp"] for h in hist]
            itc = [h.get("grad_norm/itc") for h in hist]
            ratios = [i / m for i, m in zip(itc, mp, strict=True) if i is not None and m > 0]
            row = {
                "figure": "branch_grad_norms",
                "setting": name,
                "config": s["config"],
                "beta_warmup_steps": cfg.itc.beta_warmup_steps if cfg.itc.enabled else None,
                "balance": cfg.itc.balance if cfg.itc.enabled else None,
                "beta_last": round(hist[-1].get("beta", 0.0), 6) if cfg.itc.enabled else None,
                "clip_grad": cfg.optim.clip_grad,
                "clipped_share": round(statistics.mean(h.get("clipped", 0.0) for h in hist), 3),
                "grad_norm_mp_first": round(mp[0], 4),
                "grad_norm_mp_median": round(statistics.median(mp), 4),
                "itc_over_mp_first": round(ratios[0], 3) if ratios else None,
                "itc_over_mp_last": round(ratios[-1], 3) if ratios else None,
                "itc_over_mp_median": round(statistics.median(ratios), 3) if ratios else None,
                "itc_over_mp_max": round(max(ratios), 3) if ratios else None,
                "total_grad_norm_median": round(statistics.median(h.get("grad_norm", 0.0) for h in hist), 4),
                **base,
                "machine": platform.machine(),
                "torch": torch.__version__,
            }
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
