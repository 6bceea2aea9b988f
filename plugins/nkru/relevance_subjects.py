"""A third country and one side as the joint subject of the title, for the relevance scorer (nkru.relevance).

Round 11: a part of the title (between a kicker's colon and dashes) that opens with one side and a third country
side by side, and names the other side after them right after a topic word (`topic_words`: "on", "against",
"gegen", "по", "对"; `topic_words_after`: "karşı", "への"), tells what the two of them say or decide about it
("China und Russland lehnen neue Sanktionen gegen Nordkorea ab", "Russia and China issue a statement on North
Korea"): the other side is their topic, not the partner of one relation. Not when the other side is the pair's
partner ("Iran and North Korea supply Russia with drones": no topic word), nor with a host word, a word naming both
sides or an onward trip. Designed on round 9's de-h906; on the dev items of all five hands it fires on four, all
negatives (the others are joint statements already), and without the topic word on 64, all negatives too.
"""

from __future__ import annotations

import re

from nkru.lexicon import BOTH, COUNTRY, HOST, NK, RU, TRAVEL
from nkru.relevance_gaps import Gaps
from nkru.relevance_hits import TITLE, Hit

_SECTION = re.compile(r"[^:：|–—]+")  # the title's parts between a kicker's colon and dashes
_LEAD = re.compile(r"[\s\"'«»„“”‘’「『]*")  # what may come before a part's first word


def joint_subject(hits: list[Hit], text: str, gaps: Gaps, observers: frozenset[str]) -> str:
    """Why one side and a third country opening a part of the title are its subject and the other side, named
    after them, only their topic (see the module docstring), or ""."""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    if any(h.term.side in (HOST, BOTH, TRAVEL) for h in title):
        return ""
    places = [h for h in title if h.term.side in (NK, RU, COUNTRY)]
    for section in _SECTION.finditer(text, 0, text.index("\n")):
        inside = [h for h in places if section.start() <= h.start < section.end()]
        if len(inside) < 3 or not _LEAD.fullmatch(text, section.start(), inside[0].start):
            continue
        first, second = inside[0], inside[1]
        if first.end > second.start or not gaps.enumeration.fullmatch(text, first.end, second.start):
            continue  # not side by side: "Lavrov, Pekin'deki temaslarının ardından Pyongyang'a geçti"
        third = first if first.term.side == COUNTRY else second if second.term.side == COUNTRY else None
        side = second if third is first else first
        if third is None or side.term.side not in (NK, RU) or third.term.country in observers:
            continue
        other = next((h for h in inside[2:] if h.term.side in (NK, RU) and h.term.side != side.term.side), None)
        if other is not None and _topic(other, text, gaps):
            return f"{third.term.country} and {side.text} as the joint subject, {other.text} only their topic"
    return ""


_TOPIC_REACH = 30  # characters before a side where its topic word may start ("в отношении | КНДР")


def _topic(hit: Hit, text: str, gaps: Gaps) -> bool:
    """Whether a topic word stands right before the mention ("sanctions against | North Korea", "对 | 朝鲜") or
    right after it ("Kuzey Kore'ye | karşı", "北朝鮮 | への"): the pair's topic or target, not their partner
    ("Iran and North Korea supply | Russia": a partner)."""
    before = gaps.topic_before is not None and gaps.topic_before.search(
        text, max(0, hit.start - _TOPIC_REACH), hit.start
    )
    return bool(before or (gaps.topic_after is not None and gaps.topic_after.match(text, hit.end)))
