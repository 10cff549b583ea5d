"""Sentinel-2 harmonisation: remove the +1000 DN ``BOA_ADD_OFFSET`` of processing baseline ≥ 04.00 once.

Catalogs say whether the offset is still in the pixels in different ways, and some say it wrongly.
One table decides, rules in this order of precedence (the first rule that applies wins):

=====  ======================  ===============================================================  ==========
order  rule                    applies when / decision                                          catalogs
=====  ======================  ===============================================================  ==========
1      ``earthsearch_flag``    item has ``earthsearch:boa_offset_applied``. ``true``: already   Earth
                               harmonised, remove nothing (its ``raster:bands`` offset is       Search
                               present either way and is ignored). ``false`` with baseline ≥    ``sentinel
                               04.00: the flag is wrong on some scenes (Element84/earth-search  -2-l2a``
                               #66, #71), so the *data* decide: if ≥ :data:`DARK_SHARE_MIN` of
                               valid pixels of the darkest band lie below 1000 DN the offset is
                               not in the pixels (remove nothing), else remove 1000.
                               ``false`` with an older or unknown baseline: remove nothing.
2      ``raster_offset``       the band's asset declares ``raster:bands[].offset``/``scale``     Earth
                               (or ``raster:offset``/``raster:scale``): remove               Search C1,
                               ``-offset / scale`` DN (0.0001 and -0.1 → 1000).                 CDSE
3      ``processing_baseline`` ``s2:processing_baseline`` (or CDSE's ``processing:version``):   Planetary
                               ≥ 04.00 → remove 1000, else nothing.                             Computer
4      ``unknown``             nothing says: remove nothing, and warn (recorded in provenance   folders,
                               and logged) — values may be 1000 DN too bright.                  others
=====  ======================  ===============================================================  ==========

The decision, its rule and its reason go into the Sentinel-2 provenance (``harmonisation``) next to
``harmonisation_offset_removed`` (DN, a public contract). Removal clips at 0; NaN stays NaN.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geomeld.builder.sources.catalog import Asset, CatalogItem

log = logging.getLogger(__name__)

BOA_ADD_OFFSET = 1000.0
BASELINE_WITH_OFFSET = 4.0
DARK_SHARE_MIN = 0.01
"""Share of valid pixels below 1000 DN in the darkest band that proves the offset is not in the pixels."""


@dataclass
class Harmonisation:
    """What was removed from each band, by which rule, and why."""

    offsets: list[float]
    rule: str
    reason: str
    warning: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def offset_removed(self) -> float:
        return float(max(self.offsets)) if self.offsets else 0.0

    def record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {"rule": self.rule, "reason": self.reason, "offset_dn": self.offset_removed}
        if len(set(self.offsets)) > 1:
            rec["offset_dn_per_band"] = self.offsets
        if self.warning:
            rec["warning"] = self.warning
        if self.evidence:
            rec["evidence"] = self.evidence
        return rec

    def apply(self, dn: np.ndarray) -> np.ndarray:
        """Subtract the per-band offsets (clipped at 0; NaN stays NaN)."""
        out = dn.astype(np.float32, copy=True)
        for i, off in enumerate(self.offsets):
            if off:
                band = out[i]
                finite = np.isfinite(band)
                band[finite] = np.maximum(band[finite] - off, 0.0)
        return out


def processing_baseline(item: CatalogItem) -> float | None:
    """``s2:processing_baseline`` (PC, Earth Search) or ``processing:version`` (CDSE) as a number."""
    for key in ("s2:processing_baseline", "processing:version"):
        raw = item.properties.get(key)
        if raw is None:
            continue
        try:
            return float(str(raw))
        except ValueError:
            continue
    return None


def declared_offset_dn(asset: Asset) -> float | None:
    """The DN offset an asset's raster metadata declares (``-offset/scale``), or None."""
    rb = asset.extra.get("raster:bands")
    meta: dict[str, Any] = rb[0] if isinstance(rb, list) and rb and isinstance(rb[0], dict) else {}
    offset = meta.get("offset", asset.extra.get("raster:offset"))
    scale = meta.get("scale", asset.extra.get("raster:scale"))
    if offset is None:
        return None
    try:
        off, sc = float(offset), float(scale if scale is not None else 1.0)
    except (TypeError, ValueError):
        return None
    if sc == 0:
        return None
    return float(round(-off / sc, 6))


def _dark_share(dn: np.ndarray) -> tuple[float, str]:
    """Share of valid pixels below 1000 DN in the band where that share is largest."""
    best, best_band = 0.0, "-"
    for i in range(dn.shape[0]):
        band = dn[i]
        valid = band[np.isfinite(band) & (band > 0)]
        if valid.size == 0:
            continue
        share = float((valid < BOA_ADD_OFFSET).mean())
        if share > best:
            best, best_band = share, str(i)
    return best, best_band


def decide(
    item: CatalogItem, assets: Sequence[Asset], dn: np.ndarray | None = None, band_names: Sequence[str] = ()
) -> Harmonisation:
    """Apply the rule table to ``item`` (its band ``assets`` in band order; ``dn`` for rule 1's data test)."""
    n = len(assets)
    baseline = processing_baseline(item)
    flag = item.properties.get("earthsearch:boa_offset_applied")
    if flag is not None:
        if bool(flag):
            return Harmonisation(
                [0.0] * n,
                "earthsearch_flag",
                "earthsearch:boa_offset_applied=true: Earth Search removed the offset at ingestion; "
                "its raster:bands offset is not used",
            )
        if baseline is None or baseline < BASELINE_WITH_OFFSET:
            return Harmonisation(
                [0.0] * n,
                "earthsearch_flag",
                f"earthsearch:boa_offset_applied=false and baseline {baseline} < 04.00: no offset",
            )
        if dn is None:
            raise ValueError("rule earthsearch_flag with flag=false needs the pixels (dn)")
        share, idx = _dark_share(dn)
        band = band_names[int(idx)] if idx.isdigit() and int(idx) < len(band_names) else idx
        evidence = {"dark_share_below_1000": round(share, 4), "darkest_band": band}
        if share >= DARK_SHARE_MIN:
            return Harmonisation(
                [0.0] * n,
                "earthsearch_flag",
                f"earthsearch:boa_offset_applied=false with baseline {baseline:05.2f}, but {share:.1%} of "
                f"band {band} lies below 1000 DN: the offset is not in the pixels (flag wrong, E84 #66/#71)",
                evidence=evidence,
            )
        return Harmonisation(
            [BOA_ADD_OFFSET] * n,
            "earthsearch_flag",
            f"earthsearch:boa_offset_applied=false with baseline {baseline:05.2f} and a data floor at or "
            "above 1000 DN: offset present, removed",
            evidence=evidence,
        )
    declared = [declared_offset_dn(a) for a in assets]
    if any(d is not None for d in declared):
        offsets = [max(d or 0.0, 0.0) for d in declared]
        return Harmonisation(
            offsets,
            "raster_offset",
            f"raster metadata declares offset/scale → {max(offsets):g} DN removed",
        )
    if baseline is not None:
        if baseline >= BASELINE_WITH_OFFSET:
            return Harmonisation(
                [BOA_ADD_OFFSET] * n,
                "processing_baseline",
                f"processing baseline {baseline:05.2f} ≥ 04.00 carries BOA_ADD_OFFSET: 1000 DN removed",
            )
        return Harmonisation(
            [0.0] * n, "processing_baseline", f"processing baseline {baseline:05.2f} < 04.00: no offset"
        )
    warning = (
        f"Sentinel-2 item {item.id}: processing baseline unknown (no s2:processing_baseline, "
        "processing:version, raster offset or Earth Search flag); no offset removed — values may be "
        "1000 DN too bright if the product is baseline ≥ 04.00"
    )
    log.warning(warning)
    return Harmonisation([0.0] * n, "unknown", "processing baseline unknown: nothing removed", warning)


__all__ = [
    "BASELINE_WITH_OFFSET",
    "BOA_ADD_OFFSET",
    "Harmonisation",
    "decide",
    "declared_offset_dn",
    "processing_baseline",
]
