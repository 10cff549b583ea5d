"""``geomeld evaluate`` as one call: :func:`run` (``EvalConfig``) → :class:`EvaluationResult`.

The stage's anatomy: :mod:`.config` (``EvalConfig``, read by the core loader), this module (the entry
point the CLI and Python callers share), :mod:`.cli` (the verb). The work itself is
:func:`geomeld.evaluation.runner.run` (every task × encoder × protocol × seed) and
:func:`geomeld.evaluation.report.write_report` (results.json, results.md, figures).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geomeld.evaluation.config import EvalConfig

__all__ = ["EvaluationResult", "run"]


@dataclass
class EvaluationResult:
    """What an evaluation wrote: the results document (as in results.json) and the report files."""

    results: dict[str, Any]
    files: dict[str, Path]  # "json", "markdown", figures …
    out_dir: Path


def run(
    cfg: EvalConfig, *, out_dir: str | os.PathLike[str] | None = None, resume: bool = False
) -> EvaluationResult:
    """Evaluate the config's encoders and baselines on its tasks and write the report into ``out_dir``
    (default: the config's ``output``); ``resume`` reuses finished cells found there."""
    from geomeld.evaluation.report import write_report
    from geomeld.evaluation.runner import run as run_cells

    target = Path(out_dir) if out_dir is not None else Path(cfg.output)
    results = run_cells(cfg, out_dir=target, resume=resume)
    return EvaluationResult(results, write_report(results, target), target)
