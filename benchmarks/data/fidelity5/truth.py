"""truth.py - compute per-tile facts from the raw rasters of shards/geomeld-00000.tar -> truth.json.
Written independently from the raw arrays; the checker's code was never read."""
import tarfile, io, json, math, struct, datetime
import numpy as np, h5py
from shapely.geometry import Polygon, Point, MultiPolygon
from shapely.ops import unary_union

BANDS = ["B1","B2","B3","B4","B5","B6","B7","B8","B8A","B9","B11","B12"]
DW = {0:"water",1:"trees",2:"grass",3:"flooded_vegetation",4:"crops",5:"shrub",6:"built",7:"bare",8:"snow"}

def read_ne(base="../fidelity/naturalearth_lowres/naturalearth_lowres"):
    # minimal dbf reader
    d = open(base+".dbf","rb").read()
    n = struct.unpack("<I", d[4:8])[0]; hl, rl = struct.unpack("<HH", d[8:12])
    fields=[]; p=32
    while d[p] != 0x0D:
        name = d[p:p+11].split(b"\0")[0].decode(); ln = d[p+16]; fields.append((name, ln)); p += 32
    recs=[]
    for i in range(n):
        r = d[hl+i*rl+1: hl+(i+1)*rl]; o=0; rec={}
        for name, ln in fields:
            rec[name] = r[o:o+ln].decode("utf-8","replace").strip(); o += ln
        recs.append(rec)
    s = open(base+".shp","rb").read(); p = 100; geoms=[]
    while p < len(s):
        _, clen = struct.unpack(">ii", s[p:p+8]); c = s[p+8:p+8+clen*2]; p += 8+clen*2
        st = struct.unpack("<i", c[:4])[0]
        if st != 5: geoms.append(None); continue
        npart, npt = struct.unpack("<ii", c[36:44])
        parts = list(struct.unpack("<%di"%npart, c[44:44+4*npart])) + [npt]
        pts = np.frombuffer(c[44+4*npart:44+4*npart+16*npt], dtype="<f8").reshape(-1,2)
        polys=[Polygon(pts[parts[k]:parts[k+1]]) for k in range(npart)]
        geoms.append(unary_union([q.buffer(0) for q in polys]))
    return recs, geoms

def sun_elev(lat, lon, dt):
    doy = dt.timetuple().tm_yday; hr = dt.hour + dt.minute/60
    decl = 23.44*math.sin(math.radians(360/365*(doy-81)))
    ha = (hr + lon/15 - 12)*15
    e = math.asin(math.sin(math.radians(lat))*math.sin(math.radians(decl)) + math.cos(math.radians(lat))*math.cos(math.radians(decl))*math.cos(math.radians(ha)))
    return math.degrees(e)

def halves(mask, valid):
    """share of the mask's pixels in each half / quadrant (row 0 = north)."""
    tot = mask.sum()
    if tot == 0: return None
    H = mask.shape[0]//2
    r = {"north": mask[:H].sum()/tot, "south": mask[H:].sum()/tot, "west": mask[:, :H].sum()/tot, "east": mask[:, H:].sum()/tot,
         "nw": mask[:H,:H].sum()/tot, "ne": mask[:H,H:].sum()/tot, "sw": mask[H:,:H].sum()/tot, "se": mask[H:,H:].sum()/tot,
         "centre": mask[32:96,32:96].sum()/tot}
    return {k: round(float(v),4) for k,v in r.items()}

def main():
    recs, geoms = read_ne()
    t = tarfile.open("shards/geomeld-00000.tar"); out = {}
    for m in t.getmembers():
        f = h5py.File(io.BytesIO(t.extractfile(m).read()), "r")
        md = json.loads(f["metadata"][()])
        prov = md["provenance"]["modalities"]
        tid = md["tile_id"]; lat, lon = md["lat"], md["long"]
        T = {"tile_id": tid, "lat": lat, "lon": lon, "origins": {k: v.get("origin") for k, v in prov.items()}}
        dt = datetime.datetime.fromisoformat(prov["sentinel2"]["datetime"])
        T["date"] = dt.date().isoformat(); T["year"] = dt.year; T["month"] = dt.month; T["day"] = dt.day
        T["sun_elev"] = round(sun_elev(lat, lon, dt), 1)
        pt = Point(lon, lat); T["country"] = None
        for r, g in zip(recs, geoms):
            if g is not None and g.contains(pt): T["country"] = r.get("name"); T["continent"] = r.get("continent")
        # distance to NE border (km, approx) to judge how safe a country claim is
        s2 = f["sentinel2"][()].astype(float)
        B = {b: s2[i] for i, b in enumerate(BANDS)}
        valid = np.all(np.isfinite(s2), axis=0) & (B["B2"] > 0)
        T["s2_valid"] = round(float(valid.mean()), 4)
        T["s2_level"] = "L1C" if prov["sentinel2"].get("origin") == "substitute" else "L2A"
        with np.errstate(all="ignore"):
            ndvi = (B["B8"]-B["B4"])/(B["B8"]+B["B4"]); ndwi = (B["B3"]-B["B8"])/(B["B3"]+B["B8"])
            ndsi = (B["B3"]-B["B11"])/(B["B3"]+B["B11"])
        snow = valid & (ndsi > 0.4) & (B["B3"] > 1800) & (B["B8"] > 1500)
        cloud = valid & ~snow & (B["B2"] > 2500) & (B["B11"] > 1800) & (B["B4"] > 2200)
        water = valid & ~snow & (ndwi > 0.1) & (B["B8"] < (1000 if T["s2_level"] == "L1C" else 800))
        nv = max(valid.sum(), 1)
        T["snow_frac"] = round(float(snow.sum()/nv), 4); T["cloud_frac"] = round(float(cloud.sum()/nv), 4)
        T["s2_water_frac"] = round(float(water.sum()/nv), 4)
        T["s2_water_pos"] = halves(water, valid)
        v = ndvi[valid & ~water & ~snow]
        T["ndvi_mean_land"] = round(float(np.nanmean(v)), 3) if v.size else None
        T["ndvi_mean_all"] = round(float(np.nanmean(ndvi[valid])), 3)
        T["ndvi_p90"] = round(float(np.nanpercentile(ndvi[valid], 90)), 3)
        T["ndvi_gt05"] = round(float(np.mean(ndvi[valid] > 0.5)), 4)
        T["ndvi_gt07"] = round(float(np.mean(ndvi[valid] > 0.7)), 4)
        T["ndvi_lt02"] = round(float(np.mean(ndvi[valid] < 0.2)), 4)
        T["vis_mean"] = round(float(np.mean((B["B2"]+B["B3"]+B["B4"])[valid]/3)), 1)
        # land cover
        dw = f["dynamic_world"][0]; lco = prov["dynamic_world"].get("origin")
        T["lc_origin"] = lco
        if lco == "substitute":
            lab = dw != 255; unl = float(1 - lab.mean())
            T["lc_labelled_frac"] = round(float(lab.mean()), 4)
            lc = {}
            for code, name in DW.items():
                msk = dw == code; lo = float(msk.mean())
                if name == "water":
                    lo = max(lo, float((water | msk).mean()))
                hi = min(1.0, float(msk.mean()) + unl) if name != "water" else min(1.0, float(msk.mean()) + unl)
                # conservative: hi is NOT reduced by Sentinel-2 water outside the labels (OSM and S2 disagree on some lakes)
                lc[name] = {"lo": round(lo, 4), "hi": round(hi, 4), "px": int(msk.sum()), "pos": halves(msk, None) if msk.sum() >= 150 else None}
            T["lc"] = lc
        else:
            T["lc"] = None; T["lc_res_m"] = prov["dynamic_world"].get("resolution_m")
        jr = f["jrc_occurrence"][()] if "jrc_occurrence" in f else None
        if jr is not None and prov.get("jrc_occurrence", {}).get("origin") in ("real", "substitute") and np.isfinite(jr).any():
            T["osm_water_frac"] = round(float(np.nanmean(jr > 50)), 4)
        else:
            T["osm_water_frac"] = None
        # SAR
        s1 = f["sentinel1"][()].astype(float); names = md["band_names"]["sentinel1"]
        if prov["sentinel1"].get("origin") in ("real", "substitute") and np.isfinite(s1).any():
            sar = {}
            for i, n in enumerate(names):
                a = s1[i]
                if np.isfinite(a).any():
                    sar[n] = {"mean": round(float(np.nanmean(a)), 2), "p10": round(float(np.nanpercentile(a, 10)), 2), "p90": round(float(np.nanpercentile(a, 90)), 2)}
            T["sar"] = sar; T["sar_date"] = prov["sentinel1"]["items"][0]["datetime"][:10]
            T["sar_orbit"] = prov["sentinel1"]["items"][0].get("orbit_state")
        else:
            T["sar"] = None
        T["dem"] = None if prov["aster"].get("origin") in (None, "absent", "relocated") else "present"
        T["canopy"] = None if prov["canopy_height"].get("origin") in (None, "absent", "relocated") else "present"
        out[tid] = T
    json.dump(out, open("truth.json", "w"), indent=1)
    print(len(out), "tiles")

if __name__ == "__main__":
    main()
