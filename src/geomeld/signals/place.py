"""Place context: hemisphere, season from the date, and (when the reference layers are available)
country, continent, Köppen climate and IGBP land cover from :mod:`geomeld.geo.reference`.

Seasons are meteorological (Dec–Feb winter in the north, summer in the south); between the tropics
no temperate season is named (the note says so) because "summer" means little there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from geomeld.signals.models import PlaceSignal

TROPIC_LAT = 23.44
_NORTH_SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
_NORTH_SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
_FLIP = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}
KOPPEN_MAIN_GROUPS = {1: "tropical", 2: "arid", 3: "temperate", 4: "cold", 5: "polar"}


def season_for(lat: float, month: int) -> str | None:
    """Meteorological season at ``lat`` in ``month``; ``None`` inside the tropics."""
    if abs(lat) < TROPIC_LAT:
        return None
    north = _NORTH_SEASONS[month]
    return north if lat >= 0 else _FLIP[north]


def _text(value: Any, *attrs: str) -> str | None:
    """A readable name from whatever the reference function returned (str, code, mapping, object)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        for a in attrs:
            if value.get(a):
                return str(value[a])
        return None
    for a in attrs:
        v = getattr(value, a, None)
        if v:
            return str(v)
    return str(value)


def _reference() -> tuple[Any | None, str | None]:
    try:
        from geomeld.geo import reference
    except ImportError as exc:
        return None, f"geomeld.geo.reference unavailable ({exc})"
    return reference, None


@lru_cache(maxsize=65536)
def _lookup(name: str, lat: float, lon: float) -> tuple[Any, str | None]:
    """One reference lookup (cached: re-captioning the same anchors costs nothing)."""
    ref, why = _reference()
    if ref is None:
        return None, why
    fn: Callable[[float, float], Any] | None = getattr(ref, name, None)
    if fn is None:
        return None, f"geomeld.geo.reference has no {name}()"
    try:
        return fn(lat, lon), None
    except Exception as exc:  # reference layers may be missing on this machine
        return None, f"{name}({lat:.4f}, {lon:.4f}) failed: {exc}"


def place_signal(lat: float, lon: float, acquisition_date: str | None) -> PlaceSignal:
    notes: list[str] = []
    month = None
    year = None
    season = None
    date = None
    if acquisition_date:
        try:
            day = dt.date.fromisoformat(acquisition_date[:10])
            month, year, date = day.month, day.year, day.isoformat()
        except ValueError:
            notes.append(f"acquisition_date {acquisition_date!r} is not YYYY-MM-DD; no season")
    if month is not None:
        season = season_for(lat, month)
        if season is None:
            notes.append("inside the tropics: no temperate season is named")
    place = PlaceSignal(
        lat=lat,
        long=lon,
        hemisphere="northern" if lat >= 0 else "southern",
        month=month,
        year=year,
        date=date,
        season=season,
    )
    ref, why = _reference()
    if ref is None:
        assert why is not None
        notes.append(why)
        place.notes = notes
        return place

    def ask(name: str) -> Any:
        value, problem = _lookup(name, float(lat), float(lon))
        if problem:
            notes.append(problem)
        return value

    country = ask("country_at")
    place.country = _text(country, "name", "country", "admin")
    place.continent = _text(country, "continent") if not isinstance(country, str) else None
    koppen = ask("koppen_at")
    if isinstance(koppen, int) and not isinstance(koppen, bool):
        place.koppen = KOPPEN_MAIN_GROUPS.get(koppen)
    else:
        place.koppen = _text(koppen, "name", "group", "label")
    place.climate_zone = place.koppen
    igbp = ask("igbp_at")
    place.igbp = _text(igbp, "name", "label") if not isinstance(igbp, int) else str(igbp)
    place.notes = notes
    return place
