"""Feeds in the running bot: /feeds for admins, polls on the clock, the catalog swapped
without a restart, and every fault a bad source has (tests/feedserver.py) leaving the bot
serving and the catalog intact."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.clock import ManualClock
from ingest.sources import ingest_all
from tests.conftest import TODAY
from tests.e2e.conftest import Harness, StartBot
from tests.feedserver import NewsSite

ADMIN = 500
OIL = (
    "Pemex sent a tanker with 80,000 barrels of crude oil to Havana on Tuesday, the energy "
    "ministry said in a statement.",
    "The shipment is the third this year, and officials in Havana said the fuel would keep "
    "power plants running through the winter.",
    "“We will keep helping our neighbours,” said President Claudia Sheinbaum at her morning "
    "press conference.",
)
SETTINGS = {"BRIEFBOT_ADMIN_IDS": str(ADMIN), "BRIEFBOT_FEED_TIMEOUT": "2"}


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news:
        news.publish("oil", "Mexico ships more oil to Cuba", *OIL, day="2026-11-24")
        yield news


async def add_feed(bot: Harness, url: str, minutes: int = 15) -> str:
    admin, chat = bot.person(ADMIN)
    [reply] = await bot.say(chat, admin, f"/feeds add {url} {minutes}")
    return reply.plain


async def feeds_page(bot: Harness) -> str:
    admin, chat = bot.person(ADMIN)
    [reply] = await bot.say(chat, admin, "/feeds")
    return reply.plain


async def polled(bot: Harness, count: int = 1) -> None:
    """Until the poller has finished ``count`` more polls than now."""
    poller = bot.services.feeds
    assert poller is not None
    target = poller.polls + count
    await bot.api.wait_for(lambda: poller.polls >= target)


async def test_a_feed_added_by_an_admin_is_served_without_a_restart(
    start_bot: StartBot, site: NewsSite
) -> None:
    bot = await start_bot(clock=ManualClock(TODAY), env=SETTINGS, web=True)
    reader, chat = bot.person(42)
    before = await bot.say(chat, reader, "/cuba")
    old_version = bot.services.catalog.version
    assert "Mexico ships more oil to Cuba" not in before[0].plain
    assert "Added feed 1" in await add_feed(bot, site.feed_url("rss"))
    await bot.api.wait_for(lambda: bot.services.catalog.version != old_version)
    after = await bot.say(chat, reader, "/cuba")
    assert "24 Nov 2026 · Mexico ships more oil to Cuba" in after[0].plain
    # A button under the old version's message still answers, with the current briefing.
    pressed = await bot.press(before[0], "More", reader)
    assert "24 Nov 2026 · Mexico ships more oil to Cuba" in pressed.plain  # now current
    page = await feeds_page(bot)
    assert site.feed_url("rss") in page and "1 articles" in page and "polled" in page
    async with httpx.AsyncClient() as client:
        health = (await client.get(f"{bot.web_url}/healthz")).json()
        metrics = (await client.get(f"{bot.web_url}/metrics")).text
    assert health["catalog"]["version"] == bot.services.catalog.version != old_version
    assert health["catalog"]["changed_at"].startswith("2026-11-25")
    assert f'briefbot_catalog_info{{version="{bot.services.catalog.version}"}} 1.0' in metrics
    assert 'briefbot_feeds{state="ok"} 1.0' in metrics


async def test_an_unchanged_feed_costs_a_304_and_no_rebuild(
    start_bot: StartBot, site: NewsSite
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock, env=SETTINGS)
    await add_feed(bot, site.feed_url("atom"))
    await polled(bot)
    live = bot.services.live
    assert live is not None
    rebuilds = live.rebuilds
    clock.advance(dt.timedelta(minutes=16))
    poller = bot.services.feeds
    assert poller is not None
    assert await poller.poll_due() == 0
    assert site.not_modified == 1 and live.rebuilds == rebuilds
    assert site.requests["/news/oil.html"] == 1


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("down", "cannot be reached"),
        ("error", "HTTP 500"),
        ("slow", "no complete answer within 2 s"),
        ("redirect-loop", "redirect loop"),
        ("html", "an HTML page, not an RSS or Atom feed"),
        ("malformed", "not a readable feed"),
        ("huge", "too large"),
    ],
)
async def test_a_bad_feed_never_hurts_and_is_reported_once_per_streak(
    fault: str,
    said: str,
    start_bot: StartBot,
    site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock, env=SETTINGS)
    version = bot.services.catalog.version
    site.fault("rss", fault)
    caplog.set_level(logging.INFO, logger="briefbot.feeds")
    await add_feed(bot, site.feed_url("rss"))
    await polled(bot)
    page = await feeds_page(bot)
    assert "failing since" in page and said in page, page
    reader, chat = bot.person(42)
    assert "Cuba" in (await bot.say(chat, reader, "/cuba"))[0].plain  # still serving
    assert bot.services.catalog.version == version  # the catalog as it was
    poller = bot.services.feeds
    assert poller is not None
    clock.advance(dt.timedelta(minutes=31))  # the first retry: backoff doubles the interval
    await poller.poll_due()
    assert "(2 tries)" in await feeds_page(bot)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "failing" in r.msg]
    assert len(warnings) == 1  # once per streak
    site.clear()
    clock.advance(dt.timedelta(hours=2))
    await poller.poll_due()
    assert bot.services.catalog.version != version
    assert "failing" not in await feeds_page(bot)
    assert any("recovered" in r.getMessage() for r in caplog.records)


async def test_a_feed_that_repeats_every_item_or_is_not_utf8_adds_each_article_once(
    start_bot: StartBot, site: NewsSite
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock, env=SETTINGS)
    site.fault("rss", "repeat")
    site.fault("atom", "latin1")
    await add_feed(bot, site.feed_url("rss"))
    await polled(bot)
    await add_feed(bot, site.feed_url("atom"))
    await polled(bot)
    poller = bot.services.feeds
    assert poller is not None
    for _ in range(2):
        clock.advance(dt.timedelta(minutes=16))
        await poller.poll_due()
    articles = [
        a for a in bot.services.catalog.articles if a.title == "Mexico ships more oil to Cuba"
    ]
    assert len(articles) == 1
    assert "failing" not in await feeds_page(bot)


async def test_feeds_is_for_admins_in_private_chats(start_bot: StartBot, site: NewsSite) -> None:
    bot = await start_bot(env=SETTINGS)
    stranger, chat = bot.person(7)
    [reply] = await bot.say(chat, stranger, "/feeds")
    assert "Feeds" not in reply.plain
    assert "No feeds yet" in await feeds_page(bot)
    assert "not an http(s) address" in await add_feed(bot, "ftp://example.com/feed")
    assert "not an http(s) address" in await add_feed(bot, "https://x.org/" + "a" * 3000)
    admin, chat = bot.person(ADMIN)
    [reply] = await bot.say(chat, admin, "/feeds add https://example.com/feed.xml 0")
    assert "not a number of minutes" in reply.plain
    [reply] = await bot.say(chat, admin, "/feeds remove 9")
    assert "There is no feed 9" in reply.plain
    [reply] = await bot.say(chat, admin, "/feeds frobnicate")
    assert "/feeds add URL" in reply.plain


async def test_new_news_leads_the_next_digest_exactly_once_across_restarts(
    start_bot: StartBot, site: NewsSite
) -> None:
    clock = ManualClock(TODAY)  # Wed 25 Nov 2026, 12:00 in Mexico City
    first = await start_bot(clock=clock, env=SETTINGS)
    reader, chat = first.person(42)
    await first.say(chat, reader, "/subscribe cuba daily 08:00")
    sent = len(first.api.sent_to(42))
    await first.advance_to(dt.datetime(2026, 11, 26, 8, 0, tzinfo=TODAY.tzinfo))
    before = "\n".join(m.plain for m in first.api.sent_to(42)[sent:])
    assert "your daily digest" in before and "Mexico ships more oil to Cuba" not in before
    site.publish("oil", "Mexico ships more oil to Cuba", *OIL, day="2026-11-26")
    old_version = first.services.catalog.version
    await add_feed(first, site.feed_url("rss"))
    await first.api.wait_for(lambda: first.services.catalog.version != old_version)
    new_version = first.services.catalog.version
    await first.stop()

    second = await start_bot(clock=clock, env=SETTINGS)  # started with the seeds' catalog
    await second.api.wait_for(lambda: second.services.catalog.version == new_version)
    sent = len(second.api.sent_to(42))
    await second.advance_to(dt.datetime(2026, 11, 27, 8, 0, tzinfo=TODAY.tzinfo))
    digest = "\n".join(m.plain for m in second.api.sent_to(42)[sent:])
    assert "New since your last digest" in digest
    assert "source: Mexico ships more oil to Cuba" in digest
    body = digest.split("Cuba–Mexico relations", 1)[-1]
    stories = [line for line in body.splitlines() if re.match(r"\d+ \w+ 2026 · ", line)]
    assert stories[0].startswith("26 Nov 2026 · Mexico ships more oil to Cuba"), stories
    await second.stop()

    third = await start_bot(clock=clock, env=SETTINGS)
    await third.api.wait_for(lambda: third.services.catalog.version == new_version)
    sent = len(third.api.sent_to(42))
    await third.advance_to(dt.datetime(2026, 11, 28, 8, 0, tzinfo=TODAY.tzinfo))
    digest = "\n".join(m.plain for m in third.api.sent_to(42)[sent:])
    assert digest.startswith("Nothing new since your last digest")
    assert "source: Mexico ships more oil to Cuba" not in digest
    assert site.requests["/news/oil.html"] == 1  # fetched once, compiled into each start


async def test_instances_on_one_database_serve_what_one_of_them_fetched(
    start_bot: StartBot, site: NewsSite, tmp_path: Path
) -> None:
    await _two_instances_converge(start_bot, site, tmp_path, {})


async def test_instances_on_one_postgresql_serve_what_one_of_them_fetched(
    start_bot: StartBot, site: NewsSite, tmp_path: Path, postgres_url: str
) -> None:
    await _two_instances_converge(start_bot, site, tmp_path, {"DATABASE_URL": postgres_url})


async def _two_instances_converge(
    start_bot: StartBot, site: NewsSite, tmp_path: Path, database: dict[str, str]
) -> None:
    """Each instance has its own documents folder; the database carries what one fetched
    to the others, which rebuild and serve the same catalog version."""
    clock = ManualClock(TODAY)
    shared = {**SETTINGS, "BRIEFBOT_FEED_INTERVAL": "1", **database}  # a look every second
    first = await start_bot(
        clock=clock, instance="one", env={**shared, "BRIEFBOT_DOCUMENTS": str(tmp_path / "a")}
    )
    second = await start_bot(
        clock=clock,
        instance="two",
        poll=False,  # one getUpdates poller per bot
        env={**shared, "BRIEFBOT_DOCUMENTS": str(tmp_path / "b")},
    )
    old_version = first.services.catalog.version
    await add_feed(first, site.feed_url("rss"))
    await first.api.wait_for(lambda: first.services.catalog.version != old_version)
    await second.api.wait_for(
        lambda: second.services.catalog.version == first.services.catalog.version
    )
    assert site.requests["/rss.xml"] == 1  # polled by one instance only
    assert len(list((tmp_path / "b").glob("doc_*.json"))) == 1


async def test_what_briefbot_ingest_adds_beside_the_running_bot_is_served(
    start_bot: StartBot, site: NewsSite
) -> None:
    clock = ManualClock(TODAY)
    bot = await start_bot(clock=clock, env=SETTINGS)
    poller = bot.services.feeds
    assert poller is not None
    await bot.api.wait_for(lambda: poller.polls >= 1)  # its first look, at the start
    old_version = bot.services.catalog.version
    documents = bot.services.settings.documents
    reports, failures = await ingest_all([site.page_url("oil")], documents, clock.now)
    assert failures == [] and reports[0].changed == 1
    await poller.poll_due()  # the next look for due feeds sees the folder changed
    assert bot.services.catalog.version != old_version
    assert any(a.title == "Mexico ships more oil to Cuba" for a in bot.services.catalog.articles)
