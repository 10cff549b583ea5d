"""Typed, JSON-serialisable grounding signals computed from one sample (the Orchestrator's output).

Every signal section is optional: a sample without a DEM has ``terrain=None`` and the reason is in
:attr:`SignalBundle.missing`, so the captioner never claims what was not measured and the caption
report can say why. Percentages are 0–100; land-cover shares are over the *valid* pixels of the
product, while ``water.percentage`` is over the full 128 × 128 grid exactly as in the released
``water_analysis`` field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SIGNALS_VERSION = "geomeld-signals-5"

LOCATIONS = (
    "north-west",
    "north",
    "north-east",
    "west",
    "centre",
    "east",
    "south-west",
    "south",
    "south-east",
)
"""Tile sectors of a 3 × 3 split, row-major from the north-west (north = first array row)."""


PARTS = (
    "north",
    "south",
    "west",
    "east",
    "north-west",
    "north-east",
    "south-west",
    "south-east",
    "centre",
    "edge",
    "north-edge",
    "south-edge",
    "west-edge",
    "east-edge",
)
"""Regions for position claims: the four halves, the four quadrants, the central box (middle half of
each axis, a quarter of the tile), the edge ring (the outer eighth on every side, ~44 % of the tile) and
the four edge strips (the outer quarter on one side: "along the eastern edge")."""


PROFILE_BANDS = 32
"""Row and column bands of a class's pixel profile (4 px = 40 m on the 128 × 128 grid): how far a class
keeps from each edge ("no reeds within 200 m of the eastern edge"), thirds and strips of any depth."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassShare(_Model):
    """One land-cover class of one product."""

    code: int
    name: str
    percentage: float = Field(ge=0.0, le=100.0, description="share of the product's valid pixels")
    location: str = Field(description="a LOCATIONS sector holding most of it, or 'throughout' / 'scattered'")
    parts: dict[str, float] = Field(
        default_factory=dict,
        description="share (0–1) of the class's pixels in each PARTS region of the tile (north-up)",
    )
    rows: list[int] = Field(
        default_factory=list,
        description=f"the class's pixels in each of {PROFILE_BANDS} equal row bands, north to south",
    )
    cols: list[int] = Field(
        default_factory=list,
        description=f"the class's pixels in each of {PROFILE_BANDS} equal column bands, west to east",
    )


class LandCoverSignal(_Model):
    product: str
    valid_percentage: float = Field(ge=0.0, le=100.0, description="valid pixels over the full grid")
    classes: list[ClassShare] = Field(default_factory=list, description="classes present, largest first")
    dominant: list[str] = Field(default_factory=list, description="class names that dominate the tile")


class WaterSignal(_Model):
    detected: bool
    percentage: float = Field(ge=0.0, le=100.0, description="consensus water pixels over the 128 × 128 grid")
    method: str = Field(description="'dw+jrc', 'dw-only', 'worldcover-only'")
    dw_percentage: float | None = None
    jrc_percentage: float | None = None
    worldcover_percentage: float | None = None
    note: str | None = None
    kind: str | None = Field(
        default=None,
        description="shape of the largest water body: 'linear' (river/canal-like), 'compact' (lake/pond-like) "
        "or None (no body ≥ 0.3 % of the tile, or not derivable)",
    )
    largest_body_percentage: float | None = None
    largest_body_elongation: float | None = None


class TerrainSignal(_Model):
    terrain_class: str | None = Field(description="majority geomorphon form, released spelling ('Flat', …)")
    forms: dict[str, float] = Field(default_factory=dict, description="form → % of classified pixels")
    elevation_min: float
    elevation_max: float
    elevation_mean: float
    relief: float = Field(description="elevation p98 − p2, metres")
    slope_mean: float
    slope_p90: float
    slope_max: float
    slope_source: str = Field(description="'band' (the sample's slope band) or 'computed' (from elevation)")
    geomorphon_params: dict[str, float] = Field(default_factory=dict)


class CanopySignal(_Model):
    valid_percentage: float
    mean_height: float
    p90_height: float
    max_height: float
    share_above_5m: float = Field(description="% of valid pixels with canopy height > 5 m")


class IndexStats(_Model):
    mean: float
    p10: float
    p50: float
    p90: float


class ImageConditions(_Model):
    """Cloud, haze, cloud-shadow and snow in the Sentinel-2 image of the tile (:mod:`geomeld.signals.conditions`).

    Percentages are of the valid pixels; ``*_upper`` bound the condition from above (a permissive test:
    everything it could be), ``*_lower`` from below (a strict test: only what it certainly is). The
    product's own cloud records are kept when the shard has them (``scl_cloud_shadow_percentage``: the
    tile's share of cloud and cloud-shadow classes in the L2A scene classification; ``scene_cloud_cover``:
    the scene's ``eo:cloud_cover``, which decides the tile only when it is 0)."""

    cloud_upper: float = Field(description="% bright, not green, not snow: at most this much is cloud")
    cloud_lower: float = Field(description="% bright and white in visible, NIR and SWIR: opaque cloud")
    shadow_upper: float = Field(description="% dark in NIR and SWIR (cloud shadow, but also water)")
    snow_lower: float = Field(description="% NDSI > 0.4, NIR > 0.11, green > 0.1: snow")
    snow_upper: float = Field(description="% NDSI > 0.1 and green > 0.15: at most this much is snow")
    dark_blue: float = Field(
        description="2nd percentile of B2 reflectance (dark object: path radiance + haze)"
    )
    scl_cloud_shadow_percentage: float | None = None
    scene_cloud_cover: float | None = None
    sun_elevation: float | None = Field(default=None, description="solar elevation (°) at acquisition")
    sun_elevation_from: str | None = Field(
        default=None,
        description="'acquisition time' (the product's datetime) or 'overpass 10:30 solar time' (date only)",
    )


class SpectralSignal(_Model):
    conditions: ImageConditions | None = None
    indices: dict[str, IndexStats] = Field(default_factory=dict)
    missing: dict[str, str] = Field(default_factory=dict, description="index → why it was not computed")
    share_ndvi_above_0_5: float | None = None
    ndvi_shares: dict[str, float] = Field(
        default_factory=dict, description="NDVI threshold ('0.2' … '0.7') → % of valid pixels above it"
    )
    valid_percentage: float | None = Field(
        default=None, description="% of the 128 × 128 grid with a valid NDVI (the rest is no-data)"
    )
    water_index_percentage: float | None = Field(
        default=None,
        description="% of valid pixels that may be open water (NDWI > -0.1, or bright enough to hide it): "
        "an upper bound on water",
    )
    water_core_percentage: float | None = Field(
        default=None,
        description="% of valid pixels with NDWI > 0 or bright: where a large water body must show",
    )
    bright_percentage: float | None = Field(
        default=None,
        description="% of valid pixels bright in blue (B2 > 0.17): snow, cloud, haze (bounds snow)",
    )
    band_means: dict[str, float] = Field(
        default_factory=dict,
        description="band name → mean reflectance of the valid pixels (DN ÷ 10 000 when the layer is stored "
        "as Sentinel-2 digital numbers; no offset applied: the layer's product level decides what it means)",
    )
    water_strict_parts: dict[str, float] = Field(
        default_factory=dict,
        description="share (0-1) of the clear open-water pixels in each tile region (PARTS); empty under 0.5 %",
    )
    water_strict_percentage: float | None = Field(
        default=None,
        description="% of valid pixels that are clearly open water (NDWI > 0.05, MNDWI > 0.2, dark in NIR and "
        "blue): a lower bound on water",
    )


class OrbitSar(_Model):
    vv_db_mean: float | None = None
    vh_db_mean: float | None = None
    vh_minus_vv_db: float | None = None
    valid_percentage: float


class SarSignal(_Model):
    orbits: dict[str, OrbitSar] = Field(default_factory=dict, description="'asc' / 'desc' → statistics")


class OsmSignal(_Model):
    source: str = Field(description="'pbf:<file>', 'overpass:<url>' or 'metadata'")
    radii_m: list[float]
    tags_by_radius: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="radius (metres, as text) → key → sorted values"
    )

    def tags_within(self, radius: float | None = None) -> dict[str, list[str]]:
        """Tags within ``radius`` (the smallest radius by default)."""
        if not self.radii_m:
            return {}
        r = min(self.radii_m) if radius is None else radius
        return self.tags_by_radius.get(radius_key(r), {})


def radius_key(radius: float) -> str:
    return f"{radius:g}"


class PlaceSignal(_Model):
    lat: float
    long: float
    hemisphere: str
    month: int | None = None
    year: int | None = None
    date: str | None = Field(default=None, description="acquisition date, YYYY-MM-DD")
    season: str | None = Field(default=None, description="meteorological season, hemisphere-aware")
    climate_zone: str | None = Field(
        default=None, description="'tropical', 'temperate', … (tropics: no season)"
    )
    country: str | None = None
    continent: str | None = None
    koppen: str | None = None
    igbp: str | None = None
    notes: list[str] = Field(default_factory=list)


class AcquisitionSignal(_Model):
    """How the radar image was taken (:mod:`geomeld.signals.acquisition`)."""

    sar_days_from_optical: list[float] = Field(
        default_factory=list, description="days between each radar scene and the optical acquisition"
    )


class LayerOrigin(_Model):
    """Where one modality of the sample comes from (:mod:`geomeld.core.origin`)."""

    origin: str = Field(description="real | substitute | coarse | relocated | absent")
    product: str | None = Field(default=None, description="the product standing in (substitute)")
    resolution_m: float | None = Field(default=None, description="native resolution (coarse)")


class SignalBundle(_Model):
    """All signals of one sample plus the reason for every section that could not be computed."""

    version: str = SIGNALS_VERSION
    key: str
    landcover: dict[str, LandCoverSignal] = Field(default_factory=dict)
    water: WaterSignal | None = None
    terrain: TerrainSignal | None = None
    canopy: CanopySignal | None = None
    spectral: SpectralSignal | None = None
    sar: SarSignal | None = None
    osm: OsmSignal | None = None
    place: PlaceSignal | None = None
    acquisition: AcquisitionSignal | None = None
    missing: dict[str, str] = Field(default_factory=dict, description="section → why it is absent")
    origins: dict[str, LayerOrigin] = Field(
        default_factory=dict,
        description="modality → origin from the sample's provenance (empty: none recorded, read as real)",
    )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalBundle:
        return cls.model_validate(data)
