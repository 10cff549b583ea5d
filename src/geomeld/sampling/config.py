"""Configuration of one ``geomeld sample`` run (YAML under ``configs/sample/``; CLI flags override)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geomeld.sampling.quotas import DEFAULT_MIN_SHARE
from geomeld.sampling.spacing import DEFAULT_MIN_DISTANCE_M
from geomeld.sampling.strata import DEFAULT_LAT_RANGE


class AnchorSource(BaseModel):
    """One anchor file: its path, the name used in ``source = anchor:<name>``, optional column names."""

    model_config = ConfigDict(extra="forbid")
    path: Path
    name: str | None = None
    lat_col: str | None = None
    lon_col: str | None = None

    @classmethod
    def parse(cls, spec: str) -> AnchorSource:
        """``PATH`` or ``NAME=PATH`` (the name defaults to the file stem)."""
        name, sep, path = spec.partition("=")
        return cls(path=Path(path), name=name) if sep and name and "/" not in name else cls(path=Path(spec))

    @property
    def label(self) -> str:
        return self.name or self.path.stem


class SampleConfig(BaseModel):
    """Every knob of the coordinate pool. Stages run in this order: anchors, stratified, fill."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 0
    min_distance_m: float = Field(DEFAULT_MIN_DISTANCE_M, gt=0)
    lat_range: tuple[float, float] = DEFAULT_LAT_RANGE
    stratified: int = Field(0, ge=0, description="number of stratified points (ignored by the custom rule)")
    quota: Literal["uniform", "area", "custom"] = "uniform"
    quota_file: Path | None = None
    quotas: dict[str, int] = Field(default_factory=dict, description="inline custom quotas {stratum: count}")
    min_stratum_share: float = Field(DEFAULT_MIN_SHARE, ge=0, lt=1)
    anchors: list[AnchorSource] = Field(default_factory=list)
    fill: int = Field(0, ge=0)
    fill_by: Literal["cell", "continent"] = "cell"
    within: Path | None = Field(None, description="GeoJSON polygons, or 'embedded' (the embedded catalog's)")
    within_inset_m: float = Field(0.0, ge=0)
    per_footprint: bool = Field(False, description="split stratified points equally over --within features")
    map: bool = True

    @field_validator("lat_range")
    @classmethod
    def _check_range(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not (-90 <= v[0] < v[1] <= 90):
            raise ValueError(f"lat_range must be two latitudes with -90 <= south < north <= 90, got {v}")
        return v


def resolve_within(within: Path) -> Path:
    """``embedded`` names the embedded catalog's footprints (written by the builder); else the path."""
    if str(within) == "embedded" and not within.exists():
        from geomeld.core.data import embedded_catalog_dir

        return embedded_catalog_dir() / "footprints.geojson"
    return within


def load_config(
    path: str | Path | None, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> SampleConfig:
    """Read a sample config YAML with the core loader (``extends:``, ``--set`` overrides; no file:
    the defaults); relative paths in the file are resolved against the config's folder."""
    from geomeld.core.config import load_model

    cfg = load_model(SampleConfig, path, overrides, what="sample config")
    if path is None:
        return cfg
    p = Path(path)
    base = p.parent

    def fix(q: Path | None) -> Path | None:
        if q is None or q.is_absolute() or q.exists() or str(q) == "embedded":
            return None
        return base / q

    updates: dict[str, object] = {}
    for key in ("quota_file", "within"):
        val = getattr(cfg, key)
        fixed = fix(val)
        if fixed is not None:
            updates[key] = fixed
    anchors = [a.model_copy(update={"path": fix(a.path) or a.path}) for a in cfg.anchors]
    return cfg.model_copy(update={**updates, "anchors": anchors})
