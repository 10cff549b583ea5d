"""Image–text contrastive (ITC) branch: projection heads, learnable temperature, symmetric InfoNCE.

The vision embedding is the encoder's pooled last stage (visible cells only under a mask) through a
two-layer MLP; the text embedding is the frozen sentence encoder's output through a linear layer;
both are L2-normalised. Negatives are gathered from every DDP rank with a differentiable
all-gather. Samples without a caption neither act as positives nor as negatives; a batch with fewer
than two captioned samples (over all ranks) contributes an exact, graph-connected zero.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geomeld.core.distributed import gather_no_grad, gather_with_grad, rank
from geomeld.models.convnextv2 import _init_weights

MAX_LOGIT_SCALE = 100.0
BLOCKED_LOGIT = -1.0e9  # exp() underflows to exactly 0 next to any real logit (|logit| ≤ 100)


class ITCHead(nn.Module):
    def __init__(
        self, vision_dim: int, text_dim: int, embed_dim: int = 256, temperature_init: float = 0.07
    ) -> None:
        super().__init__()
        self.vision_proj = nn.Sequential(
            nn.Linear(vision_dim, vision_dim), nn.GELU(), nn.Linear(vision_dim, embed_dim)
        )
        self.text_proj = nn.Linear(text_dim, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / temperature_init)))
        self.apply(_init_weights)

    def forward(self, pooled: Tensor, text: Tensor) -> tuple[Tensor, Tensor]:
        img = F.normalize(self.vision_proj(pooled).float(), dim=-1)
        txt = F.normalize(self.text_proj(text.to(pooled.dtype)).float(), dim=-1)
        return img, txt

    @property
    def temperature(self) -> float:
        return float(1.0 / self.logit_scale.detach().clamp(max=math.log(MAX_LOGIT_SCALE)).exp())


def itc_loss(img: Tensor, txt: Tensor, has_text: Tensor, logit_scale: Tensor) -> tuple[Tensor, Tensor]:
    """Symmetric InfoNCE summed over this rank's captioned samples, and the global captioned count.

    Every rank must hold the same local batch size (the loader's drop-last batches do). No host
    synchronisation: captionless columns get a large negative logit (never a negative), captionless
    rows weight 0; with fewer than two captioned samples in the global batch every captioned row
    sees only its own column, so its loss and gradient are exactly 0.
    """
    b = img.shape[0]
    has_text = has_text.to(img.device)
    all_has = gather_no_grad(has_text)
    n_global = all_has.sum().to(torch.float32)
    all_img = gather_with_grad(img)
    all_txt = gather_with_grad(txt)
    scale = logit_scale.clamp(max=math.log(MAX_LOGIT_SCALE)).exp()
    labels = torch.arange(b, device=img.device) + rank() * b
    blocked = ~all_has.view(1, -1)
    logits_i2t = (scale * img @ all_txt.t()).masked_fill(blocked, BLOCKED_LOGIT)
    logits_t2i = (scale * txt @ all_img.t()).masked_fill(blocked, BLOCKED_LOGIT)
    rows = has_text.to(torch.float32)
    loss_i2t = F.cross_entropy(logits_i2t, labels, reduction="none")
    loss_t2i = F.cross_entropy(logits_t2i, labels, reduction="none")
    return 0.5 * ((loss_i2t + loss_t2i) * rows).sum(), n_global
