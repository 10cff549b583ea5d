"""Write an evaluation run: ``results.json``, ``results.md`` (the paper's table layout) and PNG plots.

Table layout (as the paper's Table): one row per encoder/variant (the raw-band baseline included),
one column per task and protocol (``FT`` / ``LP`` / ``KNN``, label fractions as ``LP@10%``), then
retrieval R@5 (I→T / T→I, with the chance level). Every cell gives the mean over seeds in percent
with the 95 % interval of that mean and ``n`` (test units); n < 30 is marked "too few to compare" (†)
and pipeline-check tasks are marked (‡). Robustness is reported per condition as an absolute drop
in points (never averaged over unlike conditions).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from geomeld.core.atomic import write_atomic


def _atomic_write(path: Path, text: str | bytes) -> None:
    write_atomic(path, text)


def _cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "–"
    if row.get("value") is None:
        return "n/a"
    lo, hi = row["ci95"]
    flags = ("†" if row.get("too_few_to_compare") else "") + ("‡" if row.get("pipeline_check") else "")
    return f"{row['value']:.1f} [{lo:.1f}, {hi:.1f}] n={row.get('n_test', '?')}{flags}"


def markdown_table(res: dict[str, Any]) -> str:
    rows = res["results"]
    tasks = list(res["tasks"])
    order = {"ft": 0, "lp": 1, "knn": 2}
    protos = {
        t: sorted(
            {r["protocol"] for r in rows if r["task"] == t},
            key=lambda p: (order.get(p.split("@")[0], 3), p),
        )
        for t in tasks
    }
    encoders = list(dict.fromkeys(r["encoder"] for r in rows))
    index = {(r["encoder"], r["task"], r["protocol"]): r for r in rows}
    retrieval = {r["encoder"]: r for r in res.get("retrieval", [])}
    cols = [f"{t} {p.upper()}" for t in tasks for p in protos[t]]
    head = ["Encoder", *cols]
    if retrieval:
        head.append("R@5 I→T / T→I (chance)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for e in encoders:
        cells = [e] + [_cell(index.get((e, t, p))) for t in tasks for p in protos[t]]
        if retrieval:
            r = retrieval.get(e)
            cells.append(
                f"{r['i2t']['R@5']:.1f} / {r['t2i']['R@5']:.1f} ({r.get('chance', {}).get('R@5', float('nan')):.1f})"
                if r
                else "–"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _listed(res: dict[str, Any]) -> set[str]:
    return {r["encoder"] for r in res["results"]}


def markdown_report(res: dict[str, Any]) -> str:
    out = [
        f"# Evaluation: {res['name']}",
        "",
        f"code version `{res['code_version']}`, created {res['created']}, {res['seconds']} s, "
        f"torch {res['environment']['torch']} with {res['environment']['threads']} threads. "
        f"Missing-band rule: **{res['missing_bands']}**.",
        "",
        "Scores in percent: the mean over seeds (fine-tuning "
        f"{res['config']['seeds']}, probes {res['config'].get('lp_seeds', res['config']['seeds'])}) with the 95 % "
        "interval of that mean (bootstrap resampling test units and seeds) and n test units. "
        "† n < 30: too few to compare; ‡ pipeline check (too small a benchmark, never headlined). "
        "Metrics: multi-label micro-F1 (macro-F1 in results.json), micro accuracy, macro mIoU. "
        f"Normalisation: **{res.get('normalisation', 'task')}** (per task and encoder below).",
        "",
        markdown_table(res),
        "",
        "## Tasks",
        "",
        "| task | metric | n train/valid/test | level | data fingerprint | inputs |",
        "|---|---|---|---|---|---|",
    ]
    for name, t in res["tasks"].items():
        n = t["n"]
        inputs = (
            "; ".join(f"{k}: {v['bands']} (stats: {v['stats']})" for k, v in t.get("inputs", {}).items())
            or "–"
        )
        out.append(
            f"| {name} | {t['metric']} | {n.get('train')}/{n.get('valid')}/{n.get('test')} | "
            f"{t.get('processing_level', '–')} | `{t['fingerprint']}` | {inputs} |"
        )
    notes = [r for r in res["results"] if r.get("note")]
    if notes:
        out += ["", *[f"- {r['encoder']} on {r['task']}: {r['note']}" for r in notes]]
    checks = {n: t["pipeline_check"] for n, t in res["tasks"].items() if t.get("pipeline_check")}
    if checks:
        out += ["", "Pipeline checks (never headlined):", *[f"- {n}: {why}" for n, why in checks.items()]]
    paired = [p for p in res.get("paired", []) if p["encoder"] in _listed(res)]
    if paired:
        out += [
            "",
            "## Paired differences",
            "",
            "Encoder minus versus, in points, same test units (paired bootstrap, 95 %).",
            "",
            "| task | protocol | encoder | versus | difference | n |",
            "|---|---|---|---|---|---|",
        ]
        for p in paired:
            flag = "†" if p.get("too_few_to_compare") else ""
            out.append(
                f"| {p['task']} | {p['protocol']} | {p['encoder']} | {p['versus']} ({p['versus_protocol']}) | "
                f"{p['diff']:+.1f} [{p['ci95'][0]:+.1f}, {p['ci95'][1]:+.1f}] | {p['n_test']}{flag} |"
            )
    if res.get("robustness"):
        out += [
            "",
            "## Cross-sensor robustness",
            "",
            "Score under each test-time condition (mean over seeds, 95 % interval) and its absolute drop from "
            "the clean score in points (paired bootstrap over test units and seeds: each seed's model is "
            "scored on the clean and the perturbed input), one row per condition; unlike conditions are "
            "never averaged. Sentinel-1 conditions apply where the task has Sentinel-1 bands; they are "
            "measured on the model that reads them (raw S2+S1 bands + LR).",
            "",
            "| encoder | task | condition | score | drop (points) | n | seeds |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in res["robustness"]:
            if r.get("value") is None:
                if r.get("note"):
                    out.append(
                        f"| {r['encoder']} | {r['task']} | {r['condition']} | n/a | n/a ({r['note']}) | – | – |"
                    )
                continue
            flag = "†" if r.get("too_few_to_compare") else ""
            drop = f"{r['drop_points']:+.1f} [{r['drop_ci95'][0]:+.1f}, {r['drop_ci95'][1]:+.1f}]"
            val = f"{r['value']:.1f} [{r['ci95'][0]:.1f}, {r['ci95'][1]:.1f}]"
            out.append(
                f"| {r['encoder']} | {r['task']} | {r['condition']} | {val} | {drop} | "
                f"{r.get('n_test', '?')}{flag} | {r.get('n_seeds', 1)} |"
            )
        notes_c = {r["condition"]: r["description"] for r in res["robustness"]}
        out += ["", *[f"- **{c}**: {d}" for c, d in notes_c.items()]]
    if res.get("retrieval"):
        out += [
            "",
            "## Retrieval",
            "",
            "| encoder | gallery (images / captions) | I→T R@1/5/10 | T→I R@1/5/10 | chance R@1/5/10 | mean recall |",
            "|---|---|---|---|---|---|",
        ]
        for r in res["retrieval"]:
            i2t, t2i = r["i2t"], r["t2i"]
            ch = r.get("chance", {})
            chance = "/".join(f"{ch.get(k, float('nan')):.1f}" for k in ("R@1", "R@5", "R@10"))
            out.append(
                f"| {r['encoder']} | {r['n_images']} / {r['n_captions']} | {i2t['R@1']:.1f}/{i2t['R@5']:.1f}/{i2t['R@10']:.1f} | "
                f"{t2i['R@1']:.1f}/{t2i['R@5']:.1f}/{t2i['R@10']:.1f} | {chance} | {r['mean_recall']:.1f} |"
            )
    return "\n".join(out) + "\n"


def plot_results(res: dict[str, Any], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    rows = [r for r in res["results"] if r.get("value") is not None]
    cols = list(dict.fromkeys(f"{r['task']} {r['protocol'].upper()}" for r in rows))
    encs = list(dict.fromkeys(r["encoder"] for r in rows))
    if rows:
        fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(cols) * max(1, len(encs)) / 2), 4))
        width = 0.8 / max(1, len(encs))
        for i, e in enumerate(encs):
            xs: list[float] = []
            ys: list[float] = []
            err: list[list[float]] = [[], []]
            for j, c in enumerate(cols):
                r = next(
                    (r for r in rows if r["encoder"] == e and f"{r['task']} {r['protocol'].upper()}" == c),
                    None,
                )
                if r is None:
                    continue
                xs.append(j + i * width)
                ys.append(r["value"])
                err[0].append(max(0.0, r["value"] - r["ci95"][0]))
                err[1].append(max(0.0, r["ci95"][1] - r["value"]))
            ax.bar(xs, ys, width, yerr=err, label=e, capsize=2)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(cols))], cols, rotation=30, ha="right")
        ax.set_ylabel("score (%)")
        ax.set_title(f"{res['name']}: scores with 95 % bootstrap CI")
        ax.legend(fontsize=8)
        fig.tight_layout()
        p = out_dir / "scores.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    rob = [
        r for r in res.get("robustness", []) if r.get("drop_points") is not None and r["condition"] != "clean"
    ]
    if rob:
        conds = list(dict.fromkeys(r["condition"] for r in rob))
        series = list(dict.fromkeys((r["encoder"], r["task"]) for r in rob))
        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.8 / len(series)
        for i, (e, t) in enumerate(series):
            vals = [
                next(
                    (
                        r["drop_points"]
                        for r in rob
                        if r["encoder"] == e and r["task"] == t and r["condition"] == c
                    ),
                    0.0,
                )
                for c in conds
            ]
            ax.bar([j + i * width for j in range(len(conds))], vals, width, label=f"{e} / {t}")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(conds))], conds, rotation=30, ha="right")
        ax.set_ylabel("drop vs clean (points)")
        ax.set_title("cross-sensor robustness")
        ax.legend(fontsize=7)
        fig.tight_layout()
        p = out_dir / "robustness.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def write_report(res: dict[str, Any], out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "results.json", json.dumps(res, indent=2, default=str))
    _atomic_write(out / "results.md", markdown_report(res))
    files = {"json": out / "results.json", "markdown": out / "results.md"}
    for p in plot_results(res, out):
        files[p.stem] = p
    return files
