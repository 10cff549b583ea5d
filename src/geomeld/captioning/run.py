"""Captioning over shards: parallel over samples, one atomic rewrite and one JSONL log per shard.

Resumability: after a shard is rewritten, ``<shard>.captions.jsonl`` is published atomically with one
line per sample and a final ``{"done": true, "config_hash": …}`` line. A shard whose log ends with
that line for the same config hash is skipped on the next run (``force=True`` redoes it). A run that
dies mid-shard leaves the shard untouched (the rewrite is atomic), so the shard is simply redone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomeld.captioning.pipeline import CaptionConfig, CaptionOutcome, CaptionPipeline
from geomeld.core.sample import Sample

log = logging.getLogger(__name__)

LOG_SUFFIX = ".captions.jsonl"


def config_hash(cfg: CaptionConfig) -> str:
    return hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()[:16]


def log_path(shard: Path, log_dir: Path | None = None) -> Path:
    return (log_dir or shard.parent) / (shard.name + LOG_SUFFIX)


def shard_done(shard: Path, cfg_hash: str, log_dir: Path | None = None) -> bool:
    p = log_path(shard, log_dir)
    if not p.exists():
        return False
    try:
        last = p.read_text().rstrip("\n").rsplit("\n", 1)[-1]
        rec = json.loads(last)
    except (OSError, ValueError):
        return False
    return bool(rec.get("done")) and rec.get("config_hash") == cfg_hash


def log_record(outcome: CaptionOutcome) -> dict[str, Any]:
    r = outcome.report
    return {
        "key": outcome.key,
        "status": outcome.status,
        "caption": outcome.caption,
        "accepted_first_try": r.get("accepted_first_try", False),
        "repaired": r.get("repaired", False),
        "coverage": r.get("coverage"),
        "signals_missing": r.get("signals_missing", {}),
        "signals_present": sorted(
            k
            for k in ("landcover", "water", "terrain", "canopy", "spectral", "sar", "osm", "place")
            if outcome.bundle is not None and getattr(outcome.bundle, k)
        ),
        "report": r,
    }


def _write_log(path: Path, records: list[dict[str, Any]], cfg_hash: str, config: CaptionConfig) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        done = {
            "done": True,
            "config_hash": cfg_hash,
            "samples": len(records),
            "config": config.model_dump(mode="json"),
        }
        fh.write(json.dumps(done) + "\n")
    os.replace(tmp, path)


# ---- worker side ---------------------------------------------------------------------------------
_WORKER: CaptionPipeline | None = None


def _init_worker(cfg_json: str) -> None:
    global _WORKER
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _WORKER = CaptionPipeline(CaptionConfig.model_validate_json(cfg_json))


def _caption_one(sample: Sample) -> tuple[str, str | None, dict[str, Any], dict[str, Any] | None, str]:
    assert _WORKER is not None
    out = _WORKER.caption(sample)
    return out.key, out.caption, out.report, out.bundle.to_dict() if out.bundle else None, out.status


Outcome = tuple[str | None, dict[str, Any], dict[str, Any] | None, str]


class _Applier:
    """The ``rewrite_shard`` function: stores each sample's precomputed outcome in its metadata."""

    def __init__(self, outcomes: dict[str, Outcome], config: CaptionConfig, cfg_hash: str) -> None:
        self.outcomes = outcomes
        self.config = config
        self.cfg_hash = cfg_hash
        self.records: list[dict[str, Any]] = []
        self._fallback: CaptionPipeline | None = None

    def __call__(self, sample: Sample) -> Sample:
        from geomeld.signals import apply_released_fields
        from geomeld.signals.models import SignalBundle

        if sample.key not in self.outcomes:  # decoded here but not by the first pass: caption now
            if self._fallback is None:
                self._fallback = CaptionPipeline(self.config)
            o = self._fallback.caption(sample)
            self.outcomes[o.key] = (o.caption, o.report, o.bundle.to_dict() if o.bundle else None, o.status)
        caption, report, bundle_dict, status = self.outcomes[sample.key]
        bundle = SignalBundle.from_dict(bundle_dict) if bundle_dict else None
        if bundle is not None:
            apply_released_fields(sample, bundle)
        sample.metadata.caption = caption
        sample.metadata.caption_report = {**report, "config_hash": self.cfg_hash}
        self.records.append(log_record(CaptionOutcome(sample.key, status, caption, report, bundle)))
        return sample


@dataclass
class ShardResult:
    shard: str
    skipped: bool = False
    samples: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def caption_shards(
    shards: Sequence[str | os.PathLike[str]],
    config: CaptionConfig,
    *,
    workers: int = 1,
    force: bool = False,
    log_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ShardResult]:
    """Caption every sample of every shard in place; yields one result per shard."""
    from geomeld.io.shards import SampleError, iter_samples, rewrite_shard

    cfg_hash = config_hash(config)
    ldir = Path(log_dir) if log_dir else None
    pool: ProcessPoolExecutor | None = None
    local: CaptionPipeline | None = None
    try:
        for shard_like in shards:
            shard = Path(shard_like)
            result = ShardResult(shard=str(shard))
            if not shard.is_file():
                result.errors.append(f"{shard}: no such shard file")
                yield result
                continue
            if not force and shard_done(shard, cfg_hash, ldir):
                result.skipped = True
                yield result
                continue
            errors: list[SampleError] = []
            samples = iter_samples([shard], on_error="skip")
            outcomes: dict[str, Outcome] = {}
            if workers > 1:
                if pool is None:
                    # spawn, not fork: forking a process that runs threads (HTTP clients, loggers) can deadlock
                    pool = ProcessPoolExecutor(
                        workers,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_init_worker,
                        initargs=(config.model_dump_json(),),
                    )
                for key, caption, report, bundle, status in pool.map(_caption_one, samples, chunksize=4):
                    outcomes[key] = (caption, report, bundle, status)
                    if progress:
                        progress(1)
            else:
                local = local or CaptionPipeline(config)
                for sample in samples:
                    o = local.caption(sample)
                    outcomes[o.key] = (
                        o.caption,
                        o.report,
                        o.bundle.to_dict() if o.bundle else None,
                        o.status,
                    )
                    if progress:
                        progress(1)
            apply = _Applier(outcomes, config, cfg_hash)
            records = apply.records
            rewrite_shard(shard, apply, on_error="skip", errors=errors)
            for e in errors:
                result.errors.append(f"{e.shard}:{e.key}: {e.message}")
                records.append({"key": e.key, "status": "read_error", "caption": None, "error": e.message})
            _write_log(log_path(shard, ldir), records, cfg_hash, config)
            result.samples = len(outcomes)
            for rec in records:
                result.statuses[rec["status"]] = result.statuses.get(rec["status"], 0) + 1
            yield result
    finally:
        if pool is not None:
            pool.shutdown()
