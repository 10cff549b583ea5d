"""Every pretraining config smoke-runs on the io fixture shards; the exported encoder drives embed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.core.sample import Sample
from geomeld.io.shards import rewrite_shard
from geomeld.training.config import load_config
from geomeld.training.data import ShardSource
from geomeld.training.engine import pretrain

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "configs" / "pretrain").glob("*.yaml"))
VARIANTS = {"s2_mae", "mp_mae", "mp_jepa", "mp_itc", "full", "ci_tiny"}
TINY = {
    "encoder.depths": [1, 1, 1, 1],
    "encoder.dims": [8, 16, 24, 32],
    "encoder.input_size": 32,
    "mp.decoder_dim": 16,
    "jepa.predictor_dim": 8,
    "jepa.predictor_depth": 1,
    "itc.embed_dim": 16,
    "optim.steps": 2,
    "optim.warmup_steps": 1,
    "optim.lr": 1e-3,
    "data.batch_size": 2,
    "data.num_workers": 0,
    "data.layouts": None,
    "run.progress": False,
}


@pytest.fixture(scope="module")
def captioned_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The io fixture shards, copied, with captions on all but one sample (rewrite_shard)."""
    out = tmp_path_factory.mktemp("shards")
    for shard in sorted((REPO / "tests" / "data" / "geomeld_shards").glob("*.tar")):
        shutil.copy(shard, out / shard.name)
    texts = iter(
        [
            "Dense forest on a hillside.",
            "Cropland with scattered trees.",
            "",
            "A river crossing fields.",
            "Urban blocks.",
        ]
    )

    def add_caption(sample: Sample) -> Sample:
        sample.metadata.caption = next(texts) or None
        return sample

    for shard in sorted(out.glob("*.tar")):
        rewrite_shard(shard, add_caption)
    return out


def test_all_ablation_variants_have_a_config() -> None:
    assert {p.stem for p in CONFIGS} == VARIANTS
    flags = {p.stem: load_config(p) for p in CONFIGS}
    assert flags["s2_mae"].mp.target_keys() == ["sentinel2"]
    assert not flags["mp_mae"].jepa.enabled and not flags["mp_mae"].itc.enabled
    assert flags["mp_jepa"].jepa.enabled and not flags["mp_jepa"].itc.enabled
    assert flags["mp_itc"].itc.enabled and not flags["mp_itc"].jepa.enabled
    assert (
        flags["full"].jepa.enabled and flags["full"].itc.enabled and len(flags["full"].mp.target_keys()) == 6
    )


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_smoke_runs_on_fixture_shards(path: Path, captioned_shards: Path, tmp_path: Path) -> None:
    overrides = {**TINY, "data.shards": [str(captioned_shards)], "run.out_dir": str(tmp_path / "run")}
    if path.stem != "full":  # the full config keeps the real MiniLM text encoder
        overrides["itc.text_encoder"] = "hashing"
    cfg = load_config(path, overrides)
    result = pretrain(cfg, ShardSource(cfg))
    assert result.steps == 2 and result.export_dir is not None
    last = result.history[-1]
    assert all(v == v for v in last.values()), f"NaN in {last}"
    if cfg.itc.enabled:
        assert any(h["itc"] > 0 for h in result.history), "captioned fixture batches must train ITC"
    if cfg.jepa.enabled:
        assert (tmp_path / "run" / "encoder_target" / "encoder.json").is_file()


def test_cli_pretrain_then_embed(captioned_shards: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run"
    args = [
        "pretrain",
        "--config",
        str(REPO / "configs/pretrain/ci_tiny.yaml"),
        "--set",
        f"run.out_dir={out}",
    ]
    args += ["--set", f"data.shards=[{captioned_shards}]", "--set", "optim.steps=2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "encoder exported to" in result.output
    again = runner.invoke(app, args)  # finished run: resumes at the end, trains nothing more
    assert again.exit_code == 0 and "resumed at step 2" in again.output
    tiles = tmp_path / "tiles.parquet"
    result = runner.invoke(
        app, ["embed", str(captioned_shards), "--encoder", str(out / "encoder"), "--out", str(tiles)]
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(tiles)
    assert table.num_rows == 5 and table.schema.field("embedding").type.list_size == 32
    assert "Dense forest on a hillside." in table.column("caption").to_pylist()
    assert b"geomeld_encoder" in table.schema.metadata
    bad = runner.invoke(
        app,
        [
            "pretrain",
            "--config",
            str(REPO / "configs/pretrain/full.yaml"),
            "--set",
            "data.shards=[/nonexistent]",
        ],
    )
    assert bad.exit_code == 1 and "matches no shard" in str(bad.exception)
    bad = runner.invoke(
        app, ["embed", str(captioned_shards), "--encoder", str(tmp_path), "--out", str(tiles)]
    )
    assert bad.exit_code == 1 and "without metadata" in str(bad.exception)
    help_text = runner.invoke(app, ["pretrain", "--help"]).output
    assert "Example" in help_text and "--config" in help_text


def test_resume_on_real_loader_is_exact(captioned_shards: Path, tmp_path: Path) -> None:
    """Interrupt mid-epoch (step 3 of 5, 2 batches per epoch) and resume: same weights as straight
    through, with stochastic depth on (the loader must not draw from the RNG that drives drop-path)."""
    import torch

    def cfg(out: str) -> object:
        return load_config(
            REPO / "configs/pretrain/ci_tiny.yaml",
            {
                "data.shards": [str(captioned_shards)],
                "run.out_dir": str(tmp_path / out),
                "optim.steps": 5,
                "encoder.drop_path": 0.5,
            },
        )

    straight = cfg("straight")
    pretrain(straight, ShardSource(straight))  # type: ignore[arg-type]
    split = cfg("split")
    first = pretrain(split, ShardSource(split), max_steps=3)  # type: ignore[arg-type]
    assert first.steps == 3
    second = pretrain(split, ShardSource(split))  # type: ignore[arg-type]
    assert second.resumed_from == 3
    a = torch.load(tmp_path / "straight" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)
    assert (a["epoch"], a["batch_in_epoch"]) == (b["epoch"], b["batch_in_epoch"]) == (2, 1)
    for k in a["model"]:
        assert torch.allclose(a["model"][k], b["model"][k], atol=1e-6, rtol=1e-5), k
