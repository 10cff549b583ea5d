"""Which asset hrefs a catalog may make the builder open (hostile or careless catalogs).

A *remote* catalog (a STAC API) is not trusted with the builder's machine: its items may point at
``http(s)://`` and ``s3://`` locations only, and never at

* local files (``file://``, absolute or relative paths, GDAL ``/vsi…`` paths other than the ones the
  builder makes itself);
* link-local and cloud-metadata addresses: 169.254.0.0/16 (AWS/GCP/Azure instance metadata at
  169.254.169.254), fe80::/10, fd00:ec2::254, 100.100.100.200 (Alibaba), and the names
  ``metadata``, ``metadata.google.internal`` — including host names that resolve to such an address.

Local catalogs (a static catalog or a folder on disk, the embedded sample) may reference local files.
A refused href is an access error naming the item: the tile fails with reason ``href_refused``.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from geomeld.builder.sources.errors import PermanentSourceError

if TYPE_CHECKING:
    from geomeld.builder.sources.catalog import Catalog

REMOTE_SCHEMES = ("http", "https", "s3")
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})
_METADATA_IPS = frozenset({ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")})


class HrefRefusedError(PermanentSourceError):
    reason = "href_refused"


def _forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_link_local or ip in _METADATA_IPS


@lru_cache(maxsize=1024)
def _host_forbidden(host: str) -> str | None:
    """Why ``host`` may not be contacted (None: fine). Names are resolved; unresolvable names pass
    (the read then fails as a network error)."""
    name = host.strip("[]").lower().rstrip(".")
    if name in METADATA_HOSTS:
        return f"host {host!r} is a cloud metadata service"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        try:
            infos = socket.getaddrinfo(name, None)
        except (OSError, UnicodeError):
            return None
        for info in infos:
            try:
                addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            except ValueError:
                continue
            if _forbidden_ip(addr):
                return f"host {host!r} resolves to the link-local/metadata address {addr}"
        return None
    if _forbidden_ip(ip):
        return f"address {ip} is link-local or a cloud metadata service"
    return None


def href_problem(href: str) -> str | None:
    """Why a *remote* catalog's ``href`` may not be opened (None: allowed)."""
    parts = urlsplit(href)
    scheme = parts.scheme.lower()
    if scheme not in REMOTE_SCHEMES:
        if scheme in ("", "file") or href.startswith("/"):
            return "a remote catalog may not point at local files"
        return f"scheme {scheme!r} is not allowed (only {', '.join(REMOTE_SCHEMES)})"
    if scheme == "s3":
        return None  # bucket names are not hosts; the endpoint is the catalog's own setting
    if not parts.hostname:
        return "no host in the URL"
    return _host_forbidden(parts.hostname)


def check_href(catalog: Catalog, href: str, item_id: str | None) -> None:
    """Raise :class:`HrefRefusedError` if ``catalog`` is remote and ``href`` is not allowed."""
    if not getattr(catalog, "remote", False):
        return
    problem = href_problem(href)
    if problem is not None:
        who = f"item {item_id}" if item_id else "an item"
        raise HrefRefusedError(
            f"{who} of catalog {catalog.name}: asset href {href.split('?', 1)[0]!r} refused: {problem}",
            "href_refused",
        )


__all__ = ["HrefRefusedError", "check_href", "href_problem"]
