"""Every verb that reads a config reads it with the one core loader: ``-c/--config`` and ``--set``."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomeld.cli import main

REPO = Path(__file__).resolve().parents[2]
SHARD = next(iter(sorted((REPO / "tests" / "data" / "geomeld_shards").glob("*.tar"))))

# verb → the arguments it needs besides the config (enough to reach the config loading)
VERBS: dict[str, list[str]] = {
    "sample": ["pool.parquet"],
    "build": ["--anchors", "embedded", "--out", "out"],
    "caption": [str(SHARD)],
    "pretrain": [],
    "evaluate": [],
    "demo": ["--out", "demo_out"],
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    return int(done.value.code or 0), err


@pytest.mark.parametrize("verb", VERBS)
def test_a_missing_config_is_one_line_naming_it(
    verb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = _run([verb, *VERBS[verb], "-c", "nope.yaml"], capsys)
    assert code == 1
    assert "nope.yaml" in err and "not found" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("verb", VERBS)
def test_set_reaches_the_stage_config(
    verb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown key given with --set is refused by the stage's config class, by name, in one line."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.yaml"
    minimal = {"evaluate": "name: x\ntasks: []\n", "demo": "out: demo_out\n"}
    config.write_text(minimal.get(verb, "{}\n"))
    code, err = _run([verb, *VERBS[verb], "-c", str(config), "--set", "no_such_key=1"], capsys)
    assert code == 1, err
    assert "no_such_key" in err and str(config) in err
    assert len(err.strip().splitlines()) == 1, err


def test_set_values_are_applied(tmp_path: Path) -> None:
    """The loaders behind the verbs apply --set on top of the file (and of the defaults without one)."""
    from geomeld.builder.config import resolve_build_config
    from geomeld.captioning.pipeline import CaptionConfig
    from geomeld.demo.config import demo_configs_dir, load_demo_config
    from geomeld.evaluation.config import EvalConfig
    from geomeld.sampling.config import load_config as load_sample_config
    from geomeld.training.config import load_config as load_pretrain_config

    assert resolve_build_config(None, ["seed=7"]).seed == 7
    assert resolve_build_config(None, ["seed=7"]).s2_window == "any"  # the embedded defaults kept
    assert resolve_build_config(None, [], catalog="earth-search").s2_window == "month"
    assert CaptionConfig.from_yaml(None, ["n_candidates=2", "signals.place_context=false"]).n_candidates == 2
    assert load_sample_config(None, ["stratified=3"]).stratified == 3
    eval_yaml = REPO / "configs" / "eval" / "minibench.yaml"
    assert EvalConfig.load(eval_yaml, ["n_bootstrap=10"]).n_bootstrap == 10
    tiny = load_pretrain_config(REPO / "configs" / "pretrain" / "ci_tiny.yaml", ["optim.steps=9"])
    assert tiny.optim.steps == 9
    quick = load_demo_config(demo_configs_dir() / "quick.yaml", ["pretrain.set.optim.steps=2", "seed=3"])
    assert quick.seed == 3 and quick.pretrain.set["optim.steps"] == 2
