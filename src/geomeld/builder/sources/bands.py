"""Find a Sentinel-2 band in a STAC item by what it *is*, not by what one catalog calls it.

Catalogs key the same band differently:

=====================  =============================  ==========================================
catalog                asset key of band 2            band metadata
=====================  =============================  ==========================================
Planetary Computer     ``B02``                        ``eo:bands[].name = B02``, ``common_name``
Earth Search v1        ``blue``                       ``eo:bands[].name = blue | B02``
Copernicus Data Space  ``B02_10m``, ``B02_20m``, …    ``bands[].name = B02``, ``eo:common_name``
folders / static       ``B02``, ``B2``, ``B02_10m``   usually none
=====================  =============================  ==========================================

:func:`find_band` tries, in this order, and stops at the first rule that matches any asset:

1. the asset key is the band id (``B02``/``B2``), optionally with a resolution suffix (``B02_10m``);
2. the asset lists exactly one band whose ``name`` is the band id;
3. the asset key or its single band's common name is the band's STAC common name (``blue``; for the
   three red-edge bands Earth Search's ``rededge1..3`` and CDSE's ``rededge071..078``);
4. the asset's single band has a centre wavelength within :data:`WAVELENGTH_TOLERANCE_UM` of the band's.

Assets with several bands (``visual``/``TCI``) never match. When a rule matches several assets of one
band (CDSE's one asset per resolution), the native-resolution one wins: role ``sampling:original``,
else ``gsd`` equal to the band's native resolution, else the finest ``gsd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geomeld.builder.sources.catalog import Asset, CatalogItem

WAVELENGTH_TOLERANCE_UM = 0.012
"""Centre-wavelength match tolerance (µm): S2A/S2B/S2C centres differ by ≤ 0.008 µm; B8 and B8A are 0.023 apart."""


@dataclass(frozen=True)
class S2Band:
    id: str  # B01 … B12, B8A
    common_names: tuple[str, ...]
    center_um: float
    native_m: int

    @property
    def short_id(self) -> str:
        """``B1`` for ``B01`` (``B8A`` stays)."""
        return self.id if self.id[1] != "0" else "B" + self.id[2:]


S2_BANDS: dict[str, S2Band] = {
    b.id: b
    for b in (
        S2Band("B01", ("coastal",), 0.443, 60),
        S2Band("B02", ("blue",), 0.490, 10),
        S2Band("B03", ("green",), 0.560, 10),
        S2Band("B04", ("red",), 0.665, 10),
        S2Band("B05", ("rededge1", "rededge071"), 0.704, 20),
        S2Band("B06", ("rededge2", "rededge075"), 0.740, 20),
        S2Band("B07", ("rededge3", "rededge078"), 0.783, 20),
        S2Band("B08", ("nir",), 0.842, 10),
        S2Band("B8A", ("nir08", "nir08a"), 0.865, 20),
        S2Band("B09", ("nir09",), 0.945, 60),
        S2Band("B10", ("cirrus",), 1.375, 60),
        S2Band("B11", ("swir16",), 1.610, 20),
        S2Band("B12", ("swir22",), 2.190, 20),
    )
}


def s2_band(name: str) -> S2Band:
    """The band for a registry band name (``B1``, ``B01``, ``B8A``)."""
    key = name.upper()
    if len(key) == 2:
        key = "B0" + key[1]
    if key not in S2_BANDS:
        raise KeyError(f"{name!r} is not a Sentinel-2 band (expected one of {', '.join(S2_BANDS)})")
    return S2_BANDS[key]


def _band_list(asset: Asset) -> list[dict[str, Any]]:
    raw = asset.extra.get("bands") or []
    return [b for b in raw if isinstance(b, dict)]


def _single_band(asset: Asset) -> dict[str, Any] | None:
    bands = _band_list(asset)
    return bands[0] if len(bands) == 1 else None


def _common_name(meta: dict[str, Any]) -> str:
    return str(meta.get("common_name") or meta.get("eo:common_name") or "").lower()


def _center(meta: dict[str, Any]) -> float | None:
    value = meta.get("center_wavelength", meta.get("eo:center_wavelength"))
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _key_stem(key: str) -> str:
    """``B02_10m`` → ``b02``; ``blue`` → ``blue``; ``blue-jp2`` → ``blue-jp2`` (not a band stem)."""
    low = key.lower()
    head, sep, tail = low.rpartition("_")
    if sep and tail.endswith("m") and tail[:-1].isdigit():
        return head
    return low


def _is_candidate(key: str, asset: Asset) -> bool:
    roles = {r.lower() for r in asset.roles}
    if roles & {"visual", "thumbnail", "overview", "metadata"}:
        return False
    bands = _band_list(asset)
    return len(bands) <= 1 and not key.lower().endswith("-jp2")


def _native(matches: list[tuple[str, Asset]], band: S2Band) -> tuple[str, Asset]:
    if len(matches) == 1:
        return matches[0]
    original = [m for m in matches if "sampling:original" in {r.lower() for r in m[1].roles}]
    if len(original) == 1:
        return original[0]

    def gsd(m: tuple[str, Asset]) -> float:
        value = m[1].extra.get("gsd")
        if value is None:
            stem_tail = m[0].lower().rpartition("_")[2]
            value = stem_tail[:-1] if stem_tail.endswith("m") and stem_tail[:-1].isdigit() else 1e9
        return float(value)

    exact = [m for m in matches if gsd(m) == band.native_m]
    if exact:
        return exact[0]
    return min(matches, key=gsd)


@dataclass(frozen=True)
class BandMatch:
    key: str
    asset: Asset
    rule: str  # asset_key | band_name | common_name | wavelength


def find_band(item: CatalogItem, name: str) -> BandMatch | None:
    """The asset holding Sentinel-2 band ``name`` in ``item`` (see the module doc for the rules)."""
    band = s2_band(name)
    candidates = [(k, a) for k, a in item.assets.items() if _is_candidate(k, a)]
    ids = {band.id.lower(), band.short_id.lower()}
    rules: list[tuple[str, Any]] = [
        ("asset_key", lambda k, a: _key_stem(k) in ids),
        (
            "band_name",
            lambda k, a: (
                ((m := _single_band(a)) is not None and str(m.get("name", "")).lower() in ids)
                or (len(a.band_names) == 1 and a.band_names[0].lower() in ids)
            ),
        ),
        (
            "common_name",
            lambda k, a: (
                _key_stem(k) in band.common_names
                or ((m := _single_band(a)) is not None and _common_name(m) in band.common_names)
                or (len(a.band_names) == 1 and a.band_names[0].lower() in band.common_names)
            ),
        ),
        (
            "wavelength",
            lambda k, a: (
                (m := _single_band(a)) is not None
                and (c := _center(m)) is not None
                and abs(c - band.center_um) <= WAVELENGTH_TOLERANCE_UM
            ),
        ),
    ]
    for rule, test in rules:
        matches = [(k, a) for k, a in candidates if test(k, a)]
        if matches:
            key, asset = _native(matches, band)
            return BandMatch(key, asset, rule)
    return None


def find_scl(item: CatalogItem) -> Asset | None:
    """The scene-classification asset (``SCL``, ``scl``, ``SCL_20m``; native 20 m preferred)."""
    matches = [(k, a) for k, a in item.assets.items() if _key_stem(k) == "scl"]
    if not matches:
        return None
    original = [m for m in matches if "sampling:original" in {r.lower() for r in m[1].roles}]
    return (original or sorted(matches, key=lambda m: float(m[1].extra.get("gsd") or 0.0)))[0][1]


__all__ = ["S2_BANDS", "BandMatch", "S2Band", "find_band", "find_scl", "s2_band"]
