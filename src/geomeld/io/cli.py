"""Shard verbs: ``inspect``, ``validate``, ``stats``, ``index``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from geomeld.core.errors import require_some

SHARDS_HELP = "Shard files (.tar) or folders of shards."


def inspect(
    shards: list[Path] = typer.Argument(..., help=SHARDS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Summarise GeoMeld shards: sample count, layouts, keys, shapes, dtypes, value ranges, presence.

    Reads every sample of every shard (ours or released GeoMeld shards). Problems found on the way are listed but do not stop the summary (use `geomeld validate` for a pass/fail check).

    Example: geomeld inspect data/shards/ --json
    """
    from rich.console import Console
    from rich.table import Table

    from geomeld.io.inspect import expand_shards, inspect_shard

    reports = [inspect_shard(p) for p in expand_shards(shards)]
    if as_json:
        typer.echo(json.dumps({"shards": reports}, indent=2))
    console = Console()
    for r in [] if as_json else reports:
        layouts = ", ".join(f"{k}: {v}" for k, v in r["layouts"].items()) or "-"
        table = Table(title=f"{r['shard']} — {r['samples']} samples ({layouts}), {r['captioned']} captioned")
        for col in ("key", "shape", "dtype", "min", "max", "present in", "valid px"):
            table.add_column(col)
        for key, m in r["modalities"].items():
            table.add_row(
                key,
                " | ".join("×".join(map(str, s)) for s in m["shapes"]),
                ", ".join(m["dtypes"]),
                "-" if m["min"] is None else f"{m['min']:.4g}",
                "-" if m["max"] is None else f"{m['max']:.4g}",
                f"{m['present_in']}/{m['samples']}",
                f"{100 * m['valid_fraction']:.1f} %",
            )
        console.print(table)
        for p in r["problems"]:
            console.print(f"[red]problem[/red] {p}")
    require_some(sum(r["samples"] for r in reports), "GeoMeld sample", shards)


def validate(
    shards: list[Path] = typer.Argument(..., help=SHARDS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check every sample of the shards against the modality registry; exit code 1 on any problem.

    Exit codes: 0 every sample is valid; 1 at least one problem, no sample at all, or a shard that is missing or unreadable; 2 a usage error. Each problem is one line naming shard:member, the dataset or field and what was expected.

    Checks: tar members named <key>.h5 (no folders, no '..') whose metadata tile_id matches the name; HDF5 headers before any data is read (no dataset larger than the registry's shape and dtype, foreign datasets at most the largest modality's size, no external links or storage, only gzip/shuffle compression, inflated at most to the declared size: a decompression bomb is refused); tar readable and complete, members are HDF5, every key of the sample's layout present with the registry's shape and dtype, metadata is JSON with valid fields, class codes in the class tables, no ±Inf, no NaN where the registry allows none. Each problem names shard:key, the modality and what was expected. NaN no-data where allowed, null OSM tags and the 9-band Sentinel-2 of NAIP samples are legal.

    Example: geomeld validate data/shards/geomeld-00000.tar data/shards/geomeld-00000_n.tar
    """
    from geomeld.io.inspect import expand_shards, validate_shard

    total = 0
    problems: list[str] = []
    for path in expand_shards(shards):
        n, found = validate_shard(path)
        total += n
        problems += found
    if as_json:
        typer.echo(json.dumps({"samples": total, "problems": problems}, indent=2))
    else:
        for p in problems:
            typer.echo(p)
        typer.echo(f"{total} samples checked, {len(problems)} problems")
    if problems:
        raise typer.Exit(1)
    require_some(total, "sample to check", shards)


def stats(
    shards: list[Path] = typer.Argument(..., help=SHARDS_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="Stats JSON to write (atomically)."),
    max_samples: int | None = typer.Option(None, help="Stop after this many samples (a fixed subset)."),
    on_error: str = typer.Option("skip", help="'skip' (log and count bad samples) or 'raise'."),
) -> None:
    """Compute no-data-aware per-band statistics over shards: the stats JSON the loader normalises with.

    One streaming pass: per band count, no-data count, mean, std, min, max, percentiles (1/2/50/98/99, fixed histogram over the band's registered range); per categorical modality class counts and frequencies. Bands are in the registry's full order (the 9-band NAIP Sentinel-2 adds to its own bands).

    Example: geomeld stats data/shards/ --out data/stats.json --max-samples 5000
    """
    from geomeld.io.inspect import expand_shards
    from geomeld.io.stats import compute_stats, write_stats

    if on_error not in ("skip", "raise"):
        raise typer.BadParameter("--on-error must be 'skip' or 'raise'")
    result = compute_stats(expand_shards(shards), max_samples=max_samples, on_error=on_error, progress=True)
    require_some(result["sample_count"], "readable sample (no statistics written)", shards)
    write_stats(result, out)
    typer.echo(f"wrote {out}: {result['sample_count']} samples, {result['bad_samples']} bad samples skipped")


def index(
    shards: list[Path] = typer.Argument(..., help=SHARDS_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help="Also write one combined index Parquet here."),
    force: bool = typer.Option(False, help="Rebuild sidecar indexes even when they are fresh."),
) -> None:
    """Build the shard index (one Parquet row per sample) beside each shard, e.g. for released shards.

    Each `x.tar` gets `x.index.parquet`: key, shard, member offset/size in the tar, tile id, lat/long, date, layout, modalities present, band names, caption, dataset byte locations (for the loader's fast decode) and an error column for bad members. Fresh indexes are kept unless --force.

    Example: geomeld index geomeld-data/ --out geomeld-data/index.parquet
    """
    import pyarrow.parquet as pq

    from geomeld.io.index import build_index_rows, index_path, read_index, write_index
    from geomeld.io.inspect import expand_shards

    paths = expand_shards(shards)
    if force:
        for p in paths:
            write_index(p, build_index_rows(p))
    table = read_index(paths)
    bad = sum(1 for e in table.column("error").to_pylist() if e)
    if out is not None:
        tmp = out.with_name(f".{out.name}.tmp")
        pq.write_table(table, tmp)
        tmp.replace(out)
    typer.echo(
        f"indexed {len(paths)} shards, {table.num_rows - bad} samples, {bad} bad members"
        f" (sidecars: {index_path(paths[0]).name} …)" + (f"; combined index {out}" if out else "")
    )
    require_some(table.num_rows - bad, f"readable sample ({bad} bad members)", shards)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("inspect")(inspect)
    app.command("validate")(validate)
    app.command("stats")(stats)
    app.command("index")(index)
