"""Bringing news in: pages and feeds fetched over HTTP, extracted, kept as documents.

``fetch`` (one bounded HTTP GET: timeout, size cap, redirects, conditional GET),
``pages`` (an HTML page or a text file -> a document, through trafilatura), ``feeds`` (an
RSS or Atom feed -> its items, through feedparser), ``library`` (the documents folder:
deduplicated by GUID, URL and content hash) and ``sources`` (``briefbot ingest`` and the
feed poller: a path or URL in, documents added).

It sits between the web and the compiler: it writes the compiler's input format
(``briefings/documents.py``) and never imports the bot, so the command line and the
running bot share it. The compiler stays pure: nothing in ``briefings/`` talks HTTP.
"""
