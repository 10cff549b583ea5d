"""``geomeld sample``: build or extend the coordinate pool (tile centres) that ``geomeld build`` consumes."""

from __future__ import annotations

from pathlib import Path

import typer

from geomeld.core.errors import require_some
from geomeld.core.options import config_option, set_option

SAMPLE_HELP = """Choose tile centres (anchors) for GeoMeld samples and write them as a Parquet pool.

Three ways to get points, in this order (they can be combined in one run):

  1. --anchors FILE: import coordinates from CSV / GeoJSON / (Geo)Parquet, e.g. MMEarth or SkyScript
     tile centres (columns lat|latitude and lon|long|lng|longitude, any case; or --lat-col/--lon-col).
     Use NAME=FILE to set the source label (source = anchor:NAME).
  2. --stratified N: stratified sampling over Köppen main climate group × MODIS IGBP land cover
     (offline biome proxy) with quotas: --quota uniform (equal per stratum), area (proportional to
     area) or a YAML file of {stratum: count}, e.g. "B-16: 200" (arid × barren).
  3. --fill N: add points where the pool is sparsest (per 1° land cell, or --fill-by continent).

Every point must be on land within --lat-range (default 56°S–84°N, Sentinel-2 land coverage) and at
least --min-distance metres from every other (default 1825 m, so that no two 1280 m tiles overlap even
in different UTM zones); --within GEOJSON keeps only points inside the footprints (`--within embedded`:
the embedded catalog's footprints, exported by the builder). Points that are
turned down are written with their reason, never dropped silently.

Outputs, next to OUT (e.g. pool.parquet): the pool (tile_id, lat, long, stratum, source, climate, igbp,
country, continent, ...), pool.rejected.parquet, pool.summary.json and a map pool.png; a summary is
printed. With --merge an existing OUT is extended without duplicating or moving its rows. Same --seed
and inputs give the same pool; a tile_id depends only on the coordinates.

Examples:

  geomeld sample pool.parquet --stratified 10000 --quota area --seed 1
  geomeld sample pool.parquet --merge --anchors skyscript=skyscript_coords.csv --fill 2000
  geomeld sample demo.parquet --config configs/sample/embedded.yaml
  geomeld sample demo.parquet --within embedded --stratified 12 --anchors mine=points.geojson
"""


def sample(
    out: Path = typer.Argument(..., help="Pool Parquet to write (or extend with --merge)."),
    config: Path | None = config_option("Sample config YAML (configs/sample/*.yaml)."),
    sets: list[str] = set_option(),
    stratified: int | None = typer.Option(None, "--stratified", help="Number of stratified points."),
    quota: str | None = typer.Option(
        None, "--quota", help="uniform | area | path to a YAML of {stratum: count} (custom quotas)."
    ),
    anchors: list[str] | None = typer.Option(
        None, "--anchors", help="Anchor file (CSV/GeoJSON/Parquet), or NAME=FILE; repeatable."
    ),
    lat_col: str | None = typer.Option(None, "--lat-col", help="Latitude column of the anchor files."),
    lon_col: str | None = typer.Option(None, "--lon-col", help="Longitude column of the anchor files."),
    fill: int | None = typer.Option(None, "--fill", help="Number of points to add in the sparsest regions."),
    fill_by: str | None = typer.Option(None, "--fill-by", help="cell (1° land cells) | continent."),
    within: Path | None = typer.Option(
        None, "--within", help="GeoJSON polygons the points must lie in, or 'embedded'."
    ),
    within_inset: float | None = typer.Option(
        None,
        "--within-inset",
        help="Shrink the --within polygons by this many metres (905 = whole tile inside).",
    ),
    per_footprint: bool = typer.Option(
        False, "--per-footprint", help="Split --stratified equally over the --within features."
    ),
    min_distance: float | None = typer.Option(
        None, "--min-distance", help="Minimum distance between tile centres (m)."
    ),
    lat_range: tuple[float, float] | None = typer.Option(
        None, "--lat-range", help="South and north latitude limits."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default 0)."),
    merge: bool = typer.Option(
        False, "--merge", help="Add to an existing OUT instead of refusing to overwrite it."
    ),
    no_map: bool = typer.Option(False, "--no-map", help="Do not draw the PNG map."),
) -> None:
    from geomeld.sampling.config import AnchorSource, SampleConfig, load_config
    from geomeld.sampling.report import print_summary
    from geomeld.sampling.run import run

    cfg = load_config(config, sets)
    updates: dict[str, object] = {}
    if quota is not None:
        if quota in ("uniform", "area"):
            updates["quota"] = quota
        else:
            updates.update(quota="custom", quota_file=Path(quota))
    if anchors:
        specs = [AnchorSource.parse(a) for a in anchors]
        updates["anchors"] = [s.model_copy(update={"lat_col": lat_col, "lon_col": lon_col}) for s in specs]
    for key, value in (
        ("stratified", stratified),
        ("fill", fill),
        ("fill_by", fill_by),
        ("within", within),
        ("within_inset_m", within_inset),
        ("min_distance_m", min_distance),
        ("lat_range", lat_range),
        ("seed", seed),
    ):
        if value is not None:
            updates[key] = value
    if no_map:
        updates["map"] = False
    if per_footprint:
        updates["per_footprint"] = True
    cfg = SampleConfig.model_validate({**cfg.model_dump(), **updates})
    if cfg.stratified == 0 and cfg.fill == 0 and not cfg.anchors and cfg.quota != "custom":
        # A usage error (exit 2); file and value errors of the run go to the one CLI handler (exit 1).
        typer.echo(
            "error: nothing to do: give --stratified N, --anchors FILE, --fill N or a custom --quota",
            err=True,
        )
        raise typer.Exit(2)
    report = run(cfg, out, merge=merge)
    import pyarrow.parquet as pq

    table = pq.read_table(report.out)
    print_summary(report, table, cfg)
    require_some(table.num_rows, "anchor sampled", report.out)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("sample", help=SAMPLE_HELP)(sample)
