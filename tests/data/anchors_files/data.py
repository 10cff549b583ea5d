#!/usr/bin/env python3
"""Deterministic generator of the anchor-import fixtures (run from anywhere; writes next to itself).

Good files hold the same eight points in four formats: five eligible land anchors, one in the Atlantic,
one at the North Pole, one 150 m from Paris (an overlap). Bad files each have one problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

HERE = Path(__file__).resolve().parent

POINTS = [  # name, lat, lon
    ("paris", 48.85, 2.35),
    ("amazon", -3.5, -62.0),
    ("sahara", 23.0, 12.0),
    ("iowa", 42.0, -93.5),
    ("atlantic", 30.0, -40.0),
    ("north_pole", 89.9, 0.0),
    ("paris_again", 48.8513, 2.3505),
    ("sydney", -33.87, 151.2),
]


def main() -> None:
    names = [p[0] for p in POINTS]
    lats = [p[1] for p in POINTS]
    lons = [p[2] for p in POINTS]
    rows = "\n".join(f"{n},{a},{b},x" for n, a, b in POINTS)
    (HERE / "anchors.csv").write_text("name,Latitude,LNG,extra\n" + rows + "\n")
    feats = [
        {"type": "Feature", "properties": {"name": n}, "geometry": {"type": "Point", "coordinates": [b, a]}}
        for n, a, b in POINTS
    ]
    (HERE / "anchors.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, indent=1)
    )
    pq.write_table(pa.table({"name": names, "lat": lats, "lon": lons}), HERE / "anchors.parquet")
    wkb = [shapely.to_wkb(shapely.Point(b, a)) for a, b in zip(lats, lons, strict=True)]
    pq.write_table(pa.table({"name": names, "geometry": wkb}), HERE / "anchors_geo.parquet")
    # MMEarth-style tile polygons (1.3 km squares): anchors are their centroids
    tiles = [
        {
            "type": "Feature",
            "properties": {},
            "geometry": shapely.geometry.mapping(shapely.box(b - 0.006, a - 0.006, b + 0.006, a + 0.006)),
        }
        for _, a, b in POINTS[:3]
    ]
    (HERE / "tiles_polygons.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": tiles}))
    # bad files
    (HERE / "bad_no_coordinate_columns.csv").write_text("name,x,y\nparis,2.35,48.85\n")
    (HERE / "bad_two_lat_columns.csv").write_text("lat,latitude,lon\n48.85,48.85,2.35\n")
    (HERE / "bad_text_in_lat.csv").write_text("lat,lon\n48.85,2.35\nnorth,2.0\n")
    (HERE / "bad_empty.csv").write_text("")
    (HERE / "bad_header_only.csv").write_text("lat,lon\n")
    (HERE / "bad_line.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                    }
                ],
            }
        )
    )
    (HERE / "bad_not_json.geojson").write_text("{not json")
    (HERE / "bad_format.xlsx").write_text("binary?")
    # footprints for --within: a box around Paris and one in Iowa (each ~0.2° wide)
    fp = [
        {
            "type": "Feature",
            "properties": {"id": "paris"},
            "geometry": shapely.geometry.mapping(shapely.box(2.2, 48.75, 2.5, 48.95)),
        },
        {
            "type": "Feature",
            "properties": {"id": "iowa"},
            "geometry": shapely.geometry.mapping(shapely.box(-93.6, 41.9, -93.4, 42.1)),
        },
    ]
    (HERE / "footprints.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": fp}, indent=1)
    )
    (HERE / "custom_quotas.yaml").write_text("quotas:\n  C-12: 3\n  D-12: 2\n  B-16: 4\n")
    (HERE / "bad_quotas.yaml").write_text("quotas:\n  Z-99: 3\n")


if __name__ == "__main__":
    main()
