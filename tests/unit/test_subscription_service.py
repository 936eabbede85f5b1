"""The subscriptions service without Telegram: a caller and words in, a Reply out.

A real SQLite store; the digest jobs are a small record of what was re-planned, since
planning them needs PTB's JobQueue (the e2e tests run the real one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.conversation.render import to_plain
from bot.store import Store, database_url
from bot.subscriptions.service import Caller, FoundChannel, SubscriptionService
from briefings.model import Catalog

NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))


class RecordedPlans:
    def __init__(self) -> None:
        self.refreshed: list[int] = []

    async def refresh_chat(self, chat_id: int) -> None:
        self.refreshed.append(chat_id)

    def planned_for(self, subscription_id: int) -> tuple[dt.datetime, str] | None:
        return None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(database_url(None, tmp_path))
    yield opened
    await opened.close()


@pytest.fixture
def plans() -> RecordedPlans:
    return RecordedPlans()


@pytest.fixture
def service(store: Store, plans: RecordedPlans, catalog: Catalog) -> SubscriptionService:
    return SubscriptionService(store, plans, catalog, FixedClock(NOW), "America/Mexico_City")


def person(chat_id: int = 7, lang: str = "en") -> Caller:
    return Caller(chat_id, "private", "Ana", chat_id, lang)


def group_member(*, admin: bool) -> Caller:
    async def is_admin() -> bool:
        return admin

    return Caller(-100, "supergroup", "Readers", 8, "en", is_admin=is_admin)


def said(reply: object) -> str:
    return "\n".join(to_plain(m) for m in reply.messages)  # type: ignore[attr-defined]


async def test_a_one_line_subscription_is_stored_and_its_chat_replanned(
    service: SubscriptionService, store: Store, plans: RecordedPlans
) -> None:
    reply = await service.subscribe(person(), "cuba daily 07:30")
    assert reply.understood
    [subscription] = await store.subscriptions_of([7])
    assert (subscription.what, subscription.cadence, subscription.at) == ("cuba", "daily", "07:30")
    assert plans.refreshed == [7]


async def test_a_request_it_cannot_read_changes_nothing(
    service: SubscriptionService, store: Store, plans: RecordedPlans
) -> None:
    reply = await service.subscribe(person(), "cuba every blue moon at 25:99")
    assert not reply.understood
    assert await store.subscriptions_of([7]) == [] and plans.refreshed == []


async def test_in_a_group_only_admins_change_anything(
    service: SubscriptionService, store: Store
) -> None:
    refused = await service.subscribe(group_member(admin=False), "cuba daily 07:30")
    assert not refused.understood and "admin" in said(refused).lower()
    assert await store.subscriptions_of([-100]) == []
    accepted = await service.subscribe(group_member(admin=True), "cuba daily 07:30")
    assert accepted.understood and len(await store.subscriptions_of([-100])) == 1


async def test_channels_are_subscribed_from_a_private_chat_only(
    service: SubscriptionService, store: Store
) -> None:
    reply = await service.subscribe(group_member(admin=True), "@news cuba daily 07:30")
    assert not reply.understood and "private" in said(reply).lower()

    async def found(channel: str) -> FoundChannel | str:
        return FoundChannel(-500, "News")

    admins: set[int] = {-500}

    async def is_admin_of(chat_id: int) -> bool:
        return chat_id in admins

    caller = Caller(7, "private", "Ana", 7, "en", look_up_channel=found, is_admin_of=is_admin_of)
    assert (await service.subscribe(caller, "@news cuba daily 07:30")).understood
    [subscription] = await store.subscriptions_of([-500])
    assert subscription.created_by == 7
    listing = said(await service.listing(caller))
    assert "News" in listing
    admins.clear()  # demoted: who subscribed the channel no longer counts
    assert "News" not in said(await service.listing(caller))


async def test_unsubscribe_removes_what_it_names(
    service: SubscriptionService, store: Store
) -> None:
    await service.subscribe(person(), "cuba daily 07:30")
    reply = await service.unsubscribe(person(lang="es"), ["cuba"])
    assert reply.understood and "Cuba" in said(reply)
    assert await store.subscriptions_of([7]) == []


async def test_timezone_and_quiet_hours_are_kept_for_the_chat(
    service: SubscriptionService, store: Store
) -> None:
    assert (await service.timezone(person(), "madrid")).understood
    assert (await service.quiet(person(), "22:00-07:00")).understood
    chat = await store.chat(7)
    assert chat is not None
    assert (chat.timezone, chat.quiet_start, chat.quiet_end) == ("Europe/Madrid", "22:00", "07:00")
    assert "22:00" in said(await service.quiet(person(), ""))


async def test_a_preview_sends_one_digest_per_subject_and_records_nothing(
    service: SubscriptionService, store: Store
) -> None:
    assert said((await service.preview(person(), []))[0])  # nothing to preview: says so
    await service.subscribe(person(), "cuba daily 07:30")
    [preview] = await service.preview(person(), [])
    assert preview.messages
    [subscription] = await store.subscriptions_of([7])
    assert await store.last_sent(subscription.id) is None


@pytest.mark.parametrize(
    "words", ["cuba weekly ²", "cuba daily ٠٧:٣٠", "cuba monthly ¹⁵ 09:00", "cuba daily ７:30"]
)
async def test_a_subscription_with_digits_other_than_0_to_9_is_refused(
    service: SubscriptionService, store: Store, words: str
) -> None:
    """``/subscribe cuba weekly ²`` was stored as Monday 02:00."""
    reply = await service.subscribe(person(), words)
    assert not reply.understood and "digits other than 0-9" in said(reply)
    spanish = await service.subscribe(person(lang="es"), words)
    assert "dígitos que no son 0-9" in said(spanish)
    assert await store.subscriptions_of([7]) == []
