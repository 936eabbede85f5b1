"""Every kind of update the bot receives, generated, end to end through the real bot.

Each property feeds one generated update at a time to the running application over HTTP
(see ``fuzz_bot``) and checks what Telegram and a person would: no handler failed and
nothing was logged as an error; every Bot API call was accepted, every text is valid HTML
within Telegram's limits and every button one the bot can read back; and a person gets an
answer when they would wait for one, while the bot keeps out of group conversations and
channels that are not addressed to it.

``make test`` runs a few dozen cases per property; ``make test-long`` (the "nightly"
hypothesis profile) runs thousands, more than 10,000 in all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.callbacks import decode
from localapi import parse_html
from tests.fuzz.conftest import ADMIN_ID, Exchange, FuzzBot, check_exchange
from tests.fuzz.strategies import (
    BOT_USERNAME,
    COMMANDS,
    INLINE_QUERY_LIMIT,
    LANGUAGES,
    SEPARATORS,
    any_text,
    callback_data,
    command_text,
    commands,
    deep_link_payloads,
)

PEOPLE = (ADMIN_ID, 1001, 1002, 1003)
GROUP, SUPERGROUP, CHANNEL, LINKED_CHANNEL = -100, -1001000000001, -1001000000002, -1001000000003
# Commands a group may send without the bot's @name: /stats and /feeds are for admins in
# private only.
GROUP_COMMANDS = frozenset(COMMANDS) - {"stats", "feeds"}
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
NOWHERE = -4242  # a chat the bot is not in
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
# A bot_command entity, as Telegram's clients mark one at the start of a message.
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_message_ids = itertools.count(5_000_000)
_DOUBLE_ESCAPES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#")
# Built once: a strategy made inside a composite is made again for every example (slowly).
TEXT = any_text()
SHORT_TEXT = any_text(64)
TYPED = TEXT | commands().map(lambda parts: command_text(*parts))
FORGED_DATA = callback_data()


@dataclass(frozen=True, repr=False)
class World:
    """The chats the fuzzed updates arrive in, and the buttons the bot has shown there."""

    bot: FuzzBot
    chats: dict[int, dict[str, Any]]
    real_data: tuple[str, ...]  # callback data of buttons the bot sent

    def __repr__(self) -> str:  # short, for hypothesis's report of a failing case
        return f"World({len(self.chats)} chats, {len(self.real_data)} kinds of button)"

    def shown(self, chat_id: int) -> list[int]:
        """Ids of the bot's messages in ``chat_id`` (edited since, some of them)."""
        return sorted(self.bot.api.messages.get(chat_id, {}))


def telegram_user(user_id: int, language: str | None) -> dict[str, Any]:
    """A Telegram user; clients send the app's language, or nothing."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
    if language is not None:
        user["language_code"] = language
    return user


def message(
    chat: dict[str, Any], sender: dict[str, Any] | None, text: str, **extra: Any
) -> dict[str, Any]:
    """A text message as Telegram delivers it; a leading command gets its entity."""
    found: dict[str, Any] = {"message_id": next(_message_ids), "date": 1_780_000_000}
    found["chat"] = chat
    if sender is not None:
        found["from"] = sender
    found["text"] = text
    command = _BOT_COMMAND.match(text)
    if command:
        length = len(command.group().encode("utf-16-le")) // 2
        found["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    found.update(extra)
    return found


@pytest.fixture(scope="module")
def world(fuzz_bot: FuzzBot) -> World:
    """Chats of each kind, and the bot's own messages in them, made by real conversations."""
    api = fuzz_bot.api
    chats: dict[int, dict[str, Any]] = {}
    for user_id in PEOPLE:
        api.user(user_id, first_name=f"P{user_id}")
        chats[user_id] = api.private_chat(user_id, first_name=f"P{user_id}")
    chats[GROUP] = api.group_chat(GROUP, "Fuzz group")
    chats[SUPERGROUP] = api.group_chat(SUPERGROUP, "Fuzz supergroup", supergroup=True)
    chats[CHANNEL] = api.channel(CHANNEL, "fuzzchannel", "Fuzz channel")
    chats[LINKED_CHANNEL] = api.channel(LINKED_CHANNEL, "fuzzlinked", "Linked channel")
    for chat_id in (GROUP, SUPERGROUP):
        api.set_member(chat_id, ADMIN_ID, "administrator")
    api.set_member(CHANNEL, ADMIN_ID, "creator")
    api.set_member(CHANNEL, api.bot_user["id"], "administrator")
    bot = fuzz_bot
    conversation = (
        "/start",
        "/cuba",
        "/events",
        "/events guadalajara feb 2026",
        "/subscribe",
        "/subscribe cuba daily 07:30",
        "/subscribe events guadalajara monthly 09:00",
        "/subscriptions",
        "/help",
    )
    admin = telegram_user(ADMIN_ID, "en")
    for chat_id in (ADMIN_ID, GROUP):
        for text in conversation:
            suffix = f"@{BOT_USERNAME}" if chat_id < 0 else ""
            head, _, rest = text.partition(" ")
            typed = f"{head}{suffix} {rest}".strip()
            exchange = bot.feed({"message": message(chats[chat_id], admin, typed)})
            check_exchange(exchange)
            assert exchange.to(chat_id), typed
    channel = "/subscribe @fuzzchannel cuba daily 08:00"  # the admin's channel, from private
    check_exchange(bot.feed({"message": message(chats[ADMIN_ID], admin, channel)}))
    data = {
        str(d)
        for messages in api.messages.values()
        for shown in messages.values()
        for row in shown.buttons
        for _, d in row
        if d is not None and decode(str(d)) is not None
    }
    assert len(data) > 20, "the conversations above should show many kinds of button"
    return World(bot, chats, tuple(sorted(data)))


def assert_answered_in(exchange: Exchange, chat_id: int) -> None:
    """A person in ``chat_id`` is waiting for an answer: something was sent there."""
    assert any(c.method != "editMessageText" for c in exchange.to(chat_id)), (
        f"no answer in chat {chat_id} to {exchange.update!r}"
    )


def assert_only_in(exchange: Exchange, chat_id: int) -> None:
    """Whatever the bot sent for this update, it sent in the chat the update came from."""
    elsewhere = [c for c in exchange.sends() if str(c.params.get("chat_id")) != str(chat_id)]
    assert not elsewhere, f"sent outside chat {chat_id} for {exchange.update!r}: {elsewhere}"


def assert_silent(exchange: Exchange) -> None:
    assert not exchange.sends(), f"the bot spoke up for {exchange.update!r}: {exchange.sends()}"


def assert_escaped_once(exchange: Exchange, typed: str) -> None:
    """What a person typed is shown as typed: an entity visible in a reply came from them."""
    for call in exchange.sends():
        text = call.params.get("text") or call.params.get("caption") or ""
        visible = parse_html(text)
        for entity in _DOUBLE_ESCAPES:
            if entity in visible:
                assert entity in typed, f"{entity!r} shown in {visible[:300]!r}, not typed"


# --- private chats: every text gets an answer ------------------------------------------------


@given(
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    text=TEXT,
)
def test_any_private_text_gets_a_valid_answer(
    world: World, user_id: int, language: str | None, text: str
) -> None:
    person = telegram_user(user_id, language)
    exchange = world.bot.feed({"message": message(world.chats[user_id], person, text)})
    check_exchange(exchange)
    assert_answered_in(exchange, user_id)
    assert_escaped_once(exchange, text)


@given(
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    payload=deep_link_payloads(),
    separator=SEPARATORS,
)
def test_start_with_any_payload_answers(
    world: World, user_id: int, language: str | None, payload: str, separator: str
) -> None:
    """A deep link from anywhere (or a hand-typed /start) always opens something."""
    person = telegram_user(user_id, language)
    text = f"/start{separator}{payload}"
    exchange = world.bot.feed({"message": message(world.chats[user_id], person, text)})
    check_exchange(exchange)
    assert_answered_in(exchange, user_id)


# --- commands: private chats and groups -------------------------------------------------------


@given(
    chat_id=st.sampled_from((ADMIN_ID, 1002, GROUP, SUPERGROUP)),
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    command=commands(),
    separator=SEPARATORS,
)
def test_commands_with_junk_arguments(
    world: World,
    chat_id: int,
    user_id: int,
    language: str | None,
    command: tuple[str, str, str],
    separator: str,
) -> None:
    """Any command, ours or not, with any arguments: answered when it is for this bot.

    In a group a command is for this bot when it carries the bot's @name, or carries no
    name and is one the bot has; another bot's command gets no word from this one.
    """
    name, suffix, args = command
    if chat_id > 0:
        user_id = chat_id  # in a private chat, the person is the chat
    text = command_text(name, suffix, args, separator)
    person = telegram_user(user_id, language)
    exchange = world.bot.feed({"message": message(world.chats[chat_id], person, text)})
    check_exchange(exchange)
    ours = suffix.lower() == f"@{BOT_USERNAME}"
    if chat_id > 0 or ours or (not suffix and name.lower() in GROUP_COMMANDS):
        assert_answered_in(exchange, chat_id)
    else:
        assert_silent(exchange)


@given(
    chat_id=st.sampled_from((GROUP, SUPERGROUP)),
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    text=TEXT,
    addressed=st.sampled_from(("no", "mention", "reply")),
)
def test_group_text_is_answered_only_when_addressed(
    world: World, chat_id: int, user_id: int, language: str | None, text: str, addressed: str
) -> None:
    """People talk among themselves in a group; the bot answers a mention or a reply to it."""
    if text.lstrip().startswith("/") or BOT_USERNAME in text.lower():
        text = f"» {text}"  # commands have their own property; the mention is added below
    if addressed == "mention":
        cut = len(text) // 2
        text = f"{text[:cut]} @{BOT_USERNAME} {text[cut:]}"
    extra: dict[str, Any] = {}
    shown = world.shown(chat_id)
    if addressed == "reply" and shown:
        own = world.bot.api.messages[chat_id][shown[-1]]
        extra["reply_to_message"] = {
            "message_id": own.message_id,
            "date": own.date,
            "chat": world.chats[chat_id],
            "from": world.bot.api.bot_user,
            "text": own.plain or "…",
        }
    person = telegram_user(user_id, language)
    exchange = world.bot.feed({"message": message(world.chats[chat_id], person, text, **extra)})
    check_exchange(exchange)
    if addressed == "no" or (addressed == "reply" and not shown):
        assert_silent(exchange)
    else:
        assert_answered_in(exchange, chat_id)


# --- buttons: real, stale, truncated and forged data ------------------------------------------


@st.composite
def pressed_data(draw: st.DrawFn, real: tuple[str, ...]) -> str:
    """Data a client sends back: a real button's, cut short, from an older catalog, forged."""
    kind = draw(st.sampled_from(("real", "truncated", "stale", "forged")))
    if kind == "forged" or not real:
        return draw(FORGED_DATA)
    data = draw(st.sampled_from(real))
    if kind == "truncated":
        return data[: draw(st.integers(min_value=1, max_value=max(len(data) - 1, 1)))]
    if kind == "stale":
        code, _, rest = data.partition("|")
        old = draw(st.sampled_from(("0123456789ab", "", "ec6f53cc6781")))
        return f"{code}|{old}|{rest.partition('|')[2]}"
    return data


@given(
    data=st.data(),
    chat_id=st.sampled_from((ADMIN_ID, 1003, GROUP, SUPERGROUP)),
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    where=st.sampled_from(("shown", "shown", "missing", "inline")),
)
def test_any_button_press_is_answered(
    world: World,
    data: st.DataObject,
    chat_id: int,
    user_id: int,
    language: str | None,
    where: str,
) -> None:
    """Every press stops the client's spinner exactly once, whatever the data says."""
    pressed = data.draw(pressed_data(world.real_data), label="callback_data")
    person = telegram_user(chat_id if chat_id > 0 else user_id, language)
    shown = world.shown(chat_id)
    if where == "shown" and shown:  # one of the bot's messages there (edited since, perhaps)
        message_id = shown[min(data.draw(st.integers(0, 63), label="which"), len(shown) - 1)]
    else:
        message_id = 10**6  # gone, or too old for Telegram to include
    if where == "inline":
        # Under a message the bot can't see (sent through inline mode, say): the press
        # comes with no message at all, as in a chat the bot is not in.
        chat_id = NOWHERE

    def press(api: Any) -> int:
        return int(api.press_button(chat_id, message_id, pressed, person))

    exchange = world.bot.act(press, (chat_id, message_id, pressed, person))
    check_exchange(exchange)
    answered = exchange.method("answerCallbackQuery")
    assert len(answered) == 1, f"{len(answered)} answers to the press of {pressed!r}"
    assert_only_in(exchange, chat_id)


# --- inline mode ----------------------------------------------------------------------------


@given(
    user_id=st.sampled_from(PEOPLE),
    language=LANGUAGES,
    query=st.just("") | any_text(INLINE_QUERY_LIMIT),  # empty: what @bot alone sends
    offset=st.one_of(st.just(""), st.from_regex(r"[0-9]{1,4}", fullmatch=True), SHORT_TEXT),
    chat_type=st.sampled_from(("sender", "private", "group", "supergroup", "channel")),
)
def test_inline_queries_get_one_valid_answer(
    world: World, user_id: int, language: str | None, query: str, offset: str, chat_type: str
) -> None:
    person = telegram_user(user_id, language)

    def ask(a: Any) -> int:
        return int(a.inline_query(person, query, offset=offset, chat_type=chat_type))

    exchange = world.bot.act(ask, (query, offset, chat_type))
    check_exchange(exchange)
    answers = exchange.method("answerInlineQuery")
    assert len(answers) == 1, f"{len(answers)} answers to the inline query {query!r}"
    assert not exchange.sends(), f"sent messages for an inline query: {exchange.sends()}"


# --- edits, channel posts, chosen results and messages without a person -----------------------


@st.composite
def other_updates(draw: st.DrawFn, world: World) -> dict[str, Any]:
    """Updates nobody waits on an answer to: edits, channel posts, chosen inline results."""
    kind = draw(
        st.sampled_from(
            ("edited_message", "channel_post", "edited_channel_post", "chosen_inline_result")
        )
    )
    text = draw(TYPED)
    if kind == "chosen_inline_result":
        chosen: dict[str, Any] = {
            "result_id": draw(st.sampled_from(("b:cuba", "f:cuba:0", "e:0", "zz")) | SHORT_TEXT),
            "from": telegram_user(draw(st.sampled_from(PEOPLE)), draw(LANGUAGES)),
            "query": text[:INLINE_QUERY_LIMIT],
        }
        if draw(st.booleans()):
            chosen["inline_message_id"] = "AAAAAQ"
        return {kind: chosen}
    if kind == "edited_message":
        chat_id = draw(st.sampled_from((ADMIN_ID, 1001, GROUP, SUPERGROUP)))
        sender = telegram_user(chat_id if chat_id > 0 else ADMIN_ID, draw(LANGUAGES))
        edited = message(world.chats[chat_id], sender, text, edit_date=1_780_000_100)
        return {kind: edited}
    channel = world.chats[draw(st.sampled_from((CHANNEL, LINKED_CHANNEL)))]
    post = message(channel, None, text, sender_chat=channel)
    if kind == "edited_channel_post":
        post["edit_date"] = 1_780_000_100
    return {kind: post}


@given(data=st.data())
def test_edits_channel_posts_and_chosen_results_are_handled(
    world: World, data: st.DataObject
) -> None:
    """Nobody waits on these; the bot must take them calmly and never post in a channel."""
    update = data.draw(other_updates(world), label="update")
    exchange = world.bot.feed(update)
    check_exchange(exchange)
    assert not exchange.to(CHANNEL) + exchange.to(LINKED_CHANNEL), f"posted in a channel: {update}"
    if "chosen_inline_result" in update:
        assert not exchange.calls, f"calls for a chosen inline result: {exchange.calls}"


@given(
    chat_id=st.sampled_from((GROUP, SUPERGROUP)),
    sender=st.sampled_from(("anonymous admin", "linked channel", "nobody")),
    text=TYPED,
)
def test_messages_without_a_person_behind_them(
    world: World, chat_id: int, sender: str, text: str
) -> None:
    """Sent as the group itself, forwarded from its channel, or with no sender at all.

    An anonymous admin is a person: a command for the bot gets its answer there. Nothing
    is ever sent anywhere but the chat the message is in.
    """
    chat = world.chats[chat_id]
    if sender == "anonymous admin":
        found = message(chat, GROUP_ANONYMOUS_BOT, text, sender_chat=chat)
    elif sender == "linked channel":
        linked = world.chats[LINKED_CHANNEL]
        found = message(chat, CHANNEL_BOT, text, sender_chat=linked, is_automatic_forward=True)
    else:
        found = message(chat, None, text)
    exchange = world.bot.feed({"message": found})
    check_exchange(exchange)
    assert_only_in(exchange, chat_id)
    command = _BOT_COMMAND.match(text)
    if sender == "anonymous admin" and command:
        name, _, suffix = command.group()[1:].partition("@")
        if suffix.lower() == BOT_USERNAME or (not suffix and name.lower() in GROUP_COMMANDS):
            assert_answered_in(exchange, chat_id)


# --- how many cases a nightly-style run makes ---------------------------------------------------


def _properties() -> Iterator[Any]:
    for name, value in globals().items():
        if name.startswith("test_") and getattr(value, "is_hypothesis_test", False):
            yield value


def test_the_nightly_run_fuzzes_at_least_10000_updates() -> None:
    """The issue asks for 10,000 generated cases; the nightly profile must reach them."""
    nightly = settings.get_profile("nightly").max_examples
    properties = list(_properties())
    assert len(properties) >= 5
    assert len(properties) * nightly >= 10_000, (len(properties), nightly)


def test_every_registered_command_is_fuzzed(fuzz_bot: FuzzBot) -> None:
    """A command added to the bot is fuzzed too (else the list in strategies goes stale)."""
    from telegram.ext import CommandHandler

    registered = {
        command
        for handlers in fuzz_bot.application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    assert registered == set(COMMANDS)
