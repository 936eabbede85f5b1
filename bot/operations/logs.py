"""Logging set up once: one line per event, and secrets redacted everywhere.

The token is part of every Bot API URL, so it turns up in HTTP client logs and in the
text of network exceptions. Redacting in the formatter catches all of them, tracebacks
included, whatever logger they come from; the webhook secret and a database password
are redacted the same way. A traceback is folded into its event's line (newlines
written as ``\\n``), so one event is one line for ``grep`` and for log collectors.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
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


class ThrottledWarning:
    """A warning anyone can cause as often as they like (a post to the webhook without the
    secret): at most one line per ``interval`` of the injected clock, the first at once, and
    the next one saying how many were left unwritten in between, so a flood of posts costs a
    line a minute, not a line a post, and is still counted."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: dt.timedelta,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.logger, self.interval, self._now = logger, interval, now
        self._last: dt.datetime | None = None
        self.unwritten = 0

    def warn(self, message: str, *args: object) -> bool:
        """Write the line, or count it when one was written less than ``interval`` ago.

        A clock set back (an operator fixing the time) writes at once rather than staying
        silent until it catches up.
        """
        moment, last = self._now(), self._last
        if last is not None and last <= moment < last + self.interval:
            self.unwritten += 1
            return False
        if self.unwritten:
            message += " (and %d more since the last such line)"
            args = (*args, self.unwritten)
        self.logger.warning(message, *args)
        self._last, self.unwritten = moment, 0
        return True


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
