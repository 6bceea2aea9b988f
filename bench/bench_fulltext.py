"""Full text for headline-only items: recall and precision with and without it, and what it costs in requests.

    .venv/bin/python bench/bench_fulltext.py

Five outlets on five loopback hosts (127.0.0.2-6: English, Russian, Korean, German, French) each serve a
headline-only feed and the article pages of `bench/fulltext/pages/` (62 pages written for nkru: navigation, ads,
related stories and comments naming the other side, some paywalls; see `bench/fulltext/render.py`), and a
robots.txt (one host forbids a section, one has none). One real pass runs: ingest (the baseline: the verdict
from the headline alone), then the full-text step, in a throw-away database.

Printed: recall and precision on the labelled items without and with full text (all languages, and per
language); the pages by status; the requests the step made (pages and robots.txt) against the feed requests of
the pass. That pass is all candidates, so its share is no typical run: the typical share is then worked out from
the candidate rates measured over the labelled relevance sets (`bench/relevance/*.yaml`: of the relevant items,
and of the others, which all name one of the two countries, so an upper bound for a general feed list), the
README's 1-2 % relevant items and ~10 new items a feed a day, one run every 15 minutes.
Goals: recall up, precision not down, typical extra requests < 10 % of the feed requests.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]

from nkru import fulltext, pipeline, store  # noqa: E402
from nkru.config import FeedConfig, Settings, parse_settings  # noqa: E402
from nkru.relevance import Scorer  # noqa: E402
from tests.databases import create_database, drop_database  # noqa: E402
from tests.hostserver import HostServer  # noqa: E402

FIXTURES = ROOT / "bench" / "fulltext"
HOSTS = {"en": "127.0.0.2", "ru": "127.0.0.3", "ko": "127.0.0.4", "de": "127.0.0.5", "fr": "127.0.0.6"}
ROBOTS = {
    "en": b"User-agent: *\nDisallow: /members/\n",
    "ru": b"User-agent: *\nAllow: /\n",
    "de": b"# no rules for anyone\n",
    "fr": b"User-agent: badbot\nDisallow: /\n",
}  # Korean host: no robots.txt (404), so everything is allowed
ITEMS_PER_FEED_PER_DAY = 10  # README, "PostgreSQL: size and indexes"
RELEVANT_SHARE = 0.02  # README: relevant items are ~1-2 % of all
RUNS_PER_DAY = 96  # every 15 minutes
GOAL_SHARE = 0.10


def load_articles() -> list[dict]:
    articles: list[dict] = []
    for path in sorted(FIXTURES.glob("articles_*.yaml")):
        articles.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return articles


def headline_feed(articles: list[dict], server: HostServer) -> bytes:
    items = "".join(
        f"<item><title>{a['title']}</title><link>{server.url('news/' + a['id'] + '.html')}</link>"
        f"<guid>{a['id']}</guid><pubDate>Mon, 23 Nov 2026 08:10:00 GMT</pubDate></item>"
        for a in articles
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{items}</channel></rss>".encode()


def scores(rows: dict[str, bool], articles: list[dict]) -> tuple[float, float, int, int]:
    """(recall, precision, true positives, predicted positives) of `rows` (id -> relevant) against the labels."""
    predicted = {a["id"] for a in articles if rows.get(a["id"])}
    truth = {a["id"] for a in articles if a["relevant"]}
    hits = len(predicted & truth)
    recall = hits / len(truth) if truth else 0.0
    precision = hits / len(predicted) if predicted else 1.0
    return recall, precision, hits, len(predicted)


def verdicts(conn) -> dict[str, bool]:
    with conn, conn.cursor() as cur:
        cur.execute("SELECT url, relevant FROM articles")
        return {url.rpartition("/")[2].removesuffix(".html"): relevant for url, relevant in cur.fetchall()}


def candidate_rates(settings: Settings) -> tuple[float, float, int]:
    """(share of the relevant labelled items that are candidates, share of the others that are, items): measured
    over the labelled relevance sets (title + summary). Every item there names one of the two countries or
    their neighbours, so the second share is an upper bound for a general feed list."""
    scorer = Scorer(settings.topic)
    items = []
    for path in sorted((ROOT / "bench" / "relevance").glob("*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("items") or [])
    counts = Counter()
    for item in items:
        title, summary = item.get("title") or "", item.get("summary") or ""
        verdict = scorer.score(title, summary)
        kind = "relevant" if verdict.relevant else "other"
        counts[kind] += 1
        counts[kind + " wanted"] += fulltext.why_wanted(scorer, settings, title, summary, verdict) is not None
    share = {kind: counts[kind + " wanted"] / max(1, counts[kind]) for kind in ("relevant", "other")}
    return share["relevant"], share["other"], len(items)


def main() -> int:
    articles = load_articles()
    by_lang: dict[str, list[dict]] = {}
    for article in articles:
        by_lang.setdefault(article["id"].split("-")[0], []).append(article)
    servers = {lang: HostServer(address, FIXTURES / "pages").start() for lang, address in HOSTS.items()}
    url = create_database(prefix="nkru_bench")
    try:
        for lang, server in servers.items():
            for article in by_lang[lang]:
                page = (FIXTURES / "pages" / f"{article['id']}.html").read_bytes()
                server.set_content(f"news/{article['id']}.html", page, content_type="text/html; charset=utf-8")
            server.set_content("rss.xml", headline_feed(by_lang[lang], server), content_type="application/rss+xml")
            if lang in ROBOTS:
                server.set_content("robots.txt", ROBOTS[lang], content_type="text/plain")
        base = parse_settings("fetch: {allow_private_addresses: true, per_host_delay_seconds: 0.05}")
        settings = base.model_copy(
            update={
                "feeds": [FeedConfig(name=f"outlet-{lang}", url=s.url("rss.xml")) for lang, s in servers.items()],
                "fulltext": base.fulltext.model_copy(update={"max_per_run": 1000}),
            }
        )
        with store.connection(url) as conn:
            store.migrate(conn)
            now = datetime.now(UTC)
            for batch in pipeline.plan_batches(conn, settings, now, due_only=False):
                pipeline.ingest_batch(conn, settings, batch, "bench", now=now)
            before = verdicts(conn)
            report = fulltext.fetch_full_texts(conn, settings)
            after = verdicts(conn)
        feed_requests = len(servers)
        met = _print(articles, by_lang, before, after, report, feed_requests, settings)
    finally:
        drop_database(url)
        for server in servers.values():
            server.stop()
    return 0 if met else 1


def _print(articles, by_lang, before, after, report, feed_requests, settings) -> bool:
    """Print the figures; True when the goals are met (recall up, precision not down, typical share < 10 %)."""
    r0, p0, h0, n0 = scores(before, articles)
    r1, p1, h1, n1 = scores(after, articles)
    truth = sum(a["relevant"] for a in articles)
    print(f"fulltext: {len(articles)} headline-only items ({truth} relevant) on {len(by_lang)} outlets/hosts")
    print(f"  headline only : recall {r0:.3f} ({h0}/{truth})  precision {p0:.3f} ({h0}/{n0})")
    print(f"  with full text: recall {r1:.3f} ({h1}/{truth})  precision {p1:.3f} ({h1}/{n1})")
    for lang, items in by_lang.items():
        a, b = scores(before, items), scores(after, items)
        print(f"    {lang}: recall {a[0]:.2f} -> {b[0]:.2f}, precision {a[1]:.2f} -> {b[1]:.2f}")
    print(f"  pages: {dict(sorted(report.pages.items()))}; {report.became_relevant} items became relevant")
    share = report.requests / feed_requests
    print(
        f"  requests of this pass: {report.requests} for full text ({report.robots_requests} robots.txt) against "
        f"{feed_requests} feed requests ({share:.0%}: every item here is a candidate)"
    )
    wanted_relevant, wanted_other, n = candidate_rates(settings)
    rate = RELEVANT_SHARE * wanted_relevant + (1 - RELEVANT_SHARE) * wanted_other
    per_run = ITEMS_PER_FEED_PER_DAY / RUNS_PER_DAY
    robots_per_run = len(HOSTS) / RUNS_PER_DAY / max(1, feed_requests)  # each article host's robots.txt once a day
    typical = per_run * rate + robots_per_run
    verdict = "goal met" if typical < GOAL_SHARE else "goal missed"
    print(
        f"  typical run: candidates among {n} labelled items: {wanted_relevant:.0%} of the relevant, "
        f"{wanted_other:.0%} of the others (all of this beat: an upper bound); at {RELEVANT_SHARE:.0%} relevant "
        f"that is {rate:.1%} of items; x {per_run:.3f} new items per feed per run + robots.txt once a day per "
        f"host = {typical:.1%} extra requests per feed request (goal < {GOAL_SHARE:.0%}: {verdict})"
    )
    kinds = Counter(a["id"].split("-")[0] for a in articles)
    print(f"  pages per language: {dict(kinds)}")
    return r1 > r0 and p1 >= p0 and typical < GOAL_SHARE


if __name__ == "__main__":
    sys.exit(main())
