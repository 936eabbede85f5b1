"""Running the bot: settings, the HTTP server, logs, metrics, tracing and flood control.

``config`` (every environment variable, read once), ``runner`` (``briefbot run``: polling
or webhook, a clean stop), ``web`` (webhook, ``/healthz``, ``/metrics``), ``metrics``,
``logs``, ``tracing`` (one log line per update), ``stats`` (``/stats`` for admins),
``concurrency`` (chats in turns, one chat in order, a flood dropped), ``update_screen``
(a flood left out of getUpdates before it is parsed), ``telegram_limits`` (Telegram's
flood limits as numbers) and ``rate_limiter`` (keeping under them, replies first);
with several instances on one PostgreSQL, ``instances`` (starts what they share),
``shared_budget`` (one flood budget, from the database) and ``update_queue`` (each
chat's webhook updates in order, whichever instance Telegram's post reached).
"""
