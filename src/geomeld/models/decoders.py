"""Multi-pretext (MP-MAE) decoders: one light decoder per pretraining target of the registry.

Each decoder (MMEarth ``FCMAE``): 1×1 projection of the encoder's last stage to ``dim``, a learned
mask token at hidden cells, ``depth`` ConvNeXt V2 blocks, a 1×1 head to ``patch² · C`` and a pixel
shuffle back to full resolution. ``C`` is the band count for regression targets and the class count
for segmentation targets; the registry (:func:`geomeld.core.modalities.pretraining_targets`) decides.

**Block sharing (decided):** ``shared_blocks=True`` (our default) uses *one* stack of decoder blocks
for every modality, as MMEarth's code does implicitly (it puts the same ``Block`` objects in every
decoder). Projections, mask tokens and heads stay per modality. Sharing keeps the decoder parameter
count independent of the number of modalities (2.1 M per 512-wide block instead of 6 × that) and
forces the blocks to learn features common to all targets; ``shared_blocks=False`` gives each
modality its own blocks. Compute is the same either way (each modality runs the blocks on its own
projection).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geomeld.core.modalities import Modality
from geomeld.models.convnextv2 import Block, _init_weights


def output_channels(modality: Modality) -> int:
    """Channels a decoder predicts per pixel: classes for segmentation, bands for regression."""
    return modality.classes.num_classes if modality.classes is not None else modality.num_bands


class MultiPretextDecoders(nn.Module):
    def __init__(
        self,
        targets: Sequence[Modality],
        encoder_dim: int,
        patch_size: int,
        dim: int = 512,
        depth: int = 1,
        shared_blocks: bool = True,
    ) -> None:
        super().__init__()
        if not targets:
            raise ValueError("at least one pretraining target is needed")
        self.keys = [m.key for m in targets]
        self.patch_size = patch_size
        self.shared_blocks = shared_blocks
        self.proj = nn.ModuleDict({m.key: nn.Conv2d(encoder_dim, dim, 1) for m in targets})
        self.mask_token = nn.ParameterDict({m.key: nn.Parameter(torch.zeros(1, dim, 1, 1)) for m in targets})
        if shared_blocks:
            self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        else:
            self.blocks_per_modality = nn.ModuleDict(
                {m.key: nn.ModuleList(Block(dim) for _ in range(depth)) for m in targets}
            )
        self.head = nn.ModuleDict(
            {m.key: nn.Conv2d(dim, patch_size**2 * output_channels(m), 1) for m in targets}
        )
        self.apply(_init_weights)
        for token in self.mask_token.values():
            nn.init.trunc_normal_(token, std=0.02)

    def _blocks(self, key: str) -> nn.ModuleList:
        return self.blocks if self.shared_blocks else self.blocks_per_modality[key]  # type: ignore[return-value]

    def forward(self, z: Tensor, mask: Tensor) -> dict[str, Tensor]:
        """Per-target predictions at full resolution ``(B, C, h·p, w·p)`` from the last stage ``z``."""
        hidden = mask.unsqueeze(1).to(z.dtype)
        out: dict[str, Tensor] = {}
        for key in self.keys:
            x = self.proj[key](z)
            x = x * (1.0 - hidden) + self.mask_token[key].to(x.dtype) * hidden
            for block in self._blocks(key):
                x = block(x)
            out[key] = F.pixel_shuffle(self.head[key](x), self.patch_size)
        return out
