"""Compose planted-claim captions from truth.json (seed 9099). Writes dev.jsonl, test.jsonl,
clauses_audit.jsonl, split_dev_tiles.json.  Every clause carries a machine-checkable 'check' spec that
selfcheck.py re-evaluates against truth.json."""
import json, random, re, datetime

import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 9099
T = json.load(open(HERE + '/truth.json'))

CN = {  # class -> several surface names (mass nouns, so singular verbs read naturally)
    'tree': ['woodland', 'forest', 'tree cover', 'wooded land', 'woodland cover'],
    'shrub': ['shrubland', 'scrub', 'brushwood', 'scrubland'],
    'grass': ['grassland', 'pasture', 'grass', 'rough grassland', 'meadowland'],
    'crop': ['cropland', 'farmland', 'arable land', 'cultivated land', 'tilled land'],
    'built': ['built-up land', 'settlement area', 'built-up area', 'urban fabric', 'housing'],
    'bare': ['bare ground', 'bare soil', 'barren land'],
    'water': ['open water', 'water', 'surface water'],
    'wetland': ['wetland', 'marsh', 'boggy ground', 'swampy land', 'marshland'],
}
FRACW = [(0.01, ['1%', 'one percent', 'one in a hundred pixels', 'a hundredth']),
         (0.02, ['2%', 'two percent', '2 percent', 'one pixel in fifty']),
         (0.05, ['5%', 'five percent', 'a twentieth', 'one in twenty pixels', '0.05 of the area']),
         (0.1, ['10%', 'ten percent', 'a tenth', 'one in ten pixels', '0.1 of the tile']),
         (0.2, ['20%', 'twenty percent', 'a fifth', 'one pixel in five']),
         (0.25, ['25%', 'a quarter', 'one quarter', 'twenty-five percent']),
         (1 / 3, ['a third', '33%', 'one third', 'thirty-three percent']),
         (0.4, ['40%', 'forty percent', 'two fifths']),
         (0.5, ['half', '50%', 'fifty percent', 'one in two pixels']),
         (2 / 3, ['two thirds', '67%', 'sixty-seven percent']),
         (0.75, ['three quarters', '75%', 'seventy-five percent']),
         (0.9, ['90%', 'ninety percent', 'nine tenths', 'nine pixels in ten'])]
SIDES = ['north', 'south', 'west', 'east']
OPP = {'north': 'south', 'south': 'north', 'west': 'east', 'east': 'west',
       'north-west': 'south-east', 'south-east': 'north-west', 'north-east': 'south-west', 'south-west': 'north-east'}
QUARTERS = ['north-west', 'north-east', 'south-west', 'south-east']
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
          'November', 'December']


PRE = ['probably ', 'clearly ', 'I think ', 'it looks like ', 'apparently ', 'evidently ', 'as far as I can tell, ',
       'honestly, ', 'overall, ', 'in short, ', 'from above, ', 'judging by the image, ', 'notably, ', 'interestingly, ',
       'basically ', 'to be fair, ', 'without doubt ', 'on closer look, ', 'it seems ', 'at a glance, ', 'frankly, ',
       'if I read it right, ', 'as expected, ', 'surprisingly, ', 'in this tile ', 'here ', 'I reckon ']
SUF = [' (visible in the image)', ', as far as I can see', ' - pretty obvious', ', I would say', ' (from the imagery)',
       ' according to the data', ', no doubt', ' in this tile', ' on this image', ', it seems', ' if I am not mistaken',
       ' (quite clearly)', ', by the look of it', ' :)', ' here', ' overall']


class G:
    """clause generator context for one tile"""

    def __init__(self, t, rng):
        self.t = t; self.r = rng; self.out = []; self.pid = None

    def add(self, text, val, fam, topic, check, dec=True, pat=None):
        if self.r.random() < 0.45 and ':' not in text:
            if self.r.random() < 0.6:
                text = self.r.choice(PRE) + text
            else:
                text = text + self.r.choice(SUF)
        self.out.append(dict(text=text, val=val, fam=fam, topic=topic, dec=dec, check=check, pid=self.pid))

    def c(self, k):
        return self.r.choice(CN[k])

    def ch(self, xs):
        return self.r.choice(xs)


def pick_frac(rng, lo=0.0, hi=1.0):
    ok = [(v, w) for v, w in FRACW if lo <= v <= hi]
    if not ok:
        return None
    v, w = rng.choice(ok)
    return v, rng.choice(w)


# ----------------------------------------------------------------------------------------------- land cover
def gen_landcover(g):
    t = g.t; lc = t['lc']
    if not lc:
        return
    classes = [k for k in lc if k != 'water']
    wat = lc.get('water')
    for k in classes:
        lo, hi = lc[k]['lo'], lc[k]['hi']
        for _ in range(3):
            n = g.c(k)
            # presence TRUE
            if lo >= 0.01:
                g.pid = 'pres_' + k
                g.add(g.ch([f'there is some {n}', f'{n} is present', f'patches of {n} show up', f'I can make out {n}',
                            f'the tile is not without some {n}', f"it isn't true that there's no {n}",
                            f'{n} does appear in the scene', f'a bit of {n} is visible', f'there are areas of {n}',
                            f'{n} is not missing from the tile', f'you can spot {n}', f'{n}: yes']),
                      True, 'landcover_presence', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=0.01))
            # absence FALSE
            if lo >= 0.02:
                g.add(g.ch([f'there is no {n}', f'{n} is absent', f'the tile is free of {n}', f'the scene lacks {n}',
                            f'no sign of {n} anywhere', f"there isn't any {n}", f'none of the tile is {n}',
                            f'{n} is completely missing', f'not a single patch of {n}', f'{n}: none',
                            f'zero {n}', f'without any {n} at all', f'you will not find {n} here',
                            f'no {n} whatsoever']),
                      False, 'landcover_presence', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=0.02, expect=False))
                other = g.ch([x for x in classes if x != k] or [k])
                if other != k:
                    g.add(g.ch([f'neither {n} nor {g.c(other)} is present', f'there is neither {g.c(other)} nor {n}',
                                f'no {g.c(other)} and no {n}', f'{g.c(other)} and {n} are both absent']),
                          False, 'landcover_presence', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=0.02, expect=False))
            # lower bound TRUE
            g.pid = None
            f = pick_frac(g.r, 0.0, lo - 0.02)
            if f and lo >= 0.04:
                v, w = f
                g.add(g.ch([f'at least {w} of the tile is {n}', f'{n} covers no less than {w} of the area',
                            f'{n} makes up more than {w}', f'{n} accounts for over {w} of the pixels',
                            f'not less than {w} is {n}', f'{n} takes up {w} or more', f'upwards of {w} is {n}',
                            f'{n} covers more than {w} of the whole tile']),
                      True, 'landcover_share', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=v + 0.0))
            # upper bound TRUE
            f = pick_frac(g.r, hi + 0.05, 0.95)
            if f and lo >= 0.01:
                v, w = f
                g.add(g.ch([f'{n} covers less than {w} of the tile', f'at most {w} is {n}', f'no more than {w} is {n}',
                            f'{n} stays below {w}', f'{n} does not reach {w} of the area',
                            f'under {w} of the pixels are {n}']),
                      True, 'landcover_share', 'lc_' + k, dict(kind='lc_hi_le', cls=k, v=v))
            # share FALSE: claimed too small
            f = pick_frac(g.r, 0.0, min(lo / 2, lo - 0.05))
            if f:
                v, w = f
                g.add(g.ch([f'{n} covers less than {w} of the tile', f'at most {w} is {n}', f'{n} is under {w}',
                            f'{n} makes up no more than {w}', f'barely {w} of the area is {n}, if that',
                            f'{n} stays below {w}', f'{n} is well under {w} of the pixels']),
                      False, 'landcover_share', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=v * 2 if v * 2 <= lo else lo, expect=False, claim_lt=v))
            if lo >= 0.08:
                g.add(g.ch([f'hardly any {n}', f'only a sliver of {n}', f'just a trace of {n}', f'a mere handful of {n} pixels',
                            f'{n} is practically negligible', f'a tiny speck of {n}, nothing more']),
                      False, 'landcover_share', 'lc_' + k, dict(kind='lc_lo_ge', cls=k, v=0.08, expect=False))
            # share FALSE: claimed too big
            f = pick_frac(g.r, max(hi + 0.1, hi * 1.5), 0.95)
            if f:
                v, w = f
                g.add(g.ch([f'{n} covers more than {w} of the tile', f'at least {w} is {n}', f'over {w} of the area is {n}',
                            f'{n} accounts for {w} or more', f'no less than {w} is {n}']),
                      False, 'landcover_share', 'lc_' + k, dict(kind='lc_hi_le', cls=k, v=v - 0.1 if v - 0.1 >= hi else hi, expect=False))
            if hi <= 0.35:
                g.add(g.ch([f'{n} dominates the tile', f'the lion\'s share is {n}', f'it is mostly {n}',
                            f'{n} is the largest class', f'{n} covers the bulk of the tile', f'predominantly {n}',
                            f'{n} everywhere, pretty much wall to wall', f'everything except the northern strip is {n}',
                            f'apart from a few small patches, the whole tile is {n}']),
                      False, 'dominance', 'lc_' + k, dict(kind='lc_hi_le', cls=k, v=0.35, expect=False))
    # dominance / comparison with water (water measured over the whole tile)
    if wat:
        big = [k for k in classes if lc[k]['lo'] >= wat['hi'] + 0.03]
        for k in big:
            n = g.c(k); wn = g.c('water')
            g.pid = 'cmp_' + k
            g.add(g.ch([f'there is more {n} than {wn}', f'{n} exceeds {wn}', f'{wn} is outweighed by {n}',
                        f'{n} outnumbers {wn}', f'{wn} covers less ground than {n}']),
                  True, 'comparison', 'cmp_' + k, dict(kind='lc_gt', a=k, b='water', m=0.03))
            g.add(g.ch([f'there is more {wn} than {n}', f'{wn} exceeds {n}', f'{n} is outweighed by {wn}',
                        f'{wn} covers more ground than {n}', f'{wn} takes up more room than {n}']),
                  False, 'comparison', 'cmp_' + k, dict(kind='lc_gt', a=k, b='water', m=0.03, expect=False))
            g.pid = None
            if lc[k]['lo'] >= 2 * wat['hi'] + 0.03:
                g.add(g.ch([f'at least twice as much {n} as {wn}', f'{n} is more than double the {wn}']), True,
                      'comparison', 'cmp2_' + k, dict(kind='lc_ratio', a=k, b='water', r=2))
                g.add(g.ch([f'twice as much {wn} as {n}', f'{wn} is double the {n}', f'{wn} covers at least twice the area of {n}']),
                      False, 'comparison', 'cmp2_' + k, dict(kind='lc_gt', a=k, b='water', m=0.03, expect=False))
            if wat['hi'] < 0.3:
                g.add(g.ch([f'{wn} is the largest class', f'{wn} dominates', f'the lion\'s share is {wn}',
                            f'{wn} is the main land cover', f'most of it is {wn}']),
                      False, 'dominance', 'dom_water', dict(kind='lc_gt', a=k, b='water', m=0.03, expect=False))
        if len(big) >= 2:
            a, b = g.r.sample(big, 2)
            na, nb, wn = g.c(a), g.c(b), g.c('water')
            g.add(g.ch([f'of {na}, {nb} and {wn}, the smallest is {wn}', f'{wn} is the smallest of the three ({na}, {nb}, {wn})',
                        f'among {na}, {nb} and {wn}, {wn} comes last', f'{na} and {nb} each exceed {wn}']),
                  True, 'comparison', 'cmp3', dict(kind='lc_gt2', a=a, b=b, c='water', m=0.03))
            g.add(g.ch([f'of {na}, {nb} and {wn}, the largest is {wn}', f'{wn} is the biggest of the three ({na}, {nb}, {wn})',
                        f'{wn} beats both {na} and {nb}', f'among {na}, {nb} and {wn}, {wn} comes first',
                        f'{wn} is second largest after {na}, ahead of {nb}']),
                  False, 'comparison', 'cmp3', dict(kind='lc_gt', a=a, b='water', m=0.03, expect=False))
    # comparisons between classes where decided by bounds
    for a in classes:
        for b in classes:
            if a != b and lc[a]['lo'] >= lc[b]['hi'] + 0.03:
                na, nb = g.c(a), g.c(b)
                g.add(g.ch([f'more {na} than {nb}', f'{na} exceeds {nb}']), True, 'comparison', 'cmpx',
                      dict(kind='lc_gt', a=a, b=b, m=0.03))
                g.add(g.ch([f'more {nb} than {na}', f'{nb} exceeds {na}', f'{nb} is the largest class, bigger than {na}']),
                      False, 'comparison', 'cmpx', dict(kind='lc_gt', a=a, b=b, m=0.03, expect=False))
    # either / or, not only ... but also
    pres = [k for k in classes if lc[k]['lo'] >= 0.02]
    if len(pres) >= 2:
        a, b = g.r.sample(pres, 2)
        g.add(g.ch([f'not only {g.c(a)} but also {g.c(b)}', f'both {g.c(a)} and {g.c(b)} are present',
                    f'{g.c(a)} as well as {g.c(b)}', f'there is {g.c(a)}, and {g.c(b)} too']),
              True, 'landcover_presence', 'both', dict(kind='all', parts=[dict(kind='lc_lo_ge', cls=a, v=0.02), dict(kind='lc_lo_ge', cls=b, v=0.02)]))
        f = pick_frac(g.r, 0.0, max(lc[a]['lo'], lc[b]['lo']) - 0.02)
        if f:
            g.add(g.ch([f'either {g.c(a)} or {g.c(b)} covers at least {f[1]} of the tile',
                        f'at least {f[1]} is either {g.c(a)} or {g.c(b)}']), True, 'landcover_share', 'either',
                  dict(kind='any', parts=[dict(kind='lc_lo_ge', cls=a, v=f[0]), dict(kind='lc_lo_ge', cls=b, v=f[0])]))
        g.add(g.ch([f'none of the tile is {g.c(a)} or {g.c(b)}', f'neither {g.c(a)} nor {g.c(b)}',
                    f'it has no {g.c(a)}, nor any {g.c(b)}']), False, 'landcover_presence', 'both',
              dict(kind='any', parts=[dict(kind='lc_lo_ge', cls=a, v=0.02), dict(kind='lc_lo_ge', cls=b, v=0.02)], expect=False))
    # positions (labelled pixels give lower bounds per sector)
    for k in classes:
        s = lc[k]['sect']; tot = lc[k]['px']
        if tot < 200:
            continue
        n = g.c(k)
        for q in QUARTERS:
            if s[q] >= 0.03 * 4096:
                g.pid = 'q_' + k + q
                g.add(g.ch([f'there is {n} in the {q} quarter', f'{n} appears in the {q} corner',
                            f'the {q} part has some {n}', f'some {n} sits toward the {q}']),
                      True, 'position', 'pos_' + k, dict(kind='sect_ge', cls=k, q=q, v=0.03 * 4096))
                g.add(g.ch([f'there is no {n} in the {q} quarter', f'the {q} corner is free of {n}',
                            f'the {q} part has no {n} at all', f'{n} is nowhere in the {q}']),
                      False, 'position', 'pos_' + k, dict(kind='sect_ge', cls=k, q=q, v=0.03 * 4096, expect=False))
        g.pid = None
        for side in SIDES:
            o = OPP[side]
            if s[o] >= 0.25 * tot and s[o] >= 0.02 * 8192:
                g.add(g.ch([f'all the {n} is confined to the {side}ern half', f'the {n} lies only along the {side}ern side',
                            f'{n} occurs exclusively in the {side}', f'everything except the {side} is free of {n}',
                            f'the {n} is restricted to the {side}ern edge']),
                      False, 'position', 'pos_' + k, dict(kind='sect_ge', cls=k, q=o, v=0.02 * 8192, expect=False))


# ----------------------------------------------------------------------------------------------- water
def gen_water(g):
    t = g.t; w = t['water']
    if w is None:
        return
    lo, hi = w['lo'], w['hi']
    wn = lambda: g.c('water')
    if hi == 0.0:
        for _ in range(3):
            g.pid = 'wabs'
            g.add(g.ch(['there is no open water', 'no lakes, ponds or rivers', 'the tile is completely dry land',
                        'no water bodies at all', 'free of surface water', 'there isn\'t a single pond',
                        'no sign of water anywhere', 'neither a lake nor a river', 'water: none',
                        'at first glance one dark patch looks like a lake, but it is actually just dark ground',
                        'none of the pixels are water']), True, 'water', 'water', dict(kind='water_hi_le', v=0.0))
            g.add(g.ch(['a lake occupies part of the tile', 'a river cuts across the tile', 'there is a pond in the centre',
                        'the tile is not without some water', 'it isn\'t true that there is no water here',
                        'a few fish ponds are visible', 'open water is present', 'a stream with open water runs through it',
                        'at first glance it looks like farmland, but actually a lake fills the middle',
                        'water: yes, a small lake', 'some standing water glints in the fields']),
                  False, 'water', 'water', dict(kind='water_lo_ge', v=0.001))
    if lo >= 0.005:
        for _ in range(2):
            g.pid = 'wpres'
            g.add(g.ch(['there is some open water', 'the tile is not without some water', 'a bit of water is present',
                        'water does appear in the scene', 'it isn\'t true that the tile is dry', 'water: yes, a little',
                        'some surface water shows up']), True, 'water', 'water', dict(kind='water_lo_ge', v=0.005))
            g.add(g.ch(['there is no open water', 'the tile is completely dry', 'no water at all', 'free of any water',
                        'not a drop of open water', 'neither a pond nor any other water', 'water is absent',
                        'water: none']), False, 'water', 'water', dict(kind='water_lo_ge', v=0.005, expect=False))
    g.pid = None
    if hi <= 0.1 and lo >= 0.001:
        g.add(g.ch(['apart from a little open water, the tile is dry land', 'only a sliver of water',
                    'water covers only a small fraction, under a tenth', 'just a small bit of water, less than 10%']),
              True, 'water', 'water_ext', dict(kind='all', parts=[dict(kind='water_hi_le', v=0.1), dict(kind='water_lo_ge', v=0.001)]))
    if hi <= 0.25:
        f = pick_frac(g.r, max(hi + 0.1, 0.33), 0.9)
        if f:
            g.add(g.ch([f'water covers more than {f[1]} of the tile', f'at least {f[1]} of the tile is {wn()}',
                        f'{wn()} accounts for {f[1]} or more', f'a lake fills over {f[1]} of the scene',
                        f'the lion\'s share is {wn()}', f'mostly {wn()}, with only a rim of land',
                        'at first glance it looks like fields, but actually it is mostly a lake',
                        'everything except a narrow strip in the west is water']),
                  False, 'water', 'water_ext', dict(kind='water_hi_le', v=min(f[0] - 0.08, 0.25), expect=False))
        f = pick_frac(g.r, hi + 0.05, 0.9)
        if f:
            g.add(g.ch([f'less than {f[1]} of the tile is water', f'water stays under {f[1]}', f'at most {f[1]} is {wn()}']),
                  True, 'water', 'water_ext', dict(kind='water_hi_le', v=f[0]))
    if lo >= 0.02:
        g.add(g.ch(['the water is negligible, under half a percent', 'hardly a trace of water, well below 0.5%']),
              False, 'water', 'water_ext', dict(kind='water_lo_ge', v=0.02, expect=False))
        s = w['sect']; tot = sum(s[q] for q in QUARTERS)
        for side in SIDES:
            o = OPP[side]
            if s[o] >= 0.25 * tot:
                g.add(g.ch([f'the water is confined to the {side}ern half', f'all water lies along the {side}ern edge',
                            f'water only occurs in the {side}']),
                      False, 'position', 'pos_water', dict(kind='wsect_ge', q=o, v=0.25 * tot, expect=False))
            if s[side] >= 0.01 * 8192:
                g.add(g.ch([f'some water lies in the {side}ern half', f'there is water toward the {side}']),
                      True, 'position', 'pos_water', dict(kind='wsect_ge', q=side, v=0.01 * 8192))


# ----------------------------------------------------------------------------------------------- vegetation, snow, cloud
def gen_veg(g):
    t = g.t; nd = t['ndvi_mean']; snow = t['snow_share']
    if nd <= 0.35:
        for _ in range(2):
            g.pid = 'veg'
            g.add(g.ch(['vegetation looks dormant and muted', 'the greenery is weak, no lush growth', 'vegetation vigour is low',
                        'the fields are pale and not very green', 'mean NDVI is low, well under 0.5',
                        'plants show little photosynthetic activity', 'not much green vigour anywhere']),
                  True, 'vegetation', 'veg', dict(kind='ndvi_le', v=0.45))
            g.add(g.ch(['lush, vigorous green vegetation everywhere', 'mean NDVI above 0.7', 'peak-season crops, dense and green',
                        'the vegetation is thriving, deep green throughout', 'a dense green canopy with very high NDVI',
                        'vegetation is at its seasonal maximum', 'highly vigorous vegetation (NDVI ~0.8)']),
                  False, 'vegetation', 'veg', dict(kind='ndvi_le', v=0.45, expect=False))
    if nd >= 0.55:
        for _ in range(2):
            g.pid = 'veg'
            g.add(g.ch(['green, healthy vegetation covers the tile', 'mean NDVI is high, above 0.5', 'vegetation is vigorous',
                        'lush green growth', 'dense green vegetation throughout', 'plants look healthy and green']),
                  True, 'vegetation', 'veg', dict(kind='ndvi_ge', v=0.5))
            g.add(g.ch(['mostly bare soil with almost no vegetation', 'mean NDVI below 0.2', 'vegetation is brown and dead',
                        'hardly any green at all', 'the land is barren and unvegetated', 'sparse, withered plant cover']),
                  False, 'vegetation', 'veg', dict(kind='ndvi_ge', v=0.5, expect=False))
    if snow >= 0.3:
        g.pid = 'snow'
        g.add(g.ch(['snow covers much of the ground', 'a snowy landscape', 'the ground is white with snow', 'lots of snow']),
              True, 'other:snow', 'snow', dict(kind='snow_ge', v=0.3))
        g.add(g.ch(['there is no snow at all', 'snow-free ground', 'not a trace of snow', 'the ground is bare, no snow cover']),
              False, 'other:snow', 'snow', dict(kind='snow_ge', v=0.3, expect=False))
    elif snow < 0.005:
        g.pid = 'snow'
        g.add(g.ch(['no snow on the ground', 'snow-free', 'there is no snow cover', 'no sign of snow']),
              True, 'other:snow', 'snow', dict(kind='snow_le', v=0.005))
        g.add(g.ch(['the fields are covered in snow', 'a thick blanket of snow', 'snow covers most of the tile',
                    'the ground is white with fresh snow', 'it is not without snow: much of it is white']),
              False, 'other:snow', 'snow', dict(kind='snow_le', v=0.005, expect=False))
    if t['cloud_share'] < 0.01 and snow < 0.3:
        g.pid = 'cloud'
        g.add(g.ch(['cloud-free', 'clear sky, no clouds over the tile', 'no cloud cover', 'the view is unobstructed by clouds']),
              True, 'other:cloud', 'cloud', dict(kind='cloud_le', v=0.01))
        g.add(g.ch(['about half the tile is hidden under thick cloud', 'heavy cloud obscures most of the scene',
                    'a large cloud bank covers the centre', 'clouds cover over a third of the image']),
              False, 'other:cloud', 'cloud', dict(kind='cloud_le', v=0.01, expect=False))


# ----------------------------------------------------------------------------------------------- date / season
def season_of(d, lat):
    m = d.month
    s = {12: 'winter', 1: 'winter', 2: 'winter', 3: 'spring', 4: 'spring', 5: 'spring', 6: 'summer', 7: 'summer',
         8: 'summer', 9: 'autumn', 10: 'autumn', 11: 'autumn'}[m]
    return s


def gen_date(g):
    d = datetime.date.fromisoformat(g.t['date'])
    m = MONTHS[d.month - 1]
    fmts = [d.isoformat(), f'{d.day} {m} {d.year}', f'{m} {d.day}, {d.year}', f'{d.day:02d}.{d.month:02d}.{d.year}',
            f'{d.month:02d}/{d.day:02d}/{d.year}', f'{m[:3]} {d.day} {d.year}', f'{d.day}th of {m} {d.year}'.replace('1th', '1st').replace('2th', '2nd').replace('3th', '3rd').replace('11st', '11th').replace('12nd', '12th').replace('13rd', '13th'),
            f'{d.year}{d.month:02d}{d.day:02d}']
    for _ in range(3):
        g.pid = 'date'
        g.add(g.ch(['acquired on ', 'imaged ', 'captured on ', 'date: ', 'the scene is from ', 'taken ', 'recorded on ']) + g.ch(fmts),
              True, 'season', 'date', dict(kind='date_eq'))
    g.pid = None
    g.add(g.ch([f'taken in {m} {d.year}', f'{m[:3]} \'{str(d.year)[2:]}', f'day {g.t["doy"]} of {d.year}',
                f'ISO week {g.t["isoweek"]} of {d.year}', f'in the year {d.year}', f'during {m}']),
          True, 'season', 'date', dict(kind='date_eq'))
    # wrong dates: month shifted >= 3 or year shifted
    for _ in range(3):
        g.pid = 'date'
        dm = g.ch([3, 4, 5, 6, -3, -4, -5]); nm = (d.month - 1 + dm) % 12
        wd = datetime.date(d.year, nm + 1, min(d.day, 28))
        wm = MONTHS[nm]
        g.add(g.ch(['acquired on ', 'imaged ', 'captured on ', 'date: ', 'taken ']) +
              g.ch([wd.isoformat(), f'{wd.day} {wm} {wd.year}', f'{wm} {wd.day}, {wd.year}', f'{wd.day:02d}.{wd.month:02d}.{wd.year}', f'in {wm}']),
              False, 'season', 'date', dict(kind='month_ne', month=nm + 1))
    wy = d.year + g.ch([-5, -3, 2, 4, 6])
    g.add(g.ch([f'captured in {wy}', f'a {wy} image', f'acquired {d.day} {m} {wy}', f'from the year {wy}']),
          False, 'season', 'date', dict(kind='year_ne', year=wy))
    g.pid = None
    s = season_of(d, g.t['lat'])
    # partial-month phrases
    if d.day >= 16:
        g.add(g.ch(['in the second half of the month', f'in the second half of {m}', 'after the middle of the month']),
              True, 'season', 'dpart', dict(kind='day_ge', v=16))
    elif d.day <= 10:
        g.add(g.ch([f'early {m}', f'in the first days of {m}', 'in the first half of the month']),
              True, 'season', 'dpart', dict(kind='day_le', v=10))
    if 13 <= d.day <= 18:
        g.add(g.ch([f'mid-{m}', f'the middle of {m}']), True, 'season', 'dpart', dict(kind='day_in', a=12, b=19))
    TRUE_SEASON = {
        (2, 'winter'): (['late winter', 'winter', 'the tail end of winter', 'the cold season'] if d.day >= 10 else ['winter', 'midwinter', 'the cold season', 'the depth of winter']),
        (12, 'winter'): ['the darkest part of the year', 'December, right around the solstice'],
        (6, 'summer'): ['the growing season', 'early summer', 'June'],
        (9, 'autumn'): ['autumn', 'early autumn', 'fall'],
    }
    opts = TRUE_SEASON.get((d.month, s))
    if opts and not (g.t['tile_id'] == 'ben-56_35' and 'winter' in ' '.join(opts)):
        g.add(g.ch(['in ', 'seen in ', 'season: ', 'during ', 'captured in ']) + g.ch(opts),
              True, 'season', 'season', dict(kind='month_in', months=[d.month]))
    wrong = {'winter': ['midsummer', 'high summer', 'the July heat', 'harvest time in August'],
             'summer': ['deep midwinter', 'a January scene', 'winter'],
             'autumn': ['spring', 'the height of summer', 'late spring'],
             'spring': ['autumn', 'winter']}
    mm = {'midsummer': [6, 7], 'high summer': [7, 8], 'the July heat': [7], 'harvest time in August': [8],
          'deep midwinter': [12, 1], 'a January scene': [1], 'winter': [12, 1, 2], 'spring': [3, 4, 5],
          'the height of summer': [7, 8], 'late spring': [5], 'autumn': [9, 10, 11]}
    ws = g.ch(wrong[s]); 
    g.add(g.ch(['acquired in ', 'a view from ', 'shot during ', 'season: ', 'clearly ']) + ws,
          False, 'season', 'season', dict(kind='month_in', months=mm[ws]))


# ----------------------------------------------------------------------------------------------- place
def compass(b):
    names = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west']
    return names[int(((b + 22.5) % 360) // 45)]


def gen_place(g):
    t = g.t; cty = t['country_ne']
    for _ in range(2):
        g.pid = 'country'
        g.add(g.ch([f'located in {cty}', f'somewhere in {cty}', f'country: {cty}', f'{cty}', f'this is {cty}',
                    f'a tile from {cty}']), True, 'place', 'country', dict(kind='country', c=cty))
    wc = g.ch(t['wrong_countries'])
    g.add(g.ch([f'located in {wc}', f'somewhere in {wc}', f'country: {wc}', f'this is {wc}', f'a tile from {wc}',
                f'not in {cty} but in {wc}']), False, 'place', 'country', dict(kind='country', c=wc))
    g.pid = None
    g.add(g.ch([f'in {t["region"]}', f'region: {t["region"]}', g.ch(t['region_alt'])]), True, 'place', 'region',
          dict(kind='region_ok'))
    wr = g.ch(t['wrong_regions'])
    g.add(g.ch([f'in {wr}', f'region: {wr}', f'somewhere in {wr}']), False, 'place', 'region', dict(kind='region_wrong', r=wr))
    towns = t['towns']
    near = sorted(towns.items(), key=lambda kv: kv[1]['km'])
    for name, tb in near[:3]:
        km, b = tb['km'], tb['bearing']; dirn = compass(b)
        if km <= 15:
            g.add(g.ch([f'a few km {dirn} of {name}', f'just {dirn} of {name}', f'roughly {round(km)} km {dirn} of {name}',
                        f'close to {name}, on its {dirn} side', f'not far from {name}']),
                  True, 'place', 'town', dict(kind='town', town=name, maxkm=max(15, km + 3), bearing=b, dirn=dirn))
            od = OPP.get(dirn, 'south')
            g.add(g.ch([f'a few km {od} of {name}', f'just {od} of {name}', f'on the {od} side of {name}']),
                  False, 'place', 'town', dict(kind='town_dir_wrong', town=name, bearing=b, dirn=od))
        elif km <= 60:
            g.add(g.ch([f'about {int(round(km, -1))} km {dirn} of {name}', f'some {int(round(km / 5) * 5)} km from {name}',
                        f'some {int(round(km / 5) * 5)} km as the crow flies from {name}']),
                  True, 'place', 'town', dict(kind='town_km', town=name, km=km, tol=max(5, 0.25 * km)))
    far = [kv for kv in towns.items() if kv[1]['km'] > 30 and kv[1]['km'] < 400]
    if far:
        name, tb = g.ch(far)
        g.add(g.ch([f'on the edge of {name}', f'within 2 km of {name}', f'right next to {name}', f'inside the city of {name}']),
              False, 'place', 'town', dict(kind='town_far', town=name, km=tb['km']))


# ----------------------------------------------------------------------------------------------- general geography
def gen_geo(g):
    t = g.t; em = t['elev_max']; rel = t['relief']
    g.pid = 'elev'
    g.add(g.ch([f'elevation well under {1000 if em < 900 else 1500} m', 'not a high-mountain area',
                'no alpine peaks', f'the land lies below {1000 if em < 900 else 1500} m altitude']),
          True, 'elevation', 'elev', dict(kind='geo', what='elev_low'), dec=False)
    g.add(g.ch(['alpine peaks above 2,500 m', 'summits over 3000 m', 'high mountain terrain at around 2000 m elevation',
                'the tile sits on a glaciated massif', 'the elevation exceeds 2,200 metres']),
          False, 'elevation', 'elev', dict(kind='geo', what='elev_high', expect=False), dec=False)
    if rel == 'flat':
        g.pid = 'flat'
        g.add(g.ch(['flat terrain', 'low-lying, almost level ground', 'a flat lowland', 'gentle, nearly level land',
                    'no real relief to speak of']), True, 'terrain', 'terrain', dict(kind='geo', what='flat'), dec=False)
        g.add(g.ch(['rugged, mountainous relief', 'deep valleys between steep ridges', 'craggy hill country with cliffs']),
              False, 'terrain', 'terrain', dict(kind='geo', what='rugged', expect=False), dec=False)
        g.pid = 'slope'
        g.add(g.ch(['slopes mostly under 5 degrees', 'gentle slopes only']), True, 'slope', 'slope',
              dict(kind='geo', what='gentle'), dec=False)
        g.add(g.ch(['slopes steeper than 30 degrees', 'very steep slopes dominate', 'avalanche-prone steep slopes']),
              False, 'slope', 'slope', dict(kind='geo', what='steep', expect=False), dec=False)
    else:
        g.pid = 'relief'
        g.add(g.ch(['no steep alpine cliffs', 'the relief is moderate at most']), True, 'terrain', 'terrain',
              dict(kind='geo', what='moderate'), dec=False)
        g.add(g.ch(['sheer cliffs of several hundred metres', 'glacier-carved alpine valleys', 'slopes steeper than 40 degrees everywhere']),
              False, 'terrain', 'terrain', dict(kind='geo', what='alpine', expect=False), dec=False)
    g.pid = None
    g.add(g.ch(['trees, where present, are under 40 m tall', 'no giant trees taller than 50 m']),
          True, 'canopy', 'canopy', dict(kind='geo', what='canopy_normal'), dec=False)
    g.add(g.ch(['trees tower more than 70 m high', 'a tropical rainforest canopy over 60 m tall', 'canopy height averages 55 m']),
          False, 'canopy', 'canopy', dict(kind='geo', what='canopy_giant', expect=False), dec=False)
    g.add(g.ch(['a container seaport with cranes', 'an offshore wind farm', 'a sandy ocean beach', 'a volcanic crater',
                'mangrove swamps', 'palm plantations', 'desert sand dunes', 'a coral reef lagoon']
               + (['a ski resort with lifts'] if t['tile_id'].startswith('bb9') else [])),
          False, 'osm_object', 'osm', dict(kind='geo', what='exotic', expect=False), dec=False)


def gen_sar(g):
    s = g.t['sar']
    if 'VV' not in s:
        return
    vv, vh = s['VV'], s['VH']
    g.pid = 'sarvv'
    g.add(g.ch([f'mean VV backscatter around {round(vv)} dB', f'Sentinel-1 VV averages roughly {round(vv)} dB',
                f'radar VV of about {round(vv)} dB']), True, 'sar', 'sar', dict(kind='sar_near', pol='VV', v=round(vv), tol=1.5))
    g.pid = 'sarx'
    g.add(g.ch(['VH is weaker than VV', 'cross-pol (VH) backscatter is lower than co-pol (VV)', 'VV returns are stronger than VH']),
          True, 'sar', 'sar', dict(kind='sar_vv_gt_vh'))
    bad = round(vv) + g.ch([8, 10, -9, -12])
    g.pid = 'sarvv'
    g.add(g.ch([f'mean VV backscatter around {bad} dB', f'Sentinel-1 VV averages roughly {bad} dB', f'radar VV of about {bad} dB']),
          False, 'sar', 'sar', dict(kind='sar_near', pol='VV', v=bad, tol=1.5))
    g.pid = 'sarx'
    g.add(g.ch(['VH is stronger than VV', 'cross-pol backscatter exceeds co-pol', 'VH returns are brighter than VV']),
          False, 'sar', 'sar', dict(kind='sar_vv_gt_vh', expect=False))


GENS = [gen_landcover, gen_water, gen_veg, gen_date, gen_place, gen_geo, gen_sar]

# ----------------------------------------------------------------------------------------------- styles
FW = {'landcover_presence': 3, 'landcover_share': 3, 'dominance': 2.5, 'comparison': 3, 'position': 2.5, 'water': 3,
      'season': 2, 'place': 2, 'vegetation': 2, 'sar': 3, 'other:snow': 1, 'other:cloud': 1, 'elevation': 0.6,
      'terrain': 0.5, 'slope': 0.5, 'canopy': 0.6, 'osm_object': 0.6}
STYLES = ['plain', 'alt_text', 'gis_note', 'chatbot', 'voice_assistant', 'social', 'nonnative', 'keywords',
          'dataset', 'field_report']


def cap(s):
    return s[0].upper() + s[1:] if s and s[0].islower() else s


def render(style, clauses, rng, t):
    """return caption and the rendered form of each clause"""
    r = rng
    forms = []
    if style == 'plain':
        forms = [cap(c) + '.' for c in clauses]
        return ' '.join(forms), [cap(c) for c in clauses]
    if style == 'alt_text':
        head = r.choice(['Satellite image: ', 'Aerial view, ', 'Image of a rural area; ', 'Overhead photo - ', ''])
        body = '; '.join(clauses)
        return head + body + '.', clauses
    if style == 'gis_note':
        lines = [f'- {c}' for c in clauses]
        return r.choice(['Tile notes:', 'QA remarks:', 'Analyst summary:', 'LC/attrs check:']) + '\n' + '\n'.join(lines), clauses
    if style == 'chatbot':
        op = r.choice(['Sure! Here is what I can tell about this tile: ', 'Great question. Looking at the image, ',
                       'Happy to help! From what I can see, ', 'Certainly. In short, '])
        hedges = ['', 'I believe ', 'it seems ', 'as far as I can tell, ', 'clearly ']
        parts = []
        for i, c in enumerate(clauses):
            parts.append(c)
        mid = ', and '.join([', '.join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]
        hed = r.choice(hedges)
        end = r.choice([' Let me know if you need more detail!', ' Hope this helps.', ' Anything else?', ''])
        return op + hed + mid + '.' + end, clauses
    if style == 'voice_assistant':
        op = r.choice(['Here\'s what I found. ', 'Okay. ', 'Here is what the satellite data says. ', 'Alright, here goes. ',
                       'Sure. '])
        return op + '. '.join(cap(c) for c in clauses) + '.', [cap(c) for c in clauses]
    if style == 'social':
        tags = r.choice(['#remotesensing #sentinel2', '#earthobservation', '#gis #maps', '#satellite #landscape', ''])
        em = r.choice(['wow, ', 'look at this: ', 'today\'s tile -> ', 'lovely one: ', ''])
        return em + ' ... '.join(clauses) + '! ' + tags, clauses
    if style == 'nonnative':
        op = r.choice(['In this picture we are seeing that ', 'This image is show that ', 'On the tile is visible: ',
                       'Is possible to see that '])
        return op + ', also '.join(clauses) + '.', clauses
    if style == 'keywords':
        return r.choice([' | ', '; ', ', ', ' / ']).join(clauses), clauses
    if style == 'dataset':
        return 'A satellite image where ' + ', '.join(clauses[:-1]) + (' and ' if len(clauses) > 1 else '') + clauses[-1] + '.', clauses
    if style == 'field_report':
        hdr = r.choice(['FIELD REPORT', 'Site visit log', 'Survey note', 'Ground check'])
        return hdr + ' (' + t['tile_id'] + '): ' + '. '.join(cap(c) for c in clauses) + '. End of note.', [cap(c) for c in clauses]
    raise ValueError(style)


def main():
    rng = random.Random(SEED)
    tiles = sorted(T)
    ben = [x for x in tiles if x.startswith('ben')]; bb = [x for x in tiles if x.startswith('bb9')]
    r2 = random.Random(SEED + 1)
    dev = sorted(r2.sample(bb, 10) + r2.sample(ben, 2))
    rows, audit = {'dev': [], 'test': []}, []
    cid = 0
    for tid in tiles:
        g = G(T[tid], rng)
        for fn in GENS:
            g.pid = None
            fn(g)
        cl = g.out
        # dedupe by text
        seen = set(); uniq = []
        for c in cl:
            if c['text'] not in seen:
                seen.add(c['text']); uniq.append(c)
        trues = [c for c in uniq if c['val']]; falses = [c for c in uniq if not c['val']]
        split = 'dev' if tid in dev else 'test'
        sty_i = rng.randrange(len(STYLES))

        def keys(c):
            ks = set(); st = [c['check']]
            while st:
                x = st.pop(); st.extend(x.get('parts', []))
                for f in ('cls', 'a', 'b', 'c'):
                    if f in x:
                        ks.add(x[f])
                if x['kind'].startswith('water') or x['kind'].startswith('wsect'):
                    ks.add('water')
                if x['kind'] in ('date_eq', 'month_ne', 'year_ne', 'month_in', 'day_ge', 'day_le', 'day_in'):
                    ks.add('date')
                if x['kind'] in ('country', 'region_ok', 'region_wrong', 'town', 'town_dir_wrong', 'town_km', 'town_far'):
                    ks.add('place:' + x['kind'][:4])
            return ks

        def pick_others(k, avoid_topics, avoid_keys=frozenset()):
            pool = [c for c in trues if c['topic'] not in avoid_topics and not (keys(c) & avoid_keys)]
            rng.shuffle(pool); res = []; tops = set(avoid_topics); fams = set()
            for c in pool:
                if c['topic'] in tops:
                    continue
                res.append(c); tops.add(c['topic'])
                if len(res) == k:
                    break
            return res

        # choose false clauses balanced over families
        byfam = {}
        for c in falses:
            byfam.setdefault(c['fam'], []).append(c)
        fams = sorted(byfam)
        made = 0; tries = 0
        while made < 48 and tries < 5000:
            tries += 1
            style = STYLES[(sty_i + made) % len(STYLES)]
            consistency = (made % 9 == 4)
            if consistency:
                # contradiction inside the caption: a true clause and a false clause on the same topic
                fc = rng.choice([c for c in falses if c['pid']] or falses)
                partner = [c for c in trues if c['pid'] and c['pid'] == fc['pid']]
                if not partner:
                    continue
                p = rng.choice(partner)
                others = [p] + pick_others(rng.randint(1, 3), {fc['topic']})
                fam = 'consistency'
            else:
                fam_choice = rng.choices(fams, weights=[FW.get(f, 1.0) for f in fams])[0]
                fc = rng.choice(byfam[fam_choice])
                others = pick_others(rng.randint(1, 4), {fc['topic']}, keys(fc))
                fam = fc['fam']
            if not others:
                continue
            parts = others + [fc]
            rng.shuffle(parts)
            cap_, forms = render(style, [c['text'] for c in parts], rng, T[tid])
            fi = parts.index(fc); ftxt = forms[fi]
            if cap_.count(ftxt) != 1:
                continue
            cid += 1
            row = dict(caption_id=f'f9-{cid:05d}', tile_id=tid, caption=cap_, label='false', false_clause=ftxt,
                       false_family=fam, decidable=bool(fc['dec']), style=style)
            rows[split].append(row)
            for c, f in zip(parts, forms):
                audit.append(dict(caption_id=row['caption_id'], tile_id=tid, clause=f, value=c['val'], family=c['fam'],
                                  decidable=c['dec'], check=c['check'], is_false_clause=(c is fc)))
            made += 1
        made = 0; tries = 0
        while made < 20 and tries < 5000:
            tries += 1
            style = STYLES[(sty_i + made + 3) % len(STYLES)]
            parts = pick_others(rng.randint(2, 5), set())
            if len(parts) < 2:
                continue
            cap_, forms = render(style, [c['text'] for c in parts], rng, T[tid])
            cid += 1
            row = dict(caption_id=f'f9-{cid:05d}', tile_id=tid, caption=cap_, label='true', style=style)
            rows[split].append(row)
            for c, f in zip(parts, forms):
                audit.append(dict(caption_id=row['caption_id'], tile_id=tid, clause=f, value=c['val'], family=c['fam'],
                                  decidable=c['dec'], check=c['check'], is_false_clause=False))
            made += 1
    for s in rows:
        with open(f'{HERE}/{s}.jsonl', 'w') as fh:
            for r in rows[s]:
                fh.write(json.dumps(r, ensure_ascii=False) + '\n')
    with open(HERE + '/clauses_audit.jsonl', 'w') as fh:
        for a in audit:
            fh.write(json.dumps(a, ensure_ascii=False) + '\n')
    json.dump(dict(dev_tiles=dev, seed=SEED), open(HERE + '/split_dev_tiles.json', 'w'), indent=1)
    # stats
    from collections import Counter
    allr = rows['dev'] + rows['test']
    print('tiles', len(tiles), 'dev', len(dev), 'test tiles', len(tiles) - len(dev))
    for s in rows:
        print(s, Counter(r['label'] for r in rows[s]))
    print('style', Counter(r['style'] for r in allr))
    print('family', Counter(r['false_family'] for r in allr if r['label'] == 'false'))
    print('decidable', Counter(r['decidable'] for r in allr if r['label'] == 'false'))
    pats = set()
    for a in audit:
        p = a['clause'].lower()
        for k, vs in CN.items():
            for v in sorted(vs, key=len, reverse=True):
                p = p.replace(v, '<C>')
        p = re.sub(r'[0-9][0-9.,]*', '<N>', p)
        for _, ws in FRACW:
            for w in sorted(ws, key=len, reverse=True):
                p = p.replace(w, '<F>')
        for m in MONTHS:
            p = p.replace(m.lower(), '<M>')
        pats.add(p)
    print('distinct clause patterns', len(pats))
    per_tile = Counter((r['tile_id'], r['label']) for r in allr)
    bad = [k for k, v in per_tile.items() if v != (48 if k[1] == 'false' else 20)]
    print('tiles with wrong counts', bad)


if __name__ == '__main__':
    main()
