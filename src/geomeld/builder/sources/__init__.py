"""Upstream products, one module each behind :class:`geomeld.builder.sources.base.Source`.

:func:`default_sources` lists them in the order the builder runs them: NAIP first (its date is the
reference date in the US), Sentinel-2 next (it fixes the acquisition date and the grid CRS), then the
layers matched to it. Every registry modality has exactly one source here; JRC water is a signal.
"""

from __future__ import annotations

from geomeld.builder.sources.base import ModalityResult, Source, SourceSettings, TileContext
from geomeld.builder.sources.canopy import CanopyHeightSource
from geomeld.builder.sources.dem import CopernicusDemSource
from geomeld.builder.sources.dynamic_world import DynamicWorldSource
from geomeld.builder.sources.jrc_water import JrcWaterSource
from geomeld.builder.sources.naip import NaipSource
from geomeld.builder.sources.sentinel1 import Sentinel1Source
from geomeld.builder.sources.sentinel2 import Sentinel2Source
from geomeld.builder.sources.worldcover import WorldCoverSource


def default_sources() -> list[Source]:
    """One source per registry modality (plus JRC water), in run order."""
    return [
        NaipSource(),
        Sentinel2Source(),
        Sentinel1Source(),
        CopernicusDemSource(),
        CanopyHeightSource(),
        WorldCoverSource(),
        DynamicWorldSource(),
        JrcWaterSource(),
    ]


__all__ = ["ModalityResult", "Source", "SourceSettings", "TileContext", "default_sources"]
