"""Exceptions that sources raise; the builder turns each into a recorded per-tile outcome.

* :class:`TransientSourceError` — worth retrying with back-off (HTTP 5xx/429, timeouts, resets).
* :class:`SignatureExpiredError` — the signed URL was refused (HTTP 403); re-sign and retry once.
* :class:`PermanentSourceError` — retrying will not help; the tile is recorded as failed/rejected.
  Subclasses say why: no coverage, nothing under the cloud limit, a corrupt file, quality rejection.
"""

from __future__ import annotations

from geomeld.core.errors import GeomeldError


class SourceError(GeomeldError):
    """Base class: ``reason`` is a short machine-readable code, the message explains it for humans."""

    reason = "source_error"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class TransientSourceError(SourceError):
    reason = "transient"


class SignatureExpiredError(TransientSourceError):
    reason = "signature_expired"


class PermanentSourceError(SourceError):
    reason = "permanent"


class OutsideCoverageError(PermanentSourceError):
    reason = "outside_coverage"


class NoSuitableItemError(PermanentSourceError):
    reason = "no_item"


class CorruptInputError(PermanentSourceError):
    reason = "corrupt_input"


class QualityRejectedError(PermanentSourceError):
    reason = "quality"
