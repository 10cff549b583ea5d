"""Small helpers around ``torch.distributed`` that are no-ops in a single process."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist
from torch import Tensor


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def all_reduce_sum(x: Tensor) -> Tensor:
    """Sum of ``x`` over all ranks (no gradient; ``x`` itself is left untouched)."""
    out = x.detach().clone()
    if is_distributed():
        if dist.get_backend() == "nccl" and out.device.type != "cuda":  # NCCL reduces CUDA tensors only
            moved = out.cuda()
            dist.all_reduce(moved, op=dist.ReduceOp.SUM)
            return moved.to(out.device)
        dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out


def global_mean(total: Tensor, count: Tensor) -> tuple[Tensor, Tensor]:
    """``total`` divided by the count summed over all ranks, scaled for DDP's gradient averaging.

    Each rank contributes ``total_r`` (with gradient) and ``count_r`` elements. DDP averages
    gradients over ``W`` ranks, so returning ``W · total_r / Σ count`` makes the averaged gradient
    exactly that of the global mean ``Σ total / Σ count`` — training on W ranks equals training on
    one process with the same global batch. Returns ``(loss, global_count)``; with a global count
    of 0 the loss is an exact zero that still touches the graph (no NaN, every parameter used).
    """
    n = all_reduce_sum(count.to(torch.float64)).to(total.dtype)
    return total * world_size() / n.clamp_min(1.0), n


def gather_with_grad(x: Tensor) -> Tensor:
    """Concatenate ``x`` from every rank along dim 0; gradients flow back to each rank's part.

    Uses the autograd-aware functional collective (``all_gather_single_autograd``; on older torch
    ``all_gather_tensor_autograd``) instead of the deprecated ``torch.distributed.nn.functional.all_gather``.
    """
    if not is_distributed() or world_size() == 1:
        return x
    import torch.distributed._functional_collectives as fc

    gather = getattr(fc, "all_gather_single_autograd", None)
    if gather is None:
        gather = fc.all_gather_tensor_autograd
    out = gather(x.contiguous(), 0, dist.group.WORLD)  # type: ignore[arg-type]
    return fc.wait_tensor(out) if isinstance(out, fc.AsyncCollectiveTensor) else out


def gather_no_grad(x: Tensor) -> Tensor:
    if not is_distributed() or world_size() == 1:
        return x
    parts = [torch.empty_like(x) for _ in range(world_size())]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts, dim=0)


def init_from_env(device: torch.device) -> bool:
    """Initialise the default process group when launched by ``torchrun`` (``WORLD_SIZE`` > 1).

    NCCL on CUDA, gloo on CPU. Returns True when this call initialised it.
    """
    if is_distributed() or int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return True
