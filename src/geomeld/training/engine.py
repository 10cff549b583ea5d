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
from torch import Tensor, nn

from geomeld.core.distributed import all_reduce_sum, init_from_env, is_distributed, rank, world_size
from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import encoder_input
from geomeld.core.version import code_version
from geomeld.models.convnextv2 import no_weight_decay
from geomeld.models.export import export_encoder
from geomeld.models.geomeld_fm import GeoMeldFM
from geomeld.models.jepa import ema_momentum, ema_update
from geomeld.models.text import TextEncoder, build_text_encoder, embed_captions
from geomeld.training.batch import (
    Batch,
    BatchError,
    batch_size_of,
    check_batch_shapes,
    finite_flags,
    to_device,
)
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


def skips_weight_decay(name: str, param: torch.Tensor) -> bool:
    """No weight decay on biases, norms, GRN γ/β, scalars and any learned token (the decoders' mask
    tokens live in a ParameterDict, ``decoders.mask_token.<modality>``, so the name's last part is
    the modality, not ``token``)."""
    return no_weight_decay(name, param) or any("token" in part for part in name.split("."))


def build_optimizer(model: nn.Module, cfg: PretrainConfig) -> tuple[torch.optim.AdamW, float]:
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if skips_weight_decay(name, p) else decay).append(p)
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
        self._it: Iterator[Batch] = self._open(state.epoch, state.batch_in_epoch)

    def _open(self, epoch: int, skip: int = 0) -> Iterator[Batch]:
        # A DataLoader draws its base seed from the global torch RNG when an epoch starts, and a
        # resumed run opens its epoch at another point of that stream: keep the global RNG (which
        # drives drop-path) out of it, so that resume is exact with stochastic depth too.
        with torch.random.fork_rng(devices=[]):
            return self.source.epoch(epoch, skip)

    def next(self) -> Batch:
        with torch.random.fork_rng(devices=[]):
            batch = next(self._it, None)
        if batch is None:
            self.state.epoch += 1
            self.state.batch_in_epoch = 0
            self._it = self._open(self.state.epoch)
            with torch.random.fork_rng(devices=[]):
                batch = next(self._it, None)
            if batch is None:
                raise BatchError(f"the data source yielded no batch in epoch {self.state.epoch}")
        self.state.batch_in_epoch += 1
        return batch


def beta_scale(step: int, cfg: PretrainConfig) -> float:
    """β warm-up: ITC's weight ramps linearly from 0 to ``itc.beta`` over ``itc.beta_warmup_steps``."""
    n = cfg.optim.warmup_steps if cfg.itc.beta_warmup_steps is None else cfg.itc.beta_warmup_steps
    return 1.0 if n <= 0 else min(1.0, (step + 1) / n)


def branch_grad_norms(model: GeoMeldFM) -> dict[str, Tensor]:
    """L2 norm of each weighted branch loss's gradient on the online encoder (MP-MAE, JEPA, ITC).

    Called after a forward, before its backward (the graph is kept). Costs one extra backward per
    branch, so the engine does it every ``run.grad_norms_every`` steps only. Every rank calls it (the
    ITC all-gather has a collective in its backward); the norms are this rank's.
    """
    params = [p for p in model.encoder.parameters() if p.requires_grad]
    out: dict[str, Tensor] = {}
    for name, loss in model.branch_losses.items():
        if not loss.requires_grad:
            continue
        grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
        sq = [g.float().pow(2).sum() for g in grads if g is not None]
        out[f"grad_norm/{name}"] = torch.stack(sq).sum().sqrt() if sq else torch.zeros((), device=loss.device)
    return out


def _balanced_beta(
    norms: Mapping[str, Tensor], beta_now: float, ratio: float, previous: float | None
) -> float | None:
    """The largest β for which ITC's encoder gradient is at most ``ratio`` × MP-MAE's (``itc.balance``).

    ``norms`` were measured with ITC weighted by ``beta_now``; the gradient is linear in β, so
    ``β_cap = ratio · ‖g_mp‖ / (‖g_itc‖ / β_now)``. Averaged over ranks so that all agree; reads two
    numbers from the device (only on the steps that measure branch norms).
    """
    vals = (
        all_reduce_sum(torch.stack([norms["grad_norm/mp"], norms["grad_norm/itc"]]).double()) / world_size()
    )
    g_mp, g_itc = (float(v) for v in vals.tolist())
    if beta_now <= 0 or g_itc <= 0 or not math.isfinite(g_itc) or not math.isfinite(g_mp):
        return previous
    return ratio * g_mp / (g_itc / beta_now)


def prepare_model(model: GeoMeldFM, cfg: PretrainConfig, device: torch.device) -> None:
    """GPU-friendly options: channels_last weights, compiled blocks, cuDNN autotuning."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = cfg.run.cudnn_benchmark
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if cfg.run.channels_last:
        model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    if cfg.run.compile:
        from geomeld.models.convnextv2 import Block

        for module in model.modules():
            if isinstance(module, Block):
                module.compile(dynamic=False)


def to_channels_last(batch: Batch) -> Batch:
    return {
        k: (v.contiguous(memory_format=torch.channels_last) if isinstance(v, Tensor) and v.ndim == 4 else v)
        for k, v in batch.items()
    }


def _host_mask(mask: Tensor, device: torch.device) -> Tensor:
    if device.type == "cuda":  # pinned + non_blocking: no host sync for the copy
        return mask.pin_memory().to(device, non_blocking=True)
    return mask.to(device)


def pretrain(
    cfg: PretrainConfig,
    source: BatchSource,
    *,
    max_steps: int | None = None,
    resume: bool = True,
    text_encoder: TextEncoder | None = None,
) -> PretrainResult:
    """Train GeoMeld-FM for ``cfg.optim.steps`` optimizer steps (or stop early after ``max_steps``).

    Caption embeddings come with the batch (``caption_embedding`` / ``has_caption``, from the files
    of ``geomeld embed-captions``); only batches without them are embedded in the loop, by
    ``text_encoder`` or the config's (a warning says so). The loop never waits for the GPU except
    every ``run.log_every`` steps (and at checkpoints), where losses are read, batches and losses
    are checked for non-finite values on the device, and a row is logged.
    """
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

    text: TextEncoder | None = None
    text_dim: int | None = None
    if cfg.itc.enabled:
        text_dim = getattr(source, "caption_dim", None)
        if text_dim is None:
            text = text_encoder or build_text_encoder(
                cfg.itc.text_encoder, cfg.itc.cache_dir, cfg.itc.hashing_dim
            )
            text_dim = text.dim
            if cfg.itc.text_encoder != "hashing" and text_encoder is None:
                log.warning(
                    "ITC: the batches carry no caption embeddings, so %s runs in the training loop; "
                    "precompute them with `geomeld embed-captions` (itc.embeddings: precomputed)",
                    text.name,
                )
        else:
            text = text_encoder
    torch.manual_seed(cfg.run.seed)  # identical initial weights on every rank
    model = GeoMeldFM(cfg, text_dim).to(device)
    prepare_model(model, cfg, device)
    trained: nn.Module = model
    if w > 1:
        from torch.nn.parallel import DistributedDataParallel

        trained = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer, peak_lr = build_optimizer(model, cfg)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, cfg, peak_lr))

    state = TrainState()
    resumed_from: int | None = None
    beta_cap: float | None = (
        None  # ITC gradient balancing: the largest β that keeps ITC ≤ itc.balance × MP-MAE
    )
    ckpt_path = out / CHECKPOINT_FILE
    if resume and ckpt_path.is_file():
        payload = load_checkpoint(ckpt_path, cfg)
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
        scheduler.load_state_dict(payload["scheduler"])
        state = TrainState(payload["step"], payload["epoch"], payload["batch_in_epoch"])
        check = getattr(source, "check_resume", None)
        if check is not None:
            check(payload.get("data"))
        rngs = payload["rng"]
        if len(rngs) == w:
            _set_rng_state(rngs[r])
        else:
            log.warning("checkpoint has RNG states for %d ranks, this run has %d: RNG reseeded", len(rngs), w)
            torch.manual_seed(cfg.run.seed + 7919 * r + state.step)
        resumed_from = state.step
        beta_cap = payload.get("itc_beta_cap")
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
    norms_every = cfg.run.log_every if cfg.run.grad_norms_every is None else cfg.run.grad_norms_every
    first_step = state.step
    window = _Window(device)
    finish = getattr(source, "on_device", None)
    itc_skips = 0
    model.train()
    t_last, samples_since = time.perf_counter(), 0
    try:
        while state.step < stop:
            step = state.step
            model.beta_scale = beta_scale(step, cfg)
            if beta_cap is not None and cfg.itc.beta > 0:
                model.beta_scale = min(model.beta_scale, beta_cap / cfg.itc.beta)
            lr = optimizer.param_groups[0]["lr"]  # the LR this step's update uses
            want_norms = norms_every > 0 and (step + 1) % norms_every == 0
            balance = cfg.itc.balance if model.itc is not None else None
            if balance is not None and (
                (step == first_step and beta_cap is None) or (step + 1) % max(norms_every, 1) == 0
            ):
                want_norms = True
            for micro in range(cfg.optim.grad_accum):
                batch = to_device(batches.next(), device)
                if finish is not None:  # packs: crop / normalise / masks on the device
                    batch = finish(batch)
                try:
                    check_batch_shapes(batch, cfg.crop)  # shapes only: no values, no device sync
                except BatchError as exc:
                    raise BatchError(f"step {step}: {exc}") from exc
                if cfg.run.channels_last:
                    batch = to_channels_last(batch)
                window.keys.append(list(batch.get("key", []))[:8])
                window.check(finite_flags(batch))
                b = batch_size_of(batch)
                mask = _host_mask(
                    step_mask(
                        seed=cfg.run.seed,
                        step=step,
                        global_batch=b * w * cfg.optim.grad_accum,
                        grid=grid,
                        ratio=cfg.mask.ratio,
                        start=(micro * w + r) * b,
                        count=b,
                    ),
                    device,
                )
                emb = has_text = None
                if model.itc is not None:
                    if "caption_embedding" in batch:
                        emb, has_text = batch["caption_embedding"], batch["has_caption"]
                    else:
                        assert text is not None
                        emb, has_text = embed_captions(text, list(batch.get("caption", [""] * b)))
                        emb, has_text = emb.to(device), has_text.to(device)
                sync = contextlib.nullcontext()
                if w > 1 and micro < cfg.optim.grad_accum - 1:
                    sync = trained.no_sync()  # type: ignore[operator]
                with sync:
                    with autocast:
                        loss, terms = trained(batch, mask, emb, has_text)
                    window.loss_ok(loss)
                    if want_norms and micro == cfg.optim.grad_accum - 1:
                        norms = branch_grad_norms(model)
                        for k, v in norms.items():
                            window.add(k, v)
                        if balance is not None and "grad_norm/itc" in norms:
                            beta_cap = _balanced_beta(
                                norms, cfg.itc.beta * model.beta_scale, balance, beta_cap
                            )
                    (loss / cfg.optim.grad_accum).backward()
                for k, v in terms.items():
                    window.add(k, v, 1.0 / cfg.optim.grad_accum)
                samples_since += b * w
            if cfg.optim.clip_grad is not None:
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.clip_grad)
                window.add("grad_norm", norm)
                window.add("clipped", (norm > cfg.optim.clip_grad).float())  # share of clipped steps
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            scheduler.step()
            momentum = None
            if model.target_encoder is not None:
                momentum = ema_momentum(step, total_steps, cfg.jepa.ema_start, cfg.jepa.ema_end)
                ema_update(model.target_encoder, model.encoder, momentum)
            state.step = step + 1
            window.steps += 1
            if bar is not None:
                bar.update(1)
            checkpoint_now = state.step % cfg.run.checkpoint_every == 0 or state.step == stop
            if state.step % cfg.run.log_every == 0 or checkpoint_now:
                # the only host sync of the loop: read the window, check it, log it
                sums = window.read(step, r, cfg.optim.grad_accum)
                row = {"step": float(state.step), "epoch": float(state.epoch), "lr": lr, **sums}
                if cfg.itc.enabled:
                    row["beta"] = cfg.itc.beta * model.beta_scale
                    if beta_cap is not None:
                        row["itc_beta_cap"] = beta_cap
                if momentum is not None:
                    row["ema_momentum"] = momentum
                if model.itc is not None:
                    row["temperature"] = model.itc.temperature
                skipped = round(sums.pop("itc_skipped", 0.0) * window.last_steps)
                if r == 0 and skipped:
                    itc_skips += skipped
                    log.info(
                        "ITC skipped at step %d: %d of the last %d steps had fewer than 2 captioned samples "
                        "in the global batch (%d skips in all)",
                        step,
                        skipped,
                        window.last_steps,
                        itc_skips,
                    )
                result.history.append(row)
                if bar is not None:
                    bar.set_postfix(loss=f"{sums['loss']:.4f}")
                if metrics is not None:
                    now = time.perf_counter()
                    row["samples_per_s"] = samples_since / max(now - t_last, 1e-9)
                    t_last, samples_since = now, 0
                    metrics.write(row)
            if checkpoint_now:
                _checkpoint(ckpt_path, cfg, model, optimizer, scheduler, state, source, beta_cap)
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


class _Window:
    """Device-side accumulators between two log points: loss terms, finiteness flags, batch keys."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.totals: dict[str, Tensor] = {}
        self.counts: dict[str, float] = {}
        self.bad_batch: dict[str, Tensor] = {}
        self.bad_loss: Tensor | None = None
        self.keys: list[list[str]] = []
        self.steps = 0
        self.last_steps = 0

    def add(self, key: str, value: Tensor, weight: float = 1.0) -> None:
        """Accumulate ``weight · value`` (weight 1/grad_accum for micro-batch terms: a step counts 1)."""
        v = value.detach().to(self.device, torch.float64) * weight
        self.totals[key] = self.totals[key] + v if key in self.totals else v
        self.counts[key] = self.counts.get(key, 0.0) + weight
        if key == "itc_pairs":  # a micro-batch whose global batch had < 2 captions trains no ITC
            self.add("itc_skipped", (value.detach() < 2).to(torch.float64), weight)

    def check(self, flags: dict[str, Tensor]) -> None:
        for k, ok in flags.items():
            bad = ~ok
            self.bad_batch[k] = self.bad_batch[k] | bad if k in self.bad_batch else bad

    def loss_ok(self, loss: Tensor) -> None:
        bad = ~torch.isfinite(loss.detach())
        self.bad_loss = bad if self.bad_loss is None else self.bad_loss | bad

    def read(self, step: int, r: int, grad_accum: int) -> dict[str, float]:
        """Check the window (raises like the old per-step checks, on every rank together) and return
        the mean of every term over its steps, averaged over ranks."""
        keys = sorted(self.totals)
        flags = [self.bad_batch[k] for k in sorted(self.bad_batch)]
        bad_loss = (
            self.bad_loss
            if self.bad_loss is not None
            else torch.zeros((), dtype=torch.bool, device=self.device)
        )
        vec = torch.stack(
            [self.totals[k] for k in keys]
            + [f.to(torch.float64) for f in flags]
            + [bad_loss.to(torch.float64)]
        )
        local = vec.tolist()  # the host sync
        n_terms, n_flags = len(keys), len(flags)
        first = step - self.steps + 1
        batch_error = next(
            (
                f"step {first}…{step}: batch[{k!r}] contains NaN/inf (tiles {self.keys[:4]}); the loader must "
                "set no-data to 0.0 and mark it in the *_valid mask"
                for k, v in zip(sorted(self.bad_batch), local[n_terms : n_terms + n_flags], strict=True)
                if v
            ),
            None,
        )
        loss_error = None
        if local[-1] and batch_error is None:
            parts = ", ".join(f"{k}={local[i] / max(self.counts[k], 1e-12):.4g}" for i, k in enumerate(keys))
            loss_error = (
                f"non-finite loss at step {first} (rank {r}, steps {first}…{step}, tiles {self.keys[:4]}): "
                f"{parts}. Lower optim.lr / check the stats file; resume from the last checkpoint"
            )
        _agree(batch_error or loss_error)
        total = all_reduce_sum(torch.tensor(local[:n_terms], dtype=torch.float64)) / world_size()
        out = {k: float(v) / max(self.counts[k], 1e-12) for k, v in zip(keys, total.tolist(), strict=True)}
        self.last_steps = self.steps
        self.totals, self.counts, self.bad_batch, self.bad_loss, self.keys, self.steps = (
            {},
            {},
            {},
            None,
            [],
            0,
        )
        return out


def _checkpoint(
    path: Path,
    cfg: PretrainConfig,
    model: GeoMeldFM,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    state: TrainState,
    source: Any = None,
    beta_cap: float | None = None,
) -> None:
    rngs = _all_ranks(_rng_state())
    signature = getattr(source, "resume_signature", None)
    if rank() == 0:
        save_checkpoint(
            path,
            {
                "format": CHECKPOINT_FORMAT,
                "version": 1,
                "code_version": code_version(),
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
                "data": signature() if signature is not None else None,
                "itc_beta_cap": beta_cap,
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
