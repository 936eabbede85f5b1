"""Run a coroutine on a fake event-loop clock (looptime): timed logic, tested exactly.

Sleeps, timeouts and ``loop.time()`` move by the loop's own schedule and not by the wall
clock: when every task waits, the loop jumps to the next timer at once. So a test of a
rate limiter can assert "the fourth send went 0.3 s after the first" as an exact fact,
on a quiet machine and a loaded one alike, and takes no real time to do it.

looptime's pytest plugin is switched off in pyproject.toml (it makes an event loop for
every test and leaves it unclosed, which our warnings-as-errors turns into failures);
the library itself is all we use.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import looptime

T = TypeVar("T")
P = ParamSpec("P")


def run_in_fake_time(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end on a fresh loop whose clock starts at 0 and is fake."""
    loop = looptime.new_event_loop()
    loop.setup_looptime(start=0.0, _enabled=False)
    try:
        asyncio.set_event_loop(loop)
        with loop.looptime_enabled():
            return loop.run_until_complete(coroutine)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def in_fake_time(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """``@in_fake_time async def test_…``: the test runs on its own fake-time loop."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        run_in_fake_time(test(*args, **kwargs))

    return run
