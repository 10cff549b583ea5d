"""Metadata-only rewrite: one HDF5 open per member, lazy arrays, the data datasets left as they were."""

from __future__ import annotations

import io
import pickle
import re
import shutil
import tarfile
from pathlib import Path

import h5py
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from geomeld.cli import app
from geomeld.core.sample import Sample
from geomeld.io.h5sample import decode_checked, encode_sample, locate_datasets
from geomeld.io.index import build_index_rows, index_path
from geomeld.io.metapatch import LazyArrays, open_patchable, patch_metadata
from geomeld.io.shards import SampleError, ShardWriter, iter_members, rewrite_shard
from geomeld.io.synthetic import make_sample


def _full(data: bytes) -> Sample:
    """The full path's reading of a member (every dataset through h5py, every value checked)."""
    sample, problems, _ = decode_checked(data, "s.tar:k")
    assert not problems and sample is not None
    return sample


def _same_arrays(a: Sample, b: Sample) -> None:
    assert list(a.arrays) == list(b.arrays)
    for k in a.arrays:
        assert a.arrays[k].dtype == b.arrays[k].dtype
        np.testing.assert_array_equal(a.arrays[k], b.arrays[k])
    assert a.extras.keys() == b.extras.keys()
    for k, v in a.extras.get("datasets", {}).items():
        np.testing.assert_array_equal(v, b.extras["datasets"][k])


def test_lazy_arrays_decode_on_first_read_only() -> None:
    calls: list[str] = []

    def later(key: str, value: float) -> object:
        def decode() -> np.ndarray:
            calls.append(key)
            return np.full(3, value)

        return decode

    def fresh() -> LazyArrays:
        calls.clear()
        return LazyArrays({"a": np.zeros(2)}, {"b": later("b", 1.0)}, order=["b", "a"])  # type: ignore[dict-item]

    arrays = fresh()
    assert list(arrays) == ["b", "a"] and len(arrays) == 2 and "b" in arrays
    assert arrays.pending() == ["b"] and calls == []
    np.testing.assert_array_equal(arrays["b"], [1.0, 1.0, 1.0])
    assert arrays.get("b") is arrays["b"] and calls == ["b"] and arrays.pending() == []
    assert arrays.get("zzz") is None
    for copy in (dict, lambda x: {**x}, lambda x: x.copy(), lambda x: x | {}, lambda x: dict(x.items())):
        arrays = fresh()
        out = copy(arrays)
        assert isinstance(out["b"], np.ndarray) and out["b"].tolist() == [1.0, 1.0, 1.0], copy
    arrays = fresh()
    assert [v.shape for v in arrays.values()] == [(3,), (2,)]
    arrays = fresh()
    back = pickle.loads(pickle.dumps(arrays))
    assert type(back) is dict and back["b"].tolist() == [1.0, 1.0, 1.0]
    arrays = fresh()
    assert arrays.pop("b").tolist() == [1.0, 1.0, 1.0] and list(arrays) == ["a"]


@pytest.mark.parametrize("layout", ["standard", "naip"])
@pytest.mark.parametrize("compression", ["auto", "gzip", None])
def test_open_patchable_reads_what_the_full_path_reads(layout: str, compression: str | None) -> None:
    data = encode_sample(make_sample("5", layout, caption="old"), compression)  # type: ignore[arg-type]
    ref = _full(data)
    opened = open_patchable(data, "s.tar:5")
    assert opened is not None
    with opened:
        lazy = opened.sample.arrays
        assert isinstance(lazy, LazyArrays)
        compressed = {k for k, loc in locate_datasets(data, "x").items() if loc.codec != "raw"}
        assert set(lazy.pending()) == compressed  # nothing compressed is decoded up front
        if layout == "naip" and compression == "auto":
            assert lazy.pending() == ["naip"]
        assert opened.sample.metadata == ref.metadata and opened.sample.key == "5"
        assert opened.locations == locate_datasets(data, "x")
        _same_arrays(opened.sample, ref)
        if "sentinel2" not in compressed:
            assert not lazy["sentinel2"].flags.writeable  # a view into the member's bytes: read-only
        assert opened.present_modalities() == ref.present_modalities()


@pytest.mark.parametrize("layout", ["standard", "naip"])
def test_patch_changes_the_metadata_and_nothing_else(layout: str) -> None:
    data = encode_sample(make_sample("6", layout))
    ref = _full(data)
    opened = open_patchable(data, "s.tar:6")
    assert opened is not None
    md = opened.sample.metadata.model_copy(update={"caption": "Fields near São Tomé — ünïcode"})
    out = opened.patched(md)
    assert opened.sample.arrays.pending() == (["naip"] if layout == "naip" else [])  # type: ignore[attr-defined]
    back = _full(out)
    assert back.metadata == md
    _same_arrays(back, ref)
    assert locate_datasets(out, "x") == locate_datasets(data, "x")  # data datasets not moved
    # same metadata: the original bytes come back untouched
    again = open_patchable(out, "s.tar:6")
    assert again is not None and again.patched(again.sample.metadata) is out
    # many patches of growing and shrinking metadata: the old string's space is reused
    sizes = []
    for n in (10, 20_000, 5, 20_000, 20_000, 3):
        again = open_patchable(out, "s.tar:6")
        assert again is not None
        out = again.patched(md.model_copy(update={"caption": "x" * n}))
        assert _full(out).metadata.caption == "x" * n
        sizes.append(len(out) - len(data))
    assert max(sizes) < 21_000 and sizes[-1] < 1_000, sizes


def _with_dataset(data: bytes, name: str, value: object, group: bool = False) -> bytes:
    buf = io.BytesIO(bytes(data))
    with h5py.File(buf, "r+") as f:
        if group:
            f.create_group(name)
        else:
            f.create_dataset(name, data=value)
    return buf.getvalue()


def test_anything_unusual_goes_to_the_full_path(tmp_path: Path) -> None:
    good = encode_sample(make_sample("8"))
    bad_code = bytearray(good)
    esa = locate_datasets(good, "x")["esa_worldcover"]
    bad_code[esa.offset + 3] = 15
    chunked = io.BytesIO()
    with h5py.File(chunked, "w") as f, h5py.File(io.BytesIO(good)) as g:
        for k in g:
            if k == "metadata":
                f.create_dataset(k, data=g[k][()].decode())
            else:
                arr = g[k][()]
                f.create_dataset(k, data=arr, chunks=(1, 16, 16) if arr.ndim == 3 else None)
    elsewhere = tmp_path / "elsewhere.h5"
    with h5py.File(elsewhere, "w") as f:
        f.create_dataset("x", data=np.ones((4, 4), np.float32))  # a readable target: never opened
    linked = io.BytesIO(bytes(good))
    with h5py.File(linked, "r+") as f:
        f["outside"] = h5py.ExternalLink(str(elsewhere), "/x")
    cases = {
        "external link": linked.getvalue(),
        "not hdf5": b"oops",
        "bad class code": bytes(bad_code),
        "caption dataset": _with_dataset(good, "caption", "a foreign caption"),
        "string extra": _with_dataset(good, "notes", "text"),
        "group": _with_dataset(good, "extra_group", None, group=True),
    }
    for why, data in cases.items():
        assert open_patchable(data, "s.tar:8") is None, why
    tiled = open_patchable(chunked.getvalue(), "s.tar:8")  # chunked like the released shards: lazy
    assert tiled is not None
    with tiled:
        assert set(tiled.sample.arrays.pending()) == {k for k in tiled.sample.arrays}  # type: ignore[attr-defined]
        assert tiled.locations == locate_datasets(chunked.getvalue(), "x")  # only the one-chunk ones
        _same_arrays(tiled.sample, _full(chunked.getvalue()))
    extra = open_patchable(_with_dataset(good, "jrc_occurrence", np.ones((128, 128), np.float32)), "s.tar:8")
    assert extra is not None and extra.sample.extras["datasets"]["jrc_occurrence"].sum() == 128 * 128
    extra.close()


def _shard_with_naip(folder: Path) -> list[Path]:
    with ShardWriter(folder, max_samples=10) as w:
        for i in range(3):
            w.write(make_sample(f"10{i}", caption=None))
    with ShardWriter(folder, layout="naip") as w:
        w.write(make_sample("200", "naip"))
    return sorted(folder.glob("*.tar"))


def test_metadata_only_rewrite_keeps_arrays_index_and_validates(tmp_path: Path) -> None:
    original = tmp_path / "original"
    shards = _shard_with_naip(original)
    work = tmp_path / "work"
    shutil.copytree(original, work)
    seen_pending: list[list[str]] = []

    def caption(sample: Sample) -> Sample:
        seen_pending.append(list(sample.arrays.pending()))  # type: ignore[attr-defined]
        sample.metadata.caption = f"caption of {sample.key}"
        return sample

    for shard in shards:
        assert rewrite_shard(work / shard.name, caption, metadata_only=True) == len(list(iter_members(shard)))
    assert seen_pending == [[], [], [], ["naip"]]  # the NAIP imagery was never decoded
    for shard in shards:
        new = work / shard.name
        before = list(iter_members(shard))
        after = list(iter_members(new))
        assert [m.key for m in after] == [m.key for m in before]
        for b, a in zip(before, after, strict=True):
            old_s, new_s = _full(b.data), _full(a.data)
            _same_arrays(new_s, old_s)
            assert new_s.metadata.caption == f"caption of {b.key}"
            assert new_s.metadata.model_copy(update={"caption": None}) == old_s.metadata
        # the index written by the rewrite is the index a full read builds
        written = pq.read_table(index_path(new)).to_pylist()
        assert written == build_index_rows(new)
    res = CliRunner().invoke(app, ["validate", str(work)])
    assert res.exit_code == 0 and "4 samples checked, 0 problems" in res.output, res.output


def test_metadata_only_rewrite_without_index_and_with_a_bad_member(tmp_path: Path) -> None:
    shards = _shard_with_naip(tmp_path)
    for p in tmp_path.glob("*.parquet"):
        p.unlink()  # no index: presence is decoded or, for NAIP (every value valid), read from the header
    naip = next(s for s in shards if s.name.endswith("_n.tar"))
    handed: list[Sample] = []

    def keep(sample: Sample) -> Sample:
        handed.append(sample)
        sample.metadata.caption = "c"
        return sample

    rewrite_shard(naip, keep, metadata_only=True)
    assert pq.read_table(index_path(naip)).to_pylist() == build_index_rows(naip)
    assert handed[0].arrays.pending() == ["naip"]  # type: ignore[attr-defined]  # every NAIP value is valid
    # a member the fast path refuses goes through the full path, reported and copied through
    std = next(s for s in shards if not s.name.endswith("_n.tar"))
    members = list(iter_members(std))
    bad = bytearray(members[1].data)
    bad[locate_datasets(members[1].data, "x")["esa_worldcover"].offset] = 15
    with tarfile.open(std, "w") as tar:
        for m, payload in zip(members, (members[0].data, bytes(bad), members[2].data), strict=True):
            info = tarfile.TarInfo(m.key + ".h5")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    errors: list[object] = []
    n = rewrite_shard(std, lambda s: s, metadata_only=True, on_error="skip", errors=errors)  # type: ignore[arg-type]
    assert n == 2 and len(errors) == 1 and "class codes [15]" in str(errors[0])
    assert [m.data for m in iter_members(std)][1] == bytes(bad)


def test_full_path_patch_still_available() -> None:
    s = make_sample("9")
    data = encode_sample(s)
    s.metadata.caption = "new"
    assert _full(patch_metadata(s, data)).metadata.caption == "new"


def test_hostile_members_on_the_metadata_only_path(tmp_path: Path) -> None:
    from test_io_hostile import EXPECTED, _peak

    from hostile_shards import MEMBERS, bomb, hostile_shard

    shard = hostile_shard(tmp_path / "geomeld-00000.tar")
    before = list(iter_members(shard))
    errors: list[SampleError] = []
    seen: list[str] = []

    def touch(sample: Sample) -> Sample:
        seen.append(sample.key)
        sample.metadata.caption = "c"
        return sample

    assert rewrite_shard(shard, touch, metadata_only=True, on_error="skip", errors=errors) == 1
    assert [e.key for e in errors] == [str(i) for i in range(1, len(MEMBERS) + 1)]
    for i, kind in enumerate(MEMBERS, start=1):
        assert re.search(rf"{i}: " + EXPECTED[kind], errors[i - 1].message), errors[i - 1].message
    after = list(iter_members(shard))
    assert [m.data for m in after[1:]] == [m.data for m in before[1:]]  # bad members copied through
    assert _full(after[0].data).metadata.caption == "c"
    assert "0" in seen  # the bomb and the short stream reached the function lazily, then failed
    # the bomb inflates to at most the registry's size on this path too
    member = bomb("1")
    peak = _peak(lambda: open_patchable(member, "s.tar:1").sample.arrays["sentinel2"])  # type: ignore[union-attr]
    assert peak < 4 * 2**20, f"peak {peak / 2**20:.1f} MiB"
