"""Pictures of what the demo's model does, from the files a demo run wrote.

* ``plots/reconstructions.png`` — held-out tiles (never pretrained on): the masked Sentinel-2 input,
  the model's reconstruction of every target it was trained on and that is co-located there
  (Sentinel-2, Sentinel-1, land cover), next to the truth. Targets absent at a tile are said so.
* ``plots/embedding_map.png`` — a 2-D PCA map of every tile's embedding, coloured by the tile's
  dominant land-cover class (labelled pixels of its co-located land-cover layer).
* ``plots/retrieval/*.png`` + ``pictures.json`` ``retrieval`` — a caption → its top-5 held-out
  tiles and a tile → its top-5 captions, through the trained ITC head (only when ITC was trained).

:func:`draw_all` writes ``plots/pictures.json`` listing what it drew and why anything is missing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from geomeld.core.atomic import write_atomic
from geomeld.core.modalities import MODALITIES, Task

log = logging.getLogger(__name__)


def _shards(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.tar"))


def load_model(run_dir: Path) -> tuple[Any, Any]:
    """(GeoMeldFM with the checkpoint's weights, its PretrainConfig) from ``<run>/pretrain/checkpoint.pt``."""
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.training.config import PretrainConfig

    payload = torch.load(run_dir / "pretrain" / "checkpoint.pt", map_location="cpu", weights_only=False)
    cfg = PretrainConfig.model_validate(payload["config"])
    state = payload["model"]
    text_dim = None
    if cfg.itc.enabled:
        text_dim = int(state["itc.text_proj.weight"].shape[1])
    model = GeoMeldFM(cfg, text_dim)
    model.load_state_dict(state)
    return model.eval(), cfg


def _batch(run_dir: Path, shards: list[str], cfg: Any, keys: list[str], n: int) -> dict[str, Any]:
    from geomeld.io.loader import make_loader
    from geomeld.io.stats import NormStats

    loader = make_loader(
        shards,
        batch_size=n,
        stats=NormStats.from_json(run_dir / "stats.json"),
        modalities=keys,
        crop_size=cfg.encoder.input_size,
        crop="center",
        shuffle=False,
        rank=0,
        world_size=1,
    )
    return dict(next(iter(loader)))


def _rgb(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(3, H, W) → (H, W, 3) in 0…1, stretched per band with the 2–98 % range of ``ref`` (the truth)."""
    out = np.zeros((*x.shape[1:], 3), np.float32)
    for c in range(3):
        r = ref[c][np.isfinite(ref[c])]
        lo, hi = np.percentile(r, [2, 98]) if r.size else (0.0, 1.0)
        out[..., c] = np.clip((x[c] - lo) / max(hi - lo, 1e-6), 0, 1)
    return out


def _patch_denorm(pred: np.ndarray, truth: np.ndarray, p: int) -> np.ndarray:
    """Undo MAE's per-patch normalisation of a prediction with the truth's patch mean/std (MAE's display rule)."""
    c, h, w = truth.shape
    t = truth.reshape(c, h // p, p, w // p, p)
    mean = np.nanmean(t, axis=(0, 2, 4), keepdims=True)
    std = np.nanstd(t, axis=(0, 2, 4), keepdims=True) + 1e-6
    return (pred.reshape(c, h // p, p, w // p, p) * std + mean).reshape(c, h, w)


@torch.no_grad()
def reconstructions(run_dir: Path, out_png: Path, n_tiles: int = 4, seed: int = 0) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from geomeld.training.masking import random_patch_mask
    from geomeld.viz.render import categorical

    model, cfg = load_model(run_dir)
    targets = [m.key for m in model.targets]
    inp = model.input_key
    batch = _batch(run_dir, _shards(run_dir / "heldout"), cfg, sorted({inp, *targets}), n_tiles)
    x = batch[inp]
    grid = model.encoder.patch_grid(x.shape[-2], x.shape[-1])
    mask = random_patch_mask(x.shape[0], grid, cfg.mask.ratio, torch.Generator().manual_seed(seed))
    preds = model.decoders(model.encoder.forward_features(x, mask)[-1], mask)
    p = cfg.encoder.patch_size
    s2 = MODALITIES[inp]
    rgb_idx = [s2.band_names.index(b) for b in ("B4", "B3", "B2")]
    wanted = [
        k for k in targets if k in ("sentinel2", "sentinel1", "esa_worldcover", "aster", "canopy_height")
    ]
    present_any = {k: bool(batch.get(f"present_{k}", torch.ones(1, dtype=torch.bool)).any()) for k in wanted}
    shown = [k for k in wanted if present_any[k]]
    never = [MODALITIES[k].title for k in wanted if not present_any[k]]
    cols = 1 + 2 * len(shown)
    fig, axes = plt.subplots(x.shape[0], cols, figsize=(2.1 * cols, 2.3 * x.shape[0]), squeeze=False)
    px_mask = mask.repeat_interleave(p, 1).repeat_interleave(p, 2).numpy()
    record: dict[str, Any] = {
        "tiles": list(batch["key"]),
        "targets": shown,
        "absent_at_these_tiles": never,
        "mask_ratio": cfg.mask.ratio,
    }
    for i in range(x.shape[0]):
        truth_s2 = x[i].numpy()
        ax = axes[i, 0]
        masked = _rgb(truth_s2[rgb_idx], truth_s2[rgb_idx])
        masked[px_mask[i]] = 0.5
        ax.imshow(masked)
        ax.set_title("input, 60 % hidden" if i == 0 else "", fontsize=9)
        ax.set_ylabel(str(batch["key"][i])[-8:], fontsize=8)
        for j, key in enumerate(shown):
            a_pred, a_true = axes[i, 1 + 2 * j], axes[i, 2 + 2 * j]
            m = MODALITIES[key]
            present = bool(batch.get(f"present_{key}", torch.ones(x.shape[0], dtype=torch.bool))[i])
            title = m.title.replace("Elevation and slope", "DEM")
            if not present:
                for a in (a_pred, a_true):
                    a.text(0.5, 0.5, "absent here\n(not a target)", ha="center", va="center", fontsize=8)
            elif m.task is Task.SEGMENTATION and m.classes is not None:
                idx_pred = preds[key][i].argmax(0).numpy()
                truth = batch[key][i].numpy().reshape(idx_pred.shape)
                codes = np.asarray(m.classes.codes)
                lab = np.where(truth >= 0, codes[np.clip(truth, 0, len(codes) - 1)], m.classes.nodata)
                a_pred.imshow(categorical(codes[idx_pred], m.classes))
                a_true.imshow(categorical(lab.astype(np.int64), m.classes))
            elif key == inp:
                rec = (
                    _patch_denorm(preds[key][i].numpy(), truth_s2, p)
                    if cfg.mp.norm_pix_loss
                    else preds[key][i].numpy()
                )
                shown_rec = np.where(px_mask[i][None], rec, truth_s2)
                a_pred.imshow(_rgb(shown_rec[rgb_idx], truth_s2[rgb_idx]))
                a_true.imshow(_rgb(truth_s2[rgb_idx], truth_s2[rgb_idx]))
            else:
                truth = batch[key][i].numpy()
                band = next(
                    (
                        b
                        for b in range(truth.shape[0])
                        if np.isfinite(truth[b]).mean() > 0.5 and np.nanstd(truth[b]) > 0
                    ),
                    0,
                )
                t = truth[band]
                lo, hi = np.nanpercentile(t, [2, 98]) if np.isfinite(t).any() else (0.0, 1.0)
                a_pred.imshow(preds[key][i, band].numpy(), vmin=lo, vmax=hi, cmap="gray")
                a_true.imshow(t, vmin=lo, vmax=hi, cmap="gray")
                title = f"{title} {m.band_names[band]}"
            if i == 0:
                a_pred.set_title(f"{title}: model", fontsize=9)
                a_true.set_title(f"{title}: truth", fontsize=9)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Held-out tiles (never pretrained on): masked input → reconstruction vs truth", fontsize=11)
    fig.tight_layout()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return record


def _dominant_classes(shards: list[str]) -> dict[str, tuple[str, str]]:
    """key → (dominant land-cover class of the labelled pixels, origin of the tile's Sentinel-2)."""
    from geomeld.core.origin import modality_origins
    from geomeld.io.shards import iter_samples
    from geomeld.viz.render import class_fractions

    table = MODALITIES["esa_worldcover"].classes
    assert table is not None
    out = {}
    for s in iter_samples(shards):
        arr = s.arrays.get("esa_worldcover")
        shares = class_fractions(np.asarray(arr)[0], table) if arr is not None else {}
        origin = modality_origins(s.metadata.provenance).get("sentinel2")
        out[s.key] = (next(iter(shares)) if shares else "no land cover", origin.value if origin else "?")
    return out


def embedding_map(run_dir: Path, out_png: Path) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pyarrow.parquet as pq

    table = pq.read_table(run_dir / "embeddings.parquet").to_pydict()
    emb = np.asarray(table["embedding"], dtype=np.float64)
    emb = emb - emb.mean(0)
    _, _, vt = np.linalg.svd(emb, full_matrices=False)
    xy = emb @ vt[:2].T
    dom: dict[str, tuple[str, str]] = _dominant_classes(
        _shards(run_dir / "shards") + _shards(run_dir / "heldout")
    )
    classes = MODALITIES["esa_worldcover"].classes
    assert classes is not None
    colours = dict(zip(classes.names, classes.colors, strict=True))
    held = {
        k
        for k, sh in zip(table["key"], table["shard"], strict=True)
        if Path(str(sh)).parent.name == "heldout"
    }
    fig, ax = plt.subplots(figsize=(8, 5.5))
    labels = [dom.get(k, ("no land cover", "?"))[0] for k in table["key"]]
    origins = [dom.get(k, ("", "?"))[1] for k in table["key"]]
    markers = {"real": "o", "substitute": "s"}
    names = {"real": "L2A", "substitute": "L1C"}
    for name in sorted(set(labels)):
        for origin in sorted(set(origins)):
            idx = [
                i
                for i, (lab, o) in enumerate(zip(labels, origins, strict=True))
                if lab == name and o == origin
            ]
            if not idx:
                continue
            ax.scatter(
                xy[idx, 0],
                xy[idx, 1],
                s=[70 if table["key"][i] in held else 40 for i in idx],
                c=colours.get(name, "#999999"),
                marker=markers.get(origin, "^"),
                edgecolors=["black" if table["key"][i] in held else "none" for i in idx],
                label=f"{name}, S2 {names.get(origin, origin)} ({len(idx)})",
            )
    ax.set_xlabel("principal component 1", fontsize=11)
    ax.set_ylabel("principal component 2", fontsize=11)
    ax.set_title(
        f"{len(labels)} tile embeddings, coloured by dominant land cover\n"
        "(circle: S2 L2A, square: S2 L1C; black edge: held out of pretraining)",
        fontsize=11,
    )
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), framealpha=0.8)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return {
        "n_tiles": len(labels),
        "n_held_out": len(held),
        "classes": {n: labels.count(n) for n in sorted(set(labels))},
    }


@torch.no_grad()
def retrieval_examples(run_dir: Path, out_dir: Path, k: int = 5) -> dict[str, Any]:
    """A caption → its top-k held-out tiles, and a tile → its top-k captions, through the trained ITC head."""
    from geomeld.io.shards import iter_samples
    from geomeld.models.text import build_text_encoder, embed_captions
    from geomeld.viz.gallery import _save_png
    from geomeld.viz.render import composite

    model, cfg = load_model(run_dir)
    if model.itc is None:
        return {"skipped": "the demo's model was trained without ITC: no image-text space"}
    inp = model.input_key
    samples = [s for s in iter_samples(_shards(run_dir / "heldout")) if s.metadata.caption]
    if len(samples) < k + 1:
        return {"skipped": f"only {len(samples)} captioned held-out tiles (need more than {k})"}
    batch = _batch(run_dir, _shards(run_dir / "heldout"), cfg, [inp], len(samples) + 8)
    keys = list(batch["key"])
    caption_of = {s.key: s.metadata.caption or "" for s in samples}
    keys_c = [kk for kk in keys if caption_of.get(kk)]
    rows = [keys.index(kk) for kk in keys_c]
    x = batch[inp][rows]
    pooled = model.encoder.pool(model.encoder.forward_features(x)[-1])
    text = build_text_encoder(cfg.itc.text_encoder, None, cfg.itc.hashing_dim)
    temb, _ = embed_captions(text, [caption_of[kk] for kk in keys_c])
    img, txt = model.itc(pooled, temb)
    sim = (img @ txt.T).numpy()  # (tiles, captions), same order
    thumbs = {}
    s2 = MODALITIES[inp]
    for s in samples:
        pic = composite(np.asarray(s.arrays[inp]), s.band_names(inp), ("B4", "B3", "B2"), s2, balance=True)
        if pic is not None:
            path = out_dir / f"{s.key}.png"
            _save_png(pic, path)
            thumbs[s.key] = str(path.relative_to(run_dir))
    n = len(keys_c)
    q = int(np.argmax([len(caption_of[kk]) for kk in keys_c]))  # the most detailed caption as the query
    t2i = np.argsort(-sim[:, q])[:k]
    i2t = np.argsort(-sim[q])[:k]
    ranks_t2i = [int(np.where(np.argsort(-sim[:, j]) == j)[0][0]) for j in range(n)]
    return {
        "n_gallery": n,
        "chance_r_at_k": round(100 * k / n, 1),
        "r_at_k_t2i": round(100 * float(np.mean([r < k for r in ranks_t2i])), 1),
        "k": k,
        "text_encoder": cfg.itc.text_encoder,
        "caption_query": {"key": keys_c[q], "caption": caption_of[keys_c[q]], "thumb": thumbs.get(keys_c[q])},
        "caption_to_tiles": [
            {
                "key": keys_c[i],
                "thumb": thumbs.get(keys_c[i]),
                "score": round(float(sim[i, q]), 3),
                "correct": bool(i == q),
            }
            for i in t2i
        ],
        "tile_query": {"key": keys_c[q], "thumb": thumbs.get(keys_c[q])},
        "tile_to_captions": [
            {
                "key": keys_c[j],
                "caption": caption_of[keys_c[j]],
                "score": round(float(sim[q, j]), 3),
                "correct": bool(j == q),
            }
            for j in i2t
        ],
    }


def draw_all(run_dir: Path, seed: int = 0) -> dict[str, Any]:
    plots = run_dir / "plots"
    record: dict[str, Any] = {}
    for name, fn in (
        ("reconstructions", lambda: reconstructions(run_dir, plots / "reconstructions.png", seed=seed)),
        ("embedding_map", lambda: embedding_map(run_dir, plots / "embedding_map.png")),
        ("retrieval", lambda: retrieval_examples(run_dir, plots / "retrieval")),
    ):
        try:
            record[name] = fn()
        except Exception as exc:  # a picture that cannot be drawn is reported, never invented
            log.warning("%s: not drawn (%s: %s)", name, type(exc).__name__, exc)
            record[name] = {"error": f"{type(exc).__name__}: {exc}"}
    write_atomic(plots / "pictures.json", json.dumps(record, indent=1, default=str))
    return record
