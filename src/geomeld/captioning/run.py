"""Captioning over shards: one task per shard (in this process, or on Dask), one atomic rewrite and
one JSONL log per shard.

A shard is read once: each sample is captioned inside :func:`~geomeld.io.shards.rewrite_shard`'s
pass (``metadata_only=True``) and written back with its caption, report and signals. Each member is
opened once (:mod:`geomeld.io.metapatch`): the arrays the signals read are views into the member's
bytes, compressed layers nobody reads (NAIP) are never decoded, only the metadata dataset of the
original HDF5 bytes is rewritten and the data datasets are left byte for byte as they were; a sample
kept from an earlier run is copied through unchanged. The shard is replaced atomically, then
``<shard>.captions.jsonl`` is published atomically with one line per sample and a final
``{"done": true, "config_hash": …}`` line.

Resilience:

* a shard that cannot be read (not a tar, truncated, vanished) is reported in its
  :class:`ShardResult` (``failed``) and the run goes on with the other shards; it keeps no log, so
  the next run tries it again;
* a sample whose captioning raises is recorded with status ``error`` (and its reason) and the shard
  goes on; samples that cannot be decoded are copied through unchanged as ``read_error``;
* resume: a shard whose log ends with ``done`` for the same config hash is skipped only when none of
  its samples failed (:data:`FAILED_STATUSES`); otherwise it is redone, keeping the samples that
  already have a final outcome for this config and retrying the failed ones.

Parallelism: ``workers > 1`` (or ``scheduler``) runs one task per shard on Dask distributed — a
``LocalCluster`` of single-threaded worker processes or an existing scheduler — like the builder;
each worker builds its pipeline (backend, OSM index, scorer) once per config and reuses it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomeld.captioning.pipeline import CaptionConfig, CaptionOutcome, CaptionPipeline
from geomeld.core.sample import Sample

log = logging.getLogger(__name__)

LOG_SUFFIX = ".captions.jsonl"
FAILED_STATUSES = frozenset({"error", "read_error", "signals_error", "backend_error"})
"""Per-sample outcomes that count as failures: retried on resume, counted in the report, and they
make ``geomeld caption`` exit non-zero. ``verified``, ``unverified`` and ``no_imagery`` are final."""


def config_hash(cfg: CaptionConfig) -> str:
    return hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()[:16]


def log_path(shard: Path, log_dir: Path | None = None) -> Path:
    return (log_dir or shard.parent) / (shard.name + LOG_SUFFIX)


def previous_outcomes(
    shard: Path, cfg_hash: str, log_dir: Path | None = None
) -> dict[str, dict[str, Any]] | None:
    """The sample records of the shard's finished log for this config hash (``None`` when there is
    no such log, it is unreadable, or it belongs to another config)."""
    p = log_path(shard, log_dir)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError):
        return None
    if not records or not records[-1].get("done") or records[-1].get("config_hash") != cfg_hash:
        return None
    return {str(r.get("key")): r for r in records[:-1] if isinstance(r, dict)}


def shard_done(shard: Path, cfg_hash: str, log_dir: Path | None = None) -> bool:
    """Whether the shard was captioned with this config and none of its samples failed."""
    prev = previous_outcomes(shard, cfg_hash, log_dir)
    return prev is not None and not any(r.get("status") in FAILED_STATUSES for r in prev.values())


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
        **({"error": r["error"]} if r.get("error") else {}),
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
            "failed": sum(r.get("status") in FAILED_STATUSES for r in records),
            "config": config.model_dump(mode="json"),
        }
        fh.write(json.dumps(done) + "\n")
    os.replace(tmp, path)


@dataclass
class ShardResult:
    shard: str
    skipped: bool = False
    failed: bool = False  # the shard itself could not be read or rewritten
    samples: int = 0
    kept: int = 0  # samples whose earlier outcome for this config was kept (resume)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def failed_samples(self) -> int:
        return sum(n for s, n in self.statuses.items() if s in FAILED_STATUSES)


def _store(sample: Sample, outcome: CaptionOutcome, cfg_hash: str) -> None:
    from geomeld.signals import apply_released_fields

    if outcome.bundle is not None:
        apply_released_fields(sample, outcome.bundle)
    sample.metadata.caption = outcome.caption
    sample.metadata.caption_report = {**outcome.report, "config_hash": cfg_hash}


class _ShardCaptioner:
    """The ``rewrite_shard`` function of one shard: captions each sample (or keeps its earlier final
    outcome) and collects the log records."""

    def __init__(
        self,
        pipeline: CaptionPipeline,
        cfg_hash: str,
        keep: dict[str, dict[str, Any]],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.pipeline = pipeline
        self.cfg_hash = cfg_hash
        self.keep = keep
        self.progress = progress
        self.records: list[dict[str, Any]] = []
        self.kept = 0

    def __call__(self, sample: Sample) -> Sample:
        earlier = self.keep.get(sample.key)
        report = sample.metadata.caption_report or {}
        if earlier is not None and report.get("config_hash") == self.cfg_hash:
            self.records.append(earlier)
            self.kept += 1
        else:
            try:
                outcome = self.pipeline.caption(sample)
            except Exception as exc:  # one bad sample must not stop the shard
                log.exception("%s: captioning failed", sample.key)
                outcome = CaptionOutcome(
                    sample.key,
                    "error",
                    None,
                    {"status": "error", "error": f"{type(exc).__name__}: {exc}"},
                    None,
                )
            _store(sample, outcome, self.cfg_hash)
            self.records.append(log_record(outcome))
        if self.progress:
            self.progress(1)
        return sample


def caption_shard(
    shard_like: str | os.PathLike[str],
    config: CaptionConfig,
    *,
    pipeline: CaptionPipeline | None = None,
    force: bool = False,
    log_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ShardResult:
    """Caption one shard in place (see the module docstring); never raises for a bad shard."""
    from geomeld.io.shards import SampleError, rewrite_shard

    shard = Path(shard_like)
    ldir = Path(log_dir) if log_dir else None
    result = ShardResult(shard=str(shard))
    if not shard.is_file():
        result.failed = True
        result.errors.append(f"{shard}: no such shard file")
        return result
    cfg_hash = config_hash(config)
    prev = None if force else previous_outcomes(shard, cfg_hash, ldir)
    if prev is not None and not any(r.get("status") in FAILED_STATUSES for r in prev.values()):
        result.skipped = True
        return result
    keep = {k: r for k, r in (prev or {}).items() if r.get("status") not in FAILED_STATUSES}
    apply = _ShardCaptioner(pipeline or CaptionPipeline(config), cfg_hash, keep, progress)
    errors: list[SampleError] = []
    try:
        rewrite_shard(shard, apply, on_error="skip", errors=errors, metadata_only=True)
    except Exception as exc:  # unreadable or vanished shard: report it, the run goes on
        log.error("%s: shard not captioned: %s", shard, exc)
        result.failed = True
        result.errors.append(f"{shard}: shard could not be read or rewritten ({type(exc).__name__}: {exc})")
        return result
    bad = {e.key for e in errors}
    # a sample found unreadable after it was handed to the captioner is a read_error, not a caption
    records = [r for r in apply.records if r.get("key") not in bad]
    for e in errors:
        named = e.message.startswith(f"{e.shard}:")  # the reader's message names shard and member already
        result.errors.append(e.message if named else f"{e.shard}:{e.key}: {e.message}")
        records.append({"key": e.key, "status": "read_error", "caption": None, "error": e.message})
    for rec in records:
        if rec.get("status") == "error":
            result.errors.append(f"{shard}:{rec['key']}: {rec.get('error')}")
    _write_log(log_path(shard, ldir), records, cfg_hash, config)
    result.samples = len(records)
    result.kept = apply.kept
    for rec in records:
        result.statuses[rec["status"]] = result.statuses.get(rec["status"], 0) + 1
    return result


# ---- Dask worker side ----------------------------------------------------------------------------
_WORKER_PIPELINES: dict[str, CaptionPipeline] = {}


def _caption_shard_task(shard: str, config_json: str, force: bool, log_dir: str | None) -> ShardResult:
    """One Dask task: the worker process keeps one pipeline per config (OSM index, backend loaded once)."""
    pipeline = _WORKER_PIPELINES.get(config_json)
    if pipeline is None:
        pipeline = CaptionPipeline(CaptionConfig.model_validate_json(config_json))
        _WORKER_PIPELINES.clear()
        _WORKER_PIPELINES[config_json] = pipeline
    return caption_shard(shard, pipeline.config, pipeline=pipeline, force=force, log_dir=log_dir)


def _dask_client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError(
            "parallel captioning needs Dask: pip install 'geomeld[distributed]' (or use --workers 1)"
        ) from exc
    if scheduler:
        return Client(scheduler), None
    # the workers' statistical profiler costs CPU on short tasks (as in the builder)
    dask.config.set({"distributed.worker.profile.enabled": False})
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def caption_shards(
    shards: Sequence[str | os.PathLike[str]],
    config: CaptionConfig,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    log_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ShardResult]:
    """Caption every sample of every shard in place; yields one result per shard (completion order
    on Dask, input order otherwise). A failing shard yields a ``failed`` result, never an exception."""
    ldir = str(log_dir) if log_dir else None
    if workers <= 1 and not scheduler:
        pipeline = CaptionPipeline(config)
        for shard in shards:
            yield caption_shard(
                shard, config, pipeline=pipeline, force=force, log_dir=ldir, progress=progress
            )
        return
    from dask.distributed import as_completed

    client, cluster = _dask_client(workers, scheduler)
    try:
        cfg_json = config.model_dump_json()
        owner: dict[str, str] = {}
        futures = []
        for i, shard in enumerate(shards):
            fut = client.submit(
                _caption_shard_task, str(shard), cfg_json, force, ldir, key=f"caption-{i}-{Path(shard).name}"
            )
            owner[fut.key] = str(shard)
            futures.append(fut)
        for fut in as_completed(futures):
            try:
                result: ShardResult = fut.result()
            except Exception as exc:  # a lost worker or an unpicklable result: this shard failed
                result = ShardResult(
                    shard=owner[fut.key], failed=True, errors=[f"{owner[fut.key]}: task failed ({exc})"]
                )
            fut.release()
            if progress:
                progress(result.samples)
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass
class CaptionRunResult:
    """Totals of one ``geomeld caption`` run over its shards (:func:`run`)."""

    shards: list[ShardResult] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # per caption status, shards that ran
    samples: int = 0  # samples captioned or kept in the shards that ran
    skipped_shards: int = 0  # already captioned with this config (a rerun)
    failed_shards: list[str] = field(default_factory=list)
    failed_samples: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed_shards and not self.failed_samples


def run(
    cfg: CaptionConfig,
    shards: Sequence[str | os.PathLike[str]],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    log_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
    on_shard: Callable[[ShardResult], None] | None = None,
) -> CaptionRunResult:
    """``geomeld caption`` as one call: caption ``shards`` in place (:func:`caption_shards`) and
    total the outcomes; ``on_shard`` sees each shard's result as it finishes. The stage's anatomy:
    :mod:`.config` (``CaptionConfig``), this entry point, :mod:`.cli` (the verbs)."""
    out = CaptionRunResult()
    for result in caption_shards(
        shards, cfg, workers=workers, scheduler=scheduler, force=force, log_dir=log_dir, progress=progress
    ):
        out.shards.append(result)
        if on_shard is not None:
            on_shard(result)
        if result.skipped:
            out.skipped_shards += 1
        elif result.failed:
            out.failed_shards.append(result.shard)
        else:
            out.samples += result.samples
            for k, v in result.statuses.items():
                out.statuses[k] = out.statuses.get(k, 0) + v
            out.failed_samples += result.failed_samples
    return out
