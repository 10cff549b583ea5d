#!/usr/bin/env python3
"""FLOPs per sample of GeoMeld-FM, counted honestly, checked against a closed form and the paper.

One JSON line per count:

* ``{"figure": "flops", "part": "encoder_fwd_bwd", "variant": null, "size": …, "input_size": 112,
  "gflops_per_sample_dense": …, "gflops_per_sample_useful": …}`` — the ConvNeXt V2 encoder's forward
  + backward under a 0.6 patch mask, counted by :func:`geomeld.models.flops.count_flops` (grouped
  convolutions counted right), with the closed form (conv/linear multiply-adds × 2, backward =
  2 × forward minus the stem's input gradient) and their ratio (must be within 5 %), and
  torch's own counter for comparison (it counts depth-wise weight gradients as dense);
* ``{"figure": "flops", "part": "train_step", "variant": <ablation config>, …}`` — one full
  forward + backward of the objective (decoders, predictor, EMA target encoder, ITC head);
  *dense* = everything executed, *useful* = the online encoder on visible patches only plus
  everything else in full;
* ``{"figure": "flops_paper_check", …}`` — the closed form and the counter at 224 px with the
  ImageNet stride-4 stem (3 bands, + 1000-class head) against the ConvNeXt V2 paper's published
  multiply-adds (tiny 4.47 G, base 15.4 G).

CPU only, no text model (random 384-d caption embeddings stand in for MiniLM's: the FLOPs do not
depend on the values). ``python benchmarks/flops.py`` (≈ 1–3 min on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ("s2_mae", "mp_mae", "mp_jepa", "mp_itc", "full")
PAPER_GMACS = {"tiny": 4.47, "base": 15.4}
TEXT_DIM = 384  # all-MiniLM-L6-v2's width (precomputed caption embeddings)


def _emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["atto", "tiny", "base"])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--input-size", type=int, default=112)
    ap.add_argument("--batch", type=int, default=2, help="samples per counted step (counts are per sample)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from geomeld.models.convnextv2 import SIZES, ConvNeXtV2
    from geomeld.models.flops import (
        count_flops,
        count_flops_torch,
        encoder_fwd_bwd_flops_closed_form,
        encoder_macs,
        step_flops,
        visible_fraction,
    )
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.training.batch import synthetic_batch
    from geomeld.training.config import load_config
    from geomeld.training.masking import step_mask

    base = {"threads": args.threads, "torch": torch.__version__, "machine": platform.machine()}
    s = args.input_size
    captions = ["a caption"] * args.batch
    batch = synthetic_batch(args.batch, s, seed=0, captions=captions)
    g = torch.Generator().manual_seed(0)
    text = torch.nn.functional.normalize(torch.randn(args.batch, TEXT_DIM, generator=g), dim=-1)
    has_text = torch.ones(args.batch, dtype=torch.bool)

    for size in ("tiny", "base"):
        if size not in args.sizes:
            continue
        spec = SIZES[size]
        head = spec.dims[-1] * 1000
        closed = (
            encoder_macs(spec.dims, spec.depths, in_chans=3, input_size=224, stem_stride=4).total + head
        ) / 1e9
        net = ConvNeXtV2(size, in_chans=3, patch_size=32)  # stride-4 stem, total stride 32
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            counted = (count_flops(lambda net=net, x=x: net.forward_features(x)) / 2 + head) / 1e9
        _emit(
            {
                "figure": "flops_paper_check",
                "size": size,
                "input_size": 224,
                "stem": "stride-4 (ImageNet), 3 bands, + 1000-class head",
                "gmacs_closed_form": round(closed, 3),
                "gmacs_counted": round(counted, 3),
                "gmacs_paper": PAPER_GMACS[size],
                "closed_form_vs_paper": round(closed / PAPER_GMACS[size], 4),
                **base,
            }
        )

    for size in args.sizes:
        spec = SIZES[size]
        cfg0 = load_config(
            REPO / "configs" / "pretrain" / "full.yaml", {"encoder.size": size, "encoder.input_size": s}
        )
        grid = (s // cfg0.encoder.patch_size, s // cfg0.encoder.patch_size)
        mask = step_mask(seed=0, step=0, global_batch=args.batch, grid=grid, ratio=cfg0.mask.ratio)
        vis = visible_fraction(grid, cfg0.mask.ratio)
        torch.manual_seed(0)
        enc = ConvNeXtV2(size, in_chans=12, patch_size=cfg0.encoder.patch_size)
        xb = batch["sentinel2"]

        def enc_step(enc: ConvNeXtV2 = enc, xb: torch.Tensor = xb, mask: torch.Tensor = mask) -> None:
            enc.forward_features(xb, mask)[-1].sum().backward()

        dense = count_flops(enc_step) / args.batch
        legacy = count_flops_torch(enc_step) / args.batch
        closed = encoder_fwd_bwd_flops_closed_form(
            encoder_macs(
                spec.dims, spec.depths, in_chans=12, input_size=s, stem_stride=cfg0.encoder.patch_size // 8
            )
        )
        _emit(
            {
                "figure": "flops",
                "part": "encoder_fwd_bwd",
                "variant": None,
                "size": size,
                "input_size": s,
                "gflops_per_sample_dense": round(dense / 1e9, 3),
                "gflops_per_sample_useful": round(vis * dense / 1e9, 3),
                "gflops_per_sample_closed_form": round(closed / 1e9, 3),
                "counter_vs_closed_form": round(dense / closed, 4),
                "gflops_per_sample_torch_counter": round(legacy / 1e9, 3),
                "torch_counter_overstatement": round(legacy / dense, 3),
                "mask_ratio": cfg0.mask.ratio,
                "visible_fraction": round(vis, 4),
                **base,
            }
        )
        for variant in args.variants:
            cfg = load_config(
                REPO / "configs" / "pretrain" / f"{variant}.yaml",
                {"encoder.size": size, "encoder.input_size": s},
            )
            torch.manual_seed(0)
            model = GeoMeldFM(cfg, TEXT_DIM if cfg.itc.enabled else None).train()
            itc = cfg.itc.enabled
            f = step_flops(model, batch, mask, text if itc else None, has_text if itc else None)
            _emit(
                {
                    "figure": "flops",
                    "part": "train_step",
                    "variant": variant,
                    "size": size,
                    "input_size": s,
                    "gflops_per_sample_dense": round(f.dense / 1e9, 3),
                    "gflops_per_sample_useful": round(f.useful / 1e9, 3),
                    "gflops_per_sample_encoder_dense": round(f.encoder_dense / 1e9, 3),
                    "gflops_per_sample_torch_counter": round(f.torch_counter / 1e9, 3),
                    "torch_counter_overstatement": round(f.torch_counter / f.dense, 3),
                    "mask_ratio": cfg.mask.ratio,
                    "visible_fraction": round(vis, 4),
                    **base,
                }
            )
            del model
    return 0


if __name__ == "__main__":
    sys.exit(main())
