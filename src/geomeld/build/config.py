"""Build configuration (``configs/build/*.yaml``): every undisclosed choice of the paper is a key here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from geomeld.sources.base import SourceSettings

DEFAULT_COLLECTIONS: dict[str, dict[str, str]] = {
    "planetary-computer": {
        "sentinel-2-l2a": "sentinel-2-l2a",
        "sentinel-1": "sentinel-1-rtc",
        "cop-dem-glo-30": "cop-dem-glo-30",
        "esa-worldcover": "esa-worldcover",
        "jrc-gsw": "jrc-gsw",
        "naip": "naip",
    },
    "earth-search": {
        "sentinel-2-l2a": "sentinel-2-l2a",
        "sentinel-1": "sentinel-1-grd",  # uncalibrated DN: recorded as missing (uncalibrated_grd), see sources/sentinel1.py
        "cop-dem-glo-30": "cop-dem-glo-30",
        "naip": "naip",
    },
}
"""Logical product name → collection id per well-known catalog (others use the logical names)."""


class BuildConfig(BaseModel):
    """Settings of one ``geomeld build`` run."""

    model_config = ConfigDict(extra="forbid")

    catalog: str = "embedded"
    collections: dict[str, str] = Field(default_factory=dict)
    seed: int = 0
    years: tuple[int, int] = (2017, 2022)
    # Sentinel-2
    s2_max_cloud_cover: float = 10.0
    s2_window: str = "month"
    s2_allow_unknown_cloud_cover: bool = False
    s2_min_valid_fraction: float = 0.8
    s2_max_cloud_share: float = 0.1
    s2_max_candidates: int = 4
    # matching windows
    s1_window_days: int = 15
    dynamic_world_window_days: int = 15
    dynamic_world_mode: str = "catalog_then_substitute"
    # composites
    allow_stand_ins: bool = False
    canopy_tileset: dict[str, Any] | None = None
    # water signal (paper §8.1)
    water_occurrence_min: float = 50.0
    water_detected_min_percent: float = 1.0
    # execution
    retries: int = 3
    backoff_s: float = 1.0
    http_timeout_s: float = 30.0
    sas_token_url: str | None = None  # token service for SAS signing ({collection}); PC's by default there
    shard_max_samples: int = 256

    @classmethod
    def from_yaml(cls, path: str | Path) -> BuildConfig:
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"build config {p}: cannot read YAML ({exc})") from None
        if not isinstance(raw, dict):
            raise ValueError(f"build config {p}: expected a mapping of keys, got {type(raw).__name__}")
        return cls.model_validate(raw)

    def source_settings(self) -> SourceSettings:
        collections = dict(DEFAULT_COLLECTIONS.get(self.catalog, {}))
        collections.update(self.collections)
        return SourceSettings(
            collections=collections,
            s2_max_cloud_cover=self.s2_max_cloud_cover,
            s2_window=self.s2_window,
            s2_allow_unknown_cloud_cover=self.s2_allow_unknown_cloud_cover,
            s2_min_valid_fraction=self.s2_min_valid_fraction,
            s2_max_cloud_share=self.s2_max_cloud_share,
            s2_max_candidates=self.s2_max_candidates,
            s1_window_days=self.s1_window_days,
            dynamic_world_window_days=self.dynamic_world_window_days,
            dynamic_world_mode=self.dynamic_world_mode,
            allow_stand_ins=self.allow_stand_ins,
            canopy_tileset=self.canopy_tileset,
        )


def embedded_config() -> BuildConfig:
    """The settings the embedded sample needs: its single-date scenes usable, nothing relocated."""
    return BuildConfig(
        catalog="embedded", s2_window="any", s2_allow_unknown_cloud_cover=True, allow_stand_ins=False
    )
