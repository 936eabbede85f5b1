"""The flood limiter: sliding windows at Telegram's limits, replies ahead of a fan-out.

The timed tests run on a fake event-loop clock (:mod:`tests.fake_time`): sleeps and waits
take no real time and the loop's ``time()`` moves only by them, so every duration below is
exact on a quiet machine and a loaded one alike.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, NetworkError, TimedOut

from bot.operations.rate_limiter import FloodLimiter, SlidingWindow, fanout_lane
from bot.operations.telegram_limits import FloodLimits
from tests.fake_time import in_fake_time


def _now() -> float:
    return asyncio.get_running_loop().time()


@in_fake_time
async def test_a_window_never_admits_more_than_its_limit_in_any_period() -> None:
    window = SlidingWindow(5, 0.2)
    admitted: list[float] = []
    answered: list[float] = []

    async def one() -> None:
        await window.acquire(urgent=False)
        admitted.append(_now())
        await asyncio.sleep(0.03)  # time on the wire
        answered.append(_now())
        window.release()

    await asyncio.gather(*(one() for _ in range(15)))
    admitted.sort()
    answered.sort()
    for index in range(len(admitted) - 5):
        # The server counts a send somewhere between the two: a period always separates
        # a send from the fifth after it, however long the wire took.
        assert admitted[index + 5] - answered[index] >= 0.2
    assert admitted[-1] - admitted[0] < (0.2 + 0.03) * 3 + 0.15  # and no slower than that


@in_fake_time
async def test_an_urgent_caller_goes_before_waiting_fanout() -> None:
    window = SlidingWindow(2, 0.2)
    order: list[str] = []

    async def take(name: str, urgent: bool) -> None:
        await window.acquire(urgent=urgent)
        order.append(name)
        window.release()

    fanout = [asyncio.create_task(take(f"fan{n}", False)) for n in range(6)]
    await asyncio.sleep(0.05)  # one fan-out send went (one slot is kept); five wait
    assert order == ["fan0"]
    started = _now()
    await take("reply", True)
    assert _now() == started  # the kept slot: no wait at all
    await asyncio.gather(*fanout)
    assert order.index("reply") == 1  # ahead of five queued sends


def test_scaled_limits_keep_their_shape() -> None:
    limits = FloodLimits().scaled(10)
    assert limits.overall_per_second == 300
    assert limits.group_per_minute == 200
    assert limits.private_burst == 3 and abs(limits.private_window - 0.3) < 1e-9


@in_fake_time
async def test_the_limiter_spaces_one_chat_and_leaves_other_methods_alone() -> None:
    limiter = FloodLimiter(FloodLimits(private_per_second=4 / 0.3, private_burst=4))
    sent: list[tuple[str, float]] = []

    async def call(name: str) -> bool:
        sent.append((name, _now()))
        return True

    async def request(endpoint: str, chat_id: Any, name: str) -> Any:
        data = {"chat_id": chat_id} if chat_id is not None else {}
        return await limiter.process_request(call, (name,), {}, endpoint, data, None)

    started = _now()
    with fanout_lane():
        await asyncio.gather(*(request("sendMessage", 7, f"m{n}") for n in range(4)))
    await request("getChatMember", 7, "member")  # not a message: never waits
    await request("answerCallbackQuery", None, "answer")
    times = {name: at - started for name, at in sent}
    # Four per 0.3 s in that chat, one of them kept for replies: the fourth digest waits.
    assert times["m2"] == 0 and times["m3"] >= 0.3
    assert times["member"] == times["m3"]


@in_fake_time
async def test_retry_after_is_honoured_by_waiting_then_retrying() -> None:
    from telegram.error import RetryAfter

    limiter = FloodLimiter(max_retries=2)
    attempts: list[float] = []

    async def flaky() -> bool:
        attempts.append(_now())
        if len(attempts) == 1:
            raise RetryAfter(1)
        return True

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert len(attempts) == 2 and attempts[1] - attempts[0] >= 1.0


@pytest.mark.parametrize(
    ("cause", "again"),
    [
        (None, True),  # Telegram answered 5xx: it did not take the message
        (httpx.ConnectError("refused"), True),  # the request never left
        (httpx.PoolTimeout("no free connection"), True),
        (httpx.ReadTimeout("no answer"), False),  # it left: Telegram may have delivered it
        (httpx.ReadError("reset by peer"), False),
    ],
    ids=["5xx", "connect", "pool", "read-timeout", "reset"],
)
async def test_a_reply_is_sent_again_only_when_telegram_surely_did_not_take_it(
    cause: Exception | None, again: bool
) -> None:
    limiter = FloodLimiter(FloodLimits().scaled(100), reply_retry_wait=0)
    calls: list[object] = []

    async def flaky(endpoint: str, data: dict[str, Any]) -> bool:
        calls.append(data["chat_id"])
        if len(calls) == 1:
            timed_out = isinstance(cause, httpx.TimeoutException)
            raise (
                TimedOut() if timed_out else NetworkError(f"{cause or 'Bad Gateway'}")
            ) from cause
        return True

    async def send() -> Any:
        data = {"chat_id": 5}
        return await limiter.process_request(
            flaky, ("sendMessage", data), {}, "sendMessage", data, None
        )

    if again:
        assert await send() and calls == [5, 5]
    else:
        with pytest.raises(NetworkError):
            await send()
        assert calls == [5]
    calls.clear()
    with fanout_lane(), pytest.raises(NetworkError):  # digests: bot.digests.delivery decides
        await send()
    assert calls == [5]


async def test_get_me_at_start_is_not_sent_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """getMe at start against an unreachable Bot API: one failure, no "sending it again";
    the start ends with one line and whoever restarts the bot tries again."""
    limiter = FloodLimiter(FloodLimits().scaled(100), reply_retry_wait=0)
    calls: list[str] = []

    async def unreachable(endpoint: str, data: dict[str, Any]) -> bool:
        calls.append(endpoint)
        raise NetworkError("All connection attempts failed") from httpx.ConnectError("refused")

    caplog.set_level(logging.DEBUG, logger="briefbot")
    with pytest.raises(NetworkError):
        await limiter.process_request(unreachable, ("getMe", {}), {}, "getMe", {}, None)
    assert calls == ["getMe"]
    assert not [r for r in caplog.records if r.name.startswith("briefbot")]


async def test_a_reply_follows_a_group_that_became_a_supergroup() -> None:
    limiter = FloodLimiter(FloodLimits().scaled(100))
    calls: list[object] = []

    async def moved(endpoint: str, data: dict[str, Any]) -> bool:
        calls.append(data["chat_id"])
        if data["chat_id"] == -5:
            raise ChatMigrated(-1005)
        return True

    data = {"chat_id": -5, "text": "x"}
    assert await limiter.process_request(
        moved, ("sendMessage", data), {}, "sendMessage", data, None
    )
    assert calls == [-5, -1005]
    with pytest.raises(BadRequest):  # a refusal is final: never sent again
        await limiter.process_request(
            _refused, ("sendMessage", data), {}, "sendMessage", data, None
        )


async def _refused(endpoint: str, data: dict[str, Any]) -> bool:
    raise BadRequest("Message is too long")
