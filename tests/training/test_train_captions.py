"""Precomputed caption embeddings: one file per shard, keyed by tile + caption hash, read with the batch."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.core.sample import Sample
from geomeld.io.shards import rewrite_shard
from geomeld.models.text import HashingTextEncoder
from geomeld.training.captions import (
    CaptionEmbeddingError,
    CaptionStore,
    caption_hash,
    captions_path,
    embed_shard_captions,
    read_meta,
)
from geomeld.training.config import load_config
from geomeld.training.data import ShardSource

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "data" / "geomeld_shards"


@pytest.fixture()
def shards(tmp_path: Path) -> list[Path]:
    out = tmp_path / "shards"
    out.mkdir()
    texts = iter(["Dense forest.", "Cropland fields.", "", "A river.", "Urban blocks.", "Snow."])

    def add_caption(sample: Sample) -> Sample:
        sample.metadata.caption = next(texts) or None
        return sample

    for shard in sorted(FIXTURES.glob("*.tar")):
        shutil.copy(shard, out / shard.name)
        rewrite_shard(out / shard.name, add_caption)
    return sorted(out.glob("*.tar"))


def test_one_file_per_shard_keyed_by_tile_and_hash(shards: list[Path]) -> None:
    enc = HashingTextEncoder(16)
    paths = embed_shard_captions(shards, enc)
    assert paths == [captions_path(s) for s in shards] and all(p.parent == shards[0].parent for p in paths)
    meta = read_meta(paths[0])
    assert meta["text_encoder"] == "hashing-16" and meta["dim"] == 16
    store = CaptionStore(paths, text_encoder="hashing-16")
    with np.load(paths[0]) as z:
        key, cap_sha = str(z["keys"][0]), str(z["caption_sha"][0])
    emb, has = store.lookup([key])
    assert emb.dtype == torch.float16 and emb.shape == (1, 16) and bool(has[0]) == (cap_sha != "")
    if cap_sha:  # the stored vector is the encoder's, in float16
        text = "Dense forest."
        assert caption_hash(text) == cap_sha
        assert torch.allclose(emb[0].float(), enc.encode([text])[0], atol=1e-3)
    # a caption edited after embedding is refused by its hash; unknown tiles are refused too
    with pytest.raises(CaptionEmbeddingError, match="caption changed"):
        store.lookup([key], ["another text"])
    with pytest.raises(CaptionEmbeddingError, match="no precomputed caption embedding"):
        store.lookup(["nope"])
    with pytest.raises(CaptionEmbeddingError, match="text encoder 'hashing-16'"):
        CaptionStore(paths, text_encoder="all-MiniLM-L6-v2")
    # up-to-date files are kept (not rewritten)
    before = paths[0].stat().st_mtime_ns
    embed_shard_captions(shards, enc)
    assert paths[0].stat().st_mtime_ns == before


def test_training_reads_embeddings_with_the_batch_and_runs_no_text_model(
    shards: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embed_shard_captions(shards, HashingTextEncoder(32))
    cfg = load_config(
        REPO / "configs/pretrain/ci_tiny.yaml",
        {"data.shards": [str(shards[0].parent)], "run.out_dir": str(tmp_path / "run"), "optim.steps": 2},
    )
    assert cfg.itc.embeddings == "precomputed"
    source = ShardSource(cfg)
    assert source.caption_dim == 32
    batch = next(source.epoch(0))
    assert batch["caption_embedding"].shape == (2, 32) and batch["has_caption"].dtype == torch.bool

    def no_text_model(*_a: object, **_k: object) -> None:
        raise AssertionError("a text model ran in the training loop")

    monkeypatch.setattr("geomeld.training.engine.embed_captions", no_text_model)
    from geomeld.training.engine import pretrain

    result = pretrain(cfg, source, resume=False)
    assert result.steps == 2 and any(h["itc"] > 0 for h in result.history)


def test_missing_files_are_computed_once_before_training(shards: list[Path], tmp_path: Path) -> None:
    cfg = load_config(
        REPO / "configs/pretrain/ci_tiny.yaml",
        {"data.shards": [str(shards[0].parent)], "run.out_dir": str(tmp_path / "run")},
    )
    source = ShardSource(cfg)
    written = sorted((tmp_path / "run" / "caption_embeddings").glob("*.captions.npz"))
    assert len(written) == len(shards) and source.caption_dim == 32
    assert not list(shards[0].parent.glob("*.captions.npz")), "shard folders are left untouched"


def test_cli_embed_captions(shards: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "emb"
    result = runner.invoke(
        app, ["embed-captions", str(shards[0].parent), "--text-encoder", "hashing", "--out-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.captions.npz"))) == len(shards) and "hashing-64" in result.output
    bad = runner.invoke(app, ["embed-captions", str(tmp_path / "none")])
    assert bad.exit_code == 1 and "no such shard" in str(bad.exception)  # one line via geomeld.cli.main


def test_resume_with_another_worker_count_is_refused_on_shards(shards: list[Path], tmp_path: Path) -> None:
    cfg = load_config(
        REPO / "configs/pretrain/ci_tiny.yaml",
        {"data.shards": [str(shards[0].parent)], "run.out_dir": str(tmp_path / "run"), "itc.enabled": False},
    )
    source = ShardSource(cfg)
    saved = source.resume_signature()
    source.check_resume(saved)  # same loader: fine
    with pytest.raises(ValueError, match=r"data\.num_workers=2"):
        source.check_resume({**saved, "num_workers": 2})
