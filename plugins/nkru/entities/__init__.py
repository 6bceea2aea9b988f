"""Named entities in news text, under one canonical name each, whatever the language.

Each item goes the way its detected language (``articles.language``) says:

======================  =====================================================================================
English                 spaCy's small English model, NER only, then the gazetteer
Russian, Ukrainian      Natasha's NER (slovnet), names put in the nominative with pymorphy3, then the gazetteer
Korean                  kiwipiepy's proper nouns before a title, particles split off, then the gazetteer
every other language    the multilingual gazetteer alone, inflected forms included (never the English model)
======================  =====================================================================================

The gazetteer (nkru.entities.gazetteer) holds the beat's people, bodies and places with their spellings in every
language nkru reads, and every country's name from CLDR; its matcher (nkru.entities.matcher) finds them inflected.
nkru.entities.names merges what the model and the gazetteer found and names each entity once. Models load on first
use, once per process, only for the languages present.

``extract()`` returns, per text, one ``EntityMention`` per canonical name, and notes on anything cut or skipped.
NORP (nationalities) keeps its label; the gazetteer names its country (``nationality_links``), and the trend
tables count a nationality's mentions for its country.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path

from nkru.aliases import alias_key
from nkru.entities import models
from nkru.entities.context import resolve_generic, resolve_offices
from nkru.entities.gazetteer import (
    DEFAULT_GAZETTEER,
    GENERIC,
    LABELS,
    Gazetteer,
    GazetteerEntry,
    GazetteerError,
    generic_entries,
    nationality_links,
    resolve,
    stamp,
    with_aliases,
)
from nkru.entities.gazetteer import entry_rows as gazetteer_entries
from nkru.entities.gazetteer import load as load_gazetteer
from nkru.entities.matcher import Matcher
from nkru.entities.models import FALLBACK_MODEL, EntityModelError, model_name
from nkru.entities.names import (
    MAX_ENTITY_CHARS,
    Candidate,
    EntityMention,
    Mentions,
    canonicalise,
    clean_surface,
    headline_end,
    is_junk,
    mentions,
    merge,
    mixed_scripts,
    script_of,
)
from nkru.entities.transliteration import korean_latin, transliterate

__all__ = [
    "DEFAULT_GAZETTEER",
    "FALLBACK_MODEL",
    "LABELS",
    "MAX_ENTITY_CHARS",
    "MAX_TEXT_CHARS",
    "EntityMention",
    "EntityModelError",
    "Extractor",
    "GazetteerEntry",
    "GazetteerError",
    "Mentions",
    "alias_key",
    "clean_surface",
    "extract",
    "gazetteer_entries",
    "load_gazetteer",
    "load_pipeline",
    "model_name",
    "nationality_links",
    "route",
]

# Only the beginning of a very long text is read for names (a 1 MB "summary" is not an article's lede).
MAX_TEXT_CHARS = 20_000
MODEL_ROUTES = {"en": "spacy", "ru": "natasha", "uk": "natasha", "ko": "kiwi"}


class Extractor:
    """The gazetteer compiled per language, and the models, each loaded on first use."""

    def __init__(self, gazetteer: Gazetteer, model: str):
        self.gazetteer = gazetteer
        self.model = model
        self._matchers: dict[str, Matcher] = {}

    def matcher(self, language: str | None) -> Matcher:
        key = language or ""
        """The gazetteer's names in this language, and the generic body names ("Foreign Ministry", "МИД") as
        entries named "generic:..." for nkru.entities.context.resolve_generic, found in one pass."""
        if key not in self._matchers:
            rules = self.gazetteer.inflections.get(key) or {"words": "cjk"}  # unknown: cut any script right
            self._matchers[key] = Matcher((*self.gazetteer.entries, *generic_entries(self.gazetteer)), rules)
        return self._matchers[key]

    def offices(self, language: str | None) -> Matcher:
        """The offices' titles in this language ("Russia's defence minister", entries named "office:..." for
        nkru.entities.context.resolve_offices), found apart from the names: a title overlaps the country and body
        names inside it ("МИД России" in "глава МИД России"), which must still be found."""
        key = "office:" + (language or "")
        if key not in self._matchers:
            rules = self.gazetteer.inflections.get(language or "") or {"words": "cjk"}
            self._matchers[key] = Matcher(self.gazetteer.offices, rules)
        return self._matchers[key]

    def english(self):
        return models.spacy_ner(self.model)

    def __call__(self, text: str):
        """The English model's bare entities for one text (what `nkru doctor` shows as its test sentence)."""
        return self.english()(text)


def load_pipeline(
    gazetteer: Path | str = DEFAULT_GAZETTEER, model: str | None = None, aliases: Iterable[tuple[str, str, str]] = ()
) -> Extractor:
    """The extractor for a gazetteer file (plus analysts' aliases: (alias, canonical name, label)), cached per
    process until a gazetteer file changes. The gazetteer is read now; the models on first use, but a missing
    spaCy model is reported now (EntityModelError names the setting)."""
    path = resolve(gazetteer)
    model = model or model_name()
    models._model_config_path(model)  # reads no weights: fails early with a message that says what to set
    return _load_pipeline(model, str(path), stamp(path), tuple(sorted(set(aliases))))


@functools.lru_cache(maxsize=4)
def _load_pipeline(model: str, path: str, _stamp: tuple, aliases: tuple) -> Extractor:
    return Extractor(with_aliases(load_gazetteer(path), aliases), model)


def route(language: str | None, text: str) -> str:
    """Which way a text goes: "spacy", "natasha", "kiwi" or "gazetteer" (see the module docstring)."""
    chosen = MODEL_ROUTES.get(language or "", "gazetteer")
    if chosen == "spacy" and not _mostly_latin(text):
        return "gazetteer"  # "English" text mostly in another script: the English model would invent names
    return chosen


def guess_language(text: str) -> str | None:
    """For callers that do not say: English for mostly Latin text, Russian for Cyrillic, Korean for Hangul."""
    letters = [script_of(ch) for ch in text[:2000] if ch.isalpha()]
    if not letters or letters.count("latin") * 2 >= len(letters):
        return "en"
    if letters.count("cyrillic") * 2 >= len(letters):
        return "ru"
    if any("\uac00" <= ch <= "\ud7af" for ch in text[:2000]):
        return "ko"
    return None


def _mostly_latin(text: str) -> bool:
    """At least half of the letters are Latin (English copy with a Cyrillic or Hangul name still counts)."""
    letters = [ch for ch in text[:5000] if ch.isalpha()]
    latin = sum(1 for ch in letters if ch < "\u0250")
    return not letters or latin * 2 >= len(letters)


def extract(
    nlp: Extractor, texts: Iterable[str], batch_size: int = 64, languages: Sequence[str | None] | None = None
) -> list[Mentions]:
    """Entities per text (same order as texts), one per canonical name, most mentioned first, then by name.

    `languages` are the texts' detected language codes (None: unknown, gazetteer only); without it, the language
    is guessed from the script. Each result's `notes` say what was cut or skipped and why.
    """
    texts = [t or "" for t in texts]
    if languages is None:
        languages = [guess_language(t) for t in texts]
    notes: list[list[str]] = [[] for _ in texts]
    for i, text in enumerate(texts):
        if len(text) > MAX_TEXT_CHARS:
            texts[i] = text[:MAX_TEXT_CHARS]
            notes[i].append(f"text cut to its first {MAX_TEXT_CHARS} characters for extraction ({len(text)} long)")
    routes = [route(lang, text) for lang, text in zip(languages, texts, strict=True)]
    found = _model_candidates(nlp, texts, languages, routes, batch_size, notes)
    results = []
    for i, text in enumerate(texts):
        lang = languages[i] if routes[i] != "spacy" or languages[i] else "en"
        if routes[i] == "gazetteer" and lang not in nlp.gazetteer.inflections:
            notes[i].append(f"language {lang or 'unknown'}: gazetteer names only, no inflections")
        results.append(_extract_one(nlp, text, lang, routes[i], found[i], notes[i]))
    return results


def _model_candidates(
    nlp: Extractor,
    texts: list[str],
    languages: Sequence[str | None],
    routes: list[str],
    batch_size: int,
    notes: list[list[str]],
) -> list[list[Candidate]]:
    """Each model run once over all the texts routed to it; a model that fails leaves those texts to the
    gazetteer, with the reason noted."""
    found: list[list[Candidate]] = [[] for _ in texts]
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, r in enumerate(routes):
        if r != "gazetteer" and texts[i].strip():
            groups.setdefault((r, languages[i] if r == "natasha" else None), []).append(i)
    for (r, lang), indexes in groups.items():
        batch = [texts[i] for i in indexes]
        try:
            if r == "spacy":
                out = models.english(nlp.english(), batch, batch_size, nlp.gazetteer.korean_surnames)
            elif r == "natasha":
                out = models.slavic(batch, lang or "ru")
            else:
                out = models.korean(batch, nlp.gazetteer.person_titles)
        except EntityModelError:
            raise
        except Exception as exc:  # a model choking on odd input must not stop the other items
            for i in indexes:
                notes[i].append(f"{r} failed ({type(exc).__name__}): gazetteer names only")
            continue
        for i, cands in zip(indexes, out, strict=True):
            found[i] = cands
    return found


def _slavic_base_forms(nlp: Extractor, kept: list[Candidate], matches: list, language: str) -> list[Candidate]:
    """Natasha's names the gazetteer does not cover: ordinary words dropped, the rest put in the nominative and,
    for people and places, spelled in Latin letters (their canonical name unless an alias says otherwise)."""
    starts = [m.start for m in matches]
    ends = [m.end for m in matches]

    def covered(c: Candidate) -> bool:
        i = bisect_right(starts, c.start) - 1
        return i >= 0 and c.end <= ends[i]

    uncovered = [c for c in kept if not covered(c)]
    common = {id(c) for c in uncovered if " " not in c.text and models.is_common_word(c.text, language)}
    uncovered = [c for c in uncovered if id(c) not in common]
    models.put_in_nominative(uncovered, language)
    rules = nlp.gazetteer.transliteration.get(language)
    for c in uncovered if rules else ():
        if c.label in ("PERSON", "GPE", "LOC"):
            c.latin = _latin(c.norm or c.text, language, rules)
    return [c for c in kept if id(c) not in common]


def _korean_latin(nlp: Extractor, kept: list[Candidate]) -> None:
    """People the Korean model found whom the gazetteer does not know get KCNA's Latin spelling as their canonical
    name (리성학 -> "Ri Song Hak", as English copy writes him), unless an alias says otherwise."""
    rules = nlp.gazetteer.transliteration.get("ko")
    index = nlp.gazetteer.index
    for c in kept if rules else ():
        if c.label == "PERSON" and alias_key(c.text) not in index:
            c.latin = korean_latin(c.text, rules)


_LATIN_CACHE: dict[tuple[str, str], str] = {}


def _latin(name: str, language: str, rules: dict) -> str:
    key = (name, language)
    if key not in _LATIN_CACHE:
        if len(_LATIN_CACHE) > 100_000:
            _LATIN_CACHE.clear()
        _LATIN_CACHE[key] = transliterate(name, rules)
    return _LATIN_CACHE[key]


def _extract_one(
    nlp: Extractor, text: str, language: str | None, chosen: str, model: list[Candidate], notes: list[str]
) -> Mentions:
    if not text.strip():
        return Mentions()
    headline = headline_end(text) if chosen == "spacy" else 0
    body = text[headline:] if headline else ""
    kept, skipped = [], {"too long": 0, "mixed scripts": 0}
    for c in model:
        surface = clean_surface(c.text)
        if len(surface) > MAX_ENTITY_CHARS:
            skipped["too long"] += 1
        elif mixed_scripts(surface):
            skipped["mixed scripts"] += 1
        elif is_junk(surface) or alias_key(surface) in nlp.gazetteer.not_names:
            continue
        elif c.start < headline and surface not in body:
            continue  # a Title Case headline phrase the body never repeats ("Meets Her")
        else:
            kept.append(c)
    found = nlp.matcher(language).find(text)
    matches = [m for m in found if not m.entry.name.startswith(GENERIC)]
    generic = [m for m in found if m.entry.name.startswith(GENERIC)]
    titles = nlp.offices(language).find(text) if nlp.gazetteer.offices else []
    if chosen == "natasha":
        kept = _slavic_base_forms(nlp, kept, matches, language or "ru")
    elif chosen == "kiwi":
        _korean_latin(nlp, kept)
    merged = merge(text, kept, matches, nlp.gazetteer)
    merged = resolve_generic(text, merged, generic, nlp.gazetteer)
    merged = resolve_offices(text, merged, titles, nlp.gazetteer)
    cands = canonicalise(text, merged, nlp.gazetteer)
    for reason, count in skipped.items():
        if count:
            notes.append(f"{count} name(s) skipped: {reason}")
    return Mentions(mentions(cands), tuple(notes))
