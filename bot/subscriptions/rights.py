"""Who may change a group's or a channel's subscriptions: asked at the moment of action.

Rights are never read from who once subscribed a chat: every change asks Telegram
(getChatMember) whether the person is an administrator there *now*. A "yes" is kept for
:data:`RIGHTS_TTL` on the injected clock, so a page of presses costs one call; a demoted or
removed administrator therefore loses control at most that long after Telegram knows. A
"no" is not kept: someone just promoted is let in at once.

What Telegram could not answer (a flood wait, the network) is :class:`RightsUnknown`, which
the handlers turn into a line asking the person to try again, never a guess either way.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.clock import Clock

RIGHTS_TTL = dt.timedelta(seconds=60)  # how long a demoted administrator may keep control
RIGHTS_KEPT = 10_000  # answers kept at most; the oldest go first


class RightsUnknown(Exception):
    """Telegram could not say now whether this person is an administrator there."""

    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__(f"rights unknown (retry after {retry_after})")
        self.retry_after = retry_after


class AdminRights:
    """Telegram's recent "yes, an administrator" answers, per chat and person."""

    def __init__(self, clock: Clock, ttl: dt.timedelta = RIGHTS_TTL) -> None:
        self.clock, self.ttl = clock, ttl
        self._yes: OrderedDict[tuple[int, int], dt.datetime] = OrderedDict()

    async def is_admin(
        self, chat_id: int, user_id: int, ask: Callable[[], Awaitable[bool]]
    ) -> bool:
        """The kept answer while it is fresh, else ``ask()`` Telegram (and keep a yes)."""
        key = (chat_id, user_id)
        now = self.clock.now()
        checked = self._yes.get(key)
        if checked is not None and checked <= now < checked + self.ttl:
            return True
        self._yes.pop(key, None)
        if not await ask():
            return False
        self._yes[key] = self.clock.now()
        while len(self._yes) > RIGHTS_KEPT:
            self._yes.popitem(last=False)
        return True
