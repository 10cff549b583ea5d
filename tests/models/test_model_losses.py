"""MP-MAE decoders and losses, JEPA, ITC and text encoders: no-data, absent modalities, edge cases."""

from __future__ import annotations

import math

import pytest
import torch

from geomeld.core.distributed import global_mean
from geomeld.core.modalities import MODALITIES, pretraining_targets
from geomeld.models.decoders import MultiPretextDecoders, output_channels
from geomeld.models.itc import ITCHead, itc_loss
from geomeld.models.jepa import ConvPredictor, ema_momentum, ema_update, jepa_loss, jepa_targets
from geomeld.models.losses import LossWeighting, modality_loss, patch_normalized
from geomeld.models.text import CachedTextEncoder, HashingTextEncoder, MiniLMTextEncoder, embed_captions
from geomeld.training.batch import synthetic_batch
from geomeld.training.masking import random_patch_mask, step_mask

P = 16
S = 32  # 2 × 2 patch grid


def _mask(b: int = 2) -> torch.Tensor:
    m = torch.zeros(b, 2, 2, dtype=torch.bool)
    m[:, 0, :] = True  # top row of patches hidden
    return m


def _pred(key: str, b: int = 2) -> torch.Tensor:
    m = MODALITIES[key]
    return torch.randn(
        b, output_channels(m), S, S, generator=torch.Generator().manual_seed(1), requires_grad=True
    )


@pytest.mark.parametrize("modality", pretraining_targets(), ids=lambda m: m.key)
def test_each_loss_ignores_nodata_and_visible_patches(modality) -> None:
    batch = synthetic_batch(2, S, seed=3, nodata_fraction=0.3)
    pred = _pred(modality.key)
    mask = _mask()
    norm_pix = modality.key == "sentinel2"
    base, count = modality_loss(modality, pred, batch, mask, P, norm_pix)
    assert count > 0 and torch.isfinite(base)
    changed = dict(batch)
    target = batch[modality.key].clone()
    if modality.classes is not None:
        ignored = (target < 0) | ~mask.repeat_interleave(P, 1).repeat_interleave(P, 2)
        changed_pred = pred.detach().clone()
        changed_pred[ignored.unsqueeze(1).expand_as(changed_pred)] = 1e3  # predictions where nothing counts
        again, _ = modality_loss(modality, changed_pred, batch, mask, P)
    else:
        invalid = ~batch[f"{modality.key}_valid"]
        target[invalid] = 1e6  # garbage at no-data pixels must not matter
        changed[modality.key] = target
        visible = ~mask.repeat_interleave(P, 1).repeat_interleave(P, 2)
        changed_pred = pred.detach().clone()
        changed_pred[visible.unsqueeze(1).expand_as(changed_pred)] = 1e3
        again, _ = modality_loss(modality, changed_pred, changed, mask, P, norm_pix)
    assert torch.allclose(base, again, rtol=1e-5), "no-data or visible pixels changed the loss"


@pytest.mark.parametrize("modality", pretraining_targets(), ids=lambda m: m.key)
def test_absent_modality_contributes_a_defined_zero(modality) -> None:
    batch = synthetic_batch(2, S, seed=4, absent=[modality.key])
    pred = _pred(modality.key)
    total, count = modality_loss(modality, pred, batch, _mask(), P, modality.key == "sentinel2")
    loss, n = global_mean(total, count)
    assert float(n) == 0 and float(loss.detach()) == 0.0
    loss.backward()
    assert pred.grad is not None and torch.all(pred.grad == 0)
    # a batch that lacks the key altogether behaves the same
    del batch[modality.key]
    total, count = modality_loss(modality, pred, batch, _mask(), P)
    assert float(total.detach()) == 0 and float(count) == 0


def test_one_absent_sample_is_excluded() -> None:
    m = MODALITIES["sentinel1"]
    batch = synthetic_batch(2, S, seed=5)
    pred = _pred("sentinel1")
    full, _ = modality_loss(m, pred, batch, _mask(), P)
    batch["present_sentinel1"] = torch.tensor([True, False])
    half, count = modality_loss(m, pred, batch, _mask(), P)
    batch2 = {k: (v[:1] if isinstance(v, torch.Tensor) else v) for k, v in batch.items()}
    only, count2 = modality_loss(m, pred[:1], batch2, _mask(1), P)
    assert torch.allclose(half, only) and count == count2 and half < full


def test_patch_normalisation_uses_valid_pixels_only() -> None:
    x = torch.randn(1, 2, 16, 16)
    valid = torch.ones_like(x)
    valid[0, 0, :4] = 0
    x_bad = x.clone()
    x_bad[valid == 0] = 1e4
    a, b = patch_normalized(x, valid, 16), patch_normalized(x_bad, valid, 16)
    assert torch.allclose(a[valid == 1], b[valid == 1], atol=1e-5)
    assert abs(float(a[valid == 1].mean())) < 1e-5


def test_uncertainty_weighting_skips_absent_and_learns() -> None:
    w = LossWeighting(["a", "b"], "uncertainty")
    losses = {"a": torch.tensor(2.0), "b": torch.tensor(3.0)}
    total = w(losses, {"a": torch.tensor(True), "b": torch.tensor(False)})
    assert float(total.detach()) == pytest.approx(2.0)  # exp(0)·2 + 0, b contributes nothing
    total.backward()
    assert float(w.log_vars["b"].grad) == 0.0 and float(w.log_vars["a"].grad) == pytest.approx(-1.0)
    fixed = LossWeighting(["a", "b"], "fixed", {"b": 0.5})
    assert float(fixed(losses, {"a": torch.tensor(True), "b": torch.tensor(True)})) == pytest.approx(3.5)
    with pytest.raises(ValueError, match="unknown targets"):
        LossWeighting(["a"], "fixed", {"zz": 1.0})


@pytest.mark.parametrize("shared", [True, False])
def test_decoders_shapes_and_sharing(shared: bool) -> None:
    targets = pretraining_targets()
    dec = MultiPretextDecoders(targets, encoder_dim=32, patch_size=P, dim=24, depth=1, shared_blocks=shared)
    out = dec(torch.randn(2, 32, 2, 2), _mask())
    for m in targets:
        assert out[m.key].shape == (2, output_channels(m), S, S)
    blocks = sum(p.numel() for n, p in dec.named_parameters() if "blocks" in n)
    per_block = sum(p.numel() for p in dec.proj[targets[0].key].parameters())  # just to have a scale
    assert blocks > per_block
    if not shared:
        assert len(dec.blocks_per_modality) == len(targets)


def test_masks_are_exact_ratio_and_rank_slices_of_the_global_mask() -> None:
    m = random_patch_mask(8, (7, 7), 0.6, torch.Generator().manual_seed(0))
    assert torch.all(m.flatten(1).sum(1) == round(0.6 * 49))
    full = step_mask(seed=1, step=3, global_batch=8, grid=(7, 7), ratio=0.6)
    half = step_mask(seed=1, step=3, global_batch=8, grid=(7, 7), ratio=0.6, start=4, count=4)
    assert torch.equal(full[4:], half)
    other = step_mask(seed=1, step=4, global_batch=8, grid=(7, 7), ratio=0.6)
    assert not torch.equal(full, other)


def test_jepa_loss_at_hidden_cells_and_ema() -> None:
    pred = torch.randn(2, 8, 2, 2, requires_grad=True)
    target = jepa_targets(torch.randn(2, 8, 2, 2))
    assert torch.allclose(target.mean(1), torch.zeros(2, 2, 2), atol=1e-5)
    total, count = jepa_loss(pred, target, _mask())
    assert count == 2 * 2 * 8
    changed = pred.detach().clone()
    changed[:, :, 1, :] = 100.0  # visible row: not a target
    assert torch.allclose(jepa_loss(changed, target, _mask())[0], total)
    total.backward()
    assert torch.all(pred.grad[:, :, 1, :] == 0)
    predictor = ConvPredictor(8, dim=4, depth=1)
    assert predictor(torch.randn(2, 8, 2, 2), _mask()).shape == (2, 8, 2, 2)
    assert ema_momentum(0, 100) == pytest.approx(0.996) and ema_momentum(100, 100) == 1.0
    assert ema_momentum(50, 100) == pytest.approx(0.998)
    online, target_net = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = target_net.weight.detach().clone()
    ema_update(target_net, online, 0.9)
    assert torch.allclose(target_net.weight, 0.9 * before + 0.1 * online.weight.detach())


def test_itc_symmetric_infonce_and_text_free_batches() -> None:
    torch.manual_seed(0)
    head = ITCHead(vision_dim=8, text_dim=6, embed_dim=4, temperature_init=0.07)
    assert head.temperature == pytest.approx(0.07, rel=1e-4)
    img, txt = head(torch.randn(3, 8), torch.randn(3, 6))
    has = torch.tensor([True, True, True])
    total, n = itc_loss(img, txt, has, head.logit_scale)
    logits = img @ txt.t() / 0.07
    expected = 0.5 * (
        torch.nn.functional.cross_entropy(logits, torch.arange(3), reduction="sum")
        + torch.nn.functional.cross_entropy(logits.t(), torch.arange(3), reduction="sum")
    )
    assert float(n) == 3 and torch.allclose(total, expected, rtol=1e-4)
    # one caption missing: that sample is neither a positive nor a negative
    total2, n2 = itc_loss(img, txt, torch.tensor([True, False, True]), head.logit_scale)
    sub = logits[[0, 2]][:, [0, 2]]
    expected2 = 0.5 * (
        torch.nn.functional.cross_entropy(sub, torch.arange(2), reduction="sum")
        + torch.nn.functional.cross_entropy(sub.t(), torch.arange(2), reduction="sum")
    )
    assert float(n2) == 2 and torch.allclose(total2, expected2, rtol=1e-4)
    # text-free (or single-caption) batch: defined zero, gradients all zero, no NaN
    for flags in ([False, False, False], [True, False, False]):
        z, _nz = itc_loss(img, txt, torch.tensor(flags), head.logit_scale)
        assert float(z) == 0.0 and math.isfinite(float(z))
        z.backward(retain_graph=True)
    assert head.logit_scale.grad is not None and float(head.logit_scale.grad) == 0.0


def test_hashing_encoder_and_cache(tmp_path) -> None:
    enc = HashingTextEncoder(32)
    a = enc.encode(["dense forest near a river", "dense forest near a river", "a city"])
    assert torch.equal(a[0], a[1]) and not torch.allclose(a[0], a[2])
    assert torch.allclose(a.norm(dim=1), torch.ones(3))
    cached = CachedTextEncoder(enc, tmp_path / "cache")
    emb, has = embed_captions(cached, ["a city", "", "a city", "fields"])
    assert has.tolist() == [True, False, True, True] and cached.encoded == 2
    assert torch.all(emb[1] == 0) and torch.allclose(emb[0], a[2])
    again = CachedTextEncoder(HashingTextEncoder(32), tmp_path / "cache")
    again.encode(["a city", "fields"])
    assert again.encoded == 0, "embeddings must come from the on-disk cache"
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 2


def test_real_minilm_encoder(tmp_path) -> None:
    enc = CachedTextEncoder(MiniLMTextEncoder(), tmp_path / "cache")
    emb = enc.encode(["a dense forest", "many trees in a woodland", "a busy city centre with roads"])
    assert emb.shape == (3, 384)
    assert torch.allclose(emb.norm(dim=1), torch.ones(3), atol=1e-4)
    sims = emb @ emb.t()
    assert sims[0, 1] > sims[0, 2] + 0.1  # forest ~ trees, not city


def test_full_objective_with_all_nodata_sample_and_absent_modality() -> None:
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.training.config import PretrainConfig

    cfg = PretrainConfig.model_validate(
        {
            "encoder": {"depths": [1, 1, 1, 1], "dims": [8, 16, 24, 32], "input_size": S},
            "mp": {"decoder_dim": 16},
            "jepa": {"enabled": True, "predictor_dim": 8, "predictor_depth": 1},
            "itc": {"enabled": True, "text_encoder": "hashing", "embed_dim": 8},
        }
    )
    torch.manual_seed(0)
    model = GeoMeldFM(cfg, text_dim=16)
    batch = synthetic_batch(2, S, seed=1, absent=["canopy_height"], captions=["a forest", "a town"])
    for m in pretraining_targets():  # sample 0: nothing valid anywhere, S2 included
        if m.classes is not None:
            batch[m.key][0] = -1
        else:
            batch[m.key][0] = 0.0
            batch[f"{m.key}_valid"][0] = False
        batch[f"present_{m.key}"][0] = False
    emb, has = embed_captions(HashingTextEncoder(16), batch["caption"])
    loss, terms = model(batch, _mask(), emb, has)
    assert torch.isfinite(loss) and float(terms["mp/canopy_height"]) == 0.0
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads), (
        "every trainable parameter gets a finite grad"
    )
