"""The one "slow down" a chat gets when it sends faster than it is answered.

The update processor (bot/operations/concurrency.py) keeps a short queue per chat and
drops what a chat sends beyond it; this tells the chat so, once, until it has caught up,
in the language of the person whose update was the first one dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.handlers.common import lang
from bot.services import BotApplication
from bot.texts import en, es

SLOW_DOWN = {"en": en.SLOW_DOWN, "es": es.SLOW_DOWN}


def ask_to_slow_down(application: BotApplication) -> Callable[[Update], Awaitable[None]]:
    """What the processor calls with the first update it drops from a chat."""

    async def tell(update: Update) -> None:
        text = SLOW_DOWN[lang(update)]
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200])
        elif update.effective_chat is not None:
            await application.bot.send_message(update.effective_chat.id, text)

    return tell
