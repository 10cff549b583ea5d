"""Acquisition records of a sample, from its provenance: the distance in days of each Sentinel-1
scene used from the optical acquisition (``days_from_s2``, recorded by the builder for
``sentinel1``), and the sun elevation a Sentinel-2 product recorded, when it did (the image
conditions use it before computing one from the acquisition time: ``signals.orchestrator``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geomeld.signals.models import AcquisitionSignal


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value)):
        return float(value)
    return None


SUN_KEYS = ("view:sun_elevation", "sun_elevation")
ZENITH_KEYS = ("s2:mean_solar_zenith", "mean_solar_zenith")


def recorded_sun_elevation(rec: Any) -> tuple[float, str] | None:
    """The sun elevation (°) a product record (or its ``properties``) holds, and where it came from:
    ``view:sun_elevation`` / ``sun_elevation``, or 90° − ``s2:mean_solar_zenith``."""
    if not isinstance(rec, Mapping):
        return None
    props = rec.get("properties")
    for where in (rec, props if isinstance(props, Mapping) else {}):
        for key in SUN_KEYS:
            v = _number(where.get(key))
            if v is not None:
                return v, f"recorded: {key}"
        for key in ZENITH_KEYS:
            v = _number(where.get(key))
            if v is not None:
                return 90.0 - v, f"recorded: 90° − {key}"
    return None


def acquisition_signal(provenance: Mapping[str, Any] | None) -> AcquisitionSignal | None:
    """The radar–optical gaps recorded in a sample's provenance; ``None`` when none is recorded."""
    records = (provenance or {}).get("modalities") or {}
    s1 = records.get("sentinel1") if isinstance(records, Mapping) else None
    if not isinstance(s1, Mapping) or s1.get("status", "ok") != "ok":
        return None
    out = AcquisitionSignal()
    for it in s1.get("items") or []:
        if not isinstance(it, Mapping):
            continue
        gap = _number(it.get("days_from_s2"))
        if gap is not None:
            out.sar_days_from_optical.append(abs(gap))
    return out if out.sar_days_from_optical else None
