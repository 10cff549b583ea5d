"""Import anchor coordinates (e.g. MMEarth or SkyScript tile centres) from CSV, GeoJSON or (Geo)Parquet.

Columns are found by name, case-insensitively: latitude from ``lat`` / ``latitude``, longitude from
``lon`` / ``long`` / ``lng`` / ``longitude`` (or pass them explicitly). GeoJSON takes Point geometries
(Polygon tiles, as MMEarth writes them, give their centroid); Parquet without such columns may carry a
WKB ``geometry`` column (GeoParquet). A file that cannot be read, has no rows, lacks a coordinate
column or holds text where numbers belong raises an error naming the file, the column and the row.
Rows whose coordinate is empty come back as NaN, so the pool records them as rejected with a reason.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geomeld.core.errors import GeomeldError

log = logging.getLogger(__name__)

LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("lon", "long", "lng", "longitude")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
GEOJSON_SUFFIXES = (".geojson", ".json")
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")


class AnchorFileError(GeomeldError, ValueError):
    """An anchor file that cannot be used as it is; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Anchors:
    """Coordinates read from one file; ``row`` is each point's 0-based row / feature number there."""

    name: str
    path: Path
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    row: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.lat.size)


def find_column(
    columns: list[str], wanted: tuple[str, ...], explicit: str | None, what: str, path: Path
) -> str:
    """The column holding ``what`` (latitude / longitude): the explicit name, or the unique alias match."""
    if explicit is not None:
        if explicit not in columns:
            raise AnchorFileError(f"{path}: no column {explicit!r} ({what}); columns are {columns}")
        return explicit
    hits = [c for c in columns if c.strip().lower() in wanted]
    if len(hits) == 1:
        return hits[0]
    flag = "--lat-col" if what == "latitude" else "--lon-col"
    if not hits:
        raise AnchorFileError(
            f"{path}: no {what} column (looked for {', '.join(wanted)}, any case); "
            f"columns are {columns}. Name it with {flag}."
        )
    raise AnchorFileError(f"{path}: several {what} columns {hits}; choose one with {flag}")


def _numbers(values: list[Any], path: Path, column: str, row_offset: int) -> NDArray[np.float64]:
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise AnchorFileError(
                f"{path}: column {column!r}, row {i + row_offset}: {v!r} is not a number"
            ) from None
    return out


def _from_table(
    table: Any, path: Path, lat_col: str | None, lon_col: str | None, row_offset: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    columns = list(table.column_names)
    la = find_column(columns, LAT_NAMES, lat_col, "latitude", path)
    lo = find_column(columns, LON_NAMES, lon_col, "longitude", path)
    return (
        _numbers(table.column(la).to_pylist(), path, la, row_offset),
        _numbers(table.column(lo).to_pylist(), path, lo, row_offset),
    )


def _read_csv(
    path: Path, lat_col: str | None, lon_col: str | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if path.stat().st_size == 0:
        raise AnchorFileError(f"{path}: empty file (expected a header row and coordinate rows)")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh, delimiter=delimiter), [])
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AnchorFileError(f"{path}: not a readable CSV ({exc})") from exc
    return _from_table(table, path, lat_col, lon_col, row_offset=2)  # row numbers as lines: header is line 1


def _point_of(geom: dict[str, Any] | None, path: Path, i: int) -> list[tuple[float, float]]:
    import shapely

    if geom is None:
        return [(np.nan, np.nan)]
    kind = geom.get("type")
    coords = geom.get("coordinates")
    try:
        if kind == "Point":
            return [(float(coords[1]), float(coords[0]))]  # type: ignore[index]
        if kind == "MultiPoint":
            return [(float(c[1]), float(c[0])) for c in coords]  # type: ignore[union-attr]
        if kind in ("Polygon", "MultiPolygon"):
            c = shapely.geometry.shape(geom).centroid
            return [(float(c.y), float(c.x))]
    except (TypeError, IndexError, ValueError) as exc:
        raise AnchorFileError(f"{path}: feature {i}: malformed {kind} coordinates ({exc})") from None
    raise AnchorFileError(f"{path}: feature {i} has geometry type {kind!r}; expected Point or Polygon")


def _read_geojson(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    text = path.read_text()
    if not text.strip():
        raise AnchorFileError(f"{path}: empty file (expected a GeoJSON FeatureCollection)")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnchorFileError(f"{path}: not valid JSON ({exc})") from exc
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise AnchorFileError(f"{path}: FeatureCollection without a 'features' list")
        geoms = [f.get("geometry") if isinstance(f, dict) else None for f in feats]
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        geoms = [doc.get("geometry")]
    elif isinstance(doc, dict) and "coordinates" in doc:
        geoms = [doc]
    else:
        raise AnchorFileError(f"{path}: not a GeoJSON FeatureCollection, Feature or geometry")
    lat: list[float] = []
    lon: list[float] = []
    rows: list[int] = []
    n_poly = 0
    for i, g in enumerate(geoms):
        pts = _point_of(g, path, i)
        n_poly += int(isinstance(g, dict) and g.get("type") in ("Polygon", "MultiPolygon"))
        for a, b in pts:
            lat.append(a)
            lon.append(b)
            rows.append(i)
    if n_poly:
        log.info("%s: %d polygon features; using their centroids as anchors", path, n_poly)
    return np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64), np.array(rows, dtype=np.int64)


def _read_parquet(
    path: Path, lat_col: str | None, lon_col: str | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise AnchorFileError(f"{path}: not a readable Parquet file ({exc})") from exc
    columns = list(table.column_names)
    has_cols = lat_col is not None or any(c.strip().lower() in LAT_NAMES for c in columns)
    if has_cols or "geometry" not in columns:
        return _from_table(table, path, lat_col, lon_col, row_offset=0)
    try:
        geoms = shapely.from_wkb(table.column("geometry").to_pylist())
    except Exception as exc:
        raise AnchorFileError(f"{path}: column 'geometry' is not WKB ({exc})") from exc
    lat = np.full(len(geoms), np.nan)
    lon = np.full(len(geoms), np.nan)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        if g.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            raise AnchorFileError(
                f"{path}: column 'geometry', row {i}: {g.geom_type}; expected Point or Polygon"
            )
        c = g if g.geom_type == "Point" else g.centroid
        lat[i], lon[i] = c.y, c.x
    return lat, lon


def read_anchors(
    path: str | Path, name: str | None = None, lat_col: str | None = None, lon_col: str | None = None
) -> Anchors:
    """Read anchor coordinates from a CSV, GeoJSON or (Geo)Parquet file (format from the suffix)."""
    p = Path(path)
    if not p.is_file():
        raise AnchorFileError(f"anchor file {p} does not exist")
    suffix = p.suffix.lower()
    if suffix in CSV_SUFFIXES:
        lat, lon = _read_csv(p, lat_col, lon_col)
        rows = np.arange(lat.size, dtype=np.int64)
    elif suffix in GEOJSON_SUFFIXES:
        lat, lon, rows = _read_geojson(p)
    elif suffix in PARQUET_SUFFIXES:
        lat, lon = _read_parquet(p, lat_col, lon_col)
        rows = np.arange(lat.size, dtype=np.int64)
    else:
        raise AnchorFileError(
            f"{p}: unknown anchor format {suffix!r}; use one of "
            f"{', '.join(CSV_SUFFIXES + GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    if lat.size == 0:
        raise AnchorFileError(f"{p}: no anchor rows")
    return Anchors(name or p.stem, p, lat, lon, rows)
