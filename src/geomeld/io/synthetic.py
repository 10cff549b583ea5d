"""Deterministic synthetic samples with realistic structure, for tests and benchmarks.

Values are smooth random fields plus noise in each band's plausible range (so compressors and
statistics behave as on real tiles), HH/HV of Sentinel-1 are NaN (dual-pol VV+VH scene), label
maps are blocky class patches from the registry's class tables. Not real data: never use it for
anything but exercising code.
"""

from __future__ import annotations

import numpy as np

from geomeld.core.modalities import MODALITIES, get_layout
from geomeld.core.sample import Sample, SampleMetadata, WaterAnalysis


def _smooth(rng: np.random.Generator, bands: int, size: int, coarse: int = 8) -> np.ndarray:
    """Bilinear-upsampled coarse noise in [0, 1], shape (bands, size, size)."""
    grid = rng.random((bands, coarse + 1, coarse + 1))
    pos = np.linspace(0, coarse, size, dtype=np.float64)
    i0 = np.minimum(pos.astype(int), coarse - 1)
    t = pos - i0
    rows = grid[:, i0, :] * (1 - t)[None, :, None] + grid[:, i0 + 1, :] * t[None, :, None]
    return rows[:, :, i0] * (1 - t)[None, None, :] + rows[:, :, i0 + 1] * t[None, None, :]


def make_sample(key: str, layout: str = "standard", seed: int = 0, caption: str | None = None) -> Sample:
    """One valid sample of ``layout`` whose content depends only on ``(key, layout, seed)``."""
    lay = get_layout(layout)
    rng = np.random.default_rng([seed, sum(key.encode()), len(key), int(lay.file_type_naip)])
    arrays: dict[str, np.ndarray] = {}
    for mkey in lay.modality_keys:
        m = MODALITIES[mkey]
        names = lay.bands(mkey)
        n, size = len(names), m.size
        if m.classes is not None:
            codes = np.asarray(m.classes.codes, dtype=np.uint8)
            coarse = rng.integers(0, len(codes), size=(1, size // 16, size // 16))
            arr = codes[np.repeat(np.repeat(coarse, 16, axis=1), 16, axis=2)]
            arr[:, :2, :3] = m.classes.nodata
            arrays[mkey] = arr.astype(m.dtype)
            continue
        if m.dtype.kind == "u":
            field = _smooth(rng, n, size // 10, coarse=4)
            up = np.repeat(np.repeat(field, 10, axis=1), 10, axis=2)
            arrays[mkey] = (40 + 180 * up).astype(m.dtype)
            continue
        lo = np.array([m.band(b).valid_min or 0.0 for b in names])[:, None, None]
        hi = np.array([m.band(b).valid_max or 1.0 for b in names])[:, None, None]
        span = np.minimum(hi - lo, 5000.0)
        vals = (
            lo
            + span * (0.1 + 0.5 * _smooth(rng, n, size))
            + span * 0.01 * rng.standard_normal((n, size, size))
        )
        arr = vals.astype(np.float32)
        for i, b in enumerate(names):
            if b.startswith(("HH", "HV")):
                arr[i] = np.nan
        arrays[mkey] = arr
    meta = SampleMetadata(
        tile_id=key,
        lat=float(rng.uniform(25, 49)),
        long=float(rng.uniform(-124, -67)),
        acquisition_date=f"2021-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
        terrain_class="Flat",
        file_type_naip=lay.file_type_naip,
        osm_tags={"highway": ["service", "residential"], "building": "yes", "note": None},
        water_analysis=WaterAnalysis(detected=True, percentage=8910 / 16384 * 100),
        band_names=lay.band_names(),
        source_file=f"{key}.h5",
        caption=caption,
    )
    return Sample(key=key, arrays=arrays, metadata=meta)
