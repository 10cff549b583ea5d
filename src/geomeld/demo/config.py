"""The demo's config (``demo/configs/default.yaml``, ``quick.yaml``; shipped as package data).

Read by the core loader (:func:`geomeld.core.config.load_model`: ``extends:``, ``--set key=value``).
``pretrain.config`` and ``evaluate.config`` name the pretraining and evaluation YAMLs the demo builds
on: ``geomeld:configs/…`` (the canonical copies inside the package, so a wheel install runs the demo)
or a path relative to the current directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geomeld.core.config import load_model, resolve_reference


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SampleSettings(_Section):
    stratified: int = Field(default=20, ge=0)  # extra anchors placed inside the embedded catalog's footprints
    min_distance_m: float = Field(default=1280.0, gt=0)


class WorkersSettings(_Section):
    workers: int = Field(default=0, ge=0)


class CaptionSettings(_Section):
    workers: int = Field(default=1, ge=1)


class PretrainSettings(_Section):
    config: str = "geomeld:configs/pretrain/full.yaml"
    set: dict[str, Any] = Field(default_factory=dict)  # --set overrides of the pretraining config

    @field_validator("set", mode="after")
    @classmethod
    def _dotted(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Nested sections become dotted keys (``{optim: {steps: 2}}`` → ``optim.steps: 2``), so that
        ``geomeld demo --set pretrain.set.optim.steps=2`` overrides one value, not the whole section."""
        out: dict[str, Any] = {}

        def walk(prefix: str, node: Any) -> None:
            if isinstance(node, dict) and node:
                for key, child in node.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), child)
            else:
                out[prefix] = node

        for key, child in value.items():
            walk(str(key), child)
        return out


class EvaluateSettings(_Section):
    config: str = "geomeld:configs/eval/minibench.yaml"
    tasks: list[str] | None = None  # keep only these tasks of the eval config
    retrieval: bool = False  # image↔text retrieval on the held-out shards
    robustness: bool = False
    protocols: list[str] | None = None
    train: dict[str, Any] | None = None  # merged into the eval config's train section
    n_bootstrap: int | None = None


class PreviewSettings(_Section):
    limit: int = Field(default=60, ge=1)


class ProbeSettings(_Section):
    n_bootstrap: int = Field(default=2000, ge=1)
    max_train_pixels: int = Field(default=20_000, ge=1)
    weight_decays: list[float] = Field(default_factory=lambda: [1e-4, 1e-3, 1e-2])


class DemoConfig(_Section):
    """One ``geomeld demo`` run: every step's amounts."""

    name: str = "demo"
    out: str
    seed: int = 0
    heldout_fraction: float = Field(default=0.25, gt=0.0, lt=1.0)  # share of anchors kept out of pretraining
    sample: SampleSettings = SampleSettings()
    build: WorkersSettings = WorkersSettings()
    caption: CaptionSettings = CaptionSettings()
    pretrain: PretrainSettings = PretrainSettings()
    evaluate: EvaluateSettings = EvaluateSettings()
    preview: PreviewSettings = PreviewSettings()
    probe: ProbeSettings = ProbeSettings()

    def pretrain_config_path(self) -> Path:
        """The pretraining YAML the demo's ``pretrain`` step starts from."""
        return resolve_reference(self.pretrain.config, Path.cwd())

    def eval_config_path(self) -> Path:
        """The evaluation YAML the demo's ``evaluate`` step starts from."""
        return resolve_reference(self.evaluate.config, Path.cwd())


def demo_configs_dir() -> Path:
    """The demo's own YAMLs (``default.yaml``, ``quick.yaml``), shipped as package data."""
    return Path(__file__).resolve().parent / "configs"


def load_demo_config(
    path: str | Path, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> DemoConfig:
    """Read a demo config with the core loader (``extends:``, ``--set`` overrides)."""
    return load_model(DemoConfig, path, overrides, what="demo config")
