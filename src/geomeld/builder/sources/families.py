"""Named catalog families: Planetary Computer, Earth Search v1, Copernicus Data Space Ecosystem.

A family fixes how a STAC API is reached and read, and which collection ids stand for geomeld's
logical products. ``--catalog <name>`` picks a family; a STAC URL is matched to its family by host
(so ``--catalog https://earth-search.aws.element84.com/v1`` gets Earth Search's collections and
unsigned S3, not Planetary Computer's defaults); any other URL is a plain STAC API.

Overrides — a public contract, used for mirrors, proxies and tests. Precedence: build-config key, then
environment variable, then the family default:

==========================  =========================  ===============================================
config key                  environment variable       meaning
==========================  =========================  ===============================================
``stac_url``                ``GEOMELD_STAC_URL``       STAC API root of the named catalog
``sas_token_url``           ``GEOMELD_TOKEN_URL``      SAS token endpoint (``{collection}`` substituted)
``s3_endpoint``             ``GEOMELD_S3_ENDPOINT``    S3 endpoint for ``s3://`` assets (host or URL)
``s3_unsigned``             ``GEOMELD_S3_UNSIGNED``    read ``s3://`` assets without signing (1/0)
==========================  =========================  ===============================================

Credentials are read from the environment only, never from configs: Planetary Computer subscription
key ``PC_SDK_SUBSCRIPTION_KEY`` (needed for ``sentinel-1-rtc``); CDSE S3 keys
``GEOMELD_CDSE_S3_ACCESS_KEY``/``GEOMELD_CDSE_S3_SECRET_KEY`` (or ``AWS_ACCESS_KEY_ID``/
``AWS_SECRET_ACCESS_KEY``).

Access rules per family:

* **planetary-computer** — public STAC API; assets on Azure Blob need a SAS token from the token
  endpoint (fetched late, refreshed on expiry). ``sentinel-1-rtc`` refuses tokens without a
  subscription key: without ``PC_SDK_SUBSCRIPTION_KEY`` every tile would lose Sentinel-1, so the
  builder says so before the first tile.
* **earth-search** — public STAC API (``query`` extension, no CQL2); COGs on public S3 buckets and
  https; ``s3://`` assets are read unsigned (``AWS_NO_SIGN_REQUEST=YES``). ``sentinel-1-grd`` is
  requester-pays (not used by default).
* **cdse** — public STAC API at ``stac.dataspace.copernicus.eu/v1``; assets are JPEG 2000 (COG for
  some collections) under ``s3://eodata/…`` on the CDSE S3 endpoint ``eodata.dataspace.copernicus.eu``,
  which needs S3 keys (free account; create them at https://eodata-s3keysmanager.dataspace.copernicus.eu).
  One asset per band *and* resolution (``B02_10m``, ``B02_20m``, …): the native one is read.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from geomeld.builder.sources.catalog import S3Settings, StacApiCatalog
from geomeld.builder.sources.signing import PLANETARY_COMPUTER_TOKEN_URL, SasTokenSigner

log = logging.getLogger(__name__)

PLANETARY_COMPUTER_URL = "https://planetarycomputer.microsoft.com/api/stac/v1"
EARTH_SEARCH_URL = "https://earth-search.aws.element84.com/v1"
CDSE_URL = "https://stac.dataspace.copernicus.eu/v1"
CDSE_S3_ENDPOINT = "eodata.dataspace.copernicus.eu"

ENV_STAC_URL = "GEOMELD_STAC_URL"
ENV_TOKEN_URL = "GEOMELD_TOKEN_URL"
ENV_S3_ENDPOINT = "GEOMELD_S3_ENDPOINT"
ENV_S3_UNSIGNED = "GEOMELD_S3_UNSIGNED"
ENV_PC_KEY = "PC_SDK_SUBSCRIPTION_KEY"
ENV_CDSE_ACCESS = "GEOMELD_CDSE_S3_ACCESS_KEY"
ENV_CDSE_SECRET = "GEOMELD_CDSE_S3_SECRET_KEY"


@dataclass(frozen=True)
class Family:
    name: str
    url: str
    hosts: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    token_url: str | None = None
    s3_endpoint: str | None = None
    s3_unsigned: bool = False
    collections: dict[str, str] = field(default_factory=dict)
    access_hint: str = ""


FAMILIES: dict[str, Family] = {
    "planetary-computer": Family(
        "planetary-computer",
        PLANETARY_COMPUTER_URL,
        ("planetarycomputer.microsoft.com",),
        aliases=("pc",),
        token_url=PLANETARY_COMPUTER_TOKEN_URL,
        collections={
            "sentinel-2-l2a": "sentinel-2-l2a",
            "sentinel-1": "sentinel-1-rtc",
            "cop-dem-glo-30": "cop-dem-glo-30",
            "esa-worldcover": "esa-worldcover",
            "jrc-gsw": "jrc-gsw",
            "naip": "naip",
        },
        access_hint=(
            f"Planetary Computer: sentinel-1-rtc needs a subscription key (set {ENV_PC_KEY}; request one "
            "at https://planetarycomputer.microsoft.com/account/request); other collections need only "
            "the SAS token, fetched automatically"
        ),
    ),
    "earth-search": Family(
        "earth-search",
        EARTH_SEARCH_URL,
        ("earth-search.aws.element84.com",),
        s3_unsigned=True,
        collections={
            "sentinel-2-l2a": "sentinel-2-l2a",
            # uncalibrated DN, requester-pays: recorded as missing (uncalibrated_grd), see sources/sentinel1.py
            "sentinel-1": "sentinel-1-grd",
            "cop-dem-glo-30": "cop-dem-glo-30",
            "naip": "naip",
        },
        access_hint=(
            "Earth Search: public buckets are read unsigned (AWS_NO_SIGN_REQUEST=YES); requester-pays "
            "buckets (sentinel-1-grd) need AWS credentials and AWS_REQUEST_PAYER=requester"
        ),
    ),
    "cdse": Family(
        "cdse",
        CDSE_URL,
        ("stac.dataspace.copernicus.eu",),
        aliases=("copernicus-data-space",),
        s3_endpoint=CDSE_S3_ENDPOINT,
        collections={
            "sentinel-2-l2a": "sentinel-2-l2a",
            "sentinel-1": "sentinel-1-grd",
            "cop-dem-glo-30": "cop-dem-glo-30-dged-cog",
        },
        access_hint=(
            f"CDSE: s3://eodata needs S3 keys: set {ENV_CDSE_ACCESS} and {ENV_CDSE_SECRET} (create them "
            "at https://eodata-s3keysmanager.dataspace.copernicus.eu after registering)"
        ),
    ),
}


def catalog_family(spec: str) -> str | None:
    """The family a catalog spec belongs to: a family name or alias, or a URL on a family's host."""
    low = spec.strip().lower()
    for fam in FAMILIES.values():
        if low == fam.name or low in fam.aliases:
            return fam.name
    if low.startswith(("http://", "https://")):
        host = (urlsplit(low).hostname or "").lower()
        for fam in FAMILIES.values():
            if host in fam.hosts:
                return fam.name
    return None


def default_collections(spec: str, family: str | None = None) -> dict[str, str]:
    """Logical product → collection id for the catalog's family (empty for other catalogs)."""
    fam = family or catalog_family(spec)
    return dict(FAMILIES[fam].collections) if fam in FAMILIES else {}


def _env_bool(name: str) -> bool | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return None
    return raw.strip().lower() in ("1", "yes", "true", "on")


def _pick(config_value: Any, env_name: str, default: Any) -> Any:
    if config_value is not None:
        return config_value
    env = os.environ.get(env_name)
    if env:
        return env
    return default


def family_warnings(family: str | None, collections: dict[str, str]) -> list[str]:
    """Things a user must know before the first tile (e.g. a missing key that would cost a layer)."""
    out = []
    if (
        family == "planetary-computer"
        and collections.get("sentinel-1") == "sentinel-1-rtc"
        and not os.environ.get(ENV_PC_KEY)
    ):
        out.append(
            f"Planetary Computer's sentinel-1-rtc refuses reads without a subscription key and {ENV_PC_KEY} "
            "is not set: every tile would lose Sentinel-1 (counted as lost layers, reason access_refused). "
            f"Set {ENV_PC_KEY}, or map sentinel-1 to another collection in the config."
        )
    if (
        family == "cdse"
        and not (os.environ.get(ENV_CDSE_ACCESS) or os.environ.get("AWS_ACCESS_KEY_ID"))
        and not _env_bool(ENV_S3_UNSIGNED)
    ):
        out.append(
            f"CDSE assets live on s3://eodata and need S3 keys; {ENV_CDSE_ACCESS}/{ENV_CDSE_SECRET} are "
            "not set, so reads will be refused."
        )
    return out


def open_family(
    family: str | None,
    spec: str,
    *,
    timeout_s: float = 30.0,
    sas_token_url: str | None = None,
    stac_url: str | None = None,
    s3_endpoint: str | None = None,
    s3_unsigned: bool | None = None,
    cloud_filter: str = "auto",
) -> StacApiCatalog:
    """Open a STAC API catalog of ``family`` (None: a plain STAC API at ``spec``) with overrides applied."""
    fam = FAMILIES.get(family) if family else None
    spec_is_url = spec.startswith(("http://", "https://"))
    default_url = spec if spec_is_url else (fam.url if fam else spec)
    url = _pick(stac_url, ENV_STAC_URL, default_url)
    token_url = _pick(sas_token_url, ENV_TOKEN_URL, fam.token_url if fam else None)
    endpoint = _pick(s3_endpoint, ENV_S3_ENDPOINT, fam.s3_endpoint if fam else None)
    unsigned = s3_unsigned if s3_unsigned is not None else _env_bool(ENV_S3_UNSIGNED)
    if unsigned is None:
        unsigned = fam.s3_unsigned if fam else False
    access = secret = None
    if fam is not None and fam.name == "cdse":
        access = os.environ.get(ENV_CDSE_ACCESS) or os.environ.get("AWS_ACCESS_KEY_ID")
        secret = os.environ.get(ENV_CDSE_SECRET) or os.environ.get("AWS_SECRET_ACCESS_KEY")
    s3 = S3Settings(
        endpoint=endpoint,
        unsigned=bool(unsigned),
        access_key=access,
        secret_key=secret,
        region="default" if endpoint else None,
    )
    signer = None
    if token_url:
        key = os.environ.get(ENV_PC_KEY) if fam is not None and fam.name == "planetary-computer" else None
        signer = SasTokenSigner(token_url, subscription_key=key)
    return StacApiCatalog(
        url,
        signer=signer,
        name=fam.name if fam else url,
        timeout_s=timeout_s,
        cloud_filter=cloud_filter,
        s3=s3,
        family=fam.name if fam else None,
        access_hint=fam.access_hint if fam else "",
    )


__all__ = [
    "CDSE_URL",
    "EARTH_SEARCH_URL",
    "FAMILIES",
    "PLANETARY_COMPUTER_URL",
    "catalog_family",
    "default_collections",
    "family_warnings",
    "open_family",
]
