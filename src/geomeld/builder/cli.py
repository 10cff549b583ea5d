"""``geomeld build``: anchors → aligned GeoMeld shards, resumable, on Dask or in-process."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from geomeld.core.options import config_option, set_option

BUILD_HELP = """Build aligned GeoMeld samples for a list of anchors and write them as shards.

For every anchor (tile id + lat/long) the builder lays a 1280 m tile in the anchor's UTM zone,
finds Sentinel-2 (cloud < 10 %, harmonised), Sentinel-1 (±15 days), Copernicus DEM (elevation +
slope), canopy height, ESA WorldCover, Dynamic World (or its documented substitute), NAIP in the
US and JRC water in the catalog, aligns everything onto the 10 m (and NAIP 1 m) grid and writes
WebDataset shards (`geomeld-00000.tar`, NAIP layout `geomeld-00000_n.tar`) with a Parquet index.

Inputs: --anchors, a Parquet or CSV with columns tile_id, lat, long (stratum, source optional),
e.g. the output of `geomeld sample`, or the word `embedded` for the embedded sample's anchors.
--catalog: `embedded` (offline, shipped with geomeld), `planetary-computer`, `earth-search`, `cdse`, any
STAC API URL, a folder holding a static STAC catalog.json, or a plain folder of rasters
(<collection>/<item>.tif or <collection>/<item>/<asset>.tif; see geomeld.builder.sources.catalog.FolderCatalog).

Outputs in --out: shards + index, manifest.jsonl (every tile: done / skipped(reason) / failed(reason)),
summary.json (counts per outcome, stratum, source). Re-running the same command resumes exactly:
finished tiles are not rebuilt and nothing is written twice, even after kill -9.

Runs on Dask: a local cluster of --workers processes (default 2), an existing cluster with
--scheduler, or in this process with --workers 0.

Examples:

  geomeld build --anchors embedded --catalog embedded --out build/embedded --workers 0

  geomeld sample pool.parquet --config configs/sample/embedded.yaml
  geomeld build --anchors pool.parquet --catalog embedded --out build/pool

  geomeld build --anchors pool.parquet --config configs/build/planetary_computer.yaml --out shards --workers 8
"""


def build(
    anchors: str = typer.Option(
        ..., "--anchors", help="Parquet/CSV of anchors (tile_id, lat, long), or 'embedded'."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder for shards, manifest and summary."),
    catalog: str | None = typer.Option(
        None,
        "--catalog",
        help="embedded | planetary-computer | earth-search | cdse | STAC API URL | static catalog folder | raster folder (docs/catalogs.md).",
    ),
    config: Path | None = config_option("Build config YAML (configs/build/*.yaml)."),
    sets: list[str] = set_option(),
    workers: int = typer.Option(
        2, "--workers", help="Dask local-cluster worker processes (default 2); 0 = run in this process."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786)."
    ),
    max_in_flight: int | None = typer.Option(
        None, "--max-in-flight", help="Most tiles submitted at once (default 2 × workers)."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Build at most this many unfinished anchors."),
    seed: int | None = typer.Option(None, "--seed", help="Override the config's seed (reference months)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
    retry_skipped: bool = typer.Option(
        False,
        "--retry-skipped",
        help="Also rebuild tiles skipped earlier (e.g. after fixing or extending the catalog).",
    ),
) -> None:
    from rich.console import Console
    from rich.table import Table

    from geomeld.builder.config import resolve_build_config
    from geomeld.builder.run import load_anchors, run
    from geomeld.builder.runner import BuildInputError, ConfigMismatchError

    cfg = resolve_build_config(config, sets, catalog)
    updates: dict[str, object] = {}
    if catalog is not None:
        updates["catalog"] = catalog
    if seed is not None:
        updates["seed"] = seed
    if updates:
        cfg = cfg.model_copy(update=updates)
    try:
        anchor_list = load_anchors(anchors)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchors") from None
    try:
        result = run(
            cfg,
            anchor_list,
            out,
            workers=workers,
            scheduler=scheduler,
            max_in_flight=max_in_flight,
            progress=not no_progress,
            limit=limit,
            retry_skipped=retry_skipped,
        )
    except ConfigMismatchError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out / --config") from None
    except BuildInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="--catalog / --config") from None
    s = result.summary
    console = Console()
    table = Table(title=f"geomeld build → {out}")
    table.add_column("group")
    table.add_column("done")
    table.add_column("skipped")
    table.add_column("failed")
    for group, counts in (
        [("all", s["outcome"])]
        + [(f"stratum {k}", v) for k, v in s["per_stratum"].items()]
        + [(f"source {k}", v) for k, v in s["per_source"].items()]
    ):
        table.add_row(group, *(str(counts.get(k, 0)) for k in ("done", "skipped", "failed")))
    console.print(table)
    if s["reasons"]:
        console.print("reasons: " + json.dumps(s["reasons"]))
    for w in s.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {w}")
    if s.get("lost_layers"):
        lost = Table(title="layers lost to input errors (per modality and reason)")
        lost.add_column("modality")
        lost.add_column("reason")
        lost.add_column("tiles")
        for key, reasons in s["lost_layers"].items():
            for why, n in reasons.items():
                lost.add_row(key, why, str(n))
        console.print(lost)
        if s.get("held_incomplete"):
            console.print(
                f"{s['held_incomplete']} sample(s) held out of the shards until the lost layers come "
                "back: fix the input and run again (or set publish_incomplete: true)"
            )
    console.print(
        f"{s['samples_in_shards']} samples in {len(s['shards'])} shard(s); manifest: {out / 'manifest.jsonl'}"
    )
    outcome = s["outcome"]
    if (
        outcome.get("failed", 0)
        or s.get("held_incomplete", 0)
        or (s["run"]["attempted"] and not s["run"]["produced"])
    ):
        console.print(
            f"[red]build incomplete:[/red] {outcome.get('failed', 0)} failed tile(s), "
            f"{s.get('held_incomplete', 0)} held sample(s), {s['run']['produced']} of "
            f"{s['run']['attempted']} attempted tile(s) produced a sample"
        )
        raise typer.Exit(code=1)


def catalog_show(
    name: str = typer.Argument("embedded", help="Catalog to describe (only `embedded` is offline)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the items of the embedded catalog with their footprints (lon/lat), dates and origins,
    and the regions where `geomeld sample --within embedded` may put tile centres.

    Example: geomeld catalog show embedded
    """
    if name != "embedded":
        raise typer.BadParameter(
            f"catalog {name!r}: only the offline `embedded` catalog can be listed; online catalogs "
            "(planetary-computer, earth-search) are searched per tile by `geomeld build`",
            param_hint="NAME",
        )
    from geomeld.builder.embedded_coverage import anchor_regions, coverage_rows, format_table

    rows, regions = coverage_rows(), anchor_regions()
    if as_json:
        typer.echo(json.dumps({"items": [r.as_dict() for r in rows], "anchor_regions": regions}, indent=1))
    else:
        typer.echo(format_table(rows, regions))


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("build", help=BUILD_HELP)(build)
    catalog_app = typer.Typer(help="Look at a catalog: what it covers, where and when.", no_args_is_help=True)
    catalog_app.command("show")(catalog_show)
    app.add_typer(catalog_app, name="catalog")
