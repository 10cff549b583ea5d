"""Every shipped build config parses, and names only known keys (extra keys are refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomeld.builder.config import BuildConfig

CONFIGS = sorted((Path(__file__).parents[2] / "configs" / "build").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_build_config_parses(path: Path) -> None:
    cfg = BuildConfig.from_yaml(path)
    settings = cfg.source_settings()
    assert settings.s1_window_days == cfg.s1_window_days
    assert "sentinel-2-l2a" in settings.collections or cfg.catalog not in (
        "planetary-computer",
        "earth-search",
    )


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("catalog: embedded\ns2_max_cloud: 5\n")
    with pytest.raises(ValueError, match="s2_max_cloud"):
        BuildConfig.from_yaml(p)
