"""`nkru stories`: find stories in the terminal with the Stories page's search and filters.

The search is the UI's (`store.workspace.search_stories`, `sql/queries/search_stories.sql`): words in titles,
summaries and full text in each article's own language, substring search where no stemmer fits, and any
spelling of an entity in any script. Each story comes with every relevant article of it (url, source, display
name, language, time, why it joined), so `--json` answers "who carried it" without a second query.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from typing import Any

import click
from rich.padding import Padding
from rich.text import Text

from nkru.aliases import alias_key
from nkru.config import ConfigError, load_settings
from nkru.edge.cli.common import (
    EXIT_NO_DATA,
    EXIT_USAGE,
    SINCE,
    UNTIL,
    console,
    database,
    echo,
    fail,
    output_options,
    print_rows,
    terminal_text,
    with_database_errors,
)
from nkru.store import Connection
from nkru.store import feeds as feed_store
from nkru.store import trends as trend_store
from nkru.store import workspace as ws_store
from nkru.stories.coverage import coverage
from nkru.trends.lookup import UnknownEntity, resolve_entity
from nkru.trends.tables import plural

MAX_QUERY_CHARS = 200  # as the Stories page
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# `--csv`: one row per story; `other_articles` lists the later reports as "source language url".
CSV_COLUMNS = (
    "story_id",
    "published_at",
    "title",
    "source",
    "display_name",
    "language",
    "languages",
    "outlets",
    "article_count",
    "score",
    "url",
    "entities",
    "matched_terms",
    "other_articles",
)


def register(main: click.Group) -> None:
    main.add_command(stories)


@click.command()
@click.option("--since", type=SINCE, default="7d", show_default=True, help="90m, 36h, 7d, 4w or an ISO date.")
@click.option(
    "--until", type=UNTIL, help="End of the window: a date (included whole), an ISO time, or 90m/7d before now."
)
@click.option("--entity", help='Only stories naming this entity, in any spelling or script ("Шойгу", "shoigu").')
@click.option("--source", help="Only stories a feed carried: its name in nkru.yaml (`nkru feeds` lists them).")
@click.option("--lang", help="Only articles in this language (ISO 639-1, e.g. ru).")
@click.option("--grep", help='Words to find, as in the UI\'s search box: bridge tumen, "rail link", shoigu -kursk.')
@click.option("--min-score", type=click.FloatRange(min=0), help="Only articles scoring at least this.")
@click.option("--rule", help="Only stories an alert rule queued (by the rule's name).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@output_options
@with_database_errors
def stories(
    since: datetime,
    until: datetime | None,
    entity: str | None,
    source: str | None,
    lang: str | None,
    grep: str | None,
    min_score: float | None,
    rule: str | None,
    limit: int,
    output: str,
) -> None:
    """Newest North Korea–Russia stories: headline, link, source, time, languages, score, terms, entities, and
    every outlet that carried each. Filters combine; a story matches when one of its articles matches them all."""
    if until is not None and until <= since:
        fail(f"--until {until:%Y-%m-%d %H:%M} UTC is not after --since {since:%Y-%m-%d %H:%M} UTC", EXIT_USAGE)
    grep = _words(grep, "--grep")
    lang = _language(lang)
    with database() as conn:
        choices = ws_store.filter_choices(conn)
        source = _source(source, choices["sources"], output) if source is not None else None
        entity_ids = _entity_ids(conn, _words(entity, "--entity"), output) if entity is not None else ()
        search = ws_store.StorySearch(
            query=grep,
            entity_ids=entity_ids,
            source=source,
            language=lang,
            since=since,
            until=until,
            min_score=min_score,
            rule=rule,
            limit=limit,
        )
        found, _ = ws_store.search_stories(conn, search, alias_key(grep) if grep else None)
        rows = _with_articles(conn, found, _display_names(conn))
    if output != "table":
        print_rows([_csv_row(r) for r in rows] if output == "csv" else rows, output, CSV_COLUMNS)
    elif rows:
        _print_stories(rows)
    if not rows:
        if output == "table":
            echo(_nothing_found(since, lang, rule, choices), err=True)
        raise SystemExit(EXIT_NO_DATA)


def _words(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if not text or len(text) > MAX_QUERY_CHARS:
        fail(f"{option} needs 1 to {MAX_QUERY_CHARS} characters", EXIT_USAGE)
    return text


def _language(lang: str | None) -> str | None:
    if lang is None:
        return None
    code = lang.strip().lower()
    if not _LANGUAGE.match(code):
        fail(f"--lang {lang!r} is not a language code: use two or three letters such as ru, ko, en", EXIT_USAGE)
    return code


def _source(value: str, known: list[str], output: str) -> str:
    """The feed called `value` (case aside, when that leaves one); an unknown one is an error naming the closest."""
    if value in known:
        return value
    folded = {name.casefold(): name for name in known}
    if value.casefold() in folded and sum(n.casefold() == value.casefold() for n in known) == 1:
        return folded[value.casefold()]
    close = [folded[k] for k in difflib.get_close_matches(value.casefold(), list(folded), n=3, cutoff=0.5)]
    hint = f"closest: {', '.join(close)}" if close else f"feeds: {', '.join(known[:12]) or 'none yet'}"
    if output == "json":
        print_rows([], output, CSV_COLUMNS)
    fail(f"no feed is called {value!r}; {hint}", EXIT_USAGE)
    raise AssertionError  # unreachable


def _entity_ids(conn: Connection, text: str, output: str) -> tuple[int, ...]:
    """Every entity this spelling leads to, in any script (alias keys, analysts' aliases included), as the
    Stories page's entity filter; an unknown name is a usage error with the closest names."""
    rows = trend_store.find_entities(conn, [alias_key(text)])
    if rows:
        return tuple(r["entity_id"] for r in rows)
    try:
        return (resolve_entity(conn, text).entity_id,)  # a canonical name with no alias row
    except UnknownEntity as exc:
        if output == "json":
            print_rows([], output, CSV_COLUMNS)
        fail(str(exc), EXIT_USAGE)
        raise  # unreachable


def _display_names(conn: Connection) -> dict[str, str]:
    """How each feed is shown, as the e-mails and the workspace show it (`feeds.outlet`: the display name of the
    settings file, else the title the feed gives itself, else its name); the settings file is read too, so a
    display name just added shows before the next run copies it. A settings file that cannot be read does not
    stop a query."""
    with conn, conn.cursor() as cur:
        names = feed_store.outlet_names(cur)
    try:
        settings = load_settings()
    except ConfigError:
        return names
    return {**names, **{f.name: f.display_name for f in settings.feeds if f.display_name}}


def _with_articles(conn: Connection, found: list[dict], names: dict[str, str]) -> list[dict]:
    """Each story of the search with its relevant articles ("reports", first first), entities and terms."""
    ids = [r["story_id"] for r in found]
    articles = ws_store.stories_articles(conn, ids)
    entities = ws_store.stories_entities(conn, ids)
    relevant = {sid: [a for a in rows if a["relevant"]] for sid, rows in articles.items()}
    joins = ws_store.story_joins(conn, [a["article_id"] for rows in relevant.values() for a in rows])
    rows = []
    for story in found:
        reports = [_report(a, joins.get(a["article_id"]), names) for a in relevant.get(story["story_id"], [])]
        first = reports[0] if reports else {}
        rows.append(
            {
                "story_id": story["story_id"],
                "title": story["title"],
                "published_at": story["published_at"],
                "url": story["url"],
                "source": story["source"],
                "display_name": names.get(story["source"], story["source"]),
                "language": first.get("language"),
                "languages": story["languages"],
                "score": round(story["score"], 2),
                "matched_terms": first.get("matched_terms") or [],
                "entities": [e["entity"] for e in entities.get(story["story_id"], [])],
                "outlets": story["outlets"],
                "other_outlets": max(story["outlets"] - 1, 0),
                "article_count": story["articles"],
                "coverage": _coverage(reports),
                "reports": reports,
            }
        )
    return rows


def _report(article: dict, join: dict | None, names: dict[str, str]) -> dict[str, Any]:
    """One article of a story as the JSON lists it: where, when, in which language, and why it joined."""
    return {
        "article_id": article["article_id"],
        "url": article["url"],
        "title": article["title"],
        "source": article["source"],
        "outlet": article["source"],
        "display_name": names.get(article["source"], article["source"]),
        "also_in": [{"source": n, "display_name": names.get(n, n)} for n in article["also_in"]],
        "language": article["language"],
        "published_at": article["published_at"],
        "score": round(article["score"], 2),
        "matched_terms": article["matched_terms"] or [],
        "joined_by": join["rule"] if join else None,
        "why": join["reason"] if join else None,
    }


def _coverage(reports: list[dict]) -> str:
    """'First reported by TASS (ru) at …, then 3 more reports from 3 other outlets …', with display names."""
    return coverage([{**r, "outlet": r["display_name"]} for r in reports])


def _csv_row(row: dict) -> dict:
    later = [f"{r['source']} {r['language'] or '?'} {r['url']}" for r in row["reports"][1:]]
    return {**row, "other_articles": later}


def _nothing_found(since: datetime, lang: str | None, rule: str | None, choices: dict) -> str:
    message = f"no relevant stories match since {since:%Y-%m-%d %H:%M} UTC"
    if lang and lang not in choices["languages"]:
        message += f"; no relevant article is in {lang!r} (stored: {', '.join(choices['languages']) or 'none'})"
    if rule and rule not in choices["rules"]:
        message += f"; no alert was ever queued by a rule {rule!r} (rules: {', '.join(choices['rules']) or 'none'})"
    return message


def _print_stories(rows: list[dict]) -> None:
    out = console()

    def line(text: str, indent: int = 0, style: str = "") -> None:
        # feed text: never read as markup, no control characters; wrapped lines keep their indent
        out.print(Padding(Text(terminal_text(text), style=style), (0, 0, 0, indent), expand=False), highlight=False)

    for row in rows:
        others = f" (+{plural(row['other_outlets'], 'more outlet')})" if row["other_outlets"] else ""
        line(row["title"], style="bold")
        line(
            f"{row['published_at']:%Y-%m-%d %H:%M} UTC · {_outlet(row)}{others} · {row['language'] or '??'}"
            f" · score {row['score']:.1f}",
            2,
        )
        line(row["url"], 2)
        if row["matched_terms"]:
            line("terms: " + ", ".join(row["matched_terms"]), 2)
        if row["entities"]:
            line("entities: " + ", ".join(row["entities"][:12]), 2)
        if len(row["reports"]) > 1:
            line(row["coverage"], 2)
            for report in row["reports"][1:]:
                line(f"+ {_joined_line(report)}", 4)
                line(report["url"], 6)
        out.print()


def _outlet(row: dict) -> str:
    """'TASS (tass-ru)' when the feed has a display name, else its name."""
    name, shown = row["source"], row["display_name"]
    return f"{shown} ({name})" if shown != name else name


def _joined_line(report: dict) -> str:
    """'TASS (ru) 2026-03-25 09:10 UTC: same event: shared Sergei Naryshkin, Ri Chang Dae; kind visit; 2.1 h'."""
    why = report.get("why") or {}
    parts = [str(report.get("joined_by") or "grouped before reasons were kept")]
    if why.get("shared_entities"):
        parts.append("shared " + ", ".join(why["shared_entities"][:6]))
    if why.get("kind"):
        parts.append(f"kind {why['kind']}")
    if why.get("time_gap_hours") is not None:
        parts.append(f"{why['time_gap_hours']} h after the first report")
    if why.get("similarity"):
        parts.append(f"similarity {why['similarity']}")
    when = f"{report['published_at']:%Y-%m-%d %H:%M}"
    return f"{_outlet(report)} ({report['language'] or '?'}) {when} UTC: " + "; ".join(parts)
