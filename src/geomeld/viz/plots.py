"""Plots people would rather look at than read: loss curves per term and evaluation bars."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

NON_LOSS_COLUMNS = {"step", "epoch", "time", "elapsed_s", "samples", "samples_per_s", "wall_time"}


def _atomic_savefig(fig: object, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    os.replace(tmp, path)
    return path


def read_log_csv(path: Path) -> tuple[list[float], dict[str, list[float]]]:
    """Read a training log CSV: the ``step`` column and every other numeric column (NaN when empty)."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path}: the training log is empty")
    if "step" not in rows[0]:
        raise ValueError(f"{path}: the training log has no 'step' column (columns: {list(rows[0])})")
    steps = [float(r["step"]) for r in rows]
    series: dict[str, list[float]] = {}
    for column in rows[0]:
        if column == "step":
            continue
        values = []
        for r in rows:
            try:
                values.append(float(r[column]))
            except (TypeError, ValueError):
                values.append(math.nan)
        if any(math.isfinite(v) for v in values):
            series[column] = values
    return steps, series


def plot_loss_summary(log_csv: Path, out_png: Path, title: str = "GeoMeld-FM pretraining") -> Path:
    """Three readable panels: the total loss; each MP-MAE target that had data (one line each); JEPA and
    ITC. Terms that stayed zero (targets absent from every tile) are left out and named in the title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, series = read_log_csv(log_csv)

    def xy(name: str) -> tuple[list[float], list[float]]:
        pairs = [(s, v) for s, v in zip(steps, series[name], strict=True) if math.isfinite(v)]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    mp = [n for n in series if n.startswith("mp/")]
    active = [n for n in mp if any(abs(v) > 0 for v in series[n] if math.isfinite(v))]
    idle = [n.split("/", 1)[1] for n in mp if n not in active]
    other: list[str] = [n for n in ("jepa", "itc") if n in series]
    panels: list[tuple[str, list[str]]] = [("total loss", ["loss"])] + (
        [("MP-MAE, per co-located target", active)] if active else []
    )
    panels += [("JEPA and ITC", other)] if other else []
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    for ax, (name, cols) in zip(axes[0], panels, strict=True):
        for col in cols:
            x, y = xy(col)
            ax.plot(x, y, lw=1.8, label=col.split("/", 1)[-1])
        ax.set_title(name, fontsize=12)
        ax.set_xlabel("step", fontsize=11)
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3)
        if len(cols) > 1:
            ax.legend(fontsize=10)
    suffix = f" (no data anywhere, not trained: {', '.join(idle)})" if idle else ""
    fig.suptitle(title + suffix, fontsize=12)
    fig.tight_layout()
    out = _atomic_savefig(fig, out_png)
    plt.close(fig)
    return out


def plot_loss_curves(log_csv: Path, out_png: Path, title: str = "GeoMeld-FM pretraining") -> Path:
    """One panel per logged term (total, each MP-MAE modality, JEPA, ITC, learning rate …)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, series = read_log_csv(log_csv)
    names = [n for n in series if n not in NON_LOSS_COLUMNS]
    cols = min(4, max(1, len(names)))
    rows = math.ceil(len(names) / cols) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.5 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        pairs = [(s, v) for s, v in zip(steps, series[name], strict=True) if math.isfinite(v)]
        ax.plot([p[0] for p in pairs], [p[1] for p in pairs], lw=1.2)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(names) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    out = _atomic_savefig(fig, out_png)
    plt.close(fig)
    return out


def plot_metric_bars(
    scores: Mapping[str, Mapping[str, float]],
    out_png: Path,
    title: str = "Evaluation",
    errors: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    ylabel: str = "score",
) -> Path:
    """Grouped bars: one group per task, one bar per encoder/baseline, optional CI whiskers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks: list[str] = sorted({t for per in scores.values() for t in per})
    encoders: Sequence[str] = list(scores)
    width = 0.8 / max(1, len(encoders))
    fig, ax = plt.subplots(figsize=(max(4.0, 1.3 * len(tasks) * max(1, len(encoders)) / 2), 3.2))
    for i, enc in enumerate(encoders):
        xs = [t_i + i * width for t_i in range(len(tasks))]
        vals = [scores[enc].get(t, math.nan) for t in tasks]
        yerr = None
        if errors and enc in errors:
            lo = [max(0.0, v - errors[enc].get(t, (v, v))[0]) for t, v in zip(tasks, vals, strict=True)]
            hi = [max(0.0, errors[enc].get(t, (v, v))[1] - v) for t, v in zip(tasks, vals, strict=True)]
            yerr = [lo, hi]
        ax.bar(xs, vals, width=width, label=enc, yerr=yerr, capsize=2)
    ax.set_xticks([t + width * (len(encoders) - 1) / 2 for t in range(len(tasks))])
    ax.set_xticklabels(tasks, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    out = _atomic_savefig(fig, out_png)
    plt.close(fig)
    return out
