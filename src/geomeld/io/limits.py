"""Size limits for reading untrusted HDF5 sample files, taken from the modality registry.

A shard can come from anywhere, so no sample file is trusted to be as small as it claims. Before any
data is read, :func:`screen_file` looks at every member's *headers* (link kinds, dataspace, dtype,
storage layout, filter pipeline, chunk shape) and refuses a dataset that

* is larger than the registry allows for its name: a modality at most its registry shape × dtype in
  the largest layout that holds it (``naip``: 3 × 1280 × 1280 uint16); ``metadata`` (and a foreign
  ``caption``) a scalar string; every other (foreign) dataset together at most as much as the
  largest modality;
* has a chunk larger than the declared shape or than that limit;
* is compressed with a filter other than deflate (gzip) and shuffle — the only ones geomeld inflates
  itself with a bound — or is compressed and not a plain number array;
* points outside the member (external link, external storage, virtual dataset).

Compressed datasets are then read by :func:`read_dataset` chunk by chunk through
:func:`bounded_inflate`, which never produces more than the chunk's declared size: a chunk that
inflates to more (a decompression bomb: a few kB of gzip that inflate to GB) or to less is refused
after at most ``chunk bytes + 1`` bytes of output. HDF5's own deflate filter is never used on
untrusted input, because it grows its buffer until the stream ends. Uncompressed datasets are read
with h5py after the size check, so their allocation is the checked size.

The memory a reader spends on one member is therefore bounded by the registry: at most the
registry's bytes per modality, plus one chunk while inflating, plus the member's own bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from math import prod
from typing import Any

import h5py
import numpy as np

from geomeld.core.modalities import LAYOUTS, METADATA_KEY, MODALITIES

SCALAR_STRING_KEYS: tuple[str, ...] = (METADATA_KEY, "caption")
"""Datasets that must be one scalar string (the sample's JSON metadata, a foreign caption)."""
HEAP_ID_BYTES = 16
"""Bytes one variable-length element occupies in a dataset's storage (an HDF5 global heap ID)."""


def registry_nbytes(key: str) -> int:
    """The most bytes the registry allows for the modality ``key`` (largest layout holding it)."""
    return prod(max_shape(key)) * MODALITIES[key].dtype.itemsize


@cache
def foreign_nbytes() -> int:
    """The most bytes all foreign (non-registry) datasets of one sample may hold together: as much as
    the registry's largest modality."""
    return max(registry_nbytes(k) for k in MODALITIES)


METADATA_MAX_BYTES = 16 * 2**20
"""Room for the metadata JSON (caption, reports, provenance, signals) and HDF5's own structures in one
member: a policy (the registry says nothing about metadata), generous by two orders of magnitude."""


def member_nbytes() -> int:
    """The most bytes one sample member (an HDF5 file) may take in a shard: every modality of the
    largest layout uncompressed, plus all foreign datasets, plus :data:`METADATA_MAX_BYTES`. A tar
    member claiming more is refused before it is read."""
    largest = max(sum(registry_nbytes(k) for k in lay.band_selection) for lay in LAYOUTS.values())
    return largest + foreign_nbytes() + METADATA_MAX_BYTES


def allowance(name: str, file_size: int) -> tuple[int, str]:
    """(most bytes, what sets that limit) for a dataset called ``name`` in a member of ``file_size``
    bytes; foreign datasets share :func:`foreign_nbytes` (the caller subtracts what they used)."""
    if name in MODALITIES:
        m = MODALITIES[name]
        return registry_nbytes(name), f"the registry's {m.dtype} {max_shape(name)}"
    if name in SCALAR_STRING_KEYS:
        return max(HEAP_ID_BYTES, file_size), "a scalar string no longer than the member"
    return foreign_nbytes(), "all foreign datasets together (the largest modality's size)"


def max_shape(key: str) -> tuple[int, ...]:
    """The largest shape of modality ``key`` over the layouts that hold it."""
    return max((layout.shape(key) for layout in LAYOUTS.values() if key in layout.band_selection), key=prod)


def human(n: int) -> str:
    """``n`` bytes in kB/MB/GB (decimal), for messages."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def declared_nbytes(ds: h5py.Dataset) -> int:
    """Bytes the dataset's header says it holds (variable-length elements count as their heap IDs)."""
    if ds.shape is None:
        return 0
    count = prod(int(s) for s in ds.shape)
    item = ds.dtype.itemsize if ds.dtype.kind in "biufc" else max(ds.dtype.itemsize, HEAP_ID_BYTES)
    return count * item


def _filters(ds: h5py.Dataset) -> list[tuple[int, tuple[int, ...], str]]:
    """The dataset's filter pipeline in write order: (filter id, client values, name)."""
    plist = ds.id.get_create_plist()
    out = []
    for i in range(plist.get_nfilters()):
        code, _flags, values, name = plist.get_filter(i)
        out.append((int(code), tuple(int(v) for v in values), name.decode("ascii", "replace")))
    return out


BOUNDED_FILTERS = {h5py.h5z.FILTER_DEFLATE: "deflate", h5py.h5z.FILTER_SHUFFLE: "shuffle"}
"""Filters geomeld undoes itself with a size bound (every other filter is refused)."""


def _storage_problem(ds: h5py.Dataset) -> str | None:
    """A dataset whose bytes would come from outside the member, or None."""
    if ds.is_virtual:
        return "virtual dataset (its data lives in other files); refused"
    if ds.id.get_create_plist().get_external_count():
        return "external storage (its data lives in files outside the member); refused"
    return None


def header_problem(name: str, ds: h5py.Dataset, limit: int, what: str = "the registry's limit") -> str | None:
    """What is wrong with a dataset's header for reading at most ``limit`` bytes (``what`` names the
    rule that sets the limit), or None.

    Reads no data: only the dataspace, dtype, layout, chunk shape and filter pipeline."""
    storage = _storage_problem(ds)
    if storage:
        return storage
    shape = tuple(int(s) for s in ds.shape) if ds.shape is not None else ()
    nbytes = declared_nbytes(ds)
    if name in SCALAR_STRING_KEYS and shape not in ((), (1,)):
        return f"header declares shape {shape}, expected a scalar string; not read"
    if nbytes > limit:
        expected = ""
        if name in MODALITIES:
            m = MODALITIES[name]
            if ds.dtype != m.dtype:
                expected = f"dtype {ds.dtype}, expected {m.dtype}; "
        return (
            f"{expected}header declares {ds.dtype} {shape} = {human(nbytes)}, more than the "
            f"{human(limit)} of {what}; not read"
        )
    filters = _filters(ds)
    unknown = [f[2] or str(f[0]) for f in filters if f[0] not in BOUNDED_FILTERS]
    if unknown:
        return (
            f"compressed with filter {', '.join(unknown)}; geomeld decompresses only "
            f"{' and '.join(BOUNDED_FILTERS.values())} (with a size bound); not read"
        )
    if filters and ds.dtype.kind not in "biuf":
        return f"compressed {ds.dtype} dataset (only number arrays may be compressed); not read"
    if ds.chunks is not None:
        chunks = tuple(int(c) for c in ds.chunks)
        if len(chunks) != len(shape) or any(c < 1 or c > s for c, s in zip(chunks, shape, strict=False)):
            return f"chunk shape {chunks} does not fit the declared shape {shape}; not read"
    return None


@dataclass(frozen=True)
class Screened:
    """The result of :func:`screen_file`: datasets that may be read (name → dataset), groups, refusals."""

    datasets: dict[str, h5py.Dataset]
    groups: list[str]
    refused: dict[str, str]


def screen_file(f: h5py.File, file_size: int, names: Iterable[str] | None = None) -> Screened:
    """Check the headers of the top-level members of a file of ``file_size`` bytes against the
    registry (reads no data).

    ``names`` restricts the check to those members (default: all). Links that are not plain hard
    links (external, soft) are refused, so nothing outside the member is ever opened."""
    datasets: dict[str, h5py.Dataset] = {}
    groups: list[str] = []
    refused: dict[str, str] = {}
    foreign_left = foreign_nbytes()
    for name in list(f.keys()) if names is None else list(names):
        link = f.get(name, getlink=True)
        if link is None:
            continue
        if not isinstance(link, h5py.HardLink):
            refused[name] = f"{type(link).__name__} (only objects stored in the member are read); refused"
            continue
        obj = f.get(name)
        if not isinstance(obj, h5py.Dataset):
            groups.append(name)
            continue
        foreign = name not in MODALITIES and name not in SCALAR_STRING_KEYS
        limit, what = allowance(name, file_size)
        problem = header_problem(name, obj, foreign_left if foreign else limit, what)
        if problem is not None:
            refused[name] = problem
            continue
        if foreign:
            foreign_left -= declared_nbytes(obj)
        datasets[name] = obj
    return Screened(datasets, groups, refused)


# ------------------------------------------------------------------------------------------- reading


class InflateError(ValueError):
    """A compressed stream that does not inflate to exactly the size its header declares."""


def bounded_inflate(data: bytes | memoryview, size: int) -> bytes:
    """Inflate a zlib stream that must hold exactly ``size`` bytes, producing at most ``size + 1``.

    A stream that would inflate to more (a decompression bomb) or less, or that has bytes after
    its end, raises :class:`InflateError`; the bomb is stopped after ``size + 1`` bytes of output."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, size + 1)
    except zlib.error as exc:
        raise InflateError(f"compressed stream is damaged ({exc})") from None
    if len(out) > size or (d.unconsumed_tail and not d.eof):
        raise InflateError(f"compressed stream inflates to more than the {human(size)} its header declares")
    if not d.eof:
        raise InflateError(
            f"compressed stream ends after {human(len(out))}, before the {human(size)} its header declares"
        )
    if len(out) != size:
        raise InflateError(f"compressed stream inflates to {human(len(out))}, not the {human(size)} declared")
    if d.unused_data:
        raise InflateError(f"{len(d.unused_data)} bytes after the end of the compressed stream")
    return out


def unshuffle(data: bytes | memoryview | np.ndarray, itemsize: int) -> np.ndarray:
    """Undo HDF5's shuffle filter (byte planes → interleaved elements) into a new writable uint8
    array; a trailing remainder (fewer bytes than one element) is kept as it is."""
    flat = np.frombuffer(data, dtype=np.uint8)
    n = len(flat) // itemsize
    if itemsize <= 1 or n == 0:
        return flat.copy()
    out = np.empty(len(flat), dtype=np.uint8)
    out[: n * itemsize].reshape(n, itemsize)[...] = flat[: n * itemsize].reshape(itemsize, n).T
    out[n * itemsize :] = flat[n * itemsize :]
    return out


Filters = list[tuple[int, tuple[int, ...], str]]


def _undo_filters(raw: bytes, filters: Filters, mask: int, size: int) -> np.ndarray:
    """One chunk's stored bytes → its ``size`` data bytes (uint8; read-only when nothing was copied)."""
    data: bytes | np.ndarray = raw
    for position in reversed(range(len(filters))):
        if mask & (1 << position):  # the writer skipped this (optional) filter for this chunk
            continue
        code, values, _ = filters[position]
        if code == h5py.h5z.FILTER_DEFLATE:
            data = bounded_inflate(data if isinstance(data, bytes) else data.tobytes(), size)
        else:
            data = unshuffle(data, values[0] if values else 1)
    if len(data) != size:
        raise InflateError(f"chunk holds {human(len(data))}, expected {human(size)}")
    return data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)


def read_dataset(ds: h5py.Dataset, file_size: int) -> Any:
    """The data of a dataset that passed :func:`header_problem` (a writable array, like h5py's).

    Without filters this is ``ds[()]`` (its size was checked); compressed datasets are read chunk
    by chunk, each inflated with :func:`bounded_inflate` to exactly its declared size."""
    filters = _filters(ds)
    if not filters:
        return ds[()]
    shape = tuple(int(s) for s in ds.shape)
    chunks = tuple(int(c) for c in ds.chunks)
    dtype = ds.dtype
    chunk_bytes = prod(chunks) * dtype.itemsize
    grid = prod(-(-s // c) for s, c in zip(shape, chunks, strict=True))
    if ds.id.get_num_chunks() > grid:
        raise InflateError(f"{ds.id.get_num_chunks()} chunks stored, at most {grid} fit the shape")
    offsets: list[tuple[tuple[int, ...], int]] = []
    ds.id.chunk_iter(lambda info: offsets.append((tuple(int(o) for o in info.chunk_offset), int(info.size))))
    out: np.ndarray | None = None
    for offset, stored in offsets:
        if stored > file_size:
            raise InflateError(f"chunk at {offset} claims {human(stored)} in a file of {human(file_size)}")
        if any(o % c or o >= s for o, c, s in zip(offset, chunks, shape, strict=True)):
            raise InflateError(f"chunk at {offset} does not lie on the {chunks} grid of {shape}")
        mask, raw = ds.id.read_direct_chunk(offset)
        block = _undo_filters(raw, filters, int(mask), chunk_bytes).view(dtype).reshape(chunks)
        if chunks == shape:  # one chunk holds the whole array (geomeld's own gzip layout)
            return block if block.flags.writeable else block.copy()
        if out is None:  # every chunk stored: each element is written below; else the fill value
            out = np.empty(shape, dtype) if len(offsets) == grid else np.full(shape, ds.fillvalue, dtype)
        region = tuple(slice(o, min(o + c, s)) for o, c, s in zip(offset, chunks, shape, strict=True))
        out[region] = block[tuple(slice(0, r.stop - r.start) for r in region)]
    return out if out is not None else np.full(shape, ds.fillvalue, dtype)
