"""Items about something else, for the relevance scorer (nkru.relevance): a title whose story is a birthday, a
match, a parade or a memoir (`aside_words`, `commemoration_words`, `succession_words`), and a side named only in
background — sentences of the summary after the lede, or a clause of the title such as "a year after Putin's
visit" (`background_words`)."""

from __future__ import annotations

import re

from nkru.lexicon import ASIDE, BACKGROUND, COUNTRY, CUE, HOST, NK, RU, SOUTH
from nkru.relevance_hits import SIDE_NAMES, SUMMARY, TITLE, Hit, names_of, short
from nkru.relevance_parties import Parties, clauses


def aside(hits: list[Hit], parties: Parties, text: str, lede: int = -1) -> str:
    """Why the item is about something else ("died", "memoir", "birthday"...), or "": such a word in the title,
    and either no beat word there or no clause naming both sides ("Former ambassador in Pyongyang publishes
    memoirs" / Russia only in the summary; "北, 김정일 생일…러 대사관도 헌화"). A succession word (heir,
    successor) is no aside when the title names both sides with a beat or host word or as a pair."""
    title = [h for h in hits if h.field == TITLE]
    words = [h for h in title if h.term.side == ASIDE]
    beat = any(h.term.side == CUE for h in title)
    kicker = _kicker(words, text)  # "Obituary: former ambassador to Pyongyang and Moscow dies": beat words or not
    if not words or (beat and not kicker and (parties.one_clause or _comma_pair(title, text))):
        return ""
    if parties.one_clause and not kicker and _between_the_two(hits, lede):
        return ""  # "Сборная КНДР сыграет матч с командой России" / "... в рамках соглашения ... двух стран"
    if all(h.term.kind == "commemoration" for h in words):
        clause = clauses(text)
        # "Kim attends the Victory Day parade beside Putin"; "金総書記 ロシア大使館を訪問 戦勝記念日を祝う" (a visit)
        if parties.one_clause or (len({clause(h) for h in words}) < 2 and beat):
            return ""
        return f"each side marks its own occasion, in a clause of its own ({short(names_of(words), 2)})"
    succession = all(h.term.kind == "succession" for h in words)
    both_named = bool({h.sentence for h in title if h.nk} & {h.sentence for h in title if h.ru})  # one sentence
    met = beat or parties.nk_ru_title or any(h.term.side == HOST for h in title)
    if succession and both_named and met:  # "Belousov, Shoigu's successor, visits Pyongyang"
        return ""
    if parties.one_clause and not kicker and _side_acts_on_side(title, text):
        return ""  # round 10: "Putin congratulates Kim on his birthday", "Kim sends Putin a birthday gift"
    return f"the story is about something else ({short(names_of(words), 2)})"


_PERSONS = ("leader", "official")  # a person acts; a team, a country's name in a match or a birthplace does not
_LEAD = re.compile(r"[\s\"'«»„“”‘’]*")


def _side_acts_on_side(title: list[Hit], text: str) -> bool:
    """Whether the title opens with one side's leader or official as its subject and names the other side's
    leader or official in the same sentence, with no third country: one side's act toward the other, whatever
    the occasion ("Putin congratulates Kim on his birthday" — a birthday, but a message from one to the other)."""
    if any(h.term.side in (COUNTRY, SOUTH) for h in title):
        return False
    sides = [h for h in title if h.nk or h.ru]
    if not sides or sides[0].start != _LEAD.match(text).end() or sides[0].term.kind not in _PERSONS:
        return False
    return any(h.nk != sides[0].nk and h.sentence == sides[0].sentence and h.term.kind in _PERSONS for h in sides)


_KICKER = re.compile(r"\s*[\[【(]([^\]】)\n]{1,24})[\]】)]|([^:：|,\n]{1,40})[:：|,]")
KICKER_WORDS = 3  # at most this many words before the colon: a rubric ("Book review:"), not a clause


def _kicker(words: list[Hit], text: str) -> bool:
    """Whether an aside word is the title's kicker, the rubric before its colon or in brackets at its start
    ("Obituary:", "Nachruf:", "[서평]"), or the short phrase before its first comma ("Dans ses mémoires, ...", round
    11): the outlet files the item under that genre, whatever the beat words say."""
    match = _KICKER.match(text)
    if match is None or len((match.group(1) or match.group(2)).split()) > KICKER_WORDS:
        return False
    return any(h.end <= match.end() for h in words if h.term.kind != "weather")  # "Frost no obstacle:" is no genre


def _between_the_two(hits: list[Hit], lede: int) -> bool:
    """Whether the summary's first sentence puts the title's subject under the two countries' own dealings: a
    beat word and a reciprocal word ("between the two countries", "двух стран") in it ("The match is played under
    the sports exchange agreement between the two countries' ministries")."""
    if lede < 0:
        return False
    in_lede = [h for h in hits if h.field == SUMMARY and h.sentence == lede]
    return any(h.term.kind == "reciprocal" for h in in_lede) and any(h.term.side == CUE for h in in_lede)


_PAIR_COMMA = re.compile(r"\s*[,，、]\s*")


def _comma_pair(title: list[Hit], text: str) -> bool:
    """Whether the title names the two sides as a headline pair joined by a comma ("Russia, North Korea agree
    to ..."): one clause, though a comma stands between them."""
    sides = [h for h in title if h.term.side in (NK, RU) and not h.listed]
    return any(
        a.term.side != b.term.side and a.end <= b.start and _PAIR_COMMA.fullmatch(text, a.end, b.start)
        for a in sides
        for b in sides
    )


def background(hits: list[Hit], lede: int, text: str = "") -> str:
    """Why the side missing from the title is only background, or "": the title names one side, and the other
    is named only in sentences of the summary after the lede that say they are background ("The war, in which
    North Korean troops fought for Russia last year, ...": `background_words`)."""
    title = [h for h in hits if h.field == TITLE]
    nk, ru = any(h.nk for h in title), any(h.ru for h in title)
    if nk and ru and (why := _background_clause(title, text)):
        return why
    if lede < 0:
        return ""
    later = {h.sentence for h in hits if h.field == SUMMARY and h.nk}
    if not nk and later and min(later) > lede:  # a roundup of Russia's war: "... Seoul says Pyongyang sent shells"
        return "North Korea only in a later sentence of the summary, one development among others"
    if nk == ru:
        return ""
    missing = [h for h in hits if h.field == SUMMARY and (h.ru if nk else h.nk)]
    sentences = {h.sentence for h in missing}
    side = SIDE_NAMES[RU if nk else NK]
    words = [h for h in hits if h.term.side == BACKGROUND and h.field == SUMMARY and h.sentence in sentences]
    if not sentences or sentences - {h.sentence for h in words}:
        return ""
    return f"{side} only in background sentences of the summary ({short(names_of(words), 2)})"


def _background_clause(title: list[Hit], text: str) -> str:
    """Why one side is named only in a background clause of the title, or "": "キム総書記 ベトナムのトー・ラム書記長と
    会談 プーチン氏訪朝から1年", "Kim meets Vietnam's leader, a year after Putin's visit" (`background_words`)."""
    if not any(h.term.side == BACKGROUND for h in title):
        return ""
    clause = clauses(text)
    marked = {clause(h) for h in title if h.term.side == BACKGROUND}
    for side, other in ((RU, NK), (NK, RU)):
        mine = [h for h in title if h.counts_for(side)]
        if all(clause(h) in marked for h in mine) and any(
            clause(h) not in marked for h in title if h.counts_for(other)
        ):
            words = names_of(h for h in title if h.term.side == BACKGROUND)
            return f"{SIDE_NAMES[side]} only in a background clause of the title ({short(words, 2)})"
    return ""


_STORY_BREAK = re.compile(r"[;；؛|]")


def two_stories(hits: list[Hit], text: str) -> str:
    """Why the title is two stories in one headline, or "": parts split by a semicolon or a bar, each side named
    only in a part of its own, and a third country beside one of them ("Russia pounds Kyiv; North Korea fires
    missile"; not "Putin signs treaty law; Kim hails new era")."""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    if not title or not _STORY_BREAK.search(text, 0, max(h.end for h in title)):
        return ""
    breaks = [m.start() for m in _STORY_BREAK.finditer(text, 0, max(h.end for h in title))]

    def part(hit: Hit) -> int:
        return sum(b < hit.start for b in breaks)

    nk = {part(h) for h in title if h.nk}
    ru = {part(h) for h in title if h.ru}
    thirds = {part(h) for h in title if h.term.side in (COUNTRY, SOUTH)}
    if not nk or not ru or nk & ru or not thirds & (nk | ru):
        return ""
    return "two stories in one headline: each side in a part of its own, beside a third country"


def passing(hits: list[Hit], parties: Parties, text: str) -> str:
    """Why the summary names the two sides only in passing, or "": the title (one with letters) names neither
    side and no beat word, so its story is something else — a press review, a quiz, a TV listing, a podium
    ("Revue de presse : la COP, le budget et un Nobel" / "... un tir nord-coréen, ... les journaux russes") — and
    the summary does not make them parties either: no pair ("Russia and North Korea"), no beat word in a sentence
    naming both ("Daily briefing" / "Russia hosts talks with a North Korean delegation" stays)."""
    title = [h for h in hits if h.field == TITLE]
    if parties.nk_ru or any(h.nk or h.ru or h.term.side == CUE for h in title):
        return ""
    end = text.find("\n")
    if not any(ch.isalpha() for ch in text[: end if end >= 0 else len(text)]):
        return ""  # no title at all: the summary is all there is to read
    both = {h.sentence for h in hits if h.nk} & {h.sentence for h in hits if h.ru}
    if any(h.term.side == CUE and h.sentence in both for h in hits):
        return ""
    return "the title names neither side nor the beat, and the summary names them in passing, not as parties"


# Between a likeness word and the name it qualifies: quotes, and at most one short word (an article: "a", "het",
# "einem"); after the name (verb-final languages: "Kuzey Kore'ye mi dönüşüyor"), at most two short words.
_NEXT_BEFORE = re.compile(r"[\s«»\"'“”„「『(]*(?:[^\W\d_]{1,5}[\s«»\"'“”„「『]+)?")
_NEXT_AFTER = re.compile(r"[\s'’»\"」』)]*(?:[^\W\d_]{1,4}\s+){0,2}")
COMPOUND_SLACK = 4  # letters a name's match may run past its term (endings) before it is a compound


def likeness(hits: list[Hit], parties: Parties, text: str) -> str:
    """Why the title compares one side with the other, or "": a likeness word right before one side's name
    (`likeness_words`: "turning into", "a second", "第二の") or right after it (`likeness_words_after`: "gibi"), with
    the other side in the same sentence ("Is Russia turning into North Korea?", "Wird Russland zu einem zweiten
    Nordkorea?"). Not when a word naming both or a host or reciprocal word pairs them, nor next to a compound
    ("Putins zweiten Nordkorea-Besuch"), nor with a beat word after the name ("a second North Korean satellite")."""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    words = [h for h in title if h.term.kind in ("likeness", "likeness_after")]
    if not words or parties.related_title or any(h.term.kind == "reciprocal" for h in title):
        return ""
    for word in words:
        nk = [h for h in title if h.nk and h.sentence == word.sentence]
        ru = [h for h in title if h.ru and h.sentence == word.sentence]
        for side, others in ((nk, ru), (ru, nk)):
            for name in side:
                if not others or len(name.text) > len(name.term.text) + COMPOUND_SLACK:
                    continue
                if word.term.kind == "likeness":  # before the name: "a second | North Korea"
                    next_to = word.end <= name.start and _NEXT_BEFORE.fullmatch(text, word.end, name.start)
                else:  # after it, in languages that put it there: "Kuzey Kore'ye mi | dönüşüyor"
                    next_to = name.end <= word.start and _NEXT_AFTER.fullmatch(text, name.end, word.start)
                beat = any(h.term.side == CUE and h.sentence == name.sentence and h.start >= name.end for h in title)
                if next_to and not beat:  # not "a second North Korean satellite": an adjective
                    compared = SIDE_NAMES[NK if name.nk else RU]
                    return f"a comparison with {compared} ({word.text}), not a relation"
    return ""
