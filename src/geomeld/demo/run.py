"""``geomeld demo`` as one call: :func:`run` (``DemoConfig``) → :class:`DemoResult`.

The stage's anatomy: :mod:`.config` (``DemoConfig``, read by the core loader), this module (the entry
point the CLI and Python callers share), :mod:`.cli` (the verb). The steps themselves are planned and
run by :mod:`.pipeline`; :mod:`.report` gathers what they wrote into ``report.html``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from geomeld.demo.config import DemoConfig
from geomeld.demo.pipeline import DemoError, DemoRun, finalise_step, plan, run_step

__all__ = ["DemoResult", "run"]


@dataclass
class DemoResult:
    out: Path  # the output folder
    report: Path | None  # report.html (None when stopped early with ``until``)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step that ran
    skipped: list[str] = field(default_factory=list)  # steps whose outputs already existed


def run(
    cfg: DemoConfig, *, out: str | Path | None = None, force: bool = False, until: str | None = None
) -> DemoResult:
    """Run the demo's steps into ``out`` (default: the config's ``out``), resuming after the last
    finished one unless ``force``; then write the report.

    ``until`` names a step after which to stop (no report): benchmarks reuse the demo's data
    preparation this way.
    """
    for ref in (cfg.pretrain_config_path(), cfg.eval_config_path()):
        if not ref.is_file():
            raise DemoError(
                f"{ref} does not exist",
                file=ref,
                expected="geomeld:configs/… (shipped in the package) or a path relative to the current directory",
            )
    demo = DemoRun(settings=cfg, out=Path(out or cfg.out).resolve(), force=force)
    demo.out.mkdir(parents=True, exist_ok=True)
    steps = plan(demo)
    if until is not None and until not in [s.name for s in steps]:
        raise DemoError(f"no demo step named {until!r}; steps: {[s.name for s in steps]}")
    start = time.perf_counter()
    for i, step in enumerate(steps, 1):
        finalise_step(demo, step)
        run_step(demo, step, i, len(steps))
        if step.name == until:
            return DemoResult(demo.out, None, demo.timings, demo.skipped)
    from geomeld.demo.report import build_report

    report = build_report(demo.out, demo.timings, total_s=time.perf_counter() - start, config=demo.config)
    return DemoResult(demo.out, report, demo.timings, demo.skipped)
