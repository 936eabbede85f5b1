"""The digest machinery as one service: store, delivery workers and scheduler.

Started after the bot knows who it is (``post_init``), so jobs and links can use its
username, and stopped in two steps: ``post_stop`` lets sends in flight finish while the
HTTP client is still open, ``post_shutdown`` closes the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery import DigestDelivery, owner_id
from bot.handlers.common import SERVICES_KEY, BotApplication
from bot.scheduler import DigestScheduler
from bot.services import Services
from bot.store import Store, database_url


@dataclass
class Digests:
    store: Store
    delivery: DigestDelivery
    scheduler: DigestScheduler


async def start_digests(application: BotApplication) -> Digests:
    services: Services = application.bot_data[SERVICES_KEY]
    settings = services.settings
    store = await Store.open(database_url(settings.database_url, settings.data_dir))
    try:
        return await _start(application, services, store)
    except BaseException:
        await store.close()
        raise


async def _start(application: BotApplication, services: Services, store: Store) -> Digests:
    settings = services.settings
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    scheduler: DigestScheduler

    async def chat_changed(chat_id: int) -> None:
        await scheduler.refresh_chat(chat_id)

    async def chat_moved(old_id: int, new_id: int) -> None:
        await scheduler.refresh_chat(new_id)

    delivery = DigestDelivery(
        application.bot,
        store,
        services.catalog,
        services.clock,
        default_zone=settings.timezone,
        owner=owner_id(settings.instance),
        on_chat_gone=chat_changed,
        on_chat_moved=chat_moved,
    )
    scheduler = DigestScheduler(
        application.job_queue,
        store,
        services.clock,
        default_zone=settings.timezone,
        enqueue=delivery.enqueue,
    )
    delivery.start()
    await scheduler.rebuild()
    services.digests = Digests(store, delivery, scheduler)
    return services.digests


async def stop_delivery(application: BotApplication) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    if services.digests is not None:
        await services.digests.delivery.stop()


async def close_store(application: BotApplication) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    if services.digests is not None:
        await services.digests.store.close()
        services.digests = None
