"""/start (with deep links), /help, /topics, /sources, /about."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.handlers.common import answers, lang, now, send_reply
from bot.services import BotApplication, Context

NEW_MESSAGES = filters.UpdateType.MESSAGE


async def on_start(update: Update, context: Context) -> None:
    """``/start`` alone welcomes; ``/start cuba`` (a deep link) opens that briefing."""
    payload = context.args[0] if context.args else ""
    if payload:
        reply = answers(context).deep_link(payload, now=now(context), lang=lang(update))
    else:
        reply = answers(context).welcome(lang(update))
    await send_reply(update, context, reply)


async def on_help(update: Update, context: Context) -> None:
    await send_reply(update, context, answers(context).help(lang(update)))


async def on_topics(update: Update, context: Context) -> None:
    await send_reply(update, context, answers(context).topics(lang(update)))


async def on_sources(update: Update, context: Context) -> None:
    await send_reply(update, context, answers(context).sources(lang(update)))


async def on_about(update: Update, context: Context) -> None:
    await send_reply(update, context, answers(context).about(lang(update)))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", on_start, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler(["help", "ayuda"], on_help, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler(["topics", "temas"], on_topics, filters=NEW_MESSAGES))
    application.add_handler(
        CommandHandler(["sources", "fuentes"], on_sources, filters=NEW_MESSAGES)
    )
    application.add_handler(CommandHandler(["about", "acerca"], on_about, filters=NEW_MESSAGES))
