"""Shard writer/reader/rewrite, the published recipe on our shards, and the shard index."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import h5py
import numpy as np
import pyarrow.parquet as pq
import pytest
import webdataset as wds

from geomeld.core.modalities import LAYOUTS, MODALITIES
from geomeld.core.sample import SampleFormatError
from geomeld.io.h5sample import DatasetLocation, decode_located, decode_sample, encode_sample
from geomeld.io.index import index_path, read_index
from geomeld.io.shards import ShardWriter, iter_members, iter_samples, rewrite_shard
from geomeld.io.synthetic import make_sample


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shards")
    with ShardWriter(out, max_samples=2) as w:
        for i in range(5):
            w.write(make_sample(f"1000{i}", caption="a caption" if i == 0 else None))
    with ShardWriter(out, layout="naip") as w:
        w.write(make_sample("2000", "naip"))
    return out


def test_roundtrip_keeps_every_array_and_field() -> None:
    for layout in LAYOUTS:
        s = make_sample("42", layout)
        back = decode_sample(encode_sample(s), "x.tar:42")
        assert back.key == "42"
        assert list(back.arrays) == list(LAYOUTS[layout].modality_keys)
        for k, arr in s.arrays.items():
            assert back.arrays[k].dtype == MODALITIES[k].dtype
            np.testing.assert_array_equal(back.arrays[k], arr)
        assert back.metadata.osm_tags == s.metadata.osm_tags
        assert back.metadata.band_names == LAYOUTS[layout].band_names()


def test_gzip_roundtrip_and_fast_path_agree() -> None:
    s = make_sample("7")
    data = encode_sample(s, "gzip")
    with h5py.File(io.BytesIO(data)) as f:
        assert f["sentinel2"].compression == "gzip" and f["sentinel2"].shuffle
    from geomeld.io.h5sample import locate_datasets

    locs = locate_datasets(data, "x")
    assert {loc.codec for loc in locs.values()} == {"gzip+shuffle"}
    for k, loc in locs.items():
        np.testing.assert_array_equal(decode_located(data, loc), s.arrays[k])
    with pytest.raises(ValueError, match="beyond the file end"):
        decode_located(data[:1000], DatasetLocation(900, 500, "<f4", (1, 5, 5), "raw"))


def test_shard_names_rolling_and_order(written: Path) -> None:
    names = sorted(p.name for p in written.glob("*.tar"))
    assert names == ["geomeld-00000.tar", "geomeld-00000_n.tar", "geomeld-00001.tar", "geomeld-00002.tar"]
    assert not list(written.glob(".*tmp*"))
    keys = [s.key for s in iter_samples(sorted(written.glob("geomeld-0000?.tar")))]
    assert keys == ["10000", "10001", "10002", "10003", "10004"]
    with tarfile.open(written / "geomeld-00000.tar") as tar:
        assert tar.getnames() == ["10000.h5", "10001.h5"]


def test_published_recipe_reads_our_shards(written: Path) -> None:
    """The loading recipe published with GeoMeld, verbatim in spirit: WebDataset + h5py."""
    seen = {}
    for shard in sorted(written.glob("*.tar")):
        for sample in wds.WebDataset(str(shard), shardshuffle=False):
            with h5py.File(io.BytesIO(sample["h5"]), "r") as f:
                meta = json.loads(f["metadata"][()])
                arrays = {k: f[k][()] for k in f if k != "metadata"}
            seen[sample["__key__"]] = (meta, arrays)
    assert set(seen) == {"10000", "10001", "10002", "10003", "10004", "2000"}
    meta, arrays = seen["2000"]
    assert meta["file_type_naip"] is True
    assert arrays["naip"].shape == (3, 1280, 1280) and arrays["naip"].dtype == np.uint16
    assert arrays["sentinel2"].shape == (9, 128, 128)
    assert meta["band_names"]["sentinel2"] == list(LAYOUTS["naip"].bands("sentinel2"))
    meta, arrays = seen["10000"]
    assert meta["caption"] == "a caption" and meta["tile_id"] == "10000"
    assert arrays["sentinel2"].dtype == np.float32 and arrays["esa_worldcover"].dtype == np.uint8


def test_writer_refuses_wrong_layout_duplicate_key_and_bad_key(tmp_path: Path) -> None:
    with ShardWriter(tmp_path) as w:
        with pytest.raises(SampleFormatError, match=r"layout 'naip'.*ShardWriter\(layout='naip'\)"):
            w.write(make_sample("1", "naip"))
        w.write(make_sample("1"))
        with pytest.raises(SampleFormatError, match="already written"):
            w.write(make_sample("1"))
    with pytest.raises(SampleFormatError, match="must be non-empty without"):
        encode_sample(make_sample("a.b"))
    assert [s.key for s in iter_samples(tmp_path / "geomeld-00000.tar")] == ["1"]


def test_writer_continues_numbering_and_discards_empty(tmp_path: Path) -> None:
    with ShardWriter(tmp_path) as w:
        w.write(make_sample("1"))
    with ShardWriter(tmp_path) as w:
        w.write(make_sample("2"))
    with ShardWriter(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.glob("*.tar")) == ["geomeld-00000.tar", "geomeld-00001.tar"]


def test_index_rows_offsets_and_fast_decode(written: Path) -> None:
    shards = sorted(written.glob("*.tar"))
    table = read_index(shards)
    assert table.num_rows == 6
    rows = {r["key"]: r for r in table.to_pylist()}
    r = rows["2000"]
    assert r["layout"] == "naip" and "naip" in r["modalities"] and r["shard"] == "geomeld-00000_n.tar"
    assert rows["10000"]["caption"] == "a caption" and rows["10001"]["caption"] == ""
    with open(written / r["shard"], "rb") as fh:
        fh.seek(r["member_offset"])
        data = fh.read(r["member_size"])
    locs = json.loads(r["locations"])
    naip = decode_located(data, DatasetLocation.from_list(locs["naip"]))
    np.testing.assert_array_equal(naip, make_sample("2000", "naip").arrays["naip"])
    assert locs["naip"][4] == "gzip+shuffle" and locs["sentinel2"][4] == "raw"


def test_rewrite_shard_updates_samples_and_index(tmp_path: Path) -> None:
    with ShardWriter(tmp_path) as w:
        for i in range(3):
            w.write(make_sample(str(i)))
    shard = tmp_path / "geomeld-00000.tar"

    def add_caption(s):  # type: ignore[no-untyped-def]
        s.metadata = s.metadata.model_copy(update={"caption": f"tile {s.key}"})
        return s

    assert rewrite_shard(shard, add_caption) == 3
    assert [s.metadata.caption for s in iter_samples(shard)] == ["tile 0", "tile 1", "tile 2"]
    assert pq.read_table(index_path(shard)).column("caption").to_pylist() == ["tile 0", "tile 1", "tile 2"]
    assert read_index([shard]).num_rows == 3
    with pytest.raises(ValueError, match="must return a Sample with key"):
        rewrite_shard(shard, lambda s: make_sample("other"))
    assert [s.metadata.caption for s in iter_samples(shard)] == ["tile 0", "tile 1", "tile 2"]
    assert not list(tmp_path.glob(".*tmp*"))


def test_index_survives_a_copy_but_not_a_change(tmp_path: Path) -> None:
    import os
    import shutil

    from geomeld.io.index import is_fresh

    with ShardWriter(tmp_path / "a") as w:
        w.write(make_sample("1"))
    shard = tmp_path / "a" / "geomeld-00000.tar"
    (tmp_path / "b").mkdir()
    copy = tmp_path / "b" / shard.name
    shutil.copy(shard, copy)  # new mtime, same bytes
    shutil.copy(index_path(shard), index_path(copy))
    assert is_fresh(copy, index_path(copy))
    data = bytearray(copy.read_bytes())
    data[10] ^= 1
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(1, 1))
    assert not is_fresh(copy, index_path(copy))


@pytest.mark.parametrize("name", ["../../x.h5", "sub/x.h5", "/abs.h5", "a.b.h5", " x.h5"])
def test_member_names_that_are_not_plain_keys_are_refused(tmp_path: Path, name: str) -> None:
    from geomeld.io.inspect import validate_shard

    shard = tmp_path / "hostile.tar"
    with tarfile.open(shard, "w") as tar:
        info = tarfile.TarInfo(name)
        payload = b"\x89HDF\r\n\x1a\n" + bytes(64)
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    with pytest.raises(SampleFormatError, match=r"not a plain <key>\.h5 name"):
        list(iter_members(shard))
    count, problems = validate_shard(shard)
    assert count == 0 and len(problems) == 1 and repr(name) in problems[0]


def test_validate_reports_a_tile_id_that_differs_from_the_member_name(tmp_path: Path) -> None:
    from geomeld.io.inspect import validate_shard

    sample = make_sample("1000")
    sample.metadata = sample.metadata.model_copy(update={"tile_id": "999"})
    with ShardWriter(tmp_path) as w:
        w.write(sample)
    (shard,) = sorted(tmp_path.glob("*.tar"))
    count, problems = validate_shard(shard)
    assert count == 1 and len(problems) == 1
    assert "metadata tile_id '999' differs from the member name 1000.h5" in problems[0]
    fine = tmp_path / "fine"
    with ShardWriter(fine) as w:
        w.write(make_sample("1000"))
    assert validate_shard(next(fine.glob("*.tar"))) == (1, [])
