"""The Stories page (/nkru/stories): search and filter stories, a page at a time.

The search box finds words in titles and summaries in each article's own language (PostgreSQL full-text search,
substring search for languages without a stemmer, the full text when stored; see migration 013), and any
spelling of an entity in any script: "Шойгу" finds the English, Korean and German stories naming Sergei Shoigu.
The entity filter takes any spelling too. Bad filter values are reported on the page and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from nkru.aliases import alias_key
from nkru.edge.web import pages
from nkru.store import Connection
from nkru.store import trends as trend_store
from nkru.store import workspace as ws_store
from nkru.trends.lookup import closest_names

PER_PAGE = 25
MAX_QUERY_CHARS = 200


@dataclass
class Form:
    """The Stories page's query parameters as typed (shown back in the form), and problems with them."""

    q: str = ""
    entity: str = ""
    source: str = ""
    lang: str = ""
    since: str = ""
    until: str = ""
    min_score: str = ""
    rule: str = ""
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: dict[str, str]) -> Form:
        def text(name: str) -> str:
            return (params.get(name) or "").strip()[:MAX_QUERY_CHARS]

        try:
            page = max(1, min(int(params.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        names = ("q", "entity", "source", "lang", "since", "until", "min_score", "rule")
        return cls(**{n: text(n) for n in names}, page=page)

    def params(self, **changes: Any) -> dict[str, Any]:
        values = {n: getattr(self, n) for n in ("q", "entity", "source", "lang", "since", "until", "min_score", "rule")}
        return {**values, "page": self.page if self.page > 1 else None, **changes}


def build_search(conn: Connection, form: Form) -> tuple[ws_store.StorySearch, list[dict]]:
    """The store's search from the form, and the entities the entity filter resolved to (problems go on the form)."""
    entities: list[dict] = []
    if form.entity:
        entities = trend_store.find_entities(conn, [alias_key(form.entity)])
        if not entities:
            suggestions = closest_names(trend_store.entity_names(conn), alias_key(form.entity))
            hint = f" Closest names: {', '.join(suggestions)}." if suggestions else ""
            form.problems.append(f"No entity is known as “{form.entity}”.{hint}")
    since = until = None
    min_score = None
    try:
        day = pages.parse_day(form.since)
        since = pages.day_start(day) if day else None
    except ValueError as exc:
        form.problems.append(f"From: {exc}.")
    try:
        day = pages.parse_day(form.until)
        until = pages.day_start(day) + timedelta(days=1) if day else None  # the "until" day is included
    except ValueError as exc:
        form.problems.append(f"Until: {exc}.")
    if form.min_score:
        try:
            min_score = float(form.min_score)
        except ValueError:
            form.problems.append(f"Minimum score: {form.min_score!r} is not a number.")
    search = ws_store.StorySearch(
        query=form.q or None,
        entity_ids=tuple(e["entity_id"] for e in entities) or ((-1,) if form.entity else ()),
        source=form.source or None,
        language=form.lang or None,
        since=since,
        until=until,
        min_score=min_score,
        rule=form.rule or None,
        limit=PER_PAGE,
        offset=(form.page - 1) * PER_PAGE,
    )
    return search, entities


def render_stories(conn: Connection, params: dict[str, str], base: str = pages.DEFAULT_BASE) -> str:
    form = Form.from_params(params)
    search, entities = build_search(conn, form)
    rows, total = ws_store.search_stories(conn, search, alias_key(form.q) if form.q else None)
    pages_total = max(1, -(-total // PER_PAGE))
    return pages.render(
        "stories.html",
        base=base,
        form=form,
        choices=ws_store.filter_choices(conn),
        entities=entities,
        stories=rows,
        total=total,
        first=search.offset + 1,
        last=search.offset + len(rows),
        previous=pages.query_string(form.params(page=form.page - 1)) if form.page > 1 else None,
        next=pages.query_string(form.params(page=form.page + 1)) if form.page < pages_total else None,
        filtered=any(form.params(page=None).values()),
    )
