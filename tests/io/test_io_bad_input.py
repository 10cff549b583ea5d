"""Bad input names shard + sample key + problem; legal-but-odd input is accepted."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

from geomeld.core.sample import SampleFormatError
from geomeld.io.h5sample import decode_sample, encode_sample
from geomeld.io.shards import SampleError, ShardWriter, iter_samples
from geomeld.io.synthetic import make_sample


def raw_h5(
    layout: str = "standard", mutate: Callable[[dict], None] | None = None, meta: str | None = None
) -> bytes:
    """A sample file written with plain h5py after ``mutate(arrays)`` (no checks on the way)."""
    s = make_sample("9", layout)
    arrays = dict(s.arrays)
    if mutate:
        mutate(arrays)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for k, v in arrays.items():
            f[k] = v
        f["metadata"] = meta if meta is not None else s.metadata.to_json()
    return buf.getvalue()


def tar_of(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda a: a.__setitem__(key, value)


def _inf_s2(a: dict) -> None:
    a["sentinel2"] = a["sentinel2"].copy()
    a["sentinel2"][3, 5, 5] = np.inf


def _bad_code(a: dict) -> None:
    a["esa_worldcover"] = a["esa_worldcover"].copy()
    a["esa_worldcover"][0, 7, 7] = 15


CASES = [
    (
        "missing key",
        "standard",
        lambda a: a.pop("canopy_height"),
        None,
        r"canopy_height: missing required dataset",
    ),
    (
        "wrong shape",
        "standard",
        _set("sentinel2", np.zeros((12, 64, 64), np.float32)),
        None,
        r"sentinel2: shape \(12, 64, 64\), expected \(12, 128, 128\)",
    ),
    (
        "wrong dtype",
        "standard",
        _set("aster", np.zeros((2, 128, 128), np.float64)),
        None,
        r"aster: dtype float64, expected float32",
    ),
    (
        "class code",
        "standard",
        _bad_code,
        None,
        r"esa_worldcover: class codes \[15\] are not in the esa_worldcover table",
    ),
    ("inf", "standard", _inf_s2, None, r"sentinel2: 1 ±Inf values"),
    (
        "nan naip",  # float16: as many bytes as the registry's uint16, so it is read and judged
        "naip",
        _set("naip", np.full((3, 1280, 1280), np.nan, np.float16)),
        None,
        r"naip: dtype float16, expected uint16.*naip: NaN/±Inf values, but naip declares no NaN",
    ),
    (
        "float32 naip",  # twice the registry's bytes: refused from the header, never read
        "naip",
        _set("naip", np.zeros((3, 1280, 1280), np.float32)),
        None,
        r"naip: dtype float32, expected uint16; header declares float32 \(3, 1280, 1280\) = 19\.7 MB, "
        r"more than the 9\.8 MB of the registry's uint16 \(3, 1280, 1280\); not read",
    ),
    (
        "12-band s2 in naip",
        "naip",
        _set("sentinel2", np.zeros((12, 128, 128), np.float32)),
        None,
        r"sentinel2: shape \(12, 128, 128\), expected \(9, 128, 128\)",
    ),
    ("metadata not json", "standard", None, "{tile_id: 1,", r"metadata: metadata is not valid JSON"),
    (
        "metadata field",
        "standard",
        None,
        '{"tile_id": 1, "lat": 123, "long": 0, "acquisition_date": "2020-01-01"}',
        r"metadata: .*lat",
    ),
]


@pytest.mark.parametrize(
    ("layout", "mutate", "meta", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_sample_names_shard_key_and_problem(
    layout: str, mutate: Callable | None, meta: str | None, pattern: str
) -> None:
    with pytest.raises(SampleFormatError, match=r"shard-7\.tar:9: " + pattern):
        decode_sample(raw_h5(layout, mutate, meta), "shard-7.tar:9")


def test_missing_metadata_and_not_hdf5() -> None:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for k, v in make_sample("9").arrays.items():
            f[k] = v
    with pytest.raises(SampleFormatError, match=r"s\.tar:9: metadata: missing required dataset"):
        decode_sample(buf.getvalue(), "s.tar:9")
    with pytest.raises(SampleFormatError, match=r"s\.tar:9: not an HDF5 file"):
        decode_sample(b"PK\x03\x04 a zip file", "s.tar:9")
    with pytest.raises(SampleFormatError, match=r"s\.tar:9: HDF5 file cannot be opened"):
        decode_sample(encode_sample(make_sample("9"))[:5000], "s.tar:9")


def test_encode_refuses_bad_samples() -> None:
    s = make_sample("3")
    s.arrays["esa_worldcover"] = s.arrays["esa_worldcover"].copy()
    s.arrays["esa_worldcover"][0, 0, 0] = 33
    with pytest.raises(SampleFormatError, match=r"3: esa_worldcover: class codes \[33\]"):
        encode_sample(s)


def test_member_not_hdf5_in_shard_raise_and_skip(tmp_path: Path) -> None:
    good = encode_sample(make_sample("1"))
    shard = tar_of(tmp_path / "geomeld-00000.tar", [("1.h5", good), ("2.h5", b"not hdf5"), ("3.h5", good)])
    with pytest.raises(SampleFormatError, match=r"geomeld-00000\.tar:2: not an HDF5 file"):
        list(iter_samples(shard))
    errors: list[SampleError] = []
    assert [s.key for s in iter_samples(shard, on_error="skip", errors=errors)] == ["1", "3"]
    assert [(e.shard, e.key) for e in errors] == [("geomeld-00000.tar", "2")]


def test_truncated_tar_raise_and_skip(tmp_path: Path) -> None:
    with ShardWriter(tmp_path) as w:
        for i in range(3):
            w.write(make_sample(str(i)))
    shard = tmp_path / "geomeld-00000.tar"
    data = shard.read_bytes()
    shard.write_bytes(data[: int(len(data) * 0.5)])  # cuts inside member "1"
    with pytest.raises(SampleFormatError, match=r"geomeld-00000\.tar:1: truncated tar member"):
        list(iter_samples(shard))
    errors: list[SampleError] = []
    other = tmp_path / "sub"
    with ShardWriter(other) as w:
        w.write(make_sample("9"))
    keys = [s.key for s in iter_samples([shard, other / "geomeld-00000.tar"], on_error="skip", errors=errors)]
    assert keys == ["0", "9"]
    assert len(errors) == 1 and "truncated" in errors[0].message


def test_not_a_tar(tmp_path: Path) -> None:
    bad = tmp_path / "geomeld-00000.tar"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(SampleFormatError, match=r"geomeld-00000\.tar: "):
        list(iter_samples(bad))


def test_legal_but_odd_content_is_accepted() -> None:
    s = make_sample("5", "naip")  # 9-band S2
    assert np.isnan(s.arrays["sentinel1"]).any()  # NaN HH/HV
    s.metadata.osm_tags["name"] = None
    back = decode_sample(raw_h5("naip"), "s:5")
    assert back.arrays["sentinel2"].shape == (9, 128, 128)
    back = decode_sample(encode_sample(s), "s:5")
    assert back.metadata.osm_tags["name"] is None
