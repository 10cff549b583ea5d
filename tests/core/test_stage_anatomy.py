"""Every pipeline stage has the same anatomy: ``config.py`` (its config class, read by the core loader),
``run.py`` exposing ``run(cfg, ...) -> <Result>``, and module-level CLI functions in ``cli.py`` that call it."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import geomeld

STAGES = {  # stage → (its config class, the verb whose CLI function calls run)
    "builder": ("BuildConfig", "build"),
    "captioning": ("CaptionConfig", "caption"),
    "training": ("PretrainConfig", "pretrain"),
    "evaluation": ("EvalConfig", "evaluate"),
    "demo": ("DemoConfig", "demo"),
    "sampling": ("SampleConfig", "sample"),
}


@pytest.mark.parametrize("stage", STAGES)
def test_config_run_and_cli(stage: str) -> None:
    config_class, verb = STAGES[stage]
    config = importlib.import_module(f"geomeld.{stage}.config")
    cfg_type = getattr(config, config_class)
    assert issubclass(cfg_type, BaseModel)
    run_module = importlib.import_module(f"geomeld.{stage}.run")
    hints = typing.get_type_hints(run_module.run)
    first = next(iter(inspect.signature(run_module.run).parameters))
    assert first == "cfg" and hints["cfg"] is cfg_type
    assert dataclasses.is_dataclass(hints["return"]), f"{stage}.run.run must return a typed result"
    # the verb is a module-level function of <stage>/cli.py that calls run
    cli_path = Path(geomeld.__file__).parent / stage / "cli.py"
    tree = ast.parse(cli_path.read_text())
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert verb in funcs
    calls = {
        n.func.id for n in ast.walk(funcs[verb]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    imports = {
        (n.module, a.name) for n in ast.walk(funcs[verb]) if isinstance(n, ast.ImportFrom) for a in n.names
    }
    assert "run" in calls and (f"geomeld.{stage}.run", "run") in imports
