"""The Evaluator: ranks caption candidates through a :class:`Scorer`.

* :class:`GroundingCoverageScorer` (default, always available): the share of the sample's salient
  facts (largest land cover, water, relief, the most salient OSM objects) that a candidate states
  *and* that the verifier supports, minus penalties for contradicted and unverifiable claims and for
  excess length.
* :class:`ContrastiveScorer`: cosine similarity between an image embedding of the sample and text
  embeddings of the candidates — the paper's vision–text Evaluator. It takes two callables, so a
  GeoMeld-FM export (image tower) plus its caption projection head plugs in without changing the
  pipeline; see ``docs`` in the class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from geomeld.captioning.builtin import facts_from
from geomeld.captioning.evidence import Evidence
from geomeld.captioning.verifier import Verdict, Verification
from geomeld.core.sample import Sample


class Scorer(Protocol):
    name: str

    def score(
        self,
        evidence: Evidence,
        candidates: Sequence[str],
        verifications: Sequence[Verification],
        sample: Sample | None,
    ) -> list[float]: ...


def salient_facts(ev: Evidence) -> list[tuple[str, str]]:
    """(kind, concept) pairs a good caption should mention (cached on the evidence)."""
    cached = ev.cache.get("salient")
    if isinstance(cached, list):
        return cached
    out = _salient(ev)
    ev.cache["salient"] = out
    return out


def _salient(ev: Evidence) -> list[tuple[str, str]]:
    f = facts_from(ev)
    out: list[tuple[str, str]] = []
    if f.covers and f.covers[0][1] >= 20:
        out.append(("landcover", f.covers[0][0]))
    if f.water_share >= 1.0 and ("landcover", "water") not in out:
        out.append(("landcover", "water"))
    if f.relief:
        out.append(("terrain", "*"))
    for name in f.objects[:2]:
        out.append(("osm", name))
    if f.roads:
        out.append(("osm", "road"))
    return out


def grounding_coverage(ev: Evidence, v: Verification) -> float:
    facts = salient_facts(ev)
    if not facts:
        return 0.0
    said = set()
    for c in v.claims:
        if c.verdict != Verdict.SUPPORTED:
            continue
        said.add((c.kind, c.concept))
        said.add((c.kind, "*"))
        if c.concept == "fields":
            said |= {("landcover", "cropland"), ("landcover", "grassland")}
        if c.kind == "landcover" and c.concept == "built":
            said.add(("osm", "building"))
    return sum(f in said for f in facts) / len(facts)


class GroundingCoverageScorer:
    name = "grounding"

    def __init__(self, target_words: int = 45) -> None:
        self.target_words = target_words

    def score(
        self,
        evidence: Evidence,
        candidates: Sequence[str],
        verifications: Sequence[Verification],
        sample: Sample | None,
    ) -> list[float]:
        out = []
        for text, v in zip(candidates, verifications, strict=True):
            n = max(len(v.claims), 1)
            s = grounding_coverage(evidence, v)
            s -= 0.5 * v.n_contradicted / n + 0.25 * v.n_unverifiable / n
            s -= 0.01 * max(0, len(text.split()) - self.target_words)
            s -= 1.0 if v.problems else 0.0
            out.append(round(s, 6))
        return out


class ContrastiveScorer:
    """Vision–text alignment: ``cos(image_embed(sample), text_embed(candidate))``.

    ``image_embed(sample) -> (D,)`` and ``text_embed(texts) -> (N, D)`` are any callables, e.g. the
    GeoMeld-FM encoder exported by ``geomeld.models.export`` (pooled features through its image
    projection) and the MiniLM caption tower through its text projection. Candidates are ranked by
    the cosine; a candidate with a caption-level problem gets −1.
    """

    name = "contrastive"

    def __init__(
        self,
        image_embed: Callable[[Sample], np.ndarray],
        text_embed: Callable[[Sequence[str]], np.ndarray],
    ) -> None:
        self.image_embed = image_embed
        self.text_embed = text_embed

    def score(
        self,
        evidence: Evidence,
        candidates: Sequence[str],
        verifications: Sequence[Verification],
        sample: Sample | None,
    ) -> list[float]:
        if sample is None:
            raise ValueError("the contrastive scorer needs the sample's arrays")
        img = np.asarray(self.image_embed(sample), dtype=np.float64).ravel()
        txt = np.asarray(self.text_embed(list(candidates)), dtype=np.float64)
        if txt.shape != (len(candidates), img.size):
            raise ValueError(
                f"text embeddings have shape {txt.shape}, expected ({len(candidates)}, {img.size})"
            )
        img = img / max(float(np.linalg.norm(img)), 1e-12)
        txt = txt / np.maximum(np.linalg.norm(txt, axis=1, keepdims=True), 1e-12)
        cos = txt @ img
        return [(-1.0 if v.problems else float(c)) for c, v in zip(cos, verifications, strict=True)]


def make_scorer(name: str, **kwargs: Any) -> Scorer:
    if name == "grounding":
        return GroundingCoverageScorer(**kwargs)
    if name == "contrastive":
        return ContrastiveScorer(**kwargs)
    raise ValueError(f"unknown scorer {name!r}; choose 'grounding' or 'contrastive' (needs embedders)")
