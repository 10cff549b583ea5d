"""ConvNeXt V2 in plain PyTorch, with MMEarth's patch stem and a dense-masked encoding path.

The encoder of GeoMeld-FM. Two things differ from the ImageNet ConvNeXt V2:

* **Patch stem** (MMEarth's ``use_orig_stem=True`` branch; MMEarth's default is ``False``): the stem
  is a non-overlapping convolution of stride ``patch_size // 8``; with the three stride-2 downsamples the total stride equals the patch
  size, so the last stage is exactly the patch grid (7 × 7 at 112 px with patch 16).
* **Dense masking** instead of MinkowskiEngine's sparse convolution: masked pixels are zeroed at the
  input, after the stem, after the activation that feeds GRN inside every block, after every block
  and after every downsample. Zero-filled inactive sites make the depth-wise convolution and GRN's
  spatial L2 norm compute exactly what the sparse encoder computes on the visible sites, and no
  value derived from a masked pixel ever reaches a visible one (``tests/test_model_encoder.py``
  perturbs masked pixels and checks the visible features are bit-identical).

A mask is a boolean ``(B, H / patch, W / patch)`` tensor, ``True`` = hidden from the encoder.

Weight names follow timm's ConvNeXt V2 for the blocks (``stages.N.blocks.M.conv_dw``, ``.norm``,
``.mlp.fc1``, ``.mlp.grn.weight``/``.bias`` (shape ``(C,)``), ``.mlp.fc2``); the stem
(``stem.0``/``stem.1``), the downsamples (``downsample.I``) and the final ``norm`` keep geomeld's names
(the stem differs from timm's anyway). State dicts written before the rename (``stages.N.M.dwconv``,
``pwconv1``, ``grn.gamma`` of shape ``(1, 1, 1, C)`` …: exported encoders, checkpoints, decoders) are
remapped on load by :func:`legacy_block_keys` (a load-state-dict pre-hook), so they still load.
Outside checkpoints (timm, the official FCMAE, MMEarth) go through
:mod:`geomeld.models.convnextv2_import`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass(frozen=True)
class ConvNeXtSize:
    depths: tuple[int, int, int, int]
    dims: tuple[int, int, int, int]


SIZES: dict[str, ConvNeXtSize] = {
    "atto": ConvNeXtSize((2, 2, 6, 2), (40, 80, 160, 320)),
    "femto": ConvNeXtSize((2, 2, 6, 2), (48, 96, 192, 384)),
    "pico": ConvNeXtSize((2, 2, 6, 2), (64, 128, 256, 512)),
    "nano": ConvNeXtSize((2, 2, 8, 2), (80, 160, 320, 640)),
    "tiny": ConvNeXtSize((3, 3, 9, 3), (96, 192, 384, 768)),
    "base": ConvNeXtSize((3, 3, 27, 3), (128, 256, 512, 1024)),
}
"""The ConvNeXt V2 model zoo sizes (depths and stage widths)."""


class LayerNorm2d(nn.Module):
    """Layer norm over the channel axis of an NCHW map."""

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class GRN(nn.Module):
    """Global Response Normalisation (ConvNeXt V2) on an NHWC tensor; γ (``weight``) and β (``bias``),
    shape ``(C,)`` as in timm, start at zero."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(dim))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x: Tensor) -> Tensor:
        gx = torch.linalg.vector_norm(x.float(), ord=2, dim=(1, 2), keepdim=True).to(x.dtype)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        return self.weight * (x * nx) + self.bias + x


class Mlp(nn.Module):
    """fc1 → GELU → GRN → fc2 on NHWC (timm's ``GlobalResponseNormMlp`` names)."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.grn = GRN(hidden)
        self.fc2 = nn.Linear(hidden, dim)


_LEGACY_BLOCK = {
    "dwconv.": "conv_dw.",
    "pwconv1.": "mlp.fc1.",
    "pwconv2.": "mlp.fc2.",
    "grn.gamma": "mlp.grn.weight",
    "grn.beta": "mlp.grn.bias",
}


def legacy_block_keys(state: dict[str, Tensor], prefix: str) -> None:
    """Rename a pre-rename block's keys under ``prefix`` in place (``dwconv`` → ``conv_dw``, GRN reshaped)."""
    for key in [k for k in state if k.startswith(prefix)]:
        rest = key[len(prefix) :]
        for old, new in _LEGACY_BLOCK.items():
            if rest.startswith(old):
                value = state.pop(key)
                if old.startswith("grn."):
                    value = value.reshape(-1)
                state[prefix + new + rest[len(old) :]] = value
                break


class DropPath(nn.Module):
    """Stochastic depth on the residual branch (identity when ``p == 0`` or in eval mode)."""

    def __init__(self, p: float = 0.0) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if self.p == 0.0 or not self.training:
            return x
        keep = 1.0 - self.p
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        return x * x.new_empty(shape).bernoulli_(keep) / keep


class Block(nn.Module):
    """ConvNeXt V2 block: 7×7 depth-wise conv → LN → 4× MLP with GELU and GRN → residual.

    ``keep`` (``(B, H, W, 1)`` float, 1 = visible) zeroes hidden sites before GRN and at the output,
    which makes the dense computation equal to the sparse one on the visible sites.
    """

    def __init__(self, dim: int, drop_path: float = 0.0) -> None:
        super().__init__()
        self.conv_dw = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)
        self.drop_path = DropPath(drop_path)
        self._register_load_state_dict_pre_hook(self._legacy)

    @staticmethod
    def _legacy(state: dict[str, Tensor], prefix: str, *args: object) -> None:
        legacy_block_keys(state, prefix)

    def forward(self, x: Tensor, keep: Tensor | None = None) -> Tensor:
        shortcut = x
        x = self.conv_dw(x).permute(0, 2, 3, 1)
        x = self.mlp.act(self.mlp.fc1(self.norm(x)))
        if keep is not None:
            x = x * keep
        x = self.mlp.fc2(self.mlp.grn(x)).permute(0, 3, 1, 2)
        x = shortcut + self.drop_path(x)
        if keep is not None:
            x = x * keep.permute(0, 3, 1, 2)
        return x


class Stage(nn.Module):
    """One stage: its blocks (``stages.N.blocks.M``, timm's names)."""

    def __init__(self, dim: int, depth: int, rates: list[float]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(Block(dim, rates[j]) for j in range(depth))
        self._register_load_state_dict_pre_hook(self._legacy)

    @staticmethod
    def _legacy(state: dict[str, Tensor], prefix: str, *args: object) -> None:
        """Pre-rename keys ``stages.N.M.…`` → ``stages.N.blocks.M.…``."""
        for key in [k for k in state if k.startswith(prefix)]:
            rest = key[len(prefix) :]
            head = rest.split(".", 1)[0]
            if head.isdigit():
                state[f"{prefix}blocks.{rest}"] = state.pop(key)


def upsample_mask(mask: Tensor, size: tuple[int, int]) -> Tensor:
    """Nearest-neighbour upsampling of a ``(B, h, w)`` patch mask to ``(B, H, W)`` (integer factors)."""
    h, w = mask.shape[-2:]
    fh, fw = size[0] // h, size[1] // w
    if fh * h != size[0] or fw * w != size[1]:
        raise ValueError(f"mask grid {h}×{w} does not divide the map size {size[0]}×{size[1]}")
    return mask.repeat_interleave(fh, dim=-2).repeat_interleave(fw, dim=-1)


class ConvNeXtV2(nn.Module):
    """ConvNeXt V2 encoder (no classification head).

    Args:
        size: one of :data:`SIZES` (atto, femto, pico, nano, tiny, base).
        in_chans: input bands (12 for GeoMeld's Sentinel-2).
        patch_size: total stride; a multiple of 8 (the stem has stride ``patch_size // 8``).
        drop_path_rate: stochastic-depth rate, linearly increasing over the blocks.
        depths, dims: override the size's depths/widths (tiny test models).
    """

    def __init__(
        self,
        size: str = "atto",
        in_chans: int = 12,
        patch_size: int = 16,
        drop_path_rate: float = 0.0,
        depths: tuple[int, ...] | None = None,
        dims: tuple[int, ...] | None = None,
        stem: str = "patch",
    ) -> None:
        super().__init__()
        if size not in SIZES:
            raise ValueError(f"unknown ConvNeXt V2 size {size!r}; choose one of {list(SIZES)}")
        if patch_size % 8 != 0 or patch_size <= 0:
            raise ValueError(
                f"patch_size must be a positive multiple of 8 (three stride-2 stages), got {patch_size}"
            )
        spec = SIZES[size]
        self.size = size
        self.depths = tuple(depths if depths is not None else spec.depths)
        self.dims = tuple(dims if dims is not None else spec.dims)
        if len(self.depths) != 4 or len(self.dims) != 4:
            raise ValueError("ConvNeXt V2 needs exactly four stages (depths and dims of length 4)")
        self.in_chans = in_chans
        self.patch_size = patch_size
        self.stem_stride = patch_size // 8
        self.stem_kind = stem
        if stem == "patch":
            self.stem = nn.Sequential(
                nn.Conv2d(in_chans, self.dims[0], kernel_size=self.stem_stride, stride=self.stem_stride),
                LayerNorm2d(self.dims[0]),
            )
        elif stem == "mmearth":  # MMEarth's default stem (use_orig_stem=False), for imported MMEarth weights
            s = self.stem_stride
            self.stem = nn.Sequential(
                nn.Conv2d(in_chans, self.dims[0], kernel_size=3, stride=1),
                LayerNorm2d(self.dims[0]),
                nn.GELU(),
                nn.Conv2d(
                    self.dims[0], self.dims[0], kernel_size=s, stride=s, padding=s // 2, groups=self.dims[0]
                ),
                LayerNorm2d(self.dims[0]),
            )
        else:
            raise ValueError(f"stem must be 'patch' or 'mmearth', got {stem!r}")
        self.downsample = nn.ModuleList(
            nn.Sequential(
                LayerNorm2d(self.dims[i]), nn.Conv2d(self.dims[i], self.dims[i + 1], kernel_size=2, stride=2)
            )
            for i in range(3)
        )
        rates = torch.linspace(0, drop_path_rate, sum(self.depths)).tolist()
        stages = []
        start = 0
        for depth, dim in zip(self.depths, self.dims, strict=True):
            stages.append(Stage(dim, depth, rates[start : start + depth]))
            start += depth
        self.stages = nn.ModuleList(stages)
        self.norm = nn.LayerNorm(self.dims[-1], eps=1e-6)
        self.apply(_init_weights)

    @property
    def num_features(self) -> int:
        return self.dims[-1]

    def patch_grid(self, height: int, width: int) -> tuple[int, int]:
        if height % self.patch_size or width % self.patch_size:
            raise ValueError(
                f"input {height}×{width} is not a multiple of the patch size {self.patch_size}; "
                "crop to e.g. 112 or 128 pixels"
            )
        return height // self.patch_size, width // self.patch_size

    def _check(self, x: Tensor, mask: Tensor | None) -> None:
        if x.ndim != 4 or x.shape[1] != self.in_chans:
            raise ValueError(f"expected input (B, {self.in_chans}, H, W), got {tuple(x.shape)}")
        grid = self.patch_grid(x.shape[-2], x.shape[-1])
        if mask is not None and (mask.shape != (x.shape[0], *grid)):
            raise ValueError(
                f"mask must have shape (B, h, w) = {(x.shape[0], *grid)}, got {tuple(mask.shape)}"
            )

    def forward_features(self, x: Tensor, mask: Tensor | None = None) -> list[Tensor]:
        """The four stage maps; with ``mask`` (``True`` = hidden patch) hidden sites are zero everywhere."""
        self._check(x, mask)
        keep_px: Tensor | None = None
        if mask is not None:
            keep_px = (~upsample_mask(mask, (x.shape[-2], x.shape[-1]))).unsqueeze(1).to(x.dtype)
            x = x * keep_px
        x = self.stem(x)
        outs: list[Tensor] = []
        for i, stage in enumerate(self.stages):
            if i > 0:
                x = self.downsample[i - 1](x)
            keep: Tensor | None = None
            if mask is not None:
                keep = (~upsample_mask(mask, (x.shape[-2], x.shape[-1]))).unsqueeze(-1).to(x.dtype)
                x = x * keep.permute(0, 3, 1, 2)
            for block in stage.blocks:  # type: ignore[union-attr]
                x = block(x, keep)
            outs.append(x)
        return outs

    def pool(self, z: Tensor, mask: Tensor | None = None) -> Tensor:
        """Average over the (visible, when ``mask`` is given) cells of a last-stage map, then layer norm."""
        if mask is None:
            pooled = z.mean(dim=(-2, -1))
        else:
            keep = (~mask).unsqueeze(1).to(z.dtype)
            pooled = (z * keep).sum(dim=(-2, -1)) / keep.sum(dim=(-2, -1)).clamp_min(1.0)
        return self.norm(pooled)

    def forward_pooled(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(B, dims[-1])``: global average pool of the last stage followed by layer norm."""
        return self.pool(self.forward_features(x, mask)[-1], mask)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        return self.forward_pooled(x, mask)


def _init_weights(m: nn.Module) -> None:
    if isinstance(m, nn.Conv2d | nn.Linear):
        nn.init.trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def no_weight_decay(name: str, param: Tensor) -> bool:
    """Parameters that take no weight decay: biases, norm weights, GRN γ/β, 1-D tensors, tokens."""
    return param.ndim <= 1 or name.endswith(".bias") or ".grn." in name or "token" in name.rsplit(".", 1)[-1]
