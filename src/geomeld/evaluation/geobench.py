"""A reader of our own for GEO-Bench v1 task folders (no dependency on the ``geobench`` package).

Expected layout (what ``geobench-download`` unpacks under ``$GEO_BENCH_DIR``)::

    $GEO_BENCH_DIR/
      classification_v1.0/                 # benchmark folder (v0.9.1 folders work the same)
        m-bigearthnet/
          task_specs.pkl                   # pickled TaskSpecifications (bands_info, label_type, patch_size)
          band_stats.json                  # per-band min/max/mean/std/percentiles
          default_partition.json           # {"train": [...], "valid": [...], "test": [...]} sample names
          0.01x_train_partition.json …     # few-shot partitions, same schema
          <sample_name>.hdf5               # one file per sample
        m-so2sat/ …
      segmentation_v1.0/
        m-cashew-plant/ …                  # the paper's "Cashew1K" ("cashew plantation")
        m-SA-crop-type/ …

One sample file holds one 2-D HDF5 dataset per band, named by geobench's ``Band.get_descriptor()``
(``"02 - Blue"``, or ``"02 - Blue_2017-06-13"`` when the band is dated), a ``label`` (or
``label_<date>``) dataset for segmentation tasks, and one file attribute ``pickle`` =
``str(pickle.dumps(attrs))`` with ``bands_order``, per-band ``band_info``/date/``Affine``/CRS and, for
classification tasks, the ``label`` (an int, or a 0/1 vector for multi-label tasks).

Task names: the real folder names are canonical; the paper's names and older spellings are aliases
(:data:`TASK_ALIASES`), and the benchmark folder of the paper's four tasks is known
(:data:`BENCHMARK_OF`).

The pickles reference ``geobench`` classes. :class:`_RestrictedUnpickler` never imports them: it
rebuilds each as a plain :class:`GeoBenchRecord` (class name + attribute dict) and refuses anything
outside a short allow-list (numpy arrays without object dtype, datetime, OrderedDict), so a hostile
file cannot run code. Known upstream band-order bugs (m-eurosat, m-brick-kiln, geo-bench #28/#29)
are refused rather than silently read.
"""

from __future__ import annotations

import ast
import io
import json
import logging
import os
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import h5py
import numpy as np

from geomeld.core.errors import GeomeldError

log = logging.getLogger(__name__)

GEO_BENCH_ENV = "GEO_BENCH_DIR"
SPLITS = ("train", "valid", "test")
_BROKEN_BAND_ORDER = {
    "m-eurosat": "https://github.com/ServiceNow/geo-bench/issues/28",
    "m-brick-kiln": "https://github.com/ServiceNow/geo-bench/issues/29",
}
_GEOBENCH_MODULE_PREFIXES = ("geobench", "ccb")

BENCHMARK_OF = {
    "m-bigearthnet": "classification_v1.0",
    "m-so2sat": "classification_v1.0",
    "m-brick-kiln": "classification_v1.0",
    "m-forestnet": "classification_v1.0",
    "m-pv4ger": "classification_v1.0",
    "m-eurosat": "classification_v1.0",
    "m-cashew-plant": "segmentation_v1.0",
    "m-SA-crop-type": "segmentation_v1.0",
    "m-chesapeake": "segmentation_v1.0",
    "m-NeonTree": "segmentation_v1.0",
    "m-nz-cattle": "segmentation_v1.0",
    "m-pv4ger-seg": "segmentation_v1.0",
}
"""The benchmark folder of each GEO-Bench v1 task."""
TASK_ALIASES = {
    "m-cashew-plantation": "m-cashew-plant",
    "cashew1k": "m-cashew-plant",
    "cashew": "m-cashew-plant",
    "sacrop3k": "m-SA-crop-type",
    "sa-crop-type": "m-SA-crop-type",
    "m-sa-crop-type": "m-SA-crop-type",
    "bigearthnet": "m-bigearthnet",
    "bigearthnet20k": "m-bigearthnet",
    "so2sat": "m-so2sat",
    "so2sat20k": "m-so2sat",
}
"""The paper's names (Cashew1K, SAcrop3K, BigEarthNet20k, So2Sat20k) and older spellings → folder names."""


def canonical_task(name: str) -> str:
    """The real GEO-Bench folder name of a task given by folder name, paper name or alias."""
    if name in BENCHMARK_OF:
        return name
    return TASK_ALIASES.get(name.lower(), name)


class GeoBenchFormatError(GeomeldError, ValueError):
    """A GEO-Bench task folder or sample file is not what the reader expects."""


class GeoBenchRecord:
    """Stand-in for any pickled ``geobench`` object: its class name and its attributes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__["_args"] = args

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self.__dict__["_state"] = state

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"GEO-Bench {type(self).__name__} record has no field {name!r}")

    @property
    def class_name(self) -> str:
        return str(getattr(type(self), "_class", ""))


def _record_class(module: str, name: str) -> type:
    return type(
        name, (GeoBenchRecord,), {"_class": name, "__module__": f"geomeld.evaluation.geobench[{module}]"}
    )


def _np_reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    if subtype is not np.ndarray:
        raise GeoBenchFormatError(f"refusing ndarray subclass {subtype!r} in a GEO-Bench pickle")
    if np.dtype(dtype).hasobject:
        raise GeoBenchFormatError("refusing object-dtype array in a GEO-Bench pickle")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _np_dtype(*args: Any, **kwargs: Any) -> np.dtype:
    dt = np.dtype(*args, **kwargs)
    if dt.hasobject:
        raise GeoBenchFormatError("refusing object dtype in a GEO-Bench pickle")
    return dt


def _np_scalar(dtype: Any, data: Any = None) -> Any:
    dt = _np_dtype(dtype)
    return np.frombuffer(data, dtype=dt, count=1)[0] if data is not None else dt.type()


def _np_frombuffer(buf: Any, dtype: Any, shape: Any, order: str) -> np.ndarray:
    return np.frombuffer(buf, dtype=_np_dtype(dtype)).reshape(shape, order=order)  # type: ignore[call-overload,no-any-return]


class _Opaque(GeoBenchRecord):
    """Stand-in for affine/rasterio geo-referencing objects (not needed for evaluation)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> _Opaque:
        obj = super().__new__(cls)
        obj.__dict__["_args"] = args
        return obj


class _RestrictedUnpickler(pickle.Unpickler):
    _ALLOWED: ClassVar[set[tuple[str, str]]] = {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("collections", "OrderedDict"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "complex"),
        ("builtins", "slice"),
    }
    _NUMPY: ClassVar[dict[tuple[str, str], Any]] = {
        ("numpy", "dtype"): _np_dtype,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
        ("numpy.core.multiarray", "scalar"): _np_scalar,
        ("numpy._core.multiarray", "scalar"): _np_scalar,
        ("numpy.core.numeric", "_frombuffer"): _np_frombuffer,
        ("numpy._core.numeric", "_frombuffer"): _np_frombuffer,
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._NUMPY:
            return self._NUMPY[(module, name)]
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        if module.split(".")[0] in _GEOBENCH_MODULE_PREFIXES:
            return _record_class(module, name)
        if (module, name) in {("affine", "Affine"), ("rasterio.crs", "CRS"), ("rasterio._crs", "_CRS")}:
            return _Opaque
        if (module, name) == ("copyreg", "_reconstructor"):
            return _copyreg_reconstructor
        raise GeoBenchFormatError(
            f"refusing to unpickle {module}.{name}: not part of the GEO-Bench format (file not written by geobench?)"
        )


def _copyreg_reconstructor(cls: type, base: type, state: Any) -> Any:
    if not (isinstance(cls, type) and issubclass(cls, GeoBenchRecord)):
        raise GeoBenchFormatError(f"refusing copyreg reconstruction of {cls!r}")
    return cls.__new__(cls)


def safe_unpickle(data: bytes) -> Any:
    """Unpickle GEO-Bench metadata without importing ``geobench`` and without running foreign code."""
    return _RestrictedUnpickler(io.BytesIO(data)).load()


def _attr_pickle(value: Any, where: Path) -> Any:
    raw = value.decode() if isinstance(value, bytes) else value
    try:
        data = ast.literal_eval(raw) if isinstance(raw, str) else bytes(raw)
    except (ValueError, SyntaxError) as exc:
        raise GeoBenchFormatError(f"{where}: attribute 'pickle' is not a bytes literal ({exc})") from exc
    return safe_unpickle(data)


@dataclass(frozen=True)
class TaskSpec:
    """What the evaluation needs from ``task_specs.pkl``."""

    name: str
    benchmark: str
    kind: str  # "classification" | "multilabel" | "segmentation"
    n_classes: int
    class_names: tuple[str, ...] | None
    band_names: tuple[str, ...]
    patch_size: tuple[int, int]
    band_sensors: tuple[str, ...] = ()  # geobench band class per band ("Sentinel2", "Sentinel1", …)

    def sentinel2_bands(self) -> tuple[str, ...]:
        """The task's Sentinel-2 bands (by the geobench band class, not by name: S1 names also start "01 -")."""
        return tuple(b for b, s in zip(self.band_names, self.band_sensors, strict=True) if s == "Sentinel2")

    def sentinel1_bands(self) -> tuple[str, ...]:
        """The task's Sentinel-1 bands (m-so2sat: 8 VH/VV components), by the geobench band class."""
        return tuple(b for b, s in zip(self.band_names, self.band_sensors, strict=True) if s == "Sentinel1")


def _label_kind(label_type: Any) -> str:
    cls = getattr(label_type, "class_name", type(label_type).__name__)
    if cls == "MultiLabelClassification":
        return "multilabel"
    if cls in ("SemanticSegmentation", "SegmentationClasses"):
        return "segmentation"
    if cls == "Classification":
        return "classification"
    raise GeoBenchFormatError(f"unsupported GEO-Bench label type {cls!r} (detection tasks are not evaluated)")


def _record_get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, GeoBenchRecord) and n in obj.__dict__:
            return obj.__dict__[n]
    return default


@dataclass
class GeoBenchTask:
    """One GEO-Bench task folder: specs, partitions and per-sample HDF5 files."""

    path: Path
    spec: TaskSpec
    band_stats: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> GeoBenchTask:
        p = Path(path)
        if not p.is_dir():
            raise GeoBenchFormatError(
                f"GEO-Bench task folder {p} does not exist; download GEO-Bench (geobench-download) and set "
                f"{GEO_BENCH_ENV} to its root, or point task.path at the folder"
            )
        if p.name in _BROKEN_BAND_ORDER:
            raise GeoBenchFormatError(
                f"{p.name}: the published files carry wrong band names ({_BROKEN_BAND_ORDER[p.name]}); "
                "evaluating it by band name would misalign bands, so geomeld refuses it"
            )
        spec_path = p / "task_specs.pkl"
        if not spec_path.is_file():
            raise GeoBenchFormatError(f"{p}: missing task_specs.pkl; this is not a GEO-Bench task folder")
        try:
            specs = safe_unpickle(spec_path.read_bytes())
        except GeoBenchFormatError as exc:
            raise GeoBenchFormatError(f"{spec_path}: {exc}") from None
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise GeoBenchFormatError(
                f"{spec_path}: corrupt or truncated (expected a pickled geobench TaskSpecifications): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if not isinstance(specs, GeoBenchRecord) or "bands_info" not in specs.__dict__:
            raise GeoBenchFormatError(
                f"{spec_path}: expected a pickled geobench TaskSpecifications with bands_info and label_type, "
                f"got {type(specs).__name__}"
            )
        label_type = _record_get(specs, "label_type")
        kind = _label_kind(label_type)
        n_classes = int(_record_get(label_type, "n_classes", default=0))
        if n_classes <= 0:
            raise GeoBenchFormatError(f"{spec_path}: label_type has no positive n_classes")
        names = _record_get(label_type, "_class_names", "class_names", "class_name")
        bands_info = _record_get(specs, "bands_info", default=[])
        band_names = tuple(str(_record_get(b, "name")) for b in bands_info)
        band_sensors = tuple(getattr(b, "class_name", type(b).__name__) for b in bands_info)
        if not band_names:
            raise GeoBenchFormatError(f"{spec_path}: bands_info is empty")
        patch = _record_get(specs, "patch_size", default=(0, 0))
        spec = TaskSpec(
            name=p.name,
            benchmark=p.parent.name,
            kind=kind,
            n_classes=n_classes,
            class_names=tuple(names) if names is not None else None,
            band_names=band_names,
            patch_size=(int(patch[0]), int(patch[1])),
            band_sensors=band_sensors,
        )
        return cls(p, spec, _read_band_stats(p / "band_stats.json"))

    # partitions ---------------------------------------------------------------------------------
    def partitions(self) -> list[str]:
        return sorted(f.name[: -len("_partition.json")] for f in self.path.glob("*_partition.json"))

    def split(self, split: str, partition: str = "default") -> list[str]:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        f = self.path / f"{partition}_partition.json"
        if not f.is_file():
            raise GeoBenchFormatError(
                f"{self.path}: no partition {partition!r} ({f.name}); available: {self.partitions()}"
            )
        try:
            part = json.loads(f.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GeoBenchFormatError(
                f'{f}: not valid JSON ({exc}); expected {{"train": [...], "valid": [...], "test": [...]}}'
            ) from None
        if not isinstance(part, dict):
            raise GeoBenchFormatError(
                f"{f}: expected a JSON object with train/valid/test lists, got {type(part).__name__}"
            )
        if split not in part:
            raise GeoBenchFormatError(f"{f}: has no {split!r} list (keys {list(part)})")
        names = part[split]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise GeoBenchFormatError(f"{f}: {split!r} must be a list of sample names (strings)")
        return list(names)

    # samples ------------------------------------------------------------------------------------
    def sample_path(self, name: str) -> Path:
        return self.path / f"{name}.hdf5"

    def _open(self, name: str) -> tuple[Path, h5py.File]:
        path = self.sample_path(name)
        if not path.is_file():
            raise GeoBenchFormatError(
                f"{self.path}: sample {name!r} listed in a partition has no file {path.name}"
            )
        try:
            return path, h5py.File(path, "r")
        except OSError as exc:
            raise GeoBenchFormatError(
                f"{path}: cannot be opened as HDF5 (truncated or corrupt download? re-download the task): {exc}"
            ) from None

    def _attrs(self, f: h5py.File, path: Path) -> Any:
        if "pickle" not in f.attrs:
            raise GeoBenchFormatError(f"{path}: no 'pickle' attribute; not a GEO-Bench v1 sample")
        try:
            return _attr_pickle(f.attrs["pickle"], path)
        except GeoBenchFormatError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise GeoBenchFormatError(
                f"{path}: attribute 'pickle' is corrupt (expected the pickled band attributes geobench writes): "
                f"{type(exc).__name__}: {exc}"
            ) from None

    @staticmethod
    def _label_key(f: h5py.File, keys: list[str]) -> str | None:
        for k in [*keys, *f.keys()]:
            if (k == "label" or k.startswith("label_")) and k in f:
                return k
        return None

    def load(self, name: str, bands: Sequence[str] | None = None) -> tuple[np.ndarray, Any]:
        """``(image (C, H, W) float32 in ``bands`` order, label)`` for one sample; bands default to the spec."""
        want = tuple(bands) if bands is not None else self.spec.band_names
        path, f = self._open(name)
        try:
            with f:
                attrs = self._attrs(f, path)
                keys = (
                    list(attrs.get("bands_order", list(f.keys())))
                    if isinstance(attrs, dict)
                    else list(f.keys())
                )
                by_name: dict[str, str] = {}
                for k in keys:
                    if k not in f or k == "label" or k.startswith("label_"):
                        continue
                    info = attrs.get(k, {}).get("band_info") if isinstance(attrs, dict) else None
                    band = str(_record_get(info, "name", default=k.split("_")[0]))
                    by_name.setdefault(band, k)
                missing = [b for b in want if b not in by_name]
                if missing:
                    raise GeoBenchFormatError(
                        f"{path}: band(s) {missing} listed in task_specs.pkl are missing (file holds {sorted(by_name)}); "
                        "re-download the task (geobench-download verifies checksums) — geomeld never fills a band "
                        "silently"
                    )
                arrays = [np.asarray(f[by_name[b]][()], dtype=np.float32) for b in want]
                lk = self._label_key(f, keys)
                label = (
                    np.asarray(f[lk][()]) if lk else (attrs.get("label") if isinstance(attrs, dict) else None)
                )
        except (OSError, KeyError) as exc:
            raise GeoBenchFormatError(
                f"{path}: unreadable sample (truncated or corrupt HDF5?): {exc}"
            ) from None
        image = _stack_resampled(arrays, path)
        return image, self._check_label(label, path)

    def load_label(self, name: str) -> Any:
        """Only the label of one sample (no band is read)."""
        path, f = self._open(name)
        try:
            with f:
                attrs = self._attrs(f, path)
                keys = list(attrs.get("bands_order", [])) if isinstance(attrs, dict) else []
                lk = self._label_key(f, keys)
                label = (
                    np.asarray(f[lk][()]) if lk else (attrs.get("label") if isinstance(attrs, dict) else None)
                )
        except (OSError, KeyError) as exc:
            raise GeoBenchFormatError(
                f"{path}: unreadable sample (truncated or corrupt HDF5?): {exc}"
            ) from None
        return self._check_label(label, path)

    def band_stats_for(self, bands: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std of ``bands`` from ``band_stats.json`` (GEO-Bench / MMEarth per-task normalisation)."""
        f = self.path / "band_stats.json"
        if not self.band_stats:
            raise GeoBenchFormatError(
                f"{f}: missing; per-task normalisation needs it (or set normalisation: encoder | train_split)"
            )
        mean, std = [], []
        for b in bands:
            st = self.band_stats.get(b)
            if not isinstance(st, dict) or "mean" not in st or "std" not in st:
                raise GeoBenchFormatError(
                    f"{f}: no mean/std for band {b!r} (bands with stats: {sorted(self.band_stats)})"
                )
            mean.append(float(st["mean"]))
            std.append(float(st["std"]) if float(st["std"]) > 0 else 1.0)
        return np.asarray(mean), np.asarray(std)

    def _check_label(self, label: Any, path: Path) -> Any:
        k = self.spec.n_classes
        if label is None:
            raise GeoBenchFormatError(f"{path}: sample has no label")
        if self.spec.kind == "classification":
            v = int(label)
            if not 0 <= v < k:
                raise GeoBenchFormatError(f"{path}: label {v} outside [0, {k - 1}] for {self.spec.name}")
            return v
        arr = np.asarray(label)
        if self.spec.kind == "multilabel":
            if arr.shape != (k,) or not np.isin(arr, (0, 1)).all():
                raise GeoBenchFormatError(
                    f"{path}: multi-label target must be a 0/1 vector of length {k}, got {arr!r}"
                )
            return arr.astype(np.uint8)
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise GeoBenchFormatError(f"{path}: segmentation label must be 2-D, got shape {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= k):
            raise GeoBenchFormatError(
                f"{path}: segmentation label values span [{arr.min()}, {arr.max()}], outside [0, {k - 1}]"
            )
        return arr.astype(np.int64)

    def iter_split(self, split: str, partition: str = "default") -> Iterator[tuple[str, np.ndarray, Any]]:
        for name in self.split(split, partition):
            image, label = self.load(name)
            yield name, image, label

    def dn_scale(self) -> float:
        """Factor to bring the task's S2 values to the registry's DN (reflectance × 10 000).

        GEO-Bench stores S2 as DN in most tasks but as reflectance (≈0…3) in m-so2sat
        (torchgeo-bench #85/#95/#256); judged from ``band_stats.json`` means of Sentinel-2 bands.
        """
        from geomeld.evaluation.bands import _S2_WAVELENGTH, canonical_band_name

        means = [
            float(v["mean"])
            for n, v in self.band_stats.items()
            if canonical_band_name(n) in _S2_WAVELENGTH and isinstance(v, dict) and "mean" in v
        ]
        if not means:
            return 1.0
        return 10000.0 if float(np.median(means)) < 5.0 else 1.0


def _read_band_stats(path: Path) -> dict[str, dict[str, float]]:
    if not path.is_file():
        return {}
    try:
        stats = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GeoBenchFormatError(
            f"{path}: not valid JSON ({exc}); expected {{band name: {{mean, std, min, max, ...}}}}"
        ) from None
    if not isinstance(stats, dict) or not all(isinstance(v, dict) for v in stats.values()):
        raise GeoBenchFormatError(f"{path}: expected a JSON object mapping band names to statistics objects")
    return stats


def _stack_resampled(arrays: list[np.ndarray], where: Path) -> np.ndarray:
    shape = max((a.shape for a in arrays), key=lambda s: s[0] * s[1])
    out = []
    for a in arrays:
        if a.ndim != 2:
            raise GeoBenchFormatError(f"{where}: band array of shape {a.shape}; expected 2-D bands")
        if a.shape != shape:
            from scipy.ndimage import zoom

            a = zoom(a, (shape[0] / a.shape[0], shape[1] / a.shape[1]), order=1)
        out.append(a)
    return np.stack(out).astype(np.float32)


def task_dir(task: str, benchmark: str | None = None, root: str | os.PathLike[str] | None = None) -> Path:
    """``$GEO_BENCH_DIR/<benchmark>/<task>`` with a clear error when the variable is unset.

    ``task`` may be a folder name, a paper name or an alias (:data:`TASK_ALIASES`); the benchmark
    defaults to the task's known one. When the canonical folder is absent but a folder under an alias
    exists (e.g. an old ``m-cashew-plantation`` tree), that one is used.
    """
    name = canonical_task(task)
    bench = benchmark or BENCHMARK_OF.get(name)
    if not bench:
        raise GeoBenchFormatError(
            f"task {task!r}: unknown benchmark folder; set benchmark (e.g. classification_v1.0)"
        )
    base = root if root is not None else os.environ.get(GEO_BENCH_ENV)
    if not base:
        raise GeoBenchFormatError(
            f"{GEO_BENCH_ENV} is not set; export {GEO_BENCH_ENV}=/path/to/geobench (the folder holding "
            f"{bench}/) or set task.root in the eval config"
        )
    path = Path(base) / bench / name
    if not path.is_dir():
        for alias, target in TASK_ALIASES.items():
            if target == name and (Path(base) / bench / alias).is_dir():
                return Path(base) / bench / alias
    return path
