"""The ablation configs are small ``extends:`` deltas of the full objective, and nothing else differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geomeld.core.config import package_file, read_yaml
from geomeld.training.config import load_config

PRETRAIN = Path(__file__).resolve().parents[2] / "configs" / "pretrain"


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _diff(variant: str) -> dict[str, Any]:
    full = _flat(load_config(PRETRAIN / "full.yaml").model_dump(mode="json"))
    other = _flat(load_config(PRETRAIN / f"{variant}.yaml").model_dump(mode="json"))
    assert set(full) == set(other)
    return {k: other[k] for k in full if full[k] != other[k]}


# what each paper ablation row switches (besides its name, description and output folder)
SWITCHES: dict[str, dict[str, Any]] = {
    "s2_mae": {
        "mp.targets": ["sentinel2"],
        "mp.weighting": "fixed",
        "jepa.enabled": False,
        "itc.enabled": False,
    },
    "mp_mae": {"jepa.enabled": False, "itc.enabled": False},
    "mp_jepa": {"itc.enabled": False},
    "mp_itc": {"jepa.enabled": False},
}
# the ITC schedule defaults the rows without ITC always ran with (inert while ITC is off)
ITC_OFF = {"itc.beta_warmup_steps": 0, "itc.balance": None}


@pytest.mark.parametrize("variant", SWITCHES)
def test_each_ablation_row_differs_from_full_only_by_its_switches(variant: str) -> None:
    expected = {**SWITCHES[variant], "name": variant, "run.out_dir": f"runs/pretrain/{variant}"}
    if SWITCHES[variant].get("itc.enabled") is False:
        expected.update(ITC_OFF)
    diff = _diff(variant)
    assert diff.pop("description")
    assert diff == expected
    raw = read_yaml(PRETRAIN / f"{variant}.yaml")
    assert raw["extends"] == "full.yaml" and len(raw) <= 7  # a delta, not a copy


def test_the_repository_full_config_is_the_packaged_one() -> None:
    """One canonical copy: the package's (the demo runs from a wheel), extended by the repository's."""
    assert read_yaml(PRETRAIN / "full.yaml") == {"extends": "geomeld:configs/pretrain/full.yaml"}
    packaged = load_config(package_file("configs/pretrain/full.yaml"))
    assert packaged == load_config(PRETRAIN / "full.yaml")
    assert packaged.jepa.enabled and packaged.itc.enabled and packaged.mp.targets is None
