"""Subscriptions as a plain service: who is asking and what they typed in, a Reply out.

:mod:`bot.handlers.subscriptions` reads the update into a :class:`Caller` and sends what
comes back; everything between — reading the request, the store, re-planning the chat's
jobs, the wording — happens here, without Telegram. What only Telegram can answer (is this
person an admin of this group, or of that channel? is the bot allowed to post there?) comes
in as callables on the caller, asked only when a change or a list needs them, in the order
the bot always asked.

In groups only administrators change anything. A channel is subscribed from a private chat
by one of its administrators, and only when the bot can post there; afterwards its
subscriptions are listed and changed from a private chat only while Telegram says the
person is still one (:mod:`bot.subscriptions.rights`). Buttons carry a tag binding a
subscription to the chat it was shown in. Every change goes to the store first; the chat's
jobs are then re-planned from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.conversation import callbacks
from bot.conversation.render import escape, split_message
from bot.conversation.reply import InputProblem, Reply, quoted
from bot.digests.compose import Previous, Subject, compose_digest
from bot.digests.schedule import Cadence, ScheduleInputError, parse_quiet_hours
from bot.numbers import read_stored_id
from bot.store import ChatRecord, Store, Subscription, TooManySubscriptions
from bot.subscriptions import replies
from bot.subscriptions.replies import Partial, button_tag, text
from bot.subscriptions.requests import (
    SubscribeError,
    SubscriptionRequest,
    checked_partial,
    parse_request,
    read_subject,
)
from bot.subscriptions.timezones import resolve_timezone, suggest_timezones
from briefings.model import Catalog

logger = logging.getLogger("briefbot.subscriptions")
PRIVATE = "private"
CHANNEL = "channel"
PREVIEWS = 3  # /digest without words previews at most this many subscriptions
# The most subscriptions one chat (private, group or channel) may hold: far more than a
# reader follows (seven topics and the listings of each city), few enough that one chat
# can't fill the store or a fan-out. Changing the schedule of one it holds always works.
SUBSCRIPTIONS_PER_CHAT = 50


@dataclass(frozen=True)
class FoundChannel:
    """A channel Telegram knows, where the bot may post and the caller is an admin."""

    id: int
    title: str | None


# What Telegram said about ``@channel``: the channel, or the key of the line saying why not
# ("channel_missing", "channel_not_channel", "channel_bot", "channel_user").
ChannelLookup = Callable[[str], Awaitable[FoundChannel | str]]


async def _no_channels(channel: str) -> FoundChannel | str:
    return "channel_missing"


async def _always() -> bool:
    return True


async def _never(chat_id: int) -> bool:
    return False


@dataclass(frozen=True)
class Caller:
    """Who is asking, read from the update by the handler."""

    chat_id: int
    chat_type: str  # "private", "group", "supergroup" or "channel"
    chat_title: str | None
    user_id: int | None
    lang: str
    is_admin: Callable[[], Awaitable[bool]] = _always  # of this chat; asked only before a change
    # Of another chat (a channel listed or changed from a private chat), asked now.
    is_admin_of: Callable[[int], Awaitable[bool]] = _never
    look_up_channel: ChannelLookup = _no_channels

    @property
    def private(self) -> bool:
        return self.chat_type == PRIVATE


class Plans(Protocol):
    """The digest jobs: re-planned after every change, asked when the next one is."""

    async def refresh_chat(self, chat_id: int) -> None: ...

    def planned_for(self, subscription_id: int) -> tuple[dt.datetime, str] | None: ...


def _say(message: str, *, understood: bool = True, edit: bool = False) -> Reply:
    return Reply([message], understood=understood, edit=edit)


def _problem(error: InputProblem, code: str) -> Reply:
    """The line about input the bot can't use. It quotes the person, so it is escaped
    (``/quiet <b>`` is not a tag), and split should a quote make it longer than a message."""
    return Reply(split_message([escape(error.text(code))]), understood=False)


@dataclass
class SubscriptionService:
    store: Store
    plans: Plans
    catalog: Catalog
    clock: Clock
    default_zone: str  # for chats that set none (BRIEFBOT_TIMEZONE)
    button_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def _now(self) -> dt.datetime:
        """The clock's moment in the bot's own zone (dates in requests are read there)."""
        return self.clock.now().astimezone(ZoneInfo(self.default_zone))

    def _zone(self, chat: ChatRecord | None) -> str:
        return (chat.timezone if chat else None) or self.default_zone

    async def _remember(self, caller: Caller) -> ChatRecord:
        chat = await self.store.remember_chat(
            caller.chat_id, caller.chat_type, caller.chat_title, caller.lang, self.clock.now()
        )
        return await self._reachable_again(chat)

    async def _reachable_again(self, chat: ChatRecord) -> ChatRecord:
        """A chat paused after Telegram refused a digest (403) that plainly works again —
        someone changes its subscriptions from inside it, or the bot may post in the channel
        again — gets its digests back; it used to wait for a my_chat_member update that may
        never come. Should it still be unreachable, the next digest pauses it again."""
        if chat.active:
            return chat
        await self.store.set_active(chat.id, True)
        await self.plans.refresh_chat(chat.id)
        logger.info(
            "chat %s: reachable again (%s before); digests resume", chat.id, chat.inactive_reason
        )
        return dataclasses.replace(chat, active=True, inactive_reason=None)

    async def _refusal(self, caller: Caller) -> Reply | None:
        """The polite refusal for non-admins in groups; None when they may go on."""
        if await caller.is_admin():
            return None
        return _say(text(caller.lang, "admins_only"), understood=False)

    # --- /subscribe ---------------------------------------------------------------------------

    async def _channel_target(self, caller: Caller, channel: str) -> ChatRecord | str:
        """The channel as a stored chat, or the line explaining why it can't be subscribed."""
        code = caller.lang
        if not caller.private:
            return text(code, "channel_private")
        shown = escape(quoted(channel))  # as typed, after /unsubscribe
        found = await caller.look_up_channel(channel)
        if isinstance(found, str):
            return text(code, found, channel=shown)
        title = found.title or channel
        chat = await self.store.remember_chat(found.id, CHANNEL, title, code, self.clock.now())
        return await self._reachable_again(chat)  # the bot may post there: it was checked

    async def _save(
        self,
        caller: Caller,
        target: ChatRecord,
        subject: Subject,
        cadence: Cadence,
        at: dt.time,
        *,
        edit: bool = False,
    ) -> Reply:
        try:
            subscription, created = await self.store.subscribe(
                target.id,
                subject.what,
                cadence.kind,
                cadence.day,
                at.strftime("%H:%M"),
                caller.user_id,
                self.clock.now(),
                most=SUBSCRIPTIONS_PER_CHAT,
            )
        except TooManySubscriptions as full:
            return _say(text(caller.lang, "too_many", most=full.most), understood=False)
        await self.plans.refresh_chat(target.id)
        planned = self.plans.planned_for(subscription.id)
        where = f" {target.title}" if target.type == CHANNEL and target.title else ""
        return replies.confirmation(
            self.catalog,
            subscription,
            target,
            zone=self._zone(target),
            next_at=planned[0] if planned else None,
            created=created,
            lang=caller.lang,
            where=where,
            edit=edit,
        )

    async def subscribe(self, caller: Caller, words: str) -> Reply:
        """``/subscribe [@channel] <what> <how often> <time>``, or its first guided step."""
        code = caller.lang
        try:
            request = parse_request(self.catalog, words, self._now())
        except SubscribeError as error:
            return _problem(error, code)
        if request.channel is not None:
            return await self._subscribe_channel(caller, request)
        refusal = await self._refusal(caller)
        if refusal is not None:
            return refusal
        chat = await self._remember(caller)
        if request.subject is None or request.cadence is None or request.at is None:
            partial = Partial(
                request.subject.what if request.subject else None,
                request.cadence.kind if request.cadence else None,
                request.cadence.day if request.cadence else None,
            )
            return replies.guided_step(
                self.catalog, partial, zone=self._zone(chat), lang=code, edit=False
            )
        return await self._save(caller, chat, request.subject, request.cadence, request.at)

    async def _subscribe_channel(self, caller: Caller, request: SubscriptionRequest) -> Reply:
        assert request.channel is not None
        target = await self._channel_target(caller, request.channel)
        if isinstance(target, str):
            return _say(target, understood=False)
        if request.subject is None or request.cadence is None or request.at is None:
            message = text(caller.lang, "channel_complete", channel=request.channel)
            return _say(message, understood=False)
        return await self._save(caller, target, request.subject, request.cadence, request.at)

    async def subscribe_button(self, caller: Caller, data: str | None) -> Reply:
        """A step of the guided ``/subscribe``: its progress is in the button's data.

        The data may be forged, so it meets the typed command's rules
        (:func:`~bot.subscriptions.requests.checked_partial`) before anything is stored.
        """
        code = caller.lang
        action = callbacks.decode(data)
        partial = Partial.decode(action.argument) if action else None
        if partial is None:
            return self.gone(code)
        try:
            partial = checked_partial(self.catalog, partial, self._now())
        except SubscribeError as error:
            return _problem(error, code)
        refusal = await self._refusal(caller)
        if refusal is not None:
            return refusal
        chat = await self._remember(caller)
        if partial.what and partial.cadence and partial.day is not None and partial.at:
            cadence = Cadence(partial.cadence, partial.day)
            at = dt.time.fromisoformat(partial.at)
            subject = Subject.from_what(partial.what)
            return await self._save(caller, chat, subject, cadence, at, edit=True)
        return replies.guided_step(
            self.catalog, partial, zone=self._zone(chat), lang=code, edit=True
        )

    @staticmethod
    def gone(code: str) -> Reply:
        """A button whose subscription or step no longer exists."""
        return _say(text(code, "gone"), understood=False)

    # --- /subscriptions, /unsubscribe and their buttons ---------------------------------------

    def _sign(self, caller: Caller) -> Callable[[int], str]:
        """Tags for this chat's buttons (see :func:`replies.button_tag`)."""
        return lambda subscription_id: button_tag(self.button_key, caller.chat_id, subscription_id)

    async def listing(
        self, caller: Caller, *, page: int = 0, edit: bool = False, notice: str | None = None
    ) -> Reply:
        """This chat's subscriptions, and in a private chat those of the channels this
        person subscribed and runs *now* (Telegram is asked; who subscribed is not enough)."""
        own = await self.store.chat(caller.chat_id)
        if own is not None and caller.private:  # they are writing from it: it works
            own = await self._reachable_again(own)
        groups: list[tuple[ChatRecord, list[Subscription], str]] = []
        if own is not None:
            groups.append((own, await self.store.subscriptions_of([own.id]), self._zone(own)))
        if caller.private and caller.user_id is not None:
            for channel in await self.store.chats_subscribed_by(caller.user_id):
                if not await caller.is_admin_of(channel.id):
                    continue
                subscriptions = await self.store.subscriptions_of([channel.id])
                groups.append((channel, subscriptions, self._zone(channel)))
        return replies.subscription_list(
            self.catalog,
            groups,
            lang=caller.lang,
            sign=self._sign(caller),
            page=page,
            edit=edit,
            notice=notice,
        )

    async def _change_refused(self, caller: Caller, subscription: Subscription) -> Reply | None:
        """Why this person may not change ``subscription`` now; None when they may.

        This chat's own: as any change here (admins only in groups). Another chat's: only
        from a private chat, for a group or channel where Telegram says the person is an
        administrator now; another person's private subscriptions are nobody else's.
        """
        if subscription.chat_id == caller.chat_id:
            return await self._refusal(caller)
        target = await self.store.chat(subscription.chat_id)
        if not caller.private or target is None or target.type == PRIVATE:
            return self.gone(caller.lang)
        if await caller.is_admin_of(target.id):
            return None
        title = escape(target.title or str(target.id))
        return _say(text(caller.lang, "not_admin_there", title=title), understood=False)

    async def manage_button(self, caller: Caller, data: str | None) -> Reply:
        """Pause, resume or remove one subscription from the list's buttons, or turn a page.

        A button names ``operation.id.tag``; the tag must be the one this chat was shown
        (forged or copied data is "gone"), and the person's rights are checked now.
        """
        action = callbacks.decode(data)
        if action is None:
            return self.gone(caller.lang)
        if action.argument == "l":
            return await self.listing(caller, page=action.page, edit=True)
        parts = action.argument.split(".")
        operation, number, tag = parts if len(parts) == 3 else ("", "", "")
        wanted = read_stored_id(number)  # forged data may name no row the store could hold
        subscription = (
            await self.store.subscription(wanted)
            if wanted is not None
            and operation in ("p", "r", "x")
            and hmac.compare_digest(tag, self._sign(caller)(wanted))
            else None
        )
        if subscription is None:
            return self.gone(caller.lang)
        refusal = await self._change_refused(caller, subscription)
        if refusal is not None:
            return refusal
        if operation == "x":
            await self.store.remove([subscription.id])
        else:
            await self.store.set_paused(subscription.id, operation == "p")
        await self.plans.refresh_chat(subscription.chat_id)
        return await self.listing(caller, page=action.page, edit=True)

    async def unsubscribe(self, caller: Caller, words: list[str]) -> Reply:
        """``/unsubscribe [@channel] <what>|all``; without words, the list to choose from."""
        code = caller.lang
        if not words:
            return await self.listing(caller)
        refusal = await self._refusal(caller)
        if refusal is not None:
            return refusal
        target_id = caller.chat_id
        if words[0].startswith("@"):
            target = await self._channel_target(caller, words[0])
            if isinstance(target, str):
                return _say(target, understood=False)
            target_id, words = target.id, words[1:]
        existing = await self.store.subscriptions_of([target_id])
        if [w.lower() for w in words] in (["all"], ["todas"], ["todo"]):
            removed = await self.store.remove([s.id for s in existing])
            await self.plans.refresh_chat(target_id)
            return _say(text(code, "removed_all", n=removed))
        try:
            subject = read_subject(self.catalog, words, self._now())
        except SubscribeError as error:
            return _problem(error, code)
        title = subject.title(self.catalog, code)
        matching = [s for s in existing if s.what == subject.what]
        if not matching:
            return _say(text(code, "not_subscribed", title=title), understood=False)
        await self.store.remove([s.id for s in matching])
        await self.plans.refresh_chat(target_id)
        return _say(text(code, "removed", title=title))

    # --- /timezone and /quiet -----------------------------------------------------------------

    async def timezone(self, caller: Caller, wanted: str) -> Reply:
        """``/timezone <city, country or IANA name>``; without words, the zone in force."""
        code = caller.lang
        if not wanted:
            chat = await self.store.chat(caller.chat_id)
            return _say(text(code, "zone_now", zone=self._zone(chat)))
        refusal = await self._refusal(caller)
        if refusal is not None:
            return refusal
        match = resolve_timezone(wanted)
        if match is None:
            message = text(code, "zone_unknown", text=escape(quoted(wanted)))
            suggestions = suggest_timezones(wanted)
            if suggestions:
                names = ", ".join(s.zone for s in suggestions)
                message += text(code, "zone_suggest", names=names)
            return _say(message, understood=False)
        chat = await self._remember(caller)
        await self.store.set_timezone(chat.id, match.zone)
        await self.plans.refresh_chat(chat.id)
        shown = escape(quoted(wanted))
        guess = "" if match.exact else text(code, "zone_guess", text=shown, label=match.label)
        return _say(text(code, "zone_set", label=match.label, guess=guess))

    async def quiet(self, caller: Caller, wanted: str) -> Reply:
        """``/quiet 22:00-07:00`` or ``/quiet off``; without words, the window in force."""
        code = caller.lang
        if not wanted:
            chat = await self.store.chat(caller.chat_id)
            window = (
                f"{chat.quiet_start}–{chat.quiet_end}"
                if chat and chat.quiet_start
                else text(code, "quiet_none")
            )
            return _say(text(code, "quiet_now", window=window))
        refusal = await self._refusal(caller)
        if refusal is not None:
            return refusal
        try:
            quiet = parse_quiet_hours(wanted)
        except ScheduleInputError as error:
            return _problem(error, code)
        chat = await self._remember(caller)
        if quiet is None:
            await self.store.set_quiet_hours(chat.id, None, None)
            reply = _say(text(code, "quiet_off"))
        else:
            start, end = quiet.start.strftime("%H:%M"), quiet.end.strftime("%H:%M")
            await self.store.set_quiet_hours(chat.id, start, end)
            zone = self._zone(chat)
            reply = _say(text(code, "quiet_set", start=start, end=end, zone=zone))
        await self.plans.refresh_chat(chat.id)
        return reply

    # --- /digest: a preview now ---------------------------------------------------------------

    async def preview(self, caller: Caller, words: list[str]) -> list[Reply]:
        """The digests as they would go out now, as replies (nothing is recorded)."""
        code = caller.lang
        record = await self.store.chat(caller.chat_id)
        existing = await self.store.subscriptions_of([caller.chat_id]) if record else []
        if words:
            try:
                subjects = [read_subject(self.catalog, words, self._now())]
            except SubscribeError as error:
                return [_problem(error, code)]
        else:
            subjects = [Subject.from_what(s.what) for s in existing]
        if not subjects:
            return [_say(text(code, "preview_none"))]
        moment = self.clock.now().astimezone(ZoneInfo(self._zone(record)))
        previews = []
        for subject in subjects[:PREVIEWS]:
            subscription = next((s for s in existing if s.what == subject.what), None)
            last = await self.store.last_sent(subscription.id) if subscription else None
            previous = Previous(last.sent_at, last.content_keys) if last and last.sent_at else None
            digest = compose_digest(
                self.catalog,
                subject,
                cadence=subscription.cadence if subscription else "daily",
                now=moment,
                lang=code,
                previous=previous,
            )
            previews.append(Reply(digest.messages))
        return previews
