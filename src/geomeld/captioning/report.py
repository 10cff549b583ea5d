"""Fidelity metrics of a captioning run, from the per-shard JSONL logs (``geomeld caption-report``).

* generator/verifier agreement — supported / (supported + contradicted) over the claims of the FINAL
  captions, and over ALL candidates (before repair). This is agreement between the captioner and the
  verifier, not truth: for verified captions it is 1.0 by construction. Truth is measured by
  ``fidelity`` (``--fidelity-set``: a labelled planted-claim set, see :mod:`geomeld.captioning.fidelity`);
* contradiction rate — contradicted / all claims of all candidates;
* accepted first try — share of samples whose top-ranked first candidate verified unchanged;
* verified share and the count of every status; per-sample failures (``failed_samples``, and
  ``errors_by_kind``: the error messages' first 80 characters with their counts);
* signal coverage — share of samples with each signal section, and the mean grounding coverage
  (salient facts stated and supported) of the final captions;
* length (words) and distinct-n (unique n-grams / all n-grams, n = 1, 2, 3) of the final captions.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

SIGNAL_SECTIONS = ("landcover", "water", "terrain", "canopy", "spectral", "sar", "osm", "place")


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9%]+(?:-[a-z]+)?", text.lower())


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Unique n-grams over all n-grams across ``texts`` (0 when there is none)."""
    grams: Counter[tuple[str, ...]] = Counter()
    for t in texts:
        tok = tokens(t)
        grams.update(tuple(tok[i : i + n]) for i in range(len(tok) - n + 1))
    total = sum(grams.values())
    return len(grams) / total if total else 0.0


def read_logs(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """Sample records of caption logs (files, or folders searched for ``*.captions.jsonl``)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.rglob("*.captions.jsonl")))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(
                f"caption log {p} does not exist (expected a .captions.jsonl file or a folder)"
            )
    out = []
    for f in files:
        for line_no, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{f}:{line_no}: not JSON ({exc})") from None
            if not rec.get("done"):
                out.append(rec)
    return out


def fidelity_report(
    records: Sequence[dict[str, Any]], fidelity: Sequence[dict[str, Any]] | None = None
) -> dict[str, Any]:
    n = len(records)
    statuses = Counter(r.get("status", "unknown") for r in records)
    final = {"supported": 0, "contradicted": 0, "unverifiable": 0}
    cand = {"supported": 0, "contradicted": 0, "unverifiable": 0}
    coverage = []
    sections: Counter[str] = Counter()
    captions = []
    for r in records:
        rep = r.get("report") or {}
        for c in (rep.get("claims") or {}).get("claims", []) or rep.get("final_claims", []):
            final[c["verdict"]] += 1
        for cnd in rep.get("candidates", []):
            for k in cand:
                cand[k] += int(cnd.get(k, 0))
        if r.get("coverage") is not None:
            coverage.append(float(r["coverage"]))
        sections.update(r.get("signals_present", []))
        if r.get("caption"):
            captions.append(r["caption"])
    lengths = np.array([len(tokens(c)) for c in captions], dtype=float)

    def precision(d: dict[str, int]) -> float | None:
        den = d["supported"] + d["contradicted"]
        return round(d["supported"] / den, 4) if den else None

    all_claims = sum(cand.values())
    from geomeld.captioning.run import FAILED_STATUSES

    kinds = Counter(
        str(r.get("error") or (r.get("report") or {}).get("reason") or r.get("status"))[:80]
        for r in records
        if r.get("status") in FAILED_STATUSES
    )
    return {
        "samples": n,
        "status": dict(statuses),
        "failed_samples": sum(kinds.values()),
        "errors_by_kind": dict(kinds.most_common(20)),
        "verified_share": round(statuses.get("verified", 0) / n, 4) if n else None,
        "accepted_first_try_share": round(sum(bool(r.get("accepted_first_try")) for r in records) / n, 4)
        if n
        else None,
        "generator_verifier_agreement_final": precision(final),
        "generator_verifier_agreement_candidates": precision(cand),
        "agreement_note": "captioner/verifier agreement, 1.0 by construction for verified captions; "
        "truth is in 'fidelity' (a labelled planted-claim set)",
        "fidelity": list(fidelity) if fidelity is not None else None,
        "contradiction_rate_candidates": round(cand["contradicted"] / all_claims, 4) if all_claims else None,
        "unverifiable_rate_final": round(final["unverifiable"] / max(sum(final.values()), 1), 4),
        "claims_final": final,
        "claims_candidates": cand,
        "signal_coverage": {s: round(sections.get(s, 0) / n, 4) if n else None for s in SIGNAL_SECTIONS},
        "grounding_coverage_mean": round(float(np.mean(coverage)), 4) if coverage else None,
        "length_words": {
            "mean": round(float(lengths.mean()), 2) if lengths.size else None,
            "median": float(np.median(lengths)) if lengths.size else None,
            "p90": float(np.percentile(lengths, 90)) if lengths.size else None,
        },
        "distinct": {f"distinct_{k}": round(distinct_n(captions, k), 4) for k in (1, 2, 3)},
    }
