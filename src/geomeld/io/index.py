"""The shard index: one Parquet row per sample, beside each shard.

``geomeld-00000.tar`` → ``geomeld-00000.index.parquet`` (``geomeld-00000_n.tar`` →
``geomeld-00000_n.index.parquet``). Columns:

==================  =============  ============================================================
column              type           meaning
==================  =============  ============================================================
key                 string         WebDataset key (tile id) of the member ``<key>.h5``
shard               string         shard file name (resolved against the index's folder)
member_offset       int64          byte offset of the member's data (the HDF5 file) in the tar
member_size         int64          size of the member's data in bytes
tile_id             string         ``metadata.tile_id``
lat, long           float64        ``metadata.lat`` / ``metadata.long`` (WGS 84)
acquisition_date    string         ``metadata.acquisition_date``
layout              string         registry layout name (``standard`` / ``naip``)
modalities          list<string>   modalities holding at least one valid pixel
band_names          string (JSON)  ``metadata.band_names``
caption             string         ``metadata.caption`` or ``""``
locations           string (JSON)  ``{key: [offset, nbytes, dtype, shape, codec]}`` of every
                                   dataset the fast path can decode (see ``DatasetLocation``)
error               string         ``""`` for a good sample; else the problem (shard + key + what)
==================  =============  ============================================================

Bad members stay in the index (with ``error`` set and empty metadata columns) so that a failure is
reported every time the shard is used, never silently forgotten; filter on ``error == ""``.

The Parquet schema metadata records the shard's size, mtime and a content fingerprint; an index
whose shard has changed since is stale and is rebuilt by :func:`read_index` (a copy that only reset
the mtime keeps its index). Indexes of foreign (released) shards are built
the same way (``geomeld index``), reading every member once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from geomeld.core.sample import Sample, SampleFormatError
from geomeld.io.h5sample import decode_checked, locate_datasets

log = logging.getLogger(__name__)

INDEX_FORMAT = "geomeld-index-1"
INDEX_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("shard", pa.string()),
        ("member_offset", pa.int64()),
        ("member_size", pa.int64()),
        ("tile_id", pa.string()),
        ("lat", pa.float64()),
        ("long", pa.float64()),
        ("acquisition_date", pa.string()),
        ("layout", pa.string()),
        ("modalities", pa.list_(pa.string())),
        ("band_names", pa.string()),
        ("caption", pa.string()),
        ("locations", pa.string()),
        ("error", pa.string()),
    ]
)


def index_path(shard: str | os.PathLike[str]) -> Path:
    """The sidecar index of a shard: ``x.tar`` → ``x.index.parquet``."""
    p = Path(shard)
    return p.with_name(p.name.removesuffix(".tar") + ".index.parquet")


def row_from_sample(
    shard_name: str,
    sample: Sample,
    offset: int,
    size: int,
    locations: dict[str, Any],
    modalities: list[str] | None = None,
) -> dict[str, Any]:
    """``modalities`` (present modalities) is computed from the arrays when not given."""
    meta = sample.metadata
    return {
        "key": sample.key,
        "shard": shard_name,
        "member_offset": int(offset),
        "member_size": int(size),
        "tile_id": str(meta.tile_id),
        "lat": float(meta.lat),
        "long": float(meta.long),
        "acquisition_date": meta.acquisition_date,
        "layout": sample.layout.name,
        "modalities": sample.present_modalities() if modalities is None else modalities,
        "band_names": json.dumps({k: sample.band_names(k) for k in sample.arrays}),
        "caption": meta.caption or "",
        "locations": json.dumps({k: loc.to_list() for k, loc in locations.items()}),
        "error": "",
    }


def bad_row(shard_name: str, key: str, offset: int, size: int, message: str) -> dict[str, Any]:
    """The index row of a member that could not be decoded."""
    return {
        "key": key,
        "shard": shard_name,
        "member_offset": int(offset),
        "member_size": int(size),
        "tile_id": "",
        "lat": float("nan"),
        "long": float("nan"),
        "acquisition_date": "",
        "layout": "",
        "modalities": [],
        "band_names": "{}",
        "caption": "",
        "locations": "{}",
        "error": message,
    }


def index_row(shard_name: str, sample: Sample, offset: int, data: bytes) -> dict[str, Any]:
    """The index row of a sample just encoded to ``data`` (opens the HDF5 once for dataset offsets)."""
    locations = locate_datasets(data, f"{shard_name}:{sample.key}")
    return row_from_sample(shard_name, sample, offset, len(data), locations)


FINGERPRINT_WINDOW = 64 * 1024


def shard_fingerprint(shard: Path) -> str:
    """SHA-1 of four 64 KiB windows (start, 1/3, 2/3, end) and the size: survives copies that
    reset mtimes (``cp``, downloads), changes when a rewrite moves members."""
    size = shard.stat().st_size
    h = hashlib.sha1(str(size).encode())
    with open(shard, "rb") as fh:
        for start in (0, size // 3, 2 * size // 3, max(size - FINGERPRINT_WINDOW, 0)):
            fh.seek(start)
            h.update(fh.read(FINGERPRINT_WINDOW))
    return h.hexdigest()


def _shard_stamp(shard: Path) -> dict[bytes, bytes]:
    st = shard.stat()
    return {
        b"format": INDEX_FORMAT.encode(),
        b"shard_size": str(st.st_size).encode(),
        b"shard_mtime_ns": str(st.st_mtime_ns).encode(),
        b"shard_fingerprint": shard_fingerprint(shard).encode(),
    }


def write_index(
    shard: str | os.PathLike[str], rows: Sequence[dict[str, Any]], out: Path | None = None
) -> Path:
    """Atomically write the index of ``shard`` (stamped with the shard's size, mtime, fingerprint)."""
    shard = Path(shard)
    target = out or index_path(shard)
    table = pa.Table.from_pylist(list(rows), schema=INDEX_SCHEMA).replace_schema_metadata(_shard_stamp(shard))
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, target)
    return target


def build_index_rows(shard: str | os.PathLike[str], errors: list[Any] | None = None) -> list[dict[str, Any]]:
    """Index rows of any shard (ours or released) by reading every member; bad samples get a row
    with ``error`` set and are reported in ``errors`` (as :class:`~geomeld.io.shards.SampleError`).
    A damaged tar ends the shard's rows at the damage, recorded as a row with an empty key."""
    from geomeld.io.shards import SampleError, iter_members

    shard = Path(shard)
    rows = []
    try:
        for member in iter_members(shard):
            try:
                sample, problems, locations = decode_checked(member.data, member.where, locate=True)
                message = "; ".join(str(p) for p in problems)
            except SampleFormatError as exc:  # not HDF5 / unreadable
                sample, message = None, str(exc)
            if message or sample is None:
                log.warning("index: bad sample: %s", message)
                if errors is not None:
                    errors.append(SampleError(shard.name, member.key, message))
                rows.append(bad_row(shard.name, member.key, member.offset, member.size, message))
                continue
            rows.append(row_from_sample(shard.name, sample, member.offset, member.size, locations))
    except SampleFormatError as exc:  # a damaged tar: keep the rows read so far
        log.warning("index: %s", exc)
        if errors is not None:
            errors.append(SampleError(shard.name, "", str(exc)))
        rows.append(bad_row(shard.name, "", 0, 0, str(exc)))
    return rows


def is_fresh(shard: Path, idx: Path) -> bool:
    """The sidecar was written for this shard: same format and size, and same mtime or (after a
    copy that reset mtimes) same fingerprint."""
    if not idx.exists():
        return False
    meta = pq.read_schema(idx).metadata or {}
    st = shard.stat()
    if meta.get(b"format") != INDEX_FORMAT.encode() or meta.get(b"shard_size") != str(st.st_size).encode():
        return False
    if meta.get(b"shard_mtime_ns") == str(st.st_mtime_ns).encode():
        return True
    return meta.get(b"shard_fingerprint") == shard_fingerprint(shard).encode()


def indexed_modalities(shard: str | os.PathLike[str]) -> dict[tuple[str, int], list[str]]:
    """``(key, member_size) → modalities`` of the good rows of the shard's index when it is fresh
    (empty when there is none or it cannot be read): what a rewrite that leaves the arrays alone
    carries over instead of decoding them again."""
    shard = Path(shard)
    idx = index_path(shard)
    try:
        if not is_fresh(shard, idx):
            return {}
        t = pq.read_table(idx, columns=["key", "member_size", "modalities", "error"]).to_pydict()
    except Exception as exc:  # an unreadable index only costs the decode it would have saved
        log.warning("%s: index not used (%s)", idx, exc)
        return {}
    return {
        (str(k), int(n)): list(m or [])
        for k, n, m, e in zip(t["key"], t["member_size"], t["modalities"], t["error"], strict=True)
        if not e
    }


def ensure_index(
    shard: str | os.PathLike[str], errors: list[Any] | None = None, *, write: bool = True
) -> pa.Table:
    """The index table of one shard: the sidecar when fresh, else built (and written when possible)."""
    shard = Path(shard)
    idx = index_path(shard)
    if is_fresh(shard, idx):
        return pq.read_table(idx, schema=INDEX_SCHEMA)
    log.info("indexing %s (no fresh index beside it)", shard)
    rows = build_index_rows(shard, errors)
    if write:
        try:
            write_index(shard, rows)
        except OSError as exc:
            log.warning("cannot write index beside %s (%s); using it in memory only", shard, exc)
    return pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)


def read_index(
    shards: Iterable[str | os.PathLike[str]], errors: list[Any] | None = None, *, write: bool = True
) -> pa.Table:
    """One table over many shards (in the given order) with an extra ``shard_path`` column."""
    tables = []
    for s in shards:
        t = ensure_index(s, errors, write=write)
        tables.append(t.append_column("shard_path", pa.array([str(Path(s))] * t.num_rows, pa.string())))
    if not tables:
        return INDEX_SCHEMA.empty_table().append_column("shard_path", pa.array([], pa.string()))
    return pa.concat_tables(tables)
