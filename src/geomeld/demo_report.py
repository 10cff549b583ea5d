"""Gather what a demo run wrote into ``report.html`` and ``metrics.json``.

Only files written by the run are read; a missing file shows as "not produced" in the report rather
than as an invented number.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from geomeld.io.atomic import write_atomic
from geomeld.viz.plots import plot_loss_curves, plot_metric_bars
from geomeld.viz.report import Report, Table, write_report

log = logging.getLogger(__name__)

BASELINE_NAMES = ("random-init", "raw")


def _read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        log.warning("%s is not valid JSON (%s); left out of the report", path, exc)
        return None


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100.0 * float(value):.1f} %"


def _merge_build_summaries(summaries: list[Any]) -> dict[str, Any] | None:
    """Add up the build summaries of the pretraining and held-out builds."""
    present = [s for s in summaries if s]
    if not present:
        return None
    merged: dict[str, Any] = {
        "outcome": {},
        "per_stratum": {},
        "per_source": {},
        "reasons": {},
        "lost_layers": {},
        "builds": len(present),
    }

    def add(into: dict[str, Any], counts: dict[str, Any]) -> None:
        for k, v in counts.items():
            into[k] = into.get(k, 0) + v

    for s in present:
        add(merged["outcome"], s.get("outcome", {}))
        add(merged["reasons"], s.get("reasons", {}))
        for key, why in (s.get("lost_layers") or {}).items():
            add(merged["lost_layers"].setdefault(key, {}), why)
        for group in ("per_stratum", "per_source"):
            for name, counts in s.get(group, {}).items():
                add(merged[group].setdefault(name, {}), counts)
    return merged


def _eval_scores(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    """encoder → "task PROTOCOL" → score (percent), from the evaluation's results.json."""
    scores: dict[str, dict[str, float]] = {}
    for row in results.get("results", []):
        if row.get("value") is None:
            continue
        scores.setdefault(str(row["encoder"]), {})[f"{row['task']} {str(row['protocol']).upper()}"] = float(
            row["value"]
        )
    return scores


def _eval_table(results: dict[str, Any]) -> Table:
    scores = _eval_scores(results)
    columns = sorted({c for per in scores.values() for c in per})
    rows = [[enc, *[per.get(c, "–") for c in columns]] for enc, per in scores.items()]
    ns = {str(r["task"]): r.get("n_test") for r in results.get("results", []) if r.get("n_test") is not None}
    note = "Scores in percent (multi-label micro-F1, accuracy or mIoU as the task defines); " + ", ".join(
        f"{t}: n_test={n}" for t, n in sorted(ns.items())
    )
    return Table("Evaluation on the real mini-benchmarks", ["encoder", *columns], rows, note)


def _retrieval_table(results: dict[str, Any]) -> Table | None:
    rows = []
    for r in results.get("retrieval", []):
        i2t, t2i = r.get("i2t", {}), r.get("t2i", {})
        rows.append(
            [
                r.get("encoder"),
                i2t.get("R@1"),
                i2t.get("R@5"),
                i2t.get("R@10"),
                t2i.get("R@1"),
                t2i.get("R@5"),
                t2i.get("R@10"),
                r.get("mean_recall"),
                r.get("n_images"),
            ]
        )
    if not rows:
        return None
    return Table(
        "Image ↔ text retrieval (held-out captioned demo tiles)",
        [
            "encoder",
            "I→T R@1",
            "I→T R@5",
            "I→T R@10",
            "T→I R@1",
            "T→I R@5",
            "T→I R@10",
            "mean recall",
            "n images",
        ],
        rows,
        "Queries are the held-out tiles (never seen in pretraining); a hit is any correct caption in the top "
        "k (RemoteCLIP semantics). With n images, chance R@k is k/n: the gallery is tiny, so read these "
        "numbers against chance, not against the paper.",
    )


def build_report(out: Path, timings: dict[str, float], total_s: float, config: dict[str, Any]) -> Path:
    report = Report(title="geomeld demo — the GeoMeld line on embedded real data")
    metrics: dict[str, Any] = {
        "total_seconds": round(total_s, 1),
        "step_seconds": {k: round(v, 1) for k, v in timings.items()},
    }

    build = _merge_build_summaries([_read_json(out / d / "summary.json") for d in ("shards", "heldout")])
    if build:
        outcome = build.get("outcome", {})
        report.summary["samples built"] = int(outcome.get("done", 0))
        report.summary["tiles failed / skipped"] = f"{outcome.get('failed', 0)} / {outcome.get('skipped', 0)}"
        rows = [["all", *(outcome.get(k, 0) for k in ("done", "skipped", "failed"))]]
        for group in ("per_stratum", "per_source"):
            for name, counts in sorted(build.get(group, {}).items()):
                rows.append(
                    [f"{group[4:]} {name}", *(counts.get(k, 0) for k in ("done", "skipped", "failed"))]
                )
        reasons = build.get("reasons") or {}
        note = (
            "; ".join(f"{k}: {v}" for k, v in reasons.items()) if reasons else "no tile failed or was skipped"
        )
        lost = build.get("lost_layers") or {}
        if lost:  # layers lost to input errors (corrupt, refused, unreachable), per modality and reason
            note += "; lost layers: " + ", ".join(
                f"{key}/{why}: {n}" for key, whys in lost.items() for why, n in whys.items()
            )
        report.tables.append(Table("Build", ["group", "done", "skipped", "failed"], rows, note))
        metrics["build"] = build

    caption = _read_json(out / "caption_report.json")
    if caption:
        report.summary["captions verified"] = _pct(caption.get("verified_share"))
        report.summary["captioner/verifier agreement (by construction)"] = _pct(
            caption.get("generator_verifier_agreement_final")
        )
        keys = [
            "samples",
            "verified_share",
            "accepted_first_try_share",
            "generator_verifier_agreement_final",
            "generator_verifier_agreement_candidates",
            "contradiction_rate_candidates",
            "unverifiable_rate_final",
        ]
        report.tables.append(
            Table("Caption fidelity", ["metric", "value"], [[k, caption.get(k, "–")] for k in keys])
        )
        metrics["captions"] = caption

    metrics_csv = out / "pretrain" / "metrics.csv"
    if metrics_csv.exists():
        png = plot_loss_curves(
            metrics_csv, out / "plots" / "loss_curves.png", title="GeoMeld-FM pretraining (demo)"
        )
        report.images.append(("Pretraining loss per term", png))
        from geomeld.viz.plots import read_log_csv

        steps, series = read_log_csv(metrics_csv)
        if series.get("loss"):
            finite = [v for v in series["loss"] if v == v]
            if finite:
                report.summary["pretrain loss first → last"] = f"{finite[0]:.3f} → {finite[-1]:.3f}"
                metrics["pretrain"] = {
                    "steps": int(steps[-1]),
                    "loss_first": finite[0],
                    "loss_last": finite[-1],
                }

    results = _read_json(out / "eval" / "results.json")
    if results:
        table = _eval_table(results)
        report.tables.append(table)
        scores = _eval_scores(results)
        if scores:
            png = plot_metric_bars(
                scores, out / "plots" / "evaluation.png", title="Mini-benchmarks", ylabel="%"
            )
            report.images.append(("Evaluation against the baselines", png))
            ours = [e for e in scores if not e.lower().startswith(BASELINE_NAMES)]
            baselines = [e for e in scores if e.lower().startswith(BASELINE_NAMES)]
            for enc in ours[:1]:
                for col, value in sorted(scores[enc].items()):
                    against = ", ".join(
                        f"{b.split()[0]} {scores[b][col]:.1f}" for b in baselines if col in scores[b]
                    )
                    report.summary[f"{col}: {enc}"] = f"{value:.1f}" + (f" (vs {against})" if against else "")
        retrieval = _retrieval_table(results)
        if retrieval is not None:
            report.tables.append(retrieval)
        for extra in sorted((out / "eval").glob("*.png")):
            report.images.append((f"Evaluation: {extra.stem.replace('_', ' ')}", extra))
        report.links.append(("evaluation table (Markdown, the paper's layout)", out / "eval" / "results.md"))
        metrics["evaluation"] = {"scores": scores, "retrieval": results.get("retrieval", [])}

    if (out / "gallery" / "index.html").exists():
        report.links.insert(
            0,
            ("sample gallery (every modality, captions with claim verdicts)", out / "gallery" / "index.html"),
        )
    anchors_png = out / "anchors.png"
    if anchors_png.exists():
        report.images.append(("Anchor pool", anchors_png))
    report.links += [
        ("shards + index", out / "shards"),
        ("exported encoder", out / "pretrain" / "encoder"),
        ("metrics.json", out / "metrics.json"),
    ]
    report.tables.append(
        Table(
            "Step timings (this invocation)",
            ["step", "seconds"],
            [[k, round(v, 1)] for k, v in timings.items()],
            f"total {total_s:.0f} s; steps finished by an earlier invocation were skipped and are not listed",
        )
    )
    report.notes.append(
        "Every number on this page was computed by this run from the real rasters embedded in geomeld "
        "(BigEarthNet S1/S2 patches, a Sentinel-2 L1C scene of Brandenburg with OSM land use, Copernicus DEM, "
        "LiDAR canopy heights, NAIP). Samples are composites: layers without a co-located real source are "
        "labelled stand-ins in each sample's provenance. The mini-benchmarks are tiny (see n): they check "
        "the pipeline, they do not reproduce the paper's GEO-Bench numbers."
    )
    report.details = {"config": config}
    metrics_path = out / "metrics.json"
    write_atomic(metrics_path, json.dumps(metrics, indent=1, default=str))
    return write_report(report, out / "report.html")
