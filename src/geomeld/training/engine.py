"""The pretraining engine behind ``geomeld pretrain``.

AdamW (no weight decay on biases, norms, GRN γ/β, tokens and scalars), linear warm-up + cosine
schedule, gradient accumulation, bf16 autocast on CUDA only, DDP under ``torchrun`` (NCCL on GPU,
gloo on CPU), EMA target encoder, atomic checkpoints with exact resume (model incl. EMA, optimizer,
scheduler, every rank's RNG, loader position), CSV (+ TensorBoard when installed) logs per loss
term, a progress bar, a non-finite-loss guard that stops with a clear error, and an export of the
trained encoder (``<out_dir>/encoder``; the EMA target encoder in ``<out_dir>/encoder_target``).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import math
import os
import random
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from geomeld.core.distributed import all_reduce_sum, init_from_env, is_distributed, rank, world_size
from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import encoder_input
from geomeld.models.convnextv2 import no_weight_decay
from geomeld.models.export import export_encoder
from geomeld.models.geomeld_fm import GeoMeldFM
from geomeld.models.jepa import ema_momentum, ema_update
from geomeld.models.text import CachedTextEncoder, build_text_encoder, embed_captions
from geomeld.training.batch import Batch, BatchError, batch_size_of, check_batch, to_device
from geomeld.training.config import PretrainConfig
from geomeld.training.data import BatchSource
from geomeld.training.masking import step_mask

log = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_FORMAT = "geomeld-pretrain-checkpoint"
METRICS_FILE = "metrics.csv"


class NonFiniteLossError(GeomeldError, RuntimeError):
    """The loss became NaN/inf: training stops instead of silently training on."""


class CheckpointError(GeomeldError, RuntimeError):
    """A checkpoint is corrupt or was written by a run with another model config."""


@dataclass
class TrainState:
    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0


@dataclass
class PretrainResult:
    out_dir: Path
    steps: int
    history: list[dict[str, float]] = field(default_factory=list)
    export_dir: Path | None = None
    resumed_from: int | None = None


def pick_device(choice: str) -> torch.device:
    if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise RuntimeError("run.device is 'cuda' but no CUDA device is available")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


def setup_distributed(cfg: PretrainConfig) -> torch.device:
    """Pick the device and join the ``torchrun`` process group (idempotent).

    Call it before building a :class:`~geomeld.training.data.ShardSource`, so the loader sees its
    rank and world size and splits the shards between processes.
    """
    device = pick_device(cfg.run.device)
    init_from_env(device)
    return device


def learning_rate(cfg: PretrainConfig) -> float:
    if cfg.optim.lr is not None:
        return cfg.optim.lr
    global_batch = cfg.data.batch_size * cfg.optim.grad_accum * world_size()
    return cfg.optim.base_lr * global_batch / 256


def lr_factor(step: int, cfg: PretrainConfig, peak: float) -> float:
    """Multiplier of the peak LR at ``step``: linear warm-up, then cosine decay to ``min_lr``."""
    o = cfg.optim
    if step < o.warmup_steps:
        return (step + 1) / o.warmup_steps
    span = max(o.steps - o.warmup_steps, 1)
    progress = min((step - o.warmup_steps) / span, 1.0)
    floor = o.min_lr / peak if peak > 0 else 0.0
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def build_optimizer(model: nn.Module, cfg: PretrainConfig) -> tuple[torch.optim.AdamW, float]:
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if no_weight_decay(name, p) else decay).append(p)
    peak = learning_rate(cfg)
    groups = [
        {"params": decay, "weight_decay": cfg.optim.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=peak, betas=cfg.optim.betas), peak


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: Mapping[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _all_ranks(obj: Any) -> list[Any]:
    if not is_distributed():
        return [obj]
    out: list[Any] = [None] * world_size()
    dist.all_gather_object(out, obj)
    return out


def _agree(error: str | None) -> None:
    """Raise on every rank together when any rank hit ``error`` (avoids a hang in the next collective)."""
    flag = all_reduce_sum(torch.tensor(0.0 if error is None else 1.0))
    if float(flag) > 0:
        messages = [e for e in _all_ranks(error) if e]
        raise (NonFiniteLossError if messages and "non-finite" in messages[0] else BatchError)(
            "; ".join(dict.fromkeys(messages)) or "another rank failed"
        )


def save_checkpoint(path: Path, payload: dict[str, Any]) -> None:
    """Atomic ``torch.save`` (temp file in the same folder + ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: Path, cfg: PretrainConfig) -> dict[str, Any]:
    """Read a checkpoint written by this engine; refuse corrupt files and other model configs."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise CheckpointError(
            f"{path}: cannot read checkpoint ({type(exc).__name__}: {exc}); delete it or pass --no-resume"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not a geomeld pretraining checkpoint")
    if payload.get("fingerprint") != cfg.model_fingerprint():
        raise CheckpointError(
            f"{path} was written by a run with another model config (fingerprint {payload.get('fingerprint')} vs "
            f"{cfg.model_fingerprint()}, config {payload.get('config', {}).get('name')!r}); use a new run.out_dir "
            "or pass --no-resume to start over"
        )
    return payload


class _MetricsLog:
    """CSV per loss term (rank 0), plus TensorBoard when ``tensorboard`` is installed."""

    def __init__(self, out_dir: Path, resume_step: int | None) -> None:
        self.path = out_dir / METRICS_FILE
        self.columns: list[str] | None = None
        if resume_step is not None and self.path.is_file():
            with self.path.open(newline="") as f:
                rows = [r for r in csv.DictReader(f) if int(float(r["step"])) <= resume_step]
            if rows:
                self.columns = list(rows[0])
            self._rewrite(rows)
        elif self.path.exists():
            self.path.unlink()
        self.tb: Any = None
        try:
            from torch.utils.tensorboard import SummaryWriter

            self.tb = SummaryWriter(str(out_dir / "tensorboard"))
        except ImportError:
            log.info("tensorboard is not installed: logging to %s only", self.path)

    def _rewrite(self, rows: list[dict[str, str]]) -> None:
        if self.columns is None:
            return
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, self.path)

    def write(self, row: Mapping[str, float]) -> None:
        if self.columns is None:
            self.columns = list(row)
            with self.path.open("w", newline="") as f:
                csv.DictWriter(f, fieldnames=self.columns).writeheader()
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore").writerow(row)
        if self.tb is not None:
            for k, v in row.items():
                if k != "step":
                    self.tb.add_scalar(k, v, int(row["step"]))

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()


class _Batches:
    """Iterates a source across epochs and records the loader position (epoch, batch in epoch)."""

    def __init__(self, source: BatchSource, state: TrainState) -> None:
        self.source = source
        self.state = state
        self._it: Iterator[Batch] = source.epoch(state.epoch, state.batch_in_epoch)

    def next(self) -> Batch:
        batch = next(self._it, None)
        if batch is None:
            self.state.epoch += 1
            self.state.batch_in_epoch = 0
            self._it = self.source.epoch(self.state.epoch)
            batch = next(self._it, None)
            if batch is None:
                raise BatchError(f"the data source yielded no batch in epoch {self.state.epoch}")
        self.state.batch_in_epoch += 1
        return batch


def pretrain(
    cfg: PretrainConfig,
    source: BatchSource,
    *,
    max_steps: int | None = None,
    resume: bool = True,
    text_encoder: CachedTextEncoder | None = None,
) -> PretrainResult:
    """Train GeoMeld-FM for ``cfg.optim.steps`` optimizer steps (or stop early after ``max_steps``)."""
    device = setup_distributed(cfg)
    r, w = rank(), world_size()
    # DDP compares gradient strides with its buckets; depth-wise conv weights (C, 1, 7, 7) differ only
    # on their size-1 axis, which is harmless
    warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")
    out = Path(cfg.run.out_dir)
    if r == 0:
        out.mkdir(parents=True, exist_ok=True)
    total_steps = cfg.optim.steps
    stop = total_steps if max_steps is None else min(total_steps, max_steps)

    text = None
    if cfg.itc.enabled:
        cache = cfg.itc.cache_dir or str(out / "text_cache")
        text = text_encoder or build_text_encoder(cfg.itc.text_encoder, cache, cfg.itc.hashing_dim)
    torch.manual_seed(cfg.run.seed)  # identical initial weights on every rank
    model = GeoMeldFM(cfg, text.dim if text is not None else None).to(device)
    trained: nn.Module = model
    if w > 1:
        from torch.nn.parallel import DistributedDataParallel

        trained = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer, peak_lr = build_optimizer(model, cfg)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, cfg, peak_lr))

    state = TrainState()
    resumed_from: int | None = None
    ckpt_path = out / CHECKPOINT_FILE
    if resume and ckpt_path.is_file():
        payload = load_checkpoint(ckpt_path, cfg)
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        scheduler.load_state_dict(payload["scheduler"])
        state = TrainState(payload["step"], payload["epoch"], payload["batch_in_epoch"])
        rngs = payload["rng"]
        if len(rngs) == w:
            _set_rng_state(rngs[r])
        else:
            log.warning("checkpoint has RNG states for %d ranks, this run has %d: RNG reseeded", len(rngs), w)
            torch.manual_seed(cfg.run.seed + 7919 * r + state.step)
        resumed_from = state.step
        log.info(
            "resumed from %s at step %d (epoch %d, batch %d)",
            ckpt_path,
            state.step,
            state.epoch,
            state.batch_in_epoch,
        )
    else:
        torch.manual_seed(cfg.run.seed + 7919 * r)
        np.random.seed((cfg.run.seed + 7919 * r) % 2**32)
        random.seed(cfg.run.seed + 7919 * r)

    batches = _Batches(source, state)
    metrics = _MetricsLog(out, resumed_from) if r == 0 else None
    result = PretrainResult(out_dir=out, steps=state.step, resumed_from=resumed_from)
    grid = model.encoder.patch_grid(cfg.crop, cfg.crop)
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()
    )
    bar: Any = None
    if r == 0 and cfg.run.progress and state.step < stop:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=stop, initial=state.step, desc=f"pretrain {cfg.name}", unit="step", dynamic_ncols=True
        )
    itc_skips = 0
    model.train()
    t_last, samples_since = time.perf_counter(), 0
    try:
        while state.step < stop:
            step = state.step
            sums: dict[str, float] = {}
            for micro in range(cfg.optim.grad_accum):
                batch = batches.next()
                error = None
                try:
                    check_batch(batch, cfg.crop)
                except BatchError as exc:
                    error = f"step {step}: {exc}"
                _agree(error)
                batch = to_device(batch, device)
                b = batch_size_of(batch)
                mask = step_mask(
                    seed=cfg.run.seed,
                    step=step,
                    global_batch=b * w * cfg.optim.grad_accum,
                    grid=grid,
                    ratio=cfg.mask.ratio,
                    start=(micro * w + r) * b,
                    count=b,
                ).to(device)
                emb = has_text = None
                if text is not None:
                    emb, has_text = embed_captions(text, list(batch.get("caption", [""] * b)))
                    emb, has_text = emb.to(device), has_text.to(device)
                sync = contextlib.nullcontext()
                if w > 1 and micro < cfg.optim.grad_accum - 1:
                    sync = trained.no_sync()  # type: ignore[operator]
                with sync:
                    with autocast:
                        loss, terms = trained(batch, mask, emb, has_text)
                    bad = None
                    if not bool(torch.isfinite(loss)):
                        parts = ", ".join(f"{k}={float(v):.4g}" for k, v in terms.items())
                        bad = (
                            f"non-finite loss at step {step} (rank {r}, tiles {list(batch.get('key', []))[:8]}): "
                            f"{parts}. Lower optim.lr / check the stats file; resume from the last checkpoint"
                        )
                    _agree(bad)
                    (loss / cfg.optim.grad_accum).backward()
                for k, v in terms.items():
                    sums[k] = sums.get(k, 0.0) + float(v) / cfg.optim.grad_accum
                samples_since += b * w
            if w > 1:  # each rank holds its share of the global mean: report the global values
                keys = sorted(sums)
                total = all_reduce_sum(torch.tensor([sums[k] for k in keys], dtype=torch.float64))
                sums = {k: float(v) / w for k, v in zip(keys, total.tolist(), strict=True)}
            if r == 0 and "itc_pairs" in sums and sums["itc_pairs"] * cfg.optim.grad_accum < 2:
                itc_skips += 1
                if itc_skips == 1 or itc_skips % 100 == 0:
                    log.info(
                        "ITC skipped at step %d: fewer than 2 captioned samples in the global batch (%d skips)",
                        step,
                        itc_skips,
                    )
            if cfg.optim.clip_grad is not None:
                sums["grad_norm"] = float(
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.clip_grad)
                )
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()
            momentum = None
            if model.target_encoder is not None:
                momentum = ema_momentum(step, total_steps, cfg.jepa.ema_start, cfg.jepa.ema_end)
                ema_update(model.target_encoder, model.encoder, momentum)
            state.step = step + 1
            row = {
                "step": float(state.step),
                "epoch": float(state.epoch),
                "lr": optimizer.param_groups[0]["lr"],
                **sums,
            }
            if momentum is not None:
                row["ema_momentum"] = momentum
            if model.itc is not None:
                row["temperature"] = model.itc.temperature
            result.history.append(row)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{sums['loss']:.4f}")
            if metrics is not None and (state.step % cfg.run.log_every == 0 or state.step == stop):
                now = time.perf_counter()
                row["samples_per_s"] = samples_since / max(now - t_last, 1e-9)
                t_last, samples_since = now, 0
                metrics.write(row)
            if state.step % cfg.run.checkpoint_every == 0 or state.step == stop:
                _checkpoint(ckpt_path, cfg, model, optimizer, scheduler, state)
    finally:
        if bar is not None:
            bar.close()
        if metrics is not None:
            metrics.close()
    result.steps = state.step
    if cfg.run.export and state.step >= total_steps and r == 0:
        result.export_dir = export_trained(model, out, cfg, source.input_stats())
    if is_distributed():
        dist.barrier()
    return result


def _checkpoint(
    path: Path,
    cfg: PretrainConfig,
    model: GeoMeldFM,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: TrainState,
) -> None:
    rngs = _all_ranks(_rng_state())
    if rank() == 0:
        save_checkpoint(
            path,
            {
                "format": CHECKPOINT_FORMAT,
                "version": 1,
                "fingerprint": cfg.model_fingerprint(),
                "config": cfg.model_dump(mode="json"),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "step": state.step,
                "epoch": state.epoch,
                "batch_in_epoch": state.batch_in_epoch,
                "rng": rngs,
                "world_size": world_size(),
            },
        )
    if is_distributed():
        dist.barrier()


def export_trained(model: GeoMeldFM, out: Path, cfg: PretrainConfig, stats: Mapping[str, Any]) -> Path:
    """Export the online encoder to ``out/encoder`` (and the EMA target encoder to ``out/encoder_target``)."""
    m = encoder_input()
    config = cfg.model_dump(mode="json")
    common = {
        "band_names": list(m.band_names),
        "stats": stats,
        "config": config,
        "input_size": cfg.encoder.input_size,
    }
    path = export_encoder(model.encoder, out / "encoder", **common, extra={"which": "online"})  # type: ignore[arg-type]
    if model.target_encoder is not None:
        export_encoder(model.target_encoder, out / "encoder_target", **common, extra={"which": "ema_target"})  # type: ignore[arg-type]
    log.info("exported encoder to %s", path)
    return path
