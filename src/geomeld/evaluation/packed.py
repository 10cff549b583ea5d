"""A one-time packed cache of a GEO-Bench task: each split as memory-mapped arrays.

Reading a GEO-Bench sample means opening one HDF5 file, unpickling its attributes and reading 12+
small datasets (~12 ms per BigEarthNet sample, ~82 samples/s). Fine-tuning reads every training
sample every epoch, so :func:`packed_task` converts each split once into

    <cache>/<task>-<fingerprint>/<split>.images.npy   (N, C, H, W) float32, the split's units (DN)
    <cache>/<task>-<fingerprint>/<split>.labels.npy   labels as the reader returns them
    <cache>/<task>-<fingerprint>/<split>.json         keys, shapes and a "complete" marker

and serves batches from ``np.load(..., mmap_mode="r")`` (no per-sample file opens, no unpickling;
the page cache keeps hot splits in memory). A cache is used only when its marker matches the task's
data fingerprint and keys; an interrupted packing leaves no marker and is redone. Labels are read
label-only (no image is decoded) when only labels are needed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.atomic import write_atomic
from geomeld.evaluation.tasks import Split, TaskData

log = logging.getLogger(__name__)
CHUNK = 64


@dataclass
class PackedSplit:
    """A split served from memory-mapped arrays (opened lazily, so it pickles to worker processes)."""

    folder: Path
    split: str
    keys: list[str]
    _images: Any = field(default=None, repr=False)
    _labels: Any = field(default=None, repr=False)

    def _open(self) -> None:
        if self._images is None:
            self._images = np.load(self.folder / f"{self.split}.images.npy", mmap_mode="r")
            self._labels = np.load(self.folder / f"{self.split}.labels.npy", mmap_mode="r")

    def __getstate__(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "split": self.split,
            "keys": self.keys,
            "_images": None,
            "_labels": None,
        }

    def __len__(self) -> int:
        return len(self.keys)

    def batch(self, index: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self._open()
        idx = np.asarray(index, dtype=np.int64)
        return np.asarray(self._images[idx], dtype=np.float32), np.asarray(self._labels[idx])

    def labels(self, index: Sequence[int] | np.ndarray) -> np.ndarray:
        self._open()
        return np.asarray(self._labels[np.asarray(index, dtype=np.int64)])


def _pack_split(split: Split, folder: Path, name: str) -> None:
    n = len(split)
    first, lab0 = split.batch([0])
    images = np.lib.format.open_memmap(
        folder / f"{name}.images.npy.tmp", mode="w+", dtype=np.float32, shape=(n, *first.shape[1:])
    )
    labels = np.lib.format.open_memmap(
        folder / f"{name}.labels.npy.tmp", mode="w+", dtype=lab0.dtype, shape=(n, *lab0.shape[1:])
    )
    for start in range(0, n, CHUNK):
        idx = np.arange(start, min(n, start + CHUNK))
        im, lab = split.batch(idx)
        images[idx] = im
        labels[idx] = lab
    images.flush()
    labels.flush()
    del images, labels
    (folder / f"{name}.images.npy.tmp").replace(folder / f"{name}.images.npy")
    (folder / f"{name}.labels.npy.tmp").replace(folder / f"{name}.labels.npy")


def packed_task(task: TaskData, cache_root: str | Path) -> TaskData:
    """``task`` with every split served from its packed cache (packed now when missing or stale)."""
    folder = Path(cache_root) / f"{task.name}-{task.fingerprint}"
    folder.mkdir(parents=True, exist_ok=True)
    splits: dict[str, Split] = {}
    for name, split in task.splits.items():
        marker = folder / f"{name}.json"
        meta = {"fingerprint": task.fingerprint, "keys": list(split.keys), "complete": True}
        ok = False
        if marker.is_file():
            try:
                ok = json.loads(marker.read_text()) == meta
            except json.JSONDecodeError:
                ok = False
        if not ok:
            log.info("packing %s/%s (%d samples) into %s", task.name, name, len(split), folder)
            marker.unlink(missing_ok=True)
            _pack_split(split, folder, name)
            write_atomic(marker, json.dumps(meta))
        splits[name] = PackedSplit(folder, name, list(split.keys))
    return replace(task, splits=splits, extra={**task.extra, "packed_cache": str(folder)})
