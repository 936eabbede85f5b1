"""When a subscriber's digest is due: slots in their own zone, periods, quiet hours.

A schedule is a cadence (daily, weekly on a weekday, monthly on a day) at a local wall
time in an IANA zone. Slots are generated as local wall times with ``dateutil.rrule`` and
only then placed in the zone, so 07:30 stays 07:30 across daylight-saving changes. A wall
time that does not exist on a spring-forward day (02:30 in New York on 8 March 2026) is
read with the offset in force before the gap, which lands it at 03:30 local, once; an
ambiguous one on a fall-back day is its first occurrence (``fold=0``). Monthly day 31 is
the month's last day in shorter months.

Nothing here reads the clock: every function takes the moment it needs.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

from bot.replies import InputProblem

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
_DAILY = {"daily", "diario", "diaria", "diariamente"}
_WEEKLY = {"weekly", "semanal", "semanalmente"}
_MONTHLY = {"monthly", "mensual", "mensualmente"}
_EVERY = {"every", "cada", "todos", "todas", "each"}
_DAY_WORDS = {"day", "dia", "days", "dias"}
_WEEK_WORDS = {"week", "semana"}
_MONTH_WORDS = {"month", "mes"}
_FILLER = {"on", "the", "el", "los", "at", "a", "las", "de", "del", "day", "dia"}
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th|o|º)?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h|hrs)?$")


class ScheduleInputError(InputProblem):
    """A time, window or cadence the bot can't read: what was expected, with an example."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@dataclass(frozen=True)
class Cadence:
    kind: str  # "daily" | "weekly" | "monthly"
    day: int = 0  # weekly: 0=Monday..6=Sunday; monthly: 1..31; daily: 0


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


@dataclass(frozen=True)
class Schedule:
    cadence: Cadence
    at: dt.time  # local wall-clock time
    zone: str  # IANA name

    def _rule(self, around: dt.datetime) -> rrule:
        """Local wall-time slots from a little before ``around`` (a naive local datetime)."""
        kind = self.cadence.kind
        if kind == "daily":
            start = around - dt.timedelta(days=2)
            return rrule(
                DAILY,
                dtstart=start.replace(
                    hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0
                ),
            )
        if kind == "weekly":
            start = around - dt.timedelta(days=9)
            return rrule(
                WEEKLY,
                byweekday=self.cadence.day,
                dtstart=start.replace(
                    hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0
                ),
            )
        if kind == "monthly":
            start = (around - relativedelta(months=2)).replace(day=1)
            day = min(max(self.cadence.day, 1), 31)
            # bymonthday=-1 is the last day; "31" (or 29/30) falls back to it when shorter.
            days = (day,) if day <= 28 else (day, -1)
            return rrule(
                MONTHLY,
                bymonthday=days,
                dtstart=start.replace(
                    hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0
                ),
            )
        raise ValueError(f"unknown cadence {kind!r}")

    def _local_slots(self, around: dt.datetime, count: int) -> list[dt.datetime]:
        """Distinct slots in month order: with day 30 and -1, keep one per month."""
        slots: list[dt.datetime] = []
        for slot in self._rule(around):
            if (
                self.cadence.kind == "monthly"
                and slots
                and ((slots[-1].year, slots[-1].month) == (slot.year, slot.month))
            ):
                continue  # "31" and "last day" are the same slot in a 31-day month
            slots.append(slot)
            if len(slots) >= count:
                return slots
        return slots

    def next_slot(self, after: dt.datetime) -> dt.datetime:
        """The first slot strictly after ``after`` (aware), in UTC."""
        zone = _zone(self.zone)
        local = after.astimezone(zone).replace(tzinfo=None)
        for slot in self._local_slots(local, 8):
            placed = _place(slot, zone)
            if placed > after:
                return placed
        raise AssertionError("a schedule always has a next slot")  # pragma: no cover

    def latest_slot(self, at_or_before: dt.datetime) -> dt.datetime | None:
        """The last slot at or before the moment, in UTC."""
        zone = _zone(self.zone)
        local = at_or_before.astimezone(zone).replace(tzinfo=None)
        found = None
        for slot in self._local_slots(local, 8):
            placed = _place(slot, zone)
            if placed > at_or_before:
                break
            found = placed
        return found

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
    folded = _fold(text).replace(" ", "")
    match = _TIME.match(folded)
    problem = ScheduleInputError(
        f"“{text}” is not a time of day. Use 24-hour HH:MM, e.g. 07:30 or 18:00.",
        f"«{text}» no es una hora del día. Usa HH:MM de 24 horas, p. ej. 07:30 o 18:00.",
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
    """``22:00-07:00`` (may cross midnight), ``22-7``; ``off``/``none`` turn them off."""
    folded = _fold(text)
    if folded in ("off", "none", "no", "0", "ninguna", "ningunas", "apagar", "desactivar"):
        return None
    parts = re.split(r"\s*(?:-|–|—|to|a|hasta)\s*", folded)
    example = ScheduleInputError(
        f"“{text}” is not a quiet-hours window. Example: /quiet 22:00-07:00 (or /quiet off).",
        f"«{text}» no es un horario de silencio. Ejemplo: /quiet 22:00-07:00 (o /quiet off).",
    )
    if len(parts) != 2:
        raise example
    try:
        start, end = parse_time(parts[0]), parse_time(parts[1])
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
    shown = " ".join(words)
    return ScheduleInputError(
        f"I can't read “{shown}” as a schedule. Use daily, weekly with a day, or monthly "
        "with a day of the month, e.g. daily 07:30 · weekly mon 08:00 · monthly 1 09:00.",
        f"No entiendo «{shown}» como horario. Usa diario, semanal con un día o mensual con "
        "un día del mes, p. ej. diario 07:30 · semanal lun 08:00 · mensual 1 09:00.",
    )


def parse_cadence(words: Sequence[str]) -> tuple[Cadence, list[str]]:
    """The cadence at the start of ``words``, and the words after it (usually the time)."""
    folded = [_fold(word) for word in words]
    if not folded:
        raise _cadence_problem(words)
    head, rest = folded[0], folded[1:]
    if head in _EVERY and rest:  # "every day", "cada lunes", "every month"
        if rest[0] in _DAY_WORDS:
            return Cadence("daily"), list(words[2:])
        if rest[0] in _WEEK_WORDS:
            head, rest, words = "weekly", rest[1:], [words[0], *words[2:]]
        elif rest[0] in _MONTH_WORDS:
            head, rest, words = "monthly", rest[1:], [words[0], *words[2:]]
        elif rest[0] in _WEEKDAY_WORDS:
            return Cadence("weekly", _WEEKDAY_WORDS[rest[0]]), list(words[2:])
        else:
            raise _cadence_problem(words)
    if head in _DAILY:
        return Cadence("daily"), list(words[1:])
    if head in _WEEKLY:
        index = 1
        while index < len(folded) and folded[index] in _FILLER:
            index += 1
        if index < len(folded) and folded[index] in _WEEKDAY_WORDS:
            return Cadence("weekly", _WEEKDAY_WORDS[folded[index]]), list(words[index + 1 :])
        if index < len(folded) and not _TIME.match(folded[index]):
            raise _cadence_problem(words)
        return Cadence("weekly", 0), list(words[index:])
    if head in _MONTHLY:
        index = 1
        while index < len(folded) and folded[index] in _FILLER:
            index += 1
        suffixed = index < len(folded) and bool(
            re.match(r"^\d{1,2}(st|nd|rd|th|o|º)$", folded[index])
        )
        if index < len(folded) - 1 or suffixed:  # a day, then the time ("monthly 15 09:00")
            match = _ORDINAL.match(folded[index])
            if match:
                day = int(match.group(1))
                if not 1 <= day <= 31:
                    raise ScheduleInputError(
                        f"There is no day {day} in a month. Example: monthly 1 09:00.",
                        f"No hay día {day} en un mes. Ejemplo: mensual 1 09:00.",
                    )
                return Cadence("monthly", day), list(words[index + 1 :])
            raise _cadence_problem(words)
        return Cadence("monthly", 1), list(words[index:])
    raise _cadence_problem(words)


_DESCRIPTIONS = {
    "en": {
        "daily": "every day at {at}",
        "weekly": "every {day} at {at}",
        "monthly": "on day {n}{last} of every month at {at}",
        "last_day": "on the last day of every month at {at}",
        "or_last": " (or the last day)",
        "days": _DAY_NAMES_EN,
    },
    "es": {
        "daily": "cada día a las {at}",
        "weekly": "cada {day} a las {at}",
        "monthly": "el día {n}{last} de cada mes a las {at}",
        "last_day": "el último día de cada mes a las {at}",
        "or_last": " (o el último)",
        "days": _DAY_NAMES_ES,
    },
}


def describe(schedule: Schedule, lang: str) -> str:
    """``every day at 07:30``; ``cada lunes a las 08:00`` (without the zone)."""
    words = _DESCRIPTIONS["es" if lang == "es" else "en"]
    cadence = schedule.cadence
    kind = "last_day" if cadence.kind == "monthly" and cadence.day == 31 else cadence.kind
    template = words[kind]
    assert isinstance(template, str)
    return template.format(
        at=schedule.at.strftime("%H:%M"),
        day=words["days"][cadence.day] if cadence.kind == "weekly" else "",
        n=cadence.day,
        last=words["or_last"] if cadence.day > 28 else "",
    )
