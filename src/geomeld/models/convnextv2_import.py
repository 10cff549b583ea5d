"""Import ConvNeXt V2 weights from the layouts people have into the geomeld encoder.

Layouts (detected from the key names, or forced with ``layout=``):

``timm``
    ``stem.0`` (4×4 stride-4 conv, 3 channels) / ``stem.1``, ``stages.N.downsample.{0,1}`` (N ≥ 1),
    ``stages.N.blocks.M.{conv_dw,norm,mlp.fc1,mlp.grn.weight,mlp.grn.bias,mlp.fc2}``, ``head.norm``,
    ``head.fc`` (dropped).
``fcmae``
    the official ``facebookresearch/ConvNeXt-V2`` checkpoints: fine-tuned (dense:
    ``downsample_layers.0.{0,1}`` stem, ``downsample_layers.I.{0,1}``, ``stages.N.M.{dwconv,norm,pwconv1,
    grn.gamma,grn.beta,pwconv2}``, ``norm``, ``head``) or FCMAE pre-training (``model`` → ``encoder.…``,
    MinkowskiEngine tensors: ``….kernel`` of shape ``(k², C)`` (depth-wise) / ``(k², C_in, C_out)``,
    ``….ln.weight``, ``….linear.weight``, GRN ``(1, C)``; decoder/mask-token/proj/pred dropped). Sparse
    kernels are converted as the official ``remap_checkpoint_keys`` does (permute, reshape, transpose
    of the two spatial axes).
``mmearth``
    ``vishalned/MMEarth-train`` ``models/convnextv2.py``: ``initial_conv.{0,1}`` (3×3 stride-1 conv +
    LN) and ``stem.{0,1}`` (depth-wise strided conv + LN) by default, or ``stem_orig.{0,1}``
    (``use_orig_stem``); ``downsample_layers.{0,1,2}``; ``stages.N.M.…``; ``norm``; ``head`` (dropped).

Stems differ, and the importer says what it did (``ImportReport.stem``) or refuses with the reason:

- ``stem="rgb"`` (default for 3-channel stems): the pretrained kernel is resampled bilinearly to the
  geomeld patch stem's ``k × k`` and scaled by ``(k_src / k)²`` (the response to a constant input is
  kept); its R, G, B input channels go to B4, B3, B2 of the encoder's band list; every other band's
  weights are zero (those bands have no effect until fine-tuned).
- a source stem with as many channels as the encoder (MMEarth ``stem_orig``, a geomeld export)
  loads as it is when the kernel size matches; otherwise it is resampled the same way.
- ``stem="mmearth"``: MMEarth's default two-layer stem is loaded into an encoder built with
  ``stem="mmearth"`` (same modules and names as MMEarth); needs a model built that way.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from geomeld.models.convnextv2 import ConvNeXtV2, legacy_block_keys

_DROP = re.compile(r"(^|\.)(decoder|mask_token|proj|pred|head\.fc|head\.weight|head\.bias|fc_norm)(\.|$)")


class CheckpointImportError(ValueError):
    """A checkpoint cannot be mapped onto the geomeld encoder (the message names file, key and reason)."""


@dataclass
class ImportReport:
    layout: str
    stem: str
    loaded: int
    dropped: list[str] = field(default_factory=list)
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "stem": self.stem,
            "tensors_loaded": self.loaded,
            "dropped": self.dropped[:20]
            + ([f"... {len(self.dropped) - 20} more"] if len(self.dropped) > 20 else []),
            "source": self.source,
        }


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Tensor]:
    """A state dict from ``.safetensors`` or a torch file (``model``/``state_dict`` wrappers unwrapped)."""
    p = Path(path)
    if not p.is_file():
        raise CheckpointImportError(f"{p}: checkpoint not found")
    try:
        if p.suffix == ".safetensors":
            from safetensors.torch import load_file

            state: Any = load_file(str(p))
        else:
            state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointImportError(f"{p}: unreadable checkpoint ({type(exc).__name__}: {exc})") from None
    for wrapper in ("model", "state_dict", "model_state"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict) or not all(isinstance(v, Tensor) for v in state.values()):
        raise CheckpointImportError(f"{p}: expected a state dict of tensors (optionally under 'model')")
    return dict(state)


def detect_layout(state: dict[str, Tensor]) -> str:
    keys = list(state)
    if any(".blocks." in k and ".conv_dw." in k for k in keys):
        return "timm"
    if any(re.search(r"(^|\.)(initial_conv|stem_orig)\.", k) for k in keys):
        return "mmearth"
    if any("downsample_layers." in k for k in keys):
        return "fcmae"
    if any(k.startswith("stages.") and ".blocks." in k for k in keys):
        return "geomeld"
    raise CheckpointImportError(
        "unknown ConvNeXt V2 layout: expected timm (stages.N.blocks.M.conv_dw), official/FCMAE "
        f"(downsample_layers.*) or MMEarth (initial_conv.* / stem_orig.*) keys; got e.g. {keys[:5]}"
    )


def _from_sparse(key: str, v: Tensor) -> tuple[str, Tensor]:
    """MinkowskiEngine tensor names/shapes → dense (as the official ``remap_checkpoint_keys``)."""
    if key.endswith(".kernel"):
        base = key[: -len(".kernel")] + ".weight"
        if v.ndim == 3:
            kv, cin, cout = v.shape
            ks = math.isqrt(kv)
            return base, v.permute(2, 1, 0).reshape(cout, cin, ks, ks).transpose(3, 2)
        kv, dim = v.shape
        ks = math.isqrt(kv)
        return base, v.permute(1, 0).reshape(dim, 1, ks, ks).transpose(3, 2)
    key = re.sub(r"\.(ln|linear)\.(weight|bias)$", r".\2", key)
    if key.endswith(".bias") and v.ndim == 2 and v.shape[0] == 1:
        v = v.reshape(-1)
    return key, v


def canonical_state(state: dict[str, Tensor], layout: str) -> tuple[dict[str, Tensor], list[str]]:
    """Rename ``state`` to geomeld's names; stem tensors are returned under ``src_stem.*``."""
    out: dict[str, Tensor] = {}
    dropped: list[str] = []
    for key, v in state.items():
        k = key[len("encoder.") :] if key.startswith("encoder.") else key
        if _DROP.search(k):
            dropped.append(key)
            continue
        k, v = _from_sparse(k, v)
        if layout == "timm":
            if k.startswith("head.norm."):
                k = "norm." + k[len("head.norm.") :]
            elif k.startswith("stem."):
                k = "src_stem." + k[len("stem.") :]
            else:
                m = re.match(r"stages\.(\d+)\.downsample\.(\d)\.(.*)$", k)
                if m:
                    k = f"downsample.{int(m.group(1)) - 1}.{m.group(2)}.{m.group(3)}"
        elif layout == "fcmae":
            m = re.match(r"downsample_layers\.(\d+)\.(\d)\.(.*)$", k)
            if m and m.group(1) == "0":
                k = f"src_stem.{m.group(2)}.{m.group(3)}"
            elif m:
                k = f"downsample.{int(m.group(1)) - 1}.{m.group(2)}.{m.group(3)}"
        elif layout == "mmearth":
            m = re.match(r"downsample_layers\.(\d+)\.(.*)$", k)
            if m:
                k = f"downsample.{m.group(1)}.{m.group(2)}"
            elif k.startswith("stem_orig."):
                k = "src_stem." + k[len("stem_orig.") :]
            elif k.startswith(("initial_conv.", "stem.")):
                k = "mm_" + k
        m = re.match(r"stages\.(\d+)\.(\d+)\.(.*)$", k)
        if m:
            k = f"stages.{m.group(1)}.blocks.{m.group(2)}.{m.group(3)}"
        out[k] = v
    for prefix in {re.sub(r"(stages\.\d+\.blocks\.\d+\.).*", r"\1", k) for k in out if ".blocks." in k}:
        legacy_block_keys(out, prefix)
    return out, dropped


def adapt_stem(
    weight: Tensor, bias: Tensor | None, model: ConvNeXtV2, band_names: list[str]
) -> tuple[Tensor, str]:
    """A pretrained stem kernel → the geomeld patch stem (``stem.0.weight``), by the stated rule."""
    target: Tensor = model.state_dict()["stem.0.weight"]
    out_c, in_c, k, _ = target.shape
    if weight.shape[0] != out_c:
        raise CheckpointImportError(
            f"stem width {weight.shape[0]} does not match the encoder's first stage ({out_c}); build the encoder "
            "with the checkpoint's size"
        )
    src_k = weight.shape[-1]
    w = weight.float()
    if src_k != k:
        w = F.interpolate(w, size=(k, k), mode="bilinear", align_corners=False) * (src_k / k) ** 2
    if weight.shape[1] == in_c:
        rule = (
            "loaded as is"
            if src_k == k
            else f"kernel {src_k}x{src_k} resampled to {k}x{k} (x{(src_k / k) ** 2:g})"
        )
        return w.to(target.dtype), f"{in_c}-channel stem {rule}"
    if weight.shape[1] != 3:
        raise CheckpointImportError(
            f"stem with {weight.shape[1]} input channels: only 3-channel (RGB) or {in_c}-channel stems can be adapted"
        )
    missing = [b for b in ("B4", "B3", "B2") if b not in band_names]
    if missing:
        raise CheckpointImportError(f"RGB stem needs bands {missing} in the encoder's band list {band_names}")
    new = torch.zeros(out_c, in_c, k, k, dtype=w.dtype)
    for src, band in zip(range(3), ("B4", "B3", "B2"), strict=True):
        new[:, band_names.index(band)] = w[:, src]
    rule = (
        f"RGB stem: R,G,B → B4,B3,B2, other {in_c - 3} bands zero; kernel {src_k}x{src_k} → {k}x{k} "
        f"(bilinear, x{(src_k / k) ** 2:g} to keep the response to a constant input)"
    )
    return new.to(target.dtype), rule


def import_convnextv2(
    state: dict[str, Tensor],
    model: ConvNeXtV2,
    *,
    band_names: list[str],
    layout: str = "auto",
    stem: str = "auto",
    source: str = "",
) -> ImportReport:
    """Load ``state`` (any supported layout) into ``model``; every encoder tensor must be filled."""
    lay = detect_layout(state) if layout == "auto" else layout
    canon, dropped = canonical_state(state, lay)
    has_mm = any(k.startswith("mm_") for k in canon)
    target = model.state_dict()
    new: dict[str, Tensor] = {}
    if has_mm:
        if getattr(model, "stem_kind", "patch") != "mmearth":
            raise CheckpointImportError(
                f"{source or 'checkpoint'}: MMEarth's default stem (initial_conv 3x3 + depth-wise strided conv) cannot "
                "be mapped onto geomeld's patch stem; build the encoder with stem: mmearth"
            )
        for k, v in canon.items():
            m = re.match(r"mm_(initial_conv|stem)\.(\d)\.(.*)$", k)
            if m:
                idx = int(m.group(2)) + (0 if m.group(1) == "initial_conv" else 3)
                new[f"stem.{idx}.{m.group(3)}"] = v
        stem_rule = "MMEarth stem (initial_conv 3x3 + depth-wise strided conv) loaded as is (stem: mmearth)"
    else:
        if stem == "mmearth":
            raise CheckpointImportError(
                f"{source or 'checkpoint'}: stem: mmearth asked but the checkpoint has no MMEarth stem"
            )
        w = canon.get("src_stem.0.weight")
        if w is None:
            raise CheckpointImportError(f"{source or 'checkpoint'}: no stem convolution found (layout {lay})")
        new["stem.0.weight"], stem_rule = adapt_stem(w, canon.get("src_stem.0.bias"), model, band_names)
        for suffix in ("0.bias", "1.weight", "1.bias"):
            if f"src_stem.{suffix}" in canon:
                new[f"stem.{suffix}"] = canon[f"src_stem.{suffix}"]
    for k, v in canon.items():
        if k.startswith(("src_stem.", "mm_")):
            continue
        new[k] = v
    notes = []
    if "norm.weight" not in new and "norm.weight" in target:  # FCMAE's sparse encoder has no final norm
        new["norm.weight"] = torch.ones_like(target["norm.weight"])
        new["norm.bias"] = torch.zeros_like(target["norm.bias"])
        notes.append("final norm not in the checkpoint: identity (weight 1, bias 0)")
    missing = [k for k in target if k not in new]
    extra = [k for k in new if k not in target]
    wrong = [
        f"{k} {tuple(new[k].shape)} vs {tuple(target[k].shape)}"
        for k in target
        if k in new and new[k].shape != target[k].shape
    ]
    if missing or wrong:
        raise CheckpointImportError(
            f"{source or 'checkpoint'} ({lay}): cannot fill the encoder: "
            + (f"missing {missing[:6]}{' …' if len(missing) > 6 else ''}; " if missing else "")
            + (f"shape mismatch {wrong[:4]}; " if wrong else "")
            + "is it the same ConvNeXt V2 size?"
        )
    model.load_state_dict({k: new[k] for k in target}, strict=True)
    return ImportReport(lay, "; ".join([stem_rule, *notes]), len(target), [*dropped, *extra], source)
