"""Encoders under evaluation: exported checkpoints, random-init ConvNeXt V2, and their preprocessing.

An :class:`EvalEncoder` carries everything the harness needs to feed an encoder correctly: the
model (``forward_features`` → 4 stage maps, ``forward_pooled`` → ``(B, dims[-1])``, ``.dims``), its
band order, its normalisation statistics in DN (reflectance × 10 000) and its input size.

- ``export``: :func:`geomeld.models.export.load_encoder`; a checkpoint without ``encoder.json`` is an
  error (never a silent random init).
- ``random_init``: a freshly initialised ConvNeXt V2 (seeded). It has no statistics of its own, so it
  is normalised with the task's training-split band statistics (recorded in the report) — the same
  statistics the raw-band baseline uses.

:func:`check_normalisation` refuses an encoder whose statistics are in other units than the task
(e.g. reflectance 0…1 stats against DN data), which would otherwise evaluate garbage silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import SENTINEL2_BANDS

if TYPE_CHECKING:
    from geomeld.models.export import ExportedEncoder


class NormalisationMismatchError(GeomeldError, ValueError):
    """The encoder's normalisation statistics do not fit the task's input values."""


@dataclass
class EvalEncoder:
    name: str
    kind: str  # "export" | "random_init"
    model: nn.Module
    band_names: tuple[str, ...]
    mean: np.ndarray | None  # per band, DN; None → use the task's training statistics
    std: np.ndarray | None
    input_size: int = 112
    patch_size: int = 16
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def dims(self) -> tuple[int, ...]:
        return tuple(self.model.dims)  # type: ignore[arg-type]

    def fresh_copy(self) -> nn.Module:
        """A trainable copy of the model (fine-tuning never touches the original weights)."""
        import copy

        return copy.deepcopy(self.model)


def load_export(name: str, path: str | os.PathLike[str]) -> EvalEncoder:
    from geomeld.models.export import load_encoder

    enc = load_encoder(path)
    in_chans = getattr(enc.model, "in_chans", len(enc.band_names))
    if len(enc.band_names) != in_chans:
        from geomeld.models.export import EncoderLoadError

        raise EncoderLoadError(
            f"{os.fspath(path)}/encoder.json: lists {len(enc.band_names)} bands {list(enc.band_names)} but the "
            f"weights take {in_chans} input channels; expected one band name per channel"
        )
    return from_exported(name, enc, source=str(path))


def from_exported(name: str, enc: ExportedEncoder, source: str = "") -> EvalEncoder:
    """An encoder already loaded with :func:`geomeld.models.export.load_encoder`, for evaluation."""
    return EvalEncoder(
        name=name,
        kind="export",
        model=enc.model.eval(),
        band_names=tuple(enc.band_names),
        mean=enc.mean.numpy().astype(np.float64),
        std=enc.std.numpy().astype(np.float64),
        input_size=enc.input_size,
        patch_size=enc.patch_size,
        meta=dict(enc.meta),
        source=source,
    )


def random_init(
    name: str,
    size: str = "atto",
    *,
    seed: int = 0,
    input_size: int = 112,
    patch_size: int = 16,
    **kwargs: Any,
) -> EvalEncoder:
    from geomeld.models.convnextv2 import ConvNeXtV2

    torch.manual_seed(seed)
    model = ConvNeXtV2(size, in_chans=len(SENTINEL2_BANDS), patch_size=patch_size, **kwargs).eval()
    return EvalEncoder(
        name=name,
        kind="random_init",
        model=model,
        band_names=tuple(b.name for b in SENTINEL2_BANDS),
        mean=None,
        std=None,
        input_size=input_size,
        patch_size=patch_size,
        meta={"size": size, "seed": seed, "stats": "task training split"},
        source=f"ConvNeXtV2({size!r}) random init, seed {seed}",
    )


def check_normalisation(
    encoder_name: str, mean: np.ndarray, task_mean: np.ndarray, observed: np.ndarray, task: str
) -> None:
    """Refuse when the encoder's band means and the task's are orders of magnitude apart.

    ``observed`` marks bands actually present in the task (filled bands are not judged). The
    tolerance (×20) admits L1C vs L2A and seasonal differences, not a unit change (×10 000).
    """
    m, t = np.abs(mean[observed]), np.abs(task_mean[observed])
    ratio = (t + 1e-6) / (m + 1e-6)
    bad = (ratio > 20) | (ratio < 1 / 20)
    if bad.sum() * 2 > observed.sum():
        raise NormalisationMismatchError(
            f"{encoder_name} on {task}: the encoder's band means {np.round(m, 3).tolist()} and the task's "
            f"{np.round(t, 3).tolist()} differ by ~{float(np.median(ratio)):.3g}x; the encoder expects other units "
            "(geomeld encoders expect Sentinel-2 DN = reflectance x 10 000). Re-export the encoder with DN "
            "statistics or set the task's dn_scale"
        )


def imported(
    name: str,
    path: str | os.PathLike[str],
    size: str = "atto",
    *,
    layout: str = "auto",
    stem: str = "auto",
    band_names: list[str] | None = None,
    input_size: int = 112,
    patch_size: int = 16,
) -> EvalEncoder:
    """An encoder from outside weights (timm, official ConvNeXt V2 / FCMAE, MMEarth): an "ImageNet-style"
    or "MMEarth" baseline row. It has no band statistics of its own: normalised with the task's."""
    from geomeld.models.convnextv2 import ConvNeXtV2
    from geomeld.models.convnextv2_import import import_convnextv2, read_checkpoint

    bands = list(band_names or [b.name for b in SENTINEL2_BANDS])
    model = ConvNeXtV2(
        size, in_chans=len(bands), patch_size=patch_size, stem="mmearth" if stem == "mmearth" else "patch"
    )
    report = import_convnextv2(
        read_checkpoint(path), model, band_names=bands, layout=layout, stem=stem, source=str(path)
    )
    return EvalEncoder(
        name=name,
        kind="imported",
        model=model.eval(),
        band_names=tuple(bands),
        mean=None,
        std=None,
        input_size=input_size,
        patch_size=patch_size,
        meta={"size": size, "import": report.as_dict(), "report": {"import": report.as_dict()}},
        source=f"{path} ({report.layout}; stem: {report.stem})",
    )
