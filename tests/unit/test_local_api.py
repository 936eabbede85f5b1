"""The local Bot API refuses what Telegram refuses, over real HTTP, as PTB sees it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from bot.localapi import EntityParseError, LocalBotApi, LocalBotApiServer, parse_html


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>bold <i>both</i></b> &lt;x&gt; &amp; &quot;q&quot;", 'bold both <x> & "q"'),
        ('<a href="https://t.me/x">link</a> <code>a&amp;b</code>', "link a&b"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("&#128512; &#x41;", "😀 A"),
        ("2 > 1", "2 > 1"),
    ],
)
def test_valid_html_gives_the_visible_text(html: str, plain: str) -> None:
    assert parse_html(html) == plain


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ("<b>open", "can't find end tag"),
        ("<b><i>x</b></i>", "unexpected end tag"),
        ("<script>x</script>", 'unsupported start tag "script"'),
        ("fish & chips", "character '&'"),
        ("&nbsp;", 'unsupported entity name "nbsp"'),
        ("a < b", "unsupported start tag"),
        ('<span class="x">y</span>', "tg-spoiler"),
    ],
)
def test_malformed_html_is_refused_with_telegrams_words(html: str, why: str) -> None:
    with pytest.raises(EntityParseError, match=why.replace("(", r"\(")):
        parse_html(html)


@pytest.fixture
def server() -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(LocalBotApi()) as running:
        running.api.private_chat(7)
        yield running


def _post(server: LocalBotApiServer, method: str, **data: object) -> httpx.Response:
    url = f"{server.base_url}{server.api.token}/{method}"
    return httpx.post(url, json=data)


def test_http_basics(server: LocalBotApiServer) -> None:
    assert _post(server, "getMe").json()["result"]["username"] == "briefbot_test_bot"
    wrong = httpx.post(f"{server.base_url}123:nope/getMe")
    assert wrong.status_code == 401 and wrong.json()["description"] == "Unauthorized"
    assert _post(server, "sendTelepathy").status_code == 404


def test_message_length_is_counted_after_parsing_in_utf16(server: LocalBotApiServer) -> None:
    assert _post(server, "sendMessage", chat_id=7, text="x" * 4096).status_code == 200
    too_long = _post(server, "sendMessage", chat_id=7, text="x" * 4097)
    assert too_long.json()["description"] == "Bad Request: message is too long"
    emoji = _post(server, "sendMessage", chat_id=7, text="😀" * 2049)  # 4098 units
    assert emoji.status_code == 400
    tagged = "<b>" + "x" * 4090 + "</b>"
    assert (
        _post(server, "sendMessage", chat_id=7, text=tagged, parse_mode="HTML").status_code == 200
    )
    assert _post(server, "sendMessage", chat_id=99, text="hi").json()["description"] == (
        "Bad Request: chat not found"
    )


def test_buttons_inline_results_and_menus_are_checked(server: LocalBotApiServer) -> None:
    long_data = {"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]}
    refused = _post(server, "sendMessage", chat_id=7, text="hi", reply_markup=long_data)
    assert refused.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"
    user = server.api.user(7)
    server.api.inline_query(user, "q")
    results = [
        {
            "type": "article",
            "id": str(n),
            "title": "t",
            "input_message_content": {"message_text": "m"},
        }
        for n in range(51)
    ]
    too_many = _post(server, "answerInlineQuery", inline_query_id="1", results=results)
    assert too_many.json()["description"] == "Bad Request: RESULTS_TOO_MUCH"
    bad_menu = _post(
        server, "setMyCommands", commands=[{"command": "Bad-Name", "description": "d"}]
    )
    assert bad_menu.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    sent = _post(server, "sendMessage", chat_id=7, text="same").json()["result"]
    again = _post(server, "editMessageText", chat_id=7, message_id=sent["message_id"], text="same")
    assert "message is not modified" in again.json()["description"]


def test_long_poll_waits_and_wakes_on_an_update(server: LocalBotApiServer) -> None:
    started = time.monotonic()
    assert _post(server, "getUpdates", timeout=0.3).json()["result"] == []
    assert time.monotonic() - started >= 0.25
    timer = threading.Timer(
        0.1, server.api.send_text, (server.api.chats[7], server.api.user(7), "hi")
    )
    timer.start()
    started = time.monotonic()
    updates = _post(server, "getUpdates", timeout=5).json()["result"]
    assert len(updates) == 1 and time.monotonic() - started < 2
    confirmed = _post(server, "getUpdates", offset=updates[0]["update_id"] + 1, timeout=0)
    assert confirmed.json()["result"] == []


def test_rate_limits_when_enabled() -> None:
    now = [0.0]
    api = LocalBotApi(rate_limits=True, clock=lambda: now[0])
    api.private_chat(1)
    statuses = [api.call("sendMessage", {"chat_id": 1, "text": "x"})[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    now[0] = 1.5
    assert api.call("sendMessage", {"chat_id": 1, "text": "x"})[0] == 200


async def test_ptb_sees_telegrams_errors(server: LocalBotApiServer) -> None:
    async with Bot(server.api.token, base_url=server.base_url) as bot:
        assert (await bot.get_me()).username == "briefbot_test_bot"
        message = await bot.send_message(7, "<b>hi</b>", parse_mode="HTML")
        assert message.text == "hi"
        document = await bot.send_document(7, document=b"BEGIN:VCALENDAR", filename="a.ics")
        assert document.document is not None and document.document.file_name == "a.ics"
        assert server.api.sent_to(7)[-1].document == ("a.ics", b"BEGIN:VCALENDAR")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="é" * 33)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(7, "x", reply_markup=markup)
        server.api.fail_next("sendMessage", retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(7, "x")
        server.api.fail_next(
            "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
        )
        with pytest.raises(Forbidden):
            await bot.send_message(7, "x")
        server.api.fail_next("sendMessage", migrate_to_chat_id=-100123)
        with pytest.raises(ChatMigrated):
            await bot.send_message(7, "x")
