"""FLOP counting: grouped convolutions counted right, closed form, the ConvNeXt V2 paper's counts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from geomeld.models.convnextv2 import SIZES, ConvNeXtV2
from geomeld.models.flops import (
    count_flops,
    count_flops_torch,
    encoder_fwd_bwd_flops_closed_form,
    encoder_macs,
    mfu,
    step_flops,
    useful_flops,
    visible_fraction,
)


def test_depthwise_conv_backward_is_counted_per_group() -> None:
    b, c, s, k = 2, 16, 10, 7
    conv = nn.Conv2d(c, c, k, padding=k // 2, groups=c)
    x = torch.randn(b, c, s, s)
    macs = b * c * s * s * k * k  # one depth-wise pass
    got = count_flops(lambda: conv(x).sum().backward())
    # forward + weight gradient (no input gradient: x needs none), 2 FLOPs per multiply-add
    assert got == 2 * macs + 2 * macs
    # torch's own formula counts the weight gradient as a dense conv: c times too much
    assert count_flops_torch(lambda: conv(x).sum().backward()) == 2 * macs + 2 * macs * c


def test_dense_conv_and_linear_unchanged() -> None:
    conv = nn.Conv2d(3, 5, 3, padding=1)
    lin = nn.Linear(5, 4)
    x = torch.randn(2, 3, 6, 6, requires_grad=True)

    def run() -> None:
        lin(conv(x).permute(0, 2, 3, 1)).sum().backward()

    assert count_flops(run) == count_flops_torch(run)


@pytest.mark.parametrize(
    "dims,depths,size", [((8, 16, 24, 32), (1, 1, 2, 1), 32), ((40, 80, 160, 320), (2, 2, 6, 2), 64)]
)
def test_encoder_counter_equals_closed_form(
    dims: tuple[int, ...], depths: tuple[int, ...], size: int
) -> None:
    torch.manual_seed(0)
    enc = ConvNeXtV2("atto", in_chans=12, patch_size=16, dims=dims, depths=depths)
    x = torch.randn(2, 12, size, size)
    grid = enc.patch_grid(size, size)
    mask = torch.rand(2, *grid) < 0.5
    got = count_flops(lambda: enc.forward_features(x, mask)[-1].sum().backward()) / 2
    closed = encoder_fwd_bwd_flops_closed_form(
        encoder_macs(dims, depths, in_chans=12, input_size=size, stem_stride=2)
    )
    assert got == pytest.approx(closed, rel=1e-9)


@pytest.mark.parametrize("size,paper", [("tiny", 4.47), ("base", 15.4)])
def test_closed_form_reproduces_the_convnext_v2_paper(size: str, paper: float) -> None:
    s = SIZES[size]
    # ImageNet model: 3 bands, stride-4 stem, 224 px, 1000-class head
    gmacs = (
        encoder_macs(s.dims, s.depths, in_chans=3, input_size=224, stem_stride=4).total + s.dims[-1] * 1000
    ) / 1e9
    assert gmacs == pytest.approx(paper, rel=0.01)
    # the geomeld encoder at 112 px with the patch-16 stem (12 bands, stride 2) does the same work
    ours = encoder_macs(s.dims, s.depths, in_chans=12, input_size=112, stem_stride=2).total
    assert ours == encoder_macs(s.dims, s.depths, in_chans=3, input_size=224, stem_stride=4).total


def test_useful_flops_and_mfu() -> None:
    assert visible_fraction((7, 7), 0.6) == pytest.approx(20 / 49)
    assert useful_flops(10.0, 4.0, 0.25) == pytest.approx(7.0)
    assert mfu(989e12, 1.0, 989.0) == pytest.approx(1.0)
    assert mfu(1.0, 1.0, None) is None


def test_step_flops_of_the_model() -> None:
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.training.batch import synthetic_batch
    from geomeld.training.config import PretrainConfig

    cfg = PretrainConfig.model_validate(
        {
            "encoder": {"depths": [1, 1, 1, 1], "dims": [8, 16, 24, 32], "input_size": 32},
            "mp": {"decoder_dim": 16},
            "jepa": {"enabled": True, "predictor_dim": 8, "predictor_depth": 1},
        }
    )
    torch.manual_seed(0)
    model = GeoMeldFM(cfg).train()
    batch = synthetic_batch(2, 32, seed=0)
    mask = torch.zeros(2, 2, 2, dtype=torch.bool)
    mask[:, 0] = True
    f = step_flops(model, batch, mask)
    assert f.encoder_dense < f.dense < f.torch_counter
    assert f.useful == pytest.approx(f.dense - 0.5 * f.encoder_dense)
    assert all(p.grad is None for p in model.parameters())
