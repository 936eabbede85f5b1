"""The bot's own membership: blocked, kicked, added back, or moved to a supergroup.

Telegram tells the bot with ``my_chat_member`` updates when a person blocks it or an admin
removes it; its subscriptions there are paused (the chat is marked inactive, nothing is
deleted) and resume when it is back. A digest Telegram refuses with 403 pauses the chat the
same way; a person who then writes to the bot in private has plainly not blocked it, so their
chat resumes without waiting for a my_chat_member update that may never come. A group that
becomes a supergroup sends a service message with the new id; the chat and its
subscriptions move there.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.handlers.bookkeeping import LAST_GROUP
from bot.handlers.common import lang
from bot.operations.tracing import update_failed
from bot.services import BotApplication, Context, services
from bot.store import QUICK_QUERY_TIMEOUT, describe_outage, is_outage

logger = logging.getLogger("briefbot.membership")
# After the answer (which must not wait on the database), before the bookkeeping group.
AFTER_ANSWERS = LAST_GROUP - 1
GONE: dict[str, str] = {
    ChatMemberStatus.BANNED: "blocked or removed",
    ChatMemberStatus.LEFT: "left",
}


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    digests = services(context).digests
    if change is None or digests is None:
        return
    chat = change.chat
    status = change.new_chat_member.status
    if status in GONE:
        if await digests.store.set_active(chat.id, False, GONE[status]):
            logger.info("chat %s: bot %s; subscriptions paused", chat.id, GONE[status])
    else:
        title = chat.title or chat.full_name or chat.username
        now = services(context).clock.now()
        await digests.store.remember_chat(chat.id, chat.type, title, lang(update), now)
        await digests.store.set_active(chat.id, True)
    await digests.scheduler.refresh_chat(chat.id)


async def on_private_message(update: Update, context: Context) -> None:
    """A message in a private chat paused after a refused digest resumes its digests, once
    the bot's answer to it went through: a 403 on that answer says the chat is still shut."""
    chat = update.effective_chat
    digests = services(context).digests
    if chat is None or digests is None or update_failed():
        return
    try:  # quickly: while the database hangs, the chat's next message waits on this
        record = await asyncio.wait_for(digests.store.chat(chat.id), QUICK_QUERY_TIMEOUT)
        if record is None or record.active:
            return
        await digests.store.set_active(chat.id, True)
    except Exception as error:  # the answer is sent already; the next message tries again
        if not isinstance(error, TimeoutError) and not is_outage(error):
            raise
        reason = "no answer in time" if isinstance(error, TimeoutError) else describe_outage(error)
        logger.info("chat %s: not resumed, the database is away (%s)", chat.id, reason)
        return
    logger.info(
        "chat %s: wrote again (%s before); digests resume", chat.id, record.inactive_reason
    )
    await digests.scheduler.refresh_chat(chat.id)


async def on_migration(update: Update, context: Context) -> None:
    message = update.effective_message
    digests = services(context).digests
    if message is None or digests is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await digests.store.migrate_chat(old, new):
        logger.info("group %s became supergroup %s; subscriptions moved", old, new)
        await digests.scheduler.refresh_chat(new)


def register(application: BotApplication) -> None:
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, on_private_message),
        group=AFTER_ANSWERS,
    )
