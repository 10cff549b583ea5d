"""Random patch masks (FCMAE / MMEarth), deterministic per training step.

A mask is a boolean ``(B, h, w)`` tensor on the patch grid, ``True`` = hidden from the encoder.
Masks are drawn for the *global* batch from a generator seeded by ``(seed, step, micro_step)`` and
each rank takes its slice: resumed runs and runs on any number of ranks see the same masks.
"""

from __future__ import annotations

import torch
from torch import Tensor


def random_patch_mask(
    batch_size: int, grid: tuple[int, int], ratio: float, generator: torch.Generator
) -> Tensor:
    """Exactly ``round(ratio · h · w)`` hidden patches per sample, chosen uniformly at random."""
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"mask ratio must be in (0, 1), got {ratio}")
    h, w = grid
    n = h * w
    n_hidden = min(max(round(ratio * n), 1), n - 1)
    noise = torch.rand(batch_size, n, generator=generator)
    order = noise.argsort(dim=1)
    mask = torch.zeros(batch_size, n, dtype=torch.bool)
    mask.scatter_(1, order[:, :n_hidden], True)
    return mask.view(batch_size, h, w)


def step_mask(
    *,
    seed: int,
    step: int,
    micro_step: int,
    global_batch: int,
    grid: tuple[int, int],
    ratio: float,
    rank: int = 0,
    local_batch: int | None = None,
) -> Tensor:
    """This rank's slice of the global-batch mask for one (step, micro-step)."""
    g = torch.Generator().manual_seed(hash((int(seed), int(step), int(micro_step))) & 0x7FFF_FFFF_FFFF_FFFF)
    mask = random_patch_mask(global_batch, grid, ratio, g)
    if local_batch is None:
        return mask
    return mask[rank * local_batch : (rank + 1) * local_batch]
