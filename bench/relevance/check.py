"""Check the hand-written relevance sets and print their totals.

Run: python3 bench/relevance/check.py. It fails (exit 1) if a file does not parse, an id repeats, an item lacks
a field or has a split other than dev, holdout, holdout3 ... holdout14 (rounds 3-13 each wrote new
holdouts; from round 7 on in their own folders by other hands: `holdout7/` to `holdout13/`, since moved to dev as
`round7/` to `round10/`, `round11a/`, `round11b/` and `round12/`, and `holdout14/`), a language has fewer than
34 items or fewer than 40% negatives, or the hard negatives (the five confounding kinds) are under 35% of all items,
as issue 9 asks.
"""

import collections
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).parent
KINDS = {"relevant", "third-party", "venue", "anecdote", "list", "comparison", "other"}
HARD = KINDS - {"relevant", "other"}
SPLITS = (
    "dev",
    "holdout",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
    "holdout10",
    "holdout11",
    "holdout12",
    "holdout13",
    "holdout14",
)
FIELDS = ("id", "split", "lang", "label", "kind", "outlet", "title", "summary")


def problems_in(items: list[dict], lang: str, seen: set[str]) -> list[str]:
    """Everything wrong with one language's items, in words."""
    found = []
    for item in items:
        missing = [f for f in FIELDS if f not in item]
        if missing:
            found.append(f"{item.get('id')}: missing {missing}")
            continue
        if item["id"] in seen:
            found.append(f"{item['id']}: id used twice")
        seen.add(item["id"])
        if item["lang"] != lang or item["kind"] not in KINDS or item["split"] not in SPLITS:
            found.append(f"{item['id']}: bad lang, kind or split")
        if item["label"] != (item["kind"] == "relevant") or not item["title"].strip():
            found.append(f"{item['id']}: label does not match kind, or empty title")
        if lang == "zh" and item.get("script") not in ("hans", "hant"):
            found.append(f"{item['id']}: zh item without script: hans|hant")
    negatives = sum(not item.get("label") for item in items)
    if len(items) < 34 or negatives < 0.4 * len(items):
        found.append(f"{lang}: {len(items)} items, {negatives} negatives (need >= 34 and >= 40%)")
    return found


def main() -> int:
    problems, seen, rows = [], set(), []
    by_lang: dict[str, list[dict]] = collections.defaultdict(list)
    for path in sorted(HERE.rglob("*.yaml")):
        by_lang[path.stem] += yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    for lang, items in sorted(by_lang.items()):
        problems += problems_in(items, lang, seen)
        rows += items
    print(f"{'lang':5} {'items':>5} {'true':>5} {'false':>5} {'hard':>5} {'dev':>4} {'hold':>4}")
    for lang in sorted({r["lang"] for r in rows}):
        mine = [r for r in rows if r["lang"] == lang]
        n_true = sum(r["label"] for r in mine)
        n_hard = sum(r["kind"] in HARD for r in mine)
        n_dev = sum(r["split"] == "dev" for r in mine)
        print(f"{lang:5} {len(mine):5} {n_true:5} {len(mine) - n_true:5} {n_hard:5} {n_dev:4} {len(mine) - n_dev:4}")
    n_hard = sum(r["kind"] in HARD for r in rows)
    print(f"all   {len(rows):5}   hard negatives {n_hard} ({n_hard / len(rows):.0%})")
    for name, key in (("kind", "kind"), ("split", "split"), ("label", "label")):
        print(name + ":", dict(sorted(collections.Counter(str(r[key]) for r in rows).items())))
    print("split x label:", dict(sorted(collections.Counter(f"{r['split']}/{r['label']}" for r in rows).items())))
    if n_hard < 0.35 * len(rows):
        problems.append(f"hard negatives are {n_hard / len(rows):.0%} of all items (need >= 35%)")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
