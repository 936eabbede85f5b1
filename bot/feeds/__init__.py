"""Feeds on a schedule: polling the configured feeds and what ``/feeds`` tells admins.

``poller`` (due feeds claimed from the store, polled through ``ingest``, failures reported
once per streak and retried with backoff, the live catalog rebuilt after new documents)
and ``report`` (the ``/feeds`` list as one message). Plain Python: the JobQueue job that
ticks the poller is set up in ``bot.app``, the command in ``bot.handlers.feeds``.
"""
