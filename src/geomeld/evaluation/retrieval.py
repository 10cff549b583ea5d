"""Image↔text retrieval R@1/5/10 and mean recall, with RemoteCLIP's semantics.

Scores are dot products of L2-normalised embeddings. Image→text: a query image scores a hit at k
when **any** of its captions is among the k best texts; text→image: the caption's own image is among
the k best images. Images are de-duplicated by key first (several captions per image collapse onto
one gallery entry). ``mean_recall`` is the mean of the six numbers (RemoteCLIP's summary).

Embeddings come from a full pretraining checkpoint (``checkpoint.pt`` of ``geomeld pretrain``): the
online encoder's pooled features through the ITC vision projection, and the run's text encoder
(MiniLM or hashing) through the ITC text projection. An exported encoder alone has no ITC heads, so
retrieval needs ``checkpoint`` in the encoder's config entry.

Held-out split: samples whose ``sha1(key)`` falls in the first ``held_out_fraction`` of the hash
range — deterministic, independent of shard order. It is only truly held out if pretraining did not
see those samples: point ``retrieval.shards`` at shards excluded from pretraining.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

log = logging.getLogger(__name__)

KS = (1, 5, 10)


def recall_at_k(
    image_emb: np.ndarray, text_emb: np.ndarray, text_to_image: np.ndarray, ks: Sequence[int] = KS
) -> dict[str, Any]:
    """R@k both ways (percent) for L2-normalised embeddings; ``text_to_image[t]`` = image index of caption t."""
    img = np.asarray(image_emb, dtype=np.float64)
    txt = np.asarray(text_emb, dtype=np.float64)
    owner = np.asarray(text_to_image, dtype=np.int64)
    if len(txt) != len(owner):
        raise ValueError(f"{len(txt)} text embeddings but {len(owner)} text→image indices")
    if len(img) == 0 or len(txt) == 0:
        raise ValueError("retrieval needs at least one image and one caption")
    sim = img @ txt.T  # (N_i, N_t)
    # image → text: rank of the best-ranked positive caption
    order_t = np.argsort(-sim, axis=1, kind="stable")
    pos = owner[order_t] == np.arange(len(img))[:, None]
    first_hit_i = np.where(pos.any(1), pos.argmax(1), np.iinfo(np.int64).max)
    has_caption = np.bincount(owner, minlength=len(img)) > 0
    first_hit_i = first_hit_i[has_caption]
    # text → image
    order_i = np.argsort(-sim.T, axis=1, kind="stable")
    first_hit_t = (order_i == owner[:, None]).argmax(1)
    out: dict[str, Any] = {"i2t": {}, "t2i": {}}
    for k in ks:
        out["i2t"][f"R@{k}"] = float(100 * np.mean(first_hit_i < k))
        out["t2i"][f"R@{k}"] = float(100 * np.mean(first_hit_t < k))
    out["mean_recall"] = float(np.mean([*out["i2t"].values(), *out["t2i"].values()]))
    out["n_images"] = int(has_caption.sum())
    out["n_captions"] = len(txt)
    out["gallery"] = {"images": len(img), "captions": len(txt)}
    out["chance"] = chance_recall(np.bincount(owner, minlength=len(img))[has_caption], len(txt), len(img), ks)
    return out


def chance_recall(
    captions_per_image: np.ndarray, n_texts: int, n_images: int, ks: Sequence[int] = KS
) -> dict:
    """Expected R@k (percent) of a random ranking, per direction and as the mean of both (``R@k``).

    Image→text: a query with ``c`` captions among ``n_texts`` hits when any of them is in a random top
    k: ``1 − C(n_texts − c, k) / C(n_texts, k)``; text→image: ``min(k, n_images) / n_images``.
    """
    from math import comb

    out: dict[str, Any] = {"i2t": {}, "t2i": {}}
    for k in ks:
        kk = min(k, n_texts)
        i2t = float(np.mean([1 - comb(n_texts - int(c), kk) / comb(n_texts, kk) for c in captions_per_image]))
        t2i = min(k, n_images) / n_images
        out["i2t"][f"R@{k}"] = 100 * i2t
        out["t2i"][f"R@{k}"] = 100 * t2i
        out[f"R@{k}"] = 100 * (i2t + t2i) / 2
    return out


def is_held_out(key: str, fraction: float) -> bool:
    h = int.from_bytes(hashlib.sha1(key.encode()).digest()[:4], "big") / 2**32
    return h < fraction


def collect_captioned(
    shards: Sequence[str], held_out_fraction: float
) -> tuple[list[str], list[str], list[int]]:
    """Keys of held-out captioned samples, their captions, and caption → image index (dedup by key)."""
    from geomeld.io.shards import iter_samples

    keys: list[str] = []
    captions: list[str] = []
    owner: list[int] = []
    index: dict[str, int] = {}
    for sample in iter_samples([Path(s) for s in shards], on_error="raise"):
        caption = getattr(sample.metadata, "caption", None) or ""
        if not caption.strip() or not is_held_out(sample.key, held_out_fraction):
            continue
        if sample.key not in index:
            index[sample.key] = len(keys)
            keys.append(sample.key)
        captions.append(caption.strip())
        owner.append(index[sample.key])
    return keys, captions, owner


def checkpoint_embedder(checkpoint: str | Path) -> tuple[Any, Any, Any]:
    """(model, text encoder, pretrain config) from a ``geomeld pretrain`` checkpoint with ITC enabled."""
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.models.text import build_text_encoder
    from geomeld.training.config import PretrainConfig
    from geomeld.training.engine import CHECKPOINT_FORMAT

    path = Path(checkpoint)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise FileNotFoundError(f"retrieval needs a pretraining checkpoint (checkpoint.pt); {path} not found")
    payload = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT or "config" not in payload:
        raise ValueError(
            f"{path}: not a geomeld pretraining checkpoint with its config; retrieval needs the full checkpoint "
            "written by `geomeld pretrain` (an exported encoder has no ITC heads)"
        )
    cfg = PretrainConfig.model_validate(payload["config"])
    if not cfg.itc.enabled:
        raise ValueError(
            f"{path}: the run was trained without ITC (itc.enabled false): no text/image heads to evaluate"
        )
    text = build_text_encoder(cfg.itc.text_encoder, None, cfg.itc.hashing_dim)
    model = GeoMeldFM(cfg, text_dim=text.dim)
    model.load_state_dict(payload["model"])
    return model.eval(), text, cfg


@torch.no_grad()
def embed_checkpoint(
    checkpoint: str | Path, shards: Sequence[str], keys: list[str], captions: list[str], stats: str | None
) -> tuple[np.ndarray, np.ndarray]:
    from geomeld.io.loader import make_loader

    model, text, cfg = checkpoint_embedder(checkpoint)
    assert model.itc is not None
    wanted = set(keys)
    loader = make_loader(
        list(shards),
        batch_size=32,
        stats=stats or cfg.data.stats,
        modalities=[model.input_key],
        crop_size=cfg.crop,
        crop="center",
        shuffle=False,
    )
    by_key: dict[str, np.ndarray] = {}
    for batch in loader:
        sel = [i for i, k in enumerate(batch["key"]) if k in wanted and k not in by_key]
        if not sel:
            continue
        pooled = model.encoder.forward_pooled(batch[model.input_key][sel])
        emb = F.normalize(model.itc.vision_proj(pooled).float(), dim=-1).numpy()
        for j, i in enumerate(sel):
            by_key[batch["key"][i]] = emb[j]
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise ValueError(f"held-out samples {missing[:5]} were not delivered by the loader (no Sentinel-2?)")
    img = np.stack([by_key[k] for k in keys])
    t = text.encode(captions)
    txt = F.normalize(model.itc.text_proj(t.float()).float(), dim=-1).numpy()
    return img, txt


def evaluate_retrieval_config(
    rcfg: Any, encoder_cfgs: Sequence[Any], stats: str | None = None
) -> list[dict[str, Any]]:
    keys, captions, owner = collect_captioned(rcfg.shards, rcfg.held_out_fraction)
    if not keys:
        raise ValueError(
            f"no captioned held-out samples in {list(rcfg.shards)} (held_out_fraction {rcfg.held_out_fraction}); "
            "caption the shards first (`geomeld caption`) or raise held_out_fraction"
        )
    rows = []
    for e in encoder_cfgs:
        ckpt = text_head_checkpoint(e)
        if ckpt is None:
            log.info(
                "retrieval: %s has no text head (no pretraining checkpoint with ITC heads) - not scored",
                e.name,
            )
            continue
        img, txt = embed_checkpoint(ckpt, rcfg.shards, keys, captions, stats)
        r = recall_at_k(img, txt, np.asarray(owner))
        rows.append(
            {
                "encoder": e.name,
                **r,
                "held_out_fraction": rcfg.held_out_fraction,
                "checkpoint": str(ckpt),
                "text_encoder": "the checkpoint's own text encoder (its pretraining config)",
            }
        )
    return rows


def text_head_checkpoint(e: Any) -> Path | None:
    """The pretraining checkpoint holding an encoder's text head: its ``checkpoint`` entry, else a
    ``checkpoint.pt`` beside an exported encoder folder (``runs/pretrain/{encoder,checkpoint.pt}``),
    so encoders passed with ``-e NAME=PATH`` are included too."""
    if getattr(e, "checkpoint", None):
        return Path(e.checkpoint)
    path = getattr(e, "path", None)
    if path:
        for cand in (Path(path) / "checkpoint.pt", Path(path).parent / "checkpoint.pt"):
            if cand.is_file():
                return cand
    return None
