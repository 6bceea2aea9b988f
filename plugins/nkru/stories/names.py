"""Which of a report's names its headline carries, who a statement's headline gives as its speaker, and which
people two reports name under a full and a short form.

The extract step gives each article's canonical names, not where they stand. Grouping needs two things more:
- **the speaker** of a statement's headline, so that two statements about the same happening by different
  speakers (Seoul's concern about Volodin's trip, Volodin's own account of it) stay apart. The speaker is the
  name the headline gives first ("Zakharova: …", 통일부 "…", "Володин рассказал …", "В Сеуле заявили …"), or the
  name in a trailing attribution (", unification ministry says"). Names are found in the headline by their
  gazetteer spellings (config/gazetteer.yaml and gazetteer/), folded as cue words are (`events.fold`), and for
  people also by their surname alone.
- **one person under two names**: a name the extract step did not canonicalise ("Volodin", sometimes taken for
  a place or body) and the full one ("Vyacheslav Volodin") when the short form is the full name's surname (the
  last word, at least `MIN_SURNAME_CHARS` letters, so that Korean family names such as Kim or Pak never match on
  their own); and a Korean name the gazetteer lacks in two systems' spellings ("Ri Song Hak" in English copy,
  "Li Son Khak" from Russian copy's "Ли Сон Хак"), by the consonants of each syllable (`korean_key`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import yaml

from nkru import events
from nkru.entities import gazetteer as gazetteer_module
from nkru.entities.transliteration import korean_name_key

MIN_SURNAME_CHARS = 5
PERSON_WEIGHT = 3.0
BODY_WEIGHT = 2.0  # people and bodies speak; places do not
RAW = "~"  # a speaker given in words that are none of the report's names
# The speaker slot of an attributed headline: "Zakharova: …", 국방부 "…", 北 외무성 "…" (as in kinds.yaml).
# Round 9: also 北 외무성, EU 대북제재에 "…" (the speaker, a comma, what the words are about, the quotation) and a
# Chinese full-width colon ("外交部：…").
_SPEAKER_SLOT = re.compile(
    r'^([^\s,:;…"“”«»「]+(?:\s+[^\s,:;…"“”«»「]+){0,2})\s*(?::\s|：|["“「]|[,、，]\s*[^"“”«»「…]{1,40}(?:에|에게|に)\s*["“「])'
)
# A French rubric before a spaced colon, a lowercase word in it: "Nucléaire civil : Rosatom signe…" (round 9).
_RUBRIC = re.compile(r"^[^:]*\s[a-zà-öø-ÿ][^:]*\s:")
# The English wire's trailing source after a colon: "N. Korea sent 15,000 workers to Russia: NIS" (round 9).
_TRAILING_COLON = re.compile(r"^[^:]{20,}:\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})\s*$")
# A trailing attribution names the speaker after the statement: "…, unification ministry says".
_TRAILING = re.compile(
    r"[,—–-]\s*([^,—–-]{2,80}?)\s+(?:says|said|warns|tells \w+|claims|reports|selon\b.*|sagt|erklärt|dice)\s*$",
    re.IGNORECASE,
)


@functools.cache
def _spellings_by_name() -> dict[str, tuple[str, ...]]:
    """Canonical name -> its folded gazetteer spellings."""
    try:
        gaz = gazetteer_module.load()
    except (OSError, ValueError):  # no gazetteer: the canonical names alone
        return {}
    return {name: tuple(events.fold(a) for a in entry.aliases) for name, entry in gaz.by_name.items()}


@functools.cache
def _titles_by_name() -> dict[str, tuple[str, ...]]:
    """Office holder -> the folded titles of the office (config/gazetteer/offices.yaml): round 9, a headline giving
    its speaker by title alone ("官房長官、…「…」", "Kremlin spokesman says") names the holder, as the extract step
    reads it. Whole titles only: their last words ("spokesman", "Kremlin") stand for no one."""
    try:
        gaz = gazetteer_module.load()
    except (OSError, ValueError):
        return {}
    out: dict[str, list[str]] = {}
    for office in gaz.offices:
        if (holder := gaz.holders.get(office.name)) is not None:
            out.setdefault(holder, []).extend(events.fold(a) for a in office.aliases)
    return {holder: tuple(dict.fromkeys(titles)) for holder, titles in out.items()}


def known(name: str) -> bool:
    """Whether the gazetteer lists the name: every report naming that person in any language would read it."""
    return name in _spellings_by_name()


@functools.lru_cache(maxsize=65536)
def surname(name: str) -> str | None:
    """The folded last word of a person's name when it is long enough to stand for the person."""
    words = events.fold(name).split()
    if not words or len(words[-1]) < MIN_SURNAME_CHARS:
        return None
    return words[-1]


def spellings(name: str, weight: float) -> set[str]:
    """The folded ways a headline may write `name`: its gazetteer spellings and, for a person, their surnames."""
    forms = {events.fold(name), *_spellings_by_name().get(name, ())}
    if weight == PERSON_WEIGHT:
        forms |= {words[-1] for words in (f.split() for f in list(forms)) if len(words) > 1 and len(words[-1]) >= 3}
        forms |= set(_titles_by_name().get(name, ()))
    return {f for f in forms if f}


def headline_order(title: str, entities: Mapping[str, float], background: Iterable[str]) -> list[str]:
    """The report's names (beyond the background, figures left out) in the order its headline gives them."""
    folded = events.fold(title)
    skip = set(background)
    found = []
    for name, weight in entities.items():
        if name in skip or name.startswith("#") or weight <= 0:
            continue
        at = [folded.find(form) for form in spellings(name, weight)]
        at = [i for i in at if i >= 0]
        if at:
            found.append((min(at), name))
    return [name for _, name in sorted(found)]


def speaker(title: str, entities: Mapping[str, float], background: Iterable[str]) -> tuple[str | None, bool]:
    """Who the headline gives as the speaker, and whether the headline says so outright: the name in a trailing
    attribution (", defence ministry says") or in the speaker slot before a colon or quotation ("Zakharova: …",
    국방부 "…") — a slot that holds none of the report's names gives its own words, prefixed `RAW` ("국방부": a
    body the extract step does not name) — else, guessed, the first person or body the headline names."""
    order = headline_order(title, entities, background)
    actors = [n for n in order if entities[n] >= BODY_WEIGHT]
    tail = _TRAILING.search(title) or _TRAILING_COLON.match(title)
    slot = tail.group(1) if tail else None
    if slot is None and (head := _SPEAKER_SLOT.match(title)) and not _RUBRIC.match(title):
        slot = head.group(1)
    if slot is not None:
        folded_slot = events.fold(slot)
        inside = [n for n in order if any(f in folded_slot for f in spellings(n, entities[n]))]
        if inside:
            return inside[0], True
        if not any(events.fold(b) in folded_slot for b in background):
            return RAW + folded_slot.strip(), True
    if (place := leading_place(title, entities)) is not None:
        return place, True  # "Kyiv says …": the headline gives its speaker as its subject
    return (actors[0], False) if actors else (None, False)


def leading_place(title: str, entities: Mapping[str, float]) -> str | None:
    """The capital or country a statement's headline opens with, standing for its government ("Seoul calls the
    deal a breach", "Kyiv says", "Russia rejects"): the speaker, whoever else the headline names after it."""
    folded = events.fold(title).lstrip(" '\"«“")
    for name in entities:
        if _country_of_place(name) is None:
            continue
        if any(
            folded.startswith(form) and not folded[len(form) : len(form) + 1].isalnum() for form in spellings(name, 1.0)
        ):
            return name
    return None


@functools.cache
def _places() -> tuple[dict[str, str], frozenset[str]]:
    """Capitals (-> their country, config/gazetteer/rules.yaml) and the countries themselves."""
    try:
        gaz = gazetteer_module.load()
    except (OSError, ValueError):
        return {}, frozenset()
    return dict(gaz.capitals), frozenset(gaz.capitals.values())


def _country_of_place(name: str) -> str | None:
    capitals, countries = _places()
    return capitals.get(name) or (name if name in countries else None)


@functools.cache
def _body_countries() -> dict[str, str]:
    """Each body the gazetteer knows as a country's generic body ("Foreign Ministry" of Russia) -> that country."""
    try:
        gaz = gazetteer_module.load()
    except (OSError, ValueError):
        return {}
    return {body: country for by_country in gaz.generic_bodies.values() for country, body in by_country.items()}


def _country_in_name(name: str) -> str | None:
    """The country a body's canonical name ends on ("Defence Intelligence of Ukraine", "Ministry of Foreign Affairs
    of the DPRK"): round 8, a body the gazetteer lists without a generic-body entry still speaks for its country,
    so Pyongyang's denial is not taken for the voice of Kyiv's intelligence that it answers."""
    head, sep, tail = name.rpartition(" of ")
    if not sep or not head:
        return None
    return _country_of_place(tail.removeprefix("the "))


def voice_country(name: str) -> str | None:
    """The country a speaker speaks for: a capital's or country's own, a body's (its generic body), or the country
    of the body a spokesperson speaks for."""
    if (country := _country_of_place(name)) is not None:
        return country
    if (country := _body_countries().get(name)) is not None:
        return country
    if (country := _country_in_name(name)) is not None:
        return country
    return next((c for body in _spokespeople().get(name, ()) if (c := _body_countries().get(body))), None)


def alias_keys(entities: Mapping[str, float]) -> frozenset[str]:
    """The keys on which `same_people` may find one person under two names (each person's surname and Korean name
    key, each one-word name's surname): two sides whose keys are disjoint have no such person, so grouping skips
    the comparison (round 9, speed; the same decisions)."""
    keys = set()
    for name, weight in entities.items():
        if (weight == PERSON_WEIGHT or len(name.split()) == 1) and (key := surname(name)) is not None:
            keys.add(f"s:{key}")
        if weight == PERSON_WEIGHT and (key := korean_key(name)) is not None:
            keys.add(f"k:{key}")
    return frozenset(keys)


def same_people(mine: Mapping[str, float], theirs: Mapping[str, float]) -> dict[str, str]:
    """My people named by them under another form (my name -> theirs): a short form and its full name, or one
    Korean name in two Latin spellings the gazetteer does not list ("Ri Song Hak", "Li Son Khak": `korean_key`)."""
    their_people = {n: surname(n) for n, w in theirs.items() if w == PERSON_WEIGHT and n not in mine}
    their_korean = {korean_key(n): n for n in their_people} if their_people else {}
    their_korean.pop(None, None)
    out = {}
    for name, weight in mine.items():
        if name in theirs or name.startswith("#"):
            continue
        if weight == PERSON_WEIGHT and (other := their_korean.get(korean_key(name))):
            out[name] = other
            continue
        if weight != PERSON_WEIGHT and len(name.split()) != 1:
            continue
        key = surname(name)
        if key is None:
            continue
        single = len(name.split()) == 1
        for other, other_key in their_people.items():
            if other_key == key and (single or len(other.split()) == 1):
                out[name] = other
                break
    return out


@functools.cache
def _korean_rules() -> dict:
    try:
        return gazetteer_module.load().transliteration.get("ko") or {}
    except (OSError, ValueError):
        return {}


@functools.lru_cache(maxsize=65536)
def korean_key(name: str) -> str | None:
    """A Korean person's name reduced to what every Latin spelling of it shares
    (`nkru.entities.transliteration.korean_name_key`), or None for a name that is not Korean in shape."""
    rules = _korean_rules()
    return korean_name_key(name, rules) if rules.get("name_key") else None


@functools.cache
def _spokespeople() -> dict[str, frozenset[str]]:
    """Each office holder -> the bodies the office speaks for: the body named at the end of the office's title
    ("Spokeswoman of the Ministry of Foreign Affairs of Russia" -> that ministry), when it is a gazetteer body."""
    try:
        gaz = gazetteer_module.load()
    except (OSError, ValueError):
        return {}
    out: dict[str, set[str]] = {}
    for office, holder in gaz.holders.items():
        _, _, body = office.partition(" of the ")
        entry = gaz.by_name.get(body)
        if entry is not None and entry.label == "ORG":
            out.setdefault(holder, set()).add(body)
    return {holder: frozenset(bodies) for holder, bodies in out.items()}


def spokesperson_of(a: str, b: str) -> bool:
    """Whether one of two names is the spokesperson of the other, a body (Zakharova and Russia's foreign ministry)."""
    spokes = _spokespeople()
    return b in spokes.get(a, ()) or a in spokes.get(b, ())


def government_of(place: str, name: str) -> bool:
    """Whether `name` is a body or spokesperson of the government a capital or country (`place`) stands for
    ("Seoul" and South Korea's foreign ministry)."""
    country = _country_of_place(place)
    return country is not None and _country_of_place(name) is None and voice_country(name) == country


def one_voice(a: str, b: str) -> bool:
    """Whether two speakers are one voice: a body and the holder of its spokesperson's office (Zakharova and
    Russia's foreign ministry, "러 외무부 '…'"), or a capital or country and its own government's body or
    spokesperson ("Kyiv says" and Ukraine's foreign ministry; "Seoul" and its defence ministry)."""
    if spokesperson_of(a, b):
        return True
    if _country_of_place(a) is None and _country_of_place(b) is None:
        return False
    # A body whose country the gazetteer cannot tell ("National Intelligence Service") may be the place's own.
    countries = {voice_country(a), voice_country(b)}
    return len(countries - {None}) <= 1


@functools.cache
def _home_governments() -> dict[str, dict[str, str]]:
    """Language -> {the bare word for the government: the home country} (config/home_government.yaml)."""
    path = events.DEFAULT_DIR.parent / "home_government.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))["home_government"]
    except (OSError, KeyError, TypeError):
        return {}


def home_voice(words: str, language: str | None) -> str | None:
    """The country a speaker slot holding only the bare word for the government speaks for, in a language whose
    headlines use it for the home government (정부 "…" in Korean is Seoul's): round 11."""
    return _home_governments().get(language or "", {}).get(words.strip())
