"""The gazetteer: every person, body and place of the beat under one canonical name, with its spellings.

Read from three kinds of data, all under ``config/``:

- ``config/gazetteer.yaml``: the hand-kept list (name, label, aliases; for a nationality the country it belongs to);
- ``config/gazetteer/*.yaml`` beside it: more spellings per language for the same entries, or new entries
  (``names: {de: [...], ja: [...]}``), each file saying where its spellings come from;
- country names from CLDR (Babel's ``Locale(code).territories``), generated for the languages listed in
  ``config/gazetteer/countries.yaml``, not typed.

Entries with the same canonical name are merged. A hand-written alias that leads to two entries is an error (which
one would a mention belong to?); a generated CLDR name that clashes with a hand-written one is dropped instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from nkru.aliases import alias_key

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT")
DEFAULT_GAZETTEER = Path("config/gazetteer.yaml")
_PROJECT_ROOT = Path(__file__).resolve().parents[3]
_ENTRY_KEYS = {"name", "label", "aliases", "names", "country", "cldr"}


class GazetteerError(ValueError):
    """The gazetteer file is unreadable or invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class GazetteerEntry:
    """One gazetteer entity: its canonical name, label, every spelling (the name first), and for a nationality
    (NORP) the canonical name of its country."""

    name: str
    label: str
    aliases: tuple[str, ...]
    country: str | None = None
    generated: frozenset[str] = field(default=frozenset(), compare=False)  # aliases that came from CLDR


@dataclass(frozen=True)
class Gazetteer:
    """All entries, the alias index, and the inflection rules per language (see nkru.entities.matcher)."""

    entries: tuple[GazetteerEntry, ...]
    index: dict[str, GazetteerEntry]
    inflections: dict[str, dict]
    generic_bodies: dict[str, dict[str, str]]  # alias key of "Foreign Ministry" -> {country: entry name}
    surname_defaults: dict[str, str]  # alias key of a lone surname -> the person it means on this beat
    short_forms: dict[str, str]  # alias key of a short form -> the name it stands for when the text names it too
    not_names: frozenset[str]  # alias keys of words a model takes for names but never are (한미일, ЦК)
    person_titles: frozenset[str]  # words that follow a person's name in languages without case (외무상)
    korean_surnames: frozenset[str]  # romanised Korean family names the English model leaves off ("Ri" Chang Dae)
    capitals: dict[str, str]  # capital -> its country, for generic bodies ("das Außenministerium in Moskau")
    transliteration: dict[str, dict]  # language -> rules for Latin spellings of Cyrillic names it does not know
    by_name: dict[str, GazetteerEntry]


def resolve(path: Path | str) -> Path:
    """A relative path is taken from the working directory, else from the project root (Airflow workers do not
    run from the project directory, but the default path is relative)."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path.resolve()
    return (_PROJECT_ROOT / path).resolve()


def data_dir(path: Path) -> Path:
    """Where the per-language data of a gazetteer file lives: ``config/gazetteer.yaml`` -> ``config/gazetteer/``."""
    return path.with_suffix("")


def stamp(path: Path) -> tuple[int, ...]:
    """Modification times of the gazetteer file and its data directory's files: editing any takes effect."""
    try:
        times = [path.stat().st_mtime_ns]
    except OSError as exc:
        raise GazetteerError(f"cannot read gazetteer {path}: {exc.strerror or exc}") from exc
    directory = data_dir(path)
    if directory.is_dir():
        times += [p.stat().st_mtime_ns for p in sorted(directory.glob("*.yaml"))]
    return tuple(times)


def load(gazetteer: Path | str = DEFAULT_GAZETTEER) -> Gazetteer:
    """The gazetteer, validated and cached until one of its files changes."""
    path = resolve(gazetteer)
    return _load(str(path), stamp(path))


@functools.lru_cache(maxsize=8)
def _load(path: str, _stamp: tuple[int, ...]) -> Gazetteer:
    main = Path(path)
    entries = [_parse_entry(path, i, item) for i, item in enumerate(_read_list(main), start=1)]
    directory = data_dir(main)
    extra: dict[str, dict] = {}
    for file in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        extra[file.stem] = _read_mapping(file)
    for stem, data in extra.items():
        for i, item in enumerate(data.get("entries") or [], start=1):
            entries.append(_parse_entry(str(directory / f"{stem}.yaml"), i, item))
    countries = extra.get("countries")
    if countries:
        entries += _cldr_entries(countries.get("cldr") or {}, entries)
    merged = _merge(entries, path)
    inflections = (extra.get("inflections") or {}).get("languages") or {}
    rules = extra.get("rules") or {}
    return Gazetteer(
        entries=merged,
        index=_index(merged, path),
        inflections=inflections,
        generic_bodies=_generic_bodies(rules.get("generic_bodies") or {}, merged, path),
        surname_defaults={alias_key(k): v for k, v in (rules.get("lone_surnames") or {}).items()},
        short_forms={alias_key(k): v for k, v in (rules.get("short_forms") or {}).items()},
        not_names=frozenset(alias_key(w) for words in (rules.get("not_names") or {}).values() for w in words or []),
        capitals=dict(rules.get("capitals") or {}),
        transliteration=dict(extra.get("transliteration") or {}),
        person_titles=frozenset(t for titles in (rules.get("person_titles") or {}).values() for t in titles or []),
        korean_surnames=frozenset(rules.get("romanised_korean_surnames") or []),
        by_name={e.name: e for e in merged},
    )


def with_aliases(base: Gazetteer, aliases: tuple[tuple[str, str, str], ...]) -> Gazetteer:
    """The gazetteer plus analysts' aliases ((alias, canonical name, label) from `nkru alias add`): an alias of a
    gazetteer name joins its entry, an alias of any other name makes an entry for that name."""
    if not aliases:
        return base
    extra = [GazetteerEntry(name, label, (name, alias)) for alias, name, label in aliases if label in LABELS]
    known = {e.name: e.label for e in base.entries}
    extra = [e if known.get(e.name, e.label) == e.label else replace(e, label=known[e.name]) for e in extra]
    merged = _merge([*base.entries, *extra], "analyst aliases")
    index = dict(base.index)
    for entry in merged:
        for alias in entry.aliases:
            index.setdefault(alias_key(alias), entry)
    by_name = {e.name: e for e in merged}
    index = {key: by_name[entry.name] for key, entry in index.items()}
    for alias, name, _ in aliases:
        if name in by_name:
            index[alias_key(alias)] = by_name[name]  # the analyst's word wins
    return replace(base, entries=merged, index=index, by_name=by_name)


def _read_list(path: Path) -> list:
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise GazetteerError(f"{path}: the gazetteer must be a list of entries (- name: ..., label: ...)")
    return data


def _read_mapping(path: Path) -> dict:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise GazetteerError(f"{path}: expected a mapping (source: ..., entries: [...])")
    return data


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(f"cannot read gazetteer {path}: {exc}") from exc


def _parse_entry(path: str, number: int, item: object) -> GazetteerEntry:
    where = f"{path}: entry {number}"
    if not isinstance(item, dict):
        raise GazetteerError(f"{where}: expected a mapping with name, label and aliases")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise GazetteerError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    name, label, aliases = item.get("name"), item.get("label"), item.get("aliases") or []
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(f"{where}: name must be a non-empty string")
    where = f"{where} ({name})"
    if label not in LABELS:
        raise GazetteerError(f"{where}: label must be one of {', '.join(LABELS)}, not {label!r}")
    names = item.get("names") or {}
    if not isinstance(names, dict):
        raise GazetteerError(f"{where}: names must map a language code to a list of spellings")
    for spellings in [aliases, *names.values()]:
        if not isinstance(spellings, list) or not all(isinstance(a, str) and a.strip() for a in spellings):
            raise GazetteerError(f"{where}: aliases must be a list of non-empty strings")
    every = [name, *aliases, *(s for spellings in names.values() for s in spellings)]
    country = item.get("country")
    return GazetteerEntry(
        name=" ".join(name.split()),
        label=label,
        aliases=tuple(dict.fromkeys(" ".join(s.split()) for s in every)),
        country=" ".join(country.split()) if isinstance(country, str) else None,
    )


def _cldr_entries(settings: dict, known: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """One GPE entry per CLDR territory, with its name in every listed language.

    The canonical name is CLDR's English name unless `names` overrides it (KP -> North Korea); codes in `skip`
    (continents, the EU, unknown region) are left out.
    """
    from babel import Locale

    languages = settings.get("languages") or []
    skip = set(settings.get("skip") or [])
    overrides = settings.get("names") or {}
    english = Locale("en").territories
    locales = [Locale.parse(code.replace("-", "_")) for code in languages]
    out = []
    for code, english_name in sorted(english.items()):
        if len(code) != 2 or not code.isalpha() or code in skip:
            continue
        spellings = {english_name} | {locale.territories[code] for locale in locales if code in locale.territories}
        name = overrides.get(code, english_name)
        aliases = tuple(sorted(spellings))
        out.append(GazetteerEntry(name, "GPE", (name, *aliases), generated=frozenset(aliases) - {name}))
    for code, name in (settings.get("regions") or {}).items():
        spellings = {locale.territories[str(code)] for locale in locales if str(code) in locale.territories}
        aliases = tuple(sorted(spellings | {english.get(str(code), name)}))
        out.append(GazetteerEntry(name, "LOC", (name, *aliases), generated=frozenset(aliases) - {name}))
    return out


def _merge(entries: Iterable[GazetteerEntry], path: str) -> tuple[GazetteerEntry, ...]:
    """Entries with the same name become one (the first one's label); generated aliases that another entry
    already owns by hand are dropped."""
    merged: dict[str, GazetteerEntry] = {}
    for entry in entries:
        first = merged.get(entry.name)
        if first is None:
            merged[entry.name] = entry
            continue
        if first.label != entry.label:
            raise GazetteerError(f"{path}: {entry.name!r} is both {first.label} and {entry.label}")
        merged[entry.name] = GazetteerEntry(
            first.name,
            first.label,
            tuple(dict.fromkeys((*first.aliases, *entry.aliases))),
            first.country or entry.country,
            (first.generated | entry.generated) - (set(first.aliases) - first.generated),
        )
    owners: dict[str, str] = {}
    for entry in merged.values():
        for alias in entry.aliases:
            if alias not in entry.generated:
                owners.setdefault(alias_key(alias), entry.name)
    out = []
    for entry in merged.values():
        keep = tuple(
            a for a in entry.aliases if a not in entry.generated or owners.get(alias_key(a), entry.name) == entry.name
        )
        out.append(GazetteerEntry(entry.name, entry.label, keep, entry.country, entry.generated))
    return tuple(out)


def _index(entries: Iterable[GazetteerEntry], path: str = "gazetteer") -> dict[str, GazetteerEntry]:
    """alias_key -> entry, refusing a hand-written alias shared by two entries; a generated one goes to the
    first entry that has it."""
    index: dict[str, GazetteerEntry] = {}
    for entry in entries:
        for alias in entry.aliases:
            key = alias_key(alias)
            other = index.setdefault(key, entry)
            if other.name != entry.name and alias not in entry.generated:
                raise GazetteerError(f"{path}: alias {alias!r} of {entry.name!r} is also {other.name!r}")
    return index


def _generic_bodies(generic: dict, entries: tuple[GazetteerEntry, ...], path: str) -> dict[str, dict[str, str]]:
    """ "Foreign Ministry" -> {"Russia": "Ministry of Foreign Affairs of Russia", ...}, checked against entries."""
    names = {e.name for e in entries}
    out: dict[str, dict[str, str]] = {}
    for group in generic.values():
        by_country = group.get("bodies") or {}
        for country, body in by_country.items():
            if body not in names or country not in names:
                raise GazetteerError(f"{path}: generic body: {country!r} or {body!r} is not an entry")
        for spelling in group.get("names") or []:
            out[alias_key(spelling)] = dict(by_country)
    return out


GENERIC = "generic:"


def generic_entries(gazetteer: Gazetteer) -> tuple[GazetteerEntry, ...]:
    """The generic body names as pseudo-entries for the matcher: named "generic:<alias key>", never stored."""
    return tuple(GazetteerEntry(GENERIC + key, "ORG", (key,)) for key in gazetteer.generic_bodies)


def entry_rows(gazetteer: Path | str = DEFAULT_GAZETTEER) -> list[tuple[str, str, str]]:
    """(canonical name, label, alias) for every alias, the canonical name included: seeds entity_aliases."""
    return [(e.name, e.label, alias) for e in load(gazetteer).entries for alias in e.aliases]


def nationality_links(gazetteer: Path | str = DEFAULT_GAZETTEER) -> list[tuple[str, str]]:
    """(nationality, country) for every NORP entry that names its country: "North Korean" -> "North Korea"."""
    g = load(gazetteer)
    names = {e.name: e.label for e in g.entries}
    return [(e.name, e.country) for e in g.entries if e.label == "NORP" and e.country and e.country in names]
