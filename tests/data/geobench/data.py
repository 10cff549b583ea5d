#!/usr/bin/env python
"""Deterministic generator of tiny GEO-Bench v1 task folders (format-exact, synthetic pixels).

Run ``python tests/data/geobench/data.py`` from the repo root; it rewrites ``tests/data/geobench/root``.
The files follow the published layout read by :mod:`geomeld.evaluation.geobench`: per-task
``task_specs.pkl`` (a pickled ``geobench.task.TaskSpecifications``), ``band_stats.json``,
``<partition>_partition.json`` and one ``<sample>.hdf5`` per sample (a 2-D dataset per band named
like ``"02 - Blue"``, a ``label`` dataset for segmentation, and the ``pickle`` file attribute).

The pickles must name ``geobench`` classes exactly as the real writer does, without geobench being
installed: the generator registers throw-away modules called ``geobench.*`` while pickling and removes
them afterwards. Pixel values are random with a class-dependent offset so that probes can learn.
"""

from __future__ import annotations

import json
import shutil
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent / "root"

S2_NAMES = {
    "B1": "01 - Coastal aerosol",
    "B2": "02 - Blue",
    "B3": "03 - Green",
    "B4": "04 - Red",
    "B5": "05 - Vegetation Red Edge",
    "B6": "06 - Vegetation Red Edge",
    "B7": "07 - Vegetation Red Edge",
    "B8": "08 - NIR",
    "B8A": "08A - Vegetation Red Edge",
    "B9": "09 - Water vapour",
    "B10": "10 - SWIR - Cirrus",
    "B11": "11 - SWIR",
    "B12": "12 - SWIR",
}
_CLASSES = {
    "geobench.dataset": ("Sentinel1", "Sentinel2", "SegmentationClasses"),
    "geobench.label": ("Classification", "MultiLabelClassification"),
    "geobench.task": ("TaskSpecifications",),
}


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
    o = cls.__new__(cls)
    o.__dict__.update(state)
    return o


def _band(classes: dict[str, type], kind: str, name: str) -> Any:
    return _obj(classes[kind], name=name, alt_names=(), spatial_resolution=10.0, wavelength=None)


def _write_task(
    root: Path,
    benchmark: str,
    task: str,
    bands: list[tuple[str, str]],  # (geobench class, band name)
    label_kind: str,
    n_classes: int,
    size: int,
    n_split: dict[str, int],
    seed: int,
) -> None:
    import pickle

    rng = np.random.default_rng(seed)
    out = root / benchmark / task
    out.mkdir(parents=True)
    with _fake_geobench() as classes:
        infos = [_band(classes, k, n) for k, n in bands]
        class_names = [f"class_{i}" for i in range(n_classes)]
        if label_kind == "multilabel":
            label_type = _obj(
                classes["MultiLabelClassification"], n_classes=n_classes, class_name=class_names
            )
        elif label_kind == "classification":
            label_type = _obj(classes["Classification"], n_classes=n_classes, _class_names=class_names)
        else:
            label_type = _obj(
                classes["SegmentationClasses"],
                name="label",
                alt_names=(),
                spatial_resolution=10.0,
                n_classes=n_classes,
                _class_names=class_names,
            )
        specs = _obj(
            classes["TaskSpecifications"],
            dataset_name=task,
            benchmark_name=benchmark,
            patch_size=(size, size),
            n_time_steps=1,
            bands_info=infos,
            label_type=label_type,
            eval_loss=None,
            spatial_resolution=10.0,
        )
        (out / "task_specs.pkl").write_bytes(pickle.dumps(specs, protocol=4))
        partition: dict[str, list[str]] = {}
        values: dict[str, list[np.ndarray]] = {n: [] for _, n in bands}
        index = 0
        for split, count in n_split.items():
            partition[split] = []
            for _ in range(count):
                name = f"id_{index:04d}"
                index += 1
                partition[split].append(name)
                attrs: dict[str, Any] = {}
                order = []
                if label_kind == "segmentation":
                    label = np.zeros((size, size), dtype=np.int16)
                    half = size // 2
                    label[:, half:] = 1 + int(rng.integers(0, n_classes - 1))
                    offset = label.astype(np.float32)
                elif label_kind == "multilabel":
                    hot = (rng.random(n_classes) < 0.4).astype(np.int64)
                    hot[int(rng.integers(0, n_classes))] = 1
                    attrs["label"] = hot
                    offset = np.full((size, size), float(hot[0] * 2 + hot[1]), np.float32)
                else:
                    cls_id = int(rng.integers(0, n_classes))
                    attrs["label"] = cls_id
                    offset = np.full((size, size), float(cls_id), np.float32)
                with h5py.File(out / f"{name}.hdf5", "w") as f:
                    for (_, bname), info in zip(bands, infos, strict=True):
                        base = 500.0 if bname.startswith(("0", "1")) else -12.0
                        data = base + 300.0 * offset + rng.normal(0, 60.0, (size, size))
                        data = np.round(data).astype(np.int16)
                        f.create_dataset(bname, data=data)
                        values[bname].append(data.ravel())
                        order.append(bname)
                        attrs[bname] = {
                            "date": None,
                            "date_id": None,
                            "spatial_resolution": 10.0,
                            "band_info": info,
                            "meta_info": None,
                            "transform": None,
                            "crs": None,
                        }
                    if label_kind == "segmentation":
                        f.create_dataset("label", data=label)
                        order.append("label")
                        attrs["label"] = {
                            "date": None,
                            "date_id": None,
                            "spatial_resolution": 10.0,
                            "band_info": label_type,
                            "meta_info": None,
                            "transform": None,
                            "crs": None,
                        }
                    attrs["bands_order"] = order
                    f.attrs["pickle"] = str(pickle.dumps(attrs, protocol=4))
    for pname, part in {
        "default": partition,
        "0.01x_train": {**partition, "train": partition["train"][:2]},
    }.items():
        (out / f"{pname}_partition.json").write_text(json.dumps(part, indent=2))
    stats = {
        b: {"mean": float(np.mean(np.concatenate(v))), "std": float(np.std(np.concatenate(v)))}
        for b, v in values.items()
    }
    (out / "band_stats.json").write_text(json.dumps(stats, indent=2))


def generate(root: Path = ROOT) -> Path:
    if root.exists():
        shutil.rmtree(root)
    s2_12 = [("Sentinel2", S2_NAMES[b]) for b in S2_NAMES if b != "B10"]
    split = {"train": 6, "valid": 2, "test": 3}
    _write_task(root, "classification_v1.0", "m-bigearthnet", s2_12, "multilabel", 5, 16, split, 1)
    so2sat = [("Sentinel2", S2_NAMES[b]) for b in S2_NAMES if b not in ("B1", "B9", "B10")]
    so2sat += [("Sentinel1", "03 - VV.Real"), ("Sentinel1", "01 - VH.Real")]
    _write_task(root, "classification_v1.0", "m-so2sat", so2sat, "classification", 3, 16, split, 2)
    s2_13 = [("Sentinel2", n) for n in S2_NAMES.values()]
    _write_task(root, "segmentation_v1.0", "m-cashew-plantation", s2_13, "segmentation", 3, 32, split, 3)
    return root


if __name__ == "__main__":
    print(generate())
