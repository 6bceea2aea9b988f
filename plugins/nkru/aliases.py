"""The lookup key of an entity's spelling, shared by extraction, alert rules and trend queries; and the pattern
of a rule's term in a text, shared by alert rules (matching) and e-mails (highlighting).

Kept apart from `nkru.entities` so that looking a name up (the `nkru trend` command, alert rules) does not
import spaCy.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_DASHES = str.maketrans({c: " " for c in "-‐‑‒–—―−﹘﹣"})
_DROPPED = str.maketrans({c: None for c in "'’‘ʼ`´′."})


@functools.lru_cache(maxsize=131072)
def alias_key(text: str) -> str:
    """The key an alias is looked up by, so "Kim Jong-un", "kim jong un" and "KIM JONG UN" share one.

    NFKC, casefold, hyphens/dashes -> space, apostrophes and dots removed ("D.P.R.K." -> "dprk"), whitespace
    collapsed. Accents are stripped from Latin letters only ("Sinŭiju" -> "sinuiju"): in Cyrillic the breve of "й"
    makes another letter, and Hangul decomposes into jamo. The one Cyrillic fold is "ё" -> "е", because Russian
    copy writes "е" for "ё" as often as not ("Пхёньян"/"Пхеньян"). The same key is stored in entity_aliases and
    computed for what a user types, so the trends CLI finds "Ким Чен Ын" as Kim Jong Un.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_DASHES).translate(_DROPPED)
    text = "".join(_strip_latin_accent(ch) for ch in text).replace("ё", "е")
    return " ".join(text.split())


def _strip_latin_accent(ch: str) -> str:
    if ch.isascii() or not ("\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"):
        return ch
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """`term` as a whole word or phrase, any case, any run of whitespace between its words."""
    body = r"\s+".join(re.escape(part) for part in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
