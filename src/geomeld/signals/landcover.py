"""Land-cover fractions, dominant classes and where each class sits in the tile.

Works for any categorical modality of the registry (ESA WorldCover, Dynamic World) through its
:class:`~geomeld.core.modalities.ClassTable`; nothing here knows a class code by heart.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from geomeld.core.modalities import ClassTable, Modality
from geomeld.signals.models import LOCATIONS, PARTS, PROFILE_BANDS, ClassShare, LandCoverSignal

DOMINANT_SHARE = 40.0
"""A class covering at least this % of the valid pixels dominates the tile."""
TOP_CLASS_MIN_SHARE = 25.0
"""The largest class also counts as dominant when nothing reaches DOMINANT_SHARE but it has this much."""
THROUGHOUT_SHARE = 70.0
THROUGHOUT_SECTORS = 7
THROUGHOUT_SECTOR_MIN = 0.05
"""A class covering ≥ 70 % of the valid pixels, with ≥ 5 % of its pixels in at least 7 of the 9
sectors, is 'throughout' the tile."""
SECTOR_CONCENTRATION = 0.5
"""A class is 'in the <sector>' when this fraction of its pixels lies in one of the 3 × 3 sectors."""
BAND_CONCENTRATION = 0.6
"""… or 'in the north/south/west/east' when this fraction lies in that outer third of the tile."""

_BANDS = {
    "north": (0, 1, 2),
    "south": (6, 7, 8),
    "west": (0, 3, 6),
    "east": (2, 5, 8),
}


@lru_cache(maxsize=8)
def _sector_index(height: int, width: int) -> np.ndarray:
    rows = np.minimum(np.arange(height) * 3 // height, 2)
    cols = np.minimum(np.arange(width) * 3 // width, 2)
    sector = rows[:, None] * 3 + cols[None, :]
    sector.setflags(write=False)
    return sector.astype(np.int64)


def class_counts_by_sector(labels: np.ndarray) -> np.ndarray:
    """``(9, 256)`` pixel counts: sector (row-major from the north-west) × stored uint8 code."""
    lab = np.asarray(labels)
    if lab.ndim == 3:
        lab = lab[0]
    if lab.ndim != 2:
        raise ValueError(f"land-cover labels must be (H, W) or (1, H, W), got shape {np.shape(labels)}")
    sector = _sector_index(*lab.shape)
    flat = sector.ravel() * 256 + lab.astype(np.int64, copy=False).ravel().clip(0, 255)
    return np.bincount(flat, minlength=9 * 256).reshape(9, 256)


@lru_cache(maxsize=8)
def _block_index(height: int, width: int) -> np.ndarray:
    """8 × 8 block index (row-major) of every pixel."""
    rows = np.minimum(np.arange(height) * 8 // height, 7)
    cols = np.minimum(np.arange(width) * 8 // width, 7)
    block = (rows[:, None] * 8 + cols[None, :]).astype(np.int64)
    block.setflags(write=False)
    return block


def _part_masks() -> dict[str, np.ndarray]:
    r, c = np.divmod(np.arange(64), 8)
    return {
        "north": r < 4,
        "south": r >= 4,
        "west": c < 4,
        "east": c >= 4,
        "north-west": (r < 4) & (c < 4),
        "north-east": (r < 4) & (c >= 4),
        "south-west": (r >= 4) & (c < 4),
        "south-east": (r >= 4) & (c >= 4),
        "centre": (r >= 2) & (r < 6) & (c >= 2) & (c < 6),
        "edge": (r == 0) | (r == 7) | (c == 0) | (c == 7),
        "north-edge": r < 2,
        "south-edge": r >= 6,
        "west-edge": c < 2,
        "east-edge": c >= 6,
    }


_PART_MATRIX = np.stack([m.astype(np.float64) for m in _part_masks().values()])  # (10, 64)
_PART_NAMES = tuple(_part_masks())
assert _PART_NAMES == PARTS


def class_parts(labels: np.ndarray) -> np.ndarray:
    """``(10, 256)`` share of each code's pixels in each of :data:`PARTS` (0 where a code is absent)."""
    lab = np.asarray(labels)
    if lab.ndim == 3:
        lab = lab[0]
    block = _block_index(*lab.shape)
    flat = block.ravel() * 256 + lab.astype(np.int64, copy=False).ravel().clip(0, 255)
    counts = np.bincount(flat, minlength=64 * 256).reshape(64, 256).astype(np.float64)
    total = counts.sum(axis=0)
    return (_PART_MATRIX @ counts) / np.maximum(total, 1.0)


def class_profiles(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(PROFILE_BANDS, 256)`` pixel counts per row band and per column band × stored uint8 code."""
    lab = np.asarray(labels)
    if lab.ndim == 3:
        lab = lab[0]
    h, w = lab.shape
    codes = lab.astype(np.int64, copy=False).clip(0, 255)
    rb = (np.arange(h) * PROFILE_BANDS // h).astype(np.int64)
    cb = (np.arange(w) * PROFILE_BANDS // w).astype(np.int64)
    rows = np.bincount((rb[:, None] * 256 + codes).ravel(), minlength=PROFILE_BANDS * 256)
    cols = np.bincount((cb[None, :] * 256 + codes).ravel(), minlength=PROFILE_BANDS * 256)
    return rows.reshape(PROFILE_BANDS, 256), cols.reshape(PROFILE_BANDS, 256)


def describe_location(sector_counts: np.ndarray, share: float) -> str:
    """Where a class with per-sector pixel counts ``sector_counts`` (9,) lies in the tile."""
    total = float(sector_counts.sum())
    if total <= 0:
        return "scattered"
    frac = sector_counts / total
    if share >= THROUGHOUT_SHARE and int((frac >= THROUGHOUT_SECTOR_MIN).sum()) >= THROUGHOUT_SECTORS:
        return "throughout"
    best = int(frac.argmax())
    if frac[best] >= SECTOR_CONCENTRATION:
        return LOCATIONS[best]
    band_frac = {name: float(frac[list(idx)].sum()) for name, idx in _BANDS.items()}
    name, value = max(band_frac.items(), key=lambda kv: kv[1])
    if value >= BAND_CONCENTRATION:
        return name
    return "scattered"


def land_cover_signal(labels: np.ndarray, modality: Modality) -> LandCoverSignal:
    """Per-class shares (% of valid pixels), dominant classes and locations for one label map."""
    table: ClassTable | None = modality.classes
    if table is None:
        raise ValueError(f"modality {modality.key!r} is not categorical; it has no class table")
    counts = class_counts_by_sector(labels)
    parts = class_parts(labels)
    row_counts, col_counts = class_profiles(labels)
    per_code = counts.sum(axis=0)
    grid = float(per_code.sum())
    codes = list(table.codes)
    valid = float(per_code[codes].sum())
    shares: list[ClassShare] = []
    if valid > 0:
        for code, name in zip(table.codes, table.names, strict=True):
            n = int(per_code[code])
            if n == 0:
                continue
            pct = 100.0 * n / valid
            shares.append(
                ClassShare(
                    code=code,
                    name=name,
                    percentage=round(pct, 4),
                    location=describe_location(counts[:, code], pct),
                    parts={k: round(float(parts[i, code]), 4) for i, k in enumerate(_PART_NAMES)},
                    rows=[int(x) for x in row_counts[:, code]],
                    cols=[int(x) for x in col_counts[:, code]],
                )
            )
    shares.sort(key=lambda s: -s.percentage)
    dominant = [s.name for s in shares if s.percentage >= DOMINANT_SHARE][:2]
    if not dominant and shares and shares[0].percentage >= TOP_CLASS_MIN_SHARE:
        dominant = [shares[0].name]
    return LandCoverSignal(
        product=modality.key,
        valid_percentage=round(100.0 * valid / grid, 4) if grid else 0.0,
        classes=shares,
        dominant=dominant,
    )
