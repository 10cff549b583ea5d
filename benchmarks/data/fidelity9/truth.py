"""Compute per-tile facts from the raw rasters of shards/geomeld-00000.tar -> truth.json.
Own code; never imports or reads the checker. See README.md for the rules."""
import io, json, math, struct, tarfile, datetime
import numpy as np, h5py
from shapely.geometry import Polygon, Point
from shapely.ops import unary_union

import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__))
N = 128 * 128
WC = {10: 'tree', 20: 'shrub', 30: 'grass', 40: 'crop', 50: 'built', 60: 'bare', 80: 'water', 90: 'wetland'}

# towns (my own geographic knowledge, approx. centre coordinates)
TOWNS = {
    'Brandenburg an der Havel': (52.4125, 12.5316), 'Berlin': (52.5200, 13.4050), 'Potsdam': (52.3906, 13.0645),
    'Rathenow': (52.6047, 12.3366), 'Genthin': (52.4060, 12.1590), 'Nauen': (52.6060, 12.8760),
    'Magdeburg': (52.1205, 11.6276),
    'New Ross': (52.3962, -6.9364), 'Wexford': (52.3369, -6.4633), 'Kilkenny': (52.6541, -7.2448),
    'Waterford': (52.2593, -7.1101), 'Dublin': (53.3498, -6.2603), 'Cork': (51.8985, -8.4756),
    'Abrantes': (39.4636, -8.1975), 'Lisbon': (38.7223, -9.1393), 'Santarém': (39.2362, -8.6850), 'Porto': (41.1579, -8.6291),
    'Joensuu': (62.6010, 29.7636), 'Ilomantsi': (62.6716, 30.9297), 'Helsinki': (60.1699, 24.9384), 'Kuopio': (62.8924, 27.6770),
    'Grieskirchen': (48.2350, 13.8319), 'Ried im Innkreis': (48.2108, 13.4894), 'Linz': (48.3069, 14.2858),
    'Passau': (48.5667, 13.4319), 'Salzburg': (47.8095, 13.0550), 'Vienna': (48.2082, 16.3738),
}
# region knowledge per stratum / tile (country checked against Natural Earth below)
REGION = {
    'bb9': dict(region='Brandenburg', region_alt=['the state of Brandenburg', 'Havelland area of Brandenburg', 'eastern Germany'],
                wrong_regions=['Saxony-Anhalt', 'Mecklenburg-Vorpommern', 'Bavaria', 'Lower Saxony', 'Saxony'],
                wrong_countries=['Poland', 'the Netherlands', 'Denmark', 'Czech Republic'],
                terrain='flat glacial lowland (roughly 30-60 m above sea level)', elev_max=120, relief='flat'),
    'ben-36_85': dict(region='south-east Ireland', region_alt=['County Wexford area', 'southeastern Ireland'],
                      wrong_regions=['Northern Ireland', 'Scotland', 'Wales', 'County Donegal'],
                      wrong_countries=['the United Kingdom', 'France', 'Iceland'], terrain='low rolling farmland', elev_max=300, relief='gentle'),
    'ben-4_55': dict(region='south-east Ireland', region_alt=['the Kilkenny area', 'the south-east of Ireland'],
                     wrong_regions=['Northern Ireland', 'Scotland', 'Wales', 'Connemara'],
                     wrong_countries=['the United Kingdom', 'France', 'Iceland'], terrain='low rolling farmland', elev_max=350, relief='gentle'),
    'ben-56_35': dict(region='central Portugal', region_alt=['the Médio Tejo area', 'the Ribatejo / Tagus valley region'],
                      wrong_regions=['Andalusia', 'Galicia', 'the Algarve', 'Madeira'],
                      wrong_countries=['Spain', 'Morocco', 'France'], terrain='low hills and plains', elev_max=450, relief='gentle'),
    'ben-57_38': dict(region='North Karelia, eastern Finland', region_alt=['eastern Finland', 'Finnish Karelia'],
                      wrong_regions=['Lapland', 'Åland', 'the Helsinki region'],
                      wrong_countries=['Russia', 'Sweden', 'Estonia', 'Norway'], terrain='low boreal forest and lake plateau', elev_max=350, relief='gentle'),
    'ben-69_24': dict(region='North Karelia, eastern Finland', region_alt=['eastern Finland', 'Finnish Karelia'],
                      wrong_regions=['Lapland', 'Åland', 'the Helsinki region'],
                      wrong_countries=['Russia', 'Sweden', 'Estonia', 'Norway'], terrain='low boreal forest and lake plateau', elev_max=350, relief='gentle'),
    'ben-87_48': dict(region='Upper Austria', region_alt=['the Hausruck/Innviertel area of Upper Austria', 'northern Austria'],
                      wrong_regions=['Bavaria', 'Tyrol', 'Styria', 'South Tyrol'],
                      wrong_countries=['Germany', 'Czech Republic', 'Switzerland', 'Hungary'], terrain='hilly pre-alpine foreland (about 350-600 m)', elev_max=800, relief='hilly'),
}


def read_naturalearth():
    """Minimal .shp/.dbf reader (polygon shapes) -> list of (name, geometry)."""
    base = HERE + '/../fidelity/naturalearth_lowres/naturalearth_lowres'
    d = open(base + '.dbf', 'rb').read()
    nrec, hlen, rlen = struct.unpack('<IHH', d[4:12])
    fields = []; p = 32
    while d[p] != 0x0D:
        name = d[p:p + 11].split(b'\0')[0].decode(); ln = d[p + 16]; fields.append((name, ln)); p += 32
    recs = []
    for i in range(nrec):
        o = hlen + i * rlen + 1; r = {}
        for name, ln in fields:
            r[name] = d[o:o + ln].decode('latin1').strip(); o += ln
        recs.append(r)
    s = open(base + '.shp', 'rb').read(); p = 100; geoms = []
    while p < len(s):
        _, clen = struct.unpack('>II', s[p:p + 8]); c = s[p + 8:p + 8 + clen * 2]; p += 8 + clen * 2
        st = struct.unpack('<i', c[:4])[0]
        if st != 5:
            geoms.append(None); continue
        npart, npt = struct.unpack('<ii', c[36:44])
        parts = list(struct.unpack('<%di' % npart, c[44:44 + 4 * npart])) + [npt]
        pts = np.frombuffer(c[44 + 4 * npart:44 + 4 * npart + 16 * npt], dtype='<f8').reshape(-1, 2)
        polys = [Polygon(pts[parts[k]:parts[k + 1]]).buffer(0) for k in range(npart)]
        geoms.append(unary_union(polys))
    return [(r.get('name') or r.get('NAME'), g) for r, g in zip(recs, geoms)]


def bearing_dist(lat0, lon0, lat1, lon1):
    """distance km and compass bearing from point0 to point1."""
    R = 6371.0
    p0, p1 = math.radians(lat0), math.radians(lat1); dl = math.radians(lon1 - lon0)
    a = math.sin((p1 - p0) / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    dist = 2 * R * math.asin(math.sqrt(a))
    y = math.sin(dl) * math.cos(p1); x = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return dist, (math.degrees(math.atan2(y, x)) + 360) % 360


def sectors(mask, valid=None):
    """count of mask pixels per half / quarter (row 0 = north)."""
    h = 64
    q = {'north': mask[:h].sum(), 'south': mask[h:].sum(), 'west': mask[:, :h].sum(), 'east': mask[:, h:].sum(),
         'north-west': mask[:h, :h].sum(), 'north-east': mask[:h, h:].sum(), 'south-west': mask[h:, :h].sum(),
         'south-east': mask[h:, h:].sum(), 'centre': mask[32:96, 32:96].sum()}
    return {k: int(v) for k, v in q.items()}


def main():
    ne = read_naturalearth()
    t = tarfile.open(HERE + '/shards/geomeld-00000.tar')
    out = {}
    for m in t.getmembers():
        f = h5py.File(io.BytesIO(t.extractfile(m).read()), 'r')
        md = json.loads(f['metadata'][()])
        tid = md['tile_id']; mods = md['provenance']['modalities']
        org = {k: (v.get('origin') or 'absent') for k, v in mods.items()}
        lat, lon = md['lat'], md['long']
        T = dict(tile_id=tid, lat=lat, lon=lon, origins=org)
        # --- place
        pt = Point(lon, lat)
        T['country_ne'] = next((n for n, g in ne if g is not None and g.contains(pt)), None)
        reg = REGION['bb9' if tid.startswith('bb9') else tid]
        T.update(reg)
        T['towns'] = {n: dict(zip(('km', 'bearing'), [round(x, 1) for x in bearing_dist(c[0], c[1], lat, lon)]))
                      for n, c in TOWNS.items()}
        # --- date (from the Sentinel-2 acquisition, origin real/substitute)
        d = datetime.date.fromisoformat(md['acquisition_date'])
        T['date'] = d.isoformat(); T['doy'] = d.timetuple().tm_yday; T['isoweek'] = d.isocalendar()[1]
        # --- Sentinel-2
        bn = md['band_names']['sentinel2']; s2 = f['sentinel2'][:].astype('f8'); b = dict(zip(bn, s2))
        valid = np.isfinite(b['B4']) & np.isfinite(b['B8']) & np.isfinite(b['B3']) & np.isfinite(b['B11'])
        T['s2_valid'] = float(valid.mean())
        ndvi = (b['B8'] - b['B4']) / (b['B8'] + b['B4']); ndwi = (b['B3'] - b['B8']) / (b['B3'] + b['B8'])
        ndsi = (b['B3'] - b['B11']) / (b['B3'] + b['B11'])
        T['ndvi_mean'] = float(np.nanmean(ndvi[valid])); T['ndvi_p90'] = float(np.nanpercentile(ndvi[valid], 90))
        T['ndvi_gt06'] = float(np.mean(ndvi[valid] > 0.6))
        T['ndvi_half'] = {k: float(np.nanmean(v)) for k, v in
                          dict(north=ndvi[:64], south=ndvi[64:], west=ndvi[:, :64], east=ndvi[:, 64:]).items()}
        snow = valid & (ndsi > 0.4) & (b['B3'] > 1500) & (b['B8'] > 1100)
        T['snow_share'] = float(snow.sum() / valid.sum())
        cloud = valid & (b['B2'] > 2500) & (b['B11'] > 2000) & (ndsi < 0.2)
        T['cloud_share'] = float(cloud.sum() / valid.sum())
        T['ndwi_gt02'] = float(np.mean(ndwi[valid] > 0.2))
        # --- land cover: only substitute/real layers at this place decide; coarse decides nothing at tile scale
        lc_ok = org.get('esa_worldcover') in ('real', 'substitute')
        T['lc_origin'] = org.get('esa_worldcover')
        wc = f['esa_worldcover'][0]
        labelled = (wc != 0) & (wc != 255)
        T['lc_labelled'] = float(labelled.mean())
        lc = {}
        if lc_ok:
            unl = 1 - labelled.mean()
            for code, name in WC.items():
                msk = wc == code; lo = float(msk.mean())
                lc[name] = dict(lo=lo, hi=min(1.0, lo + unl), px=int(msk.sum()), sect=sectors(msk))
        # --- water (bb9: OSM water occurrence substitute over the whole tile + S2 NDWI as upper bound)
        if 'jrc_occurrence' in f and org.get('jrc_occurrence') in ('real', 'substitute'):
            j = f['jrc_occurrence'][:]
            wm = (j >= 50) | (wc == 80)
            wlo = float(wm.mean()); whi = max(wlo, float(np.mean((ndwi > 0.2) | wm)))
            T['water'] = dict(lo=wlo, hi=whi, sect=sectors(wm), src='jrc+s2')
        else:  # ben tiles: real S2 only
            wm = valid & (ndwi > 0.2)
            share = float(wm.sum() / valid.sum())
            T['water'] = dict(lo=0.0 if share < 0.01 else share * 0.5, hi=share, sect=sectors(wm), src='s2')
            if T['snow_share'] > 0.2:  # snow/ice: lakes may hide under ice -> water undecidable
                T['water'] = None
        if lc_ok and T['water'] is not None:
            lc['water'] = dict(lo=T['water']['lo'], hi=T['water']['hi'], px=int(wm.sum()), sect=T['water']['sect'])
        T['lc'] = lc
        # --- SAR (real only)
        s1 = f['sentinel1'][:].astype('f8'); s1n = md['band_names']['sentinel1']; sar = {}
        if org.get('sentinel1') in ('real', 'substitute'):
            for pol in ('VV', 'VH'):
                for i, n in enumerate(s1n):
                    if n.startswith(pol + '_') and np.isfinite(s1[i]).mean() > 0.5:
                        sar[pol] = float(np.nanmean(s1[i])); sar[pol + '_orbit'] = n.split('_')[1]
                        break
        T['sar'] = sar
        # terrain / canopy layers: all absent in this shard -> general geography only
        T['dem_present'] = org.get('aster') in ('real', 'substitute') and np.isfinite(f['aster'][:]).any()
        T['canopy_present'] = org.get('canopy_height') in ('real', 'substitute') and np.isfinite(f['canopy_height'][:]).any()
        out[tid] = T
    json.dump(out, open(HERE + '/truth.json', 'w'), indent=1)
    print(len(out), 'tiles;', {k: v['country_ne'] for k, v in out.items() if not k.startswith('bb9')}, out['bb9-000']['country_ne'])


if __name__ == '__main__':
    main()
