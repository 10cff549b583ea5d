"""The evaluation config (YAML under ``configs/eval/``), validated with pydantic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geomeld.evaluation.bands import MissingBands


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EncoderConfig(_Strict):
    name: str
    kind: Literal["export", "random_init", "imported"]
    path: str | None = (
        None  # export directory (encoder.json + encoder.safetensors); imported: the weights file
    )
    layout: Literal["auto", "timm", "fcmae", "mmearth"] = "auto"  # imported: checkpoint layout
    stem: Literal["auto", "mmearth"] = "auto"  # imported: "mmearth" loads MMEarth's own two-layer stem
    band_names: list[str] | None = None  # imported: the encoder's input bands (default: the registry's 12)
    size: str = "atto"  # random_init
    input_size: int = 112
    patch_size: int = 16
    checkpoint: str | None = None  # full pretraining checkpoint (retrieval: ITC heads)

    @model_validator(mode="after")
    def _need_path(self) -> EncoderConfig:
        if self.kind in ("export", "imported") and not self.path:
            raise ValueError(
                f"encoder {self.name!r}: kind {self.kind!r} needs path (the exported encoder directory or weights file)"
            )
        return self


Protocol = Literal["lp", "ft", "knn"]


class TaskConfig(_Strict):
    name: str  # GEO-Bench folder name or an alias (the paper's names: Cashew1K, SAcrop3K, …)
    source: Literal["minibench", "geobench", "pixel"]
    protocols: list[Protocol] = Field(default_factory=lambda: ["lp", "ft"])  # type: ignore[arg-type]
    benchmark: str | None = None  # geobench: e.g. classification_v1.0 (known for the paper's tasks)
    partition: str = "default"
    root: str | None = None  # geobench root (default $GEO_BENCH_DIR)
    path: str | None = None  # explicit task folder
    max_samples: int | None = None  # per split, for quick runs
    label_fractions: list[float] = Field(
        default_factory=lambda: [1.0]
    )  # of the training split (1 %, 10 %, 100 %)

    @model_validator(mode="after")
    def _need_benchmark(self) -> TaskConfig:
        from geomeld.evaluation.geobench import BENCHMARK_OF, canonical_task

        if self.source == "geobench" and not (
            self.benchmark or self.path or canonical_task(self.name) in BENCHMARK_OF
        ):
            raise ValueError(
                f"task {self.name!r}: a geobench task needs benchmark (e.g. classification_v1.0) or path"
            )
        bad = [f for f in self.label_fractions if not 0 < f <= 1]
        if bad:
            raise ValueError(f"task {self.name!r}: label_fractions must lie in (0, 1], got {bad}")
        return self


class TrainSettings(_Strict):
    """Training settings shared by every protocol (the ``train:`` section)."""

    lp_epochs: int = 100
    ft_epochs: int = 20
    patience: int = 10  # early stopping: epochs without a better validation score
    batch_size: int = 16
    eval_batch_size: int = 32
    lp_lr: float = 1e-2
    lp_lrs: list[float] = Field(default_factory=lambda: [1e-3, 1e-2, 1e-1])  # swept; best on validation
    knn_k: int = 20
    ft_lr: float = 2e-4
    head_lr: float = 1e-3
    weight_decay: float = 1e-4  # linear probes
    ft_weight_decay: float = 0.05
    layer_decay: float = 0.9  # MMEarth fine-tuning default
    label_smoothing: float = 0.2  # single-label classification only (MMEarth default)
    warmup_fraction: float = 0.1  # linear warm-up then cosine decay (fine-tuning)
    device: str = "cpu"  # "cuda" (or "cuda:1") for GEO-Bench-sized runs; falls back to CPU with a warning
    workers: int = 0
    """DataLoader worker processes reading and preparing fine-tuning batches (0: in the main process,
    best on a CPU, where workers compete with the training step for the same cores; use 4-8 on a GPU
    machine: configs/eval/geobench.yaml sets 4)."""


class RobustnessConfig(_Strict):
    tasks: list[str] = Field(default_factory=list)
    protocol: Literal["lp", "ft"] = "lp"
    noise_dn: float = 100.0
    missing_band: str = "B8"
    s1_looks: float = 4.0  # Sentinel-1 speckle condition (tasks with S1 bands): Gamma(L, 1/L) noise


class RetrievalConfig(_Strict):
    shards: list[str] = Field(default_factory=list)
    held_out_fraction: float = 0.2
    # no text_model setting: each encoder is scored with the text encoder of its own pretraining
    # checkpoint (the one its ITC head was trained with); a setting that changed nothing was removed


class EvalConfig(_Strict):
    name: str
    seeds: list[int] = Field(default_factory=lambda: [0])  # fine-tuning
    lp_seeds: list[int] = Field(default_factory=lambda: [0, 1, 2])  # linear/k-NN probes and baselines
    normalisation: Literal["task", "encoder"] = "task"
    """``task``: each task's own statistics (GEO-Bench ``band_stats.json``; the training split where a task
    has none), as MMEarth and GEO-Bench do; ``encoder``: the encoder's exported statistics (refused when
    their units do not fit the task). Random-init encoders always use the task's. Recorded per task."""
    cache: bool = True  # pack each GEO-Bench split once into memory-mapped arrays under cache_dir
    cache_dir: str | None = None  # default <output>/cache
    missing_bands: MissingBands = MissingBands.DUPLICATE
    baselines: list[Literal["raw_bands", "raw_bands_s1"]] = Field(default_factory=lambda: ["raw_bands"])  # type: ignore[arg-type]
    """``raw_bands``: per-band statistics of the S2 bands + logistic regression; ``raw_bands_s1``: the
    same with the task's Sentinel-1 bands too (tasks with S1 only; the model the S1 robustness
    conditions are measured on, since geomeld encoders read Sentinel-2 only)."""
    encoders: list[EncoderConfig] = Field(default_factory=list)
    tasks: list[TaskConfig]
    train: TrainSettings = Field(default_factory=TrainSettings)
    robustness: RobustnessConfig | None = None
    retrieval: RetrievalConfig | None = None
    n_bootstrap: int = 1000
    output: str = "runs/eval"
    threads: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _device_shorthand(cls, data: Any) -> Any:
        """A top-level ``device`` (``--set device=cpu``) is shorthand for ``train.device``."""
        if isinstance(data, dict) and "device" in data:
            data = dict(data)
            train = dict(data.get("train") or {})
            train["device"] = data.pop("device")
            data["train"] = train
        return data

    @classmethod
    def load(cls, path: str | Path, overrides: Mapping[str, Any] | Iterable[str] | None = None) -> EvalConfig:
        """Read an eval config with the core loader (``extends:``, ``--set`` overrides; see configs/eval/)."""
        from geomeld.core.config import load_model

        return load_model(cls, path, overrides, what="eval config")
