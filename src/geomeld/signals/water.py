"""Water analysis: the released ``water_analysis {detected, percentage}`` field and its evidence.

Our documented rule (geomeld-paper.md §8.1): a pixel is water when Dynamic World says *water* AND the
JRC Global Surface Water occurrence is ≥ ``occurrence_threshold`` %; the percentage is the count of
such pixels over the whole 128 × 128 grid (16 384 px, as the released values show); ``detected`` means
percentage > ``detect_threshold``. JRC is optional (it is not part of the released arrays): without it
the rule falls back to Dynamic World alone, and without Dynamic World to WorldCover's permanent water;
``method`` and ``note`` record which rule was applied and why.
"""

from __future__ import annotations

import numpy as np

from geomeld.core.modalities import DYNAMIC_WORLD_CLASSES, ESA_WORLDCOVER_CLASSES
from geomeld.signals.models import WaterSignal

OCCURRENCE_THRESHOLD = 50.0
DETECT_THRESHOLD = 1.0
JRC_NODATA = 255

DW_WATER_CODE = DYNAMIC_WORLD_CLASSES.codes[DYNAMIC_WORLD_CLASSES.names.index("water")]
WC_WATER_CODE = ESA_WORLDCOVER_CLASSES.codes[ESA_WORLDCOVER_CLASSES.names.index("Permanent water bodies")]


_DW_CODE = DYNAMIC_WORLD_CLASSES.code_to_index >= 0  # 256-entry "is a class code" lookups
_WC_CODE = ESA_WORLDCOVER_CLASSES.code_to_index >= 0


def _any_code(lut: np.ndarray, labels: np.ndarray) -> bool:
    codes = labels if labels.dtype == np.uint8 else np.clip(labels, 0, 255).astype(np.uint8)
    return bool(lut[codes].any())


def _plane(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    return a[0] if a.ndim == 3 else a


def _pct(mask: np.ndarray) -> float:
    return float(100.0 * np.count_nonzero(mask) / mask.size)


BODY_MIN_PCT = 0.3
"""Smallest water body (% of the tile) whose shape is described."""
LINEAR_ELONGATION = 4.0
COMPACT_ELONGATION = 2.0
"""Major/minor axis ratio (from the body's second moments): ≥ 4 is linear (a river, a canal), ≤ 2 with
the body not crossing the tile is compact (a lake, a pond); between, the kind is not derived."""


def water_body_shape(mask: np.ndarray) -> tuple[str | None, float | None, float | None]:
    """(kind, % of the tile, elongation) of the largest 8-connected water body of ``mask``."""
    from scipy import ndimage

    if not mask.any():
        return None, None, None
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    sizes = np.bincount(labels.ravel())[1:]
    big = int(sizes.argmax()) + 1
    pct = 100.0 * float(sizes[big - 1]) / mask.size
    if pct < BODY_MIN_PCT:
        return None, round(pct, 4), None
    rows, cols = np.nonzero(labels == big)
    cov = np.cov(np.stack([rows, cols]).astype(np.float64))
    ev = np.sort(np.linalg.eigvalsh(cov))
    elong = float(np.sqrt(ev[1] / max(ev[0], 1e-6)))
    h, w = mask.shape
    spans = (rows.max() - rows.min() + 1 >= 0.9 * h) or (cols.max() - cols.min() + 1 >= 0.9 * w)
    kind = None
    if elong >= LINEAR_ELONGATION:
        kind = "linear"
    elif elong <= COMPACT_ELONGATION and not spans:
        kind = "compact"
    return kind, round(pct, 4), round(min(elong, 1e3), 3)


def _with_shape(sig: WaterSignal, mask: np.ndarray) -> WaterSignal:
    sig.kind, sig.largest_body_percentage, sig.largest_body_elongation = water_body_shape(mask)
    return sig


def water_signal(
    dynamic_world: np.ndarray | None,
    jrc_occurrence: np.ndarray | None = None,
    worldcover: np.ndarray | None = None,
    *,
    occurrence_threshold: float = OCCURRENCE_THRESHOLD,
    detect_threshold: float = DETECT_THRESHOLD,
) -> WaterSignal | None:
    """Consensus water over the grid; ``None`` when no water evidence layer is valid anywhere."""
    dw = None
    if dynamic_world is not None:
        dw = _plane(dynamic_world)
        if not _any_code(_DW_CODE, dw):
            dw = None
    wc = None
    if worldcover is not None:
        wc = _plane(worldcover)
        if not _any_code(_WC_CODE, wc):
            wc = None
    wc_pct_out = _pct(wc == WC_WATER_CODE) if wc is not None else None
    if dw is not None:
        dw_water = dw == DW_WATER_CODE
        dw_pct = _pct(dw_water)
        jrc_pct = None
        if jrc_occurrence is not None:
            jrc = _plane(jrc_occurrence).astype(np.float32)
            if jrc.shape != dw.shape:
                raise ValueError(
                    f"JRC occurrence shape {jrc.shape} differs from Dynamic World shape {dw.shape}"
                )
            jrc_valid = np.isfinite(jrc) & (jrc != JRC_NODATA) & (jrc >= 0) & (jrc <= 100)
            if jrc_valid.any():
                jrc_water = jrc_valid & (jrc >= occurrence_threshold)
                jrc_pct = _pct(jrc_water)
                pct = _pct(dw_water & jrc_water)
                return _with_shape(
                    WaterSignal(
                        detected=pct > detect_threshold,
                        percentage=pct,
                        method="dw+jrc",
                        dw_percentage=dw_pct,
                        jrc_percentage=jrc_pct,
                        worldcover_percentage=wc_pct_out,
                    ),
                    dw_water & jrc_water,
                )
            note = "JRC occurrence layer has no valid pixel; Dynamic World alone"
        else:
            note = "no JRC occurrence layer for this sample; Dynamic World alone"
        return _with_shape(
            WaterSignal(
                detected=dw_pct > detect_threshold,
                percentage=dw_pct,
                method="dw-only",
                dw_percentage=dw_pct,
                worldcover_percentage=wc_pct_out,
                note=note,
            ),
            dw_water,
        )
    if wc is not None:
        assert wc_pct_out is not None
        return _with_shape(
            WaterSignal(
                detected=wc_pct_out > detect_threshold,
                percentage=wc_pct_out,
                method="worldcover-only",
                worldcover_percentage=wc_pct_out,
                note="Dynamic World missing or all no-data; WorldCover permanent water alone",
            ),
            wc == WC_WATER_CODE,
        )
    return None
