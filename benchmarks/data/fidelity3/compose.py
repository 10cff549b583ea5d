"""Compose planted-claim captions from truth.json (deterministic, seed 20261129).

Every clause is generated together with its truth value, decided from truth.json
with margins (see README). A FALSE caption has exactly one false clause.
Outputs: dev.jsonl, test.jsonl, clauses_audit.jsonl
"""
import json, os, random, math, re

HERE = os.path.dirname(os.path.abspath(__file__))
T = json.load(open(os.path.join(HERE, "truth.json")))
SEED = 20261129
TILE_HA = 163.84
TILE_KM2 = 1.6384

# --------------------------------------------------------------------------- vocab
CLS = {
    "tree": ["tree cover", "woodland", "forest", "trees", "wooded land", "forested land", "woods"],
    "shrub": ["shrubland", "scrub", "bushland", "shrubs", "scrubland"],
    "grass": ["grassland", "meadow", "grassy land", "pasture and grass", "grasslands"],
    "crop": ["cropland", "farmland", "arable land", "cultivated fields", "crop fields", "agricultural fields"],
    "built": ["built-up area", "built-up land", "buildings and roads", "urban fabric", "settlement", "built up area"],
    "bare": ["bare ground", "bare soil", "barren land"],
    "snow": ["snow and ice", "snow", "snow cover"],
    "water": ["open water", "surface water", "water"],
    "wetland": ["wetland", "marshland", "herbaceous wetland", "marsh", "wetlands"],
    "mangrove": ["mangroves", "mangrove forest"],
    "moss": ["moss and lichen", "lichen/moss tundra"],
}
NUMW = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
        10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen",
        17: "seventeen", 18: "eighteen", 19: "nineteen", 20: "twenty", 25: "twenty-five", 30: "thirty",
        40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 75: "seventy-five", 80: "eighty", 90: "ninety"}
FRACW = {10: "a tenth", 20: "a fifth", 25: "a quarter", 33: "a third", 50: "half", 67: "two thirds", 75: "three quarters"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
MON3 = [m[:3] for m in MONTHS]
DIRS = {"north": ["north", "northern", "top"], "south": ["south", "southern", "bottom"],
        "east": ["east", "eastern", "right-hand"], "west": ["west", "western", "left-hand"]}
QUADW = {"nw": ["north-west", "northwest", "NW", "upper-left"], "ne": ["north-east", "northeast", "NE", "upper-right"],
         "sw": ["south-west", "southwest", "SW", "lower-left"], "se": ["south-east", "southeast", "SE", "lower-right"]}
OPP = {"north": "south", "south": "north", "east": "west", "west": "east"}


class Gen:
    def __init__(self, tid, rng):
        self.tid = tid
        self.t = T[tid]
        self.r = rng
        self.bb = tid.startswith("bb")
        self.true = []   # (text, family, subject)
        self.false = []  # (text, family, subject, decidable)

    def ch(self, xs):
        return self.r.choice(xs)

    def cn(self, c):
        return self.ch(CLS[c])

    def T_(self, text, fam, subj):
        self.true.append((text, fam, subj))

    def F_(self, text, fam, subj, dec=True):
        self.false.append((text, fam, subj, dec))

    # ------------------------------------------------------------- number formatting
    def pct(self, x):
        """x in percent (int)."""
        k = self.r.random()
        if x in NUMW and k < 0.12:
            return self.ch(["%s percent" % NUMW[x], "%s per cent" % NUMW[x]])
        return self.ch(["%d%%" % x, "%d %%" % x, "%d percent" % x, "%d per cent" % x, "%d pct" % x, "%d%%" % x])

    def approx(self):
        return self.ch(["about", "roughly", "approx.", "around", "c.", "~", "approximately", "close to", "an estimated"])

    # ------------------------------------------------------------- families
    def landcover(self):
        t = self.t
        if not self.bb:
            return
        W = {k: 100 * v for k, v in t["lc_whole"].items()}
        L = {k: 100 * v for k, v in t["lc_of_labelled"].items()}
        labf = t["lc_labelled_fraction"]
        present = [c for c in W if W[c] >= 1.0 and c != "water"]
        # --- shares (true)
        for c in present:
            w = W[c]
            x = int(round(w))
            if x >= 2:
                a = self.approx()
                nm = self.cn(c)
                mapped = [
                    "%s %s of the tile is mapped as %s" % (a.capitalize(), self.pct(x), nm),
                    "the map labels %s %s of the tile as %s" % (a, self.pct(x), nm),
                    "%s (mapped): %s %s" % (nm, a, self.pct(x)),
                ]
                self.T_(self.ch(mapped) if labf < 0.5 else self.ch(mapped + [
                    "%s covers %s %s of the tile" % (nm.capitalize(), a, self.pct(x)),
                    "%s %s of the scene is mapped as %s" % (a.capitalize(), self.pct(x), nm),
                    "%s: %s %s" % (nm, a, self.pct(x)),
                    "the share of %s is %s %s" % (nm, a, self.pct(x)),
                    "%s accounts for %s %s of the area" % (nm, a, self.pct(x)),
                    "%s makes up %s %s of the whole tile" % (nm, a, self.pct(x)),
                ]), "landcover_share", "share:" + c)
                ha = w / 100 * TILE_HA
                if ha >= 3:
                    self.T_(self.ch([
                        "%s of %s %d ha" % (nm.capitalize(), a, round(ha)),
                        "%s %d hectares of %s" % (a.capitalize(), round(ha), nm),
                        "%s spans %s %.2f km²" % (nm, a, ha / 100),
                    ]), "landcover_share", "share:" + c)
            lo = int(math.floor(w - 2))
            if lo >= 3:
                self.T_(self.ch([
                    "at least %s is %s" % (self.pct(lo), self.cn(c)),
                    "%s covers more than %s of the tile" % (self.cn(c), self.pct(lo)),
                    "over %s of the area is %s" % (self.pct(lo), self.cn(c)),
                    "%s takes up no less than %s" % (self.cn(c), self.pct(lo)),
                ]), "landcover_share", "share:" + c)
            hi = int(math.ceil(w + 6))
            if hi <= 60 and labf >= 0.5:
                self.T_(self.ch([
                    "%s stays under %s of the tile" % (self.cn(c), self.pct(hi)),
                    "less than %s of the scene is %s" % (self.pct(hi), self.cn(c)),
                    "%s covers at most %s" % (self.cn(c), self.pct(hi)),
                    "no more than %s is %s" % (self.pct(hi), self.cn(c)),
                ]), "landcover_share", "share:" + c)
        # --- shares (false): far from whole-tile share AND from labelled share
        for c in ["tree", "shrub", "grass", "crop", "built", "wetland"]:
            w, l = W[c], L[c]
            cands = [x for x in range(5, 96, 5) if abs(x - w) >= 15 and abs(x - l) >= 15]
            if not cands:
                continue
            for _ in range(3):
                x = self.ch(cands)
                nm = self.cn(c)
                a = self.approx()
                if x > w:
                    forms = ["%s covers %s %s of the tile" % (nm.capitalize(), a, self.pct(x)),
                             "%s %s of the scene is %s" % (a.capitalize(), self.pct(x), nm),
                             "%s: %s %s" % (nm, a, self.pct(x)),
                             "%s accounts for %s %s of the land" % (nm, a, self.pct(x)),
                             "%s takes up %s %d ha" % (nm, a, round(x / 100 * TILE_HA))]
                    if x - 10 > w + 5 and x - 10 - l >= 5:
                        forms.append("more than %s of the tile is %s" % (self.pct(x - 10), nm))
                        forms.append("%s exceeds %s of the area" % (nm, self.pct(x - 10)))
                    if x in FRACW and x - w >= 18:
                        forms.append("%s %s of the image is %s" % (self.ch(["about", "roughly", "nearly"]), FRACW[x], nm))
                    self.F_(self.ch(forms), "landcover_share", "share:" + c)
                elif x + 10 <= w - 10 and x + 10 <= l - 10:
                    self.F_(self.ch(["%s covers less than %s of the tile" % (nm, self.pct(x + 10)),
                                     "under %s of the scene is %s" % (self.pct(x + 10), nm),
                                     "only a small sliver (< %s) is %s" % (self.pct(x + 10), nm)]),
                            "landcover_share", "share:" + c)
        # --- presence / absence
        for c in present:
            if W[c] >= 2:
                nm = self.cn(c)
                self.T_(self.ch(["there is some %s" % nm, "%s is present" % nm, "patches of %s show up" % nm,
                                 "includes %s" % nm, "you can see %s in places" % nm, "%s does occur" % nm,
                                 "some %s is mapped" % nm]), "landcover_presence", "pres:" + c)
        absent_ok = []
        for c in ["tree", "shrub", "grass", "crop", "built", "wetland", "bare"]:
            if t["lc_pixels"][c] == 0 and labf >= 0.6:
                absent_ok.append(c)
        geo_absent = ["mangrove", "moss"]
        if t["snow_frac"] == 0:
            geo_absent.append("snow")
        if t["water_map_frac"] == 0 and t["water_img_frac"] < 0.003:
            geo_absent.append("water")
        absentw = absent_ok + geo_absent
        for c in absentw:
            nm = self.cn(c)
            self.T_(self.ch(["no %s" % nm, "there is no %s" % nm, "%s is absent" % nm, "not a single patch of %s" % nm,
                             "no sign of %s" % nm, "%s: none" % nm, "devoid of %s" % nm, "without any %s" % nm,
                             "%s doesn't appear anywhere" % nm, "zero %s" % nm]), "landcover_presence", "abs:" + c)
        if len(absentw) >= 2:
            a, b = self.r.sample(absentw, 2)
            self.T_(self.ch(["neither %s nor %s is present" % (self.cn(a), self.cn(b)),
                             "no %s or %s" % (self.cn(a), self.cn(b)),
                             "there's no %s and no %s" % (self.cn(a), self.cn(b))]), "landcover_presence", "abs:" + a)
        strong = [c for c in ["tree", "shrub", "grass", "crop", "built", "wetland"] if W[c] >= 5]
        for c in strong:
            nm = self.cn(c)
            self.F_(self.ch(["no %s" % nm, "there is no %s at all" % nm, "%s is completely absent" % nm,
                             "not a trace of %s" % nm, "the tile lacks any %s" % nm, "free of %s" % nm,
                             "%s: none" % nm, "%s is nowhere to be seen" % nm]), "landcover_presence", "pres:" + c)
            others = [x for x in absentw if x != c]
            if others:
                o = self.ch(others)
                self.F_(self.ch(["neither %s nor %s is present" % (self.cn(o), nm),
                                 "no %s or %s" % (nm, self.cn(o))]), "landcover_presence", "pres:" + c)
        for c in absentw:
            nm = self.cn(c)
            self.F_(self.ch(["a patch of %s lies within the tile" % nm, "%s is clearly present" % nm,
                             "there is %s in the scene" % nm, "the tile contains some %s" % nm,
                             "%s shows up in places" % nm]), "landcover_presence", "abs:" + c)
        # --- dominance (skip if imagery water rivals the top mapped class)
        ranked = sorted([kv for kv in W.items() if kv[0] != "water"], key=lambda kv: -kv[1])
        top, tw = ranked[0]
        sec = ranked[1][1]
        if 100 * t["water_img_frac"] < tw:
            if tw >= 1.4 * sec and tw - sec >= 4 and tw >= 5:
                nm = self.cn(top)
                self.T_(self.ch(["%s is the most common mapped cover" % nm, "the largest mapped class is %s" % nm,
                                 "among the mapped classes %s leads" % nm, "%s has the biggest share of any class" % nm,
                                 "%s is the dominant land-cover class" % nm]), "dominance", "dom")
            for c, w in ranked[1:]:
                if c in ("mangrove", "moss", "snow"):
                    continue
                if w <= tw / 2 and tw - w >= 8:
                    nm = self.cn(c)
                    self.F_(self.ch(["%s is the most common mapped cover" % nm, "the tile is dominated by %s" % nm,
                                     "%s is the dominant class" % nm, "mostly %s" % nm,
                                     "the largest share goes to %s" % nm, "%s is the leading land-cover type" % nm,
                                     "predominantly %s" % nm]), "dominance", "dom")
        # --- position
        for c, pos in t["lc_pos"].items():
            if W[c] < 3 or c == "water":
                continue
            nm = self.cn(c)
            for d in ["north", "south", "east", "west"]:
                s = pos[d]["share_of_class"]
                if s >= 0.8:
                    self.T_(self.ch(["most of the %s lies in the %s half" % (nm, self.ch(DIRS[d][1:2] + [d])),
                                     "%s is concentrated toward the %s" % (nm, d),
                                     "the %s sits mainly in the %s part" % (nm, DIRS[d][1])]), "position", "pos:" + c)
                if s <= 0.15:
                    self.F_(self.ch(["most of the %s lies in the %s half" % (nm, DIRS[d][1]),
                                     "%s is concentrated toward the %s" % (nm, d),
                                     "the %s is mainly along the %s side" % (nm, d),
                                     "%s clusters in the %s of the tile" % (nm, d)]), "position", "pos:" + c)
            for q in ["nw", "ne", "sw", "se"]:
                if pos[q]["px"] == 0:
                    self.F_(self.ch(["%s fills the %s quadrant" % (nm, self.ch(QUADW[q])),
                                     "there is %s in the %s corner" % (nm, self.ch(QUADW[q])),
                                     "a block of %s occupies the %s" % (nm, self.ch(QUADW[q]))]), "position", "pos:" + c)
                elif pos[q]["share_of_part"] >= 0.15:
                    self.T_(self.ch(["%s appears in the %s quadrant" % (nm, self.ch(QUADW[q])),
                                     "some %s in the %s corner" % (nm, self.ch(QUADW[q]))]), "position", "pos:" + c)
        # --- comparison
        keys = [c for c in ["tree", "shrub", "grass", "crop", "built", "wetland"]]
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                A, Bv = W[a], W[b]
                if A < Bv:
                    a2, b2, A2, B2 = b, a, Bv, A
                else:
                    a2, b2, A2, B2 = a, b, A, Bv
                if A2 >= 1.5 * B2 and A2 - B2 >= 4:
                    na, nb = self.cn(a2), self.cn(b2)
                    self.T_(self.ch(["there is more %s than %s" % (na, nb), "%s outweighs %s" % (na, nb),
                                     "less %s than %s" % (nb, na), "%s covers more ground than %s" % (na, nb)]),
                            "comparison", "cmp:%s:%s" % tuple(sorted((a, b))))
                    if A2 - B2 >= 6:
                        forms = ["there is more %s than %s" % (nb, na), "%s outweighs %s" % (nb, na),
                                 "less %s than %s" % (na, nb), "%s covers more ground than %s" % (nb, na),
                                 "%s is about twice as extensive as %s" % (nb, na)]
                        if A2 >= 2 * B2 and A2 - B2 >= 8:
                            forms += ["%s and %s are roughly equal" % (na, nb), "%s and %s take similar shares" % (nb, na)]
                        self.F_(self.ch(forms),
                                "comparison", "cmp:%s:%s" % tuple(sorted((a, b))))
                if abs(A2 - B2) <= 1.5 and B2 >= 4:
                    self.T_("%s and %s cover roughly equal shares" % (self.cn(a2), self.cn(b2)), "comparison",
                            "cmp:%s:%s" % tuple(sorted((a, b))))
                if 1.8 <= A2 / max(B2, 1e-9) <= 2.2 and B2 >= 3:
                    self.T_("there is about twice as much %s as %s" % (self.cn(a2), self.cn(b2)), "comparison",
                            "cmp:%s:%s" % tuple(sorted((a, b))))

    def water(self):
        t = self.t
        wm, wi = 100 * t["water_map_frac"], 100 * t["water_img_frac"]
        if self.tid == "ben-57_38":  # snowy winter scene: index unreliable, only gross claims
            self.F_(self.ch(["a large lake covers about half of the tile", "open water fills roughly 40% of the scene"]),
                    "water", "water")
            return
        lakew = ["a lake", "a stretch of water", "a water body", "lake water", "a sizeable lake"]
        hi = max(wm, wi)
        if wi >= 5 or (wm >= 3 and wi >= 1):
            self.T_(self.ch((["%s is visible" % self.ch(lakew)] if wi >= 15 else []) + ["water is present", "the tile includes some water",
                             "there is surface water", "water shows up in the image"]), "water", "water")
            self.F_(self.ch(["no water", "there is no open water at all", "completely dry, no water bodies",
                             "water is absent", "not a drop of surface water", "no lakes or rivers"]), "water", "water")
        if wm == 0 and wi < 0.3:
            self.T_(self.ch(["no surface water", "there is no water", "no lakes or ponds visible", "water: none",
                             "no water bodies at all", "dry land throughout (no water)"]), "water", "water")
            self.F_(self.ch(["a lake fills the %s part" % self.ch(["southern", "northern", "eastern", "western"]),
                             "a river runs through the tile", "a pond sits near the centre",
                             "open water covers about %s" % self.pct(self.ch([15, 20, 25, 30])),
                             "water is clearly present", "there's a canal crossing the scene",
                             "a reservoir occupies part of the tile"]), "water", "water")
        if abs(wm - wi) <= 4 and hi >= 2:
            x = int(round((wm + wi) / 2))
            if x >= 2:
                self.T_("water covers %s %s" % (self.approx(), self.pct(x)), "water", "water_ext")
        lo = min(wm, wi)
        if hi < 12:
            self.T_(self.ch(["water covers less than %s of the tile" % self.pct(int(hi + 8)),
                             "under %s is water" % self.pct(int(hi + 8))]), "water", "water_ext")
        cands = [x for x in range(10, 96, 5) if abs(x - wm) >= 15 and abs(x - wi) >= 15]
        for _ in range(2):
            if cands:
                x = self.ch(cands)
                self.F_(self.ch(["water covers %s %s of the tile" % (self.approx(), self.pct(x)),
                                 "%s %s of the image is open water" % (self.approx().capitalize(), self.pct(x)),
                                 "surface water: %s %s" % (self.approx(), self.pct(x))]), "water", "water_ext")
        if wi >= 20:
            self.T_(self.ch(["a large part of the tile is water", "a big lake takes up much of the scene",
                             "more than %s of the scene is water" % self.pct(int(wi - 8))]), "water", "water_ext")
        # kind: landlocked interior of continent -> no sea/coast
        self.F_(self.ch(["the sea coast runs along the %s edge" % self.ch(["north", "south", "east", "west"]),
                         "a stretch of ocean is visible", "tidal flats and an estuary are visible",
                         "the coastline of the sea crosses the tile", "a fjord cuts into the land",
                         "salt water from the open sea fills one corner"]), "water", "water_kind")
        # position of water (imagery)
        if wi >= 5:
            P = t["water_img_pos"]
            for d in ["north", "south", "east", "west"]:
                if P[d] >= 2 * P[OPP[d]] + 0.1 and P[d] >= 0.1:
                    self.T_("most of the water lies in the %s half" % DIRS[d][1], "position", "pos:water")
                if P[d] == 0 and P[OPP[d]] >= 0.1:
                    self.F_(self.ch(["the water sits in the %s half" % DIRS[d][1],
                                     "a lake occupies the %s part" % DIRS[d][1]]), "position", "pos:water")

    def vegetation(self):
        n = self.t["ndvi"]
        m = n["mean"]
        x = round(m, 2)
        self.T_(self.ch(["mean NDVI is %s %.2f" % (self.approx(), x), "NDVI averages %.2f or so" % x,
                         "average NDVI ≈ %.2f" % x, "NDVI (mean) of ~%.2f" % x]), "vegetation", "ndvi")
        p90 = n["p90"]
        if p90 < 0.5:
            self.T_(self.ch(["NDVI stays below %.1f almost everywhere" % (math.ceil((p90 + 0.08) * 10) / 10),
                             "few pixels exceed NDVI %.1f" % (math.ceil((p90 + 0.08) * 10) / 10)]), "vegetation", "ndvi")
        if m < 0.3 and p90 < 0.5:
            self.T_(self.ch(["vegetation looks dormant", "weak green signal", "low vegetation vigour",
                             "sparse, winter-dormant vegetation", "not much photosynthetic activity",
                             "plants show little vigour"]), "vegetation", "vig")
            self.F_(self.ch(["lush, vigorous vegetation", "vegetation is dense and very green",
                             "strong, healthy green-up with NDVI above %.1f" % self.ch([0.7, 0.75, 0.8]),
                             "high vegetation vigour everywhere", "peak-season greenness (NDVI ~0.85)"]), "vegetation", "vig")
        if m > 0.62:
            self.T_(self.ch(["vegetation is green and vigorous", "dense, healthy vegetation", "strong NDVI signal",
                             "high greenness overall"]), "vegetation", "vig")
            self.F_(self.ch(["vegetation is sparse and stressed", "barely any green vegetation (NDVI under 0.2)",
                             "very low NDVI, mostly bare", "dormant vegetation with NDVI around 0.1"]), "vegetation", "vig")
        cands = [v / 100 for v in range(-20, 95, 5) if abs(v / 100 - m) >= 0.3]
        for _ in range(2):
            y = self.ch(cands)
            self.F_(self.ch(["mean NDVI is %s %.2f" % (self.approx(), y), "NDVI averages %.2f" % y,
                             "average NDVI ≈ %.2f" % y, "NDVI of roughly %.1f on average" % y]), "vegetation", "ndvi")

    def sar(self):
        s = self.t["sar"]
        if not s:
            return
        vv = [k for k in s if k.startswith("VV")][0]
        vh = [k for k in s if k.startswith("VH")][0]
        a, b = s[vv]["mean_db"], s[vh]["mean_db"]
        ai, bi = int(round(a)), int(round(b))
        for _ in range(4):
            self.T_(self.ch(["VV backscatter averages %s %d dB" % (self.approx(), ai),
                             "mean VV ≈ %d dB" % ai, "co-pol (VV) around %d dB" % ai,
                             "VH averages %s %d dB" % (self.approx(), bi), "cross-pol VH of roughly %d dB" % bi,
                             "Sentinel-1 VH ~%d dB" % bi, "radar VV near %d dB, VH near %d dB" % (ai, bi),
                             "VV is stronger than VH", "co-polarised returns exceed cross-polarised ones",
                             "VH sits below %d dB" % (bi + 3), "VV between %d and %d dB" % (ai - 3, ai + 3)]), "sar", "sar")
        for _ in range(5):
            fa = self.ch([v for v in range(-25, 4) if abs(v - a) >= 6])
            fb = self.ch([v for v in range(-30, 0) if abs(v - b) >= 6])
            self.F_(self.ch(["VV backscatter averages %s %d dB" % (self.approx(), fa),
                             "mean VV ≈ %d dB" % fa, "co-pol (VV) around %d dB" % fa,
                             "VH averages %s %d dB" % (self.approx(), fb), "cross-pol VH of roughly %d dB" % fb,
                             "VH is stronger than VV", "cross-pol returns exceed co-pol ones",
                             "very bright radar returns above 0 dB on average",
                             "VH sits above %d dB" % (int(b) + 6), "VV below %d dB on average" % (int(a) - 6)]),
                    "sar", "sar")

    def date(self):
        d = self.t["acquisition_date"]
        y, mo, da = int(d[:4]), int(d[5:7]), int(d[8:10])
        M = MONTHS[mo - 1]
        fmts = [
            "acquired on %d %s %d" % (da, M, y), "captured %s %d, %d" % (M, da, y), "date: %s" % d,
            "imaged on %02d/%02d/%d" % (da, mo, y) if da > 12 else "imaged on %d %s %d" % (da, MON3[mo - 1], y),
            "taken in %s %d" % (M, y), "a %s %d scene" % (M, y), "from %s '%02d" % (MON3[mo - 1], y % 100),
            "shot in %d" % y, "acquisition %d-%02d" % (y, mo), "recorded in %s of %d" % (M, y),
            "image date %d.%02d.%d" % (da, mo, y), "%s %d %s %d" % (self.ch(["taken", "acquired"]), da, MON3[mo - 1], y),
            "mid-%s %d" % (M, y) if 10 <= da <= 20 else "%s %d" % (M, y),
        ]
        for _ in range(4):
            self.T_(self.ch(fmts), "date", "date")
        season = {12: "winter", 1: "winter", 2: "winter", 3: None, 4: "spring", 5: "spring", 6: None, 7: "summer",
                  8: "summer", 9: None, 10: "autumn", 11: "autumn"}
        if mo == 9 and da >= 24:
            season[9] = "autumn"
        s = season[mo] if not (mo == 12 and da >= 20) else None
        if s:
            self.T_(self.ch(["a %s image" % s, "taken in %s" % s, "%s scene" % s.capitalize(),
                             "%s conditions (%s)" % (s, M)]), "date", "date")
        # false
        wrongs = []
        for k in range(12):
            dm = min(abs(k + 1 - mo), 12 - abs(k + 1 - mo))
            if dm >= 3:
                wrongs.append(k + 1)
        for _ in range(3):
            wm = self.ch(wrongs)
            wy = self.ch([2015, 2016, 2018, 2019, 2020, 2021, 2022, 2023])
            self.F_(self.ch(["acquired on %d %s %d" % (self.r.randint(1, 28), MONTHS[wm - 1], y),
                             "captured in %s %d" % (MONTHS[wm - 1], y), "date: %d-%02d-%02d" % (wy, mo, da),
                             "taken in %d" % wy, "a %s %d scene" % (MONTHS[wm - 1], y),
                             "from %s '%02d" % (MON3[mo - 1], wy % 100), "imaged %02d/%02d/%d" % (da, mo, wy),
                             "recorded in %s of %d" % (MONTHS[wm - 1], wy)]), "date", "date")
        ref = self.t.get("reference_date")
        opp = {"winter": ["summer", "high summer", "midsummer"], "summer": ["winter", "midwinter", "deep winter"],
               "autumn": ["spring"], "spring": ["autumn"], None: []}
        sl = {12: "winter", 1: "winter", 2: "winter", 6: "summer", 7: "summer", 9: "autumn"}.get(mo)
        if sl:
            o = self.ch(opp[sl])
            self.F_(self.ch(["a %s image" % o, "taken in %s" % o, "%s scene" % o.capitalize(),
                             "typical %s conditions" % o]), "date", "date")

    def place(self):
        t = self.t
        tid = self.tid
        if self.bb:
            tr = ["in Germany", "in eastern Germany", "in the state of Brandenburg", "Brandenburg, Germany",
                  "west of Berlin", "roughly 55-60 km west of Berlin", "on the North German Plain",
                  "not far from Brandenburg an der Havel", "in the Land Brandenburg (DE)", "in central Europe"]
            fa = ["in Saxony-Anhalt", "in Bavaria", "in Poland", "near Munich", "in the Black Forest",
                  "in Mecklenburg-Vorpommern on the Baltic coast", "in the Netherlands", "in the Czech Republic",
                  "near Dresden in Saxony", "in the Ruhr area", "east of Berlin near the Oder", "in Lower Saxony",
                  "in Austria", "in Denmark"]
        elif t["country"] == "Ireland":
            tr = ["in Ireland", "in the Republic of Ireland", "in south-east Ireland", "in southeastern Ireland",
                  "on the island of Ireland"]
            fa = ["in Northern Ireland", "in Scotland", "in Wales", "in County Donegal", "in Connemara, western Ireland",
                  "in England", "in Brittany, France", "near Belfast"]
        elif t["country"] == "Portugal":
            tr = ["in Portugal", "in central Portugal", "on the Iberian Peninsula", "in inland Portugal"]
            fa = ["in Spain", "in Andalusia", "on the Algarve coast", "near Porto in northern Portugal", "in Galicia",
                  "in Morocco", "in Madeira"]
        elif t["country"] == "Finland":
            tr = ["in Finland", "in eastern Finland", "in North Karelia", "in Finnish Karelia", "in Fennoscandia"]
            fa = ["in Sweden", "in Russia", "in Norway", "in Finnish Lapland", "near Helsinki", "in Estonia",
                  "in the Åland Islands"]
        else:
            tr = ["in Austria", "in Upper Austria", "north of the Alps in Austria", "in Oberösterreich"]
            fa = ["in Switzerland", "in Tyrol", "near Vienna", "in Bavaria, Germany", "in Slovenia", "in Styria",
                  "in the Czech Republic"]
        for _ in range(4):
            self.T_(self.ch(["located %s" % self.ch(tr), "somewhere %s" % self.ch(tr), "%s" % self.ch(tr),
                             "the tile is %s" % self.ch(tr), "this is %s" % self.ch(tr), "site: %s" % self.ch(tr)]),
                    "place", "place")
        for _ in range(4):
            self.F_(self.ch(["located %s" % self.ch(fa), "somewhere %s" % self.ch(fa), "%s" % self.ch(fa),
                             "the tile is %s" % self.ch(fa), "this is %s" % self.ch(fa), "site: %s" % self.ch(fa)]),
                    "place", "place")

    def geo_false(self):
        # Undecidable families: elevation/slope/terrain/canopy layers are missing in every tile.
        # Only claims false by plain geography (lowlands, max tree heights) are written.
        e = self.ch([1800, 2100, 2500, 2900, 3200, 3600, 4100])
        self.F_(self.ch(["peaks rise above %s m" % format(e, ","), "elevation around %d m a.s.l." % e,
                         "the tile sits at c. %s metres above sea level" % format(e, ","),
                         "mean height of ~%d m asl" % e, "a high plateau at %s m" % format(e, ",")]),
                "elevation", "elev", False)
        s = self.ch([30, 35, 40, 45, 50])
        self.F_(self.ch(["mean slope exceeds %d°" % s, "steep slopes of %d degrees and more dominate" % s,
                         "average slope ~%d°" % s, "typical gradients steeper than %d deg" % s,
                         "the slope averages over %d degrees" % s]), "slope", "slope", False)
        terr = ["alpine, glaciated relief", "a volcanic cone dominates", "high-mountain terrain",
                "jagged ridges and peaks", "snow-capped alpine peaks", "a deep canyon over 500 m deep"]
        if self.bb:
            terr += ["rugged mountainous terrain", "the land is anything but flat", "deep gorges cut through the hills",
                     "the terrain is not flat at all", "not a lowland: steep hills everywhere"]
        self.F_(self.ch(terr), "terrain", "terrain", False)
        h = self.ch([65, 70, 80, 95, 110])
        self.F_(self.ch(["trees reach %d m in height" % h, "canopy height around %d m" % h,
                         "a forest canopy of roughly %d metres" % h, "trees taller than %d m" % h,
                         "canopy ~%dm tall" % h]), "canopy_height", "canopy", False)

    def cloud(self):
        # hazy L1C winter scene: cloud claims only for BigEarthNet patches
        if not self.bb and self.t["cloud_frac"] < 0.005:
            self.T_(self.ch(["cloud-free", "no clouds", "clear skies", "no cloud cover to speak of"]), "cloud", "cloud")

    def snow(self):
        if self.tid == "ben-57_38":
            self.T_(self.ch(["snow covers much of the ground", "a snowy scene", "snow is visible"]), "landcover_presence", "snow")
            self.F_(self.ch(["no snow anywhere", "snow-free ground", "not a flake of snow"]), "landcover_presence", "snow")

    def build(self):
        self.landcover(); self.water(); self.vegetation(); self.sar(); self.date(); self.place(); self.geo_false()
        self.cloud(); self.snow()


# --------------------------------------------------------------------------- styles
EMO = ["🌍", "🛰️", "📡", "🌲", "🌾", "💧", "✨", "👀", "🗺️"]


def typo(s, r):
    # light typos (do not touch digits)
    if r.random() < 0.5:
        s = s.replace("the ", "teh ", 1) if "the " in s else s
    else:
        s = s.replace("ere", "ere", 1)
        for a, b in [("visible", "visable"), ("vegetation", "vegitation"), ("present", "presnt"), ("approximately", "approximatly")]:
            if a in s:
                s = s.replace(a, b, 1)
                break
    return s


def brit(s):
    for a, b in [("center", "centre"), ("color", "colour"), ("percent", "per cent"), ("vigor", "vigour")]:
        s = s.replace(a, b)
    return s


STYLES = ["plain", "image_of", "social", "bullets", "qa", "runon", "report", "typo_chat", "british", "parenthetical"]


def assemble(style, clauses, r):
    """clauses: list of str. Returns caption and offsets."""
    parts = []  # (text, is_clause_index or None)
    def cap(s):
        return s[0].upper() + s[1:] if s else s
    if style == "plain":
        cl = [cap(c) for c in clauses]
        seq = []
        for i, c in enumerate(cl):
            seq.append((c, i)); seq.append((". " if i < len(cl) - 1 else ".", None))
    elif style == "image_of":
        head = r.choice(["Image of a tile: ", "Image of a rural area - ", "Satellite image of a 1.28 km tile, ", "Image of the ground: "])
        seq = [(head, None)]
        for i, c in enumerate(clauses):
            seq.append((c, i)); seq.append(("; " if i < len(clauses) - 1 else ".", None))
    elif style == "social":
        seq = [(r.choice(EMO) + " ", None)]
        for i, c in enumerate(clauses):
            seq.append((c, i)); seq.append((" " + r.choice(EMO) + " " if i < len(clauses) - 1 else " ", None))
        seq.append((r.choice(["#RemoteSensing #Sentinel2", "#EO #satellite", "#earthobservation", "#GIS 🙌"]), None))
    elif style == "bullets":
        seq = [(r.choice(["Summary:\n", "**Tile notes**\n", "Observations:\n", ""]), None)]
        b = r.choice(["- ", "* ", "• "])
        for i, c in enumerate(clauses):
            seq.append((b, None)); seq.append((cap(c), i)); seq.append(("\n" if i < len(clauses) - 1 else "", None))
    elif style == "qa":
        qs = ["What does the tile show?", "Describe the scene.", "Q: what's in this image?", "What can you tell me about this tile?"]
        seq = [(r.choice(qs) + " A: ", None)]
        for i, c in enumerate(clauses):
            seq.append((c, i))
            seq.append((", " if i < len(clauses) - 2 else (" and " if i == len(clauses) - 2 else "."), None))
    elif style == "runon":
        seq = []
        for i, c in enumerate(clauses):
            seq.append((c, i)); seq.append((r.choice([" and ", ", ", " and also ", ", plus "]) if i < len(clauses) - 1 else "", None))
    elif style == "report":
        seq = [(r.choice(["Key facts: ", "Report — ", "Tile report: ", "Findings: "]), None)]
        for i, c in enumerate(clauses):
            seq.append((c, i)); seq.append(("; " if i < len(clauses) - 1 else ".", None))
    elif style == "typo_chat":
        seq = [(r.choice(["ok so ", "hmm, ", "so basically ", "lol "]), None)]
        for i, c in enumerate(clauses):
            seq.append((c, i)); seq.append((r.choice([" .. ", ", ", " - "]) if i < len(clauses) - 1 else r.choice(["", " :)", "!"]), None))
    elif style == "british":
        seq = []
        for i, c in enumerate(clauses):
            seq.append((cap(c), i)); seq.append((". " if i < len(clauses) - 1 else ".", None))
    else:  # parenthetical
        seq = [(cap(clauses[0]), 0)]
        if len(clauses) > 1:
            seq.append((" (", None)); seq.append((clauses[1], 1)); seq.append((")", None))
        for i in range(2, len(clauses)):
            seq.append(("; " if i > 2 else ", ", None)); seq.append((clauses[i], i))
        seq.append((".", None))
    text = ""
    offs = {}
    for s, i in seq:
        if s is None:
            continue
        if i is not None:
            offs[i] = (len(text), len(text) + len(s))
            clauses[i] = s
        text += s
    return text, offs


def transform(style, c, r):
    if style == "runon":
        return c[0].lower() + c[1:] if not c[:2].isupper() else c
    if style == "typo_chat" and r.random() < 0.35:
        return typo(c, r)
    if style == "british":
        return brit(c)
    return c


def main():
    rng = random.Random(SEED)
    tiles = sorted(T)
    bb = [x for x in tiles if x.startswith("bb")]
    ben = [x for x in tiles if x.startswith("ben")]
    r2 = random.Random(SEED + 1)
    dev = set(r2.sample(bb, 13) + r2.sample(ben, 2))
    fam_count = {}
    out = {"dev": [], "test": []}
    audit = []
    style_i = 0
    for tid in tiles:
        g = Gen(tid, random.Random("%d:%s" % (SEED, tid)))
        g.build()
        r = g.r
        NF, NT = (33, 13)
        used = set()
        recs = []
        # ---- false captions: balance families globally
        falses = g.false
        byfam = {}
        for fc in falses:
            byfam.setdefault(fc[1], []).append(fc)
        famlist = sorted(byfam) + (["consistency"] if g.true else [])
        tries = 0
        nf = 0
        while nf < NF and tries < 600:
            tries += 1
            fam = min(famlist, key=lambda f: (fam_count.get(f, 0), r.random()))
            if fam == "consistency":
                # a false clause that directly contradicts a true clause in the same caption
                pairs = [(tc, fc) for fc in falses for tc in g.true if tc[2] == fc[2] and fc[3]
                         and tc[2].split(":")[0] in ("share", "pres", "abs", "dom", "water", "vig", "date", "snow", "sar")]
                if not pairs:
                    famlist.remove("consistency"); continue
                tc, fc = r.choice(pairs)
                others = [x for x in g.true if x[2] != tc[2]]
                k = r.randint(0, 2)
                chosen = [tc] + r.sample(others, min(k, len(others)))
                ffam = "consistency"
            else:
                fc = r.choice(byfam[fam])
                others = [x for x in g.true if x[2] != fc[2]]
                k = r.randint(1, 3)
                chosen = r.sample(others, min(k, len(others)))
                ffam = fam
            items = [(c[0], "T", c[1]) for c in chosen] + [(fc[0], "F", ffam)]
            r.shuffle(items)
            if ffam == "consistency":
                # keep the true statement first so the later one contradicts it
                ti = [i for i, it in enumerate(items) if it[0] == tc[0]][0]
                fi = [i for i, it in enumerate(items) if it[1] == "F"][0]
                if ti > fi:
                    items[ti], items[fi] = items[fi], items[ti]
            style = STYLES[style_i % len(STYLES)]
            texts = [transform(style, it[0], r) for it in items]
            cap_, offs = assemble(style, texts, r)
            fi = [i for i, it in enumerate(items) if it[1] == "F"][0]
            ftxt = texts[fi]
            if cap_ in used or cap_.count(ftxt) != 1 or len(set(texts)) != len(texts):
                continue
            used.add(cap_)
            style_i += 1
            nf += 1
            fam_count[ffam] = fam_count.get(ffam, 0) + 1
            recs.append((cap_, "false", ftxt, ffam, fc[3], style, items, texts, offs))
        nt = 0
        tries = 0
        pool = [x for x in g.true]
        while nt < NT and tries < 400:
            tries += 1
            k = r.randint(2, 5)
            chosen = []
            subj = set()
            for x in r.sample(pool, len(pool)):
                if x[2] not in subj:
                    chosen.append(x); subj.add(x[2])
                if len(chosen) == k:
                    break
            if len(chosen) < 2:
                continue
            items = [(c[0], "T", c[1]) for c in chosen]
            style = STYLES[style_i % len(STYLES)]
            texts = [transform(style, it[0], r) for it in items]
            if len(set(texts)) != len(texts):
                continue
            cap_, offs = assemble(style, texts, r)
            if cap_ in used:
                continue
            used.add(cap_)
            style_i += 1
            nt += 1
            recs.append((cap_, "true", None, None, True, style, items, texts, offs))
        split = "dev" if tid in dev else "test"
        for j, (cap_, lab, ftxt, ffam, dec, style, items, texts, offs) in enumerate(recs):
            cid = "%s-%s-%03d" % (split, tid, j)
            out[split].append({"caption_id": cid, "tile_id": tid, "caption": cap_, "label": lab,
                               "false_clause": ftxt, "false_family": ffam, "decidable": bool(dec), "style": style})
            audit.append({"caption_id": cid, "tile_id": tid, "split": split, "label": lab, "caption": cap_,
                          "clauses": [{"text": texts[i], "start": offs[i][0], "end": offs[i][1],
                                       "truth": items[i][1] == "T", "family": items[i][2]} for i in range(len(items))]})
    for s in ("dev", "test"):
        with open(os.path.join(HERE, s + ".jsonl"), "w") as fo:
            for rec in out[s]:
                fo.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "clauses_audit.jsonl"), "w") as fo:
        for a in audit:
            fo.write(json.dumps(a, ensure_ascii=False) + "\n")
    for s in ("dev", "test"):
        nf = sum(1 for x in out[s] if x["label"] == "false"); ntr = sum(1 for x in out[s] if x["label"] == "true")
        print(s, "tiles", len({x["tile_id"] for x in out[s]}), "false", nf, "true", ntr)
    print(sorted(fam_count.items()))


if __name__ == "__main__":
    main()
