"""`nkru explain`: why an item is (or is not) a North Korea–Russia story — the analyst's tool for a miss."""

from __future__ import annotations

import click

from nkru import language as lang
from nkru.edge.cli.common import EXIT_NO_DATA, EXIT_USAGE, console, database, fail, print_json, settings_or_exit
from nkru.relevance import Scorer
from nkru.store import articles as article_store


def register(main: click.Group) -> None:
    main.add_command(explain)


@click.command()
@click.argument("url", required=False)
@click.option("--title", help="The headline to score (instead of a stored article's URL).")
@click.option("--summary", default="", help="The lede or summary that goes with --title.")
@click.option("--language", help="The feed's declared language (ISO 639-1), used only as a hint to the detector.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def explain(url: str | None, title: str | None, summary: str, language: str | None, as_json: bool) -> None:
    """Show how the relevance scorer judges an item: its detected language, every matched term with its side
    and weight, the parties, and why it is or is not relevant.

    Give a stored article's URL (`nkru explain https://...`) or a text (`nkru explain --title "..." --summary
    "..."`). A stored article is judged again with the current settings and lexicon, next to its stored verdict.
    """
    if bool(url) == bool(title is not None):
        fail("give either a stored article's URL or --title (with --summary)", EXIT_USAGE)
    stored = None
    if url:
        with database() as conn, conn, conn.cursor() as cur:
            stored = article_store.article_by_url(cur, url)
        if stored is None:
            fail(f"no stored article with the URL {url}", EXIT_NO_DATA)
        title, summary, language = stored["title"], stored["summary"] or "", language or stored["declared_language"]
    settings = settings_or_exit()
    detected = lang.detect(title or "", summary, hint=language)
    verdict = Scorer(settings.topic).score(title or "", summary, detected.code, explain=True)
    report = {
        "title": title,
        "summary": summary,
        "language": {"code": detected.code, "confidence": detected.confidence, "source": detected.source},
        "score": verdict.score,
        "threshold": settings.topic.threshold,
        "relevant": verdict.relevant,
        "parties": verdict.parties,
        "reason": verdict.reason,
        "terms": [
            {
                "term": c.text,
                "side": c.side,
                "kind": c.kind,
                "weight": c.weight,
                "field": c.field,
                "in_list": c.listed,
                "lexicon": c.language,
            }
            for c in verdict.contributions
        ],
    }
    if stored is not None:
        report["stored"] = {k: stored[k] for k in ("url", "source", "language", "score", "relevant", "reason")}
    if as_json:
        print_json(report)
    else:
        _print(report, detected.describe())


def _print(report: dict, language: str) -> None:
    out = console()
    verdict = "RELEVANT" if report["relevant"] else "not relevant"
    out.print(f"language: {language}", markup=False)
    out.print(f"verdict:  {verdict}, score {report['score']:g} (threshold {report['threshold']:g})", markup=False)
    out.print(f"parties:  {report['parties'] or '-'}", markup=False)
    out.print(f"why:      {report['reason']}", markup=False)
    if report["terms"]:
        out.print("terms:", markup=False)
        width = max(len(t["side"]) for t in report["terms"])
        for t in report["terms"]:
            listed = ", in a list" if t["in_list"] else ""
            out.print(
                f"  {t['side']:<{width}}  {t['weight']:>5.2f}  {t['field']:<7}  {t['term']}"
                f"  ({t['kind']}, lexicon {t['lexicon']}{listed})",
                markup=False,
                highlight=False,
            )
    else:
        out.print("terms:    none matched", markup=False)
    if "stored" in report:
        s = report["stored"]
        was = "relevant" if s["relevant"] else "not relevant"
        out.print(
            f"stored:   {was}, score {s['score']:g}, language {s['language'] or '?'}, from {s['source']}: "
            f"{s['reason']}",
            markup=False,
            highlight=False,
        )
