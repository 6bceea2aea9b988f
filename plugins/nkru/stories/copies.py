"""Near-copies: syndicated copies of one wire report, found by MinHash over word shingles of title and lede.

A wire report (Yonhap, AFP, KCNA) is copied by other outlets with small edits: a different dateline, a trimmed
lede, a headline edited after publication. MinHash over word shingles of the normalised title and lede
(datasketch), indexed with MinHashLSH over a time window, plus a cheap exact match on the normalised title, finds
them (`StoryMatcher`). This was the whole of story grouping before issue 16, and stays its first signal.

The LSH buckets keep the most recent `COPIES_PER_BUCKET` members each (issue 15): a wire report copied a thousand
times in the window would otherwise make every further copy compare with all of them, and grouping quadratic.
A bucket is a tuple keyed by an int: most buckets hold one article, and a bounded deque (about 600 bytes even
empty) in each of an article's 128 bands held about 100 KB per article in the window (issue 15: peak memory).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

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
LSH_BANDS = (NUM_PERM // 2, 2)  # `_band_keys` reads a band of two 32-bit values as one 64-bit int
# Members kept per LSH bucket and per exact title, the most recent first: copies beyond these many of one text are
# found through the newer copies (they share the same bands), so work per article stays bounded.
COPIES_PER_BUCKET = 64
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
    from datasketch import LeanMinHash, MinHash  # SciPy comes with it (~1 s): imported by what signs, not by readers

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch(s.encode("utf-8") for s in sorted(shingles(title, summary)))
    return LeanMinHash(minhash)


@functools.cache
def _permutations():  # noqa: ANN202 - datasketch's arrays
    """The permutations of `SEED`, drawn once per process: drawing them took most of the time of `signature`."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def to_bytes(sig: LeanMinHash) -> bytes:
    return np.asarray(sig.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    from datasketch import LeanMinHash  # as in `signature`

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
    Candidates are the members sharing an LSH band or the title (the same banding as datasketch's `MinHashLSH`,
    whose buckets cannot be bounded), at most `COPIES_PER_BUCKET` per bucket.
    """

    def __init__(self, window: timedelta = timedelta(hours=DEFAULT_WINDOW_HOURS), threshold: float = MATCH_THRESHOLD):
        self.window = window
        self.threshold = threshold
        self._bands: list[dict[int, tuple[int, ...]]] = [{} for _ in range(LSH_BANDS[0])]
        self._members: dict[int, _Member] = {}
        self._titles: dict[str, tuple[int, ...]] = {}
        self._by_story: dict[int, list[_Member]] = {}
        # Each member's row in three arrays, so that scoring a thousand candidates is a few array operations
        # rather than a thousand Python steps (issue 15): its hash values, its story and its publication time.
        self._rows: dict[int, int] = {}
        self._hashes = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._stories = np.empty(0, dtype=np.int64)
        self._published = np.empty(0, dtype=np.int64)  # microseconds since the epoch (`_micros`)

    def add(self, key: int, story_id: int, sig: LeanMinHash, title: str, published_at: datetime) -> None:
        """Remember an article (`key`: its id) as a member of `story_id`."""
        if key in self._members:
            return
        self._members[key] = _Member(story_id, sig, published_at)
        self._by_story.setdefault(story_id, []).append(self._members[key])
        self._add_row(key, story_id, sig, published_at)
        for table, band in zip(self._bands, _band_keys(sig), strict=True):
            table[band] = _bounded(table.get(band, ()), key)
        if len(title.split()) >= MIN_EXACT_TITLE_WORDS:
            self._titles[title] = _bounded(self._titles.get(title, ()), key)

    def match(self, sig: LeanMinHash, title: str, published_at: datetime) -> int | None:
        """The story id this article belongs to, or None for a new story. `title` is its `title_key`."""
        best: tuple[float, int] | None = None
        for key in self._titles.get(title, ()):
            best = self._better(best, 1.0, self._members[key], published_at)
        candidates: set[int] = set()
        for table, band in zip(self._bands, _band_keys(sig), strict=True):
            candidates.update(table.get(band, ()))
        if candidates:
            rows = np.fromiter((self._rows[key] for key in candidates), dtype=np.intp, count=len(candidates))
            # `LeanMinHash.jaccard` for all candidates at once: the share of equal hash values.
            scores = np.count_nonzero(self._hashes[rows] == sig.hashvalues, axis=1) / float(len(sig))
            near = np.abs(self._published[rows] - _micros(published_at)) <= self.window // _MICROSECOND
            kept = (scores >= self.threshold) & near
            if kept.any():
                # Highest similarity wins; on a tie the older story (lower id) does, so the choice is stable.
                scores, stories = scores[kept], self._stories[rows[kept]]
                top = np.lexsort((stories, -scores))[0]
                candidate = (float(scores[top]), -int(stories[top]))
                best = max(best, candidate) if best else candidate
        return -best[1] if best else None

    def _add_row(self, key: int, story_id: int, sig: LeanMinHash, published_at: datetime) -> None:
        row = len(self._rows)
        if row == len(self._hashes):  # full: twice the room
            size = max(64, 2 * row)
            self._hashes = np.resize(self._hashes, (size, NUM_PERM))
            self._stories = np.resize(self._stories, size)
            self._published = np.resize(self._published, size)
        self._rows[key] = row
        self._hashes[row] = sig.hashvalues
        self._stories[row] = story_id
        self._published[row] = _micros(published_at)

    def _better(
        self, best: tuple[float, int] | None, score: float, member: _Member, published_at: datetime
    ) -> tuple[float, int] | None:
        if abs(member.published_at - published_at) > self.window:
            return best
        # Highest similarity wins; on a tie the older story (lower id) does, so the choice is stable.
        candidate = (score, -member.story_id)
        return max(best, candidate) if best else candidate

    def members_of(self, story_id: int) -> list[_Member]:
        return self._by_story.get(story_id, [])

    def __len__(self) -> int:
        return len(self._members)


_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(when: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp could move a time on the window's edge)."""
    return (when - (_EPOCH if when.tzinfo else _EPOCH.replace(tzinfo=None))) // _MICROSECOND


def _bounded(bucket: tuple[int, ...], key: int) -> tuple[int, ...]:
    """The bucket with `key` added, its oldest members dropped beyond `COPIES_PER_BUCKET`."""
    return (*bucket, key)[-COPIES_PER_BUCKET:]


def _band_keys(sig: LeanMinHash) -> list[int]:
    """The signature's LSH band values (`LSH_BANDS`): two members are candidates when one band is equal. A band
    of two 32-bit values is read as one 64-bit int."""
    values = np.ascontiguousarray(sig.hashvalues, dtype="<u4")
    return values.view("<u8").tolist()
