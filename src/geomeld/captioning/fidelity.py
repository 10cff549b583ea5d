"""Fidelity of the verifier on a labelled planted-claim set (truth from the rasters, phrasing by others).

A set is a folder (or a JSONL file plus shards) whose lines carry ``tile_id``, ``caption``, ``label``
(``true`` | ``false``) and, for false captions, ``false_family`` and ``decidable`` (whether the layers
present decide the false clause). Figures, each a rate with its n and a 95 % Wilson interval:

* ``false_captions_verified`` — false captions stamped verified (goal ≤ 2 %);
* ``decidable_false_contradicted`` — false captions whose false clause the layers decide, caught
  (goal ≥ 98 %); also per family;
* ``true_captions_contradicted`` — true captions called contradicted (goal ≤ 5 %);
* ``true_captions_verified`` and the unverifiable shares, for context.

This is fidelity against independent truth, not the agreement of the built-in generator with the
verifier (which holds by construction and is reported separately by ``caption-report``).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of k successes out of n (0, 1 when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, min(p, centre - half))
    hi = 1.0 if k == n else min(1.0, max(p, centre + half))
    return lo, hi


def rate(figure: str, k: int, n: int, **extra: Any) -> dict[str, Any]:
    lo, hi = wilson(k, n)
    return {
        "figure": figure,
        "k": k,
        "n": n,
        "rate": round(k / n, 4) if n else None,
        "ci95": [round(lo, 4), round(hi, 4)],
        **extra,
    }


def read_labelled(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(rec, dict) or rec.get("label") not in ("true", "false") or "caption" not in rec:
            raise ValueError(f"{path}:{n}: expected an object with 'caption' and 'label' true|false")
        rows.append(rec)
    return rows


def find_set(folder: Path, labels: str | None = None) -> tuple[list[Path], Path]:
    """Shards (``*.tar`` in the folder or its ``shards/``) and the labelled JSONL of a set folder."""
    shards = sorted(folder.glob("*.tar")) + sorted((folder / "shards").glob("*.tar"))
    if labels is not None:
        lab = Path(labels) if Path(labels).is_absolute() else folder / labels
    else:
        cands = [
            p for p in sorted(folder.glob("*.jsonl")) if p.name in ("labels.jsonl", "dev.jsonl", "set.jsonl")
        ]
        if not cands:
            raise FileNotFoundError(f"{folder}: no labels.jsonl / dev.jsonl / set.jsonl")
        lab = cands[0]
    if not shards:
        raise FileNotFoundError(f"{folder}: no shard (*.tar) in it or in shards/")
    if not lab.is_file():
        raise FileNotFoundError(f"labelled captions not found: {lab}")
    return shards, lab


def figures(rows: Sequence[dict[str, Any]], verdicts: Sequence[str]) -> list[dict[str, Any]]:
    """The fidelity figures of labelled ``rows`` given the caption-level ``verdicts`` (same order)."""
    false = [(r, v) for r, v in zip(rows, verdicts, strict=True) if r["label"] == "false"]
    true = [(r, v) for r, v in zip(rows, verdicts, strict=True) if r["label"] == "true"]
    dec = [(r, v) for r, v in false if r.get("decidable", True)]
    out = [
        rate("false_captions_verified", sum(v == "verified" for _, v in false), len(false), goal="<= 0.02"),
        rate(
            "decidable_false_contradicted", sum(v == "contradicted" for _, v in dec), len(dec), goal=">= 0.98"
        ),
        rate(
            "true_captions_contradicted", sum(v == "contradicted" for _, v in true), len(true), goal="<= 0.05"
        ),
        rate("true_captions_verified", sum(v == "verified" for _, v in true), len(true)),
        rate("false_captions_unverifiable", sum(v == "unverifiable" for _, v in false), len(false)),
        rate("errors", sum(v == "error" for v in verdicts), len(verdicts)),
    ]
    by_family: dict[str, list[str]] = defaultdict(list)
    for r, v in dec:
        by_family[str(r.get("false_family"))].append(v)
    for fam, vs in sorted(by_family.items()):
        out.append(rate("decidable_false_contradicted", vs.count("contradicted"), len(vs), family=fam))
    undecided: dict[str, list[str]] = defaultdict(list)
    for r, v in false:
        if not r.get("decidable", True):
            undecided[str(r.get("false_family"))].append(v)
    for fam, vs in sorted(undecided.items()):
        out.append(rate("undecidable_false_verified", vs.count("verified"), len(vs), family=fam))
    return out


def evaluate_set(shards: Sequence[Path], labelled: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Run caption-check's code on a labelled set: (figures, timings in seconds)."""
    import time

    from geomeld.captioning.caption_check import check_requests, load_grounds, parse_requests

    t0 = time.perf_counter()
    rows = read_labelled(labelled)
    requests = parse_requests(labelled)
    grounds, _ = load_grounds(shards, {r.tile_id for r in requests if r.tile_id is not None})
    t1 = time.perf_counter()
    verdicts = [rec["verdict"] for rec in check_requests(requests, grounds)]
    t2 = time.perf_counter()
    return figures(rows, verdicts), {"signals_s": t1 - t0, "check_s": t2 - t1, "captions": float(len(rows))}


def lines(figs: Iterable[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(f) for f in figs)
