"""Independent re-judgement of every clause TEXT in clauses_audit.jsonl against truth.json.
Parses numbers/classes/months/countries out of the wording (not the generator's metadata) and
flags any clause whose re-judged truth disagrees with its recorded truth. Also checks records."""
import json, re, sys
import os
HERE = os.path.dirname(os.path.abspath(__file__))  # paths relative to this folder (lead's edit)
T = json.load(open(os.path.join(HERE, "truth.json")))
A = [json.loads(l) for l in open(os.path.join(HERE, "clauses_audit.jsonl"))]
CL = {"tree": r"wood|forest|tree cover|trees\b", "shrub": r"shrub|scrub|bush", "grass": r"grass|meadow",
      "crop": r"crop|farm|arable|agricultural", "built": r"built|buildings|settlement|urban", "wetland": r"wetland|marsh|swamp",
      "water": r"open water|water surface|^water\b"}
MON = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
NUMW = {"five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty-five": 25, "thirty": 30, "thirty-five": 35, "forty": 40,
        "forty-five": 45, "fifty": 50, "sixty": 60, "seventy": 70, "seventy-five": 75, "eighty": 80, "ninety": 90}
COUNTRY = ["Germany", "Ireland", "Portugal", "Finland", "Austria", "Poland", "Netherlands", "Denmark", "Czech", "Scotland", "Wales",
           "England", "France", "Spain", "Italy", "Morocco", "Sweden", "Norway", "Estonia", "Russia", "Latvia", "Switzerland", "Hungary", "Slovenia"]
def pct_of(s):
    m = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent|per cent|pct)", s)
    if m: return float(m.group(1))
    m = re.search(r"(0\.\d\d) of the tile", s)
    if m: return float(m.group(1)) * 100
    for w, v in sorted(NUMW.items(), key=lambda x: -len(x[0])):
        if re.search(rf"\b{w} percent", s): return v
    return None
def classes_in(s):
    return [k for k, p in CL.items() if re.search(p, s)]
def judge(a):
    t = T[a["tile_id"]]; s = a["clause"].lower(); f = a["family"]
    if f == "landcover_share":
        ks = [k for k in classes_in(s) if k != "water"] or classes_in(s)
        v = pct_of(s)
        if len(ks) != 1 or v is None: return None
        tr = t["lc_share"][ks[0]] * 100
        if re.search(r"less than|under|barely|only", s):
            if "only" in s or "barely" in s:  # "only about X" -> approx claim
                return abs(tr - v) <= 5
            return tr < v
        if re.search(r"more than|at least", s): return tr >= v
        if abs(tr - v) <= 5: return True
        if abs(tr - v) >= 15: return False
        return "unsure"
    if f == "sar":
        m = re.search(r"(-?\d+(?:\.\d)?) db", s)
        if "stronger than vh" in s or "exceed cross" in s: return True
        if "stronger than vv" in s or "cross-pol exceeds" in s: return False
        if not m: return None
        v = float(m.group(1)); pol = "VH" if "vh" in s else "VV"
        tr = [x for k, x in t.items() if k.startswith("s1_" + pol) and k.endswith("mean_db")][0]
        return True if abs(v - tr) <= 1.5 else (False if abs(v - tr) >= 5 else "unsure")
    if f == "date" or (f == "consistency" and "acquired" in s and "month" not in s and any(m in s for m in MON)):
        y, mo, d = map(int, t["date"].split("-"))
        ys = re.findall(r"(20\d\d)", s)
        if any(int(x) != y for x in ys): return False
        iso = re.search(r"(20\d\d)-(\d\d)-(\d\d)", s)
        if iso: return int(iso.group(2)) == mo and int(iso.group(3)) == d
        ms = [i + 1 for i, m in enumerate(MON) if m in s or re.search(rf"\b{m[:3]}\b", s)]
        if ms: return ms[0] == mo
        md = re.search(r"(\d\d)/(\d\d)/(\d{4})", s) or re.search(r"(\d+)\.(\d+)\.(\d{4})", s)
        if md:
            a1, b1 = int(md.group(1)), int(md.group(2))
            return (a1, b1) in ((mo, d), (d, mo))
        seas = {"winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11)}
        for k, v in seas.items():
            if k in s: return mo in v
        return None
    if f == "place":
        cs = [c for c in COUNTRY if c.lower() in s]
        if cs: return cs[0] == t["country"] and not re.search(r"lapland|connemara|algarve|porto|tyrol|vienna|moscow|hamburg|belfast|northern ireland", s)
        if re.search(r"bavaria|munich|saxony|black forest", s): return False
        if re.search(r"brandenburg|berlin|havel", s): return t["group"] == "bb"
        return None
    if f == "vegetation":
        m = re.search(r"ndvi[^0-9-]*(-?\d\.\d+)", s)
        if "cloud" in s: return ("free" in s or "no cloud" in s) and t["bright_frac"] == 0 or (("thick" in s or "heavily" in s) and t["bright_frac"] > 0.5)
        if m:
            v = float(m.group(1)); tm = t["ndvi_mean"]
            if "below" in s: return tm < v
            if "exceed" in s or "above" in s: return tm > v
            return abs(tm - v) <= 0.1
        return None
    if f == "water":
        w = max(t["ndwi_water_frac"], t.get("jrc_water_frac") or 0)
        if re.search(r"sea|ocean", s): return False
        if re.search(r"\bno\b|dry", s): return t["ndwi_water_frac"] < 0.0005 and not (t.get("jrc_water_frac") or 0)
        if "tiny" in s: return w < 0.05
        v = pct_of(s)
        if v is not None:
            if "less than" in s: return w * 100 < v
            if "over" in s: return t["ndwi_water_frac"] * 100 > v
            return False if v - w * 100 >= 15 else "unsure"
        return w >= 0.02 if re.search(r"water|lake|river", s) else None
    if f in ("elevation", "slope", "terrain", "canopy_height"):
        nums = [float(x.replace(",", "")) * (1000 if u.strip() == "km" else 1) for x, u in re.findall(r"(\d[\d,\.]*)\s*(km)?", s)]
        if f == "elevation": return all(n < 150 for n in nums) if nums and t["group"] == "bb" else (False if nums and max(nums) > 2000 else None)
        if f == "slope": return max(nums) < 10 if nums else None
        if f == "canopy_height":
            neg = "no tree" in s or "under" in s
            return (max(nums) >= 60) if neg else (max(nums) <= 60)
        return bool(re.search(r"flat", s)) and t["group"] == "bb"
    return None
def main():
    flags, judged = [], 0
    for a in A:
        r = judge(a)
        if r is None: continue
        judged += 1
        if r == "unsure" or r != a["clause_true"]:
            flags.append((a["caption_id"], a["family"], a["clause"], r, a["clause_true"]))
    # record checks
    bad = 0
    for fn in ("dev.jsonl", "test.jsonl"):
        for l in open(os.path.join(HERE, fn)):
            r = json.loads(l)
            if r["label"] == "false":
                if r["caption"].count(r["false_clause"]) != 1: bad += 1
            elif r["false_clause"] is not None or r["decidable"] is not True: bad += 1
    print(f"clauses: {len(A)}, re-judged: {judged}, flagged: {len(flags)}, record problems: {bad}")
    import collections
    print(collections.Counter((f[1], f[2]) for f in flags).most_common(30))
    for f in flags[:10]: print("FLAG", f)
    return 1 if flags or bad else 0
if __name__ == "__main__":
    sys.exit(main())
