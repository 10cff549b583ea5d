"""The shipped GEO-Bench configs end to end through ``geomeld evaluate`` on a GEO-Bench v1 tree written
in geobench's writer format (all four paper tasks, real folder names and value ranges), and the
one-line errors every bad input file gives through the CLI."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import torch

from geomeld.core.modalities import SENTINEL2_BANDS
from geomeld.models.convnextv2 import ConvNeXtV2
from geomeld.models.export import export_encoder

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "data" / "geobench"
PAPER_TASKS = ("m-bigearthnet", "m-so2sat", "m-cashew-plant", "m-SA-crop-type")
CONTRACT = ("task", "encoder", "protocol", "metric", "value", "ci95", "n_test")
S2 = [b.name for b in SENTINEL2_BANDS]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("geobench_fixture", FIXTURES / "data.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A fresh 4-task GEO-Bench v1 tree from the writer-format fixture generator."""
    return Path(_generator().generate(tmp_path / "geobench"))


def _export(tmp_path: Path, input_size: int = 32) -> Path:
    torch.manual_seed(0)
    model = ConvNeXtV2("atto", depths=(1, 1, 1, 1), dims=(8, 16, 24, 32))
    return export_encoder(
        model, tmp_path / "enc", band_names=S2, stats={"mean": [600.0] * 12, "std": [300.0] * 12},
        config={"input_size": input_size},
    )  # fmt: skip


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from geomeld.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


# The heavy settings of the shipped files, overridden on the command line; nothing else is changed.
QUICK = {
    "geobench.yaml": ["train.ft_epochs=1", "train.lp_epochs=2", "train.patience=1", "n_bootstrap=100"],
    "geobench_cpu.yaml": ["train.ft_epochs=1", "train.lp_epochs=2", "n_bootstrap=100"],
}


def _run_shipped(config: str, tree: Path, tmp_path: Path, capsys, monkeypatch, caplog) -> dict:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GEO_BENCH_DIR", str(tree))
    out = tmp_path / config.replace(".yaml", "")
    args = ["evaluate", "-c", str(REPO / "configs" / "eval" / config), "-e", f"geomeld={_export(tmp_path)}"]
    args += ["-o", str(out), *[x for kv in QUICK[config] for x in ("--set", kv)]]
    code, stdout, err = _cli(args, capsys)
    assert code == 0, err
    res = json.loads((out / "results.json").read_text())
    assert not res["partial"]
    rows = res["results"]
    for enc in ("geomeld", "random-init atto"):
        for task in PAPER_TASKS:
            assert any(r["encoder"] == enc and r["task"] == task and r["protocol"] == "ft" for r in rows)
    for r in rows:
        assert all(k in r for k in CONTRACT), r
        assert r["value"] is not None and r["ci95"][0] <= r["value"] <= r["ci95"][1] and r["n_test"] == 4
    table = stdout + (out / "results.md").read_text()
    for task in PAPER_TASKS:
        assert f"{task} FT" in table
    assert "| geomeld |" in table and "| random-init atto |" in table and "| raw bands + LR |" in table
    if not torch.cuda.is_available():  # geobench.yaml asks for cuda: CPU with a one-line warning
        assert res["environment"]["device"] == "cpu"
        if config == "geobench.yaml":
            assert (
                "CUDA is not available" in caplog.text
                and "CUDA is not available" in res["environment"]["device_note"]
            )
    return res


def test_shipped_cpu_config_through_the_cli(tree: Path, tmp_path: Path, capsys, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    res = _run_shipped("geobench_cpu.yaml", tree, tmp_path, capsys, monkeypatch, caplog)
    assert res["config"]["tasks"][0]["max_samples"] == 64  # the shipped file, unchanged but for --set


@pytest.mark.slow
def test_shipped_gpu_config_runs_on_cpu(tree: Path, tmp_path: Path, capsys, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    res = _run_shipped("geobench.yaml", tree, tmp_path, capsys, monkeypatch, caplog)
    assert res["config"]["seeds"] == [0, 1, 2] and res["config"]["train"]["device"] == "cpu"
    ft = [r for r in res["results"] if r["protocol"] == "ft"]
    assert ft and all(r["n_seeds"] == 3 for r in ft)


def test_set_overrides_and_device_shorthand(tmp_path: Path) -> None:
    from geomeld.core.config import ConfigError
    from geomeld.evaluation.config import EvalConfig

    cfg = EvalConfig.load(REPO / "configs" / "eval" / "geobench.yaml", ["device=cpu", "train.ft_epochs=3"])
    assert cfg.train.device == "cpu" and cfg.train.ft_epochs == 3 and cfg.train.batch_size == 32
    with pytest.raises(ConfigError, match=r"geobench.yaml: .*train.ft_epochs: .*integer"):
        EvalConfig.load(REPO / "configs" / "eval" / "geobench.yaml", ["train.ft_epochs=many"])


# ------------------------------------------------------------------------------------------------
# every file error names the file and what was expected, as one line through the CLI


def _one_task_config(tmp_path: Path, tree: Path) -> Path:
    cfg = tmp_path / "one.yaml"
    cfg.write_text(
        "name: one\nencoders: []\nlp_seeds: [0]\n"
        f"tasks: [{{name: m-bigearthnet, source: geobench, root: {tree}, protocols: [lp]}}]\n"
        "train: {lp_epochs: 1, lp_lrs: [0.01]}\nn_bootstrap: 10\n"
    )
    return cfg


def _error_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = _cli(args, capsys)
    assert code == 1
    lines = [x for x in err.splitlines() if x.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_bad_files_are_one_line_errors_naming_the_file(tree: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    task = tree / "classification_v1.0" / "m-bigearthnet"
    cfg = _one_task_config(tmp_path, tree)
    base = ["evaluate", "-c", str(cfg), "-o", str(tmp_path / "out")]
    pristine = {p.name: p.read_bytes() for p in task.iterdir() if not p.is_symlink()}

    def restore() -> None:
        for name, data in pristine.items():
            (task / name).write_bytes(data)

    # a truncated sample in the middle of the test split (pre-flight reads only the first of each
    # split; packing every task before training finds it before anything is trained)
    name = json.loads((task / "default_partition.json").read_text())["test"][-1]
    data = pristine[f"{name}.hdf5"]
    (task / f"{name}.hdf5").write_bytes(data[: len(data) // 3])
    line = _error_line(base, capsys)
    assert f"{name}.hdf5" in line and "truncated" in line and "re-download" in line
    assert (
        not (tmp_path / "out" / "cells.jsonl").exists() or not (tmp_path / "out" / "cells.jsonl").read_text()
    )
    restore()

    (task / "task_specs.pkl").write_bytes(pristine["task_specs.pkl"][:40])
    line = _error_line(base, capsys)
    assert "task_specs.pkl" in line and "expected a pickled geobench TaskSpecifications" in line
    restore()

    (task / "band_stats.json").write_text('{"02 - Blue": {"mean": 1')
    line = _error_line(base, capsys)
    assert "band_stats.json: not valid JSON" in line and "expected {band name" in line
    restore()

    part = task / "1.00x_train_partition.json"  # default_partition.json links to it
    part.write_text('{"train": ["a"], "valid": ')
    line = _error_line(base, capsys)
    assert "default_partition.json: not valid JSON" in line and 'expected {"train"' in line
    restore()

    # an encoder whose encoder.json lists 11 bands for 12 input channels
    enc = _export(tmp_path)
    meta = json.loads((enc / "encoder.json").read_text())
    meta["band_names"] = meta["band_names"][:11]
    (enc / "encoder.json").write_text(json.dumps(meta))
    line = _error_line([*base, "-e", f"bad={enc}"], capsys)
    assert "encoder.json" in line and "11 bands" in line and "12 input channels" in line
    assert "expected one band name per channel" in line
    # listed by the pre-flight together with every other problem, before anything is trained
    (task / "band_stats.json").write_text("[]")
    line = _error_line([*base, "-e", f"bad={enc}"], capsys)
    assert (
        "2 problem(s); nothing was trained" in line and "encoder bad:" in line and "band_stats.json" in line
    )


def test_missing_tree_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GEO_BENCH_DIR", raising=False)
    cfg = str(REPO / "configs" / "eval" / "geobench_cpu.yaml")
    line = _error_line(["evaluate", "-c", cfg, "-o", str(tmp_path / "out")], capsys)
    assert "GEO_BENCH_DIR is not set" in line and "nothing was trained" in line
