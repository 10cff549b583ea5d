"""Evaluation protocols: linear probe and fine-tuning of an encoder, and the raw-band baseline.

All protocols share one training loop (:func:`train_early_stopping`): AdamW, the task's loss
(cross-entropy, binary cross-entropy for multi-label, pixel cross-entropy with ``ignore_index=-1``),
evaluation of the paper's metric on the validation split after every epoch, the best epoch's weights
restored, and training stopped after ``patience`` epochs without improvement. Seeds fix the head
initialisation, batch order and noise.

- **Linear probe (classification)**: frozen encoder, ``forward_pooled`` features (global average pool +
  layer norm), standardised with training statistics, one linear layer (= logistic regression).
- **Linear probe (segmentation)**: frozen encoder; a light head — one 1×1 convolution per stage map,
  bilinearly upsampled to the input size and summed (a per-pixel linear model on the multi-scale
  features).
- **Fine-tuning (classification)**: the whole encoder + a linear head on ``forward_pooled``; AdamW with
  layer-wise LR decay (0.9), warm-up + cosine schedule, label smoothing 0.2 for single-label tasks
  (MMEarth-train's fine-tuning defaults; drop-path, random erasing and mixup are not used).
- **Fine-tuning (segmentation)**: the whole encoder + :class:`UNetDecoder` over its four stages.
- **Raw-band baseline**: per-band statistics of the band-aligned DN (mean, std, 10/50/90th percentile)
  + logistic regression for classification; a per-pixel logistic regression on the normalised bands
  for segmentation. Same loop, same metrics.

Segmentation logits are upsampled to the label's own resolution before scoring.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geomeld.evaluation.config import TrainSettings
from geomeld.evaluation.metrics import METRICS as METRIC_FNS
from geomeld.evaluation.metrics import (
    Stats,
    accuracy_stats,
    confusion_stats,
    multilabel_stats,
    score,
)
from geomeld.evaluation.preprocess import CLEAN, Condition, Preprocessor, resize_labels
from geomeld.evaluation.tasks import PixelTask, Split, TaskData

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# predictions → per-unit statistics


def to_blocks(maps: np.ndarray, block: int) -> np.ndarray:
    """``(N, H, W)`` → ``(N · ⌊H/b⌋ · ⌊W/b⌋, b, b)`` square blocks (edges that do not fill a block dropped)."""
    n, h, w = maps.shape[0], maps.shape[-2] // block, maps.shape[-1] // block
    x = maps[..., : h * block, : w * block].reshape(n, h, block, w, block)
    return x.transpose(0, 1, 3, 2, 4).reshape(n * h * w, block, block)


def unit_stats(
    kind: str, labels: np.ndarray, pred: np.ndarray, num_classes: int, block: int | None = None
) -> Stats:
    """Per-unit sufficient statistics; segmentation maps are cut into ``block``² units when given."""
    if kind == "multilabel":
        return multilabel_stats(labels, pred)
    if kind == "classification":
        return accuracy_stats(labels, pred, num_classes)
    if block:
        labels, pred = to_blocks(labels, block), to_blocks(pred, block)
    return confusion_stats(labels, pred, num_classes)


def logits_to_pred(kind: str, logits: Tensor) -> np.ndarray:
    if kind == "multilabel":
        return (logits > 0).cpu().numpy()  # sigmoid > 0.5
    return logits.argmax(1).cpu().numpy()


def task_loss(kind: str, logits: Tensor, target: Tensor, label_smoothing: float = 0.0) -> Tensor:
    if kind == "multilabel":
        return F.binary_cross_entropy_with_logits(logits, target.float())
    if kind == "segmentation":
        if (target >= 0).sum() == 0:
            return logits.sum() * 0.0
        return F.cross_entropy(logits, target, ignore_index=-1)
    return F.cross_entropy(logits, target, label_smoothing=label_smoothing)


def layer_id(name: str, num_stages: int = 4) -> int:
    """Depth of a ConvNeXt parameter for layer-wise LR decay: stem 0, stage i → i+1, downsample i → i+2."""
    parts = name.split(".")
    if parts[0] == "stem":
        return 0
    if parts[0] in ("stages", "downsample") and len(parts) > 1 and parts[1].isdigit():
        return int(parts[1]) + (1 if parts[0] == "stages" else 2)
    return num_stages + 1


def layer_decay_groups(encoder: nn.Module, base_lr: float, decay: float, weight_decay: float) -> list[dict]:
    """AdamW groups with ``lr = base_lr · decay^(top − depth)``; no weight decay on norms/biases/GRN."""
    from geomeld.models.convnextv2 import no_weight_decay

    top = len(getattr(encoder, "dims", (0, 0, 0, 0))) + 1
    groups: dict[tuple[int, bool], dict] = {}
    for name, p in encoder.named_parameters():
        if not p.requires_grad:
            continue
        lid = min(layer_id(name), top)
        nwd = no_weight_decay(name, p)
        g = groups.setdefault(
            (lid, nwd),
            {
                "params": [],
                "lr": base_lr * decay ** (top - lid),
                "weight_decay": 0.0 if nwd else weight_decay,
            },
        )
        g["params"].append(p)
    return list(groups.values())


def metric_value(metric: str, stats: Stats) -> float:
    return float(METRIC_FNS[metric](stats.sum(0)))


# ---------------------------------------------------------------------------------------------
# the shared loop


def _batches(n: int, size: int, rng: np.random.Generator | None) -> Iterator[np.ndarray]:
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for i in range(0, n, size):
        yield order[i : i + size]


def train_early_stopping(
    module: nn.Module,
    param_groups: list[dict],
    n_train: int,
    train_step: Callable[[Any], Tensor],
    validate: Callable[[], float],
    *,
    epochs: int,
    patience: int,
    batch_size: int,
    seed: int,
    weight_decay: float,
    warmup_fraction: float = 0.0,
    fetch: Callable[[list[np.ndarray]], Iterable[Any]] | None = None,
) -> dict[str, float | int]:
    """Train ``module`` with AdamW; keep the weights of the best validation epoch.

    With ``warmup_fraction > 0`` the learning rate warms up linearly over that fraction of all steps
    and then follows a cosine decay to 0 over ``epochs`` (the fine-tuning schedule). ``train_step``
    gets each batch's indices, or — with ``fetch`` — what ``fetch`` yields for the epoch's index
    batches (e.g. a DataLoader reading and preparing batches in worker processes).
    """
    opt = torch.optim.AdamW(param_groups, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    sched = None
    if warmup_fraction > 0:
        total = epochs * max(1, -(-n_train // batch_size))
        warm = max(1, int(warmup_fraction * total))

        def factor(step: int) -> float:
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + float(np.cos(np.pi * min(1.0, (step - warm) / max(1, total - warm)))))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    best, best_epoch, best_state = -np.inf, -1, copy.deepcopy(module.state_dict())
    for epoch in range(epochs):
        module.train()
        order = list(_batches(n_train, batch_size, rng))
        for item in fetch(order) if fetch is not None else order:
            loss = train_step(item)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
        module.eval()
        with torch.no_grad():
            val = validate()
        if val > best + 1e-9:
            best, best_epoch, best_state = val, epoch, copy.deepcopy(module.state_dict())
        elif epoch - best_epoch >= patience:
            break
    module.load_state_dict(best_state)
    return {"best_valid": float(100 * best), "best_epoch": best_epoch, "epochs_run": epoch + 1}


# ---------------------------------------------------------------------------------------------
# feature extraction (frozen encoder)


_FEATURES: dict[tuple[int, int, int, str, bool], tuple[list[Tensor], np.ndarray]] = {}
"""Frozen features per (model, split, preprocessor, condition, pooled): seeds, learning rates and
probes of one task reuse one encoding. :func:`clear_feature_cache` after each task."""


_ALIVE: list[object] = []  # keeps keyed objects alive so that their ids are not reused while cached


def clear_feature_cache() -> None:
    _FEATURES.clear()
    _ALIVE.clear()


@torch.no_grad()
def encode_split(
    model: nn.Module,
    split: Split,
    pre: Preprocessor,
    *,
    pooled: bool,
    cond: Condition = CLEAN,
    batch_size: int = 32,
) -> tuple[list[Tensor], np.ndarray]:
    """Frozen features of a whole split: ``[pooled (N, D)]`` or the 4 stage maps; plus the labels."""
    key = (id(model), id(split), id(pre), cond.name, pooled)
    if key not in _FEATURES:
        _FEATURES[key] = _encode_split(model, split, pre, pooled=pooled, cond=cond, batch_size=batch_size)
        _ALIVE.extend((model, split, pre))
    return _FEATURES[key]


def _encode_split(
    model: nn.Module, split: Split, pre: Preprocessor, *, pooled: bool, cond: Condition, batch_size: int
) -> tuple[list[Tensor], np.ndarray]:
    model.eval()
    feats: list[list[Tensor]] = []
    labels = []
    for bi, idx in enumerate(_batches(len(split), batch_size, None)):
        raw, lab = split.batch(idx)
        x = pre(raw, cond, batch_seed=bi)
        out = [model.forward_pooled(x)] if pooled else list(model.forward_features(x))  # type: ignore[operator]
        feats.append(out)
        labels.append(lab)
    stacked = [torch.cat([f[i] for f in feats]) for i in range(len(feats[0]))]
    return stacked, np.concatenate(labels)


class StageLinearHead(nn.Module):
    """Per-pixel linear model on multi-scale maps: 1×1 conv per map, upsampled to ``size``, summed."""

    def __init__(self, dims: Sequence[int], num_classes: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(d, num_classes, 1) for d in dims)

    def forward(self, maps: Sequence[Tensor], size: tuple[int, int]) -> Tensor:
        out = None
        for conv, m in zip(self.convs, maps, strict=True):
            y = F.interpolate(conv(m), size=size, mode="bilinear", align_corners=False)
            out = y if out is None else out + y
        assert out is not None
        return out


class UNetDecoder(nn.Module):
    """U-Net-style decoder over the 4 encoder stages (coarse → fine), then upsampling to the input."""

    def __init__(self, dims: Sequence[int], num_classes: int) -> None:
        super().__init__()
        d = list(dims)
        self.up = nn.ModuleList()
        self.fuse = nn.ModuleList()
        for i in range(len(d) - 1, 0, -1):
            self.up.append(nn.ConvTranspose2d(d[i], d[i - 1], 2, stride=2))
            self.fuse.append(
                nn.Sequential(
                    nn.Conv2d(2 * d[i - 1], d[i - 1], 3, padding=1),
                    nn.BatchNorm2d(d[i - 1]),
                    nn.GELU(),
                )
            )
        self.head = nn.Conv2d(d[0], num_classes, 1)

    def forward(self, stages: Sequence[Tensor], size: tuple[int, int]) -> Tensor:
        x = stages[-1]
        for j, (up, fuse) in enumerate(zip(self.up, self.fuse, strict=True)):
            skip = stages[-2 - j]
            x = up(x)
            if x.shape[-2:] != skip.shape[-2:]:
                x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = fuse(torch.cat([x, skip], 1))
        return F.interpolate(self.head(x), size=size, mode="bilinear", align_corners=False)


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class ProtocolResult:
    protocol: str  # "lp" | "ft" | "baseline"
    metric: str
    test_stats: Stats
    train_info: dict[str, float | int]
    predict: Callable[[Condition], Stats] | None = None  # re-score the test split under a condition

    def score(self, seed: int = 0):  # type: ignore[no-untyped-def]
        return score(self.metric, self.test_stats, seed=seed)


def _seg_eval_stats(
    logits_fn: Callable[[np.ndarray], Tensor], split: Split, task: TaskData, bs: int
) -> Stats:
    out = []
    for idx in _batches(len(split), bs, None):
        lab = split.labels(idx)
        logits = logits_fn(idx)
        logits = F.interpolate(logits, size=lab.shape[-2:], mode="bilinear", align_corners=False)
        pred = logits.argmax(1).cpu().numpy()
        out.append(unit_stats("segmentation", lab, pred, task.num_classes, task.unit_block))
    return np.concatenate(out)


# ---------------------------------------------------------------------------------------------
# linear probe


def linear_probe(
    model: nn.Module, dims: Sequence[int], task: TaskData, pre: Preprocessor, st: TrainSettings, seed: int
) -> ProtocolResult:
    torch.manual_seed(seed)
    model.to(pre.device)
    if task.kind == "segmentation":
        return _seg_probe(lambda x: list(model.forward_features(x)), dims, task, pre, st, seed, "lp", model)  # type: ignore[operator]
    ftr, ytr = encode_split(model, task.splits["train"], pre, pooled=True, batch_size=st.eval_batch_size)
    fva, yva = encode_split(model, task.splits["valid"], pre, pooled=True, batch_size=st.eval_batch_size)
    head, info, norm = _fit_linear(ftr[0], ytr, fva[0], yva, task, st, seed)

    def predict(cond: Condition) -> Stats:
        f, y = encode_split(
            model, task.splits["test"], pre, pooled=True, cond=cond, batch_size=st.eval_batch_size
        )
        with torch.no_grad():
            pred = logits_to_pred(task.kind, head(norm(f[0])))
        return unit_stats(task.kind, y, pred, task.num_classes)

    return ProtocolResult("lp", task.metric, predict(CLEAN), info, predict)


class _HasKind(Protocol):
    kind: str

    @property
    def num_classes(self) -> int: ...

    @property
    def metric(self) -> str: ...


def _fit_linear(
    ftr: Tensor, ytr: np.ndarray, fva: Tensor, yva: np.ndarray, task: _HasKind, st: TrainSettings, seed: int
) -> tuple[nn.Module, dict[str, float | int], Callable[[Tensor], Tensor]]:
    """A linear head on standardised features; the learning rate is swept over ``st.lp_lrs`` and the
    best on the *validation* split kept (the test split is never used for selection)."""
    ok = torch.isfinite(ftr)
    count = ok.sum(0, keepdim=True)
    mu = torch.where(ok, ftr, 0.0).sum(0, keepdim=True) / count.clamp_min(1)
    var = (torch.where(ok, ftr - mu, 0.0) ** 2).sum(0, keepdim=True) / (count - 1).clamp_min(1)
    sd = var.sqrt().clamp_min(1e-6)

    def norm(f: Tensor) -> Tensor:
        """Standardised with training moments; absent (non-finite) features → 0 = the training mean."""
        z = (f - mu) / sd
        return torch.where(torch.isfinite(z), z, torch.zeros_like(z))

    xtr, xva = norm(ftr), norm(fva)
    target = torch.from_numpy(np.asarray(ytr)).to(ftr.device)
    if task.kind != "multilabel":
        target = target.long()
    best: tuple[float, nn.Module, dict[str, float | int]] | None = None
    sweep: dict[str, float] = {}
    for lr in st.lp_lrs or [st.lp_lr]:
        torch.manual_seed(seed)
        head = nn.Linear(ftr.shape[1], task.num_classes).to(ftr.device)

        def step(idx: np.ndarray, head: nn.Module = head) -> Tensor:
            return task_loss(task.kind, head(xtr[idx]), target[idx])

        def validate(head: nn.Module = head) -> float:
            pred = logits_to_pred(task.kind, head(xva))
            return metric_value(task.metric, unit_stats(task.kind, yva, pred, task.num_classes))

        info = train_early_stopping(
            head,
            [{"params": head.parameters(), "lr": lr}],
            len(xtr),
            step,
            validate,
            epochs=st.lp_epochs,
            patience=st.patience,
            batch_size=max(st.batch_size, 64),
            seed=seed,
            weight_decay=st.weight_decay,
        )
        sweep[f"{lr:g}"] = float(info["best_valid"])
        if best is None or info["best_valid"] > best[0] + 1e-9:
            best = (float(info["best_valid"]), head, {**info, "lr": lr})
    assert best is not None
    info = dict(best[2])
    info["lr_sweep_valid"] = sweep  # type: ignore[assignment]
    return best[1], info, norm


def knn_probe(
    model: nn.Module, dims: Sequence[int], task: TaskData, pre: Preprocessor, st: TrainSettings, seed: int
) -> ProtocolResult:
    """k-NN probe on frozen pooled features: cosine similarity, the ``k`` nearest training samples vote
    with weights ``exp(sim / 0.07)`` (DINO's weighted k-NN); multi-label: the weighted mean of the
    neighbours' label vectors thresholded at 0.5. No training, so ``seed`` changes nothing."""
    if task.kind == "segmentation":
        raise ValueError(f"{task.name}: the k-NN probe is for image-level tasks (use lp for segmentation)")
    model.to(pre.device)
    ftr, ytr = encode_split(model, task.splits["train"], pre, pooled=True, batch_size=st.eval_batch_size)
    bank = F.normalize(ftr[0], dim=1)
    k = min(st.knn_k, bank.shape[0])
    onehot = (
        torch.from_numpy(np.asarray(ytr)).float()
        if task.kind == "multilabel"
        else F.one_hot(torch.from_numpy(np.asarray(ytr)).long(), task.num_classes).float()
    ).to(bank.device)

    def predict(cond: Condition) -> Stats:
        f, y = encode_split(
            model, task.splits["test"], pre, pooled=True, cond=cond, batch_size=st.eval_batch_size
        )
        sim = F.normalize(f[0], dim=1) @ bank.T
        top, idx = sim.topk(k, dim=1)
        w = torch.exp(top / 0.07)
        votes = (w[..., None] * onehot[idx]).sum(1) / w.sum(1, keepdim=True)
        pred = (votes > 0.5).cpu().numpy() if task.kind == "multilabel" else votes.argmax(1).cpu().numpy()
        return unit_stats(task.kind, y, pred, task.num_classes)

    return ProtocolResult("knn", task.metric, predict(CLEAN), {"k": k, "n_bank": int(bank.shape[0])}, predict)


def _seg_probe(
    featurize: Callable[[Tensor], list[Tensor]],
    dims: Sequence[int],
    task: TaskData,
    pre: Preprocessor,
    st: TrainSettings,
    seed: int,
    name: str,
    model: nn.Module | None = None,
    *,
    s1_channels: bool = False,
) -> ProtocolResult:
    """A per-pixel linear head on ``featurize``'d input; ``s1_channels`` appends the task's Sentinel-1
    channels (resampled to the input size) to the normalised S2 input first (raw-band baseline)."""
    train, valid = task.splits["train"], task.splits["valid"]
    n_s2 = len(task.band_names)
    lab_hw = train.labels([0]).shape[-1]
    side = min(int(lab_hw), pre.input_size)  # train the head at the label's own resolution when smaller
    size = (side, side)

    @torch.no_grad()
    def feats(split: Split, cond: Condition = CLEAN) -> list[Tensor]:
        if model is not None:
            key = (id(model), id(split), id(pre), cond.name, False)
            if key in _FEATURES:
                return _FEATURES[key][0]
        chunks = []
        for bi, idx in enumerate(_batches(len(split), st.eval_batch_size, None)):
            raw, _ = split.batch(idx)
            x = pre(raw, cond, batch_seed=bi)
            if s1_channels:
                s1 = torch.from_numpy(pre.sentinel1(raw, n_s2, cond, batch_seed=bi)).to(x.device)
                x = torch.cat(
                    [x, F.interpolate(s1, size=x.shape[-2:], mode="bilinear", align_corners=False)], 1
                )
            chunks.append(featurize(x))
        out = [torch.cat([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        if model is not None:
            _FEATURES[(id(model), id(split), id(pre), cond.name, False)] = (out, np.empty(0))
            _ALIVE.extend((model, split, pre))
        return out

    ftr = feats(train)
    # per-channel standardisation with training statistics (a linear model, better conditioned)
    moments = [(f.mean((0, 2, 3), keepdim=True), f.std((0, 2, 3), keepdim=True).clamp_min(1e-6)) for f in ftr]

    def standardise(maps: list[Tensor]) -> list[Tensor]:
        z = [(m - mu) / sd for m, (mu, sd) in zip(maps, moments, strict=True)]
        return [torch.where(torch.isfinite(t), t, torch.zeros_like(t)) for t in z]  # absent → training mean

    ftr, fva = standardise(ftr), standardise(feats(valid))
    ytr = resize_labels(train.labels(np.arange(len(train))), side).to(pre.device)  # labels only
    best: tuple[float, nn.Module, dict[str, float | int]] | None = None
    sweep: dict[str, float] = {}
    for lr in st.lp_lrs or [st.lp_lr]:
        torch.manual_seed(seed)
        cand = StageLinearHead(dims, task.num_classes).to(pre.device)

        def step(idx: np.ndarray, head: nn.Module = cand) -> Tensor:
            return task_loss("segmentation", head([f[idx] for f in ftr], size), ytr[idx])

        def validate(head: nn.Module = cand) -> float:
            stats = _seg_eval_stats(
                lambda idx: head([f[idx] for f in fva], size), valid, task, st.eval_batch_size
            )
            return metric_value("miou", stats)

        info = train_early_stopping(
            cand,
            [{"params": cand.parameters(), "lr": lr}],
            len(train),
            step,
            validate,
            epochs=st.lp_epochs,
            patience=st.patience,
            batch_size=st.batch_size,
            seed=seed,
            weight_decay=st.weight_decay,
        )
        sweep[f"{lr:g}"] = float(info["best_valid"])
        if best is None or info["best_valid"] > best[0] + 1e-9:
            best = (float(info["best_valid"]), cand, {**info, "lr": lr})
    assert best is not None
    head = best[1]
    info = dict(best[2])
    info["lr_sweep_valid"] = sweep  # type: ignore[assignment]

    def predict(cond: Condition) -> Stats:
        fte = standardise(feats(task.splits["test"], cond))
        with torch.no_grad():
            return _seg_eval_stats(
                lambda idx: head([f[idx] for f in fte], size), task.splits["test"], task, st.eval_batch_size
            )

    return ProtocolResult(name, "miou", predict(CLEAN), info, predict)


# ---------------------------------------------------------------------------------------------
# fine-tuning


class PreparedBatches:
    """Map-style dataset over *index batches* of a split: item ``idx`` (an array of indices) is the
    ``(input, target)`` pair — read, band-aligned and normalised at the task's own size on the CPU,
    target at the encoder's size — so that DataLoader worker processes do the reading and preparation
    while the model trains; the input is resized to the encoder's size on the training device
    (:meth:`Preprocessor.resize`)."""

    def __init__(self, task: TaskData, split: Split, pre: Preprocessor) -> None:
        self.kind, self.split = task.kind, split
        self.pre = replace(pre, device="cpu", _cache={})

    def __getitem__(self, idx: np.ndarray) -> tuple[Tensor, Tensor]:
        raw, lab = self.split.batch(idx)
        x = self.pre.normalised(raw)
        if self.kind == "segmentation":
            target = resize_labels(lab, self.pre.input_size)
        else:
            target = torch.from_numpy(np.asarray(lab))
            target = target.long() if self.kind == "classification" else target
        return x, target


def training_batches(
    task: TaskData, split: Split, pre: Preprocessor, order: list[np.ndarray], workers: int
) -> Iterable[tuple[Tensor, Tensor]]:
    """The epoch's batches in ``order``; with ``workers`` > 0 read and prepared by that many DataLoader
    worker processes (a file- or memory-map-backed split; in-memory splits are read in place)."""
    from geomeld.evaluation.tasks import ArraySplit

    data = PreparedBatches(task, split, pre)
    if workers <= 0 or isinstance(split, ArraySplit) or len(order) < 2:
        return (data[idx] for idx in order)
    from torch.utils.data import DataLoader

    return DataLoader(
        data,  # type: ignore[arg-type]
        sampler=order,  # type: ignore[arg-type]
        batch_size=None,
        num_workers=min(workers, len(order)),
        pin_memory=pre.device.startswith("cuda"),
        prefetch_factor=2,
    )


def fine_tune(
    model: nn.Module, dims: Sequence[int], task: TaskData, pre: Preprocessor, st: TrainSettings, seed: int
) -> ProtocolResult:
    """Full fine-tuning of a *copy* of ``model`` with a linear (classification) or U-Net (segmentation) head."""
    torch.manual_seed(seed)
    enc = copy.deepcopy(model).to(pre.device)
    seg = task.kind == "segmentation"
    head: nn.Module = UNetDecoder(dims, task.num_classes) if seg else nn.Linear(dims[-1], task.num_classes)
    head.to(pre.device)
    net = nn.ModuleDict({"encoder": enc, "head": head})
    size = (pre.input_size, pre.input_size)
    train, valid, test = task.splits["train"], task.splits["valid"], task.splits["test"]

    def forward(x: Tensor) -> Tensor:
        if seg:
            return head(list(enc.forward_features(x)), size)  # type: ignore[operator]
        return head(enc.forward_pooled(x))  # type: ignore[operator]

    def step(batch: tuple[Tensor, Tensor]) -> Tensor:
        x, target = (t.to(pre.device, non_blocking=True) for t in batch)
        x = pre.resize(x)
        return task_loss(task.kind, forward(x), target, st.label_smoothing)

    def stats_of(split: Split, cond: Condition = CLEAN) -> Stats:
        out = []
        for bi, idx in enumerate(_batches(len(split), st.eval_batch_size, None)):
            raw, lab = split.batch(idx)
            logits = forward(pre(raw, cond, batch_seed=bi))
            if seg:
                logits = F.interpolate(logits, size=lab.shape[-2:], mode="bilinear", align_corners=False)
            pred = logits_to_pred(task.kind, logits)
            out.append(unit_stats(task.kind, lab, pred, task.num_classes, task.unit_block))
        return np.concatenate(out)

    info = train_early_stopping(
        net,
        [
            *layer_decay_groups(enc, st.ft_lr, st.layer_decay, st.ft_weight_decay),
            {"params": head.parameters(), "lr": st.head_lr, "weight_decay": st.ft_weight_decay},
        ],
        len(train),
        step,
        lambda: metric_value(task.metric, stats_of(valid)),
        epochs=st.ft_epochs,
        patience=st.patience,
        batch_size=st.batch_size,
        seed=seed,
        weight_decay=st.ft_weight_decay,
        warmup_fraction=st.warmup_fraction,
        fetch=lambda order: training_batches(task, train, pre, order, st.workers),
    )
    net.eval()

    @torch.no_grad()
    def predict(cond: Condition) -> Stats:
        return stats_of(test, cond)

    return ProtocolResult("ft", task.metric, predict(CLEAN), info, predict)


# ---------------------------------------------------------------------------------------------
# raw-band baseline


def band_summary_features(aligned: np.ndarray) -> Tensor:
    """``(B, C, H, W)`` band-aligned values (NaN = absent) → ``(B, 5·C)`` mean, std, p10, p50, p90 of
    each band's observed pixels; a band absent from an image gives NaN features, which the linear
    model's standardisation turns into the training mean (0 after standardisation)."""
    import warnings

    x = aligned.reshape(aligned.shape[0], aligned.shape[1], -1).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bands → NaN features, on purpose
        if np.isfinite(x).all():
            q = np.percentile(x, [10, 50, 90], axis=2)  # (3, B, C)
            f = np.concatenate([x.mean(2), x.std(2), *q], axis=1)
        else:
            q = np.nanpercentile(x, [10, 50, 90], axis=2)
            f = np.concatenate([np.nanmean(x, 2), np.nanstd(x, 2), *q], axis=1)
    return torch.from_numpy(f.astype(np.float32))


RAW_S1_NOTE = "raw S2+S1 bands + LR: the raw-band baseline with the task's Sentinel-1 bands as well"


def raw_band_baseline(
    task: TaskData, pre: Preprocessor, st: TrainSettings, seed: int, *, use_s1: bool = False
) -> ProtocolResult:
    """Per-band summary statistics + logistic regression (classification), per-pixel logistic
    regression (segmentation). ``use_s1``: the task's Sentinel-1 bands join the features (their
    summary statistics), so that Sentinel-1 conditions can be measured."""
    n_s2 = len(task.band_names)
    s1 = use_s1 and bool(task.s1_band_names)
    if task.kind == "segmentation":
        n_bands = len(pre.mapping.target) + (len(task.s1_band_names) if s1 else 0)
        return _seg_probe(lambda x: [x], [n_bands], task, pre, st, seed, "baseline", s1_channels=s1)

    def feats(split: Split, cond: Condition = CLEAN) -> tuple[Tensor, np.ndarray]:
        fs, ys = [], []
        for bi, idx in enumerate(_batches(len(split), st.eval_batch_size, None)):
            raw, lab = split.batch(idx)
            f = band_summary_features(pre.aligned(raw, cond, batch_seed=bi))
            if s1:
                f = torch.cat([f, band_summary_features(pre.sentinel1(raw, n_s2, cond, batch_seed=bi))], 1)
            fs.append(f)
            ys.append(lab)
        return torch.cat(fs), np.concatenate(ys)

    ftr, ytr = feats(task.splits["train"])
    fva, yva = feats(task.splits["valid"])
    head, info, norm = _fit_linear(ftr, ytr, fva, yva, task, st, seed)

    def predict(cond: Condition) -> Stats:
        f, y = feats(task.splits["test"], cond)
        with torch.no_grad():
            pred = logits_to_pred(task.kind, head(norm(f)))
        return unit_stats(task.kind, y, pred, task.num_classes)

    return ProtocolResult("baseline", task.metric, predict(CLEAN), info, predict)


def pixel_baseline(task: PixelTask, st: TrainSettings, seed: int) -> ProtocolResult:
    """Per-pixel logistic regression on a pixel task's own features (Slovenia: NDVI series + DEM)."""
    ftr = torch.from_numpy(task.features["train"])
    fva = torch.from_numpy(task.features["valid"])
    head, info, norm = _fit_linear(ftr, task.labels["train"], fva, task.labels["valid"], task, st, seed)
    with torch.no_grad():
        pred = logits_to_pred("segmentation", head(norm(torch.from_numpy(task.features["test"]))))
    stats = confusion_stats(task.labels["test"][:, None], pred[:, None], task.num_classes)
    return ProtocolResult("baseline", "miou", stats, info, None)
