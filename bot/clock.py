"""Time as a dependency: logic asks a clock, never ``datetime.now()``.

Tests and demos pass a :class:`FixedClock` to run the bot "as of" any moment, a
:class:`ManualClock` to fast-forward it step by step, or a :class:`RunningClock` that starts
at a chosen moment and runs (faster, with ``speed``) from there; the application passes
:class:`SystemClock`. The scheduler turns "due at this moment" into a real delay with
:func:`real_seconds_until`, so a digest due in an hour of demo time at speed 60 fires after
a real minute.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, time-zone aware."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FixedClock:
    moment: dt.datetime

    def now(self) -> dt.datetime:
        return self.moment


class ManualClock:
    """A clock that moves only when told to: tests fast-forward it across days."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.moment += delta
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment


class RunningClock:
    """Starts at ``start`` and runs ``speed`` times faster than real time (a demo clock)."""

    def __init__(
        self,
        start: dt.datetime,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.start, self.speed, self._monotonic = start, speed, monotonic
        self._began = monotonic()

    def now(self) -> dt.datetime:
        elapsed = (self._monotonic() - self._began) * self.speed
        return self.start + dt.timedelta(seconds=elapsed)


def real_seconds_until(clock: Clock, moment: dt.datetime) -> float:
    """How long to wait in real time until ``clock`` shows ``moment`` (0 if it has passed)."""
    speed = clock.speed if isinstance(clock, RunningClock) else 1.0
    return max((moment - clock.now()).total_seconds() / speed, 0.0)


def parse_moment(text: str, zone: dt.tzinfo) -> dt.datetime:
    """'2026-02-01' or '2026-02-01T09:00' (local to ``zone`` unless it carries an offset)."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=zone)
