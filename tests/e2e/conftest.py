"""The real Application against the local Bot API server, over real HTTP on 127.0.0.1.

``start_bot`` builds the application exactly as ``briefbot run`` does (token and base URL
from the environment-style settings), starts long polling against the server, and gives
a :class:`Harness` that speaks as a user and waits until the bot has handled it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import build_application
from bot.clock import FixedClock
from bot.config import load_settings
from bot.handlers.common import SERVICES_KEY, BotApplication
from bot.localapi import LocalBotApi, LocalBotApiServer
from bot.localapi.api import BotMessage
from bot.services import Services
from briefings.model import Catalog
from tests.conftest import TODAY


@dataclass
class Harness:
    api: LocalBotApi
    server: LocalBotApiServer
    application: BotApplication

    @property
    def services(self) -> Services:
        found = self.application.bot_data[SERVICES_KEY]
        assert isinstance(found, Services)
        return found

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


def _chat_id(chat: Any) -> int:
    return int(chat["id"]) if isinstance(chat, dict) else int(chat.id)


@pytest.fixture
def telegram() -> Iterator[LocalBotApiServer]:
    api = LocalBotApi()
    with LocalBotApiServer(api) as server:
        yield server


StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_bot(telegram: LocalBotApiServer, catalog: Catalog) -> AsyncIterator[StartBot]:
    started: list[BotApplication] = []

    async def start(now: dt.datetime = TODAY) -> Harness:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": telegram.api.token,
                "TELEGRAM_API_BASE_URL": telegram.base_url,
            }
        )
        application = build_application(settings, clock=FixedClock(now), catalog=catalog)
        await application.initialize()
        if application.post_init is not None:  # as run_polling does
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        started.append(application)
        return Harness(telegram.api, telegram, application)

    yield start
    for application in started:
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
