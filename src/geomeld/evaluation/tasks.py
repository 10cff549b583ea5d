"""Evaluation tasks: splits of raw images + labels, from the real mini-benchmarks or GEO-Bench.

A :class:`TaskData` holds ``train`` / ``valid`` / ``test`` :class:`Split` objects. A split yields
batches of *raw* images ``(B, C_task, H, W)`` in the task's own band order and units (converted to
Sentinel-2 DN via ``dn_scale``) and labels (``(B,)`` class index, ``(B, K)`` multi-hot, or
``(B, H, W)`` class index with -1 = unlabelled). Band alignment, perturbation and normalisation
happen later, in :mod:`geomeld.evaluation.preprocess`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import h5py
import numpy as np

from geomeld.evaluation.geobench import SPLITS, GeoBenchFormatError, GeoBenchTask, task_dir

KINDS = ("classification", "multilabel", "segmentation")
METRIC_OF_KIND = {"classification": "micro_accuracy", "multilabel": "micro_f1", "segmentation": "miou"}


class Split(Protocol):
    keys: list[str]

    def __len__(self) -> int: ...

    def batch(self, index: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def labels(self, index: Sequence[int] | np.ndarray) -> np.ndarray:
        """Only the labels (no image is read)."""
        ...


@dataclass
class ArraySplit:
    """An in-memory split (the mini-benchmarks are small)."""

    images: np.ndarray  # (N, C, H, W) float32 DN
    label_array: np.ndarray
    keys: list[str]

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def batch(self, index: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.asarray(index, dtype=np.int64)
        return self.images[idx], self.label_array[idx]

    def labels(self, index: Sequence[int] | np.ndarray) -> np.ndarray:
        return self.label_array[np.asarray(index, dtype=np.int64)]


@dataclass
class GeoBenchSplit:
    """A file-backed split of a GEO-Bench task (loads samples on demand)."""

    task: GeoBenchTask
    keys: list[str]
    bands: tuple[str, ...]  # the S2 bands, then the S1 bands (if any)
    scale: np.ndarray  # per band: S2 x dn_scale, S1 x 1

    def __len__(self) -> int:
        return len(self.keys)

    def batch(self, index: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ims, labs = [], []
        for i in index:
            im, lab = self.task.load(self.keys[int(i)], self.bands)
            ims.append(im * self.scale[:, None, None])
            labs.append(lab)
        return np.stack(ims).astype(np.float32), np.stack([np.asarray(x) for x in labs])

    def labels(self, index: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.stack([np.asarray(self.task.load_label(self.keys[int(i)])) for i in index])


@dataclass
class SubsetSplit:
    """Some samples of another split (label fractions)."""

    base: Split
    index: np.ndarray
    keys: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.keys = [self.base.keys[int(i)] for i in self.index]

    def __len__(self) -> int:
        return len(self.index)

    def batch(self, index: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.base.batch(self.index[np.asarray(index, dtype=np.int64)])

    def labels(self, index: Sequence[int] | np.ndarray) -> np.ndarray:
        return self.base.labels(self.index[np.asarray(index, dtype=np.int64)])


class _TaskInfo:
    """What every task reports: classes, metric, provenance."""

    name: str
    kind: str
    class_names: tuple[str, ...]
    source: str
    notes: str
    fingerprint: str
    pipeline_check: str
    unit: str

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def metric(self) -> str:
        return METRIC_OF_KIND[self.kind]

    def _description(self, n: dict[str, int], **extra: Any) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "metric": self.metric,
            "classes": list(self.class_names),
            "n": n,
            "source": self.source,
            "notes": self.notes,
            "fingerprint": self.fingerprint,
            **extra,
        }


@dataclass
class TaskData(_TaskInfo):
    name: str
    kind: str
    class_names: tuple[str, ...]
    band_names: tuple[str, ...]  # the task's Sentinel-2 bands, in the order of the first image channels
    splits: dict[str, Split]
    processing_level: str = "unknown"
    source: str = ""
    notes: str = ""
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    pipeline_check: str = ""  # non-empty: why the task only checks the pipeline (never headlined)
    unit_block: int | None = None  # segmentation: score test maps in blocks of this many pixels
    unit: str = "one test image"
    s1_band_names: tuple[str, ...] = ()  # Sentinel-1 bands, stored as image channels after the S2 ones

    def describe(self) -> dict[str, Any]:
        return self._description(
            {s: len(v) for s, v in self.splits.items()},
            bands=list(self.band_names),
            s1_bands=list(self.s1_band_names),
            processing_level=self.processing_level,
            pipeline_check=self.pipeline_check,
            unit=self.unit,
        )


MINIBENCH_TASKS = ("benv2", "brandenburg_east", "dynamic_earthnet", "pastis")
"""Mini-benchmarks an S2 encoder can run on (``slovenia`` has no raw bands: baseline only)."""


def minibench_dir() -> Path:
    return Path(str(resources.files("geomeld") / "data" / "minibench"))


def file_fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def _attr(f: h5py.File | h5py.Dataset, key: str, default: Any = None) -> Any:
    if key not in f.attrs:
        return default
    v = f.attrs[key]
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, str) and v[:1] in "[{":
        return json.loads(v)
    if isinstance(v, np.ndarray):
        return [x.decode() if isinstance(x, bytes) else x for x in v.tolist()]
    return v


def load_minibench(name: str, root: Path | None = None) -> TaskData:
    """One real mini-benchmark extract (see ``src/geomeld/data/minibench/README.md``)."""
    path = (root or minibench_dir()) / f"{name}.h5"
    if not path.is_file():
        raise FileNotFoundError(
            f"mini-benchmark {name!r} not found at {path}; known: {sorted(p.stem for p in path.parent.glob('*.h5'))}"
        )
    with h5py.File(path, "r") as f:
        kind = str(_attr(f, "kind"))
        images = f["image"][()].astype(np.float32)
        labels = f["label"][()]
        keys = [k.decode() for k in f["key"][()]]
        band_names = tuple(_attr(f["image"], "band_names"))
        level = str(_attr(f["image"], "processing_level", "unknown"))
        if kind == "pixel_segmentation":
            raise ValueError(f"{name} is a pixel task without Sentinel-2 bands; use load_pixel_task()")
        split = np.array([s.decode() for s in f["split"][()]])
        meta = {k: _attr(f, k) for k in ("task", "class_names", "source", "notes", "licence")}
        check = str(_attr(f, "pipeline_check_reason", "")) if int(_attr(f, "pipeline_check", 0)) else ""
        block = _attr(f, "unit_block")
        unit = str(_attr(f, "unit", "one test image"))
    if kind == "segmentation":
        labels = labels.astype(np.int64)
    splits: dict[str, Split] = {}
    for s in SPLITS:
        sel = np.flatnonzero(split == s)
        splits[s] = ArraySplit(images[sel], labels[sel], [keys[i] for i in sel])
    return TaskData(
        name=name,
        kind=kind,
        class_names=tuple(meta["class_names"]),
        band_names=band_names,
        splits=splits,
        processing_level=level,
        source=str(meta["source"]),
        notes=str(meta["notes"]),
        fingerprint=file_fingerprint(path),
        extra={"licence": meta["licence"]},
        pipeline_check=check,
        unit_block=int(block) if block is not None else None,
        unit=unit,
    )


@dataclass
class PixelTask(_TaskInfo):
    """A pixel-level task without raw S2 bands (Slovenia: NDVI time series + DEM)."""

    name: str
    class_names: tuple[str, ...]
    features: dict[str, np.ndarray]  # split → (n_pixels, F)
    labels: dict[str, np.ndarray]  # split → (n_pixels,)
    feature_names: tuple[str, ...]
    source: str
    notes: str
    fingerprint: str
    kind: str = "segmentation"  # scored as per-pixel segmentation (macro mIoU over pixels)
    pipeline_check: str = ""
    unit: str = "one pixel"

    def describe(self) -> dict[str, Any]:
        return self._description(
            {s: len(v) for s, v in self.labels.items()},
            features=f"{len(self.feature_names)} ({self.feature_names[0]} … {self.feature_names[-1]})",
            processing_level="NDVI (from L1C) + DEM; no raw bands: baseline only",
            pipeline_check=self.pipeline_check,
            unit=self.unit,
        )


def load_pixel_task(name: str = "slovenia", root: Path | None = None) -> PixelTask:
    path = (root or minibench_dir()) / f"{name}.h5"
    with h5py.File(path, "r") as f:
        ndvi = f["image"][0].astype(np.float32) * float(_attr(f["image"], "scale", 1.0))  # (T, H, W)
        dem = f["dem"][0].astype(np.float32)
        label = f["label"][0].astype(np.int64)
        split = f["pixel_split"][0]
        meta = {k: _attr(f, k) for k in ("class_names", "source", "notes")}
        check = str(_attr(f, "pipeline_check_reason", "")) if int(_attr(f, "pipeline_check", 0)) else ""
        names = (*tuple(_attr(f["image"], "band_names")), "DEM")
    feats = np.concatenate([ndvi, dem[None]], axis=0).reshape(ndvi.shape[0] + 1, -1).T
    lab = label.ravel()
    sp = np.array([s.decode() if isinstance(s, bytes) else str(s) for s in split.ravel()])
    keep = lab >= 0
    return PixelTask(
        name=name,
        class_names=tuple(meta["class_names"]),
        features={s: feats[keep & (sp == s)] for s in SPLITS},
        labels={s: lab[keep & (sp == s)] for s in SPLITS},
        feature_names=names,
        source=str(meta["source"]),
        notes=str(meta["notes"]),
        fingerprint=file_fingerprint(path),
        pipeline_check=check,
    )


_GEOBENCH_LEVEL = {"m-bigearthnet": "L2A"}


def load_geobench(
    task: str,
    benchmark: str | None = None,
    *,
    partition: str = "default",
    root: str | None = None,
    path: str | None = None,
    max_samples: int | None = None,
) -> TaskData:
    """A GEO-Bench v1 task (``$GEO_BENCH_DIR/<benchmark>/<task>`` unless ``path`` is given).

    ``task`` may be the folder name or an alias (the paper's names); ``benchmark`` defaults to the
    task's known benchmark folder. ``extra["band_stats"]`` holds the task's ``band_stats.json`` mean/std
    of its Sentinel-2 bands in the split's units (× ``dn_scale``), for per-task normalisation.
    """
    gb = GeoBenchTask.open(path or task_dir(task, benchmark, root))
    bands = gb.spec.sentinel2_bands()
    if not bands:
        raise ValueError(
            f"{gb.path}: the task has no Sentinel-2 bands; geomeld encoders take Sentinel-2 input"
        )
    s1 = gb.spec.sentinel1_bands()
    scale = gb.dn_scale()
    scales = np.array([scale] * len(bands) + [1.0] * len(s1), dtype=np.float32)
    splits: dict[str, Split] = {}
    for s in SPLITS:
        keys = gb.split(s, partition)
        if not keys:
            raise GeoBenchFormatError(f"{gb.path / (partition + '_partition.json')}: the {s!r} list is empty")
        if max_samples is not None:
            keys = keys[:max_samples]
        splits[s] = GeoBenchSplit(gb, keys, (*bands, *s1), scales)
    names = gb.spec.class_names or tuple(f"class_{i}" for i in range(gb.spec.n_classes))
    h = hashlib.sha256()
    for s in SPLITS:
        h.update(",".join(splits[s].keys).encode())
    h.update((gb.path / "task_specs.pkl").read_bytes())
    h.update(("channels:" + ",".join((*bands, *s1))).encode())  # S2 then S1 channels
    extra: dict[str, Any] = {"partition": partition, "path": str(gb.path)}
    if gb.band_stats:
        mean, std = gb.band_stats_for(bands)
        extra["band_stats"] = (mean * scale, std * scale)
    return TaskData(
        name=gb.spec.name,
        kind=gb.spec.kind,
        class_names=tuple(names),
        band_names=bands,
        splits=splits,
        processing_level=_GEOBENCH_LEVEL.get(gb.spec.name, "unknown"),
        source=f"GEO-Bench {gb.spec.benchmark}/{gb.spec.name}, partition {partition}",
        notes=f"dn_scale {scale:g}; non-S2 bands dropped: "
        f"{[b for b in gb.spec.band_names if b not in bands and b not in s1]}"
        + (f"; Sentinel-1 bands {list(s1)} kept for the S1 baseline and S1 conditions" if s1 else ""),
        fingerprint=h.hexdigest()[:16],
        extra=extra,
        unit="one test image" if gb.spec.kind != "segmentation" else "one test image (its confusion matrix)",
        s1_band_names=s1,
    )
