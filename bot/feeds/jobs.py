"""The feed poller started with the digests (it needs their database) and ticked by the
JobQueue; stopped before the HTTP clients close."""

from __future__ import annotations

import logging

from bot.feeds.poller import FeedPoller
from bot.services import BotApplication, Context, services_of
from bot.store import Store
from bot.store.feeds import FeedStore
from ingest.fetch import Limits
from ingest.library import DocumentLibrary

logger = logging.getLogger("briefbot.feeds")
TICK_MAX = 30.0  # seconds between two looks for due feeds, at most
JOB_NAME = "feeds:poll"


def start_feeds(application: BotApplication, store: Store) -> FeedPoller:
    found = services_of(application)
    settings = found.settings
    live = found.live
    assert live is not None and application.job_queue is not None
    poller = FeedPoller(
        FeedStore(store.engine),
        DocumentLibrary.open(settings.documents),
        found.clock,
        settings.instance,
        Limits(timeout=settings.feed_timeout, max_bytes=settings.feed_max_bytes),
        live.refresh,
    )
    found.feeds = poller

    async def tick(context: Context) -> None:
        poller.poll_soon()

    tick_every = min(TICK_MAX, settings.feed_interval)
    application.job_queue.run_repeating(tick, interval=tick_every, name=JOB_NAME)
    poller.poll_soon()  # now, not at the first tick: feeds due and documents not compiled
    return poller


async def stop_feeds(application: BotApplication) -> None:
    found = services_of(application)
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(JOB_NAME):
            job.schedule_removal()
    if found.feeds is not None:
        await found.feeds.close()
        found.feeds = None
