"""The Telegram side of briefbot: command line, replies, rendering and the PTB application."""

import os

# Opt in to python-telegram-bot's coming behaviour: durations (RetryAfter.retry_after and
# friends) as datetime.timedelta, without a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
