"""Lists and parties, for the relevance scorer (nkru.relevance): which country mentions sit in an enumeration
("Iran, North Korea and Russia"), and who is paired with whom ("Russia and North Korea" as the two parties of one
relation, or "China and North Korea" with Russia a passer-by)."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nkru.lexicon import ASIDE, BOTH, COUNTRY, CUE, HOST, JOINT, LIST_CUE, NK, PLACE_KINDS, RU, SOUTH, TRAVEL
from nkru.relevance_gaps import Gaps, gaps_of  # noqa: F401 - gaps_of re-exported for nkru.relevance
from nkru.relevance_hits import (
    _LIST_ITEM,
    HOST_REACH,
    LIST_CUE_REACH,
    LIST_MIN_COUNTRIES,
    PAIR_GAP,
    SIDE_NAMES,
    SUMMARY,
    TITLE,
    TRAVEL_REACH,
    Hit,
    and_list,
    names_of,
    short,
)


def mark_lists(hits: list[Hit], text: str, gap: re.Pattern[str]) -> None:
    """Flag the country mentions that sit in an enumeration: a run of countries separated only by commas,
    "and" or particles, either of `LIST_MIN_COUNTRIES` or more ("Iran, North Korea and Russia"), or of two
    introduced by a generic-list word ("adversaries such as Russia and North Korea", "중국·러시아 등")."""
    places = [h for h in hits if h.term.side in (NK, RU, BOTH, COUNTRY, SOUTH)]
    list_cues = [h for h in hits if h.term.side == LIST_CUE]
    if len(places) < (2 if list_cues else LIST_MIN_COUNTRIES):
        return  # too few countries for any list
    for run in _runs(places, text, gap):
        if len(run) < 2:
            continue
        countries = _countries(run)
        entries = len({h.start for h in run})  # "日朝、ウラジオストク": a word naming a pair is one entry, not two
        introduced = any(
            c.sentence == run[0].sentence
            and (
                0 <= run[0].start - c.end <= LIST_CUE_REACH  # "adversaries such as" Russia and North Korea
                or (0 <= c.start - run[-1].end <= 3 and _AFTER_LIST.get(c.term.language, False))  # 러시아, 북한 "등"
            )
            for c in list_cues
        )
        if min(len(countries), entries) >= LIST_MIN_COUNTRIES or (len(countries) >= 2 and introduced):
            for hit in run:
                hit.mark_listed()


# Languages whose list words follow the list ("러시아, 북한 등", "露朝など", "俄朝等国"); elsewhere a list word right
# after two countries starts something else (Bulgarian "Русия и КНДР като съюзници": as allies).
_AFTER_LIST = {"ko": True, "ja": True, "zh": True}


def _runs(places: list[Hit], text: str, gap: re.Pattern[str]) -> Iterable[list[Hit]]:
    """Maximal runs of place mentions with nothing but list separators between neighbours."""
    run: list[Hit] = []
    for hit in places:
        if run:
            last = run[-1]
            same_word = hit.start < last.end  # "日朝": one word, two countries
            joined = hit.start > last.end and bool(
                gap.fullmatch(text, last.end, hit.start) or _LIST_ITEM.fullmatch(text, last.end, hit.start)
            )
            if hit.field != last.field or not (same_word or joined):
                yield run
                run = []
        run.append(hit)
    if run:
        yield run


def _countries(run: Iterable[Hit]) -> set[str]:
    keys: set[str] = set()
    for hit in run:
        if hit.term.side == BOTH:
            keys.update((NK, RU))
        else:
            keys.add(hit.place_key)
    return keys


# ---------------------------------------------------------------------------------------------------------------
# Parties: who is paired with whom


# Between two clauses of a headline: "Xi receives Kim, Putin a guest at the parade", "…", " - ", and a space
# between two Chinese or Japanese characters (their headlines write no spaces but between clauses: "習主席と金総書記が
# 会談 プーチン大統領も出席").
_CJK = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_CLAUSE_BREAK = re.compile(rf"[,;:…|，；：؛،\n\u3000]|\s[-–—]\s|(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SEMICOLON = re.compile("[;；؛]")
_HARD_BREAK = re.compile("[;；؛:：…|\n\u3000]")
_SUBJECT_COMMA = re.compile(r"\s*[,，、،]\s*")
_DASH = re.compile(r"\s*[-–—/]\s*")  # "Russia-North Korea": one relation, not two actors
_HOST_AFTER = 4  # characters between the second of two names and a host word after them ("최선희 접견", "外相と会談")


@dataclass(frozen=True)
class Parties:
    nk_ru: bool  # North Korea and Russia paired ("Russia and North Korea", "Putin-Kim", "북러")
    nk_ru_title: bool  # ... in the title
    thirds: dict[str, list[str]]  # side -> the third countries it is paired with ("nk": ["Japan"])
    # side -> (host country, host word) when a third country's leader receives that side ("Xi receives Kim")
    hosted: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    apart: frozenset[str] = frozenset()  # hosted sides whose counterpart is only in another clause or the summary
    talks: frozenset[str] = frozenset()  # sides in a third country's talks named as a pair ("시진핑·김정은 회담")
    one_clause: bool = True  # some clause (a sentence, split at commas, colons, dashes) names both sides
    related_title: bool = (
        False  # a word naming both ("북러") or a host word ("Kim meets Lavrov") pairs them in the title
    )

    def passers_by(self, hits: list[Hit], observers: frozenset[str], text: str = "") -> str:
        """Why the two sides are passers-by of a third country's relation, or "" when they are not."""
        if self.nk_ru_title or _onward_trip(hits):
            return ""
        if joint := _joint_statement(hits, self, observers):
            return joint
        for guest in self.apart:
            if not self.nk_ru:
                host, word = self.hosted[guest]
                other = SIDE_NAMES[RU if guest == NK else NK]
                return (
                    f"{SIDE_NAMES[guest]} the guest of {host} ({word}); {other} only in another clause or the summary"
                )
        for guest in self.talks:
            if not self.nk_ru:
                host, word = self.hosted[guest]
                other = SIDE_NAMES[RU if guest == NK else NK]
                return f"{SIDE_NAMES[guest]} in talks with {host} ({word}); {other} an onlooker"
        if NK in self.thirds and RU in self.thirds and not self.nk_ru:
            return (
                f"North Korea paired with {and_list(self.thirds[NK])} and Russia with {and_list(self.thirds[RU])}, "
                "never with each other"
            )
        title = [h for h in hits if h.field == TITLE and not h.listed]
        others = names_of(h for h in title if h.term.side in (COUNTRY, SOUTH) and not _observer(h, observers))
        nk, ru = [h for h in title if h.nk], [h for h in title if h.ru]
        if others:
            for venue, actor in ((ru, nk), (nk, ru)):
                only_places = venue and all(h.term.kind in PLACE_KINDS for h in venue)
                if only_places and actor and not any(h.term.kind in ("leader", "official") for h in actor):
                    where = short(names_of(venue), 2)
                    return f"{_side(venue)} only as the venue ({where}) of {_side(actor)} with {and_list(others)}"
            if bool(nk) != bool(ru):
                present, missing = ("North Korea", "Russia") if nk else ("Russia", "North Korea")
                return f"the title is about {present} and {and_list(others)}; {missing} only in the summary"
            if nk and ru and not self.thirds and not _before_both(title, nk + ru, observers, text):
                return f"the title names both around {and_list(others)}, never together"
        if not self.thirds or self.nk_ru:
            return ""
        paired = NK if NK in self.thirds else RU
        other = RU if paired == NK else NK
        other_hits = [h for h in hits if h.counts_for(other) and not h.listed]
        name, other_name = SIDE_NAMES[paired], SIDE_NAMES[other]
        if other_hits and all(h.term.kind in PLACE_KINDS for h in other_hits):
            return f"{name} paired with {and_list(self.thirds[paired])}; {other_name} only as a venue"
        if other_hits and all(h.field == SUMMARY for h in other_hits):
            return f"{name} paired with {and_list(self.thirds[paired])}; {other_name} only in the summary"
        hosts = [c for c in self.thirds[paired] if c not in observers and c != SIDE_NAMES[SOUTH]]
        if hosts and not self.one_clause:  # "中朝首脳会談 プーチン氏は前日に北京を離れる"; not "Kiev captures..."
            return f"{name} paired with {and_list(hosts)}; {other_name} only in another clause"
        return ""


def _before_both(title: list[Hit], sides: list[Hit], observers: frozenset[str], text: str) -> bool:
    """Whether every third country of the title comes before both sides, as the subject acting on their dealings,
    with a beat word between the two and no host word ("Japan sanctions Russian firms linked to arms transfers from
    North Korea"), not between them ("Russia warns Japan over North Korea drills")."""
    first, last = min(h.start for h in sides), max(h.start for h in sides)
    thirds = [h for h in title if h.term.side in (COUNTRY, SOUTH) and not _observer(h, observers)]
    if not thirds or any(h.end > first for h in thirds) or any(h.term.side == HOST for h in title):
        return False  # "Xi meets Kim in the presence of Putin": a host and its guests
    if _CLAUSE_BREAK.search(text, first, last):
        return False  # "Tô Lâm tiếp Thủ tướng Triều Tiên, nhắc tới chuyến thăm của ông Putin": two clauses
    return any(h.term.side == CUE and first < h.start < last for h in title)  # "... linked to arms transfers from"


def _joint_statement(hits: list[Hit], parties: Parties, observers: frozenset[str]) -> str:
    """ "Russia, China joint statement urges restraint over North Korea": a joint statement of one side and a
    third country in the title, the other side only its topic (the two sides are never paired)."""
    if parties.nk_ru or not any(h.term.side == JOINT for h in hits):
        return ""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    words = [h for h in title if h.term.side == JOINT]
    thirds = [h for h in title if h.term.side == COUNTRY and not _observer(h, observers)]
    if not words or not thirds:
        return ""
    signer = RU if RU in parties.thirds else NK if NK in parties.thirds else None
    if signer is None:  # the side named nearest the third country signs with it
        sides = [h for h in title if h.term.side in (NK, RU)]
        if not sides:
            return ""
        signer = min(sides, key=lambda h: min(abs(h.start - t.start) for t in thirds)).term.side
    other = RU if signer == NK else NK
    third = thirds[0].term.country
    return f"a joint statement ({words[0].text}) of {SIDE_NAMES[signer]} and {third}; {SIDE_NAMES[other]} is its topic"


def _onward_trip(hits: list[Hit]) -> bool:
    """The title sends one side's envoy on to the other side after a third country ("Lavrov holds talks in
    Beijing, then flies to Pyongyang", "라브로프, 베이징 이어 평양행"): the next stop named after an onward-trip
    word (`travel_words`), or before one in languages that put the verb last (`travel_words_after`), is a place
    of one side, and the title names the other side by a person."""
    title = [h for h in hits if h.field == TITLE and not h.listed]
    places = [h for h in title if h.term.kind in PLACE_KINDS or h.term.kind == "name"]  # Pyongyang, Russia
    for word in (h for h in title if h.term.side == TRAVEL):
        if word.term.kind == "travel_after":
            before = [p for p in places if 0 <= word.start - p.end <= TRAVEL_REACH]
            stop = before[-1] if before else None
        else:
            stop = next((p for p in places if 0 <= p.start - word.end <= TRAVEL_REACH), None)
        if stop is None or stop.term.side not in (NK, RU):  # a third country's place: the trip goes elsewhere
            continue
        other = RU if stop.term.side == NK else NK
        if any(h.term.side == other and h.term.kind in ("leader", "official") for h in title):
            return True
    return False


def _observer(hit: Hit, observers: frozenset[str]) -> bool:
    """South Korea, Ukraine, the US...: states whose word on North Korea–Russia dealings is the news."""
    return hit.term.side == SOUTH or hit.term.country in observers


def _side(hits: list[Hit]) -> str:
    return "North Korea" if hits[0].nk else "Russia"


def find_parties(hits: list[Hit], text: str, gaps: Gaps, observers: frozenset[str] = frozenset()) -> Parties:
    """Pairs of neighbouring country mentions in one sentence: North Korea and Russia joined by "and", a comma
    or a dash ("Putin, Kim sign pact", "Russia-North Korea"), or one word naming both ("북러"); a side and a
    third country joined by "and", "with" or a hyphen ("Japan and North Korea", "日朝")."""
    places = [h for h in hits if h.term.side in (NK, RU, BOTH, COUNTRY, SOUTH) and not h.listed]
    places = [h for h in places if h.term.kind != "implied"]  # a side the war implies is nobody's pair
    both = [h for h in places if h.term.side == BOTH]
    nk_ru = bool(both)
    nk_ru_title = any(h.field == TITLE for h in both)
    related_title = nk_ru_title
    thirds: dict[str, list[str]] = {}
    hosted, guests, host_pair, talks = _hosts(hits, places, text, observers, gaps)
    nk_ru = nk_ru or host_pair is not None
    nk_ru_title = nk_ru_title or host_pair == TITLE
    related_title = related_title or host_pair == TITLE
    for side, (country, _) in hosted.items():
        thirds.setdefault(side, []).append(country)

    # A word naming a side and a third country ("日朝", Japan–North Korea) is a pair of its own: its mentions pair
    # with no mention outside it ("日朝、ウラジオストクで接触": Japan and North Korea meet in a Russian city).
    spans = [(h.start, h.end) for h in places]
    pair_words = {span for span in spans if spans.count(span) > 1}
    for i, a in enumerate(places):
        for b in places[i + 1 : i + 3]:
            if b.field != a.field or b.sentence != a.sentence:
                break
            same_word = b.start < a.end
            between = "" if same_word else text[a.end : b.start]
            near = same_word or len(between) <= PAIR_GAP
            sides = {a.term.side, b.term.side}
            linked = same_word or between == "" or (between.strip() and gaps.enumeration.fullmatch(between))
            if (
                linked
                and not same_word
                and (
                    _SEMICOLON.search(between)
                    or ((a in guests or b in guests) and _CLAUSE_BREAK.search(between))
                    or (a in guests and b.term.side in (NK, RU))
                )
            ):
                # "Xi receives Kim, Putin a guest", "… – Putin Ehrengast": a clause ends, no pair; "شي يستقبل كيم
                # وبوتين يحضر": the side joined to the guest is a fellow guest of the host, not the guest's partner
                linked = False
            if not same_word and ((a.start, a.end) in pair_words or (b.start, b.end) in pair_words):
                break
            if sides == {NK, RU} and near and linked:
                nk_ru = True
                nk_ru_title = nk_ru_title or a.field == TITLE
                related_title = related_title or (a.field == TITLE and bool(_DASH.fullmatch(between)))
            elif near and (same_word or gaps.joined.fullmatch(between)):
                for mine, theirs in ((a, b), (b, a)):
                    if mine.term.side in (NK, RU) and theirs.term.side in (COUNTRY, SOUTH):
                        third = theirs.term.country or SIDE_NAMES[SOUTH]
                        if third not in thirds.setdefault(mine.term.side, []):
                            thirds[mine.term.side].append(third)
            if not same_word:
                break
    # Clauses matter only for a guest's counterpart, for asides ("birthday", "memoir") in the title and for a side
    # paired with a third country while the other is never paired with it.
    asides = any(h.term.side == ASIDE and h.field == TITLE for h in hits)
    one_clause = not _apart(places, text, gaps.clause) if hosted or asides or (thirds and not nk_ru) else True
    apart = frozenset(hosted) if hosted and not one_clause else frozenset()
    return Parties(nk_ru, nk_ru_title, thirds, hosted, apart, talks, one_clause, related_title)


def _hosts(
    hits: list[Hit], places: list[Hit], text: str, observers: frozenset[str], gaps: Gaps
) -> tuple[dict[str, tuple[str, str]], list[Hit], str | None, frozenset[str]]:
    """Who receives whom. A host word ("receives", "принял", "会談", "پذیرفت") in a clause that names a third
    country first and then only one of the two sides makes that side the third country's guest ("Xi receives
    Kim", "시진핑, 김정은과 정상회담"); observers (Ukraine, the US...) are no hosts ("UN Security Council meets
    on North Korean troops in Ukraine"). A host word right between North Korea and Russia pairs them ("Kim meets
    Russian delegation", "푸틴, 최선희 접견"). A host word right after a third country and one side named as a
    pair makes them the parties of the talks ("시진핑·김정은 회담 지켜본 푸틴"). Returns side -> (host country, host
    word), the guest mentions, the field where a host word pairs the two sides (or None), and the sides in a
    third country's talks named as a pair."""
    hosted: dict[str, tuple[str, str]] = {}
    guests: list[Hit] = []
    paired: str | None = None
    talks: set[str] = set()
    words = [h for h in hits if h.term.side == HOST]
    if not words:
        return hosted, guests, paired, frozenset()
    clause = clauses(text)
    for word in words:
        if pair := _third_pair_before(word, places, text, gaps):
            third, side = pair
            if not _observer(third, observers):
                hosted.setdefault(side.term.side, (third.term.country, word.text))
                guests.append(side)
                talks.add(side.term.side)
            continue
        if word.term.kind == "talk":
            continue  # "discuss" names a topic, not a guest: "中韓外長在莫斯科…討論北韓問題" pairs nothing
        if paired is None and _links_both(word, places, text, gaps):
            paired = word.field
        near = [p for p in places if clause(p) == clause(word) and abs(p.start - word.start) <= HOST_REACH]
        mine = [p for p in near if p.term.side in (NK, RU, BOTH)]
        if mine:  # the host as the subject before a comma: "시진핑, 김정은과 정상회담"
            near += [
                p for p in places if p.end < mine[0].start and _SUBJECT_COMMA.fullmatch(text, p.end, mine[0].start)
            ]
        thirds = sorted(
            (p for p in near if p.term.side == COUNTRY and not _observer(p, observers)), key=lambda p: p.start
        )
        sides = {p.term.side for p in mine}
        if len(sides) == 1 and BOTH not in sides and thirds and thirds[0].start < mine[0].start:
            side = sides.pop()
            hosted.setdefault(side, (thirds[0].term.country, word.text))
            guests += mine
        elif sides == {NK, RU} and len(mine) == 2 and thirds and thirds[0].start < word.start < mine[0].start:
            first, second = sorted(mine, key=lambda p: p.start)  # "شي يستقبل كيم وبوتين يحضر": Kim the guest,
            if gaps.joined.fullmatch(text, first.end, second.start):  # Putin a fellow guest, not his partner
                hosted.setdefault(first.term.side, (thirds[0].term.country, word.text))
                guests.append(first)
                talks.add(first.term.side)
    return hosted, guests, paired, frozenset(talks)


def _links_both(word: Hit, places: list[Hit], text: str, gaps: Gaps) -> bool:
    """The host word stands between a North Korea and a Russia mention in one clause ("Kim meets Russian
    delegation"), or right after the two ("푸틴, 최선희 접견", "プーチン大統領、崔善姫外相と会談"); not when the
    mention before it is paired with a third country ("시진핑·김정은 회담 지켜본 푸틴": their talks, Putin looks on)."""
    same = [p for p in places if p.field == word.field and p.sentence == word.sentence]
    before = [p for p in same if p.end <= word.start]
    after = [p for p in same if p.start >= word.end]
    if before and after and {before[-1].term.side, after[0].term.side} == {NK, RU}:
        a, b = before[-1], after[0]
        if b.term.kind in PLACE_KINDS and _paired_with_third(before, text, gaps):
            return False  # "Hiina ja Põhja-Korea asevälisministrid kohtusid Moskvas": the city is their venue
        if a.term.kind in PLACE_KINDS and any(p.term.side == COUNTRY for p in before[:-1]):
            return False  # "Lukashenko to visit Pyongyang after talks with Putin": the third country's trip and talks
        if b.end - a.start <= HOST_REACH and not _CLAUSE_BREAK.search(text, a.end, b.start + 1):  # +1: a space before b
            return True
    if len(before) >= 2 and {before[-2].term.side, before[-1].term.side} == {NK, RU}:
        a, b = before[-2], before[-1]
        close = word.start - b.end <= _HOST_AFTER
        if close and word.end - a.start <= HOST_REACH and not _HARD_BREAK.search(text, a.end, word.start):
            return True
    return False


def _paired_with_third(before: list[Hit], text: str, gaps: Gaps) -> bool:
    """Whether the last mention before a host word is joined to a third country right before it ("China and North
    Korea | deputy ministers meet"), in a title also by a comma, a headline's "and" ("Malaysia, North Korea meet
    in Moscow"): the meeting is theirs."""
    if len(before) < 2:
        return False
    third, side = before[-2], before[-1]
    if third.term.side != COUNTRY:
        return False
    headline_and = side.field == TITLE and bool(_SUBJECT_COMMA.fullmatch(text, third.end, side.start))
    return headline_and or bool(gaps.joined.fullmatch(text, third.end, side.start))


def _third_pair_before(word: Hit, places: list[Hit], text: str, gaps: Gaps) -> tuple[Hit, Hit] | None:
    """(third country, side) when the host word follows right after the two, joined as a pair, in either order
    ("시진핑·김정은 회담", "Xi-Kim talks", "Putin and Xi discuss North Korea"); else None."""
    before = [p for p in places if p.field == word.field and p.sentence == word.sentence and p.end <= word.start]
    if len(before) < 2 or word.start - before[-1].end > _HOST_AFTER:
        return None
    third, side = before[-2], before[-1]
    if side.term.side == COUNTRY and third.term.side in (NK, RU):  # "Putin and Xi discuss North Korea"
        third, side = side, third
    if third.term.side != COUNTRY or side.term.side not in (NK, RU):
        return None
    linked = gaps.joined.fullmatch(text, min(third.end, side.end), max(third.start, side.start))
    return (third, side) if linked else None


def clauses(text: str, words: re.Pattern[str] | None = None):  # noqa: ANN202 - a small closure
    """Hit -> its clause: its sentence, split at commas, semicolons, colons and dashes, and at `words` when given
    (the language's `clause_words`: "as", "while", "alors que")."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    if words is not None:
        breaks = sorted(breaks + [m.start() for m in words.finditer(text)])
    return lambda hit: (hit.sentence, bisect.bisect_right(breaks, hit.start))


def _apart(places: list[Hit], text: str, words: re.Pattern[str] | None = None) -> bool:
    """No clause names both sides: the guest's counterpart is in another clause or the summary only."""
    clause = clauses(text, words)
    nk = {clause(p) for p in places if p.nk}
    ru = {clause(p) for p in places if p.ru}
    return not (nk & ru)
