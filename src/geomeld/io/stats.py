"""Streaming, no-data-aware band statistics over shards → the stats JSON the loader normalises with.

For every continuous modality and band (in the registry's full band order, so the 9-band
Sentinel-2 of NAIP samples adds to the right bands): valid-pixel count, no-data count, mean and
standard deviation (float64, Chan's parallel update per sample, so one pass and exact merges), min,
max, and percentiles from a fixed histogram of :data:`HIST_BINS` bins over the band's registered
valid range (values outside the range are counted in ``out_of_range`` and fall into the edge bins;
percentile resolution is ``(valid_max - valid_min) / HIST_BINS``). For every categorical modality:
pixel counts and frequencies per class code, and the no-data count.

JSON layout (``format: geomeld-stats-1``)::

    {"format": ..., "sample_count": N, "layouts": {"standard": n, "naip": m}, "bad_samples": k,
     "modalities": {
        "sentinel2": {"kind": "continuous", "bands": [...], "count": [...], "nodata_count": [...],
                      "mean": [...], "std": [...], "min": [...], "max": [...], "out_of_range": [...],
                      "percentiles": {"1": [...], "2": [...], "50": [...], "98": [...], "99": [...]}},
        "esa_worldcover": {"kind": "categorical", "bands": ["esa_label"], "class_codes": [...],
                           "class_names": [...], "counts": [...], "frequency": [...], "nodata_count": n}}}

Bands never observed have ``count`` 0 and ``null`` statistics; :class:`NormStats` then normalises
them with mean 0 / std 1 (their pixels are invalid anyway).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.modalities import MODALITIES, Modality
from geomeld.core.sample import Sample

STATS_FORMAT = "geomeld-stats-1"
HIST_BINS = 8192
PERCENTILES = (1, 2, 50, 98, 99)


class _BandStats:
    def __init__(self, band_lo: float, band_hi: float) -> None:
        self.lo, self.hi = band_lo, band_hi
        self.count = 0
        self.nodata = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min = np.inf
        self.max = -np.inf
        self.out_of_range = 0
        self.hist = np.zeros(HIST_BINS, dtype=np.int64)

    def add(self, values: np.ndarray, nodata: int) -> None:
        self.nodata += nodata
        n = values.size
        if n == 0:
            return
        v = values.astype(np.float64, copy=False)
        mean_b = float(v.mean())
        m2_b = float(((v - mean_b) ** 2).sum())
        total = self.count + n
        delta = mean_b - self.mean
        self.mean += delta * n / total
        self.m2 += m2_b + delta * delta * self.count * n / total
        self.count = total
        self.min = min(self.min, float(v.min()))
        self.max = max(self.max, float(v.max()))
        scaled = (v - self.lo) * (HIST_BINS / (self.hi - self.lo))
        self.out_of_range += int(((scaled < 0) | (scaled >= HIST_BINS)).sum())
        idx = np.clip(scaled, 0, HIST_BINS - 1).astype(np.int64)
        self.hist += np.bincount(idx, minlength=HIST_BINS)

    def percentile(self, q: float) -> float | None:
        if self.count == 0:
            return None
        cum = np.cumsum(self.hist)
        target = q / 100.0 * self.count
        i = int(np.searchsorted(cum, target, side="left"))
        i = min(i, HIST_BINS - 1)
        before = cum[i - 1] if i > 0 else 0
        inside = self.hist[i]
        frac = (target - before) / inside if inside else 0.5
        width = (self.hi - self.lo) / HIST_BINS
        value = self.lo + (i + float(frac)) * width
        return float(min(max(value, self.min), self.max))


class _ClassStats:
    def __init__(self, modality: Modality) -> None:
        assert modality.classes is not None
        self.table = modality.classes
        self.counts = np.zeros(256, dtype=np.int64)

    def add(self, arr: np.ndarray) -> None:
        self.counts += np.bincount(arr.astype(np.int64).ravel(), minlength=256)[:256]


class StatsAccumulator:
    """Add samples one by one; :meth:`result` gives the stats JSON object."""

    def __init__(self, modalities: Sequence[str] | None = None) -> None:
        keys = list(modalities) if modalities is not None else list(MODALITIES)
        self.modalities = [MODALITIES[k] for k in keys]
        self.bands: dict[str, list[_BandStats]] = {}
        self.classes: dict[str, _ClassStats] = {}
        for m in self.modalities:
            if m.classes is not None:
                self.classes[m.key] = _ClassStats(m)
            else:
                self.bands[m.key] = [
                    _BandStats(
                        b.valid_min if b.valid_min is not None else 0.0,
                        b.valid_max if b.valid_max is not None else 1.0,
                    )
                    for b in m.bands
                ]
        self.sample_count = 0
        self.layouts: dict[str, int] = {}
        self.bad_samples = 0

    def add(self, sample: Sample) -> None:
        self.sample_count += 1
        self.layouts[sample.layout.name] = self.layouts.get(sample.layout.name, 0) + 1
        for m in self.modalities:
            arr = sample.arrays.get(m.key)
            if arr is None:
                continue
            if m.key in self.classes:
                self.classes[m.key].add(arr)
                continue
            valid = m.valid_mask(arr)
            for stored_i, band_i in enumerate(m.band_indices(sample.band_names(m.key))):
                ok = valid[stored_i]
                self.bands[m.key][band_i].add(arr[stored_i][ok], int(ok.size - ok.sum()))

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": STATS_FORMAT,
            "sample_count": self.sample_count,
            "layouts": self.layouts,
            "bad_samples": self.bad_samples,
            "histogram_bins": HIST_BINS,
            "modalities": {},
        }
        for m in self.modalities:
            if m.key in self.classes:
                cs = self.classes[m.key]
                codes = list(cs.table.codes)
                counts = [int(cs.counts[c]) for c in codes]
                total = sum(counts)
                out["modalities"][m.key] = {
                    "kind": "categorical",
                    "bands": list(m.band_names),
                    "class_codes": codes,
                    "class_names": list(cs.table.names),
                    "counts": counts,
                    "frequency": [c / total if total else 0.0 for c in counts],
                    "nodata_count": int(cs.counts.sum() - total),
                }
                continue
            bs = self.bands[m.key]

            def nz(x: float, b: _BandStats) -> float | None:
                return float(x) if b.count else None

            out["modalities"][m.key] = {
                "kind": "continuous",
                "bands": list(m.band_names),
                "count": [b.count for b in bs],
                "nodata_count": [b.nodata for b in bs],
                "mean": [nz(b.mean, b) for b in bs],
                "std": [nz(float(np.sqrt(b.m2 / b.count)) if b.count else 0.0, b) for b in bs],
                "min": [nz(b.min, b) for b in bs],
                "max": [nz(b.max, b) for b in bs],
                "out_of_range": [b.out_of_range for b in bs],
                "percentiles": {str(q): [b.percentile(q) for b in bs] for q in PERCENTILES},
            }
        return out


def compute_stats(
    shards: Iterable[str | os.PathLike[str]],
    *,
    modalities: Sequence[str] | None = None,
    max_samples: int | None = None,
    on_error: str = "skip",
    progress: bool = False,
) -> dict[str, Any]:
    """One streaming pass over the shards (bad samples skipped and counted unless ``on_error="raise"``)."""
    from geomeld.io.shards import SampleError, iter_samples

    acc = StatsAccumulator(modalities)
    errors: list[SampleError] = []
    samples = iter_samples(list(shards), on_error=on_error, errors=errors)  # type: ignore[arg-type]
    if progress:
        from tqdm import tqdm

        samples = tqdm(samples, desc="stats", unit="sample", total=max_samples)
    for sample in samples:
        acc.add(sample)
        if max_samples is not None and acc.sample_count >= max_samples:
            break
    acc.bad_samples = len(errors)
    result = acc.result()
    result["errors"] = [str(e) for e in errors]
    return result


def write_stats(stats: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Atomic JSON write."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(stats, indent=1, allow_nan=False))
    os.replace(tmp, target)
    return target


@dataclass(frozen=True)
class NormStats:
    """Per-band mean/std for normalisation, in each modality's full registry band order."""

    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | os.PathLike[str]) -> NormStats:
        raw = data if isinstance(data, dict) else json.loads(Path(data).read_text())
        if raw.get("format") != STATS_FORMAT:
            raise ValueError(f"stats file format is {raw.get('format')!r}, expected {STATS_FORMAT!r}")
        mean: dict[str, np.ndarray] = {}
        std: dict[str, np.ndarray] = {}
        for key, entry in raw["modalities"].items():
            if entry.get("kind") != "continuous":
                continue
            m = MODALITIES[key]
            if list(entry["bands"]) != list(m.band_names):
                raise ValueError(
                    f"stats for {key}: bands {entry['bands']} differ from the registry's {m.band_names}"
                )
            mu = np.array([0.0 if v is None else v for v in entry["mean"]], dtype=np.float32)
            sd = np.array([1.0 if v is None else v for v in entry["std"]], dtype=np.float32)
            sd[~(sd > 1e-12)] = 1.0
            mean[key], std[key] = mu, sd
        return cls(mean, std, raw)

    def has(self, key: str) -> bool:
        return key in self.mean
