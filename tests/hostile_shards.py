"""Deterministic generator of hostile GeoMeld sample files and shards (tests only).

Every member starts as a valid synthetic sample (:func:`geomeld.io.synthetic.make_sample`) written by
geomeld's own encoder, then one thing is made hostile with plain h5py:

* ``bomb``: the ``sentinel2`` dataset keeps its registry shape, but its one gzip chunk is replaced
  (``write_direct_chunk``) by ~1 MB of deflate that inflates to :data:`BOMB_BYTES` (1 GiB) of zeros;
* ``short``: the same chunk replaced by a stream that inflates to less than the declared shape;
* ``huge_header``: ``sentinel2`` declared ``(100000, 100000)`` float32 (40 GB) — never written, so
  the file stays a few kB and a reader that trusts the header allocates 40 GB of fill values;
* ``foreign``: a foreign dataset declared 128 MB (never written);
* ``external``: ``sentinel1`` is an external link to another file;
* ``lzf``: ``sentinel2`` compressed with LZF (a filter geomeld does not inflate itself).

Run ``python tests/hostile_shards.py OUT`` to write them as one shard (nothing is committed: the
members are made in well under a second).
"""

from __future__ import annotations

import io
import struct
import sys
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import h5py

from geomeld.io.h5sample import encode_sample
from geomeld.io.synthetic import make_sample

BOMB_BYTES = 2**30
"""What the bomb chunk inflates to (1 GiB; the registry allows 786 kB for ``sentinel2``)."""
_MIB = 2**20


def zero_bomb(size: int) -> bytes:
    """A valid zlib stream (header, blocks, Adler-32) of ``size`` zero bytes (a multiple of 1 MiB),
    built by repeating one full-flushed 1 MiB block, so even GiB take milliseconds to make."""
    if size % _MIB or size < 2 * _MIB:
        raise ValueError("size must be a multiple of 1 MiB, at least 2 MiB")
    zeros = bytes(_MIB)
    c = zlib.compressobj(9)
    head = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)[:-4]  # the final (empty) block without the Adler-32 of 2 MiB
    adler = (size % 65521) << 16 | 1  # Adler-32 of n zeros: A = 1, B = n (mod 65521)
    return head + block * (size // _MIB - 1) + tail + struct.pack(">I", adler)


def _gzip_sample(key: str) -> bytes:
    return encode_sample(make_sample(key), compression="gzip")


def _replace_chunk(data: bytes, name: str, chunk: bytes) -> bytes:
    buf = io.BytesIO(data)
    with h5py.File(buf, "r+") as f:
        f[name].id.write_direct_chunk((0,) * f[name].ndim, chunk, 0)
    return buf.getvalue()


def _rewrite(key: str, edit: Callable[[h5py.File], None]) -> bytes:
    buf = io.BytesIO(encode_sample(make_sample(key)))
    with h5py.File(buf, "r+") as f:
        edit(f)
    return buf.getvalue()


def bomb(key: str = "1", size: int = BOMB_BYTES) -> bytes:
    """A sample whose ``sentinel2`` gzip chunk inflates to ``size`` bytes (the header declares the
    registry's 12 × 128 × 128 float32)."""
    return _replace_chunk(_gzip_sample(key), "sentinel2", zero_bomb(size))


def short(key: str = "2") -> bytes:
    """A sample whose ``sentinel2`` chunk inflates to fewer bytes than its declared shape."""
    return _replace_chunk(_gzip_sample(key), "sentinel2", zlib.compress(bytes(1000)))


def _huge(f: h5py.File) -> None:
    del f["sentinel2"]
    f.create_dataset("sentinel2", shape=(100_000, 100_000), dtype="float32")


def huge_header(key: str = "3") -> bytes:
    """A sample whose ``sentinel2`` header declares 100000 × 100000 float32 (no data written)."""
    return _rewrite(key, _huge)


def foreign(key: str = "4") -> bytes:
    """A sample with a foreign dataset declared 4096 × 4096 float64 (128 MB, no data written)."""
    return _rewrite(key, lambda f: f.create_dataset("junk", shape=(4096, 4096), dtype="float64"))


def _external(f: h5py.File) -> None:
    del f["sentinel1"]
    f["sentinel1"] = h5py.ExternalLink("/etc/hostname", "/x")


def external(key: str = "5") -> bytes:
    """A sample whose ``sentinel1`` is an external link to a file outside the member."""
    return _rewrite(key, _external)


def _lzf(f: h5py.File) -> None:
    arr = f["sentinel2"][()]
    del f["sentinel2"]
    f.create_dataset("sentinel2", data=arr, chunks=arr.shape, compression="lzf")


def lzf(key: str = "6") -> bytes:
    """A sample whose ``sentinel2`` is LZF-compressed (refused: not inflated with a bound)."""
    return _rewrite(key, _lzf)


MEMBERS: dict[str, Callable[[str], bytes]] = {
    "bomb": bomb,
    "short": short,
    "huge_header": huge_header,
    "foreign": foreign,
    "external": external,
    "lzf": lzf,
}
"""Hostile member kind → maker (called with the sample key)."""


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """A plain tar of ``(name, bytes)`` members (no geomeld code: what any tool could write)."""
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def hostile_shard(path: Path, kinds: list[str] | None = None) -> Path:
    """One shard: a good sample ``0``, then one member per hostile kind, keyed 1, 2, …"""
    chosen = list(MEMBERS) if kinds is None else kinds
    members = [("0.h5", encode_sample(make_sample("0")))]
    members += [(f"{i}.h5", MEMBERS[kind](str(i))) for i, kind in enumerate(chosen, start=1)]
    return write_tar(path, members)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    print(hostile_shard(out / "geomeld-00000.tar"))
