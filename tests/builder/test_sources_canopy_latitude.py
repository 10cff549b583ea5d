"""ETH-style canopy tiles (1/12000° height + SD in EPSG:4326): the SD layer is read at every latitude."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geomeld.builder.grid import tile_for_anchor
from geomeld.builder.sources.base import SourceSettings, TileContext
from geomeld.builder.sources.canopy import CanopyHeightSource, TileSetIndex
from geomeld.builder.sources.catalog import LocalCatalog

PIXEL_DEG = 1.0 / 12000.0  # ETH Global Canopy Height 2020
SD_M = 3.0


def _write(path: Path, lat0: float, lon0: float, n: int, values: np.ndarray) -> None:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=n,
        height=n,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(lon0, lat0 + n * PIXEL_DEG, PIXEL_DEG, PIXEL_DEG),
        nodata=-1.0,
    ) as ds:
        ds.write(values.astype("float32"), 1)


@pytest.mark.parametrize("lat", [0.3, 45.3, 60.8])
def test_canopy_sd_is_read_at_every_latitude(tmp_path: Path, lat: float) -> None:
    lon = 10.3
    n = 600  # 0.05° around the anchor
    lat0, lon0 = lat - n * PIXEL_DEG / 2, lon - n * PIXEL_DEG / 2
    rows = np.arange(n)[:, None]
    height = np.broadcast_to(10.0 + 0.01 * rows, (n, n))  # smooth: resampling keeps it within ±0.1 m
    label = "".join(TileSetIndex.label(int(lat // 3 * 3), int(lon // 3 * 3)))
    _write(tmp_path / f"{label}_Map.tif", lat0, lon0, n, height)
    _write(tmp_path / f"{label}_Map_SD.tif", lat0, lon0, n, np.full((n, n), SD_M))
    settings = SourceSettings(
        canopy_tileset={
            "height": str(tmp_path / "{lat}{lon}_Map.tif"),
            "stddev": str(tmp_path / "{lat}{lon}_Map_SD.tif"),
            "tile_deg": 3,
        }
    )
    cat = LocalCatalog.__new__(LocalCatalog)
    cat.items, cat.name = [], "test"
    ctx = TileContext(tile_for_anchor(lat, lon, "c"), date(2020, 6, 15), cat, settings)
    res = CanopyHeightSource().fetch(ctx)
    assert res.array is not None, res.provenance
    h, sd = res.array
    assert np.isfinite(sd).all() and np.allclose(sd, SD_M, atol=1e-4)  # the SD file, not a block std
    assert 10.0 < float(h.mean()) < 16.0 and np.isfinite(h).all()
    item = res.provenance["items"][0]
    assert item["stddev_available"] is True and "block" not in item["method"]
    px, py = item["source_pixel_m"]
    assert py == pytest.approx(9.26, abs=0.05) and px == pytest.approx(
        9.26 * np.cos(np.radians(lat)), abs=0.1
    )
