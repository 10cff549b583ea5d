"""``geomeld caption-check``: verify captions from anywhere against the shards' signals.

Input: JSONL, one object per line with ``tile_id`` (compared as a string with each sample's
``metadata.tile_id``; the sample key is accepted too) and ``caption``; any other key is passed through
unchanged; several captions per tile are fine. An optional ``claims`` list (claim-schema JSON) makes
the check structured: the claims are checked and the text must say nothing they do not.

Output: JSONL in input order, each input object plus ``verdict`` (verified | contradicted |
unverifiable | error), ``claims`` (text, start, end, family, subject, polarity, verdict, evidence),
``problems`` and ``claim_schema``. A malformed line or an unknown tile id gives an ``error`` line
(with ``line`` and ``error``) and a non-zero exit at the end. Signals come from the sample's stored
``metadata.signals`` when present (origins filled from its provenance), else they are computed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomeld.captioning.check import check_caption
from geomeld.captioning.claims import CLAIM_SCHEMA_VERSION, CaptionVerdict, Claim
from geomeld.captioning.ground import Ground
from geomeld.signals.models import SIGNALS_VERSION, SignalBundle

RESERVED = ("verdict", "claims", "problems", "claim_schema", "error", "line")


@dataclass
class Request:
    line: int
    record: dict[str, Any] | None
    tile_id: str | None = None
    caption: str | None = None
    claims: list[Claim] | None = None
    error: str | None = None


def parse_requests(path: Path) -> list[Request]:
    """Every line of the captions file (blank lines skipped), malformed ones marked with the reason."""
    out: list[Request] = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as exc:
                out.append(
                    Request(n, None, error=f"{path}:{n}: not valid JSON ({exc.msg} at char {exc.pos})")
                )
                continue
            if not isinstance(rec, dict):
                out.append(
                    Request(n, None, error=f"{path}:{n}: expected a JSON object, got {type(rec).__name__}")
                )
                continue
            tile, caption = rec.get("tile_id"), rec.get("caption")
            if tile is None or isinstance(tile, bool | dict | list):
                out.append(Request(n, rec, error=f"{path}:{n}: key 'tile_id' missing or not a string/number"))
                continue
            if not isinstance(caption, str):
                out.append(Request(n, rec, error=f"{path}:{n}: key 'caption' missing or not a string"))
                continue
            claims = None
            if rec.get("claims") is not None:
                try:
                    raw_claims = rec["claims"]
                    if not isinstance(raw_claims, list):
                        raise ValueError("'claims' must be a list of claim objects")
                    claims = [Claim.from_dict(c) for c in raw_claims]
                except (ValueError, TypeError) as exc:
                    out.append(Request(n, rec, error=f"{path}:{n}: key 'claims': {exc}"))
                    continue
            out.append(Request(n, rec, str(tile), caption, claims))
    return out


def _bundle_for(sample: Any) -> SignalBundle:
    from geomeld.signals import compute_signals
    from geomeld.signals.orchestrator import layer_origins

    stored = sample.metadata.signals
    if stored:
        try:
            bundle = SignalBundle.from_dict(stored)
            if bundle.version != SIGNALS_VERSION:
                return compute_signals(sample)  # an older record lacks evidence this verifier reads
            if not bundle.origins:
                bundle.origins = layer_origins(sample)
            return bundle
        except ValueError:
            pass  # an older or foreign signals record: compute afresh
    return compute_signals(sample)


def load_grounds(shards: Sequence[Path], wanted: set[str]) -> tuple[dict[str, Ground], list[str]]:
    """Ground per wanted tile id (and sample key) from the shards; problems reading them as text."""
    from geomeld.io.shards import SampleError, iter_samples

    grounds: dict[str, Ground] = {}
    errors: list[SampleError] = []
    for sample in iter_samples([str(s) for s in shards], on_error="skip", errors=errors):
        ids = {str(sample.metadata.tile_id), str(sample.key)}
        hit = ids & wanted
        if not hit or all(i in grounds for i in hit):
            continue
        g = Ground.from_bundle(_bundle_for(sample))
        for i in hit:
            grounds.setdefault(i, g)
    return grounds, [f"{e.shard}:{e.key}: {e.message}" for e in errors]


def _passthrough(rec: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (rec or {}).items() if k not in RESERVED}


@dataclass
class CheckSummary:
    lines: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    read_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.verdicts.get(CaptionVerdict.ERROR.value, 0)


def check_requests(requests: Iterable[Request], grounds: dict[str, Ground]) -> Iterable[dict[str, Any]]:
    for req in requests:
        if req.error is not None:
            yield {**_passthrough(req.record), "verdict": "error", "line": req.line, "error": req.error}
            continue
        assert req.tile_id is not None and req.caption is not None
        g = grounds.get(req.tile_id)
        if g is None:
            yield {
                **_passthrough(req.record),
                "verdict": "error",
                "line": req.line,
                "error": f"line {req.line}: tile_id {req.tile_id!r} is in none of the shards",
            }
            continue
        result = check_caption(req.caption, g, req.claims)
        out = result.to_dict()
        yield {
            **_passthrough(req.record),
            "verdict": out["verdict"],
            "claims": out["claims"],
            "problems": out["problems"],
            "claim_schema": CLAIM_SCHEMA_VERSION,
        }


def run_caption_check(shards: Sequence[Path], captions: Path, out: Path) -> CheckSummary:
    """Check every caption line, write the verdict lines atomically, and summarise."""
    missing = [str(s) for s in shards if not Path(s).is_file()]
    if missing:
        raise FileNotFoundError(f"shard file(s) not found: {', '.join(missing)}")
    if not captions.is_file():
        raise FileNotFoundError(f"captions file not found: {captions}")
    requests = parse_requests(captions)
    wanted = {r.tile_id for r in requests if r.tile_id is not None}
    grounds, read_errors = load_grounds(shards, wanted)
    summary = CheckSummary(read_errors=read_errors)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for rec in check_requests(requests, grounds):
                summary.lines += 1
                summary.verdicts[rec["verdict"]] = summary.verdicts.get(rec["verdict"], 0) + 1
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return summary
