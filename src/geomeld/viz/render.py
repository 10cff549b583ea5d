"""Render one modality of a sample as an 8-bit RGBA picture.

Every renderer takes the array as stored (``(C, H, W)``) plus band names and returns
``(H, W, 4)`` uint8. No-data pixels are transparent, so a missing modality shows as an empty tile
instead of a misleading black square. Palettes and class names come from the registry.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geomeld.core.modalities import ClassTable, Modality

RGBA = np.ndarray


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _stretch(values: np.ndarray, valid: np.ndarray, low: float = 2.0, high: float = 98.0) -> np.ndarray:
    """Percentile stretch to 0…1 computed over the valid pixels only."""
    out = np.zeros(values.shape, dtype=np.float32)
    if not valid.any():
        return out
    lo, hi = np.percentile(values[valid], [low, high])
    if hi <= lo:
        hi = lo + 1e-6
    out[valid] = np.clip((values[valid] - lo) / (hi - lo), 0.0, 1.0)
    return out


def _to_rgba(channels: Sequence[np.ndarray], valid: np.ndarray) -> RGBA:
    rgb = np.stack(channels, axis=-1)
    alpha = np.where(valid, 255, 0).astype(np.uint8)
    return np.concatenate([(rgb * 255.0 + 0.5).astype(np.uint8), alpha[..., None]], axis=-1)


def _grey_world(plane: np.ndarray, valid: np.ndarray, target: float = 0.42) -> np.ndarray:
    """Gamma that brings the band's median to ``target`` (grey-world balance), gamma kept in [0.4, 2.5]."""
    if not valid.any():
        return plane
    median = float(np.median(plane[valid]))
    if not 0.0 < median < 1.0:
        return plane
    gamma = float(np.clip(np.log(target) / np.log(median), 0.4, 2.5))
    return np.where(valid, np.power(plane, gamma), 0.0).astype(np.float32)


def composite(
    array: np.ndarray,
    band_names: Sequence[str],
    bands: Sequence[str],
    modality: Modality,
    balance: bool = False,
) -> RGBA | None:
    """A three-band composite, each band stretched between its own 2nd and 98th percentile.

    A per-band stretch handles top-of-atmosphere (L1C) and surface (L2A) reflectance alike: the strong
    blue path radiance of TOA data no longer tints the picture, as one stretch shared by the bands did.
    ``balance`` (for true colour) also equalises the bands' medians by a per-band gamma (grey world),
    which removes the remaining haze cast of winter TOA scenes. ``None`` if a band is missing.
    """
    names = list(band_names)
    if any(b not in names for b in bands):
        return None
    planes = [np.asarray(array[names.index(b)], dtype=np.float32) for b in bands]
    valid = np.logical_and.reduce([modality.valid_mask(p) for p in planes])
    stretched = [_stretch(p, valid) for p in planes]
    if balance:
        stretched = [_grey_world(p, valid) for p in stretched]
    return _to_rgba(stretched, valid)


def sar_composite(
    array: np.ndarray, band_names: Sequence[str], modality: Modality
) -> tuple[RGBA, str] | None:
    """VV, VH and VV−VH (dB) as R, G, B for the first orbit direction that has data."""
    names = list(band_names)
    for orbit in ("asc", "desc"):
        vv, vh = f"VV_{orbit}", f"VH_{orbit}"
        if vv not in names or vh not in names:
            continue
        a_vv = np.asarray(array[names.index(vv)], dtype=np.float32)
        a_vh = np.asarray(array[names.index(vh)], dtype=np.float32)
        valid = modality.valid_mask(a_vv) & modality.valid_mask(a_vh)
        if not valid.any():
            continue
        r = _stretch(a_vv, valid)
        g = _stretch(a_vh, valid)
        b = _stretch(np.where(valid, a_vv - a_vh, 0.0), valid)
        return _to_rgba([r, g, b], valid), orbit
    return None


def hillshade(
    elevation: np.ndarray, pixel_m: float, azimuth_deg: float = 315.0, altitude_deg: float = 45.0
) -> RGBA:
    """Classic Lambertian hillshade (grey), no-data transparent."""
    z = np.asarray(elevation, dtype=np.float64)
    valid = np.isfinite(z)
    if not valid.any():
        return _to_rgba([np.zeros(z.shape)] * 3, valid)
    filled = np.where(valid, z, np.nanmean(z))
    dz_dy, dz_dx = np.gradient(filled, pixel_m)
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(-dz_dx, dz_dy)
    az = np.deg2rad(360.0 - azimuth_deg + 90.0)
    alt = np.deg2rad(altitude_deg)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    shade = np.clip(shade, 0.0, 1.0).astype(np.float32)
    return _to_rgba([shade, shade, shade], valid)


def colormap(values: np.ndarray, valid: np.ndarray, vmin: float, vmax: float, cmap: str = "viridis") -> RGBA:
    """A continuous layer through a matplotlib colour map with fixed limits."""
    from matplotlib import colormaps

    span = max(vmax - vmin, 1e-6)
    norm = np.clip((np.where(valid, values, vmin) - vmin) / span, 0.0, 1.0)
    rgba = (colormaps[cmap](norm) * 255.0 + 0.5).astype(np.uint8)
    rgba[..., 3] = np.where(valid, 255, 0)
    return rgba


def categorical(labels: np.ndarray, classes: ClassTable) -> RGBA:
    """A label map in the product's official palette; no-data and unknown codes transparent."""
    lab = np.asarray(labels)
    lut = np.zeros((256, 4), dtype=np.uint8)
    for code, color in zip(classes.codes, classes.colors, strict=True):
        lut[code, :3] = hex_to_rgb(color)
        lut[code, 3] = 255
    return lut[lab.astype(np.int64).clip(0, 255)]


def class_fractions(labels: np.ndarray, classes: ClassTable) -> dict[str, float]:
    """Share (%) of each class among the labelled pixels, largest first."""
    lab = np.asarray(labels).ravel()
    index = classes.code_to_index[lab.astype(np.int64).clip(0, 255)]
    known = index[index >= 0]
    if known.size == 0:
        return {}
    counts = np.bincount(known, minlength=classes.num_classes)
    shares = {classes.names[i]: 100.0 * float(c) / known.size for i, c in enumerate(counts) if c > 0}
    return dict(sorted(shares.items(), key=lambda kv: -kv[1]))
