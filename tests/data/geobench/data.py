#!/usr/bin/env python
"""Deterministic generator of tiny GEO-Bench v1 task trees in the exact format of geobench's writer.

Run ``python tests/data/geobench/data.py`` from the repo root; it rewrites ``tests/data/geobench/root``.

The format is taken from geobench's own source (``geobench`` 1.0.0 on PyPI: ``dataset.py``
``write_sample_hdf5``/``load_sample_hdf5``, ``Band.get_descriptor``, ``Partition.save``, ``Stats``,
``task.py`` ``TaskSpecifications``, ``label.py``), not from a description of it:

- ``<sample>.hdf5``: one dataset per band named by ``Band.get_descriptor()`` = ``"<band name>_<date>"``
  (``"02 - Blue_2017-06-13"``; the segmentation label band is ``"label_<date>"``), and one file attribute
  ``pickle`` = ``str(pickle.dumps(attr_dict))`` where ``attr_dict`` maps each descriptor to
  ``dict(date, date_id, spatial_resolution, band_info, meta_info, transform, crs)`` (``datetime.date``,
  ``affine.Affine``, ``rasterio.crs.CRS``), plus ``bands_order`` and, for classification, ``label``
  (an int, or a 0/1 vector for multi-label);
- ``task_specs.pkl``: a pickled ``geobench.task.TaskSpecifications`` (``dataset_name``,
  ``benchmark_name``, ``patch_size``, ``n_time_steps``, ``bands_info``, ``label_type``,
  ``spatial_resolution``) with ``geobench.dataset.Sentinel2``/``Sentinel1`` band infos (``name``,
  ``alt_names``, ``spatial_resolution``, ``wavelength``) and ``geobench.label.Classification``
  (``n_classes``, ``_class_names``), ``geobench.label.MultiLabelClassification`` (``n_classes``,
  ``class_name``) or ``geobench.dataset.SegmentationClasses`` label types;
- ``<name>_partition.json`` (``{"train": [...], "valid": [...], "test": [...]}``) with
  ``default_partition.json`` a symlink to the full partition (geobench's ``as_default``; relative here
  so that the tree survives a clone);
- ``band_stats.json``: per band name (undated) and ``label``: ``Stats.to_dict()`` (min, max, mean, std,
  median, percentile_0_1 … percentile_99_9).

The four tasks of the paper use their real folder names (``classification_v1.0/m-bigearthnet``,
``classification_v1.0/m-so2sat``, ``segmentation_v1.0/m-cashew-plant``,
``segmentation_v1.0/m-SA-crop-type``), real band lists, class counts, dtypes and value ranges
(BigEarthNet int16 DN; So2Sat float32 reflectance 0…~0.5 with 8 Sentinel-1 bands; Cashew DN;
SA-crop-type integers ~10…90, neither DN nor reflectance); image sizes and sample counts are tiny.
The pickles name ``geobench`` classes exactly as the real writer does without geobench being
installed: throw-away modules called ``geobench.*`` exist only while pickling. Pixel values carry a
class-dependent offset so that probes can learn.
"""

from __future__ import annotations

import datetime
import json
import pickle
import shutil
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent / "root"

# geobench.dataset.sentinel2_13_bands: (name, alt_names, spatial_resolution, wavelength µm)
S2_BANDS = {
    "B1": ("01 - Coastal aerosol", ("1", "01"), 60, 0.443),
    "B2": ("02 - Blue", ("2", "02", "blue"), 10, 0.49),
    "B3": ("03 - Green", ("3", "03", "green"), 10, 0.56),
    "B4": ("04 - Red", ("4", "04", "red"), 10, 0.665),
    "B5": ("05 - Vegetation Red Edge", ("5", "05"), 20, 0.705),
    "B6": ("06 - Vegetation Red Edge", ("6", "06"), 20, 0.74),
    "B7": ("07 - Vegetation Red Edge", ("7", "07"), 20, 0.783),
    "B8": ("08 - NIR", ("8", "08", "NIR"), 10, 0.842),
    "B8A": ("08A - Vegetation Red Edge", ("8A", "08A"), 20, 0.865),
    "B9": ("09 - Water vapour", ("9", "09"), 60, 0.945),
    "B10": ("10 - SWIR - Cirrus", ("10",), 60, 1.375),
    "B11": ("11 - SWIR", ("11",), 20, 1.61),
    "B12": ("12 - SWIR", ("12",), 20, 2.19),
}
S2_NAMES = {k: v[0] for k, v in S2_BANDS.items()}
S1_8 = (
    "01 - VH.Real",
    "02 - VH.Imaginary",
    "03 - VV.Real",
    "04 - VV.Imaginary",
    "05 - VH.LEE Filtered",
    "06 - VV.LEE Filtered",
    "07 - VH.LEE Filtered.Real",
    "08 - VV.LEE Filtered.Imaginary",
)
STATS_KEYS = ("percentile_0_1", "percentile_1", "percentile_5", "median", "percentile_95", "percentile_99", "percentile_99_9")  # fmt: skip
_CLASSES = {
    "geobench.dataset": ("Sentinel1", "Sentinel2", "SegmentationClasses"),
    "geobench.label": ("Classification", "MultiLabelClassification"),
    "geobench.task": ("TaskSpecifications",),
}


@dataclass(frozen=True)
class TaskFormat:
    """What distinguishes one real GEO-Bench v1 task (sizes shrunk, everything else as published)."""

    benchmark: str
    name: str
    s2: tuple[str, ...]  # registry names of the S2 bands, in the task's order
    label_kind: str  # classification | multilabel | segmentation
    n_classes: int
    dtype: str
    base: float  # typical S2 value
    step: float  # class-dependent offset per class unit
    noise: float
    s1: bool = False
    size: int = 16
    date: datetime.date | None = datetime.date(2017, 6, 13)


TASKS = (
    TaskFormat("classification_v1.0", "m-bigearthnet", tuple(b for b in S2_BANDS if b != "B10"),
               "multilabel", 43, "int16", 900.0, 300.0, 60.0),
    TaskFormat("classification_v1.0", "m-so2sat",
               ("B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12"),
               "classification", 17, "float32", 0.12, 0.02, 0.006, s1=True, date=None),
    TaskFormat("segmentation_v1.0", "m-cashew-plant", tuple(S2_BANDS), "segmentation", 7, "int16",
               1200.0, 250.0, 60.0, size=32, date=datetime.date(2015, 11, 26)),
    TaskFormat("segmentation_v1.0", "m-SA-crop-type", tuple(S2_BANDS), "segmentation", 10, "int16",
               40.0, 5.0, 2.0, size=32, date=datetime.date(2017, 4, 1)),
)  # fmt: skip
SPLIT_SIZES = {"train": 6, "valid": 3, "test": 4}


@contextmanager
def _fake_geobench() -> Iterator[dict[str, type]]:
    saved = {k: sys.modules.get(k) for k in ("geobench", *_CLASSES)}
    classes: dict[str, type] = {}
    sys.modules["geobench"] = types.ModuleType("geobench")
    for mod_name, names in _CLASSES.items():
        mod = types.ModuleType(mod_name)
        for n in names:
            cls = type(n, (), {"__module__": mod_name, "__qualname__": n})
            setattr(mod, n, cls)
            classes[n] = cls
        sys.modules[mod_name] = mod
    try:
        yield classes
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _obj(cls: type, **state: Any) -> Any:
    """An instance whose ``__dict__`` is exactly what geobench's ``__init__`` assigns."""
    o = cls.__new__(cls)
    o.__dict__.update(state)
    return o


def _stats(values: np.ndarray) -> dict[str, float]:
    """geobench ``compute_stats(values).to_dict()``."""
    q = np.percentile(values, [0.1, 1, 5, 50, 95, 99, 99.9])
    out = {"min": float(np.min(values)), "max": float(np.max(values)), "mean": float(np.mean(values)),
           "std": float(np.std(values))}  # fmt: skip
    out.update({k: float(v) for k, v in zip(STATS_KEYS, q, strict=True)})
    return {
        k: out[k] for k in ("min", "max", "mean", "std", "median", *[s for s in STATS_KEYS if s != "median"])
    }


def _descriptor(name: str, date: datetime.date | None) -> str:
    """geobench ``Band.get_descriptor``: the band name, ``_YYYY-MM-DD`` appended when dated."""
    return name if date is None else f"{name}_{date.strftime('%Y-%m-%d')}"


def _write_task(root: Path, t: TaskFormat, seed: int, counts: dict[str, int] | None = None) -> None:
    from affine import Affine
    from rasterio.crs import CRS

    rng = np.random.default_rng(seed)
    out = root / t.benchmark / t.name
    out.mkdir(parents=True)
    size = t.size
    with _fake_geobench() as classes:
        infos: list[tuple[str, Any, bool]] = []  # (name, band_info, is_s2)
        if t.s1:
            for n in S1_8:
                infos.append((n, _obj(classes["Sentinel1"], name=n, alt_names=(), spatial_resolution=10, wavelength=None), False))  # fmt: skip
        for b in t.s2:
            name, alt, res, wl = S2_BANDS[b]
            infos.append((name, _obj(classes["Sentinel2"], name=name, alt_names=alt, spatial_resolution=res, wavelength=wl), True))  # fmt: skip
        class_names = [f"class {i}" for i in range(t.n_classes)]
        if t.label_kind == "multilabel":
            label_type = _obj(
                classes["MultiLabelClassification"], n_classes=t.n_classes, class_name=class_names
            )
        elif t.label_kind == "classification":
            label_type = _obj(classes["Classification"], n_classes=t.n_classes, _class_names=class_names)
        else:
            label_type = _obj(classes["SegmentationClasses"], name="label", alt_names=(), spatial_resolution=10,
                              n_classes=t.n_classes, _class_names=class_names)  # fmt: skip
        specs = _obj(classes["TaskSpecifications"], dataset_name=t.name, benchmark_name=t.benchmark,
                     patch_size=(size, size), n_time_steps=1, bands_info=[i for _, i, _ in infos],
                     label_type=label_type, spatial_resolution=10)  # fmt: skip
        (out / "task_specs.pkl").write_bytes(pickle.dumps(specs))
        transform = Affine(10.0, 0.0, 500000.0 + 1000 * seed, 0.0, -10.0, 4000000.0)
        crs = CRS.from_epsg(32633)
        partition: dict[str, list[str]] = {}
        values: dict[str, list[np.ndarray]] = {n: [] for n, _, _ in infos}
        values["label"] = []
        index = 0
        for split, count in (counts or SPLIT_SIZES).items():
            partition[split] = []
            for _ in range(count):
                name = f"{t.name}_{index:05d}"
                index += 1
                partition[split].append(name)
                attr_dict: dict[str, Any] = {}
                if t.label_kind == "segmentation":
                    seg = np.zeros((size, size), dtype=np.int64)
                    seg[:, size // 2 :] = 1 + int(rng.integers(0, t.n_classes - 1))
                    seg[: size // 4, : size // 4] = int(rng.integers(0, t.n_classes))
                    offset = seg.astype(np.float32)
                    values["label"].append(seg.ravel())
                elif t.label_kind == "multilabel":
                    hot = (rng.random(t.n_classes) < 0.15).astype(np.int64)
                    hot[int(rng.integers(0, 3))] = 1
                    attr_dict["label"] = hot
                    offset = np.full((size, size), float(hot[0] * 2 + hot[1]), np.float32)
                    values["label"].append(hot)
                else:
                    cls_id = int(rng.integers(0, t.n_classes))
                    attr_dict["label"] = cls_id
                    offset = np.full((size, size), float(cls_id % 4), np.float32)
                    values["label"].append(np.array([cls_id]))
                bands_order = []
                with h5py.File(out / f"{name}.hdf5", "w") as f:
                    for bname, info, is_s2 in infos:
                        if is_s2:
                            data = t.base + t.step * offset + rng.normal(0, t.noise, (size, size))
                        else:
                            data = 0.02 * offset + rng.normal(0, 0.05, (size, size))
                        data = (
                            np.round(data).astype(t.dtype) if t.dtype != "float32" else data.astype("float32")
                        )
                        desc = _descriptor(bname, t.date)
                        f.create_dataset(name=desc, data=data)
                        values[bname].append(data.ravel())
                        bands_order.append(desc)
                        attr_dict[desc] = dict(date=t.date, date_id=t.date, spatial_resolution=10, band_info=info,
                                               meta_info=None, transform=transform, crs=crs)  # fmt: skip
                    if t.label_kind == "segmentation":
                        desc = _descriptor("label", t.date)
                        f.create_dataset(name=desc, data=seg)
                        bands_order.append(desc)
                        attr_dict[desc] = dict(date=t.date, date_id=t.date, spatial_resolution=10,
                                               band_info=label_type, meta_info=None, transform=transform, crs=crs)  # fmt: skip
                    attr_dict["bands_order"] = bands_order
                    f.attrs["pickle"] = str(pickle.dumps(attr_dict))
    full = "1.00x_train"
    parts = {full: partition, "0.01x_train": {**partition, "train": partition["train"][:2]}}
    for pname, part in parts.items():
        (out / f"{pname}_partition.json").write_text(json.dumps(part, indent=2))
    (out / "default_partition.json").symlink_to(f"{full}_partition.json")
    stats = {b: _stats(np.concatenate(v)) for b, v in values.items()}
    (out / "band_stats.json").write_text(json.dumps(stats, indent=2))


def generate(root: Path = ROOT) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for i, t in enumerate(TASKS):
        _write_task(root, t, seed=i + 1)
    return root


if __name__ == "__main__":
    print(generate())
