"""The demo's decisive probe: did pretraining help on a real labelled task large enough to tell?

Task: the re-chipped Brandenburg OSM land-use benchmark (``data/minibench/brandenburg_east.h5``: the
east 40 % of the Sentinel-2 L1C scene, never pretrained on — the demo pretrains on the west 60 % —
32 px chips, spatial split by chip column with guard columns, rasterised OSM land use, -1 unlabelled).

Protocol (the same for every representation, so differences are the representation's):

* per-pixel features: for an encoder, its four frozen stage maps upsampled bilinearly to the chip and
  concatenated; for ``raw-bands``, the normalised 12 band values of the pixel;
* a linear soft-max classifier on labelled training pixels (standardised features, class-balanced
  loss), its weight decay chosen on the validation chips, then scored once on the test chips;
* metric: mIoU over the test chips' pixels (macro over classes, label -1 ignored);
* statistics: a percentile bootstrap over test *chips* (the unit of the spatial split) for each
  value, and a **paired** bootstrap of each difference (the same resampled chips for both
  representations), 95 % intervals.

``random-init`` is the same architecture as the demo encoder, freshly initialised (seeded) and
normalised with the task's training statistics; ``raw-bands`` uses the same statistics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from geomeld.core.errors import GeomeldError
from geomeld.evaluation.metrics import confusion_stats, miou_from_stats, paired_difference, score

PROBE_TASK_FILE = "brandenburg_east.h5"
WEIGHT_DECAYS = (1e-4, 1e-3, 1e-2)
MAX_TRAIN_PIXELS = 20_000


class ProbeError(GeomeldError, RuntimeError):
    """The probe task cannot be read or is too small to decide."""


@dataclass
class ProbeTask:
    name: str
    image: np.ndarray  # (N, C, H, W) DN in the registry's Sentinel-2 band order
    label: np.ndarray  # (N, H, W) int64, -1 unlabelled
    split: np.ndarray  # (N,) str
    class_names: list[str]
    band_names: list[str]
    keys: list[str]

    def idx(self, split: str) -> np.ndarray:
        return np.flatnonzero(self.split == split)


def default_task_path() -> Path:
    import geomeld

    return Path(geomeld.__file__).parent / "data" / "minibench" / PROBE_TASK_FILE


def load_task(path: Path) -> ProbeTask:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            image = f["image"][:].astype(np.float32)
            label = f["label"][:].astype(np.int64)
            split = np.array([s.decode() if isinstance(s, bytes) else str(s) for s in f["split"][:]])
            keys = [k.decode() if isinstance(k, bytes) else str(k) for k in f["key"][:]]
            names = [str(b) for b in f["image"].attrs["band_names"]]
            classes = json.loads(f.attrs["class_names"])
            task = str(f.attrs.get("task", path.stem))
    except (OSError, KeyError) as exc:
        raise ProbeError(
            f"{path}: not a readable probe task (expected datasets image/label/split/key and attrs "
            f"band_names, class_names): {exc}"
        ) from None
    if label.ndim != 3:
        raise ProbeError(
            f"{path}: label has shape {label.shape}; the probe needs (N, H, W) segmentation labels"
        )
    return ProbeTask(task, image, label, split, classes, names, keys)


# -- features ----------------------------------------------------------------------------------------


def _standardise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> torch.Tensor:
    t = (torch.from_numpy(x) - torch.from_numpy(mean).view(1, -1, 1, 1)) / torch.from_numpy(std).view(
        1, -1, 1, 1
    )
    return torch.nan_to_num(t.float(), nan=0.0, posinf=0.0, neginf=0.0)


@torch.no_grad()
def encoder_pixel_features(model: nn.Module, x: torch.Tensor, batch: int = 64) -> np.ndarray:
    """(N, D, H, W) frozen per-pixel features: every stage map upsampled to the input size, concatenated."""
    model.eval()
    out = []
    for i in range(0, len(x), batch):
        xb = x[i : i + batch]
        maps = model.forward_features(xb)  # type: ignore[operator]
        ups = [
            nn.functional.interpolate(m, size=xb.shape[-2:], mode="bilinear", align_corners=False)
            for m in maps
        ]
        out.append(torch.cat(ups, 1).numpy())
    return np.concatenate(out)


def task_band_stats(task: ProbeTask) -> tuple[np.ndarray, np.ndarray]:
    train = task.image[task.idx("train")]
    mean = np.nanmean(train, axis=(0, 2, 3)).astype(np.float32)
    std = (np.nanstd(train, axis=(0, 2, 3)) + 1e-6).astype(np.float32)
    return mean, std


# -- linear probe --------------------------------------------------------------------------------------


def _pixels(
    feats: np.ndarray, labels: np.ndarray, limit: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    f = feats.transpose(0, 2, 3, 1).reshape(-1, feats.shape[1])
    y = labels.reshape(-1)
    keep = np.flatnonzero(y >= 0)
    if limit is not None and len(keep) > limit:
        keep = np.sort(np.random.default_rng(seed).choice(keep, limit, replace=False))
    return f[keep], y[keep]


def _train_linear(
    x: torch.Tensor, y: torch.Tensor, num_classes: int, weight_decay: float, seed: int, steps: int = 100
) -> nn.Linear:
    torch.manual_seed(seed)
    head = nn.Linear(x.shape[1], num_classes)
    counts = torch.bincount(y, minlength=num_classes).float()
    weight = torch.where(counts > 0, (counts.sum() / counts.clamp(min=1)).sqrt(), torch.zeros_like(counts))
    weight = weight / weight[counts > 0].mean()
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    opt = torch.optim.LBFGS(
        head.parameters(), lr=0.5, max_iter=steps, history_size=20, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn(head(x), y) + weight_decay * head.weight.pow(2).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    opt.step(closure)  # type: ignore[no-untyped-call]
    return head


@torch.no_grad()
def _predict(head: nn.Linear, feats: np.ndarray, mu: torch.Tensor, sd: torch.Tensor) -> np.ndarray:
    n, d, h, w = feats.shape
    f = torch.from_numpy(feats.transpose(0, 2, 3, 1).reshape(-1, d))
    pred = head((f - mu) / sd).argmax(1).numpy()
    return pred.reshape(n, h, w)


def probe_representation(
    feats: np.ndarray,
    task: ProbeTask,
    seed: int = 0,
    *,
    max_train_pixels: int = MAX_TRAIN_PIXELS,
    weight_decays: tuple[float, ...] = WEIGHT_DECAYS,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Fit the linear probe (weight decay chosen on validation) and return per-test-chip confusion stats."""
    k = len(task.class_names)
    tr, va, te = task.idx("train"), task.idx("valid"), task.idx("test")
    xtr, ytr = _pixels(feats[tr], task.label[tr], max_train_pixels, seed)
    xt = torch.from_numpy(xtr)
    mu, sd = xt.mean(0), xt.std(0) + 1e-6
    xt = (xt - mu) / sd
    yt = torch.from_numpy(ytr)
    best: tuple[float, float, nn.Linear] | None = None
    for wd in weight_decays:
        head = _train_linear(xt, yt, k, wd, seed)
        val = float(
            miou_from_stats(confusion_stats(task.label[va], _predict(head, feats[va], mu, sd), k).sum(0))
        )
        if best is None or val > best[0]:
            best = (val, wd, head)
    assert best is not None
    stats = confusion_stats(task.label[te], _predict(best[2], feats[te], mu, sd), k)
    return stats, {"weight_decay": best[1], "valid_miou": round(100 * best[0], 2), "train_pixels": len(ytr)}


# -- the whole probe -----------------------------------------------------------------------------------


def run_probe(
    encoder_dir: Path | None,
    task_path: Path | None = None,
    *,
    seed: int = 0,
    n_boot: int = 2000,
    extra_encoders: dict[str, Path] | None = None,
    max_train_pixels: int = MAX_TRAIN_PIXELS,
    weight_decays: tuple[float, ...] = WEIGHT_DECAYS,
) -> dict[str, Any]:
    """Probe the exported encoder, a random init of its architecture and the raw bands on the task.

    Returns the ``metrics.json`` ``"probe"`` record: ``task``, ``metric``, ``n_test``, ``results``
    (value + ci95 per representation), ``paired`` (``"geomeld-fm - random-init"``,
    ``"geomeld-fm - raw-bands"``: diff + ci95) and details.
    """
    from geomeld.models.convnextv2 import ConvNeXtV2
    from geomeld.models.export import load_encoder

    task = load_task(task_path or default_task_path())
    n_test = len(task.idx("test"))
    mean, std = task_band_stats(task)
    reps: dict[str, np.ndarray] = {}
    details: dict[str, Any] = {}
    encoders: dict[str, Path] = {}
    if encoder_dir is not None:
        encoders["geomeld-fm"] = encoder_dir
    encoders.update(extra_encoders or {})
    arch: dict[str, Any] | None = None
    for name, path in encoders.items():
        enc = load_encoder(path)
        if list(enc.band_names) != task.band_names:
            raise ProbeError(
                f"{path}: encoder bands {enc.band_names} differ from the task's {task.band_names}"
            )
        x = enc.normalize(torch.from_numpy(task.image))
        reps[name] = encoder_pixel_features(enc.model, x)
        if arch is None:
            m = enc.model
            arch = {
                "dims": list(m.dims),
                "depths": list(getattr(m, "depths", [])),
                "patch_size": enc.patch_size,
            }
    if arch is not None:
        torch.manual_seed(seed)
        kwargs: dict[str, Any] = {"dims": tuple(arch["dims"]), "patch_size": arch["patch_size"]}
        if arch["depths"]:
            kwargs["depths"] = tuple(arch["depths"])
        rand = ConvNeXtV2("atto", in_chans=len(task.band_names), **kwargs)
        reps["random-init"] = encoder_pixel_features(rand, _standardise(task.image, mean, std))
        details["random-init"] = {"architecture": arch, "seed": seed, "normalisation": "task training split"}
    reps["raw-bands"] = _standardise(task.image, mean, std).numpy()
    stats: dict[str, np.ndarray] = {}
    for name, feats in reps.items():
        stats[name], info = probe_representation(
            feats, task, seed, max_train_pixels=max_train_pixels, weight_decays=weight_decays
        )
        details.setdefault(name, {}).update(info, feature_dim=int(feats.shape[1]))
    results = {}
    for name, st in stats.items():
        sc = score("miou", st, n_boot=n_boot, seed=seed)
        results[name] = {"value": round(sc.value, 2), "ci95": [round(sc.ci_low, 2), round(sc.ci_high, 2)]}
    paired = {}
    for name in encoders:
        for other in ("random-init", "raw-bands"):
            if other in stats:
                d = paired_difference("miou", [stats[name]], [stats[other]], n_boot=n_boot, seed=seed)
                paired[f"{name} - {other}"] = {
                    "diff": round(d["diff"], 2),
                    "ci95": [round(d["ci95"][0], 2), round(d["ci95"][1], 2)],
                    "share_boot_above_0": round(d["share_boot_above_0"], 4),
                }
    counts = np.bincount(
        np.clip(task.label[task.idx("test")], 0, None).ravel(), minlength=len(task.class_names)
    )
    return {
        "task": task.name,
        "metric": "mIoU (%)",
        "n_test": n_test,
        "unit": "32 x 32 px chip (320 m)",
        "n_train": len(task.idx("train")),
        "n_valid": len(task.idx("valid")),
        "results": results,
        "paired": paired,
        "n_bootstrap": n_boot,
        "chance_miou": round(100 * _chance_miou(counts), 2),
        "protocol": "frozen per-pixel features, linear soft-max probe on labelled training pixels, weight decay "
        "chosen on validation chips; bootstrap over test chips (paired for differences)",
        "details": details,
    }


def _chance_miou(counts: np.ndarray) -> float:
    """Expected mIoU of a predictor drawing classes at random with the test label frequencies."""
    p = counts / max(counts.sum(), 1)
    present = p > 0
    iou = p[present] ** 2 / (2 * p[present] - p[present] ** 2)
    return float(iou.mean()) if present.any() else 0.0


def verdict(probe: dict[str, Any]) -> tuple[bool, str]:
    """(helped, one sentence) from a probe record: helped only if both paired intervals exclude zero above."""
    res, paired = probe["results"], probe["paired"]
    fm = res.get("geomeld-fm")
    if fm is None:
        return False, "no pretrained encoder was probed"
    parts = []
    helped = True
    for other in ("random-init", "raw-bands"):
        d = paired.get(f"geomeld-fm - {other}")
        if d is None:
            helped = False
            continue
        helped &= d["ci95"][0] > 0
        parts.append(
            f"{d['diff']:+.1f} points vs {other} ({res[other]['value']:.1f}; paired 95 % CI "
            f"[{d['ci95'][0]:+.1f}, {d['ci95'][1]:+.1f}])"
        )
    beat_random = (paired.get("geomeld-fm - random-init") or {"ci95": [0.0]})["ci95"][0] > 0
    if helped:
        head = "Pretraining helped"
    elif beat_random:
        head = "Pretraining did NOT measurably help against the raw bands (only against a random init)"
    else:
        head = "Pretraining did NOT measurably help"
    chance = f"; chance {probe['chance_miou']:.1f}" if "chance_miou" in probe else ""
    text = (
        f"{head} on {probe['task']} ({probe['n_test']} held-out test chips, spatial split, never pretrained on): "
        f"GeoMeld-FM scores {fm['value']:.1f} {probe['metric']} (95 % CI {fm['ci95'][0]:.1f}–{fm['ci95'][1]:.1f}"
        f"{chance}), " + " and ".join(parts) + "."
    )
    return helped, text
