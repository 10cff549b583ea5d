#!/usr/bin/env python3
"""Score a caption verifier against the planted-claim labels.

usage: python score.py VERDICTS.jsonl LABELS.jsonl

VERDICTS.jsonl: one JSON object per input line (same order as LABELS.jsonl,
or carrying the input's caption_id), with `verdict` in
{verified, contradicted, unverifiable, error} and `claims`, a list of
{text, start, end, family, verdict in {supported, contradicted, unverifiable},
evidence}.  Rows are matched by caption_id when the verdict rows carry one,
otherwise by line order.  A label row without a verdict row counts as error.

Prints one JSON object.  Rates come with Wilson 95 % intervals.
"""
import json
import math
import sys
from collections import defaultdict

VERDICTS = ("verified", "contradicted", "unverifiable", "error")


def wilson(k, n, z=1.96):
    if n == 0:
        return {"k": 0, "n": 0, "rate": None, "ci95": None}
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return {"k": k, "n": n, "rate": round(p, 4), "ci95": [round(max(0.0, c - h), 4), round(min(1.0, c + h), 4)]}


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    rows.append({"verdict": "error", "_unparseable": True})
    return rows


def match(verdicts, labels):
    by_id = {v.get("caption_id"): v for v in verdicts if isinstance(v, dict) and v.get("caption_id") is not None}
    use_id = len(by_id) > 0 and all("caption_id" in v for v in verdicts if not v.get("_unparseable"))
    out = []
    for i, lab in enumerate(labels):
        if use_id:
            v = by_id.get(lab["caption_id"])
        else:
            v = verdicts[i] if i < len(verdicts) else None
        out.append((lab, v))
    return out, ("caption_id" if use_id else "line_order")


def verdict_of(v):
    if not isinstance(v, dict):
        return "error"
    x = v.get("verdict")
    return x if x in VERDICTS else "error"


def caught(lab, v):
    """True if some claim overlapping the false clause span is contradicted."""
    if not isinstance(v, dict) or not lab.get("false_clause"):
        return False
    s = lab["caption"].find(lab["false_clause"])
    if s < 0:
        return False
    e = s + len(lab["false_clause"])
    for c in v.get("claims") or []:
        try:
            cs, ce = int(c.get("start")), int(c.get("end"))
        except (TypeError, ValueError):
            continue
        if cs < e and ce > s and c.get("verdict") == "contradicted":
            return True
    return False


def summarise(pairs):
    t = [(l, v) for l, v in pairs if l["label"] == "true"]
    f = [(l, v) for l, v in pairs if l["label"] == "false"]
    fd = [(l, v) for l, v in f if l.get("decidable")]
    fu = [(l, v) for l, v in f if not l.get("decidable")]
    cnt = lambda rows, vv: sum(1 for _, v in rows if verdict_of(v) == vv)
    return {
        "n_true": len(t), "n_false": len(f), "n_false_decidable": len(fd),
        "false_stamped_verified": wilson(cnt(f, "verified"), len(f)),
        "decidable_false_contradicted": wilson(cnt(fd, "contradicted"), len(fd)),
        "decidable_false_clause_caught": wilson(sum(caught(l, v) for l, v in fd), len(fd)),
        "false_clause_caught_all": wilson(sum(caught(l, v) for l, v in f), len(f)),
        "undecidable_false_stamped_verified": wilson(cnt(fu, "verified"), len(fu)),
        "undecidable_false_unverifiable": wilson(cnt(fu, "unverifiable"), len(fu)),
        "true_contradicted": wilson(cnt(t, "contradicted"), len(t)),
        "true_verified": wilson(cnt(t, "verified"), len(t)),
        "unverifiable_share_all": wilson(cnt(pairs, "unverifiable"), len(pairs)),
        "unverifiable_share_true": wilson(cnt(t, "unverifiable"), len(t)),
        "errors": cnt(pairs, "error"),
    }


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    verdicts, labels = load(argv[1]), load(argv[2])
    pairs, how = match(verdicts, labels)
    out = {"matched_by": how, "n_rows_labels": len(labels), "n_rows_verdicts": len(verdicts)}
    out.update(summarise(pairs))
    fam = defaultdict(list)
    for l, v in pairs:
        if l["label"] == "false":
            fam[l.get("false_family")].append((l, v))
    per = {}
    for name, rows in sorted(fam.items(), key=lambda kv: str(kv[0])):
        s = summarise(rows)
        per[name] = {k: s[k] for k in ("n_false", "n_false_decidable", "false_stamped_verified",
                                       "decidable_false_contradicted", "decidable_false_clause_caught",
                                       "undecidable_false_unverifiable", "errors")}
    out["per_false_family"] = per
    styles = defaultdict(list)
    for l, v in pairs:
        styles[l.get("style")].append((l, v))
    out["per_style"] = {k: {kk: summarise(rows)[kk] for kk in ("false_stamped_verified", "decidable_false_contradicted", "true_contradicted")}
                        for k, rows in sorted(styles.items(), key=lambda kv: str(kv[0]))}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
