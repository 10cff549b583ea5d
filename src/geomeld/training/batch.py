"""The Batch contract (see the team brief) as code: a validator and a synthetic batch factory.

A batch is a dict. For every continuous modality ``K``: ``batch[K]`` float32 ``(B, C, S, S)``
normalised, no-data = 0.0, full registry band order, and ``batch[K + "_valid"]`` bool of the same
shape; for every categorical ``K``: ``batch[K]`` int64 ``(B, S, S)`` class indices, -1 = no-data;
``batch["present_" + K]`` bool ``(B,)``; ``batch["key"]`` and ``batch["caption"]`` lists of str.

:func:`synthetic_batch` makes random batches that follow the contract exactly. They are **not
data**: they exercise the model, losses and engine in unit tests and benchmarks only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

import torch
from torch import Tensor

from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import MODALITIES, Modality, encoder_input, get_layout

Batch = MutableMapping[str, Any]


class BatchError(GeomeldError, ValueError):
    """A batch violates the Batch contract or holds values the model must not train on."""


def batch_size_of(batch: Mapping[str, Any]) -> int:
    return int(batch[encoder_input().key].shape[0])


def check_batch_shapes(batch: Mapping[str, Any], crop: int | None = None) -> None:
    """Raise :class:`BatchError` naming the key when the encoder input is missing or malformed.

    Looks at shapes and dtypes only (no values: no scan of the data, no device synchronisation).
    """
    m = encoder_input()
    if m.key not in batch:
        raise BatchError(f"batch has no {m.key!r} (the encoder input); keys: {sorted(batch)}")
    x = batch[m.key]
    if not isinstance(x, Tensor) or x.ndim != 4 or x.shape[1] != m.num_bands or not x.is_floating_point():
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise BatchError(
            f"batch[{m.key!r}] must be float (B, {m.num_bands}, S, S) in registry band order, got {shape}"
        )
    if crop is not None and tuple(x.shape[-2:]) != (crop, crop):
        raise BatchError(
            f"batch[{m.key!r}] is {tuple(x.shape[-2:])} pixels; the config expects {crop}×{crop} crops"
        )


def finite_flags(batch: Mapping[str, Any]) -> dict[str, Tensor]:
    """``{key: all values finite}`` as 0-d bool tensors on the batch's device (no host sync)."""
    return {
        key: torch.isfinite(value).all()
        for key, value in batch.items()
        if isinstance(value, Tensor) and value.is_floating_point() and key != "caption_embedding"
    }


def check_batch(batch: Mapping[str, Any], crop: int | None = None) -> None:
    """Shapes (:func:`check_batch_shapes`) and values: raise when a float tensor holds NaN/inf.

    The value check synchronises with the device; the engine uses :func:`finite_flags` instead and
    reads the flags at log intervals.
    """
    check_batch_shapes(batch, crop)
    for key, ok in finite_flags(batch).items():
        if not bool(ok):
            keys = batch.get("key", [])
            raise BatchError(
                f"batch[{key!r}] contains NaN/inf (tiles {list(keys)[:8]}); the loader must set no-data to 0.0 "
                "and mark it in the *_valid mask"
            )


def to_device(batch: Mapping[str, Any], device: torch.device) -> Batch:
    return {k: (v.to(device, non_blocking=True) if isinstance(v, Tensor) else v) for k, v in batch.items()}


def batch_modalities(layout: str = "standard") -> list[Modality]:
    """The 10 m modalities a standard batch carries (NAIP is not batched by default)."""
    return [
        MODALITIES[k]
        for k in get_layout(layout).modality_keys
        if MODALITIES[k].size == MODALITIES["sentinel2"].size
    ]


def synthetic_batch(
    batch_size: int,
    size: int = 112,
    seed: int = 0,
    captions: Sequence[str] | None = None,
    absent: Iterable[str] = (),
    nodata_fraction: float = 0.1,
) -> Batch:
    """A random batch that follows the Batch contract (for tests and benchmarks only).

    ``absent`` modalities are entirely missing (``present_K`` False, all pixels invalid / -1);
    ``nodata_fraction`` of the other pixels are no-data.
    """
    g = torch.Generator().manual_seed(seed)
    absent = set(absent)
    batch: Batch = {}
    for m in batch_modalities():
        present = torch.full((batch_size,), m.key not in absent, dtype=torch.bool)
        if m.classes is not None:
            target = torch.randint(0, m.classes.num_classes, (batch_size, size, size), generator=g)
            nodata = torch.rand(batch_size, size, size, generator=g) < nodata_fraction
            target[nodata | ~present.view(-1, 1, 1)] = -1
            batch[m.key] = target
        else:
            valid = torch.rand(batch_size, m.num_bands, size, size, generator=g) >= nodata_fraction
            valid &= present.view(-1, 1, 1, 1)
            x = torch.randn(batch_size, m.num_bands, size, size, generator=g)
            batch[m.key] = torch.where(valid, x, torch.zeros_like(x))
            batch[f"{m.key}_valid"] = valid
        batch[f"present_{m.key}"] = present
    batch["key"] = [f"synthetic-{seed}-{i}" for i in range(batch_size)]
    batch["caption"] = list(captions) if captions is not None else [""] * batch_size
    return batch
