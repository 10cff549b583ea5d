"""The Python examples in docs/api.md run as written (from the repository root)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "api.md").read_text(), flags=re.S)


def test_the_page_has_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_api_example_runs(
    code: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    exec(compile(code, "docs/api.md", "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out.strip()


def test_public_names_resolve() -> None:
    import geomeld

    for name in geomeld.__all__:
        assert getattr(geomeld, name) is not None, name
