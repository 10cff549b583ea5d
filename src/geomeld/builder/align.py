"""Bring rasters onto a tile grid: kernels chosen from the registry, windowed reads, QC.

Rules (see ``geomeld-paper.md`` §3.6 and §8.1):

* continuous layers: bilinear when the source is as coarse as the grid or coarser, area mean when
  the source is clearly finer (downsampling);
* categorical layers: nearest neighbour, or the mode when downsampling;
* a source already on the grid's lattice (same CRS, same pixel size, integer offset) is copied
  without resampling.

Only the window of the source that covers the tile (plus a margin for the kernel) is read, which is
what makes the builder cheap on large COGs. Everything here works on open rasterio datasets or plain
arrays: no network, no catalog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import Resampling as Kernel
from rasterio.warp import reproject
from rasterio.windows import Window, from_bounds

from geomeld.builder.grid import GridSpec
from geomeld.core.modalities import Modality, Resampling

DOWNSAMPLING_RATIO = 1.5
"""A source is "finer" than the grid (→ mean / mode) when its pixels are this many times smaller."""


def kernel_for(kind: Resampling, src_pixel: float, dst_pixel: float) -> Kernel:
    """The resampling kernel for a registry resampling kind and the two pixel sizes (same units)."""
    downsampling = dst_pixel / src_pixel >= DOWNSAMPLING_RATIO
    if kind is Resampling.CATEGORICAL:
        return Kernel.mode if downsampling else Kernel.nearest
    return Kernel.average if downsampling else Kernel.bilinear


@lru_cache(maxsize=256)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def _crs_key(crs: Any) -> str:
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else (crs.to_wkt() if hasattr(crs, "to_wkt") else str(crs))


def source_pixel_in_grid_units(src_crs: Any, src_transform: Any, grid: GridSpec) -> float:
    """Size of one source pixel expressed in the grid CRS (metres for UTM grids), near the grid centre."""
    left, bottom, right, top = grid.bounds
    cx, cy = (left + right) / 2.0, (bottom + top) / 2.0
    src = _crs_key(src_crs)
    if src == grid.crs:
        return float(abs(src_transform.a))
    sx, sy = _transformer(grid.crs, src).transform(cx, cy)
    step = abs(src_transform.a)
    bx, by = _transformer(src, grid.crs).transform([sx, sx + step], [sy, sy])
    return float(math.hypot(bx[1] - bx[0], by[1] - by[0]))


def source_pixel_xy_in_grid_units(src_crs: Any, src_transform: Any, grid: GridSpec) -> tuple[float, float]:
    """Size of one source pixel along its x and its y axis, in grid units, near the grid centre.

    A geographic raster's pixel shrinks along x with latitude (cos φ) but not along y: a 1/12000°
    canopy product is 9.3 m × 9.3 m at the equator and 4.6 m × 9.3 m at 60° N.
    """
    left, bottom, right, top = grid.bounds
    cx, cy = (left + right) / 2.0, (bottom + top) / 2.0
    src = _crs_key(src_crs)
    if src == grid.crs:
        return float(abs(src_transform.a)), float(abs(src_transform.e))
    sx, sy = _transformer(grid.crs, src).transform(cx, cy)
    ax, ay = abs(src_transform.a), abs(src_transform.e)
    bx, by = _transformer(src, grid.crs).transform([sx, sx + ax, sx], [sy, sy, sy + ay])
    return (
        float(math.hypot(bx[1] - bx[0], by[1] - by[0])),
        float(math.hypot(bx[2] - bx[0], by[2] - by[0])),
    )


def grid_bounds_in(grid: GridSpec, crs: Any, densify: int = 8) -> tuple[float, float, float, float]:
    """Bounds of ``grid`` in another CRS (edges densified so curved edges are enclosed)."""
    left, bottom, right, top = grid.bounds
    f = np.linspace(0.0, 1.0, densify + 1)
    xs = np.concatenate(
        [left + f * (right - left), np.full_like(f, right), right - f * (right - left), np.full_like(f, left)]
    )
    ys = np.concatenate(
        [np.full_like(f, top), top - f * (top - bottom), np.full_like(f, bottom), bottom + f * (top - bottom)]
    )
    tx, ty = _transformer(grid.crs, _crs_key(crs)).transform(xs, ys)
    return float(np.min(tx)), float(np.min(ty)), float(np.max(tx)), float(np.max(ty))


@dataclass
class AlignedLayer:
    """One source brought onto a grid: bands × H × W, plus how it was done."""

    array: np.ndarray
    kernel: str
    fast_path: bool
    source_window: list[int] = field(
        default_factory=list
    )  # col_off, row_off, width, height (empty: no overlap)

    def record(self) -> dict[str, Any]:
        return {"kernel": self.kernel, "lattice_copy": self.fast_path, "source_window": self.source_window}


def equivalent_transform(src_key: str, src_transform: Any, grid: GridSpec) -> Affine | None:
    """The source's pixel grid expressed in the grid CRS when the two CRSs differ by a shift only.

    Same CRS: the source transform itself. Different CRSs that map the tile by a pure translation
    (within 1 % of a source pixel over the tile, e.g. NAD83 / UTM vs WGS 84 / UTM of the same zone):
    the shifted transform. Anything else (rotation, scale, geographic sources): ``None`` → warp.
    """
    t = src_transform
    if t.b != 0 or t.d != 0:
        return None
    if src_key == grid.crs:
        return Affine(t.a, 0.0, t.c, 0.0, t.e, t.f)
    left, bottom, right, top = grid.bounds
    px = np.array([left, right, left, right, (left + right) / 2])
    py = np.array([top, top, bottom, bottom, (top + bottom) / 2])
    try:
        sx, sy = _transformer(grid.crs, src_key).transform(px, py)
    except Exception:
        return None
    dx, dy = np.asarray(sx) - px, np.asarray(sy) - py
    tol = 0.01 * abs(t.a)
    if not (np.all(np.isfinite(dx)) and np.ptp(dx) <= tol and np.ptp(dy) <= tol):
        return None
    return Affine(t.a, 0.0, t.c - float(dx.mean()), 0.0, t.e, t.f - float(dy.mean()))


def _on_lattice(eq: Affine | None, grid: GridSpec) -> tuple[int, int] | None:
    """(col, row) offset of the grid origin in source pixels when the grid lies on the source lattice."""
    if eq is None:
        return None
    g = grid.transform
    if not (math.isclose(eq.a, g.a, rel_tol=1e-9) and math.isclose(eq.e, g.e, rel_tol=1e-9)):
        return None
    col = (g.c - eq.c) / eq.a
    row = (g.f - eq.f) / eq.e
    if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
        return None
    return round(col), round(row)


def _has_nodata(data: np.ndarray, nodata: float | int) -> bool:
    if isinstance(nodata, float) and math.isnan(nodata):
        return bool(np.isnan(data).any()) if data.dtype.kind == "f" else False
    return bool((data == nodata).any())


def fill_value(dtype: np.dtype, nodata: float | int | None) -> float | int:
    if nodata is None:
        return 0
    if np.issubdtype(dtype, np.floating):
        return float(nodata)
    return int(nodata)


def read_to_grid(
    ds: rasterio.io.DatasetReader,
    bands: list[int],
    grid: GridSpec,
    kind: Resampling,
    *,
    dst_dtype: np.dtype | str = "float32",
    dst_nodata: float | int | None = float("nan"),
    src_nodata: float | int | None = None,
    kernel: Kernel | None = None,
) -> AlignedLayer:
    """Read ``bands`` (1-based) of ``ds`` onto ``grid``, reading only the covering window.

    ``src_nodata`` overrides the dataset's own no-data value (e.g. 0 for Sentinel-2 DN). Pixels of the
    grid outside the source, and no-data pixels, become ``dst_nodata``.
    """
    dst_dtype = np.dtype(dst_dtype)
    nodata_in = ds.nodata if src_nodata is None else src_nodata
    fill = fill_value(dst_dtype, dst_nodata)
    out = np.full((len(bands), grid.height, grid.width), fill, dtype=dst_dtype)

    src_key = _crs_key(ds.crs)
    eq = equivalent_transform(src_key, ds.transform, grid)
    lattice = _on_lattice(eq, grid)
    if lattice is not None and kernel is None:
        col, row = lattice
        c0, r0 = max(col, 0), max(row, 0)
        c1, r1 = min(col + grid.width, ds.width), min(row + grid.height, ds.height)
        if c1 <= c0 or r1 <= r0:
            return AlignedLayer(out, "copy", True, [])
        win = Window(c0, r0, c1 - c0, r1 - r0)
        data = ds.read(bands, window=win)
        target = out[:, r0 - row : r1 - row, c0 - col : c1 - col]
        target[...] = data.astype(dst_dtype, copy=False)
        if nodata_in is not None and dst_nodata is not None:
            target[data == nodata_in] = fill
        return AlignedLayer(out, "copy", True, [c0, r0, c1 - c0, r1 - r0])

    src_pixel = abs(eq.a) if eq is not None else source_pixel_in_grid_units(ds.crs, ds.transform, grid)
    chosen = kernel if kernel is not None else kernel_for(kind, src_pixel, grid.pixel_m)
    # The window of the source covering the grid, with a margin for the kernel footprint.
    left, bottom, right, top = grid_bounds_in(grid, ds.crs)
    margin_x = 2 * abs(ds.transform.a) + (grid.pixel_m if chosen in (Kernel.average, Kernel.mode) else 0)
    margin_y = 2 * abs(ds.transform.e)
    win = from_bounds(left - margin_x, bottom - margin_y, right + margin_x, top + margin_y, ds.transform)
    col0 = max(math.floor(win.col_off), 0)
    row0 = max(math.floor(win.row_off), 0)
    col1 = min(math.ceil(win.col_off + win.width), ds.width)
    row1 = min(math.ceil(win.row_off + win.height), ds.height)
    if col1 <= col0 or row1 <= row0:
        return AlignedLayer(out, chosen.name, False, [])
    win = Window(col0, row0, col1 - col0, row1 - row0)
    data = ds.read(bands, window=win)
    wt = ds.window_transform(win)
    if chosen is Kernel.bilinear and dst_dtype.kind == "f" and eq is not None:
        out[...] = separable_bilinear(data, eq @ Affine.translation(col0, row0), grid, nodata_in)
        return AlignedLayer(out, "bilinear_separable", False, [col0, row0, col1 - col0, row1 - row0])
    if nodata_in is not None and not _has_nodata(data, nodata_in):
        nodata_in = None  # GDAL's masked warp path is several times slower; skip it when unneeded
    reproject(
        source=data,
        destination=out,
        src_transform=wt,
        src_crs=ds.crs,
        src_nodata=nodata_in,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=dst_nodata,
        resampling=chosen,
        init_dest_nodata=True,
    )
    return AlignedLayer(out, chosen.name, False, [col0, row0, col1 - col0, row1 - row0])


def separable_bilinear(
    data: np.ndarray, src_transform: Any, grid: GridSpec, nodata: float | int | None
) -> np.ndarray:
    """Bilinear resampling between two north-up grids of the same CRS, without a general warper.

    Output pixel centres are mapped to fractional source pixel coordinates along each axis; the four
    neighbours are weighted as in GDAL's bilinear kernel, renormalised over the valid ones (no-data
    and NaN neighbours drop out). As in GDAL's warper, a centre whose *containing* source pixel is
    no-data stays no-data (same no-data pattern as ``rasterio.warp.reproject`` on the same inputs).
    Centres outside the source extent are NaN. Several times faster
    than a warp for the common case of Sentinel-2 20/60 m bands onto the 10 m grid.
    """
    src = data.astype(np.float32)
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        src[data == nodata] = np.nan
    _, h, w = src.shape
    g = grid.transform
    xs = g.c + (np.arange(grid.width) + 0.5) * g.a
    ys = g.f + (np.arange(grid.height) + 0.5) * g.e
    u = (xs - src_transform.c) / src_transform.a - 0.5
    v = (ys - src_transform.f) / src_transform.e - 0.5
    inside_u = (u >= -0.5) & (u <= w - 0.5)
    inside_v = (v >= -0.5) & (v <= h - 0.5)
    u_raw, v_raw = u, v
    u = np.clip(u, 0.0, w - 1.0)
    v = np.clip(v, 0.0, h - 1.0)
    j0 = np.minimum(np.floor(u).astype(np.int64), max(w - 2, 0))
    i0 = np.minimum(np.floor(v).astype(np.int64), max(h - 2, 0))
    fu = np.clip(u - j0, 0.0, 1.0)
    fv = np.clip(v - i0, 0.0, 1.0)
    j1 = np.minimum(j0 + 1, w - 1)
    i1 = np.minimum(i0 + 1, h - 1)
    if not np.isnan(src).any():
        # no gaps: interpolate along rows, then along columns (two small gathers)
        fv32, fu32 = fv.astype(np.float32)[:, None], fu.astype(np.float32)[None, :]
        rows = src[:, i0, :] * (1.0 - fv32) + src[:, i1, :] * fv32
        res = rows[:, :, j0] * (1.0 - fu32) + rows[:, :, j1] * fu32
        res[:, ~inside_v, :] = np.nan
        res[:, :, ~inside_u] = np.nan
        return res.astype(np.float32, copy=False)
    acc = np.zeros((src.shape[0], grid.height, grid.width))
    wsum = np.zeros_like(acc)
    for ii, wi in ((i0, 1.0 - fv), (i1, fv)):
        for jj, wj in ((j0, 1.0 - fu), (j1, fu)):
            vals = src[:, ii[:, None], jj[None, :]]
            wgt = np.broadcast_to(wi[:, None] * wj[None, :], vals.shape)
            ok = np.isfinite(vals)
            acc += np.where(ok, vals * wgt, 0.0)
            wsum += np.where(ok, wgt, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = acc / wsum
    out[wsum <= 1e-12] = np.nan
    # GDAL's warper computes a destination pixel only when the source pixel *containing* its centre is
    # valid; the renormalised kernel above would otherwise spread values into no-data pixels. (Per
    # band, as GDAL does for the single-band reads the builder makes; for a multi-band warp with
    # band-specific holes GDAL unifies the masks and reads no-data as a value, which is not copied.)
    jc = np.clip(np.floor(u_raw + 0.5).astype(np.int64), 0, w - 1)
    ic = np.clip(np.floor(v_raw + 0.5).astype(np.int64), 0, h - 1)
    out[~np.isfinite(src[:, ic[:, None], jc[None, :]])] = np.nan
    out[:, ~inside_v, :] = np.nan
    out[:, :, ~inside_u] = np.nan
    return out.astype(np.float32)


def reproject_array(
    src: np.ndarray,
    src_transform: Any,
    src_crs: Any,
    grid: GridSpec,
    kind: Resampling,
    *,
    src_nodata: float | int | None = None,
    dst_dtype: np.dtype | str = "float32",
    dst_nodata: float | int | None = float("nan"),
) -> np.ndarray:
    """Reproject an in-memory (bands, H, W) array onto ``grid`` with the registry rule for ``kind``."""
    arr = src if src.ndim == 3 else src[None]
    dst_dtype = np.dtype(dst_dtype)
    out = np.full((arr.shape[0], grid.height, grid.width), fill_value(dst_dtype, dst_nodata), dtype=dst_dtype)
    chosen = kernel_for(kind, source_pixel_in_grid_units(src_crs, src_transform, grid), grid.pixel_m)
    reproject(
        source=arr,
        destination=out,
        src_transform=src_transform,
        src_crs=src_crs,
        src_nodata=src_nodata,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=dst_nodata,
        resampling=chosen,
    )
    return out


def block_mean_std(fine: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of ``factor`` × ``factor`` blocks of a 2-D float array, NaN-aware.

    Used to turn a fine height raster (e.g. 2 m LiDAR height above ground) into the 10 m
    ``canopy_height`` pair (height, stddev). Blocks without any valid pixel are NaN.
    """
    h, w = fine.shape
    if h % factor or w % factor:
        raise ValueError(f"array of shape {fine.shape} is not a multiple of block size {factor}")
    blocks = (
        fine.reshape(h // factor, factor, w // factor, factor)
        .transpose(0, 2, 1, 3)
        .reshape(h // factor, w // factor, -1)
    )
    valid = np.isfinite(blocks)
    count = valid.sum(axis=-1)
    total = np.where(valid, blocks, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        sq = np.where(valid, (blocks - mean[..., None]) ** 2, 0.0).sum(axis=-1) / count
    mean = np.where(count > 0, mean, np.nan)
    std = np.where(count > 0, np.sqrt(sq), np.nan)
    return mean.astype(np.float32), std.astype(np.float32)


def slope_degrees(elevation: np.ndarray, pixel_m: float) -> np.ndarray:
    """Terrain slope in degrees with Horn's 3 × 3 finite differences.

    ``elevation`` must carry a one-pixel margin around the region of interest: the result is two
    pixels smaller in each dimension (the interior). NaN propagates.
    """
    z = np.asarray(elevation, dtype=np.float64)
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * pixel_m)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * pixel_m)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy))).astype(np.float32)


def valid_fraction(modality: Modality, array: np.ndarray) -> float:
    """Share of pixels with at least one valid band."""
    if array.size == 0:
        return 0.0
    return float(modality.valid_mask(array).any(axis=0).mean())


def valid_fraction_per_band(modality: Modality, array: np.ndarray) -> dict[str, float]:
    """Share of valid pixels in each band (named as in the registry, full band order assumed)."""
    if array.size == 0:
        return {name: 0.0 for name in modality.band_names}
    mask = modality.valid_mask(array)
    return {name: float(mask[i].mean()) for i, name in enumerate(modality.band_names[: mask.shape[0]])}


@dataclass
class QualityReport:
    """QC of one tile: per-modality valid fractions, cloud share, and the rejection reason if any."""

    valid_fraction: dict[str, float] = field(default_factory=dict)
    cloud_share: float | None = None
    rejected: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "valid_fraction": {k: round(v, 4) for k, v in self.valid_fraction.items()},
            "cloud_share": None if self.cloud_share is None else round(self.cloud_share, 4),
            "rejected": self.rejected,
        }


SCL_CLOUD_CLASSES = (3, 8, 9, 10)
"""Sentinel-2 scene classification codes counted as cloud: shadow, cloud medium/high probability, cirrus."""


def cloud_share_from_scl(scl: np.ndarray) -> float:
    """Share of valid SCL pixels (class ≠ 0 no-data) that are cloud, shadow or cirrus."""
    valid = scl != 0
    if not valid.any():
        return 1.0
    return float(np.isin(scl[valid], SCL_CLOUD_CLASSES).mean())
