"""Re-check every clause in clauses_audit.jsonl against truth.json with an independent evaluator,
plus structural checks on dev/test jsonl. Prints problems; exit code 1 if any."""
import json, sys, collections
T = json.load(open("truth.json"))
SEASON = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}

def lc(r, c):
    if c == "water" and "jrc_water" in r:  # the OSM water layer is a complete 0/100 map
        return r["jrc_water"], r["jrc_water"]
    lo = r["lc_share"].get(c, 0.0); return lo, lo + (1 - r["lc_labelled"])

def water(r):
    return r["jrc_water"] if "jrc_water" in r else r["s2_water"]

def ev(r, p):
    """return (truth_value, decided_by_layer) for predicate p; None if cannot evaluate"""
    t = p["t"]; y, m, d = map(int, r["date"].split("-"))
    if t.startswith("lc_") or t in ("half_present", "half_most", "quad_most"):
        if not r.get("lc_evidence"): return None
        if t == "lc_ge": return (lc(r, p["c"])[0] >= p["v"] + 0.015, True)
        if t == "lc_lt":  # claim share < v : false if lower >= v + 0.05
            lo, up = lc(r, p["c"]); return (False, True) if lo >= p["v"] + 0.05 else ((True, True) if up < p["v"] else None)
        if t == "lc_gt":  # claim share > v
            lo, up = lc(r, p["c"]); return (False, True) if up <= p["v"] - 0.1 else ((True, True) if lo > p["v"] else None)
        if t == "lc_present": return (lc(r, p["c"])[0] >= 0.01, True)
        if t == "lc_absent": return (False, True) if lc(r, p["c"])[0] >= 0.02 else None
        if t == "lc_most": return (False, True) if lc(r, p["c"])[1] < 0.4 else None
        if t == "lc_most_true": return (lc(r, p["c"])[0] >= 0.5, True)
        if t == "lc_cmp":
            la, ua = lc(r, p["a"]); lb, ub = lc(r, p["b"])
            if la > ub + 0.02: return (True, True)
            if ua + 0.02 < lb: return (False, True)
            return None
        if t == "half_present": return (r["lc_half"][p["c"]][p["h"]] >= 0.05, True)
        if t == "half_most":
            v = r["lc_half"].get(p["c"], {}).get(p["h"], 0.0) + 1 - r["lc_half_lab"][p["h"]]
            return (False, True) if v < 0.4 else None
    if t == "water_half_claim": return (r["jrc_half"][p["h"]] > 0.5, True)
    if t == "quad_most":
        v = r["lc_quad"].get(p["c"], {}).get(p["q"], 0.0) + 1 - r["lc_quad_lab"][p["q"]]
        return (False, True) if v < 0.4 else None
    if t == "water_quad_claim_in" and "jrc_quad" not in r: return (r["s2_water"] > 0.01, True)
    if t == "water_none": return (water(r) == 0 and r["s2_water"] < 0.02, True)
    if t == "water_none_claim": return (water(r) < 0.01, True)
    if t == "water_gt": return (water(r) > p["v"], True) if (water(r) < p["v"] - 0.05 and r["s2_water"] < p["v"]) or water(r) > p["v"] else None
    if t == "water_between": return (p["a"] <= water(r) <= p["b"], True)
    if t == "water_quad": return (r["jrc_quad"][p["q"]] * 0.25 >= 0.5 * water(r), True)
    if t == "water_quad_claim_in": return (r["jrc_quad"][p["q"]] > 0.01, True)
    if t == "veg_dormant": return (r["ndvi_p90"] < 0.5, True)
    if t == "veg_lush_claim": return (r["green_frac"] > 0.5, True)
    if t == "veg_green": return (r["green_frac"] >= 0.55, True)
    if t == "veg_bare_claim": return (r["lowveg_frac"] > 0.5, True)
    if t == "built_dominant_claim": return (r["green_frac"] < 0.5, True)
    if t == "nonveg_gt": return (1 - r["green_frac"] > p["v"], True)
    if t == "bare_gt_veg": return (r["lowveg_frac"] > r["green_frac"], True)
    if t == "water_gt_veg": return (r["s2_water"] > r["green_frac"], True)
    if t == "veg_gt_bare": return (r["green_frac"] > r["lowveg_frac"] + 0.3, True)
    if t in ("greenest_q", "greenest_q_claim"):
        g = r["green_quad"]; return (max(g, key=g.get) == p["q"], True)
    if t == "snow_yes": return (r["s2_snow"] > 0.2, True)
    if t == "snow_no": return (r["s2_snow"] < 0.01, True)
    if t == "snow_no_claim": return (r["s2_snow"] < 0.01, True)
    if t == "snow_claim": return (r["s2_snow"] > 0.3, True)
    if t == "cloud_free": return (r["s2_bright"] < 0.01, True)
    if t == "cloud_claim": return (r["s2_bright"] > 0.3, True)
    if t.startswith("vv") or t.startswith("vh") or t.startswith("pass"):
        if not r.get("s1_evidence"): return None
        if t == "vv_between": return (p["a"] <= r["vv_median"] <= p["b"], True)
        if t == "vv_claim_gt": return (r["vv_median"] > p["v"], True)
        if t == "vv_claim_lt": return (r["vv_median"] < p["v"], True)
        if t == "vv_gt_vh": return (r["vv_median"] > r["vh_median"] + 2, True)
        if t == "vh_gt_vv_claim": return (r["vh_median"] > r["vv_median"], True)
        if t in ("pass", "pass_claim"): return (r["s1_pass"] == p["p"], True)
    if t == "date": return ((y, m) == (p["y"], p["m"]), True)
    if t == "date_claim": return (any((y, m) == tuple(a) for a in p["alts"]), True)
    if t == "month": return (m == p["m"], True)
    if t == "season": return (SEASON[m] == p["s"], True)
    if t == "season_claim": return (SEASON[m] in p["s"], True)
    if t == "country": return (r["country"] == p["c"], True)
    if t == "country_claim": return (r["country"] in p["c"], True)
    if t in ("region", "region_claim", "geo"): return "manual"
    if t == "needs_water": return (water(r) > 0.01 or r["s2_water"] > 0.02, True)
    if t == "needs_urban":
        if r.get("lc_evidence"): return (lc(r, "built-up")[1] >= 0.3, True)
        return (r["green_frac"] < 0.5, True)
    return None

problems = []
cnt = collections.Counter()
for line in open("clauses_audit.jsonl"):
    a = json.loads(line); r = T[a["tile_id"]]
    res = ev(r, a["pred"])
    if res == "manual":
        cnt["manual(geography/region table)"] += 1; continue
    if res is None:
        problems.append(("undecided", a)); continue
    val, dec = res
    cnt["checked"] += 1
    if val != a["claim_true"]:
        problems.append(("wrong", a))
    if not a["claim_true"] and a["decidable"] != dec:
        problems.append(("decidable-mismatch", a))
# structural
recs = [json.loads(l) for f in ("dev.jsonl", "test.jsonl") for l in open(f)]
per = collections.defaultdict(collections.Counter)
aud = collections.defaultdict(list)
for line in open("clauses_audit.jsonl"):
    a = json.loads(line); aud[a["caption_id"]].append(a)
for rec in recs:
    per[rec["tile_id"]][rec["label"]] += 1
    cl = aud[rec["caption_id"]]
    if not 2 <= len(cl) <= 5: problems.append(("nclauses", rec))
    nf = sum(not c["claim_true"] for c in cl)
    if rec["label"] == "true" and nf != 0: problems.append(("true-has-false", rec))
    if rec["label"] == "false":
        if nf != 1: problems.append(("false-count", rec))
        if rec["caption"].count(rec["false_clause"]) != 1: problems.append(("substring", rec))
        fc = [c for c in cl if not c["claim_true"]][0]
        if fc["clause"] != rec["false_clause"]: problems.append(("fc-mismatch", rec))
        if rec["false_family"] != "consistency" and any(c["family"] == rec["false_family"] for c in cl if c["claim_true"]):
            problems.append(("same-family-true", rec))
for t, c in per.items():
    if c["false"] != 48 or c["true"] != 20: problems.append(("per-tile", t, dict(c)))
ids = [r["caption_id"] for r in recs]
if len(ids) != len(set(ids)): problems.append(("dup-ids",))
dev = set(json.load(open("split_dev_tiles.json"))["dev_tiles"])
for rec in recs: pass
tst = [json.loads(l) for l in open("test.jsonl")]
if any(r["tile_id"] in dev for r in tst): problems.append(("split-leak",))
print(dict(cnt))
print("test false/true:", sum(r["label"] == "false" for r in tst), sum(r["label"] == "true" for r in tst))
print("problems:", len(problems))
for p in problems[:30]: print(p)
sys.exit(1 if problems else 0)
