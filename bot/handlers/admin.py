"""/stats, for the user ids in ``BRIEFBOT_ADMIN_IDS`` only, in private chats.

Anyone else (or an admin in a group, where the numbers would be on show) falls through
to the normal "I don't know the command" answer: the command's existence is not
advertised, and nothing about the bot's operation leaks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.conversation.reply import Reply
from bot.handlers.common import send_reply
from bot.operations.stats import StatsSnapshot, render_stats
from bot.services import BotApplication, Context, services
from bot.store import QUICK_QUERY_TIMEOUT

logger = logging.getLogger("briefbot.admin")


async def on_stats(update: Update, context: Context) -> None:
    found = services(context)
    now = found.now()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    subscribers = digests_today = None
    if found.digests is not None:
        store = found.digests.store
        try:
            subscribers, digests_today = await asyncio.wait_for(
                asyncio.gather(
                    store.subscribers_by_chat_type(),
                    store.digest_counts_since(since.astimezone(dt.UTC)),
                ),
                QUICK_QUERY_TIMEOUT,
            )
        except Exception as error:  # the rest of the numbers are still worth showing
            logger.warning("stats: the database did not answer (%s)", error)
    metrics = found.metrics
    snapshot = StatsSnapshot(
        instance=found.settings.instance,
        uptime_seconds=found.uptime_seconds,
        catalog_version=found.catalog.version,
        briefings=len(found.catalog.briefings),
        updates_handled=found.activity.handled,
        handler_errors=int(metrics.value("briefbot_handler_errors_total")),
        too_many_requests=int(metrics.value("briefbot_telegram_429_total")),
        since=since,
        subscribers=subscribers,
        digests_today=digests_today,
    )
    await send_reply(update, context, Reply([render_stats(snapshot)]))


def register(application: BotApplication, admin_ids: frozenset[int]) -> None:
    if not admin_ids:
        return
    only_admins = filters.ChatType.PRIVATE & filters.User(user_id=admin_ids)
    application.add_handler(
        CommandHandler("stats", on_stats, filters=filters.UpdateType.MESSAGE & only_admins)
    )
