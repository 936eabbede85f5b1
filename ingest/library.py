"""The documents folder: what has been ingested, deduplicated.

An item is the same item when it has the same GUID, else the same URL: fetched again with
new text, it replaces its earlier version under the same file name (one atomic rename, so
a crash leaves one version or the other). A document whose text is already in the folder
under another identity (a feed that repeats every item with new GUIDs) is a repeat and is
not kept twice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from briefings.documents import (
    DocumentError,
    SourceDocument,
    SourceMeta,
    document_paths,
    name_for,
    parse_document,
    render_document,
    save_document,
)

logger = logging.getLogger("briefbot.ingest")


class Outcome(Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REPEAT = "repeat"


@dataclass
class DocumentLibrary:
    """The folder and an index of it: names by GUID/URL identity and by content digest."""

    directory: Path
    _by_url: dict[str, str] = field(default_factory=dict)
    _by_content: dict[str, str] = field(default_factory=dict)
    _content_of: dict[str, str] = field(default_factory=dict)
    _names: set[str] = field(default_factory=set)
    _item_of: dict[str, str] = field(default_factory=dict)
    _file_sha: dict[str, str] = field(default_factory=dict)  # name -> digest of its bytes
    written: set[str] = field(default_factory=set)  # names added or updated here, not shared

    @classmethod
    def open(cls, directory: Path) -> DocumentLibrary:
        library = cls(directory)
        for path in document_paths(directory):
            try:
                data = path.read_bytes()
                document = parse_document(data.decode("utf-8"), path.name)
            except (OSError, UnicodeDecodeError, DocumentError) as error:
                logger.warning("skipping a document that cannot be read: %s", error)
                continue
            library._remember(path.name, document)
            library._file_sha[path.name] = hashlib.sha256(data).hexdigest()
        return library

    def signature(self) -> frozenset[tuple[str, int, int]]:
        """The folder as its listing shows it (names, sizes, modification times): cheap to
        take, and different once any process added, changed or removed a document."""
        found = set()
        for path in document_paths(self.directory):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.add((path.name, stat.st_size, stat.st_mtime_ns))
        return frozenset(found)

    def reload(self) -> None:
        """Read the folder again (another process wrote to it); what waits to be shared
        still does."""
        fresh = DocumentLibrary.open(self.directory)
        fresh.written = self.written
        self.__dict__.update(fresh.__dict__)

    def file_digests(self) -> dict[str, str]:
        """Each kept document's name and the digest of its file."""
        return dict(self._file_sha)

    def text_of(self, name: str) -> str:
        return (self.directory / name).read_text("utf-8")

    def adopt(self, name: str, text: str) -> bool:
        """Keep a document another instance fetched, under its name; False if unusable."""
        try:
            document = parse_document(text, name)
        except DocumentError as error:
            logger.warning("a shared document cannot be used: %s", error)
            return False
        save_document(document, self.directory, name)
        self._remember(name, document)
        self._file_sha[name] = _digest(render_document(document))
        return True

    def __len__(self) -> int:
        return len(self._names)

    def _remember(self, name: str, document: SourceDocument) -> None:
        old = self._content_of.get(name)
        if old is not None and self._by_content.get(old) == name:
            del self._by_content[old]
        self._names.add(name)
        if document.meta.url:
            self._by_url.setdefault(document.meta.url, name)
        if document.meta.item_sha256:
            self._item_of[name] = document.meta.item_sha256
        digest = document.content_sha256
        self._content_of[name] = digest
        self._by_content.setdefault(digest, name)

    def knows_item(self, meta: SourceMeta) -> bool:
        """Whether this feed item is kept already, as the feed describes it now."""
        identity = meta.guid or meta.url
        if identity is None or meta.item_sha256 is None:
            return False
        name = name_for(identity)
        if name not in self._names and meta.url:
            name = self._by_url.get(meta.url, name)
        return self._item_of.get(name) == meta.item_sha256

    def add(self, document: SourceDocument) -> Outcome:
        """Keep ``document``: added, an update of an earlier version, unchanged, or a repeat."""
        name = document.name if document.name in self._names else None
        if name is None and document.meta.url:
            name = self._by_url.get(document.meta.url)
        digest = document.content_sha256
        same_text = self._by_content.get(digest)
        if name is None and same_text is not None:
            return Outcome.REPEAT
        if name is not None and self._content_of.get(name) == digest:
            return Outcome.UNCHANGED
        target = name or document.name
        save_document(document, self.directory, target)
        self._remember(target, document)
        self._file_sha[target] = _digest(render_document(document))
        self.written.add(target)
        return Outcome.UPDATED if name else Outcome.ADDED


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
