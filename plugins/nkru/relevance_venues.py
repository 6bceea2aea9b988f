"""Two cities side by side after a third subject, for the relevance scorer (nkru.relevance).

Round 10: a title that names each side only by a place (a capital, a city), the two places side by side ("in
Moscow and Pyongyang", "Maskavā un Phenjanā", "v Moskve aj v Pchjongjangu") after a subject of its own, with no
beat word and nothing pairing them (no word naming both, no host word, no joint statement), tells of a third
subject that was in both places: a photographer's shots, a brewer's beer, a folk ensemble's tour, the coldest
capitals. The places are venues, not parties. A place that opens its clause is the subject, and a capital as
subject is its government ("Moscow and Pyongyang restore direct rail link", "З Москви до Пхеньяна запускають
авіарейси": a preposition is not a subject). Designed on the first hand's set and rounds 7-8 (no relevant item
there lost), then checked on round 9's hand before it was kept.
"""

from __future__ import annotations

import re

from nkru.lexicon import CUE, JOINT, PLACE_KINDS
from nkru.relevance_hits import TITLE, Hit

_CLAUSE_START = re.compile(r".*[:|–—]", re.DOTALL)  # the title's last kicker or dash before a place
_SUBJECT_WORD = re.compile(r"\w\S{2,}")  # a word, not a preposition ("З", "v"); Devanagari marks too
_SIDE_BY_SIDE = re.compile(r"[\s,，、،·・]*(?:[^\s,，、،·・]{1,4}[\s,，、،·・]+){0,2}")  # "and", "aj v", "en"


def two_places(hits: list[Hit], related_title: bool, text: str) -> str:
    """Why the title's two sides are only places a third subject was in (see the module docstring), or ""."""
    if related_title:
        return ""  # "Pyongyang hosts Moscow's delegation": a host word pairs them
    title = [h for h in hits if h.field == TITLE]
    sides = [h for h in title if h.nk or h.ru]
    if len({h.nk for h in sides}) < 2 or any(h.term.kind not in PLACE_KINDS for h in sides):
        return ""  # one side only, or a country, a leader
    if any(h.term.side in (JOINT, CUE) for h in title):
        return ""  # a beat word: "Moscow and Pyongyang sign a fisheries deal"
    first, second = sides[0], sides[1]
    if first.nk == second.nk or not _SIDE_BY_SIDE.fullmatch(text, first.end, second.start):
        return ""
    opening = _CLAUSE_START.match(text, 0, first.start)
    if not _SUBJECT_WORD.search(text, opening.end() if opening else 0, first.start):
        return ""  # the place opens its clause: the subject, its government
    return f"{first.text} and {second.text} only as places after a subject of their own: venues, not parties"
