"""How a lexicon term's written form becomes the keys the matcher looks for, in languages that inflect:
pymorphy3's case forms for Russian and Ukrainian, and stems with the file's `endings:` cut off (and every ending
on the inner words of a phrase) for the others. Used once, when the lexicon is compiled (see nkru.lexicon_match).
"""

from __future__ import annotations

import functools
import itertools

from nkru.lexicon import Rules, Term, fold


def _keys(term: Term, rules: Rules) -> set[str]:
    """The folded strings to look for: the term, its inflected forms (pymorphy3 for Russian and Ukrainian) and,
    where the language strips endings, its stem."""
    base = fold(term.text)
    keys = {base}
    if rules.code in ("ru", "uk") and not term.case_sensitive:
        keys |= _inflections(base, rules.code)
    if rules.strip and not term.case_sensitive:
        keys |= {_strip(k, rules.endings) for k in list(keys)}
        keys |= _vary_inner_words(base, rules.endings)
    return {k for k in keys if k.strip()}


def _vary_inner_words(key: str, endings: frozenset[str], limit: int = 1200) -> set[str]:
    """For a phrase in a language with case endings, every ending on the words before the last one ("Korea
    Północna" → "korei północn", "koreą północn"...), the last one stripped (its ending is checked when matching)."""
    words = key.split()
    if len(words) < 2:
        return set()
    options = []
    for word in words[:-1]:
        stem = _strip(word, endings)
        options.append({word} | ({stem + e for e in endings} | {stem} if stem != word else set()))
    total = 1
    for o in options:
        total *= len(o)
    if total > limit:
        return set()
    last = _strip(words[-1], endings)
    return {" ".join([*combo, last]) for combo in itertools.product(*options)}


def _strip(key: str, endings: frozenset[str], min_stem: int = 4) -> str:
    """`key` with the longest of `endings` cut off its last word, keeping at least `min_stem` letters."""
    head, _, last = key.rpartition(" ")
    for ending in sorted(endings, key=len, reverse=True):
        if ending and last.endswith(ending) and len(last) - len(ending) >= min_stem:
            last = last[: -len(ending)]
            break
    return f"{head} {last}" if head else last


@functools.cache
def _morph(code: str):  # noqa: ANN202 - pymorphy3's type
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=code)


_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


def _inflections(phrase: str, code: str) -> set[str]:
    """Every case form of a phrase of up to five words ("северная корея" → "северной кореи", "трудовая партия
    кореи" → "трудовой партии кореи"): the words pymorphy3 reads as nominative take each case, the others (a
    genitive like "кореи", a preposition) stay as they are."""
    words = phrase.split()
    if len(words) > 5 or not all(w.isalpha() for w in words):
        return set()
    morph = _morph(code)
    parses = [morph.parse(w)[0] for w in words]
    if len(words) == 1:
        return {f.word for f in parses[0].lexeme}
    agreeing = [p.tag.case == "nomn" and "Fixd" not in p.tag for p in parses]
    if not any(agreeing):
        return set()
    forms = set()
    for case in _CASES:
        inflected = [p.inflect({case}) if agree else p for p, agree in zip(parses, agreeing, strict=True)]
        if all(inflected):
            forms.add(" ".join(f.word for f in inflected))
    return forms
