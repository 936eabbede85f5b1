"""/subscribe, /subscriptions, /unsubscribe, /timezone, /quiet and /digest, and their buttons.

Thin: each handler reads the update into a :class:`~bot.subscriptions.service.Caller`, asks
the :class:`~bot.subscriptions.service.SubscriptionService` and sends its Reply. What only
Telegram knows is asked here, when the service needs it: whether the sender is an admin of
the group (getChatMember; a message sent as the group itself by an anonymous admin counts),
and whether a channel exists, the bot may post there and the sender runs it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.conversation.reply import Reply
from bot.handlers.common import lang, send_reply
from bot.services import BotApplication, Context, services
from bot.store import describe_outage, is_outage
from bot.subscriptions.replies import text
from bot.subscriptions.rights import RightsUnknown
from bot.subscriptions.service import Caller, FoundChannel, SubscriptionService

logger = logging.getLogger("briefbot.subscriptions")
NEW_MESSAGES = filters.UpdateType.MESSAGE
ADMINS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def _service(context: Context) -> SubscriptionService | None:
    found = services(context)
    if found.digests is None:
        return None
    return SubscriptionService(
        found.digests.store,
        found.digests.scheduler,
        found.catalog,
        found.clock,
        found.settings.timezone,
        found.button_key,
    )


async def _service_or_say_so(update: Update, context: Context) -> SubscriptionService | None:
    """The service, or None after telling the person subscriptions are off now."""
    service = _service(context)
    if service is None or update.effective_chat is None:
        message = text(lang(update), "unavailable")
        await send_reply(update, context, Reply([message], understood=False))
        return None
    return service


def _caller(update: Update, context: Context) -> Caller:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None

    async def is_admin() -> bool:
        return await _is_admin(update, context)

    async def is_admin_of(chat_id: int) -> bool:
        return user is not None and await _admin_now(context, chat_id, user.id)

    async def look_up_channel(channel: str) -> FoundChannel | str:
        return await _look_up_channel(context, channel, user.id if user else 0)

    return Caller(
        chat_id=chat.id,
        chat_type=chat.type,
        chat_title=chat.title or chat.full_name or chat.username,
        user_id=user.id if user else None,
        lang=lang(update),
        is_admin=is_admin,
        is_admin_of=is_admin_of,
        look_up_channel=look_up_channel,
    )


async def _is_admin(update: Update, context: Context) -> bool:
    """In a private chat everyone is; in a group, ask Telegram about the sender."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin speaks as the group
    if user is None:
        return False
    return await _admin_now(context, chat.id, user.id)


async def _admin_now(context: Context, chat_id: int, user_id: int) -> bool:
    """Is this person an administrator of that chat now? (A recent yes is kept briefly.)"""

    async def ask() -> bool:
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
        except (BadRequest, Forbidden) as error:
            logger.info("getChatMember failed in %s: %s", chat_id, error)
            return False
        except RetryAfter as error:
            raise RightsUnknown(_seconds(error.retry_after)) from error
        except NetworkError as error:  # timed out, or no answer: not a "no"
            raise RightsUnknown() from error
        return member.status in ADMINS

    return await services(context).admin_rights.is_admin(chat_id, user_id, ask)


def _seconds(retry_after: int | dt.timedelta) -> int:
    if isinstance(retry_after, dt.timedelta):
        return max(math.ceil(retry_after.total_seconds()), 1)
    return max(int(retry_after), 1)


async def _look_up_channel(context: Context, channel: str, user_id: int) -> FoundChannel | str:
    """The channel, when the bot may post there and the person runs it; else why not."""
    try:
        found = await context.bot.get_chat(channel)
    except (BadRequest, Forbidden):
        return "channel_missing"
    except RetryAfter as error:
        raise RightsUnknown(_seconds(error.retry_after)) from error
    if found.type != ChatType.CHANNEL:
        return "channel_not_channel"
    try:
        me = await context.bot.get_chat_member(found.id, context.bot.id)
        them = await context.bot.get_chat_member(found.id, user_id)
    except (BadRequest, Forbidden):
        return "channel_bot"
    except RetryAfter as error:
        raise RightsUnknown(_seconds(error.retry_after)) from error
    if me.status != ChatMemberStatus.ADMINISTRATOR or not getattr(me, "can_post_messages", True):
        return "channel_bot"
    if them.status not in ADMINS:
        return "channel_user"
    return FoundChannel(found.id, found.title)


def _words(context: Context) -> list[str]:
    return list(context.args or [])


async def on_subscribe(update: Update, context: Context) -> None:
    service = await _service_or_say_so(update, context)
    if service is not None:
        reply = await service.subscribe(_caller(update, context), " ".join(_words(context)))
        await send_reply(update, context, reply)


async def on_subscribe_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    service = _service(context)
    # No chat: pressed under a message the bot can't see (one sent through inline mode).
    if service is None or update.effective_chat is None:
        await send_reply(update, context, SubscriptionService.gone(lang(update)))
        return
    reply = await service.subscribe_button(_caller(update, context), query.data)
    await send_reply(update, context, reply)


async def on_subscriptions(update: Update, context: Context) -> None:
    service = await _service_or_say_so(update, context)
    if service is not None:
        await send_reply(update, context, await service.listing(_caller(update, context)))


async def on_manage_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    service = _service(context)
    if service is None or update.effective_chat is None:
        await send_reply(update, context, SubscriptionService.gone(lang(update)))
        return
    reply = await service.manage_button(_caller(update, context), query.data)
    await send_reply(update, context, reply)


async def on_unsubscribe(update: Update, context: Context) -> None:
    service = await _service_or_say_so(update, context)
    if service is not None:
        reply = await service.unsubscribe(_caller(update, context), _words(context))
        await send_reply(update, context, reply)


async def on_timezone(update: Update, context: Context) -> None:
    service = await _service_or_say_so(update, context)
    if service is not None:
        wanted = " ".join(_words(context)).strip()
        await send_reply(update, context, await service.timezone(_caller(update, context), wanted))


async def on_quiet(update: Update, context: Context) -> None:
    service = await _service_or_say_so(update, context)
    if service is not None:
        wanted = " ".join(_words(context)).strip()
        await send_reply(update, context, await service.quiet(_caller(update, context), wanted))


async def on_digest(update: Update, context: Context) -> None:
    """The digests as they would go out now, sent as replies (nothing recorded)."""
    service = await _service_or_say_so(update, context)
    if service is not None:
        for reply in await service.preview(_caller(update, context), _words(context)):
            await send_reply(update, context, reply)


def _answering_when_away(handler: Handler) -> Handler:
    """When the database is away (stopped, restarting, locked), or Telegram can't say now
    who runs a chat (a flood wait on getChatMember), say so and ask the person to try again
    shortly: not "something went wrong", and no traceback in the log, only a line."""

    @functools.wraps(handler)
    async def handle(update: Update, context: Context) -> None:
        try:
            await handler(update, context)
        except RightsUnknown as error:
            logger.info("update %s: %s; asked to try again", update.update_id, error)
            seconds = error.retry_after
            line = (
                text(lang(update), "rights_busy", seconds=seconds)
                if seconds
                else text(lang(update), "rights_unknown")
            )
            await send_reply(update, context, Reply([line], understood=False))
        except Exception as error:
            if isinstance(error, TelegramError) or not is_outage(error):
                raise
            logger.warning(
                "update %s: the database is away (%s); asked to try again",
                update.update_id,
                describe_outage(error),
            )
            await send_reply(update, context, Reply([text(lang(update), "database_away")]))

    return handle


def register(application: BotApplication) -> None:
    for names, callback in (
        (["subscribe", "suscribir", "suscribirse"], on_subscribe),
        (["subscriptions", "suscripciones"], on_subscriptions),
        (["unsubscribe", "desuscribir", "cancelar"], on_unsubscribe),
        (["timezone", "zona", "zonahoraria"], on_timezone),
        (["quiet", "silencio"], on_quiet),
        (["digest", "resumen"], on_digest),
    ):
        application.add_handler(
            CommandHandler(names, _answering_when_away(callback), filters=NEW_MESSAGES)
        )
    for callback, pattern in ((on_subscribe_button, r"^w\|"), (on_manage_button, r"^m\|")):
        application.add_handler(
            CallbackQueryHandler(_answering_when_away(callback), pattern=pattern)
        )
