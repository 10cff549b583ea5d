"""The one config loader: YAML, ``extends:`` deltas, ``--set`` overrides, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomeld.core.config import ConfigError, load_yaml, parse_set


def _w(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_extends_merges_mappings_and_replaces_the_rest(tmp_path: Path) -> None:
    _w(tmp_path / "base.yaml", "a: {x: 1, y: [1, 2]}\nb: 2\n")
    _w(tmp_path / "mid.yaml", "extends: base.yaml\na: {y: [3]}\nc: 3\n")
    (tmp_path / "sub").mkdir()
    leaf = _w(tmp_path / "sub" / "leaf.yaml", "extends: ../mid.yaml\nb: null\n")
    assert load_yaml(leaf) == {"a": {"x": 1, "y": [3]}, "b": None, "c": 3}


def test_set_overrides_are_yaml_and_create_sections(tmp_path: Path) -> None:
    cfg = _w(tmp_path / "c.yaml", "optim: {steps: 5}\n")
    got = load_yaml(cfg, ["optim.steps=10", "data.layouts=null", "encoder.dims=[1, 2]"])
    assert got == {"optim": {"steps": 10}, "data": {"layouts": None}, "encoder": {"dims": [1, 2]}}
    assert parse_set(["a.b=x"]) == {"a.b": "x"}
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_set(["nonsense"])
    with pytest.raises(ConfigError, match=r"optim\.steps is a int, not a section"):
        load_yaml(cfg, ["optim.steps.x=1"])


def test_errors_name_the_file_and_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as missing:
        load_yaml(tmp_path / "nope.yaml")
    assert missing.value.file == str(tmp_path / "nope.yaml") and "not found" in missing.value.one_line()
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_yaml(_w(tmp_path / "list.yaml", "- 1\n- 2\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_yaml(_w(tmp_path / "bad.yaml", "a: [1,\n"))
    _w(tmp_path / "x.yaml", "extends: y.yaml\n")
    _w(tmp_path / "y.yaml", "extends: x.yaml\n")
    with pytest.raises(ConfigError, match="extends itself"):
        load_yaml(tmp_path / "x.yaml")
    assert isinstance(ConfigError("m"), ValueError)


def test_package_references_and_model_errors(tmp_path: Path) -> None:
    from pydantic import BaseModel, ConfigDict

    from geomeld.core.config import load_model, package_file

    leaf = _w(tmp_path / "leaf.yaml", "extends: geomeld:configs/pretrain/full.yaml\nname: mine\n")
    got = load_yaml(leaf)
    assert got["name"] == "mine" and got["jepa"]["enabled"] is True
    assert package_file("configs/pretrain/full.yaml").is_file()

    class Small(BaseModel):
        model_config = ConfigDict(extra="forbid")
        steps: int = 1

    assert load_model(Small, None, ["steps=4"]).steps == 4
    with pytest.raises(ConfigError) as bad:
        load_model(Small, _w(tmp_path / "s.yaml", "steps: many\nstpes: 2\n"), what="small config")
    line = bad.value.one_line()
    assert "s.yaml" in line and "invalid small config" in line and "steps" in line and "stpes" in line
    assert "\n" not in line and bad.value.key == "steps"
