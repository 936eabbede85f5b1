"""Subscribing to digests: reading ``/subscribe`` requests, time zones, what the bot says.

``requests`` reads ``/subscribe [@channel] <what> <how often> <time>``, ``timezones`` turns
a city or country into an IANA zone, ``replies`` builds the guided steps, confirmations and
lists. The Telegram side is :mod:`bot.handlers.subscriptions`.
"""
