"""``briefbot chat`` and ``briefbot ask``: the real application in a terminal, no token.

``chat`` turns typed lines into updates and prints what the bot sends; ``botapi`` is the
in-memory Telegram it talks to, which checks every call against Telegram's limits and its
HTML parser (``html_entities``). Why this core ships with the bot while the HTTP server and
the fault scripting of the tests live in the top-level ``localapi`` package:
docs/console.md.
"""
