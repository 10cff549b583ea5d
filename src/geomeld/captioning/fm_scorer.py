"""The GeoMeld-FM Evaluator: rank caption candidates by the model's own image–text alignment.

Loads a pretraining run folder written by :mod:`geomeld.training.engine`:

* ``checkpoint.pt`` — the GeoMeld-FM state, including the ITC head (``vision_proj``, ``text_proj``) and
  the training config (which text encoder: MiniLM or hashing);
* ``encoder/`` — the exported encoder (``encoder.json``), whose normalisation statistics and band order
  are the preprocessing the model was trained with.

The image embedding is Sentinel-2 in the registry's 12-band order (bands a sample lacks, e.g. B2–B4 in
the NAIP layout, are no-data = 0 after normalisation, as in the loader's batches), normalised,
centre-cropped to the training input size, pooled by the encoder and projected by the ITC vision head;
the text embedding is the configured text encoder through the ITC text head. The score is their
cosine (see :class:`~geomeld.captioning.scoring.ContrastiveScorer`). torch is imported lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from geomeld.captioning.scoring import ContrastiveScorer
from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import encoder_input
from geomeld.core.sample import Sample


class FMScorerError(GeomeldError, RuntimeError):
    """The run folder cannot serve as an Evaluator; the message says what is missing."""


def load_fm_scorer(run_dir: str | Path) -> ContrastiveScorer:
    import torch
    import torch.nn.functional as F

    from geomeld.models.export import EncoderLoadError, load_encoder
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.models.text import build_text_encoder
    from geomeld.training.config import PretrainConfig
    from geomeld.training.engine import CHECKPOINT_FILE, CHECKPOINT_FORMAT

    run = Path(run_dir)
    ckpt = run / CHECKPOINT_FILE
    if not ckpt.is_file():
        raise FMScorerError(f"{run}: no {CHECKPOINT_FILE} (expected a geomeld pretraining run folder)")
    try:
        payload: Any = torch.load(ckpt, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise FMScorerError(f"{ckpt}: cannot read checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise FMScorerError(f"{ckpt}: not a geomeld pretraining checkpoint")
    cfg = PretrainConfig.model_validate(payload["config"])
    if not cfg.itc.enabled:
        raise FMScorerError(
            f"{ckpt}: the model was trained without the caption (ITC) head; nothing to score with"
        )
    try:
        exported = load_encoder(run / "encoder")
    except (EncoderLoadError, FileNotFoundError, OSError) as exc:
        raise FMScorerError(
            f"{run / 'encoder'}: the encoder export (normalisation stats) is needed: {exc}"
        ) from None
    text = build_text_encoder(cfg.itc.text_encoder, None, cfg.itc.hashing_dim)
    model = GeoMeldFM(cfg, text_dim=text.dim)
    missing, unexpected = model.load_state_dict(payload["model"], strict=False)
    if missing or unexpected:
        raise FMScorerError(
            f"{ckpt}: weights do not fit the config (missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    model.eval()
    itc = model.itc
    assert itc is not None
    key = encoder_input().key
    order = exported.band_names
    size = exported.input_size

    def image_embed(sample: Sample) -> np.ndarray:
        arr = sample.arrays.get(key)
        if arr is None:
            raise ValueError(f"{sample.key}: no {key} array to embed")
        names = sample.band_names(key)
        h, w = arr.shape[-2:]
        x = np.full((len(order), h, w), np.nan, dtype=np.float32)
        for i, band in enumerate(order):
            if band in names:
                x[i] = arr[names.index(band)]
        top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
        x = x[:, top : top + size, left : left + size]
        with torch.no_grad():
            t = exported.normalize(torch.from_numpy(np.ascontiguousarray(x))[None])
            pooled = model.encoder.forward_pooled(t)
            emb = F.normalize(itc.vision_proj(pooled).float(), dim=-1)
        return emb[0].numpy()

    def text_embed(texts: Any) -> np.ndarray:
        with torch.no_grad():
            t = text.encode([s if s.strip() else "." for s in texts])
            return F.normalize(itc.text_proj(t.float()).float(), dim=-1).numpy()

    return ContrastiveScorer(image_embed, text_embed)
