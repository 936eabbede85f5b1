"""A ``DATABASE_URL`` that can never work, told apart from a database that is only away.

A server that refuses connections, is starting or stopping, or does not answer may be back
in a minute, so the bot keeps trying (:mod:`bot.digests.service`). A database that does not
exist, a host name no resolver knows, credentials the server refuses, or an SQLite file
whose folder is missing will be the same at every try: trying forever would hide the
mistake behind a process that looks healthy. These stop the start instead, with one line
that names ``DATABASE_URL`` and never repeats its password.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # no stubs; only its error classes
import sqlalchemy as sa

# getaddrinfo's answers for a name that does not exist; EAI_AGAIN (the resolver did not
# answer) is an outage and is retried.
_NO_SUCH_NAME = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)


class UnusableDatabase(Exception):
    """The configured database can never be opened as it is; the message says why."""


def check_before_opening(url: sa.URL) -> None:
    """Refuse an SQLite file whose folder is missing: SQLite creates the file, not folders."""
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise UnusableDatabase(
            f"the folder {str(folder)!r} of the SQLite file does not exist "
            "(SQLite creates the file, not its folder)"
        )


def unusable_reason(causes: Sequence[BaseException], url: sa.URL) -> str | None:
    """Why the failure to open ``url`` will happen at every try, or None if it may pass.

    ``causes`` is the error and what it wraps, outermost first.
    """
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    for cause in causes:
        if isinstance(cause, socket.gaierror) and cause.errno in _NO_SUCH_NAME:
            return f"the host name {url.host!r} does not resolve ({cause.strerror})"
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return f"{_first_line(cause)} on {where} (create it, or correct the name)"
        if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
            return f"{where} refused the connection: {_first_line(cause)}"
    return None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
