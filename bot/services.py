"""What every handler needs, created once when the application is built."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.conversation.answers import Answers
from bot.operations.config import Settings
from bot.operations.metrics import Metrics
from briefings.model import Catalog

if TYPE_CHECKING:
    from bot.digests.service import Digests


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
    digests: Digests | None = None  # started in post_init, once the bot knows its name
    metrics: Metrics = field(default_factory=Metrics)
    started: float = field(default_factory=time.monotonic)  # for uptime, never for logic

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started

    def now(self) -> dt.datetime:
        """The injected clock's moment in the bot's time zone."""
        return self.clock.now().astimezone(self.settings.zone)
