"""The day a news text gives for its happening ("on Tuesday", "25 March", "25 марта", "3월 25일", "13일",
"on the 17th"), resolved against the publication time: the "when" of `nkru.events`, kept apart from the kinds.

Month and weekday names come from CLDR (Babel), per language, because they collide across languages; relative
day words, agency report-day words and day-of-month patterns come from config/events through `nkru.events`.
A date more than a week before publication (a recalled event) or more than a day after it is not the report's
own; one still to come, given first, is the day of an announced happening.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel import Locale

# How far from publication a date in the text can be and still be the report's own event date.
OWN_DATE_BEFORE = timedelta(days=7)
OWN_DATE_AFTER = timedelta(days=1)
# A date later than that, up to this far ahead, given before any other date ("talks in Moscow on the 19th",
# published on the 15th), is the day of a happening still to come: the report announces it (`future_date_kind`).
AHEAD_DATE_MAX = timedelta(days=30)
_ALPHABETIC_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def is_alphabetic(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith(_ALPHABETIC_SCRIPTS)


def fold(text: str) -> str:
    """Casefolded NFKC text with apostrophes unified, as cue words are stored."""
    return unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("ё", "е")


# -------------------------------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class _Names:
    """Month and weekday names (CLDR) of some languages, and the patterns built from them."""

    months: dict[str, int]
    weekdays: dict[str, int]
    day_month: re.Pattern[str]  # "25 марта", "25. März", "25 de marzo"
    month_day: re.Pattern[str]  # "March 25", "Mart 25"
    weekday: re.Pattern[str]  # "Tuesday", "во вторник" (stems take a short ending), "화요일"

    @classmethod
    def of(cls, codes: Iterable[str]) -> _Names:
        months: dict[str, int] = {}
        weekdays: dict[str, int] = {}
        for code in sorted(set(codes)):
            try:
                locale = Locale.parse(code)
            except (ValueError, TypeError):
                continue
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for number, name in locale.months[context][width].items():
                        name = fold(name).rstrip(".")
                        if len(name) >= 3 and not name[0].isdigit() and name not in ("may", "mar"):
                            months.setdefault(name, number)
                for number, name in locale.days[context]["wide"].items():
                    weekdays.setdefault(fold(name), number)
        months["may"] = 5
        month_names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
        day_names = "|".join(
            # a cut name takes an ending: the bare stem is another word ("серед" is "among", "střed" "centre")
            re.escape(stem) + (r"\w{1,2}" if stem != name else "")
            for name, stem in sorted(((n, _weekday_stem(n)) for n in weekdays), key=lambda p: -len(p[1]))
        )
        return cls(
            months=months,
            weekdays=weekdays,
            day_month=re.compile(rf"(?<!\d)(\d{{1,2}})(?:\.|-?го|er)?\s+(?:de\s+)?({month_names})(?!\w)"),
            month_day=re.compile(rf"(?<!\w)({month_names})\.?\s+(\d{{1,2}})(?!\d)(?!\s*(?:%|bn|million))"),
            weekday=re.compile(rf"(?<!\w)(?:{day_names})(?!\w)"),
        )

    def weekday_of(self, words: str) -> int | None:
        """The weekday number (0 = Monday) of matched weekday words ("во вторник" → 1)."""
        for name, number in self.weekdays.items():
            if words.startswith(_weekday_stem(name)):
                return number
        return None


_NUMERIC_CJK = re.compile(r"(?<!\d)(\d{1,2})\s*[월月]\s*(\d{1,2})\s*[일日]")  # "3월 25일", "3月25日"
DAY_ONLY_CJK = re.compile(r"(?<![\d월月.])(\d{1,2})\s*[일日](?!\s*[간本])")  # "25일", "25日"
# A day directly followed by a `report_day_words` word of config/events ("reported", a dateline's "电") is the day
# the agency wrote ("据朝中社18日报道", "平壤12月18日电"), not the happening's: it is read only when the text gives no
# other day.
_LATER = 10**6  # added to a reported day's position, so that every other day comes first
# "조선중앙통신은 11일 김정은 위원장이 전날 ...", "朝鮮中央通信は11日、…前日…": a day followed closely, in the same
# sentence, by "the day before" is the day of the agency's report; the happening is the day before it.
REPORTED_DAY_BEFORE_CHARS = 30


class DatePatterns:
    """Reads the event date a news text gives, with the month and weekday names of its language (and English).

    Names are taken per language because they collide across languages: Bulgarian "неделя" (Sunday) is Russian
    for "week", Romanian "joi" (Thursday) begins English "joint". A text of unknown language is read with
    the names of every language that has cue words.
    """

    def __init__(
        self,
        languages: Iterable[str],
        reported: Iterable[str] = (),
        subjects: Iterable[str] = (),
        days_of_month: Iterable[str] = (),
        not_weekdays: Iterable[str] = (),
    ):
        self.languages = tuple(sorted(set(languages)))
        # words that begin like a weekday's stem and are not one (`not_weekdays` of config/events: "среди")
        self._not_weekdays = frozenset(fold(w) for w in not_weekdays)
        # a day of the month alone in an alphabetic script ("on the 17th", "17-го числа"): `day_of_month` patterns
        # of config/events, each with the day as its one group, matched on folded text
        self._days_of_month = tuple(re.compile(regex) for regex in days_of_month)
        words = "|".join(sorted(map(re.escape, set(reported)), key=len, reverse=True))
        self._reported = re.compile(rf"\s*(?:{words})") if words else re.compile(r"(?!)")  # (?!): never
        before = "|".join(sorted(map(re.escape, {fold(w) for w in subjects}), key=len, reverse=True))
        self._subject = re.compile(rf"(?:{before})[\s,、]*$") if before else re.compile(r"(?!)")
        self._names: dict[str, _Names] = {}

    @classmethod
    def for_languages(
        cls,
        languages: Iterable[str],
        reported: Iterable[str] = (),
        subjects: Iterable[str] = (),
        days_of_month: Iterable[str] = (),
        not_weekdays: Iterable[str] = (),
    ) -> DatePatterns:
        return cls(languages, reported, subjects, days_of_month, not_weekdays)

    def _agency_day(self, text: str, start: int, end: int) -> bool:
        """Whether the day at text[start:end] is the day an agency reported: followed by a `report_day_words`
        word ("据朝中社18日报道") or preceded by a `report_subject_words` one ("조선중앙통신은 17일")."""
        return bool(self._reported.match(text, end) or self._subject.search(text[max(0, start - 24) : start]))

    def names(self, language: str | None) -> _Names:
        code = (language or "").split("-")[0].casefold()
        key = code if code in self.languages else "*"
        if key not in self._names:
            self._names[key] = _Names.of(self.languages if key == "*" else {key, "en"})
        return self._names[key]

    def find(
        self, text: str, published_at: datetime, *, future: bool = False, language: str | None = None
    ) -> tuple[date | None, str | None, bool]:
        """The report's own event date, the words it came from and whether they are the day an agency reported
        (`_agency_day`), or (None, None, False).

        Explicit dates win over weekday names; the first date that can be the report's own wins: one from a week
        before publication to a day after, or one still to come (up to `AHEAD_DATE_MAX`) given before any other.
        A weekday names the last such day up to publication, or (in an announcement, `future`) the next one.
        """
        names = self.names(language)
        published = published_at.date()
        candidates: list[tuple[int, date | None, bool, str]] = []
        for m in names.day_month.finditer(text):
            day = _range_start(text, m.start(), int(m.group(1)))
            candidates.append((m.start(), *_near(published, names.months[m.group(2)], day), m.group(0)))
        for m in names.month_day.finditer(text):
            candidates.append((m.start(), *_near(published, names.months[m.group(1)], int(m.group(2))), m.group(0)))
        for m in _NUMERIC_CJK.finditer(text):
            at = m.start() + (_LATER if self._agency_day(text, m.start(), m.end()) else 0)
            candidates.append((at, *_near(published, int(m.group(1)), int(m.group(2))), m.group(0)))
        if all(c[0] >= _LATER for c in candidates):
            for m in DAY_ONLY_CJK.finditer(text):
                at = m.start() + (_LATER if self._agency_day(text, m.start(), m.end()) else 0)
                day = _range_start(text, m.start(), int(m.group(1)))
                candidates.append((at, *_in_month(published, day), m.group(0)))
            for pattern in self._days_of_month:
                for m in pattern.finditer(text):
                    candidates.append((m.start(), *_in_month(published, int(m.group(1))), m.group(0)))
        dated = sorted((c for c in candidates if c[1] is not None), key=lambda c: c[0])
        for i, (pos, when, _known, source) in enumerate(dated):
            if published - OWN_DATE_BEFORE <= when <= published + OWN_DATE_AFTER:
                return when, source, pos >= _LATER
            ahead = published + OWN_DATE_AFTER < when <= published + AHEAD_DATE_MAX
            if ahead and i == 0 and pos < _LATER:
                return when, source, False
        if candidates:
            return None, None, False
        m = next((m for m in names.weekday.finditer(text) if fold(m.group(0)) not in self._not_weekdays), None)
        weekday = names.weekday_of(m.group(0)) if m else None
        if weekday is not None:
            back = (published.weekday() - weekday) % 7
            when = published + timedelta(days=(7 - back) % 7) if future else published - timedelta(days=back)
            return when, m.group(0), False
        return None, None, False


# "6–7 апреля", "6∼7일", "6-7 April": a range of days; the happening begins on the first (the visit "from the 6th").
_RANGE_BEFORE = re.compile(r"(?<!\d)(\d{1,2})\s*[–—~∼〜～-]\s*$")


def _range_start(text: str, start: int, day: int) -> int:
    """The first day of a range of days ending at `day` (found at text[start]), else `day` itself."""
    m = _RANGE_BEFORE.search(text[max(0, start - 8) : start])
    if m and int(m.group(1)) < day:
        return int(m.group(1))
    return day


def _weekday_stem(name: str) -> str:
    """'вторник' and 'среда' → stems that also match 'во вторник', 'в среду'; 'tuesday' stays whole."""
    if len(name) >= 5 and is_alphabetic(name[-1]) and not name.isascii():
        return name[:-1]
    return name


def _near(published: date, month: int, day: int) -> tuple[date | None, bool]:
    """The date with this month and day closest to publication (this year, or the year before/after)."""
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None, False
    return min(options, key=lambda d: abs(d - published)), True


def _in_month(published: date, day: int) -> tuple[date | None, bool]:
    """A day of the month alone ("25일"): this month's or last month's, whichever is closer to publication
    ("19일" on the 15th is four days ahead, "25일" on the 3rd last month's)."""
    if not 1 <= day <= 31:
        return None, False
    month_start = published.replace(day=1)
    options = []
    for start in (month_start, (month_start - timedelta(days=1)).replace(day=1)):
        try:
            options.append(start.replace(day=day))
        except ValueError:
            continue
    if not options:
        return None, False
    return min(options, key=lambda d: abs(d - published)), True
