#!/usr/bin/env python
"""Score a verifier's verdicts against the planted-claim labels.

usage: python score.py VERDICTS.jsonl LABELS.jsonl

VERDICTS lines carry the input keys (at least caption_id) plus `verdict` in
verified | contradicted | unverifiable | error.  LABELS is dev.jsonl or test.jsonl (or both
concatenated).  A label with no verdict line counts as `error`.  Reports, with 95 % Wilson
score intervals:
  * false captions verified            (lower is better)
  * decidable false captions contradicted, overall and per false_family (higher is better)
  * undecidable false captions contradicted / verified (for information)
  * true captions contradicted         (lower is better)
plus the verdict mix per label and per style.
"""
import json, math, sys
from collections import Counter, defaultdict

VERDICTS = {"verified", "contradicted", "unverifiable", "error"}


def wilson(k, n, z=1.959964):
    if n == 0:
        return (float("nan"), float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, max(0.0, c - h), min(1.0, c + h)


def fmt(name, k, n):
    p, lo, hi = wilson(k, n)
    if n == 0:
        return f"{name:<44s} n/a (n=0)"
    return f"{name:<44s} {k:5d}/{n:<5d} = {100 * p:5.1f} %  [95% CI {100 * lo:5.1f} – {100 * hi:5.1f}]"


def load(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{i}: bad JSON: {e}")
    return out


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    verdicts = {}
    bad = 0
    for r in load(argv[1]):
        v = r.get("verdict")
        if v not in VERDICTS:
            bad += 1
            v = "error"
        verdicts[r["caption_id"]] = v
    labels = load(argv[2])
    missing = sum(1 for r in labels if r["caption_id"] not in verdicts)
    rows = [(r, verdicts.get(r["caption_id"], "error")) for r in labels]
    F = [(r, v) for r, v in rows if r["label"] == "false"]
    Fd = [(r, v) for r, v in F if r["decidable"]]
    Fu = [(r, v) for r, v in F if not r["decidable"]]
    Tr = [(r, v) for r, v in rows if r["label"] == "true"]
    print(f"labels: {len(labels)}  (false {len(F)}, of which decidable {len(Fd)}; true {len(Tr)})")
    print(f"verdict lines without a matching label ignored; labels without a verdict: {missing}; invalid verdict values: {bad}")
    print()
    print(fmt("false captions verified", sum(v == "verified" for _, v in F), len(F)))
    print(fmt("decidable false captions contradicted", sum(v == "contradicted" for _, v in Fd), len(Fd)))
    print(fmt("true captions contradicted", sum(v == "contradicted" for _, v in Tr), len(Tr)))
    print(fmt("undecidable false captions contradicted", sum(v == "contradicted" for _, v in Fu), len(Fu)))
    print(fmt("undecidable false captions verified", sum(v == "verified" for _, v in Fu), len(Fu)))
    print()
    print("decidable false captions contradicted, per family:")
    fam = defaultdict(list)
    for r, v in Fd:
        fam[r["false_family"]].append(v)
    for f in sorted(fam):
        print("  " + fmt(f, sum(v == "contradicted" for v in fam[f]), len(fam[f])))
    print()
    print("false captions verified, per family (all, incl. undecidable):")
    fam = defaultdict(list)
    for r, v in F:
        fam[r["false_family"]].append(v)
    for f in sorted(fam):
        print("  " + fmt(f, sum(v == "verified" for v in fam[f]), len(fam[f])))
    print()
    print("verdict mix:")
    for name, grp in (("false/decidable", Fd), ("false/undecidable", Fu), ("true", Tr)):
        c = Counter(v for _, v in grp)
        print(f"  {name:<18s} " + "  ".join(f"{k}={c.get(k, 0)}" for k in ("verified", "contradicted", "unverifiable", "error")))
    print()
    print("per style (decidable false contradicted | true contradicted):")
    st = sorted({r["style"] for r in labels})
    for s in st:
        a = [v for r, v in Fd if r["style"] == s]
        b = [v for r, v in Tr if r["style"] == s]
        pa = 100 * sum(v == "contradicted" for v in a) / len(a) if a else float("nan")
        pb = 100 * sum(v == "contradicted" for v in b) / len(b) if b else float("nan")
        print(f"  {s:<12s} {pa:5.1f} % of {len(a):4d}   |   {pb:5.1f} % of {len(b):4d}")


if __name__ == "__main__":
    main(sys.argv)
