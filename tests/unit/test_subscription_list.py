"""The /subscriptions list in pages Telegram takes, with buttons bound to their chat."""

from __future__ import annotations

import datetime as dt

from bot.conversation import callbacks
from bot.conversation.render import MESSAGE_LIMIT, to_plain, utf16_len
from bot.store import ChatRecord, Subscription
from bot.subscriptions.replies import (
    PAGE_SIZE,
    button_tag,
    manage_button,
    subscription_list,
)
from briefings.model import Catalog

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
KEY = b"k" * 32


def _chat(chat_id: int, title: str) -> ChatRecord:
    return ChatRecord(chat_id, "channel", title, None, "en", None, None, True, None)


def _subscription(number: int, chat_id: int) -> Subscription:
    return Subscription(number, chat_id, "cuba", "daily", 0, "07:30", False, 7, NOW)


def _sign(subscription_id: int) -> str:
    return button_tag(KEY, 7, subscription_id)


def _pages(catalog: Catalog, groups: list) -> list:  # type: ignore[type-arg]
    """Every page, following the "Next" button from the first."""
    pages = [subscription_list(catalog, groups, lang="en", sign=_sign)]
    while f"m||l|{len(pages)}" in {b.data for b in pages[-1].buttons[-1]}:
        pages.append(subscription_list(catalog, groups, lang="en", sign=_sign, page=len(pages)))
    return pages


def test_every_page_fits_one_message_whatever_the_titles(catalog: Catalog) -> None:
    # Thirty channels with 255-emoji titles (510 UTF-16 units each), one subscription each.
    groups = [
        (_chat(-100 - n, "📰" * 255), [_subscription(n + 1, -100 - n)], "Europe/Madrid")
        for n in range(30)
    ]
    pages = _pages(catalog, groups)
    seen = 0
    for reply in pages:
        [message] = reply.messages
        assert utf16_len(to_plain(message)) <= MESSAGE_LIMIT
        assert sum(len(row) for row in reply.buttons) <= 2 * PAGE_SIZE + 2
        seen += sum(1 for row in reply.buttons for b in row if b.text.startswith("✖"))
    assert seen == 30 and len(pages) > 3


def test_a_page_past_the_end_shows_the_last_one(catalog: Catalog) -> None:
    groups = [(_chat(-100, "News"), [_subscription(n, -100) for n in range(1, 26)], "UTC")]
    last = subscription_list(catalog, groups, lang="es", sign=_sign, page=999)
    assert "Página 3 de 3" in last.messages[0] and "25. " in to_plain(last.messages[0])


def test_tags_bind_a_subscription_to_the_chat_it_was_shown_in() -> None:
    assert button_tag(KEY, 7, 12) == button_tag(KEY, 7, 12)
    assert button_tag(KEY, 7, 12) != button_tag(KEY, 8, 12)
    assert button_tag(KEY, 7, 12) != button_tag(KEY, 7, 13)
    assert button_tag(KEY, 7, 12) != button_tag(b"x" * 32, 7, 12)
    largest = manage_button("✖", "x", 999_999_999, button_tag(KEY, -1_009_999_999_999, 1), 999)
    assert largest.data is not None and callbacks.decode(largest.data) is not None
    assert len(largest.data.encode()) <= callbacks.CALLBACK_LIMIT
