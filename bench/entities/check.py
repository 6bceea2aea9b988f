"""Check the entity gold set: every file parses, ids are unique, fields and labels are valid, no entity is listed
twice in an item, every canonical name is either a gazetteer `name:` or listed in CANONICAL.md, and one name
always carries one label. Prints item counts per language and split.

Run: ``.venv/bin/python bench/entities/check.py`` (exit status 1 on any problem).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
GAZETTEER = HERE.parents[1] / "config" / "gazetteer.yaml"
LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
FIELDS = {"id", "lang", "split", "outlet", "title", "summary", "entities"}
SPLITS = {"dev", "holdout"}
# A headline and lede run to about 40-90 English words. Languages that inflect or agglutinate say the same in fewer
# words, so their floor is lower; scripts written without spaces are measured in characters instead.
UNSPACED = {"ja", "zh"}
FEWER_WORDS = {"de": 35, "bg": 35} | dict.fromkeys(("ru", "uk", "pl", "cs", "sk", "lv", "lt", "et", "hu", "tr"), 30)
KOREAN_FLOOR = 25


def known_names() -> dict[str, str]:
    """Canonical name -> label, from the gazetteer and from the table rows of CANONICAL.md."""
    names = {e["name"]: e["label"] for e in yaml.safe_load(GAZETTEER.read_text(encoding="utf-8"))}
    for line in (HERE / "CANONICAL.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and cells[1] in LABELS:
            names[cells[0]] = cells[1]
    return names


def check_item(item: dict, lang: str, names: dict[str, str], labels_seen: dict[str, set[str]]) -> list[str]:
    """Problems with one item, as readable lines."""
    where = item.get("id", "?")
    problems = []
    if set(item) != FIELDS:
        problems.append(f"{where}: fields {sorted(set(item) ^ FIELDS)} missing or extra")
    if item.get("lang") != lang or not str(where).startswith(f"{lang}-e"):
        problems.append(f"{where}: lang/id does not match file {lang}")
    if item.get("split") not in SPLITS:
        problems.append(f"{where}: split {item.get('split')!r}")
    text = f"{item.get('title', '')} {item.get('summary', '')}"
    size = len(re.sub(r"\s", "", text)) if lang in UNSPACED else len(text.split())
    if lang in UNSPACED:
        low, high = 60, 300
    else:
        low, high = FEWER_WORDS.get(lang, KOREAN_FLOOR if lang == "ko" else 40), 110
    if not low <= size <= high:
        problems.append(f"{where}: headline and lede length {size} outside {low}-{high}")
    seen = set()
    for entity in item.get("entities") or []:
        name, label = entity.get("name"), entity.get("label")
        if set(entity) != {"name", "label"}:
            problems.append(f"{where}: entity {entity} has keys other than name and label (quote a name with a comma)")
        if label not in LABELS:
            problems.append(f"{where}: label {label!r} for {name!r}")
        if name in seen:
            problems.append(f"{where}: {name!r} listed twice")
        seen.add(name)
        if name not in names:
            problems.append(f"{where}: {name!r} neither in the gazetteer nor in CANONICAL.md")
        elif names[name] != label:
            problems.append(f"{where}: {name!r} is {names[name]} in the gazetteer/CANONICAL.md, here {label}")
        labels_seen[name].add(label)
    return problems


def main() -> int:
    names = known_names()
    problems: list[str] = []
    ids: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {}
    labels_seen: dict[str, set[str]] = defaultdict(set)
    for path in sorted(HERE.glob("*.yaml")):
        lang = path.stem
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
        counts[lang] = Counter(item.get("split") for item in items)
        for item in items:
            ids[item.get("id")] += 1
            problems += check_item(item, lang, names, labels_seen)
    problems += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    problems += [f"{n}: labels {sorted(ls)}" for n, ls in labels_seen.items() if len(ls) > 1]
    for lang, c in counts.items():
        print(f"{lang:3} {sum(c.values()):4}  dev {c['dev']:3}  holdout {c['holdout']:3}")
    total = sum(sum(c.values()) for c in counts.values())
    print(f"all {total:4} items in {len(counts)} languages, {len(labels_seen)} canonical names")
    for line in problems:
        print("PROBLEM", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
