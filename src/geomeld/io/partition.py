"""How the samples of an epoch are split over ranks and DataLoader workers (no duplicates, no gaps).

Each epoch has one global order: the shards in a seeded permutation of ``(seed, epoch)`` (given order
when ``shuffle=False``), each shard's samples in member order, read from the shard index, so the split
is by *sample*, not by shard (3 shards on 2 ranks × 2 workers is fine). With N samples and R ranks:

* ``uneven="drop"`` (default, training): every rank gets ``N // R`` consecutive samples of that
  order; the last ``N % R`` samples are left out this epoch (different ones next epoch when
  shuffling). ``uneven="pad"``: every rank gets ``ceil(N / R)``; the first samples of the order are
  repeated to fill the last rank (evaluation with ``R = 1`` never pads or drops).
* inside a rank, DataLoader worker w of W gets the w-th of W consecutive, near-equal blocks (sizes
  differ by at most one); every sample of the rank goes to exactly one worker.
* each worker passes its block through a shuffle buffer (``shuffle_buffer`` indices, seeded by
  ``(seed, epoch, rank, worker)``).

Everything here is pure index arithmetic on lists of sample positions; :mod:`geomeld.io.loader` uses it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch

Uneven = Literal["drop", "pad"]


def dist_rank_world() -> tuple[int, int]:
    """``(rank, world_size)`` of the initialised ``torch.distributed`` group, ``(0, 1)`` without one."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def shuffle_buffer_order(items: Sequence[int], buffer: int, rng: np.random.Generator) -> list[int]:
    """Classic streaming shuffle buffer over ``items`` (deterministic for a given ``rng``)."""
    if buffer <= 1:
        return list(items)
    out: list[int] = []
    buf: list[int] = []
    for it in items:
        if len(buf) < buffer:
            buf.append(it)
            continue
        j = int(rng.integers(len(buf)))
        out.append(buf[j])
        buf[j] = it
    rng.shuffle(buf)  # type: ignore[arg-type]
    out.extend(buf)
    return out


def blocks(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive ``(lo, hi)`` blocks covering ``range(n)``, sizes differing by at most one."""
    return [(p * n // parts, (p + 1) * n // parts) for p in range(parts)]


def epoch_order(shard_rows: Sequence[Sequence[int]], shuffle: bool, seed: int, epoch: int) -> list[int]:
    """The global sample order of one epoch: shards permuted by ``(seed, epoch)``, members in order."""
    shard_ids = list(range(len(shard_rows)))
    if shuffle:
        np.random.default_rng([seed, epoch, 0x5A4D]).shuffle(shard_ids)
    return [i for s in shard_ids for i in shard_rows[s]]


def rank_share(order: list[int], rank: int, world: int, uneven: Uneven) -> list[int]:
    """The consecutive share of ``order`` that ``rank`` of ``world`` reads (``drop`` or ``pad`` the rest)."""
    n = len(order)
    if uneven == "drop":
        per = n // world
    else:
        per = math.ceil(n / world) if n else 0
        while len(order) < per * world:
            order = order + order[: per * world - len(order)]
    return order[rank * per : (rank + 1) * per]


def worker_share(
    items: list[int],
    worker: int,
    num_workers: int,
    *,
    shuffle: bool,
    shuffle_buffer: int,
    seed: int,
    epoch: int,
    rank: int,
) -> list[int]:
    """One worker's block of a rank's ``items``, passed through the seeded shuffle buffer."""
    lo, hi = blocks(len(items), num_workers)[worker]
    mine = items[lo:hi]
    if shuffle:
        rng = np.random.default_rng([seed, epoch, rank, worker, 0xB0F])
        mine = shuffle_buffer_order(mine, shuffle_buffer, rng)
    return mine


def delivered_per_worker(
    counts: list[int], batch_size: int, drop_last: bool, batches: int
) -> tuple[list[int], int]:
    """Samples each worker had delivered after ``batches`` batches (round-robin, exhausted workers
    skipped), and the worker that delivers the next batch."""
    per_worker = [(c // batch_size if drop_last else math.ceil(c / batch_size)) for c in counts]
    done = [0] * len(counts)
    if batches > sum(per_worker):
        raise ValueError(
            f"resume position {batches} is past the end of the epoch ({sum(per_worker)} batches)"
        )
    w = 0
    for _ in range(batches):
        while done[w] >= per_worker[w]:
            w = (w + 1) % len(counts)
        done[w] += 1
        w = (w + 1) % len(counts)
    return [min(d * batch_size, c) for d, c in zip(done, counts, strict=True)], w
