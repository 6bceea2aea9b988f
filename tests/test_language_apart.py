"""A large batch detects its items' languages in a child process (lingua holds the GIL): the same languages as
in the ingest process, and still detected if the child process cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime

from nkru import language, language_apart
from tests.feedserver import FeedServer
from tests.test_language import HEADLINES
from tests.test_pipeline import ingest_all, settings_for

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _feeds(server: FeedServer, declared: str = "en") -> dict[str, str]:
    """One feed per language of `HEADLINES`, each declaring `declared`, served by `server`."""
    for n, (code, headline) in enumerate(sorted(HEADLINES.items())):
        server.set_content(
            f"{code}.xml",
            f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{code}</title>
            <link>https://wire.example/</link><description>x</description><language>{declared}</language>
            <item><title>{headline}</title><link>https://wire.example/{n}</link><guid>{n}</guid>
            <pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>""".encode(),
            content_type="application/rss+xml",
        )
    return {code: server.url(f"{code}.xml") for code in HEADLINES}


def _stored_languages(db) -> dict[str, str]:
    with db, db.cursor() as cur:
        cur.execute("SELECT url, language FROM articles")
        return dict(cur.fetchall())


def test_the_child_process_detects_what_the_ingest_process_would(db, monkeypatch):
    monkeypatch.setattr(language_apart, "APART_FEEDS", 1)
    with FeedServer() as server:
        feeds = _feeds(server)
        ingest_all(db, settings_for(feeds, per_host_delay_seconds=0), "run-1", NOW)
    expected = {
        f"https://wire.example/{n}": language.detect(headline, "", hint="en").code
        for n, (_, headline) in enumerate(sorted(HEADLINES.items()))
    }
    assert _stored_languages(db) == expected
    assert sorted(expected.values()) == sorted(HEADLINES)


class _Gone:
    """A detector whose child process is gone."""

    def __enter__(self) -> _Gone:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def start(self) -> None:
        pass

    def detect(self, items: list) -> None:
        raise BrokenPipeError("the child process terminated abruptly")


def test_without_the_child_process_the_items_are_still_detected(db, monkeypatch):
    monkeypatch.setattr(language_apart, "detector_for", lambda _feeds: _Gone())
    with FeedServer() as server:
        ingest_all(db, settings_for(_feeds(server), per_host_delay_seconds=0), "run-1", NOW)
    assert sorted(_stored_languages(db).values()) == sorted(HEADLINES)


def test_a_child_process_that_cannot_start_leaves_the_detection_to_the_ingest_process(db, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no such interpreter")

    monkeypatch.setattr(language_apart, "APART_FEEDS", 1)
    monkeypatch.setattr(language_apart.subprocess, "Popen", refuse)
    with FeedServer() as server:
        ingest_all(db, settings_for(_feeds(server), per_host_delay_seconds=0), "run-1", NOW)
    assert sorted(_stored_languages(db).values()) == sorted(HEADLINES)
