"""The in-memory GeoMeld sample: arrays keyed by modality plus one metadata record.

This is the value every stage passes on (builder → captioner → writer → loader). The metadata
model holds exactly the released fields, plus geomeld's documented additions, which the released
readers ignore because they only look up the keys they know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import LAYOUTS, MODALITIES, SCHEMA_VERSION, Layout, layout_for_keys

OsmTagValue = str | list[str] | None

RELEASED_METADATA_FIELDS = (
    "tile_id",
    "lat",
    "long",
    "acquisition_date",
    "terrain_class",
    "file_type_naip",
    "osm_tags",
    "water_analysis",
    "band_names",
    "source_file",
)
"""The metadata fields of the released GeoMeld samples, in the dataset card's order."""


class WaterAnalysis(BaseModel):
    """``water_analysis`` as released: detection flag and percentage of the 128 × 128 grid."""

    model_config = ConfigDict(extra="allow")
    detected: bool
    percentage: float = Field(ge=0.0, le=100.0)


class SampleMetadata(BaseModel):
    """The ``metadata`` JSON string of one sample.

    Released fields first; geomeld's additions (``caption``, ``caption_report``, ``provenance``,
    ``signals``, ``schema_version``) are optional and ignored by readers that do not know them.
    Unknown extra fields found in foreign files are kept (``extra="allow"``) so nothing is lost on a
    read-modify-write round trip.
    """

    model_config = ConfigDict(extra="allow")

    tile_id: int | str
    lat: float = Field(ge=-90.0, le=90.0)
    long: float = Field(ge=-180.0, le=180.0)
    acquisition_date: str
    terrain_class: str | None = None
    file_type_naip: bool = False
    osm_tags: dict[str, OsmTagValue] = Field(default_factory=dict)
    water_analysis: WaterAnalysis = Field(
        default_factory=lambda: WaterAnalysis(detected=False, percentage=0.0)
    )
    band_names: dict[str, list[str]] = Field(default_factory=dict)
    source_file: str | None = None
    # geomeld additions
    schema_version: str | None = SCHEMA_VERSION
    caption: str | None = None
    caption_report: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None
    signals: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps(
            self.model_dump(mode="json", exclude_none=False), ensure_ascii=False, allow_nan=False
        )

    @classmethod
    def from_json(cls, text: str | bytes, where: str = "metadata") -> SampleMetadata:
        """Parse the metadata JSON; errors name ``where`` (shard and sample key) and the field."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SampleFormatError(f"{where}: metadata is not UTF-8 text ({exc})") from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SampleFormatError(
                f"{where}: metadata is not valid JSON ({exc.msg} at char {exc.pos})"
            ) from None
        if not isinstance(raw, dict):
            raise SampleFormatError(f"{where}: metadata JSON must be an object, got {type(raw).__name__}")
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()
            )
            raise SampleFormatError(f"{where}: metadata field problem: {problems}") from None


class SampleFormatError(GeomeldError, ValueError):
    """A sample or shard does not follow the GeoMeld format; the message names where and what."""


@dataclass
class Sample:
    """One spatially aligned GeoMeld sample."""

    key: str
    arrays: dict[str, np.ndarray]
    metadata: SampleMetadata
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        if self.metadata.file_type_naip:
            return LAYOUTS["naip"]
        return layout_for_keys(self.arrays)

    def band_names(self, key: str) -> list[str]:
        """Band names of ``key`` as recorded in the sample (falls back to the layout's)."""
        recorded = self.metadata.band_names.get(key)
        if recorded:
            return list(recorded)
        return (
            list(self.layout.bands(key))
            if key in self.layout.band_selection
            else list(MODALITIES[key].band_names)
        )

    def present_modalities(self) -> list[str]:
        """Modalities that hold at least one valid pixel."""
        out = []
        for key, arr in self.arrays.items():
            if key in MODALITIES and MODALITIES[key].valid_mask(arr).any():
                out.append(key)
        return out
