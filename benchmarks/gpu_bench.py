#!/usr/bin/env python3
"""GeoMeld-FM on one GPU, data path included: what ``benchmarks/gpu.sh`` runs (``--dry-run``: on CPU).

1. **Data**: synthetic GeoMeld shards (``--samples``, Batch-contract values, real shard format) →
   ``stats.json`` → caption embeddings with the built-in hashing encoder (no text model, no
   download) → ``geomeld pack`` → the packs replicated to ``--replicas`` × as many samples (the
   loader's cost does not depend on the values).
2. **Loader**: the packed loader's samples/s by wall clock with each of ``--workers`` (pinned memory,
   persistent workers, batch ``--batch``), host batches in compact dtypes, after one warm-up batch.
3. **Matmul ceiling**: a bf16 8192³ product, measured (CUDA only).
4. **Training step per size** (``--sizes``; variant ``full`` = MP-MAE + JEPA + ITC): bf16 autocast,
   ``torch.compile`` off, ``--warmup`` steps then ``--steps`` timed steps *with data loading*
   (next packed batch → pinned → device → crop / normalise on the device → step → AdamW → EMA),
   synchronised only at the ends. Prints samples/s, peak memory, FLOPs per sample (dense hardware
   and useful, :mod:`geomeld.models.flops`) and both MFUs against the 989 TFLOP/s spec and the
   measured matmul ceiling.

One JSON line per figure on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def make_packs(tmp: Path, samples: int, replicas: int) -> tuple[Path, Any]:
    from geomeld.io.pack import pack_shards
    from geomeld.io.shards import ShardWriter
    from geomeld.io.stats import NormStats, compute_stats, write_stats
    from geomeld.io.synthetic import make_sample
    from geomeld.models.text import HashingTextEncoder
    from geomeld.training.captions import embed_shard_captions

    shards_dir, packs_dir = tmp / "shards", tmp / "packs"
    t = time.perf_counter()
    with ShardWriter(shards_dir, max_samples=max(1, samples // 4)) as w:
        for i in range(samples):
            w.write(make_sample(f"{100000 + i}"))
    shards = sorted(shards_dir.glob("*.tar"))
    write_stats(compute_stats(shards, max_samples=min(samples, 64)), shards_dir / "stats.json")
    text = HashingTextEncoder(64)
    from geomeld.training.captions import CaptionStore

    store = CaptionStore(embed_shard_captions(shards, text), text_encoder=text.name)
    packs = pack_shards(shards, packs_dir, captions=store, layouts=None)
    for r in range(1, replicas):
        for p in packs:
            shutil.copytree(p, packs_dir / f"{p.name[: -len('.pack')]}-r{r}.pack")
    shutil.copy(shards_dir / "stats.json", packs_dir / "stats.json")
    emit(
        {
            "figure": "gpu_bench_data",
            "shards": len(shards),
            "samples": samples * replicas,
            "bytes_per_sample": json.loads((packs[0] / "meta.json").read_text())["bytes_per_sample"],
            "prepare_s": round(time.perf_counter() - t, 1),
        }
    )
    return packs_dir, NormStats.from_json(packs_dir / "stats.json")


def loader_rate(packs_dir: Path, batch: int, workers: int, batches: int, crop: int) -> dict[str, Any]:
    from geomeld.io.packed import make_packed_loader, resolve_packs

    ld = make_packed_loader(
        resolve_packs([packs_dir]), batch_size=batch, num_workers=workers, pin_memory=True, crop_size=crop
    )
    n = 0
    epoch = 0
    t0 = None
    while n < batches:
        ld.set_epoch(epoch)
        for b in ld:
            if t0 is None:  # after the first batch: workers started, pages touched
                t0 = time.perf_counter()
                continue
            n += len(b["key"])
            if n >= batches * batch:
                break
        epoch += 1
        if n >= batches * batch:
            break
    dt = time.perf_counter() - (t0 or time.perf_counter())
    return {"samples_per_s": round(n / dt, 1) if dt > 0 else None, "samples": n, "seconds": round(dt, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true", help="the same code path on CPU, tiny sizes")
    ap.add_argument("--sizes", nargs="+", default=["atto", "tiny", "base"])
    ap.add_argument("--variant", default="full")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--crop", type=int, default=112)
    ap.add_argument("--samples", type=int, default=128, help="synthetic samples written as shards")
    ap.add_argument("--replicas", type=int, default=16, help="copies of the packs (more samples per epoch)")
    ap.add_argument("--workers", nargs="+", type=int, default=[8, 16])
    ap.add_argument("--loader-batches", type=int, default=24)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--train-workers", type=int, default=16)
    ap.add_argument("--peak-tflops", type=float, default=None)
    ap.add_argument(
        "--channels-last", action="store_true", help="NHWC weights and batches (run.channels_last)"
    )
    args = ap.parse_args()
    if args.dry_run:
        args.sizes, args.batch, args.crop = ["atto"], 2, 32
        args.samples, args.replicas, args.workers = 8, 2, [1, 2]
        args.loader_batches, args.warmup, args.steps, args.train_workers = 3, 1, 1, 2

    import torch

    from geomeld.io.packed import resolve_packs
    from geomeld.models.flops import H200_BF16_DENSE_TFLOPS, matmul_ceiling_tflops, mfu, spec_peak_tflops
    from geomeld.training.batch import to_device
    from geomeld.training.config import load_config
    from geomeld.training.data import PackSource
    from geomeld.training.engine import build_optimizer, prepare_model, to_channels_last
    from geomeld.training.masking import step_mask

    cuda = torch.cuda.is_available() and not args.dry_run
    if not cuda and not args.dry_run:
        sys.exit("gpu_bench: no CUDA device (use --dry-run for the CPU check)")
    device = torch.device("cuda" if cuda else "cpu")
    name = torch.cuda.get_device_name(device) if cuda else "cpu (dry run)"
    machine = {
        "device": name,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cpus": os.cpu_count(),
        "host": platform.node(),
        "dry_run": args.dry_run,
    }
    emit({"figure": "gpu_bench_machine", **machine})
    with tempfile.TemporaryDirectory(prefix="geomeld-gpu-") as tmp:
        packs_dir, _ = make_packs(Path(tmp), args.samples, args.replicas)
        n_packed = sum(1 for _ in resolve_packs([packs_dir]))
        for w in args.workers:
            emit(
                {
                    "figure": "loader_packed_gpu",
                    "workers": w,
                    "batch": args.batch,
                    "packs": n_packed,
                    **loader_rate(packs_dir, args.batch, w, args.loader_batches, args.crop),
                    **machine,
                }
            )
        ceiling = None
        if cuda:
            ceiling = matmul_ceiling_tflops(device)
            emit(
                {
                    "figure": "matmul_ceiling",
                    "n": 8192,
                    "dtype": "bf16",
                    "tflops": round(ceiling, 1),
                    **machine,
                }
            )
        peak = (
            args.peak_tflops
            or (spec_peak_tflops(name) if cuda else None)
            or (H200_BF16_DENSE_TFLOPS if cuda else None)
        )
        for size in args.sizes:
            cfg = load_config(
                REPO / "configs" / "pretrain" / f"{args.variant}.yaml",
                {
                    "encoder.size": size,
                    "encoder.input_size": args.crop,
                    "itc.text_encoder": "hashing",
                    "itc.hashing_dim": 64,
                    "data.packs": str(packs_dir),
                    "data.batch_size": args.batch,
                    "data.num_workers": args.train_workers,
                    "run.compile": False,
                    "run.channels_last": args.channels_last,
                },
            )
            source = PackSource(cfg)
            from geomeld.models.geomeld_fm import GeoMeldFM
            from geomeld.models.jepa import ema_update

            torch.manual_seed(0)
            model = GeoMeldFM(cfg, source.caption_dim).to(device).train()
            prepare_model(model, cfg, device)
            opt, _ = build_optimizer(model, cfg)
            grid = model.encoder.patch_grid(args.crop, args.crop)
            it = iter(_forever(source))

            def step(
                i: int,
                model: Any = model,
                opt: Any = opt,
                it: Any = it,
                grid: Any = grid,
                cfg: Any = cfg,
                source: Any = source,
            ) -> None:
                batch = source.on_device(to_device(next(it), device))
                if args.channels_last:
                    batch = to_channels_last(batch)
                mask = step_mask(seed=0, step=i, global_batch=args.batch, grid=grid, ratio=cfg.mask.ratio)
                mask = mask.pin_memory().to(device, non_blocking=True) if cuda else mask
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
                    loss, _ = model(batch, mask, batch.get("caption_embedding"), batch.get("has_caption"))
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
                if model.target_encoder is not None:
                    ema_update(model.target_encoder, model.encoder, 0.996)

            def sync() -> None:
                if cuda:
                    torch.cuda.synchronize(device)

            for i in range(args.warmup):
                step(i)
            sync()
            if cuda:
                torch.cuda.reset_peak_memory_stats(device)
            t0 = time.perf_counter()
            for i in range(args.steps):
                step(args.warmup + i)
            sync()
            wall = (time.perf_counter() - t0) / args.steps
            from geomeld.models.flops import step_flops

            batch = source.on_device(to_device(next(it), device))
            mask = step_mask(seed=0, step=0, global_batch=args.batch, grid=grid, ratio=cfg.mask.ratio).to(
                device
            )
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
                f = step_flops(model, batch, mask, batch.get("caption_embedding"), batch.get("has_caption"))
            dense, useful = f.dense * args.batch, f.useful * args.batch
            emit(
                {
                    "figure": "gpu_train_step",
                    "size": size,
                    "variant": args.variant,
                    "batch": args.batch,
                    "crop": args.crop,
                    "bf16": cuda,
                    "compile": False,
                    "channels_last": args.channels_last,
                    "includes_data_loading": True,
                    "train_workers": args.train_workers,
                    "steps": args.steps,
                    "step_s": round(wall, 4),
                    "samples_per_s": round(args.batch / wall, 1),
                    "peak_mem_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
                    if cuda
                    else None,
                    "gflops_per_sample_dense": round(f.dense / 1e9, 2),
                    "gflops_per_sample_useful": round(f.useful / 1e9, 2),
                    "achieved_tflops_dense": round(dense / wall / 1e12, 1),
                    "mfu_dense_vs_spec": _r(mfu(dense, wall, peak)),
                    "mfu_useful_vs_spec": _r(mfu(useful, wall, peak)),
                    "mfu_dense_vs_matmul": _r(mfu(dense, wall, ceiling)),
                    "mfu_useful_vs_matmul": _r(mfu(useful, wall, ceiling)),
                    "peak_tflops_spec": peak,
                    "matmul_ceiling_tflops": round(ceiling, 1) if ceiling else None,
                    **machine,
                }
            )
            del model, opt, source, it
            if cuda:
                torch.cuda.empty_cache()
    return 0


def _forever(source: Any) -> Any:
    epoch = 0
    while True:
        yield from source.epoch(epoch)
        epoch += 1


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


if __name__ == "__main__":
    sys.exit(main())
