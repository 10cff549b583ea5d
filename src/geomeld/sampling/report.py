"""Summary of a sampling run (console tables + JSON) and a PNG map of the pool over the land mask."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geomeld.sampling.footprints import Footprints
from geomeld.sampling.pool import publish_tmp

if TYPE_CHECKING:
    from geomeld.sampling.config import SampleConfig
    from geomeld.sampling.run import SampleReport

SOURCE_COLOURS = {"stratified": "#1f77b4", "fill": "#d62728"}
ANCHOR_COLOURS = ("#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def counts(table: Any, column: str) -> dict[str, int]:
    """Rows per value of ``column``, most frequent first ("(none)" for empty values)."""
    values = [v if v else "(none)" for v in table.column(column).to_pylist()]
    return dict(Counter(values).most_common())


def summary_dict(report: SampleReport, table: Any, cfg: SampleConfig) -> dict[str, Any]:
    out: dict[str, Any] = {
        "pool": str(report.out),
        "rows_before": report.rows_before,
        "rows_after": report.rows_after,
        "added_by_source": report.added_by_source,
        "anchors_read": report.anchors_read,
        "rejected_by_reason": report.rejected_by_reason,
        "per_source": counts(table, "source"),
        "per_continent": counts(table, "continent"),
        "per_stratum": counts(table, "stratum"),
        "existing_overlapping_pairs": report.existing_overlaps,
        "seconds": round(report.seconds, 2),
        "config": json.loads(cfg.model_dump_json()),
        "files": report.files,
    }
    if report.stratified is not None:
        out["stratified"] = {
            s: {
                "quota": o.quota,
                "accepted": o.accepted,
                "area_km2": round(o.area_km2, 1),
                "drawn": o.drawn,
                "rejected": o.rejected,
                "shortfall_reason": o.shortfall_reason,
            }
            for s, o in report.stratified.outcomes.items()
        }
    if report.fill is not None:
        f = report.fill
        out["fill"] = {
            "requested": f.requested,
            "added": int(f.lat.size),
            "land_cells": f.land_cells,
            "occupied_cells_before": f.occupied_cells_before,
            "occupied_cells_after": f.occupied_cells_after,
            "per_continent": f.per_continent,
            "rejected_draws": f.rejected,
            "shortfall_reason": f.shortfall_reason,
        }
    return out


def write_summary_json(report: SampleReport, table: Any, cfg: SampleConfig, path: Path) -> None:
    from geomeld.core.atomic import write_atomic

    write_atomic(path, json.dumps(summary_dict(report, table, cfg), indent=2))


def print_summary(report: SampleReport, table: Any, cfg: SampleConfig, top: int = 15) -> None:
    """Print counts per source, continent and stratum, stratified shortfalls, fill coverage, rejections."""
    from rich.console import Console
    from rich.table import Table

    from geomeld.sampling.strata import describe_stratum

    con = Console()
    d = summary_dict(report, table, cfg)
    con.print(
        f"[bold]pool[/bold] {report.out}: {report.rows_before} → {report.rows_after} rows "
        f"(+{sum(report.added_by_source.values())}) in {report.seconds:.1f} s"
    )
    for title, key in (("source", "per_source"), ("continent", "per_continent")):
        t = Table(title=f"tiles per {title}")
        t.add_column(title)
        t.add_column("tiles", justify="right")
        for k, v in d[key].items():
            t.add_row(k, str(v))
        con.print(t)
    t = Table(title=f"tiles per stratum (Köppen × IGBP), top {top} of {len(d['per_stratum'])}")
    for c in ("stratum", "meaning", "tiles", "quota"):
        t.add_column(c)
    strat = d.get("stratified", {})
    quota_of: dict[str, int] = {}  # per stratum, summed over footprints in per-footprint mode
    for key, o in strat.items():
        quota_of[key.rsplit("/", 1)[-1]] = quota_of.get(key.rsplit("/", 1)[-1], 0) + o["quota"]
    for k, v in list(d["per_stratum"].items())[:top]:
        try:
            meaning = describe_stratum(k)
        except ValueError:  # anchors on water / no-data IGBP cells, or no climate class
            meaning = ""
        t.add_row(k, meaning, str(v), str(quota_of.get(k, "")))
    con.print(t)
    short = {s: o for s, o in strat.items() if o["accepted"] < o["quota"]}
    if short:
        t = Table(title="stratified quotas not met")
        for c in ("stratum", "quota", "accepted", "reason"):
            t.add_column(c)
        for s, o in short.items():
            t.add_row(s, str(o["quota"]), str(o["accepted"]), o["shortfall_reason"])
        con.print(t)
    elif strat:
        con.print(
            f"stratified: all {len(strat)} quotas met ({sum(o['quota'] for o in strat.values())} points)"
        )
    if "fill" in d:
        f = d["fill"]
        con.print(
            f"fill: +{f['added']}/{f['requested']}; occupied 1° land cells {f['occupied_cells_before']} → "
            f"{f['occupied_cells_after']} of {f['land_cells']}"
            + (f" — {f['shortfall_reason']}" if f["shortfall_reason"] else "")
        )
    if report.rejected_by_reason:
        t = Table(title=f"rejected points (details: {report.files.get('rejected', '')})")
        t.add_column("reason")
        t.add_column("points", justify="right")
        for k, v in sorted(report.rejected_by_reason.items(), key=lambda kv: -kv[1]):
            t.add_row(k, str(v))
        con.print(t)
    if report.existing_overlaps:
        con.print(
            f"[yellow]warning[/yellow]: {report.existing_overlaps} pairs of pre-existing rows overlap (kept)"
        )
    for k, v in report.files.items():
        con.print(f"{k}: {v}")


def write_map(table: Any, path: Path, within: Footprints | None = None) -> Path:
    """Scatter of the pool over the land mask, one colour per source; zooms to small extents."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from geomeld.geo.reference import koppen_coarse_raster

    land = koppen_coarse_raster().read_all() > 0
    lat = np.asarray(table.column("lat").to_numpy(zero_copy_only=False), dtype=np.float64)
    lon = np.asarray(table.column("long").to_numpy(zero_copy_only=False), dtype=np.float64)
    sources = np.array(table.column("source").to_pylist(), dtype=object)
    if within is not None:
        w, s, e, n = within.bounds
    elif lat.size:
        w, s, e, n = float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
    else:
        w, s, e, n = -180.0, -90.0, 180.0, 90.0
    span = max(e - w, n - s)
    if span > 60 or lat.size == 0:
        w, s, e, n = -180.0, -60.0, 180.0, 85.0
        step = 10
    else:
        pad = max(0.5, 0.15 * span)
        w, s, e, n = max(w - pad, -180.0), max(s - pad, -90.0), min(e + pad, 180.0), min(n + pad, 90.0)
        step = 1
    res = 180.0 / land.shape[0]
    r0, r1 = int((90 - n) / res), int(np.ceil((90 - s) / res))
    c0, c1 = int((w + 180) / res), int(np.ceil((e + 180) / res))
    crop = land[r0:r1:step, c0:c1:step]
    fig, ax = plt.subplots(figsize=(12, 6.5) if step == 10 else (8, 8), dpi=110)
    land_cmap = ListedColormap(["#dbe8f4", "#e6e0d0"])  # ocean, land
    ax.imshow(
        crop.astype(np.uint8),
        cmap=land_cmap,
        vmin=0,
        vmax=1,
        extent=(w, e, s, n),
        origin="upper",
        interpolation="nearest",
    )
    if within is not None:
        for g in within.geoms:
            for poly in getattr(g, "geoms", [g]):
                x, y = poly.exterior.xy
                ax.plot(x, y, color="#555555", lw=0.8)
    order = sorted(set(sources.tolist()), key=lambda x: (x.startswith("anchor:"), x))
    anchor_i = 0
    size = 0.5 if lat.size > 50_000 else 2 if lat.size > 5000 else 10 if lat.size > 500 else 22
    alpha = 0.5 if lat.size > 5000 else 0.9
    for src in order:
        m = sources == src
        colour = SOURCE_COLOURS.get(src)
        if colour is None:
            colour = ANCHOR_COLOURS[anchor_i % len(ANCHOR_COLOURS)]
            anchor_i += 1
        ax.scatter(
            lon[m], lat[m], s=size, c=colour, alpha=alpha, label=f"{src} ({int(m.sum())})", linewidths=0
        )
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"geomeld coordinate pool: {lat.size} tiles")
    if lat.size:
        ax.legend(loc="lower left", fontsize=8, markerscale=4 if lat.size > 5000 else 1)
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp)
        publish_tmp(tmp, path)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)
    return path
