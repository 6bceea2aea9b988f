"""What may stand between country mentions in one language, for the relevance scorer (nkru.relevance): joiners,
list separators, recipient and clause words, and the frame words of a title (a "from ... to ..." range, a
superlative), each compiled once per language from the lexicon files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nkru import lexicon as lx
from nkru.relevance_hits import _POSSESSIVE


@dataclass(frozen=True)
class Gaps:
    """What may stand between two country mentions, in one language."""

    enumeration: re.Pattern[str]  # in a list or an "X, Y" pairing: separators, "and"/"or", "the", "'s"
    joined: re.Pattern[str]  # between two parties of one relation with a third country: "and", "with", "-"
    toward: re.Pattern[str]  # before a recipient: "(exports of drones) to", "a", "do" (`to_words`)
    clause: re.Pattern[str] | None = None  # a conjunction starting a clause of its own: "as", "while" (`clause_words`)
    every_with: frozenset[str] = frozenset()  # every language's "with" (`with_words`), folded: "con", "mit", "с"
    range_from: re.Pattern[str] | None = None  # "from", "von", "от", "から" of a range (`range_words`), if known
    range_to: re.Pattern[str] | None = None  # "to", "bis", "до", "まで"
    range_after: bool = False  # the range words follow their noun: "Moskova'dan Pyongyang'a", "रूस से ... तक"
    range_anywhere: bool = False  # no route uses them ("von ... bis", "van ... tot"): not only opening a part
    superlative: re.Pattern[str] | None = None  # "most", "largest", "naj*" (`superlative_words`), on folded text
    not_superlative: re.Pattern[str] | None = None  # the exceptions ("!najnow*": newest, a live blog's "Latest")
    topic_before: re.Pattern[str] | None = None  # "against", "über", "по" right before a side (`topic_words`)
    topic_after: re.Pattern[str] | None = None  # "karşı", "への", "-val" right after it (`topic_words_after`)


def gaps_of(lexicon: lx.Lexicon, language: str | None) -> Gaps:
    """The gaps of `language` (English joiners always count: names and wire copy cross languages); of every
    language when it is unknown or has no lexicon file."""
    codes = [language, "en"] if language in lexicon.rules else list(lexicon.rules)
    spaced, attached = set(), set()
    for code in codes:
        rules = lexicon.rules[code]
        bucket = attached if rules.boundaries != "words" or rules.prefixes else spaced
        bucket.update(j for j in lexicon.joiners.get(code, ()) if j.strip())
    words = "|".join(re.escape(j) for j in sorted(spaced, key=len, reverse=True))
    glued = "|".join(re.escape(j) for j in sorted(attached, key=len, reverse=True))
    joiners = [rf"(?<!\w)(?:{words})(?!\w)"] if words else []
    joiners += [f"(?:{glued})"] if glued else []
    to_words = {w for code in codes for w in lexicon.to_words.get(code, ()) if w.strip()}
    conjunctions = {w for code in codes for w in lexicon.clause_words.get(code, ()) if w.strip()}
    clause = "|".join(re.escape(w) for w in sorted(conjunctions, key=len, reverse=True))
    toward = "|".join(re.escape(w) for w in sorted(to_words, key=len, reverse=True)) or r"(?!)"
    enumeration = [r"\s", r"[,;/&·・、،\-–—]", _POSSESSIVE, *joiners]
    link = "|".join([r"(?<=\S)[-/·・](?=\S)", *joiners])  # at least one of these: a space alone joins nothing
    return Gaps(
        re.compile(f"(?:{'|'.join(enumeration)})*", re.IGNORECASE),
        re.compile(rf"\s*(?:{link})(?:\s|{link})*", re.IGNORECASE),
        re.compile(rf"(?<!\w)(?:{toward})\s+", re.IGNORECASE),
        re.compile(rf"\s(?:{clause})\s", re.IGNORECASE) if clause else None,
        frozenset(w.casefold() for words in lexicon.with_words.values() for w in words),
        *_range_words(lexicon, language),
        *_superlatives(lexicon, language),
        *_topic_words(lexicon, language),
    )


def _topic_words(lexicon: lx.Lexicon, language: str | None) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The language's topic words: before a side, ending right before it ("sanctions against | North Korea"), to
    be searched up to the side's start; after it, matched from the side's end (its ending first: "Kore'ye | karşı";
    a word written "-val" is an ending, "Oroszország|gal"). None when the language is unknown or has none."""
    before, after = lexicon.topic_words.get(language or "", ([], []))
    glued = language in lexicon.rules and lexicon.rules[language].boundaries != "words"
    words = "|".join(re.escape(w) for w in sorted(before, key=len, reverse=True))
    ahead = [
        rf"[\w'’]*?{re.escape(w[1:])}(?!\w)" if w.startswith("-") else rf"[\w'’]*?\s*{re.escape(w)}" for w in after
    ]
    return (
        re.compile(f"(?:{words})\\s*\\Z" if glued else rf"(?<!\w)(?:{words})\s+\Z", re.IGNORECASE) if words else None,
        re.compile("|".join(ahead), re.IGNORECASE) if ahead else None,
    )


def _superlatives(lexicon: lx.Lexicon, language: str | None) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The language's superlatives and their exceptions ("!..."), each a word in which "*" stands for any letters
    ("naj*", "vis*āk*"), compiled to match folded text; none when the language is unknown."""
    words = lexicon.superlatives.get(language or "", [])
    if not words:
        return None, None
    glued = lexicon.rules[language].boundaries != "words"

    def pattern(globs: list[str]) -> re.Pattern[str] | None:
        parts = [r"\w*".join(re.escape(piece) for piece in lx.fold(g).split("*")) for g in globs]
        if not parts:
            return None
        body = "|".join(sorted(parts, key=len, reverse=True))
        return re.compile(f"(?:{body})" if glued else rf"(?<!\w)(?:{body})(?!\w)")

    return pattern([w for w in words if not w.startswith("!")]), pattern([w[1:] for w in words if w.startswith("!")])


def _range_words(
    lexicon: lx.Lexicon, language: str | None
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, bool, bool]:
    """The language's range words compiled (none when the language is unknown: "de", "a", "to" mean other things
    elsewhere). A word written "-'dan" is an ending glued to its noun; in languages written without spaces
    between words (Japanese, Chinese, Korean particles) every word is glued."""
    if language not in lexicon.range_words:
        return None, None, False, False
    starts, ends, after, anywhere = lexicon.range_words[language]
    glued = lexicon.rules[language].boundaries != "words"

    def pattern(words: frozenset[str]) -> re.Pattern[str]:
        alternatives = []
        for word in sorted(words, key=len, reverse=True):
            if word.startswith("-"):
                alternatives.append(rf"(?<=\w){re.escape(word[1:])}(?!\w)")
            else:
                alternatives.append(re.escape(word) if glued else rf"(?<!\w){re.escape(word)}(?!\w)")
        return re.compile("|".join(alternatives), re.IGNORECASE)

    return pattern(starts), pattern(ends), after, anywhere
