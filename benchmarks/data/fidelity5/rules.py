"""Truth rules with margins. evaluate(spec, T) -> True (clearly true), False (clearly false), None (not clear -> never used)."""
from geo_tables import TOWNS, km, stratum, REGION_TRUE, REGION_FALSE, COUNTRY_FALSE, GEO, seasons

def water_bounds(T):
    if T["tile_id"] == "ben-57_38":  # snow-covered: frozen lakes could hide under snow
        return None
    s = T["s2_water_frac"]; o = T["osm_water_frac"]
    if o is None: return (s, s)
    if abs(s - o) > 0.04: return None  # Sentinel-2 and the OSM water layer disagree -> no water claims
    return (min(s, o), max(s, o))

def evaluate(sp, T):
    k = sp["k"]; lc = T.get("lc")
    if k.startswith("lc_"):
        if lc is None: return None
        if k == "lc_ge":
            c = lc[sp["c"]]
            if c["lo"] >= sp["v"] + 0.02: return True
            if c["hi"] <= sp["v"] - 0.08: return False
            return None
        if k == "lc_le":
            c = lc[sp["c"]]
            if c["hi"] <= sp["v"] - 0.02: return True
            if c["lo"] >= sp["v"] + 0.08: return False
            return None
        if k == "lc_present":
            px = lc[sp["c"]]["px"]
            if px >= 160: return not sp["neg"]
            return None
        if k == "lc_between":
            c = lc[sp["c"]]
            if c["lo"] >= sp["a"] + 0.02 and c["hi"] <= sp["b"] - 0.02: return True
            if c["lo"] >= sp["b"] + 0.08 or c["hi"] <= sp["a"] - 0.08: return False
            return None
        if k == "lc_none_of":
            if any(lc[c]["px"] >= 160 for c in sp["cs"]): return False
            return None
        if k == "lc_all_of":
            if all(lc[c]["px"] >= 160 for c in sp["cs"]): return True
            return None
        if k == "lc_dom":
            c = lc[sp["c"]]
            if c["lo"] > 0.55: return True
            if c["hi"] < 0.42: return False
            return None
        if k == "lc_pos":
            c = lc[sp["c"]]; pos = c["pos"]
            if pos is None: return None
            if sp["mode"] == "some":
                return True if pos[sp["h"]] * c["px"] >= 200 else None
            if sp["mode"] == "confined":
                return False if (pos[sp["h"]] <= 0.15 and c["px"] >= 600) else None
        return None
    if k.startswith("water"):
        wb = water_bounds(T)
        if wb is None: return None
        lo, hi = wb; v = sp.get("v")
        if k == "water_ge":
            if lo >= v + 0.015: return True
            if hi <= v - 0.05: return False
            return None
        if k == "water_le":
            if hi <= v - 0.015: return True
            if lo >= v + 0.05: return False
            return None
        if k == "water_present":
            if lo >= 0.01: return not sp["neg"]
            if hi <= 0.002: return sp["neg"]
            return None
        if k == "water_pos":
            pos = T["s2_water_pos"]
            if pos is None or lo < 0.015: return None
            if sp["mode"] == "some": return True if pos[sp["h"]] * T["s2_water_frac"] * 16384 >= 150 else None
            if sp["mode"] == "confined": return False if pos[sp["h"]] <= 0.15 else None
        return None
    if k == "ndvi_mean":
        m = T["ndvi_mean_all"]
        if sp["lo"] + 0.02 <= m <= sp["hi"] - 0.02: return True
        if m < sp["lo"] - 0.15 or m > sp["hi"] + 0.15: return False
        return None
    if k in ("green_ge", "green_le"):
        f = T["ndvi_gt05"]
        if k == "green_ge": return True if f >= sp["v"] + 0.03 else (False if f <= sp["v"] - 0.2 else None)
        return True if f <= sp["v"] - 0.03 else (False if f >= sp["v"] + 0.2 else None)
    if k == "impervious_ge":  # built/bare/paved share cannot exceed the non-green share
        return False if T["ndvi_gt05"] > 1 - sp["v"] + 0.15 else None
    if k == "lowndvi_vs_green":  # claim: low-NDVI ground (<0.2) covers more than green (>0.5) [times factor]
        a, b = T["ndvi_lt02"], T["ndvi_gt05"] * sp.get("f", 1)
        if a >= b + 0.1: return True if not sp.get("rev") else False
        if b >= a + 0.1: return False if not sp.get("rev") else True
        return None
    if k == "green_vs_low":  # claim: green (>0.5) covers at least f times the low-NDVI (<0.2) area
        g, l = T["ndvi_gt05"], T["ndvi_lt02"]
        if g >= sp["f"] * l + 0.1: return True
        if g <= sp["f"] * l - 0.1: return False
        return None
    if k in ("snow_ge", "snow_le", "cloud_ge", "cloud_le"):
        f = T["snow_frac" if k.startswith("snow") else "cloud_frac"]
        if k.endswith("ge"): return True if f >= sp["v"] + 0.03 else (False if f <= sp["v"] - 0.15 else None)
        return True if f <= sp["v"] - 0.03 else (False if f >= sp["v"] + 0.15 else None)
    if k in ("sun_ge", "sun_le"):
        e = T["sun_elev"]
        if k == "sun_ge": return True if e >= sp["v"] + 3 else (False if e <= sp["v"] - 10 else None)
        return True if e <= sp["v"] - 3 else (False if e >= sp["v"] + 10 else None)
    if k == "date":
        return sp["d"] == T["date"]
    if k == "month":
        return (sp["m"] == T["month"] and sp["y"] == T["year"]) if "y" in sp else sp["m"] == T["month"]
    if k == "year":
        return sp["y"] == T["year"]
    if k == "season":
        tr, amb = seasons(T["month"], T["day"])
        if sp["s"] in tr: return True
        if sp["s"] in amb: return None
        return False
    if k == "country":
        return sp["c"] == T["country"]
    if k == "region":
        st = stratum(T["tile_id"])
        if sp["r"] in REGION_TRUE[st]: return True
        if sp["r"] in REGION_FALSE[st]: return False
        return None
    if k == "near":
        d = km((T["lat"], T["lon"]), TOWNS[sp["t"]])
        if d <= sp["km"] - 2: return True
        if d >= sp["km"] + 40: return False
        return None
    if k == "dist":  # "about N km (direction-free) from town": claimed range
        d = km((T["lat"], T["lon"]), TOWNS[sp["t"]])
        if sp["lo"] + 1 <= d <= sp["hi"] - 1: return True
        if d > sp["hi"] + 30 or d < sp["lo"] - 30: return False
        return None
    if k == "lat":
        return True if abs(T["lat"] - sp["v"]) <= 0.3 else (False if abs(T["lat"] - sp["v"]) >= 5 else None)
    if k.startswith("sar"):
        S = T.get("sar")
        if not S: return None
        vv = [v for n, v in S.items() if n.startswith("VV")][0]; vh = [v for n, v in S.items() if n.startswith("VH")][0]
        if k == "sar_mean":
            m = (vv if sp["b"] == "VV" else vh)["mean"]
            if sp["lo"] + 0.5 <= m <= sp["hi"] - 0.5: return True
            if m < sp["lo"] - 4 or m > sp["hi"] + 4: return False
            return None
        if k == "sar_diff":
            d = vv["mean"] - vh["mean"]
            if sp["lo"] + 0.5 <= d <= sp["hi"] - 0.5: return True
            if d < sp["lo"] - 3 or d > sp["hi"] + 3: return False
            return None
        if k == "sar_vv_gt_vh":
            d = vv["mean"] - vh["mean"]
            if d >= 3: return not sp.get("rev")
            return None
        if k == "sar_orbit":
            return sp["o"] == T["sar_orbit"]
        if k == "sar_gap":  # days between the SAR and the optical acquisition
            import datetime
            g = abs((datetime.date.fromisoformat(T["sar_date"]) - datetime.date.fromisoformat(T["date"])).days)
            if "max" in sp: return True if g <= sp["max"] else (False if g >= sp["max"] + 5 else None)
            return False if g <= sp["min"] - 5 else (True if g >= sp["min"] + 1 else None)
        return None
    if k.startswith("geo_"):
        g = GEO[stratum(T["tile_id"])]
        if k == "geo_elev_le": return True if g["elev"][1] <= sp["v"] else None
        if k == "geo_elev_ge": return False if g["elev"][1] <= 0.6 * sp["v"] else None
        if k == "geo_slope_le": return True if g["slope"] <= sp["v"] else None
        if k == "geo_slope_ge": return False if g["slope"] <= 0.6 * sp["v"] else None
        if k == "geo_canopy_le": return True if g["canopy"] <= sp["v"] else None
        if k == "geo_canopy_ge": return False if g["canopy"] <= 0.6 * sp["v"] else None
        if k == "geo_flat": return True if g["flat"] else None
        if k == "geo_mountain": return False
        if k == "geo_coast": return False if stratum(T["tile_id"]) in ("brandenburg", "austria", "finland", "ireland_kk") else None
    return None

DECIDABLE_BY_LAYER = lambda sp: not sp["k"].startswith("geo_")
