"""/feeds, for the user ids in ``BRIEFBOT_ADMIN_IDS`` only, in private chats: list the
feeds the bot polls, add one (``/feeds add URL [minutes]``), remove one (``/feeds remove N``).

As with /stats, anyone else falls through to the "unknown command" answer.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.conversation.reply import Reply
from bot.feeds.report import LEAST_MINUTES, MOST_MINUTES, feeds_text, render_feeds
from bot.handlers.common import lang, send_reply
from bot.numbers import read_number
from bot.services import BotApplication, Context, Services, services
from ingest.sources import is_url

logger = logging.getLogger("briefbot.feeds")
MAX_URL = 2000  # the store's column holds 2,048


async def on_feeds(update: Update, context: Context) -> None:
    found = services(context)
    language = lang(update)
    args = context.args or []
    poller = found.feeds
    if poller is None:
        await _say(update, context, feeds_text(language, "unavailable"))
        return
    verb = args[0].lower() if args else "list"
    if verb == "list" and len(args) <= 1:
        feeds = await poller.store.all()
        text = render_feeds(feeds, language, found.settings.zone, _catalog_line(found, language))
    elif verb == "add" and len(args) in (2, 3):
        text = await _add(found, args[1:], language, update)
    elif verb == "remove" and len(args) == 2:
        number = read_number(args[1])
        removed = await poller.store.remove(number) if number else None
        text = (
            feeds_text(language, "removed", number=removed.id, url=html.escape(removed.url))
            if removed
            else feeds_text(language, "no_such", text=html.escape(args[1]))
        )
    else:
        text = feeds_text(language, "usage")
    await _say(update, context, text)


async def _add(found: Services, args: list[str], language: str, update: Update) -> str:
    poller = found.feeds
    assert poller is not None
    url = args[0]
    if not is_url(url) or len(url) > MAX_URL:
        return feeds_text(language, "not_url", text=html.escape(url[:80]))
    minutes: float = found.settings.feed_interval / 60
    if len(args) == 2:
        given = read_number(args[1], most=MOST_MINUTES)
        if not given or given < LEAST_MINUTES:
            return feeds_text(
                language,
                "bad_minutes",
                text=html.escape(args[1]),
                least=LEAST_MINUTES,
                most=MOST_MINUTES,
            )
        minutes = given
    user = update.effective_user
    feed = await poller.store.add(
        url, round(minutes * 60), user.id if user else None, found.clock.now()
    )
    if feed is None:
        return feeds_text(language, "exists")
    logger.info("feed %s added (every %g min)", url, minutes)
    poller.poll_soon()
    return feeds_text(
        language, "added", number=feed.id, url=html.escape(url), minutes=round(minutes)
    )


def _catalog_line(found: Services, language: str) -> str:
    live = found.live
    when = live.changed_at.astimezone(found.settings.zone).strftime("%d %b %H:%M") if live else "—"
    return feeds_text(
        language,
        "catalog",
        version=found.catalog.version,
        articles=len(found.catalog.articles),
        when=when,
    )


async def _say(update: Update, context: Context, text: str) -> None:
    await send_reply(update, context, Reply([text]))


def register(application: BotApplication, admin_ids: frozenset[int]) -> None:
    if not admin_ids:
        return
    only_admins = filters.ChatType.PRIVATE & filters.User(user_id=admin_ids)
    application.add_handler(
        CommandHandler("feeds", on_feeds, filters=filters.UpdateType.MESSAGE & only_admins)
    )
