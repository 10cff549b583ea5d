"""The paper's metrics, computed from per-sample sufficient statistics so they bootstrap cheaply.

- multi-label classification (BigEarthNet): **micro-F1** = 2·TP / (2·TP + FP + FN) over all
  (sample, class) pairs, predictions thresholded at 0.5 (MMEarth-train's multilabel F1, micro), and
  **macro-F1** (mean of per-class F1 over classes present in the test labels or predictions; GEO-Bench's
  own runner reports macro) as a secondary metric;
- single-label classification (So2Sat): **micro accuracy** (= overall accuracy), from per-sample
  one-hot confusion rows so that per-class recall comes from the same statistics;
- segmentation (Cashew, SA-crop, mini-benchmarks): **macro mIoU** = mean over classes of
  TP / (TP + FP + FN) from the confusion matrix summed over the test set, ignoring label -1; classes
  absent from both ground truth and prediction are left out of the mean (torchmetrics' macro
  Jaccard convention).

Confidence intervals: percentile bootstrap over *samples* (images/chips, or pixels for pixel tasks),
1000 resamples, drawn as multinomial weights over the per-sample statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Stats = np.ndarray  # (N, S) per-sample sufficient statistics


def multilabel_stats(y_true: np.ndarray, y_pred: np.ndarray) -> Stats:
    """Per-sample, per-class ``[TP, FP, FN]`` for boolean ``(N, K)`` arrays, flattened to ``(N, 3K)``."""
    t, p = y_true.astype(bool), y_pred.astype(bool)
    s = np.stack([t & p, ~t & p, t & ~p], axis=2).astype(np.float64)  # (N, K, 3)
    return s.reshape(s.shape[0], -1)


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 0.0)


def _per_class(s: np.ndarray) -> np.ndarray:
    return s.reshape(*s.shape[:-1], -1, 3)


def micro_f1_from_stats(s: np.ndarray) -> np.ndarray:
    c = _per_class(s).sum(-2)
    return _f1(c[..., 0], c[..., 1], c[..., 2])


def macro_f1_from_stats(s: np.ndarray) -> np.ndarray:
    """Mean per-class F1 over classes with any support or prediction (others are undefined, left out)."""
    c = _per_class(s)
    f1 = _f1(c[..., 0], c[..., 1], c[..., 2])
    counted = (c.sum(-1) > 0).sum(-1)
    return np.where(counted > 0, f1.sum(-1) / np.maximum(counted, 1), 0.0)


def per_class_f1(s: np.ndarray) -> list[float | None]:
    c = _per_class(s.sum(0))
    return [float(_f1(*x)) if x.sum() > 0 else None for x in c]


def accuracy_stats(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None) -> Stats:
    """Per-sample one-hot confusion rows ``(N, K*K)`` (row = true class, column = predicted)."""
    t, p = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    k = int(num_classes) if num_classes is not None else int(max(t.max(initial=0), p.max(initial=0)) + 1)
    out = np.zeros((len(t), k * k), dtype=np.float64)
    out[np.arange(len(t)), t * k + p] = 1.0
    return out


def accuracy_from_stats(s: np.ndarray) -> np.ndarray:
    k = round(np.sqrt(s.shape[-1]))
    cm = s.reshape(*s.shape[:-1], k, k)
    total = cm.sum((-1, -2))
    return np.where(total > 0, np.trace(cm, axis1=-2, axis2=-1) / np.maximum(total, 1e-12), 0.0)


def per_class_recall(s: np.ndarray) -> list[float | None]:
    k = round(np.sqrt(s.shape[-1]))
    cm = s.sum(0).reshape(k, k)
    return [float(cm[i, i] / cm[i].sum()) if cm[i].sum() > 0 else None for i in range(k)]


def confusion_stats(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> Stats:
    """Per-sample flattened confusion matrices ``(N, K*K)``; ``y_true == -1`` is ignored.

    ``y_true``/``y_pred``: ``(N, ...)`` integer arrays (one row per bootstrap unit).
    """
    n = y_true.shape[0]
    t = y_true.reshape(n, -1).astype(np.int64)
    p = y_pred.reshape(n, -1).astype(np.int64)
    if t.size and (t.max() >= num_classes or t.min() < -1):
        raise ValueError(f"labels must lie in [-1, {num_classes - 1}]; found [{t.min()}, {t.max()}]")
    out = np.zeros((n, num_classes * num_classes), dtype=np.float64)
    for i in range(n):
        ok = t[i] >= 0
        out[i] = np.bincount(t[i][ok] * num_classes + p[i][ok], minlength=num_classes * num_classes)
    return out


def miou_from_stats(s: np.ndarray) -> np.ndarray:
    k = round(np.sqrt(s.shape[-1]))
    cm = s.reshape(*s.shape[:-1], k, k)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    union = cm.sum(-1) + cm.sum(-2) - tp
    iou = np.where(union > 0, tp / np.maximum(union, 1e-12), 0.0)
    counted = (union > 0).sum(-1)
    return np.where(counted > 0, iou.sum(-1) / np.maximum(counted, 1), 0.0)


def per_class_iou(s: np.ndarray) -> list[float | None]:
    k = round(np.sqrt(s.shape[-1]))
    cm = s.sum(0).reshape(k, k)
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    return [float(tp[i] / union[i]) if union[i] > 0 else None for i in range(k)]


METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "micro_f1": micro_f1_from_stats,
    "macro_f1": macro_f1_from_stats,
    "micro_accuracy": accuracy_from_stats,
    "miou": miou_from_stats,
}
SECONDARY = {"micro_f1": ("macro_f1",)}
"""Metrics reported beside the headline metric from the same statistics."""
PER_CLASS: dict[str, tuple[str, Callable[[np.ndarray], list[float | None]]]] = {
    "micro_f1": ("f1", per_class_f1),
    "micro_accuracy": ("recall", per_class_recall),
    "miou": ("iou", per_class_iou),
}
TOO_FEW = 30
"""Below this many test units a score is printed but flagged "too few to compare"."""


@dataclass(frozen=True)
class Score:
    """A metric value in percent with its bootstrap interval and the number of units."""

    metric: str
    value: float
    ci_low: float
    ci_high: float
    n: int

    def as_dict(self) -> dict[str, float | int | str]:
        return {"metric": self.metric, "value": self.value, "ci95": [self.ci_low, self.ci_high], "n": self.n}  # type: ignore[dict-item]

    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    def __str__(self) -> str:
        return f"{self.value:.1f} [{self.ci_low:.1f}, {self.ci_high:.1f}]"


def score(metric: str, stats: Stats, *, n_boot: int = 1000, seed: int = 0) -> Score:
    """The metric over all units plus a 95 % percentile-bootstrap interval (values in percent)."""
    fn = METRICS[metric]
    total = float(fn(stats.sum(0)))
    n = stats.shape[0]
    if n < 2 or n_boot <= 0:
        return Score(metric, 100 * total, 100 * total, 100 * total, n)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)  # (B, N)
    boot = np.asarray(fn(weights @ stats.reshape(n, -1)))
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return Score(metric, 100 * total, 100 * float(lo), 100 * float(hi), n)


def _seed_boot(
    fn: Callable[[np.ndarray], np.ndarray], seeds: list[Stats], n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """``(n_boot,)`` replicates of the mean over seeds: seeds resampled, test units resampled (shared)."""
    n = seeds[0].shape[0]
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)  # (B, N)
    per_seed = np.stack([np.asarray(fn(w @ st.reshape(n, -1))) for st in seeds], axis=1)  # (B, S)
    if len(seeds) == 1:
        return per_seed[:, 0]
    pick = rng.integers(0, len(seeds), size=(n_boot, len(seeds)))
    return np.take_along_axis(per_seed, pick, axis=1).mean(1)


def iqm(values: list[float]) -> float:
    """Interquartile mean (mean of the middle 50 %; the plain mean for fewer than 4 values)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    if len(v) < 4:
        return float(v.mean())
    q = len(v) // 4
    return float(v[q : len(v) - q].mean())


CI_METHOD = (
    "95 % percentile bootstrap of the mean over seeds: each replicate resamples the test units "
    "(shared across seeds) and the seeds"
)


def summarise(metric: str, seeds: list[Stats], *, n_boot: int = 1000, seed: int = 0) -> dict:
    """Value (mean over seeds), its interval, per-seed values and intervals, IQM, n and the n < 30 flag."""
    if not seeds:
        raise ValueError("summarise needs at least one seed's statistics")
    n = int(seeds[0].shape[0])
    if any(s.shape != seeds[0].shape for s in seeds):
        raise ValueError("per-seed statistics must cover the same test units")
    fn = METRICS[metric]
    values = [100 * float(fn(s.sum(0))) for s in seeds]
    value = float(np.mean(values))
    if n >= 2 and n_boot > 0:
        boot = 100 * _seed_boot(fn, seeds, n_boot, np.random.default_rng(seed))
        lo, hi = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
    else:
        lo = hi = value
    out: dict = {
        "metric": metric,
        "value": value,
        "ci95": [lo, hi],
        "ci_method": CI_METHOD,
        "n_test": n,
        "n_seeds": len(seeds),
        "seed_values": values,
        "seed_std": float(np.std(values)),
        "seed_ci95": [list(score(metric, s, n_boot=n_boot, seed=seed).ci()) for s in seeds],
        "iqm": iqm(values),
        "too_few_to_compare": n < TOO_FEW,
    }
    for extra in SECONDARY.get(metric, ()):
        sub = summarise(extra, seeds, n_boot=n_boot, seed=seed)
        out[extra] = {"value": sub["value"], "ci95": sub["ci95"], "seed_values": sub["seed_values"]}
    if metric in PER_CLASS:
        name, pc = PER_CLASS[metric]
        per_seed = [pc(s) for s in seeds]
        out["per_class"] = {
            "score": name,
            "values": [
                None
                if any(p[i] is None for p in per_seed)
                else 100 * float(np.mean([p[i] for p in per_seed]))
                for i in range(len(per_seed[0]))
            ],
        }
    return out


def paired_difference(
    metric: str,
    a: list[Stats],
    b: list[Stats],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    same_seeds: bool = False,
) -> dict:
    """Score of ``a`` minus score of ``b`` (percentage points, means over seeds) on the same test units.

    Paired bootstrap: each replicate draws one resample of the test units and applies it to both
    (and resamples the seeds), so the interval reflects the *difference*. ``same_seeds``: ``a[i]`` and
    ``b[i]`` come from the same trained model (seed ``i``, e.g. clean vs perturbed test input), so each
    replicate draws one set of seeds for both; otherwise each side's seeds are drawn independently.
    """
    n = int(a[0].shape[0])
    if b[0].shape[0] != n:
        raise ValueError(f"paired difference needs the same test units ({n} vs {b[0].shape[0]})")
    if same_seeds and len(a) != len(b):
        raise ValueError(f"same_seeds needs as many seeds on both sides ({len(a)} vs {len(b)})")
    fn = METRICS[metric]
    per_a = [100 * float(fn(s.sum(0))) for s in a]
    per_b = [100 * float(fn(s.sum(0))) for s in b]
    diff = float(np.mean(per_a) - np.mean(per_b))
    rng = np.random.default_rng(seed)
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)
    shared = rng.integers(0, len(a), size=(n_boot, len(a))) if same_seeds and len(a) > 1 else None

    def reps(seeds: list[Stats]) -> np.ndarray:
        per = np.stack([np.asarray(fn(w @ st.reshape(n, -1))) for st in seeds], axis=1)
        if len(seeds) == 1:
            return per[:, 0]
        pick = shared if shared is not None else rng.integers(0, len(seeds), size=(n_boot, len(seeds)))
        return np.take_along_axis(per, pick, axis=1).mean(1)

    boot = 100 * (reps(a) - reps(b)) if n >= 2 and n_boot > 0 else np.array([diff])
    lo, hi = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
    out = {
        "metric": metric,
        "diff": diff,
        "ci95": [lo, hi],
        "n_test": n,
        "n_seeds": len(a),
        "share_boot_above_0": float((boot > 0).mean()),
        "too_few_to_compare": n < TOO_FEW,
    }
    if same_seeds:
        out["seed_diffs"] = [x - y for x, y in zip(per_a, per_b, strict=True)]
    return out
