#!/usr/bin/env python3
"""GeoMeld-FM training-step throughput per ablation variant, and the cost of JEPA and ITC.

One process times a full optimizer step exactly as ``geomeld pretrain`` runs it (step mask,
caption embeddings from the cached text encoder, masked forward of the online encoder, six
decoders / predictor / ITC head, backward, AdamW step, EMA update) for each variant of
``configs/pretrain`` on the same Batch-contract batch (synthetic values: throughput does not
depend on them; captions are real sentences, their MiniLM embeddings cached after the warm-up,
as in a long run). Variants are timed **round-robin** (one step of each per round) so that load
from other processes on a shared machine hits all of them alike; each figure is the median over
rounds. Reported: samples/s by wall clock and per CPU second of this process, then the cost ratios
(step time relative to MP-MAE alone: ``+JEPA``, ``+ITC``, ``full``; and S2-MAE relative to MP-MAE).

CPU (the issue's figure):   python benchmarks/train.py                       # atto, batch 16, 112 px
GPU (benchmarks/gpu.sh):    python benchmarks/train.py --device cuda --bf16 --sizes atto tiny base \
                                --variants full --batch 256 --mfu
With ``--mfu`` the FLOPs of one step are counted with :func:`geomeld.models.flops.step_flops`
(grouped convolutions counted right) as *dense hardware* FLOPs (everything executed) and *useful*
FLOPs (the online encoder on visible patches only), and each is divided by the step time and by
(a) the device's dense bf16 spec peak (``--peak-tflops``, or looked up from the GPU name; H200:
989 TFLOP/s) and (b) the bf16 matmul ceiling measured in the same run (an 8192³ product).
``--text-encoder precomputed`` (default) feeds fixed 384-d caption embeddings with the batch, as
training does with ``geomeld embed-captions`` files: no text model runs in the step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ("s2_mae", "mp_mae", "mp_jepa", "mp_itc", "full")
CAPTIONS = [
    "Dense coniferous forest with a few clearings and a lake in the north-east.",
    "Irrigated cropland in rectangular fields crossed by a straight road.",
    "Dense urban blocks along a river with bridges and a rail yard.",
    "Bare mountain slopes with snow patches above a forested valley.",
]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--sizes", nargs="+", default=["atto"])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=112)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (CUDA only, as the engine does)")
    ap.add_argument("--mfu", action="store_true", help="count FLOPs and report model FLOPs utilisation")
    ap.add_argument("--peak-tflops", type=float, default=None, help="dense bf16 peak of the device")
    ap.add_argument("--text-encoder", default="precomputed", choices=["precomputed", "minilm", "hashing"])
    ap.add_argument("--channels-last", action="store_true", help="NHWC weights and batches")
    ap.add_argument("--compile", action="store_true", help="torch.compile every ConvNeXt block")
    ap.add_argument("--matmul-n", type=int, default=8192, help="size of the measured matmul ceiling")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.models.jepa import ema_update
    from geomeld.models.text import build_text_encoder, embed_captions
    from geomeld.training.batch import synthetic_batch, to_device
    from geomeld.training.config import load_config
    from geomeld.training.engine import build_optimizer, prepare_model
    from geomeld.training.masking import step_mask

    device = torch.device(args.device)
    machine = {
        "machine": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "threads": args.threads,
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
    }
    captions = (CAPTIONS * (args.batch // len(CAPTIONS) + 1))[: args.batch]
    text = None
    text_dim = 384
    if args.text_encoder != "precomputed":
        text = build_text_encoder(args.text_encoder)
        text_dim = text.dim
    batch = synthetic_batch(args.batch, args.crop, seed=0, captions=captions)
    g = torch.Generator().manual_seed(0)
    batch["caption_embedding"] = torch.nn.functional.normalize(
        torch.randn(args.batch, 384, generator=g), dim=-1
    ).half()
    batch["has_caption"] = torch.ones(args.batch, dtype=torch.bool)
    batch = to_device(batch, device)
    if args.channels_last:
        batch = {
            k: (v.contiguous(memory_format=torch.channels_last) if torch.is_tensor(v) and v.ndim == 4 else v)
            for k, v in batch.items()
        }
    ceiling = None
    if args.mfu and device.type == "cuda":
        from geomeld.models.flops import matmul_ceiling_tflops

        ceiling = matmul_ceiling_tflops(device, args.matmul_n)
        _emit(
            {
                "figure": "matmul_ceiling",
                "n": args.matmul_n,
                "dtype": "bf16",
                "tflops": round(ceiling, 1),
                **machine,
            }
        )

    for size in args.sizes:
        runs: dict[str, dict[str, Any]] = {}
        for variant in args.variants:
            overrides = {
                "encoder.size": size,
                "encoder.input_size": args.crop,
                "run.channels_last": args.channels_last,
                "run.compile": args.compile,
            }
            cfg = load_config(REPO / "configs" / "pretrain" / f"{variant}.yaml", overrides)
            torch.manual_seed(0)
            model = GeoMeldFM(cfg, text_dim if cfg.itc.enabled else None).to(device).train()
            prepare_model(model, cfg, device)
            opt, _ = build_optimizer(model, cfg)
            runs[variant] = {"cfg": cfg, "model": model, "opt": opt, "wall": [], "cpu": []}

        def step(variant: str, i: int, runs: dict[str, dict[str, Any]] = runs) -> None:
            r = runs[variant]
            cfg, model, opt = r["cfg"], r["model"], r["opt"]
            grid = model.encoder.patch_grid(args.crop, args.crop)
            mask = step_mask(seed=0, step=i, global_batch=args.batch, grid=grid, ratio=cfg.mask.ratio).to(
                device
            )
            e = h = None
            if cfg.itc.enabled and text is None:
                e, h = batch["caption_embedding"], batch["has_caption"]
            elif cfg.itc.enabled and text is not None:
                e, h = embed_captions(text, captions)
                e, h = e.to(device), h.to(device)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=args.bf16 and device.type == "cuda"):
                loss, _ = model(batch, mask, e, h)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            if model.target_encoder is not None:
                ema_update(model.target_encoder, model.encoder, 0.996)

        def sync() -> None:
            if device.type == "cuda":
                torch.cuda.synchronize(device)

        for i in range(args.warmup):
            for v in args.variants:
                step(v, i)
        sync()
        peaks: dict[str, int] = {}
        for i in range(args.rounds):
            for v in args.variants:
                if device.type == "cuda":
                    torch.cuda.reset_peak_memory_stats(device)
                sync()
                t0, c0 = time.perf_counter(), time.process_time()
                step(v, args.warmup + i)
                sync()
                runs[v]["wall"].append(time.perf_counter() - t0)
                runs[v]["cpu"].append(time.process_time() - c0)
                if device.type == "cuda":
                    peaks[v] = max(peaks.get(v, 0), torch.cuda.max_memory_allocated(device))
        medians: dict[str, float] = {}
        cpu_medians: dict[str, float] = {}
        for v in args.variants:
            wall = statistics.median(runs[v]["wall"])
            cpu = statistics.median(runs[v]["cpu"])
            medians[v] = wall
            cpu_medians[v] = cpu
            row: dict[str, Any] = {
                "figure": "train_samples_per_s",
                "variant": v,
                "size": size,
                "batch": args.batch,
                "crop": args.crop,
                "step_s_median": round(wall, 4),
                "samples_per_s": round(args.batch / wall, 2),
                "samples_per_cpu_s": round(args.batch / cpu, 2) if cpu > 0 else None,
                "rounds": args.rounds,
                "bf16": bool(args.bf16 and device.type == "cuda"),
                "params_m": round(sum(p.numel() for p in runs[v]["model"].parameters()) / 1e6, 2),
                **machine,
            }
            if device.type == "cuda":
                row["peak_mem_gib"] = round(peaks[v] / 2**30, 2)
            if args.mfu:
                from geomeld.models.flops import mfu, spec_peak_tflops, step_flops

                r = runs[v]
                cfg = r["cfg"]
                grid = r["model"].encoder.patch_grid(args.crop, args.crop)
                mask = step_mask(seed=0, step=0, global_batch=args.batch, grid=grid, ratio=cfg.mask.ratio).to(
                    device
                )
                e = batch["caption_embedding"] if cfg.itc.enabled else None
                h = batch["has_caption"] if cfg.itc.enabled else None
                with torch.autocast(
                    "cuda", dtype=torch.bfloat16, enabled=args.bf16 and device.type == "cuda"
                ):
                    f = step_flops(r["model"], batch, mask, e, h)
                peak = args.peak_tflops
                if peak is None and device.type == "cuda":
                    peak = spec_peak_tflops(torch.cuda.get_device_name(device))
                dense, useful = f.dense * args.batch, f.useful * args.batch
                row["step_tflop_dense"] = round(dense / 1e12, 4)
                row["step_tflop_useful"] = round(useful / 1e12, 4)
                row["achieved_tflops_dense"] = round(dense / wall / 1e12, 2)
                row["achieved_tflops_useful"] = round(useful / wall / 1e12, 2)
                row["peak_tflops_spec"] = peak
                row["mfu_dense_vs_spec"] = _r(mfu(dense, wall, peak))
                row["mfu_useful_vs_spec"] = _r(mfu(useful, wall, peak))
                row["matmul_ceiling_tflops"] = round(ceiling, 1) if ceiling else None
                row["mfu_dense_vs_matmul"] = _r(mfu(dense, wall, ceiling))
                row["mfu_useful_vs_matmul"] = _r(mfu(useful, wall, ceiling))
            _emit(row)
        if "mp_mae" in medians:
            base = medians["mp_mae"]
            for v, label in (
                ("mp_jepa", "jepa_cost"),
                ("mp_itc", "itc_cost"),
                ("full", "jepa_itc_cost"),
                ("s2_mae", "s2_mae_vs_mp_mae"),
            ):
                if v in medians:
                    _emit(
                        {
                            "figure": label,
                            "size": size,
                            "ratio": round(medians[v] / base, 3),
                            "ratio_cpu": round(cpu_medians[v] / cpu_medians["mp_mae"], 3),
                            "meaning": f"step time of {v} / step time of mp_mae (same run, round-robin medians; "
                            "ratio_cpu uses this process's CPU seconds, steadier on a shared machine)",
                            "baseline": "mp_mae",
                            **machine,
                        }
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
