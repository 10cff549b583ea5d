"""Our reader on shards laid out exactly like the released GeoMeld shards (written by the independent
fixture generator ``tests/data/geomeld_shards/data.py``, plain h5py + tarfile)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from geomeld.core.modalities import LAYOUTS, MODALITIES
from geomeld.io.h5sample import decode_sample, encode_sample
from geomeld.io.index import read_index
from geomeld.io.shards import iter_samples


@pytest.fixture()
def released(test_data: Path, tmp_path: Path) -> Path:
    """A writable copy (indexing writes sidecars beside the shards; the committed folder stays clean)."""
    out = tmp_path / "released"
    shutil.copytree(test_data / "geomeld_shards", out, ignore=shutil.ignore_patterns("*.py", "*.parquet"))
    return out


def test_naip_shard_reads_with_9_band_s2(released: Path) -> None:
    samples = list(iter_samples(released / "geomeld-00000_n.tar"))
    assert [s.key for s in samples] == ["11622631", "14918715"]
    s = samples[0]
    assert s.layout is LAYOUTS["naip"]
    assert s.arrays["naip"].shape == (3, 1280, 1280) and s.arrays["naip"].dtype == np.uint16
    assert s.arrays["sentinel2"].shape == (9, 128, 128)
    assert s.band_names("sentinel2") == list(LAYOUTS["naip"].bands("sentinel2"))
    assert s.metadata.tile_id == 11622631 and s.metadata.file_type_naip is True
    assert s.metadata.osm_tags["note:post_town"] is None
    assert s.metadata.osm_tags["highway"] == ["service", "residential"]
    assert abs(s.metadata.water_analysis.percentage - 54.38232421875) < 1e-9


def test_standard_shard_reads_with_nan_no_data(released: Path) -> None:
    samples = list(iter_samples(released / "geomeld-00000.tar"))
    assert [s.key for s in samples] == ["1232154454", "1232154455", "1232154456"]
    for s in samples:
        assert s.layout is LAYOUTS["standard"]
        assert list(s.arrays) == list(LAYOUTS["standard"].modality_keys)
        for key, arr in s.arrays.items():
            assert arr.shape == LAYOUTS["standard"].shape(key) and arr.dtype == MODALITIES[key].dtype
        s1 = s.arrays["sentinel1"]
        hh = MODALITIES["sentinel1"].band_names.index("HH_asc")
        assert np.isnan(s1[hh]).all() and np.isfinite(s1[0]).all()


def test_released_sample_survives_our_roundtrip(released: Path) -> None:
    s = next(iter_samples(released / "geomeld-00000_n.tar"))
    back = decode_sample(encode_sample(s), "x:11622631")
    for key, arr in s.arrays.items():
        np.testing.assert_array_equal(back.arrays[key], arr)
    assert back.metadata.model_dump() == s.metadata.model_dump()


def test_index_of_foreign_shards(released: Path) -> None:
    shards = sorted(released.glob("*.tar"))
    table = read_index(shards)
    rows = table.to_pylist()
    assert [r["key"] for r in rows] == ["1232154454", "1232154455", "1232154456", "11622631", "14918715"]
    by_key = {r["key"]: r for r in rows}
    assert by_key["11622631"]["layout"] == "naip" and by_key["11622631"]["tile_id"] == "11622631"
    assert "naip" in by_key["11622631"]["modalities"]
    # style 0 (64x64 gzip tiles) is not fast-decodable, style 1 (one whole-array chunk) is
    assert by_key["1232154454"]["locations"] == "{}"
    assert "sentinel2" in by_key["1232154455"]["locations"]
    assert (released / "geomeld-00000.index.parquet").exists()


def test_caption_dataset_of_foreign_files_is_read(tmp_path: Path) -> None:
    from geomeld.io.synthetic import make_sample

    data = encode_sample(make_sample("5"))
    buf = io.BytesIO(data)
    with h5py.File(buf, "a") as f:
        f["caption"] = "A river crosses farmland."
    s = decode_sample(buf.getvalue(), "x:5")
    assert s.metadata.caption == "A river crosses farmland."
    assert "datasets" not in s.extras
