"""Internal consistency: statements of one caption that cannot all hold, whatever the tile shows
("some forest; there isn't any forest", "Finland … clearly Spain", "taken in February … in August").

Each conflict becomes a ``consistency`` claim (contradicted) spanning the later statement, with the
earlier one named in ``other``.
"""

from __future__ import annotations

from collections.abc import Sequence

from geomeld.captioning.claims import Claim, ClaimEvidence, Family, Polarity, Verdict

_PRESENCE = {
    Family.LANDCOVER_PRESENCE.value,
    Family.LANDCOVER_SHARE.value,
    Family.DOMINANCE.value,
    Family.WATER.value,
}
_WATER_KINDS = {"water", "river", "lake", "pond", "stream", "sea", "canal", "reservoir"}
_CALENDAR = ("month", "year", "date")
_EXCLUSIVE_TERRAIN = {("flat", "steep"), ("flat", "hilly")}


def _asserts_some(c: Claim) -> bool:
    if c.negated:
        return False
    if c.family in (Family.LANDCOVER_SHARE, Family.WATER) and c.value is not None:
        # "water covers less than 8 %" allows none at all: only an amount from 1 % up asserts some
        return (c.value.low or 0.0) >= 1.0 and c.value.bound != "at_most"
    return c.family in _PRESENCE and c.subject not in ("any", "labelled", "unparsed")


def _asserts_none(c: Claim) -> bool:
    return (
        c.negated
        and c.family in (Family.LANDCOVER_PRESENCE, Family.WATER)
        and c.value is None
        and c.location is None
    )


def _conflict(a: Claim, b: Claim) -> str | None:
    for none, some in ((a, b), (b, a)):
        # "no water" excludes a lake, but "no lakes or rivers" allows some water (a pond, a ditch)
        same = none.subject == some.subject or (none.subject == "water" and some.subject in _WATER_KINDS)
        if same and _asserts_none(none) and _asserts_some(some):
            return f"{some.subject} both present and absent"
    if (
        a.family == b.family == Family.PLACE
        and a.subject == b.subject == "country"
        and not (a.negated or b.negated)
    ) and a.key()[3] != b.key()[3]:
        return f"two countries: {a.label} and {b.label}"
    if a.family == b.family == Family.SEASON and not (a.negated or b.negated):
        if a.subject == b.subject and a.label != b.label and a.subject in _CALENDAR:
            return f"two {a.subject}s: {a.label} and {b.label}"
        if {a.subject, b.subject} == {"date", "month"}:
            date, month = (a, b) if a.subject == "date" else (b, a)
            if date.label and month.label and int(date.label[5:7]) != int(month.label):
                return f"the date {date.label} is not in month {month.label}"
        if a.subject != b.subject and a.subject not in _CALENDAR and b.subject not in _CALENDAR:
            return f"two seasons: {a.subject} and {b.subject}"
    pair = (a.subject, b.subject)
    if (
        a.family == b.family == Family.TERRAIN
        and not (a.negated or b.negated)
        and (pair in _EXCLUSIVE_TERRAIN or pair[::-1] in _EXCLUSIVE_TERRAIN)
    ):
        return f"terrain both {a.subject} and {b.subject}"
    if (
        a.family == b.family
        and a.subject == b.subject
        and a.family == Family.TERRAIN
        and a.negated != b.negated
    ):
        return f"terrain {a.subject} affirmed and negated"
    if (
        a.family == b.family == Family.DOMINANCE
        and not (a.negated or b.negated)
        and a.subject != b.subject
        and a.label == b.label == "most"
        and "any" not in (a.subject, b.subject)
    ):
        return f"both {a.subject} and {b.subject} said to cover most of the tile"
    if Family.DOMINANCE in (a.family, b.family):
        any_claim = a if a.subject == "any" else b if b.subject == "any" else None
        other = b if any_claim is a else a
        if (
            any_claim is not None
            and any_claim.negated
            and other.family == Family.DOMINANCE
            and other.label == "most"
        ) and not other.negated:
            return "no majority class, yet one class covers most of the tile"
    if (
        a.family == b.family == Family.COMPARISON
        and not (a.negated or b.negated)
        and (
            a.subject == b.other
            and a.other == b.subject
            and a.label == b.label
            and a.label in ("more", "less")
        )
    ):
        return f"{a.subject} and {b.subject} each said to exceed the other"
    return None


def consistency_claims(claims: Sequence[Claim]) -> list[Claim]:
    out: list[Claim] = []
    real = [c for c in claims if c.subject != "unparsed" and c.family != Family.CONSISTENCY]
    for j, b in enumerate(real):
        for a in real[:j]:
            if a.start == b.start and a.end == b.end:
                continue
            why = _conflict(a, b)
            if why:
                out.append(
                    Claim(
                        family=Family.CONSISTENCY.value,
                        subject=b.subject,
                        start=b.start,
                        end=b.end,
                        text=b.text,
                        polarity=Polarity.AFFIRMED.value,
                        other=a.text,
                        verdict=Verdict.CONTRADICTED.value,
                        evidence=ClaimEvidence(note=f"conflicts with {a.text!r}: {why}"),
                    )
                )
                break
    return out
