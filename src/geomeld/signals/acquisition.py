"""Acquisition geometry of a sample: the optical image's time and sun elevation, the radar passes.

Read from the sample's provenance (what the builder recorded for ``sentinel2`` and ``sentinel1``):

* **sun elevation** at the tile centre: a value the product recorded (``view:sun_elevation``,
  ``sun_elevation``, or 90° − ``s2:mean_solar_zenith``) is used when present; otherwise it is computed
  from the Sentinel-2 acquisition time (UTC) and the tile centre with NOAA's solar-position equations
  (Meeus; better than 0.1° for elevations above 10°, refraction left out). A multi-date optical
  composite has no single time and gets none. The source is recorded beside the value;
* **radar passes**: the orbit direction of each Sentinel-1 scene used (``ascending`` /
  ``descending``, and whether the catalogue inferred it from the local time of the pass) and its
  distance in days from the optical acquisition.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from geomeld.signals.models import AcquisitionSignal

SUN_SOURCE_COMPUTED = "computed: NOAA solar position at the tile centre and the Sentinel-2 acquisition time"


def solar_elevation_deg(lat: float, lon: float, when: dt.datetime) -> float:
    """Solar elevation (degrees above the horizon, no refraction) at ``lat``/``lon`` and ``when``
    (timezone-aware, or naive UTC): NOAA's solar calculator equations."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    jd = (when - dt.datetime(2000, 1, 1, 12)).total_seconds() / 86400.0 + 2451545.0
    t = (jd - 2451545.0) / 36525.0
    l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360.0
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = math.radians(m)
    c = (
        math.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * mr) * (0.019993 - 0.000101 * t)
        + math.sin(3 * mr) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    app_long = math.radians(l0 + c - 0.00569 - 0.00478 * math.sin(omega))
    obliq0 = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    obliq = math.radians(obliq0 + 0.00256 * math.cos(omega))
    decl = math.asin(math.sin(obliq) * math.sin(app_long))
    y = math.tan(obliq / 2.0) ** 2
    l0r = math.radians(l0)
    eq_time = 4.0 * math.degrees(
        y * math.sin(2 * l0r)
        - 2 * e * math.sin(mr)
        + 4 * e * y * math.sin(mr) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * e * e * math.sin(2 * mr)
    )
    minutes = when.hour * 60.0 + when.minute + when.second / 60.0
    true_solar = (minutes + eq_time + 4.0 * lon) % 1440.0
    hour_angle = math.radians(true_solar / 4.0 - 180.0)
    phi = math.radians(lat)
    cos_z = math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(hour_angle)
    return 90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_z))))


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(float(value)):
        return float(value)
    return None


def _time(value: Any) -> dt.datetime | None:
    """A datetime with a time of day (a bare date has no sun position)."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _recorded_sun(rec: Mapping[str, Any]) -> tuple[float, str] | None:
    props = rec.get("properties") if isinstance(rec.get("properties"), Mapping) else {}
    for where in (rec, props):
        assert isinstance(where, Mapping)
        for key in ("view:sun_elevation", "sun_elevation"):
            v = _number(where.get(key))
            if v is not None:
                return v, f"recorded: {key}"
        for key in ("s2:mean_solar_zenith", "mean_solar_zenith"):
            v = _number(where.get(key))
            if v is not None:
                return 90.0 - v, f"recorded: 90° − {key}"
    return None


def acquisition_signal(
    provenance: Mapping[str, Any] | None, lat: float | None, lon: float | None
) -> AcquisitionSignal | None:
    """The acquisition geometry recorded in (or following from) a sample's provenance; ``None`` when
    nothing is recorded."""
    records = (provenance or {}).get("modalities") or {}
    if not isinstance(records, Mapping):
        return None
    out = AcquisitionSignal()
    s2 = records.get("sentinel2")
    if isinstance(s2, Mapping):
        items: list[Any] = s2["items"] if isinstance(s2.get("items"), list) else [s2]
        times = {
            t for it in items if isinstance(it, Mapping) and (t := _time(it.get("datetime"))) is not None
        }
        if len(times) == 1:
            when = next(iter(times))
            out.optical_time = when.isoformat()
            recorded = _recorded_sun(s2) or next(
                (r for it in items if isinstance(it, Mapping) and (r := _recorded_sun(it)) is not None), None
            )
            if recorded is not None:
                out.sun_elevation_deg, out.sun_elevation_source = round(recorded[0], 2), recorded[1]
            elif lat is not None and lon is not None:
                out.sun_elevation_deg = round(solar_elevation_deg(lat, lon, when), 2)
                out.sun_elevation_source = SUN_SOURCE_COMPUTED
        elif len(times) > 1:
            out.notes.append("the optical image is a multi-date composite: no single sun position")
    s1 = records.get("sentinel1")
    if isinstance(s1, Mapping) and s1.get("status", "ok") == "ok":
        for it in s1.get("items") or []:
            if not isinstance(it, Mapping):
                continue
            orbit = str(it.get("orbit_state", "")).lower()
            if orbit in ("ascending", "descending") and orbit not in out.sar_orbits:
                out.sar_orbits.append(orbit)
                out.sar_orbit_inferred = out.sar_orbit_inferred or bool(it.get("orbit_state_inferred"))
            gap = _number(it.get("days_from_s2"))
            if gap is not None:
                out.sar_days_from_optical.append(abs(gap))
    if out.optical_time is None and not out.sar_orbits and not out.sar_days_from_optical and not out.notes:
        return None
    return out
