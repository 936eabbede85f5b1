"""The console chat: the real Application, its handlers and job queue, in a terminal.

Lines typed become Telegram updates from a private chat; the bot's Bot API calls go to a
:class:`bot.console.botapi.LocalBotApi` in this process (through :class:`InProcessRequest`,
the same seam tests use), which checks them against Telegram's limits; what the bot
sends is printed as a reader would see it. Buttons are numbered: type a number to press
one. ``@briefbot cuba`` runs an inline query; a number then "sends" a result.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import build_application, start_application, stop_application
from bot.clock import Clock
from bot.console.botapi import Call, LocalBotApi
from bot.console.database import console_database_url
from bot.conversation.render import to_plain
from bot.operations.config import Settings
from bot.services import BotApplication
from briefings.model import Catalog

CONSOLE_TOKEN = "100000:console"
CONSOLE_USERNAME = "briefbot"
CONSOLE_USER_ID = 1
RULE = "─" * 40


class InProcessRequest(BaseRequest):
    """A PTB request object that hands every call to a LocalBotApi, without sockets."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        files = None
        if request_data is not None and request_data.contains_files:
            files = {}
            for name, part in request_data.multipart_data.items():
                content = part[1]
                data = content if isinstance(content, bytes) else content.read()
                files[name] = (str(part[0]), bytes(data))
        status, body = self.api.call(api_method, params, files)
        return status, json.dumps(body).encode()


@dataclass
class _Pressable:
    message_id: int
    text: str
    data: str | None = None
    url: str | None = None
    switch_inline: str | None = None
    inline_result: dict[str, Any] | None = None


class ConsoleSession:
    """One conversation: feeds lines to the application and prints what it sends."""

    def __init__(
        self,
        application: BotApplication,
        api: LocalBotApi,
        out: TextIO,
        lang: str,
        *,
        labels: bool = True,
    ) -> None:
        self.labels = labels
        self.application = application
        self.api = api
        self.out = out
        self.user = api.user(CONSOLE_USER_ID, first_name="you", language_code=lang)
        self.chat = api.private_chat(CONSOLE_USER_ID, first_name="you", language_code=lang)
        self.pressable: list[_Pressable] = []
        self.downloads = Path(tempfile.gettempdir()) / "briefbot-console"
        self.understood = True
        self._seen = len(api.calls)  # calls already printed (or not ours to print)

    def show_unprompted(self) -> None:
        """Print what the bot sent on its own since the last line (a scheduled digest)."""
        calls = self.api.calls[self._seen :]
        self._seen += len(calls)
        sent = [c for c in calls if c.method in ("sendMessage", "sendDocument")]
        if sent:
            self.out.write("\n(a scheduled digest arrived)\n")
            self._print(sent)

    async def say(self, line: str) -> None:
        """Handle one typed line and print the bot's answer."""
        text = line.strip()
        if not text:
            return
        self.show_unprompted()
        mark = len(self.api.calls)
        if text.isdigit() and 1 <= int(text) <= len(self.pressable):
            await self._press(self.pressable[int(text) - 1])
        elif text.isdigit() and self.pressable and len(text) <= 3:
            self.out.write(
                f"(there is no button {text}; the buttons are 1–{len(self.pressable)})\n"
            )
            return
        elif text.lower().startswith(f"@{CONSOLE_USERNAME} ") or text.lower() == (
            f"@{CONSOLE_USERNAME}"
        ):
            await self._inline(text[len(CONSOLE_USERNAME) + 1 :].strip())
            return
        else:
            await self._deliver(self.api.send_text(self.chat, self.user, text))
        self._print(self.api.calls[mark:])
        self._seen = len(self.api.calls)

    async def _deliver(self, update_id: int) -> None:
        status, body = self.api.call("getUpdates", {"offset": update_id, "timeout": 0})
        for raw in body.get("result", []) if status == 200 else []:
            update = Update.de_json(raw, self.application.bot)
            await self.application.process_update(update)
        self.understood = bool(self.application.chat_data[self.chat_id].get("understood", True))

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"]) if isinstance(self.chat, dict) else int(self.chat.id)

    async def _press(self, button: _Pressable) -> None:
        if button.data is not None:
            await self._deliver(
                self.api.press_button(self.chat_id, button.message_id, button.data, self.user)
            )
        elif button.url is not None:
            self.out.write(f"(a link: {button.url})\n")
        elif button.switch_inline is not None:
            self.out.write(
                f"(in Telegram this opens inline mode in a chat you pick: "
                f"@{CONSOLE_USERNAME} {button.switch_inline})\n"
            )
            await self._inline(button.switch_inline)
        elif button.inline_result is not None:
            content = button.inline_result.get("input_message_content", {})
            self.out.write(f"you (via @{CONSOLE_USERNAME}) ›\n")
            self.out.write(to_plain(str(content.get("message_text", ""))) + "\n")

    async def _inline(self, query: str) -> None:
        mark = len(self.api.calls)
        await self._deliver(self.api.inline_query(self.user, query[:256]))
        self._seen = len(self.api.calls)
        answers = [c for c in self.api.calls[mark:] if c.method == "answerInlineQuery"]
        if not answers:
            self.out.write("(no inline results)\n")
            return
        results = answers[-1].params.get("results", [])
        if isinstance(results, str):
            results = json.loads(results)
        self.pressable = [_Pressable(0, str(r.get("title", "")), inline_result=r) for r in results]
        self.out.write(f"inline results for “{query}” — type a number to send one:\n")
        for number, result in enumerate(results, 1):
            description = result.get("description", "")
            self.out.write(f"  [{number}] {result.get('title', '')} — {description}\n")
        self.out.flush()

    def _print(self, calls: list[Call]) -> None:
        printed = False
        for call in calls:
            if call.status != 200:
                description = call.response.get("description", "")
                self.out.write(f"(the Bot API refused {call.method}: {description})\n")
                continue
            result = call.response.get("result")
            if call.method in ("sendMessage", "editMessageText") and isinstance(result, dict):
                if printed:
                    self.out.write(RULE + "\n")
                label = "bot ›" if call.method == "sendMessage" else "bot (edited) ›"
                if self.labels:
                    self.out.write(f"{label}\n")
                # Like Telegram, the API answers with the text as the reader sees it.
                self.out.write(f"{result.get('text', '')}\n")
                self._remember_buttons(result)
                printed = True
            elif call.method == "sendDocument" and isinstance(result, dict):
                self._save_document(call, result)
                printed = True
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                self.out.write(f"({call.params['text']})\n")
        self.out.flush()

    def _remember_buttons(self, message: dict[str, Any]) -> None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if not rows:
            return
        self.pressable = []
        for row in rows:
            labels = []
            for button in row:
                self.pressable.append(
                    _Pressable(
                        int(message["message_id"]),
                        str(button.get("text", "")),
                        data=button.get("callback_data"),
                        url=button.get("url"),
                        switch_inline=button.get("switch_inline_query"),
                    )
                )
                labels.append(f"[{len(self.pressable)}] {button.get('text', '')}")
            self.out.write("  " + "   ".join(labels) + "\n")

    def _save_document(self, call: Call, message: dict[str, Any]) -> None:
        document = message.get("document") or {}
        name = Path(str(document.get("file_name") or "file")).name
        content = (call.files or {}).get("document", ("", b""))[1]
        self.downloads.mkdir(parents=True, exist_ok=True)
        target = self.downloads / name
        target.write_bytes(content)
        caption = str(message.get("caption") or "")
        self.out.write(f"bot › 📎 {name} ({len(content):,} bytes) saved to {target}\n")
        if caption:
            self.out.write(f"{caption}\n")


def console_application(
    settings: Settings,
    *,
    clock: Clock,
    catalog: Catalog | None = None,
    database: str | None = None,
) -> tuple[BotApplication, LocalBotApi]:
    """The application against an in-memory Bot API and the console's own database."""
    api = LocalBotApi(token=CONSOLE_TOKEN, username=CONSOLE_USERNAME, first_name="briefbot")
    application = build_application(
        replace(
            settings, token=CONSOLE_TOKEN, database_url=console_database_url(settings, database)
        ),
        request=InProcessRequest(api),
        clock=clock,
        catalog=catalog,
    )
    return application, api


def _start_reader(source: TextIO, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Read lines on a daemon thread, so Ctrl-C never waits for a blocked readline."""
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            while True:
                line = source.readline()
                loop.call_soon_threadsafe(lines.put_nowait, line or None)
                if not line:
                    return
        except (KeyboardInterrupt, OSError, ValueError):
            loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return lines


async def run_console(
    settings: Settings,
    *,
    clock: Clock,
    source: TextIO,
    out: TextIO,
    lang: str = "en",
    catalog: Catalog | None = None,
    prompt: bool = False,
    database: str | None = None,
) -> None:
    application, api = console_application(
        settings, clock=clock, catalog=catalog, database=database
    )
    async with _running(application):
        session = ConsoleSession(application, api, out, lang)
        lines = _start_reader(source, asyncio.get_running_loop())
        while True:
            if prompt:
                out.write("you › ")
                out.flush()
            line = await _next_line(lines, session)
            if line is None:
                break
            await session.say(line)


async def _next_line(lines: asyncio.Queue[str | None], session: ConsoleSession) -> str | None:
    """The next typed line; digests that arrive meanwhile are printed as they come."""
    while True:
        try:
            return await asyncio.wait_for(lines.get(), timeout=0.5)
        except TimeoutError:
            session.show_unprompted()


@contextlib.asynccontextmanager
async def _running(application: BotApplication) -> AsyncIterator[None]:
    """Start and stop the application with its hooks, as ``run_polling`` does.

    The job queue runs, so digests arrive in the console as they would in Telegram.
    """
    try:
        await start_application(application)
        yield
    finally:
        await stop_application(application)


async def ask_once(
    settings: Settings,
    text: str,
    *,
    clock: Clock,
    out: TextIO,
    lang: str = "en",
    catalog: Catalog | None = None,
    database: str | None = None,
) -> bool:
    """One question through the whole application; returns whether it was understood."""
    application, api = console_application(
        settings, clock=clock, catalog=catalog, database=database
    )
    async with _running(application):
        session = ConsoleSession(application, api, out, lang, labels=False)
        await session.say(text)
        return session.understood
