"""Hostile HDF5 members: sizes are checked from the header before any data is read, and compressed
data inflates only up to the registry's size — in every reader (members from ``tests/hostile_shards.py``)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tracemalloc
import zlib
from collections.abc import Callable
from math import prod
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.core.modalities import LAYOUTS, MODALITIES
from geomeld.core.sample import SampleFormatError
from geomeld.io.decode import member_arrays
from geomeld.io.h5sample import decode_sample, encode_sample, locate_datasets
from geomeld.io.index import build_index_rows
from geomeld.io.inspect import inspect_shard, validate_shard
from geomeld.io.limits import InflateError, bounded_inflate, member_nbytes, read_dataset, registry_nbytes
from geomeld.io.shards import SampleError, iter_members, iter_samples, rewrite_shard
from geomeld.io.synthetic import make_sample
from hostile_shards import BOMB_BYTES, MEMBERS, bomb, hostile_shard, write_tar, zero_bomb

S2 = registry_nbytes("sentinel2")
LAYOUT_BYTES = sum(registry_nbytes(k) for k in LAYOUTS["standard"].modality_keys)

EXPECTED = {
    "bomb": rf"sentinel2: dataset cannot be read \(compressed stream inflates to more than the {S2 / 1e3:.1f} kB",
    "short": r"sentinel2: dataset cannot be read \(compressed stream inflates to 1\.0 kB, not the",
    "huge_header": r"sentinel2: header declares float32 \(100000, 100000\) = 40\.0 GB, more than the "
    r"786\.4 kB of the registry's float32 \(12, 128, 128\); not read",
    "foreign": r"junk: header declares float64 \(4096, 4096\) = 134\.2 MB, more than the 9\.8 MB of all "
    r"foreign datasets together",
    "external": r"sentinel1: ExternalLink \(only objects stored in the member are read\); refused",
    "lzf": r"sentinel2: compressed with filter lzf; geomeld decompresses only deflate and shuffle",
}


def test_registry_sizes_are_the_limits() -> None:
    assert S2 == prod(MODALITIES["sentinel2"].shape) * 4 == 786_432
    assert registry_nbytes("naip") == 3 * 1280 * 1280 * 2  # the NAIP layout's shape, uint16


@pytest.mark.parametrize("kind", list(MEMBERS))
def test_hostile_member_named_with_dataset(kind: str) -> None:
    assert set(EXPECTED) == set(MEMBERS)
    with pytest.raises(SampleFormatError, match=r"^shard-3\.tar:9: " + EXPECTED[kind]):
        decode_sample(MEMBERS[kind]("9"), "shard-3.tar:9")


def _peak(fn: Callable[[], object]) -> int:
    """Peak bytes Python and numpy allocate while ``fn`` runs (tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
    except SampleFormatError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_bomb_fails_fast_with_memory_bounded_by_the_registry() -> None:
    member = bomb("1")
    assert len(member) < 2 * 2**20  # ~1 MB on disk that inflates to 1 GiB
    peak = _peak(lambda: decode_sample(member, "s.tar:1"))
    # the sample's own arrays + the member + one chunk; without the bound this is > 1 GiB
    assert peak < 2 * (LAYOUT_BYTES + len(member)), f"peak {peak / 2**20:.1f} MiB"


def test_offset_decoder_refuses_a_bomb_at_its_recorded_location() -> None:
    member = bomb("1")
    locations = {k: v.to_list() for k, v in locate_datasets(member, "s.tar:1").items()}  # header only
    assert locations["sentinel2"][4] == "gzip+shuffle"
    mods = [MODALITIES["sentinel2"]]
    with pytest.raises(
        SampleFormatError, match=r"^s\.tar:1: sentinel2: compressed stream inflates to more than"
    ):
        member_arrays(memoryview(member), locations, "standard", mods, "s.tar:1")
    peak = _peak(lambda: member_arrays(memoryview(member), locations, "standard", mods, "s.tar:1"))
    assert peak < 4 * S2, f"peak {peak / 2**20:.1f} MiB"  # unbounded: > 1 GiB
    forged = dict(locations, sentinel2=[*locations["sentinel2"][:3], [100_000, 100_000], "gzip"])
    with pytest.raises(
        SampleFormatError, match=r"s\.tar:1: sentinel2: <f4 \(100000, 100000\), expected float32"
    ):
        member_arrays(memoryview(member), forged, "standard", mods, "s.tar:1")


def test_loader_with_a_forged_index_refuses_the_bomb(tmp_path: Path) -> None:
    """An index sidecar that records a bomb member as good (e.g. shipped with the shards): the loader's
    offset decoder inflates at most the registry's size and reports the member in skip mode."""
    from geomeld.io.index import row_from_sample, write_index
    from geomeld.io.loader import make_loader

    shard = write_tar(
        tmp_path / "geomeld-00000.tar", [("0.h5", encode_sample(make_sample("0"))), ("1.h5", bomb("1"))]
    )
    members = list(iter_members(shard))
    rows = [
        row_from_sample(shard.name, make_sample(m.key), m.offset, m.size, locate_datasets(m.data, m.where))
        for m in members
    ]
    write_index(shard, rows)
    kwargs: dict[str, Any] = {
        "modalities": ["sentinel2"],
        "crop": "center",
        "shuffle": False,
        "crop_size": 32,
    }
    loader = make_loader([shard], batch_size=1, on_error="skip", **kwargs)
    assert len(list(loader)) == 1 and loader.dataset.bad_samples == 1
    with pytest.raises(
        SampleFormatError, match=r"geomeld-00000\.tar:1: sentinel2: compressed stream inflates to more"
    ):
        list(make_loader([shard], batch_size=1, on_error="raise", **kwargs))


def test_member_larger_than_any_sample_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A tar header claiming an 8 GB member (the bytes need not even be there): refused from the header."""
    info = tarfile.TarInfo("1.h5")
    info.size = 8 * 10**9  # near the ustar maximum
    shard = tmp_path / "geomeld-00000.tar"
    shard.write_bytes(info.tobuf(tarfile.USTAR_FORMAT) + bomb("1") + bytes(1024))
    with pytest.raises(
        SampleFormatError, match=r"geomeld-00000\.tar:1: member is 8\.0 GB, more than the 38\.0 MB"
    ):
        next(iter_members(shard))
    assert member_nbytes() < 4 * registry_nbytes("naip")
    res = CliRunner().invoke(app, ["validate", str(shard)])
    assert res.exit_code == 1 and "member is 8.0 GB" in res.output
    from geomeld.io.decode import read_member  # the loader's reader, given an index that claims as much

    with pytest.raises(SampleFormatError, match=r"member of 8\.0 GB, more than the 38\.0 MB"):
        read_member(str(shard), 512, info.size, {})


def test_bounded_inflate_exact_more_less_trailing_damaged() -> None:
    assert bounded_inflate(zlib.compress(b"abc" * 100), 300) == b"abc" * 100
    with pytest.raises(InflateError, match="more than the 299 bytes"):
        bounded_inflate(zlib.compress(b"abc" * 100), 299)
    with pytest.raises(InflateError, match=r"ends after \d+ bytes, before the 400 bytes"):
        bounded_inflate(zlib.compress(b"abc" * 100)[:-6], 400)
    with pytest.raises(InflateError, match="inflates to 300 bytes, not the 301"):
        bounded_inflate(zlib.compress(b"abc" * 100), 301)
    with pytest.raises(InflateError, match="2 bytes after the end"):
        bounded_inflate(zlib.compress(b"abc" * 100) + b"xy", 300)
    with pytest.raises(InflateError, match="damaged"):
        bounded_inflate(b"\x78\x9c\xff\xff\xff", 300)
    assert zlib.decompress(zero_bomb(4 * 2**20)) == bytes(4 * 2**20)


def test_multi_chunk_gzip_with_edge_chunks_reads_like_h5py() -> None:
    arr = np.random.default_rng(0).normal(size=(12, 128, 128)).astype(np.float32)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_dataset("x", data=arr, chunks=(5, 50, 50), compression="gzip", shuffle=True)
        f.create_dataset("y", shape=(3, 100, 100), dtype="uint16", chunks=(1, 64, 64), compression="gzip")
        f["y"][0, :10, :10] = 7  # one chunk written; the rest is the fill value
    with h5py.File(io.BytesIO(buf.getvalue()), "r") as f:
        np.testing.assert_array_equal(read_dataset(f["x"], len(buf.getvalue())), arr)
        np.testing.assert_array_equal(read_dataset(f["y"], len(buf.getvalue())), f["y"][()])


@pytest.fixture()
def shard(tmp_path: Path) -> Path:
    return hostile_shard(tmp_path / "geomeld-00000.tar")


def test_validate_names_every_hostile_member(shard: Path) -> None:
    res = CliRunner().invoke(app, ["validate", str(shard), "--json"])
    assert res.exit_code == 1, res.output
    out = json.loads(res.output)
    assert out["samples"] == 1 + len(MEMBERS)
    problems = out["problems"]
    assert len(problems) == len(MEMBERS)
    for i, kind in enumerate(MEMBERS, start=1):
        assert re.match(rf"geomeld-00000\.tar:{i}: " + EXPECTED[kind], problems[i - 1]), problems[i - 1]
    assert validate_shard(shard) == (out["samples"], problems)
    assert inspect_shard(shard)["problems"] == problems


def test_readers_skip_and_record_every_hostile_member(shard: Path) -> None:
    errors: list[SampleError] = []
    assert [s.key for s in iter_samples(shard, on_error="skip", errors=errors)] == ["0"]
    assert [e.key for e in errors] == [str(i) for i in range(1, len(MEMBERS) + 1)]
    rows = build_index_rows(shard)
    assert [bool(r["error"]) for r in rows] == [False] + [True] * len(MEMBERS)
    errors = []
    before = shard.read_bytes()
    assert rewrite_shard(shard, lambda s: s, on_error="skip", errors=errors) == 1  # the caption loop's path
    assert len(errors) == len(MEMBERS)
    assert len(shard.read_bytes()) >= len(before) - 2 * 512  # bad members copied through, not dropped


def test_metadata_only_rewrite_records_members_whose_lazy_decode_fails(shard: Path) -> None:
    """The caption loop's fast path decodes compressed datasets only when read: a bomb found then is
    recorded and its member copied through, like every other bad member."""
    errors: list[SampleError] = []

    def touch_all(sample: Any) -> Any:  # like the captioner: a failing read does not stop it
        for key in list(sample.arrays):
            with contextlib.suppress(SampleFormatError):
                assert sample.arrays[key].size > 0
        return sample

    assert rewrite_shard(shard, touch_all, on_error="skip", errors=errors, metadata_only=True) == 1
    assert [e.key for e in errors] == [str(i) for i in range(1, len(MEMBERS) + 1)]
    assert "inflates to more than" in errors[0].message
    assert validate_shard(shard)[1][0].startswith("geomeld-00000.tar:1: sentinel2:")


def test_caption_verb_on_a_hostile_shard(shard: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["caption", str(shard), "--backend", "builtin", "--log-dir", str(tmp_path)])
    assert res.exit_code == 1
    summary = json.loads(re.search(r'\{"status".*\}', res.output).group(0))  # type: ignore[union-attr]
    assert summary["status"]["read_error"] == len(MEMBERS) and summary["failed_shards"] == []
    records = [json.loads(line) for line in next(tmp_path.glob("*.jsonl")).read_text().splitlines()]
    keys = [r["key"] for r in records if "key" in r]
    assert sorted(keys) == sorted(str(i) for i in range(len(MEMBERS) + 1))  # one record per member


def test_peak_rss_of_validate_on_a_bomb_stays_near_a_good_shard(tmp_path: Path) -> None:
    """Whole-process check (C allocations too, e.g. HDF5's own filter): validate a good shard, then a
    shard of 1 GiB bombs, in one process; the peak RSS may not grow by more than the registry's size."""
    good = hostile_shard(tmp_path / "good.tar", [])
    bad = hostile_shard(tmp_path / "bad.tar", ["bomb", "bomb", "huge_header", "foreign"])
    code = (
        "import resource, sys\n"
        "from geomeld.io.inspect import validate_shard\n"
        "validate_shard(sys.argv[1]); a = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "n, p = validate_shard(sys.argv[2]); b = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(a, b, len(p))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(good), str(bad)], capture_output=True, text=True, check=True
    ).stdout.split()
    before_kib, after_kib, problems = (int(v) for v in out)
    assert problems == 4
    growth = (after_kib - before_kib) * 1024
    assert growth < 4 * LAYOUT_BYTES + 8 * 2**20, (
        f"peak RSS grew {growth / 2**20:.1f} MiB (bomb: {BOMB_BYTES >> 20} MiB)"
    )


def test_a_good_gzip_sample_still_reads() -> None:
    s = make_sample("8")
    back = decode_sample(encode_sample(s, compression="gzip"), "s.tar:8")
    for key, arr in s.arrays.items():
        np.testing.assert_array_equal(back.arrays[key], arr)
