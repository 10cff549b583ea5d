"""GEO-Bench v1 reader on the format-exact fixtures: specs, partitions, samples, bad input, safety."""

from __future__ import annotations

import filecmp
import pickle
import shutil
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from geomeld.evaluation.geobench import GeoBenchFormatError, GeoBenchTask, safe_unpickle, task_dir
from geomeld.evaluation.tasks import load_geobench

FIXTURES = Path(__file__).parents[1] / "data" / "geobench"
ROOT = FIXTURES / "root"
BEN = ROOT / "classification_v1.0" / "m-bigearthnet"
SO2SAT = ROOT / "classification_v1.0" / "m-so2sat"
CASHEW = ROOT / "segmentation_v1.0" / "m-cashew-plant"
SACROP = ROOT / "segmentation_v1.0" / "m-SA-crop-type"
ALL = (BEN, SO2SAT, CASHEW, SACROP)


def test_specs_partitions_and_samples() -> None:
    ben = GeoBenchTask.open(BEN)
    assert ben.spec.kind == "multilabel" and ben.spec.n_classes == 43
    assert ben.spec.band_names[8] == "08A - Vegetation Red Edge" and len(ben.spec.band_names) == 12
    assert ben.partitions() == ["0.01x_train", "1.00x_train", "default"]
    assert len(ben.split("train")) == 6 and len(ben.split("train", "0.01x_train")) == 2
    image, label = ben.load(ben.split("test")[0])
    assert image.shape == (12, 16, 16) and image.dtype == np.float32
    assert label.shape == (43,) and set(np.unique(label)) <= {0, 1}
    with h5py.File(ben.sample_path(ben.split("test")[0])) as f:  # dated band names, as geobench writes
        assert "02 - Blue_2017-06-13" in f

    so2sat = GeoBenchTask.open(SO2SAT)
    assert so2sat.spec.kind == "classification"
    # S1 band names also start with "01 -"/"03 -": Sentinel-2 bands are picked by band class, not by name
    assert "03 - VV.Real" not in so2sat.spec.sentinel2_bands()
    assert len(so2sat.spec.sentinel2_bands()) == 10
    _, cls = so2sat.load(so2sat.split("valid")[0])
    assert isinstance(cls, int) and 0 <= cls < 17
    assert so2sat.dn_scale() == 10000.0  # reflectance 0…1 → DN

    cashew = GeoBenchTask.open(CASHEW)
    assert cashew.spec.kind == "segmentation" and cashew.spec.n_classes == 7
    image, seg = cashew.load(cashew.split("train")[0])
    assert image.shape == (13, 32, 32) and seg.shape == (32, 32) and seg.max() < 7
    assert np.array_equal(cashew.load_label(cashew.split("train")[0]), seg)  # label-only read

    sa = GeoBenchTask.open(SACROP)
    image, _ = sa.load(sa.split("test")[0])
    assert 5 < image.mean() < 100 and sa.dn_scale() == 1.0  # SA-crop-type: ~10…90, neither DN nor reflectance
    mean, std = sa.band_stats_for(sa.spec.sentinel2_bands())
    assert mean.shape == (13,) and (std > 0).all()


def test_paper_names_are_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    for alias in ("m-cashew-plantation", "Cashew1K", "cashew"):
        assert task_dir(alias, root=ROOT) == CASHEW
    assert task_dir("SAcrop3K", root=ROOT) == SACROP and task_dir("BigEarthNet20k", root=ROOT) == BEN
    monkeypatch.setenv("GEO_BENCH_DIR", str(ROOT))
    assert load_geobench("m-cashew-plantation").name == "m-cashew-plant"


def test_geobench_own_reader_agrees() -> None:
    """geobench's own reader (when installed) reads the fixtures and gets the same arrays and labels."""
    gbd = pytest.importorskip("geobench.dataset")
    for path in ALL:
        ds = gbd.GeobenchDataset(path, split="test", partition_name="default")
        sample = ds[0]
        image, label = GeoBenchTask.open(path).load(sample.sample_name)
        assert np.array_equal(np.stack([b.data for b in sample.bands]).astype(np.float32), image)
        theirs = sample.label.data if hasattr(sample.label, "data") else sample.label
        assert np.array_equal(np.asarray(theirs), np.asarray(label))


def test_task_data_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_BENCH_DIR", str(ROOT))
    task = load_geobench("m-so2sat", "classification_v1.0", partition="0.01x_train")
    assert len(task.splits["train"]) == 2 and task.kind == "classification"
    raw, lab = task.splits["train"].batch([0, 1])
    assert raw.shape == (2, 10 + 8, 16, 16) and lab.shape == (2,)  # S2 bands, then the 8 S1 bands
    assert np.array_equal(task.splits["train"].labels([0, 1]), lab)
    assert "VV" in task.notes and len(task.s1_band_names) == 8  # the S1 bands are reported


def test_unset_env_is_actionable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_BENCH_DIR", raising=False)
    with pytest.raises(GeoBenchFormatError, match="GEO_BENCH_DIR is not set"):
        task_dir("m-bigearthnet", "classification_v1.0")
    with pytest.raises(GeoBenchFormatError, match="does not exist"):
        GeoBenchTask.open(ROOT / "classification_v1.0" / "m-nothing")


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.parent.name / src.name
    shutil.copytree(src, dst)
    return dst


def test_missing_band_is_a_clear_error(tmp_path: Path) -> None:
    task = _copy(BEN, tmp_path)
    name = "m-bigearthnet_00000"
    with h5py.File(task / f"{name}.hdf5", "r+") as f:
        del f["08 - NIR_2017-06-13"]
    gb = GeoBenchTask.open(task)
    with pytest.raises(GeoBenchFormatError, match=r"08 - NIR.*missing.*never fills a band silently"):
        gb.load(name)


def test_label_out_of_range(tmp_path: Path) -> None:
    task = _copy(CASHEW, tmp_path)
    name = GeoBenchTask.open(task).split("train")[0]
    with h5py.File(task / f"{name}.hdf5", "r+") as f:
        f["label_2015-11-26"][0, 0] = 9
    with pytest.raises(GeoBenchFormatError, match=r"outside \[0, 6\]"):
        GeoBenchTask.open(task).load(name)

    so2sat = _copy(SO2SAT, tmp_path)
    name = GeoBenchTask.open(so2sat).split("train")[0]
    with h5py.File(so2sat / f"{name}.hdf5", "r+") as f:
        # a minimal attribute pickle (plain types only): band names then come from the dataset names
        f.attrs["pickle"] = str(pickle.dumps({"label": 25, "bands_order": list(f.keys())}))
    with pytest.raises(GeoBenchFormatError, match=r"label 25 outside \[0, 16\]"):
        GeoBenchTask.open(so2sat).load(name)


def test_unknown_partition_and_broken_band_order_tasks(tmp_path: Path) -> None:
    with pytest.raises(GeoBenchFormatError, match=r"no partition '0.05x_train'.*available"):
        GeoBenchTask.open(BEN).split("train", "0.05x_train")
    eurosat = tmp_path / "classification_v1.0" / "m-eurosat"
    shutil.copytree(BEN, eurosat)
    with pytest.raises(GeoBenchFormatError, match="issues/28"):
        GeoBenchTask.open(eurosat)


class _Evil:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        import os

        return (os.system, ("echo pwned",))


def test_unpickler_refuses_foreign_code() -> None:
    with pytest.raises(GeoBenchFormatError, match="refusing to unpickle"):
        safe_unpickle(pickle.dumps(_Evil()))
    with pytest.raises(GeoBenchFormatError, match="object"):
        safe_unpickle(pickle.dumps(np.array([object()], dtype=object)))


def test_fixture_generator_is_deterministic(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("geobench_fixture", FIXTURES / "data.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    out = mod.generate(tmp_path / "root")
    for task in ALL:
        mine = out / task.parent.name / task.name
        assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in task.iterdir())
        for p in task.iterdir():
            if p.suffix == ".hdf5":
                with h5py.File(p) as a, h5py.File(mine / p.name) as b:
                    assert sorted(a) == sorted(b)
                    assert all(np.array_equal(a[k][()], b[k][()]) for k in a)
                    assert a.attrs["pickle"] == b.attrs["pickle"]
            else:
                assert filecmp.cmp(p, mine / p.name, shallow=False), p
    assert (out / BEN.parent.name / BEN.name / "default_partition.json").is_symlink()


def test_every_file_error_names_the_file(tmp_path: Path) -> None:
    task = _copy(BEN, tmp_path)
    gb = GeoBenchTask.open(task)
    name = gb.split("train")[0]
    data = gb.sample_path(name).read_bytes()
    gb.sample_path(name).write_bytes(data[: len(data) // 3])  # truncated download
    with pytest.raises(GeoBenchFormatError, match=rf"{name}.hdf5: .*truncated"):
        gb.load(name)
    with pytest.raises(GeoBenchFormatError, match=rf"{name}.hdf5"):
        gb.load_label(name)
    (task / "task_specs.pkl").write_bytes(b"\x80\x04garbage")
    with pytest.raises(GeoBenchFormatError, match=r"task_specs.pkl: .*TaskSpecifications"):
        GeoBenchTask.open(task)
    (task / "task_specs.pkl").write_bytes((BEN / "task_specs.pkl").read_bytes())
    (task / "band_stats.json").write_text("{not json")
    with pytest.raises(GeoBenchFormatError, match=r"band_stats.json: not valid JSON"):
        GeoBenchTask.open(task)
    (task / "band_stats.json").write_text((BEN / "band_stats.json").read_text())
    (task / "default_partition.json").unlink()
    (task / "default_partition.json").write_text('{"train": "oops"')
    with pytest.raises(GeoBenchFormatError, match=r"default_partition.json: not valid JSON"):
        GeoBenchTask.open(task).split("train")
    (task / "default_partition.json").write_text('{"train": 3, "valid": [], "test": []}')
    with pytest.raises(GeoBenchFormatError, match=r"default_partition.json: 'train' must be a list"):
        GeoBenchTask.open(task).split("train")
