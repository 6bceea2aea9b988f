"""From candidate names (a model's spans and gazetteer matches, as character offsets) to canonical entities.

Every language's path ends here, so the rules are the same whatever found a name:

- a candidate is trimmed (articles, possessives, quotes) and dropped if it is junk: too long, no letters, lower
  case only, letters of two scripts mixed ("Kim Чен"), or a Title Case headline phrase the body never repeats
  ("Meets Her", "North Korean Troops Assemble");
- a gazetteer match inside a longer name the model found gives way to it ("Pyongyang International Airport",
  "Wonsan Kalma"), and a person's longer name keeps the gazetteer's canonical name when its first and last words
  are the gazetteer's ("Sergei Viktorovich Lavrov" -> Sergei Lavrov); a model span that glues two gazetteer names
  together ("Russia-North Korea") or cuts one ("Chang Dae") gives way to the gazetteer;
- a generic body is given the country named just before it ("Russia's Foreign Ministry" -> Ministry of Foreign
  Affairs of Russia) and a title without a name its holder (`nkru.entities.context`); a lone surname joins the
  one full name in the text it begins or ends, or the beat's default for it (a lone "Kim" beside Putin is Kim Jong
  Un) when no other person in the text bears it;
- a name the gazetteer does not know is named by its most frequent base form (lemma) in the text.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from nkru.aliases import alias_key
from nkru.entities.gazetteer import LABELS, Gazetteer, GazetteerEntry
from nkru.entities.matcher import Match

MAX_ENTITY_CHARS = 80
_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’`´ʼ]s?$", re.IGNORECASE)
_EDGE_PUNCT = "\"'“”‘’«»„`´,;:!?-–—•*/\\|"
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_DASHED_AFTER = re.compile(r"\s?[-–—/]\s?(?P<name>[^\W\d_]+)\b")
_DASHED_BEFORE = re.compile(r"\b(?P<name>[^\W\d_]+)\s?[-–—/]\s?$")


@dataclass
class Candidate:
    """A name found in a text: where, as written, label, its gazetteer entry if known, and its base form."""

    start: int
    end: int
    text: str
    label: str
    entry: GazetteerEntry | None = None
    norm: str | None = None  # the base form (lemma) of an inflected name the gazetteer does not know
    from_model: bool = True
    latin: str | None = None  # its Latin spelling, for a Cyrillic name (the canonical name if the gazetteer lacks it)
    canonical: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return alias_key(self.norm or self.text)

    def known_as(self, entry: GazetteerEntry) -> Candidate:
        """This span as the gazetteer entry (its label)."""
        return Candidate(self.start, self.end, self.text, entry.label, entry, self.norm, self.from_model, self.latin)


@dataclass(frozen=True)
class EntityMention:
    """One entity in one text: canonical name, label, how often, and the spellings the text used."""

    name: str
    label: str
    count: int
    aliases: tuple[str, ...]


class Mentions(list):
    """The mentions of one text (a list of EntityMention), with `notes`: why anything was cut or skipped."""

    def __init__(self, mentions=(), notes: tuple[str, ...] = ()):
        super().__init__(mentions)
        self.notes = notes


# --- Surface forms -------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def clean_surface(text: str) -> str:
    """A span's text as users should see it: one line, no surrounding quotes or punctuation, no possessive."""
    return _strip_edges(_POSSESSIVE.sub("", _strip_edges(" ".join(text.split()))))


def _strip_edges(text: str) -> str:
    """Strip quotes and punctuation at both ends; a bracket only when its partner is not in the text, and a full
    stop only when it is the only one (so "Chang Dae." loses it and "D.P.R.K." keeps it)."""
    while True:
        stripped = text.strip(_EDGE_PUNCT + " ")
        for opening, closing in _BRACKETS.items():
            if stripped.startswith(opening) and closing not in stripped:
                stripped = stripped[1:]
            if stripped.endswith(closing) and opening not in stripped:
                stripped = stripped[:-1]
        if stripped.endswith(".") and stripped.count(".") == 1:
            stripped = stripped[:-1]
        if stripped == text:
            return text
        text = stripped


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of a span without a leading article or punctuation and a trailing possessive or punctuation."""
    span = text[start:end]
    article = _ARTICLES.match(span)
    if article:
        start += article.end()
    cleaned = clean_surface(text[start:end])
    if not cleaned:
        return start, start
    at = text.find(cleaned, start, end)
    return (at, at + len(cleaned)) if at >= 0 else (start, end)


@functools.lru_cache(maxsize=65536)
def is_junk(text: str) -> bool:
    """Never a name anyone queries: too short, too long, no letters, or all lower case ("east coast city")."""
    if len(text) < 2 or len(text) > MAX_ENTITY_CHARS or not any(ch.isalpha() for ch in text):
        return True
    return any(ch.islower() for ch in text) and not any(ch.isupper() for ch in text) and _has_case(text)


def _has_case(text: str) -> bool:
    return any(ch.lower() != ch.upper() for ch in text)


def script_of(ch: str) -> str:
    """A coarse script for mixed-script checks: Latin, Cyrillic, Greek, Arabic, Indic, or East Asian (Han, kana and
    Hangul go together: Japanese and Korean text mixes them in one name)."""
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    if 0x370 <= o <= 0x3FF:
        return "greek"
    if 0x400 <= o <= 0x52F:
        return "cyrillic"
    if 0x590 <= o <= 0x8FF or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x900 <= o <= 0xDFF:
        return "indic"
    return "east-asian"


@functools.lru_cache(maxsize=65536)
def mixed_scripts(text: str) -> bool:
    return len({script_of(ch) for ch in text if ch.isalpha()}) > 1


# --- Title Case headlines ------------------------------------------------------------------------------------------


def headline_end(text: str) -> int:
    """Where the headline ends if the text starts with one in Title Case ("Putin Meets Kim, Vows Support"), else 0.

    Such a headline capitalises every word, so the model takes phrases for names; they count only if the body
    repeats them.
    """
    end = text.find("\n")
    if end <= 0:
        return 0
    words = [w for w in re.findall(r"[^\W\d_]+", text[:end]) if len(w) > 2]
    if len(words) < 3:
        return 0
    capitalised = sum(w[0].isupper() for w in words)
    return end if capitalised >= 0.75 * len(words) else 0


# --- Merging model spans with gazetteer matches --------------------------------------------------------------------


def merge(text: str, model: list[Candidate], matches: list[Match], gazetteer: Gazetteer) -> list[Candidate]:
    """The model's spans and the gazetteer's matches as one list, in text order, without overlaps."""
    index = gazetteer.index
    gaz = [Candidate(m.start, m.end, m.text, m.entry.label, m.entry, from_model=False) for m in matches]
    used = [False] * len(gaz)
    out: list[Candidate] = []
    for cand in sorted(model, key=lambda c: c.start):
        inside = [i for i, g in enumerate(gaz) if g.start < cand.end and cand.start < g.end]
        if any(gaz[i].start < cand.start or gaz[i].end > cand.end for i in inside):
            continue  # the gazetteer's name is longer or crosses the model's: the model cut it
        entry = index.get(cand.key) or index.get(alias_key(cand.text))
        if entry is None and cand.latin:
            entry = index.get(alias_key(cand.latin))
        if entry is not None:
            out.append(cand.known_as(entry))
            for i in inside:
                used[i] = True
            continue
        if not inside:
            out.append(cand)
            continue
        longer = _extension(text, cand, [gaz[i] for i in inside], gazetteer)
        if longer is not None:
            out.append(longer)
            for i in inside:
                used[i] = True
    out += [g for g, taken in zip(gaz, used, strict=True) if not taken]
    out += _surnames_beside_people(text, out, gazetteer)
    out.sort(key=lambda c: c.start)
    return without_overlaps(out)


@functools.lru_cache(maxsize=8)
def _lone_words(surnames: tuple[str, ...]) -> re.Pattern:
    """One of these surnames as a word not followed by another capitalised word (which would make it part of a
    longer name: "Kim Song Nam")."""
    alternatives = "|".join(re.escape(s) for s in sorted(surnames, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"\b(?P<name>{alternatives})\b(?!\s+[^\W\d_]*[A-ZА-ЯЁ])", re.IGNORECASE)


def _surnames_beside_people(text: str, found: list[Candidate], gazetteer: Gazetteer) -> list[Candidate]:
    """A lone surname joined by a dash or slash to a known person ("Putin–Kim summit", "Kim-Putin talks"): the
    model rarely tags it, and it is the other party of the headline."""
    if not gazetteer.surname_defaults:
        return []
    taken = [(c.start, c.end) for c in found]
    extra = []
    for m in _lone_words(tuple(gazetteer.surname_defaults)).finditer(text):  # "Putin and Kim agreed"
        start, end = m.span("name")
        free = not any(s < end and start < e for s, e in taken)
        if free and m.group("name")[:1].isupper() and alias_key(m.group("name")) in gazetteer.surname_defaults:
            extra.append(Candidate(start, end, m.group("name"), "PERSON", from_model=False))
            taken.append((start, end))
    for c in found:
        if not (c.entry and c.entry.label == "PERSON"):
            continue
        for m in (_DASHED_AFTER.match(text, c.end), _DASHED_BEFORE.search(text, max(0, c.start - 40), c.start)):
            if m and alias_key(m.group("name")) in gazetteer.surname_defaults:
                start, end = m.span("name")
                if not any(s < end and start < e for s, e in taken):
                    extra.append(Candidate(start, end, m.group("name"), "PERSON", from_model=False))
                    taken.append((start, end))
    return extra


def _extension(text: str, cand: Candidate, inside: list[Candidate], gazetteer: Gazetteer) -> Candidate | None:
    """The model's longer name around gazetteer matches, if it is one name and not the gazetteer's plus noise."""
    entries = {g.entry.name for g in inside if g.entry}
    if len(entries) != 1:
        return None  # two known names glued together ("Russia-North Korea", "Putin–Kim Jong Un")
    g = inside[0]
    before, after = text[cand.start : g.start], text[g.end : cand.end]
    extra = f"{before} {after}"
    if not any(ch.isalpha() for ch in _POSSESSIVE.sub("", after.strip()) + before):
        return None  # only a possessive or punctuation around the gazetteer's name
    generic = _generic_after_country(after, g.entry, gazetteer)
    if generic is not None:
        return cand.known_as(generic)
    words = re.findall(r"[^\W\d_]+", extra)
    if _has_case(extra) and not any(w[0].isupper() for w in words):
        return None  # "Pyongyang's airport": lower-case words are not part of a name
    if g.entry.label == "PERSON":
        if cand.label != "PERSON":
            return None
        same = _same_person(cand.norm or cand.text, g.entry)
        return cand.known_as(g.entry) if same else None
    if cand.label in ("PERSON", "NORP"):
        return None  # a place inside a "person", "North Korean Troops Assemble": the model misread a headline
    return cand


def _generic_after_country(after: str, country: GazetteerEntry, gazetteer: Gazetteer) -> GazetteerEntry | None:
    """ "Russia's Foreign Ministry" -> the Russian ministry, when the text after the country is a generic body."""
    key = alias_key(re.sub(r"^['’`´ʼ]s?\s*", "", after.strip()))
    bodies = gazetteer.generic_bodies.get(key)
    if not bodies:
        return None
    name = bodies.get(country.country or country.name)
    return gazetteer.by_name.get(name) if name else None


def _same_person(longer: str, entry: GazetteerEntry) -> bool:
    """ "Sergei Viktorovich Lavrov" is Sergei Lavrov: some spelling of the entry has the same first and last word."""
    words = alias_key(longer).split()
    if len(words) < 2:
        return False
    for alias in entry.aliases:
        known = alias_key(alias).split()
        if len(known) >= 2 and known[0] == words[0] and known[-1] == words[-1]:
            return True
    return False


def without_overlaps(cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in cands:
        if out and c.start < out[-1].end:
            if (c.end - c.start) > (out[-1].end - out[-1].start):
                out[-1] = c
            continue
        out.append(c)
    return out


# --- Canonical names -----------------------------------------------------------------------------------------------


def canonicalise(text: str, cands: list[Candidate], gazetteer: Gazetteer) -> list[Candidate]:
    """Give every candidate its canonical (name, label)."""
    out = list(cands)
    keys = [c.entry.name if c.entry else alias_key(c.latin) if c.latin else c.key for c in out]
    groups: dict[str, list[Candidate]] = {}
    for key, c in zip(keys, out, strict=True):
        groups.setdefault(key, []).append(c)
    names = {key: _group_name(members) for key, members in groups.items()}
    _resolve_lone_surnames(groups, names, gazetteer)
    for key, c in zip(keys, out, strict=True):
        c.canonical = names[key]
    return out


def _group_name(members: list[Candidate]) -> tuple[str, str]:
    entry = members[0].entry
    if entry:
        return entry.name, entry.label
    forms = Counter(clean_surface(m.latin or m.norm or m.text) for m in members)
    name = forms.most_common(1)[0][0]
    label = Counter(m.label for m in members).most_common(1)[0][0]
    return name, label


def _resolve_lone_surnames(
    groups: dict[str, list[Candidate]], names: dict[str, tuple[str, str]], gazetteer: Gazetteer
) -> None:
    """A one-word PERSON joins the one full name in the text that begins or ends with it, else the beat's default
    for that surname when no full name in the text bears it."""
    full = {name for name, label in names.values() if label == "PERSON" and " " in name}
    mentioned = {name for name, _ in names.values()}
    for key, members in groups.items():
        if members[0].entry is not None or " " in key:
            continue
        if names[key][1] != "PERSON":
            # "Kozlov: ..." tagged as a body or place, where the text names Alexander Kozlov; "the North's weapons"
            surnames = [name for name in full if key == _words(name)[-1]]
            short = gazetteer.short_forms.get(key)
            if len(surnames) == 1:
                names[key] = (surnames[0], "PERSON")
            elif short in mentioned and short in gazetteer.by_name:
                names[key] = (short, gazetteer.by_name[short].label)
            continue
        bearers = [name for name in full if key in _first_and_last_word(name, gazetteer)]
        if len(bearers) == 1:
            names[key] = (bearers[0], "PERSON")
        elif not bearers and key in gazetteer.surname_defaults:
            names[key] = (gazetteer.surname_defaults[key], "PERSON")


def _words(name: str) -> list[str]:
    return alias_key(name).split() or [""]


def _first_and_last_word(name: str, gazetteer: Gazetteer) -> set[str]:
    """First and last words of every spelling of a name (all scripts, if it is a gazetteer name)."""
    entry = gazetteer.by_name.get(name)
    spellings = entry.aliases if entry else (name,)
    words = set()
    for spelling in spellings:
        parts = alias_key(spelling).split()
        if len(parts) >= 2:
            words |= {parts[0], parts[-1]}
    return words


def mentions(cands: list[Candidate]) -> list[EntityMention]:
    """One EntityMention per canonical name, most mentioned first, then by name."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in cands:
        if c.canonical and c.canonical[1] in LABELS:
            groups.setdefault(c.canonical, []).append(c)
    out = [
        EntityMention(
            name=name,
            label=label,
            count=len(members),
            aliases=tuple(dict.fromkeys(clean_surface(m.text) for m in members)),
        )
        for (name, label), members in groups.items()
    ]
    return sorted(out, key=lambda m: (-m.count, m.name))
