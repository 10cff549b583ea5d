"""The ablation ladder on real data: S2-MAE, MP-MAE, MP+JEPA, MP+ITC and the full objective, probed.

Every variant is pretrained on the same real data with the same budget (the demo's pretraining
shards: the west 60 % of the Brandenburg Sentinel-2 L1C scene with its co-located OSM land-use
substitutes, and the BigEarthNet S2+S1 patches with coarse MODIS land cover; nothing relocated), for
``--seeds`` seeds each, then probed on the decisive task of the demo (the re-chipped Brandenburg OSM
land-use benchmark: the scene's east 40 %, never pretrained on, spatial split, 123 test chips) with
the demo's protocol (:mod:`geomeld.demo.probe`). Baselines in the same run: a random init of the
same architecture (one per seed) and the raw bands.

The caption-fidelity ablation: the MP+ITC variant is trained twice per seed, once on the verified
captions and once on the same captions with ``--corrupt`` (default 30 %) of them carrying a planted
false claim (a land-cover, water or season word swapped for a wrong one), so the effect of caption
fidelity on the learned representation is a measured number.

Output: one JSON line per figure on stdout (machine, threads, n), ``--out`` (JSON lines, appended,
resumable: finished runs are skipped), and the table written between markers in
``benchmarks/RESULTS.md``.

    python benchmarks/quality.py --work runs/quality --seeds 3 --steps 120 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ("s2_mae", "mp_mae", "mp_jepa", "mp_itc", "full")
PAPER_ORDER = ("s2_mae", "mp_mae", "mp_jepa", "mp_itc", "full")  # paper Table: worst → best
CORRUPTED = "mp_itc_corrupt30"
MARK_BEGIN = "<!-- quality.py:begin -->"
MARK_END = "<!-- quality.py:end -->"

SWAPS = [
    (r"\b(forest|forests|woodland|woods|trees|tree cover)\b", "farmland"),
    (r"\b(farmland|cropland|crops|fields|cultivated fields|agricultural land|farm)\b", "dense forest"),
    (r"\b(grassland|meadows?|pasture)\b", "bare rock"),
    (r"\b(water|lakes?|river|pond)\b", "sand dunes"),
    (r"\b(town|houses|built-up|buildings|urban)\b", "wetland"),
    (r"\bwinter\b", "high summer"),
    (r"\b(summer|spring|autumn)\b", "deep winter"),
    (r"\bno water\b", "a large lake"),
]


def plant_false_claim(caption: str, rng: random.Random) -> str | None:
    """The caption with one land-cover / water / season statement swapped for a wrong one (None if none)."""
    options = [(pat, rep) for pat, rep in SWAPS if re.search(pat, caption, flags=re.IGNORECASE)]
    if not options:
        return None
    pat, rep = rng.choice(options)
    return re.sub(pat, rep, caption, count=1, flags=re.IGNORECASE)


def corrupt_shards(src: Path, dst: Path, share: float, seed: int) -> dict[str, Any]:
    """Link ``src``'s shards into ``dst`` with index captions of ``share`` of the captioned samples corrupted."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    dst.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tables = {}
    for tar in sorted(src.glob("*.tar")):
        link = dst / tar.name
        if not link.exists():
            link.symlink_to(tar.resolve())
        index = tar.with_name(tar.name.removesuffix(".tar") + ".index.parquet")
        tables[index.name] = pq.read_table(index)
    slots = [
        (name, i) for name, t in tables.items() for i, c in enumerate(t.column("caption").to_pylist()) if c
    ]
    total = len(slots)
    swappable = [(n, i) for n, i in slots if plant_false_claim(tables[n].column("caption")[i].as_py(), rng)]
    chosen = set(rng.sample(swappable, min(len(swappable), round(share * total))))
    changed = len(chosen)
    for name, table in tables.items():
        caps = table.column("caption").to_pylist()
        caps = [plant_false_claim(c, rng) if (name, i) in chosen else c for i, c in enumerate(caps)]
        table = table.set_column(
            table.schema.get_field_index("caption"), "caption", pa.array(caps, pa.string())
        )
        pq.write_table(table, dst / name)
    return {"captioned": total, "corrupted": changed, "share": changed / max(total, 1)}


def machine() -> dict[str, Any]:
    return {
        "machine": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads": int(os.environ.get("OMP_NUM_THREADS", "1")),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def prepare_data(work: Path) -> Path:
    """The demo's pretraining shards, band statistics and captions (built once with `geomeld demo`'s steps)."""
    from geomeld.demo.config import load_demo_config
    from geomeld.demo.pipeline import DEMO_CONFIGS
    from geomeld.demo.run import run

    data = work / "data"
    if not (data / "stats.json").exists():
        run(load_demo_config(DEMO_CONFIGS / "default.yaml"), out=data, until="band statistics")
    return data


def pretrain_argv(variant: str, seed: int, data: Path, shards: Path, out: Path, steps: int) -> list[str]:
    from geomeld.demo.config import load_demo_config
    from geomeld.demo.pipeline import DEMO_CONFIGS

    configs = Path(__file__).resolve().parents[1] / "configs"  # the repository's ablation variants
    demo = load_demo_config(DEMO_CONFIGS / "default.yaml")
    overrides = dict(demo.pretrain.set)
    overrides.update(
        {
            "data.shards": [str(shards)],
            "data.stats": str(data / "stats.json"),
            "run.out_dir": str(out),
            "run.seed": seed,
            "optim.steps": steps,
            "optim.warmup_steps": max(1, steps // 10),
            "run.checkpoint_every": 100_000,
            "data.num_workers": 0,
        }
    )
    config = variant.removesuffix("_corrupt30")
    argv = [
        sys.executable,
        "-m",
        "geomeld",
        "pretrain",
        "--config",
        str(configs / "pretrain" / f"{config}.yaml"),
    ]
    for key, value in overrides.items():
        argv += ["--set", f"{key}={json.dumps(value)}"]
    return argv


def run_one(variant: str, seed: int, work: Path, data: Path, steps: int) -> dict[str, Any]:
    """Pretrain one variant/seed (skipped when done) and probe it; returns the record with its stats path."""
    from geomeld.demo.probe import encoder_pixel_features, load_task, probe_representation
    from geomeld.models.export import load_encoder

    out = work / "runs" / f"{variant}-s{seed}"
    stats_path = out / "probe_stats.npy"
    record_path = out / "record.json"
    if record_path.exists() and stats_path.exists():
        return dict(json.loads(record_path.read_text()))
    shards = data / "shards"
    extra: dict[str, Any] = {}
    if variant == CORRUPTED:
        shards = work / f"shards_corrupt30_s{seed}"
        extra["corruption"] = corrupt_shards(data / "shards", shards, 0.30, seed)
    start = time.perf_counter()
    log = out.parent / f"{out.name}.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with log.open("w") as fh:
        proc = subprocess.run(
            pretrain_argv(variant, seed, data, shards, out, steps),
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} seed {seed}: pretraining failed (exit {proc.returncode}); see {log}")
    train_s = time.perf_counter() - start
    import torch

    task = load_task(_task_path())
    enc = load_encoder(out / "encoder")
    feats = encoder_pixel_features(enc.model, enc.normalize(torch.from_numpy(task.image)))
    stats, info = probe_representation(feats, task, seed)
    np.save(stats_path, stats)
    record = {"variant": variant, "seed": seed, "steps": steps, "train_s": round(train_s, 1), **info, **extra}
    record_path.write_text(json.dumps(record))
    return record


def _task_path() -> Path:
    from geomeld.demo.probe import default_task_path

    return default_task_path()


def baselines(work: Path, seeds: list[int], arch_from: Path) -> dict[str, list[np.ndarray]]:
    """Per-seed probe statistics of a random init of the same architecture, and of the raw bands."""
    import torch

    from geomeld.demo.probe import (
        _standardise,
        encoder_pixel_features,
        load_task,
        probe_representation,
        task_band_stats,
    )
    from geomeld.models.convnextv2 import ConvNeXtV2
    from geomeld.models.export import load_encoder

    task = load_task(_task_path())
    mean, std = task_band_stats(task)
    x = _standardise(task.image, mean, std)
    m = load_encoder(arch_from).model
    out: dict[str, list[np.ndarray]] = {"random-init": [], "raw-bands": []}
    for seed in seeds:
        path = work / "runs" / f"random-init-s{seed}.npy"
        if not path.exists():
            torch.manual_seed(seed)
            rand = ConvNeXtV2(
                "atto", in_chans=len(task.band_names), patch_size=m.patch_size, depths=m.depths, dims=m.dims
            )
            np.save(path, probe_representation(encoder_pixel_features(rand, x), task, seed)[0])
        out["random-init"].append(np.load(path))
        path = work / "runs" / f"raw-bands-s{seed}.npy"
        if not path.exists():
            np.save(path, probe_representation(x.numpy(), task, seed)[0])
        out["raw-bands"].append(np.load(path))
    return out


def summarise_all(work: Path, variants: list[str], seeds: list[int], n_boot: int) -> dict[str, Any]:
    from geomeld.evaluation.metrics import paired_difference, summarise

    stats: dict[str, list[np.ndarray]] = {}
    for v in variants:
        got = [np.load(p) for s in seeds if (p := work / "runs" / f"{v}-s{s}" / "probe_stats.npy").exists()]
        if got:
            stats[v] = got
    first = next(work.glob("runs/*/encoder"), None)
    if first is None:
        return {}
    stats.update(baselines(work, seeds, first))
    summary: dict[str, Any] = {"variants": {}, "paired": {}}
    for name, st in stats.items():
        s = summarise("miou", st, n_boot=n_boot)
        summary["variants"][name] = {
            "value": round(s["value"], 2),
            "ci95": [round(v, 2) for v in s["ci95"]],
            "seed_values": [round(v, 2) for v in s["seed_values"]],
            "n_seeds": s["n_seeds"],
            "n_test": s["n_test"],
        }
    pairs = [
        (v, b) for v in stats if v not in ("random-init", "raw-bands") for b in ("random-init", "raw-bands")
    ]
    pairs += [(v, "s2_mae") for v in stats if v in VARIANTS and v != "s2_mae" and "s2_mae" in stats]
    if CORRUPTED in stats and "mp_itc" in stats:
        pairs.append(("mp_itc", CORRUPTED))
    for a, b in pairs:
        n = min(len(stats[a]), len(stats[b]))
        d = paired_difference("miou", stats[a][:n], stats[b][:n], n_boot=n_boot)
        summary["paired"][f"{a} - {b}"] = {
            "diff": round(d["diff"], 2),
            "ci95": [round(v, 2) for v in d["ci95"]],
            "n_seeds": n,
        }
    ranked = sorted((v for v in stats if v in VARIANTS), key=lambda v: summary["variants"][v]["value"])
    summary["ordering_measured"] = ranked
    summary["ordering_paper"] = [v for v in PAPER_ORDER if v in ranked]
    return summary


def write_results_md(summary: dict[str, Any], meta: dict[str, Any], path: Path) -> None:
    v, p = summary["variants"], summary["paired"]
    lines = [
        MARK_BEGIN,
        "## Ablation ladder on real data (`benchmarks/quality.py`)",
        "",
        f"Command: `{meta['command']}`. Machine: {meta['machine']['machine']} ({meta['machine']['cores']} cores, "
        f"{meta['machine']['threads']} thread(s) per run, {meta['jobs']} runs in parallel, load average "
        f"{meta['machine']['load_avg_1m']} at the end — the CPU was shared). Finished {meta['finished']}, "
        f"{meta['wall_min']:.0f} min wall. Data: the demo's pretraining shards (west 60 % of the Brandenburg "
        "S2 L1C scene with co-located OSM land-use substitutes; six BigEarthNet S2+S1 patches with coarse "
        "MODIS land cover; nothing relocated; no elevation or canopy layer exists there, so MP-MAE has only "
        "S2, S1 (6 tiles) and land cover as targets). Budget per run: "
        f"{meta['steps']} steps of batch 8 (64 px crops, atto encoder, all-MiniLM-L6-v2 caption embeddings for ITC).",
        "",
        "Probe: Brandenburg OSM land use, east 40 % (never pretrained on), 32 px chips, spatial split, "
        f"n_test = {next(iter(v.values()))['n_test']} chips; frozen per-pixel features + linear soft-max; "
        "mIoU (%), mean over seeds, 95 % bootstrap interval over test chips and seeds.",
        "",
        "| representation | mIoU (%) | 95 % CI | per seed | Δ vs random init [95 % CI] | Δ vs raw bands [95 % CI] |",
        "|---|---|---|---|---|---|",
    ]

    def delta(a: str, b: str) -> str:
        d = p.get(f"{a} - {b}")
        return "–" if d is None else f"{d['diff']:+.1f} [{d['ci95'][0]:+.1f}, {d['ci95'][1]:+.1f}]"

    for name in [*VARIANTS, CORRUPTED, "random-init", "raw-bands"]:
        if name not in v:
            continue
        r = v[name]
        lines.append(
            f"| {name} | {r['value']:.1f} | [{r['ci95'][0]:.1f}, {r['ci95'][1]:.1f}] | "
            f"{', '.join(f'{x:.1f}' for x in r['seed_values'])} | {delta(name, 'random-init')} | {delta(name, 'raw-bands')} |"
        )
    lines += [
        "",
        f"Measured ordering (worst → best): {' < '.join(summary['ordering_measured'])}.",
        f"Paper's ordering (Table, GEO-Bench): {' < '.join(summary['ordering_paper'])}.",
    ]
    for a, b in [(x, "s2_mae") for x in VARIANTS[1:]] + [("mp_itc", CORRUPTED)]:
        if f"{a} - {b}" in p:
            lines.append(f"- {a} − {b}: {delta(a, b)} points (paired bootstrap).")
    if "mp_itc - " + CORRUPTED in p:
        c = meta.get("corruption") or {}
        lines.append(
            f"- Caption fidelity: MP+ITC trained on verified captions vs the same run with "
            f"{100 * c.get('share', 0.3):.0f} % of captions carrying a planted false claim "
            f"({c.get('corrupted', '?')} of {c.get('captioned', '?')} captions): {delta('mp_itc', CORRUPTED)} points."
        )
    lines += [meta.get("note", ""), MARK_END]
    text = path.read_text() if path.exists() else ""
    block = "\n".join(lines) + "\n"
    if MARK_BEGIN in text and MARK_END in text:
        text = text[: text.index(MARK_BEGIN)] + block + text[text.index(MARK_END) + len(MARK_END) + 1 :]
    else:
        text = text.rstrip() + "\n\n" + block
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("runs/quality"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--jobs", type=int, default=2, help="pretraining runs in parallel (one thread each)")
    ap.add_argument("--variants", nargs="*", default=[*VARIANTS, CORRUPTED])
    ap.add_argument(
        "--deadline-min", type=float, default=60.0, help="start no new run after this many minutes"
    )
    ap.add_argument("--n-boot", type=int, default=2000)
    ap.add_argument("--results-md", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    ap.add_argument("--out", type=Path, default=None, help="JSON lines (default WORK/quality.jsonl)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    out = args.out or work / "quality.jsonl"
    data = prepare_data(work)
    seeds = list(range(args.seeds))
    jobs = [(v, s) for s in seeds for v in args.variants]  # seed-major: every variant gets seed 0 first
    corruption: dict[str, Any] = {}
    skipped: list[str] = []

    def task(vs: tuple[str, int]) -> dict[str, Any] | None:
        if (time.perf_counter() - start) / 60 > args.deadline_min:
            skipped.append(f"{vs[0]}-s{vs[1]}")
            return None
        rec = run_one(vs[0], vs[1], work, data, args.steps)
        line = {"figure": "quality_run", **rec, **machine()}
        print(json.dumps(line), flush=True)
        with out.open("a") as fh:
            fh.write(json.dumps(line) + "\n")
        return rec

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for rec in pool.map(task, jobs):
            if rec and rec.get("corruption"):
                corruption = rec["corruption"]
    summary = summarise_all(work, args.variants, seeds, args.n_boot)
    meta = {
        "command": "OMP_NUM_THREADS=1 python benchmarks/quality.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "jobs": args.jobs,
        "steps": args.steps,
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "wall_min": (time.perf_counter() - start) / 60,
        "corruption": corruption,
        "note": (f"Not finished within the time limit (not run): {', '.join(skipped)}." if skipped else ""),
    }
    line = {"figure": "quality_summary", **summary, **meta}
    print(json.dumps(line), flush=True)
    with out.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    if summary:
        write_results_md(summary, meta, args.results_md)


if __name__ == "__main__":
    main()
