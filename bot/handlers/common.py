"""The seam between plain replies and Telegram: who is asking, and sending a Reply.

Handlers stay thin: they read the update, ask
:class:`bot.conversation.answers.Answers`, and hand the result to :func:`send_reply`, the
only code that turns a reply into API calls.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, RetryAfter

from bot.conversation.answers import Answers, language_of
from bot.conversation.render import to_plain
from bot.conversation.reply import Reply
from bot.keyboards import keyboard
from bot.services import Context, services

logger = logging.getLogger("briefbot.replies")


def answers(context: Context) -> Answers:
    """The replies, naming the bot by the username Telegram gave it (known after getMe)."""
    found = services(context)
    username = context.bot.username
    if found.answers.username != username:
        found.answers = Answers(found.catalog, username)
    return found.answers


def now(context: Context) -> dt.datetime:
    return services(context).now()


def lang(update: Update) -> str:
    user = update.effective_user
    return language_of(user.language_code if user else None)


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def _edited_in_place(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> bool:
    """Replace the pressed message with ``text``; False when it has to be sent anew.

    Nothing to change counts as done (Telegram would refuse the edit as "not modified").
    A message Telegram no longer shows the bot (date 0), or one without text (a calendar
    file), can't take a text edit: the reply is sent anew.
    """
    current = query.message
    if not isinstance(current, Message) or not current.is_accessible or current.text is None:
        return False
    if current.text == to_plain(text) and current.reply_markup == markup:
        return True
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        return "not modified" in str(error).lower()
    return True


async def send_reply(update: Update, context: Context, reply: Reply) -> None:
    """Send (or, for a pressed button, edit in place) every part of ``reply``.

    In groups the answer quotes the message it answers, so it is clear whom it is for.
    An edit that Telegram refuses because nothing changed is not an error; an edit it
    can't make (the message is too old, say) becomes a new message.
    """
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(reply.notice[:200] if reply.notice else None)
        # Answered too late (the spinner is gone), or a flood wait longer than is worth
        # waiting (bot/operations/rate_limiter.py waits out short ones): the reply isn't.
        except (BadRequest, RetryAfter) as error:
            logger.info("update %s: callback answer refused: %s", update.update_id, error)
    chat = update.effective_chat
    if chat is None:
        return
    markup = keyboard(reply.buttons)
    messages = list(reply.messages)
    if reply.edit and query is not None and messages:
        first_markup = markup if len(messages) == 1 else None
        if await _edited_in_place(query, messages[0], first_markup):
            messages = messages[1:]
    last = len(messages) - 1
    origin: Message | None = update.message
    quote = origin is not None and chat.type != ChatType.PRIVATE
    for number, text in enumerate(messages):
        await context.bot.send_message(
            chat.id,
            text,
            reply_markup=markup if number == last else None,
            reply_to_message_id=origin.message_id if quote and origin and number == 0 else None,
            allow_sending_without_reply=True,
        )
    if reply.attachment is not None:
        await context.bot.send_document(
            chat.id,
            document=reply.attachment.content,
            filename=reply.attachment.filename,
            caption=reply.attachment.caption or None,
        )
    if context.chat_data is not None:
        context.chat_data["understood"] = reply.understood
