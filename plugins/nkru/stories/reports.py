"""What grouping knows about one article (`Report`): who, what, when, and its near-copy signature.

*Who* are the canonical entities of the extract step, weighted by label: people 3, bodies 2, places 1,
nationalities 0; the two sides, their capitals, the two leaders and the news agencies (the background names of
config/events/kinds.yaml) a fifth; figures the text gives ("412 deputies") 1, since a figure is written the same
way in every language. *What* are the kinds of happening the text cues and whether its headline is a statement;
*when* is its publication time and the event date the text gives (`nkru.events`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from nkru import events
from nkru.stories import names
from nkru.stories.copies import from_bytes, signature, title_key

if TYPE_CHECKING:  # datasketch imports SciPy (~1 s): signatures are only passed through here
    from datasketch import LeanMinHash

# Weight of an entity in "who" by label: the actors (people, bodies) count most, places less, nationalities not.
LABEL_WEIGHTS = {"PERSON": 3.0, "ORG": 2.0, "GPE": 1.0, "LOC": 1.0, "FAC": 1.0, "EVENT": 1.0, "PRODUCT": 1.0}
BACKGROUND_FACTOR = 0.2  # the two sides and their capitals, named by nearly every report (config/events/kinds.yaml)
# A figure the text gives ("3,000 troops", "412 deputies") is written the same way in every language.
NUMBER_WEIGHT = 1.0
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# The kind of a statement answering another's words (config/events/kinds.yaml).
ANSWER_KIND = "answer"


@dataclass(frozen=True)
class Report:
    """What grouping knows about one article: who, what, when, and its near-copy signature."""

    key: int
    title: str
    published_at: datetime
    entities: dict[str, float]  # canonical name -> weight
    kinds: tuple[str, ...]  # cued kinds, in precedence order
    exclusive: frozenset[str]
    step: str | None
    event_date: date | None
    date_source: str | None
    sig: LeanMinHash
    title_key: str
    language: str | None = None
    says: bool = False  # its headline cues a statement ("says", "заявил", "밝혀")
    headline_kinds: tuple[str, ...] = ()
    headline_places: frozenset[str] = frozenset()  # places beyond the background its headline names
    date_exact: bool = False  # its event date names the day ("on Tuesday"), not a relative word ("yesterday")
    speaker: str | None = None  # a statement's speaker as its headline gives it (`names.speaker`)
    speaker_sure: bool = False  # the headline gives its speaker outright ("Zakharova: …"), not guessed
    about: frozenset[str] = frozenset()  # the people a statement's headline names other than its speaker
    headline_people: frozenset[str] = frozenset()  # the people its headline names, the two leaders included
    headline_stops: frozenset[str] = frozenset()  # the places its headline names, the background cities included

    @functools.cached_property
    def alias_keys(self) -> frozenset[str]:
        """`names.alias_keys` of its names, computed once."""
        return names.alias_keys(self.entities)

    @functools.cached_property
    def people(self) -> frozenset[str]:
        """The people among its names."""
        return frozenset(n for n, w in self.entities.items() if w == LABEL_WEIGHTS["PERSON"])

    def strong_entities(self, background: frozenset[str]) -> set[str]:
        return {name for name in self.entities if name not in background}

    def main_kind(self, rules: events.EventRules) -> str | None:
        """What the report is about: its treaty step if it names one, else its first specific kind."""
        if self.step:
            return self.step
        return next((k for k in self.kinds if k not in rules.generic), None)

    def lead_kinds(self, rules: events.EventRules) -> frozenset[str]:
        """The specific kinds it leads on: its headline's, else its whole text's (a headline that cues none)."""
        return events.specific(self.headline_kinds, rules) or events.specific(self.kinds, rules)

    @property
    def answers(self) -> bool:
        """Whether its text answers another's words ("rejects US criticism"): the `answer` kind of
        config/events/kinds.yaml."""
        return ANSWER_KIND in self.kinds

    def actors(self, background: frozenset[str]) -> set[str]:
        """The people and bodies it names (not places, figures or the two sides themselves)."""
        return {n for n, w in self.entities.items() if w >= LABEL_WEIGHTS["ORG"] and n not in background}

    def leaders(self, background: frozenset[str]) -> frozenset[str]:
        """The background people it names (the two leaders): `leaders` in config/events/kinds.yaml's sense."""
        person = LABEL_WEIGHTS["PERSON"] * BACKGROUND_FACTOR
        return frozenset(n for n, w in self.entities.items() if n in background and math.isclose(w, person))


def report(
    key: int,
    title: str,
    summary: str,
    published_at: datetime,
    mentions: Iterable[tuple[str, str]],
    cues: events.Cues | None = None,
    language: str | None = None,
) -> Report:
    """The grouping features of one article; `mentions` are its (canonical name, label) pairs."""
    cues = cues or events.load_cues()
    text = events.features(title, summary, published_at, cues, language=language)
    weights: dict[str, float] = {f"#{n}": NUMBER_WEIGHT for n in events.figures(f"{title}\n{summary}")}
    mentions = list(mentions)
    places = {name: 1.0 for name, label in mentions if label in PLACE_LABELS}
    headline_places = frozenset(names.headline_order(title, places, cues.rules.background_entities))
    for name, label in mentions:
        weight = LABEL_WEIGHTS.get(label, 0.0)
        if name in cues.rules.background_entities:
            weight *= BACKGROUND_FACTOR
        if weight > 0:
            weights[name] = max(weight, weights.get(name, 0.0))
    for step, body in cues.rules.step_actors:
        if text.step == step:  # the chamber voting, named or not (round 10)
            weights.setdefault(body, LABEL_WEIGHTS["ORG"])
    says = bool(set(text.headline_kinds) & cues.rules.generic)
    return Report(
        key=key,
        title=title,
        published_at=published_at,
        entities=weights,
        kinds=text.kinds,
        exclusive=exclusive_kinds(text.kinds, text.headline_kinds, cues.rules),
        step=text.step,
        event_date=text.event_date,
        date_source=text.date_source,
        sig=signature(title, summary),
        title_key=title_key(title),
        language=language,
        says=says,
        headline_kinds=text.headline_kinds,
        headline_places=headline_places,
        date_exact=text.date_exact,
        headline_people=headline_people(title, weights, cues.rules.background_entities),
        headline_stops=headline_places | _cities(title, weights, cues.rules),
        **_voice(title, weights, cues.rules.background_entities, says, language),
    )


def headline_people(title: str, entities: dict[str, float], background: frozenset[str]) -> frozenset[str]:
    """The people a headline names, the two leaders (background people) included: who met whom ("Kim Jong Un
    receives Lavrov" is not "Lavrov meets Choe Son Hui")."""
    leader = LABEL_WEIGHTS["PERSON"] * BACKGROUND_FACTOR
    people = {
        n: w for n, w in entities.items() if w == names.PERSON_WEIGHT or (n in background and math.isclose(w, leader))
    }
    return frozenset(names.headline_order(title, people, ()))


def _cities(title: str, entities: dict[str, float], rules: events.EventRules) -> frozenset[str]:
    """The background cities (Pyongyang, Moscow) among a report's names that its headline names."""
    return frozenset(names.headline_order(title, {c: 1.0 for c in rules.background_cities if c in entities}, ()))


def _voice(
    title: str, entities: dict[str, float], background: frozenset[str], says: bool, language: str | None = None
) -> dict:
    """A statement's speaker and the other names its headline gives (nothing for a happening's headline)."""
    if not says:
        return {}
    who, sure = names.speaker(title, entities, background)
    if who and who.startswith(names.RAW):
        who = names.home_voice(who[len(names.RAW) :], language) or who  # 정부 "…": Seoul's government
    people = {n for n in names.headline_order(title, entities, background) if entities[n] == names.PERSON_WEIGHT}
    return {"speaker": who, "speaker_sure": sure, "about": frozenset(people - {who})}


def exclusive_kinds(kinds: Iterable[str], headline_kinds: Iterable[str], rules: events.EventRules) -> frozenset[str]:
    """The exclusive kinds (an announcement) a report is about: its headline's when the headline says what
    happened, else its whole text's. "Volodin lands in Pyongyang" stays a happening although its summary says he
    is the most senior lawmaker "to visit" since 2024."""
    headline = frozenset(headline_kinds)
    source = headline if events.specific(headline, rules) else frozenset(kinds)
    return source & rules.exclusive


def from_member(row, cues: events.Cues) -> Report:
    """A report as stored in `story_members` (`store.stories.MemberRow`), for the index to reload its window.

    Rows written before event features were kept have none: they still match as near-copies."""
    kinds = tuple(row.kinds)
    entities = {str(k): float(v) for k, v in row.entities.items()}
    says = bool(set(row.headline_kinds) & cues.rules.generic)
    return Report(
        key=row.article_id,
        title=row.title,
        published_at=row.published_at,
        entities=entities,
        kinds=kinds,
        exclusive=exclusive_kinds(kinds, row.headline_kinds, cues.rules),
        step=row.step,
        event_date=row.event_date,
        date_source=row.date_words,
        sig=from_bytes(row.minhash) if row.minhash is not None else signature(row.title, ""),
        title_key=row.title_key or title_key(row.title),
        language=row.language,
        says=says,
        headline_kinds=tuple(row.headline_kinds),
        headline_places=frozenset(row.headline_places),
        date_exact=bool(row.date_words) and events.fold(row.date_words) not in cues.relative_days,
        headline_people=headline_people(row.title, entities, cues.rules.background_entities),
        headline_stops=frozenset(row.headline_places) | _cities(row.title, entities, cues.rules),
        **_voice(row.title, entities, cues.rules.background_entities, says),
    )
