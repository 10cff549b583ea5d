"""Retrieval R@k (RemoteCLIP semantics) and the checkpoint → ITC-embedding path on tiny shards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geomeld.evaluation.config import EncoderConfig, RetrievalConfig
from geomeld.evaluation.retrieval import evaluate_retrieval_config, is_held_out, recall_at_k


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def test_any_positive_in_top_k_counts() -> None:
    img = np.eye(3)
    txt = _unit(np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0.2, 0.9, 0.0]]))
    owner = np.array([0, 1, 2, 0])  # image 0 has two captions (0 and 3)
    r = recall_at_k(img, txt, owner, ks=(1, 2, 3))
    # image 0: caption 0 ranks 1st (hit@1); image 1: its caption 1 ranks 4th; image 2: caption 2 ranks 3rd
    assert r["i2t"] == {
        "R@1": pytest.approx(100 / 3),
        "R@2": pytest.approx(100 / 3),
        "R@3": pytest.approx(200 / 3),
    }
    # captions: 0 → img0 1st; 1 → img1 3rd; 2 → img2 3rd; 3 → img0 2nd (img1 1st)
    assert r["t2i"] == {"R@1": 25.0, "R@2": 50.0, "R@3": 100.0}
    assert r["mean_recall"] == pytest.approx(np.mean([*r["i2t"].values(), *r["t2i"].values()]))
    assert r["n_images"] == 3 and r["n_captions"] == 4
    perfect = recall_at_k(np.eye(4), np.eye(4), np.arange(4))
    assert perfect["mean_recall"] == 100.0


def test_held_out_split_is_deterministic() -> None:
    keys = [f"tile_{i}" for i in range(2000)]
    chosen = [k for k in keys if is_held_out(k, 0.2)]
    assert 300 < len(chosen) < 500 and chosen == [k for k in keys if is_held_out(k, 0.2)]


def test_checkpoint_retrieval_end_to_end(tmp_path: Path) -> None:
    from geomeld.io.shards import ShardWriter
    from geomeld.io.synthetic import make_sample
    from geomeld.models.geomeld_fm import GeoMeldFM
    from geomeld.training.config import PretrainConfig
    from geomeld.training.engine import CHECKPOINT_FORMAT

    with ShardWriter(tmp_path / "shards", layout="standard", max_samples=50) as w:
        for i in range(8):
            w.write(make_sample(f"t{i:03d}", seed=i, caption=f"fields and a river number {i}"))
    shards = sorted(str(p) for p in (tmp_path / "shards").glob("*.tar"))
    cfg = PretrainConfig.model_validate(
        {
            "encoder": {"depths": [1, 1, 1, 1], "dims": [8, 16, 24, 32], "input_size": 32},
            "mp": {"targets": ["sentinel2"], "decoder_dim": 16},
            "itc": {"enabled": True, "text_encoder": "hashing", "hashing_dim": 16, "embed_dim": 8},
        }
    )
    torch.manual_seed(0)
    model = GeoMeldFM(cfg, text_dim=16)
    ckpt = tmp_path / "run" / "checkpoint.pt"
    ckpt.parent.mkdir()
    torch.save(
        {"format": CHECKPOINT_FORMAT, "config": cfg.model_dump(mode="json"), "model": model.state_dict()},
        ckpt,
    )
    rows = evaluate_retrieval_config(
        RetrievalConfig(shards=shards, held_out_fraction=1.0),
        [
            EncoderConfig(name="fm", kind="export", path="unused", checkpoint=str(ckpt.parent)),
            EncoderConfig(name="ri", kind="random_init"),
        ],
    )
    assert [r["encoder"] for r in rows] == ["fm"]  # no checkpoint → no ITC heads → skipped
    assert rows[0]["n_images"] == 8 and 0 <= rows[0]["mean_recall"] <= 100
    with pytest.raises(ValueError, match="not a geomeld pretraining checkpoint"):
        torch.save({"model": {}}, tmp_path / "bad.pt")
        evaluate_retrieval_config(
            RetrievalConfig(shards=shards, held_out_fraction=1.0),
            [EncoderConfig(name="bad", kind="export", path="x", checkpoint=str(tmp_path / "bad.pt"))],
        )
