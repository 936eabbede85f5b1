"""Callback data for the bot's buttons: short, versioned, and checked on the way back in.

Telegram allows 64 bytes of callback data. Ours is ``kind|version|argument|page`` where
the version is the catalog's content hash, so a button pressed after a rebuild can say
that the briefing changed instead of showing a page that no longer exists. Anything a
client sends back is untrusted: :func:`decode` returns ``None`` for what it can't read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.numbers import read_number

CALLBACK_LIMIT = 64
KINDS = {
    "t": "topic",  # open a topic's briefing at its first page
    "p": "page",  # a page of a briefing
    "s": "sources",  # the sources page of a briefing
    "e": "events",  # a filtered listings view
    "i": "ics",  # the filtered listings as a calendar file
    "x": "ics_one",  # one listing as a calendar file
    "w": "subscribe",  # a step of the guided /subscribe: what.cadence.day.HHMM so far
    "m": "manage",  # pause (p), resume (r), remove (x) a subscription: "p.12.<tag>"; "l": a page
}
_ARGUMENT = re.compile(r"^[\w~.-]{0,48}$")


@dataclass(frozen=True)
class Action:
    kind: str
    version: str = ""
    argument: str = ""
    page: int = 0


class CallbackTooLong(ValueError):
    """A button whose data would not fit Telegram's 64 bytes; a bug, caught by tests."""


def encode(action: Action) -> str:
    code = next(code for code, kind in KINDS.items() if kind == action.kind)
    data = f"{code}|{action.version}|{action.argument}|{action.page}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise CallbackTooLong(data)
    return data


def decode(data: str | None) -> Action | None:
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        return None
    parts = data.split("|")
    if len(parts) != 4 or parts[0] not in KINDS:
        return None
    code, version, argument, page = parts
    if not re.fullmatch(r"[0-9a-f]{0,16}", version) or not _ARGUMENT.match(argument):
        return None
    number = read_number(page) if len(page) <= 3 else None
    if number is None:
        return None
    return Action(KINDS[code], version, argument, number)
