"""Which language an item is written in, read from its own text.

Feeds declare a language for the whole feed (often wrongly: a Korean agency's English feed says `ko`, a news
search feed mixes outlets), so the declared language is only a hint, used when the text is too short or too
mixed to tell. Detection uses lingua (`lingua-language-detector`, models inside its wheel) restricted to the
languages nkru reads, in its low-accuracy mode: with 28 languages preloaded it holds about 45 MB and detects
about 8,000 items a second, where the high-accuracy mode holds about 800 MB and is three times slower, and on
a headline plus a lede (what a feed item is) the two modes agree.

Indonesian and Malay are one written standard in news copy; lingua tells them apart by small differences, so
they are kept as two codes but compared as one (`same_language`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from nkru import lexicon

# ISO 639-1 codes of the languages nkru detects and has lexicons for. Chinese is one code: simplified and
# traditional characters are both "zh".
SUPPORTED: tuple[str, ...] = (
    "en", "ru", "uk", "ko", "ja", "zh", "de", "fr", "es", "pt", "it", "nl", "pl", "cs", "sk",
    "lv", "lt", "et", "hu", "ro", "bg", "tr", "ar", "fa", "hi", "vi", "id", "ms",
)  # fmt: skip

# Enough letters to judge by; below this the feed's declared language is used when it gave one.
MIN_LETTERS = 12
# Below this confidence the declared language wins if it is one of the two best candidates.
MIN_CONFIDENCE = 0.5
# A headline alone (at most this many letters) is too short for lingua's low-accuracy mode to tell close
# languages apart ("La Russie et la Corée du Nord boudent la cérémonie du prix Nobel": Dutch 0.62, French 0.38):
# there the declared language wins when its confidence is at least `HINT_RATIO` of the best's. Measured on the
# dev items and off-topic texts of bench/relevance (1,944 titles and titles with ledes): wrong languages 44 -> 30
# with the right hint; with "en" declared for every text, one text detected wrongly, as before; with the worst
# wrong hint (each text's runner-up, a close relative) 13 instead of 2.
SHORT_TEXT = 80
HINT_RATIO = 0.3
# Only the beginning of a long text is read: the language of an item does not change after a few sentences, and
# lingua's cost grows with the text. Measured on 1,251 long texts (the labelled and off-topic texts of
# bench/relevance joined by language, and bench/fulltext's articles; 1,154 of 1,500-1,940 characters), 500 against
# 1,500: the same language on all but two (a Czech text read as Slovak before is Czech, an Indonesian one is
# read as Malay, the same written language), in 0.5-1.0 s instead of 1.6-2.1 s (best of 3 on a busy machine);
# every labelled text is shorter than 500 characters, and detected as before.
MAX_CHARS = 500

_SAME = {"ms": "id"}  # written alike in news copy
# The scripts the supported languages are written in (first word of the Unicode names of their letters). A text
# mostly in another script (Georgian, Thai, Greek...) is in none of them, whatever the nearest model says.
SCRIPTS = frozenset({"LATIN", "CYRILLIC", "HANGUL", "CJK", "HIRAGANA", "KATAKANA", "ARABIC", "DEVANAGARI"})


@dataclass(frozen=True)
class Detection:
    """The language of one item: an ISO 639-1 code or None, how sure, and where the answer came from."""

    code: str | None
    confidence: float
    source: str  # "text" (detected), "hint" (the feed's declared language), "none" (neither), "script Georgian"
    # (written in a script none of the languages uses: no language, whatever the hint)

    def describe(self) -> str:
        """A short phrase for reason lines and `nkru explain`."""
        if self.code is None:
            return (
                f"language unknown ({self.source.removeprefix('script ')} script)"
                if self.source.startswith("script")
                else "language unknown"
            )
        if self.source == "hint" and self.confidence:
            return f"{self.code} (declared by the feed; the text, {self.confidence:.0%} {self.code}, too short to tell)"
        if self.source == "hint":
            return f"{self.code} (declared by the feed; too little text to detect)"
        return f"{self.code} (detected, {self.confidence:.0%})"


def detect(title: str, summary: str = "", hint: str | None = None) -> Detection:
    """The language of an item from its title and summary; `hint` is the feed's declared language."""
    return detect_many([(title, summary, hint)])[0]


def detect_many(items: Sequence[tuple[str, str, str | None]]) -> list[Detection]:
    """`detect` over many (title, summary, hint) items at once, with the same answers.

    Most of ingest's language cost is lingua's, one item at a time (issue 15): here the items that need the
    model go to it in one call, which spreads them over the machine's cores (holding the GIL throughout: ingest
    calls this in a child process, `nkru.language_apart`); the cheap checks (too few letters, a script none of
    the languages uses) are made first, in Python.
    """
    found: list[Detection | None] = []
    texts: list[str] = []  # what lingua reads, for the items the cheap checks could not decide
    all_texts = [f"{title or ''}\n{summary or ''}"[:MAX_CHARS] for title, summary, _ in items]
    for (_, _, hint), text in zip(items, all_texts, strict=True):
        found.append(_without_model(text, normalise_code(hint)))
        if found[-1] is None:
            texts.append(text)
    if not texts:
        return [d for d in found if d is not None]
    detector = _detector()
    if len(texts) == 1:
        values = iter([detector.compute_language_confidence_values(texts[0])])
    else:
        values = iter(detector.compute_language_confidence_values_in_parallel(texts))
    return [
        d if d is not None else _from_model(next(values), normalise_code(hint), text)
        for d, (_, _, hint), text in zip(found, items, all_texts, strict=True)
    ]


def _without_model(text: str, hint: str | None) -> Detection | None:
    """The answer when the text alone settles it without the model (too short, a foreign script), else None."""
    if _letters_below(text, MIN_LETTERS):
        return Detection(hint, 0.0, "hint") if hint else Detection(None, 0.0, "none")
    # ASCII letters are all Latin: only other text needs each letter's Unicode name.
    if not text.isascii() and (script := lexicon.script_of(text)) not in SCRIPTS:
        return Detection(None, 0.0, f"script {script.title()}")
    return None


def _letters_below(text: str, count: int) -> bool:
    """True when `text` has fewer than `count` letters (reads no further than the `count`-th)."""
    letters = (ch for ch in text if ch.isalpha())
    return next(itertools.islice(letters, count - 1, None), None) is None


def _from_model(candidates: list, hint: str | None, text: str) -> Detection:  # lingua's ConfidenceValue
    """The model's best language, or the declared one when the model is unsure and ranks it second, or when
    `text` is a headline alone and the model gives the declared language a fair share of its confidence."""
    if not candidates:
        return Detection(hint, 0.0, "hint") if hint else Detection(None, 0.0, "none")
    best = candidates[0]
    code = _code(best.language)
    hinted = 0.0
    if hint is not None and hint != code:  # most items declare nothing: their candidates need no more reading
        hinted = next((c.value for c in candidates if _code(c.language) == hint), 0.0)
    if hinted:
        runner_up = _code(candidates[1].language) if len(candidates) > 1 else None
        close = best.value < MIN_CONFIDENCE and hint == runner_up
        short_text = hinted >= HINT_RATIO * best.value and _letters_below(text, SHORT_TEXT + 1)  # a headline
        if close or short_text:
            return Detection(hint, round(hinted, 3), "hint")
    return Detection(code, round(best.value, 3), "text")


@functools.cache
def _code(language) -> str:  # noqa: ANN001 - lingua's Language
    """A lingua language's ISO 639-1 code, "en" (read once per language: the lookups were a tenth of the cost of
    detection over 28 candidates per item)."""
    return language.iso_code_639_1.name.lower()


def normalise_code(code: str | None) -> str | None:
    """ "en-US", "EN", "en_GB" -> "en"; anything that is not a two-letter code -> None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if len(base) == 2 and base.isalpha() else None


def same_language(a: str | None, b: str | None) -> bool:
    """True when two codes name the same written language (Indonesian and Malay count as one)."""
    return a is not None and b is not None and _SAME.get(a, a) == _SAME.get(b, b)


@functools.cache
def _detector():  # noqa: ANN202 - lingua's type, imported lazily
    """Built once per process, on first use: importing nkru must not cost the models' memory."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
