"""Anchor import from CSV / GeoJSON / (Geo)Parquet, column detection and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geomeld.sampling.anchors import AnchorFileError, read_anchors

DATA = Path(__file__).parents[1] / "data" / "anchors_files"
EXPECTED_LAT = [48.85, -3.5, 23.0, 42.0, 30.0, 89.9, 48.8513, -33.87]
EXPECTED_LON = [2.35, -62.0, 12.0, -93.5, -40.0, 0.0, 2.3505, 151.2]


@pytest.mark.parametrize("name", ["anchors.csv", "anchors.geojson", "anchors.parquet", "anchors_geo.parquet"])
def test_every_format_gives_the_same_points(name: str) -> None:
    a = read_anchors(DATA / name)
    assert a.name == Path(name).stem
    np.testing.assert_allclose(a.lat, EXPECTED_LAT)
    np.testing.assert_allclose(a.lon, EXPECTED_LON)
    assert a.row.tolist() == list(range(8))


def test_polygon_tiles_give_their_centroids() -> None:
    a = read_anchors(DATA / "tiles_polygons.geojson", name="mmearth")
    np.testing.assert_allclose(a.lat, EXPECTED_LAT[:3], atol=1e-9)
    np.testing.assert_allclose(a.lon, EXPECTED_LON[:3], atol=1e-9)


def test_explicit_columns_override_detection(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("y_deg,x_deg\n10.5,20.25\n,3\n")
    a = read_anchors(p, lat_col="y_deg", lon_col="x_deg")
    assert a.lat[0] == 10.5 and a.lon[0] == 20.25
    assert np.isnan(a.lat[1])  # empty cell: kept as NaN so the pool records it as rejected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad_no_coordinate_columns.csv",
            r"no latitude column .*columns are \['name', 'x', 'y'\].*--lat-col",
        ),
        ("bad_two_lat_columns.csv", r"several latitude columns \['lat', 'latitude'\]"),
        ("bad_text_in_lat.csv", r"column 'lat', row 3: 'north' is not a number"),
        ("bad_empty.csv", r"empty file"),
        ("bad_header_only.csv", r"no anchor rows"),
        ("bad_line.geojson", r"feature 0 has geometry type 'LineString'"),
        ("bad_not_json.geojson", r"not valid JSON"),
        ("bad_format.xlsx", r"unknown anchor format '.xlsx'"),
        ("missing.csv", r"does not exist"),
    ],
)
def test_bad_files_raise_errors_naming_file_and_problem(name: str, message: str) -> None:
    with pytest.raises(AnchorFileError, match=message) as exc:
        read_anchors(DATA / name)
    assert name in str(exc.value)


def test_unknown_explicit_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(AnchorFileError, match=r"no column 'LAT_WGS84' \(latitude\)"):
        read_anchors(DATA / "anchors.parquet", lat_col="LAT_WGS84")
