"""What a reply is, independent of Telegram: HTML messages, buttons, an attachment.

Plain code (answers, pages, events) builds these; the Telegram handlers and the console
turn them into API calls. Keeping them plain lets ``briefbot ask`` and unit tests read a
reply without a bot.
"""

from __future__ import annotations

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


class InputProblem(ValueError):
    """Input the bot can't use: one line for the person, in English and in Spanish.

    ``str()`` is the English line; :meth:`text` picks the person's language.
    """

    def __init__(self, english: str, spanish: str) -> None:
        super().__init__(english)
        self.spanish = spanish

    def text(self, lang: str) -> str:
        return self.spanish if lang == "es" else str(self)
