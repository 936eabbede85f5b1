"""What every handler needs, created once when the application is built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.answers import Answers
from bot.clock import Clock
from bot.config import Settings
from briefings.model import Catalog


@dataclass
class Activity:
    """Updates seen, for health checks and for tests that wait for an answer."""

    handled: int = 0
    last_update_id: int = 0
    last_update_at: dt.datetime | None = None
    failures: int = 0


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    clock: Clock
    answers: Answers
    activity: Activity = field(default_factory=Activity)

    def now(self) -> dt.datetime:
        """The injected clock's moment in the bot's time zone."""
        return self.clock.now().astimezone(self.settings.zone)
