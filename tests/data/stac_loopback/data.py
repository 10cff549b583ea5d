"""Deterministic generator of the loopback STAC fixture (run: python tests/data/stac_loopback/data.py).

Writes ``catalog/`` — a static STAC catalog served by a real STAC API server (stac-fastapi-static) in
``tests/test_sources_stac_loopback.py`` — whose items describe REAL rasters of the embedded sample
(BigEarthNet patch 87_48: Sentinel-2 L2A + Sentinel-1 dB), plus ``assets/corrupt_dem.tif`` (the first
8 kB of the real S1 VV GeoTIFF of the same patch: valid header and georeferencing over the tile,
truncated pixel data). Asset hrefs start with ``{ASSET_BASE}``,
which the test replaces with the URL of its loopback asset server (HTTP range requests, SAS tokens).

Items:
* ``S2A_MSIL2A_20170613T101031_87_48`` — real S2 L2A, ``eo:cloud_cover`` 2.5 (value set here);
* ``S2A_MSIL2A_20170612T101031_87_48_cloudy`` — the same rasters declared 60 % cloudy (must be refused);
* ``S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48`` — real S1 VV/VH in dB, ascending;
* ``corrupt-dem`` — a ``cop-dem-glo-30`` item over the same place whose COG is truncated.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tools.embedded import write_static_catalog

HERE = Path(__file__).parent
REPO = HERE.parents[2]
EMBEDDED = REPO / "src/geomeld/data/embedded"
S2_ID = "S2A_MSIL2A_20170613T101031_87_48"
S1_ID = "S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48"


def _absolute(item: dict, base: str) -> dict:
    item = copy.deepcopy(item)
    for a in item["assets"].values():
        a["href"] = base + "/real/" + a["href"].split("/real/", 1)[1]
    item["links"] = []
    return item


def main() -> None:
    out = HERE / "catalog"
    assets = HERE / "assets"
    out.mkdir(exist_ok=True)
    assets.mkdir(exist_ok=True)
    s2 = json.loads((EMBEDDED / "sentinel-2-l2a" / f"{S2_ID}.json").read_text())
    s1 = json.loads((EMBEDDED / "sentinel-1" / f"{S1_ID}.json").read_text())
    s2 = _absolute(s2, "{ASSET_BASE}")
    s2["properties"]["eo:cloud_cover"] = 2.5
    cloudy = copy.deepcopy(s2)
    cloudy["id"] = S2_ID.replace("20170613", "20170612") + "_cloudy"
    cloudy["properties"]["datetime"] = "2017-06-12T10:10:31Z"
    cloudy["properties"]["eo:cloud_cover"] = 60.0
    s1 = _absolute(s1, "{ASSET_BASE}")
    vv = REPO / f"src/geomeld/data/real/bigearthnet/s1/{S1_ID}/{S1_ID}_VV.tif"
    (assets / "corrupt_dem.tif").write_bytes(vv.read_bytes()[:8192])
    corrupt = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "corrupt-dem",
        "collection": "cop-dem-glo-30",
        "geometry": s2["geometry"],
        "bbox": s2["bbox"],
        "properties": {"datetime": "2021-04-22T00:00:00Z"},
        "assets": {
            "data": {"href": "{ASSET_BASE}/fixtures/corrupt_dem.tif", "type": "image/tiff", "roles": ["data"]}
        },
        "links": [],
    }
    write_static_catalog(
        out, [s2, cloudy, s1, corrupt], "geomeld-loopback", "geomeld loopback STAC fixture over real rasters"
    )


if __name__ == "__main__":
    main()
