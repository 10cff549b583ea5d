"""A loopback STAC API that replays real item documents over synthetic rasters (tests only).

One ``ThreadingHTTPServer`` on 127.0.0.1 serves

* the STAC API: ``GET /`` (landing page with the ``conformsTo`` it was given, e.g. Earth Search's
  recorded one), ``GET /conformance``, ``GET /collections/{id}``, ``GET|POST /search`` (collections,
  bbox, datetime, and the cloud filter in whichever language the client chose: ``query`` or CQL2 —
  both only if advertised; every request body is recorded in ``searches``);
* a SAS-token endpoint ``GET /token/{collection}`` (Planetary Computer's protocol);
* files with HTTP Range support: ``/files/<path>`` and path-style S3 ``/<bucket>/<key>`` (a GDAL
  ``/vsis3/`` client pointed here with ``AWS_S3_ENDPOINT``), both from ``root``.

Rasters: :func:`write_band` writes a tiled GeoTIFF (or JPEG 2000) whose value at a pixel centre
``(x, y)`` is :func:`truth` ``+ offset`` — a linear function of position, so bilinear resampling
reproduces it exactly and tests can compare every output pixel with the truth.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from shapely.geometry import box, shape

SLOPE = 0.2  # DN per metre, along x and along -y: integer values at 10/20/60 m pixel centres
BASE = 300.0
PER_BAND = 40.0


def truth(band_index: int, x: np.ndarray, y: np.ndarray, x0: float, y0: float) -> np.ndarray:
    """Harmonised DN of band ``band_index`` at map coordinates (x, y); (x0, y0) the scene origin."""
    return BASE + PER_BAND * band_index + SLOPE * (x - x0) + SLOPE * (y0 - y)


def write_band(
    path: Path,
    *,
    epsg: int,
    x0: float,
    y0: float,
    size_m: float,
    pixel: float,
    band_index: int,
    offset: float = 0.0,
    driver: str = "GTiff",
    constant: float | None = None,
    dtype: str = "uint16",
) -> None:
    """A ``size_m`` square raster with its upper-left corner at (x0, y0), values ``truth + offset``."""
    import rasterio
    from rasterio.transform import from_origin

    n = round(size_m / pixel)
    cols = x0 + (np.arange(n) + 0.5) * pixel
    rows = y0 - (np.arange(n) + 0.5) * pixel
    xx, yy = np.meshgrid(cols, rows)
    values = truth(band_index, xx, yy, x0, y0) + offset if constant is None else np.full((n, n), constant)
    path.parent.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        "driver": driver,
        "width": n,
        "height": n,
        "count": 1,
        "dtype": dtype,
        "crs": f"EPSG:{epsg}",
        "transform": from_origin(x0, y0, pixel, pixel),
        "nodata": 0,
    }
    if driver == "GTiff":
        profile.update(tiled=True, blockxsize=128, blockysize=128, compress="deflate")
    else:
        profile.update(QUALITY=100, REVERSIBLE=True)
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(np.round(values).astype(dtype), 1)


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, conforms_to: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.conforms_to = conforms_to
        self.items: list[dict[str, Any]] = []
        self.searches: list[dict[str, Any]] = []
        self.files: list[str] = []
        self.tokens_issued = 0
        self.token_keys: list[str | None] = []  # Ocp-Apim-Subscription-Key of each token request
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add_item(self, item: dict[str, Any]) -> None:
        self.items.append(item)

    def collections(self) -> list[str]:
        return sorted({str(it.get("collection")) for it in self.items})

    def search(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            self.searches.append(params)
        cols = params.get("collections")
        if isinstance(cols, str):
            cols = cols.split(",")
        bbox = params.get("bbox")
        if isinstance(bbox, str):
            bbox = [float(v) for v in bbox.split(",")]
        area = box(*bbox) if bbox else None
        start = end = None
        if params.get("datetime"):
            a, _, b = str(params["datetime"]).partition("/")
            start = None if a in ("", "..") else datetime.fromisoformat(a.replace("Z", "+00:00"))
            end = None if b in ("", "..") else datetime.fromisoformat(b.replace("Z", "+00:00"))
        limit_cc = None
        query = params.get("query")
        if query and "item-search#query" in " ".join(self.conforms_to):
            limit_cc = float(query["eo:cloud_cover"]["lt"])
        flt = params.get("filter")
        if flt and any("filter" in c for c in self.conforms_to):
            limit_cc = float(flt["args"][1])
        out = []
        for it in self.items:
            if cols and it.get("collection") not in cols:
                continue
            if area is not None and not shape(it["geometry"]).intersects(area):
                continue
            when = datetime.fromisoformat(str(it["properties"]["datetime"]).replace("Z", "+00:00"))
            if (start and when < start) or (end and when > end):
                continue
            cc = it["properties"].get("eo:cloud_cover")
            if limit_cc is not None and cc is not None and float(cc) >= limit_cc:
                continue
            out.append(it)
        return out


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, obj: Any, status: int = 200) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _landing(self) -> dict[str, Any]:
        b = self.server.base
        return {
            "type": "Catalog",
            "id": "replay",
            "description": "loopback replay",
            "stac_version": "1.0.0",
            "conformsTo": self.server.conforms_to,
            "links": [
                {"rel": "self", "href": f"{b}/", "type": "application/json"},
                {"rel": "root", "href": f"{b}/", "type": "application/json"},
                {"rel": "conformance", "href": f"{b}/conformance", "type": "application/json"},
                {"rel": "data", "href": f"{b}/collections", "type": "application/json"},
                {"rel": "search", "href": f"{b}/search", "type": "application/geo+json", "method": "GET"},
                {"rel": "search", "href": f"{b}/search", "type": "application/geo+json", "method": "POST"},
            ],
        }

    def _results(self, params: dict[str, Any]) -> None:
        feats = self.server.search(params)
        self._json({"type": "FeatureCollection", "features": feats, "links": []})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        params = json.loads(self.rfile.read(n) or b"{}")
        if url.path.rstrip("/") == "/search":
            self._results(params)
            return
        self.send_error(404)

    def do_HEAD(self) -> None:
        self._file(head=True)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path in ("", "/"):
            self._json(self._landing())
        elif path == "/conformance":
            self._json({"conformsTo": self.server.conforms_to})
        elif path == "/collections":
            self._json({"collections": [self._collection(c) for c in self.server.collections()], "links": []})
        elif path.startswith("/collections/"):
            self._json(self._collection(path.split("/")[2]))
        elif path.rstrip("/") == "/search":
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            for key in ("query", "filter"):
                if key in q:
                    q[key] = json.loads(q[key])
            self._results(q)
        elif re.fullmatch(r"/token/[\w.-]+", path):
            with self.server.lock:
                self.server.tokens_issued += 1
                self.server.token_keys.append(self.headers.get("Ocp-Apim-Subscription-Key"))
                tok = f"sig=tok{self.server.tokens_issued}"
            expiry = (datetime.now(UTC) + timedelta(minutes=45)).isoformat()
            self._json({"token": tok, "msft:expiry": expiry})
        else:
            self._file(head=False)

    def _collection(self, cid: str) -> dict[str, Any]:
        b = self.server.base
        return {
            "type": "Collection",
            "id": cid,
            "stac_version": "1.0.0",
            "description": cid,
            "license": "proprietary",
            "extent": {"spatial": {"bbox": [[-180, -90, 180, 90]]}, "temporal": {"interval": [[None, None]]}},
            "links": [{"rel": "self", "href": f"{b}/collections/{cid}"}, {"rel": "root", "href": f"{b}/"}],
        }

    def _file(self, head: bool) -> None:
        url = urlsplit(self.path)
        rel = url.path[len("/files/") :] if url.path.startswith("/files/") else "s3/" + url.path.lstrip("/")
        file = (self.server.root / rel).resolve()
        if self.server.root.resolve() not in file.parents or not file.is_file():
            self.send_error(404, "Not Found")
            return
        with self.server.lock:
            self.server.files.append(url.path)
        data = file.read_bytes()
        rng = self.headers.get("Range")
        if rng:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            start = int(m.group(1)) if m else 0
            end = min(int(m.group(2)) if m and m.group(2) else len(data) - 1, len(data) - 1)
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            chunk = data[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            chunk = data
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        if not head:
            self.wfile.write(chunk)


@contextmanager
def replay_server(root: Path, conforms_to: list[str]) -> Iterator[ReplayServer]:
    srv = ReplayServer(root, conforms_to)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
