"""Places below country level from GeoNames (states, provinces, counties, towns) for place claims.

Data: ``geomeld/data/global_reference/geonames_places.parquet`` — GeoNames cities1000 (every populated
place of ≥ 1,000 inhabitants, with its admin-1 and admin-2 names and country; CC BY, www.geonames.org),
built by ``tools/build_gazetteer.py``. A region is known by the places GeoNames files under its name, so
the decisions use distances to those places, never a drawn boundary:

* a region (admin-1 or admin-2 name, e.g. "Hesse", "County Donegal", "North Karelia") **contains** the
  tile when the 5 places nearest the tile all belong to it and the nearest lies within 25 km;
* it is **far** from the tile when every place of it (of every region of that name) is more than
  max(60 km, 3 × the typical spacing of its places) away — a region claim is then contradicted;
* anything between is undecided;
* a town or city (any place name, all homonyms): "near / around / on the outskirts of X" holds within
  60 km and is contradicted beyond 100 km of every place of that name; "in X" is contradicted beyond
  60 km and otherwise undecided.

Names are compared folded (case, accents, ä/ae, "County", "the", "Province of" … removed), so
"Baden-Württemberg" matches GeoNames' "Baden-Wuerttemberg". Generic words that name admin units in some
countries ("Centre", "Central", "North" …) are never read as regions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geomeld.captioning.phrases import COMPASS_WORDS

REGION_INSIDE_KM = 25.0
REGION_FAR_MIN_KM = 60.0
CITY_NEAR_KM = 60.0
CITY_FAR_KM = 100.0
CITY_IN_KM = 60.0
NEAREST_K = 5

_PUNCT = re.compile(r"[-‐‑–—'’.]")
_PREFIX = re.compile(r"^(?:the |county |state of |province of |region of |district of |city of )+")
_SUFFIX = re.compile(r"(?: county| state| province| region| district| oblast| prefecture| area)+$")
NOT_REGIONS = COMPASS_WORDS | {
    "centre",
    "center",
    "central",
    "capital",
    "coast",
    "coastal",
    "interior",
    "islands",
    "lakes",
    "mountains",
    "plains",
    "highlands",
    "river",
    "valley",
    "border",
    "national",
    "federal",
    "metropolitan",
    "upper",
    "lower",
    "middle",
    "republic",
    "kingdom",
    "federation",
    "union",
    "commonwealth",
    "county",
    "state",
    "province",
    "district",
    "region",
    "city",
    "town",
    "village",
    "municipality",
}
"""Words that are admin-unit names somewhere but mean a part of the tile or a landform in a caption."""

EXONYMS = {
    "mecklenburg western pomerania": "mecklenburg vorpommern",
    "mecklenburg west pomerania": "mecklenburg vorpommern",
    "rhineland palatinate": "rheinland pfalz",
    "baden wurttemberg": "baden wuerttemberg",
    "bayern": "bavaria",
    "hessen": "hesse",
    "niedersachsen": "lower saxony",
    "sachsen": "saxony",
    "sachsen anhalt": "saxony anhalt",
    "thueringen": "thuringia",
    "nordrhein westfalen": "north rhine westphalia",
    "north rhine westfalia": "north rhine westphalia",
    "kaernten": "carinthia",
    "steiermark": "styria",
    "tirol": "tyrol",
    "oberoesterreich": "upper austria",
    "niederoesterreich": "lower austria",
    "wien": "vienna",
    "connacht": "connaught",
}
"""Folded English or native names of admin-1 units → the folded form GeoNames files them under
("Mecklenburg-Western Pomerania" is GeoNames' "Mecklenburg-Vorpommern")."""


def fold(name: str, strip: bool = True) -> str:
    """Case-, accent- and (with ``strip``) affix-insensitive form of a place name."""
    s = name.lower()
    if not s.isascii():
        s = s.replace("ß", "ss")
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
            s = s.replace(a, b)
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _PUNCT.sub(" ", s)
    s = " ".join(s.split())
    if strip:
        s = _SUFFIX.sub("", _PREFIX.sub("", s)).strip()
        s = EXONYMS.get(s, s)
    return s


@dataclass
class _Places:
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    admin1: NDArray[np.int64]  # admin-1 unit id per place
    admin2: NDArray[np.int64]  # admin-2 unit id per place (offset past the admin-1 ids)
    regions: dict[str, list[tuple[int, NDArray[np.int64]]]]  # folded name → [(unit id, row indices)]
    n_admin1: int
    unit_label: dict[int, str]
    cc: NDArray[Any]  # ISO country code per place


def _codes(col: Any) -> tuple[NDArray[np.int64], list[str]]:
    arr = col.combine_chunks()
    if not hasattr(arr, "dictionary"):
        arr = arr.dictionary_encode()
    idx = np.asarray(arr.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return idx, [str(x or "") for x in arr.dictionary.to_pylist()]


@cache
def _places() -> _Places:
    import pyarrow.parquet as pq

    from geomeld.geo.reference import data_dir

    t = pq.read_table(data_dir() / "geonames_places.parquet")
    lat = np.asarray(t["lat"].to_numpy(), dtype=np.float64)
    lon = np.asarray(t["lon"].to_numpy(), dtype=np.float64)
    cc, cc_names = _codes(t["cc"])
    a1, a1_names = _codes(t["admin1"])
    a2, a2_names = _codes(t["admin2"])
    # units: (country, admin1) and (country, admin1, admin2) pairs, numbered
    u1_key = cc * (len(a1_names) + 1) + a1
    u1_ids, u1 = np.unique(u1_key, return_inverse=True)
    u2_key = u1 * (len(a2_names) + 1) + a2
    _, u2 = np.unique(u2_key, return_inverse=True)
    u2 = u2 + len(u1_ids)
    f1 = [fold(n) for n in a1_names]
    f2 = [fold(n) for n in a2_names]
    regions: dict[str, list[tuple[int, NDArray[np.int64]]]] = {}
    labels: dict[int, str] = {}
    order1 = np.argsort(u1, kind="stable")
    order2 = np.argsort(u2, kind="stable")
    for unit_of, order, names_of, col, folded in (
        (u1, order1, a1_names, a1, f1),
        (u2, order2, a2_names, a2, f2),
    ):
        units, starts = np.unique(unit_of[order], return_index=True)
        for unit, start, end in zip(units, starts, [*starts[1:], order.size], strict=True):
            rows = order[start:end]
            code = int(col[rows[0]])
            name = folded[code]
            if not names_of[code] or len(name) < 4 or name in NOT_REGIONS:
                continue
            regions.setdefault(name, []).append((int(unit), rows))
            labels[int(unit)] = f"{cc_names[int(cc[rows[0]])]}/{names_of[code]}"
    ccs = np.array(cc_names, dtype=object)[cc]
    return _Places(lat, lon, u1.astype(np.int64), u2.astype(np.int64), regions, len(u1_ids), labels, ccs)


@cache
def _cities() -> dict[str, NDArray[np.int64]]:
    import pyarrow.parquet as pq

    from geomeld.geo.reference import data_dir

    names = pq.read_table(data_dir() / "geonames_places.parquet", columns=["name"])["name"].to_pylist()
    out: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        f = fold(str(n or ""))
        if len(f) >= 3:
            out.setdefault(f, []).append(i)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _km(lat: float, lon: float, plat: NDArray[np.float64], plon: NDArray[np.float64]) -> NDArray[np.float64]:
    """Great-circle distance (km, haversine) from one point to many."""
    p1, p2 = np.radians(lat), np.radians(plat)
    dp, dl = p2 - p1, np.radians(plon - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def _far_km(la: NDArray[np.float64], lo: NDArray[np.float64]) -> float:
    """How far from its nearest place a point must be to lie outside a region: 3 × the typical
    spacing of the region's places (√(bounding-box area / places); a dense German state ≈ 7 km, a
    sparse arctic territory hundreds of km), at least REGION_FAR_MIN_KM."""
    h = float(la.max() - la.min()) * 111.0
    w = float(lo.max() - lo.min()) * 111.0 * float(np.cos(np.radians(float(la.mean()))))
    spacing = float(np.sqrt(max(h, 1.0) * max(w, 1.0) / la.size))
    return max(REGION_FAR_MIN_KM, 3.0 * spacing)


def is_region(name: str) -> bool:
    try:
        return fold(name) in _places().regions
    except (OSError, ValueError):
        return False


@lru_cache(maxsize=64)
def _km_to_all(lat: float, lon: float) -> NDArray[np.float64]:
    """Distances (km) from a tile centre to every GeoNames place: one tile's captions share them."""
    p = _places()
    d = _km(lat, lon, p.lat, p.lon)
    d.setflags(write=False)
    return d


def is_admin1(name: str) -> bool:
    """A state/province-level (admin-1) name: the only regions read from lower-case text ("in hesse")."""
    try:
        p = _places()
        return any(unit < p.n_admin1 for unit, _ in p.regions.get(fold(name), []))
    except (OSError, ValueError):
        return False


def is_city(name: str) -> bool:
    try:
        return fold(TOWN_EXONYMS.get(name.lower(), name)) in _cities()
    except (OSError, ValueError):
        return False


def region_verdict(name: str, lat: float, lon: float) -> tuple[bool | None, dict[str, Any]] | None:
    """Whether the tile at (lat, lon) lies in the admin region ``name``: True, False or None
    (undecided), with the distances used; None when GeoNames has no region of that name."""
    p = _places()
    units = p.regions.get(fold(name))
    if not units:
        return None
    d_all = _km_to_all(lat, lon)
    part = np.argpartition(d_all, NEAREST_K)[:NEAREST_K]  # the K nearest, without sorting them all
    near = part[np.argsort(d_all[part])]
    tile_cc = p.cc[near[0]] if d_all[near[0]] <= REGION_FAR_MIN_KM else None
    home = int(p.admin1[near[0]])
    settled = bool(d_all[near[0]] <= REGION_INSIDE_KM and all(int(p.admin1[i]) == home for i in near))
    if settled and all(unit < p.n_admin1 and unit != home for unit, _ in units):
        # the tile sits well inside another state/province: no state it is not in can hold it
        d = min(float(d_all[rows].min()) for _, rows in units)
        return False, {
            "region": p.unit_label[units[0][0]],
            "distance_km": round(d, 1),
            "tile_in": p.unit_label[home],
            "nearest_places_in_that_region": NEAREST_K,
        }
    said = fold(name, strip=False)
    far_all = True
    best = None
    for unit, rows in units:
        d = float(d_all[rows].min())
        far_km = _far_km(p.lat[rows], p.lon[rows])
        keys = p.admin1 if unit < p.n_admin1 else p.admin2
        inside = bool(d_all[near[0]] <= REGION_INSIDE_KM and all(keys[i] == unit for i in near))
        label = p.unit_label[unit]
        if best is None or d < best[0]:
            best = (d, far_km, label)
        if inside:
            return True, {"region": label, "nearest_places_in_region": NEAREST_K, "nearest_km": round(d, 1)}
        # a homonym abroad written in another form ("County Wexford" vs Michigan's "Wexford County")
        # may be a region GeoNames files under another name: it cannot contradict
        same_form = fold(label.split("/", 1)[1], strip=False) == said
        far_all = far_all and d > far_km and (same_form or p.cc[rows[0]] == tile_cc)
    assert best is not None
    ev = {"region": best[2], "distance_km": round(best[0], 1), "far_beyond_km": round(best[1], 1)}
    return (False if far_all else None), ev


def city_verdict(
    name: str, lat: float, lon: float, relation: str
) -> tuple[bool | None, dict[str, Any]] | None:
    """``relation`` "near" (near, around, outskirts of …) or "in": whether it holds at (lat, lon) for
    the place ``name`` (any homonym); None when GeoNames has no place of that name."""
    p = _places()
    rows = _cities().get(fold(name))
    if rows is None:
        return None
    d = float(_km(lat, lon, p.lat[rows], p.lon[rows]).min())
    ev = {"place": fold(name), "distance_km": round(d, 1)}
    if relation == "in":
        return (False if d > CITY_IN_KM else None), ev
    return (True if d <= CITY_NEAR_KM else False if d > CITY_FAR_KM else None), ev


def town_point(name: str, lat: float, lon: float) -> tuple[float, float, float] | None:
    """The GeoNames place called ``name`` nearest to (lat, lon): its latitude, longitude and distance
    (km); None when GeoNames has no place of that name (English exonyms are folded first)."""
    rows = _cities().get(fold(TOWN_EXONYMS.get(name.lower(), name)))
    if rows is None:
        return None
    p = _places()
    d = _km(lat, lon, p.lat[rows], p.lon[rows])
    i = int(np.argmin(d))
    return float(p.lat[rows][i]), float(p.lon[rows][i]), float(d[i])


TOWN_EXONYMS = {
    "hanover": "Hannover",
    "munich": "München",
    "cologne": "Köln",
    "nuremberg": "Nürnberg",
    "brunswick": "Braunschweig",
    "vienna": "Wien",
    "prague": "Praha",
    "warsaw": "Warszawa",
    "lisbon": "Lisboa",
    "copenhagen": "København",
    "klagenfurt": "Klagenfurt am Wörthersee",
    "frankfurt": "Frankfurt am Main",
}
"""English names of towns that GeoNames files under the local form."""


def warm() -> None:
    """Load the place tables now (≈ 2–3 s once per process) rather than at the first place claim."""
    _places()
    _cities()
