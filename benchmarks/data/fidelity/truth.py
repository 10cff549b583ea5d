#!/usr/bin/env python3
"""Independent labeller for the planted-claim caption set.

Reads shards/fidelity-00000.tar (one HDF5 file per tile) and writes truth.json:
one record per tile with the facts compose.py is allowed to use.

Rules (see README.md for the prose version):
* A layer is usable evidence ("co-located") only if its provenance record and
  all of its items lack `relocated_from`, and it is not entirely no-data.
  Stand-ins measured at the same place (OSM land use for WorldCover / Dynamic
  World, OSM water for JRC, L1C for L2A) count as evidence.
* Land-cover shares are shares of the WHOLE tile: class pixels / 16384.
  Both land-cover products are reported separately; a generic class
  (trees, crops, ...) is only used in captions when every co-located product
  agrees on its share within 3 points (see `agreed`).
* present: >= 1 % of the tile in every co-located product;
  absent: 0 pixels in every co-located product (and, for water, also no
  water in the OSM water layer and < 0.2 % NDWI water in Sentinel-2);
  dominant: > 50 % of the tile.  Shares between 0 and 1 % are "trace" and are
  never claimed either way.
* Position of a class (computed on the first co-located product, pixels of the
  class only): north/south/east/west half share of that class's pixels; the
  class "lies in" a half when that half holds >= 70 % of its pixels and "is
  not in" a half when that half holds <= 10 %.  centre = the middle 64x64
  window (a quarter of the tile): "in the centre" when it holds >= 50 % of the
  class, "away from the centre" when <= 5 %.  Quadrant: holds >= 60 %.
  Edge strips (outer 32 columns/rows): "along the eastern edge" when the strip
  holds >= 50 %.  Only classes with >= 3 % of the tile get positions.
* NDVI = (B8 - B4) / (B8 + B4) on valid Sentinel-2 pixels (co-located only).
  vigour: "lush" if mean >= 0.60, "sparse" if mean <= 0.30, else "moderate".
* Spectral water: McFeeters NDWI = (B3 - B8)/(B3 + B8) > 0.0 on valid S2 pixels.
* Season: meteorological (DJF/MAM/JJA/SON, flipped in the southern
  hemisphere) AND astronomical (equinox/solstice taken as the 21st, with
  +-3 days of tolerance); the season is "firm" only when every convention
  agrees, otherwise only the month is used in true captions; a false season
  is one that no convention allows.
* Country: hand-written table of the few places in this shard, each checked by
  point-in-polygon against Natural Earth 1:110m admin-0 (pure-python shapefile
  reader below, needs only shapely).
* Sentinel-1: per polarisation/orbit band that has valid pixels, median dB
  over valid pixels.  Undecidable where S1 is missing or relocated.
* Elevation / slope / canopy: in this shard every aster and canopy_height layer
  is relocated, so those families are undecidable everywhere; we record a
  hand-written world-knowledge elevation envelope per place ONLY so that false
  claims about relief can be made clearly false (never used for true captions).
"""
import io
import json
import struct
import sys
import tarfile
from datetime import date
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
SHARD = HERE / "shards" / "fidelity-00000.tar"
NPIX = 128 * 128

# generic class name -> (WorldCover code, Dynamic World code)
CLASSES = {
    "water": (80, 0),
    "trees": (10, 1),
    "grass": (30, 2),
    "wetland": (90, 3),
    "crops": (40, 4),
    "shrub": (20, 5),
    "built": (50, 6),
    "bare": (60, 7),
    "snow": (70, 8),
    "mangroves": (95, None),
    "moss": (100, None),
}

# ---------------------------------------------------------------- places
# Hand-written: (name, lat range, lon range, country, region, elevation
# envelope in m from general geographic knowledge, relief word, coastal?)
PLACES = [
    ("Havelland west of Berlin", (52.40, 52.60), (12.40, 12.70), "Germany",
     "Brandenburg", (25, 110), "flat lowland", False),
    ("Innviertel / Hausruck foreland", (48.10, 48.35), (13.55, 13.90),
     "Austria", "Upper Austria", (330, 800), "rolling hills", False),
    ("Tagus valley near Abrantes", (39.25, 39.50), (-8.35, -8.05), "Portugal",
     "Santarém district (Ribatejo)", (20, 450), "low hills", False),
    ("County Wexford", (52.20, 52.45), (-7.05, -6.70), "Ireland",
     "County Wexford", (0, 300), "gently rolling lowland", False),
    ("County Kilkenny", (52.50, 52.80), (-7.60, -7.25), "Ireland",
     "County Kilkenny", (20, 350), "gently rolling lowland", False),
    ("North Karelia", (62.55, 62.95), (30.10, 30.80), "Finland",
     "North Karelia", (75, 260), "low forested hills", False),
    ("Missouri Coteau, North Dakota", (46.90, 47.15), (-99.30, -99.00),
     "United States", "North Dakota", (480, 640), "gently rolling prairie",
     False),
]


def read_natural_earth():
    """Minimal reader for the Natural Earth shapefile (polygons + names)."""
    from shapely.geometry import Polygon
    from shapely.ops import unary_union
    base = Path(__file__).resolve().parent / "naturalearth_lowres" / "naturalearth_lowres"
    if not base.with_suffix(".shp").exists():
        return []
    # dbf
    dbf = base.with_suffix(".dbf").read_bytes()
    nrec, hlen, rlen = struct.unpack("<IHH", dbf[4:12])
    fields, pos = [], 32
    while dbf[pos] != 0x0D:
        name = dbf[pos:pos + 11].split(b"\0")[0].decode()
        flen = dbf[pos + 16]
        fields.append((name, flen))
        pos += 32
    names = []
    for i in range(nrec):
        rec = dbf[hlen + i * rlen + 1: hlen + (i + 1) * rlen]
        off, vals = 0, {}
        for name, flen in fields:
            vals[name] = rec[off:off + flen].decode("latin-1").strip()
            off += flen
        names.append(vals.get("name"))
    shp = base.with_suffix(".shp").read_bytes()
    pos, out, i = 100, [], 0
    while pos < len(shp):
        _, clen = struct.unpack(">II", shp[pos:pos + 8])
        body = shp[pos + 8: pos + 8 + clen * 2]
        pos += 8 + clen * 2
        stype = struct.unpack("<i", body[:4])[0]
        if stype == 5:
            nparts, npts = struct.unpack("<ii", body[36:44])
            parts = list(struct.unpack("<%di" % nparts, body[44:44 + 4 * nparts])) + [npts]
            p0 = 44 + 4 * nparts
            pts = np.frombuffer(body[p0:p0 + 16 * npts], dtype="<f8").reshape(-1, 2)
            polys = [Polygon(pts[parts[k]:parts[k + 1]]).buffer(0) for k in range(nparts)]
            out.append((names[i], unary_union(polys)))
        i += 1
    return out


def place_of(lat, lon, ne):
    for name, (la0, la1), (lo0, lo1), country, region, elev, relief, coastal in PLACES:
        if la0 <= lat <= la1 and lo0 <= lon <= lo1:
            ne_country = None
            if ne:
                from shapely.geometry import Point
                pt = Point(lon, lat)
                hits = [n for n, g in ne if g.contains(pt)]
                ne_country = hits[0] if hits else None
            return dict(place=name, country=country, region=region,
                        elev_envelope_m=list(elev), relief=relief,
                        coastal=coastal, natural_earth_country=ne_country)
    return None


# ---------------------------------------------------------------- seasons
MET = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring",
       5: "spring", 6: "summer", 7: "summer", 8: "summer", 9: "autumn",
       10: "autumn", 11: "autumn"}
FLIP = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}


def astro_season(d):
    y = d.year
    if d < date(y, 3, 21) or d >= date(y, 12, 21):
        return "winter"
    if d < date(y, 6, 21):
        return "spring"
    if d < date(y, 9, 21):
        return "summer"
    return "autumn"


def season_facts(dstr, lat):
    d = date.fromisoformat(dstr[:10])
    met, ast = MET[d.month], astro_season(d)
    possible = {met, ast}
    # within 3 days of an equinox/solstice (taken as the 21st) both
    # neighbouring seasons are possible astronomically
    for m in (3, 6, 9, 12):
        if d.month == m and abs(d.day - 21) <= 3:
            possible |= {astro_season(date(d.year, m, 10)), astro_season(date(d.year, m, 25))}
    if lat < 0:
        met, ast = FLIP[met], FLIP[ast]
        possible = {FLIP[x] for x in possible}
    firm = met if len(possible) == 1 else None
    # seasons that are wrong under every convention
    wrong = [s for s in ("winter", "spring", "summer", "autumn") if s not in possible]
    return dict(date=d.isoformat(), year=d.year, month=d.month,
                month_name=d.strftime("%B"), season_meteorological=met,
                season_astronomical=ast, season_firm=firm,
                seasons_wrong=wrong,
                hemisphere="north" if lat >= 0 else "south")


# ---------------------------------------------------------------- helpers
def is_relocated(rec):
    if not isinstance(rec, dict):
        return False
    if "relocated_from" in rec:
        return True
    return any(isinstance(it, dict) and "relocated_from" in it for it in rec.get("items", []) or [])


def layer_status(md, f, name):
    """'colocated' | 'relocated' | 'absent'"""
    rec = md.get("provenance", {}).get("modalities", {}).get(name)
    if name not in f:
        return "absent"
    if is_relocated(rec):
        return "relocated"
    if rec is not None and rec.get("status") not in (None, "ok"):
        return "absent"
    d = f[name][()]
    if name == "esa_worldcover" and np.all(d == 0):
        return "absent"
    if name == "dynamic_world" and np.all(d == 255):
        return "absent"
    if d.dtype.kind == "f" and np.all(np.isnan(d)):
        return "absent"
    return "colocated"


def position_stats(mask):
    n = int(mask.sum())
    if n == 0:
        return None
    h = 64
    r = lambda m: round(float(m.sum()) / n, 4)
    return {
        "north": r(mask[:h]), "south": r(mask[h:]),
        "west": r(mask[:, :h]), "east": r(mask[:, h:]),
        "centre": r(mask[32:96, 32:96]),
        "northwest": r(mask[:h, :h]), "northeast": r(mask[:h, h:]),
        "southwest": r(mask[h:, :h]), "southeast": r(mask[h:, h:]),
        "north_edge": r(mask[:32]), "south_edge": r(mask[96:]),
        "west_edge": r(mask[:, :32]), "east_edge": r(mask[:, 96:]),
    }


def landcover(f, name):
    d = f[name][()][0]
    nodata = 0 if name == "esa_worldcover" else 255
    idx = 0 if name == "esa_worldcover" else 1
    shares, masks = {}, {}
    for cls, codes in CLASSES.items():
        code = codes[idx]
        if code is None:
            continue
        m = d == code
        shares[cls] = round(100.0 * m.sum() / NPIX, 3)
        masks[cls] = m
    labelled = round(100.0 * (d != nodata).sum() / NPIX, 3)
    return shares, labelled, masks


def truth_for(f):
    md = json.loads(f["metadata"][()])
    tid = str(md["tile_id"])
    lat, lon = float(md["lat"]), float(md["long"])
    status = {k: layer_status(md, f, k) for k in
              ("sentinel2", "sentinel1", "aster", "canopy_height",
               "esa_worldcover", "dynamic_world", "jrc_occurrence", "naip")}
    prov = md.get("provenance", {}).get("modalities", {})
    rec = dict(tile_id=tid, lat=lat, long=lon, layers=status,
               stand_ins=[k for k, v in prov.items() if isinstance(v, dict) and v.get("stand_in")])
    rec["s2_product"] = (prov.get("sentinel2", {}) or {}).get("product_type")
    rec.update(season_facts(md["acquisition_date"], lat))

    # ---- land cover
    products = [p for p in ("esa_worldcover", "dynamic_world") if status[p] == "colocated"]
    lc, masks0 = {}, None
    for p in products:
        shares, labelled, masks = landcover(f, p)
        lc[p] = dict(shares=shares, labelled_pct=labelled)
        if masks0 is None:
            masks0 = masks
    rec["landcover"] = lc
    rec["landcover_decidable"] = bool(products)
    agreed = {}
    if products:
        for cls in CLASSES:
            vals = [lc[p]["shares"].get(cls) for p in products]
            vals = [v for v in vals if v is not None]
            if not vals or max(vals) - min(vals) > 3.0:
                continue
            agreed[cls] = round(float(np.mean(vals)), 3)
        labs = [lc[p]["labelled_pct"] for p in products]
        rec["labelled_pct"] = round(float(np.mean(labs)), 3) if max(labs) - min(labs) <= 3 else None
    rec["agreed_shares"] = agreed
    rec["present"] = sorted(c for c, v in agreed.items() if v >= 1.0)
    rec["absent"] = sorted(c for c, v in agreed.items() if v == 0.0)
    rec["dominant"] = [c for c, v in agreed.items() if v > 50.0]
    ranked = sorted(((v, c) for c, v in agreed.items()), reverse=True)
    rec["largest_class"] = ranked[0][1] if ranked and ranked[0][0] > 0 and (
        len(ranked) < 2 or ranked[0][0] >= 1.5 * ranked[1][0] + 1e-9) else None
    pos = {}
    if masks0 is not None:
        for cls, v in agreed.items():
            if v >= 3.0:
                pos[cls] = position_stats(masks0[cls])
    rec["positions"] = pos

    # ---- Sentinel-2: NDVI and spectral water
    if status["sentinel2"] == "colocated":
        s2 = f["sentinel2"][()]
        names = md["band_names"]["sentinel2"]
        b = {n: s2[i] for i, n in enumerate(names)}
        b3, b4, b8 = b["B3"], b["B4"], b["B8"]
        valid = np.isfinite(b3) & np.isfinite(b4) & np.isfinite(b8) & ((b8 + b4) > 0)
        ndvi = np.where(valid, (b8 - b4) / np.where(valid, b8 + b4, 1), np.nan)
        ndwi = np.where(valid, (b3 - b8) / np.where(valid, b3 + b8, 1), np.nan)
        v = ndvi[valid]
        rec["s2_valid_pct"] = round(100.0 * valid.sum() / NPIX, 2)
        mean = float(v.mean())
        rec["ndvi"] = dict(mean=round(mean, 3), median=round(float(np.median(v)), 3),
                           p10=round(float(np.percentile(v, 10)), 3),
                           p90=round(float(np.percentile(v, 90)), 3),
                           frac_gt_0_5=round(float((v > 0.5).mean()), 3),
                           frac_lt_0_2=round(float((v < 0.2).mean()), 3))
        rec["vigour"] = "lush" if mean >= 0.60 else ("sparse" if mean <= 0.30 else "moderate")
        rec["s2_water_pct_of_valid"] = round(100.0 * float((ndwi[valid] > 0).mean()), 3)
    else:
        rec["ndvi"] = None
        rec["vigour"] = None
        rec["s2_water_pct_of_valid"] = None

    # ---- water summary
    jrc = None
    if status["jrc_occurrence"] == "colocated":
        j = f["jrc_occurrence"][()]
        jrc = round(100.0 * float(np.nansum(j > 50)) / NPIX, 3)
    rec["jrc_water_pct"] = jrc
    srcs = []
    if "water" in agreed:
        srcs.append(agreed["water"])
    if jrc is not None:
        srcs.append(jrc)
    rec["water_sources"] = len(srcs) + (rec["s2_water_pct_of_valid"] is not None)
    s2w = rec["s2_water_pct_of_valid"]
    rec["water_absent"] = bool(rec["water_sources"] > 0 and all(s == 0 for s in srcs)
                               and (s2w is None or s2w < 0.2))
    rec["water_pct"] = round(max(srcs), 3) if srcs else (s2w if s2w is not None else None)

    # ---- Sentinel-1
    sar = {}
    if status["sentinel1"] == "colocated":
        s1 = f["sentinel1"][()]
        for i, n in enumerate(md["band_names"]["sentinel1"]):
            x = s1[i][np.isfinite(s1[i])]
            if x.size > 0.5 * NPIX:
                sar[n] = dict(median_db=round(float(np.median(x)), 2),
                              p10_db=round(float(np.percentile(x, 10)), 2),
                              p90_db=round(float(np.percentile(x, 90)), 2))
    rec["sar"] = sar or None

    # ---- relief / canopy: only if co-located (never in this shard)
    for name in ("aster", "canopy_height"):
        if status[name] == "colocated":
            a = f[name][()]
            rec[name] = dict(band0_mean=round(float(np.nanmean(a[0])), 2),
                             band0_max=round(float(np.nanmax(a[0])), 2),
                             band1_mean=round(float(np.nanmean(a[1])), 2))
        else:
            rec[name] = None
    # NOT truth: the mean of a relocated DEM, kept only so compose.py can
    # write "trap" false claims that a verifier trusting relocated data
    # would wrongly support.
    if status["aster"] == "relocated":
        rec["relocated_trap"] = {"aster_mean": round(float(np.nanmean(f["aster"][0])), 1)}
    rec["relief_decidable"] = status["aster"] == "colocated"
    rec["canopy_decidable"] = status["canopy_height"] == "colocated"
    rec["sar_decidable"] = rec["sar"] is not None
    rec["osm_tags"] = md.get("osm_tags") or {}
    return rec


def main():
    ne = read_natural_earth()
    out = []
    with tarfile.open(SHARD) as t:
        for m in t.getmembers():
            if not m.name.endswith(".h5"):
                continue
            with h5py.File(io.BytesIO(t.extractfile(m).read()), "r") as f:
                rec = truth_for(f)
            rec["place"] = place_of(rec["lat"], rec["long"], ne)
            if rec["place"] and rec["place"]["natural_earth_country"] not in (None, rec["place"]["country"], "United States of America"):
                print("WARNING country mismatch", rec["tile_id"], rec["place"], file=sys.stderr)
            out.append(rec)
    out.sort(key=lambda r: r["tile_id"])
    (HERE / "truth.json").write_text(json.dumps(out, indent=1))
    print(f"wrote {len(out)} tiles to truth.json")


if __name__ == "__main__":
    main()
