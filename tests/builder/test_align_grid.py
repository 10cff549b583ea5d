"""Alignment checked numerically on real rasters of the embedded sample.

* a BigEarthNet Sentinel-1 patch and its Sentinel-2 patch land on the same tile pixels;
* a 20 m band is bilinearly interpolated exactly as computed by hand;
* downsampling uses the area mean (continuous) and the mode (categorical);
* slope equals Horn's formula worked out by hand on the aligned elevation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.enums import Resampling as Kernel

from geomeld.builder.align import block_mean_std, kernel_for, read_to_grid, slope_degrees
from geomeld.builder.grid import GridSpec, lonlat_of, tile_for_anchor
from geomeld.core.data import data_dir as _data_dir
from geomeld.core.modalities import Resampling

REAL = _data_dir() / "real"
S2 = REAL / "bigearthnet/s2/S2A_MSIL2A_20170613T101031_87_48"
S1 = REAL / "bigearthnet/s1/S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48"


def _band(folder: Path, suffix: str) -> Path:
    (p,) = folder.glob(f"*_{suffix}.tif")
    return p


def _ben_tile():  # type: ignore[no-untyped-def]
    with rasterio.open(_band(S2, "B02")) as ds:
        b = ds.bounds
    lon, lat = lonlat_of((b.left + b.right) / 2, (b.bottom + b.top) / 2, 32633)
    return tile_for_anchor(lat, lon, "ben")


def test_kernel_choice_follows_registry() -> None:
    assert kernel_for(Resampling.CONTINUOUS, 20, 10) is Kernel.bilinear
    assert kernel_for(Resampling.CONTINUOUS, 2, 10) is Kernel.average
    assert kernel_for(Resampling.CATEGORICAL, 10, 10) is Kernel.nearest
    assert kernel_for(Resampling.CATEGORICAL, 10, 30) is Kernel.mode


def test_s1_and_s2_patches_land_on_the_same_pixels() -> None:
    tile = _ben_tile()
    grid = tile.grid_10m
    with rasterio.open(_band(S2, "B02")) as ds:
        s2_src = ds.read(1)
        s2 = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS, src_nodata=0)
        col = round((ds.bounds.left - grid.bounds[0]) / 10)
        row = round((grid.bounds[3] - ds.bounds.top) / 10)
    with rasterio.open(_band(S1, "VV")) as ds:
        s1_src = ds.read(1)
        s1 = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS)
    assert s2.fast_path and s1.fast_path  # same lattice: copied, not interpolated
    s2_valid, s1_valid = np.isfinite(s2.array[0]), np.isfinite(s1.array[0])
    assert s2_valid.sum() == 120 * 120
    np.testing.assert_array_equal(s2_valid, s1_valid)
    np.testing.assert_array_equal(s2.array[0, row : row + 120, col : col + 120], s2_src.astype(np.float32))
    np.testing.assert_array_equal(s1.array[0, row : row + 120, col : col + 120], s1_src)


def test_20m_band_is_bilinear_by_hand() -> None:
    tile = _ben_tile()
    grid = tile.grid_10m
    with rasterio.open(_band(S2, "B05")) as ds:
        src = ds.read(1).astype(np.float64)
        t = ds.transform
        out = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS, src_nodata=0).array[0]
    checked = 0
    for r in range(20, 100, 13):
        for c in range(20, 100, 11):
            x = grid.transform.c + (c + 0.5) * 10
            y = grid.transform.f - (r + 0.5) * 10
            u = (x - t.c) / t.a - 0.5
            v = (y - t.f) / t.e - 0.5
            i0, j0 = int(np.floor(v)), int(np.floor(u))
            fv, fu = v - i0, u - j0
            expect = (
                src[i0, j0] * (1 - fv) * (1 - fu)
                + src[i0, j0 + 1] * (1 - fv) * fu
                + src[i0 + 1, j0] * fv * (1 - fu)
                + src[i0 + 1, j0 + 1] * fv * fu
            )
            assert out[r, c] == pytest.approx(expect, rel=1e-4, abs=0.5)
            checked += 1
    assert checked > 30


def test_downsampling_uses_area_mean_and_mode() -> None:
    lc = REAL / "brandenburg_landcover/osm_worldcover_west.tif"
    s2 = REAL / "brandenburg_s2/T33UUU_20170216T102101_B02_west.tif"
    with rasterio.open(lc) as ds:
        t = ds.transform
        # a 30 m grid on the 10 m lattice: each 30 m pixel is exactly a 3 x 3 block
        grid = GridSpec(ds.crs.to_string(), Affine(30.0, 0, t.c + 300, 0, -30.0, t.f - 300), 40, 40)
        labels = ds.read(1)
        mode = read_to_grid(ds, [1], grid, Resampling.CATEGORICAL, dst_dtype="uint8", dst_nodata=0).array[0]
    blocks = (
        labels[30 : 30 + 120, 30 : 30 + 120].reshape(40, 3, 40, 3).transpose(0, 2, 1, 3).reshape(40, 40, 9)
    )
    compared = 0
    for r in range(40):
        for c in range(40):
            vals, counts = np.unique(blocks[r, c][blocks[r, c] != 0], return_counts=True)
            if len(vals) and counts.max() >= 5:  # strict majority: the mode is unambiguous
                assert mode[r, c] == vals[counts.argmax()]
                compared += 1
    assert compared > 100
    assert set(np.unique(mode)) <= set(np.unique(labels))  # no invented classes
    with rasterio.open(s2) as ds:
        dn = ds.read(1).astype(np.float64)
        mean = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS, src_nodata=0).array[0]
    expect = dn[30:150, 30:150].reshape(40, 3, 40, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(mean, expect, rtol=1e-5)


def test_block_mean_std_by_hand() -> None:
    with rasterio.open(REAL / "lidar_hag/hag.tif") as ds:
        hag = ds.read(1, masked=True).filled(np.nan)[:250, :250]
    mean, std = block_mean_std(hag, 5)
    block = hag[10:15, 20:25]
    assert mean[2, 4] == pytest.approx(np.nanmean(block), rel=1e-5)
    assert std[2, 4] == pytest.approx(np.nanstd(block), rel=1e-4)


def test_slope_matches_horn_by_hand_on_real_dem() -> None:
    dem = REAL / "copernicus_dem/Copernicus_DSM_COG_10_N00_00_E006_00_DEM_crop.tif"
    tile = tile_for_anchor(0.2, 6.55, "dem")
    grid = tile.grid_10m.padded(1)
    with rasterio.open(dem) as ds:
        elev = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS).array[0].astype(np.float64)
        # cross-CRS check: an aligned value lies within its 2 x 2 source neighbourhood
        x = grid.transform.c + 65.5 * 10
        y = grid.transform.f - 65.5 * 10
        lon, lat = lonlat_of(x, y, tile.epsg)
        row, col = ds.index(lon, lat)
        patch = ds.read(1, window=((row - 1, row + 2), (col - 1, col + 2)))
        assert patch.min() - 1e-3 <= elev[65, 65] <= patch.max() + 1e-3
    slope = slope_degrees(elev, 10.0)
    assert slope.shape == (128, 128)
    r, c = 71, 42  # interior pixel of the 128 grid -> (r+1, c+1) in the padded one
    z = elev[r : r + 3, c : c + 3]
    dzdx = ((z[0, 2] + 2 * z[1, 2] + z[2, 2]) - (z[0, 0] + 2 * z[1, 0] + z[2, 0])) / 80.0
    dzdy = ((z[2, 0] + 2 * z[2, 1] + z[2, 2]) - (z[0, 0] + 2 * z[0, 1] + z[0, 2])) / 80.0
    by_hand = np.degrees(np.arctan(np.sqrt(dzdx**2 + dzdy**2)))
    assert slope[r, c] == pytest.approx(by_hand, rel=1e-5)
    assert float(np.nanmin(slope)) >= 0.0 and float(np.nanmax(slope)) < 90.0
    assert float(np.nanmax(slope)) > 10.0  # Pico de Sao Tome is steep


def test_plane_has_the_analytic_slope() -> None:
    yy, xx = np.mgrid[0:12, 0:12].astype(np.float64)
    plane = 0.3 * xx * 10 + 0.4 * yy * 10  # rises 0.3 m/m east, 0.4 m/m south
    slope = slope_degrees(plane, 10.0)
    np.testing.assert_allclose(slope, np.degrees(np.arctan(0.5)), rtol=1e-6)


def test_separable_bilinear_agrees_with_gdal_warp() -> None:
    """The same-CRS fast path and GDAL's bilinear warp give the same 10 m image of a 20 m band."""
    import numpy as np
    from rasterio.warp import reproject

    from geomeld.builder.grid import tile_for_anchor

    s2 = REAL / "brandenburg_s2/T33UUU_20170216T102101_B11_west.tif"
    with rasterio.open(s2) as ds:
        b = ds.bounds
        lon, lat = lonlat_of(b.left + 3000, b.top - 3000, 32633)
        grid = tile_for_anchor(lat, lon, "x").grid_10m
        fast = read_to_grid(ds, [1], grid, Resampling.CONTINUOUS, src_nodata=0)
        gdal = np.full((1, 128, 128), np.nan, dtype=np.float32)
        reproject(
            rasterio.band(ds, 1),
            gdal,
            dst_transform=grid.transform,
            dst_crs=grid.crs,
            src_nodata=0,
            dst_nodata=np.nan,
            resampling=Kernel.bilinear,
        )
    assert fast.kernel == "bilinear_separable"
    np.testing.assert_allclose(fast.array, gdal, rtol=1e-4, atol=0.5)
