"""Story grouping quality: pairwise precision and recall of nkru.stories on a labelled set, against a baseline.

    python bench/bench_stories.py [bench/stories_labelled.yaml]

Items are fed in publication order through `StoryMatcher` (the same decision `StoryIndex.assign` makes against
the database). A pair of items counts as "grouped" when both land in one story; precision and recall are over
all pairs, versus the labels. The baseline, measured in the same run, groups items whose headlines are
identical after case and whitespace folding (what a feed reader's duplicate filter does).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from nkru.stories.copies import DEFAULT_WINDOW_HOURS, StoryMatcher, signature, title_key  # noqa: E402
from nkru.stories.grouping import EventMatcher  # noqa: E402
from nkru.stories.reports import report  # noqa: E402

DEFAULT_SET = ROOT / "bench" / "stories_labelled.yaml"
WINDOW = timedelta(hours=DEFAULT_WINDOW_HOURS)


def load_items(path: Path = DEFAULT_SET) -> list[dict]:
    """Labelled items in publication order, each with its `story` and `event` labels."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for group in data["stories"]:
        for item in group["items"]:
            published = item["published"]
            if isinstance(published, str):
                published = datetime.fromisoformat(published.replace("Z", "+00:00"))
            items.append(
                {
                    **item,
                    "published": published,
                    "story": group["story"],
                    "event": group.get("event", group["story"]),
                }
            )
    return sorted(items, key=lambda i: i["published"])


def group_minhash(items: list[dict]) -> list[int]:
    """Story ids from nkru.stories for each item (in order)."""
    matcher = StoryMatcher(window=WINDOW)
    assigned = []
    for key, item in enumerate(items):
        sig = signature(item["title"], item.get("summary") or "")
        title = title_key(item["title"])
        story = matcher.match(sig, title, item["published"])
        story = key if story is None else story
        matcher.add(key, story, sig, title, item["published"])
        assigned.append(story)
    return assigned


def group_events(items: list[dict]) -> list[int]:
    """Story ids from the event-level grouping (`nkru.stories.grouping.EventMatcher`, what the pipeline runs), without
    entities: on this set it must still group the near-copies through its MinHash signal."""
    matcher = EventMatcher(window=WINDOW)
    assigned = []
    for key, item in enumerate(items):
        rep = report(key, item["title"], item.get("summary") or "", item["published"], [])
        decision = matcher.assign(rep, key)
        assigned.append(key if decision.story_id is None else decision.story_id)
    return [matcher.resolve(story) for story in assigned]


def group_exact_title(items: list[dict]) -> list[int]:
    """Baseline: items with the same case- and space-folded headline, within the same window, share a story."""
    seen: dict[str, tuple[int, datetime]] = {}
    assigned = []
    for key, item in enumerate(items):
        title = " ".join(item["title"].casefold().split())
        earlier = seen.get(title)
        if earlier and item["published"] - earlier[1] <= WINDOW:
            assigned.append(earlier[0])
        else:
            seen[title] = (key, item["published"])
            assigned.append(key)
    return assigned


def pairwise(predicted: list[int], labels: list[str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a grouping versus labels."""
    tp = fp = fn = 0
    for i, j in combinations(range(len(labels)), 2):
        same_pred, same_label = predicted[i] == predicted[j], labels[i] == labels[j]
        tp += same_pred and same_label
        fp += same_pred and not same_label
        fn += same_label and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "false_merges": fp, "missed_pairs": fn}


def _timed(func: Callable[[list[dict]], list[int]], items: list[dict], repeat: int = 5) -> tuple[list[int], float]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(items)
        best = min(best, time.perf_counter() - start)
    return result, best


def run(path: Path = DEFAULT_SET) -> dict:
    """Measure both methods on the labelled set; returns the numbers `main` prints."""
    items = load_items(path)
    story_labels = [i["story"] for i in items]
    event_labels = [i["event"] for i in items]
    minhash, minhash_s = _timed(group_minhash, items)
    baseline, baseline_s = _timed(group_exact_title, items)
    event_level, _ = _timed(group_events, items, repeat=1)
    return {
        "events": pairwise(event_level, story_labels),
        "items": len(items),
        "stories": len(set(story_labels)),
        "minhash": pairwise(minhash, story_labels),
        "baseline": pairwise(baseline, story_labels),
        # Independent write-ups of one event are different stories by definition; shown for information.
        "minhash_event_recall": pairwise(minhash, event_labels)["recall"],
        "time_ratio": minhash_s / baseline_s if baseline_s else float("inf"),
        "wrong": [
            (items[i]["story"], items[j]["story"], items[i]["title"], items[j]["title"])
            for i, j in combinations(range(len(items)), 2)
            if (minhash[i] == minhash[j]) != (story_labels[i] == story_labels[j])
        ],
    }


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SET
    result = run(path)
    m, b = result["minhash"], result["baseline"]
    print(f"story grouping on {path.name}: {result['items']} items in {result['stories']} labelled stories")
    print(f"{'method':<32}{'precision':>10}{'recall':>9}{'F1':>7}{'false merges':>14}{'missed pairs':>14}")
    rows = (
        ("nkru.stories (MinHash+LSH)", m),
        ("event grouping, no entities", result["events"]),
        ("baseline (exact title)", b),
    )
    for name, r in rows:
        print(
            f"{name:<32}{r['precision']:>10.3f}{r['recall']:>9.3f}{r['f1']:>7.3f}"
            f"{r['false_merges']:>14}{r['missed_pairs']:>14}"
        )
    ratio = m["recall"] / b["recall"] if b["recall"] else float("inf")
    print(f"recall ratio nkru/baseline: {ratio:.2f}x; precision difference: {m['precision'] - b['precision']:+.3f}")
    print(f"time ratio nkru/baseline (same run, best of 5): {result['time_ratio']:.0f}x")
    print(f"event-level recall (independent write-ups of one event, not a goal): {result['minhash_event_recall']:.3f}")
    for a, b_, ta, tb in result["wrong"]:
        kind = "false merge" if a != b_ else "missed"
        print(f"  {kind}: [{a}] {ta!r} / [{b_}] {tb!r}")


if __name__ == "__main__":
    main(sys.argv)
