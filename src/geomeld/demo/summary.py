"""The short summary ``geomeld demo`` prints at the end: where the report is, the headline numbers."""

from __future__ import annotations

import json
from pathlib import Path


def print_summary(out: Path) -> None:
    from rich.console import Console

    console = Console()
    metrics = json.loads((out / "metrics.json").read_text())
    console.rule("[bold]geomeld demo finished")
    build = metrics.get("build", {}).get("outcome", {})
    if build:
        console.print(
            f"samples built: {build.get('done', 0)} (failed {build.get('failed', 0)}, skipped {build.get('skipped', 0)})"
        )
    cap = metrics.get("captions", {})
    if cap:
        console.print(
            f"captions: {100 * (cap.get('verified_share') or 0):.0f} % verified, "
            f"captioner/verifier agreement (by construction) {100 * (cap.get('generator_verifier_agreement_final') or 0):.1f} %"
        )
    pre = metrics.get("pretrain", {})
    if pre:
        console.print(
            f"pretraining: {pre['steps']} steps, loss {pre['loss_first']:.3f} → {pre['loss_last']:.3f}"
        )
    probe = {**(metrics.get("probe") or {}), **(metrics.get("probe_details") or {})}
    if probe:
        from geomeld.demo.probe import verdict

        helped, text = verdict(probe)
        console.print(("[green]" if helped else "[yellow]") + text)
    layers = metrics.get("layers") or {}
    if layers:
        cells = ", ".join(
            f"{k}: " + "/".join(str(c[o]) for o in ("real", "substitute", "coarse", "absent"))
            for k, c in layers.items()
        )
        console.print(f"layers real/substitute/coarse/absent — {cells}")
    console.print(f"total time: {metrics.get('total_seconds', 0):.0f} s")
    console.print(f"report: [bold]{out / 'report.html'}[/bold]")
