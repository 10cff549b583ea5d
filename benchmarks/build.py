#!/usr/bin/env python3
"""Builder throughput: aligned samples/s from local COGs, geomeld vs a naive baseline, same run.

Inputs: the embedded sample's real rasters (local GeoTIFF/COG: BigEarthNet S2/S1, Brandenburg S2
L1C west, Copernicus DEM crop, LiDAR HAG, OSM land cover, NAIP), its 10 anchors repeated with small
shifts (``--tiles``). Every figure builds the same tiles through the same sources and catalog; only
the raster → grid step differs:

* ``naive``: one ``rasterio.warp.reproject`` call per raster per tile on the *whole* raster
  (``rasterio.band(ds, bands)`` as source; bilinear for continuous, nearest for categorical);
* ``geomeld``: :func:`geomeld.builder.align.read_to_grid` — reads only the window covering the tile, copies
  without resampling when the raster is on the grid's lattice, mean/mode when downsampling.

Figures (one JSON line each, then ratios): in-process naive and geomeld (samples per wall second and
per CPU second of this process), and geomeld on a Dask LocalCluster with 1 and 2 single-threaded
workers (wall, and per CPU second summed over the workers). Tile building only: no shard encoding. The machine is shared, so CPU-second rates
are the per-core figures to compare; wall rates of the Dask runs are noisy when others load the CPUs.

    python benchmarks/build.py --tiles 40
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from typing import Any

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GDAL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def naive_read_to_grid(ds: Any, bands: list[int], grid: Any, kind: Any, **kw: Any) -> Any:
    """The baseline: reproject the whole raster onto the grid with one rasterio.warp.reproject call."""
    import numpy as np
    import rasterio
    from rasterio.enums import Resampling as Kernel
    from rasterio.warp import reproject

    from geomeld.builder.align import AlignedLayer, fill_value
    from geomeld.core.modalities import Resampling

    dst_dtype = np.dtype(kw.get("dst_dtype", "float32"))
    dst_nodata = kw.get("dst_nodata", float("nan"))
    src_nodata = kw.get("src_nodata")
    out = np.full((len(bands), grid.height, grid.width), fill_value(dst_dtype, dst_nodata), dtype=dst_dtype)
    kernel = Kernel.nearest if kind is Resampling.CATEGORICAL else Kernel.bilinear
    with rasterio.open(ds.name) as own:  # naive: every tile opens the raster itself
        reproject(
            source=rasterio.band(own, bands),
            destination=out,
            src_nodata=own.nodata if src_nodata is None else src_nodata,
            dst_transform=grid.transform,
            dst_crs=grid.crs,
            dst_nodata=dst_nodata,
            resampling=kernel,
        )
    return AlignedLayer(out, kernel.name, False, [])


_ORIGINAL: Any = None


def use_naive(on: bool) -> None:
    """Swap the raster → grid function in every module that calls it (this process only)."""
    import geomeld.builder.align
    import geomeld.builder.sources.canopy
    import geomeld.builder.sources.naip
    import geomeld.builder.sources.sentinel1
    import geomeld.builder.sources.sentinel2

    global _ORIGINAL
    if _ORIGINAL is None:
        _ORIGINAL = geomeld.builder.align.read_to_grid
    fn = naive_read_to_grid if on else _ORIGINAL
    for mod in (
        geomeld.builder.align,
        geomeld.builder.sources.sentinel1,
        geomeld.builder.sources.sentinel2,
        geomeld.builder.sources.naip,
        geomeld.builder.sources.canopy,
    ):
        mod.read_to_grid = fn  # type: ignore[attr-defined]


def anchors(n: int) -> list[Any]:
    from geomeld.builder.tile import Anchor
    from geomeld.core.data import embedded_anchors_path

    base = list(csv.DictReader(embedded_anchors_path().open()))
    out = []
    i = 0
    while len(out) < n:
        r = base[i % len(base)]
        rep = i // len(base)
        out.append(
            Anchor(
                f"{r['tile_id']}-b{rep}",
                # small jitter that cycles (−22 m, 0, +22 m) so every tile stays inside its real
                # source patch: a growing shift would leave the 1.2 km BigEarthNet patches and fail QC
                float(r["lat"]) + 0.0002 * ((rep % 3) - 1),
                float(r["long"]),
                r["stratum"],
                "bench",
            )
        )
        i += 1
    return out


def bench_tile(anchor: Any, config_json: str, naive: bool) -> str:
    """Build one tile (no encoding); runs in-process or on a Dask worker."""
    from geomeld.builder.config import BuildConfig
    from geomeld.builder.runner import _catalog_for
    from geomeld.builder.tile import build_tile

    use_naive(naive)
    cfg = BuildConfig.model_validate_json(config_json)
    out = build_tile(anchor, cfg, _catalog_for(cfg))
    if out.status != "done":
        raise RuntimeError(f"{anchor.tile_id}: {out.status} {out.reason} {out.message}")
    return out.status


def run_inprocess(tiles: list[Any], cfg_json: str, naive: bool) -> dict[str, float]:
    bench_tile(tiles[0], cfg_json, naive)  # warm-up: imports, catalog, GDAL caches
    w0, c0 = time.perf_counter(), time.process_time()
    for a in tiles:
        bench_tile(a, cfg_json, naive)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "samples_per_s": len(tiles) / wall,
        "samples_per_cpu_s": len(tiles) / cpu,
        "wall_s": wall,
        "cpu_s": cpu,
    }


def run_dask(tiles: list[Any], cfg_json: str, workers: int) -> dict[str, float]:
    import logging

    import dask
    from dask.distributed import Client, LocalCluster, wait

    dask.config.set({"distributed.worker.profile.enabled": False})  # as geomeld's build driver does

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))))
        # warm-up pass over all tiles (the in-process figure runs after the naive one, whose reads
        # warmed this process's open-raster cache: give the workers the same start)
        warm = [client.submit(bench_tile, a, cfg_json, False, pure=False) for a in tiles]
        wait(warm)
        cpu0 = client.run(time.process_time)
        w0 = time.perf_counter()
        futs = [client.submit(bench_tile, a, cfg_json, False, pure=False) for a in tiles]
        wait(futs)
        for f in futs:
            f.result()
        wall = time.perf_counter() - w0
        cpu1 = client.run(time.process_time)
    worker_cpu = sum(cpu1[w] - cpu0[w] for w in cpu1)
    return {
        "samples_per_s": len(tiles) / wall,
        "wall_s": wall,
        "samples_per_worker_cpu_s": len(tiles) / worker_cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiles", type=int, default=30)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    from geomeld.builder.config import embedded_config

    cfg_json = embedded_config().model_dump_json()
    tiles = anchors(args.tiles)
    machine = {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "threads_per_worker": 1,
        "python": platform.python_version(),
    }
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = -1.0
    results: dict[str, dict[str, float]] = {}
    results["naive_inprocess"] = run_inprocess(tiles, cfg_json, naive=True)
    results["geomeld_inprocess"] = run_inprocess(tiles, cfg_json, naive=False)
    if not args.no_dask:
        results["geomeld_dask_1"] = run_dask(tiles, cfg_json, 1)
        results["geomeld_dask_2"] = run_dask(tiles, cfg_json, 2)
    for name, r in results.items():
        print(
            json.dumps(
                {
                    "figure": name,
                    "tiles": len(tiles),
                    **{k: round(v, 3) for k, v in r.items()},
                    **machine,
                    "load_1min": load,
                }
            )
        )
    ratios: dict[str, float] = {
        "geomeld_vs_naive_per_cpu_s": results["geomeld_inprocess"]["samples_per_cpu_s"]
        / results["naive_inprocess"]["samples_per_cpu_s"],
        "geomeld_vs_naive_wall": results["geomeld_inprocess"]["samples_per_s"]
        / results["naive_inprocess"]["samples_per_s"],
    }
    if not args.no_dask:
        ratios["dask_2_vs_1_workers"] = (
            results["geomeld_dask_2"]["samples_per_s"] / results["geomeld_dask_1"]["samples_per_s"]
        )
    print(
        json.dumps(
            {"figure": "ratios", **{k: round(v, 3) for k, v in ratios.items()}, **machine, "load_1min": load}
        )
    )


if __name__ == "__main__":
    main()
