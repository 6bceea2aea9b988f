"""How well does the relevance scorer (nkru.relevance) pick North Korea–Russia stories in every language, against
a co-mention baseline given the same multilingual names, and how fast is it?

Run: `.venv/bin/python bench/bench_relevance.py` (`--dev-only` while tuning: no holdout is read; `--by-hand`: dev
figures per hand that wrote them, the first hand and each round's folder, and nothing else).

Labelled items: `bench/relevance/<lang>.yaml` (28 languages, split dev / holdout / holdout3-6, see its
README; each split is reported apart, the mistakes of dev only) and the older English/Russian/Korean set
`bench/relevance_labelled.yaml` (reported apart, as a further set). Each item's language is detected from its text
(nkru.language, the item's language as the feed's hint), as ingest does.

In the same run it measures:

* the Scorer at the default threshold;
* the baseline: keep an item when a name of North Korea and a name of Russia both occur in the title or summary
  (case-insensitive substrings), given the same multilingual names as the scorer — every country name and capital
  of both sides in the lexicon, CLDR's and the files', in every language;
* precision, recall and F1 per language and overall, each split apart; the scorer at other thresholds (dev);
  the scorer's dev mistakes;
* speed on the same texts, same batch, best of N on every side: the scorer, a plain regex co-mention check (the
  baseline above as two compiled regular expressions) and the scorer before issue 9 (bench/legacy), printed
  as items/s and as ratios.

`evaluate()` returns the numbers for tests.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))

from nkru import language as lang  # noqa: E402
from nkru import lexicon as lx  # noqa: E402
from nkru.config import TopicConfig  # noqa: E402
from nkru.relevance import Scorer  # noqa: E402

MULTILINGUAL = Path(__file__).with_name("relevance")
LABELLED = Path(__file__).with_name("relevance_labelled.yaml")  # the older en/ru/ko set
OFF_TOPIC = Path(__file__).with_name("relevance_offtopic.yaml")  # sport, weather, markets... in every language
SPEED_RUNS = 5
MIX_ON_TOPIC = 0.05  # share of the speed mix that names both sides, as in a real feed (~5% on the beat)


@dataclass(frozen=True)
class Item:
    id: str
    split: str
    lang: str
    title: str
    summary: str
    label: bool
    kind: str = ""
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
    """Items of one file, or of every `*.yaml` in a directory and its subdirectories (a later round's holdout
    sits in its own folder, written apart from the dev files)."""
    paths = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    items = []
    for one in paths:
        data = yaml.safe_load(one.read_text(encoding="utf-8"))
        items += [
            Item(
                id=row["id"],
                split=row.get("split", "dev"),
                lang=row["lang"],
                title=row["title"] or "",
                summary=row.get("summary") or "",
                label=bool(row["label"]),
                kind=row.get("kind", ""),
                why=row.get("why", ""),
            )
            for row in data["items"]
        ]
    return items


class Baseline:
    """Co-mention with the scorer's own multilingual names: a North Korea name and a Russia name both occur."""

    def __init__(self) -> None:
        lexicon = lx.load()
        names = {lx.NK: set(), lx.RU: set()}
        for term in lexicon.terms:
            if term.side in names and term.kind in ("name", "capital"):
                names[term.side].add(term.text.casefold())
        self._nk = _alternation(names[lx.NK])
        self._ru = _alternation(names[lx.RU])

    def __call__(self, title: str, summary: str) -> bool:
        text = f"{title}\n{summary}".casefold()
        return bool(self._nk.search(text) and self._ru.search(text))


def _alternation(names: set[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def figures(predicted: list[bool], labels: list[bool]) -> Figures:
    pairs = list(zip(predicted, labels, strict=True))
    return Figures(
        tp=sum(p and g for p, g in pairs),
        fp=sum(p and not g for p, g in pairs),
        fn=sum(g and not p for p, g in pairs),
        tn=sum(not p and not g for p, g in pairs),
    )


def detect_languages(items: list[Item]) -> list[str | None]:
    return [lang.detect(i.title, i.summary, hint=i.lang).code for i in items]


def evaluate(items: list[Item], scorer: Scorer | None = None, languages: list[str | None] | None = None) -> dict:
    """Scorer and baseline figures: overall, per split and per language within each split, and the mistakes."""
    scorer = scorer or Scorer()
    languages = languages if languages is not None else detect_languages(items)
    results = [scorer.score(i.title, i.summary, code) for i, code in zip(items, languages, strict=True)]
    ours = [r.relevant for r in results]
    baseline = Baseline()
    base = [baseline(i.title, i.summary) for i in items]
    labels = [i.label for i in items]

    def subset(keep: Callable[[Item], bool]) -> dict:
        idx = [n for n, i in enumerate(items) if keep(i)]
        return {
            "items": len(idx),
            "scorer": figures([ours[n] for n in idx], [labels[n] for n in idx]),
            "baseline": figures([base[n] for n in idx], [labels[n] for n in idx]),
        }

    splits = {}
    for split in sorted({i.split for i in items}):
        splits[split] = {
            "all": subset(lambda i, s=split: i.split == s),
            "languages": {
                code: subset(lambda i, s=split, c=code: i.split == s and i.lang == c)
                for code in sorted({i.lang for i in items if i.split == split})
            },
        }
    return {
        "items": len(items),
        "positives": sum(labels),
        "all": subset(lambda i: True),
        "splits": splits,
        "misclassified": [(i, r) for i, r in zip(items, results, strict=True) if r.relevant != i.label],
    }


def load_off_topic(path: Path = OFF_TOPIC) -> list[Item]:
    """The off-topic feed items (label false), grouped by language in the file as [title, summary] rows. A feed's
    lede runs to two or three sentences: each item's summary is its own followed by the next two of its
    language's, so the texts are as long as the labelled ones."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for code, rows in data["items"].items():
        for n, (title, _) in enumerate(rows):
            summary = " ".join(rows[(n + k) % len(rows)][1] for k in range(3))
            items.append(Item(id=f"off-{code}-{n + 1:02}", split="off-topic", lang=code, title=title,
                              summary=summary, label=False))  # fmt: skip
    return items


def speed_mix(on_topic: list[Item], off_topic: list[Item]) -> list[Item]:
    """A feed-like mix: every labelled item (all name both sides) as `MIX_ON_TOPIC` of it, the rest off-topic
    items in every language, repeated in turn, interleaved."""
    n_off = round(len(on_topic) * (1 - MIX_ON_TOPIC) / MIX_ON_TOPIC)
    off = [off_topic[n % len(off_topic)] for n in range(n_off)]
    step = max(1, len(off) // max(1, len(on_topic)))
    mix: list[Item] = []
    for n, item in enumerate(on_topic):
        mix += off[n * step : (n + 1) * step] + [item]
    return mix + off[len(on_topic) * step :]


def throughput(items: list[Item], languages: list[str | None], runs: int = SPEED_RUNS) -> dict[str, float]:
    """Items per second of the scorer, the plain regex co-mention check and the scorer before issue 9
    (bench/legacy), on the same texts: each a whole pass over the items, best of `runs` passes, in turn."""
    from bench.legacy.topic import Scorer as LegacyScorer

    scorer, legacy, baseline = Scorer(), LegacyScorer(), Baseline()
    work = list(zip([i.title for i in items], [i.summary for i in items], languages, strict=True))
    candidates = {
        "scorer": lambda: [scorer.score(t, s, c) for t, s, c in work],
        "regex co-mention": lambda: [baseline(t, s) for t, s, _ in work],
        "pre-issue-9 scorer": lambda: [legacy.score(t, s, c) for t, s, c in work],
    }
    best = dict.fromkeys(candidates, 0.0)
    for _ in range(runs):
        for name, run in candidates.items():
            start = time.perf_counter()
            run()
            best[name] = max(best[name], len(work) / (time.perf_counter() - start))
    return best


def sweep(items: list[Item], languages: list[str | None], thresholds=(0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5)) -> dict:
    """The scorer's figures at other thresholds (settings topic.threshold, or an alert rule's min_score)."""
    labels = [i.label for i in items]
    out = {}
    for t in thresholds:
        scorer = Scorer(TopicConfig(threshold=t))
        predicted = [scorer.score(i.title, i.summary, c).relevant for i, c in zip(items, languages, strict=True)]
        out[t] = figures(predicted, labels)
    return out


def _row(name: str, n: int, ours: Figures, base: Figures) -> str:
    return (
        f"  {name:<8} {n:>5}   {ours.precision:>6.3f} {ours.recall:>6.3f} {ours.f1:>6.3f}"
        f"   {base.precision:>6.3f} {base.recall:>6.3f} {base.f1:>6.3f}   {ours.fp:>3} {ours.fn:>3}"
    )


def _print_split(title: str, split: dict) -> None:
    print(f"\n{title}")
    print(
        f"  {'':<8} {'items':>5}   {'scorer P':>6} {'R':>6} {'F1':>6}   {'co-mention P':>6} {'R':>6} {'F1':>6}   fp  fn"
    )
    for code, figs in split["languages"].items():
        print(_row(code, figs["items"], figs["scorer"], figs["baseline"]))
    whole = split["all"]
    print(_row("ALL", whole["items"], whole["scorer"], whole["baseline"]))


def hands() -> dict[str, list[Path]]:
    """The dev files of each hand that wrote them: the first hand's files in bench/relevance/, then each later
    round's folder (round7, round8...; a holdout folder has no dev item and is left out), for checking a change on
    hands it was not designed on."""
    out = {"first": sorted(MULTILINGUAL.glob("*.yaml"))}
    for folder in sorted((p for p in MULTILINGUAL.iterdir() if p.is_dir()), key=lambda p: (len(p.name), p.name)):
        out[folder.name] = sorted(folder.rglob("*.yaml"))
    return out


def print_by_hand() -> None:
    """Dev precision, recall and F1 of each hand and overall (the dev split only: no holdout item is scored)."""
    scorer, total = Scorer(), Figures(0, 0, 0, 0)
    print(f"dev per hand       {'items':>5}   {'P':>6} {'R':>6} {'F1':>6}   fp  fn")
    for hand, paths in hands().items():
        items = [i for p in paths for i in load_items(p) if i.split == "dev"]
        if not items:  # a holdout folder: not scored here
            continue
        languages = detect_languages(items)
        predicted = [scorer.score(i.title, i.summary, c).relevant for i, c in zip(items, languages, strict=True)]
        f = figures(predicted, [i.label for i in items])
        total = Figures(total.tp + f.tp, total.fp + f.fp, total.fn + f.fn, total.tn + f.tn)
        print(_hand_row(hand, len(items), f))
    print(_hand_row("ALL", total.tp + total.fp + total.fn + total.tn, total))


def _hand_row(name: str, n: int, f: Figures) -> str:
    return f"  {name:<16} {n:>5}   {f.precision:>6.3f} {f.recall:>6.3f} {f.f1:>6.3f}   {f.fp:>3} {f.fn:>3}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-only", action="store_true", help="leave the holdout unread (while tuning)")
    parser.add_argument("--by-hand", action="store_true", help="dev figures per hand (file set) too, then stop")
    args = parser.parse_args()
    if args.by_hand:
        print_by_hand()
        return

    items = load_items(MULTILINGUAL)
    if args.dev_only:
        items = [i for i in items if i.split == "dev"]
    languages = detect_languages(items)
    report = evaluate(items, languages=languages)
    print(
        f"relevance: {report['items']} labelled items in {len({i.lang for i in items})} languages "
        f"({report['positives']} relevant), threshold {TopicConfig().threshold:g}; "
        "baseline = co-mention of the same multilingual names"
    )
    for split, figs in report["splits"].items():
        _print_split(f"{split} ({figs['all']['items']} items)", figs)

    older = load_items(LABELLED)
    older_report = evaluate(older)
    print(f"\nfurther set bench/relevance_labelled.yaml ({len(older)} items, en/ru/ko), all splits:")
    print(_row("ALL", len(older), older_report["all"]["scorer"], older_report["all"]["baseline"]))

    dev = [(i, c) for i, c in zip(items, languages, strict=True) if i.split == "dev"]
    print("\nscorer at other thresholds (dev):")
    for threshold, f in sweep([i for i, _ in dev], [c for _, c in dev]).items():
        print(f"  {threshold:>4g}  precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}")

    dev_mistakes = [(i, r) for i, r in report["misclassified"] if i.split == "dev"]
    print(f"\nscorer mistakes on dev ({len(dev_mistakes)}):")
    for item, result in dev_mistakes:
        what = "missed" if item.label else f"false alarm ({item.kind})"
        print(f"  {item.id:<8} {what:<24} score {result.score:<5g} {item.title[:70]}")
        print(f"  {'':<8} {'':<24} {result.reason}")

    off_topic = load_off_topic()
    off_languages = detect_languages(off_topic)
    alarms = [
        i for i, c in zip(off_topic, off_languages, strict=True) if Scorer().score(i.title, i.summary, c).relevant
    ]
    print(
        f"\noff-topic feed items ({len(off_topic)}, {len({i.lang for i in off_topic})} languages): "
        f"{len(alarms)} false alarms"
    )
    for item in alarms:
        print(f"  {item.id:<10} {item.title[:80]}")

    code_of = {id(i): c for i, c in zip(items + off_topic, languages + off_languages, strict=True)}
    mix = speed_mix(items, off_topic)
    runs = {
        f"on-topic only: the {len(items)} labelled texts": (items, SPEED_RUNS),
        f"feed mix: {len(mix)} texts, {MIX_ON_TOPIC:.0%} of them the labelled ones, the rest off-topic": (mix, 3),
    }
    for label, (texts, n) in runs.items():
        speed = throughput(texts, [code_of[id(i)] for i in texts], n)
        ours = speed["scorer"]
        chars = sum(len(i.title) + len(i.summary) for i in texts) / len(texts)
        print(f"\nthroughput, {label}, {chars:.0f} characters an item (best of {n} passes each, same texts):")
        for name, rate in speed.items():
            print(f"  {name:<20} {rate:>12,.0f} items/s   scorer at {ours / rate:.3f}x of it")


if __name__ == "__main__":
    main()
