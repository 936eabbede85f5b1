"""Numbers read from what people and clients type: ASCII digits only, within range.

``str.isdigit()`` is true for "²", which ``int()`` then refuses; ``int()`` reads "٣"
(Arabic-Indic three) and "３" (full width) as 3; and the folding that lets "Mazatlán"
match "mazatlan" turns "²" into "2". None of these is what a person means by a time, a
day of the month or a button's id, so every place that reads a number from text — times,
days, ids in button data, settings — asks here, and anything else is not a number.
"""

from __future__ import annotations

import re

ASCII_DIGITS = re.compile(r"[0-9]+")
# The store's integer ids (PostgreSQL INTEGER): a larger one can't name a row, and asking
# the database about it fails (DataError on PostgreSQL, OverflowError past 2**63 on SQLite).
STORED_ID_MAX = 2**31 - 1


def read_number(text: str, *, most: int | None = None) -> int | None:
    """``text`` as a whole number of ASCII digits, at most ``most``; None when it is not."""
    if not ASCII_DIGITS.fullmatch(text) or len(text) > 20:
        return None
    value = int(text)
    return None if most is not None and value > most else value


def read_stored_id(text: str) -> int | None:
    """An id the store could hold (1 to :data:`STORED_ID_MAX`), or None."""
    value = read_number(text, most=STORED_ID_MAX)
    return value if value else None


def has_other_digits(text: str) -> bool:
    """Whether ``text`` holds digits other than 0-9 ("²", "٣", "３"), which folding would
    quietly turn into ASCII ones: such text is refused, never read as the digits it resembles."""
    return any(char.isdigit() and not char.isascii() for char in text)
