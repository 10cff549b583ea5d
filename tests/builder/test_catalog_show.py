"""`geomeld catalog show embedded` and the build's skip message for points outside the embedded data."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from geomeld.builder.config import embedded_config
from geomeld.builder.embedded_coverage import OUTSIDE_MESSAGE, OUTSIDE_REASON
from geomeld.builder.sources.catalog import open_catalog
from geomeld.builder.tile import Anchor, build_tile
from geomeld.cli import app


def test_catalog_show_lists_footprints_dates_and_origins() -> None:
    res = CliRunner().invoke(app, ["catalog", "show", "embedded", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    items = {r["item_id"]: r for r in data["items"]}
    bb = items["S2A_MSIL1C_20170216T102101_T33UUU_west60"]
    assert bb["date"] == "2017-02-16" and bb["origin"] == "substitute" and "L1C" in bb["product"]
    west, south, east, north = bb["bbox"]
    assert 12.4 < west < east < 12.7 and 52.4 < south < north < 52.6  # Brandenburg, west part only
    assert {r["origin"] for r in data["items"]} <= {"real", "substitute", "coarse"}
    assert not any(r["collection"] in ("cop-dem-glo-30", "canopy-height") for r in data["items"])
    assert {r["layout"] for r in data["anchor_regions"]} == {"standard", "naip"}
    table = CliRunner().invoke(app, ["catalog", "show"])
    assert table.exit_code == 0 and "2017-02-16" in table.output and "anchor regions" in table.output
    bad = CliRunner().invoke(app, ["catalog", "show", "planetary-computer"])
    assert bad.exit_code != 0


def test_points_outside_the_embedded_data_are_skipped_with_a_hint() -> None:
    catalog = open_catalog("embedded")
    for tile_id, lat, lon in (("paris", 48.8566, 2.3522), ("nairobi", -1.2921, 36.8219)):
        out = build_tile(Anchor(tile_id, lat, lon, "test", "test"), embedded_config(), catalog)
        assert out.status == "skipped" and out.reason == OUTSIDE_REASON, out.message
        assert OUTSIDE_MESSAGE in out.message and "geomeld catalog show embedded" in out.message
