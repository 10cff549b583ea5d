"""Pretraining engine: overfitting a real batch, exact resume, NaN guard, checkpoint checks, export."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from geomeld.models.export import load_encoder
from geomeld.models.geomeld_fm import GeoMeldFM
from geomeld.training.batch import BatchError, synthetic_batch
from geomeld.training.config import PretrainConfig, load_config
from geomeld.training.data import ListSource
from geomeld.training.engine import CheckpointError, NonFiniteLossError, pretrain

STATS = {"mean": [0.0] * 12, "std": [1.0] * 12}
CAPTIONS = ["dense forest near a river", "city blocks and roads", "", "green cropland fields"]


def tiny_config(out_dir: Path, **sections: Any) -> PretrainConfig:
    raw: dict[str, Any] = {
        "encoder": {"size": "atto", "depths": [1, 1, 1, 1], "dims": [8, 16, 24, 32], "input_size": 32},
        "mp": {"decoder_dim": 16},
        "jepa": {"enabled": True, "predictor_dim": 8, "predictor_depth": 1},
        "itc": {"enabled": True, "text_encoder": "hashing", "hashing_dim": 16, "embed_dim": 8},
        "optim": {"lr": 2e-3, "steps": 6, "warmup_steps": 2},
        "data": {"batch_size": 4},
        "run": {"out_dir": str(out_dir), "log_every": 1, "checkpoint_every": 100, "progress": False},
    }
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return PretrainConfig.model_validate(raw)


def source(n: int = 3, batch_size: int = 4) -> ListSource:
    return ListSource(
        [synthetic_batch(batch_size, 32, seed=i, captions=CAPTIONS[:batch_size]) for i in range(n)], STATS
    )


BIGEARTHNET = Path(__file__).resolve().parents[2] / "src" / "geomeld" / "data" / "real" / "bigearthnet"


def _bigearthnet_batch(root: Path = BIGEARTHNET) -> dict[str, Any]:
    """Four real BigEarthNet S2 (12 bands) + S1 (VV, VH) patches as a Batch, 64 px centre crop.

    Read from the copy shipped with geomeld (``geomeld/data/real/bigearthnet``, see its README).
    """
    import rasterio

    bands = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]
    s2_dirs = sorted(p for p in (root / "s2").iterdir() if p.is_dir())[:4]
    s1_dirs = {
        p.name.rsplit("_", 2)[-2:][0] + p.name.rsplit("_", 1)[-1]: p
        for p in (root / "s1").iterdir()
        if p.is_dir()
    }
    s2, s1 = [], []
    for d in s2_dirs:
        planes = []
        for b in bands:
            with rasterio.open(d / f"{d.name}_{b}.tif") as f:
                a = torch.from_numpy(f.read(1).astype(np.float32))[None, None] * 1e-4
            planes.append(torch.nn.functional.interpolate(a, size=(120, 120), mode="bilinear")[0, 0])
        s2.append(torch.stack(planes))
        tag = d.name.rsplit("_", 2)[-2] + d.name.rsplit("_", 1)[-1]
        s1_dir = s1_dirs[tag]
        pols = []
        for pol in ("VV", "VH"):
            with rasterio.open(s1_dir / f"{s1_dir.name}_{pol}.tif") as f:
                pols.append(torch.from_numpy(f.read(1).astype(np.float32)))
        s1.append(torch.stack(pols))
    x = torch.stack(s2)[:, :, 28:92, 28:92]
    r = torch.stack(s1)[:, :, 28:92, 28:92]
    x = (x - x.mean((0, 2, 3), keepdim=True)) / x.std((0, 2, 3), keepdim=True)
    r = (r - r.mean((0, 2, 3), keepdim=True)) / r.std((0, 2, 3), keepdim=True)
    s1_full = torch.zeros(4, 8, 64, 64)
    s1_valid = torch.zeros(4, 8, 64, 64, dtype=torch.bool)
    s1_full[:, :2], s1_valid[:, :2] = r, True  # VV_asc, VH_asc slots; HH/HV and the other orbit are no-data
    ones = torch.ones(4, dtype=torch.bool)
    return {
        "sentinel2": x,
        "sentinel2_valid": torch.ones_like(x, dtype=torch.bool),
        "present_sentinel2": ones,
        "sentinel1": s1_full,
        "sentinel1_valid": s1_valid,
        "present_sentinel1": ones,
        "key": [d.name for d in s2_dirs],
        "caption": [""] * 4,
    }


def test_tiny_model_overfits_one_real_batch() -> None:
    torch.manual_seed(0)
    batch = _bigearthnet_batch()
    cfg = PretrainConfig.model_validate(
        {
            "encoder": {"depths": [1, 1, 1, 1], "dims": [16, 32, 48, 64], "input_size": 64},
            "mp": {
                "targets": ["sentinel2", "sentinel1"],
                "decoder_dim": 64,
                "weighting": "fixed",
                "norm_pix_loss": False,
            },
        }
    )
    model = GeoMeldFM(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=0.0)
    mask = torch.rand(4, 4, 4, generator=torch.Generator().manual_seed(0)) < 0.6
    losses = []
    for _ in range(100):
        loss, _terms = model(batch, mask)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0] / 8, f"loss fell only from {losses[0]:.3f} to {losses[-1]:.3f}"


def _params(model_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(model_dir / "checkpoint.pt", weights_only=False)["model"]


def test_resume_equals_uninterrupted_training(tmp_path: Path) -> None:
    full = pretrain(tiny_config(tmp_path / "full"), source(), resume=False)
    first = pretrain(tiny_config(tmp_path / "split"), source(), max_steps=4)
    assert first.steps == 4 and first.export_dir is None
    second = pretrain(tiny_config(tmp_path / "split"), source())
    assert second.resumed_from == 4 and second.steps == 6
    a, b = _params(tmp_path / "full"), _params(tmp_path / "split")
    assert a.keys() == b.keys()
    for k in a:
        assert torch.allclose(a[k], b[k], atol=1e-6, rtol=1e-5), k
    assert [h["loss"] for h in full.history[4:]] == pytest.approx(
        [h["loss"] for h in second.history], rel=1e-5
    )
    lines = (tmp_path / "split" / "metrics.csv").read_text().splitlines()
    assert len(lines) == 1 + 6 and "mp/sentinel2" in lines[0] and "jepa" in lines[0] and "itc" in lines[0]
    exported = load_encoder(tmp_path / "split" / "encoder")
    assert exported.band_names[0] == "B1" and exported.meta["which"] == "online"
    assert (tmp_path / "split" / "encoder_target" / "encoder.json").is_file()


def test_checkpoint_from_another_config_or_corrupt_is_refused(tmp_path: Path) -> None:
    pretrain(tiny_config(tmp_path, optim={"steps": 1}), source(1))
    other = tiny_config(tmp_path, optim={"steps": 2}, mp={"decoder_dim": 24})
    with pytest.raises(CheckpointError, match="another model config"):
        pretrain(other, source(1))
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        pretrain(tiny_config(tmp_path, optim={"steps": 2}), source(1))


def test_nan_input_and_nan_loss_stop_with_a_clear_error(tmp_path: Path) -> None:
    bad = synthetic_batch(4, 32, seed=0)
    bad["sentinel2"][0, 0, 0, 0] = float("nan")
    with pytest.raises(BatchError, match=r"batch\['sentinel2'\] contains NaN"):
        pretrain(tiny_config(tmp_path / "a"), ListSource([bad], STATS), resume=False)
    cfg = tiny_config(tmp_path / "b", mp={"weighting": "fixed", "weights": {"sentinel1": float("inf")}})
    with pytest.raises(NonFiniteLossError, match="non-finite loss at step 0"):
        pretrain(cfg, source(1), resume=False)


def test_text_free_batches_train_without_nan(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    batches = ListSource([synthetic_batch(4, 32, seed=0)], STATS)  # captions all ""
    with caplog.at_level("INFO"):
        result = pretrain(tiny_config(tmp_path, optim={"steps": 2}), batches, resume=False)
    assert all(h["itc"] == 0.0 and np.isfinite(h["loss"]) for h in result.history)
    assert "ITC skipped at step 0" in caplog.text


def test_grad_accumulation_equals_one_larger_batch(tmp_path: Path) -> None:
    # no no-data pixels: every micro-batch then has the same element counts, so the mean of the
    # micro-batch means is the big-batch mean and the updates agree (ITC differs by design: its
    # negatives come from the micro-batch, so it is off here)
    big = synthetic_batch(4, 32, seed=7, nodata_fraction=0.0)
    halves = [{k: v[i : i + 2] for k, v in big.items()} for i in (0, 2)]
    common = {"itc": {"enabled": False}}
    cfg_big = tiny_config(tmp_path / "big", optim={"steps": 2}, **common)
    cfg_acc = tiny_config(
        tmp_path / "acc", optim={"steps": 2, "grad_accum": 2}, data={"batch_size": 2}, **common
    )
    pretrain(cfg_big, ListSource([big], STATS))
    pretrain(cfg_acc, ListSource(halves, STATS))
    a, b = _params(tmp_path / "big"), _params(tmp_path / "acc")
    for k in a:
        assert torch.allclose(a[k], b[k], atol=1e-6, rtol=1e-4), k


def test_yaml_overrides_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("encoder:\n  size: atto\noptim:\n  steps: 5\n")
    cfg = load_config(path, {"optim.steps": 3, "run.out_dir": "x"})
    assert cfg.optim.steps == 3 and cfg.run.out_dir == "x"
    path.write_text("encoder:\n  sise: atto\n")
    with pytest.raises(ValueError, match="sise"):
        load_config(path)
    path.write_text("mp:\n  targets: [sentinel2, naip]\n")
    with pytest.raises(ValueError, match="naip"):
        load_config(path)


def test_optimizer_groups_and_schedule(tmp_path: Path) -> None:
    from geomeld.training.engine import build_optimizer, lr_factor

    cfg = tiny_config(tmp_path, optim={"steps": 10, "warmup_steps": 2, "lr": 1e-3, "min_lr": 1e-4})
    model = GeoMeldFM(cfg, text_dim=16)
    opt, peak = build_optimizer(model, cfg)
    names = {id(p): n for n, p in model.named_parameters()}
    decay = {names[id(p)] for p in opt.param_groups[0]["params"]}
    no_decay = {names[id(p)] for p in opt.param_groups[1]["params"]}
    assert opt.param_groups[0]["weight_decay"] == 0.05 and opt.param_groups[1]["weight_decay"] == 0.0
    assert "encoder.stages.0.blocks.0.mlp.fc1.weight" in decay and "encoder.stem.0.weight" in decay
    for name in (
        "encoder.stages.0.blocks.0.mlp.grn.weight",
        "encoder.stages.0.blocks.0.mlp.grn.bias",
        "encoder.stages.0.blocks.0.mlp.fc1.bias",
    ):
        assert name in no_decay
    assert "encoder.norm.weight" in no_decay and "itc.logit_scale" in no_decay
    tokens = {n for n in decay | no_decay if "mask_token" in n}
    assert {"decoders.mask_token.sentinel2", "predictor.mask_token"} <= tokens and tokens <= no_decay
    assert any("log_vars" in n for n in no_decay)
    assert not any(n.startswith("target_encoder.") for n in decay | no_decay), (
        "the EMA encoder is not optimised"
    )
    factors = [lr_factor(s, cfg, peak) for s in range(10)]
    assert factors[0] == pytest.approx(0.5) and factors[1] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(factors[1:]))
    assert lr_factor(10, cfg, peak) == pytest.approx(0.1)  # min_lr / lr at the end


def test_ijepa_style_full_target_view_trains(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path, jepa={"target_view": "full"}, mp={"shared_blocks": False}, optim={"steps": 2})
    result = pretrain(cfg, source(1), resume=False)
    assert all(np.isfinite(h["jepa"]) and h["jepa"] > 0 for h in result.history)
    assert result.history[-1]["ema_momentum"] == pytest.approx(0.998)  # linear 0.996 → 1.0 over 2 steps


def test_logged_lr_is_the_steps_and_beta_warms_up(tmp_path: Path) -> None:
    cfg = tiny_config(
        tmp_path, optim={"steps": 4, "warmup_steps": 2, "lr": 1e-3}, itc={"beta_warmup_steps": 4}
    )
    result = pretrain(cfg, source(2), resume=False)
    lrs = [h["lr"] for h in result.history]
    assert lrs[0] == pytest.approx(0.5e-3) and lrs[1] == pytest.approx(1e-3)  # warm-up (s + 1) / 2
    assert [h["beta"] for h in result.history] == pytest.approx([0.25, 0.5, 0.75, 1.0])


def test_branch_gradient_norms_are_logged(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path, optim={"steps": 2, "clip_grad": 1.0})
    result = pretrain(cfg, source(2), resume=False)
    row = result.history[-1]
    for branch in ("mp", "jepa", "itc"):
        assert row[f"grad_norm/{branch}"] > 0, branch
    assert 0.0 <= row["clipped"] <= 1.0 and row["grad_norm"] > 0
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0]
    assert "grad_norm/itc" in header and "clipped" in header


def test_branch_norms_match_separate_backward_passes(tmp_path: Path) -> None:
    from geomeld.training.engine import branch_grad_norms

    cfg = tiny_config(tmp_path)
    torch.manual_seed(0)
    model = GeoMeldFM(cfg, text_dim=16)
    batch = synthetic_batch(4, 32, seed=0, captions=CAPTIONS)
    mask = torch.rand(4, 2, 2, generator=torch.Generator().manual_seed(1)) < 0.5
    text = torch.nn.functional.normalize(torch.randn(4, 16), dim=-1)
    has = torch.tensor([True, True, False, True])
    model(batch, mask, text, has)
    norms = branch_grad_norms(model)
    for name in ("mp", "jepa", "itc"):
        model.zero_grad()
        model(batch, mask, text, has)
        model.branch_losses[name].backward()
        ref = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.encoder.parameters() if p.grad is not None))
        assert float(norms[f"grad_norm/{name}"]) == pytest.approx(float(ref), rel=1e-5), name


def test_itc_gradient_balancing_caps_beta(tmp_path: Path) -> None:
    cfg = tiny_config(tmp_path, optim={"steps": 3}, itc={"balance": 0.5}, run={"grad_norms_every": 1})
    result = pretrain(cfg, source(2), resume=False)
    rows = result.history
    assert all("itc_beta_cap" in h for h in rows)
    # from step 1 on β is the cap measured at the previous step: ITC's encoder gradient ≈ ≤ 0.5 × MP-MAE's
    for h in rows[1:]:
        assert h["beta"] <= 1.0 and h["grad_norm/itc"] <= 0.5 * h["grad_norm/mp"] * 1.5
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ckpt["itc_beta_cap"] == pytest.approx(rows[-1]["itc_beta_cap"])
