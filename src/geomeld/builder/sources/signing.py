"""URL signing for catalogs whose assets need a short-lived token (Planetary Computer SAS tokens).

Sign *right before* each read (never at search time: a token fetched during a long search can expire
before the read), cache the token per collection until shortly before its expiry, and throw it away
when a read is refused (:meth:`Signer.invalidate`) so the retry fetches a fresh one.

Planetary Computer's token API is ``GET {base}/{collection}`` → ``{"token": "...", "msft:expiry": "..."}``;
the token is appended to the asset URL as its query string.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from geomeld.builder.sources.errors import PermanentSourceError, TransientSourceError

PLANETARY_COMPUTER_TOKEN_URL = "https://planetarycomputer.microsoft.com/api/sas/v1/token/{collection}"


class Signer:
    """Turns an asset href into a readable URL. The base class signs nothing."""

    def sign(self, href: str, collection: str) -> str:
        return href

    def invalidate(self, collection: str) -> None:
        """Forget any cached token for ``collection`` (called after a refused read)."""

    def describe(self) -> dict[str, Any]:
        return {"kind": "none"}


class NoSigner(Signer):
    pass


@dataclass
class _Token:
    token: str
    expires_at: float


def _parse_expiry(value: Any) -> float:
    from geomeld.builder.sources.catalog import parse_datetime

    if value is None:
        return time.time() + 300.0
    return parse_datetime(str(value)).timestamp()


class SasTokenSigner(Signer):
    """Appends a SAS token fetched from ``token_url`` (``{collection}`` is substituted).

    Tokens are re-fetched ``margin_s`` seconds before they expire and after :meth:`invalidate`.
    """

    def __init__(
        self,
        token_url: str,
        margin_s: float = 60.0,
        timeout_s: float = 15.0,
        subscription_key: str | None = None,
    ) -> None:
        self.token_url = token_url
        self.subscription_key = subscription_key
        self.margin_s = margin_s
        self.timeout_s = timeout_s
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    @classmethod
    def planetary_computer(cls) -> SasTokenSigner:
        return cls(PLANETARY_COMPUTER_TOKEN_URL)

    def _fetch(self, collection: str) -> _Token:
        url = self.token_url.format(collection=collection)
        request = urllib.request.Request(url)
        if self.subscription_key:  # Planetary Computer: keyed tokens open sentinel-1-rtc
            request.add_header("Ocp-Apim-Subscription-Key", self.subscription_key)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                raw = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientSourceError(
                    f"token service {url} answered HTTP {exc.code}", "token_unavailable"
                ) from None
            raise PermanentSourceError(
                f"token service {url} refused: HTTP {exc.code}", "token_refused"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientSourceError(
                f"token service {url} unreachable: {exc}", "token_unavailable"
            ) from None
        if not isinstance(raw, dict) or "token" not in raw:
            raise PermanentSourceError(f"token service {url} returned no 'token' field", "token_refused")
        self.fetches += 1
        return _Token(str(raw["token"]), _parse_expiry(raw.get("msft:expiry")))

    def token(self, collection: str) -> str:
        with self._lock:
            tok = self._tokens.get(collection)
            if tok is None or tok.expires_at - self.margin_s <= time.time():
                tok = self._fetch(collection)
                self._tokens[collection] = tok
            return tok.token

    def sign(self, href: str, collection: str) -> str:
        if not href.startswith(("http://", "https://")):
            return href
        base = href.split("?", 1)[0]
        return f"{base}?{self.token(collection)}"

    def invalidate(self, collection: str) -> None:
        with self._lock:
            self._tokens.pop(collection, None)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "sas-token",
            "token_url": self.token_url,
            "subscription_key": bool(self.subscription_key),
        }
