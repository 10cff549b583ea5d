"""The PyTorch loader: an iterable dataset over many GeoMeld shards producing the Batch contract.

Batch (``collate_batch``), for batch size B and crop size S (default 112):

* every continuous modality K: ``batch[K]`` float32 ``(B, C, S, S)`` in the registry's full band
  order, ``(x - mean) / std`` with the stats JSON, no-data pixels 0.0; ``batch[K + "_valid"]`` bool
  ``(B, C, S, S)`` True where the pixel is real data. The 9-band Sentinel-2 of NAIP samples is
  expanded to 12 bands with B2–B4 invalid.
* every categorical modality K: ``batch[K]`` int64 ``(B, S, S)``, the class INDEX
  (``ClassTable.code_to_index``), -1 for no-data (use ``ignore_index=-1``).
* ``batch["present_" + K]`` bool ``(B,)``: at least one valid pixel of K in the crop.
* ``batch["key"]`` list[str], ``batch["caption"]`` list[str] (``""`` when absent).
* NAIP only with ``include_naip=True``: ``(B, 3, 10·S, 10·S)``, cropped at the same place (×10);
  samples without NAIP get zeros, ``naip_valid`` False and ``present_naip`` False.

How samples are split over ranks and workers: :mod:`geomeld.io.partition` (by sample, seeded per
epoch, no duplicates, no gaps); random crops are seeded per sample by ``(seed, epoch, index)``. How a
sample is decoded and checked: :mod:`geomeld.io.decode`.

Resuming exactly: :class:`GeoMeldLoader` (from :func:`make_loader`) counts delivered batches;
``state_dict()`` → ``{"epoch", "batches", ...}`` and ``load_state_dict()`` makes each worker skip what
it had already delivered (PyTorch hands out batches round-robin over workers, skipping exhausted
ones; the loader replays that rule). Skipping costs no decoding. Workers are not persistent, so a
loaded state reaches them at the next ``iter()``.

:func:`make_loader` has each worker write samples straight into its batch tensors
(:meth:`GeoMeldDataset.iter_batches`, identical to :func:`collate_batch` over per-sample dicts).
Values are checked on the way (class codes in the table, no ±Inf, on the pixels the crop keeps);
bad members recorded in the index (``error`` column) are reported when the dataset is built. With
``on_error="skip"`` a bad sample is logged, counted in ``bad_samples`` (per process; also appended
to ``error_log`` when given) and the rest keeps loading; ``"raise"`` stops with shard + key + problem.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from geomeld.core.modalities import LAYOUTS, MODALITIES, Modality, grid_modalities
from geomeld.core.sample import SampleFormatError
from geomeld.io.decode import (
    BandParams,
    Crop,
    Handles,
    LoaderErrors,
    band_params,
    class_indices,
    close_handles,
    crop_origin,
    member_arrays,
    normalise_into,
    read_member,
)
from geomeld.io.index import read_index
from geomeld.io.partition import (
    Uneven,
    blocks,
    delivered_per_worker,
    dist_rank_world,
    epoch_order,
    rank_share,
    worker_share,
)
from geomeld.io.stats import NormStats

log = logging.getLogger(__name__)


class GeoMeldDataset(IterableDataset):  # type: ignore[type-arg]
    """Iterable dataset over shards → one dict per sample (numpy), batched by :func:`collate_batch`.

    ``stats``: the stats JSON (path, dict or :class:`NormStats`) used to normalise continuous
    modalities; ``None`` leaves values un-normalised (no-data still 0 and masked). ``modalities``:
    the keys to deliver (default: every 10 m grid modality of the registry); ``include_naip`` adds
    NAIP. ``crop``: ``"random"`` (training), ``"center"`` or ``"none"`` (full 128 chip).
    """

    def __init__(
        self,
        shards: Sequence[str | os.PathLike[str]],
        *,
        stats: NormStats | dict[str, Any] | str | os.PathLike[str] | None = None,
        modalities: Sequence[str] | None = None,
        include_naip: bool = False,
        crop_size: int = 112,
        crop: Crop = "random",
        shuffle: bool = True,
        shuffle_buffer: int = 1000,
        seed: int = 0,
        rank: int | None = None,
        world_size: int | None = None,
        uneven: Uneven = "drop",
        on_error: Literal["raise", "skip"] = "raise",
        error_log: str | os.PathLike[str] | None = None,
        layouts: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        if not shards:
            raise ValueError("GeoMeldDataset needs at least one shard")
        self.shards = [Path(s) for s in shards]
        missing = [str(s) for s in self.shards if not s.is_file()]
        if missing:
            raise FileNotFoundError(f"shards not found: {missing[:5]}")
        self.stats = stats if isinstance(stats, NormStats) or stats is None else NormStats.from_json(stats)
        keys = list(modalities) if modalities is not None else [m.key for m in grid_modalities()]
        if include_naip:
            keys += [
                k
                for k in LAYOUTS["naip"].modality_keys
                if k not in keys and k not in LAYOUTS["standard"].band_selection
            ]
        self.modalities: list[Modality] = [MODALITIES[k] for k in keys]
        if self.stats is not None:
            lacking = [m.key for m in self.modalities if not m.is_categorical and not self.stats.has(m.key)]
            if lacking:
                raise ValueError(
                    f"stats file has no statistics for {lacking}; recompute with `geomeld stats`"
                )
        grid = max(m.size for m in grid_modalities())
        self.crop_size = grid if crop == "none" else crop_size
        if not 0 < self.crop_size <= grid:
            raise ValueError(f"crop_size must be in 1..{grid}, got {crop_size}")
        self.crop = crop
        self.shuffle = shuffle
        self.shuffle_buffer = shuffle_buffer
        self.seed = seed
        r, w = dist_rank_world()
        self.rank = r if rank is None else rank
        self.world_size = w if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"rank {self.rank} outside world size {self.world_size}")
        if uneven not in ("drop", "pad"):
            raise ValueError(f"uneven must be 'drop' or 'pad', not {uneven!r}")
        self.uneven = uneven
        self.on_error = on_error
        self.error_log = Path(error_log) if error_log else None
        self.epoch = 0
        self.bad_samples = 0
        self._skip: list[int] | None = None
        self._rotate = 0
        import pyarrow as pa
        import pyarrow.compute as pc

        table = read_index(self.shards)
        bad = table.filter(pc.not_equal(table["error"], ""))
        if bad.num_rows:
            messages = bad.column("error").to_pylist()
            if on_error == "raise":
                raise SampleFormatError("; ".join(messages))
            for message in messages:
                self._report(message)
            table = table.filter(pc.equal(table["error"], ""))
        if layouts is not None:
            table = table.filter(pc.is_in(table["layout"], value_set=pa.array(list(layouts))))
        cols = table.to_pydict()
        self._key: list[str] = cols["key"]
        self._path: list[str] = cols["shard_path"]
        self._offset: list[int] = cols["member_offset"]
        self._size: list[int] = cols["member_size"]
        self._caption: list[str] = cols["caption"]
        self._bands: list[str] = cols["band_names"]
        self._loc: list[str] = cols["locations"]
        self._layout: list[str] = cols["layout"]
        by_shard: dict[str, list[int]] = {}
        for i, p in enumerate(self._path):
            by_shard.setdefault(p, []).append(i)
        self._shard_rows = [by_shard.get(str(s), []) for s in self.shards]
        self._lut = {m.key: m.classes.code_to_index for m in self.modalities if m.classes is not None}
        self._param_cache: dict[tuple[str, tuple[str, ...]], BandParams] = {}

    # ------------------------------------------------------------------------------------ partition
    @property
    def num_samples(self) -> int:
        """Samples in the index (all ranks)."""
        return len(self._key)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def epoch_order(self, epoch: int | None = None) -> list[int]:
        e = self.epoch if epoch is None else epoch
        return epoch_order(self._shard_rows, self.shuffle, self.seed, e)

    def rank_items(self, epoch: int | None = None) -> list[int]:
        return rank_share(self.epoch_order(epoch), self.rank, self.world_size, self.uneven)

    def __len__(self) -> int:
        """Samples this rank delivers per epoch."""
        return len(self.rank_items(0))

    def worker_items(self, worker: int, num_workers: int, epoch: int | None = None) -> list[int]:
        """The (shuffled) index stream of one worker of this rank, before any resume skip."""
        e = self.epoch if epoch is None else epoch
        return worker_share(
            self.rank_items(e),
            worker,
            num_workers,
            shuffle=self.shuffle,
            shuffle_buffer=self.shuffle_buffer,
            seed=self.seed,
            epoch=e,
            rank=self.rank,
        )

    # ---------------------------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "seed": self.seed,
            "skip": list(self._skip) if self._skip else None,
            "rotate": self._rotate,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("seed", self.seed) != self.seed:
            raise ValueError(f"state was saved with seed {state['seed']}, this dataset uses {self.seed}")
        self.epoch = int(state["epoch"])
        self._skip = list(state["skip"]) if state.get("skip") else None
        self._rotate = int(state.get("rotate", 0))

    # -------------------------------------------------------------------------------------- reading
    def _my_items(self) -> tuple[list[int], int]:
        """This worker's index stream for the current epoch, after any resume skip."""
        info = get_worker_info()
        worker, num_workers = (info.id, info.num_workers) if info is not None else (0, 1)
        if self._skip is not None and len(self._skip) != num_workers:
            raise ValueError(f"resume state is for {len(self._skip)} workers, the loader has {num_workers}")
        # after a resume, DataLoader's round-robin restarts at its worker 0: rotate the streams so
        # that worker 0 carries the stream that delivers the next batch
        worker = (worker + self._rotate) % num_workers
        items = self.worker_items(worker, num_workers)
        skip = self._skip[worker] if self._skip else 0
        return items[skip:], self.epoch

    def __iter__(self) -> Iterator[dict[str, Any]]:
        items, epoch = self._my_items()
        return self._generate(items, epoch)

    def _guard(self, i: int, work: Any, *args: Any) -> tuple[bool, Any]:
        """``(True, work(*args))`` for sample ``i``; a bad sample raises or (skip mode) is reported
        and gives ``(False, None)``."""
        try:
            return True, work(*args)
        except LoaderErrors as exc:
            where = f"{Path(self._path[i]).name}:{self._key[i]}"
            message = str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
            if self.on_error == "raise":
                raise SampleFormatError(message) from exc
            self._report(message)
            return False, None

    def _generate(self, items: list[int], epoch: int) -> Iterator[dict[str, Any]]:
        handles: Handles = {}
        try:
            for i in items:
                ok, item = self._guard(i, self.load, i, epoch, handles)
                if ok:
                    yield item
        finally:
            close_handles(handles)

    def _report(self, message: str) -> None:
        self.bad_samples += 1
        log.warning("skipping bad sample: %s", message)
        if self.error_log is not None:
            with open(self.error_log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"error": message}) + "\n")

    def _read(self, i: int, handles: Handles) -> memoryview:
        return read_member(self._path[i], self._offset[i], self._size[i], handles)

    def _arrays(self, i: int, data: memoryview) -> dict[str, np.ndarray]:
        where = f"{Path(self._path[i]).name}:{self._key[i]}"
        return member_arrays(data, json.loads(self._loc[i]), self._layout[i], self.modalities, where)

    def sample_spec(self) -> dict[str, tuple[tuple[int, ...], type]]:
        """Per-sample array shapes and dtypes of the Batch contract (``present_*`` are 0-d bools)."""
        grid = max(m.size for m in grid_modalities())
        spec: dict[str, tuple[tuple[int, ...], type]] = {}
        for m in self.modalities:
            size = self.crop_size * (m.size // grid)
            if m.classes is not None:
                spec[m.key] = ((size, size), np.int64)
            else:
                spec[m.key] = ((m.num_bands, size, size), np.float32)
                spec[m.key + "_valid"] = ((m.num_bands, size, size), np.bool_)
            spec["present_" + m.key] = ((), np.bool_)
        return spec

    def load(self, i: int, epoch: int, handles: Handles | None = None) -> dict[str, Any]:
        """Decode, check, crop, normalise and mask sample ``i`` of the index (one dict, numpy)."""
        own = handles is None
        handles = {} if handles is None else handles
        dest: dict[str, np.ndarray] = {
            name: np.empty(shape, dtype) for name, (shape, dtype) in self.sample_spec().items()
        }
        try:
            self.fill(i, epoch, handles, dest)
        finally:
            if own:
                close_handles(handles)
        out: dict[str, Any] = {"key": self._key[i], "caption": self._caption[i] or ""}
        for name, arr in dest.items():
            out[name] = bool(arr) if arr.ndim == 0 else arr
        return out

    def fill(self, i: int, epoch: int, handles: Handles, dest: dict[str, np.ndarray]) -> None:
        """Write sample ``i`` into ``dest`` (arrays shaped as :meth:`sample_spec`, e.g. batch rows)."""
        data = self._read(i, handles)
        arrays = self._arrays(i, data)
        grid = max(m.size for m in grid_modalities())
        s = self.crop_size
        y, x = crop_origin(self.crop, s, grid, self.seed, epoch, i)
        band_names = json.loads(self._bands[i])
        for m in self.modalities:
            f = m.size // grid
            arr = arrays.get(m.key)
            if arr is not None:
                arr = arr[:, y * f : (y + s) * f, x * f : (x + s) * f]
            if m.classes is not None:
                present = self._class_indices(m, arr, dest[m.key])
            else:
                stored = None
                if arr is not None:
                    stored = tuple(band_names.get(m.key) or LAYOUTS[self._layout[i]].bands(m.key))
                present = self._normalised(m, arr, stored, dest[m.key], dest[m.key + "_valid"])
            dest["present_" + m.key][...] = present

    def _class_indices(self, m: Modality, arr: np.ndarray | None, out: np.ndarray) -> bool:
        return class_indices(m, arr, out, self._lut[m.key])

    def _band_params(self, m: Modality, stored: tuple[str, ...]) -> BandParams:
        """:func:`~geomeld.io.decode.band_params`, cached per (modality, stored band order)."""
        key = (m.key, stored)
        hit = self._param_cache.get(key)
        if hit is None:
            hit = self._param_cache[key] = band_params(m, stored, self.stats)
        return hit

    def _normalised(
        self,
        m: Modality,
        arr: np.ndarray | None,
        stored: tuple[str, ...] | None,
        out: np.ndarray,
        valid: np.ndarray,
    ) -> bool:
        params = None if arr is None or stored is None else self._band_params(m, stored)
        return normalise_into(m, arr, params, out, valid)

    def iter_batches(self, batch_size: int, drop_last: bool = False) -> Iterator[dict[str, Any]]:
        """This worker's samples, written straight into batch tensors (no per-sample copies).

        Same samples, order and values as batching :meth:`__iter__` with :func:`collate_batch`.
        The stream (incl. any resume skip) is fixed when this is called, not at the first ``next``.
        """
        items, epoch = self._my_items()
        return self._batches(items, epoch, batch_size, drop_last)

    def _batches(
        self, items: list[int], epoch: int, batch_size: int, drop_last: bool
    ) -> Iterator[dict[str, Any]]:
        spec = self.sample_spec()
        handles: Handles = {}

        def new_batch() -> dict[str, torch.Tensor]:
            return {
                name: torch.empty((batch_size, *shape), dtype=torch.from_numpy(np.empty(0, dtype)).dtype)
                for name, (shape, dtype) in spec.items()
            }

        tensors = new_batch()
        views = {name: t.numpy() for name, t in tensors.items()}
        keys: list[str] = []
        captions: list[str] = []
        try:
            for i in items:
                row = len(keys)
                rows = {k: v[row] if v.ndim > 1 else v[row : row + 1].reshape(()) for k, v in views.items()}
                if self._guard(i, self.fill, i, epoch, handles, rows)[0]:
                    keys.append(self._key[i])
                    captions.append(self._caption[i] or "")
                if len(keys) == batch_size:
                    yield {"key": keys, "caption": captions, **tensors}
                    tensors = new_batch()
                    views = {name: t.numpy() for name, t in tensors.items()}
                    keys, captions = [], []
            if keys and not drop_last:
                n = len(keys)
                yield {"key": keys, "caption": captions, **{k: t[:n] for k, t in tensors.items()}}
        finally:
            close_handles(handles)


def collate_batch(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Stack per-sample dicts into the Batch contract (tensors; ``key``/``caption`` stay lists)."""
    if not samples:
        raise ValueError("cannot collate an empty batch")
    batch: dict[str, Any] = {}
    for name, first in samples[0].items():
        values = [s[name] for s in samples]
        if isinstance(first, str):
            batch[name] = values
        elif isinstance(first, bool | np.bool_):
            batch[name] = torch.tensor(values, dtype=torch.bool)
        else:
            batch[name] = torch.from_numpy(np.stack(values))
    return batch


class GeoMeldLoader:
    """A DataLoader over :class:`GeoMeldDataset` that knows its position (``state_dict``) and epoch.

    Iterating runs one epoch; after a complete epoch the epoch number advances by itself
    (``set_epoch`` overrides it).
    """

    def __init__(
        self, dataset: GeoMeldDataset, loader: DataLoader[Any], batch_size: int, drop_last: bool
    ) -> None:
        self.dataset = dataset
        self.loader = loader
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = max(loader.num_workers, 1)
        self.batches = 0

    def set_epoch(self, epoch: int) -> None:
        self.dataset.set_epoch(epoch)
        self.batches = 0
        self.dataset._skip = None
        self.dataset._rotate = 0

    @property
    def epoch(self) -> int:
        return self.dataset.epoch

    def __len__(self) -> int:
        counts = self._worker_counts()
        return sum(
            (c // self.batch_size if self.drop_last else math.ceil(c / self.batch_size)) for c in counts
        )

    def _worker_counts(self) -> list[int]:
        n = len(self.dataset.rank_items())
        return [hi - lo for lo, hi in blocks(n, self.num_workers)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.dataset._skip is None:  # a fresh pass (not resuming): count from the epoch start
            self.batches = 0
        it = iter(self.loader)
        self.dataset._skip = None  # the workers (or the single-process iterator) captured it already
        self.dataset._rotate = 0
        for batch in it:
            self.batches += 1
            yield batch
        self.dataset.set_epoch(self.dataset.epoch + 1)
        self.batches = 0

    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.dataset.epoch,
            "batches": self.batches,
            "seed": self.dataset.seed,
            "num_workers": self.num_workers,
            "batch_size": self.batch_size,
            "rank": self.dataset.rank,
            "world_size": self.dataset.world_size,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name in ("seed", "num_workers", "batch_size", "world_size"):
            mine = self.state_dict()[name]
            if state[name] != mine:
                raise ValueError(f"cannot resume: state has {name}={state[name]}, this loader has {mine}")
        self.dataset.set_epoch(int(state["epoch"]))
        self.batches = int(state["batches"])
        skip, next_worker = delivered_per_worker(
            self._worker_counts(), self.batch_size, self.drop_last, self.batches
        )
        self.dataset._skip = skip
        self.dataset._rotate = next_worker


class _Batched(IterableDataset):  # type: ignore[type-arg]
    """Adapter: a worker-side batched view of a :class:`GeoMeldDataset` (DataLoader batch_size=None)."""

    def __init__(self, dataset: GeoMeldDataset, batch_size: int, drop_last: bool) -> None:
        super().__init__()
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.dataset.iter_batches(self.batch_size, self.drop_last)


def make_loader(
    shards: Sequence[str | os.PathLike[str]],
    *,
    batch_size: int = 32,
    num_workers: int = 0,
    drop_last: bool = False,
    pin_memory: bool = False,
    **dataset_kwargs: Any,
) -> GeoMeldLoader:
    """A ready loader over :class:`GeoMeldDataset` (``dataset_kwargs``) yielding Batch dicts.

    Workers assemble whole batches (samples are written straight into the batch tensors, the same
    result as :func:`collate_batch` over per-sample dicts, without the copy). ``drop_last`` drops each
    worker's last partial batch (PyTorch's rule for iterable datasets).
    """
    ds = GeoMeldDataset(shards, **dataset_kwargs)
    dl: DataLoader[Any] = DataLoader(
        _Batched(ds, batch_size, drop_last),
        batch_size=None,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=False,
    )
    return GeoMeldLoader(ds, dl, batch_size, drop_last)
