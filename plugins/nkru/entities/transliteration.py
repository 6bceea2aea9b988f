"""Latin spellings for Cyrillic names the gazetteer does not know, so that "Андрей Руденко" in Russian copy and
"Andrei Rudenko" in English copy are one entity. The rules per language are data
(config/gazetteer/transliteration.yaml)."""

from __future__ import annotations

_VOWELS = set("аеёиоуыэюяіїєьъaeiouy")  # after these (and the soft and hard signs) е is written "ye"


def transliterate(name: str, rules: dict) -> str:
    """A Cyrillic name in Latin letters by the language's rules (config/gazetteer/transliteration.yaml):
    "Андрей Руденко" -> "Andrei Rudenko", "Олександр Сирський" -> "Oleksandr Syrskyi"."""
    letters, start, after, end = (rules.get(k) or {} for k in ("letters", "word_start", "after_vowel", "word_end"))
    words = rules.get("words") or {}
    out = []
    for word in name.split():
        if word in words:
            out.append(words[word])
            continue
        lower, tail = word.lower(), ""
        for ending, latin in sorted(end.items(), key=lambda e: -len(e[0])):
            if lower.endswith(ending) and len(lower) > len(ending) + 1:
                lower, tail = lower[: -len(ending)], latin
                break
        latin = []
        for i, ch in enumerate(lower):
            table = start if i == 0 else after if lower[i - 1] in _VOWELS else {}
            latin.append(table.get(ch, letters.get(ch, ch)))
        spelled = "".join(latin) + tail
        out.append(spelled[:1].upper() + spelled[1:] if word[:1].isupper() else spelled)
    return " ".join(out)
