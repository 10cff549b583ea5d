"""One GeoMeld sample ↔ one in-memory HDF5 file (the released per-sample format).

File layout (identical to the released GeoMeld samples, so the published recipe
``h5py.File(io.BytesIO(b))``, ``f[key][()]``, ``json.loads(f["metadata"][()])`` reads our files):

* one dataset per modality of the sample's :class:`~geomeld.core.modalities.Layout`, with exactly the
  layout's shape and the registry's dtype (``sentinel2`` float32 ``(12|9, 128, 128)``, ``naip``
  uint16 ``(3, 1280, 1280)``, …);
* ``metadata``: a scalar variable-length UTF-8 string holding the JSON of
  :class:`~geomeld.core.sample.SampleMetadata` (released fields + our optional additions: ``caption``,
  ``caption_report``, ``provenance``, ``signals``, ``schema_version``).

Captions live in ``metadata.caption`` only (one place, so a read-modify-write never disagrees with
itself). On reading, a foreign ``caption`` string dataset is accepted and used when the metadata has
no caption; any other unknown dataset is kept in ``Sample.extras["datasets"]`` and written back, so
a round trip through :func:`decode_sample`/:func:`encode_sample` loses nothing.

Compression decision. Measured with ``benchmarks/loader.py --codec-report`` (30 synthetic but
structured non-NAIP samples: smooth S2/S1/DEM fields with noise, NaN HH/HV, blocky uint8 label
maps; samples per CPU second, 1 thread, x86_64, 2 shared cores, 2026-11-27):

==========================  =========  ======  ==================  ============  ==================
codec (whole-array chunks)  KB/sample  encode  decode_sample (h5py  h5py read     fast path (index
                                               + registry checks)   (recipe)      offsets, numpy)
==========================  =========  ======  ==================  ============  ==================
uncompressed, contiguous    1 613      126     168                 270           3 968
gzip-1 + shuffle            1 026      22      76                  97            118
==========================  =========  ======  ==================  ============  ==================

gzip-1 + shuffle saves 36 % of disk on the 10 m modalities but makes writing 6× and reading 3×
(h5py) to 34× (fast path; zlib inflate dominates) slower, and the loader is CPU-bound on the
training machine. Default (``compression="auto"``): **uncompressed contiguous datasets for arrays
under 4 MiB** (every 10 m modality) and **gzip-1 + shuffle in one whole-array chunk for larger
ones** (NAIP, 9.8 MB raw, 8-bit values in uint16: the shuffled high bytes are all zero, so it
compresses several-fold, and NAIP is not batched by default). ``None`` and ``"gzip"`` force one
codec for every dataset. Every reader here decodes all of them: h5py always, and the fast path
whenever the index records the dataset's byte location (contiguous, or one whole-array chunk with
gzip and/or shuffle: inflated with ``zlib`` and unshuffled with numpy).
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from math import prod
from typing import Any, Literal

import h5py
import numpy as np

from geomeld.core.modalities import LAYOUTS, METADATA_KEY, MODALITIES, Layout, Modality
from geomeld.core.sample import Sample, SampleFormatError, SampleMetadata
from geomeld.io.limits import bounded_inflate, read_dataset, screen_file

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
CAPTION_KEY = "caption"
Compression = Literal["gzip", "auto"] | None
DEFAULT_COMPRESSION: Compression = "auto"
"""``"auto"``: gzip-1+shuffle for datasets over :data:`AUTO_GZIP_MIN_BYTES` (NAIP), raw otherwise."""
AUTO_GZIP_MIN_BYTES = 4 * 2**20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one sample: where (``shard:key``), which modality/field, what."""

    where: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.subject}: {self.message}"


@dataclass(frozen=True)
class DatasetLocation:
    """Where a dataset's bytes sit inside the HDF5 file, for decoding without opening HDF5.

    ``codec`` is ``"raw"`` (contiguous, no filters) or ``"gzip+shuffle"`` / ``"gzip"`` (one chunk
    covering the whole array, deflate with or without the shuffle filter).
    """

    offset: int
    nbytes: int
    dtype: str
    shape: tuple[int, ...]
    codec: str

    def to_list(self) -> list[Any]:
        return [self.offset, self.nbytes, self.dtype, list(self.shape), self.codec]

    @classmethod
    def from_list(cls, v: list[Any]) -> DatasetLocation:
        return cls(int(v[0]), int(v[1]), str(v[2]), tuple(int(s) for s in v[3]), str(v[4]))


# --------------------------------------------------------------------------------------------- checks


def layout_of(keys: Mapping[str, object] | list[str], metadata: SampleMetadata | None) -> Layout:
    """The layout a sample claims: NAIP if its metadata says so or it holds a ``naip`` array."""
    present = set(keys)
    for layout in LAYOUTS.values():
        others = set().union(*(set(o.band_selection) for o in LAYOUTS.values() if o is not layout))
        exclusive = set(layout.band_selection) - others
        if exclusive & present or (
            metadata is not None and layout.file_type_naip and metadata.file_type_naip
        ):
            return layout
    return LAYOUTS["standard"]


def value_problem(modality: Modality, array: np.ndarray) -> str | None:
    """What is wrong with the values of a correctly shaped array, or None."""
    if modality.classes is not None:
        ok = modality.classes.is_allowed(array)
        if not ok.all():
            bad = np.unique(array[~ok])[:8].tolist()
            return (
                f"class codes {bad} are not in the {modality.classes.name} table "
                f"(allowed: {list(modality.classes.codes)} and no-data {modality.classes.nodata})"
            )
        return None
    if modality.is_float:
        if np.isinf(array).any():
            return f"{int(np.isinf(array).sum())} ±Inf values (no-data must be NaN, never Inf)"
        if not modality.nan_allowed and np.isnan(array).any():
            return f"{int(np.isnan(array).sum())} NaN values, but {modality.key} declares no NaN no-data"
    return None


def check_arrays(
    arrays: Mapping[str, np.ndarray],
    layout: Layout,
    band_names: Mapping[str, list[str]],
    where: str,
    *,
    check_values: bool = True,
    skip: Collection[str] = (),
) -> list[Problem]:
    """Every problem of ``arrays`` against ``layout`` and the registry (empty list when fine); keys
    in ``skip`` (already reported) are left out."""
    problems: list[Problem] = []
    for key in layout.modality_keys:
        if key in skip:
            continue
        modality = MODALITIES[key]
        expected_shape = layout.shape(key)
        if key not in arrays:
            problems.append(
                Problem(
                    where,
                    key,
                    f"missing required dataset (layout {layout.name!r} expects {key} "
                    f"{modality.dtype} {expected_shape})",
                )
            )
            continue
        arr = arrays[key]
        if arr.dtype.kind != modality.dtype.kind or arr.dtype.itemsize != modality.dtype.itemsize:
            problems.append(Problem(where, key, f"dtype {arr.dtype}, expected {modality.dtype}"))
            if arr.dtype.kind == "f" and not modality.is_float and not np.isfinite(arr).all():
                problems.append(Problem(where, key, f"NaN/±Inf values, but {key} declares no NaN no-data"))
            continue
        if tuple(arr.shape) != expected_shape:
            problems.append(Problem(where, key, f"shape {tuple(arr.shape)}, expected {expected_shape}"))
            continue
        recorded = band_names.get(key)
        if recorded:
            unknown = [b for b in recorded if b not in modality.band_names]
            if unknown or len(recorded) != expected_shape[0]:
                problems.append(
                    Problem(
                        where,
                        key,
                        f"metadata.band_names {recorded} do not match {expected_shape[0]} bands of "
                        f"{list(modality.band_names)}",
                    )
                )
                continue
        if check_values:
            msg = value_problem(modality, arr)
            if msg:
                problems.append(Problem(where, key, msg))
    return problems


def sample_problems(sample: Sample, where: str | None = None) -> list[Problem]:
    """Every problem of an in-memory sample against its layout and the registry."""
    w = where or sample.key
    return check_arrays(
        sample.arrays, layout_of(list(sample.arrays), sample.metadata), sample.metadata.band_names, w
    )


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise SampleFormatError("; ".join(str(p) for p in problems))


# ------------------------------------------------------------------------------------------- encoding


def encode_sample(sample: Sample, compression: Compression = DEFAULT_COMPRESSION) -> bytes:
    """The sample as the bytes of one released-format HDF5 file.

    The sample is checked first (layout keys, shapes, dtypes, class codes, Inf) and a
    :class:`SampleFormatError` naming the sample key and modality is raised instead of writing a bad
    file. ``metadata.band_names`` and ``file_type_naip`` are filled from the layout when empty.
    """
    if not sample.key or any(c in sample.key for c in "./\\") or sample.key.strip() != sample.key:
        raise SampleFormatError(
            f"sample key {sample.key!r}: a key must be non-empty without '.', '/', '\\' or surrounding "
            "spaces (WebDataset splits member names at the first dot)"
        )
    layout = layout_of(list(sample.arrays), sample.metadata)
    meta = sample.metadata
    if not meta.band_names or meta.file_type_naip != layout.file_type_naip:
        meta = meta.model_copy(
            update={
                "band_names": meta.band_names or layout.band_names(),
                "file_type_naip": layout.file_type_naip,
            }
        )
    known = set(layout.modality_keys)
    unknown = [k for k in sample.arrays if k not in known]
    if unknown:
        raise SampleFormatError(
            f"{sample.key}: arrays {unknown} are not modalities of layout {layout.name!r} "
            f"({list(known)}); put foreign extra datasets in extras['datasets']"
        )
    _raise(check_arrays(sample.arrays, layout, meta.band_names, sample.key))
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for key in layout.modality_keys:
            arr = np.ascontiguousarray(sample.arrays[key], dtype=MODALITIES[key].dtype)
            gzip = compression == "gzip" or (compression == "auto" and arr.nbytes >= AUTO_GZIP_MIN_BYTES)
            if gzip:
                f.create_dataset(
                    key, data=arr, chunks=arr.shape, compression="gzip", compression_opts=1, shuffle=True
                )
            elif compression in (None, "auto"):
                f.create_dataset(key, data=arr)
            else:
                raise ValueError(f"unknown compression {compression!r}; use None, 'auto' or 'gzip'")
        for name, value in sample.extras.get("datasets", {}).items():
            if name in known or name == METADATA_KEY:
                raise SampleFormatError(f"{sample.key}: extras['datasets'] may not hold {name!r}")
            f.create_dataset(name, data=value)
        f.create_dataset(METADATA_KEY, data=meta.to_json())
    return buf.getvalue()


# ------------------------------------------------------------------------------------------- decoding


def _open(data: bytes, where: str) -> h5py.File:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SampleFormatError(f"{where}: expected the bytes of an HDF5 file, got {type(data).__name__}")
    if bytes(data[:8]) != HDF5_SIGNATURE:
        raise SampleFormatError(
            f"{where}: not an HDF5 file (first bytes {bytes(data[:8])!r}, expected the HDF5 signature)"
        )
    try:
        return h5py.File(io.BytesIO(data), "r")
    except Exception as exc:  # h5py raises OSError/ValueError/KeyError variants for damaged files
        raise SampleFormatError(f"{where}: HDF5 file cannot be opened ({exc})") from None


def _read_dataset(ds: h5py.Dataset, name: str, where: str, file_size: int) -> Any:
    """A dataset's data, read within the limits :func:`~geomeld.io.limits.screen_file` checked."""
    try:
        return read_dataset(ds, file_size)
    except Exception as exc:
        raise SampleFormatError(f"{where}: {name}: dataset cannot be read ({exc})") from None


def _as_text(value: Any, where: str, name: str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise SampleFormatError(f"{where}: {name}: not UTF-8 text") from None
    if isinstance(value, str):
        return value
    if (isinstance(value, np.ndarray) and value.shape == ()) or isinstance(value, np.generic):
        return _as_text(value.item(), where, name)
    raise SampleFormatError(f"{where}: {name}: expected a scalar string, got {type(value).__name__}")


def _location(ds: h5py.Dataset) -> DatasetLocation | None:
    """Byte location of a dataset inside its file when the fast path can decode it, else None."""
    dtype = ds.dtype
    if dtype.kind not in "fiu" or ds.shape is None or len(ds.shape) == 0:
        return None
    if ds.fletcher32 or ds.scaleoffset is not None:
        return None
    dt = dtype.str
    shape = tuple(int(s) for s in ds.shape)
    if ds.chunks is None:
        if ds.compression is not None or ds.shuffle:
            return None
        offset = ds.id.get_offset()
        if offset is None:
            return None
        return DatasetLocation(int(offset), int(ds.id.get_storage_size()), dt, shape, "raw")
    if tuple(ds.chunks) != shape or ds.id.get_num_chunks() != 1:
        return None
    if ds.compression not in ("gzip", None):
        return None
    filters = ds.id.get_create_plist().get_nfilters()
    expected_filters = int(ds.compression == "gzip") + int(bool(ds.shuffle))
    if filters != expected_filters:
        return None
    info = ds.id.get_chunk_info(0)
    if info.filter_mask != 0 or info.byte_offset is None:
        return None
    if ds.compression is None:
        codec = "shuffle" if ds.shuffle else "raw"
    else:
        codec = "gzip+shuffle" if ds.shuffle else "gzip"
    return DatasetLocation(int(info.byte_offset), int(info.size), dt, shape, codec)


def locate_datasets(data: bytes, where: str) -> dict[str, DatasetLocation]:
    """Byte locations of every modality dataset the fast path can decode (opens HDF5, reads no data)."""
    out: dict[str, DatasetLocation] = {}
    with _open(data, where) as f:
        screened = screen_file(f, len(data), [name for name in f if name in MODALITIES])
        for name, obj in screened.datasets.items():
            loc = _location(obj)
            if loc is not None:
                out[name] = loc
    return out


def decode_located(data: bytes | memoryview, loc: DatasetLocation, *, copy: bool = True) -> np.ndarray:
    """Decode one dataset from the file bytes using its recorded location (no HDF5 library call).

    ``copy=False`` returns a read-only view into ``data`` for raw datasets (no copy at all). A gzip
    chunk is inflated to at most the declared shape's size (:func:`~geomeld.io.limits.bounded_inflate`):
    a stream that inflates to more or less raises :class:`~geomeld.io.limits.InflateError` (a
    ``ValueError``); the caller checks ``loc.shape`` and ``loc.dtype`` against the registry first.
    """
    if loc.offset < 0 or loc.nbytes < 0:
        raise ValueError(f"dataset location {loc.offset}+{loc.nbytes} is negative")
    raw = memoryview(data)[loc.offset : loc.offset + loc.nbytes]
    if len(raw) != loc.nbytes:
        raise ValueError(f"dataset bytes {loc.offset}+{loc.nbytes} lie beyond the file end ({len(data)})")
    dtype = np.dtype(loc.dtype)
    count = prod(loc.shape)
    if loc.codec.startswith("gzip"):
        raw = memoryview(bounded_inflate(raw, count * dtype.itemsize))
    if len(raw) != count * dtype.itemsize:
        raise ValueError(f"dataset holds {len(raw)} bytes, expected {count * dtype.itemsize}")
    if loc.codec.endswith("shuffle"):
        planes = np.frombuffer(raw, dtype=np.uint8).reshape(dtype.itemsize, count)
        return np.ascontiguousarray(planes.T).view(dtype).reshape(loc.shape)
    arr = np.frombuffer(raw, dtype=dtype).reshape(loc.shape)
    return arr.copy() if copy else arr


def read_h5(
    data: bytes, where: str, *, locate: bool = False
) -> tuple[
    dict[str, np.ndarray], SampleMetadata | None, dict[str, Any], list[Problem], dict[str, DatasetLocation]
]:
    """Read everything of one sample file without judging it against the layout.

    Returns ``(arrays, metadata, extras, problems, locations)``: ``problems`` holds the metadata
    problem (missing / not JSON / bad field) when there is one; unreadable files raise
    :class:`SampleFormatError`. ``locations`` (with ``locate=True``) maps each array key to its
    :class:`DatasetLocation` when the fast path can decode it.
    """
    arrays: dict[str, np.ndarray] = {}
    extras: dict[str, Any] = {}
    problems: list[Problem] = []
    locations: dict[str, DatasetLocation] = {}
    metadata: SampleMetadata | None = None
    size = len(data)
    with _open(data, where) as f:
        screened = screen_file(f, size)  # headers only: nothing larger than the registry is read
        problems += [Problem(where, name, reason) for name, reason in screened.refused.items()]
        if screened.groups:
            extras["groups"] = list(screened.groups)
        for name, obj in screened.datasets.items():
            if name == METADATA_KEY:
                continue
            if name in MODALITIES:
                try:
                    arrays[name] = np.asarray(_read_dataset(obj, name, where, size))
                except SampleFormatError as exc:  # e.g. a chunk that inflates past its shape
                    problems.append(Problem(where, name, str(exc).removeprefix(f"{where}: {name}: ")))
                    continue
                if locate:
                    loc = _location(obj)
                    if loc is not None:
                        locations[name] = loc
            elif name == CAPTION_KEY:
                extras["caption_dataset"] = _as_text(_read_dataset(obj, name, where, size), where, name)
            else:
                extras.setdefault("datasets", {})[name] = _read_dataset(obj, name, where, size)
        meta_ds = screened.datasets.get(METADATA_KEY)
        if meta_ds is None and METADATA_KEY not in screened.refused:
            problems.append(Problem(where, METADATA_KEY, "missing required dataset (scalar JSON string)"))
        elif meta_ds is not None:
            try:
                text = _as_text(_read_dataset(meta_ds, METADATA_KEY, where, size), where, METADATA_KEY)
                metadata = SampleMetadata.from_json(text, where)
            except SampleFormatError as exc:
                msg = str(exc)
                problems.append(Problem(where, METADATA_KEY, msg.removeprefix(f"{where}: ")))
    if metadata is not None and metadata.caption is None and "caption_dataset" in extras:
        metadata = metadata.model_copy(update={"caption": extras.pop("caption_dataset")})
    return arrays, metadata, extras, problems, locations


def key_from_where(where: str) -> str:
    """The sample key part of a ``shard:key`` location string."""
    return where.rsplit(":", 1)[-1].removesuffix(".h5")


def decode_sample(data: bytes, where: str) -> Sample:
    """Decode one sample file; any problem raises :class:`SampleFormatError` naming ``where``.

    ``where`` should be ``"<shard>:<key>"``; the sample key is taken from its last part.
    """
    sample, problems, _ = decode_checked(data, where)
    _raise(problems)
    assert sample is not None
    return sample


def decode_checked(
    data: bytes, where: str, *, locate: bool = False
) -> tuple[Sample | None, list[Problem], dict[str, DatasetLocation]]:
    """Decode and collect every problem instead of stopping at the first (for ``validate``)."""
    arrays, metadata, extras, problems, locations = read_h5(data, where, locate=locate)
    refused = {p.subject for p in problems}  # already reported from the header, never read
    layout = layout_of(list(arrays) + [k for k in refused if k in MODALITIES], metadata)
    band_names = metadata.band_names if metadata is not None else {}
    problems += check_arrays(arrays, layout, band_names, where, skip=refused)
    extras.pop("caption_dataset", None)
    if metadata is None:
        return None, problems, locations
    arrays = {k: arrays[k] for k in layout.modality_keys if k in arrays} | {
        k: v for k, v in arrays.items() if k not in layout.band_selection
    }
    stray = [k for k in arrays if k not in layout.band_selection]
    for k in stray:
        problems.append(Problem(where, k, f"modality not part of layout {layout.name!r}"))
    return (
        Sample(key=key_from_where(where), arrays=arrays, metadata=metadata, extras=extras),
        problems,
        locations,
    )
