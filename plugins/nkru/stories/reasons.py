"""Why an article joined its story, or started one: the reason stored in `story_members` and shown by the story
page and `nkru stories --json` (`reports[].joined_by`, `reports[].why`).

A joining reason names the rule (near-copy, same-event, same-kind-and-time), the entities shared with the story,
the report's kinds and the story's, the time gap to the story's first report, the event date and the words it was
read from, the near-copy similarity to the story's first members and the score. A new story's reason says why
no story matched ("no story of the same event: 2 different people, 1 statements by different speakers"), or why
the report was not matched at all ("no entities and no kind cues to match on"). Either names a statement's
speaker as its headline gives it (`speaker`, and `speaker_given` when the headline says so outright).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from nkru.stories.reports import Report
from nkru.stories.rule import StoryProfile, hours_between

if TYPE_CHECKING:  # datasketch imports SciPy (~1 s): signatures are only passed through here
    from datasketch import LeanMinHash

SIMILARITY_MEMBERS = 16  # the "similarity" shown in a reason is against a story's first members only


def joined(
    rep: Report,
    story: StoryProfile,
    member_sigs: Iterable[LeanMinHash],
    *,
    rule: str,
    shared: Iterable[str] | None = None,
    gap: float | None = None,
    score: float | None = None,
) -> dict:
    """Why `rep` joined `story` (`member_sigs`: the signatures of the story's members, first first)."""
    if shared is None:
        shared = set(rep.entities) & set(story.entities)
    if gap is None:
        gap = hours_between(rep.published_at, story.first_published)
    sims = [rep.sig.jaccard(sig) for _, sig in zip(range(SIMILARITY_MEMBERS), member_sigs, strict=False)]
    return {
        "rule": rule,
        "shared_entities": sorted(shared),
        "kind": rep.kinds[0] if rep.kinds else None,
        "kinds": list(rep.kinds),
        "story_kinds": [k for k, _n in story.kinds.most_common()],
        "time_gap_hours": round(gap, 1),
        "event_date": rep.event_date.isoformat() if rep.event_date else None,
        "date_words": rep.date_source,
        "similarity": round(max(sims, default=0.0), 2),
        "score": round(score, 2) if score is not None else None,
        **_speaker(rep),
    }


def new(rep: Report, note: str) -> dict:
    """Why `rep` starts a story of its own."""
    return {
        "rule": "new",
        "note": note,
        "kind": rep.kinds[0] if rep.kinds else None,
        "kinds": list(rep.kinds),
        "entities": sorted(rep.entities),
        "event_date": rep.event_date.isoformat() if rep.event_date else None,
        "date_words": rep.date_source,
        **_speaker(rep),
    }


def _speaker(rep: Report) -> dict:
    """A statement's speaker as its headline gives it ("~" before words that are none of its names), and whether
    the headline says so outright: what rule 10 (statements by different speakers) compared."""
    if not rep.speaker:
        return {}
    return {"speaker": rep.speaker, "speaker_given": rep.speaker_sure}


def none_matched(rejected: Counter) -> str:
    """'no story of the same event: 1 different kinds, 3 first reported too long before or after'."""
    if not rejected:
        return "no story of the same event: no candidate"
    return "no story of the same event: " + ", ".join(f"{n} {r}" for r, n in sorted(rejected.items()))
