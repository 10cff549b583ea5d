"""The ``geomeld build`` driver: anchors → tile jobs on an executor → spool → shards, resumable.

Executors: ``workers=0`` runs tiles in this process; otherwise Dask distributed (a ``LocalCluster``
of ``workers`` single-threaded processes, or an existing scheduler at ``scheduler``). At most
``max_in_flight`` tiles are submitted at once (bounded memory and bounded load on the catalog).
Workers return encoded samples; the driver alone writes the spool, the manifest and the shards, so
there is exactly one writer per output folder.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomeld.builder.config import BuildConfig
from geomeld.builder.manifest import Manifest, ManifestState, summarize
from geomeld.builder.tile import Anchor, build_tile
from geomeld.core.errors import GeomeldError

log = logging.getLogger(__name__)

_CATALOGS: dict[str, Any] = {}


def read_anchors(path: str | Path) -> list[Anchor]:
    """Anchors from Parquet (``tile_id, lat, long[, stratum, source]``) or CSV with the same columns.

    ``lon``/``longitude``/``latitude`` are accepted as aliases; a missing ``tile_id`` column is an error
    (tile ids must be stable for resume). Errors name the file, row and column.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"anchors file {p} does not exist")
    if p.suffix.lower() in (".parquet", ".pq", ".geoparquet"):
        import pyarrow.parquet as pq

        rows = pq.read_table(p).to_pylist()
    elif p.suffix.lower() in (".csv", ".txt"):
        with p.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        raise ValueError(f"anchors file {p}: expected .parquet or .csv, got {p.suffix!r}")
    aliases = {"lon": "long", "longitude": "long", "latitude": "lat", "id": "tile_id"}
    anchors: list[Anchor] = []
    seen: set[str] = set()
    for i, raw in enumerate(rows):
        row = {aliases.get(str(k).lower(), str(k).lower()): v for k, v in raw.items()}
        for col in ("tile_id", "lat", "long"):
            if row.get(col) in (None, ""):
                raise ValueError(f"anchors file {p}, row {i + 1}: column {col!r} is missing or empty")
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            raise ValueError(
                f"anchors file {p}, row {i + 1}: lat/long must be numbers, got {row['lat']!r}, {row['long']!r}"
            ) from None
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise ValueError(f"anchors file {p}, row {i + 1}: lat {lat} is outside [-90, 90]")
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise ValueError(
                f"anchors file {p}, row {i + 1}: long {lon} is outside [-180, 180] (columns swapped?)"
            )
        tid = str(row["tile_id"])
        if tid in seen:
            raise ValueError(f"anchors file {p}, row {i + 1}: duplicate tile_id {tid!r}")
        seen.add(tid)
        anchors.append(Anchor(tid, lat, lon, str(row.get("stratum") or ""), str(row.get("source") or "")))
    return anchors


def _catalog_for(config: BuildConfig) -> Any:
    from geomeld.builder.sources.catalog import open_catalog

    options = config.catalog_options()
    key = json.dumps([config.catalog, options], sort_keys=True)
    if key not in _CATALOGS:
        _CATALOGS[key] = open_catalog(config.catalog, **options)
    return _CATALOGS[key]


def run_tile(anchor: Anchor, config_json: str) -> tuple[dict[str, Any], str | None, bytes | None]:
    """Worker entry point: build one tile; return (manifest record, layout name, encoded sample)."""
    from geomeld.builder.sources.errors import SourceError
    from geomeld.io.h5sample import encode_sample

    config = BuildConfig.model_validate_json(config_json)
    try:
        catalog = _catalog_for(config)
    except SourceError as exc:
        rec = {
            "tile_id": anchor.tile_id,
            "status": "failed",
            "reason": exc.reason,
            "message": str(exc),
            "stratum": anchor.stratum,
            "source": anchor.source,
            "attempts": 1,
            "seconds": 0.0,
            "layout": None,
        }
        return rec, None, None
    outcome = build_tile(anchor, config, catalog)
    data = None
    layout = None
    if outcome.sample is not None:
        layout = outcome.sample.layout.name
        outcome.layout = layout
        try:
            data = encode_sample(outcome.sample)
        except Exception as exc:  # a sample the writer refuses is a recorded failure, not a crash
            outcome.status, outcome.reason, outcome.message = (
                "failed",
                "encode_error",
                f"{type(exc).__name__}: {exc}",
            )
            data, layout = None, None
    return outcome.record(), layout, data


def _task_failure(anchor: Anchor, exc: BaseException) -> tuple[dict[str, Any], None, None]:
    rec = {
        "tile_id": anchor.tile_id,
        "status": "failed",
        "reason": "task_error",
        "message": f"the tile's task died: {type(exc).__name__}: {exc}",
        "stratum": anchor.stratum,
        "source": anchor.source,
        "attempts": 1,
        "seconds": 0.0,
        "layout": None,
    }
    return rec, None, None


@dataclass
class BuildResult:
    summary: dict[str, Any]
    out_dir: Path


class _Executor:
    """Submit/collect with bounded concurrency; in-process or Dask."""

    def __init__(self, workers: int, scheduler: str | None, max_in_flight: int) -> None:
        self.workers = workers
        self.max_in_flight = max(1, max_in_flight)
        self.client: Any = None
        self.cluster: Any = None
        if scheduler or workers > 0:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as exc:
                raise ImportError(
                    "parallel builds need Dask: pip install 'geomeld[distributed]' (or use --workers 0)"
                ) from exc
            if scheduler:
                self.client = Client(scheduler)
            else:
                import dask

                # the workers' statistical profiler costs ~30 % CPU on these short raster tasks
                dask.config.set({"distributed.worker.profile.enabled": False})
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)

    def map(
        self,
        fn: Callable[..., Any],
        anchors: Iterable[Anchor],
        *args: Any,
        on_error: Callable[[Anchor, BaseException], Any],
    ) -> Iterator[Any]:
        """Results of ``fn(anchor, *args)`` in completion order; a task that dies (worker lost,
        unpicklable result, ...) yields ``on_error(anchor, exc)`` instead of stopping the build."""
        if self.client is None:
            for a in anchors:
                try:
                    yield fn(a, *args)
                except Exception as exc:
                    yield on_error(a, exc)
            return
        from dask.distributed import as_completed

        it = iter(anchors)
        pending = as_completed()
        owner: dict[str, Anchor] = {}

        def submit(a: Anchor) -> None:
            fut = self.client.submit(fn, a, *args, key=f"tile-{a.tile_id}-{time.monotonic_ns()}", pure=False)
            owner[fut.key] = a
            pending.add(fut)

        for a in it:
            submit(a)
            if pending.count() >= self.max_in_flight:
                break
        for fut in pending:
            anchor = owner.pop(fut.key)
            try:
                result = fut.result()
            except Exception as exc:
                result = on_error(anchor, exc)
            fut.release()
            nxt = next(it, None)
            if nxt is not None:
                submit(nxt)
            yield result

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _flush(
    manifest: Manifest,
    state: ManifestState,
    layout: str,
    max_samples: int,
    final: bool,
    publish_incomplete: bool = False,
) -> None:
    """Publish spooled samples of ``layout`` as shards of ``max_samples`` (a partial one only if ``final``).

    Samples that lost a layer to an input error stay in the spool (retried on resume) unless
    ``publish_incomplete``."""
    from geomeld.io.h5sample import decode_sample
    from geomeld.io.shards import ShardWriter

    pending = [
        t
        for t in manifest.spooled(layout)
        if t not in state.sharded and (publish_incomplete or not state.held(t))
    ]
    while pending and (len(pending) >= max_samples or final):
        batch = pending[:max_samples]
        number = state.next_shard_number(layout)
        with ShardWriter(manifest.out_dir, layout=layout, max_samples=len(batch) + 1, start=number) as writer:
            for tid in batch:
                path = manifest.spool_path(layout, tid)
                writer.write(decode_sample(path.read_bytes(), f"{path.parent}:{tid}"))
        (written,) = writer.written
        manifest.record_shard(layout, number, written.name, batch)
        state.shards.append({"layout": layout, "number": number, "path": written.name, "tiles": batch})
        state.sharded.update(batch)
        for tid in batch:
            manifest.spool_path(layout, tid).unlink(missing_ok=True)
        pending = pending[max_samples:]


class ConfigMismatchError(GeomeldError, ValueError):
    """Resuming into a folder that was built with other settings would mix two datasets."""


class BuildInputError(GeomeldError, ValueError):
    """A whole-run problem found before any tile: unknown catalog, missing folder, unreachable API."""


_DEBRIS = re.compile(r"^\..+\.tmp(-\d+)?$|^\..+\.\w+\.tmp$")


def remove_debris(out_dir: Path) -> list[Path]:
    """Delete temp files a killed run of this builder left (``.<name>.tmp-<pid>``, ``.<name>.<x>.tmp``)."""
    removed = []
    for folder in [out_dir, *(p for p in out_dir.rglob("*") if p.is_dir())]:
        for f in folder.iterdir():
            if f.is_file() and _DEBRIS.match(f.name):
                f.unlink(missing_ok=True)
                removed.append(f)
    if removed:
        log.info("build: removed %d temp file(s) left by an interrupted run", len(removed))
    return removed


def open_run_catalog(config: BuildConfig) -> tuple[Any, list[str]]:
    """Open the run's catalog once, before any tile (fail fast); return it and up-front warnings."""
    from geomeld.builder.sources.errors import SourceError
    from geomeld.builder.sources.families import family_warnings

    try:
        catalog = _catalog_for(config)
    except (FileNotFoundError, ValueError) as exc:
        raise BuildInputError(f"catalog {config.catalog!r}: {exc}") from None
    except SourceError as exc:
        raise BuildInputError(f"catalog {config.catalog!r} is not usable ({exc.reason}): {exc}") from None
    warnings = family_warnings(getattr(catalog, "family", None), config.resolved_collections())
    for w in warnings:
        log.warning("build: %s", w)
    return catalog, warnings


# Keys that only change how the build runs, not what it produces.
_EXECUTION_KEYS = {
    "retries",
    "backoff_s",
    "http_timeout_s",
    # where the same catalog is reached (mirror, proxy) and how it is filtered: same data
    "stac_url",
    "sas_token_url",
    "s3_endpoint",
    "s3_unsigned",
    "cloud_filter",
}


def _check_same_config(out_dir: Path, config: BuildConfig) -> None:
    path = out_dir / "build_config.json"
    now = json.loads(config.model_dump_json())
    if path.exists():
        before = json.loads(path.read_text())
        changed = sorted(
            k for k in set(now) | set(before) if k not in _EXECUTION_KEYS and now.get(k) != before.get(k)
        )
        if changed:
            raise ConfigMismatchError(
                f"{out_dir} was built with other settings ({', '.join(f'{k}: {before.get(k)!r} -> {now.get(k)!r}' for k in changed)}); "
                "resume with the same config or write to a new --out"
            )
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(now, indent=1) + "\n")
    os.replace(tmp, path)


def run_build(
    anchors: list[Anchor],
    out_dir: str | Path,
    config: BuildConfig,
    *,
    workers: int = 0,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    progress: bool = True,
    limit: int | None = None,
    retry_skipped: bool = False,
) -> BuildResult:
    """Build every anchor not yet finished in ``out_dir``; return the summary (also in summary.json).

    Whole-run errors (unknown catalog name, missing folder, unreachable STAC API) raise
    :class:`BuildInputError` before any tile. ``retry_skipped`` also rebuilds tiles skipped earlier
    (after the catalog was fixed). Tiles whose sample lost a layer to an input error are always retried.
    """
    from geomeld.core.modalities import LAYOUTS

    _, warnings = open_run_catalog(config)
    manifest = Manifest(out_dir)
    _check_same_config(manifest.out_dir, config)
    remove_debris(manifest.out_dir)
    state = manifest.load()
    pub = config.publish_incomplete
    # Spooled samples whose tile line exists but which never reached a shard are still valid; a
    # 'done' line whose spool file vanished (and no shard) means the tile must be rebuilt.
    for tid, rec in list(state.tiles.items()):
        if (
            rec["status"] == "done"
            and tid not in state.sharded
            and not manifest.spool_path(str(rec.get("layout")), tid).exists()
        ):
            del state.tiles[tid]
    for layout in LAYOUTS:
        _flush(manifest, state, layout, config.shard_max_samples, final=False, publish_incomplete=pub)
    todo = [
        a
        for a in anchors
        if not state.finished(a.tile_id, pub)
        or (retry_skipped and state.tiles[a.tile_id]["status"] == "skipped")
    ]
    if limit is not None:
        todo = todo[:limit]
    log.info(
        "build: %d anchors, %d already finished, %d to do", len(anchors), len(anchors) - len(todo), len(todo)
    )
    executor = _Executor(workers, scheduler, max_in_flight or max(2 * max(workers, 1), 2))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="build", unit="tile")
    try:
        for rec, layout, data in executor.map(
            run_tile, todo, config.model_dump_json(), on_error=_task_failure
        ):
            if data is not None and layout is not None:
                manifest.spool_write(layout, rec["tile_id"], data)
            manifest.record_tile(rec)
            state.tiles[rec["tile_id"]] = rec
            if rec["status"] != "done":
                log.info(
                    "tile %s %s: %s",
                    rec["tile_id"],
                    rec["status"],
                    (rec.get("message") or "").splitlines()[0] if rec.get("message") else rec.get("reason"),
                )
            if rec.get("lost_layers"):
                log.warning(
                    "tile %s: lost layers %s (%s)",
                    rec["tile_id"],
                    rec["lost_layers"],
                    "published" if pub else "sample held out of the shards; retried on resume",
                )
            if layout is not None:
                _flush(manifest, state, layout, config.shard_max_samples, final=False, publish_incomplete=pub)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"{rec['tile_id']}:{rec['status']}")
        for layout in LAYOUTS:
            _flush(manifest, state, layout, config.shard_max_samples, final=True, publish_incomplete=pub)
    finally:
        if bar is not None:
            bar.close()
        executor.close()
    summary = summarize(state, pub)
    summary["warnings"] = warnings
    summary["run"] = {
        "attempted": len(todo),
        "produced": sum(1 for a in todo if state.tiles.get(a.tile_id, {}).get("status") == "done"),
    }
    tmp = manifest.out_dir / f".summary.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(summary, indent=1) + "\n")
    os.replace(tmp, manifest.out_dir / "summary.json")
    return BuildResult(summary, manifest.out_dir)
