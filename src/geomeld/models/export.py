"""Exported encoders: weights that carry their preprocessing.

``export_encoder`` writes ``encoder.safetensors`` (the ConvNeXt V2 state dict only: no decoders,
mask tokens, predictor or projection heads) and ``encoder.json`` (architecture, band list,
normalisation statistics, patch/input size, training config and a SHA-256 of the weights).
``load_encoder`` rebuilds the model from the JSON and refuses weights without metadata, weights
whose hash or keys do not match, and unknown formats: never a silent random initialisation.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from geomeld.core.atomic import write_atomic
from geomeld.core.errors import GeomeldError
from geomeld.models.convnextv2 import ConvNeXtV2

WEIGHTS_FILE = "encoder.safetensors"
META_FILE = "encoder.json"
FORMAT = "geomeld-encoder"
FORMAT_VERSION = 1


class EncoderLoadError(GeomeldError, RuntimeError):
    """An exported encoder cannot be loaded (missing metadata, corrupt or mismatched weights)."""


@dataclass
class ExportedEncoder:
    """A loaded encoder with the preprocessing it was trained with."""

    model: ConvNeXtV2
    band_names: list[str]
    mean: Tensor
    std: Tensor
    patch_size: int
    input_size: int
    meta: dict[str, Any] = field(default_factory=dict)

    def normalize(self, x: Tensor, valid: Tensor | None = None) -> Tensor:
        """``(x - mean) / std`` per band for ``(B, C, H, W)`` input in the export's band order.

        Non-finite values (and pixels where ``valid`` is False) become 0.0, the loader's no-data value.
        """
        if x.ndim != 4 or x.shape[1] != len(self.band_names):
            raise ValueError(
                f"expected (B, {len(self.band_names)}, H, W) input in band order {self.band_names}"
            )
        mean = self.mean.to(x.device, x.dtype).view(1, -1, 1, 1)
        std = self.std.to(x.device, x.dtype).view(1, -1, 1, 1)
        out = (x - mean) / std
        ok = torch.isfinite(out)
        if valid is not None:
            ok = ok & valid
        return torch.where(ok, out, torch.zeros_like(out))


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    write_atomic(path, data, fsync=True)


def export_encoder(
    model: ConvNeXtV2,
    out_dir: str | os.PathLike[str],
    *,
    band_names: Sequence[str],
    stats: Mapping[str, Sequence[float]],
    config: Mapping[str, Any],
    input_size: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``encoder.safetensors`` + ``encoder.json`` into ``out_dir`` (atomically); returns the dir.

    ``stats`` holds ``mean`` and ``std`` (one value per band, in ``band_names`` order) and may carry
    more keys (e.g. ``units``, ``sample_count``), kept verbatim. ``config`` is the training config.
    """
    from safetensors.torch import save

    band_names = list(band_names)
    if len(band_names) != model.in_chans:
        raise ValueError(f"{len(band_names)} band names for an encoder with {model.in_chans} input channels")
    for key in ("mean", "std"):
        if key not in stats or len(stats[key]) != len(band_names):
            raise ValueError(f"stats[{key!r}] must hold {len(band_names)} values (one per band {band_names})")
    if any(float(s) <= 0 for s in stats["std"]):
        raise ValueError("stats['std'] must be positive for every band")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    blob = save(state)
    meta: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "architecture": "convnextv2",
        "size": model.size,
        "depths": list(model.depths),
        "dims": list(model.dims),
        "in_chans": model.in_chans,
        "patch_size": model.patch_size,
        "input_size": int(input_size if input_size is not None else config.get("input_size", 112)),
        "band_names": band_names,
        "normalization": {k: (list(map(float, v)) if k in ("mean", "std") else v) for k, v in stats.items()},
        "config": dict(config),
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        **dict(extra or {}),
    }
    _atomic_write_bytes(out / WEIGHTS_FILE, blob)
    _atomic_write_bytes(out / META_FILE, json.dumps(meta, indent=2, default=str).encode())
    return out


def _resolve(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        return p / WEIGHTS_FILE, p / META_FILE
    if p.suffix == ".json":
        return p.with_name(WEIGHTS_FILE), p
    return p, p.with_name(META_FILE)


def read_encoder_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``encoder.json`` of an export (directory, weights file or JSON path), validated."""
    weights, meta_path = _resolve(path)
    if not meta_path.is_file():
        raise EncoderLoadError(
            f"no {META_FILE} next to {weights}: an encoder without metadata (bands, normalisation, "
            "patch size) cannot be used safely; export it with `geomeld pretrain` / export_encoder()"
        )
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise EncoderLoadError(f"{meta_path}: unreadable encoder metadata ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise EncoderLoadError(f"{meta_path}: not a geomeld encoder export (format must be {FORMAT!r})")
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise EncoderLoadError(
            f"{meta_path}: format_version {meta.get('format_version')} is newer than this geomeld ({FORMAT_VERSION})"
        )
    missing = [
        k
        for k in ("size", "depths", "dims", "in_chans", "patch_size", "band_names", "normalization")
        if k not in meta
    ]
    if missing:
        raise EncoderLoadError(f"{meta_path}: missing fields {missing}")
    return meta


def load_encoder(path: str | os.PathLike[str], map_location: str | torch.device = "cpu") -> ExportedEncoder:
    """Load an export written by :func:`export_encoder` (directory, ``.safetensors`` or ``.json`` path)."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    weights, meta_path = _resolve(path)
    meta = read_encoder_meta(path)
    if not weights.is_file():
        raise EncoderLoadError(f"{meta_path} found but its weights {weights} are missing")
    blob = weights.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if meta.get("weights_sha256") and digest != meta["weights_sha256"]:
        raise EncoderLoadError(
            f"{weights}: SHA-256 {digest[:12]}… does not match {meta_path} ({str(meta['weights_sha256'])[:12]}…); "
            "the file is corrupt or belongs to another export"
        )
    try:
        state = load(blob)
    except SafetensorError as exc:
        raise EncoderLoadError(f"{weights}: corrupt safetensors file ({exc})") from exc
    model = ConvNeXtV2(
        size=meta["size"],
        in_chans=int(meta["in_chans"]),
        patch_size=int(meta["patch_size"]),
        depths=tuple(meta["depths"]),
        dims=tuple(meta["dims"]),
    )
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shape mismatches
        raise EncoderLoadError(
            f"{weights}: weights do not match the architecture in {meta_path}: {exc}"
        ) from exc
    if result.missing_keys or result.unexpected_keys:
        raise EncoderLoadError(
            f"{weights}: weights do not match the architecture in {meta_path} "
            f"(missing {result.missing_keys[:5]}, unexpected {result.unexpected_keys[:5]})"
        )
    model.to(map_location).eval()
    norm = meta["normalization"]
    return ExportedEncoder(
        model=model,
        band_names=list(meta["band_names"]),
        mean=torch.tensor(norm["mean"], dtype=torch.float32),
        std=torch.tensor(norm["std"], dtype=torch.float32),
        patch_size=int(meta["patch_size"]),
        input_size=int(meta.get("input_size", 112)),
        meta=meta,
    )
