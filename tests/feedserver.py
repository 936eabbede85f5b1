"""A local news site on 127.0.0.1 for tests: HTML article pages, an RSS and an Atom feed of
them, conditional GET (ETag / Last-Modified), and every fault a bad source has, on command.

    with NewsSite() as site:
        site.publish("oil", "Mexico ships oil to Cuba", "Pemex sent …", day="2026-11-30")
        site.feed_url("rss")                       # http://127.0.0.1:PORT/rss.xml
        site.fault("rss", "html")                  # the feed now answers an HTML page

Faults (``fault(name, kind)`` for the feed ``rss`` or ``atom`` or a page's slug; ``clear``
ends them): ``down`` (the connection is closed without an answer), ``error`` (HTTP 500),
``slow`` (the answer trickles until ``release_slow()``), ``redirect-loop``, ``html`` (a web
page instead of XML), ``malformed`` (broken XML), ``huge`` (an endless body), ``latin1``
(the feed in ISO-8859-1 declared as UTF-8), ``repeat`` (every item again under new GUIDs on
each fetch). ``requests`` counts the requests per path; ``not_modified`` the 304 answers.

Real HTTP, real threads: the bot's fetcher, trafilatura and feedparser see what they would
see on the web. Test equipment: the product never imports it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import html
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FEEDS = ("rss", "atom")


@dataclass
class Article:
    slug: str
    title: str
    paragraphs: list[str]
    day: str  # YYYY-MM-DD
    author: str = "Ana Ruiz"
    guid: str = ""


class NewsSite:
    outlet = "Valle Daily"

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.faults: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        self.not_modified = 0
        self.repeats = 0
        self._lock = threading.Lock()
        self._slow_release = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._slow_release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(30)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def feed_url(self, name: str = "rss") -> str:
        return f"{self.base}/{name}.xml"

    def page_url(self, slug: str) -> str:
        return f"{self.base}/news/{slug}.html"

    # -- content -----------------------------------------------------------------------
    def publish(
        self, slug: str, title: str, *paragraphs: str, day: str, author: str = "Ana Ruiz"
    ) -> Article:
        with self._lock:
            self.articles = [a for a in self.articles if a.slug != slug]
            article = Article(slug, title, list(paragraphs), day, author, f"urn:valle:{slug}")
            self.articles.append(article)
            return article

    def fault(self, name: str, kind: str) -> None:
        with self._lock:
            self.faults[name] = kind
            self._slow_release.clear()

    def clear(self, name: str | None = None) -> None:
        with self._lock:
            if name is None:
                self.faults.clear()
            else:
                self.faults.pop(name, None)
        self._slow_release.set()

    def release_slow(self) -> None:
        self._slow_release.set()

    # -- rendering ---------------------------------------------------------------------
    def page(self, article: Article) -> bytes:
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(article.title)} | {self.outlet}</title>
<meta property="og:site_name" content="{self.outlet}">
<meta property="og:title" content="{html.escape(article.title)}">
<meta name="author" content="{html.escape(article.author)}">
<meta property="article:published_time" content="{article.day}T09:00:00-06:00">
<link rel="canonical" href="{self.page_url(article.slug)}">
</head><body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<main><article><h1>{html.escape(article.title)}</h1>
<p class="byline">By {html.escape(article.author)}</p>
{paragraphs}
</article></main><footer>© {self.outlet}. All rights reserved.</footer></body></html>
""".encode()

    def rss(self, articles: list[Article], guid_suffix: str = "") -> bytes:
        items = "".join(
            f"""<item><title>{html.escape(a.title)}</title><link>{self.page_url(a.slug)}</link>
<guid isPermaLink="false">{a.guid}{guid_suffix}</guid><pubDate>{_rfc822(a.day)}</pubDate>
<author>{html.escape(a.author)}</author>
<description>{html.escape(a.paragraphs[0] if a.paragraphs else "")}</description></item>"""
            for a in reversed(articles)
        )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{self.outlet}</title><link>{self.base}/</link>
<description>News from the valley</description>{items}</channel></rss>
""".encode()

    def atom(self, articles: list[Article]) -> bytes:
        entries = "".join(
            f"""<entry><title>{html.escape(a.title)}</title>
<link href="{self.page_url(a.slug)}"/><id>{a.guid}</id><updated>{a.day}T09:00:00Z</updated>
<author><name>{html.escape(a.author)}</name></author>
<summary>{html.escape(a.paragraphs[0] if a.paragraphs else "")}</summary></entry>"""
            for a in reversed(articles)
        )
        return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{self.outlet}</title>
<id>{self.base}/</id><updated>2026-01-01T00:00:00Z</updated>{entries}</feed>
""".encode()

    # -- the HTTP side -----------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the tests read what the bot logs, not this

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.requests[path] += 1
                site._answer(self, path)

        return Handler

    def _answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        name = path.strip("/").removesuffix(".xml").removesuffix(".html").removeprefix("news/")
        with self._lock:
            fault = self.faults.get(name)
            articles = list(self.articles)
        if fault == "down":
            handler.close_connection = True
            handler.connection.close()
            return
        if fault == "error":
            return _send(handler, 500, b"internal error", "text/plain")
        if fault == "redirect-loop":
            handler.send_response(302)
            handler.send_header("Location", path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if fault == "slow":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            while not self._slow_release.wait(0.2):
                try:
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                except OSError:
                    return
            return
        if fault == "huge":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.end_headers()  # no length: it just keeps coming
            chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
            try:
                for _ in range(2_000):  # 130 MB, far past any cap
                    handler.wfile.write(chunk)
            except OSError:
                pass
            handler.close_connection = True
            return
        if fault == "html":
            body = b"<!DOCTYPE html><html><body><h1>Welcome</h1><p>Our new site!</p></body></html>"
            return _send(handler, 200, body, "text/html; charset=utf-8")
        if fault == "malformed":
            return _send(
                handler,
                200,
                b"<?xml version='1.0'?><rss><channel><item><title>oops",
                "application/rss+xml",
            )
        if path in ("/rss.xml", "/atom.xml"):
            suffix = ""
            if fault == "repeat":
                with self._lock:
                    self.repeats += 1
                    suffix = f"#{self.repeats}"
            body = self.rss(articles, suffix) if name == "rss" else self.atom(articles)
            if fault == "latin1":
                body = body.decode().encode("latin-1", "replace")
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if handler.headers.get("If-None-Match") == etag:
                with self._lock:
                    self.not_modified += 1
                handler.send_response(304)
                handler.send_header("ETag", etag)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            kind = "application/rss+xml" if name == "rss" else "application/atom+xml"
            return _send(handler, 200, body, kind, {"ETag": etag})
        article = next((a for a in articles if f"/news/{a.slug}.html" == path), None)
        if article is None:
            return _send(handler, 404, b"not found", "text/plain")
        return _send(handler, 200, self.page(article), "text/html; charset=utf-8")


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a fetch cut at its size cap or deadline) is what
    the faults are for: not an error to print on the test's stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    kind: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    with contextlib.suppress(OSError):
        handler.wfile.write(body)


def _rfc822(day: str) -> str:
    moment = dt.datetime.fromisoformat(f"{day}T15:00:00+00:00")
    return email.utils.format_datetime(moment)
