"""Score a verifier: python score.py VERDICTS.jsonl LABELS.jsonl
VERDICTS: one JSON per line with caption_id and a verdict ("true"/"false", or key `label`/`verdict`,
or bool `flagged`/`is_false`). Reports catch rate on false captions (overall / per family / decidable),
false-alarm rate on true captions, with 95 % Wilson intervals. Missing verdicts count as 'true' (not caught)."""
import json, sys, math, collections
def wilson(k, n, z=1.96):
    if n == 0: return (float("nan"),) * 3
    p = k / n; d = 1 + z * z / n; cen = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, max(0, cen - h), min(1, cen + h)
def said_false(v):
    for k in ("verdict", "label", "prediction"):
        if k in v:
            x = str(v[k]).lower(); return x in ("false", "0", "reject", "contradicted", "refuted", "no")
    for k in ("flagged", "is_false"):
        if k in v: return bool(v[k])
    return False
def main(vp, lp):
    V = {}
    for l in open(vp):
        if l.strip(): v = json.loads(l); V[v["caption_id"]] = said_false(v)
    L = [json.loads(l) for l in open(lp) if l.strip()]
    miss = sum(r["caption_id"] not in V for r in L)
    groups = collections.defaultdict(lambda: [0, 0])
    for r in L:
        f = V.get(r["caption_id"], False)
        if r["label"] == "false":
            for g in ("ALL false: caught", f"family {r['false_family']}", f"decidable={r['decidable']}", f"style {r['style']}"):
                groups[g][0] += f; groups[g][1] += 1
        else:
            groups["ALL true: false alarm"][0] += f; groups["ALL true: false alarm"][1] += 1
    print(f"labels {len(L)}  verdicts missing {miss} (counted as not flagged)")
    for g in sorted(groups, key=lambda x: (not x.startswith("ALL"), x)):
        k, n = groups[g]; p, lo, hi = wilson(k, n)
        print(f"{g:32s} {k:5d}/{n:<5d} {p:6.3f}  [{lo:.3f}, {hi:.3f}]")
    fk, fn = groups["ALL false: caught"]; tk, tn = groups["ALL true: false alarm"]
    if fn and tn: print(f"balanced accuracy {(fk / fn + (1 - tk / tn)) / 2:.3f}")
if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
