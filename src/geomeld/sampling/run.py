"""One ``geomeld sample`` run: existing pool (merge) → anchors → stratified → fill → pool + reports.

Priority for the spacing rule follows that order: rows of an existing pool are never removed, imported
anchors come before generated points, and fill comes last (it measures sparsity on everything before
it). Every imported anchor that is turned down — invalid, off the latitude range, in the ocean,
outside the footprints, overlapping another tile — is written with its reason (and the blocking tile)
to ``<pool>.rejected.parquet``; generated candidates that fail a check are counted per reason in the
summary (``stratified[*].rejected``, ``fill.rejected_draws``), and unmet quotas say why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geomeld.sampling.anchors import read_anchors
from geomeld.sampling.config import SampleConfig, resolve_within
from geomeld.sampling.fill import FillResult, fill_sparse
from geomeld.sampling.footprints import Footprints, load_footprints
from geomeld.sampling.ids import quantize, tile_ids
from geomeld.sampling.pool import (
    as_geoparquet,
    concat_pools,
    pool_table,
    read_pool,
    rejected_table,
    write_parquet_atomic,
)
from geomeld.sampling.quotas import load_custom_quotas, validate_custom_quotas
from geomeld.sampling.spacing import SpacingIndex, violations
from geomeld.sampling.strata import eligibility
from geomeld.sampling.stratified import StratifiedResult, sample_stratified

log = logging.getLogger(__name__)

REASON_OUTSIDE_WITHIN = "outside the --within footprints"


@dataclass
class SampleReport:
    """What a run did; printed as the summary and written as ``<pool>.summary.json``."""

    out: Path
    rows_before: int = 0
    rows_after: int = 0
    added_by_source: dict[str, int] = field(default_factory=dict)
    anchors_read: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    stratified: StratifiedResult | None = None
    fill: FillResult | None = None
    existing_overlaps: int = 0
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)


def side_path(out: Path, suffix: str) -> Path:
    """``pool.parquet`` → ``pool<suffix>`` (e.g. ``pool.rejected.parquet``, ``pool.png``)."""
    return out.with_name(out.name.removesuffix(".parquet") + suffix)


class _Collector:
    def __init__(self, spacing: SpacingIndex) -> None:
        self.spacing = spacing
        self.lat: list[NDArray[np.float64]] = []
        self.lon: list[NDArray[np.float64]] = []
        self.source: list[str] = []
        self.rejected: list[dict[str, Any]] = []

    def add(self, lat: NDArray[np.float64], lon: NDArray[np.float64], source: str) -> None:
        self.lat.append(lat)
        self.lon.append(lon)
        self.source += [source] * lat.size

    def reject(
        self, lat: float, lon: float, source: str, row: int, reason: str, conflict: int | None = None
    ) -> None:
        self.rejected.append(
            {
                "lat": float(lat),
                "long": float(lon),
                "source": source,
                "input_row": int(row),
                "reason": reason,
                "conflict_tile_id": conflict,
            }
        )


def _import_anchors(
    cfg: SampleConfig, within: Footprints | None, col: _Collector, report: SampleReport
) -> None:
    for spec in cfg.anchors:
        anchors = read_anchors(spec.path, spec.label, spec.lat_col, spec.lon_col)
        source = f"anchor:{anchors.name}"
        report.anchors_read[source] = report.anchors_read.get(source, 0) + len(anchors)
        reasons = eligibility(anchors.lat, anchors.lon, cfg.lat_range)
        ok = np.array([r == "" for r in reasons], dtype=bool)
        for i in np.flatnonzero(~ok):
            col.reject(anchors.lat[i], anchors.lon[i], source, anchors.row[i], reasons[i])
        idx = np.flatnonzero(ok)
        lat, lon = quantize(anchors.lat[idx], anchors.lon[idx])
        if within is not None:
            inside = within.contains(lat, lon)
            for j in np.flatnonzero(~inside):
                col.reject(lat[j], lon[j], source, anchors.row[idx[j]], REASON_OUTSIDE_WITHIN)
            idx, lat, lon = idx[inside], lat[inside], lon[inside]
        res = col.spacing.add(lat, lon)
        for j in np.flatnonzero(~res.keep):
            k = int(res.conflict[j])
            other = int(tile_ids(col.spacing.lat[k], col.spacing.lon[k]))
            reason = f"overlaps another tile (centres {res.distance_m[j]:.0f} m apart < {cfg.min_distance_m:.0f} m)"
            col.reject(lat[j], lon[j], source, anchors.row[idx[j]], reason, other)
        col.add(lat[res.keep], lon[res.keep], source)
        log.info("anchors %s: %d read, %d kept", spec.path, len(anchors), int(res.keep.sum()))


def _stratified_per_footprint(
    n: int, within: Footprints, stratify: Callable[[int, Footprints | None], StratifiedResult]
) -> StratifiedResult:
    """Split ``n`` stratified points equally over the footprints; stratify inside each one.

    Outcomes are keyed ``"<footprint name>/<stratum>"``. Custom quotas apply to every footprint.
    """
    n_fp = len(within.geoms)
    base, extra = divmod(n, n_fp)
    lat, lon, strata, outcomes = [], [], [], {}
    for i in range(n_fp):
        res = stratify(base + (1 if i < extra else 0), within.single(i))
        lat.append(res.lat)
        lon.append(res.lon)
        strata += res.stratum
        outcomes.update({f"{within.names[i]}/{s}": o for s, o in res.outcomes.items()})
    return StratifiedResult(np.concatenate(lat), np.concatenate(lon), strata, outcomes)


def run(cfg: SampleConfig, out: str | Path, merge: bool = False) -> SampleReport:
    """Run every configured stage and write the pool, the rejected points, the summary and the map."""
    from geomeld.sampling.report import write_map, write_summary_json

    t0 = time.perf_counter()
    out_p = Path(out)
    report = SampleReport(out_p)
    existing = None
    if out_p.exists():
        if not merge:
            raise FileExistsError(f"{out_p} exists; pass --merge to add to it or choose another output")
        existing = read_pool(out_p)
        report.rows_before = existing.num_rows
    spacing = SpacingIndex(cfg.min_distance_m)
    if existing is not None and existing.num_rows:
        e_lat = np.asarray(existing.column("lat").to_numpy(), dtype=np.float64)
        e_lon = np.asarray(existing.column("long").to_numpy(), dtype=np.float64)
        report.existing_overlaps = len(violations(e_lat, e_lon, cfg.min_distance_m))
        if report.existing_overlaps:
            log.warning(
                "%s: %d pairs of existing rows are closer than %.0f m (kept as they are)",
                out_p,
                report.existing_overlaps,
                cfg.min_distance_m,
            )
        spacing.seed(e_lat, e_lon)
    within = None
    if cfg.within is not None:
        within = load_footprints(resolve_within(cfg.within), cfg.within_inset_m)
    custom = None
    if cfg.quota_file is not None:
        custom = load_custom_quotas(cfg.quota_file)
    elif cfg.quotas:
        custom = validate_custom_quotas(cfg.quotas, "config 'quotas'")
    if cfg.quota == "custom" and custom is None:
        raise ValueError("quota rule 'custom' needs quota_file (--quota FILE.yaml) or inline 'quotas'")
    streams = np.random.SeedSequence(cfg.seed).spawn(2)
    col = _Collector(spacing)

    _import_anchors(cfg, within, col, report)
    if cfg.stratified > 0 or cfg.quota == "custom":
        rng = np.random.default_rng(streams[0])

        def stratify(n: int, region: Footprints | None) -> StratifiedResult:
            return sample_stratified(
                n,
                cfg.quota,
                rng=rng,
                spacing=spacing,
                within=region,
                lat_range=cfg.lat_range,
                custom=custom,
                min_share=cfg.min_stratum_share,
            )

        if within is not None and cfg.per_footprint:
            res = _stratified_per_footprint(cfg.stratified, within, stratify)
        else:
            res = stratify(cfg.stratified, within)
        col.add(res.lat, res.lon, "stratified")
        report.stratified = res
    if cfg.fill > 0:
        fres = fill_sparse(
            spacing.lat,
            spacing.lon,
            cfg.fill,
            rng=np.random.default_rng(streams[1]),
            spacing=spacing,
            by=cfg.fill_by,
            within=within,
            lat_range=cfg.lat_range,
        )
        col.add(fres.lat, fres.lon, "fill")
        report.fill = fres

    lat = np.concatenate(col.lat) if col.lat else np.zeros(0)
    lon = np.concatenate(col.lon) if col.lon else np.zeros(0)
    table = as_geoparquet(concat_pools(existing, pool_table(lat, lon, col.source)))
    write_parquet_atomic(table, out_p)
    rejected_path = side_path(out_p, ".rejected.parquet")
    rejected = rejected_table(col.rejected)
    if existing is not None and rejected_path.exists():  # merge: keep the record of earlier runs
        import pyarrow as pa
        import pyarrow.parquet as pq

        rejected = pa.concat_tables([pq.read_table(rejected_path).cast(rejected.schema), rejected])
    write_parquet_atomic(rejected, rejected_path)
    report.rows_after = table.num_rows
    for s in col.source:
        report.added_by_source[s] = report.added_by_source.get(s, 0) + 1
    for r in col.rejected:
        kind = r["reason"].split(" (")[0]
        report.rejected_by_reason[kind] = report.rejected_by_reason.get(kind, 0) + 1
    report.files = {"pool": str(out_p), "rejected": str(rejected_path)}
    if cfg.map:
        report.files["map"] = str(write_map(table, side_path(out_p, ".png"), within))
    report.seconds = time.perf_counter() - t0
    report.files["summary"] = str(side_path(out_p, ".summary.json"))
    write_summary_json(report, table, cfg, Path(report.files["summary"]))
    return report
