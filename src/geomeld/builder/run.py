"""``geomeld build`` as one call: :func:`run` (``BuildConfig`` + anchors → shards) → :class:`BuildResult`.

The stage's anatomy: :mod:`.config` (``BuildConfig``, read by the core loader), this module (the entry
point the CLI and Python callers share), :mod:`.cli` (the verb: options → ``run`` → a summary table).
The work itself is :func:`geomeld.builder.runner.run_build` (Dask driver, manifest, resume).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from geomeld.builder.config import BuildConfig
from geomeld.builder.runner import Anchor, BuildResult, read_anchors, run_build

__all__ = ["BuildResult", "load_anchors", "run"]


def load_anchors(anchors: str | Path | Sequence[Anchor]) -> list[Anchor]:
    """``"embedded"`` (the embedded sample's anchors), a Parquet/CSV path, or anchors as they are."""
    if isinstance(anchors, (str, Path)):
        from geomeld.core.data import embedded_anchors_path

        return read_anchors(embedded_anchors_path() if str(anchors) == "embedded" else Path(anchors))
    return list(anchors)


def run(
    cfg: BuildConfig,
    anchors: str | Path | Sequence[Anchor],
    out: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    progress: bool = True,
    limit: int | None = None,
    retry_skipped: bool = False,
) -> BuildResult:
    """Build aligned samples for ``anchors`` into shards under ``out`` (resumable; see ``geomeld build``)."""
    return run_build(
        load_anchors(anchors),
        out,
        cfg,
        workers=workers,
        scheduler=scheduler,
        max_in_flight=max_in_flight,
        progress=progress,
        limit=limit,
        retry_skipped=retry_skipped,
    )
