#!/usr/bin/env python3
"""Maintained NLP libraries against the extractor's own code (issue 10 item 2): accuracy and speed.

Clause segmentation, on the clause offsets of an independent planted-claim set
(``benchmarks/data/fidelity/clauses_audit.jsonl``: 1,913 captions, their clauses written by a writer
who never read the extractor, with character offsets). A *gold boundary* is the gap between two
consecutive clauses of a caption; a predicted segment boundary is correct when it falls inside such a
gap. Figures: boundary recall (gold gaps that hold a predicted boundary), boundary precision
(predicted boundaries that fall in a gold gap), exact clause matches, and captions/s.

* ``builtin``: ``geomeld.captioning.extract`` (its tokenizer + clause rules);
* ``spacy_sentencizer``: spaCy's blank ``English()`` tokenizer + the rule-based ``sentencizer``
  (no model download);
* ``spacy_tokens_builtin_rules``: spaCy's tokenizer feeding the built-in clause rules (does a
  maintained tokenizer improve the same rules?).

Number words and quantities, on a generated list of expressions with known values (integers 0–100 in
words, hyphenated and spaced; "a hundred"; fractions "a quarter", "two-thirds", "nine-tenths", "half";
percent words): ``builtin`` (the extractor's number reader), ``word2number`` (``w2n.word_to_num``) and
``quantulum3`` (``parser.parse``). Accuracy = value read exactly; speed = expressions/s.

Libraries are optional here: install them into any path and pass ``--libs PATH`` (appended to
``sys.path``); a missing one is reported as ``"available": false``. One JSON line per figure.

    python benchmarks/extractor_libs.py --libs /tmp/libs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
AUDIT = HERE / "data" / "fidelity" / "clauses_audit.jsonl"
Spans = list[tuple[int, int]]


def _machine() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "threads": int(os.environ.get("OMP_NUM_THREADS", "1")),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _wilson(k: int, n: int) -> list[float]:
    from geomeld.captioning.fidelity import wilson

    lo, hi = wilson(k, n)
    return [round(lo, 4), round(hi, 4)]


def load_audit(path: Path) -> list[tuple[str, Spans]]:
    """(caption text rebuilt from the offsets' source, gold clause spans) per caption."""
    labelled: dict[str, str] = {}
    for name in ("dev.jsonl", "test.jsonl"):
        p = path.parent / name
        if p.exists():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    r = json.loads(line)
                    labelled[r["caption_id"]] = r["caption"]
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        text = labelled.get(r["caption_id"])
        if text is None:
            continue
        spans = sorted((c["start"], c["start"] + len(c["text"])) for c in r["clauses"])
        out.append((text, spans))
    return out


def _builtin_segments(text: str) -> Spans:
    from geomeld.captioning.extract import clauses, tokenize

    toks = tokenize(text)
    return [(toks[a].start, toks[b - 1].end) for a, b in clauses(toks, text) if b > a]


def _spacy_nlp(libs: str | None) -> Any | None:
    try:
        from spacy.lang.en import English
    except ImportError:
        return None
    nlp = English()
    nlp.add_pipe("sentencizer")
    return nlp


def _spacy_sentences(nlp: Any) -> Callable[[str], Spans]:
    def seg(text: str) -> Spans:
        return [(s.start_char, s.end_char) for s in nlp(text).sents]

    return seg


def _spacy_tokens_builtin_rules(nlp: Any) -> Callable[[str], Spans]:
    from geomeld.captioning.extract import Tok, clauses

    tokenizer = nlp.tokenizer

    def seg(text: str) -> Spans:
        toks = []
        for i, t in enumerate(tokenizer(text)):
            if t.is_space:
                continue
            low = t.text.lower().replace("’", "'").replace("−", "-")
            toks.append(Tok(t.idx, t.idx + len(t.text), low, t.text[:1].isupper(), i))
        for i, tok in enumerate(toks):
            tok.i = i
        return [(toks[a].start, toks[b - 1].end) for a, b in clauses(toks, text) if b > a]

    return seg


def score_segments(data: list[tuple[str, Spans]], seg: Callable[[str], Spans]) -> dict[str, Any]:
    gold_gaps = hit_gaps = pred_b = good_b = exact = n_clauses = 0
    t0 = time.perf_counter()
    preds = [seg(text) for text, _ in data]
    secs = time.perf_counter() - t0
    for (_text, gold), pred in zip(data, preds, strict=True):
        gaps = [(gold[k][1], gold[k + 1][0]) for k in range(len(gold) - 1)]
        # a predicted boundary sits between the end of one segment and the start of the next
        bounds = [(pred[k][1], pred[k + 1][0]) for k in range(len(pred) - 1)]
        gold_gaps += len(gaps)
        for g0, g1 in gaps:
            if any((g0 <= b0 and b1 <= g1 + 1) or (b0 <= g1 and b1 >= g0) for b0, b1 in bounds):
                hit_gaps += 1
        pred_b += len(bounds)
        for b0, b1 in bounds:
            if any(b0 <= g1 and b1 >= g0 for g0, g1 in gaps):
                good_b += 1
        n_clauses += len(gold)
        stripped = {(a, b) for a, b in pred}
        exact += sum(1 for a, b in gold if any(abs(a - p0) <= 2 and abs(b - p1) <= 2 for p0, p1 in stripped))
    return {
        "boundary_recall": round(hit_gaps / gold_gaps, 4) if gold_gaps else None,
        "boundary_recall_ci95": _wilson(hit_gaps, gold_gaps),
        "gold_gaps": gold_gaps,
        "boundary_precision": round(good_b / pred_b, 4) if pred_b else None,
        "boundary_precision_ci95": _wilson(good_b, pred_b),
        "predicted_boundaries": pred_b,
        "clauses_matched_exactly": round(exact / n_clauses, 4) if n_clauses else None,
        "clauses": n_clauses,
        "captions": len(data),
        "captions_per_s": round(len(data) / secs, 1) if secs else None,
    }


# ---- number words -------------------------------------------------------------------------------
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int, sep: str) -> str:
    if n < 20:
        return _ONES[n]
    if n == 100:
        return "one hundred"
    t, o = divmod(n, 10)
    return _TENS[t - 2] + ("" if o == 0 else sep + _ONES[o])


def number_cases() -> list[tuple[str, float]]:
    cases = [(_words(n, "-"), float(n)) for n in range(101)]
    cases += [(_words(n, " "), float(n)) for n in range(21, 100) if n % 10]
    cases += [(_words(n, "-") + " percent", float(n)) for n in range(5, 100, 5)]
    cases += [
        ("a hundred", 100.0),
        ("half", 50.0),
        ("a half", 50.0),
        ("a quarter", 25.0),
        ("a third", 100 / 3),
        ("a fifth", 20.0),
        ("a tenth", 10.0),
        ("two-thirds", 200 / 3),
        ("three quarters", 75.0),
        ("three-quarters", 75.0),
        ("nine-tenths", 90.0),
        ("two-fifths", 40.0),
        ("three-fifths", 60.0),
        ("one-eighth", 12.5),
    ]
    return cases


def _builtin_number(text: str) -> float | None:
    from geomeld.captioning.extract import find_numbers, tokenize

    nums = find_numbers(tokenize(text), set())
    return nums[0].low if nums else None


def _w2n_number() -> Callable[[str], float | None] | None:
    try:
        from word2number import w2n
    except ImportError:
        return None

    def parse(text: str) -> float | None:
        try:
            return float(w2n.word_to_num(text.replace(" percent", "")))
        except (ValueError, IndexError, TypeError):
            return None

    return parse


def _quantulum_number() -> Callable[[str], float | None] | None:
    try:
        from quantulum3 import parser
    except ImportError:
        return None

    def parse(text: str) -> float | None:
        try:
            q = parser.parse(text)
        except Exception:  # the parser raises on some inputs: counted as not read
            return None
        if not q:
            return None
        v = float(q[0].value)
        # fractions come back as ratios (0.25): the caption means a share of the tile (25 %)
        return v * 100 if v < 1 and "percent" not in text and q[0].unit.name == "dimensionless" else v

    return parse


def score_numbers(cases: list[tuple[str, float]], parse: Callable[[str], float | None]) -> dict[str, Any]:
    t0 = time.perf_counter()
    got = [parse(t) for t, _ in cases]
    secs = time.perf_counter() - t0
    ok = sum(1 for g, (_, want) in zip(got, cases, strict=True) if g is not None and abs(g - want) < 0.05)
    wrong = [t for g, (t, want) in zip(got, cases, strict=True) if g is None or abs(g - want) >= 0.05]
    return {
        "accuracy": round(ok / len(cases), 4),
        "ci95": _wilson(ok, len(cases)),
        "k": ok,
        "n": len(cases),
        "per_s": round(len(cases) / secs, 1) if secs else None,
        "misread_examples": wrong[:6],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--audit", type=Path, default=AUDIT, help="clauses_audit.jsonl with clause offsets")
    ap.add_argument("--libs", default=None, help="extra path holding spacy / word2number / quantulum3")
    args = ap.parse_args(argv)
    if args.libs:
        sys.path.append(args.libs)
    meta = _machine()
    data = load_audit(args.audit)
    nlp = _spacy_nlp(args.libs)
    segmenters: list[tuple[str, Callable[[str], Spans] | None]] = [
        ("builtin", _builtin_segments),
        ("spacy_sentencizer", _spacy_sentences(nlp) if nlp else None),
        ("spacy_tokens_builtin_rules", _spacy_tokens_builtin_rules(nlp) if nlp else None),
    ]
    for name, seg in segmenters:
        row: dict[str, Any] = {"figure": "clause_segmentation", "method": name, "baseline": "builtin"}
        if seg is None:
            print(json.dumps({**row, "available": False, **meta}))
            continue
        seg(data[0][0])  # warm-up (spaCy builds its tokenizer tables lazily)
        print(json.dumps({**row, "available": True, **score_segments(data, seg), **meta}))
    cases = number_cases()
    parsers: list[tuple[str, Callable[[str], float | None] | None]] = [
        ("builtin", _builtin_number),
        ("word2number", _w2n_number()),
        ("quantulum3", _quantulum_number()),
    ]
    for name, parse in parsers:
        row = {"figure": "number_words", "method": name, "baseline": "builtin"}
        if parse is None:
            print(json.dumps({**row, "available": False, **meta}))
            continue
        parse(cases[0][0])
        print(json.dumps({**row, "available": True, **score_numbers(cases, parse), **meta}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
