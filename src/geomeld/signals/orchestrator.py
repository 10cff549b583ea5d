"""The Orchestrator: every grounding signal of one :class:`~geomeld.core.sample.Sample` in one bundle.

Each section is computed from the registry's description of the sample's arrays; a section that
cannot be computed (modality absent or all no-data, optional dependency missing, OSM source failing)
is left out and the reason is stored in ``bundle.missing`` — never a crash, never a guess.
"""

from __future__ import annotations

import logging

import numpy as np
from pydantic import BaseModel, ConfigDict

from geomeld.core.modalities import MODALITIES, grid_modalities
from geomeld.core.origin import modality_origins
from geomeld.core.sample import Sample, WaterAnalysis
from geomeld.signals.acquisition import acquisition_signal, recorded_sun_elevation
from geomeld.signals.landcover import land_cover_signal
from geomeld.signals.models import ImageConditions, LayerOrigin, SignalBundle
from geomeld.signals.optical import canopy_signal, sar_signal, spectral_signal
from geomeld.signals.osm import DEFAULT_RADII_M, OsmSource, osm_signal, osm_signal_from_metadata
from geomeld.signals.place import place_signal
from geomeld.signals.terrain import (
    FLATNESS_THRESHOLD_DEG,
    SEARCH_DISTANCE_CELLS,
    GeomorphonCache,
    TerrainDependencyError,
    terrain_signal,
)
from geomeld.signals.water import DETECT_THRESHOLD, OCCURRENCE_THRESHOLD, water_signal

log = logging.getLogger(__name__)

JRC_EXTRA_KEY = "jrc_occurrence"
"""Name of the optional JRC occurrence layer (0–100 %, 255 or NaN no-data, grid-aligned): looked up in
``sample.extras`` and in ``sample.extras["datasets"]`` (where the shard reader keeps the extra HDF5
dataset the builder writes)."""


def jrc_layer(sample: Sample) -> np.ndarray | None:
    layer = sample.extras.get(JRC_EXTRA_KEY)
    if layer is None:
        datasets = sample.extras.get("datasets")
        if isinstance(datasets, dict):
            layer = datasets.get(JRC_EXTRA_KEY)
    return None if layer is None else np.asarray(layer)


class SignalConfig(BaseModel):
    """Parameters of the Orchestrator (all recorded with the signals)."""

    model_config = ConfigDict(extra="forbid")
    osm_radii_m: list[float] = list(DEFAULT_RADII_M)
    water_occurrence_threshold: float = OCCURRENCE_THRESHOLD
    water_detect_threshold: float = DETECT_THRESHOLD
    geomorphon_search_cells: int = SEARCH_DISTANCE_CELLS
    geomorphon_flatness_deg: float = FLATNESS_THRESHOLD_DEG
    place_context: bool = True


def _present(sample: Sample, key: str) -> np.ndarray | None:
    """The array of ``key`` when it holds at least one valid pixel (a strided probe first: cheap)."""
    arr = sample.arrays.get(key)
    if arr is None:
        return None
    modality = MODALITIES[key]
    probe = np.asarray(arr).reshape(-1)[::61]
    if modality.valid_mask(probe).any() or modality.valid_mask(arr).any():
        return arr
    return None


def _band(sample: Sample, key: str, arr: np.ndarray, name: str) -> np.ndarray | None:
    names = sample.band_names(key)
    return arr[names.index(name)] if name in names else None


def _cloud_records(sample: Sample, bundle: SignalBundle) -> None:
    """The product's own cloud records (provenance of ``sentinel2``) beside the spectral conditions:
    the tile's SCL cloud + shadow share (0–1 in provenance, kept in %) and the scene ``eo:cloud_cover``."""
    cond = bundle.spectral.conditions if bundle.spectral is not None else None
    rec = ((sample.metadata.provenance or {}).get("modalities") or {}).get("sentinel2")
    if cond is None:
        return
    _sun(sample, cond, rec.get("datetime") if isinstance(rec, dict) else None)
    if not isinstance(rec, dict):
        return
    share, scene = rec.get("tile_cloud_share"), rec.get("cloud_cover")
    if isinstance(share, int | float) and not isinstance(share, bool):
        cond.scl_cloud_shadow_percentage = round(100.0 * float(share), 3)
    if isinstance(scene, int | float) and not isinstance(scene, bool):
        cond.scene_cloud_cover = float(scene)


def _sun(sample: Sample, cond: ImageConditions, stamp: object) -> None:
    """Solar elevation at the acquisition time (the product's datetime), else at the Sentinel-2
    overpass (10:30 local solar time) of the acquisition date."""
    import datetime as dt

    from geomeld.signals.conditions import solar_zenith_deg, sun_elevation_deg

    md = sample.metadata
    recorded = recorded_sun_elevation(((md.provenance or {}).get("modalities") or {}).get("sentinel2"))
    if recorded is not None:  # the product's own value wins over any computation
        cond.sun_elevation, cond.sun_elevation_from = round(recorded[0], 2), recorded[1]
        return
    if md.lat is None or md.long is None:
        return
    if isinstance(stamp, str):
        try:
            when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if when.tzinfo is not None:
                when = when.astimezone(dt.UTC)
            cond.sun_elevation = round(sun_elevation_deg(float(md.lat), float(md.long), when), 2)
            cond.sun_elevation_from = "acquisition time"
            return
        except ValueError:
            pass
    if md.acquisition_date:
        try:
            day = dt.date.fromisoformat(str(md.acquisition_date)[:10])
        except ValueError:
            return
        zen = solar_zenith_deg(float(md.lat), day.timetuple().tm_yday)
        cond.sun_elevation = round(90.0 - zen, 2)
        cond.sun_elevation_from = "overpass 10:30 solar time"


def layer_origins(sample: Sample) -> dict[str, LayerOrigin]:
    """Origin of each modality recorded in the sample's provenance (:mod:`geomeld.core.origin`)."""
    prov = sample.metadata.provenance or {}
    records = prov.get("modalities") or {}
    out: dict[str, LayerOrigin] = {}
    for name, origin in modality_origins(prov).items():
        rec = records.get(name) or {}
        product = rec.get("product") if isinstance(rec, dict) else None
        res = rec.get("resolution_m") if isinstance(rec, dict) else None
        out[name] = LayerOrigin(
            origin=origin.value,
            product=str(product) if product else None,
            resolution_m=float(res) if isinstance(res, int | float) and not isinstance(res, bool) else None,
        )
    return out


def compute_signals(
    sample: Sample,
    config: SignalConfig | None = None,
    *,
    osm_source: OsmSource | None = None,
    geomorphon_cache: GeomorphonCache | None = None,
) -> SignalBundle:
    cfg = config or SignalConfig()
    bundle = SignalBundle(key=sample.key, origins=layer_origins(sample))
    missing = bundle.missing

    for modality in grid_modalities():
        if modality.classes is None:
            continue
        arr = _present(sample, modality.key)
        if arr is None:
            why = "absent" if modality.key not in sample.arrays else "all pixels are no-data"
            missing[f"landcover.{modality.key}"] = f"{modality.key} {why}"
            continue
        bundle.landcover[modality.key] = land_cover_signal(arr, modality)

    dw = _present(sample, "dynamic_world")
    wc = _present(sample, "esa_worldcover")
    bundle.water = water_signal(
        dw,
        jrc_layer(sample),
        wc,
        occurrence_threshold=cfg.water_occurrence_threshold,
        detect_threshold=cfg.water_detect_threshold,
    )
    if bundle.water is None:
        missing["water"] = "neither dynamic_world nor esa_worldcover has a valid pixel"

    dem = _present(sample, "aster")
    if dem is None:
        missing["terrain"] = "no DEM: aster " + ("absent" if "aster" not in sample.arrays else "all no-data")
    else:
        elevation = _band(sample, "aster", dem, "elevation")
        if elevation is None:
            missing["terrain"] = "aster has no 'elevation' band"
        else:
            try:
                bundle.terrain = terrain_signal(
                    elevation,
                    _band(sample, "aster", dem, "slope"),
                    pixel_m=MODALITIES["aster"].pixel_m,
                    search_distance=cfg.geomorphon_search_cells,
                    flatness_threshold=cfg.geomorphon_flatness_deg,
                    cache=geomorphon_cache,
                )
            except TerrainDependencyError as exc:
                missing["terrain"] = str(exc)
            if bundle.terrain is None and "terrain" not in missing:
                missing["terrain"] = "aster elevation is all no-data"

    canopy = _present(sample, "canopy_height")
    height = _band(sample, "canopy_height", canopy, "height") if canopy is not None else None
    bundle.canopy = canopy_signal(height) if height is not None else None
    if bundle.canopy is None:
        missing["canopy"] = "canopy_height absent or no valid height pixel"

    s2 = _present(sample, "sentinel2")
    if s2 is None:
        missing["spectral"] = "sentinel2 absent or all no-data"
    else:
        bundle.spectral = spectral_signal(s2, sample.band_names("sentinel2"))
        _cloud_records(sample, bundle)

    s1 = _present(sample, "sentinel1")
    bundle.sar = sar_signal(s1, sample.band_names("sentinel1")) if s1 is not None else None
    if bundle.sar is None:
        missing["sar"] = "sentinel1 absent or no valid VV/VH pixel"

    md = sample.metadata
    if osm_source is not None:
        try:
            bundle.osm = osm_signal(osm_source, md.lat, md.long, cfg.osm_radii_m)
            if not any(bundle.osm.tags_by_radius.values()):
                missing["osm"] = (
                    f"OSM source {osm_source.name} returned no tags within {max(cfg.osm_radii_m):g} m "
                    "(unmapped area or outside the extract): OSM claims are unverifiable"
                )
        except Exception as exc:  # a failing source is recorded, the sample still gets captioned
            log.warning("%s: OSM source %s failed: %s", sample.key, osm_source.name, exc)
            missing["osm"] = f"OSM source {osm_source.name} failed: {exc}"
    elif md.osm_tags:
        bundle.osm = osm_signal_from_metadata(md.osm_tags, min(cfg.osm_radii_m))
    else:
        missing["osm"] = "no OSM source configured and the sample has no osm_tags"

    if cfg.place_context:
        bundle.place = place_signal(md.lat, md.long, md.acquisition_date)
    bundle.acquisition = acquisition_signal(md.provenance)
    return bundle


def apply_released_fields(sample: Sample, bundle: SignalBundle) -> None:
    """Write the released metadata fields (``water_analysis``, ``terrain_class``, ``osm_tags``) and
    the full bundle (``signals``) into the sample's metadata."""
    md = sample.metadata
    if bundle.water is not None:
        md.water_analysis = WaterAnalysis(detected=bundle.water.detected, percentage=bundle.water.percentage)
    if bundle.terrain is not None:
        md.terrain_class = bundle.terrain.terrain_class
    if bundle.osm is not None and bundle.osm.source != "metadata":
        md.osm_tags = dict(bundle.osm.tags_within())
    md.signals = bundle.to_dict()
