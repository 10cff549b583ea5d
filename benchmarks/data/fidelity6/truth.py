"""truth.py -- compute per-tile facts from the raw rasters of shards/geomeld-00000.tar -> truth.json.
Written independently; never reads or imports the checker's code."""
import tarfile, io, json, struct
import numpy as np, h5py
from shapely.geometry import Polygon, Point, MultiPolygon

WC = {10: "tree cover", 20: "shrubland", 30: "grassland", 40: "cropland", 50: "built-up",
      60: "bare ground", 70: "snow and ice", 80: "open water", 90: "herbaceous wetland", 95: "mangroves", 100: "moss and lichen"}
EVIDENCE_ORIGINS = {"real", "substitute"}

def read_countries(base="../fidelity/naturalearth_lowres/naturalearth_lowres"):
    dbf = open(base + ".dbf", "rb").read()
    n = struct.unpack("<I", dbf[4:8])[0]; hl = struct.unpack("<H", dbf[8:10])[0]; rl = struct.unpack("<H", dbf[10:12])[0]
    fields = []; i = 32
    while dbf[i] != 0x0D:
        fields.append((dbf[i:i+11].split(b"\0")[0].decode(), dbf[i+16])); i += 32
    recs = []
    for r in range(n):
        off = hl + r * rl + 1; d = {}
        for name, ln in fields:
            d[name] = dbf[off:off+ln].decode("latin1").strip(); off += ln
        recs.append(d)
    shp = open(base + ".shp", "rb").read(); pos = 100; geoms = []
    while pos < len(shp):
        clen = struct.unpack(">I", shp[pos+4:pos+8])[0] * 2; c = shp[pos+8:pos+8+clen]; pos += 8 + clen
        st = struct.unpack("<i", c[:4])[0]
        if st == 0: geoms.append(None); continue
        npart, npt = struct.unpack("<ii", c[36:44])
        parts = list(struct.unpack("<%di" % npart, c[44:44+4*npart])) + [npt]
        pts = np.frombuffer(c[44+4*npart:44+4*npart+16*npt], dtype="<f8").reshape(-1, 2)
        polys = [Polygon(pts[parts[k]:parts[k+1]]).buffer(0) for k in range(npart)]
        geoms.append(MultiPolygon([p for p in polys if p.geom_type == "Polygon"]) if len(polys) > 1 else polys[0])
    return [(r["name"], r["continent"], g) for r, g in zip(recs, geoms)]

def country_of(lat, lon, C):
    p = Point(lon, lat)
    for name, cont, g in C:
        if g is not None and g.contains(p): return name
    best = min(C, key=lambda x: x[2].distance(p) if x[2] is not None else 1e9)
    return best[0]

# region / nearby towns: own geographic knowledge, keyed by rough location
def region_of(lat, lon):
    if 52.3 < lat < 52.7 and 12.3 < lon < 12.8:
        return dict(region="Brandenburg", subregion="Havelland, west of Berlin", towns=["Brandenburg an der Havel", "Ketzin"],
                    wrong_regions=["Bavaria", "Saxony", "Lower Saxony", "Mecklenburg-Vorpommern"], wrong_towns=["Munich", "Dresden", "Hamburg", "Leipzig"],
                    relief="flat glacial lowland", elev_range=(20, 80))
    if 52.2 < lat < 52.4 and -7.1 < lon < -6.7:
        return dict(region="County Wexford", subregion="south-east Ireland", towns=["New Ross", "Wexford"],
                    wrong_regions=["County Donegal", "County Kerry", "Connemara", "County Antrim"], wrong_towns=["Galway", "Sligo", "Belfast", "Killarney"],
                    relief="gently rolling lowland", elev_range=(0, 250))
    if 52.5 < lat < 52.8 and -7.6 < lon < -7.2:
        return dict(region="south-east Ireland", subregion="the Kilkenny area", towns=["Kilkenny", "Callan"],
                    wrong_regions=["County Donegal", "County Mayo", "Connemara", "County Antrim"], wrong_towns=["Galway", "Sligo", "Belfast", "Letterkenny"],
                    relief="gently rolling lowland", elev_range=(40, 350))
    if 39.2 < lat < 39.5 and -8.4 < lon < -8.0:
        return dict(region="Santarém district", subregion="central Portugal's Tagus valley", towns=["Abrantes", "Constância"],
                    wrong_regions=["Algarve", "Minho", "Galicia", "Andalusia"], wrong_towns=["Faro", "Porto", "Braga", "Seville"],
                    relief="low hills", elev_range=(30, 350))
    if 62.5 < lat < 63.0 and 30.0 < lon < 30.8:
        return dict(region="North Karelia", subregion="eastern Finland", towns=([] if lon < 30.45 else ["Ilomantsi"]),
                    wrong_regions=["Lapland", "Uusimaa", "Ostrobothnia", "Åland"], wrong_towns=["Helsinki", "Rovaniemi", "Turku", "Oulu"],
                    relief="low, gently undulating forest and lake country", elev_range=(80, 250))
    if 48.0 < lat < 48.4 and 13.5 < lon < 14.0:
        return dict(region="Upper Austria", subregion="Innviertel / Hausruck foreland", towns=["Grieskirchen", "Ried im Innkreis", "Wels"],
                    wrong_regions=["Tyrol", "Carinthia", "Vorarlberg", "Styria"], wrong_towns=["Innsbruck", "Graz", "Klagenfurt", "Bregenz"],
                    relief="rolling hilly foreland", elev_range=(300, 700))
    return None

WRONG_COUNTRIES = {"Germany": ["Poland", "the Netherlands", "Denmark", "Czechia"], "Ireland": ["the United Kingdom", "France", "Iceland", "Norway"],
                   "Portugal": ["Spain", "Italy", "Morocco", "France"], "Finland": ["Sweden", "Russia", "Norway", "Estonia"],
                   "Austria": ["Switzerland", "Germany", "Czechia", "Slovenia"]}

def season_of(month, lat):
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer",
            9: "autumn", 10: "autumn", 11: "autumn"}[month]

def main():
    C = read_countries()
    t = tarfile.open("shards/geomeld-00000.tar")
    out = {}
    for m in t.getmembers():
        f = h5py.File(io.BytesIO(t.extractfile(m).read()), "r")
        md = json.loads(f["metadata"][()]); P = md["provenance"]; mods = P["modalities"]
        tid = md["tile_id"]; lat, lon = md["lat"], md["long"]
        origin = {k: v.get("origin", "absent") for k, v in mods.items()}
        T = dict(tile_id=tid, lat=lat, lon=lon, origins=origin)
        # ---- Sentinel-2
        s2 = f["sentinel2"][:].astype("f8"); names = md["band_names"]["sentinel2"]; B = {n: s2[i] for i, n in enumerate(names)}
        valid = np.isfinite(B["B4"]) & np.isfinite(B["B8"])
        T["s2_valid_frac"] = float(valid.mean())
        ndvi = (B["B8"] - B["B4"]) / (B["B8"] + B["B4"] + 1e-9)
        ndwi = (B["B3"] - B["B8"]) / (B["B3"] + B["B8"] + 1e-9)
        ndsi = (B["B3"] - B["B11"]) / (B["B3"] + B["B11"] + 1e-9)
        s2_ok = origin.get("sentinel2") in EVIDENCE_ORIGINS and valid.any()
        T["s2_evidence"] = bool(s2_ok)
        dt = mods["sentinel2"].get("datetime") or md["acquisition_date"]
        T["date"] = dt[:10]; y, mo, d = map(int, T["date"].split("-")); T["year"], T["month"], T["day"] = y, mo, d
        T["season"] = season_of(mo, lat)
        T["s2_product"] = "L1C" if origin.get("sentinel2") == "substitute" else "L2A"
        if s2_ok:
            v = valid
            T["ndvi_mean"] = float(np.mean(ndvi[v])); T["ndvi_p90"] = float(np.percentile(ndvi[v], 90))
            T["ndvi_high_frac"] = float(np.mean(ndvi[v] > 0.6)); T["ndvi_low_frac"] = float(np.mean(ndvi[v] < 0.2))
            T["ndwi_water_frac"] = float(np.mean((ndwi[v] > 0.2) & (B["B8"][v] < 1500)))
            T["dark_water_frac"] = float(np.mean((B["B8"][v] < 500) & (ndvi[v] < 0.2)))
            T["snow_frac"] = float(np.mean((ndsi[v] > 0.42) & (B["B3"][v] > 1500)))
            # halves / quadrants NDVI
            H = ndvi.shape[0] // 2
            def mm(a): a = a[np.isfinite(a)]; return float(a.mean()) if a.size else None
            T["ndvi_half"] = dict(north=mm(np.where(v, ndvi, np.nan)[:H]), south=mm(np.where(v, ndvi, np.nan)[H:]),
                                  west=mm(np.where(v, ndvi, np.nan)[:, :H]), east=mm(np.where(v, ndvi, np.nan)[:, H:]))
            T["brightness"] = float(np.mean((B["B2"][v] + B["B3"][v] + B["B4"][v]) / 3))
        # ---- Sentinel-1
        s1 = f["sentinel1"][:].astype("f8"); s1n = md["band_names"]["sentinel1"]
        sar = {}
        if origin.get("sentinel1") in EVIDENCE_ORIGINS:
            for i, n in enumerate(s1n):
                b = s1[i]
                if np.isfinite(b).any():
                    sar[n] = dict(mean=float(np.nanmean(b)), median=float(np.nanmedian(b)), p10=float(np.nanpercentile(b, 10)), p90=float(np.nanpercentile(b, 90)))
        T["sar"] = sar
        T["sar_orbit"] = (mods["sentinel1"].get("items") or [{}])[0].get("orbit_state") if sar else None
        # ---- land cover (ESA WorldCover coding; 0 = unlabelled)
        wc = f["esa_worldcover"][0]; N = wc.size
        lc_origin = origin.get("esa_worldcover")
        T["lc_origin"] = lc_origin
        T["lc_evidence"] = lc_origin in EVIDENCE_ORIGINS
        lab = wc != 0
        T["lc_labelled_frac"] = float(lab.mean())
        shares = {WC[c]: float((wc == c).sum() / N) for c in WC if (wc == c).any()}
        T["lc_lower"] = shares  # share of the WHOLE tile that is labelled as class (lower bound)
        unl = 1 - T["lc_labelled_frac"]
        T["lc_upper"] = {WC[c]: min(1.0, shares.get(WC[c], 0) + unl) for c in WC}
        # class positions (3x3 regions) on labelled pixels
        pos = {}
        R = {"north-west": (0, 0), "north": (0, 1), "north-east": (0, 2), "west": (1, 0), "centre": (1, 1), "east": (1, 2),
             "south-west": (2, 0), "south": (2, 1), "south-east": (2, 2)}
        edges = [0, 43, 85, 128]
        for c in WC:
            msk = wc == c
            if msk.sum() < 164: continue
            pos[WC[c]] = {r: float(msk[edges[i]:edges[i+1], edges[j]:edges[j+1]].sum() / msk.sum()) for r, (i, j) in R.items()}
            H = 64
            pos[WC[c]].update({"north half": float(msk[:H].sum() / msk.sum()), "south half": float(msk[H:].sum() / msk.sum()),
                               "west half": float(msk[:, :H].sum() / msk.sum()), "east half": float(msk[:, H:].sum() / msk.sum())})
        T["lc_positions"] = pos
        # ---- water: jrc layer (OSM water polygons substitute) + worldcover water + NDWI
        if "jrc_occurrence" in f and origin.get("jrc_occurrence") in EVIDENCE_ORIGINS:
            j = f["jrc_occurrence"][:]
            T["jrc_water_frac"] = float(np.nanmean(j > 50)) if np.isfinite(j).any() else None
            jw = j > 50
            T["water_positions"] = ({"north half": float(jw[:64].sum() / jw.sum()), "south half": float(jw[64:].sum() / jw.sum()),
                                     "west half": float(jw[:, :64].sum() / jw.sum()), "east half": float(jw[:, 64:].sum() / jw.sum())} if jw.sum() >= 50 else None)
        else:
            T["jrc_water_frac"] = None; T["water_positions"] = None
        # combined water bounds: lower = weakest evidence, upper = strongest (layers can disagree)
        ests = []
        if T["jrc_water_frac"] is not None: ests.append(T["jrc_water_frac"])
        if s2_ok: ests += [T["ndwi_water_frac"], T["dark_water_frac"]]
        T["water_lo"] = float(min(ests)) if ests else None
        T["water_hi"] = float(max(ests)) if ests else None
        T["water_evidence"] = bool(ests)
        T["elevation_evidence"] = origin.get("aster") in EVIDENCE_ORIGINS and np.isfinite(f["aster"][0]).any()
        T["canopy_evidence"] = origin.get("canopy_height") in EVIDENCE_ORIGINS and np.isfinite(f["canopy_height"][0]).any()
        T["country"] = country_of(lat, lon, C)
        T["wrong_countries"] = WRONG_COUNTRIES.get(T["country"], ["Brazil", "Japan"])
        T["geo"] = region_of(lat, lon)
        out[tid] = T
    json.dump(out, open("truth.json", "w"), indent=1)
    print(len(out), "tiles")

if __name__ == "__main__":
    main()
