"""`geomeld caption`'s metadata-only shard rewrite: the same samples and metadata as the full
decode + re-check + patch path, the data arrays untouched, and the result validates."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from caption_fixtures import load_samples
from geomeld.captioning.pipeline import CaptionConfig, CaptionPipeline
from geomeld.captioning.run import _ShardCaptioner, caption_shard, config_hash
from geomeld.cli import app
from geomeld.core.sample import Sample
from geomeld.io.h5sample import decode_checked, locate_datasets
from geomeld.io.metapatch import patch_metadata
from geomeld.io.shards import ShardWriter, iter_members, rewrite_shard

CAPTION_FIELDS = ("caption", "caption_report", "signals", "water_analysis", "terrain_class", "osm_tags")


def _decoded(shard: Path) -> dict[str, tuple[dict[str, np.ndarray], dict[str, object], dict[str, object]]]:
    out = {}
    for m in iter_members(shard):
        s, problems, _ = decode_checked(m.data, m.where)
        assert s is not None and not problems, problems
        extras = {k: v for k, v in s.extras.get("datasets", {}).items()}
        out[m.key] = (s.arrays, json.loads(s.metadata.to_json()), extras)
    return out


def _untimed(meta: dict[str, object]) -> dict[str, object]:
    report = meta.get("caption_report")
    if isinstance(report, dict):
        meta = {**meta, "caption_report": {k: v for k, v in report.items() if k != "seconds"}}
    return meta


def _compare(
    src: Path, fast: Path, full: Path
) -> dict[str, tuple[dict[str, np.ndarray], dict[str, object], dict[str, object]]]:
    """The fast path's shard against the input (arrays, extras, metadata apart from the caption
    fields) and against the full path (metadata)."""
    before, after, reference = (_decoded(d) for d in (src, fast, full))
    assert list(after) == list(before) == list(reference)
    for key, (arrays, meta, extras) in after.items():
        old_arrays, old_meta, old_extras = before[key]
        assert list(arrays) == list(old_arrays)
        for k, arr in arrays.items():
            assert arr.dtype == old_arrays[k].dtype
            np.testing.assert_array_equal(arr, old_arrays[k], err_msg=f"{key}:{k}")
        assert extras.keys() == old_extras.keys()
        for k, arr in extras.items():
            np.testing.assert_array_equal(arr, old_extras[k])
        # metadata: identical to the input apart from the caption fields, identical to the full path
        assert {k: v for k, v in meta.items() if k not in CAPTION_FIELDS} == {
            k: v for k, v in old_meta.items() if k not in CAPTION_FIELDS
        }
        assert _untimed(meta) == _untimed(reference[key][1])
    return after


def test_captioned_shard_equals_the_full_path_and_keeps_the_arrays(tmp_path: Path) -> None:
    src = tmp_path / "src"
    with ShardWriter(src, max_samples=20) as w:
        for s in load_samples().values():
            w.write(replace(s, key=str(s.metadata.tile_id)))  # member name = tile id, as validate wants
    shard = next(src.glob("geomeld-*.tar"))
    fast, full = tmp_path / "fast", tmp_path / "full"
    shutil.copytree(src, fast)
    shutil.copytree(src, full)
    cfg = CaptionConfig()

    result = caption_shard(fast / shard.name, cfg)
    assert not result.failed and result.samples == 10 and not result.errors
    # the same captioner through the full path: every dataset decoded and checked, metadata re-created
    apply = _ShardCaptioner(CaptionPipeline(cfg), config_hash(cfg), {}, None)
    rewrite_shard(full / shard.name, apply, encode=patch_metadata)

    after = _compare(src / shard.name, fast / shard.name, full / shard.name)
    assert sum(1 for m in after.values() if m[1]["caption"]) == 7

    res = CliRunner().invoke(app, ["validate", str(fast)])
    assert res.exit_code == 0 and "10 samples checked, 0 problems" in res.output, res.output

    # a resumed run keeps every sample: the members come back byte for byte
    data = [m.data for m in iter_members(fast / shard.name)]
    again = caption_shard(fast / shard.name, cfg, force=False)
    assert again.skipped
    log = fast / (shard.name + ".captions.jsonl")
    lines = log.read_text().splitlines()
    records = [json.loads(x) for x in lines]
    records[-1]["failed"] = 1  # pretend one sample failed: the shard is redone, the others kept
    records[0]["status"] = "error"
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    redo = caption_shard(fast / shard.name, cfg)
    assert redo.kept == 9 and redo.samples == 10
    assert [m.data for m in iter_members(fast / shard.name)][1:] == data[1:]


def test_a_compressed_layer_that_fails_when_read_is_a_read_error(tmp_path: Path) -> None:
    """gzip shards: layers are decoded when the signals read them; one that fails makes the sample a
    read_error (copied through, reported once), and the other samples are captioned."""
    samples = [replace(s, key=str(s.metadata.tile_id)) for s in list(load_samples().values())[:3]]
    with ShardWriter(tmp_path, compression="gzip") as w:
        for s in samples:
            w.write(s)
    shard = next(tmp_path.glob("geomeld-*.tar"))
    members = list(iter_members(shard))
    bad = bytearray(members[1].data)
    loc = locate_datasets(members[1].data, "x")["sentinel2"]
    assert loc.codec == "gzip+shuffle"
    bad[loc.offset + loc.nbytes // 2 : loc.offset + loc.nbytes // 2 + 64] = bytes(64)
    with tarfile.open(shard, "w") as tar:
        for m, payload in zip(members, (members[0].data, bytes(bad), members[2].data), strict=True):
            info = tarfile.TarInfo(m.key + ".h5")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    result = caption_shard(shard, CaptionConfig())
    assert not result.failed and result.samples == 3
    assert result.statuses.get("read_error") == 1 and result.failed_samples == 1
    assert len(result.errors) == 1 and "sentinel2" in result.errors[0], result.errors
    log = [json.loads(x) for x in (tmp_path / (shard.name + ".captions.jsonl")).read_text().splitlines()]
    assert [r["key"] for r in log[:-1]].count(members[1].key) == 1
    after = list(iter_members(shard))
    assert after[1].data == bytes(bad)  # copied through untouched
    assert after[0].data != members[0].data  # the good ones got their captions


def test_released_format_shards_caption_like_the_full_path(test_data: Path, tmp_path: Path) -> None:
    """Shards laid out like the released ones (gzip in 64 × 64 tiles, NAIP 1280 × 1280): the tiles
    are read lazily through the io limits, NAIP is never inflated, the result equals the full path."""
    cfg = CaptionConfig()
    for name in ("geomeld-00000.tar", "geomeld-00000_n.tar"):
        fast, full = tmp_path / "fast" / name, tmp_path / "full" / name
        for dst in (fast, full):
            dst.parent.mkdir(exist_ok=True)
            shutil.copyfile(test_data / "geomeld_shards" / name, dst)
        apply = _ShardCaptioner(CaptionPipeline(cfg), config_hash(cfg), {}, None)
        naip_pending: list[bool] = []
        inner = apply.__call__

        def spy(
            sample: Sample, inner: Callable[[Sample], Sample] = inner, seen: list[bool] = naip_pending
        ) -> Sample:
            out = inner(sample)
            seen.append("naip" in getattr(sample.arrays, "pending", list)())
            return out

        rewrite_shard(fast, spy, on_error="skip", metadata_only=True)
        assert not any(r["status"] in ("error", "read_error") for r in apply.records), apply.records
        rewrite_shard(
            full, _ShardCaptioner(CaptionPipeline(cfg), config_hash(cfg), {}, None), encode=patch_metadata
        )
        _compare(test_data / "geomeld_shards" / name, fast, full)
        if name.endswith("_n.tar"):
            assert True in naip_pending  # the 1280 × 1280 NAIP sample was captioned without inflating it
