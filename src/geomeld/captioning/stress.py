"""Stress test of the Verifier: plant false (and true) claims into captions of real samples.

Ground truth is computed here directly from the raw arrays (label codes, DEM, OSM tags), not through
the signal or verifier code, so the test measures the verifier instead of restating it:

* false claims — wrong water (a lake on dry land, "no water" on a lake), a class placed on the side
  opposite to where ≥ 80 % of its pixels lie, a wrong dominant land cover
  (a class with < 5 % of the pixels), an absent class, a wrong share (≥ 30 points off every product),
  wrong relief ("flat" on a ≥ 10° mean slope, "steep mountains" on a < 4° one), OSM objects with no
  matching tag at any radius, the wrong season;
* true claims — the largest class as dominant, small classes as patches, shares to the nearest
  percent, water present / absent, relief words that fit the slope, OSM objects in the chip, the season.

:func:`stress_test` returns the detection rate per category (planted claim flagged contradicted) and
the false-flag rate (true claims flagged contradicted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geomeld.captioning.evidence import Evidence
from geomeld.captioning.verifier import Verdict, verify
from geomeld.core.sample import Sample
from geomeld.signals.models import SignalBundle

# Raw class codes per concept, written out independently of the lexicon on purpose.
RAW_WC: dict[str, tuple[int, ...]] = {
    "trees": (10, 95),
    "shrubland": (20,),
    "grassland": (30,),
    "cropland": (40,),
    "built": (50,),
    "bare": (60,),
    "snow": (70,),
    "water": (80,),
    "wetland": (90, 95),
}
RAW_DW: dict[str, tuple[int, ...]] = {
    "trees": (1,),
    "shrubland": (5,),
    "grassland": (2,),
    "cropland": (4,),
    "built": (6,),
    "bare": (7,),
    "snow": (8,),
    "water": (0,),
    "wetland": (3,),
}
WORD = {
    "trees": "forest",
    "shrubland": "shrubland",
    "grassland": "grassland",
    "cropland": "cropland",
    "built": "built-up areas",
    "bare": "bare rock",
    "snow": "snow",
    "water": "open water",
    "wetland": "marshland",
}
OSM_KEYS_FOR: dict[str, dict[str, set[str]]] = {
    "trees": {"landuse": {"forest"}, "natural": {"wood"}},
    "shrubland": {"natural": {"scrub", "heath"}},
    "grassland": {"landuse": {"meadow", "grass"}, "natural": {"grassland"}},
    "cropland": {"landuse": {"farmland", "orchard", "vineyard"}},
    "built": {"building": set(), "landuse": {"residential", "commercial", "industrial"}},
    "bare": {"natural": {"bare_rock", "scree", "sand"}},
    "snow": {"natural": {"glacier"}},
    "water": {"natural": {"water", "coastline", "bay"}, "waterway": set(), "water": set()},
    "wetland": {"natural": {"wetland"}},
}
INVENTED_OBJECTS: dict[str, dict[str, set[str]]] = {
    "a solar farm": {"plant:source": {"solar"}, "generator:source": {"solar"}},
    "a long pier": {"man_made": {"pier"}},
    "a railway line": {"railway": set()},
    "a golf course": {"leisure": {"golf_course"}},
    "an airport runway": {"aeroway": set()},
    "storage tanks": {"man_made": {"storage_tank", "silo"}},
    "a quarry": {"landuse": {"quarry"}},
    "a marina": {"leisure": {"marina", "slipway"}, "harbour": set()},
}
SEASONS = ("winter", "spring", "summer", "autumn")


@dataclass
class RawTruth:
    wc: dict[str, float] = field(default_factory=dict)  # concept → % of valid WorldCover pixels
    dw: dict[str, float] = field(default_factory=dict)
    water_grid: float | None = None  # DW water pixels over the full grid, %
    slope_mean: float | None = None
    relief: float | None = None
    osm_any: dict[str, set[str]] | None = None  # tags within the largest radius (None: no OSM)
    osm_chip: dict[str, set[str]] | None = None
    season: str | None = None
    thirds: dict[str, dict[str, float]] = field(default_factory=dict)  # concept → side → share of its pixels


def _shares(
    labels: np.ndarray | None, table: dict[str, tuple[int, ...]], valid_codes: Iterable[int]
) -> dict[str, float]:
    if labels is None:
        return {}
    lab = np.asarray(labels).reshape(-1)
    valid = np.isin(lab, list(valid_codes))
    n = int(valid.sum())
    if n < 0.05 * lab.size:
        return {}
    return {c: 100.0 * float(np.isin(lab[valid], codes).sum()) / n for c, codes in table.items()}


def raw_truth(sample: Sample, bundle: SignalBundle) -> RawTruth:
    t = RawTruth()
    t.wc = _shares(sample.arrays.get("esa_worldcover"), RAW_WC, (10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100))
    t.dw = _shares(sample.arrays.get("dynamic_world"), RAW_DW, range(9))
    wc = sample.arrays.get("esa_worldcover")
    if wc is not None and t.wc:
        lab = np.asarray(wc)[0]
        third = lab.shape[0] // 3
        sides = {
            "north": (slice(0, third), slice(None)),
            "south": (slice(lab.shape[0] - third, None), slice(None)),
            "west": (slice(None), slice(0, third)),
            "east": (slice(None), slice(lab.shape[1] - third, None)),
        }
        for concept, codes in RAW_WC.items():
            total = int(np.isin(lab, codes).sum())
            if total >= 200:  # at least 2 ha: a place worth locating
                t.thirds[concept] = {
                    k: float(np.isin(lab[sl], codes).sum()) / total for k, sl in sides.items()
                }
    dw = sample.arrays.get("dynamic_world")
    if dw is not None and t.dw:
        t.water_grid = 100.0 * float((np.asarray(dw) == 0).sum()) / np.asarray(dw).size
    dem = sample.arrays.get("aster")
    if dem is not None and np.isfinite(dem[0]).any():
        z = np.asarray(dem[0], dtype=np.float64)
        gy, gx = np.gradient(z, 10.0)
        slope = np.degrees(np.arctan(np.hypot(gx, gy)))
        t.slope_mean = float(np.nanmean(slope))
        zv = z[np.isfinite(z)]
        t.relief = float(np.percentile(zv, 98) - np.percentile(zv, 2))
    if bundle.osm is not None and any(bundle.osm.tags_by_radius.values()):
        r = sorted(bundle.osm.radii_m)
        t.osm_chip = {k: set(v) for k, v in bundle.osm.tags_within(r[0]).items()}
        t.osm_any = {k: set(v) for k, v in bundle.osm.tags_within(r[-1]).items()}
    if bundle.place is not None:
        t.season = bundle.place.season
    return t


def _osm_has(tags: dict[str, set[str]] | None, wanted: dict[str, set[str]]) -> bool:
    if not tags:
        return False
    return any(k in tags and (not vals or tags[k] & vals) for k, vals in wanted.items())


def _max_share(t: RawTruth, concept: str) -> float:
    return max(t.wc.get(concept, 0.0), t.dw.get(concept, 0.0))


def false_sentences(t: RawTruth) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    has_lc = bool(t.wc or t.dw)
    for concept, word in WORD.items():
        if not has_lc:
            break
        share = _max_share(t, concept)
        if concept == "water" and t.water_grid is not None:
            share = max(share, t.water_grid)
        if share < 5:
            out += [
                ("wrong_dominant", f"The scene is mostly covered by {word}."),
                ("wrong_dominant", f"{word.capitalize()} dominates the whole tile."),
                ("wrong_dominant", f"An aerial view of a landscape dominated by {word}."),
            ]
        if share == 0 and not _osm_has(t.osm_any, OSM_KEYS_FOR[concept]):
            out += [
                ("absent_class", f"Patches of {word} appear in the south."),
                ("absent_class", f"There is some {word} along the eastern edge."),
            ]
        s = t.wc.get(concept, 0.0)
        if s >= 10 and concept != "water":
            truths = [v for v in (t.wc.get(concept), t.dw.get(concept)) if v is not None]
            for n in (s + 35, s - 45, 5.0, 95.0):
                if 0 < n < 100 and all(abs(n - v) >= 30 for v in truths):
                    out.append(("wrong_share", f"{word.capitalize()} covers about {n:.0f} % of the tile."))
                    break
    water = max(t.water_grid or 0.0, t.wc.get("water", 0.0))
    if has_lc and water == 0 and not _osm_has(t.osm_any, OSM_KEYS_FOR["water"]):
        out += [
            ("wrong_water", "A river winds through the scene."),
            ("wrong_water", "A large lake dominates the scene."),
        ]
    if t.water_grid is not None and t.water_grid >= 3:
        out += [
            ("wrong_water", "There is no water anywhere in the scene."),
            ("wrong_water", "The land is free of any water."),
        ]
    if t.slope_mean is not None and t.slope_mean >= 10:
        out += [
            ("wrong_terrain", "The terrain is completely flat."),
            ("wrong_terrain", "A level plain stretches across the scene."),
        ]
    if t.slope_mean is not None and t.relief is not None and t.slope_mean <= 4 and t.relief <= 40:
        out += [
            ("wrong_terrain", "Steep mountains rise across the scene."),
            ("wrong_terrain", "A rugged, mountainous area."),
        ]
    if t.osm_any is not None:
        for phrase, tags in INVENTED_OBJECTS.items():
            if not _osm_has(t.osm_any, tags):
                out.append(("invented_osm", f"{phrase[0].upper()}{phrase[1:]} lies in the centre."))
    for concept, thirds in t.thirds.items():
        for side, frac in thirds.items():
            if frac >= 0.8:  # 80 % of the class in one outer third: say it lies on the opposite side
                wrong = {"north": "south", "south": "north", "east": "west", "west": "east"}[side]
                out.append(("wrong_location", f"Some {WORD[concept]} lies in the {wrong}."))
    if t.season is not None:
        wrong = SEASONS[(SEASONS.index(t.season) + 2) % 4]
        out.append(("wrong_season", f"The image was taken in {wrong}."))
    return out


def true_sentences(t: RawTruth) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if t.wc:
        ranked = sorted(t.wc.items(), key=lambda kv: -kv[1])
        top, top_share = ranked[0]
        if top_share >= 50:
            out.append(("dominant", f"The scene is mostly covered by {WORD[top]}."))
        for concept, s in ranked[1:]:
            if 2 <= s <= 40 and concept != "water":
                out.append(("minor", f"Patches of {WORD[concept]} appear as well."))
            if s >= 10 and concept != "water":
                out.append(("share", f"{WORD[concept].capitalize()} covers about {s:.0f} % of the tile."))
    if t.water_grid is not None and t.water_grid >= 3:
        out.append(("water", "Some open water is visible."))
    if (
        (t.wc or t.dw)
        and max(t.water_grid or 0.0, t.wc.get("water", 0.0)) == 0
        and not _osm_has(t.osm_any, OSM_KEYS_FOR["water"])
    ):
        out.append(("water", "There is no water in the scene."))
    if t.slope_mean is not None and t.relief is not None:
        if t.slope_mean >= 8 and t.relief >= 50:
            out.append(("terrain", "The terrain is hilly."))
        if t.slope_mean >= 20:
            out.append(("terrain", "It is a steep, rugged place."))
        if t.slope_mean <= 2 and t.relief <= 20:
            out.append(("terrain", "The land is flat."))
    if t.osm_chip:
        if "highway" in t.osm_chip:
            out.append(("osm", "A road crosses the scene."))
        if "building" in t.osm_chip:
            out.append(("osm", "Buildings can be seen."))
    for concept, thirds in t.thirds.items():
        for side, frac in thirds.items():
            if frac >= 0.8:
                out.append(("location", f"Some {WORD[concept]} lies in the {side}."))
    if t.season is not None:
        out.append(("season", f"The image was taken in {t.season}."))
    return out


def _verdicts_of(base: str, sentence: str, ev: Evidence) -> list[str]:
    text = f"{base} {sentence}" if base else sentence
    v = verify(text, ev, max_words=10_000)
    offset = len(base) + 1 if base else 0
    return [c.verdict for c in v.claims if c.start >= offset]


def stress_test(items: Iterable[tuple[Sample, SignalBundle, str]]) -> dict[str, Any]:
    """``items``: (sample, its signals, a verified base caption). Returns rates and counts."""
    planted: dict[str, list[int]] = {}
    true_claims = {"claims": 0, "contradicted": 0}
    examples_missed: list[str] = []
    for sample, bundle, base in items:
        ev = Evidence.from_bundle(bundle)
        truth = raw_truth(sample, bundle)
        for category, sentence in false_sentences(truth):
            verdicts = _verdicts_of(base, sentence, ev)
            hit = Verdict.CONTRADICTED.value in verdicts
            planted.setdefault(category, [0, 0])
            planted[category][0] += int(hit)
            planted[category][1] += 1
            if not hit:
                examples_missed.append(f"{sample.key}: {sentence} -> {verdicts}")
        for _, sentence in true_sentences(truth):
            verdicts = _verdicts_of(base, sentence, ev)
            true_claims["claims"] += len(verdicts)
            true_claims["contradicted"] += verdicts.count(Verdict.CONTRADICTED.value)
    total_hit = sum(v[0] for v in planted.values())
    total = sum(v[1] for v in planted.values())
    return {
        "planted": total,
        "detected": total_hit,
        "detection_rate": total_hit / total if total else None,
        "by_category": {
            k: {"detected": v[0], "planted": v[1], "rate": v[0] / v[1]} for k, v in planted.items()
        },
        "true_claims": true_claims["claims"],
        "true_claims_flagged": true_claims["contradicted"],
        "false_flag_rate": true_claims["contradicted"] / true_claims["claims"]
        if true_claims["claims"]
        else None,
        "missed": examples_missed,
    }
