"""What the bot answers a person: plain data in, a Reply out, no Telegram import.

``answers`` (every command, button and typed word), ``render`` (briefings and listings as
safe HTML under Telegram's limits), ``reply`` (what a Reply is), ``search`` (typos ->
topics), the search over everything the catalog shows — ``question`` (what a typed question
asks), ``fulltext`` (the FTS5 index and its ranking) and ``search_reply`` (cited sentences
grouped by story) —, ``event_filters`` (``/events guadalajara feb``), ``calendar_export``
(.ics files), ``inline_results`` (``@bot cuba``), ``deeplinks`` (``?start=`` payloads),
``menus`` (the command lists next to the text box) and ``callbacks`` (button data).
"""
