"""What happened to each update: one log line, and the metrics that go with it.

The update processor runs every update's handlers inside :meth:`UpdateTracer.run`, which
puts an :class:`UpdateTrace` in a context variable. Everything that runs for that update
sees it without being passed it: the rate limiter counts the messages sent in answer
(:func:`note_request`) and the replies it sent again (:func:`note_resend`), the error
handler marks the failure and its kind (:func:`note_failure`). When the handlers finish,
one line says which update, which chat, what it was and how it ended:

    update=812 chat=40 command=/cuba outcome=replied replies=1 ms=0.9
    update=813 chat=41 command=/cuba outcome=replied replies=1 ms=512.4 resent=1
    update=814 chat=42 command=/cuba outcome=error replies=2 ms=1003.1 error=TimedOut

Digests are sent outside any update, so they are never counted as replies.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.operations.metrics import Metrics

logger = logging.getLogger("briefbot.updates")
REPLY_ENDPOINTS = ("send", "edit", "answerinlinequery", "copymessage", "forwardmessage")


@dataclass
class UpdateTrace:
    command: str
    replies: int = 0
    failed: bool = False
    error: str | None = None  # the kind of error that ended it, when one did
    resent: int = 0  # replies sent a second time (Telegram surely had not taken the first)


_CURRENT: contextvars.ContextVar[UpdateTrace | None] = contextvars.ContextVar(
    "briefbot_update_trace", default=None
)


def note_request(endpoint: str) -> None:
    """A Bot API call went out; if it answers the update being handled, count it."""
    trace = _CURRENT.get()
    if trace is not None and endpoint.lower().startswith(REPLY_ENDPOINTS):
        trace.replies += 1


def note_resend() -> None:
    """A reply is being sent again; the update's line says so."""
    trace = _CURRENT.get()
    if trace is not None:
        trace.resent += 1


def update_failed() -> bool:
    """Whether handling the update under way has failed so far (its reply refused, say)."""
    trace = _CURRENT.get()
    return trace is not None and trace.failed


def note_failure(error: BaseException | None = None) -> None:
    trace = _CURRENT.get()
    if trace is not None:
        trace.failed = True
        if error is not None:
            trace.error = type(error).__name__


def command_label(update: object, known: frozenset[str]) -> str:
    """A short, bounded name for what the update asks: "/cuba", "text", "button", …

    Commands the bot does not know share one label, so a stranger typing random
    commands cannot make the metrics grow without bound. A bare "/" (or one followed by a
    space of any script) names no command and is labelled as unknown, not an error.
    """
    if not isinstance(update, Update):
        return "other"
    message = update.message or update.edited_message or update.channel_post
    if message is not None and message.text:
        if message.text.startswith("/"):
            words = message.text[1:].split(maxsplit=1)
            name = words[0].split("@", 1)[0].lower() if words else ""
            return f"/{name}" if name in known else "/unknown"
        return "edited" if update.edited_message else "text"
    if update.callback_query is not None:
        return "button"
    if update.inline_query is not None:
        return "inline"
    if update.chosen_inline_result is not None:
        return "inline_chosen"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "membership"
    return "other" if message is None else "service"


class UpdateTracer:
    def __init__(self, metrics: Metrics, commands: Iterable[str] = ()) -> None:
        self.metrics = metrics
        self.commands = frozenset(commands)

    async def run(self, update: object, handling: Awaitable[Any]) -> None:
        trace = UpdateTrace(command_label(update, self.commands))
        token = _CURRENT.set(trace)
        started = time.perf_counter()
        try:
            await handling
        except BaseException as error:
            trace.failed = True
            trace.error = trace.error or type(error).__name__
            raise
        finally:
            _CURRENT.reset(token)
            self._record(update, trace, time.perf_counter() - started)

    def _record(self, update: object, trace: UpdateTrace, seconds: float) -> None:
        metrics = self.metrics
        metrics.updates.inc()
        metrics.latency.labels(trace.command).observe(seconds)
        if trace.replies:
            metrics.replies.labels(trace.command).inc(trace.replies)
        if trace.failed:
            metrics.errors.inc()
        outcome = "error" if trace.failed else "replied" if trace.replies else "no-reply"
        update_id = update.update_id if isinstance(update, Update) else None
        chat = update.effective_chat if isinstance(update, Update) else None
        logger.info(
            "update=%s chat=%s command=%s outcome=%s replies=%d ms=%.1f%s%s",
            update_id,
            chat.id if chat else None,
            trace.command,
            outcome,
            trace.replies,
            seconds * 1000,
            f" resent={trace.resent}" if trace.resent else "",
            f" error={trace.error}" if trace.error else "",
        )
