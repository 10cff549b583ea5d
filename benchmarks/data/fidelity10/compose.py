"""Deterministic composer (seed 10010): truth.json -> dev.jsonl, test.jsonl, clauses_audit.jsonl, split_dev_tiles.json"""
import json, random, math
from facts import tile_facts, MONTHS

SEED = 10010
WORDS = {5: "five", 10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty-five", 30: "thirty", 35: "thirty-five", 40: "forty",
         45: "forty-five", 50: "fifty", 55: "fifty-five", 60: "sixty", 65: "sixty-five", 70: "seventy", 75: "seventy-five",
         80: "eighty", 85: "eighty-five", 90: "ninety", 95: "ninety-five", 2: "two", 3: "three", 1: "one"}
FRAC = {10: ["a tenth", "one tenth"], 20: ["a fifth", "one fifth"], 25: ["a quarter", "one quarter"], 33: ["a third", "one third"],
        50: ["half", "one half"], 67: ["two thirds"], 75: ["three quarters", "three-quarters"], 40: ["two fifths"], 60: ["three fifths"], 80: ["four fifths"]}

def pct(rng, v):
    """v integer percent -> varied phrasing"""
    opts = [f"{v}%", f"{v} %", f"{v} percent", f"{v} per cent", f"{v}pct" if rng.random() < 0.2 else f"{v}%"]
    if v in WORDS: opts += [f"{WORDS[v]} percent", f"{WORDS[v]} per cent"]
    if v in FRAC: opts += FRAC[v] * 2
    if v % 5 == 0 and v >= 10 and rng.random() < 0.3: opts.append(f"{v/100:.2f}".rstrip("0") + " of the area")
    return rng.choice(opts)

CLS = {"trees": ["trees", "woodland", "forest", "tree cover", "wooded land"],
       "shrubland": ["shrubland", "scrub", "bushes and scrub", "shrubs"],
       "grassland": ["grassland", "grass", "meadows", "pasture and grassland"],
       "cropland": ["cropland", "farmland", "arable fields", "crop fields", "agricultural fields"],
       "built-up": ["built-up land", "buildings", "settlement", "urban fabric", "built-up area"],
       "water": ["water", "open water", "water surfaces"],
       "wetland": ["wetland", "marsh", "herbaceous wetland", "reed marsh"],
       "bare": ["bare ground", "bare soil", "sand and bare land"]}
def cn(rng, c): return rng.choice(CLS[c])
TILE = ["the tile", "the image", "the scene", "this patch", "the area shown", "the frame", "this chip", "the picture"]
def tl(rng): return rng.choice(TILE)
def cap1(s): return s[0].upper() + s[1:] if s else s

# ---------------------------------------------------------------- fact specs
import re as _re
def fixprep(t):
    return _re.sub(r"\bon (mid-)?([A-Z][a-z]+ \d{4})$", r"in \1\2", t)

def topic(sp):
    k, p = sp["key"], sp["pred"]
    if "water" in k or "water" in [p.get("c"), p.get("a"), p.get("b")]: return "water"
    if k in ("veg", "dom_builtS2", "share_builtS2", "cmp_bareveg", "osm_urban"): return "veg"
    return k

def spec(fam, key, val, dec, pred, render):
    if fam == "season":
        r0 = render; render = lambda rng, r0=r0: fixprep(r0(rng))
    return dict(fam=fam, key=key, val=val, dec=dec, pred=pred, render=render)

def build_specs(r):
    F = tile_facts(r)
    S = []
    P = F["place"]
    bb = r["stratum"] == "brandenburg"
    # ---------------- land cover (measured here only for bb10 substitute)
    if F["lc"]:
        lo, up, L = F["lower"], F["upper"], F["L"]
        if "jrc_water" in r:
            lo["water"] = up["water"] = r["jrc_water"]
        present = [c for c in CLS if c != "bare" and lo.get(c, 0) >= 0.02]
        for c in present:
            v = int(math.floor((lo[c] * 100 - 2) / 5) * 5)
            if v >= 5:
                S.append(spec("landcover_share", "lc_" + c, True, True, {"t": "lc_ge", "c": c, "v": v / 100},
                    lambda rng, c=c, v=v: rng.choice([
                        f"{cn(rng,c)} covers at least {pct(rng,v)} of {tl(rng)}", f"no less than {pct(rng,v)} of {tl(rng)} is {cn(rng,c)}",
                        f"{cn(rng,c)} makes up {pct(rng,v)} or more of {tl(rng)}", f"at least {pct(rng,v)} {cn(rng,c)}",
                        f"{cn(rng,c)} accounts for more than {pct(rng,v)} of the area", f"over {pct(rng,v)} of {tl(rng)} is mapped as {cn(rng,c)}",
                        f"{cn(rng,c)}: >= {v}% of {tl(rng)}", f"a minimum of {pct(rng,v)} is {cn(rng,c)}"])))
            # false: less than small value
            fv = int(math.floor((lo[c] * 100 - 8) / 5) * 5)
            if fv >= 5:
                S.append(spec("landcover_share", "lc_" + c, False, True, {"t": "lc_lt", "c": c, "v": fv / 100},
                    lambda rng, c=c, v=fv: rng.choice([
                        f"{cn(rng,c)} covers less than {pct(rng,v)} of {tl(rng)}", f"under {pct(rng,v)} of {tl(rng)} is {cn(rng,c)}",
                        f"{cn(rng,c)} makes up at most {pct(rng,v)}", f"only about {max(1, v//3)}% {cn(rng,c)}",
                        f"{cn(rng,c)} takes up below {pct(rng,v)} of the area", f"{cn(rng,c)} share < {v}%",
                        f"{cn(rng,c)} is a marginal cover, well under {pct(rng,v)}"])))
            S.append(spec("landcover_presence", "lc_" + c, True, True, {"t": "lc_present", "c": c},
                lambda rng, c=c: rng.choice([
                    f"there is some {cn(rng,c)}", f"{cn(rng,c)} is present", f"{cn(rng,c)} can be found in {tl(rng)}",
                    f"{tl(rng)} includes patches of {cn(rng,c)}", f"{cn(rng,c)} appears in places", f"some {cn(rng,c)} is mapped",
                    f"you can see {cn(rng,c)}", f"{cn(rng,c)} occurs within {tl(rng)}", f"a bit of {cn(rng,c)} shows up"])))
            if lo[c] >= 0.03:
                S.append(spec("landcover_presence", "lc_" + c, False, True, {"t": "lc_absent", "c": c},
                    lambda rng, c=c: rng.choice([
                        f"there isn't any {cn(rng,c)}", f"no sign of {cn(rng,c)}", f"{tl(rng)} is free of {cn(rng,c)}",
                        f"{tl(rng)} lacks {cn(rng,c)} entirely", f"{cn(rng,c)} is absent", f"not a single patch of {cn(rng,c)}",
                        f"zero {cn(rng,c)}", f"{cn(rng,c)} is completely missing", f"without any {cn(rng,c)}",
                        f"there is no {cn(rng,c)} whatsoever"])))
        # dominance false: classes whose upper bound < 0.4
        for c in ["trees", "cropland", "grassland", "built-up", "wetland", "shrubland", "water"]:
            if up.get(c, 0) < 0.38 and not (c == "water" and r.get("s2_water", 0) > 0.15):
                S.append(spec("dominance", "dom_" + c, False, True, {"t": "lc_most", "c": c},
                    lambda rng, c=c: rng.choice([
                        f"{cn(rng,c)} dominates {tl(rng)}", f"{tl(rng)} is mostly {cn(rng,c)}", f"{cn(rng,c)} covers the bulk of {tl(rng)}",
                        f"the overwhelming majority of {tl(rng)} is {cn(rng,c)}", f"{cn(rng,c)} is the dominant cover type",
                        f"mainly {cn(rng,c)}", f"{cn(rng,c)} occupies most of the area", f"predominantly {cn(rng,c)}",
                        f"{cn(rng,c)} makes up the largest part, well over half"])))
            if up.get(c, 0) < 0.5 and up.get(c, 0) + 0.25 < 0.9:
                v = int(math.ceil((up[c] * 100 + 12) / 5) * 5)
                if v <= 95:
                    S.append(spec("landcover_share", "lc_" + c, False, True, {"t": "lc_gt", "c": c, "v": v / 100},
                        lambda rng, c=c, v=v: rng.choice([
                            f"{cn(rng,c)} covers over {pct(rng,v)} of {tl(rng)}", f"more than {pct(rng,v)} of {tl(rng)} is {cn(rng,c)}",
                            f"{cn(rng,c)} accounts for roughly {pct(rng,min(95,v+5))}", f"{cn(rng,c)} ≈ {min(95,v+5)}%",
                            f"{cn(rng,c)} takes up at least {pct(rng,v)}", f"{cn(rng,c)} fills some {pct(rng,min(95,v+5))} of the picture"])))
        for c in ["trees", "cropland", "grassland", "built-up", "shrubland", "wetland"]:
            if lo.get(c, 0) >= 0.5:
                S.append(spec("dominance", "dom_" + c, True, True, {"t": "lc_most_true", "c": c},
                    lambda rng, c=c: rng.choice([f"{tl(rng)} is mostly {cn(rng,c)}", f"{cn(rng,c)} dominates"])))
        # comparisons
        cl = [c for c in ["trees", "cropland", "grassland", "built-up", "shrubland", "wetland", "water"]]
        for a in cl:
            for b in cl:
                if a == b: continue
                if lo.get(a, 0) > up.get(b, 0) + 0.03:
                    S.append(spec("comparison", f"cmp_{a}_{b}", True, True, {"t": "lc_cmp", "a": a, "b": b},
                        lambda rng, a=a, b=b: rng.choice([
                            f"there is more {cn(rng,a)} than {cn(rng,b)}", f"{cn(rng,a)} exceeds {cn(rng,b)}",
                            f"{cn(rng,a)} outweighs {cn(rng,b)} in area", f"{cn(rng,b)} covers less ground than {cn(rng,a)}"])))
                if up.get(a, 0) + 0.03 < lo.get(b, 0):
                    S.append(spec("comparison", f"cmp_{a}_{b}", False, True, {"t": "lc_cmp", "a": a, "b": b},
                        lambda rng, a=a, b=b: rng.choice([
                            f"there is more {cn(rng,a)} than {cn(rng,b)}", f"{cn(rng,a)} exceeds {cn(rng,b)} in extent",
                            f"{cn(rng,a)} covers a larger area than {cn(rng,b)}", f"{cn(rng,b)} is less widespread than {cn(rng,a)}",
                            f"{cn(rng,a)} outnumbers {cn(rng,b)}", f"{cn(rng,a)} > {cn(rng,b)} by area",
                            f"{cn(rng,a)} takes up more room than {cn(rng,b)} does"]
                            + ([f"there is twice as much {cn(rng,a)} as {cn(rng,b)}", f"{cn(rng,a)} is about double the {cn(rng,b)}"] if 2 * up.get(a, 0) + 0.03 < lo.get(b, 0) or True else []))))
        # positions (halves/quadrants)
        HN = {"N": ["the north", "the northern half", "the top half", "the upper part"], "S": ["the south", "the southern half", "the bottom half", "the lower part"],
              "W": ["the west", "the western half", "the left side", "the western part"], "E": ["the east", "the eastern half", "the right-hand side", "the eastern part"]}
        for c in r.get("lc_half", {}):
            if c in ("bare", "snow"): continue
            for h in "NSWE":
                sh = r["lc_half"][c][h]; ul = 1 - r["lc_half_lab"][h]
                if sh >= 0.06:
                    S.append(spec("position", f"pos_{c}_{h}", True, True, {"t": "half_present", "c": c, "h": h},
                        lambda rng, c=c, h=h: rng.choice([f"there is {cn(rng,c)} in {rng.choice(HN[h])}", f"{cn(rng,c)} appears in {rng.choice(HN[h])}",
                            f"{rng.choice(HN[h])} contains some {cn(rng,c)}", f"patches of {cn(rng,c)} lie in {rng.choice(HN[h])}"])))
                if sh + ul < 0.35:
                    S.append(spec("position", f"pos_{c}_{h}", False, True, {"t": "half_most", "c": c, "h": h},
                        lambda rng, c=c, h=h: rng.choice([f"{rng.choice(HN[h])} is almost entirely {cn(rng,c)}", f"{cn(rng,c)} fills {rng.choice(HN[h])}",
                            f"{rng.choice(HN[h])} of {tl(rng)} is dominated by {cn(rng,c)}", f"{cn(rng,c)} covers nearly all of {rng.choice(HN[h])}",
                            f"{rng.choice(HN[h])} is one continuous block of {cn(rng,c)}"])))
    # ---------------- water
    QN = {"NW": ["the north-west corner", "the top-left quarter", "the NW quadrant", "the northwestern corner"],
          "NE": ["the north-east corner", "the top-right quarter", "the NE quadrant", "the northeastern corner"],
          "SW": ["the south-west corner", "the bottom-left quarter", "the SW quadrant", "the southwestern corner"],
          "SE": ["the south-east corner", "the bottom-right quarter", "the SE quadrant", "the southeastern corner"]}
    if bb:
        w = r["jrc_water"]; wq = r["jrc_quad"]; s2w = r["s2_water"]
    else:
        w = r["s2_water"]; wq = None; s2w = w
    skipw = r["tile_id"] == "ben-57_38"
    if not skipw:
        if w == 0 and s2w < 0.02:
            S.append(spec("water", "water", True, True, {"t": "water_none"},
                lambda rng: rng.choice([f"no open water is visible", f"{tl(rng)} contains no lakes or rivers", "there is no water body",
                    "dry land only, no water surfaces", "no ponds, lakes or rivers", f"water is absent from {tl(rng)}", "not a drop of open water"])))
            for v in [20, 30, 40, 50, 60]:
                pass
            S.append(spec("water", "water", False, True, {"t": "water_gt", "v": 0.15},
                lambda rng: rng.choice([f"a lake covers about {pct(rng, rng.choice([25,30,40,50]))} of {tl(rng)}", "a wide river flows through the middle",
                    f"open water takes up more than {pct(rng,20)} of {tl(rng)}", "a large reservoir dominates the view",
                    "much of the area is flooded", "a broad river channel crosses the scene from west to east",
                    f"water bodies make up roughly {pct(rng,rng.choice([33,50,60]))} of the area", "several big lakes are scattered across the scene",
                    "there is a sizeable lake in the centre", "a river meanders across the tile"])))
        if w >= 0.03:
            lo_, hi_ = max(0, int(w * 100) - 3), int(w * 100) + 4
            S.append(spec("water", "water", True, True, {"t": "water_between", "a": lo_ / 100, "b": hi_ / 100},
                lambda rng, a=lo_, b=hi_: rng.choice([f"water covers between {a}% and {b}% of {tl(rng)}", f"open water makes up roughly {round((a+b)/2)}%",
                    f"a little open water ({a}-{b}%)", f"there is some open water", f"a water body is present", f"water occupies a small part of {tl(rng)}"])))
            S.append(spec("water", "water", False, True, {"t": "water_none_claim"},
                lambda rng: rng.choice(["there is no water anywhere", f"{tl(rng)} is completely dry with no lakes or streams", "no open water at all",
                    "water is entirely absent", "neither lakes nor rivers are present", f"{tl(rng)} is free of any water"])))
            if w < 0.12 and s2w < 0.15:
                S.append(spec("water", "water", False, True, {"t": "water_gt", "v": 0.4},
                    lambda rng: rng.choice([f"water covers more than {pct(rng,50)} of {tl(rng)}", "the scene is mostly a lake",
                        f"open water dominates, around {pct(rng,70)}", "most of the frame is open water"])))
            if wq:
                best = max(wq, key=wq.get)
                if wq[best] * 0.25 / w >= 0.5:
                    S.append(spec("position", "pos_water", True, True, {"t": "water_quad", "q": best},
                        lambda rng, q=best: rng.choice([f"the water lies in {rng.choice(QN[q])}", f"water is concentrated in {rng.choice(QN[q])}",
                            f"{rng.choice(QN[q])} holds most of the water"])))
                for q, v in wq.items():
                    if v == 0 and s2w < 0.05:
                        S.append(spec("position", "pos_water", False, True, {"t": "water_quad_claim_in", "q": q},
                            lambda rng, q=q: rng.choice([f"the lake sits in {rng.choice(QN[q])}", f"water fills {rng.choice(QN[q])}",
                                f"open water occupies {rng.choice(QN[q])}"])))
    # extra position claims: halves/quadrants that are claimed to be water or a land-cover class
    HN2 = {"N": ["the northern half", "the top half", "the north of the tile"], "S": ["the southern half", "the bottom half", "the south of the tile"],
           "W": ["the western half", "the left half", "the west side"], "E": ["the eastern half", "the right half", "the east side"]}
    if bb and s2w < 0.05:
        for h in "NSWE":
            if r["jrc_half"][h] < 0.08:
                S.append(spec("position", "pos_water_h", False, True, {"t": "water_half_claim", "h": h},
                    lambda rng, h=h: rng.choice([f"{rng.choice(HN2[h])} is taken up by a lake", f"a lake fills {rng.choice(HN2[h])}",
                        f"open water covers {rng.choice(HN2[h])}", f"{rng.choice(HN2[h])} is mostly water", f"{rng.choice(HN2[h])} is under water"])))
    if not bb and not skipw and w == 0:
        for q in QN:
            S.append(spec("position", "pos_water_q", False, True, {"t": "water_quad_claim_in", "q": q},
                lambda rng, q=q: rng.choice([f"a lake sits in {rng.choice(QN[q])}", f"{rng.choice(QN[q])} is open water",
                    f"there's a reservoir in {rng.choice(QN[q])}", f"a river runs through {rng.choice(QN[q])}"])))
    if F["lc"]:
        for q in QN:
            ul = 1 - r["lc_quad_lab"][q]
            for c in ["trees", "cropland", "grassland", "built-up", "wetland"]:
                sh = r["lc_quad"].get(c, {}).get(q, 0.0)
                if sh + ul < 0.3:
                    S.append(spec("position", f"posq_{c}_{q}", False, True, {"t": "quad_most", "c": c, "q": q},
                        lambda rng, c=c, q=q: rng.choice([f"{rng.choice(QN[q])} is covered by {cn(rng,c)}", f"{cn(rng,c)} fills {rng.choice(QN[q])}",
                            f"{rng.choice(QN[q])} is almost all {cn(rng,c)}", f"{cn(rng,c)} occupies nearly the whole of {rng.choice(QN[q])}"])))
    # ---------------- vegetation (S2)
    nm, gf = r["ndvi_median"], r["green_frac"]
    if r["ndvi_p90"] < 0.45:
        S.append(spec("vegetation", "veg", True, True, {"t": "veg_dormant"},
            lambda rng: rng.choice(["vegetation looks dormant and brownish", "little green, vigorous vegetation is visible", "plants are not in active growth",
                "the fields and meadows look dull and winter-brown", "low vegetation vigour overall", "no lush green growth anywhere"])))
        S.append(spec("vegetation", "veg", False, True, {"t": "veg_lush_claim"},
            lambda rng: rng.choice(["lush, vigorous green vegetation covers the scene", "crops are at peak greenness", "dense, healthy green canopy everywhere",
                "the vegetation is strikingly green and vigorous", f"very high NDVI (above 0.7) across most of {tl(rng)}", "everything is bright summer green",
                "the fields are lush green with crops in full growth"])))
    if gf >= 0.6:
        S.append(spec("vegetation", "veg", True, True, {"t": "veg_green", "v": 0.5},
            lambda rng: rng.choice(["green, healthy vegetation covers most of the scene", "the vegetation is vigorous and green", f"most of {tl(rng)} is densely vegetated",
                "lush green cover dominates", f"NDVI is high over most of {tl(rng)}", "vegetation is thriving"])))
        S.append(spec("vegetation", "veg", False, True, {"t": "veg_bare_claim"},
            lambda rng: rng.choice(["the ground is mostly bare with almost no vegetation", "vegetation is sparse and withered", "hardly any green plants",
                f"{tl(rng)} looks barren", "dry, brown and nearly vegetation-free land", "very low NDVI everywhere, basically bare soil"])))
        S.append(spec("dominance", "dom_builtS2", False, True, {"t": "built_dominant_claim"},
            lambda rng: rng.choice(["dense urban blocks dominate the scene", "the area is mostly paved and built over", "built-up land is the dominant cover",
                "predominantly city, concrete and rooftops"])))
        S.append(spec("landcover_share", "share_builtS2", False, True, {"t": "nonveg_gt", "v": 0.6},
            lambda rng: rng.choice([f"built-up areas cover over {pct(rng,60)} of {tl(rng)}", f"bare soil accounts for more than {pct(rng,70)}",
                f"roughly {pct(rng,75)} of {tl(rng)} is sealed surface"])))
        S.append(spec("comparison", "cmp_bareveg", False, True, {"t": "bare_gt_veg"},
            lambda rng: rng.choice(["there is more bare ground than vegetation", "bare land exceeds vegetated land", "paved surfaces outweigh the green areas",
                "less vegetation than exposed soil"])))
        if r["s2_water"] == 0:
            S.append(spec("comparison", "cmp_waterveg", False, True, {"t": "water_gt_veg"},
                lambda rng: rng.choice(["there is more open water than vegetation", "water surfaces outnumber the green areas",
                    "the lake area exceeds the vegetated area", "water covers twice as much ground as the vegetation"])))
        S.append(spec("comparison", "cmp_bareveg", True, True, {"t": "veg_gt_bare"},
            lambda rng: rng.choice(["there is far more vegetation than bare ground", "vegetated land clearly exceeds bare land"])))
        gq = r["green_quad"]; srt = sorted(gq, key=gq.get)
        if gq[srt[-1]] - gq[srt[-2]] >= 0.05:
            S.append(spec("position", "pos_green", True, True, {"t": "greenest_q", "q": srt[-1]},
                lambda rng, q=srt[-1]: rng.choice([f"the greenest part is {rng.choice(QN[q])}", f"vegetation is most vigorous in {rng.choice(QN[q])}"])))
        if gq[srt[1]] - gq[srt[0]] >= 0.05 and gq[srt[-1]] - gq[srt[0]] >= 0.1:
            S.append(spec("position", "pos_green", False, True, {"t": "greenest_q_claim", "q": srt[0]},
                lambda rng, q=srt[0]: rng.choice([f"the greenest part is {rng.choice(QN[q])}", f"vegetation is most vigorous in {rng.choice(QN[q])}",
                    f"{rng.choice(QN[q])} is the lushest quarter", f"{rng.choice(QN[q])} has the densest green cover"])))
    if gf <= 0.05 and not bb:
        S.append(spec("vegetation", "veg", False, True, {"t": "veg_lush_claim"},
            lambda rng: rng.choice(["lush green crops fill the fields", "vegetation is at peak summer greenness", "dense green foliage everywhere"])))
    # ---------------- snow / cloud
    if r["tile_id"] == "ben-57_38":
        S.append(spec("other:snow", "snow", True, True, {"t": "snow_yes"},
            lambda rng: rng.choice(["snow lies on the ground", "a snowy winter scene", "snow cover is visible across much of the area", "snow-covered clearings"])))
        S.append(spec("other:snow", "snow", False, True, {"t": "snow_no_claim"},
            lambda rng: rng.choice(["there is no snow anywhere", "completely snow-free", "no snow or ice visible", "the ground is bare of snow"])))
    elif not bb:
        S.append(spec("other:snow", "snow", False, True, {"t": "snow_claim"},
            lambda rng: rng.choice(["a thick blanket of snow covers the ground", "snow covers most of the scene", "snowfields everywhere",
                "the land is white with fresh snow", "deep snow cover"])))
        S.append(spec("other:snow", "snow", True, True, {"t": "snow_no"},
            lambda rng: rng.choice(["no snow on the ground", "snow-free", "no snow or ice visible"])))
    if r["s2_bright"] < 0.005:
        S.append(spec("other:cloud", "cloud", True, True, {"t": "cloud_free"},
            lambda rng: rng.choice(["cloud-free", "no clouds obscure the view", "clear sky, no cloud cover", "the view is not blocked by cloud",
                "no cloud or cloud shadow is present"])))
        S.append(spec("other:cloud", "cloud", False, True, {"t": "cloud_claim"},
            lambda rng: rng.choice(["thick clouds cover most of the image", "heavily overcast, the ground is barely visible", "largely obscured by cloud",
                f"about {pct(rng,70)} cloud cover", "dense cumulus clouds hide the surface", "a cloud bank covers the western half"])))
    # ---------------- SAR
    if r["s1_evidence"]:
        vv, vh, ps = r["vv_median"], r["vh_median"], r["s1_pass"]
        pn = {"desc": "descending", "asc": "ascending"}[ps]; on = {"desc": "ascending", "asc": "descending"}[ps]
        a, b = int(math.floor(vv)) - 2, int(math.ceil(vv)) + 2
        S.append(spec("sar", "sar_vv", True, True, {"t": "vv_between", "a": a, "b": b},
            lambda rng, a=a, b=b: rng.choice([f"median VV backscatter is between {a} and {b} dB", f"VV sits around {round((a+b)/2)} dB",
                f"Sentinel-1 VV backscatter of roughly {round((a+b)/2)} dB (median)", f"typical VV values of {a} to {b} dB"])))
        S.append(spec("sar", "sar_vv", False, True, {"t": "vv_claim_gt", "v": 0},
            lambda rng: rng.choice(["median VV backscatter is above 0 dB", "VV backscatter is extremely bright, around +5 dB on average",
                "radar returns are very strong, VV median > 0 dB", "median VV of +3 dB, like a dense city"])))
        S.append(spec("sar", "sar_vv", False, True, {"t": "vv_claim_lt", "v": -20},
            lambda rng: rng.choice(["VV backscatter is very low, below -20 dB on median", "the radar image is dark like calm water (VV about -24 dB)",
                "median VV under -22 dB", "specular, water-like low backscatter across the tile"])))
        S.append(spec("sar", "sar_pol", True, True, {"t": "vv_gt_vh"},
            lambda rng: rng.choice(["VV is stronger than VH", "co-pol (VV) backscatter exceeds cross-pol (VH)", "VH is several dB weaker than VV",
                f"VH median around {round(vh)} dB, below VV"])))
        S.append(spec("sar", "sar_pol", False, True, {"t": "vh_gt_vv_claim"},
            lambda rng: rng.choice(["VH is brighter than VV", "cross-pol VH exceeds co-pol VV", "VH backscatter is higher than VV on average",
                "VH/VV ratio is above 1"])))
        S.append(spec("sar", "sar_pass", True, True, {"t": "pass", "p": ps},
            lambda rng, pn=pn: rng.choice([f"the radar scene comes from a {pn} pass", f"Sentinel-1 {pn} orbit", f"SAR acquired on a {pn} orbit"])))
        S.append(spec("sar", "sar_pass", False, True, {"t": "pass_claim", "p": on},
            lambda rng, on=on: rng.choice([f"the radar data come from an {on} pass only" if on[0] == "a" else f"the radar data come from a {on} pass only",
                f"Sentinel-1 {on}-orbit imagery", f"SAR acquired exclusively on the {on} track"])))
    # ---------------- date / season
    y, m, d = F["y"], F["m"], F["d"]; mon = MONTHS[m - 1]
    def dfmt(rng, y, m, d):
        mn = MONTHS[m - 1]
        return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{d} {mn} {y}", f"{mn} {d}, {y}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}", f"{mn[:3]} {d} {y}",
                           f"{d}th of {mn} {y}" if d not in (1, 2, 3, 21, 22, 23) else f"{mn} {d} {y}", f"{y}/{m:02d}/{d:02d}", f"{mn} {y}", f"mid-{mn} {y}" if 10 <= d <= 20 else f"{mn} {y}"])
    S.append(spec("season", "date", True, True, {"t": "date", "y": y, "m": m},
        lambda rng: rng.choice([f"acquired on {dfmt(rng,y,m,d)}", f"captured {dfmt(rng,y,m,d)}", f"imaged in {mon} {y}", f"date: {dfmt(rng,y,m,d)}",
                                f"taken on {dfmt(rng,y,m,d)}", f"the Sentinel-2 pass was on {dfmt(rng,y,m,d)}"])))
    fdates = [(y, (m + 5) % 12 + 1, 9), (y + 2, m, d), (y - 3, (m + 3) % 12 + 1, 28), (2021, (m + 6) % 12 + 1, 3), (y + 1, (m + 4) % 12 + 1, 14)]
    fdates = [fd for fd in fdates if not (fd[0] == 2018 and fd[1] == 7)]
    S.append(spec("season", "date", False, True, {"t": "date_claim", "alts": [[a, b] for a, b, _ in fdates]},
        lambda rng: (lambda fd: rng.choice([f"acquired on {dfmt(rng,*fd)}", f"captured {dfmt(rng,*fd)}", f"imaged in {MONTHS[fd[1]-1]} {fd[0]}",
             f"date: {dfmt(rng,*fd)}", f"the image dates from {dfmt(rng,*fd)}", f"shot on {dfmt(rng,*fd)}"]))(rng.choice(fdates))))
    ts = F["true_season"]
    if ts:
        S.append(spec("season", "season", True, True, {"t": "season", "s": ts},
            lambda rng: rng.choice([f"a {ts} scene", f"taken in {ts}", f"{ts} conditions", f"seen in {ts}", f"{ts} imagery", f"it is {ts} here"])))
    elif m == 6:
        S.append(spec("season", "season", True, True, {"t": "month", "m": 6},
            lambda rng: rng.choice(["taken in June", "a June acquisition", "mid-June imagery", "growing-season image from June"])))
    fs = F["false_seasons"]
    S.append(spec("season", "season", False, True, {"t": "season_claim", "s": fs},
        lambda rng: (lambda s: rng.choice([f"a {s} scene", f"taken in {s}", f"typical {s} conditions", f"photographed in late {s}",
            f"it is clearly {s}", f"{s} imagery", f"captured during {s}", f"a {s} acquisition"]))(rng.choice(fs))))
    # ---------------- place
    S.append(spec("place", "country", True, True, {"t": "country", "c": P["country"]},
        lambda rng: rng.choice([f"located in {P['country']}", f"in {P['country']}", f"somewhere in {P['country']}", f"this is {P['country']}",
                                f"country: {P['country']}", f"{P['country']}"])))
    S.append(spec("place", "region", True, True, {"t": "region"},
        lambda rng: rng.choice([f"in {rng.choice(P['region'])}", f"located {rng.choice(P['towns'])}", f"part of {rng.choice(P['region'])}",
                                f"site {rng.choice(P['towns'])}"])))
    S.append(spec("place", "country", False, True, {"t": "country_claim", "c": P["fcountry"]},
        lambda rng: (lambda c: rng.choice([f"located in {c}", f"in {c}", f"somewhere in {c}", f"this is {c}", f"country: {c}", f"a landscape in {c}"]))(rng.choice(P["fcountry"]))))
    S.append(spec("place", "region", False, True, {"t": "region_claim"},
        lambda rng: rng.choice([f"in {rng.choice(P['fregion'])}", f"located {rng.choice(P['ftowns'])}", f"part of {rng.choice(P['fregion'])}",
                                f"site {rng.choice(P['ftowns'])}", f"a view of {rng.choice(P['fregion'])}"])))
    # ---------------- general geography (no DEM/canopy layer here -> undecidable)
    S.append(spec("elevation", "elev", False, False, {"t": "geo"},
        lambda rng: rng.choice(["elevation above 2,000 m", "high-altitude terrain over 2500 m a.s.l.", "the land lies below sea level",
            "at roughly 3,000 metres above sea level", "an alpine plateau at 1800 m", "elevations exceed 1,500 m"])))
    S.append(spec("slope", "slope", False, False, {"t": "geo"},
        lambda rng: rng.choice(["slopes steeper than 35 degrees everywhere", "very steep slopes throughout", "sheer cliffs and 45° slopes",
            "steep mountainsides dominate", "slope gradients of over 30°"])))
    S.append(spec("terrain", "terrain", False, False, {"t": "geo"},
        lambda rng: rng.choice(["rugged alpine peaks", "a deep canyon cuts through", "jagged mountain ridges", "a volcanic crater",
            "glaciated high mountains", "a high mountain pass"])))
    S.append(spec("canopy", "canopy", False, False, {"t": "geo"},
        lambda rng: rng.choice(["trees taller than 60 m", "giant redwood-like trees over 70 m tall", "a tropical rainforest canopy reaching 50 m",
            "canopy height above 55 m", "emergent trees exceeding 65 metres"])))
    S.append(spec("osm_object", "osm_geo", False, False, {"t": "geo"},
        lambda rng: rng.choice(["a ski resort with chairlifts", "an active volcano with a steaming crater", "a funicular railway climbing a mountainside",
            "avalanche barriers on the slopes", "a mountain hut above the tree line", "a high mountain pass road with hairpin bends"])))
    if (w == 0 and s2w < 0.02):
        S.append(spec("osm_object", "osm_water", False, True, {"t": "needs_water"},
            lambda rng: rng.choice(["a marina full of boats", "a harbour with moored ships", "a sandy beach along a lake shore", "a ferry crossing",
                "a bridge over a wide river", "a canal with locks"])))
    if (F["lc"] and F["upper"]["built-up"] < 0.3) or gf >= 0.6:
        S.append(spec("osm_object", "osm_urban", False, True, {"t": "needs_urban"},
            lambda rng: rng.choice(["a dense downtown of high-rise towers", "a large shopping mall and its car parks covering most of the tile",
                "an extensive industrial estate filling the frame", "a city centre grid of streets covering the scene"])))
    if F["lc"] and F["lower"]["built-up"] >= 0.03:
        S.append(spec("osm_object", "osm_built", True, True, {"t": "lc_present", "c": "built-up"},
            lambda rng: rng.choice(["some buildings", "a settlement with houses", "a few built-up plots", "houses and yards"])))
    return S

# ---------------------------------------------------------------- styles
STYLES = ["plain", "alt_text", "gis_note", "llm_chat", "social_media", "non_native", "keywords", "dataset_caption", "field_report", "vlm_structured"]

def nn(rng, c):
    for a, b in [("covers", "is covering"), ("there is ", "there are "), ("is present", "is existing"), ("appears", "is appearing"),
                 ("the north", "north side"), ("lies", "is lying")]:
        if a in c and rng.random() < 0.6:
            c = c.replace(a, b, 1)
    return c

def render(style, clauses, rng, tid):
    cs = list(clauses)
    if style == "plain":
        lead = rng.choice(["", "Satellite image. ", "Overhead view. ", "Sentinel-2 tile. ", ""])
        sep = rng.choice([". ", "; ", ". "])
        return lead + ". ".join(cs) + "."
    if style == "alt_text":
        body = ", ".join(cs[:-1]) + (" and " if len(cs) > 1 else "") + cs[-1]
        return rng.choice(["Aerial photo: ", "Image: ", "Satellite picture showing land where ", "Alt: overhead image - "]) + body + "."
    if style == "gis_note":
        head = rng.choice([f"Tile {tid} QA note", f"[{tid}] analyst remarks", "GIS check", f"AOI {tid}"])
        bul = rng.choice(["- ", "* ", "• "])
        return head + ":\n" + "\n".join(bul + c for c in cs)
    if style == "llm_chat":
        a = rng.choice(["Sure! Here's a description of the image. ", "Great question. Looking at this satellite tile: ", "Based on the imagery: ",
                        "Certainly! ", "Happy to help. From what I can tell: "])
        mids = [rng.choice(["", "", "Also worth noting: ", "Additionally — ", "One more thing: ", "Observation: "]) for _ in cs]
        body = " ".join(m + c + "." for m, c in zip(mids, cs))
        z = rng.choice(["", " Let me know if you'd like more detail!", " I hope this helps.", " (Please double-check against the source data.)"])
        return a + body + z
    if style == "social_media":
        tags = rng.sample(["#sentinel2", "#remotesensing", "#earthobservation", "#gis", "#copernicus", "#fromspace", "#mapping"], 2)
        em = rng.choice(["🛰️", "🌍", "👀", "😍", ""])
        return rng.choice(["Check this out: ", "Today's tile ", "wow ", "New pic from orbit! ", ""]) + em + " " + " / ".join(cs) + rng.choice(["!", "!!", " :)", "."]) + " " + " ".join(tags)
    if style == "non_native":
        return rng.choice(["In this image we can see that ", "This picture is showing: ", "On the image is visible that ", "Here we have satellite image, "]) + \
            ", also ".join(cs) + rng.choice([".", ". Thank you.", " ."])
    if style == "keywords":
        sep = rng.choice([" | ", "; ", ", ", " / "])
        return rng.choice(["tags: ", "keywords: ", "", "kw: "]) + sep.join(cs)
    if style == "dataset_caption":
        return rng.choice(["an aerial image in which ", "a remote sensing image where ", "satellite image: ", "this is an image where "]) + " and ".join(cs) + " ."
    if style == "field_report":
        return rng.choice(["Field report, site " + tid + ". ", "Site visit summary. ", "Ground-truthing log: ", "Survey notes — "]) + \
            " ".join(f"Obs {i+1}: {c}." for i, c in enumerate(cs)) + rng.choice(["", " End of report.", " Photos filed."])
    if style == "vlm_structured":
        return rng.choice(["Scene summary: ", "<caption> ", "Generated description: ", "Model output → "]) + ". ".join(cs) + rng.choice([". [confidence: medium]", ".", ". </caption>"])
    raise ValueError(style)

def style_clause(style, c, rng):
    if style in ("plain", "llm_chat", "field_report"):
        return cap1(c)
    if style == "non_native":
        return nn(rng, c)
    if style == "keywords":
        c = c.replace("there is ", "").replace("there isn't any ", "no ")
        return c
    return c

CONS_PAIRS = {"lc_absent": "lc_present", "water_none_claim": "water_between", "veg_bare_claim": "veg_green", "snow_no_claim": "snow_yes",
              "season_claim": "date", "veg_lush_claim": "veg_dormant"}

def main():
    T = json.load(open("truth.json"))
    rng = random.Random(SEED)
    tiles = sorted(T)
    dev = sorted(rng.sample([t for t in tiles if t.startswith("bb10")], 9) + rng.sample([t for t in tiles if t.startswith("ben")], 2))
    out = {"dev": [], "test": []}; audit = []
    scount = 0
    for tid in tiles:
        r = T[tid]; S = build_specs(r)
        trues = [s for s in S if s["val"]]; falses = [s for s in S if not s["val"]]
        fams = sorted(set(s["fam"] for s in falses))
        cons = [f for f in falses if f["pred"]["t"] in CONS_PAIRS and any(t["pred"]["t"] == CONS_PAIRS[f["pred"]["t"]] and t["key"] == f["key"] or
                (f["pred"]["t"] == "season_claim" and t["pred"]["t"] == "date") for t in trues)]
        fl = fams + (["consistency"] if cons else []) + (["sar"] if "sar" in fams else [])
        GEO = {"elevation", "slope", "terrain", "canopy"}
        order = []; rnd = 0
        while len(order) < 48:
            x = [f for f in fl if f not in GEO or rnd % 3 == 0]; rng.shuffle(x); order += x; rnd += 1
        order = order[:48]
        jobs = [("false", f) for f in order] + [("true", None)] * 20
        for k, (lab, fam) in enumerate(jobs):
            style = STYLES[scount % len(STYLES)]; scount += 1
            for attempt in range(50):
                n = rng.randint(2, 5)
                chosen = []
                if lab == "false":
                    if fam == "consistency":
                        fs = rng.choice(cons)
                        partner = [t for t in trues if (t["key"] == fs["key"] and t["pred"]["t"] == CONS_PAIRS[fs["pred"]["t"]]) or
                                   (fs["pred"]["t"] == "season_claim" and t["pred"]["t"] == "date")]
                        chosen = [rng.choice(partner)]
                        ffam = "consistency"
                    else:
                        cand = [s for s in falses if s["fam"] == fam]
                        if any(c["dec"] for c in cand) and rng.random() < 0.75:
                            cand = [c for c in cand if c["dec"]]
                        fs = rng.choice(cand); ffam = fam
                    fc = {fs["pred"].get(x) for x in ("c", "a", "b") if isinstance(fs["pred"].get(x), str)}
                    pool = [t for t in trues if t["fam"] != fs["fam"] and t["key"] != fs["key"] and t not in chosen
                            and (ffam == "consistency" or topic(t) != topic(fs))
                            and not (fc & {t["pred"].get(x) for x in ("c", "a", "b") if isinstance(t["pred"].get(x), str)})]
                else:
                    fs = None; pool = trues
                rng.shuffle(pool)
                used = set(c["key"] for c in chosen); usedf = set(c["fam"] for c in chosen)
                for t in pool:
                    if len(chosen) >= n - (1 if fs else 0): break
                    if t["key"] in used: continue
                    if t["fam"] in usedf and rng.random() < 0.7: continue
                    chosen.append(t); used.add(t["key"]); usedf.add(t["fam"])
                specs = chosen + ([fs] if fs else [])
                if len(specs) < 2: continue
                rng.shuffle(specs)
                texts = [style_clause(style, sp["render"](rng), rng) for sp in specs]
                cap = render(style, texts, rng, tid)
                ok = all(cap.count(t) == 1 for t in texts) and len(set(texts)) == len(texts)
                if fs is not None:
                    ftxt = texts[specs.index(fs)]
                    ok = ok and all(ftxt not in t for t in texts if t != ftxt)
                if ok: break
            else:
                raise RuntimeError("could not build caption for " + tid)
            cid = f"f10-{tid}-{k:03d}"
            rec = {"caption_id": cid, "tile_id": tid, "caption": cap, "label": lab}
            if fs is not None:
                rec["false_clause"] = ftxt; rec["false_family"] = ffam; rec["decidable"] = fs["dec"]
            rec["style"] = style
            out["dev" if tid in dev else "test"].append(rec)
            for sp, t in zip(specs, texts):
                audit.append({"caption_id": cid, "tile_id": tid, "clause": t, "family": (ffam if sp is fs else sp["fam"]), "claim_true": sp["val"],
                              "decidable": sp["dec"], "pred": sp["pred"], "is_false_clause": sp is fs})
    for k in out:
        with open(f"{k}.jsonl", "w") as f:
            for rec in out[k]: f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open("clauses_audit.jsonl", "w") as f:
        for a in audit: f.write(json.dumps(a, ensure_ascii=False) + "\n")
    json.dump({"seed": SEED, "dev_tiles": dev}, open("split_dev_tiles.json", "w"), indent=1)
    print({k: len(v) for k, v in out.items()})

if __name__ == "__main__":
    main()
