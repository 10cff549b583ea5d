"""Two-process gloo DDP equals one process with the same global batch (MP-MAE + JEPA + ITC)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch
import torch.multiprocessing as mp

from geomeld.training.batch import synthetic_batch
from geomeld.training.config import PretrainConfig
from geomeld.training.data import ListSource

STATS = {"mean": [0.0] * 12, "std": [1.0] * 12}
CAPTIONS = ["dense forest", "city blocks", "", "cropland", "a lake", "bare rock", "snow", "wetland"]


def _config(out_dir: Path, batch_size: int) -> PretrainConfig:
    return PretrainConfig.model_validate(
        {
            "encoder": {"size": "atto", "depths": [1, 1, 1, 1], "dims": [8, 16, 24, 32], "input_size": 32},
            "mp": {"decoder_dim": 16},
            "jepa": {"enabled": True, "predictor_dim": 8, "predictor_depth": 1},
            "itc": {"enabled": True, "text_encoder": "hashing", "hashing_dim": 16, "embed_dim": 8},
            "optim": {"lr": 2e-3, "steps": 3, "warmup_steps": 1},
            "data": {"batch_size": batch_size},
            "run": {"out_dir": str(out_dir), "log_every": 1, "checkpoint_every": 100, "progress": False},
        }
    )


def _global_batches() -> list[dict]:
    # sample no-data and absent-sample patterns differ between the ranks' halves on purpose
    return [
        synthetic_batch(8, 32, seed=i, captions=CAPTIONS, nodata_fraction=0.2 + 0.1 * i) for i in range(2)
    ]


def _slice(batch: dict, start: int, stop: int) -> dict:
    return {k: v[start:stop] for k, v in batch.items()}


def _worker(rank: int, world: int, port: int, out_dir: str) -> None:
    os.environ.update(
        {
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            "RANK": str(rank),
            "WORLD_SIZE": str(world),
            "LOCAL_RANK": str(rank),
        }
    )
    torch.set_num_threads(1)
    from geomeld.training.engine import pretrain

    local = [_slice(b, rank * 4, rank * 4 + 4) for b in _global_batches()]
    pretrain(_config(Path(out_dir), 4), ListSource(local, STATS), resume=False)
    torch.distributed.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_rank_gloo_ddp_equals_one_process(tmp_path: Path) -> None:
    from geomeld.training.engine import pretrain

    # Same intra-op thread count as the ranks: Adam normalises tiny gradients, so a different
    # reduction order (more threads) can move near-zero-gradient weights by more than the tolerance.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        pretrain(_config(tmp_path / "single", 8), ListSource(_global_batches(), STATS), resume=False)
    finally:
        torch.set_num_threads(threads)
    mp.spawn(_worker, args=(2, _free_port(), str(tmp_path / "ddp")), nprocs=2, join=True)
    a = torch.load(tmp_path / "single" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "ddp" / "checkpoint.pt", weights_only=False)
    assert b["world_size"] == 2 and len(b["rng"]) == 2
    for k in a["model"]:
        assert torch.allclose(a["model"][k], b["model"][k], atol=2e-6, rtol=1e-4), k
