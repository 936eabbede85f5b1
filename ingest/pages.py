"""A page or a text file -> a :class:`SourceDocument`.

An HTML page goes through trafilatura: its main text (navigation, footers and comments
left out), title, author, site name, publication date and canonical URL. The date is the
one the page states (``extensive_search`` off: no guessing from the text, which the
compiler does its own way), never later than the day it was fetched. A plain-text file is
kept as its text, untitled, and the compiler reads it as it reads a seed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import trafilatura

from briefings.documents import SourceDocument, SourceMeta

MIN_TEXT = 40  # characters: less than a sentence is a page without an article


class ExtractionError(Exception):
    """A page with no article text in it; the message says so in one line."""


def page_document(
    body: bytes | str,
    url: str | None,
    fetched: dt.datetime,
    *,
    known: SourceMeta | None = None,
    fallback_title: str | None = None,
) -> SourceDocument:
    """The page's article with its metadata; ``known`` (what a feed said of the item) fills
    what the page does not say and keeps its GUID."""
    try:
        extracted = _extract(body, url, fetched)
    except Exception as error:  # lxml and friends on bytes no page should have
        raise ExtractionError(f"the page could not be read ({type(error).__name__})") from None
    if extracted is None:
        raise ExtractionError("no article text found in the page")
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = _paragraphs(data.get("text") or "")
    title = _one_line(data.get("title") or "") or fallback_title or ""
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("\n")  # trafilatura may repeat the heading
    if len(text) < MIN_TEXT:
        raise ExtractionError("no article text found in the page")
    known = known or SourceMeta()
    meta = replace(
        known,
        outlet=_one_line(data.get("sitename") or "") or known.outlet,
        author=_one_line(data.get("author") or "") or known.author,
        url=known.url or data.get("url") or url,
        published=_day(data.get("date")) or known.published,
        fetched=fetched.isoformat(timespec="seconds"),
    )
    return SourceDocument(title=title or _first_words(text), text=text, meta=meta)


def text_document(path: Path, fetched: dt.datetime) -> SourceDocument:
    """A plain-text file, as the seeds are: the compiler finds its articles and titles."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtractionError(
            f"not UTF-8 text (byte {error.start} is {data[error.start]:#04x})"
        ) from None
    if "\x00" in text:
        raise ExtractionError("binary data, not text")
    if not text.strip():
        raise ExtractionError("the file is empty")
    meta = SourceMeta(url=path.resolve().as_uri(), fetched=fetched.isoformat(timespec="seconds"))
    return SourceDocument(title="", text=text, meta=meta)


def _paragraphs(text: str) -> str:
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _day(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _first_words(text: str, limit: int = 90) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _extract(body: bytes | str, url: str | None, fetched: dt.datetime) -> Any:
    """trafilatura's extraction with the page's metadata; the date as the page states it."""
    return trafilatura.bare_extraction(
        body,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "max_date": fetched.date().isoformat(),
        },
    )
