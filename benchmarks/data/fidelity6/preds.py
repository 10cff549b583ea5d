"""preds.py -- evaluate a clause predicate against truth.json facts.
Returns 'true', 'false' or 'unsure' (margins built in) and whether a layer measured at this place decides it."""

def _L(T, c): return T["lc_lower"].get(c, 0.0)
def _U(T, c): return T["lc_upper"].get(c, 1.0)

def evaluate(p, T):
    k = p["k"]; g = T.get("geo") or {}
    lc = T.get("lc_evidence"); s2 = T.get("s2_evidence")
    def r(cond_true, cond_false, dec):
        return ("true" if cond_true else "false" if cond_false else "unsure"), bool(dec)
    if k == "lc_ge":  # share of class >= q
        return r(lc and _L(T, p["c"]) >= p["q"] + 0.02, lc and _U(T, p["c"]) <= p["q"] - 0.10, lc)
    if k == "lc_le":
        return r(lc and _U(T, p["c"]) <= p["q"] - 0.03, lc and _L(T, p["c"]) >= p["q"] + 0.08 and _L(T, p["c"]) >= 2 * p["q"], lc)
    if k == "lc_between":
        return r(lc and _L(T, p["c"]) >= p["a"] + 0.02 and _U(T, p["c"]) <= p["b"] - 0.03,
                 lc and ((_L(T, p["c"]) >= p["b"] + 0.08 and _L(T, p["c"]) >= 2 * p["b"]) or _U(T, p["c"]) <= p["a"] - 0.10), lc)
    if k == "lc_about":
        L, U, q = _L(T, p["c"]), _U(T, p["c"]), p["q"]
        return r(False, lc and ((q <= L / 2 and q <= L - 0.08) or q >= U + 0.15), lc)
    if k == "lc_little":  # 'hardly any X'
        return r(lc and _U(T, p["c"]) <= 0.03, lc and _L(T, p["c"]) >= 0.25, lc)
    if k == "lc_present":
        return r(lc and _L(T, p["c"]) >= 0.005, False, lc)
    if k == "lc_absent":
        return r(False, lc and _L(T, p["c"]) >= 0.01, lc)
    if k == "geo_absent_class":  # exotic class that cannot occur at this latitude / region
        return r(True, False, False) if p.get("pol") == "neg" else r(False, True, False)
    if k == "lc_dominant":
        return r(lc and _L(T, p["c"]) >= 0.5, lc and _U(T, p["c"]) < 0.4, lc)
    if k == "veg_dominant":
        return r(s2 and T["ndvi_high_frac"] >= 0.7, False, s2)
    if k == "nonveg_dominant":
        return r(False, s2 and T["ndvi_high_frac"] >= 0.75, s2)
    if k == "lc_cmp":  # more x than y
        return r(lc and _L(T, p["x"]) > _U(T, p["y"]), lc and _U(T, p["x"]) < _L(T, p["y"]), lc)
    if k == "lc_pos":  # class concentrated in region
        pos = T["lc_positions"].get(p["c"])
        if not (lc and pos): return "unsure", bool(lc)
        s = pos[p["reg"]]; half = "half" in p["reg"]
        return r(s >= (0.75 if half else 0.5), s <= (0.25 if half else 0.05), lc)
    if k == "water_pos":
        wp = T.get("water_positions")
        if not wp or T["water_lo"] < 0.01: return "unsure", True
        s = wp[p["reg"]]
        return r(s >= 0.8, s <= 0.2, True)
    we = T.get("water_evidence"); wlo = T.get("water_lo") or 0; whi = T.get("water_hi") or 0
    if k == "water_present":
        return r(we and wlo >= 0.01, we and whi < 0.002, we)
    if k == "water_absent":
        return r(we and whi < 0.002, we and wlo >= 0.01, we)
    if k == "water_ge":
        return r(we and wlo >= p["q"] + 0.01, we and whi <= p["q"] - 0.15, we)
    if k == "water_le":
        return r(we and whi <= p["q"] - 0.03, we and wlo >= p["q"] + 0.08, we)
    if k == "sea":  # tile shows a sea coast
        return r(False, True, we and whi < 0.005)
    if k == "ndvi_ge":
        return r(s2 and T["ndvi_mean"] >= p["q"] + 0.05, s2 and T["ndvi_mean"] <= p["q"] - 0.2, s2)
    if k == "ndvi_le":
        return r(s2 and T["ndvi_mean"] <= p["q"] - 0.05, s2 and T["ndvi_mean"] >= p["q"] + 0.2, s2)
    if k == "veg_state":
        m = T.get("ndvi_mean", 0); hf = T.get("ndvi_high_frac", 0); lf = T.get("ndvi_low_frac", 1)
        if p["s"] == "lush": return r(s2 and m >= 0.6 and hf >= 0.5, s2 and m <= 0.4, s2)
        if p["s"] == "dormant": return r(s2 and m <= 0.35, s2 and m >= 0.55 and lf < 0.2, s2)
    if k == "ndvi_half_cmp":
        h = T.get("ndvi_half") or {}
        d = (h.get(p["a"]) or 0) - (h.get(p["b"]) or 0)
        return r(s2 and d >= 0.08, s2 and d <= -0.08, s2)
    if k == "snow_present":
        return r(s2 and T["snow_frac"] >= 0.3, s2 and T["snow_frac"] < 0.005 and T["month"] in (2, 6, 9, 12), s2)
    if k == "snow_absent":
        return r(s2 and T["snow_frac"] < 0.005, s2 and T["snow_frac"] >= 0.3, s2)
    if k == "snow_pos":  # snow confined to a corner
        return r(False, s2 and T["snow_frac"] >= 0.6, s2)
    sar = T.get("sar") or {}
    if k == "sar_mean":
        b = sar.get(p["band"])
        if not b: return "unsure", False
        m = b["mean"]
        return r(p["lo"] + 0.5 <= m <= p["hi"] - 0.5, m < p["lo"] - 4 or m > p["hi"] + 4, True)
    if k == "sar_cmp":  # cross-pol weaker than co-pol
        vv = [v["mean"] for n, v in sar.items() if n.startswith("VV")]; vh = [v["mean"] for n, v in sar.items() if n.startswith("VH")]
        if not vv: return "unsure", False
        d = vv[0] - vh[0]
        return (r(d >= 3, d <= -3, True) if p["s"] == "vh_weaker" else r(d <= -3, d >= 3, True))
    if k == "sar_orbit":
        if not T.get("sar_orbit"): return "unsure", False
        return r(T["sar_orbit"] == p["o"], T["sar_orbit"] != p["o"], True)
    if k == "date":
        got = (T["year"], T["month"], T["day"]); want = tuple(p["ymd"])
        return r(got == want, got != want and (abs((got[0]*12+got[1]) - (want[0]*12+want[1])) >= 2 or got[0] != want[0]), True)
    if k == "month":
        return r((T["year"], T["month"]) == (p["y"], p["m"]), abs((T["year"]*12+T["month"]) - (p["y"]*12+p["m"])) >= 2, True)
    if k == "year":
        return r(T["year"] == p["y"], T["year"] != p["y"], True)
    if k == "season":
        opp = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}
        return r(T["season"] == p["s"], p["s"] == opp[T["season"]] or (T["season"] in ("winter", "summer") and p["s"] not in (T["season"],) and p["s"] in ("summer", "winter")), True)
    if k == "country":
        return r(T["country"] == p["c"], T["country"] != p["c"] and p["c"] in T["wrong_countries"], True)
    if k == "region":
        return r(g.get("region") == p["r"] or g.get("subregion") == p["r"], p["r"] in g.get("wrong_regions", []), True)
    if k == "town":
        return r(p["t"] in g.get("towns", []), p["t"] in g.get("wrong_towns", []), True)
    if k == "hemisphere":
        return r(p["h"] == "northern", p["h"] == "southern", True)
    er = g.get("elev_range", (0, 9999)); el = T.get("elevation_evidence")
    if k == "elev_ge":
        return r(er[0] >= p["q"], er[1] < p["q"] - 300, el)
    if k == "elev_le":
        return r(er[1] <= p["q"], er[0] > p["q"] + 300, el)
    if k == "slope_ge":  # mean slope at least deg
        return r(False, p["deg"] >= 20 and er[1] <= 800, el)
    if k == "slope_gentle":
        return r(er[1] <= 800, False, el)
    if k == "terrain":
        flat = g.get("relief", "")
        if p["t"] == "mountain": return r(False, er[1] <= 800, el)
        if p["t"] == "flat": return r("flat" in flat, "hill" in flat, el)
    ce = T.get("canopy_evidence")
    if k == "canopy_ge":
        return r(False, p["m"] >= 45, ce)
    if k == "canopy_le":
        return r(p["m"] >= 50, False, ce)
    raise ValueError(k)
