"""Spellings of names in other scripts, by rules that are data (config/gazetteer/transliteration.yaml):

- Latin spellings for Cyrillic names the gazetteer does not know, so that "Андрей Руденко" in Russian copy and
  "Andrei Rudenko" in English copy are one entity (`transliterate`);
- a Korean name written in hangul in every system outlets use (`korean_forms`: KCNA's McCune–Reischauer, the
  Revised Romanization, Kontsevich's Cyrillic, South Korea's hangul spelling), for the gazetteer's Korean people,
  and KCNA's Latin spelling of a Korean name the gazetteer does not know (`korean_latin`), so that 리성학 in
  Korean copy and "Ri Song Hak" in English copy are one person.
"""

from __future__ import annotations

from nkru.aliases import alias_key

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


# --- Korean names in hangul ----------------------------------------------------------------------------------------

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_VOWELS_TIMES_FINALS, _FINALS = 588, 28
MAX_NAME_SYLLABLES = 4  # a surname and a given name of one to three syllables: 김정은, 리성학, 최선희


def syllables(word: str) -> list[tuple[int, int, int]] | None:
    """(initial, vowel, final) indexes of each hangul syllable, or None if `word` is not all hangul syllables."""
    out = []
    for ch in word:
        code = ord(ch) - _HANGUL_FIRST
        if not 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
            return None
        out.append((code // _VOWELS_TIMES_FINALS, code % _VOWELS_TIMES_FINALS // _FINALS, code % _FINALS))
    return out


def _compose(initial: int, vowel: int, final: int) -> str:
    return chr(_HANGUL_FIRST + initial * _VOWELS_TIMES_FINALS + vowel * _FINALS + final)


def korean_name(name: str) -> list[tuple[int, int, int]] | None:
    """The syllables of a Korean person's name written in hangul (2 to `MAX_NAME_SYLLABLES`, spaces ignored), else
    None: "리성학", "김 정은"."""
    found = syllables("".join(name.split()))
    return found if found and 2 <= len(found) <= MAX_NAME_SYLLABLES else None


def _spell(syllable: tuple[int, int, int], system: dict, voiced: bool) -> str:
    initial, vowel, final = syllable
    head = system["initials"][initial]
    if voiced:
        head = (system.get("voiced") or {}).get(head, head)
    return head + system["vowels"][vowel] + system["finals"][final]


def romanise(name: str, rules: dict, system: str = "kcna") -> list[str]:
    """A hangul name in one system of config/gazetteer/transliteration.yaml (`ko.systems`), each of its customary
    surnames first: 리성학 -> ["Ri Song Hak"] (kcna), ["Ri Seong-hak", "Lee Seong-hak"] (revised), ["Ри Сон Хак",
    "Ли Сон Хак"] (kontsevich). A plain consonant inside the given name is voiced after a vowel or n, l, m, ng
    ("Ri Chang Dae", "Но Гван Чхоль"). Empty if `name` is no Korean name in hangul."""
    parts = korean_name(name)
    if parts is None:
        return []
    table = rules["systems"][system]
    voicing = {rules["finals"].index(f) for f in rules.get("voicing_finals") or []} | {0}
    given = []
    for i, syllable in enumerate(parts[1:]):
        voiced = i > 0 and parts[i][2] in voicing  # parts[i] is the syllable before this one
        given.append(_spell(syllable, table, voiced))
    if table.get("join") == "hyphen":
        given_name = "-".join(given).capitalize()
        given_words = [given_name]
    else:
        given_words = [g.capitalize() for g in given]
    first = name.strip()[0]
    surnames = (table.get("surnames") or {}).get(first) or [_spell(parts[0], table, False).capitalize()]
    return [" ".join([surname, *given_words]) for surname in surnames]


def south_korean_spelling(name: str, rules: dict) -> str | None:
    """How South Korea writes a name whose first syllable begins with ㄹ or ㄴ (the initial-sound rule,
    config/gazetteer/transliteration.yaml `ko.initial_sound`): 리성학 -> 이성학, 로광철 -> 노광철; None
    when it is written the same."""
    parts = korean_name(name)
    if parts is None:
        return None
    initials, vowels = rules["initials"], rules["vowels"]
    iotated = {vowels.index(v) for v in (rules.get("initial_sound") or {}).get("iotated") or []}
    initial, vowel, final = parts[0]
    if initials[initial] not in ("ㄹ", "ㄴ"):
        return None
    silent, nieun = initials.index("ㅇ"), initials.index("ㄴ")
    if vowel in iotated:
        new = silent
    elif initials[initial] == "ㄹ":
        new = nieun
    else:
        return None
    return _compose(new, vowel, final) + "".join(_compose(*p) for p in parts[1:])


def korean_latin(name: str, rules: dict) -> str | None:
    """KCNA's Latin spelling of a name the gazetteer does not know, when it is written in hangul and begins with a
    Korean family name (`ko.surnames`): 리성학 -> "Ri Song Hak"; None for 루덴코 (a Russian name in hangul)."""
    if korean_name(name) is None or name.strip()[0] not in set(rules.get("surnames") or ()):
        return None
    forms = romanise(name, rules, "kcna")
    return forms[0] if forms else None


def korean_forms(name: str, rules: dict) -> list[str]:
    """Every spelling of a hangul name the systems give: its South Korean hangul form, then each system's Latin
    or Cyrillic forms (no duplicates, the name itself left out)."""
    if korean_name(name) is None:
        return []
    forms = []
    south = south_korean_spelling(name, rules)
    if south:
        forms.append(south)
    for system in rules.get("systems") or {}:
        forms += romanise(name, rules, system)
    return [f for f in dict.fromkeys(forms) if f != name]


def korean_name_key(name: str, rules: dict) -> str | None:
    """The consonants of a Korean name written in Latin letters, word by word, whatever the system
    (`ko.name_key`): "Ri Song Hak", "Ri Song-hak" and "Li Son Khak" -> "l sn hk"; None for a name that is not
    three or four short words ("Sergei Lavrov", "Ri Songhak")."""
    key = rules.get("name_key") or {}
    words = alias_key(name).split()
    low, high = key.get("words") or (3, 4)
    longest = key.get("max_word_letters", 8)
    if not low <= len(words) <= high or any(len(w) > longest or not w.isascii() or not w.isalpha() for w in words):
        return None
    vowels = set(key.get("vowels") or "aeiouy")
    out = []
    for word in words:
        for old, new in key.get("replace") or []:
            word = word.replace(old, new)
        out.append("".join(ch for ch in word if ch not in vowels) or "-")
    return " ".join(out)
