"""Group articles into stories: the same report syndicated across outlets or feeds is one story.

A wire report (Yonhap, AFP, KCNA) is copied by other outlets with small edits: a different dateline, a trimmed
lede, a headline edited after publication. We catch that with MinHash over word shingles of the normalised
title and lede (datasketch), indexed with MinHashLSH over the stories seen in a time window, plus a cheap exact
match on the normalised title. Two different reports on the same topic (two Lavrov statements) share a few
phrases but not the bulk of their shingles, so they stay apart.

`StoryMatcher` is the in-memory decision (used by the benchmark as is); `StoryIndex` loads it from the
database and persists each decision (`articles.story_id`, `story_signatures`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from nkru.store import Cursor
from nkru.store import alerts as alert_store
from nkru.store.articles import StoredArticle

NUM_PERM = 256
SEED = 1
SCHEME = "affine32"  # datasketch 2.x: 32-bit affine permutations; stored as uint32
SHINGLE_WORDS = 3
LEDE_WORDS = 40
# Change METHOD whenever the shingling or MinHash parameters change: stored signatures of another method are
# not comparable and are ignored when the index loads.
METHOD = f"w{SHINGLE_WORDS}-lede{LEDE_WORDS}-mh{NUM_PERM}-s{SEED}-{SCHEME}"
# Syndicated copies share at least a third of their shingles (a new dateline, a trimmed clause and an edited
# headline cost the rest); different reports on the same topic share under a quarter ("said on Thursday",
# "Foreign Minister Sergei Lavrov"). bench/bench_stories.py measures both sides of this line.
MATCH_THRESHOLD = 0.3
# LSH only proposes candidates; the estimated Jaccard then decides. Bands of 2 rows make a copy at the threshold
# a candidate with near certainty (1 - (1 - 0.3**2)**128 > 0.9999), where datasketch's own choice of bands for
# 0.3 (3 rows) misses about 1 copy in 100 at J = 0.45.
LSH_BANDS = (NUM_PERM // 2, 2)
# Titles shorter than this ("North Korea", "World news") are too generic for the exact-title shortcut.
MIN_EXACT_TITLE_WORDS = 4
DEFAULT_WINDOW_HOURS = 72.0

# Headline decorations wires add and change between versions: "(LEAD)", "(2nd LD)", "UPDATE 2-", "BREAKING:".
_TITLE_PREFIX = re.compile(
    r"^\s*(?:\((?:lead|\d+(?:st|nd|rd|th)\s+ld|urgent|news focus|yonhap interview)[^)]*\)\s*|"
    r"(?:update|refile|corrected|wrapup)\s*\d*\s*[-:]\s*|(?:breaking|exclusive|urgent|analysis)\s*[:-]\s*)+",
    re.IGNORECASE,
)
# Datelines differ between copies of one report: "SEOUL, March 25 (Yonhap) --", "MOSCOW (AFP) -", "PYONGYANG —".
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z0-9 .,'/-]{0,60}?\([^)]{1,40}\)\s*(?:--|—|–|-)\s*|^\s*[A-Z][A-Z .,'/-]{2,40}(?:--|—|–)\s*"
)
_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^\w]+")


def words(text: str) -> list[str]:
    """Lower-cased words, accents and punctuation folded, so 'North Korea’s' and "North Korea's" agree."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    return [w for w in _NON_WORD.sub(" ", text).split() if w != "_"]


def title_key(title: str) -> str:
    """The normalised headline: wire decorations dropped, words folded."""
    return " ".join(words(_TITLE_PREFIX.sub("", title)))


def lede_words(summary: str) -> list[str]:
    """The first words of the summary without its dateline, where syndicated copies agree most."""
    return words(_DATELINE.sub("", summary, count=1))[:LEDE_WORDS]


def shingles(title: str, summary: str) -> set[str]:
    """Word shingles of the headline and of the lede (each on its own, so none spans the two)."""
    out: set[str] = set()
    for seq in (words(_TITLE_PREFIX.sub("", title)), lede_words(summary)):
        if len(seq) < SHINGLE_WORDS:
            out.update(seq)
            continue
        out.update(" ".join(seq[i : i + SHINGLE_WORDS]) for i in range(len(seq) - SHINGLE_WORDS + 1))
    return out


def signature(title: str, summary: str) -> LeanMinHash:
    """The MinHash of an article's shingles (compact and immutable: it is stored and compared, never grown)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(s.encode("utf-8") for s in sorted(shingles(title, summary)))
    return LeanMinHash(minhash)


def to_bytes(sig: LeanMinHash) -> bytes:
    return np.asarray(sig.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(bytes(data), dtype="<u4"), scheme=SCHEME)


@dataclass(frozen=True)
class _Member:
    story_id: int
    sig: LeanMinHash
    published_at: datetime


class StoryMatcher:
    """Which known story a new article belongs to, if any: the in-memory half of story grouping.

    Members are articles already grouped; a new one joins the story of its most similar member (estimated
    Jaccard at least `threshold`, published within `window` of it), or of a member with the same long title.
    """

    def __init__(self, window: timedelta = timedelta(hours=DEFAULT_WINDOW_HOURS), threshold: float = MATCH_THRESHOLD):
        self.window = window
        self.threshold = threshold
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=LSH_BANDS)
        self._members: dict[int, _Member] = {}
        self._titles: dict[str, list[int]] = {}

    def add(self, key: int, story_id: int, sig: LeanMinHash, title: str, published_at: datetime) -> None:
        """Remember an article (`key`: its id) as a member of `story_id`."""
        if key in self._members:
            return
        self._members[key] = _Member(story_id, sig, published_at)
        self._lsh.insert(key, sig)
        if len(title.split()) >= MIN_EXACT_TITLE_WORDS:
            self._titles.setdefault(title, []).append(key)

    def match(self, sig: LeanMinHash, title: str, published_at: datetime) -> int | None:
        """The story id this article belongs to, or None for a new story. `title` is its `title_key`."""
        best: tuple[float, int] | None = None
        for key in self._titles.get(title, []):
            best = self._better(best, 1.0, self._members[key], published_at)
        for key in self._lsh.query(sig):
            member = self._members[key]
            score = sig.jaccard(member.sig)
            if score >= self.threshold:
                best = self._better(best, score, member, published_at)
        return -best[1] if best else None

    def _better(
        self, best: tuple[float, int] | None, score: float, member: _Member, published_at: datetime
    ) -> tuple[float, int] | None:
        if abs(member.published_at - published_at) > self.window:
            return best
        # Highest similarity wins; on a tie the older story (lower id) does, so the choice is stable.
        candidate = (score, -member.story_id)
        return max(best, candidate) if best else candidate

    def __len__(self) -> int:
        return len(self._members)


class StoryIndex:
    """Story grouping against the database: load once per chunk of articles, then `assign` each article."""

    def __init__(self, matcher: StoryMatcher, now: datetime):
        self.matcher = matcher
        self.now = now

    @classmethod
    def load(cls, cur: Cursor, *, now: datetime, window_hours: float = DEFAULT_WINDOW_HOURS) -> StoryIndex:
        """Index the signatures of articles grouped within the last `window_hours` (before `now`)."""
        window = timedelta(hours=window_hours)
        matcher = StoryMatcher(window=window)
        for row in alert_store.recent_signatures(cur, METHOD, now - window):
            matcher.add(row.article_id, row.story_id, from_bytes(row.minhash), row.title_key, row.published_at)
        return cls(matcher, now)

    def assign(self, cur: Cursor, article: StoredArticle) -> int:
        """Put the article in its story (a new one if none matches); idempotent. Returns the story id.

        Runs in the caller's transaction: `articles.story_id`, the signature and any new story commit or roll
        back with the article's other rows.
        """
        existing = alert_store.article_story_id(cur, article.id)
        if existing is not None:
            return existing
        sig = signature(article.title, article.summary)
        key = title_key(article.title)
        story_id = self.matcher.match(sig, key, article.published_at)
        # A story created by an article whose transaction rolled back exists only in memory: check it.
        if story_id is not None and not alert_store.story_exists(cur, story_id):
            story_id = None
        if story_id is None:
            story_id = alert_store.create_story(cur, article.title, article.published_at, self.now)
        else:
            alert_store.story_seen_published(cur, story_id, article.published_at)
        alert_store.set_article_story(cur, article.id, story_id)
        alert_store.save_signature(
            cur, article.id, story_id, METHOD, key, to_bytes(sig), article.published_at, self.now
        )
        self.matcher.add(article.id, story_id, sig, key, article.published_at)
        return story_id
