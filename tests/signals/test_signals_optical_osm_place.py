"""Spectral, SAR, canopy, OSM and place signals on real data."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from caption_fixtures import load_samples, vaduz_index
from geomeld.core.modalities import MODALITIES
from geomeld.signals import compute_signals
from geomeld.signals.optical import canopy_signal, spectral_signal
from geomeld.signals.osm import OsmPbfIndex, OverpassError, OverpassSource, osm_signal
from geomeld.signals.place import place_signal, season_for


@pytest.fixture(scope="module")
def samples():  # type: ignore[no-untyped-def]
    return load_samples()


def test_bigearthnet_summer_patch_spectral_and_sar(samples) -> None:  # type: ignore[no-untyped-def]
    b = compute_signals(samples["bigearthnet"])
    assert b.spectral is not None and b.sar is not None
    ndvi = b.spectral.indices["NDVI"]
    assert 0.5 < ndvi.mean < 0.7  # June, vegetated (CORINE: pastures / forest)
    assert b.spectral.indices["NDWI"].mean < 0  # no open water
    desc = b.sar.orbits["desc"]
    assert "asc" not in b.sar.orbits  # ascending slots are NaN
    assert desc.vv_db_mean is not None and -15 < desc.vv_db_mean < -8
    assert desc.vh_db_mean is not None and -22 < desc.vh_db_mean < -15
    assert desc.vh_minus_vv_db == pytest.approx(desc.vh_db_mean - desc.vv_db_mean, abs=0.5)


def test_winter_l1c_window_is_less_green_than_summer(samples) -> None:  # type: ignore[no-untyped-def]
    winter = compute_signals(samples["brandenburg_3"]).spectral
    summer = compute_signals(samples["bigearthnet"]).spectral
    assert winter is not None and summer is not None
    assert winter.indices["NDVI"].mean < summer.indices["NDVI"].mean - 0.3


def test_naip_layout_sentinel2_lacks_green_and_red(samples) -> None:  # type: ignore[no-untyped-def]
    s2 = samples["bigearthnet"].arrays["sentinel2"]
    names = list(MODALITIES["sentinel2"].band_names)
    keep = [i for i, n in enumerate(names) if n not in ("B2", "B3", "B4")]
    sig = spectral_signal(s2[keep], [names[i] for i in keep])
    assert set(sig.indices) == {"NDBI"}
    assert "B4" in sig.missing["NDVI"] and "B3" in sig.missing["MNDWI"]


def test_canopy_from_alexandria_lidar_height_above_ground() -> None:
    import rasterio

    from geomeld.core.data import data_dir

    with rasterio.open(data_dir() / "real" / "lidar_hag" / "hag.tif") as ds:
        hag = ds.read(1).astype(np.float32)
        nodata = ds.nodata
    if nodata is not None:
        hag[hag == nodata] = np.nan
    h, w = (hag.shape[0] // 5) * 5, (hag.shape[1] // 5) * 5
    block = hag[:h, :w].reshape(h // 5, 5, w // 5, 5).mean(axis=(1, 3))  # 2 m → 10 m mean
    sig = canopy_signal(block)
    assert sig is not None
    # README: height above ground 0–53.5 m; a 10 m mean can only be lower
    assert 0 < sig.max_height <= 53.5 and 0 < sig.mean_height < sig.p90_height < sig.max_height
    assert 0 < sig.share_above_5m < 100
    assert canopy_signal(np.full((4, 4), np.nan)) is None


@pytest.fixture(scope="module")
def liechtenstein() -> OsmPbfIndex:
    pytest.importorskip("osmium", reason="pyosmium (geomeld[osm]) not installed")
    return vaduz_index()


def test_osm_tags_around_vaduz(liechtenstein: OsmPbfIndex) -> None:
    sig = osm_signal(liechtenstein, 47.1410, 9.5215, (640, 1920))
    near, far = sig.tags_within(640), sig.tags_within(1920)
    assert {"highway", "building"} <= set(near)
    assert "residential" in near["highway"]
    for k, values in near.items():  # the buffer holds everything the chip holds
        assert set(values) <= set(far.get(k, []))
    assert sum(map(len, far.values())) > sum(map(len, near.values()))


def test_osm_outside_the_extract_is_empty_and_proves_nothing(liechtenstein: OsmPbfIndex) -> None:
    from geomeld.captioning.evidence import Evidence
    from geomeld.captioning.verifier import verify

    sig = osm_signal(liechtenstein, 48.5, 9.5, (640, 1920))
    assert sig.tags_by_radius == {"640": {}, "1920": {}}
    b = compute_signals(load_samples()["slovenia"], osm_source=liechtenstein)
    assert b.osm is not None and "returned no tags" in b.missing["osm"]
    v = verify("A dense forest with a solar farm and a road.", Evidence.from_bundle(b))
    assert {c.concept: c.verdict for c in v.claims if c.kind == "osm"} == {
        "solar": "unverifiable",
        "road": "unverifiable",
    }


class _Overpass(BaseHTTPRequestHandler):
    mode = "ok"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "ok":
            body = json.dumps(
                {
                    "elements": [
                        {
                            "type": "node",
                            "lat": 47.1411,
                            "lon": 9.5216,
                            "tags": {"amenity": "parking", "name": "x"},
                        },
                        {
                            "type": "way",
                            "center": {"lat": 47.1500, "lon": 9.5216},
                            "tags": {"landuse": "forest"},
                        },
                    ]
                }
            ).encode()
        else:
            body = b"<html>rate limited</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def overpass() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Overpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/interpreter"
    server.shutdown()
    server.server_close()


def test_overpass_source_places_ways_at_their_centre(overpass: str, samples) -> None:  # type: ignore[no-untyped-def]
    _Overpass.mode = "ok"
    sig = osm_signal(OverpassSource(overpass, timeout_s=5), 47.1410, 9.5215, (640, 1920))
    assert sig.tags_within(640) == {"amenity": ["parking"]}  # the name tag is dropped
    assert sig.tags_within(1920) == {"amenity": ["parking"], "landuse": ["forest"]}  # way centre ~1 km north
    _Overpass.mode = "garbage"
    with pytest.raises(OverpassError, match=r"did not return|failed"):
        OverpassSource(overpass, timeout_s=5).tags_near(47.1, 9.5, (640,))
    # inside the Orchestrator a failing OSM source is recorded, not raised
    b = compute_signals(samples["slovenia"], osm_source=OverpassSource(overpass, timeout_s=5))
    assert b.osm is None and "failed" in b.missing["osm"]


def test_season_is_hemisphere_aware_and_absent_in_the_tropics() -> None:
    assert season_for(52.5, 2) == "winter" and season_for(-33.9, 2) == "summer"
    assert season_for(45.0, 10) == "autumn" and season_for(-45.0, 10) == "spring"
    assert season_for(0.3, 7) is None
    p = place_signal(-33.9, 18.4, "2021-07-15")
    assert p.hemisphere == "southern" and p.season == "winter" and p.month == 7
    bad = place_signal(10.0, 10.0, "not-a-date")
    assert bad.season is None and any("not YYYY-MM-DD" in n for n in bad.notes)
