"""Conv-JEPA: a light convolutional predictor, the EMA target encoder schedule and the JEPA loss.

The context is the online encoder's last stage on the masked input (shared with MP-MAE). The
predictor projects it to a narrow width, puts a learned mask token at every hidden cell, runs a few
ConvNeXt V2 blocks and projects back to the encoder width. Targets come from the EMA target encoder
(no gradient), layer-normed over channels, and are compared at the hidden cells with smooth-L1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geomeld.models.convnextv2 import Block, LayerNorm2d, _init_weights


class ConvPredictor(nn.Module):
    def __init__(self, encoder_dim: int, dim: int = 128, depth: int = 2) -> None:
        super().__init__()
        self.proj = nn.Conv2d(encoder_dim, dim, 1)
        self.mask_token = nn.Parameter(torch.zeros(1, dim, 1, 1))
        self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        self.norm = LayerNorm2d(dim)
        self.out = nn.Conv2d(dim, encoder_dim, 1)
        self.apply(_init_weights)
        nn.init.trunc_normal_(self.mask_token, std=0.02)

    def forward(self, z_ctx: Tensor, mask: Tensor) -> Tensor:
        hidden = mask.unsqueeze(1).to(z_ctx.dtype)
        x = self.proj(z_ctx)
        x = x * (1.0 - hidden) + self.mask_token.to(x.dtype) * hidden
        for block in self.blocks:
            x = block(x)
        return self.out(self.norm(x))


def jepa_targets(z_tgt: Tensor) -> Tensor:
    """Target features layer-normed over channels (no affine), as in I-JEPA."""
    return F.layer_norm(z_tgt.float().permute(0, 2, 3, 1), (z_tgt.shape[1],)).permute(0, 3, 1, 2)


def jepa_loss(pred: Tensor, target: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """Smooth-L1 summed over channels at hidden cells, and the element count."""
    weight = mask.unsqueeze(1).to(torch.float32)
    err = F.smooth_l1_loss(pred.float(), target.detach().float(), reduction="none")
    return (err * weight).sum(), weight.sum() * pred.shape[1]


def ema_momentum(step: int, total_steps: int, start: float = 0.996, end: float = 1.0) -> float:
    """Linear EMA momentum schedule from ``start`` at step 0 to ``end`` at ``total_steps``."""
    if total_steps <= 0:
        return end
    return start + (end - start) * min(max(step, 0), total_steps) / total_steps


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """``θ_t ← m · θ_t + (1 - m) · θ_o`` for every parameter (and floating buffer)."""
    t_params: list[Tensor] = [p for p in target.parameters()]
    o_params: list[Tensor] = [p.detach() for p in online.parameters()]
    torch._foreach_mul_(t_params, momentum)
    torch._foreach_add_(t_params, o_params, alpha=1.0 - momentum)
    for tb, ob in zip(target.buffers(), online.buffers(), strict=True):
        if tb.dtype.is_floating_point:
            tb.mul_(momentum).add_(ob.detach(), alpha=1.0 - momentum)
