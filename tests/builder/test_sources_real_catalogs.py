"""Real item JSONs of Planetary Computer, Earth Search v1 and CDSE, replayed on loopback, checked at pixels.

The item documents are copied from public recordings of the three services (sources in
``tests/data/stac_real/README.md``); the rasters behind them are synthetic, with values that are a
known linear function of position (``tests/stac_replay.truth``), so every test compares *every output
pixel* with the truth — after band mapping, resampling of 20/60 m bands, and harmonisation.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from shapely.geometry import shape

from geomeld.builder.config import BuildConfig
from geomeld.builder.grid import transformer
from geomeld.builder.sources.catalog import StacApiCatalog, open_catalog
from geomeld.builder.sources.reader import clear_http_cache
from geomeld.builder.tile import Anchor, build_tile
from geomeld.core.modalities import MODALITIES
from stac_replay import ReplayServer, replay_server, truth, write_band

pytest.importorskip("pystac_client")
pytestmark = pytest.mark.filterwarnings("ignore:Could not parse bucket:UserWarning")

REAL = Path(__file__).parents[1] / "data" / "stac_real"
BANDS = MODALITIES["sentinel2"].band_names  # registry order: truth() is indexed by it
SCENE_M = 2400.0  # synthetic scene: 2.4 km square around the anchor (tile is 1.28 km)

PC_KEYS = {b: ("B0" + b[1:] if len(b) == 2 else b) for b in BANDS}
ES_KEYS = dict(
    zip(
        BANDS,
        [
            "coastal",
            "blue",
            "green",
            "red",
            "rededge1",
            "rededge2",
            "rededge3",
            "nir",
            "nir08",
            "nir09",
            "swir16",
            "swir22",
        ],
        strict=True,
    )
)
CDSE_KEYS = dict(
    zip(
        BANDS,
        [
            "B01_60m",
            "B02_10m",
            "B03_10m",
            "B04_10m",
            "B05_20m",
            "B06_20m",
            "B07_20m",
            "B08_10m",
            "B8A_20m",
            "B09_60m",
            "B11_20m",
            "B12_20m",
        ],
        strict=True,
    )
)
DECOY_DN = 7777  # written into resampled duplicates (CDSE B01_20m, B02_20m): must never be read


def load(name: str) -> dict[str, Any]:
    return json.loads((REAL / "items" / name).read_text())


def conforms(name: str) -> list[str]:
    return list(json.loads((REAL / name).read_text())["conformsTo"])


def _epsg(item: dict[str, Any], key: str) -> int:
    for src in (item["properties"], item["assets"][key]):
        for k in ("proj:epsg", "proj:code"):
            v = src.get(k)
            if v:
                return int(str(v).split(":")[-1])
    raise AssertionError(f"{item['id']}: no EPSG")


def _pixel(asset: dict[str, Any]) -> float:
    return float(asset.get("gsd") or asset["proj:transform"][0])


class Staged:
    """An item rewritten for the loopback, with its synthetic rasters written and its anchor chosen."""

    def __init__(self, item: dict[str, Any], anchor: Anchor, epsg: int, x0: float, y0: float) -> None:
        self.item, self.anchor, self.epsg, self.x0, self.y0 = item, anchor, epsg, x0, y0


def stage(
    raw: dict[str, Any],
    keys: dict[str, str],
    root: Path,
    srv: ReplayServer,
    *,
    offset_in_pixels: float,
    scl_key: str,
    driver: str = "GTiff",
    decoys: tuple[str, ...] = (),
    tile_id: str | None = None,
    anchor_xy: tuple[float, float] | None = None,
) -> Staged:
    item = copy.deepcopy(raw)
    epsg = _epsg(item, keys["B2"])
    c = shape(item["geometry"]).representative_point()
    if anchor_xy is None:
        xc, yc = transformer(4326, epsg).transform(c.x, c.y)
    else:
        xc, yc = anchor_xy
    t = item["assets"][keys["B1"]]["proj:transform"]
    x0 = t[2] + 60.0 * math.floor((xc - SCENE_M / 2 - t[2]) / 60.0)
    y0 = t[5] - 60.0 * math.floor((t[5] - (yc + SCENE_M / 2)) / 60.0)
    lon, lat = transformer(epsg, 4326).transform(x0 + SCENE_M / 2, y0 - SCENE_M / 2)

    def local(href: str) -> tuple[str, Path]:
        u = urlsplit(href)
        if u.scheme == "s3":
            return href, root / "s3" / u.netloc / u.path.lstrip("/")
        rel = f"{u.netloc}{u.path}"
        return f"{srv.base}/files/{rel}", root / rel

    for i, band in enumerate(BANDS):
        asset = item["assets"][keys[band]]
        asset["href"], path = local(asset["href"])
        write_band(
            path,
            epsg=epsg,
            x0=x0,
            y0=y0,
            size_m=SCENE_M,
            pixel=_pixel(asset),
            band_index=i,
            offset=offset_in_pixels,
            driver=driver,
        )
    for key in decoys:
        asset = item["assets"][key]
        asset["href"], path = local(asset["href"])
        write_band(
            path,
            epsg=epsg,
            x0=x0,
            y0=y0,
            size_m=SCENE_M,
            pixel=_pixel(asset),
            band_index=0,
            constant=DECOY_DN,
            driver=driver,
        )
    scl = item["assets"][scl_key]
    scl["href"], path = local(scl["href"])
    write_band(
        path,
        epsg=epsg,
        x0=x0,
        y0=y0,
        size_m=SCENE_M,
        pixel=20.0,
        band_index=0,
        constant=4,
        dtype="uint8",
        driver=driver,
    )
    for key, asset in item["assets"].items():  # everything else points at the loopback (404 there)
        if key not in set(keys.values()) | set(decoys) | {scl_key}:
            asset["href"] = local(asset["href"])[0] if "://" in asset["href"] else asset["href"]
    srv.add_item(item)
    return Staged(item, Anchor(tile_id or item["id"], lat, lon, "test", "replay"), epsg, x0, y0)


def config(family: str, srv: ReplayServer, **kw: Any) -> BuildConfig:
    base: dict[str, Any] = {
        "catalog": family,
        "stac_url": srv.base + "/",
        "s2_window": "any",
        "s2_max_cloud_cover": 100.0,
        "retries": 0,
        "backoff_s": 0.01,
        "http_timeout_s": 5.0,
    }
    base.update(kw)
    return BuildConfig(**base)


def s2_of(staged: Staged, cfg: BuildConfig) -> tuple[np.ndarray, dict[str, Any]]:
    catalog = open_catalog(cfg.catalog, **cfg.catalog_options())
    out = build_tile(staged.anchor, cfg, catalog)
    assert out.status == "done", (out.reason, out.message)
    assert out.sample is not None and out.sample.metadata.provenance is not None
    return out.sample.arrays["sentinel2"], out.sample.metadata.provenance


def expected(prov: dict[str, Any], staged: Staged) -> np.ndarray:
    rec = prov["modalities"]["sentinel2"]
    assert rec["crs"] == f"EPSG:{staged.epsg}"
    a, _, c, _, e, f = rec["transform"]
    n = MODALITIES["sentinel2"].size
    xs = c + (np.arange(n) + 0.5) * a
    ys = f + (np.arange(n) + 0.5) * e
    xx, yy = np.meshgrid(xs, ys)
    return np.stack([truth(i, xx, yy, staged.x0, staged.y0) for i in range(len(BANDS))])


def assert_truth(arr: np.ndarray, prov: dict[str, Any], staged: Staged) -> None:
    exp = expected(prov, staged)
    assert np.isfinite(arr).all()
    err = np.abs(arr.astype(np.float64) - exp)
    assert err.max() <= 0.5, (
        f"max |error| {err.max():.2f} DN in band {BANDS[int(np.argmax(err.max(axis=(1, 2))))]}"
    )


@pytest.fixture(autouse=True)
def _fresh_gdal_cache() -> Iterator[None]:
    clear_http_cache()
    yield


@pytest.fixture
def es_server(tmp_path: Path) -> Iterator[ReplayServer]:
    with replay_server(tmp_path, conforms("earth_search_conformsTo.json")) as srv:
        yield srv


@pytest.fixture
def pc_server(tmp_path: Path) -> Iterator[ReplayServer]:
    with replay_server(tmp_path, conforms("planetary_computer_conformsTo.json")) as srv:
        yield srv


# -- Planetary Computer -------------------------------------------------------------------------


def test_planetary_computer_item_baseline_02_is_exact(pc_server: ReplayServer, tmp_path: Path) -> None:
    item = load("pc_S2B_MSIL2A_20190629T212529_R043_T06VVN_20201006T080531.json")
    staged = stage(item, PC_KEYS, tmp_path, pc_server, offset_in_pixels=0.0, scl_key="SCL")
    arr, prov = s2_of(
        staged, config("planetary-computer", pc_server, sas_token_url=pc_server.base + "/token/{collection}")
    )
    assert_truth(arr, prov, staged)
    rec = prov["modalities"]["sentinel2"]
    assert rec["item_id"] == item["id"] and rec["harmonisation_offset_removed"] == 0.0
    # provenance origin (geomeld.core.origin): the STAC product at the place is real; no DEM here: absent
    assert rec["origin"] == "real" and prov["modalities"]["aster"]["origin"] == "absent"
    assert prov["grid"]["crs"] == f"EPSG:{staged.epsg}"
    assert rec["harmonisation"]["rule"] == "processing_baseline"
    assert rec["band_assets"]["B8A"] == "B8A" and rec["band_assets"]["B1"] == "B01"
    assert pc_server.tokens_issued >= 1  # reads were signed through the token endpoint override
    # PC advertises CQL2: the cloud limit went to the server as a filter, not as query
    s2_search = next(s for s in pc_server.searches if s.get("collections") == ["sentinel-2-l2a"])
    assert "filter" in s2_search and "query" not in s2_search


def test_planetary_computer_baseline_05_removes_the_offset(
    pc_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PC_SDK_SUBSCRIPTION_KEY", "my-key")  # sent to the token endpoint
    item = load("pc_S2B_MSIL2A_20190629T212529_R043_T06VVN_20201006T080531.json")
    item["properties"]["s2:processing_baseline"] = "05.09"  # derived variant (README): one property
    staged = stage(item, PC_KEYS, tmp_path, pc_server, offset_in_pixels=1000.0, scl_key="SCL")
    arr, prov = s2_of(
        staged, config("planetary-computer", pc_server, sas_token_url=pc_server.base + "/token/{collection}")
    )
    assert_truth(arr, prov, staged)
    assert prov["modalities"]["sentinel2"]["harmonisation_offset_removed"] == 1000.0
    assert pc_server.token_keys and set(pc_server.token_keys) == {"my-key"}


# -- Earth Search v1 -----------------------------------------------------------------------------


def test_earth_search_l2a_flag_true_is_not_harmonised_twice(es_server: ReplayServer, tmp_path: Path) -> None:
    item = load("es_l2a_S2A_39QTA_20230628_0_L2A.json")  # eo:bands names are common names here
    assert item["properties"]["earthsearch:boa_offset_applied"] is True
    assert item["assets"]["blue"]["raster:bands"][0]["offset"] == -0.1  # present, must be ignored
    staged = stage(item, ES_KEYS, tmp_path, es_server, offset_in_pixels=0.0, scl_key="scl")
    arr, prov = s2_of(staged, config("earth-search", es_server))
    assert_truth(arr, prov, staged)  # values below 1000 DN survive: nothing subtracted, nothing clipped
    rec = prov["modalities"]["sentinel2"]
    assert rec["harmonisation_offset_removed"] == 0.0 and rec["harmonisation"]["rule"] == "earthsearch_flag"
    assert rec["band_assets"]["B8A"] == "nir08" and rec["band_assets"]["B5"] == "rededge1"
    # Earth Search advertises `query`, not CQL2: the cloud limit was sent as query
    s2_search = next(s for s in es_server.searches if s.get("collections") == ["sentinel-2-l2a"])
    assert "query" in s2_search and "filter" not in s2_search


@pytest.mark.parametrize("pixels_have_offset", [False, True])
def test_earth_search_wrong_flag_is_decided_from_the_data(
    es_server: ReplayServer, tmp_path: Path, pixels_have_offset: bool
) -> None:
    item = load("es_l2a_S2B_24MUV_20250731_0_L2A.json")
    item["properties"]["earthsearch:boa_offset_applied"] = False  # derived: the E84 #66/#71 case
    staged = stage(
        item,
        ES_KEYS,
        tmp_path,
        es_server,
        offset_in_pixels=1000.0 if pixels_have_offset else 0.0,
        scl_key="scl",
    )
    arr, prov = s2_of(staged, config("earth-search", es_server))
    assert_truth(arr, prov, staged)
    h = prov["modalities"]["sentinel2"]["harmonisation"]
    assert h["rule"] == "earthsearch_flag" and "dark_share_below_1000" in h["evidence"]
    assert prov["modalities"]["sentinel2"]["harmonisation_offset_removed"] == (
        1000.0 if pixels_have_offset else 0.0
    )
    assert ("flag wrong" in h["reason"]) is (not pixels_have_offset)


def test_earth_search_c1_and_l2a_of_one_scene_agree(es_server: ReplayServer, tmp_path: Path) -> None:
    l2a = load("es_l2a_S2B_24MUV_20250731_0_L2A.json")  # flag true: pixels already harmonised
    c1 = load("es_c1_S2B_T24MUV_20250731T130245_L2A.json")  # raster:bands offset: pixels carry +1000
    a = stage(l2a, ES_KEYS, tmp_path, es_server, offset_in_pixels=0.0, scl_key="scl", tile_id="same")
    b = stage(
        c1,
        ES_KEYS,
        tmp_path,
        es_server,
        offset_in_pixels=1000.0,
        scl_key="scl",
        tile_id="same",
        anchor_xy=(a.x0 + SCENE_M / 2, a.y0 - SCENE_M / 2),
    )
    arr_a, prov_a = s2_of(a, config("earth-search", es_server))
    arr_b, prov_b = s2_of(
        b, config("earth-search", es_server, collections={"sentinel-2-l2a": "sentinel-2-c1-l2a"})
    )
    assert prov_b["modalities"]["sentinel2"]["item_id"] == c1["id"]
    assert prov_b["modalities"]["sentinel2"]["harmonisation"]["rule"] == "raster_offset"
    assert prov_a["grid"] == prov_b["grid"]
    assert_truth(arr_b, prov_b, b)
    np.testing.assert_allclose(arr_a, arr_b, atol=0.5)


def test_a_band_that_cannot_be_found_fails_naming_the_item(es_server: ReplayServer, tmp_path: Path) -> None:
    item = load("es_l2a_S2A_39QTA_20230628_0_L2A.json")
    staged = stage(item, ES_KEYS, tmp_path, es_server, offset_in_pixels=0.0, scl_key="scl")
    del staged.item["assets"]["nir08"], staged.item["assets"]["nir08-jp2"]
    cfg = config("earth-search", es_server)
    out = build_tile(staged.anchor, cfg, open_catalog(cfg.catalog, **cfg.catalog_options()))
    assert out.status == "failed" and out.reason == "s2_band_missing"
    assert item["id"] in (out.message or "") and "B8A" in (out.message or "")


@pytest.mark.parametrize(
    "href", ["file:///etc/passwd", "/etc/passwd", "http://169.254.169.254/latest/meta-data/B02.tif"]
)
def test_remote_catalog_may_not_point_at_local_files_or_metadata(
    es_server: ReplayServer, tmp_path: Path, href: str
) -> None:
    item = load("es_l2a_S2A_39QTA_20230628_0_L2A.json")
    staged = stage(item, ES_KEYS, tmp_path, es_server, offset_in_pixels=0.0, scl_key="scl")
    staged.item["assets"]["blue"]["href"] = href
    cfg = config("earth-search", es_server)
    out = build_tile(staged.anchor, cfg, open_catalog(cfg.catalog, **cfg.catalog_options()))
    assert out.status == "failed" and out.reason == "href_refused", out.message
    assert item["id"] in (out.message or "")
    assert not any("169.254" in f for f in es_server.files)


# -- Copernicus Data Space Ecosystem -----------------------------------------------------------------


def test_cdse_jp2_on_s3_native_resolution(
    pc_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CDSE layout: s3://eodata JP2 assets read through the S3 endpoint override (credentials from env)."""
    monkeypatch.setenv("GEOMELD_CDSE_S3_ACCESS_KEY", "test-access")
    monkeypatch.setenv("GEOMELD_CDSE_S3_SECRET_KEY", "test-secret")
    item = load("cdse_S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914.json")
    staged = stage(
        item,
        CDSE_KEYS,
        tmp_path,
        pc_server,
        offset_in_pixels=1000.0,
        scl_key="SCL_20m",
        driver="JP2OpenJPEG",
        decoys=("B01_20m", "B02_20m"),
    )
    assert staged.item["assets"]["B02_10m"]["href"].startswith("s3://eodata/")  # hrefs kept as served
    cfg = config("cdse", pc_server, s3_endpoint=f"http://127.0.0.1:{pc_server.server_address[1]}")
    arr, prov = s2_of(staged, cfg)
    assert_truth(arr, prov, staged)  # the decoys (7777 DN) were never read
    rec = prov["modalities"]["sentinel2"]
    assert rec["band_assets"]["B1"] == "B01_60m" and rec["band_assets"]["B2"] == "B02_10m"
    assert rec["harmonisation"]["rule"] == "raster_offset" and rec["harmonisation_offset_removed"] == 1000.0
    assert any(f.startswith("/eodata/Sentinel-2/") for f in pc_server.files)
    assert prov["catalog"]["family"] == "cdse" and prov["catalog"]["s3"]["credentials"] is True


def test_s3_without_credentials_is_an_access_error_with_the_fix(
    es_server: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_NO_SIGN_REQUEST", "GEOMELD_S3_UNSIGNED"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    item = load("es_l2a_S2A_39QTA_20230628_0_L2A.json")
    staged = stage(item, ES_KEYS, tmp_path, es_server, offset_in_pixels=0.0, scl_key="scl")
    b = staged.item["assets"]["blue"]
    target = tmp_path / "s3" / "sentinel-cogs" / "B02.tif"
    target.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / urlsplit(b["href"]).path[len("/files/") :]).rename(target)
    b["href"] = "s3://sentinel-cogs/B02.tif"
    endpoint = f"http://127.0.0.1:{es_server.server_address[1]}"
    signed = config("earth-search", es_server, s3_endpoint=endpoint, s3_unsigned=False)
    out = build_tile(staged.anchor, signed, open_catalog(signed.catalog, **signed.catalog_options()))
    assert out.status == "failed" and out.reason == "access_refused", out.message
    assert "AWS_NO_SIGN_REQUEST" in (out.message or "")
    unsigned = config("earth-search", es_server, s3_endpoint=endpoint)  # Earth Search default: unsigned
    clear_http_cache()
    arr, prov = s2_of(staged, unsigned)
    assert_truth(arr, prov, staged)


# -- catalog families, overrides, filter language -------------------------------------------------


def test_catalog_url_gets_its_family_defaults() -> None:
    from geomeld.builder.sources.families import catalog_family, default_collections

    assert catalog_family("https://earth-search.aws.element84.com/v1") == "earth-search"
    assert catalog_family("https://planetarycomputer.microsoft.com/api/stac/v1") == "planetary-computer"
    assert catalog_family("cdse") == "cdse" and catalog_family("https://example.org/stac") is None
    es = BuildConfig(catalog="https://earth-search.aws.element84.com/v1").resolved_collections()
    assert es["sentinel-1"] == "sentinel-1-grd" and es == default_collections("earth-search")
    assert BuildConfig(catalog="https://example.org/stac").resolved_collections() == {}


def test_filter_language_follows_conforms_to() -> None:
    from geomeld.builder.sources.catalog import filter_language

    assert filter_language(conforms("planetary_computer_conformsTo.json")) == "cql2"
    assert filter_language(conforms("earth_search_conformsTo.json")) == "query"
    assert filter_language(["https://api.stacspec.org/v1.0.0/core"]) == "none"


def test_environment_overrides_the_named_catalog_url(
    es_server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOMELD_STAC_URL", es_server.base + "/")
    cat = open_catalog("earth-search", timeout_s=5.0)
    assert isinstance(cat, StacApiCatalog) and cat.url == es_server.base + "/"
    assert cat.family == "earth-search" and cat.cloud_filter == "query"
    assert cat.s3_options()["AWS_NO_SIGN_REQUEST"] == "YES"  # public buckets unsigned


def test_pc_sentinel1_key_requirement_is_explained_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    from geomeld.builder.sources.families import default_collections, family_warnings

    monkeypatch.delenv("PC_SDK_SUBSCRIPTION_KEY", raising=False)
    warnings = family_warnings("planetary-computer", default_collections("planetary-computer"))
    assert len(warnings) == 1 and "PC_SDK_SUBSCRIPTION_KEY" in warnings[0] and "Sentinel-1" in warnings[0]
    monkeypatch.setenv("PC_SDK_SUBSCRIPTION_KEY", "k")
    assert family_warnings("planetary-computer", default_collections("planetary-computer")) == []


# -- folder catalogs: baseline from the product name, a warning when it is unknown ------------------


@pytest.mark.parametrize(
    ("name", "offset", "rule"),
    [
        ("S2B_MSIL2A_20230601T100000_N0509_R122_T33UWP", 1000.0, "processing_baseline"),
        ("S2B_MSIL2A_20230601T100000_R122_T33UWP", 0.0, "unknown"),
    ],
)
def test_folder_catalog_harmonisation(
    tmp_path: Path, name: str, offset: float, rule: str, caplog: pytest.LogCaptureFixture
) -> None:
    epsg, x0, y0 = 32633, 500040.0, 5_400_000.0
    folder = tmp_path / "rasters" / "sentinel-2-l2a" / name
    for i, band in enumerate(BANDS):
        pixel = {"B1": 60.0, "B9": 60.0, "B2": 10.0, "B3": 10.0, "B4": 10.0, "B8": 10.0}.get(band, 20.0)
        write_band(
            folder / f"{PC_KEYS[band]}.tif",
            epsg=epsg,
            x0=x0,
            y0=y0,
            size_m=SCENE_M,
            pixel=pixel,
            band_index=i,
            offset=offset,
        )
    lon, lat = transformer(epsg, 4326).transform(x0 + SCENE_M / 2, y0 - SCENE_M / 2)
    staged = Staged({}, Anchor("folder", lat, lon), epsg, x0, y0)
    cfg = BuildConfig(
        catalog=str(tmp_path / "rasters"), s2_window="any", s2_allow_unknown_cloud_cover=True, retries=0
    )
    arr, prov = s2_of(staged, cfg)
    assert_truth(arr, prov, staged)
    h = prov["modalities"]["sentinel2"]["harmonisation"]
    assert h["rule"] == rule
    if rule == "unknown":
        assert "baseline unknown" in h["warning"] and any(
            "baseline unknown" in r.message for r in caplog.records
        )
