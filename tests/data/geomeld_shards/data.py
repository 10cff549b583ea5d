#!/usr/bin/env python3
"""Write tiny GeoMeld shards laid out like the released dataset (torchgeo-style fixture generator).

Deliberately independent of geomeld's writer: plain ``h5py`` + ``tarfile``, so the tests prove that
our reader understands files made by someone else. Layout, per the GeoMeld dataset card:

* ``geomeld-00000_n.tar``: NAIP subset, members ``<tile_id>.h5`` with ``naip`` uint16 (3, 1280, 1280),
  ``sentinel2`` float32 (9, 128, 128) (B2–B4 absent), the other 10 m keys, ``metadata`` JSON string;
* ``geomeld-00000.tar``: non-NAIP subset, ``sentinel2`` float32 (12, 128, 128), no ``naip``.

Storage details differ from geomeld's own files on purpose (gzip in 64×64 tiles, a single whole-array
chunk, keys written in another order, integer tile ids, ``null`` OSM values, NaN HH/HV) so the
loader's HDF5 fallback is exercised. Values are blocky and low-entropy so the committed files stay
small while NAIP keeps its real 1280 × 1280 shape.

Run ``python tests/data/geomeld_shards/data.py`` to regenerate (output is byte-identical).
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent

S2_ALL = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B11", "B12"]
S2_NAIP = [b for b in S2_ALL if b not in ("B2", "B3", "B4")]
S1 = ["VV_asc", "VH_asc", "HH_asc", "HV_asc", "VV_desc", "VH_desc", "HH_desc", "HV_desc"]
ESA_CODES = [10, 20, 30, 40, 50, 60, 80, 90]
DW_CODES = list(range(9))


def blocky(rng: np.random.Generator, bands: int, size: int, lo: float, hi: float, block: int) -> np.ndarray:
    """Piecewise-constant values on ``block``-pixel squares (compresses to almost nothing)."""
    n = size // block
    levels = rng.integers(0, 4, size=(bands, n, n)).astype(np.float64)
    arr = lo + (hi - lo) * levels / 4.0
    return np.repeat(np.repeat(arr, block, axis=1), block, axis=2)


def sample_arrays(rng: np.random.Generator, naip: bool) -> dict[str, np.ndarray]:
    s2_bands = S2_NAIP if naip else S2_ALL
    arrays: dict[str, np.ndarray] = {}
    if naip:
        arrays["naip"] = blocky(rng, 3, 1280, 30, 230, 160).astype(np.uint16)
    arrays["sentinel2"] = blocky(rng, len(s2_bands), 128, 200, 4000, 16).astype(np.float32)
    s1 = blocky(rng, 8, 128, -25, -5, 16).astype(np.float32)
    for i, name in enumerate(S1):
        if name.startswith(("HH", "HV")):
            s1[i] = np.nan  # dual-pol VV+VH scene: HH/HV missing (legal)
    arrays["sentinel1"] = s1
    aster = blocky(rng, 2, 128, 100, 400, 32).astype(np.float32)
    aster[1] = np.clip(aster[1] / 20.0, 0, 90)
    arrays["aster"] = aster
    canopy = blocky(rng, 2, 128, 0, 30, 32).astype(np.float32)
    canopy[:, :8, :8] = np.nan  # canopy product gap (legal NaN no-data)
    arrays["canopy_height"] = canopy
    esa = np.asarray(ESA_CODES, dtype=np.uint8)[rng.integers(0, len(ESA_CODES), size=(1, 8, 8))]
    arrays["esa_worldcover"] = np.repeat(np.repeat(esa, 16, axis=1), 16, axis=2)
    dw = np.asarray(DW_CODES, dtype=np.uint8)[rng.integers(0, 9, size=(1, 8, 8))]
    arrays["dynamic_world"] = np.repeat(np.repeat(dw, 16, axis=1), 16, axis=2)
    return arrays


def metadata(tile_id: int, rng: np.random.Generator, naip: bool, arrays: dict[str, np.ndarray]) -> str:
    bands = {
        "aster": ["elevation", "slope"],
        "canopy_height": ["height", "stddev"],
        "dynamic_world": ["dw_label"],
        "esa_worldcover": ["esa_label"],
        "sentinel1": S1,
        "sentinel2": S2_NAIP if naip else S2_ALL,
    }
    if naip:
        bands["naip"] = ["R", "G", "B"]
    water = 8910 if tile_id % 2 else 0
    meta = {
        "tile_id": tile_id,
        "lat": round(float(rng.uniform(29.7, 43.5)), 6),
        "long": round(float(rng.uniform(-119.5, -71.9)), 6),
        "acquisition_date": "2022-01-23" if naip else "2020-09-24",
        "terrain_class": "Flat" if tile_id % 2 else "Hollow",
        "file_type_naip": naip,
        "osm_tags": {"highway": ["service", "residential"], "leisure": "slipway", "note:post_town": None},
        "water_analysis": {"detected": bool(water), "percentage": water / 16384 * 100},
        "band_names": bands,
        "source_file": f"{tile_id}.h5",
    }
    return json.dumps(meta)


def h5_bytes(arrays: dict[str, np.ndarray], meta: str, style: int) -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for key in sorted(arrays, reverse=True):  # another key order than geomeld's writer
            arr = arrays[key]
            if style == 0:  # gzip in 64x64 tiles: not decodable by the fast path → HDF5 fallback
                chunks = (1, min(64, arr.shape[1]), min(64, arr.shape[2]))
                f.create_dataset(key, data=arr, chunks=chunks, compression="gzip", compression_opts=4)
            else:  # one whole-array chunk, gzip without shuffle
                f.create_dataset(key, data=arr, chunks=arr.shape, compression="gzip", compression_opts=6)
        f["metadata"] = meta
    return buf.getvalue()


def write_shard(path: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))


def main() -> None:
    rng = np.random.default_rng(2604_10591)
    for naip, name, tile_ids in (
        (True, "geomeld-00000_n.tar", [11622631, 14918715]),
        (False, "geomeld-00000.tar", [1232154454, 1232154455, 1232154456]),
    ):
        members = []
        for i, tile_id in enumerate(tile_ids):
            arrays = sample_arrays(rng, naip)
            members.append(
                (f"{tile_id}.h5", h5_bytes(arrays, metadata(tile_id, rng, naip, arrays), style=i % 2))
            )
        write_shard(HERE / name, members)
        print(f"wrote {HERE / name} ({(HERE / name).stat().st_size / 1e3:.0f} kB, {len(members)} samples)")


if __name__ == "__main__":
    main()
