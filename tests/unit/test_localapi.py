"""The local Bot API refuses what Telegram refuses, in Telegram's words, over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.conversation.render import utf16_len
from localapi import EntityParseError, LocalBotApi, LocalBotApiServer, NoAnswer, parse_html

CHAT = 7

# --- Telegram's HTML -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>bold <i>both</i></b> <u>u</u><s>s</s>", "bold both us"),
        ("<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>", "abcde"),
        ("&lt;x&gt; &amp; &quot;q&quot; 2 > 1", '<x> & "q" 2 > 1'),
        ("&#128512;&#x41;&#x1F600;", "😀A😀"),
        ('<a href="https://t.me/x?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>quote</blockquote><blockquote>b</blockquote>", "quoteb"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<B>upper</B> <i>closed by</>", "upper closed by"),
    ],
)
def test_valid_html_gives_the_visible_text(html: str, plain: str) -> None:
    assert parse_html(html) == plain


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<foo>x</foo>", 'Can\'t parse entities: unsupported start tag "foo" at byte offset 0'),
        ("é <br>", 'Can\'t parse entities: unsupported start tag "br" at byte offset 3'),
        ("a < b", 'Can\'t parse entities: unsupported start tag "" at byte offset 2'),
        ("<b>open", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        ("x</b>", "Can't parse entities: unexpected end tag at byte offset 1"),
        (
            "<b><i>x</b></i>",
            'Can\'t parse entities: unmatched end tag at byte offset 7, expected "</i>", '
            'found "</b>"',
        ),
        ("<b", "Can't parse entities: unclosed start tag at byte offset 0"),
        ("<b>x</b", "Can't parse entities: unclosed end tag at byte offset 4"),
        ("&nbsp;", 'Can\'t parse entities: unsupported entity name "nbsp" at byte offset 0'),
        ("fish & chips", "Can't parse entities: character '&' is reserved"),
        ("&lt no semicolon", "Can't parse entities: character '&' is reserved"),
        ('<span class="x">y</span>', 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=https://x>y</a>", "unexpected end of name token at byte offset 8"),
        ("&#xD800;", "invalid Unicode characters"),
    ],
)
def test_malformed_html_is_refused_with_telegrams_words(html: str, description: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse_html(html)
    assert description in str(refused.value)


def test_lengths_are_utf16_units_of_the_visible_text() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2  # astral: a surrogate pair
    assert utf16_len("é") == 1
    assert utf16_len(parse_html("<b>😀</b>&amp;")) == 3


# --- over HTTP -------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(LocalBotApi()) as running:
        running.api.private_chat(CHAT)
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


class Api:
    """Posts form-encoded requests the way PTB does: non-strings as JSON."""

    def __init__(self, server: LocalBotApiServer, http: httpx.Client) -> None:
        self.url = f"{server.base_url}{server.api.token}"
        self.http = http

    def __call__(self, method: str, **params: Any) -> httpx.Response:
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        return self.http.post(f"{self.url}/{method}", data=form)

    def refusal(self, method: str, **params: Any) -> str:
        response = self(method, **params)
        assert response.status_code == 400, response.text
        return str(response.json()["description"])


@pytest.fixture
def api(server: LocalBotApiServer, http: httpx.Client) -> Api:
    return Api(server, http)


def test_get_me_wrong_token_and_unknown_method(
    server: LocalBotApiServer, http: httpx.Client, api: Api
) -> None:
    assert api("getMe").json() == {"ok": True, "result": server.api.bot_user}
    assert api("GETME").json()["result"]["username"] == "briefbot_test_bot"
    wrong = http.post(f"{server.base_url}123:nope/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    unknown = api("sendTelepathy")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [c.status for c in server.api.calls] == [200, 200, 404]  # 401 never reached it


def test_send_message_returns_the_message_and_keeps_it(
    server: LocalBotApiServer, api: Api
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Next", "callback_data": "p|1"}]]}
    html = {"text": "<b>a</b> &amp; b", "parse_mode": "HTML"}
    sent = api("sendMessage", chat_id=CHAT, reply_markup=keyboard, **html).json()["result"]
    assert (sent["message_id"], sent["chat"]["id"], sent["text"]) == (1, CHAT, "a & b")
    assert sent["from"]["is_bot"] and sent["reply_markup"] == keyboard
    for text in ("1.50", "true", "null"):  # form values that look like JSON stay text
        assert api("sendMessage", chat_id=CHAT, text=text).json()["result"]["text"] == text
    first, *_, last = server.api.sent_to(CHAT)
    assert (first.text, first.plain) == ("<b>a</b> &amp; b", "a & b")
    assert first.buttons == [[("Next", "p|1")]]
    assert server.api.last_to(CHAT) is last and last.message_id == 4
    assert api.refusal("sendMessage", chat_id=99, text="hi") == "Bad Request: chat not found"
    assert api.refusal("sendMessage", chat_id=CHAT) == "Bad Request: message text is empty"


def test_message_length_is_counted_after_parsing(api: Api) -> None:
    assert api("sendMessage", chat_id=CHAT, text="x" * 4096).status_code == 200
    too_long = "Bad Request: message is too long"
    assert api.refusal("sendMessage", chat_id=CHAT, text="x" * 4097) == too_long
    assert api.refusal("sendMessage", chat_id=CHAT, text="😀" * 2049) == too_long  # 4098 units
    assert api("sendMessage", chat_id=CHAT, text="😀" * 2048).status_code == 200
    tagged = "<b>" + "&amp;" * 4000 + "</b>" + "x" * 96  # 20,103 characters, 4096 visible
    assert api("sendMessage", chat_id=CHAT, text=tagged, parse_mode="HTML").status_code == 200
    assert api.refusal("sendMessage", chat_id=CHAT, text=tagged + "x", parse_mode="HTML") == (
        too_long
    )


def test_bad_html_and_bad_buttons_are_refused(api: Api) -> None:
    assert api.refusal("sendMessage", chat_id=CHAT, text="<p>x</p>", parse_mode="HTML") == (
        'Bad Request: can\'t parse entities: unsupported start tag "p" at byte offset 0'
    )
    assert api("sendMessage", chat_id=CHAT, text="<p>x</p>").status_code == 200  # no parse mode

    def button(**kind: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "b", **kind}]]}

    def refusal(markup: dict[str, Any]) -> str:
        return api.refusal("sendMessage", chat_id=CHAT, text="hi", reply_markup=markup)

    assert refusal(button(callback_data="x" * 65)) == "Bad Request: BUTTON_DATA_INVALID"
    assert refusal(button(callback_data="é" * 33)) == "Bad Request: BUTTON_DATA_INVALID"
    assert refusal(button(callback_data="")) == "Bad Request: BUTTON_DATA_INVALID"
    fits = api("sendMessage", chat_id=CHAT, text="hi", reply_markup=button(callback_data="é" * 32))
    assert fits.status_code == 200
    assert refusal(button(url="example.com")) == "Bad Request: BUTTON_URL_INVALID"
    assert refusal(button()).startswith("Bad Request: can't parse inline keyboard button")
    assert refusal(button(url="https://t.me", callback_data="x")) == (
        "Bad Request: BUTTON_TYPE_INVALID"
    )
    many = [[{"text": "b", "callback_data": "x"}, {"text": "c", "callback_data": "y"}]] * 50
    assert api("sendMessage", chat_id=CHAT, text="hi", reply_markup={"inline_keyboard": many})
    assert refusal({"inline_keyboard": [*many, [{"text": "d", "callback_data": "z"}]]}) == (
        "Bad Request: reply markup is too long"
    )


def test_edits_need_a_change_and_an_existing_message(server: LocalBotApiServer, api: Api) -> None:
    keyboard = {"inline_keyboard": [[{"text": "b", "callback_data": "x"}]]}
    api("sendMessage", chat_id=CHAT, text="same", reply_markup=keyboard)
    not_modified = api.refusal(
        "editMessageText", chat_id=CHAT, message_id=1, text="same", reply_markup=keyboard
    )
    assert not_modified.startswith("Bad Request: message is not modified: specified new message")
    edited = api("editMessageText", chat_id=CHAT, message_id=1, text="same")  # drops buttons
    assert edited.json()["result"]["text"] == "same" and "reply_markup" not in edited.json()
    api("editMessageText", chat_id=CHAT, message_id=1, text="<i>new</i>", parse_mode="HTML")
    message = server.api.messages[CHAT][1]
    assert (message.plain, message.history) == ("new", ["same", "<i>new</i>"])
    assert api.refusal("editMessageText", chat_id=CHAT, message_id=9, text="x") == (
        "Bad Request: message to edit not found"
    )
    assert api("deleteMessage", chat_id=CHAT, message_id=1).json()["result"] is True
    assert api.refusal("deleteMessage", chat_id=CHAT, message_id=1) == (
        "Bad Request: message to delete not found"
    )
    assert server.api.sent_to(CHAT) == []


def test_queries_are_answered_once_and_inline_results_are_checked(
    server: LocalBotApiServer, api: Api
) -> None:
    ana = server.api.user(CHAT)
    api("sendMessage", chat_id=CHAT, text="menu")
    server.api.press_button(CHAT, 1, "forged", ana)
    server.api.inline_query(ana, "cuba")
    callback, inline = (u for u in api("getUpdates").json()["result"])
    assert callback["callback_query"]["message"]["text"] == "menu"
    query_id = inline["inline_query"]["id"]
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    callback_id = callback["callback_query"]["id"]
    assert api("answerCallbackQuery", callback_query_id=callback_id).status_code == 200
    assert api.refusal("answerCallbackQuery", callback_query_id=callback_id) == too_old

    def article(result_id: str, text: str = "m") -> dict[str, Any]:
        content = {"message_text": text, "parse_mode": "HTML"}
        return {"type": "article", "id": result_id, "title": "t", "input_message_content": content}

    def refusal(results: list[dict[str, Any]]) -> str:
        return api.refusal("answerInlineQuery", inline_query_id=query_id, results=results)

    assert refusal([article(str(n)) for n in range(51)]) == "Bad Request: RESULTS_TOO_MUCH"
    assert refusal([article("1"), article("1")]) == "Bad Request: RESULT_ID_DUPLICATE"
    assert refusal([article("x" * 65)]) == "Bad Request: RESULT_ID_INVALID"
    assert "can't parse entities" in refusal([article("1", "<b>x")])
    answered = api("answerInlineQuery", inline_query_id=query_id, results=[article("a")])
    assert answered.status_code == 200
    assert server.api.inline_answers[query_id] == [article("a")]
    assert refusal([article("a")]) == too_old
    server.api.choose_inline_result(ana, "a")
    chosen = api("getUpdates", offset=inline["update_id"] + 1).json()["result"]
    assert chosen[0]["chosen_inline_result"] == {"result_id": "a", "from": ana, "query": "cuba"}
    with pytest.raises(ValueError):
        server.api.inline_query(ana, "x" * 257)


def test_command_menus_are_checked_and_kept_per_scope(server: LocalBotApiServer, api: Api) -> None:
    def commands(command: str = "start", description: str = "Start") -> list[dict[str, str]]:
        return [{"command": command, "description": description}]

    def refusal(menu: list[dict[str, str]]) -> str:
        return api.refusal("setMyCommands", commands=menu)

    assert refusal(commands("Start")) == "Bad Request: BOT_COMMAND_INVALID"
    assert refusal(commands("x" * 33)) == "Bad Request: BOT_COMMAND_INVALID"
    assert refusal(commands(description="")) == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    assert refusal(commands(description="d" * 257)) == (
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    )
    assert refusal(commands() * 101) == "Bad Request: BOT_COMMANDS_TOO_MUCH"
    spanish = {"language_code": "es"}
    chat_scope = {"scope": {"type": "chat", "chat_id": CHAT}}
    other_chat = {"scope": {"type": "chat", "chat_id": 8}}
    assert api("setMyCommands", commands=commands("x" * 32, "d" * 256)).status_code == 200
    assert api("setMyCommands", commands=commands("empezar"), **spanish).status_code == 200
    assert api("setMyCommands", commands=commands("chat"), **chat_scope).status_code == 200
    assert api("getMyCommands", **spanish).json()["result"] == commands("empezar")
    assert api("getMyCommands", **chat_scope).json()["result"] == commands("chat")
    assert api("getMyCommands", **other_chat).json()["result"] == []
    assert api("getMyCommands").json()["result"] == commands("x" * 32, "d" * 256)
    api("deleteMyCommands", **spanish)
    assert api("getMyCommands", **spanish).json()["result"] == []


def test_get_updates_confirms_with_offset(server: LocalBotApiServer, api: Api) -> None:
    ana, chat = server.api.user(CHAT), server.api.chats[CHAT]
    ids = [server.api.send_text(chat, ana, text) for text in ("/start@briefbot_test_bot x", "hi")]
    assert ids == [1, 2]
    updates = api("getUpdates").json()["result"]
    assert [u["update_id"] for u in updates] == ids
    assert updates[0]["message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 24}
    ]
    assert "entities" not in updates[1]["message"]
    assert [u["update_id"] for u in api("getUpdates", limit=1).json()["result"]] == [1]
    assert [u["update_id"] for u in api("getUpdates", offset=2).json()["result"]] == [2]
    assert api("getUpdates", offset=1).json()["result"][0]["update_id"] == 2  # 1 is forgotten
    assert api("getUpdates", offset=3).json()["result"] == []
    assert api("getUpdates").json()["result"] == []  # 2 was confirmed too


def test_long_poll_waits_for_the_timeout_or_an_update(server: LocalBotApiServer, api: Api) -> None:
    started = time.monotonic()
    assert api("getUpdates", timeout=1).json()["result"] == []
    assert time.monotonic() - started >= 1  # never answered before its timeout
    chat, ana = server.api.chats[CHAT], server.api.user(CHAT)
    updates: list[dict[str, Any]] = []
    poll = threading.Thread(
        target=lambda: updates.extend(api("getUpdates", timeout=60).json()["result"])
    )
    poll.start()
    _wait_until(lambda: server.api.polls == 2)  # the poll is waiting now
    server.api.send_text(chat, ana, "hi")
    poll.join(timeout=30)  # the update ends it, not its 60 s
    assert not poll.is_alive()
    assert [u["message"]["text"] for u in updates] == ["hi"]


def test_a_newer_poll_ends_an_older_one_and_stop_ends_all(
    server: LocalBotApiServer, api: Api
) -> None:
    answers: list[httpx.Response] = []

    def poll() -> None:
        with httpx.Client(timeout=120) as own:
            answers.append(own.post(f"{api.url}/getUpdates", data={"timeout": "60"}))

    older = threading.Thread(target=poll)
    older.start()
    _wait_until(lambda: server.api.polls == 1)
    assert api("getUpdates").json()["result"] == []
    older.join(timeout=30)
    assert answers[0].status_code == 409
    assert answers[0].json()["description"].startswith("Conflict: terminated by other getUpdates")
    waiting = threading.Thread(target=poll)
    waiting.start()
    _wait_until(lambda: server.api.polls == 3)
    server.stop()
    waiting.join(timeout=30)  # the stop ends it, not its 60 s
    assert not waiting.is_alive()
    assert answers[1].json() == {"ok": True, "result": []}


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_webhook_blocks_polling(api: Api) -> None:
    assert api.refusal("setWebhook", url="http://insecure.example") == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    api("setWebhook", url="https://bot.example/hook", secret_token="s3cret")
    assert api("getWebhookInfo").json()["result"]["url"] == "https://bot.example/hook"
    conflict = api("getUpdates")
    assert conflict.status_code == 409
    assert conflict.json()["description"].startswith("Conflict: can't use getUpdates method")
    api("deleteWebhook")
    assert api("getUpdates").status_code == 200


def test_send_document_takes_a_multipart_upload(
    server: LocalBotApiServer, http: httpx.Client, api: Api
) -> None:
    content = b"BEGIN:VCALENDAR\r\n" + bytes(range(256))
    response = http.post(
        f"{api.url}/sendDocument",
        data={"chat_id": str(CHAT), "caption": "<b>Cuba</b> 7", "parse_mode": "HTML"},
        files={"document": ("cuba.ics", content, "text/calendar")},
    )
    result = response.json()["result"]
    assert result["caption"] == "Cuba 7"
    assert result["document"]["file_name"] == "cuba.ics"
    assert result["document"]["mime_type"] == "text/calendar"
    assert result["document"]["file_size"] == len(content)
    assert server.api.last_to(CHAT) is not None
    assert server.api.sent_to(CHAT)[-1].document == ("cuba.ics", content)
    long_caption = http.post(
        f"{api.url}/sendDocument",
        data={"chat_id": str(CHAT), "caption": "x" * 1025},
        files={"document": ("a.ics", b"x")},
    )
    assert long_caption.json()["description"] == "Bad Request: message caption is too long"
    missing = api.refusal("sendDocument", chat_id=CHAT)
    assert missing == "Bad Request: there is no document in the request"


def test_fail_next_gives_telegrams_flood_answer(server: LocalBotApiServer, api: Api) -> None:
    server.api.fail_next("sendMessage", retry_after=7, times=2)
    for _ in range(2):
        refused = api("sendMessage", chat_id=CHAT, text="x")
        assert refused.status_code == 429
        assert refused.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    assert api("sendMessage", chat_id=CHAT, text="x").status_code == 200
    server.api.fail_next("sendmessage", migrate_to_chat_id=-1001)
    assert api("sendMessage", chat_id=CHAT, text="x").json()["parameters"] == {
        "migrate_to_chat_id": -1001
    }


def test_rate_limits_when_enabled() -> None:
    now = [0.0]
    api = LocalBotApi(rate_limits=True, clock=lambda: now[0])
    api.private_chat(1)
    api.group_chat(-5, "Group")

    def send(chat_id: int) -> int:
        return api.call("sendMessage", {"chat_id": chat_id, "text": "x"})[0]

    assert [send(1) for _ in range(4)] == [200, 200, 200, 429]  # a burst of three
    assert api.calls[-1].response["parameters"] == {"retry_after": 1}
    now[0] = 1.0
    assert [send(1), send(1)] == [200, 429]  # then one a second
    assert LocalBotApi().call("sendMessage", {"chat_id": 1, "text": "x"})[0] == 400  # off

    now[0] = 10.0
    assert [send(-5) for _ in range(21)] == [200] * 20 + [429]  # 20 a minute in a group
    assert api.calls[-1].response["parameters"]["retry_after"] == 60
    now[0] = 70.5
    assert send(-5) == 200

    crowd = LocalBotApi(rate_limits=True, clock=lambda: now[0])
    for chat_id in range(100, 131):
        crowd.private_chat(chat_id)
    statuses = [crowd.call("sendMessage", {"chat_id": c, "text": "x"})[0] for c in range(100, 131)]
    assert statuses == [200] * 30 + [429]  # 30 a second overall


# --- PTB itself ------------------------------------------------------------------------------


async def test_ptb_talks_to_it_and_sees_telegrams_errors(server: LocalBotApiServer) -> None:
    async with Bot(server.api.token, base_url=server.base_url) as bot:
        assert (await bot.get_me()).username == "briefbot_test_bot"
        message = await bot.send_message(CHAT, "<b>hi</b>", parse_mode="HTML")
        assert message.text == "hi" and server.api.sent_to(CHAT)[-1].text == "<b>hi</b>"
        document = await bot.send_document(CHAT, document=b"BEGIN:VCALENDAR", filename="a.ics")
        assert document.document is not None and document.document.file_name == "a.ics"
        assert server.api.sent_to(CHAT)[-1].document == ("a.ics", b"BEGIN:VCALENDAR")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(CHAT, "x" * 4097)
        server.api.fail_next("sendMessage", retry_after=3)
        with pytest.raises(RetryAfter, match=r"Retry in (3 seconds|0:00:03)"):
            await bot.send_message(CHAT, "x")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="é" * 33)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):  # 66 bytes
            await bot.send_message(CHAT, "x", reply_markup=markup)
        server.api.fail_next(
            "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
        )
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "x")
        server.api.fail_next("sendMessage", migrate_to_chat_id=-100123)
        with pytest.raises(ChatMigrated):
            await bot.send_message(CHAT, "x")


# --- faults on command -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "description"),
    [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable")],
)
async def test_server_errors_reach_ptb_as_network_errors(
    server: LocalBotApiServer, code: int, description: str
) -> None:
    """PTB raises NetworkError (not BadRequest) for 5xx: the kind of error worth retrying."""
    server.api.fail_next("sendMessage", error_code=code)
    async with Bot(server.api.token, base_url=server.base_url) as bot:
        with pytest.raises(NetworkError) as failed:
            await bot.send_message(CHAT, "x")
        assert not isinstance(failed.value, BadRequest) and str(failed.value) == description
        assert (await bot.send_message(CHAT, "y")).text == "y"  # the next call goes through
    assert [m.text for m in server.api.sent_to(CHAT)] == ["y"]


@pytest.mark.parametrize("after_accepting", [False, True], ids=["before", "after"])
def test_a_reset_answers_nothing_and_delivers_only_after_accepting(
    server: LocalBotApiServer, http: httpx.Client, api: Api, after_accepting: bool
) -> None:
    server.api.reset_next("sendMessage", after_accepting=after_accepting)
    # ECONNRESET, not an orderly end of stream
    with pytest.raises(httpx.ReadError, match="Connection reset by peer"):
        api("sendMessage", chat_id=CHAT, text="lost answer")
    delivered = [m.text for m in server.api.sent_to(CHAT)]
    assert delivered == (["lost answer"] if after_accepting else [])
    [call] = server.api.calls_to("sendMessage")
    assert call.status == 0  # recorded as unanswered, with the answer that was lost, if any
    assert call.response.get("ok", False) is after_accepting
    assert server.api.injected_failures == 1
    assert api("sendMessage", chat_id=CHAT, text="next").status_code == 200


@pytest.mark.parametrize("after_accepting", [False, True], ids=["before", "after"])
async def test_a_timeout_holds_the_call_until_the_client_gives_up(
    server: LocalBotApiServer, after_accepting: bool
) -> None:
    server.api.time_out_next("sendMessage", after_accepting=after_accepting)
    request = HTTPXRequest(read_timeout=0.3)
    async with Bot(server.api.token, base_url=server.base_url, request=request) as bot:
        with pytest.raises(TimedOut):  # held unanswered: the client gave up reading
            await bot.send_message(CHAT, "late")
        assert (await bot.send_message(CHAT, "next")).text == "next"
    delivered = [m.text for m in server.api.sent_to(CHAT)]
    assert delivered == (["late", "next"] if after_accepting else ["next"])
    # the held connection is let go once the client hangs up
    _wait_until(lambda: server.open_connections == 0)


def test_faults_come_in_the_order_they_were_asked_for_and_in_process_too() -> None:
    api = LocalBotApi()
    api.private_chat(CHAT)
    api.fail_next("sendMessage", error_code=502)
    api.reset_next("sendMessage", after_accepting=True)
    api.time_out_next("sendMessage", times=2)
    send = {"chat_id": CHAT, "text": "x"}
    assert api.call("sendMessage", send) == (
        502,
        {"ok": False, "error_code": 502, "description": "Bad Gateway"},
    )
    with pytest.raises(NoAnswer) as reset:
        api.call("sendMessage", send)
    assert (reset.value.kind, reset.value.accepted) == ("reset", True)
    for _ in range(2):
        with pytest.raises(NoAnswer) as timed_out:
            api.call("sendMessage", send)
        assert (timed_out.value.kind, timed_out.value.accepted) == ("timeout", False)
    assert api.call("sendMessage", send)[0] == 200
    assert [c.status for c in api.calls] == [502, 0, 0, 0, 200]
    assert len(api.sent_to(CHAT)) == 2 and api.injected_failures == 4
