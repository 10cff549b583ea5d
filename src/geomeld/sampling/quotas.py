"""How many points each stratum gets: uniform over strata, proportional to area, or custom counts.

- ``uniform``: every stratum whose area share is at least ``min_share`` gets ``n // S`` points; the
  ``n % S`` left over go one each to the largest strata. (Tiny strata are left out: an equal quota would
  make a few km² of, say, tropical snow as frequent as the Amazon forest.)
- ``area``: ``n`` split in proportion to stratum area (largest-remainder rounding, so the sum is ``n``).
- ``custom``: the counts of a YAML mapping ``{stratum id: count}`` (e.g. ``B-16: 200``), used as given.

Strata ids are those of :mod:`geomeld.sampling.strata` (``"B-16"`` = arid × barren).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from geomeld.sampling.strata import stratum_from_name

QuotaRule = Literal["uniform", "area", "custom"]
DEFAULT_MIN_SHARE = 1e-4


def _eligible(areas: dict[str, float], min_share: float) -> list[str]:
    total = sum(areas.values())
    if total <= 0:
        return []
    names = [s for s, a in areas.items() if a > 0 and a / total >= min_share]
    return sorted(names, key=lambda s: (-areas[s], s))


def uniform_quotas(areas: dict[str, float], n: int, min_share: float = DEFAULT_MIN_SHARE) -> dict[str, int]:
    names = _eligible(areas, min_share)
    if not names:
        raise ValueError("no stratum has any sampleable area (check --within and the latitude range)")
    base, extra = divmod(n, len(names))
    return {s: base + (1 if i < extra else 0) for i, s in enumerate(names)}


def area_quotas(areas: dict[str, float], n: int, min_share: float = DEFAULT_MIN_SHARE) -> dict[str, int]:
    names = _eligible(areas, min_share)
    if not names:
        raise ValueError("no stratum has any sampleable area (check --within and the latitude range)")
    total = sum(areas[s] for s in names)
    exact = {s: n * areas[s] / total for s in names}
    out = {s: int(exact[s]) for s in names}
    left = n - sum(out.values())
    for s in sorted(names, key=lambda s: (-(exact[s] - out[s]), -areas[s], s))[:left]:
        out[s] += 1
    return out


def load_custom_quotas(path: str | Path) -> dict[str, int]:
    """Read ``{stratum id: count}`` from YAML (top level or under a ``quotas:`` key); errors name the key."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"custom quota file {p} does not exist")
    doc = yaml.safe_load(p.read_text())
    if isinstance(doc, dict) and isinstance(doc.get("quotas"), dict):
        doc = doc["quotas"]
    return validate_custom_quotas(doc, str(p))


def validate_custom_quotas(doc: object, where: str) -> dict[str, int]:
    """Check a ``{stratum id: count}`` mapping; errors name ``where`` and the bad key."""
    if not isinstance(doc, dict) or not doc:
        raise ValueError(f"{where}: expected a mapping of stratum id to count, e.g. 'B-16: 200'")
    out: dict[str, int] = {}
    for key, value in doc.items():
        try:
            stratum_from_name(str(key))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{where}: quota for {key!r} must be a non-negative integer, got {value!r}")
        out[str(key)] = value
    return out


def compute_quotas(
    rule: QuotaRule,
    areas: dict[str, float],
    n: int,
    custom: dict[str, int] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
) -> dict[str, int]:
    """Quota per stratum under ``rule`` (strata with quota 0 are omitted)."""
    if rule == "custom":
        if not custom:
            raise ValueError("quota rule 'custom' needs a quota file (--quota FILE.yaml)")
        return {s: c for s, c in custom.items() if c > 0}
    if n < 0:
        raise ValueError(f"number of stratified points must be >= 0, got {n}")
    if n == 0:
        return {}
    quotas = uniform_quotas(areas, n, min_share) if rule == "uniform" else area_quotas(areas, n, min_share)
    return {s: c for s, c in quotas.items() if c > 0}
