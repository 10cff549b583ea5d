"""Shipped configs that need neither the network nor external data are run on tiny inputs.

(Pretraining variants, the mini-benchmark eval config and the quick demo are smoke-run by their own
tests; configs that need a remote catalog or GEO-Bench data are validated by their areas' tests.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq

from geomeld.builder.config import BuildConfig
from geomeld.builder.runner import read_anchors, run_build
from geomeld.captioning.pipeline import CaptionConfig
from geomeld.captioning.run import caption_shards
from geomeld.io.shards import iter_samples
from geomeld.sampling.config import load_config
from geomeld.sampling.run import run as run_sampling

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"
SHARDS = REPO / "tests" / "data" / "geomeld_shards"


def test_sample_then_build_with_the_embedded_configs(tmp_path: Path) -> None:
    cfg = load_config(CONFIGS / "sample" / "embedded.yaml").model_copy(update={"stratified": 8})
    run_sampling(cfg, tmp_path / "pool.parquet")
    pool = pq.read_table(tmp_path / "pool.parquet")
    assert pool.num_rows == 8 and set(pool.column("source").to_pylist()) == {"stratified"}
    anchors = read_anchors(tmp_path / "pool.parquet")[:2]
    result = run_build(
        anchors,
        tmp_path / "shards",
        BuildConfig.from_yaml(CONFIGS / "build" / "embedded.yaml"),
        progress=False,
    )
    assert result.summary["outcome"].get("done", 0) + result.summary["outcome"].get("skipped", 0) == 2
    assert sum(1 for _ in iter_samples(sorted((tmp_path / "shards").glob("*.tar")))) == result.summary[
        "outcome"
    ].get("done", 0)


def test_default_caption_config_captions_a_shard(tmp_path: Path) -> None:
    shard = tmp_path / "geomeld-00000.tar"
    shutil.copy(next(iter(sorted(SHARDS.glob("*.tar")))), shard)
    cfg = CaptionConfig.from_yaml(CONFIGS / "caption" / "default.yaml")
    results = list(caption_shards([shard], cfg, workers=1))
    assert results
    samples = list(iter_samples([shard]))
    assert samples and all(s.metadata.caption_report is not None for s in samples)
    assert any(s.metadata.caption for s in samples)


def test_openai_caption_config_validates() -> None:
    cfg = CaptionConfig.from_yaml(CONFIGS / "caption" / "openai_local.yaml")
    assert cfg.backend == "openai"
