"""An in-memory Bot API: Telegram's methods, limits and error texts, for tests and the console.

It keeps chats, the bot's messages (with their edits), pending updates and a record of every
call, and it refuses what Telegram refuses, in Telegram's words: text over 4096 UTF-16 units
after parsing, malformed HTML, callback data over 64 bytes, more than 50 inline results, bad
command menus, answering a query twice, editing without a change. The user side
(``send_text``, ``press_button``, ``inline_query``) makes the updates a real client would.

It works on plain JSON dicts and never imports ``telegram``, so it checks the bot's requests
rather than PTB's idea of them. Thread-safe: one lock guards all state, because the HTTP front
serves each request on its own thread while tests add updates from theirs.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import math
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bot.console.html_entities import EntityParseError, parse_html
from bot.conversation.render import utf16_len
from bot.operations.telegram_limits import FloodLimits

Params = dict[str, Any]
Files = dict[str, tuple[str, bytes]]
Chat = dict[str, Any]

MESSAGE_LIMIT = 4096  # UTF-16 code units of the visible text
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
INLINE_BUTTONS_LIMIT = 100  # buttons in one inline keyboard ("reply markup is too long")
INLINE_RESULTS_LIMIT = 50
COMMANDS_LIMIT = 100
UPLOAD_LIMIT = 50 * 1024 * 1024
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_URL = re.compile(r"(https?|tg)://\S+")
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")
_BUTTON_KINDS = """callback_data url switch_inline_query switch_inline_query_current_chat
switch_inline_query_chosen_chat copy_text web_app login_url pay callback_game""".split()
# Telegram sends these only to bots that ask for them in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_RIGHTS = "can_change_info can_invite_users can_pin_messages can_manage_topics"
# The fields PTB requires of each kind of ChatMember, with a plain set of rights.
_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {
        "can_be_edited": False,
        "is_anonymous": False,
        **dict.fromkeys(
            f"""can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members
            can_promote_members can_post_messages can_post_stories can_edit_stories
            can_delete_stories {_RIGHTS}""".split(),
            True,
        ),
    },
    "member": {},
    "restricted": {
        "is_member": True,
        "until_date": 0,
        **dict.fromkeys(
            f"""can_send_messages can_send_polls can_send_other_messages can_send_audios
            can_add_web_page_previews can_send_documents can_send_photos can_send_videos
            can_send_video_notes can_send_voice_notes can_edit_tag can_react_to_messages
            {_RIGHTS}""".split(),
            False,
        ),
    },
    "left": {},
    "kicked": {"until_date": 0},
}


class ApiError(Exception):
    """A refused call: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, description: str, error_code: int = 400, parameters: Params | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class NoAnswer(Exception):
    """A call that gets no answer at all: the HTTP front acts it out, ``call`` raises it.

    ``kind`` is ``"reset"`` (the connection is torn down with a TCP reset) or ``"timeout"``
    (held open, unanswered, until the client gives up). ``accepted``: Telegram carried the
    call out before the answer was lost (the message is in the chat), which is what makes a
    client's retry a duplicate; otherwise the request never got that far. A request object
    that calls the API in process (the console's) sees it as an error of its own.
    """

    def __init__(self, kind: str, *, accepted: bool) -> None:
        super().__init__(f"no answer ({kind}, {'after' if accepted else 'before'} accepting)")
        self.kind = kind
        self.accepted = accepted


@dataclass(frozen=True)
class _Fault:
    """What one call of a method meets: Telegram's refusal, or no answer at all."""

    refusal: ApiError | None = None
    no_answer: str | None = None  # "reset" or "timeout"
    after_accepting: bool = False


def _trim(window: collections.deque[float], now: float, span: float) -> None:
    """Forget the times in ``window`` that are ``span`` seconds old or older."""
    while window and now - window[0] >= span:
        window.popleft()


def _bad(problem: str) -> ApiError:
    return ApiError(f"Bad Request: {problem}")


def _too_many(retry_after: int) -> ApiError:
    retry_after = max(retry_after, 1)
    return ApiError(
        f"Too Many Requests: retry after {retry_after}", 429, {"retry_after": retry_after}
    )


# What a send to a chat the bot can no longer reach answers, by chat type.
_GONE = {
    "private": "Forbidden: bot was blocked by the user",
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
    "channel": "Forbidden: bot is not a member of the channel chat",
}
# ... and what it answers once the bot left a group of its own accord.
_LEFT = {
    **_GONE,
    "group": "Forbidden: bot is not a member of the group chat",
    "supergroup": "Forbidden: bot is not a member of the supergroup chat",
}
_MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
# What Telegram says with each error code, when a test injects one without words.
_DESCRIPTIONS = {
    403: _GONE["private"],
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
# Who Telegram says sent a message on a group's own behalf (an anonymous admin, a migration).
_GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class Hold:
    """Calls of one method wait here until :meth:`release`: a test stops them mid-call.

    Where ``delay_next`` guesses how long is long enough, a hold is exact: the calls wait
    on their own request threads for as long as the test needs (until it sees the bot do
    something, say), and ``arrived`` counts them, so the test can wait for that too.
    """

    def __init__(self, after: int = 0) -> None:
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._arrived = 0
        self._after = after

    @property
    def arrived(self) -> int:
        """Calls that have reached the hold so far (waiting or let through)."""
        with self._lock:
            return self._arrived

    @property
    def holding(self) -> bool:
        """Whether a call is waiting here now (or has since been let through)."""
        return self.arrived > self._after

    def pass_through(self) -> None:
        with self._lock:
            self._arrived += 1
            if self._arrived <= self._after:
                return
        self._released.wait()

    def release(self) -> None:
        self._released.set()


@dataclass(frozen=True)
class Call:
    """One call as the bot made it and as it was answered; ``at`` is ``time.monotonic()``."""

    method: str
    params: Params
    files: Files | None
    status: int
    response: dict[str, Any]
    at: float


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits)."""

    chat_id: int
    message_id: int
    text: str  # as sent: raw HTML in HTML parse mode; the caption of a document
    plain: str  # what the reader sees
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int
    document: tuple[str, bytes] | None = None  # file name and content
    file_id: str | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[str] = field(default_factory=list)  # every text it has shown, in order

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Rows of (label, callback data or URL): what a reader can press."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        kinds = ("callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat")
        return [
            [(str(b.get("text", "")), next((b[k] for k in kinds if k in b), None)) for b in row]
            for row in rows
        ]


Handler = Callable[["LocalBotApi", Params, Files], Any]
_H = TypeVar("_H", bound=Handler)
_METHODS: dict[str, tuple[str, Handler]] = {}  # lower-case name -> (Telegram's name, handler)


def _method(name: str) -> Callable[[_H], _H]:
    """Registers the implementation of a Bot API method; names are case-insensitive."""

    def register(handler: _H) -> _H:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def _canonical(method: str) -> str:
    return _METHODS.get(method.lower(), (method, None))[0]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _parse_mode(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if str(value).lower() == "html":
        return "HTML"
    raise _bad(f"unsupported parse_mode {value!r} (this local Bot API checks HTML only)")


def _text(raw: Any, parse_mode: str | None, limit: int, *, caption: bool = False) -> str:
    """Telegram's checks of a message text or caption; returns what the reader sees."""
    text = "" if raw is None else str(raw)
    try:
        text.encode()
    except UnicodeEncodeError:
        raise _bad("strings must be encoded in UTF-8") from None
    try:
        plain = parse_html(text) if parse_mode == "HTML" else text
    except EntityParseError as error:
        raise _bad(error.description[0].lower() + error.description[1:]) from None
    if not caption and not plain.strip():
        raise _bad("message text is empty")
    if utf16_len(plain) > limit:
        raise _bad("message caption is too long" if caption else "message is too long")
    return plain


def _markup(markup: Any) -> dict[str, Any] | None:
    """Checks a reply_markup; returns the inline keyboard a message carries, if any."""
    if markup in (None, "", {}):
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards and their removal are not part of the message
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('field "inline_keyboard" must be of type Array')
    if sum(len(row) for row in rows) > INLINE_BUTTONS_LIMIT:
        raise _bad("reply markup is too long")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
        if not button["text"]:
            raise _bad("BUTTON_TEXT_INVALID")
        kinds = [kind for kind in _BUTTON_KINDS if kind in button]
        if not kinds:
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if len(kinds) > 1:
            raise _bad("BUTTON_TYPE_INVALID")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
            raise _bad("BUTTON_DATA_INVALID")
        if "url" in button and not _BUTTON_URL.fullmatch(str(button["url"])):
            raise _bad("BUTTON_URL_INVALID")
    return markup if any(rows) else None


class LocalBotApi:
    """Telegram, as far as one bot can tell: ``call`` is the Bot API, the rest is its users.

    ``rate_limits`` turns on flood limits on sent messages, timed by ``clock``: ``True`` for
    Telegram's (30 a second overall, one a second per private chat after a burst of three, 20
    a minute per group or channel), or a :class:`FloodLimits`, say ``FloodLimits().scaled(10)``
    so a fan-out benchmark meets the same shape of limits in a tenth of the time. Refusals are
    counted: ``too_many_requests`` for 429s a flood limit gave, ``injected_failures`` for
    every fault a test asked for (``fail_next``, 429 or not, ``reset_next``,
    ``time_out_next``), so a benchmark can tell the two apart.
    ``latency`` adds seconds to every call, as a distant server would. ``record_calls=False``
    keeps no ``calls``, so a long benchmark does not grow without end; the counts stay.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        username: str = "briefbot_test_bot",
        first_name: str = "briefbot",
        rate_limits: bool | FloodLimits = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        latency: float = 0.0,
        record_calls: bool = True,
    ) -> None:
        self._condition = threading.Condition(threading.RLock())  # first: setters take it
        self._token = token
        self._bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.flood_limits: FloodLimits | None = None  # the limits in force, if any
        self.rate_limits = rate_limits
        self.record_calls = record_calls
        self.too_many_requests = 0  # 429s given because a flood limit was exceeded
        self.injected_failures = 0  # faults given because a test asked (fail_next, …)
        self._delivered: dict[int, int] = {}  # chat -> messages the bot sent there
        self.messages_sent = 0  # in all chats
        self._gone: dict[int, str] = {}  # chat -> the 403 a send there gets
        self._migrated: dict[int, int] = {}  # old group id -> its supergroup's id
        self.clock = clock
        self.wall_clock = wall_clock  # message dates, in seconds since the epoch
        self.latency = latency
        self.calls: list[Call] = []
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, BotMessage]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.settings: dict[tuple[str, str], Any] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.webhook_deliveries = 0  # updates the bot's webhook accepted (2xx)
        self.webhook_refusals: dict[int, int] = {}  # HTTP status (0: no answer) -> times
        self.inline_answers: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self._usernames: dict[str, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default
        self._update_ids = itertools.count(1)
        self._user_message_ids = itertools.count(1_000_000)
        self._query_ids = itertools.count(1)
        self._open_queries: dict[str, str] = {}  # query id -> "callback" or "inline"
        self._inline_queries: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._holds: dict[str, Hold] = {}
        self._sends: collections.deque[float] = collections.deque()  # the last second's sends
        self._private_allowance: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._group_sends: dict[int, collections.deque[float]] = {}  # the last minute's
        self._polls = 0  # getUpdates calls so far: a newer one ends an older one
        self._wakeups = 0  # long polls released by a stopping server

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        return self._bot_user

    @property
    def rate_limits(self) -> bool:
        """Whether flood limits are on; ``flood_limits`` says which."""
        return self.flood_limits is not None

    @rate_limits.setter
    def rate_limits(self, limits: bool | FloodLimits) -> None:
        with self._condition:
            if isinstance(limits, FloodLimits):
                self.flood_limits = limits
            else:
                self.flood_limits = FloodLimits() if limits else None

    # --- the Bot API ---------------------------------------------------------------------

    def call(
        self, method: str, params: Params, files: Files | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One Bot API call -> (HTTP status, JSON body), recorded in ``calls``.

        Raises :class:`NoAnswer` for a call ``reset_next`` or ``time_out_next`` took: it is
        recorded with status 0 (and, when it was carried out, the answer that was lost).
        """
        name, handler = _METHODS.get(method.lower(), (method, None))
        with self._condition:
            faults, delays = self._faults.get(name), self._delays.get(name)
            fault = faults.pop(0) if faults else None
            delay = self.latency + (delays.pop(0) if delays else 0.0)
            if fault is not None:
                self.injected_failures += 1
            hold = self._holds.get(name)
        if delay > 0:
            time.sleep(delay)  # on this request's own thread, as a slow link would
        if hold is not None:
            hold.pass_through()
        status, body = 0, {}
        try:
            if handler is None:
                raise ApiError("Not Found", 404)
            if fault is not None and fault.refusal is not None:
                refusal = fault.refusal
                raise ApiError(refusal.description, refusal.error_code, refusal.parameters)
            if fault is None or fault.after_accepting:
                with self._condition:
                    result = handler(self, params, files or {})
                status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.error_code, error.body()
        no_answer = fault.no_answer if fault is not None else None
        if self.record_calls:
            answered = status if no_answer is None else 0
            with self._condition:
                self.calls.append(Call(name, params, files, answered, body, time.monotonic()))
        if no_answer is not None:
            raise NoAnswer(no_answer, accepted=status == 200)
        return status, body

    def calls_to(self, method: str) -> list[Call]:
        name = _canonical(method)
        with self._condition:
            return [call for call in self.calls if call.method == name]

    # --- faults, on command ----------------------------------------------------------------
    #
    # Each takes the next ``times`` calls of one method, in the order they were asked for:
    # ``fail_next`` answers with Telegram's refusal (429, 5xx, 403, 400, a migrated group);
    # ``reset_next`` and ``time_out_next`` give no answer at all, either before Telegram
    # carried the call out or after (``after_accepting``: the message is in the chat, only
    # its answer is lost, so a client that sends it again makes a duplicate).
    # ``delay_next`` slows calls down without failing them, and combines with the others.

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail as Telegram would.

        Without a ``description``, the code's usual one: "Bad Gateway" for 502, "Forbidden:
        bot was blocked by the user" for 403, and so on.
        """
        parameters: Params = {}
        if retry_after is not None and error_code == 400:
            error_code = 429
        if description is None:
            description = _DESCRIPTIONS.get(error_code, "Bad Request: injected failure")
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = f"Too Many Requests: retry after {retry_after}"
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
            description = _MIGRATED
        refusal = ApiError(description, error_code, parameters or None)
        self._inject(method, _Fault(refusal=refusal), times)

    def reset_next(self, method: str, *, after_accepting: bool = False, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` lose their connection: read in full, then
        answered with a TCP reset. ``after_accepting``: carried out first (see above)."""
        self._inject(method, _Fault(no_answer="reset", after_accepting=after_accepting), times)

    def time_out_next(self, method: str, *, after_accepting: bool = False, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get no answer: the connection is held open
        until the client gives up (its read timeout), then closed. ``after_accepting``:
        carried out first, so the message arrives although the client saw a timeout."""
        self._inject(method, _Fault(no_answer="timeout", after_accepting=after_accepting), times)

    def _inject(self, method: str, fault: _Fault, times: int) -> None:
        with self._condition:
            self._faults.setdefault(_canonical(method), []).extend([fault] * times)

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` take ``seconds`` longer (a slow link)."""
        with self._condition:
            self._delays.setdefault(_canonical(method), []).extend([seconds] * times)

    def hold(self, method: str, after: int = 0) -> Hold:
        """Hold every call of ``method`` from now on, but the first ``after``, until the
        returned hold is released (or the server stops); later calls of a released hold go
        straight through. ``after`` stops a process at an exact point of its work, however
        fast or slow the machine runs it."""
        hold = Hold(after)
        with self._condition:
            self._holds[_canonical(method)] = hold
        return hold

    def forget_calls(self) -> None:
        """Drop the record of calls so far (a long benchmark must not grow without end)."""
        with self._condition:
            self.calls.clear()

    def release_long_polls(self) -> None:
        """End every waiting getUpdates (and the webhook pusher's wait) with no updates, and
        let every held call through, so a stopping server stops at once."""
        with self._condition:
            self._wakeups += 1
            for hold in self._holds.values():
                hold.release()
            self._condition.notify_all()

    # --- chats and messages --------------------------------------------------------------

    def _chat(self, chat_id: Any) -> Chat:
        if chat_id in (None, ""):
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = self._usernames.get(chat_id[1:].lower())
        else:
            found = _int(chat_id)
        if found not in self.chats:
            raise _bad("chat not found")
        return self.chats[found]

    def _check_reachable(self, chat: Chat) -> None:
        """A group that moved, or a chat that blocked or removed the bot, refuses sends."""
        moved = self._migrated.get(chat["id"])
        if moved is not None:
            raise ApiError(_MIGRATED, 400, {"migrate_to_chat_id": moved})
        gone = self._gone.get(chat["id"])
        if gone is not None:
            raise ApiError(gone, 403)

    def _check_flood(self, chat: Chat) -> None:
        """Telegram's flood limits on messages sent, when ``rate_limits`` is on."""
        self._check_reachable(chat)
        limits = self.flood_limits
        if limits is None:
            return
        try:
            self._check_limits(chat, limits)
        except ApiError:
            self.too_many_requests += 1
            raise

    def _check_limits(self, chat: Chat, limits: FloodLimits) -> None:
        """Sliding windows overall (a second) and per group (a minute); a bucket per person.

        Each window is a deque trimmed to its span, so a check costs the same after ten
        thousand sends as after ten; a refused send uses up nothing.
        """
        now = self.clock()
        per_second = max(int(limits.overall_per_second), 1)
        _trim(self._sends, now, 1.0)
        if len(self._sends) >= per_second:
            raise _too_many(math.ceil(1 - (now - self._sends[-per_second])))
        if chat["type"] == "private":
            burst = float(limits.private_burst)
            tokens, at = self._private_allowance.get(chat["id"], (burst, now))
            tokens = min(burst, tokens + (now - at) * limits.private_per_second)
            if tokens < 1:
                raise _too_many(math.ceil((1 - tokens) / limits.private_per_second))
            self._private_allowance[chat["id"]] = (tokens - 1, now)
        else:
            per_minute = max(int(limits.group_per_minute), 1)
            sent = self._group_sends.setdefault(chat["id"], collections.deque())
            _trim(sent, now, 60.0)
            if len(sent) >= per_minute:
                raise _too_many(math.ceil(60 - (now - sent[-per_minute])))
            sent.append(now)
        self._sends.append(now)

    def _store(
        self, chat: Chat, text: str, plain: str, mode: str | None, markup: dict[str, Any] | None
    ) -> BotMessage:
        chat_messages = self.messages.setdefault(chat["id"], {})
        message_id = len(chat_messages) + 1  # deleted messages stay, flagged
        date = int(self.wall_clock())
        message = BotMessage(chat["id"], message_id, text, plain, mode, markup, date)
        message.history.append(text)
        chat_messages[message_id] = message
        self._delivered[chat["id"]] = self._delivered.get(chat["id"], 0) + 1
        self.messages_sent += 1
        return message

    def _as_dict(self, message: BotMessage) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        body: dict[str, Any] = {"message_id": message.message_id, "date": message.date}
        body["chat"] = chat
        if chat["type"] == "channel":
            body["sender_chat"] = chat
        else:
            body["from"] = self._bot_user
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.document is None:
            body["text"] = message.plain
        else:
            name, content = message.document
            body["document"] = {
                "file_id": message.file_id,
                "file_unique_id": f"u{message.file_id}",
                "file_name": name,
                "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
                "file_size": len(content),
            }
            if message.plain:
                body["caption"] = message.plain
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body

    @_method("sendMessage")
    def _send_message(self, p: Params, files: Files) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        mode = _parse_mode(p.get("parse_mode"))
        plain = _text(p.get("text"), mode, MESSAGE_LIMIT)
        markup = _markup(p.get("reply_markup"))
        self._check_flood(chat)
        return self._as_dict(self._store(chat, str(p["text"]), plain, mode, markup))

    @_method("sendDocument")
    def _send_document(self, p: Params, files: Files) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        if "document" in files:  # an upload: multipart/form-data
            file_id, document = f"doc{len(self.files) + 1}", files["document"]
        elif p.get("document"):  # a file_id of a document sent before
            file_id = str(p["document"])
            if file_id not in self.files:
                raise _bad("wrong file identifier/HTTP URL specified")
            document = self.files[file_id]
        else:
            raise _bad("there is no document in the request")
        if not document[1]:
            raise _bad("file must be non-empty")
        if len(document[1]) > UPLOAD_LIMIT:
            raise ApiError("Request Entity Too Large", 413)
        mode = _parse_mode(p.get("parse_mode"))
        plain = _text(p.get("caption"), mode, CAPTION_LIMIT, caption=True)
        markup = _markup(p.get("reply_markup"))
        self._check_flood(chat)
        message = self._store(chat, str(p.get("caption") or ""), plain, mode, markup)
        message.document, message.file_id = document, file_id
        self.files[file_id] = document
        return self._as_dict(message)

    @_method("getFile")
    def _get_file(self, p: Params, files: Files) -> dict[str, Any]:
        file_id = str(p.get("file_id") or "")
        if file_id not in self.files:
            raise _bad("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id][1]),
            "file_path": f"documents/{file_id}",
        }

    def download(self, file_path: str) -> bytes | None:
        """The content behind a getFile ``file_path``, or None."""
        with self._condition:
            found = self.files.get(file_path.removeprefix("documents/"))
        return None if found is None else found[1]

    def _editable(self, p: Params, verb: str) -> BotMessage:
        chat = self._chat(p.get("chat_id"))
        message = self.messages.get(chat["id"], {}).get(_int(p.get("message_id")))
        if message is None or message.deleted:
            raise _bad(f"message to {verb} not found")
        return message

    def _edit(
        self,
        message: BotMessage,
        text: str,
        plain: str,
        mode: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        # Telegram compares what the reader would see; the raw text stands in for entities.
        if (text, plain, markup) == (message.text, message.plain, message.reply_markup):
            raise _bad(NOT_MODIFIED)
        if text != message.text:
            message.history.append(text)
        message.text, message.plain, message.parse_mode = text, plain, mode
        message.reply_markup = markup
        message.edit_date = int(self.wall_clock())
        return self._as_dict(message)

    @_method("editMessageText")
    def _edit_text(self, p: Params, files: Files) -> dict[str, Any] | bool:
        mode = _parse_mode(p.get("parse_mode"))
        plain = _text(p.get("text"), mode, MESSAGE_LIMIT)
        markup = _markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True  # messages sent through inline mode are not kept here
        message = self._editable(p, "edit")
        if message.document is not None:
            raise _bad("there is no text in the message to edit")
        return self._edit(message, str(p["text"]), plain, mode, markup)

    @_method("editMessageReplyMarkup")
    def _edit_reply_markup(self, p: Params, files: Files) -> dict[str, Any] | bool:
        markup = _markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True
        message = self._editable(p, "edit")
        return self._edit(message, message.text, message.plain, message.parse_mode, markup)

    @_method("deleteMessage")
    def _delete_message(self, p: Params, files: Files) -> bool:
        self._editable(p, "delete").deleted = True
        return True

    # --- queries -------------------------------------------------------------------------

    def _close_query(self, query_id: Any, kind: str) -> None:
        if self._open_queries.get(str(query_id)) != kind:
            raise _bad(QUERY_TOO_OLD)
        del self._open_queries[str(query_id)]

    @_method("answerCallbackQuery")
    def _answer_callback_query(self, p: Params, files: Files) -> bool:
        if len(str(p.get("text") or "")) > CALLBACK_ANSWER_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        self._close_query(p.get("callback_query_id"), "callback")
        return True

    @_method("answerInlineQuery")
    def _answer_inline_query(self, p: Params, files: Files) -> bool:
        results = p.get("results") or []
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise _bad("can't parse results JSON object")
        if len(results) > INLINE_RESULTS_LIMIT:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                mode = _parse_mode(content.get("parse_mode"))
                _text(content["message_text"], mode, MESSAGE_LIMIT)
            _markup(result.get("reply_markup"))
        self._close_query(p.get("inline_query_id"), "inline")
        self.inline_answers[str(p["inline_query_id"])] = results
        return True

    # --- the bot's settings and its chats ------------------------------------------------

    @staticmethod
    def _scope(p: Params) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    @_method("setMyCommands")
    def _set_my_commands(self, p: Params, files: Files) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise _bad("can't parse commands JSON object")
        if len(commands) > COMMANDS_LIMIT:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    @_method("getMyCommands")
    def _get_my_commands(self, p: Params, files: Files) -> list[dict[str, Any]]:
        return self.commands.get(self._scope(p), [])

    @_method("deleteMyCommands")
    def _delete_my_commands(self, p: Params, files: Files) -> bool:
        self.commands.pop(self._scope(p), None)
        return True

    @_method("getChat")
    def _get_chat(self, p: Params, files: Files) -> dict[str, Any]:
        gifts = ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"]
        return {
            **self._chat(p.get("chat_id")),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys([*gifts, "gifts_from_channels"], False),
        }

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        status = self.members.get((chat_id, user_id), "member")
        user = self._bot_user if user_id == self._bot_user["id"] else self._person(user_id)
        return self._as_member(user, status)

    @staticmethod
    def _as_member(user: dict[str, Any], status: str) -> dict[str, Any]:
        """A ChatMember of the kind ``status`` names, with the fields PTB requires of it."""
        return {"status": status, "user": user, **_MEMBER_FIELDS[status]}

    @_method("getChatMember")
    def _get_chat_member(self, p: Params, files: Files) -> dict[str, Any]:
        return self._member(self._chat(p.get("chat_id"))["id"], _int(p.get("user_id")))

    @_method("getChatAdministrators")
    def _get_chat_administrators(self, p: Params, files: Files) -> list[dict[str, Any]]:
        chat = self._chat(p.get("chat_id"))
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        return [
            self._member(chat_id, user_id)
            for (chat_id, user_id), status in self.members.items()
            if chat_id == chat["id"] and status in ("creator", "administrator")
        ]

    # --- updates -------------------------------------------------------------------------

    @_method("getUpdates")
    def _get_updates(self, p: Params, files: Files) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = _int(p.get("offset"))
        if offset < 0:  # the last -offset updates; all earlier ones are forgotten
            self._updates = self._updates[offset:]
        elif offset > 0:  # confirms, and so forgets, every update before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = min(max(_int(p.get("limit")) or 100, 1), 100)
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        self._polls += 1
        poll, wakeups = self._polls, self._wakeups
        self._condition.notify_all()  # an older poll still waiting ends with a conflict
        deadline = time.monotonic() + max(float(p.get("timeout") or 0), 0.0)
        while True:
            if self._polls != poll:
                raise ApiError(
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                    409,
                )
            ready = [u for u in self._updates if self._wanted(u)][:limit]
            remaining = deadline - time.monotonic()
            if ready or self._wakeups != wakeups or remaining <= 0:
                return ready
            self._condition.wait(remaining)

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    @_method("setWebhook")
    def _set_webhook(self, p: Params, files: Files) -> bool:
        """Telegram's rules, except that plain HTTP is allowed to a loopback address.

        Tests serve the bot's webhook on 127.0.0.1, where TLS would prove nothing.
        """
        url = str(p.get("url") or "")
        loopback = urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
        if url and not (url.startswith("https://") or (url.startswith("http://") and loopback)):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("bad webhook: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret}
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._condition.notify_all()  # a webhook pusher waiting for a URL
        return True

    def next_webhook_update(
        self, timeout: float, skip: Callable[[dict[str, Any]], bool] | None = None
    ) -> tuple[dict[str, Any], str, str | None] | None:
        """The oldest update waiting for the webhook, its URL and secret; None on timeout.

        The update stays queued until :meth:`webhook_delivered`, so one the bot did not
        accept (an error status, a refused connection) is posted again, as Telegram does.
        ``skip``: updates the caller cannot post now (being posted, or their chat's is).
        """
        deadline = time.monotonic() + timeout
        with self._condition:
            wakeups = self._wakeups
            while True:
                url = self.webhook["url"]
                ready = (
                    [u for u in self._updates if self._wanted(u) and not (skip and skip(u))]
                    if url
                    else []
                )
                if ready:
                    return ready[0], url, self.webhook.get("secret_token")
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._wakeups != wakeups:  # timed out, or stopping
                    return None
                self._condition.wait(remaining)

    @property
    def polls(self) -> int:
        """getUpdates calls so far; one that waits holds no lock, so a test that sees the
        count move knows the poll is waiting (or already answered)."""
        with self._condition:
            return self._polls

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (by a later getUpdates offset, or a 2xx)."""
        with self._condition:
            return len(self._updates)

    def webhook_delivered(self, update_id: int) -> None:
        with self._condition:
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
            self.webhook_deliveries += 1
            self._condition.notify_all()  # the chat's next update may be posted now

    def webhook_refused(self, status: int) -> None:
        with self._condition:
            self.webhook_refusals[status] = self.webhook_refusals.get(status, 0) + 1

    @_method("deleteWebhook")
    def _delete_webhook(self, p: Params, files: Files) -> bool:
        return self._set_webhook({"drop_pending_updates": p.get("drop_pending_updates")}, files)

    @_method("getWebhookInfo")
    def _get_webhook_info(self, p: Params, files: Files) -> dict[str, Any]:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # --- the user side -------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue any update (``{"edited_message": ...}``); returns its update_id."""
        with self._condition:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._condition.notify_all()
            return update_id

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Ana",
        language_code: str = "en",
        username: str | None = None,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        found["language_code"] = language_code
        if username:
            found["username"] = username
        with self._condition:
            self.users[user_id] = found
        return found

    def _register(self, chat: Chat) -> Chat:
        with self._condition:
            self.chats[chat["id"]] = chat
            if chat.get("username"):
                self._usernames[str(chat["username"]).lower()] = chat["id"]
        return chat

    def private_chat(
        self, user_id: int, *, first_name: str = "Ana", language_code: str = "en"
    ) -> Chat:
        if user_id not in self.users:
            self.user(user_id, first_name=first_name, language_code=language_code)
        return self._register({"id": user_id, "type": "private", "first_name": first_name})

    def group_chat(self, chat_id: int, title: str, *, supergroup: bool = False) -> Chat:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if supergroup else "group"
        return self._register({"id": chat_id, "type": kind, "title": title})

    def channel(self, chat_id: int, username: str, title: str) -> Chat:
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        return self._register(
            {"id": chat_id, "type": "channel", "title": title, "username": username}
        )

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for ``user_id`` in ``chat_id`` (default "member")."""
        if status not in _MEMBER_FIELDS:
            raise ValueError(f"unknown chat member status {status!r}")
        with self._condition:
            self.members[(chat_id, user_id)] = status

    # --- the bot's membership, as Telegram reports it ----------------------------------------

    def _known(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ValueError(
                f"no chat {chat_id}: make it with private_chat, group_chat or channel"
            )
        return chat

    def _person(self, user_id: int) -> dict[str, Any]:
        """The user ``user_id`` as Telegram shows them: as registered, or a stand-in."""
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"user{user_id}",
        }

    def _bot_status(self, chat_id: int, default: str) -> str:
        return self.members.get((chat_id, self._bot_user["id"]), default)

    def chat_member_update(
        self, chat_id: int, by_user_id: int, old_status: str, new_status: str
    ) -> int:
        """Push the ``my_chat_member`` update Telegram sends when the bot's status changes.

        It records ``new_status`` as the bot's own (what getChatMember answers) but leaves
        sends alone: ``block_bot``, ``remove_bot`` and ``add_bot`` decide those, so a test can
        push an odd transition without its consequences. Returns the update_id.
        """
        for status in (old_status, new_status):
            if status not in _MEMBER_FIELDS:
                raise ValueError(f"unknown chat member status {status!r}")
        with self._condition:
            chat = self._known(chat_id)
            self.members[(chat_id, self._bot_user["id"])] = new_status
            change = {
                "chat": chat,
                "from": self._person(by_user_id),
                "date": int(self.wall_clock()),
                "old_chat_member": self._as_member(self._bot_user, old_status),
                "new_chat_member": self._as_member(self._bot_user, new_status),
            }
            # Under the lock, so updates come in the order the states changed.
            return self.push_update({"my_chat_member": change})

    def block_bot(self, user_id: int) -> int:
        """The person blocks the bot: every send to their chat gets 403 until they unblock it."""
        with self._condition:
            if user_id not in self.chats:
                name = self._person(user_id)["first_name"]
                self.private_chat(user_id, first_name=name)
            old = self._bot_status(user_id, "member")
            self._gone[user_id] = _GONE["private"]
            return self.chat_member_update(user_id, user_id, old, "kicked")

    def unblock_bot(self, user_id: int) -> int:
        """The person unblocks the bot (restarts it): sends get through again."""
        with self._condition:
            old = self._bot_status(user_id, "kicked")
            self._gone.pop(user_id, None)
            return self.chat_member_update(user_id, user_id, old, "member")

    def remove_bot(self, chat_id: int, by_user_id: int, *, kicked: bool = True) -> int:
        """The bot is out of a group or channel: ``kicked`` by an admin, or else it left.

        Sends there get Telegram's 403 from now on (a kicked bot and one that left are told
        apart, as Telegram does for groups) until ``add_bot``.
        """
        with self._condition:
            chat = self._known(chat_id)
            if chat["type"] == "private":
                raise ValueError("a person blocks the bot in a private chat: use block_bot")
            self._gone[chat_id] = (_GONE if kicked else _LEFT)[chat["type"]]
            old = self._bot_status(chat_id, "member")
            new = "kicked" if kicked else "left"
            return self.chat_member_update(chat_id, by_user_id, old, new)

    def add_bot(self, chat_id: int, by_user_id: int, *, status: str = "member") -> int:
        """An admin adds the bot to a group or channel, or promotes it (``administrator``).

        The old status is the one recorded, or "left" when none is: the bot is joining.
        """
        if status not in ("member", "administrator"):
            raise ValueError(f"the bot is added as a member or an administrator, not {status!r}")
        with self._condition:
            chat = self._known(chat_id)
            if chat["type"] == "private":
                raise ValueError("a person unblocks the bot in a private chat: use unblock_bot")
            self._gone.pop(chat_id, None)
            old = self._bot_status(chat_id, "left")
            return self.chat_member_update(chat_id, by_user_id, old, status)

    def migrate_group(self, old_id: int, new_id: int, *, by_user_id: int | None = None) -> Chat:
        """A basic group becomes a supergroup: a new id, and sends to the old one refused.

        Sends to ``old_id`` get 400 with ``migrate_to_chat_id`` from now on; memberships
        (the bot's too) carry over. Telegram posts a service message in each chat:
        ``migrate_to_chat_id`` in the old group, from whoever upgraded it (``by_user_id``,
        else its creator, else an anonymous admin), and ``migrate_from_chat_id`` in the
        supergroup, from GroupAnonymousBot on the supergroup's behalf. Returns the new chat.
        """
        with self._condition:
            old = self._known(old_id)
            if old["type"] != "group":
                raise ValueError(f"chat {old_id} is a {old['type']}, not a basic group")
            if new_id >= 0 or new_id == old_id:
                raise ValueError("a supergroup gets a new, negative id")
            new = self._register({"id": new_id, "type": "supergroup", "title": old.get("title")})
            for (chat_id, user_id), status in list(self.members.items()):
                if chat_id == old_id:
                    self.members[(new_id, user_id)] = status
            if old_id in self._gone:  # a bot out of the group is out of the supergroup
                self._gone[new_id] = _LEFT["supergroup"]
            self._migrated[old_id] = new_id
            if by_user_id is None:
                by_user_id = next(
                    (
                        user
                        for (chat_id, user), status in self.members.items()
                        if chat_id == old_id and status == "creator"
                    ),
                    None,
                )
            date = int(self.wall_clock())
            moved_out: dict[str, Any] = {"message_id": next(self._user_message_ids), "date": date}
            if by_user_id is None:
                moved_out.update({"from": _GROUP_ANONYMOUS_BOT, "sender_chat": old})
            else:
                moved_out["from"] = self._person(by_user_id)
            moved_out.update({"chat": old, "migrate_to_chat_id": new_id})
            moved_in = {
                "message_id": next(self._user_message_ids),
                "date": date,
                "from": _GROUP_ANONYMOUS_BOT,
                "sender_chat": new,
                "chat": new,
                "migrate_from_chat_id": old_id,
            }
            self.push_update({"message": moved_out})
            self.push_update({"message": moved_in})
            return new

    # --- counts, for tests and benchmarks --------------------------------------------------

    def messages_sent_to(self, chat_id: int) -> int:
        """Messages the bot sent to ``chat_id`` (edits not counted)."""
        with self._condition:
            return self._delivered.get(chat_id, 0)

    def deliveries(self) -> dict[int, int]:
        """Chat id -> messages the bot sent there."""
        with self._condition:
            return dict(self._delivered)

    def send_text(self, chat: Chat, user: dict[str, Any], text: str) -> int:
        """A person types ``text`` in ``chat``; a leading command gets its bot_command entity."""
        self._register(chat)
        with self._condition:
            self.users.setdefault(user["id"], user)
        message: dict[str, Any] = {
            "message_id": next(self._user_message_ids),
            "date": int(self.wall_clock()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        command = _BOT_COMMAND.match(text)
        if command:
            length = utf16_len(command.group())
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push_update({"message": message})

    def press_button(
        self, chat_id: int, message_id: int, callback_data: str, user: dict[str, Any]
    ) -> int:
        """A person presses a button carrying ``callback_data`` (forged data is allowed)."""
        with self._condition:
            query_id = str(next(self._query_ids))
            self._open_queries[query_id] = "callback"
            stored = self.messages.get(chat_id, {}).get(message_id)
            message = self._as_dict(stored) if stored is not None else None
            chat = self.chats.get(chat_id)
        if message is None and chat is not None:  # pressed before this API saw the message
            message = {"message_id": message_id, "date": 0, "chat": chat, "text": ""}
            message["from"] = self._bot_user
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "chat_instance": str(chat_id),
            "data": callback_data,
        }
        if message is not None:
            query["message"] = message
        return self.push_update({"callback_query": query})

    def inline_query(
        self, user: dict[str, Any], query: str, *, offset: str = "", chat_type: str = "private"
    ) -> int:
        """A person types ``@bot query``; answers land in ``inline_answers[query id]``."""
        if len(query) > 256:
            raise ValueError("Telegram clients send at most 256 characters of inline query")
        with self._condition:
            query_id = str(next(self._query_ids))
            self._open_queries[query_id] = "inline"
            inline = {"id": query_id, "from": user, "query": query, "offset": offset}
            inline["chat_type"] = chat_type
            self._inline_queries[query_id] = inline
        return self.push_update({"inline_query": inline})

    def choose_inline_result(self, user: dict[str, Any], result_id: str) -> int:
        """The person picks ``result_id`` from the latest answer to their inline query."""
        with self._condition:
            offered = [
                (query_id, result)
                for query_id, results in self.inline_answers.items()
                if self._inline_queries[query_id]["from"]["id"] == user["id"]
                for result in results
                if result["id"] == result_id
            ]
        if not offered:
            raise ValueError(f"no answer offered user {user['id']} the result {result_id!r}")
        query_id, result = offered[-1]
        query = self._inline_queries[query_id]["query"]
        chosen = {"result_id": result_id, "from": user, "query": query}
        if result.get("reply_markup"):  # only then can the bot edit the sent message
            chosen["inline_message_id"] = f"inline-{query_id}-{result_id}"
        return self.push_update({"chosen_inline_result": chosen})

    # --- reading what the bot did --------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in ``chat_id`` that are not deleted, oldest first."""
        with self._condition:
            return [m for m in self.messages.get(chat_id, {}).values() if not m.deleted]

    def last_to(self, chat_id: int) -> BotMessage | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``predicate()`` holds; the error names the last calls, to show why not."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                with self._condition:
                    recent = [(c.method, c.status) for c in self.calls[-8:]]
                raise TimeoutError(f"condition not met in {timeout} s; last calls: {recent}")
            await asyncio.sleep(0.002)


def _get_me(api: LocalBotApi, p: Params, files: Files) -> dict[str, Any]:
    return api.bot_user


def _always_true(api: LocalBotApi, p: Params, files: Files) -> bool:
    return True


def _bot_setting(setter: str, getter: str, name: str, key: str, default: Any) -> None:
    """A bot setting kept per language (or per chat) and answered back by its getter."""

    def store(api: LocalBotApi, p: Params, files: Files) -> bool:
        api.settings[(name, str(p.get(key) or ""))] = p.get(name) or default
        return True

    def read(api: LocalBotApi, p: Params, files: Files) -> Any:
        value = api.settings.get((name, str(p.get(key) or "")), default)
        return value if name == "menu_button" else {name: value}

    _method(setter)(store)
    _method(getter)(read)


_method("getMe")(_get_me)
_method("logOut")(_always_true)
_method("close")(_always_true)
_bot_setting("setMyName", "getMyName", "name", "language_code", "")
_bot_setting("setMyDescription", "getMyDescription", "description", "language_code", "")
_bot_setting(
    "setMyShortDescription", "getMyShortDescription", "short_description", "language_code", ""
)
_bot_setting(
    "setChatMenuButton", "getChatMenuButton", "menu_button", "chat_id", {"type": "default"}
)
