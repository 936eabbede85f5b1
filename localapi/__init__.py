"""A local Telegram Bot API: Telegram's methods and limits in memory, and over HTTP.

The console chat calls :class:`LocalBotApi` in-process; end-to-end tests and benchmarks run
the real application against :class:`LocalBotApiServer` over HTTP on 127.0.0.1. It imports
nothing from ``telegram``: it judges the JSON the bot sends, as Telegram does.
"""

from bot.console.botapi import ApiError, BotMessage, Call, LocalBotApi, NoAnswer
from bot.console.html_entities import EntityParseError, parse_html
from bot.conversation.render import utf16_len
from bot.operations.telegram_limits import FloodLimits
from localapi.server import LocalBotApiServer

__all__ = [
    "ApiError",
    "BotMessage",
    "Call",
    "EntityParseError",
    "FloodLimits",
    "LocalBotApi",
    "LocalBotApiServer",
    "NoAnswer",
    "parse_html",
    "utf16_len",
]
