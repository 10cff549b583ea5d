"""``geomeld caption`` and ``geomeld caption-report``: verified captions for shards, and their metrics."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from geomeld.core.errors import require_some
from geomeld.core.options import config_option, set_option


def caption(
    shards: list[Path] = typer.Argument(
        ..., help="Shard files (geomeld-*.tar) to caption in place, or folders holding them."
    ),
    config: Path | None = config_option(
        "Caption config YAML (default: configs/caption/default.yaml values)."
    ),
    sets: list[str] = set_option(),
    backend: str | None = typer.Option(None, help="Override the backend: 'builtin' or 'openai'."),
    candidates: int | None = typer.Option(None, "--candidates", "-n", help="Candidates per round."),
    osm_pbf: Path | None = typer.Option(None, "--osm-pbf", help="Local .osm.pbf for OSM tags (pyosmium)."),
    overpass: str | None = typer.Option(None, "--overpass", help="Overpass API URL for OSM tags."),
    scorer_run: Path | None = typer.Option(
        None,
        "--scorer-run",
        help="Rank candidates with GeoMeld-FM's image–text head: a pretraining run folder (ITC enabled).",
    ),
    workers: int = typer.Option(
        1, "--workers", "-j", help="Dask worker processes, one shard per task (1: in this process)."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="An existing Dask scheduler address (tcp://host:8786) instead of local workers.",
    ),
    log_dir: Path | None = typer.Option(
        None, "--log-dir", help="Where the JSONL logs go (default: beside shards)."
    ),
    force: bool = typer.Option(False, "--force", help="Redo shards already captioned with this config."),
) -> None:
    """Caption every sample of SHARDS with the agentic, verified pipeline and store the result.

    Per sample: Orchestrator signals (land cover, water, terrain, canopy, spectral, SAR, OSM,
    place) → N candidate captions (built-in grounded generator, or an OpenAI-compatible endpoint)
    → ranked by the Evaluator → claims verified against the signals, repaired or regenerated up
    to a bound. Writes into each sample's metadata: `caption` (only when verified), `caption_report`
    (candidates, scores, per-claim verdicts), `signals`, and the released `water_analysis`,
    `terrain_class`, `osm_tags`. Each shard is rewritten atomically and gets a log
    `<shard>.captions.jsonl`; finished shards are skipped on a rerun (resumable), and a shard with
    failed samples is redone for those samples only. An unreadable shard or a failed sample is
    reported and the run goes on; the exit code is 1 when anything failed. Text embeddings for
    training are not computed here (see `geomeld embed-captions`).

    Example: geomeld caption out/geomeld-*.tar --osm-pbf liechtenstein.osm.pbf -j 2
    """
    from tqdm import tqdm

    from geomeld.captioning.config import CaptionConfig
    from geomeld.captioning.run import ShardResult, run

    cfg = CaptionConfig.from_yaml(config, sets)
    updates: dict[str, object] = {}
    if backend:
        if backend not in ("builtin", "openai"):
            raise typer.BadParameter(f"backend must be 'builtin' or 'openai', not {backend!r}")
        updates["backend"] = backend
    if candidates:
        updates["n_candidates"] = candidates
    if osm_pbf:
        updates["osm_pbf"] = str(osm_pbf)
    if overpass:
        updates["overpass_url"] = overpass
    if scorer_run:
        updates["scorer"] = "geomeld_fm"
        updates["scorer_run_dir"] = str(scorer_run)
    cfg = CaptionConfig.model_validate({**cfg.model_dump(), **updates})
    from geomeld.io.inspect import expand_shards

    shards = expand_shards(shards)  # a missing path is one line naming it (the CLI handler)

    def report(result: ShardResult) -> None:
        for e in result.errors:
            typer.echo(f"warning: {e}", err=True)
        if result.skipped:
            typer.echo(f"{result.shard}: already captioned with this config, skipped")
        elif result.failed:
            typer.echo(f"{result.shard}: FAILED (not captioned; rerun to retry)")
        else:
            kept = f", {result.kept} kept from the last run" if result.kept else ""
            typer.echo(f"{result.shard}: {result.samples} samples{kept}, {json.dumps(result.statuses)}")

    with tqdm(desc="captioning", unit="sample") as bar:
        done = run(
            cfg,
            shards,
            workers=workers,
            scheduler=scheduler,
            force=force,
            log_dir=log_dir,
            progress=bar.update,
            on_shard=report,
        )
    summary: dict[str, object] = {"status": done.statuses}
    if not done.ok:
        summary.update(failed_shards=done.failed_shards, failed_samples=done.failed_samples)
    typer.echo(json.dumps(summary))
    if not done.ok:
        typer.echo(
            f"error: {len(done.failed_shards)} shard(s) and {done.failed_samples} sample(s) failed; "
            "rerun the same command to retry them",
            err=True,
        )
        raise typer.Exit(1)
    if not done.skipped_shards:
        require_some(done.samples, "sample captioned", [str(s) for s in shards])


def caption_check(
    shards: list[Path] = typer.Argument(
        ..., help="Shard files holding the tiles, or folders holding them (their *.tar files)."
    ),
    captions: Path = typer.Option(
        ..., "--captions", help="JSONL: one {tile_id, caption, ...} object per line (other keys kept)."
    ),
    out: Path = typer.Option(..., "--out", help="Where the verdict JSONL goes (input order)."),
) -> None:
    """Verify captions from anywhere (LLMs, people, other datasets) against the shards' signals.

    Each caption is split into typed claims (land cover, water, terrain, elevation, slope, canopy,
    vegetation, SAR, OSM objects, season, place, position, comparisons, consistency, image
    conditions), and each claim is checked against the sample's signals with the layer's origin
    (relocated or absent layers are never evidence). Output lines add `verdict` (verified | contradicted |
    unverifiable | error) and `claims` (text, start, end, family, verdict, evidence). An unknown
    tile id or malformed line gives an `error` line and exit code 1 at the end.

    Example: geomeld caption-check out/geomeld-*.tar --captions mine.jsonl --out verdicts.jsonl
    """
    from geomeld.captioning.caption_check import run_caption_check
    from geomeld.io.inspect import expand_shards

    try:
        summary = run_caption_check(expand_shards(shards), captions, out)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from None
    for e in summary.read_errors:
        typer.echo(f"warning: {e}", err=True)
    typer.echo(json.dumps({"lines": summary.lines, "verdicts": summary.verdicts, "out": str(out)}))
    require_some(summary.lines, "caption line checked", captions)
    if summary.errors:
        typer.echo(f"error: {summary.errors} line(s) could not be checked (see 'error' in {out})", err=True)
        raise typer.Exit(1)


def caption_report(
    logs: list[Path] = typer.Argument(..., help="Caption logs (*.captions.jsonl) or folders holding them."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    fidelity_set: Path | None = typer.Option(
        None,
        "--fidelity-set",
        help="A labelled planted-claim set (shards + labels JSONL) to report verifier fidelity on.",
    ),
    fidelity_labels: str | None = typer.Option(
        None, "--fidelity-labels", help="The labelled JSONL inside --fidelity-set (default: auto)."
    ),
) -> None:
    """Fidelity metrics of a captioning run from its JSONL logs.

    Prints claim precision (final captions and all candidates), contradiction rate, the share
    accepted on the first try, verified share and statuses, signal coverage, caption length and
    distinct-1/2/3.

    Example: geomeld caption-report out/ --json
    """
    from geomeld.captioning.report import fidelity_report, read_logs

    figs = None
    if fidelity_set is not None:
        from geomeld.captioning.fidelity import evaluate_set, find_set

        try:
            figs = evaluate_set(*find_set(fidelity_set, fidelity_labels))[0]
        except (FileNotFoundError, ValueError) as exc:
            raise typer.BadParameter(str(exc)) from None
    try:
        records = read_logs(logs)
        require_some(len(records), "caption log record", [str(p) for p in logs])
        report = fidelity_report(records, figs)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="caption fidelity")
    table.add_column("metric")
    table.add_column("value")
    for k, v in report.items():
        if k == "fidelity" and v:
            for f in v:
                name = f"fidelity: {f['figure']}" + (f" [{f['family']}]" if "family" in f else "")
                table.add_row(name, f"{f['rate']} ({f['k']}/{f['n']}, 95 % CI {f['ci95'][0]}–{f['ci95'][1]})")
            continue
        table.add_row(k, json.dumps(v) if isinstance(v, dict) else str(v))
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("caption")(caption)
    app.command("caption-check")(caption_check)
    app.command("caption-report")(caption_report)
