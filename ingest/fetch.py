"""One HTTP GET that a bad source cannot turn against us.

Bounded in every way a feed or page can misbehave: a total deadline (a server that
trickles bytes still ends), a size cap read as the body streams (a huge answer is cut, not
buffered), at most ``MAX_REDIRECTS`` redirects (a loop ends), and a conditional GET with
the ETag and Last-Modified of the last answer (an unchanged feed costs a 304). Every
failure is a :class:`FetchError` with one line a person can read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 20.0  # seconds for the whole exchange
DEFAULT_MAX_BYTES = 5_000_000
USER_AGENT = "briefbot/0.1 (+news briefings; feed reader)"


class FetchError(Exception):
    """A source that could not be fetched; the message says why, in one line."""


@dataclass(frozen=True)
class Fetched:
    """An answer: its body (empty when ``not_modified``), final URL and validators."""

    url: str
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES


DEFAULT_LIMITS = Limits()


def new_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The client every fetch goes through; ``transport`` is the seam for tests."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` within ``limits``; :class:`FetchError` for every way it can fail."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(limits.timeout):
            return await _get(client, url, headers, limits)
    except TimeoutError:
        raise FetchError(f"no complete answer within {limits.timeout:g} s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") from None
    except httpx.TimeoutException:
        raise FetchError(f"no complete answer within {limits.timeout:g} s") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("not an http(s) address") from None
    except httpx.HTTPError as error:
        raise FetchError(f"cannot be reached ({type(error).__name__}: {error})") from None


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limits: Limits
) -> Fetched:
    timeout = httpx.Timeout(limits.timeout)
    async with client.stream("GET", url, headers=headers, timeout=timeout) as response:
        final = str(response.url)
        if response.status_code == 304:
            return Fetched(
                final,
                b"",
                "",
                response.headers.get("ETag") or None,
                response.headers.get("Last-Modified") or None,
                not_modified=True,
            )
        if response.status_code >= 400:
            raise FetchError(f"answered HTTP {response.status_code} {response.reason_phrase}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(
                f"too large ({int(declared):,} bytes; the cap is {limits.max_bytes:,})"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchError(f"too large (over the cap of {limits.max_bytes:,} bytes)")
            chunks.append(chunk)
        return Fetched(
            final,
            b"".join(chunks),
            response.headers.get("Content-Type", ""),
            response.headers.get("ETag") or None,
            response.headers.get("Last-Modified") or None,
        )
