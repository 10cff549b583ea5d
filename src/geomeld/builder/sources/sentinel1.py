"""Sentinel-1: VV/VH/HH/HV × ascending/descending within ± N days of the Sentinel-2 date.

Per orbit direction the scene closest in time to Sentinel-2 is used; polarisations it lacks and
orbit directions without a scene stay NaN, and the provenance lists them. Values are σ⁰ in dB:
items whose ``geomeld:units`` (or collection) says linear power are converted with 10·log10.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import numpy as np

from geomeld.builder.align import read_to_grid, valid_fraction
from geomeld.builder.sources.base import (
    ModalityResult,
    Placement,
    Source,
    TileContext,
    days_window,
    grid_of,
    missing,
)
from geomeld.builder.sources.reader import with_asset
from geomeld.core.modalities import Resampling

ORBIT_SUFFIX = {"ascending": "asc", "descending": "desc"}


def units_of(placement: Placement) -> str:
    declared = placement.item.properties.get("geomeld:units")
    if declared:
        return str(declared)
    collection = placement.item.collection.lower()
    if "rtc" in collection:
        return "linear"  # Planetary Computer sentinel-1-rtc: gamma0 power
    if "grd" in collection:
        return "dn"  # raw GRD amplitude: not calibrated, cannot become sigma0 dB here
    return "dB"


def to_db(values: np.ndarray, units: str) -> np.ndarray:
    if units.lower() == "db":
        return values.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 10.0 * np.log10(values)
    out[~np.isfinite(out)] = np.nan
    return out.astype(np.float32)


class Sentinel1Source(Source):
    key = "sentinel1"
    product = "sentinel-1"

    def fetch(self, ctx: TileContext) -> ModalityResult:
        if ctx.acquisition is None:
            return missing(
                self.key, "no_reference", "Sentinel-1 is matched to the Sentinel-2 date, which is unknown"
            )
        start, end = days_window(ctx.acquisition, ctx.settings.s1_window_days)
        placements = self.covering(ctx, start, end, allow_relocation=False)
        if not placements:
            return missing(
                self.key,
                "no_s1_in_window",
                f"no Sentinel-1 scene within ±{ctx.settings.s1_window_days} days of {ctx.acquisition.date()}",
            )
        best: dict[str, Placement] = {}
        uncalibrated = [p.item.id for p in placements if units_of(p).lower() == "dn"]
        placements = [p for p in placements if units_of(p).lower() != "dn"]
        if not placements:
            return missing(
                self.key,
                "uncalibrated_grd",
                "only uncalibrated GRD scenes (digital numbers) in the window; use a calibrated collection "
                "(e.g. Planetary Computer sentinel-1-rtc) or declare geomeld:units on the items",
                items=uncalibrated,
            )
        for p in placements:
            orbit = str(p.item.properties.get("sat:orbit_state", "")).lower()
            if orbit not in ORBIT_SUFFIX:
                continue
            prev = best.get(orbit)
            if prev is None or _gap(p, ctx.acquisition) < _gap(prev, ctx.acquisition):
                best[orbit] = p
        arr = self.modality.empty()
        names = list(self.modality.band_names)
        used: list[dict[str, Any]] = []
        filled: list[str] = []
        for orbit, p in sorted(best.items()):
            grid = grid_of(p, self.modality)
            units = units_of(p)
            for pol in ("VV", "VH", "HH", "HV"):
                asset = p.item.asset_for(pol)
                if asset is None:
                    continue
                layer = with_asset(
                    ctx.catalog,
                    asset,
                    p.item.collection,
                    partial(read_to_grid, bands=[1], grid=grid, kind=Resampling.CONTINUOUS),
                )
                band = f"{pol}_{ORBIT_SUFFIX[orbit]}"
                arr[names.index(band)] = to_db(layer.array[0], units)
                filled.append(band)
            rec = p.provenance()
            rec.update(
                {
                    "orbit_state": orbit,
                    "orbit_state_inferred": bool(
                        p.item.properties.get("geomeld:orbit_state_inferred", False)
                    ),
                    "days_from_s2": round(_gap(p, ctx.acquisition) / 86400.0, 2),
                    "units_in": units,
                    "relative_orbit": p.item.properties.get("sat:relative_orbit"),
                }
            )
            used.append(rec)
        if not filled:
            return missing(
                self.key,
                "no_usable_s1",
                "Sentinel-1 scenes found but none had a usable orbit state/polarisation",
            )
        prov = {
            "status": "ok",
            "items": used,
            "bands_filled": filled,
            "bands_missing": [b for b in names if b not in filled],
            "valid_fraction": round(valid_fraction(self.modality, arr), 4),
        }
        return ModalityResult(self.key, arr, prov)


def _gap(p: Placement, when: datetime) -> float:
    if p.item.datetime is None:
        return float("inf")
    return abs((p.item.datetime - when).total_seconds())
