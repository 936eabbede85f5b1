"""One real bot for a whole fuzzing module, fed one generated update at a time.

Hypothesis runs a test body hundreds of times inside one test, so the bot can't be a
function-scoped async fixture: a bot per example would be slow, and hypothesis does not mix
with pytest-asyncio's per-test event loops. :func:`fuzz_bot` starts the application once,
exactly as ``briefbot run`` does (long polling against the local Bot API over HTTP on
127.0.0.1), on an event loop in a thread of its own. A test hands it a raw update and gets
an :class:`Exchange`: every Bot API call the bot made for it, every log record, and whether
a handler failed, to be judged as Telegram and a person would judge them.

Nothing here runs unless a test asks for ``fuzz_bot``, so plain unit tests in this
directory pay nothing for it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.console.html_entities import EntityParseError
from bot.conversation import callbacks
from briefings.model import Catalog
from localapi import Call, LocalBotApi, LocalBotApiServer, parse_html, utf16_len
from tests.conftest import TODAY

MESSAGE_LIMIT = 4096  # UTF-16 units of visible text, as Telegram counts them
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
INLINE_RESULTS_LIMIT = 50
LOOKUPS = frozenset({"getChat", "getChatMember", "getChatAdministrators"})
HANDLED_TIMEOUT = 20.0  # seconds; generous, the machine running this may be busy
TRACES = "briefbot.updates"  # the tracer's logger: one line per update, with its outcome
ADMIN_ID = 777  # in BRIEFBOT_ADMIN_IDS, so /stats is fuzzed too
T = TypeVar("T")


@dataclass(frozen=True)
class Exchange:
    """What the bot did with one update."""

    update: object  # the update, or a description of it
    update_id: int
    calls: list[Call]  # every Bot API call made meanwhile, getUpdates left out
    records: list[logging.LogRecord]  # everything logged meanwhile
    outcome: str  # the tracer's: "replied", "no-reply" or "error"
    failures: int  # times the error handler ran
    handler_errors: float  # what the briefbot_handler_errors metric counted meanwhile

    def to(self, chat_id: int) -> list[Call]:
        """Messages sent (or edited) in ``chat_id``: what a person there sees."""
        return [
            call
            for call in self.calls
            if call.method in ("sendMessage", "sendDocument", "editMessageText")
            and str(call.params.get("chat_id")) == str(chat_id)
        ]

    def sends(self) -> list[Call]:
        """Every message, document and edit, wherever it went."""
        return [c for c in self.calls if c.method.startswith(("send", "edit", "copy", "forward"))]

    def method(self, name: str) -> list[Call]:
        return [call for call in self.calls if call.method == name]


class _Records(logging.Handler):
    """Keeps every record it is given, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.kept: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append(record)


class FuzzBot:
    """The real application on a loop of its own thread; ``feed`` is synchronous."""

    def __init__(self, catalog: Catalog, data_dir: Path) -> None:
        self.api = LocalBotApi()
        self.server = LocalBotApiServer(self.api).start()
        self.records = _Records()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-bot", daemon=True)
        self.thread.start()
        self.application = self.run(self._start(catalog, data_dir))

    async def _start(self, catalog: Catalog, data_dir: Path) -> Any:
        from bot.app import build_application, start_application
        from bot.clock import FixedClock
        from bot.operations.config import load_settings

        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": self.api.token,
                "TELEGRAM_API_BASE_URL": self.server.base_url,
                "BRIEFBOT_DATA_DIR": str(data_dir),
                "BRIEFBOT_INSTANCE": "fuzz",
                "BRIEFBOT_FLOOD_SCALE": "10000",  # thousands of replies to one chat, unslowed
                "BRIEFBOT_ADMIN_IDS": str(ADMIN_ID),
                "BRIEFBOT_PORT": "off",
            }
        )
        # A fixed clock: no digest comes due while fuzzing, so every call answers an update.
        application = build_application(settings, clock=FixedClock(TODAY), catalog=catalog)
        await start_application(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        return application

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coroutine`` on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    @property
    def services(self) -> Any:
        from bot.services import SERVICES_KEY

        return self.application.bot_data[SERVICES_KEY]

    @property
    def username(self) -> str:
        return str(self.api.bot_user["username"])

    def feed(self, update: dict[str, Any]) -> Exchange:
        """Queue ``update`` as Telegram would; return once the bot has finished with it."""
        return self.act(lambda api: api.push_update(update), update)

    def act(self, push: Callable[[LocalBotApi], int], what: object) -> Exchange:
        """Let ``push`` queue one update (``what`` describes it); return once it is handled.

        Handled means the tracer logged its line, which happens after every handler and the
        error handler have run (and so after every call they made).
        """
        calls, records = len(self.api.calls), len(self.records.kept)
        failures, errors = self.services.activity.failures, self._handler_errors()
        update_id = push(self.api)
        deadline = time.monotonic() + HANDLED_TIMEOUT
        while (trace := self._trace(update_id, records)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot never finished update {update_id}: {what!r}")
            time.sleep(0.0005)
        assert self.services.activity.last_update_id >= update_id, "bookkeeping did not run"
        return Exchange(
            what,
            update_id,
            [c for c in self.api.calls[calls:] if c.method != "getUpdates"],
            self.records.kept[records:],
            str(trace.args[3]) if isinstance(trace.args, tuple) else "?",
            self.services.activity.failures - failures,
            self._handler_errors() - errors,
        )

    def _handler_errors(self) -> float:
        return float(self.services.metrics.value("briefbot_handler_errors_total"))

    def _trace(self, update_id: int, since: int) -> logging.LogRecord | None:
        for record in self.records.kept[since:]:
            args = record.args
            if record.name == TRACES and isinstance(args, tuple) and args[:1] == (update_id,):
                return record
        return None

    def stop(self) -> None:
        from bot.app import stop_application

        try:
            self.run(stop_application(self.application))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
            self.server.stop()


@pytest.fixture(scope="module")
def fuzz_bot(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzBot]:
    """A running bot for the module, with every warning or error logged anywhere collected,
    and the tracer's per-update lines (INFO) kept out of pytest's report: there are
    thousands of them."""
    root, traces = logging.getLogger(), logging.getLogger(TRACES)
    level, propagate = traces.level, traces.propagate
    bot = FuzzBot(catalog, tmp_path_factory.mktemp("fuzz-data"))
    traces.setLevel(logging.INFO)
    traces.propagate = False
    for logger in (root, traces):
        logger.addHandler(bot.records)
    try:
        yield bot
    finally:
        for logger in (root, traces):
            logger.removeHandler(bot.records)
        traces.setLevel(level)
        traces.propagate = propagate
        bot.stop()


# --- what Telegram and a person would accept ----------------------------------------------


def visible_text(html_text: Any, limit: int, where: str) -> str:
    """``html_text`` parsed as Telegram's HTML parse mode; fails unless it parses and fits."""
    assert isinstance(html_text, str), f"{where}: not a string: {html_text!r}"
    try:
        plain = parse_html(html_text)
    except EntityParseError as error:
        raise AssertionError(f"{where}: invalid HTML ({error}): {html_text[:300]!r}") from None
    assert utf16_len(plain) <= limit, f"{where}: {utf16_len(plain)} UTF-16 units > {limit}"
    return plain


def check_markup(markup: Any, where: str) -> None:
    """Buttons Telegram accepts and the bot itself can read back when pressed."""
    if not markup:
        return
    assert isinstance(markup, dict), f"{where}: reply_markup {markup!r}"
    for row in markup.get("inline_keyboard", []):
        for button in row:
            assert button.get("text"), f"{where}: a button without a label: {button}"
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode())
                assert 1 <= size <= CALLBACK_DATA_LIMIT, f"{where}: callback_data {data!r}"
                assert callbacks.decode(str(data)) is not None, f"{where}: unreadable {data!r}"


def check_call(call: Call) -> None:
    """One Bot API call: accepted by the server, and within Telegram's rules on its own.

    A lookup may be refused: "chat not found" is how the bot learns that ``@name`` is no
    channel. Everything that shows a person something must be accepted.
    """
    where = f"{call.method}({str(call.params)[:300]})"
    if call.method in LOOKUPS:
        assert call.status in (200, 400, 403), f"{where}: {call.response}"
        return
    assert call.status == 200, f"{where} was refused: {call.response.get('description')}"
    params = call.params
    if call.method in ("sendMessage", "editMessageText"):
        assert params.get("parse_mode") == "HTML", f"{where}: not sent as HTML"
        plain = visible_text(params.get("text"), MESSAGE_LIMIT, where)
        assert plain.strip(), f"{where}: an empty message"
    elif call.method == "sendDocument":
        if params.get("caption"):
            assert params.get("parse_mode") == "HTML", f"{where}: caption not sent as HTML"
            visible_text(params["caption"], CAPTION_LIMIT, where)
    elif call.method == "answerCallbackQuery":
        notice = str(params.get("text") or "")
        assert len(notice) <= CALLBACK_ANSWER_LIMIT, f"{where}: a {len(notice)}-character notice"
    elif call.method == "answerInlineQuery":
        results = params.get("results") or []
        assert len(results) <= INLINE_RESULTS_LIMIT, f"{where}: {len(results)} results"
        ids = [str(result["id"]) for result in results]
        assert len(set(ids)) == len(ids), f"{where}: duplicate result ids {ids}"
        for result in results:
            assert 1 <= len(str(result["id"]).encode()) <= 64, f"{where}: id {result['id']!r}"
            content = result.get("input_message_content") or {}
            assert content.get("parse_mode") == "HTML", f"{where}: result not sent as HTML"
            visible_text(content.get("message_text"), MESSAGE_LIMIT, where)
            check_markup(result.get("reply_markup"), where)
    check_markup(params.get("reply_markup"), where)


def check_exchange(exchange: Exchange) -> None:
    """The bot handled the update without an error, and everything it sent is valid."""
    update = exchange.update
    errors = [
        record
        for record in exchange.records
        if record.levelno >= logging.WARNING or record.exc_info is not None
    ]
    assert not errors, f"logged for {update}: {[r.getMessage()[:500] for r in errors]}"
    assert exchange.failures == 0, f"the error handler ran for {update}"
    assert exchange.outcome != "error", f"the tracer saw a failure for {update}"
    assert exchange.handler_errors == 0, f"counted as a handler error: {update}"
    for call in exchange.calls:
        check_call(call)
