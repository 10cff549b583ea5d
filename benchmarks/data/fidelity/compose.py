#!/usr/bin/env python3
"""Compose planted-claim captions from truth.json.

Every caption is built from 2-5 clauses.  Each clause comes from a fact
generator that knows whether it is true or false for the tile (see truth.py
for the thresholds).  TRUE captions use only true clauses on decidable facts;
FALSE captions use exactly one false clause plus 1-4 true clauses about other
topics.  Output: dev.jsonl / test.jsonl (split by tile) and all.jsonl is NOT
written (the split files are the product).
"""
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261129
STYLES = ["terse", "flowery", "assistant", "technical", "casual"]

# ------------------------------------------------------------------ words
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n):
    n = int(n)
    if n < 20:
        return ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return TENS[t] + ("" if o == 0 else "-" + ONES[o])
    return "one hundred"


FRACTIONS = [(10, ["a tenth", "one-tenth"]), (12.5, ["an eighth", "one-eighth"]),
             (100 / 6, ["a sixth", "one-sixth"]), (20, ["a fifth", "one-fifth"]),
             (25, ["a quarter", "one-quarter", "a fourth"]),
             (100 / 3, ["a third", "one-third"]), (50, ["half"]),
             (200 / 3, ["two-thirds", "two thirds"]), (75, ["three-quarters", "three quarters"]),
             (90, ["nine-tenths"])]

NAMES = {
    "trees": ["tree cover", "woodland", "forest", "wooded land", "forest cover"],
    "grass": ["grassland", "grass", "meadow", "open grassland", "grassy ground"],
    "crops": ["cropland", "farmland", "arable land", "cultivated land", "crop land"],
    "built": ["built-up land", "built-up area", "settlement", "urban fabric", "building cover"],
    "water": ["open water", "water", "surface water", "standing water"],
    "shrub": ["shrubland", "scrub", "bushland", "scrubland"],
    "wetland": ["herbaceous wetland", "marshland", "wetland", "reedy marsh"],
    "bare": ["bare ground", "bare soil", "barren land"],
    "snow": ["snow and ice", "permanent snow", "glacier ice"],
    "mangroves": ["mangroves", "mangrove forest"],
    "moss": ["moss and lichen", "lichen-covered ground"],
}
COUNTRY_ADJ = {"Germany": "German", "Austria": "Austrian", "Portugal": "Portuguese",
               "Ireland": "Irish", "Finland": "Finnish", "United States": "American",
               "Spain": "Spanish", "France": "French", "Brazil": "Brazilian", "Japan": "Japanese",
               "Canada": "Canadian", "Kenya": "Kenyan", "India": "Indian", "Poland": "Polish",
               "Italy": "Italian", "Norway": "Norwegian", "Mexico": "Mexican", "Australia": "Australian",
               "Argentina": "Argentine", "Greece": "Greek", "Morocco": "Moroccan", "Chile": "Chilean"}
WRONG_COUNTRIES = {
    "Germany": ["Spain", "Brazil", "Japan", "Kenya", "Italy", "Canada", "Greece"],
    "Austria": ["Portugal", "Norway", "India", "Mexico", "Australia", "Morocco"],
    "Portugal": ["Finland", "Poland", "Canada", "Japan", "Norway", "Kenya"],
    "Ireland": ["Spain", "Argentina", "Italy", "India", "Greece", "Chile"],
    "Finland": ["Portugal", "Spain", "Brazil", "Australia", "Morocco", "Mexico"],
    "United States": ["Germany", "Finland", "Portugal", "Japan", "Kenya", "Australia"],
}
TRUE_REGION = {
    "Germany": ["in the German state of Brandenburg", "west of Berlin", "in Brandenburg, eastern Germany",
                "on the North German Plain", "in the Havelland area of Brandenburg"],
    "Austria": ["in Upper Austria", "north of the Alps in Austria", "in the Austrian Alpine foreland"],
    "Portugal": ["in central Portugal", "on the Iberian Peninsula", "in the Portuguese interior"],
    "Ireland": ["in south-east Ireland", "in the Republic of Ireland", "in the south-east of Ireland"],
    "Finland": ["in eastern Finland", "in the Finnish region of North Karelia", "in Finnish Karelia"],
    "United States": ["in North Dakota", "on the northern Great Plains of the USA", "in the US state of North Dakota"],
}
WRONG_REGION = {
    "Germany": ["in Bavaria, near the Alps", "on the Baltic island of Rügen", "in the Black Forest"],
    "Austria": ["in the Tyrolean high Alps", "in the Austrian state of Vorarlberg by Lake Constance"],
    "Portugal": ["on the island of Madeira", "in the Algarve on the south coast", "in the Azores"],
    "Ireland": ["in County Donegal in the far north-west", "in Northern Ireland near Belfast"],
    "Finland": ["in Finnish Lapland above the Arctic Circle", "on the Åland Islands", "in the Helsinki capital region"],
    "United States": ["in the Florida Everglades", "in coastal California", "in the Colorado Rockies"],
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class Clause:
    def __init__(self, text, family, truth, decidable, topics, key):
        self.text, self.family, self.truth = text, family, truth
        self.decidable, self.topics, self.key = decidable, set(topics), key


def name(rng, cls):
    return rng.choice(NAMES[cls])


# ------------------------------------------------------------------ numbers
def pct_true(rng, t, allow_fraction=True):
    """A phrase for share t (percent) that is honest: +-3 points, or a bound/range."""
    r = round(t)
    hedge = rng.choice(["about ", "roughly ", "around ", "approximately ", "some ", "close to ", "nearly " if r - t > 0 and r - t < 1 else "about ", "", "~"])
    kind = rng.choice(["digits", "digits", "words", "range", "bound", "fraction", "decimal"])
    if kind == "fraction" and allow_fraction:
        for v, labels in FRACTIONS:
            if abs(v - t) <= 1.5:
                return rng.choice(["about ", "roughly ", "close to ", "", "around "]) + rng.choice(labels)
        kind = "digits"
    if kind == "range":
        lo = 5 * math.floor((t - 1.5) / 5)
        hi = lo + 10
        if lo >= 0 and hi >= t + 1.5:
            return rng.choice([f"{lo}–{hi} %", f"between {lo} and {hi} percent", f"{lo} to {hi}%", f"somewhere in the {lo}–{hi} % range"])
        kind = "bound"
    if kind == "bound":
        if rng.random() < 0.5 or t < 8:
            x = 5 * math.ceil((t + 3) / 5)
            return rng.choice([f"less than {x} %", f"under {x}%", f"below {x} percent", f"no more than {x} %", f"well under {x + 5} %"])
        y = 5 * math.floor((t - 3) / 5)
        if y >= 5:
            return rng.choice([f"over {y} %", f"more than {y}%", f"at least {y} percent", f"upwards of {y} %"])
    if kind == "words" and r >= 1:
        return hedge.replace("~", "about ") + words(r) + rng.choice([" percent", " per cent"])
    if kind == "decimal":
        return f"{t:.1f} %"
    if r < 1:
        return "under 1 %"
    return hedge + rng.choice([f"{r} %", f"{r}%", f"{r} percent", f"{r} per cent"])


def false_value(rng, t):
    """A clearly wrong share: >= 20 points away, or a factor >= 3 and >= 8 points below."""
    if t >= 18 and rng.random() < 0.3:
        return max(1, round(t / rng.uniform(3.2, 5.0)))
    if t <= 45:
        return min(95, round(t + rng.uniform(22, 48)))
    return max(1, round(t - rng.uniform(22, 40)))


def pct_false(rng, t):
    f = false_value(rng, t)
    kind = rng.choice(["digits", "digits", "words", "fraction", "bound", "range"])
    if kind == "fraction":
        for v, labels in FRACTIONS:
            if abs(v - f) <= 3 and abs(v - t) >= 20:
                return rng.choice(["about ", "roughly ", "", "well over " if v > t else "barely "]).replace("barely ", "about ") + rng.choice(labels)
        kind = "digits"
    if kind == "bound":
        if f > t:
            x = 5 * math.ceil((t + 20) / 5)
            if x <= 95:
                return rng.choice([f"more than {x} %", f"over {x}%", f"at least {x} percent", f"well above {x} %"])
        elif t >= 15:
            x = 5 * math.floor((t / 2.5) / 5) if t >= 25 else 2
            if t - x >= 8 and x >= 1:
                return rng.choice([f"less than {x} %", f"under {x}%", f"below {x} percent"])
        kind = "digits"
    if kind == "range":
        lo, hi = f - 5, f + 5
        if lo >= 0 and hi <= 100 and (lo >= t + 18 or hi <= t / 2.5):
            return rng.choice([f"{lo}–{hi} %", f"between {lo} and {hi} percent", f"{lo} to {hi}%"])
        kind = "digits"
    if kind == "words":
        return rng.choice(["about ", "roughly ", "some ", ""]) + words(f) + " percent"
    return rng.choice(["about ", "roughly ", "around ", "", "~"]) + rng.choice([f"{f} %", f"{f}%", f"{f} percent"])


# ------------------------------------------------------------------ templates
# "{p}" is a share phrase that reads naturally before "of the tile".
SHARE_T = [
    '{c} is mapped on {p} of the tile', 'a patchwork of {c} amounting to {p} of the land', '{p} of the land surface falls in the {c} class', 'the {c} fraction stands at {p} of the tile', '{c} stretches across {p} of the countryside here', '{c} — {p} of the tile, give or take', 'by pixel count, {c} is {p} of the tile', '{c} makes up {p} of what you see',
    "{c} covers {p} of the tile", "{c} takes up {p} of the scene", "{p} of the area is {c}",
    "{c} accounts for {p} of the image", "roughly speaking, {c} makes up {p} of the tile",
    "{c} occupies {p} of the 1.3 km square", "the share of {c} is {p} of the whole tile",
    "{c}: {p} of the tile", "{p} of the pixels are mapped as {c}", "{c} spreads across {p} of the frame",
    "land-cover fraction for {c} is {p} of the tile", "{c} claims {p} of the ground here",
    "you get {c} on {p} of the tile", "{p} of this patch is given over to {c}",
    "the map shows {c} on {p} of the tile",
]
SHARE_TERSE = ["{c} {p}", "{c}: {p}", "{c} ≈ {p} of tile", "{p} {c}"]
PRESENT_T = [
    'the map does show some {c}', '{c} is represented', 'a few stretches of {c} are mapped', "there's a bit of {c} in there", 'pockets of {c} dot the landscape',
    "there is some {c}", "patches of {c} are present", "{c} appears in the tile", "the tile contains {c}",
    "a bit of {c} shows up", "{c} is present", "some {c} can be seen", "{c} is part of the mix",
    "there are areas of {c}", "the scene includes {c}",
]
PRESENT_TERSE = ["{c} present", "some {c}", "has {c}", "+{c}"]
ABSENT_T = [
    '{c} does not occur at all', 'the class {c} has zero pixels', "there's no trace of {c}", '{c} is conspicuously missing from the map', 'far from any {c}, the tile has none of it',
    "there is no {c}", "not a single patch of {c} is mapped", "{c} is absent", "there isn't any {c}",
    "the tile has no {c} at all", "without any {c}", "{c} is nowhere to be found", "no {c} appears anywhere",
    "not one pixel of {c}", "the scene is entirely free of {c}", "you won't find any {c} here",
    "{c} is completely missing",
]
ABSENT_TERSE = ["no {c}", "{c} absent", "zero {c}", "{c}: none"]
ABSENT2_T = ["there is no {c} or {d}", "neither {c} nor {d} is mapped", "no {c} or {d} anywhere",
             "{c} and {d} are both absent", "without any {c} or {d}"]
DOMINANT_FALSE_T = [
    'the tile is largely {c}, well over half of it', '{c} is by far the main land cover, above 50 %',
    "{c} dominates the tile, covering most of it", "the tile is overwhelmingly {c}",
    "more than half of the scene is {c}", "{c} is the dominant cover, taking well over half the area",
    "the landscape is mostly {c}", "{c} blankets the majority of the tile",
]
LARGEST_T = [
    '{c} leads the land-cover tally', 'among mapped classes, {c} has the largest footprint', 'the biggest slice of the map goes to {c}',
    "{c} is the most extensive mapped class", "the largest land-cover class is {c}",
    "of all the mapped classes, {c} covers the most ground", "{c} is the leading land-cover type",
    "{c} outranks every other class in area", "{c} is the biggest single class on the map",
]
NO_MAJORITY_T = [
    "no single class covers more than half of the tile", "no land-cover type reaches a majority",
    "the tile is a mix with no majority class", "nothing dominates: every class stays below half the area",
]
LABELLED_T = [
    'the land-cover product labels {p} of the tile, the remainder is no-data',
    "{p} of the tile carries a land-cover label", "{p} of the tile is mapped; the rest is unlabelled",
    "the land-cover map labels {p} of the pixels", "labelled pixels make up {p} of the tile",
    "about the labelled area: {p} of the tile",
]
MORE_T = [
    '{a} is more widespread than {b}', 'the map gives {a} more area than {b}', '{a} beats {b} on area', '{a} clearly outweighs {b}',
    "there is more {a} than {b}", "{a} outweighs {b}", "{a} covers more ground than {b}",
    "{b} is scarcer than {a}", "{a} exceeds {b} in area", "{a} is more extensive than {b}",
    "compared with {b}, {a} takes up more room", "{b} trails well behind {a}",
]
POS_HALF = {
    "north": ["in the north", "in the northern half", "toward the top (north) of the tile", "up north in the frame"],
    "south": ["in the south", "in the southern half", "toward the bottom (south) of the tile", "down in the south"],
    "east": ["in the east", "in the eastern half", "on the east side", "toward the right-hand (east) side"],
    "west": ["in the west", "in the western half", "on the west side", "toward the left-hand (west) side"],
    "centre": ["in the centre", "in the middle of the tile", "around the centre", "in the central part"],
    "northwest": ["in the north-western quarter", "in the NW corner", "in the top-left quadrant"],
    "northeast": ["in the north-eastern quarter", "in the NE corner", "in the top-right quadrant"],
    "southwest": ["in the south-western quarter", "in the SW corner", "in the bottom-left quadrant"],
    "southeast": ["in the south-eastern quarter", "in the SE corner", "in the bottom-right quadrant"],
    "north_edge": ["along the northern edge", "hugging the top edge"],
    "south_edge": ["along the southern edge", "hugging the bottom edge"],
    "east_edge": ["along the eastern edge", "along the east margin"],
    "west_edge": ["along the western edge", "along the west margin"],
}
POS_T = [
    'the {c} is found {w}', '{w} lies most of the {c}', '{c} is mostly located {w}',"{c} lies mainly {w}", "most of the {c} is {w}", "{c} is concentrated {w}", "{w}, there is a block of {c}",
         "the {c} sits {w}", "{c} clusters {w}", "you find the {c} mostly {w}"]
POS_THRESH_TRUE = {"north": .7, "south": .7, "east": .7, "west": .7, "centre": .5,
                   "northwest": .6, "northeast": .6, "southwest": .6, "southeast": .6,
                   "north_edge": .5, "south_edge": .5, "east_edge": .5, "west_edge": .5}
POS_THRESH_FALSE = {"north": .1, "south": .1, "east": .1, "west": .1, "centre": .05,
                    "northwest": .05, "northeast": .05, "southwest": .05, "southeast": .05,
                    "north_edge": .03, "south_edge": .03, "east_edge": .03, "west_edge": .03}
WATER_NONE_T = [
    'no open water anywhere in the tile', 'there are no water bodies to speak of', 'dry ground throughout: no lakes or streams are mapped',"there is no open water", "no lakes, ponds or rivers are visible", "the tile is dry land without any water body",
                "not a drop of surface water is mapped", "water is absent", "there isn't any standing water"]
WATER_SHARE_T = [
    'open water makes up {p} of the tile', 'the water fraction is {p} of the scene',"water covers {p} of the tile", "{p} of the scene is open water", "lakes and channels take up {p} of the area",
                 "surface water accounts for {p} of the tile"]
WATER_FALSE_BIG = ["a large lake fills {p} of the tile", "open water covers {p} of the scene",
                   "much of the tile, {p}, is under water", "a reservoir occupies {p} of the frame"]
NDVI_T = [
    'NDVI, averaged over the tile, is {v}', 'the vegetation index (NDVI) has a mean of {v}', 'mean (B8−B4)/(B8+B4) is {v}',"mean NDVI is {v}", "the average NDVI comes out at {v}", "NDVI averages {v}",
          "greenness (NDVI) sits at {v} on average", "the NDVI mean is {v}", "a tile-mean NDVI of {v}"]
LUSH_T = [
    'the countryside is a deep, luxuriant green', 'crops and trees are in vigorous growth',"vegetation is lush and vigorous", "the plants look healthy and strongly green", "a vivid, thriving green canopy",
          "vegetation vigour is high", "everything is in full leaf and very green"]
SPARSE_T = [
    'the fields look bare and the vegetation dormant', 'hardly any green vigour is visible', 'the land looks brown rather than green',"vegetation looks sparse or dormant", "there is little green vigour in the vegetation",
            "plants appear weak and winter-brown", "the greenness signal is low", "vegetation is far from lush"]
SEASON_T = [
    'the season is {s}', 'a {s} acquisition', 'seen in {s}',"captured in {s}", "a {s} scene", "the image was taken in {s}", "acquired during {s}",
            "photographed in the {s}", "{s} imagery"]
MONTH_T = [
    '{m} {y}', 'date of capture: {m} {y}', 'captured one day in {m} {y}',"acquired in {m} {y}", "taken in {m} {y}", "the scene dates from {m} {y}", "imaged in {m} of {y}",
           "a {m} {y} acquisition", "shot in {m} {y}"]
YEAR_T = ["recorded in {y}", "the acquisition year is {y}", "from {y}", "dated {y}"]
PLACE_T = [
    'the country is {c}', 'we are in {c}', 'the scene is set in {c}',"located in {c}", "this is {c}", "the tile lies in {c}", "somewhere in {c}", "{a} countryside",
           "a scene from {c}", "{c} territory"]
REGION_T = [
    'the tile is {r}', 'geographically, the tile lies {r}',"{r}", "the tile sits {r}", "located {r}", "it lies {r}"]
SAR_VAL_T = [
    'in {pol} the radar backscatter is about {v} dB', 'the {pol} channel reads roughly {v} dB',"{pol} backscatter sits around {v} dB", "the median {pol} return is {v} dB",
             "radar ({pol}) backscatter averages {v} dB", "Sentinel-1 {pol} comes in at about {v} dB",
             "{pol} σ⁰ of roughly {v} dB"]
SAR_CMP_T = ["the VH return is weaker than VV", "cross-polarised (VH) backscatter is lower than co-polarised VV",
             "VV backscatter exceeds VH", "radar returns are stronger in VV than in VH"]
SAR_CMP_FALSE_T = ["the VH return is stronger than VV", "cross-polarised (VH) backscatter exceeds co-polarised VV",
                   "VH outshines VV in the radar image", "radar returns are stronger in VH than in VV"]
ELEV_FALSE_T = [
    'the land rises to about {e} m', 'a high plateau at some {e} m above sea level',"the tile sits at roughly {e} m above sea level", "elevation is around {e} metres",
                "this is high ground at about {e} m", "the terrain lies above {e} m", "altitudes here reach {e} m and more"]
SLOPE_FALSE_T = [
    'the terrain is steep, with slopes of {s} degrees', 'most hillsides here exceed {s}°',"slopes steeper than {s} degrees cover most of the tile", "the mean slope is about {s}°",
                 "the ground is steep, averaging {s} degrees", "hillsides of {s}° and more dominate"]
TERRAIN_FALSE_T = [
    'sheer rock walls and scree slopes fill the scene', 'a steep mountain valley with a glacier at its head',"rugged high-mountain terrain with jagged ridges", "a deep canyon cuts through the tile",
                   "glaciated alpine peaks rise over the scene", "steep sea cliffs drop into the ocean",
                   "a volcanic cone dominates the relief"]
CANOPY_FALSE_T = [
    'the tallest trees top {h} m', 'a towering {h}-metre canopy',"the forest canopy towers about {h} m high", "trees reach heights of {h} metres",
                  "canopy height averages roughly {h} m", "giant trees over {h} m tall stand here"]
OSM_RIVER_T = [
    'a major river meanders across the tile', 'a navigable river splits the tile in two',"a broad river winds through the middle of the tile", "a wide river crosses the scene from west to east",
               "a large river channel runs north to south"]
OSM_SEA_T = ["the sea shore runs along the southern edge", "an ocean beach lines the eastern edge", "a harbour on the open sea occupies the north"]
OSM_TOWN_T = [
    'the tile is dominated by dense city blocks and streets',"a dense town centre of apartment blocks fills most of the tile", "the tile is a compact city core of streets and buildings",
              "a busy downtown with high-rise towers covers much of the frame"]
OSM_BUILT_TRUE_T = ["there are buildings in the tile", "some settlement is present", "a built-up area is present"]


def disp(country):
    return "the United States" if country == "United States" else country


def fill(rng, tmpl_list, **kw):
    return rng.choice(tmpl_list).format(**kw)


# ------------------------------------------------------------------ generators
# Classes used in land-cover share/presence claims.  Water is handled by the
# water family (needs agreement with the OSM water layer and Sentinel-2);
# snow and bare are left out because a February scene may really show snow or
# bare ploughed soil whatever the land-use map says; mangroves/moss are
# trivially absent here.
LC_CLASSES = ("trees", "grass", "crops", "built", "shrub", "wetland")


def lc_view(T):
    S = {c: v for c, v in T["agreed_shares"].items() if c in LC_CLASSES}
    if T["agreed_shares"].get("water", 0) >= 1:
        S["water"] = T["agreed_shares"]["water"]
    return S


def true_clauses(T, rng):
    """Return a list of factories: (key, family, topics, fn(rng, style) -> text)."""
    out = []
    S = lc_view(T)
    lc = T["landcover_decidable"]
    country = T["place"]["country"]
    # place / date
    out.append(("place", "place", {"place"}, lambda r, s: fill(r, PLACE_T, c=disp(country), a=COUNTRY_ADJ[country])))
    out.append(("region", "place", {"region"}, lambda r, s: fill(r, REGION_T, r=r.choice(TRUE_REGION[country]))))
    out.append(("month", "season", {"date"}, lambda r, s: fill(r, MONTH_T, m=T["month_name"], y=T["year"])))
    out.append(("year", "season", {"date"}, lambda r, s: fill(r, YEAR_T, y=T["year"])))
    if T["season_firm"]:
        out.append(("season", "season", {"date"}, lambda r, s: fill(r, SEASON_T, s=T["season_firm"])))
    if lc:
        for cls, v in S.items():
            if cls in ("snow", "water"):
                continue
            if v >= 1.0:
                out.append((f"share_{cls}", "landcover_share", {cls}, lambda r, s, cls=cls, v=v: fill(
                    r, SHARE_TERSE if s == "terse" and r.random() < .6 else SHARE_T, c=name(r, cls), p=pct_true(r, v))))
                if v >= 2.0:
                    out.append((f"present_{cls}", "landcover_presence", {cls}, lambda r, s, cls=cls: fill(
                        r, PRESENT_TERSE if s == "terse" else PRESENT_T, c=name(r, cls))))
            elif v == 0.0:
                out.append((f"absent_{cls}", "landcover_presence", {cls}, lambda r, s, cls=cls: fill(
                    r, ABSENT_TERSE if s == "terse" else ABSENT_T, c=name(r, cls))))
        absent = [c for c, v in S.items() if v == 0.0 and c not in ("snow", "water")]
        if len(absent) >= 2:
            out.append(("absent2", "landcover_presence", set(absent[:2]), lambda r, s: fill(
                r, ABSENT2_T, c=name(r, absent[0]), d=name(r, absent[1]))))
        if T["largest_class"] in S:
            out.append(("largest", "dominance", {T["largest_class"], "dominance"}, lambda r, s: fill(r, LARGEST_T, c=name(r, T["largest_class"]))))
        if T["agreed_shares"] and max(T["agreed_shares"].values()) < 45:
            out.append(("nomajority", "dominance", {"dominance"}, lambda r, s: fill(r, NO_MAJORITY_T)))
        if T.get("labelled_pct") is not None:
            out.append(("labelled", "landcover_share", {"labelled"}, lambda r, s: fill(r, LABELLED_T, p=pct_true(r, T["labelled_pct"]))))
        pairs = [(a, b) for a in S for b in S if a != b and S[a] >= 2 * S[b] and S[a] - S[b] >= 5 and "snow" not in (a, b)]
        for a, b in pairs:
            out.append((f"more_{a}_{b}", "comparison", {a, b}, lambda r, s, a=a, b=b: fill(r, MORE_T, a=name(r, a), b=name(r, b))))
        for cls, P in T["positions"].items():
            if cls not in S:
                continue
            for w, th in POS_THRESH_TRUE.items():
                if P[w] >= th:
                    out.append((f"pos_{cls}_{w}", "position", {cls}, lambda r, s, cls=cls, w=w: fill(
                        r, POS_T, c=name(r, cls), w=r.choice(POS_HALF[w]))))
        if S.get("built", 0) >= 3:
            out.append(("built_true", "osm_object", {"built"}, lambda r, s: fill(r, OSM_BUILT_TRUE_T)))
    # water
    if T["water_absent"]:
        out.append(("water_none", "water", {"water"}, lambda r, s: fill(r, WATER_NONE_T)))
    elif lc and S.get("water", 0) >= 2 and T.get("jrc_water_pct") is not None and abs(T["jrc_water_pct"] - S["water"]) <= 3:
        out.append(("water_share", "water", {"water"}, lambda r, s: fill(r, WATER_SHARE_T, p=pct_true(r, S["water"]))))
    # vegetation
    nd = T["ndvi"]
    if nd:
        m = nd["mean"]
        out.append(("ndvi", "vegetation", {"ndvi"}, lambda r, s: fill(r, NDVI_T, v=ndvi_true(r, m))))
        if m >= 0.65:
            out.append(("vigour", "vegetation", {"ndvi"}, lambda r, s: fill(r, LUSH_T)))
        elif m <= 0.25:
            out.append(("vigour", "vegetation", {"ndvi"}, lambda r, s: fill(r, SPARSE_T)))
    # SAR
    if T["sar"]:
        for band, st in T["sar"].items():
            pol = band.split("_")[0]
            out.append((f"sar_{pol}", "sar", {"sar_" + pol}, lambda r, s, pol=pol, v=st["median_db"]: fill(
                r, SAR_VAL_T, pol=pol, v=db(r, v))))
        vv = [v["median_db"] for k, v in T["sar"].items() if k.startswith("VV")]
        vh = [v["median_db"] for k, v in T["sar"].items() if k.startswith("VH")]
        if vv and vh and vv[0] - vh[0] >= 3:
            out.append(("sar_cmp", "sar", {"sar_cmp"}, lambda r, s: fill(r, SAR_CMP_T)))
    return out


def db(r, v):
    x = round(v)
    return ("−" if x < 0 else "+") + str(abs(x)) if r.random() < .5 else str(x)


def ndvi_true(r, m):
    k = r.random()
    if k < .5:
        return r.choice(["about ", "roughly ", "", "close to "]) + f"{m:.2f}"
    if k < .75:
        lo = math.floor((m - 0.03) * 10) / 10
        return f"between {lo:.1f} and {lo + 0.1 + (0.1 if m + 0.03 > lo + 0.1 else 0):.1f}"
    if m < 0.5:
        return f"below {math.ceil((m + 0.05) * 10) / 10:.1f}"
    return f"above {math.floor((m - 0.05) * 10) / 10:.1f}"


def false_clauses(T, rng, trues):
    """Return list of (family, decidable, topics, fn) for clearly false clauses."""
    out = []
    S = lc_view(T)
    lc = T["landcover_decidable"]
    country = T["place"]["country"]
    pl = T["place"]
    lo, hi = pl["elev_envelope_m"]
    # --- landcover on co-located products
    if lc:
        for cls, v in S.items():
            if cls in ("snow", "water"):
                continue
            if v >= 1.0:
                out.append(("landcover_share", True, {cls}, lambda r, s, cls=cls, v=v: fill(
                    r, SHARE_T, c=name(r, cls), p=pct_false(r, v))))
            if v >= 2.0:
                out.append(("landcover_presence", True, {cls}, lambda r, s, cls=cls: fill(
                    r, ABSENT_TERSE if s == "terse" else ABSENT_T, c=name(r, cls))))
            if v == 0.0:
                out.append(("landcover_presence", True, {cls}, lambda r, s, cls=cls: fill(
                    r, PRESENT_T + ["{c} covers a sizeable part of the tile"], c=name(r, cls))))
                out.append(("landcover_share", True, {cls}, lambda r, s, cls=cls: fill(
                    r, SHARE_T, c=name(r, cls), p=pct_false(r, 0.0))))
        if T.get("labelled_pct") is not None:
            out.append(("landcover_share", True, {"labelled"}, lambda r, s: fill(r, LABELLED_T, p=pct_false(r, T["labelled_pct"]))))
        small = [c for c, v in S.items() if v < 25 and c not in ("snow", "water") and not (0 < v < 1)]
        if not T["dominant"]:
            for c in small:
                out.append(("dominance", True, {c, "dominance"}, lambda r, s, c=c: fill(r, DOMINANT_FALSE_T, c=name(r, c))))
        if T["largest_class"] in S:
            L = S[T["largest_class"]]
            for c, v in S.items():
                if c != T["largest_class"] and v <= L / 2 and c not in ("snow", "water") and not (0 < v < 1):
                    out.append(("dominance", True, {c, "dominance"}, lambda r, s, c=c: fill(r, LARGEST_T, c=name(r, c))))
        pairs = [(a, b) for a in S for b in S if a != b and S[a] >= 2 * S[b] and S[a] - S[b] >= 5 and "snow" not in (a, b)]
        for a, b in pairs:  # reversed
            out.append(("comparison", True, {a, b}, lambda r, s, a=a, b=b: fill(r, MORE_T, a=name(r, b), b=name(r, a))))
        for cls, P in T["positions"].items():
            if cls not in S:
                continue
            for w, th in POS_THRESH_FALSE.items():
                if P[w] <= th:
                    out.append(("position", True, {cls}, lambda r, s, cls=cls, w=w: fill(
                        r, POS_T, c=name(r, cls), w=r.choice(POS_HALF[w]))))
        if S.get("built", 1) == 0.0:
            out.append(("osm_object", True, {"built"}, lambda r, s: fill(r, OSM_TOWN_T)))
    else:
        # land cover not co-located: only world-knowledge falsehoods, undecidable
        out.append(("landcover_presence", False, {"mangroves"}, lambda r, s: fill(r, PRESENT_T, c=name(r, "mangroves"))))
        if T["month"] in (5, 6, 7, 8, 9) and country != "Austria":
            out.append(("landcover_share", False, {"snow"}, lambda r, s: fill(r, SHARE_T, c=name(r, "snow"), p=r.choice(["about 60 %", "two-thirds", "over 70 percent"]))))
        out.append(("dominance", False, {"dominance"}, lambda r, s: fill(r, DOMINANT_FALSE_T, c=name(r, "mangroves"))))
    # --- water
    if T["water_absent"]:
        out.append(("water", True, {"water"}, lambda r, s: fill(r, WATER_FALSE_BIG, p=pct_false(r, 0.0))))
        out.append(("osm_object", True, {"water"}, lambda r, s: fill(r, OSM_RIVER_T)))
        out.append(("osm_object", True, {"water"}, lambda r, s: fill(r, OSM_SEA_T)))
    elif lc and S.get("water", 0) >= 2:
        out.append(("water", True, {"water"}, lambda r, s: fill(r, WATER_NONE_T)))
        out.append(("water", True, {"water"}, lambda r, s: fill(r, WATER_SHARE_T, p=pct_false(r, S["water"]))))
    # --- vegetation
    nd = T["ndvi"]
    if nd:
        m = nd["mean"]
        fv = m + 0.4 if m < 0.45 else m - 0.4
        out.append(("vegetation", True, {"ndvi"}, lambda r, s: fill(r, NDVI_T, v=r.choice(["about ", "roughly ", ""]) + f"{fv:.2f}")))
        if m <= 0.35:
            out.append(("vegetation", True, {"ndvi"}, lambda r, s: fill(r, LUSH_T)))
        if m >= 0.55:
            out.append(("vegetation", True, {"ndvi"}, lambda r, s: fill(r, SPARSE_T)))
            if T["water_absent"] is not None:
                out.append(("osm_object", True, {"built"}, lambda r, s: fill(r, OSM_TOWN_T)))
    # --- SAR
    if T["sar"]:
        for band, st in T["sar"].items():
            pol = band.split("_")[0]
            v = st["median_db"]
            out.append(("sar", True, {"sar_" + pol}, lambda r, s, pol=pol, v=v: fill(
                r, SAR_VAL_T, pol=pol, v=db(r, v + r.choice([-1, 1]) * r.uniform(9, 13) if v < -14 else v + r.uniform(9, 13)))))
        out.append(("sar", True, {"sar_cmp"}, lambda r, s: fill(r, SAR_CMP_FALSE_T)))
    else:
        out.append(("sar", False, {"sar_VV"}, lambda r, s: fill(r, SAR_VAL_T, pol="VV", v=r.choice(["+6", "+8", "+10"]))))
    # --- relief / canopy: never co-located here -> undecidable, false by geography
    e_false = max(hi * 4, hi + 1500)
    out.append(("elevation", False, {"elev"}, lambda r, s: fill(r, ELEV_FALSE_T, e=f"{int(round(e_false * r.uniform(1, 1.4), -2)):,}")))
    trap = T.get("relocated_trap", {}).get("aster_mean")
    if trap and trap >= 3 * hi:
        out.append(("elevation", False, {"elev"}, lambda r, s: fill(r, ELEV_FALSE_T[:2], e=f"{int(round(trap, -1)):,}")))
    out.append(("slope", False, {"slope"}, lambda r, s: fill(r, SLOPE_FALSE_T, s=r.choice([35, 40, 45]))))
    out.append(("terrain", False, {"terrain"}, lambda r, s: fill(r, TERRAIN_FALSE_T)))
    out.append(("canopy", False, {"canopy"}, lambda r, s: fill(r, CANOPY_FALSE_T, h=r.choice([55, 60, 70, 80]))))
    # --- season / place (need no layer)
    wrong = T["seasons_wrong"]
    out.append(("season", True, {"date"}, lambda r, s: fill(r, SEASON_T, s=r.choice(wrong))))
    wm = [m for m in range(1, 13) if min(abs(m - T["month"]), 12 - abs(m - T["month"])) >= 3]
    out.append(("season", True, {"date"}, lambda r, s: fill(r, MONTH_T, m=MONTHS[r.choice(wm) - 1], y=T["year"])))
    out.append(("season", True, {"date"}, lambda r, s: fill(r, YEAR_T, y=r.choice([T["year"] + 4, T["year"] - 3, 2021 if T["year"] != 2021 else 2015]))))
    out.append(("place", True, {"place", "region"}, lambda r, s: fill(r, PLACE_T, c=disp(wc := r.choice(WRONG_COUNTRIES[country])), a=COUNTRY_ADJ[wc])))
    out.append(("place", True, {"place", "region"}, lambda r, s: fill(r, REGION_T, r=r.choice(WRONG_REGION[country]))))
    # --- consistency: contradict a true clause that will be included in the same caption
    out.extend(consistency(T, trues))
    return out


def consistency(T, trues):
    """Each returns (family, decidable, topics, fn, partner_key)."""
    res = []
    keys = {k for k, *_ in trues}
    S = lc_view(T)
    for k in sorted(keys):
        if k.startswith("share_") or k.startswith("present_"):
            cls = k.split("_", 1)[1]
            if S.get(cls, 0) >= 2:
                res.append(("consistency", True, set(), (lambda r, s, cls=cls: fill(r, ["yet there is no {c} anywhere in the tile", "but not a single patch of {c} exists here", "and {c} is entirely absent"], c=name(r, cls))), k))
        if k.startswith("absent_"):
            cls = k.split("_", 1)[1]
            res.append(("consistency", True, set(), (lambda r, s, cls=cls: fill(r, ["yet {c} covers a good third of it", "while half the scene is {c}"], c=name(r, cls))), k))
    if "month" in keys:
        res.append(("consistency", True, set(), (lambda r, s: fill(r, ["yet the picture was taken in {m}", "and the acquisition month is {m}"], m=MONTHS[(T["month"] + 5) % 12])), "month"))
    if "place" in keys:
        res.append(("consistency", True, set(), (lambda r, s: r.choice(["and yet this is clearly " + (wc := r.choice(WRONG_COUNTRIES[T["place"]["country"]])),
                                                                         "though it lies in " + r.choice(WRONG_COUNTRIES[T["place"]["country"]])])), "place"))
    if "water_none" in keys:
        res.append(("consistency", True, set(), (lambda r, s: r.choice(["yet a lake fills the centre", "although a river crosses it"])), "water_none"))
    return res


# ------------------------------------------------------------------ assembly
OPENERS = {
    "terse": ["", "", "Tile: ", "S2 tile — "],
    "flowery": ["", "Seen from high above, ", "Under the satellite's gaze, ", "From orbit, the land reveals itself: "],
    "assistant": ["This satellite image shows the following. ", "Here is a summary of the tile. ", "", "Sure! Describing this scene: "],
    "technical": ["Scene report. ", "Observation summary: ", "", "Tile characterisation — "],
    "casual": ["ok so ", "", "honestly, ", "looks like "],
}
CONNECT = {
    "terse": ["; ", ", ", "; "],
    "flowery": [". ", "; ", ", while ", ". "],
    "assistant": [". ", ". Additionally, ", ". Also, ", ". "],
    "technical": [". ", "; ", ". "],
    "casual": [", and ", ", ", " — ", "... "],
}


def cap(t):
    return t[0].upper() + t[1:] if t and t[0].islower() else t


def assemble(rng, style, texts):
    op = rng.choice(OPENERS[style])
    parts, cur = [], op
    spans = []
    for i, t in enumerate(texts):
        if i == 0:
            sep = ""
            start_sentence = op == "" or op.endswith(". ") or op.endswith(": ") and style != "casual"
        else:
            sep = rng.choice(CONNECT[style])
            start_sentence = sep.strip() == "." and True
        if style == "casual":
            start_sentence = False
        if start_sentence and style != "terse":
            t = cap(t)
        elif style == "terse" and i == 0 and op == "":
            t = cap(t)
        cur += sep
        spans.append((len(cur), t))
        cur += t
    end = {"terse": "", "flowery": ".", "assistant": ".", "technical": ".", "casual": rng.choice(["", ".", " :)", " i think"])}[style]
    if style == "flowery" and rng.random() < .3:
        end = "!"
    return cur + end, spans


def build_caption(rng, style, clauses):
    texts = [c.text for c in clauses]
    caption, spans = assemble(rng, style, texts)
    return caption, spans


# ------------------------------------------------------------------ main
def main():
    truth = json.loads((HERE / "truth.json").read_text())
    rng = random.Random(SEED)
    records = []
    for T in truth:
        tid = T["tile_id"]
        if T["place"] is None:
            continue
        trues = true_clauses(T, rng)
        falses = false_clauses(T, rng, trues)
        has_lc = T["landcover_decidable"]
        if T["ndvi"] is None and not has_lc:
            n_true, n_false = 8, 20
        elif not has_lc:
            n_true, n_false = 13, 30
        else:
            n_true, n_false = 13, 31
        # TRUE captions
        seen = set()
        k = 0
        tries = 0
        while k < n_true and tries < 500:
            tries += 1
            style = STYLES[(k + len(records)) % len(STYLES)]
            n = rng.randint(2, min(5, len(trues)))
            chosen = pick_disjoint(rng, trues, n)
            if len(chosen) < 2:
                continue
            cl = [Clause(fn(rng, style), fam, True, True, tp, key) for key, fam, tp, fn in chosen]
            caption, spans = build_caption(rng, style, cl)
            if caption in seen:
                continue
            seen.add(caption)
            records.append(dict(tile_id=tid, caption=caption, label="true", false_clause=None,
                                false_family=None, decidable=True, style=style,
                                clauses=[dict(text=t, start=s, family=c.family, truth=True) for (s, t), c in zip(spans, cl)]))
            k += 1
        # FALSE captions: round-robin over families present for this tile
        fams = {}
        for item in falses:
            fams.setdefault(item[0], []).append(item)
        order = sorted(fams)
        # extra weight for the rarer decidable families
        if T["sar"]:
            order += ["sar", "sar"]
        if "water" in fams:
            order += ["water"]
        rng.shuffle(order)
        k, tries = 0, 0
        while k < n_false and tries < 2000:
            tries += 1
            fam = order[k % len(order)] if tries < 1500 else rng.choice(order)
            item = rng.choice(fams[fam])
            style = STYLES[(k * 3 + len(records)) % len(STYLES)]
            if fam == "consistency":
                _, dec, tp, fn, partner = item
                ptrue = [t for t in trues if t[0] == partner]
                others = [t for t in trues if t[0] != partner and not (t[2] & ptrue[0][2])]
                n = rng.randint(0, min(2, len(others)))
                chosen = ptrue + pick_disjoint(rng, others, n)
                cl = [Clause(fn2(rng, style), f2, True, True, tp2, key) for key, f2, tp2, fn2 in chosen]
                fc = Clause(fn(rng, style), fam, False, dec, tp, "false")
                insert_at = rng.randint(1, len(cl))  # after the partner
            else:
                _, dec, tp, fn = item
                pool = [t for t in trues if not (t[2] & tp)]
                n = rng.randint(1, min(4, len(pool)))
                chosen = pick_disjoint(rng, pool, n)
                if not chosen:
                    continue
                cl = [Clause(fn2(rng, style), f2, True, True, tp2, key) for key, f2, tp2, fn2 in chosen]
                fc = Clause(fn(rng, style), fam, False, dec, tp, "false")
                insert_at = rng.randint(0, len(cl))
            cl.insert(insert_at, fc)
            caption, spans = build_caption(rng, style, cl)
            if caption in seen:
                continue
            ftext = [t for (s, t), c in zip(spans, cl) if not c.truth][0]
            if caption.count(ftext) != 1:
                continue
            seen.add(caption)
            records.append(dict(tile_id=tid, caption=caption, label="false", false_clause=ftext,
                                false_family=fam, decidable=bool(dec), style=style,
                                clauses=[dict(text=t, start=s, family=c.family, truth=c.truth) for (s, t), c in zip(spans, cl)]))
            k += 1
    # ids and split
    tiles = sorted({r["tile_id"] for r in records})
    dev_tiles = choose_dev(truth, rng)
    dev, test = [], []
    counters = {}
    for r in records:
        split = "dev" if r["tile_id"] in dev_tiles else "test"
        counters[split] = counters.get(split, 0) + 1
        r["caption_id"] = f"{split}-{counters[split]:05d}"
        (dev if split == "dev" else test).append(r)
    for fn, rows in (("dev.jsonl", dev), ("test.jsonl", test)):
        rng.shuffle(rows)
        with open(HERE / fn, "w") as f:
            for r in rows:
                f.write(json.dumps({k: r[k] for k in ("caption_id", "tile_id", "caption", "label", "false_clause",
                                                      "false_family", "decidable", "style")}, ensure_ascii=False) + "\n")
    # private clause-level audit trail (used by selfcheck.py)
    with open(HERE / "clauses_audit.jsonl", "w") as f:
        for r in dev + test:
            f.write(json.dumps({"caption_id": r["caption_id"], "tile_id": r["tile_id"], "clauses": r["clauses"]}, ensure_ascii=False) + "\n")
    print(f"dev tiles {len(dev_tiles)} captions {len(dev)}; test tiles {len(tiles) - len(dev_tiles)} captions {len(test)}")


def pick_disjoint(rng, pool, n):
    if n <= 0:
        return []
    pool = pool[:]
    rng.shuffle(pool)
    chosen, used_t, used_k = [], set(), set()
    for item in pool:
        key, fam, tp, fn = item
        kroot = key.split("_")[0]
        if tp & used_t or key in used_k:
            continue
        if kroot in ("month", "year", "season") and {"date"} & used_t:
            continue
        chosen.append(item)
        used_t |= tp
        used_k.add(key)
        if len(chosen) == n:
            break
    return chosen


def choose_dev(truth, rng):
    """~30 % of tiles, stratified: Brandenburg stand-in tiles vs BigEarthNet tiles vs the rest."""
    r = random.Random(7)
    groups = {}
    for T in truth:
        g = "lc" if T["landcover_decidable"] else ("s2" if T["ndvi"] else "other")
        groups.setdefault(g, []).append(T["tile_id"])
    dev = set()
    for g, ids in sorted(groups.items()):
        ids = sorted(ids)
        r.shuffle(ids)
        k = round(0.3 * len(ids)) if g != "other" else 0
        dev.update(ids[:k])
    return dev


if __name__ == "__main__":
    main()
