"""Packs (the training cache): same batches as the shard loader, compact host batches, exact resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.io.loader import make_loader
from geomeld.io.pack import PackError, pack_shards, read_pack_meta
from geomeld.io.packed import DeviceNorm, finish_batch, make_packed_loader
from geomeld.io.stats import NormStats, compute_stats, write_stats
from geomeld.models.text import HashingTextEncoder

REPO = Path(__file__).resolve().parents[2]
SHARDS = sorted((REPO / "tests" / "data" / "geomeld_shards").glob("*.tar"))


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], NormStats]:
    out = tmp_path_factory.mktemp("packs")
    done = pack_shards(SHARDS, out, text_encoder=HashingTextEncoder(16), layouts=None)
    stats = compute_stats(SHARDS, max_samples=50)
    write_stats(stats, out / "stats.json")
    return done, NormStats.from_json(out / "stats.json")


def test_packed_batches_equal_the_shard_loader(packs: tuple[list[Path], NormStats]) -> None:
    folders, stats = packs
    meta = read_pack_meta(folders[0])
    assert meta["text_encoder"] == "hashing-16" and meta["bytes_per_sample"] < 900_000
    ld = make_packed_loader(folders, batch_size=5, crop="center", shuffle=False)
    host = next(iter(ld))
    assert host["sentinel2"].dtype == torch.float16 and host["esa_worldcover"].dtype == torch.uint8
    assert host["caption_embedding"].dtype == torch.float16
    keys = ld.dataset.keys_mod
    got = finish_batch(host, DeviceNorm(stats, keys, torch.device("cpu")), 112, keys)
    ref = next(iter(make_loader(SHARDS, batch_size=5, stats=stats, crop="center", shuffle=False)))
    order = [ref["key"].index(k) for k in got["key"]]
    for k, v in got.items():
        if k in ("key", "caption_embedding", "has_caption"):
            continue
        r = ref[k][order]
        assert v.dtype == r.dtype and v.shape == r.shape, k
        if v.is_floating_point():
            # fp16 storage: 11 significant bits (the fixture values round-trip exactly)
            assert torch.allclose(v, r, atol=1e-3, rtol=1e-3), k
        else:
            assert torch.equal(v, r), k


def test_resume_skips_by_index_and_any_worker_count_is_exact(packs: tuple[list[Path], NormStats]) -> None:
    folders, _ = packs
    ld = make_packed_loader(folders, batch_size=2, seed=3)
    ld.set_epoch(1)
    straight = [b["key"] for b in ld]
    assert len(straight) == len(ld) >= 2
    again = make_packed_loader(folders, batch_size=2, seed=3, num_workers=1)
    again.load_state_dict({**ld.state_dict(), "epoch": 1, "batches": 1})
    assert [b["key"] for b in again] == straight[1:]
    with pytest.raises(ValueError, match="seed"):
        again.load_state_dict({**ld.state_dict(), "seed": 4})


def test_opening_an_epoch_does_not_touch_the_global_rng(packs: tuple[list[Path], NormStats]) -> None:
    folders, _ = packs
    ld = make_packed_loader(folders, batch_size=2)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    next(iter(ld))
    assert torch.equal(before, torch.get_rng_state())


def test_bad_pack_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.pack").mkdir()
    with pytest.raises(PackError, match="not a geomeld pack"):
        make_packed_loader([tmp_path], batch_size=1)


def test_pretrain_on_packs_resumes_exactly_with_drop_path(
    packs: tuple[list[Path], NormStats], tmp_path: Path
) -> None:
    from geomeld.training.config import load_config
    from geomeld.training.data import make_source
    from geomeld.training.engine import pretrain

    folders, _ = packs

    def cfg(out: str) -> object:
        return load_config(
            REPO / "configs/pretrain/ci_tiny.yaml",
            {
                "data.packs": str(folders[0].parent),
                "itc.hashing_dim": 16,
                "run.out_dir": str(tmp_path / out),
                "optim.steps": 5,
                "encoder.drop_path": 0.5,
            },
        )

    straight = cfg("straight")
    pretrain(straight, make_source(straight))  # type: ignore[arg-type]
    split = cfg("split")
    assert pretrain(split, make_source(split), max_steps=3).steps == 3  # type: ignore[arg-type]
    second = pretrain(split, make_source(split))  # type: ignore[arg-type]
    assert second.resumed_from == 3
    a = torch.load(tmp_path / "straight" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k


def test_cli_pack(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    shutil.copy(SHARDS[0], shards / SHARDS[0].name)
    result = CliRunner().invoke(
        app, ["pack", str(shards), "--out", str(tmp_path / "p"), "--text-encoder", "hashing"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / f"{SHARDS[0].stem}.pack" / "meta.json").is_file()
