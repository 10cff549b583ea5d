"""Orchestrator → Captioner → Evaluator → Verifier for one sample, with a bounded repair loop.

Per sample: compute signals, generate N candidates, score and rank them, verify in rank order; the
first candidate that verifies is accepted; a candidate with contradicted claims is repaired (the
clauses dropped) and re-verified; if no candidate of a round survives, a new round is generated with
another seed, up to ``max_rounds``. The outcome is always one of:

* ``verified`` — ``metadata.caption`` holds the caption; every claim checked, none contradicted;
* ``unverified`` — no candidate verified within the bound (or none made a checkable claim);
  ``metadata.caption`` stays empty, the best attempt is kept in the report only;
* ``backend_error`` / ``signals_error`` — the reason is in the report.

Nothing is ever marked verified without passing :meth:`Verification.is_verified`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from geomeld.captioning.builtin import BuiltinCaptioner
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.openai_compat import BackendError, OpenAICompatibleCaptioner, OpenAIConfig
from geomeld.captioning.scoring import GroundingCoverageScorer, Scorer, grounding_coverage
from geomeld.captioning.verifier import Verification, repair, verify
from geomeld.sample import Sample
from geomeld.signals import SignalConfig, apply_released_fields, compute_signals
from geomeld.signals.models import SignalBundle
from geomeld.signals.osm import OsmSource
from geomeld.signals.terrain import GeomorphonCache

log = logging.getLogger(__name__)

PIPELINE_VERSION = "geomeld-caption-1"


class CaptionConfig(BaseModel):
    """One captioning run (``configs/caption/*.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    backend: Literal["builtin", "openai"] = "builtin"
    n_candidates: int = Field(default=4, ge=1, le=32)
    max_rounds: int = Field(default=3, ge=1, le=10)
    seed: int = 0
    max_words: int = 90
    max_unverifiable_share: float = 0.34
    repair: bool = True
    scorer: Literal["grounding", "geomeld_fm"] = "grounding"
    scorer_run_dir: str | None = None  # geomeld_fm: a pretraining run folder (checkpoint.pt + encoder/)
    signals: SignalConfig = Field(default_factory=SignalConfig)
    openai: OpenAIConfig = Field(default_factory=OpenAIConfig)
    osm_pbf: str | None = None
    overpass_url: str | None = None
    geomorphon_cache_dir: str | None = None

    @classmethod
    def from_yaml(cls, path: str | Path) -> CaptionConfig:
        p = Path(path)
        try:
            raw = yaml.safe_load(p.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"caption config {p}: cannot read YAML ({exc})") from None
        if not isinstance(raw, dict):
            raise ValueError(f"caption config {p}: expected a mapping at the top level")
        return cls.model_validate(raw)


class Captioner(Protocol):
    name: str

    def generate(
        self, key: str, evidence: Evidence, n: int, seed: int = 0, sample: Sample | None = None
    ) -> list[str]: ...


def make_backend(cfg: CaptionConfig) -> Captioner:
    if cfg.backend == "openai":
        return OpenAICompatibleCaptioner(cfg.openai)
    return BuiltinCaptioner()


def make_scorer_for(cfg: CaptionConfig) -> Scorer:
    """The Evaluator of a config: grounding coverage, or GeoMeld-FM's ITC alignment (needs a run folder)."""
    if cfg.scorer == "geomeld_fm":
        if not cfg.scorer_run_dir:
            raise ValueError(
                "scorer 'geomeld_fm' needs scorer_run_dir: a pretraining run folder with ITC enabled"
            )
        from geomeld.captioning.fm_scorer import load_fm_scorer

        return load_fm_scorer(cfg.scorer_run_dir)
    return GroundingCoverageScorer()


def make_osm_source(cfg: CaptionConfig) -> OsmSource | None:
    if cfg.osm_pbf:
        from geomeld.signals.osm import OsmPbfIndex

        return OsmPbfIndex.from_pbf(cfg.osm_pbf)
    if cfg.overpass_url:
        from geomeld.signals.osm import OverpassSource

        return OverpassSource(cfg.overpass_url)
    return None


@dataclass
class CaptionOutcome:
    key: str
    status: str
    caption: str | None
    report: dict[str, Any]
    bundle: SignalBundle | None


def _candidate_record(text: str, round_i: int, score: float, v: Verification) -> dict[str, Any]:
    return {
        "text": text,
        "round": round_i,
        "score": score,
        "supported": v.n_supported,
        "contradicted": v.n_contradicted,
        "unverifiable": v.n_unverifiable,
        "problems": v.problems,
        "claims": [
            {
                "text": c.text,
                "kind": c.kind,
                "concept": c.concept,
                "qualifier": c.qualifier,
                "value": c.value,
                "verdict": c.verdict,
                "reason": c.reason,
            }
            for c in v.claims
        ],
    }


def _why_rejected(candidates: list[dict[str, Any]]) -> str:
    """A one-line summary of why the candidates failed (problems, contradictions, too few checks)."""
    counts: dict[str, int] = {}
    for c in candidates:
        if c["problems"]:
            why = str(c["problems"][0]).split(":")[0]
        elif c["contradicted"]:
            why = "contradicted claims"
        elif not c["supported"]:
            why = "no checkable claim"
        else:
            why = "too many unverifiable claims"
        counts[why] = counts.get(why, 0) + 1
    return (
        ", ".join(f"{n}× {why}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        or "no candidates"
    )


class CaptionPipeline:
    """Holds the per-process resources (backend, scorer, OSM index, geomorphon cache)."""

    def __init__(
        self,
        config: CaptionConfig | None = None,
        *,
        backend: Captioner | None = None,
        scorer: Scorer | None = None,
        osm_source: OsmSource | None = None,
        geomorphon_cache: GeomorphonCache | None = None,
    ) -> None:
        self.config = config or CaptionConfig()
        self.backend = backend or make_backend(self.config)
        self.scorer = scorer or make_scorer_for(self.config)
        self.osm_source = osm_source if osm_source is not None else make_osm_source(self.config)
        # geomorphons cost ~2 ms a tile now: a cache only when a folder is configured (shared by runs)
        cache_dir = self.config.geomorphon_cache_dir
        self.geomorphon_cache = geomorphon_cache or (GeomorphonCache(cache_dir) if cache_dir else None)

    def signals(self, sample: Sample) -> SignalBundle:
        return compute_signals(
            sample, self.config.signals, osm_source=self.osm_source, geomorphon_cache=self.geomorphon_cache
        )

    def caption(self, sample: Sample, bundle: SignalBundle | None = None) -> CaptionOutcome:
        cfg = self.config
        t0 = time.perf_counter()
        report: dict[str, Any] = {
            "pipeline": PIPELINE_VERSION,
            "backend": self.backend.name,
            "scorer": self.scorer.name,
            "n_candidates": cfg.n_candidates,
            "max_rounds": cfg.max_rounds,
            "seed": cfg.seed,
        }
        try:
            bundle = bundle or self.signals(sample)
        except Exception as exc:  # one bad sample must not stop a shard
            log.exception("%s: signals failed", sample.key)
            report.update(status="signals_error", error=f"{type(exc).__name__}: {exc}")
            return CaptionOutcome(sample.key, "signals_error", None, report, None)
        report["signals_missing"] = dict(bundle.missing)
        ev = Evidence.from_bundle(bundle)
        candidates: list[dict[str, Any]] = []
        errors: list[str] = []
        accepted: dict[str, Any] | None = None
        best: tuple[float, str] | None = None
        for round_i in range(cfg.max_rounds):
            try:
                texts = self.backend.generate(
                    sample.key, ev, cfg.n_candidates, seed=cfg.seed + 7919 * round_i, sample=sample
                )
            except BackendError as exc:  # keep what was received; a round with nothing goes on
                errors.append(f"round {round_i}: {exc}")
                texts = exc.partial
                if not texts:
                    continue
            texts = [t if isinstance(t, str) else "" for t in texts]
            verifs = [verify(t, ev, max_words=cfg.max_words) for t in texts]
            scores = self.scorer.score(ev, texts, verifs, sample)
            order = sorted(range(len(texts)), key=lambda i: -scores[i])
            base = len(candidates)
            candidates.extend(
                _candidate_record(t, round_i, s, v) for t, s, v in zip(texts, scores, verifs, strict=True)
            )
            for rank, i in enumerate(order):
                v = verifs[i]
                if best is None or scores[i] > best[0]:
                    best = (scores[i], texts[i])
                if v.is_verified(cfg.max_unverifiable_share):
                    accepted = {
                        "candidate": base + i,
                        "round": round_i,
                        "rank": rank,
                        "repaired": False,
                        "v": v,
                    }
                    break
                if cfg.repair and v.n_contradicted and not v.problems:
                    fixed = repair(v)
                    if fixed:
                        v2 = verify(fixed, ev, max_words=cfg.max_words)
                        candidates[base + i]["repaired_text"] = fixed
                        if v2.is_verified(cfg.max_unverifiable_share):
                            accepted = {
                                "candidate": base + i,
                                "round": round_i,
                                "rank": rank,
                                "repaired": True,
                                "v": v2,
                            }
                            break
            if accepted:
                break
        report["candidates"] = candidates
        report["errors"] = errors
        report["seconds"] = round(time.perf_counter() - t0, 4)
        if accepted is not None:
            v = accepted.pop("v")
            report.update(
                status="verified",
                caption=v.caption,
                accepted_first_try=accepted["round"] == 0
                and accepted["rank"] == 0
                and not accepted["repaired"],
                final_claims=[c.to_dict() for c in v.claims],
                coverage=round(grounding_coverage(ev, v), 4),
                **accepted,
            )
            return CaptionOutcome(sample.key, "verified", v.caption, report, bundle)
        status = "backend_error" if errors and not candidates else "unverified"
        report.update(
            status=status,
            caption=None,
            accepted_first_try=False,
            best_unverified=best[1] if best else None,
            reason=(
                "; ".join(errors)
                if status == "backend_error"
                else f"no candidate verified in {cfg.max_rounds} round(s) of {cfg.n_candidates}: "
                + _why_rejected(candidates)
            ),
        )
        return CaptionOutcome(sample.key, status, None, report, bundle)

    def caption_into(self, sample: Sample) -> CaptionOutcome:
        """Caption ``sample`` and store signals, caption and report in its metadata."""
        outcome = self.caption(sample)
        md = sample.metadata
        if outcome.bundle is not None:
            apply_released_fields(sample, outcome.bundle)
        md.caption = outcome.caption
        md.caption_report = outcome.report
        return outcome


def caption_samples(pipeline: CaptionPipeline, samples: Sequence[Sample]) -> list[CaptionOutcome]:
    return [pipeline.caption_into(s) for s in samples]
