"""Independent truth extraction for the planted-claim caption set (seed 10010).
Reads only shards/geomeld-00000.tar and naturalearth_lowres/. Never imports geomeld."""
import tarfile, io, json, struct
import numpy as np, h5py
from shapely.geometry import Point, shape
import shapefile_lite

WC = {10: "trees", 20: "shrubland", 30: "grassland", 40: "cropland", 50: "built-up",
      60: "bare", 70: "snow", 80: "water", 90: "wetland", 95: "mangrove", 100: "moss"}
EVID = {"real", "substitute"}

def quadrants(mask, valid=None):
    h = 64
    out = {}
    for name, (r, c) in {"NW": (0, 0), "NE": (0, 1), "SW": (1, 0), "SE": (1, 1)}.items():
        sub = mask[r*h:(r+1)*h, c*h:(c+1)*h]
        out[name] = float(np.mean(sub))
    return out

def halves(mask):
    return {"N": float(mask[:64].mean()), "S": float(mask[64:].mean()),
            "W": float(mask[:, :64].mean()), "E": float(mask[:, 64:].mean()),
            "C": float(mask[32:96, 32:96].mean())}

def main():
    countries = shapefile_lite.read("../fidelity/naturalearth_lowres/naturalearth_lowres")
    t = tarfile.open("shards/geomeld-00000.tar")
    out = {}
    for m in t.getmembers():
        f = h5py.File(io.BytesIO(t.extractfile(m).read()), "r")
        md = json.loads(f["metadata"][()])
        prov = md["provenance"]["modalities"]
        tid = md["tile_id"]
        r = {"tile_id": tid, "lat": md["lat"], "lon": md["long"], "date": md["acquisition_date"],
             "stratum": md["provenance"]["anchor"]["stratum"],
             "origins": {k: v.get("origin") for k, v in prov.items()}}
        p = Point(md["long"], md["lat"])
        r["country"] = None; r["border_km"] = None
        for name, geom in countries:
            if geom.contains(p):
                r["country"] = name
                r["border_km"] = round(geom.exterior.distance(p) * 111 * np.cos(np.radians(md["lat"])) if geom.geom_type == "Polygon" else min(g.exterior.distance(p) for g in geom.geoms) * 111 * np.cos(np.radians(md["lat"])), 1)
        # ---- land cover (only if measured here)
        lo = prov.get("esa_worldcover", {}).get("origin")
        r["lc_evidence"] = lo in EVID
        r["lc_origin"] = lo
        if "esa_worldcover" in f and lo in EVID:
            wc = f["esa_worldcover"][0]
            lab = wc != 0
            r["lc_labelled"] = float(lab.mean())
            r["lc_share"] = {WC[c]: float((wc == c).mean()) for c in WC}
            r["lc_quad"] = {WC[c]: quadrants(wc == c) for c in WC if (wc == c).mean() > 0}
            r["lc_quad_lab"] = quadrants(lab)
            r["lc_half"] = {WC[c]: halves(wc == c) for c in WC if (wc == c).mean() > 0}
            r["lc_half_lab"] = halves(lab)
        # ---- water layer (OSM/JRC) measured here
        jo = prov.get("jrc_occurrence", {}).get("origin")
        if "jrc_occurrence" in f and jo in EVID:
            j = f["jrc_occurrence"][()]
            wm = j > 50
            r["jrc_water"] = float(wm.mean())
            r["jrc_quad"] = quadrants(wm); r["jrc_half"] = halves(wm)
        # ---- Sentinel-2
        so = prov.get("sentinel2", {}).get("origin")
        r["s2_evidence"] = so in EVID
        if so in EVID:
            s = f["sentinel2"][()] / 10000.0
            B2, B3, B4, B8, B11 = s[1], s[2], s[3], s[7], s[10]
            valid = ~np.isnan(B4)
            with np.errstate(all="ignore"):
                ndvi = (B8 - B4) / (B8 + B4); ndwi = (B3 - B8) / (B3 + B8); ndsi = (B3 - B11) / (B3 + B11)
            v = valid
            r["s2_valid"] = float(v.mean())
            r["ndvi_median"] = float(np.nanmedian(ndvi)); r["ndvi_p90"] = float(np.nanpercentile(ndvi, 90))
            r["ndvi_p10"] = float(np.nanpercentile(ndvi, 10))
            r["green_frac"] = float(np.mean(ndvi[v] > 0.5)); r["lowveg_frac"] = float(np.mean(ndvi[v] < 0.2))
            wat = (ndwi > 0.2) & (ndvi < 0.0)
            r["s2_water"] = float(np.mean(wat[v]))
            r["s2_snow"] = float(np.mean(((ndsi > 0.4) & (B3 > 0.25))[v]))
            r["s2_bright"] = float(np.mean((B2[v] > 0.25)))
            g = np.where(v, ndvi > 0.5, False)
            r["green_quad"] = {k: float(np.nanmean(np.where(v, ndvi, np.nan)[(0 if k[0]=='N' else 64):(64 if k[0]=='N' else 128), (0 if k[1]=='W' else 64):(64 if k[1]=='W' else 128)])) for k in ["NW","NE","SW","SE"]}
        # ---- Sentinel-1
        o1 = prov.get("sentinel1", {}).get("origin")
        r["s1_evidence"] = o1 in EVID
        if o1 in EVID:
            s1 = f["sentinel1"][()]
            bn = md["band_names"]["sentinel1"]
            r["s1_bands"] = [b for i, b in enumerate(bn) if not np.isnan(s1[i]).all()]
            pas = "desc" if not np.isnan(s1[bn.index("VV_desc")]).all() else "asc"
            r["s1_pass"] = pas
            vv = s1[bn.index("VV_" + pas)]; vh = s1[bn.index("VH_" + pas)]
            r["vv_median"] = float(np.nanmedian(vv)); r["vh_median"] = float(np.nanmedian(vh))
            r["vv_p5"] = float(np.nanpercentile(vv, 5)); r["vv_p95"] = float(np.nanpercentile(vv, 95))
            r["vv_lt_m20"] = float(np.nanmean(vv < -20))
        r["dem_evidence"] = prov.get("aster", {}).get("origin") in EVID
        r["canopy_evidence"] = prov.get("canopy_height", {}).get("origin") in EVID
        out[tid] = r
    json.dump(out, open("truth.json", "w"), indent=1)
    for k, r in out.items():
        if not k.startswith("bb10"):
            pass #print(k, {a: (round(b, 3) if isinstance(b, float) else b) for a, b in r.items() if a not in ("origins", "green_quad")})
    print(out["bb10-000"]["country"], out["bb10-000"]["border_km"])

if __name__ == "__main__":
    main()
