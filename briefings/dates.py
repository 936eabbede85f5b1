"""Dates as news text writes them, and the year a scraped article forgot to say.

News copy writes "Feb. 2", "January 24", "Feb. 12-17", "March 1, 2026" and "March 2025".
A mention keeps only the precision the text gives. When the year is missing it is
inferred, in order of strength, from: a weekday that the text ties to the date ("the first
Saturday … The next event takes place on Feb. 7"), the years written elsewhere in the same
document, and finally a related article whose year is known. The caller records that the
year was inferred and on what basis.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    for _name in (calendar.month_name[_number], calendar.month_abbr[_number]):
        MONTHS[_name.lower()] = _number
MONTHS["sept"] = 9
# Embedded posts date themselves in Spanish ("domingo 1 de febrero"): see chronology.
SPANISH_MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}

_MONTH_RE = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# "Feb. 12-17", "March 1, 2026", "January 24", "March 2025", "Feb. 7"
DATE_MENTION = re.compile(
    _MONTH_RE
    + r"(?:\s+(?P<day>\d{1,2})(?!\d)(?:\s*[-–]\s*(?P<day_end>\d{1,2})(?!\d))?)?"
    + r"(?:,?\s+(?P<year>(?:1[89]|20)\d{2})(?!\d))?"
)
# A year, not a decade ("1930s"), an amount ("2,400") or a quantity ("1900 pesos").
YEAR = re.compile(
    r"(?<![\d$.,])(?P<year>(?:1[89]|20)\d{2})(?![\d,]|s\b|’s|'s|\s*(?:pesos|people|km))"
)
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


@dataclass(frozen=True)
class DateMention:
    """A date as written: month always, day and year when the text has them."""

    month: int
    day: int | None
    day_end: int | None
    year: int | None
    start: int
    end: int

    def iso(self, year: int | None = None) -> str | None:
        """ISO text at the mention's precision, with ``year`` filling a missing one."""
        y = self.year or year
        if y is None:
            return None
        if self.day is None:
            return f"{y:04d}-{self.month:02d}"
        if not _valid(y, self.month, self.day):
            return None  # "Feb. 29" in a year that has no such day
        return f"{y:04d}-{self.month:02d}-{self.day:02d}"

    def iso_end(self, year: int | None = None) -> str | None:
        """The last day of a range ("Feb. 12-17" -> "…-02-17"), or None when it is none."""
        y = self.year or year
        if y is None or self.day_end is None or not _valid(y, self.month, self.day_end):
            return None
        return f"{y:04d}-{self.month:02d}-{self.day_end:02d}"


def find_dates(text: str) -> list[DateMention]:
    """Every month-based date mention in ``text``; "May" alone needs a day or year."""
    found = []
    for m in DATE_MENTION.finditer(text):
        month_word = m.group("month").lower().rstrip(".")
        if m.group("day") is None and m.group("year") is None:
            continue  # "March" alone, or the verb "may": too weak to be a date
        if month_word == "may" and m.group("day") is None and not text[m.start()].isupper():
            continue
        day = int(m.group("day")) if m.group("day") else None
        day_end = int(m.group("day_end")) if m.group("day_end") else None
        month = MONTHS[month_word[:3] if month_word not in MONTHS else month_word]
        last_day = calendar.monthrange(2024, month)[1]  # a leap year: Feb. 29 may be real
        if day is not None and not 1 <= day <= last_day:
            continue
        if day is not None and day_end is not None and not day < day_end <= last_day:
            continue  # "Feb. 25-2" and "Feb. 2-40" are no ranges of days
        found.append(
            DateMention(
                month=month,
                day=day,
                day_end=day_end,
                year=int(m.group("year")) if m.group("year") else None,
                start=m.start(),
                end=m.end(),
            )
        )
    return found


def find_years(text: str) -> list[int]:
    """Four-digit years (1800–2099) written in ``text``, in order."""
    return [int(m.group("year")) for m in YEAR.finditer(text)]


def year_from_weekday(month: int, day: int, weekday: int, near: int, span: int = 6) -> int | None:
    """The year closest to ``near`` in which month/day falls on ``weekday`` (0 = Monday)."""
    candidates = [
        y
        for y in range(near - span, near + span + 1)
        if _valid(y, month, day) and dt.date(y, month, day).weekday() == weekday
    ]
    return min(candidates, key=lambda y: (abs(y - near), -y)) if candidates else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def nth_weekday_phrase(text: str) -> tuple[int, int] | None:
    """'first Saturday of every month' -> (1, 5): the ordinal and the weekday."""
    m = re.search(
        r"\b(first|second|third|fourth|last)\s+(monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday)\s+of\s+(?:every|each|the)\s+month",
        text,
        re.IGNORECASE,
    )
    if m is None:
        return None
    ordinal = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}[m.group(1).lower()]
    return ordinal, WEEKDAYS[m.group(2).lower()]
