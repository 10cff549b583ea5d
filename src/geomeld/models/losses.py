"""Per-modality MP-MAE losses that ignore no-data pixels, absent modalities and visible patches.

Every function returns ``(sum, count)``: the summed loss over the elements that count and how many
there are. :func:`geomeld.core.distributed.global_mean` turns that into a mean over the global
batch, so an entirely absent modality gives an exact, graph-connected zero and never a NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geomeld.core.modalities import Modality
from geomeld.models.convnextv2 import upsample_mask


def _patches(x: Tensor, p: int) -> Tensor:
    """``(B, C, H, W)`` → ``(B, h, w, C·p·p)``."""
    b, c, h, w = x.shape
    x = x.reshape(b, c, h // p, p, w // p, p)
    return x.permute(0, 2, 4, 1, 3, 5).reshape(b, h // p, w // p, c * p * p)


def _unpatches(x: Tensor, c: int, p: int) -> Tensor:
    b, h, w, _ = x.shape
    return x.reshape(b, h, w, c, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h * p, w * p)


def patch_normalized(target: Tensor, weight: Tensor, patch_size: int, eps: float = 1e-6) -> Tensor:
    """MAE ``norm_pix_loss`` target: each patch standardised over its valid pixels of all bands."""
    c = target.shape[1]
    t, w = _patches(target, patch_size), _patches(weight, patch_size)
    n = w.sum(-1, keepdim=True)
    mean = (t * w).sum(-1, keepdim=True) / n.clamp_min(1.0)
    var = (((t - mean) ** 2) * w).sum(-1, keepdim=True) / (n - 1.0).clamp_min(1.0)
    return _unpatches((t - mean) / torch.sqrt(var + eps), c, patch_size)


def regression_loss(pred: Tensor, target: Tensor, weight: Tensor) -> tuple[Tensor, Tensor]:
    """Squared error summed where ``weight`` is 1, and the number of such elements."""
    err = (pred.float() - target.float()) ** 2
    return (err * weight).sum(), weight.sum()


def classification_loss(logits: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Cross-entropy summed over pixels whose class index is ≥ 0 (``-1`` = ignored)."""
    total = F.cross_entropy(logits.float(), target, ignore_index=-1, reduction="sum")
    return total, (target >= 0).sum().to(total.dtype)


def _require(batch: Mapping[str, Any], key: str) -> Any:
    if key not in batch:
        raise KeyError(
            f"batch has {key!r} for its modality but no {key!r} entry; batch keys: {sorted(batch)}"
        )
    return batch[key]


def modality_loss(
    modality: Modality,
    pred: Tensor,
    batch: Mapping[str, Any],
    mask: Tensor,
    patch_size: int,
    norm_pix: bool = False,
) -> tuple[Tensor, Tensor]:
    """The loss of one decoder on the hidden patches (``mask`` True) where the target is real data.

    A modality missing from the batch, absent for a sample (``present_<key>`` False) or no-data at a
    pixel (``<key>_valid`` False / class index -1) contributes nothing.
    """
    key = modality.key
    zero = pred.sum() * 0.0
    if key not in batch:
        return zero, torch.zeros((), device=pred.device)
    target = batch[key]
    b = pred.shape[0]
    present = batch.get(f"present_{key}")
    present = (
        torch.ones(b, dtype=torch.bool, device=pred.device) if present is None else present.to(pred.device)
    )
    hidden = upsample_mask(mask, (pred.shape[-2], pred.shape[-1]))
    if modality.classes is not None:
        if target.shape != (b, *pred.shape[-2:]):
            raise ValueError(f"batch[{key!r}] must be (B, H, W) class indices, got {tuple(target.shape)}")
        n_cls = modality.classes.num_classes
        # checked on CPU only: on a GPU this would be a host sync per step (the loader maps class
        # codes through the registry's table, so indices are already < n_cls there)
        if target.device.type == "cpu" and target.numel() and int(target.max()) >= n_cls:
            raise ValueError(f"batch[{key!r}] holds class index {int(target.max())} ≥ {n_cls} classes")
        keep = hidden & present.view(b, 1, 1)
        return classification_loss(pred, torch.where(keep, target, torch.full_like(target, -1)))
    valid = _require(batch, f"{key}_valid")
    if target.shape != pred.shape:
        raise ValueError(
            f"batch[{key!r}] has shape {tuple(target.shape)}; its decoder predicts {tuple(pred.shape)}"
        )
    weight = (valid & hidden.unsqueeze(1) & present.view(b, 1, 1, 1)).to(torch.float32)
    target = target.float()
    if norm_pix:
        target = patch_normalized(target, valid.to(torch.float32), patch_size)
    return regression_loss(pred, target, weight)


class LossWeighting(nn.Module):
    """Combine per-modality losses: fixed weights, or learned uncertainty weights (Kendall et al.).

    Uncertainty weighting (MMEarth ``--loss_aggr uncertainty``): ``Σ_k exp(-s_k) · L_k + s_k`` with a
    learned log-variance ``s_k`` per modality. A modality that is absent from the whole (global)
    batch gets factor 0, so neither its loss nor its ``s_k`` regulariser moves anything.
    """

    def __init__(
        self, keys: list[str], mode: str = "uncertainty", weights: Mapping[str, float] | None = None
    ) -> None:
        super().__init__()
        if mode not in ("uncertainty", "fixed"):
            raise ValueError(f"loss weighting must be 'uncertainty' or 'fixed', got {mode!r}")
        unknown = set(weights or {}) - set(keys)
        if unknown:
            raise ValueError(f"loss weights for unknown targets {sorted(unknown)}; targets are {keys}")
        self.mode = mode
        self.keys = keys
        self.fixed = {k: float((weights or {}).get(k, 1.0)) for k in keys}
        if mode == "uncertainty":
            self.log_vars = nn.ParameterDict({k: nn.Parameter(torch.zeros(())) for k in keys})

    def forward(self, losses: Mapping[str, Tensor], active: Mapping[str, Tensor]) -> Tensor:
        total = torch.zeros((), device=next(iter(losses.values())).device)
        for k in self.keys:
            on = active[k].to(total.dtype)
            if self.mode == "uncertainty":
                s = self.log_vars[k]
                total = total + on * (torch.exp(-s) * losses[k] + s)
            else:
                total = total + on * self.fixed[k] * losses[k]
        return total
