"""Honest FLOP counts for GeoMeld-FM: grouped convolutions counted right, dense vs useful work.

``torch.utils.flop_counter`` counts the weight gradient of a grouped convolution as if it were
dense: for ConvNeXt's 7×7 depth-wise convolutions (``groups = C``) that overstates the backward by
a factor ``C`` and a whole training step by 2.3–2.9×. :func:`count_flops` uses the same counter with
a ``convolution_backward`` formula that divides the weight-gradient term by ``groups`` (the input
gradient and the forward are already right, since the weight shape carries ``C_in / groups``).

Conventions (those of the counter and of the ConvNeXt V2 paper): one multiply-add = 2 FLOPs; only
convolutions and matrix products are counted (norms, activations, GRN and losses are a few percent);
backward ≈ 2 × forward (input gradient + weight gradient; the stem needs no input gradient).

* **dense hardware FLOPs**: everything the step executes. The dense-masked encoder runs every
  patch, hidden ones included; the decoders, the predictor and the EMA target encoder run in full.
* **useful FLOPs**: the online encoder's work on *visible* patches only (what a sparse encoder
  would do: ``visible_fraction`` of its dense count), plus the decoders, predictor, ITC head and the
  JEPA target encoder in full.

:func:`encoder_macs` is the closed form the counter is checked against (tests and
``benchmarks/flops.py``): at 224 px with the ImageNet stride-4 stem it reproduces the ConvNeXt V2
paper's 4.47 G (tiny) and 15.4 G (base) multiply-adds; at 112 px with the patch-16 stem (stride 2,
12 bands) the stage maps are the same 56/28/14/7 and the stem costs the same (12 · 2² = 3 · 4²).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode, conv_flop_count

aten = torch.ops.aten


def _shape(x: Any) -> list[int]:
    return list(x.shape) if isinstance(x, torch.Tensor) else list(x)


def grouped_conv_backward_flop(
    grad_out_shape: Sequence[int],
    x_shape: Sequence[int],
    w_shape: Sequence[int],
    _bias: Any,
    _stride: Any,
    _padding: Any,
    _dilation: Any,
    transposed: bool,
    _output_padding: Any,
    groups: int,
    output_mask: Sequence[bool],
    out_shape: Any,
    **_: Any,
) -> int:
    """FLOPs of ``aten.convolution_backward`` with the weight gradient divided by ``groups``."""

    def t(shape: Sequence[int]) -> list[int]:
        return [shape[1], shape[0], *shape[2:]]

    flops = 0
    if output_mask[0]:
        flops += conv_flop_count(list(grad_out_shape), list(w_shape), _shape(out_shape[0]), not transposed)
    if output_mask[1]:
        gw = _shape(out_shape[1])
        if transposed:
            dense = conv_flop_count(t(grad_out_shape), t(x_shape), t(gw), transposed=False)
        else:
            dense = conv_flop_count(t(x_shape), t(grad_out_shape), t(gw), transposed=False)
        flops += dense // max(int(groups), 1)
    return flops


FLOP_FORMULAS: dict[Any, Callable[..., int]] = {aten.convolution_backward: grouped_conv_backward_flop}
"""Overrides of ``torch.utils.flop_counter``'s formulas (pass as ``custom_mapping``)."""


def count_flops(fn: Callable[[], Any]) -> int:
    """FLOPs of running ``fn()`` (forward and whatever backward it calls), grouped convs counted right."""
    counter = FlopCounterMode(display=False, custom_mapping=FLOP_FORMULAS)
    with counter:
        fn()
    return int(counter.get_total_flops())


def count_flops_torch(fn: Callable[[], Any]) -> int:
    """The same count with torch's own formulas (dense weight gradient for grouped convs): for comparison."""
    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return int(counter.get_total_flops())


@dataclass(frozen=True)
class EncoderMacs:
    """Closed-form multiply-adds of one ConvNeXt V2 forward pass, split by layer kind."""

    stem: int
    dwconv: int
    pointwise: int
    downsample: int

    @property
    def total(self) -> int:
        return self.stem + self.dwconv + self.pointwise + self.downsample


def encoder_macs(
    dims: Sequence[int],
    depths: Sequence[int],
    *,
    in_chans: int,
    input_size: int,
    stem_stride: int,
    kernel: int = 7,
    mlp_ratio: int = 4,
) -> EncoderMacs:
    """Multiply-adds of a ConvNeXt V2 forward (no head) on one ``input_size²`` image.

    Stem: ``in_chans·dims[0]·stride²`` per stage-1 cell; per block at width ``d`` on ``n`` cells:
    depth-wise ``k²·d·n`` + two point-wise linears ``2·ratio·d²·n``; downsample ``i``:
    ``dims[i]·dims[i+1]·2²`` per cell of the next stage.
    """
    side = input_size // stem_stride
    stem = in_chans * dims[0] * stem_stride**2 * side * side
    dw = pw = down = 0
    for i, (d, depth) in enumerate(zip(dims, depths, strict=True)):
        if i > 0:
            side //= 2
            down += dims[i - 1] * d * 4 * side * side
        cells = side * side
        dw += depth * kernel * kernel * d * cells
        pw += depth * 2 * mlp_ratio * d * d * cells
    return EncoderMacs(stem, dw, pw, down)


def encoder_fwd_bwd_flops_closed_form(macs: EncoderMacs) -> int:
    """Forward + backward FLOPs of the encoder: ``2 · MACs`` forward, twice that backward, except that
    the stem computes no input gradient (its input is the image)."""
    forward = 2 * macs.total
    backward = 2 * forward - 2 * macs.stem
    return forward + backward


def visible_fraction(grid: tuple[int, int], ratio: float) -> float:
    """Share of patches the encoder sees under a random mask of ``ratio`` (same rounding as the mask)."""
    n = prod(grid)
    hidden = min(max(round(ratio * n), 1), n - 1)
    return (n - hidden) / n


@dataclass(frozen=True)
class StepFlops:
    """FLOPs of one training step (per sample): dense hardware work and useful work."""

    dense: float
    useful: float
    encoder_dense: float
    torch_counter: float  # torch's own count of the same step (dense weight grads for grouped convs)


def useful_flops(step_dense: float, encoder_dense: float, visible: float) -> float:
    """Useful = the step's dense count minus the online encoder's work on hidden patches."""
    return step_dense - (1.0 - visible) * encoder_dense


def step_flops(
    model: Any, batch: Any, mask: torch.Tensor, text: Any = None, has_text: Any = None
) -> StepFlops:
    """Per-sample FLOPs of one forward + backward of a :class:`~geomeld.models.geomeld_fm.GeoMeldFM`.

    Counts the whole step (dense), the online encoder alone under the same mask (its forward and
    backward, as in the step) and torch's own count for comparison; gradients are cleared after.
    """
    x = batch[model.input_key]
    b = int(x.shape[0])

    def step() -> None:
        loss, _ = model(batch, mask, text, has_text)
        loss.backward()

    def encoder() -> None:
        model.encoder.forward_features(x, mask)[-1].float().sum().backward()

    dense = count_flops(step)
    legacy = count_flops_torch(step)
    enc = count_flops(encoder)
    model.zero_grad(set_to_none=True)
    visible = float((~mask).float().mean())
    return StepFlops(
        dense=dense / b,
        useful=useful_flops(dense, enc, visible) / b,
        encoder_dense=enc / b,
        torch_counter=legacy / b,
    )


H200_BF16_DENSE_TFLOPS = 989.0
"""NVIDIA's dense (no sparsity) bf16 tensor-core peak of the H100/H200 SXM."""
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10": 125.0}


def spec_peak_tflops(device_name: str) -> float | None:
    """Dense bf16 spec peak for a GPU name (``None`` when unknown)."""
    return next((t for k, t in PEAK_BF16_TFLOPS.items() if k in device_name), None)


def mfu(flops_per_step: float, step_s: float, peak_tflops: float | None) -> float | None:
    """Model FLOPs utilisation: achieved FLOP/s over ``peak_tflops`` (``None`` without a peak)."""
    if not peak_tflops or step_s <= 0:
        return None
    return flops_per_step / step_s / (peak_tflops * 1e12)


def matmul_ceiling_tflops(device: torch.device, n: int = 8192, repeats: int = 20) -> float:
    """Measured bf16 ``n³`` matrix-product rate on ``device`` (the practical ceiling for MFU)."""
    import time

    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return 2 * n**3 * repeats / (time.perf_counter() - t) / 1e12
