"""Gather what a demo run wrote into ``report.html`` and ``metrics.json``.

Only files written by the run are read; a missing file shows as "not produced" in the report rather
than as an invented number.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from geomeld.core.atomic import write_atomic
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
        n = r.get("n_images") or 0
        chance = "/".join(f"{min(100.0, 100.0 * k / n):.0f}" for k in (1, 5, 10)) if n else "–"
        rows.append(
            [
                r.get("encoder"),
                i2t.get("R@1"),
                i2t.get("R@5"),
                i2t.get("R@10"),
                t2i.get("R@1"),
                t2i.get("R@5"),
                t2i.get("R@10"),
                chance,
                n,
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
            "chance R@1/5/10 %",
            "n images",
        ],
        rows,
        "Queries are the held-out tiles (never seen in pretraining); a hit is any correct caption in the top k. "
        "Chance R@k is k/n: with a gallery this small, read every number against its chance level.",
    )


def count_layers(folders: list[Path]) -> dict[str, dict[str, int]]:
    """``{modality: {"real": n, "substitute": n, "coarse": n, "absent": n}}`` over every sample built.

    A layer recorded as ``relocated`` (never built by geomeld, possible only in old shards) is counted
    as ``absent``: it is not evidence about the place and is neither shown nor trained on.
    """
    from geomeld.core.modalities import MODALITIES
    from geomeld.core.origin import Origin, modality_origins
    from geomeld.io.shards import iter_samples

    counts = {key: {o: 0 for o in ("real", "substitute", "coarse", "absent")} for key in MODALITIES}
    shards = [str(p) for f in folders for p in sorted(f.glob("*.tar"))]
    for sample in iter_samples(shards):
        origins = modality_origins(sample.metadata.provenance)
        present = set(sample.present_modalities())
        for key in MODALITIES:
            o = origins.get(key, Origin.ABSENT)
            if key not in sample.arrays or key not in present or o is Origin.RELOCATED:
                o = Origin.ABSENT
            counts[key][o.value] += 1
    return counts


def _layers_table(layers: dict[str, dict[str, int]]) -> Table:
    from geomeld.core.modalities import MODALITIES

    rows = [
        [MODALITIES[k].title, *(c[o] for o in ("real", "substitute", "coarse", "absent"))]
        for k, c in layers.items()
    ]
    return Table(
        "Layers per origin (every sample built by this run)",
        ["modality", "real", "substitute", "coarse", "absent"],
        rows,
        "real: the product itself at the place; substitute: another real product measured at the same place "
        "(Sentinel-2 L1C for L2A, OpenStreetMap land use for WorldCover / Dynamic World / JRC water); coarse: "
        "real and co-located at a coarser resolution (MODIS IGBP land cover, 0.05° ≈ 5.5 km); absent: no "
        "co-located layer — presence mask false, never trained on, never captioned. Nothing is relocated "
        "from another place.",
    )


def _fmt(v: dict[str, Any]) -> str:
    return f"{v['value']:.1f} (95 % CI {v['ci95'][0]:.1f}–{v['ci95'][1]:.1f})"


def _probe_section(report: Report, probe: dict[str, Any]) -> None:
    from geomeld.demo.probe import verdict

    helped, text = verdict(probe)
    report.verdict = text + (
        f" Chance level (random classes at the test frequencies) is {probe['chance_miou']:.1f} mIoU. "
        f"Protocol: {probe['protocol']}; n_train = {probe['n_train']} chips, n_valid = {probe['n_valid']}, "
        f"n_test = {probe['n_test']} chips of {probe['unit']}."
    )
    report.verdict_ok = helped
    res, paired = probe["results"], probe["paired"]
    rows = []
    for name in ("geomeld-fm", "random-init", "raw-bands"):
        if name not in res:
            continue
        d = {o: paired.get(f"{name} - {o}") for o in ("random-init", "raw-bands")}
        rows.append(
            [
                name,
                f"{res[name]['value']:.1f}",
                f"{res[name]['ci95'][0]:.1f}–{res[name]['ci95'][1]:.1f}",
                *(
                    "–"
                    if d[o] is None
                    else f"{d[o]['diff']:+.1f} [{d[o]['ci95'][0]:+.1f}, {d[o]['ci95'][1]:+.1f}]"
                    for o in ("random-init", "raw-bands")
                ),
                probe["n_test"],
            ]
        )
    report.tables.insert(
        0,
        Table(
            f"The decisive probe: {probe['task']} (mIoU %, chance {probe['chance_miou']:.1f})",
            [
                "representation",
                "mIoU",
                "95 % CI",
                "Δ vs random init [paired 95 % CI]",
                "Δ vs raw bands [paired 95 % CI]",
                "n test chips",
            ],
            rows,
            "Test chips lie in the east 40 % of the Brandenburg scene; pretraining used only the west 60 %. "
            "Intervals: percentile bootstrap over test chips; differences: paired bootstrap (the same resampled "
            "chips for both).",
        ),
    )
    fm = res.get("geomeld-fm")
    if fm:
        report.summary[f"probe mIoU, GeoMeld-FM (n={probe['n_test']})"] = _fmt(fm)
    for base in ("random-init", "raw-bands"):
        if base in res:
            report.summary[f"probe mIoU, {base} (n={probe['n_test']})"] = _fmt(res[base])


def _pictures_section(report: Report, out: Path) -> None:
    pics = _read_json(out / "plots" / "pictures.json") or {}
    recon = out / "plots" / "reconstructions.png"
    if recon.exists():
        rec = pics.get("reconstructions", {})
        report.images.append(
            (
                "What the model does: masked input → reconstruction vs truth (held-out tiles)",
                recon,
                f"{len(rec.get('tiles', []))} held-out tiles, {100 * rec.get('mask_ratio', 0.6):.0f} % of 16 px patches "
                "hidden; the Sentinel-2 reconstruction fills only the hidden patches. Each target is shown only where "
                "it is co-located ('absent here' otherwise)"
                + (
                    f"; not shown because absent at every one of these tiles: {', '.join(rec['absent_at_these_tiles'])}"
                    if rec.get("absent_at_these_tiles")
                    else ""
                )
                + ".",
            )
        )
    emap = out / "plots" / "embedding_map.png"
    if emap.exists():
        info = pics.get("embedding_map", {})
        report.images.append(
            (
                "Tile embeddings (PCA), coloured by dominant land cover",
                emap,
                f"n = {info.get('n_tiles', '?')} tiles; per class: "
                + ", ".join(f"{k} {v}" for k, v in (info.get("classes") or {}).items()),
            )
        )
    r = pics.get("retrieval") or {}
    if r.get("caption_to_tiles"):
        report.retrieval = r
    elif r:
        report.notes.append("Retrieval examples: " + str(r.get("skipped") or r.get("error")))
    for name in ("reconstructions", "embedding_map"):
        err = (pics.get(name) or {}).get("error")
        if err:
            report.notes.append(f"{name.replace('_', ' ')}: not drawn ({err})")


def _pipeline_checks(results: dict[str, Any]) -> Table | None:
    rows = []
    for row in results.get("results", []):
        if row.get("value") is None:
            continue
        n = row.get("n_test")
        flag = (
            " (too few to compare)"
            if row.get("too_few_to_compare") or (isinstance(n, int) and n < 30)
            else ""
        )
        ci = row.get("ci95") or [None, None]
        rows.append(
            [
                row["task"],
                row["encoder"],
                str(row["protocol"]).upper(),
                f"{float(row['value']):.1f}",
                "–" if ci[0] is None else f"{float(ci[0]):.1f}–{float(ci[1]):.1f}",
                f"{n}{flag}",
            ]
        )
    if not rows:
        return None
    return Table(
        "Pipeline checks on the other real mini-benchmarks (not headlined)",
        ["task", "encoder", "protocol", "score %", "95 % CI", "n test"],
        rows,
        "These tasks hold too few test items to rank encoders; they check that the evaluation pipeline runs.",
    )


def build_report(out: Path, timings: dict[str, float], total_s: float, config: dict[str, Any]) -> Path:
    report = Report(title="geomeld demo — the GeoMeld line on the real data shipped in the package")
    metrics: dict[str, Any] = {
        "total_seconds": round(total_s, 1),
        "step_seconds": {k: round(v, 1) for k, v in timings.items()},
    }
    probe = _read_json(out / "probe.json")
    if probe:
        _probe_section(report, probe)
        metrics["probe"] = {  # exactly the contract of the issue; everything else in probe_details
            "task": probe["task"],
            "metric": probe["metric"],
            "n_test": probe["n_test"],
            "results": {k: {"value": v["value"], "ci95": v["ci95"]} for k, v in probe["results"].items()},
            "paired": {k: {"diff": v["diff"], "ci95": v["ci95"]} for k, v in probe["paired"].items()},
        }
        metrics["probe_details"] = {
            k: probe[k]
            for k in ("chance_miou", "protocol", "unit", "n_train", "n_valid", "n_bootstrap")
            if k in probe
        }
    else:
        report.verdict = "No probe was run, so this run says nothing about whether pretraining helped."
        report.verdict_ok = False

    folders = [out / d for d in ("shards", "heldout", "gallery_only") if (out / d).is_dir()]
    if folders:
        layers = count_layers(folders)
        metrics["layers"] = layers
        report.tables.append(_layers_table(layers))
        s1 = layers.get("sentinel1", {})
        report.notes.append(
            "MP-MAE here has few co-located targets: Sentinel-2 everywhere, land cover (OSM substitutes on the "
            "Brandenburg tiles, coarse MODIS elsewhere), Sentinel-1 on "
            f"{s1.get('real', 0) + s1.get('substitute', 0)} tiles, and no elevation or canopy height at all — "
            "so MP-MAE behaves close to S2-MAE plus a land-cover head on this data."
        )

    build = _merge_build_summaries(
        [_read_json(out / d / "summary.json") for d in ("shards", "heldout", "gallery_only")]
    )
    if build:
        outcome = build.get("outcome", {})
        report.summary["samples built"] = int(outcome.get("done", 0))
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
        n = caption.get("samples")
        report.summary[f"captions verified (n={n})"] = _pct(caption.get("verified_share"))
        keys = [
            "samples",
            "verified_share",
            "accepted_first_try_share",
            "generator_verifier_agreement_final",
            "contradiction_rate_candidates",
            "unverifiable_rate_final",
        ]
        report.tables.append(
            Table(
                "Captions",
                ["metric", "value"],
                [[k, caption.get(k, "–")] for k in keys if k in caption],
                "Verified = every claim supported by a co-located layer (real, substitute or coarse at its own "
                "resolution). Generator/verifier agreement is not caption truth: see the grounding benchmark.",
            )
        )
        metrics["captions"] = caption

    metrics_csv = out / "pretrain" / "metrics.csv"
    if metrics_csv.exists():
        from geomeld.viz.plots import plot_loss_summary, read_log_csv

        png = plot_loss_summary(
            metrics_csv, out / "plots" / "loss.png", title="GeoMeld-FM pretraining (demo)"
        )
        steps, series = read_log_csv(metrics_csv)
        finite = [v for v in series.get("loss", []) if v == v]
        if finite:
            report.summary["pretraining steps · loss first → last"] = (
                f"{int(steps[-1])} · {finite[0]:.2f} → {finite[-1]:.2f}"
            )
            metrics["pretrain"] = {"steps": int(steps[-1]), "loss_first": finite[0], "loss_last": finite[-1]}
        report.images.append(
            ("Pretraining loss", png, "Per term; a target with no data at any tile is named in the title.")
        )

    _pictures_section(report, out)

    results = _read_json(out / "eval" / "results.json")
    if results:
        checks = _pipeline_checks(results)
        if checks is not None:
            report.tables.append(checks)
        retrieval = _retrieval_table(results)
        if retrieval is not None:
            report.tables.append(retrieval)
        report.links.append(("evaluation table (Markdown, the paper's layout)", out / "eval" / "results.md"))
        metrics["evaluation"] = {"scores": _eval_scores(results), "retrieval": results.get("retrieval", [])}

    if (out / "gallery" / "index.html").exists():
        report.links.insert(
            0,
            (
                "sample gallery (every layer badged by origin, captions with claim verdicts)",
                out / "gallery" / "index.html",
            ),
        )
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
        "Every number on this page was computed by this run from the real rasters shipped in geomeld "
        "(six BigEarthNet S1/S2 patches, the west 60 % of a Sentinel-2 L1C scene of Brandenburg with "
        "OpenStreetMap land use, MODIS land cover, a NAIP window). Each layer is real, a named substitute or "
        "coarse — see the table of origins; nothing is borrowed from another place."
    )
    report.details = {"config": config}
    metrics_path = out / "metrics.json"
    write_atomic(metrics_path, json.dumps(metrics, indent=1, default=str))
    return write_report(report, out / "report.html")
