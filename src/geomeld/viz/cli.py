"""``geomeld preview``: a static HTML gallery of shards."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geomeld.core.errors import require_some

if TYPE_CHECKING:
    from collections.abc import Iterator

    from geomeld.core.sample import Sample


def preview(
    shards: list[Path] = typer.Argument(..., help="GeoMeld .tar shards (or folders holding them)."),
    out: Path = typer.Option(Path("preview"), "--out", "-o", help="Folder for index.html and img/."),
    limit: int = typer.Option(200, help="Render at most this many samples."),
    title: str = typer.Option("GeoMeld samples", help="Page title."),
) -> None:
    """Render shards as an HTML gallery you can open in a browser.

    Per sample: Sentinel-2 true/false colour, Sentinel-1 VV/VH, DEM hillshade, canopy height,
    WorldCover and Dynamic World in their official palettes with legends, NAIP when present; the
    caption with each claim coloured by its verdict; signals and metadata; filters by dominant
    land cover, stratum and layout.

    Example: geomeld preview out/shards --out out/preview && open out/preview/index.html
    """
    from geomeld.io.inspect import expand_shards
    from geomeld.io.shards import iter_samples
    from geomeld.viz.gallery import write_gallery

    paths = expand_shards(shards)
    seen = [0]

    def counted() -> Iterator[Sample]:
        for sample in iter_samples(paths):
            seen[0] += 1
            yield sample

    page = write_gallery(counted(), out, title=title, limit=limit)
    typer.echo(f"gallery: {page}")
    require_some(seen[0], "sample to render", shards)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("preview")(preview)
