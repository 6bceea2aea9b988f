"""What two reports share and what the one-event rule says about them, as numbers: the features of a learned
second opinion on event grouping (issue 16; bench/event_pairs_experiment.py).

The rules decide a report against a story; here the earlier report stands for a story of its own
(`StoryProfile.start`), so every feature is what the existing code (`rule`, `apart`, `names`, the near-copy
signature) computes for that pair: the rule's score or the veto it gives (one feature per veto reason, named by
its words), near-copy similarity, the two fallbacks, and the raw who / what / when the rules weigh (shared people,
bodies, places and figures, kinds, statements, dates, headline names, time gap, language). Nothing here decides:
a model weighs them.
"""

from __future__ import annotations

from nkru import events
from nkru.stories import names, rule
from nkru.stories.copies import MATCH_THRESHOLD
from nkru.stories.reports import LABEL_WEIGHTS, NUMBER_WEIGHT, Report
from nkru.stories.rule import StoryProfile, hours_between

PERSON, BODY = LABEL_WEIGHTS["PERSON"], LABEL_WEIGHTS["ORG"]


def profile(rep: Report, rules: events.EventRules) -> StoryProfile:
    """A story of one report, as the index starts it (`EventMatcher.add`)."""
    story = StoryProfile.start(rep.key, rep, rules)
    story.add(rep, rules)
    return story


def features(earlier: Report, later: Report, rules: events.EventRules) -> dict[str, float]:
    """The features of a pair (`earlier` published first): name -> value, absent names are 0."""
    story = profile(earlier, rules)
    out: dict[str, float] = {}
    out.update(_rule_verdicts(earlier, later, story, rules))
    out.update(_who(earlier, later, rules.background_entities))
    out.update(_what(earlier, later, rules))
    out.update(_when(earlier, later))
    return {name: value for name, value in out.items() if value}


def _rule_verdicts(earlier: Report, later: Report, story: StoryProfile, rules: events.EventRules) -> dict[str, float]:
    """What the rules say about the later report against the earlier one's story, and the near-copy similarity."""
    verdict = rule.score(later, story, rules)
    similarity = later.sig.jaccard(earlier.sig)
    same_title = bool(later.title_key) and later.title_key == earlier.title_key
    near_copy = similarity >= MATCH_THRESHOLD or same_title
    out = {
        "rule score": verdict.score,
        "rule: same event": float(verdict.veto is None and verdict.score >= rule.EVENT_THRESHOLD),
        "minhash similarity": similarity,
        "near-copy": float(near_copy),
        "near-copy told apart": float(near_copy and rule.copy_differs(later, story, rules) is not None),
        "same kind and time": float(rule.same_kind_and_time(later, story, rules)),
        "leaders' statement": float(rule.leaders_statement(later, story, rules)),
    }
    if verdict.veto:
        out[f"veto: {verdict.veto}"] = 1.0
    return out


def _who(earlier: Report, later: Report, background: frozenset[str]) -> dict[str, float]:
    """Shared names beyond the background, by kind (a short form or another spelling of a person counts)."""
    aliases = names.same_people(later.entities, earlier.entities)
    shared = sorted(((set(later.entities) & set(earlier.entities)) | set(aliases)) - background)
    weights = [later.entities[n] for n in shared]
    total = sum(w for n, w in later.entities.items() if n not in background)
    people = (earlier.headline_people, later.headline_people)
    return {
        "shared people": float(sum(w == PERSON for w in weights)),
        "shared bodies": float(sum(w == BODY for w in weights)),
        "shared places": float(sum(w == 1.0 and not n.startswith("#") for n, w in zip(shared, weights, strict=True))),
        "shared figures": float(
            sum(n.startswith("#") and w == NUMBER_WEIGHT for n, w in zip(shared, weights, strict=True))
        ),
        "who share": sum(weights) / total if total else 0.0,
        "no shared name": float(not shared),
        "either names no one": float(not later.strong_entities(background) or not earlier.strong_entities(background)),
        "same leaders": float(
            bool(later.leaders(background)) and later.leaders(background) == earlier.leaders(background)
        ),
        "headline people apart": float(all(people) and not people[0] & people[1]),
        "headline stops apart": float(
            bool(earlier.headline_stops and later.headline_stops) and not earlier.headline_stops & later.headline_stops
        ),
    }


def _what(earlier: Report, later: Report, rules: events.EventRules) -> dict[str, float]:
    """Kinds, statements, announcements, treaty steps."""
    mine, theirs = events.specific(later.kinds, rules), events.specific(earlier.kinds, rules)
    main = later.main_kind(rules)
    return {
        "same main kind": float(main is not None and main == earlier.main_kind(rules)),
        "kinds overlap": len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0,
        "neither cues a kind": float(not mine and not theirs),
        "one statement, one not": float(later.says != earlier.says),
        "both statements": float(later.says and earlier.says),
        "same speaker": float(bool(later.speaker) and later.speaker == earlier.speaker),
        "announcement vs happening": float(later.exclusive != earlier.exclusive),
        "different treaty steps": float(bool(later.step and earlier.step) and later.step != earlier.step),
        "an answer": float(later.answers != earlier.answers),
    }


def _when(earlier: Report, later: Report) -> dict[str, float]:
    """Time gap, event dates and languages."""
    gap = hours_between(later.published_at, earlier.published_at)
    both_dated = earlier.event_date is not None and later.event_date is not None
    return {
        "gap (days)": gap / 24,
        "within 6 h": float(gap <= 6),
        "over 24 h": float(gap > 24),
        "same event date": float(both_dated and earlier.event_date == later.event_date),
        "event dates differ": float(
            rule.dates_differ(earlier.event_date, earlier.date_exact, later.event_date, later.date_exact)
        ),
        "other language": float(earlier.language != later.language),
    }
