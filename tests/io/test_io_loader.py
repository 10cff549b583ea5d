"""The torch loader: Batch contract, rank/worker split, shuffling, resume, masks, crops, skip mode."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch

from geomeld.core.modalities import MODALITIES, grid_modalities
from geomeld.core.sample import SampleFormatError
from geomeld.io.index import index_path, read_index
from geomeld.io.loader import GeoMeldDataset, collate_batch, make_loader
from geomeld.io.partition import delivered_per_worker
from geomeld.io.shards import ShardWriter, iter_samples
from geomeld.io.stats import NormStats, compute_stats
from geomeld.io.synthetic import make_sample

STANDARD_KEYS = [f"s{i}" for i in range(9)]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """3 standard shards of 4, 4, 1 samples and one NAIP shard of 2."""
    out = tmp_path_factory.mktemp("loader")
    with ShardWriter(out, max_samples=4) as w:
        for k in STANDARD_KEYS:
            w.write(make_sample(k, caption=f"caption {k}" if k == "s1" else None))
    with ShardWriter(out, layout="naip") as w:
        for k in ("n0", "n1"):
            w.write(make_sample(k, "naip"))
    return sorted(out.glob("*.tar"))


@pytest.fixture(scope="module")
def stats(shards: list[Path]) -> NormStats:
    return NormStats.from_json(compute_stats(shards))


def test_batch_contract(shards: list[Path], stats: NormStats) -> None:
    loader = make_loader(shards, batch_size=11, stats=stats, shuffle=False, include_naip=True)
    batch = next(iter(loader))
    b, s = 11, 112
    assert batch["key"] == ["s0", "s1", "s2", "s3", "n0", "n1", "s4", "s5", "s6", "s7", "s8"]
    assert batch["caption"][1] == "caption s1" and batch["caption"][0] == ""
    for m in grid_modalities():
        if m.is_categorical:
            assert batch[m.key].dtype == torch.int64 and batch[m.key].shape == (b, s, s)
            assert batch[m.key].min() >= -1 and batch[m.key].max() < m.classes.num_classes  # type: ignore[union-attr]
            assert f"{m.key}_valid" not in batch
        else:
            assert batch[m.key].dtype == torch.float32 and batch[m.key].shape == (b, m.num_bands, s, s)
            assert (
                batch[m.key + "_valid"].dtype == torch.bool
                and batch[m.key + "_valid"].shape == batch[m.key].shape
            )
            assert (batch[m.key][~batch[m.key + "_valid"]] == 0).all()
        assert batch["present_" + m.key].dtype == torch.bool and batch["present_" + m.key].shape == (b,)
    assert batch["naip"].shape == (b, 3, 10 * s, 10 * s)
    assert batch["present_naip"].tolist() == [k.startswith("n") for k in batch["key"]]
    # 9-band S2 of NAIP samples: B2-B4 invalid, the rest valid
    s2_valid = batch["sentinel2_valid"].flatten(2).any(-1)
    rgb = MODALITIES["sentinel2"].band_indices(["B2", "B3", "B4"])
    for row, key in enumerate(batch["key"]):
        expect = torch.ones(12, dtype=torch.bool)
        if key.startswith("n"):
            expect[rgb] = False
        assert s2_valid[row].tolist() == expect.tolist()
    # HH/HV NaN → invalid; S1 still present
    hh = MODALITIES["sentinel1"].band_names.index("HH_asc")
    assert not batch["sentinel1_valid"][:, hh].any() and batch["present_sentinel1"].all()


def test_values_normalised_and_class_indices(shards: list[Path], stats: NormStats) -> None:
    ds = GeoMeldDataset(shards[:1], stats=stats, shuffle=False, crop="none")
    item = next(iter(ds))
    raw = make_sample("s0")
    s2 = raw.arrays["sentinel2"]
    expect = (s2 - stats.mean["sentinel2"][:, None, None]) / stats.std["sentinel2"][:, None, None]
    np.testing.assert_allclose(item["sentinel2"], expect, rtol=1e-5, atol=1e-5)
    esa = raw.arrays["esa_worldcover"][0]
    table = MODALITIES["esa_worldcover"].classes
    assert table is not None
    assert (item["esa_worldcover"][esa == table.nodata] == -1).all()
    np.testing.assert_array_equal(item["esa_worldcover"][esa == 40], table.codes.index(40))
    assert (
        abs(
            float(stats.mean["sentinel2"][0])
            - float(
                np.mean(
                    [make_sample(k).arrays["sentinel2"][0].mean() for k in STANDARD_KEYS]
                    + [make_sample(k, "naip").arrays["sentinel2"][0].mean() for k in ("n0", "n1")]
                )
            )
        )
        < 1e-2
    )


def test_random_crop_is_consistent_across_modalities_and_naip(shards: list[Path]) -> None:
    ds = GeoMeldDataset(shards[:2], include_naip=True, shuffle=False, crop_size=112, seed=3)
    offsets = set()
    for item in ds:
        raw = make_sample(item["key"], "naip" if item["key"].startswith("n") else "standard")
        full = raw.arrays["aster"]
        found = [
            (y, x)
            for y in range(17)
            for x in range(17)
            if np.array_equal(full[:, y : y + 112, x : x + 112], item["aster"])
        ]
        assert len(found) == 1
        y, x = found[0]
        offsets.add((y, x))
        np.testing.assert_array_equal(
            item["dynamic_world"],
            MODALITIES["dynamic_world"].classes.code_to_index[
                raw.arrays["dynamic_world"][0, y : y + 112, x : x + 112]
            ],  # type: ignore[union-attr]
        )
        if "naip" in raw.arrays:
            np.testing.assert_array_equal(
                item["naip"], raw.arrays["naip"][:, 10 * y : 10 * (y + 112), 10 * x : 10 * (x + 112)]
            )
    assert len(offsets) > 1


@pytest.mark.parametrize("uneven", ["drop", "pad"])
def test_ranks_and_workers_split_samples_without_duplicates_or_gaps(shards: list[Path], uneven: str) -> None:
    standard = [p for p in shards if not p.name.endswith("_n.tar")]  # 3 shards: 4 + 4 + 1 samples
    got: list[int] = []
    for rank in range(2):
        ds = GeoMeldDataset(standard, rank=rank, world_size=2, uneven=uneven, seed=1)  # type: ignore[arg-type]
        per_rank = [i for w in range(2) for i in ds.worker_items(w, 2)]
        assert len(per_rank) == len(ds) == (4 if uneven == "drop" else 5)
        got += per_rank
    counts = Counter(got)
    if uneven == "drop":
        assert len(counts) == 8 and set(counts.values()) == {1}
    else:
        assert len(counts) == 9 and sorted(counts.values()) == [1] * 8 + [2]


def test_epochs_reshuffle_deterministically(shards: list[Path]) -> None:
    ds = GeoMeldDataset(shards, seed=5, shuffle_buffer=4)
    a0 = ds.worker_items(0, 1, epoch=0)
    assert a0 == GeoMeldDataset(shards, seed=5, shuffle_buffer=4).worker_items(0, 1, epoch=0)
    assert a0 != ds.worker_items(0, 1, epoch=1)
    assert sorted(a0) == sorted(ds.worker_items(0, 1, epoch=1)) == list(range(11))


@pytest.mark.parametrize("workers", [0, 2])
def test_multiworker_epoch_and_exact_resume(shards: list[Path], workers: int) -> None:
    kw = {
        "batch_size": 2,
        "num_workers": workers,
        "seed": 7,
        "crop_size": 32,
        "modalities": ["aster", "esa_worldcover"],
    }
    loader = make_loader(shards, **kw)  # type: ignore[arg-type]
    full = [b["key"] for b in loader]
    assert sorted(k for keys in full for k in keys) == sorted([*STANDARD_KEYS, "n0", "n1"])
    assert loader.epoch == 1 and loader.batches == 0
    first = make_loader(shards, **kw)  # type: ignore[arg-type]
    abandoned = iter(first)
    next(abandoned)
    del abandoned  # a pass given up half-way: the next pass starts at the epoch start again
    it = iter(first)
    seen = [next(it)["key"] for _ in range(3)]
    state = first.state_dict()
    assert state["batches"] == 3 and state["epoch"] == 0
    resumed = make_loader(shards, **kw)  # type: ignore[arg-type]
    resumed.load_state_dict(state)
    rest = [b["key"] for b in resumed]
    assert seen + rest == full, (seen, rest, full)


def test_delivered_per_worker_round_robin() -> None:
    assert delivered_per_worker([5, 2], batch_size=2, drop_last=False, batches=3) == ([4, 2], 1)
    assert delivered_per_worker([5, 2], batch_size=2, drop_last=False, batches=4) == ([5, 2], 1)
    assert delivered_per_worker([6, 6, 6], batch_size=3, drop_last=True, batches=4) == ([6, 3, 3], 1)
    with pytest.raises(ValueError, match="past the end"):
        delivered_per_worker([1], batch_size=2, drop_last=True, batches=1)


@pytest.mark.parametrize("fresh_index", [True, False], ids=["damage-after-indexing", "stale-index"])
def test_skip_mode_counts_bad_samples_and_keeps_loading(
    shards: list[Path], tmp_path: Path, fresh_index: bool
) -> None:
    shard = tmp_path / shards[0].name
    shutil.copy(shards[0], shard)
    rows = read_index([shard]).to_pylist()
    mtime_ns = int(pq.read_schema(index_path(shard)).metadata[b"shard_mtime_ns"])
    data = bytearray(shard.read_bytes())
    data[rows[1]["member_offset"] : rows[1]["member_offset"] + 8] = b"garbage!"
    esa = json.loads(rows[2]["locations"])["esa_worldcover"][0]
    data[rows[2]["member_offset"] + esa + 100] = 15  # not an ESA WorldCover code
    shard.write_bytes(bytes(data))
    if fresh_index:  # the damage is invisible to the index: found while loading
        os.utime(shard, ns=(mtime_ns, mtime_ns))
    with pytest.raises(SampleFormatError, match=r"geomeld-00000\.tar:s1: not an HDF5 file"):
        list(GeoMeldDataset([shard], shuffle=False, crop="none"))
    log = tmp_path / "errors.jsonl"
    ds = GeoMeldDataset([shard], shuffle=False, on_error="skip", crop="none", error_log=log)
    keys = [item["key"] for item in ds]
    assert keys == ["s0", "s3"]
    assert ds.bad_samples == 2
    lines = log.read_text().splitlines()
    assert "geomeld-00000.tar:s1: not an HDF5 file" in lines[0]
    assert "geomeld-00000.tar:s2: esa_worldcover: class codes [15]" in lines[1]


def test_foreign_shards_load_through_the_fallback(test_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "released"
    shutil.copytree(test_data / "geomeld_shards", out, ignore=shutil.ignore_patterns("*.py", "*.parquet"))
    shards = sorted(out.glob("*.tar"))
    batch = collate_batch(list(GeoMeldDataset(shards, shuffle=False, include_naip=True, crop="center")))
    assert batch["key"] == ["1232154454", "1232154455", "1232154456", "11622631", "14918715"]
    assert batch["present_naip"].tolist() == [False, False, False, True, True]
    assert batch["sentinel2"].shape == (5, 12, 112, 112)
    samples = {s.key: s for s in iter_samples(shards)}
    np.testing.assert_array_equal(
        batch["aster"][0].numpy(), samples["1232154454"].arrays["aster"][:, 8:120, 8:120]
    )


def test_batched_workers_equal_per_sample_collate(shards: list[Path], stats: NormStats) -> None:
    kw = {"stats": stats, "shuffle": False, "include_naip": True, "seed": 2}
    loader = make_loader(shards, batch_size=4, **kw)  # type: ignore[arg-type]
    batched = list(loader)
    items = list(GeoMeldDataset(shards, **kw))  # type: ignore[arg-type]
    assert [len(b["key"]) for b in batched] == [4, 4, 3]
    for n, batch in enumerate(batched):
        ref = collate_batch(items[4 * n : 4 * n + 4])
        assert set(batch) == set(ref) and batch["key"] == ref["key"] and batch["caption"] == ref["caption"]
        for name, value in ref.items():
            if isinstance(value, torch.Tensor):
                assert batch[name].dtype == value.dtype and torch.equal(batch[name], value), name
