"""Reason lines of the relevance scorer (nkru.relevance): one line saying, in words, what counted and what was
discounted, and the per-match contributions that `nkru explain` prints."""

from __future__ import annotations

from nkru.lexicon import BOTH, COUNTRY, CUE, KOREA, NK, RU, SOUTH
from nkru.relevance_hits import LEDE, SIDE_NAMES, SUMMARY, TITLE, Contribution, Hit, Relevance, names_of, short
from nkru.relevance_parties import Parties


def contribution(hit: Hit) -> Contribution:
    side = SIDE_NAMES.get(hit.term.side, hit.term.side)
    if hit.term.side == COUNTRY:
        side = f"other country: {hit.term.country}"
    weight = hit.weight if hit.term.side in (NK, RU, BOTH) else 0.0
    return Contribution(hit.text, side, hit.term.kind, round(weight, 3), hit.field, hit.listed, hit.term.language)


def one_side(hits: list[Hit], nk_hits: list[Hit], ru_hits: list[Hit], notes: list[str]) -> Relevance:
    """The verdict on an item naming one side or neither: score 0, and which side it names."""
    nk, ru = names_of(nk_hits), names_of(ru_hits)
    if nk:
        text = f"only North Korea mentioned ({short(nk)})"
    elif ru:
        text = f"only Russia mentioned ({short(ru)})"
    else:
        text = "neither North Korea nor Russia mentioned"
    south = names_of(h for h in hits if h.term.side == SOUTH)
    note = f"Korea here is South Korea ({short(south)})" if south else ""
    if not nk and not south and (korea := [h.text for h in hits if h.term.side == KOREA]):
        note = f"'{korea[0]}' alone is not North Korea"
    terms = ordered_terms(nk_hits or ru_hits)
    return Relevance(score=0.0, relevant=False, terms=terms, reason="; ".join(filter(None, [text, note, *notes])))


def ordered_terms(hits: list[Hit]) -> tuple[str, ...]:
    """Each matched term once (its strongest mention, as found), strongest first, then in order of appearance;
    beat words (which add only a little) after the country terms."""
    best: dict[str, Hit] = {}
    for hit in hits:
        key = hit.key
        if key not in best or hit.weight > best[key].weight:
            best[key] = hit
    order = sorted(best.values(), key=lambda h: (h.term.side == CUE, -h.weight, h.field != TITLE, h.start))
    return tuple(names_of(order))


def reason_line(
    hits: list[Hit],
    relevant: bool,
    together: str | None,
    cues: list[str],
    south: list[str],
    score: float,
    threshold: float,
    passers: str,
    parties: Parties,
    notes: list[str],
    frame: str = "",
) -> str:
    """One line saying what decided the score."""
    nk = names_of(h for h in hits if h.nk)
    ru = names_of(h for h in hits if h.ru)
    korea = [h.text for h in hits if h.term.side == KOREA]
    south_note = f"Korea here is South Korea ({short(south)})" if south else ""
    if not nk and korea and not south_note:
        south_note = f"'{korea[0]}' alone is not North Korea"
    if not nk or not ru:
        if nk:
            text = f"only North Korea mentioned ({short(nk)})"
        elif ru:
            text = f"only Russia mentioned ({short(ru)})"
        else:
            text = "neither North Korea nor Russia mentioned"
        return "; ".join(filter(None, [text, south_note, *notes]))

    sides = f"North Korea ({short(nk)}) and Russia ({short(ru)})"
    if together == LEDE:
        in_title = "North Korea" if any(h.nk and h.field == TITLE for h in hits) else "Russia"
        other = "Russia" if in_title == "North Korea" else "North Korea"
        text = f"{sides}: {in_title} in the title with a beat word, {other} in the first sentence of the summary"
    elif together:
        text = f"{sides} in one sentence of the {together}"
        if parties.nk_ru:
            text += " as the two parties"
    elif frame:
        text = f"{sides} named as entries of a ranking or list ({frame}), not as parties"
    elif listed_side := _only_in_lists(hits):
        listed = names_of(h for h in hits if h.listed)
        text = f"{listed_side} named only in a list ({short(listed, 6)})"
    else:
        where_nk, where_ru = _fields(hits, NK), _fields(hits, RU)
        text = f"North Korea ({short(nk)}) in the {where_nk}, Russia ({short(ru)}) in the {where_ru}"
    out = [text]
    if passers:
        out.append(f"passers-by: {passers}, so they count for half")
    if cues:
        out.append(f"topic: {short(cues)}")
    if south:
        out.append(f"South Korea cues ({short(south)}) weaken the North Korea side")
    if not relevant:
        out.append(f"{score:g} is below {threshold:g}")
    return "; ".join(out + notes)


def _only_in_lists(hits: list[Hit]) -> str:
    """Which side(s) are named only inside enumerations: "both", "North Korea", "Russia" or ""."""
    nk = all(h.listed for h in hits if h.nk)
    ru = all(h.listed for h in hits if h.ru)
    return "both" if nk and ru else "North Korea" if nk else "Russia" if ru else ""


def _fields(hits: list[Hit], side: str) -> str:
    fields = [f for f in (TITLE, SUMMARY) if any(h.field == f and h.counts_for(side) for h in hits)]
    return " and ".join(fields)
