"""Run an evaluation config end to end: encoders × tasks × protocols × seeds, baselines, robustness,
retrieval; returns the JSON-serialisable results that :mod:`geomeld.evaluation.report` writes.

Order of work: (1) **pre-flight** of every task and encoder (folders, partitions, a sample of each
split, band mapping, normalisation, device) — every problem is listed at once before any training;
(2) cells (task × encoder × protocol × seed) run one by one, each appended to the
:class:`~geomeld.evaluation.store.CellStore` as soon as it finishes, and the report is rewritten after
every task, so a late failure loses nothing; ``resume`` skips finished cells.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from geomeld.core.errors import GeomeldError
from geomeld.core.version import code_version
from geomeld.evaluation.bands import MissingBands
from geomeld.evaluation.config import EncoderConfig, EvalConfig, TaskConfig
from geomeld.evaluation.encoders import EvalEncoder, check_normalisation, imported, load_export, random_init
from geomeld.evaluation.metrics import Stats, paired_difference, score, summarise
from geomeld.evaluation.packed import packed_task
from geomeld.evaluation.preprocess import Condition, Preprocessor, band_statistics, standard_conditions
from geomeld.evaluation.protocols import (
    ProtocolResult,
    clear_feature_cache,
    fine_tune,
    knn_probe,
    linear_probe,
    pixel_baseline,
    raw_band_baseline,
)
from geomeld.evaluation.store import Cell, CellStore, cell_id
from geomeld.evaluation.tasks import (
    PixelTask,
    Split,
    SubsetSplit,
    TaskData,
    load_geobench,
    load_minibench,
    load_pixel_task,
)

log = logging.getLogger(__name__)

BASELINE_NAME = "raw bands + LR"
S1_BASELINE_NAME = "raw S2+S1 bands + LR"
BASELINES = (BASELINE_NAME, S1_BASELINE_NAME)
L1C_NOTE = (
    "not testable here: no scene in the shipped data exists as both L1C and L2A (BigEarthNet/PASTIS are L2A, "
    "the Brandenburg scene is L1C only), and geomeld does not simulate atmospheric correction. Testing it needs "
    "a task with paired L1C/L2A test images (not implemented); offset_1000 and noise probe related shifts."
)


def build_encoder(cfg: EncoderConfig, seed: int = 0) -> EvalEncoder:
    if cfg.kind == "export":
        assert cfg.path is not None
        return load_export(cfg.name, cfg.path)
    if cfg.kind == "imported":
        assert cfg.path is not None
        return imported(
            cfg.name, cfg.path, cfg.size, layout=cfg.layout, stem=cfg.stem, band_names=cfg.band_names,
            input_size=cfg.input_size, patch_size=cfg.patch_size,
        )  # fmt: skip
    return random_init(cfg.name, cfg.size, seed=seed, input_size=cfg.input_size, patch_size=cfg.patch_size)


def load_task(cfg: TaskConfig) -> TaskData | PixelTask:
    if cfg.source == "minibench":
        return load_minibench(cfg.name)
    if cfg.source == "pixel":
        return load_pixel_task(cfg.name)
    return load_geobench(
        cfg.name,
        cfg.benchmark,
        partition=cfg.partition,
        root=cfg.root,
        path=cfg.path,
        max_samples=cfg.max_samples,
    )


@dataclass
class _Prepared:
    pre: Preprocessor
    stats_source: str


def prepare_input(
    encoder: EvalEncoder | None,
    task: TaskData,
    policy: MissingBands,
    input_size: int,
    device: str = "cpu",
    normalisation: str = "task",
) -> _Prepared:
    """Band mapping + normalisation for one encoder (None = raw-band baseline) on one task.

    ``normalisation="task"``: the task's ``band_stats.json`` (GEO-Bench) mapped onto the encoder's bands
    (filled bands take their source band's statistics), else statistics of up to 256 training images;
    ``"encoder"``: the encoder's exported statistics, refused when their units do not fit the task.
    """
    from geomeld.core.modalities import SENTINEL2_BANDS

    bands = encoder.band_names if encoder is not None else tuple(b.name for b in SENTINEL2_BANDS)
    size = encoder.input_size if encoder is not None else input_size
    pre = Preprocessor.build(
        task.band_names, bands, np.zeros(len(bands)), np.ones(len(bands)), size, policy, task.name
    )
    pre.device = device
    band_stats = task.extra.get("band_stats")
    if band_stats is not None:
        src = np.asarray(pre.mapping.source_index)
        mean = np.where(src >= 0, np.asarray(band_stats[0])[np.maximum(src, 0)], 0.0)
        std = np.where(src >= 0, np.asarray(band_stats[1])[np.maximum(src, 0)], 1.0)
        task_source = "task band_stats.json (GEO-Bench per-task mean/std)"
    else:
        train = task.splits["train"]
        sample = np.arange(min(len(train), 256))
        mean, std = band_statistics([train.batch(sample)[0]], pre.mapping)
        task_source = f"task training split (n={len(sample)})"
    if (
        normalisation == "encoder"
        and encoder is not None
        and encoder.mean is not None
        and encoder.std is not None
    ):
        check_normalisation(encoder.name, encoder.mean, mean, np.asarray(pre.mapping.present), task.name)
        pre.mean, pre.std = encoder.mean, encoder.std
        return _Prepared(pre, "encoder export")
    pre.mean, pre.std = mean, std
    return _Prepared(pre, task_source)


def subset_train(task: TaskData, fraction: float) -> TaskData:
    """The task with its training split cut to ``fraction`` (a fixed, seed-independent random subset of
    at least one sample), so that the spread over seeds measures training randomness only."""
    if fraction >= 1.0:
        return task
    train = task.splits["train"]
    n = max(1, round(fraction * len(train)))
    idx = np.sort(np.random.default_rng(12345).permutation(len(train))[:n])
    splits: dict[str, Split] = {**task.splits, "train": SubsetSplit(train, idx)}
    return replace(task, splits=splits)


def protocol_name(proto: str, fraction: float) -> str:
    return proto if fraction >= 1.0 else f"{proto}@{100 * fraction:g}%"


class PreflightError(ValueError):
    """Problems found before any training (every one listed)."""


def resolve_device(cfg: EvalConfig) -> tuple[EvalConfig, str | None]:
    """``cfg`` with ``train.device`` set to CPU when it asks for CUDA on a machine without it, and the
    one-line warning saying so (None when the requested device is used)."""
    dev = cfg.train.device
    if not dev.startswith("cuda") or torch.cuda.is_available():
        return cfg, None
    note = (
        f"train.device is {dev!r} but CUDA is not available: running on the CPU "
        "(--set device=cpu says so explicitly; expect GEO-Bench-sized fine-tuning to be slow)"
    )
    train = cfg.train.model_copy(update={"device": "cpu"})
    return cfg.model_copy(update={"train": train}), note


def build_encoders(cfgs: list[EncoderConfig]) -> tuple[list[EvalEncoder], list[str]]:
    """Every encoder of the config, and one problem line per encoder that cannot be loaded (listed by
    the pre-flight together with the tasks' problems)."""
    encs, problems = [], []
    for e in cfgs:
        try:
            encs.append(build_encoder(e))
        except (OSError, ValueError, GeomeldError) as exc:
            problems.append(f"encoder {e.name}: {' '.join(str(exc).split())}")
    return encs, problems


def preflight(
    cfg: EvalConfig, encs: list[EvalEncoder], problems: list[str] | None = None
) -> tuple[dict[str, TaskData | PixelTask], dict[tuple[str, str], _Prepared]]:
    """Open every task, read one sample of each split, map bands and normalisation for every encoder,
    check the device. Raises :class:`PreflightError` listing every problem found (``problems``: those
    found earlier, e.g. encoders that could not be loaded)."""
    problems = list(problems or [])
    dev = cfg.train.device
    try:
        torch.empty(1, device=dev)
    except (RuntimeError, AssertionError) as exc:
        problems.append(f"train.device {dev!r} cannot be used: {' '.join(str(exc).split())}")
    tasks: dict[str, TaskData | PixelTask] = {}
    prepared: dict[tuple[str, str], _Prepared] = {}
    for tcfg in cfg.tasks:
        try:
            task = load_task(tcfg)
        except (OSError, ValueError) as exc:
            problems.append(f"task {tcfg.name}: {exc}")
            continue
        tasks[tcfg.name] = task
        if isinstance(task, PixelTask):
            continue
        for split_name, split in task.splits.items():
            if len(split) == 0:
                problems.append(f"task {tcfg.name}: the {split_name} split is empty")
                continue
            try:
                split.batch([0])
            except (OSError, ValueError) as exc:
                problems.append(f"task {tcfg.name} ({split_name}): {exc}")
        if "knn" in tcfg.protocols and task.kind == "segmentation":
            problems.append(f"task {tcfg.name}: protocol knn is for image-level tasks, not segmentation")
        models: list[tuple[str, EvalEncoder | None]] = [
            (BASELINE_NAME if b == "raw_bands" else S1_BASELINE_NAME, None)
            for b in cfg.baselines
            if b == "raw_bands" or task.s1_band_names
        ]
        for name, enc in [*models, *((e.name, e) for e in encs)]:
            try:
                prepared[(tcfg.name, name)] = prepare_input(
                    enc, task, cfg.missing_bands, 112, dev, cfg.normalisation
                )
            except (OSError, ValueError) as exc:
                problems.append(f"task {tcfg.name}, encoder {name}: {exc}")
    if problems:
        raise PreflightError(
            f"pre-flight found {len(problems)} problem(s); nothing was trained:\n  - "
            + "\n  - ".join(problems)
        )
    return tasks, prepared


def _result_row(
    encoder: str, task: TaskData | PixelTask, protocol: str, cells: list[Cell], cfg: EvalConfig
) -> dict[str, Any]:
    metric = str(cells[0].record["metric"])
    summary = summarise(metric, [c.test for c in cells], n_boot=cfg.n_bootstrap)
    return {
        "encoder": encoder,
        "task": task.name,
        "protocol": protocol,
        **summary,
        "seeds": [c.record["seed"] for c in cells],
        "unit": task.unit,
        "pipeline_check": task.pipeline_check,
        "train": [c.record.get("train_info", {}) for c in cells],
    }


def paired_rows(
    results: list[dict[str, Any]], seed_stats: dict[tuple[str, str, str], list[Stats]], n_boot: int
) -> list[dict[str, Any]]:
    """Paired bootstrap of score differences between every two rows of one task column.

    A column is a task and protocol; the raw-band baseline (always a linear model) joins every
    column of its task. ``diff`` = ``encoder`` − ``versus`` in percentage points.
    """
    out: list[dict[str, Any]] = []
    rows = [r for r in results if r.get("value") is not None]
    for a in rows:
        for b in rows:
            if a is b or a["task"] != b["task"] or a["encoder"] == b["encoder"]:
                continue
            if a["protocol"] != b["protocol"] and b["encoder"] not in BASELINES:
                continue
            if a["encoder"] in BASELINES and a["protocol"] != b["protocol"]:
                continue
            sa = seed_stats.get((a["encoder"], a["task"], a["protocol"]))
            sb = seed_stats.get((b["encoder"], b["task"], b["protocol"]))
            if not sa or not sb:
                continue
            d = paired_difference(a["metric"], sa, sb, n_boot=n_boot)
            out.append(
                {
                    "task": a["task"],
                    "protocol": a["protocol"],
                    "encoder": a["encoder"],
                    "versus": b["encoder"],
                    "versus_protocol": b["protocol"],
                    **d,
                    "pipeline_check": a.get("pipeline_check", ""),
                }
            )
    return out


def robustness_rows(
    name: str,
    task: TaskData,
    proto: str,
    cells: list[Cell],
    conds: list[Condition],
    n_boot: int,
    reads_s1: bool = False,
) -> list[dict[str, Any]]:
    """Per condition: the score over seeds and its **absolute** drop from clean in points, with a
    paired bootstrap interval (test units and seeds resampled together: each seed's model is scored on
    the clean and the perturbed test input). Sentinel-1 conditions get a row saying why there is no
    score for a model that reads no Sentinel-1."""
    metric = str(cells[0].record["metric"])
    clean_seeds = [c.test for c in cells]
    clean = summarise(metric, clean_seeds, n_boot=n_boot)
    seeds = [c.record["seed"] for c in cells]
    rows: list[dict[str, Any]] = []
    for cond in conds:
        base = {"encoder": name, "task": task.name, "protocol": proto, "condition": cond.name}
        if cond.sentinel1 and not reads_s1:
            why = "cannot predict without Sentinel-2" if cond.s2_drop else "unaffected by construction"
            rows.append({**base, "value": None, "drop_points": None, "description": cond.description,
                         "note": f"reads Sentinel-2 only: {why}"})  # fmt: skip
            continue
        if cond.is_clean():
            stats = clean_seeds
        elif all(cond.name in c.conditions for c in cells):
            stats = [c.conditions[cond.name] for c in cells]
        else:
            continue
        sc = summarise(metric, stats, n_boot=n_boot)
        drop = paired_difference(metric, clean_seeds, stats, n_boot=n_boot, same_seeds=True)
        rows.append(
            {
                **base,
                "description": cond.description,
                "metric": metric,
                "value": sc["value"],
                "ci95": sc["ci95"],
                "clean": clean["value"],
                "drop_points": drop["diff"],
                "drop_ci95": drop["ci95"],
                "seed_drops": drop["seed_diffs"],
                "n_test": sc["n_test"],
                "n_seeds": len(cells),
                "seeds": seeds,
                "too_few_to_compare": sc["too_few_to_compare"],
            }
        )
    rows.append(
        {
            "encoder": name,
            "task": task.name,
            "protocol": proto,
            "condition": "l1c_instead_of_l2a",
            "value": None,
            "drop_points": None,
            "description": L1C_NOTE,
        }
    )
    return rows


def _environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }


def run(
    cfg: EvalConfig,
    encoders: list[EvalEncoder] | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Evaluate every encoder (built from the config unless given) and the baselines on every task.

    With ``out_dir`` every finished cell is stored at once and the report rewritten after each task;
    ``resume`` reuses the finished cells of an earlier run into the same folder.
    """
    from geomeld.evaluation.report import write_report

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    t_start = time.time()
    cfg, device_note = resolve_device(cfg)
    if device_note:
        log.warning(device_note)
    st = cfg.train
    encs, problems = (encoders, []) if encoders is not None else build_encoders(cfg.encoders)
    tasks, prepared = preflight(cfg, encs, problems)
    cache_root = Path(cfg.cache_dir) if cfg.cache_dir else (Path(out_dir) / "cache" if out_dir else None)
    if cache_root is not None and cfg.cache:
        # every task packed before any training: a truncated file anywhere stops the run before it starts
        for name, t in tasks.items():
            if isinstance(t, TaskData) and t.extra.get("path"):
                tasks[name] = packed_task(t, cache_root)
    store = CellStore(out_dir, resume=resume)
    settings = cell_id(
        {
            "train": st.model_dump(mode="json"),
            "norm": cfg.normalisation,
            "missing": cfg.missing_bands.value,
            "boot": cfg.n_bootstrap,
        }
    )
    robust_tasks = set(cfg.robustness.tasks) if cfg.robustness else set()
    robust_protocol = cfg.robustness.protocol if cfg.robustness else "lp"
    results: list[dict[str, Any]] = []
    robustness: list[dict[str, Any]] = []
    tasks_info: dict[str, Any] = {}
    seed_stats: dict[tuple[str, str, str], list[Stats]] = {}
    enc_source = {e.name: e.source for e in encs}

    def result(**extra: Any) -> dict[str, Any]:
        return {
            "name": cfg.name,
            "config": cfg.model_dump(mode="json"),
            "code_version": code_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "environment": {**_environment(), "device": st.device, "device_note": device_note},
            "missing_bands": cfg.missing_bands.value,
            "normalisation": cfg.normalisation,
            "encoders": {
                e.name: {
                    "kind": e.kind,
                    "source": e.source,
                    "input_size": e.input_size,
                    **e.meta.get("report", {}),
                }
                for e in encs
            },
            "tasks": tasks_info,
            "results": results,
            "paired": paired_rows(results, seed_stats, cfg.n_bootstrap),
            "robustness": robustness,
            "seconds": round(time.time() - t_start, 1),
            "cells_resumed": store.resumed,
            **extra,
        }

    for tcfg in tqdm(cfg.tasks, desc="tasks", disable=None):
        t0 = time.time()
        task = tasks[tcfg.name]
        info = task.describe()
        info["inputs"] = {}
        tasks_info[task.name] = info
        if isinstance(task, PixelTask):
            cells = []
            for s in cfg.lp_seeds:
                cid = cell_id({"task": task.name, "fp": task.fingerprint, "enc": BASELINE_NAME, "p": "lp", "seed": s, "set": settings})  # fmt: skip
                cell = store.get(cid)
                if cell is None:
                    r = pixel_baseline(task, st, s)
                    cell = store.put(cid, _record(task, BASELINE_NAME, "lp", s, r), r.test_stats, {})
                cells.append(cell)
            results.append(_result_row(BASELINE_NAME, task, "lp", cells, cfg))
            seed_stats[(BASELINE_NAME, task.name, "lp")] = [c.test for c in cells]
            for e in encs:
                results.append({"encoder": e.name, "task": task.name, "protocol": "lp", "value": None,
                                "note": "encoder not applicable: the task has no raw Sentinel-2 bands"})  # fmt: skip
            if out_dir is not None:
                write_report(result(partial=True), out_dir)
            continue
        rc = cfg.robustness
        conds = (
            standard_conditions(rc.noise_dn, rc.missing_band, s1=bool(task.s1_band_names), s1_looks=rc.s1_looks)
            if rc is not None and task.name in robust_tasks
            else []
        )  # fmt: skip
        runners: list[tuple[str, EvalEncoder | None, str, Callable[..., ProtocolResult], list[int]]] = []
        if "raw_bands" in cfg.baselines:
            runners.append((BASELINE_NAME, None, "lp", lambda enc, t, pre, s: raw_band_baseline(t, pre, st, s), cfg.lp_seeds))  # fmt: skip
        if "raw_bands_s1" in cfg.baselines and task.s1_band_names:
            runners.append((S1_BASELINE_NAME, None, "lp", lambda enc, t, pre, s: raw_band_baseline(t, pre, st, s, use_s1=True), cfg.lp_seeds))  # fmt: skip
        for e in encs:
            for proto in tcfg.protocols:
                fn = {"lp": linear_probe, "ft": fine_tune, "knn": knn_probe}[proto]
                seeds = cfg.seeds if proto == "ft" else cfg.lp_seeds
                runners.append((e.name, e, proto, lambda enc, t, pre, s, fn=fn: fn(enc.model, enc.dims, t, pre, st, s), seeds))  # fmt: skip
        for name, enc, proto, fn, seeds in runners:
            prep = prepared[(tcfg.name, name)]
            info["inputs"][name] = {
                "bands": prep.pre.mapping.describe(),
                "stats": prep.stats_source,
                "normalisation": "task" if prep.stats_source != "encoder export" else "encoder",
            }
            reads_s1 = name == S1_BASELINE_NAME
            for frac in tcfg.label_fractions:
                pname = protocol_name(proto, frac)
                sub = subset_train(task, frac)
                robust = bool(conds) and frac >= 1.0 and (enc is None or proto == robust_protocol)
                measured = (
                    [c for c in conds if not c.is_clean() and (reads_s1 or not c.sentinel1)] if robust else []
                )
                cells = []
                for s in seeds:
                    ident = {"task": task.name, "fp": task.fingerprint, "enc": name, "src": enc_source.get(name, ""),
                             "p": pname, "seed": s, "set": settings, "conditions": [c.name for c in measured]}  # fmt: skip
                    cid = cell_id(ident)
                    cell = store.get(cid)
                    if cell is None:
                        r = fn(enc, sub, prep.pre, s)
                        predict = r.predict
                        cond_stats = {c.name: predict(c) for c in measured} if predict is not None else {}
                        rec = _record(task, name, pname, s, r)
                        rec["n_train"] = len(sub.splits["train"])
                        cell = store.put(cid, rec, r.test_stats, cond_stats)
                    cells.append(cell)
                if measured:
                    robustness.extend(
                        robustness_rows(name, task, pname, cells, conds, cfg.n_bootstrap, reads_s1)
                    )
                row = _result_row(name, task, pname, cells, cfg)
                row["n_train"] = len(sub.splits["train"])
                results.append(row)
                seed_stats[(name, task.name, pname)] = [c.test for c in cells]
                log.info("%s %s %s: %.1f (n=%d)", name, task.name, pname, row["value"], row["n_test"])
        clear_feature_cache()
        info["seconds"] = round(time.time() - t0, 1)
        if out_dir is not None:
            write_report(result(partial=True), out_dir)

    retrieval: list[dict[str, Any]] = []
    if cfg.retrieval and cfg.retrieval.shards:
        from geomeld.evaluation.retrieval import evaluate_retrieval_config

        retrieval = evaluate_retrieval_config(cfg.retrieval, cfg.encoders)
    return result(retrieval=retrieval, partial=False)


def _record(
    task: TaskData | PixelTask, encoder: str, protocol: str, seed: int, r: ProtocolResult
) -> dict[str, Any]:
    return {
        "task": task.name,
        "encoder": encoder,
        "protocol": protocol,
        "seed": seed,
        "metric": r.metric,
        "value": float(score(r.metric, r.test_stats, n_boot=0).value),
        "n_test": int(r.test_stats.shape[0]),
        "train_info": r.train_info,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
