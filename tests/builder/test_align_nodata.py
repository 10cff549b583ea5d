"""The fast separable bilinear path leaves exactly the no-data pattern GDAL's warper leaves."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from rasterio.enums import Resampling as Kernel
from rasterio.warp import reproject

from geomeld.builder.align import separable_bilinear, valid_fraction_per_band
from geomeld.builder.grid import GridSpec
from geomeld.core.modalities import MODALITIES


def _gdal(src: np.ndarray, st: Affine, grid: GridSpec, nodata: float) -> np.ndarray:
    out = np.full((src.shape[0], grid.height, grid.width), np.nan, np.float32)
    reproject(
        src,
        out,
        src_transform=st,
        src_crs=grid.crs,
        src_nodata=nodata,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=Kernel.bilinear,
    )
    return out


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("src_pixel", [20.0, 60.0])
def test_same_nodata_pattern_and_values_as_gdal(seed: int, src_pixel: float) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    src = rng.uniform(100, 3000, (2, n, n)).astype(np.float32)
    # no-data: a border strip (tile at a scene edge), a stripe, scattered pixels, one band only
    src[:, :, : rng.integers(1, 5)] = 0
    r = rng.integers(5, 30)
    src[:, r : r + 3, 5:30] = 0
    src[rng.integers(0, 2), rng.integers(0, n, 30), rng.integers(0, n, 30)] = 0
    st = Affine(src_pixel, 0, 500000.0, 0, -src_pixel, 5_000_000.0)
    off = rng.integers(0, 8, 2) * 10.0
    size = int(n * src_pixel / 10) - 16
    grid = GridSpec("EPSG:32633", Affine(10, 0, 500000.0 + off[0], 0, -10, 5_000_000.0 - off[1]), size, size)
    # one band at a time, as the builder reads (GDAL unifies masks across bands of one warp)
    fast = np.concatenate([separable_bilinear(src[b : b + 1], st, grid, 0) for b in range(2)])
    ref = np.concatenate([_gdal(src[b : b + 1], st, grid, 0.0) for b in range(2)])
    assert (np.isnan(fast) == np.isnan(ref)).all(), int((np.isnan(fast) != np.isnan(ref)).sum())
    assert np.isnan(ref).any() and np.isfinite(ref).any()
    both = np.isfinite(fast)
    np.testing.assert_allclose(fast[both], ref[both], rtol=0, atol=0.05)


def test_quality_is_judged_per_band() -> None:
    s2 = MODALITIES["sentinel2"]
    arr = np.full((12, 8, 8), 500.0, np.float32)
    arr[10, :, :4] = np.nan  # B11 lost half the tile; every pixel still has *some* valid band
    per_band = valid_fraction_per_band(s2, arr)
    assert per_band["B11"] == 0.5 and per_band["B2"] == 1.0 and min(per_band.values()) == 0.5
