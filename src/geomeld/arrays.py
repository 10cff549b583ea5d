"""Your own arrays with a GeoMeld-FM encoder: embed them, probe or fine-tune on your labels.

Everything here takes plain ``numpy`` arrays (or torch tensors) of Sentinel-2 images, ``(N, C, H, W)``
or one ``(C, H, W)`` image, with the **names** of their ``C`` bands and their **units**:

* band names: the registry's (``B1`` … ``B12``, ``B8A``), other spellings of them (``B08``,
  ``"08A - Vegetation Red Edge"``) or STAC ``eo`` common names (``red``, ``nir``, ``swir16``, …).
  Bands are matched by name, never by position. Bands the encoder needs but the arrays lack are
  refused (``missing_bands="error"``, the default) unless you choose a fill rule: ``"duplicate"``
  (the spectrally nearest present band, as MMEarth does) or ``"zero"`` (absent: the band mean).
  Bands the encoder does not use (``B10``, an NDVI layer, …) are dropped.
* units: ``"dn"`` — surface reflectance × 10 000, the unit of GeoMeld shards and of the statistics an
  exported encoder carries — or ``"reflectance"`` (0–1, multiplied by 10 000 here). Values that
  plainly contradict the declared unit (reflectance declared as DN or the reverse) are refused;
  other units (radiance, 8-bit RGB) must be converted first.

Images are normalised with the encoder's own statistics (non-finite pixels become the band mean) and
resized to its input size, exactly as ``geomeld evaluate`` prepares a benchmark. The probe and
fine-tuning are ``geomeld evaluate``'s protocols (linear probe with a learning-rate sweep on the
validation split, k-NN, full fine-tuning with layer decay), scored on your test split with a 95 %
bootstrap interval over test images.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from geomeld.core.errors import GeomeldError

if TYPE_CHECKING:
    import torch

    from geomeld.evaluation.encoders import EvalEncoder
    from geomeld.evaluation.preprocess import Preprocessor
    from geomeld.models.export import ExportedEncoder

Units = Literal["dn", "reflectance"]
UNITS: tuple[str, ...] = ("dn", "reflectance")
DN_PER_REFLECTANCE = 10_000.0

COMMON_NAMES: dict[str, str] = {
    "coastal": "B1",
    "blue": "B2",
    "green": "B3",
    "red": "B4",
    "rededge1": "B5",
    "rededge2": "B6",
    "rededge3": "B7",
    "nir": "B8",
    "nir08": "B8A",
    "nir09": "B9",
    "cirrus": "B10",
    "swir16": "B11",
    "swir22": "B12",
}
"""STAC ``eo:common_name`` (and Earth Search asset key) → Sentinel-2 band of the registry."""


class ArrayInputError(GeomeldError, ValueError):
    """Arrays, band names, units or labels that cannot be used as given (the message says why)."""


def _as_eval_encoder(encoder: str | os.PathLike[str] | ExportedEncoder) -> EvalEncoder:
    from geomeld.evaluation.encoders import from_exported, load_export
    from geomeld.models.export import ExportedEncoder

    if isinstance(encoder, ExportedEncoder):
        return from_exported("encoder", encoder)
    return load_export("encoder", encoder)


def band_names_for_encoder(band_names: Sequence[str]) -> list[str]:
    """STAC common names (``red``, ``nir``…) replaced by registry names; other names kept as given."""
    return [COMMON_NAMES.get(str(b).strip().lower(), str(b)) for b in band_names]


def to_dn(images: np.ndarray | torch.Tensor, band_names: Sequence[str], units: str) -> np.ndarray:
    """``(N, C, H, W)`` (or ``(C, H, W)``) images as float32 Sentinel-2 DN, units checked."""
    if hasattr(images, "detach"):
        images = images.detach().cpu().numpy()  # type: ignore[union-attr]
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ArrayInputError(
            f"images of shape {x.shape}: expected (N, C, H, W) or (C, H, W)", key="images", expected="4-D"
        )
    if x.shape[1] != len(band_names):
        raise ArrayInputError(
            f"images have {x.shape[1]} channels but {len(band_names)} band names were given ({list(band_names)})",
            key="band_names",
            expected="one name per channel",
        )
    if units not in UNITS:
        raise ArrayInputError(
            f"units {units!r} are not supported: pass 'dn' (Sentinel-2 surface reflectance × 10 000, "
            "the unit of GeoMeld shards) or 'reflectance' (0–1); convert radiance or 8-bit images first",
            key="units",
            expected="'dn' or 'reflectance'",
        )
    finite = x[np.isfinite(x)]
    if finite.size:
        p99 = float(np.percentile(finite[:: max(1, finite.size // 200_000)], 99))
        if units == "dn" and p99 <= 2.0:
            raise ArrayInputError(
                f"units='dn' but 99 % of the values are <= {p99:.3g}: these look like reflectance (0–1); "
                "pass units='reflectance'",
                key="units",
                expected="DN (reflectance × 10 000)",
            )
        if units == "reflectance" and p99 > 5.0:
            raise ArrayInputError(
                f"units='reflectance' but the 99th percentile is {p99:.4g}: these look like DN "
                "(reflectance × 10 000); pass units='dn'",
                key="units",
                expected="reflectance (0–1)",
            )
    return x * np.float32(DN_PER_REFLECTANCE) if units == "reflectance" else x


def _preprocessor(
    enc: EvalEncoder, band_names: Sequence[str], missing_bands: str, device: str
) -> Preprocessor:
    from geomeld.evaluation.bands import BandMismatchError
    from geomeld.evaluation.preprocess import Preprocessor

    if enc.mean is None or enc.std is None:
        raise ArrayInputError("the encoder carries no normalisation statistics; use an exported encoder")
    try:
        pre = Preprocessor.build(
            band_names_for_encoder(band_names),
            enc.band_names,
            enc.mean,
            enc.std,
            enc.input_size,
            missing_bands,
            task="your arrays",
        )
    except BandMismatchError as exc:
        raise ArrayInputError(
            str(exc).replace(
                "set missing_bands: duplicate or zero in the eval config",
                "pass missing_bands='duplicate' or 'zero'",
            ),
            key="band_names",
        ) from exc
    except ValueError as exc:  # an unknown missing-band rule
        raise ArrayInputError(
            f"missing_bands={missing_bands!r}: {exc}",
            key="missing_bands",
            expected="error | duplicate | zero",
        ) from exc
    pre.device = device
    return pre


def embed_arrays(
    encoder: str | os.PathLike[str] | ExportedEncoder,
    images: np.ndarray | torch.Tensor,
    band_names: Sequence[str],
    *,
    units: str = "dn",
    missing_bands: str = "error",
    batch_size: int = 32,
    device: str = "cpu",
) -> np.ndarray:
    """One embedding per image, ``(N, D)`` float32: the encoder's pooled last stage (global average +
    layer norm, as ``geomeld embed``). ``encoder`` is an export folder or :func:`geomeld.load_encoder`'s
    result; see the module docstring for ``band_names``, ``units`` and ``missing_bands``."""
    import torch

    enc = _as_eval_encoder(encoder)
    x = to_dn(images, band_names, units)
    pre = _preprocessor(enc, band_names, missing_bands, device)
    enc.model.to(device).eval()
    out = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            out.append(enc.model.forward_pooled(pre(x[start : start + batch_size])).float().cpu().numpy())  # type: ignore[operator]
    return np.concatenate(out).astype(np.float32)


@dataclass(frozen=True)
class ProbeResult:
    """The score of a probe / fine-tuning run on your test split."""

    protocol: str  # "lp" (linear probe) | "knn" | "ft" (fine-tuning)
    metric: str  # micro_accuracy (classification) | micro_f1 (multilabel) | miou (segmentation)
    value: float  # percent
    ci_low: float  # 95 % bootstrap interval over test images
    ci_high: float
    n_train: int
    n_valid: int
    n_test: int
    bands: str  # how your bands became the encoder's ("all bands present", or the fills)
    train_info: dict[str, Any]

    def __str__(self) -> str:
        return (
            f"{self.protocol} {self.metric} {self.value:.1f} % (95 % CI {self.ci_low:.1f}–{self.ci_high:.1f}, "
            f"n_test={self.n_test}, n_train={self.n_train})"
        )


def _splits(n: int, split: Sequence[str] | np.ndarray | None, seed: int) -> dict[str, np.ndarray]:
    if split is None:  # seeded random 60 / 20 / 20
        order = np.random.default_rng(seed).permutation(n)
        a, b = round(0.6 * n), round(0.8 * n)
        parts = {"train": order[:a], "valid": order[a:b], "test": order[b:]}
    else:
        names = np.asarray([str(s) for s in split])
        if names.shape != (n,):
            raise ArrayInputError(f"split has {names.shape} entries for {n} images", key="split")
        unknown = sorted(set(names) - {"train", "valid", "test"})
        if unknown:
            raise ArrayInputError(f"split holds {unknown}", key="split", expected="train | valid | test")
        parts = {s: np.flatnonzero(names == s) for s in ("train", "valid", "test")}
    empty = [s for s, idx in parts.items() if len(idx) == 0]
    if empty:
        raise ArrayInputError(
            f"{n} images leave the {', '.join(empty)} split empty; give more images or an explicit split",
            key="split",
        )
    return parts


def _kind(labels: np.ndarray, images: np.ndarray, kind: str | None) -> str:
    if kind is not None:
        return kind
    if labels.ndim == 1:
        return "classification"
    if labels.ndim == 2:
        return "multilabel"
    if labels.ndim == 3 and labels.shape[1:] == images.shape[2:]:
        return "segmentation"
    raise ArrayInputError(
        f"labels of shape {labels.shape} for images {images.shape}",
        key="labels",
        expected="(N,) classes, (N, K) multi-hot or (N, H, W) class maps",
    )


def probe_arrays(
    encoder: str | os.PathLike[str] | ExportedEncoder,
    images: np.ndarray | torch.Tensor,
    labels: np.ndarray | torch.Tensor,
    band_names: Sequence[str],
    *,
    units: str = "dn",
    protocol: Literal["lp", "knn", "ft"] = "lp",
    kind: Literal["classification", "multilabel", "segmentation"] | None = None,
    class_names: Sequence[str] | None = None,
    split: Sequence[str] | np.ndarray | None = None,
    missing_bands: str = "error",
    train: Mapping[str, Any] | None = None,
    seed: int = 0,
    n_bootstrap: int = 1000,
    device: str = "cpu",
) -> ProbeResult:
    """Train a linear probe (``lp``), a k-NN (``knn``) or fine-tune the encoder (``ft``) on your
    labelled arrays and score it on your test images.

    ``labels``: ``(N,)`` class indices, ``(N, K)`` multi-hot or ``(N, H, W)`` class maps (-1 =
    unlabelled); ``kind`` is inferred from their shape. ``split``: per image ``train`` | ``valid`` |
    ``test`` (use a spatial split when your images overlap or neighbour each other); default a seeded
    random 60/20/20. ``train``: settings of ``geomeld evaluate``'s ``train:`` section (``lp_epochs``,
    ``ft_epochs``, ``patience``, ``batch_size``, learning rates …). The encoder passed in is not modified.
    """
    from geomeld.evaluation.config import TrainSettings
    from geomeld.evaluation.metrics import score
    from geomeld.evaluation.protocols import clear_feature_cache, fine_tune, knn_probe, linear_probe
    from geomeld.evaluation.tasks import ArraySplit, TaskData

    enc = _as_eval_encoder(encoder)
    x = to_dn(images, band_names, units)
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()  # type: ignore[union-attr]
    y = np.asarray(labels)
    if y.shape[0] != x.shape[0]:
        raise ArrayInputError(f"{y.shape[0]} labels for {x.shape[0]} images", key="labels")
    task_kind = _kind(y, x, kind)
    if task_kind == "multilabel":
        n_classes = int(y.shape[1])
    else:
        y = y.astype(np.int64)
        n_classes = int(y.max()) + 1 if y.size and y.max() >= 0 else 0
    names = tuple(class_names) if class_names is not None else tuple(str(i) for i in range(n_classes))
    if len(names) < n_classes:
        raise ArrayInputError(f"{len(names)} class names for labels up to {n_classes - 1}", key="class_names")
    parts = _splits(x.shape[0], split, seed)
    task = TaskData(
        name="your arrays",
        kind=task_kind,
        class_names=names,
        band_names=tuple(band_names_for_encoder(band_names)),
        splits={
            s: ArraySplit(x[idx], y[idx], [f"{s}-{i}" for i in range(len(idx))]) for s, idx in parts.items()
        },
        source="arrays",
    )
    settings = TrainSettings.model_validate({"device": device, **dict(train or {})})
    pre = _preprocessor(enc, band_names, missing_bands, settings.device)
    fn = {"lp": linear_probe, "knn": knn_probe, "ft": fine_tune}.get(protocol)
    if fn is None:
        raise ArrayInputError(f"protocol {protocol!r}", key="protocol", expected="lp | knn | ft")
    try:
        result = fn(enc.model, enc.dims, task, pre, settings, seed)
    finally:
        clear_feature_cache()
    s = score(result.metric, result.test_stats, n_boot=n_bootstrap, seed=seed)
    return ProbeResult(
        protocol=protocol,
        metric=s.metric,
        value=s.value,
        ci_low=s.ci_low,
        ci_high=s.ci_high,
        n_train=len(parts["train"]),
        n_valid=len(parts["valid"]),
        n_test=len(parts["test"]),
        bands=pre.mapping.describe(),
        train_info=dict(result.train_info),
    )
