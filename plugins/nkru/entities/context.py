"""Names that mean something only in context: a generic body ("Foreign Ministry", "МИД", "외무성") is the body of the
country named beside it, and a title written without a name ("Russia's defence minister", "러 국방장관") is the
person who holds the office (config/gazetteer/rules.yaml and offices.yaml).
"""

from __future__ import annotations

import re

from nkru.entities.gazetteer import GENERIC, Gazetteer, GazetteerEntry
from nkru.entities.matcher import Match
from nkru.entities.names import Candidate, without_overlaps

_SENTENCE_END = re.compile(r"[.!?。！？]\s|\n")
_COUNTRY_LABELS = ("GPE", "NORP")


# --- Generic bodies ----------------------------------------------------------------------------------------------


def resolve_generic(text: str, cands: list[Candidate], generic: list[Match], gazetteer: Gazetteer) -> list[Candidate]:
    """Generic body names ("Foreign Ministry", "МИД", "Außenministerium", "외무성") given the country named beside
    them: right before or after, joined by at most a few short words ("Russia's Foreign Ministry", "МИД России",
    "das russische Außenministerium", "Ministerio de Defensa de Rusia"), else the country named last before them in
    the sentence, else a capital beside them ("das Außenministerium in Moskau"). A country that is part of the
    body's name is not counted again; a capital stands for its country ("Seoul ..., defence ministry says"); a
    generic body without a country is dropped (every country has one)."""
    if not generic:
        return cands
    out = list(cands)
    for g in generic:
        bodies = gazetteer.generic_bodies.get(g.entry.name.removeprefix(GENERIC)) or {}
        covering = [c for c in out if c.start < g.end and g.start < c.end]
        if any(c.entry is not None and c.entry.label != "GPE" and c.entry.label != "NORP" for c in covering):
            continue  # inside a body the gazetteer knows by name ("МИД России", "Russian Foreign Ministry")
        out = [c for c in out if not (c.entry is None and c.start < g.end and g.start < c.end)]
        found = _country_beside(text, out, g, bodies, gazetteer)
        if found is None:
            continue
        entry, country, part_of_name = found
        part_of_name = part_of_name and country.entry.name not in gazetteer.capitals  # "di Mosca" stays Moscow
        if part_of_name:
            out.remove(country)
        start, end = (min(g.start, country.start), max(g.end, country.end)) if part_of_name else (g.start, g.end)
        out.append(Candidate(start, end, text[start:end], entry.label, entry, from_model=False))
    out.sort(key=lambda c: c.start)
    return without_overlaps(out)


_JOINERS = re.compile(
    r"^(?:\s|['’`´ʼ]s?|\b(?:of|the|de|del|do|da|des|du|la|le|der|des|van|di|della|dello|al|ал)\b|[,.])*$", re.I
)


def _country_beside(
    text: str, cands: list[Candidate], g: Match, bodies: dict[str, str], gazetteer: Gazetteer
) -> tuple[GazetteerEntry, Candidate, bool] | None:
    best = None
    for c in cands:
        if c.entry is None or c.entry.label not in _COUNTRY_LABELS:
            continue
        country = c.entry.country or c.entry.name
        country = gazetteer.capitals.get(country, country)  # "Seoul ..., defence ministry says": Seoul's
        body = gazetteer.by_name.get(bodies.get(country, ""))
        if body is None:
            continue
        gap = text[c.end : g.start] if c.end <= g.start else text[g.end : c.start] if g.end <= c.start else None
        if gap is None or len(gap) > 40 or _SENTENCE_END.search(gap):
            continue
        adjacent = bool(_JOINERS.match(gap))
        distance = len(gap) if adjacent else 1000 + (g.start - c.end if c.end <= g.start else 10_000)
        if not adjacent and c.end > g.start:
            continue  # a country after the body but not joined to it belongs to something else
        if best is None or distance < best[0]:
            best = (distance, body, c, adjacent)
    if best is not None:
        return best[1], best[2], best[3]
    for c in cands:  # a capital beside the body: "das Außenministerium in Moskau"
        capital_of = gazetteer.capitals.get(c.entry.name) if c.entry else None
        gap = text[g.end : c.start] if g.end <= c.start else ""
        if capital_of and c.start >= g.end and len(gap) <= 8 and not _SENTENCE_END.search(gap):
            body = gazetteer.by_name.get(bodies.get(capital_of, ""))
            if body is not None:
                return body, c, False
    return None


# --- Offices -------------------------------------------------------------------------------------------------------

_BESIDE = re.compile(r"^[\s,·]{0,3}$")


def resolve_offices(text: str, cands: list[Candidate], titles: list[Match], gazetteer: Gazetteer) -> list[Candidate]:
    """A title written without a name ("Russia's defence minister", "러 국방장관", "朝鲜外相", "キム総書記") is its
    office's holder (config/gazetteer/offices.yaml); a title right before or after a person's name ("former Russian
    defence minister Sergei Shoigu", "라브로프 러 외무장관") gives way to the name, which says who. The holder is
    added beside the names inside the title, which stay ("Russia" in "Russia's defence minister")."""
    if not titles:
        return cands
    out = list(cands)
    people = [c for c in cands if c.label == "PERSON"]
    for t in titles:
        holder = gazetteer.by_name.get(gazetteer.holders.get(t.entry.name, ""))
        if holder is None:
            continue
        if any(
            _BESIDE.match(text[t.end : c.start] if c.start >= t.end else text[c.end : t.start])
            for c in people
            if c.start >= t.end or c.end <= t.start
        ):
            continue
        out.append(Candidate(t.start, t.end, t.text, holder.label, holder, from_model=False))
    return sorted(out, key=lambda c: c.start)  # the country inside a title stays a name: "Russia's defence minister"
