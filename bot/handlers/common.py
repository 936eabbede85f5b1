"""The seam between plain replies and Telegram: who is asking, and sending a Reply.

Handlers stay thin: they read the update, ask
:class:`bot.conversation.answers.Answers`, and hand the result to :func:`send_reply`, the
only code that turns a reply into API calls.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.conversation.answers import Answers, language_of
from bot.conversation.render import to_plain
from bot.conversation.reply import Button, Reply
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


class _Keyboard(InlineKeyboardMarkup):
    """An inline keyboard that turns itself into JSON once, not on every message it goes on.

    PTB serialises reply markup on each send; our keyboards are cached and immutable, so
    their dict form is kept in a private slot (private attributes are not serialised).
    """

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        cached: dict[str, Any] | None = getattr(self, "_as_dict", None)
        if cached is None:
            cached = super().to_dict()
            object.__setattr__(self, "_as_dict", cached)  # the object itself stays frozen
        return cached


@functools.lru_cache(maxsize=1024)
def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Buttons as Telegram markup; cached, since replies (and so their buttons) repeat."""
    if not rows:
        return None
    return _Keyboard(
        [
            [
                InlineKeyboardButton(
                    b.text,
                    callback_data=b.data,
                    url=b.url,
                    switch_inline_query=b.switch_inline,
                )
                for b in row
            ]
            for row in rows
        ]
    )


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
        except BadRequest as error:  # answered too late: the spinner is gone, the reply isn't
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
