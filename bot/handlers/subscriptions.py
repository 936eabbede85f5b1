"""/subscribe, /subscriptions, /unsubscribe, /timezone, /quiet and /digest, and their buttons.

In groups only administrators change anything (getChatMember says who is one; a message
sent as the group itself by an anonymous admin counts). A channel is subscribed from a
private chat by one of its administrators, and only when the bot can post there. Every
change goes to the store first; the chat's jobs are then re-planned from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.conversation import callbacks
from bot.conversation.render import escape, split_message
from bot.conversation.reply import InputProblem, Reply, quoted
from bot.digests.compose import Previous, Subject, compose_digest
from bot.digests.schedule import Cadence, ScheduleInputError, parse_quiet_hours
from bot.handlers.common import lang, send_reply
from bot.services import BotApplication, Context, services
from bot.store import ChatRecord, Subscription, describe_outage, is_outage
from bot.subscriptions import replies as replies
from bot.subscriptions.replies import Partial, text
from bot.subscriptions.requests import (
    SubscribeError,
    SubscriptionRequest,
    parse_request,
    read_subject,
)
from bot.subscriptions.timezones import resolve_timezone, suggest_timezones

if TYPE_CHECKING:
    from bot.digests.service import Digests

logger = logging.getLogger("briefbot.subscriptions")
NEW_MESSAGES = filters.UpdateType.MESSAGE
ADMINS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def _say(message: str, *, understood: bool = True, edit: bool = False) -> Reply:
    return Reply([message], understood=understood, edit=edit)


def _problem(error: InputProblem, code: str) -> Reply:
    """The line about input the bot can't use. It quotes the person, so it is escaped
    (``/quiet <b>`` is not a tag), and split should a quote make it longer than a message."""
    return Reply(split_message([escape(error.text(code))]), understood=False)


def _digests(context: Context) -> Digests | None:
    return services(context).digests


async def _digests_or_say_so(update: Update, context: Context) -> Digests | None:
    """The digest service, or None after telling the person subscriptions are off now."""
    digests = _digests(context)
    if digests is None or update.effective_chat is None:
        message = text(lang(update), "unavailable")
        await send_reply(update, context, _say(message, understood=False))
        return None
    return digests


def _zone(chat: ChatRecord | None, context: Context) -> str:
    return (chat.timezone if chat else None) or services(context).settings.timezone


async def _is_admin(update: Update, context: Context) -> bool:
    """In a private chat everyone is; in a group, ask Telegram about the sender."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin speaks as the group
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except (BadRequest, Forbidden) as error:
        logger.info("getChatMember failed in %s: %s", chat.id, error)
        return False
    return member.status in ADMINS


async def _remember(update: Update, digests: Digests, context: Context) -> ChatRecord:
    chat = update.effective_chat
    assert chat is not None
    title = chat.title or chat.full_name or chat.username
    return await digests.store.remember_chat(
        chat.id, chat.type, title, lang(update), services(context).clock.now()
    )


async def _refused(update: Update, context: Context) -> bool:
    """Send the polite refusal for non-admins in groups; True when refused."""
    if await _is_admin(update, context):
        return False
    await send_reply(update, context, _say(text(lang(update), "admins_only"), understood=False))
    return True


# --- /subscribe -------------------------------------------------------------------------------


async def _channel_target(
    update: Update, context: Context, channel: str, digests: Digests
) -> ChatRecord | str:
    """The channel as a stored chat, or the line explaining why it can't be subscribed."""
    code = lang(update)
    user = update.effective_user
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        return text(code, "channel_private")
    shown = escape(quoted(channel))  # as typed, after /unsubscribe
    try:
        found = await context.bot.get_chat(channel)
    except (BadRequest, Forbidden):
        return text(code, "channel_missing", channel=shown)
    if found.type != ChatType.CHANNEL:
        return text(code, "channel_not_channel", channel=shown)
    try:
        me = await context.bot.get_chat_member(found.id, context.bot.id)
        them = await context.bot.get_chat_member(found.id, user.id if user else 0)
    except (BadRequest, Forbidden):
        return text(code, "channel_bot", channel=shown)
    if me.status != ChatMemberStatus.ADMINISTRATOR or not getattr(me, "can_post_messages", True):
        return text(code, "channel_bot", channel=shown)
    if them.status not in ADMINS:
        return text(code, "channel_user", channel=shown)
    title = found.title or channel
    return await digests.store.remember_chat(
        found.id, ChatType.CHANNEL, title, code, services(context).clock.now()
    )


async def _save(
    update: Update,
    context: Context,
    digests: Digests,
    target: ChatRecord,
    subject: Subject,
    cadence: Cadence,
    at: dt.time,
    *,
    edit: bool = False,
) -> Reply:
    user = update.effective_user
    subscription, created = await digests.store.subscribe(
        target.id,
        subject.what,
        cadence.kind,
        cadence.day,
        at.strftime("%H:%M"),
        user.id if user else None,
        services(context).clock.now(),
    )
    await digests.scheduler.refresh_chat(target.id)
    planned = digests.scheduler.planned_for(subscription.id)
    where = f" {target.title}" if target.type == ChatType.CHANNEL and target.title else ""
    return replies.confirmation(
        services(context).catalog,
        subscription,
        target,
        zone=_zone(target, context),
        next_at=planned[0] if planned else None,
        created=created,
        lang=lang(update),
        where=where,
        edit=edit,
    )


async def on_subscribe(update: Update, context: Context) -> None:
    code = lang(update)
    digests = await _digests_or_say_so(update, context)
    if digests is None:
        return
    catalog = services(context).catalog
    try:
        request = parse_request(catalog, " ".join(context.args or []), services(context).now())
    except SubscribeError as error:
        await send_reply(update, context, _problem(error, code))
        return
    if request.channel is not None:
        await _subscribe_channel(update, context, digests, request)
        return
    if await _refused(update, context):
        return
    chat = await _remember(update, digests, context)
    if request.subject is None or request.cadence is None or request.at is None:
        partial = Partial(
            request.subject.what if request.subject else None,
            request.cadence.kind if request.cadence else None,
            request.cadence.day if request.cadence else None,
        )
        step = replies.guided_step(
            catalog, partial, zone=_zone(chat, context), lang=code, edit=False
        )
        await send_reply(update, context, step)
        return
    reply = await _save(
        update, context, digests, chat, request.subject, request.cadence, request.at
    )
    await send_reply(update, context, reply)


async def _subscribe_channel(
    update: Update, context: Context, digests: Digests, request: SubscriptionRequest
) -> None:
    code = lang(update)
    assert request.channel is not None
    target = await _channel_target(update, context, request.channel, digests)
    if isinstance(target, str):
        await send_reply(update, context, _say(target, understood=False))
        return
    if request.subject is None or request.cadence is None or request.at is None:
        message = text(code, "channel_complete", channel=request.channel)
        await send_reply(update, context, _say(message, understood=False))
        return
    reply = await _save(
        update, context, digests, target, request.subject, request.cadence, request.at
    )
    await send_reply(update, context, reply)


async def on_subscribe_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    code = lang(update)
    action = callbacks.decode(query.data)
    partial = Partial.decode(action.argument) if action else None
    digests = _digests(context)
    # No chat: pressed under a message the bot can't see (one sent through inline mode).
    if partial is None or digests is None or update.effective_chat is None:
        await send_reply(update, context, _say(text(code, "gone"), understood=False))
        return
    if await _refused(update, context):
        return
    chat = await _remember(update, digests, context)
    catalog = services(context).catalog
    if partial.what is not None:
        try:
            subject = Subject.from_what(partial.what)
            if not subject.is_events and catalog.topic(subject.topic) is None:
                raise ValueError(subject.topic)
        except ValueError:
            await send_reply(update, context, _say(text(code, "gone"), understood=False))
            return
    if partial.what and partial.cadence and partial.day is not None and partial.at:
        cadence = Cadence(partial.cadence, partial.day)
        at = dt.time.fromisoformat(partial.at)
        subject = Subject.from_what(partial.what)
        reply = await _save(update, context, digests, chat, subject, cadence, at, edit=True)
    else:
        reply = replies.guided_step(
            catalog, partial, zone=_zone(chat, context), lang=code, edit=True
        )
    await send_reply(update, context, reply)


# --- /subscriptions, /unsubscribe and their buttons -------------------------------------------


async def _listing(
    update: Update,
    context: Context,
    digests: Digests,
    *,
    edit: bool = False,
    notice: str | None = None,
) -> Reply:
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None
    own = await digests.store.chat(chat.id)
    groups: list[tuple[ChatRecord, list[Subscription], str]] = []
    if own is not None:
        groups.append((own, await digests.store.subscriptions_of([own.id]), _zone(own, context)))
    if chat.type == ChatType.PRIVATE and user is not None:
        for channel in await digests.store.chats_subscribed_by(user.id):
            subscriptions = await digests.store.subscriptions_of([channel.id])
            groups.append((channel, subscriptions, _zone(channel, context)))
    return replies.subscription_list(
        services(context).catalog, groups, lang=lang(update), edit=edit, notice=notice
    )


async def on_subscriptions(update: Update, context: Context) -> None:
    digests = await _digests_or_say_so(update, context)
    if digests is not None:
        await send_reply(update, context, await _listing(update, context, digests))


async def _allowed(update: Update, context: Context, subscription: Subscription) -> bool:
    """This chat's own subscription, or a channel's that this person made."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if subscription.chat_id == chat.id:
        return True
    return (
        chat.type == ChatType.PRIVATE and user is not None and subscription.created_by == user.id
    )


async def on_manage_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    code = lang(update)
    digests = _digests(context)
    action = callbacks.decode(query.data)
    operation, _, number = (action.argument if action else "").partition(".")
    subscription = (
        await digests.store.subscription(int(number))
        if digests and number.isdigit() and operation in ("p", "r", "x")
        else None
    )
    if (
        digests is None
        or subscription is None
        or not await _allowed(update, context, subscription)
    ):
        await send_reply(update, context, _say(text(code, "gone"), understood=False))
        return
    if await _refused(update, context):
        return
    if operation == "x":
        await digests.store.remove([subscription.id])
    else:
        await digests.store.set_paused(subscription.id, operation == "p")
    await digests.scheduler.refresh_chat(subscription.chat_id)
    await send_reply(update, context, await _listing(update, context, digests, edit=True))


async def on_unsubscribe(update: Update, context: Context) -> None:
    code = lang(update)
    digests = await _digests_or_say_so(update, context)
    chat = update.effective_chat
    if digests is None or chat is None:
        return
    words = list(context.args or [])
    if not words:
        await send_reply(update, context, await _listing(update, context, digests))
        return
    if await _refused(update, context):
        return
    target_id = chat.id
    if words[0].startswith("@"):
        target = await _channel_target(update, context, words[0], digests)
        if isinstance(target, str):
            await send_reply(update, context, _say(target, understood=False))
            return
        target_id, words = target.id, words[1:]
    existing = await digests.store.subscriptions_of([target_id])
    if [w.lower() for w in words] in (["all"], ["todas"], ["todo"]):
        removed = await digests.store.remove([s.id for s in existing])
        await digests.scheduler.refresh_chat(target_id)
        await send_reply(update, context, _say(text(code, "removed_all", n=removed)))
        return
    catalog = services(context).catalog
    try:
        subject = read_subject(catalog, words, services(context).now())
    except SubscribeError as error:
        await send_reply(update, context, _problem(error, code))
        return
    title = subject.title(catalog, code)
    matching = [s for s in existing if s.what == subject.what]
    if not matching:
        reply = _say(text(code, "not_subscribed", title=title), understood=False)
        await send_reply(update, context, reply)
        return
    await digests.store.remove([s.id for s in matching])
    await digests.scheduler.refresh_chat(target_id)
    await send_reply(update, context, _say(text(code, "removed", title=title)))


# --- /timezone and /quiet ---------------------------------------------------------------------


async def on_timezone(update: Update, context: Context) -> None:
    code = lang(update)
    digests = await _digests_or_say_so(update, context)
    if digests is None:
        return
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        chat = (
            await digests.store.chat(update.effective_chat.id) if update.effective_chat else None
        )
        await send_reply(update, context, _say(text(code, "zone_now", zone=_zone(chat, context))))
        return
    if await _refused(update, context):
        return
    match = resolve_timezone(wanted)
    if match is None:
        message = text(code, "zone_unknown", text=escape(quoted(wanted)))
        suggestions = suggest_timezones(wanted)
        if suggestions:
            names = ", ".join(s.zone for s in suggestions)
            message += text(code, "zone_suggest", names=names)
        await send_reply(update, context, _say(message, understood=False))
        return
    chat = await _remember(update, digests, context)
    await digests.store.set_timezone(chat.id, match.zone)
    await digests.scheduler.refresh_chat(chat.id)
    shown = escape(quoted(wanted))
    guess = "" if match.exact else text(code, "zone_guess", text=shown, label=match.label)
    reply = _say(text(code, "zone_set", label=match.label, guess=guess))
    await send_reply(update, context, reply)


async def on_quiet(update: Update, context: Context) -> None:
    code = lang(update)
    digests = await _digests_or_say_so(update, context)
    if digests is None or update.effective_chat is None:
        return
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        chat = await digests.store.chat(update.effective_chat.id)
        window = (
            f"{chat.quiet_start}–{chat.quiet_end}"
            if chat and chat.quiet_start
            else text(code, "quiet_none")
        )
        await send_reply(update, context, _say(text(code, "quiet_now", window=window)))
        return
    if await _refused(update, context):
        return
    try:
        quiet = parse_quiet_hours(wanted)
    except ScheduleInputError as error:
        await send_reply(update, context, _problem(error, code))
        return
    chat = await _remember(update, digests, context)
    if quiet is None:
        await digests.store.set_quiet_hours(chat.id, None, None)
        reply = _say(text(code, "quiet_off"))
    else:
        start, end = quiet.start.strftime("%H:%M"), quiet.end.strftime("%H:%M")
        await digests.store.set_quiet_hours(chat.id, start, end)
        reply = _say(text(code, "quiet_set", start=start, end=end, zone=_zone(chat, context)))
    await digests.scheduler.refresh_chat(chat.id)
    await send_reply(update, context, reply)


# --- /digest: a preview now -------------------------------------------------------------------


async def on_digest(update: Update, context: Context) -> None:
    """Compose the digest as it would go out now, and send it as a reply (nothing recorded)."""
    code = lang(update)
    digests = await _digests_or_say_so(update, context)
    chat = update.effective_chat
    if digests is None or chat is None:
        return
    catalog = services(context).catalog
    record = await digests.store.chat(chat.id)
    existing = await digests.store.subscriptions_of([chat.id]) if record else []
    words = list(context.args or [])
    if words:
        try:
            subjects = [read_subject(catalog, words, services(context).now())]
        except SubscribeError as error:
            await send_reply(update, context, _problem(error, code))
            return
    else:
        subjects = [Subject.from_what(s.what) for s in existing]
    if not subjects:
        await send_reply(update, context, _say(text(code, "preview_none")))
        return
    zone = ZoneInfo(_zone(record, context))
    moment = services(context).clock.now().astimezone(zone)
    for subject in subjects[:3]:
        subscription = next((s for s in existing if s.what == subject.what), None)
        last = await digests.store.last_sent(subscription.id) if subscription else None
        previous = Previous(last.sent_at, last.content_keys) if last and last.sent_at else None
        digest = compose_digest(
            catalog,
            subject,
            cadence=subscription.cadence if subscription else "daily",
            now=moment,
            lang=code,
            previous=previous,
        )
        await send_reply(update, context, Reply(digest.messages))


def _answering_when_away(handler: Handler) -> Handler:
    """When the database is away (stopped, restarting, locked), say so and ask the person to
    try again shortly: not "something went wrong", and no traceback in the log, only a line."""

    @functools.wraps(handler)
    async def handle(update: Update, context: Context) -> None:
        try:
            await handler(update, context)
        except Exception as error:
            if isinstance(error, TelegramError) or not is_outage(error):
                raise
            logger.warning(
                "update %s: the database is away (%s); asked to try again",
                update.update_id,
                describe_outage(error),
            )
            await send_reply(update, context, _say(text(lang(update), "database_away")))

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
