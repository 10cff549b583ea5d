"""selfcheck.py - re-check every clause of the set against truth.json with the rules in rules.py, plus structure checks."""
import json, collections, sys
from rules import evaluate, DECIDABLE_BY_LAYER
T = json.load(open("truth.json"))
rows = [json.loads(l) for s in ("dev", "test") for l in open(s + ".jsonl")]
audit = collections.defaultdict(list)
for l in open("clauses_audit.jsonl"):
    a = json.loads(l); audit[a["caption_id"]].append(a)
errs = []
FAMS = {"landcover_share", "landcover_presence", "dominance", "water", "elevation", "slope", "terrain", "canopy", "vegetation", "sar", "osm_object",
        "season", "place", "position", "comparison", "consistency"}
ids = set()
for r in rows:
    cid = r["caption_id"]
    if cid in ids: errs.append((cid, "duplicate id"))
    ids.add(cid)
    cl = audit[cid]
    if not 2 <= len(cl) <= 5: errs.append((cid, "n clauses %d" % len(cl)))
    vals = []
    for a in cl:
        v = evaluate(a["spec"], T[r["tile_id"]])
        vals.append(v)
        if v is None: errs.append((cid, "undecided clause: " + a["clause"]))
        if v is not None and v != a["truth"]: errs.append((cid, "truth mismatch: " + a["clause"]))
        if a["clause"] not in r["caption"]: errs.append((cid, "clause not in caption: " + a["clause"]))
    nfalse = sum(1 for v in vals if v is False)
    if r["label"] == "true":
        if nfalse: errs.append((cid, "true caption has a false clause"))
        if "false_clause" in r: errs.append((cid, "true caption has false_clause"))
    else:
        if nfalse != 1: errs.append((cid, "false caption has %d false clauses" % nfalse))
        fc = [a for a, v in zip(cl, vals) if v is False]
        if fc and fc[0]["clause"] != r["false_clause"]: errs.append((cid, "false_clause mismatch"))
        if r["caption"].count(r["false_clause"]) != 1: errs.append((cid, "false_clause occurs %d times" % r["caption"].count(r["false_clause"])))
        if fc and r["decidable"] != DECIDABLE_BY_LAYER(fc[0]["spec"]): errs.append((cid, "decidable flag"))
        f = r["false_family"]
        if f not in FAMS and not f.startswith("other:"): errs.append((cid, "bad family " + f))
        if f == "consistency":
            # some other clause in the caption must share the false clause's topic and be true
            fam0 = fc[0]["family"] if fc else None
            subj = lambda a: a["spec"].get("c", a["spec"]["k"].split("_")[0])
            if not any((a["family"] == fam0 or subj(a) == subj(fc[0])) and not a["is_false_clause"] for a in cl): errs.append((cid, "consistency without partner"))
        else:
            if fc and any(a["family"] == fc[0]["family"] and not a["is_false_clause"] for a in cl): errs.append((cid, "true clause shares false clause's topic"))
per_tile = collections.Counter((r["tile_id"], r["label"]) for r in rows)
for (t, l), n in per_tile.items():
    if n != (48 if l == "false" else 20): errs.append((t, "count %s %d" % (l, n)))
test = [r for r in rows if r["caption_id"] in ids and r in rows]
tf = sum(1 for l in open("test.jsonl") if '"label": "false"' in l); tt = sum(1 for l in open("test.jsonl") if '"label": "true"' in l)
if tf < 1000 or tt < 400: errs.append(("test", "too few: %d false %d true" % (tf, tt)))
split = json.load(open("split_dev_tiles.json"))
if set(split["dev_tiles"]) & set(split["test_tiles"]): errs.append(("split", "overlap"))
print("captions", len(rows), "errors", len(errs))
for e in errs[:40]: print(e)
sys.exit(1 if errs else 0)
