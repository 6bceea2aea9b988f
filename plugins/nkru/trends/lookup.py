"""Finding an entity by whatever spelling the user types, and suggesting names when none matches.

`nkru trend "Ким Чен Ын"`, `nkru trend "kim jong-un"` and `nkru trend "Kim Jong Un"` all reach the same entity:
the typed text is folded with the same `alias_key` the extractor used when it stored the aliases, and looked up
in `entity_aliases`. The text is only ever a query parameter, so quotes, `%`, `_` or SQL in it are just text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from nkru.aliases import alias_key
from nkru.store import Connection
from nkru.store import trends as trend_store


@dataclass(frozen=True)
class EntityMatch:
    """The entity a spelling leads to; `others` are further entities sharing that spelling (other labels)."""

    entity_id: int
    name: str
    label: str
    articles: int
    others: tuple[str, ...] = ()


class UnknownEntity(LookupError):
    """No entity has this spelling; `suggestions` are the closest canonical names."""

    def __init__(self, text: str, suggestions: list[str], any_stored: bool = True) -> None:
        self.text = text
        self.suggestions = suggestions
        if suggestions:
            hint = f"Closest names: {', '.join(suggestions)}."
        elif any_stored:
            hint = "No similar names; `nkru rising --min-count 1` lists names in use."
        else:
            hint = "No entities are stored yet."
        super().__init__(f"no entity is known as {text!r}. {hint}")


def resolve_entity(conn: Connection, text: str) -> EntityMatch:
    """The most-covered entity spelled `text` (any alias, any script), or raise UnknownEntity with suggestions."""
    key = alias_key(text)
    rows = trend_store.find_entities(conn, [key]) if key else []
    if not rows:  # a canonical name with no alias row (e.g. added by hand), else the closest names
        names = trend_store.entity_names(conn)
        ids = sorted({r["entity_id"] for r in names if key and alias_key(r["entity"]) == key})
        rows = trend_store.find_entities(conn, [], ids) if ids else []
        if not rows:
            raise UnknownEntity(text, closest_names(names, key), any_stored=bool(names))
    best, rest = rows[0], rows[1:]
    others = tuple(f"{r['entity']} ({r['label']})" for r in rest)
    return EntityMatch(best["entity_id"], best["entity"], best["label"], best["articles"], others)


def closest_names(names: list[dict], key: str, limit: int = 5) -> list[str]:
    """Canonical names whose spellings (rows of entity_names) are closest to `key`: containing it, then similar."""
    canonical: dict[str, str] = {}
    for row in names:
        canonical.setdefault(alias_key(row["name"]), row["entity"])
    if not key or not canonical:
        return []
    containing = sorted((k for k in canonical if key in k), key=len)
    similar = difflib.get_close_matches(key, list(canonical), n=limit * 3, cutoff=0.6)
    suggestions: list[str] = []
    for k in containing + similar:
        if canonical[k] not in suggestions:
            suggestions.append(canonical[k])
    return suggestions[:limit]
