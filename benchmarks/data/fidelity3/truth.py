"""Compute per-tile facts from the rasters of geomeld-00000.tar with plain numpy.

Written independently of the verifier: only h5py/numpy/shapely are used.
Output: truth.json (deterministic).
"""
import io, json, struct, tarfile, os, sys
import numpy as np
import h5py
from shapely.geometry import Polygon, Point, MultiPolygon
from shapely.ops import unary_union

HERE = os.path.dirname(os.path.abspath(__file__))
TAR = os.path.join(HERE, "shards", "geomeld-00000.tar")
# Natural Earth 1:110m countries (public domain), the copy shipped beside the first set
NE = os.path.join(HERE, "..", "fidelity", "naturalearth_lowres", "naturalearth_lowres")

WC_NAMES = {10: "tree", 20: "shrub", 30: "grass", 40: "crop", 50: "built", 60: "bare",
            70: "snow", 80: "water", 90: "wetland", 95: "mangrove", 100: "moss"}
# Dynamic World label -> same short name
DW_NAMES = {0: "water", 1: "tree", 2: "grass", 3: "wetland", 4: "crop", 5: "shrub",
            6: "built", 7: "bare", 8: "snow"}
N = 128 * 128


# ---------------------------------------------------------------- Natural Earth
def read_dbf(path):
    with open(path, "rb") as f:
        data = f.read()
    nrec, hlen, rlen = struct.unpack("<IHH", data[4:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode()
        ln = data[pos + 16]
        fields.append((name, ln))
        pos += 32
    recs = []
    for i in range(nrec):
        off = hlen + i * rlen + 1
        r = {}
        for name, ln in fields:
            r[name] = data[off:off + ln].decode("latin-1").strip()
            off += ln
        recs.append(r)
    return recs


def read_shp(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 100
    geoms = []
    while pos < len(data):
        _, clen = struct.unpack(">II", data[pos:pos + 8])
        pos += 8
        rec = data[pos:pos + clen * 2]
        pos += clen * 2
        st = struct.unpack("<i", rec[:4])[0]
        if st != 5:
            geoms.append(None)
            continue
        nparts, npts = struct.unpack("<ii", rec[36:44])
        parts = list(struct.unpack("<%di" % nparts, rec[44:44 + 4 * nparts])) + [npts]
        pts = np.frombuffer(rec[44 + 4 * nparts:44 + 4 * nparts + 16 * npts], dtype="<f8").reshape(-1, 2)
        rings = [pts[parts[k]:parts[k + 1]] for k in range(nparts)]
        polys = [Polygon(r) for r in rings if len(r) >= 4]
        geoms.append(unary_union([p.buffer(0) for p in polys]))
    return geoms


def countries():
    recs = read_dbf(NE + ".dbf")
    geoms = read_shp(NE + ".shp")
    return [(r.get("name"), r.get("continent"), g) for r, g in zip(recs, geoms) if g is not None]


# ---------------------------------------------------------------- helpers
def shares(lab, names, nodata):
    out = {}
    for code, nm in names.items():
        out[nm] = int((lab == code).sum())
    return out


def quad_masks():
    r, c = np.mgrid[0:128, 0:128]
    return {
        "north": r < 64, "south": r >= 64, "west": c < 64, "east": c >= 64,
        "nw": (r < 64) & (c < 64), "ne": (r < 64) & (c >= 64),
        "sw": (r >= 64) & (c < 64), "se": (r >= 64) & (c >= 64),
        "centre": (r >= 32) & (r < 96) & (c >= 32) & (c < 96),
    }


QM = quad_masks()


def main():
    ctry = countries()
    tf = tarfile.open(TAR)
    out = {}
    for mem in sorted(tf.getmembers(), key=lambda m: m.name):
        if not mem.name.endswith(".h5"):
            continue
        tid = mem.name[:-3]
        buf = io.BytesIO(tf.extractfile(mem).read())
        f = h5py.File(buf, "r")
        md = f["metadata"][()]
        md = json.loads(md if isinstance(md, str) else md.decode())
        prov = md["provenance"]["modalities"]
        T = {"tile_id": tid, "lat": md["lat"], "lon": md["long"],
             "acquisition_date": md["acquisition_date"],
             "s2_datetime": prov["sentinel2"].get("datetime"),
             "stratum": md["provenance"]["anchor"]["stratum"]}
        # ---------------- evidence rule
        ev = {}
        for k in ["sentinel2", "sentinel1", "aster", "canopy_height", "esa_worldcover", "dynamic_world", "jrc_occurrence"]:
            d = prov.get(k, {})
            origin = d.get("origin")
            status = d.get("status")
            vf = md["provenance"]["qc"]["valid_fraction"].get(k)
            if status != "ok" or origin in (None, "absent"):
                ev[k] = "none"
            elif origin in ("real", "substitute"):
                ev[k] = "fine"
            elif origin == "coarse":
                ev[k] = "coarse:%s" % d.get("resolution_m")
            else:  # anything copied from elsewhere (template, borrowed, ...) is not evidence
                ev[k] = "none"
            if vf is not None and vf == 0 and k != "jrc_occurrence":
                ev[k] = "none"
        T["evidence"] = ev
        T["provenance_origin"] = {k: prov.get(k, {}).get("origin") for k in ev}
        T["s1_bands_filled"] = prov.get("sentinel1", {}).get("bands_filled", [])

        # ---------------- Sentinel-2
        s2 = f["sentinel2"][()].astype("float64") / 10000.0
        names = md["band_names"]["sentinel2"]
        B = {n: s2[i] for i, n in enumerate(names)}
        valid = np.all(np.isfinite(s2), axis=0)
        nv = int(valid.sum())
        T["s2_valid_fraction"] = nv / N
        ndvi = (B["B8"] - B["B4"]) / (B["B8"] + B["B4"] + 1e-9)
        mndwi = (B["B3"] - B["B11"]) / (B["B3"] + B["B11"] + 1e-9)
        ndwi = (B["B3"] - B["B8"]) / (B["B3"] + B["B8"] + 1e-9)
        ndsi = mndwi  # same formula (green vs SWIR)
        nd = ndvi[valid]
        T["ndvi"] = {"mean": float(nd.mean()), "median": float(np.median(nd)),
                     "p10": float(np.percentile(nd, 10)), "p90": float(np.percentile(nd, 90)),
                     "frac_gt_0.5": float((nd > 0.5).mean()), "frac_gt_0.3": float((nd > 0.3).mean()),
                     "frac_lt_0.2": float((nd < 0.2).mean())}
        for q in ["north", "south", "west", "east"]:
            T["ndvi"]["mean_" + q] = float(ndvi[valid & QM[q]].mean())
        # water from imagery: dark in NIR, MNDWI>0.2 and NDWI>0, not bright (excludes snow)
        wimg = valid & (mndwi > 0.2) & (ndwi > 0.0) & (B["B8"] < 0.15) & (B["B2"] < 0.2)
        snow = valid & (ndsi > 0.4) & (B["B3"] > 0.25) & (B["B8"] > 0.2)
        cloud = valid & (B["B2"] > 0.25) & (B["B11"] > 0.25) & ~snow
        T["water_img_frac"] = float(wimg.sum() / N)
        T["snow_frac"] = float(snow.sum() / max(nv, 1))
        T["cloud_frac"] = float(cloud.sum() / max(nv, 1))
        T["water_img_pos"] = {q: float(wimg[QM[q]].sum() / QM[q].sum()) for q in QM}

        # ---------------- land cover (OSM stand-in for BB; coarse MODIS for BEN)
        wc = f["esa_worldcover"][0]
        dw = f["dynamic_world"][0]
        wcc = shares(wc, WC_NAMES, 0)
        dwc = shares(dw, DW_NAMES, 255)
        lab = int((wc != 0).sum())
        T["lc_labelled_fraction"] = lab / N
        T["lc_whole"] = {k: wcc[k] / N for k in wcc}
        T["lc_dw_whole"] = {k: dwc.get(k, 0) / N for k in wcc}
        T["lc_of_labelled"] = {k: (wcc[k] / lab if lab else 0.0) for k in wcc}
        T["lc_pixels"] = wcc
        T["lc_agree"] = all(wcc.get(k, 0) == dwc.get(k, 0) for k in DW_NAMES.values())
        pos = {}
        for code, nm in WC_NAMES.items():
            m = wc == code
            tot = int(m.sum())
            if tot == 0:
                continue
            pos[nm] = {q: {"px": int((m & QM[q]).sum()),
                           "share_of_class": float((m & QM[q]).sum() / tot),
                           "share_of_part": float((m & QM[q]).sum() / QM[q].sum())} for q in QM}
        T["lc_pos"] = pos

        # ---------------- water layers
        water_map = (wc == 80) | (dw == 0)
        if "jrc_occurrence" in f:
            j = f["jrc_occurrence"][()]
            water_map = water_map | (np.nan_to_num(j) >= 50)
            T["jrc_frac"] = float((np.nan_to_num(j) >= 50).sum() / N)
        else:
            T["jrc_frac"] = None
        T["water_map_frac"] = float(water_map.sum() / N)
        T["water_map_pos"] = {q: float(water_map[QM[q]].sum() / QM[q].sum()) for q in QM}
        T["water_frac_max"] = max(T["water_map_frac"], T["water_img_frac"])

        # ---------------- Sentinel-1
        s1n = md["band_names"]["sentinel1"]
        s1 = f["sentinel1"][()]
        sar = {}
        if ev["sentinel1"] != "none":
            for i, n in enumerate(s1n):
                x = s1[i]
                if np.isfinite(x).any():
                    v = x[np.isfinite(x)]
                    sar[n] = {"mean_db": float(v.mean()), "median_db": float(np.median(v)),
                              "p10": float(np.percentile(v, 10)), "p90": float(np.percentile(v, 90))}
        T["sar"] = sar

        # ---------------- other layers (evidence check only)
        for k in ["aster", "canopy_height"]:
            x = f[k][()]
            T[k + "_finite_fraction"] = float(np.isfinite(x).mean())

        # ---------------- place
        p = Point(md["long"], md["lat"])
        T["country"] = None
        for nm, cont, g in ctry:
            if g.contains(p):
                T["country"] = nm
                T["continent"] = cont
        # distance to nearest other country (deg) to make neighbour claims safe
        T["nearest_other_deg"] = {}
        for nm, cont, g in ctry:
            if nm != T["country"] and g.distance(p) < 3:
                T["nearest_other_deg"][nm] = round(float(g.distance(p)), 3)
        out[tid] = T
    with open(os.path.join(HERE, "truth.json"), "w") as fo:
        json.dump(out, fo, indent=1, sort_keys=True)
    print("tiles", len(out))


if __name__ == "__main__":
    main()
