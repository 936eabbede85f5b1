"""Time as a dependency: logic asks a clock, never ``datetime.now()``.

Tests and demos pass a :class:`FixedClock` to run the bot "as of" any moment; the
application passes :class:`SystemClock`.
"""

from __future__ import annotations

import datetime as dt
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


def parse_moment(text: str, zone: dt.tzinfo) -> dt.datetime:
    """'2026-02-01' or '2026-02-01T09:00' (local to ``zone`` unless it carries an offset)."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=zone)
