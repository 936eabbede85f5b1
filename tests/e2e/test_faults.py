"""Telegram's failures, injected on command, against the real bot over real HTTP.

Each fault the local Bot API can inject (a 429 with retry_after, 500, 502, a timeout or a
connection reset before or after Telegram accepted the message, 403 for a blocked bot, 400
chat not found, a group migrated to a supergroup) is met once by a person's reply and once
by a scheduled digest, and every test checks the same three things:

(a) the bot keeps serving: another person's /cuba and the same person's next command are
    answered, and the next day's digest arrives;
(b) nothing stored is lost: subscriptions and chat settings are intact, paused only where
    Telegram said the bot is blocked or the chat is not found (and running again once the
    chat is back), and moved with a group that became a supergroup;
(c) the outcome is recorded: the delivery ledger row, the metrics, and the one log line per
    update or digest.

Duplicates, precisely. A reply is never sent twice: it is sent again only when Telegram
surely did not take it (a 5xx answer); after a timeout or reset the person is told that
Telegram did not confirm the answer. A digest is delivered exactly once after a 429, a
5xx, or a timeout or reset *before* Telegram accepted it. After a timeout or reset *after*
Telegram accepted it the bot cannot tell the difference: the row is left ``retry`` ("may
have delivered it") and the sweep sends it again, so the reader gets it twice. That is one
duplicate per lost answer, and it is bounded: a period is claimed at most ``MAX_ATTEMPTS``
times, so even if every answer is lost a digest goes out at most that many times.

The bot's read timeout is shortened to ``READ_TIMEOUT`` through ``build_application``'s
request seam (the e2e ``start_bot`` has no such knob), so a timeout costs one second.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.request import HTTPXRequest

from bot.app import build_application, start_application
from bot.clock import ManualClock
from bot.digests.delivery import MAX_ATTEMPTS
from bot.handlers.errors import NOT_CONFIRMED
from bot.operations.config import load_settings
from bot.store import Delivery
from briefings.model import Catalog
from localapi import LocalBotApi, LocalBotApiServer
from tests import delivery_ledger
from tests.conftest import TODAY
from tests.e2e.conftest import MORNING, Harness

READ_TIMEOUT = 1.0  # seconds the bot waits for an answer (PTB's default is 5)
OLD_GROUP, SUPERGROUP = -900, -100900  # a group that becomes a supergroup
TOMORROW = MORNING + dt.timedelta(days=1)
PERIOD = MORNING.date().isoformat()
NOT_CONFIRMED_TEXT = NOT_CONFIRMED["en"]


# --- the faults --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One fault, how it is injected, and what kind of answer it is.

    ``kind``: "flood" (429), "server" (5xx: Telegram surely did not take it), "lost" (no
    answer: a timeout or reset), "blocked", "not found", "moved". ``accepted``: Telegram
    delivered the message before its answer was lost. ``raised``: the error PTB raises;
    ``error``: its text, as the ledger keeps it.
    """

    name: str
    kind: str
    inject: Callable[[LocalBotApi], None]
    accepted: bool = False
    raised: str = ""
    error: str = ""


def _moved_on_send(api: LocalBotApi) -> None:
    """The bot learns of the upgrade only from the send (no service message yet)."""
    api.group_chat(SUPERGROUP, "Readers", supergroup=True)
    api.fail_next("sendMessage", migrate_to_chat_id=SUPERGROUP)


FAULTS = [
    Fault("429", "flood", lambda api: api.fail_next("sendMessage", retry_after=1)),
    Fault(
        "500",
        "server",
        lambda api: api.fail_next("sendMessage", error_code=500),
        raised="NetworkError",
        error="Internal Server Error",
    ),
    Fault(
        "502",
        "server",
        lambda api: api.fail_next("sendMessage", error_code=502),
        raised="NetworkError",
        error="Bad Gateway",
    ),
    Fault(
        "timeout-before-accepting",
        "lost",
        lambda api: api.time_out_next("sendMessage"),
        raised="TimedOut",
        error="Timed out",
    ),
    Fault(
        "timeout-after-accepting",
        "lost",
        lambda api: api.time_out_next("sendMessage", after_accepting=True),
        accepted=True,
        raised="TimedOut",
        error="Timed out",
    ),
    Fault(
        "reset-before-accepting",
        "lost",
        lambda api: api.reset_next("sendMessage"),
        raised="NetworkError",
        error="httpx.ReadError",
    ),
    Fault(
        "reset-after-accepting",
        "lost",
        lambda api: api.reset_next("sendMessage", after_accepting=True),
        accepted=True,
        raised="NetworkError",
        error="httpx.ReadError",
    ),
    Fault(
        "403-blocked",
        "blocked",
        lambda api: api.fail_next("sendMessage", error_code=403),
        raised="Forbidden",
        error="Forbidden: bot was blocked by the user",
    ),
    Fault(
        "400-chat-not-found",
        "not found",
        lambda api: api.fail_next("sendMessage", description="Bad Request: chat not found"),
        raised="BadRequest",
        error="Chat not found",
    ),
    Fault("migrate-to-chat-id", "moved", _moved_on_send),
]
each_fault = pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])


# --- the bot, and what it recorded -----------------------------------------------------------


@pytest.fixture
async def bot(
    telegram: LocalBotApiServer, catalog: Catalog, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The bot as ``start_bot`` starts it (polling, a ManualClock), with short timeouts."""
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": telegram.api.token,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
            "BRIEFBOT_FLOOD_SCALE": "100",
            "BRIEFBOT_PORT": "off",
        }
    )
    application = build_application(
        settings,
        request=HTTPXRequest(connection_pool_size=64, read_timeout=READ_TIMEOUT),
        updates_request=HTTPXRequest(),  # the long poll keeps PTB's timeouts
        clock=ManualClock(TODAY),
        catalog=catalog,
    )
    harness = Harness(telegram.api, telegram, application)
    await start_application(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    harness.digests.delivery.retry_wait = 0.05  # backoff between retries of a 5xx
    try:
        yield harness
    finally:
        await harness.stop()


def _metrics(bot: Harness) -> dict[str, float]:
    """The unlabelled samples /metrics serves (the same registry, rendered)."""
    text = bot.services.metrics.render().decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


def _lines(caplog: pytest.LogCaptureFixture, pattern: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if re.search(pattern, r.getMessage())]


def _briefings(bot: Harness, chat_id: int) -> int:
    return sum(m.plain.startswith("Cuba–Mexico relations\n") for m in bot.api.sent_to(chat_id))


def _digests(bot: Harness, chat_id: int) -> list[str]:
    # a digest with nothing new opens with that, not with today's date (issue 17)
    return [
        m.plain
        for m in bot.api.sent_to(chat_id)
        if "your daily digest" in m.plain or m.plain.startswith("Nothing new since your last")
    ]


async def _row(bot: Harness) -> Delivery:
    [row] = [row for row in await delivery_ledger.rows(bot.digests.store) if row.period == PERIOD]
    return row


async def _stored(bot: Harness, chat_id: int) -> tuple[Any, ...]:
    """The chat's settings and subscriptions, as the store has them."""
    store = bot.digests.store
    return await store.chat(chat_id), await store.subscriptions_of([chat_id])


async def _asks_cuba_and_is_answered(bot: Harness, user_id: int) -> None:
    user, chat = bot.person(user_id, "Other")
    [answer] = await bot.say(chat, user, "/cuba")
    assert answer.plain.startswith("Cuba–Mexico relations\n")


# --- a person's reply ------------------------------------------------------------------------


@each_fault
async def test_a_reply_that_meets_the_fault(
    bot: Harness, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="briefbot")
    user, chat = bot.person(501)
    if fault.kind == "moved":
        chat = bot.api.group_chat(OLD_GROUP, "Readers")
        bot.api.set_member(OLD_GROUP, 501, "administrator")
    chat_id = chat["id"]
    await bot.say(chat, user, "/subscribe cuba daily 08:00")
    await bot.say(chat, user, "/quiet 22:00-07:00")
    stored = await _stored(bot, chat_id)
    caplog.clear()

    if fault.kind == "blocked":  # as Telegram does it: the block is an update, then 403s
        await bot.handled(bot.api.block_bot(501))
    elif fault.kind == "moved":  # the group is upgraded as the person asks in it
        bot.api.migrate_group(OLD_GROUP, SUPERGROUP)
    else:
        fault.inject(bot.api)
    seen = await bot.say(chat, user, "/cuba")

    # What the person sees: the briefing once, never twice.
    texts = [m.plain.split("\n", 1)[0] for m in seen]
    briefing = "Cuba–Mexico relations"
    if fault.kind in ("flood", "server"):  # a 429 is waited out, a 5xx sent again
        assert texts == [briefing]
    elif fault.kind == "lost":  # not sent again (it may have arrived): the person is told
        assert texts == ([briefing] if fault.accepted else []) + [NOT_CONFIRMED_TEXT]
    elif fault.kind == "moved":  # the answer follows the group
        assert texts == [] and _briefings(bot, SUPERGROUP) == 1
    else:  # blocked, or no such chat: nothing can arrive, nothing is tried
        assert texts == []

    # (c) recorded: one line for the update, and the metrics.
    [line] = _lines(caplog, rf"^update=\d+ chat={chat_id} command=/cuba ")
    metrics = _metrics(bot)
    assert metrics["briefbot_telegram_429_total"] == (1 if fault.kind == "flood" else 0)
    resends = _lines(caplog, "; sending it again$")
    if fault.kind in ("flood", "server", "moved"):
        assert "outcome=replied replies=1 " in line
        assert ("resent=1" in line) is (fault.kind != "flood")
        assert metrics["briefbot_handler_errors_total"] == 0
        if fault.kind == "flood":  # AIORateLimiter waited retry_after and sent it again
            assert resends == []
        else:
            [resend] = resends
            assert (fault.error or f"supergroup {SUPERGROUP}") in resend
    else:
        replies = 2 if fault.kind == "lost" else 1  # the briefing tried, and the notice
        assert f"outcome=error replies={replies} " in line
        assert line.endswith(f" error={fault.raised}") and resends == []
        assert metrics["briefbot_handler_errors_total"] == 1

    # (b) nothing stored is lost; paused only while Telegram says the bot is blocked.
    if fault.kind == "blocked":  # paused while blocked: no digest planned
        record, subscriptions = await _stored(bot, chat_id)
        assert record is not None and not record.active
        assert subscriptions == stored[1] and not bot.digests.scheduler.planned
        await bot.handled(bot.api.unblock_bot(501))
        assert bot.digests.scheduler.planned  # running again
    if fault.kind == "moved":
        record, subscriptions = await _stored(bot, SUPERGROUP)
        old_record, old_subscriptions = stored
        assert await bot.digests.store.chat(OLD_GROUP) is None
        assert record == replace(old_record, id=SUPERGROUP, type="supergroup")
        assert subscriptions == [replace(s, chat_id=SUPERGROUP) for s in old_subscriptions]
        chat = bot.api.chats[SUPERGROUP]
    else:  # a refused reply changes nothing: a digest's refusal, or Telegram's update, does
        assert await _stored(bot, chat_id) == stored

    # (a) the bot keeps serving: someone else, and the same person again.
    await _asks_cuba_and_is_answered(bot, 502)
    before = _briefings(bot, chat["id"])
    [again] = await bot.say(chat, user, "/cuba")
    assert again.plain.startswith(briefing) and _briefings(bot, chat["id"]) == before + 1


# --- a scheduled digest ----------------------------------------------------------------------


async def _reader(bot: Harness, *, group: bool = False) -> int:
    """A chat subscribed to the Cuba digest at 08:00 daily, with quiet hours 22:00-07:00."""
    store = bot.digests.store
    if group:
        chat_id, kind, title = OLD_GROUP, "group", "Readers"
        bot.api.group_chat(OLD_GROUP, title)
    else:
        chat_id, kind, title = 601, "private", "Ana"  # a private chat's title: the name
        bot.api.private_chat(601)
    await store.remember_chat(chat_id, kind, title, "en", TODAY)
    await store.set_quiet_hours(chat_id, "22:00", "07:00")
    await store.subscribe(chat_id, "cuba", "daily", 0, "08:00", 601, TODAY)
    return chat_id


@each_fault
async def test_a_digest_that_meets_the_fault(
    bot: Harness, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="briefbot")
    chat_id = await _reader(bot, group=fault.kind == "moved")
    stored = await _stored(bot, chat_id)
    fault.inject(bot.api)
    await bot.advance_to(MORNING)

    row = await _row(bot)
    metrics = _metrics(bot)
    [line] = _lines(caplog, rf"^digest subscription=\d+ period={PERIOD} ")
    lands = SUPERGROUP if fault.kind == "moved" else chat_id
    if fault.kind in ("flood", "server", "moved"):  # retried at once: there, exactly once
        assert len(_digests(bot, lands)) == 1 and _digests(bot, OLD_GROUP) == []
        assert (row.state, row.attempts) == ("sent", 1)
        retried = f"sent after retrying {fault.raised}: {fault.error}"
        assert row.last_error == (retried if fault.kind == "server" else None)
        assert f"chat={lands} outcome=sent attempt=1" in line
        assert metrics["briefbot_digests_sent_total"] == 1
    elif fault.kind == "lost":  # left for the sweep: Telegram may have delivered it
        assert len(_digests(bot, chat_id)) == (1 if fault.accepted else 0)
        assert (row.state, row.attempts) == ("retry", 1)
        assert row.last_error is not None
        assert row.last_error.startswith(f"{fault.raised}: {fault.error}")
        assert row.last_error.endswith("; Telegram may have delivered it")
        assert f"outcome=retry attempt=1 error='{fault.raised}: {fault.error}" in line
        assert metrics["briefbot_digests_deferred_total"] == 1
        assert await bot.digests.scheduler.sweep() == 1
        await bot.settle()
        # Before accepting: now delivered once. After: the documented duplicate.
        assert len(_digests(bot, chat_id)) == (2 if fault.accepted else 1)
        resent = await _row(bot)  # the risk of that duplicate stays on record
        assert (resent.state, resent.attempts, resent.last_error) == ("sent", 2, row.last_error)
        assert _lines(caplog, f"period={PERIOD} chat={chat_id} outcome=sent attempt=2$")
        assert await bot.digests.scheduler.sweep() == 0  # and never a third time
        assert _metrics(bot)["briefbot_digests_sent_total"] == 1
    else:  # blocked, not found: final for this period, and the chat is paused
        assert _digests(bot, chat_id) == []
        assert (row.state, row.attempts, row.last_error) == ("failed", 1, fault.error)
        assert f"outcome=failed attempt=1 error='{fault.error}'" in line
        assert metrics["briefbot_digests_failed_total"] == 1
    assert metrics["briefbot_telegram_429_total"] == (1 if fault.kind == "flood" else 0)

    # (b) nothing stored is lost; paused only where Telegram said the chat is unreachable.
    record, subscriptions = await _stored(bot, lands)
    old_record, old_subscriptions = stored
    assert old_record is not None and record is not None
    if fault.kind == "moved":
        assert await bot.digests.store.chat(OLD_GROUP) is None
        old_record = replace(old_record, id=SUPERGROUP, type="supergroup")
        old_subscriptions = [replace(s, chat_id=SUPERGROUP) for s in old_subscriptions]
    if fault.kind in ("blocked", "not found"):
        assert (record.active, record.inactive_reason) == (False, fault.kind)
        assert not bot.digests.scheduler.planned
        await bot.handled(bot.api.unblock_bot(chat_id))  # the chat is back
        assert bot.digests.scheduler.planned  # and its digests are planned again
        record, subscriptions = await _stored(bot, lands)
    assert (record, subscriptions) == (old_record, old_subscriptions)

    # (a) the bot keeps serving: a person, the reader, and tomorrow's digest, once.
    await _asks_cuba_and_is_answered(bot, 602)
    reader, _ = bot.person(601)
    [listing] = await bot.say(bot.api.chats[lands], reader, "/subscriptions")
    assert "Cuba" in listing.plain
    before = len(_digests(bot, lands))
    await bot.advance_to(TOMORROW)
    assert len(_digests(bot, lands)) == before + 1


async def test_a_digest_whose_every_answer_is_lost_goes_out_at_most_max_attempts_times(
    bot: Harness,
) -> None:
    """The bound on the duplicate: each claim sends once and the period gives up after
    ``MAX_ATTEMPTS`` claims, even when Telegram accepts every copy and no answer arrives."""
    chat_id = await _reader(bot)
    bot.api.reset_next("sendMessage", after_accepting=True, times=100)
    await bot.advance_to(MORNING)
    while await bot.digests.scheduler.sweep():
        await bot.settle()
    assert len(_digests(bot, chat_id)) == MAX_ATTEMPTS
    row = await _row(bot)
    assert (row.state, row.last_error) == ("failed", "gave up after repeated failures")
