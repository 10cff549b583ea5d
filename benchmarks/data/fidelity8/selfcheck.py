"""Independent re-check of the caption set against truth.json.
Structural checks + a regex re-reading of clauses (dates, seasons, countries, NDVI, SAR dB, land-cover bounds,
presence/absence of classes, water, snow). The parser is written separately from the templates in compose.py:
it reads the clause text, not the template that produced it."""
import json, re, sys, datetime
from collections import Counter, defaultdict

import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__)) + '/'
T = json.load(open(HERE + 'truth.json'))
dev = [json.loads(l) for l in open(HERE + 'dev.jsonl')]
test = [json.loads(l) for l in open(HERE + 'test.jsonl')]
audit = [json.loads(l) for l in open(HERE + 'clauses_audit.jsonl')]
dev_tiles = set(json.load(open(HERE + 'split_dev_tiles.json')))
problems = []

def P(msg):
    problems.append(msg)

# ---------------- structural
rows = dev + test
ids = Counter(r['caption_id'] for r in rows)
for k, v in ids.items():
    if v > 1: P(f'duplicate id {k}')
if set(r['tile_id'] for r in dev) & set(r['tile_id'] for r in test): P('tile in both splits')
if set(r['tile_id'] for r in dev) != dev_tiles: P('split_dev_tiles mismatch')
per = defaultdict(Counter)
for r in rows:
    per[r['tile_id']][r['label']] += 1
    if r['label'] == 'false':
        for k in ('false_clause', 'false_family', 'decidable'):
            if k not in r: P(f"{r['caption_id']} missing {k}")
        if r['caption'].count(r['false_clause']) != 1: P(f"{r['caption_id']} false_clause occurs {r['caption'].count(r['false_clause'])}x")
    else:
        if 'false_clause' in r: P(f"{r['caption_id']} true caption has false_clause")
for t, c in per.items():
    if c['false'] != 48 or c['true'] != 20: P(f'{t} counts {dict(c)}')
tf = sum(r['label'] == 'false' for r in test); tt = sum(r['label'] == 'true' for r in test)
if tf < 1000 or tt < 400: P(f'test too small {tf} {tt}')
byc = defaultdict(list)
for a in audit:
    byc[a['caption_id']].append(a)
cap = {r['caption_id']: r for r in rows}
for cid, cl in byc.items():
    r = cap[cid]
    if not 2 <= len(cl) <= 5: P(f'{cid} has {len(cl)} clauses')
    nfalse = sum(a['is_false'] for a in cl)
    if r['label'] == 'false' and (nfalse != 1 or [a['clause'] for a in cl if a['is_false']][0] != r['false_clause']): P(f'{cid} false clause mismatch')
    if r['label'] == 'true' and nfalse: P(f'{cid} true caption with false clause')
    for a in cl:
        if a['clause'] not in r['caption']: P(f'{cid} clause not in caption: {a["clause"]}')
if len(byc) != len(rows): P('audit/caption count mismatch')

# ---------------- semantic re-reading
MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
CLASSWORDS = [  # (regex, key) longest / most specific first
    (r'herbaceous wetland|wetland|marshland|reed beds|fen and marsh', 'wetland'),
    (r'tree cover|trees|woodland|forest stands|forest|wooded land|tree canopy|timberland', 'tree'),
    (r'shrubland|shrub and scrub|scrub|bushland|brush', 'shrub'),
    (r'grassland|grass|meadows|pasture|grazing land', 'grass'),
    (r'cropland|arable land|farmland|cultivated fields|crop fields|tilled land|agricultural fields', 'crop'),
    (r'built-up|settlement|urban fabric|sealed surfaces|houses and roads|built area', 'built'),
    (r'permanent water|open water|surface water', 'water'),
]
COUNTRY = [('northern ireland', 'United Kingdom'), ('united kingdom', 'United Kingdom'), ('england', 'United Kingdom'), ('wales', 'United Kingdom'),
           ('scotland', 'United Kingdom'), ('germany', 'Germany'), ('german state', 'Germany'), ('ireland', 'Ireland'), ('poland', 'Poland'),
           ('czech', 'Czechia'), ('denmark', 'Denmark'), ('netherlands', 'Netherlands'), ('austria', 'Austria'), ('portugal', 'Portugal'),
           ('spain', 'Spain'), ('morocco', 'Morocco'), ('france', 'France'), ('italy', 'Italy'), ('finland', 'Finland'), ('russia', 'Russia'),
           ('sweden', 'Sweden'), ('norway', 'Norway'), ('estonia', 'Estonia'), ('switzerland', 'Switzerland'), ('hungary', 'Hungary'),
           ('slovenia', 'Slovenia'), ('iceland', 'Iceland'), ('belgium', 'Belgium')]
NEG = re.compile(r"\bno\b|free of|lacks|absent|none|not a single|zero |= 0 px|: 0\.0 ha|missing|does not occur|devoid|without|nowhere|neither|isn't any|count = 0|is empty|dry|water-free|snow-free|bare of snow")

def parse_date(c):
    c2 = c.lower()
    m = re.search(r'(20\d\d)-(\d\d)-(\d\d)', c2)
    if m: return ('d', int(m[1]), int(m[2]), int(m[3]))
    m = re.search(r'\b(\d\d)[./](\d\d)[./](20\d\d)', c2)
    if m: return ('d', int(m[3]), int(m[2]), int(m[1]))
    m = re.search(r'\b(20\d\d)(\d\d)(\d\d)\b', c2)
    if m: return ('d', int(m[1]), int(m[2]), int(m[3]))
    m = re.search(r'doy (\d{3}) of (20\d\d)', c2)
    if m:
        d = datetime.date(int(m[2]), 1, 1) + datetime.timedelta(int(m[1]) - 1)
        return ('d', d.year, d.month, d.day)
    mon = '|'.join(MONTHS)
    m = re.search(r'\b(\d{1,2}) (' + mon + r') (20\d\d)', c2)
    if m: return ('d', int(m[3]), MONTHS.index(m[2]) + 1, int(m[1]))
    m = re.search(r'\b(' + mon + r') (\d{1,2}), (20\d\d)', c2)
    if m: return ('d', int(m[3]), MONTHS.index(m[1]) + 1, int(m[2]))
    m = re.search(r'\b(' + '|'.join(x[:3] for x in MONTHS) + r') (\d{1,2}), (20\d\d)', c2)
    if m: return ('d', int(m[3]), [x[:3] for x in MONTHS].index(m[1]) + 1, int(m[2]))
    m = re.search(r'\b(' + mon + r') (20\d\d)', c2)
    if m: return ('m', int(m[2]), MONTHS.index(m[1]) + 1, None)
    m = re.search(r'\b(' + '|'.join(x[:3] for x in MONTHS) + r')-(20\d\d)', c2)
    if m: return ('m', int(m[2]), [x[:3] for x in MONTHS].index(m[1]) + 1, None)
    m = re.search(r'acquired (20\d\d)-(\d\d)\b', c2)
    if m: return ('m', int(m[1]), int(m[2]), None)
    m = re.search(r'\b(' + mon + r')\b', c2)
    if m and ('taken in' in c2 or 'acquisition' in c2): return ('mo', None, MONTHS.index(m[1]) + 1, None)
    m = re.search(r'(?:imaged in|acquisition year|dates from|winter|summer|spring|autumn) (20\d\d)\b', c2)
    if m: return ('y', int(m[1]), None, None)
    return None

def check_clause(a):
    """returns (verdict, reason): verdict True/False = clause truth as read by this parser; None = not parsed."""
    t = T[a['tile_id']]
    c = a['clause']
    cl = c.lower()
    cl = re.sub(r'\((?:worldcover |class )?\d+\)|worldcover \d+|class code \d+|\(dynamic world\)', '', cl)
    if re.search(r'mangrove|rice|palm|cactus|\btea\b|banana|olive|citrus|tundra|cork|vineyard|rainforest|permafrost', cl):
        return None, 'geo-general'
    fam = a['family']
    # dates
    d = parse_date(c)
    if d and ('acqui' in cl or 'date' in cl or 'taken' in cl or 'imag' in cl or 'captured' in cl or 'overpass' in cl or 'scene' in cl or 'sensing' in cl):
        k, y, m, dd = d
        if k == 'd': return (y, m, dd) == (t['year'], t['month'], t['day']), 'date'
        if k == 'm': return (y, m) == (t['year'], t['month']), 'month-year'
        if k == 'mo': return m == t['month'], 'month'
        if k == 'y': return y == t['year'], 'year'
    # season words
    if fam in ('season', 'consistency') or 'captured in' in cl or 'scene' in cl:
        for w, s in (('winter', 'winter'), ('summer', 'summer'), ('spring', 'spring'), ('autumn', 'autumn'), ('fall', 'autumn'), ('harvest season', 'summer')):
            if re.search(r'\b' + w + r'\b', cl) and 'ndvi' not in cl:
                ok = s == t['season'] or (s == 'summer' and t['month'] == 6)
                return ok, 'season'
    # countries
    if fam in ('place', 'consistency', None) or 'located' in cl or cl.startswith('in '):
        for w, cn in COUNTRY:
            if w in cl:
                return cn == t['country'], 'country'
    # NDVI mean
    m = re.search(r'(?:mean ndvi(?: is)?(?: about| of)?|ndvi averages|ndvi_mean=|tile-mean ndvi of|\(b8−b4\)/\(b8\+b4\) (?:≈|of)|ndvi \(b8/b4\) mean)\s*(-?\d\.\d+)', cl)
    if m and 'above' not in cl[:m.start() + 12] and 'below' not in cl[:m.start() + 12]:
        x = float(m[1])
        return abs(x - t['ndvi']['mean']) <= 0.05, 'ndvi-mean'
    m = re.search(r'ndvi between (-?\d\.\d+) and (-?\d\.\d+)', cl)
    if m:
        return float(m[1]) <= t['ndvi']['mean'] <= float(m[2]), 'ndvi-range'
    # SAR dB for VV / VH single value
    if t.get('ev_s1') and 'VV_desc' in t.get('s1', {}):
        vv, vh = t['s1']['VV_desc']['mean_db'], t['s1']['VH_desc']['mean_db']
        if 'vv' in cl and 'vh' not in cl and 'between' not in cl and 'linear' not in cl:
            m = re.search(r'([-+]?\d+(?:\.\d+)?) db', cl)
            if m: return abs(float(m[1]) - vv) <= 1.5 or ('median' in cl and abs(float(m[1]) - t['s1']['VV_desc']['median_db']) <= 1.5), 'vv-db'
        if 'vh' in cl and 'vv' not in cl and 'percentile' not in cl and 'linear' not in cl:
            m = re.search(r'([-+]?\d+(?:\.\d+)?) db', cl)
            if m: return abs(float(m[1]) - vh) <= 1.5 or ('median' in cl and abs(float(m[1]) - t['s1']['VH_desc']['median_db']) <= 1.5), 'vh-db'
        if 'vh is stronger than vv' in cl or 'vh backscatter exceeds vv' in cl:
            return vh > vv, 'vv-vh'
    # land-cover classes
    k = None
    for rx, key in CLASSWORDS:
        if re.search(rx, cl):
            k = key; break
    if t.get('ev_lc') and k and k != 'water' and fam in ('landcover_share', 'landcover_presence', 'consistency'):
        px = t['lc'].get(k, {}).get('px', 0)
        lo = px / 16384; hi = (px + t['lc_unlabelled_px']) / 16384
        if fam == 'landcover_share':
            v = None
            m0 = re.search(r'(\d[\d,]*) of 16,384 pixels', cl)
            m = re.search(r'(\d[\d,]*(?:\.\d+)?)\s*(%| %| percent| per cent| ha\b| hectares| km²| m²| pixels| px)', cl)
            if m0:
                v = float(m0[1].replace(',', '')) / 16384
            elif m:
                num = float(m[1].replace(',', '')); unit = m[2].strip()
                v = {'%': num / 100, 'percent': num / 100, 'per cent': num / 100, 'ha': num / 163.84, 'hectares': num / 163.84,
                     'km²': num / 1.6384, 'm²': num / 1.6384e6, 'pixels': num / 16384, 'px': num / 16384}[unit]
            else:
                m = re.search(r'(?:fraction|share =|fraction ≥|fraction below)\s*(?:≥|of)?\s*(0\.\d+)', cl)
                if m: v = float(m[1])
            if v is None:
                return None, 'lc-share-unparsed'
            if 'no less than' in cl:
                return (True if v <= lo + 1e-9 else False if v > hi else 'ambiguous'), 'lc-lower'
            if re.search(r'less than|\bunder\b|<|at most|no more than|\bbelow\b|negligible|limited to|\bmere\b|barely|a little|\bonly\b', cl):
                if v < lo: return False, 'lc-upper'
                if v >= hi: return True, 'lc-upper'
                return 'ambiguous', 'lc-upper'
            if re.search(r'at least|more than|\bover\b|≥|no less than|upwards|exceeds|>|or more|well over|minimum|contributes more', cl):
                if v <= lo + 1e-9: return True, 'lc-lower'
                if v > hi: return False, 'lc-lower'
                return 'ambiguous', 'lc-lower'
            if re.search(r'labels|mapped as|mapped|amounts to|px in total|accounts for|covers (?:roughly|about)|share =|fraction|minor class at', cl):
                if 'mapped' in cl or 'labels' in cl or 'amounts to' in cl:
                    return abs(v - lo) < 0.002, 'lc-mapped'
                if v < lo * 0.95 or v > hi: return False, 'lc-point'
                return 'ambiguous', 'lc-point'
            return None, 'lc-share-nocomp'
        if fam in ('landcover_presence', 'consistency'):
            if NEG.search(cl):
                allk = [key for rx, key in CLASSWORDS if re.search(rx, cl) and key != 'water']
                if any(t['lc'].get(kk, {}).get('px', 0) > 0 for kk in allk): return False, 'lc-absent'
                return 'ambiguous', 'lc-absent'
            return px > 0, 'lc-present'
    # water presence
    ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen']
    TENSW = {'twenty': 20, 'thirty': 30, 'forty': 40, 'fifty': 50, 'sixty': 60, 'seventy': 70, 'eighty': 80, 'ninety': 90}
    WORDPCT = {w: i for i, w in enumerate(ONES)}
    for tw, tv in TENSW.items():
        WORDPCT[tw] = tv
        for i in range(1, 10): WORDPCT[tw + '-' + ONES[i]] = tv + i
    if fam in ('water', 'consistency') and re.search(r'water|lake|pond|river|reservoir|dry', cl):
        vals = []
        if t.get('ev_water_layer'): vals.append(t['water_px'] / 16384)
        vals.append(t['s2_water_px'] / t['s2_valid_px'])
        lo, hi = min(vals), max(vals)
        if re.search(r'\bsea\b|ocean|tidal|\bsurf\b', cl): return False, 'water-sea'
        m = re.search(r'(\d+(?:\.\d+)?)\s*(%| %| percent| ha\b| km²| of 16,384)|\b(' + '|'.join(sorted(WORDPCT, key=len, reverse=True)) + r') percent|fraction ≈ (0\.\d+)', cl)
        if m:
            if m[4]: v = float(m[4])
            elif m[3]: v = WORDPCT[m[3]] / 100
            else:
                num = float(m[1]); u = m[2].strip()
                v = {'%': num / 100, 'percent': num / 100, 'ha': num / 163.84, 'km²': num / 1.6384, 'of 16,384': num / 16384}[u]
            if re.search(r'less than|under|below|<|only a trace', cl):
                return (True if v >= hi else False if v < lo else 'ambiguous'), 'water-upper'
            if re.search(r'at least|more than|exceeds|over', cl):
                return (True if v <= lo else False if v > hi else 'ambiguous'), 'water-lower'
            return (False if (v > hi * 1.5 + 0.02 or v < lo * 0.5) else 'ambiguous'), 'water-point'
        if re.search(r'\d', cl): return None, 'water-num'
        if NEG.search(cl):
            if hi < 0.003: return True, 'water-absent'
            if lo >= 0.005: return False, 'water-absent'
            return 'ambiguous', 'water-absent'
        if re.search(r'half|third|fifth|most|fills|extensive|dominat', cl):
            return None, 'water-size'
        if lo >= 0.005: return True, 'water-present'
        if hi < 0.003: return False, 'water-present'
        return 'ambiguous', 'water-present'
    if fam == 'other:snow':
        if NEG.search(cl) or 'bare of' in cl:
            return t['snow_frac'] < 0.002, 'snow-absent'
        return t['snow_frac'] > 0.3, 'snow-present'
    return None, 'unparsed'


REGWORDS = [  # (regex, region key)
    (r'north-west quadrant|nw quadrant|upper-left quarter|north-western quarter', 'NW'), (r'north-east quadrant|ne quadrant|upper-right quarter|north-eastern quarter', 'NE'),
    (r'south-west quadrant|sw quadrant|lower-left quarter|south-western quarter', 'SW'), (r'south-east quadrant|se quadrant|lower-right quarter|south-eastern quarter', 'SE'),
    (r'northern half|top half|upper half|rows 0-63', 'N_half'), (r'southern half|bottom half|lower half|rows 64-127|rows 64–127', 'S_half'),
    (r'western half|left half|columns 0-63', 'W_half'), (r'eastern half|right half|columns 64-127|columns 64–127', 'E_half'),
    (r'northern third|top third|northernmost third', 'N_third'), (r'southern third|bottom third|southernmost third', 'S_third'),
    (r'western third|left-hand third|westernmost third', 'W_third'), (r'eastern third|right-hand third|easternmost third', 'E_third'),
    (r'northern (?:edge|border)', 'edge200_N'), (r'southern (?:edge|border)', 'edge200_S'), (r'western (?:edge|border)', 'edge200_W'), (r'eastern (?:edge|border)', 'edge200_E'),
    (r'central 640|middle of the tile|tile centre', 'centre'),
]

def check_position(a, t, cl):
    masks = []
    k = None
    for rx, key in CLASSWORDS:
        if re.search(rx, cl):
            k = key; break
    if 'snow' in cl:
        masks = [t['snow_regions']]
    elif k == 'water' or re.search(r'water body|surface water|open water', cl):
        masks = [t['water_regions'], t['s2_water_regions']]
    elif k and t.get('ev_lc') and k in t['lc']:
        masks = [t['lc'][k]['regions']]
    if not masks:
        return None, 'pos-unparsed'
    regs = [key for rx, key in REGWORDS if re.search(rx, cl)]
    if len(regs) != 1:
        return None, 'pos-unparsed'
    r = regs[0]
    fr = [m[r] / m['total'] for m in masks]
    cnt = [m[r] for m in masks]
    if re.search(r'\bno\b|free of|has no', cl):
        if all(x == 0 for x in cnt): return True, 'pos-none'
        if all(x >= 20 for x in cnt): return False, 'pos-none'
        return 'ambiguous', 'pos-none'
    if re.search(r'more than 200 m from', cl):
        return all(x == 0 for x in cnt), 'pos-none'
    if re.search(r'\bonly\b|confined|exclusively|restricted|all of the|\ball\b', cl):
        if all(x == 1.0 for x in fr): return True, 'pos-only'
        if all(x <= 0.8 for x in fr): return False, 'pos-only'
        return 'ambiguous', 'pos-only'
    if re.search(r'most of|concentrated|mainly|bulk', cl):
        if all(x >= 0.5 for x in fr): return True, 'pos-most'
        if all(x < 0.3 for x in fr): return False, 'pos-most'
        return 'ambiguous', 'pos-most'
    if re.search(r'occurs|there is|reaches|touches|falls within|occupies part|near the tile centre|extends', cl):
        if all(x >= 20 for x in cnt): return True, 'pos-some'
        if all(x == 0 for x in cnt): return False, 'pos-some'
        return 'ambiguous', 'pos-some'
    return None, 'pos-unparsed'

stats = Counter()
bad = []
for a in audit:
    tt = T[a['tile_id']]
    fam_eff = a['family'] if a['is_false'] else a['family']
    if a['family'] == 'position':
        cl0 = re.sub(r'\((?:worldcover |class )?\d+\)|worldcover \d+|\(dynamic world\)', '', a['clause'].lower())
        v, why = check_position(a, tt, cl0)
    else:
        v, why = check_clause(a)
    expected = not a['is_false']
    if v is None:
        stats['unparsed'] += 1
        continue
    if v == 'ambiguous':
        stats['ambiguous'] += 1
        bad.append(('AMBIG', why, a['tile_id'], a['clause'], expected))
        continue
    if v == expected:
        stats['agree:' + why] += 1
    else:
        stats['DISAGREE:' + why] += 1
        bad.append(('DISAGREE', why, a['tile_id'], a['clause'], expected))

print('structural problems:', len(problems))
for p in problems[:30]:
    print('  ', p)
print('clause checks:', sum(v for k, v in stats.items() if k.startswith('agree')), 'agree;',
      sum(v for k, v in stats.items() if k.startswith('DISAGREE')), 'disagree;', stats['ambiguous'], 'ambiguous;', stats['unparsed'], 'not parsed by this checker')
for k, v in sorted(stats.items()):
    print('  ', k, v)
for b in bad[:40]:
    print('  ', b)
sys.exit(1 if problems or bad else 0)
