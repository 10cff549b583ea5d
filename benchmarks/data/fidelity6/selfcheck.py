"""selfcheck.py -- re-check every clause of the caption set against truth.json (independent of compose.py's choices)."""
import json, collections, sys
from preds import evaluate

T = json.load(open("truth.json"))
split = json.load(open("split_dev_tiles.json"))
dev = [json.loads(l) for l in open("dev.jsonl")]; test = [json.loads(l) for l in open("test.jsonl")]
audit = collections.defaultdict(list)
for l in open("clauses_audit.jsonl"):
    a = json.loads(l); audit[a["caption_id"]].append(a)
FAM = {"landcover_share", "landcover_presence", "dominance", "water", "elevation", "slope", "terrain", "canopy", "vegetation", "sar",
       "osm_object", "season", "place", "position", "comparison", "consistency"}
errs = []
def E(*a): errs.append(" ".join(map(str, a)))
ids = set()
per_tile = collections.Counter()
for part, recs in (("dev", dev), ("test", test)):
    for r in recs:
        cid = r["caption_id"]
        if cid in ids: E("dup id", cid)
        ids.add(cid)
        if (r["tile_id"] in split["dev_tiles"]) != (part == "dev"): E("split mismatch", cid)
        per_tile[(r["tile_id"], r["label"])] += 1
        A = audit[cid]
        if not 2 <= len(A) <= 5: E("clause count", cid, len(A))
        for a in A:
            v, dec = evaluate(a["pred"], T[r["tile_id"]])
            if v != a["expected"]: E("truth mismatch", cid, a["clause"], a["pred"], v, a["expected"])
            if r["caption"].count(a["clause"]) < 1: E("clause not in caption", cid, a["clause"])
        nf = [a for a in A if a["expected"] == "false"]
        if r["label"] == "true":
            if nf: E("false clause in true caption", cid)
            if any(k in r for k in ("false_clause", "false_family", "decidable")): E("extra keys", cid)
        else:
            if len(nf) != 1: E("need exactly one false clause", cid, len(nf))
            else:
                fc = r["false_clause"]
                if fc != nf[0]["clause"]: E("false_clause text", cid)
                if r["caption"].count(fc) != 1: E("false_clause not unique", cid)
                if r["false_family"] != nf[0]["family"]: E("family mismatch", cid)
                if r["decidable"] != evaluate(nf[0]["pred"], T[r["tile_id"]])[1]: E("decidable mismatch", cid)
                ff = r["false_family"]
                if ff not in FAM and not ff.startswith("other:"): E("bad family", cid, ff)
                others = [a["family"] for a in A if a["expected"] == "true"]
                if ff != "consistency" and ff in others: E("same-topic true clause", cid)
                if len(set(others)) != len(others): E("repeated topic", cid)
for (t, l), n in per_tile.items():
    if n != (48 if l == "false" else 20): E("per-tile count", t, l, n)
tf = sum(r["label"] == "false" for r in test); tt = sum(r["label"] == "true" for r in test)
if tf < 1000 or tt < 400: E("test too small", tf, tt)
if set(split["dev_tiles"]) & set(split["test_tiles"]): E("tile overlap")
allr = dev + test
print("tiles", len({r["tile_id"] for r in allr}), "dev tiles", len(split["dev_tiles"]), "test tiles", len(split["test_tiles"]))
print("captions", len(allr), "dev", len(dev), "test", len(test), "| test false/true", tf, tt,
      "| dev false/true", sum(r["label"] == "false" for r in dev), sum(r["label"] == "true" for r in dev))
print("styles", dict(collections.Counter(r["style"] for r in allr)))
print("families", dict(collections.Counter(r["false_family"] for r in allr if r["label"] == "false")))
print("decidable", dict(collections.Counter(r["decidable"] for r in allr if r["label"] == "false")))
print("errors", len(errs))
for e in errs[:30]: print("  ", e)

# ---- text-level cross-check: numbers / classes / dates written in the clause agree with the predicate
import re
from compose import CLS, MONTHS, WORDS, FRAC
W2N = {v: k for k, v in WORDS.items()}
FR = {}
for k, v in FRAC.items():
    for x in v: FR[re.sub(r"^(a|one) ", "", x)] = k
terr = []
for cid, A in audit.items():
    for a in A:
        p = a["pred"]; t = a["clause"].lower()
        if "c" in p and p["c"] in CLS and not any(syn.lower() in t for syn in CLS[p["c"]]): terr.append(("class", cid, a["clause"]))
        if a["family"] != "dominance" and (p["k"] in ("lc_ge", "lc_le", "lc_about", "water_ge") or (p["k"] == "water_le" and p["q"] != 0.01)):
            q = round(p["q"] * 100)
            nums = [int(x) for x in re.findall(r"(\d+)\s*(?:%|percent|per cent)", t)]
            nums += [n for w, n in W2N.items() if re.search(r"\b" + w + r" (?:percent|per cent)", t)]
            fr = [round(v * 100) for k_, v in FR.items() if k_.lower() in t]
            if q not in nums + fr: terr.append(("number", cid, a["clause"], q))
        if p["k"] == "year" and str(p["y"]) not in t: terr.append(("year", cid, a["clause"]))
        if p["k"] == "date" and str(p["ymd"][0]) not in t: terr.append(("date", cid, a["clause"]))
        if p["k"] == "sar_mean":
            t2 = t.replace("sentinel-1", "").replace("(±2)", "").replace("give or take 2 db", "")
            ns = [int(x) for x in re.findall(r"-?\d+", t2)]
            if not ns or any(not (p["lo"] - 0.01 <= n <= p["hi"] + 0.01) for n in ns): terr.append(("sar", cid, a["clause"], p))
print("text-level issues", len(terr))
for e in terr[:20]: print("  ", e)
sys.exit(1 if (terr or errs) else 0)
