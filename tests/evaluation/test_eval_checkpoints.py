"""ConvNeXt V2 weight names (timm-style), loading of pre-rename state dicts, and the importer of outside
checkpoints on state dicts with the real names and shapes of timm, the official ConvNeXt V2 / FCMAE
code and MMEarth-train (atto: depths 2-2-6-2, dims 40-80-160-320)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geomeld.core.modalities import SENTINEL2_BANDS
from geomeld.evaluation.encoders import imported
from geomeld.models.convnextv2 import ConvNeXtV2
from geomeld.models.convnextv2_import import CheckpointImportError, import_convnextv2, read_checkpoint

S2 = [b.name for b in SENTINEL2_BANDS]
DEPTHS, DIMS = (2, 2, 6, 2), (40, 80, 160, 320)


def _r(*shape: int) -> torch.Tensor:
    return torch.randn(*shape)


def timm_state(in_chans: int = 3) -> dict[str, torch.Tensor]:
    """Names and shapes of timm's ``convnextv2_atto`` (``ConvNeXt`` with ``GlobalResponseNormMlp``)."""
    sd = {
        "stem.0.weight": _r(40, in_chans, 4, 4),
        "stem.0.bias": _r(40),
        "stem.1.weight": _r(40),
        "stem.1.bias": _r(40),
    }
    for i, (depth, dim) in enumerate(zip(DEPTHS, DIMS, strict=True)):
        if i > 0:
            sd |= {f"stages.{i}.downsample.0.weight": _r(DIMS[i - 1]), f"stages.{i}.downsample.0.bias": _r(DIMS[i - 1]),
                   f"stages.{i}.downsample.1.weight": _r(dim, DIMS[i - 1], 2, 2), f"stages.{i}.downsample.1.bias": _r(dim)}  # fmt: skip
        for j in range(depth):
            p = f"stages.{i}.blocks.{j}."
            sd |= {p + "conv_dw.weight": _r(dim, 1, 7, 7), p + "conv_dw.bias": _r(dim), p + "norm.weight": _r(dim),
                   p + "norm.bias": _r(dim), p + "mlp.fc1.weight": _r(4 * dim, dim), p + "mlp.fc1.bias": _r(4 * dim),
                   p + "mlp.grn.weight": _r(4 * dim), p + "mlp.grn.bias": _r(4 * dim),
                   p + "mlp.fc2.weight": _r(dim, 4 * dim), p + "mlp.fc2.bias": _r(dim)}  # fmt: skip
    sd |= {"head.norm.weight": _r(320), "head.norm.bias": _r(320), "head.fc.weight": _r(1000, 320), "head.fc.bias": _r(1000)}  # fmt: skip
    return sd


def official_dense_state(in_chans: int = 3, prefix: str = "") -> dict[str, torch.Tensor]:
    """``facebookresearch/ConvNeXt-V2`` ``models/convnextv2.py`` (fine-tuned checkpoints)."""
    sd = {"downsample_layers.0.0.weight": _r(40, in_chans, 4, 4), "downsample_layers.0.0.bias": _r(40),
          "downsample_layers.0.1.weight": _r(40), "downsample_layers.0.1.bias": _r(40)}  # fmt: skip
    for i in range(1, 4):
        sd |= {f"downsample_layers.{i}.0.weight": _r(DIMS[i - 1]), f"downsample_layers.{i}.0.bias": _r(DIMS[i - 1]),
               f"downsample_layers.{i}.1.weight": _r(DIMS[i], DIMS[i - 1], 2, 2), f"downsample_layers.{i}.1.bias": _r(DIMS[i])}  # fmt: skip
    for i, (depth, dim) in enumerate(zip(DEPTHS, DIMS, strict=True)):
        for j in range(depth):
            p = f"stages.{i}.{j}."
            sd |= {p + "dwconv.weight": _r(dim, 1, 7, 7), p + "dwconv.bias": _r(dim), p + "norm.weight": _r(dim),
                   p + "norm.bias": _r(dim), p + "pwconv1.weight": _r(4 * dim, dim), p + "pwconv1.bias": _r(4 * dim),
                   p + "grn.gamma": _r(1, 1, 1, 4 * dim), p + "grn.beta": _r(1, 1, 1, 4 * dim),
                   p + "pwconv2.weight": _r(dim, 4 * dim), p + "pwconv2.bias": _r(dim)}  # fmt: skip
    sd |= {"norm.weight": _r(320), "norm.bias": _r(320), "head.weight": _r(1000, 320), "head.bias": _r(1000)}
    return {prefix + k: v for k, v in sd.items()}


def fcmae_sparse_state(dense: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The FCMAE pre-training checkpoint (``model`` → ``encoder.*`` MinkowskiEngine tensors + decoder), built
    from a dense state by the inverse of the official ``remap_checkpoint_keys``."""
    out: dict[str, torch.Tensor] = {}
    for k, v in dense.items():
        if k.startswith(("norm.", "head.")):
            continue  # the sparse encoder has no final norm and no head
        if k.startswith("downsample_layers.0."):
            out["encoder." + k] = v  # the stem is dense in the sparse encoder
            continue
        if k.endswith("dwconv.weight"):  # (C, 1, k, k) -> (k*k, C)
            c, _, ks, _ = v.shape
            out["encoder." + k[: -len("weight")] + "kernel"] = (
                v.transpose(3, 2).reshape(c, ks * ks).permute(1, 0)
            )
        elif ".1.weight" in k and k.startswith("downsample_layers."):  # (Cout, Cin, 2, 2) -> (4, Cin, Cout)
            co, ci, ks, _ = v.shape
            out["encoder." + k[: -len("weight")] + "kernel"] = (
                v.transpose(3, 2).reshape(co, ci, ks * ks).permute(2, 1, 0)
            )
        elif ".grn." in k:
            out["encoder." + k] = v.reshape(1, -1)
        elif "pwconv" in k:
            out["encoder." + k.replace(".weight", ".linear.weight").replace(".bias", ".linear.bias")] = v
        elif ".norm." in k or (k.startswith("downsample_layers.") and ".0." in k):
            out["encoder." + k.replace(".weight", ".ln.weight").replace(".bias", ".ln.bias")] = v
        elif k.endswith(".bias") and ("dwconv" in k or "downsample_layers" in k):
            out["encoder." + k] = v.reshape(1, -1)
        else:
            out["encoder." + k] = v
    out |= {"mask_token": _r(1, 512, 1, 1), "proj.weight": _r(512, 320, 1, 1), "proj.bias": _r(512),
            "decoder.0.dwconv.weight": _r(512, 1, 7, 7), "pred.weight": _r(16 * 16 * 3, 512, 1, 1)}  # fmt: skip
    return {"model": out}  # type: ignore[dict-item]


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a.float(), b.float(), atol=1e-6)


def test_weight_names_are_timms_and_old_exports_still_load() -> None:
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    sd = model.state_dict()
    assert "stages.0.blocks.0.conv_dw.weight" in sd and sd["stages.0.blocks.0.mlp.grn.weight"].shape == (32,)
    assert "stages.0.blocks.0.mlp.fc1.weight" in sd and not any("dwconv" in k or "pwconv" in k for k in sd)
    # a state dict written before the rename (geomeld <= this change): stages.N.M.dwconv, grn.gamma (1,1,1,C)
    legacy = {}
    for k, v in sd.items():
        old = k.replace(".blocks.", ".").replace("conv_dw", "dwconv").replace("mlp.fc1", "pwconv1")
        old = (
            old.replace("mlp.fc2", "pwconv2")
            .replace("mlp.grn.weight", "grn.gamma")
            .replace("mlp.grn.bias", "grn.beta")
        )
        legacy[old] = torch.randn(1, 1, 1, v.shape[0]) if "grn." in old else torch.randn_like(v)
    fresh = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    fresh.load_state_dict(legacy, strict=True)
    assert _close(
        fresh.state_dict()["stages.2.blocks.0.mlp.grn.weight"], legacy["stages.2.0.grn.gamma"].reshape(-1)
    )
    assert _close(fresh.state_dict()["stages.1.blocks.0.conv_dw.weight"], legacy["stages.1.0.dwconv.weight"])


def test_import_timm_with_rgb_stem_rule() -> None:
    sd = timm_state()
    model = ConvNeXtV2("atto")
    rep = import_convnextv2(sd, model, band_names=S2)
    got = model.state_dict()
    assert rep.layout == "timm" and "R,G,B → B4,B3,B2" in rep.stem and "head.fc.weight" in rep.dropped
    assert _close(got["stages.3.blocks.1.mlp.grn.weight"], sd["stages.3.blocks.1.mlp.grn.weight"])
    assert _close(got["downsample.0.1.weight"], sd["stages.1.downsample.1.weight"])
    assert _close(got["norm.weight"], sd["head.norm.weight"])
    stem = got["stem.0.weight"]  # (40, 12, 2, 2): RGB kernels resampled, other bands zero
    assert stem.shape == (40, 12, 2, 2)
    assert float(stem[:, S2.index("B8")].abs().sum()) == 0.0
    # response to a constant input is kept: sum over the kernel of R equals the source's
    assert torch.allclose(
        stem[:, S2.index("B4")].sum((1, 2)), sd["stem.0.weight"][:, 0].sum((1, 2)), atol=1e-4
    )


def test_import_official_finetuned_and_fcmae_sparse() -> None:
    dense = official_dense_state()
    model = ConvNeXtV2("atto")
    rep = import_convnextv2(dense, model, band_names=S2)
    got = model.state_dict()
    assert rep.layout == "fcmae"
    assert _close(got["stages.2.blocks.5.mlp.grn.bias"], dense["stages.2.5.grn.beta"].reshape(-1))
    assert _close(got["stages.0.blocks.1.mlp.fc2.weight"], dense["stages.0.1.pwconv2.weight"])
    sparse = fcmae_sparse_state(dense)
    model2 = ConvNeXtV2("atto")
    rep2 = import_convnextv2(read_ckpt_dict(sparse), model2, band_names=S2)
    got2 = model2.state_dict()
    # the MinkowskiEngine kernels come back exactly (permute / reshape / transpose of the official remap)
    assert _close(got2["stages.1.blocks.0.conv_dw.weight"], dense["stages.1.0.dwconv.weight"])
    assert _close(got2["downsample.2.1.weight"], dense["downsample_layers.3.1.weight"])
    assert _close(got2["downsample.0.0.weight"], dense["downsample_layers.1.0.weight"])
    assert "identity" in rep2.stem and any("decoder" in d for d in rep2.dropped)
    for k in got2:
        if not k.startswith(("stem.0.weight", "norm.")):
            assert _close(got2[k], got[k]), k  # same weights whichever layout they came in


def read_ckpt_dict(wrapped: dict) -> dict[str, torch.Tensor]:
    return dict(wrapped["model"])


def test_import_mmearth_default_stem_needs_stem_mmearth(tmp_path: Path) -> None:
    dense = official_dense_state(in_chans=12)
    mm: dict[str, torch.Tensor] = {}
    for k, v in dense.items():
        if k.startswith("downsample_layers.0."):
            continue
        if k.startswith("downsample_layers."):
            i = int(k.split(".")[1])
            k = k.replace(f"downsample_layers.{i}.", f"downsample_layers.{i - 1}.", 1)  # MMEarth: 3 entries
        mm[k] = v
    mm |= {"initial_conv.0.weight": _r(40, 12, 3, 3), "initial_conv.0.bias": _r(40), "initial_conv.1.weight": _r(40),
           "initial_conv.1.bias": _r(40), "stem.0.weight": _r(40, 1, 2, 2), "stem.0.bias": _r(40),
           "stem.1.weight": _r(40), "stem.1.bias": _r(40)}  # fmt: skip
    with pytest.raises(CheckpointImportError, match="stem: mmearth"):
        import_convnextv2(mm, ConvNeXtV2("atto"), band_names=S2)
    model = ConvNeXtV2("atto", stem="mmearth")
    rep = import_convnextv2(mm, model, band_names=S2)
    assert rep.layout == "mmearth" and "MMEarth stem" in rep.stem
    assert _close(model.state_dict()["stem.3.weight"], mm["stem.0.weight"])
    assert model.forward_pooled(torch.randn(1, 12, 112, 112)).shape == (1, 320)
    # an encoder entry of kind "imported" (here an MMEarth file) works end to end
    path = tmp_path / "mmearth.pt"
    torch.save({"model": mm}, path)
    enc = imported("MMEarth MP-MAE", path, "atto", stem="mmearth")
    assert enc.kind == "imported" and enc.mean is None and "mmearth" in enc.source


def test_imagenet_style_entry_and_bad_checkpoints(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    path = tmp_path / "convnextv2_atto.fcmae_ft_in1k.safetensors"
    save_file({k: v.contiguous() for k, v in timm_state().items()}, str(path))
    enc = imported("ImageNet (timm)", path, "atto")
    x = torch.randn(2, 12, 112, 112)
    assert enc.model.forward_pooled(x).shape == (2, 320) and enc.meta["import"]["layout"] == "timm"
    with pytest.raises(CheckpointImportError, match=r"checkpoint.s size"):
        imported("wrong size", path, "femto")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointImportError, match=r"bad.pt: unreadable checkpoint"):
        read_checkpoint(bad)
    np.testing.assert_equal(len(enc.band_names), 12)
