"""``geomeld catalog show``: what an offline catalog covers (items, footprints, dates, origins)."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    catalog_app = typer.Typer(help="Look at a catalog: what it covers, where and when.", no_args_is_help=True)
    app.add_typer(catalog_app, name="catalog")

    @catalog_app.command("show")
    def show(
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
        from geomeld.embedded_coverage import anchor_regions, coverage_rows, format_table

        rows, regions = coverage_rows(), anchor_regions()
        if as_json:
            typer.echo(
                json.dumps({"items": [r.as_dict() for r in rows], "anchor_regions": regions}, indent=1)
            )
        else:
            typer.echo(format_table(rows, regions))
