"""One command per topic (English and Spanish), and /events with its filters."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.conversation.answers import EVENTS_TOPIC
from bot.handlers.common import answers, lang, now, send_reply
from bot.services import BotApplication, Context
from briefings.model import Catalog, Topic

NEW_MESSAGES = filters.UpdateType.MESSAGE


def _topic_command(topic: Topic):  # type: ignore[no-untyped-def]
    async def on_topic(update: Update, context: Context) -> None:
        words = " ".join(context.args or [])
        reply = answers(context).topic_reply(topic, words, now=now(context), lang=lang(update))
        await send_reply(update, context, reply)

    return on_topic


async def on_events(update: Update, context: Context) -> None:
    words = " ".join(context.args or [])
    reply = answers(context).events(words, now=now(context), lang=lang(update))
    await send_reply(update, context, reply)


def register(application: BotApplication, catalog: Catalog) -> None:
    for topic in catalog.topics:
        names = sorted({topic.command, topic.command_es, topic.id})
        callback = on_events if topic.id == EVENTS_TOPIC else _topic_command(topic)
        application.add_handler(CommandHandler(names, callback, filters=NEW_MESSAGES))
