"""Entities as they land in the database and as analysts query and correct them: nationalities counted for their
country, `nkru entities --unlinked`, `nkru alias add/list/remove`, `nkru reextract`, bad input recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from nkru import pipeline_process
from nkru.config import FeedConfig, load_settings
from nkru.edge.cli import main
from nkru.store import articles as article_store
from nkru.store import feeds as feed_store
from nkru.store import trends as trend_store

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def env(tmp_path, db_url, monkeypatch):
    settings = tmp_path / "nkru.yaml"
    settings.write_text(
        f'feeds: []\nentities: {{gazetteer: "{ROOT / "config" / "gazetteer.yaml"}"}}\n', encoding="utf-8"
    )
    monkeypatch.setenv("NKRU_DATABASE_URL", db_url)
    monkeypatch.setenv("NKRU_CONFIG", str(settings))
    return settings


def nkru(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def store_items(db, items: list[tuple[str, str, str | None]]) -> None:
    """(title, summary, language) as relevant articles of one feed, then extract them as a run would."""
    with db, db.cursor() as cur:
        feed_store.sync_feeds(cur, [FeedConfig(name="wire", url="https://wire.example.org/rss")])
        feed_id = feed_store.feed_ids(cur, ["wire"])["wire"]
        article_store.save_articles(
            cur,
            feed_id,
            [
                article_store.NewArticle(
                    url=f"https://wire.example.org/{n}-{hash(title) & 0xFFFF}",
                    guid=f"{n}-{title}",
                    title=title,
                    summary=summary,
                    language=language,
                    published_at=NOW - timedelta(hours=n + 1),
                    score=3.0,
                    relevant=True,
                    matched_terms=("test",),
                    reason="test",
                )
                for n, (title, summary, language) in enumerate(items)
            ],
            NOW,
        )
    pipeline_process.process_pending(db, load_settings())
    trend_store.refresh_daily(db)


def test_a_nationality_counts_for_its_country_and_the_top_lists_show_the_country_once(env, db):
    store_items(
        db,
        [
            ("North Korean troops reach Kursk", "Thousands of North Korean soldiers were seen in Kursk.", "en"),
            ("Nordkoreanische Soldaten in Kursk", "Die nordkoreanischen Soldaten kämpfen für Russland.", "de"),
            ("North Korea and Russia sign a pact", "North Korea and Russia signed a treaty.", "en"),
        ],
    )
    top = trend_store.top_entities(db, (NOW - timedelta(days=3)).date(), NOW.date(), limit=50)
    by_name = {row["entity"]: row for row in top}
    assert by_name["North Korea"]["articles"] == 3
    assert "North Korean" not in by_name
    listed = json.loads(nkru("entities", "--since", "3d", "--top", "50", "--json").output)
    assert [e["articles"] for e in listed if e["name"] == "North Korea"] == [3]
    assert not [e for e in listed if e["label"] == "NORP"]
    with db, db.cursor() as cur:  # the mention itself keeps its label
        cur.execute("SELECT DISTINCT e.label FROM mentions m JOIN entities e ON e.id = m.entity_id")
        assert "NORP" in {row[0] for row in cur.fetchall()}


def test_unlinked_names_alias_and_reextract(env, db):
    store_items(
        db,
        [
            ("Russia's deputy minister in Pyongyang", "Sergey Ryabkov met North Korean officials in Pyongyang.", "en"),
            ("Рябков прибыл в Пхеньян", "Замминистра Сергей Рябков прибыл в Пхеньян.", "ru"),
            ("Рябков провёл переговоры", "Переговоры с Сергеем Рябковым прошли в Пхеньяне.", "ru"),
        ],
    )
    unlinked = json.loads(nkru("entities", "--unlinked", "--since", "3d", "--min-articles", "1", "--json").output)
    names = {row["name"]: row for row in unlinked}
    # one canonical spelling across inflections and scripts (Latin letters for a Cyrillic name)...
    assert names["Sergei Ryabkov"]["articles"] == 2
    assert names["Sergei Ryabkov"]["languages"] == ["ru"]
    assert "Сергеем Рябковым" in names["Sergei Ryabkov"]["spellings"]
    # ...but the English copy spells him otherwise: the analyst links the two
    assert names["Sergey Ryabkov"]["articles"] == 1 and "Pyongyang" not in names

    added = nkru("alias", "add", "Sergey Ryabkov", "Sergei Ryabkov")
    assert added.exit_code == 0, added.output
    assert "Sergey Ryabkov -> Sergei Ryabkov (PERSON)" in added.output
    assert "Sergey Ryabkov" in nkru("alias", "list").output

    result = nkru("reextract")
    assert result.exit_code == 0 and result.output.startswith("re-extracted 3 articles"), result.output
    top = {e["name"]: e for e in json.loads(nkru("entities", "--since", "3d", "--top", "50", "--json").output)}
    assert top["Sergei Ryabkov"]["articles"] == 3 and "Sergey Ryabkov" not in top
    assert nkru("reextract").output.startswith("re-extracted 3 articles")  # twice changes nothing
    assert json.loads(nkru("entities", "--since", "3d", "--top", "50", "--json").output) == list(top.values())

    assert nkru("alias", "remove", "sergey  ryabkov").output.startswith("removed: Sergey Ryabkov -> Sergei Ryabkov")
    assert nkru("alias", "list").exit_code == 3
    assert nkru("alias", "remove", "Sergey Ryabkov").exit_code == 3


def test_alias_to_an_ambiguous_or_unknown_name_asks_for_a_label(env, db):
    known = nkru("alias", "add", "Kimčongun", "Kim Jong Un")  # a gazetteer name, before any run
    assert known.exit_code == 0 and "Kimčongun -> Kim Jong Un (PERSON)" in known.output
    unknown = nkru("alias", "add", "Kim Čong-un", "Somebody Nobody Knows")
    assert unknown.exit_code == 2 and "--label" in unknown.output
    assert nkru("alias", "add", "Nobody", "Somebody Nobody Knows", "--label", "person").exit_code == 0
    assert "Somebody Nobody Knows" in nkru("alias", "list").output


def test_bad_items_are_stored_with_the_reason_and_nothing_too_long(env, db):
    store_items(
        db,
        [
            ("Putin and Kim Jong Un in Pyongyang", "Putin met Kim Jong Un in Pyongyang. " * 30_000, "en"),
            ("ข่าวเกาหลีเหนือ Pyongyang", "ข่าวเกาหลีเหนือและรัสเซีย", "th"),
            ("Kim " + "Abcdefghij" * 50 + " met Putin", "Kim Чен Ын met Путин in Moscow on Monday.", "en"),
        ],
    )
    with db, db.cursor() as cur:
        cur.execute("SELECT title, extract_notes, extracted_at IS NOT NULL FROM articles ORDER BY id")
        rows = cur.fetchall()
        cur.execute("SELECT max(length(name)) FROM entities")
        longest_name = cur.fetchone()[0]
        cur.execute("SELECT max(length(alias)) FROM entity_aliases")
        longest_alias = cur.fetchone()[0]
    assert all(extracted for *_, extracted in rows)
    assert any("cut to its first" in note for note in rows[0][1])
    assert any("gazetteer names only" in note for note in rows[1][1])
    assert longest_name <= 200 and longest_alias <= 200
