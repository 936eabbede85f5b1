"""Relative dates ("on Sunday", "last month", "two weeks ago") made absolute.

News copy dates events against the day it was written: "on Sunday" in an article of
Monday 2 Feb 2026 is 1 Feb 2026. A briefing read ten months later must not leave the
reader to guess, so every relative date in a sentence that is shown is resolved against
its article's own date, with python-dateutil's ``relativedelta`` doing the calendar
arithmetic (weekdays, months of different lengths), or the sentence is not shown.

The resolved date is written into the sentence right after the words it resolves, as a
marker ``⟦2026-02-01⟧`` that the renderer turns into "[1 Feb 2026]" or "[1 feb 2026]" in
the reader's language. The source's own words are never changed.
Markers: ``⟦YYYY-MM-DD⟧`` a day, ``⟦YYYY-MM⟧`` a month, ``⟦YYYY⟧`` a year,
``⟦~YYYY-MM-DD⟧`` about that day ("two weeks ago"), ``⟦wYYYY-MM-DD⟧`` the week starting then.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from dateutil.relativedelta import MO, relativedelta, weekday

from briefings.dates import MONTHS

MARKER = re.compile(r" ⟦(?P<kind>[~w]?)(?P<iso>\d{4}(?:-\d{2}(?:-\d{2})?)?)⟧")

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
RELATIVE = re.compile(
    r"\b(?:"
    r"(?P<vague>in recent (?:days|weeks|months)|the day before|the previous day|recently)"
    rf"|(?P<weekday>(?:(?:on|last|this past|this|next|early|late)\s+)?"
    r"(?<!every )(?<!each )(?<!first )(?<!second )(?<!third )(?<!fourth )"
    rf"(?:{'|'.join(_WEEKDAYS)})(?:[’']s)?{_PART})"
    r"|(?P<day>yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening)"
    r"|(?P<ago>(?:(?P<count>\d{1,2}|a|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+(?P<unit>day|week|month|year)s?\s+ago))"
    r"|(?P<period>(?:earlier |later )?(?P<which>last|this|next|the previous|the past|over the)\s+"
    r"(?P<span>week|month|year|weekend)(?:[’']s)?)"
    rf"|(?P<named>(?P<which_month>last|this|next)\s+(?P<month>{_MONTH_NAMES}))"
    r")\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(r"\b(?:will|shall|next|upcoming|scheduled|plans? to|is to)\b", re.I)


# Every relative date :data:`RELATIVE` finds has one of these in it (a weekday or "today"
# ends in "day", "last March" names a month): a sentence without any has none, and is
# passed over without running the long pattern (a few microseconds instead of a hundred).
_HINTS = (
    "day",
    "week",
    "month",
    "year",
    "ago",
    "tonight",
    "tomorrow",
    "morning",
    "afternoon",
    "evening",
    "recent",
    *_MONTH_NAMES.split("|"),
)


@functools.lru_cache(maxsize=1 << 18)
def _relative_dates(text: str) -> tuple[re.Match[str], ...]:
    """Every relative date in ``text``. Cached: a sentence is resolved, then checked for
    what is left unresolved, and most sentences have none (the same text twice)."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return ()
    return tuple(RELATIVE.finditer(text))


def has_relative_date(text: str) -> bool:
    """Whether ``text`` dates something relative to a day it does not name."""
    return any(not _resolved_after(text, m.end()) for m in _relative_dates(text))


def _resolved_after(text: str, end: int) -> bool:
    return MARKER.match(text, end) is not None


def _precision(iso: str | None) -> int:
    """0 unknown, 1 year, 2 month, 3 day."""
    return 0 if not iso else min(3, len(iso[:10].split("-")))


def resolve(text: str, written: str | None) -> str | None:
    """``text`` with every relative date followed by its absolute marker, or None.

    ``written`` is the article's own date (ISO, any precision); a relative date that needs
    more precision than it has (a weekday in an article dated only "2026") cannot be
    resolved, and then the sentence is unusable: None.
    """
    matches = _relative_dates(text)
    if not matches:
        return text
    precision = _precision(written)
    if precision == 0 or written is None:
        return None
    parts = [int(p) for p in written[:10].split("-")]
    pieces: list[str] = []
    last = 0
    for match in matches:
        # "will … on Sunday" looks ahead; "said on Sunday" after a "will" elsewhere does not
        future = bool(_FUTURE.search(text[max(0, match.start() - 30) : match.start()]))
        marker = _marker(match, parts, precision, future)
        if marker is None:
            return None
        pieces.append(text[last : match.end()] + f" ⟦{marker}⟧")
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _marker(match: re.Match[str], parts: list[int], precision: int, future: bool) -> str | None:
    year = parts[0]
    if match.group("vague"):
        return None  # "in recent days": no day to name
    if match.group("period") and match.group("span").lower() == "year":
        which = match.group("which").lower()
        return str(
            year + (1 if which == "next" else -1 if which in ("last", "the previous") else 0)
        )
    if match.group("named"):
        if precision < 2:
            return None
        month = MONTHS[match.group("month").lower()]
        which = match.group("which_month").lower()
        base = dt.date(year, parts[1], 1)
        target = dt.date(year, month, 1)
        if which == "last" and target >= base:
            target -= relativedelta(years=1)
        elif which == "next" and target <= base:
            target += relativedelta(years=1)
        return target.strftime("%Y-%m")
    if match.group("period") and match.group("span").lower() == "month":
        if precision < 2:
            return None
        which = match.group("which").lower()
        shift = 1 if which == "next" else -1 if which in ("last", "the previous") else 0
        return (dt.date(year, parts[1], 1) + relativedelta(months=shift)).strftime("%Y-%m")
    if precision < 3:
        return None
    written = dt.date(*parts[:3])
    if match.group("ago"):
        raw = match.group("count").lower()
        count = int(raw) if raw.isdigit() else _NUMBERS[raw]
        unit = match.group("unit").lower()
        if unit == "year":
            return str((written - relativedelta(years=count)).year)
        if unit == "month":
            return (written - relativedelta(months=count)).strftime("%Y-%m")
        days = count * (7 if unit == "week" else 1)
        return "~" + (written - dt.timedelta(days=days)).isoformat()
    if match.group("day"):
        word = match.group("day").lower()
        shift = -1 if word == "yesterday" else 1 if word == "tomorrow" else 0
        return (written + dt.timedelta(days=shift)).isoformat()
    if match.group("period"):  # a week or a weekend
        which = match.group("which").lower()
        shift = 1 if which == "next" else -1 if which in ("last", "the previous") else 0
        if match.group("span").lower() == "weekend":
            if shift > 0:
                saturday = written + relativedelta(days=+1, weekday=weekday(5))
            else:
                saturday = written + relativedelta(weekday=weekday(5, -1))
                if shift < 0 and written.weekday() >= 5:
                    saturday -= dt.timedelta(days=7)
            return "~" + saturday.isoformat()
        monday = written + relativedelta(weekday=MO(-1)) + relativedelta(weeks=shift)
        return "w" + monday.isoformat()
    phrase = match.group("weekday").lower()
    name = next(w for w in _WEEKDAYS if w in phrase)
    target_weekday = _WEEKDAYS.index(name)
    ahead = future or phrase.startswith("next")
    if ahead:
        days = (target_weekday - written.weekday()) % 7 or 7
        return (written + dt.timedelta(days=days)).isoformat()
    days = (written.weekday() - target_weekday) % 7
    if phrase.startswith("last") and days == 0:
        days = 7
    return (written - dt.timedelta(days=days)).isoformat()


def strip_markers(text: str) -> str:
    """The source's own words, without the resolved dates (to compare sentences)."""
    return MARKER.sub("", text)
