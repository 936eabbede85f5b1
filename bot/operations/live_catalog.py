"""Which catalog the bot serves, and serving a new one without a restart.

Without ingested documents the bot serves the shipped catalog (``BRIEFBOT_CATALOG``, what
the seeds compile to). Once ``briefbot ingest`` or a feed has added documents, it serves
the live catalog in the data folder: the seeds and the documents compiled together. That
file is rebuilt when its inputs change (its ``seeds_sha256`` is the digest of every seed
and document), written to a temporary file and renamed, so a crash at any moment leaves
the old catalog or the new one, and a document fetched but not compiled yet is compiled
at the next start.

:class:`LiveCatalog` rebuilds in a worker thread (the event loop keeps answering), one
rebuild at a time, and hands the new catalog to whoever swaps it in (the services). Old
buttons keep working: a button carries the version it was made from, and a pressed one
from an older version gets the current briefing, as after any rebuild.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.operations.config import Settings
from briefings.catalog import (
    CatalogError,
    StageCache,
    compile_catalog,
    load_catalog,
    read_inputs,
    save_catalog,
    seeds_digest,
)
from briefings.documents import document_paths
from briefings.model import Catalog

logger = logging.getLogger("briefbot.catalog")


def has_documents(settings: Settings) -> bool:
    return bool(document_paths(settings.documents))


def served_catalog_path(settings: Settings) -> Path:
    """The live catalog once there are documents, else the shipped one."""
    return settings.live_catalog_path if has_documents(settings) else settings.catalog_path


def rebuild_live(
    settings: Settings, cache: StageCache | None = None, current: Catalog | None = None
) -> Catalog:
    """Compile the seeds and documents into the live catalog, unless it is current
    (``current``: the catalog served now, else the file is read to know)."""
    inputs = read_inputs(settings.seeds_dir, settings.documents)
    digest = seeds_digest(inputs)
    if current is None or current.seeds_sha256 != digest:
        try:
            current = load_catalog(settings.live_catalog_path)
        except CatalogError:
            current = None
    if current is not None and current.seeds_sha256 == digest:
        return current
    catalog = compile_catalog(inputs, cache=cache)
    save_catalog(catalog, settings.live_catalog_path)
    return catalog


def load_served_catalog(
    settings: Settings, cache: StageCache | None = None, current: Catalog | None = None
) -> Catalog:
    """The catalog to serve now: the shipped one, or the live one (rebuilt if stale)."""
    if not has_documents(settings):
        return load_catalog(settings.catalog_path)
    return rebuild_live(settings, cache, current)


@dataclass
class CatalogChange:
    version: str
    changed_at: dt.datetime


class LiveCatalog:
    """Rebuilds the live catalog off the event loop and announces each new version."""

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        now: Callable[[], dt.datetime],
        swap: Callable[[Catalog], None],
        prepare: Callable[[Catalog], object] = lambda catalog: None,
    ) -> None:
        self.settings, self.now, self.swap, self.prepare = settings, now, swap, prepare
        self.cache = StageCache()
        self.catalog = catalog
        self.version = catalog.version
        self.changed_at = now()
        self.rebuilds = 0
        self._lock = asyncio.Lock()

    def _load(self) -> Catalog:
        """In the worker thread: the new catalog, and what the bot derives from it before
        serving it (its search index), so the swap itself costs the event loop nothing."""
        catalog = load_served_catalog(self.settings, self.cache, self.catalog)
        if catalog.version != self.version:
            self.prepare(catalog)
        return catalog

    async def refresh(self) -> bool:
        """Rebuild from what is in the documents folder now; True if the version changed.

        A failed rebuild is logged and leaves the served catalog as it was.
        """
        async with self._lock:
            try:
                catalog = await asyncio.to_thread(self._load)
            except Exception as error:
                logger.error(
                    "the catalog could not be rebuilt; still serving %s: %s", self.version, error
                )
                return False
            self.rebuilds += 1
            if catalog.version == self.version:
                return False
            old, self.version, self.changed_at = self.version, catalog.version, self.now()
            self.catalog = catalog
            self.swap(catalog)
            logger.info(
                "serving catalog %s (was %s): %d articles from %d documents",
                catalog.version,
                old,
                len(catalog.articles),
                len(catalog.documents),
            )
            return True
