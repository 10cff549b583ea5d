"""Where a sample's layer comes from — one vocabulary for the builder, the verifier, the trainer and the demo.

Every modality of a sample records ``provenance["modalities"][name]["origin"]`` with one of:

``real``
    the product itself, measured at the place (e.g. Sentinel-2 L2A, ESA WorldCover at the tile).
``substitute``
    another real product measured at the same place, standing in for the named one (Sentinel-2 L1C for
    L2A, OSM land use for WorldCover). Counts as evidence; describe it with the product named
    (``provenance["modalities"][name]["product"]``).
``coarse``
    a real, co-located layer at a coarser resolution (``resolution_m``); decides nothing finer than that.
``relocated``
    real data from another place. Never evidence, never described as the place, never trained on.
``absent``
    no layer (presence mask false).

Samples written before this field existed carry ``stand_in``/``relocated_from``/``substitute`` flags;
:func:`origin_of` maps them onto the same vocabulary so old shards keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Origin(StrEnum):
    REAL = "real"
    SUBSTITUTE = "substitute"
    COARSE = "coarse"
    RELOCATED = "relocated"
    ABSENT = "absent"

    @property
    def is_evidence(self) -> bool:
        """Whether a layer of this origin may support or contradict a statement about the place."""
        return self in (Origin.REAL, Origin.SUBSTITUTE, Origin.COARSE)


ORIGINS: tuple[str, ...] = tuple(o.value for o in Origin)


def _any_item(record: Mapping[str, Any], key: str) -> bool:
    if record.get(key):
        return True
    items = record.get("items")
    if isinstance(items, list):
        return any(isinstance(it, Mapping) and _any_item(it, key) for it in items)
    return False


def origin_of(record: Mapping[str, Any] | None) -> Origin:
    """The origin of one ``provenance["modalities"][name]`` record (new field first, then legacy flags)."""
    if not record:
        return Origin.ABSENT
    explicit = record.get("origin")
    if explicit is not None:
        try:
            return Origin(str(explicit))
        except ValueError as exc:
            raise ValueError(f"provenance origin {explicit!r} is not one of {', '.join(ORIGINS)}") from exc
    if record.get("status") == "missing":
        return Origin.ABSENT
    if _any_item(record, "relocated_from"):
        return Origin.RELOCATED
    if _any_item(record, "substitute") or _any_item(record, "stand_in"):
        return Origin.SUBSTITUTE
    return Origin.REAL


def modality_origins(provenance: Mapping[str, Any] | None) -> dict[str, Origin]:
    """Origin per modality recorded in a sample's provenance (empty when the sample has none)."""
    mods = (provenance or {}).get("modalities") or {}
    return {name: origin_of(rec if isinstance(rec, Mapping) else None) for name, rec in mods.items()}
