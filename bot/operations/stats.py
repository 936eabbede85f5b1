"""What ``/stats`` tells the bot's admins, as plain data and one HTML message."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StatsSnapshot:
    instance: str
    uptime_seconds: float
    catalog_version: str
    briefings: int
    updates_handled: int
    handler_errors: int
    too_many_requests: int
    since: dt.datetime  # the start of "today" in the bot's time zone
    subscribers: Mapping[str, int] | None  # None: the database is unavailable
    digests_today: Mapping[str, int] | None


def uptime(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def render_stats(stats: StatsSnapshot) -> str:
    lines = [f"<b>briefbot stats</b> · {html.escape(stats.instance)}"]
    if stats.subscribers is None or stats.digests_today is None:
        lines.append("Subscribers and digests: the database is unavailable right now.")
    else:
        total = sum(stats.subscribers.values())
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(stats.subscribers.items()))
        lines.append(f"Subscribers: {total} chats" + (f" ({kinds})" if kinds else ""))
        lines.append(
            f"Digests today (since {stats.since:%d %b %H:%M %Z}): "
            f"{stats.digests_today.get('sent', 0)} sent, "
            f"{stats.digests_today.get('failed', 0)} failed"
        )
    lines += [
        f"Telegram 429 answers since start: {stats.too_many_requests}",
        f"Updates handled: {stats.updates_handled} ({stats.handler_errors} failed)",
        f"Uptime: {uptime(stats.uptime_seconds)}",
        f"Catalog: version {html.escape(stats.catalog_version)}, {stats.briefings} briefings",
    ]
    return "\n".join(lines)
