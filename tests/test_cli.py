"""The one CLI error handler, over every verb the app lists: a missing input file gives one line naming
it and a non-zero exit; a run that produced nothing exits non-zero (one line saying so)."""

from __future__ import annotations

import re
import tarfile
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from geomeld.cli import app, main

COMMAND = typer.main.get_command(app)


def leaf_verbs(group: Any = COMMAND, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every runnable verb of the app (sub-groups such as ``catalog`` expanded), read from the app."""
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from leaf_verbs(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


VERBS = dict(leaf_verbs())


def _takes_path(cmd: Any, param: Any) -> bool:
    hint = typing.get_type_hints(cmd.callback).get(param.name)
    return "Path" in str(hint) or (param.required and hint is str)


def missing_file_argv(verb: tuple[str, ...], missing: Path) -> list[str] | None:
    """The verb's argv with every required file parameter (and ``--config`` when it has one) set to a
    path under the missing folder ``missing``; None for a verb that reads no file."""
    cmd = VERBS[verb]
    argv = list(verb)
    inputs = [p for p in cmd.params if _takes_path(cmd, p) and (p.required or p.name == "config")]
    if not inputs:
        return None
    for p in inputs:
        value = str(missing / p.name)
        argv += [value] if p.param_type_name == "argument" else [p.opts[0], value]
    return argv


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_every_verb_is_found() -> None:
    names = {" ".join(v) for v in VERBS}
    assert {"validate", "inspect", "stats", "index", "build", "caption", "pack", "embed", "evaluate"} <= names


@pytest.mark.parametrize("verb", list(VERBS), ids=[" ".join(v) for v in VERBS])
def test_missing_file_prints_one_line_naming_it(
    verb: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    argv = missing_file_argv(verb, missing)
    if argv is None:
        pytest.skip(f"geomeld {' '.join(verb)} reads no file")
    code, _, err = run_cli(argv, capsys)
    lines = err.strip().splitlines()
    assert code != 0, err
    assert len(lines) == 1, err
    assert str(missing) in lines[0], lines[0]
    assert "Traceback" not in err
    assert not missing.exists() or not any(missing.iterdir())  # nothing written where the input was


@pytest.fixture(scope="module")
def empty_shard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "geomeld-00000.tar"
    tarfile.open(path, "w").close()  # a valid tar with no member
    return path


def _encoder(tmp: Path) -> Path:
    from geomeld.core.modalities import MODALITIES
    from geomeld.models.convnextv2 import ConvNeXtV2
    from geomeld.models.export import export_encoder

    bands = list(MODALITIES["sentinel2"].band_names)
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    stats = {"mean": [1000.0] * len(bands), "std": [500.0] * len(bands)}
    return export_encoder(model, tmp / "enc", band_names=bands, stats=stats, config={"input_size": 32})


# the options each shard verb needs besides its shards ({tmp} is a fresh folder); a new verb that reads
# shards must be added here (test_every_shard_verb_has_a_produced_nothing_case)
SHARD_VERB_OPTIONS: dict[str, list[str]] = {
    "caption": ["--backend", "builtin", "--log-dir", "{tmp}/logs"],
    "caption-check": ["--captions", "{tmp}/captions.jsonl", "--out", "{tmp}/verdicts.jsonl"],
    "inspect": [],
    "validate": [],
    "stats": ["--out", "{tmp}/stats.json"],
    "index": [],
    "embed-captions": ["--text-encoder", "hashing", "--out-dir", "{tmp}/emb"],
    "pack": ["--out", "{tmp}/packs", "--text-encoder", "hashing"],
    "embed": ["--encoder", "{encoder}", "--out", "{tmp}/tiles.parquet"],
    "preview": ["--out", "{tmp}/preview"],
}


def test_every_shard_verb_has_a_produced_nothing_case() -> None:
    shard_verbs = {" ".join(v) for v, cmd in VERBS.items() if any(p.name == "shards" for p in cmd.params)}
    assert shard_verbs == set(SHARD_VERB_OPTIONS)


@pytest.mark.parametrize("verb", list(SHARD_VERB_OPTIONS))
def test_shard_verb_on_an_empty_shard_exits_non_zero(
    verb: str, empty_shard: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "captions.jsonl").write_text("")
    encoder = _encoder(tmp_path) if verb == "embed" else ""
    options = [o.format(tmp=tmp_path, encoder=encoder) for o in SHARD_VERB_OPTIONS[verb]]
    code, _, err = run_cli([verb, str(empty_shard), *options], capsys)
    last = err.strip().splitlines()[-1]
    assert code == 1, err
    assert re.match(r"error: .*(produced nothing|no samples? )", last), err


def test_caption_report_and_sample_that_produce_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "logs").mkdir()
    code, _, err = run_cli(["caption-report", str(tmp_path / "logs")], capsys)
    assert code == 1 and "produced nothing" in err, err
    anchors = tmp_path / "anchors.csv"
    anchors.write_text("tile_id,lat,long\n")
    code, _, err = run_cli(
        ["sample", str(tmp_path / "a.parquet"), "--anchors", str(anchors), "--no-map"], capsys
    )
    assert code != 0 and len(err.strip().splitlines()) == 1, err


def test_evaluate_with_no_task_produces_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(__file__).resolve().parents[1] / "configs" / "eval" / "minibench.yaml"
    argv = ["evaluate", "-c", str(config), "--set", "tasks=[]", "--set", "robustness=null"]
    code, _, err = run_cli([*argv, "--set", "retrieval=null", "-o", str(tmp_path / "ev")], capsys)
    assert code == 1 and "produced nothing" in err.strip().splitlines()[-1], err


def test_validate_exit_codes(empty_shard: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hostile_shards import hostile_shard

    good = hostile_shard(tmp_path / "good.tar", [])
    assert run_cli(["validate", str(good)], capsys)[0] == 0
    assert run_cli(["validate", str(hostile_shard(tmp_path / "bad.tar", ["lzf"]))], capsys)[0] == 1
    assert run_cli(["validate", str(empty_shard)], capsys)[0] == 1
    assert run_cli(["validate", "--no-such-option", str(good)], capsys)[0] == 2


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        main(["--verbose", "validate", str(tmp_path / "nope.tar")])
