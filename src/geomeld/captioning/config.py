"""The captioning config (``configs/caption/*.yaml``): backend, candidates, rounds, verification bounds,
the signals' parameters and the OpenAI-compatible endpoint. Read by the core loader
(:func:`geomeld.core.config.load_model`: ``extends:``, ``--set key=value``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geomeld.captioning.openai_compat import OpenAIConfig
from geomeld.signals import SignalConfig

__all__ = ["CaptionConfig"]


class CaptionConfig(BaseModel):
    """One captioning run (``configs/caption/*.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    backend: Literal["builtin", "openai"] = "builtin"
    n_candidates: int = Field(default=4, ge=1, le=32)
    max_rounds: int = Field(default=3, ge=1, le=10)
    seed: int = 0
    max_words: int = 90
    max_unverifiable_share: float = 0.34
    repair: bool = True
    require_imagery: bool = True  # a sample without imagery that is evidence gets no caption
    scorer: Literal["grounding", "geomeld_fm"] = "grounding"
    scorer_run_dir: str | None = None  # geomeld_fm: a pretraining run folder (checkpoint.pt + encoder/)
    signals: SignalConfig = Field(default_factory=SignalConfig)
    openai: OpenAIConfig = Field(default_factory=OpenAIConfig)
    osm_pbf: str | None = None
    overpass_url: str | None = None
    geomorphon_cache_dir: str | None = None

    @classmethod
    def from_yaml(
        cls, path: str | Path | None, overrides: Mapping[str, Any] | Iterable[str] | None = None
    ) -> CaptionConfig:
        """Read a caption config with the core loader (``extends:``, ``--set``; no file: the defaults)."""
        from geomeld.core.config import load_model

        return load_model(cls, path, overrides, what="caption config")
