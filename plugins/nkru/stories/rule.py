"""The one-event rule: whether a report is another report of a story's happening, and how strongly.

README, "One story per event"; tests/test_stories_events.py. A report is of another happening than a story,
whatever else they share, when (`different`)
  1. one is an announcement and the other is not ("Shoigu will visit Pyongyang" vs "Shoigu in Pyongyang");
  2. both name a treaty step and the steps differ (Duma vote, Federation Council, the President's signature...);
  3. both give an event date and the dates differ: by more than `DATE_TOLERANCE_DAYS`, or at all when both name
     the day itself ("on Tuesday", "25 марта", "13일": a meeting the next day with the same people);
and, outside near-copies (`score`),
  4. it is first reported more than `EVENT_GAP_HOURS` after or before the story (`DATED_EVENT_GAP_HOURS` when
     both give the same event date);
  5. one headline is a statement and the other is not (a reaction, a statement after the happening, a message or
     article about a commemoration, against the happening's own report) and it is first reported more than
     `REACTION_GAP_HOURS` from the story's first report: the happening's own reports worded as statements
     ("Kremlin says Shoigu will visit") come in the same news cycle, a reaction the next morning. Within that
     gap it must still share a *person* with the story (a reaction names what it reacts to), and a statement
     whose headline gives outright a speaker the happening's reports never name is a third party's word on it
     (`third_party`: Zakharova on Shoigu's talks, two hours after them);
  6. both name people and none in common (Lavrov in Moscow and Shoigu in Moscow the same day);
  7. both headlines name places (beyond the two capitals) and none in common;
  8. it shares no actor, place or figure beyond the background names (`MIN_SHARED_ACTORS`);
  9. both cue specific kinds of happening and none in common with the story's first report, unless, within
     `REACTION_GAP_HOURS`, a later member of the story cued one of them (the visit's report, then the agreement
     signed at it) or, both reporting a happening, they share a person beyond the background
     (`kinds_may_differ`: the kind then adds nothing). Two statements of one person about different things
     (Zakharova on sanctions and on the drills at one briefing) are two events;
 10. both headlines are statements, each gives a speaker (`names.speaker`), the speakers differ and one of them
     is not named at all by the other side: two statements about one happening by different speakers (Seoul's
     concern about Volodin's trip and Volodin's own account of it) are two events;
 11. it is first reported more than `REACTION_GAP_HOURS` from the story and its headline leads on specific kinds
     none of the story's reports cued (`headline_kind_unseen`: the governor's arrival in Rason the morning after
     the train he sent off, its summary recalling the train).
 12. both are statements and they share no person or body beyond the background, only places
     (`statements_share_only_places`): every statement on a matter names the countries it is about, so the
     trilateral statement and the North Korean agency's rejection of it, or Moscow's and Pyongyang's answers to
     the same sanctions, are two events unless they share a speaker or someone they speak of. The kind-and-time
     fallback keeps the same rule in its own terms (`unseen_voice`): a statement whose speaker was read as a name
     the story never gives is another voice.
Round 7 (issue 16: different happenings sharing their actors within 48 hours) adds, outside near-copies,
 13. first reported more than `LEAD_GAP_HOURS` from the story, a report leading on kinds (its headline's, else its
     text's) none of the story's reports led on is the next step (`next_step`): the arrival, then the talks or the
     agreement signed the next morning, when no report gives a date; the story's summaries saying "he will hold
     talks" do not make the talks its own;
 14. more than `REACTION_GAP_HOURS` after a story first reported as a statement answering no one, a statement
     answering another's words (the `answer` kind: "rejects", "отвергли", "반박", "ترفض") is the answer to its
     claim (`claim_and_answer`), unless its headline gives outright a speaker the story names (the same voice);
 15. two happenings whose headlines each name a person, the two leaders included, the other side never names
     (`different_counterparts`): one minister's two meetings, the same day or the next;
 16. two happenings more than `STOP_GAP_HOURS` apart whose headlines name places, the background cities of
     config/events/kinds.yaml included, and none in common (`different_stops`): a delegation's successive stops.
Round 8 (a new writer's reports) adds
 17. two happenings first reported more than `LEAD_GAP_HOURS` apart, the report's headline naming a person the
     gazetteer lists and none of the story's reports names (`new_face`): Shoigu's meeting with the foreign
     minister the day after her talks with Lavrov, reported by KCNA under the two ministers' offices only;
and reads a country answering a claim about it as another voice than the claim's (`_same_voice`: rule 14 no longer
takes "North Korea denies…" for the voice of Kyiv's intelligence, which names North Korea), and keeps an envoy
handing over a leader's message hours later out of the message's story (`in_person`).
A headline attributing a happening to unnamed sources ("…, sources say", `attributed_headlines` in kinds.yaml) is
the happening's headline, not a statement (`nkru.events.features`).
Round 9: two statements whose speakers are one voice (the same name, a spokesperson and her body, a country and
its own government's body: "North Korea denies…" and its foreign ministry) share that speaker as an actor for rules
8 and 12 (`one_speaker`); rule 7 leaves a statement's speaker out of its headline's places ("中国外務省…" names China
as voice); rule 10 takes no speaker for another voice against one given in words no name stands for ("정부 '…'").
Rules 13-17 and the speaker rules are in `nkru.stories.apart`.
Round 10: the kind-and-time fallback keeps rule 10 when the report shares a person or body with the story.
Rule 5 leaves announcements alone: "Belousov to visit soon, state media says" is the announcement itself.
A person named under a short form by one and a full name by the other ("Volodin", "Vyacheslav Volodin"), or a
Korean under two romanisations the gazetteer lacks ("Kim Chol Su", "Kim Chkhol Su"), is one person
(`names.same_people`): shared for "who", not "different people".
Otherwise it scores who·0.55 + kind·0.30 + time·0.15; at least `EVENT_THRESHOLD` is the same event.

Two fallbacks, each only when exactly one story qualifies (`grouping`): a report in another language whose
actors the extract step could not read joins on kind and time (`same_kind_and_time`), never across rule 6 (the
people were read on both sides), 13 or 14, and, more than `REACTION_GAP_HOURS` after the story, only on the main
kind of the story's first report (a hacking report cueing arms is not the arms sanctions of the day before); and
the leaders' own
statements (a message, a speech, an exchange of greetings), which name no one but the two leaders (background
names, so they share no actor with anything), join the one story first reported as such a statement naming the
same leaders within `KIND_TIME_GAP_HOURS` (`leaders_statement`). A story first reported as a happening or as
someone else's statement is never joined this way: Putin's message and the wreath Kim lays with the ambassador
stay apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from nkru import events
from nkru.stories import names
from nkru.stories.apart import (
    LEAD_GAP_HOURS,
    REACTION_GAP_HOURS,
    STOP_GAP_HOURS,
    apart,
    claim_and_answer,
    different_counterparts,
    different_people,
    different_speakers,
    different_stops,
    headline_kind_unseen,
    kinds_may_differ,
    never_named,
    new_face,
    next_step,
    one_speaker,
    statements_share_only_places,
    third_party,
)
from nkru.stories.reports import LABEL_WEIGHTS, Report

# Reports of one happening come out within a day or so of each other; the next step of a treaty, the next
# visit or the answer to a statement usually comes a day or more later.
EVENT_GAP_HOURS = 24.0
# A late report that gives the same event date as the story's may come up to two days after the first.
DATED_EVENT_GAP_HOURS = 48.0
# Event dates may differ by a day when one was read from a relative word ("yesterday", resolved in UTC), not
# more; two dates that both name the day ("25 марта", "on Tuesday", "13일") must be the same day.
DATE_TOLERANCE_DAYS = 1
WHO_WEIGHT, KIND_WEIGHT, TIME_WEIGHT = 0.55, 0.30, 0.15
EVENT_THRESHOLD = 0.45
# A report that scores at least this against two stories shows they are one event: they are merged.
MERGE_THRESHOLD = 0.5
# Without a shared actor, the same main kind within this many hours of the first report, and only one such story.
KIND_TIME_GAP_HOURS = 20.0
# What two reports must share beyond the background: an actor, a place or a figure (a person when one headline
# is a statement and the other is not).
MIN_SHARED_ACTORS = 1.0


@dataclass
class StoryProfile:
    """What the index remembers of a story: its first report's time, voice and kinds, who and what its members
    named."""

    story_id: int
    first_published: datetime
    exclusive: frozenset[str]
    step: str | None
    main_kinds: frozenset[str]  # the specific kinds of its first report
    event_date: date | None
    language: str | None  # its first report's
    says: bool  # its first report's headline cues a statement
    headline_places: set[str] = field(default_factory=set)  # places its reports' headlines name
    entities: dict[str, float] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    members: int = 0
    date_exact: bool = False
    # the leaders its first report names, when that report is a statement naming no other person or body
    leaders: frozenset[str] = frozenset()
    speaker: str | None = None  # its first report's speaker, when that report's headline is a statement
    speaker_sure: bool = False
    about: frozenset[str] = frozenset()  # names its first report's headline gives, not as its speaker
    headline_main: frozenset[str] = frozenset()  # the specific kinds its first report's headline cues
    main_kind: str | None = None  # its first report's main kind (`Report.main_kind`)
    answers: bool = False  # its first report answers another's words (`Report.answers`)
    led: set[str] = field(default_factory=set)  # the kinds its reports led on (`Report.lead_kinds`)
    headline_people: set[str] = field(default_factory=set)  # the people its reports' headlines name
    headline_stops: set[str] = field(default_factory=set)  # the places its reports' headlines name, cities included
    alias_keys: set[str] = field(default_factory=set)  # `names.alias_keys` of its names
    people: set[str] = field(default_factory=set)  # the people among its names

    @classmethod
    def start(cls, story_id: int, rep: Report, rules: events.EventRules) -> StoryProfile:
        """A new story whose first report is `rep`."""
        main = events.specific(rep.kinds, rules)
        return cls(
            story_id,
            rep.published_at,
            rep.exclusive,
            rep.step,
            main,
            rep.event_date,
            rep.language,
            rep.says,
            date_exact=rep.date_exact,
            leaders=leaders_only(rep, rules),
            speaker=rep.speaker,
            speaker_sure=rep.speaker_sure,
            about=rep.about,
            headline_main=events.specific(rep.headline_kinds, rules),
            answers=rep.answers,
            main_kind=rep.main_kind(rules),
            led=set(rep.lead_kinds(rules)),
        )

    def add(self, rep: Report, rules: events.EventRules | None = None) -> None:
        self.members += 1
        self.headline_people.update(rep.headline_people)
        self.headline_stops.update(rep.headline_stops)
        if rules is not None:
            self.led.update(rep.lead_kinds(rules))
        self.first_published = min(self.first_published, rep.published_at)
        for name, weight in rep.entities.items():
            self.entities[name] = max(weight, self.entities.get(name, 0.0))
        self.alias_keys |= names.alias_keys({name: self.entities[name] for name in rep.entities})
        self.people.update(n for n in rep.entities if self.entities[n] == names.PERSON_WEIGHT)
        self.kinds.update(rep.kinds)
        if self.event_date is None:
            self.event_date, self.date_exact = rep.event_date, rep.date_exact
        if self.step is None:
            self.step = rep.step
        self.headline_places.update(rep.headline_places)

    def absorb(self, other: StoryProfile) -> None:
        """Take in a story merged into this one."""
        self.members += other.members
        self.first_published = min(self.first_published, other.first_published)
        for name, weight in other.entities.items():
            self.entities[name] = max(weight, self.entities.get(name, 0.0))
        self.kinds.update(other.kinds)
        if self.event_date is None:
            self.event_date, self.date_exact = other.event_date, other.date_exact
        self.headline_places.update(other.headline_places)
        self.led.update(other.led)
        self.headline_people.update(other.headline_people)
        self.headline_stops.update(other.headline_stops)
        self.alias_keys |= other.alias_keys
        self.people |= other.people
        self.step = self.step or other.step


def hours_between(a: datetime, b: datetime) -> float:
    return abs((a - b).total_seconds()) / 3600


def dates_differ(a: date | None, a_exact: bool, b: date | None, b_exact: bool) -> bool:
    """Whether two event dates show two happenings: more than a day apart, or apart at all when both name the
    day itself (a relative word is resolved in UTC and may be a day off)."""
    if a is None or b is None:
        return False
    tolerance = 0 if a_exact and b_exact else DATE_TOLERANCE_DAYS
    return abs((a - b).days) > tolerance


def different(rep: Report, story: StoryProfile, *, copy: bool = False) -> str | None:
    """Rules 1–3: why the report is of another happening than the story whatever else they share, or None.

    For a near-copy (`copy`), dates may differ by a day whatever words they come from: the same wire text,
    dated where each outlet edited it."""
    if rep.exclusive != story.exclusive:
        return "announcement vs happening"
    if rep.step and story.step and rep.step != story.step:
        return "different treaty steps"
    exact = not copy
    if dates_differ(rep.event_date, rep.date_exact and exact, story.event_date, story.date_exact and exact):
        return "different event dates"
    return None


def copy_differs(rep: Report, story: StoryProfile, rules: events.EventRules) -> str | None:
    """Why a near-copy of a story's report is still of another happening, or None: rules 1–3 (`different`, dates
    a day apart allowed), 13, 15 and 16. An agency's template headlines ("Parliamentary Delegation … Arrives",
    "… Leaves") share most shingles; an edited copy of one wire text keeps its people, places and lead."""
    if veto := different(rep, story, copy=True):
        return veto
    gap = hours_between(rep.published_at, story.first_published)
    return next_step(rep, story, gap, rules) or different_counterparts(rep, story) or different_stops(rep, story, gap)


def stories_differ(a: StoryProfile, b: StoryProfile) -> bool:
    """Rules 1–3, 5, 10, 11, 13, 14 and 16 between two stories (before merging them): a vague report ("Lavrov in
    Pyongyang") that fits the arrival and the next day's talks does not make them one. Not rules 6 and 15: a report
    naming both sides' people shows that one outlet's Naryshkin and another's Ri Chang Dae were at one meeting."""
    if a.exclusive != b.exclusive or (a.step and b.step and a.step != b.step):
        return True
    if different_speakers(a, b):
        return True
    gap = hours_between(a.first_published, b.first_published)
    if gap > REACTION_GAP_HOURS:
        if a.says != b.says or (a.says and a.answers != b.answers):
            return True  # rules 5 and 14: a statement and the happening it refers to, a claim and its answer
        if any(x.headline_main and not x.headline_main & set(y.kinds) for x, y in ((a, b), (b, a))):
            return True  # rule 11: one leads on a kind the other never had
    if gap > LEAD_GAP_HOURS and a.led and b.led and not a.led & b.led:
        return True  # rule 13: the next step
    stops = gap > STOP_GAP_HOURS and not (a.says or b.says)
    if stops and a.headline_stops and b.headline_stops and not a.headline_stops & b.headline_stops:
        return True  # rule 16: another stop
    return dates_differ(a.event_date, a.date_exact, b.event_date, b.date_exact)


@dataclass(frozen=True)
class Verdict:
    """The rule applied to one report and one story: a veto (why not), or the score and what it rests on."""

    score: float = 0.0
    veto: str | None = None
    shared: tuple[str, ...] = ()
    gap_hours: float = 0.0


def score(rep: Report, story: StoryProfile, rules: events.EventRules) -> Verdict:
    """Rules 1–9 and 11 and the who/what/when score of the report against one story."""
    gap = hours_between(rep.published_at, story.first_published)
    same_day = bool(rep.event_date and rep.event_date == story.event_date)
    if gap > (DATED_EVENT_GAP_HOURS if same_day else EVENT_GAP_HOURS):
        return Verdict(veto="first reported too long before or after")
    if veto := different(rep, story):
        return Verdict(veto=veto)
    # An announcement is words already: "state media says Belousov will visit" is the announcement itself.
    if rep.says != story.says and gap > REACTION_GAP_HOURS and not rep.exclusive:
        return Verdict(veto="a statement and the happening it refers to")
    if veto := third_party(rep, story):
        return Verdict(veto=veto)
    if veto := claim_and_answer(rep, story, gap, rules.background_entities):
        return Verdict(veto=veto)
    background = rules.background_entities
    if veto := apart(rep, story):
        return Verdict(veto=veto)
    if veto := different_counterparts(rep, story) or different_stops(rep, story, gap) or new_face(rep, story, gap):
        return Verdict(veto=veto)
    aliases = names.same_people(rep.entities, story.entities) if rep.alias_keys & story.alias_keys else {}
    shared = sorted((set(rep.entities) & set(story.entities)) | set(aliases))
    # A statement about a happening (a reaction) shares its subject's names; it must share a person too.
    needed = MIN_SHARED_ACTORS if rep.says == story.says else LABEL_WEIGHTS["PERSON"]
    voice = rep.says and story.says and one_speaker(rep, story)  # one voice (round 9): the speaker is shared
    if not voice and sum(rep.entities[name] for name in shared if name not in background) < needed:
        return Verdict(veto="no shared actor")
    if statements_share_only_places(rep, story, shared, background):
        return Verdict(veto="statements sharing only places")
    if veto := headline_kind_unseen(rep, story, gap, rules):
        return Verdict(veto=veto)
    if veto := next_step(rep, story, gap, rules):
        return Verdict(veto=veto)
    credit = max(0.0, LABEL_WEIGHTS["ORG"] - rep.entities.get(rep.speaker or "", 0.0)) if voice else 0.0
    total = sum(rep.entities.values()) + credit
    who = (sum(rep.entities[name] for name in shared) + credit) / total if total else 0.0
    mine = events.specific(rep.kinds, rules)
    if mine and story.main_kinds:
        if not mine & story.main_kinds:
            if mine & events.specific(story.kinds, rules) and gap <= REACTION_GAP_HOURS:
                kind = 0.3  # the kind of a later member: one report leads on the visit, another on its outcome
            elif not kinds_may_differ(rep, story, shared, gap, background):
                return Verdict(veto="different kinds")
            else:
                kind = 0.0  # the same person in the same voice within hours: who and when must carry it
        else:
            kind = 1.0 if rep.main_kind(rules) in story.main_kinds else 0.6
    elif mine or story.main_kinds:
        kind = 0.0  # words about something (no kind cued) and a happening: no support from "what"
    else:
        kind = 0.5
    time = max(0.0, 1.0 - gap / EVENT_GAP_HOURS)
    value = WHO_WEIGHT * who + KIND_WEIGHT * kind + TIME_WEIGHT * time
    return Verdict(score=value, shared=tuple(shared), gap_hours=gap)


def same_kind_and_time(rep: Report, story: StoryProfile, rules: events.EventRules) -> bool:
    """Whether a report whose actors the extract step could not read may join `story` on kind and time alone:
    the same main kind, first reported within `KIND_TIME_GAP_HOURS` in another language, the same headline voice
    (a reaction to a happening is its own event), no announcement/step/date conflict, not rule 11, and not people
    of whom none are shared (`different_people`: Lavrov's visit is not Shoigu's because both are visits the same
    day). Speakers
    are compared only when both were read as names (`read_speakers_differ`), headline places not at all: they
    rest on reading the names this fallback is for."""
    main = rep.main_kind(rules)
    if main is None or not rep.language or rep.language == story.language:
        return False
    gap = hours_between(rep.published_at, story.first_published)
    if gap > KIND_TIME_GAP_HOURS or headline_kind_unseen(rep, story, gap, rules):
        return False
    if rep.exclusive != story.exclusive or (rep.step and story.step and rep.step != story.step):
        return False
    if rep.says != story.says or read_speakers_differ(rep, story) or unseen_voice(rep, story):
        return False
    if claim_and_answer(rep, story, gap, rules.background_entities) or next_step(rep, story, gap, rules):
        return False
    if new_face(rep, story, gap):
        return False  # rule 17: a known person the story never names leads the headline hours later
    if rep.event_date and story.event_date and rep.event_date != story.event_date:
        return False
    if rep.actors(rules.background_entities) & set(story.entities) and different_speakers(rep, story):
        return False  # round 10: rule 10 where the names were read (Seoul's ministry on Lavrov's remark on drills)
    # Hours later, only the story's own main kind: a hacking report the next morning cues arms, like the EU's
    # sanctions over munitions of the day before, but leads on something else.
    same = main == story.main_kind if gap > REACTION_GAP_HOURS else main in story.main_kinds
    return same and different_people(rep, story) is None


def unseen_voice(rep: Report, story: StoryProfile) -> bool:
    """Rule 12 for the kind-and-time fallback: a statement whose speaker was read as a name (given outright, or
    the first name its headline gives, places included: not "Seoul calls the deal a breach of UN sanctions") that
    the story, first reported as a statement, never names is another voice on the matter (Pyongyang's foreign
    ministry on the Japanese sanctions Zakharova answered that morning), whatever kind and time they share."""
    if not (rep.says and story.says and rep.speaker) or rep.speaker.startswith(names.RAW):
        return False
    if not rep.speaker_sure and names.headline_order(rep.title, rep.entities, ())[:1] != [rep.speaker]:
        return False
    return never_named(rep.speaker, story.entities)


def read_speakers_differ(rep: Report, story: StoryProfile) -> bool:
    """Two statements whose speakers were both read as names (not words, `names.RAW`) and are not one person or
    body: Moscow's foreign ministry and Pyongyang's on the same sanctions are two statements, even when the rest
    of one report could not be read. The story's speaker must be given outright; the report's may be guessed
    only when it is the first name its headline gives ("Spokesman for DPRK Foreign Ministry slams ..."), not a
    body named after a place ("Seoul calls the deal a breach of UN sanctions": Seoul speaks, not the UN)."""
    a, b = rep.speaker, story.speaker
    if not (rep.says and story.says and a and b and story.speaker_sure) or a == b:
        return False
    if a.startswith(names.RAW) or b.startswith(names.RAW):
        return False
    if not rep.speaker_sure and names.headline_order(rep.title, rep.entities, ())[:1] != [a]:
        return False
    person = LABEL_WEIGHTS["PERSON"]
    return not names.same_people({a: person}, {b: person}) and not names.one_voice(a, b)


def leaders_only(rep: Report, rules: events.EventRules) -> frozenset[str]:
    """The leaders a statement names when it names no other person or body (else none): a leaders' message."""
    background = rules.background_entities
    if not rep.says or rep.actors(background):
        return frozenset()
    return rep.leaders(background)


# Kinds of happening that need someone to be there: a message handed over in person is the envoy's visit.
IN_PERSON_KINDS = frozenset({"visit", "talks"})


def in_person(rep: Report, story: StoryProfile, rules: events.EventRules) -> bool:
    """Round 8: a report naming a person or body beyond the leaders and cueing a visit or talks that the leaders'
    statement never cued is someone's visit to hand over or discuss the message ("Kozlov delivered Putin's
    verbal message to Kim Jong Un"), not the message itself; a greeting listing other leaders (Xi, Lula) cues
    no meeting. Only hours after the statement: within them, a speech's report naming the guests who heard it is
    the speech."""
    if hours_between(rep.published_at, story.first_published) <= REACTION_GAP_HOURS:
        return False
    if not rep.actors(rules.background_entities):
        return False
    return bool((set(rep.kinds) & IN_PERSON_KINDS) - set(story.kinds))


def leaders_statement(rep: Report, story: StoryProfile, rules: events.EventRules) -> bool:
    """Whether a statement may join a story first reported as the same leaders' statement: the same leaders
    named, first reported within `KIND_TIME_GAP_HOURS`, no announcement/step/date conflict. Its kinds are not
    compared: a message's words (the treaty, the troops, the liberation) are what it is about, not what happened."""
    if not story.leaders or not rep.says:
        return False
    if in_person(rep, story, rules):
        return False
    if rep.leaders(rules.background_entities) != story.leaders:
        return False
    if hours_between(rep.published_at, story.first_published) > KIND_TIME_GAP_HOURS:
        return False
    if rep.headline_places and story.headline_places and not rep.headline_places & story.headline_places:
        return False  # condolences over a crash in one place, sympathy over floods in another
    return different(rep, story) is None
