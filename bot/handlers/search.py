"""``/search words`` (Spanish ``/buscar``): cited sentences on a name, place, figure or event."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.handlers.common import answers, lang, now, send_reply
from bot.services import BotApplication, Context

COMMANDS = ["search", "buscar"]


async def on_search(update: Update, context: Context) -> None:
    words = " ".join(context.args or [])
    reply = answers(context).search(words, now=now(context), lang=lang(update))
    await send_reply(update, context, reply)


def register(application: BotApplication) -> None:
    application.add_handler(
        CommandHandler(COMMANDS, on_search, filters=filters.UpdateType.MESSAGE)
    )
