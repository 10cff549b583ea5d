"""Terrain signals from the DEM: geomorphon landforms (Jasiewicz & Stepinski 2013), relief and slope.

Geomorphons are computed here with vectorised numpy (:func:`geomorphon_forms`, about 1.5 ms for a
128 × 128 tile on one core); they reproduce whitebox-workflows' ``geomorphons`` (``output_forms=True``)
class for class — the tests compare the two on windows of the real Copernicus DEM shipped in
``geomeld/data/real`` — and whitebox stays available as :func:`whitebox_geomorphon_forms` (extra
``terrain``) for that comparison.

The rule, per cell and for each of the 8 directions (east first, counter-clockwise): walk ``d = 1 …
search`` cells along the direction (diagonal steps are √2 cells long); the elevation angles
``atan((z_d − z_0) / distance_d)`` give a maximum ``β`` and a minimum ``δ`` (no-data cells skipped).
The direction is *flat* unless ``|β| > t`` or ``|δ| > t`` (``t`` = flatness threshold); otherwise it
is *higher* when ``β + δ > t`` and *lower* when ``β + δ < −t`` (the paper's nadir-minus-zenith
difference). A direction whose ray would leave the grid within ``search`` cells counts as flat, and
the outermost ring of cells is unclassified (0) — both exactly as whitebox does. The form is the
Jasiewicz–Stepinski lookup on the numbers of lower and higher directions.

Our defaults (geomeld-paper.md §8.1): search radius 10 cells (100 m at 10 m), flatness threshold 1°,
and the tile label ``terrain_class`` is the majority form over the classified pixels, spelled as in
the release ("Flat", "Hollow", …).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.errors import GeomeldError
from geomeld.signals.models import TerrainSignal

GEOMORPHON_FORMS = (
    "Flat",
    "Peak",
    "Ridge",
    "Shoulder",
    "Spur",
    "Slope",
    "Hollow",
    "Footslope",
    "Valley",
    "Pit",
)
"""The ten landforms in whitebox's output code order 1…10 (released spellings: "Flat", "Hollow")."""

SEARCH_DISTANCE_CELLS = 10
FLATNESS_THRESHOLD_DEG = 1.0
WBT_NODATA = -32768.0


# Jasiewicz & Stepinski's lookup: form code by [number of lower directions][number of higher ones]
# (0 marks impossible combinations: the two counts add up to at most 8).
_FORM_LOOKUP = np.array(
    [
        [1, 1, 1, 8, 8, 9, 9, 9, 10],
        [1, 1, 8, 8, 8, 9, 9, 9, 0],
        [1, 4, 6, 6, 7, 7, 9, 0, 0],
        [4, 4, 6, 6, 6, 7, 0, 0, 0],
        [4, 4, 5, 6, 6, 0, 0, 0, 0],
        [3, 3, 5, 5, 0, 0, 0, 0, 0],
        [3, 3, 3, 0, 0, 0, 0, 0, 0],
        [3, 3, 0, 0, 0, 0, 0, 0, 0],
        [2, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=np.uint8,
)
_DIRECTIONS = ((1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1))
"""(column step, row step) from the east, counter-clockwise (row steps grow southwards)."""


def geomorphon_forms(
    elevation: np.ndarray,
    pixel_m: float = 10.0,
    search_distance: int = SEARCH_DISTANCE_CELLS,
    flatness_threshold: float = FLATNESS_THRESHOLD_DEG,
) -> np.ndarray:
    """Per-pixel form codes (uint8: 1…10 as in :data:`GEOMORPHON_FORMS`, 0 = unclassified).

    Vectorised over the grid: for each direction and step one shifted view of a padded copy, so the
    cost is 8 × ``search_distance`` array passes (float32 differences, float64 angles).
    """
    z = np.asarray(elevation, dtype=np.float32)
    if z.ndim != 2:
        raise ValueError(f"geomorphons need a 2-D elevation array, got shape {z.shape}")
    if search_distance < 1:
        raise ValueError(f"geomorphon search distance must be ≥ 1 cell, got {search_distance}")
    h, w = z.shape
    n = int(search_distance)
    finite = np.isfinite(z)
    has_gaps = not bool(finite.all())
    # Padding cells only feed rays that leave the grid, and those directions are discarded below.
    padded = np.zeros((h + 2 * n, w + 2 * n), dtype=np.float32)
    padded[n : n + h, n : n + w] = z
    if has_gaps:
        padded[~np.isfinite(padded)] = np.nan
    upper, lower = (np.fmax, np.fmin) if has_gaps else (np.maximum, np.minimum)
    tan_t = float(np.tan(np.radians(flatness_threshold)))
    t_rad = float(np.radians(flatness_threshold))
    n_lower = np.zeros((h, w), dtype=np.uint8)
    n_higher = np.zeros((h, w), dtype=np.uint8)
    diff = np.empty((h, w), dtype=np.float32)
    hi = np.empty((h, w), dtype=np.float32)
    lo = np.empty((h, w), dtype=np.float32)
    for dx, dy in _DIRECTIONS:
        step_m = pixel_m * (np.sqrt(2.0) if dx and dy else 1.0)
        hi.fill(-np.inf)
        lo.fill(np.inf)
        for d in range(1, n + 1):
            r, c = n + dy * d, n + dx * d
            np.subtract(padded[r : r + h, c : c + w], z, out=diff)
            diff *= np.float32(1.0 / (d * step_m))
            upper(hi, diff, out=hi)
            lower(lo, diff, out=lo)
        # whitebox leaves a direction flat when its ray leaves the grid within the search distance
        r0, r1 = max(0, -dy * n), h - max(0, dy * n)
        c0, c1 = max(0, -dx * n), w - max(0, dx * n)
        if r0 >= r1 or c0 >= c1:
            continue
        top = hi[r0:r1, c0:c1].astype(np.float64)
        bottom = lo[r0:r1, c0:c1].astype(np.float64)
        with np.errstate(invalid="ignore"):  # ±inf where every cell of the ray is no-data
            decided = (np.abs(top) > tan_t) | (np.abs(bottom) > tan_t)
            balance = np.arctan(top) + np.arctan(bottom)
        n_higher[r0:r1, c0:c1] += decided & (balance > t_rad)
        n_lower[r0:r1, c0:c1] += decided & (balance < -t_rad)
    forms = _FORM_LOOKUP[n_lower, n_higher]
    keep = finite
    keep[0, :] = keep[-1, :] = keep[:, 0] = keep[:, -1] = False
    forms[~keep] = 0
    return forms


class TerrainDependencyError(GeomeldError, ImportError):
    """whitebox-workflows is not installed."""


def _whitebox() -> Any:
    try:
        # imported by name: the package's bundled type stubs do not parse under mypy
        return importlib.import_module("whitebox_workflows")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TerrainDependencyError(
            "geomorphons need whitebox-workflows: pip install 'geomeld[terrain]'"
        ) from exc


class _WhiteboxRunner:
    """One whitebox environment and one base raster per grid shape (thread-safe, per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._env: Any = None
        self._bases: dict[tuple[int, int, float], Any] = {}
        self._tmp = tempfile.mkdtemp(prefix="geomeld-wbt-")

    def _base(self, shape: tuple[int, int], pixel_m: float) -> Any:
        key = (shape[0], shape[1], pixel_m)
        if key not in self._bases:
            import rasterio
            from affine import Affine

            path = os.path.join(self._tmp, f"base_{shape[0]}x{shape[1]}_{pixel_m:g}.tif")
            # A local metric grid: geomorphons only need the cell size, not the true location.
            with rasterio.open(
                path,
                "w",
                driver="GTiff",
                width=shape[1],
                height=shape[0],
                count=1,
                dtype="float32",
                crs="EPSG:32633",
                transform=Affine(pixel_m, 0.0, 500000.0, 0.0, -pixel_m, 5000000.0),
                nodata=WBT_NODATA,
            ) as ds:
                ds.write(np.zeros(shape, dtype=np.float32), 1)
            self._bases[key] = self._env.read_raster(path)
        return self._bases[key]

    def forms(self, elevation: np.ndarray, pixel_m: float, search: int, flatness: float) -> np.ndarray:
        wbw = _whitebox()
        with self._lock:
            if self._env is None:
                self._env = wbw.WbEnvironment()
                self._env.verbose = False
            base = self._base(elevation.shape, pixel_m)
            z = np.where(np.isfinite(elevation), elevation, WBT_NODATA).astype(np.float64)
            raster = wbw.Raster.from_numpy(z, base)
            out = self._env.geomorphons(raster, search_distance=search, flatness_threshold=flatness)
            codes = np.asarray(out.to_numpy())
        result = np.zeros(codes.shape, dtype=np.uint8)
        ok = (codes >= 1) & (codes <= 10)
        result[ok] = codes[ok].astype(np.uint8)
        return result


_RUNNER: _WhiteboxRunner | None = None


def whitebox_geomorphon_forms(
    elevation: np.ndarray,
    pixel_m: float = 10.0,
    search_distance: int = SEARCH_DISTANCE_CELLS,
    flatness_threshold: float = FLATNESS_THRESHOLD_DEG,
) -> np.ndarray:
    """whitebox-workflows' geomorphon forms (the reference :func:`geomorphon_forms` is tested against;
    needs the ``terrain`` extra). Same codes: uint8 1…10 as in :data:`GEOMORPHON_FORMS`, 0 = unclassified."""
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = _WhiteboxRunner()
    return _RUNNER.forms(
        np.asarray(elevation, dtype=np.float64), pixel_m, search_distance, flatness_threshold
    )


class GeomorphonCache:
    """Form maps keyed by DEM content + parameters: an in-memory LRU, optionally backed by a folder."""

    def __init__(self, directory: str | Path | None = None, max_items: int = 4096) -> None:
        self.directory = Path(directory) if directory else None
        self.max_items = max_items
        self._mem: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(elevation: np.ndarray, pixel_m: float, search: int, flatness: float) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(np.ascontiguousarray(elevation, dtype=np.float32).tobytes())
        h.update(f"{elevation.shape}|{pixel_m}|{search}|{flatness}".encode())
        return h.hexdigest()

    def get_or_compute(
        self, elevation: np.ndarray, pixel_m: float, search: int, flatness: float
    ) -> np.ndarray:
        k = self.key(elevation, pixel_m, search, flatness)
        if k in self._mem:
            self.hits += 1
            self._mem.move_to_end(k)
            return self._mem[k]
        path = self.directory / f"{k}.npy" if self.directory else None
        if path is not None and path.exists():
            forms = np.load(path)
            self.hits += 1
        else:
            self.misses += 1
            forms = geomorphon_forms(elevation, pixel_m, search, flatness)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(tmp, forms)
                os.replace(tmp, path)
        self._mem[k] = forms
        if len(self._mem) > self.max_items:
            self._mem.popitem(last=False)
        return forms


def slope_degrees(elevation: np.ndarray, pixel_m: float) -> np.ndarray:
    """Slope in degrees from central differences (NaN where a neighbour is missing)."""
    gy, gx = np.gradient(np.asarray(elevation, dtype=np.float64), pixel_m)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def terrain_signal(
    elevation: np.ndarray,
    slope: np.ndarray | None = None,
    *,
    pixel_m: float = 10.0,
    search_distance: int = SEARCH_DISTANCE_CELLS,
    flatness_threshold: float = FLATNESS_THRESHOLD_DEG,
    cache: GeomorphonCache | None = None,
) -> TerrainSignal | None:
    """Geomorphon forms and relief/slope statistics; ``None`` when the DEM has no valid pixel."""
    z = np.asarray(elevation, dtype=np.float64)
    valid = np.isfinite(z)
    if not valid.any():
        return None
    zv = z[valid]
    slope_source = "band"
    s = None
    if slope is not None:
        s = np.asarray(slope, dtype=np.float64)
        if not np.isfinite(s).any():
            s = None
    if s is None:
        s = slope_degrees(z, pixel_m)
        slope_source = "computed"
    sv = s[np.isfinite(s)]
    if sv.size == 0:
        sv = np.zeros(1)
    if cache is not None:
        forms = cache.get_or_compute(z, pixel_m, search_distance, flatness_threshold)
    else:
        forms = geomorphon_forms(z, pixel_m, search_distance, flatness_threshold)
    counts = np.bincount(forms.ravel(), minlength=11)[1:11]
    total = int(counts.sum())
    fractions: dict[str, float] = {}
    terrain_class = None
    if total > 0:
        for name, n in zip(GEOMORPHON_FORMS, counts, strict=True):
            if n:
                fractions[name] = round(100.0 * float(n) / total, 4)
        terrain_class = GEOMORPHON_FORMS[int(counts.argmax())]
    p2, p98 = np.percentile(zv, [2, 98])
    return TerrainSignal(
        terrain_class=terrain_class,
        forms=fractions,
        elevation_min=float(zv.min()),
        elevation_max=float(zv.max()),
        elevation_mean=float(zv.mean()),
        relief=float(p98 - p2),
        slope_mean=float(sv.mean()),
        slope_p90=float(np.percentile(sv, 90)),
        slope_max=float(sv.max()),
        slope_source=slope_source,
        geomorphon_params={
            "search_distance_cells": float(search_distance),
            "flatness_threshold_deg": float(flatness_threshold),
            "pixel_m": float(pixel_m),
        },
    )
