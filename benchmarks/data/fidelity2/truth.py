#!/usr/bin/env python
"""Compute per-tile ground-truth facts from the tile rasters (numpy only) -> truth.json.

Independent of any project code: reads the HDF5 members of the shards directly, and the
Natural Earth countries with a tiny hand-written shapefile reader.
Evidence rule (see README): a layer counts only if its provenance says it was measured AT
THIS PLACE (origin real, a same-place substitute, or a coarse co-located product that decides
nothing finer than its resolution) and it has valid pixels. Anything relocated / copied from
elsewhere, missing, or all-no-data is not evidence.
"""
import io, json, os, struct, tarfile, glob, datetime
import numpy as np
import h5py
from shapely.geometry import Polygon, Point, MultiPolygon
from shapely.ops import unary_union

HERE = os.path.dirname(os.path.abspath(__file__))
SHARDS = sorted(glob.glob(os.path.join(HERE, "shards", "*.tar")))
# Natural Earth 1:110m countries (public domain), the copy shipped beside the first set
NE = os.path.join(HERE, "..", "fidelity", "naturalearth_lowres", "naturalearth_lowres")
N = 128 * 128

WC = {10: "tree", 20: "shrub", 30: "grass", 40: "crop", 50: "built", 60: "bare",
      70: "snow", 80: "water", 90: "wetland", 95: "mangrove", 100: "moss"}
DW = {0: "water", 1: "tree", 2: "grass", 3: "wetland", 4: "crop", 5: "shrub", 6: "built",
      7: "bare", 8: "snow"}


def read_dbf(path):
    b = open(path, "rb").read()
    nrec, hlen, rlen = struct.unpack("<IHH", b[4:12])
    fields = []
    off = 32
    while b[off] != 0x0D:
        name = b[off:off + 11].split(b"\0")[0].decode()
        flen = b[off + 16]
        fields.append((name, flen))
        off += 32
    rows = []
    for i in range(nrec):
        r = b[hlen + i * rlen + 1: hlen + (i + 1) * rlen]
        d, p = {}, 0
        for name, flen in fields:
            d[name] = r[p:p + flen].decode("latin-1").strip()
            p += flen
        rows.append(d)
    return rows


def read_shp(path):
    b = open(path, "rb").read()
    off, geoms = 100, []
    while off < len(b):
        _, clen = struct.unpack(">II", b[off:off + 8])
        rec = b[off + 8: off + 8 + clen * 2]
        off += 8 + clen * 2
        st = struct.unpack("<i", rec[:4])[0]
        if st != 5:
            geoms.append(None)
            continue
        nparts, npts = struct.unpack("<ii", rec[36:44])
        parts = list(struct.unpack("<%di" % nparts, rec[44:44 + 4 * nparts])) + [npts]
        pts = np.frombuffer(rec[44 + 4 * nparts: 44 + 4 * nparts + 16 * npts], "<f8").reshape(-1, 2)
        rings = [pts[parts[i]:parts[i + 1]] for i in range(nparts)]
        polys = [Polygon(r).buffer(0) for r in rings if len(r) >= 4]
        # shells/holes: take symmetric union approach (lowres has few holes)
        geoms.append(unary_union(polys))
    return geoms


def countries():
    rows = read_dbf(NE + ".dbf")
    geoms = read_shp(NE + ".shp")
    return [(r.get("name"), r.get("continent"), g) for r, g in zip(rows, geoms) if g is not None]


# Sub-national regions / places I am sure of (general geographic knowledge, checked
# against the tile coordinates).  'false_*' are plausible but wrong alternatives.
def region_for(tid, lat, lon):
    if tid.startswith("bb2"):
        return dict(country="Germany", region="Brandenburg", region_kind="federal state",
                    place="near Brandenburg an der Havel, west of Berlin",
                    true_places=["Brandenburg", "the state of Brandenburg", "eastern Germany",
                                 "north-eastern Germany", "the Havel lowlands west of Berlin",
                                 "the area around Brandenburg an der Havel", "west of Potsdam"],
                    false_regions=["Bavaria", "Saxony", "Thuringia", "Lower Saxony",
                                   "Mecklenburg-Western Pomerania", "Baden-Württemberg",
                                   "Hesse", "North Rhine-Westphalia", "Schleswig-Holstein"],
                    false_places=["the Bavarian Alps", "the outskirts of Munich", "the Rhine valley",
                                  "the Black Forest", "the Ruhr area", "the surroundings of Dresden",
                                  "the North Sea coast", "the outskirts of Hamburg"],
                    false_countries=["Poland", "the Netherlands", "Czechia", "Denmark", "Austria",
                                     "Belgium", "France"])
    if tid == "ben-36_85":
        return dict(country="Ireland", region="County Wexford", region_kind="county",
                    place="south-east Ireland (Leinster)",
                    true_places=["Ireland", "south-east Ireland", "the province of Leinster",
                                 "County Wexford", "the south-east of the Republic of Ireland"],
                    false_regions=["County Donegal", "County Mayo", "County Kerry", "County Galway",
                                   "Connacht", "Ulster", "County Sligo"],
                    false_places=["Northern Ireland", "the Dublin city centre", "the west coast of Ireland",
                                  "the Aran Islands"],
                    false_countries=["the United Kingdom", "Wales", "Scotland", "France", "Iceland"])
    if tid == "ben-4_55":
        return dict(country="Ireland", region="County Kilkenny", region_kind="county",
                    place="west of Kilkenny city, south-east Ireland",
                    true_places=["Ireland", "southern Ireland", "the Irish south-east",
                                 "the province of Leinster", "County Kilkenny"],
                    false_regions=["County Donegal", "County Mayo", "County Antrim", "County Galway",
                                   "Connacht", "Ulster", "County Kerry"],
                    false_places=["Northern Ireland", "the Dingle peninsula", "the Dublin docklands",
                                  "Connemara"],
                    false_countries=["the United Kingdom", "Scotland", "Wales", "France", "Iceland"])
    if tid == "ben-56_35":
        return dict(country="Portugal", region="central Portugal", region_kind="informal region",
                    place="south of Abrantes in central Portugal (district border area not certain, so not used)",
                    true_places=["Portugal", "central Portugal", "the Tagus basin of central Portugal",
                                 "the Iberian Peninsula", "the interior of central Portugal"],
                    false_regions=["the Algarve", "Porto District", "Madeira", "the Azores",
                                   "Braga District", "Bragança District", "Faro District"],
                    false_places=["the Lisbon waterfront", "the Douro valley near Porto", "the Algarve coast",
                                  "Galicia"],
                    false_countries=["Spain", "France", "Morocco", "Italy"])
    if tid in ("ben-57_38", "ben-69_24"):
        return dict(country="Finland", region="North Karelia", region_kind="region",
                    place="eastern Finland, North Karelia, east of Joensuu",
                    true_places=["Finland", "eastern Finland", "North Karelia", "Pohjois-Karjala",
                                 "Finnish Karelia"],
                    false_regions=["Lapland", "Uusimaa", "Ostrobothnia", "the Åland Islands",
                                   "Southwest Finland", "Pirkanmaa"],
                    false_places=["the Helsinki region", "the Gulf of Bothnia coast", "Finnish Lapland",
                                  "the Turku archipelago"],
                    false_countries=["Russia", "Sweden", "Norway", "Estonia"])
    if tid == "ben-87_48":
        return dict(country="Austria", region="Upper Austria", region_kind="federal state",
                    place="Innviertel / Hausruckviertel area between Ried im Innkreis and Grieskirchen",
                    true_places=["Austria", "Upper Austria", "Oberösterreich", "northern Austria",
                                 "the Alpine foreland of Upper Austria"],
                    false_regions=["Tyrol", "Vorarlberg", "Carinthia", "Styria", "Burgenland", "Vienna",
                                   "Salzburg state"],
                    false_places=["the high Tyrolean Alps", "central Vienna", "the shores of Lake Neusiedl",
                                  "the Hungarian plain"],
                    false_countries=["Switzerland", "Hungary", "Slovenia", "Italy", "Czechia"])
    if tid.startswith("naip"):
        return dict(country="United States of America", region="North Dakota", region_kind="state",
                    place="central North Dakota (Great Plains), north-west of Jamestown",
                    true_places=["the United States", "North Dakota", "the northern Great Plains",
                                 "the US Midwest's northern plains", "central North Dakota"],
                    false_regions=["South Dakota", "Montana", "Minnesota", "Texas", "Kansas", "Iowa",
                                   "Nebraska"],
                    false_places=["Manitoba", "the Rocky Mountains", "the Gulf Coast", "the Florida Everglades",
                                  "Saskatchewan"],
                    false_countries=["Canada", "Mexico"])
    raise KeyError(tid)


def season_of(month, hemisphere="N"):
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}[month]


def layer_evidence(prov, name, valid):
    """Return (is_evidence, kind, reason)."""
    p = prov.get(name)
    if p is None:
        return False, "absent", "no provenance record"
    txt = json.dumps(p).lower()
    if "reloc" in txt or "elsewhere" in txt or "relocated_from" in txt:
        return False, "relocated", "copied from another place"
    if p.get("status") != "ok" or p.get("origin") == "absent":
        return False, "missing", p.get("reason") or "missing"
    if valid <= 0:
        return False, "nodata", "all no-data"
    if p.get("origin") == "coarse":
        return True, "coarse", "co-located coarse product (%s m)" % p.get("resolution_m")
    if p.get("origin") == "substitute" or p.get("stand_in"):
        return True, "same_place_substitute", p.get("product") or "substitute"
    return True, "real", "real product"


def quad_stats(mask):
    h = 64
    q = {"NW": mask[:h, :h], "NE": mask[:h, h:], "SW": mask[h:, :h], "SE": mask[h:, h:]}
    tot = int(mask.sum())
    out = {k: int(v.sum()) for k, v in q.items()}
    halves = {"north": int(mask[:h].sum()), "south": int(mask[h:].sum()),
              "west": int(mask[:, :h].sum()), "east": int(mask[:, h:].sum())}
    e = 16
    edges = {"north_edge": int(mask[:e].sum()), "south_edge": int(mask[-e:].sum()),
             "west_edge": int(mask[:, :e].sum()), "east_edge": int(mask[:, -e:].sum())}
    centre = int(mask[32:96, 32:96].sum())
    res = {"total_px": tot, "quadrant_px": out, "half_px": halves, "edge16_px": edges, "centre64_px": centre}
    if tot:
        res["quadrant_frac_of_class"] = {k: round(v / tot, 4) for k, v in out.items()}
        res["half_frac_of_class"] = {k: round(v / tot, 4) for k, v in halves.items()}
        res["edge16_frac_of_class"] = {k: round(v / tot, 4) for k, v in edges.items()}
        res["centre64_frac_of_class"] = round(centre / tot, 4)
    return res


def tile_facts(tid, f, cgeoms):
    m = json.loads(f["metadata"][()])
    prov = m["provenance"]["modalities"]
    lat, lon = float(m["lat"]), float(m["long"])
    T = {"tile_id": tid, "lat": lat, "lon": lon}
    # --- evidence per layer
    ev = {}
    s2 = f["sentinel2"][()] if "sentinel2" in f else None
    s2names = m["band_names"].get("sentinel2", [])
    s2valid = float(np.isfinite(s2).all(0).mean()) if s2 is not None else 0.0
    s1 = f["sentinel1"][()] if "sentinel1" in f else None
    s1valid = float(np.isfinite(s1).any(0).mean()) if s1 is not None else 0.0
    wc = f["esa_worldcover"][()][0]
    dw = f["dynamic_world"][()][0]
    for name, valid in [("sentinel2", s2valid), ("sentinel1", s1valid),
                        ("aster", float(np.isfinite(f["aster"][()]).mean())),
                        ("canopy_height", float(np.isfinite(f["canopy_height"][()]).mean())),
                        ("esa_worldcover", float((wc > 0).mean())),
                        ("dynamic_world", float((dw != 255).mean())),
                        ("jrc_occurrence", float(np.isfinite(f["jrc_occurrence"][()]).mean()) if "jrc_occurrence" in f else 0.0),
                        ("naip", 1.0 if "naip" in f else 0.0)]:
        if name == "naip" and "naip" not in prov:
            continue
        e, kind, why = layer_evidence(prov, name, valid)
        ev[name] = {"evidence": e, "kind": kind, "why": why, "valid_fraction": round(valid, 4),
                    "product": prov.get(name, {}).get("product")}
    T["evidence"] = ev
    # --- date / season
    s2p = prov.get("sentinel2", {})
    dt = s2p.get("datetime") if s2p.get("status") == "ok" else None
    if dt is None and "naip" in prov:
        dt = prov["naip"].get("datetime")
    date = (dt or m["acquisition_date"])[:10]
    d = datetime.date.fromisoformat(date)
    T["date"] = date
    T["year"], T["month"], T["day"] = d.year, d.month, d.day
    T["season_meteorological"] = season_of(d.month)
    # astronomical-season ambiguity: flag dates within ~3 weeks of a season boundary
    amb = set()
    if (d.month == 6 and d.day < 22) or (d.month == 3 and d.day < 21) or (d.month == 9 and d.day < 23) or (d.month == 12 and d.day < 22):
        prev = {6: "spring", 3: "winter", 9: "summer", 12: "autumn"}[d.month]
        amb.add(prev)
    T["season_ambiguous_with"] = sorted(amb)
    T["reference_date_build"] = m["provenance"].get("reference_date")
    # --- place
    pt = Point(lon, lat)
    inside = [n for n, c, g in cgeoms if g.contains(pt)]
    dists = sorted((g.distance(pt), n) for n, c, g in cgeoms if n not in inside)
    T["country_naturalearth"] = inside[0] if inside else None
    T["nearest_other_country_deg"] = [dists[0][1], round(dists[0][0], 3)]
    T.update({"place": region_for(tid, lat, lon)})
    # --- land cover (only where the layer is fine-grained evidence at this place)
    lc_ev = ev["esa_worldcover"]["evidence"] and ev["esa_worldcover"]["kind"] != "coarse"
    T["landcover_decidable"] = bool(lc_ev)
    lab = wc > 0
    T["landcover_labelled_fraction"] = round(float(lab.mean()), 4)
    agree = float(np.mean([(WC.get(int(a)) == DW.get(int(b))) for a, b in
                           zip(wc[lab].ravel()[::7], dw[lab].ravel()[::7])])) if lab.any() else None
    T["wc_dw_agreement"] = agree
    shares, pos = {}, {}
    for code, name in WC.items():
        msk = wc == code
        shares[name] = round(float(msk.sum()) / N * 100, 3)
        if msk.any():
            pos[name] = quad_stats(msk)
    T["lc_share_pct"] = shares  # of the WHOLE tile (unlabelled pixels in denominator)
    T["lc_share_of_labelled_pct"] = {k: round(v / max(T["landcover_labelled_fraction"], 1e-9), 3) for k, v in shares.items()}
    T["lc_positions"] = pos
    if lab.any():
        srt = sorted(shares.items(), key=lambda kv: -kv[1])
        T["lc_dominant"] = srt[0][0]
        T["lc_dominant_margin_pct"] = round(srt[0][1] - srt[1][1], 3)
        T["lc_rank"] = [k for k, v in srt if v > 0]
    T["coarse_landcover_class"] = None
    if ev["esa_worldcover"]["kind"] == "coarse":
        u, c = np.unique(wc, return_counts=True)
        T["coarse_landcover_class"] = WC.get(int(u[np.argmax(c)]))
    # --- water: OSM/JRC stand-in and spectral
    osm_water = (wc == 80)
    jrc = f["jrc_occurrence"][()] if "jrc_occurrence" in f else None
    W = {}
    if jrc is not None and ev["jrc_occurrence"]["evidence"]:
        W["jrc_ge50_pct"] = round(float((jrc >= 50).mean() * 100), 3)
    W["map_water_pct"] = round(float(osm_water.mean() * 100), 3) if lc_ev else None
    sp = None
    if s2 is not None and ev["sentinel2"]["evidence"] and all(b in s2names for b in ("B3", "B4", "B8", "B11")):
        g = s2[s2names.index("B3")].astype("f8"); r = s2[s2names.index("B4")].astype("f8")
        nir = s2[s2names.index("B8")].astype("f8"); sw = s2[s2names.index("B11")].astype("f8")
        valid = np.isfinite(g) & np.isfinite(nir) & np.isfinite(sw) & np.isfinite(r)
        with np.errstate(all="ignore"):
            ndwi = (g - nir) / (g + nir)
            mndwi = (g - sw) / (g + sw)
            ndvi = (nir - r) / (nir + r)
        bright = g > 3000  # snow / cloud: not open water
        water = valid & (ndwi > 0.05) & (mndwi > 0.2) & (nir < 1500) & ~bright
        snow = valid & (mndwi > 0.4) & (g > 3000)
        b2 = s2[s2names.index("B2")].astype("f8") if "B2" in s2names else g
        l1c = "L1C" in (ev["sentinel2"]["product"] or "")
        cloud = valid & ~snow & (b2 > (1700 if l1c else 1500))  # thick haze / cloud (TOA Feb scene vs L2A)
        W["cloud_pct"] = round(float(cloud.sum() / max(valid.sum(), 1) * 100), 3)
        valid = valid & ~cloud
        nv = valid.sum() + cloud.sum()
        sp = round(float(water.sum() / nv * 100), 3) if nv else None
        W["spectral_water_pct"] = sp
        # loose upper estimate: anything water-like plus everything hidden under cloud
        W["spectral_water_pct_loose"] = round(float((valid & (ndwi > 0.0) & (nir < 1800) & ~bright).sum() / max(nv, 1) * 100 + W["cloud_pct"]), 3)
        W["snow_pct"] = round(float(snow.sum() / max(nv, 1) * 100), 3)
        if water.any():
            W["spectral_water_positions"] = quad_stats(water)
        if lc_ev and osm_water.any():
            W["osm_water_pixels_spectral_water_frac"] = round(float(water[osm_water].mean()), 3)
        v = ndvi[valid & ~snow]
        if v.size:
            T["ndvi"] = {"mean": round(float(v.mean()), 3), "median": round(float(np.median(v)), 3),
                         "p10": round(float(np.percentile(v, 10)), 3), "p90": round(float(np.percentile(v, 90)), 3),
                         "frac_gt_0.5": round(float((v > 0.5).mean()), 3), "frac_lt_0.2": round(float((v < 0.2).mean()), 3),
                         "product": ev["sentinel2"]["product"] or "Sentinel-2", "valid_fraction": round(nv / N, 4)}
            T["ndvi_by_class"] = {}
            if lc_ev:
                for code, name in WC.items():
                    mk = (wc == code) & valid & ~snow
                    if mk.sum() >= 50:
                        T["ndvi_by_class"][name] = round(float(np.median(ndvi[mk])), 3)
        # visible brightness
        T["mean_green_dn"] = round(float(np.nanmean(g[valid])), 1) if nv else None
    T["water"] = W
    # combined judgement
    mw = W.get("map_water_pct") or 0.0
    jw = W.get("jrc_ge50_pct") or 0.0
    spw = W.get("spectral_water_pct")
    best = max([x for x in (mw, jw, spw) if x is not None] or [0.0])
    W["best_estimate_pct"] = round(best, 3)
    agree = W.get("osm_water_pixels_spectral_water_frac") or 0.0
    mapw = max(mw, jw)
    # present: clear spectral water, or mapped water that the spectral index confirms at that spot
    W["present"] = bool((spw is not None and spw >= 1.0) or (mapw >= 0.3 and (spw is None or agree >= 0.3)))
    # clearly present (used to call a "no water" claim false)
    W["clear_present"] = bool((spw is not None and spw >= 1.5) or (mapw >= 1.5 and agree >= 0.3))
    W["absent"] = bool(mw == 0 and jw == 0 and spw is not None and spw < 0.1 and W.get("spectral_water_pct_loose", 9) < 0.3
                       and W.get("cloud_pct", 0) < 2)
    W["decidable"] = spw is not None or lc_ev
    # --- SAR
    if ev["sentinel1"]["evidence"]:
        names = m["band_names"]["sentinel1"]
        S = {}
        for i, n in enumerate(names):
            b = s1[i]
            if np.isfinite(b).any():
                vals = b[np.isfinite(b)]
                S[n] = {"mean_db": round(float(vals.mean()), 2), "median_db": round(float(np.median(vals)), 2),
                        "p10_db": round(float(np.percentile(vals, 10)), 2), "p90_db": round(float(np.percentile(vals, 90)), 2)}
        T["sar_db"] = S
        T["sar_units_in"] = [it.get("units_in") for it in prov["sentinel1"].get("items", [])]
    # --- NAIP brightness (RGB only)
    if "naip" in f:
        nb = f["naip"][()].astype("f8")
        T["naip_rgb_mean"] = [round(float(x), 1) for x in nb.reshape(3, -1).mean(1)]
    T["elevation_decidable"] = ev["aster"]["evidence"]
    T["canopy_decidable"] = ev["canopy_height"]["evidence"]
    T["osm_map_available"] = bool(lc_ev and "openstreetmap" in json.dumps(prov.get("esa_worldcover", {})).lower())
    return T


def main():
    cg = countries()
    out = {}
    for sh in SHARDS:
        with tarfile.open(sh) as tf:
            for mem in tf.getmembers():
                if not mem.name.endswith(".h5"):
                    continue
                tid = os.path.basename(mem.name)[:-3]
                data = tf.extractfile(mem).read()
                with h5py.File(io.BytesIO(data), "r") as f:
                    out[tid] = tile_facts(tid, f, cg)
    out = dict(sorted(out.items()))
    with open(os.path.join(HERE, "truth.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
    print("tiles:", len(out))


if __name__ == "__main__":
    main()
