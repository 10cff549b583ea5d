"""Where the data shipped inside the package lives (embedded catalog, global reference layers, …).

Only locations: reading the files is the job of the stage that uses them. The maintainer scripts that
regenerate these folders live in the repository's ``tools/`` (not installed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """The package's ``data/`` folder."""
    return Path(__file__).resolve().parents[1] / "data"


def embedded_catalog_dir() -> Path:
    """Folder of the embedded static STAC catalog (``catalog.json``)."""
    return data_dir() / "embedded"


def embedded_anchors_path() -> Path:
    """A CSV of anchors inside the embedded catalog (``tile_id, lat, long, stratum, source``)."""
    return embedded_catalog_dir() / "anchors.csv"


def embedded_footprints() -> dict[str, Any]:
    """GeoJSON FeatureCollection of where anchors may go in the embedded catalog.

    One feature per anchor-capable item (Sentinel-2 scenes and the NAIP image): ``geometry`` is the
    region where a tile centre yields a full 1280 m tile inside the item (its footprint shrunk by
    640 m; for the 1.2 km BigEarthNet patches, a 20 m box around the centre). Properties: ``item_id``,
    ``collection``, ``footprint`` (the item's full footprint), ``layout`` (``standard`` or ``naip``).
    """
    data: dict[str, Any] = json.loads((embedded_catalog_dir() / "footprints.geojson").read_text())
    return data
