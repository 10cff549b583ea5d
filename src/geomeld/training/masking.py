"""Random patch masks (FCMAE / MMEarth), deterministic per training step.

A mask is a boolean ``(B, h, w)`` tensor on the patch grid, ``True`` = hidden from the encoder.
Masks are drawn for all samples of an optimizer step from a generator seeded by ``(seed, step)``
and each (rank, micro-batch) takes its slice: resumed runs and runs on any number of ranks see the same masks.
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
    global_batch: int,
    grid: tuple[int, int],
    ratio: float,
    start: int = 0,
    count: int | None = None,
) -> Tensor:
    """Rows ``start … start + count`` of the mask of one optimizer step.

    ``global_batch`` counts every sample of the step (micro-batches × ranks × local batch); a rank's
    micro-batch takes ``start = micro · (ranks · local) + rank · local``. Gradient accumulation and
    any number of ranks therefore see exactly the masks of one big batch.
    """
    g = torch.Generator().manual_seed((int(seed) * 1_000_003 + int(step)) & 0x7FFF_FFFF_FFFF_FFFF)
    mask = random_patch_mask(global_batch, grid, ratio, g)
    return mask[start : start + (global_batch - start if count is None else count)]
