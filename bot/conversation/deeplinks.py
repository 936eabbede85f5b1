"""Deep links: ``t.me/<bot>?start=cuba`` and ``?start=events_guadalajara_feb``.

A payload is at most 64 characters of ``[A-Za-z0-9_-]`` (Telegram's rule). It names a
topic command (English or Spanish), optionally followed by ``_``-separated words that are
read as /events filters. Anything else is not a link we made, and the caller falls back
to the welcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.conversation.reply import Button
from bot.conversation.search import topic_by_command
from bot.texts import en, es
from briefings.model import Catalog, Topic

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class DeepLink:
    topic: Topic
    words: str = ""


def read_payload(catalog: Catalog, payload: str) -> DeepLink | None:
    if not PAYLOAD.match(payload):
        return None
    head, *rest = payload.lower().split("_")
    topic = topic_by_command(catalog, head)
    if topic is None:
        return None
    return DeepLink(topic, " ".join(w for w in rest if w))


def payload_for(topic: Topic, words: str = "") -> str:
    payload = "_".join([topic.command, *words.lower().split()])
    return payload if PAYLOAD.match(payload) else topic.command


def start_link(username: str, payload: str) -> str:
    return f"https://t.me/{username}?start={payload}"


OPEN_IN_BOT = {"en": en.OPEN_IN_BOT, "es": es.OPEN_IN_BOT}


def open_button(username: str, payload: str, lang: str) -> Button:
    """The button under a digest or an inline result that opens the bot on ``payload``."""
    return Button(OPEN_IN_BOT[lang], url=start_link(username, payload))
