"""When a subscriber's digest is due: slots in their own zone, periods, quiet hours.

A schedule is a cadence (daily, weekly on a weekday, monthly on a day) at a local wall
time in an IANA zone. Slots are generated as local wall times with ``dateutil.rrule`` and
only then placed in the zone, so 07:30 stays 07:30 across daylight-saving changes. A wall
time that does not exist on a spring-forward day (02:30 in New York on 8 March 2026) is
read with the offset in force before the gap, which lands it at 03:30 local, once; an
ambiguous one on a fall-back day is its first occurrence (``fold=0``). Monthly days 29-31
are the month's last day in shorter months.

The bot plans every subscriber at start-up, so finding a slot must not walk from an epoch:
the rule starts one period before the moment and yields a few dates, which are cached by
cadence and start date and so shared by every schedule with that cadence.

Nothing here reads the clock: every function takes the moment it needs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from bot.conversation.reply import InputProblem, quoted
from bot.numbers import has_other_digits
from bot.texts import en, es
from briefings.topics import strip_accents

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_NAMES_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_WEEKDAY_WORDS = {
    word: index
    for index, words in enumerate(
        [
            "mon monday mondays lun lunes",
            "tue tues tuesday tuesdays mar martes",
            "wed weds wednesday wednesdays mie miercoles",
            "thu thur thurs thursday thursdays jue jueves",
            "fri friday fridays vie viernes",
            "sat saturday saturdays sab sabado sabados",
            "sun sunday sundays dom domingo domingos",
        ]
    )
    for word in words.split()
}
_DAILY = {"daily", "everyday", "diario", "diaria", "diariamente"}
_WEEKLY = {"weekly", "semanal", "semanalmente"}
_MONTHLY = {"monthly", "mensual", "mensualmente"}
_EVERY = {"every", "each", "cada", "todos", "todas"}
# Words a cadence can start with, for a caller that looks for where it begins in a line.
CADENCE_STARTS = frozenset(_DAILY | _WEEKLY | _MONTHLY | _EVERY)
_ARTICLES = {"the", "los", "las", "el", "la"}
_DAY_WORDS = {"day", "dia", "days", "dias"}
_WEEK_WORDS = {"week", "weeks", "semana", "semanas"}
_MONTH_WORDS = {"month", "months", "mes", "meses"}
_LAST = {"last", "ultimo", "ultima"}
_FILLER = {"on", "the", "el", "los", "at", "a", "las", "de", "del", "day", "dia"}
_AT = {"at", "a", "la", "las", "@"}  # "daily at 07:30", "diario a las 07:30"
_ORDINAL = re.compile(r"^([0-9]{1,2})(st|nd|rd|th|o|º)?$")
_TIME = re.compile(r"^([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.|h|hrs)?$")
# "22-7", "22:00 – 07:00", "10pm to 6am", "de 22:00 a 07:00", "entre 22 y 7"; the word
# separators need word boundaries, or the "a" of "6am" would split it.
_WINDOW = re.compile(
    r"^(?:from|between|de|desde|entre)?\s*(?P<start>.+?)\s*"
    r"(?:-|–|—|\bto\b|\buntil\b|\band\b|\ba\b|\bhasta\b|\by\b)\s*(?P<end>.+)$"
)


class ScheduleInputError(InputProblem):
    """A time, window or cadence the bot can't read: what was expected, with an example."""


def _fold(text: str) -> str:
    return strip_accents(text).strip()


def refuse_other_digits(text: str) -> None:
    """Raise :class:`ScheduleInputError` when ``text`` holds digits other than 0-9.

    Folding reads "²" as 2 ("weekly ²" became Monday 02:00) and int() reads "٣" as 3;
    neither is what a person writes for a time or a day, so such words are refused before
    anything is folded, with a line that quotes the first of them.
    """
    if not has_other_digits(text):
        return
    word = next(word for word in text.split() if has_other_digits(word))
    values = {"text": quoted(word)}
    raise ScheduleInputError(
        en.SCHEDULES["other_digits"].format(**values),
        es.SCHEDULES["other_digits"].format(**values),
    )


@dataclass(frozen=True)
class Cadence:
    kind: str  # "daily" | "weekly" | "monthly"
    day: int = 0  # weekly: 0=Monday..6=Sunday; monthly: 1..31; daily: 0


# The days each cadence can go out on: weekly 0 (Monday) to 6 (Sunday), monthly 1 to 31
# (29-31 are the last day in shorter months), daily only 0.
CADENCE_DAYS = {"daily": range(0, 1), "weekly": range(0, 7), "monthly": range(1, 32)}
_DAY_PROBLEMS = {"daily": "no_day_daily", "weekly": "no_weekday", "monthly": "no_monthday"}


def checked_cadence(cadence: Cadence) -> Cadence:
    """``cadence`` when it can go out, else :class:`ScheduleInputError` saying why.

    Whatever made the cadence — words read by :func:`parse_cadence` or a guided
    /subscribe button, whose data a client can forge — it passes here before it is stored.
    """
    days = CADENCE_DAYS.get(cadence.kind)
    if days is None:
        raise ValueError(f"unknown cadence {cadence.kind!r}")
    if cadence.day not in days:
        key, values = _DAY_PROBLEMS[cadence.kind], {"n": cadence.day}
        raise ScheduleInputError(
            en.SCHEDULES[key].format(**values), es.SCHEDULES[key].format(**values)
        )
    return cadence


@dataclass(frozen=True)
class QuietHours:
    start: dt.time
    end: dt.time  # a window may cross midnight: 22:00-07:00

    def contains(self, moment: dt.time) -> bool:
        """Start inclusive, end exclusive; start == end is an empty window."""
        moment = moment.replace(second=0, microsecond=0, tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _place(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A naive local wall time in ``zone``, in UTC; a time in a gap moves forward by it."""
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive local wall time of an aware moment (a naive one would mean the host's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a schedule needs an aware moment, not the naive {moment}")
    return moment.astimezone(zone).replace(tzinfo=None)


# Far more than any offset change a zone makes at once (Troll's is 2 h), so a slot dated
# one period before the local date shifted back by this is certainly before the moment.
_MARGIN = dt.timedelta(hours=3)
_CANDIDATES = 4  # enough to reach past the moment from one period before it


def _period_before(cadence: Cadence, day: dt.date) -> dt.date:
    """A date at least one whole period before ``day``: rules start there."""
    if cadence.kind == "weekly":
        return day - dt.timedelta(days=7)
    if cadence.kind == "monthly":
        return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return day - dt.timedelta(days=1)


def _rule(cadence: Cadence, since: dt.date) -> rrule:
    start = dt.datetime.combine(since, dt.time())
    if cadence.kind == "daily":
        return rrule(DAILY, dtstart=start)
    if cadence.kind == "weekly":
        return rrule(WEEKLY, byweekday=min(max(cadence.day, 0), 6), dtstart=start)
    if cadence.kind == "monthly":
        day = min(max(cadence.day, 1), 31)
        if day <= 28:
            return rrule(MONTHLY, bymonthday=day, dtstart=start)
        # The day, or the month's last day when it is shorter: the earlier of the two.
        return rrule(MONTHLY, bymonthday=(day, -1), bysetpos=1, dtstart=start)
    raise ValueError(f"unknown cadence {cadence.kind!r}")


@lru_cache(maxsize=2048)
def _slot_dates(cadence: Cadence, since: dt.date) -> tuple[dt.date, ...]:
    """The first few slot dates from ``since`` on.

    Dates depend on neither the zone nor the time of day, so at start-up, when every
    subscriber is planned from the same moment, all schedules with one cadence share them.
    """
    return tuple(slot.date() for slot in islice(_rule(cadence, since), _CANDIDATES))


@dataclass(frozen=True)
class Schedule:
    cadence: Cadence
    at: dt.time  # local wall-clock time, minutes precision
    zone: str  # IANA name

    def _slots(self, since: dt.date, zone: ZoneInfo) -> Iterator[dt.datetime]:
        """Consecutive slots from ``since``: local wall times (``fold=0``) placed in UTC."""
        at = self.at.replace(second=0, microsecond=0, tzinfo=None, fold=0)
        for day in _slot_dates(self.cadence, since):
            yield dt.datetime.combine(day, at, zone).astimezone(dt.UTC)

    def next_slot(self, after: dt.datetime) -> dt.datetime:
        """The first slot strictly after ``after`` (aware), in UTC."""
        zone = _zone(self.zone)
        since = _period_before(self.cadence, (_local(after, zone) - _MARGIN).date())
        while True:  # one round unless a zone skips more than the margin
            for slot in self._slots(since, zone):
                if slot > after:
                    return slot
            since = slot.astimezone(zone).date() + dt.timedelta(days=1)

    def latest_slot(self, at_or_before: dt.datetime) -> dt.datetime | None:
        """The last slot at or before the moment, in UTC."""
        zone = _zone(self.zone)
        since = _period_before(self.cadence, (_local(at_or_before, zone) - _MARGIN).date())
        for _ in range(3):  # one round unless a zone skips more than the margin
            earlier = [slot for slot in self._slots(since, zone) if slot <= at_or_before]
            if earlier:
                return earlier[-1]
            since = _period_before(self.cadence, since)
        return None  # pragma: no cover - no zone jumps two periods at once

    def period_key(self, slot: dt.datetime) -> str:
        """From the slot's local date: ``2026-02-01`` daily, ``2026-W05`` weekly, ``2026-02``."""
        local = slot.astimezone(_zone(self.zone))
        if self.cadence.kind == "weekly":
            year, week, _ = local.isocalendar()
            return f"{year}-W{week:02d}"
        if self.cadence.kind == "monthly":
            return f"{local:%Y-%m}"
        return local.date().isoformat()


def delivery_time(slot: dt.datetime, zone: str, quiet: QuietHours | None) -> dt.datetime:
    """The slot, or the end of the quiet window it falls in (the next ``end`` local time)."""
    if quiet is None:
        return slot
    tz = _zone(zone)
    local = slot.astimezone(tz)
    if not quiet.contains(local.time()):
        return slot
    end = local.replace(
        hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0, tzinfo=None
    )
    if end <= local.replace(tzinfo=None):
        end += dt.timedelta(days=1)
    return _place(end, tz)


def parse_time(text: str) -> dt.time:
    """``07:30``, ``7:30``, ``7am``, ``7:30pm``, ``19h``, ``19.30``; else one clear line."""
    refuse_other_digits(text)
    folded = _fold(text).replace(" ", "")
    match = _TIME.match(folded)
    shown = quoted(text)
    problem = ScheduleInputError(
        f"“{shown}” is not a time of day. Use 24-hour HH:MM, e.g. 07:30 or 18:00.",
        f"«{shown}» no es una hora del día. Usa HH:MM de 24 horas, p. ej. 07:30 o 18:00.",
    )
    if not match:
        raise problem
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise problem
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise problem
    return dt.time(hour, minute)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """``22:00-07:00`` (may cross midnight), ``22-7``, ``10pm to 6am``, ``de 22 a 7``;
    ``off``/``none``/``no`` turn them off."""
    refuse_other_digits(text)
    folded = _fold(text)
    if folded in ("off", "none", "no", "0", "ninguna", "ningunas", "apagar", "desactivar"):
        return None
    shown = quoted(text)
    example = ScheduleInputError(
        f"“{shown}” is not a quiet-hours window. Example: /quiet 22:00-07:00 (or /quiet off).",
        f"«{shown}» no es un horario de silencio. Ejemplo: /quiet 22:00-07:00 (o /quiet off).",
    )
    match = _WINDOW.match(folded)
    if match is None:
        raise example
    try:
        start, end = parse_time(match["start"]), parse_time(match["end"])
    except ScheduleInputError:
        raise example from None
    if start == end:
        raise ScheduleInputError(
            "A quiet window must start and end at different times. Example: /quiet 22:00-07:00",
            "El horario de silencio debe empezar y terminar a horas distintas. "
            "Ejemplo: /quiet 22:00-07:00",
        )
    return QuietHours(start, end)


def _cadence_problem(words: Sequence[str]) -> ScheduleInputError:
    shown = quoted(" ".join(words))
    return ScheduleInputError(
        f"I can't read “{shown}” as a schedule. Use daily, weekly with a day, or monthly "
        "with a day of the month, e.g. daily 07:30 · weekly mon 08:00 · monthly 1 09:00.",
        f"No entiendo «{shown}» como horario. Usa diario, semanal con un día o mensual con "
        "un día del mes, p. ej. diario 07:30 · semanal lun 08:00 · mensual 1 09:00.",
    )


def _skip(words: Sequence[str], index: int, skipped: set[str]) -> int:
    while index < len(words) and words[index] in skipped:
        index += 1
    return index


def parse_cadence(words: Sequence[str]) -> tuple[Cadence, list[str]]:
    """The cadence at the start of ``words``, and the words after it (usually the time).

    ``daily``, ``every day``, ``todos los días``; ``weekly [weekday]`` (Monday when none),
    ``every friday``, ``cada lunes``; ``monthly [day]`` (day 1 when none), ``monthly 15th``,
    ``monthly last``. A lone number after ``monthly`` is the time, not the day: ``monthly
    15`` is day 1 at 15:00, while ``monthly 15 09:00`` and ``monthly 15th`` are day 15.
    A leading "at" / "a las" before the time is dropped.
    """
    refuse_other_digits(" ".join(words))
    folded = [_fold(word) for word in words]
    if not folded:
        raise _cadence_problem(words)
    head = folded[0]
    index = 1
    if head in _EVERY:  # "every day", "cada lunes", "todas las semanas", "every month"
        index = _skip(folded, 1, _ARTICLES)
        following = folded[index] if index < len(folded) else ""
        index += 1
        if following in _DAY_WORDS:
            head = "daily"
        elif following in _WEEK_WORDS:
            head = "weekly"
        elif following in _MONTH_WORDS:
            head = "monthly"
        elif following in _WEEKDAY_WORDS:
            return Cadence("weekly", _WEEKDAY_WORDS[following]), _rest(words, folded, index)
        else:
            raise _cadence_problem(words)
    if head in _DAILY:
        return Cadence("daily"), _rest(words, folded, index)
    if head in _WEEKLY:
        index = _skip(folded, index, _FILLER)
        if index < len(folded) and folded[index] in _WEEKDAY_WORDS:
            return Cadence("weekly", _WEEKDAY_WORDS[folded[index]]), _rest(
                words, folded, index + 1
            )
        if index < len(folded) and not _TIME.match(folded[index]):
            raise _cadence_problem(words)
        return Cadence("weekly", 0), _rest(words, folded, index)
    if head in _MONTHLY:
        return _monthly(words, folded, _skip(folded, index, _FILLER))
    raise _cadence_problem(words)


def _monthly(words: Sequence[str], folded: Sequence[str], index: int) -> tuple[Cadence, list[str]]:
    if index < len(folded) and folded[index] in _LAST:  # "monthly on the last day 09:00"
        return Cadence("monthly", 31), _rest(words, folded, _skip(folded, index + 1, _DAY_WORDS))
    suffixed = index < len(folded) and bool(
        re.match(r"^[0-9]{1,2}(st|nd|rd|th|o|º)$", folded[index])
    )
    if index < len(folded) - 1 or suffixed:  # a day, then the time ("monthly 15 09:00")
        match = _ORDINAL.match(folded[index])
        if not match:
            raise _cadence_problem(words)
        return checked_cadence(Cadence("monthly", int(match.group(1)))), _rest(
            words, folded, index + 1
        )
    return Cadence("monthly", 1), _rest(words, folded, index)


def _rest(words: Sequence[str], folded: Sequence[str], index: int) -> list[str]:
    """The words after the cadence, without an "at" / "a las" before the time."""
    return list(words[_skip(folded, index, _AT) :])


_DESCRIPTIONS: dict[str, dict[str, str]] = {"en": en.SCHEDULES, "es": es.SCHEDULES}
_DAY_NAMES = {"en": _DAY_NAMES_EN, "es": _DAY_NAMES_ES}


def describe_cadence(cadence: Cadence, lang: str) -> str:
    """``every Monday``, ``cada lunes``: the cadence alone, for prompts that ask the time."""
    code = "es" if lang == "es" else "en"
    words = _DESCRIPTIONS[code]
    kind = "last_day" if cadence.kind == "monthly" and cadence.day == 31 else cadence.kind
    return words[kind].format(
        day=_DAY_NAMES[code][min(max(cadence.day, 0), 6)] if cadence.kind == "weekly" else "",
        n=cadence.day,
        last=words["or_last"] if cadence.day > 28 else "",
    )


def describe(schedule: Schedule, lang: str) -> str:
    """``every day at 07:30``, ``cada lunes a las 08:00``; the caller adds the zone."""
    words = _DESCRIPTIONS["es" if lang == "es" else "en"]
    template = words["at_one" if schedule.at.hour == 1 else "at"]
    return template.format(
        cadence=describe_cadence(schedule.cadence, lang), at=schedule.at.strftime("%H:%M")
    )
