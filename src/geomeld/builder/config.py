"""Build configuration (``configs/build/*.yaml``): every undisclosed choice of the paper is a key here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from geomeld.builder.sources.base import SourceSettings
from geomeld.core.config import load_model


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
    # catalog access overrides (also GEOMELD_STAC_URL / GEOMELD_TOKEN_URL / GEOMELD_S3_ENDPOINT /
    # GEOMELD_S3_UNSIGNED; see geomeld.builder.sources.families): mirrors, proxies, tests
    stac_url: str | None = None  # STAC API root of the named catalog
    sas_token_url: str | None = None  # token service for SAS signing ({collection}); PC's by default there
    s3_endpoint: str | None = None  # endpoint for s3:// assets (CDSE: eodata.dataspace.copernicus.eu)
    s3_unsigned: bool | None = None  # read s3:// without credentials (Earth Search: yes)
    cloud_filter: str = "auto"  # auto (from conformsTo) | cql2 | query | none
    publish_incomplete: bool = False  # publish samples that lost a layer to an error (else held, retried)
    shard_max_samples: int = 256

    @classmethod
    def from_yaml(
        cls, path: str | Path, overrides: Mapping[str, Any] | Iterable[str] | None = None
    ) -> BuildConfig:
        """Read a build config with the core loader (``extends:``, ``--set`` overrides)."""
        return load_model(cls, path, overrides, what="build config")

    def catalog_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`geomeld.builder.sources.catalog.open_catalog` from this config."""
        return {
            "timeout_s": self.http_timeout_s,
            "sas_token_url": self.sas_token_url,
            "stac_url": self.stac_url,
            "s3_endpoint": self.s3_endpoint,
            "s3_unsigned": self.s3_unsigned,
            "cloud_filter": self.cloud_filter,
        }

    def resolved_collections(self) -> dict[str, str]:
        """Logical product → collection id: the catalog family's defaults, then the config's own."""
        from geomeld.builder.sources.families import default_collections

        collections = default_collections(self.catalog)
        collections.update(self.collections)
        return collections

    def source_settings(self) -> SourceSettings:
        collections = self.resolved_collections()
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


def resolve_build_config(
    path: str | Path | None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    catalog: str | None = None,
) -> BuildConfig:
    """The config of one ``geomeld build``: the YAML at ``path`` or, without one, the embedded
    sample's settings (catalog ``embedded``) or the defaults; then ``overrides`` (``--set``)."""
    if path is not None:
        return BuildConfig.from_yaml(path, overrides)
    base = embedded_config() if (catalog or "embedded") == "embedded" else BuildConfig()
    return load_model(BuildConfig, None, overrides, what="build config", defaults=base.model_dump())


def embedded_config() -> BuildConfig:
    """The settings the embedded sample needs: its single-date scenes usable, nothing relocated."""
    return BuildConfig(
        catalog="embedded", s2_window="any", s2_allow_unknown_cloud_cover=True, allow_stand_ins=False
    )
