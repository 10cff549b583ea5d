"""`geomeld caption-check`: input order, pass-through keys, string tile ids, error lines and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caption_fixtures import load_samples
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.pipeline import CaptionPipeline
from geomeld.captioning.verifier import verify
from geomeld.cli import app
from geomeld.io.shards import ShardWriter


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("shards")
    with ShardWriter(d, max_samples=5) as w:
        for key in ("brandenburg_0", "slovenia"):
            w.write(load_samples()[key])
    return sorted(d.glob("geomeld-*.tar"))


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_caption_check_verdicts_in_input_order(shards: list[Path], tmp_path: Path) -> None:
    caps = _write(
        tmp_path / "c.jsonl",
        [
            json.dumps(
                {"tile_id": 1006, "caption": "Taken in July 2017, a summer scene in Slovenia.", "id": "a"}
            ),
            json.dumps(
                {"tile_id": "1006", "caption": "A winter scene in Finland.", "id": "b", "extra": [1, 2]}
            ),
            json.dumps({"tile_id": "1000", "caption": "Taken in February 2017.", "id": "c"}),
            json.dumps({"tile_id": "4242", "caption": "Forest.", "id": "d"}),
            "{not json",
            json.dumps({"tile_id": "1000", "id": "f"}),
        ],
    )
    out = tmp_path / "v.jsonl"
    res = CliRunner().invoke(
        app, ["caption-check", *map(str, shards), "--captions", str(caps), "--out", str(out)]
    )
    assert res.exit_code == 1, res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r.get("id") for r in rows] == ["a", "b", "c", "d", None, "f"]
    assert [r["verdict"] for r in rows] == ["verified", "contradicted", "verified", "error", "error", "error"]
    assert rows[1]["extra"] == [1, 2] and rows[1]["tile_id"] == "1006"
    assert rows[3]["line"] == 4 and "4242" in rows[3]["error"]
    assert rows[4]["line"] == 5
    caption = "A winter scene in Finland."
    for c in rows[1]["claims"]:
        assert caption[c["start"] : c["end"]] == c["text"]
        assert {"family", "verdict", "evidence"} <= set(c)
    assert {c["family"] for c in rows[1]["claims"]} >= {"season", "place"}


def test_caption_check_missing_shard_is_an_error_up_front(shards: list[Path], tmp_path: Path) -> None:
    caps = _write(tmp_path / "c.jsonl", [json.dumps({"tile_id": "1000", "caption": "x"})])
    out = tmp_path / "v.jsonl"
    res = CliRunner().invoke(
        app,
        ["caption-check", str(tmp_path / "nope.tar"), "--captions", str(caps), "--out", str(out)],
        env={"COLUMNS": "1000"},  # the error box must not wrap the long xdist tmp path
    )
    assert res.exit_code != 0 and "nope.tar" in res.output
    assert not out.exists()


def test_pipeline_check_is_caption_check(shards: list[Path], tmp_path: Path) -> None:
    """The pipeline's typed check of a candidate is the very verdict caption-check prints."""
    sample = load_samples()["slovenia"]
    pipe = CaptionPipeline()
    ev = Evidence.from_bundle(pipe.signals(sample))
    texts = ["A summer scene in Slovenia.", "Mostly bare rock in winter.", "Some forest and some grassland."]
    caps = _write(tmp_path / "c.jsonl", [json.dumps({"tile_id": "1006", "caption": t}) for t in texts])
    out = tmp_path / "v.jsonl"
    res = CliRunner().invoke(
        app, ["caption-check", *map(str, shards), "--captions", str(caps), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    got = [json.loads(x)["verdict"] for x in out.read_text().splitlines()]
    want = []
    for t in texts:
        check = verify(t, ev).check
        assert check is not None
        want.append(check.verdict.value)
    assert got == want


def test_structured_claims_must_cover_the_text(shards: list[Path], tmp_path: Path) -> None:
    caption = "A summer scene in Slovenia."
    season = {"family": "season", "subject": "summer", "start": 2, "end": 8, "text": "summer"}
    place = {
        "family": "place",
        "subject": "country",
        "label": "slovenia",
        "start": 18,
        "end": 26,
        "text": "Slovenia",
    }
    caps = _write(
        tmp_path / "c.jsonl",
        [
            json.dumps({"tile_id": "1006", "caption": caption, "claims": [season, place]}),
            json.dumps({"tile_id": "1006", "caption": caption, "claims": [season]}),
            json.dumps({"tile_id": "1006", "caption": caption, "claims": [{**season, "start": 0}]}),
            json.dumps(
                {"tile_id": "1006", "caption": caption, "claims": [{"family": "weather", "subject": "x"}]}
            ),
        ],
    )
    out = tmp_path / "v.jsonl"
    res = CliRunner().invoke(
        app, ["caption-check", *map(str, shards), "--captions", str(caps), "--out", str(out)]
    )
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert res.exit_code == 1  # the malformed claim list is an error line
    assert rows[0]["verdict"] == "verified", rows[0]
    assert rows[1]["verdict"] == "unverifiable" and any(
        "beyond its claim list" in p for p in rows[1]["problems"]
    )
    assert rows[2]["verdict"] == "unverifiable" and any("is not caption" in p for p in rows[2]["problems"])
    assert rows[3]["verdict"] == "error" and "claims" in rows[3]["error"]


def test_pipeline_verified_captions_are_caption_check_verified(tmp_path: Path) -> None:
    """What `geomeld caption` stores as verified, `geomeld caption-check` calls verified: with the
    stored claims (structured) and as free text."""
    samples = load_samples()
    pipe = CaptionPipeline()
    lines = []
    with ShardWriter(tmp_path, max_samples=5) as w:
        for key in ("brandenburg_1", "brandenburg_4", "bigearthnet"):
            out = pipe.caption(samples[key])
            w.write(samples[key])
            assert out.status == "verified", out.report.get("reason")
            tile = str(samples[key].metadata.tile_id)
            lines.append(
                json.dumps(
                    {"tile_id": tile, "caption": out.caption, "claims": out.report["claims"]["claims"]}
                )
            )
            lines.append(json.dumps({"tile_id": tile, "caption": out.caption}))
    caps = _write(tmp_path / "c.jsonl", lines)
    out_path = tmp_path / "v.jsonl"
    shards = sorted(tmp_path.glob("geomeld-*.tar"))
    res = CliRunner().invoke(
        app, ["caption-check", *map(str, shards), "--captions", str(caps), "--out", str(out_path)]
    )
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["verdict"] for x in out_path.read_text().splitlines()] == ["verified"] * len(lines)
