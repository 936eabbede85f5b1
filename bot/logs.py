"""Logging set up once: one line per event, and the bot token redacted everywhere.

The token is part of every Bot API URL, so it turns up in HTTP client logs and in the
text of network exceptions. Redacting in the formatter catches all of them, tracebacks
included, whatever logger they come from.
"""

from __future__ import annotations

import logging

REDACTED = "[REDACTED-TOKEN]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secret: str | None, fmt: str) -> None:
        super().__init__(fmt)
        self.secret = secret

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self.secret, REDACTED) if self.secret else text


def configure_logging(token: str | None, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Every request line would carry the token's URL; keep the client quiet below warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
