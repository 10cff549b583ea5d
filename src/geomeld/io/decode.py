"""Decoding one sample of a shard for the loader: bytes → arrays → crop → class indices / normalised bands.

Shards are memory-mapped; when the index records a dataset's byte location (every file geomeld writes)
the array is a zero-copy numpy view into the map (raw) or inflated with ``zlib`` and unshuffled with
numpy (gzip); otherwise (foreign storage layouts) the whole sample is decoded with h5py. Values are
checked on the way (class codes in the table, no ±Inf, on the pixels the crop keeps); every problem is
a :class:`~geomeld.core.sample.SampleFormatError` (``LoaderErrors`` lists what a loader treats as a
bad sample).
"""

from __future__ import annotations

import contextlib
import mmap
import zlib
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from geomeld.core.modalities import LAYOUTS, Modality
from geomeld.core.sample import SampleFormatError
from geomeld.io.h5sample import HDF5_SIGNATURE, DatasetLocation, decode_located, decode_sample, value_problem
from geomeld.io.limits import human, member_nbytes
from geomeld.io.stats import NormStats

Handles = dict[str, mmap.mmap]
"""Open shard maps of one reading pass (shard path → read-only memory map)."""
Crop = Literal["random", "center", "none"]
LoaderErrors = (SampleFormatError, ValueError, OSError, KeyError, zlib.error)
BandParams = tuple[list[int], np.ndarray, np.ndarray]
"""(full-band positions, mean, 1/std) of one stored band order."""


def close_handles(handles: Handles) -> None:
    for mm in handles.values():
        # a view may still point into the map; it is then unmapped when collected
        with contextlib.suppress(BufferError):
            mm.close()
    handles.clear()


def read_member(path: str, start: int, size: int, handles: Handles) -> memoryview:
    """The member's bytes as a zero-copy view into the memory-mapped shard (only the pages the crop
    touches are ever read)."""
    if size > member_nbytes():  # an index claiming more than any sample can hold is not trusted
        raise SampleFormatError(
            f"member of {human(size)}, more than the {human(member_nbytes())} a sample can hold"
        )
    mm = handles.get(path)
    if mm is None:
        with open(path, "rb") as fh:
            mm = handles[path] = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if start + size > len(mm):
        present = max(len(mm) - start, 0)
        raise SampleFormatError(f"truncated tar member ({present} of {size} bytes present)")
    return memoryview(mm)[start : start + size]


def member_arrays(
    data: memoryview,
    locations: dict[str, Any],
    layout_name: str,
    modalities: Sequence[Modality],
    where: str,
) -> dict[str, np.ndarray]:
    """The arrays of ``modalities`` stored in one member: located views when the index has every
    location, else a full h5py decode (``where`` names the member in errors)."""
    if bytes(data[:8]) != HDF5_SIGNATURE:
        raise SampleFormatError(f"not an HDF5 file (first bytes {bytes(data[:8])!r})")
    layout = LAYOUTS[layout_name]
    wanted = [m for m in modalities if m.key in layout.band_selection]
    if all(m.key in locations for m in wanted):
        out = {}
        for m in wanted:
            loc = DatasetLocation.from_list(locations[m.key])
            expected = layout.shape(m.key)
            if loc.shape != expected or np.dtype(loc.dtype) != m.dtype:
                raise SampleFormatError(
                    f"{where}: {m.key}: {loc.dtype} {loc.shape}, expected {m.dtype} {expected}"
                )
            try:  # inflates at most the registry's size (checked just above) of one dataset
                out[m.key] = decode_located(data, loc, copy=False)
            except ValueError as exc:
                raise SampleFormatError(f"{where}: {m.key}: {exc}", file=where, key=m.key) from None
        return out
    return decode_sample(bytes(data), where).arrays


def crop_origin(crop: Crop, crop_size: int, grid: int, seed: int, epoch: int, index: int) -> tuple[int, int]:
    """Top-left ``(y, x)`` of the crop on the 10 m grid: seeded per sample by ``(seed, epoch, index)``
    for ``"random"``, centred otherwise."""
    if crop == "random" and crop_size < grid:
        rng = np.random.default_rng([seed, epoch, index, 0xC407])
        y, x = (int(v) for v in rng.integers(0, grid - crop_size + 1, size=2))
        return y, x
    y = x = (grid - crop_size) // 2
    return y, x


def class_indices(m: Modality, arr: np.ndarray | None, out: np.ndarray, lut: np.ndarray) -> bool:
    """Class index map (-1 = no-data) into ``out``; codes outside the class table are an error."""
    if arr is None:
        out.fill(-1)
        return False
    assert m.classes is not None
    np.take(lut, arr[0], out=out)
    unknown = (out < 0) & (arr[0] != m.classes.nodata)
    if unknown.any():
        bad = np.unique(arr[0][unknown])[:8].tolist()
        raise SampleFormatError(f"{m.key}: {value_problem(m, np.asarray(bad, dtype=m.dtype))}")
    return bool(out.max() >= 0)


def band_params(m: Modality, stored: tuple[str, ...], stats: NormStats | None) -> BandParams:
    """(full-band positions, mean, 1/std) for a stored band order (zeros and ones without stats)."""
    idx = m.band_indices(stored)
    if stats is not None:
        mean = stats.mean[m.key][idx]
        inv = 1.0 / stats.std[m.key][idx]
    else:
        mean = np.zeros(len(idx), np.float32)
        inv = np.ones(len(idx), np.float32)
    return idx, mean.astype(np.float32)[:, None, None], inv.astype(np.float32)[:, None, None]


def normalise_into(
    m: Modality,
    arr: np.ndarray | None,
    params: BandParams | None,
    out: np.ndarray,
    valid: np.ndarray,
) -> bool:
    """Full-band ``(x - mean) / std`` with no-data 0.0 into ``out``, validity into ``valid``;
    checks Inf/NaN; returns whether any pixel is valid (``arr`` or ``params`` None: nothing valid)."""
    if arr is None or params is None:
        out.fill(0.0)
        valid.fill(False)
        return False
    idx, mean, inv = params
    identity = idx == list(range(m.num_bands))
    if identity:
        o, v = out, valid
    else:
        out.fill(0.0)
        valid.fill(False)
        o = np.empty((len(idx), *out.shape[1:]), np.float32)
        v = np.empty(o.shape, np.bool_)
    np.subtract(arr, mean, out=o, casting="unsafe")
    np.multiply(o, inv, out=o)
    np.isfinite(o, out=v)
    nonfinite = v.size - int(np.count_nonzero(v))
    code = m.nodata is not None and not (isinstance(m.nodata, float) and np.isnan(m.nodata))
    if code:
        v &= arr != m.nodata
    if nonfinite and m.is_float:
        nan = int(np.count_nonzero(np.isnan(o)))
        if nonfinite > nan or (nan and not m.nan_allowed):
            raise SampleFormatError(f"{m.key}: {value_problem(m, arr)}")
    if nonfinite or code:
        np.copyto(o, 0.0, where=~v)
        present = bool(v.any())
    else:
        present = v.size > 0
    if not identity:
        out[idx] = o
        valid[idx] = v
    return present
