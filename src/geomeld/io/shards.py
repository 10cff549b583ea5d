"""WebDataset ``.tar`` shards of per-sample HDF5 files: write, read, rewrite.

A shard is a plain tar whose members are ``<key>.h5`` (WebDataset key = tile id, extension ``h5``),
named ``<prefix>-00000.tar`` for the standard layout and ``<prefix>-00000_n.tar`` for the NAIP
layout, exactly like the released GeoMeld shards. Every shard written or rewritten here gets its
index beside it (``<prefix>-00000.index.parquet``, see :mod:`geomeld.io.index`).

All writes are atomic: a shard is written to a hidden temp file in the same folder and moved into
place with :func:`os.replace`, so a reader never sees half a shard.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from geomeld.core.modalities import get_layout
from geomeld.core.sample import Sample, SampleFormatError
from geomeld.io.h5sample import (
    DEFAULT_COMPRESSION,
    Compression,
    decode_checked,
    decode_sample,
    encode_sample,
    layout_of,
)
from geomeld.io.limits import human, member_nbytes

log = logging.getLogger(__name__)

OnError = Literal["raise", "skip"]
SAMPLE_EXTENSION = ".h5"
TAR_BLOCK = 512
COPY_BUFSIZE = 64 * 2**20
"""Tar copy buffer: a member's bytes are written in one call (tarfile's default copies 16 KiB at a time)."""


@dataclass(frozen=True)
class Member:
    """One sample member of a shard: its key, where its bytes start in the tar, and the bytes."""

    shard: Path
    key: str
    offset: int
    size: int
    data: bytes

    @property
    def where(self) -> str:
        return f"{self.shard.name}:{self.key}"


@dataclass(frozen=True)
class SampleError:
    """A sample (or shard) that could not be read; kept so nothing is dropped silently."""

    shard: str
    key: str
    message: str

    def __str__(self) -> str:
        return self.message


def shard_name(prefix: str, number: int, layout: str = "standard") -> str:
    """``geomeld-00000.tar`` (standard) / ``geomeld-00000_n.tar`` (NAIP)."""
    return f"{prefix}-{number:05d}{get_layout(layout).shard_suffix}"


def shard_number(path: Path, prefix: str, layout: str) -> int | None:
    suffix = re.escape(get_layout(layout).shard_suffix)
    m = re.fullmatch(rf"{re.escape(prefix)}-(\d+){suffix}", path.name)
    return int(m.group(1)) if m else None


def _tmp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.tmp-{os.getpid()}")


def _open_tar_for_writing(path: Path) -> tarfile.TarFile:
    return tarfile.TarFile(path, "w", format=tarfile.USTAR_FORMAT, copybufsize=COPY_BUFSIZE)


def _add_member(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> int:
    """Append one member; returns the byte offset of its data in the tar."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))
    padded = (len(data) + TAR_BLOCK - 1) // TAR_BLOCK * TAR_BLOCK
    return tar.offset - padded


class ShardWriter:
    """Write samples into size-limited, atomically published WebDataset shards plus their index.

    >>> with ShardWriter("out", layout="standard", max_samples=1000) as w:  # doctest: +SKIP
    ...     for sample in samples:
    ...         w.write(sample)

    Shard numbers start at ``start``; ``start=None`` continues after the highest existing shard of
    this prefix and layout in ``out_dir`` (so a resumed build never overwrites finished shards).
    A shard is closed when it holds ``max_samples`` samples or the next sample would push it past
    ``max_bytes``. Every sample must belong to the writer's layout (NAIP samples go to a separate
    ``ShardWriter(layout="naip")``). If the ``with`` block raises, the samples already added are
    still published (each sample is encoded before it touches the tar), unless the failure happened
    inside the tar write itself, in which case the unfinished shard is discarded.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        prefix: str = "geomeld",
        layout: str = "standard",
        max_samples: int = 1000,
        max_bytes: int = 3 * 2**30,
        *,
        compression: Compression = DEFAULT_COMPRESSION,
        start: int | None = None,
        write_index: bool = True,
    ) -> None:
        if max_samples < 1 or max_bytes < 1:
            raise ValueError("max_samples and max_bytes must be positive")
        self.out_dir = Path(out_dir)
        self.prefix = prefix
        self.layout = get_layout(layout)
        self.max_samples = max_samples
        self.max_bytes = max_bytes
        self.compression = compression
        self.write_index = write_index
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if start is None:
            numbers = [shard_number(p, prefix, layout) for p in self.out_dir.iterdir()]
            start = max((n for n in numbers if n is not None), default=-1) + 1
        self._next_number = start
        self._tar: tarfile.TarFile | None = None
        self._tmp: Path | None = None
        self._final: Path | None = None
        self._rows: list[dict[str, object]] = []
        self._count = 0
        self._bytes = 0
        self._in_add = False
        self._keys: set[str] = set()
        self.written: list[Path] = []
        """Published shard paths, in order."""
        self.total_samples = 0

    # -- context manager
    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None and self._in_add:
            self._discard()
        else:
            self.close()

    # -- writing
    def write(self, sample: Sample) -> None:
        layout = layout_of(list(sample.arrays), sample.metadata)
        if layout.name != self.layout.name:
            raise SampleFormatError(
                f"{sample.key}: sample has layout {layout.name!r} but this writer writes {self.layout.name!r} "
                f"shards ({self.layout.shard_suffix}); use ShardWriter(layout={layout.name!r}) for it"
            )
        if sample.key in self._keys:
            raise SampleFormatError(f"{sample.key}: key already written by this writer (keys must be unique)")
        data = encode_sample(sample, self.compression)
        if self._tar is not None and (
            self._count >= self.max_samples or self._bytes + len(data) + 2 * TAR_BLOCK > self.max_bytes
        ):
            self._finish_shard()
        if self._tar is None:
            self._open_shard()
        assert self._tar is not None and self._final is not None
        self._in_add = True
        offset = _add_member(self._tar, sample.key + SAMPLE_EXTENSION, data, time.time())
        self._in_add = False
        self._keys.add(sample.key)
        self._count += 1
        self.total_samples += 1
        self._bytes = self._tar.offset
        if self.write_index:
            from geomeld.io.index import index_row

            self._rows.append(index_row(self._final.name, sample, offset, data))

    def _open_shard(self) -> None:
        self._final = self.out_dir / shard_name(self.prefix, self._next_number, self.layout.name)
        self._next_number += 1
        self._tmp = _tmp_path(self._final)
        self._tar = _open_tar_for_writing(self._tmp)
        self._count = 0
        self._bytes = 0
        self._rows = []

    def _finish_shard(self) -> None:
        assert self._tar is not None and self._tmp is not None and self._final is not None
        self._tar.close()
        with open(self._tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self._tmp, self._final)
        if self.write_index:
            from geomeld.io.index import write_index

            write_index(self._final, self._rows)
        log.info("wrote %s (%d samples, %.1f MB)", self._final, self._count, self._bytes / 1e6)
        self.written.append(self._final)
        self._tar = None
        self._tmp = None
        self._final = None

    def _discard(self) -> None:
        if self._tar is not None:
            self._tar.close()
        if self._tmp is not None and self._tmp.exists():
            self._tmp.unlink()
        log.warning("discarded unfinished shard %s", self._final)
        self._tar = None
        self._tmp = None

    def close(self) -> None:
        """Publish the current shard (if it holds samples)."""
        if self._tar is None:
            return
        if self._count == 0:
            self._discard()
            return
        self._finish_shard()


# ------------------------------------------------------------------------------------------- reading


def iter_members(path: str | os.PathLike[str]) -> Iterator[Member]:
    """Yield every ``*.h5`` member of a shard with its data offset; damaged tars raise
    :class:`SampleFormatError` naming the shard and the last good member."""
    shard = Path(path)
    last = "<start of shard>"
    try:
        tar = tarfile.open(shard, "r:")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as exc:
        raise SampleFormatError(f"{shard.name}: not a readable tar shard ({exc})") from None
    with tar:
        while True:
            try:
                info = tar.next()
            except (tarfile.TarError, OSError) as exc:
                raise SampleFormatError(
                    f"{shard.name}: damaged or truncated tar after {last} ({exc})"
                ) from None
            if info is None:
                break
            if not info.isfile():
                continue
            name = info.name
            if not name.endswith(SAMPLE_EXTENSION):
                log.warning("%s: ignoring member %s (not a .h5 sample)", shard.name, name)
                continue
            key = name.removesuffix(SAMPLE_EXTENSION)
            if not key or any(c in key for c in "./\\") or key.strip() != key:
                # the writer's own key rule: a member path with folders or '..' is never read
                raise SampleFormatError(
                    f"{shard.name}: member {name!r} is not a plain <key>.h5 name (no folders, no '.', "
                    "no '..'); the shard is refused",
                    file=shard,
                    key=name,
                    expected="<key>.h5",
                )
            limit = member_nbytes()
            if info.size > limit:
                raise SampleFormatError(
                    f"{shard.name}:{key}: member is {human(info.size)}, more than the {human(limit)} a sample "
                    "can hold (the registry's largest layout, foreign datasets and metadata); the shard is "
                    "refused",
                    file=shard,
                    key=name,
                    expected=f"at most {human(limit)}",
                )
            fh = tar.extractfile(info)
            assert fh is not None
            try:
                data = fh.read()
            except (tarfile.TarError, OSError) as exc:
                raise SampleFormatError(f"{shard.name}:{key}: truncated tar member ({exc})") from None
            if len(data) != info.size:
                raise SampleFormatError(
                    f"{shard.name}:{key}: truncated tar member ({len(data)} of {info.size} bytes present)"
                )
            last = name
            yield Member(shard, key, info.offset_data, info.size, data)
        size = shard.stat().st_size
        if tar.offset > size:
            raise SampleFormatError(f"{shard.name}: truncated tar after {last} (file ends at byte {size})")


def _record(errors: list[SampleError] | None, shard: Path, key: str, message: str) -> None:
    log.warning("skipping bad sample: %s", message)
    if errors is not None:
        errors.append(SampleError(shard.name, key, message))


def iter_samples(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    on_error: OnError = "raise",
    errors: list[SampleError] | None = None,
) -> Iterator[Sample]:
    """Decode every sample of the given shards, in order.

    ``on_error="raise"`` stops at the first bad sample with a :class:`SampleFormatError` naming shard,
    sample key and problem. ``on_error="skip"`` logs the problem, appends a :class:`SampleError` to
    ``errors`` (when given) and goes on with the next sample (a truncated tar: with the next shard).
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    shard_paths = [Path(paths)] if isinstance(paths, str | os.PathLike) else [Path(p) for p in paths]
    for shard in shard_paths:
        members = iter_members(shard)
        while True:
            try:
                member = next(members)
            except StopIteration:
                break
            except SampleFormatError as exc:
                if on_error == "raise":
                    raise
                _record(errors, shard, "", str(exc))
                break
            try:
                sample = decode_sample(member.data, member.where)
            except SampleFormatError as exc:
                if on_error == "raise":
                    raise
                _record(errors, shard, member.key, str(exc))
                continue
            yield sample


def _copy_bad(
    out: tarfile.TarFile, member: Member, message: str, errors: list[SampleError] | None
) -> dict[str, object]:
    """Copy a bad member through byte for byte, record it, and return its index row."""
    from geomeld.io.index import bad_row

    _record(errors, member.shard, member.key, message)
    offset = _add_member(out, member.key + SAMPLE_EXTENSION, member.data, time.time())
    return bad_row(member.shard.name, member.key, offset, member.size, message)


def rewrite_shard(
    path: str | os.PathLike[str],
    fn: Callable[[Sample], Sample],
    *,
    compression: Compression = DEFAULT_COMPRESSION,
    on_error: OnError = "raise",
    errors: list[SampleError] | None = None,
    encode: Callable[[Sample, bytes], bytes] | None = None,
    metadata_only: bool = False,
) -> int:
    """Atomically replace every sample of a shard by ``fn(sample)`` and refresh the shard's index.

    ``encode(new_sample, original_member_bytes)`` replaces the full re-encode when given.
    ``metadata_only=True`` is for a ``fn`` that changes nothing but the metadata (captioning): each
    member is opened once with :func:`~geomeld.io.metapatch.open_patchable` (arrays decoded lazily,
    compressed ones only if ``fn`` reads them), the new metadata is written into the original bytes
    (a member whose metadata did not change is copied through byte for byte) and the index row
    reuses the dataset locations; a member the fast path does not handle goes through the full
    decode and :func:`~geomeld.io.metapatch.patch_metadata`.

    Used e.g. by captioning to store captions in ``metadata.caption``. ``fn`` must return a sample
    with the same key. With ``on_error="skip"`` a sample that cannot be decoded is copied through
    byte-for-byte (and recorded in ``errors``) instead of being dropped. Returns the number of
    samples passed through ``fn``.
    """
    from geomeld.io.index import index_row, indexed_modalities, row_from_sample, write_index
    from geomeld.io.metapatch import open_patchable, patch_metadata

    shard = Path(path)
    tmp = _tmp_path(shard)
    rows: list[dict[str, object]] = []
    changed = 0
    if metadata_only:
        encode = encode or patch_metadata
    indexed = indexed_modalities(shard) if metadata_only else {}
    try:
        with _open_tar_for_writing(tmp) as out:
            for member in iter_members(shard):
                opened = open_patchable(member.data, member.where) if metadata_only else None
                if opened is not None:
                    with opened:
                        new = _checked_result(fn(opened.sample), opened.sample, member)
                        if new.arrays is not opened.sample.arrays:
                            raise ValueError(
                                f"{member.where}: a metadata-only rewrite may not replace arrays"
                            )
                        present = opened.present_modalities(indexed.get((member.key, member.size)))
                        if present is not None and not opened.problems:
                            data = opened.patched(new.metadata)
                    if present is not None and not opened.problems:
                        offset = _add_member(out, new.key + SAMPLE_EXTENSION, data, time.time())
                        rows.append(
                            row_from_sample(shard.name, new, offset, len(data), opened.locations, present)
                        )
                        changed += 1
                        continue
                    # a compressed dataset failed when read: the member is bad, as on the full path
                    sample, message = None, "; ".join(dict.fromkeys(opened.problems))
                else:
                    try:
                        sample, problems, _ = decode_checked(member.data, member.where)
                        message = "; ".join(str(p) for p in problems)
                    except SampleFormatError as exc:  # not HDF5, cannot be opened
                        sample, message = None, str(exc)
                if message or sample is None:
                    if on_error == "raise":
                        raise SampleFormatError(message)
                    rows.append(_copy_bad(out, member, message, errors))
                    continue
                new = _checked_result(fn(sample), sample, member)
                data = encode(new, member.data) if encode is not None else encode_sample(new, compression)
                offset = _add_member(out, new.key + SAMPLE_EXTENSION, data, time.time())
                rows.append(index_row(shard.name, new, offset, data))
                changed += 1
        os.replace(tmp, shard)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    write_index(shard, rows)
    return changed


def _checked_result(new: object, sample: Sample, member: Member) -> Sample:
    if not isinstance(new, Sample) or new.key != sample.key:
        raise ValueError(
            f"{member.where}: rewrite function must return a Sample with key {sample.key!r}, "
            f"got {getattr(new, 'key', type(new).__name__)!r}"
        )
    return new
