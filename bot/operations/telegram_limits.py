"""Telegram's flood limits on messages, as numbers both sides of the wire read.

The bot's limiter (:mod:`bot.operations.rate_limiter`) keeps under them and the local Bot API
(:mod:`bot.console.botapi`, which the console and the test equipment in :mod:`localapi` use)
enforces them, so a benchmark that scales them scales both alike.
A private chat may take a burst of ``private_burst`` messages, then ``private_per_second``;
the bot keeps to the stricter "``private_burst`` in any ``private_window`` seconds".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood limits on messages: overall, per private chat, per group or channel."""

    overall_per_second: float = 30
    private_per_second: float = 1
    private_burst: int = 3
    group_per_minute: float = 20

    def __post_init__(self) -> None:
        rates = (self.overall_per_second, self.private_per_second, self.group_per_minute)
        if min(rates) <= 0 or self.private_burst < 1:
            raise ValueError(f"flood limits must be positive: {self}")

    @property
    def private_window(self) -> float:
        """Seconds in which a private chat gets at most ``private_burst`` messages."""
        return self.private_burst / self.private_per_second

    def scaled(self, factor: float) -> FloodLimits:
        """The same limits ``factor`` times faster, for benchmarks that must stay short."""
        return FloodLimits(
            self.overall_per_second * factor,
            self.private_per_second * factor,
            self.private_burst,
            self.group_per_minute * factor,
        )
