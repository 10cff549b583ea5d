#!/usr/bin/env bash
# GeoMeld-FM on one GPU, data path included: loader samples/s with 8 and 16 workers, and for atto,
# tiny and base (variant full: MP-MAE + JEPA + ITC) samples/s with data loading, peak memory and
# both MFUs (dense hardware and useful FLOPs, vs the 989 TFLOP/s bf16 spec and vs a bf16 matmul
# ceiling measured in the same run). Everything runs from the repository as it is: nothing is
# installed, nothing is downloaded, torch.compile is off, captions use the built-in hashing text
# encoder (precomputed into the packs), the data are synthetic shards packed on the spot.
#
#     bash benchmarks/gpu.sh              # on the GPU machine (≈ 2–4 min on one H200)
#     bash benchmarks/gpu.sh --dry-run    # the same code path on CPU, tiny sizes (< 5 min on 2 cores)
#
# What must travel to the lent machine (≤ 64 MiB): the repository (src/, configs/, benchmarks/;
# ~10 MiB) and, because that image has no pydantic, its wheels in .whl/ (≈ 2.5 MiB), made here once:
#     bash benchmarks/gpu.sh --fetch-wheels        # pip download into .whl/ (add .whl/ to .git/info/exclude)
# then run with carry [".whl"]. The script installs them into /tmp/site (no network) when pydantic
# is missing. Everything else it needs (torch ≥ 2.11, numpy, h5py, pyarrow, pyyaml, tqdm,
# safetensors, typer) is in that image. Output: JSON lines on stdout and in $OUT/gpu-results.jsonl
# (or benchmarks/gpu-results.jsonl); paste them into benchmarks/RESULTS.md with the GPU's name.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ]; then PY=${PY:-.venv/bin/python}; else PY=${PY:-python3}; fi
if [ "${1:-}" = "--fetch-wheels" ]; then
  mkdir -p .whl
  "$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
    "pydantic==2.14.4" "pydantic-core==2.50.5" "annotated-types==0.8.0" "typing-inspection==0.4.5"
  ls -la .whl; exit 0
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if ! "$PY" -c "import pydantic" 2>/dev/null; then
  if ls .whl/pydantic-*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/geomeld-site .whl/*.whl
    export PYTHONPATH="$PYTHONPATH:/tmp/geomeld-site"
  else
    echo "benchmarks/gpu.sh: pydantic is missing and there is no .whl/ to install it from;" \
         "run 'bash benchmarks/gpu.sh --fetch-wheels' where pip works and carry .whl" >&2
    exit 2
  fi
fi
RESULTS=${OUT:+$OUT/gpu-results.jsonl}
RESULTS=${RESULTS:-benchmarks/gpu-results.jsonl}
if [ "${1:-}" = "--dry-run" ]; then
  RESULTS=${OUT:+$OUT/gpu-dry-run.jsonl}; RESULTS=${RESULTS:-/tmp/geomeld-gpu-dry-run.jsonl}
  start=$(date +%s)
  "$PY" benchmarks/gpu_bench.py --dry-run | tee "$RESULTS"
  echo "# dry run finished in $(( $(date +%s) - start )) s ($RESULTS)"
  exit 0
fi
"$PY" - <<'PYCHECK'
import sys, torch
if not torch.cuda.is_available():
    sys.exit("benchmarks/gpu.sh: no CUDA device visible (torch %s, cuda %s); use --dry-run on CPU" % (torch.__version__, torch.version.cuda))
print("# device:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| cuda", torch.version.cuda, flush=True)
PYCHECK
start=$(date +%s)
"$PY" benchmarks/gpu_bench.py "$@" | tee "$RESULTS"
echo "# finished in $(( $(date +%s) - start )) s; wrote $RESULTS; copy the lines with the GPU name into benchmarks/RESULTS.md"
