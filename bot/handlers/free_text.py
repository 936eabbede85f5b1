"""Typed words and unknown commands: matched with typos, or answered with choices.

In a group the bot answers only what is addressed to it: a command with its @name, a
message that mentions it, or a reply to one of its messages. Anything else in a group
belongs to the people in it.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.handlers.common import answers, is_private, lang, now, send_reply
from bot.services import BotApplication, Context


def _addressed_text(update: Update, context: Context) -> str | None:
    """The text meant for the bot, without its @mention; None when it isn't for us."""
    message = update.message
    if message is None or message.text is None:
        return None
    text = message.text
    username = context.bot.username
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    if is_private(update):
        return mention.sub(" ", text).strip()
    if text.startswith("/"):
        command = text.split()[0]
        if "@" not in command or not mention.search(command):
            return None  # a command for another bot, or for nobody in particular
        return mention.sub("", text, count=1).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user and replied.from_user.id == context.bot.id:
        return text.strip()
    if mention.search(text):
        return mention.sub(" ", text).strip()
    return None


async def on_text(update: Update, context: Context) -> None:
    text = _addressed_text(update, context)
    if text is None:
        return
    reply = answers(context).free_text(text, now=now(context), lang=lang(update))
    await send_reply(update, context, reply)


def register(application: BotApplication) -> None:
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_text))
