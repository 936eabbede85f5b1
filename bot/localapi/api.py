"""An in-memory Bot API: Telegram's methods, limits and error texts, for tests and the console.

It keeps chats, the bot's messages (with their edits), pending updates and a record of
every call, and it refuses what Telegram refuses, with Telegram's descriptions: text over
4096 UTF-16 units after parsing, malformed HTML, callback data over 64 bytes, more than
50 inline results, bad command menus. The user side (``send_text``, ``press_button``,
``inline_query``) makes the updates a real client would cause. Thread-safe: the HTTP
front serves each request on its own thread.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.localapi.entities import EntityParseError, parse_html, utf16_len

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_LIMIT = 64
INLINE_RESULTS_LIMIT = 50
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_BUTTON_KINDS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "web_app",
    "login_url",
    "pay",
    "callback_game",
)


class ApiError(Exception):
    """A refused call: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, description: str, error_code: int = 400, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = parameters


def _bad(text: str) -> ApiError:
    return ApiError(f"Bad Request: {text}")


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] | None
    status: int
    response: dict[str, Any]
    at: float


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits)."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    document: tuple[str, bytes] | None = None
    deleted: bool = False
    history: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return parse_html(self.text) if self.parse_mode == "HTML" else self.text

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [
                (
                    str(b.get("text", "")),
                    b.get("callback_data") or b.get("url") or b.get("switch_inline_query"),
                )
                for b in row
            ]
            for row in rows
        ]


@dataclass(frozen=True)
class Fault:
    error_code: int
    description: str
    parameters: dict[str, Any] | None


class LocalBotApi:
    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        username: str = "briefbot_test_bot",
        first_name: str = "briefbot",
        rate_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.rate_limits = rate_limits
        self.clock = clock
        self.wall_clock = wall_clock  # message dates
        self.latency = latency  # seconds added to every call but getUpdates: a distant server
        self.calls: list[Call] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.usernames: dict[str, int] = {}
        self.messages: dict[int, dict[int, BotMessage]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.inline_answers: dict[str, list[dict[str, Any]]] = {}
        self.settings: dict[tuple[str, str], str] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._user_message_ids = itertools.count(1_000_000)
        self._query_ids = itertools.count(1)
        self._open_queries: set[str] = set()
        self._faults: dict[str, list[Fault]] = {}
        self._delays: dict[str, list[float]] = {}
        self._sends: list[tuple[float, int]] = []
        self._condition = threading.Condition(threading.RLock())
        self._closed = False

    # --- the Bot API ---------------------------------------------------------------

    def call(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One Bot API method call -> (HTTP status, JSON body), recorded in ``calls``."""
        name = next((m for m in _METHODS if m.lower() == method.lower()), method)
        with self._condition:
            fault = self._take_fault(name)
            delays = self._delays.get(name)
            delay = delays.pop(0) if delays else 0.0
        if name != "getUpdates":
            delay += self.latency
        if delay:
            time.sleep(delay)  # on this request's own server thread, as a slow link would
        try:
            if fault is not None:
                raise ApiError(fault.description, fault.error_code, fault.parameters)
            handler = _METHODS.get(name)
            if handler is None:
                raise ApiError("Not Found", 404)
            result = handler(self, params, files or {})
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status = error.error_code
            body = {"ok": False, "error_code": error.error_code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
        with self._condition:
            self.calls.append(Call(name, params, files, status, body, time.monotonic()))
        return status, body

    def calls_to(self, method: str) -> list[Call]:
        with self._condition:
            return [c for c in self.calls if c.method == method]

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 400,
        description: str = "Bad Request: injected failure",
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail as Telegram would."""
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
            if error_code == 400:
                error_code = 429
            description = f"Too Many Requests: retry after {retry_after}"
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
            description = "Bad Request: group chat was upgraded to a supergroup chat"
        with self._condition:
            self._faults.setdefault(method, []).extend(
                [Fault(error_code, description, parameters or None)] * times
            )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` take ``seconds`` longer (a slow link)."""
        with self._condition:
            self._delays.setdefault(method, []).extend([seconds] * times)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        return queue.pop(0) if queue else None

    # --- validation ------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        with self._condition:
            if isinstance(chat_id, str) and chat_id.startswith("@"):
                found = self.usernames.get(chat_id[1:].lower())
                if found is not None:
                    return self.chats[found]
            else:
                try:
                    return self.chats[int(chat_id)]
                except (KeyError, TypeError, ValueError):
                    pass
        raise _bad("chat not found")

    @staticmethod
    def _text(text: Any, parse_mode: Any, limit: int, what: str) -> str:
        if parse_mode not in (None, "", "HTML"):
            raise _bad(f"unsupported parse_mode {parse_mode!r} in this local API")
        raw = "" if text is None else str(text)
        try:
            plain = parse_html(raw) if parse_mode == "HTML" else raw
        except EntityParseError as error:
            raise _bad(str(error)) from None
        if what == "text" and not plain.strip():
            raise _bad("message text is empty")
        if utf16_len(plain) > limit:
            raise _bad("message is too long" if what == "text" else "message caption is too long")
        return raw

    @staticmethod
    def _markup(markup: Any) -> dict[str, Any] | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise _bad("BUTTON_TEXT_INVALID")
                kinds = [k for k in _BUTTON_KINDS if k in button]
                if len(kinds) != 1:
                    raise _bad("BUTTON_TYPE_INVALID")
                data = button.get("callback_data")
                if "callback_data" in button and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad("BUTTON_DATA_INVALID")
                url = button.get("url")
                if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(url)):
                    raise _bad("BUTTON_URL_INVALID")
        return markup

    # --- sending -----------------------------------------------------------------------

    def _rate_check(self, chat: dict[str, Any]) -> None:
        if not self.rate_limits:
            return
        now = self.clock()
        with self._condition:
            self._sends = [(t, c) for t, c in self._sends if now - t < 60]
            overall = sum(1 for t, _ in self._sends if now - t < 1)
            mine = [t for t, c in self._sends if c == chat["id"]]
            if chat["type"] == "private":
                over = sum(1 for t in mine if now - t < 1) >= 3
                wait = 1
            else:
                over = len(mine) >= 20
                wait = int(60 - (now - min(mine))) + 1 if mine else 1
            if overall >= 30 or over:
                raise ApiError(
                    f"Too Many Requests: retry after {wait}", 429, {"retry_after": wait}
                )
            self._sends.append((now, chat["id"]))

    def _store(
        self,
        chat: dict[str, Any],
        text: str,
        parse_mode: str | None,
        markup: dict[str, Any] | None,
        document: tuple[str, bytes] | None = None,
    ) -> BotMessage:
        with self._condition:
            counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
            message = BotMessage(chat["id"], next(counter), text, parse_mode, markup, document)
            message.history.append(text)
            self.messages.setdefault(chat["id"], {})[message.message_id] = message
            return message

    def _as_message(self, message: BotMessage) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(self.wall_clock()),
            "chat": chat,
            "from": self.bot_user,
        }
        if message.document is not None:
            body["document"] = {
                "file_id": f"doc-{message.chat_id}-{message.message_id}",
                "file_unique_id": f"u{message.chat_id}{message.message_id}",
                "file_name": message.document[0],
                "mime_type": "text/calendar"
                if message.document[0].endswith(".ics")
                else "application/octet-stream",
                "file_size": len(message.document[1]),
            }
            if message.text:
                body["caption"] = message.plain
        else:
            body["text"] = message.plain
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body

    def _send_message(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        text = self._text(p.get("text"), p.get("parse_mode"), MESSAGE_LIMIT, "text")
        markup = self._markup(p.get("reply_markup"))
        self._rate_check(chat)
        message = self._store(chat, text, p.get("parse_mode"), markup)
        return self._as_message(message)

    def _send_document(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        if "document" not in files:
            raise _bad("there is no document in the request")
        caption = self._text(p.get("caption"), p.get("parse_mode"), CAPTION_LIMIT, "caption")
        markup = self._markup(p.get("reply_markup"))
        self._rate_check(chat)
        name, content = files["document"]
        message = self._store(chat, caption, p.get("parse_mode"), markup, (name, content))
        return self._as_message(message)

    def _find(self, p: dict[str, Any]) -> BotMessage:
        chat = self._chat(p.get("chat_id"))
        with self._condition:
            message = self.messages.get(chat["id"], {}).get(int(p.get("message_id") or 0))
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        return message

    def _edit_text(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        if p.get("inline_message_id"):
            self._text(p.get("text"), p.get("parse_mode"), MESSAGE_LIMIT, "text")
            self._markup(p.get("reply_markup"))
            return {"ok": True}  # messages sent via inline mode are not kept here
        message = self._find(p)
        text = self._text(p.get("text"), p.get("parse_mode"), MESSAGE_LIMIT, "text")
        markup = self._markup(p.get("reply_markup"))
        with self._condition:
            if text == message.text and markup == message.reply_markup:
                raise _bad(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            message.text, message.parse_mode, message.reply_markup = (
                text,
                p.get("parse_mode"),
                markup,
            )
            message.history.append(text)
        return self._as_message(message)

    def _edit_markup(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        message = self._find(p)
        with self._condition:
            message.reply_markup = self._markup(p.get("reply_markup"))
        return self._as_message(message)

    def _delete(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        message = self._find(p)
        message.deleted = True
        return True

    def _answer_callback(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        self._close_query(str(p.get("callback_query_id", "")))
        if len(str(p.get("text") or "")) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    def _close_query(self, query_id: str) -> None:
        with self._condition:
            if query_id not in self._open_queries:
                raise _bad("query is too old and response timeout expired or query ID is invalid")
            self._open_queries.discard(query_id)

    def _answer_inline(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        results = p.get("results") or []
        if not isinstance(results, list):
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
                self._text(
                    content["message_text"], content.get("parse_mode"), MESSAGE_LIMIT, "text"
                )
            self._markup(result.get("reply_markup"))
        query_id = str(p.get("inline_query_id", ""))
        self._close_query(query_id)
        with self._condition:
            self.inline_answers[query_id] = results
        return True

    # --- bot settings and chats ----------------------------------------------------------

    def _set_commands(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = p.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._condition:
            self.commands[self._scope_key(p)] = commands
        return True

    @staticmethod
    def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        kind = scope.get("type", "default") if isinstance(scope, dict) else str(scope)
        return str(kind), str(p.get("language_code") or "")

    def _get_commands(self, p: dict[str, Any], files: dict[str, Any]) -> list[dict[str, Any]]:
        with self._condition:
            return self.commands.get(self._scope_key(p), [])

    def _delete_commands(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        with self._condition:
            self.commands.pop(self._scope_key(p), None)
        return True

    def _describe(self, p: dict[str, Any], field_name: str, limit: int) -> bool:
        text = str(p.get(field_name) or "")
        if len(text) > limit:
            raise _bad(f"{field_name.upper()}_INVALID")
        with self._condition:
            self.settings[(field_name, str(p.get("language_code") or ""))] = text
        return True

    def _get_chat(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return self._chat(p.get("chat_id"))

    def _get_member(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p.get("chat_id"))
        user_id = int(p.get("user_id") or 0)
        status = self.members.get((chat["id"], user_id), "member")
        user = (
            self.bot_user
            if user_id == self.bot_user["id"]
            else {
                "id": user_id,
                "is_bot": False,
                "first_name": f"user{user_id}",
            }
        )
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_messages": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        if status == "kicked":
            member["until_date"] = 0
        return member

    def _get_admins(self, p: dict[str, Any], files: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(p.get("chat_id"))
        with self._condition:
            ids = [
                u
                for (c, u), s in self.members.items()
                if c == chat["id"]
                and s
                in (
                    "creator",
                    "administrator",
                )
            ]
        return [self._get_member({"chat_id": chat["id"], "user_id": u}, {}) for u in ids]

    def _get_updates(self, p: dict[str, Any], files: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        with self._condition:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._closed:
                    return self._updates[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._condition.wait(remaining)

    def _set_webhook(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        with self._condition:
            self.webhook = {"url": str(p.get("url") or ""), "secret": p.get("secret_token")}
        return True

    def _delete_webhook(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        with self._condition:
            self.webhook = {"url": ""}
            if p.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _webhook_info(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # --- the user side -------------------------------------------------------------------

    def close(self) -> None:
        """Wake every long poll (the server is stopping)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def push_update(self, update: dict[str, Any]) -> int:
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
        found: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            found["username"] = username
        return found

    def _register(self, chat: dict[str, Any]) -> dict[str, Any]:
        with self._condition:
            self.chats[chat["id"]] = chat
            if chat.get("username"):
                self.usernames[str(chat["username"]).lower()] = chat["id"]
        return chat

    def private_chat(
        self, user_id: int, *, first_name: str = "Ana", language_code: str = "en"
    ) -> dict[str, Any]:
        return self._register({"id": user_id, "type": "private", "first_name": first_name})

    def group_chat(self, chat_id: int, title: str, *, supergroup: bool = False) -> dict[str, Any]:
        kind = "supergroup" if supergroup else "group"
        return self._register({"id": chat_id, "type": kind, "title": title})

    def channel(self, chat_id: int, username: str, title: str) -> dict[str, Any]:
        return self._register(
            {"id": chat_id, "type": "channel", "title": title, "username": username}
        )

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        with self._condition:
            self.members[(chat_id, user_id)] = status

    def send_text(self, chat: dict[str, Any], user: dict[str, Any], text: str) -> int:
        """A person types ``text`` in ``chat``; commands get their bot_command entity."""
        self._register(chat)
        message: dict[str, Any] = {
            "message_id": next(self._user_message_ids),
            "date": int(self.wall_clock()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self.push_update({"message": message})

    def press_button(self, chat_id: int, message_id: int, data: str, user: dict[str, Any]) -> int:
        """A person presses a button whose callback data is ``data`` (forged data allowed)."""
        with self._condition:
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
            stored = self.messages.get(chat_id, {}).get(message_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        if stored is not None:
            query["message"] = self._as_message(stored)
        elif chat_id in self.chats:  # pressed before this store saw the message (benchmarks)
            query["message"] = {
                "message_id": message_id,
                "date": int(self.wall_clock()),
                "chat": self.chats[chat_id],
                "from": self.bot_user,
                "text": "",
            }
        return self.push_update({"callback_query": query})

    def inline_query(
        self, user: dict[str, Any], query: str, *, offset: str = "", chat_type: str = "private"
    ) -> int:
        if len(query) > 256:
            raise ValueError("Telegram clients send at most 256 characters of inline query")
        with self._condition:
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
        return self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user,
                    "query": query,
                    "offset": offset,
                    "chat_type": chat_type,
                }
            }
        )

    # --- reading what the bot did ------------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[BotMessage]:
        with self._condition:
            return [m for m in self.messages.get(chat_id, {}).values() if not m.deleted]

    def last_to(self, chat_id: int) -> BotMessage | None:
        sent = self.sent_to(chat_id)
        return sent[-1] if sent else None

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                recent = [(c.method, c.status) for c in self.calls[-8:]]
                raise TimeoutError(f"condition not met in {timeout} s; last calls: {recent}")
            await asyncio.sleep(0.002)


def _ok(api: LocalBotApi, p: dict[str, Any], files: Any) -> bool:
    return True


_METHODS: dict[str, Callable[[LocalBotApi, dict[str, Any], Any], Any]] = {
    "getMe": lambda api, p, f: api.bot_user,
    "logOut": _ok,
    "close": _ok,
    "getUpdates": LocalBotApi._get_updates,
    "setWebhook": LocalBotApi._set_webhook,
    "deleteWebhook": LocalBotApi._delete_webhook,
    "getWebhookInfo": LocalBotApi._webhook_info,
    "sendMessage": LocalBotApi._send_message,
    "sendDocument": LocalBotApi._send_document,
    "editMessageText": LocalBotApi._edit_text,
    "editMessageReplyMarkup": LocalBotApi._edit_markup,
    "deleteMessage": LocalBotApi._delete,
    "answerCallbackQuery": LocalBotApi._answer_callback,
    "answerInlineQuery": LocalBotApi._answer_inline,
    "setMyCommands": LocalBotApi._set_commands,
    "getMyCommands": LocalBotApi._get_commands,
    "deleteMyCommands": LocalBotApi._delete_commands,
    "getChat": LocalBotApi._get_chat,
    "getChatMember": LocalBotApi._get_member,
    "getChatAdministrators": LocalBotApi._get_admins,
    "setChatMenuButton": _ok,
    "setMyDescription": lambda api, p, f: api._describe(p, "description", 512),
    "setMyShortDescription": lambda api, p, f: api._describe(p, "short_description", 120),
    "setMyName": _ok,
}
