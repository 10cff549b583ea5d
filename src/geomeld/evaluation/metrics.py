"""The paper's metrics, computed from per-sample sufficient statistics so they bootstrap cheaply.

- multi-label classification (BigEarthNet): **micro-F1** = 2·TP / (2·TP + FP + FN) over all
  (sample, class) pairs, predictions thresholded at 0.5 (MMEarth-train's multilabel F1, micro);
- single-label classification (So2Sat): **micro accuracy** (= overall accuracy);
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
    """Per-sample ``[TP, FP, FN]`` for boolean ``(N, K)`` arrays."""
    t, p = y_true.astype(bool), y_pred.astype(bool)
    return np.stack([(t & p).sum(1), (~t & p).sum(1), (t & ~p).sum(1)], axis=1).astype(np.float64)


def micro_f1_from_stats(s: np.ndarray) -> np.ndarray:
    tp, fp, fn = s[..., 0], s[..., 1], s[..., 2]
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 0.0)


def accuracy_stats(y_true: np.ndarray, y_pred: np.ndarray) -> Stats:
    """Per-sample ``[correct, 1]``."""
    return np.stack([(y_true == y_pred).astype(np.float64), np.ones(len(y_true))], axis=1)


def accuracy_from_stats(s: np.ndarray) -> np.ndarray:
    return np.where(s[..., 1] > 0, s[..., 0] / np.maximum(s[..., 1], 1e-12), 0.0)


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
    "micro_accuracy": accuracy_from_stats,
    "miou": miou_from_stats,
}


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
