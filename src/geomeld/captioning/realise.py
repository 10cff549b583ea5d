"""Surface realisation for the built-in captioner: planned facts → one caption with claim spans.

A caption is built from sentence *frames* (:data:`LEAD_FRAMES`, :data:`DETAIL_FRAMES`): fixed
connective words with slots. Slots take only the phrases of planned :class:`~geomeld.captioning.plan.Fact`
objects, and connectives carry no claim of their own, so the text states exactly the planned claims;
each claim records its span (``caption[start:end] == text``). Frames, the facts they take, their
order and the phrases are drawn from a seeded RNG: deterministic per (key, seed), varied across
samples and candidates. The frame ids used are returned, so variety can be measured.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from geomeld.captioning.claims import Claim
from geomeld.captioning.plan import Fact, Phrase, Plan

LAND = ("landscape", "area", "scene", "stretch of land", "patch of land")
OPENERS = (
    "An overhead view of",
    "A bird's-eye view of",
    "Seen from above,",
    "This image shows",
    "This tile captures",
    "From above,",
    "Looking down on",
)
LIST_ROLES = (
    "cover_minor",
    "share",
    "position",
    "dense",
    "vegetation",
    "canopy",
    "canopy_word",
    "sar",
    "form",
    "slope",
    "object",
)
"""Roles whose phrases are noun phrases that can stand in a list ("with A, B and C")."""


@dataclass
class Realised:
    caption: str
    claims: list[Claim]
    frames: list[str] = field(default_factory=list)


class _Builder:
    """Appends text and claim phrases; records each claim's span."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.claims: list[Claim] = []
        self.sentence_start = True

    def text(self, s: str) -> None:
        if not s:
            return
        if self.sentence_start:
            s = s[:1].upper() + s[1:]
            self.sentence_start = False
        self.parts.append(s)
        self.length += len(s)

    def fact(self, fact: Fact, phrase: Phrase) -> None:
        t = phrase.text
        if self.sentence_start:
            t = t[:1].upper() + t[1:]
            self.sentence_start = False
        start = self.length
        self.parts.append(t)
        self.length += len(t)
        for c in fact.claims:
            self.claims.append(replace(c, start=start, end=start + len(t), text=t))

    def end(self) -> None:
        self.parts.append(".")
        self.length += 1
        self.sentence_start = True

    def space(self) -> None:
        self.parts.append(" ")
        self.length += 1

    def caption(self) -> str:
        return "".join(self.parts)


Item = tuple[Fact, Phrase]


class _Writer:
    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan = plan
        self.r = rng
        self.b = _Builder()
        self.used: set[int] = set()
        self.frames: list[str] = []

    # ---- choosing facts and phrases ----------------------------------------------------------
    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[self.r.randrange(len(options))]

    def take(self, role: str) -> Item | None:
        facts = [f for f in self.plan.by_role(role) if id(f) not in self.used]
        if not facts:
            return None
        f = facts[self.r.randrange(len(facts))]
        return self._use(f)

    def _use(self, f: Fact) -> Item:
        self.used.add(id(f))
        for other in self.plan.facts:  # a concept stated once: no "some forest … forest in the north"
            if other is not f and _same_subject(f, other):
                self.used.add(id(other))
        return f, f.phrases[self.r.randrange(len(f.phrases))]

    def take_list(self, n: int) -> list[Item]:
        pool = [f for f in self.plan.facts if f.role in LIST_ROLES and id(f) not in self.used]
        pool.sort(key=lambda f: -(f.weight + self.r.random()))
        out: list[Item] = []
        for f in pool:
            if len(out) >= n:
                break
            if id(f) in self.used:
                continue
            out.append(self._use(f))
        return out

    def remaining(self, roles: tuple[str, ...]) -> bool:
        return any(f.role in roles and id(f) not in self.used for f in self.plan.facts)

    # ---- writing -----------------------------------------------------------------------------
    def say(self, item: Item | None) -> None:
        if item is not None:
            self.b.fact(*item)

    def say_list(self, items: list[Item]) -> None:
        for i, item in enumerate(items):
            if i:
                self.b.text(" and " if i == len(items) - 1 else ", ")
            self.b.fact(*item)

    def say_where_when(self, place: Item | None, season: Item | None) -> None:
        for item in (place, season):
            if item is not None:
                self.b.space()
                self.b.fact(*item)

    def place(self) -> Item | None:
        return self.take("country") or self.take("continent")

    def land_np(self, relief: Item | None, article: bool = True) -> None:
        land = self.pick(LAND)
        if relief is None:
            self.b.text((_article(land) + " " if article else "") + land)
            return
        if article:
            self.b.text(_article(relief[1].text) + " ")
        self.b.fact(*relief)
        self.b.text(" " + land)


_COVER_FAMILIES = ("landcover_share", "landcover_presence", "dominance", "position")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _same_subject(a: Fact, b: Fact) -> bool:
    """Whether two facts are about the same land-cover concept (stated once per caption)."""
    subj = {c.subject for c in a.claims if c.family in _COVER_FAMILIES}
    return bool(subj) and subj == {c.subject for c in b.claims if c.family in _COVER_FAMILIES}


Frame = Callable[[_Writer], bool]


def _with_list(w: _Writer, head: Item | None, extra: int) -> None:
    items = ([head] if head else []) + w.take_list(extra)
    if items:
        w.b.text(", with ")
        w.say_list(items)


# ---- lead sentences --------------------------------------------------------------------------
def _lead_opener(w: _Writer) -> bool:
    w.b.text(w.pick(OPENERS) + " ")
    w.land_np(w.take("relief"))
    w.say_where_when(w.place(), w.take("season"))
    _with_list(w, w.take("cover_main"), w.r.choice((0, 1, 2)))
    return True


def _lead_plain(w: _Writer) -> bool:
    w.land_np(w.take("relief"))
    w.say_where_when(w.place(), w.take("season"))
    _with_list(w, w.take("cover_main"), w.r.choice((1, 2)))
    return True


def _lead_terrain(w: _Writer) -> bool:
    relief = w.take("relief")
    if relief is None:
        return False
    w.say(relief)
    w.b.text(" terrain")
    w.say_where_when(w.place(), w.take("season"))
    _with_list(w, w.take("cover_main"), w.r.choice((0, 1)))
    return True


def _lead_this_tile(w: _Writer) -> bool:
    w.b.text("this tile")
    w.say_where_when(w.place(), None)
    w.b.text(" shows ")
    w.land_np(w.take("relief"))
    season = w.take("season")
    if season:
        w.b.text(" ")
        w.say(season)
    _with_list(w, w.take("cover_main"), w.r.choice((0, 1)))
    return True


def _lead_season_first(w: _Writer) -> bool:
    season = w.take("season")
    if season is None:
        return False
    w.say(season)
    place = w.place()
    if place:
        w.b.text(" ")
        w.say(place)
    w.b.text(": ")
    w.land_np(w.take("relief"))
    head = w.take("cover_main")
    items = ([head] if head else []) + w.take_list(w.r.choice((0, 1)))
    if items:
        w.b.text(" with ")
        w.say_list(items)
    return True


def _lead_place_first(w: _Writer) -> bool:
    place = w.place()
    if place is None:
        return False
    w.say(place)
    w.b.text(", ")
    w.land_np(w.take("relief"))
    head = w.take("cover_main")
    items = ([head] if head else []) + w.take_list(w.r.choice((0, 1)))
    if items:
        w.b.text(" with ")
        w.say_list(items)
    season = w.take("season")
    if season:
        w.b.text(", seen ")
        w.say(season)
    return True


def _lead_seen_from_above(w: _Writer) -> bool:
    relief = w.take("relief")
    if relief is None:
        return False
    w.b.text("seen from above, the " + w.pick(LAND))
    w.say_where_when(w.place(), None)
    w.b.text(" is ")
    w.say(relief)
    _with_list(w, w.take("cover_main"), w.r.choice((0, 1)))
    return True


def _lead_is(w: _Writer) -> bool:
    relief = w.take("relief")
    if relief is None:
        return False
    w.b.text("the " + w.pick(LAND))
    w.say_where_when(w.place(), w.take("season"))
    w.b.text(" is ")
    w.say(relief)
    _with_list(w, w.take("cover_main"), 0)
    return True


def _lead_image_showing(w: _Writer) -> bool:
    w.b.text(w.pick(("an overhead image", "an image", "a top-down image")) + " taken")
    w.say_where_when(w.place(), w.take("season"))
    w.b.text(", showing ")
    w.land_np(w.take("relief"))
    head = w.take("cover_main")
    items = ([head] if head else []) + w.take_list(w.r.choice((0, 1)))
    if items:
        w.b.text(" with ")
        w.say_list(items)
    return True


def _lead_vegetation(w: _Writer) -> bool:
    veg = w.take("vegetation") or w.take("dense")
    if veg is None:
        return False
    w.say(veg)
    w.b.text(" cover" if veg[1].plural else " covers")
    w.b.text(" this " + w.pick(LAND))
    w.say_where_when(w.place(), w.take("season"))
    return True


def _lead_pictured(w: _Writer) -> bool:
    w.land_np(w.take("relief"))
    w.b.text(" pictured")
    w.say_where_when(w.place(), w.take("season"))
    _with_list(w, w.take("cover_main"), w.r.choice((1, 2)))
    return True


def _lead_overview(w: _Writer) -> bool:
    head = w.take("cover_main")
    if head is None:
        return False
    w.b.text("an overview of ")
    w.land_np(w.take("relief"))
    w.say_where_when(w.place(), None)
    w.b.text(" with ")
    w.say(head)
    season = w.take("season")
    if season:
        w.b.text(", photographed ")
        w.say(season)
    return True


def _lead_list_subject(w: _Writer) -> bool:
    items = w.take_list(w.r.choice((1, 2)))
    if not items:
        return False
    w.say_list(items)
    w.b.text(" are seen" if len(items) > 1 or items[0][1].plural else " is seen")
    w.b.text(" in this " + w.pick(LAND))
    w.say_where_when(w.place(), w.take("season"))
    return True


def _lead_located(w: _Writer) -> bool:
    place = w.place()
    if place is None:
        return False
    w.b.text("located ")
    w.say(place)
    w.b.text(", this " + w.pick(LAND) + " shows ")
    head = w.take("cover_main")
    items = ([head] if head else []) + w.take_list(w.r.choice((1, 2)) - (1 if head else 0))
    if not items:
        return False
    w.say_list(items)
    season = w.take("season")
    if season:
        w.b.text(" ")
        w.say(season)
    return True


def _lead_captured(w: _Writer) -> bool:
    season = w.take("season")
    if season is None:
        return False
    w.land_np(w.take("relief"))
    w.b.text(" captured ")
    w.say(season)
    w.say_where_when(w.place(), None)
    _with_list(w, w.take("cover_main"), w.r.choice((0, 1)))
    return True


def _lead_mix(w: _Writer) -> bool:
    items = w.take_list(2)
    if len(items) < 2:
        return False
    w.b.text("a mix of ")
    w.say_list(items)
    w.b.text(" in this " + w.pick(LAND))
    w.say_where_when(w.place(), w.take("season"))
    return True


LEAD_FRAMES: dict[str, Frame] = {
    "L-list-subject": _lead_list_subject,
    "L-located": _lead_located,
    "L-captured": _lead_captured,
    "L-mix": _lead_mix,
    "L-opener": _lead_opener,
    "L-plain": _lead_plain,
    "L-terrain": _lead_terrain,
    "L-this-tile": _lead_this_tile,
    "L-season-first": _lead_season_first,
    "L-place-first": _lead_place_first,
    "L-seen-from-above": _lead_seen_from_above,
    "L-is": _lead_is,
    "L-image-showing": _lead_image_showing,
    "L-vegetation": _lead_vegetation,
    "L-pictured": _lead_pictured,
    "L-overview": _lead_overview,
}


# ---- detail sentences ------------------------------------------------------------------------
def _there(w: _Writer, items: list[Item]) -> None:
    w.b.text("there are " if items[0][1].plural else "there is ")
    w.say_list(items)


def _d_there(w: _Writer) -> bool:
    items = w.take_list(w.r.choice((1, 2, 3)))
    if not items:
        return False
    _there(w, items)
    return True


def _d_includes(w: _Writer) -> bool:
    items = w.take_list(w.r.choice((1, 2, 3)))
    if not items:
        return False
    w.b.text(w.pick(("the scene also includes ", "the tile also holds ", "it also shows ")))
    w.say_list(items)
    return True


def _d_can_be_seen(w: _Writer) -> bool:
    items = w.take_list(w.r.choice((1, 2)))
    if not items:
        return False
    w.say_list(items)
    w.b.text(w.pick((" can also be seen", " are visible too" if len(items) > 1 else " can be seen as well")))
    return True


def _d_elsewhere(w: _Writer) -> bool:
    if not any(c.family in _COVER_FAMILIES for c in w.b.claims):  # "elsewhere" needs a "here"
        return False
    items = w.take_list(w.r.choice((1, 2)))
    if not items:
        return False
    w.b.text(w.pick(("elsewhere ", "around it ", "beyond that ")))
    _there(w, items)
    return True


def _d_product(w: _Writer) -> bool:
    note = w.plan.product_note
    if not note or not w.remaining(("cover_minor", "share", "position")):
        return False
    items = [i for i in w.take_list(3) if i[0].role in ("cover_minor", "share", "position")][:2]
    if not items:
        return False
    w.b.text(note + ", ")
    _there(w, items)
    return True


def _d_elevation(w: _Writer) -> bool:
    elev = w.take("elevation") or w.take("elevation_range")
    if elev is None:
        return False
    w.b.text(w.pick(("the tile lies ", "the ground lies ", "it sits ")))
    w.say(elev)
    slope = w.take("slope")
    if slope:
        w.b.text(", with ")
        w.say(slope)
    return True


def _d_where(w: _Writer) -> bool:
    place = w.place()
    if place is None:
        return False
    w.b.text("the tile lies ")
    w.say(place)
    season = w.take("season")
    if season:
        w.b.text(" and was imaged ")
        w.say(season)
    return True


def _d_trees(w: _Writer) -> bool:
    canopy = w.take("canopy") or w.take("canopy_word")
    if canopy is None:
        return False
    w.b.text(w.pick(("height data show ", "the height map shows ")))
    w.say(canopy)
    return True


def _d_country(w: _Writer) -> bool:
    place = w.take("country")
    if place is None:
        return False
    w.b.text("this is ")
    w.say(place)
    season = w.take("season")
    if season:
        w.b.text(", imaged ")
        w.say(season)
    return True


def _lead(w: _Writer, lead: str | tuple[str, ...]) -> None:
    w.b.text(lead if isinstance(lead, str) else w.pick(lead))


def _one_fact(role: str, lead: str | tuple[str, ...]) -> Frame:
    """A detail frame: a lead phrase (one, or drawn from a tuple) and one fact of ``role``."""

    def frame(w: _Writer) -> bool:
        item = w.take(role)
        if item is None:
            return False
        _lead(w, lead)
        w.say(item)
        return True

    return frame


def _listed(counts: tuple[int, ...], lead: str | tuple[str, ...]) -> Frame:
    """A detail frame: a lead phrase and a list of 1–3 land-cover items (how many drawn from ``counts``)."""

    def frame(w: _Writer) -> bool:
        items = w.take_list(w.r.choice(counts))
        if not items:
            return False
        _lead(w, lead)
        w.say_list(items)
        return True

    return frame


_d_range = _one_fact("elevation_range", "elevations range ")
_d_compare = _one_fact("compare", ("there is ", "overall there is "))
_d_absent = _one_fact("absent", ("there is ", "the tile shows "))
_d_forms = _one_fact("form", "the relief includes ")
_d_continent = _one_fact("continent", ("the site is ", "it is located "))
_d_season = _one_fact("season", "the image was taken ")
_d_make_out = _listed((1, 2), ("one can also make out ", "a closer look reveals "))
_d_parts = _listed((1, 2), "parts of the tile hold ")
_d_features = _listed((2, 3), "notable features include ")


PLACE_ONLY_FRAMES = frozenset({"D-where", "D-country", "D-continent", "D-season"})
"""Detail frames that state only where and when."""

DETAIL_FRAMES: dict[str, Frame] = {
    "D-make-out": _d_make_out,
    "D-parts": _d_parts,
    "D-features": _d_features,
    "D-country": _d_country,
    "D-continent": _d_continent,
    "D-season": _d_season,
    "D-there": _d_there,
    "D-includes": _d_includes,
    "D-can-be-seen": _d_can_be_seen,
    "D-elsewhere": _d_elsewhere,
    "D-product": _d_product,
    "D-elevation": _d_elevation,
    "D-range": _d_range,
    "D-compare": _d_compare,
    "D-absent": _d_absent,
    "D-where": _d_where,
    "D-forms": _d_forms,
    "D-trees": _d_trees,
}


def realise(plan: Plan, rng: random.Random, min_claims: int = 3, max_sentences: int = 3) -> Realised | None:
    """One caption from ``plan``: a lead sentence and detail sentences until at least ``min_claims``
    claims are stated (and some more, by chance). ``None`` when the plan holds too few facts."""
    if plan.n_claims < min_claims:
        return None
    w = _Writer(plan, rng)
    leads = list(LEAD_FRAMES.items())
    rng.shuffle(leads)
    for name, frame in leads:
        mark = (len(w.b.parts), w.b.length, len(w.b.claims), set(w.used))
        if frame(w):
            w.frames.append(name)
            w.b.end()
            break
        w.b.parts, w.b.length = w.b.parts[: mark[0]], mark[1]
        w.b.claims, w.used, w.b.sentence_start = w.b.claims[: mark[2]], mark[3], True
    details = list(DETAIL_FRAMES.items())
    rng.shuffle(details)
    # informative first: while facts about the ground remain unsaid, frames that state them come
    # before the frames that only add the place or the season
    if w.remaining((*LIST_ROLES, "compare", "absent", "elevation", "elevation_range", "form")):
        details.sort(key=lambda item: item[0] in PLACE_ONLY_FRAMES)
    sentences = 1
    for name, frame in details:
        if sentences >= max_sentences:
            break
        enough = len(w.b.claims) >= min_claims and (
            any(c.family not in ("place", "season") for c in w.b.claims) or not w.remaining(LIST_ROLES)
        )
        if enough and (sentences >= 2 or rng.random() < 0.4):
            break
        mark = (len(w.b.parts), w.b.length, len(w.b.claims), set(w.used))
        w.b.space()
        if frame(w):
            w.frames.append(name)
            w.b.end()
            sentences += 1
        else:
            w.b.parts, w.b.length = w.b.parts[: mark[0]], mark[1]
            w.b.claims, w.used, w.b.sentence_start = w.b.claims[: mark[2]], mark[3], True
    if len(w.b.claims) < min_claims:
        return None
    caption, claims = w.b.caption(), w.b.claims
    if plan.product_note and "D-product" not in w.frames:
        caption, claims = _attribute(caption, claims, plan.product_note, rng)
    return Realised(caption, claims, w.frames)


def _attribute(caption: str, claims: list[Claim], note: str, rng: random.Random) -> tuple[str, list[Claim]]:
    """Name a substitute land-cover product right after the first land-cover phrase (the spans of
    claims after the insertion point shift)."""
    first = next((c for c in claims if c.family in _COVER_FAMILIES), None)
    if first is None:
        return caption, claims
    source = note.removeprefix("according to ")
    words = rng.choice((f" ({note})", f" (as mapped by {source})", f" (per {source})"))
    at = first.end
    shifted = [
        c if c.start < at else replace(c, start=c.start + len(words), end=c.end + len(words)) for c in claims
    ]
    return caption[:at] + words + caption[at:], shifted
