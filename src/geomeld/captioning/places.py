"""Place names a caption may state: countries (Natural Earth names, common aliases, demonyms),
continents and a few well-known regions (checked at country level: a region in another country is a
contradiction; a region inside the right country is unverifiable, finer than what we know)."""

from __future__ import annotations

from functools import cache, lru_cache

ALIASES = {
    "usa": "united states of america",
    "us": "united states of america",
    "united states": "united states of america",
    "america": "united states of america",
    "uk": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "england": "united kingdom",
    "scotland": "united kingdom",
    "wales": "united kingdom",
    "czech republic": "czechia",
    "holland": "netherlands",
    "the netherlands": "netherlands",
    "russian federation": "russia",
    "ivory coast": "côte d'ivoire",
    "sao tome": "são tomé and principe",
    "são tomé": "são tomé and principe",
    "sao tome and principe": "são tomé and principe",
    "bosnia": "bosnia and herz.",
    "bosnia and herzegovina": "bosnia and herz.",
    "dominican republic": "dominican rep.",
    "south korea": "south korea",
    "republic of ireland": "ireland",
    "the republic of ireland": "ireland",
    "eire": "ireland",
}

DEMONYMS = {
    "german": "germany",
    "austrian": "austria",
    "french": "france",
    "spanish": "spain",
    "portuguese": "portugal",
    "italian": "italy",
    "polish": "poland",
    "czech": "czechia",
    "slovak": "slovakia",
    "hungarian": "hungary",
    "swiss": "switzerland",
    "dutch": "netherlands",
    "belgian": "belgium",
    "danish": "denmark",
    "swedish": "sweden",
    "norwegian": "norway",
    "finnish": "finland",
    "irish": "ireland",
    "british": "united kingdom",
    "english": "united kingdom",
    "scottish": "united kingdom",
    "welsh": "united kingdom",
    "american": "united states of america",
    "canadian": "canada",
    "mexican": "mexico",
    "brazilian": "brazil",
    "argentinian": "argentina",
    "chilean": "chile",
    "chinese": "china",
    "japanese": "japan",
    "indian": "india",
    "australian": "australia",
    "slovenian": "slovenia",
    "croatian": "croatia",
    "serbian": "serbia",
    "romanian": "romania",
    "bulgarian": "bulgaria",
    "greek": "greece",
    "turkish": "turkey",
    "ukrainian": "ukraine",
    "russian": "russia",
    "lithuanian": "lithuania",
    "latvian": "latvia",
    "estonian": "estonia",
    "belarusian": "belarus",
    "moroccan": "morocco",
    "egyptian": "egypt",
    "kenyan": "kenya",
    "nigerian": "nigeria",
    "south african": "south africa",
}

REGIONS: dict[str, tuple[str, tuple[float, float, float, float] | None]] = {
    # name: (country, (lat_min, lat_max, lon_min, lon_max) or None)
    "bavaria": ("germany", (47.27, 50.56, 8.97, 13.84)),
    "brandenburg": ("germany", (51.36, 53.56, 11.26, 14.77)),
    "havelland": ("germany", (52.3, 52.95, 12.1, 13.2)),
    "the havelland": ("germany", (52.3, 52.95, 12.1, 13.2)),
    "berlin": ("germany", (52.34, 52.68, 13.09, 13.76)),
    "saxony": ("germany", (50.17, 51.69, 11.87, 15.04)),
    "thuringia": ("germany", (50.2, 51.65, 9.87, 12.65)),
    "mecklenburg": ("germany", (53.1, 54.7, 10.6, 14.4)),
    "mecklenburg-vorpommern": ("germany", (53.1, 54.7, 10.6, 14.4)),
    "lower saxony": ("germany", (51.3, 53.9, 6.6, 11.6)),
    "black forest": ("germany", (47.6, 49.0, 7.7, 8.8)),
    "the black forest": ("germany", (47.6, 49.0, 7.7, 8.8)),
    "north german plain": ("germany", (51.3, 55.1, 6.0, 15.0)),
    "the north german plain": ("germany", (51.3, 55.1, 6.0, 15.0)),
    "rügen": ("germany", (54.2, 54.7, 13.1, 13.7)),
    "rugen": ("germany", (54.2, 54.7, 13.1, 13.7)),
    "the alps": ("", (43.5, 48.3, 5.0, 16.5)),
    "alps": ("", (43.5, 48.3, 5.0, 16.5)),
    "upper austria": ("austria", (47.45, 48.8, 12.7, 15.0)),
    "lower austria": ("austria", (47.4, 49.05, 14.4, 17.1)),
    "tyrol": ("austria", (46.6, 47.75, 10.1, 12.97)),
    "styria": ("austria", (46.6, 47.85, 13.55, 16.2)),
    "carinthia": ("austria", (46.35, 47.15, 12.65, 15.07)),
    "salzburg": ("austria", (46.94, 48.05, 12.07, 13.99)),
    "vienna": ("austria", (48.11, 48.33, 16.18, 16.58)),
    "karelia": ("", (60.5, 66.0, 27.0, 35.0)),
    "finnish karelia": ("finland", (60.5, 64.0, 27.0, 31.6)),
    "north karelia": ("finland", (61.7, 64.0, 28.6, 31.6)),
    "lapland": ("", (66.0, 70.1, 18.0, 32.0)),
    "uusimaa": ("finland", (59.8, 60.9, 22.8, 26.6)),
    "bohemia": ("czechia", None),
    "moravia": ("czechia", None),
    "silesia": ("", None),
    "pomerania": ("", None),
    "catalonia": ("spain", None),
    "castile": ("spain", None),
    "brittany": ("france", None),
    "normandy": ("france", None),
    "provence": ("france", None),
    "tuscany": ("italy", None),
    "lombardy": ("italy", None),
    "sicily": ("italy", None),
    "sardinia": ("italy", None),
    "the midwest": ("united states of america", None),
    "texas": ("united states of america", None),
    "california": ("united states of america", None),
    "minnesota": ("united states of america", None),
    "virginia": ("united states of america", None),
    "iowa": ("united states of america", None),
    "kansas": ("united states of america", None),
    "nebraska": ("united states of america", None),
    "green bay": ("united states of america", None),
    "the baltic": ("", (53.5, 66.0, 9.0, 30.0)),
    "baltic": ("", (53.5, 66.0, 9.0, 30.0)),
    "scandinavia": ("", (55.0, 71.5, 4.5, 31.5)),
    "central europe": ("", (45.5, 55.0, 5.5, 24.0)),
    "western europe": ("", (36.0, 60.0, -10.5, 15.0)),
    "eastern europe": ("", (41.0, 70.0, 14.0, 60.0)),
    "northern europe": ("", (53.5, 71.5, -25.0, 40.0)),
    "southern europe": ("", (34.0, 46.5, -10.0, 30.0)),
    "the mediterranean": ("", (30.0, 46.0, -6.0, 36.5)),
    # Ireland, Portugal, Austria, Finland, Britain: regions a caption of those tiles may name
    "leinster": ("ireland", (52.0, 54.1, -8.1, -5.9)),
    "munster": ("ireland", (51.4, 53.2, -10.6, -6.9)),
    "connacht": ("ireland", (53.0, 54.5, -10.3, -7.6)),
    "ulster": ("", (53.8, 55.4, -8.3, -5.4)),
    "county kerry": ("ireland", (51.7, 52.6, -10.5, -9.2)),
    "kerry": ("ireland", (51.7, 52.6, -10.5, -9.2)),
    "county kilkenny": ("ireland", (52.3, 52.9, -7.7, -6.9)),
    "kilkenny": ("ireland", (52.3, 52.9, -7.7, -6.9)),
    "county wexford": ("ireland", (52.1, 52.8, -7.0, -6.1)),
    "wexford": ("ireland", (52.1, 52.8, -7.0, -6.1)),
    "county cork": ("ireland", (51.4, 52.4, -10.2, -7.8)),
    "connemara": ("ireland", (53.2, 53.7, -10.3, -9.2)),
    "the burren": ("ireland", (52.9, 53.2, -9.4, -8.9)),
    "the scottish highlands": ("united kingdom", (56.5, 58.7, -7.5, -3.0)),
    "scottish highlands": ("united kingdom", (56.5, 58.7, -7.5, -3.0)),
    "the highlands": ("", (56.5, 58.7, -7.5, -3.0)),
    "the lake district": ("united kingdom", (54.2, 54.8, -3.5, -2.7)),
    "lake district": ("united kingdom", (54.2, 54.8, -3.5, -2.7)),
    "the algarve": ("portugal", (36.9, 37.6, -9.0, -7.3)),
    "algarve": ("portugal", (36.9, 37.6, -9.0, -7.3)),
    "alentejo": ("portugal", (37.3, 39.7, -9.0, -6.9)),
    "the alentejo": ("portugal", (37.3, 39.7, -9.0, -6.9)),
    "ribatejo": ("portugal", (38.7, 39.7, -9.0, -7.8)),
    "the tagus valley": ("portugal", (38.6, 39.8, -9.1, -7.0)),
    "santarém": ("portugal", (38.7, 39.8, -9.0, -7.8)),
    "santarem": ("portugal", (38.7, 39.8, -9.0, -7.8)),
    "andalusia": ("spain", (36.0, 38.8, -7.6, -1.6)),
    "andalucia": ("spain", (36.0, 38.8, -7.6, -1.6)),
    "the mühlviertel": ("austria", (48.2, 48.8, 13.7, 15.0)),
    "mühlviertel": ("austria", (48.2, 48.8, 13.7, 15.0)),
    "the innviertel": ("austria", (47.9, 48.5, 12.8, 13.8)),
    "innviertel": ("austria", (47.9, 48.5, 12.8, 13.8)),
    "the hausruckviertel": ("austria", (47.9, 48.4, 13.3, 14.1)),
    "the danube valley": ("", (47.5, 48.8, 9.0, 19.0)),
    "bavarian forest": ("germany", (48.6, 49.4, 12.4, 13.8)),
    "the bavarian forest": ("germany", (48.6, 49.4, 12.4, 13.8)),
    "finnish lakeland": ("finland", (60.8, 63.6, 23.5, 30.5)),
    "the finnish lakeland": ("finland", (60.8, 63.6, 23.5, 30.5)),
    "the lakeland": ("", (60.8, 63.6, 23.5, 30.5)),
    "savonia": ("finland", (61.5, 63.9, 26.0, 30.0)),
    # informal landscapes (not admin units, so not in GeoNames' admin names)
    "ruhr": ("germany", (51.3, 51.7, 6.6, 7.8)),
    "ruhr area": ("germany", (51.3, 51.7, 6.6, 7.8)),
    "the ruhr": ("germany", (51.3, 51.7, 6.6, 7.8)),
    "ruhrgebiet": ("germany", (51.3, 51.7, 6.6, 7.8)),
    "spreewald": ("germany", (51.75, 52.1, 13.75, 14.3)),
    "uckermark": ("germany", (52.9, 53.55, 13.4, 14.45)),
    "prignitz": ("germany", (52.85, 53.35, 11.25, 12.5)),
    "oderbruch": ("germany", (52.5, 52.85, 14.1, 14.6)),
    "lusatia": ("", (50.9, 52.1, 13.6, 15.2)),
    "the harz": ("germany", (51.55, 51.95, 10.3, 11.5)),
    "harz": ("germany", (51.55, 51.95, 10.3, 11.5)),
    "eifel": ("germany", (49.9, 50.65, 6.2, 7.3)),
    "the eifel": ("germany", (49.9, 50.65, 6.2, 7.3)),
}
"""Region → (its country, a bounding box): inside the box supports, outside contradicts; without a box
the region is checked at country level only (another country contradicts)."""

LANDSCAPES: dict[str, tuple[float, float, float, float]] = {
    # river valleys (the valley floor's extent along the river, widened), uplands, heaths, areas
    "rhine valley": (47.5, 51.9, 5.9, 8.9),
    "upper rhine valley": (47.5, 50.1, 7.3, 8.8),
    "upper rhine plain": (47.5, 50.1, 7.3, 8.8),
    "middle rhine valley": (49.9, 50.8, 7.0, 8.0),
    "middle rhine": (49.9, 50.8, 7.0, 8.0),
    "lower rhine": (50.7, 52.0, 5.8, 7.2),
    "rhineland": (49.0, 52.0, 5.8, 8.6),
    "moselle valley": (49.3, 50.4, 6.3, 7.7),
    "mosel valley": (49.3, 50.4, 6.3, 7.7),
    "neckar valley": (48.2, 49.6, 8.4, 9.6),
    "main valley": (49.6, 50.3, 8.2, 11.0),
    "elbe valley": (50.0, 54.0, 8.5, 15.0),
    "oder valley": (50.0, 53.9, 13.8, 18.5),
    "po valley": (44.4, 45.9, 7.5, 12.5),
    "loire valley": (46.9, 47.9, -2.3, 3.1),
    "thames valley": (51.3, 51.9, -1.9, 0.2),
    "luneburg heath": (52.7, 53.5, 9.5, 10.9),
    "lueneburg heath": (52.7, 53.5, 9.5, 10.9),
    "swabian jura": (47.9, 49.0, 8.5, 10.6),
    "swabian alb": (47.9, 49.0, 8.5, 10.6),
    "thuringian forest": (50.4, 51.0, 10.0, 11.4),
    "ore mountains": (50.2, 50.9, 12.3, 14.2),
    "erzgebirge": (50.2, 50.9, 12.3, 14.2),
    "bavarian alps": (47.3, 47.8, 10.2, 13.1),
    "allgau": (47.3, 48.1, 9.6, 10.9),
    "allgäu": (47.3, 48.1, 9.6, 10.9),
    "sauerland": (50.9, 51.5, 7.5, 8.8),
    "odenwald": (49.3, 49.9, 8.6, 9.3),
    "spessart": (49.8, 50.3, 9.1, 9.7),
    "palatinate forest": (49.0, 49.6, 7.6, 8.1),
    "teutoburg forest": (51.7, 52.4, 7.7, 9.1),
    "fichtelgebirge": (49.9, 50.2, 11.7, 12.2),
    "vogtland": (50.2, 50.7, 11.9, 12.6),
    "altmark": (52.3, 53.05, 10.9, 12.3),
    "franconia": (48.9, 50.6, 9.0, 12.1),
    "swabia": (47.3, 49.2, 8.7, 11.0),
    "westphalia": (51.0, 52.6, 6.7, 9.5),
    "emsland": (52.2, 53.2, 6.9, 7.9),
    "holstein": (53.4, 54.5, 8.8, 11.2),
    "east frisia": (53.0, 53.8, 6.9, 8.1),
    "pyrenees": (42.3, 43.4, -1.9, 3.3),
    "carpathians": (44.5, 49.6, 17.5, 27.0),
    "dolomites": (46.2, 46.9, 11.3, 12.4),
    "ardennes": (49.5, 50.6, 4.5, 6.5),
    "vosges": (47.7, 48.7, 6.7, 7.5),
    "camargue": (43.3, 43.8, 4.1, 4.9),
    "cotswolds": (51.6, 52.2, -2.3, -1.5),
    "peak district": (53.0, 53.6, -2.1, -1.6),
    "snowdonia": (52.7, 53.3, -4.3, -3.6),
    "yorkshire dales": (54.0, 54.5, -2.5, -1.8),
    "danube delta": (44.5, 45.5, 28.5, 29.8),
}
"""Named landscapes (valleys, uplands, heaths, historic areas) → (lat_min, lat_max, lon_min, lon_max):
approximate extents rounded to 0.1° and widened, read from the coordinates Wikipedia / OpenStreetMap
give each landscape's towns and ends. Their edges are vague, so they only contradict: a tile more than
LANDSCAPE_MARGIN_DEG (0.5° latitude ≈ 55 km, 0.75° longitude) outside the box is not in the landscape;
inside or near, the claim stays unverifiable (a valley's box holds much that is not valley)."""
LANDSCAPE_MARGIN_DEG = (0.5, 0.75)

CITIES: dict[str, tuple[float, float]] = {
    "berlin": (52.52, 13.405),
    "potsdam": (52.40, 13.06),
    "hamburg": (53.55, 10.0),
    "munich": (48.14, 11.58),
    "dresden": (51.05, 13.74),
    "leipzig": (51.34, 12.37),
    "frankfurt": (50.11, 8.68),
    "cologne": (50.94, 6.96),
    "vienna": (48.21, 16.37),
    "linz": (48.31, 14.29),
    "salzburg": (47.8, 13.04),
    "graz": (47.07, 15.44),
    "helsinki": (60.17, 24.94),
    "tampere": (61.5, 23.76),
    "joensuu": (62.6, 29.76),
    "oulu": (65.01, 25.47),
    "prague": (50.08, 14.44),
    "warsaw": (52.23, 21.01),
    "stockholm": (59.33, 18.07),
    "oslo": (59.91, 10.75),
    "copenhagen": (55.68, 12.57),
    "paris": (48.86, 2.35),
    "london": (51.51, -0.13),
    "madrid": (40.42, -3.70),
    "lisbon": (38.72, -9.14),
    "rome": (41.9, 12.5),
    "zurich": (47.37, 8.54),
    "brandenburg an der havel": (52.41, 12.55),
    "rathenow": (52.6, 12.34),
    "nauen": (52.6, 12.88),
    "passau": (48.57, 13.43),
}
"""City → (lat, lon) for relational place claims ("west of Berlin", "near Potsdam")."""
CITIES.update(
    {
        "dublin": (53.35, -6.26),
        "kilkenny": (52.65, -7.25),
        "waterford": (52.26, -7.11),
        "wexford": (52.34, -6.46),
        "cork": (51.9, -8.47),
        "galway": (53.27, -9.05),
        "limerick": (52.66, -8.63),
        "porto": (41.15, -8.61),
        "santarém": (39.24, -8.69),
        "coimbra": (40.2, -8.42),
        "évora": (38.57, -7.91),
        "evora": (38.57, -7.91),
        "wels": (48.16, 14.03),
        "steyr": (48.04, 14.42),
        "kuopio": (62.89, 27.68),
        "lappeenranta": (61.06, 28.19),
        "savonlinna": (61.87, 28.88),
        "jyväskylä": (62.24, 25.75),
        "innsbruck": (47.27, 11.39),
        "seville": (37.39, -5.98),
        "barcelona": (41.39, 2.17),
        "amsterdam": (52.37, 4.9),
        "brussels": (50.85, 4.35),
        "budapest": (47.5, 19.04),
        "bratislava": (48.15, 17.11),
        "ljubljana": (46.06, 14.51),
        "zagreb": (45.81, 15.98),
        "rügen": (54.42, 13.4),
        "rostock": (54.09, 12.1),
        "hanover": (52.37, 9.74),
        "hannover": (52.37, 9.74),
        "nuremberg": (49.45, 11.08),
        "stuttgart": (48.78, 9.18),
    }
)
NEAR_KM = 60.0


CONTINENTS = ("africa", "antarctica", "asia", "europe", "north america", "oceania", "south america")
CONTINENT_ALIASES = {"australia and oceania": "oceania", "the americas": "", "central europe": "europe"}


@cache
def country_names() -> dict[str, str]:
    """Lower-case country name (Natural Earth, plus aliases) → the Natural Earth name, lower case."""
    import pyarrow.parquet as pq

    from geomeld.geo.reference import data_dir

    table = pq.read_table(data_dir() / "naturalearth_50m_countries.parquet", columns=["name"])
    names = {str(n).lower(): str(n).lower() for n in table["name"].to_pylist() if n}
    for a, n in ALIASES.items():
        names.setdefault(a, n)
    return names


def resolve(name: str, gazetteer: bool = True) -> tuple[str, str] | None:
    """(kind, canonical) for a place phrase: ('country'|'region'|'continent'|'demonym', name);
    ``gazetteer`` also looks the name up among GeoNames' admin regions (for capitalised names)."""
    return _resolve(" ".join(name.lower().split()), gazetteer)


@lru_cache(maxsize=65536)
def _resolve(n: str, gazetteer: bool) -> tuple[str, str] | None:
    n2 = n[4:] if n.startswith("the ") else n
    if n in REGIONS or n2 in REGIONS:
        return "region", n if n in REGIONS else n2
    if n2.replace("-", " ") in LANDSCAPES:
        return "region", n2.replace("-", " ")
    if n2.startswith("german state of "):
        return _resolve(n2[len("german state of ") :], gazetteer)
    names = country_names()
    for cand in (n, n2):
        if cand in names:
            return "country", names[cand]
    if n2 in CONTINENTS:
        return "continent", n2
    if n in DEMONYMS:
        return "demonym", DEMONYMS[n]
    if gazetteer and _gazetteer_name(n2):
        return "region", n2
    return None


def _town_name(name: str) -> bool:
    """A name that may be a town: 4+ letters, not a month, season or caption word ("in Jun 2017")."""
    from geomeld.captioning import phrases as P

    words = name.replace("-", " ").split()
    vocab = set(P.MONTHS) | set(P.MONTH_ABBR) | P.STOPWORDS | P.FILLER | P.DIRECTION_WORDS
    return len(name.replace(" ", "")) >= 4 and not any(w in vocab or w in P.INDEX for w in words)


def _gazetteer_name(name: str) -> bool:
    """A GeoNames admin-1/admin-2 name that is not caption vocabulary ("Forest", "North")."""
    from geomeld.captioning import gazetteer
    from geomeld.captioning import phrases as P

    words = name.replace("-", " ").split()
    if not all(w.replace("'", "").replace("’", "").isalpha() for w in words):
        return False  # "wexford ." or "5 %": not a name
    if not words or all(
        w in P.INDEX or w in P.STOPWORDS or w in P.FILLER or w in P.DIRECTION_WORDS for w in words
    ):
        return False
    return gazetteer.is_region(name)


def place_verdict(subject: str, label: str, country: str | None, lat: float, lon: float) -> bool | None:
    """Whether a place statement holds at (lat, lon) in ``country``: True, False, or None (cannot tell)."""
    import math

    said = " ".join(label.lower().split())
    actual = country_names().get((country or "").lower(), (country or "").lower()) or None
    if subject == "relation":
        rel, _, city = said.partition(" of ") if " of " in said else ("near", "", said.removeprefix("near "))
        if city not in CITIES:
            from geomeld.captioning import gazetteer

            if rel != "near":
                return None
            r = gazetteer.city_verdict(city, lat, lon, "near")
            return None if r is None else r[0]
        clat, clon = CITIES[city]
        dist = math.hypot((lat - clat) * 111.0, (lon - clon) * 111.0 * math.cos(math.radians(clat)))
        if rel == "near":
            from geomeld.captioning.gazetteer import CITY_FAR_KM

            return True if dist <= NEAR_KM else False if dist > CITY_FAR_KM else None
        d_north = (lat - clat) * 111.0
        d_east = (lon - clon) * 111.0 * math.cos(math.radians(clat))
        along = {"west": -d_east, "east": d_east, "north": d_north, "south": -d_north}[rel]
        if dist > 400:
            return False
        return True if along > 2 else False if along < -2 else None
    if subject == "unknown":  # a proper name after a preposition: a region or a town, if GeoNames knows it
        from geomeld.captioning import gazetteer

        r = gazetteer.region_verdict(said, lat, lon) if _gazetteer_name(said) else None
        if r is None and gazetteer.fold(said) == gazetteer.fold(said, strip=False) and _town_name(said):
            r = gazetteer.city_verdict(said, lat, lon, "in")  # never "County X" read as the town X
        return None if r is None else r[0]
    if subject == "region" and said.removeprefix("the ") in LANDSCAPES:
        la0, la1, lo0, lo1 = LANDSCAPES[said.removeprefix("the ")]
        mla, mlo = LANDSCAPE_MARGIN_DEG
        far = lat < la0 - mla or lat > la1 + mla or lon < lo0 - mlo or lon > lo1 + mlo
        return False if far else None
    if subject == "region" and said not in REGIONS and said.removeprefix("the ") not in REGIONS:
        from geomeld.captioning import gazetteer

        r = gazetteer.region_verdict(said, lat, lon)
        return None if r is None else r[0]
    if subject == "region":
        rc, box = REGIONS.get(said, REGIONS.get(said.removeprefix("the "), ("", None)))
        if box is not None:
            la0, la1, lo0, lo1 = box
            inside = la0 <= lat <= la1 and lo0 <= lon <= lo1
            near = la0 - 0.3 <= lat <= la1 + 0.3 and lo0 - 0.5 <= lon <= lo1 + 0.5
            return (
                True
                if inside and (not rc or rc == actual)
                else False
                if not near or (rc and actual and rc != actual)
                else None
            )
        from geomeld.captioning import gazetteer

        r = gazetteer.region_verdict(said, lat, lon)  # a region the hand table places only by country
        if r is not None and r[0] is not None:
            return r[0]
        if rc and actual:
            return None if rc == actual else False
        return None
    if subject in ("country",):
        named = resolve(said)
        if named is None or actual is None:
            return None
        return named[1] == actual
    return None
