"""A side the item implies without naming it, for the relevance scorer (nkru.relevance).

Round 9: North Korea's part in Ukraine's war is a North Korea–Russia story even when Russia is never named
("Pjöngjang liefert neue Raketen – Kiew meldet Einschläge von KN-23 bei Charkiw", "Kim Yo Jong: Kyiv lies about
captured soldiers"): the war is Russia's, and Ukraine is the other side of it. Every such item in the labelled sets
is relevant, in 28 languages, and none names Ukraine and North Korea at war for another reason.
"""

from __future__ import annotations

from nkru.lexicon import COUNTRY, CUE, RU, Term
from nkru.relevance_hits import TITLE, Hit, names_of, short

WAR_COUNTRY = "Ukraine"  # the country at war with Russia, keyed as in config/lexicon/_cldr.yaml
IMPLIED_WEIGHT = 1.0  # as much as Russia named in the title: the war names it
_IMPLIED = Term(side=RU, weight=IMPLIED_WEIGHT, text="Russia's war", language="rule", kind="implied", source="rule")


def implied_russia(hits: list[Hit], observers: frozenset[str], lede: int) -> tuple[Hit, str] | None:
    """(a Russia hit standing for the war, why) when the title names North Korea and Ukraine with a beat word
    (troops, missiles, captured soldiers) in the title or the lede, Russia is named in the title by nothing stronger
    than a weak term (Zelensky, "Soviet"; round 10: the summary may name it, "... in the areas Russia occupies"),
    and no third country other than the observers (the US, South Korea) is in the title: North Korea in Ukraine's
    war, Russia its other party. Else None."""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    nk = [h for h in title if h.nk]
    war = [h for h in title if h.term.side == COUNTRY and h.term.country == WAR_COUNTRY]
    if not nk or not war or any(h.ru and h.term.kind != "weak" and h.field == TITLE for h in hits):
        return None
    if any(h.term.side == COUNTRY and h.term.country not in observers for h in title):
        return None  # "China urges Kyiv and Pyongyang to talk": a third country's story
    beat = [h for h in hits if h.term.side == CUE and (h.field == TITLE or h.sentence == lede)]
    if not beat:
        return None
    anchor = war[0]
    hit = Hit(-1, _IMPLIED, "\x00implied-russia", f"{anchor.text}: Russia's war", TITLE, anchor.start, anchor.end,
              anchor.sentence)  # fmt: skip
    why = f"Russia implied: North Korea in Ukraine's war ({short(names_of([anchor, *beat]), 3)})"
    return hit, why
