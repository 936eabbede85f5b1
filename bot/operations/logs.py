"""Logging set up once: one line per event, and secrets redacted everywhere.

The token is part of every Bot API URL, so it turns up in HTTP client logs and in the
text of network exceptions. Redacting in the formatter catches all of them, tracebacks
included, whatever logger they come from; the webhook secret and a database password
are redacted the same way. A traceback is folded into its event's line (newlines
written as ``\\n``), so one event is one line for ``grep`` and for log collectors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str | None], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        if isinstance(secrets, str):  # one secret, not its characters
            secrets = (secrets,)
        found = set()
        for secret in secrets:
            if secret:
                found.add(secret)
                if ":" in secret:  # a bot token: its secret half alone is still a secret
                    found.add(secret.split(":", 1)[1])
        self.secrets = sorted(found, key=len, reverse=True)  # the longest first

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text.replace("\r", "").replace("\n", "\\n")


def database_password(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


def configure_logging(secrets: Iterable[str | None], level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Every request line would carry the token's URL; keep the clients quiet below warnings.
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
