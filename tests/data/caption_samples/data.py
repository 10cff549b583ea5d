"""Deterministic generator of the real-data caption fixtures (run from the repo root):

    .venv/bin/python tests/data/caption_samples/data.py

Reads ``../shared/data`` (``GEOMELD_SHARED_DATA``) and writes ``samples.npz`` + ``samples.json`` here:
small, real, composite GeoMeld-like samples whose signals were hand-checked in the tests.

* ``brandenburg_*``: 128 × 128 windows of the real Sentinel-2 L1C tile T33UUU (2017-02-16; bands B3,
  B4, B8, B11 at 10 m, B11 nearest-upsampled from 20 m) with the OSM land-use polygons of the same
  area rasterised to ESA WorldCover codes and Dynamic World indices (forest → trees, scrub → shrub,
  grass/meadow → grass, farm → crops, residential → built, water → water, wetland → herbaceous
  wetland / flooded vegetation; unlabelled = no-data); ``osm_tags`` = the OSM land-use values of the
  polygons in the window. No DEM (exercises the missing-terrain path).
* ``slovenia``: the eo-learn TestEOPatch DEM (664–801 m) and its LULC labels mapped to WorldCover /
  Dynamic World, padded with no-data from 101 × 100 to 128 × 128.
* ``saotome_*``: 1280 m windows of the Copernicus GLO-30 DEM tile N00 E006 (about 30 m posting,
  bilinearly resampled ×3 to 10 m; slope computed): a mountain window and a flat coastal-plain one.
* ``vaduz.osm.pbf``: the OSM objects within about 2 km of central Vaduz, cut from the Liechtenstein
  extract (2022-07-24) with pyosmium, for OSM-tag tests.
* ``bigearthnet``: BigEarthNet patch 33UUP_87_48 (2017-06-13) S2 L2A 12 bands + S1 VV/VH (dB) in the
  descending slots, 120 px padded to 128 with no-data.

Attribution: Copernicus Sentinel data 2017; OSM © OpenStreetMap contributors (ODbL 1.0); eo-learn
(MIT); Copernicus DEM GLO-30 © DLR/Airbus, free with attribution; BigEarthNet (CDLA-Permissive-1.0).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import numpy as np

from tools.embedded import OSM_TO_DYNAMIC_WORLD, OSM_TO_WORLDCOVER

HERE = Path(__file__).resolve().parent
NPZ = HERE / "samples.npz"
META = HERE / "samples.json"
SIZE = 128

# The builder's OSM land-use → WorldCover / Dynamic World stand-in codes (one table for both).
WC = OSM_TO_WORLDCOVER
DW = OSM_TO_DYNAMIC_WORLD
OSM_TAG = {
    "forest": ("landuse", "forest"),
    "scrub": ("natural", "scrub"),
    "grass": ("landuse", "grass"),
    "meadow": ("landuse", "meadow"),
    "farm": ("landuse", "farmland"),
    "residential": ("landuse", "residential"),
    "water": ("natural", "water"),
    "wetland": ("natural", "wetland"),
}
# eo-learn LULC legend → WorldCover / Dynamic World
SLO_WC = {1: 40, 2: 10, 3: 30, 4: 20, 5: 80, 6: 90, 7: 100, 8: 50, 9: 60, 10: 70}
SLO_DW = {1: 4, 2: 1, 3: 2, 4: 5, 5: 0, 6: 3, 8: 6, 9: 7, 10: 8}


def _shared() -> Path:
    return Path(os.environ.get("GEOMELD_SHARED_DATA", HERE.parents[3] / "shared" / "data"))


def _gpkg_polygons(path: Path) -> list[tuple[str, bytes]]:
    con = sqlite3.connect(path)
    (table,) = con.execute("select table_name from gpkg_contents").fetchone()
    cols = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
    geom_col = next(c for c in cols if c.lower() in ("geom", "geometry", "shape"))
    rows = con.execute(f'select fclass, "{geom_col}" from "{table}"').fetchall()
    out = []
    for fclass, blob in rows:
        flags = blob[3]
        env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
        out.append((fclass, bytes(blob[8 + env :])))
    return out


def _brandenburg(shared: Path) -> list[dict]:
    import rasterio
    import shapely
    from rasterio.features import rasterize

    root = shared / "s2_l1c_brandenburg_osm"
    bands = {}
    for b in ("B03", "B04", "B08", "B11"):
        with rasterio.open(root / "IMG_DATA" / f"T33UUU_20170216T102101_{b}.jp2") as ds:
            arr = ds.read(1).astype(np.float32)
            if b == "B08":
                transform, shape = ds.transform, arr.shape
        bands[b] = np.repeat(np.repeat(arr, 2, 0), 2, 1) if b == "B11" else arr
    polys = [
        (f, shapely.from_wkb(w))
        for f, w in _gpkg_polygons(root / "gis_osm_landuse-water_a_free_1_area-10000-to-500000.gpkg")
    ]
    fclasses = sorted(WC)
    fidx = rasterize(
        [(g, fclasses.index(f) + 1) for f, g in polys],
        out_shape=shape,
        transform=transform,
        fill=0,
        dtype="uint8",
    )
    lut_wc = np.array([0] + [WC[f] for f in fclasses], dtype=np.uint8)
    lut_dw = np.array([255] + [DW[f] for f in fclasses], dtype=np.uint8)
    windows = []
    for r in range(0, shape[0] - SIZE + 1, SIZE):
        for c in range(0, shape[1] - SIZE + 1, SIZE):
            w = fidx[r : r + SIZE, c : c + SIZE]
            windows.append((int((w > 0).sum()), r, c))
    windows.sort(reverse=True)
    # the 5 best-labelled windows plus the window with the most water
    picks = [(r, c) for _, r, c in windows[:5]]
    water_i = fclasses.index("water") + 1
    wr, wc_ = max(
        ((r, c) for _, r, c in windows),
        key=lambda rc: int((fidx[rc[0] : rc[0] + SIZE, rc[1] : rc[1] + SIZE] == water_i).sum()),
    )
    if (wr, wc_) not in picks:
        picks.append((wr, wc_))
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:32633", "EPSG:4326", always_xy=True)
    out = []
    for i, (r, c) in enumerate(picks):
        w = fidx[r : r + SIZE, c : c + SIZE]
        x, y = transform * (c + SIZE / 2, r + SIZE / 2)
        lon, lat = to_ll.transform(x, y)
        tags: dict[str, set[str]] = {}
        for k in np.unique(w[w > 0]):
            key, val = OSM_TAG[fclasses[k - 1]]
            tags.setdefault(key, set()).add(val)
        out.append(
            {
                "key": f"brandenburg_{i}",
                "lat": round(lat, 6),
                "long": round(lon, 6),
                "acquisition_date": "2017-02-16",
                "osm_tags": {k: sorted(v) for k, v in sorted(tags.items())},
                "arrays": {
                    "esa_worldcover": lut_wc[w][None],
                    "dynamic_world": lut_dw[w][None],
                    "sentinel2_B3_B4_B8_B11": np.stack(
                        [bands[b][r : r + SIZE, c : c + SIZE] for b in ("B03", "B04", "B08", "B11")]
                    ).astype(np.uint16),
                },
            }
        )
    return out


def _slovenia(shared: Path) -> dict:
    root = shared / "eolearn_testeopatch_slovenia"
    dem = np.load(root / "data_timeless" / "DEM.npy")[..., 0].astype(np.float32)
    lulc = np.load(root / "mask_timeless" / "LULC.npy")[..., 0].astype(np.int64)
    h, w = dem.shape
    elev = np.full((SIZE, SIZE), np.nan, dtype=np.float32)
    elev[:h, :w] = dem
    wc = np.zeros((SIZE, SIZE), dtype=np.uint8)
    dw = np.full((SIZE, SIZE), 255, dtype=np.uint8)
    wc[:h, :w] = np.vectorize(lambda v: SLO_WC.get(int(v), 0))(lulc)
    dw[:h, :w] = np.vectorize(lambda v: SLO_DW.get(int(v), 255))(lulc)
    return {
        "key": "slovenia",
        "lat": 45.86,
        "long": 14.56,
        "acquisition_date": "2017-07-14",
        "osm_tags": {},
        "arrays": {"elevation": elev, "esa_worldcover": wc[None], "dynamic_world": dw[None]},
    }


def _saotome(shared: Path) -> list[dict]:
    import rasterio
    from scipy.ndimage import zoom

    with rasterio.open(
        shared / "dem_copernicus_glo30" / "Copernicus_DSM_COG_10_N00_00_E006_00_DEM.tif"
    ) as ds:
        dem = ds.read(1).astype(np.float32)
        t = ds.transform
    n = 43  # 43 px × ~30 m ≈ 1290 m; ×3 → 129 px, cut to 128
    out = []
    # mountain: the land window with the largest relief; plain: the one with the smallest
    best = None
    plain = None
    for r in range(0, dem.shape[0] - n, n):
        for c in range(0, dem.shape[1] - n, n):
            win = dem[r : r + n, c : c + n]
            if (win <= 0).any():
                continue
            relief = float(win.max() - win.min())
            if best is None or relief > best[0]:
                best = (relief, r, c)
            if plain is None or relief < plain[0]:
                plain = (relief, r, c)
    for name, pick in (("saotome_mountain", best), ("saotome_plain", plain)):
        assert pick is not None
        _, r, c = pick
        z = zoom(dem[r : r + n, c : c + n], 3, order=1)[:SIZE, :SIZE].astype(np.float32)
        lon, lat = t * (c + n / 2, r + n / 2)
        out.append(
            {
                "key": name,
                "lat": round(lat, 6),
                "long": round(lon, 6),
                "acquisition_date": "2020-09-24",
                "osm_tags": {},
                "arrays": {"elevation": z},
            }
        )
    return out


def _bigearthnet(shared: Path) -> dict:
    import rasterio
    from scipy.ndimage import zoom

    root = shared / "bigearthnet_s1s2_examples"
    s2dir = root / "BigEarthNet-S2-Example" / "S2A_MSIL2A_20170613T101031_87_48"
    s1dir = root / "BigEarthNet-S1-Example" / "S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48"
    names = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12"]
    s2 = np.full((12, SIZE, SIZE), np.nan, dtype=np.float32)
    for i, b in enumerate(names):
        with rasterio.open(next(s2dir.glob(f"*_{b}.tif"))) as ds:
            a = ds.read(1).astype(np.float32)
        a = zoom(a, 120 / a.shape[0], order=0)
        s2[i, :120, :120] = a
    s1 = np.full((2, SIZE, SIZE), np.nan, dtype=np.float32)
    for i, p in enumerate(("VV", "VH")):
        with rasterio.open(next(s1dir.glob(f"*_{p}.tif"))) as ds:
            s1[i, :120, :120] = ds.read(1).astype(np.float32)
    return {
        "key": "bigearthnet",
        "lat": 52.47,
        "long": 12.62,
        "acquisition_date": "2017-06-13",
        "osm_tags": {},
        "arrays": {"sentinel2": s2, "sentinel1_VV_VH_desc": s1},
    }


VADUZ = (47.1410, 9.5215)
VADUZ_PBF = HERE / "vaduz.osm.pbf"


def _vaduz_osm(shared: Path) -> None:
    """OSM within ±2 km of central Vaduz (tagged nodes, ways touching the box, and their nodes)."""
    import osmium

    src = str(shared / "osm_liechtenstein" / "liechtenstein.osm.pbf")
    lat0, lon0 = VADUZ
    dlat, dlon = 0.019, 0.028  # ≈ 2.1 km each way: covers the 1920 m buffer

    def inside(lat: float, lon: float) -> bool:
        return abs(lat - lat0) < dlat and abs(lon - lon0) < dlon

    if VADUZ_PBF.exists():
        VADUZ_PBF.unlink()
    with osmium.BackReferenceWriter(str(VADUZ_PBF), ref_src=src, overwrite=True) as writer:
        for obj in osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY).with_locations():
            if obj.is_node():
                if obj.tags and obj.location.valid() and inside(obj.location.lat, obj.location.lon):
                    writer.add(obj)
            elif any(n.location.valid() and inside(n.lat, n.lon) for n in obj.nodes):
                writer.add(obj)


def generate() -> None:
    shared = _shared()
    _vaduz_osm(shared)
    records = [*_brandenburg(shared), _slovenia(shared), *_saotome(shared), _bigearthnet(shared)]
    arrays = {}
    meta = []
    for rec in records:
        for name, arr in rec.pop("arrays").items():
            arrays[f"{rec['key']}/{name}"] = arr
        meta.append(rec)
    np.savez_compressed(NPZ, **arrays)
    META.write_text(json.dumps(meta, indent=1) + "\n")


def load_samples() -> dict:
    """The committed fixtures as :class:`geomeld.core.sample.Sample` objects (standard layout; modalities a
    fixture lacks are all no-data, exactly as a shard stores them), by key."""
    from geomeld.core.modalities import LAYOUTS, MODALITIES
    from geomeld.core.sample import Sample, SampleMetadata
    from geomeld.signals.terrain import slope_degrees

    data = np.load(NPZ)
    meta = json.loads(META.read_text())
    out = {}
    for i, rec in enumerate(meta):
        key = rec["key"]
        arrays: dict[str, np.ndarray] = {}
        for name in data.files:
            if not name.startswith(key + "/"):
                continue
            kind = name.split("/", 1)[1]
            a = data[name]
            if kind in ("esa_worldcover", "dynamic_world", "sentinel2"):
                arrays[kind] = a
            elif kind == "elevation":
                arrays["aster"] = np.stack([a, slope_degrees(a, 10.0).astype(np.float32)])
            elif kind == "sentinel2_B3_B4_B8_B11":
                s2 = MODALITIES["sentinel2"].empty()
                for j, b in enumerate(("B3", "B4", "B8", "B11")):
                    s2[MODALITIES["sentinel2"].band_names.index(b)] = a[j].astype(np.float32)
                arrays["sentinel2"] = s2
            elif kind == "sentinel1_VV_VH_desc":
                s1 = MODALITIES["sentinel1"].empty()
                s1[MODALITIES["sentinel1"].band_names.index("VV_desc")] = a[0]
                s1[MODALITIES["sentinel1"].band_names.index("VH_desc")] = a[1]
                arrays["sentinel1"] = s1
        for modality in LAYOUTS["standard"].modalities():
            arrays.setdefault(
                modality.key, modality.empty()
            )  # a missing modality is all no-data, as in shards
        md = SampleMetadata(
            tile_id=1000 + i,
            lat=rec["lat"],
            long=rec["long"],
            acquisition_date=rec["acquisition_date"],
            osm_tags=rec["osm_tags"],
            band_names={k: list(MODALITIES[k].band_names) for k in arrays},
        )
        out[key] = Sample(key=key, arrays=arrays, metadata=md)
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    generate()
    print(f"wrote {NPZ} ({NPZ.stat().st_size} bytes) and {META}")
