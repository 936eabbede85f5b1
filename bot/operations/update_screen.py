"""The getUpdates request, screened: a flood is left out before PTB parses it.

PTB parses every update of a getUpdates answer before anything sees it, and a chat that
sends a thousand messages at once puts a thousand ahead of everybody else's in the
order Telegram delivers them. This wraps the request object PTB polls with (its one
seam for the network) and hands each answer's updates, still JSON, to the update
processor's :meth:`~bot.operations.concurrency.PerChatUpdateProcessor.screen` first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

Screen = Callable[[list[Any]], list[Any]]


class ScreenedUpdatesRequest(BaseRequest):
    """``inner`` for every call; a successful getUpdates answer goes through ``screen``."""

    def __init__(self, inner: BaseRequest, screen: Screen) -> None:
        self.inner = inner
        self.screen = screen

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status != 200 or not url.endswith("/getUpdates"):
            return status, payload
        try:
            answer = json.loads(payload)
            updates = answer["result"]
        except (ValueError, KeyError, TypeError):  # PTB reports a bad answer itself
            return status, payload
        if not isinstance(updates, list) or len(updates) < 2:
            return status, payload
        kept = self.screen(updates)
        if len(kept) == len(updates):
            return status, payload
        return status, json.dumps({**answer, "result": kept}).encode()
