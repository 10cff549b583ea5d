"""Open a catalog asset with rasterio: late signing, re-sign on 403, errors classified for the builder."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import rasterio
from rasterio.errors import RasterioError, RasterioIOError

from geomeld.builder.sources.catalog import Asset, Catalog
from geomeld.builder.sources.errors import (
    CorruptInputError,
    PermanentSourceError,
    SignatureExpiredError,
    TransientSourceError,
)

T = TypeVar("T")

GDAL_HTTP_OPTIONS: dict[str, object] = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_TIMEOUT": 30,
    "GDAL_HTTP_CONNECTTIMEOUT": 10,
    "GDAL_HTTP_MAX_RETRY": 2,  # GDAL's own retry on 429/502/503/504, with its back-off
    "GDAL_HTTP_RETRY_DELAY": 0.5,
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_MULTIPLEX": "YES",
    "VSI_CACHE": "TRUE",
    "CPL_VSIL_CURL_CACHE_SIZE": 64 * 1024 * 1024,
}

_STATUS = re.compile(r"HTTP (?:response )?code:?\s*(\d{3})", re.IGNORECASE)


_gdal_lib: object | None = None


def clear_http_cache() -> None:
    """Drop GDAL's /vsicurl/ caches (file sizes, blocks, *failed* lookups) before a retry.

    GDAL remembers that a URL failed; without this, retrying a tile after a 5xx or a 403 in the
    same process would be refused from the cache without any request. Uses the GDAL library that
    rasterio loaded (``VSICurlClearCache``); a no-op if it cannot be found.
    """
    global _gdal_lib
    if _gdal_lib is None:
        import ctypes
        import glob
        import os

        libs = sorted(
            glob.glob(
                os.path.join(os.path.dirname(rasterio.__file__), os.pardir, "rasterio.libs", "libgdal*")
            )
        )
        try:
            _gdal_lib = ctypes.CDLL(libs[0]) if libs else ctypes.CDLL(None)
        except OSError:
            _gdal_lib = False
    func = getattr(_gdal_lib, "VSICurlClearCache", None) if _gdal_lib else None
    if func is not None:
        func()


_CREDENTIAL_WORDS = (
    "aws_secret_access_key",
    "aws_no_sign_request",
    "invalidaccesskeyid",
    "signaturedoesnotmatch",
    "accessdenied",
    "access denied",
    "credentials",
)


def classify_read_error(exc: Exception, href: str, access_hint: str = "") -> Exception:
    """Map a rasterio/GDAL error on ``href`` to a transient, signature, access or permanent source error.

    ``access_hint``: how to fix access for this catalog (appended to credential errors).
    """
    text = str(exc)
    m = _STATUS.search(text)
    status = int(m.group(1)) if m else None
    lowered = text.lower()
    where = href.split("?", 1)[0]
    if href.startswith(("s3://", "/vsis3/")) and (
        any(w in lowered for w in _CREDENTIAL_WORDS) or status in (401, 403)
    ):
        fix = access_hint or (
            "public bucket: set AWS_NO_SIGN_REQUEST=YES (or the catalog's s3_unsigned: true); private "
            "bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
        return PermanentSourceError(
            f"{where}: S3 access refused or no credentials ({text}). Fix: {fix}", "access_refused"
        )
    if status == 403 or "signature" in lowered or "authenticationfailed" in lowered:
        return SignatureExpiredError(
            f"{where}: access refused (HTTP 403), signature expired or missing: {text}"
        )
    if status is not None and (status >= 500 or status == 429):
        return TransientSourceError(f"{where}: server error HTTP {status}", "http_5xx")
    if any(
        w in lowered
        for w in (
            "timed out",
            "timeout",
            "connection",
            "couldn't connect",
            "could not resolve",
            "reset by peer",
        )
    ):
        return TransientSourceError(f"{where}: network error: {text}", "network")
    if status == 404 or "no such file" in lowered or "does not exist" in lowered:
        return PermanentSourceError(f"{where}: asset not found: {text}", "asset_missing")
    return CorruptInputError(f"{where}: unreadable raster (corrupt or not a GeoTIFF/COG/JP2): {text}")


class _OpenLocalRasters:
    """Per-process LRU cache of open local rasters (opening costs more than reading a tile window)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._open: OrderedDict[str, rasterio.io.DatasetReader] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> rasterio.io.DatasetReader:
        with self._lock:
            ds = self._open.get(path)
            if ds is not None:
                self._open.move_to_end(path)
                return ds
            ds = rasterio.open(path)
            self._open[path] = ds
            while len(self._open) > self.size:
                _, old = self._open.popitem(last=False)
                old.close()
            return ds

    def drop(self, path: str) -> None:
        with self._lock:
            ds = self._open.pop(path, None)
            if ds is not None:
                ds.close()


LOCAL_RASTERS = _OpenLocalRasters(size=256)


def with_asset(
    catalog: Catalog,
    asset: Asset,
    collection: str,
    fn: Callable[[rasterio.io.DatasetReader], T],
    *,
    item_id: str | None = None,
) -> T:
    """Open ``asset`` (signed right now) and apply ``fn``; on a 403 re-sign once and retry.

    Remote catalogs may not point at local files or link-local/metadata addresses (checked before
    anything is opened: :func:`geomeld.builder.sources.hrefs.check_href`). ``s3://`` assets are read through
    GDAL's ``/vsis3/`` with the catalog's S3 settings (endpoint, unsigned access, credentials).
    Local files are kept open in a small per-process cache; remote ones are opened per call inside a
    GDAL environment tuned for HTTP. Every failure leaves as a
    :class:`~geomeld.builder.sources.errors.SourceError` subclass naming the asset (and the item, if given).
    """
    from geomeld.builder.sources.hrefs import check_href

    check_href(catalog, asset.href, item_id)
    attempts = 2
    for attempt in range(attempts):
        href = catalog.signer.sign(asset.href, collection)
        path = _gdal_path(href)
        remote = "://" in path or path.startswith("/vsi")
        try:
            if remote:
                options = {
                    **GDAL_HTTP_OPTIONS,
                    "GDAL_HTTP_TIMEOUT": max(1, round(catalog.timeout_s)),
                    **(catalog.s3_options() if path.startswith("/vsis3/") else {}),
                }
                with rasterio.Env(**options), rasterio.open(path) as ds:
                    return fn(ds)
            return fn(LOCAL_RASTERS.get(path))
        except (RasterioIOError, RasterioError) as exc:
            err = classify_read_error(exc, path, catalog.access_hint())
        except (ValueError, MemoryError) as exc:
            err = CorruptInputError(f"{asset.href}: raster decoding failed: {exc}")
        if item_id is not None and str(item_id) not in str(err):
            err = type(err)(f"item {item_id}: {err}", getattr(err, "reason", None))
        if not remote:
            LOCAL_RASTERS.drop(path)
        if isinstance(err, TransientSourceError):
            clear_http_cache()  # the retry (here or at the tile level) must really hit the server
        if isinstance(err, SignatureExpiredError):
            if attempt + 1 < attempts:
                catalog.signer.invalidate(collection)
                continue
            # refused again with a fresh signature: not an expiry but no access (e.g. Planetary
            # Computer's sentinel-1-rtc without a subscription key) - retrying will not help
            raise PermanentSourceError(
                f"{asset.href.split('?', 1)[0]}: access refused even with a fresh signature ({err})"
                + (f". Fix: {catalog.access_hint()}" if catalog.access_hint() else ""),
                "access_refused",
            )
        raise err
    raise PermanentSourceError(
        f"{asset.href}: unreadable"
    )  # pragma: no cover - loop always returns or raises


def _gdal_path(href: str) -> str:
    if href.startswith("file://"):
        return href[len("file://") :]
    if href.startswith("s3://"):
        return "/vsis3/" + href[len("s3://") :]
    return href
