"""Compose planted-claim captions from truth.json (seed 8088, deterministic).
Outputs dev.jsonl, test.jsonl, clauses_audit.jsonl, split_dev_tiles.json."""
import json, random, math, re, datetime
from collections import Counter, defaultdict

SEED = 8088
import os  # (lead: path made relative to this file)
HERE = os.path.dirname(os.path.abspath(__file__)) + '/'
TRUTH = json.load(open(HERE + 'truth.json'))
N_FALSE, N_TRUE = 48, 20
TILE_PX = 16384
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

# ---------------------------------------------------------------- vocab
CLS = {
    'tree': ['tree cover', 'trees', 'woodland', 'forest', 'wooded land', 'forest stands', 'tree canopy', 'Tree cover (WorldCover class 10)', 'Trees (Dynamic World)', 'timberland'],
    'shrub': ['shrubland', 'shrub and scrub', 'scrub', 'bushland', 'brush', 'Shrubland (class 20)', 'hedgerow-type scrub'],
    'grass': ['grassland', 'grass', 'meadows', 'pasture', 'grazing land', 'Grassland (class 30)', 'permanent grassland'],
    'crop': ['cropland', 'arable land', 'farmland', 'cultivated fields', 'crop fields', 'Cropland (WorldCover 40)', 'tilled land', 'agricultural fields'],
    'built': ['built-up area', 'built-up land', 'settlement', 'urban fabric', 'sealed surfaces', 'Built-up (class 50)', 'houses and roads', 'built area'],
    'water': ['permanent water', 'open water', 'surface water', 'Permanent water bodies (class 80)'],
    'wetland': ['herbaceous wetland', 'wetland', 'marshland', 'reed beds', 'Herbaceous wetland (class 90)', 'fen and marsh'],
}
QUAD = {'NW': ['north-west quadrant', 'NW quadrant', 'upper-left quarter', 'north-western quarter'],
        'NE': ['north-east quadrant', 'NE quadrant', 'upper-right quarter', 'north-eastern quarter'],
        'SW': ['south-west quadrant', 'SW quadrant', 'lower-left quarter', 'south-western quarter'],
        'SE': ['south-east quadrant', 'SE quadrant', 'lower-right quarter', 'south-eastern quarter']}
HALF = {'N_half': ['northern half', 'top half', 'upper half (rows 0-63)'], 'S_half': ['southern half', 'bottom half', 'lower half (rows 64-127)'],
        'W_half': ['western half', 'left half', 'western half (columns 0-63)'], 'E_half': ['eastern half', 'right half', 'eastern half (columns 64-127)']}
OPP = {'N_half': 'S_half', 'S_half': 'N_half', 'W_half': 'E_half', 'E_half': 'W_half',
       'N_third': 'S_half', 'S_third': 'N_half', 'W_third': 'E_half', 'E_third': 'W_half'}
THIRD = {'N_third': ['northern third', 'top third', 'northernmost third'], 'S_third': ['southern third', 'bottom third', 'southernmost third'],
         'W_third': ['western third', 'left-hand third', 'westernmost third'], 'E_third': ['eastern third', 'right-hand third', 'easternmost third']}
EDGE = {'edge200_N': 'northern', 'edge200_S': 'southern', 'edge200_W': 'western', 'edge200_E': 'eastern'}
NUMWORD = {0.1: ['a tenth', 'one tenth'], 0.2: ['a fifth', 'one fifth'], 0.25: ['a quarter', 'one quarter'], 0.33: ['a third', 'one third'],
           0.5: ['half', 'one half'], 0.67: ['two thirds'], 0.75: ['three quarters'], 0.05: ['a twentieth', 'one in twenty pixels']}
SMALLNUM = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen',
            'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty']
TENS = {20: 'twenty', 30: 'thirty', 40: 'forty', 50: 'fifty', 60: 'sixty', 70: 'seventy', 80: 'eighty', 90: 'ninety'}


def numword(n):
    n = int(n)
    if n <= 20:
        return SMALLNUM[n]
    if n % 10 == 0 and n in TENS:
        return TENS[n]
    if n < 100:
        return TENS[n // 10 * 10] + '-' + SMALLNUM[n % 10]
    return str(n)


class Gen:
    def __init__(self, rng):
        self.r = rng

    def c(self, seq):
        return self.r.choice(seq)

    # ---- formatting of a fraction p (0..1) as a share
    def share(self, p, kind=None):
        r = self.r
        kind = kind or r.choice(['pct', 'pct', 'pctsp', 'percent', 'dec', 'frac', 'word', 'ha', 'km2', 'px', 'pctdec'])
        v = p * 100
        vs = f"{v:.0f}" if abs(v - round(v)) < 1e-6 else f"{v:.1f}"
        if kind == 'pct':
            return f"{vs}%"
        if kind == 'pctsp':
            return f"{vs} %"
        if kind == 'pctdec':
            return f"{v:.1f}%"
        if kind == 'percent':
            return (numword(round(v)) if v <= 99 and abs(round(v) - v) < 1e-6 else vs) + ' percent'
        if kind == 'dec':
            return f"{p:.2f} of the tile area"
        if kind == 'frac':
            return f"a fraction of {p:.2f}"
        if kind == 'word':
            return f"{vs} per cent"
        if kind == 'ha':
            return f"{p * 163.84:.1f} ha"
        if kind == 'km2':
            return f"{p * 1.6384:.2f} km²"
        if kind == 'px':
            return f"{round(p * TILE_PX):,} of 16,384 pixels"
        return f"{v:.0f}%"


def nice_floor(p):
    """round a fraction down to a 'nice' percentage (fraction)."""
    v = p * 100
    if v >= 20:
        return math.floor(v / 5) * 5 / 100
    if v >= 5:
        return math.floor(v) / 100
    return math.floor(v * 2) / 200


def nice_ceil(p):
    v = p * 100
    if v >= 20:
        return math.ceil(v / 5) * 5 / 100
    if v >= 5:
        return math.ceil(v) / 100
    return math.ceil(v * 2) / 200


# ---------------------------------------------------------------- clause generators
# each returns (text, family, decidable, topic) or None. want=True -> true clause, False -> false clause.

def lc_classes(T):
    # the water class of the land-cover layer is left to the water family (which also uses the S2 water index)
    return {k: v for k, v in T.get('lc', {}).items() if k != 'water'} if T.get('ev_lc') else {}


def lc_lohi(T, k):
    px = T['lc'].get(k, {}).get('px', 0)
    return px / TILE_PX, (px + T['lc_unlabelled_px']) / TILE_PX


def water_lohi(T):
    """Water share interval combining the water layer (if any) and the Sentinel-2 index mask."""
    vals = []
    if T.get('ev_water_layer'):
        vals.append(T['water_px'] / TILE_PX)
    if T.get('ev_s2') and T['tile_id'] != 'ben-57_38':
        vals.append(T['s2_water_px'] / T['s2_valid_px'])
    if not vals:
        return None
    return min(vals), max(vals)


def g_landcover_share(g, T, want):
    L = lc_classes(T)
    if not L:
        return None
    r = g.r
    k = g.c(list(L))
    lo, hi = lc_lohi(T, k)
    name = g.c(CLS[k])
    px = L[k]['px']
    if want:
        if lo < 0.02:
            return None
        X = nice_floor(lo * 0.85)
        if X <= 0:
            return None
        t = g.c([
            f"{name} covers at least {g.share(X, r.choice(['pct', 'pctsp', 'percent', 'ha', 'px']))} of the tile",
            f"no less than {g.share(X, r.choice(['pct', 'ha', 'km2']))} is {name}",
            f"{name} occupies more than {g.share(X, r.choice(['pct', 'pctdec', 'px']))} of the 1.64 km² footprint",
            f"the land-use layer labels {px:,} pixels ({px / 100:.2f} ha) as {name}",
            f"{px:,} px are mapped as {name}, i.e. {px / TILE_PX * 100:.1f}% of the 16,384-pixel grid",
            f"over {g.share(X, 'ha')} of {name}",
            f"{name}: ≥{X * 100:.0f}% of tile area",
            f"{name} makes up upwards of {g.share(X, r.choice(['pct', 'percent']))}",
            f"at least {g.share(X, 'km2')} of {name} are present",
            f"{name} amounts to roughly {px * 100:,} m² ({px:,} pixels at 10 m)",
        ])
        return t, 'landcover_share', True, 'lc_share_' + k
    # false: claims clearly below the mapped lower bound, or clearly above the upper bound
    opts = []
    if lo >= 0.05:
        Y = nice_floor(lo * 0.45)
        if Y > 0:
            opts += [
                f"{name} covers less than {g.share(Y, r.choice(['pct', 'pctsp', 'percent', 'pctdec']))} of the tile",
                f"{name} accounts for under {g.share(Y, 'ha')}",
                f"only about {g.share(Y * 0.6, 'pctdec')} of the scene is {name}",
                f"{name} is a minor class at {Y * 0.5 * 100:.1f}% of the tile",
                f"no more than {round(Y * TILE_PX):,} pixels (of 16,384) are {name}",
                f"{name} is limited to at most {g.share(Y, 'km2')}",
                f"{name} < {Y * 100:.0f}% of tile area",
                f"{name} makes up a mere {numword(max(1, round(Y * 50)))} percent",
            ]
    if hi <= 0.8:
        Y = min(0.95, nice_ceil(hi + 0.12))
        opts += [
            f"{name} covers more than {g.share(Y, r.choice(['pct', 'percent', 'pctsp']))} of the tile",
            f"{name} exceeds {g.share(Y, r.choice(['ha', 'km2']))}",
            f"{name} accounts for well over {g.share(Y, 'pct')} of the area",
        ]
    if not opts:
        return None
    return g.c(opts), 'landcover_share', True, 'lc_share_' + k


def g_landcover_presence(g, T, want):
    L = lc_classes(T)
    r = g.r
    if want:
        if not L:
            return None
        ks = [k for k in L if L[k]['px'] >= 40]
        if not ks:
            return None
        k = g.c(ks)
        name = g.c(CLS[k])
        t = g.c([f"there is some {name}", f"{name} is present", f"patches of {name} can be seen", f"the scene includes {name}",
                 f"{name} occurs in the tile", f"{name} present (class code {L[k]['code']})", f"a few parcels of {name}",
                 f"{name} is among the mapped classes", f"mapped classes include {name}", f"{name}: present"])
        return t, 'landcover_presence', True, 'lc_pres_' + k
    # false
    opts = []
    for k in L:
        if L[k]['px'] >= 100:
            name = g.c(CLS[k])
            other = g.c([n for kk in CLS for n in CLS[kk][:2] if kk != k])
            opts += [(f"there isn't any {name}", k), (f"no sign of {name}", k), (f"the tile is free of {name}", k),
                     (f"the scene lacks {name}", k), (f"{name} is absent", k), (f"neither {name} nor {other} appears", k),
                     (f"{name}: none detected", k), (f"not a single pixel of {name}", k), (f"zero {name} pixels", k),
                     (f"the area has no {name} at all", k), (f"{name} class count = 0", k)]
    if opts and r.random() < 0.8:
        t, k = g.c(opts)
        return t, 'landcover_presence', True, 'lc_pres_' + k
    # false by general geography (no layer decides these)
    geo = {'brandenburg': ['mangrove forest along the shore', 'terraced rice paddies', 'oil-palm plantations', 'a tea plantation on a hillside', 'saguaro cactus desert', 'banana plantations', 'coconut palms on a beach'],
           'ireland': ['mangrove swamps', 'rice paddies', 'olive groves', 'citrus orchards', 'date-palm oases'],
           'portugal': ['tundra vegetation', 'mangrove swamps', 'rice terraces on steep hillsides', 'tropical rainforest', 'permafrost tundra'],
           'finland': ['olive groves', 'vineyards on terraces', 'mangroves', 'cork-oak montado', 'date palms', 'banana plantations'],
           'austria': ['mangroves', 'oil-palm plantation', 'tropical rainforest', 'cactus desert', 'rice paddies']}[T['group']]
    return g.c([g.c(geo), 'the tile shows ' + g.c(geo), 'one can make out ' + g.c(geo), 'there are ' + g.c(geo), g.c(geo) + ' (visual interpretation)']), 'landcover_presence', False, 'lc_pres_geo'


def g_dominance(g, T, want):
    r = g.r
    L = lc_classes(T)
    wl = water_lohi(T)
    if want:
        opts = []
        if L:
            k = max(L, key=lambda kk: L[kk]['px'])
            second = sorted(L.values(), key=lambda v: -v['px'])
            if len(second) == 1 or second[0]['px'] >= 1.3 * second[1]['px']:
                name = g.c(CLS[k])
                opts += [f"{name} is the most frequent mapped class", f"among the labelled pixels, {name} dominates",
                         f"{name} is the largest class in the land-use layer ({L[k]['px']:,} px)", f"the predominant mapped land use is {name}"]
        if T.get('ev_s2') and T['ndvi']['frac_gt_0.5'] > 0.6 and T['snow_frac'] < 0.01:
            opts += [f"green vegetation dominates the scene (NDVI > 0.5 on {T['ndvi']['frac_gt_0.5'] * 100:.0f}% of valid pixels)",
                     "the scene is predominantly vegetated", "vegetated surfaces dominate", "mostly green cover"]
        if T['tile_id'] == 'ben-57_38':
            opts += ["the scene is dominated by snow", "snow cover dominates the frame"]
        if not opts:
            return None
        return g.c(opts), 'dominance', True, 'dominance'
    opts = []
    if wl and wl[1] < 0.2:
        opts += ["the tile is dominated by open water", "most of the scene is a lake", "water dominates the frame", "the image is mostly water",
                 "open water is the dominant surface, covering well over half", "a large lake fills most of the tile"]
    if T.get('ev_s2') and T['ndvi']['frac_gt_0.5'] > 0.6 and T['snow_frac'] < 0.01:
        opts += ["the tile is mostly built-up, dense urban fabric", "bare soil dominates the scene", "sealed surfaces and rooftops dominate",
                 "the area is predominantly barren, unvegetated ground", "mostly impervious surfaces"]
    if T.get('ev_s2') and T['snow_frac'] < 0.005 and T['bright_frac_B2_gt_0.3'] < 0.01:
        opts += ["snow dominates the scene", "the scene is mostly snowfield"]
    if T['tile_id'] == 'ben-57_38':
        opts += ["dense green forest dominates, NDVI above 0.7 over most pixels", "lush green cropland dominates the tile"]
    if L:
        for k in L:
            lo, hi = lc_lohi(T, k)
            if hi < 0.4:
                name = g.c(CLS[k])
                opts += [f"{name} dominates the tile", f"the tile is mostly {name}", f"{name} makes up the bulk of the area"]
    if not opts:
        return None
    return g.c(opts), 'dominance', True, 'dominance'


def g_water(g, T, want):
    r = g.r
    wl = water_lohi(T)
    if wl is None:
        return None
    lo, hi = wl
    if want:
        opts = []
        if hi < 0.003:
            opts += ["there is no open water", "no water bodies are visible", "the tile is free of open water", "no lakes, ponds or rivers",
                     "surface water: none", "no sign of standing water", "water is absent", "there isn't any open water in the frame",
                     "no pixels meet an open-water NDWI threshold of 0.2"]
        if lo >= 0.005:
            X = nice_floor(lo * 0.8)
            opts += ["some open water is present", "there is surface water in the tile", "a water body is visible",
                     f"water covers at least {g.share(X, r.choice(['pct', 'pctdec', 'ha', 'px']))}", "open water present"]
        if hi < 0.6 and hi >= 0.003:
            Y = nice_ceil(hi + 0.08)
            opts += [f"water covers less than {g.share(Y, r.choice(['pct', 'percent', 'ha']))} of the tile",
                     f"open water stays below {Y * 100:.0f}% of the area"]
        if not opts:
            return None
        return g.c(opts), 'water', True, 'water'
    opts = []
    if lo >= 0.005:
        opts += ["there is no open water", "no water bodies are visible", "the tile is completely dry", "no lakes or rivers appear",
                 "water: absent", "the scene lacks any surface water", "not a single water pixel", "there isn't any standing water"]
    if hi < 0.003:
        opts += ["a lake occupies part of the tile", "a river crosses the scene", "open water covers about a fifth of the tile",
                 f"water covers {g.share(0.15, r.choice(['pct', 'ha', 'px']))}", "several ponds are visible", "a reservoir sits in the middle of the tile",
                 "NDWI indicates extensive open water"]
    if hi < 0.6:
        Y = min(0.95, nice_ceil(max(hi * 3, hi + 0.2)))
        opts += [f"water covers more than {g.share(Y, r.choice(['pct', 'pctsp', 'percent', 'km2']))} of the tile", f"open water exceeds {Y * 100:.0f}% of the area"]
    if lo >= 0.05:
        Y = nice_floor(lo * 0.3)
        if Y > 0:
            opts += [f"water covers under {g.share(Y, r.choice(['pct', 'pctdec']))}", f"only a trace of water (< {Y * 100:.1f}%)"]
    if T['group'] in ('brandenburg', 'austria'):
        opts += ["the shoreline of the open sea with breaking surf", "a tidal estuary with mudflats", "a stretch of ocean coastline"]
    if not opts:
        return None
    t = g.c(opts)
    dec = not any(w in t for w in ('sea', 'tidal', 'ocean'))
    return t, 'water', dec, 'water'


ELEV_TRUE = {'brandenburg': ["the terrain is flat lowland", "elevation stays below 100 m above sea level", "a low-lying glacial plain", "relief is negligible"],
             'ireland': ["low rolling terrain", "the land lies below 350 m a.s.l.", "no mountains higher than 500 m"],
             'portugal': ["elevation well below 800 m", "no high mountains in the tile"],
             'finland': ["low-lying boreal terrain below 300 m", "gently undulating lowland"],
             'austria': ["elevation under 900 m a.s.l.", "no high-alpine terrain"]}


def g_elevation(g, T, want):
    if want:
        return g.c(ELEV_TRUE[T['group']]), 'elevation', True, 'elev'
    t = g.c(["the tile sits above 2,500 m in high alpine terrain", "elevation exceeds 3,000 m a.s.l.", "the land lies below sea level, like a polder",
             "a summit of 4,000 m rises in the centre", "mean elevation around 2,800 m", "glaciated peaks over 3,500 metres", "the DEM shows heights of 1,800-2,400 m"])
    return t, 'elevation', False, 'elev'


def g_slope(g, T, want):
    if want:
        if T['group'] not in ('brandenburg', 'finland'):
            return None
        return g.c(["slopes are gentle, mostly under 5°", "no steep slopes", "slopes are mostly below 10 degrees"]), 'slope', True, 'slope'
    return g.c(["slopes exceed 35° across most of the tile", "mean slope is about 40 degrees", "cliff faces steeper than 60°", "steep slopes of 30-45° dominate"]), 'slope', False, 'slope'


def g_terrain(g, T, want):
    if want:
        if T['group'] not in ('brandenburg', 'finland'):
            return None
        return g.c(["the terrain is essentially flat", "no pronounced relief"]), 'terrain', True, 'terrain'
    return g.c(["a deep alpine gorge cuts through the tile", "rugged mountain terrain with knife-edge ridges", "an active volcanic cone", "a deeply incised canyon",
                "karst mountains with sheer limestone walls", "the tile straddles a high mountain pass"]), 'terrain', False, 'terrain'


def g_canopy(g, T, want):
    if want:
        return g.c(["no trees taller than 60 m", "tree heights are well below 50 m", "canopy height nowhere near 70 m"]), 'canopy', True, 'canopy'
    return g.c(["the canopy is over 60 m tall", "giant trees of 80 m height", "a tropical rainforest canopy reaching 65 m", "mean canopy height about 70 m",
                "emergent trees above 90 m"]), 'canopy', False, 'canopy'


def veg_word(m):
    if m < 0.2:
        return ['weak green signal', 'low photosynthetic activity', 'little active green vegetation']
    if m < 0.45:
        return ['moderate vegetation vigour', 'modest greenness', 'low-to-moderate NDVI']
    if m >= 0.7:
        return ['vigorous green vegetation', 'dense, healthy vegetation', 'lush green cover', 'high photosynthetic activity']
    return ['moderately dense vegetation']


def g_vegetation(g, T, want):
    if not T.get('ev_s2'):
        return None
    r = g.r
    N = T['ndvi']
    m = N['mean']
    if want:
        a = math.floor((m - 0.1) * 20) / 20
        b = math.ceil((m + 0.1) * 20) / 20
        opts = [f"mean NDVI is about {m:.2f}", f"NDVI averages {m:.2f}", f"NDVI between {a:.2f} and {b:.2f} on average", f"mean NDVI below {b:.2f}",
                f"median NDVI ≈ {N['median']:.2f}", f"NDVI (B8/B4) mean {m:.3f}", f"tile-mean NDVI of {m:.2f} ± 0.02",
                g.c(veg_word(m)), f"{g.c(veg_word(m))} (mean NDVI {m:.2f})",
                f"{N['frac_gt_0.5'] * 100:.0f}% of pixels have NDVI above 0.5", f"NDVI 10th-90th percentile range {N['p10']:.2f} to {N['p90']:.2f}"]
        if m - 0.15 > 0:
            opts.append(f"mean NDVI above {math.floor((m - 0.15) * 20) / 20:.2f}")
        return g.c(opts), 'vegetation', True, 'veg'
    opts = []
    if m < 0.35:
        opts += ["vigorous green vegetation with NDVI above 0.7", "lush, dense vegetation throughout", "mean NDVI of 0.82",
                 f"NDVI averages {m + 0.45:.2f}", "peak-season green-up, NDVI > 0.8", "most pixels show NDVI over 0.6",
                 "crops at full canopy closure (NDVI ~0.85)"]
    if m > 0.5:
        opts += ["vegetation is sparse, mean NDVI below 0.15", "NDVI averages 0.05, essentially bare", f"mean NDVI is about {m - 0.45:.2f}",
                 "very little green vegetation", "almost no photosynthetically active vegetation", "NDVI is negative on most pixels"]
    if not opts:
        return None
    return g.c(opts), 'vegetation', True, 'veg'


def g_sar(g, T, want):
    if not T.get('ev_s1'):
        return None
    S = T['s1']
    if 'VV_desc' not in S or 'VH_desc' not in S:
        return None
    vv, vh = S['VV_desc']['mean_db'], S['VH_desc']['mean_db']
    lin = 10 ** (vv / 10)
    if want:
        opts = [f"mean VV backscatter around {vv:.1f} dB", f"Sentinel-1 VV averages {vv:.1f} dB (≈{lin:.3f} in linear power, from the dB mean)",
                f"VH mean σ0 of {vh:.1f} dB", f"VH is about {vv - vh:.0f} dB weaker than VV", f"VV between {vv - 2:.0f} and {vv + 2:.0f} dB",
                f"cross-pol (VH) backscatter near {vh:.0f} dB", f"VH/VV ratio of roughly {vh - vv:.1f} dB", "co-pol VV is stronger than cross-pol VH",
                f"VV median {S['VV_desc']['median_db']:.1f} dB", "the S1 scene is from a descending pass"]
        return g.c(opts), 'sar', True, 'sar'
    opts = [f"mean VV backscatter of {vv + 9:.1f} dB", f"VV averages {vv - 10:.0f} dB", "VH is stronger than VV", f"VH mean σ0 of {vh + 12:.1f} dB",
            "backscatter is positive, around +3 dB in VV", f"VV ≈ {10 ** ((vv + 8) / 10):.2f} in linear units", "VH near -32 dB, close to the noise floor",
            "very bright radar returns typical of dense urban areas (VV above 0 dB)"]
    return g.c(opts), 'sar', True, 'sar'


def fmt_date(g, y, m, d):
    dt = datetime.date(y, m, d)
    return g.c([f"{y}-{m:02d}-{d:02d}", f"{d} {MONTHS[m - 1]} {y}", f"{MONTHS[m - 1][:3]} {d}, {y}", f"{d:02d}.{m:02d}.{y}", f"{y}{m:02d}{d:02d}",
                f"{MONTHS[m - 1]} {d}, {y}", f"{d:02d}/{m:02d}/{y}", f"{MONTHS[m - 1]} {y}", f"DOY {dt.timetuple().tm_yday:03d} of {y}",
                f"{dt.strftime('%A')} {d} {MONTHS[m - 1]} {y}"])


SEASON_WORDS = {'winter': ['winter', 'mid-winter', 'wintertime'], 'spring': ['spring'], 'summer': ['summer', 'early summer'], 'autumn': ['autumn', 'fall']}


def g_season(g, T, want):
    y, m, d = T['year'], T['month'], T['day']
    s = T['season']
    if want:
        sw = g.c(SEASON_WORDS[s]) if not (m == 6 and d < 21) else g.c(['early summer', 'June', 'the early growing season'])
        opts = [f"acquired on {fmt_date(g, y, m, d)}", f"acquisition date {fmt_date(g, y, m, d)}", f"captured in {sw} {y}", f"a {sw} scene",
                f"sensing date: {fmt_date(g, y, m, d)}", f"taken in {MONTHS[m - 1]}", f"imaged during {sw}", f"S2 overpass on {fmt_date(g, y, m, d)}"]
        return g.c(opts), 'season', True, 'date'
    # false: shift by 4-6 months (different season) or by 2-3 years
    if g.r.random() < 0.55:
        mm = (m - 1 + g.c([4, 5, 6, 7])) % 12 + 1
        dd = min(d, 28)
        yy = y
        t = g.c([f"acquired on {fmt_date(g, yy, mm, dd)}", f"acquisition date {fmt_date(g, yy, mm, dd)}", f"taken in {MONTHS[mm - 1]} {yy}",
                 f"sensing date: {fmt_date(g, yy, mm, dd)}"])
    elif g.r.random() < 0.5:
        yy = y + g.c([-3, 3, 4, 5])
        t = g.c([f"acquired on {fmt_date(g, yy, m, d)}", f"imaged in {yy}", f"acquisition year {yy}"])
    else:
        wrong = {'winter': 'summer', 'summer': 'winter', 'spring': 'autumn', 'autumn': 'spring'}[s]
        if m == 6:
            wrong = g.c(['winter', 'autumn'])
        t = g.c([f"captured in {g.c(SEASON_WORDS[wrong])}", f"a {wrong} scene", f"imaged in the middle of {wrong}", f"typical {wrong} conditions at acquisition time"])
    return t, 'season', True, 'date'


def g_place(g, T, want):
    R = T['group']
    towns = T['towns']
    lat, lon = T['lat'], T['lon']
    ns = 'N' if lat >= 0 else 'S'
    ew = 'E' if lon >= 0 else 'W'
    zone = int(T['crs'][-2:])
    if want:
        opts = [f"in {T['country']}", f"located in {T['country']}", f"centre at {abs(lat):.3f}°{ns}, {abs(lon):.3f}°{ew}", f"UTM zone {zone}N",
                f"projected in {T['crs']}", f"lat {lat:.2f}, lon {lon:.2f}"]
        from truth import REGION
        opts += [f"in {g.c(REGION[R]['regions'])}"]
        if T.get('county'):
            opts.append(f"in {T['county']}")
        for tn, v in towns.items():
            km = v['km']
            if km < 15:
                opts.append(f"roughly {km:.0f} km {v['tile_is_dir_of_town']} of {tn}")
                opts.append(f"near {tn}")
            else:
                opts.append(f"about {5 * round(km / 5):.0f} km {v['tile_is_dir_of_town']} of {tn}")
        return g.c(opts), 'place', True, 'place'
    from truth import REGION
    RR = REGION[R]
    opts = [f"in {g.c(RR['false_countries'])}", f"located in {g.c(RR['false_regions'])}", (lambda p: ('on ' if 'coast' in p else 'in ') + p)(g.c(RR['false_places'])), f"somewhere around {g.c(RR['false_places'])}",
            f"centre at {abs(lat) + 7:.2f}°{ns}, {abs(lon):.2f}°{ew}", "in the southern hemisphere", f"UTM zone {zone + 4}N"]
    for tn, v in towns.items():
        opts.append(f"about {v['km'] * 4 + 80:.0f} km from {tn}")
    t = g.c(opts)
    return t, 'place', True, 'place'


def g_position(g, T, want):
    r = g.r
    cands = []  # (mask-region dict list, name)
    L = lc_classes(T)
    for k in L:
        if L[k]['px'] >= 200:
            cands.append(([L[k]['regions']], g.c(CLS[k]), 'lc_' + k))
    wl = water_lohi(T)
    if T.get('ev_water_layer') and wl and T['water_px'] >= 80 and T['s2_water_px'] >= 80:
        cands.append(([T['water_regions'], T['s2_water_regions']], g.c(['open water', 'the water body', 'surface water']), 'water'))
    if T.get('ev_s2') and T['snow_frac'] > 0.1:
        cands.append(([T['snow_regions']], 'snow', 'snow'))
    if not cands:
        return None
    regs, name, topic = g.c(cands)
    def frac(key):
        return min(rg[key] / rg['total'] for rg in regs)
    def fmax(key):
        return max(rg[key] / rg['total'] for rg in regs)
    if want:
        opts = []
        for q in QUAD:
            if frac(q) >= 0.5:
                opts += [f"most of the {name} lies in the {g.c(QUAD[q])}", f"{name} is concentrated in the {g.c(QUAD[q])}"]
            if min(rg[q] for rg in regs) >= 60:
                opts += [f"{name} occurs in the {g.c(QUAD[q])}", f"there is {name} in the {g.c(QUAD[q])}"]
        for h in HALF:
            if frac(h) >= 0.7:
                opts += [f"{name} is mainly in the {g.c(HALF[h])}", f"the bulk of the {name} sits in the {g.c(HALF[h])}"]
        for e, w in EDGE.items():
            if min(rg[e] for rg in regs) >= 40:
                opts += [f"{name} reaches within 200 m of the {w} edge", f"{name} touches the {w} border of the tile"]
        for th in THIRD:
            if min(rg[th] for rg in regs) >= 60:
                opts += [f"some {name} falls within the {g.c(THIRD[th])}"]
        if len(regs) == 1 and 'row_min' in regs[0]:
            rg = regs[0]
            opts.append(f"{name} pixels span rows {rg['row_min']}–{rg['row_max']} and columns {rg['col_min']}–{rg['col_max']}")
        if not opts:
            return None
        return g.c(opts), 'position', True, 'pos_' + topic
    opts = []
    for q in QUAD:
        if fmax(q) <= 0.6 and min(rg['total'] - rg[q] for rg in regs) >= 100:
            opts += [f"all of the {name} is confined to the {g.c(QUAD[q])}", f"{name} appears only in the {g.c(QUAD[q])}"]
        if max(rg[q] for rg in regs) == 0:
            opts += [f"most of the {name} lies in the {g.c(QUAD[q])}", f"{name} is concentrated in the {g.c(QUAD[q])}"]
    for h in HALF:
        o = OPP[h]
        if frac(o) >= 0.25 and min(rg[o] for rg in regs) >= 100:
            opts += [f"{name} is found exclusively in the {g.c(HALF[h])}", f"the {g.c(HALF[o])} has no {name} at all"]
    for e, w in EDGE.items():
        if min(rg[e] for rg in regs) >= 100:
            opts += [f"no {name} within 200 m of the {w} edge", f"the {w} 20-pixel margin is free of {name}"]
    for th in THIRD:
        if max(rg[th] for rg in regs) == 0:
            opts += [f"{name} is concentrated in the {g.c(THIRD[th])}"]
    if not opts:
        return None
    return g.c(opts), 'position', True, 'pos_' + topic


def g_comparison(g, T, want):
    r = g.r
    opts_t, opts_f = [], []
    L = lc_classes(T)
    wl = water_lohi(T)
    ks = list(L)
    for a in ks:
        for b in ks:
            if a == b:
                continue
            pa, pb = L[a]['px'], L[b]['px']
            na, nb = g.c(CLS[a]), g.c(CLS[b])
            if pa >= 3 * pb and pa - pb >= 0.08 * TILE_PX:
                opts_t += [f"the layer maps more {na} than {nb}", f"{na} outweighs {nb} among the mapped pixels"]
                opts_f += [f"there is more {nb} than {na}", f"{nb} exceeds {na}", f"{nb} covers twice as much ground as {na}", f"{nb} outnumbers {na} by area"]
    if L and wl:
        for a in ks:
            if a == 'water':
                continue
            lo, hi = lc_lohi(T, a)
            na = g.c(CLS[a])
            if lo >= wl[1] + 0.08:
                opts_t += [f"there is more {na} than open water", f"{na} exceeds the water area"]
                opts_f += [f"open water covers more ground than {na}", f"water exceeds {na} in area", f"the lake area is larger than all the {na} combined"]
            if wl[0] >= hi + 0.08:
                opts_t += [f"water exceeds {na} in area"]
                opts_f += [f"there is more {na} than open water"]
    if T.get('ev_s1') and 'VV_desc' in T.get('s1', {}):
        opts_t += ["VV backscatter exceeds VH"]
        opts_f += ["VH backscatter exceeds VV", "cross-pol returns are stronger than co-pol returns"]
    if T.get('ev_s2'):
        q = T['ndvi_quadrant_mean']
        for a in q:
            for b in q:
                if a != b and q[a] is not None and q[b] is not None and q[a] - q[b] >= 0.12:
                    opts_t += [f"the {g.c(QUAD[a])} is greener than the {g.c(QUAD[b])}", f"NDVI is higher in the {g.c(QUAD[a])} than in the {g.c(QUAD[b])}"]
                    opts_f += [f"the {g.c(QUAD[b])} is greener than the {g.c(QUAD[a])}", f"NDVI in the {g.c(QUAD[b])} clearly exceeds that of the {g.c(QUAD[a])}"]
        if T['refl_mean']['B8'] > T['refl_mean']['B4'] * 2.5 and T['ndvi']['mean'] > 0.5:
            opts_t += ["NIR reflectance is several times the red reflectance"]
            opts_f += ["red reflectance exceeds near-infrared reflectance", "B4 is brighter than B8 on average"]
    o = opts_t if want else opts_f
    if not o:
        return None
    return g.c(o), 'comparison', True, 'comparison'


def g_cloud(g, T, want):
    if not T.get('ev_s2') or T['snow_frac'] > 0.01:
        return None
    if want:
        return g.c(["cloud-free", "no clouds obscure the ground", "clear-sky acquisition", "no cloud or haze visible", "0% cloud cover over the tile"]), 'other:cloud', True, 'cloud'
    return g.c(["thick cloud covers more than half of the scene", "heavily clouded, the ground is barely visible", "about 70% cloud cover",
                "a dense cumulus deck hides most of the tile"]), 'other:cloud', True, 'cloud'


def g_snow(g, T, want):
    if not T.get('ev_s2'):
        return None
    sf = T['snow_frac']
    if want:
        if sf < 0.002:
            return g.c(["no snow on the ground", "snow-free", "no snow or ice", "NDSI shows no snow cover"]), 'other:snow', True, 'snow'
        if sf > 0.5:
            return g.c([f"snow covers roughly {numword(round(sf * 100))} percent of the scene", "most of the tile is snow-covered",
                        f"NDSI > 0.4 over {sf * 100:.0f}% of pixels", "a snow-covered landscape"]), 'other:snow', True, 'snow'
        return None
    if sf < 0.002:
        return g.c(["a thick snow cover blankets the tile", "snow covers most of the ground", "snow and ice over more than half the scene",
                    "NDSI indicates widespread snow"]), 'other:snow', True, 'snow'
    if sf > 0.5:
        return g.c(["completely snow-free", "no snow anywhere", "bare of snow"]), 'other:snow', True, 'snow'
    return None


def g_product(g, T, want):
    if not T.get('ev_s2'):
        return None
    l1c = T.get('s2_product') == 'S2MSI1C'
    if want:
        return g.c(["Sentinel-2 Level-1C (top-of-atmosphere) reflectance" if l1c else "Sentinel-2 Level-2A surface reflectance",
                    "optical data from Sentinel-2", "12 Sentinel-2 bands at 10 m grid", "MSI imagery, 12 bands resampled to 10 m"]), 'other:product', True, 'product'
    return g.c(["the optical image is a Landsat 8 OLI scene", "acquired by WorldView-3 at 30 cm", "the optical data come from MODIS at 250 m", "a SPOT-7 panchromatic image"]), 'other:product', True, 'product'


def g_reflect(g, T, want):
    if not T.get('ev_s2'):
        return None
    b = T['bright']['mean']
    R = T['refl_mean']
    if want:
        return g.c([f"mean visible reflectance about {b:.2f}", f"NIR (B8) reflectance averages {R['B8']:.2f}", f"mean SWIR-1 (B11) reflectance near {R['B11']:.2f}",
                    f"blue-band mean {R['B2']:.3f}", f"brightness ≈ {b:.3f}"]), 'other:reflectance', True, 'refl'
    return g.c([f"mean visible reflectance about {b + 0.4:.2f}", f"NIR reflectance averages {R['B8'] + 0.35:.2f}", "very bright surfaces, visible reflectance above 0.6",
                f"blue-band mean {R['B2'] * 5 + 0.2:.2f}"]), 'other:reflectance', True, 'refl'


# ---- second template bank


def x_landcover_share(g, T, want):
    L = lc_classes(T)
    if not L:
        return None
    k = g.c(list(L)); lo, hi = lc_lohi(T, k); name = g.c(CLS[k]); px = L[k]['px']
    if want:
        if lo < 0.02:
            return None
        X = nice_floor(lo * 0.85)
        if X <= 0:
            return None
        o = [f"{name} ≥ {X * 100:.1f} % (lower bound, unlabelled pixels not counted)", f"a minimum of {round(X * TILE_PX):,} pixels are {name}",
             f"{name} fraction ≥ {X:.2f}", f"{name} covers {math.floor(lo * 1000) / 10:.1f}% of the tile or more", f"{name} extent: {math.floor(px / 10) / 1000:.3f} km² mapped",
             f"the {name} class contributes more than {math.floor(X * 163.84)} hectares", f"share of {name}: >{X * 100:.0f}%",
             f"at least one pixel in {max(2, math.ceil(1 / X))} is {name}", f"{name} (≥ {X * 163.84:.1f} ha)"]
        if lo >= 0.11: o += [f"more than a tenth of the tile is {name}", f"over one tenth {name}"]
        if lo >= 0.21: o += [f"over a fifth of the area is {name}", f"{name} takes up more than a fifth"]
        if lo >= 0.26: o += [f"more than a quarter of the tile is {name}"]
        if 5 <= X * 100 <= 99: o += [f"{name} — at least {numword(round(X * 100))} percent of the area"]
        return g.c(o), 'landcover_share', True, 'lc_share_' + k
    o = []
    if lo >= 0.05:
        Y = nice_floor(lo * 0.45)
        if Y > 0:
            o += [f"{name} is negligible (< {Y * 100:.1f}%)", f"hardly any {name}, under {Y * 100:.0f}%", f"{name} share = {Y * 0.4:.3f}",
                  f"barely {Y * 0.7 * 163.84:.1f} ha of {name}", f"a little {name}, well under {Y * 1.6384:.2f} km²", f"{name} fraction below {Y:.2f}",
                  f"{name} accounts for {Y * 0.5 * 100:.1f}% of the tile", f"{name}: {round(Y * 0.5 * TILE_PX):,} px in total",
                  f"{name} covers roughly {Y * 0.3 * 1e6 * 1.6384:,.0f} m²"]
    if lo >= 0.15:
        o += [f"just a sliver of {name}", f"hardly any {name}"]
    if hi <= 0.45:
        o += [f"{name} takes up {g.c(['two thirds', 'three quarters', 'roughly 70 percent', 'most'])} of the tile", f"{name} covers about {min(95, hi * 100 + 35):.0f}% of the tile"]
    if not o:
        return None
    return g.c(o), 'landcover_share', True, 'lc_share_' + k


def x_landcover_presence(g, T, want):
    L = lc_classes(T)
    if not L:
        return None
    if want:
        ks = [k for k in L if L[k]['px'] >= 40]
        if not ks:
            return None
        k = g.c(ks); name = g.c(CLS[k])
        return g.c([f"{name} was detected", f"a patch of {name} ({L[k]['px']:,} px)", f"{name} is mapped in the land-use layer", f"the land-use layer contains {name}",
                    f"{name} present: yes", f"some parcels classed as {name}", f"{name} can be found", f"{name} shows up in the classification"]), 'landcover_presence', True, 'lc_pres_' + k
    ks = [k for k in L if L[k]['px'] >= 100]
    if not ks:
        return None
    k = g.c(ks); name = g.c(CLS[k])
    return g.c([f"{name} is entirely missing", f"{name} does not occur", f"no {name} was mapped", f"without any {name}", f"devoid of {name}",
                f"the tile contains no {name} whatsoever", f"{name} = 0 px", f"{name}: 0.0 ha", f"{name}? none", f"nowhere is there any {name}"]), 'landcover_presence', True, 'lc_pres_' + k


def x_water(g, T, want):
    wl = water_lohi(T)
    if wl is None:
        return None
    lo, hi = wl
    if want:
        o = []
        if hi < 0.003:
            o += ["the occurrence layer and NDWI both show no water" if T.get('ev_water_layer') else "NDWI shows no open water", "dry land throughout, no ponds",
                  "no lake, river or canal", "there's no water in it", "zero water pixels"]
        if lo >= 0.005:
            o += ["a lake or pond occupies part of the tile", "standing water is present", "the scene contains open water", f"at least {lo * 0.8 * 163.84:.1f} ha of water"]
        if not o:
            return None
        return g.c(o), 'water', True, 'water'
    o = []
    if lo >= 0.005:
        o += ["water-free tile", "no pond, lake or river anywhere", "dry land only, no open water", "there's no water in it", "the water mask is empty"]
    if hi < 0.003:
        o += ["a wide river flows north-south through the centre", "the scene is half water", "a fish-pond complex fills the eastern half", "lake shoreline visible in the north"]
    if hi < 0.2:
        Y = min(0.95, nice_ceil(hi + 0.25))
        o += [f"about {Y * 100:.0f}% open water", f"water fraction ≈ {Y:.2f}", f"some {Y * 163.84:.0f} ha of open water"]
    if not o:
        return None
    return g.c(o), 'water', True, 'water'


def x_vegetation(g, T, want):
    if not T.get('ev_s2'):
        return None
    N = T['ndvi']; m = N['mean']
    if want:
        o = [f"NDVI ranges from {N['p10']:.2f} (P10) to {N['p90']:.2f} (P90)", f"{N['frac_gt_0.3'] * 100:.0f}% of valid pixels exceed NDVI 0.3",
             f"NDVI_mean={m:.2f}", f"average (B8−B4)/(B8+B4) ≈ {m:.2f}", f"NDVI values are mostly under {N['p90'] + 0.05:.2f}",
             f"greenness: {g.c(veg_word(m))}"]
        if m < 0.35 and T['season'] == 'winter':
            o += ["winter-dormant vegetation", "vegetation is largely dormant, as expected in winter"]
        if m > 0.5:
            o += [f"over {max(0, N['frac_gt_0.5'] * 100 - 5):.0f}% of the tile shows NDVI > 0.5", "photosynthetically active vegetation across most of the tile"]
        return g.c(o), 'vegetation', True, 'veg'
    o = []
    if m < 0.35:
        o += [f"NDVI_mean={m + 0.5:.2f}", "eighty percent of pixels have NDVI above 0.6", "dense, closed-canopy green vegetation (mean NDVI ≈ 0.78)",
              f"average (B8−B4)/(B8+B4) of {m + 0.45:.2f}", "the fields are in full leaf and bright green"]
    if m > 0.5:
        o += [f"NDVI_mean={max(m - 0.5, -0.1):.2f}", "vegetation is dormant and brown, NDVI under 0.15", f"fewer than 10% of pixels exceed NDVI 0.3"]
    if not o:
        return None
    return g.c(o), 'vegetation', True, 'veg'


def x_sar(g, T, want):
    if not T.get('ev_s1') or 'VV_desc' not in T.get('s1', {}):
        return None
    S = T['s1']; vv, vh = S['VV_desc']['mean_db'], S['VH_desc']['mean_db']
    if want:
        return g.c([f"σ⁰_VV ≈ {vv:.1f} dB", f"VV mean {10 ** (vv / 10):.3f} (linear) / {vv:.1f} dB", f"VH 5th–95th percentile {S['VH_desc']['p5_db']:.0f} to {S['VH_desc']['p95_db']:.0f} dB",
                    f"VV−VH difference ~{vv - vh:.1f} dB", f"co-polarised backscatter of about {vv:.0f} dB", f"mean VH ≈ {10 ** (vh / 10):.4f} in linear power units",
                    f"moderate C-band backscatter around {vv:.0f} dB in VV", f"VH σ⁰ median {S['VH_desc']['median_db']:.1f} dB"]), 'sar', True, 'sar'
    return g.c([f"σ⁰_VV ≈ {vv + 10:.1f} dB", f"VV−VH difference of about {vv - vh + 13:.0f} dB", f"mean VH ≈ {10 ** ((vh + 11) / 10):.3f} linear",
                "backscatter below -30 dB in both channels, like calm open water", f"VH averages {vh - 12:.0f} dB", f"VV mean {10 ** ((vv + 9) / 10):.2f} (linear)",
                f"co-polarised backscatter of about {vv - 11:.0f} dB"]), 'sar', True, 'sar'


def x_season(g, T, want):
    y, m, d = T['year'], T['month'], T['day']
    if want:
        o = [f"{MONTHS[m - 1].lower()} acquisition", f"the scene dates from {y}", f"imagery from {MONTHS[m - 1][:3]}-{y}", f"acquired {y}-{m:02d}",
             f"{T['season'] if not (m == 6 and d < 21) else 'early-summer'} imagery ({MONTHS[m - 1]} {y})", f"date: {d:02d}/{m:02d}/{y} (dd/mm/yyyy)"]
        if T['season'] == 'winter' and T['group'] in ('brandenburg', 'finland'):
            o += ["leaf-off conditions", "winter conditions at acquisition"]
        return g.c(o), 'season', True, 'date'
    mm = (m - 1 + g.c([4, 5, 6, 7])) % 12 + 1
    o = [f"{MONTHS[mm - 1].lower()} acquisition", f"acquired {y}-{mm:02d}", f"imagery from {MONTHS[mm - 1][:3]}-{y}", f"the scene dates from {y + g.c([-4, -3, 3, 4])}"]
    if T['season'] == 'winter':
        o += ["leaf-on midsummer conditions", "imaged in the harvest season, late August", "high-summer scene"]
    if T['season'] in ('summer',) or m == 6:
        o += ["autumn colours at acquisition", "leaf-off winter conditions", "taken in December"]
    if T['season'] == 'autumn':
        o += ["taken in spring, at green-up", "March acquisition"]
    return g.c(o), 'season', True, 'date'


def x_place(g, T, want):
    lat, lon = T['lat'], T['lon']
    def dms(x):
        x = abs(x); d = int(x); mi = int((x - d) * 60); s = (x - d - mi / 60) * 3600
        return f"{d}°{mi:02d}′{s:02.0f}″"
    if want:
        o = [f"{dms(lat)}{'N' if lat >= 0 else 'S'} {dms(lon)}{'E' if lon >= 0 else 'W'}", "in Europe", "inside the European Union",
             f"{lat:.4f} N / {abs(lon):.4f} {'E' if lon >= 0 else 'W'}"]
        if T['country'] == 'Germany':
            o += ["in the Federal Republic of Germany", "in the German state of Brandenburg"]
        return g.c(o), 'place', True, 'place'
    o = ["in North America", "in South-East Asia", "somewhere in Patagonia", f"latitude {lat - 20:.2f}", f"{dms(lat + 12)}N {dms(abs(lon))}{'E' if lon >= 0 else 'W'}"]
    for tn, v in T['towns'].items():
        o.append(f"some {v['km'] * 5 + 100:.0f} km away from {tn}")
    return g.c(o), 'place', True, 'place'


def x_misc(g, T, want):
    """tile geometry / product facts (other:product)."""
    if want:
        return g.c(["10 m pixels on a 128 × 128 grid", "tile size 1.28 km × 1.28 km", "16,384 pixels at 10 m GSD", "a 1,280 m square footprint",
                    "1.6384 km² tile"]), 'other:product', True, 'product'
    return g.c(["20 m pixels on a 64 × 64 grid", "a 5 km × 5 km tile", "30 cm very-high-resolution pixels", "a 10 km² footprint"]), 'other:product', True, 'product'


def x_terrain(g, T, want):
    if want:
        if T['group'] != 'brandenburg':
            return None
        return g.c(["a flat young-morainic lowland", "no hills to speak of", "typical North German Plain relief"]), 'terrain', True, 'terrain'
    return g.c(["steep, high-mountain relief with scree slopes", "a fjord with near-vertical walls", "the tile lies on the flank of a 3,000 m massif",
                "a glacier tongue descends through the tile"]), 'terrain', False, 'terrain'


def x_elev(g, T, want):
    if want:
        return None
    return g.c(["altitude around 3,200 m", "the ground lies 50 m below sea level", "a high plateau at 2,400 m a.s.l.", "DEM mean ≈ 2,950 m"]), 'elevation', False, 'elev'


def x_canopy(g, T, want):
    if want:
        return None
    return g.c(["tree heights of 75-90 m, like old-growth redwoods", "canopy height model: mean 65 m", "giant sequoias over 80 m tall"]), 'canopy', False, 'canopy'


def x_slope(g, T, want):
    if want:
        return None
    return g.c(["slopes of 45° and more", "mostly precipitous terrain above 40 degrees slope", "mean slope ~38°"]), 'slope', False, 'slope'


def x_position(g, T, want):
    L = lc_classes(T)
    cands = [(L[k]['regions'], g.c(CLS[k]), 'lc_' + k) for k in L if L[k]['px'] >= 200]
    if T.get('ev_s2') and T['snow_frac'] > 0.1:
        cands.append((T['snow_regions'], 'snow', 'snow'))
    if not cands:
        return None
    rg, name, topic = g.c(cands)
    tot = rg['total']
    if want:
        o = []
        if rg['centre'] >= 60:
            o += [f"{name} occupies part of the central 640 m × 640 m", f"some {name} near the tile centre"]
        if 'centroid_rc' in rg:
            o += [f"the {name} centroid is near row {rg['centroid_rc'][0]:.0f}, column {rg['centroid_rc'][1]:.0f}"]
        for q in QUAD:
            if rg[q] / tot >= 0.2:
                o += [f"about {rg[q] / tot * 100:.0f}% of the {name} pixels fall in the {g.c(QUAD[q])}"]
        if not o:
            return None
        return g.c(o), 'position', True, 'pos_' + topic
    o = []
    if tot - rg['centre'] >= max(100, 0.3 * tot):
        o += [f"{name} is restricted to the central 640 m × 640 m", f"all {name} lies in the middle of the tile, away from the edges"]
    for e, w in EDGE.items():
        if rg[e] >= 100:
            o += [f"{name} stays more than 200 m from the {w} edge", f"the {w} edge (first 20 px) has no {name}"]
    if rg['W_half'] >= max(100, 0.3 * tot):
        o += [f"{name} only in columns 64–127"]
    if rg['N_half'] >= max(100, 0.3 * tot):
        o += [f"{name} only in rows 64–127 (the south)"]
    if not o:
        return None
    return g.c(o), 'position', True, 'pos_' + topic


def x_comparison(g, T, want):
    L = lc_classes(T)
    ot, of = [], []
    for a in L:
        for b in L:
            if a == b:
                continue
            pa, pb = L[a]['px'], L[b]['px']
            na, nb = g.c(CLS[a]), g.c(CLS[b])
            if pa >= 3 * pb and pa - pb >= 0.08 * TILE_PX:
                ot += [f"{na} is more than twice {nb} in mapped area", f"the mapped {na}/{nb} ratio exceeds 2:1"]
                of += [f"{nb} is at least twice the {na} area", f"{na} and {nb} cover roughly equal areas", f"{nb} > {na}", f"the {nb}:{na} ratio is about 3:1"]
    if T.get('ev_s2') and T['ndvi']['mean'] > 0.5:
        ot += ["mean NDVI exceeds mean NDWI"]
        of += ["mean NDWI exceeds mean NDVI"]
    o = ot if want else of
    if not o:
        return None
    return g.c(o), 'comparison', True, 'comparison'


def x_cloud(g, T, want):
    if not T.get('ev_s2') or T['snow_frac'] > 0.01:
        return None
    if want:
        return g.c(["cloud share ≈ 0%", "an unobscured, clear view of the ground", "no cloud shadows"]), 'other:cloud', True, 'cloud'
    return g.c(["cloud shadows and cumulus cover about 60% of the tile", "overcast; the surface is not visible", "cloud fraction 0.85"]), 'other:cloud', True, 'cloud'


def x_reflect(g, T, want):
    if not T.get('ev_s2'):
        return None
    R = T['refl_mean']; b = T['bright']['mean']
    if want:
        o = [f"red (B4) mean {R['B4']:.2f}", f"SWIR-2 (B12) averages {R['B12']:.2f}", f"green (B3) reflectance ≈ {R['B3']:.3f}"]
        if b < 0.15:
            o += ["a dark scene, mean visible reflectance under 0.2"]
        return g.c(o), 'other:reflectance', True, 'refl'
    o = [f"red (B4) mean {R['B4'] + 0.4:.2f}", f"SWIR-2 (B12) averages {R['B12'] + 0.45:.2f}"]
    if b < 0.2:
        o += ["mean visible reflectance above 0.5, very bright"]
    return g.c(o), 'other:reflectance', True, 'refl'


XGENS = {'landcover_share': x_landcover_share, 'landcover_presence': x_landcover_presence, 'water': x_water, 'vegetation': x_vegetation, 'sar': x_sar,
         'season': x_season, 'place': x_place, 'other:product': x_misc, 'terrain': x_terrain, 'elevation': x_elev, 'canopy': x_canopy, 'slope': x_slope,
         'position': x_position, 'comparison': x_comparison, 'other:cloud': x_cloud, 'other:reflectance': x_reflect}


BASE_GENS = {'landcover_share': g_landcover_share, 'landcover_presence': g_landcover_presence, 'dominance': g_dominance, 'water': g_water,
        'elevation': g_elevation, 'slope': g_slope, 'terrain': g_terrain, 'canopy': g_canopy, 'vegetation': g_vegetation, 'sar': g_sar,
        'season': g_season, 'place': g_place, 'position': g_position, 'comparison': g_comparison, 'other:cloud': g_cloud, 'other:snow': g_snow,
        'other:product': g_product, 'other:reflectance': g_reflect}


def _mk(f):
    def gen(g, T, want):
        if f in XGENS and g.r.random() < 0.5:
            res = XGENS[f](g, T, want)
            if res:
                return res
        return BASE_GENS[f](g, T, want)
    return gen


FRAMES_PRE = ['approx. ', 'by eye, ', 'per the layer stack, ', 'on inspection, ', 'as far as I can tell, ', 'reportedly ', '(QA) ', 'from the data, ']
FRAMES_POST = [' (est.)', ' (approx.)', ' (checked)', ' (visual estimate)', ' per the tile statistics']


def _framed(f):
    base = _mk(f)
    def gen(g, T, want):
        res = base(g, T, want)
        if res and f not in ('other:product', 'place', 'season') and g.r.random() < 0.15:
            t = res[0]
            t = g.c(FRAMES_PRE) + t if g.r.random() < 0.5 else t + g.c(FRAMES_POST)
            res = (t,) + tuple(res[1:])
        return res
    return gen


GENS = {f: _framed(f) for f in BASE_GENS}
FALSE_WEIGHTS = {'landcover_share': 4, 'landcover_presence': 4, 'dominance': 3, 'water': 4, 'elevation': 2, 'slope': 1.5, 'terrain': 1.5, 'canopy': 1.5,
                 'vegetation': 4, 'season': 4, 'place': 4, 'position': 4, 'comparison': 3, 'other:cloud': 1, 'other:snow': 1.5, 'sar': 16,
                 'other:product': 1, 'other:reflectance': 1.5, 'consistency': 3}


# consistency: pairs (true partner, false contradiction) on the same topic
def g_consistency(g, T):
    r = g.r
    opts = []
    L = lc_classes(T)
    for k in L:
        if L[k]['px'] >= 150:
            nm = g.c(CLS[k])
            opts.append((f"{nm} is present", g.c([f"there is no {nm} anywhere in the tile", f"the tile contains no {nm}"])))
    wl = water_lohi(T)
    if wl and wl[0] >= 0.005:
        opts.append(("a water body is visible", g.c(["the scene is entirely dry, with no water", "there is no water at all"])))
    if wl and wl[1] < 0.003:
        opts.append(("there is no open water", "a lake covers a third of the tile"))
    if T.get('ev_s2'):
        m = T['ndvi']['mean']
        if m < 0.35:
            opts.append((f"mean NDVI is about {m:.2f}", "the vegetation is lush, with NDVI above 0.8 everywhere"))
        if m > 0.55:
            opts.append((f"mean NDVI is about {m:.2f}", "vegetation is almost absent (NDVI below 0.1)"))
    y, mth, d = T['year'], T['month'], T['day']
    s = T['season']
    wrong = {'winter': 'high summer', 'summer': 'the depth of winter', 'spring': 'late autumn', 'autumn': 'spring'}[s]
    opts.append((f"acquired on {fmt_date(g, y, mth, d)}", f"the image was taken in {wrong}"))
    opts.append((f"located in {T['country']}", f"the tile lies in {g.c(__import__('truth').REGION[T['group']]['false_countries'])}"))
    if T.get('ev_s1') and 'VV_desc' in T.get('s1', {}):
        vv = T['s1']['VV_desc']['mean_db']
        opts.append((f"mean VV backscatter around {vv:.1f} dB", f"VV averages above +5 dB"))
    return g.c(opts)


# ---------------------------------------------------------------- styles
def cap(s):
    return s[0].upper() + s[1:] if s else s


def render(style, clauses, g, T):
    """clauses: list of raw clause strings. returns caption text and list of rendered clause strings (substrings of caption)."""
    r = g.r
    rc = list(clauses)
    tid = T['tile_id']
    if style == 'plain':
        rc = [cap(rc[0])] + rc[1:]
        if len(rc) == 2:
            return f"{rc[0]}, and {rc[1]}.", rc
        seps = [r.choice(['; ', ', ', '. ']) for _ in rc[:-1]]
        out = rc[0]
        for i, c in enumerate(rc[1:]):
            s = seps[i]
            if s == '. ':
                c = cap(c)
                rc[i + 1] = c
            out += s + c
        return out + '.', rc
    if style == 'alt_text':
        lead = r.choice(['Satellite image of a 1.3 km square', 'Aerial view', 'Overhead Sentinel-2 view of farmland and lakes' if T['group'] == 'brandenburg' else 'Overhead satellite view',
                         'Image: satellite tile'])
        return lead + ': ' + ', '.join(rc) + '.', rc
    if style == 'analyst_note':
        rc = [cap(c) for c in rc]
        hdr = r.choice([f"Tile {tid} — analyst note", "Interpretation summary", f"AOI {tid}: findings", "Analyst remarks"])
        body = '\n'.join(f"- {c}." for c in rc)
        return f"{hdr}\n{body}", rc
    if style == 'llm_chat':
        pre = r.choice(["Sure! Here's what I can see in this tile: ", "Great question. Looking at the image, ", "Happy to help! Based on the data, ",
                        "Certainly. From what I can tell, ", "Of course! In short, "])
        post = r.choice([" Let me know if you'd like more detail!", " I hope this helps.", " (I may be wrong about small details.)", " Anything else?", ""])
        hedge = r.choice(['it seems ', 'it looks like ', 'I believe ', ''])
        body = rc[0]
        for c in rc[1:]:
            body += r.choice(['; also, ', '. Additionally, ', ', and ', '. Notably, '])
            if body.endswith('. Additionally, ') or body.endswith('. Notably, '):
                pass
            body += c
        return pre + hedge + body + '.' + post, rc
    if style == 'social':
        tags = r.choice(['#Sentinel2 #EarthObservation', '#RemoteSensing', '#GIS #satellite', '#EO #Copernicus', ''])
        emo = r.choice(['🛰️ ', '🌍 ', '', '📡 '])
        rc = [cap(rc[0])] + rc[1:]
        return emo + ' | '.join(rc) + (' ' + tags if tags else ''), rc
    if style == 'non_native':
        pre = r.choice(['In this image we can see that ', 'This picture is showing, ', 'Here is tile where ', 'The image show that '])
        return pre + ', also '.join(rc) + '.', rc
    if style == 'keywords':
        sep = r.choice([' | ', '; ', ', ', ' / '])
        return sep.join(rc), rc
    if style == 'dataset_caption':
        return 'a satellite image ' + r.choice(['in which ', 'where ', 'showing that ']) + ' and '.join(rc) + '.', rc
    if style == 'field_report':
        hdr = r.choice(['FIELD REPORT', 'Site visit log', 'Ground survey notes', 'Field check'])
        rc = [cap(c) for c in rc]
        return hdr + f' ({tid}): ' + ' '.join(c + '.' for c in rc), rc
    if style == 'qa_metadata':
        keys = ['obs', 'note', 'check', 'qa', 'flag', 'info']
        lines = [f"{r.choice(keys)}_{i + 1}: {c}" for i, c in enumerate(rc)]
        return f"tile_id={tid}\n" + '\n'.join(lines), rc
    if style == 'abstract':
        rc = [cap(rc[0])] + rc[1:]
        pre = r.choice(['We characterise the study tile as follows: ', 'Results: ', 'For the analysed 128 × 128 px tile we report: ', 'Key observations: ', 'Summary of tile statistics: '])
        rc[0] = clauses[0]
        body = rc[0]
        for c in rc[1:]:
            body += r.choice(['; ', '; furthermore, ', '; in addition, ', '; moreover, ', '; '])
            body += c
        return pre + body + '.', rc
    raise ValueError(style)


STYLES = ['plain', 'alt_text', 'analyst_note', 'llm_chat', 'social', 'non_native', 'keywords', 'dataset_caption', 'field_report', 'qa_metadata', 'abstract']


def skeleton(text):
    s = re.sub(r'[-+]?\d[\d,\.]*', '#', text)
    for k, names in CLS.items():
        for n in sorted(names, key=len, reverse=True):
            s = s.replace(n, '<C>')
    for d in (QUAD, HALF, THIRD):
        for names in d.values():
            for n in names:
                s = s.replace(n, '<P>')
    for m in MONTHS:
        s = s.replace(m, '<M>').replace(m[:3], '<M>')
    return s


def main():
    rng = random.Random(SEED)
    g = Gen(rng)
    tiles = sorted(TRUTH)
    rng2 = random.Random(SEED + 1)
    # split: quarter of tiles to dev, stratified by group
    bb = [t for t in tiles if t.startswith('bb8')]
    ben = [t for t in tiles if t.startswith('ben')]
    rng2.shuffle(bb); rng2.shuffle(ben)
    dev = set(bb[:10] + ben[:2])
    rows, audit = [], []
    style_i = 0
    for tid in tiles:
        T = TRUTH[tid]
        fams_f = [f for f in FALSE_WEIGHTS]
        # which families can produce false clauses on this tile
        avail = []
        for f in fams_f:
            if f == 'consistency':
                avail.append(f); continue
            ok = any(GENS[f](g, T, False) for _ in range(6))
            if ok:
                avail.append(f)
        tfams = [f for f in GENS if any(GENS[f](g, T, True) for _ in range(6))]
        seen_caps = set()
        def true_clauses(n, exclude_topics):
            out = []
            topics = set(exclude_topics)
            tries = 0
            while len(out) < n and tries < 200:
                tries += 1
                f = g.c(tfams)
                res = GENS[f](g, T, True)
                if not res:
                    continue
                t, fam, dec, topic = res
                tp = topic.split('_')[0] if topic.startswith(('lc', 'pos')) else topic
                if topic in topics or tp in topics or fam in [o[1] for o in out]:
                    continue
                topics.add(topic); topics.add(tp)
                out.append((t, fam, topic))
            return out
        # false captions
        weights = [FALSE_WEIGHTS[f] for f in avail]
        nf = 0
        guard = 0
        while nf < N_FALSE and guard < 5000:
            guard += 1
            fam = rng.choices(avail, weights)[0]
            style = STYLES[style_i % len(STYLES)]
            if fam == 'consistency':
                partner, fc = g_consistency(g, T)
                n_other = rng.randint(0, 3)
                others = true_clauses(n_other, {'date', 'place', 'veg', 'water', 'lc', 'sar'})
                cl = [partner] + [o[0] for o in others]
                ins = rng.randint(0, len(cl))
                cl.insert(ins, fc)
                if cl.index(fc) < cl.index(partner) and rng.random() < 0.7:
                    cl.remove(fc); cl.append(fc)
                ffam, fdec, ftopic = 'consistency', True, 'consistency'
                fclause = fc
            else:
                res = GENS[fam](g, T, False)
                if not res:
                    continue
                fclause, ffam, fdec, ftopic = res
                tp = ftopic.split('_')[0] if ftopic.startswith(('lc', 'pos')) else ftopic
                n_other = rng.randint(1, 4)
                others = true_clauses(n_other, {ftopic, tp, 'lc' if ffam.startswith(('landcover', 'dominance', 'comparison')) else ftopic,
                                                'water' if ffam in ('water', 'dominance', 'comparison') else ftopic,
                                                'veg' if ffam in ('dominance', 'vegetation') else ftopic})
                others = [o for o in others if o[1] != ffam]
                if not others:
                    continue
                cl = [o[0] for o in others]
                cl.insert(rng.randint(0, len(cl)), fclause)
            if not (2 <= len(cl) <= 5):
                continue
            text, rcl = render(style, cl, g, T)
            fi = cl.index(fclause)
            fr = rcl[fi]
            if text.count(fr) != 1 or text in seen_caps:
                continue
            if any(c != fr and fr in c for c in rcl):
                continue
            seen_caps.add(text)
            style_i += 1
            nf += 1
            cid = f"f8-{tid}-F{nf:02d}"
            rows.append({'caption_id': cid, 'tile_id': tid, 'caption': text, 'label': 'false', 'false_clause': fr, 'false_family': ffam,
                         'decidable': bool(fdec), 'style': style})
            for c, rcc in zip(cl, rcl):
                audit.append({'caption_id': cid, 'tile_id': tid, 'clause': rcc, 'is_false': c == fclause, 'family': ffam if c == fclause else None,
                              'skeleton': skeleton(c)})
        nt = 0
        guard = 0
        while nt < N_TRUE and guard < 3000:
            guard += 1
            style = STYLES[style_i % len(STYLES)]
            n = rng.randint(2, 5)
            cls = true_clauses(n, set())
            if len(cls) < 2:
                continue
            cl = [c[0] for c in cls]
            text, rcl = render(style, cl, g, T)
            if text in seen_caps:
                continue
            seen_caps.add(text)
            style_i += 1
            nt += 1
            cid = f"f8-{tid}-T{nt:02d}"
            rows.append({'caption_id': cid, 'tile_id': tid, 'caption': text, 'label': 'true', 'style': style})
            for (c, fam, topic), rcc in zip(cls, rcl):
                audit.append({'caption_id': cid, 'tile_id': tid, 'clause': rcc, 'is_false': False, 'family': fam, 'skeleton': skeleton(c)})
        assert nf == N_FALSE and nt == N_TRUE, (tid, nf, nt)
    with open(HERE + 'dev.jsonl', 'w') as fd, open(HERE + 'test.jsonl', 'w') as ft:
        for row in rows:
            (fd if row['tile_id'] in dev else ft).write(json.dumps(row, ensure_ascii=False) + '\n')
    with open(HERE + 'clauses_audit.jsonl', 'w') as fa:
        for a in audit:
            fa.write(json.dumps(a, ensure_ascii=False) + '\n')
    json.dump(sorted(dev), open(HERE + 'split_dev_tiles.json', 'w'), indent=1)
    # summary
    te = [r for r in rows if r['tile_id'] not in dev]
    print('tiles', len(tiles), 'dev tiles', len(dev), 'test tiles', len(tiles) - len(dev))
    print('test false', sum(r['label'] == 'false' for r in te), 'test true', sum(r['label'] == 'true' for r in te))
    print('styles', Counter(r['style'] for r in rows))
    print('families', Counter(r.get('false_family') for r in rows if r['label'] == 'false'))
    print('decidable', Counter(r.get('decidable') for r in rows if r['label'] == 'false'))
    print('distinct clause skeletons', len(set(a['skeleton'] for a in audit)))


if __name__ == '__main__':
    main()
