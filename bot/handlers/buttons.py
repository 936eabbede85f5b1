"""Pressed inline buttons: pages, sources, topics and calendar files."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.handlers.common import answers, lang, now, send_reply
from bot.services import BotApplication, Context


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    reply = answers(context).button(query.data, now=now(context), lang=lang(update))
    await send_reply(update, context, reply)


def register(application: BotApplication) -> None:
    application.add_handler(CallbackQueryHandler(on_button))
