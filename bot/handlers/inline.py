"""Inline mode: ``@bot cuba`` in any chat offers briefings, facts and listings."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import InlineQueryHandler

from bot.conversation.deeplinks import open_button
from bot.conversation.inline_results import CACHE_SECONDS, inline_results
from bot.handlers.common import answers, lang, now
from bot.keyboards import keyboard
from bot.services import BotApplication, Context


async def on_inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    replies = answers(context)
    language = lang(update)
    results = inline_results(
        replies.catalog, query.query, now=now(context), lang=language, index=replies.index
    )
    username = context.bot.username
    articles = [
        InlineQueryResultArticle(
            id=result.id,
            title=result.title,
            description=result.description,
            input_message_content=InputTextMessageContent(result.message),
            # In English whoever asks: the result is posted to a chat of any language.
            reply_markup=keyboard(((open_button(username, result.topic_command, "en"),),)),
        )
        for result in results
    ]
    await query.answer(articles, cache_time=CACHE_SECONDS, is_personal=False)


def register(application: BotApplication) -> None:
    application.add_handler(InlineQueryHandler(on_inline_query))
