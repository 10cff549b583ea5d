"""Deterministic planted-claim caption writer (seed 7130). Reads truth.json, writes dev/test jsonl,
clauses_audit.jsonl, split_dev_tiles.json. Every clause carries a machine-checkable spec that
selfcheck.evaluate() re-checks; a clause is only kept when its verdict is the intended one."""
import json, random, re, collections
from selfcheck import evaluate, decided_by_layers, TOWNS, km, TRUE_REGIONS

SEED = 7130
R = random.Random(SEED)
truth = json.load(open("truth.json"))

NAMES = {
    "trees": ["forest", "woodland", "trees", "tree cover", "woods", "wooded land", "forest patches"],
    "crops": ["cropland", "farmland", "arable fields", "crop fields", "agricultural land", "ploughed fields", "farm fields"],
    "grass": ["grassland", "meadows", "pasture", "grass", "grassy areas", "meadow land"],
    "shrub": ["shrubland", "scrub", "bushes", "shrubs", "scrubland"],
    "built": ["built-up area", "buildings", "houses", "settlement", "urban area", "built-up land"],
    "flooded_vegetation": ["wetland", "marsh", "reed beds", "flooded vegetation", "marshy ground"],
    "water": ["water", "open water", "surface water", "water bodies"],
}
CLS = list(NAMES)
NICE = [(0.01, ["1%", "one percent", "1 per cent"]), (0.02, ["2%", "two percent", "2 percent"]),
        (0.03, ["3%", "three per cent"]), (0.05, ["5%", "five percent", "a twentieth", "5 pct"]),
        (0.1, ["10%", "a tenth", "ten percent", "one tenth", "10 per cent"]), (0.15, ["15%", "fifteen percent"]),
        (0.2, ["20%", "a fifth", "one fifth", "twenty percent"]), (0.25, ["25%", "a quarter", "one-quarter", "25 percent"]),
        (0.3, ["30%", "thirty percent"]), (1 / 3, ["a third", "one third", "33%"]), (0.4, ["40%", "forty per cent", "two fifths"]),
        (0.5, ["half", "50%", "fifty percent"]), (0.6, ["60%", "three fifths", "sixty percent"]),
        (2 / 3, ["two thirds", "two-thirds"]), (0.7, ["70%", "seventy percent"]), (0.75, ["three quarters", "75%"]),
        (0.8, ["80%", "four fifths", "eighty percent"]), (0.9, ["90%", "nine tenths", "ninety percent"])]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
OTHER_REG = {"Germany": ["Bavaria", "Saxony", "Lower Saxony", "Schleswig-Holstein", "the Black Forest", "Thuringia",
                         "Mecklenburg-Vorpommern", "the Rhineland"],
             "Ireland": ["Northern Ireland", "County Donegal", "Connemara", "County Kerry", "the Scottish Highlands"],
             "Portugal": ["the Algarve", "the Douro valley", "the Minho", "the Azores", "Madeira"],
             "Finland": ["Lapland", "Uusimaa", "the Åland Islands", "Ostrobothnia"],
             "Austria": ["Tyrol", "Vienna", "Carinthia", "Styria", "Vorarlberg"]}
OTHER_C = {"Germany": ["Poland", "the Netherlands", "the Czech Republic", "Denmark", "Belgium"],
           "Ireland": ["Wales", "Scotland", "England", "France"], "Portugal": ["Spain", "Morocco", "France"],
           "Finland": ["Russia", "Sweden", "Norway", "Estonia"], "Austria": ["Germany", "Switzerland", "the Czech Republic", "Slovenia", "Hungary"]}
CSPEC = {"Poland": "Poland", "the Netherlands": "Netherlands", "the Czech Republic": "Czechia", "Denmark": "Denmark",
         "Belgium": "Belgium", "Wales": "United Kingdom", "Scotland": "United Kingdom", "England": "United Kingdom",
         "France": "France", "Spain": "Spain", "Morocco": "Morocco", "Russia": "Russia", "Sweden": "Sweden",
         "Norway": "Norway", "Estonia": "Estonia", "Germany": "Germany", "Switzerland": "Switzerland",
         "Slovenia": "Slovenia", "Hungary": "Hungary", "Ireland": "Ireland", "Portugal": "Portugal",
         "Finland": "Finland", "Austria": "Austria"}
ADJ = {"Germany": "German", "Ireland": "Irish", "Portugal": "Portuguese", "Finland": "Finnish", "Austria": "Austrian"}
SEASON_W = {"winter": ["winter", "wintertime", "the cold season"], "summer": ["summer", "summertime"],
            "spring": ["spring", "springtime"], "autumn": ["autumn", "fall"]}

def pick(xs): return R.choice(xs)
def nm(c): return pick(NAMES[c])
def nice_below(v, f=0.75):
    c = [(x, p) for x, p in NICE if x <= v * f and x <= v - 0.02]
    return R.choice(c[-3:]) if c else None
def nice_above(v, f=1.4, add=0.03):
    c = [(x, p) for x, p in NICE if x >= v * f and x >= v + add]
    return R.choice(c[:3]) if c else None
def share(T, c):
    if c == "water": return (T["water_lo"] or 0.0), T["water_hi"]
    if not T["landcover_evidence"]: return None, None
    return T["lc_lo"][c], T["lc_hi"][c]
def be(c, sing="is", plur="are"):
    return plur if c in ("trees", "bushes", "shrubs", "buildings", "houses", "meadows", "woods", "reed beds", "farm fields", "crop fields",
                         "arable fields", "ploughed fields", "water bodies", "forest patches", "grassy areas") else sing

DIRS = {"north": ["in the north", "in the northern half", "along the top", "up north", "in the upper part"],
        "south": ["in the south", "in the southern half", "along the bottom", "in the lower part", "down south"],
        "west": ["in the west", "on the western side", "along the western side", "on the left side", "to the west"],
        "east": ["in the east", "on the eastern side", "along the eastern side", "on the right side", "to the east"],
        "north-west": ["in the north-west corner", "in the NW corner", "top-left", "in the northwest"],
        "north-east": ["in the north-east corner", "in the NE corner", "top-right", "in the northeast"],
        "south-west": ["in the south-west corner", "in the SW corner", "bottom-left", "in the southwest"],
        "south-east": ["in the south-east corner", "in the SE corner", "bottom-right", "in the southeast"],
        "centre": ["in the centre", "in the center", "in the middle", "around the centre of the tile"]}

# ---------------------------------------------------------------- generators: each returns (text, spec) or None
def g_share(T, want):
    c = pick(CLS if R.random() < 0.3 else CLS[:-1]); lo, hi = share(T, c)
    if lo is None: return None
    n = nm(c); fam = "water" if c == "water" else "landcover_share"
    if want:
        r = R.random()
        if r < 0.6:
            nb = nice_below(lo)
            if not nb: return None
            x, ph = nb; p = pick(ph)
            t = pick([f"at least {p} of the tile is {n}", f"{n} covers more than {p} of the area", f"over {p} is {n}",
                      f"{n} makes up no less than {p} of the scene", f"{n} takes up more than {p}",
                      f"{n}: > {p}", f"a good {p} or more is {n}", f"{n} accounts for upwards of {p} of the image",
                      f"more than {p} of the ground is {n}", f"{n} occupy over {p}", f"{n} > {p} of tile area",
                      f"{n} is more than {p} of the picture", f"not less than {p} of it is {n}"])
            return t, {"kind": "min", "cls": c, "x": x}, fam
        else:
            na = nice_above(hi, 1.5, 0.04)
            if not na: return None
            x, ph = na; p = pick(ph)
            t = pick([f"{n} covers less than {p} of the tile", f"under {p} is {n}", f"{n} takes at most {p}",
                      f"no more than {p} of the area is {n}", f"{n} stays below {p}", f"{n} < {p}",
                      f"{n} is well under {p} of the scene", f"less than {p} of the image shows {n}",
                      f"{n} makes up a small share, below {p}", f"{n} doesn't reach {p} of the area"] +
                     ([f"barely any {n}", f"only a little {n}", f"hardly any {n} to speak of"] if x <= 0.05 else []))
            return t, {"kind": "max", "cls": c, "x": x}, fam
    else:
        r = R.random()
        if r < 0.55:
            na = [(x, p) for x, p in NICE if x <= lo / 1.6 and x <= lo - 0.05]
            if not na: return None
            x, ph = R.choice(na[-3:]); p = pick(ph)
            t = pick([f"{n} covers less than {p} of the tile", f"under {p} of the area is {n}", f"{n} takes at most {p}",
                      f"only about {p} or less is {n}", f"{n} stays below {p}", f"{n} < {p} of the tile",
                      f"{n} is a tiny fraction, not even {p}", f"no more than {p} of the scene is {n}",
                      f"less than {p} of the picture is {n}", f"{n} occupies under {p}"])
            return t, {"kind": "max", "cls": c, "x": x}, fam
        else:
            na = [(x, p) for x, p in NICE if hi <= x * 0.6 and hi <= x - 0.03]
            if not na: return None
            x, ph = R.choice(na[:4]); p = pick(ph)
            t = pick([f"at least {p} of the tile is {n}", f"{n} covers more than {p} of the area", f"over {p} is {n}",
                      f"{n} make up {p} or more of the scene", f"roughly {p}, maybe more, is {n}",
                      f"{n} > {p}", f"{n} spreads over more than {p} of the image", f"{p}+ of the ground is {n}",
                      f"loads of {n}, at least {p}", f"tons of {n} (over {p})",
                      f"{n} accounts for well over {p}"])
            return t, {"kind": "min", "cls": c, "x": x}, fam

def g_presence(T, want):
    c = pick(CLS if R.random() < 0.3 else CLS[:-1]); lo, hi = share(T, c)
    if lo is None: return None
    n = nm(c); fam = "water" if c == "water" else "landcover_presence"
    if want:
        if lo >= 0.01:
            t = pick([f"there is some {n}", f"{n} {be(n)} present", f"you can see {n}", f"a bit of {n} shows up",
                      f"some {n} visible", f"{n} can be seen", f"the tile includes {n}", f"{n} appear here and there",
                      f"there's {n} in the scene", f"{n}: yes", f"scattered {n}", f"contains {n}", f"with patches of {n}"])
            return t, {"kind": "present", "cls": c}, fam
        if hi <= 0.001:
            t = pick([f"there is no {n}", f"no sign of {n}", f"free of {n}", f"{n} {be(n)} absent", f"the tile lacks {n}",
                      f"not a trace of {n}", f"zero {n}", f"without any {n}", f"{n}: none", f"there isn't any {n}"])
            return t, {"kind": "absent", "cls": c}, fam
        return None
    else:
        if lo >= 0.03:
            t = pick([f"there is no {n}", f"no sign of {n}", f"completely free of {n}", f"{n} {be(n)} absent", f"the tile lacks {n}",
                      f"not a trace of {n} anywhere", f"zero {n}", f"without any {n}", f"{n}: none", f"there isn't any {n}",
                      f"no {n} at all", f"{n} {be(n, 'is', 'are')} nowhere to be seen", f"you won't find any {n} here",
                      f"not one bit of {n}", f"devoid of {n}", f"{n} is missing entirely"])
            return t, {"kind": "absent", "cls": c}, fam
        if hi <= 0.001:
            t = pick([f"there is plenty of {n}", f"{n} {be(n)} clearly visible", f"loads of {n}", f"a big patch of {n}",
                      f"tons of {n}", f"{n} stands out", f"lots of {n} in the image"])
            return t, {"kind": "present", "cls": c}, fam
        return None

def g_dominance(T, want):
    c = pick(CLS); lo, hi = share(T, c)
    if lo is None: return None
    n = nm(c); fam = "dominance"
    if want:
        if lo >= 0.6:
            t = pick([f"mostly {n}", f"{n} dominates the tile", f"the scene is dominated by {n}", f"{n} cover most of it"])
            return t, {"kind": "major", "cls": c}, fam
        return None
    if hi <= 0.35:
        t = pick([f"mostly {n}", f"{n} dominates the tile", f"the scene is dominated by {n}", f"{n} covers most of the area",
                  f"{n} takes up the majority of the image", f"the bulk of the tile is {n}", f"predominantly {n}",
                  f"more than half of it is {n}", f"{n} everywhere, basically", f"{n} make up most of what you see",
                  f"largely {n}", f"it's {n} nearly wall to wall", f"{n} is the main thing here", f"overwhelmingly {n}"])
        return t, {"kind": "major", "cls": c}, fam
    return None

def g_water_approx(T, want):
    lo, hi = share(T, "water")
    if T["water_lo"] is None: return None
    v = (lo + hi) / 2
    if want:
        if hi - lo > 0.03: return None
        cand = [(x, p) for x, p in NICE if abs(v - x) <= max(0.005, 0.25 * x) and lo >= 0.5 * x]
        if not cand: 
            if hi <= 0.01:
                t = pick(["hardly any water", "barely any water", "water is practically absent, well under 5%",
                          "almost no open water", "only a negligible amount of water"])
                return t, {"kind": "max", "cls": "water", "x": 0.05}, "water"
            return None
        x, ph = pick(cand); p = pick(ph)
        t = pick([f"water covers about {p} of the tile", f"roughly {p} is open water", f"around {p} water",
                  f"approximately {p} of the scene is water", f"water ≈ {p}", f"some {p} of the area is under water",
                  f"water makes up about {p}"])
        return t, {"kind": "approx", "cls": "water", "x": x}, "water"
    cand = [(x, p) for x, p in NICE if (lo - x >= max(0.12, x)) or (x - hi >= max(0.12, hi))]
    if not cand: return None
    x, ph = pick(cand); p = pick(ph)
    t = pick([f"water covers about {p} of the tile", f"roughly {p} is open water", f"around {p} water",
              f"approximately {p} of the scene is water", f"water ≈ {p}", f"about {p} of the area is a lake",
              f"a lake fills roughly {p} of the image", f"water bodies take up some {p}"])
    return t, {"kind": "approx", "cls": "water", "x": x}, "water"

def g_water_kind(T, want):
    if want: return None
    t = pick(["the sea coast runs through the tile", "a sandy beach along the ocean shore", "waves breaking on a coastline",
              "it's a coastal scene with the open sea", "the shoreline of the sea is visible", "a harbour on the seafront"])
    return t, {"kind": "coast"}, "water"

def g_position(T, want):
    opts = [c for c in CLS if share(T, c)[0] is not None and share(T, c)[0] >= 0.02]
    if not opts: return None
    c = pick(opts); n = nm(c); d = pick(list(DIRS)); w = pick(DIRS[d])
    sp = {"kind": "pos", "cls": c, "dir": d}
    v = evaluate(sp, T)
    if v != ("T" if want else "F"): return None
    t = pick([f"most of the {n} lies {w}", f"the {n} {be(n)} mainly {w}", f"{n} concentrated {w}", f"{w}, mostly {n}" if False else f"{n} mostly {w}",
              f"the bulk of the {n} sits {w}", f"{n} clustered {w}", f"{w} is where most {n} {be(n)}",
              f"{n} ({w})", f"you find the {n} chiefly {w}"])
    return t, sp, "position"

def g_relation(T, want):
    # relational statements framed as comparisons of extent
    opts = [c for c in CLS if share(T, c)[0] is not None]
    if len(opts) < 2: return None
    a, b = R.sample(opts, 2); na, nb = nm(a), nm(b)
    k = "twice" if R.random() < 0.25 else "more"
    sp = {"kind": k, "a": a, "b": b}
    v = evaluate(sp, T)
    if v != ("T" if want else "F"): return None
    if k == "more":
        t = pick([f"more {na} than {nb}", f"{na} exceeds {nb}", f"{na} outweighs {nb} in area", f"{nb} is less extensive than {na}",
                  f"there's more {na} than {nb}", f"{na} covers a larger area than {nb}", f"{na} > {nb}",
                  f"less {nb} than {na}", f"{na} beats {nb} on area"])
    else:
        t = pick([f"at least twice as much {na} as {nb}", f"{na} covers double the area of {nb} or more",
                  f"{na} is two times bigger than {nb}, at least", f"{na} ≥ 2× {nb}"])
    return t, sp, "comparison"

def g_veg(T, want):
    if not T["s2_evidence"]: return None
    k = pick(["lush", "sparse"])
    sp = {"kind": k}
    if evaluate(sp, T) != ("T" if want else "F"): return None
    if k == "lush":
        t = pick(["lush green vegetation covers most of the tile", "the plants look vigorous and healthy", "vivid green colour everywhere",
                  "vivid green color almost everywhere", "plenty of healthy green vegetation", "dense, healthy green cover", "very green, thriving vegetation",
                  "crops and grass are bright green and vigorous", "the greenery looks lush", "strong green vigour across the scene",
                  "strong green vigor across the scene", "a carpet of healthy green vegetation"])
    else:
        t = pick(["vegetation looks dormant", "there is little green vegetation", "vegetation looks winter-dormant", "greyish-brown colours, no lush green",
                  "grayish-brown colors, no lush green",
                  "plants are not actively growing", "hardly any green, vigorous vegetation", "low vegetation vigour",
                  "no lush greenery",
                  "barely any healthy green plants", "vegetation is weak"])
    return t, sp, "vegetation"

def g_snow(T, want):
    if not T["s2_evidence"]: return None
    k = pick(["snow", "nosnow"]); sp = {"kind": k}
    if evaluate(sp, T) != ("T" if want else "F"): return None
    if k == "snow":
        t = pick(["snow covers most of the ground", "a blanket of snow", "everything is snow-covered", "snowy landscape",
                  "lots of snow on the ground ❄️" if False else "lots of snow on the ground", "the ground is white with snow",
                  "snow lies across the tile"])
    else:
        t = pick(["no snow", "there's no snow on the ground", "snow-free", "not a flake of snow", "no snow cover at all",
                  "the ground is free of snow", "no snow visible"])
    return t, sp, "other:snow"

def fmt_date(y, m, d):
    M = MONTHS[m - 1]
    f = [f"{d} {M} {y}", f"{M} {d}, {y}", f"{y}-{m:02d}-{d:02d}", f"{d} {M[:3]} {y}", f"{M[:3]}. {d} {y}",
         f"{d}.{m}.{y}"]
    if d > 12: f += [f"{d}/{m:02d}/{y}", f"{m}/{d}/{y}"]
    return pick(f)

def g_date(T, want):
    y, m, d = T["year"], T["month"], T["day"]
    r = R.random()
    if r < 0.35:
        if not want:
            m2 = ((m - 1 + R.choice([3, 4, 5, 6, 7, 8])) % 12) + 1
            if m2 == 3: m2 = 9
            d2 = min(d, 28); sp = {"kind": "day", "y": y, "m": m2, "d": d2}; y_, m_, d_ = y, m2, d2
        else:
            sp = {"kind": "day", "y": y, "m": m, "d": d}; y_, m_, d_ = y, m, d
        ds = fmt_date(y_, m_, d_)
        t = pick([f"acquired on {ds}", f"imaged {ds}", f"captured {ds}", f"date: {ds}", f"taken on {ds}",
                  f"the scene dates from {ds}", f"recorded {ds}", f"picture from {ds}"])
        return t, sp, "season"
    if r < 0.6:
        m2 = m if want else ((m - 1 + R.choice([3, 4, 5, 6, 7, 8])) % 12) + 1
        if not want and m2 == 3: m2 = 10
        M = MONTHS[m2 - 1]
        t = pick([f"taken in {M}", f"a {M} image", f"captured in {M}", f"{M} acquisition", f"shot in {M} {y}",
                  f"from {M[:3]} {y}", f"this is a {M} scene"])
        return t, {"kind": "month", "m": m2}, "season"
    if r < 0.85:
        s = T["season"]
        if not want:
            s = pick({"winter": ["summer"], "summer": ["winter"], "autumn": ["spring"], "spring": ["autumn"]}[s])
        w = pick(SEASON_W[s])
        t = pick([f"taken in {w}", f"a {w} scene", f"it is {w} here", f"{w} conditions", f"seen in {w}",
                  f"the image was taken during {w}", f"looks like {w} (and it is)" if want else f"clearly a {w} image",
                  f"season: {w}"])
        return t, {"kind": "season", "s": s}, "season"
    y2 = y if want else y + pick([-5, -3, 3, 4, 6])
    if y2 == 2022: y2 = 2023
    t = pick([f"acquired in {y2}", f"from {y2}", f"a {y2} image", f"year {y2}", f"imagery from {y2}"])
    return t, {"kind": "year", "y": y2}, "season"

TRUE_TOWNS = lambda T: [n for n, p in TOWNS.items() if km((T["lat"], T["lon"]), p) <= 25]
FAR_TOWNS = lambda T: [n for n, p in TOWNS.items() if km((T["lat"], T["lon"]), p) >= 120 and
                       (km((T["lat"], T["lon"]), p) <= 700)]

def g_place(T, want):
    r = R.random(); c = T["country"]
    if r < 0.4:
        cn = c if want else pick(OTHER_C[c])
        t = pick([f"in {cn}", f"located in {cn}", f"somewhere in {cn}", f"this is {cn}", f"country: {cn}",
                  f"a rural bit of {cn}", f"{cn}, from above", f"a scene from {cn}"])
        return t, {"kind": "country", "c": CSPEC[cn]}, "place"
    if r < 0.7:
        rg = pick(sorted(TRUE_REGIONS[c])) if want else pick(OTHER_REG[c])
        t = pick([f"in {rg}", f"somewhere in {rg}", f"region: {rg}", f"part of {rg}", f"typical of {rg}, where it lies",
                  f"located in {rg}", f"this is {rg}"])
        return t, {"kind": "region", "r": rg}, "place"
    towns = TRUE_TOWNS(T) if want else FAR_TOWNS(T)
    if not towns: return None
    tw = pick(towns)
    d = km((T["lat"], T["lon"]), TOWNS[tw])
    opts = [f"near {tw}", f"not far from {tw}", f"close to {tw}", f"a short drive from {tw}",
            f"in the countryside around {tw}", f"in the {tw} area" if want else f"on the outskirts of {tw}"]
    if want and d <= 15: opts += [f"within a few kilometres of {tw}", f"within a few kilometers of {tw}", f"only {int(d) + 1} km or so from {tw}"]
    if not want: opts += [f"within a few kilometres of {tw}", f"right next to {tw}", f"just outside {tw}"]
    t = pick(opts)
    return t, {"kind": "near", "town": tw}, "place"

def g_sar(T, want):
    if not T["sar_evidence"]: return None
    vv = [v for n, v in T["sar"].items() if n.startswith("VV")][0]
    if R.random() < 0.5:
        x = round(vv) if want else round(vv) + pick([-12, -10, 8, 10, 12])
        sp = {"kind": "sar_vv", "x": float(x)}
        if evaluate(sp, T) != ("T" if want else "F"): return None
        t = pick([f"mean VV backscatter is about {x} dB", f"Sentinel-1 VV averages roughly {x} dB",
                  f"radar (VV) ≈ {x} dB", f"the SAR VV return sits near {x} dB", f"VV ~ {x} dB on average",
                  f"C-band VV backscatter around {x} dB"])
        return t, sp, "sar"
    sp = {"kind": "sar_vh_weaker", "vh_weaker": want}
    if evaluate(sp, T) != ("T" if want else "F"): return None
    t = pick(["VH backscatter is weaker than VV", "the cross-pol (VH) return is lower than co-pol VV",
              "VV is stronger than VH in the radar data", "VH sits several dB below VV"]) if want else pick(
        ["VH backscatter is stronger than VV", "the cross-pol VH return exceeds VV", "VH is brighter than VV on the radar",
         "VV is weaker than VH"])
    return t, sp, "sar"

def g_geo(T, want):
    if want: return None
    r = R.random()
    if r < 0.3:
        x = pick([1500, 2000, 2500, 3000, 1800])
        t = pick([f"elevation above {x:,} m", f"the ground sits higher than {x} metres", f"high alpine terrain over {x} m",
                  f"altitude: more than {x} m above sea level", f"mountain peaks above {x} meters"])
        return t, {"kind": "elev_min", "x": x}, "elevation"
    if r < 0.55:
        t = pick(["very steep slopes across most of the tile", "slopes steeper than 35 degrees over much of the area", "cliffs and steep gradients everywhere",
                  "a steep-sided gorge", "slopes of 40°+ across the tile", "sharply inclined terrain"])
        return t, {"kind": "steep"}, "slope"
    if r < 0.75:
        t = pick(["rugged mountain terrain", "jagged alpine ridges", "a deep mountain valley", "high mountains all around",
                  "craggy peaks", "mountainous relief"])
        return t, {"kind": "steep"}, "terrain"
    x = pick([70, 75, 80, 90])
    t = pick([f"trees taller than {x} m", f"a towering canopy of {x}-metre trees", f"canopy height over {x} m",
              f"giant trees reaching {x} meters", f"forest canopy tops out above {x} m"])
    return t, {"kind": "canopy_min", "x": x}, "canopy"

WATER_N = ["the lake", "the water", "the pond", "the river", "the open water", "the lakeshore"]
def g_adjacent(T, want):
    opts = [c for c in CLS if share(T, c)[0] is not None]
    if len(opts) < 2: return None
    a, b = R.sample(opts, 2)
    if not want and R.random() < 0.7: b = "water"
    if a == b: return None
    sp = {"kind": "adjacent", "a": a, "b": b}
    if evaluate(sp, T) != ("T" if want else "F"): return None
    na = nm(a); nb = pick(WATER_N) if b == "water" else "the " + nm(b)
    if a == "water": na = pick(["water", "a lake", "a pond", "open water"])
    t = pick([f"{na} {be(na, 'borders', 'border')} {nb}", f"{na} next to {nb}", f"{na} {be(na)} adjacent to {nb}",
              f"{na} {be(na, 'lies', 'lie')} beside {nb}", f"{na} {be(na, 'runs', 'run')} along {nb}", f"{nb} is bordered by {na}",
              f"{na} and {nb} meet", f"{na} {be(na)} right next to {nb}", f"{na} touching {nb}",
              f"{na} {be(na, 'adjoins', 'adjoin')} {nb}", f"{na} {be(na)} alongside {nb}", f"{nb} with {na} beside it"])
    fam = "water" if (not want) else "position"
    return t, sp, fam

GENS = {"landcover_share": g_share, "landcover_presence": g_presence, "dominance": g_dominance,
        "water": g_water_approx, "water_kind": g_water_kind, "position": g_position, "comparison": g_relation,
        "vegetation": g_veg, "other:snow": g_snow, "season": g_date, "place": g_place, "sar": g_sar, "geo": g_geo, "adjacent": g_adjacent}

# ---------------------------------------------------------------- styles
STYLES = ["plain", "alt_text", "gis_note", "chatbot", "social", "nonnative", "tags", "dataset", "field_report", "qa"]
NONNATIVE = [(r"\bthere is\b", "there is having"), (r"\bcovers\b", "cover"), (r"\blies\b", "lie"), (r"\bthan\b", "then"),
             (r"\bthe tile\b", "the tile image"), (r"\btaken in\b", "taked in"), (r"\bis absent\b", "is not exist"),
             (r"\bof the\b", "of"), (r"\blooks\b", "look"), (r"\bthere's\b", "there have"), (r"\bnear\b", "near to"),
             (r"\bcan be seen\b", "can see"), (r"\bis\b", "are")]

def style_clause(style, text, i):
    if style == "nonnative":
        n = 0
        for pat, rep in R.sample(NONNATIVE, len(NONNATIVE)):
            if n < 2 and re.search(pat, text):
                text = re.sub(pat, rep, text, count=1); n += 1
    if style in ("tags", "dataset"):
        text = text.lower() if not any(w in text for w in ("VV", "VH", "SAR", "NW", "NE", "SW", "SE")) else text
        if style == "tags": text = text.replace("there is ", "").replace("there's ", "")
        return text
    if style in ("plain", "gis_note", "field_report", "alt_text", "nonnative", "social") and (i == 0 or style != "alt_text"):
        text = text[0].upper() + text[1:]
    return text

QWORDS = {"landcover_share": ["Land cover?", "What covers the ground?", "How much of each class?"],
          "landcover_presence": ["What can you see?", "Any particular land cover?", "What's there?"],
          "dominance": ["What dominates?", "Main land cover?"], "water": ["Is there water?", "Water?", "Any water in it?"],
          "position": ["Where are things?", "Layout?"], "comparison": ["Which is bigger?", "How do they compare?"],
          "vegetation": ["How green is it?", "Vegetation state?"], "other:snow": ["Any snow?", "Snow?"],
          "season": ["When was it taken?", "Date?", "What time of year?"], "place": ["Where is this?", "Location?"],
          "sar": ["What does the radar show?", "SAR?"], "elevation": ["How high is it?"], "slope": ["Is it steep?"],
          "terrain": ["Terrain?"], "canopy": ["How tall are the trees?"], "consistency": ["And?"]}

def answer_prefix(spec):
    k = spec["kind"]
    if k in ("present", "snow"): return pick(["Yes, ", "Yes - ", "Yep. "])
    if k in ("absent", "nosnow"): return pick(["No, ", "Nope - ", "No. "])
    return ""

def assemble(style, items, T):
    """items: list of (text, spec, family). returns caption string."""
    tx = [c[0] for c in items]
    if style == "plain":
        if len(tx) >= 3 and R.random() < 0.5:
            s = f"{tx[0]}. {tx[1]}, and {tx[2][0].lower() + tx[2][1:]}." + "".join(f" {x}." for x in tx[3:])
            return s
        return " ".join(x + "." for x in tx)
    if style == "alt_text":
        head = pick(["Satellite image: ", "Aerial view, ", "Alt: overhead photo - ", "Image of a landscape from above; ", ""])
        return head + pick(["; ", ", ", " - "]).join(tx) + pick([".", ""])
    if style == "gis_note":
        head = pick([f"Tile {T['tile_id']} notes:\n", "GIS QA note:\n", f"[{T['tile_id']}] summary\n", "Analyst remarks -\n"])
        if R.random() < 0.6: return head + "\n".join("- " + x for x in tx)
        return head + " ".join(x + "." for x in tx)
    if style == "chatbot":
        s = pick(["Sure! Here's what I can tell from this satellite tile. ", "Great question! ", "Of course. Based on the image, ",
                  "Happy to help! From what I can see, "])
        conn = ["It appears that ", "I can also see that ", "Additionally, ", "It seems ", "Notably, ", "Also, "]
        parts = []
        for j, x in enumerate(tx):
            if (j == 0 and s.endswith(", ")) or ":" in x: parts.append(x + ".")
            else: parts.append(pick(conn) + x + ".")
        return s + " ".join(parts) + pick([" Let me know if you'd like more detail!", " I hope this helps!", " (I may be wrong about some details.)", ""])
    if style == "social":
        emo = ["😍", "🌍", "🛰️", "🌲", "💧", "✨", "👀", "🙌"]
        tags = ["#RemoteSensing", "#Sentinel2", "#EarthObservation", "#satellite", "#fromabove", "#GIS", "#landscape"]
        s = pick(["wow, ", "check this out: ", "today's tile 👉 ", "", "lol "]) + " ".join(x + pick(["!", ".", " " + pick(emo), "!!"]) for x in tx)
        return s + " " + " ".join(R.sample(tags, R.randint(1, 3)))
    if style == "nonnative":
        s = pick(["In this picture ", "This image show: ", "Here we are seeing that ", ""])
        return s + pick([". ", ", also ", ". And "]).join(tx) + "."
    if style == "tags":
        return pick([", ", " | ", "; ", " / "]).join(tx)
    if style == "dataset":
        return pick([" and ", " , ", " . "]).join(tx) + " ."
    if style == "field_report":
        d = f"{T['day']:02d}.{T['month']:02d}.{T['year']}" if R.random() < 0.5 else T["date"]
        head = pick([f"Field report, tile {T['tile_id']}. ", "Observer log. ", "Site visit summary: ", "Report: "])
        return head + "Observed: " + tx[0] + ". " + " ".join(x + "." for x in tx[1:-1]) + (" Remarks: " + tx[-1] + "." if len(tx) > 1 else "")
    if style == "qa":
        out = []
        for x, sp, fam in items:
            q = pick(QWORDS.get(fam, ["And?"]))
            out.append(f"{q} {answer_prefix(sp)}{x}.")
        return pick([" ", "\n"]).join(out)
    raise ValueError(style)

# ---------------------------------------------------------------- caption construction
TRUE_GENS = ["adjacent", "landcover_share", "landcover_presence", "water", "position", "comparison", "vegetation", "other:snow",
             "season", "place", "sar", "dominance"]

def gen_clause(key, T, want, tries=40):
    g = GENS[key]
    for _ in range(tries):
        r = g(T, want)
        if r is None: continue
        t, sp, fam = r
        if evaluate(sp, T) != ("T" if want else "F"): continue
        if want and not decided_by_layers(sp, T): continue
        return r
    return None

def true_clauses(T, k, avoid_fams, avoid_texts):
    out = []; fams = set(avoid_fams)
    keys = TRUE_GENS[:]; R.shuffle(keys)
    for key in keys:
        if len(out) >= k: break
        r = gen_clause(key, T, True, 15)
        if r is None or r[2] in fams or r[0] in avoid_texts: continue
        out.append(r); fams.add(r[2])
    return out

NEG = {"present": "absent", "absent": "present", "lush": "sparse", "sparse": "lush", "snow": "nosnow", "nosnow": "snow"}

def consistency_pair(T):
    for _ in range(60):
        key = pick(["landcover_presence", "vegetation", "other:snow"])
        tr = gen_clause(key, T, True, 10)
        if tr is None: continue
        for _ in range(20):
            fl = gen_clause(key, T, False, 10)
            if fl and fl[1]["kind"] == NEG.get(tr[1]["kind"]) and fl[1].get("cls") == tr[1].get("cls"):
                return tr, (fl[0], fl[1], "consistency")
    return None

def false_families(T):
    fams = ["landcover_share", "landcover_presence", "dominance", "water", "water_kind", "position", "comparison",
            "vegetation", "other:snow", "season", "place", "sar", "geo", "consistency", "adjacent"]
    ok = []
    for f in fams:
        if f == "consistency":
            if consistency_pair(T): ok.append(f)
        elif gen_clause(f, T, False, 60): ok.append(f)
    return ok

def make_tile(T, split):
    tid = T["tile_id"]; caps = []; audit = []
    fams = false_families(T)
    weights = {"geo": 3, "season": 2, "place": 2, "landcover_share": 3, "landcover_presence": 3, "dominance": 2,
                   "position": 2, "comparison": 2, "sar": 4, "vegetation": 2}
    pool = []
    for f in fams: pool += [f] * weights.get(f, 1)
    order = []
    while len(order) < 48:
        R.shuffle(pool); order += pool
    order = order[:48]
    styles = STYLES[:]; R.shuffle(styles)
    def emit(label, items, false_item, idx):
        style = styles[idx % len(styles)]
        for _ in range(30):
            R.shuffle(items)
            st = [(style_clause(style, t, i), sp, fam) for i, (t, sp, fam) in enumerate(items)]
            cap = assemble(style, st, T)
            ok = True
            for (t0, _, _), (t1, _, _) in zip(items, st):
                if cap.count(t1) != 1: ok = False
            if ok: break
        else:
            return False
        cid = f"{split}-{tid}-{label[0]}{idx:02d}"
        rec = {"caption_id": cid, "tile_id": tid, "caption": cap, "label": label, "style": style}
        for (t0, sp, fam), (t1, _, _) in zip(items, st):
            is_false = false_item is not None and t0 == false_item[0] and sp == false_item[1]
            audit.append({"caption_id": cid, "tile_id": tid, "text": t1, "spec": sp, "truth": not is_false,
                          "family": fam, "decidable": decided_by_layers(sp, T) if is_false else True})
            if is_false:
                rec.update({"false_clause": t1, "false_family": fam, "decidable": decided_by_layers(sp, T)})
        caps.append(rec); return True
    i = 0; guard = 0
    while i < 48 and guard < 2000:
        guard += 1; f = order[i]
        if f == "consistency":
            pr = consistency_pair(T)
            if not pr: continue
            tr, fl = pr
            rest = true_clauses(T, R.randint(0, 3), [tr[2], fl[2], "landcover_presence"], {tr[0], fl[0]})
            items = [tr, fl] + rest
        else:
            fl = gen_clause(f, T, False, 60)
            if not fl: continue
            rest = true_clauses(T, R.randint(1, 4), [fl[2]], {fl[0]})
            items = [fl] + rest
        if not 2 <= len(items) <= 5: continue
        if emit("false", items, (fl[0], fl[1]), i): i += 1
    j = 0
    while j < 20 and guard < 4000:
        guard += 1
        items = true_clauses(T, R.randint(2, 5), [], set())
        if len(items) < 2: continue
        if emit("true", items, None, 48 + j): j += 1
    return caps, audit, fams

def main():
    tiles = sorted(truth)
    rr = random.Random(SEED); sh = tiles[:]; rr.shuffle(sh)
    # stratify: keep BigEarthNet-type tiles in both splits
    ben = [t for t in sh if t.startswith("ben")]; bb = [t for t in sh if not t.startswith("ben")]
    dev = sorted(ben[:2] + bb[:9]); test = sorted(t for t in tiles if t not in dev)
    json.dump({"dev_tiles": dev, "test_tiles": test, "seed": SEED}, open("split_dev_tiles.json", "w"), indent=1)
    allaud = []; summary = {}
    for split, tl, fn in (("dev", dev, "dev.jsonl"), ("test", test, "test.jsonl")):
        with open(fn, "w") as fo:
            for t in tl:
                caps, aud, fams = make_tile(truth[t], split)
                summary[t] = fams
                for c in caps: fo.write(json.dumps(c, ensure_ascii=False) + "\n")
                allaud += aud
    with open("clauses_audit.jsonl", "w") as fo:
        for a in allaud: fo.write(json.dumps(a, ensure_ascii=False) + "\n")
    # stats
    caps = [json.loads(l) for fn in ("dev.jsonl", "test.jsonl") for l in open(fn)]
    C = collections.Counter
    print("tiles", len(tiles), "dev", len(dev), "test", len(test))
    for sp in ("dev", "test"):
        cs = [c for c in caps if c["caption_id"].startswith(sp)]
        print(sp, C(c["label"] for c in cs))
    print("styles", C(c["style"] for c in caps))
    print("families", C(c["false_family"] for c in caps if c["label"] == "false"))
    print("decidable", C(c["decidable"] for c in caps if c["label"] == "false"))
    def pattern(t):
        t = re.sub(r"\d+(\.\d+)?", "#", t)
        for c in CLS:
            for n in sorted(NAMES[c], key=len, reverse=True): t = t.replace(n, "<C>")
        for m in MONTHS: t = t.replace(m, "<M>")
        for tw in TOWNS: t = t.replace(tw, "<T>")
        return t.lower()
    print("distinct clause patterns", len({pattern(a["text"]) for a in allaud}), "distinct clauses", len({a["text"] for a in allaud}))
    print("tiles lacking families:", {t: len(f) for t, f in summary.items()})

if __name__ == "__main__":
    main()
