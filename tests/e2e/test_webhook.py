"""Webhook mode, /healthz and /metrics over real HTTP on 127.0.0.1.

The bot runs as ``briefbot run`` does (``bot.operations.runner.serve``); the local Bot API posts
every update to its webhook with the secret token, as Telegram does, and retries the
ones that were not accepted.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import ManualClock
from bot.operations.web import SECRET_HEADER
from tests.conftest import MEXICO_CITY, TODAY
from tests.e2e.conftest import StartBot


def _metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_the_webhook_is_registered_with_a_secret_and_updates_are_answered(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(webhook=True)
    settings = bot.services.settings
    assert bot.api.webhook == {
        "url": f"{bot.web_url}/telegram",
        "secret_token": settings.webhook_secret,
    }
    assert settings.webhook_secret and len(settings.webhook_secret) == 64  # derived
    user, chat = bot.person(40)
    replies = await bot.say(chat, user, "/cuba")
    assert replies[0].plain.startswith("Cuba–Mexico relations")
    assert bot.api.webhook_deliveries == 1
    assert not bot.api.calls_to("getUpdates")  # no polling in webhook mode


async def test_posts_without_the_right_secret_are_refused_with_403(start_bot: StartBot) -> None:
    bot = await start_bot(webhook=True)
    user, chat = bot.person(41)
    update = {
        "update_id": 9001,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": chat,
            "from": user,
            "text": "/cuba",
        },
    }
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        missing = await client.post("/telegram", json=update)
        wrong = await client.post("/telegram", json=update, headers={SECRET_HEADER: "guess"})
        elsewhere = await client.post("/other", json=update)
    assert (missing.status_code, wrong.status_code, elsewhere.status_code) == (403, 403, 404)
    # the right secret over the same path works, so the refusals were about the secret
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        right = await client.post(
            "/telegram",
            json=update,
            headers={SECRET_HEADER: bot.services.settings.webhook_secret or ""},
        )
    assert right.status_code == 200
    await bot.handled(9001)
    assert len(bot.api.sent_to(41)) == 1  # answered once: the refused posts did nothing


async def test_a_post_that_is_not_an_update_gets_400_and_the_bot_keeps_serving(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(webhook=True)
    secret = {SECRET_HEADER: bot.services.settings.webhook_secret or ""}
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        statuses = [
            (await client.post("/telegram", content=body, headers=secret)).status_code
            for body in (b"{not json", b"[1, 2]", b"null", b'{"update_id": "x"}', b"{}")
        ]
    assert statuses == [400] * 5
    assert bot.services.activity.failures == 0  # nothing reached the handlers
    user, chat = bot.person(42)
    assert (await bot.say(chat, user, "/missing"))[0].plain


async def test_updates_not_accepted_while_the_bot_is_down_arrive_when_it_is_back(
    start_bot: StartBot,
) -> None:
    first = await start_bot(webhook=True)
    user, chat = first.person(43)
    await first.say(chat, user, "/cuba")
    await first.stop()
    waiting = first.api.send_text(chat, user, "/missing")  # Telegram keeps it and retries
    again = await start_bot(webhook=True)  # a new port: setWebhook moves the URL there
    await again.handled(waiting)
    texts = [message.plain for message in again.api.sent_to(43)]
    assert len(texts) == 2 and texts[1].startswith("Missing")
    assert again.api.webhook_refusals.get(0, 0) >= 1  # it really was refused meanwhile


async def test_healthz_reports_the_catalog_the_database_and_the_last_update(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(web=True)  # long polling, with the same HTTP server
    user, chat = bot.person(44)
    await bot.say(chat, user, "/cuba")
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        answer = await client.get("/healthz")
    assert answer.status_code == 200
    health = answer.json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["mode"] == "polling"
    assert health["catalog"] == {
        "loaded": True,
        "version": bot.services.catalog.version,
        "briefings": len(bot.services.catalog.briefings),
        "articles": len(bot.services.catalog.articles),
        "changed_at": TODAY.isoformat(),  # served since the start
    }
    assert health["last_update_id"] == bot.services.activity.last_update_id
    assert health["last_update_at"] == TODAY.isoformat()


async def test_healthz_is_503_when_the_database_cannot_be_reached(start_bot: StartBot) -> None:
    # Nothing listens on port 1: the database is unreachable from the start.
    nowhere = "postgresql://briefbot@127.0.0.1:1/briefbot"
    bot = await start_bot(webhook=True, env={"DATABASE_URL": nowhere})
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        answer = await client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unhealthy"
    assert answer.json()["database"].startswith("unavailable")
    user, chat = bot.person(45)
    assert (await bot.say(chat, user, "/cuba"))[0].plain.startswith("Cuba")  # still serving


async def test_metrics_count_updates_replies_latency_digests_and_subscribers(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="briefbot")
    clock = ManualClock(TODAY)
    bot = await start_bot(webhook=True, clock=clock)
    user, chat = bot.person(46)
    await bot.say(chat, user, "/cuba")
    await bot.say(chat, user, "/cuba")
    await bot.say(chat, user, "/subscribe cuba daily 07:30")
    await bot.say(chat, user, "hello there")
    bot.api.fail_next("sendMessage", retry_after=1)  # the digest meets one 429, then goes
    await bot.advance_to(dt.datetime(2026, 11, 26, 7, 31, tzinfo=MEXICO_CITY))
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = _metrics(answer.text)
    assert found[("briefbot_updates_handled_total", ())] == 4
    assert found[("briefbot_replies_total", (("command", "/cuba"),))] == 2
    assert found[("briefbot_replies_total", (("command", "/subscribe"),))] == 1
    assert found[("briefbot_handler_seconds_count", (("command", "/cuba"),))] == 2
    assert found[("briefbot_handler_seconds_count", (("command", "text"),))] == 1
    assert found[("briefbot_digests_sent_total", ())] == 1
    assert found[("briefbot_digests_failed_total", ())] == 0
    assert found[("briefbot_telegram_429_total", ())] == 1
    assert found[("briefbot_subscribers", (("chat_type", "private"),))] == 1
    assert found[("briefbot_subscribers", (("chat_type", "group"),))] == 0
    assert found[("briefbot_queue_depth", (("queue", "digests"),))] == 0
    assert ("briefbot_queue_depth", (("queue", "updates"),)) in found
    assert found[("process_resident_memory_bytes", ())] > 0
    # and the log has one line per event, with the update or subscription, chat and outcome
    lines = [record.getMessage() for record in caplog.records]
    assert sum("command=/cuba outcome=replied replies=1" in line for line in lines) == 2
    assert sum("command=text outcome=replied" in line for line in lines) == 1
    digest = [line for line in lines if line.startswith("digest subscription=")]
    assert len(digest) == 1 and "chat=46 outcome=sent attempt=1" in digest[0]


async def test_a_handler_that_fails_is_counted_logged_and_the_person_told(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="briefbot")
    bot = await start_bot(web=True)
    user, chat = bot.person(47)
    bot.api.fail_next("sendMessage", description="Bad Request: message is too long")
    replies = await bot.say(chat, user, "/cuba")
    assert [m.plain for m in replies] == [
        "Sorry, something went wrong on my side while answering that. Please try again."
    ]
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        found = _metrics((await client.get("/metrics")).text)
    assert found[("briefbot_handler_errors_total", ())] == 1
    assert found[("briefbot_updates_handled_total", ())] == 1
    lines = [record.getMessage() for record in caplog.records]
    assert any("chat=47 command=/cuba outcome=error" in line for line in lines)


def _message_update(
    update_id: int, chat: dict[str, Any], user: dict[str, Any], text: str
) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": chat,
            "from": user,
            "text": text,
        },
    }


async def test_posts_without_the_secret_are_logged_once_a_minute_with_a_count(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    """3,000 such posts wrote 3,017 WARNING lines: anyone could fill the log."""
    clock = ManualClock(TODAY)
    bot = await start_bot(webhook=True, clock=clock)
    caplog.set_level(logging.INFO, logger="briefbot")
    user, chat = bot.person(43)
    update = _message_update(9101, chat, user, "/cuba")

    def refusals() -> list[str]:
        return [r.getMessage() for r in caplog.records if "refused a post from" in r.getMessage()]

    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        for _ in range(30):
            assert (await client.post("/telegram", json=update)).status_code == 403
        assert len(refusals()) == 1 and "more" not in refusals()[0]
        clock.advance(dt.timedelta(seconds=59))
        assert (await client.post("/telegram", json=update)).status_code == 403
        assert len(refusals()) == 1
        clock.advance(dt.timedelta(seconds=2))
        assert (await client.post("/telegram", json=update)).status_code == 403
    assert len(refusals()) == 2 and "(and 30 more since the last such line)" in refusals()[1]
    assert all(r.levelno == logging.WARNING for r in caplog.records if "refused" in r.message)
    assert not bot.api.sent_to(43)


async def test_an_update_posted_twice_is_handled_once(start_bot: StartBot) -> None:
    """Telegram posts an update again when it did not see the 200; it was answered twice."""
    bot = await start_bot(webhook=True)
    user, chat = bot.person(44)
    secret = {SECRET_HEADER: bot.services.settings.webhook_secret or ""}
    handled = bot.services.activity.handled
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        for update in (
            _message_update(9201, chat, user, "/cuba"),
            _message_update(9201, chat, user, "/cuba"),
            _message_update(9202, chat, user, "/missing"),  # one chat's updates run in order
        ):
            assert (await client.post("/telegram", json=update, headers=secret)).status_code == 200
    await bot.handled(9202)
    replies = bot.api.sent_to(44)
    assert [r.plain.split()[0] for r in replies] == ["Cuba–Mexico", "Missing"]
    assert bot.services.activity.handled == handled + 2
