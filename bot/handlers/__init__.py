"""Telegram handlers, one module per feature; each parses an update and sends a reply.

:func:`register` adds them all to an application in the order they must be tried.
"""

from __future__ import annotations

from bot.handlers import (
    admin,
    bookkeeping,
    briefings,
    buttons,
    errors,
    feeds,
    free_text,
    inline,
    membership,
    search,
    start,
    subscriptions,
)
from bot.services import BotApplication
from briefings.model import Catalog


def register(
    application: BotApplication, catalog: Catalog, admin_ids: frozenset[int] = frozenset()
) -> None:
    start.register(application)
    admin.register(application, admin_ids)
    feeds.register(application, admin_ids)
    briefings.register(application, catalog)
    search.register(application)
    subscriptions.register(application)
    membership.register(application)
    buttons.register(application)
    inline.register(application)
    free_text.register(application)
    bookkeeping.register(application)
    errors.register(application)
