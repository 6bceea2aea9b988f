"""How well does the relevance scorer (nkru.topic) pick North Korea–Russia stories, against a plain baseline?

Run: `.venv/bin/python bench/bench_relevance.py`

On the hand-labelled items in `bench/relevance_labelled.yaml` it measures, in the same run:

* the Scorer at the default threshold (1.0), and
* the baseline an analyst would otherwise use: keep an item when "north korea" and "russia" both occur in the
  title or summary (case-insensitive substrings, English only).

It prints precision, recall and F1 of each and their ratio, overall and per split (`dev`: the items the weights
were set on; `holdout`, `holdout2`: written later, see the file's header), the scorer at other thresholds, the
items it gets wrong, and its throughput next to the baseline's. `evaluate()` returns the numbers for tests.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from nkru.config import TopicConfig  # noqa: E402
from nkru.relevance import Scorer  # noqa: E402

LABELLED = Path(__file__).with_name("relevance_labelled.yaml")


@dataclass(frozen=True)
class Item:
    id: str
    split: str
    lang: str
    title: str
    summary: str
    label: bool
    why: str = ""


@dataclass(frozen=True)
class Figures:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_items(path: Path = LABELLED) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Item(
            id=row["id"],
            split=row.get("split", "dev"),
            lang=row["lang"],
            title=row["title"],
            summary=row.get("summary", ""),
            label=bool(row["label"]),
            why=row.get("why", ""),
        )
        for row in data["items"]
    ]


def baseline(title: str, summary: str) -> bool:
    """Co-mention: both country names in English, anywhere, any case."""
    text = f"{title}\n{summary}".casefold()
    return "north korea" in text and "russia" in text


def figures(predicted: list[bool], labels: list[bool]) -> Figures:
    pairs = list(zip(predicted, labels, strict=True))
    return Figures(
        tp=sum(p and g for p, g in pairs),
        fp=sum(p and not g for p, g in pairs),
        fn=sum(g and not p for p, g in pairs),
        tn=sum(not p and not g for p, g in pairs),
    )


def _throughput(function, items: list[Item], min_seconds: float = 0.5) -> float:
    """Items per second, over whole passes of the labelled set taking at least `min_seconds`."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        for item in items:
            function(item.title, item.summary)
        done += len(items)
    return done / elapsed


def evaluate(items: list[Item] | None = None, scorer: Scorer | None = None, timing: bool = True) -> dict:
    """Scorer and baseline figures on the labelled items: overall, per split, plus the scorer's mistakes."""
    items = load_items() if items is None else items
    scorer = scorer or Scorer()
    results = [scorer.score(i.title, i.summary, i.lang) for i in items]
    ours = [r.relevant for r in results]
    base = [baseline(i.title, i.summary) for i in items]
    labels = [i.label for i in items]

    splits = {}
    for split in sorted({i.split for i in items}):
        idx = [n for n, i in enumerate(items) if i.split == split]
        splits[split] = {
            "scorer": figures([ours[n] for n in idx], [labels[n] for n in idx]),
            "baseline": figures([base[n] for n in idx], [labels[n] for n in idx]),
            "items": len(idx),
        }
    report = {
        "items": len(items),
        "positives": sum(labels),
        "scorer": figures(ours, labels),
        "baseline": figures(base, labels),
        "splits": splits,
        "misclassified": [(i, r) for i, r in zip(items, results, strict=True) if r.relevant != i.label],
    }
    if timing:
        report["scorer_items_per_second"] = _throughput(lambda t, s: scorer.score(t, s), items)
        report["baseline_items_per_second"] = _throughput(baseline, items)
    return report


def sweep(items: list[Item], thresholds: tuple[float, ...] = (0.7, 0.8, 0.9, 1.0, 1.2, 1.5)) -> dict[float, Figures]:
    """The scorer's figures at other thresholds (settings topic.threshold, or an alert rule's min_score)."""
    labels = [i.label for i in items]
    return {
        t: figures([Scorer(TopicConfig(threshold=t)).score(i.title, i.summary).relevant for i in items], labels)
        for t in thresholds
    }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a (baseline 0)"


def _table(name: str, ours: Figures, base: Figures) -> list[str]:
    lines = [f"{name:<10} {'precision':>10} {'recall':>8} {'F1':>6}   tp  fp  fn  tn"]
    for label, f in (("scorer", ours), ("baseline", base)):
        lines.append(
            f"  {label:<8} {f.precision:>10.3f} {f.recall:>8.3f} {f.f1:>6.3f}  {f.tp:>3} {f.fp:>3} {f.fn:>3} {f.tn:>3}"
        )
    lines.append(
        f"  {'ratio':<8} {_ratio(ours.precision, base.precision):>10} {_ratio(ours.recall, base.recall):>8}"
        f" {_ratio(ours.f1, base.f1):>6}"
    )
    return lines


def main() -> None:
    report = evaluate()
    print(f"relevance: {report['items']} labelled items, {report['positives']} relevant, threshold 1.0\n")
    print("\n".join(_table("all", report["scorer"], report["baseline"])))
    for split, figs in report["splits"].items():
        print()
        print("\n".join(_table(f"{split} ({figs['items']})", figs["scorer"], figs["baseline"])))
    print("\nscorer at other thresholds (all items):")
    for threshold, f in sweep(load_items()).items():
        print(f"  {threshold:>4g}  precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}")
    print(f"\nscorer mistakes ({len(report['misclassified'])}):")
    for item, result in report["misclassified"]:
        kind = "missed" if item.label else "false alarm"
        print(f"  {item.id:<8} {kind:<11} score {result.score:<5g} {item.title[:60]}")
        print(f"  {'':<8} {'':<11} {result.reason}")
    fast, slow = report["baseline_items_per_second"], report["scorer_items_per_second"]
    print(f"\nthroughput: scorer {slow:,.0f} items/s; baseline {fast:,.0f} items/s (scorer at {slow / fast:.3f}x)")


if __name__ == "__main__":
    main()
