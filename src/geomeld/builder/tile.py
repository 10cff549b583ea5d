"""One tile, end to end: anchor → grid → sources → aligned arrays → a :class:`~geomeld.core.sample.Sample`.

Outcomes (recorded in the manifest, never raised to the driver):

* ``done`` — a sample was produced; missing secondary modalities are no-data and explained in
  ``metadata.provenance.modalities[key]`` (``status: missing``, ``reason``);
* ``skipped`` — the tile cannot yield a sample for a data reason: outside the UTM domain, no
  Sentinel-2 scene under the cloud limit, QC rejection, ... (``reason`` + ``message``);
* ``failed`` — an error: network trouble that outlived the retries, a corrupt raster in the base
  layer, an unexpected exception (type and message recorded).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from geomeld.builder.align import QualityReport, valid_fraction
from geomeld.builder.config import BuildConfig
from geomeld.builder.grid import TileGeometryError, tile_for_anchor
from geomeld.builder.sources import default_sources
from geomeld.builder.sources.base import ModalityResult, Source, TileContext
from geomeld.builder.sources.catalog import Catalog
from geomeld.builder.sources.errors import PermanentSourceError, SourceError, TransientSourceError
from geomeld.core.modalities import LAYOUTS, MODALITIES, SCHEMA_VERSION
from geomeld.core.sample import Sample, SampleMetadata, WaterAnalysis
from geomeld.core.version import code_version, package_version

log = logging.getLogger(__name__)

INPUT_ERROR_REASONS = frozenset(
    {
        "corrupt_input",
        "catalog_error",
        "token_refused",
        "asset_missing",
        "access_refused",
        "href_refused",
        "s2_band_missing",
        "token_unavailable",
        "catalog_unavailable",
        "http_5xx",
        "network",
        "transient",
        "signature_expired",
    }
)
"""Reasons that mean an input (file, catalog, access) was at fault, not the place: a tile is *failed*
for these, and a secondary layer lost for one of these is a *lost layer* (counted, held, retried)."""

BASE_MODALITY = "sentinel2"
DATE_SETTING_MODALITY = "naip"


@dataclass(frozen=True)
class Anchor:
    tile_id: str
    lat: float
    long: float
    stratum: str = ""
    source: str = ""


@dataclass
class TileOutcome:
    tile_id: str
    status: str  # done | skipped | failed
    reason: str | None = None
    message: str | None = None
    stratum: str = ""
    source: str = ""
    attempts: int = 1
    seconds: float = 0.0
    layout: str | None = None
    lost_layers: dict[str, str] = field(default_factory=dict)  # modality -> input-error reason
    sample: Sample | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        return {
            "tile_id": self.tile_id,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "stratum": self.stratum,
            "source": self.source,
            "attempts": self.attempts,
            "seconds": round(self.seconds, 3),
            "layout": self.layout,
            "lost_layers": dict(self.lost_layers),
        }


def reference_date(tile_id: str, seed: int, years: tuple[int, int]) -> date:
    """A random month of ``years`` (inclusive), reproducible from the seed and the tile id (day 15)."""
    digest = hashlib.sha256(f"{seed}:{tile_id}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return date(rng.randint(years[0], years[1]), rng.randint(1, 12), 15)


def _tile_id_value(tile_id: str) -> int | str:
    return int(tile_id) if tile_id.isdigit() else tile_id


def water_analysis(
    dw: np.ndarray | None,
    jrc: np.ndarray | None,
    wc: np.ndarray | None,
    occurrence_min: float,
    detected_min: float,
) -> WaterAnalysis:
    """``water_analysis`` by the documented consensus rule of :mod:`geomeld.signals.water`."""
    from geomeld.signals.water import water_signal

    sig = water_signal(dw, jrc, wc, occurrence_threshold=occurrence_min, detect_threshold=detected_min)
    if sig is None:
        return WaterAnalysis(detected=False, percentage=0.0, method="unavailable")  # type: ignore[call-arg]
    return WaterAnalysis(detected=sig.detected, percentage=sig.percentage, method=sig.method)  # type: ignore[call-arg]


def build_tile(
    anchor: Anchor, config: BuildConfig, catalog: Catalog, sources: list[Source] | None = None
) -> TileOutcome:
    """Build one tile with retries; always returns an outcome."""
    start = time.perf_counter()
    attempts = 0
    last: SourceError | None = None
    while attempts <= config.retries:
        attempts += 1
        try:
            outcome = _build_once(anchor, config, catalog, sources or default_sources())
        except TransientSourceError as exc:
            last = exc
            if attempts <= config.retries:
                delay = config.backoff_s * (2 ** (attempts - 1)) * (1.0 + 0.25 * random.random())
                log.info("tile %s: %s; retry %d in %.1fs", anchor.tile_id, exc, attempts, delay)
                time.sleep(delay)
            continue
        except PermanentSourceError as exc:
            outcome = TileOutcome(anchor.tile_id, _permanent_status(exc), exc.reason, str(exc))
        except TileGeometryError as exc:
            outcome = TileOutcome(anchor.tile_id, "skipped", "outside_utm_domain", str(exc))
        except Exception as exc:  # never crash the build: record what happened
            tb = traceback.format_exc(limit=3)
            outcome = TileOutcome(
                anchor.tile_id, "failed", "internal_error", f"{type(exc).__name__}: {exc}\n{tb}"
            )
        outcome.attempts = attempts
        outcome.seconds = time.perf_counter() - start
        outcome.stratum, outcome.source = anchor.stratum, anchor.source
        return outcome
    assert last is not None
    return TileOutcome(
        anchor.tile_id,
        "failed",
        last.reason,
        f"gave up after {attempts} attempts: {last}",
        anchor.stratum,
        anchor.source,
        attempts,
        time.perf_counter() - start,
    )


def _permanent_status(exc: PermanentSourceError) -> str:
    # data reasons → skipped; broken inputs or catalogs → failed
    broken = INPUT_ERROR_REASONS
    return "failed" if exc.reason in broken else "skipped"


def _build_once(anchor: Anchor, config: BuildConfig, catalog: Catalog, sources: list[Source]) -> TileOutcome:
    tile = tile_for_anchor(anchor.lat, anchor.long, anchor.tile_id)
    if catalog.describe().get("name") == "embedded":
        from geomeld.builder.embedded_coverage import OUTSIDE_REASON, base_covers, outside_message

        if not base_covers(tile.bbox_lonlat()):
            return TileOutcome(
                anchor.tile_id, "skipped", OUTSIDE_REASON, outside_message(anchor.lat, anchor.long)
            )
    ctx = TileContext(
        tile=tile,
        reference_date=reference_date(anchor.tile_id, config.seed, config.years),
        catalog=catalog,
        settings=config.source_settings(),
    )
    reference_from = "random_month"
    for src in sources:
        if src.key == BASE_MODALITY:
            result = src.fetch(ctx)  # raises when no usable scene: the tile is skipped/failed
        else:
            try:
                result = src.fetch(ctx)
            except TransientSourceError:
                raise
            except PermanentSourceError as exc:
                result = ModalityResult(
                    src.key, None, {"status": "missing", "reason": exc.reason, "message": str(exc)}
                )
        ctx.results[src.key] = result
        if src.key == DATE_SETTING_MODALITY and result.present:
            when = result.provenance.get("datetime")
            if when:
                ctx.reference_date = date.fromisoformat(when[:10])
                reference_from = "naip"
    lost = lost_layers(ctx.results)
    for key, reason in lost.items():
        log.warning(
            "tile %s: layer %s lost (%s): %s",
            anchor.tile_id,
            key,
            reason,
            str(ctx.results[key].provenance.get("message", ""))[:300],
        )
    sample = _assemble(anchor, ctx, config, catalog, reference_from)
    return TileOutcome(anchor.tile_id, "done", sample=sample, lost_layers=lost)


def lost_layers(results: dict[str, ModalityResult]) -> dict[str, str]:
    """Modalities missing because an *input* was at fault (corrupt, refused, unreachable): modality → reason.

    Data reasons (no coverage, nothing in the window, uncalibrated product) are not losses.
    """
    out = {}
    for key, res in results.items():
        if res.present:
            continue
        reason = str(res.provenance.get("reason") or "")
        if reason in INPUT_ERROR_REASONS:
            out[key] = reason
    return out


def _assemble(
    anchor: Anchor, ctx: TileContext, config: BuildConfig, catalog: Catalog, reference_from: str
) -> Sample:
    naip = ctx.results.get("naip")
    layout = LAYOUTS["naip"] if naip is not None and naip.present else LAYOUTS["standard"]
    arrays: dict[str, np.ndarray] = {}
    prov_modalities: dict[str, Any] = {}
    qc = QualityReport()
    for key in layout.modality_keys:
        modality = MODALITIES[key]
        res = ctx.results.get(key)
        bands = layout.bands(key)
        if res is None or res.array is None:
            arrays[key] = modality.empty(bands)
            prov_modalities[key] = (
                res.provenance if res is not None else {"status": "missing", "reason": "no_source"}
            )
        else:
            idx = modality.band_indices(bands)
            arrays[key] = np.ascontiguousarray(res.array[idx]).astype(modality.dtype, copy=False)
            prov_modalities[key] = res.provenance
        qc.valid_fraction[key] = valid_fraction(modality, arrays[key])
    s2 = ctx.results[BASE_MODALITY]
    qc.cloud_share = s2.provenance.get("tile_cloud_share")
    jrc = ctx.results.get("jrc_occurrence")
    jrc_arr = jrc.extras.get("jrc_occurrence") if jrc is not None else None
    if jrc is not None:
        prov_modalities["jrc_occurrence"] = jrc.provenance
    dw = ctx.results.get("dynamic_world")
    wc = ctx.results.get("esa_worldcover")
    wa = water_analysis(
        dw.array if dw is not None else None,
        jrc_arr,
        wc.array if wc is not None else None,
        config.water_occurrence_min,
        config.water_detected_min_percent,
    )
    for rec in prov_modalities.values():
        rec["stand_in"] = _is_stand_in(rec)
        record_origin(rec)
    stand_ins = sorted(k for k, p in prov_modalities.items() if p["stand_in"])
    if reference_from == "naip" and naip is not None:
        acquisition = str(naip.provenance.get("datetime", ""))[:10]
    else:
        acquisition = (
            ctx.acquisition.date().isoformat() if ctx.acquisition else ctx.reference_date.isoformat()
        )
    provenance: dict[str, Any] = {
        "builder": {
            "name": "geomeld",
            "version": package_version(),
            "code_version": code_version(),
        },
        "catalog": catalog.describe(),
        "grid": ctx.tile.to_record(),
        "reference_date": ctx.reference_date.isoformat(),
        "reference_date_from": reference_from,
        "composite": bool(stand_ins),
        "stand_ins": stand_ins,
        "modalities": prov_modalities,
        "qc": qc.record(),
        "anchor": {"stratum": anchor.stratum, "source": anchor.source},
        "config": {
            "seed": config.seed,
            "s2_max_cloud_cover": config.s2_max_cloud_cover,
            "s1_window_days": config.s1_window_days,
            "dynamic_world_mode": config.dynamic_world_mode,
        },
    }
    metadata = SampleMetadata(
        tile_id=_tile_id_value(anchor.tile_id),
        lat=anchor.lat,
        long=anchor.long,
        acquisition_date=acquisition,
        file_type_naip=layout.file_type_naip,
        water_analysis=wa,
        band_names=layout.band_names(),
        source_file=f"{anchor.tile_id}.h5",
        schema_version=SCHEMA_VERSION,
        provenance=provenance,
    )
    extras: dict[str, Any] = {}
    if jrc_arr is not None:
        extras["datasets"] = {"jrc_occurrence": jrc_arr.astype("float32")}
    return Sample(key=str(anchor.tile_id), arrays=arrays, metadata=metadata, extras=extras)


_ORIGIN_RANK = {"real": 0, "substitute": 1, "coarse": 2, "relocated": 3}


def record_origin(record: dict[str, Any]) -> None:
    """Set ``origin`` (and ``product``/``resolution_m``) on one modality record from the items it used.

    A layer mosaicked from items of several origins takes the least direct one (relocated > coarse >
    substitute > real); a missing layer is ``absent``. Items without ``origin`` use the legacy flags.
    """
    from geomeld.core.origin import origin_of

    if record.get("status") == "missing":
        record["origin"] = "absent"
        return
    items = [it for it in record.get("items", []) if isinstance(it, dict)] or [record]
    origins = [str(it.get("origin") or origin_of({**it, "origin": None})) for it in items]
    worst = max(range(len(items)), key=lambda i: _ORIGIN_RANK.get(origins[i], 0))
    record["origin"] = origins[worst]
    for key in ("product", "resolution_m"):
        if key in items[worst] and key not in record:
            record[key] = items[worst][key]


def _is_stand_in(record: Any) -> bool:
    if not isinstance(record, dict):
        return False
    if record.get("stand_in"):
        return True
    return any(_is_stand_in(it) for it in record.get("items", []) if isinstance(it, dict))
