"""``geomeld modalities``: print the modality registry."""

from __future__ import annotations

import json

import typer


def modalities(
    as_json: bool = typer.Option(False, "--json", help="Print the registry as JSON instead of a table."),
) -> None:
    """Show every GeoMeld modality: bands, dtype, shape, units, no-data, resampling, task, classes."""
    from rich.console import Console
    from rich.table import Table

    from geomeld.core.modalities import LAYOUTS, describe

    rows = describe()
    if as_json:
        layouts = {name: lay.band_names() for name, lay in LAYOUTS.items()}
        typer.echo(json.dumps({"modalities": rows, "layouts": layouts}, indent=2))
        return
    table = Table(title="GeoMeld modality registry")
    for col in ("key", "bands", "dtype", "shape", "units", "no-data", "resampling", "task"):
        table.add_column(col)
    for r in rows:
        bands = r["bands"]
        assert isinstance(bands, list)
        table.add_row(
            str(r["key"]),
            ", ".join(bands),
            str(r["dtype"]),
            "×".join(str(s) for s in r["shape"]),  # type: ignore[attr-defined]
            str(r["units"]),
            str(r["nodata"]),
            str(r["resampling"]),
            str(r["task"]),
        )
    Console().print(table)
    for name, lay in LAYOUTS.items():
        Console().print(f"layout [bold]{name}[/bold] (shards *{lay.shard_suffix}): {lay.description}")


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("modalities")(modalities)
