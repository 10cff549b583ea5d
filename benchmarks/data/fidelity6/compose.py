"""compose.py -- deterministic (seed 6006) planted-claim caption set for satellite tile captions.
Reads truth.json only. Never reads or imports the checker's code."""
import json, random, re
from preds import evaluate

SEED = 6006
rng = random.Random(SEED)
T_ALL = json.load(open("truth.json"))

# ---------------------------------------------------------------- vocab
CLS = {
    "tree cover": ["tree cover", "forest", "woodland", "trees", "wooded land", "forest cover", "woods"],
    "cropland": ["cropland", "farmland", "arable fields", "cultivated land", "crop fields", "agricultural fields"],
    "grassland": ["grassland", "meadows", "pasture", "grass", "grassy areas", "meadow and pasture"],
    "built-up": ["built-up area", "buildings", "settlement", "built-up land", "urban fabric", "houses and roads"],
    "shrubland": ["shrubland", "scrub", "bushland", "shrubs"],
    "herbaceous wetland": ["wetland", "marshland", "reed beds", "herbaceous wetland", "marsh"],
}
EXOTIC = ["mangroves", "tropical rainforest", "oil palm plantations", "sand dunes", "rice paddies", "coral reefs", "baobab savanna",
          "glaciers", "cactus desert", "tea terraces", "banana plantations", "salt flats", "coconut palms", "volcanic lava fields"]
NICE = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 1/3, 0.4, 0.5, 0.6, 2/3, 0.7, 0.75, 0.8, 0.9, 0.95]
WORDS = {5: "five", 10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty-five", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty",
         70: "seventy", 75: "seventy-five", 80: "eighty", 90: "ninety", 95: "ninety-five"}
FRAC = {0.1: ["a tenth", "one tenth", "one in ten pixels"], 0.2: ["a fifth", "one fifth", "one in five pixels"], 0.25: ["a quarter", "one quarter", "1/4"],
        1/3: ["a third", "one third", "1/3"], 0.5: ["half", "one half", "50 %"], 2/3: ["two thirds", "2/3", "two-thirds"],
        0.75: ["three quarters", "3/4", "three-quarters"], 0.4: ["two fifths", "40 per cent"], 0.6: ["three fifths", "60 per cent"],
        0.9: ["nine tenths", "90 per cent"], 0.05: ["a twentieth", "5 per cent"]}

def share_txt(q):
    p = round(q * 100)
    opts = [f"{p}%", f"{p} %", f"{p} percent", f"{p} per cent"]
    if p in WORDS: opts += [f"{WORDS[p]} percent", f"{WORDS[p]} per cent"]
    for k, v in FRAC.items():
        if abs(k - q) < 1e-6: opts += v * 2
    return rng.choice(opts)

def cname(c): return rng.choice(CLS[c])
def cap(s): return s[0].upper() + s[1:] if s else s
def pick(*a): return rng.choice(a)

# ---------------------------------------------------------------- phrasing helpers
GE = ["at least {q}", "more than {q}", "over {q}", "no less than {q}", "upwards of {q}", "in excess of {q}", "a minimum of {q}", "{q} or more", "not less than {q}"]
LE = ["less than {q}", "under {q}", "at most {q}", "no more than {q}", "below {q}", "not even {q}", "a maximum of {q}", "{q} or less", "short of {q}"]
ABOUT = ["about {q}", "roughly {q}", "around {q}", "approximately {q}", "close to {q}", "some {q}", "~{q}", "nearly {q}"]
COVER_V = ["covers {b} of the tile", "makes up {b} of the scene", "accounts for {b} of the area", "occupies {b} of the image",
           "takes up {b} of the tile area", "covers {b} of the whole tile", "represents {b} of the land surface", "fills {b} of the frame",
           "is {b} of the tile", "spans {b} of the area shown"]

def share_clause(c, form, q=None, a=None, b=None):
    n = cname(c)
    if form == "between":
        bb = pick("between {a} and {b}", "somewhere between {a} and {b}", "{a} to {b}", "in the {a}-{b} range").format(a=share_txt(a), b=share_txt(b))
    else:
        bb = rng.choice({"ge": GE, "le": LE, "about": ABOUT}[form]).format(q=share_txt(q))
    t = rng.randrange(4)
    if t == 0: return f"{n} {rng.choice(COVER_V).format(b=bb)}"
    if t == 1: return pick(f"{bb} of the tile is {n}", f"{bb} of the area is {n}", f"{bb} of the image shows {n}", f"{bb} of the surface is {n}")
    if t == 2: return pick(f"the share of {n} is {bb}", f"{n} share: {bb}", f"the {n} fraction comes to {bb}", f"{n} amounts to {bb} of the scene")
    return pick(f"{n} accounts for {bb} of the 1.28 km tile", f"{n} makes up {bb} of the land", f"there is {n} on {bb} of the tile")

PRESENT = ["there is some {n}", "{n} is present", "the image contains {n}", "{n} can be seen", "patches of {n} appear", "some {n} shows up",
           "{n} is visible in places", "you can spot {n}", "the scene includes {n}", "{n} occurs on the tile", "a bit of {n} is mapped",
           "{n} is part of the mix"]
ABSENT = ["there isn't any {n}", "no {n} at all", "there is no sign of {n}", "the tile is free of {n}", "it lacks {n} entirely",
          "{n} is absent", "no {n} anywhere in the frame", "zero {n}", "without any {n}", "{n} is completely missing",
          "not a single patch of {n}", "{n}: none", "there's no {n} to be seen", "the area has no {n} whatsoever"]
NEITHER = ["neither {a} nor {b} is present", "there is neither {a} nor {b}", "no {a} and no {b}", "{a} and {b} are both absent"]
LITTLE = ["hardly any {n}", "only a sprinkle of {n}", "just a trace of {n}", "{n} is barely there", "a negligible amount of {n}",
          "only a tiny speck of {n}", "almost no {n}"]
DOMINANT = ["{n} dominates the tile", "the scene is mostly {n}", "the tile is dominated by {n}", "{n} is the main land cover",
            "mainly {n}", "predominantly {n}", "{n} takes up most of the area", "the landscape is overwhelmingly {n}", "majority {n}"]
REGIONS = {"north-west": ["in the north-west corner", "in the top-left corner", "in the NW corner", "up in the north-western corner"],
           "north-east": ["in the north-east corner", "in the top-right corner", "in the NE corner"],
           "south-west": ["in the south-west corner", "in the bottom-left corner", "in the SW corner"],
           "south-east": ["in the south-east corner", "in the bottom-right corner", "in the SE corner", "down in the south-eastern corner"],
           "north": ["along the northern edge", "in the north", "at the top of the tile"], "south": ["along the southern edge", "in the south", "at the bottom of the tile"],
           "west": ["along the western side", "on the western edge", "in the west"], "east": ["along the eastern side", "on the eastern edge", "in the east"],
           "centre": ["in the centre", "in the middle of the tile", "at the centre of the image", "around the middle"],
           "north half": ["in the northern half", "in the upper half", "in the top half"], "south half": ["in the southern half", "in the lower half", "in the bottom half"],
           "west half": ["in the western half", "in the left half", "on the west side"], "east half": ["in the eastern half", "in the right half", "on the east side"]}
POS_TRUE = ["most of the {n} lies {r}", "the {n} is concentrated {r}", "{n} clusters {r}", "{n} is mainly found {r}", "the bulk of the {n} sits {r}"]
POS_FALSE = ["the {n} is confined to {r2}", "all the {n} lies {r}", "{n} only occurs {r}", "the {n} is found exclusively {r}", "{n} appears solely {r}"]

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
def date_txt(y, m, d):
    M = MONTHS[m-1]
    return rng.choice([f"{d} {M} {y}", f"{M} {d}, {y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}", f"{M[:3]} {d} {y}",
                       f"{d}-{M[:3]}-{y}", f"{y}/{m:02d}/{d:02d}", f"the {d}{'st' if d in (1,21,31) else 'nd' if d in (2,22) else 'rd' if d in (3,23) else 'th'} of {M} {y}"])
DATE_V = ["acquired on {d}", "captured {d}", "imaged on {d}", "recorded on {d}", "taken on {d}", "the acquisition date is {d}", "date of capture: {d}",
          "sensed on {d}", "shot on {d}", "the scene dates from {d}", "overpass on {d}"]
MONTH_V = ["taken in {m}", "acquired during {m}", "from {m}", "captured sometime in {m}", "an image from {m}", "the acquisition falls in {m}"]
YEAR_V = ["taken in {y}", "from the year {y}", "a {y} acquisition", "imaged in {y}", "dating from {y}"]
SEASON_W = {"winter": ["winter", "the winter months", "midwinter", "the cold season"], "summer": ["summer", "high summer", "the summer months", "midsummer"],
            "spring": ["spring", "springtime", "early spring"], "autumn": ["autumn", "the fall", "autumn (fall)", "early autumn"]}
SEASON_V = ["acquired in {s}", "a {s} scene", "taken during {s}", "this is a {s} image", "the season is {s}", "captured in {s}", "season: {s}",
            "photographed in {s}", "shows {s} conditions"]

def elev_txt(q): return pick(f"{q} m", f"{q} metres", f"{q:,} m above sea level", f"{q} m a.s.l.", f"{q} meters")

# ---------------------------------------------------------------- generators: each returns list of (family, text, pred)
def gen_true(T):
    out = []; g = T.get("geo") or {}
    if T["lc_evidence"]:
        for c, L in T["lc_lower"].items():
            if c not in CLS: continue
            U = T["lc_upper"][c]
            qs = [q for q in NICE if q <= L - 0.03]
            if qs and L >= 0.07:
                for _ in range(3):
                    q = rng.choice(qs); out.append(("landcover_share", share_clause(c, "ge", q=q), {"k": "lc_ge", "c": c, "q": q}))
            ub = [q for q in NICE if q >= U + 0.05]
            if ub:
                for _ in range(2):
                    q = rng.choice(ub[:3]); out.append(("landcover_share", share_clause(c, "le", q=q), {"k": "lc_le", "c": c, "q": q}))
                lo = [q for q in NICE if q <= L - 0.03]
                if lo and L >= 0.07:
                    a = rng.choice(lo); b = rng.choice(ub[:3])
                    out.append(("landcover_share", share_clause(c, "between", a=a, b=b), {"k": "lc_between", "c": c, "a": a, "b": b}))
            if L >= 0.005:
                for _ in range(2):
                    out.append(("landcover_presence", rng.choice(PRESENT).format(n=cname(c)), {"k": "lc_present", "c": c}))
            if L >= 0.5:
                out.append(("dominance", rng.choice(DOMINANT).format(n=cname(c)), {"k": "lc_dominant", "c": c}))
            pos = T["lc_positions"].get(c)
            if pos and T["lc_labelled_frac"] >= 0.6:  # true position claims only where most of the tile is labelled
                for reg, s in pos.items():
                    if s >= (0.75 if "half" in reg else 0.5) and (T["lc_lower"][c] * 16384) >= 400:
                        out.append(("position", rng.choice(POS_TRUE).format(n=cname(c), r=rng.choice(REGIONS[reg])), {"k": "lc_pos", "c": c, "reg": reg}))
        cl = [c for c in T["lc_lower"] if c in CLS]
        for x in cl:
            for y in CLS:
                if x != y and T["lc_lower"][x] > T["lc_upper"].get(y, 1):
                    out.append(("comparison", pick(f"there is more {cname(x)} than {cname(y)}", f"{cname(x)} exceeds {cname(y)}", f"{cname(x)} outweighs {cname(y)} in area"), {"k": "lc_cmp", "x": x, "y": y}))
    for c in rng.sample(EXOTIC, 3):
        out.append(("landcover_presence", pick(f"no {c}", f"there are no {c}", f"nothing like {c} here", f"{c}: absent", f"not a trace of {c}"), {"k": "geo_absent_class", "c": c, "pol": "neg"}))
    if T.get("water_evidence"):
        wlo, whi = T["water_lo"], T["water_hi"]
        if wlo >= 0.01:
            for _ in range(2): out.append(("water", pick("there is some open water", "a bit of open water is visible", "some water shows up", "water is present", "a small water body appears", "a patch of water can be seen"), {"k": "water_present"}))
        if whi < 0.002:
            for _ in range(2): out.append(("water", pick("no open water is visible", "there is no water body", "the tile is dry land without water", "no lakes or rivers", "free of open water", "water: none"), {"k": "water_absent"}))
        ub = [q for q in NICE if q >= whi + 0.03]
        if ub:
            q = ub[0] if rng.random() < .5 else rng.choice(ub[:3])
            out.append(("water", pick(f"water covers {rng.choice(LE).format(q=share_txt(q))} of the tile", f"open water is {rng.choice(LE).format(q=share_txt(q))} of the area", f"{rng.choice(LE).format(q=share_txt(q))} of the scene is water"), {"k": "water_le", "q": q}))
        wp = T.get("water_positions")
        if wp and wlo >= 0.01:
            for reg, s in ([] if T["water_hi"] > 2 * T["water_lo"] else wp.items()):  # only where the water layers agree
                if s >= 0.8: out.append(("position", pick(f"the water lies {rng.choice(REGIONS[reg])}", f"water is mostly {rng.choice(REGIONS[reg])}"), {"k": "water_pos", "reg": reg}))
    if T.get("s2_evidence"):
        m = T["ndvi_mean"]
        if m <= 0.3:
            plain_land = T["snow_frac"] < 0.005 and T["water_hi"] < 0.1
            extra = ["the vegetation is sparse and brownish", "the fields look bare and winter-brown", "little green biomass"] if plain_land else []
            for _ in range(2): out.append(("vegetation", rng.choice(["vegetation looks dormant", "plants are mostly dormant", "vegetation vigour is low", "weak vegetation signal", "greenness is low"] + extra), {"k": "veg_state", "s": "dormant"}))
            q = pick(0.4, 0.45, 0.5); out.append(("vegetation", pick(f"mean NDVI is below {q}", f"NDVI stays under {q} on average", f"average NDVI < {q}", f"the NDVI averages less than {q}"), {"k": "ndvi_le", "q": q}))
        if m >= 0.6 and T["ndvi_high_frac"] >= 0.5:
            for _ in range(2): out.append(("vegetation", pick("vegetation is lush and green", "the vegetation is vigorous", "healthy green vegetation everywhere", "strong, dense green cover", "plants are in full leaf", "very green, vigorous growth"), {"k": "veg_state", "s": "lush"}))
            q = pick(0.4, 0.45, 0.5); out.append(("vegetation", pick(f"mean NDVI is above {q}", f"NDVI averages over {q}", f"average NDVI > {q}", f"the NDVI is higher than {q} on average"), {"k": "ndvi_ge", "q": q}))
        if T["ndvi_high_frac"] >= 0.7:
            out.append(("dominance", pick("green vegetation dominates the scene", "the tile is mostly vegetated", "vegetation covers most of the image", "predominantly vegetated land"), {"k": "veg_dominant"}))
        h = T["ndvi_half"]
        for a, b in [("north", "south"), ("south", "north"), ("west", "east"), ("east", "west")]:
            if (h[a] or 0) - (h[b] or 0) >= 0.08:
                out.append(("comparison", pick(f"the {a}ern half is greener than the {b}ern half", f"vegetation is denser in the {a} than in the {b}", f"the {b} side is less green than the {a} side", f"NDVI is higher in the {a}ern part than in the {b}ern part"), {"k": "ndvi_half_cmp", "a": a, "b": b}))
        if T["snow_frac"] >= 0.3:
            for _ in range(2): out.append(("other:snow", pick("snow covers much of the ground", "the ground is snow-covered", "a blanket of snow lies over the area", "it's snowy", "snow is present across the tile"), {"k": "snow_present"}))
        if T["snow_frac"] < 0.005:
            out.append(("other:snow", pick("no snow on the ground", "snow-free", "there is no snow cover", "no snow visible"), {"k": "snow_absent"}))
    sar = T.get("sar") or {}
    for band, st in sar.items():
        pol = band.split("_")[0]; mm = st["mean"]; lo = int(mm) - 3; hi = int(mm) + 2
        lo, hi = round(mm) - 2, round(mm) + 2
        out.append(("sar", pick(f"mean {pol} backscatter is between {lo} and {hi} dB", f"{pol} averages roughly {round(mm)} dB (±2)", f"Sentinel-1 {pol} sits around {round(mm)} dB, give or take 2 dB", f"{pol} backscatter ranges {lo} to {hi} dB on average", f"average {pol} of about {round(mm)} dB"), {"k": "sar_mean", "band": band, "lo": lo, "hi": hi}))
    if sar:
        out.append(("sar", pick("VH backscatter is weaker than VV", "the cross-pol (VH) return is lower than co-pol (VV)", "VV exceeds VH in the radar image", "co-polarised backscatter is stronger than cross-polarised"), {"k": "sar_cmp", "s": "vh_weaker"}))
        o = T["sar_orbit"]; out.append(("sar", pick(f"the radar pass is {o}", f"Sentinel-1 was on a {o} orbit", f"{o} Sentinel-1 orbit", f"SAR from a {o} pass"), {"k": "sar_orbit", "o": o}))
    y, mo, d = T["year"], T["month"], T["day"]
    for _ in range(2): out.append(("season", rng.choice(DATE_V).format(d=date_txt(y, mo, d)), {"k": "date", "ymd": [y, mo, d]}))
    out.append(("season", rng.choice(MONTH_V).format(m=pick(f"{MONTHS[mo-1]} {y}", f"{MONTHS[mo-1][:3]} {y}", f"{mo:02d}/{y}")), {"k": "month", "y": y, "m": mo}))
    out.append(("season", rng.choice(YEAR_V).format(y=y), {"k": "year", "y": y}))
    for _ in range(2): out.append(("season", rng.choice(SEASON_V).format(s=rng.choice(SEASON_W[T["season"]])), {"k": "season", "s": T["season"]}))
    C = T["country"]
    for _ in range(2): out.append(("place", pick(f"located in {C}", f"somewhere in {C}", f"this is {C}", f"a tile from {C}", f"country: {C}", f"the place is in {C}", f"{C}"), {"k": "country", "c": C}))
    if g:
        out.append(("place", pick(f"in {g['region']}", f"part of {g['region']}", f"region: {g['region']}", f"in {g['subregion']}", f"{g['subregion']}"), {"k": "region", "r": g["region"]}))
        t = rng.choice(g["towns"] or ["-"])
        if g["towns"]: out.append(("place", pick(f"near {t}", f"not far from {t}", f"a short drive from {t}", f"close to {t}", f"in the {t} area"), {"k": "town", "t": t}))
        out.append(("place", pick("in the northern hemisphere", "north of the equator"), {"k": "hemisphere", "h": "northern"}))
        er = g["elev_range"]; q = pick(400, 500, 800, 1000) if er[1] <= 400 else pick(800, 1000, 1200)
        out.append(("elevation", pick(f"the ground lies below {elev_txt(q)}", f"elevation under {elev_txt(q)}", f"nowhere higher than {elev_txt(q)}", f"low elevation, under {elev_txt(q)}"), {"k": "elev_le", "q": q}))
        out.append(("slope", pick("slopes are gentle", "gentle slopes only", "no steep slopes", "slopes stay gentle"), {"k": "slope_gentle"}))
        if "flat" in g["relief"]:
            out.append(("terrain", pick("flat terrain", "the terrain is flat", "a flat lowland", "level ground"), {"k": "terrain", "t": "flat"}))
        out.append(("canopy", pick("no tree is taller than 50 m", "tree heights stay well below 50 m", "canopy height under 50 metres"), {"k": "canopy_le", "m": 50}))
    return out

def gen_false(T):
    """returns dict family -> list of (text, pred)"""
    F = {}; g = T.get("geo") or {}
    def add(fam, text, pred): F.setdefault(fam, []).append((text, pred))
    if T["lc_evidence"]:
        for c, L in T["lc_lower"].items():
            if c not in CLS: continue
            U = T["lc_upper"][c]
            lo = [q for q in NICE if q <= L - 0.08 and q <= L / 2]
            for q in lo:
                fm = rng.choice(["le", "about"]); add("landcover_share", share_clause(c, fm, q=q), {"k": "lc_le" if fm == "le" else "lc_about", "c": c, "q": q})
            hi = [q for q in NICE if q >= U + 0.15]
            for q in hi[:3]:
                fm = rng.choice(["ge", "about"]); add("landcover_share", share_clause(c, fm, q=q), {"k": "lc_ge" if fm == "ge" else "lc_about", "c": c, "q": q})
            if lo and len(lo) >= 2: add("landcover_share", share_clause(c, "between", a=lo[0], b=lo[1]), {"k": "lc_between", "c": c, "a": lo[0], "b": lo[1]})
            if L >= 0.25: add("landcover_share", rng.choice(LITTLE).format(n=cname(c)), {"k": "lc_little", "c": c})
            if L >= 0.01:
                for _ in range(2): add("landcover_presence", rng.choice(ABSENT).format(n=cname(c)), {"k": "lc_absent", "c": c})
            if U < 0.4:
                for _ in range(2): add("dominance", rng.choice(DOMINANT).format(n=cname(c)), {"k": "lc_dominant", "c": c})
            pos = T["lc_positions"].get(c)
            if pos and L * 16384 >= 400:
                for reg, s in pos.items():
                    if reg in ("north", "south", "west", "east"): continue  # edge cells: 'only in the north' would be ambiguous
                    if s <= (0.25 if "half" in reg else 0.05):
                        tpl = rng.choice(POS_FALSE); r = rng.choice(REGIONS[reg])
                        r2 = r.replace("in the ", "the ").replace("along the ", "the ").replace("on the ", "the ").replace("at the ", "the ").replace("up in the ", "the ").replace("down in the ", "the ").replace("around the ", "the ")
                        add("position", tpl.format(n=cname(c), r=r, r2=r2), {"k": "lc_pos", "c": c, "reg": reg})
        pres = [c for c, L in T["lc_lower"].items() if c in CLS and L >= 0.01]
        if len(pres) >= 2:
            a, b = rng.sample(pres, 2)
            add("landcover_presence", rng.choice(NEITHER).format(a=cname(a), b=cname(b)), {"k": "lc_absent", "c": a})
        for x in CLS:
            for y in CLS:
                if x != y and T["lc_upper"].get(x, 1) < T["lc_lower"].get(y, 0):
                    add("comparison", pick(f"there is more {cname(x)} than {cname(y)}", f"{cname(x)} exceeds {cname(y)}", f"{cname(x)} covers twice as much ground as {cname(y)}", f"{cname(x)} outweighs {cname(y)}"), {"k": "lc_cmp", "x": x, "y": y})
    for c in rng.sample(EXOTIC, 4):
        add("landcover_presence", pick(f"{c} cover part of the tile", f"there are {c}", f"patches of {c} are visible", f"you can see {c}", f"a stretch of {c}"), {"k": "geo_absent_class", "c": c})
    if T.get("water_evidence"):
        wlo, whi = T["water_lo"], T["water_hi"]
        if wlo >= 0.01:
            for _ in range(3): add("water", pick("there is no water anywhere", "no sign of open water", "the tile is completely dry", "not a drop of surface water", "lakes and rivers are absent", "water: none", "free of any water bodies"), {"k": "water_absent"})
        if whi < 0.002:
            for _ in range(2): add("water", pick("a lake is visible", "a river crosses the tile", "there is a pond", "open water is present", "a water body shows up"), {"k": "water_present"})
        for q in [q for q in NICE if q >= whi + 0.15 and q >= 0.3][:3]:
            add("water", pick(f"water covers {rng.choice(GE).format(q=share_txt(q))} of the tile", f"a lake fills {rng.choice(GE).format(q=share_txt(q))} of the scene", f"{rng.choice(GE).format(q=share_txt(q))} of the area is open water", f"mostly water: {rng.choice(GE).format(q=share_txt(q))}"), {"k": "water_ge", "q": q})
        if whi < 0.3:
            add("dominance", pick("the scene is dominated by open water", "mostly water", "water dominates the tile", "the tile is predominantly a lake"), {"k": "water_ge", "q": 0.5})
        if wlo >= 0.1:
            add("water", pick("water makes up under 1% of the tile", "hardly any water (<1 %)"), {"k": "water_le", "q": 0.01})
        wp = T.get("water_positions")
        if wp and wlo >= 0.01:
            for reg, s in wp.items():
                if s <= 0.2: add("position", pick(f"all the water lies {rng.choice(REGIONS[reg])}", f"the water is confined {rng.choice(REGIONS[reg])}"), {"k": "water_pos", "reg": reg})
        add("water", pick("the tile sits on a sea coast", "waves of the open sea are visible", "a sandy ocean beach runs along the edge", "this is a coastal tile with sea water", "the shoreline of the sea crosses the image"), {"k": "sea"})
    if T.get("s2_evidence"):
        m = T["ndvi_mean"]
        if m <= 0.4:
            for _ in range(2): add("vegetation", pick("vegetation is lush and vigorous", "the crops are in full green growth", "dense, vibrant green vegetation", "peak-season greenery everywhere", "very high NDVI throughout", "plants are at their most vigorous"), {"k": "veg_state", "s": "lush"})
            q = pick(0.6, 0.65, 0.7); add("vegetation", pick(f"mean NDVI exceeds {q}", f"NDVI averages above {q}", f"average NDVI > {q}"), {"k": "ndvi_ge", "q": q})
        if m >= 0.55 and T["ndvi_low_frac"] < 0.2:
            for _ in range(2): add("vegetation", pick("the vegetation is dormant and brown", "there is barely any green vegetation", "plants look dead or dormant", "very low vegetation vigour", "sparse, withered vegetation"), {"k": "veg_state", "s": "dormant"})
            q = pick(0.2, 0.25, 0.3); add("vegetation", pick(f"mean NDVI is below {q}", f"NDVI averages under {q}", f"average NDVI < {q}"), {"k": "ndvi_le", "q": q})
            if T["ndvi_high_frac"] >= 0.5:
                add("dominance", pick("the scene is dominated by bare soil", "mostly built-up, paved surfaces", "bare rock dominates", "the tile is mainly sealed urban land"), {"k": "nonveg_dominant"})
        h = T["ndvi_half"]
        for a, b in [("north", "south"), ("south", "north"), ("west", "east"), ("east", "west")]:
            if (h[a] or 0) - (h[b] or 0) <= -0.08:
                add("comparison", pick(f"the {a}ern half is greener than the {b}ern half", f"vegetation is denser in the {a} than in the {b}", f"the {a} side is much greener than the {b} side"), {"k": "ndvi_half_cmp", "a": a, "b": b})
        if T["snow_frac"] < 0.005:
            add("other:snow", pick("snow covers the ground", "a thick blanket of snow", "the fields are snow-covered", "fresh snow lies everywhere", "snowy landscape"), {"k": "snow_present"})
        if T["snow_frac"] >= 0.3:
            add("other:snow", pick("there is no snow at all", "completely snow-free", "no snow on the ground"), {"k": "snow_absent"})
        if T["snow_frac"] >= 0.6:
            add("position", pick("snow is confined to the north-east corner", "only the south-west corner has snow", "snow appears only along the northern edge"), {"k": "snow_pos"})
    sar = T.get("sar") or {}
    for band, st in sar.items():
        pol = band.split("_")[0]; mm = st["mean"]
        wrong = pick(round(mm) + 10, round(mm) - 12, 3, -30 if mm > -22 else 0)
        add("sar", pick(f"mean {pol} backscatter is about {wrong} dB", f"{pol} averages around {wrong} dB", f"the {pol} channel sits near {wrong} dB"), {"k": "sar_mean", "band": band, "lo": wrong - 1, "hi": wrong + 1})
    if sar:
        add("sar", pick("VH backscatter is stronger than VV", "cross-pol exceeds co-pol throughout", "the VH return is brighter than VV"), {"k": "sar_cmp", "s": "vh_stronger"})
        o = T["sar_orbit"]; w = "ascending" if o == "descending" else "descending"
        add("sar", pick(f"the radar pass is {w}", f"Sentinel-1 was on a {w} orbit", f"SAR from a {w} pass"), {"k": "sar_orbit", "o": w})
    y, mo, d = T["year"], T["month"], T["day"]
    for _ in range(3):
        m2 = ((mo - 1 + rng.choice([3, 4, 5, 6, 7, 8])) % 12) + 1; y2 = y + rng.choice([0, 0, 1, -1, 2, 3]); d2 = rng.choice([d, 5, 12, 23, 28])
        add("season", rng.choice(DATE_V).format(d=date_txt(y2, m2, d2)), {"k": "date", "ymd": [y2, m2, d2]})
    m2 = ((mo - 1 + 6) % 12) + 1
    add("season", rng.choice(MONTH_V).format(m=pick(f"{MONTHS[m2-1]} {y}", f"{MONTHS[m2-1][:3]} {y}")), {"k": "month", "y": y, "m": m2})
    y3 = y + rng.choice([-3, -2, 3, 4, 5]); add("season", rng.choice(YEAR_V).format(y=y3), {"k": "year", "y": y3})
    opp = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}[T["season"]]
    for _ in range(2): add("season", rng.choice(SEASON_V).format(s=rng.choice(SEASON_W[opp])), {"k": "season", "s": opp})
    for wc in T["wrong_countries"][:3]: add("place", pick(f"located in {wc}", f"somewhere in {wc}", f"this is {wc}", f"a tile from {wc}", f"country: {wc}"), {"k": "country", "c": wc})
    if g:
        for wr in g["wrong_regions"][:2]: add("place", pick(f"in {wr}", f"part of {wr}", f"region: {wr}"), {"k": "region", "r": wr})
        for wt in g["wrong_towns"][:2]: add("place", pick(f"near {wt}", f"on the outskirts of {wt}", f"close to {wt}", f"a few km from {wt}"), {"k": "town", "t": wt})
        add("place", pick("in the southern hemisphere", "south of the equator"), {"k": "hemisphere", "h": "southern"})
        er = g["elev_range"]
        for q in [1500, 2000, 2500, 3000]:
            if er[1] < q - 300: add("elevation", pick(f"elevation above {elev_txt(q)}", f"the ground is higher than {elev_txt(q)}", f"a high plateau at over {elev_txt(q)}", f"altitude exceeds {elev_txt(q)}"), {"k": "elev_ge", "q": q})
        if er[0] > 300:
            add("elevation", pick("the land lies below 0 m, like a polder", "at sea level"), {"k": "elev_le", "q": 0})
        for deg in [25, 30, 35, 40]:
            add("slope", pick(f"the mean slope is steeper than {deg}°", f"mean slope above {deg} degrees", f"steep {deg}-degree hillsides across the whole tile", f"slopes average over {deg} deg", f"the entire tile sits on a {deg}° incline"), {"k": "slope_ge", "deg": deg})
        for _ in range(2): add("terrain", pick("rugged alpine mountains", "jagged mountain peaks", "a deep mountain valley", "high mountain ridges", "craggy, mountainous terrain", "snow-capped summits on the horizon"), {"k": "terrain", "t": "mountain"})
        if "hill" in g["relief"]:
            add("terrain", pick("perfectly flat terrain", "dead-flat ground"), {"k": "terrain", "t": "flat"})
        for mh in [45, 50, 60, 70]:
            add("canopy", pick(f"trees over {mh} m tall", f"canopy height averages {mh} m", f"towering {mh}-metre trees", f"the canopy reaches {mh} metres"), {"k": "canopy_ge", "m": mh})
    return F

# ---------------------------------------------------------------- consistency pairs
def contradicts(tp, fp):
    if tp["k"] == "season" and fp["k"] == "season": return True
    if tp["k"] == "water_present" and fp["k"] == "water_absent": return True
    if tp["k"] == "lc_present" and fp["k"] == "lc_absent" and tp["c"] == fp["c"]: return True
    if tp["k"] == "veg_state" and fp["k"] == "veg_state" and tp["s"] != fp["s"]: return True
    if tp["k"] == "snow_absent" and fp["k"] == "snow_present": return True
    if tp["k"] == "snow_present" and fp["k"] == "snow_absent": return True
    if tp["k"] == "country" and fp["k"] == "country": return True
    if tp["k"] == "sar_orbit" and fp["k"] == "sar_orbit": return True
    if tp["k"] == "month" and fp["k"] == "month": return True
    return False

# ---------------------------------------------------------------- styles
STYLES = ["plain", "alt_text", "gis_note", "chatbot", "social", "nonnative", "keywords", "dataset_caption", "field_report"]

def nonnative(c):
    # meaning-preserving second-language quirks
    subs = [(r"\bthe tile\b", "the tile area"), (r"\bthere is\b", "there have"), (r"\bis present\b", "is existing"),
            (r"\bthe \b", ""), (r"\ba \b", ""), (r"\bcan be seen\b", "is possible to see"), (r"\bcovers\b", "is covering"),
            (r"\bnear\b", "nearby of"), (r"\bacquired\b", "acquisitioned"), (r"\blies\b", "is lying")]
    rng.shuffle(subs)
    n = 0
    for a, b in subs:
        if n >= 2: break
        c2 = re.sub(a, b, c, count=1)
        if c2 != c: c = c2; n += 1
    return c

def render(style, clauses, tid):
    """clauses: list of raw clause strings; returns caption and list of rendered clause strings"""
    R = []
    if style == "plain":
        R = [cap(c) if i == 0 or rng.random() < .7 else c for i, c in enumerate(clauses)]
        out = R[0]
        for c in R[1:]:
            out += (". " + cap(c) if c[0].isupper() else rng.choice([", ", "; ", ", and ", " - "]) + c)
            if not c[0].isupper(): pass
        # re-render simple: rebuild to keep exactness
        out = ""; R2 = []
        for i, c in enumerate(clauses):
            if i == 0 or rng.random() < .6: cc = cap(c); sep = "" if i == 0 else ". "
            else: cc = c; sep = rng.choice([", ", "; ", ", and ", " – "])
            out += sep + cc; R2.append(cc)
        return out + ".", R2
    if style == "alt_text":
        lead = rng.choice(["Satellite image showing ", "Aerial view: ", "Image of a landscape tile where ", "Overhead satellite photo. ", "Top-down view in which ", "Satellite tile: "])
        R = [c for c in clauses]
        body = ", ".join(R[:-1]) + (" and " if len(R) > 1 else "") + R[-1]
        return lead + body + ".", R
    if style == "gis_note":
        R = [cap(c) for c in clauses]
        if rng.random() < .5:
            return f"Tile {tid}\n" + "\n".join(f"- {c}" for c in R), R
        return f"[{tid}] QA note: " + "; ".join(R) + ".", R
    if style == "chatbot":
        hedges = ["It looks like ", "From what I can tell, ", "I believe ", "As far as I can see, ", "", "", "It seems that ", "Apparently, "]
        open_ = rng.choice(["Sure! Here's a description of this satellite tile. ", "Great question! ", "Certainly. Based on the image: ", "Happy to help! ", "Here is what I can see. "])
        close = rng.choice([" Let me know if you need anything else!", " I hope this helps.", " Feel free to ask follow-up questions!", " (Note: I may be wrong about fine details.)", ""])
        parts = []
        for c in clauses:
            h = rng.choice(hedges)
            if not h and rng.random() < .3:
                cc = cap(c); parts.append(cc + rng.choice([", I think", " (if I'm reading it right)", ", probably", ", most likely"])); R.append(cc); continue
            cc = c if h else cap(c); parts.append(h + cc); R.append(cc)
        return open_ + ". ".join(cap(p) if p[0].islower() and not p.startswith(R[i]) else p for i, p in enumerate(parts)) + "." + close, R
    if style == "social":
        R = [c for c in clauses]
        emo = ["🛰️", "🌍", "🌲", "😍", "👀", "🔥", "✨", ""]
        tags = " ".join(rng.sample(["#remotesensing", "#sentinel2", "#EarthObservation", "#GIS", "#satellite", "#maps", "#landcover", "#copernicus"], 3))
        lead = rng.choice(["New tile just dropped! ", "ok this one is cool: ", "Look at this!! ", "Today's satellite pic: ", "", "check it out → "])
        return lead + " ".join(c + rng.choice(["!", "!!", ".", " " + rng.choice(emo)]) for c in R) + " " + tags, R
    if style == "nonnative":
        R = [nonnative(c) for c in clauses]
        lead = rng.choice(["In this image we can see that ", "This picture is showing: ", "Here is satellite image, ", "On this picture ", ""])
        return lead + ", also ".join(R) + rng.choice([".", ". Thank you.", " ."]), R
    if style == "keywords":
        R = [c.lower() if not any(w[0].isupper() for w in c.split()[1:] if w) else c for c in clauses]
        sep = rng.choice([" | ", "; ", ", ", " / "])
        return rng.choice(["keywords: ", "tags: ", "", "kw: "]) + sep.join(R), R
    if style == "dataset_caption":
        R = [c.lower() for c in clauses]
        return rng.choice(["a satellite image of an area where ", "remote sensing image: ", "an aerial image in which ", "a sentinel-2 tile where "]) + " , ".join(R) + " .", R
    if style == "field_report":
        R = [cap(c) for c in clauses]
        heads = ["Observed", "Also noted", "Further", "Checked", "Remark"]
        lines = [f"{heads[i % len(heads)]}: {c}." for i, c in enumerate(R)]
        return f"FIELD REPORT - tile {tid}\n" + "\n".join(lines) + rng.choice(["\nEnd of report.", "\n-- surveyor", ""]), R
    raise ValueError(style)

# ---------------------------------------------------------------- assemble
FALSE_PER_TILE, TRUE_PER_TILE = 48, 20

GEO_ONLY = {"elevation", "slope", "terrain", "canopy"}
AVAIL = {}

def main():
    tiles = sorted(T_ALL)
    state = rng.getstate()
    for tid in tiles:
        T = T_ALL[tid]
        fams = {f for f, v in gen_false(T).items() if any(evaluate(p, T)[0] == "false" for t, p in v)}
        for f in fams: AVAIL[f] = AVAIL.get(f, 0) + 1 / len(tiles)
    AVAIL["consistency"] = 1.0
    rng.setstate(state)
    captions = []; audit = []; style_ctr = 0
    style_order = STYLES[:]
    for tid in tiles:
        T = T_ALL[tid]
        TP = [c for c in gen_true(T) if evaluate(c[2], T)[0] == "true"]
        FP = {f: [(t, p) for t, p in v if evaluate(p, T)[0] == "false"] for f, v in gen_false(T).items()}
        FP = {f: v for f, v in FP.items() if v}
        cons = [(tc, fc) for tc in TP for f, v in FP.items() for fc in v if contradicts(tc[2], fc[1])]
        fams = sorted(FP) + (["consistency"] if cons else [])
        # weights: rarer families get more slots where they are available; geography-only families get half weight
        w = {f: min(3.0, 1.0 / AVAIL.get(f, 1.0)) * (0.5 if f in GEO_ONLY else 1.0) for f in fams}
        tot = sum(w.values()); raw = {f: FALSE_PER_TILE * w[f] / tot for f in fams}
        alloc = {f: int(raw[f]) for f in fams}
        for f in sorted(fams, key=lambda f: -(raw[f] - alloc[f]))[:FALSE_PER_TILE - sum(alloc.values())]: alloc[f] += 1
        slots = [f for f in fams for _ in range(alloc[f])]
        items = [("false", f) for f in slots] + [("true", None)] * TRUE_PER_TILE
        rng.shuffle(items)
        for n, (lab, fam) in enumerate(items):
            for attempt in range(50):
                style = STYLES[style_ctr % len(STYLES)]
                k = rng.randint(2, 5)
                chosen = []  # (family, text, pred, is_false)
                if lab == "false":
                    if fam == "consistency":
                        tc, fc = rng.choice(cons)
                        chosen = [(tc[0], tc[1], tc[2], False), ("consistency", fc[0], fc[1], True)]
                    else:
                        dec = [x for x in FP[fam] if evaluate(x[1], T)[1]]
                        t, p = rng.choice(dec if dec and rng.random() < 0.75 else FP[fam]); chosen = [(fam, t, p, True)]
                    used = {c[0] for c in chosen} | {fam}
                    if fam == "consistency": used |= {tc[0]}
                else:
                    used = set()
                pool = TP[:]; rng.shuffle(pool)
                for c in pool:
                    if len(chosen) >= k: break
                    if c[0] in used: continue
                    chosen.append((c[0], c[1], c[2], False)); used.add(c[0])
                if len(chosen) < 2: continue
                rng.shuffle(chosen)
                cap_text, rendered = render(style, [c[1] for c in chosen], tid)
                cap_text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", cap_text)
                ok = all(cap_text.count(r) >= 1 for r in rendered)
                fi = [i for i, c in enumerate(chosen) if c[3]]
                if lab == "false":
                    fc_txt = rendered[fi[0]]
                    ok = ok and cap_text.count(fc_txt) == 1 and all(fc_txt not in rendered[j] for j in range(len(rendered)) if j != fi[0])
                if ok: break
            else:
                raise RuntimeError("could not build caption for " + tid)
            style_ctr += 1
            cid = f"f6-{tid}-{n:03d}"
            rec = {"caption_id": cid, "tile_id": tid, "caption": cap_text, "label": lab}
            if lab == "false":
                c = chosen[fi[0]]
                rec.update(false_clause=rendered[fi[0]], false_family=c[0], decidable=evaluate(c[2], T)[1])
            rec["style"] = style
            captions.append(rec)
            for c, r in zip(chosen, rendered):
                audit.append({"caption_id": cid, "tile_id": tid, "clause": r, "family": c[0], "pred": c[2], "expected": "false" if c[3] else "true",
                              "decidable": evaluate(c[2], T)[1]})
    # split by tile
    r2 = random.Random(SEED + 1)
    bb = [t for t in tiles if t.startswith("bb6")]; be = [t for t in tiles if not t.startswith("bb6")]
    r2.shuffle(bb); r2.shuffle(be)
    dev = sorted(bb[:10] + be[:2])
    json.dump({"dev_tiles": dev, "test_tiles": sorted(set(tiles) - set(dev)), "seed": SEED}, open("split_dev_tiles.json", "w"), indent=1)
    with open("dev.jsonl", "w") as fd, open("test.jsonl", "w") as ft:
        for rec in captions:
            (fd if rec["tile_id"] in dev else ft).write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open("clauses_audit.jsonl", "w") as fa:
        for a in audit: fa.write(json.dumps(a, ensure_ascii=False) + "\n")
    print(len(captions), "captions")

if __name__ == "__main__":
    main()
