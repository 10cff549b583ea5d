"""Catalogs: where source items come from. One small interface, four kinds.

* :class:`LocalCatalog` — a static STAC catalog on disk (``catalog.json`` → collections → items),
  e.g. the embedded sample's catalog; fully offline.
* :class:`FolderCatalog` — a plain folder of rasters.
* :class:`StacApiCatalog` — any STAC API (``/search``) through ``pystac-client``; with a signer for
  Planetary Computer (SAS tokens fetched late and refreshed on expiry), unsigned public buckets for
  Earth Search, and an S3 endpoint with credentials for the Copernicus Data Space Ecosystem.

Named catalogs (``planetary-computer``, ``earth-search``, ``cdse``) are *families*
(:mod:`geomeld.builder.sources.families`): their STAC URL, token endpoint and S3 endpoint can be overridden by
config keys and environment variables (mirrors, proxies, tests).

Items are reduced to :class:`CatalogItem` so that sources never depend on the client library.
"""

from __future__ import annotations

import json
import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geomeld.builder.grid import split_bbox
from geomeld.builder.sources.errors import PermanentSourceError, TransientSourceError
from geomeld.builder.sources.signing import NoSigner, Signer
from geomeld.core.errors import GeomeldError

log = logging.getLogger(__name__)

PLANETARY_COMPUTER_URL = "https://planetarycomputer.microsoft.com/api/stac/v1"
EARTH_SEARCH_URL = "https://earth-search.aws.element84.com/v1"


@dataclass(frozen=True)
class Asset:
    href: str
    roles: tuple[str, ...] = ()
    band_names: tuple[str, ...] = ()  # eo:bands names, if the asset lists any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class CatalogItem:
    """A STAC item reduced to what sources need."""

    id: str
    collection: str
    datetime: datetime | None
    geometry: BaseGeometry
    properties: dict[str, Any]
    assets: dict[str, Asset]

    @classmethod
    def from_dict(cls, raw: dict[str, Any], base_href: str | None = None) -> CatalogItem:
        """Parse a STAC item dict; relative asset hrefs are resolved against ``base_href``."""
        props = dict(raw.get("properties") or {})
        when = props.get("datetime") or props.get("start_datetime")
        dt = parse_datetime(when) if when else None
        if raw.get("geometry"):
            geom = shape(raw["geometry"])
        elif raw.get("bbox"):
            geom = box(*raw["bbox"][:4])
        else:
            raise PermanentSourceError(f"STAC item {raw.get('id')!r} has neither geometry nor bbox")
        assets: dict[str, Asset] = {}
        for name, a in (raw.get("assets") or {}).items():
            href = a["href"]
            if base_href is not None and "://" not in href and not href.startswith("/"):
                href = urljoin(base_href, href)
            # STAC 1.1 "bands" (CDSE) or eo:bands (PC, Earth Search): kept whole for band matching
            meta = [b for b in (a.get("bands") or a.get("eo:bands") or []) if isinstance(b, dict)]
            bands = tuple(str(b.get("name", "")) for b in meta)
            extra = {k: v for k, v in a.items() if k not in ("href", "roles", "eo:bands")}
            extra["bands"] = meta
            assets[name] = Asset(href, tuple(a.get("roles", ())), bands, extra)
        return cls(str(raw["id"]), str(raw.get("collection", "")), dt, geom, props, assets)

    def asset_for(self, *names: str) -> Asset | None:
        """The first asset whose key or eo:bands name matches one of ``names`` (case-insensitive)."""
        lower = {k.lower(): a for k, a in self.assets.items()}
        for n in names:
            if n.lower() in lower:
                return lower[n.lower()]
        for n in names:
            for a in self.assets.values():
                if len(a.band_names) == 1 and a.band_names[0].lower() == n.lower():
                    return a
        return None


def bbox_area(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    """The lon/lat area of a bbox (two boxes across the antimeridian)."""
    parts = [box(*b) for b in split_bbox(bbox)]
    return parts[0] if len(parts) == 1 else unary_union(parts)


def parse_datetime(text: str) -> datetime:
    dt = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class Catalog(ABC):
    """Search interface shared by every catalog kind."""

    name: str = "catalog"
    signer: Signer = NoSigner()
    timeout_s: float = 30.0
    remote: bool = False  # remote catalogs may not point at local files (geomeld.builder.sources.hrefs)
    family: str | None = None

    def s3_options(self) -> dict[str, Any]:
        """GDAL options for reading this catalog's ``s3://`` assets."""
        return {}

    def access_hint(self) -> str:
        """How to fix refused reads from this catalog (shown in access errors)."""
        return ""

    @abstractmethod
    def search(
        self,
        collection: str,
        bbox: tuple[float, float, float, float],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 100,
        max_cloud_cover: float | None = None,
    ) -> list[CatalogItem]:
        """Items of ``collection`` intersecting ``bbox`` (lon/lat) whose datetime lies in [start, end].

        ``max_cloud_cover``: drop items whose ``eo:cloud_cover`` is ≥ this (items without the property
        are kept by local catalogs and left to the caller; STAC APIs filter them server-side).
        """

    def relocatable(self, collection: str) -> list[CatalogItem]:
        """Items of ``collection`` that may stand in anywhere (``geomeld:relocatable_centers``)."""
        return []

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


def _under_cloud_limit(item: CatalogItem, max_cloud_cover: float | None) -> bool:
    cc = item.properties.get("eo:cloud_cover")
    return max_cloud_cover is None or cc is None or float(cc) < max_cloud_cover


def _in_window(item: CatalogItem, start: datetime | None, end: datetime | None) -> bool:
    if item.datetime is None:
        return start is None and end is None
    if start is not None and item.datetime < start:
        return False
    return not (end is not None and item.datetime > end)


class LocalCatalog(Catalog):
    """A static STAC catalog on disk: ``catalog.json`` with ``child``/``item`` links (relative hrefs)."""

    def __init__(self, root: str | Path, name: str | None = None) -> None:
        path = Path(root)
        self.catalog_file = path / "catalog.json" if path.is_dir() else path
        if not self.catalog_file.is_file():
            raise FileNotFoundError(
                f"local catalog {root}: no catalog.json found (expected a static STAC catalog folder)"
            )
        self.name = name or str(self.catalog_file.parent)
        self.items: list[CatalogItem] = []
        self._load(self.catalog_file)

    def _load(self, file: Path) -> None:
        try:
            raw = json.loads(file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise PermanentSourceError(f"local catalog file {file} is unreadable: {exc}") from None
        if raw.get("type") == "Feature":
            self.items.append(CatalogItem.from_dict(raw, base_href=file.resolve().as_uri()))
            return
        for link in raw.get("links", []):
            if link.get("rel") in ("child", "item"):
                self._load((file.parent / link["href"]).resolve())

    def search(
        self,
        collection: str,
        bbox: tuple[float, float, float, float],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 100,
        max_cloud_cover: float | None = None,
    ) -> list[CatalogItem]:
        area = bbox_area(bbox)
        found = [
            it
            for it in self.items
            if it.collection == collection
            and it.geometry.intersects(area)
            and _in_window(it, start, end)
            and _under_cloud_limit(it, max_cloud_cover)
        ]
        return found[:limit]

    def relocatable(self, collection: str) -> list[CatalogItem]:
        return [
            it
            for it in self.items
            if it.collection == collection and it.properties.get("geomeld:relocatable_centers")
        ]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "local", "items": len(self.items)}


_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?")
RASTER_SUFFIXES = (".tif", ".tiff", ".jp2", ".vrt")
_BASELINE_IN_NAME = re.compile(r"_N(\d{2})(\d{2})(?=_|$)")


class FolderCatalog(LocalCatalog):
    """A plain folder of rasters, no STAC JSON: ``<root>/<collection>/<item>.tif`` (one asset ``data``)
    or ``<root>/<collection>/<item>/<asset>.tif`` (one asset per file, e.g. ``B02.tif``, ``VV.tif``).

    Footprints come from the rasters themselves; the datetime from a ``YYYYMMDD[THHMMSS]`` in the item
    name (none: a static layer); ``sat:orbit_state`` from an ``ASC``/``DESC`` token in the name; the
    Sentinel-2 processing baseline from an ``_N0400_`` token (without it, harmonisation warns).
    """

    def __init__(self, root: str | Path, name: str | None = None) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"raster folder catalog {root}: not a folder")
        self.name = name or str(self.root)
        self.items = []
        for cdir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for entry in sorted(cdir.iterdir()):
                if entry.is_file() and entry.suffix.lower() in RASTER_SUFFIXES:
                    self.items.append(self._item(cdir.name, entry.stem, {"data": entry}))
                elif entry.is_dir():
                    files = {
                        f.stem: f for f in sorted(entry.iterdir()) if f.suffix.lower() in RASTER_SUFFIXES
                    }
                    if files:
                        self.items.append(self._item(cdir.name, entry.name, files))
        if not self.items:
            raise FileNotFoundError(f"raster folder catalog {root}: no rasters under <collection>/ folders")

    @staticmethod
    def _item(collection: str, item_id: str, files: dict[str, Path]) -> CatalogItem:
        import rasterio
        from rasterio.warp import transform_bounds

        first = next(iter(files.values()))
        try:
            with rasterio.open(first) as ds:
                west, south, east, north = transform_bounds(ds.crs, "EPSG:4326", *ds.bounds, densify_pts=21)
                epsg = ds.crs.to_epsg() if ds.crs else None
        except Exception as exc:
            raise PermanentSourceError(
                f"raster folder catalog: cannot read {first}: {exc}", "corrupt_input"
            ) from None
        props: dict[str, Any] = {"proj:epsg": epsg}
        m = _DATE_IN_NAME.search(item_id)
        when = None
        if m:
            y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
            when = datetime(y, mo, d, hh, mm, ss, tzinfo=UTC)
        baseline = _BASELINE_IN_NAME.search(item_id)
        if baseline:  # S2 product names carry the processing baseline: ..._N0400_...
            props["s2:processing_baseline"] = f"{baseline.group(1)}.{baseline.group(2)}"
        tokens = set(re.split(r"[_\-.]", item_id.upper()))
        if tokens & {"ASC", "ASCENDING"}:
            props["sat:orbit_state"] = "ascending"
        elif tokens & {"DESC", "DESCENDING"}:
            props["sat:orbit_state"] = "descending"
        assets = {k: Asset(str(v.resolve())) for k, v in files.items()}
        return CatalogItem(item_id, collection, when, box(west, south, east, north), props, assets)


class StacApiCatalog(Catalog):
    """Any STAC API, searched with ``pystac-client``; asset hrefs are signed right before each read."""

    remote = True

    def __init__(
        self,
        url: str,
        signer: Signer | None = None,
        name: str | None = None,
        timeout_s: float = 30.0,
        cloud_filter: str = "auto",
        s3: S3Settings | None = None,
        family: str | None = None,
        access_hint: str = "",
    ) -> None:
        """``cloud_filter``: how the cloud limit is sent to the server — ``auto`` (from the server's
        ``conformsTo``: CQL2 when it advertises the filter extension, else ``query`` when it advertises
        the query extension, else client side), ``cql2``, ``query`` or ``none`` (client side only)."""
        if cloud_filter not in ("auto", "cql2", "query", "none"):
            raise ValueError(f"cloud_filter must be auto, cql2, query or none, got {cloud_filter!r}")
        try:
            from pystac_client import Client
        except ImportError as exc:  # pragma: no cover - exercised only without the extra
            raise ImportError("STAC API catalogs need pystac-client: pip install 'geomeld[stac]'") from exc
        self.url = url
        self.name = name or url
        self.signer = signer or NoSigner()
        self.timeout_s = timeout_s
        self.s3 = s3 or S3Settings()
        self.family = family
        self._access_hint = access_hint
        try:
            self._client = Client.open(url, timeout=timeout_s)
        except Exception as exc:
            raise _classify_api_error(exc, f"opening STAC API {url}") from None
        self.conforms_to = [str(c) for c in (self._client.get_conforms_to() or [])]
        self.cloud_filter = filter_language(self.conforms_to) if cloud_filter == "auto" else cloud_filter

    def s3_options(self) -> dict[str, Any]:
        return self.s3.gdal_options()

    def access_hint(self) -> str:
        return self._access_hint

    def search(
        self,
        collection: str,
        bbox: tuple[float, float, float, float],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 100,
        max_cloud_cover: float | None = None,
    ) -> list[CatalogItem]:
        dt = None
        if start is not None or end is not None:
            dt = f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"
        extra: dict[str, Any] = {}
        if max_cloud_cover is not None and self.cloud_filter == "cql2":
            extra["filter"] = {"op": "<", "args": [{"property": "eo:cloud_cover"}, max_cloud_cover]}
            extra["filter_lang"] = "cql2-json"
        elif max_cloud_cover is not None and self.cloud_filter == "query":
            extra["query"] = {"eo:cloud_cover": {"lt": max_cloud_cover}}
        raws: list[dict[str, Any]] = []
        seen: set[str] = set()
        for part in split_bbox(bbox):  # an antimeridian tile is searched as two boxes
            try:
                search = self._client.search(
                    collections=[collection], bbox=list(part), datetime=dt, max_items=limit, **extra
                )
                found = [it.to_dict() for it in search.items()]
            except Exception as exc:
                raise _classify_api_error(exc, f"searching {collection} at {self.url}") from None
            for r in found:
                if str(r.get("id")) not in seen:
                    seen.add(str(r.get("id")))
                    raws.append(r)
        items = [CatalogItem.from_dict(r) for r in raws]
        # Servers differ in how strictly they apply bbox/datetime; apply both again here.
        area = bbox_area(bbox)
        return [
            it
            for it in items
            if it.geometry.intersects(area)
            and _in_window(it, start, end)
            and _under_cloud_limit(it, max_cloud_cover)
        ]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "stac-api",
            "url": self.url,
            "family": self.family,
            "signer": self.signer.describe(),
            "cloud_filter": self.cloud_filter,
            "s3": self.s3.describe(),
        }


_FILTER_CONF = re.compile(r"item-search#filter|/filter$|cql2-(json|text)|features-3/1\.0/conf/filter")
_QUERY_CONF = re.compile(r"item-search#query")


def filter_language(conforms_to: list[str]) -> str:
    """How to send a property filter to a server with these conformance classes: ``cql2``, ``query`` or
    ``none`` (filter on the client)."""
    if any(_FILTER_CONF.search(c) for c in conforms_to) and any("cql2" in c for c in conforms_to):
        return "cql2"
    if any(_QUERY_CONF.search(c) for c in conforms_to):
        return "query"
    return "none"


_CREDENTIAL_FILES: dict[tuple[str, str], str] = {}


def _credentials_file(access_key: str, secret_key: str) -> str:
    """A 0600 AWS credentials file (profile ``geomeld``) in a private temporary folder, one per key pair."""
    import os
    import tempfile

    key = (access_key, secret_key)
    if key not in _CREDENTIAL_FILES or not Path(_CREDENTIAL_FILES[key]).exists():
        folder = tempfile.mkdtemp(prefix="geomeld-s3-")  # 0700
        path = os.path.join(folder, "credentials")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"[geomeld]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n")
        _CREDENTIAL_FILES[key] = path
    return _CREDENTIAL_FILES[key]


@dataclass(frozen=True)
class S3Settings:
    """How GDAL reads ``s3://`` hrefs of a catalog: endpoint, unsigned access or credentials."""

    endpoint: str | None = None  # host[:port] or URL; None = AWS
    unsigned: bool = False
    access_key: str | None = None
    secret_key: str | None = None
    region: str | None = None
    virtual_hosting: bool | None = None
    https: bool = True

    def gdal_options(self) -> dict[str, Any]:
        # never ask the EC2 metadata service (169.254.169.254) for credentials
        opts: dict[str, Any] = {"CPL_AWS_AUTODETECT_EC2": "NO"}
        if self.endpoint:
            host = self.endpoint
            https = self.https
            if "://" in host:
                https = host.startswith("https://")
                host = host.split("://", 1)[1]
            opts["AWS_S3_ENDPOINT"] = host.rstrip("/")
            opts["AWS_HTTPS"] = "YES" if https else "NO"
            opts["AWS_VIRTUAL_HOSTING"] = "FALSE" if not self.virtual_hosting else "TRUE"
        if self.region:
            opts["AWS_REGION"] = self.region
        if self.unsigned:
            opts["AWS_NO_SIGN_REQUEST"] = "YES"
        elif self.access_key and self.secret_key:
            # rasterio refuses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY as config options (boto3's job);
            # GDAL reads them from a private credentials file instead
            opts["AWS_NO_SIGN_REQUEST"] = "NO"
            opts["CPL_AWS_CREDENTIALS_FILE"] = _credentials_file(self.access_key, self.secret_key)
            opts["AWS_PROFILE"] = "geomeld"
        return opts

    def describe(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "unsigned": self.unsigned,
            "credentials": bool(self.access_key and self.secret_key),
        }


def _classify_api_error(exc: Exception, what: str) -> Exception:
    text = f"{type(exc).__name__}: {exc}"
    status = getattr(getattr(exc, "response", None), "status_code", None)
    lowered = text.lower()
    transient_words = ("timeout", "timed out", "connection", "temporarily", "503", "502", "500", "504", "429")
    if (status is not None and (status >= 500 or status == 429)) or any(
        w in lowered for w in transient_words
    ):
        return TransientSourceError(f"{what}: {text}", reason="catalog_unavailable")
    return PermanentSourceError(f"{what}: {text}", reason="catalog_error")


def open_catalog(
    spec: str,
    *,
    timeout_s: float = 30.0,
    sas_token_url: str | None = None,
    stac_url: str | None = None,
    s3_endpoint: str | None = None,
    s3_unsigned: bool | None = None,
    cloud_filter: str = "auto",
) -> Catalog:
    """A catalog from a spec: ``embedded``, a named family (``planetary-computer``/``pc``,
    ``earth-search``, ``cdse``), a STAC API URL, a static STAC catalog (folder with ``catalog.json``)
    or a plain folder of rasters (:class:`FolderCatalog`).

    Overrides (config key → environment variable → family default; see
    :mod:`geomeld.builder.sources.families`): ``stac_url``/``GEOMELD_STAC_URL``,
    ``sas_token_url``/``GEOMELD_TOKEN_URL`` (``{collection}`` is substituted),
    ``s3_endpoint``/``GEOMELD_S3_ENDPOINT``, ``s3_unsigned``/``GEOMELD_S3_UNSIGNED``.
    A spec that is none of these raises :class:`CatalogSpecError` naming the valid choices.
    """
    from geomeld.builder.sources.families import catalog_family, open_family

    if spec == "embedded":
        from geomeld.core.data import embedded_catalog_dir

        return LocalCatalog(embedded_catalog_dir(), name="embedded")
    family = catalog_family(spec)
    if family is not None or spec.startswith(("http://", "https://")):
        return open_family(
            family,
            spec,
            timeout_s=timeout_s,
            sas_token_url=sas_token_url,
            stac_url=stac_url,
            s3_endpoint=s3_endpoint,
            s3_unsigned=s3_unsigned,
            cloud_filter=cloud_filter,
        )
    path = Path(spec)
    if not path.exists():
        from geomeld.builder.sources.families import FAMILIES

        raise CatalogSpecError(
            f"catalog {spec!r}: not a known catalog name ({', '.join(['embedded', *FAMILIES])}), "
            "not an http(s) STAC API URL, and no such folder or catalog.json"
        )
    if path.is_dir() and not (path / "catalog.json").exists():
        return FolderCatalog(path)
    return LocalCatalog(spec)


class CatalogSpecError(GeomeldError, FileNotFoundError):
    """The catalog named on the command line or in the config does not exist."""
