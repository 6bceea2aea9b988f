"""Event-level story grouping: pairwise precision / recall / F1 on bench/events_labelled.yaml, against MinHash.

    python bench/bench_events.py [path] [--split dev|holdout|holdout2|holdout3|holdoutN|all] [--show-errors]
        [--no-speed]

The reports go through the real extract step (`nkru.entities`), then, in publication order, through
`nkru.stories.grouping.EventMatcher` (what `StoryIndex.assign` decides against the database) and, as the baseline
measured in the same run, through today's MinHash-only `StoryMatcher`. A pair of reports is "grouped" when both land in
one story. Figures per split (dev: tuned on; holdout, holdout2 and holdout3 — the later rounds, in their own
files bench/events_holdout2.yaml and events_holdout3.yaml, each grouped on its own — scored once, first scores
in the sets' headers):
overall, across languages (the two reports in different languages) and within a language; the share of the
set's `different_pairs` (different events within 48 h sharing their actors) that were merged; and the time to
group 10,000 synthetic articles in one window, next to MinHash-only grouping of the same articles.
"""

from __future__ import annotations

import argparse
import inspect
import random
import sys
import time
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from nkru import entities, events  # noqa: E402
from nkru.stories.copies import DEFAULT_WINDOW_HOURS, StoryMatcher, signature, title_key  # noqa: E402
from nkru.stories.grouping import EventMatcher  # noqa: E402
from nkru.stories.reports import report  # noqa: E402

DEFAULT_SET = ROOT / "bench" / "events_labelled.yaml"
HOLDOUT2_SET = ROOT / "bench" / "events_holdout2.yaml"
HOLDOUT3_SET = ROOT / "bench" / "events_holdout3.yaml"
# events_holdout4.yaml ... events_holdout12.yaml, each by an independent hand: read as split holdoutN until its
# first and after scores are written in its header, then as dev for the next round (the header says when).
LATER_HANDS = range(4, 13)
UNSPENT = {12}  # the later hands' sets still held out
SPLITS_OF = {
    DEFAULT_SET: ("dev", "holdout"),
    HOLDOUT2_SET: ("holdout2",),
    HOLDOUT3_SET: ("holdout3",),
    **{ROOT / "bench" / f"events_holdout{n}.yaml": (f"holdout{n}",) if n in UNSPENT else ("dev",) for n in LATER_HANDS},
}
WINDOW = timedelta(hours=DEFAULT_WINDOW_HOURS)


def load(path: Path = DEFAULT_SET) -> tuple[list[dict], list[dict]]:
    """Reports in publication order (each with its event, split and kind) and the different-event pairs."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reports = []
    for event in data["events"]:
        for r in event["reports"]:
            published = datetime.fromisoformat(str(r["published"]).replace("Z", "+00:00"))
            reports.append(
                {
                    **r,
                    "summary": r.get("summary") or "",
                    "published": published,
                    "event": event["id"],
                    "split": event["split"],
                    "kind": event["kind"],
                }
            )
    reports.sort(key=lambda r: (r["published"], r["id"]))
    return reports, data.get("different_pairs") or []


def extract(reports: list[dict]) -> list[list[tuple[str, str]]]:
    """The real extract step's canonical (name, label) pairs for each report."""
    nlp = entities.load_pipeline()
    texts = [f"{r['title']}.\n{r['summary']}" if r["summary"] else r["title"] for r in reports]
    if "languages" in inspect.signature(entities.extract).parameters:  # routed by language (issue 10)
        found = entities.extract(nlp, texts, languages=[r["lang"] for r in reports])
    else:
        found = entities.extract(nlp, texts)
    return [[(m.name, m.label) for m in mentions] for mentions in found]


def group_events(reports: list[dict], mentions: list[list[tuple[str, str]]]) -> tuple[list[int], list]:
    matcher = EventMatcher(window=WINDOW)
    cues = events.load_cues()
    out, decisions = [], []
    for key, (r, found) in enumerate(zip(reports, mentions, strict=True)):
        rep = report(key, r["title"], r["summary"], r["published"], found, cues, language=r["lang"])
        decision = matcher.assign(rep, key)
        out.append(decision.story_id if decision.story_id is not None else key)
        decisions.append(decision)
    return [matcher.resolve(story) for story in out], decisions


def group_minhash(reports: list[dict]) -> list[int]:
    """Today's grouping: near-copies only (MinHash + LSH + exact title)."""
    matcher = StoryMatcher(window=WINDOW)
    out = []
    for key, r in enumerate(reports):
        sig = signature(r["title"], r["summary"])
        title = title_key(r["title"])
        story = matcher.match(sig, title, r["published"])
        story = key if story is None else story
        matcher.add(key, story, sig, title, r["published"])
        out.append(story)
    return out


def pairwise(predicted: list[int], reports: list[dict], split: str, which: str) -> dict:
    """P/R/F1 over pairs of reports of `split`; which = all | cross (different languages) | within."""
    idx = [i for i, r in enumerate(reports) if split == "all" or r["split"] == split]
    tp = fp = fn = 0
    for i, j in combinations(idx, 2):
        cross = reports[i]["lang"] != reports[j]["lang"]
        if (which == "cross" and not cross) or (which == "within" and cross):
            continue
        same_pred, same_label = predicted[i] == predicted[j], reports[i]["event"] == reports[j]["event"]
        tp += same_pred and same_label
        fp += same_pred and not same_label
        fn += same_label and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "pairs": tp + fn, "fp": fp}


def different_merged(predicted: list[int], reports: list[dict], pairs: list[dict], split: str) -> tuple[int, int]:
    """(merged, total) different-event pairs of `split`; merged when a report of one shares a story with the other."""
    splits = {r["event"]: r["split"] for r in reports}
    stories_of: dict[str, set[int]] = {}
    for story, r in zip(predicted, reports, strict=True):
        stories_of.setdefault(r["event"], set()).add(story)
    chosen = [p for p in pairs if split == "all" or splits.get(p["a"]) == split or splits.get(p["b"]) == split]
    merged = sum(bool(stories_of.get(p["a"], set()) & stories_of.get(p["b"], set())) for p in chosen)
    return merged, len(chosen)


# ------------------------------------------------------------------------------------------------- speed


def synthetic(n: int, seed: int = 16) -> list[tuple[dict, list[tuple[str, str]]]]:
    """n articles within one 72 h window: ~n/4 events of 4 reports, actors from a pool, kinds from the cues."""
    rng = random.Random(seed)
    people = [f"Person {i}" for i in range(400)]
    bodies = [f"Ministry {i}" for i in range(100)]
    words_pool = ["visit", "talks", "signed", "missile", "sanctions", "flight", "bridge", "workers", "satellite"]

    start = datetime.fromisoformat("2026-03-01T00:00:00+00:00")
    out = []
    for e in range(n // 4 + 1):
        base = start + timedelta(minutes=rng.randrange(0, 72 * 60))
        actors = [(rng.choice(people), "PERSON"), (rng.choice(bodies), "ORG"), ("North Korea", "GPE")]
        kind = rng.choice(words_pool)
        for k in range(4):
            filler = " ".join(rng.choice(words_pool) + str(rng.randrange(1000)) for _ in range(25))
            title = f"{actors[0][0]} {kind} report {e}-{k} {rng.randrange(10**6)}"
            art = {"title": title, "summary": filler, "published": base + timedelta(minutes=rng.randrange(600))}
            out.append((art, actors[: 2 + k % 2]))
    out = out[:n]
    out.sort(key=lambda a: a[0]["published"])
    return out


def speed(n: int) -> tuple[float, float]:
    """Seconds to group n synthetic articles with EventMatcher and with MinHash-only StoryMatcher."""
    arts = synthetic(n)
    cues = events.load_cues()
    started = time.perf_counter()
    matcher = EventMatcher(window=WINDOW)
    for key, (a, found) in enumerate(arts):
        matcher.assign(report(key, a["title"], a["summary"], a["published"], found, cues), key)
    event_s = time.perf_counter() - started
    started = time.perf_counter()
    group_minhash([{**a, "summary": a["summary"]} for a, _ in arts])
    return event_s, time.perf_counter() - started


# -------------------------------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=None, help="default: both event sets")
    parser.add_argument(
        "--split",
        choices=sorted({split for splits in SPLITS_OF.values() for split in splits} | {"all"}),
        default=None,
    )
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    paths = [args.path.resolve()] if args.path else [p for p in SPLITS_OF if p.exists()]
    print(f"{'split':<10}{'pairs':<8}{'method':<18}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for path in paths:
        splits = SPLITS_OF.get(path, ("all",))
        if args.split:
            if args.split != "all" and args.split not in splits:
                continue
            splits = (args.split,)
        score_set(path, splits, show_errors=args.show_errors)
    if not args.no_speed:
        timings = {n: speed(n) for n in (2_500, 10_000)}
        for n, (event_s, minhash_s) in timings.items():
            print(
                f"grouping {n:,} synthetic articles in one window: events/MinHash-only time ratio "
                f"{event_s / minhash_s:.2f}x"
            )
        (e1, m1), (e4, m4) = timings[2_500], timings[10_000]
        print(f"linearity: 4x the articles cost {e4 / e1:.1f}x the time (MinHash-only: {m4 / m1:.1f}x)")
    return 0


def score_set(path: Path, splits: tuple[str, ...], *, show_errors: bool = False) -> None:
    """Group one set's reports (on their own) and print its figures per split."""
    reports, pairs = load(path)
    mentions = extract(reports)
    ours, decisions = group_events(reports, mentions)
    base = group_minhash(reports)
    langs = sorted({r["lang"] for r in reports})
    print(
        f"event grouping on {path.name}: {len(reports)} reports of {len({r['event'] for r in reports})} "
        f"events in {len(langs)} languages; real extract step, then grouping in publication order"
    )
    for split in splits:
        for which in ("all", "cross", "within"):
            for name, pred in (("events (nkru)", ours), ("MinHash (today)", base)):
                m = pairwise(pred, reports, split, which)
                print(f"{split:<10}{which:<8}{name:<18}{m['p']:>7.3f}{m['r']:>7.3f}{m['f1']:>7.3f}{m['pairs']:>6}")
        for name, pred in (("events (nkru)", ours), ("MinHash (today)", base)):
            merged, total = different_merged(pred, reports, pairs, split)
            share = merged / total if total else 0.0
            print(f"{split:<10}different-event pairs merged by {name}: {merged}/{total} ({share:.1%})")
    if show_errors:
        _show_errors(reports, ours, decisions, splits)


def _show_errors(reports, predicted, decisions, splits) -> None:
    for i, j in combinations(range(len(reports)), 2):
        a, b = reports[i], reports[j]
        if not any(s in ("all", a["split"]) for s in splits) or a["split"] != b["split"]:
            continue
        same_pred, same_label = predicted[i] == predicted[j], a["event"] == b["event"]
        if same_pred == same_label:
            continue
        kind = "FALSE MERGE" if same_pred else "missed"
        print(f"  {kind}: {a['id']} ({a['lang']}) / {b['id']} ({b['lang']})  {a['title'][:60]!r} / {b['title'][:60]!r}")
        print(f"      {b['id']}: {decisions[j].rule} {decisions[j].reason}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
