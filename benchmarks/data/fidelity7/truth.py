"""Independent truth extraction: per-tile facts computed from the raw rasters in
shards/geomeld-00000.tar (never uses the checker's code) -> truth.json"""
import tarfile, io, json, struct, h5py, numpy as np
from shapely.geometry import Polygon, Point, MultiPolygon
from shapely.ops import unary_union

N = 128 * 128
DW = {0: "water", 1: "trees", 2: "grass", 3: "flooded_vegetation", 4: "crops",
      5: "shrub", 6: "built", 7: "bare", 8: "snow"}

def read_ne(base="../fidelity/naturalearth_lowres/naturalearth_lowres"):
    # minimal .dbf reader
    d = open(base + ".dbf", "rb").read()
    nrec, hlen, rlen = struct.unpack("<IHH", d[4:12])
    fields = []; p = 32
    while d[p] != 0x0D:
        name = d[p:p+11].split(b"\0")[0].decode(); ln = d[p+16]; fields.append((name, ln)); p += 32
    recs = []
    for i in range(nrec):
        r = d[hlen + i*rlen + 1: hlen + (i+1)*rlen]; o = 0; rec = {}
        for name, ln in fields:
            rec[name] = r[o:o+ln].decode("utf-8", "ignore").strip(); o += ln
        recs.append(rec)
    # minimal .shp polygon reader
    s = open(base + ".shp", "rb").read(); p = 100; geoms = []
    while p < len(s):
        _, clen = struct.unpack(">II", s[p:p+8]); body = s[p+8:p+8+clen*2]; p += 8 + clen*2
        st = struct.unpack("<i", body[:4])[0]
        if st != 5: geoms.append(None); continue
        nparts, npts = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack("<%di" % nparts, body[44:44+4*nparts]))
        pts = np.frombuffer(body[44+4*nparts:44+4*nparts+16*npts], dtype="<f8").reshape(-1, 2)
        parts.append(npts)
        rings = [Polygon(pts[parts[k]:parts[k+1]]).buffer(0) for k in range(nparts)]
        geoms.append(unary_union(rings))
    return recs, geoms

def country_of(lat, lon, recs, geoms):
    pt = Point(lon, lat); best = None
    for r, g in zip(recs, geoms):
        if g is not None and g.contains(pt):
            return r.get("name"), r.get("continent")
        if g is not None:
            dd = g.distance(pt)
            if best is None or dd < best[0]: best = (dd, r.get("name"), r.get("continent"))
    return best[1], best[2]

def halves(mask):
    tot = mask.sum()
    if tot == 0: return None
    q = lambda m: float(m.sum() / tot)
    return {"north": q(mask[:64]), "south": q(mask[64:]), "west": q(mask[:, :64]), "east": q(mask[:, 64:]),
            "north-west": q(mask[:64, :64]), "north-east": q(mask[:64, 64:]),
            "south-west": q(mask[64:, :64]), "south-east": q(mask[64:, 64:]),
            "centre": q(mask[32:96, 32:96]),
            "edge": 1.0 - float(mask[16:112, 16:112].sum() / tot)}

def region_masks():
    z = np.zeros((128, 128), bool); R = {}
    for d, sl in {"north": (slice(0, 64), slice(None)), "south": (slice(64, 128), slice(None)),
                  "west": (slice(None), slice(0, 64)), "east": (slice(None), slice(64, 128)),
                  "north-west": (slice(0, 64), slice(0, 64)), "north-east": (slice(0, 64), slice(64, 128)),
                  "south-west": (slice(64, 128), slice(0, 64)), "south-east": (slice(64, 128), slice(64, 128)),
                  "centre": (slice(32, 96), slice(32, 96))}.items():
        m = z.copy(); m[sl] = True; R[d] = m
    return R

def season(month, lat):
    nh = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer",
          7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}[month]
    return nh

def main():
    recs, geoms = read_ne()
    t = tarfile.open("shards/geomeld-00000.tar"); out = {}
    for m in t.getmembers():
        f = h5py.File(io.BytesIO(t.extractfile(m).read()), "r")
        md = json.loads(f["metadata"][()]); mods = md["provenance"]["modalities"]
        tid = md["tile_id"]; T = {"tile_id": tid, "lat": md["lat"], "lon": md["long"]}
        T["country"], T["continent"] = country_of(md["lat"], md["long"], recs, geoms)
        T["date"] = md["acquisition_date"]
        s2dt = mods.get("sentinel2", {}).get("datetime")
        T["s2_datetime"] = s2dt
        y, mo, da = map(int, T["date"].split("-")); T["year"], T["month"], T["day"] = y, mo, da
        T["season"] = season(mo, md["lat"])
        origin = {k: v.get("origin") for k, v in mods.items()}
        T["origin"] = origin
        ev = lambda k: origin.get(k) in ("real", "substitute")
        # --- Sentinel-2 (reflectance DN/10000)
        s2 = f["sentinel2"][()].astype("f8") / 10000.0
        valid = ~np.isnan(s2).any(0); T["s2_valid_frac"] = float(valid.mean())
        T["s2_evidence"] = bool(ev("sentinel2") and valid.mean() > 0.5)
        b = {n: s2[i] for i, n in enumerate(md["band_names"]["sentinel2"])}
        with np.errstate(invalid="ignore", divide="ignore"):
            ndvi = (b["B8"] - b["B4"]) / (b["B8"] + b["B4"])
            ndwi = (b["B3"] - b["B8"]) / (b["B3"] + b["B8"])
            ndsi = (b["B3"] - b["B11"]) / (b["B3"] + b["B11"])
        snow = valid & (ndsi > 0.4) & (b["B3"] > 0.15) & (b["B8"] > 0.11)
        wat_s2 = valid & (ndwi > 0.1) & ~snow
        T["ndvi_mean"] = float(np.nanmean(ndvi[valid])); T["ndvi_p90"] = float(np.nanpercentile(ndvi[valid], 90))
        T["green_frac"] = float((valid & (ndvi > 0.5)).sum() / valid.sum())
        T["sparse_frac"] = float((valid & (ndvi < 0.25)).sum() / valid.sum())
        T["snow_frac"] = float(snow.sum() / valid.sum())
        T["ndwi_water_frac"] = float(wat_s2.sum() / valid.sum())
        T["bright_vis"] = float(np.nanmean(b["B2"][valid]))
        # --- water layers
        jrc_frac = None; wmask = wat_s2.copy()
        if "jrc_occurrence" in f and ev("jrc_occurrence"):
            j = f["jrc_occurrence"][()]
            if not np.isnan(j).all():
                jm = np.nan_to_num(j) >= 50; jrc_frac = float(jm.mean()); wmask = wmask | jm
        T["jrc_water_frac"] = jrc_frac
        lc_ok = ev("dynamic_world")
        T["landcover_evidence"] = bool(lc_ok)
        dwa = f["dynamic_world"][()][0]
        if lc_ok:
            lab = dwa != 255; T["lc_labelled_frac"] = float(lab.mean())
            T["lc_lo"] = {DW[c]: float((dwa == c).mean()) for c in DW}
            unl = 1 - lab.mean()
            T["lc_hi"] = {DW[c]: float((dwa == c).mean() + unl) for c in DW}
            T["lc_pos"] = {DW[c]: halves(dwa == c) for c in DW if (dwa == c).mean() >= 0.02}
            # robust position counts: [class px inside region, class px total, unlabelled px inside, unlabelled px outside]
            U = dwa == 255; RG = region_masks()
            T["lc_pos_counts"] = {DW[c]: {d: [int(((dwa == c) & m).sum()), int((dwa == c).sum()), int((U & m).sum()),
                                              int((U & ~m).sum())] for d, m in RG.items()}
                                  for c in DW if (dwa == c).mean() >= 0.02}
            dw_w = float((dwa == 0).mean())
            # adjacency (shared 4-neighbour pixel edges) between labelled classes
            adj = {}
            for a in DW:
                for b2 in DW:
                    if a < b2:
                        ma, mb = dwa == a, dwa == b2
                        n = int((ma[:, :-1] & mb[:, 1:]).sum() + (mb[:, :-1] & ma[:, 1:]).sum() +
                                (ma[:-1] & mb[1:]).sum() + (mb[:-1] & ma[1:]).sum())
                        if n: adj[DW[a] + "|" + DW[b2]] = n
            T["lc_adjacency"] = adj
        else:
            T["lc_adjacency"] = {}; T["lc_pos_counts"] = {}
            T["lc_labelled_frac"] = 0.0; T["lc_lo"] = None; T["lc_hi"] = None; T["lc_pos"] = {}
            dw_w = 0.0
        T["coarse_landcover"] = {"dw": sorted(set(np.unique(dwa).tolist())), "origin": origin.get("dynamic_world")}
        # water extent: lo = strongest single evidence, hi = union
        vals = [T["ndwi_water_frac"]] + ([jrc_frac] if jrc_frac is not None else []) + ([dw_w] if lc_ok else [])
        # lo = smallest extent any water source shows (all sources agree on at least this much)
        T["water_lo"] = float(min(vals)) if T["s2_evidence"] else None
        T["water_sources"] = {"ndwi": T["ndwi_water_frac"], "jrc_osm": jrc_frac, "dw_water": dw_w if lc_ok else None}
        T["water_hi"] = float(max(wmask.mean() / max(valid.mean(), 1e-6), max(vals)))
        T["water_pos"] = halves(wmask) if wmask.mean() >= 0.01 else None
        inter = wat_s2.copy()
        if jrc_frac is not None: inter &= (np.nan_to_num(f["jrc_occurrence"][()]) >= 50)
        T["water_pos_inter"] = halves(inter) if inter.mean() >= 0.01 else None
        T["water_evidence"] = T["s2_evidence"]
        # --- SAR
        s1 = f["sentinel1"][()]
        T["sar_evidence"] = bool(ev("sentinel1") and not np.isnan(s1).all())
        if T["sar_evidence"]:
            names = md["band_names"]["sentinel1"]; S = {}
            for i, n in enumerate(names):
                if not np.isnan(s1[i]).all(): S[n] = float(np.nanmean(s1[i]))
            T["sar"] = S
            T["sar_orbit"] = "descending" if any(k.endswith("desc") for k in S) else "ascending"
        else:
            T["sar"] = None
        # --- DEM / canopy
        for k in ("aster", "canopy_height"):
            a = f[k][()]
            T[k + "_evidence"] = bool(ev(k) and not np.isnan(a).all())
        out[tid] = T
    json.dump(out, open("truth.json", "w"), indent=1)
    for k, T in out.items():
        print(k, T["country"], T["date"], "ndvi %.2f green %.2f snow %.2f water %.3f-%.3f lab %.2f" % (
            T["ndvi_mean"], T["green_frac"], T["snow_frac"], T["water_lo"] or -1, T["water_hi"], T["lc_labelled_frac"]),
            {c: round(v, 2) for c, v in (T["lc_lo"] or {}).items() if v > 0}, T["sar"])

if __name__ == "__main__":
    main()
