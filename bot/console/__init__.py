"""``briefbot chat`` and ``briefbot ask``: the real application in a terminal, no token.

``chat`` turns typed lines into updates and prints what the bot sends; ``botapi`` is the
in-memory Telegram it talks to, which checks every call against Telegram's limits and its
HTML parser (``html_entities``); ``database`` keeps the console's subscriptions out of the
bot's own database. Why this core ships with the bot while the HTTP server the
tests run it behind lives in the top-level ``localapi`` package: docs/console.md.
"""
