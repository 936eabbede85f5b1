"""The last line of defence: log the failure, tell the person briefly, never a traceback.

The log names the update id and the error; the token never appears, because the log
formatter (bot.operations.logs) redacts it from every line, exception text included.

What the person is told depends on what went wrong. When the answer's fate is unknown (a
timeout or a reset after it went out: Telegram may have delivered it), they are told just
that, so they can ask again if it is missing. When Telegram said the chat can't be reached
(the bot was blocked or removed, the chat is gone), nothing is sent: it could not arrive.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.handlers.common import lang
from bot.operations.rate_limiter import answer_lost
from bot.operations.tracing import note_failure
from bot.services import BotApplication, Context, services
from bot.texts import en, es

logger = logging.getLogger("briefbot.errors")
SORRY = {"en": en.SORRY, "es": es.SORRY}
NOT_CONFIRMED = {"en": en.NOT_CONFIRMED, "es": es.NOT_CONFIRMED}


def _unreachable(error: object) -> bool:
    """Telegram said the chat can't get messages: blocked, removed, or not there at all."""
    return isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and "chat not found" in str(error).lower()
    )


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error(
        "update %s failed: %s: %s",
        update_id,
        type(context.error).__name__,
        context.error,
        exc_info=context.error,
    )
    note_failure(context.error)
    with contextlib.suppress(KeyError, AssertionError):
        services(context).activity.failures += 1
    if not isinstance(update, Update) or _unreachable(context.error):
        return
    text = (NOT_CONFIRMED if answer_lost(context.error) else SORRY)[lang(update)]
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200])
        elif update.effective_chat is not None and update.message is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:  # the chat may be gone; the log above is what counts
        logger.warning("update %s: could not tell the user: %s", update_id, error)


def register(application: BotApplication) -> None:
    application.add_error_handler(on_error)
