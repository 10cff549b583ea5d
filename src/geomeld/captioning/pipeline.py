"""Orchestrator → Captioner → Evaluator → Verifier for one sample, with a bounded repair loop.

Per sample: compute signals, generate N candidates, score and rank them, verify in rank order; the
first candidate that verifies is accepted; a candidate with contradicted claims is repaired (the
clauses dropped) and re-verified; if no candidate of a round survives, a new round is generated with
another seed, up to ``max_rounds``. The built-in backend, whose claims are planned to hold, first
realises a single candidate and goes on with rounds of N only if that one does not verify (one
extra round). The outcome is always one of:

* ``verified`` — ``metadata.caption`` holds the caption; every claim checked, none contradicted;
* ``unverified`` — no candidate verified within the bound (or none made a checkable claim);
  ``metadata.caption`` stays empty, the best attempt is kept in the report only;
* ``no_imagery`` — the sample holds no imagery that is evidence about the place: no caption;
* ``backend_error`` / ``signals_error`` — the reason is in the report.

Nothing is marked verified unless :attr:`Verification.check_verified` holds — exactly what
``geomeld caption-check`` calls verified (every typed claim supported, the text saying nothing
beyond them). Built-in candidates carry their planned claims (:func:`check_planned`); text from
other backends is checked through the free-text extractor.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from geomeld.captioning.builtin import BuiltinCaptioner
from geomeld.captioning.check import CaptionCheck, check_claims
from geomeld.captioning.claims import Claim, ClaimList, span_problems
from geomeld.captioning.config import CaptionConfig
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.ground import Ground
from geomeld.captioning.openai_compat import BackendError, OpenAICompatibleCaptioner
from geomeld.captioning.plan import has_imagery
from geomeld.captioning.realise import Realised
from geomeld.captioning.scoring import GroundingCoverageScorer, Scorer, grounding_coverage
from geomeld.captioning.verifier import Verification, caption_problems, ground_of, repair, verify
from geomeld.core.sample import Sample
from geomeld.signals import apply_released_fields, compute_signals
from geomeld.signals.models import SignalBundle
from geomeld.signals.osm import OsmSource
from geomeld.signals.terrain import GeomorphonCache

log = logging.getLogger(__name__)

PIPELINE_VERSION = "geomeld-caption-1"


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


def _typed_counts(v: Verification) -> dict[str, int]:
    """Supported / contradicted / unverifiable typed claims (the check that decides "verified")."""
    claims = v.check.claims if v.check is not None else []
    return {k: sum(c.verdict == k for c in claims) for k in ("supported", "contradicted", "unverifiable")}


def _candidate_record(text: str, round_i: int, score: float, v: Verification) -> dict[str, Any]:
    return {
        "text": text,
        "round": round_i,
        "score": score,
        "verdict": v.check.verdict.value if v.check is not None else None,
        **_typed_counts(v),
        "problems": v.problems + (v.check.problems if v.check is not None else []),
    }


def check_planned(caption: str, claims: Sequence[Claim], ground: Ground, max_words: int) -> Verification:
    """The verification of a caption realised from planned claims: each claim checked against the
    signals and the spans checked against the text. The text says exactly its claims by construction
    (tested), so no free-text extraction runs; the verdict rule is caption-check's."""
    check = CaptionCheck(caption, check_claims(claims, ground), span_problems(caption, claims))
    return Verification(caption=caption, problems=caption_problems(caption, max_words), check=check)


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
        if cfg.require_imagery and not has_imagery(sample):
            report.update(
                status="no_imagery",
                caption=None,
                accepted_first_try=False,
                reason="no imagery (Sentinel-2, NAIP or Sentinel-1) with a valid pixel that is evidence "
                "about this place: nothing to caption",
            )
            return CaptionOutcome(sample.key, "no_imagery", None, report, bundle)
        ev = Evidence.from_bundle(bundle)
        structured: dict[str, Realised] = {}
        answered: dict[str, list[Claim]] = {}  # an LLM's own claim lists, checked with text ⊆ claims
        candidates: list[dict[str, Any]] = []
        errors: list[str] = []
        accepted: dict[str, Any] | None = None
        best: tuple[float, str] | None = None
        rounds = cfg.max_rounds + (1 if isinstance(self.backend, BuiltinCaptioner) else 0)
        for round_i in range(rounds):
            try:
                if isinstance(self.backend, BuiltinCaptioner):  # planned claims: keep them with the text
                    # its claims are planned to hold: one candidate first, N only when that one fails
                    realised = self.backend.candidates(
                        sample.key,
                        bundle,
                        1 if round_i == 0 else cfg.n_candidates,
                        seed=cfg.seed + 7919 * round_i,
                        provenance=sample.metadata.provenance,
                    )
                    structured.update((r.caption, r) for r in realised)
                    texts = [r.caption for r in realised]
                elif isinstance(self.backend, OpenAICompatibleCaptioner):  # JSON caption + claims
                    answers = self.backend.generate_claims(
                        sample.key, ev, cfg.n_candidates, seed=cfg.seed + 7919 * round_i, sample=sample
                    )
                    answered.update((t, c) for t, c in answers if c is not None)
                    texts = [t for t, _ in answers]
                else:
                    texts = self.backend.generate(
                        sample.key, ev, cfg.n_candidates, seed=cfg.seed + 7919 * round_i, sample=sample
                    )
            except BackendError as exc:  # keep what was received; a round with nothing goes on
                errors.append(f"round {round_i}: {exc}")
                texts = exc.partial
                answered.update((t, c) for t, c in zip(exc.partial, exc.partial_claims, strict=False) if c)
                if not texts:
                    continue
            texts = [t if isinstance(t, str) else "" for t in texts]
            verifs = [
                check_planned(t, structured[t].claims, ground_of(ev), cfg.max_words)
                if t in structured
                else verify(t, ev, max_words=cfg.max_words, claims=answered.get(t))
                for t in texts
            ]
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
                if v.check_verified:
                    accepted = {
                        "candidate": base + i,
                        "round": round_i,
                        "rank": rank,
                        "repaired": False,
                        "v": v,
                    }
                    break
                if cfg.repair and texts[i] not in structured and v.n_contradicted and not v.problems:
                    fixed = repair(v)
                    if fixed:
                        v2 = verify(fixed, ev, max_words=cfg.max_words)
                        candidates[base + i]["repaired_text"] = fixed
                        if v2.check_verified:
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
                coverage=round(grounding_coverage(ev, v), 4),
                **accepted,
            )
            assert v.check is not None
            # the typed claims with their verdicts and evidence, under the claim-schema version
            report["claims"] = ClaimList(v.caption, v.check.claims).to_dict()
            planned = structured.get(v.caption)
            if planned is not None:
                report["frames"] = planned.frames
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
