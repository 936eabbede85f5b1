"""When a listing happens: its sessions as spans of local time, and nothing in between.

A listing with several dates ("When: Feb. 1 and March 7") is those two days, not the five
weeks between them; an exhibition's run ("until March 1, open Tue-Sun") is one span from
its first day to its last. Filters (a window, a month), "on now" and the calendar file all
read a listing through :func:`sessions`, so they agree.

A session whose source gives no start time ("Feb. 1") covers that whole day for a window,
but is never "on now" by the clock: the listing doesn't say when it starts, so it is
"today". One with a start and no end is "today" once started, for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from briefings.model import Event, Occurrence


@dataclass(frozen=True)
class Session:
    """One span of a listing in its own zone: ``[start, end)``.

    ``timed`` says the source gave a start time; ``ends_known`` that it gave an end (a
    closing time, or a last day).
    """

    start: dt.datetime
    end: dt.datetime
    timed: bool
    ends_known: bool


def _local(iso: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=zone)


def _after(iso: str, zone: ZoneInfo) -> dt.datetime:
    """The end of ``iso`` as an exclusive bound: a bare date ends at the next midnight."""
    moment = _local(iso, zone)
    return moment + dt.timedelta(days=1) if len(iso) == 10 else moment


def is_run(event: Event) -> bool:
    """An exhibition-style run: one listed first day, a rule of opening days, a last day."""
    return bool(event.rrule and event.end and len(event.occurrences) == 1)


def _session(occurrence: Occurrence, zone: ZoneInfo, end: str | None) -> Session:
    start = _local(occurrence.start, zone)
    timed = "T" in occurrence.start
    if end is not None:
        return Session(start, _after(end, zone), timed, True)
    midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(), zone)
    return Session(start, midnight, timed, False)


def sessions(event: Event) -> list[Session]:
    """The listing's spans, in date order: one per listed date, or one for a run."""
    zone = ZoneInfo(event.timezone)
    if is_run(event):
        return [_session(event.occurrences[0], zone, event.end)]
    if len(event.occurrences) == 1 and event.occurrences[0].end is None and event.end:
        # One session whose end the listing gives only as the event's end.
        return [_session(event.occurrences[0], zone, event.end)]
    return [_session(o, zone, o.end) for o in event.occurrences]


def listed_in_window(event: Event, start: dt.date, end: dt.date) -> bool:
    """Whether one of the listing's own sessions overlaps the local days ``[start, end)``."""
    zone = ZoneInfo(event.timezone)
    low = dt.datetime.combine(start, dt.time(), zone)
    high = dt.datetime.combine(end, dt.time(), zone)
    return any(s.start < high and s.end > low for s in sessions(event))


def open_now(event: Event, now: dt.datetime) -> bool | None:
    """For a run with opening hours (its first day's "10:00-18:00" and a rule of days):
    whether ``now`` is inside one of them. ``None`` when the run gives no hours."""
    first = event.occurrences[0]
    if not (is_run(event) and event.rrule and first.end and "T" in first.start):
        return None
    zone = ZoneInfo(event.timezone)
    start, end = _local(first.start, zone), _local(first.end, zone)
    if end <= start or end - start > dt.timedelta(days=1):
        return None
    opened = rrulestr(event.rrule, dtstart=start).before(now.astimezone(zone), inc=True)
    return isinstance(opened, dt.datetime) and now < opened + (end - start)


def on_now(event: Event, now: dt.datetime) -> bool:
    """On at ``now`` by its listed times: a start time and a known end around ``now``, or a
    span of several days that ``now`` falls in (a festival's days). A run with opening
    hours is on now only while open (see :func:`open_now`)."""
    opened = open_now(event, now)
    if opened is not None:
        return opened
    for session in sessions(event):
        if not session.start <= now < session.end:
            continue
        several_days = session.end - session.start > dt.timedelta(days=1)
        if several_days and session.ends_known:
            return True
        if session.timed and session.ends_known:
            return True
    return False


def on_today(event: Event, now: dt.datetime) -> bool:
    """A session on ``now``'s local date that is not over by a known end."""
    zone = ZoneInfo(event.timezone)
    today = now.astimezone(zone).date()
    return any(s.start.date() == today and now < s.end for s in sessions(event))
