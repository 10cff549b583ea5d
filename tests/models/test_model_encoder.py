"""ConvNeXt V2 encoder: shapes for every size, the masking leak test, export/load round trip."""

from __future__ import annotations

import json

import pytest
import torch

from geomeld.models.convnextv2 import SIZES, ConvNeXtV2
from geomeld.models.export import EncoderLoadError, export_encoder, load_encoder

BANDS = [f"B{i}" for i in range(12)]
STATS = {"mean": [0.1] * 12, "std": [0.2] * 12}


@pytest.mark.parametrize("size", list(SIZES))
def test_shapes_every_size(size: str) -> None:
    torch.manual_seed(0)
    model = ConvNeXtV2(size, in_chans=12, patch_size=16).eval()
    assert model.dims == SIZES[size].dims
    x = torch.randn(1, 12, 32, 32)
    with torch.no_grad():
        feats = model.forward_features(x)
        pooled = model.forward_pooled(x)
    # total stride equals the patch size: 32 px → 2×2 patch grid at the last stage
    assert [tuple(f.shape) for f in feats] == [
        (1, d, 2 * 2 ** (3 - i), 2 * 2 ** (3 - i)) for i, d in enumerate(model.dims)
    ]
    assert pooled.shape == (1, model.dims[-1])


def test_atto_parameter_count_and_input_sizes() -> None:
    model = ConvNeXtV2("atto")
    n = sum(p.numel() for p in model.parameters())
    assert 3.3e6 < n < 3.5e6  # 3.39 M without head (stack-and-data A7)
    for size in (112, 128):
        feats = model.forward_features(torch.randn(1, 12, size, size))
        assert feats[-1].shape[-1] == size // 16


def test_bad_input_is_a_clear_error() -> None:
    model = ConvNeXtV2("atto")
    with pytest.raises(ValueError, match="multiple of the patch size"):
        model.forward_features(torch.randn(1, 12, 100, 100))
    with pytest.raises(ValueError, match=r"\(B, 12, H, W\)"):
        model.forward_features(torch.randn(1, 9, 112, 112))
    with pytest.raises(ValueError, match="mask must have shape"):
        model.forward_features(torch.randn(1, 12, 112, 112), torch.zeros(1, 4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="unknown ConvNeXt V2 size"):
        ConvNeXtV2("huge-ish")


def test_masking_leaks_nothing() -> None:
    torch.manual_seed(0)
    model = ConvNeXtV2("atto", depths=(1, 1, 2, 1)).eval()
    # make GRN active (it starts as identity) so its global statistics are exercised too
    for name, p in model.named_parameters():
        if ".grn." in name:
            p.data.normal_(0, 0.5)
    x = torch.randn(2, 12, 64, 64)
    mask = torch.rand(2, 4, 4) < 0.6
    mask[:, 0, 0] = False
    mask[:, 3, 3] = True
    px = mask.repeat_interleave(16, 1).repeat_interleave(16, 2).unsqueeze(1).expand_as(x)
    perturbed = x.clone()
    perturbed[px] = torch.randn(int(px.sum())) * 100.0
    with torch.no_grad():
        a = model.forward_features(x, mask)
        b = model.forward_features(perturbed, mask)
        unmasked_change = model.forward_features(x + 1.0, mask)
    for fa, fb, fc in zip(a, b, unmasked_change, strict=True):
        grid = mask.repeat_interleave(fa.shape[-1] // 4, 1).repeat_interleave(fa.shape[-1] // 4, 2)
        visible = (~grid).unsqueeze(1).expand_as(fa)
        assert torch.equal(fa[visible], fb[visible]), "masked pixels leaked into visible features"
        assert torch.all(fa[~visible] == 0)
        assert not torch.allclose(fa[visible], fc[visible]), "visible features must depend on visible pixels"


def test_export_round_trip(tmp_path) -> None:
    torch.manual_seed(0)
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32)).eval()
    out = export_encoder(
        model, tmp_path / "enc", band_names=BANDS, stats=STATS, config={"x": 1}, input_size=112
    )
    meta = json.loads((out / "encoder.json").read_text())
    assert meta["band_names"] == BANDS and meta["patch_size"] == 16 and meta["input_size"] == 112
    loaded = load_encoder(out)
    x = torch.randn(2, 12, 32, 32)
    with torch.no_grad():
        assert torch.allclose(loaded.model.forward_pooled(x), model.forward_pooled(x))
    raw = torch.full((1, 12, 2, 2), 0.3)
    raw[0, 0, 0, 0] = float("nan")
    norm = loaded.normalize(raw)
    assert norm[0, 0, 0, 0] == 0.0 and torch.allclose(norm[0, 1], torch.full((2, 2), 1.0))


def test_load_refuses_missing_metadata_and_corruption(tmp_path) -> None:
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    out = export_encoder(model, tmp_path / "enc", band_names=BANDS, stats=STATS, config={})
    weights = out / "encoder.safetensors"
    blob = bytearray(weights.read_bytes())
    blob[-5] ^= 0xFF
    weights.write_bytes(bytes(blob))
    with pytest.raises(EncoderLoadError, match="SHA-256"):
        load_encoder(out)
    (out / "encoder.json").unlink()
    with pytest.raises(EncoderLoadError, match="without metadata"):
        load_encoder(out)
    with pytest.raises(ValueError, match="band names for an encoder"):
        export_encoder(model, tmp_path / "bad", band_names=BANDS[:3], stats=STATS, config={})
