"""The real Application against the local Bot API server, over real HTTP on 127.0.0.1.

``start_bot`` builds the application exactly as ``briefbot run`` does (token and base URL
from the environment-style settings), starts long polling against the server, and gives
a :class:`Harness` that speaks as a user and waits until the bot has handled it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application, start_application, stop_application
from bot.clock import Clock, FixedClock, ManualClock
from bot.console.botapi import BotMessage
from bot.digests.service import Digests
from bot.operations.config import load_settings
from bot.operations.runner import serve
from bot.services import SERVICES_KEY, BotApplication, Services
from bot.store.schema import chats, subscriptions
from briefings.model import Catalog
from localapi import LocalBotApi, LocalBotApiServer
from tests.conftest import MEXICO_CITY, TODAY
from tests.postgres import free_port

MORNING = dt.datetime(2026, 11, 26, 8, 0, tzinfo=MEXICO_CITY)  # the readers' first digest


async def subscribe_readers(bot: Harness, readers: range, now: dt.datetime) -> None:
    """Private chats subscribed at 08:00 daily, written in bulk: the fan-out, not the
    dialogue (other tests cover it), is what these tests are about."""
    for chat_id in readers:
        bot.api.private_chat(chat_id)
    await insert_readers(bot.digests.store.engine, readers, now)


async def insert_readers(engine: AsyncEngine, readers: range, now: dt.datetime) -> None:
    """The rows of :func:`subscribe_readers`, into any store's database (one not open in a
    bot too: an earlier run's subscribers)."""
    async with engine.begin() as connection:
        await connection.execute(
            chats.insert(),
            [{"id": c, "type": "private", "language": "en", "created_at": now} for c in readers],
        )
        await connection.execute(
            subscriptions.insert(),
            [
                {
                    "chat_id": chat_id,
                    "what": "security",
                    "cadence": "daily",
                    "at": "08:00",
                    "created_by": chat_id,
                    "created_at": now,
                }
                for chat_id in readers
            ],
        )


@dataclass
class Harness:
    api: LocalBotApi
    server: LocalBotApiServer
    application: BotApplication
    serving: asyncio.Task[None] | None = None  # serve(), in webhook mode
    stopping: asyncio.Event | None = None
    port: int | None = None  # of the bot's own HTTP server, when it runs one

    @property
    def web_url(self) -> str:
        assert self.port is not None, "start the bot with webhook=True or web=True"
        return f"http://127.0.0.1:{self.port}"

    @property
    def services(self) -> Services:
        found = self.application.bot_data[SERVICES_KEY]
        assert isinstance(found, Services)
        return found

    @property
    def digests(self) -> Digests:
        found = self.services.digests
        assert found is not None
        return found

    async def settle(self, timeout: float = 30.0) -> None:
        """Wait until no digest job is due now and every queued digest has been handled."""
        deadline = time.monotonic() + timeout
        while True:
            soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
            due = [
                job
                for job in self.application.job_queue.jobs()  # type: ignore[union-attr]
                if job.name and job.name.startswith("digest:") and job.next_t and job.next_t < soon
            ]
            # A run_once job that fired is gone from jobs() before its callback has queued
            # the digest and planned the next one; until then its plan is still overdue.
            now = self.services.clock.now()
            overdue = [
                key for key, (when, _) in self.digests.scheduler.planned.items() if when <= now
            ]
            if not due and not overdue and self.digests.delivery.pending == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"digests still due after {timeout}s: {due} {overdue}")
            await asyncio.sleep(0.02)

    async def advance_to(self, moment: dt.datetime) -> None:
        """Move the injected clock (a ManualClock) and let every digest due by then go out."""
        clock = self.services.clock
        assert isinstance(clock, ManualClock), "start the bot with a ManualClock"
        clock.set(moment)
        await self.digests.scheduler.rebuild()
        await self.settle()

    async def stop(self) -> None:
        """Stop as ``briefbot run`` does on SIGTERM (idempotent)."""
        if self.serving is not None and self.stopping is not None:
            self.stopping.set()
            await self.serving
        elif self.application.running:
            await stop_application(self.application)

    def person(
        self, user_id: int, first_name: str = "Ana", *, language_code: str = "en"
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A Telegram user and their private chat with the bot."""
        user = self.api.user(user_id, first_name=first_name, language_code=language_code)
        chat = self.api.private_chat(user_id, first_name=first_name, language_code=language_code)
        return user, chat

    async def handled(self, update_id: int) -> None:
        """Wait until the bot's handlers (all groups) have run for this update."""
        await self.api.wait_for(lambda: self.services.activity.last_update_id >= update_id)

    async def say(self, chat: Any, user: dict[str, Any], text: str) -> list[BotMessage]:
        """Send ``text`` as ``user`` in ``chat``; return what the bot sent there in reply."""
        chat_id = _chat_id(chat)
        before = len(self.api.sent_to(chat_id))
        await self.handled(self.api.send_text(chat, user, text))
        return self.api.sent_to(chat_id)[before:]

    async def press(self, message: BotMessage, text: str, user: dict[str, Any]) -> BotMessage:
        """Press the button labelled ``text`` (a prefix is enough) under ``message``."""
        data = next(d for row in message.buttons for label, d in row if label.startswith(text))
        await self.handled(self.api.press_button(message.chat_id, message.message_id, data, user))
        return self.api.messages[message.chat_id][message.message_id]


async def _until_served(harness: Harness) -> None:
    """Until the bot answers /healthz and has started receiving updates."""
    application = harness.application
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while True:
            assert harness.serving is not None
            if harness.serving.done():
                harness.serving.result()  # raises what stopped it
            with contextlib.suppress(httpx.HTTPError):
                await client.get(f"{harness.web_url}/healthz")
                receiving = (
                    harness.api.webhook["url"]
                    if application.bot_data[SERVICES_KEY].settings.webhook_url
                    else application.updater is not None and application.updater.running
                )
                if receiving and application.running:
                    return
            assert time.monotonic() < deadline, "the bot did not start serving"
            await asyncio.sleep(0.02)


def wait_until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll (blocking) until ``condition()`` is true: for tests that drive a subprocess."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _chat_id(chat: Any) -> int:
    return int(chat["id"]) if isinstance(chat, dict) else int(chat.id)


@pytest.fixture
def telegram() -> Iterator[LocalBotApiServer]:
    api = LocalBotApi()
    with LocalBotApiServer(api) as server:
        yield server


StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_bot(
    telegram: LocalBotApiServer, catalog: Catalog, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start the bot; every bot a test starts shares one database (a restart keeps it).

    Flood limits are scaled up 100 times unless ``flood_scale`` says otherwise, so tests
    that send many messages to one chat are not slowed to Telegram's one a second.
    """
    started: list[Harness] = []

    async def start(
        now: dt.datetime = TODAY,
        *,
        clock: Clock | None = None,
        instance: str = "test-instance",
        poll: bool = True,
        flood_scale: float = 100,
        env: dict[str, str] | None = None,
        webhook: bool = False,
        web: bool = False,
        port: int | None = None,
    ) -> Harness:
        """``webhook``: run as ``briefbot run`` with WEBHOOK_URL on 127.0.0.1 (the local
        API posts every update there); ``web``: long polling plus the health server;
        ``port``: the bot's own HTTP server's (a free one by default)."""
        port = port or free_port()
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": telegram.api.token,
                "TELEGRAM_API_BASE_URL": telegram.base_url,
                "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
                "BRIEFBOT_INSTANCE": instance,
                "BRIEFBOT_FLOOD_SCALE": str(flood_scale),
                "BRIEFBOT_PORT": str(port),
                **({"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram"} if webhook else {}),
                **(env or {}),
            }
        )
        application = build_application(settings, clock=clock or FixedClock(now), catalog=catalog)
        harness = Harness(telegram.api, telegram, application)
        started.append(harness)
        if webhook or web:
            harness.stopping = asyncio.Event()
            harness.serving = asyncio.create_task(
                serve(application, stop=harness.stopping, handle_signals=False)
            )
            harness.port = port
            await _until_served(harness)
            return harness
        await start_application(application)
        assert application.updater is not None
        if poll:
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
        return harness

    yield start
    for harness in started:
        await harness.stop()
