"""Reply buttons -> Telegram inline keyboards: the one place that builds them.

Handlers (every reply), inline mode and the digest sender all turn
:class:`bot.conversation.reply.Button` rows into markup here.
"""

from __future__ import annotations

import functools
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation.reply import Button


class _Keyboard(InlineKeyboardMarkup):
    """An inline keyboard that turns itself into JSON once, not on every message it goes on.

    PTB serialises reply markup on each send; our keyboards are cached and immutable, so
    their dict form is kept in a private slot (private attributes are not serialised).
    """

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive=False)
        cached: dict[str, Any] | None = getattr(self, "_as_dict", None)
        if cached is None:
            cached = super().to_dict()
            object.__setattr__(self, "_as_dict", cached)  # the object itself stays frozen
        return cached


@functools.lru_cache(maxsize=1024)
def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Buttons as Telegram markup; cached, since replies (and so their buttons) repeat."""
    if not rows:
        return None
    return _Keyboard(
        [
            [
                InlineKeyboardButton(
                    b.text,
                    callback_data=b.data,
                    url=b.url,
                    switch_inline_query=b.switch_inline,
                )
                for b in row
            ]
            for row in rows
        ]
    )
