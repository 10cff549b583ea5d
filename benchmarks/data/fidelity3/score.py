"""Score a verifier:  python score.py VERDICTS.jsonl LABELS.jsonl

VERDICTS lines carry the input keys (at least caption_id) plus `verdict` in
verified | contradicted | unverifiable | error. LABELS is dev.jsonl or test.jsonl (or both concatenated).
Missing verdicts are counted as `error`.
"""
import json, math, sys
from collections import defaultdict

VALID = {"verified", "contradicted", "unverifiable", "error"}


def wilson(k, n, z=1.96):
    if n == 0:
        return (float("nan"), float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (p, max(0.0, c - h), min(1.0, c + h))


def fmt(name, k, n):
    p, lo, hi = wilson(k, n)
    if n == 0:
        return "%-44s   n=0" % name
    return "%-44s %5d/%-5d = %6.1f%%  [95%% CI %5.1f–%5.1f]" % (name, k, n, 100 * p, 100 * lo, 100 * hi)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    verd = {}
    bad = 0
    for line in open(sys.argv[1], encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        v = r.get("verdict")
        if v not in VALID:
            bad += 1
            v = "error"
        verd[r["caption_id"]] = v
    labels = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    missing = sum(1 for r in labels if r["caption_id"] not in verd)
    fv = fc = fn = 0
    dc = dn = 0
    tc = tn = 0
    tv = 0
    fam = defaultdict(lambda: [0, 0])
    famv = defaultdict(lambda: [0, 0])
    und = [0, 0]
    dist = defaultdict(lambda: defaultdict(int))
    for r in labels:
        v = verd.get(r["caption_id"], "error")
        dist[r["label"]][v] += 1
        if r["label"] == "false":
            fn += 1
            fv += v == "verified"
            famv[r["false_family"]][0] += v == "verified"
            famv[r["false_family"]][1] += 1
            if r["decidable"]:
                dn += 1
                dc += v == "contradicted"
                fam[r["false_family"]][0] += v == "contradicted"
                fam[r["false_family"]][1] += 1
            else:
                und[1] += 1
                und[0] += v == "contradicted"
        else:
            tn += 1
            tc += v == "contradicted"
            tv += v == "verified"
    print("labels:", sys.argv[2], "| captions", len(labels), "| missing verdicts", missing, "| invalid verdicts", bad)
    print()
    print(fmt("false captions VERIFIED (lower is better)", fv, fn))
    print(fmt("decidable false captions CONTRADICTED", dc, dn))
    print(fmt("undecidable false captions contradicted", und[0], und[1]))
    print(fmt("true captions CONTRADICTED (lower is better)", tc, tn))
    print(fmt("true captions verified", tv, tn))
    print()
    print("decidable false captions contradicted, per family:")
    for f in sorted(fam):
        print("  " + fmt(f, fam[f][0], fam[f][1]))
    print()
    print("false captions verified, per family:")
    for f in sorted(famv):
        print("  " + fmt(f, famv[f][0], famv[f][1]))
    print()
    print("verdict distribution:")
    for lab in ("false", "true"):
        print("  %-5s %s" % (lab, dict(sorted(dist[lab].items()))))


if __name__ == "__main__":
    main()
