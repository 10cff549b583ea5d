"""Compose planted-claim captions from truth.json. Deterministic (seed 20261129)."""
import json, random, hashlib
import os
HERE = os.path.dirname(os.path.abspath(__file__))  # paths relative to this folder (lead's edit)
R = random.Random(20261129)
T = json.load(open(os.path.join(HERE, "truth.json")))
FAM = ["landcover_share", "landcover_presence", "dominance", "water", "elevation", "slope", "terrain",
       "canopy_height", "vegetation", "sar", "place", "date", "position", "comparison", "consistency"]
NAMES = {"tree": ["woodland", "forest", "tree cover", "trees", "wooded land"],
         "shrub": ["shrubland", "scrub", "bushland", "shrubs"],
         "grass": ["grassland", "meadow", "grass", "pasture and grass"],
         "crop": ["cropland", "farmland", "arable fields", "crop fields", "agricultural land"],
         "built": ["built-up area", "buildings and roads", "settlement", "urban fabric", "built-up land"],
         "wetland": ["wetland", "marshland", "reed swamp", "wet meadows and marsh"]}
QW = {"northwest": ["northwest", "NW", "north-western", "top-left"], "northeast": ["northeast", "NE", "north-eastern", "top-right"],
      "southwest": ["southwest", "SW", "south-western", "bottom-left"], "southeast": ["southeast", "SE", "south-eastern", "bottom-right"]}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
SEASON = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer",
          9: "autumn", 10: "autumn", 11: "autumn"}
NUMW = {5: "five", 10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty-five", 30: "thirty", 35: "thirty-five", 40: "forty",
        45: "forty-five", 50: "fifty", 60: "sixty", 70: "seventy", 75: "seventy-five", 80: "eighty", 90: "ninety"}
def c(*a): return R.choice(a)
def nm(k): return R.choice(NAMES[k])
def pct(v):
    """v in percent (int)."""
    f = R.random()
    if f < 0.35: return f"{v}%"
    if f < 0.55: return f"{v} percent"
    if f < 0.7: return f"{v} %"
    if f < 0.8 and v in NUMW: return f"{NUMW[v]} percent"
    if f < 0.9: return f"{v} per cent"
    return f"{v} pct"
def cap1(s): return s[0].upper() + s[1:]

# ---------- clause generators: each returns list of (text, truth_bool, decidable, meta) ----------
def g_share(t):
    out = []
    if not t.get("lc_evidence"): return out
    for k, s in t["lc_share"].items():
        if k not in NAMES: continue
        v = round(s * 100)
        if s >= 0.03:
            for _ in range(3):
                a = max(1, v + R.choice([-2, -1, 0, 1, 2]))
                out.append((c(f"{nm(k)} covers about {pct(a)} of the scene", f"roughly {pct(a)} of the tile is {nm(k)}",
                              f"{nm(k)} makes up around {pct(a)} of the area", f"approx. {pct(a)} {nm(k)}",
                              f"{nm(k)} share ≈ {pct(a)}", f"the {nm(k)} fraction is close to {pct(a)}"), True, True, {"cls": k}))
            hi = min(95, ((v + 8) // 5 + 1) * 5)
            out.append((c(f"{nm(k)} accounts for less than {pct(hi)} of the tile", f"under {pct(hi)} of the area is {nm(k)}"), True, True, {"cls": k}))
        if s < 0.5:
            for d in (16, 20, 30, 40, 55):
                f = v + d
                if f > 95: continue
                out.append((c(f"{nm(k)} covers about {pct(f)} of the scene", f"roughly {pct(f)} of the tile is {nm(k)}",
                              f"around {pct(f)} {nm(k)}", f"{nm(k)} takes up some {pct(f)} of the image",
                              f"{nm(k)} accounts for more than {pct(f)} of the tile", f"at least {pct(f)} of the area is {nm(k)}"), False, True, {"cls": k}))
        if v >= 18:
            f = max(1, v - R.choice([16, 17, 20]))
            if s * 100 - f >= 15:
                out.append((c(f"{nm(k)} covers only about {pct(f)} of the tile", f"barely {pct(f)} of the area is {nm(k)}",
                              f"{nm(k)} is under {pct(f)} of the scene"), False, True, {"cls": k}))
    return out

def g_presence(t):
    out = []
    geo_false = ["mangrove forest", "tundra moss and lichen", "a glacier", "sand dunes", "palm plantations"]
    for g in geo_false:
        out.append((c(f"there is {g} in the scene", f"{g} is visible", f"the tile contains {g}", f"includes patches of {g}"), False, True, {}))
    out.append((c("no mangroves appear anywhere", "there are no mangroves", "zero mangrove cover"), True, True, {}))
    if t.get("lc_evidence"):
        for k, s in t["lc_share"].items():
            if k in NAMES and s >= 0.03:
                out.append((c(f"some {nm(k)} is present", f"the scene includes {nm(k)}", f"there is {nm(k)} in the tile",
                              f"{nm(k)} can be found here", f"patches of {nm(k)} occur"), True, True, {"cls": k}))
                out.append((c(f"there is no {nm(k)} at all", f"the tile has no {nm(k)}", f"{nm(k)} is completely absent",
                              f"zero {nm(k)} in the scene"), False, True, {"cls": k}))
    if t["snow_frac"] == 0:
        out.append((c("the ground is snow-covered", "a blanket of snow covers the fields", "there is snow lying on most of the ground"), False, True, {}))
        out.append((c("no snow is visible", "there's no snow on the ground", "snow-free"), True, True, {}))
    elif t["snow_frac"] > 0.4:
        out.append((c("snow covers much of the ground", "a lot of the surface is snow-covered"), True, True, {}))
        out.append((c("no snow anywhere in the scene", "completely snow-free"), False, True, {}))
    return out

def g_dom(t):
    out = []
    if not t.get("lc_evidence") or not t.get("dominant"): return out
    d = t["dominant"]; sh = t["lc_share"]
    out.append((c(f"{nm(d)} is the main mapped land cover", f"the largest mapped class is {nm(d)}", f"dominated by {nm(d)} among the labelled classes",
                  f"mostly {nm(d)} where land use is mapped", f"{nm(d)} is the dominant mapped class"), True, True, {}))
    for k, s in sh.items():
        if k in NAMES and k != d and sh[d] - s >= 0.10:
            out.append((c(f"{nm(k)} is the main mapped land cover", f"the largest mapped class is {nm(k)}", f"dominated by {nm(k)}",
                          f"the landscape is mostly {nm(k)}", f"{nm(k)} is the dominant class"), False, True, {}))
    return out

def g_water(t):
    out = []; img = t["ndwi_water_frac"]; osm = t.get("jrc_water_frac", 0.0) or 0.0
    wmax = max(img, osm)
    if t["snow_frac"] > 0.1:  # snow/ice confounds the water index: only the geography clause
        return [(c("the coastline of the open sea is visible", "waves of the ocean shore are visible"), False, True, {"note": "inland tile"})]
    if wmax >= 0.02:
        out.append((c("there is water in the scene", "some open water is visible", "a water body is present", "includes surface water"), True, True, {}))
        out.append((c("there is no water anywhere", "no water bodies are visible", "completely dry, no open water"), False, True, {}))
        if osm >= 0.01:
            out.append((c("the water is inland lake or river water", "the water belongs to inland lakes/rivers"), True, True, {}))
    if img < 0.0005 and osm == 0 and t["origins"]["sentinel2"] != "absent":
        out.append((c("no open water is visible", "there is no water body in the tile", "no lakes or rivers"), True, True, {}))
        out.append((c("a lake occupies part of the tile", "there is a river crossing the scene", "open water is clearly visible"), False, True, {}))
    out.append((c("the coastline of the open sea is visible", "waves of the ocean shore are visible", "a sea beach runs along the edge"), False, True, {"note": "inland tiles"}))
    hi = max(img, osm); lo = min(img, osm)
    if hi < 0.05:
        out.append((c(f"water covers less than {pct(10)} of the tile", "water is only a tiny part of the scene"), True, True, {}))
    if lo >= 0.30 or img >= 0.30:
        out.append((c("a large part of the tile is water", f"water covers well over {pct(20)} of the image"), True, True, {}))
    for f in (30, 50, 70):
        if f / 100 - hi >= 0.15:
            out.append((c(f"about {pct(f)} of the tile is open water", f"water covers roughly {pct(f)} of the scene", f"more than {pct(f)} water"), False, True, {}))
    return out

def g_elev(t):
    bb = t["group"] == "bb"
    out = [(c("peaks rise above 2,500 m", "elevations exceed 3000 m above sea level", "high alpine summits over 2500 m", "the terrain reaches 2.8 km altitude"), False, False, {})]
    if bb:
        out.append((c("elevation is low, well under 100 m a.s.l.", "it's low-lying land, below 100 m", "low elevation (< 100 m)"), True, False, {}))
        out.append((c("the terrain sits above 800 m", "elevation around 1,200 metres", "an upland plateau at about 900 m"), False, False, {}))
    return out

def g_slope(t):
    out = [(c("slopes exceed 40 degrees across most of the tile", "very steep cliffs everywhere (> 45°)", "mostly precipitous slopes over 35 degrees"), False, False, {})]
    if t["group"] == "bb":
        out.append((c("slopes are gentle, mostly under 5 degrees", "nearly flat, slopes below 5°"), True, False, {}))
    return out

def g_terrain(t):
    out = [(c("rugged high-mountain terrain", "an alpine landscape with sharp ridges", "glaciated mountain valleys"), False, False, {})]
    if t["group"] == "bb":
        out.append((c("flat lowland terrain", "a flat glacial lowland", "the relief is flat"), True, False, {}))
        out.append((c("a deep canyon cuts through the tile", "volcanic cones dominate the relief"), False, False, {}))
    return out

def g_canopy(t):
    out = [(c("trees reach heights of over 90 m", "canopy heights above 100 metres", "giant trees taller than 95 m"), False, False, {})]
    out.append((c("no tree here is taller than 80 m", "canopy stays under 80 m"), True, False, {}))
    return out

def g_veg(t):
    out = []; m = t["ndvi_mean"]; hi = t["ndvi_gt05"]
    if m < 0.35:
        out.append((c(f"mean NDVI is below 0.4", "vegetation looks dormant or sparse", "low greenness overall",
                      f"average NDVI around {m:.2f}" if abs(m) > 0.05 else "NDVI mean near zero"), True, True, {}))
        out.append((c("lush, vigorous green vegetation with NDVI above 0.7", "mean NDVI is about 0.8", "dense green crops in full growth"), False, True, {}))
    if m > 0.55:
        out.append((c("vegetation is green and vigorous", f"mean NDVI exceeds 0.5", "healthy, dense vegetation", f"NDVI averages about {m:.1f}"), True, True, {}))
        out.append((c("vegetation is almost absent, NDVI below 0.1", "the land is bare with barely any green", "mean NDVI near zero"), False, True, {}))
    if t["bright_frac"] == 0:
        out.append((c("the image is cloud-free", "no clouds obscure the scene", "clear sky"), True, True, {}))
        out.append((c("thick clouds cover most of the image", "heavily clouded, ground barely visible"), False, True, {}))
    return out

def g_sar(t):
    out = []
    vv = [v for k, v in t.items() if k.startswith("s1_VV") and k.endswith("mean_db")]
    vh = [v for k, v in t.items() if k.startswith("s1_VH") and k.endswith("mean_db")]
    if not vv: return out
    vv, vh = vv[0], vh[0]
    out.append((c(f"Sentinel-1 VV backscatter averages about {vv:.0f} dB", f"mean VV ≈ {vv:.1f} dB", f"VV around {vv:.0f} dB on average"), True, True, {}))
    out.append((c(f"VH averages roughly {vh:.0f} dB", f"mean VH backscatter of about {vh:.1f} dB"), True, True, {}))
    out.append((c("VV is stronger than VH", "co-pol (VV) returns exceed cross-pol (VH)"), True, True, {}))
    out.append((c("VH backscatter is stronger than VV", "cross-pol exceeds co-pol on average"), False, True, {}))
    for d in (7, -7, 9):
        out.append((c(f"mean VV backscatter is about {vv + d:.0f} dB", f"VV averages {vv + d:.0f} dB"), False, True, {}))
    out.append((c(f"VH averages around {vh + 8:.0f} dB", f"mean VH is about {vh - 8:.0f} dB"), False, True, {}))
    return out

PLACE = {
 "bb": {"country": "Germany", "true": ["in Brandenburg, Germany", "in eastern Germany", "west of Berlin", "in the German state of Brandenburg",
        "near Brandenburg an der Havel", "in the Havel lake district", "in north-east Germany's lowlands"],
        "false": ["in Bavaria", "near Munich", "in Poland", "in the Netherlands", "in Saxony near Dresden", "in the Black Forest",
                  "in Lower Saxony near Hanover", "in Austria", "in Denmark", "near Hamburg on the Elbe estuary", "in the Czech Republic"]},
 "ben-36_85": {"country": "Ireland", "true": ["in Ireland", "in south-east Ireland", "in the Republic of Ireland"],
               "false": ["in Scotland", "in Wales", "in Northern Ireland", "in France", "in Germany", "in western Ireland's Connemara"]},
 "ben-4_55": {"country": "Ireland", "true": ["in Ireland", "in the Republic of Ireland", "in southern Ireland"],
              "false": ["in Scotland", "in England", "in Northern Ireland near Belfast", "in Brittany, France", "in Germany"]},
 "ben-56_35": {"country": "Portugal", "true": ["in Portugal", "in central Portugal", "on the Iberian Peninsula"],
               "false": ["in Spain", "in Italy", "in northern Portugal near Porto", "in Morocco", "in France", "in the Algarve"]},
 "ben-57_38": {"country": "Finland", "true": ["in Finland", "in eastern Finland", "in the Nordic countries"],
               "false": ["in Sweden", "in Norway", "in Estonia", "in Lapland near the Arctic coast", "in southern Germany", "in Russia near Moscow"]},
 "ben-69_24": {"country": "Finland", "true": ["in Finland", "in eastern Finland", "in the Finnish lakeland"],
               "false": ["in Sweden", "in Norway", "in Estonia", "in Poland", "in Denmark", "in Latvia"]},
 "ben-87_48": {"country": "Austria", "true": ["in Austria", "in Upper Austria", "north of the Alps in Austria"],
               "false": ["in Switzerland", "in Tyrol high in the Alps", "in Hungary", "in Slovenia", "in Vienna city", "in Italy"]},
}
def g_place(t):
    p = PLACE["bb"] if t["group"] == "bb" else PLACE[t["tile_id"]]
    assert t["country"] == p["country"]
    out = []
    for s in p["true"]:
        out.append((c(f"the tile lies {s}", f"located {s}", f"this is {s}", f"somewhere {s}", f"taken {s}"), True, True, {}))
    for s in p["false"]:
        out.append((c(f"the tile lies {s}", f"located {s}", f"this is {s}", f"somewhere {s}", f"taken {s}"), False, True, {}))
    return out

def g_date(t):
    y, mo, d = map(int, t["date"].split("-")); out = []
    M = MONTHS[mo - 1]; S = SEASON[mo]
    out += [(c(f"acquired in {M} {y}", f"imaged on {t['date']}", f"captured {d} {M} {y}", f"date: {mo:02d}/{d:02d}/{y}",
               f"a {S} scene", f"taken in {S} {y}" if mo != 12 else f"an early-{S} image", f"photographed in {M}", f"{M[:3]} {y} acquisition",
               f"acquired {d}.{mo}.{y}"), True, True, {}) for _ in range(4)]
    for dm in (3, 4, 5, 6, -3, -4):
        m2 = (mo - 1 + dm) % 12 + 1
        out.append((c(f"acquired in {MONTHS[m2 - 1]} {y}", f"captured in {MONTHS[m2 - 1]}", f"imaged on {y}-{m2:02d}-{min(d, 28):02d}"), False, True, {}))
    opp = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}[S]
    out.append((c(f"a {opp} scene", f"taken in high {opp}", f"{opp} imagery"), False, True, {}))
    for dy in (-3, 4, 6):
        out.append((c(f"acquired in {M} {y + dy}", f"from {y + dy}", f"a {y + dy} image"), False, True, {}))
    return out

def g_pos(t):
    out = []
    if not t.get("lc_evidence"): return out
    for k, p in t["lc_pos"].items():
        if k not in NAMES or p["n"] < 1200: continue
        q = p["quad"]; n = p["n"]
        for qq, v in q.items():
            if v / n >= 0.5:
                out.append((c(f"most of the {nm(k)} lies in the {R.choice(QW[qq])} quarter", f"{nm(k)} concentrates in the {R.choice(QW[qq])} part",
                              f"the {nm(k)} is mainly in the {R.choice(QW[qq])}"), True, True, {}))
            if v / n <= 0.05:
                out.append((c(f"most of the {nm(k)} lies in the {R.choice(QW[qq])} quarter", f"{nm(k)} concentrates in the {R.choice(QW[qq])} part",
                              f"the {nm(k)} is mainly in the {R.choice(QW[qq])}"), False, True, {}))
        e = p["edge"]
        for a, b in (("north", "south"), ("south", "north"), ("east", "west"), ("west", "east")):
            if e[a] / n >= 0.8:
                out.append((c(f"the {nm(k)} sits in the {a}ern half", f"{nm(k)} mostly on the {a} side"), True, True, {}))
            if e[a] / n <= 0.1:
                out.append((c(f"the {nm(k)} sits in the {a}ern half", f"{nm(k)} mostly on the {a} side", f"{nm(k)} is concentrated in the {a}"), False, True, {}))
    return out

def g_cmp(t):
    out = []
    if t.get("lc_evidence"):
        sh = {k: v for k, v in t["lc_share"].items() if k in NAMES}
        ks = list(sh)
        for a in ks:
            for b in ks:
                if a != b and sh[a] - sh[b] >= 0.08:
                    out.append((c(f"there is more {nm(a)} than {nm(b)}", f"{nm(a)} exceeds {nm(b)}", f"{nm(b)} is less extensive than {nm(a)}"), True, True, {}))
                    out.append((c(f"there is more {nm(b)} than {nm(a)}", f"{nm(b)} exceeds {nm(a)}", f"{nm(a)} is less extensive than {nm(b)}"), False, True, {}))
    vv = [v for k, v in t.items() if k.startswith("s1_VV") and k.endswith("mean_db")]
    if vv:
        out.append((c("the VV channel is brighter than VH", "VV returns are higher than VH ones"), True, True, {}))
        out.append((c("the VH channel is brighter than VV", "VH returns are higher than VV ones"), False, True, {}))
    return out

def g_cons(t):
    """Self-contradiction pairs: (true anchor, false contradiction)."""
    out = []
    if t.get("lc_evidence"):
        for k, s in t["lc_share"].items():
            if k in NAMES and s >= 0.05:
                n = nm(k)
                out.append(((c(f"{n} is present", f"there is some {n}"), c(f"yet there is no {n} anywhere", f"though {n} is entirely absent"))))
    wmax = max(t["ndwi_water_frac"], t.get("jrc_water_frac", 0) or 0)
    if wmax >= 0.02 and t["snow_frac"] <= 0.1:
        out.append(("there is water in the scene", c("but no water appears anywhere", "although the tile is completely dry")))
    y, mo, d = map(int, t["date"].split("-"))
    out.append((f"acquired in {MONTHS[mo-1]}", c(f"and also acquired in {MONTHS[(mo+5)%12]}", f"the image dates from {MONTHS[(mo+5)%12]} too")))
    return out

GEN = {"landcover_share": g_share, "landcover_presence": g_presence, "dominance": g_dom, "water": g_water, "elevation": g_elev,
       "slope": g_slope, "terrain": g_terrain, "canopy_height": g_canopy, "vegetation": g_veg, "sar": g_sar, "place": g_place,
       "date": g_date, "position": g_pos, "comparison": g_cmp}

STYLES = ["plain", "alt_text", "gis_note", "chatbot", "tweet", "nonnative", "terse_list", "dataset_caption"]
def join(style, clauses):
    cl = list(clauses)
    if style == "plain":
        return " ".join(cap1(x) + "." for x in cl)
    if style == "alt_text":
        return "Satellite image: " + "; ".join(cl) + "."
    if style == "gis_note":
        return "Tile note — " + " | ".join(cl)
    if style == "chatbot":
        return "Sure! Here's what I see in this satellite tile: " + ". ".join(cap1(x) for x in cl) + ". Let me know if you need more detail."
    if style == "tweet":
        return "New #Sentinel2 tile 🛰️ " + " · ".join(cl) + " #EarthObservation"
    if style == "nonnative":
        return "In this image we can see that " + ", and also ".join(cl) + "."
    if style == "terse_list":
        return "; ".join(cl)
    if style == "dataset_caption":
        return "An aerial view: " + ", ".join(cl) + "."

SEEN = set()
def build():
    recs, audit = [], []
    tiles = sorted(T)
    pools = {}
    for tid in tiles:
        t = T[tid]; p = {f: GEN[f](t) for f in GEN}
        p["consistency"] = g_cons(t)
        pools[tid] = p
    cid = 0
    for tid in tiles:
        p = pools[tid]
        trues = [(f, x) for f, lst in p.items() if f != "consistency" for x in lst if x[1]]
        ffams = [f for f in FAM if (f == "consistency" and p[f]) or any(not x[1] for x in p.get(f, []))]
        nf = 48; nt = 20
        for i in range(nf + nt):
            is_false = i < nf
            style = STYLES[cid % len(STYLES)]
            for attempt in range(50):
                k = R.randint(2, 5)
                if is_false:
                    fam = ffams[i % len(ffams)]
                    if fam == "consistency":
                        anc, fc = R.choice(p[fam]); fclause = (fc, False, True)
                        others = [("consistency", (anc, True, True))]
                    else:
                        fclause = R.choice([x for x in p[fam] if not x[1]]); others = []
                    pool = [x for x in trues if x[0] != fam]
                    others += R.sample(pool, min(len(pool), k - 1 - len(others)))
                    cl = others + [(fam, fclause)]
                    R.shuffle(cl)
                    if fam == "consistency":  # anchor must precede contradiction
                        ia = next(j for j, x in enumerate(cl) if x[0] == "consistency" and x[1][1])
                        ib = next(j for j, x in enumerate(cl) if not x[1][1])
                        if ia > ib: cl[ia], cl[ib] = cl[ib], cl[ia]
                else:
                    fam = None
                    cl = R.sample(trues, min(len(trues), k))
                texts = [x[1][0] for x in cl]
                if len(set(texts)) < len(texts): continue
                cap = join(style, texts)
                if cap in SEEN: continue
                if is_false:
                    fc = fclause[0]
                    cf = fc if cap.count(fc) == 1 else None
                    # the exact substring as it appears (plain style capitalises first letter)
                    if cf is None and cap.count(cap1(fc)) == 1: cf = cap1(fc)
                    if cf is None: continue
                    # no other clause may contain the false clause text
                    if sum(fc.lower() in x.lower() for x in texts) != 1: continue
                break
            else:
                continue
            SEEN.add(cap)
            cid += 1
            capid = f"f4-{cid:05d}"
            rec = {"caption_id": capid, "tile_id": tid, "caption": cap, "label": "false" if is_false else "true",
                   "false_clause": cf if is_false else None, "false_family": fam, "decidable": fclause[2] if is_false else True, "style": style}
            recs.append(rec)
            pos = 0
            for f, x in cl:
                txt = x[0]; j = cap.find(txt, pos)
                if j < 0: j = cap.find(cap1(txt), pos)
                audit.append({"caption_id": capid, "tile_id": tid, "family": f, "clause": txt, "start": j, "end": j + len(txt),
                              "clause_true": x[1], "decidable": x[2]})
                if j >= 0: pos = j + len(txt)
    return recs, audit

recs, audit = build()
tiles = sorted(T)
order = sorted(tiles, key=lambda x: hashlib.md5(x.encode()).hexdigest())
dev_t = set([x for x in order if x.startswith("bb")][:13] + [x for x in order if x.startswith("ben")][:2])
with open(os.path.join(HERE, "dev.jsonl"), "w") as fd, open(os.path.join(HERE, "test.jsonl"), "w") as ft:
    for r in recs:
        (fd if r["tile_id"] in dev_t else ft).write(json.dumps(r, ensure_ascii=False) + "\n")
with open(os.path.join(HERE, "clauses_audit.jsonl"), "w") as fa:
    for a in audit: fa.write(json.dumps(a, ensure_ascii=False) + "\n")
json.dump(sorted(dev_t), open(os.path.join(HERE, "split_dev_tiles.json"), "w"))
print(len(recs), len(audit))
