"""Does a small learned model over pair features generalise to an unseen hand better than the one-event rules?
(issue 16; leave-one-hand-out over the dev sets only.)

    python bench/event_pairs_experiment.py [--cache DIR] [--test h7,h8 [--train labelled,h4]] [--sweep]
    python bench/event_pairs_experiment.py --fresh bench/events_holdoutN.yaml --fresh-split holdoutN

The six dev hands: the dev events of bench/events_labelled.yaml and the sets bench/events_holdout4.yaml ..
events_holdout8.yaml (all dev now), each written by another hand. The holdout splits (holdout, holdout2, holdout3)
are never read: the loader keeps only events of the split asked for (dev) and refuses those three.
For each hand H, models are fitted on the pairs of the other five and scored on H, next to the rules alone:
  rules            `EventMatcher` as bench/bench_events.py runs it;
  alone            a logistic regression (L2 1.0, standardised features, classes balanced; numpy/scipy) over
                   `bench/event_pair_features.py` (the rules' pairwise verdicts and vetoes, near-copy similarity,
                   shared people / bodies / places / figures, kinds, statements, dates, gap, language), trained on
                   every pair of reports within the grouping window (72 h); reports join, in publication order, the
                   story whose members within the window have the highest mean probability, if at least the
                   threshold, else start one;
  alone, no rules  the same without the features that are the rules' own verdicts (`RULE_FEATURES`);
  rules + veto     the rules' grouping, where a decision to join a story (any rule) is overruled when a second
                   regression (the same features and which rule fired), trained only on the pairs the rules
                   grouped, gives a mean probability below the threshold against the story's members;
  rules + join     the rules' grouping, where a report the rules start a story with joins instead the story of
                   highest mean probability under the alone model, if at least the threshold.
Thresholds are chosen on the training hands (in-sample: highest mean F1 minus mean share of different-event pairs
merged); "alone at 0.5" is the alone model at a fixed 0.5. Grouping is transitive, so every method is scored on its
clusters as the bench scores them: pairwise P/R/F1 over all pairs of the hand's reports, different_pairs merged.

Results (2026-12-02, round 8's grouping as at e170acf; `python bench/event_pairs_experiment.py`):

    held out   rules                alone                alone, no rules      rules + veto         rules + join
    labelled   0.956  0/34          0.956  0/34  (0.60)  0.912  2/34  (0.80)  0.956  0/34  (0.10)  0.994  0/34  (0.60)
    h4         0.859  0/21          0.849  5/21  (0.60)  0.847  2/21  (0.70)  0.859  0/21  (0.30)  0.898  2/21  (0.60)
    h5         0.876  0/21          0.901  2/21  (0.50)  0.887  1/21  (0.70)  0.868  0/21  (0.05)  0.936  1/21  (0.70)
    h6         0.900  0/25          0.914  1/25  (0.60)  0.906  2/25  (0.70)  0.885  0/25  (0.30)  0.933  1/25  (0.80)
    h7         0.816  1/24          0.972  0/24  (0.60)  0.925  1/24  (0.70)  0.812  0/24  (0.30)  0.952  1/24  (0.60)
    h8         0.845  3/24          0.953  2/24  (0.60)  0.891  3/24  (0.70)  0.845  3/24  (0.05)  0.930  3/24  (0.60)
    mean F1    0.875  2.8% merged   0.924  7.6%          0.894  7.5%          0.871  2.1%          0.941  5.8%
    beats the rules (F1 up, merges not): alone 2/6, no rules 2/6, veto 0/6, join 3/6.
(F1, different pairs merged, chosen threshold.) The criterion set for wiring a model in (better F1 without more
merges on at least 5 of the 6 hands) is not met, so no wiring is proposed here. A veto adds nothing: the rules
merge almost only same-event pairs on these hands. This comparison favours the rules: they were tuned on the errors
of every dev hand but h8 (rounds 1-8), so on five of the six they are scored in-sample, and the model's rule
features carry that tuning too.

The fair form of the question (a hand neither the rules nor the model has seen) was asked of the rules as they
stood when each later hand was first scored: the plugins/ and config/ and bench/events_labelled.yaml of the
commit, this script and bench_events.py and today's holdout4-8 files in /tmp, this module copied in (for the
round-3 to round-5 code with `getattr` stand-ins for report fields added later: those features are then 0 in
training and test alike), and the models trained on exactly the hands those rules were tuned on. Each run
reproduces the first (or after-round) scores in the sets' headers.

    rules of (commit)  trained on        test  rules F1 merged   alone, no rules      alone
    round 3 (fb7b2e7)  labelled (50 ev)  h4    0.627  4/21       0.737  6/21 (0.70)   0.754  6/21
                                         h5    0.583  8/21       0.797  3/21          0.748  7/21
                                         h6    0.780  3/25       0.859  3/25          0.766  7/25
                                         h7    0.689  8/24       0.853  1/24          0.894  4/24
                                         h8    0.722  7/24       0.844  3/24          0.799  7/24
    round 4 (1186884)  labelled          h5    0.624  6/21       0.826  3/21 (0.60)   0.768  5/21
                                         h6    0.809  1/25       0.862  2/25          0.798  5/25
                                         h7    0.707  7/24       0.903  4/24          0.895  3/24
                                         h8    0.714  7/24       0.797  5/24          0.763  9/24
    round 5 (a5766f9)  labelled, h4      h5    0.654  5/21       0.854  1/21 (0.80)   0.876  1/21
                                         h6    0.809  1/25       0.850  2/25          0.784  6/25
                                         h7    0.711  7/24       0.843  1/24          0.864  3/24
                                         h8    0.727  7/24       0.863  2/24          0.842  5/24
    round 7 (cb3bd66)  labelled, h4-h6   h7    0.665  7/24       0.888  1/24 (0.80)   0.876  2/24
                                         h8    0.821  4/24       0.893  2/24          0.875  5/24
On these 15 first contacts the model without the rules' verdicts has the higher F1 every time (mean 0.845 against
0.709) and merges fewer different-event pairs overall (39 of 351, 11.1%, against 82, 23.4%); it beats the rules
without more merges on 12 of 15 (not h4 at round 3, h6 at rounds 4 and 5, where the rules merged 1-4). With the
rules' verdicts among its features it does less well (9 of 15). Neither reaches the goal: at no threshold of the
grid (`--sweep`, 0.3-0.95, on each of these 15) does a model merge none of a hand's different pairs (under 1%)
with F1 0.90; the best merge-free point is F1 0.871 (round 5, h5, alone at 0.8).

The decisive check, decided before it was run: the two fresh hands of the same hour (bench/events_holdout9.yaml
and events_holdout10.yaml, each first scored by round 8's rules and never tuned on) were scored once with
`--fresh`, the models trained on all six dev hands; the model without the rules' verdicts was to be wired in if it
beat the rules' first score on both in F1 without more merges (2026-12-02 12:13 UTC, rules as at e170acf):

    fresh hand   rules                alone, no rules      alone                rules + join
    holdout9     0.717  3/27          0.789  3/27 (0.80)   0.869  4/27 (0.60)   0.846  4/27 (0.60)
    holdout10    0.746  2/28          0.692  8/28 (0.80)   0.770  6/28 (0.60)   0.792  5/28 (0.60)

It wins on holdout 9 and loses on holdout 10 (four times the merges): not wired in. Every model variant raises
recall (0.61 -> 0.66-0.86) but merges more different events on at least one hand, and a merged different event is
the worse mistake (its report never alerts). The recall the models find is real; the features do not tell an
analyst's "different happening" well enough to spend it.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_events import WINDOW, different_merged, extract, pairwise  # noqa: E402
from event_pair_features import features  # noqa: E402

from nkru import events  # noqa: E402
from nkru.stories.grouping import Decision, EventMatcher  # noqa: E402
from nkru.stories.reports import Report, report  # noqa: E402

HANDS = {
    "labelled": ROOT / "bench" / "events_labelled.yaml",
    "h4": ROOT / "bench" / "events_holdout4.yaml",
    "h5": ROOT / "bench" / "events_holdout5.yaml",
    "h6": ROOT / "bench" / "events_holdout6.yaml",
    "h7": ROOT / "bench" / "events_holdout7.yaml",
    "h8": ROOT / "bench" / "events_holdout8.yaml",
}
ALONE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VETO_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
JOIN_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
L2 = 1.0


# ------------------------------------------------------------------------------------------------- data


# Splits this experiment never reads (bench/bench_events.py scores them, once per round).
NEVER_READ = frozenset({"holdout", "holdout2", "holdout3"})


def load_dev(path: Path, split: str = "dev") -> tuple[list[dict], list[dict]]:
    """A hand's reports of `split` in publication order and its different_pairs between two of their events."""
    if split in NEVER_READ:
        raise ValueError(f"split {split} is not read by this experiment")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reports = []
    for event in data["events"]:
        if event["split"] != split:
            continue
        for r in event["reports"]:
            published = datetime.fromisoformat(str(r["published"]).replace("Z", "+00:00"))
            reports.append({**r, "summary": r.get("summary") or "", "published": published, "event": event["id"]})
            reports[-1]["split"] = "dev"  # what the bench's scorers select
    reports.sort(key=lambda r: (r["published"], r["id"]))
    ids = {r["event"] for r in reports}
    pairs = [p for p in data.get("different_pairs") or [] if p["a"] in ids and p["b"] in ids]
    return reports, pairs


class Hand:
    """One hand's reports, their grouping features, the rules' grouping and every pair within the window."""

    def __init__(self, name: str, path: Path, cache: Path, split: str = "dev"):
        self.name, self.path = name, path.resolve()
        self.reports, self.pairs = load_dev(path, split)
        mentions = _cached_mentions(self.reports, cache)
        cues = events.load_cues()
        self.reps: list[Report] = [
            report(k, r["title"], r["summary"], r["published"], found, cues, language=r["lang"])
            for k, (r, found) in enumerate(zip(self.reports, mentions, strict=True))
        ]
        self.rules_pred, decisions = run_rules(self.reps)
        self.fired = [d.rule for d in decisions]
        self.window: list[tuple[int, int]] = [
            (i, j)
            for j in range(len(self.reps))
            for i in range(j)
            if self.reps[j].published_at - self.reps[i].published_at <= WINDOW
        ]
        rules = cues.rules
        self.feats = [features(self.reps[i], self.reps[j], rules) for i, j in self.window]
        self.labels = np.array([self.reports[i]["event"] == self.reports[j]["event"] for i, j in self.window], float)

    def score(self, pred: list[int]) -> dict:
        m = pairwise(pred, self.reports, "dev", "all")
        merged, total = different_merged(pred, self.reports, self.pairs, "dev")
        return {**m, "merged": merged, "diff": total, "share": merged / total if total else 0.0}

    def veto_feats(self, k: int, fired: str) -> dict[str, float]:
        return {**self.feats[k], f"fired: {fired}": 1.0}


def _cached_mentions(reports: list[dict], cache: Path) -> list:
    """The extract step's mentions (slow: spaCy), kept in `cache` by the reports' text."""
    text = "\n".join(f"{r['id']}|{r['lang']}|{r['title']}|{r['summary']}" for r in reports)
    path = cache / f"mentions-{hashlib.sha256(text.encode()).hexdigest()[:16]}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    found = extract(reports)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(found))
    return found


def run_rules(reps: list[Report], matcher: EventMatcher | None = None) -> tuple[list[int], list[Decision]]:
    """Group in publication order as bench_events.group_events does."""
    matcher = EventMatcher(window=WINDOW) if matcher is None else matcher  # an empty matcher is falsy (len)
    out, decisions = [], []
    for rep in reps:
        decision = matcher.assign(rep, rep.key)
        out.append(decision.story_id if decision.story_id is not None else rep.key)
        decisions.append(decision)
    return [matcher.resolve(s) for s in out], decisions


# ------------------------------------------------------------------------------------------------ model


class Logistic:
    """L2-regularised logistic regression on standardised features, classes weighted to balance."""

    def __init__(self, rows: list[dict[str, float]], y: np.ndarray, l2: float = L2):
        self.names = sorted({n for row in rows for n in row})
        x = self._matrix(rows)
        self.mu, self.sd = x.mean(0), x.std(0)
        self.sd[self.sd == 0] = 1.0
        z = np.hstack([np.ones((len(rows), 1)), (x - self.mu) / self.sd])
        pos = max(y.sum(), 1.0)
        weight = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * max(len(y) - pos, 1.0)))

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            s = z @ w
            p = 1 / (1 + np.exp(-s))
            value = np.sum(weight * (np.logaddexp(0, s) - y * s)) + l2 / 2 * np.sum(w[1:] ** 2)
            grad = z.T @ (weight * (p - y)) + l2 * np.concatenate([[0.0], w[1:]])
            return value, grad

        self.w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x

    def _matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        index = {n: k for k, n in enumerate(self.names)}
        x = np.zeros((len(rows), len(self.names)))
        for r, row in enumerate(rows):
            for n, v in row.items():
                if n in index:
                    x[r, index[n]] = v
        return x

    def prob(self, rows: list[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        z = (self._matrix(rows) - self.mu) / self.sd
        return 1 / (1 + np.exp(-(self.w[0] + z @ self.w[1:])))

    def weights(self) -> list[tuple[str, float]]:
        """Per standardised feature, largest first."""
        return sorted(zip(self.names, self.w[1:], strict=True), key=lambda t: -abs(t[1]))


def greedy(hand: Hand, prob: dict[tuple[int, int], float], threshold: float) -> list[int]:
    """Model alone: each report joins the story with the highest mean probability over its members within the
    window (if at least `threshold`), else starts one."""
    story_of: list[int] = []
    members: dict[int, list[int]] = {}
    for j in range(len(hand.reps)):
        best, best_p = None, threshold
        for story, ms in members.items():
            ps = [prob[(i, j)] for i in ms if (i, j) in prob]
            if ps and (p := sum(ps) / len(ps)) >= best_p:
                best, best_p = story, p
        story = j if best is None else best
        members.setdefault(story, []).append(j)
        story_of.append(story)
    return story_of


class SecondOpinion(EventMatcher):
    """The rules, with the pair model's second opinion: a join is overruled (veto) when the veto model's mean
    probability against the story's members within the window is below `veto`; a new story is instead joined to
    the story of highest mean probability under the alone model (join) when that is at least `join`."""

    def __init__(self, hand: Hand, veto: tuple[Logistic, float] | None = None, join: tuple[dict, float] | None = None):
        super().__init__(window=WINDOW)
        self.hand, self.veto, self.join = hand, veto, join
        self.index = {pair: k for k, pair in enumerate(hand.window)}
        self.members: dict[int, list[int]] = {}

    def decide(self, rep: Report) -> Decision:
        decision = super().decide(rep)
        if decision.story_id is None:
            return self._joined(rep) or decision
        if self.veto is None:
            return decision
        model, threshold = self.veto
        stories = [self.resolve(decision.story_id), *decision.merge]
        pairs = [(i, rep.key) for s in stories for i in self.members.get(s, ()) if (i, rep.key) in self.index]
        if not pairs:
            return decision
        p = model.prob([self.hand.veto_feats(self.index[pair], decision.rule) for pair in pairs]).mean()
        if p >= threshold:
            return decision
        return Decision(None, "new", {"rule": "new", "note": f"vetoed by the pair model ({p:.2f})"})

    def _joined(self, rep: Report) -> Decision | None:
        if self.join is None:
            return None
        prob, threshold = self.join
        best, best_p = None, threshold
        for story, ms in self.members.items():
            ps = [prob[(i, rep.key)] for i in ms if (i, rep.key) in prob]
            if ps and (p := sum(ps) / len(ps)) >= best_p:
                best, best_p = story, p
        return None if best is None else Decision(best, "pair-model", {"rule": "pair-model", "p": best_p})

    def add(self, rep: Report, story_id: int, merge=()) -> None:  # noqa: ANN001 - as EventMatcher.add
        for drop in merge:
            if drop in self.members and drop != story_id:
                self.members.setdefault(story_id, []).extend(self.members.pop(drop))
        super().add(rep, story_id, merge)
        self.members.setdefault(self.resolve(story_id), []).append(rep.key)


def with_veto(hand: Hand, model: Logistic, threshold: float) -> list[int]:
    return run_rules(hand.reps, SecondOpinion(hand, veto=(model, threshold)))[0]


def with_join(hand: Hand, prob: dict, threshold: float) -> list[int]:
    return run_rules(hand.reps, SecondOpinion(hand, join=(prob, threshold)))[0]


def fit_alone(train: list[Hand], raw: bool = False) -> Logistic:
    rows = [_raw(f) if raw else f for h in train for f in h.feats]
    return Logistic(rows, np.concatenate([h.labels for h in train]))


# What the rules decide about the pair; the raw model leaves them out (the rules were tuned on every dev hand).
RULE_FEATURES = ("rule", "veto: ", "near-copy told apart", "same kind and time", "leaders' statement")


def _raw(row: dict[str, float]) -> dict[str, float]:
    return {n: v for n, v in row.items() if not n.startswith(RULE_FEATURES)}


def fit_veto(train: list[Hand]) -> Logistic:
    """On the pairs the rules grouped: which of them are the same event."""
    rows, ys = [], []
    for h in train:
        for k, (i, j) in enumerate(h.window):
            if h.rules_pred[i] == h.rules_pred[j]:
                rows.append(h.veto_feats(k, h.fired[j]))
                ys.append(h.labels[k])
    return Logistic(rows, np.array(ys))


def alone_probs(hand: Hand, model: Logistic, raw: bool = False) -> dict[tuple[int, int], float]:
    rows = [_raw(f) for f in hand.feats] if raw else hand.feats
    return dict(zip(hand.window, model.prob(rows), strict=True))


MERGE_WEIGHT = 1.0  # choosing a threshold: mean F1 minus this times the mean share of different pairs merged


def choose(train: list[Hand], run: Callable[[Hand, float], list[int]], grid: tuple[float, ...]) -> float:
    """The threshold with the highest mean F1 minus `MERGE_WEIGHT` times the mean share merged on the training
    hands."""

    def value(t: float) -> float:
        scores = [h.score(run(h, t)) for h in train]
        return float(np.mean([s["f1"] - MERGE_WEIGHT * s["share"] for s in scores]))

    return max(grid, key=value)


# -------------------------------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/evml-cache"), help="extracted mentions")
    parser.add_argument(
        "--test",
        default="",
        help="comma-separated hands to test on, trained on the others (default: leave each hand out in turn)",
    )
    parser.add_argument("--train", default="", help="with --test or --fresh: the hands to train on (default: the rest)")
    parser.add_argument("--fresh", type=Path, help="a fresh hand's set: trained on every dev hand, scored once")
    parser.add_argument("--fresh-split", default="dev", help="the fresh set's split (never holdout, holdout2, 3)")
    parser.add_argument("--merge-weight", type=float, default=MERGE_WEIGHT, help="in choosing thresholds")
    parser.add_argument("--show-weights", action="store_true")
    parser.add_argument("--sweep", action="store_true", help="the models alone at every threshold (descriptive)")
    args = parser.parse_args(argv)
    globals()["MERGE_WEIGHT"] = args.merge_weight
    hands = [Hand(name, path, args.cache) for name, path in HANDS.items()]
    for h in hands:
        print(f"{h.name}: {len(h.reports)} reports, {len(h.window)} pairs in window, {int(h.labels.sum())} same-event")
    tested = [h for h in hands if h.name in args.test.split(",")] if args.test else hands
    if args.fresh:
        tested = [Hand("fresh", args.fresh, args.cache, args.fresh_split)]
        hands = [h for h in hands if h.path != tested[0].path]
    print(f"{'held out':<10}{'method':<18}{'t':>6}{'P':>7}{'R':>7}{'F1':>7}{'merged':>9}")
    table: dict[str, list[dict]] = {}
    for held in tested:
        split = args.test or args.fresh
        train = [h for h in hands if h not in tested] if split else [h for h in hands if h is not held]
        if args.train:
            train = [h for h in train if h.name in args.train.split(",")]
        rows, models = evaluate(held, train)
        for method, (t, s) in rows.items():
            table.setdefault(method, []).append(s)
            shown = "" if t is None else f"{t:.2f}"
            merged = f"{s['merged']}/{s['diff']}"
            print(f"{held.name:<10}{method:<18}{shown:>6}{s['p']:>7.3f}{s['r']:>7.3f}{s['f1']:>7.3f}{merged:>9}")
        if args.sweep:
            sweep(held, models)
        if args.show_weights:
            for name, model in models.items():
                print(f"  {name}:", ", ".join(f"{n} {w:+.2f}" for n, w in model.weights()[:10]))
    summary(table)
    return 0


def evaluate(held: Hand, train: list[Hand]) -> tuple[dict[str, tuple[float | None, dict]], dict[str, Logistic]]:
    """Fit the models on `train`, choose their thresholds there, score every method on `held`."""
    alone, raw, veto = fit_alone(train), fit_alone(train, raw=True), fit_veto(train)
    probs = {h.name: alone_probs(h, alone) for h in [*train, held]}
    raws = {h.name: alone_probs(h, raw, raw=True) for h in [*train, held]}
    runs = {
        "alone": (lambda h, t: greedy(h, probs[h.name], t), ALONE_GRID),
        "alone, no rules": (lambda h, t: greedy(h, raws[h.name], t), ALONE_GRID),
        "rules + veto": (lambda h, t: with_veto(h, veto, t), VETO_GRID),
        "rules + join": (lambda h, t: with_join(h, probs[h.name], t), JOIN_GRID),
    }
    rows: dict[str, tuple[float | None, dict]] = {"rules": (None, held.score(held.rules_pred))}
    rows["alone at 0.5"] = (0.5, held.score(greedy(held, probs[held.name], 0.5)))
    for method, (run, grid) in runs.items():
        t = choose(train, run, grid)
        rows[method] = (t, held.score(run(held, t)))
    return rows, {"alone": alone, "no rules": raw, "veto": veto}


def sweep(held: Hand, models: dict[str, Logistic]) -> None:
    """F1 and different pairs merged of the models alone at each threshold: the trade-off, not a choice."""
    for name, raw in (("alone", False), ("no rules", True)):
        probs = alone_probs(held, models[name], raw=raw)
        cells = []
        for t in (*ALONE_GRID, 0.95):
            s = held.score(greedy(held, probs, t))
            cells.append(f"{t:.2f}: {s['f1']:.3f} {s['merged']}/{s['diff']}")
        print(f"  sweep {name}: " + ", ".join(cells))


def summary(table: dict[str, list[dict]]) -> None:
    """Mean over held-out hands, and on how many the method beats the rules in F1 without more merges."""
    rules = table["rules"]
    print(f"{'mean':<10}{'method':<18}{'P':>7}{'R':>7}{'F1':>7}{'merged':>8}  beats rules (F1 up, merges not)")
    for method, scores in table.items():
        mean = {k: float(np.mean([s[k] for s in scores])) for k in ("p", "r", "f1", "share")}
        wins = sum(s["f1"] > r["f1"] and s["merged"] <= r["merged"] for s, r in zip(scores, rules, strict=True))
        line = f"{'':<10}{method:<18}{mean['p']:>7.3f}{mean['r']:>7.3f}{mean['f1']:>7.3f}{mean['share']:>8.1%}"
        print(f"{line}  {wins}/{len(scores)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
