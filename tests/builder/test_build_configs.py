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


@pytest.mark.parametrize("path", [p for p in CONFIGS if p.stem != "embedded"], ids=lambda p: p.stem)
def test_shipped_stac_configs_list_their_collections(path: Path) -> None:
    """Every logical product the catalog family serves is mapped explicitly in the shipped config."""
    from geomeld.builder.sources.families import catalog_family, default_collections

    cfg = BuildConfig.from_yaml(path)
    family = catalog_family(cfg.catalog)
    assert family is not None, f"{path.name}: catalog {cfg.catalog!r} is not a known family"
    missing = set(default_collections(family)) - set(cfg.collections)
    assert not missing, f"{path.name}: collections not listed: {sorted(missing)}"
