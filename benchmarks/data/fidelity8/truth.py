"""Compute per-tile facts from the raw rasters of shards/geomeld-00000.tar -> truth.json.
Written independently (h5py/numpy/shapely only; no checker code)."""
import tarfile, io, json, struct, math
import numpy as np, h5py
from shapely.geometry import Polygon, Point
from shapely.ops import unary_union

np.seterr(all='ignore')
import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__)) + '/'

# ---------------- Natural Earth (minimal shp/dbf reader) ----------------
def read_dbf(path):
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<I', data[4:8])[0]
    hlen, rlen = struct.unpack('<HH', data[8:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b'\0')[0].decode()
        flen = data[pos + 16]
        fields.append((name, flen))
        pos += 32
    recs = []
    for i in range(n):
        off = hlen + i * rlen + 1
        r = {}
        for name, flen in fields:
            r[name] = data[off:off + flen].decode('utf-8', 'ignore').strip()
            off += flen
        recs.append(r)
    return recs

def read_shp(path):
    with open(path, 'rb') as f:
        data = f.read()
    pos = 100
    geoms = []
    while pos < len(data):
        _, clen = struct.unpack('>II', data[pos:pos + 8])
        rec = data[pos + 8: pos + 8 + clen * 2]
        pos += 8 + clen * 2
        st = struct.unpack('<i', rec[:4])[0]
        if st != 5:
            geoms.append(None); continue
        nparts, npts = struct.unpack('<ii', rec[36:44])
        parts = list(struct.unpack('<%di' % nparts, rec[44:44 + 4 * nparts]))
        p0 = 44 + 4 * nparts
        pts = np.frombuffer(rec[p0:p0 + 16 * npts], dtype='<f8').reshape(-1, 2)
        parts.append(npts)
        polys = []
        for a, b in zip(parts[:-1], parts[1:]):
            ring = pts[a:b]
            if len(ring) >= 4:
                pg = Polygon(ring).buffer(0)
                polys.append(pg)
        geoms.append(unary_union(polys) if polys else None)
    return geoms

NE_RECS = read_dbf(HERE + '../fidelity/naturalearth_lowres/naturalearth_lowres.dbf')
NE_GEOMS = read_shp(HERE + '../fidelity/naturalearth_lowres/naturalearth_lowres.shp')

def country_of(lat, lon):
    p = Point(lon, lat)
    best = None
    for r, g in zip(NE_RECS, NE_GEOMS):
        if g is None:
            continue
        if g.contains(p):
            return r.get('name'), 0.0
        d = g.distance(p)
        if best is None or d < best[1]:
            best = (r.get('name'), d)
    return best

# ---------------- hand-written geography (my own knowledge) ----------------
# Towns used for distance statements (lat, lon)
TOWNS = {
    'Brandenburg an der Havel': (52.4125, 12.5316), 'Berlin': (52.520, 13.405), 'Potsdam': (52.391, 13.065),
    'Rathenow': (52.605, 12.336), 'New Ross': (52.396, -6.937), 'Wexford': (52.336, -6.463),
    'Kilkenny': (52.654, -7.252), 'Abrantes': (39.463, -8.198), 'Lisbon': (38.722, -9.139),
    'Joensuu': (62.601, 29.763), 'Ilomantsi': (62.672, 30.929), 'Grieskirchen': (48.235, 13.831),
    'Ried im Innkreis': (48.210, 13.489), 'Linz': (48.306, 14.286), 'Dublin': (53.350, -6.260),
}
REGION = {  # group key -> (region phrases true, false region phrases (plausible but wrong), nearby towns)
    'brandenburg': dict(country='Germany', regions=['Brandenburg', 'the state of Brandenburg', 'eastern Germany', 'the Havel lowlands west of Berlin'],
                        false_regions=['Saxony', 'Mecklenburg-Western Pomerania', 'Bavaria', 'Lower Saxony', 'Saxony-Anhalt near Magdeburg', 'the Harz mountains'],
                        towns=['Brandenburg an der Havel', 'Berlin', 'Potsdam'],
                        false_places=['the outskirts of Dresden', 'the Baltic coast near Rostock', 'the suburbs of Leipzig', 'western Poland near Poznań', 'the Czech Republic', 'the Netherlands', 'Hamburg harbour', 'the Bavarian Alps'],
                        false_countries=['Poland', 'the Czech Republic', 'Denmark', 'the Netherlands', 'Austria'],
                        elev_max=120, hemisphere='N'),
    'ireland': dict(country='Ireland', regions=['south-east Ireland', 'the Republic of Ireland', 'the province of Leinster'],
                    false_regions=['Northern Ireland', 'County Donegal', 'Connemara on the west coast', 'County Kerry'],
                    towns=[], false_places=['Wales', 'Scotland', 'Cornwall in England', 'Brittany in France', 'the Isle of Man'],
                    false_countries=['the United Kingdom', 'France', 'Iceland', 'Belgium'], elev_max=350, hemisphere='N'),
    'portugal': dict(country='Portugal', regions=['central Portugal', 'the Iberian Peninsula'],
                     false_regions=['the Algarve coast', 'the Douro valley near Porto', 'Galicia in Spain', 'Andalusia'],
                     towns=['Abrantes', 'Lisbon'], false_places=['the suburbs of Madrid', 'Andalusia in Spain', 'the Algarve coast', 'Morocco'],
                     false_countries=['Spain', 'Morocco', 'France', 'Italy'], elev_max=600, hemisphere='N'),
    'finland': dict(country='Finland', regions=['eastern Finland', 'North Karelia', 'Fennoscandia'],
                    false_regions=['Lapland above the Arctic Circle', 'the Åland islands', 'Uusimaa near Helsinki', 'the Republic of Karelia in Russia'],
                    towns=['Joensuu', 'Ilomantsi'], false_places=['central Sweden', 'Estonia', 'the Kola Peninsula', 'northern Norway', 'the outskirts of St Petersburg'],
                    false_countries=['Russia', 'Sweden', 'Norway', 'Estonia'], elev_max=300, hemisphere='N'),
    'austria': dict(country='Austria', regions=['Upper Austria', 'the Alpine foreland of Austria', 'central Europe'],
                    false_regions=['Tyrol', 'Vienna', 'Carinthia', 'Bavaria in Germany', 'Styria'],
                    towns=['Grieskirchen', 'Ried im Innkreis', 'Linz'], false_places=['the suburbs of Munich', 'South Bohemia in Czechia', 'the Swiss Alps', 'Slovenia', 'Hungary near Lake Balaton'],
                    false_countries=['Germany', 'Czechia', 'Switzerland', 'Hungary', 'Slovenia'], elev_max=900, hemisphere='N'),
}
TILE_GROUP = {'ben-36_85': 'ireland', 'ben-4_55': 'ireland', 'ben-56_35': 'portugal', 'ben-57_38': 'finland',
              'ben-69_24': 'finland', 'ben-87_48': 'austria'}
COUNTY = {'ben-36_85': 'County Wexford', 'ben-4_55': 'County Kilkenny'}

def hav_km(a, b):
    la1, lo1 = map(math.radians, a); la2, lo2 = map(math.radians, b)
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))

def bearing8(frm, to):
    la1, lo1 = map(math.radians, frm); la2, lo2 = map(math.radians, to)
    y = math.sin(lo2 - lo1) * math.cos(la2)
    x = math.cos(la1) * math.sin(la2) - math.sin(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    b = (math.degrees(math.atan2(y, x)) + 360) % 360
    names = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west']
    return names[int((b + 22.5) // 45) % 8], b

ESA = {10: 'tree', 20: 'shrub', 30: 'grass', 40: 'crop', 50: 'built', 60: 'bare', 70: 'snow', 80: 'water', 90: 'wetland', 95: 'mangrove', 100: 'moss'}

def region_counts(mask):
    """Counts of True pixels in spatial parts of a 128x128 mask (row 0 = north, col 0 = west)."""
    m = mask
    H = 64
    out = {
        'total': int(m.sum()),
        'NW': int(m[:H, :H].sum()), 'NE': int(m[:H, H:].sum()), 'SW': int(m[H:, :H].sum()), 'SE': int(m[H:, H:].sum()),
        'N_half': int(m[:H].sum()), 'S_half': int(m[H:].sum()), 'W_half': int(m[:, :H].sum()), 'E_half': int(m[:, H:].sum()),
        'N_third': int(m[:43].sum()), 'S_third': int(m[85:].sum()), 'W_third': int(m[:, :43].sum()), 'E_third': int(m[:, 85:].sum()),
        'centre': int(m[32:96, 32:96].sum()),
        'edge200_N': int(m[:20].sum()), 'edge200_S': int(m[108:].sum()), 'edge200_W': int(m[:, :20].sum()), 'edge200_E': int(m[:, 108:].sum()),
    }
    if out['total']:
        rr, cc = np.nonzero(m)
        out['row_min'], out['row_max'], out['col_min'], out['col_max'] = int(rr.min()), int(rr.max()), int(cc.min()), int(cc.max())
        out['centroid_rc'] = [round(float(rr.mean()), 1), round(float(cc.mean()), 1)]
    return out

def season_of(month, hemi='N'):
    s = {12: 'winter', 1: 'winter', 2: 'winter', 3: 'spring', 4: 'spring', 5: 'spring', 6: 'summer', 7: 'summer', 8: 'summer',
         9: 'autumn', 10: 'autumn', 11: 'autumn'}[month]
    return s

def main():
    tf = tarfile.open(HERE + 'shards/geomeld-00000.tar')
    out = {}
    for mem in tf.getmembers():
        f = h5py.File(io.BytesIO(tf.extractfile(mem).read()), 'r')
        md = json.loads(f['metadata'][()])
        prov = md['provenance']
        mods = prov['modalities']
        tid = md['tile_id']
        lat, lon = float(md['lat']), float(md['long'])
        group = 'brandenburg' if tid.startswith('bb8') else TILE_GROUP[tid]
        T = {'tile_id': tid, 'group': group, 'lat': lat, 'lon': lon, 'crs': prov['grid']['crs']}
        origin = {k: v.get('origin') for k, v in mods.items()}
        T['origin'] = origin
        # ---- date ----
        s2dt = mods['sentinel2'].get('datetime') or md['acquisition_date']
        date = s2dt[:10]
        y, mo, d = map(int, date.split('-'))
        T['date'] = date; T['year'] = y; T['month'] = mo; T['day'] = d
        T['season'] = season_of(mo)
        T['s2_product'] = mods['sentinel2'].get('product_type')
        T['s2_time_utc'] = s2dt[11:16]
        # ---- place ----
        cname, cdist = country_of(lat, lon)
        T['ne_country'] = cname; T['ne_country_dist_deg'] = round(cdist, 4)
        R = REGION[group]
        T['country'] = R['country']
        T['county'] = COUNTY.get(tid)
        towns = {}
        for tn in R['towns'] + (['New Ross', 'Wexford'] if tid == 'ben-36_85' else []) + (['Kilkenny'] if tid == 'ben-4_55' else []) + (['Dublin'] if group == 'ireland' else []):
            km = hav_km((lat, lon), TOWNS[tn])
            dirn, _ = bearing8(TOWNS[tn], (lat, lon))  # direction of the tile FROM the town
            towns[tn] = {'km': round(km, 1), 'tile_is_dir_of_town': dirn}
        T['towns'] = towns
        # ---- Sentinel-2 ----
        s2 = f['sentinel2'][()].astype('float64')
        names = md['band_names']['sentinel2']
        ev_s2 = origin.get('sentinel2') in ('real', 'substitute') and np.isfinite(s2).any()
        T['ev_s2'] = bool(ev_s2)
        if ev_s2:
            B = {n: s2[i] / 10000.0 for i, n in enumerate(names)}
            valid = np.all(np.isfinite(s2), axis=0)
            T['s2_valid_px'] = int(valid.sum())
            ndvi = (B['B8'] - B['B4']) / (B['B8'] + B['B4'])
            ndwi = (B['B3'] - B['B8']) / (B['B3'] + B['B8'])
            ndsi = (B['B3'] - B['B11']) / (B['B3'] + B['B11'])
            bright = (B['B2'] + B['B3'] + B['B4']) / 3
            v = valid
            def st(a):
                a = a[v]
                return {'mean': round(float(a.mean()), 3), 'median': round(float(np.median(a)), 3),
                        'p10': round(float(np.percentile(a, 10)), 3), 'p90': round(float(np.percentile(a, 90)), 3),
                        'min': round(float(a.min()), 3), 'max': round(float(a.max()), 3)}
            T['ndvi'] = st(ndvi)
            for thr in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
                T['ndvi']['frac_gt_%g' % thr] = round(float((ndvi[v] > thr).mean()), 4)
            T['ndwi'] = st(ndwi)
            T['ndwi']['frac_gt_0'] = round(float((ndwi[v] > 0).mean()), 4)
            T['ndwi']['frac_gt_0.2'] = round(float((ndwi[v] > 0.2).mean()), 4)
            T['ndsi'] = st(ndsi)
            snow = v & (ndsi > 0.4) & (B['B3'] > 0.2) & (B['B8'] > 0.11)
            T['snow_frac'] = round(float(snow.sum() / v.sum()), 4)
            T['snow_regions'] = region_counts(snow)
            T['bright'] = st(bright)
            T['bright_frac_B2_gt_0.3'] = round(float((B['B2'][v] > 0.3).mean()), 4)
            T['refl_mean'] = {b: round(float(B[b][v].mean()), 4) for b in ('B2', 'B3', 'B4', 'B8', 'B11', 'B12')}
            T['s2_nodata_regions'] = region_counts(~valid)
            # S2 water: NDWI>0.2 (McFeeters) - conservative open-water detector
            s2w = v & (ndwi > 0.2) & (ndvi < 0.1) & ~snow
            T['s2_water_px'] = int(s2w.sum())
            T['s2_water_regions'] = region_counts(s2w)
            veg = v & (ndvi > 0.5)
            T['veg_regions'] = region_counts(veg)
            # per-quadrant NDVI means
            q = {}
            for name, sl in {'NW': (slice(0, 64), slice(0, 64)), 'NE': (slice(0, 64), slice(64, 128)),
                             'SW': (slice(64, 128), slice(0, 64)), 'SE': (slice(64, 128), slice(64, 128))}.items():
                a = ndvi[sl][v[sl]]
                q[name] = round(float(a.mean()), 3) if a.size else None
            T['ndvi_quadrant_mean'] = q
        # ---- Sentinel-1 ----
        s1 = f['sentinel1'][()].astype('float64')
        s1names = md['band_names']['sentinel1']
        ev_s1 = origin.get('sentinel1') in ('real', 'substitute') and np.isfinite(s1).any()
        T['ev_s1'] = bool(ev_s1)
        if ev_s1:
            S = {}
            for i, n in enumerate(s1names):
                a = s1[i]
                if np.isfinite(a).any():
                    aa = a[np.isfinite(a)]
                    lin = 10 ** (aa / 10)
                    S[n] = {'mean_db': round(float(aa.mean()), 2), 'median_db': round(float(np.median(aa)), 2),
                            'p5_db': round(float(np.percentile(aa, 5)), 2), 'p95_db': round(float(np.percentile(aa, 95)), 2),
                            'mean_linear': round(float(lin.mean()), 4), 'n': int(aa.size)}
            T['s1'] = S
            T['s1_orbit'] = mods['sentinel1'].get('items', [{}])[0].get('orbit_state')
            T['s1_date'] = (mods['sentinel1'].get('items', [{}])[0].get('datetime') or '')[:10]
            T['s1_bands'] = sorted(S)
        # ---- land cover (ESA WorldCover grid) ----
        lc_origin = origin.get('esa_worldcover')
        ev_lc = lc_origin in ('real', 'substitute')
        T['ev_lc'] = bool(ev_lc)
        T['lc_origin'] = lc_origin
        if ev_lc:
            lc = f['esa_worldcover'][0]
            lab = lc > 0
            T['lc_labelled_px'] = int(lab.sum())
            T['lc_unlabelled_px'] = int((~lab).sum())
            classes = {}
            for code in sorted(set(np.unique(lc).tolist()) - {0}):
                m = lc == code
                classes[ESA.get(code, str(code))] = {'code': int(code), 'px': int(m.sum()), 'regions': region_counts(m)}
            T['lc'] = classes
        # ---- water (JRC occurrence layer or stand-in) ----
        ev_w = origin.get('jrc_occurrence') in ('real', 'substitute') and 'jrc_occurrence' in f
        T['ev_water_layer'] = bool(ev_w)
        if ev_w:
            occ = f['jrc_occurrence'][()]
            wm = np.nan_to_num(occ) >= 50
            T['water_px'] = int(wm.sum())
            T['water_regions'] = region_counts(wm)
        T['ev_dem'] = origin.get('aster') in ('real', 'substitute')
        T['ev_chm'] = origin.get('canopy_height') in ('real', 'substitute')
        T['elev_max_general'] = R['elev_max']
        out[tid] = T
    json.dump(out, open(HERE + 'truth.json', 'w'), indent=1)
    for tid, T in out.items():
        print(tid, T['group'], T['ne_country'], T['date'], T.get('water_px'), T.get('s2_water_px'), T.get('snow_frac'), T.get('ndvi', {}).get('mean'),
              {k: v['km'] for k, v in T['towns'].items()})

if __name__ == '__main__':
    main()
