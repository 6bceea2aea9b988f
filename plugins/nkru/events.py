"""What happened and when, read from a report's text: the "what" and "when" of event-level story grouping.

Two reports of one happening are written independently (TASS and Yonhap on the same visit) and share few words,
but they agree on the kind of happening (a visit, talks, a treaty step, a sanctions designation...) and on its
day. `features()` reads both from the headline and summary:

- **kinds**: cue words per language, kept as data in ``config/events/<language>.yaml`` (stems matched at word
  beginnings for alphabetic scripts, anywhere for Chinese, Japanese, Korean and Arabic); the kinds themselves, their
  precedence and the rules about them are in ``config/events/kinds.yaml``. Cues of every language are looked for
  in every text, so a headline in one language and a summary in another still get their kinds.
- **event date**: the day the text gives for the happening ("on Tuesday", "25 March", "25 марта", "3월 25일",
  "13일", "yesterday"), resolved against the publication time. Month and weekday names come from CLDR (Babel),
  relative day words from the language files. A date more than a week before publication (a recalled event) or
  more than a day after it is not the report's own and is ignored.

Nothing here knows about the database: `nkru.stories` combines these with the entities and near-copy signal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import ahocorasick
import yaml

from nkru.event_dates import DAY_ONLY_CJK, REPORTED_DAY_BEFORE_CHARS, DatePatterns, fold, is_alphabetic

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "config" / "events"
RULES_FILE = "kinds.yaml"
# The beat's reports are written at most this far east of UTC (Pyongyang and Seoul +9, Vladivostok +10, Kamchatka
# +12): a day after the publication's date there is still to come.
LOCAL_AHEAD = timedelta(hours=12)
MAX_TEXT_CHARS = 20_000  # cues and dates are read from the headline and the start of the summary only

# "SEOUL, March 25 (Yonhap) --", "Pyongyang, April 14 (KCNA) --", "MOSCOW, 25 марта (ТАСС) -"
_DATELINE = re.compile(r"^\s*[^\W\d][\w .,'/-]{0,60}?\([^)]{1,40}\)\s*(?:--|—|–|-)")


class EventCuesError(ValueError):
    """A file under config/events is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class EventRules:
    """The kinds and the rules about them (config/events/kinds.yaml)."""

    kinds: tuple[str, ...]
    exclusive: frozenset[str]
    steps: tuple[str, ...]
    steps_of: str | None
    generic: frozenset[str]
    update: frozenset[str]
    background_entities: frozenset[str]
    # the steps named by a body that votes ("the Duma", "the Federation Council", "the committee"): naming the
    # body says who, not that anything was ratified
    step_bodies: frozenset[str] = frozenset()
    # the kind a report gets when the first day it gives is still to come ("talks on 19 January", published on
    # the 15th): it announces the happening
    future_date_kind: str | None = None
    # (pattern, kind): headline shapes that cue a kind in any language ("Zakharova: …", `외교부 "…"`)
    headline_patterns: tuple[tuple[re.Pattern[str], str], ...] = ()
    # headline shapes that attribute a happening to unnamed sources ("…, sources say", "— СМИ"): the headline
    # reports the happening, not a statement, when it also cues a specific kind
    attributed: tuple[re.Pattern[str], ...] = ()
    # the background names that are cities where happenings take place (Pyongyang, Moscow): a stop of a visit
    background_cities: frozenset[str] = frozenset()
    # headline shapes of an envoy handing over a leader's message ("Kozlov delivered Putin's message to Kim"):
    # the meeting where it was handed over, not a statement
    delivered: tuple[re.Pattern[str], ...] = ()
    # (step, body): the body that takes a treaty step, an actor of every report naming that step ("Депутаты
    # одобрили…" is the Duma's vote though it names the deputies, not the Duma)
    step_actors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TextFeatures:
    """The kinds a text cues (in precedence order) and the event date it gives, if any."""

    kinds: tuple[str, ...]
    headline_kinds: tuple[str, ...]  # the kinds its headline alone cues
    step: str | None  # the treaty step the headline (else the summary) names, if any
    event_date: date | None
    date_source: str | None  # the words the date was read from ("25 марта", "on Tuesday")
    # whether the date names the day itself ("25 марта", "on Tuesday", "13일"), not a day relative to the
    # publication time ("yesterday", "today": resolved in UTC, so a day off for a Pyongyang morning report)
    date_exact: bool = False

    @property
    def kind(self) -> str | None:
        """The main kind: the first cued kind in precedence order."""
        return self.kinds[0] if self.kinds else None


@dataclass(frozen=True)
class Cues:
    """Everything loaded from config/events: rules, one automaton over every language's cue words, date words."""

    rules: EventRules
    languages: tuple[str, ...]
    automaton: ahocorasick.Automaton
    relative_days: dict[str, int]
    dates: DatePatterns


@functools.cache
def load_cues(directory: str | Path = DEFAULT_DIR) -> Cues:
    """Load config/events (once per process and directory)."""
    directory = Path(directory)
    rules = _load_rules(directory / RULES_FILE)
    automaton = ahocorasick.Automaton()
    relative: dict[str, int] = {}
    reported: list[str] = []
    subjects: list[str] = []
    days_of_month: list[str] = []
    not_weekdays: list[str] = []
    languages = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == RULES_FILE:
            continue
        data = _read(path)
        languages.append(str(data.get("language") or path.stem))
        for kind, terms in (data.get("kinds") or {}).items():
            if kind not in rules.kinds:
                raise EventCuesError(f"{path}: unknown kind {kind!r} (known: {', '.join(rules.kinds)})")
            for term in terms or []:
                _add_cue(automaton, fold(str(term)), kind)
        offsets = {"today": 0, "yesterday": -1, "tomorrow": 1}
        for word_kind, words in (data.get("relative_days") or {}).items():
            if word_kind not in offsets:
                raise EventCuesError(f"{path}: relative_days has {word_kind!r}; use today, yesterday, tomorrow")
            for word in words or []:
                relative[fold(str(word))] = offsets[word_kind]
        reported += [str(word) for word in data.get("report_day_words") or [] if str(word).strip()]
        subjects += [str(word) for word in data.get("report_subject_words") or [] if str(word).strip()]
        days_of_month += [str(regex) for regex in data.get("day_of_month") or [] if str(regex).strip()]
        not_weekdays += [str(word) for word in data.get("not_weekdays") or [] if str(word).strip()]
    for word in relative:
        _add_cue(automaton, word, "@day")
    if len(automaton):
        automaton.make_automaton()
    try:
        dates = DatePatterns.for_languages(languages, reported, subjects, days_of_month, not_weekdays)
    except re.error as exc:
        raise EventCuesError(f"{directory}: a day_of_month pattern is malformed: {exc}") from exc
    return Cues(rules, tuple(languages), automaton, relative, dates)


def _add_cue(automaton: ahocorasick.Automaton, term: str, kind: str) -> None:
    if not term:
        return
    known = automaton.get(term, (term, frozenset()))
    automaton.add_word(term, (term, known[1] | {kind}))


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EventCuesError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise EventCuesError(f"{path}: expected a mapping at the top level")
    return data


def _load_rules(path: Path) -> EventRules:
    data = _read(path)
    kinds = tuple(str(k) for k in data.get("kinds") or [])
    if not kinds:
        raise EventCuesError(f"{path}: no kinds listed")
    sets = {}
    for name in ("exclusive", "generic", "update"):
        values = frozenset(str(k) for k in data.get(name) or [])
        if unknown := values - set(kinds):
            raise EventCuesError(f"{path}: {name} lists unknown kinds {sorted(unknown)}")
        sets[name] = values
    steps = tuple(str(k) for k in data.get("steps") or [])
    if unknown := set(steps) - set(kinds):
        raise EventCuesError(f"{path}: steps lists unknown kinds {sorted(unknown)}")
    steps_of = data.get("steps_of")
    if steps_of is not None and steps_of not in kinds:
        raise EventCuesError(f"{path}: steps_of names unknown kind {steps_of!r}")
    background = frozenset(str(e) for e in data.get("background_entities") or [])
    bodies = frozenset(str(k) for k in data.get("step_bodies") or [])
    if unknown := bodies - set(steps):
        raise EventCuesError(f"{path}: step_bodies lists kinds that are no steps {sorted(unknown)}")
    future = data.get("future_date_kind")
    if future is not None and future not in kinds:
        raise EventCuesError(f"{path}: future_date_kind names unknown kind {future!r}")
    patterns = []
    for kind, regexes in (data.get("headline_patterns") or {}).items():
        if kind not in kinds:
            raise EventCuesError(f"{path}: headline_patterns names unknown kind {kind!r}")
        for regex in regexes or []:
            try:
                patterns.append((re.compile(str(regex)), str(kind)))
            except re.error as exc:
                raise EventCuesError(f"{path}: headline_patterns[{kind}]: bad pattern {regex!r}: {exc}") from exc
    attributed = _regexes(data, "attributed_headlines", path)
    return EventRules(
        kinds,
        sets["exclusive"],
        steps,
        steps_of,
        sets["generic"],
        sets["update"],
        background,
        bodies,
        str(future) if future is not None else None,
        tuple(patterns),
        tuple(attributed),
        frozenset(str(c) for c in data.get("background_cities") or []),
        tuple(_regexes(data, "delivered_headlines", path)),
        _step_actors(data, steps, path),
    )


def _step_actors(data: dict, steps: tuple[str, ...], path: Path) -> tuple[tuple[str, str], ...]:
    """`step_actors` of kinds.yaml: (step, body) pairs, each step one of `steps`."""
    pairs = tuple((str(step), str(body)) for step, body in (data.get("step_actors") or {}).items())
    if unknown := {step for step, _ in pairs} - set(steps):
        raise EventCuesError(f"{path}: step_actors names kinds that are no steps {sorted(unknown)}")
    return pairs


def _regexes(data: dict, key: str, path: Path) -> list[re.Pattern[str]]:
    """A list of case-insensitive headline shapes from config/events/kinds.yaml."""
    out = []
    for regex in data.get(key) or []:
        try:
            out.append(re.compile(str(regex), re.IGNORECASE))
        except re.error as exc:
            raise EventCuesError(f"{path}: {key}: bad pattern {regex!r}: {exc}") from exc
    return out


# -------------------------------------------------------------------------------------------------- kinds


def cued(
    cues: Cues,
    text: str,
    steps: list[tuple[int, int, str]] | None = None,
    plain: set[str] | None = None,
    acts: set[str] | None = None,
) -> tuple[set[str], list[tuple[int, str]]]:
    """The kinds cued in `text` (already folded) and the relative-day words found, with their positions.

    `steps`, when given, collects (start, -length, kind) of every treaty-step cue found; `plain`, when given,
    collects the kinds cued by words that name no treaty step ("ratified", not "the Duma"); `acts`, when given,
    those cued by words that name no voting body (`step_bodies`: "entered into force" counts, "the Duma" not)."""
    kinds: set[str] = set()
    days: list[tuple[int, str]] = []
    if not len(cues.automaton):
        return kinds, days
    for end, (term, found) in cues.automaton.iter(text):
        start = end - len(term) + 1
        if is_alphabetic(term[0]) and start > 0 and text[start - 1].isalnum():
            continue  # a cue word must start a word in alphabetic scripts ("visit" not in "revisit")
        if "@day" in found:
            after = end + 1
            if after >= len(text) or not text[after].isalnum() or not is_alphabetic(term[-1]):
                days.append((start, term))
            found = found - {"@day"}
        kinds.update(found)
        if steps is not None:
            steps.extend((start, -len(term), k) for k in found if k in cues.rules.steps)
        if plain is not None and not found & set(cues.rules.steps):
            plain.update(found)
        if acts is not None and not found & cues.rules.step_bodies:
            acts.update(found)
    return kinds, days


def features(
    title: str, summary: str, published_at: datetime, cues: Cues | None = None, language: str | None = None
) -> TextFeatures:
    """Kinds and event date of one report (`language`: its detected language, for month and weekday names)."""
    cues = cues or load_cues()
    text = fold(f"{title}\n{summary}"[:MAX_TEXT_CHARS])
    found, relative = cued(cues, text)
    order = [k for k in cues.rules.kinds if k in found]
    title_steps: list[tuple[int, int, str]] = []
    text_steps: list[tuple[int, int, str]] = []
    in_title, _ = cued(cues, fold(title[:MAX_TEXT_CHARS]), title_steps)
    for pattern, kind in cues.rules.headline_patterns:
        if pattern.search(title[:MAX_TEXT_CHARS]):
            in_title.add(kind)
            found.add(kind)
    if specific(in_title, cues.rules) and any(p.search(title[:MAX_TEXT_CHARS]) for p in cues.rules.attributed):
        in_title -= cues.rules.generic  # "…, sources say": the happening's headline, attributed
    if any(p.search(title[:MAX_TEXT_CHARS]) for p in cues.rules.delivered):
        in_title = (in_title - cues.rules.generic) | {"talks"}  # a message handed over: the envoy's meeting
        found.add("talks")
    plain: set[str] = set()
    acts: set[str] = set()
    cued(cues, text, text_steps, plain, acts)
    if cues.rules.steps_of and cues.rules.steps_of not in acts:
        # Naming a body that votes is no vote: "Volodin, speaker of the Duma, arrived" cues neither the Duma's
        # step nor a ratification; "the Duma ratified" or "the Duma approved" does (the act's own word).
        named_only = cues.rules.step_bodies | {cues.rules.steps_of}
        found -= named_only
        in_title -= named_only
        title_steps = [s for s in title_steps if s[2] not in cues.rules.step_bodies]
        text_steps = [s for s in text_steps if s[2] not in cues.rules.step_bodies]
    # The step a report is about is the one its headline names first (the longest cue there: "duma committee"
    # is the committee, not the Duma); "the Duma approved, only the Federation Council remains" is the Duma's.
    # A step named only in the summary counts when the text is about ratification in other words than the step's
    # ("NIS told lawmakers" is not; nor is "the Duma speaker arrived").
    if not title_steps and cues.rules.steps_of and cues.rules.steps_of not in plain:
        text_steps = []
    steps = [min(title_steps or text_steps)[2]] if title_steps or text_steps else []
    future = bool(found & cues.rules.exclusive)
    when, source, reported = cues.dates.find(text, published_at, future=future, language=language)
    if _announced_by_date(when, source, published_at, found, cues.rules):
        found.add(cues.rules.future_date_kind)
        if source and source in fold(title):
            in_title.add(cues.rules.future_date_kind)
    # Also when the summary gives the date to come: "ロシア外相、あすから訪朝" announces in its headline (round 9).
    if _tomorrow_in_headline(title, relative, found, cues):
        found.add(cues.rules.future_date_kind)
        in_title.add(cues.rules.future_date_kind)
    # A date in a wire dateline ("SEOUL, March 25 (Yonhap) --") is the day of writing, where the wire was, not
    # necessarily the happening's: it may be a day off another outlet's. So is a day the text gives as the day an
    # agency reported ("조선중앙통신은 17일 …", "据朝中社18日报道"): the agency writes the morning after.
    dateline = _DATELINE.match(summary[:200])
    exact = when is not None and not reported and not (dateline and source and source in fold(dateline.group(0)))
    # "Tomorrow" is the day of a happening still to come: the event date of an announcement only ("Lavrov arrives;
    # talks with Choe are due tomorrow" is the arrival, today).
    own = [(p, w) for p, w in relative if cues.relative_days[w] <= 0 or found & cues.rules.exclusive]
    if when is None and own:
        position, word = min(own)
        when, source = (published_at.date() + timedelta(days=cues.relative_days[word])), word
    elif when is not None and source and DAY_ONLY_CJK.fullmatch(source):
        when = _day_before_report(text, source, when, relative, cues.relative_days)
    order = [k for k in cues.rules.kinds if k in found]
    headline = tuple(k for k in cues.rules.kinds if k in in_title)
    return TextFeatures(tuple(order), headline, steps[0] if steps else None, when, source, exact)


def _announced_by_date(
    when: date | None, source: str | None, published_at: datetime, found: set[str], rules: EventRules
) -> bool:
    """Whether the date a text gives first is a day still to come where the report was written (after the
    publication's date `LOCAL_AHEAD` east of UTC): the report announces a happening ("최선희, 19일 모스크바서
    라브로프와 회담", published on the 15th; "라브로프, 6∼7일 북한 방문", published at 18:30 in Seoul on the 5th).
    Not when the text names a treaty step or its entry into force: a treaty's dates to come are when it takes
    effect."""
    if when is None or rules.future_date_kind is None or found & set(rules.steps):
        return False
    return when > (published_at + LOCAL_AHEAD).date()


def _tomorrow_in_headline(title: str, relative: list[tuple[int, str]], found: set[str], cues: Cues) -> bool:
    """Whether the headline gives "tomorrow" ("あす会談", "내일 회담", "talks tomorrow") for a happening it cues: it
    announces the happening, as a day still to come does (`_announced_by_date`). Not in the summary: an arrival's
    report saying the talks are tomorrow is the arrival's. Not for treaty steps (`_announced_by_date`)."""
    if cues.rules.future_date_kind is None or found & set(cues.rules.steps) or not specific(found, cues.rules):
        return False
    end = len(fold(title[:MAX_TEXT_CHARS]))
    return any(position < end and cues.relative_days[word] == 1 for position, word in relative)


def _day_before_report(text: str, source: str, when: date, relative: list[tuple[int, str]], offsets) -> date:
    """The happening's day when the day found is a wire's report day followed by "the day before" (전날, 前日):
    `REPORTED_DAY_BEFORE_CHARS` at most after it, in the same sentence. Otherwise the day found."""
    start = text.find(source) + len(source)
    for position, word in relative:
        close = 0 <= position - start <= REPORTED_DAY_BEFORE_CHARS
        if offsets[word] == -1 and close and not _SENTENCE_END.search(text[start:position]):
            return when - timedelta(days=1)
    return when


_SENTENCE_END = re.compile(r"[.。!?！？]\s|[。！？]")


def specific(kinds: Iterable[str], rules: EventRules) -> frozenset[str]:
    """The kinds that say what happened (without the generic ones such as 'statement')."""
    return frozenset(kinds) - rules.generic


# ------------------------------------------------------------------------------------------------ figures

_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,  .]\d{3})+|\d{2,})(?![\w,.]?\d)")


def figures(text: str) -> set[str]:
    """The figures a text gives, separators dropped ("3,000" and "3 000" → "3000"), without years and days.

    A figure is written the same way in every language and script, so two reports giving the same unusual
    figure (412 deputies, 5,000 builders) likely report the same thing.
    """
    out = set()
    for m in _FIGURE.finditer(text[:MAX_TEXT_CHARS]):
        number = re.sub(r"\D", "", m.group(1))
        value = int(number)
        if value <= 31 or 1900 <= value <= 2100 or len(number) > 12:
            continue
        out.add(number)
    return out
