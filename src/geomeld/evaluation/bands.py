"""Map a task's bands onto an encoder's Sentinel-2 band order, with an explicit missing-band rule.

Every evaluation input goes through :func:`map_bands`: bands are matched by *name* (never by
position), names from foreign formats (GEO-Bench ``"08A - Vegetation Red Edge"``, ``"B08"``) are
canonicalised to the registry's (``"B8A"``, ``"B8"``), and bands the encoder expects but the task
lacks are filled by one of two documented rules (:class:`MissingBands`):

``duplicate``
    copy the spectrally nearest present band (by centre wavelength from the modality registry), as
    MMEarth does for So2Sat (B1←B2, B9←B8A). The fill is recorded per task.
``zero``
    leave the band at 0.0 *after* normalisation (the per-band mean, the loader's no-data value) and
    mark it absent in the presence mask — the same convention as the training ``Batch``.
``error``
    refuse: raise :class:`BandMismatchError` naming the missing bands.

The rule used is returned in :class:`BandMapping` and written into every report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from geomeld.core.errors import GeomeldError
from geomeld.core.modalities import SENTINEL2_BANDS


class MissingBands(StrEnum):
    DUPLICATE = "duplicate"
    ZERO = "zero"
    ERROR = "error"


class BandMismatchError(GeomeldError, ValueError):
    """A task's bands cannot be aligned with the encoder's band list."""


_S2_WAVELENGTH = {b.name: float(b.wavelength_nm or 0.0) for b in SENTINEL2_BANDS}
_EXTRA_S2 = {"B10": 1373.5}  # cirrus: known, but not an encoder band (dropped on input)


def canonical_band_name(name: str) -> str:
    """``"08A - Vegetation Red Edge"`` / ``"B08"`` / ``"B8a"`` → ``"B8A"`` / ``"B8"``; other names unchanged."""
    s = name.strip()
    m = re.match(r"^(?:B|band_?)?0*(\d{1,2})(A?)(?:\b|\s*-|$)", s, flags=re.IGNORECASE)
    if m:
        return f"B{int(m.group(1))}{m.group(2).upper()}"
    return s


@dataclass(frozen=True)
class BandMapping:
    """How a task's bands become the encoder's input channels."""

    target: tuple[str, ...]
    source_index: tuple[int, ...]  # per target band: index into the task's bands, -1 = absent (zero)
    present: tuple[bool, ...]  # per target band: really observed (False for zero- and duplicate-filled)
    fills: dict[str, str] = field(default_factory=dict)  # target band → the band copied into it, or "zero"
    dropped: tuple[str, ...] = ()  # task bands the encoder does not use
    policy: str = MissingBands.DUPLICATE.value

    def describe(self) -> str:
        if not self.fills:
            return "all bands present"
        parts = [f"{t}←{s}" if s != "zero" else f"{t}=0 (absent)" for t, s in self.fills.items()]
        return f"{self.policy}: " + ", ".join(parts)

    def apply(self, image: np.ndarray) -> np.ndarray:
        """``(..., C_task, H, W)`` → ``(..., C_target, H, W)`` float32; absent bands are NaN.

        NaN marks "absent" so that normalisation turns it into 0.0 (zero rule) — never a silent value.
        """
        shape = (*image.shape[:-3], len(self.target), *image.shape[-2:])
        out = np.full(shape, np.nan, dtype=np.float32)
        for t, s in enumerate(self.source_index):
            if s >= 0:
                out[..., t, :, :] = image[..., s, :, :]
        return out


def map_bands(
    task_bands: Sequence[str],
    target_bands: Sequence[str],
    policy: MissingBands | str = MissingBands.DUPLICATE,
    *,
    task: str = "task",
) -> BandMapping:
    """Align ``task_bands`` (any naming) to ``target_bands`` (registry names) under ``policy``."""
    policy = MissingBands(policy)
    canon = [canonical_band_name(b) for b in task_bands]
    dup = {b for b in canon if canon.count(b) > 1}
    if dup:
        raise BandMismatchError(f"{task}: bands {sorted(dup)} appear more than once in {list(task_bands)}")
    target = [canonical_band_name(b) for b in target_bands]
    unknown = [b for b in target if b not in _S2_WAVELENGTH]
    if unknown:
        raise BandMismatchError(
            f"encoder band list {list(target_bands)} holds {unknown}, which are not Sentinel-2 bands of the "
            "registry (geomeld.core.modalities.SENTINEL2_BANDS); re-export the encoder with registry band names"
        )
    index = {b: i for i, b in enumerate(canon)}
    missing = [b for b in target if b not in index]
    if missing and policy is MissingBands.ERROR:
        raise BandMismatchError(
            f"{task}: bands {missing} required by the encoder are missing from the task (it has {list(task_bands)}); "
            "set missing_bands: duplicate or zero in the eval config to fill them explicitly"
        )
    present_s2 = [b for b in canon if b in _S2_WAVELENGTH]
    if len(present_s2) == 0:
        raise BandMismatchError(
            f"{task}: none of the task's bands {list(task_bands)} is a Sentinel-2 band the encoder knows ({target})"
        )
    source, present, fills = [], [], {}
    for b in target:
        if b in index:
            source.append(index[b])
            present.append(True)
        elif policy is MissingBands.DUPLICATE:
            nearest = min(present_s2, key=lambda p: (abs(_S2_WAVELENGTH[p] - _S2_WAVELENGTH[b]), p))
            source.append(index[nearest])
            present.append(False)
            fills[b] = nearest
        else:
            source.append(-1)
            present.append(False)
            fills[b] = "zero"
    dropped = tuple(task_bands[i] for i, b in enumerate(canon) if b not in target)
    return BandMapping(tuple(target), tuple(source), tuple(present), fills, dropped, policy.value)


def band_subset(mapping: BandMapping, keep: Sequence[str], policy: MissingBands | str) -> BandMapping:
    """The mapping with only ``keep`` bands observed; the others filled by ``policy`` (robustness tests)."""
    keep_c = {canonical_band_name(b) for b in keep}
    observed = [b for b, p in zip(mapping.target, mapping.present, strict=True) if p and b in keep_c]
    if not observed:
        raise BandMismatchError(f"band subset {sorted(keep_c)} leaves no observed band of {mapping.target}")
    source_of = dict(zip(mapping.target, mapping.source_index, strict=True))
    pseudo_task = [b for b in mapping.target if b in observed]
    sub = map_bands(pseudo_task, mapping.target, policy, task="band subset")
    # re-point pseudo-task indices to the original task's band indices
    src = tuple(-1 if s < 0 else source_of[pseudo_task[s]] for s in sub.source_index)
    return BandMapping(sub.target, src, sub.present, sub.fills, mapping.dropped, sub.policy)
