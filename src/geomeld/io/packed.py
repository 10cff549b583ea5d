"""Reading packs (:mod:`geomeld.io.pack`): batches in compact dtypes, finished on the device.

:func:`make_packed_loader` has the loader API of :func:`geomeld.io.loader.make_loader`
(``len``, ``set_epoch``, iteration, ``state_dict``/``load_state_dict``, ``epoch``) and yields
*host* batches: every modality at 128 px in its pack dtype (float16 / uint8), the stored-presence
flags, the caption embeddings, per-sample crop offsets and the keys. :func:`finish_batch` turns
one into the Batch contract on the device (crop, ``(x - mean) / std``, no-data → 0 with
``*_valid`` masks, class index -1, ``present_*``).

Order and resume. An epoch is one seeded permutation of all samples (``(seed, epoch)``), split into
equal contiguous parts per rank (the last ``N mod R`` samples are left out that epoch) and cut into
batches of ``batch_size`` (the last partial batch dropped with ``drop_last``). The batch plan is made
in the main process and workers only fetch the batch they are handed, so the order does not
depend on the number of workers, and resuming at batch ``k`` starts the plan at ``k``: nothing
consumed is read again, and a different worker count resumes exactly. Random crops are seeded per
sample by ``(seed, epoch, sample)``. The DataLoader gets its own generator, so opening an epoch
never draws from the global RNG (which drives drop-path).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Sampler

from geomeld.core.modalities import MODALITIES
from geomeld.io.pack import CLASS_NODATA, PACK_SUFFIX, PackError, read_pack_meta
from geomeld.io.stats import NormStats


def resolve_packs(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Pack folders from folders that are packs or hold ``*.pack`` folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.name.endswith(PACK_SUFFIX) and p.is_dir():
            out.append(p)
        elif p.is_dir() and sorted(p.glob(f"*{PACK_SUFFIX}")):
            out += sorted(q for q in p.glob(f"*{PACK_SUFFIX}") if q.is_dir())
        else:
            raise PackError(f"{p}: no pack folder (*{PACK_SUFFIX}); create packs with `geomeld pack`")
    return out


class PackedDataset(Dataset):  # type: ignore[type-arg]
    """Map-style: ``ds[(epoch, indices)]`` → one host batch (numpy views copied into tensors)."""

    def __init__(
        self,
        packs: Sequence[str | os.PathLike[str]],
        *,
        crop_size: int = 112,
        crop: str = "random",
        seed: int = 0,
    ) -> None:
        self.packs = resolve_packs(packs)
        metas = [read_pack_meta(p) for p in self.packs]
        self.meta = metas[0]
        for p, m in zip(self.packs, metas, strict=True):
            if [x["key"] for x in m["modalities"]] != [x["key"] for x in self.meta["modalities"]]:
                raise PackError(
                    f"{p}: its modalities differ from {self.packs[0]}'s; repack with one geomeld version"
                )
            if m.get("caption_dim") != self.meta.get("caption_dim") or m.get("text_encoder") != self.meta.get(
                "text_encoder"
            ):
                raise PackError(
                    f"{p}: caption embeddings ({m.get('text_encoder')}) differ from {self.packs[0]}'s"
                )
        self.keys_mod = [x["key"] for x in self.meta["modalities"]]
        self.size = int(self.meta["size"])
        if not 0 < crop_size <= self.size:
            raise ValueError(f"crop_size must be in 1..{self.size}, got {crop_size}")
        self.crop_size = crop_size
        self.crop = crop
        self.seed = seed
        self.counts = [int(m["samples"]) for m in metas]
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)]).astype(np.int64)
        self.caption_dim: int | None = self.meta.get("caption_dim")
        self.text_encoder: str | None = self.meta.get("text_encoder")
        self._arrays: list[dict[str, np.ndarray]] | None = None
        self._keys: list[list[str]] | None = None

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def _open(self) -> tuple[list[dict[str, np.ndarray]], list[list[str]]]:
        if self._arrays is None or self._keys is None:  # lazily, in each worker
            names = [*self.keys_mod, "present"] + (
                ["caption_embedding", "has_caption"] if self.caption_dim else []
            )
            self._arrays = [{k: np.load(p / f"{k}.npy", mmap_mode="r") for k in names} for p in self.packs]
            self._keys = [json.loads((p / "keys.json").read_text()) for p in self.packs]
        return self._arrays, self._keys

    def crop_offsets(self, epoch: int, index: int) -> tuple[int, int]:
        if self.crop != "random" or self.crop_size == self.size:
            c = (self.size - self.crop_size) // 2
            return c, c
        rng = np.random.default_rng([self.seed, epoch, index, 0xC407])
        y, x = (int(v) for v in rng.integers(0, self.size - self.crop_size + 1, size=2))
        return y, x

    def __getitem__(self, item: tuple[int, Sequence[int]]) -> dict[str, Any]:
        epoch, indices = item
        arrays, keys = self._open()
        b = len(indices)
        where = np.searchsorted(self.offsets, np.asarray(indices), side="right") - 1
        first = arrays[0]
        out: dict[str, Any] = {
            k: torch.empty((b, *first[k].shape[1:]), dtype=_torch_dtype(first[k].dtype)) for k in first
        }
        views = {k: t.numpy() for k, t in out.items()}
        names: list[str] = []
        offsets = np.empty((b, 2), dtype=np.int16)
        for j, (i, p) in enumerate(zip(indices, where.tolist(), strict=True)):
            row = int(i) - int(self.offsets[p])
            src = arrays[p]
            for k, v in views.items():
                v[j] = src[k][row]
            names.append(keys[p][row])
            offsets[j] = self.crop_offsets(epoch, int(i))
        out["key"] = names
        out["crop_yx"] = torch.from_numpy(offsets)
        return out


def _torch_dtype(dt: np.dtype[Any]) -> torch.dtype:
    return torch.from_numpy(np.empty(0, dtype=dt)).dtype


class _Plan(Sampler):  # type: ignore[type-arg]
    """The batch plan of one epoch for one rank, from batch ``start`` on: items ``(epoch, indices)``."""

    def __init__(self, loader: PackedLoader) -> None:
        self.loader = loader

    def __iter__(self) -> Iterator[tuple[int, list[int]]]:
        ld = self.loader
        for k, idx in enumerate(ld.batch_plan(ld.epoch)):
            if k >= ld.batches:
                yield ld.epoch, idx

    def __len__(self) -> int:
        return len(self.loader) - self.loader.batches


class PackedLoader:
    """Loader over packs with :class:`~geomeld.io.loader.GeoMeldLoader`'s API (host batches)."""

    def __init__(
        self,
        dataset: PackedDataset,
        *,
        batch_size: int,
        num_workers: int = 0,
        drop_last: bool = True,
        shuffle: bool = True,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        pin_memory: bool = False,
        persistent_workers: bool = True,
        prefetch_factor: int = 4,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.drop_last = drop_last
        self.shuffle = shuffle
        self.seed = seed
        self.rank, self.world_size = rank, world_size
        self.epoch = 0
        self.batches = 0
        kwargs: dict[str, Any] = {}
        if num_workers > 0:
            kwargs = {"persistent_workers": persistent_workers, "prefetch_factor": prefetch_factor}
        self.loader: DataLoader[Any] = DataLoader(
            dataset,
            batch_size=None,
            sampler=_Plan(self),
            num_workers=num_workers,
            pin_memory=pin_memory and torch.cuda.is_available(),
            generator=torch.Generator().manual_seed(seed),
            **kwargs,
        )

    def rank_items(self, epoch: int) -> np.ndarray:
        n = len(self.dataset)
        order = np.arange(n)
        if self.shuffle:
            order = np.random.default_rng([self.seed, epoch, 0x9AC]).permutation(n)
        per = n // self.world_size
        return order[self.rank * per : (self.rank + 1) * per]

    def batch_plan(self, epoch: int) -> list[list[int]]:
        items = self.rank_items(epoch).tolist()
        b = self.batch_size
        stop = len(items) - len(items) % b if self.drop_last else len(items)
        return [items[i : i + b] for i in range(0, stop, b)]

    def __len__(self) -> int:
        per = len(self.dataset) // self.world_size
        return per // self.batch_size if self.drop_last else -(-per // self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)
        self.batches = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for batch in self.loader:
            self.batches += 1
            yield batch
        self.epoch += 1
        self.batches = 0

    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "batches": self.batches,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "world_size": self.world_size,
            "num_workers": self.num_workers,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Resume at a batch position: exact for any worker count (the plan does not depend on it)."""
        for name in ("seed", "batch_size", "world_size"):
            if state[name] != self.state_dict()[name]:
                raise ValueError(
                    f"cannot resume: state has {name}={state[name]}, this loader has {self.state_dict()[name]} "
                    "(the sample order depends on it)"
                )
        self.epoch = int(state["epoch"])
        self.batches = int(state["batches"])
        if self.batches > len(self):
            raise ValueError(
                f"resume position {self.batches} is past the end of the epoch ({len(self)} batches)"
            )


def make_packed_loader(
    packs: Sequence[str | os.PathLike[str]],
    *,
    batch_size: int = 32,
    num_workers: int = 0,
    drop_last: bool = True,
    crop_size: int = 112,
    crop: str = "random",
    shuffle: bool = True,
    seed: int = 0,
    rank: int | None = None,
    world_size: int | None = None,
    pin_memory: bool = False,
    persistent_workers: bool = True,
) -> PackedLoader:
    if rank is None or world_size is None:
        r, w = 0, 1
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            r, w = torch.distributed.get_rank(), torch.distributed.get_world_size()
        rank = r if rank is None else rank
        world_size = w if world_size is None else world_size
    ds = PackedDataset(packs, crop_size=crop_size, crop=crop, seed=seed)
    return PackedLoader(
        ds,
        batch_size=batch_size,
        num_workers=num_workers,
        drop_last=drop_last,
        shuffle=shuffle,
        seed=seed,
        rank=rank,
        world_size=world_size,
        pin_memory=pin_memory,
        persistent_workers=persistent_workers,
    )


class DeviceNorm:
    """Per-modality ``mean`` / ``1/std`` tensors on a device (from the stats JSON)."""

    def __init__(self, stats: NormStats, keys: Sequence[str], device: torch.device) -> None:
        self.mean: dict[str, Tensor] = {}
        self.inv: dict[str, Tensor] = {}
        for k in keys:
            m = MODALITIES[k]
            if m.is_categorical:
                continue
            self.mean[k] = torch.as_tensor(stats.mean[k], dtype=torch.float32, device=device).view(
                1, -1, 1, 1
            )
            self.inv[k] = (1.0 / torch.as_tensor(stats.std[k], dtype=torch.float32, device=device)).view(
                1, -1, 1, 1
            )


def _crop(x: Tensor, yx: Tensor, s: int) -> Tensor:
    """Per-sample ``s × s`` windows at ``yx`` (B, 2) of ``x`` (B, …, H, W), one gather."""
    b = x.shape[0]
    ar = torch.arange(s, device=x.device)
    rows = (yx[:, 0:1].long() + ar).view(b, s, 1)
    cols = (yx[:, 1:2].long() + ar).view(b, 1, s)
    bi = torch.arange(b, device=x.device).view(b, 1, 1)
    if x.ndim == 3:
        return x[bi, rows, cols]
    return x.permute(0, 2, 3, 1)[bi, rows, cols].permute(0, 3, 1, 2)


def finish_batch(
    batch: dict[str, Any], norm: DeviceNorm, crop_size: int, keys: Sequence[str]
) -> dict[str, Any]:
    """A host batch from :class:`PackedLoader`, already on the device → the Batch contract."""
    out: dict[str, Any] = {"key": batch["key"]}
    yx = batch["crop_yx"]
    present = batch["present"]
    for a, k in enumerate(keys):
        raw = _crop(batch[k], yx, crop_size)
        m = MODALITIES[k]
        if m.is_categorical:
            idx = raw.long()
            idx = torch.where(raw == CLASS_NODATA, torch.full_like(idx, -1), idx)
            out[k] = idx
            out["present_" + k] = (idx >= 0).flatten(1).any(1) & present[:, a]
        else:
            x = raw.float()
            valid = torch.isfinite(x)
            x = torch.where(valid, (x - norm.mean[k]) * norm.inv[k], torch.zeros((), device=x.device))
            out[k] = x
            out[k + "_valid"] = valid
            out["present_" + k] = valid.flatten(1).any(1) & present[:, a]
    if "caption_embedding" in batch:
        out["caption_embedding"] = batch["caption_embedding"]
        out["has_caption"] = batch["has_caption"]
    return out
