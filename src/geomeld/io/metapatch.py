"""Replace one sample's metadata inside its HDF5 bytes, decoding only what the caller reads.

``geomeld caption`` changes nothing but the ``metadata`` dataset of each sample. The full path
(:func:`~geomeld.io.h5sample.decode_checked`, then :func:`patch_metadata`) reads every dataset
through h5py, re-checks every value, rewrites the metadata by deleting and re-creating the dataset
and opens the result a third time to locate the datasets for the index: ~8 ms for a 1.7 MB sample,
and a NAIP sample inflates 9.8 MB of imagery that captioning never looks at.

:func:`open_patchable` opens the file once (low-level h5py calls, read-write on an in-memory copy)
and gives a :class:`PatchableSample`:

* the metadata is parsed, every dataset's header is checked against the layout (names, dtypes,
  shapes, band names) before any data is read;
* uncompressed datasets (every 10 m modality as geomeld writes them) become read-only numpy views
  into the original bytes, value-checked at once as the full path does (class codes, ±Inf, NaN);
* compressed datasets are decoded only if something reads them (:class:`LazyArrays`): NAIP as
  geomeld writes it (one gzip chunk, :func:`~geomeld.io.h5sample.decode_located`), and every
  dataset of the released shards (gzip in 64 × 64 tiles, read through h5py chunk by chunk with the
  io limits' header check and bounded inflate, :mod:`geomeld.io.limits`); each is value-checked
  when decoded, and one that fails is recorded in :attr:`PatchableSample.problems` and the caller
  treats the member as unreadable, like the full path. The index row needs every modality's
  presence: a compressed dataset nobody read is taken from the shard's fresh index (whose rows were
  built by the full reader) or decoded;
* :meth:`PatchableSample.patched` writes the new metadata string into the existing dataset (HDF5
  stores it in the file's global heap, reusing the old string's space; the data datasets keep their
  bytes and offsets, which the tests check by decoding the result with the full path) and returns
  the new file bytes, or the original bytes unchanged when the metadata did not change.

Anything the fast path does not handle exactly like the full path — a file that is not HDF5 or does
not open, a link that is not a plain hard link (nothing outside the member is ever opened), a
dataset that is not a modality or a plain numeric extra, a storage layout the fast path
cannot read (a foreign dataset that is not one plain block, a modality whose header the io
limits refuse), a metadata string that is not a scalar UTF-8 string, or any problem at all — makes
:func:`open_patchable` return ``None``, and the caller uses the full path, which reports problems in
its usual words.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from math import prod
from types import TracebackType
from typing import Any

import h5py
import numpy as np
from h5py import h5d, h5l, h5s, h5z

from geomeld.core.modalities import METADATA_KEY, MODALITIES
from geomeld.core.sample import Sample, SampleFormatError, SampleMetadata
from geomeld.io.h5sample import (
    HDF5_SIGNATURE,
    DatasetLocation,
    check_arrays,
    decode_located,
    key_from_where,
    layout_of,
    value_problem,
)
from geomeld.io.limits import header_problem, read_dataset, registry_nbytes

_UTF8 = h5py.string_dtype("utf-8")
_GZIP_FILTERS = {h5z.FILTER_DEFLATE: "gzip", h5z.FILTER_SHUFFLE: "shuffle"}


class _FullPathError(Exception):
    """The fast path does not handle this file: the caller uses the full path."""


class _Deferred:
    """An array not decoded yet (``np.asarray`` of it decodes it, should one leak out)."""

    __slots__ = ("decode",)

    def __init__(self, decode: Callable[[], np.ndarray]) -> None:
        self.decode = decode

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.decode()
        return arr if dtype is None else arr.astype(dtype)


class LazyArrays(dict[str, np.ndarray]):
    """A ``dict`` of arrays whose deferred entries are decoded on first access (``[]``, ``get``,
    ``items``, ``values``, ``copy``, ``dict(...)``, ``{**...}``) and then kept."""

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray],
        deferred: Mapping[str, Callable[[], np.ndarray]],
        order: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        for key in order if order is not None else [*arrays, *deferred]:
            if key in arrays:
                dict.__setitem__(self, key, arrays[key])
            else:
                dict.__setitem__(self, key, _Deferred(deferred[key]))  # type: ignore[assignment,misc]

    def pending(self) -> list[str]:
        """Keys whose arrays have not been decoded (yet)."""
        return [k for k, v in dict.items(self) if isinstance(v, _Deferred)]

    def __getitem__(self, key: str) -> np.ndarray:
        value: Any = dict.__getitem__(self, key)
        if isinstance(value, _Deferred):
            value = value.decode()
            dict.__setitem__(self, key, value)
        return value  # type: ignore[no-any-return]

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:  # not dict's own iterator: dict(x) and {**x} use __getitem__
        return iter(list(self.keys()))

    def _resolve_all(self) -> None:
        for key in self.pending():
            self[key]

    def items(self) -> Any:
        self._resolve_all()
        return super().items()

    def values(self) -> Any:
        self._resolve_all()
        return super().values()

    def copy(self) -> dict[str, np.ndarray]:
        return {k: self[k] for k in self}

    def __or__(self, other: Any) -> dict[str, np.ndarray]:  # type: ignore[override]
        return self.copy() | dict(other)

    def pop(self, key: str, *default: Any) -> Any:  # type: ignore[override]
        if key in self:
            value = self[key]
            dict.__delitem__(self, key)
            return value
        if default:
            return default[0]
        raise KeyError(key)

    def __eq__(self, other: object) -> bool:
        self._resolve_all()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:  # pickles as a plain dict of decoded arrays
        return (dict, (self.copy(),))


def _location(dsid: h5d.DatasetID, shape: tuple[int, ...], dtype: np.dtype[Any]) -> DatasetLocation | None:
    """Byte location of a numeric dataset (contiguous without filters, or one whole-array chunk with
    deflate and/or shuffle), read with low-level calls; ``None`` for anything else."""
    if dtype.kind not in "fiu" or not shape:
        return None
    dcpl = dsid.get_create_plist()
    layout = dcpl.get_layout()
    nfilters = dcpl.get_nfilters()
    if layout == h5d.CONTIGUOUS:
        offset = dsid.get_offset()
        if nfilters or offset is None:
            return None
        return DatasetLocation(int(offset), int(dsid.get_storage_size()), dtype.str, shape, "raw")
    if layout != h5d.CHUNKED or tuple(dcpl.get_chunk()) != shape or dsid.get_num_chunks() != 1:
        return None
    filters = [dcpl.get_filter(i)[0] for i in range(nfilters)]
    if any(f not in _GZIP_FILTERS for f in filters) or len(set(filters)) != len(filters):
        return None
    info = dsid.get_chunk_info(0)
    if info.filter_mask != 0 or info.byte_offset is None:
        return None
    gzip, shuffle = h5z.FILTER_DEFLATE in filters, h5z.FILTER_SHUFFLE in filters
    codec = "+".join(n for n, on in (("gzip", gzip), ("shuffle", shuffle)) if on) or "raw"
    return DatasetLocation(int(info.byte_offset), int(info.size), dtype.str, shape, codec)


class PatchableSample:
    """One sample file opened for a metadata patch (see the module docstring); use as a context
    manager or call :meth:`patched` / :meth:`close`."""

    def __init__(
        self,
        data: bytes,
        where: str,
        f: h5py.File,
        buf: io.BytesIO,
        metadata_text: str,
        sample: Sample,
        locations: dict[str, DatasetLocation],
        problems: list[str],
        sizes: dict[str, int],
    ) -> None:
        self.data = data
        self.where = where
        self._f: h5py.File | None = f
        self._buf = buf
        self.metadata_text = metadata_text
        self.sample = sample
        self.problems = problems
        """Compressed datasets that failed to decode or check when read (the member is then bad)."""
        self.locations = {k: v for k, v in locations.items() if k in MODALITIES}
        self.sizes = sizes
        """Element count of each dataset, from its header."""
        """Byte locations of the modality datasets (the shard index's ``locations``); a patch keeps them."""

    def __enter__(self) -> PatchableSample:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def patched(self, metadata: SampleMetadata) -> bytes:
        """The file bytes with ``metadata`` stored (the original bytes when it is unchanged)."""
        text = metadata.to_json()
        if text == self.metadata_text:
            self.close()
            return self.data
        if self._f is None:
            raise ValueError(f"{self.where}: already patched or closed")
        dsid = h5d.open(self._f.id, METADATA_KEY.encode())
        try:
            dsid.write(h5s.ALL, h5s.ALL, np.array(text, dtype=_UTF8))
        finally:
            dsid.close()
        self.close()
        return self._buf.getvalue()

    def present_modalities(self, indexed: list[str] | None = None) -> list[str] | None:
        """Modalities holding a valid pixel; a dataset not decoded yet is taken from ``indexed`` (the
        shard index's ``modalities`` of this unchanged member) when given, from its size when the
        registry declares every value valid (an integer modality without no-data: NAIP), else
        decoded. ``None`` when a dataset fails to decode (see :attr:`problems`)."""
        arrays = self.sample.arrays
        pending = set(arrays.pending()) if isinstance(arrays, LazyArrays) else set()
        out = []
        for key in arrays:
            if key not in MODALITIES:
                continue
            modality = MODALITIES[key]
            if key in pending and indexed is not None:
                present = key in indexed
            elif key in pending and not modality.is_float and modality.nodata is None:
                present = self.sizes[key] > 0  # every value is valid (NAIP): no need to decode
            else:
                try:
                    present = bool(modality.valid_mask(arrays[key]).any())
                except SampleFormatError:
                    return None
            if present:
                out.append(key)
        return out


def _checked(
    where: str, key: str, read: Callable[[], np.ndarray], problems: list[str]
) -> Callable[[], np.ndarray]:
    """The decoder of one compressed dataset: ``read`` (bounded inflate), then the value check; a
    failure is appended to ``problems`` (the member is then bad, whatever the caller did with the
    exception)."""

    def decode() -> np.ndarray:
        try:
            arr = np.asarray(read())
            msg = value_problem(MODALITIES[key], arr)
        except Exception as exc:
            msg = f"dataset cannot be read ({exc})"
        if msg:
            problems.append(f"{where}: {key}: {msg}")
            raise SampleFormatError(problems[-1])
        return arr

    return decode


def _tiled_reader(f: h5py.File, name: str, size: int) -> Callable[[], np.ndarray] | None:
    """A reader for a compressed dataset in several chunks (the released shards tile 64 × 64) that
    passes the io limits' header check, read chunk by chunk with the bounded inflate while ``f`` is
    open; ``None`` when the header is refused (the full path then reports it)."""
    ds = f[name]
    if header_problem(name, ds, registry_nbytes(name)) is not None:
        return None
    return lambda: read_dataset(ds, size)


def _not_utf8_vlen(dtype: np.dtype[Any]) -> bool:
    info = h5py.check_string_dtype(dtype)
    return info is None or info.encoding != "utf-8" or info.length is not None


def _read_metadata(dsid: h5d.DatasetID) -> str | None:
    if dsid.shape != () or _not_utf8_vlen(dsid.dtype):
        return None
    out = np.empty((), dtype=_UTF8)
    dsid.read(h5s.ALL, h5s.ALL, out)
    value = out[()]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _open(data: bytes, where: str) -> PatchableSample:
    buf = io.BytesIO(data)
    f = h5py.File(buf, "r+")
    try:
        text: str | None = None
        headers: dict[str, tuple[np.dtype[Any], tuple[int, ...], DatasetLocation | None]] = {}
        for name in f:
            if f.id.links.get_info(name.encode()).type != h5l.TYPE_HARD:
                raise _FullPathError  # external or soft link: never followed here
            try:
                dsid = h5d.open(f.id, name.encode())
            except Exception:  # a group or something else: the full path reports it
                raise _FullPathError from None
            try:
                if name == METADATA_KEY:
                    text = _read_metadata(dsid)
                    if text is None:
                        raise _FullPathError
                    continue
                shape = tuple(int(s) for s in dsid.shape)
                loc = _location(dsid, shape, dsid.dtype)
                if loc is None and name not in MODALITIES:
                    raise _FullPathError
                headers[name] = (dsid.dtype, shape, loc)
            finally:
                dsid.close()
        if text is None:
            raise _FullPathError
        try:
            metadata = SampleMetadata.from_json(text, where)
        except SampleFormatError:
            raise _FullPathError from None
        layout = layout_of(list(k for k in headers if k in MODALITIES), metadata)
        stubs = {
            k: np.broadcast_to(np.zeros((), dtype), shape)
            for k, (dtype, shape, _) in headers.items()
            if k in MODALITIES
        }
        if check_arrays(stubs, layout, metadata.band_names, where, check_values=False):
            raise _FullPathError
        if any(k not in layout.band_selection for k in stubs):
            raise _FullPathError
        eager: dict[str, np.ndarray] = {}
        problems: list[str] = []
        deferred: dict[str, Callable[[], np.ndarray]] = {}
        extras: dict[str, Any] = {}
        for key in [*layout.modality_keys, *(k for k in headers if k not in MODALITIES)]:
            _, _, loc = headers[key]
            if loc is None:  # several chunks: read through h5py with the io limits, if at all
                tiled = _tiled_reader(f, key, len(data))
                if tiled is None:
                    raise _FullPathError
                deferred[key] = _checked(where, key, tiled, problems)
                continue
            if loc.codec != "raw":
                if key not in MODALITIES:
                    raise _FullPathError
                deferred[key] = _checked(where, key, partial(decode_located, data, loc), problems)
                continue
            arr = decode_located(data, loc, copy=False)
            if key in MODALITIES:
                if value_problem(MODALITIES[key], arr):
                    raise _FullPathError
                eager[key] = arr
            else:
                extras.setdefault("datasets", {})[key] = arr
        arrays = LazyArrays(eager, deferred, order=[k for k in layout.modality_keys if k in headers])
        sample = Sample(key=key_from_where(where), arrays=arrays, metadata=metadata, extras=extras)
        locations = {k: loc for k, (_, _, loc) in headers.items() if loc is not None}
        sizes = {k: prod(shape) for k, (_, shape, _) in headers.items()}
        return PatchableSample(data, where, f, buf, text, sample, locations, problems, sizes)
    except BaseException:
        f.close()
        raise


def open_patchable(data: bytes, where: str) -> PatchableSample | None:
    """Open one sample file for a metadata patch; ``None`` when the full path must handle it (see
    the module docstring). Never raises for a bad file."""
    if not isinstance(data, bytes) or data[:8] != HDF5_SIGNATURE:
        return None
    try:
        return _open(data, where)
    except Exception:  # anything odd: the full path decides and reports
        return None


def patch_metadata(sample: Sample, original: bytes) -> bytes:
    """The full path: the original HDF5 bytes of ``sample`` with its metadata dataset deleted and
    re-created (any storage layout; the arrays are neither re-compressed nor re-checked)."""
    buf = io.BytesIO(bytes(original))
    with h5py.File(buf, "r+") as f:
        del f[METADATA_KEY]
        f.create_dataset(METADATA_KEY, data=sample.metadata.to_json())
    return buf.getvalue()
