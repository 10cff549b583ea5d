"""Caption structure that claims nothing by itself: questions, answers, modal "may", meta remarks.

Free-text captions are often written as question and answer ("Snow? No.", "Any water in it? Nope —
none", "What can you see? Yes, farm fields"), carry chatbot caveats about the sensor ("a 10 m scene
cannot resolve individual trees") and use the modal verb "may" ("I may be wrong"). This module turns
such structure into what it says before claims are extracted:

* a **question** (from the start of its sentence to the "?") claims nothing: its words are blanked;
* its **answer** carries the claim. An answer with a subject of its own ("Snow? No, the ground is
  bare of snow") is read as written; an elliptical answer takes the question's subject: a bare "no" /
  "nope" negates it ("Snow? Nope." = no snow), a bare "yes" affirms it, and a quantity or a negation
  without a subject is read as the label's value ("Water? about 3 %" = water about 3 %). A yes/no
  answer to a question that is not a plain presence question ("Is it mostly forest? No.") is
  unverifiable rather than guessed;
* a **meta remark** about what the sensor can resolve ("cannot resolve / distinguish / tell apart …")
  claims nothing about the tile;
* **"may"** is the month only next to a day, a year or a preposition of time ("in May", "16 May",
  "May 2017"); otherwise it is the modal verb, a hedge.

Everything works on a text of the same length as the caption (blanked characters become spaces), so
claim offsets stay those of the caption.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geomeld.captioning.claims import Claim, Family, Polarity

if TYPE_CHECKING:  # pragma: no cover
    from geomeld.captioning.extract import Hit, Tok

NO_ANSWERS = frozenset({"no", "nope", "nah", "none", "negative", "nothing", "zero", "nil"})
YES_ANSWERS = frozenset(
    {"yes", "yep", "yeah", "yup", "sure", "indeed", "affirmative", "definitely", "certainly", "absolutely"}
)
_ANSWER_FILLER = frozenset(
    {
        ",",
        "-",
        "—",
        "–",
        ":",
        "!",
        "…",
        "at",
        "all",
        "really",
        "not",
        "of",
        "course",
        "there",
        "is",
        "isn't",
        "none",
    }
)
"""Words that may follow a bare yes/no without adding content ("No, not at all", "Yes, of course")."""

_NOT_AT_ALL = frozenset(
    {"at", "all", "really", "whatsoever", "a", "bit", "trace", "single", "one", "any", "so"}
)
_SENTENCE_END = frozenset({".", "!", "?", ";", "…"})
_QA_LABELS = frozenset({"q", "a", "question", "answer", "ans"})

_PRESENCE_CATS = frozenset(
    {"lc", "water", "osm", "terrain", "veg", "canopy", "sar", "season", "month", "climate"}
)
"""Subjects a yes/no question can ask about as present or absent."""
_LABEL_CATS = frozenset({"lc", "water", "osm", "terrain", "veg", "canopy", "sar"})
"""Subjects an elliptical answer can quantify ("Water? about 3 %", "Trees? under 10 m")."""
_PLAIN_QUESTION_CATS = frozenset({"neg", "hedge", "skip", "labelled"})
"""Other phrases a plain presence question may contain; anything else (quantities, positions,
comparisons) makes a bare yes/no answer unverifiable."""

_MONTH_NOUNS = frozenset(
    {
        "scene",
        "image",
        "imagery",
        "acquisition",
        "picture",
        "photo",
        "capture",
        "shot",
        "snapshot",
        "view",
        "pass",
        "tile",
        "overpass",
        "data",
        "date",
        "day",
        "morning",
        "afternoon",
        "composite",
        "mosaic",
    }
)
_META_VERBS = frozenset(
    {"resolve", "distinguish", "discern", "differentiate", "separate", "resolving", "distinguishing"}
)
_META_NEG = frozenset({"cannot", "can't", "cant", "unable", "impossible", "hard", "difficult", "not", "too"})


@dataclass
class Prepared:
    """The caption with structure resolved: ``text`` (same length, blanked where nothing is claimed)
    and the claims the structure itself makes (elliptical answers), already on caption offsets."""

    text: str
    claims: list[Claim]


_COMPARATIVE_THEN = re.compile(
    r"\b(more|less|fewer|greater|larger|bigger|smaller|higher|lower|stronger|weaker|brighter|darker|wider|"
    r"greener|wetter|drier|denser|taller|shorter|steeper|flatter|warmer|colder|longer|better|worse)\b"
    r"((?:\s+[\w-]+){0,3}?)\s+(then)\b",
    re.IGNORECASE,
)


def then_than(text: str) -> str:
    """ "stronger then VV", "a larger area then water": "then" after a comparative is "than" (same
    length, so offsets stay)."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(3)
        return m.group(0)[: -len(word)] + ("Than" if word[0] == "T" else "than")

    return _COMPARATIVE_THEN.sub(fix, text)


_TITLE = re.compile(
    r"\A[ \t]*(?:#+[^\n]*|\*\*[^*\n]+\*\*[ \t]*|[A-Z][A-Z0-9&/' -]*[A-Z](?=[ \t]*(?:[—–:]|-\s|\n)))"
)
_NAMED_TITLE = re.compile(
    r"\A[^\n.!?]{1,60}?\s[—–-]\s(?:tile|aoi|site|scene|area|image|sample|chip|patch)\s+\S*\d\S*[ \t]*(?=\n)",
    re.IGNORECASE,
)
"""A first line naming the tile after a dash ("Field log, site visit — tile 17"): a title."""
_MD_HEADING = re.compile(r"(?m)^[ \t]*(?:#+[^\n]*|\*\*[^*\n:]+\*\*)[ \t]*$")


def title_spans(text: str) -> list[tuple[int, int]]:
    """Spans of titles and headings that claim nothing: markdown headings ("### Tile analysis", a line
    that is all bold, "**Land cover**") and a first line's capitalised title ("FIELD NOTES — tile 7")."""
    out = [(m.start(), m.end()) for m in _MD_HEADING.finditer(text)]
    first = _TITLE.match(text)
    if first is not None and "\n" in text and len(first.group(0).split()) <= 6:
        out.append((first.start(), first.end()))
    named = _NAMED_TITLE.match(text)
    if named is not None and "\n" in text:
        out.append((named.start(), named.end()))
    return out


def blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` replaced by spaces (line breaks kept)."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        _blank(chars, a, b)
    return "".join(chars)


def may_is_modal(toks: Sequence[Tok], i: int) -> bool:
    """Whether "may" at token ``i`` is the modal verb rather than the month."""
    prev = toks[i - 1].low if i > 0 else ""
    nxt = toks[i + 1].low if i + 1 < len(toks) else ""
    if prev in {
        "in",
        "of",
        "during",
        "early",
        "late",
        "mid",
        "since",
        "until",
        "till",
        "from",
        "by",
        "through",
    }:
        return False
    if prev.isdigit() or prev.rstrip("stndrh").isdigit() or nxt[:1].isdigit():
        return False  # "16 May", "the 3rd of May", "May 2017", "May 16"
    if nxt in _MONTH_NOUNS or (prev in {"-", "–", "—", "/", ":"} and toks[i].cap):
        return False  # "a May scene", "may acquisition", "April–May", "Date: May"
    if toks[i].cap and i > 0 and prev not in _SENTENCE_END and prev not in {"(", '"', "*", "-", "•"}:
        return False  # "taken last May", "shot around May": a capital inside a sentence
    return nxt[:1].isalpha()  # "may be", "may shift", "may well": a verb or an adverb follows


def _sentences(toks: Sequence[Tok], text: str) -> list[tuple[int, int]]:
    """Token spans of sentences: ended by . ! ? ; … or a line break (the end token included)."""
    out: list[tuple[int, int]] = []
    a = 0
    for k, t in enumerate(toks):
        if k > a and "\n" in text[toks[k - 1].end : t.start]:
            out.append((a, k))
            a = k
        attached = 0 < k < len(toks) - 1 and toks[k - 1].end == t.start and toks[k + 1].start == t.end
        if t.low in _SENTENCE_END and not (t.low == "." and attached):  # "16.5.2017" is one date
            out.append((a, k + 1))
            a = k + 1
    if a < len(toks):
        out.append((a, len(toks)))
    return [(x, y) for x, y in out if y > x]


def _blank(chars: list[str], a: int, b: int) -> None:
    for k in range(a, b):
        if chars[k] != "\n":
            chars[k] = " "


def _strip_label(toks: Sequence[Tok], a: int, b: int) -> int:
    """Skip a "Q:" / "A:" / "Answer:" label and list bullets at the start of [a, b)."""
    while a < b and toks[a].low in {"*", "•", "-", "–", "—", ">", "#", "**", "·"}:
        a += 1
    if a + 1 < b and toks[a].low in _QA_LABELS and toks[a + 1].low in {":", ")", "."}:
        a += 2
    return a


def prepare(
    caption: str,
    toks: Sequence[Tok],
    hits: Sequence[Hit],
    subject_cats: Sequence[str],
    extract: Callable[[str], list[Claim]],
) -> Prepared:
    """Resolve questions, answers and meta remarks of ``caption`` (tokens ``toks``, phrase hits
    ``hits``); ``extract`` reads a short synthetic statement (for elliptical answers)."""
    chars = list(caption)
    claims: list[Claim] = []
    sents = _sentences(toks, caption)
    subj_cats = set(subject_cats)
    for s_i, (a, b) in enumerate(sents):
        words = [t.low for t in toks[a:b]]
        if _is_meta(words):
            _blank(chars, toks[a].start, toks[b - 1].end)
            continue
        if toks[b - 1].low != "?":
            continue
        q_a = _strip_label(toks, a, b)
        q_hits = [h for h in hits if q_a <= h.i < b - 1]
        subjects = [h for h in q_hits if h.cat in _PRESENCE_CATS]
        _blank(chars, toks[a].start, toks[b - 1].end)  # the question claims nothing
        if s_i + 1 >= len(sents):
            continue
        ans_a, ans_b = sents[s_i + 1]
        if toks[ans_a].start - toks[b - 1].end > 0 and "\n\n" in caption[toks[b - 1].end : toks[ans_a].start]:
            continue  # a paragraph break: what follows is not the answer
        ans_a = _strip_label(toks, ans_a, ans_b)
        end = ans_b - 1 if toks[ans_b - 1].low in _SENTENCE_END else ans_b
        if ans_a >= end:
            continue
        first = toks[ans_a].low
        span = _not_at_all(toks, ans_a, end)  # "Not at all", "Not a trace": a longer "no"
        if span:
            first = "no"
        interjection = first in NO_ANSWERS | YES_ANSWERS and (
            ans_a + span + 1 >= end
            or toks[ans_a + span + 1].low in {",", "-", "—", "–", "!", ":", ".", "and", "but"}
        )
        body = ans_a + span + 1 if interjection else ans_a
        while body < end and toks[body].low in {",", "-", "—", "–", ":", "!", "and", "but"}:
            body += 1
        own = any(h.cat in subj_cats and body <= h.i < end for h in hits)
        if not subjects:
            if interjection:  # "What can you see? Yes, farm fields": the bare "yes" says nothing
                _blank(chars, toks[ans_a].start, toks[ans_a].end)
            elif not own and any(t.low[:1].isalpha() for t in toks[q_a : b - 1]):
                # "Relief? barely any": what the answer is about is in a question the extractor cannot
                # read, so the answer alone must not pass as saying nothing
                claims.append(
                    _unverifiable(caption, toks[q_a].start, toks[end - 1].end, "an elliptical answer")
                )
            continue
        plain = _plain_question(q_hits, subjects, toks, subj_cats)
        rest = [t.low for t in toks[body:end]]
        bare = all(w in _ANSWER_FILLER for w in rest)
        negative = interjection and first in NO_ANSWERS
        if interjection:
            _blank(chars, toks[ans_a].start, toks[ans_a + span].end)
        if interjection and (bare or own or negative):
            if plain is None:
                claims.append(_unverifiable(caption, toks[ans_a].start, toks[ans_a].end))
            else:
                lo, hi = plain
                carried = _carried(caption, extract, lo, hi, negative)
                # a subject the extractor cannot read still says something: unverifiable, never dropped
                claims += carried or [
                    _unverifiable(caption, lo, toks[ans_a + span].end, "the question's subject")
                ]
            if bare:
                _blank(chars, toks[body].start if body < end else toks[ans_a].end, toks[end - 1].end)
            continue
        if own or body >= end:
            continue
        # an elliptical answer with content: the question's subject is its label ("Water? about 3 %")
        if (plain is None and len(subjects) > 1) or any(s.cat not in _LABEL_CATS for s in subjects):
            continue
        lo, hi = subjects[0].start, subjects[-1].end
        r_a, r_b = toks[body].start, toks[end - 1].end
        read = _labelled(caption, extract, (lo, hi), (r_a, r_b))
        if any(c.subject != "unparsed" for c in read):
            claims += read
            _blank(chars, r_a, r_b)
        else:
            claims.append(_unverifiable(caption, lo, r_b, "an answer to the question"))
    return Prepared("".join(chars), claims)


def _not_at_all(toks: Sequence[Tok], a: int, end: int) -> int:
    """The number of tokens after "not" in an answer that is a plain "no" ("Not at all", "Not really",
    "Not a trace"); 0 when the answer does not start so ("Not much" is an amount, not a no)."""
    if toks[a].low != "not":
        return 0
    k = a + 1
    while k < end and toks[k].low in _NOT_AT_ALL:
        k += 1
    closed = k >= end or toks[k].low in {",", "-", "—", "–", "!", ":", "."}
    return k - a - 1 if k > a + 1 and closed else 0


def _is_meta(words: list[str]) -> bool:
    """A remark about what the sensor or the image can resolve, not about the tile."""
    if not any(w in _META_VERBS for w in words):
        return False
    if any(w in _META_NEG for w in words):
        return True
    return "apart" in words and "tell" in words


def _plain_question(
    q_hits: Sequence[Hit], subjects: Sequence[Hit], toks: Sequence[Tok], subj_cats: set[str]
) -> tuple[int, int] | None:
    """The character span of the subject(s) of a plain presence question, or None when the
    question asks something a yes/no does not settle (a quantity, a position, a comparison)."""
    if any(h.cat not in subj_cats and h.cat not in _PLAIN_QUESTION_CATS for h in q_hits):
        return None
    if any(s.cat not in _PRESENCE_CATS for s in subjects):
        return None
    if any(t.low[:1].isdigit() for t in toks[subjects[0].i : subjects[-1].j]):
        return None
    for x, y in itertools.pairwise(subjects):
        if any(t.low not in {",", "or", "and", "/", "nor"} for t in toks[x.j : y.i]):
            return None
    return subjects[0].start, subjects[-1].end


def _unverifiable(
    caption: str, a: int, b: int, what: str = "a yes/no answer to a question that is not about presence"
) -> Claim:
    return Claim(
        family=Family.CONSISTENCY.value,
        subject="unparsed",
        start=a,
        end=b,
        text=caption[a:b],
        label="not understood: " + what,
    )


def _remap(claims: list[Claim], caption: str, pieces: list[tuple[int, int, int]]) -> list[Claim]:
    """Move claims read on a synthetic string back onto the caption: ``pieces`` are (synthetic start,
    synthetic end, caption start) of each copied stretch; positions outside them map to the nearest."""

    def pos(p: int, is_end: bool) -> int:
        q = p - 1 if is_end else p
        for s, e, c in pieces:
            if s <= q < e:
                return c + (q - s) + (1 if is_end else 0)
        after = [pc for pc in pieces if pc[0] > q]
        if after and not is_end:
            return after[0][2]
        before = [pc for pc in pieces if pc[1] <= q]
        s, e, c = before[-1] if before else pieces[0]
        return c + (e - s) if is_end else c

    out = []
    for cl in claims:
        a, b = pos(cl.start, False), pos(cl.end, True)
        if b <= a:
            b = a + 1
        out.append(dataclasses.replace(cl, start=a, end=b, text=caption[a:b]))
    return out


def _carried(
    caption: str, extract: Callable[[str], list[Claim]], lo: int, hi: int, negative: bool
) -> list[Claim]:
    """The question's subject affirmed ("yes") or negated ("no"), read as "(no) <subject>"."""
    subject = caption[lo:hi]
    prefix = "no " if negative else ""
    found = extract(prefix + subject)
    wanted = Polarity.NEGATED.value if negative else Polarity.AFFIRMED.value
    found = [c for c in found if c.subject != "unparsed" and c.polarity == wanted]
    return _remap(found, caption, [(len(prefix), len(prefix) + len(subject), lo)])


def _labelled(
    caption: str, extract: Callable[[str], list[Claim]], subj: tuple[int, int], rest: tuple[int, int]
) -> list[Claim]:
    """An elliptical answer read with the question's subject as its label: "<subject>: <answer>"."""
    s_text = caption[subj[0] : subj[1]]
    r_text = caption[rest[0] : rest[1]]
    synthetic = s_text + ": " + r_text
    pieces = [(0, len(s_text), subj[0]), (len(s_text) + 2, len(synthetic), rest[0])]
    return _remap(extract(synthetic), caption, pieces)
