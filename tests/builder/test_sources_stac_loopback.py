"""The Planetary Computer code path against a real STAC API server on 127.0.0.1.

* STAC API: ``stac-fastapi-static`` (a real stac-fastapi implementation over a static catalog, from
  PyPI) served by uvicorn, over items that describe real rasters (BigEarthNet patch 87_48);
* assets: a loopback HTTP server with byte-range support (GDAL reads COG windows through
  ``/vsicurl/``), which checks SAS-like tokens issued by its ``/token/{collection}`` endpoint — the
  same protocol as Planetary Computer's token service, used through geomeld's ``SasTokenSigner``;
* faults: expired signatures (403), 5xx, timeouts, a corrupt COG, an unreachable catalog.

Nothing in geomeld's client code is mocked: ``StacApiCatalog`` + ``pystac-client`` + rasterio/GDAL
do real HTTP against these servers.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

from geomeld.builder.config import BuildConfig, embedded_config
from geomeld.builder.grid import lonlat_of
from geomeld.builder.sources.catalog import LocalCatalog, StacApiCatalog, open_catalog
from geomeld.builder.sources.errors import TransientSourceError
from geomeld.builder.sources.reader import clear_http_cache
from geomeld.builder.sources.signing import SasTokenSigner
from geomeld.builder.tile import Anchor, build_tile
from geomeld.core.data import data_dir as _data_dir

pytest.importorskip("stac_fastapi.static")
uvicorn = pytest.importorskip("uvicorn")

FIXTURE = Path(__file__).parents[1] / "data" / "stac_loopback"
REAL = _data_dir() / "real"


class AssetServer(ThreadingHTTPServer):
    """Serves /real/* (package rasters) and /fixtures/* with Range support, tokens and injected faults."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), AssetHandler)
        self.require_token = False
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.faults: dict[str, list[Any]] = {}  # path substring -> [kind, remaining count | seconds]
        self.requests: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def issue_token(self) -> dict[str, str]:
        with self.lock:
            self.issued += 1
            token = f"se=2099-01-01&sig=tok{self.issued}"
            self.valid_tokens.add(token)
        expiry = (datetime.now(UTC) + timedelta(minutes=45)).isoformat()
        return {"token": token, "msft:expiry": expiry}

    def revoke_all(self) -> None:
        with self.lock:
            self.valid_tokens.clear()


class AssetHandler(BaseHTTPRequestHandler):
    server: AssetServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _resolve(self, path: str) -> Path | None:
        if path.startswith("/real/"):
            return REAL / path[len("/real/") :]
        if path.startswith("/fixtures/"):
            return FIXTURE / "assets" / path[len("/fixtures/") :]
        return None

    def _fault(self, path: str) -> bool:
        for key, spec in list(self.server.faults.items()):
            if key in path:
                kind, amount = spec
                if kind == "503" and amount > 0:
                    spec[1] -= 1
                    self.send_error(503, "Service Unavailable")
                    return True
                if kind == "403":
                    self.send_error(403, "AuthenticationFailed: subscription key required")
                    return True
                if kind == "slow":
                    time.sleep(amount)
        return False

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        url = urlsplit(self.path)
        m = re.fullmatch(r"/token/([\w.-]+)", url.path)
        if m:
            body = json.dumps(self.server.issue_token()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.server.requests.append((url.path, 0))
        if self._fault(url.path):
            return
        if self.server.require_token and url.query not in self.server.valid_tokens:
            self.send_error(403, "AuthenticationFailed: Signature not valid in the specified time frame")
            return
        file = self._resolve(url.path)
        if file is None or not file.is_file():
            self.send_error(404, "Not Found")
            return
        data = file.read_bytes()
        rng = self.headers.get("Range")
        if rng:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            if not m:
                self.send_error(416)
                return
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            end = min(int(m.group(2)) if m.group(2) else len(data) - 1, len(data) - 1)
            chunk = data[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            chunk = data
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "image/tiff")
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        if not head:
            self.wfile.write(chunk)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def assets() -> Iterator[AssetServer]:
    srv = AssetServer()
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield srv
    srv.shutdown()


@pytest.fixture(scope="module")
def stac_api(assets: AssetServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """stac-fastapi-static over the fixture catalog, asset hrefs pointed at the loopback asset server."""
    from stac_fastapi.static.api import Settings, make_api

    cat = tmp_path_factory.mktemp("stac") / "catalog"
    shutil.copytree(FIXTURE / "catalog", cat)
    for f in cat.rglob("*.json"):
        f.write_text(f.read_text().replace("{ASSET_BASE}", assets.base))
    port = _free_port()
    app = make_api(Settings(catalog_href=(cat / "catalog.json").as_uri(), reload=False, app_port=port)).app
    # stac-fastapi.api 5.x passes CORS options positionally, which Starlette 1.x reorders; CORS is
    # irrelevant on loopback, so the middleware is left out (the API itself is untouched).
    app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ != "CORSMiddleware"]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("loopback STAC API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    th.join(timeout=10)


@pytest.fixture(autouse=True)
def _fresh_gdal_cache() -> None:
    """GDAL caches blocks per URL across tests in one process; fault tests must reach the server."""
    clear_http_cache()


def _ben_anchor() -> Anchor:
    import rasterio

    (b02,) = (REAL / "bigearthnet/s2/S2A_MSIL2A_20170613T101031_87_48").glob("*_B02.tif")
    with rasterio.open(b02) as ds:
        b = ds.bounds
    lon, lat = lonlat_of((b.left + b.right) / 2, (b.bottom + b.top) / 2, 32633)
    return Anchor("ben-87_48", lat, lon, "test", "loopback")


def _config(api: str, assets: AssetServer, **kw: Any) -> BuildConfig:
    base: dict[str, Any] = {
        "catalog": api,
        "sas_token_url": assets.base + "/token/{collection}",
        "s2_window": "any",
        "retries": 1,
        "backoff_s": 0.05,
        "http_timeout_s": 2.0,
    }
    base.update(kw)
    return BuildConfig(**base)


def test_search_and_signed_read_match_the_local_catalog(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = True
    assets.faults.clear()
    cfg = _config(stac_api, assets)
    catalog = open_catalog(cfg.catalog, timeout_s=cfg.http_timeout_s, sas_token_url=cfg.sas_token_url)
    assert isinstance(catalog, StacApiCatalog) and isinstance(catalog.signer, SasTokenSigner)
    out = build_tile(_ben_anchor(), cfg, catalog)
    assert out.status == "done", out.message
    sample = out.sample
    assert sample is not None
    prov = sample.metadata.provenance
    assert prov is not None
    # the cloudy twin was refused by the cloud filter; the clear scene was used
    assert prov["modalities"]["sentinel2"]["item_id"] == "S2A_MSIL2A_20170613T101031_87_48"
    assert prov["modalities"]["sentinel1"]["items"][0]["orbit_state"] == "ascending"
    assert catalog.signer.fetches >= 1  # type: ignore[attr-defined]
    assert any(p.startswith("/real/") for p, _ in assets.requests)
    # identical pixels to the same rasters read from disk through the local catalog
    local = build_tile(_ben_anchor(), embedded_config(), open_catalog("embedded"))
    assert local.sample is not None
    for key in ("sentinel2", "sentinel1"):
        np.testing.assert_array_equal(sample.arrays[key], local.sample.arrays[key])
    # the corrupt DEM COG is an explained gap, not a crash and not a silent hole
    dem = prov["modalities"]["aster"]
    assert dem["status"] == "missing" and dem["reason"] == "corrupt_input", dem
    assert np.isnan(sample.arrays["aster"]).all()


def test_expired_signature_is_resigned(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = True
    assets.faults.clear()
    cfg = _config(stac_api, assets)
    catalog = open_catalog(cfg.catalog, timeout_s=cfg.http_timeout_s, sas_token_url=cfg.sas_token_url)
    signer = catalog.signer
    assert isinstance(signer, SasTokenSigner)
    signer.token("sentinel-2-l2a")  # a cached token...
    assets.revoke_all()  # ...that the server no longer accepts (expired early)
    out = build_tile(_ben_anchor(), cfg, catalog)
    assert out.status == "done", out.message
    assert signer.fetches >= 2  # refused read -> invalidate -> fresh token


def test_unsigned_reads_are_refused_and_recorded(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = True
    assets.faults.clear()
    cfg = _config(stac_api, assets)
    catalog = StacApiCatalog(stac_api, signer=None, timeout_s=2.0)  # forgot to sign
    out = build_tile(_ben_anchor(), cfg, catalog)
    assert out.status == "failed" and out.reason == "access_refused"
    assert "403" in (out.message or "") and out.attempts == 1  # permanent: no pointless tile retries


def test_refused_secondary_layer_is_an_explained_gap(stac_api: str, assets: AssetServer) -> None:
    """Like sentinel-1-rtc on Planetary Computer without a subscription key: S1 refused, tile kept."""
    assets.require_token = True
    assets.faults.clear()
    assets.faults["S1A_IW_GRDH"] = ["403", 0]
    cfg = _config(stac_api, assets)
    catalog = open_catalog(cfg.catalog, timeout_s=cfg.http_timeout_s, sas_token_url=cfg.sas_token_url)
    out = build_tile(_ben_anchor(), cfg, catalog)
    assets.faults.clear()
    assert out.status == "done" and out.sample is not None, out.message
    s1 = out.sample.metadata.provenance["modalities"]["sentinel1"]  # type: ignore[index]
    assert (
        s1["status"] == "missing" and s1["reason"] == "access_refused" and "fresh signature" in s1["message"]
    )
    assert np.isnan(out.sample.arrays["sentinel1"]).all()


def test_transient_5xx_is_retried_then_succeeds(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = False
    assets.faults.clear()
    assets.faults["_B8A.tif"] = ["503", 3]
    cfg = _config(stac_api, assets, retries=2)
    out = build_tile(_ben_anchor(), cfg, open_catalog(stac_api, timeout_s=2.0))
    assert out.status == "done", out.message
    assert assets.faults["_B8A.tif"][1] == 0


def test_persistent_5xx_fails_with_reason(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = False
    assets.faults.clear()
    assets.faults["_B11.tif"] = ["503", 10_000]
    cfg = _config(stac_api, assets, retries=1)
    out = build_tile(_ben_anchor(), cfg, open_catalog(stac_api, timeout_s=2.0))
    assets.faults.clear()
    assert out.status == "failed" and out.reason == "http_5xx"
    assert out.attempts == 2 and "_B11.tif" in (out.message or "")


def test_timeout_fails_with_reason(stac_api: str, assets: AssetServer) -> None:
    assets.require_token = False
    assets.faults.clear()
    assets.faults["_B12.tif"] = ["slow", 2.5]
    cfg = _config(stac_api, assets, retries=0, http_timeout_s=1.0)
    out = build_tile(_ben_anchor(), cfg, open_catalog(stac_api, timeout_s=1.0))
    assets.faults.clear()
    assert out.status == "failed" and out.reason in ("network", "http_5xx"), out.message


def test_unreachable_catalog_is_transient() -> None:
    port = _free_port()  # nothing listens there
    with pytest.raises(TransientSourceError):
        StacApiCatalog(f"http://127.0.0.1:{port}/", timeout_s=1.0)


def test_local_catalog_reads_the_same_fixture(assets: AssetServer, tmp_path: Path) -> None:
    """The static fixture itself is a valid local catalog (relative walk, hrefs kept)."""
    cat = tmp_path / "catalog"
    shutil.copytree(FIXTURE / "catalog", cat)
    local = LocalCatalog(cat)
    assert {it.collection for it in local.items} == {"sentinel-2-l2a", "sentinel-1", "cop-dem-glo-30"}


def test_cloud_limit_is_applied_by_the_server(stac_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import geomeld.builder.sources.catalog as catalog_mod

    monkeypatch.setattr(catalog_mod, "_under_cloud_limit", lambda item, limit: True)  # no client-side help
    bbox = _ben_anchor()
    cat = StacApiCatalog(stac_api, timeout_s=5.0)  # cql2 filter, as for Planetary Computer
    area = (bbox.long - 0.01, bbox.lat - 0.01, bbox.long + 0.01, bbox.lat + 0.01)
    everything = {it.id for it in cat.search("sentinel-2-l2a", area)}
    clear = {it.id for it in cat.search("sentinel-2-l2a", area, max_cloud_cover=10.0)}
    assert len(everything) == 2 and clear == {"S2A_MSIL2A_20170613T101031_87_48"}
