"""Telegram's "yes, an administrator" is kept for RIGHTS_TTL on the injected clock, a "no"
not at all, and "can't say now" is never taken for either."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import ManualClock
from bot.subscriptions.rights import RIGHTS_TTL, AdminRights, RightsUnknown

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


class Telegram:
    """getChatMember's answer, and how often it was asked."""

    def __init__(self, admin: bool) -> None:
        self.admin, self.asked = admin, 0

    async def ask(self) -> bool:
        self.asked += 1
        return self.admin


async def test_a_yes_is_kept_until_the_ttl_then_asked_again() -> None:
    clock = ManualClock(NOW)
    rights, telegram = AdminRights(clock), Telegram(admin=True)
    assert await rights.is_admin(-1, 7, telegram.ask)
    clock.advance(RIGHTS_TTL - dt.timedelta(seconds=1))
    telegram.admin = False  # demoted; the kept yes still stands
    assert await rights.is_admin(-1, 7, telegram.ask)
    assert telegram.asked == 1
    clock.advance(dt.timedelta(seconds=1))
    assert not await rights.is_admin(-1, 7, telegram.ask)
    assert telegram.asked == 2


async def test_a_no_is_not_kept_so_a_promotion_counts_at_once() -> None:
    rights, telegram = AdminRights(ManualClock(NOW)), Telegram(admin=False)
    assert not await rights.is_admin(-1, 7, telegram.ask)
    telegram.admin = True
    assert await rights.is_admin(-1, 7, telegram.ask)
    assert telegram.asked == 2


async def test_answers_are_per_chat_and_person_and_a_clock_set_back_asks_again() -> None:
    clock = ManualClock(NOW)
    rights, telegram = AdminRights(clock), Telegram(admin=True)
    await rights.is_admin(-1, 7, telegram.ask)
    await rights.is_admin(-2, 7, telegram.ask)
    await rights.is_admin(-1, 8, telegram.ask)
    assert telegram.asked == 3
    clock.set(NOW - dt.timedelta(hours=1))
    await rights.is_admin(-1, 7, telegram.ask)
    assert telegram.asked == 4


async def test_an_unknown_answer_is_raised_and_not_kept() -> None:
    rights = AdminRights(ManualClock(NOW))

    async def flood_wait() -> bool:
        raise RightsUnknown(5)

    with pytest.raises(RightsUnknown) as raised:
        await rights.is_admin(-1, 7, flood_wait)
    assert raised.value.retry_after == 5
    telegram = Telegram(admin=False)
    assert not await rights.is_admin(-1, 7, telegram.ask)
