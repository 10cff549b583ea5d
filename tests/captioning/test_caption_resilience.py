"""`geomeld caption` keeps going: unreadable shards, failing samples, failed requests, resume, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caption_fixtures import load_samples
from geomeld.captioning.pipeline import CaptionPipeline
from geomeld.cli import app
from geomeld.io.shards import ShardWriter, iter_samples


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    samples = load_samples()
    with ShardWriter(tmp_path, max_samples=5) as w:
        for s in samples.values():
            w.write(s)
    return sorted(tmp_path.glob("geomeld-*.tar"))


def _summary(output: str) -> dict[str, object]:
    lines = re.findall(r'(\{"status": .*\})\s*$', output, flags=re.MULTILINE)
    return dict(json.loads(lines[-1]))


def test_unreadable_shard_is_reported_and_the_others_are_captioned(
    shards: list[Path], tmp_path: Path
) -> None:
    bad = tmp_path / "geomeld-99999.tar"
    bad.write_bytes(b"this is not a tar archive" * 40)
    truncated = tmp_path / "geomeld-99998.tar"
    truncated.write_bytes(shards[0].read_bytes()[:5000])
    before = truncated.read_bytes()
    res = CliRunner().invoke(app, ["caption", str(bad), *map(str, shards), str(truncated)])
    assert res.exit_code == 1, res.output
    summary = _summary(res.output)
    assert summary["status"] == {"verified": 7, "no_imagery": 3}
    assert summary["failed_shards"] == [str(bad), str(truncated)]
    assert "FAILED" in res.output and "not a readable tar shard" in res.output
    assert all(s.metadata.caption_report for s in iter_samples(shards))
    assert truncated.read_bytes() == before  # left untouched, no log: retried next time
    assert not (tmp_path / (truncated.name + ".captions.jsonl")).exists()


def test_failed_samples_are_retried_on_resume_and_the_rest_kept(
    shards: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = CaptionPipeline.caption
    calls: list[str] = []

    def flaky(self, sample, bundle=None):  # type: ignore[no-untyped-def]
        calls.append(sample.key)
        if sample.key == "bigearthnet":
            raise RuntimeError("backend exploded")
        return original(self, sample, bundle)

    monkeypatch.setattr(CaptionPipeline, "caption", flaky)
    runner = CliRunner()
    first = runner.invoke(app, ["caption", *map(str, shards)])
    assert first.exit_code == 1
    assert _summary(first.output) == {
        "status": {"verified": 6, "no_imagery": 3, "error": 1},
        "failed_shards": [],
        "failed_samples": 1,
    }
    assert "bigearthnet: RuntimeError: backend exploded" in first.output
    by_key = {s.key: s for s in iter_samples(shards)}
    assert by_key["bigearthnet"].metadata.caption is None
    assert by_key["bigearthnet"].metadata.caption_report["status"] == "error"  # type: ignore[index]

    monkeypatch.setattr(
        CaptionPipeline, "caption", lambda self, s, b=None: (calls.append(s.key), original(self, s, b))[1]
    )
    calls.clear()
    second = runner.invoke(app, ["caption", *map(str, shards)])
    assert second.exit_code == 0, second.output
    assert calls == ["bigearthnet"]  # only the failed sample was redone
    assert "skipped" in second.output and "4 kept from the last run" in second.output
    assert _summary(second.output) == {"status": {"verified": 2, "no_imagery": 3}}
    assert next(s for s in iter_samples(shards) if s.key == "bigearthnet").metadata.caption

    third = runner.invoke(app, ["caption", *map(str, shards)])
    assert third.exit_code == 0 and third.output.count("skipped") == 2


def test_exit_code_is_non_zero_when_every_sample_fails(
    shards: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self, sample, bundle=None):  # type: ignore[no-untyped-def]
        raise ValueError("no")

    monkeypatch.setattr(CaptionPipeline, "caption", broken)
    res = CliRunner().invoke(app, ["caption", *map(str, shards)])
    assert res.exit_code == 1
    assert _summary(res.output)["status"] == {"error": 10}
    rep = CliRunner().invoke(app, ["caption-report", str(shards[0].parent), "--json"])
    report = json.loads(next(x for x in rep.output.splitlines() if x.startswith("{")))
    assert report["failed_samples"] == 10 and report["status"] == {"error": 10}
    assert report["errors_by_kind"] == {"ValueError: no": 10}
