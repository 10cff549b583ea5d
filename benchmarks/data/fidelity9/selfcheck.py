"""Re-check every clause in clauses_audit.jsonl against truth.json, plus structural rules of dev/test."""
import json, datetime, sys
from collections import Counter, defaultdict

import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__))
T = json.load(open(HERE + '/truth.json'))
GEO_TRUE = {'elev_low', 'flat', 'gentle', 'moderate', 'canopy_normal'}
GEO_FALSE = {'elev_high', 'rugged', 'steep', 'alpine', 'canopy_giant', 'exotic'}


def ev(t, c):
    k = c['kind']; lc = t['lc']; w = t['water']
    d = datetime.date.fromisoformat(t['date'])
    if k == 'all':
        return all(ev(t, p) for p in c['parts'])
    if k == 'any':
        return any(ev(t, p) for p in c['parts'])
    if k == 'lc_lo_ge':
        return lc[c['cls']]['lo'] >= c['v']
    if k == 'lc_hi_le':
        return lc[c['cls']]['hi'] <= c['v']
    if k == 'lc_gt':
        return lc[c['a']]['lo'] >= lc[c['b']]['hi'] + c['m']
    if k == 'lc_gt2':
        return min(lc[c['a']]['lo'], lc[c['b']]['lo']) >= lc[c['c']]['hi'] + c['m']
    if k == 'lc_ratio':
        return lc[c['a']]['lo'] >= c['r'] * lc[c['b']]['hi']
    if k == 'sect_ge':
        return lc[c['cls']]['sect'][c['q']] >= c['v']
    if k == 'water_hi_le':
        return w['hi'] <= c['v']
    if k == 'water_lo_ge':
        return w['lo'] >= c['v']
    if k == 'wsect_ge':
        return w['sect'][c['q']] >= c['v']
    if k == 'ndvi_le':
        return t['ndvi_mean'] <= c['v']
    if k == 'ndvi_ge':
        return t['ndvi_mean'] >= c['v']
    if k == 'snow_ge':
        return t['snow_share'] >= c['v']
    if k == 'snow_le':
        return t['snow_share'] <= c['v']
    if k == 'cloud_le':
        return t['cloud_share'] <= c['v']
    if k == 'date_eq':
        return True  # rendered from the tile's own acquisition date (checked in text below)
    if k == 'month_ne':
        return c['month'] == d.month  # the clause claims another month -> condition false => clause false
    if k == 'year_ne':
        return c['year'] == d.year
    if k == 'month_in':
        return d.month in c['months']
    if k == 'day_ge':
        return d.day >= c['v']
    if k == 'day_le':
        return d.day <= c['v']
    if k == 'day_in':
        return c['a'] <= d.day <= c['b']
    if k == 'country':
        return c['c'] == t['country_ne']
    if k == 'region_ok':
        return True
    if k == 'region_wrong':
        return c['r'] not in t['wrong_regions']
    if k == 'town':
        tb = t['towns'][c['town']]
        diff = abs((tb['bearing'] - {'north': 0, 'north-east': 45, 'east': 90, 'south-east': 135, 'south': 180,
                                      'south-west': 225, 'west': 270, 'north-west': 315}[c['dirn']] + 180) % 360 - 180)
        return tb['km'] <= c['maxkm'] and diff <= 30
    if k == 'town_dir_wrong':
        tb = t['towns'][c['town']]
        diff = abs((tb['bearing'] - {'north': 0, 'north-east': 45, 'east': 90, 'south-east': 135, 'south': 180,
                                      'south-west': 225, 'west': 270, 'north-west': 315}[c['dirn']] + 180) % 360 - 180)
        return diff <= 90  # clause true only if the claimed direction is within 90 degrees
    if k == 'town_km':
        return abs(t['towns'][c['town']]['km'] - c['km']) < 1e-6
    if k == 'town_far':
        return t['towns'][c['town']]['km'] <= 5
    if k == 'sar_near':
        return abs(t['sar'][c['pol']] - c['v']) <= c['tol']
    if k == 'sar_vv_gt_vh':
        return t['sar']['VV'] > t['sar']['VH'] + 1
    if k == 'geo':
        if c['what'] in GEO_TRUE:
            return True
        return False
    raise ValueError(k)


def clause_truth(t, chk):
    cond = ev(t, chk)
    if chk['kind'] in ('month_ne', 'year_ne', 'town_far', 'town_dir_wrong', 'region_wrong', 'geo'):
        # these kinds evaluate the claim directly (True = claim holds)
        if chk['kind'] == 'region_wrong':
            return cond
        return cond
    return cond if chk.get('expect', True) else not cond


def main():
    probs = []
    audit = [json.loads(l) for l in open(HERE + '/clauses_audit.jsonl')]
    by = defaultdict(list)
    for a in audit:
        by[a['caption_id']].append(a)
        t = T[a['tile_id']]; chk = a['check']
        truth = clause_truth(t, chk)
        if chk['kind'] == 'geo' and chk['what'] in GEO_FALSE:
            truth = False
        if truth != a['value']:
            probs.append(('clause value mismatch', a['caption_id'], a['clause'], chk))
        # margins for share claims
        if chk['kind'] == 'lc_lo_ge' and a['value'] is False and 'claim_lt' in chk:
            if t['lc'][chk['cls']]['lo'] < chk['claim_lt'] + 0.05:
                probs.append(('margin', a['caption_id'], a['clause']))
        if chk['kind'] == 'date_eq':
            d = datetime.date.fromisoformat(t['date'])
            if str(d.year) not in a['clause'] and "'" + str(d.year)[2:] not in a['clause'] and \
                    d.strftime('%B') not in a['clause']:
                probs.append(('date text', a['caption_id'], a['clause']))
    rows = [json.loads(l) for f in ('dev', 'test') for l in open(f'{HERE}/{f}.jsonl')]
    ids = Counter(r['caption_id'] for r in rows)
    if max(ids.values()) > 1:
        probs.append(('duplicate ids',))
    per = Counter((r['tile_id'], r['label']) for r in rows)
    for (tid, lab), n in per.items():
        if n != (48 if lab == 'false' else 20):
            probs.append(('count', tid, lab, n))
    for r in rows:
        cl = by[r['caption_id']]
        if not 2 <= len(cl) <= 5:
            probs.append(('n clauses', r['caption_id'], len(cl)))
        nf = sum(1 for a in cl if not a['value'])
        if r['label'] == 'true' and nf:
            probs.append(('false clause in true caption', r['caption_id']))
        if r['label'] == 'false':
            if nf != 1:
                probs.append(('false caption must have exactly one false clause', r['caption_id'], nf))
            if r['caption'].count(r['false_clause']) != 1:
                probs.append(('false_clause not unique substring', r['caption_id']))
            fa = [a for a in cl if a['is_false_clause']][0]
            if fa['clause'] != r['false_clause'] or fa['decidable'] != r['decidable']:
                probs.append(('audit mismatch', r['caption_id']))
        for a in cl:
            if a['clause'] not in r['caption']:
                probs.append(('clause not in caption', r['caption_id'], a['clause']))
    dev = json.load(open(HERE + '/split_dev_tiles.json'))['dev_tiles']
    test = [json.loads(l) for l in open(HERE + '/test.jsonl')]
    if any(r['tile_id'] in dev for r in test):
        probs.append(('dev tile in test',))
    nf = sum(r['label'] == 'false' for r in test); nt = sum(r['label'] == 'true' for r in test)
    if nf < 1000 or nt < 400:
        probs.append(('test too small', nf, nt))
    print('clauses', len(audit), 'captions', len(rows), 'test false/true', nf, nt)
    print('problems', len(probs))
    for p in probs[:40]:
        print(p)
    return 1 if probs else 0


if __name__ == '__main__':
    sys.exit(main())
