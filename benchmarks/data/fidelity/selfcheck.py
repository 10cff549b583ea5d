#!/usr/bin/env python3
"""Self-check of the caption set, re-reading every clause's TEXT against truth.json.

It does not trust the generator's truth flags: it re-parses the clause text
(class names, percentages, fractions, ranges, bounds, months, countries, NDVI,
dB values, positions) and re-decides it from truth.json, then checks that
TRUE captions contain only true clauses and FALSE captions exactly one
clearly-false clause (the labelled false_clause) plus true ones.
Clauses on relief/canopy (never co-located here) are checked for being
marked undecidable and being far outside the place's elevation envelope.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compose import NAMES, FRACTIONS, ONES, TENS, MONTHS, POS_HALF, POS_THRESH_TRUE, POS_THRESH_FALSE, TRUE_REGION, WRONG_REGION  # noqa

TRUTH = {t["tile_id"]: t for t in json.loads((HERE / "truth.json").read_text())}
NAME2CLS = sorted(((n, c) for c, ns in NAMES.items() for n in ns), key=lambda x: -len(x[0]))
WORDNUM = {w: i for i, w in enumerate(ONES)}
for i, t in enumerate(TENS):
    if t != "_":
        WORDNUM[t] = 10 * i
        for j in range(1, 10):
            WORDNUM[f"{t}-{ONES[j]}"] = 10 * i + j


def classes_in(text):
    t, found = text.lower(), []
    for n, c in NAME2CLS:
        i = t.find(n)
        while i >= 0:
            if not any(s <= i < e for s, e, _ in found):
                found.append((i, i + len(n), c))
            i = t.find(n, i + 1)
    return [c for _, _, c in sorted(found)]


def share_interval(text):
    """Claimed interval [lo, hi] in percent, or None."""
    t = text.lower().replace("−", "-")
    m = re.search(r"(\d+)\s*(?:–|to|and)\s*(\d+)\s*(?:%|percent|per cent)", t)
    if m:
        return float(m.group(1)), float(m.group(2))
    num = None
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)", t)
    if m:
        num = float(m.group(1))
    else:
        for w in sorted(WORDNUM, key=len, reverse=True):
            if re.search(r"\b" + w + r" (?:percent|per cent)", t):
                num = WORDNUM[w]
                break
    if num is None:
        for v, labels in FRACTIONS:
            if any(re.search(r"\b" + re.escape(l) + r"\b", t) for l in labels):
                num = v
    if num is None:
        return None
    if re.search(r"\b(less than|under|below|no more than) \d", t):
        return 0.0, num
    if re.search(r"\b(over|more than|at least|upwards of|well above) \d", t):
        return num, 100.0
    return num - 3, num + 3


def pct_ok(iv, truth):
    return iv[0] - 1e-9 <= truth <= iv[1] + 1e-9


def pct_clearly_wrong(iv, truth):
    lo, hi = iv
    if truth < lo:
        return lo - truth >= 15 or (truth > 0 and lo / truth >= 2) or truth == 0
    if truth > hi:
        return truth - hi >= 15 or (hi > 0 and truth / max(hi, 1e-9) >= 2) or hi == 0
    return False


def judge(c, T):
    """Return (status, note): status in true | false | undecidable | unknown."""
    text, fam = c["text"], c["family"]
    low = text.lower()
    S = T["agreed_shares"]
    cls = classes_in(text)
    if fam in ("elevation", "slope", "terrain", "canopy"):
        layer = "aster" if fam in ("elevation", "slope", "terrain") else "canopy_height"
        if T["layers"][layer] == "colocated":
            return "unknown", "layer co-located"
        nums = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", text)]
        hi = T["place"]["elev_envelope_m"][1]
        if fam == "elevation" and not (nums and min(nums) >= 3 * hi):
            return "unknown", "elevation not far enough"
        return "undecidable", "false by geography"
    if fam == "place":
        country = T["place"]["country"]
        if "northern ireland" in low:
            return ("false" if country == "Ireland" else "unknown"), "NI is UK"
        if any(r.lower() in low for r in TRUE_REGION[country]) or country.lower() in low or \
                ({"Germany": "german", "Austria": "austrian", "Portugal": "portuguese", "Ireland": "irish",
                  "Finland": "finnish", "United States": "american"}[country] in low and "countryside" in low):
            return "true", ""
        return "false", ""
    if fam in ("season", "consistency") and (any(m.lower() in low for m in MONTHS) or re.search(r"\b20\d\d\b", text)
                                             or any(s in low for s in ("winter", "spring", "summer", "autumn"))):
        months = [m for m in MONTHS if m.lower() in low]
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", text)]
        seasons = [s for s in ("winter", "spring", "summer", "autumn") if s in low]
        ok = all(m == T["month_name"] for m in months) and all(y == T["year"] for y in years) and \
            all(s == T["season_firm"] for s in seasons)
        if ok:
            return "true", ""
        clear = all(m == T["month_name"] for m in months) or True
        seasons_bad = any(s in T["seasons_wrong"] for s in seasons)
        return ("false" if (seasons_bad or any(m != T["month_name"] for m in months) or any(y != T["year"] for y in years)) else "unknown"), ""
    if fam == "consistency":
        return "false_consistency", ""
    if fam == "sar":
        if not T["sar"]:
            vals = [float(x) for x in re.findall(r"([+-]?\d+) ?dB", text.replace("−", "-"))]
            return ("undecidable" if vals and vals[0] > 0 else "unknown"), ""
        vv = [v["median_db"] for k, v in T["sar"].items() if k.startswith("VV")][0]
        vh = [v["median_db"] for k, v in T["sar"].items() if k.startswith("VH")][0]
        m = re.search(r"([+-−]?\d+(?:\.\d+)?) ?db", low.replace("−", "-"))
        if m:
            val = float(m.group(1))
            ref = vv if "vv" in low else vh
            if abs(val - ref) <= 1.5:
                return "true", ""
            return ("false" if abs(val - ref) >= 8 else "unknown"), f"{val} vs {ref}"
        stronger_vv = re.search(r"vh return is weaker|lower than co-polarised|vv backscatter exceeds|stronger in vv", low)
        stronger_vh = re.search(r"vh return is stronger|exceeds co-polarised|vh outshines|stronger in vh", low)
        if stronger_vv:
            return ("true" if vv - vh >= 3 else "unknown"), ""
        if stronger_vh:
            return ("false" if vv - vh >= 3 else "unknown"), ""
        return "unknown", "sar parse"
    if fam == "vegetation":
        nd = T["ndvi"]
        if nd is None:
            return "unknown", "no ndvi"
        m = nd["mean"]
        nums = [float(x) for x in re.findall(r"-?\d+\.\d+", text)]
        if "between" in low and len(nums) == 2:
            return ("true" if nums[0] <= m <= nums[1] else "false"), ""
        if "below" in low and nums:
            return ("true" if m < nums[0] else "false"), ""
        if "above" in low and nums:
            return ("true" if m > nums[0] else "false"), ""
        if nums:
            d = abs(nums[0] - m)
            return ("true" if d <= 0.03 else "false" if d >= 0.3 else "unknown"), f"{nums[0]} vs {m}"
        lush = any(w in low for w in ("lush", "healthy", "thriving", "vigour is high", "full leaf", "vigorous", "luxuriant"))
        sparse = any(w in low for w in ("sparse", "little green", "weak", "signal is low", "far from lush",
                                        "hardly any green", "brown rather than green", "dormant"))
        if sparse:
            return ("true" if m <= 0.3 else "false" if m >= 0.55 else "unknown"), ""
        if lush:
            return ("true" if m >= 0.6 else "false" if m <= 0.35 else "unknown"), ""
        return "unknown", "veg parse"
    if fam == "water" or fam == "osm_object":
        waterish = any(w in low for w in ("water", "lake", "river", "reservoir", "sea", "ocean", "harbour", "pond", "drop"))
        if fam == "osm_object" and not waterish:
            b = S.get("built")
            if any(w in low for w in ("town centre", "city core", "downtown", "city blocks")):
                if b == 0.0 or (T["ndvi"] and T["ndvi"]["mean"] >= 0.55):
                    return "false", ""
                return "unknown", ""
            return ("true" if (b or 0) >= 3 else "unknown"), ""
        iv = share_interval(text)
        negated = any(w in low for w in ("no open water", "no lakes", "without any water", "not a drop", "water is absent", "isn't any",
                                          "no water bodies", "dry ground"))
        wtrue = S.get("water", 0.0)
        if negated:
            return ("true" if T["water_absent"] else "false" if wtrue >= 2 else "unknown"), ""
        if iv is None:  # river / sea / lake object
            return ("false" if T["water_absent"] else "unknown"), ""
        if T["water_absent"]:
            return ("false" if iv[0] >= 10 else "unknown"), ""
        return ("true" if pct_ok(iv, wtrue) else "false" if pct_clearly_wrong(iv, wtrue) else "unknown"), f"{iv} vs {wtrue}"
    # ---- land cover families
    if not T["landcover_decidable"]:
        if cls and all(c in ("mangroves", "snow") for c in cls):
            return "undecidable", "world knowledge"
        return "unknown", "lc absent"
    share = lambda c: S.get(c, 0.0)
    if fam == "landcover_share":
        iv = share_interval(text)
        if iv is None:
            return "unknown", "no number"
        if "label" in low or "mapped; the rest" in low:
            tr = T["labelled_pct"]
        elif len(cls) == 1:
            tr = share(cls[0])
        else:
            return "unknown", f"classes {cls}"
        return ("true" if pct_ok(iv, tr) else "false" if pct_clearly_wrong(iv, tr) else "unknown"), f"{iv} vs {tr}"
    if fam == "landcover_presence":
        neg = re.search(r"\bno\b|not a single|absent|isn't any|without any|nowhere|not one|free of|won't find|missing|neither|zero|none|does not occur|no trace", low)
        if neg:
            return ("true" if all(share(c) == 0 for c in cls) else "false" if any(share(c) >= 2 for c in cls) else "unknown"), ""
        return ("true" if all(share(c) >= 1 for c in cls) else "false" if all(share(c) == 0 for c in cls) else "unknown"), ""
    if fam == "dominance":
        if "no single" in low or "no land-cover type" in low or "no majority" in low or "nothing dominates" in low:
            return ("true" if max(S.values() or [0]) < 45 else "unknown"), ""
        if len(cls) != 1:
            return "unknown", "dom parse"
        c0 = cls[0]
        if any(w in low for w in ("domin", "overwhelmingly", "more than half", "mostly", "majority", "well over half", "main land cover", "largely")):
            return ("false" if share(c0) < 25 else "true" if share(c0) > 55 else "unknown"), ""
        largest = T["largest_class"]
        if largest == c0:
            return "true", ""
        if largest and share(c0) <= share(largest) / 2:
            return "false", ""
        return "unknown", ""
    if fam == "comparison":
        if len(cls) != 2:
            return "unknown", f"cmp parse {cls}"
        first, second = cls
        if re.search(r"scarcer than|compared with|trails well behind", low):
            big, small = second, first
        else:
            big, small = first, second
        a, b = share(big), share(small)
        if a >= 2 * b and a - b >= 5:
            return "true", ""
        if b >= 2 * a and b - a >= 5:
            return "false", ""
        return "unknown", ""
    if fam == "position":
        if len(cls) != 1 or cls[0] not in T["positions"]:
            return "unknown", "pos parse"
        P = T["positions"][cls[0]]
        for w, phrases in sorted(POS_HALF.items(), key=lambda kv: -len(kv[0])):
            if any(p.lower() in low for p in phrases):
                if P[w] >= POS_THRESH_TRUE[w]:
                    return "true", ""
                if P[w] <= POS_THRESH_FALSE[w]:
                    return "false", ""
                return "unknown", w
        return "unknown", "pos phrase"
    return "unknown", "family"


def main():
    labels = {}
    for fn in ("dev.jsonl", "test.jsonl"):
        for line in open(HERE / fn, encoding="utf-8"):
            r = json.loads(line)
            r["_split"] = fn.split(".")[0]
            labels[r["caption_id"]] = r
    problems = []
    stats = Counter()
    for line in open(HERE / "clauses_audit.jsonl", encoding="utf-8"):
        a = json.loads(line)
        r = labels[a["caption_id"]]
        T = TRUTH[r["tile_id"]]
        cap = r["caption"]
        nfalse = 0
        if not 2 <= len(a["clauses"]) <= 5:
            problems.append((r["caption_id"], "clause count", len(a["clauses"])))
        for c in a["clauses"]:
            if cap[c["start"]:c["start"] + len(c["text"])] != c["text"]:
                problems.append((r["caption_id"], "span mismatch", c["text"]))
            st, note = judge(c, T)
            is_fc = r["false_clause"] is not None and c["text"] == r["false_clause"]
            if is_fc:
                nfalse += 1
                ok = st in ("false", "false_consistency") or (st == "undecidable" and r["decidable"] is False)
                stats[("false_clause", st)] += 1
                if not ok:
                    problems.append((r["caption_id"], "false clause not judged false", st, note, c["text"]))
            else:
                stats[("other_clause", st)] += 1
                if st != "true":
                    problems.append((r["caption_id"], "clause not judged true", st, note, c["text"]))
        if r["label"] == "false" and (nfalse != 1 or cap.count(r["false_clause"]) != 1):
            problems.append((r["caption_id"], "false clause count", nfalse))
        if r["label"] == "true" and nfalse:
            problems.append((r["caption_id"], "true caption has false clause"))
        if r["label"] == "false" and r["decidable"] and r["false_family"] in ("elevation", "slope", "terrain", "canopy"):
            problems.append((r["caption_id"], "relief marked decidable"))
    by = Counter((r["_split"], r["label"]) for r in labels.values())
    print(json.dumps({"counts": {f"{k[0]}/{k[1]}": v for k, v in sorted(by.items())},
                      "clause_judgements": {f"{k[0]}:{k[1]}": v for k, v in sorted(stats.items())},
                      "n_problems": len(problems)}, indent=1))
    for p in problems[:60]:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
