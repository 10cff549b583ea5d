"""compose.py - deterministic (seed 20261130) planted-claim caption set from truth.json.
Outputs dev.jsonl, test.jsonl, clauses_audit.jsonl, split_dev_tiles.json."""
import json, random, re
from rules import evaluate, DECIDABLE_BY_LAYER
from geo_tables import TOWNS, km, stratum, REGION_TRUE, REGION_FALSE, COUNTRY_FALSE, GEO

SEED = 20261130
HA = 163.84  # tile area in hectares (1280 m x 1280 m)
NAMES = {"trees": ["trees", "woodland", "forest", "tree cover", "wooded land", "forest stands"],
         "grass": ["grassland", "meadows", "pasture", "grass cover", "rough grassland"],
         "crops": ["cropland", "arable fields", "farmland", "cultivated fields", "crop fields", "ploughed fields"],
         "shrub": ["shrubland", "scrub", "bushes", "shrubby vegetation", "scrubland"],
         "built": ["built-up land", "buildings", "settlement", "built-up area", "houses and roads", "urban fabric"],
         "flooded_vegetation": ["wetland", "reed beds", "marshy vegetation", "flooded vegetation", "swampy ground"],
         "bare": ["bare ground", "bare soil"]}
HALF = {"north": ["northern half", "north", "upper (northern) part", "top half"], "south": ["southern half", "south", "lower (southern) part", "bottom half"],
        "west": ["western half", "west", "western side", "left-hand side"], "east": ["eastern half", "east", "eastern side", "right-hand side"],
        "nw": ["north-west corner", "NW quadrant", "upper-left corner"], "ne": ["north-east corner", "NE quadrant", "upper-right corner"],
        "sw": ["south-west corner", "SW quadrant", "lower-left corner"], "se": ["south-east corner", "SE quadrant", "lower-right corner"],
        "centre": ["centre", "middle of the tile", "central part"]}
WORDS = {1: "one", 2: "two", 3: "three", 5: "five", 8: "eight", 10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty-five", 30: "thirty", 40: "forty",
         50: "fifty", 60: "sixty", 70: "seventy", 75: "seventy-five", 80: "eighty", 90: "ninety", 95: "ninety-five"}
FRAC = {0.1: ["a tenth"], 0.2: ["a fifth"], 0.25: ["a quarter", "one quarter"], 0.33: ["a third", "one third"], 0.5: ["half", "one half"],
        0.67: ["two thirds"], 0.75: ["three quarters"], 0.9: ["nine tenths"]}
NICE = [0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.33, 0.4, 0.5, 0.6, 0.67, 0.75, 0.8, 0.9, 0.95]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

def P(v, r, ha=True):
    """render a share in many ways"""
    opts = ["%d%%" % round(v*100), "%d %%" % round(v*100), "%d percent" % round(v*100), "%.2f" % v]
    if round(v*100) in WORDS: opts += ["%s percent" % WORDS[round(v*100)], "%s per cent" % WORDS[round(v*100)]]
    if v in FRAC: opts += FRAC[v] * 2
    if ha and v >= 0.02: opts += ["%d ha" % round(v*HA), "%d hectares" % round(v*HA), "%.2f km²" % (v*1.6384)]
    return r.choice(opts)

def pick(r, xs): return r.choice(xs)

def nice_le(x):
    c = [v for v in NICE if v <= x]; return c[-1] if c else None
def nice_ge(x):
    c = [v for v in NICE if v >= x]; return c[0] if c else None

# ---------------------------------------------------------------- clause generators
# each returns list of (text, spec, family); polarity is checked afterwards with rules.evaluate
def gen_lc(T, r):
    out = []; lc = T["lc"]
    if lc is None: return out
    cls = [c for c in NAMES if c in lc]
    for c in cls:
        n = lambda: pick(r, NAMES[c]); L = lc[c]
        # lower-bound (true when labelled share is large)
        v = nice_le(L["lo"] - 0.02)
        if v and L["lo"] >= 0.04:
            p = P(v, r)
            out.append((pick(r, ["%s covers at least %s of the tile", "no less than %s of the area is %s", "%s accounts for over %s",
                                 "%s makes up more than %s of the scene", "%s occupies upwards of %s", "there is at least %s of %s",
                                 "%s takes up a minimum of %s", "at least %s is %s"]) , {"k": "lc_ge", "c": c, "v": v}, "landcover_share", p, n()))
        # understated (false)
        v = nice_le(L["lo"] - 0.08)
        if v:
            p = P(v, r, ha=False)
            out.append((pick(r, ["%s covers less than %s", "%s makes up under %s of the tile", "at most %s of the tile is %s", "%s is limited to below %s",
                                 "only a sliver of %s, under %s", "%s stays below %s of the area", "%s amounts to no more than %s"]),
                        {"k": "lc_le", "c": c, "v": v}, "landcover_share", p, n()))
        if L["lo"] >= 0.12:
            out.append((pick(r, ["there is hardly any %s", "%s is practically negligible here", "%s barely registers", "just a trace of %s, nothing more",
                                 "%s is almost nonexistent"]), {"k": "lc_le", "c": c, "v": 0.02}, "landcover_share", None, n()))
        # overstated (false)
        v = nice_ge(L["hi"] + 0.08)
        if v and v <= 0.95:
            p = P(v, r)
            out.append((pick(r, ["%s covers over %s of the tile", "more than %s of the area is %s", "%s blankets upwards of %s", "roughly %s or more is %s",
                                 "%s exceeds %s of the tile", "well over %s of the scene is %s"]), {"k": "lc_ge", "c": c, "v": v}, "landcover_share", p, n()))
            a = nice_ge(L["hi"] + 0.1)
            if a and a <= 0.9:
                b = nice_ge(a + 0.1)
                if b:
                    out.append((pick(r, ["%s is between %d%% and %d%% of the tile", "%s covers somewhere from %d to %d percent", "%s accounts for %d–%d %% of the area"]) % (n(), round(a*100), round(b*100)), {"k": "lc_between", "c": c, "a": a, "b": b}, "landcover_share", None, None))
        if L["hi"] < 0.42:
            out.append((pick(r, ["%s dominates the tile", "the tile is mostly %s", "%s takes up the majority of the area", "%s is the overwhelming land cover",
                                 "the landscape is dominated by %s", "predominantly %s throughout"]), {"k": "lc_dom", "c": c}, "dominance", None, n()))
        # presence
        if L["px"] >= 160:
            out.append((pick(r, ["%s is present", "there is some %s", "patches of %s appear", "%s can be seen", "the scene includes %s", "a bit of %s shows up",
                                 "%s is part of the mix", "the mapping shows %s"]), {"k": "lc_present", "c": c, "neg": False}, "landcover_presence", None, n()))
            out.append((pick(r, ["there isn't any %s", "there is no sign of %s", "the tile is free of %s", "the area lacks %s entirely", "%s is absent",
                                 "not a single patch of %s", "%s: none", "no %s whatsoever", "%s is nowhere to be found", "you won't find any %s here"]),
                        {"k": "lc_present", "c": c, "neg": True}, "landcover_presence", None, n()))
        # position
        if L["pos"] and L["px"] >= 300:
            for h, s in L["pos"].items():
                if s * L["px"] >= 200 and r.random() < 0.35:
                    out.append((pick(r, ["there is %s in the %s", "%s appears in the %s", "the %s contains %s", "some %s lies toward the %s"]),
                                {"k": "lc_pos", "c": c, "h": h, "mode": "some"}, "position", ("HALF", h), n()))
                if s <= 0.15 and L["px"] >= 600:
                    out.append((pick(r, ["%s is confined to the %s", "all of the %s sits in the %s", "%s occurs only in the %s", "the %s is the only place with %s"]),
                                {"k": "lc_pos", "c": c, "h": h, "mode": "confined"}, "position", ("HALF", h), n()))
    pres = [c for c in cls if lc[c]["px"] >= 160]
    for i in range(len(pres)):
        for j in range(i+1, len(pres)):
            if r.random() < 0.3:
                a, b = pick(r, NAMES[pres[i]]), pick(r, NAMES[pres[j]])
                out.append(("neither %s nor %s is present" % (a, b) if r.random() < 0.5 else "there is no %s and no %s" % (a, b), {"k": "lc_none_of", "cs": [pres[i], pres[j]]}, "landcover_presence", None, None))
                out.append(("both %s and %s occur" % (a, b) if r.random() < 0.5 else "%s as well as %s are mapped" % (a, b), {"k": "lc_all_of", "cs": [pres[i], pres[j]]}, "landcover_presence", None, None))
    return out

def fill(tpl, p, n, r):
    """tpl has 2 %s slots in some order: figure out which gets the name"""
    if p is None and n is None: return tpl
    if p is None: return tpl % n
    if isinstance(p, tuple):
        h = pick(r, HALF[p[1]])
        # templates: "there is %s in the %s"(n,h) ; "the %s contains %s"(h,n); "the %s is the only place with %s"(h,n)
        if tpl.startswith("the %s"): return tpl % (h, n)
        return tpl % (n, h)
    # share templates: decide order by which word precedes
    first_is_p = bool(re.match(r"^(no less than|at least|at most|more than|roughly|well over|there is at least) %s", tpl))
    return tpl % ((p, n) if first_is_p else (n, p))

def gen_water(T, r):
    out = []
    W = ["open water", "surface water", "water", "a lake", "standing water", "water bodies"]
    out.append((pick(r, ["%s is visible", "there is %s in the tile", "the scene contains %s", "some %s shows up", "%s is present"]) % pick(r, W), {"k": "water_present", "neg": False}, "water"))
    out.append((pick(r, ["there is no open water", "no lake, river or pond is visible", "the tile is dry land with no water bodies", "no water anywhere",
                         "water is absent", "not a drop of open water", "a river crosses the tile", "a lake occupies part of the tile",
                         "a stretch of sea coastline runs through the tile", "a pond or small lake is visible"]), {"k": "water_present", "neg": None}, "water"))
    wb = None
    try:
        from rules import water_bounds; wb = water_bounds(T)
    except Exception: pass
    if wb:
        lo, hi = wb
        v = nice_le(lo - 0.015)
        if v: out.append((pick(r, ["open water covers at least %s", "water accounts for more than %s of the tile", "at least %s is open water", "the lake surface exceeds %s"]) % P(v, r), {"k": "water_ge", "v": v}, "water"))
        v = nice_ge(hi + 0.015)
        if v and v <= 0.5: out.append((pick(r, ["water covers less than %s", "open water stays under %s", "water is limited to below %s of the area"]) % P(v, r), {"k": "water_le", "v": v}, "water"))
        v = nice_ge(hi + 0.05)
        if v and v <= 0.8: out.append((pick(r, ["open water covers over %s of the tile", "a large lake takes up more than %s", "more than %s of the scene is water",
                                                "water dominates with over %s"]) % P(v, r), {"k": "water_ge", "v": v}, "water"))
        out.append((pick(r, ["water dominates the tile", "the tile is mostly open water", "a lake fills most of the frame"]), {"k": "water_ge", "v": 0.5}, "dominance"))
        v = nice_le(lo - 0.05)
        if v: out.append((pick(r, ["water covers under %s", "open water is below %s of the tile", "there is less than %s water"]) % P(v, r, ha=False), {"k": "water_le", "v": v}, "water"))
        pos = T["s2_water_pos"]
        if pos and lo >= 0.015:
            for h, s in pos.items():
                if s * T["s2_water_frac"] * 16384 >= 150 and r.random() < 0.5:
                    out.append((pick(r, ["there is water in the %s", "open water shows up in the %s", "the %s holds some water"]) % pick(r, HALF[h]), {"k": "water_pos", "h": h, "mode": "some"}, "position"))
                if s <= 0.15:
                    out.append((pick(r, ["the water is confined to the %s", "all open water lies in the %s", "water appears only in the %s"]) % pick(r, HALF[h]), {"k": "water_pos", "h": h, "mode": "confined"}, "position"))
    return out

def fix_water_present(T, items):
    res = []
    for t, sp, f in items:
        if sp["k"] == "water_present" and sp["neg"] is None:
            neg = any(w in t for w in ["no ", "absent", "not a drop"])
            sp = {"k": "water_present", "neg": neg}
        res.append((t, sp, f))
    return res

def gen_veg(T, r):
    out = []; m = T["ndvi_mean_all"]
    lo = round(m - 0.1, 1); hi = round(m + 0.1, 1) + (0.05 if round(m + 0.1, 1) - m < 0.07 else 0)
    out.append((pick(r, ["mean NDVI is between %.2f and %.2f", "the average NDVI sits in the %.2f–%.2f range", "NDVI averages somewhere from %.2f to %.2f"]) % (lo, hi), {"k": "ndvi_mean", "lo": lo, "hi": hi}, "vegetation"))
    for (a, b, txt) in [(0.7, 0.95, ["the vegetation is lush and vigorous, with mean NDVI above 0.7", "plants are at peak greenness (NDVI around 0.8)", "dense, healthy green vegetation with NDVI of roughly 0.75–0.9"]),
                        (-0.1, 0.3, ["vegetation is dormant or sparse, mean NDVI below 0.3", "NDVI is low overall, under about 0.3", "the vegetation signal is weak, NDVI mostly under 0.3"]),
                        (0.45, 0.7, ["vegetation is moderately green, mean NDVI roughly 0.5–0.65", "NDVI averages somewhere between 0.5 and 0.65"])]:
        out.append((pick(r, txt), {"k": "ndvi_mean", "lo": a, "hi": b}, "vegetation"))
    for v in [0.05, 0.1, 0.3, 0.5, 0.6, 0.8]:
        out.append((pick(r, ["over %s of the pixels are green (NDVI > 0.5)", "more than %s of the tile shows green vegetation with NDVI above 0.5", "green, photosynthetically active vegetation covers at least %s"]) % P(v, r, ha=False), {"k": "green_ge", "v": v}, "vegetation"))
        out.append((pick(r, ["green vegetation (NDVI > 0.5) covers less than %s", "under %s of the pixels reach NDVI 0.5", "at most %s of the area looks green"]) % P(v, r, ha=False), {"k": "green_le", "v": v}, "vegetation"))
    out.append((pick(r, ["hardly any pixel is actively green", "there is almost no green vegetation signal", "vegetation looks dormant rather than green"]), {"k": "green_le", "v": 0.05}, "vegetation"))
    out.append((pick(r, ["the vegetation is lush and green", "vegetation is in full leaf and vigorous", "plants are bright green and growing strongly"]), {"k": "green_ge", "v": 0.5}, "vegetation"))
    for v in [0.5, 0.3]:
        out.append((pick(r, ["buildings and paved surfaces cover over %s", "more than %s of the tile is impervious, built-up surface", "bare rock and sand make up more than %s"]) % P(v, r), {"k": "impervious_ge", "v": v}, "landcover_share"))
    out.append((pick(r, ["green vegetation dominates the scene", "the tile is predominantly green, actively growing vegetation", "most of the tile is covered by green vegetation"]), {"k": "green_ge", "v": 0.5}, "dominance"))
    out.append((pick(r, ["built-up surfaces dominate the tile", "the scene is dominated by bare, unvegetated ground", "mostly paved or built over"]), {"k": "impervious_ge", "v": 0.5}, "dominance"))
    out.append((pick(r, ["low-NDVI surfaces outweigh green vegetation", "there is more non-green, low-NDVI surface than green vegetation", "dormant ground exceeds green cover"]), {"k": "lowndvi_vs_green"}, "comparison"))
    out.append((pick(r, ["green vegetation outweighs non-green ground", "there is more green cover than low-NDVI ground", "green areas exceed brown ones"]), {"k": "lowndvi_vs_green", "rev": True}, "comparison"))
    for f in [2, 3]:
        out.append((pick(r, ["green vegetation covers at least %s as much area as low-NDVI ground", "green cover is at least %s the extent of low-NDVI surfaces"]) % {2: "twice", 3: "three times"}[f], {"k": "green_vs_low", "f": f}, "comparison"))
    return out

def gen_quality(T, r):
    out = []
    out += [(pick(r, ["the image is cloud-free", "skies are clear with no visible clouds", "no cloud cover", "a clear, cloudless acquisition", "there are no clouds over the tile"]), {"k": "cloud_le", "v": 0.05}, "other:cloud"),
            (pick(r, ["thick clouds cover about half the scene", "a large cloud bank hides roughly a third of the tile", "the tile is heavily overcast", "clouds and their shadows obscure much of the image",
                      "partly cloudy, with roughly 40% cloud cover", "cumulus clouds dot the scene over at least a quarter of it"]), {"k": "cloud_ge", "v": 0.25}, "other:cloud"),
            (pick(r, ["there is no snow on the ground", "the ground is snow-free", "no snow cover is visible", "not a trace of snow"]), {"k": "snow_le", "v": 0.05}, "other:snow"),
            (pick(r, ["a blanket of snow covers most of the ground", "snow covers more than half the tile", "the scene is largely snow-covered", "fresh snow lies over at least a third of the area"]), {"k": "snow_ge", "v": 0.35}, "other:snow"),
            (pick(r, ["the sun stands low, below 30 degrees elevation", "low sun angle (under 30°)", "the solar elevation is low, less than 30°"]), {"k": "sun_le", "v": 30}, "other:sun_elevation"),
            (pick(r, ["the sun was high in the sky, above 50° elevation", "near-overhead summer sun (solar elevation over 50°)", "high sun angle, over 50 degrees"]), {"k": "sun_ge", "v": 50}, "other:sun_elevation"),
            (pick(r, ["the sun was extremely low, under 15° above the horizon", "a very low sun (below 15°)"]), {"k": "sun_le", "v": 15}, "other:sun_elevation")]
    return out

def fmt_date(T, r, d=None):
    y, m, dd = (T["year"], T["month"], T["day"]) if d is None else d
    f = [lambda: "%04d-%02d-%02d" % (y, m, dd), lambda: "%d %s %d" % (dd, MONTHS[m-1], y), lambda: "%s %d, %d" % (MONTHS[m-1], dd, y),
         lambda: "%d %s %d" % (dd, MONTHS[m-1][:3], y), lambda: "%s %d%s %d" % (MONTHS[m-1], dd, "th" if dd not in (1, 2, 3, 21, 22, 23) else {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}[dd], y),
         lambda: "%04d/%02d/%02d" % (y, m, dd), lambda: "%d.%d.%d" % (dd, m, y)]
    if dd > 12: f.append(lambda: "%02d/%02d/%04d" % (dd, m, y))
    return pick(r, f)()

def gen_date(T, r):
    out = []; y, m, d = T["year"], T["month"], T["day"]
    out.append((pick(r, ["acquired on %s", "the image was taken on %s", "captured %s", "the acquisition date is %s", "imaged on %s"]) % fmt_date(T, r), {"k": "date", "d": T["date"]}, "season"))
    for dm in [3, 4, 5, 6, -3, -4, -5]:
        mm = (m - 1 + dm) % 12 + 1; yy = y + ((m - 1 + dm) // 12)
        dd = min(d, 28)
        out.append((pick(r, ["acquired on %s", "the image was taken on %s", "captured %s", "the acquisition date is %s", "imaged on %s"]) % fmt_date(T, r, (yy, mm, dd)), {"k": "date", "d": "%04d-%02d-%02d" % (yy, mm, dd)}, "season"))
        out.append((pick(r, ["taken in %s %d", "a %s %d scene", "acquired during %s of %d"]) % (MONTHS[mm-1], yy), {"k": "month", "m": mm, "y": yy}, "season"))
    out.append((pick(r, ["taken in %s %d", "a %s %d scene", "acquired during %s of %d"]) % (MONTHS[m-1], y), {"k": "month", "m": m, "y": y}, "season"))
    for yy in [y, y - 3, y + 3, y + 5]:
        out.append((pick(r, ["the image dates from %d", "acquired in %d", "a %d acquisition"]) % yy, {"k": "year", "y": yy}, "season"))
    for s in ["winter", "spring", "summer", "autumn"]:
        out.append((pick(r, ["it is %s", "a %s scene", "the season is %s", "the image shows %s conditions", "taken in %s"]) % s, {"k": "season", "s": s}, "season"))
    return out

def gen_place(T, r):
    out = []; st = stratum(T["tile_id"]); c = T["country"]
    cn = {"Germany": "Germany", "Ireland": "Ireland", "Portugal": "Portugal", "Finland": "Finland", "Austria": "Austria"}[c]
    out.append((pick(r, ["the tile lies in %s", "located in %s", "this is %s", "the location is in %s", "somewhere in %s"]) % cn, {"k": "country", "c": c}, "place"))
    for fc in COUNTRY_FALSE[c]:
        out.append((pick(r, ["the tile lies in %s", "located in %s", "the location is in %s", "this area belongs to %s"]) % fc, {"k": "country", "c": fc.replace("the ", "")}, "place"))
    for rg in REGION_TRUE[st] + REGION_FALSE[st]:
        out.append((pick(r, ["the area is part of %s", "the tile sits in %s", "this is %s", "located in %s"]) % rg, {"k": "region", "r": rg}, "place"))
    here = (T["lat"], T["lon"])
    for t, ll in TOWNS.items():
        d = km(here, ll)
        if d < 40:
            lo = max(1, int(d // 5 * 5) - 5); hi = int(d // 5 * 5) + 10
            out.append((pick(r, ["about %d–%d km from %s", "roughly %d to %d km away from %s", "%d-%d km from the town of %s"]) % (lo, hi, t), {"k": "dist", "t": t, "lo": lo, "hi": hi}, "place"))
            K = int(d) + 8
            out.append((pick(r, ["within %d km of %s" % (K, t), "less than %d km from %s" % (K, t), "close to %s (under %d km)" % (t, K)]), {"k": "near", "t": t, "km": K}, "place"))
        elif d > 150 and d < 450:
            out.append((pick(r, ["on the outskirts of %s", "within 15 km of %s", "just outside %s", "a short drive (under 15 km) from %s"]) % t, {"k": "near", "t": t, "km": 15}, "place"))
    out.append(("at roughly %.1f°N" % T["lat"], {"k": "lat", "v": round(T["lat"], 1)}, "place"))
    out.append(("at roughly %.1f°N" % (T["lat"] - 8), {"k": "lat", "v": round(T["lat"] - 8, 1)}, "place"))
    out.append(("in the southern hemisphere, around %.0f°S" % T["lat"], {"k": "lat", "v": -round(T["lat"])}, "place"))
    # fix "close to %s (under %d km)" ordering
    fixed = []
    for t, sp, f in out:
        if sp["k"] == "near" and "close to" in t:
            t = "close to %s (under %d km)" % (sp["t"], sp["km"])
        fixed.append((t, sp, f))
    return fixed

def gen_sar(T, r):
    out = []
    if not T.get("sar"): return out
    S = T["sar"]; vv = [v for n, v in S.items() if n.startswith("VV")][0]["mean"]; vh = [v for n, v in S.items() if n.startswith("VH")][0]["mean"]
    for b, m in [("VV", vv), ("VH", vh)]:
        lo, hi = round(m) - 2, round(m) + 2
        out.append((pick(r, ["mean %s backscatter is between %d and %d dB", "%s averages roughly %d to %d dB", "the %s channel sits around %d…%d dB"]) % (b, lo, hi), {"k": "sar_mean", "b": b, "lo": lo, "hi": hi}, "sar"))
        for off in [10, -12]:
            out.append((pick(r, ["mean %s backscatter is between %d and %d dB", "%s averages roughly %d to %d dB"]) % (b, lo + off, hi + off), {"k": "sar_mean", "b": b, "lo": lo + off, "hi": hi + off}, "sar"))
    d = vv - vh; lo, hi = int(d) - 2, int(d) + 3
    out.append((pick(r, ["VV exceeds VH by roughly %d–%d dB", "the co-pol/cross-pol difference is about %d to %d dB"]) % (lo, hi), {"k": "sar_diff", "lo": lo, "hi": hi}, "sar"))
    out.append((pick(r, ["VV returns are stronger than VH", "the VV channel is brighter than VH", "co-polarised VV backscatter exceeds the cross-polarised VH"]), {"k": "sar_vv_gt_vh"}, "comparison"))
    out.append((pick(r, ["VH backscatter is stronger than VV", "the cross-pol VH channel outshines VV", "VH exceeds VV on average"]), {"k": "sar_vv_gt_vh", "rev": True}, "comparison"))
    o = T["sar_orbit"]; no = "ascending" if o == "descending" else "descending"
    out.append((pick(r, ["the radar pass was %s", "Sentinel-1 imaged it on a %s orbit", "a %s-orbit SAR acquisition"]) % o, {"k": "sar_orbit", "o": o}, "sar"))
    out.append((pick(r, ["the radar pass was %s", "Sentinel-1 imaged it on a %s orbit", "a %s-orbit SAR acquisition"]) % no, {"k": "sar_orbit", "o": no}, "sar"))
    out.append((pick(r, ["the SAR scene is within two days of the optical one", "radar and optical were acquired at most two days apart", "the Sentinel-1 pass is practically simultaneous with the optical image (≤ 2 days)"]), {"k": "sar_gap", "max": 2}, "sar"))
    out.append((pick(r, ["the SAR scene was acquired weeks apart from the optical image", "radar and optical dates differ by more than a week"]), {"k": "sar_gap", "min": 14}, "sar"))
    return out

def gen_geo(T, r):
    out = []
    for v in [800, 1500, 2500]:
        out.append((pick(r, ["the terrain rises above %d m", "elevations exceed %d m above sea level", "the tile sits at over %d m altitude", "an altitude of more than %d metres"]) % v, {"k": "geo_elev_ge", "v": v}, "elevation"))
    for v in [1000, 1200]:
        out.append((pick(r, ["elevation stays below %d m", "the ground lies under %d m above sea level", "altitudes remain well under %d m"]) % v, {"k": "geo_elev_le", "v": v}, "elevation"))
    for v in [35, 45]:
        out.append((pick(r, ["slopes exceed %d°", "steep slopes of more than %d degrees", "the hillsides are steeper than %d°"]) % v, {"k": "geo_slope_ge", "v": v}, "slope"))
    out.append((pick(r, ["slopes stay below 30°", "no slope is steeper than 30 degrees", "gradients are gentle, under 30°"]), {"k": "geo_slope_le", "v": 30}, "slope"))
    for v in [70, 90]:
        out.append((pick(r, ["the trees reach over %d m in height", "a canopy taller than %d m", "tree heights exceed %d metres"]) % v, {"k": "geo_canopy_ge", "v": v}, "canopy"))
    out.append((pick(r, ["tree heights stay under 60 m", "no tree is taller than 60 metres", "the canopy is well below 60 m"]), {"k": "geo_canopy_le", "v": 60}, "canopy"))
    out.append((pick(r, ["the terrain is flat lowland", "a flat, low-lying landscape", "relief is flat"]), {"k": "geo_flat"}, "terrain"))
    out.append((pick(r, ["rugged alpine mountains with glaciers", "high mountain peaks and deep valleys", "a steep mountainous landscape", "jagged ridges and rocky summits"]), {"k": "geo_mountain"}, "terrain"))
    out.append((pick(r, ["the tile borders the open sea", "a sandy ocean beach lines the tile", "waves break along a sea coast"]), {"k": "geo_coast"}, "terrain"))
    return out

def all_clauses(T, r):
    items = []
    for t, sp, fam, p, n in gen_lc(T, r):
        items.append((fill(t, p, n, r), sp, fam))
    items += fix_water_present(T, gen_water(T, r))
    items += gen_veg(T, r) + gen_quality(T, r) + gen_date(T, r) + gen_place(T, r) + gen_sar(T, r) + gen_geo(T, r)
    res = []
    for t, sp, fam in items:
        v = evaluate(sp, T)
        if v is None: continue
        res.append({"text": t, "spec": sp, "family": fam, "truth": v, "decidable": DECIDABLE_BY_LAYER(sp)})
    return res

CONTRA = {  # (true spec kind) -> function giving contradicting false spec filter
}

# ---------------------------------------------------------------- styles
STYLES = ["plain", "alt_text", "gis_note", "llm_markdown", "llm_chat", "social", "non_native", "keywords", "dataset_caption", "field_report"]
JOIN = [", while ", ", whereas ", ", although ", " and ", "; ", ", with the note that ", " — and ", ". Also, "]

def cap(s): return s[0].upper() + s[1:] if s else s

def render(style, clauses, T, r):
    """clauses: list of texts. returns caption string; clause texts are kept verbatim (first letter may be capitalised)."""
    cs = list(clauses); rendered = []
    def sent(c):
        x = cap(c); rendered.append(x); return x
    def raw(c): rendered.append(c); return c
    def joined(a, b):
        j = pick(r, JOIN)
        if j.startswith(". "): return sent(a) + j + raw(b)
        return sent(a) + j + raw(b)
    if style == "plain":
        parts = []; i = 0
        while i < len(cs):
            if i + 1 < len(cs) and r.random() < 0.5: parts.append(joined(cs[i], cs[i+1]) + "."); i += 2
            else: parts.append(sent(cs[i]) + "."); i += 1
        txt = pick(r, ["", "Satellite tile. ", "Sentinel-2 view. "]) + " ".join(parts)
    elif style == "alt_text":
        txt = pick(r, ["Aerial image: ", "Satellite photo of a rural area. ", "Alt: overhead view where ", "Image description — "]) + ", ".join(raw(c) for c in cs) + "."
    elif style == "gis_note":
        lines = [pick(r, ["GIS note (tile %s):" % T["tile_id"], "Analyst note — AOI %s" % T["tile_id"], "QA remark, 1.6384 km² AOI:", "Desk review, 128×128 px @ 10 m:"])]
        for c in cs: lines.append(pick(r, ["- ", "* ", "• ", "> "]) + raw(c) + pick(r, ["", ".", " (checked)", " [S2]", " (approx.)"]))
        txt = "\n".join(lines)
    elif style == "llm_markdown":
        heads = ["**Overview**", "**Land cover**", "**Conditions**", "**Location & timing**", "**Notes**", "**Key observations**"]
        out = [pick(r, ["Sure! Here's a breakdown of this satellite tile:\n", "Here is what I can see in the image:\n", "Great question — let me summarise the tile.\n", "### Tile analysis\n"])]
        for i, c in enumerate(cs):
            if i % 2 == 0: out.append(pick(r, heads))
            out.append("- " + pick(r, ["", "", "It appears that ", "Likely: ", "I'd estimate that ", "From the bands, "]) + raw(c) + ".")
        if r.random() < 0.7:
            out.append(pick(r, ["\n**Caveats**\n- A single 10 m scene cannot resolve individual trees or houses, so treat the numbers as estimates.",
                                "\n> Keep in mind these figures come from one acquisition and may shift with the season.",
                                "\n**Interpretation**\nTaken together, this reads as a fairly typical patch of the regional landscape; I'd be cautious about over-interpreting small patches near the edges."]))
        out.append(pick(r, ["\nLet me know if you'd like a closer look at any of these!", "\n*Note: estimates are approximate.*", "", "\nHope this helps!"]))
        txt = "\n".join(out)
    elif style == "llm_chat":
        intro = pick(r, ["Looking at this image, ", "Based on the imagery, ", "Certainly! In this scene, ", "From what I can tell, "])
        body = []; i = 0
        while i < len(cs):
            if i + 1 < len(cs) and r.random() < 0.6:
                body.append(raw(cs[i]) + pick(r, JOIN[:4]) + raw(cs[i+1])); i += 2
            else: body.append(raw(cs[i])); i += 1
        hed = [" It appears that ", " I'd also say ", " Most likely, ", " On top of that, ", " Notably, "]
        intro = pick(r, ["", "", "Thanks for sharing this tile! ", "Happy to help with this one. "]) + intro
        body[-1] = body[-1] + pick(r, ["", "", ". Of course, a single image only tells part of the story", ". That said, I'd want a second date to be fully sure of the seasonal picture"])
        txt = intro + body[0] + "." + "".join(pick(r, hed) + b + "." for b in body[1:]) + pick(r, ["", " Overall, a fairly typical scene for the region.", " I hope that helps!", " (These are estimates from the pixels.)"])
    elif style == "social":
        txt = pick(r, ["wow, look at this 🛰️ ", "Today's satellite pic: ", "ok so ", "Fun fact from orbit: "]) + " ".join(raw(c) + pick(r, ["!", " 🌍", ".", " lol.", " 👀"]) for c in cs) + pick(r, [" #EarthObservation", " #Sentinel2 #remotesensing", "", " #maps"])
    elif style == "non_native":
        txt = pick(r, ["In this image we can seeing that ", "This picture is showing, ", "In the tile is visible that ", "Here the satellite image show that "]) + " and also ".join(raw(c) for c in cs) + pick(r, [".", ", I think.", " ok.", "."])
    elif style == "keywords":
        txt = pick(r, [" | ", "; ", ", ", " / "]).join(raw(c) for c in cs)
    elif style == "dataset_caption":
        txt = pick(r, ["a satellite image in which ", "remote sensing image: ", "an image where ", "this remote sensing image shows that "]) + ", ".join(raw(c) for c in cs[:-1]) + (" and " if len(cs) > 1 else "") + raw(cs[-1]) + "."
    else:  # field_report
        lines = [pick(r, ["FIELD REPORT", "Field log, site visit", "Ground survey notes", "Site report"]) + " — tile %s" % T["tile_id"]]
        for i, c in enumerate(cs):
            lines.append("%d) " % (i + 1) + cap(c) if False else ("%d) " % (i + 1)) + sent(c) + ".")
        lines.append(pick(r, ["End of notes.", "Surveyor: J.K.", "", "Conditions logged on site."]))
        txt = "\n".join(l for l in lines if l)
    return txt, rendered

def main():
    T_all = json.load(open("truth.json")); r = random.Random(SEED)
    tiles = sorted(T_all); r.shuffle(tiles)
    ndev = round(len(tiles) / 4); dev_tiles = sorted(tiles[:ndev])
    rows = {"dev": [], "test": []}; audit = []; n = 0
    for tid in sorted(T_all):
        T = T_all[tid]; tr = random.Random("%d-%s" % (SEED, tid))
        pool = []
        for rep in range(6):  # regenerate with different random phrasings
            pool += all_clauses(T, tr)
        seen = set(); P_ = []
        for c in pool:
            if c["text"] in seen: continue
            seen.add(c["text"]); P_.append(c)
        trues = [c for c in P_ if c["truth"]]; falses = [c for c in P_ if not c["truth"]]
        fams = sorted(set(c["family"] for c in falses))
        # consistency pairs: false clause that negates a true clause in the same caption
        def contra(tc, fc):
            a, b = tc["spec"], fc["spec"]
            if a["k"] == "lc_present" and b["k"] == "lc_present" and a["c"] == b["c"] and not a["neg"] and b["neg"]: return True
            if a["k"] == "lc_ge" and b["k"] == "lc_present" and a["c"] == b["c"] and b["neg"]: return True
            if a["k"] == "water_present" and b["k"] == "water_present" and a["neg"] != b["neg"]: return True
            if a["k"] == "water_ge" and b["k"] == "water_present" and b["neg"]: return True
            if a["k"] == "season" and b["k"] == "season": return True
            if a["k"] == "country" and b["k"] == "country": return True
            if a["k"] == "cloud_le" and b["k"] == "cloud_ge": return True
            if a["k"] in ("snow_le", "snow_ge") and b["k"] in ("snow_le", "snow_ge") and a["k"] != b["k"]: return True
            if a["k"] == "green_le" and b["k"] == "green_ge" and b["v"] >= a["v"]: return True
            if a["k"] == "green_ge" and b["k"] == "green_le" and b["v"] <= a["v"]: return True
            if a["k"] == "sar_vv_gt_vh" and b["k"] == "sar_vv_gt_vh": return True
            if a["k"] == "year" and b["k"] == "year": return True
            return False
        pairs = [(tc, fc) for tc in trues for fc in falses if contra(tc, fc)]
        # family schedule for 48 false captions
        sched = []
        W = {"landcover_share": 6, "landcover_presence": 5, "position": 4, "water": 4, "vegetation": 4, "place": 4, "season": 4, "other:cloud": 3,
             "other:snow": 3, "other:sun_elevation": 2, "comparison": 4, "sar": 8, "dominance": 4, "elevation": 1, "slope": 1, "canopy": 1, "terrain": 1}
        fam_cycle = [f for f in fams for _ in range(W.get(f, 2))]; tr.shuffle(fam_cycle)
        ncons = min(5, len(pairs))
        while len(sched) < 48 - ncons:
            for f in fam_cycle:
                if len(sched) < 48 - ncons: sched.append(f)
        sched += ["consistency"] * ncons; tr.shuffle(sched)
        used_false = {}
        captions = []
        for i, fam in enumerate(sched):
            style = STYLES[(i + hash(tid) % 7) % len(STYLES)] if False else STYLES[(i + sum(map(ord, tid))) % len(STYLES)]
            k = tr.choice([1, 2, 2, 3, 3, 4])  # number of true clauses
            if fam == "consistency":
                tc, fc = tr.choice(pairs); partner = [tc]
            else:
                cands = [c for c in falses if c["family"] == fam]
                cands.sort(key=lambda c: used_false.get(c["text"], 0)); m = used_false.get(cands[0]["text"], 0)
                fc = tr.choice([c for c in cands if used_false.get(c["text"], 0) == m]); partner = []
            used_false[fc["text"]] = used_false.get(fc["text"], 0) + 1
            fam_fc = fc["family"]
            others = [c for c in trues if c["family"] != fam_fc and c["spec"]["k"] != fc["spec"]["k"]]
            chosen = list(partner); famset = {c["family"] for c in chosen} | {fam_fc}
            tr.shuffle(others)
            for c in others:
                if len(chosen) >= k: break
                if c["family"] in famset: continue
                chosen.append(c); famset.add(c["family"])
            cl = chosen + [fc]; tr.shuffle(cl)
            if fam == "consistency":  # make sure partner comes first so the contradiction reads naturally
                cl.remove(fc); cl.insert(tr.randint(cl.index(partner[0]) + 1, len(cl)), fc)
            captions.append(("false", cl, fc, "consistency" if fam == "consistency" else fam_fc, style))
        for i in range(20):
            style = STYLES[(i + 3 + sum(map(ord, tid))) % len(STYLES)]
            k = tr.choice([2, 3, 3, 4, 5]); tmp = trues[:]; tr.shuffle(tmp); chosen = []; famset = set()
            for c in tmp:
                if len(chosen) >= k: break
                if c["family"] in famset: continue
                chosen.append(c); famset.add(c["family"])
            captions.append(("true", chosen, None, None, style))
        for j, (lab, cl, fc, fam, style) in enumerate(captions):
            for attempt in range(20):
                txt, rend = render(style, [c["text"] for c in cl], T, tr)
                if fc is None: break
                fr = rend[[c is fc for c in cl].index(True)]
                if txt.count(fr) == 1: break
            cid = "f5-%s-%03d" % (tid, j)
            row = {"caption_id": cid, "tile_id": tid, "caption": txt, "label": lab}
            if lab == "false":
                row.update({"false_clause": fr, "false_family": fam, "decidable": fc["decidable"]})
            row["style"] = style
            rows["dev" if tid in dev_tiles else "test"].append(row)
            for c, rr in zip(cl, rend):
                audit.append({"caption_id": cid, "tile_id": tid, "clause": rr, "spec": c["spec"], "family": c["family"], "truth": c["truth"],
                              "is_false_clause": c is fc, "decidable": c["decidable"]})
    for s in rows:
        with open("%s.jsonl" % s, "w") as f:
            for row in rows[s]: f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open("clauses_audit.jsonl", "w") as f:
        for a in audit: f.write(json.dumps(a, ensure_ascii=False) + "\n")
    json.dump({"seed": SEED, "dev_tiles": dev_tiles, "test_tiles": sorted(t for t in T_all if t not in dev_tiles)}, open("split_dev_tiles.json", "w"), indent=1)
    print({s: len(v) for s, v in rows.items()})

if __name__ == "__main__":
    main()
