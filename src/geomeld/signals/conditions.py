"""Image conditions of a Sentinel-2 tile: cloud, haze, cloud shadow and snow (pure numpy, per pixel).

Each condition is bounded from both sides where the spectra allow it, as a share of the valid pixels:

* **Opaque cloud (lower bound)**: bright and spectrally flat from the visible to the SWIR — B2, B3,
  B4, B8 > 0.3, B11 > 0.2, visible whiteness < 0.2 and NDSI < 0.3 (the Fmask whiteness test, Zhu &
  Woodcock 2012, RSE 118:83, with the brightness of thick cloud; snow is excluded by its dark SWIR).
* **Any cloud (upper bound)**: brighter in blue than the scene's dark object by more than 0.08
  (``B2 > min(p2(B2), 0.12) + 0.08``: the dark object carries the path radiance, so this reads the same
  on top-of-atmosphere L1C and surface L2A; the 0.12 cap keeps an overcast scene from raising its own
  threshold), not green (NDVI < 0.4: even thin cloud pulls NDVI towards 0), bright in NIR (B8 > 0.15)
  not snow (NDSI ≤ 0.4 or B11 ≥ 0.15) and not reddish (B2 ≥ 0.7 B4: cloud is grey to bluish, bare soil,
  sand and roofs are red-shifted with B4 up to twice B2). Everything that could be cloud — bright roofs and sand too —
  so it bounds cloud from above.
* **Cloud shadow (upper bound)**: dark in NIR and SWIR (B8 < 0.15, B11 < 0.12), the Fmask shadow bands;
  open water passes as well, so it bounds shadow from above only.
* **Snow**: NDSI (B3 − B11)/(B3 + B11) > 0.4 with NIR > 0.11 and green > 0.1 (SNOMAP, Hall et al. 1995,
  RSE 54:127; the NIR test removes water) bounds snow from below; NDSI > 0.1 with green > 0.15 (snow is
  bright in the visible even when patchy or old) bounds it from above.
* **Haze**: the dark object ``dark_blue`` (2nd percentile of B2): on a clear day it is the path
  radiance over the darkest surfaces; the verifier compares it with the Rayleigh path reflectance
  expected for the sun elevation (:func:`rayleigh_blue`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from geomeld.signals.models import ImageConditions

CLOUD_ABOVE_DARK = 0.08
DARK_CAP = 0.12
CLOUD_NDVI_BELOW = 0.4
CLOUD_NIR_ABOVE = 0.15
CLOUD_BLUE_TO_RED = 0.7
THICK_VIS, THICK_NIR, THICK_SWIR, THICK_WHITENESS, THICK_NDSI = 0.3, 0.3, 0.2, 0.2, 0.3
SHADOW_NIR, SHADOW_SWIR = 0.15, 0.12
SNOW_NDSI, SNOW_NIR, SNOW_GREEN = 0.4, 0.11, 0.1
SNOW_UPPER_NDSI, SNOW_UPPER_GREEN = 0.1, 0.15
NEEDED = ("B2", "B3", "B4", "B8", "B11")


def image_conditions(
    bands: np.ndarray, band_names: Sequence[str], valid: np.ndarray
) -> ImageConditions | None:
    """Condition shares of the ``valid`` pixels of ``bands`` ``(C, H, W)``; ``None`` without the bands.
    (Index tests are written as products, ``(a − b) > t (a + b)``, to skip the divisions: the bands are
    non-negative reflectances.)"""
    names = list(band_names)
    if any(n not in names for n in NEEDED) or not valid.any():
        return None
    every = bool(valid.all())
    b2, b3, b4, b8, b11 = (
        np.asarray(bands[names.index(n)], dtype=np.float32).reshape(-1)
        if every
        else np.asarray(bands[names.index(n)], dtype=np.float32)[valid]
        for n in NEEDED
    )
    ok = np.isfinite(b2 + b3 + b4 + b8 + b11)
    if not ok.all():
        if not ok.any():
            return None
        b2, b3, b4, b8, b11 = b2[ok], b3[ok], b4[ok], b8[ok], b11[ok]
    step = max(1, b2.size // 4096)
    sub = b2[::step]
    k = 10000.0 if float(np.median(sub)) > 2.0 else 1.0  # DN × 10 000: thresholds scale instead
    n = float(b2.size)
    dark = float(np.percentile(sub, 2)) / k
    g11 = b3 + b11
    snowy = (b3 - b11 > SNOW_NDSI * g11) & (b11 < 0.15 * k)
    upper = (
        (b2 > (min(dark, DARK_CAP) + CLOUD_ABOVE_DARK) * k)
        & (b8 - b4 < CLOUD_NDVI_BELOW * (b8 + b4))
        & (b8 > CLOUD_NIR_ABOVE * k)
        & (b2 >= CLOUD_BLUE_TO_RED * b4)
        & ~snowy
    )
    thick = (b2 > THICK_VIS * k) & (b3 > THICK_VIS * k) & (b4 > THICK_VIS * k) & (b8 > THICK_NIR * k)
    thick &= b11 > THICK_SWIR * k
    if thick.any():
        idx = np.flatnonzero(thick)
        v2, v3, v4, v11 = b2[idx], b3[idx], b4[idx], b11[idx]
        vis = (v2 + v3 + v4) / 3.0
        white = (np.abs(v2 - vis) + np.abs(v3 - vis) + np.abs(v4 - vis)) / (3.0 * vis)
        keep = (white < THICK_WHITENESS) & (v3 - v11 < THICK_NDSI * (v3 + v11))
        thick[idx[~keep]] = False
    shadow = (b8 < SHADOW_NIR * k) & (b11 < SHADOW_SWIR * k)
    snow_lo = (b3 - b11 > SNOW_NDSI * g11) & (b8 > SNOW_NIR * k) & (b3 > SNOW_GREEN * k)
    snow_hi = (b3 - b11 > SNOW_UPPER_NDSI * g11) & (b3 > SNOW_UPPER_GREEN * k)

    def pct(m: np.ndarray) -> float:
        return round(100.0 * float(np.count_nonzero(m)) / n, 3)

    return ImageConditions(
        cloud_upper=pct(upper | thick),
        cloud_lower=pct(thick),
        shadow_upper=pct(shadow),
        snow_lower=pct(snow_lo),
        snow_upper=pct(snow_hi | snow_lo),
        dark_blue=round(dark, 4),
    )


RAYLEIGH_TAU_490 = 0.16
"""Rayleigh optical depth at 490 nm (Bodhaine et al. 1999: 0.0088·λ^-4.15, λ in µm, sea level)."""
OVERPASS_HOUR_ANGLE_DEG = -22.5
"""Sentinel-2 crosses the equator at 10:30 local solar time: the sun is 22.5° east of the meridian."""


def solar_zenith_deg(lat: float, day_of_year: int) -> float:
    """Solar zenith angle at the Sentinel-2 overpass (10:30 local solar time), Cooper's declination."""
    decl = math.radians(23.44) * math.sin(2.0 * math.pi * (284 + day_of_year) / 365.0)
    phi = math.radians(lat)
    h = math.radians(OVERPASS_HOUR_ANGLE_DEG)
    cos_z = math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(h)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos_z))))


def rayleigh_blue(lat: float, day_of_year: int) -> float:
    """Single-scattering Rayleigh path reflectance in B2 for a nadir view at the overpass:
    ``τ_R · P(Θ) / (4 cos θs)`` with the Rayleigh phase function ``P = 0.75 (1 + cos² Θ)``."""
    z = math.radians(min(solar_zenith_deg(lat, day_of_year), 80.0))
    cos_theta = -math.cos(z)  # scattering angle for a nadir view: 180° − θs
    phase = 0.75 * (1.0 + cos_theta * cos_theta)
    return RAYLEIGH_TAU_490 * phase / (4.0 * math.cos(z))


def sun_elevation_deg(lat: float, lon: float, when: datetime) -> float:
    """Solar elevation (degrees above the horizon) at ``lat``/``lon`` and the UTC time ``when``: NOAA's
    general solar position equations (fractional-year series for the declination and the equation of
    time; ~0.5° accuracy, ample for "low sun below 20°")."""
    doy = when.timetuple().tm_yday
    hour = when.hour + when.minute / 60.0 + when.second / 3600.0
    g = 2.0 * math.pi / 365.0 * (doy - 1 + (hour - 12.0) / 24.0)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * math.cos(g)
        - 0.032077 * math.sin(g)
        - 0.014615 * math.cos(2 * g)
        - 0.040849 * math.sin(2 * g)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(g)
        + 0.070257 * math.sin(g)
        - 0.006758 * math.cos(2 * g)
        + 0.000907 * math.sin(2 * g)
        - 0.002697 * math.cos(3 * g)
        + 0.00148 * math.sin(3 * g)
    )
    true_solar_min = hour * 60.0 + eqtime + 4.0 * lon
    ha = math.radians(true_solar_min / 4.0 - 180.0)
    phi = math.radians(lat)
    cos_z = math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(ha)
    return 90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_z))))
