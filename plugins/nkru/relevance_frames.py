"""A title's frame that makes the two sides entries of a list or ranking, for the relevance scorer (nkru.relevance).

Round 11: a part of the title (between a kicker's colon and dashes) that opens with "from" and names the two sides
with a "to" between them ("In these countries there is no McDonald's – from North Korea to Russia", "Os países onde
o Natal não é feriado: da Coreia do Norte à Rússia", "2026 in space: a record year, from SpaceX to Russia and North
Korea", "Fidel Castro: Moskova'dan Pyongyang'a uzanan bir hayat") spans a list by its two ends: the sides are its
entries, not the parties of one relation. Not with a beat word in the title ("From Moscow to Pyongyang by train")
nor a word pairing the two, nor a journey between two cities ("From Moscow to Pyongyang: Lavrov begins his Asian
tour": both ends places). A range, not a route: where a language tells the two apart, only its range words
("von ... bis", "от ... до", not "nach", "в") are listed (`range_words` in config/lexicon/). Designed on round 10's
hand, then checked on round 9's and on the relevant items of every hand.

Round 11 too: a kicker (the title's rubric before its colon) that names neither side and holds a superlative
("Where military service is longest:", "The world's slowest internet:", `superlative_words`), followed by both
sides with no beat word, is a ranking read out: its entries are the sides. Every dev item of every hand with a
superlative kicker is a ranking or list (23, none relevant). Designed on round 10's hand, checked on round 9's.
"""

from __future__ import annotations

import re

from nkru import lexicon as lx
from nkru.lexicon import CUE, JOINT, PLACE_KINDS, RANKING
from nkru.relevance_gaps import Gaps
from nkru.relevance_hits import TITLE, Hit, names_of, short

_SECTION = re.compile(r"[^:：|–—]+")  # the title's parts between a kicker's colon and dashes
_LEAD = re.compile(r"[\s\"'«»„“”‘’「『]*")  # what may come before a part's first word
_NOUN = re.compile(r"[\s\"'«»„“”‘’「『]*(?:[^\s:：|–—]+\s*){0,3}")  # the noun a postposition follows: 1-3 words
_WORD_REST = re.compile(r"\S*")  # the rest of a side's word ("Pyongyang|'a")
_AND_NEXT = re.compile(r"\S*\s*\S*")  # ... and the word after it, where a postposition stands ("Pyongyang'a | uzanan")


def range_frame(hits: list[Hit], related_title: bool, text: str, gaps: Gaps) -> str:
    """Why a part of the title is a "from ... to ..." range whose entries are the two sides (see the module
    docstring), or ""."""
    if gaps.range_from is None or gaps.range_to is None or related_title:
        return ""
    title = [h for h in hits if h.field == TITLE]
    if any(h.term.side in (JOINT, CUE) for h in title):
        return ""  # "From Moscow to Pyongyang by train": a route on the beat
    for section in _SECTION.finditer(text, 0, text.index("\n")):
        sides = [h for h in title if section.start() <= h.start < section.end() and (h.nk or h.ru)]
        if len({h.nk for h in sides}) < 2:
            continue
        opener = gaps.range_from.search(text, section.start(), section.end())
        if opener is None or not (
            gaps.range_anywhere or _opens(text, section.start(), opener.start(), gaps.range_after)
        ):
            continue
        if any(h.end < opener.start() for h in sides):
            continue  # a side before "from": its subject ("Rosja od lat ... do Korei")
        stop = (_AND_NEXT if gaps.range_after else _WORD_REST).match(text, max(h.end for h in sides)).end()
        to = gaps.range_to.search(text, opener.end(), stop)
        if to is not None and not _route(sides, opener, to, gaps.range_after):
            return f"a range ('{opener.group()}' ... ) whose entries are North Korea and Russia: a list, not parties"
    return ""


def _route(sides: list[Hit], opener: re.Match[str], to: re.Match[str], after: bool) -> bool:
    """Whether the range runs from one city to another, both sides named only as places at its two ends ("From
    Moscow to Pyongyang: Lavrov begins his Asian tour", "Moskova'dan Pyongyang'a"): a journey, not a list."""
    if after:  # "Moskova'dan | Pyongyang'a uzanan": the ends stand before their words
        ends = [h for h in sides if h.start < to.start()]
    else:  # "from | Moscow to | Pyongyang": the first side named after each word
        last = next((h for h in sides if h.start >= to.end()), None)
        ends = [h for h in sides if opener.end() <= h.start <= (last.start if last else -1)]
    return bool(ends) and all(h.term.kind in PLACE_KINDS for h in ends)


def _opens(text: str, start: int, at: int, after: bool) -> bool:
    """Whether the range word at `at` opens the part that begins at `start`: nothing but quotes before it, or, in
    languages whose range words follow their noun, that noun (at most three words: "Kuzey Kore'den", "रूस से")."""
    return bool((_NOUN if after else _LEAD).fullmatch(text, start, at))


_KICKER = re.compile(r"[^:：|\n]+(?=[:：|])")  # the title's rubric before its colon or bar


def superlative_kicker(hits: list[Hit], related_title: bool, text: str, gaps: Gaps) -> str:
    """Why the title is a ranking, or "": its kicker names neither side and holds a superlative ("Where military
    service is longest:", "The slowest internet in the world:", "दुनिया की सबसे ऊंची प्रतिमाएं:"), and the rest of
    the title names both sides with no beat word and nothing pairing them ("... North Korea ten years, Russia
    one"): the sides are the ranking's entries, not the parties of one relation."""
    kicker = _KICKER.match(text)
    if gaps.superlative is None or kicker is None or related_title:
        return ""
    title = [h for h in hits if h.field == TITLE]
    if any(h.start < kicker.end() and (h.nk or h.ru) for h in title):
        return ""  # a side in the kicker: "Russia's biggest ally: ..." is about it
    after = [h for h in title if h.start >= kicker.end()]
    if len({h.nk for h in after if h.nk or h.ru}) < 2 or any(h.term.side in (JOINT, CUE) for h in title):
        return ""  # "Largest delegation yet: Russian ministers arrive", "Most important visit yet: Lavrov lands ..."
    if any(h.term.kind == "reciprocal" for h in title) or _leaders_paired(after, text, gaps):
        return ""  # "Najważniejsze: Putin i Kim wymienili listy": the two leaders together, a digest's news
    folded = lx.fold(kicker.group())
    for match in gaps.superlative.finditer(folded):
        if gaps.not_superlative is None or not gaps.not_superlative.fullmatch(match.group()):
            return f"a superlative in the kicker ('{match.group()}'): the sides are entries of a ranking, not parties"
    return ""


def ranking_frame(hits: list[Hit], text: str) -> str:
    """The ranking or list words framing the item ("index", "blacklist"), or "": in the title, or in the summary
    when neither country is in the title. A bare "list" (`list_words`, round 11) frames only a title with no beat
    word and not opened by a side as its subject ("Russia and North Korea sign a list of joint projects")."""
    words = [h for h in hits if h.term.side == RANKING]
    if not words:
        return ""
    title = [h for h in hits if h.field == TITLE]
    nouns = [h for h in words if h.term.kind == "list_noun"]
    if nouns and (len(nouns) < len(words) or any(h.term.side == CUE for h in title) or _side_opens(title, text)):
        words = [h for h in words if h.term.kind != "list_noun"]  # a stronger ranking word says it, or the beat
    in_title = any(h.nk or h.ru for h in title)
    framing = [h for h in words if h.field == TITLE or not in_title]
    return short(names_of(framing), 2) if framing else ""


def _side_opens(title: list[Hit], text: str) -> bool:
    """Whether a side's mention opens the title (after nothing but quotes): the subject of its sentence."""
    first = min(title, key=lambda h: h.start, default=None)
    return first is not None and (first.nk or first.ru) and bool(_LEAD.fullmatch(text, 0, first.start))


_PERSONS = ("leader", "official")


def _leaders_paired(after: list[Hit], text: str, gaps: Gaps) -> bool:
    """Whether a person of each side stands next to the other, joined by "and" or a comma ("Putin and Kim"):
    two leaders named together have dealt with each other; a ranking reads them out in clauses of their own."""
    persons = [h for h in after if (h.nk or h.ru) and (h.term.kind in _PERSONS or h.term.surname)]  # "Kim" too
    pairs = zip(persons, persons[1:], strict=False)
    return any(a.nk != b.nk and gaps.joined.fullmatch(text, a.end, b.start) for a, b in pairs)
