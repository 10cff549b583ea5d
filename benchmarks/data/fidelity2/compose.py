#!/usr/bin/env python
"""Compose planted-claim captions from truth.json -> dev.jsonl, test.jsonl, clauses_audit.jsonl.

Every clause is produced by a family generator that is asked for a TRUE or a FALSE clause and
only returns one when the truth facts decide it with a clear margin.  TRUE captions hold only
true clauses; FALSE captions hold exactly one false clause among true ones.
Deterministic: fixed seed, sorted inputs, no dict-order or hash dependence.
"""
import json, math, os, random, re

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261129
T = json.load(open(os.path.join(HERE, "truth.json")))

STYLES = ["alttext", "report", "social", "travel", "assistant", "nonnative", "fieldnotes"]

# ----------------------------------------------------------------------------- vocabulary
NOUN = {
    "tree": ["forest", "woodland", "tree cover", "wooded land", "trees", "forested land", "woods"],
    "shrub": ["shrubland", "scrub", "scrubland", "bushland", "shrubby vegetation", "brush"],
    "grass": ["grassland", "meadow", "pasture", "grassy land", "meadows", "grass cover"],
    "crop": ["cropland", "farmland", "arable land", "cultivated fields", "crop fields", "agricultural fields"],
    "built": ["built-up land", "settlement", "residential area", "built-up area", "housing", "urban fabric"],
    "wetland": ["wetland", "marshland", "marsh", "fen", "swampy ground", "wet meadows and reeds"],
    "water": ["open water", "water", "surface water"],
    "mangrove": ["mangroves", "mangrove forest"],
}
PLURALISH = {"trees", "woods", "meadows", "cultivated fields", "crop fields", "agricultural fields",
             "mangroves", "wet meadows and reeds"}
LC_CLASSES = ["tree", "shrub", "grass", "crop", "built", "wetland"]
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
FRACS = [(5, ["a twentieth", "one twentieth"]), (10, ["a tenth", "one tenth", "one-tenth"]),
         (12.5, ["an eighth", "one eighth"]), (20, ["a fifth", "one fifth", "one-fifth"]),
         (25, ["a quarter", "one quarter", "a fourth"]), (33.3, ["a third", "one third", "roughly one-third"]),
         (40, ["two-fifths", "two fifths"]), (50, ["half", "one half"]), (60, ["three-fifths"]),
         (66.7, ["two-thirds", "two thirds"]), (75, ["three-quarters", "three quarters"]),
         (80, ["four-fifths"]), (90, ["nine-tenths", "nine tenths"])]
TILE_HA = 163.84
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
MON_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def words(n):
    n = int(n)
    if n < 20:
        return ONES[n]
    if n == 100:
        return "one hundred"
    t, o = divmod(n, 10)
    return TENS[t] + ("" if o == 0 else "-" + ONES[o])


def is_pl(noun):
    return noun in PLURALISH


def be(noun):
    return "are" if is_pl(noun) else "is"


def s_(noun, verb):
    """conjugate a 3rd-person verb for the noun: covers/cover."""
    if is_pl(noun):
        return {"is": "are", "has": "have", "does": "do"}.get(verb, verb[:-1] if verb.endswith("s") else verb)
    return verb


def pick(rng, xs):
    return xs[rng.randrange(len(xs))]


# ----------------------------------------------------------------------------- share phrases
def pct_num(rng, c):
    c = int(round(c))
    return pick(rng, [f"{c}%", f"{c} %", f"{c} percent", f"{c} per cent", f"{words(c)} percent",
                      f"{c}%", f"{c} pct"])


def share_phrase(rng, v, vl, truth, allow=None):
    """Return (phrase, kind) about share v (% of tile); vl = share among labelled pixels."""
    kinds = allow or ["approx", "frac", "range", "upper", "lower", "sliver", "ha", "majority"]
    for _ in range(30):
        k = pick(rng, kinds)
        if truth:
            if k == "approx" and v >= 1.5:
                c = round(v)
                return pick(rng, [f"about {pct_num(rng, c)}", f"roughly {pct_num(rng, c)}", f"around {pct_num(rng, c)}",
                                  f"~{c}%", f"approximately {pct_num(rng, c)}", f"close to {pct_num(rng, c)}",
                                  f"some {pct_num(rng, c)}", f"an estimated {c}%"]), k
            if k == "frac":
                cands = [(f, ps) for f, ps in FRACS if abs(f - v) <= 2.5]
                if cands:
                    f, ps = pick(rng, cands)
                    return pick(rng, [pick(rng, ps), "roughly " + pick(rng, ps), "about " + pick(rng, ps),
                                      "something like " + pick(rng, ps)]), k
            if k == "range" and v >= 3:
                lo = max(0, int(5 * math.floor((v - 2) / 5)))
                hi = lo + pick(rng, [10, 10, 15])
                if lo <= v - 2 and hi >= v + 2:
                    return pick(rng, [f"between {lo} and {hi}%", f"{lo}–{hi}%", f"somewhere between {words(lo)} and {words(hi)} percent",
                                      f"{lo} to {hi} percent"]), k
            if k == "upper" and v <= 90:
                X = int(5 * math.ceil((v + 5) / 5))
                return pick(rng, [f"under {pct_num(rng, X)}", f"less than {pct_num(rng, X)}", f"no more than {pct_num(rng, X)}",
                                  f"below {pct_num(rng, X)}", f"well under {X}%", f"at most {X}%"]), k
            if k == "lower" and v >= 9:
                X = int(5 * math.floor((v - 5) / 5))
                if X >= 3:
                    return pick(rng, [f"at least {pct_num(rng, X)}", f"more than {pct_num(rng, X)}", f"over {pct_num(rng, X)}",
                                      f"upwards of {X}%", f"in excess of {X}%"]), k
            if k == "sliver" and 0.3 <= v <= 4:
                return pick(rng, ["a sliver", "a tiny fraction", "just a few percent", "only a small sliver",
                                  "a very small part", "a minor fraction"]), k
            if k == "ha" and v >= 2:
                ha = v * TILE_HA / 100
                c = int(round(ha))
                return pick(rng, [f"about {c} hectares", f"roughly {c} ha", f"some {c} ha",
                                  f"around {ha / 100:.2f} km²" if ha >= 10 else f"about {c} hectares"]), k
        else:
            if k == "approx":
                for _ in range(10):
                    c = pick(rng, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]) + pick(rng, [0, 0, 0, 2, -2, 3])
                    if abs(c - v) >= 15 and abs(c - vl) >= 10 and c > 0:
                        return pick(rng, [f"about {pct_num(rng, c)}", f"roughly {pct_num(rng, c)}", f"around {pct_num(rng, c)}",
                                          f"~{c}%", f"approximately {pct_num(rng, c)}", f"close to {pct_num(rng, c)}",
                                          f"some {pct_num(rng, c)}", f"an estimated {c}%", f"{pct_num(rng, c)}"]), k
            if k == "frac":
                cands = [(f, ps) for f, ps in FRACS if abs(f - v) >= 15 and abs(f - vl) >= 10]
                if cands:
                    f, ps = pick(rng, cands)
                    return pick(rng, [pick(rng, ps), "roughly " + pick(rng, ps), "about " + pick(rng, ps),
                                      "something like " + pick(rng, ps)]), k
            if k == "range":
                lo = pick(rng, [20, 25, 30, 40, 50, 55, 60, 70])
                hi = lo + pick(rng, [10, 10, 15, 20])
                if lo >= v + 15 and lo >= vl + 5 or (hi <= v - 15):
                    return pick(rng, [f"between {lo} and {hi}%", f"{lo}–{hi}%", f"somewhere between {words(lo)} and {words(hi)} percent",
                                      f"{lo} to {hi} percent"]), k
            if k == "upper" and v >= 20:
                X = int(5 * math.floor((v - 12) / 5))
                if X >= 5:
                    return pick(rng, [f"under {pct_num(rng, X)}", f"less than {pct_num(rng, X)}", f"no more than {pct_num(rng, X)}",
                                      f"below {pct_num(rng, X)}", f"barely {X}%", f"at most {X}%"]), k
            if k == "lower":
                X = int(5 * math.ceil(max(v + 12, min(vl + 5, v + 30)) / 5))
                if X <= 90:
                    return pick(rng, [f"at least {pct_num(rng, X)}", f"more than {pct_num(rng, X)}", f"over {pct_num(rng, X)}",
                                      f"upwards of {X}%", f"in excess of {X}%"]), k
            if k == "majority" and v < 35 and vl < 50:
                return pick(rng, ["more than half", "the majority", "the bulk", "well over half", "most",
                                  "the lion's share", "a clear majority"]), k
            if k == "sliver" and v >= 20:
                return pick(rng, ["a sliver", "a tiny fraction", "just a few percent", "only a small sliver",
                                  "a negligible part"]), k
            if k == "ha":
                for _ in range(10):
                    c = pick(rng, [40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140])
                    if abs(c - v * TILE_HA / 100) >= 25 and abs(c - vl * TILE_HA / 100) >= 16:
                        return pick(rng, [f"about {c} hectares", f"roughly {c} ha", f"some {c} ha",
                                          f"around {c / 100:.1f} km²"]), k
    return None, None


# ----------------------------------------------------------------------------- helpers on truth
def lc_ok(t, minlab=0.15):
    return t.get("landcover_decidable") and t["landcover_labelled_fraction"] >= minlab


def share(t, c):
    return t["lc_share_pct"].get(c, 0.0)


def lshare(t, c):
    return t["lc_share_of_labelled_pct"].get(c, 0.0)


def noun(rng, c):
    return pick(rng, NOUN[c])


class Clause:
    def __init__(self, text, truth, family, decidable=True, basis=None):
        self.text, self.truth, self.family, self.decidable, self.basis = text, truth, family, decidable, basis or {}


# ----------------------------------------------------------------------------- family generators
def g_landcover_share(t, want, rng):
    if not lc_ok(t, 0.05):
        return None
    cls = [c for c in LC_CLASSES if (share(t, c) >= 1.0 if want else True)]
    if not cls:
        return None
    c = pick(rng, cls)
    v, vl = share(t, c), lshare(t, c)
    if not want and not lc_ok(t):
        # over-estimates on barely-labelled tiles are too ambiguous: only under-estimates there
        return None
    ph, kind = share_phrase(rng, v, vl, want)
    if ph is None:
        return None
    n = noun(rng, c)
    tmpl = pick(rng, [
        "{P} of the tile is {N}", "{N} covers {P} of the scene", "{N} accounts for {P} of the area",
        "{N} makes up {P} of the image", "{P} of the frame is taken up by {N}", "{N} occupies {P} of the tile",
        "the share of {N} comes to {P}", "{P} of the area is mapped as {N}", "{N}: {P} of the tile",
        "{N} takes up {P} of the 1.28 km square", "{P} of this patch is {N}", "{N} spreads over {P} of the tile",
        "land cover is {P} {N}", "{N} forms {P} of the ground cover", "{P} of the surface is {N}",
        "about the {N}: it covers {P} of the tile", "{N} represents {P} of the total area",
    ])
    if kind == "ha" and "of" in tmpl.split("{P}")[1][:4]:
        tmpl = pick(rng, ["{N} covers {P}", "{N} occupies {P} of the tile", "{N} spreads over {P}", "{P} of {N}"])
    if kind == "majority" and tmpl.startswith("{N}:"):
        tmpl = "{N} covers {P} of the scene"
    if kind == "ha" and tmpl == "{P} of {N}":
        txt = f"{ph} of {n} in the tile"
    else:
        txt = tmpl.replace("{P}", ph).replace("{N}", n)
    if is_pl(n):
        txt = txt.replace(f"{n} covers", f"{n} cover").replace(f"{n} accounts", f"{n} account").replace(
            f"{n} makes", f"{n} make").replace(f"{n} occupies", f"{n} occupy").replace(f"{n} takes", f"{n} take").replace(
            f"{n} spreads", f"{n} spread").replace(f"{n} forms", f"{n} form").replace(f"{n} represents", f"{n} represent").replace(
            " is taken up by", " is taken up by")
    return Clause(txt, want, "landcover_share", True, {"class": c, "share": v, "share_labelled": vl, "kind": kind})


def present(t, c, thr=0.5):
    return share(t, c) >= thr


def absent_ok(t, c):
    return lc_ok(t) and share(t, c) == 0.0


def g_landcover_presence(t, want, rng):
    if not lc_ok(t, 0.05):
        return None
    pres = [c for c in LC_CLASSES if present(t, c)]
    pres2 = [c for c in LC_CLASSES if present(t, c, 2.0)]
    absn = [c for c in LC_CLASSES if absent_ok(t, c)] + (["mangrove"] if lc_ok(t) else [])
    mode = pick(rng, ["pos", "neg", "neg", "coord"])
    if mode == "coord":
        if want and len(absn) >= 2:
            a, b = rng.sample(absn, 2)
        elif not want and absn and pres2:
            a, b = pick(rng, pres2), pick(rng, absn)
            if rng.random() < 0.5:
                a, b = b, a
        else:
            mode = "neg"
        if mode == "coord":
            na, nb = noun(rng, a), noun(rng, b)
            txt = pick(rng, [f"neither {na} nor {nb} can be seen", f"there is no {na} or {nb}", f"no {na} and no {nb}",
                             f"the tile has neither {na} nor {nb}", f"{na} and {nb} are both absent",
                             f"without any {na} or {nb}", f"no trace of {na} or of {nb}"])
            return Clause(txt, want, "landcover_presence", True, {"classes": [a, b], "mode": "coord"})
    if mode == "pos":
        pool = pres if want else [c for c in absn if c != "mangrove"] + (["mangrove"] if absn else [])
        if not pool:
            return None
        c = pick(rng, pool)
        n = noun(rng, c)
        txt = pick(rng, [f"some {n} is visible", f"patches of {n} appear", f"there is {n} in the tile",
                         f"the scene includes {n}", f"{n} can be made out", f"a bit of {n} shows up",
                         f"{n} is present", f"the tile contains some {n}", f"you can spot {n}", f"with some {n}",
                         f"{n} features in the scene", f"there's {n} here"])
        if is_pl(n):
            txt = txt.replace(f"{n} is ", f"{n} are ").replace(f"there is {n}", f"there are {n}").replace(f"there's {n}", f"there are {n}")
            txt = txt.replace(f"some {n} are visible", f"some {n} are visible")
        return Clause(txt, want, "landcover_presence", True, {"class": c, "mode": "pos", "share": share(t, c)})
    # neg
    pool = absn if want else pres2
    if not pool:
        return None
    c = pick(rng, pool)
    n = noun(rng, c)
    txt = pick(rng, [f"no {n}", f"there is no {n} at all", f"the tile is free of {n}", f"{n} is missing entirely",
                     f"not a single patch of {n}", f"without any {n}", f"no {n} anywhere in the frame",
                     f"{n} does not occur", f"there isn't any {n}", f"completely lacking {n}", f"zero {n}",
                     f"{n} is absent"])
    if is_pl(n):
        txt = txt.replace(f"{n} is ", f"{n} are ").replace(f"{n} does", f"{n} do").replace(f"there is no {n}", f"there are no {n}").replace(
            f"there isn't any {n}", f"there aren't any {n}")
    return Clause(txt, want, "landcover_presence", True, {"class": c, "mode": "neg", "share": share(t, c)})


def g_dominance(t, want, rng):
    if not lc_ok(t) or "lc_dominant" not in t:
        return None
    dom = t["lc_dominant"]
    if dom == "water":
        return None
    dv = share(t, dom)
    if want:
        if t["lc_dominant_margin_pct"] < 3:
            return None
        lo_w, hi_w, _ = water_bounds(t)
        if hi_w is not None and dv < hi_w + 3:
            return None
        n = pick(rng, [x for x in NOUN[dom] if not is_pl(x)])
        txt = pick(rng, [f"{n} is the most widespread mapped class", f"the largest mapped share goes to {n}",
                         f"among the labelled land cover, {n} leads", f"{n} is the single biggest land-cover class",
                         f"the commonest mapped cover type is {n}", f"{n} outranks every other class",
                         f"of all the mapped classes {n} covers the most ground", f"the main land-cover class is {n}",
                         f"the leading cover type is {n}"])
        return Clause(txt, True, "dominance", True, {"class": dom, "margin": t["lc_dominant_margin_pct"]})
    cands = [c for c in LC_CLASSES if c != dom and share(t, c) <= dv - 8]
    if not cands:
        return None
    c = pick(rng, cands)
    n = pick(rng, [x for x in NOUN[c] if not is_pl(x)])
    txt = pick(rng, [f"the tile is dominated by {n}", f"{n} is the dominant land cover", f"predominantly {n}",
                     f"{n} is the most common class", f"the largest share belongs to {n}", f"mostly {n}",
                     f"{n} dominates the scene", f"the landscape is largely {n}", f"{n} clearly prevails over everything else",
                     f"the main cover type is {n}"])
    if is_pl(n):
        txt = txt.replace(f"{n} is ", f"{n} are ").replace(f"{n} dominates", f"{n} dominate").replace(f"{n} clearly prevails", f"{n} clearly prevail")
    return Clause(txt, False, "dominance", True, {"class": c, "dominant": dom, "share": share(t, c), "dom_share": dv})


def interval(t, c):
    if c == "water":
        lo, hi, _ = water_bounds(t)
        return lo, hi
    v = share(t, c)
    return v, v


def g_comparison(t, want, rng):
    if not lc_ok(t, 0.1):
        return None
    cls = [c for c in LC_CLASSES + ["water"]]
    if t["water"].get("snow_pct", 0) >= 1:
        cls = LC_CLASSES[:]
    pairs = [(a, b) for a in cls for b in cls if a != b]
    rng.shuffle(pairs)
    for a, b in pairs:
        (xl, xh), (yl, yh) = interval(t, a), interval(t, b)
        mode = pick(rng, ["more", "more", "less", "twice", "same", "exceeds"])
        ok = None
        a_more = xl - yh >= 5 and xl >= 1.5 * yh
        b_more = yl - xh >= 5 and yl >= 1.5 * xh
        if mode in ("more", "exceeds"):
            ok = True if a_more else (False if b_more else None)
        elif mode == "less":
            ok = True if b_more else (False if a_more else None)
        elif mode == "twice":
            if xl >= 2.6 * yh and xl - yh >= 5:
                ok = True
            elif xh <= 1.2 * yl and yl >= 3:
                ok = False
        elif mode == "same":
            if xl == xh and yl == yh and abs(xl - yl) <= 1.5 and min(xl, yl) >= 3:
                ok = True
            elif xl - yh >= 12 or yl - xh >= 12:
                ok = False
        if ok is None or ok != want:
            continue
        x, y = (xl, xh), (yl, yh)
        na, nb = noun(rng, a), noun(rng, b)
        if mode == "more":
            txt = pick(rng, [f"there is more {na} than {nb}", f"{na} covers more ground than {nb}",
                             f"{na} outweighs {nb}", f"more of the tile is {na} than {nb}",
                             f"{na} is more extensive than {nb}", f"{nb} is less common than {na}"])
        elif mode == "exceeds":
            txt = pick(rng, [f"{na} exceeds {nb} in area", f"the {na} share is larger than the {nb} share",
                             f"{na} beats {nb} on area", f"{nb} is outnumbered by {na}"])
        elif mode == "less":
            txt = pick(rng, [f"there is less {na} than {nb}", f"{na} covers less ground than {nb}",
                             f"{na} is scarcer than {nb}", f"{nb} is more extensive than {na}",
                             f"{na} trails {nb} in area"])
        elif mode == "twice":
            txt = pick(rng, [f"{na} covers at least twice as much area as {nb}", f"there is twice as much {na} as {nb}, or more",
                             f"{na} is more than double the {nb}", f"{nb} covers under half as much area as {na}"])
        else:
            txt = pick(rng, [f"{na} and {nb} cover about the same area", f"{na} and {nb} are roughly equal in extent",
                             f"the {na} and {nb} shares are nearly identical", f"{na} and {nb} are evenly matched"])
        for n in (na, nb):
            if is_pl(n):
                txt = txt.replace(f"{n} covers", f"{n} cover").replace(f"{n} is ", f"{n} are ").replace(
                    f"{n} outweighs", f"{n} outweigh").replace(f"{n} exceeds", f"{n} exceed").replace(
                    f"{n} beats", f"{n} beat").replace(f"{n} trails", f"{n} trail")
        return Clause(txt, want, "comparison", True, {"a": a, "b": b, "mode": mode, "sa": x, "sb": y})
    return None


QUAD = {"NW": ["the north-west corner", "the upper-left quadrant", "the north-western quarter", "the top left"],
        "NE": ["the north-east corner", "the upper-right quadrant", "the north-eastern quarter", "the top right"],
        "SW": ["the south-west corner", "the lower-left quadrant", "the south-western quarter", "the bottom left"],
        "SE": ["the south-east corner", "the lower-right quadrant", "the south-eastern quarter", "the bottom right"]}
HALF = {"north": ["the northern half", "the top half", "the north of the tile", "the upper half"],
        "south": ["the southern half", "the bottom half", "the south of the tile", "the lower half"],
        "west": ["the western half", "the left-hand half", "the west side", "the left side"],
        "east": ["the eastern half", "the right-hand half", "the east side", "the right side"]}
EDGE = {"north_edge": ["the northern edge", "the top edge", "the northern border"],
        "south_edge": ["the southern edge", "the bottom edge", "the southern margin"],
        "west_edge": ["the western edge", "the left edge", "the western border"],
        "east_edge": ["the eastern edge", "the right edge", "the eastern margin"]}


def g_position(t, want, rng):
    objs = []
    if lc_ok(t, 0.1):
        for c, p in t["lc_positions"].items():
            if c in LC_CLASSES and p["total_px"] >= 400:
                objs.append((c, p))
    W = t["water"]
    if "spectral_water_positions" in W and W.get("spectral_water_pct", 0) >= 5 and W.get("snow_pct", 0) < 1 and W.get("cloud_pct", 0) < 2:
        objs.append(("lake", W["spectral_water_positions"]))
    if not objs:
        return None
    rng.shuffle(objs)
    for c, p in objs:
        n = "open water" if c == "lake" else noun(rng, c)
        if c == "lake":
            n = pick(rng, ["open water", "the water body", "the lake water", "surface water"])
        for _ in range(6):
            mode = pick(rng, ["quad", "half", "edge", "centre"])
            if mode == "quad":
                q = pick(rng, list(QUAD))
                f = p["quadrant_frac_of_class"][q]
                ok = True if f >= 0.55 else (False if f <= 0.08 else None)
                if ok is None or ok != want:
                    continue
                where = pick(rng, QUAD[q])
                txt = pick(rng, [f"{n} is concentrated in {where}", f"most of the {n} lies in {where}",
                                 f"{where} holds the bulk of the {n}", f"{n} clusters in {where}",
                                 f"the {n} sits mainly in {where}"])
            elif mode == "half":
                h = pick(rng, list(HALF))
                f = p["half_frac_of_class"][h]
                ok = True if f >= 0.8 else (False if f <= 0.2 else None)
                if ok is None or ok != want:
                    continue
                where = pick(rng, HALF[h])
                txt = pick(rng, [f"{n} is mostly found in {where}", f"nearly all the {n} is in {where}",
                                 f"{where} contains most of the {n}", f"the {n} is confined largely to {where}"])
            elif mode == "edge":
                e = pick(rng, list(EDGE))
                px = p["edge16_px"][e]
                f = p["edge16_frac_of_class"][e]
                ok = True if (f >= 0.35 and px >= 300) else (False if px == 0 else None)
                if ok is None or ok != want:
                    continue
                where = pick(rng, EDGE[e])
                txt = pick(rng, [f"{n} runs along {where}", f"{n} lines {where}", f"a band of {n} follows {where}",
                                 f"{where} is fringed with {n}", f"{n} hugs {where}"])
            else:
                f = p["centre64_frac_of_class"]
                px = p["centre64_px"]
                ok = True if f >= 0.55 else (False if px == 0 else None)
                if ok is None or ok != want:
                    continue
                txt = pick(rng, [f"{n} occupies the centre of the tile", f"the middle of the image is {n}",
                                 f"{n} sits right in the centre", f"at the heart of the tile lies {n}",
                                 f"the central part is taken by {n}"])
            for m in (n,):
                if is_pl(m):
                    txt = txt.replace(f"{m} is ", f"{m} are ").replace(f"{m} clusters", f"{m} cluster").replace(
                        f"{m} runs", f"{m} run").replace(f"{m} lines", f"{m} line").replace(f"{m} hugs", f"{m} hug").replace(
                        f"{m} occupies", f"{m} occupy").replace(f"{m} sits", f"{m} sit").replace(f"all the {m} is", f"all the {m} are").replace(
                        f"the {m} is", f"the {m} are").replace(f"the {m} lies", f"the {m} lie")
            return Clause(txt, want, "position", True, {"object": c, "mode": mode})
    return None


def water_bounds(t):
    W = t["water"]
    vals = [x for x in (W.get("map_water_pct"), W.get("jrc_ge50_pct"), W.get("spectral_water_pct")) if x is not None]
    hi_vals = vals + [W.get("spectral_water_pct_loose")] if W.get("spectral_water_pct_loose") is not None else vals
    return min(vals) if vals else None, max(hi_vals) if hi_vals else None, max(vals) if vals else None


def g_water(t, want, rng):
    W = t["water"]
    if not W.get("decidable") or W.get("snow_pct", 0) >= 1:
        return None
    lo, hi, best = water_bounds(t)
    if lo is None:
        return None
    big = (W.get("spectral_water_pct") or 0) >= 20 and t["tile_id"].startswith("bb2")
    present = W["present"]
    clear_water = W["clear_present"]
    mode = pick(rng, ["pres", "pres", "extent", "extent", "kind"])
    if mode == "kind":
        if want:
            if big:
                txt = pick(rng, ["part of a lake shows up in the tile", "a lake takes up a good part of the frame",
                                 "the shore of a sizeable lake crosses the tile", "a broad lake surface is visible"])
                return Clause(txt, True, "water", True, {"mode": "kind", "kind": "lake"})
            return None
        # false kinds: sea / coast on inland tiles (all tiles here are inland), or any water body if absent
        if W["absent"] and rng.random() < 0.5:
            txt = pick(rng, ["a small lake sits in the tile", "a river winds through the scene", "a pond is visible",
                             "a reservoir occupies part of the tile", "a stream cuts across the fields",
                             "there's a little lake in one corner", "a canal crosses the image"])
            return Clause(txt, False, "water", True, {"mode": "kind", "kind": "any-water", "absent": True})
        txt = pick(rng, ["the sea coast runs through the tile", "a stretch of open sea is visible", "tidal flats line the shore",
                         "a sandy sea beach borders the water", "the ocean fills part of the frame",
                         "a saltwater bay cuts into the land", "waves break along a coastline here", "a fjord is visible"])
        return Clause(txt, False, "water", True, {"mode": "kind", "kind": "sea"})
    if mode == "pres":
        if want and W["present"]:
            txt = pick(rng, ["there is some open water", "water is present", "a water body can be seen",
                             "surface water is visible", "some water shows up", "the tile includes open water",
                             "water appears in the scene"])
            return Clause(txt, True, "water", True, {"mode": "pres", "best": best})
        if want and W["absent"]:
            txt = pick(rng, ["there is no open water", "no water bodies are visible", "the tile is completely dry land",
                             "not a drop of surface water shows", "no lakes, ponds or rivers", "water is absent",
                             "without any water", "free of surface water"])
            return Clause(txt, True, "water", True, {"mode": "abs", "best": best})
        if not want and W["absent"]:
            txt = pick(rng, ["there is some open water", "a water body can be seen", "a lake or pond is visible",
                             "surface water is visible", "the tile includes open water", "water glints in the scene"])
            return Clause(txt, False, "water", True, {"mode": "pres", "best": best})
        if not want and clear_water:
            txt = pick(rng, ["there is no open water", "no water bodies are visible", "the tile is completely dry land",
                             "not a drop of surface water shows", "no lakes, ponds or rivers", "water is absent",
                             "without any water", "free of surface water"])
            return Clause(txt, False, "water", True, {"mode": "abs", "best": best})
        return None
    # extent
    if want:
        opts = []
        if hi + 3 <= 95:
            X = int(5 * math.ceil((hi + 3) / 5))
            opts.append(pick(rng, [f"water covers less than {pct_num(rng, X)} of the tile", f"under {X}% of the area is water",
                                   f"open water makes up no more than {pct_num(rng, X)}", f"water is limited to below {X}%"]))
        if lo - 3 >= 5:
            X = int(5 * math.floor((lo - 3) / 5))
            opts.append(pick(rng, [f"water covers more than {pct_num(rng, X)} of the tile", f"over {X}% of the area is water",
                                   f"at least {pct_num(rng, X)} of the scene is open water"]))
        if hi - lo <= 6 and lo >= 2:
            c = int(round((lo + hi) / 2))
            opts.append(pick(rng, [f"water covers roughly {pct_num(rng, c)} of the tile", f"about {c}% of the area is water"]))
        if hi < 3 and present:
            opts.append(pick(rng, ["only a sliver of the tile is water", "water takes up just a tiny fraction of the area",
                                   "there is only a little water"]))
        if not opts:
            return None
        return Clause(pick(rng, opts), True, "water", True, {"mode": "extent", "lo": lo, "hi": hi})
    opts = []
    X = int(5 * math.ceil((hi + 12) / 5))
    if X <= 90:
        opts.append(pick(rng, [f"water covers more than {pct_num(rng, X)} of the tile", f"over {X}% of the area is water",
                               f"at least {pct_num(rng, X)} of the scene is open water", f"water takes up about {pct_num(rng, X + 5)} of the tile",
                               f"most of the tile is under water" if hi < 35 else f"over {X}% of the area is water",
                               f"a lake fills roughly {pct_num(rng, X + 5)} of the frame"]))
    if lo - 12 >= 5:
        X = int(5 * math.floor((lo - 12) / 5))
        opts.append(pick(rng, [f"water covers less than {pct_num(rng, X)} of the tile", f"under {X}% of the area is water",
                               f"only a sliver of water, well under {X}%"]))
    if not opts:
        return None
    return Clause(pick(rng, opts), False, "water", True, {"mode": "extent", "lo": lo, "hi": hi})


def g_vegetation(t, want, rng):
    nd = t.get("ndvi")
    if not nd:
        return None
    med, mean, p90, p10 = nd["median"], nd["mean"], nd["p90"], nd["p10"]
    snow = t["water"].get("snow_pct", 0) >= 5
    low = med < 0.35 and p90 < 0.45
    high = med > 0.7
    mode = pick(rng, ["num", "num", "word", "word", "bound"])
    if mode == "num":
        if want:
            v = round(mean, 2) + 0.0
            if abs(v) < 0.005:
                v = 0.0
            txt = pick(rng, [f"mean NDVI is about {v:.2f}", f"NDVI averages roughly {v:.2f}", f"the average NDVI sits near {v:.2f}",
                             f"an NDVI of around {v:.2f} on average", f"mean NDVI ≈ {v:.2f}"])
            return Clause(txt, True, "vegetation", True, {"mean": mean})
        for _ in range(10):
            v = pick(rng, [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85])
            if abs(v - mean) >= 0.25 and abs(v - med) >= 0.25:
                txt = pick(rng, [f"mean NDVI is about {v:.2f}", f"NDVI averages roughly {v:.2f}", f"the average NDVI sits near {v:.2f}",
                                 f"an NDVI of around {v:.2f} on average", f"mean NDVI ≈ {v:.2f}"])
                return Clause(txt, False, "vegetation", True, {"mean": mean, "claimed": v})
        return None
    if mode == "bound":
        if want:
            if low:
                X = round(math.ceil((p90 + 0.05) * 10) / 10, 1)
                txt = pick(rng, [f"NDVI stays below {X} across most of the tile", f"most pixels have an NDVI under {X}",
                                 f"NDVI rarely climbs above {X}"])
                return Clause(txt, True, "vegetation", True, {"p90": p90})
            if high:
                X = round(math.floor((med - 0.05) * 10) / 10, 1)
                txt = pick(rng, [f"the median NDVI is above {X}", f"typical NDVI values exceed {X}", f"most pixels show an NDVI over {X}"])
                return Clause(txt, True, "vegetation", True, {"median": med})
            return None
        if low:
            X = pick(rng, [0.6, 0.65, 0.7])
            txt = pick(rng, [f"the median NDVI is above {X}", f"typical NDVI values exceed {X}", f"most pixels show an NDVI over {X}"])
            return Clause(txt, False, "vegetation", True, {"median": med})
        if high and p10 > 0.2:
            X = pick(rng, [0.2, 0.25, 0.3])
            if med - X >= 0.3:
                txt = pick(rng, [f"NDVI stays below {X} across most of the tile", f"most pixels have an NDVI under {X}",
                                 f"NDVI rarely climbs above {X}"])
                return Clause(txt, False, "vegetation", True, {"median": med})
        return None
    # word
    lowwords = ["the vegetation looks dormant", "plant vigour is low", "vegetation is sparse and winter-brown",
                "the fields look bare and brownish", "there is little green, actively growing vegetation",
                "the greenery is muted and dormant", "vegetation appears weak, with low NDVI"]
    highwords = ["the vegetation is lush and green", "plants look vigorous", "dense, healthy green vegetation",
                 "the land is a rich green with strong NDVI", "vegetation is in full, vigorous growth",
                 "everything looks verdant"]
    if snow:
        lowwords = ["little green vegetation shows through", "plant signal is weak, muted by snow",
                    "vegetation looks dormant under winter conditions"]
    if low:
        txt = pick(rng, lowwords if want else highwords)
    elif high:
        txt = pick(rng, highwords if want else lowwords)
    else:
        return None
    return Clause(txt, want, "vegetation", True, {"median": med, "p90": p90})


def g_sar(t, want, rng):
    S = t.get("sar_db")
    if not S:
        return None
    vv = next((S[k] for k in S if k.startswith("VV")), None)
    vh = next((S[k] for k in S if k.startswith("VH")), None)
    if vv is None:
        return None
    mode = pick(rng, ["vvnum", "vhnum", "ratio", "range", "pos"])
    if mode == "vvnum" or (mode == "vhnum" and vh is None):
        m = vv["mean_db"]
        if want:
            c = round(m)
            return Clause(pick(rng, [f"VV backscatter averages about {c} dB", f"mean VV is around {c} dB",
                                     f"Sentinel-1 VV sits near {c} dB on average", f"VV ≈ {c} dB"]), True, "sar", True, {"vv": m})
        c = pick(rng, [-25, -22, -20, -2, 0, 3, 5])
        if abs(c - m) < 6:
            return None
        return Clause(pick(rng, [f"VV backscatter averages about {c} dB", f"mean VV is around {c} dB",
                                 f"Sentinel-1 VV sits near {c} dB on average", f"VV ≈ {c} dB"]), False, "sar", True, {"vv": m, "claimed": c})
    if mode == "vhnum":
        m = vh["mean_db"]
        if want:
            c = round(m)
            return Clause(pick(rng, [f"VH backscatter averages about {c} dB", f"cross-polarised (VH) return is around {c} dB",
                                     f"mean VH near {c} dB"]), True, "sar", True, {"vh": m})
        c = pick(rng, [-30, -28, -8, -5, -3, 0])
        if abs(c - m) < 6:
            return None
        return Clause(pick(rng, [f"VH backscatter averages about {c} dB", f"cross-polarised (VH) return is around {c} dB",
                                 f"mean VH near {c} dB"]), False, "sar", True, {"vh": m, "claimed": c})
    if mode == "ratio" and vh is not None:
        d = vv["mean_db"] - vh["mean_db"]
        if d < 3:
            return None
        if want:
            return Clause(pick(rng, ["VH is weaker than VV", "the co-pol VV channel is brighter than cross-pol VH",
                                     f"VV exceeds VH by several dB", "cross-pol backscatter sits below co-pol"]), True, "sar", True, {"d": d})
        return Clause(pick(rng, ["VH is stronger than VV", "the cross-pol VH channel is brighter than VV",
                                 "VH backscatter exceeds VV", "co-pol VV is weaker than cross-pol VH"]), False, "sar", True, {"d": d})
    if mode == "range":
        lo, hi = vv["mean_db"], vv["mean_db"]
        if want:
            a, b = math.floor(lo) - 2, math.ceil(hi) + 2
            return Clause(pick(rng, [f"mean VV backscatter falls between {a} and {b} dB", f"VV lies in the {a} to {b} dB range on average"]),
                          True, "sar", True, {"vv": lo})
        a = pick(rng, [-30, -3])
        b = a + 4 if a == -30 else a + 5
        return Clause(pick(rng, [f"mean VV backscatter falls between {a} and {b} dB", f"VV lies in the {a} to {b} dB range on average"]),
                      False, "sar", True, {"vv": lo})
    if mode == "pos":
        if want:
            return Clause(pick(rng, ["radar backscatter is negative in dB on average, as usual for land",
                                     "SAR returns average well below 0 dB"]), True, "sar", True, {})
        return Clause(pick(rng, ["mean radar backscatter is above 0 dB", "the SAR signal averages a positive dB value",
                                 "VV backscatter is mostly above +2 dB"]), False, "sar", True, {"vv": vv["mean_db"]})
    return None


SEASONS = ["winter", "spring", "summer", "autumn"]


def g_season(t, want, rng):
    y, mth, d = t["year"], t["month"], t["day"]
    season = t["season_meteorological"]
    amb = set(t["season_ambiguous_with"])
    ref = t.get("reference_date_build") or ""
    ref_y, ref_m = (int(ref[:4]), int(ref[5:7])) if ref else (None, None)
    snowp = t["water"].get("snow_pct")
    mode = pick(rng, ["month", "year", "season", "date", "season", "snow"])
    if mode == "snow":
        if snowp is None:
            return None
        if snowp >= 20:
            ok_txt = ["snow covers much of the ground", "a snowy winter scene", "the landscape is partly snow-covered"]
            no_txt = ["there is no snow anywhere", "completely snow-free", "not a trace of snow"]
        elif snowp == 0 and (t.get("ndvi") or {}).get("valid_fraction", 0) > 0.5 and t["water"].get("cloud_pct", 0) < 2:
            ok_txt = ["no snow on the ground", "the ground is snow-free", "there is no snow cover"]
            no_txt = ["a thick blanket of snow covers the fields", "the whole scene is under snow", "snow lies over everything"]
        else:
            return None
        return Clause(pick(rng, ok_txt if want else no_txt), want, "season", True, {"snow_pct": snowp})
    if mode == "month":
        if want:
            M = MONTHS[mth - 1]
            return Clause(pick(rng, [f"imaged in {M}", f"captured in {M} {y}", f"acquired in {M}", f"taken in {MON_ABBR[mth-1]} {y}",
                                     f"the scene dates from {M}"]), True, "season", True, {"month": mth})
        bad = [m for m in range(1, 13) if abs(((m - mth + 6) % 12) - 6) >= 2 and m != ref_m]
        m = pick(rng, bad)
        M = MONTHS[m - 1]
        return Clause(pick(rng, [f"imaged in {M}", f"captured in {M} {y}", f"acquired in {M}", f"taken in {MON_ABBR[m-1]} {y}",
                                 f"the scene dates from {M}"]), False, "season", True, {"month": mth, "claimed": m})
    if mode == "year":
        if want:
            return Clause(pick(rng, [f"acquired in {y}", f"a {y} image", f"the imagery is from {y}", f"recorded in {y}"]), True, "season", True, {"year": y})
        yy = pick(rng, [yr for yr in range(2014, 2025) if abs(yr - y) >= 2 and yr != ref_y])
        return Clause(pick(rng, [f"acquired in {yy}", f"a {yy} image", f"the imagery is from {yy}", f"recorded in {yy}"]), False, "season", True, {"year": y, "claimed": yy})
    if mode == "date":
        if want:
            return Clause(pick(rng, [f"acquisition date {y}-{mth:02d}-{d:02d}", f"captured on {d} {MONTHS[mth-1]} {y}",
                                     f"taken on {MONTHS[mth-1]} {d}, {y}", f"date: {d:02d}.{mth:02d}.{y}"]), True, "season", True, {})
        m2 = ((mth + 5) % 12) + 1
        if m2 == ref_m:
            m2 = ((mth + 3) % 12) + 1
        return Clause(pick(rng, [f"acquisition date {y}-{m2:02d}-{d:02d}", f"captured on {d} {MONTHS[m2-1]} {y}",
                                 f"taken on {MONTHS[m2-1]} {d}, {y}"]), False, "season", True, {"claimed_month": m2})
    # season
    if want:
        if amb:
            txt = {"summer": ["an early-summer scene", "shot in June"], "winter": ["a December scene"],
                   "autumn": ["a September scene"], "spring": []}[season]
            if not txt:
                return None
            return Clause(pick(rng, txt), True, "season", True, {"season": season})
        txt = {"winter": ["a winter scene", "taken in the depths of winter", "wintertime imagery", "a winter acquisition"],
               "summer": ["a summer scene", "taken in high summer"], "autumn": ["an autumn scene", "captured in early autumn", "a fall image"],
               "spring": ["a spring scene"]}[season]
        return Clause(pick(rng, txt), True, "season", True, {"season": season})
    ref_season = None
    if ref_m:
        ref_season = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer",
                      7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}[ref_m]
    bad = [s for s in SEASONS if s != season and s not in amb and s != ref_season]
    s = pick(rng, bad)
    txt = {"winter": ["a winter scene", "taken in the depths of winter", "wintertime imagery", "captured under winter conditions"],
           "summer": ["a midsummer scene", "taken in high summer", "summertime imagery", "a July-like summer acquisition"],
           "autumn": ["an autumn scene", "captured in late autumn", "a fall image with autumn colours"],
           "spring": ["a spring scene", "taken in springtime", "spring imagery, fresh green shoots"]}[s]
    return Clause(pick(rng, txt), False, "season", True, {"season": season, "claimed": s, "build_ref_season": ref_season})


COUNTRY_SHORT = {"United States of America": ["the United States", "the USA", "the US"], "Germany": ["Germany"],
                 "Ireland": ["Ireland", "the Republic of Ireland"], "Portugal": ["Portugal"], "Finland": ["Finland"],
                 "Austria": ["Austria"]}


def g_place(t, want, rng):
    P = t["place"]
    assert P["country"] == t["country_naturalearth"], t["tile_id"]
    mode = pick(rng, ["country", "region", "region", "place"])
    if mode == "country":
        c = pick(rng, COUNTRY_SHORT[P["country"]]) if want else pick(rng, P["false_countries"])
        txt = pick(rng, [f"located in {c}", f"this tile is in {c}", f"somewhere in {c}", f"a scene from {c}",
                         f"country: {c}", f"the area lies within {c}"])
    elif mode == "region":
        c = pick(rng, [P["region"]] + [x for x in P["true_places"] if x not in COUNTRY_SHORT.get(P["country"], [])][:2]) if want else pick(rng, P["false_regions"])
        txt = pick(rng, [f"in {c}", f"the tile lies in {c}", f"situated in {c}", f"part of {c}", f"region: {c}",
                         f"a patch of countryside in {c}"])
    else:
        c = pick(rng, P["true_places"]) if want else pick(rng, P["false_places"])
        txt = pick(rng, [f"somewhere in {c}", f"this view comes from {c}", f"the scene is set in {c}", f"taken over {c}"])
    return Clause(txt, want, "place", True, {"claimed": c})


GEO = {  # plainly-false-by-geography statements per area (undecidable from the tile's own layers)
    "bb2": dict(elev=["the terrain rises above 2,500 m", "elevations top 1,500 m here", "the tile sits at roughly 1,800 m above sea level",
                      "ground height exceeds 900 m everywhere", "peaks above 2,000 m dominate"],
                slope=["slopes are mostly steeper than 35°", "the mean slope is over 30 degrees", "steep rock faces exceed 45° throughout",
                       "average gradient tops 25°"],
                terrain=["the terrain is mountainous", "rugged alpine relief fills the tile", "the land is anything but flat: deep valleys and high ridges",
                         "a high mountain massif", "the landscape is craggy and mountainous"],
                canopy=["trees here reach over 60 m in height", "canopy heights exceed 55 m", "towering 70-metre trees",
                        "the canopy averages 45 m tall"]),
    "ie": dict(elev=["the terrain rises above 2,000 m", "elevations top 1,500 m", "the ground sits around 2,400 m above sea level"],
               slope=["slopes mostly exceed 40°", "average slope is above 35 degrees"],
               terrain=["high alpine mountains with glaciers", "a glaciated high-mountain landscape"],
               canopy=["trees over 60 m tall", "canopy heights of about 70 m"]),
    "pt": dict(elev=["the terrain rises above 2,500 m", "the tile lies above 2,000 m altitude"],
               slope=["slopes mostly exceed 40°", "mean slope above 35°"],
               terrain=["a high alpine massif", "snow-capped high mountains"],
               canopy=["trees over 65 m tall", "a canopy around 70 m high"]),
    "fi": dict(elev=["elevations exceed 2,000 m", "the tile sits above 1,800 m"],
               slope=["slopes steeper than 40° throughout", "average slope over 35°"],
               terrain=["an alpine mountain range", "rugged high mountains with glaciers"],
               canopy=["trees reaching 60 m", "canopy heights around 55-70 m"]),
    "at": dict(elev=["peaks rise above 3,000 m", "the ground lies above 2,500 m"],
               slope=["slopes average over 40°", "sheer slopes above 45° everywhere"],
               terrain=["glaciated high-alpine terrain", "a high-alpine landscape of glaciers and rock"],
               canopy=["trees reaching 70 m", "a canopy averaging 60 m"]),
    "nd": dict(elev=["the land lies below sea level", "elevation is under 50 m", "the ground sits above 2,500 m"],
               slope=["slopes average over 30°", "steep slopes above 40° throughout"],
               terrain=["the terrain is mountainous", "rugged mountain peaks fill the frame", "a deep canyon landscape"],
               canopy=["dense forest with 40 m tall trees", "a closed tree canopy over 35 m high"]),
}


def geo_key(tid):
    return {"bb2": "bb2", "ben-36_85": "ie", "ben-4_55": "ie", "ben-56_35": "pt", "ben-57_38": "fi", "ben-69_24": "fi",
            "ben-87_48": "at", "naip-nd-0": "nd"}.get(tid, tid[:3])


def _geo(t, want, rng, fam, key):
    if want or t["elevation_decidable"] and fam != "canopy_height" or (fam == "canopy_height" and t["canopy_decidable"]):
        return None
    G = GEO[geo_key(t["tile_id"]) if not t["tile_id"].startswith("bb2") else "bb2"]
    return Clause(pick(rng, G[key]), False, fam, False, {"basis": "plain geography"})


def g_elevation(t, want, rng):
    return _geo(t, want, rng, "elevation", "elev")


def g_slope(t, want, rng):
    return _geo(t, want, rng, "slope", "slope")


def g_terrain(t, want, rng):
    return _geo(t, want, rng, "terrain", "terrain")


def g_canopy(t, want, rng):
    return _geo(t, want, rng, "canopy_height", "canopy")


def g_osm(t, want, rng):
    if not t.get("osm_map_available") or not lc_ok(t):
        return None
    b = share(t, "built")
    kind = pick(rng, ["built", "built", "forest", "water"])
    if kind == "built":
        if (want and b >= 1.5) or (not want and b == 0):
            txt = pick(rng, ["OpenStreetMap marks a residential area here", "houses and gardens of a settlement appear on the map",
                             "there are mapped residential buildings", "the OSM layer shows a built-up residential polygon",
                             "a village (residential land use in OSM) is part of the tile"])
            return Clause(txt, want, "osm_object", True, {"built": b})
        if (want and b == 0) or (not want and b >= 2):
            txt = pick(rng, ["no residential area is mapped in OpenStreetMap", "OSM land use shows no settlement",
                             "there is no mapped residential land here", "no village or town appears in the OSM land-use layer"])
            return Clause(txt, want, "osm_object", True, {"built": b})
        return None
    if kind == "forest":
        f = share(t, "tree")
        if (want and f >= 1.5) or (not want and f == 0):
            txt = pick(rng, ["OSM maps a forest polygon in the tile", "a mapped woodland (landuse=forest) is present",
                             "OpenStreetMap shows forest here"])
            return Clause(txt, want, "osm_object", True, {"tree": f})
        if (want and f == 0) or (not want and f >= 2):
            txt = pick(rng, ["no forest polygon is mapped in OSM", "OpenStreetMap shows no woodland here"])
            return Clause(txt, want, "osm_object", True, {"tree": f})
        return None
    w = share(t, "water")
    if (want and w >= 0.5) or (not want and w == 0 and t["water"]["absent"]):
        txt = pick(rng, ["OpenStreetMap has a water polygon in the tile", "a mapped pond or lake (natural=water) is present",
                         "the OSM layer includes a small water body"])
        return Clause(txt, want, "osm_object", True, {"water": w})
    return None


def g_consistency(t, want, rng):
    """Returns a PAIR: a true clause and a contradicting false clause (family consistency)."""
    if want:
        return None
    opts = []
    if lc_ok(t, 0.1):
        pres = [c for c in LC_CLASSES if share(t, c) >= 2]
        if pres:
            opts.append("lc")
    Wt = t["water"]
    if Wt.get("snow_pct", 0) < 1 and Wt.get("clear_present"):
        opts.append("water")
    opts.append("season")
    if t.get("ndvi"):
        opts.append("veg")
    k = pick(rng, opts)
    if k == "lc":
        c = pick(rng, [c for c in LC_CLASSES if share(t, c) >= 2])
        n = noun(rng, c)
        a = pick(rng, [f"some {n} is visible", f"patches of {n} appear", f"the scene includes {n}", f"{n} is present"])
        b = pick(rng, [f"there is no {n} at all", f"not a single patch of {n}", f"{n} is completely absent",
                       f"the tile is entirely free of {n}"])
        if is_pl(n):
            a = a.replace(f"{n} is", f"{n} are"); b = b.replace(f"{n} is", f"{n} are").replace(f"there is no {n}", f"there are no {n}")
        return (Clause(a, True, "landcover_presence", True, {"class": c}), Clause(b, False, "consistency", True, {"class": c, "share": share(t, c)}))
    if k == "water":
        a = pick(rng, ["there is some open water", "a water body can be seen", "surface water is visible"])
        b = pick(rng, ["the tile has no water whatsoever", "no water anywhere", "there's not a drop of water in the scene"])
        return (Clause(a, True, "water", True, {}), Clause(b, False, "consistency", True, {"best": t["water"]["best_estimate_pct"]}))
    if k == "season":
        mth = t["month"]
        M = MONTHS[mth - 1]
        a = pick(rng, [f"imaged in {M}", f"captured in {M} {t['year']}", f"acquired in {M}"])
        season = t["season_meteorological"]
        amb = set(t["season_ambiguous_with"])
        ref = t.get("reference_date_build") or ""
        ref_season = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer",
                      7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}[int(ref[5:7])] if ref else None
        bad = [s for s in SEASONS if s != season and s not in amb and s != ref_season]
        s = pick(rng, bad)
        b = pick(rng, {"winter": ["a typical winter scene", "deep in winter"], "summer": ["a midsummer view", "high-summer conditions"],
                       "autumn": ["an autumn view", "late-autumn conditions"], "spring": ["a spring view", "springtime conditions"]}[s])
        return (Clause(a, True, "season", True, {}), Clause(b, False, "consistency", True, {"claimed": s, "season": season}))
    nd = t["ndvi"]
    if nd["median"] < 0.35 and nd["p90"] < 0.45:
        a = pick(rng, ["the vegetation looks dormant", "plant vigour is low"])
        b = pick(rng, ["the vegetation is lush and vigorous", "plants are in full, vigorous growth"])
    elif nd["median"] > 0.7:
        a = pick(rng, ["the vegetation is lush and green", "plants look vigorous"])
        b = pick(rng, ["the vegetation is dormant and sparse", "barely anything green grows here"])
    else:
        return None
    return (Clause(a, True, "vegetation", True, {}), Clause(b, False, "consistency", True, {"median": nd["median"]}))


GEN = {
    "landcover_share": g_landcover_share, "landcover_presence": g_landcover_presence, "dominance": g_dominance,
    "comparison": g_comparison, "position": g_position, "water": g_water, "vegetation": g_vegetation, "sar": g_sar,
    "season": g_season, "place": g_place, "osm_object": g_osm, "elevation": g_elevation, "slope": g_slope,
    "terrain": g_terrain, "canopy_height": g_canopy, "consistency": g_consistency,
}
FAMILIES = list(GEN)
TRUE_FAMILIES = [f for f in FAMILIES if f not in ("elevation", "slope", "terrain", "canopy_height", "consistency")]


# ----------------------------------------------------------------------------- styling
def nonnative(rng, s):
    reps = [(" of the tile", " of tile"), ("there is ", "there is "), (" covers ", " is covering "), ("percent", "percents"),
            ("is visible", "is visible"), (" the scene", " scene"), ("the centre", "center"), ("is mostly found", "is found mostly"),
            ("can be seen", "is possible to see"), ("there are ", "there is "), (" is present", " is exist"),
            ("captured in", "captured on"), ("located in", "located at")]
    for a, b in reps:
        if a in s and rng.random() < 0.5:
            s = s.replace(a, b, 1)
    return s


def stylise_clause(rng, style, s):
    if style == "social":
        s = s.lower() if rng.random() < 0.7 else s
    elif style == "nonnative":
        s = nonnative(rng, s)
    elif style == "fieldnotes":
        for a, b in [(" approximately ", " approx. "), (" about ", " ~"), ("percent", "%"), (" and ", " & "), ("the tile", "tile"),
                     ("the scene", "scene")]:
            if a in s and rng.random() < 0.5:
                s = s.replace(a, b, 1).replace("~ ", "~")
    elif style == "report":
        for a, b in [(" about ", " approximately "), ("you can spot", "one can identify"), ("there's", "there is"), ("isn't", "is not")]:
            if a in s and rng.random() < 0.6:
                s = s.replace(a, b, 1)
    return s


OPENERS = {
    "alttext": ["", "", "Satellite tile: ", "Aerial view; ", "Overhead image – "],
    "report": ["Scene summary: ", "Observation: ", "Assessment: ", "Findings: ", ""],
    "social": ["ok so ", "wow, ", "fun fact: ", "look at this tile — ", "", "lowkey obsessed: "],
    "travel": ["Seen from orbit, ", "From high above, ", "Gazing down on this corner of the world, ", "Beneath the satellite's eye, "],
    "assistant": ["This satellite image shows that ", "In this tile, ", "Based on the imagery, ", "Here is a description of the scene: ",
                  "Looking at the data, "],
    "nonnative": ["In this image ", "This picture show that ", "On the image, ", "We can see that "],
    "fieldnotes": ["Obs.: ", "Note — ", "Tile log: ", "FN: ", "Field note: "],
}
CLOSERS = {
    "alttext": ["", ""], "report": ["", " (end of summary)", ""], "social": [" #remotesensing", " 🛰️", " #sentinel2 #maps", "!!", " lol", ""],
    "travel": ["", " — a quiet corner of the planet.", " A landscape worth lingering over."], "assistant": ["", " Let me know if you need more detail."],
    "nonnative": ["", " Thank you."], "fieldnotes": ["", " [end]", " /eot"],
}
JOIN = {
    "alttext": ["; ", ", ", "; "], "report": [". ", "; ", ". Furthermore, ", ". In addition, "],
    "social": [". ", " and ", " — ", "! ", ", plus "], "travel": [". ", ", and ", "; ", ", while "],
    "assistant": [". Additionally, ", ". ", ". Moreover, ", ". It also appears that ", ". Notably, "],
    "nonnative": [". ", ". Also ", ", and ", ". And "], "fieldnotes": ["; ", " | ", ". ", " / "],
}


SAT_WORDS = ("atellite", "orbit", "sentinel")


def build_caption(rng, style, clauses, aerial=False):
    """clauses: list of Clause; returns caption text and offsets.  aerial: NAIP tile (no satellite words)."""
    parts, offs = [], []
    ops = [o for o in OPENERS[style] if not (aerial and any(w in o.lower() for w in SAT_WORDS))]
    text = pick(rng, ops)
    for i, c in enumerate(clauses):
        s = stylise_clause(rng, style, c.text)
        if i > 0:
            j = pick(rng, JOIN[style])
            text += j
        else:
            j = text
        # capitalise at sentence starts
        if (i == 0 and (text == "" or text.endswith(": ") or text.endswith("– ") or text.endswith("— ") and style != "social")) or \
                (i > 0 and (j.endswith(". ") or j.endswith("! "))):
            if not (style == "social" and rng.random() < 0.6) and not s.startswith(("VV", "VH", "NDVI", "OSM", "OpenStreetMap", "SAR")):
                s = s[0].upper() + s[1:]
        start = len(text)
        text += s
        offs.append((start, len(text)))
        parts.append(s)
    end = pick(rng, [".", ".", "", "."]) if style not in ("social",) else pick(rng, ["", ".", "!"])
    if style == "alttext":
        end = pick(rng, ["", "."])
    cl_ = pick(rng, [x for x in CLOSERS[style] if not (aerial and any(w in x.lower() for w in SAT_WORDS))])
    if cl_[:2].strip()[:1].isupper() and end == "":
        end = "."
    if cl_.startswith("!"):
        end = ""
    text += end + cl_
    return text, parts, offs


# ----------------------------------------------------------------------------- main
def applicable(t, fam, want, rng_probe):
    for k in range(25):
        c = GEN[fam](t, want, random.Random(hash_str(t["tile_id"] + fam + str(k))))
        if c is not None:
            return True
    return False


def hash_str(s):
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h


def per_tile_targets(tid):
    if tid.startswith("bb2"):
        return 30, 12
    if tid.startswith("ben"):
        return 26, 11
    return 16, 7


def make_true_clause(t, rng, exclude_fams, used_texts):
    fams = [f for f in TRUE_FAMILIES if f not in exclude_fams]
    rng.shuffle(fams)
    for f in fams:
        for _ in range(4):
            c = GEN[f](t, True, rng)
            if c is not None and c.text not in used_texts:
                return c
    return None


def main():
    rng = random.Random(SEED)
    tiles = sorted(T)
    # split by tile: deterministic choice (~30 % dev)
    bb = [x for x in tiles if x.startswith("bb2")]
    dev_tiles = set(bb[1::7] + bb[3::7] + ["ben-36_85", "ben-69_24"])
    # fill to ~30 %
    records, audit = [], []
    fam_count_global = {f: 0 for f in FAMILIES}
    # family applicability per tile
    app = {tid: [f for f in FAMILIES if applicable(T[tid], f, False, None)] for tid in tiles}
    ntiles_f = {f: sum(f in app[t] for t in tiles) for f in FAMILIES}
    for tid in tiles:
        t = T[tid]
        nf, nt = per_tile_targets(tid)
        fams = app[tid]
        # weights: inverse to how many tiles support the family, capped
        WBOOST = {"sar": 8.0, "osm_object": 1.6, "elevation": 0.8, "slope": 0.8, "terrain": 0.8, "canopy_height": 0.8}
        w = [min(3.0, 48.0 / ntiles_f[f]) * WBOOST.get(f, 1.0) if f != "sar" else WBOOST["sar"] for f in fams]
        seen = set()
        n = 0
        made_f = made_t = 0
        tries = 0
        style_cycle = STYLES[:]
        while (made_f < nf or made_t < nt) and tries < 4000:
            tries += 1
            want_false = made_f < nf and (made_t >= nt or rng.random() < nf / (nf + nt))
            style = pick(rng, style_cycle)
            k = rng.randint(2, 5)
            if want_false:
                fam = rng.choices(fams, weights=w)[0]
                if fam == "consistency":
                    pair = g_consistency(t, False, rng)
                    if pair is None:
                        continue
                    fc = pair[1]
                    pre = [pair[0]]
                else:
                    fc = GEN[fam](t, False, rng)
                    if fc is None:
                        continue
                    pre = []
                cl = pre[:]
                used = {c.text for c in cl} | {fc.text}
                fu = {fam} | {c.family for c in pre}
                for _ in range(k - 1 - len(pre)):
                    c = make_true_clause(t, rng, fu, used)
                    if c is None and not cl:
                        c = make_true_clause(t, rng, set(), used)
                    if c is None:
                        break
                    used.add(c.text)
                    fu.add(c.family)
                    cl.append(c)
                if len(cl) == 0:
                    continue
                pos = rng.randrange(len(cl) + 1)
                if fam == "consistency":
                    pos = rng.randrange(1, len(cl) + 1)  # contradicting clause after its partner
                cl.insert(pos, fc)
            else:
                cl = []
                used = set()
                famsused = set()
                for _ in range(k):
                    c = make_true_clause(t, rng, famsused, used)
                    if c is None:
                        break
                    used.add(c.text)
                    famsused.add(c.family)
                    cl.append(c)
                if len(cl) < 2:
                    continue
            text, parts, offs = build_caption(rng, style, cl, aerial=tid.startswith("naip"))
            if text in seen:
                continue
            falses = [i for i, c in enumerate(cl) if not c.truth]
            if want_false:
                fi = falses[0]
                fcl = parts[fi]
                if text.count(fcl) != 1 or len(falses) != 1:
                    continue
            else:
                if falses:
                    continue
            # clause texts must each occur where recorded
            seen.add(text)
            n += 1
            cid = f"{tid}-{n:03d}"
            rec = {"caption_id": cid, "tile_id": tid, "caption": text, "label": "false" if want_false else "true",
                   "false_clause": parts[falses[0]] if want_false else None,
                   "false_family": cl[falses[0]].family if want_false else None,
                   "decidable": bool(cl[falses[0]].decidable) if want_false else True, "style": style}
            records.append(rec)
            audit.append({"caption_id": cid, "tile_id": tid, "caption": text, "label": rec["label"], "style": style,
                          "clauses": [{"text": p, "start": o[0], "end": o[1], "truth": c.truth, "family": c.family,
                                       "decidable": c.decidable, "basis": c.basis} for p, o, c in zip(parts, offs, cl)]})
            if want_false:
                made_f += 1
                fam_count_global[rec["false_family"]] += 1
            else:
                made_t += 1
    with open(os.path.join(HERE, "dev.jsonl"), "w") as fd, open(os.path.join(HERE, "test.jsonl"), "w") as ft:
        for r in records:
            (fd if r["tile_id"] in dev_tiles else ft).write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "clauses_audit.jsonl"), "w") as fa:
        for a in audit:
            a["split"] = "dev" if a["tile_id"] in dev_tiles else "test"
            fa.write(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n")
    # summary
    from collections import Counter
    for split in ("dev", "test"):
        rs = [r for r in records if (r["tile_id"] in dev_tiles) == (split == "dev")]
        print(split, "tiles", len({r["tile_id"] for r in rs}), "false", sum(r["label"] == "false" for r in rs),
              "true", sum(r["label"] == "true" for r in rs))
    print("families", Counter(r["false_family"] for r in records if r["false_family"]))
    print("styles", Counter(r["style"] for r in records))
    fr = [r for r in records if r["label"] == "false"]
    print("decidable false share", round(sum(r["decidable"] for r in fr) / len(fr), 3))


if __name__ == "__main__":
    main()
