"""The evaluation config (YAML under ``configs/eval/``), validated with pydantic."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from geomeld.evaluation.bands import MissingBands


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EncoderConfig(_Strict):
    name: str
    kind: Literal["export", "random_init"]
    path: str | None = None  # export directory (encoder.json + encoder.safetensors)
    size: str = "atto"  # random_init
    input_size: int = 112
    patch_size: int = 16
    checkpoint: str | None = None  # full pretraining checkpoint (retrieval: ITC heads)

    @model_validator(mode="after")
    def _need_path(self) -> EncoderConfig:
        if self.kind == "export" and not self.path:
            raise ValueError(
                f"encoder {self.name!r}: kind 'export' needs path (the exported encoder directory)"
            )
        return self


class TaskConfig(_Strict):
    name: str
    source: Literal["minibench", "geobench", "pixel"]
    protocols: list[Literal["lp", "ft"]] = Field(default_factory=lambda: ["lp", "ft"])  # type: ignore[arg-type]
    benchmark: str | None = None  # geobench: e.g. classification_v1.0
    partition: str = "default"
    root: str | None = None  # geobench root (default $GEO_BENCH_DIR)
    path: str | None = None  # explicit task folder
    max_samples: int | None = None  # per split, for quick runs

    @model_validator(mode="after")
    def _need_benchmark(self) -> TaskConfig:
        if self.source == "geobench" and not (self.benchmark or self.path):
            raise ValueError(
                f"task {self.name!r}: a geobench task needs benchmark (e.g. classification_v1.0) or path"
            )
        return self


class TrainSettings(_Strict):
    """Training settings shared by every protocol (the ``train:`` section)."""

    lp_epochs: int = 100
    ft_epochs: int = 20
    patience: int = 10  # early stopping: epochs without a better validation score
    batch_size: int = 16
    eval_batch_size: int = 32
    lp_lr: float = 1e-2
    ft_lr: float = 2e-4
    head_lr: float = 1e-3
    weight_decay: float = 1e-4  # linear probes
    ft_weight_decay: float = 0.05
    layer_decay: float = 0.9  # MMEarth fine-tuning default
    label_smoothing: float = 0.2  # single-label classification only (MMEarth default)
    warmup_fraction: float = 0.1  # linear warm-up then cosine decay (fine-tuning)
    device: str = "cpu"  # "cuda" (or "cuda:1") for GEO-Bench-sized runs


class RobustnessConfig(_Strict):
    tasks: list[str] = Field(default_factory=list)
    protocol: Literal["lp", "ft"] = "lp"
    noise_dn: float = 100.0
    missing_band: str = "B8"


class RetrievalConfig(_Strict):
    shards: list[str] = Field(default_factory=list)
    held_out_fraction: float = 0.2
    text_model: str = "all-MiniLM-L6-v2"


class EvalConfig(_Strict):
    name: str
    seeds: list[int] = Field(default_factory=lambda: [0])
    missing_bands: MissingBands = MissingBands.DUPLICATE
    baselines: list[Literal["raw_bands"]] = Field(default_factory=lambda: ["raw_bands"])  # type: ignore[arg-type]
    encoders: list[EncoderConfig] = Field(default_factory=list)
    tasks: list[TaskConfig]
    train: TrainSettings = Field(default_factory=TrainSettings)
    robustness: RobustnessConfig | None = None
    retrieval: RetrievalConfig | None = None
    n_bootstrap: int = 1000
    output: str = "runs/eval"
    threads: int | None = None

    @classmethod
    def load(cls, path: str | Path) -> EvalConfig:
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"eval config {p} not found; see configs/eval/ for examples") from None
        if not isinstance(data, dict):
            raise ValueError(f"{p}: an eval config is a YAML mapping")
        return cls.model_validate(data)
