#!/usr/bin/env bash
# GeoMeld-FM on one GPU: samples/s, peak memory and bf16 MFU for atto, tiny and base.
#
# Prepared for a lent GPU machine (nothing here needs the network). Run from the repository root:
#     bash benchmarks/gpu.sh            # writes benchmarks/gpu-results.jsonl and prints the lines
# Each line is one JSON figure from benchmarks/train.py: the full objective (MP-MAE + JEPA + ITC,
# cached MiniLM caption embeddings) and MP-MAE alone, bf16 autocast, 112 px crops, one optimizer
# step timed round-robin (median of 10 after 3 warm-up steps). MFU = FLOPs of one step counted by
# torch.utils.flop_counter / step time / the GPU's dense bf16 peak (H100/H200 SXM: 989 TFLOPS;
# override with PEAK_TFLOPS=...). Target from issue 5: >= 40 % MFU for tiny at batch >= 256.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
OUT=${OUT:-benchmarks/gpu-results.jsonl}
PEAK=${PEAK_TFLOPS:+--peak-tflops $PEAK_TFLOPS}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$PY" - <<'PYCHECK'
import torch, sys
if not torch.cuda.is_available():
    sys.exit("benchmarks/gpu.sh: no CUDA device visible (torch %s, cuda %s)" % (torch.__version__, torch.version.cuda))
print("# device:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| cuda", torch.version.cuda, flush=True)
PYCHECK
: > "$OUT"
run() { "$PY" benchmarks/train.py --device cuda --bf16 --mfu --warmup 3 --rounds 10 --threads 8 $PEAK "$@" | tee -a "$OUT"; }
run --sizes atto --batch 256 --variants mp_mae full
run --sizes tiny --batch 256 --variants mp_mae full
run --sizes base --batch 128 --variants mp_mae full
echo "# wrote $OUT; copy the lines with the GPU name into benchmarks/RESULTS.md"
