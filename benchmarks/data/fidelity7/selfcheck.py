"""Re-checks every clause spec in clauses_audit.jsonl against truth.json, plus caption structure.
evaluate(spec, T) -> 'T' (clearly true), 'F' (clearly false), '?' (too close / not decidable)."""
import json, math, sys, collections

TOWNS = {  # name: (lat, lon)
    "Brandenburg an der Havel": (52.4117, 12.5561), "Berlin": (52.52, 13.405), "Potsdam": (52.39, 13.065),
    "Magdeburg": (52.13, 11.63), "Hamburg": (53.55, 9.99), "Munich": (48.14, 11.58), "Dresden": (51.05, 13.74),
    "Leipzig": (51.34, 12.37), "Rostock": (54.09, 12.14), "Hanover": (52.37, 9.73),
    "Kilkenny": (52.654, -7.244), "New Ross": (52.396, -6.937), "Waterford": (52.259, -7.110),
    "Dublin": (53.35, -6.26), "Cork": (51.90, -8.47), "Galway": (53.27, -9.05), "Belfast": (54.60, -5.93), "Sligo": (54.27, -8.47),
    "Abrantes": (39.463, -8.197), "Lisbon": (38.72, -9.14), "Porto": (41.15, -8.61), "Faro": (37.02, -7.93),
    "Madrid": (40.42, -3.70), "Braga": (41.55, -8.42),
    "Joensuu": (62.601, 29.763), "Helsinki": (60.17, 24.94), "Oulu": (65.01, 25.47), "Rovaniemi": (66.50, 25.73),
    "Tampere": (61.50, 23.76), "Turku": (60.45, 22.27),
    "Grieskirchen": (48.235, 13.830), "Wels": (48.157, 14.027), "Ried im Innkreis": (48.211, 13.489),
    "Vienna": (48.21, 16.37), "Innsbruck": (47.27, 11.39), "Graz": (47.07, 15.44), "Klagenfurt": (46.62, 14.31),
}
# general-geography knowledge (no DEM layer on any tile): generous upper bounds on ground elevation (m)
MAX_ELEV = {"Germany": 150, "Ireland": 400, "Portugal": 400, "Finland": 300, "Austria": 900}
TRUE_REGIONS = {"Germany": {"Brandenburg", "eastern Germany", "north-eastern Germany"},
                "Ireland": {"Leinster", "south-east Ireland", "the south-east of Ireland"},
                "Portugal": {"central Portugal", "the centre of Portugal"},
                "Finland": {"North Karelia", "eastern Finland", "Finnish Karelia"},
                "Austria": {"Upper Austria", "Oberösterreich", "northern Austria"}}

def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))

def share(T, c):
    if c == "water":
        return (T["water_lo"] or 0.0), T["water_hi"]
    if not T["landcover_evidence"]:
        return None, None
    return T["lc_lo"][c], T["lc_hi"][c]

def pos_of(T, c):
    return T["water_pos"] if c == "water" else T["lc_pos"].get(c)

def evaluate(s, T):
    k = s["kind"]
    if k in ("min", "max", "present", "absent", "major", "approx"):
        lo, hi = share(T, s["cls"])
        if lo is None: return "?"
        x = s.get("x", 0)
        if k == "min":
            if lo >= x * 1.25 and lo >= x + 0.02: return "T"
            if hi <= x * 0.6 and hi <= x - 0.03: return "F"
        elif k == "max":
            if hi <= x * 0.75 and hi <= x - 0.02: return "T"
            if lo >= x * 1.5 and lo >= x + 0.04: return "F"
        elif k == "present":
            if lo >= 0.01: return "T"
            if hi <= 0.001: return "F"
        elif k == "absent":
            if hi <= 0.001: return "T"
            if lo >= 0.03: return "F"
        elif k == "major":
            if lo >= 0.6: return "T"
            if hi <= 0.35: return "F"
        elif k == "approx":
            if hi - lo <= 0.03 and abs((lo + hi) / 2 - x) <= max(0.005, 0.25 * x) and lo >= 0.5 * x: return "T"
            if (lo - x >= max(0.12, x)) or (x - hi >= max(0.12, hi)): return "F"
        return "?"
    if k == "pos" and s["cls"] != "water":
        if not T["landcover_evidence"] or s["cls"] not in T["lc_pos_counts"]: return "?"
        xi, xt, ui, uo = T["lc_pos_counts"][s["cls"]][s["dir"]]
        if xt < 0.02 * 16384: return "?"
        if xi / (xt + uo) >= 0.5: return "T"          # mostly inside even if every unmapped pixel outside were this class
        if (xi + ui) / (xt + ui) <= 0.3: return "F"   # mostly outside even if every unmapped pixel inside were this class
        return "?"
    if k == "pos":
        lo, hi = share(T, s["cls"]); p = pos_of(T, s["cls"])
        if lo is None or p is None or lo < 0.02: return "?"
        pi = T.get("water_pos_inter")
        if pi is None: return "?"
        v, vi = p[s["dir"]], pi[s["dir"]]
        if v >= 0.7 and vi >= 0.7: return "T"
        if v <= 0.15 and vi <= 0.15: return "F"
        return "?"
    if k in ("more", "twice"):
        la, ha = share(T, s["a"]); lb, hb = share(T, s["b"])
        if la is None or lb is None: return "?"
        f = 1.5 if k == "more" else 2.0
        if la >= f * hb + 0.03: return "T"
        if k == "more" and lb >= 1.5 * ha + 0.03: return "F"
        if k == "twice" and ha <= lb: return "F"
        return "?"
    if k == "adjacent":
        a, b = sorted([s["a"], s["b"]])
        n = T["lc_adjacency"].get(a + "|" + b, 0)
        if n >= 40: return "T"
        if share(T, "water")[1] <= 0.001 and "water" in (a, b): return "F"
        return "?"
    if k == "lush":
        if T["green_frac"] >= 0.6: return "T"
        if T["green_frac"] <= 0.05 and T["ndvi_mean"] < 0.35: return "F"
        return "?"
    if k == "sparse":
        if T["green_frac"] <= 0.05 and T["ndvi_mean"] < 0.35: return "T"
        if T["green_frac"] >= 0.6: return "F"
        return "?"
    if k == "snow":
        if T["snow_frac"] >= 0.5: return "T"
        if T["snow_frac"] <= 0.003: return "F"
        return "?"
    if k == "nosnow":
        if T["snow_frac"] <= 0.003: return "T"
        if T["snow_frac"] >= 0.3: return "F"
        return "?"
    if k == "month": return "T" if s["m"] == T["month"] else "F"
    if k == "year": return "T" if s["y"] == T["year"] else "F"
    if k == "day": return "T" if (s["y"], s["m"], s["d"]) == (T["year"], T["month"], T["day"]) else "F"
    if k == "season": return "T" if s["s"] == T["season"] else "F"
    if k == "country": return "T" if s["c"] == T["country"] else "F"
    if k == "region": return "T" if s["r"] in TRUE_REGIONS[T["country"]] else "F"
    if k == "near":
        d = km((T["lat"], T["lon"]), TOWNS[s["town"]])
        return "T" if d <= 25 else ("F" if d >= 120 else "?")
    if k == "sar_vv":
        if not T["sar_evidence"]: return "?"
        vv = [v for n, v in T["sar"].items() if n.startswith("VV")][0]
        if abs(vv - s["x"]) <= 1.5: return "T"
        if abs(vv - s["x"]) >= 6: return "F"
        return "?"
    if k == "sar_vh_weaker":
        if not T["sar_evidence"]: return "?"
        vv = [v for n, v in T["sar"].items() if n.startswith("VV")][0]
        vh = [v for n, v in T["sar"].items() if n.startswith("VH")][0]
        d = vv - vh
        want = s.get("vh_weaker", True)
        if d >= 3: return "T" if want else "F"
        if d <= -3: return "F" if want else "T"
        return "?"
    if k == "elev_min":  # general geography only
        return "F" if s["x"] >= 2 * MAX_ELEV[T["country"]] else "?"
    if k == "steep":
        return "F"  # none of these tiles lies in steep terrain (lowlands / gentle hills)
    if k == "canopy_min":
        return "F" if s["x"] >= 70 else "?"
    if k == "coast":
        return "F"  # all tiles are inland (>8 km from any sea coast)
    raise ValueError(k)

DECIDE = {"min": "lc", "max": "lc", "present": "lc", "absent": "lc", "major": "lc", "approx": "lc", "pos": "lc",
          "more": "lc", "twice": "lc", "adjacent": "lc", "lush": "s2", "sparse": "s2", "snow": "s2", "nosnow": "s2",
          "month": "meta", "year": "meta", "day": "meta", "season": "meta", "country": "meta", "region": "meta",
          "near": "meta", "sar_vv": "s1", "sar_vh_weaker": "s1", "elev_min": "dem", "steep": "dem",
          "canopy_min": "canopy", "coast": "water"}

def decided_by_layers(s, T):
    need = DECIDE[s["kind"]]
    if need == "meta": return True
    if need == "s2": return T["s2_evidence"]
    if need == "s1": return T["sar_evidence"]
    if need == "dem": return T["aster_evidence"]
    if need == "canopy": return T["canopy_height_evidence"]
    if need == "water": return T["s2_evidence"] and T["water_hi"] < 0.02
    # lc-type: water-only specs decided by S2/water layers, others need a landcover layer at this place
    clss = [s.get("cls"), s.get("a"), s.get("b")]
    clss = [c for c in clss if c]
    for c in clss:
        if c == "water":
            if not T["s2_evidence"]: return False
        elif not T["landcover_evidence"]:
            return False
    return True

def main():
    truth = json.load(open("truth.json"))
    bad = 0; n = 0
    for line in open("clauses_audit.jsonl"):
        r = json.loads(line); T = truth[r["tile_id"]]; n += 1
        v = evaluate(r["spec"], T)
        exp = "T" if r["truth"] else "F"
        if v != exp:
            bad += 1; print("MISMATCH", r["caption_id"], r["text"], r["spec"], v)
        if not r["truth"]:
            dl = decided_by_layers(r["spec"], T)
            if dl != r["decidable"]:
                bad += 1; print("DECIDABLE MISMATCH", r["caption_id"], r["text"], dl)
        elif not decided_by_layers(r["spec"], T):
            bad += 1; print("TRUE CLAUSE NOT DECIDABLE", r["caption_id"], r["text"])
    caps = [json.loads(l) for fn in ("dev.jsonl", "test.jsonl") for l in open(fn)]
    per = collections.Counter(); ids = set()
    for c in caps:
        assert c["caption_id"] not in ids; ids.add(c["caption_id"])
        per[(c["tile_id"], c["label"])] += 1
        if c["label"] == "false":
            if c["caption"].count(c["false_clause"]) != 1:
                bad += 1; print("FALSE CLAUSE NOT UNIQUE", c["caption_id"])
    for (t, l), k in per.items():
        if k != (48 if l == "false" else 20):
            bad += 1; print("COUNT", t, l, k)
    aud = collections.Counter()
    for line in open("clauses_audit.jsonl"):
        r = json.loads(line); aud[(r["caption_id"], r["truth"])] += 1
    for c in caps:
        nf = aud[(c["caption_id"], False)]; nt = aud[(c["caption_id"], True)]
        if c["label"] == "false" and nf != 1: bad += 1; print("NFALSE", c["caption_id"], nf)
        if c["label"] == "true" and nf != 0: bad += 1; print("TRUE HAS FALSE", c["caption_id"])
        if not 2 <= nf + nt <= 5: bad += 1; print("NCLAUSES", c["caption_id"], nf + nt)
    dev = {c["tile_id"] for c in caps if c["caption_id"].startswith("dev")}
    test = {c["tile_id"] for c in caps if c["caption_id"].startswith("test")}
    if dev & test: bad += 1; print("SPLIT LEAK", dev & test)
    print("clauses checked:", n, "captions:", len(caps), "problems:", bad)
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
