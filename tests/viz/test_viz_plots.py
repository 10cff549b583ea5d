"""Loss-curve and evaluation-bar plots."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomeld.viz.plots import plot_loss_curves, plot_metric_bars, read_log_csv


def test_loss_curves_one_panel_per_term(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    lines = ["step,loss,mpmae/sentinel2,jepa,itc,lr"]
    for s in range(20):
        itc = "" if s % 2 else f"{2.0 - 0.05 * s}"
        lines.append(f"{s},{3 - 0.1 * s},{1 - 0.02 * s},{0.5 - 0.01 * s},{itc},{1e-4}")
    log.write_text("\n".join(lines) + "\n")
    steps, series = read_log_csv(log)
    assert steps[-1] == 19 and set(series) == {"loss", "mpmae/sentinel2", "jepa", "itc", "lr"}
    assert sum(v == v for v in series["itc"]) == 10  # empty cells are NaN, not zero
    png = plot_loss_curves(log, tmp_path / "curves.png")
    assert png.stat().st_size > 5_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_bad_log_is_named(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss\n1,2\n")
    with pytest.raises(ValueError, match="no 'step' column"):
        read_log_csv(log)


def test_metric_bars(tmp_path: Path) -> None:
    png = plot_metric_bars(
        {"GeoMeld-FM": {"bigearthnet": 0.5, "brandenburg": 0.4}, "random init": {"bigearthnet": 0.3}},
        tmp_path / "bars.png",
        errors={"GeoMeld-FM": {"bigearthnet": (0.4, 0.6)}},
    )
    assert png.stat().st_size > 5_000
