"""Rules 13-17 and the speaker rules of the one-event rule (`nkru.stories.rule`, whose docstring lists them all):
the ways two reports that share their actors are still of different happenings, hours apart — the next step
after an arrival, the answer to a claim, one minister's two meetings, a delegation's two stops, a new face, a
third party's dealings, another speaker. Kept apart from `rule` so that each stays short; each returns the
reason in words (shown on the story page and in `nkru stories --json`) or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nkru import events
from nkru.stories import names
from nkru.stories.reports import LABEL_WEIGHTS, Report

if TYPE_CHECKING:
    from nkru.stories.rule import StoryProfile

# Rule 5: a report in another voice than the story's first is of the same event only this close to it.
REACTION_GAP_HOURS = 6.0
# Rule 13: a report first reported this long after the story that leads on a kind none of the story's reports led
# on is the next step of the happening (the talks the morning after the arrival, the agreement signed the next
# day): reports of one happening come out within the same news cycle, the next day's step some 20 hours later.
LEAD_GAP_HOURS = 12.0
# Rule 16: a delegation's next stop comes hours later; within them, one place may be written as the city
# ("in Pyongyang") by one outlet and as the airport or hall by another.
STOP_GAP_HOURS = REACTION_GAP_HOURS


def claim_and_answer(
    rep: Report, story: StoryProfile, gap: float, background: frozenset[str] = frozenset()
) -> str | None:
    """Rule 14: first reported more than `REACTION_GAP_HOURS` after a story first reported as a statement that
    answers no one, a statement answering another's words ("Pyongyang rejects US criticism", "В КНДР отвергли
    критику США") is the answer to the story's claim (the State Department's warning), not one of its reports:
    two events, however much they share (the deal, the countries). Reports of one answer are often worded
    without a word of answering ("calls the report a fabrication"), so only the answering side is read, and
    only hours after the claim, and not when the headline gives outright a speaker the story names: that is the
    same voice again."""
    if gap <= REACTION_GAP_HOURS or not (rep.says and story.says):
        return None
    if _same_voice(rep, story, background):
        return None  # the same voice again (Kim Yo Jong's statement, one outlet reading it as a rebuttal)
    if rep.answers and not story.answers:
        return "a claim and the answer to it"
    return None


def _same_voice(rep: Report, story: StoryProfile, background: frozenset[str]) -> bool:
    """Whether a statement's speaker, given outright, is the story's voice: its speaker, or a person or body the
    story names beyond the background. A country speaking ("North Korea denies…") is not the same voice as a
    claim about that country: every claim on the matter names it (round 8)."""
    if not (rep.speaker and rep.speaker_sure):
        return False
    if story.speaker and (rep.speaker == story.speaker or names.one_voice(rep.speaker, story.speaker)):
        return True
    return rep.speaker not in background and not never_named(rep.speaker, story.entities)


def next_step(rep: Report, story: StoryProfile, gap: float, rules: events.EventRules) -> str | None:
    """Rule 13: first reported more than `LEAD_GAP_HOURS` after or before the story, a report leading on kinds
    (`Report.lead_kinds`: its headline's, else its text's) that none of the story's reports led on is the next
    step of the happening, even when the story's summaries mentioned it: Volodin's arrival ("he will hold talks
    with Choe Ryong Hae") and the agreement signed at the talks the next morning; the announcement and the arrival
    are told apart by rule 1 already."""
    if gap <= LEAD_GAP_HOURS or not story.led:
        return None
    lead = rep.lead_kinds(rules)
    if lead and not lead & story.led:
        return "the next step: it leads on a kind the story's reports did not lead on, hours later"
    return None


def statements_share_only_places(rep: Report, story: StoryProfile, shared: list[str], background) -> bool:
    """Rule 12: a statement and a story first reported as a statement that share places (countries, cities) and
    figures but no person or body beyond the background: two statements on one matter by different voices. Not
    when both headlines give the same speaker outright (round 9: "US warns Russia…", "EE.UU. advierte a Rusia…"):
    a country's voice is a place, and the two share it."""
    if not (rep.says and story.says):
        return False
    if one_speaker(rep, story):
        return False
    actor = LABEL_WEIGHTS["ORG"]
    return not any(rep.entities.get(n, 0.0) >= actor for n in shared if n not in background)


def one_speaker(rep: Report, story: StoryProfile) -> bool:
    """Whether a statement and a story's first report give one speaker, at least one of them outright: the same
    name, a spokesperson and her body, or two voices of one known country ("North Korea denies…" and its foreign
    ministry). Not a body whose country the gazetteer cannot tell: the space agency answering the allies' joint
    statement is not the United States' voice."""
    a, b = rep.speaker, story.speaker
    if not (a and b and (rep.speaker_sure or story.speaker_sure)) or a.startswith(names.RAW) or b.startswith(names.RAW):
        return False
    if a == b or names.spokesperson_of(a, b):
        return True
    country = names.voice_country(a)
    return country is not None and country == names.voice_country(b)  # "North Korea" and its foreign ministry


def merge_evidence(rep: Report, story: StoryProfile, background) -> bool:
    """Whether a report that scores well against two stories shares enough with `story` to show they are one event:
    a person, a body or a figure beyond the background, not only places. The Mangyongbong's sailing from
    Vladivostok to Rajin and the governor's container-line deal in Rason the day before share Rason and the kind
    "transport"; that joins a report to the better story, not the two stories to each other."""
    shared = (set(rep.entities) & set(story.entities)) | set(names.same_people(rep.entities, story.entities))
    actor = LABEL_WEIGHTS["ORG"]
    return any(n.startswith("#") or rep.entities.get(n, 0.0) >= actor for n in shared if n not in background)


def headline_kind_unseen(rep: Report, story: StoryProfile, gap: float, rules: events.EventRules) -> str | None:
    """Rule 11: first reported more than `REACTION_GAP_HOURS` from the story, a report whose headline leads on
    specific kinds of happening that no report of the story cued at all is of the next happening, whatever its
    summary recalls (the governor's arrival in Rason the morning after the train he sent off: "the first train
    arrived there last night")."""
    if gap <= REACTION_GAP_HOURS:
        return None
    headline = events.specific(rep.headline_kinds, rules)
    if headline and not headline & events.specific(story.kinds, rules):
        return "the headline leads on a kind the story never had"
    return None


def apart(rep: Report, story: StoryProfile) -> str | None:
    """Rules 6, 7 and 10: statements by different speakers, different places in the headlines, different people."""
    if veto := different_speakers(rep, story):
        return veto
    mine, theirs = _places_spoken_of(rep), _places_spoken_of(story)
    if mine and theirs and not mine & theirs:
        return "different places in the headlines"
    return different_people(rep, story)


def _places_spoken_of(side: Report | StoryProfile) -> set[str] | frozenset[str]:
    """The places a headline names (rule 7), without a statement's speaker: "中国外務省　ロ朝の国境道路橋開通に「…」"
    names China as the voice, not as where anything happened (round 9)."""
    if side.says and side.speaker in side.headline_places:
        return side.headline_places - {side.speaker}
    return side.headline_places


def different_counterparts(rep: Report, story: StoryProfile) -> str | None:
    """Rule 15: two happenings whose headlines each name a person (the two leaders included) the other side never
    names: one minister's two meetings ("Lavrov meets Choe Son Hui", then "Kim Jong Un receives Lavrov"), which
    rule 6 misses because Kim Jong Un is a background name."""
    if rep.says or story.says:
        return None
    new = [p for p in rep.headline_people if _unnamed(p, story.entities)]
    gone = [p for p in story.headline_people if _unnamed(p, rep.entities)]
    if new and gone:
        return "different counterparts: each headline names someone the other side never does"
    return None


def new_face(rep: Report, story: StoryProfile, gap: float) -> str | None:
    """Rule 17 (round 8): a happening first reported more than `LEAD_GAP_HOURS` from the story whose headline names
    a person that none of the story's reports names anywhere is the next meeting ("Shoigu meets the North Korean
    foreign minister" the day after her talks with Lavrov, whose KCNA report names only the two ministers' offices):
    reports of one meeting name its people, if not in the headline then in the text, within the news cycle. Only
    people the gazetteer lists: a name it does not know may be one the other reports wrote otherwise."""
    if gap <= LEAD_GAP_HOURS or rep.says or story.says:
        return None
    person = LABEL_WEIGHTS["PERSON"]
    faces = [p for p in rep.headline_people if rep.entities.get(p) == person and names.known(p)]
    if any(_unnamed(p, story.entities) for p in faces):
        return "a new person in the headline, hours later"
    return None


def different_stops(rep: Report, story: StoryProfile, gap: float) -> str | None:
    """Rule 16: two happenings first reported more than `STOP_GAP_HOURS` apart whose headlines name places,
    the background cities included, and none in common: one delegation's successive stops ("Shoigu arrives in
    Pyongyang", then "Shoigu tours Wonsan-Kalma" the next day). Rule 7 leaves Pyongyang and Moscow out, since
    reports of one happening name or drop them at will; hours apart, naming them tells the stop."""
    if gap <= STOP_GAP_HOURS or rep.says or story.says:
        return None
    if rep.headline_stops and story.headline_stops and not rep.headline_stops & story.headline_stops:
        return "different places in the headlines, hours apart"
    return None


def _unnamed(person: str, entities: dict[str, float]) -> bool:
    """Whether a person is missing from the other side's names (under a short form or another spelling too)."""
    return person not in entities and not names.same_people({person: LABEL_WEIGHTS["PERSON"]}, entities)


def different_people(rep: Report, story: StoryProfile) -> str | None:
    """Rule 6: both name people beyond the background and none in common (a short form and its full name are one
    person). The one veto no fallback overrides: the people were read on both sides."""
    their_people = story.people
    if not their_people or not rep.people.isdisjoint(their_people):
        return None  # no people on their side, or one named by both (the short cut of the test below)
    if aliases := names.same_people(rep.entities, story.entities) if rep.alias_keys & story.alias_keys else {}:
        mine_people = {aliases.get(n, n) for n in rep.entities if n in rep.people or n in aliases}
    else:
        mine_people = rep.people
    if mine_people and mine_people.isdisjoint(their_people):
        return "different people"
    return None


def third_party(rep: Report, story: StoryProfile) -> str | None:
    """Rule 5's second half: a statement whose headline gives its speaker outright (`speaker_sure`), against a
    happening whose reports never name that speaker, is a third party's word on the happening (Seoul's ministry
    on Shoigu's talks, hours later), not one of its reports; the happening's own reports worded as statements
    name who speaks for it ("Kremlin says Shoigu will visit" beside the Kremlin's announcement)."""
    if rep.says == story.says:
        return None
    if rep.says and rep.speaker and rep.speaker_sure and never_named(rep.speaker, story.entities):
        return "a third party's statement on the happening"
    if story.says and story.speaker and story.speaker_sure and never_named(story.speaker, rep.entities):
        return "a third party's statement on the happening"
    return None


def kinds_may_differ(rep: Report, story: StoryProfile, shared: list[str], gap: float, background) -> bool:
    """Rule 9's exception: two reports of a happening within `REACTION_GAP_HOURS` that share a person beyond the
    background may cue different kinds (one leads on the visit, the other on what was agreed at it); the kind then
    adds nothing to the score. Not two statements: what a statement is about is what tells it from the same
    speaker's next one."""
    if gap > REACTION_GAP_HOURS or rep.says or story.says:
        return False
    person = LABEL_WEIGHTS["PERSON"]
    return any(rep.entities.get(n) == person for n in shared if n not in background)


def different_speakers(a: Report | StoryProfile, b: Report | StoryProfile) -> str | None:
    """Rule 10: two statements (a report or a story's first report each) whose headlines give different
    speakers, when both give them outright and one headline names the other's speaker as its subject (Seoul's
    ministry on "Lavrov's remark"), or when a speaker given outright is never named by the other side, unless the
    other side gives its own speaker in words no name stands for (정부, "the government": round 9)."""
    if not (a.says and b.says and a.speaker and b.speaker) or a.speaker == b.speaker:
        return None
    person = LABEL_WEIGHTS["PERSON"]
    if names.same_people({a.speaker: person}, {b.speaker: person}) or names.one_voice(a.speaker, b.speaker):
        return None
    sure = a.speaker_sure and b.speaker_sure
    if sure and (b.speaker in a.about or a.speaker in b.about):
        return "statements by different speakers"
    if a.speaker_sure and never_named(a.speaker, b.entities) and not b.speaker.startswith(names.RAW):
        return "statements by different speakers"
    if b.speaker_sure and never_named(b.speaker, a.entities) and not a.speaker.startswith(names.RAW):
        return "statements by different speakers"
    return None


def never_named(speaker: str, entities: dict[str, float]) -> bool:
    """Whether a speaker's name is missing from the other side's names (words, `names.RAW`, cannot be checked)."""
    if speaker.startswith(names.RAW):
        return False
    if any(names.spokesperson_of(speaker, name) or names.government_of(speaker, name) for name in entities):
        return False  # the spokeswoman named where her ministry speaks, or the other way round; "Seoul" where its
        # foreign ministry speaks (but a country named is what a ministry's statement is about, not its speaker)
    return speaker not in entities and not names.same_people({speaker: LABEL_WEIGHTS["PERSON"]}, entities)
