"""Ingested documents: the compiler's second input, beside the shipped seeds.

A document is one article that ``briefbot ingest`` or a feed brought in (see the ``ingest``
package), kept as one JSON file in the documents folder with what the page said about
itself: its outlet, author, URL and the day it was published, and when it was fetched.
Where the page says so, that metadata replaces what the compiler would otherwise guess
from the text (the outlet from a footer, the day from a dateline).

The format lives here, in the compiler, because it is compiler input like a seed; the
``ingest`` package writes it with :func:`save_document`. A file is written to a temporary
name and renamed, so a crash leaves the old document or the new one, never half of one.
Its name is a digest of the item's identity (its feed GUID, else its URL), so an item
that is fetched again with new text replaces its earlier version.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

SUFFIX = ".json"
PREFIX = "doc_"


class DocumentError(Exception):
    """A document file the compiler cannot use; the message names the file and the reason."""


@dataclass(frozen=True)
class SourceMeta:
    """What a page says about itself. ``published`` is an ISO date (YYYY-MM-DD) or None;
    ``fetched`` an ISO moment with its offset."""

    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    fetched: str | None = None
    guid: str | None = None
    feed: str | None = None
    item_sha256: str | None = None  # what the feed said of the item: changed, fetch it again


@dataclass(frozen=True)
class SourceDocument:
    """One ingested article: its title, its text (paragraphs, one a line) and metadata."""

    title: str
    text: str
    meta: SourceMeta

    @property
    def identity(self) -> str:
        """What makes two fetches the same item: the GUID, else the URL, else the text."""
        return self.meta.guid or self.meta.url or self.content_sha256

    @property
    def name(self) -> str:
        return name_for(self.identity)

    @property
    def content_sha256(self) -> str:
        """The digest of what a reader would read: a feed that repeats an item under a new
        GUID repeats this, and is not a second article."""
        body = "\n".join(line.strip() for line in self.text.splitlines() if line.strip())
        return hashlib.sha256(f"{self.title.strip()}\n{body}".encode()).hexdigest()


def name_for(identity: str) -> str:
    """The file name of the item with this identity (a GUID, a URL or a text digest)."""
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    return f"{PREFIX}{digest}{SUFFIX}"


def render_document(document: SourceDocument) -> str:
    plain = {"title": document.title, "text": document.text, **asdict(document.meta)}
    return json.dumps(plain, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def parse_document(text: str, name: str = "document") -> SourceDocument:
    """A document file's text -> :class:`SourceDocument`, or :class:`DocumentError`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(f"{name}: not valid JSON (line {error.lineno})") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{name}: not a document (expected a JSON object)")
    title, body = data.get("title"), data.get("text")
    if not isinstance(title, str) or not isinstance(body, str) or not body.strip():
        raise DocumentError(f"{name}: a document needs a title and a text")
    meta = {}
    for field in fields(SourceMeta):
        value = data.get(field.name)
        if value is not None and not isinstance(value, str):
            raise DocumentError(f"{name}: {field.name} is not text")
        meta[field.name] = value
    return SourceDocument(title=title, text=body, meta=SourceMeta(**meta))


def save_document(document: SourceDocument, directory: Path, name: str | None = None) -> Path:
    """Write atomically under ``name`` (an earlier version's) or the document's own name."""
    directory.mkdir(parents=True, exist_ok=True)
    name = name or document.name
    path = directory / name
    write_atomically(path, render_document(document))
    return path


def write_atomically(path: Path, text: str) -> None:
    """A temporary file in the same folder, synced, then renamed over ``path``: a reader
    (or a kill -9) sees the old file or the new one whole, never half of one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def document_paths(directory: Path) -> list[Path]:
    """The document files in name order (temporary files of a write in progress excluded)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if not p.name.startswith("."))


def read_documents(directory: Path) -> list[tuple[str, bytes, SourceDocument]]:
    """Every document in name order as (file name, its bytes, the document).

    A damaged file stops the build with one line naming it, as a damaged seed does.
    """
    found = []
    for path in document_paths(directory):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DocumentError(
                f"{path.name}: cannot be read ({error.strerror or error})"
            ) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DocumentError(f"{path.name}: not UTF-8 text") from None
        found.append((path.name, data, parse_document(text, path.name)))
    return found
