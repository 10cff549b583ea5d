"""Compute per-tile facts from the shard with plain numpy (no project code).
Evidence rule: a layer counts only if its provenance says it was measured at this place
(origin real, or a stand-in product of the same place: OSM land use for WorldCover, S2 L1C
for L2A, OSM water for JRC). 'coarse' layers (MODIS 5.5 km) decide nothing finer than their
resolution and are NOT used for shares/positions. Missing / all-NaN layers are not evidence."""
import tarfile, io, json, numpy as np, h5py
import struct
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union
import os
HERE = os.path.dirname(os.path.abspath(__file__))  # paths relative to this folder (lead's edit)

TAR = os.path.join(HERE, "shards/geomeld-00000.tar")
NEP = os.path.join(HERE, "..", "fidelity", "naturalearth_lowres", "naturalearth_lowres")

def read_ne():
    """Minimal shapefile (polygon) + dBase reader, no GIS libraries needed."""
    d = open(NEP + ".dbf", "rb").read()
    nrec, hlen, rlen = struct.unpack("<IHH", d[4:12])
    fields, off = [], 32
    while d[off] != 0x0D:
        name = d[off:off + 11].split(b"\0")[0].decode(); flen = d[off + 16]
        fields.append((name, flen)); off += 32
    recs = []
    for r in range(nrec):
        p = hlen + r * rlen + 1; rec = {}
        for name, flen in fields:
            rec[name] = d[p:p + flen].decode("latin1").strip(); p += flen
        recs.append(rec)
    s = open(NEP + ".shp", "rb").read(); off = 100; geoms = []
    while off < len(s):
        clen = struct.unpack(">I", s[off + 4:off + 8])[0] * 2; c = s[off + 8:off + 8 + clen]; off += 8 + clen
        st = struct.unpack("<i", c[:4])[0]
        if st == 0:
            geoms.append(None); continue
        npart, npt = struct.unpack("<ii", c[36:44])
        parts = list(struct.unpack("<%di" % npart, c[44:44 + 4 * npart])) + [npt]
        pts = struct.unpack("<%dd" % (2 * npt), c[44 + 4 * npart:44 + 4 * npart + 16 * npt])
        pts = list(zip(pts[::2], pts[1::2]))
        polys = [Polygon(pts[parts[i]:parts[i + 1]]).buffer(0) for i in range(npart)]
        geoms.append(unary_union(polys))
    return [(r.get("name") or r.get("NAME"), g) for r, g in zip(recs, geoms)]

NE = read_ne()
CLS = {10: "tree", 20: "shrub", 30: "grass", 40: "crop", 50: "built", 60: "bare",
       70: "snow", 80: "water", 90: "wetland", 95: "mangrove", 100: "moss"}
N = 128 * 128

def origin(m, k):
    v = m["provenance"]["modalities"].get(k, {})
    return v.get("origin", "absent") if v.get("status") == "ok" else "absent"

def quads(mask):
    h = 64
    q = {"northwest": mask[:h, :h].sum(), "northeast": mask[:h, h:].sum(),
         "southwest": mask[h:, :h].sum(), "southeast": mask[h:, h:].sum()}
    e = {"north": mask[:h].sum(), "south": mask[h:].sum(), "west": mask[:, :h].sum(), "east": mask[:, h:].sum()}
    return {k: int(v) for k, v in q.items()}, {k: int(v) for k, v in e.items()}

def country(lat, lon):
    p = Point(lon, lat)
    hit = [n for n, g in NE if g is not None and g.contains(p)]
    return hit[0] if hit else None

out = {}
with tarfile.open(TAR) as tf:
    for mem in sorted(tf.getmembers(), key=lambda x: x.name):
        if not mem.name.endswith(".h5"):
            continue
        tid = mem.name[:-3]
        h = h5py.File(io.BytesIO(tf.extractfile(mem).read()), "r")
        m = json.loads(h["metadata"][()])
        s2 = h["sentinel2"][:].astype("float64")
        valid = np.isfinite(s2).all(0)
        b = {n: s2[i] for i, n in enumerate(m["band_names"]["sentinel2"])}
        with np.errstate(invalid="ignore", divide="ignore"):
            ndvi = (b["B8"] - b["B4"]) / (b["B8"] + b["B4"])
            ndwi = (b["B3"] - b["B8"]) / (b["B3"] + b["B8"])
            ndsi = (b["B3"] - b["B11"]) / (b["B3"] + b["B11"])
        nv = ndvi[valid]
        t = {"tile_id": tid, "lat": m["lat"], "lon": m["long"],
             "date": m["provenance"]["modalities"]["sentinel2"]["datetime"][:10],
             "group": "bb" if tid.startswith("bb") else "ben",
             "s2_product": m["provenance"]["modalities"]["sentinel2"].get("product_type"),
             "s2_valid_frac": float(valid.mean()),
             "origins": {k: origin(m, k) for k in ["sentinel2", "sentinel1", "aster", "canopy_height", "esa_worldcover", "dynamic_world", "jrc_occurrence"]},
             "country": country(m["lat"], m["long"])}
        t["ndvi_mean"] = float(nv.mean()); t["ndvi_p90"] = float(np.percentile(nv, 90))
        t["ndvi_gt05"] = float((nv > 0.5).mean()); t["ndvi_lt02"] = float((nv < 0.2).mean())
        t["ndwi_water_frac"] = float(((ndwi > 0.2) & valid).sum() / N)
        t["snow_frac"] = float(((ndsi > 0.4) & (b["B3"] > 2000) & valid).sum() / N)
        t["bright_frac"] = float(((b["B2"] > 3000) & valid).sum() / N)  # crude cloud proxy
        # land cover (only if measured here)
        wc = h["esa_worldcover"][0]
        t["lc_evidence"] = t["origins"]["esa_worldcover"] in ("real", "substitute")
        if t["lc_evidence"]:
            lab = wc > 0
            t["labelled_frac"] = float(lab.mean())
            sh, pos = {}, {}
            for c, n in CLS.items():
                mk = wc == c
                sh[n] = float(mk.sum() / N)
                if mk.sum() >= 800:
                    q, e = quads(mk); pos[n] = {"quad": q, "edge": e, "n": int(mk.sum())}
            t["lc_share"] = sh; t["lc_pos"] = pos
            lab_sh = {k: v for k, v in sh.items() if v > 0}
            srt = sorted(lab_sh.items(), key=lambda x: -x[1])
            t["dominant"] = srt[0][0] if srt and (len(srt) == 1 or srt[0][1] - srt[1][1] >= 0.10) else None
        # water layer
        if t["origins"]["jrc_occurrence"] in ("real", "substitute") and "jrc_occurrence" in h:
            j = h["jrc_occurrence"][:]
            t["jrc_water_frac"] = float((j > 50).mean())
        # S1
        if t["origins"]["sentinel1"] == "real":
            s1 = h["sentinel1"][:]; names = m["band_names"]["sentinel1"]
            for i, n in enumerate(names):
                v = s1[i][np.isfinite(s1[i])]
                if v.size:
                    t[f"s1_{n}_mean_db"] = float(v.mean()); t[f"s1_{n}_median_db"] = float(np.median(v))
        out[tid] = t
json.dump(out, open(os.path.join(HERE, "truth.json"), "w"), indent=1)
print(len(out))
for k, t in out.items():
    print(k, t["country"], t["date"], round(t["ndvi_mean"], 2), t.get("labelled_frac"), t.get("dominant"),
          round(t["ndwi_water_frac"], 3), t.get("jrc_water_frac"), round(t["snow_frac"], 3), round(t["bright_frac"], 3),
          {k2: round(v, 2) for k2, v in t.get("lc_share", {}).items() if v > 0}, [k2 for k2 in t if k2.startswith("s1_") and "mean" in k2])
