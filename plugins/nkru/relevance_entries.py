"""Each side opening a clause of its own, for the relevance scorer (nkru.relevance).

Round 10: a title in which North Korea and Russia, each by a country's name, open two clauses next to each other
(split by a comma or a semicolon), each naming that side alone and saying something of it, with no beat word and
nothing pairing them (no word naming both, no host word, no joint statement), is a table read out entry by entry:
"Where people drink most: Czechia leads in beer, Russia in spirits, North Korea publishes no data", "Countries
with the most tanks: Russia leads, North Korea fifth". Each side is an entry of the comparison, not a party.
Not a leader or a minister ("Putin, Kim exchange letters"), not a name standing alone as the topic ("Corea del
Nord, Mosca fornisce ...", "Kuzey Kore, Rusya'dan ... aldı"), and not the ideographic comma "、", which in Japanese
and Chinese follows a subject. Designed on the first hand's set and rounds 7-8 (no relevant item there lost), then
checked on round 9's hand before it was kept.
"""

from __future__ import annotations

import re

from nkru.lexicon import CUE, JOINT
from nkru.relevance_hits import TITLE, Hit

_SECTION = re.compile(r"[^:：|–—]+")  # the title's parts between a kicker's colon and dashes
_CLAUSE = re.compile(r"[^,;，；]+")  # a part's clauses, between commas and semicolons
_LEAD = re.compile(r"[\s\"'«»„“”‘’]*")  # what may come before a clause's first word
_SAYS_MORE = re.compile(r"\w")  # a clause goes on after the name: "Russia | in spirits", "Venemaa | 60."


def entries(hits: list[Hit], related_title: bool, text: str, title_length: int) -> str:
    """Why the title reads the two sides out as entries of a table (see the module docstring), or ""."""
    title = [h for h in hits if h.field == TITLE]
    if related_title or any(h.term.side in (JOINT, CUE) for h in title):
        return ""  # a word pairs them, or a beat word: "Russia sends oil, North Korea sends troops"
    for section in _SECTION.finditer(text, 0, title_length):
        openers = [_opener(title, text, c) for c in _CLAUSE.finditer(text, section.start(), section.end())]
        for a, b in zip(openers, openers[1:], strict=False):
            if a is not None and b is not None and a.nk != b.nk:
                return "North Korea and Russia each open a clause of their own, with no beat word: entries of a table"
    return ""


def _opener(title: list[Hit], text: str, clause: re.Match[str]) -> Hit | None:
    """The country name opening the clause, when it is the clause's only mention of a side and words follow it."""
    inside = [h for h in title if clause.start() <= h.start < clause.end() and (h.nk or h.ru)]
    lead = _LEAD.match(text, clause.start(), clause.end())
    if len(inside) != 1 or inside[0].term.kind != "name" or inside[0].start != (lead.end() if lead else -1):
        return None
    return inside[0] if _SAYS_MORE.search(text, inside[0].end, clause.end()) else None
