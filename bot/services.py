"""The application's shared pieces: the services every handler needs, and where they live.

Created once when the application is built (:func:`bot.app.build_application`) and kept in
``bot_data[SERVICES_KEY]``; handlers, the runner, the web server and the console read them
from here, so nothing below the application imports the application or its handlers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.conversation.answers import Answers
from bot.digests.service import Digests
from bot.feeds.poller import FeedPoller
from bot.operations.config import Settings
from bot.operations.instances import SharedInstances
from bot.operations.live_catalog import LiveCatalog
from bot.operations.metrics import Metrics
from bot.subscriptions.rights import AdminRights
from briefings.model import Catalog

SERVICES_KEY = "services"
BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE


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
    shared: SharedInstances | None = None  # with PostgreSQL: what instances share
    metrics: Metrics = field(default_factory=Metrics)
    started: float = field(default_factory=time.monotonic)  # for uptime, never for logic
    live: LiveCatalog | None = None  # rebuilds and swaps the catalog as documents come
    feeds: FeedPoller | None = None  # polls the configured feeds (started with the digests)
    admin_rights: AdminRights = field(init=False)  # getChatMember's recent answers
    button_key: bytes = field(init=False)  # signs the subscription ids in buttons

    def __post_init__(self) -> None:
        self.admin_rights = AdminRights(self.clock)
        # Derived from the token, so buttons keep working across restarts and instances of
        # one bot, and nobody without the token can make one; without a token, per process.
        token = self.settings.token
        self.button_key = (
            hashlib.sha256(f"briefbot-buttons:{token}".encode()).digest()
            if token
            else secrets.token_bytes(32)
        )

    def swap_catalog(self, catalog: Catalog) -> None:
        """Serve ``catalog`` from now on, everywhere at once: each reader takes the catalog
        from here for each update or digest, and a new object replaces the old whole (an
        update being answered keeps the one it started with)."""
        self.catalog = catalog
        self.answers = Answers(catalog, self.answers.username)
        if self.digests is not None:
            self.digests.delivery.catalog = catalog
            sender = self.digests.delivery.sender
            if hasattr(sender, "catalog"):  # DigestSender; test senders may have none
                sender.catalog = catalog

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started

    def now(self) -> dt.datetime:
        """The injected clock's moment in the bot's time zone."""
        return self.clock.now().astimezone(self.settings.zone)


def services_of(application: BotApplication) -> Services:
    found = application.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found


def services(context: Context) -> Services:
    """The services, from a handler's context."""
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
