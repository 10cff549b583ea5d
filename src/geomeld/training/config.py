"""The pretraining config: one YAML file per experiment under ``configs/pretrain/``.

Sections: ``encoder``, ``mask``, ``mp`` (multi-pretext decoders), ``jepa``, ``itc``, ``optim``,
``data``, ``run``. Unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geomeld.core.config import load_model
from geomeld.core.modalities import encoder_input, pretraining_targets
from geomeld.models.convnextv2 import SIZES


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EncoderSettings(_Section):
    size: str = "atto"
    patch_size: int = 16
    input_size: int = 112
    drop_path: float = 0.0
    depths: list[int] | None = None  # override the size (tiny CI models)
    dims: list[int] | None = None

    @model_validator(mode="after")
    def _check(self) -> EncoderSettings:
        if self.size not in SIZES:
            raise ValueError(f"encoder.size {self.size!r} is not one of {list(SIZES)}")
        if self.input_size % self.patch_size:
            raise ValueError(
                f"encoder.input_size {self.input_size} is not a multiple of patch_size {self.patch_size}"
            )
        return self


class MaskSettings(_Section):
    ratio: float = Field(default=0.6, gt=0.0, lt=1.0)


class MPSettings(_Section):
    targets: list[str] | None = None  # None: every pretraining target of the registry
    decoder_dim: int = 512
    decoder_depth: int = 1
    shared_blocks: bool = True
    weighting: Literal["uncertainty", "fixed"] = "uncertainty"
    weights: dict[str, float] = Field(default_factory=dict)
    norm_pix_loss: bool = True  # MAE per-patch target normalisation for the encoder input (S2)

    def target_keys(self) -> list[str]:
        known = [m.key for m in pretraining_targets()]
        if self.targets is None:
            return known
        unknown = [t for t in self.targets if t not in known]
        if unknown:
            raise ValueError(f"mp.targets {unknown} are not pretraining targets of the registry {known}")
        return [k for k in known if k in self.targets]


class JEPASettings(_Section):
    enabled: bool = False
    alpha: float = 1.0
    predictor_dim: int = 128
    predictor_depth: int = 2
    ema_start: float = 0.996
    ema_end: float = 1.0
    target_view: Literal["complement", "full"] = "complement"


class ITCSettings(_Section):
    enabled: bool = False
    beta: float = 1.0
    text_encoder: Literal["minilm", "hashing"] = "minilm"
    hashing_dim: int = 64
    embed_dim: int = 256
    temperature_init: float = 0.07
    # where caption embeddings come from: "precomputed" (default) reads one file per shard written by
    # `geomeld embed-captions` (missing ones are computed once before training, into
    # embeddings_dir or <run.out_dir>/caption_embeddings); "online" runs the text model in the loop
    embeddings: Literal["precomputed", "online"] = "precomputed"
    embeddings_dir: str | None = None  # default: beside the shards
    # β ramps linearly from 0 over these steps (None: optim.warmup_steps; 0: no warm-up). With
    # optim.grad_accum > 1, ITC's negatives are those of one micro-batch (across all ranks), not
    # of the whole optimizer step: raise data.batch_size rather than grad_accum when ITC matters.
    beta_warmup_steps: int | None = Field(default=0, ge=0)
    # gradient balancing: cap β so that ITC's encoder gradient norm is at most `balance` × MP-MAE's,
    # re-measured every run.grad_norms_every steps (None: no cap)
    balance: float | None = Field(default=None, gt=0)
    cache_dir: str | None = None  # online mode only: on-disk cache (default: none, memory LRU only)


class OptimSettings(_Section):
    lr: float | None = None  # absolute LR; None: base_lr × global batch / 256
    base_lr: float = 1.5e-4
    min_lr: float = 0.0
    weight_decay: float = 0.05
    betas: tuple[float, float] = (0.9, 0.95)
    steps: int = 1000
    warmup_steps: int = 100
    grad_accum: int = Field(default=1, ge=1)
    clip_grad: float | None = None


class DataSettings(_Section):
    shards: list[str] = Field(default_factory=list)  # paths or glob patterns
    packs: str | None = (
        None  # a folder of packs (`geomeld pack`): the fast training layout, used instead of shards
    )
    batch_size: int = Field(default=16, ge=1)  # per rank and micro-step
    crop: int | None = None  # default: encoder.input_size
    num_workers: int = 0
    pin_memory: bool = True  # pinned host batches (CUDA only) for asynchronous copies
    persistent_workers: bool = True  # keep loader workers alive across epochs
    shuffle_buffer: int = 256
    stats: str | None = None  # stats JSON; default: stats.json next to the shards, else computed
    stats_max_samples: int | None = 5000  # when the stats are computed on the fly
    layouts: list[str] | None = ["standard"]  # NAIP-subset samples (9-band S2) are excluded by default


class RunSettings(_Section):
    out_dir: str = "runs/pretrain"
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 200
    device: Literal["auto", "cpu", "cuda"] = "auto"
    export: bool = True
    progress: bool = True
    # branch gradient norms (MP-MAE / JEPA / ITC on the encoder) every N steps; 0 = never, None = log_every
    grad_norms_every: int | None = None
    channels_last: bool = False  # NHWC activations (faster convolutions on tensor-core GPUs)
    compile: bool = False  # torch.compile every ConvNeXt block (encoder, decoders, predictor)
    cudnn_benchmark: bool = True  # CUDA only: let cuDNN pick the fastest kernels for fixed shapes


class PretrainConfig(_Section):
    name: str = "geomeld-fm"
    description: str = ""
    encoder: EncoderSettings = EncoderSettings()
    mask: MaskSettings = MaskSettings()
    mp: MPSettings = MPSettings()
    jepa: JEPASettings = JEPASettings()
    itc: ITCSettings = ITCSettings()
    optim: OptimSettings = OptimSettings()
    data: DataSettings = DataSettings()
    run: RunSettings = RunSettings()

    @model_validator(mode="after")
    def _check(self) -> PretrainConfig:
        self.mp.target_keys()
        return self

    @property
    def crop(self) -> int:
        return self.data.crop or self.encoder.input_size

    def model_fingerprint(self) -> str:
        """Hash of everything that shapes the model's parameters (resume refuses a mismatch)."""
        parts = {
            "encoder": self.encoder.model_dump(),
            "mp": self.mp.model_dump(),
            "jepa": self.jepa.model_dump(exclude={"alpha", "ema_start", "ema_end", "target_view"}),
            "itc": self.itc.model_dump(include={"enabled", "text_encoder", "hashing_dim", "embed_dim"}),
            "in_bands": list(encoder_input().band_names),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def load_config(
    path: str | os.PathLike[str], overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> PretrainConfig:
    """Read a YAML config with the core loader (``extends:`` resolved, see :mod:`geomeld.core.config`);
    ``overrides`` maps dotted keys (``optim.steps``) to values, or is a list of ``KEY=VALUE`` strings."""
    return load_model(PretrainConfig, path, overrides, what="pretraining config")
