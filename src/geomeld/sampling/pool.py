"""The coordinate pool table (Parquet) and the table of rejected points with their reasons.

Pool columns (one row per tile centre; ``geomeld build --anchors`` reads ``tile_id, lat, long``):

=============== ======= ===========================================================================
``tile_id``     int64   stable id from the coordinates (:mod:`geomeld.sampling.ids`)
``lat``         float64 latitude, quantised to 1e-5°
``long``        float64 longitude, quantised to 1e-5°, in [-180, 180)
``stratum``     string  Köppen × IGBP stratum at the point, e.g. ``B-16`` (``""`` if none)
``source``      string  ``stratified`` / ``anchor:<name>`` / ``fill`` / whatever an existing pool said
``climate``     string  Köppen main group letter A–E (``""`` if none)
``climate_name`` string e.g. ``arid``
``igbp``        int16   MODIS IGBP class code (0 water … 16 barren, 255 no data)
``igbp_name``   string  e.g. ``barren``
``country``     string  Natural Earth country name (``""`` if none within the snap distance)
``country_iso`` string  ISO 3166-1 alpha-3
``continent``   string  Natural Earth continent
``geometry``    binary  WKB point (lon, lat); with the ``geo`` metadata the file is GeoParquet 1.0
=============== ======= ===========================================================================

Rejected points (``<pool>.rejected.parquet``): ``lat, long, source, input_row, reason, conflict_tile_id``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geomeld.geo import reference as ref
from geomeld.sampling.ids import tile_ids
from geomeld.sampling.strata import strata_names

POOL_COLUMNS = (
    "tile_id",
    "lat",
    "long",
    "stratum",
    "source",
    "climate",
    "climate_name",
    "igbp",
    "igbp_name",
    "country",
    "country_iso",
    "continent",
)
REQUIRED_COLUMNS = ("tile_id", "lat", "long", "source")
REJECTED_COLUMNS = ("lat", "long", "source", "input_row", "reason", "conflict_tile_id")


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("tile_id", pa.int64()),
            ("lat", pa.float64()),
            ("long", pa.float64()),
            ("stratum", pa.string()),
            ("source", pa.string()),
            ("climate", pa.string()),
            ("climate_name", pa.string()),
            ("igbp", pa.int16()),
            ("igbp_name", pa.string()),
            ("country", pa.string()),
            ("country_iso", pa.string()),
            ("continent", pa.string()),
        ]
    )


def pool_table(lat: NDArray[np.float64], lon: NDArray[np.float64], source: list[str]) -> Any:
    """A pool table for (already quantised, eligible) points, annotated from the reference layers."""
    import pyarrow as pa

    if lat.size == 0:
        return _schema().empty_table()
    k_code = ref.koppen_code(lat, lon)
    g_code = ref.igbp_code(lat, lon)
    c = ref.country_at(lat, lon)
    return pa.table(
        {
            "tile_id": tile_ids(lat, lon),
            "lat": lat,
            "long": lon,
            "stratum": strata_names(k_code, g_code),
            "source": source,
            "climate": [ref.KOPPEN_GROUPS.get(int(v), ("", ""))[0] for v in k_code],
            "climate_name": [ref.KOPPEN_GROUPS.get(int(v), ("", ""))[1] for v in k_code],
            "igbp": g_code.astype(np.int16),
            "igbp_name": [ref.IGBP_CLASSES.get(int(v), "") for v in g_code],
            "country": c.name.astype(str),
            "country_iso": c.iso_a3.astype(str),
            "continent": c.continent.astype(str),
        },
        schema=_schema(),
    )


def read_pool(path: str | Path) -> Any:
    """Read an existing pool; a clear error names the file and the missing columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = Path(path)
    try:
        table = pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"pool file {p}: not a readable Parquet file ({exc})") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"pool file {p}: missing column(s) {missing}; a pool needs {list(REQUIRED_COLUMNS)}")
    for name, ok, want in (
        ("tile_id", pa.types.is_integer, "int64 ids as written by geomeld sample"),
        ("lat", pa.types.is_floating, "float degrees"),
        ("long", pa.types.is_floating, "float degrees"),
    ):
        if not ok(table.schema.field(name).type):
            raise ValueError(
                f"pool file {p}: column {name!r} is {table.schema.field(name).type}, expected {want}"
            )
    if table.num_rows and table.column("tile_id").null_count:
        raise ValueError(f"pool file {p}: column 'tile_id' has empty values")
    if len(set(table.column("tile_id").to_pylist())) != table.num_rows:
        raise ValueError(f"pool file {p}: duplicate tile_id values")
    return table


def concat_pools(existing: Any, new: Any) -> Any:
    """Existing rows first (kept as they are), then the new rows; columns of the pool schema only."""
    import pyarrow as pa

    if existing is None:
        return new
    cols = {}
    for field in _schema():
        if field.name in existing.column_names:
            cols[field.name] = existing.column(field.name).cast(field.type)
        else:
            cols[field.name] = pa.nulls(existing.num_rows, field.type)
    return pa.concat_tables([pa.table(cols, schema=_schema()), new])


GEOPARQUET_META = {
    "version": "1.0.0",
    "primary_column": "geometry",
    "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},  # no crs: OGC:CRS84
}


def as_geoparquet(table: Any) -> Any:
    """The pool with a WKB point ``geometry`` column (from lat/long) and GeoParquet 1.0 metadata,
    so GIS tools (QGIS, GeoPandas, DuckDB spatial) open it as points."""
    import json

    import pyarrow as pa
    import shapely

    if "geometry" in table.column_names:
        table = table.drop_columns(["geometry"])
    lat = np.asarray(table.column("lat").to_numpy(zero_copy_only=False), dtype=np.float64)
    lon = np.asarray(table.column("long").to_numpy(zero_copy_only=False), dtype=np.float64)
    wkb = shapely.to_wkb(shapely.points(lon, lat)) if lat.size else np.zeros(0, dtype=object)
    table = table.append_column("geometry", pa.array(list(wkb), type=pa.binary()))
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(GEOPARQUET_META).encode()
    return table.replace_schema_metadata(meta)


def rejected_table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("lat", pa.float64()),
            ("long", pa.float64()),
            ("source", pa.string()),
            ("input_row", pa.int64()),
            ("reason", pa.string()),
            ("conflict_tile_id", pa.int64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def publish_tmp(tmp: str | Path, path: str | Path) -> None:
    """Give a ``mkstemp`` file the usual permissions (``0666 & ~umask``, not 0600) and move it into place."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_parquet_atomic(table: Any, path: str | Path) -> None:
    """Write ``table`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    import pyarrow.parquet as pq

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        publish_tmp(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
