"""What a reply is, independent of Telegram: HTML messages, buttons, an attachment.

Plain code (answers, pages, events) builds these; the Telegram handlers and the console
turn them into API calls. Keeping them plain lets ``briefbot ask`` and unit tests read a
reply without a bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """One inline button: callback data for the bot itself, or a link."""

    text: str
    data: str | None = None
    url: str | None = None
    switch_inline: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """Messages to send in order; ``buttons`` go under the last one.

    ``edit`` asks the front end to replace the message a pressed button belongs to, and
    ``notice`` is the short toast shown when a button is answered.
    """

    messages: list[str]
    understood: bool = True
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    edit: bool = False
    notice: str | None = None


QUOTE_LIMIT = 64  # characters of a person's words that a reply quotes back


# Direction overrides, embeddings, isolates and marks: quoted inside the bot's sentence, a
# stray U+202E would turn the rest of that sentence around on the person's screen.
_BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_LINE_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A person's words as a reply quotes them back: one line, whole when short, else cut
    with "…".

    People can send 4,096 characters (and a forged update more): quoted whole, they would
    push a one-line answer over Telegram's message limit. Line breaks and control
    characters become one space, and direction controls are dropped, so the quote cannot
    break the reply's layout or reverse the bot's own words around it.
    """
    text = _LINE_BREAKS.sub(" ", text.translate(_BIDI_CONTROLS)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InputProblem(ValueError):
    """Input the bot can't use: one line for the person, in English and in Spanish.

    ``str()`` is the English line; :meth:`text` picks the person's language.
    """

    def __init__(self, english: str, spanish: str) -> None:
        super().__init__(english)
        self.spanish = spanish

    def text(self, lang: str) -> str:
        return self.spanish if lang == "es" else str(self)
